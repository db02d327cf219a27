/*
 * Satisfaction reports (SPEC §5.6): the ratings customers gave, per
 * ticket, per agent (the ticket's owner), per department and per month,
 * within what a staff member sees.
 */

#ifndef HD_REPORT_H
#define HD_REPORT_H


#include "hd_staff.h"
#include "hd_ticket.h"


#define HD_REPORT_ROWS     64       /* agents, departments, months */
#define HD_REPORT_RECENT   20


typedef struct {
    uint64_t      id;               /* an agent, a department, a month
                                       (YYYYMM) */
    size_t        ratings;
    size_t        stars;            /* their sum */
    size_t        low;              /* 1 or 2 stars */
} hd_report_row_t;


typedef struct {
    hd_report_row_t   all;
    hd_report_row_t   agents[HD_REPORT_ROWS];
    size_t            nagents;
    hd_report_row_t   departments[HD_REPORT_ROWS];
    size_t            ndepartments;
    hd_report_row_t   months[HD_REPORT_ROWS];
    size_t            nmonths;
    hd_ticket_t      *recent;       /* the last rated first, copied */
    size_t            nrecent;
} hd_report_t;


/* ratings given in [from, to) (0: no bound), of the departments seen */
hd_rc hd_report_satisfaction(hd_txn_t *txn, const hd_staff_scope_t *scope,
    uint64_t from, uint64_t to, hd_pool_t *pool, hd_report_t *report);


#endif /* HD_REPORT_H */

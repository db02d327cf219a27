/*
 * The staff's queues: every ticket indexed by its department, and by its
 * owner within the department (owner 0: unassigned), per status, in three
 * orders (priority then due time; last update; creation), with a counter
 * per department, owner, status and priority; and the queries of the staff
 * console over them. hd_ticket_put keeps all of it.
 */

#ifndef HD_QUEUE_H
#define HD_QUEUE_H


#include "hd_core.h"
#include "hd_pool.h"
#include "hd_schema.h"
#include "hd_ticket.h"


typedef enum {
    HD_ORDER_PRIORITY = 0,          /* the highest first, then due soonest */
    HD_ORDER_UPDATED,               /* the last updated first */
    HD_ORDER_CREATED,               /* the newest first */
    HD_ORDER_COUNT
} hd_order_e;


/* a filter on the tickets read (a holder, text): 1 to keep */
typedef int (*hd_queue_match_pt)(const hd_ticket_t *t, void *data);


#define HD_QUEUE_WORD_MAX      40      /* bytes of a word indexed */
#define HD_QUEUE_WORDS_MAX     16      /* words of a query */
#define HD_QUEUE_SELECT_MAX    5000    /* tickets a narrowed query sorts */


typedef struct {
    const uint64_t   *departments;
    size_t            ndepartments;
    int               by_owner;     /* only one owner's (0: unassigned) */
    uint64_t          owner;
    uint32_t          statuses;     /* HD_STATUS_BIT()s */
    int               priority;     /* -1: any */
    uint8_t           order;
    size_t            offset;
    size_t            limit;
    int               in_place;     /* strings left in the transaction */

    /*
     * Narrowing filters: the candidates come from their own indexes (the
     * SLA states, the holder's tickets, the words of subjects), then are
     * read, filtered and sorted (at most HD_QUEUE_SELECT_MAX of them)
     */
    int               sla;          /* 0: any; HD_SLA_AT_RISK, _BREACHED */
    int               by_holder;
    uint64_t          holder_account;   /* its tickets as author */
    uint64_t          holder_company;   /* or the company's */
    hd_str_t          text;         /* each word starts a word of the
                                       subject (case and ё folded) */

    hd_queue_match_pt match;        /* then every candidate is read */
    void             *match_data;
} hd_queue_query_t;

typedef struct {
    size_t            total;
    size_t            n;
    int               capped;       /* more matched than were sorted */
    hd_ticket_t      *tickets;
} hd_queue_page_t;

/* counts[status][priority] of the departments (and owner) */
typedef size_t  hd_queue_counts_t[HD_STATUS_COUNT][HD_PRIORITY_COUNT];


extern const char  *hd_order_names[HD_ORDER_COUNT];


/*
 * The words of a text, folded (lower case, ё as е), each at most
 * HD_QUEUE_WORD_MAX bytes: the number found (at most max)
 */
size_t hd_queue_words(const hd_uchar *text, size_t len, hd_str_t *words,
    hd_uchar *buf, size_t size, size_t max);

/* a subject's words in the index: added, or removed */
hd_rc hd_queue_words_index(hd_txn_t *txn, uint64_t number,
    const hd_str_t *subject, int add, hd_err_t *err);

/* a ticket's entries and counters: added, or removed */
hd_rc hd_queue_index(hd_txn_t *txn, const hd_ticket_t *t, int add,
    hd_err_t *err);

hd_rc hd_queue_list(hd_txn_t *txn, const hd_queue_query_t *q,
    hd_pool_t *pool, hd_queue_page_t *page);

hd_rc hd_queue_counts(hd_txn_t *txn, const uint64_t *departments, size_t n,
    int by_owner, uint64_t owner, hd_queue_counts_t counts);

/* for the check: the entries a ticket should have (missing counted) */
size_t hd_queue_expect(hd_txn_t *txn, const hd_ticket_t *t,
    size_t *missing);
/* the counters agree with the entries, and the entries with expected */
void hd_queue_check(hd_txn_t *txn, size_t expected, hd_check_t *check);


#endif /* HD_QUEUE_H */

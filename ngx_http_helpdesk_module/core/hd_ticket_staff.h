/*
 * What staff do to tickets (SPEC §5.2, §9 "POST /staff/tickets/{n}/messages"):
 * a reply, an internal note, an information request or a solution, each
 * moving the status as the transition table says and telling the customer.
 * The staff console (queues, assignment, departments) builds on this.
 */

#ifndef HD_TICKET_STAFF_H
#define HD_TICKET_STAFF_H


#include "hd_portal.h"
#include "hd_ticket.h"


typedef struct {
    uint64_t        number;
    uint64_t        actor;          /* a staff account */
    uint8_t         kind;           /* HD_MESSAGE_REPLY, _NOTE,
                                       _INFO_REQUEST, _SOLUTION */
    uint8_t         channel;
    hd_str_t        body;
    hd_upload_t    *files;
    size_t          nfiles;
} hd_staff_message_t;


/* "reply", "note", "info_request", "solution": the kind, or -1 */
int hd_staff_kind_from_name(const hd_uchar *name, size_t len);

hd_rc hd_ticket_staff_message(const hd_portal_t *portal,
    const hd_staff_message_t *sm, uint64_t now, uint64_t *message,
    uint8_t *status, hd_err_t *err);


#endif /* HD_TICKET_STAFF_H */

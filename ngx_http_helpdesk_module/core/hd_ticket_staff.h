/*
 * What staff do to tickets (SPEC §5.2, §9 "POST /staff/tickets/{n}/messages",
 * "PATCH /staff/tickets/{n}"): a reply, an internal note, an information
 * request or a solution, each moving the status as the transition table
 * says and telling the customer; taking and assigning; changing priority,
 * department, type, severity, category; cancelling with a reason. A staff
 * member acts only on tickets of the departments they see.
 */

#ifndef HD_TICKET_STAFF_H
#define HD_TICKET_STAFF_H


#include "hd_account.h"
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
    uint32_t        version;        /* what it was written against; 0: - */
} hd_staff_message_t;


/* a change of the ticket's fields; -1 (or 0 for ids): keep */
typedef struct {
    uint64_t        number;
    uint64_t        actor;
    int64_t         owner;          /* 0: nobody */
    uint64_t        department;
    int             priority;       /* -2: derived again */
    int             type;
    int             severity;
    int             category;
    int             cancel;         /* cancelled_by_staff, with reason */
    hd_str_t        reason;
    uint32_t        version;
    unsigned        fields_set:1;   /* fields replaces the ticket's */
    hd_str_t        fields;         /* its form's values (hd_form_check) */
} hd_staff_edit_t;


/* "reply", "note", "info_request", "solution": the kind, or -1 */
int hd_staff_kind_from_name(const hd_uchar *name, size_t len);

void hd_staff_edit_init(hd_staff_edit_t *edit);

/*
 * *changed says the ticket changed since the version the message was
 * written against: the message is kept all the same, after the other
 */
hd_rc hd_ticket_staff_message(const hd_portal_t *portal,
    const hd_staff_message_t *sm, uint64_t now, uint64_t *message,
    uint8_t *status, int *changed, hd_err_t *err);

/* the same inside a caller's transaction (the mail gate's) */
hd_rc hd_ticket_staff_message_in(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_staff_message_t *sm, uint64_t now, uint64_t *message,
    uint8_t *status, hd_err_t *err);

hd_rc hd_ticket_staff_edit(const hd_portal_t *portal,
    const hd_staff_edit_t *edit, uint64_t now, hd_ticket_t *out,
    hd_pool_t *pool, int *changed, hd_errors_t *errors, hd_err_t *err);

/* the ticket for a staff member: HD_NOT_FOUND outside their departments */
hd_rc hd_ticket_staff_get(hd_txn_t *txn, const hd_account_t *staff,
    uint64_t number, hd_ticket_t *t);


#endif /* HD_TICKET_STAFF_H */

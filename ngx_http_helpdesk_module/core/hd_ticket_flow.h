/*
 * What the customer's ticket flows share (hd_ticket_customer.c makes a
 * ticket, hd_ticket_change.c changes it): the state of one flow through its
 * write transaction, and the checks both make. Not for other files.
 */

#ifndef HD_TICKET_FLOW_H
#define HD_TICKET_FLOW_H


#include "hd_ticket_customer.h"


typedef struct {
    const hd_portal_t          *portal;
    const hd_ticket_input_t    *in;
    const hd_ticket_change_t   *change;
    uint64_t                    author;
    uint64_t                    now;
    hd_ticket_t                *t;
    hd_errors_t                *errors;
    hd_arena_t                 *arena;
    uint64_t                    message;
    uint8_t                     status;
    hd_str_t                    csr;        /* an APNs request's */
    const hd_ticket_edit_t     *edit;
    size_t                      changed;
} hd_flow_t;


/* the certificate's limit of unclosed tickets: one more fits */
hd_rc hd_ticket_limit(hd_txn_t *txn, const hd_certificate_t *c,
    const hd_cert_type_t *type, hd_err_t *err);
/* a field's error, for the form and for the log */
hd_rc hd_ticket_field_error(hd_flow_t *f, hd_err_t *err, hd_rc rc,
    const char *field, const char *code);


#endif /* HD_TICKET_FLOW_H */

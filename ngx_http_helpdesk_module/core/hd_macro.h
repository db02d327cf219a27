/*
 * Canned replies (macros) of the staff desk: a title and a text with
 * placeholders ({{customer}}, {{ticket}}, {{subject}}, {{agent}}) and the
 * kind of message it makes (reply, note, information request, solution:
 * the status follows as for any message). Shared (owner 0, made by managers
 * and administrators) or an agent's own.
 */

#ifndef HD_MACRO_H
#define HD_MACRO_H


#include "hd_account.h"
#include "hd_buf.h"
#include "hd_record.h"
#include "hd_store.h"


#define HD_MACRO_TITLE_MAX   200        /* characters */
#define HD_MACRO_MAX         200        /* listed for a staff member */


typedef struct {
    uint64_t        id;
    uint64_t        owner;          /* 0: shared */
    hd_str_t        title;
    hd_str_t        body;
    uint8_t         kind;           /* HD_MESSAGE_REPLY ... _SOLUTION */
    uint64_t        author;
    uint64_t        created;
} hd_macro_t;


typedef struct {
    hd_str_t        customer;
    hd_str_t        subject;
    hd_str_t        agent;
    uint64_t        ticket;
} hd_macro_vars_t;


extern const hd_record_desc_t  hd_macro_desc;


/* title and body given and within limits, a staff message kind */
void hd_macro_validate(const hd_macro_t *m, hd_errors_t *errors);

/* a new one (id 0: numbered here) or a change of one */
hd_rc hd_macro_save(hd_txn_t *txn, hd_macro_t *m, hd_err_t *err);
hd_rc hd_macro_get(hd_txn_t *txn, uint64_t id, hd_macro_t *m);
hd_rc hd_macro_delete(hd_txn_t *txn, uint64_t id, hd_err_t *err);

/* what a staff member may use: the shared ones and their own, by title */
hd_rc hd_macro_list(hd_txn_t *txn, uint64_t account, hd_pool_t *pool,
    hd_macro_t **list, size_t *n);

/* whether the account may change or delete it */
int hd_macro_may_edit(const hd_macro_t *m, const hd_account_t *a);

/* the body with its placeholders filled; an unknown {{name}} is kept */
int hd_macro_expand(const hd_str_t *body, const hd_macro_vars_t *vars,
    hd_buf_t *out);


#endif /* HD_MACRO_H */

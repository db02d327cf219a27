/*
 * What customers do with tickets (SPEC §5.3, §5.5, §5.6): create one (the
 * certificate's limit of unclosed tickets and the contract's premium quota
 * checked in the same transaction as the insert), reply, close, reopen
 * within the window, rate; who may do which; the e-mail each change sends.
 */

#ifndef HD_TICKET_CUSTOMER_H
#define HD_TICKET_CUSTOMER_H


#include "hd_account.h"
#include "hd_certificate.h"
#include "hd_portal.h"
#include "hd_product.h"
#include "hd_ticket.h"


/* what a caller may do with a ticket */
#define HD_TICKET_SEE      0x01
#define HD_TICKET_ACT      0x02     /* reply, close, reopen */
#define HD_TICKET_RATE     0x04
#define HD_TICKET_EDIT     0x08     /* correct subject, type, severity,
                                       product, versions, extra fields */

#define HD_RATING_TOKEN_LEN  HD_TOKEN_TEXT_LEN


typedef struct {
    hd_str_t        subject;
    hd_str_t        description;
    hd_str_t        certificate;    /* a number; empty: none */
    hd_str_t        product;        /* an id or a name; empty: the
                                       certificate's */
    hd_str_t        product_version;
    hd_str_t        os_version;
    int             type;           /* -1: not given, -2: not one of ours */
    int             category;
    int             severity;
    int             premium;        /* -2: not a yes or no */
    uint8_t         channel;
    uint64_t        reference;      /* continues this earlier ticket */
    uint64_t        by;             /* staff who registered it (a phone
                                       call); 0: its author */
    hd_upload_t    *files;
    size_t          nfiles;
    hd_str_t        mail_thread;    /* by e-mail: the message's id */
    hd_str_t        kb_shown;       /* articles suggested, "3,7" */
    uint64_t        activation;     /* a contract's activation asked */
    hd_str_t        fields;         /* its form's values, checked and
                                       encoded (hd_form_check) */
    unsigned        quiet:1;        /* no confirmation (a machine wrote) */
} hd_ticket_input_t;


/* a reply, close, reopen or rating by someone */
typedef struct {
    uint64_t        number;
    uint64_t        actor;
    uint8_t         channel;
    hd_str_t        body;
    hd_upload_t    *files;
    size_t          nfiles;
    int             stars;          /* -1: not given */
    hd_str_t        comment;
    hd_str_t        token;          /* a rating link's; then no actor */
} hd_ticket_change_t;


/* a certificate the new-ticket form offers, with what is left of it */
typedef struct {
    hd_certificate_t  cert;
    hd_cert_type_t    type;
    hd_str_t          product;
    size_t            unclosed;
    int               premium_left;     /* -1: unlimited */
    int               company;
} hd_ticket_cert_t;


void hd_ticket_input_init(hd_ticket_input_t *in);
void hd_ticket_validate(const hd_ticket_input_t *in, hd_errors_t *errors);
/* a message body: required, multi-line text */
void hd_ticket_validate_body(const hd_str_t *body, const char *field,
    hd_errors_t *errors);

unsigned hd_ticket_rights(hd_txn_t *txn, const hd_account_t *caller,
    const hd_ticket_t *t);
/* whether the account sees its company's tickets (admins, or the right) */
int hd_ticket_sees_company(hd_txn_t *txn, const hd_account_t *a);

/* the caller's certificates that tickets can be opened on today */
hd_rc hd_ticket_certificates(hd_txn_t *txn, const hd_account_t *caller,
    int32_t today, hd_pool_t *pool, hd_ticket_cert_t **list, size_t *n);

/* the contract year (0, 1, ...) of a day in a certificate's term */
uint32_t hd_contract_year(int32_t valid_from, int32_t today);

/* until when a closed ticket may be reopened; 0: always */
uint64_t hd_ticket_reopen_until(const hd_ticket_policy_t *policy,
    const hd_ticket_t *t);

/*
 * In a flow's transaction: a message of the thread with its files (the
 * ticket's counters and last replier follow; the ticket is not written)
 */
hd_rc hd_ticket_post(hd_txn_t *txn, hd_ticket_t *t, uint8_t kind,
    uint8_t side, uint64_t actor, uint8_t channel, const hd_str_t *body,
    const hd_upload_t *files, size_t nfiles, uint64_t now, uint64_t *id,
    hd_err_t *err);

/*
 * In a flow's transaction: mail/<lang>/<name> to the ticket's holder (its
 * author), with the number, subject, status, link; the message, a rating
 * link, and who acted when they are not the author
 */
hd_rc hd_ticket_notify(hd_txn_t *txn, const hd_portal_t *portal,
    hd_pool_t *pool, const hd_ticket_t *t, const char *name,
    const hd_str_t *message, const hd_str_t *rate_link, uint64_t actor,
    uint64_t now, hd_err_t *err);
/* the same with view (a map) given: it gets the ticket's values too */
hd_rc hd_ticket_notify_view(hd_txn_t *txn, const hd_portal_t *portal,
    hd_pool_t *pool, const hd_ticket_t *t, const char *name,
    const hd_str_t *message, const hd_str_t *rate_link, uint64_t actor,
    uint64_t now, hd_val_t *view, hd_err_t *err);

/*
 * mail/<lang>/<name> to the ticket's staff: the account `only`, or every
 * active staff member of its department (managers only, when managers);
 * sent counts them
 */
/* the customer wrote: the owner is told, or the department's staff */
hd_rc hd_ticket_tell_staff(hd_txn_t *txn, const hd_portal_t *portal,
    hd_pool_t *pool, const hd_ticket_t *t, const char *name,
    const hd_str_t *message, uint64_t actor, uint64_t now, hd_err_t *err);
hd_rc hd_ticket_notify_staff(hd_txn_t *txn, const hd_portal_t *portal,
    hd_pool_t *pool, const hd_ticket_t *t, const char *name, hd_val_t *view,
    int managers, uint64_t only, uint64_t now, size_t *sent, hd_err_t *err);

/* the flows: each one write transaction, the e-mail included */

/* the same two inside a caller's transaction (the mail gate's): valid
   input (hd_ticket_validate) is the caller's to check */
/*
 * The update to install first (Kaspersky block 8): the version written about
 * (the product given, else the certificate's) has one recommended; 1 and
 * its strings copied into the pool, else 0
 */
int hd_ticket_update_advice(hd_txn_t *txn, const hd_ticket_input_t *in,
    hd_pool_t *pool, hd_version_t *advice);

hd_rc hd_ticket_create_in(hd_txn_t *txn, const hd_portal_t *portal,
    uint64_t author, const hd_ticket_input_t *in, uint64_t now,
    hd_ticket_t *out, hd_errors_t *errors, hd_err_t *err);
hd_rc hd_ticket_reply_in(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_ticket_change_t *change, uint64_t now, uint64_t *message,
    uint8_t *status, hd_err_t *err);

hd_rc hd_ticket_create(const hd_portal_t *portal, uint64_t author,
    const hd_ticket_input_t *in, uint64_t now, hd_ticket_t *out,
    hd_errors_t *errors, hd_err_t *err);
hd_rc hd_ticket_reply(const hd_portal_t *portal,
    const hd_ticket_change_t *change, uint64_t now, uint64_t *message,
    uint8_t *status, hd_err_t *err);
/*
 * A correction by the customer side (Kaspersky block 6: the author, or their
 * company's owner or an administrator, for a colleague's request) while the
 * ticket is unclosed: what is given replaces what was, each change audited
 * with who made it; severity derives the priority again (unless staff set
 * it). fields: already checked against the ticket's form.
 */
typedef struct {
    uint64_t        number;
    uint64_t        actor;
    hd_str_t        subject;        /* data NULL: kept (so below) */
    int             type;           /* -1: kept */
    int             severity;       /* -1: kept */
    hd_str_t        product;        /* a product's id or name; "": none */
    hd_str_t        product_version;
    hd_str_t        os_version;
    unsigned        fields_set:1;
    hd_str_t        fields;
} hd_ticket_edit_t;

void hd_ticket_edit_init(hd_ticket_edit_t *e);

/* *changed: how many fields changed (0: nothing was written) */
hd_rc hd_ticket_edit(const hd_portal_t *portal, const hd_ticket_edit_t *e,
    uint64_t now, size_t *changed, hd_errors_t *errors, hd_err_t *err);

hd_rc hd_ticket_close(const hd_portal_t *portal,
    const hd_ticket_change_t *change, uint64_t now, uint8_t *status,
    hd_err_t *err);
hd_rc hd_ticket_reopen(const hd_portal_t *portal,
    const hd_ticket_change_t *change, uint64_t now, uint8_t *status,
    hd_err_t *err);
hd_rc hd_ticket_rate(const hd_portal_t *portal,
    const hd_ticket_change_t *change, uint64_t now, hd_err_t *err);

/*
 * The signed link that rates a ticket from its closing e-mail: bound to
 * the ticket and to when it closed; the key is made in a write
 * transaction when there is none (create)
 */
hd_rc hd_ticket_rating_token(hd_txn_t *txn, const hd_ticket_t *t,
    int create, char out[HD_RATING_TOKEN_LEN + 1], hd_err_t *err);
/* HD_OK when the token is the ticket's */
hd_rc hd_ticket_rating_check(hd_txn_t *txn, const hd_ticket_t *t,
    const hd_str_t *token);


#endif /* HD_TICKET_CUSTOMER_H */

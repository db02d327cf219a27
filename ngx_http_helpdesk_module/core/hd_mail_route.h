/*
 * Mail that comes in (SPEC §7.2), one pipeline for the mail gate and the
 * mailbox the portal reads: a message becomes a new ticket, a reply on the
 * ticket it names, a bounce of an address, a quarantine entry for an
 * administrator, or is refused (with an explaining auto-reply when a
 * person wrote it) or left alone (our own mail, machines). Everything it
 * changes is one durable transaction, the message's id with it: the same
 * message again is a duplicate, never a second ticket.
 */

#ifndef HD_MAIL_ROUTE_H
#define HD_MAIL_ROUTE_H


#include "hd_core.h"
#include "hd_pool.h"
#include "hd_portal.h"
#include "hd_record.h"
#include "hd_schema.h"


typedef enum {
    HD_MAILIN_CREATED = 0,
    HD_MAILIN_REPLIED,
    HD_MAILIN_QUARANTINED,
    HD_MAILIN_REJECTED,             /* refused: a person is told why */
    HD_MAILIN_IGNORED,              /* machines, our own mail, bounces */
    HD_MAILIN_DUPLICATE,
    HD_MAILIN_ACTION_COUNT
} hd_mailin_action_e;

typedef enum {
    HD_MAILIN_GATE = 0,
    HD_MAILIN_IMAP
} hd_mailin_source_e;


#define HD_MAILIN_AUTO_REPLIES     10       /* per sender */
#define HD_MAILIN_AUTO_WINDOW      (3 * 3600)
#define HD_MAILIN_ACCEPTED         40       /* per sender */
#define HD_MAILIN_ACCEPTED_WINDOW  (24 * 3600)


typedef struct {
    /* in */
    const hd_portal_t  *portal;     /* its mail_from: our own address */
    const hd_uchar     *raw;
    size_t              len;
    uint64_t            now;
    uint8_t             source;     /* hd_mailin_source_e */
    uint64_t            release;    /* a quarantine entry let through: no
                                       right or limit is asked again */
    unsigned            too_large:1; /* raw is only its start: logged and
                                        refused */

    /* out */
    uint8_t             action;     /* hd_mailin_action_e */
    const char         *reason;     /* why, a code: "empty_subject"... */
    uint64_t            ticket;
    uint64_t            message;
    uint64_t            quarantine; /* its entry */
    uint64_t            log;        /* the log's entry */
    unsigned            taken:1;    /* the portal answers for the message
                                       (kept, or its sender told); else
                                       the MTA must bounce it */
} hd_mailin_t;


/* what came in, for administrators */
typedef struct {
    uint64_t      id;
    uint64_t      time;
    uint8_t       source;
    hd_str_t      from;
    hd_str_t      subject;
    hd_str_t      message_id;
    uint8_t       action;
    hd_str_t      reason;
    uint64_t      ticket;
    uint64_t      quarantine;
} hd_mail_log_t;


/* held for an administrator: released (as if allowed) or deleted */
typedef struct {
    uint64_t      id;
    uint64_t      time;
    uint8_t       source;
    hd_str_t      from;
    hd_str_t      subject;
    hd_str_t      reason;
    uint64_t      ticket;           /* the one it claimed, if any */
    hd_str_t      sha256;           /* the message, in the file store */
    uint64_t      size;
} hd_quarantine_t;


typedef struct {
    char          code[48];
    uint64_t      count;
} hd_mailin_count_t;


extern const char              *hd_mailin_action_names[];
extern const hd_record_desc_t   hd_mail_log_desc;
extern const hd_record_desc_t   hd_quarantine_desc;


/* the message, read and done: in->action says what became of it */
hd_rc hd_mail_receive(hd_mailin_t *in, hd_err_t *err);

/* n messages in one group commit (the mailbox's), each its own result */
void hd_mail_receive_many(hd_mailin_t **in, size_t n, hd_rc *rcs,
    hd_err_t *errs);

/* the newest first; strings in the pool */
hd_rc hd_mail_log_list(hd_txn_t *txn, size_t skip, size_t limit,
    hd_pool_t *pool, hd_mail_log_t **list, size_t *n, size_t *total);
hd_rc hd_quarantine_list(hd_txn_t *txn, hd_pool_t *pool,
    hd_quarantine_t **list, size_t *n);
hd_rc hd_quarantine_get(hd_txn_t *txn, uint64_t id, hd_quarantine_t *q);
/* takes a held message out of the quarantine and lets go of its stored
   copy, in the caller's write transaction (a release routes it again) */
hd_rc hd_quarantine_remove(hd_txn_t *txn, uint64_t id, uint64_t now,
    hd_err_t *err);
size_t hd_quarantine_count(hd_txn_t *txn);

/* let it through as if its sender were allowed (and the entry goes) */
hd_rc hd_quarantine_release(const hd_portal_t *portal, uint64_t id,
    uint64_t now, hd_mailin_t *out, hd_err_t *err);
hd_rc hd_quarantine_delete(hd_store_t *store, uint64_t id, uint64_t now,
    hd_err_t *err);

/* the totals, by action and by reason, for metrics; n of max filled */
size_t hd_mailin_counts(hd_txn_t *txn, hd_mailin_count_t *out, size_t max);


#endif /* HD_MAIL_ROUTE_H */

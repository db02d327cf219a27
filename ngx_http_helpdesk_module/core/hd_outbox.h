/*
 * The outbox: every e-mail the product sends, written in the same
 * transaction as the change that causes it, and its delivery (SPEC §7.1).
 * A sender takes due mail by claiming it for a while (a crash gives it
 * back: a message may go twice, never zero times), and records what the
 * relay said in the transaction that marks it sent, retried later with a
 * backoff, or failed; administrators retry or drop what failed.
 */

#ifndef HD_OUTBOX_H
#define HD_OUTBOX_H


#include "hd_core.h"
#include "hd_buf.h"
#include "hd_i18n.h"
#include "hd_pool.h"
#include "hd_record.h"
#include "hd_schema.h"
#include "hd_smtp.h"
#include "hd_templates.h"


typedef enum {
    HD_MAIL_QUEUED = 0,
    HD_MAIL_SENT,
    HD_MAIL_FAILED,
    HD_MAIL_DROPPED,                /* an administrator gave up on it */
    HD_MAIL_STATE_COUNT
} hd_mail_state_e;


#define HD_MAIL_AUTO        0x01    /* Auto-Submitted: auto-generated */
#define HD_MAIL_REQUESTED   0x02    /* asked for by the person (a reset
                                       link, a confirmation): it goes to
                                       an address that bounced before */
#define HD_MAIL_AUTO_REPLY  0x04    /* an answer to mail that came in:
                                       Auto-Submitted: auto-replied */


typedef struct {
    uint64_t      id;
    uint64_t      created;
    hd_str_t      kind;             /* "password_reset", ... */
    hd_str_t      to;
    hd_str_t      to_name;
    hd_str_t      subject;
    hd_str_t      body;             /* text/plain, UTF-8 */
    uint8_t       lang;
    uint64_t      account;
    uint64_t      ticket;           /* the ticket whose thread it is in */
    uint8_t       state;
    uint32_t      attempts;
    uint64_t      next_attempt;     /* its key in the queue, while queued */
    uint64_t      sent;
    hd_str_t      answer;           /* the relay's last words, or ours */
    hd_str_t      message_id;
    hd_str_t      html;             /* text/html; empty: none */
    hd_str_t      thread;           /* the Message-ID it answers; empty:
                                       the ticket's own thread */
    uint8_t       flags;            /* HD_MAIL_* */
    hd_str_t      unsubscribe;      /* the one-click link; empty: none */
    uint64_t      since;            /* its attempts count from here */
    uint64_t      tried;            /* the last attempt */
    uint8_t       outcome;          /* hd_delivery_e of the last attempt */
} hd_mail_t;


/* what came of one delivery, for the step that records it */
typedef struct {
    uint64_t      id;
    uint8_t       outcome;          /* hd_delivery_e */
    char          answer[HD_SMTP_ANSWER_MAX];
} hd_outbox_result_t;


/* one step of a sender: results in, due mail out */
typedef struct {
    /* in */
    const hd_smtp_conf_t      *conf;        /* backoff, expiry */
    const hd_outbox_result_t  *results;
    size_t                     nresults;
    size_t                     want;        /* how many to claim */
    uint64_t                   claim;       /* seconds a claim lasts */
    uint64_t                   now;
    hd_pool_t                 *pool;        /* for the claimed mail */

    /* out */
    hd_mail_t                 *claimed;
    size_t                     nclaimed;
    unsigned                   more:1;      /* more is due than taken */
    size_t                     sent;        /* of the results */
    size_t                     deferred;
    size_t                     failed;      /* bounced included */
    size_t                     bounced;
    size_t                     expired;     /* failed before a try */
} hd_outbox_step_t;


/* totals kept with the mail, and what waits */
typedef struct {
    uint64_t      sent;
    uint64_t      deferred;
    uint64_t      failed;
    uint64_t      bounced;
    size_t        queued;
    size_t        failed_now;       /* failed ones still listed */
    uint64_t      oldest;           /* when the oldest queued was written;
                                       0: none */
} hd_outbox_stats_t;


#define HD_OUTBOX_ANY      -1
#define HD_OUTBOX_UNSENT   -2       /* queued, failed or dropped */

typedef struct {
    int           state;            /* hd_mail_state_e, or the above */
    size_t        skip;
    size_t        limit;
} hd_outbox_query_t;


extern const hd_record_desc_t  hd_mail_desc;
extern const char             *hd_mail_state_names[HD_MAIL_STATE_COUNT];


/*
 * Renders mail/<lang>/<name>.mustache (a "Subject: ..." line, an empty
 * line, the body) as plain text into mail->subject and mail->body, and
 * mail/<lang>/<name>.html.mustache, when there is one, into mail->html.
 */
hd_rc hd_mail_render(const hd_templates_t *templates, hd_lang_e lang,
    const char *name, const hd_val_t *view, hd_pool_t *pool, hd_mail_t *mail,
    hd_err_t *err);

/* queues the mail: id, time and Message-ID are given here */
hd_rc hd_outbox_add(hd_txn_t *txn, hd_mail_t *mail, uint64_t now,
    hd_err_t *err);
hd_rc hd_outbox_get(hd_txn_t *txn, uint64_t id, hd_mail_t *mail);

/* anything due by now (a read) */
int hd_outbox_due(hd_store_t *store, uint64_t now);

/*
 * Records the results and claims up to `want` due messages, in one
 * durable transaction. A message is claimed until now + claim: the
 * sender's result comes before that, or it is due again.
 */
hd_rc hd_outbox_step(hd_store_t *store, hd_outbox_step_t *step,
    hd_err_t *err);

/* the message as sent: MIME, the sender's address and domain from conf */
hd_rc hd_outbox_message(const hd_mail_t *mail, const hd_smtp_conf_t *conf,
    hd_buf_t *out, hd_err_t *err);

/* a failed or queued message due now again, its attempts counted anew;
 * one that bounced goes to its address once more */
hd_rc hd_outbox_retry(hd_store_t *store, uint64_t id, uint64_t now,
    hd_err_t *err);
/* a queued or failed message given up */
hd_rc hd_outbox_drop(hd_store_t *store, uint64_t id, uint64_t now,
    hd_err_t *err);

/* a sent mail that came back (a delivery report): failed after all */
hd_rc hd_outbox_bounced(hd_txn_t *txn, uint64_t id, const hd_str_t *reason,
    uint64_t now, hd_err_t *err);

/* whether id (without <>) is the Message-ID of our outbox mail `mail` */
/*
 * 1 when id (hd.M.TOKEN@domain, without <>) is the Message-ID of a mail
 * the portal sent to that account about that ticket, signed with its key
 */
#define HD_OUTBOX_TOKEN_LEN  24
int hd_outbox_token_ok(hd_txn_t *txn, const hd_str_t *id, uint64_t account,
    uint64_t ticket);

int hd_outbox_is_ours(hd_txn_t *txn, uint64_t mail, const hd_str_t *id,
    hd_mail_t *out);

/* newest first; strings copied into the pool; the total matching */
hd_rc hd_outbox_list(hd_txn_t *txn, const hd_outbox_query_t *q,
    hd_pool_t *pool, hd_mail_t **mail, size_t *n, size_t *total);

hd_rc hd_outbox_stats(hd_txn_t *txn, hd_outbox_stats_t *stats);


#endif /* HD_OUTBOX_H */

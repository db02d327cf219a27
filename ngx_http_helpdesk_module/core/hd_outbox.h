/*
 * The outbox: every e-mail the product sends, written in the same
 * transaction as the change that causes it, delivered later (and retried)
 * by the SMTP client; nothing is lost on a restart.
 */

#ifndef HD_OUTBOX_H
#define HD_OUTBOX_H


#include "hd_core.h"
#include "hd_i18n.h"
#include "hd_pool.h"
#include "hd_record.h"
#include "hd_schema.h"
#include "hd_templates.h"


typedef enum {
    HD_MAIL_QUEUED = 0,
    HD_MAIL_SENT,
    HD_MAIL_FAILED
} hd_mail_state_e;


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
    uint64_t      ticket;
    uint8_t       state;
    uint32_t      attempts;
    uint64_t      next_attempt;
    uint64_t      sent;
    hd_str_t      last_error;
    hd_str_t      message_id;
} hd_mail_t;


extern const hd_record_desc_t  hd_mail_desc;
extern const char             *hd_mail_state_names[];


/*
 * Renders mail/<lang>/<name>.mustache (a "Subject: ..." line, an empty
 * line, the body) as plain text into mail->subject and mail->body.
 */
hd_rc hd_mail_render(const hd_templates_t *templates, hd_lang_e lang,
    const char *name, const hd_val_t *view, hd_pool_t *pool, hd_mail_t *mail,
    hd_err_t *err);

/* queues the mail: id, time and Message-ID are given here */
hd_rc hd_outbox_add(hd_txn_t *txn, hd_mail_t *mail, uint64_t now,
    hd_err_t *err);
hd_rc hd_outbox_get(hd_txn_t *txn, uint64_t id, hd_mail_t *mail);


#endif /* HD_OUTBOX_H */

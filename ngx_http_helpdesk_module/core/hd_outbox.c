/*
 * Mail rendering and the outbox records with their delivery queue.
 */

#include <stdio.h>

#include "hd_buf.h"
#include "hd_crypto.h"
#include "hd_outbox.h"
#include "hd_store.h"


static const hd_field_t  hd_mail_fields[] = {
    hd_field(hd_mail_t, 1, HD_FIELD_U64, id),
    hd_field(hd_mail_t, 2, HD_FIELD_U64, created),
    hd_field(hd_mail_t, 3, HD_FIELD_STR, kind),
    hd_field(hd_mail_t, 4, HD_FIELD_STR, to),
    hd_field(hd_mail_t, 5, HD_FIELD_STR, to_name),
    hd_field(hd_mail_t, 6, HD_FIELD_STR, subject),
    hd_field(hd_mail_t, 7, HD_FIELD_STR, body),
    hd_field(hd_mail_t, 8, HD_FIELD_U8, lang),
    hd_field(hd_mail_t, 9, HD_FIELD_U64, account),
    hd_field(hd_mail_t, 10, HD_FIELD_U64, ticket),
    hd_field(hd_mail_t, 11, HD_FIELD_U8, state),
    hd_field(hd_mail_t, 12, HD_FIELD_U32, attempts),
    hd_field(hd_mail_t, 13, HD_FIELD_U64, next_attempt),
    hd_field(hd_mail_t, 14, HD_FIELD_U64, sent),
    hd_field(hd_mail_t, 15, HD_FIELD_STR, last_error),
    hd_field(hd_mail_t, 16, HD_FIELD_STR, message_id),
};

const hd_record_desc_t  hd_mail_desc = hd_record(HD_KIND_MAIL, 1, hd_mail_t,
                                                 hd_mail_fields);

const char  *hd_mail_state_names[] = { "queued", "sent", "failed" };


typedef struct {
    hd_tpl_out_t   out;
    hd_buf_t       buf;
} hd_mail_out_t;


static int
hd_mail_write(hd_tpl_out_t *out, const hd_uchar *data, size_t len)
{
    return hd_buf_add(&((hd_mail_out_t *) out)->buf, data, len);
}


hd_rc
hd_mail_render(const hd_templates_t *templates, hd_lang_e lang,
    const char *name, const hd_val_t *view, hd_pool_t *pool, hd_mail_t *mail,
    hd_err_t *err)
{
    char            path[128];
    hd_uchar       *p, *end, *eol;
    hd_tpl_t       *tpl;
    hd_mail_out_t   out;

    snprintf(path, sizeof(path), "mail/%s/%s", hd_langs[lang].code, name);

    tpl = hd_tpl_set_find(templates->set, path);
    if (tpl == NULL) {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "internal",
                          "no mail template %s.mustache", path);
    }

    out.out.write = hd_mail_write;
    hd_buf_init(&out.buf);

    if (hd_tpl_render_as(tpl, view, &out.out, 0) != 0 || out.buf.failed
        || hd_buf_add(&out.buf, "", 0) != 0)
    {
        hd_buf_free(&out.buf);
        return hd_err_set(err, HD_NOMEM, NULL, "internal",
                          "cannot render %s", path);
    }

    p = out.buf.data;
    end = p + out.buf.len;
    eol = memchr(p, '\n', end - p);

    if (eol == NULL || end - p < 9 || memcmp(p, "Subject: ", 9) != 0
        || eol + 1 >= end || eol[1] != '\n')
    {
        hd_buf_free(&out.buf);
        return hd_err_set(err, HD_INVALID, NULL, "internal",
                          "%s.mustache must start with \"Subject: ...\" and "
                          "an empty line", path);
    }

    mail->subject.data = hd_pstrdup(pool, p + 9, eol - p - 9);
    mail->subject.len = eol - p - 9;
    mail->body.data = hd_pstrdup(pool, eol + 2, end - eol - 2);
    mail->body.len = end - eol - 2;
    mail->lang = (uint8_t) lang;

    hd_buf_free(&out.buf);

    if (mail->subject.data == NULL || mail->body.data == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    return HD_OK;
}


hd_rc
hd_outbox_add(hd_txn_t *txn, hd_mail_t *mail, uint64_t now, hd_err_t *err)
{
    hd_rc     rc;
    char      message_id[96], rnd_text[17];
    hd_uchar  key[8], queue[16], rnd[8];

    rc = hd_seq_next(txn, "mail", &mail->id, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (hd_random(rnd, sizeof(rnd)) != 0) {
        return hd_err_set(err, HD_IO, NULL, "io", "no random bytes");
    }

    rnd_text[hd_hex_encode(rnd_text, rnd, sizeof(rnd))] = '\0';

    /* the domain is set again from the sender's address at delivery */
    snprintf(message_id, sizeof(message_id), "<hd.%llu.%s@helpdesk>",
             (unsigned long long) mail->id, rnd_text);

    mail->created = now;
    mail->state = HD_MAIL_QUEUED;
    mail->next_attempt = now;
    mail->message_id.data = (hd_uchar *) message_id;
    mail->message_id.len = strlen(message_id);

    hd_be64_put(key, mail->id);

    rc = hd_record_put(txn, HD_DB_OUTBOX, key, 8, &hd_mail_desc, mail,
                       HD_PUT_NEW, err);
    if (rc != HD_OK) {
        return rc;
    }

    hd_be64_put(queue, mail->next_attempt);
    hd_be64_put(queue + 8, mail->id);

    return hd_db_put(txn, HD_DB_OUTBOX_QUEUE, queue, 16, "", 0, 0, err);
}


hd_rc
hd_outbox_get(hd_txn_t *txn, uint64_t id, hd_mail_t *mail)
{
    hd_uchar  key[8];

    hd_be64_put(key, id);

    return hd_record_get(txn, HD_DB_OUTBOX, key, 8, &hd_mail_desc, mail);
}

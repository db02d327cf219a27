/*
 * Mail rendering, the outbox records with their delivery queue, the
 * sender's step (results recorded, due mail claimed), the administrators'
 * retry and drop, the lists and totals.
 */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hd_account.h"
#include "hd_bounce.h"
#include "hd_buf.h"
#include "hd_crypto.h"
#include "hd_mime.h"
#include "hd_outbox.h"
#include "hd_store.h"
#include "hd_token.h"


#define HD_OUTBOX_TOTALS     "outbox:totals"    /* sent, deferred, failed,
                                                   bounced: 4 x be64 */
#define HD_OUTBOX_SCAN_MAX   1000000            /* queue entries a list or
                                                   a total looks at */


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
    hd_field(hd_mail_t, 15, HD_FIELD_STR, answer),
    hd_field(hd_mail_t, 16, HD_FIELD_STR, message_id),
    hd_field(hd_mail_t, 17, HD_FIELD_STR, html),
    hd_field(hd_mail_t, 18, HD_FIELD_STR, thread),
    hd_field(hd_mail_t, 19, HD_FIELD_U8, flags),
    hd_field(hd_mail_t, 20, HD_FIELD_STR, unsubscribe),
    hd_field(hd_mail_t, 21, HD_FIELD_U64, since),
    hd_field(hd_mail_t, 22, HD_FIELD_U64, tried),
    hd_field(hd_mail_t, 23, HD_FIELD_U8, outcome),
};

const hd_record_desc_t  hd_mail_desc = hd_record(HD_KIND_MAIL, 1, hd_mail_t,
                                                 hd_mail_fields);

const char  *hd_mail_state_names[HD_MAIL_STATE_COUNT] = {
    "queued", "sent", "failed", "dropped"
};


typedef struct {
    hd_tpl_out_t   out;
    hd_buf_t       buf;
} hd_mail_out_t;


static int
hd_mail_write(hd_tpl_out_t *out, const hd_uchar *data, size_t len)
{
    return hd_buf_add(&((hd_mail_out_t *) out)->buf, data, len);
}


static int
hd_mail_render_one(const hd_tpl_t *tpl, const hd_val_t *view, int escape,
    hd_buf_t *buf)
{
    hd_mail_out_t  out;

    out.out.write = hd_mail_write;
    hd_buf_init(&out.buf);

    if (hd_tpl_render_as(tpl, view, &out.out, escape) != 0 || out.buf.failed
        || hd_buf_add(&out.buf, "", 0) != 0)
    {
        hd_buf_free(&out.buf);
        return -1;
    }

    *buf = out.buf;

    return 0;
}


hd_rc
hd_mail_render(const hd_templates_t *templates, hd_lang_e lang,
    const char *name, const hd_val_t *view, hd_pool_t *pool, hd_mail_t *mail,
    hd_err_t *err)
{
    char            path[128];
    hd_buf_t        buf;
    hd_uchar       *p, *end, *eol;
    hd_tpl_t       *tpl;

    snprintf(path, sizeof(path), "mail/%s/%s", hd_langs[lang].code, name);

    tpl = hd_tpl_set_find(templates->set, path);
    if (tpl == NULL) {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "internal",
                          "no mail template %s.mustache", path);
    }

    if (hd_mail_render_one(tpl, view, 0, &buf) != 0) {
        return hd_err_set(err, HD_NOMEM, NULL, "internal",
                          "cannot render %s", path);
    }

    p = buf.data;
    end = p + buf.len;
    eol = memchr(p, '\n', end - p);

    if (eol == NULL || end - p < 9 || memcmp(p, "Subject: ", 9) != 0
        || eol + 1 >= end || eol[1] != '\n')
    {
        hd_buf_free(&buf);
        return hd_err_set(err, HD_INVALID, NULL, "internal",
                          "%s.mustache must start with \"Subject: ...\" and "
                          "an empty line", path);
    }

    mail->subject.data = hd_pstrdup(pool, p + 9, eol - p - 9);
    mail->subject.len = eol - p - 9;
    mail->body.data = hd_pstrdup(pool, eol + 2, end - eol - 2);
    mail->body.len = end - eol - 2;
    mail->lang = (uint8_t) lang;

    hd_buf_free(&buf);

    if (mail->subject.data == NULL || mail->body.data == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    /* the HTML alternative, escaped as pages are */
    snprintf(path, sizeof(path), "mail/%s/%s.html", hd_langs[lang].code,
             name);

    tpl = hd_tpl_set_find(templates->set, path);
    mail->html.len = 0;

    if (tpl == NULL) {
        return HD_OK;
    }

    if (hd_mail_render_one(tpl, view, 1, &buf) != 0) {
        return hd_err_set(err, HD_NOMEM, NULL, "internal",
                          "cannot render %s", path);
    }

    mail->html.data = hd_pstrdup(pool, buf.data, buf.len);
    mail->html.len = buf.len;
    hd_buf_free(&buf);

    return mail->html.data ? HD_OK
                           : hd_err_set(err, HD_NOMEM, NULL, "nomem",
                                        "out of memory");
}


static hd_rc
hd_outbox_queue(hd_txn_t *txn, const hd_mail_t *mail, int add, hd_err_t *err)
{
    hd_rc     rc;
    hd_uchar  key[16];

    hd_be64_put(key, mail->next_attempt);
    hd_be64_put(key + 8, mail->id);

    if (add) {
        return hd_db_put(txn, HD_DB_OUTBOX_QUEUE, key, 16, "", 0, 0, err);
    }

    rc = hd_db_del(txn, HD_DB_OUTBOX_QUEUE, key, 16, err);

    return rc == HD_NOT_FOUND ? HD_OK : rc;
}


static hd_rc
hd_outbox_put(hd_txn_t *txn, const hd_mail_t *mail, unsigned flags,
    hd_err_t *err)
{
    hd_uchar  key[8];

    hd_be64_put(key, mail->id);

    return hd_record_put(txn, HD_DB_OUTBOX, key, 8, &hd_mail_desc, mail,
                         flags, err);
}


/* the list of failed mail follows the state */
static hd_rc
hd_outbox_failed_index(hd_txn_t *txn, const hd_mail_t *mail, int failed,
    hd_err_t *err)
{
    hd_rc     rc;
    hd_uchar  key[8];

    hd_be64_put(key, mail->id);

    if (failed) {
        return hd_db_put(txn, HD_DB_OUTBOX_FAILED, key, 8, "", 0, 0, err);
    }

    rc = hd_db_del(txn, HD_DB_OUTBOX_FAILED, key, 8, err);

    return rc == HD_NOT_FOUND ? HD_OK : rc;
}


/*
 * The token of a mail to a person about a ticket: who it went to and what
 * about, signed with the portal's key (hd_link_secret), 12 bytes in hex.
 * A reply carries it back in In-Reply-To or References: mail from a staff
 * address proves itself with it (SPEC §7.2).
 */
static void
hd_outbox_token(const hd_uchar key[HD_SHA256_LEN], uint64_t mail,
    uint64_t account, uint64_t ticket, char text[HD_OUTBOX_TOKEN_LEN + 1])
{
    hd_uchar  data[3 + 24], mac[HD_SHA256_LEN];

    memcpy(data, "rpl", 3);
    hd_be64_put(data + 3, mail);
    hd_be64_put(data + 11, account);
    hd_be64_put(data + 19, ticket);
    hd_hmac_sha256(key, HD_SHA256_LEN, data, sizeof(data), mac);

    text[hd_hex_encode(text, mac, HD_OUTBOX_TOKEN_LEN / 2)] = '\0';
}


int
hd_outbox_token_ok(hd_txn_t *txn, const hd_str_t *id, uint64_t account,
    uint64_t ticket)
{
    char             want[HD_OUTBOX_TOKEN_LEN + 1];
    uint64_t         mail;
    hd_mail_t        m;
    hd_uchar         key[HD_SHA256_LEN];
    const hd_uchar  *p, *end, *dot;

    /* hd.M.TOKEN@domain */
    if (id->len < 6 || memcmp(id->data, "hd.", 3) != 0) {
        return 0;
    }

    p = id->data + 3;
    end = id->data + id->len;
    dot = memchr(p, '.', end - p);

    if (dot == NULL || dot == p || dot - p > 19
        || (size_t) (end - dot - 1) < HD_OUTBOX_TOKEN_LEN + 1
        || dot[1 + HD_OUTBOX_TOKEN_LEN] != '@')
    {
        return 0;
    }

    for (mail = 0; p < dot; p++) {
        if (*p < '0' || *p > '9') {
            return 0;
        }

        mail = mail * 10 + (*p - '0');
    }

    /* the mail went to that person about that ticket, and the token is
       the portal's own */
    if (hd_outbox_get(txn, mail, &m) != HD_OK || m.account != account
        || m.ticket != ticket || account == 0 || ticket == 0
        || hd_link_secret(txn, 0, key, NULL) != HD_OK)
    {
        return 0;
    }

    hd_outbox_token(key, mail, account, ticket, want);

    return hd_ct_equal((const hd_uchar *) want, dot + 1,
                       HD_OUTBOX_TOKEN_LEN);
}


hd_rc
hd_outbox_add(hd_txn_t *txn, hd_mail_t *mail, uint64_t now, hd_err_t *err)
{
    hd_rc     rc;
    char      message_id[96], rnd_text[HD_OUTBOX_TOKEN_LEN + 1];
    uint64_t  real;
    hd_uchar  rnd[8], key[HD_SHA256_LEN];

    rc = hd_seq_next(txn, "mail", &mail->id, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (mail->account != 0 && mail->ticket != 0) {
        rc = hd_link_secret(txn, 1, key, err);
        if (rc != HD_OK) {
            return rc;
        }

        hd_outbox_token(key, mail->id, mail->account, mail->ticket, rnd_text);

    } else {
        if (hd_random(rnd, sizeof(rnd)) != 0) {
            return hd_err_set(err, HD_IO, NULL, "io", "no random bytes");
        }

        rnd_text[hd_hex_encode(rnd_text, rnd, sizeof(rnd))] = '\0';
    }

    /* the domain is set again from the sender's address at delivery */
    snprintf(message_id, sizeof(message_id), "<hd.%llu.%s@helpdesk>",
             (unsigned long long) mail->id, rnd_text);

    /*
     * Due at once, and tried from now: also mail of a change done at
     * another time than the clock's (the CLI's sweep --now TIME)
     */
    real = (uint64_t) time(NULL);

    mail->created = now;
    mail->since = real;
    mail->state = HD_MAIL_QUEUED;
    mail->next_attempt = now < real ? now : real;
    mail->message_id.data = (hd_uchar *) message_id;
    mail->message_id.len = strlen(message_id);

    rc = hd_outbox_put(txn, mail, HD_PUT_NEW, err);
    if (rc != HD_OK) {
        return rc;
    }

    return hd_outbox_queue(txn, mail, 1, err);
}


hd_rc
hd_outbox_get(hd_txn_t *txn, uint64_t id, hd_mail_t *mail)
{
    hd_uchar  key[8];

    hd_be64_put(key, id);

    return hd_record_get(txn, HD_DB_OUTBOX, key, 8, &hd_mail_desc, mail);
}


/* the mail, its strings copied: it is written again in this transaction */
static hd_rc
hd_outbox_load(hd_txn_t *txn, uint64_t id, hd_pool_t *pool, hd_mail_t *mail)
{
    hd_rc  rc;

    rc = hd_outbox_get(txn, id, mail);

    if (rc == HD_OK && hd_record_strings_copy(&hd_mail_desc, mail, pool) != 0)
    {
        return HD_NOMEM;
    }

    return rc;
}


int
hd_outbox_due(hd_store_t *store, uint64_t now)
{
    int           due;
    hd_str_t      k, v;
    hd_txn_t      txn;
    hd_cursor_t   cur;

    if (hd_txn_begin(store, &txn, HD_TXN_READ, NULL) != HD_OK) {
        return 1;               /* let the step find out */
    }

    due = 0;

    if (hd_cursor_open(&txn, HD_DB_OUTBOX_QUEUE, &cur) == HD_OK) {
        due = hd_cursor_seek(&cur, NULL, 0, &k, &v) == HD_OK && k.len == 16
              && hd_be64_get(k.data) <= now;
        hd_cursor_close(&cur);
    }

    hd_txn_abort(&txn);

    return due;
}


static hd_rc
hd_outbox_count(hd_txn_t *txn, const hd_outbox_step_t *step, hd_err_t *err)
{
    hd_rc     rc;
    size_t    i;
    uint64_t  v[4];
    hd_str_t  old;
    hd_uchar  val[32];

    if (step->sent + step->deferred + step->failed == 0) {
        return HD_OK;
    }

    memset(v, 0, sizeof(v));

    rc = hd_db_get(txn, HD_DB_META, HD_OUTBOX_TOTALS,
                   sizeof(HD_OUTBOX_TOTALS) - 1, &old);

    if (rc == HD_OK && old.len == sizeof(val)) {
        for (i = 0; i < 4; i++) {
            v[i] = hd_be64_get(old.data + i * 8);
        }
    }

    v[0] += step->sent;
    v[1] += step->deferred;
    v[2] += step->failed;
    v[3] += step->bounced;

    for (i = 0; i < 4; i++) {
        hd_be64_put(val + i * 8, v[i]);
    }

    return hd_db_put(txn, HD_DB_META, HD_OUTBOX_TOTALS,
                     sizeof(HD_OUTBOX_TOTALS) - 1, val, sizeof(val), 0, err);
}


/* "2 days", "90 minutes", "40 seconds": how long a message was tried */
static void
hd_outbox_duration(char *out, size_t size, uint64_t s)
{
    if (s % 86400 == 0) {
        snprintf(out, size, "%llu day%s", (unsigned long long) s / 86400,
                 s == 86400 ? "" : "s");

    } else if (s % 3600 == 0) {
        snprintf(out, size, "%llu hours", (unsigned long long) s / 3600);

    } else if (s % 60 == 0) {
        snprintf(out, size, "%llu minutes", (unsigned long long) s / 60);

    } else {
        snprintf(out, size, "%llu seconds", (unsigned long long) s);
    }
}


static void
hd_outbox_answer(hd_mail_t *mail, hd_pool_t *pool, const char *text)
{
    size_t  n = strlen(text);

    mail->answer.data = hd_pstrdup(pool, text, n);
    mail->answer.len = mail->answer.data ? n : 0;
}


/* out of the queue for ever: failed (and listed) or sent */
static hd_rc
hd_outbox_end(hd_txn_t *txn, hd_mail_t *mail, uint8_t state,
    hd_err_t *err)
{
    hd_rc  rc;

    mail->state = state;

    rc = hd_outbox_queue(txn, mail, 0, err);

    if (rc == HD_OK && state == HD_MAIL_FAILED) {
        rc = hd_outbox_failed_index(txn, mail, 1, err);
    }

    return rc == HD_OK ? hd_outbox_put(txn, mail, 0, err) : rc;
}


static hd_rc
hd_outbox_record(hd_txn_t *txn, hd_outbox_step_t *step,
    const hd_outbox_result_t *r, hd_err_t *err)
{
    char       text[HD_SMTP_ANSWER_MAX + 64], period[32];
    hd_rc      rc;
    hd_mail_t  m;

    rc = hd_outbox_load(txn, r->id, step->pool, &m);

    /* dropped or retried by hand meanwhile: the hand wins */
    if (rc == HD_NOT_FOUND || (rc == HD_OK && m.state != HD_MAIL_QUEUED)) {
        return HD_OK;
    }

    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, "io", "cannot read mail %llu",
                          (unsigned long long) r->id);
    }

    m.outcome = r->outcome;

    if (r->outcome == HD_DELIVERY_RELEASED) {
        rc = hd_outbox_queue(txn, &m, 0, err);
        m.next_attempt = step->now;

        if (rc == HD_OK) {
            rc = hd_outbox_queue(txn, &m, 1, err);
        }

        return rc == HD_OK ? hd_outbox_put(txn, &m, 0, err) : rc;
    }

    m.attempts++;
    m.tried = step->now;
    hd_outbox_answer(&m, step->pool, r->answer);

    switch (r->outcome) {

    case HD_DELIVERY_SENT:
        step->sent++;
        m.sent = step->now;
        return hd_outbox_end(txn, &m, HD_MAIL_SENT, err);

    case HD_DELIVERY_BOUNCED:
        step->bounced++;
        step->failed++;

        rc = hd_bounce_add(txn, &m.to, &m.answer, m.id, step->now, err);
        if (rc != HD_OK) {
            return rc;
        }

        return hd_outbox_end(txn, &m, HD_MAIL_FAILED, err);

    case HD_DELIVERY_FAILED:
        step->failed++;
        return hd_outbox_end(txn, &m, HD_MAIL_FAILED, err);

    default:
        break;
    }

    /* later, or never when its time is up */
    step->deferred++;

    if (step->now >= m.since + step->conf->expire) {
        step->failed++;
        hd_outbox_duration(period, sizeof(period), step->conf->expire);
        snprintf(text, sizeof(text), "gave up after %u attempts in %s: %s",
                 m.attempts, period, r->answer);
        hd_outbox_answer(&m, step->pool, text);
        return hd_outbox_end(txn, &m, HD_MAIL_FAILED, err);
    }

    rc = hd_outbox_queue(txn, &m, 0, err);
    m.next_attempt = step->now + hd_smtp_backoff(step->conf, m.attempts);

    if (rc == HD_OK) {
        rc = hd_outbox_queue(txn, &m, 1, err);
    }

    return rc == HD_OK ? hd_outbox_put(txn, &m, 0, err) : rc;
}


/* a due message: claimed, or failed here without a try */
static hd_rc
hd_outbox_claim(hd_txn_t *txn, hd_outbox_step_t *step, uint64_t id,
    uint64_t due, hd_err_t *err)
{
    char         text[HD_SMTP_ANSWER_MAX + HD_EMAIL_MAX_BYTES];
    char         period[32];
    hd_rc        rc;
    hd_uchar     key[16];
    hd_mail_t    m;
    hd_bounce_t  b;

    rc = hd_outbox_load(txn, id, step->pool, &m);

    if (rc == HD_NOT_FOUND || (rc == HD_OK && (m.state != HD_MAIL_QUEUED
                                               || m.next_attempt != due)))
    {
        /* an entry its mail no longer stands for */
        hd_be64_put(key, due);
        hd_be64_put(key + 8, id);
        rc = hd_db_del(txn, HD_DB_OUTBOX_QUEUE, key, 16, err);
        return rc == HD_NOT_FOUND ? HD_OK : rc;
    }

    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, "io", "cannot read mail %llu",
                          (unsigned long long) id);
    }

    text[0] = '\0';

    if (step->now >= m.since + step->conf->expire) {
        hd_outbox_duration(period, sizeof(period), step->conf->expire);

        if (m.attempts) {
            snprintf(text, sizeof(text), "gave up after %u attempts in %s: "
                     "%.*s", m.attempts, period, (int) m.answer.len,
                     m.answer.data);

        } else {
            snprintf(text, sizeof(text), "not sent within %s of being "
                     "written", period);
        }

        step->expired++;

    } else if (!hd_mime_address_ok(m.to.data, m.to.len)) {
        snprintf(text, sizeof(text), "not sent: \"%.*s\" is not an address",
                 (int) m.to.len, m.to.data);

    } else if (!(m.flags & HD_MAIL_REQUESTED)
               && hd_bounce_get(txn, &m.to, &b) == HD_OK)
    {
        snprintf(text, sizeof(text), "not sent: mail to %.*s bounced (%.*s)",
                 (int) m.to.len, m.to.data, (int) b.reason.len,
                 b.reason.data);
    }

    if (text[0]) {
        step->failed++;
        m.outcome = HD_DELIVERY_FAILED;
        m.tried = step->now;
        hd_outbox_answer(&m, step->pool, text);
        return hd_outbox_end(txn, &m, HD_MAIL_FAILED, err);
    }

    rc = hd_outbox_queue(txn, &m, 0, err);
    m.next_attempt = step->now + step->claim;

    if (rc == HD_OK) {
        rc = hd_outbox_queue(txn, &m, 1, err);
    }

    if (rc == HD_OK) {
        rc = hd_outbox_put(txn, &m, 0, err);
    }

    if (rc == HD_OK) {
        step->claimed[step->nclaimed++] = m;
    }

    return rc;
}


static hd_rc
hd_outbox_step_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    hd_rc              rc;
    size_t             i, n;
    hd_str_t           k, v;
    uint64_t          *due;
    hd_cursor_t        cur;
    hd_outbox_step_t  *step = arg;

    step->nclaimed = 0;
    step->more = 0;
    step->sent = step->deferred = step->failed = step->bounced = 0;
    step->expired = 0;

    for (i = 0; i < step->nresults; i++) {
        rc = hd_outbox_record(txn, step, &step->results[i], err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    if (step->want == 0) {
        return hd_outbox_count(txn, step, err);
    }

    due = hd_palloc(step->pool, step->want * 2 * sizeof(uint64_t));
    step->claimed = hd_palloc(step->pool, step->want * sizeof(hd_mail_t));

    if (due == NULL || step->claimed == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    /* the due entries first: no writes under the cursor */
    rc = hd_cursor_open(txn, HD_DB_OUTBOX_QUEUE, &cur);
    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, "io", "cannot read the queue");
    }

    n = 0;

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK && k.len == 16 && hd_be64_get(k.data) <= step->now;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (n == step->want) {
            step->more = 1;
            break;
        }

        due[n * 2] = hd_be64_get(k.data);
        due[n * 2 + 1] = hd_be64_get(k.data + 8);
        n++;
    }

    hd_cursor_close(&cur);

    for (i = 0; i < n; i++) {
        rc = hd_outbox_claim(txn, step, due[i * 2 + 1], due[i * 2], err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    return hd_outbox_count(txn, step, err);
}


hd_rc
hd_outbox_step(hd_store_t *store, hd_outbox_step_t *step, hd_err_t *err)
{
    step->nclaimed = 0;
    step->more = 0;

    if (step->nresults == 0
        && (step->want == 0 || !hd_outbox_due(store, step->now)))
    {
        return HD_OK;           /* nothing to write: no transaction */
    }

    return hd_txn_run(store, hd_outbox_step_txn, step, err);
}


/* "<hd.12.ab@helpdesk>" and a domain: "hd.12.ab@domain" */
static char *
hd_outbox_id(hd_pool_t *pool, const hd_str_t *stored, const char *domain)
{
    size_t           n;
    char            *id;
    const hd_uchar  *p, *end, *at;

    p = stored->data;
    end = p + stored->len;

    if (p < end && *p == '<') {
        p++;
    }

    at = memchr(p, '@', end - p);
    if (at == NULL) {
        at = end;
    }

    n = (at - p) + 1 + strlen(domain) + 1;

    id = hd_palloc(pool, n);
    if (id != NULL) {
        snprintf(id, n, "%.*s@%s", (int) (at - p), p, domain);
    }

    return id;
}


hd_rc
hd_outbox_message(const hd_mail_t *mail, const hd_smtp_conf_t *conf,
    hd_buf_t *out, hd_err_t *err)
{
    char             root[128], *id;
    hd_rc            rc;
    hd_arena_t      *arena;
    const char      *domain;
    hd_mime_mail_t   mm;

    domain = strchr(conf->from_address, '@');
    domain = domain ? domain + 1 : "localhost";

    arena = hd_arena_create(512);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    memset(&mm, 0, sizeof(mm));
    mm.from_name.data = (hd_uchar *) conf->from_name;
    mm.from_name.len = strlen(conf->from_name);
    mm.from_address.data = (hd_uchar *) conf->from_address;
    mm.from_address.len = strlen(conf->from_address);
    mm.to_name = mail->to_name;
    mm.to_address = mail->to;
    mm.subject = mail->subject;
    mm.text = mail->body;
    mm.html = mail->html;
    mm.date = mail->created;
    mm.auto_generated = (mail->flags & HD_MAIL_AUTO) != 0;
    mm.auto_replied = (mail->flags & HD_MAIL_AUTO_REPLY) != 0;
    mm.unsubscribe = mail->unsubscribe;

    id = hd_outbox_id(&arena->pool, &mail->message_id, domain);
    if (id == NULL) {
        hd_arena_destroy(arena);
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    mm.message_id.data = (hd_uchar *) id;
    mm.message_id.len = strlen(id);

    /*
     * Every mail of a ticket answers its first message: the one it came in
     * by (mail->thread: an answer to a mail that made no ticket has one
     * too), or the portal's own root for the ticket, which the
     * confirmation of a new ticket is itself
     */
    if (mail->thread.len) {
        mm.thread = mail->thread;

        if (mm.thread.len > 2 && mm.thread.data[0] == '<') {
            mm.thread.data++;
            mm.thread.len -= 2;
        }

    } else if (mail->ticket != 0) {
        snprintf(root, sizeof(root), "hd.ticket.%llu@%s",
                 (unsigned long long) mail->ticket, domain);

        if (hd_str_eq(&mail->kind, "ticket_created")) {
            /* the root of the thread; its own signed id rides along */
            mm.token.data = (hd_uchar *) id;
            mm.token.len = strlen(id);
            mm.message_id.data = (hd_uchar *) root;
            mm.message_id.len = strlen(root);

        } else {
            mm.thread.data = (hd_uchar *) root;
            mm.thread.len = strlen(root);
        }
    }

    rc = hd_mime_build(&mm, out, err);
    hd_arena_destroy(arena);

    return rc;
}


static hd_rc
hd_outbox_retry_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    hd_rc        rc;
    hd_mail_t    m;
    hd_arena_t  *arena;
    uint64_t    *a = arg;       /* id, now, drop */

    arena = hd_arena_create(1024);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_outbox_load(txn, a[0], &arena->pool, &m);

    if (rc != HD_OK) {
        hd_arena_destroy(arena);
        return hd_err_set(err, rc, NULL, rc == HD_NOT_FOUND ? "not_found"
                                                           : "io",
                          "no mail %llu in the outbox",
                          (unsigned long long) a[0]);
    }

    if (m.state == HD_MAIL_SENT) {
        hd_arena_destroy(arena);
        return hd_err_set(err, HD_CONFLICT, NULL, "mail_sent",
                          "mail %llu was sent already",
                          (unsigned long long) a[0]);
    }

    if (a[2] && m.state == HD_MAIL_DROPPED) {
        hd_arena_destroy(arena);
        return hd_err_set(err, HD_CONFLICT, NULL, "mail_dropped",
                          "mail %llu was dropped already",
                          (unsigned long long) a[0]);
    }

    rc = m.state == HD_MAIL_QUEUED ? hd_outbox_queue(txn, &m, 0, err)
                                   : hd_outbox_failed_index(txn, &m, 0, err);

    if (rc == HD_OK && a[2]) {
        m.state = HD_MAIL_DROPPED;
        m.tried = a[1];
        hd_outbox_answer(&m, &arena->pool, "dropped by an administrator");

    } else if (rc == HD_OK) {
        /* by hand: its attempts count from now, and it goes even to an
           address that bounced (the administrator knows better) */
        m.state = HD_MAIL_QUEUED;
        m.since = a[1];
        m.next_attempt = a[1];
        m.flags |= HD_MAIL_REQUESTED;
        rc = hd_outbox_queue(txn, &m, 1, err);
    }

    if (rc == HD_OK) {
        rc = hd_outbox_put(txn, &m, 0, err);
    }

    hd_arena_destroy(arena);

    return rc;
}


hd_rc
hd_outbox_retry(hd_store_t *store, uint64_t id, uint64_t now, hd_err_t *err)
{
    uint64_t  a[3] = { id, now, 0 };

    return hd_txn_run(store, hd_outbox_retry_txn, a, err);
}


hd_rc
hd_outbox_drop(hd_store_t *store, uint64_t id, uint64_t now, hd_err_t *err)
{
    uint64_t  a[3] = { id, now, 1 };

    return hd_txn_run(store, hd_outbox_retry_txn, a, err);
}


/* "<hd.12.ab@helpdesk>" and "hd.12.ab@example.com" are one: the part
   before the @ is ours, the domain is the sender's at delivery */
int
hd_outbox_is_ours(hd_txn_t *txn, uint64_t mail, const hd_str_t *id,
    hd_mail_t *out)
{
    size_t           n;
    const hd_uchar  *at, *p;
    hd_mail_t        m;

    if (hd_outbox_get(txn, mail, &m) != HD_OK || m.message_id.len < 3) {
        return 0;
    }

    at = memchr(id->data, '@', id->len);
    p = m.message_id.data + (m.message_id.data[0] == '<');
    n = at ? (size_t) (at - id->data) : id->len;

    if (out != NULL) {
        *out = m;
    }

    return n > 3 && (size_t) (m.message_id.data + m.message_id.len - p) > n
           && memcmp(p, id->data, n) == 0 && p[n] == '@';
}


hd_rc
hd_outbox_bounced(hd_txn_t *txn, uint64_t id, const hd_str_t *reason,
    uint64_t now, hd_err_t *err)
{
    hd_rc        rc;
    char         text[HD_SMTP_ANSWER_MAX];
    hd_mail_t    m;
    hd_arena_t  *arena;

    arena = hd_arena_create(1024);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_outbox_load(txn, id, &arena->pool, &m);

    if (rc != HD_OK || m.state != HD_MAIL_SENT) {
        hd_arena_destroy(arena);
        return rc == HD_NOT_FOUND || rc == HD_OK ? HD_OK : rc;
    }

    snprintf(text, sizeof(text), "bounced after delivery: %.*s",
             (int) reason->len, reason->data);
    hd_outbox_answer(&m, &arena->pool, text);
    m.outcome = HD_DELIVERY_BOUNCED;
    m.tried = now;
    m.state = HD_MAIL_FAILED;

    rc = hd_outbox_failed_index(txn, &m, 1, err);

    if (rc == HD_OK) {
        rc = hd_outbox_put(txn, &m, 0, err);
    }

    hd_arena_destroy(arena);

    return rc;
}


static int
hd_outbox_id_desc(const void *a, const void *b)
{
    uint64_t  x = *(const uint64_t *) a, y = *(const uint64_t *) b;

    return x < y ? 1 : x > y ? -1 : 0;
}


/* the ids of the queue, newest first */
static hd_rc
hd_outbox_queued_ids(hd_txn_t *txn, uint64_t **ids, size_t *n)
{
    hd_rc         rc;
    size_t        cap = 0;
    uint64_t     *grown;
    hd_str_t      k, v;
    hd_cursor_t   cur;

    *ids = NULL;
    *n = 0;

    rc = hd_cursor_open(txn, HD_DB_OUTBOX_QUEUE, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK && k.len == 16 && *n < HD_OUTBOX_SCAN_MAX;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            grown = realloc(*ids, cap * sizeof(uint64_t));
            if (grown == NULL) {
                hd_cursor_close(&cur);
                free(*ids);
                *ids = NULL;
                return HD_NOMEM;
            }

            *ids = grown;
        }

        (*ids)[(*n)++] = hd_be64_get(k.data + 8);
    }

    hd_cursor_close(&cur);

    if (*n) {
        qsort(*ids, *n, sizeof(uint64_t), hd_outbox_id_desc);
    }

    return HD_OK;
}


static hd_rc
hd_outbox_take(hd_txn_t *txn, uint64_t id, hd_pool_t *pool, hd_mail_t *out)
{
    if (hd_outbox_get(txn, id, out) != HD_OK) {
        return HD_NOT_FOUND;
    }

    return hd_record_strings_copy(&hd_mail_desc, out, pool) == 0 ? HD_OK
                                                                 : HD_NOMEM;
}


hd_rc
hd_outbox_list(hd_txn_t *txn, const hd_outbox_query_t *q, hd_pool_t *pool,
    hd_mail_t **mail, size_t *n, size_t *total)
{
    hd_rc         rc;
    size_t        i, seen;
    uint64_t     *ids;
    hd_str_t      k, v;
    hd_mail_t     m;
    hd_cursor_t   cur;

    *n = 0;
    *total = 0;

    *mail = hd_palloc(pool, (q->limit ? q->limit : 1) * sizeof(hd_mail_t));
    if (*mail == NULL) {
        return HD_NOMEM;
    }

    if (q->state == HD_MAIL_QUEUED) {
        rc = hd_outbox_queued_ids(txn, &ids, total);
        if (rc != HD_OK) {
            return rc;
        }

        for (i = q->skip; i < *total && *n < q->limit; i++) {
            if (hd_outbox_take(txn, ids[i], pool, &(*mail)[*n]) == HD_OK) {
                (*n)++;
            }
        }

        free(ids);

        return HD_OK;
    }

    /* failed ones have a list of their own; anything else is a walk */
    rc = hd_cursor_open(txn, q->state == HD_MAIL_FAILED ? HD_DB_OUTBOX_FAILED
                                                        : HD_DB_OUTBOX, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    seen = 0;

    for (rc = hd_cursor_last(&cur, &k, &v);
         rc == HD_OK && k.len == 8;
         rc = hd_cursor_prev(&cur, &k, &v))
    {
        if (q->state == HD_MAIL_FAILED) {
            if (seen >= q->skip && *n < q->limit
                && hd_outbox_take(txn, hd_be64_get(k.data), pool,
                                  &(*mail)[*n])
                   == HD_OK)
            {
                (*n)++;
            }

            seen++;
            continue;
        }

        if (hd_record_decode(&hd_mail_desc, v.data, v.len, &m) != HD_OK
            || (q->state >= 0 && m.state != q->state)
            || (q->state == HD_OUTBOX_UNSENT && m.state == HD_MAIL_SENT))
        {
            continue;
        }

        if (seen >= q->skip && *n < q->limit) {
            (*mail)[*n] = m;

            if (hd_record_strings_copy(&hd_mail_desc, &(*mail)[*n], pool)
                != 0)
            {
                hd_cursor_close(&cur);
                return HD_NOMEM;
            }

            (*n)++;
        }

        seen++;
    }

    hd_cursor_close(&cur);
    *total = seen;

    return HD_OK;
}


hd_rc
hd_outbox_stats(hd_txn_t *txn, hd_outbox_stats_t *st)
{
    hd_rc         rc;
    size_t        n = 0;
    uint64_t      oldest = 0, id;
    hd_str_t      k, v;
    hd_mail_t     m;
    hd_cursor_t   cur;

    memset(st, 0, sizeof(*st));

    if (hd_db_get(txn, HD_DB_META, HD_OUTBOX_TOTALS,
                  sizeof(HD_OUTBOX_TOTALS) - 1, &v)
        == HD_OK && v.len == 32)
    {
        st->sent = hd_be64_get(v.data);
        st->deferred = hd_be64_get(v.data + 8);
        st->failed = hd_be64_get(v.data + 16);
        st->bounced = hd_be64_get(v.data + 24);
    }

    (void) hd_db_count(txn, HD_DB_OUTBOX_FAILED, &st->failed_now);

    rc = hd_cursor_open(txn, HD_DB_OUTBOX_QUEUE, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    /* ids grow with time: the oldest queued is the smallest */
    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK && k.len == 16 && n < HD_OUTBOX_SCAN_MAX;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        id = hd_be64_get(k.data + 8);

        if (oldest == 0 || id < oldest) {
            oldest = id;
        }

        n++;
    }

    hd_cursor_close(&cur);

    (void) hd_db_count(txn, HD_DB_OUTBOX_QUEUE, &st->queued);

    if (oldest && hd_outbox_get(txn, oldest, &m) == HD_OK) {
        st->oldest = m.created;
    }

    return HD_OK;
}

/*
 * The mail pipeline: read (hd_mime), store its files, then one transaction
 * that decides and does. The order of the questions is the order of the
 * table in hd_mail_receive_txn: seen before, our own, a report, who sent
 * it, a machine, too many, which ticket, may they, is it open.
 */

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "hd_account.h"
#include "hd_bounce.h"
#include "hd_files.h"
#include "hd_mail_read.h"
#include "hd_mail_route.h"
#include "hd_mime.h"
#include "hd_notify.h"
#include "hd_outbox.h"
#include "hd_ratelimit.h"
#include "hd_staff.h"
#include "hd_store.h"
#include "hd_text.h"
#include "hd_ticket_customer.h"
#include "hd_ticket_staff.h"


#define HD_MAILIN_COUNTER   "mailin:"       /* + a code -> be64 */
#define HD_MAILIN_IDS       32


const char  *hd_mailin_action_names[] = {
    "created", "replied", "quarantined", "rejected", "ignored", "duplicate"
};


typedef struct {
    hd_mailin_t         *in;
    hd_mime_message_t    m;
    hd_arena_t          *arena;
    hd_pool_t           *pool;
    hd_upload_t         *files;         /* stored, within the limits */
    size_t               nfiles;
    hd_upload_t          original;      /* the message as it came */
    int                  stored;
    hd_uchar             key[HD_SHA256_LEN];
    hd_str_t             thread;        /* "<message-id>" */
    const char          *automatic;     /* why nothing answers it */
    hd_account_t        *sender;        /* NULL: nobody we know */
    int                  invalid;
    int                  unsynced;      /* files made durable by the batch */
    int                  answered;      /* the sender was told why */
} hd_mailin_ctx_t;


/* the message's key among those seen: its id, or its bytes without one */
static void
hd_mailin_key(const hd_str_t *id, const hd_uchar *raw, size_t len,
    hd_uchar key[HD_SHA256_LEN])
{
    hd_sha256_t  *h;

    h = hd_sha256_begin();
    if (h == NULL) {
        memset(key, 0, HD_SHA256_LEN);
        return;
    }

    if (id->len) {
        hd_sha256_update(h, "id:", 3);
        hd_sha256_update(h, id->data, id->len);

    } else {
        hd_sha256_update(h, "raw:", 4);
        hd_sha256_update(h, raw, len);
    }

    hd_sha256_end(h, key);
}


static hd_rc
hd_mailin_count(hd_txn_t *txn, const char *code, hd_err_t *err)
{
    char      key[64];
    size_t    klen;
    hd_str_t  v;
    hd_uchar  val[8];
    uint64_t  n = 0;

    klen = snprintf(key, sizeof(key), HD_MAILIN_COUNTER "%s", code);

    if (hd_db_get(txn, HD_DB_META, key, klen, &v) == HD_OK && v.len == 8) {
        n = hd_be64_get(v.data);
    }

    hd_be64_put(val, n + 1);

    return hd_db_put(txn, HD_DB_META, key, klen, val, 8, 0, err);
}


size_t
hd_mailin_counts(hd_txn_t *txn, hd_mailin_count_t *out, size_t max)
{
    size_t       n = 0, plen = sizeof(HD_MAILIN_COUNTER) - 1;
    hd_rc        rc;
    hd_str_t     k, v;
    hd_cursor_t  cur;

    if (hd_cursor_open(txn, HD_DB_META, &cur) != HD_OK) {
        return 0;
    }

    for (rc = hd_cursor_seek(&cur, HD_MAILIN_COUNTER, plen, &k, &v);
         rc == HD_OK && n < max && k.len > plen
         && memcmp(k.data, HD_MAILIN_COUNTER, plen) == 0;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (v.len != 8 || k.len - plen >= sizeof(out[n].code)) {
            continue;
        }

        memcpy(out[n].code, k.data + plen, k.len - plen);
        out[n].code[k.len - plen] = '\0';
        out[n].count = hd_be64_get(v.data);
        n++;
    }

    hd_cursor_close(&cur);

    return n;
}


/* the message's files into the file store, before the transaction */
static hd_rc
hd_mailin_store_one(hd_mailin_ctx_t *c, const hd_uchar *data, size_t len,
    hd_upload_t *u, hd_err_t *err)
{
    hd_rc             rc;
    hd_file_writer_t  w;

    rc = hd_file_begin(&w, c->in->portal->files, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_file_write(&w, data, len, err);

    /* a batch makes its files durable together, before its transaction */
    if (rc == HD_OK) {
        rc = c->unsynced ? hd_file_finish_unsynced(&w, u->sha256, err)
                         : hd_file_finish(&w, u->sha256, err);
    }

    if (rc == HD_OK) {
        rc = c->unsynced
             ? hd_file_store_unsynced(c->in->portal->files, w.path,
                                      u->sha256, err)
             : hd_file_store(c->in->portal->files, w.path, u->sha256, err);
    }

    if (rc != HD_OK) {
        hd_file_discard(&w);
        return rc;
    }

    u->size = len;

    return HD_OK;
}


static hd_rc
hd_mailin_store(hd_mailin_ctx_t *c, hd_err_t *err)
{
    size_t           i;
    hd_rc            rc;
    hd_mime_file_t  *f;

    if (c->stored) {
        return HD_OK;
    }

    c->files = hd_palloc(c->pool, (c->m.nfiles + 1) * sizeof(hd_upload_t));
    if (c->files == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    for (i = 0; i < c->m.nfiles; i++) {
        f = &c->m.files[i];
        memset(&c->files[i], 0, sizeof(hd_upload_t));
        c->files[i].name = f->name;
        c->files[i].type = f->type;

        rc = hd_mailin_store_one(c, f->data.data, f->data.len, &c->files[i],
                                 err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    c->nfiles = c->m.nfiles;

    memset(&c->original, 0, sizeof(hd_upload_t));
    hd_str_set(&c->original.name, "original.eml");
    hd_str_set(&c->original.type, "message/rfc822");

    rc = hd_mailin_store_one(c, c->in->raw, c->in->len, &c->original, err);
    if (rc != HD_OK) {
        return rc;
    }

    c->stored = 1;

    return HD_OK;
}


static void
hd_mailin_done(hd_mailin_ctx_t *c, hd_mailin_action_e action,
    const char *reason)
{
    c->in->action = (uint8_t) action;
    c->in->reason = reason;
}


/* "mailin:auto:<address>" and the like */
static void
hd_mailin_limit_key(char *key, size_t size, const char *what,
    const hd_str_t *address)
{
    size_t  n, len;

    n = snprintf(key, size, "mailin:%s:", what);
    len = address->len < size - n - 1 ? address->len : size - n - 1;
    hd_text_lower_into((hd_uchar *) key + n, address->data, len);
    key[n + len] = '\0';
}


/*
 * An answer to the sender (an explanation, a confirmation), unless a
 * machine wrote or the sender had its share of them (10 in 3 hours: two
 * portals answering each other stop there); 1 when it was queued
 */
static int
hd_mailin_may_answer(hd_txn_t *txn, hd_mailin_ctx_t *c)
{
    char        key[HD_EMAIL_MAX_BYTES + 32];
    uint64_t    retry;
    hd_limit_t  limit = { HD_MAILIN_AUTO_REPLIES, HD_MAILIN_AUTO_WINDOW };

    if (c->automatic != NULL) {
        return 0;
    }

    hd_mailin_limit_key(key, sizeof(key), "auto", &c->m.from_address);

    if (hd_ratelimit_check(txn, key, &limit, c->in->now, &retry)
        == HD_RATE_LIMITED)
    {
        return 0;
    }

    return hd_ratelimit_hit(txn, key, &limit, c->in->now, NULL) == HD_OK;
}


static hd_rc
hd_mailin_answer(hd_txn_t *txn, hd_mailin_ctx_t *c, const char *kind,
    uint64_t ticket, hd_err_t *err)
{
    char          num[24];
    hd_rc         rc;
    hd_val_t     *view;
    hd_notice_t   n;

    if (!hd_mailin_may_answer(txn, c)) {
        return HD_OK;
    }

    view = hd_val_map(c->pool);
    if (view == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    hd_val_set_str(c->pool, view, "subject", c->m.subject.data,
                   c->m.subject.len);

    if (ticket) {
        snprintf(num, sizeof(num), "%llu", (unsigned long long) ticket);
        hd_val_set_str(c->pool, view, "number",
                       hd_pstrdup(c->pool, num, strlen(num)), strlen(num));
        hd_val_set(c->pool, view, "new_link",
                   hd_notify_link(c->pool, c->in->portal,
                                  "tickets/new?reference=", num));

    } else {
        hd_val_set(c->pool, view, "new_link",
                   hd_notify_link(c->pool, c->in->portal, "tickets/new", ""));
    }

    /* somebody we do not know is greeted by the name the mail gave */
    if (c->sender == NULL && c->m.from_name.len
        && hd_text_printable(c->m.from_name.data, c->m.from_name.len, 0))
    {
        hd_val_set_str(c->pool, view, "name", c->m.from_name.data,
                       c->m.from_name.len);
    }

    memset(&n, 0, sizeof(n));
    n.kind = kind;
    n.to = c->sender;
    n.address = c->sender ? NULL : &c->m.from_address;
    n.lang = HD_LANG_RU;
    n.thread = c->thread.len ? &c->thread : NULL;
    n.auto_reply = 1;

    rc = hd_notify(txn, c->in->portal, &n, view, c->pool, c->in->now, err);
    c->answered = rc == HD_OK;

    return rc;
}


/* what the log and the metrics keep of every message */
static hd_rc
hd_mailin_record(hd_txn_t *txn, hd_mailin_ctx_t *c, hd_err_t *err)
{
    hd_rc          rc;
    hd_uchar       key[8], val[17];
    hd_mail_log_t  l;
    hd_mailin_t   *in = c->in;

    /* the portal answers for it, or the MTA must (a bounce, a retry) */
    in->taken = in->action != HD_MAILIN_REJECTED || c->answered;

    if (in->action != HD_MAILIN_DUPLICATE) {
        hd_be64_put(val, in->ticket);
        hd_be64_put(val + 8, in->now);
        val[16] = in->action;

        rc = hd_db_put(txn, HD_DB_MAIL_IDS, c->key, HD_SHA256_LEN, val,
                       sizeof(val), 0, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    memset(&l, 0, sizeof(l));

    rc = hd_seq_next(txn, "mail_log", &l.id, err);
    if (rc != HD_OK) {
        return rc;
    }

    l.time = in->now;
    l.source = in->source;
    l.from = c->m.from_address;
    l.subject = c->m.subject;
    l.message_id = c->m.message_id;
    l.action = in->action;
    l.reason.data = (hd_uchar *) (in->reason ? in->reason : "");
    l.reason.len = strlen((char *) l.reason.data);
    l.ticket = in->ticket;
    l.quarantine = in->quarantine;
    in->log = l.id;

    if (l.subject.len > 250) {
        l.subject.len = 250;
    }

    hd_be64_put(key, l.id);

    rc = hd_record_put(txn, HD_DB_MAIL_LOG, key, 8, &hd_mail_log_desc, &l,
                       HD_PUT_NEW, err);

    if (rc == HD_OK) {
        rc = hd_mailin_count(txn, "received", err);
    }

    if (rc == HD_OK) {
        rc = hd_mailin_count(txn, hd_mailin_action_names[in->action], err);
    }

    if (rc == HD_OK && in->reason != NULL) {
        rc = hd_mailin_count(txn, in->reason, err);
    }

    return rc;
}


static hd_rc
hd_mailin_quarantine(hd_txn_t *txn, hd_mailin_ctx_t *c, const char *reason,
    uint64_t ticket, hd_err_t *err)
{
    hd_rc            rc;
    hd_uchar         key[8];
    hd_quarantine_t  q;

    rc = hd_mailin_store(c, err);
    if (rc != HD_OK) {
        return rc;
    }

    memset(&q, 0, sizeof(q));

    rc = hd_seq_next(txn, "quarantine", &q.id, err);
    if (rc != HD_OK) {
        return rc;
    }

    q.time = c->in->now;
    q.source = c->in->source;
    q.from = c->m.from_address;
    q.subject = c->m.subject;
    q.reason.data = (hd_uchar *) reason;
    q.reason.len = strlen(reason);
    q.ticket = ticket;
    q.sha256.data = c->original.sha256;
    q.sha256.len = HD_SHA256_LEN;
    q.size = c->original.size;

    if (q.subject.len > 250) {
        q.subject.len = 250;
    }

    /* the message's file is referred to, as an attachment would be */
    rc = hd_blob_ref(txn, c->original.sha256, c->original.size, c->in->now,
                     1, err);
    if (rc != HD_OK) {
        return rc;
    }

    hd_be64_put(key, q.id);

    rc = hd_record_put(txn, HD_DB_QUARANTINE, key, 8, &hd_quarantine_desc,
                       &q, HD_PUT_NEW, err);
    if (rc != HD_OK) {
        return rc;
    }

    c->in->quarantine = q.id;
    c->in->ticket = ticket;
    hd_mailin_done(c, HD_MAILIN_QUARANTINED, reason);

    return HD_OK;
}


/*
 * A message that cannot become what it asks for is held in the quarantine
 * with its reason, never lost (an administrator may let it in), and its
 * sender is told why (kind: the explaining mail; NULL: nothing explains it;
 * never automatic mail: hd_mailin_answer)
 */
static hd_rc
hd_mailin_refuse(hd_txn_t *txn, hd_mailin_ctx_t *c, const char *reason,
    const char *kind, uint64_t ticket, hd_err_t *err)
{
    hd_rc  rc;

    c->answered = 0;

    if (kind != NULL) {
        rc = hd_mailin_answer(txn, c, kind, ticket, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    return hd_mailin_quarantine(txn, c, reason, ticket, err);
}


/*
 * The sender is who the From says (SPEC §7.2): the message answers one the
 * portal sent that very account about that ticket (its signed token in
 * In-Reply-To or References), or the operator's MTA vouches for the From
 * domain (Authentication-Results of a trusted authserv-id)
 */
static int
hd_mailin_proven(hd_txn_t *txn, hd_mailin_ctx_t *c, uint64_t number)
{
    size_t     i, n;
    hd_str_t   ids[HD_MAILIN_IDS];

    n = hd_mail_ids(&c->m.in_reply_to, &c->m.references, ids, HD_MAILIN_IDS);

    for (i = 0; i < n; i++) {
        if (hd_outbox_token_ok(txn, &ids[i], c->sender->id, number)) {
            return 1;
        }
    }

    return c->in->portal->nauthserv
           && hd_mail_authenticated(&c->m, c->in->portal->authserv_ids,
                                    c->in->portal->nauthserv);
}


/* a delivery report: its failed recipients' addresses bounce */
static hd_rc
hd_mailin_report(hd_txn_t *txn, hd_mailin_ctx_t *c, hd_err_t *err)
{
    size_t          i;
    hd_rc           rc;
    uint64_t        ticket, mail;
    hd_str_t        why;
    hd_mime_dsn_t  *d;

    mail = 0;

    if (c->m.report_message_id.len
        && hd_mail_our_id(&c->m.report_message_id, &ticket, &mail)
        && mail != 0
        && !hd_outbox_is_ours(txn, mail, &c->m.report_message_id, NULL))
    {
        mail = 0;
    }

    for (i = 0; i < c->m.ndsn; i++) {
        d = &c->m.dsn[i];

        if (d->action.len != 6
            || strncasecmp((const char *) d->action.data, "failed", 6) != 0
            || !hd_mime_address_ok(d->recipient.data, d->recipient.len))
        {
            continue;
        }

        why = d->diagnostic.len ? d->diagnostic : d->status;

        rc = hd_bounce_add(txn, &d->recipient, &why, mail, c->in->now, err);
        if (rc != HD_OK) {
            return rc;
        }

        if (mail != 0) {
            rc = hd_outbox_bounced(txn, mail, &why, c->in->now, err);
            if (rc != HD_OK) {
                return rc;
            }
        }
    }

    hd_mailin_done(c, HD_MAILIN_IGNORED, "bounce");

    return HD_OK;
}


/* the ticket a message answers: [#N], then the ids it answers */
static uint64_t
hd_mailin_target(hd_txn_t *txn, hd_mailin_ctx_t *c)
{
    size_t       i, n;
    hd_str_t     ids[HD_MAILIN_IDS], v;
    hd_uchar     key[HD_SHA256_LEN];
    uint64_t     ticket, mail;
    hd_mail_t    m;

    ticket = hd_mail_subject_ticket(&c->m.subject);
    if (ticket) {
        return ticket;
    }

    n = hd_mail_ids(&c->m.in_reply_to, &c->m.references, ids, HD_MAILIN_IDS);

    for (i = 0; i < n; i++) {
        if (hd_mail_our_id(&ids[i], &ticket, &mail)) {
            if (ticket) {
                return ticket;
            }

            if (hd_outbox_is_ours(txn, mail, &ids[i], &m) && m.ticket) {
                return m.ticket;
            }

            continue;
        }

        /* a message of theirs that went to a ticket before */
        hd_mailin_key(&ids[i], NULL, 0, key);

        if (hd_db_get(txn, HD_DB_MAIL_IDS, key, HD_SHA256_LEN, &v) == HD_OK
            && v.len == 17 && hd_be64_get(v.data) != 0)
        {
            return hd_be64_get(v.data);
        }
    }

    return 0;
}


/* at most n characters, never a character cut */
static void
hd_mailin_cut(hd_str_t *s, size_t chars)
{
    size_t  i, n = 0;

    for (i = 0; i < s->len; i++) {
        if ((s->data[i] & 0xc0) != 0x80 && n++ == chars) {
            s->len = i;
            return;
        }
    }
}


/* the staff-only note with the whole message, after the change */
static hd_rc
hd_mailin_original(hd_txn_t *txn, hd_mailin_ctx_t *c, uint64_t number,
    hd_err_t *err)
{
    char         *p, *end;
    size_t        i;
    hd_rc         rc;
    hd_str_t      body;
    uint64_t      id;
    hd_ticket_t   t, old;

    rc = hd_ticket_get(txn, number, &t);
    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, "not_found", "no ticket");
    }

    hd_ticket_copy(c->pool, &t);
    old = t;

    /* the note says what did not become an attachment (it is in the
       message, whole) */
    p = hd_palloc(c->pool, 256 + c->m.nskipped * 300);
    if (p == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    body.data = (hd_uchar *) p;
    end = p + 256 + c->m.nskipped * 300;
    p += snprintf(p, end - p, "original.eml");

    for (i = 0; i < c->m.nskipped; i++) {
        p += snprintf(p, end - p, "%s%.*s (%llu bytes)",
                      i == 0 ? "\nover the attachment limits, kept only "
                               "in original.eml: " : ", ",
                      (int) (c->m.skipped[i].name.len > 255
                             ? 255 : c->m.skipped[i].name.len),
                      c->m.skipped[i].name.data,
                      (unsigned long long) c->m.skipped[i].data.len);
    }

    body.len = p - (char *) body.data;

    rc = hd_ticket_post(txn, &t, HD_MESSAGE_NOTE, HD_SIDE_SYSTEM, 0,
                        HD_CHANNEL_EMAIL, &body, &c->original, 1, c->in->now,
                        &id, err);
    if (rc != HD_OK) {
        return rc;
    }

    return hd_ticket_put(txn, &old, &t, err);
}


/* the words of a reply, or of a new ticket (everything, up to a limit) */
static hd_str_t
hd_mailin_body(hd_mailin_ctx_t *c, int reply)
{
    hd_str_t  body;

    if (reply) {
        hd_mail_reply_text(&c->m.text, &body);

    } else {
        body = c->m.text;
    }

    hd_text_trim(&body);
    hd_mailin_cut(&body, HD_BODY_MAX_CHARS);

    return body;
}


/* a reply of files only says which: their names */
static hd_str_t
hd_mailin_files_text(hd_mailin_ctx_t *c)
{
    size_t    i, len;
    hd_str_t  s = hd_null_string;
    hd_uchar *p;

    for (i = 0, len = 0; i < c->nfiles; i++) {
        len += c->files[i].name.len + 2;
    }

    p = len ? hd_palloc(c->pool, len) : NULL;
    if (p == NULL) {
        return s;
    }

    s.data = p;

    for (i = 0; i < c->nfiles; i++) {
        if (i) {
            *p++ = ',';
            *p++ = ' ';
        }

        memcpy(p, c->files[i].name.data, c->files[i].name.len);
        p += c->files[i].name.len;
    }

    s.len = p - s.data;

    return s;
}


static hd_rc
hd_mailin_reply(hd_txn_t *txn, hd_mailin_ctx_t *c, hd_ticket_t *t,
    hd_err_t *err)
{
    int                  proven;
    hd_rc                rc;
    uint8_t              status;
    hd_str_t             body;
    hd_staff_message_t   sm;
    hd_ticket_change_t   change;

    rc = hd_mailin_store(c, err);
    if (rc != HD_OK) {
        return rc;
    }

    body = hd_mailin_body(c, 1);

    if (body.len == 0) {
        body = hd_mailin_files_text(c);
    }

    if (body.len == 0) {
        return hd_mailin_refuse(txn, c, "empty_body", NULL, t->number, err);
    }

    proven = hd_mailin_proven(txn, c, t->number);

    if (hd_account_is_staff(c->sender)) {
        memset(&sm, 0, sizeof(sm));
        sm.number = t->number;
        sm.actor = c->sender->id;
        sm.kind = HD_MESSAGE_REPLY;
        sm.channel = HD_CHANNEL_EMAIL;
        sm.body = body;
        sm.files = c->files;
        sm.nfiles = c->nfiles;

        /* a staff address on a mail proves nothing: anyone can write it
           (an administrator's release vouches for it) */
        if (!proven && !c->in->release) {
            return hd_mailin_quarantine(txn, c, "unverified_staff",
                                        t->number, err);
        }

        rc = hd_ticket_staff_message_in(txn, c->in->portal, &sm, c->in->now,
                                        &c->in->message, &status, err);

    } else {
        memset(&change, 0, sizeof(change));
        change.number = t->number;
        change.actor = c->sender->id;
        change.channel = HD_CHANNEL_EMAIL;
        change.body = body;
        change.files = c->files;
        change.nfiles = c->nfiles;
        change.stars = -1;

        rc = hd_ticket_reply_in(txn, c->in->portal, &change, c->in->now,
                                &c->in->message, &status, err);

        if (rc == HD_OK && !proven) {
            rc = hd_message_flag(txn, t->number, c->in->message,
                                 HD_MESSAGE_UNVERIFIED, err);
        }
    }

    if (rc != HD_OK) {
        return rc;
    }

    c->in->ticket = t->number;
    hd_mailin_done(c, HD_MAILIN_REPLIED, NULL);

    return hd_mailin_original(txn, c, t->number, err);
}


static hd_rc
hd_mailin_create(hd_txn_t *txn, hd_mailin_ctx_t *c, hd_err_t *err)
{
    hd_rc               rc;
    uint64_t            id;
    hd_ticket_t         t;
    hd_errors_t         errors;
    hd_account_t        a;
    hd_ticket_input_t   in;
    hd_account_input_t  ai;

    rc = hd_mailin_store(c, err);
    if (rc != HD_OK) {
        return rc;
    }

    /* somebody we do not know: a contact, whose registration later takes
       it over with its tickets */
    if (c->sender == NULL) {
        hd_account_input_init(&ai);
        ai.email = c->m.from_address;
        ai.name = c->m.from_name;
        hd_mailin_cut(&ai.name, HD_NAME_MAX_CHARS);

        if (ai.name.len == 0 || !hd_text_printable(ai.name.data, ai.name.len,
                                                   0))
        {
            ai.name = c->m.from_address;
        }

        rc = hd_account_create(txn, &ai, NULL, c->in->now, &id, err);
        if (rc != HD_OK) {
            return rc;
        }

        if (hd_account_get(txn, id, &a) != HD_OK) {
            return hd_err_set(err, HD_IO, NULL, "io", "the new contact");
        }

        c->sender = hd_account_copy(c->pool, &a);
    }

    hd_ticket_input_init(&in);
    in.subject = c->m.subject;
    hd_mailin_cut(&in.subject, HD_SUBJECT_MAX_CHARS);
    in.description = hd_mailin_body(c, 0);
    in.category = HD_CATEGORY_TECHNICAL;
    in.type = HD_TYPE_CONSULTATION;
    in.severity = 3;
    in.channel = HD_CHANNEL_EMAIL;
    in.files = c->files;
    in.nfiles = c->nfiles;
    in.mail_thread = c->thread;
    in.quiet = !hd_mailin_may_answer(txn, c);

    /* a message of files only still says what it is about */
    if (in.description.len == 0) {
        in.description = in.subject;
    }

    /* one without a subject, let in by an administrator: its first line */
    if (in.subject.len == 0) {
        hd_uchar  *nl;

        in.subject = in.description;
        nl = memchr(in.subject.data, '\n', in.subject.len);

        if (nl != NULL) {
            in.subject.len = nl - in.subject.data;
        }

        hd_mailin_cut(&in.subject, 80);
    }

    memset(&errors, 0, sizeof(errors));
    hd_ticket_validate(&in, &errors);

    if (errors.n) {
        return hd_mailin_refuse(txn, c, errors.item[0].code, NULL, 0, err);
    }

    rc = hd_ticket_create_in(txn, c->in->portal, c->sender->id, &in,
                             c->in->now, &t, &errors, err);
    if (rc != HD_OK) {
        return rc;
    }

    c->in->ticket = t.number;
    hd_mailin_done(c, HD_MAILIN_CREATED, NULL);

    return hd_mailin_original(txn, c, t.number, err);
}


static int
hd_mailin_own_address(const hd_mailin_ctx_t *c)
{
    const char  *own = c->in->portal->mail_from;

    return own != NULL && strlen(own) == c->m.from_address.len
           && strncasecmp(own, (const char *) c->m.from_address.data,
                          c->m.from_address.len) == 0;
}


/* may the sender add to this ticket, as on the web */
static int
hd_mailin_allowed(hd_txn_t *txn, const hd_mailin_ctx_t *c,
    const hd_ticket_t *t)
{
    const hd_account_t  *a = c->sender;

    if (a == NULL || a->state == HD_ACCOUNT_DISABLED) {
        return 0;
    }

    if (hd_account_is_staff(a)) {
        return a->role == HD_ROLE_ADMINISTRATOR
               || a->role == HD_ROLE_MANAGER
               || t->owner == a->id
               || hd_staff_works_in(txn, a->id, t->department);
    }

    return (hd_ticket_rights(txn, a, t) & HD_TICKET_ACT) != 0;
}


static hd_rc
hd_mail_receive_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    char              key[HD_EMAIL_MAX_BYTES + 32];
    hd_rc             rc;
    hd_str_t          v;
    uint64_t          number, retry, ticket, mail;
    hd_ticket_t       t;
    hd_account_t      a;
    hd_mailin_ctx_t  *c = arg;
    hd_mailin_t      *in = c->in;
    hd_limit_t        accepted = { HD_MAILIN_ACCEPTED,
                                   HD_MAILIN_ACCEPTED_WINDOW };

    in->action = HD_MAILIN_IGNORED;
    in->reason = NULL;
    in->ticket = in->message = in->quarantine = 0;
    c->sender = NULL;
    c->answered = 0;

    /* a release takes the entry away with what it does, or nothing */
    if (in->release) {
        rc = hd_quarantine_remove(txn, in->release, in->now, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    if (in->too_large) {
        hd_mailin_done(c, HD_MAILIN_REJECTED, "message_too_large");
        return hd_mailin_record(txn, c, err);
    }

    if (c->invalid) {
        rc = hd_mailin_refuse(txn, c, "message_invalid", NULL, 0, err);
        return rc == HD_OK ? hd_mailin_record(txn, c, err) : rc;
    }

    /* 1. the same message again (an MTA's retry, a mailbox read twice) */
    if (!in->release
        && hd_db_get(txn, HD_DB_MAIL_IDS, c->key, HD_SHA256_LEN, &v) == HD_OK
        && v.len == 17)
    {
        in->ticket = hd_be64_get(v.data);
        hd_mailin_done(c, HD_MAILIN_DUPLICATE, NULL);
        return hd_mailin_record(txn, c, err);
    }

    /* 2. our own mail coming back */
    if (c->m.message_id.len
        && hd_mail_our_id(&c->m.message_id, &ticket, &mail)
        && (ticket != 0 || hd_outbox_is_ours(txn, mail, &c->m.message_id,
                                             NULL)))
    {
        hd_mailin_done(c, HD_MAILIN_IGNORED, "own_mail");
        return hd_mailin_record(txn, c, err);
    }

    /* 3. a delivery report: addresses bounce, nothing else */
    if (c->m.report) {
        rc = hd_mailin_report(txn, c, err);
        return rc == HD_OK ? hd_mailin_record(txn, c, err) : rc;
    }

    /* 4. who sent it */
    if (!hd_mime_address_ok(c->m.from_address.data, c->m.from_address.len)) {
        rc = hd_mailin_refuse(txn, c, "no_sender", NULL, 0, err);
        return rc == HD_OK ? hd_mailin_record(txn, c, err) : rc;
    }

    if (hd_mailin_own_address(c)) {
        hd_mailin_done(c, HD_MAILIN_IGNORED, "own_address");
        return hd_mailin_record(txn, c, err);
    }

    if (hd_mail_daemon(&c->m.from_address)) {
        hd_mailin_done(c, HD_MAILIN_IGNORED, "mailer_daemon");
        return hd_mailin_record(txn, c, err);
    }

    /* 5. machines: an out-of-office reply is no news for the ticket;
          other automatic mail counts, but nothing answers it */
    if (hd_mail_auto_reply(&c->m) != NULL) {
        hd_mailin_done(c, HD_MAILIN_IGNORED, "auto_reply");
        return hd_mailin_record(txn, c, err);
    }

    c->automatic = hd_mail_automatic(&c->m.auto_submitted, &c->m.precedence,
                                     &c->m.list_id);

    if (hd_account_find_email(txn, c->m.from_address.data,
                              c->m.from_address.len, &a)
        == HD_OK)
    {
        c->sender = hd_account_copy(c->pool, &a);
    }

    /* 6. too many from one sender today: held */
    hd_mailin_limit_key(key, sizeof(key), "accepted", &c->m.from_address);

    if (!in->release
        && hd_ratelimit_check(txn, key, &accepted, in->now, &retry)
           == HD_RATE_LIMITED)
    {
        rc = hd_mailin_quarantine(txn, c, "too_many", 0, err);
        return rc == HD_OK ? hd_mailin_record(txn, c, err) : rc;
    }

    /* 7. a reply on a ticket, by someone who may */
    number = hd_mailin_target(txn, c);

    if (number && hd_ticket_get(txn, number, &t) == HD_OK) {
        hd_ticket_copy(c->pool, &t);

        if (!hd_mailin_allowed(txn, c, &t)) {
            if (!in->release) {
                rc = hd_mailin_quarantine(txn, c, "not_allowed", number,
                                          err);
                return rc == HD_OK ? hd_mailin_record(txn, c, err) : rc;
            }

            /* released: an administrator lets it in, but never as a way
               into somebody else's ticket; it becomes a ticket of its
               sender's own, for staff to see */
            number = 0;
        }
    }

    /* let in by an administrator: a closed ticket's mail becomes a new
       ticket (the new request the sender was told to open) */
    if (number && in->release && hd_ticket_get(txn, number, &t) == HD_OK
        && hd_status_closed(t.status))
    {
        number = 0;
    }

    if (number && hd_ticket_get(txn, number, &t) == HD_OK) {

        if (hd_status_closed(t.status)) {
            rc = hd_mailin_refuse(txn, c, "final_status",
                                  "mail_ticket_closed", number, err);
            return rc == HD_OK ? hd_mailin_record(txn, c, err) : rc;
        }

        rc = hd_mailin_reply(txn, c, &t, err);

    } else if (c->m.subject.len == 0 && !in->release) {

        /* 8. a new request needs its subject (Keysystems §3; an
              administrator who lets it in gives it its first words) */
        rc = hd_mailin_refuse(txn, c, "empty_subject", "mail_no_subject", 0,
                              err);

    } else if (c->sender != NULL && c->sender->state == HD_ACCOUNT_DISABLED) {
        rc = hd_mailin_refuse(txn, c, "account_disabled", NULL, 0, err);

    } else {
        rc = hd_mailin_create(txn, c, err);
    }

    if (rc != HD_OK) {
        return rc;
    }

    if ((in->action == HD_MAILIN_CREATED || in->action == HD_MAILIN_REPLIED)
        && !in->release)
    {
        rc = hd_ratelimit_hit(txn, key, &accepted, in->now, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    return hd_mailin_record(txn, c, err);
}


/* read, and its files stored: what the transaction then decides on */
static hd_rc
hd_mailin_prepare(hd_mailin_ctx_t *c, hd_mailin_t *in, int unsynced,
    hd_err_t *err)
{
    hd_err_t          perr;
    hd_mime_limits_t  limits;

    memset(c, 0, sizeof(*c));
    c->in = in;
    c->unsynced = unsynced;
    c->arena = hd_arena_create(65536);

    if (c->arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    c->pool = &c->arena->pool;

    /* the web's limits for files; text up to what a ticket takes */
    limits.max_parts = 200;
    limits.max_depth = 20;
    limits.max_file = in->portal->tickets.file_max;
    limits.max_total = in->portal->tickets.message_max;
    limits.max_files = in->portal->tickets.files_max;
    limits.max_header = 2048;
    limits.max_text = 4 * HD_BODY_MAX_CHARS;
    limits.headers = hd_mail_read_headers;
    limits.nheaders = hd_mail_read_nheaders;

    hd_err_clear(&perr);

    if (hd_mime_parse(in->raw, in->len, &limits, c->pool, &c->m, &perr)
        != HD_OK)
    {
        c->invalid = 1;
        memset(&c->m, 0, sizeof(c->m));
        c->m.from_address.data = c->m.subject.data = (hd_uchar *) "";
    }

    hd_mailin_key(&c->m.message_id, in->raw, in->len, c->key);

    if (c->m.message_id.len) {
        c->thread.data = hd_palloc(c->pool, c->m.message_id.len + 2);

        if (c->thread.data != NULL) {
            c->thread.data[0] = '<';
            memcpy(c->thread.data + 1, c->m.message_id.data,
                   c->m.message_id.len);
            c->thread.data[c->m.message_id.len + 1] = '>';
            c->thread.len = c->m.message_id.len + 2;
        }
    }

    /* the files of a message that may be kept go to the store before the
       transaction, which then only refers to them (as web uploads do);
       a message seen before stores the same files again, under the same
       names */
    if (!c->invalid && !in->too_large && !c->m.report
        && hd_mail_auto_reply(&c->m) == NULL)
    {
        return hd_mailin_store(c, err);
    }

    return HD_OK;
}


hd_rc
hd_mail_receive(hd_mailin_t *in, hd_err_t *err)
{
    hd_rc            rc;
    hd_mailin_ctx_t  c;

    rc = hd_mailin_prepare(&c, in, 0, err);

    if (rc == HD_OK) {
        rc = hd_txn_run(in->portal->store, hd_mail_receive_txn, &c, err);
    }

    if (c.arena != NULL) {
        hd_arena_destroy(c.arena);
    }

    return rc;
}


void
hd_mail_receive_many(hd_mailin_t **in, size_t n, hd_rc *rcs, hd_err_t *errs)
{
    size_t            i, k;
    void            **args;
    hd_rc            *krc;
    hd_err_t         *kerr;
    hd_mailin_ctx_t  *c;

    c = calloc(n, sizeof(hd_mailin_ctx_t));
    args = calloc(n, sizeof(void *));
    krc = calloc(n, sizeof(hd_rc));
    kerr = calloc(n, sizeof(hd_err_t));

    if (c == NULL || args == NULL || krc == NULL || kerr == NULL) {
        for (i = 0; i < n; i++) {
            rcs[i] = hd_err_set(&errs[i], HD_NOMEM, NULL, "nomem",
                                "out of memory");
        }

        goto done;
    }

    /* what could be read goes in one batch; the rest failed already */
    for (i = 0, k = 0; i < n; i++) {
        hd_err_clear(&errs[i]);
        rcs[i] = hd_mailin_prepare(&c[i], in[i], 1, &errs[i]);

        if (rcs[i] == HD_OK) {
            args[k++] = &c[i];
        }
    }

    /* their files durable at once, before anything refers to them */
    if (k && hd_files_sync_all(in[0]->portal->files, &kerr[0]) != HD_OK) {
        for (i = 1; i < k; i++) {
            kerr[i] = kerr[0];
        }

        for (i = 0; i < k; i++) {
            krc[i] = HD_IO;
        }

        k = 0;
    }

    if (k && hd_txn_run_many(in[0]->portal->store, hd_mail_receive_txn,
                             args, kerr, krc, k)
             != HD_OK)
    {
        for (i = 0; i < k; i++) {
            krc[i] = hd_err_set(&kerr[i], HD_NOMEM, NULL, "nomem",
                                "out of memory");
        }
    }

    for (i = 0, k = 0; i < n; i++) {
        if (rcs[i] == HD_OK) {
            rcs[i] = krc[k];
            errs[i] = kerr[k];
            k++;
        }

        if (c[i].arena != NULL) {
            hd_arena_destroy(c[i].arena);
        }
    }

done:

    free(c);
    free(args);
    free(krc);
    free(kerr);
}

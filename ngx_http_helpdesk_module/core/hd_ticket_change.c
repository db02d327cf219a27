/*
 * What a customer does to a ticket once it is made, each one write
 * transaction: reply, close, correct it, reopen it within its window, rate
 * it (and the signed rating links of the closing e-mail).
 */

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <string.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "hd_activation.h"
#include "hd_company.h"
#include "hd_date.h"
#include "hd_files.h"
#include "hd_kb.h"
#include "hd_notify.h"
#include "hd_search.h"
#include "hd_store.h"
#include "hd_text.h"
#include "hd_ticket_customer.h"
#include "hd_ticket_flow.h"
#include "hd_category.h"
#include "hd_regulations.h"
#include "hd_token.h"
#include "hd_work.h"


/* the ticket of a change, with what the actor may do on it */
static hd_rc
hd_ticket_load(hd_txn_t *txn, hd_flow_t *f, hd_ticket_t *old,
    unsigned need, hd_err_t *err)
{
    hd_rc          rc;
    unsigned       rights;
    hd_account_t   a;

    rc = hd_ticket_get(txn, f->change->number, f->t);
    if (rc != HD_OK) {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                          "no ticket %llu",
                          (unsigned long long) f->change->number);
    }

    if (f->change->token.len == 0) {
        if (hd_account_get(txn, f->change->actor, &a) != HD_OK) {
            return hd_err_set(err, HD_UNAUTHORIZED, NULL, "unauthorized",
                              "no such account");
        }

        rights = hd_ticket_rights(txn, &a, f->t);

        /* a ticket one may not see is no ticket at all */
        if (!(rights & HD_TICKET_SEE)) {
            return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                              "no ticket %llu",
                              (unsigned long long) f->change->number);
        }

        if ((rights & need) != need) {
            return hd_err_set(err, HD_FORBIDDEN, NULL, "forbidden",
                              "not allowed on ticket %llu",
                              (unsigned long long) f->change->number);
        }

    } else if (hd_ticket_rating_check(txn, f->t, &f->change->token)
               != HD_OK)
    {
        return hd_err_set(err, HD_NOT_FOUND, "token", "link_invalid",
                          "the rating link is not valid");
    }

    /* copies: the writes below may move what the database gave */
    hd_ticket_copy(&f->arena->pool, f->t);
    *old = *f->t;

    return HD_OK;
}


static hd_rc
hd_ticket_reply_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    hd_rc        rc;
    hd_flow_t   *f = arg;
    hd_ticket_t  old;

    rc = hd_ticket_load(txn, f, &old, HD_TICKET_ACT, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (hd_status_closed(f->t->status)) {
        return hd_err_set(err, HD_CONFLICT, NULL, "ticket_closed",
                          "ticket %llu is closed: reopen it to reply",
                          (unsigned long long) f->t->number);
    }

    rc = hd_ticket_post(txn, f->t, HD_MESSAGE_CUSTOMER, HD_SIDE_CUSTOMER,
                        f->change->actor, f->change->channel,
                        &f->change->body, f->change->files,
                        f->change->nfiles, f->now, &f->message, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_ticket_act(txn, f->t, HD_ACTION_CUSTOMER_REPLY,
                       f->change->actor, HD_SIDE_CUSTOMER, f->now, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_ticket_put(txn, &old, f->t, err);
    if (rc != HD_OK) {
        return rc;
    }

    f->status = f->t->status;

    rc = hd_ticket_tell_staff(txn, f->portal, &f->arena->pool, f->t,
                              "ticket_customer_reply", &f->change->body,
                              f->change->actor, f->now, err);
    if (rc != HD_OK) {
        return rc;
    }

    /* the author's own e-mail is in their mailbox already: no copy back
       (and no loop with a robot answering every mail) */
    if (f->change->channel == HD_CHANNEL_EMAIL
        && f->change->actor == f->t->author)
    {
        return HD_OK;
    }

    return hd_ticket_notify(txn, f->portal, &f->arena->pool, f->t,
                            "ticket_reply", &f->change->body, NULL,
                            f->change->actor, f->now, err);
}


/*
 * Runs a change's transaction with its own arena for the e-mail; a change
 * that carries a message has it checked first
 */
static hd_rc
hd_ticket_change_run(const hd_portal_t *portal,
    const hd_ticket_change_t *change, uint64_t now, hd_txn_fn fn,
    int with_body, hd_flow_t *f, hd_err_t *err)
{
    hd_rc        rc;
    hd_ticket_t  t;
    hd_errors_t  errors;

    memset(f, 0, sizeof(*f));

    if (with_body) {
        memset(&errors, 0, sizeof(errors));
        hd_ticket_validate_body(&change->body, "body", &errors);

        if (errors.n) {
            return hd_err_set(err, HD_INVALID, "body", errors.item[0].code,
                              "the message is not valid");
        }
    }

    f->portal = portal;
    f->change = change;
    f->now = now;
    f->t = &t;

    f->arena = hd_arena_create(8192);
    if (f->arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_txn_run(portal->store, fn, f, err);

    hd_arena_destroy(f->arena);
    f->t = NULL;

    return rc;
}


hd_rc
hd_ticket_reply_in(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_ticket_change_t *change, uint64_t now, uint64_t *message,
    uint8_t *status, hd_err_t *err)
{
    hd_rc        rc;
    hd_flow_t    f;
    hd_ticket_t  t;

    memset(&f, 0, sizeof(f));
    f.portal = portal;
    f.change = change;
    f.now = now;
    f.t = &t;

    f.arena = hd_arena_create(8192);
    if (f.arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_ticket_reply_txn(txn, &f, err);
    hd_arena_destroy(f.arena);

    *message = f.message;
    *status = f.status;

    return rc;
}


hd_rc
hd_ticket_reply(const hd_portal_t *portal, const hd_ticket_change_t *change,
    uint64_t now, uint64_t *message, uint8_t *status, hd_err_t *err)
{
    hd_rc      rc;
    hd_flow_t  f;

    rc = hd_ticket_change_run(portal, change, now, hd_ticket_reply_txn, 1,
                              &f, err);

    *message = f.message;
    *status = f.status;

    return rc;
}


static hd_rc
hd_ticket_close_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    char          token[HD_RATING_TOKEN_LEN + 1];
    char          path[64];
    hd_rc         rc;
    hd_flow_t    *f = arg;
    hd_ticket_t   old;
    hd_str_t      link;
    hd_val_t     *l;

    rc = hd_ticket_load(txn, f, &old, HD_TICKET_ACT, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (hd_status_closed(f->t->status)) {
        return hd_err_set(err, HD_CONFLICT, NULL, "ticket_already_closed",
                          "ticket %llu is closed already",
                          (unsigned long long) f->t->number);
    }

    rc = hd_ticket_act(txn, f->t, HD_ACTION_CUSTOMER_CLOSE, f->change->actor,
                       HD_SIDE_CUSTOMER, f->now, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_ticket_put(txn, &old, f->t, err);
    if (rc != HD_OK) {
        return rc;
    }

    f->status = f->t->status;

    /* a cancelled ticket has no survey (SPEC §5.6): nothing to rate */
    if (f->t->status != HD_STATUS_CLOSED) {
        return hd_ticket_notify(txn, f->portal, &f->arena->pool, f->t,
                                "ticket_cancelled", NULL, NULL,
                                f->change->actor, f->now, err);
    }

    /* the closing e-mail carries the rating link */
    rc = hd_ticket_rating_token(txn, f->t, 1, token, err);
    if (rc != HD_OK) {
        return rc;
    }

    snprintf(path, sizeof(path), "tickets/%llu/rate?t=",
             (unsigned long long) f->t->number);

    l = hd_notify_link(&f->arena->pool, f->portal, path, token);
    if (l == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    link = l->u.str;

    return hd_ticket_notify(txn, f->portal, &f->arena->pool, f->t,
                            "ticket_closed", NULL, &link, f->change->actor,
                            f->now, err);
}


void
hd_ticket_edit_init(hd_ticket_edit_t *e)
{
    memset(e, 0, sizeof(*e));
    e->type = -1;
    e->severity = -1;
}


/* a text field of an edit: set and audited when it differs */
static hd_rc
hd_ticket_edit_text(hd_txn_t *txn, hd_flow_t *f, hd_str_t *field,
    const hd_str_t *given, const char *name, hd_err_t *err)
{
    char  was[64], now[64];

    if (given->data == NULL || hd_str_same(field, given)) {
        return HD_OK;
    }

    /* the audit names the change; long texts by their start */
    snprintf(was, sizeof(was), "%.*s", (int) (field->len < 60 ? field->len
                                                              : 60),
             field->data);
    snprintf(now, sizeof(now), "%.*s", (int) (given->len < 60 ? given->len
                                                              : 60),
             given->data);

    *field = *given;
    f->changed++;

    return hd_ticket_audit_field(txn, f->t, f->edit->actor, HD_SIDE_CUSTOMER,
                                 f->now, name, was, now, err);
}


static hd_rc
hd_ticket_edit_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    char                 was[16], now[16];
    hd_rc                rc;
    hd_flow_t           *f = arg;
    hd_product_t         p;
    hd_ticket_t          old;
    const hd_ticket_edit_t  *e = f->edit;

    f->changed = 0;

    rc = hd_ticket_load(txn, f, &old, HD_TICKET_EDIT, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (hd_status_closed(f->t->status)) {
        return hd_err_set(err, HD_CONFLICT, NULL, "ticket_closed",
                          "ticket %llu is closed: it is kept as it was",
                          (unsigned long long) f->t->number);
    }

    rc = hd_ticket_edit_text(txn, f, &f->t->subject, &e->subject, "subject",
                             err);

    if (rc == HD_OK) {
        rc = hd_ticket_edit_text(txn, f, &f->t->product_version,
                                 &e->product_version, "product_version", err);
    }

    if (rc == HD_OK) {
        rc = hd_ticket_edit_text(txn, f, &f->t->os_version, &e->os_version,
                                 "os_version", err);
    }

    if (rc != HD_OK) {
        return rc;
    }

    if (e->type >= 0 && (unsigned) e->type != f->t->type) {
        rc = hd_ticket_audit_field(txn, f->t, e->actor, HD_SIDE_CUSTOMER,
                                   f->now, "type",
                                   hd_ticket_type_names[f->t->type
                                                        % HD_TYPE_COUNT],
                                   hd_ticket_type_names[e->type], err);
        f->t->type = (uint8_t) e->type;
        f->changed++;

        if (rc != HD_OK) {
            return rc;
        }
    }

    if (e->severity >= 1 && (unsigned) e->severity != f->t->severity) {
        snprintf(was, sizeof(was), "%u", f->t->severity);
        snprintf(now, sizeof(now), "%d", e->severity);
        f->t->severity = (uint8_t) e->severity;
        f->changed++;

        /* what severity derives, unless staff chose the priority */
        if (f->t->priority_set == 0) {
            f->t->priority = (uint8_t) hd_priority_derive(
                                 f->t->certificate != 0, f->t->premium,
                                 f->t->level, f->t->severity);
        }

        rc = hd_ticket_audit_field(txn, f->t, e->actor, HD_SIDE_CUSTOMER,
                                   f->now, "severity", was, now, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    if (e->product.data != NULL) {
        p.id = 0;

        if (e->product.len
            && hd_product_lookup(txn, &e->product, &p) != HD_OK)
        {
            return hd_ticket_field_error(f, err, HD_INVALID, "product",
                                         "product_unknown");
        }

        if (p.id != f->t->product) {
            snprintf(was, sizeof(was), "%llu",
                     (unsigned long long) f->t->product);
            snprintf(now, sizeof(now), "%llu", (unsigned long long) p.id);
            f->t->product = p.id;
            f->changed++;

            rc = hd_ticket_audit_field(txn, f->t, e->actor, HD_SIDE_CUSTOMER,
                                       f->now, "product", was, now, err);
            if (rc != HD_OK) {
                return rc;
            }
        }
    }

    if (e->fields_set && !hd_str_same(&e->fields, &f->t->fields)) {
        f->t->fields = e->fields;
        f->changed++;

        rc = hd_ticket_audit_field(txn, f->t, e->actor, HD_SIDE_CUSTOMER,
                                   f->now, "fields", "", "", err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    if (f->changed == 0) {
        return HD_OK;
    }

    f->t->updated = f->now;

    return hd_ticket_put(txn, &old, f->t, err);
}


hd_rc
hd_ticket_edit(const hd_portal_t *portal, const hd_ticket_edit_t *e,
    uint64_t now, size_t *changed, hd_errors_t *errors, hd_err_t *err)
{
    hd_rc               rc;
    hd_flow_t           f;
    hd_ticket_t         t;
    hd_ticket_change_t  change;

    if (e->subject.data != NULL) {
        hd_errors_text(errors, "subject", &e->subject, HD_SUBJECT_MAX_CHARS,
                       "subject_required", "text_invalid",
                       "subject_too_long");
    }

    if (e->type < -1 || e->type >= HD_TYPE_COUNT) {
        hd_errors_add(errors, "type", "type_invalid");
    }

    if (e->severity < -1 || e->severity == 0 || e->severity > 4) {
        hd_errors_add(errors, "severity", "severity_invalid");
    }

    hd_errors_text(errors, "product_version", &e->product_version,
                   HD_VERSION_MAX_CHARS, NULL, "text_invalid",
                   "version_too_long");
    hd_errors_text(errors, "os_version", &e->os_version,
                   HD_VERSION_MAX_CHARS, NULL, "text_invalid",
                   "version_too_long");

    if (errors->n) {
        return hd_err_set(err, HD_INVALID, errors->item[0].field,
                          errors->item[0].code, "the correction is not valid");
    }

    memset(&change, 0, sizeof(change));
    change.number = e->number;
    change.actor = e->actor;

    memset(&f, 0, sizeof(f));
    f.portal = portal;
    f.change = &change;
    f.edit = e;
    f.errors = errors;
    f.now = now;
    f.t = &t;

    f.arena = hd_arena_create(4096);
    if (f.arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_txn_run(portal->store, hd_ticket_edit_txn, &f, err);
    hd_arena_destroy(f.arena);

    if (changed != NULL) {
        *changed = f.changed;
    }

    return rc;
}


hd_rc
hd_ticket_close(const hd_portal_t *portal, const hd_ticket_change_t *change,
    uint64_t now, uint8_t *status, hd_err_t *err)
{
    hd_rc      rc;
    hd_flow_t  f;

    rc = hd_ticket_change_run(portal, change, now, hd_ticket_close_txn, 0,
                              &f, err);
    *status = f.status;

    return rc;
}


static hd_rc
hd_ticket_reopen_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    hd_rc              rc;
    uint64_t           until;
    hd_flow_t         *f = arg;
    hd_ticket_t        old;
    hd_cert_type_t     type;
    hd_certificate_t   c;

    rc = hd_ticket_load(txn, f, &old, HD_TICKET_ACT, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (!hd_status_closed(f->t->status)) {
        return hd_err_set(err, HD_CONFLICT, NULL, "ticket_not_closed",
                          "ticket %llu is not closed",
                          (unsigned long long) f->t->number);
    }

    if (hd_transition(HD_ACTION_REOPEN, f->t->status) < 0) {
        return hd_err_set(err, HD_CONFLICT, NULL, "ticket_cannot_reopen",
                          "ticket %llu was cancelled: it cannot be reopened",
                          (unsigned long long) f->t->number);
    }

    until = hd_ticket_reopen_until(&f->portal->tickets, f->t);

    if (until != 0 && f->now > until) {
        return hd_err_set(err, HD_CONFLICT, NULL, "reopen_window_passed",
                          "ticket %llu closed too long ago to reopen",
                          (unsigned long long) f->t->number);
    }

    /* back in work, it counts against its certificate again */
    if (f->t->certificate != 0
        && hd_cert_get(txn, f->t->certificate, &c) == HD_OK
        && hd_cert_type_get(txn, c.type, &type) == HD_OK)
    {
        rc = hd_ticket_limit(txn, &c, &type, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    rc = hd_ticket_post(txn, f->t, HD_MESSAGE_CUSTOMER, HD_SIDE_CUSTOMER,
                        f->change->actor, f->change->channel,
                        &f->change->body, f->change->files,
                        f->change->nfiles, f->now, &f->message, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_ticket_act(txn, f->t, HD_ACTION_REOPEN, f->change->actor,
                       HD_SIDE_CUSTOMER, f->now, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_ticket_put(txn, &old, f->t, err);
    if (rc != HD_OK) {
        return rc;
    }

    f->status = f->t->status;

    rc = hd_ticket_tell_staff(txn, f->portal, &f->arena->pool, f->t,
                              "ticket_customer_reopened", &f->change->body,
                              f->change->actor, f->now, err);
    if (rc != HD_OK) {
        return rc;
    }

    return hd_ticket_notify(txn, f->portal, &f->arena->pool, f->t,
                            "ticket_reopened", &f->change->body, NULL,
                            f->change->actor, f->now, err);
}


hd_rc
hd_ticket_reopen(const hd_portal_t *portal, const hd_ticket_change_t *change,
    uint64_t now, uint8_t *status, hd_err_t *err)
{
    hd_rc      rc;
    hd_flow_t  f;

    rc = hd_ticket_change_run(portal, change, now, hd_ticket_reopen_txn, 1,
                              &f, err);
    *status = f.status;

    return rc;
}


static hd_rc
hd_ticket_rate_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    char          detail[8];
    hd_rc         rc;
    hd_str_t      d;
    hd_flow_t    *f = arg;
    hd_ticket_t   old;

    rc = hd_ticket_load(txn, f, &old, HD_TICKET_RATE, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (!hd_status_closed(f->t->status)) {
        return hd_err_set(err, HD_CONFLICT, NULL, "ticket_not_closed",
                          "ticket %llu is not closed yet",
                          (unsigned long long) f->t->number);
    }

    if (!hd_status_rateable(f->t->status)) {
        return hd_err_set(err, HD_CONFLICT, NULL, "cancelled_not_rated",
                          "ticket %llu was cancelled: there is nothing to "
                          "rate", (unsigned long long) f->t->number);
    }

    if (f->t->rating != 0) {
        return hd_err_set(err, HD_CONFLICT, NULL, "already_rated",
                          "ticket %llu is rated already",
                          (unsigned long long) f->t->number);
    }

    f->t->rating = (uint8_t) f->change->stars;
    f->t->rating_comment = f->change->comment;
    f->t->rated = f->now;

    snprintf(detail, sizeof(detail), "%d", f->change->stars);
    d.data = (hd_uchar *) detail;
    d.len = strlen(detail);

    rc = hd_ticket_audit(txn, f->t, HD_ACTION_RATE,
                         f->change->token.len ? f->t->author
                                              : f->change->actor,
                         HD_SIDE_CUSTOMER, f->now, f->t->status,
                         f->t->status, &d, err);
    if (rc != HD_OK) {
        return rc;
    }

    return hd_ticket_put(txn, &old, f->t, err);
}


hd_rc
hd_ticket_rate(const hd_portal_t *portal, const hd_ticket_change_t *change,
    uint64_t now, hd_err_t *err)
{
    hd_flow_t    f;
    hd_errors_t  errors;

    memset(&errors, 0, sizeof(errors));

    if (change->stars < 1 || change->stars > 5) {
        return hd_err_set(err, HD_INVALID, "stars", "stars_invalid",
                          "stars are 1 to 5");
    }

    if (change->comment.len) {
        if (!hd_utf8_valid(change->comment.data, change->comment.len)
            || !hd_text_printable(change->comment.data, change->comment.len,
                                  1))
        {
            return hd_err_set(err, HD_INVALID, "comment", "text_invalid",
                              "the comment is not text");
        }

        if (hd_utf8_chars(change->comment.data, change->comment.len)
            > HD_COMMENT_MAX_CHARS)
        {
            return hd_err_set(err, HD_INVALID, "comment", "comment_too_long",
                              "the comment is too long");
        }
    }

    return hd_ticket_change_run(portal, change, now, hd_ticket_rate_txn, 0,
                                &f, err);
}


static void
hd_rating_mac(const hd_uchar key[HD_SHA256_LEN], const hd_ticket_t *t,
    hd_uchar mac[HD_SHA256_LEN])
{
    hd_uchar  data[7 + 16];

    memcpy(data, "rating:", 7);
    hd_be64_put(data + 7, t->number);
    hd_be64_put(data + 15, t->closed);

    hd_hmac_sha256(key, HD_SHA256_LEN, data, sizeof(data), mac);
}


hd_rc
hd_ticket_rating_token(hd_txn_t *txn, const hd_ticket_t *t, int create,
    char out[HD_RATING_TOKEN_LEN + 1], hd_err_t *err)
{
    hd_rc     rc;
    hd_uchar  key[HD_SHA256_LEN], mac[HD_SHA256_LEN];

    rc = hd_link_secret(txn, create, key, err);
    if (rc != HD_OK) {
        return rc;
    }

    hd_rating_mac(key, t, mac);
    out[hd_b64url_encode(out, mac, HD_SHA256_LEN)] = '\0';

    return HD_OK;
}


hd_rc
hd_ticket_rating_check(hd_txn_t *txn, const hd_ticket_t *t,
    const hd_str_t *token)
{
    hd_uchar  key[HD_SHA256_LEN], mac[HD_SHA256_LEN], got[HD_SHA256_LEN];

    if (token->len != HD_RATING_TOKEN_LEN
        || hd_b64url_decode(got, sizeof(got), (const char *) token->data,
                            token->len) != HD_SHA256_LEN
        || !hd_status_closed(t->status)
        || hd_link_secret(txn, 0, key, NULL) != HD_OK)
    {
        return HD_NOT_FOUND;
    }

    hd_rating_mac(key, t, mac);

    return hd_ct_equal(mac, got, HD_SHA256_LEN) ? HD_OK : HD_NOT_FOUND;
}

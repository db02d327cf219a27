/*
 * An account's mail (SPEC §7.1): whether its address is proven or bounced
 * (a banner on every page until it is sorted out), the link that proves it
 * asked for again, the kinds of mail it mutes, and the one-click links in
 * mail that mute a kind (RFC 8058: no login, no CSRF token; the signed
 * link is the proof).
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_notify.h"


typedef struct {
    ngx_http_helpdesk_job_t   job;
    uint64_t                  account;
    uint32_t                  mute;
    uint32_t                  bit;
    hd_str_t                  token;
} ngx_http_helpdesk_prefs_job_t;


/* the banner of every page: an address that bounced, or one not proven */
void
ngx_http_helpdesk_mail_banner(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *view)
{
    hd_val_t      *b;
    hd_pool_t     *pool = &ctx->pool;
    hd_account_t  *a = ctx->caller.account;

    if (a == NULL || a->state != HD_ACCOUNT_ACTIVE || a->email.len == 0
        || (!a->email_bounced
            && (a->email_confirmed || hd_account_is_staff(a))))
    {
        return;
    }

    b = hd_val_map(pool);
    if (b == NULL) {
        return;
    }

    hd_val_set_str(pool, b, "address", a->email.data, a->email.len);

    if (a->email_bounced) {
        hd_val_set_bool(pool, b, "bounced", 1);
        hd_val_set_str(pool, b, "reason", a->email_bounce.data,
                       a->email_bounce.len);
        hd_val_set(pool, b, "since",
                   ngx_http_helpdesk_time_text(ctx, a->email_bounced));

    } else {
        hd_val_set_bool(pool, b, "unconfirmed", 1);
    }

    hd_val_set(pool, view, "mail_banner", b);
}


/* what the API says of the account's mail */
void
ngx_http_helpdesk_mail_json(json_t *json, const hd_account_t *a)
{
    json_t                *mute;
    const hd_mute_kind_t  *k;

    mute = json_array();

    for (k = hd_mute_kinds; k->name; k++) {
        if (a->mail_mute & k->bit & hd_mute_allowed(a)) {
            json_array_append_new(mute, json_string(k->name));
        }
    }

    json_object_set_new(json, "email_confirmed",
                        json_boolean(a->email_confirmed != 0));
    json_object_set_new(json, "email_bounced",
                        a->email_bounced
                        ? json_pack("{s:I, s:s#}", "time",
                                    (json_int_t) a->email_bounced, "reason",
                                    a->email_bounce.data,
                                    a->email_bounce.len)
                        : json_null());
    json_object_set_new(json, "mail_mute", mute);
}


/* the profile's section: the address's state, the kinds to mute */
void
ngx_http_helpdesk_mail_settings(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *view)
{
    char                   key[96];
    hd_val_t              *mail, *kinds, *item;
    hd_pool_t             *pool = &ctx->pool;
    hd_account_t          *a = ctx->caller.account;
    const hd_str_t        *text;
    const hd_mute_kind_t  *k;

    mail = hd_val_map(pool);
    kinds = hd_val_list(pool);

    if (mail == NULL || kinds == NULL) {
        return;
    }

    if (a->email_bounced) {
        hd_val_set_bool(pool, mail, "bounced", 1);
        hd_val_set_str(pool, mail, "reason", a->email_bounce.data,
                       a->email_bounce.len);
        hd_val_set(pool, mail, "since",
                   ngx_http_helpdesk_time_text(ctx, a->email_bounced));

    } else if (a->email_confirmed) {
        hd_val_set(pool, mail, "confirmed",
                   ngx_http_helpdesk_time_text(ctx, a->email_confirmed));

    } else {
        hd_val_set_bool(pool, mail, "unconfirmed", 1);
    }

    for (k = hd_mute_kinds; k->name; k++) {
        if (!(k->bit & hd_mute_allowed(a))) {
            continue;
        }

        item = hd_val_map(pool);
        hd_val_set_cstr(pool, item, "name", k->name);
        ngx_snprintf((u_char *) key, sizeof(key), "mail_prefs.kinds.%s%Z",
                     k->name);
        text = ngx_http_helpdesk_text(ctx, key);

        if (text != NULL) {
            hd_val_set_str(pool, item, "label", text->data, text->len);
        }

        /* checked: the kind comes; a box unchecked mutes it */
        hd_val_set_bool(pool, item, "wanted", !(a->mail_mute & k->bit));
        hd_val_push(pool, kinds, item);
    }

    hd_val_set(pool, mail, "kinds", kinds);
    hd_val_set_bool(pool, mail, "staff", hd_account_is_staff(a));
    hd_val_set(pool, view, "mail", mail);
}


static void
ngx_http_helpdesk_prefs_work(void *data, ngx_log_t *log)
{
    uint32_t                        muted;
    ngx_http_helpdesk_prefs_job_t  *j = data;

    (void) log;

    j->job.rc = hd_notify_set_mute(j->job.portal.store, j->account, j->mute,
                                   &muted, j->job.now, &j->job.err);
    j->mute = muted;
}


static ngx_int_t
ngx_http_helpdesk_prefs_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    json_t                         *json;
    hd_account_t                    a;
    ngx_http_helpdesk_prefs_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job, NULL);
    }

    if (!ctx->api) {
        return ngx_http_helpdesk_go(r, ctx, "profile", "mail_saved");
    }

    a = *ctx->caller.account;
    a.mail_mute = j->mute;
    json = json_object();
    ngx_http_helpdesk_mail_json(json, &a);

    return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK, json);
}


/*
 * POST profile/mail (a box per kind, checked: wanted) and PUT api/v1/me/mail
 * ({"mail_mute": ["own_reply", ...]}): the kinds muted from now on
 */
ngx_int_t
ngx_http_helpdesk_mail_prefs(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    char                            field[64];
    size_t                          i;
    json_t                         *list, *item;
    uint32_t                        bit, allowed;
    hd_str_t                        v;
    const hd_mute_kind_t           *k;
    ngx_http_helpdesk_prefs_job_t  *j;

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->account = ctx->caller.account->id;
    allowed = hd_mute_allowed(ctx->caller.account);

    if (ctx->api) {
        list = json_object_get(ctx->input, "mail_mute");

        if (!json_is_array(list)) {
            return ngx_http_helpdesk_error(r, ctx, 422, "mail_mute_invalid",
                                           "mail_mute");
        }

        json_array_foreach(list, i, item) {
            bit = json_is_string(item)
                  ? hd_mute_bit((const hd_uchar *) json_string_value(item),
                                json_string_length(item))
                  : 0;

            if (!(bit & allowed)) {
                return ngx_http_helpdesk_error(r, ctx, 422,
                                               "mail_mute_invalid",
                                               "mail_mute");
            }

            j->mute |= bit;
        }

    } else {
        for (k = hd_mute_kinds; k->name; k++) {
            if (!(k->bit & allowed)) {
                continue;
            }

            ngx_snprintf((u_char *) field, sizeof(field), "want_%s%Z",
                         k->name);

            if (ngx_http_helpdesk_input_str(ctx, field, &v) != NGX_OK
                || v.len == 0)
            {
                j->mute |= k->bit;
            }
        }
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_prefs_work,
                                     ngx_http_helpdesk_prefs_done, j);
}


static void
ngx_http_helpdesk_confirm_again_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_prefs_job_t  *j = data;

    (void) log;

    j->job.rc = hd_auth_confirm_request(&j->job.portal, j->account,
                                        j->job.now, &j->job.retry_after,
                                        &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_confirm_again_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_prefs_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job, NULL);
    }

    if (ctx->api) {
        return ngx_http_helpdesk_send_json(r, NGX_HTTP_ACCEPTED,
                   json_pack("{s:s, s:s#}", "status", "sent", "email",
                             ctx->caller.account->email.data,
                             ctx->caller.account->email.len));
    }

    return ngx_http_helpdesk_go(r, ctx, "profile", "confirmation_sent");
}


/* POST profile/email/confirm, api/v1/me/email/confirmation: the link that
   proves the address, again (after a bounce, or one lost) */
ngx_int_t
ngx_http_helpdesk_confirm_again(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_http_helpdesk_prefs_job_t  *j;

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->account = ctx->caller.account->id;

    return ngx_http_helpdesk_offload(r, ctx,
                                     ngx_http_helpdesk_confirm_again_work,
                                     ngx_http_helpdesk_confirm_again_done, j);
}


static ngx_int_t
ngx_http_helpdesk_unsubscribe_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, uint32_t bit, hd_str_t *token,
    ngx_uint_t done)
{
    char                   key[96];
    hd_val_t              *view;
    hd_pool_t             *pool = &ctx->pool;
    const hd_str_t        *text;
    const hd_mute_kind_t  *k;

    view = ngx_http_helpdesk_view(r, ctx, "unsubscribe.title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (k = hd_mute_kinds; k->name; k++) {
        if (k->bit == bit) {
            ngx_snprintf((u_char *) key, sizeof(key),
                         "mail_prefs.kinds.%s%Z", k->name);
            text = ngx_http_helpdesk_text(ctx, key);

            if (text != NULL) {
                hd_val_set_str(pool, view, "kind", text->data, text->len);
            }
        }
    }

    hd_val_set_str(pool, view, "token", token->data, token->len);
    hd_val_set_bool(pool, view, "done", done);

    return ngx_http_helpdesk_render(r, ctx, "pages/unsubscribe", view,
                                    NGX_HTTP_OK);
}


static void
ngx_http_helpdesk_unsubscribe_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_prefs_job_t  *j = data;

    (void) log;

    j->job.rc = hd_notify_unsubscribe(j->job.portal.store, &j->token,
                                      j->job.now, &j->account, &j->bit,
                                      &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_unsubscribe_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_prefs_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job, NULL);
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "helpdesk: account %uL muted mail of kind %uD by its "
                  "link", j->account, j->bit);

    return ngx_http_helpdesk_unsubscribe_page(r, ctx, j->bit, &j->token, 1);
}


/* GET unsubscribe?token=: what the link mutes, and a button; POST (the
   button, or a mail client's one click): muted */
ngx_int_t
ngx_http_helpdesk_unsubscribe(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_rc                           rc;
    hd_txn_t                        txn;
    hd_str_t                        token;
    uint32_t                        bit;
    uint64_t                        account;
    ngx_http_helpdesk_prefs_job_t  *j;

    if (ngx_http_helpdesk_secret_arg(r, "token", &token) != NGX_OK
        || token.len != HD_UNSUBSCRIBE_TOKEN_LEN)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "link_invalid", "token");
    }

    if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
        if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                         NULL)
            != HD_OK)
        {
            return NGX_HTTP_SERVICE_UNAVAILABLE;
        }

        rc = hd_notify_unsubscribe_check(&txn, &token, &account, &bit);
        hd_txn_abort(&txn);

        if (rc != HD_OK) {
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                           "link_invalid", "token");
        }

        return ngx_http_helpdesk_unsubscribe_page(r, ctx, bit, &token, 0);
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->token = token;

    return ngx_http_helpdesk_offload(r, ctx,
                                     ngx_http_helpdesk_unsubscribe_work,
                                     ngx_http_helpdesk_unsubscribe_done, j);
}

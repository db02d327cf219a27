/*
 * The profile of the logged-in person: details, language, password,
 * e-mail change, personal API tokens; and the API's /me.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_password.h"


typedef struct {
    ngx_http_helpdesk_job_t   job;
    uint64_t                  account;
    hd_account_input_t        in;
    hd_str_t                  current;
    hd_str_t                  password;
    hd_str_t                  email;
    hd_str_t                  client;   /* the caller's address */
    hd_uchar                  session[HD_SHA256_LEN];
    ngx_uint_t                keep_session;
    uint64_t                  token_id;
    char                      token[HD_API_TOKEN_TEXT_LEN + 1];
} ngx_http_helpdesk_profile_job_t;


static ngx_int_t ngx_http_helpdesk_profile_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);


ngx_int_t
ngx_http_helpdesk_me(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_view_send(r, ctx,
               hd_view_account_of(&ctx->pool, ctx->caller.account), NULL,
               NULL, NULL, NGX_HTTP_OK);
}


/* the account's tokens, for the page or the API */
static json_t *
ngx_http_helpdesk_token_list(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_val_t *view)
{
    size_t           i, n = 0;
    json_t          *list;
    hd_txn_t         txn;
    hd_val_t        *tokens, *item;
    hd_api_token_t  *t = NULL;

    list = json_array();
    tokens = hd_val_list(&ctx->pool);

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                     NULL)
        == HD_OK)
    {
        (void) hd_api_token_list(&txn, ctx->caller.account->id, &ctx->pool,
                                 &t, &n);
        hd_txn_abort(&txn);
    }

    for (i = 0; i < n; i++) {
        json_array_append_new(list,
            json_pack("{s:I, s:s#, s:I, s:I}", "id", (json_int_t) t[i].id,
                      "name", t[i].name.data, t[i].name.len,
                      "created", (json_int_t) t[i].created,
                      "used", (json_int_t) t[i].used));

        if (view != NULL) {
            item = hd_val_map(&ctx->pool);
            hd_val_set_int(&ctx->pool, item, "id", t[i].id);
            hd_val_set_str(&ctx->pool, item, "name", t[i].name.data,
                           t[i].name.len);
            hd_val_set(&ctx->pool, item, "created",
                       ngx_http_helpdesk_time_text(ctx, t[i].created));
            hd_val_push(&ctx->pool, tokens, item);
        }
    }

    if (view != NULL) {
        hd_val_set(&ctx->pool, view, "tokens", tokens);
        hd_val_set_bool(&ctx->pool, view, "has_tokens",
                        tokens != NULL && tokens->u.items.n > 0);
    }

    return list;
}


ngx_int_t
ngx_http_helpdesk_tokens(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
               json_pack("{s:o}", "tokens",
                         ngx_http_helpdesk_token_list(r, ctx, NULL)));
}


ngx_int_t
ngx_http_helpdesk_profile(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_profile_page(r, ctx, NULL, NGX_HTTP_OK);
}


static ngx_int_t
ngx_http_helpdesk_profile_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    hd_val_t        *view, *values, *langs, *item;
    hd_pool_t       *pool = &ctx->pool;
    ngx_uint_t       i, lang;
    hd_account_t    *a = ctx->caller.account;

    static const char  *echo[] = {
        "name", "phone", "organisation", "email", "token_name", NULL
    };

    view = ngx_http_helpdesk_view(r, ctx, "profile.title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);

    /* the stored details, unless the form just sent others */
    values = hd_val_get(view, "values", 6);

    if (hd_val_get(values, "name", 4) == NULL) {
        hd_val_set_str(pool, values, "name", a->name.data, a->name.len);
    }

    if (hd_val_get(values, "phone", 5) == NULL) {
        hd_val_set_str(pool, values, "phone", a->phone.data, a->phone.len);
    }

    if (hd_val_get(values, "organisation", 12) == NULL) {
        hd_val_set_str(pool, values, "organisation", a->organisation.data,
                       a->organisation.len);
    }

    if (ctx->new_token != NULL) {
        hd_val_set_cstr(pool, view, "new_token", ctx->new_token);
    }

    hd_val_set_str(pool, view, "email", a->email.data, a->email.len);
    hd_val_set_str(pool, view, "login", a->login.data, a->login.len);

    langs = hd_val_list(pool);
    lang = a->language < HD_LANG_COUNT ? a->language : 0;

    for (i = 0; i < HD_LANG_COUNT; i++) {
        item = hd_val_map(pool);
        hd_val_set_cstr(pool, item, "code", hd_langs[i].code);
        hd_val_set_cstr(pool, item, "name", hd_langs[i].name);
        hd_val_set_bool(pool, item, "selected", i == lang);
        hd_val_push(pool, langs, item);
    }

    hd_val_set(pool, view, "languages", langs);

    json_decref(ngx_http_helpdesk_token_list(r, ctx, view));
    ngx_http_helpdesk_mail_settings(ctx, view);

    return ngx_http_helpdesk_render(r, ctx, "pages/profile", view, status);
}


static void
ngx_http_helpdesk_profile_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_profile_job_t  *j = data;

    j->job.rc = hd_auth_update_profile(&j->job.portal, j->account, &j->in,
                                       j->job.now, &j->job.errors,
                                       &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_profile_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_profile_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_profile_page);
    }

    /* the chosen language is this browser's too */
    if (j->in.language >= 0) {
        ngx_http_helpdesk_set_cookie(r, ctx, "hd_lang",
                                     hd_langs[j->in.language].code,
                                     365 * 24 * 3600);
        ctx->lang = (hd_lang_e) j->in.language;
    }

    return ngx_http_helpdesk_saved(r, ctx, hd_view_account, j->account,
                                   NGX_HTTP_OK, "profile", "profile_saved");
}


ngx_int_t
ngx_http_helpdesk_profile_update(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int                               lang;
    hd_str_t                          v[4];
    ngx_http_helpdesk_profile_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "name", 1000, 0 },
        { "phone", 64, 0 },
        { "organisation", 1000, 0 },
        { "language", 8, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->account = ctx->caller.account->id;

    /* absent fields stay as they are (PATCH); empty ones are cleared */
    hd_account_input_init(&j->in);
    j->in.name = v[0];
    j->in.phone = v[1];
    j->in.organisation = v[2];

    if (v[3].data != NULL) {
        lang = hd_lang_from_code(v[3].data, v[3].len);

        if (lang < 0) {
            hd_errors_add(&j->job.errors, "language", "language_invalid");
            j->job.rc = HD_INVALID;
            return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                                ngx_http_helpdesk_profile_page);
        }

        j->in.language = lang;
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_profile_work,
                                     ngx_http_helpdesk_profile_done, j);
}


static void
ngx_http_helpdesk_password_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_profile_job_t  *j = data;

    j->job.rc = hd_auth_change_password(&j->job.portal, j->account,
                                        &j->current, &j->password,
                                        j->keep_session ? j->session : NULL,
                                        j->job.now, &j->job.errors,
                                        &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_password_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_profile_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_profile_page);
    }

    if (ctx->api) {
        return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
                                           json_pack("{s:s}", "status",
                                                     "changed"));
    }

    return ngx_http_helpdesk_go(r, ctx, "profile", "password_changed");
}


ngx_int_t
ngx_http_helpdesk_password_change(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t                          v[3];
    ngx_http_helpdesk_profile_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "current_password", HD_PASSWORD_MAX_BYTES, 1 },
        { "password", HD_PASSWORD_MAX_BYTES, 1 },
        { "password_confirm", HD_PASSWORD_MAX_BYTES, 1 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL || ngx_http_helpdesk_base_url(r, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->job.portal.base_url = ctx->portal.base_url;

    if (ngx_http_helpdesk_confirmed(&v[1], &v[2], "password_confirm",
                                    &j->job.errors)
        != NGX_OK)
    {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_profile_page);
    }

    j->account = ctx->caller.account->id;
    j->current = v[0];
    j->password = v[1];

    /* the other sessions end; this one goes on */
    j->keep_session = ctx->caller.has_session;
    ngx_memcpy(j->session, ctx->caller.session, HD_SHA256_LEN);

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_password_work,
                                     ngx_http_helpdesk_password_done, j);
}


static void
ngx_http_helpdesk_email_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_profile_job_t  *j = data;

    j->job.rc = hd_auth_email_change(&j->job.portal, j->account, &j->email,
                                     &j->client, j->job.now,
                                     &j->job.retry_after, &j->job.errors,
                                     &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_email_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_profile_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_profile_page);
    }

    if (ctx->api) {
        return ngx_http_helpdesk_send_json(r, NGX_HTTP_ACCEPTED,
                   json_pack("{s:s, s:s#}", "status", "sent",
                             "email", j->email.data, j->email.len));
    }

    return ngx_http_helpdesk_go(r, ctx, "profile", "email_sent");
}


ngx_int_t
ngx_http_helpdesk_email_change(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t                          v[1];
    ngx_http_helpdesk_profile_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "email", HD_EMAIL_MAX_BYTES, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL || ngx_http_helpdesk_base_url(r, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->job.portal.base_url = ctx->portal.base_url;
    j->account = ctx->caller.account->id;
    j->email = v[0];
    j->client.data = r->connection->addr_text.data;
    j->client.len = r->connection->addr_text.len;

    if (j->email.data == NULL) {
        j->email.data = (hd_uchar *) "";
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_email_work,
                                     ngx_http_helpdesk_email_done, j);
}


static void
ngx_http_helpdesk_token_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_profile_job_t  *j = data;

    j->job.rc = hd_auth_token_create(&j->job.portal, j->account, &j->email,
                                     j->job.now, &j->token_id, j->token,
                                     &j->job.errors, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_token_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_profile_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        /* the form's field is token_name; the API's is name */
        if (!ctx->api && j->job.errors.n) {
            j->job.errors.item[0].field = "token_name";
        }

        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_profile_page);
    }

    if (ctx->api) {
        return ngx_http_helpdesk_send_json(r, NGX_HTTP_CREATED,
                   json_pack("{s:I, s:s#, s:s}", "id",
                             (json_int_t) j->token_id, "name",
                             j->email.data, j->email.len, "token",
                             j->token));
    }

    /* shown once, on this page: never in a link or a redirect */
    ctx->new_token = j->token;

    return ngx_http_helpdesk_profile_page(r, ctx, NULL, NGX_HTTP_CREATED);
}


ngx_int_t
ngx_http_helpdesk_token_create(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t                          v[1];
    ngx_http_helpdesk_profile_job_t  *j;

    static const ngx_http_helpdesk_field_t  api_fields[] = {
        { "name", 1000, 0 },
        { NULL, 0, 0 }
    };

    static const ngx_http_helpdesk_field_t  form_fields[] = {
        { "token_name", 1000, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx,
                                       ctx->api ? api_fields : form_fields, v)
        != NGX_OK)
    {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->account = ctx->caller.account->id;
    j->email = v[0];        /* the token's name */

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_token_work,
                                     ngx_http_helpdesk_token_done, j);
}


static void
ngx_http_helpdesk_revoke_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_profile_job_t  *j = data;

    j->job.rc = hd_auth_token_revoke(&j->job.portal, j->account, j->token_id,
                                     &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_revoke_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_profile_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job, NULL);
    }

    return ngx_http_helpdesk_saved(r, ctx, NULL, 0, NGX_HTTP_NO_CONTENT,
                                   "profile", "token_revoked");
}


ngx_int_t
ngx_http_helpdesk_token_revoke(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_int_t                         id;
    ngx_http_helpdesk_profile_job_t  *j;

    id = ngx_atoi(ctx->args[0].data, ctx->args[0].len);
    if (id <= 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->account = ctx->caller.account->id;
    j->token_id = (uint64_t) id;

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_revoke_work,
                                     ngx_http_helpdesk_revoke_done, j);
}

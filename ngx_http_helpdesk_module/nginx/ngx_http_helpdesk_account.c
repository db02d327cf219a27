/*
 * Accounts from the outside: registration, logging in and out, password
 * reset, e-mail confirmation. Each handler serves the HTML form and the API
 * route alike; the slow and the writing parts run in the thread pool.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_password.h"
#include "hd_token.h"


#define NGX_HTTP_HELPDESK_TEXT_MAX  1000        /* bytes of a text field */


typedef struct {
    ngx_http_helpdesk_job_t   job;
    hd_account_input_t        in;
    hd_licence_t              licence;
    uint64_t                  id;
    ngx_uint_t                login;        /* and start a session */
    hd_str_t                  address;
    hd_str_t                  agent;
    hd_login_result_t         session;
} ngx_http_helpdesk_register_job_t;


typedef struct {
    ngx_http_helpdesk_job_t   job;
    hd_login_input_t          in;
    hd_login_result_t         res;
} ngx_http_helpdesk_login_job_t;


typedef struct {
    ngx_http_helpdesk_job_t   job;
    hd_str_t                  email;
    hd_str_t                  address;
    hd_str_t                  agent;
    hd_str_t                  token;
    hd_str_t                  password;
    hd_uchar                  session[HD_SHA256_LEN];
    hd_arena_t               *arena;
    uint64_t                  created;      /* a registration's account */
    uint64_t                  company;      /* ... and its licence's */
    hd_login_result_t         login;        /* ... logged in */
} ngx_http_helpdesk_mail_job_t;


static const ngx_http_helpdesk_field_t  ngx_http_helpdesk_register_fields[] = {
    { "email", HD_EMAIL_MAX_BYTES, 0 },
    { "login", 64, 0 },
    { "password", HD_PASSWORD_MAX_BYTES, 1 },
    { "name", NGX_HTTP_HELPDESK_TEXT_MAX, 0 },
    { "phone", 64, 0 },
    { "organisation", NGX_HTTP_HELPDESK_TEXT_MAX, 0 },
    { "language", 8, 0 },
    { "certificate", 64, 0 },          /* a licence (optional) */
    { "activation_code", 64, 0 },
    { "company", NGX_HTTP_HELPDESK_TEXT_MAX, 0 },
    { NULL, 0, 0 }
};

static const char  *ngx_http_helpdesk_register_echo[] = {
    "email", "login", "name", "phone", "organisation", "certificate",
    "company", NULL
};


extern const char  *ngx_http_helpdesk_licence_names[];

static ngx_int_t ngx_http_helpdesk_register_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);
static ngx_int_t ngx_http_helpdesk_login_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);
static ngx_int_t ngx_http_helpdesk_forgot_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);
static ngx_int_t ngx_http_helpdesk_reset_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);
static ngx_int_t ngx_http_helpdesk_start_session(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_login_result_t *res);


/*
 * Where a logged-in person starts: an invitation they followed before
 * logging in or registering, or their profile
 */
const char *
ngx_http_helpdesk_home(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_str_t  invite;

    if (ngx_http_helpdesk_cookie(r, "hd_invite", &invite) == NGX_OK
        && invite.len)
    {
        return "company/join";
    }

    return "profile";
}


static void
ngx_http_helpdesk_client(ngx_http_request_t *r, hd_str_t *address,
    hd_str_t *agent)
{
    address->data = r->connection->addr_text.data;
    address->len = r->connection->addr_text.len;

    if (r->headers_in.user_agent != NULL) {
        agent->data = r->headers_in.user_agent->value.data;
        agent->len = r->headers_in.user_agent->value.len;

    } else {
        agent->data = NULL;
        agent->len = 0;
    }
}


/* --- registration ------------------------------------------------------ */


ngx_int_t
ngx_http_helpdesk_register_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    if (ctx->caller.account != NULL) {
        return ngx_http_helpdesk_go(r, ctx, ngx_http_helpdesk_home(r, ctx),
                                    NULL);
    }

    return ngx_http_helpdesk_register_page(r, ctx, NULL, NGX_HTTP_OK);
}


static ngx_int_t
ngx_http_helpdesk_register_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    hd_val_t  *view;

    view = ngx_http_helpdesk_view(r, ctx, "register.title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, ngx_http_helpdesk_register_echo,
                                errors);

    return ngx_http_helpdesk_render(r, ctx, "pages/register", view, status);
}


static void
ngx_http_helpdesk_register_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_register_job_t  *j = data;

    j->job.rc = hd_auth_register_licence(&j->job.portal, &j->in, &j->licence,
                                         &j->address, j->job.now, &j->id,
                                         &j->job.retry_after, &j->job.errors,
                                         &j->job.err);

    /* a contact's address: nobody logs in before the link is opened */
    if (j->job.rc == HD_OK && j->login && j->id != 0) {
        j->job.rc = hd_auth_start_session(&j->job.portal, j->id, &j->address,
                                          &j->agent, j->job.now, &j->session,
                                          &j->job.err);
    }
}


static ngx_int_t
ngx_http_helpdesk_register_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_register_job_t  *j = data;

    size_t  i;

    if (j->job.rc != HD_OK) {
        /* the page names the company in its organisation field */
        for (i = 0; !ctx->api && i < j->job.errors.n; i++) {
            if (j->job.errors.item[i].field != NULL
                && ngx_strcmp(j->job.errors.item[i].field, "company") == 0)
            {
                j->job.errors.item[i].field = "organisation";
            }
        }

        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_register_page);
    }

    /*
     * A person's registration: the same answer whatever the address and the
     * login (the mail to the address says the rest), and a licence that
     * another company holds said to who has its code
     */
    if (j->id == 0) {
        if (ctx->api) {
            json_t  *body;

            body = json_pack("{s:s, s:s#, s:s#}", "pending", "email",
                             "email", j->in.email.data, j->in.email.len,
                             "login", j->in.login.data, j->in.login.len);

            if (body != NULL && j->licence.outcome != HD_LICENCE_NONE) {
                json_object_set_new(body, "licence",
                    json_pack("{s:s, s:s#}", "outcome",
                              ngx_http_helpdesk_licence_names[
                                  j->licence.outcome],
                              "certificate", j->licence.number.data,
                              j->licence.number.len));
            }

            return ngx_http_helpdesk_send_json(r, NGX_HTTP_ACCEPTED, body);
        }

        if (j->licence.outcome == HD_LICENCE_CONFLICT) {
            hd_val_t  *view;

            view = ngx_http_helpdesk_view(r, ctx, "register.licence_title");
            if (view == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            hd_val_set_str(&ctx->pool, view, "certificate",
                           j->licence.number.data, j->licence.number.len);
            hd_val_set_bool(&ctx->pool, view, "conflict", 1);
            hd_val_set_bool(&ctx->pool, view, "pending", 1);
            hd_val_set_str(&ctx->pool, view, "email", j->in.email.data,
                           j->in.email.len);

            return ngx_http_helpdesk_render(r, ctx, "pages/register_licence",
                                            view, NGX_HTTP_ACCEPTED);
        }

        return ngx_http_helpdesk_message(r, ctx, "register.pending_title",
                                         "register.pending", NULL, NULL,
                                         NGX_HTTP_ACCEPTED);
    }

    if (j->licence.outcome != HD_LICENCE_NONE) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "helpdesk: account %uL registered with licence %*s: %s",
                      j->id, j->licence.number.len, j->licence.number.data,
                      ngx_http_helpdesk_licence_names[j->licence.outcome]);
    }

    if (ctx->api) {
        json_t  *body, *lic;

        body = json_pack("{s:I, s:s#, s:s#, s:s#}",
                         "id", (json_int_t) j->id,
                         "email", j->in.email.data, j->in.email.len,
                         "login", j->in.login.data, j->in.login.len,
                         "name", j->in.name.data, j->in.name.len);

        if (body != NULL && j->licence.outcome != HD_LICENCE_NONE) {
            lic = json_pack("{s:s, s:s#}", "outcome",
                            ngx_http_helpdesk_licence_names[j->licence.outcome],
                            "certificate", j->licence.number.data,
                            j->licence.number.len);

            if (lic != NULL && j->licence.outcome == HD_LICENCE_REGISTERED) {
                json_object_set_new(lic, "company",
                                    json_integer((json_int_t)
                                                 j->licence.company_id));
            }

            json_object_set_new(body, "licence", lic);
        }

        return ngx_http_helpdesk_send_json(r, NGX_HTTP_CREATED, body);
    }

    if (ngx_http_helpdesk_start_session(r, ctx, &j->session) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the account is made; the licence's conflict is the next page */
    if (j->licence.outcome == HD_LICENCE_CONFLICT
        || j->licence.outcome == HD_LICENCE_LATER)
    {
        hd_val_t  *view;

        view = ngx_http_helpdesk_view(r, ctx, "register.licence_title");
        if (view == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        hd_val_set_str(&ctx->pool, view, "certificate",
                       j->licence.number.data, j->licence.number.len);
        hd_val_set_bool(&ctx->pool, view, "conflict",
                        j->licence.outcome == HD_LICENCE_CONFLICT);

        return ngx_http_helpdesk_render(r, ctx, "pages/register_licence",
                                        view, NGX_HTTP_OK);
    }

    return ngx_http_helpdesk_go(r, ctx,
                                j->licence.outcome == HD_LICENCE_REGISTERED
                                ? "company" : ngx_http_helpdesk_home(r, ctx),
                                j->licence.outcome == HD_LICENCE_REGISTERED
                                ? "registered_company" : "registered");
}


/* the outcomes as the API and the log name them */
const char  *ngx_http_helpdesk_licence_names[] = {
    "none", "registered", "conflict", "after_confirmation"
};


ngx_int_t
ngx_http_helpdesk_register(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    int                                lang;
    hd_str_t                           v[10];
    ngx_http_helpdesk_register_job_t  *j;

    if (ngx_http_helpdesk_input_fields(r, ctx,
                                       ngx_http_helpdesk_register_fields, v)
        != NGX_OK)
    {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_account_input_init(&j->in);
    j->in.email = v[0];
    j->in.login = v[1];
    j->in.password = v[2];
    j->in.name = v[3];
    j->in.phone = v[4];
    j->in.organisation = v[5];
    j->in.language = ctx->lang;
    j->licence.number = v[7];
    j->licence.code = v[8];
    /* the company is the organisation named above unless named apart */
    j->licence.company = v[9].len ? v[9] : v[5];

    if (v[6].len) {
        lang = hd_lang_from_code(v[6].data, v[6].len);

        if (lang < 0) {
            hd_errors_add(&j->job.errors, "language", "language_invalid");

        } else {
            j->in.language = lang;
        }
    }

    /* what can be told at once is told without hashing a password */
    hd_account_validate(&j->in, 1, &j->job.errors);

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_register_page);
    }

    j->login = !ctx->api;
    ngx_http_helpdesk_client(r, &j->address, &j->agent);

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_register_work,
                                     ngx_http_helpdesk_register_done, j);
}


/* --- logging in and out -------------------------------------------------- */


ngx_int_t
ngx_http_helpdesk_login_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    if (ctx->caller.account != NULL) {
        return ngx_http_helpdesk_go(r, ctx, ngx_http_helpdesk_home(r, ctx),
                                    NULL);
    }

    return ngx_http_helpdesk_login_page(r, ctx, NULL, NGX_HTTP_OK);
}


static ngx_int_t
ngx_http_helpdesk_login_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    hd_val_t   *view;
    ngx_str_t   next;

    static const char  *echo[] = { "login", "next", NULL };

    view = ngx_http_helpdesk_view(r, ctx, "login.title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);

    /* the page asked for before the login, kept through the form */
    if (r->method == NGX_HTTP_GET
        && ngx_http_arg(r, (u_char *) "next", 4, &next) == NGX_OK)
    {
        hd_val_t  *values = hd_val_get(view, "values", 6);
        u_char    *dst, *src, *p;

        p = dst = ngx_pnalloc(r->pool, next.len);
        if (p != NULL) {
            src = next.data;
            ngx_unescape_uri(&dst, &src, next.len, 0);
            hd_val_set_str(&ctx->pool, values, "next", p, dst - p);
        }
    }

    return ngx_http_helpdesk_render(r, ctx, "pages/login", view, status);
}


static void
ngx_http_helpdesk_login_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_login_job_t  *j = data;

    j->job.rc = hd_auth_login(&j->job.portal, &j->in, j->job.now, &j->res,
                              &j->job.err);
    j->job.retry_after = j->res.retry_after;
}


static ngx_int_t
ngx_http_helpdesk_login_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    hd_str_t                        next;
    hd_txn_t                        txn;
    ngx_str_t                       path;
    hd_err_t                        err;
    hd_val_t                       *view, *account;
    hd_viewer_t                     viewer;
    hd_account_t                    a;
    ngx_http_helpdesk_login_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_login_page);
    }

    if (ngx_http_helpdesk_start_session(r, ctx, &j->res) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the API: the token its requests carry, and who signed in */
    if (ctx->api) {
        hd_err_clear(&err);
        ngx_http_helpdesk_viewer(r, ctx, &viewer);
        view = hd_val_map(&ctx->pool);
        account = NULL;

        if (view == NULL
            || hd_view_account(ctx->mcf->store, &viewer, j->res.account,
                               &ctx->pool, &account, &err)
               != HD_OK)
        {
            return ngx_http_helpdesk_fail(r, ctx, &err);
        }

        hd_val_set_cstr(&ctx->pool, view, "csrf_token", j->res.csrf);
        hd_val_set(&ctx->pool, view, "account", account);

        return ngx_http_helpdesk_view_send(r, ctx, view, NULL, NULL, NULL,
                                           NGX_HTTP_OK);
    }

    if (ngx_http_helpdesk_input_str(ctx, "next", &next) == NGX_OK
        && next.data != NULL)
    {
        path.data = next.data;
        path.len = next.len;

        if (ngx_http_helpdesk_local_path(ctx, &path) == NGX_OK) {
            return ngx_http_helpdesk_redirect(r, path.data, path.len);
        }
    }

    /* where people work: staff their queue, customers their tickets (an
       invitation to a company first) */
    path.data = (u_char *) ngx_http_helpdesk_home(r, ctx);

    if (ngx_strcmp(path.data, "profile") == 0
        && hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                        NULL)
           == HD_OK)
    {
        path.data = (u_char *) (hd_account_get(&txn, j->res.account, &a)
                                    == HD_OK
                                && hd_account_is_staff(&a)
                                ? "staff/tickets" : "tickets");
        hd_txn_abort(&txn);
    }

    return ngx_http_helpdesk_go(r, ctx, (char *) path.data, NULL);
}


ngx_int_t
ngx_http_helpdesk_login(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t                        v[2];
    ngx_http_helpdesk_login_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "login", HD_EMAIL_MAX_BYTES, 0 },
        { "password", HD_PASSWORD_MAX_BYTES, 1 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (v[0].len == 0) {
        hd_errors_add(&j->job.errors, "login", "login_required");
    }

    if (v[1].len == 0) {
        hd_errors_add(&j->job.errors, "password", "password_required");
    }

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_login_page);
    }

    j->in.who = v[0];
    j->in.password = v[1];
    ngx_http_helpdesk_client(r, &j->in.address, &j->in.agent);

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_login_work,
                                     ngx_http_helpdesk_login_done, j);
}


/* the session's cookie, and the account's language for this browser */
static ngx_int_t
ngx_http_helpdesk_start_session(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_login_result_t *res)
{
    if (ngx_http_helpdesk_set_cookie(r, ctx, "hd_session", res->token,
                                     ctx->mcf->session_absolute)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (res->language < HD_LANG_COUNT) {
        ctx->lang = (hd_lang_e) res->language;
        return ngx_http_helpdesk_set_cookie(r, ctx, "hd_lang",
                                            hd_langs[res->language].code,
                                            365 * 24 * 3600);
    }

    return NGX_OK;
}


static void
ngx_http_helpdesk_logout_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_mail_job_t  *j = data;

    j->job.rc = hd_auth_logout(&j->job.portal, j->session, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_logout_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_mail_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_fail(r, ctx, &j->job.err);
    }

    ngx_http_helpdesk_set_cookie(r, ctx, "hd_session", NULL, 0);

    return ngx_http_helpdesk_saved(r, ctx, NULL, 0, NGX_HTTP_NO_CONTENT, "",
                                   "logged_out");
}


ngx_int_t
ngx_http_helpdesk_logout(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_http_helpdesk_mail_job_t  *j;

    if (!ctx->caller.has_session) {
        /* a bearer token has no session to end */
        return ngx_http_helpdesk_saved(r, ctx, NULL, 0, NGX_HTTP_NO_CONTENT,
                                       "", NULL);
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(j->session, ctx->caller.session, HD_SHA256_LEN);

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_logout_work,
                                     ngx_http_helpdesk_logout_done, j);
}


/* --- password reset ------------------------------------------------------ */


ngx_int_t
ngx_http_helpdesk_forgot_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_forgot_page(r, ctx, NULL, NGX_HTTP_OK);
}


static ngx_int_t
ngx_http_helpdesk_forgot_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    hd_val_t  *view;

    static const char  *echo[] = { "email", NULL };

    view = ngx_http_helpdesk_view(r, ctx, "forgot.title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);

    return ngx_http_helpdesk_render(r, ctx, "pages/password_forgot", view,
                                    status);
}


static void
ngx_http_helpdesk_forgot_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_mail_job_t  *j = data;

    j->job.rc = hd_auth_reset_request(&j->job.portal, &j->email, &j->address,
                                      j->job.now, &j->job.retry_after,
                                      &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_forgot_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_mail_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_forgot_page);
    }

    /* the same answer whether or not the address has an account */
    if (ctx->api) {
        return ngx_http_helpdesk_send_json(r, NGX_HTTP_ACCEPTED,
                                           json_pack("{s:s}", "status",
                                                     "sent"));
    }

    return ngx_http_helpdesk_message(r, ctx, "forgot.title",
                                     "forgot.sent", "login",
                                     "forgot.back_to_login", NGX_HTTP_OK);
}


ngx_int_t
ngx_http_helpdesk_forgot(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t                       v[1];
    ngx_http_helpdesk_mail_job_t  *j;

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

    if (v[0].len == 0) {
        hd_errors_add(&j->job.errors, "email", "email_required");
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_forgot_page);
    }

    j->email = v[0];
    j->address.data = r->connection->addr_text.data;
    j->address.len = r->connection->addr_text.len;

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_forgot_work,
                                     ngx_http_helpdesk_forgot_done, j);
}


ngx_int_t
ngx_http_helpdesk_reset_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t  token;

    if (ngx_http_helpdesk_secret_arg(r, "token", &token) != NGX_OK
        || hd_auth_link_check(&ctx->portal, HD_TOKEN_PASSWORD_RESET, &token,
                              ngx_time(), &ctx->pool, NULL)
           != HD_OK)
    {
        return ngx_http_helpdesk_message(r, ctx, "reset.title",
                                         "reset.invalid", "password/forgot",
                                         "reset.ask_again",
                                         NGX_HTTP_NOT_FOUND);
    }

    /* the token goes on in the form, not in a link */
    if (ngx_http_helpdesk_input_set(r, ctx,
                                    json_pack("{s:s#}", "token", token.data,
                                              token.len))
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_helpdesk_reset_page(r, ctx, NULL, NGX_HTTP_OK);
}


static ngx_int_t
ngx_http_helpdesk_reset_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    hd_val_t  *view;

    static const char  *echo[] = { "token", NULL };

    if (errors != NULL && errors->n
        && ngx_strcmp(errors->item[0].code, "token_invalid") == 0)
    {
        return ngx_http_helpdesk_message(r, ctx, "reset.title",
                                         "reset.invalid", "password/forgot",
                                         "reset.ask_again", status);
    }

    view = ngx_http_helpdesk_view(r, ctx, "reset.title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);

    return ngx_http_helpdesk_render(r, ctx, "pages/password_reset", view,
                                    status);
}


static void
ngx_http_helpdesk_reset_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_mail_job_t  *j = data;

    j->job.rc = hd_auth_reset_complete(&j->job.portal, &j->token,
                                       &j->password, j->job.now,
                                       &j->job.errors, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_reset_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_mail_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_reset_page);
    }

    if (ctx->api) {
        return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
                                           json_pack("{s:s}", "status",
                                                     "changed"));
    }

    return ngx_http_helpdesk_go(r, ctx, "login", "password_reset");
}


ngx_int_t
ngx_http_helpdesk_reset(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t                       v[3];
    ngx_http_helpdesk_mail_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "token", 64, 0 },
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
                                            ngx_http_helpdesk_reset_page);
    }

    j->token = v[0];
    j->password = v[1];

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_reset_work,
                                     ngx_http_helpdesk_reset_done, j);
}


/* --- e-mail confirmation ------------------------------------------------- */


/*
 * The link in the mail opens a page with a button: mail scanners that
 * follow links must not confirm anything
 */
ngx_int_t
ngx_http_helpdesk_confirm_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t    token, email;
    hd_val_t   *view;
    ngx_uint_t  own, registration;

    static const char  *echo[] = { "token", NULL };

    /* a new address, or the account's own to prove */
    own = 0;
    registration = 0;

    if (ngx_http_helpdesk_secret_arg(r, "token", &token) != NGX_OK
        || (hd_auth_link_check(&ctx->portal, HD_TOKEN_EMAIL_CHANGE, &token,
                               ngx_time(), &ctx->pool, &email)
            != HD_OK
            && (own = 1,
                hd_auth_link_check(&ctx->portal, HD_TOKEN_EMAIL_CONFIRM,
                                   &token, ngx_time(), &ctx->pool, &email)
                != HD_OK)
            && (email.len = 0, email.data = NULL,
                hd_auth_link_check(&ctx->portal, HD_TOKEN_CLAIM, &token,
                                   ngx_time(), &ctx->pool, NULL)
                != HD_OK)
            && (registration = 1,
                hd_auth_link_check(&ctx->portal, HD_TOKEN_REGISTER, &token,
                                   ngx_time(), &ctx->pool, NULL)
                != HD_OK)))
    {
        return ngx_http_helpdesk_message(r, ctx, "confirm.title",
                                         "confirm.invalid", "profile",
                                         "confirm.to_profile",
                                         NGX_HTTP_NOT_FOUND);
    }

    if (ngx_http_helpdesk_input_set(r, ctx,
                                    json_pack("{s:s#}", "token", token.data,
                                              token.len))
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    view = ngx_http_helpdesk_view(r, ctx, "confirm.title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, NULL);
    hd_val_set_str(&ctx->pool, view, "new_email", email.data, email.len);
    hd_val_set_bool(&ctx->pool, view, "own", own && !registration);
    hd_val_set_bool(&ctx->pool, view, "registration", registration);

    return ngx_http_helpdesk_render(r, ctx, "pages/email_confirm", view,
                                    NGX_HTTP_OK);
}


static void
ngx_http_helpdesk_confirm_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_mail_job_t  *j = data;

    /* a registration's link makes the account and logs its person in */
    j->job.rc = hd_auth_register_confirm(&j->job.portal, &j->token,
                                         j->job.now, &j->created, &j->company,
                                         &j->job.err);

    if (j->job.rc == HD_OK) {
        j->job.rc = hd_auth_start_session(&j->job.portal, j->created,
                                          &j->address, &j->agent, j->job.now,
                                          &j->login, &j->job.err);
        return;
    }

    if (j->job.rc != HD_NOT_FOUND) {
        return;
    }

    hd_err_clear(&j->job.err);

    j->job.rc = hd_auth_email_confirm(&j->job.portal, &j->token, j->job.now,
                                      &j->email, &j->arena->pool,
                                      &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_confirm_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_mail_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        if (ctx->api) {
            return ngx_http_helpdesk_job_failed(r, ctx, &j->job, NULL);
        }

        return ngx_http_helpdesk_message(r, ctx, "confirm.title",
                                         j->job.rc == HD_CONFLICT
                                         ? (j->job.err.code != NULL
                                            && ngx_strcmp(j->job.err.code,
                                                          "login_taken") == 0
                                            ? "confirm.login_taken"
                                            : "confirm.taken")
                                         : "confirm.invalid",
                                         "profile", "confirm.to_profile",
                                         ngx_http_helpdesk_status(j->job.rc));
    }

    if (j->created) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "helpdesk: account %uL registered%s", j->created,
                      j->company ? " with its licence" : "");

        if (ngx_http_helpdesk_start_session(r, ctx, &j->login) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (ctx->api) {
            return ngx_http_helpdesk_send_json(r, NGX_HTTP_CREATED,
                       json_pack("{s:I, s:s, s:I}", "id",
                                 (json_int_t) j->created, "csrf_token",
                                 j->login.csrf, "company",
                                 (json_int_t) j->company));
        }

        return ngx_http_helpdesk_go(r, ctx, j->company ? "company"
                                                       : "tickets/new",
                                    j->company ? "registered_company"
                                               : "registered");
    }

    if (ctx->api) {
        return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
                   json_pack("{s:s#}", "email", j->email.data, j->email.len));
    }

    return ngx_http_helpdesk_go(r, ctx, ctx->caller.account ? "profile"
                                                             : "login",
                                "email_changed");
}


ngx_int_t
ngx_http_helpdesk_confirm(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t                       v[1];
    ngx_http_helpdesk_mail_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "token", 64, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the new address is copied in the thread: a pool of its own there */
    j->arena = ngx_http_helpdesk_arena(r, 256);
    if (j->arena == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->token = v[0];
    ngx_http_helpdesk_client(r, &j->address, &j->agent);

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_confirm_work,
                                     ngx_http_helpdesk_confirm_done, j);
}

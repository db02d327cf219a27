/*
 * Who is calling and may they: the session cookie or a personal API token,
 * CSRF tokens (the session's, or a visitor's double-submit cookie), the
 * cookies the portal sets, and the portal's surroundings for core flows.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_auth.h"


#define NGX_HTTP_HELPDESK_TOUCH_EVERY  300      /* seconds */


static void ngx_http_helpdesk_touch(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);


void
ngx_http_helpdesk_portal_init(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_portal_t                    *p = &ctx->portal;
    ngx_http_helpdesk_main_conf_t  *mcf = ctx->mcf;

    p->store = mcf->store;
    p->templates = ctx->lcf->templates;
    p->login_limit = mcf->login_limit;
    p->mail_limit = mcf->mail_limit;
    p->address_limit = mcf->address_limit;
    p->probe_limit = mcf->probe_limit;
    p->session.idle = mcf->session_idle;
    p->session.absolute = mcf->session_absolute;
    p->tickets = mcf->tickets;
    p->files = mcf->files_dir;
    p->mail_from = mcf->smtp ? mcf->smtp->from_address : NULL;
    p->authserv_ids = mcf->authserv_ids;
    p->nauthserv = mcf->nauthserv;
    p->base_url.len = 0;
    p->base_url.data = NULL;
}


/*
 * The portal's public address for links in e-mail: helpdesk_url, or this
 * server's own address and port; never the client's Host header, which
 * anyone can set (reset links would point to an attacker's site)
 */
ngx_int_t
ngx_http_helpdesk_base_url(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    u_char      *p;
    size_t       len;
    ngx_str_t    addr;
    u_char       text[NGX_SOCKADDR_STRLEN];

    if (ctx->lcf->url.len) {
        ctx->portal.base_url.data = ctx->lcf->url.data;
        ctx->portal.base_url.len = ctx->lcf->url.len;
        return NGX_OK;
    }

    if (ngx_connection_local_sockaddr(r->connection, NULL, 0) != NGX_OK) {
        return NGX_ERROR;
    }

    addr.data = text;
    addr.len = ngx_sock_ntop(r->connection->local_sockaddr,
                             r->connection->local_socklen, text,
                             NGX_SOCKADDR_STRLEN, 1);

    len = sizeof("https://") - 1 + addr.len + ctx->lcf->mount.len;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ctx->portal.base_url.data = p;

#if (NGX_HTTP_SSL)
    if (r->connection->ssl) {
        p = ngx_sprintf(p, "https://%V%V", &addr, &ctx->lcf->mount);
    } else
#endif
    {
        p = ngx_sprintf(p, "http://%V%V", &addr, &ctx->lcf->mount);
    }

    ctx->portal.base_url.len = p - ctx->portal.base_url.data;

    return NGX_OK;
}


/*
 * Fills ctx->caller from a bearer token or the session cookie: a gate. A
 * bad bearer token is answered 401 here; an expired session cookie is
 * cleared and the request goes on as a visitor's.
 */
ngx_int_t
ngx_http_helpdesk_identify(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_rc             rc;
    time_t            every;
    hd_err_t          err;
    hd_txn_t          txn;
    ngx_str_t         cookie, *auth;

    if (r->headers_in.authorization != NULL) {
        auth = &r->headers_in.authorization->value;

        if (auth->len > 7
            && ngx_strncasecmp(auth->data, (u_char *) "Bearer ", 7) == 0)
        {
            rc = hd_txn_begin(ctx->mcf->store, &txn,
                              HD_TXN_READ | HD_TXN_CACHED, &err);
            if (rc != HD_OK) {
                return ngx_http_helpdesk_answered(ctx,
                           ngx_http_helpdesk_fail(r, ctx, &err));
            }

            rc = hd_auth_api_token(&txn, auth->data + 7, auth->len - 7,
                                   &ctx->pool, &ctx->caller);
            hd_txn_abort(&txn);

            if (rc != HD_OK) {
                ngx_http_helpdesk_add_header(r, "WWW-Authenticate",
                                             (u_char *) "Bearer", 6);
                return ngx_http_helpdesk_answered(ctx,
                           ngx_http_helpdesk_error(r, ctx,
                                                   NGX_HTTP_UNAUTHORIZED,
                                                   "token_invalid", NULL));
            }

            ctx->via_token = 1;
            ngx_http_helpdesk_caller_language(ctx);

            return NGX_OK;
        }
    }

    if (ngx_http_helpdesk_cookie(r, "hd_session", &cookie) != NGX_OK) {
        return NGX_OK;
    }

    rc = hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                      &err);
    if (rc != HD_OK) {
        return ngx_http_helpdesk_answered(ctx,
                                          ngx_http_helpdesk_fail(r, ctx, &err));
    }

    rc = hd_auth_session(&txn, &ctx->portal, cookie.data, cookie.len,
                         ngx_time(), &ctx->pool, &ctx->caller);
    hd_txn_abort(&txn);

    if (rc != HD_OK && rc != HD_NOT_FOUND) {
        /* the store failed, the session did not: it stays, this request
           is answered 503 and the reason logged */
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "helpdesk: a session could not be read: %s",
                      hd_rc_name(rc));
        ngx_memzero(&ctx->caller, sizeof(hd_caller_t));
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx,
                                           NGX_HTTP_SERVICE_UNAVAILABLE,
                                           "storage_unavailable", NULL));
    }

    if (rc != HD_OK) {
        /* ended, expired or forged: the browser forgets it */
        ngx_http_helpdesk_set_cookie(r, ctx, "hd_session", NULL, 0);
        ngx_memzero(&ctx->caller, sizeof(hd_caller_t));
        return NGX_OK;
    }

    ngx_http_helpdesk_caller_language(ctx);

    /*
     * the last use is written at most every few minutes, but often enough
     * that a short idle lifetime never ends a session in use
     */
    every = ngx_min(NGX_HTTP_HELPDESK_TOUCH_EVERY, ctx->mcf->session_idle / 2);

    if ((uint64_t) ngx_time() >= ctx->caller.seen + (uint64_t) every) {
        ngx_http_helpdesk_touch(r, ctx);
    }

    return NGX_OK;
}


/* a logged-in account's language, unless this browser chose another */
void
ngx_http_helpdesk_caller_language(ngx_http_helpdesk_ctx_t *ctx)
{
    if (!ctx->lang_chosen && ctx->caller.account != NULL
        && ctx->caller.account->language < HD_LANG_COUNT)
    {
        ctx->lang = (hd_lang_e) ctx->caller.account->language;
    }
}


typedef struct {
    hd_portal_t    portal;
    hd_uchar       session[HD_SHA256_LEN];
    uint64_t       now;
} ngx_http_helpdesk_touch_t;


static void
ngx_http_helpdesk_touch_work(void *data, ngx_log_t *log)
{
    hd_err_t                    err;
    ngx_http_helpdesk_touch_t  *t = data;

    if (hd_auth_touch(&t->portal, t->session, t->now, &err) != HD_OK) {
        ngx_log_error(NGX_LOG_ERR, log, 0, "helpdesk: session touch: %s",
                      err.text);
    }
}


/* the session's last use, kept in the background: idle expiry needs it */
static void
ngx_http_helpdesk_touch(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_http_helpdesk_touch_t  t;

    t.portal = ctx->portal;
    t.now = ngx_time();
    ngx_memcpy(t.session, ctx->caller.session, HD_SHA256_LEN);

    (void) ngx_http_helpdesk_background(ctx->mcf, r->connection->log,
                                        ngx_http_helpdesk_touch_work, &t,
                                        sizeof(t));
}


/*
 * Sets (value) or clears (NULL) one of the portal's cookies: HttpOnly,
 * SameSite=Lax, Secure over TLS, for the portal's path
 */
ngx_int_t
ngx_http_helpdesk_set_cookie(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const char *name, const char *value,
    time_t max_age)
{
    u_char  *cookie, *p;
    size_t   len;

    len = ngx_strlen(name) + (value ? ngx_strlen(value) : 0)
          + ctx->lcf->mount.len
          + sizeof("=; Path=; Max-Age=; SameSite=Lax; HttpOnly; Secure") - 1
          + NGX_TIME_T_LEN;

    cookie = ngx_pnalloc(r->pool, len);
    if (cookie == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(cookie, "%s=%s; Path=%V; Max-Age=%T; SameSite=Lax; "
                    "HttpOnly", name, value ? value : "", &ctx->lcf->mount,
                    value ? max_age : (time_t) 0);

#if (NGX_HTTP_SSL)
    if (r->connection->ssl) {
        p = ngx_cpymem(p, "; Secure", 8);
    }
#endif

    return ngx_http_helpdesk_add_header(r, "Set-Cookie", cookie, p - cookie);
}


/*
 * The CSRF token forms carry: the session's, or for a visitor a random one
 * also set as a cookie (double submit: another site can make the browser
 * send the cookie but cannot read it to put it in the form)
 */
ngx_str_t *
ngx_http_helpdesk_csrf_token(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_uchar   raw[HD_TOKEN_LEN];
    ngx_str_t  cookie;

    if (ctx->csrf.len) {
        return &ctx->csrf;
    }

    if (ctx->caller.has_session) {
        ctx->csrf.data = ctx->caller.csrf.data;
        ctx->csrf.len = ctx->caller.csrf.len;
        return &ctx->csrf;
    }

    if (ngx_http_helpdesk_cookie(r, "hd_csrf", &cookie) == NGX_OK
        && cookie.len == HD_TOKEN_TEXT_LEN)
    {
        ctx->csrf = cookie;
        return &ctx->csrf;
    }

    ctx->csrf.data = ngx_pnalloc(r->pool, HD_TOKEN_TEXT_LEN + 1);
    if (ctx->csrf.data == NULL || hd_token_new(raw, (char *) ctx->csrf.data)
                                  != 0)
    {
        return NULL;
    }

    ctx->csrf.len = HD_TOKEN_TEXT_LEN;

    ngx_http_helpdesk_set_cookie(r, ctx, "hd_csrf", (char *) ctx->csrf.data,
                                 24 * 3600);

    return &ctx->csrf;
}


/*
 * Unsafe requests carry the CSRF token: forms as the field "csrf", the API
 * as X-CSRF-Token when it acts with the session cookie's authority (a
 * bearer token is not sent by browsers on their own; API routes open to
 * visitors, such as logging in, prove themselves otherwise and take JSON
 * only, which another site cannot send without CORS). A gate.
 */
ngx_int_t
ngx_http_helpdesk_csrf_check(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t          given;
    ngx_str_t         expected, cookie;
    ngx_table_elt_t  *h;

    if (ctx->api) {
        /* a session's cookie goes along with any request a browser
           makes: what acts for it needs the token the page was given */
        if (!ctx->caller.has_session
            || !(ctx->route->flags
                 & (NGX_HTTP_HELPDESK_AUTH|NGX_HTTP_HELPDESK_CSRF)))
        {
            return NGX_OK;
        }

        h = ngx_http_helpdesk_header(r, "X-CSRF-Token");
        given.data = h ? h->value.data : NULL;
        given.len = h ? h->value.len : 0;

        expected.data = ctx->caller.csrf.data;
        expected.len = ctx->caller.csrf.len;

    } else {
        if (ngx_http_helpdesk_input_str(ctx, "csrf", &given) != NGX_OK) {
            given.len = 0;
        }

        if (ctx->caller.has_session) {
            expected.data = ctx->caller.csrf.data;
            expected.len = ctx->caller.csrf.len;

        } else if (ngx_http_helpdesk_cookie(r, "hd_csrf", &cookie)
                   == NGX_OK)
        {
            expected = cookie;

        } else {
            expected.len = 0;
        }
    }

    if (expected.len == HD_TOKEN_TEXT_LEN && given.len == expected.len
        && hd_ct_equal(given.data, expected.data, expected.len))
    {
        return NGX_OK;
    }

    return ngx_http_helpdesk_answered(ctx,
               ngx_http_helpdesk_error(r, ctx, NGX_HTTP_FORBIDDEN,
                                       "csrf_invalid", NULL));
}


/*
 * A secret in the query string (a reset or confirmation link) is copied
 * out and overwritten in the request line, so that neither the access log
 * nor the error log ever shows it
 */
ngx_int_t
ngx_http_helpdesk_secret_arg(ngx_http_request_t *r, const char *name,
    hd_str_t *value)
{
    u_char     *copy;
    ngx_str_t   arg;

    value->data = NULL;
    value->len = 0;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &arg) != NGX_OK) {
        return NGX_DECLINED;
    }

    copy = ngx_pnalloc(r->pool, arg.len + 1);
    if (copy == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(copy, arg.data, arg.len);
    copy[arg.len] = '\0';

    /* the argument lies inside the request line's buffer */
    ngx_memset(arg.data, '*', arg.len);

    value->data = copy;
    value->len = arg.len;

    return NGX_OK;
}

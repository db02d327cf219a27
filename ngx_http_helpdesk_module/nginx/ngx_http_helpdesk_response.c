/*
 * Responses: pages rendered from templates straight into nginx buffers, JSON,
 * errors (JSON for the API, a page for people, in one place), redirects and
 * the security headers every response carries.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_json.h"


#define NGX_HTTP_HELPDESK_OUT_BUF  8192




static ngx_inline void
ngx_http_helpdesk_2d(u_char *p, ngx_uint_t n)
{
    p[0] = (u_char) ('0' + n / 10 % 10);
    p[1] = (u_char) ('0' + n % 10);
}


/* a core result as an HTTP status: the one place where this is decided */
static const ngx_uint_t  ngx_http_helpdesk_rc_status[] = {
    NGX_HTTP_OK,                        /* HD_OK */
    NGX_HTTP_NOT_FOUND,                 /* HD_NOT_FOUND */
    NGX_HTTP_CONFLICT,                  /* HD_CONFLICT */
    422,                                /* HD_INVALID */
    NGX_HTTP_FORBIDDEN,                 /* HD_FORBIDDEN */
    NGX_HTTP_CONFLICT,                  /* HD_LIMIT */
    NGX_HTTP_TOO_MANY_REQUESTS,         /* HD_RATE_LIMITED */
    507,                                /* HD_FULL */
    NGX_HTTP_INTERNAL_SERVER_ERROR,     /* HD_IO */
    NGX_HTTP_INTERNAL_SERVER_ERROR,     /* HD_CORRUPT */
    NGX_HTTP_INTERNAL_SERVER_ERROR,     /* HD_NOMEM */
    NGX_HTTP_SERVICE_UNAVAILABLE,       /* HD_BUSY */
    NGX_HTTP_UNAUTHORIZED               /* HD_UNAUTHORIZED */
};


static void ngx_http_helpdesk_view_caller(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_val_t *view);
static ngx_int_t ngx_http_helpdesk_errors(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_uint_t status, hd_errors_t *errors);


static ngx_str_t  ngx_http_helpdesk_csp = ngx_string(
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'");


static int
ngx_http_helpdesk_out_write(hd_tpl_out_t *o, const hd_uchar *data,
    size_t len)
{
    size_t                    n;
    ngx_buf_t                *b;
    ngx_chain_t              *cl;
    ngx_http_helpdesk_out_t  *out = (ngx_http_helpdesk_out_t *) o;

    out->total += len;

    while (len) {
        b = out->buf;

        if (b == NULL || b->last == b->end) {
            b = ngx_create_temp_buf(out->pool, NGX_HTTP_HELPDESK_OUT_BUF);
            if (b == NULL) {
                return -1;
            }

            cl = ngx_alloc_chain_link(out->pool);
            if (cl == NULL) {
                return -1;
            }

            cl->buf = b;
            cl->next = NULL;
            *out->last = cl;
            out->last = &cl->next;
            out->buf = b;
        }

        n = ngx_min(len, (size_t) (b->end - b->last));
        b->last = ngx_cpymem(b->last, data, n);
        data += n;
        len -= n;
    }

    return 0;
}


const hd_str_t *
ngx_http_helpdesk_text(ngx_http_helpdesk_ctx_t *ctx, const char *key)
{
    return hd_i18n_text(ctx->lcf->templates->catalog[ctx->lang], key);
}


hd_val_t *
ngx_http_helpdesk_view(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx,
    const char *title_key)
{
    u_char          *href, *p;
    size_t           len, esc;
    hd_val_t        *view, *langs, *item;
    hd_pool_t       *pool = &ctx->pool;
    ngx_uint_t       i;
    const hd_str_t  *title;

    view = hd_val_map(pool);
    langs = hd_val_list(pool);

    if (view == NULL || langs == NULL) {
        return NULL;
    }

    hd_val_set_str(pool, view, "base", ctx->lcf->mount.data,
                   ctx->lcf->mount.len);
    hd_val_set_cstr(pool, view, "lang", hd_langs[ctx->lang].code);
    hd_val_set(pool, view, "t", ctx->lcf->templates->catalog[ctx->lang]);

    ngx_http_helpdesk_brand_view(ctx, view);

    /* the staff desk and the administration use the whole width */
    if (ctx->route != NULL
        && (ctx->route->flags & (NGX_HTTP_HELPDESK_STAFF
                                 | NGX_HTTP_HELPDESK_ADMIN)))
    {
        hd_val_set_bool(pool, view, "wide", 1);
    }

    if (title_key != NULL) {
        title = ngx_http_helpdesk_text(ctx, title_key);
        if (title != NULL) {
            hd_val_set_str(pool, view, "title", title->data, title->len);
        }
    }

    /* the other languages, each a link that comes back to this page */

    esc = ngx_escape_uri(NULL, r->unparsed_uri.data, r->unparsed_uri.len,
                         NGX_ESCAPE_ARGS);

    for (i = 0; i < HD_LANG_COUNT; i++) {
        if (i == ctx->lang) {
            continue;
        }

        len = ctx->lcf->mount.len + sizeof("lang/xx?back=") - 1
              + r->unparsed_uri.len + 2 * esc;

        href = ngx_pnalloc(r->pool, len);
        item = hd_val_map(pool);

        if (href == NULL || item == NULL) {
            return NULL;
        }

        p = ngx_sprintf(href, "%Vlang/%s?back=", &ctx->lcf->mount,
                        hd_langs[i].code);
        p = (u_char *) ngx_escape_uri(p, r->unparsed_uri.data,
                                      r->unparsed_uri.len, NGX_ESCAPE_ARGS);

        hd_val_set_cstr(pool, item, "code", hd_langs[i].code);
        hd_val_set_cstr(pool, item, "name", hd_langs[i].name);
        hd_val_set_str(pool, item, "href", href, p - href);
        hd_val_push(pool, langs, item);
    }

    hd_val_set(pool, view, "other_langs", langs);

    ngx_http_helpdesk_view_caller(r, ctx, view);

    return view;
}


/* who is logged in, the CSRF token of their forms, a notice to show */
static void
ngx_http_helpdesk_view_caller(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_val_t *view)
{
    char             key[64];
    hd_val_t        *user;
    hd_pool_t       *pool = &ctx->pool;
    ngx_str_t        notice;
    hd_account_t    *a = ctx->caller.account;
    const hd_str_t  *text;

    if (a != NULL) {
        user = hd_val_map(pool);
        hd_val_set_str(pool, user, "name", a->name.data, a->name.len);
        hd_val_set_str(pool, user, "login", a->login.data, a->login.len);
        hd_val_set_bool(pool, user, "staff", hd_account_is_staff(a));
        hd_val_set_bool(pool, user, "admin", a->role == HD_ROLE_ADMINISTRATOR);
        hd_val_set(pool, view, "user", user);
    }

    if (ctx->caller.has_session) {
        hd_val_set_str(pool, view, "csrf", ctx->caller.csrf.data,
                       ctx->caller.csrf.len);
    }

    /* the page that confirms the address needs no reminder to do it */
    if (ctx->route == NULL
        || (ctx->route->handler != ngx_http_helpdesk_confirm_form
            && ctx->route->handler != ngx_http_helpdesk_confirm))
    {
        ngx_http_helpdesk_mail_banner(ctx, view);
    }

    /* ?notice=code after a redirect: only texts of the catalogue */
    if (ngx_http_arg(r, (u_char *) "notice", 6, &notice) == NGX_OK
        && notice.len > 0 && notice.len < 40)
    {
        ngx_snprintf((u_char *) key, sizeof(key), "notices.%V%Z", &notice);
        text = ngx_http_helpdesk_text(ctx, key);

        if (text != NULL) {
            hd_val_set_str(pool, view, "notice", text->data, text->len);
        }
    }
}


/*
 * A form's view: the values as they were sent (but passwords), and the
 * errors, each under its field and in a list for the summary at the top
 */
void
ngx_http_helpdesk_view_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_val_t *view, const char **echo,
    hd_errors_t *errors)
{
    char             key[96];
    size_t           i;
    hd_str_t         v;
    hd_val_t        *values, *by_field, *list, *item;
    hd_pool_t       *pool = &ctx->pool;
    ngx_str_t       *csrf;
    const hd_str_t  *text;

    values = hd_val_map(pool);

    for (i = 0; echo != NULL && echo[i] != NULL; i++) {
        if (ngx_http_helpdesk_input_str(ctx, echo[i], &v) == NGX_OK
            && v.data != NULL)
        {
            hd_val_set_str(pool, values, echo[i], v.data, v.len);
        }
    }

    hd_val_set(pool, view, "values", values);

    csrf = ngx_http_helpdesk_csrf_token(r, ctx);
    if (csrf != NULL) {
        hd_val_set_str(pool, view, "csrf", csrf->data, csrf->len);
    }

    if (errors == NULL || errors->n == 0) {
        return;
    }

    by_field = hd_val_map(pool);
    list = hd_val_list(pool);

    for (i = 0; i < errors->n; i++) {
        ngx_snprintf((u_char *) key, sizeof(key), "errors.%s%Z",
                     errors->item[i].code);
        text = ngx_http_helpdesk_text(ctx, key);

        if (text == NULL) {
            text = ngx_http_helpdesk_text(ctx, "errors.invalid");
        }

        if (text == NULL) {
            continue;
        }

        item = hd_val_map(pool);
        hd_val_set_str(pool, item, "message", text->data, text->len);

        if (errors->item[i].field != NULL) {
            hd_val_set_cstr(pool, item, "field", errors->item[i].field);
            hd_val_set_str(pool, by_field, errors->item[i].field, text->data,
                           text->len);
        }

        hd_val_push(pool, list, item);
    }

    hd_val_set(pool, view, "errors", by_field);
    hd_val_set(pool, view, "error_list", list);
    hd_val_set_bool(pool, view, "has_errors", list->u.items.n != 0);
}


/*
 * A time as people read it, in the portal's zone (Moscow, UTC+3, until the
 * calendars make it configurable): "21.11.2026 22:10" or "2026-11-21 22:10"
 */
hd_val_t *
ngx_http_helpdesk_time_text(ngx_http_helpdesk_ctx_t *ctx, uint64_t t)
{
    u_char    *p;
    size_t     len, d;
    ngx_tm_t   tm;

    if (t == 0) {
        return hd_val_cstr(&ctx->pool, "");
    }

    static const char  months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

    p = hd_palloc(&ctx->pool, 17);
    if (p == NULL) {
        return NULL;
    }

    ngx_gmtime((time_t) t + 3 * 3600, &tm);

    /* by hand: pages show a time per row, printf is the slow part;
       "03.12.2026 09:44", "03 Dec 2026 09:44" (never ISO on a page) */
    if (ctx->lang == HD_LANG_RU) {
        ngx_http_helpdesk_2d(p, tm.ngx_tm_mday);
        p[2] = '.';
        ngx_http_helpdesk_2d(p + 3, tm.ngx_tm_mon);
        p[5] = '.';
        ngx_http_helpdesk_2d(p + 6, tm.ngx_tm_year / 100);
        ngx_http_helpdesk_2d(p + 8, tm.ngx_tm_year % 100);
        d = 10;

    } else {
        ngx_http_helpdesk_2d(p, tm.ngx_tm_mday);
        p[2] = ' ';
        ngx_memcpy(p + 3, &months[((tm.ngx_tm_mon - 1) % 12) * 3], 3);
        p[6] = ' ';
        ngx_http_helpdesk_2d(p + 7, tm.ngx_tm_year / 100);
        ngx_http_helpdesk_2d(p + 9, tm.ngx_tm_year % 100);
        d = 11;
    }

    p[d] = ' ';
    ngx_http_helpdesk_2d(p + d + 1, tm.ngx_tm_hour);
    p[d + 3] = ':';
    ngx_http_helpdesk_2d(p + d + 4, tm.ngx_tm_min);
    len = d + 6;

    return hd_val_str(&ctx->pool, p, len);
}


ngx_uint_t
ngx_http_helpdesk_status(hd_rc rc)
{
    if ((size_t) rc >= sizeof(ngx_http_helpdesk_rc_status)
                       / sizeof(ngx_http_helpdesk_rc_status[0]))
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_helpdesk_rc_status[rc];
}


/*
 * A core flow that failed: a form shown again with its errors, the API's
 * JSON error (with every field's error), a 429 with Retry-After, or the
 * error page
 */
ngx_int_t
ngx_http_helpdesk_job_failed(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_http_helpdesk_job_t *job,
    ngx_http_helpdesk_form_pt form)
{
    u_char      *p;
    ngx_uint_t   status;

    status = ngx_http_helpdesk_status(job->rc);

    if (job->rc == HD_RATE_LIMITED && job->retry_after) {
        p = ngx_pnalloc(r->pool, NGX_TIME_T_LEN);
        if (p != NULL) {
            ngx_http_helpdesk_add_header(r, "Retry-After", p,
                                         ngx_sprintf(p, "%uL",
                                                     job->retry_after) - p);
        }
    }

    if (status >= NGX_HTTP_INTERNAL_SERVER_ERROR) {
        return ngx_http_helpdesk_fail(r, ctx, &job->err);
    }

    /* a single error of the flow becomes the form's error */
    if (job->errors.n == 0 && job->err.code != NULL) {
        hd_errors_add(&job->errors, job->err.field, job->err.code);
    }

    if (!ctx->api && form != NULL) {
        return form(r, ctx, &job->errors, status);
    }

    return ngx_http_helpdesk_errors(r, ctx, status, &job->errors);
}


/* every error, as {"error": the first, "errors": [all]} or a page */
static ngx_int_t
ngx_http_helpdesk_errors(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx,
    ngx_uint_t status, hd_errors_t *errors)
{
    char             key[96];
    size_t           i;
    json_t          *all, *e, *first;
    const hd_str_t  *text;

    if (!ctx->api || errors->n == 0) {
        return ngx_http_helpdesk_error(r, ctx, status,
                                       errors->n ? errors->item[0].code
                                                 : "internal",
                                       errors->n ? errors->item[0].field
                                                 : NULL);
    }

    all = json_array();
    first = NULL;

    for (i = 0; i < errors->n; i++) {
        ngx_snprintf((u_char *) key, sizeof(key), "errors.%s%Z",
                     errors->item[i].code);
        text = ngx_http_helpdesk_text(ctx, key);

        e = json_pack("{s:s, s:s#}", "code", errors->item[i].code,
                      "message",
                      text ? (char *) text->data : errors->item[i].code,
                      text ? text->len : ngx_strlen(errors->item[i].code));

        if (e == NULL) {
            continue;
        }

        if (errors->item[i].field != NULL) {
            json_object_set_new(e, "field",
                                json_string(errors->item[i].field));
        }

        if (first == NULL) {
            first = json_deep_copy(e);
        }

        json_array_append_new(all, e);
    }

    return ngx_http_helpdesk_send_json(r, status,
                                       json_pack("{s:o, s:o}", "error",
                                                 first ? first
                                                       : json_object(),
                                                 "errors", all));
}


ngx_int_t
ngx_http_helpdesk_no_content(ngx_http_request_t *r)
{
    ngx_http_helpdesk_security_headers(r);
    ngx_http_helpdesk_add_header(r, "Cache-Control", (u_char *) "no-store", 8);

    r->headers_out.status = NGX_HTTP_NO_CONTENT;
    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    return ngx_http_send_header(r);
}


void
ngx_http_helpdesk_security_headers(ngx_http_request_t *r)
{
    ngx_http_helpdesk_add_header(r, "Content-Security-Policy",
                                 ngx_http_helpdesk_csp.data,
                                 ngx_http_helpdesk_csp.len);
    ngx_http_helpdesk_add_header(r, "X-Content-Type-Options",
                                 (u_char *) "nosniff", 7);
    ngx_http_helpdesk_add_header(r, "Referrer-Policy",
                                 (u_char *) "same-origin", 11);
    ngx_http_helpdesk_add_header(r, "X-Frame-Options", (u_char *) "DENY", 4);
}


ngx_int_t
ngx_http_helpdesk_add_header(ngx_http_request_t *r, const char *name,
    u_char *value, size_t len)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) name;
    h->key.len = ngx_strlen(name);
    h->value.data = value;
    h->value.len = len;

    return NGX_OK;
}


static ngx_int_t
ngx_http_helpdesk_send(ngx_http_request_t *r, ngx_uint_t status,
    const char *type, ngx_chain_t *out, size_t len)
{
    ngx_int_t     rc;
    ngx_chain_t  *cl;

    r->headers_out.status = status;
    r->headers_out.content_length_n = len;
    r->headers_out.content_type.data = (u_char *) type;
    r->headers_out.content_type.len = ngx_strlen(type);
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    ngx_http_helpdesk_security_headers(r);

    if (r->method == NGX_HTTP_HEAD || len == 0) {
        r->header_only = 1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    for (cl = out; cl->next; cl = cl->next) { /* void */ }

    cl->buf->last_buf = (r == r->main) ? 1 : 0;
    cl->buf->last_in_chain = 1;

    return ngx_http_output_filter(r, out);
}


ngx_int_t
ngx_http_helpdesk_render(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx,
    const char *template, hd_val_t *view, ngx_uint_t status)
{
    return ngx_http_helpdesk_render_over(r, ctx, template, NULL, view,
                                         status);
}


/* view over page (the chrome), or view alone */
ngx_int_t
ngx_http_helpdesk_render_over(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const char *template, hd_val_t *page,
    hd_val_t *view, ngx_uint_t status)
{
    int                       rc;
    hd_tpl_t                 *tpl;
    ngx_http_helpdesk_out_t   out;

    tpl = hd_tpl_set_find(ctx->lcf->templates->pages[ctx->lang], template);

    if (tpl == NULL || view == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "helpdesk: cannot render \"%s\"", template);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    out.out.write = ngx_http_helpdesk_out_write;
    out.pool = r->pool;
    out.first = NULL;
    out.last = &out.first;
    out.buf = NULL;
    out.total = 0;

    rc = page != NULL ? hd_tpl_render_over(tpl, page, view, &out.out)
                      : hd_tpl_render(tpl, view, &out.out);

    if (rc != 0 || out.first == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "helpdesk: rendering \"%s\" failed", template);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* a signed-in person's page is theirs: kept by no cache, not even the
       browser's (a shared computer's back button); a visitor's may be
       kept, asked again each time */
    if (ctx->caller.account != NULL || ctx->caller.has_session) {
        ngx_http_helpdesk_add_header(r, "Cache-Control",
                                     (u_char *) "private, no-store", 17);

    } else {
        ngx_http_helpdesk_add_header(r, "Cache-Control",
                                     (u_char *) "private, no-cache", 17);
    }

    return ngx_http_helpdesk_send(r, status, "text/html; charset=utf-8",
                                  out.first, out.total);
}


ngx_int_t
ngx_http_helpdesk_send_bytes(ngx_http_request_t *r, ngx_uint_t status,
    const char *type, u_char *data, size_t len, ngx_uint_t copy)
{
    ngx_buf_t    *b;
    ngx_chain_t  *out;

    b = ngx_calloc_buf(r->pool);
    out = ngx_alloc_chain_link(r->pool);

    if (b == NULL || out == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (copy && len) {
        b->start = ngx_pnalloc(r->pool, len);
        if (b->start == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_memcpy(b->start, data, len);
        b->temporary = 1;

    } else {
        b->start = data;
        b->memory = 1;
    }

    b->pos = b->start;
    b->last = b->start + len;
    b->end = b->last;

    out->buf = b;
    out->next = NULL;

    return ngx_http_helpdesk_send(r, status, type, out, len);
}


/* a JSON writer into the response's buffers */
ngx_http_helpdesk_jw_t *
ngx_http_helpdesk_jw_new(ngx_http_request_t *r)
{
    ngx_http_helpdesk_jw_t  *j;

    j = ngx_palloc(r->pool, sizeof(ngx_http_helpdesk_jw_t));
    if (j != NULL) {
        ngx_http_helpdesk_jw_init(r, j);
    }

    return j;
}


void
ngx_http_helpdesk_jw_init(ngx_http_request_t *r, ngx_http_helpdesk_jw_t *j)
{
    j->out.out.write = ngx_http_helpdesk_out_write;
    j->out.pool = r->pool;
    j->out.first = NULL;
    j->out.last = &j->out.first;
    j->out.buf = NULL;
    j->out.total = 0;

    hd_jw_init(&j->w, &j->out.out);
}


ngx_int_t
ngx_http_helpdesk_jw_send(ngx_http_request_t *r, ngx_http_helpdesk_jw_t *j,
    ngx_uint_t status)
{
    if (hd_jw_finish(&j->w) != 0 || j->out.first == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_add_header(r, "Cache-Control", (u_char *) "no-store", 8);

    return ngx_http_helpdesk_send(r, status, "application/json", j->out.first,
                                  j->out.total);
}


ngx_int_t
ngx_http_helpdesk_send_json(ngx_http_request_t *r, ngx_uint_t status,
    json_t *json)
{
    ngx_http_helpdesk_jw_t  *j;

    if (json == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* written once, straight into the response's buffers */
    j = ngx_http_helpdesk_jw_new(r);
    if (j == NULL) {
        json_decref(json);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_jw_json(&j->w, json);
    json_decref(json);

    return ngx_http_helpdesk_jw_send(r, j, status);
}


ngx_int_t
ngx_http_helpdesk_error(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx,
    ngx_uint_t status, const char *code, const char *field)
{
    char             key[128];
    json_t          *err;
    hd_val_t        *view;
    const hd_str_t  *text;

    ngx_snprintf((u_char *) key, sizeof(key) - 1, "errors.%s%Z", code);

    text = ngx_http_helpdesk_text(ctx, key);
    if (text == NULL) {
        text = ngx_http_helpdesk_text(ctx, "errors.internal");
    }

    if (ctx->api) {
        err = json_pack("{s:s, s:s#}", "code", code, "message",
                        text ? (char *) text->data : code,
                        text ? text->len : ngx_strlen(code));

        if (err != NULL && field != NULL) {
            json_object_set_new(err, "field", json_string(field));
        }

        return ngx_http_helpdesk_send_json(r, status,
                                           json_pack("{s:o}", "error", err));
    }

    view = ngx_http_helpdesk_view(r, ctx, "error.title");

    if (view != NULL) {
        hd_val_set_int(&ctx->pool, view, "status", status);
        if (text != NULL) {
            hd_val_set_str(&ctx->pool, view, "message", text->data,
                           text->len);
        }
    }

    return ngx_http_helpdesk_render(r, ctx, "pages/error", view, status);
}


/*
 * A full database refuses every write until someone makes room: one line a
 * minute (per worker) with the count since the last, not one per request
 */
#define NGX_HTTP_HELPDESK_FULL_EVERY  60

static void
ngx_http_helpdesk_full_logged(ngx_http_request_t *r, hd_err_t *err)
{
    static time_t      last;
    static ngx_uint_t  refused;

    refused++;

    if (last && ngx_time() - last < NGX_HTTP_HELPDESK_FULL_EVERY) {
        return;
    }

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "helpdesk: %s; %ui writes refused %s", err->text, refused,
                  last ? "in the last minute" : "(the first; then a line a "
                         "minute)");
    last = ngx_time();
    refused = 0;
}


ngx_int_t
ngx_http_helpdesk_fail(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx,
    hd_err_t *err)
{
    ngx_uint_t  status;

    status = ngx_http_helpdesk_status(err->rc);

    if (err->rc == HD_FULL) {
        ngx_http_helpdesk_full_logged(r, err);

    } else if (status >= NGX_HTTP_INTERNAL_SERVER_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0, "helpdesk: %s",
                      err->text[0] ? err->text : hd_rc_name(err->rc));
    }

    return ngx_http_helpdesk_error(r, ctx, status,
                                   err->code ? err->code : "internal",
                                   err->field);
}


ngx_int_t
ngx_http_helpdesk_redirect(ngx_http_request_t *r, u_char *location,
    size_t len)
{
    ngx_http_clear_location(r);

    r->headers_out.location = ngx_list_push(&r->headers_out.headers);
    if (r->headers_out.location == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.location->hash = 1;
    ngx_str_set(&r->headers_out.location->key, "Location");
    r->headers_out.location->value.data = location;
    r->headers_out.location->value.len = len;

    ngx_http_helpdesk_add_header(r, "Cache-Control", (u_char *) "no-store", 8);
    ngx_http_helpdesk_security_headers(r);

    /* after a form, "see other"; a page's own address (a handler set it
       first) is permanent */
    if (r->headers_out.status != NGX_HTTP_MOVED_PERMANENTLY) {
        r->headers_out.status = NGX_HTTP_SEE_OTHER;
    }

    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    return ngx_http_send_header(r);
}


/* a page that says one thing, with one link on */
ngx_int_t
ngx_http_helpdesk_message(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx,
    const char *title, const char *text, const char *link,
    const char *link_text, ngx_uint_t status)
{
    hd_val_t        *view;
    const hd_str_t  *s;

    if (ctx->api) {
        return ngx_http_helpdesk_error(r, ctx, status, "token_invalid",
                                       "token");
    }

    view = ngx_http_helpdesk_view(r, ctx, title);
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    s = ngx_http_helpdesk_text(ctx, text);
    if (s != NULL) {
        hd_val_set_str(&ctx->pool, view, "message", s->data, s->len);
    }

    s = link_text ? ngx_http_helpdesk_text(ctx, link_text) : NULL;
    if (s != NULL) {
        hd_val_set_cstr(&ctx->pool, view, "link", link);
        hd_val_set_str(&ctx->pool, view, "link_text", s->data, s->len);
    }

    return ngx_http_helpdesk_render(r, ctx, "pages/message", view, status);
}


/* a text of the catalogue into a view (the key itself when it is missing) */
void
ngx_http_helpdesk_set_text(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *map,
    const char *key, const char *text_key)
{
    const hd_str_t  *s;

    s = ngx_http_helpdesk_text(ctx, text_key);

    if (s != NULL) {
        hd_val_set_str(&ctx->pool, map, key, s->data, s->len);

    } else {
        hd_val_set_str(&ctx->pool, map, key,
                       hd_pstrdup(&ctx->pool, text_key, ngx_strlen(text_key)),
                       ngx_strlen(text_key));
    }
}


/* a day as the page's language writes it: 02.11.2027, 2 Nov 2027 */
void
ngx_http_helpdesk_set_day(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *map,
    const char *key, int32_t day)
{
    char  text[12];

    if (ctx->lang == HD_LANG_RU) {
        hd_date_format_ru(day, text);

    } else {
        hd_date_format_en(day, text);
    }

    hd_val_set_str(&ctx->pool, map, key,
                   hd_pstrdup(&ctx->pool, text, ngx_strlen(text)),
                   ngx_strlen(text));
}


/* 303 to a page of the portal ("tickets/5#rate"), with a notice to show
   there (before the fragment) */
ngx_int_t
ngx_http_helpdesk_go(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx,
    const char *path, const char *notice)
{
    u_char      *location, *p;
    size_t       len, plen;
    const char  *hash;

    len = ctx->lcf->mount.len + ngx_strlen(path) + sizeof("?notice=") - 1
          + (notice ? ngx_strlen(notice) : 0);

    location = ngx_pnalloc(r->pool, len);
    if (location == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hash = ngx_strchr(path, '#');
    plen = hash ? (size_t) (hash - path) : ngx_strlen(path);

    p = ngx_sprintf(location, "%V%*s", &ctx->lcf->mount, plen, path);

    if (notice != NULL) {
        p = ngx_sprintf(p, "?notice=%s", notice);
    }

    if (hash != NULL) {
        p = ngx_sprintf(p, "%s", hash);
    }

    return ngx_http_helpdesk_redirect(r, location, p - location);
}

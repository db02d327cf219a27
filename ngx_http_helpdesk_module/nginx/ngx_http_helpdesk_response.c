/*
 * Responses: pages rendered from templates straight into nginx buffers, JSON,
 * errors (JSON for the API, a page for people, in one place), redirects and
 * the security headers every response carries.
 */

#include "ngx_http_helpdesk_module.h"


#define NGX_HTTP_HELPDESK_OUT_BUF  8192


typedef struct {
    hd_tpl_out_t         out;
    ngx_pool_t          *pool;
    ngx_chain_t         *first;
    ngx_chain_t        **last;
    ngx_buf_t           *buf;
    size_t               total;
} ngx_http_helpdesk_out_t;


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
    NGX_HTTP_SERVICE_UNAVAILABLE        /* HD_BUSY */
};


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

    return view;
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
    hd_tpl_t                 *tpl;
    ngx_http_helpdesk_out_t   out;

    tpl = hd_tpl_set_find(ctx->lcf->templates->set, template);

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

    if (hd_tpl_render(tpl, view, &out.out) != 0 || out.first == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "helpdesk: rendering \"%s\" failed", template);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_add_header(r, "Cache-Control",
                                 (u_char *) "private, no-cache", 17);

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


ngx_int_t
ngx_http_helpdesk_send_json(ngx_http_request_t *r, ngx_uint_t status,
    json_t *json)
{
    size_t   len;
    u_char  *data;

    len = json_dumpb(json, NULL, 0, JSON_COMPACT);

    data = ngx_pnalloc(r->pool, len ? len : 1);
    if (data == NULL) {
        json_decref(json);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    json_dumpb(json, (char *) data, len, JSON_COMPACT);
    json_decref(json);

    ngx_http_helpdesk_add_header(r, "Cache-Control", (u_char *) "no-store", 8);

    return ngx_http_helpdesk_send_bytes(r, status, "application/json", data,
                                        len, 0);
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


ngx_int_t
ngx_http_helpdesk_fail(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx,
    hd_err_t *err)
{
    ngx_uint_t  status;

    status = (size_t) err->rc < sizeof(ngx_http_helpdesk_rc_status)
                                / sizeof(ngx_http_helpdesk_rc_status[0])
             ? ngx_http_helpdesk_rc_status[err->rc]
             : NGX_HTTP_INTERNAL_SERVER_ERROR;

    if (status >= NGX_HTTP_INTERNAL_SERVER_ERROR) {
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

    r->headers_out.status = NGX_HTTP_SEE_OTHER;
    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    return ngx_http_send_header(r);
}


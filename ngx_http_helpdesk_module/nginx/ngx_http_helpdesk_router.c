/*
 * Routing: the table of every page and API route, the content handler that
 * matches a request against it, and what every request needs first (its
 * context, language, body).
 */

#include "ngx_http_helpdesk_module.h"


#define NGX_HTTP_HELPDESK_GET   (NGX_HTTP_GET|NGX_HTTP_HEAD)


/* every route of the portal, relative to the location's prefix */
static const ngx_http_helpdesk_route_t  ngx_http_helpdesk_routes[] = {

    { NGX_HTTP_HELPDESK_GET, "", ngx_http_helpdesk_landing, 0, "landing" },
    { NGX_HTTP_HELPDESK_GET, "lang/{code}", ngx_http_helpdesk_language,
      NGX_HTTP_HELPDESK_NO_STORE, "language" },
    { NGX_HTTP_HELPDESK_GET, "static/{file}", ngx_http_helpdesk_asset,
      NGX_HTTP_HELPDESK_NO_STORE, "static" },

    { NGX_HTTP_HELPDESK_GET, "api/v1/status", ngx_http_helpdesk_api_status,
      NGX_HTTP_HELPDESK_API, "api.status" },

    { 0, NULL, NULL, 0, NULL }
};


static ngx_int_t ngx_http_helpdesk_dispatch(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
static void ngx_http_helpdesk_body_read(ngx_http_request_t *r);
static ngx_int_t ngx_http_helpdesk_match(ngx_http_helpdesk_ctx_t *ctx,
    const char *pattern);
static hd_lang_e ngx_http_helpdesk_language_of(ngx_http_request_t *r);
static void ngx_http_helpdesk_allow(ngx_http_request_t *r,
    ngx_uint_t methods);


ngx_int_t
ngx_http_helpdesk_handler(ngx_http_request_t *r)
{
    ngx_int_t                  rc;
    ngx_uint_t                 allowed;
    ngx_http_helpdesk_ctx_t   *ctx;
    const ngx_http_helpdesk_route_t  *route;

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_helpdesk_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_helpdesk_module);

    ctx->mcf = ngx_http_get_module_main_conf(r, ngx_http_helpdesk_module);
    ctx->lcf = ngx_http_get_module_loc_conf(r, ngx_http_helpdesk_module);
    ngx_http_helpdesk_hd_pool(&ctx->pool, r->pool);

    /* the path below the mount: "/support" under "/support/" is the root */

    if (r->uri.len >= ctx->lcf->mount.len) {
        ctx->path.data = r->uri.data + ctx->lcf->mount.len;
        ctx->path.len = r->uri.len - ctx->lcf->mount.len;
    }

    if (ctx->path.len && ctx->path.data[ctx->path.len - 1] == '/') {
        ctx->path.len--;
    }

    ctx->api = ctx->path.len >= 4
               && ngx_strncmp(ctx->path.data, "api/", 4) == 0;
    ctx->lang = ngx_http_helpdesk_language_of(r);

    allowed = 0;

    for (route = ngx_http_helpdesk_routes; route->pattern; route++) {
        if (ngx_http_helpdesk_match(ctx, route->pattern) != NGX_OK) {
            continue;
        }

        if (route->methods & r->method) {
            break;
        }

        allowed |= route->methods;
    }

    if (route->pattern == NULL) {
        ngx_http_discard_request_body(r);

        if (allowed) {
            ngx_http_helpdesk_allow(r, allowed);
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_ALLOWED,
                                           "method_not_allowed", NULL);
        }

        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    ctx->route = route;

    if (!(route->flags & NGX_HTTP_HELPDESK_BODY)) {
        rc = ngx_http_discard_request_body(r);

        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_helpdesk_dispatch(r, ctx);
    }

    rc = ngx_http_read_client_request_body(r, ngx_http_helpdesk_body_read);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


static ngx_int_t
ngx_http_helpdesk_dispatch(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    if (!(ctx->route->flags & NGX_HTTP_HELPDESK_NO_STORE)
        && ngx_http_helpdesk_store(r, ctx) == NULL)
    {
        return ngx_http_helpdesk_error(r, ctx,
                                       NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    return ctx->route->handler(r, ctx);
}


static void
ngx_http_helpdesk_body_read(ngx_http_request_t *r)
{
    ngx_http_helpdesk_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_helpdesk_module);

    ngx_http_finalize_request(r, ngx_http_helpdesk_dispatch(r, ctx));
}


/* the Allow header of a 405: the methods the path takes */
static void
ngx_http_helpdesk_allow(ngx_http_request_t *r, ngx_uint_t methods)
{
    u_char      *p, *start;
    ngx_uint_t   i;

    static const struct {
        ngx_uint_t   method;
        const char  *name;
    } names[] = {
        { NGX_HTTP_GET, "GET" }, { NGX_HTTP_HEAD, "HEAD" },
        { NGX_HTTP_POST, "POST" }, { NGX_HTTP_PUT, "PUT" },
        { NGX_HTTP_PATCH, "PATCH" }, { NGX_HTTP_DELETE, "DELETE" },
    };

    start = ngx_pnalloc(r->pool, 64);
    if (start == NULL) {
        return;
    }

    p = start;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (methods & names[i].method) {
            p = ngx_sprintf(p, "%s%s", p == start ? "" : ", ", names[i].name);
        }
    }

    ngx_http_helpdesk_add_header(r, "Allow", start, p - start);
}


/* "tickets/{n}/messages" against the path; {x} takes one segment */
static ngx_int_t
ngx_http_helpdesk_match(ngx_http_helpdesk_ctx_t *ctx, const char *pattern)
{
    u_char      *p, *end, *seg;
    const char  *q;

    p = ctx->path.data;
    end = p + ctx->path.len;
    q = pattern;
    ctx->nargs = 0;

    while (*q) {
        if (*q == '{') {
            seg = p;

            while (p < end && *p != '/') {
                p++;
            }

            if (p == seg || ctx->nargs == NGX_HTTP_HELPDESK_MAX_ARGS) {
                return NGX_DECLINED;
            }

            ctx->args[ctx->nargs].data = seg;
            ctx->args[ctx->nargs].len = p - seg;
            ctx->nargs++;

            while (*q && *q != '}') {
                q++;
            }

            if (*q) {
                q++;
            }

            continue;
        }

        if (p == end || *p != (u_char) *q) {
            return NGX_DECLINED;
        }

        p++;
        q++;
    }

    return p == end ? NGX_OK : NGX_DECLINED;
}


ngx_table_elt_t *
ngx_http_helpdesk_header(ngx_http_request_t *r, const char *name)
{
    size_t            len;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    len = ngx_strlen(name);
    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                return NULL;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == len
            && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
        {
            return &h[i];
        }
    }
}


ngx_int_t
ngx_http_helpdesk_cookie(ngx_http_request_t *r, const char *name,
    ngx_str_t *value)
{
    ngx_str_t  key;

    key.data = (u_char *) name;
    key.len = ngx_strlen(name);

    if (ngx_http_parse_multi_header_lines(&r->headers_in.cookies, &key,
                                          value)
        == NGX_DECLINED)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* the visitor's choice (a cookie), or the browser's, or Russian */
static hd_lang_e
ngx_http_helpdesk_language_of(ngx_http_request_t *r)
{
    int               lang;
    ngx_str_t         value;
    ngx_table_elt_t  *h;

    if (ngx_http_helpdesk_cookie(r, "hd_lang", &value) == NGX_OK) {
        lang = hd_lang_from_code(value.data, value.len);

        if (lang >= 0) {
            return (hd_lang_e) lang;
        }
    }

    h = ngx_http_helpdesk_header(r, "Accept-Language");

    if (h != NULL) {
        return hd_lang_accept(h->value.data, h->value.len);
    }

    return HD_LANG_RU;
}

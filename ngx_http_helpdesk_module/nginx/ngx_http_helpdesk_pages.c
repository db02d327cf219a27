/*
 * The portal's public pages: the landing page, the language switch, static
 * assets served from memory, and the API's status.
 */

#include "ngx_http_helpdesk_module.h"


#define NGX_HTTP_HELPDESK_VERSION  "0.1.0"


ngx_int_t
ngx_http_helpdesk_landing(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    hd_val_t  *view;

    view = ngx_http_helpdesk_view(r, ctx, "landing.title");

    return ngx_http_helpdesk_render(r, ctx, "pages/landing", view,
                                    NGX_HTTP_OK);
}


ngx_int_t
ngx_http_helpdesk_language(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    int         lang;
    u_char     *cookie, *p, *dst, *src;
    size_t      len;
    ngx_str_t   back, arg;

    lang = hd_lang_from_code(ctx->args[0].data, ctx->args[0].len);
    if (lang < 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    back = ctx->lcf->mount;

    if (ngx_http_arg(r, (u_char *) "back", 4, &arg) == NGX_OK) {
        dst = ngx_pnalloc(r->pool, arg.len);
        if (dst == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        src = arg.data;
        p = dst;
        ngx_unescape_uri(&p, &src, arg.len, 0);

        arg.data = dst;
        arg.len = p - dst;

        if (ngx_http_helpdesk_local_path(ctx, &arg) == NGX_OK) {
            back = arg;
        }
    }

    len = sizeof("hd_lang=xx; Path=; Max-Age=31536000; SameSite=Lax; "
                 "HttpOnly; Secure") - 1 + ctx->lcf->mount.len;

    cookie = ngx_pnalloc(r->pool, len);
    if (cookie == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_sprintf(cookie, "hd_lang=%s; Path=%V; Max-Age=31536000; "
                    "SameSite=Lax; HttpOnly", hd_langs[lang].code,
                    &ctx->lcf->mount);

#if (NGX_HTTP_SSL)
    if (r->connection->ssl) {
        p = ngx_cpymem(p, "; Secure", 8);
    }
#endif

    ngx_http_helpdesk_add_header(r, "Set-Cookie", cookie, p - cookie);

    return ngx_http_helpdesk_redirect(r, back.data, back.len);
}


ngx_int_t
ngx_http_helpdesk_asset(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_table_elt_t   *inm;
    const hd_asset_t  *asset;

    /* the operator's accent (helpdesk_brand), made with the configuration */
    if (ctx->args[0].len == 9
        && ngx_strncmp(ctx->args[0].data, "brand.css", 9) == 0
        && ctx->lcf->brand_css.len)
    {
        ngx_http_helpdesk_add_header(r, "Cache-Control",
                                     (u_char *) "public, max-age=3600", 20);
        return ngx_http_helpdesk_send_bytes(r, NGX_HTTP_OK,
                                            "text/css; charset=utf-8",
                                            ctx->lcf->brand_css.data,
                                            ctx->lcf->brand_css.len, 0);
    }

    asset = hd_templates_asset(ctx->lcf->templates, ctx->args[0].data,
                               ctx->args[0].len);

    if (asset == NULL) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    ngx_http_helpdesk_add_header(r, "ETag", (u_char *) asset->etag,
                                 ngx_strlen(asset->etag));
    ngx_http_helpdesk_add_header(r, "Cache-Control",
                                 (u_char *) "public, max-age=3600", 20);

    inm = ngx_http_helpdesk_header(r, "If-None-Match");

    if (inm != NULL && inm->value.len == ngx_strlen(asset->etag)
        && ngx_strncmp(inm->value.data, asset->etag, inm->value.len) == 0)
    {
        return ngx_http_helpdesk_send_bytes(r, NGX_HTTP_NOT_MODIFIED,
                                            asset->type, NULL, 0, 0);
    }

    /* the asset lives as long as the configuration: sent without a copy */
    return ngx_http_helpdesk_send_bytes(r, NGX_HTTP_OK, asset->type,
                                        asset->body.data, asset->body.len, 0);
}


ngx_int_t
ngx_http_helpdesk_api_status(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_rc     rc;
    hd_err_t  err;
    hd_txn_t  txn;
    uint32_t  version = 0;

    rc = hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                      &err);
    if (rc != HD_OK) {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    (void) hd_schema_version(&txn, &version);
    hd_txn_abort(&txn);

    return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
                                       json_pack("{s:s, s:s, s:i}",
                                                 "status", "ok",
                                                 "version",
                                                 NGX_HTTP_HELPDESK_VERSION,
                                                 "schema", (int) version));
}

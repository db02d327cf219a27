/*
 * The portal's public pages: the landing page, the language switch, static
 * assets served from memory, and the API's status.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_date.h"
#include "hd_ticket.h"
#include "hd_ticket_customer.h"




#define NGX_HTTP_HELPDESK_DASH_TICKETS   5     /* the latest, on the landing */
#define NGX_HTTP_HELPDESK_DASH_EXPIRING  30    /* days: "expires soon" */


/*
 * The landing page of a signed-in customer: their unclosed tickets (the
 * latest, those waiting for them marked), their certificates with what is
 * left of each and those about to expire. One read transaction; a
 * visitor's landing is untouched.
 */
static void
ngx_http_helpdesk_dashboard(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *view)
{
    size_t                i, n;
    int32_t               today, left;
    hd_txn_t              txn;
    hd_val_t             *dash, *list, *item;
    hd_pool_t            *pool = &ctx->pool;
    hd_ticket_t          *t;
    hd_ticket_cert_t     *tc;
    hd_ticket_page_t      page;
    hd_ticket_query_t     q;
    const hd_account_t   *a = ctx->caller.account;

    if (a == NULL || hd_account_is_staff(a) || ctx->mcf->store == NULL
        || hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                        NULL)
           != HD_OK)
    {
        return;
    }

    ngx_memzero(&q, sizeof(q));
    q.account = a->id;
    q.company = a->company;
    q.sees_company = hd_ticket_sees_company(&txn, a);
    q.limit = NGX_HTTP_HELPDESK_DASH_TICKETS;
    today = hd_date_today(ngx_time());

    if (hd_ticket_list(&txn, &q, pool, &page) != HD_OK
        || hd_ticket_certificates(&txn, a, today, pool, &tc, &n) != HD_OK)
    {
        hd_txn_abort(&txn);
        return;
    }

    hd_txn_abort(&txn);

    dash = hd_val_map(pool);
    hd_val_set_int(pool, dash, "unclosed", (int64_t) page.unclosed);

    list = hd_val_list(pool);

    for (i = 0; i < page.n; i++) {
        t = &page.tickets[i];
        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "number", (int64_t) t->number);
        hd_val_set_str(pool, item, "subject", t->subject.data,
                       t->subject.len);
        ngx_http_helpdesk_set_label(ctx, item, "status",
                                    NGX_HTTP_HELPDESK_L_STATUS, t->status);
        hd_val_set_cstr(pool, item, "status_code",
                        hd_status_names[t->status % HD_STATUS_COUNT]);
        hd_val_set_bool(pool, item, "yours",
                        hd_statuses[t->status % HD_STATUS_COUNT].waits
                        == HD_WAITS_CUSTOMER);
        hd_val_push(pool, list, item);
    }

    hd_val_set(pool, dash, "tickets", list);
    hd_val_set_bool(pool, dash, "has_tickets", page.n != 0);

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        item = ngx_http_helpdesk_cert_choice(pool, &tc[i]);
        ngx_http_helpdesk_set_day(ctx, item, "until",
                                  (int32_t) tc[i].cert.valid_until);

        left = (int32_t) tc[i].cert.valid_until - today;
        hd_val_set_bool(pool, item, "expiring",
                        left >= 0 && left <= NGX_HTTP_HELPDESK_DASH_EXPIRING);
        hd_val_push(pool, list, item);
    }

    hd_val_set(pool, dash, "certificates", list);
    hd_val_set_bool(pool, dash, "has_certificates", n != 0);
    hd_val_set(pool, view, "dashboard", dash);
}


ngx_int_t
ngx_http_helpdesk_landing(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    hd_val_t  *view;

    view = ngx_http_helpdesk_view(r, ctx, "landing.title");

    if (view != NULL) {
        ngx_http_helpdesk_dashboard(ctx, view);
    }

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
                                                 HD_VERSION_TEXT,
                                                 "schema", (int) version));
}

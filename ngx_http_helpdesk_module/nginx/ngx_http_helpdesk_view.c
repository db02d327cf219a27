/*
 * The one fork of views (core/view/): the API gets the view as JSON, a
 * browser gets it in its page's template with the chrome (language, brand,
 * who is signed in, CSRF, the form's echo) and the page's own parts, every
 * typed value in the reader's words. No other place decides between HTML
 * and JSON for a view.
 */

#include "ngx_http_helpdesk_module.h"


/* rows of a list's page: a page has 20, the API asks for up to 100 */
#define NGX_HTTP_HELPDESK_PER_PAGE      20
#define NGX_HTTP_HELPDESK_PER_PAGE_MAX  100


/*
 * The words of tables' codes, per catalogue (a location's templates, one
 * language), kept for the configuration's life: a view looks each up once.
 * They live in the cycle's pool, and are forgotten with it (a reload in a
 * single process frees the catalogues they point into).
 */
#define NGX_HTTP_HELPDESK_MEMOS  16

static hd_view_memo_t  *ngx_http_helpdesk_memos[NGX_HTTP_HELPDESK_MEMOS];


static void
ngx_http_helpdesk_memos_forget(void *data)
{
    (void) data;

    ngx_memzero(ngx_http_helpdesk_memos, sizeof(ngx_http_helpdesk_memos));
}


static hd_view_memo_t *
ngx_http_helpdesk_memo(const hd_val_t *catalog)
{
    ngx_uint_t           i;
    ngx_pool_cleanup_t  *cln;

    for (i = 0; i < NGX_HTTP_HELPDESK_MEMOS; i++) {
        if (ngx_http_helpdesk_memos[i] == NULL) {
            break;
        }

        if (ngx_http_helpdesk_memos[i]->catalog == catalog) {
            return ngx_http_helpdesk_memos[i];
        }
    }

    if (i == NGX_HTTP_HELPDESK_MEMOS) {
        return NULL;
    }

    /* the cycle's first: its end forgets them all */
    if (i == 0) {
        cln = ngx_pool_cleanup_add(ngx_cycle->pool, 0);
        if (cln == NULL) {
            return NULL;
        }

        cln->handler = ngx_http_helpdesk_memos_forget;
    }

    ngx_http_helpdesk_memos[i] = ngx_pcalloc(ngx_cycle->pool,
                                             sizeof(hd_view_memo_t));

    return ngx_http_helpdesk_memos[i];
}


void
ngx_http_helpdesk_viewer(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx,
    hd_viewer_t *viewer)
{
    ngx_memzero(viewer, sizeof(hd_viewer_t));

    viewer->account = ctx->caller.account;
    viewer->mount.data = ctx->lcf->mount.data;
    viewer->mount.len = ctx->lcf->mount.len;
    viewer->lang = ctx->lang;
    viewer->now = (uint64_t) ngx_time();
    viewer->page = !ctx->api;
    viewer->staff_route = ctx->route != NULL
                          && (ctx->route->flags & NGX_HTTP_HELPDESK_STAFF);
    viewer->after_change = ctx->after_change != 0;
    viewer->tickets = &ctx->mcf->tickets;
    viewer->catalog = ctx->lcf->templates->catalog[ctx->lang];
    viewer->memo = ngx_http_helpdesk_memo(viewer->catalog);
    viewer->queue_version = ngx_http_helpdesk_queue_version;

    (void) r;
}


ngx_int_t
ngx_http_helpdesk_view_send(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_val_t *view, const char *template,
    ngx_http_helpdesk_page_pt page_parts, void *data, ngx_uint_t status)
{
    hd_val_t                *page;
    ngx_int_t                rc;
    ngx_http_helpdesk_jw_t  *j;

    if (ctx->api) {
        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        hd_view_json(&j->w, view);

        return ngx_http_helpdesk_jw_send(r, j, status);
    }

    page = ngx_http_helpdesk_view(r, ctx, NULL);
    if (page == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (page_parts != NULL) {
        rc = page_parts(r, ctx, page, data);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    hd_view_localize(&ctx->pool, view, ctx->lcf->templates->catalog[ctx->lang],
                     ctx->lang);

    /* the view over the chrome: its names first, nothing copied */
    return ngx_http_helpdesk_render_over(r, ctx, template, page, view,
                                         status);
}


ngx_int_t
ngx_http_helpdesk_ticket_view_send(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_view_one_pt view,
    const char *template, ngx_http_helpdesk_page_pt page,
    hd_errors_t *errors, ngx_uint_t status)
{
    uint64_t                         number;
    hd_err_t                         err;
    ngx_str_t                        order;
    hd_viewer_t                      viewer;
    ngx_http_helpdesk_ticket_view_t  tv;

    number = ngx_http_helpdesk_ticket_arg(ctx);

    if (number == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    ngx_http_helpdesk_viewer(r, ctx, &viewer);
    viewer.newest_first = ngx_http_arg(r, (u_char *) "order", 5, &order)
                          == NGX_OK
                          && order.len == 6
                          && ngx_strncmp(order.data, "newest", 6) == 0;

    hd_err_clear(&err);

    if (view(ctx->mcf->store, &viewer, number, &ctx->pool, &tv.view, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    /* the answer to a change made meanwhile by someone else says so */
    if (ctx->changed_meanwhile) {
        hd_val_set_bool(&ctx->pool, tv.view, "changed_meanwhile", 1);
    }

    tv.errors = errors;

    return ngx_http_helpdesk_view_send(r, ctx, tv.view, template, page, &tv,
                                       status);
}


/*
 * A command's answer: the API gets what was saved as its view shows it
 * (no view: 204 No Content), a browser goes to the page go with the
 * notice flash
 */
ngx_int_t
ngx_http_helpdesk_saved(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx,
    hd_view_one_pt view, uint64_t id, ngx_uint_t status, const char *go,
    const char *flash)
{
    hd_err_t     err;
    hd_val_t    *v;
    hd_viewer_t  viewer;

    if (!ctx->api) {
        return ngx_http_helpdesk_go(r, ctx, go, flash);
    }

    if (view == NULL) {
        return ngx_http_helpdesk_no_content(r);
    }

    ngx_http_helpdesk_viewer(r, ctx, &viewer);
    hd_err_clear(&err);

    if (view(ctx->mcf->store, &viewer, id, &ctx->pool, &v, &err) != HD_OK) {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    return ngx_http_helpdesk_view_send(r, ctx, v, NULL, NULL, NULL, status);
}


/*
 * A list's arguments: ?page=N (from 1), &per_page=N (the API's; a page
 * has 20), &show=unclosed|all. NULL, or the argument that is bad and the
 * code of its error in *code.
 */
const char *
ngx_http_helpdesk_list_args(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_view_list_t *args, const char **code)
{
    ngx_str_t  show;
    ngx_int_t  page, per_page;

    ngx_memzero(args, sizeof(hd_view_list_t));
    *code = "page_invalid";

    page = ngx_http_helpdesk_arg_number(r, "page", 1, 1000000);
    if (page == NGX_ERROR) {
        return "page";
    }

    per_page = ngx_http_helpdesk_arg_number(r, "per_page",
                                            NGX_HTTP_HELPDESK_PER_PAGE,
                                            NGX_HTTP_HELPDESK_PER_PAGE_MAX);
    if (per_page == NGX_ERROR) {
        return "per_page";
    }

    if (ngx_http_arg(r, (u_char *) "show", 4, &show) == NGX_OK) {
        if (show.len == 3 && ngx_strncmp(show.data, "all", 3) == 0) {
            args->closed_too = 1;

        } else if (!(show.len == 8
                     && ngx_strncmp(show.data, "unclosed", 8) == 0))
        {
            *code = "show_invalid";
            return "show";
        }
    }

    args->page = (size_t) page;
    args->per_page = ctx->api ? (size_t) per_page
                              : NGX_HTTP_HELPDESK_PER_PAGE;

    return NULL;
}

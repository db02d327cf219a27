/*
 * The staff's queue (SPEC §2, §5): tabs mine / unassigned / all with their
 * counts, filters by department, status, priority, SLA state, holder and
 * words of the subject, three orders and pages: the arguments read here,
 * the view (core/view/hd_view_queue.c) made once for HTML and JSON.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_product.h"
#include "hd_queue.h"
#include "hd_staff.h"
#include "hd_text.h"


#define NGX_HTTP_HELPDESK_QUEUE_PAGE      25
#define NGX_HTTP_HELPDESK_QUEUE_PAGE_MAX  100
#define NGX_HTTP_HELPDESK_TEXT_ARG_MAX    200


/* a query argument as text: unescaped, '+' a space, trimmed, UTF-8 */
ngx_int_t
ngx_http_helpdesk_arg_text(ngx_http_request_t *r, const char *name,
    size_t max, hd_str_t *value)
{
    u_char     *dst, *src, *p;
    ngx_str_t   arg;

    value->data = NULL;
    value->len = 0;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &arg) != NGX_OK
        || arg.len == 0)
    {
        return NGX_DECLINED;
    }

    if (arg.len > 3 * max) {
        return NGX_ERROR;
    }

    for (p = arg.data; p < arg.data + arg.len; p++) {
        if (*p == '+') {
            *p = ' ';
        }
    }

    dst = ngx_pnalloc(r->pool, arg.len);
    if (dst == NULL) {
        return NGX_ERROR;
    }

    value->data = dst;
    src = arg.data;
    ngx_unescape_uri(&dst, &src, arg.len, NGX_UNESCAPE_URI);
    value->len = dst - value->data;

    hd_text_trim(value);

    if (!hd_utf8_valid(value->data, value->len)
        || hd_utf8_chars(value->data, value->len) > max
        || !hd_text_printable(value->data, value->len, 0))
    {
        return NGX_ERROR;
    }

    return value->len ? NGX_OK : NGX_DECLINED;
}


/* a name of a table from the query, or -1 when absent; -2 when not one */
static int
ngx_http_helpdesk_arg_choice(ngx_http_request_t *r, const char *name,
    const char **names, size_t n)
{
    ngx_str_t  arg;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &arg) != NGX_OK
        || arg.len == 0)
    {
        return -1;
    }

    return hd_name_index(names, n, arg.data, arg.len) >= 0
           ? hd_name_index(names, n, arg.data, arg.len) : -2;
}


/* --- the queue ------------------------------------------------------------ */


static ngx_int_t
ngx_http_helpdesk_queue_args(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_view_queue_args_t *a)
{
    int                 i;
    u_char             *p, *end, *comma;
    hd_str_t            text;
    ngx_int_t           rc, page, per_page;
    ngx_str_t           arg;
    ngx_uint_t          k;
    static const char  *filters[] = { "department", "status", "priority",
                                      "sla", "holder", "field", "sort", "q" };

    ngx_memzero(a, sizeof(*a));

    i = ngx_http_helpdesk_arg_choice(r, "queue", hd_view_queue_names,
                                     HD_VIEW_QUEUE_COUNT);
    if (i == -2) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "queue_invalid", "queue"));
    }

    a->queue = i < 0 ? HD_VIEW_QUEUE_ALL : (unsigned) i;

    if (ngx_http_arg(r, (u_char *) "department", 10, &arg) == NGX_OK
        && arg.len)
    {
        if (arg.len > 15 || ngx_atoof(arg.data, arg.len) <= 0) {
            return ngx_http_helpdesk_answered(ctx,
                       ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                               "department_unknown",
                                               "department"));
        }

        a->department = (uint64_t) ngx_atoof(arg.data, arg.len);
    }

    /*
     * status: unclosed (the default), resolved (every closed status), any,
     * or status names with commas ("closed" is the one status)
     */
    a->statuses = HD_STATUSES_UNCLOSED;

    rc = ngx_http_helpdesk_arg_text(r, "status",
                                    NGX_HTTP_HELPDESK_TEXT_ARG_MAX, &text);
    if (rc == NGX_ERROR) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "status_invalid", "status"));
    }

    if (rc == NGX_OK) {
        /* a list arrives with its commas escaped from a form or a client */
        arg.data = text.data;
        arg.len = text.len;

        if (arg.len == 8 && ngx_strncmp(arg.data, "unclosed", 8) == 0) {
            a->statuses = HD_STATUSES_UNCLOSED;

        } else if (arg.len == 8 && ngx_strncmp(arg.data, "resolved", 8) == 0) {
            a->statuses = ((1u << HD_STATUS_COUNT) - 1)
                          & ~HD_STATUSES_UNCLOSED;

        } else if (arg.len == 3 && ngx_strncmp(arg.data, "any", 3) == 0) {
            a->statuses = (1u << HD_STATUS_COUNT) - 1;

        } else {
            a->statuses = 0;

            for (p = arg.data, end = arg.data + arg.len; p < end;
                 p = comma + 1)
            {
                comma = ngx_strlchr(p, end, ',');
                if (comma == NULL) {
                    comma = end;
                }

                if (comma == p) {
                    continue;
                }

                i = hd_name_index(hd_status_names, HD_STATUS_COUNT, p,
                                  comma - p);
                if (i < 0) {
                    return ngx_http_helpdesk_answered(ctx,
                               ngx_http_helpdesk_error(r, ctx,
                                                       NGX_HTTP_BAD_REQUEST,
                                                       "status_invalid",
                                                       "status"));
                }

                a->statuses |= HD_STATUS_BIT(i);
            }

            if (a->statuses == 0) {
                a->statuses = HD_STATUSES_UNCLOSED;
            }
        }
    }

    a->priority = ngx_http_helpdesk_arg_choice(r, "priority",
                                               hd_priority_names,
                                               HD_PRIORITY_COUNT);
    if (a->priority == -2) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "priority_invalid", "priority"));
    }

    a->sla = ngx_http_helpdesk_arg_choice(r, "sla", hd_sla_state_names,
                                          HD_SLA_STATE_COUNT);
    if (a->sla == -2 || a->sla == HD_SLA_OK) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "sla_invalid", "sla"));
    }

    if (a->sla < 0) {
        a->sla = 0;
    }

    a->order = ngx_http_helpdesk_arg_choice(r, "sort", hd_order_names,
                                            HD_ORDER_COUNT);
    if (a->order == -2) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "sort_invalid", "sort"));
    }

    if (a->order < 0) {
        a->order = HD_ORDER_PRIORITY;
    }

    if (ngx_http_helpdesk_arg_text(r, "holder",
                                   NGX_HTTP_HELPDESK_TEXT_ARG_MAX, &a->holder)
        == NGX_ERROR)
    {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "text_invalid", "holder"));
    }

    if (ngx_http_helpdesk_arg_text(r, "field", HD_FORM_NAME_MAX, &a->field)
        == NGX_ERROR
        || ngx_http_helpdesk_arg_text(r, "field_value",
                                      NGX_HTTP_HELPDESK_TEXT_ARG_MAX,
                                      &a->field_value)
           == NGX_ERROR)
    {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "text_invalid", "field"));
    }

    if (ngx_http_helpdesk_arg_text(r, "q", NGX_HTTP_HELPDESK_TEXT_ARG_MAX,
                                   &a->text)
        == NGX_ERROR)
    {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "text_invalid", "q"));
    }

    page = ngx_http_helpdesk_arg_number(r, "page", 1, 1000000);
    per_page = ngx_http_helpdesk_arg_number(r, "per_page",
                                            NGX_HTTP_HELPDESK_QUEUE_PAGE,
                                            NGX_HTTP_HELPDESK_QUEUE_PAGE_MAX);

    if (page == NGX_ERROR || per_page == NGX_ERROR) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "page_invalid",
                                           page == NGX_ERROR ? "page"
                                                             : "per_page"));
    }

    a->page = (size_t) page;
    a->per_page = ctx->api ? (size_t) per_page : NGX_HTTP_HELPDESK_QUEUE_PAGE;

    /* for the page's links, and its filters folded unless some are set */
    a->query.data = r->args.data;
    a->query.len = r->args.len;

    for (k = 0; k < sizeof(filters) / sizeof(filters[0]); k++) {
        if (ngx_http_arg(r, (u_char *) filters[k], ngx_strlen(filters[k]),
                         &arg)
            == NGX_OK && arg.len)
        {
            a->filtered = 1;
        }
    }

    return NGX_OK;
}


/* GET /staff/tickets, /api/v1/staff/tickets: the queue */
ngx_int_t
ngx_http_helpdesk_staff_queue(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_err_t              err;
    hd_val_t             *view;
    hd_viewer_t           viewer;
    hd_view_queue_args_t  a;

    if (ngx_http_helpdesk_queue_args(r, ctx, &a) != NGX_OK) {
        return ctx->rc;
    }

    ngx_http_helpdesk_viewer(r, ctx, &viewer);
    hd_err_clear(&err);

    if (hd_view_staff_queue(ctx->mcf->store, &viewer, &a, &ctx->pool, &view,
                            &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    return ngx_http_helpdesk_view_send(r, ctx, view, "pages/staff_queue",
                                       NULL, NULL, NGX_HTTP_OK);
}

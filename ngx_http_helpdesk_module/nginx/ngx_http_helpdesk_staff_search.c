/*
 * Staff's search of tickets by any word of their subject and messages,
 * notes included, in the departments the searcher sees (SPEC §8, §9
 * GET /staff/search): each ticket with a snippet of its best message.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_staff.h"
#include "hd_text.h"
#include "hd_ticket_search.h"


#define NGX_HTTP_HELPDESK_SEARCH_PAGE     25
#define NGX_HTTP_HELPDESK_SEARCH_SNIPPET  220


typedef struct {
    hd_ticket_t        ticket;
    hd_message_t       message;
    hd_str_t           text;            /* what the snippet is cut from */
    size_t             nparts;
    hd_snippet_part_t  parts[48];
} ngx_http_helpdesk_found_t;


/* the ticket of a hit and the snippet of its message */
static ngx_int_t
ngx_http_helpdesk_found(ngx_http_helpdesk_ctx_t *ctx, hd_txn_t *txn,
    const hd_search_hit_t *hit, const hd_str_t *q,
    ngx_http_helpdesk_found_t *f)
{
    if (hd_ticket_get(txn, hit->doc, &f->ticket) != HD_OK) {
        return NGX_DECLINED;
    }

    hd_ticket_copy(&ctx->pool, &f->ticket);

    if (hd_message_get(txn, hit->doc, hit->sub, &f->message) == HD_OK) {
        f->text.data = hd_pstrdup(&ctx->pool, f->message.body.data,
                                  f->message.body.len);
        f->text.len = f->message.body.len;

    } else {
        ngx_memzero(&f->message, sizeof(f->message));
        f->text = f->ticket.subject;
    }

    f->nparts = hd_search_snippet(&ctx->pool, &f->text, q,
                                  NGX_HTTP_HELPDESK_SEARCH_SNIPPET, f->parts,
                                  48);

    return NGX_OK;
}


ngx_int_t
ngx_http_helpdesk_staff_search(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                      i, k, n, total;
    hd_str_t                    q;
    hd_txn_t                    txn;
    hd_val_t                   *view, *list, *item, *parts, *part;
    ngx_int_t                   rc, page;
    hd_pool_t                  *pool = &ctx->pool;
    hd_search_hit_t            *hits;
    hd_search_count_t           count;
    hd_staff_scope_t            scope;
    ngx_http_helpdesk_jw_t     *j;
    ngx_http_helpdesk_found_t  *f;

    rc = ngx_http_helpdesk_arg_text(r, "q", 500, &q);
    if (rc == NGX_ERROR || (rc == NGX_OK && !hd_utf8_valid(q.data, q.len))) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                       "query_invalid", "q");
    }

    if (rc == NGX_OK) {
        hd_text_trim(&q);
    }

    page = ngx_http_helpdesk_arg_number(r, "page", 1, 1000);
    n = 0;
    total = 0;
    hits = NULL;
    count.found = 0;
    count.estimated = 0;

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                     NULL)
        != HD_OK)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    if (hd_staff_scope(&txn, ctx->caller.account, &scope) != HD_OK
        || (rc == NGX_OK && q.len
            && hd_ticket_search(&txn, &scope, &q,
                                (size_t) (page - 1)
                                * NGX_HTTP_HELPDESK_SEARCH_PAGE,
                                NGX_HTTP_HELPDESK_SEARCH_PAGE, pool, &hits,
                                &n, &total, &count)
               != HD_OK))
    {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    f = hd_palloc(pool, sizeof(*f));
    if (f == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->api) {
        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        hd_jw_object(&j->w);
        hd_jw_key(&j->w, "total");
        hd_jw_int(&j->w, (int64_t) total);
        hd_jw_key(&j->w, "total_estimated");
        hd_jw_bool(&j->w, count.estimated);
        hd_jw_key(&j->w, "pages");
        hd_jw_int(&j->w, (int64_t) ((count.found
                                     + NGX_HTTP_HELPDESK_SEARCH_PAGE - 1)
                                    / NGX_HTTP_HELPDESK_SEARCH_PAGE));
        hd_jw_key(&j->w, "page");
        hd_jw_int(&j->w, page);
        hd_jw_key(&j->w, "tickets");
        hd_jw_array(&j->w);

        for (i = 0; i < n; i++) {
            hd_buf_t  snippet;

            if (ngx_http_helpdesk_found(ctx, &txn, &hits[i], &q, f) != NGX_OK) {
                continue;
            }

            hd_buf_init(&snippet);

            for (k = 0; k < f->nparts; k++) {
                hd_buf_add(&snippet, f->parts[k].text.data,
                           f->parts[k].text.len);
            }

            hd_jw_object(&j->w);
            hd_jw_key(&j->w, "number");
            hd_jw_int(&j->w, (int64_t) f->ticket.number);
            ngx_http_helpdesk_jw_kstr(&j->w, "subject", &f->ticket.subject);
            hd_jw_key(&j->w, "snippet");
            hd_jw_str(&j->w, snippet.data ? snippet.data : (hd_uchar *) "",
                      snippet.len);
            hd_jw_key(&j->w, "message");
            hd_jw_int(&j->w, (int64_t) f->message.id);
            hd_jw_key(&j->w, "kind");
            hd_jw_cstr(&j->w, hd_message_kind_names[f->message.kind
                                                    % HD_MESSAGE_KIND_COUNT]);
            hd_jw_key(&j->w, "status");
            hd_jw_cstr(&j->w,
                       hd_status_names[f->ticket.status % HD_STATUS_COUNT]);
            hd_jw_key(&j->w, "updated");
            ngx_http_helpdesk_jw_time(&j->w, f->ticket.updated);
            hd_jw_end(&j->w, '}');

            hd_buf_free(&snippet);
        }

        hd_jw_end(&j->w, ']');
        hd_jw_end(&j->w, '}');
        hd_txn_abort(&txn);

        return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
    }

    view = ngx_http_helpdesk_view(r, ctx, "staff.search_title");
    if (view == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        if (ngx_http_helpdesk_found(ctx, &txn, &hits[i], &q, f) != NGX_OK) {
            continue;
        }

        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "number", (int64_t) f->ticket.number);
        hd_val_set_str(pool, item, "subject", f->ticket.subject.data,
                       f->ticket.subject.len);
        ngx_http_helpdesk_set_label(ctx, item, "status",
                                    NGX_HTTP_HELPDESK_L_STAFF_STATUS,
                                    f->ticket.status);
        hd_val_set(pool, item, "updated",
                   ngx_http_helpdesk_time_text(ctx, f->ticket.updated));
        hd_val_set_bool(pool, item, "note",
                        f->message.kind == HD_MESSAGE_NOTE);

        parts = hd_val_list(pool);

        for (k = 0; k < f->nparts; k++) {
            part = hd_val_map(pool);
            hd_val_set_str(pool, part, "text", f->parts[k].text.data,
                           f->parts[k].text.len);
            hd_val_set_bool(pool, part, "mark", f->parts[k].mark);
            hd_val_push(pool, parts, part);
        }

        hd_val_set(pool, item, "snippet", parts);
        hd_val_push(pool, list, item);
    }

    hd_txn_abort(&txn);

    if (rc == NGX_OK && q.len) {
        hd_val_set_str(pool, view, "q", q.data, q.len);
        hd_val_set_bool(pool, view, "searched", 1);
    }

    hd_val_set(pool, view, "results", list);
    hd_val_set_bool(pool, view, "has_results", n > 0);
    hd_val_set_int(pool, view, "total", (int64_t) total);
    hd_val_set_bool(pool, view, "estimated", count.estimated);

    if (page > 1) {
        hd_val_set_int(pool, view, "prev_page", page - 1);
    }

    if ((size_t) page * NGX_HTTP_HELPDESK_SEARCH_PAGE < count.found) {
        hd_val_set_int(pool, view, "next_page", page + 1);
    }

    return ngx_http_helpdesk_render(r, ctx, "pages/staff_search", view,
                                    NGX_HTTP_OK);
}

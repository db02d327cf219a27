/*
 * The outbox for administrators (SPEC §7.1): what waits, what failed with
 * the relay's answer, what went; one message in full; sending a failed one
 * again or giving one up. Pages under admin/outbox, the same in the API.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_outbox.h"
#include "hd_store.h"


#define NGX_HTTP_HELPDESK_OUTBOX_PAGE  50


typedef struct {
    ngx_http_helpdesk_job_t   job;
    uint64_t                  id;
    ngx_uint_t                drop;
} ngx_http_helpdesk_outbox_job_t;


static const char  *ngx_http_helpdesk_outbox_tabs[] = {
    "queued", "failed", "sent", "dropped", "all", NULL
};


static uint64_t
ngx_http_helpdesk_outbox_id(ngx_http_helpdesk_ctx_t *ctx)
{
    off_t  n;

    if (ctx->nargs == 0 || ctx->args[0].len == 0 || ctx->args[0].len > 15) {
        return 0;
    }

    n = ngx_atoof(ctx->args[0].data, ctx->args[0].len);

    return n > 0 ? (uint64_t) n : 0;
}


static void
ngx_http_helpdesk_outbox_jw_mail(hd_jw_t *w, const hd_mail_t *m, int full)
{
    hd_jw_object(w);
    hd_jw_key(w, "id");
    hd_jw_int(w, (int64_t) m->id);
    ngx_http_helpdesk_jw_kstr(w, "kind", &m->kind);
    ngx_http_helpdesk_jw_kstr(w, "to", &m->to);
    ngx_http_helpdesk_jw_kstr(w, "subject", &m->subject);
    hd_jw_key(w, "state");
    hd_jw_cstr(w, hd_mail_state_names[m->state % HD_MAIL_STATE_COUNT]);
    hd_jw_key(w, "attempts");
    hd_jw_int(w, m->attempts);
    hd_jw_key(w, "created");
    ngx_http_helpdesk_jw_time(w, m->created);
    hd_jw_key(w, "tried");
    ngx_http_helpdesk_jw_time(w, m->tried);
    hd_jw_key(w, "next_attempt");
    ngx_http_helpdesk_jw_time(w, m->state == HD_MAIL_QUEUED
                                 ? m->next_attempt : 0);
    hd_jw_key(w, "sent");
    ngx_http_helpdesk_jw_time(w, m->state == HD_MAIL_SENT ? m->sent : 0);
    ngx_http_helpdesk_jw_kstr(w, "answer", &m->answer);
    hd_jw_key(w, "ticket");

    if (m->ticket) {
        hd_jw_int(w, (int64_t) m->ticket);

    } else {
        hd_jw_null(w);
    }

    if (full) {
        ngx_http_helpdesk_jw_kstr(w, "to_name", &m->to_name);
        ngx_http_helpdesk_jw_kstr(w, "message_id", &m->message_id);
        ngx_http_helpdesk_jw_kstr(w, "body", &m->body);
        hd_jw_key(w, "html");
        hd_jw_bool(w, m->html.len > 0);
    }

    hd_jw_end(w, '}');
}


/* a mail's row or page: texts for people, no codes */
static hd_val_t *
ngx_http_helpdesk_outbox_view(ngx_http_helpdesk_ctx_t *ctx, const hd_mail_t *m)
{
    char             key[96];
    hd_val_t        *item;
    hd_pool_t       *pool = &ctx->pool;
    const hd_str_t  *text;

    item = hd_val_map(pool);
    if (item == NULL) {
        return NULL;
    }

    hd_val_set_int(pool, item, "id", (int64_t) m->id);
    hd_val_set_str(pool, item, "to", m->to.data, m->to.len);
    hd_val_set_str(pool, item, "to_name", m->to_name.data, m->to_name.len);
    hd_val_set_str(pool, item, "subject", m->subject.data, m->subject.len);
    hd_val_set_str(pool, item, "answer", m->answer.data, m->answer.len);
    hd_val_set_int(pool, item, "attempts", m->attempts);
    hd_val_set(pool, item, "created",
               ngx_http_helpdesk_time_text(ctx, m->created));

    if (m->tried) {
        hd_val_set(pool, item, "tried",
                   ngx_http_helpdesk_time_text(ctx, m->tried));
    }

    if (m->state == HD_MAIL_QUEUED) {
        hd_val_set(pool, item, "next_attempt",
                   ngx_http_helpdesk_time_text(ctx, m->next_attempt));
    }

    if (m->ticket) {
        hd_val_set_int(pool, item, "ticket", (int64_t) m->ticket);
    }

    ngx_snprintf((u_char *) key, sizeof(key), "outbox.states.%s%Z",
                 hd_mail_state_names[m->state % HD_MAIL_STATE_COUNT]);
    text = ngx_http_helpdesk_text(ctx, key);
    if (text != NULL) {
        hd_val_set_str(pool, item, "state", text->data, text->len);
    }

    hd_val_set_cstr(pool, item, "state_code",
                    hd_mail_state_names[m->state % HD_MAIL_STATE_COUNT]);

    /* a kind the catalogue does not name (an operator's own) as it is */
    ngx_snprintf((u_char *) key, sizeof(key), "outbox.kinds.%V%Z",
                 (ngx_str_t *) &m->kind);
    text = m->kind.len < 64 ? ngx_http_helpdesk_text(ctx, key) : NULL;
    hd_val_set_str(pool, item, "kind", text ? text->data : m->kind.data,
                   text ? text->len : m->kind.len);

    hd_val_set_bool(pool, item, "can_retry", m->state != HD_MAIL_SENT);
    hd_val_set_bool(pool, item, "can_drop", m->state == HD_MAIL_QUEUED
                                            || m->state == HD_MAIL_FAILED);

    return item;
}


static void
ngx_http_helpdesk_outbox_relay(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *view)
{
    u_char          *p, *end;
    hd_pool_t       *pool = &ctx->pool;
    hd_smtp_conf_t  *c = ctx->mcf->smtp;

    if (c == NULL) {
        return;
    }

    p = ngx_pnalloc(ctx->pool.data, HD_SMTP_HOST_MAX + 16);
    if (p == NULL) {
        return;
    }

    end = ngx_sprintf(p, "%s:%ud", c->host, c->port);
    hd_val_set_str(pool, view, "relay", p, end - p);
    hd_val_set_cstr(pool, view, "from", c->from_address);
}


/* GET admin/outbox[/{id}] and the API's */
ngx_int_t
ngx_http_helpdesk_admin_outbox(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int                      state;
    size_t                   i, n, total;
    uint64_t                 id;
    hd_rc                    rc;
    hd_err_t                 err;
    hd_txn_t                 txn;
    hd_jw_t                 *w;
    hd_val_t                *view, *list, *tabs, *item;
    hd_mail_t               *mail, one;
    hd_pool_t               *pool = &ctx->pool;
    ngx_str_t                arg;
    ngx_int_t                page, per_page, status;
    ngx_uint_t               tab, chosen;
    hd_outbox_stats_t        st;
    hd_outbox_query_t        q;
    ngx_http_helpdesk_jw_t  *j;

    id = ngx_http_helpdesk_outbox_id(ctx);

    if (ctx->nargs && id == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    /* which list: queued unless asked */
    tab = 0;

    if (ngx_http_arg(r, (u_char *) "state", 5, &arg) == NGX_OK) {
        for (tab = 0; ngx_http_helpdesk_outbox_tabs[tab]; tab++) {
            if (arg.len == ngx_strlen(ngx_http_helpdesk_outbox_tabs[tab])
                && ngx_strncmp(arg.data, ngx_http_helpdesk_outbox_tabs[tab],
                               arg.len) == 0)
            {
                break;
            }
        }

        if (ngx_http_helpdesk_outbox_tabs[tab] == NULL) {
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "state_invalid", "state");
        }
    }

    chosen = ngx_http_arg(r, (u_char *) "state", 5, &arg) == NGX_OK;

    page = ngx_http_helpdesk_arg_number(r, "page", 1, 100000);
    per_page = ngx_http_helpdesk_arg_number(r, "per_page",
                                            NGX_HTTP_HELPDESK_OUTBOX_PAGE,
                                            200);

    if (page == NGX_ERROR || per_page == NGX_ERROR) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                       "number_invalid",
                                       page == NGX_ERROR ? "page"
                                                         : "per_page");
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    (void) hd_outbox_stats(&txn, &st);

    /* the page opens where there is something to see: what waits, else
       what failed, else all of it (an empty "queued" tab says nothing) */
    if (!chosen && !ctx->api && st.queued == 0) {
        tab = st.failed_now ? 1 : 4;
    }

    state = tab == 4 ? HD_OUTBOX_ANY : (int) (tab == 0 ? HD_MAIL_QUEUED
                                              : tab == 1 ? HD_MAIL_FAILED
                                              : tab == 2 ? HD_MAIL_SENT
                                              : HD_MAIL_DROPPED);

    mail = &one;
    n = total = 0;

    if (id) {
        rc = hd_outbox_get(&txn, id, &one);

        if (rc != HD_OK) {
            hd_txn_abort(&txn);
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                           "not_found", NULL);
        }

        n = total = 1;

    } else {
        ngx_memzero(&q, sizeof(q));
        q.state = state;
        q.skip = (size_t) (page - 1) * (size_t) per_page;
        q.limit = (size_t) per_page;

        rc = hd_outbox_list(&txn, &q, pool, &mail, &n, &total);
        if (rc != HD_OK) {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (ctx->api) {
        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        w = &j->w;

        if (id) {
            ngx_http_helpdesk_outbox_jw_mail(w, &one, 1);

        } else {
            hd_jw_object(w);
            hd_jw_key(w, "total");
            hd_jw_int(w, (int64_t) total);
            hd_jw_key(w, "page");
            hd_jw_int(w, page);
            hd_jw_key(w, "per_page");
            hd_jw_int(w, per_page);
            hd_jw_key(w, "queued");
            hd_jw_int(w, (int64_t) st.queued);
            hd_jw_key(w, "failed");
            hd_jw_int(w, (int64_t) st.failed_now);
            hd_jw_key(w, "oldest_queued");
            ngx_http_helpdesk_jw_time(w, st.oldest);
            hd_jw_key(w, "mail");
            hd_jw_array(w);

            for (i = 0; i < n; i++) {
                ngx_http_helpdesk_outbox_jw_mail(w, &mail[i], 0);
            }

            hd_jw_end(w, ']');
            hd_jw_end(w, '}');
        }

        hd_txn_abort(&txn);

        return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
    }

    view = ngx_http_helpdesk_view(r, ctx, "outbox.title");
    if (view == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_outbox_relay(ctx, view);
    hd_val_set_int(pool, view, "queued", (int64_t) st.queued);
    hd_val_set_int(pool, view, "failed", (int64_t) st.failed_now);
    hd_val_set_int(pool, view, "sent_total", (int64_t) st.sent);

    if (st.oldest) {
        hd_val_set(pool, view, "oldest",
                   ngx_http_helpdesk_time_text(ctx, st.oldest));
    }

    if (id) {
        item = ngx_http_helpdesk_outbox_view(ctx, &one);
        hd_val_set_str(pool, item, "body", one.body.data, one.body.len);
        hd_val_set_str(pool, item, "message_id", one.message_id.data,
                       one.message_id.len);
        hd_val_set(pool, view, "mail", item);
        status = ngx_http_helpdesk_render(r, ctx, "pages/admin_outbox_mail",
                                          view, NGX_HTTP_OK);
        hd_txn_abort(&txn);
        return status;
    }

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        hd_val_push(pool, list, ngx_http_helpdesk_outbox_view(ctx, &mail[i]));
    }

    hd_val_set(pool, view, "mails", list);
    hd_val_set_bool(pool, view, "has_mails", n > 0);

    tabs = hd_val_list(pool);

    for (i = 0; ngx_http_helpdesk_outbox_tabs[i]; i++) {
        char             key[64];
        const hd_str_t  *text;

        item = hd_val_map(pool);
        ngx_snprintf((u_char *) key, sizeof(key), "outbox.tabs.%s%Z",
                     ngx_http_helpdesk_outbox_tabs[i]);
        text = ngx_http_helpdesk_text(ctx, key);
        hd_val_set_cstr(pool, item, "code", ngx_http_helpdesk_outbox_tabs[i]);

        if (text != NULL) {
            hd_val_set_str(pool, item, "name", text->data, text->len);
        }

        hd_val_set_bool(pool, item, "current", i == tab);

        if (i == 0 || i == 1) {
            hd_val_set_int(pool, item, "count",
                           (int64_t) (i == 0 ? st.queued : st.failed_now));
        }

        hd_val_push(pool, tabs, item);
    }

    hd_val_set(pool, view, "tabs", tabs);
    hd_val_set_cstr(pool, view, "tab", ngx_http_helpdesk_outbox_tabs[tab]);
    hd_val_set_int(pool, view, "total", (int64_t) total);

    if (page > 1) {
        hd_val_set_int(pool, view, "prev_page", page - 1);
    }

    if ((size_t) page * (size_t) per_page < total) {
        hd_val_set_int(pool, view, "next_page", page + 1);
    }

    status = ngx_http_helpdesk_render(r, ctx, "pages/admin_outbox", view,
                                      NGX_HTTP_OK);
    hd_txn_abort(&txn);

    return status;
}


static void
ngx_http_helpdesk_outbox_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_outbox_job_t  *j = data;

    (void) log;

    j->job.rc = j->drop ? hd_outbox_drop(j->job.portal.store, j->id,
                                         j->job.now, &j->job.err)
                        : hd_outbox_retry(j->job.portal.store, j->id,
                                          j->job.now, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_outbox_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    u_char                          *path;
    hd_txn_t                         txn;
    hd_mail_t                        m;
    ngx_http_helpdesk_jw_t          *w;
    ngx_http_helpdesk_outbox_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job, NULL);
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "helpdesk mail %uL %s by %V", j->id,
                  j->drop ? "dropped" : "queued again",
                  (ngx_str_t *) &ctx->caller.account->login);

    if (!ctx->api) {
        path = ngx_pnalloc(r->pool, sizeof("admin/outbox/") + NGX_INT64_LEN);
        if (path == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_sprintf(path, "admin/outbox/%uL%Z", j->id);

        return ngx_http_helpdesk_go(r, ctx, (char *) path,
                                    j->drop ? "mail_dropped" : "mail_retried");
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, NULL)
        != HD_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    w = ngx_http_helpdesk_jw_new(r);

    if (w == NULL || hd_outbox_get(&txn, j->id, &m) != HD_OK) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_outbox_jw_mail(&w->w, &m, 0);
    hd_txn_abort(&txn);

    return ngx_http_helpdesk_jw_send(r, w, NGX_HTTP_OK);
}


static ngx_int_t
ngx_http_helpdesk_outbox_act(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_uint_t drop)
{
    ngx_http_helpdesk_outbox_job_t  *j;

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->id = ngx_http_helpdesk_outbox_id(ctx);
    j->drop = drop;

    if (j->id == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    /* giving a message up is final: the page's form asks first */
    if (drop && !ctx->api && !ngx_http_helpdesk_input_bool(ctx, "confirm")) {
        return ngx_http_helpdesk_error(r, ctx, 422,
                                       "confirm_required", "confirm");
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_outbox_work,
                                     ngx_http_helpdesk_outbox_done, j);
}


ngx_int_t
ngx_http_helpdesk_admin_outbox_retry(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_outbox_act(r, ctx, 0);
}


ngx_int_t
ngx_http_helpdesk_admin_outbox_drop(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_outbox_act(r, ctx, 1);
}

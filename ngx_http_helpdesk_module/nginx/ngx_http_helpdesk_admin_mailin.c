/*
 * Mail that came in, for administrators (SPEC §7.2): what each message
 * became (the log), and the quarantine: messages held because their sender
 * may not write where they claimed, or wrote too much. An administrator
 * reads one, then releases it (it goes through the pipeline as if allowed)
 * or deletes it. Pages under admin/mail, the same in the API.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_files.h"
#include "hd_mail_route.h"
#include "hd_store.h"
#include "hd_text.h"


#define NGX_HTTP_HELPDESK_MAILIN_PAGE   50
#define NGX_HTTP_HELPDESK_PREVIEW       (64 * 1024)


typedef struct {
    ngx_http_helpdesk_job_t   job;
    uint64_t                  id;
    ngx_uint_t                release;
    hd_mailin_t               out;
} ngx_http_helpdesk_quarantine_job_t;


static const char  *ngx_http_helpdesk_mailin_sources[] = { "gate", "imap" };


static uint64_t
ngx_http_helpdesk_mailin_id(ngx_http_helpdesk_ctx_t *ctx)
{
    off_t  n;

    if (ctx->nargs == 0 || ctx->args[0].len == 0 || ctx->args[0].len > 15) {
        return 0;
    }

    n = ngx_atoof(ctx->args[0].data, ctx->args[0].len);

    return n > 0 ? (uint64_t) n : 0;
}


/* "mailin.reasons.not_allowed", or the code itself when none is written */
static void
ngx_http_helpdesk_mailin_label(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *item,
    const char *key, const char *group, const hd_str_t *code)
{
    u_char           name[128];
    const hd_str_t  *text;

    if (code->len == 0 || code->len > 64) {
        return;
    }

    ngx_snprintf(name, sizeof(name), "mailin.%s.%*s%Z", group, code->len,
                 code->data);
    text = ngx_http_helpdesk_text(ctx, (char *) name);

    if (text == NULL) {
        text = code;
    }

    hd_val_set_str(&ctx->pool, item, key, text->data, text->len);
}


static void
ngx_http_helpdesk_quarantine_jw(hd_jw_t *w, const hd_quarantine_t *q)
{
    hd_jw_object(w);
    hd_jw_key(w, "id");
    hd_jw_int(w, (int64_t) q->id);
    hd_jw_key(w, "received");
    ngx_http_helpdesk_jw_time(w, q->time);
    hd_jw_key(w, "source");
    hd_jw_cstr(w, ngx_http_helpdesk_mailin_sources[q->source % 2]);
    ngx_http_helpdesk_jw_kstr(w, "from", &q->from);
    ngx_http_helpdesk_jw_kstr(w, "subject", &q->subject);
    ngx_http_helpdesk_jw_kstr(w, "reason", &q->reason);
    ngx_http_helpdesk_jw_kid(w, "ticket", q->ticket);

    hd_jw_key(w, "size");
    hd_jw_int(w, (int64_t) q->size);
    hd_jw_end(w, '}');
}


static hd_val_t *
ngx_http_helpdesk_quarantine_view(ngx_http_helpdesk_ctx_t *ctx,
    const hd_quarantine_t *q)
{
    hd_val_t   *item;
    hd_pool_t  *pool = &ctx->pool;

    item = hd_val_map(pool);

    hd_val_set_int(pool, item, "id", (int64_t) q->id);
    hd_val_set(pool, item, "received",
               ngx_http_helpdesk_time_text(ctx, q->time));
    hd_val_set_str(pool, item, "from", q->from.data, q->from.len);
    hd_val_set_str(pool, item, "subject", q->subject.data, q->subject.len);
    hd_val_set_bool(pool, item, "no_subject", q->subject.len == 0);
    ngx_http_helpdesk_mailin_label(ctx, item, "reason", "reasons", &q->reason);

    if (q->ticket) {
        hd_val_set_int(pool, item, "ticket", (int64_t) q->ticket);
    }

    hd_val_set(pool, item, "size", ngx_http_helpdesk_size_text(ctx, q->size));

    return item;
}


static void
ngx_http_helpdesk_mail_log_jw(hd_jw_t *w, const hd_mail_log_t *l)
{
    hd_jw_object(w);
    hd_jw_key(w, "id");
    hd_jw_int(w, (int64_t) l->id);
    hd_jw_key(w, "received");
    ngx_http_helpdesk_jw_time(w, l->time);
    hd_jw_key(w, "source");
    hd_jw_cstr(w, ngx_http_helpdesk_mailin_sources[l->source % 2]);
    ngx_http_helpdesk_jw_kstr(w, "from", &l->from);
    ngx_http_helpdesk_jw_kstr(w, "subject", &l->subject);
    ngx_http_helpdesk_jw_kstr(w, "message_id", &l->message_id);
    hd_jw_key(w, "action");
    hd_jw_cstr(w, hd_mailin_action_names[l->action % HD_MAILIN_ACTION_COUNT]);
    hd_jw_key(w, "reason");

    if (l->reason.len) {
        hd_jw_str(w, l->reason.data, l->reason.len);

    } else {
        hd_jw_null(w);
    }

    hd_jw_key(w, "ticket");

    if (l->ticket) {
        hd_jw_int(w, (int64_t) l->ticket);

    } else {
        hd_jw_null(w);
    }

    if (l->quarantine) {
        hd_jw_key(w, "quarantine");
        hd_jw_int(w, (int64_t) l->quarantine);
    }

    hd_jw_end(w, '}');
}


static hd_val_t *
ngx_http_helpdesk_mail_log_view(ngx_http_helpdesk_ctx_t *ctx,
    const hd_mail_log_t *l)
{
    hd_str_t    action;
    hd_val_t   *item;
    hd_pool_t  *pool = &ctx->pool;

    item = hd_val_map(pool);

    hd_val_set_int(pool, item, "id", (int64_t) l->id);
    hd_val_set(pool, item, "received",
               ngx_http_helpdesk_time_text(ctx, l->time));
    hd_val_set_str(pool, item, "from", l->from.data, l->from.len);
    hd_val_set_str(pool, item, "subject", l->subject.data, l->subject.len);
    hd_val_set_bool(pool, item, "no_subject", l->subject.len == 0);

    action.data = (hd_uchar *)
                  hd_mailin_action_names[l->action % HD_MAILIN_ACTION_COUNT];
    action.len = ngx_strlen(action.data);

    hd_val_set_str(pool, item, "action_code", action.data, action.len);
    ngx_http_helpdesk_mailin_label(ctx, item, "action", "actions", &action);
    ngx_http_helpdesk_mailin_label(ctx, item, "reason", "reasons", &l->reason);

    if (l->ticket) {
        hd_val_set_int(pool, item, "ticket", (int64_t) l->ticket);
    }

    return item;
}


/* bytes as text to show: what is not UTF-8, or a control, becomes '?' */
static size_t
ngx_http_helpdesk_mailin_text(u_char *p, size_t len)
{
    size_t  i, k, o = 0;

    for (i = 0; i < len; /* void */) {
        if (p[i] < 0x80) {
            p[o++] = (p[i] >= 0x20 || p[i] == '\n' || p[i] == '\t')
                     ? p[i] : (p[i] == '\r' ? '\r' : '?');
            i++;
            continue;
        }

        k = (p[i] & 0xe0) == 0xc0 ? 2 : (p[i] & 0xf0) == 0xe0 ? 3
            : (p[i] & 0xf8) == 0xf0 ? 4 : 0;

        if (k && i + k <= len && hd_utf8_valid(p + i, k)) {
            ngx_memmove(p + o, p + i, k);
            o += k;
            i += k;
            continue;
        }

        p[o++] = '?';
        i++;
    }

    return o;
}


/* the first bytes of the held message, as text (never rendered as HTML) */
static void
ngx_http_helpdesk_quarantine_preview(ngx_http_helpdesk_ctx_t *ctx,
    const hd_quarantine_t *q, hd_val_t *item)
{
    char       rel[HD_FILE_REL_LEN + 1];
    u_char    *buf, *path;
    ssize_t    n;
    ngx_fd_t   fd;
    hd_pool_t *pool = &ctx->pool;

    if (q->sha256.len != HD_SHA256_LEN) {
        return;
    }

    hd_file_rel_path(q->sha256.data, rel);

    path = hd_palloc(pool, ngx_strlen(ctx->mcf->files_dir) + sizeof(rel) + 2);
    buf = hd_palloc(pool, NGX_HTTP_HELPDESK_PREVIEW);

    if (path == NULL || buf == NULL) {
        return;
    }

    ngx_sprintf(path, "%s/%s%Z", ctx->mcf->files_dir, rel);

    fd = ngx_open_file(path, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        return;
    }

    n = ngx_read_fd(fd, buf, NGX_HTTP_HELPDESK_PREVIEW);
    (void) ngx_close_file(fd);

    if (n <= 0) {
        return;
    }

    hd_val_set_bool(pool, item, "cut", (uint64_t) n < q->size);
    n = ngx_http_helpdesk_mailin_text(buf, (size_t) n);
    hd_val_set(pool, item, "preview", hd_val_str(pool, buf, (size_t) n));
}


ngx_int_t
ngx_http_helpdesk_admin_mailin(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                   i, n, nq, total, held;
    uint64_t                 id;
    hd_txn_t                 txn;
    ngx_int_t                status, page, per_page;
    hd_val_t                *view, *list, *item;
    hd_pool_t               *pool = &ctx->pool;
    hd_mail_log_t           *log;
    hd_quarantine_t         *q, one;
    ngx_http_helpdesk_jw_t  *j;

    id = ngx_http_helpdesk_mailin_id(ctx);

    if (ctx->nargs && id == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    page = ngx_http_helpdesk_arg_number(r, "page", 1, 100000);
    per_page = ngx_http_helpdesk_arg_number(r, "per_page",
                                            NGX_HTTP_HELPDESK_MAILIN_PAGE,
                                            200);

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                     NULL)
        != HD_OK)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    if (id) {
        if (hd_quarantine_get(&txn, id, &one) != HD_OK
            || hd_record_strings_copy(&hd_quarantine_desc, &one, pool) != 0)
        {
            hd_txn_abort(&txn);
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                           "not_found", NULL);
        }

        hd_txn_abort(&txn);

        if (ctx->api) {
            j = ngx_http_helpdesk_jw_new(r);
            if (j == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            ngx_http_helpdesk_quarantine_jw(&j->w, &one);

            return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
        }

        view = ngx_http_helpdesk_view(r, ctx, "mailin.held_title");
        if (view == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        item = ngx_http_helpdesk_quarantine_view(ctx, &one);
        ngx_http_helpdesk_quarantine_preview(ctx, &one, item);
        hd_val_set(pool, view, "held", item);

        return ngx_http_helpdesk_render(r, ctx, "pages/admin_mail_held",
                                        view, NGX_HTTP_OK);
    }

    if (hd_quarantine_list(&txn, pool, &q, &nq) != HD_OK
        || hd_mail_log_list(&txn, (size_t) (page - 1) * per_page, per_page,
                            pool, &log, &n, &total)
           != HD_OK)
    {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    held = nq;
    hd_txn_abort(&txn);

    if (ctx->api) {
        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        hd_jw_object(&j->w);
        hd_jw_key(&j->w, "gate");
        hd_jw_bool(&j->w, ctx->mcf->gate_key_set != 0);
        hd_jw_key(&j->w, "quarantine");
        hd_jw_array(&j->w);

        for (i = 0; i < nq; i++) {
            ngx_http_helpdesk_quarantine_jw(&j->w, &q[i]);
        }

        hd_jw_end(&j->w, ']');
        hd_jw_key(&j->w, "total");
        hd_jw_int(&j->w, (int64_t) total);
        hd_jw_key(&j->w, "page");
        hd_jw_int(&j->w, page);
        hd_jw_key(&j->w, "per_page");
        hd_jw_int(&j->w, per_page);
        hd_jw_key(&j->w, "log");
        hd_jw_array(&j->w);

        for (i = 0; i < n; i++) {
            ngx_http_helpdesk_mail_log_jw(&j->w, &log[i]);
        }

        hd_jw_end(&j->w, ']');
        hd_jw_end(&j->w, '}');

        return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
    }

    view = ngx_http_helpdesk_view(r, ctx, "mailin.title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_val_set_bool(pool, view, "gate", ctx->mcf->gate_key_set != 0);
    hd_val_set_bool(pool, view, "imap", ctx->mcf->imap != NULL);

    list = hd_val_list(pool);

    for (i = 0; i < nq; i++) {
        hd_val_push(pool, list, ngx_http_helpdesk_quarantine_view(ctx, &q[i]));
    }

    hd_val_set(pool, view, "quarantine", list);
    hd_val_set_bool(pool, view, "has_quarantine", nq > 0);
    hd_val_set_int(pool, view, "held", (int64_t) held);

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        hd_val_push(pool, list, ngx_http_helpdesk_mail_log_view(ctx, &log[i]));
    }

    hd_val_set(pool, view, "log", list);
    hd_val_set_bool(pool, view, "has_log", n > 0);
    hd_val_set_int(pool, view, "total", (int64_t) total);

    if (page > 1) {
        hd_val_set_int(pool, view, "prev_page", page - 1);
    }

    if ((size_t) page * (size_t) per_page < total) {
        hd_val_set_int(pool, view, "next_page", page + 1);
    }

    status = ngx_http_helpdesk_render(r, ctx, "pages/admin_mail", view,
                                      NGX_HTTP_OK);

    return status;
}


static void
ngx_http_helpdesk_quarantine_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_quarantine_job_t  *j = data;

    (void) log;

    if (j->release) {
        j->job.rc = hd_quarantine_release(&j->job.portal, j->id, j->job.now,
                                          &j->out, &j->job.err);

    } else {
        j->job.rc = hd_quarantine_delete(j->job.portal.store, j->id,
                                         j->job.now, &j->job.err);
    }
}


static ngx_int_t
ngx_http_helpdesk_quarantine_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    hd_jw_t                             *w;
    ngx_http_helpdesk_jw_t              *jw;
    ngx_http_helpdesk_quarantine_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job, NULL);
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "helpdesk: held mail %uL %s by %V%s%s", j->id,
                  j->release ? "released" : "deleted",
                  (ngx_str_t *) &ctx->caller.account->login,
                  j->release ? ": " : "",
                  j->release ? hd_mailin_action_names[j->out.action] : "");

    if (!ctx->api) {
        return ngx_http_helpdesk_go(r, ctx, "admin/mail",
                                    j->release ? "mail_released"
                                               : "mail_deleted");
    }

    if (!j->release) {
        return ngx_http_helpdesk_no_content(r);
    }

    jw = ngx_http_helpdesk_jw_new(r);
    if (jw == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    w = &jw->w;
    hd_jw_object(w);
    hd_jw_key(w, "ticket");

    if (j->out.ticket) {
        hd_jw_int(w, (int64_t) j->out.ticket);

    } else {
        hd_jw_null(w);
    }

    hd_jw_key(w, "action");
    hd_jw_cstr(w, hd_mailin_action_names[j->out.action]);
    hd_jw_key(w, "reason");
    hd_jw_cstr(w, j->out.reason);
    hd_jw_end(w, '}');

    return ngx_http_helpdesk_jw_send(r, jw, NGX_HTTP_OK);
}


static ngx_int_t
ngx_http_helpdesk_quarantine_act(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_uint_t release)
{
    ngx_http_helpdesk_quarantine_job_t  *j;

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->id = ngx_http_helpdesk_mailin_id(ctx);
    j->release = release;

    if (j->id == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    /* deleting a message is final: the page's form asks first */
    if (!release && !ctx->api
        && !ngx_http_helpdesk_input_bool(ctx, "confirm"))
    {
        return ngx_http_helpdesk_error(r, ctx, 422, "confirm_required",
                                       "confirm");
    }

    return ngx_http_helpdesk_offload(r, ctx,
                                     ngx_http_helpdesk_quarantine_work,
                                     ngx_http_helpdesk_quarantine_done, j);
}


ngx_int_t
ngx_http_helpdesk_admin_quarantine_release(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_quarantine_act(r, ctx, 1);
}


ngx_int_t
ngx_http_helpdesk_admin_quarantine_delete(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_quarantine_act(r, ctx, 0);
}

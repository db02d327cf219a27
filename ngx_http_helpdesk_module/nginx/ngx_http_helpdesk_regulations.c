/*
 * The support regulations (hd_regulations.h) on the portal: the edition in
 * force and the coming one with its date, for everyone; administrators
 * publish editions (at least 15 days ahead) and see them all.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_date.h"
#include "hd_markdown.h"
#include "hd_regulations.h"
#include "hd_text.h"


typedef struct {
    ngx_http_helpdesk_job_t   job;
    hd_edition_t              e;
    size_t                    mailed;
} ngx_http_helpdesk_edition_job_t;


static ngx_int_t ngx_http_helpdesk_admin_regulations_page(
    ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors,
    ngx_uint_t status);


/* an edition for a page: its days, its text as HTML in the reader's
   language */
static hd_val_t *
ngx_http_helpdesk_edition_view(ngx_http_helpdesk_ctx_t *ctx,
    const hd_edition_t *e, int html)
{
    hd_str_t    out;
    hd_val_t   *item;
    hd_pool_t  *pool = &ctx->pool;

    item = hd_val_map(pool);
    hd_val_set_int(pool, item, "id", (int64_t) e->id);
    ngx_http_helpdesk_set_day(ctx, item, "effective", (int32_t) e->effective);
    ngx_http_helpdesk_set_day(ctx, item, "published",
                              hd_date_today(e->published));

    if (html
        && hd_markdown_html(pool, hd_regulations_text(e, ctx->lang), &out)
           == 0)
    {
        hd_val_set_str(pool, item, "body_html", out.data, out.len);
    }

    return item;
}


static void
ngx_http_helpdesk_edition_jw(ngx_http_helpdesk_ctx_t *ctx, hd_jw_t *w,
    const char *key, const hd_edition_t *e)
{
    char      day[11];
    hd_str_t  html;

    hd_jw_key(w, key);

    if (e == NULL) {
        hd_jw_null(w);
        return;
    }

    hd_jw_object(w);
    hd_jw_key(w, "id");
    hd_jw_int(w, (int64_t) e->id);
    hd_date_format((int32_t) e->effective, day);
    hd_jw_key(w, "effective");
    hd_jw_cstr(w, day);
    hd_jw_key(w, "published");
    ngx_http_helpdesk_jw_time(w, e->published);
    ngx_http_helpdesk_jw_kstr(w, "body_ru", &e->body_ru);
    ngx_http_helpdesk_jw_kstr(w, "body_en", &e->body_en);

    if (hd_markdown_html(&ctx->pool, hd_regulations_text(e, ctx->lang), &html)
        == 0)
    {
        ngx_http_helpdesk_jw_kstr(w, "body_html", &html);
    }

    hd_jw_end(w, '}');
}


/* --- for everyone ---------------------------------------------------------- */


ngx_int_t
ngx_http_helpdesk_regulations(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int                      has_now, has_next;
    hd_txn_t                 txn;
    hd_val_t                *view;
    hd_edition_t             now, next;
    ngx_http_helpdesk_jw_t  *j;

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                     NULL)
        != HD_OK)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    has_now = hd_regulations_current(&txn, &now) == HD_OK
              && hd_record_strings_copy(&hd_edition_desc, &now, &ctx->pool)
                 == 0;
    has_next = hd_regulations_coming(&txn, &next) == HD_OK
               && hd_record_strings_copy(&hd_edition_desc, &next, &ctx->pool)
                  == 0;

    hd_txn_abort(&txn);

    if (ctx->api) {
        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        hd_jw_object(&j->w);
        ngx_http_helpdesk_edition_jw(ctx, &j->w, "in_force",
                                     has_now ? &now : NULL);
        ngx_http_helpdesk_edition_jw(ctx, &j->w, "coming",
                                     has_next ? &next : NULL);
        hd_jw_end(&j->w, '}');

        return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
    }

    view = ngx_http_helpdesk_view(r, ctx, "regulations.title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (has_now) {
        hd_val_set(&ctx->pool, view, "in_force",
                   ngx_http_helpdesk_edition_view(ctx, &now, 1));
    }

    if (has_next) {
        hd_val_set(&ctx->pool, view, "coming",
                   ngx_http_helpdesk_edition_view(ctx, &next, 1));
    }

    return ngx_http_helpdesk_render(r, ctx, "pages/regulations", view,
                                    NGX_HTTP_OK);
}


/* --- administrators -------------------------------------------------------- */


static ngx_int_t
ngx_http_helpdesk_admin_regulations_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    char           day[11];
    size_t         i, n;
    uint64_t       current;
    hd_txn_t       txn;
    hd_val_t      *view, *list, *item;
    hd_edition_t  *all;

    static const char  *echo[] = { "body_ru", "body_en", "effective", NULL };

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                     NULL)
        != HD_OK)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    current = hd_regulations_current_id(&txn);

    if (hd_regulations_list(&txn, &ctx->pool, &all, &n) != HD_OK) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_txn_abort(&txn);

    if (ctx->api) {
        ngx_http_helpdesk_jw_t  *j = ngx_http_helpdesk_jw_new(r);

        if (j == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        hd_jw_object(&j->w);
        hd_jw_key(&j->w, "in_force");
        hd_jw_int(&j->w, (int64_t) current);
        hd_jw_key(&j->w, "editions");
        hd_jw_array(&j->w);

        for (i = 0; i < n; i++) {
            hd_jw_object(&j->w);
            hd_jw_key(&j->w, "id");
            hd_jw_int(&j->w, (int64_t) all[i].id);
            hd_date_format((int32_t) all[i].effective, day);
            hd_jw_key(&j->w, "effective");
            hd_jw_cstr(&j->w, day);
            hd_jw_key(&j->w, "published");
            ngx_http_helpdesk_jw_time(&j->w, all[i].published);
            hd_jw_end(&j->w, '}');
        }

        hd_jw_end(&j->w, ']');
        hd_jw_end(&j->w, '}');

        return ngx_http_helpdesk_jw_send(r, j, status);
    }

    view = ngx_http_helpdesk_view(r, ctx, "regulations.admin_title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);

    list = hd_val_list(&ctx->pool);

    for (i = 0; i < n; i++) {
        item = ngx_http_helpdesk_edition_view(ctx, &all[i], 0);
        hd_val_set_bool(&ctx->pool, item, "in_force", all[i].id == current);
        hd_val_set_bool(&ctx->pool, item, "coming",
                        current == 0 || all[i].id > current);
        hd_val_push(&ctx->pool, list, item);
    }

    hd_val_set(&ctx->pool, view, "editions", list);
    hd_val_set_bool(&ctx->pool, view, "has_editions", n > 0);
    hd_val_set_int(&ctx->pool, view, "notice_days",
                   HD_REGULATIONS_NOTICE_DAYS);

    /* the earliest day a new edition may take effect */
    hd_date_format(hd_date_today(ngx_time()) + HD_REGULATIONS_NOTICE_DAYS,
                   day);
    hd_val_set_str(&ctx->pool, view, "earliest",
                   hd_pstrdup(&ctx->pool, day, ngx_strlen(day)),
                   ngx_strlen(day));
    ngx_http_helpdesk_set_day(ctx, view, "earliest_text",
                              hd_date_today(ngx_time())
                              + HD_REGULATIONS_NOTICE_DAYS);

    return ngx_http_helpdesk_render(r, ctx, "pages/admin_regulations", view,
                                    status);
}


ngx_int_t
ngx_http_helpdesk_admin_regulations(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_admin_regulations_page(r, ctx, NULL,
                                                    NGX_HTTP_OK);
}


static void
ngx_http_helpdesk_edition_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_edition_job_t  *j = data;

    (void) log;

    j->job.rc = hd_regulations_publish(&j->job.portal, &j->e, j->job.now,
                                       &j->mailed, &j->job.errors,
                                       &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_edition_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    char                              day[11];
    ngx_http_helpdesk_jw_t           *jw;
    ngx_http_helpdesk_edition_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                   ngx_http_helpdesk_admin_regulations_page);
    }

    hd_date_format((int32_t) j->e.effective, day);

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "helpdesk: regulations edition %uL published by %V, in "
                  "force from %s, announced to %uz accounts", j->e.id,
                  (ngx_str_t *) &ctx->caller.account->login, day, j->mailed);

    if (!ctx->api) {
        return ngx_http_helpdesk_go(r, ctx, "admin/regulations",
                                    "edition_published");
    }

    jw = ngx_http_helpdesk_jw_new(r);
    if (jw == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_jw_object(&jw->w);
    hd_jw_key(&jw->w, "id");
    hd_jw_int(&jw->w, (int64_t) j->e.id);
    hd_jw_key(&jw->w, "effective");
    hd_jw_cstr(&jw->w, day);
    hd_jw_key(&jw->w, "announced");
    hd_jw_int(&jw->w, (int64_t) j->mailed);
    hd_jw_end(&jw->w, '}');

    return ngx_http_helpdesk_jw_send(r, jw, NGX_HTTP_CREATED);
}


ngx_int_t
ngx_http_helpdesk_admin_regulations_publish(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int32_t                           day;
    hd_str_t                          v;
    ngx_http_helpdesk_edition_job_t  *j;

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->e.author = ctx->caller.account->id;

    if (ngx_http_helpdesk_input_str(ctx, "body_ru", &j->e.body_ru) != NGX_OK) {
        hd_errors_add(&j->job.errors, "body_ru", "text_invalid");
    }

    if (ngx_http_helpdesk_input_str(ctx, "body_en", &j->e.body_en) != NGX_OK) {
        hd_errors_add(&j->job.errors, "body_en", "text_invalid");
    }

    /* "YYYY-MM-DD": the day it takes effect */
    if (ngx_http_helpdesk_input_str(ctx, "effective", &v) != NGX_OK) {
        hd_errors_add(&j->job.errors, "effective", "date_invalid");

    } else if (v.len) {
        if (hd_date_parse(v.data, v.len, &day) != 0 || day <= 0) {
            hd_errors_add(&j->job.errors, "effective", "date_invalid");

        } else {
            j->e.effective = (uint32_t) day;
        }
    }

    hd_text_trim(&j->e.body_ru);
    hd_text_trim(&j->e.body_en);

    /* published is final (every user is mailed): the page's form asks */
    if (!ctx->api && ngx_http_helpdesk_input_bool(ctx, "confirm") != 1) {
        hd_errors_add(&j->job.errors, "confirm", "confirm_required");
    }

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                   ngx_http_helpdesk_admin_regulations_page);
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_edition_work,
                                     ngx_http_helpdesk_edition_done, j);
}

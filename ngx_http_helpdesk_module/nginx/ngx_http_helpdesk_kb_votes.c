/*
 * What readers say of the knowledge base's articles (SPEC §8): views,
 * counted in the worker and written every few seconds; "was this
 * helpful?", one vote a reader; and "this solved my problem", which ends
 * a ticket's draft without a ticket (a deflection).
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_crypto.h"
#include "hd_kb.h"
#include "hd_store.h"


#define NGX_HTTP_HELPDESK_KB_VIEWS      256     /* articles a flush */
#define NGX_HTTP_HELPDESK_KB_FLUSH      2000    /* ms */


/* --- views, counted here and written together ---------------------------- */

typedef struct {
    ngx_http_helpdesk_main_conf_t  *mcf;
    hd_portal_t                     portal;
    size_t                          n;
    uint64_t                        ids[NGX_HTTP_HELPDESK_KB_VIEWS];
    uint32_t                        counts[NGX_HTTP_HELPDESK_KB_VIEWS];
} ngx_http_helpdesk_kb_views_t;


static ngx_http_helpdesk_kb_views_t  ngx_http_helpdesk_kb_views;
static ngx_event_t                   ngx_http_helpdesk_kb_views_ev;


static hd_rc
ngx_http_helpdesk_kb_views_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    ngx_http_helpdesk_kb_views_t  *v = arg;

    return hd_kb_views_add(txn, v->ids, v->counts, v->n, err);
}


static void
ngx_http_helpdesk_kb_views_work(void *data, ngx_log_t *log)
{
    hd_err_t                       err;
    ngx_http_helpdesk_kb_views_t  *v = data;

    if (hd_txn_run(v->portal.store, ngx_http_helpdesk_kb_views_txn, v, &err)
        != HD_OK)
    {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "helpdesk: %uz article views not counted: %s", v->n,
                      err.text);
    }
}


static void
ngx_http_helpdesk_kb_views_flush(ngx_event_t *ev)
{
    ngx_http_helpdesk_kb_views_t  *v = &ngx_http_helpdesk_kb_views;

    if (v->n == 0 || v->mcf == NULL) {
        return;
    }

    (void) ngx_http_helpdesk_background(v->mcf, ev->log,
                                        ngx_http_helpdesk_kb_views_work, v,
                                        sizeof(*v));
    v->n = 0;
}


void
ngx_http_helpdesk_kb_view(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, uint64_t id)
{
    size_t                         i;
    ngx_event_t                   *ev = &ngx_http_helpdesk_kb_views_ev;
    ngx_http_helpdesk_kb_views_t  *v = &ngx_http_helpdesk_kb_views;

    for (i = 0; i < v->n && v->ids[i] != id; i++) {
        /* void */
    }

    if (i == v->n) {
        if (v->n == NGX_HTTP_HELPDESK_KB_VIEWS) {
            ngx_http_helpdesk_kb_views_flush(ev);
            i = 0;
        }

        v->ids[i] = id;
        v->counts[i] = 0;
        v->n = i + 1;
    }

    v->counts[i]++;
    v->mcf = ctx->mcf;
    v->portal = ctx->portal;

    if (!ev->timer_set) {
        ev->handler = ngx_http_helpdesk_kb_views_flush;
        ev->log = ngx_cycle->log;
        ev->data = v;
        ev->cancelable = 1;
        ngx_add_timer(ev, NGX_HTTP_HELPDESK_KB_FLUSH);
    }

    (void) r;
}


/* --- votes and deflections --------------------------------------------------- */


typedef struct {
    ngx_http_helpdesk_job_t   job;
    uint64_t                  id;
    int                       helpful;
    hd_uchar                  voter[HD_SHA256_LEN];
    hd_kb_reader_e            reader;
    u_char                    slug[HD_KB_SLUG_MAX + 1];
    hd_kb_stats_t             stats;
    size_t                    n;
    uint64_t                  ids[HD_KB_LIST_MAX];
} ngx_http_helpdesk_kb_vote_job_t;


static hd_rc
ngx_http_helpdesk_kb_vote_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    hd_rc                             rc;
    hd_kb_article_t                   a;
    ngx_http_helpdesk_kb_vote_job_t  *j = arg;

    /* nobody votes on what they may not read */
    if (hd_kb_get(txn, j->id, &a) != HD_OK
        || !hd_kb_visible(&a, j->reader))
    {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                          "no such article");
    }

    ngx_memcpy(j->slug, a.slug.data, a.slug.len < HD_KB_SLUG_MAX
                                     ? a.slug.len : HD_KB_SLUG_MAX);
    j->slug[a.slug.len < HD_KB_SLUG_MAX ? a.slug.len : HD_KB_SLUG_MAX] = '\0';

    rc = hd_kb_vote(txn, j->id, j->voter, j->helpful, err);
    if (rc == HD_OK) {
        hd_kb_stats_get(txn, j->id, &j->stats);
    }

    return rc;
}


static void
ngx_http_helpdesk_kb_vote_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_kb_vote_job_t  *j = data;

    (void) log;

    j->job.rc = hd_txn_run(j->job.portal.store, ngx_http_helpdesk_kb_vote_txn,
                           j, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_kb_vote_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    u_char                           *path;
    ngx_http_helpdesk_jw_t           *jw;
    ngx_http_helpdesk_kb_vote_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job, NULL);
    }

    if (!ctx->api) {
        path = ngx_pnalloc(r->pool, 32 + HD_KB_SLUG_MAX);
        if (path == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_sprintf(path, "kb/%uL%s%s%Z", j->id, j->slug[0] ? "-" : "",
                    j->slug);

        return ngx_http_helpdesk_go(r, ctx, (char *) path, "kb_voted");
    }

    jw = ngx_http_helpdesk_jw_new(r);
    if (jw == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_jw_object(&jw->w);
    hd_jw_key(&jw->w, "helpful");
    hd_jw_int(&jw->w, j->stats.helpful);
    hd_jw_key(&jw->w, "not_helpful");
    hd_jw_int(&jw->w, j->stats.unhelpful);
    hd_jw_end(&jw->w, '}');

    return ngx_http_helpdesk_jw_send(r, jw, NGX_HTTP_OK);
}


/* one vote each: an account's, or a visitor's address's */
static void
ngx_http_helpdesk_kb_voter(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_uchar voter[HD_SHA256_LEN])
{
    u_char  buf[64 + NGX_SOCKADDR_STRLEN], *p;

    if (ctx->caller.account != NULL) {
        p = ngx_sprintf(buf, "account:%uL", ctx->caller.account->id);

    } else {
        p = ngx_sprintf(buf, "address:%V", &r->connection->addr_text);
    }

    hd_sha256(buf, p - buf, voter);
}


ngx_int_t
ngx_http_helpdesk_kb_vote(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_http_helpdesk_kb_vote_job_t  *j;

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->id = ngx_http_helpdesk_kb_id(ctx);
    if (j->id == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    if (ctx->input == NULL || json_object_get(ctx->input, "helpful") == NULL) {
        return ngx_http_helpdesk_error(r, ctx, 422, "helpful_required",
                                       "helpful");
    }

    j->helpful = ngx_http_helpdesk_input_bool(ctx, "helpful");
    if (j->helpful < 0) {
        return ngx_http_helpdesk_error(r, ctx, 422, "boolean_invalid",
                                       "helpful");
    }

    /* the reader, for the visibility check in the thread */
    j->reader = hd_kb_reader(ctx->caller.account);
    ngx_http_helpdesk_kb_voter(r, ctx, j->voter);

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_kb_vote_work,
                                     ngx_http_helpdesk_kb_vote_done, j);
}


static hd_rc
ngx_http_helpdesk_kb_deflect_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    hd_rc                             rc;
    size_t                            i;
    uint64_t                          total;
    hd_kb_stats_t                     s;
    hd_kb_article_t                   a;
    ngx_http_helpdesk_kb_vote_job_t  *j = arg;

    for (i = 0; i < j->n; i++) {
        if (hd_kb_get(txn, j->ids[i], &a) != HD_OK
            || !hd_kb_visible(&a, j->reader))
        {
            continue;
        }

        hd_kb_stats_get(txn, j->ids[i], &s);
        s.deflections++;

        rc = hd_kb_stats_put(txn, j->ids[i], &s, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    return hd_seq_next(txn, "kb_deflections", &total, err);
}


static void
ngx_http_helpdesk_kb_deflect_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_kb_vote_job_t  *j = data;

    (void) log;

    j->job.rc = hd_txn_run(j->job.portal.store,
                           ngx_http_helpdesk_kb_deflect_txn, j, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_kb_deflect_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_kb_vote_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job, NULL);
    }

    if (ctx->api) {
        return ngx_http_helpdesk_no_content(r);
    }

    return ngx_http_helpdesk_message(r, ctx, "kb.solved_title",
                                     "kb.solved_text", "kb",
                                     "kb.solved_more", NGX_HTTP_OK);
}


/*
 * "This solved my problem": the draft ends without a ticket, and the
 * articles that helped are counted
 */
ngx_int_t
ngx_http_helpdesk_kb_deflect(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                            i;
    json_t                           *list, *item;
    hd_str_t                          text;
    ngx_http_helpdesk_kb_vote_job_t  *j;

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    list = ctx->input ? json_object_get(ctx->input, "articles") : NULL;

    if (list != NULL && json_is_array(list)) {
        json_array_foreach(list, i, item) {
            if (!json_is_integer(item) || json_integer_value(item) <= 0
                || j->n == HD_KB_LIST_MAX)
            {
                return ngx_http_helpdesk_error(r, ctx, 422, "article_unknown",
                                               "articles");
            }

            j->ids[j->n++] = (uint64_t) json_integer_value(item);
        }

    } else if (list != NULL
               && ngx_http_helpdesk_input_str(ctx, "articles", &text)
                  == NGX_OK)
    {
        /* the form's "3,7" */
        j->n = hd_kb_ids(&text, j->ids, HD_KB_LIST_MAX);

    } else if (list != NULL) {
        return ngx_http_helpdesk_error(r, ctx, 422, "article_unknown",
                                       "articles");
    }

    if (j->n == 0) {
        return ngx_http_helpdesk_error(r, ctx, 422, "articles_required",
                                       "articles");
    }

    j->reader = hd_kb_reader(ctx->caller.account);

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_kb_deflect_work,
                                     ngx_http_helpdesk_kb_deflect_done, j);
}

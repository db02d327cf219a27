/*
 * The knowledge base for readers (SPEC §8, §9): the index by product, the
 * search, suggestions while a ticket is written, an article's page, votes,
 * and "this solved my problem". Who reads decides what exists: an article
 * a reader may not see answers 404, in lists, searches and suggestions
 * alike. Views are counted in the worker and written every few seconds.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_crypto.h"
#include "hd_i18n.h"
#include "hd_kb.h"
#include "hd_markdown.h"
#include "hd_product.h"
#include "hd_store.h"
#include "hd_text.h"


#define NGX_HTTP_HELPDESK_KB_PAGE       20
#define NGX_HTTP_HELPDESK_KB_QUERY_MAX  500     /* characters of a query */
#define NGX_HTTP_HELPDESK_KB_SUGGEST    5
#define NGX_HTTP_HELPDESK_KB_SNIPPET    220
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


static void
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


/* --- suggestions kept, per worker ------------------------------------------ */

/*
 * The same words typed by many (and the same prefix typed again as one
 * types on) get the answer this worker gave, while no article changed
 * (the knowledge base's generation): no index read at all.
 */

#define NGX_HTTP_HELPDESK_KB_CACHE      1024    /* answers */
#define NGX_HTTP_HELPDESK_KB_CACHE_KEY  240     /* bytes of what it is for */
#define NGX_HTTP_HELPDESK_KB_CACHE_BODY 1536    /* bytes of the answer */

typedef struct {
    uint64_t      generation;
    size_t        klen;
    size_t        len;
    u_char        key[NGX_HTTP_HELPDESK_KB_CACHE_KEY];
    u_char        body[NGX_HTTP_HELPDESK_KB_CACHE_BODY];
} ngx_http_helpdesk_kb_kept_t;


static ngx_http_helpdesk_kb_kept_t  *ngx_http_helpdesk_kb_cache;


static size_t
ngx_http_helpdesk_kb_cache_key(ngx_http_helpdesk_ctx_t *ctx,
    const hd_kb_filter_t *f, const hd_str_t *q, u_char *key, uint64_t *hash)
{
    size_t   i, len;
    u_char  *p;

    p = ngx_snprintf(key, NGX_HTTP_HELPDESK_KB_CACHE_KEY, "%p %d %uL %d %d ",
                     ctx->lcf, f->reader, f->product, f->language, ctx->lang);
    len = p - key;

    if (len + q->len > NGX_HTTP_HELPDESK_KB_CACHE_KEY) {
        return 0;
    }

    ngx_memcpy(p, q->data, q->len);
    len += q->len;

    /* FNV-1a */
    for (*hash = 14695981039346656037ULL, i = 0; i < len; i++) {
        *hash = (*hash ^ key[i]) * 1099511628211ULL;
    }

    return len;
}


static ngx_http_helpdesk_kb_kept_t *
ngx_http_helpdesk_kb_cache_slot(uint64_t hash)
{
    if (ngx_http_helpdesk_kb_cache == NULL) {
        ngx_http_helpdesk_kb_cache = ngx_calloc(NGX_HTTP_HELPDESK_KB_CACHE
                                                * sizeof(
                                                  ngx_http_helpdesk_kb_kept_t),
                                                ngx_cycle->log);
        if (ngx_http_helpdesk_kb_cache == NULL) {
            return NULL;
        }
    }

    return &ngx_http_helpdesk_kb_cache[hash % NGX_HTTP_HELPDESK_KB_CACHE];
}


/* the answer written, kept for the next that asks the same */
static void
ngx_http_helpdesk_kb_cache_put(ngx_http_helpdesk_kb_kept_t *k,
    const u_char *key, size_t klen, uint64_t generation,
    ngx_http_helpdesk_jw_t *j)
{
    size_t        len = 0, n;
    ngx_chain_t  *cl;

    if (k == NULL || hd_jw_finish(&j->w) != 0) {
        return;
    }

    for (cl = j->out.first; cl != NULL; cl = cl->next) {
        n = cl->buf->last - cl->buf->pos;

        if (len + n > NGX_HTTP_HELPDESK_KB_CACHE_BODY) {
            k->klen = 0;
            return;
        }

        ngx_memcpy(k->body + len, cl->buf->pos, n);
        len += n;
    }

    ngx_memcpy(k->key, key, klen);
    k->klen = klen;
    k->len = len;
    k->generation = generation;
}


/* --- what the reader asked for ------------------------------------------- */


uint64_t
ngx_http_helpdesk_kb_id(ngx_http_helpdesk_ctx_t *ctx)
{
    size_t    i;
    uint64_t  id = 0;

    if (ctx->nargs == 0) {
        return 0;
    }

    /* "123-how-to-sign": the digits before the slug */
    for (i = 0; i < ctx->args[0].len && i < 15; i++) {
        if (ctx->args[0].data[i] < '0' || ctx->args[0].data[i] > '9') {
            break;
        }

        id = id * 10 + (ctx->args[0].data[i] - '0');
    }

    if (i < ctx->args[0].len && (i == 15 || ctx->args[0].data[i] != '-')) {
        return 0;
    }

    return id;
}


/* the reader, and the filters of the query string; -1 on a bad one */
static ngx_int_t
ngx_http_helpdesk_kb_filter(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_kb_filter_t *f)
{
    size_t     i;
    ngx_str_t  arg;
    ngx_int_t  product;

    f->reader = hd_kb_reader(ctx->caller.account);
    f->product = 0;
    f->language = -1;
    f->state = -1;
    f->audience = -1;

    if (ngx_http_arg(r, (u_char *) "product", 7, &arg) == NGX_OK
        && arg.len)
    {
        product = arg.len <= 15 ? ngx_atoi(arg.data, arg.len) : NGX_ERROR;
        if (product <= 0) {
            return ngx_http_helpdesk_answered(ctx,
                       ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                               "product_unknown", "product"));
        }

        f->product = (uint64_t) product;
    }

    if (ngx_http_arg(r, (u_char *) "language", 8, &arg) == NGX_OK
        && arg.len)
    {
        for (i = 0; i < HD_LANG_COUNT; i++) {
            if (ngx_strlen(hd_langs[i].code) == arg.len
                && ngx_strncmp(hd_langs[i].code, arg.data, arg.len) == 0)
            {
                f->language = (int) i;
            }
        }

        if (f->language < 0) {
            return ngx_http_helpdesk_answered(ctx,
                       ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                               "language_invalid",
                                               "language"));
        }
    }

    return NGX_OK;
}


/* ?q=: NGX_DECLINED when there is none */
static ngx_int_t
ngx_http_helpdesk_kb_query(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_str_t *q)
{
    ngx_int_t  rc;

    rc = ngx_http_helpdesk_arg_text(r, "q", NGX_HTTP_HELPDESK_KB_QUERY_MAX, q);

    if (rc == NGX_ERROR || (rc == NGX_OK && !hd_utf8_valid(q->data, q->len))) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "query_invalid", "q"));
    }

    if (rc == NGX_OK) {
        hd_text_trim(q);
    }

    return rc == NGX_OK && q->len ? NGX_OK : NGX_DECLINED;
}


/* --- an article as readers see it ---------------------------------------- */


static void
ngx_http_helpdesk_kb_jw_ids(hd_jw_t *w, const hd_str_t *list)
{
    size_t    i, n;
    uint64_t  ids[HD_KB_LIST_MAX];

    n = hd_kb_ids(list, ids, HD_KB_LIST_MAX);
    hd_jw_array(w);

    for (i = 0; i < n; i++) {
        hd_jw_int(w, (int64_t) ids[i]);
    }

    hd_jw_end(w, ']');
}


/* "a, b" as ["a", "b"] */
static void
ngx_http_helpdesk_kb_jw_tags(hd_jw_t *w, const hd_str_t *tags)
{
    hd_str_t         t;
    const hd_uchar  *p, *end, *comma;

    hd_jw_array(w);

    for (p = tags->data, end = p + tags->len; p < end; p = comma + 1) {
        comma = memchr(p, ',', end - p);
        if (comma == NULL) {
            comma = end;
        }

        t.data = (hd_uchar *) p;
        t.len = comma - p;
        hd_text_trim(&t);

        if (t.len) {
            hd_jw_str(w, t.data, t.len);
        }
    }

    hd_jw_end(w, ']');
}


void
ngx_http_helpdesk_kb_url(ngx_http_helpdesk_ctx_t *ctx,
    const hd_kb_article_t *a, ngx_str_t *url)
{
    u_char  *p;

    url->len = 0;
    url->data = hd_palloc(&ctx->pool, ctx->lcf->mount.len + a->slug.len + 32);

    if (url->data == NULL) {
        return;
    }

    p = ngx_sprintf(url->data, "%Vkb/%uL", &ctx->lcf->mount, a->id);

    if (a->slug.len) {
        p = ngx_sprintf(p, "-%*s", a->slug.len, a->slug.data);
    }

    url->len = p - url->data;
}


void
ngx_http_helpdesk_kb_jw(ngx_http_helpdesk_ctx_t *ctx, hd_jw_t *w,
    const hd_kb_article_t *a, const hd_kb_stats_t *s, const hd_str_t *html)
{
    ngx_str_t  url;

    ngx_http_helpdesk_kb_url(ctx, a, &url);

    hd_jw_object(w);
    hd_jw_key(w, "id");
    hd_jw_int(w, (int64_t) a->id);
    ngx_http_helpdesk_jw_kstr(w, "title", &a->title);
    hd_jw_key(w, "url");
    hd_jw_str(w, url.data, url.len);

    if (html != NULL) {
        ngx_http_helpdesk_jw_kstr(w, "body_html", html);
    }

    if (hd_kb_reader(ctx->caller.account) == HD_KB_STAFF && html != NULL) {
        ngx_http_helpdesk_jw_kstr(w, "body", &a->body);
        hd_jw_key(w, "revision");
        hd_jw_int(w, a->revision);
    }

    hd_jw_key(w, "language");
    hd_jw_cstr(w, hd_langs[a->language % HD_LANG_COUNT].code);
    hd_jw_key(w, "audience");
    hd_jw_cstr(w, hd_kb_audience_names[a->audience % HD_KB_AUDIENCE_COUNT]);
    hd_jw_key(w, "state");
    hd_jw_cstr(w, hd_kb_state_names[a->state % HD_KB_STATE_COUNT]);
    hd_jw_key(w, "products");
    ngx_http_helpdesk_kb_jw_ids(w, &a->products);
    ngx_http_helpdesk_jw_kstr(w, "versions", &a->versions);
    hd_jw_key(w, "tags");
    ngx_http_helpdesk_kb_jw_tags(w, &a->tags);
    hd_jw_key(w, "related");
    ngx_http_helpdesk_kb_jw_ids(w, &a->related);
    hd_jw_key(w, "created");
    ngx_http_helpdesk_jw_time(w, a->created);
    hd_jw_key(w, "updated");
    ngx_http_helpdesk_jw_time(w, a->updated);

    if (s != NULL) {
        hd_jw_key(w, "views");
        hd_jw_int(w, (int64_t) s->views);
        hd_jw_key(w, "helpful");
        hd_jw_int(w, s->helpful);
        hd_jw_key(w, "not_helpful");
        hd_jw_int(w, s->unhelpful);
    }

    hd_jw_end(w, '}');
}


hd_val_t *
ngx_http_helpdesk_kb_item(ngx_http_helpdesk_ctx_t *ctx,
    const hd_kb_article_t *a)
{
    hd_val_t   *item;
    ngx_str_t   url;
    hd_pool_t  *pool = &ctx->pool;
    u_char      key[64];

    ngx_http_helpdesk_kb_url(ctx, a, &url);

    item = hd_val_map(pool);
    hd_val_set_int(pool, item, "id", (int64_t) a->id);
    hd_val_set_str(pool, item, "title", a->title.data, a->title.len);
    hd_val_set_str(pool, item, "url", url.data, url.len);
    hd_val_set(pool, item, "updated",
               ngx_http_helpdesk_time_text(ctx, a->updated));
    hd_val_set_cstr(pool, item, "language",
                    hd_langs[a->language % HD_LANG_COUNT].code);
    hd_val_set_bool(pool, item, "other_language", a->language != ctx->lang);

    if (a->state != HD_KB_PUBLISHED) {
        ngx_snprintf(key, sizeof(key), "kb.states.%s%Z",
                     hd_kb_state_names[a->state % HD_KB_STATE_COUNT]);
        ngx_http_helpdesk_fill_str(hd_val_slot(pool, item, "state"),
                                   ngx_http_helpdesk_text(ctx, (char *) key));
    }

    if (a->audience != HD_KB_PUBLIC) {
        ngx_snprintf(key, sizeof(key), "kb.audiences.%s%Z",
                     hd_kb_audience_names[a->audience % HD_KB_AUDIENCE_COUNT]);
        ngx_http_helpdesk_fill_str(hd_val_slot(pool, item, "audience"),
                                   ngx_http_helpdesk_text(ctx, (char *) key));
    }

    return item;
}


/* text for HTML in JSON (the snippet's marks are ours, the rest escaped) */
static void
ngx_http_helpdesk_kb_escape(hd_buf_t *b, const hd_str_t *s)
{
    size_t  i;

    for (i = 0; i < s->len; i++) {
        switch (s->data[i]) {
        case '<':
            hd_buf_add_str(b, "&lt;");
            break;
        case '>':
            hd_buf_add_str(b, "&gt;");
            break;
        case '&':
            hd_buf_add_str(b, "&amp;");
            break;
        case '"':
            hd_buf_add_str(b, "&quot;");
            break;
        case '\'':
            hd_buf_add_str(b, "&#39;");
            break;
        default:
            hd_buf_add_byte(b, s->data[i]);
        }
    }
}


/* the snippet as parts to mark, and as text */
static hd_val_t *
ngx_http_helpdesk_kb_snippet(ngx_http_helpdesk_ctx_t *ctx,
    const hd_str_t *text, const hd_str_t *q, hd_buf_t *plain,
    hd_buf_t *html)
{
    size_t              i, n;
    hd_val_t           *list, *part;
    hd_pool_t          *pool = &ctx->pool;
    hd_snippet_part_t   parts[64];

    n = hd_search_snippet(pool, text, q, NGX_HTTP_HELPDESK_KB_SNIPPET, parts,
                          64);
    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        part = hd_val_map(pool);
        hd_val_set_str(pool, part, "text", parts[i].text.data,
                       parts[i].text.len);
        hd_val_set_bool(pool, part, "mark", parts[i].mark);
        hd_val_push(pool, list, part);

        if (plain != NULL) {
            hd_buf_add(plain, parts[i].text.data, parts[i].text.len);
        }

        if (html != NULL) {
            if (parts[i].mark) {
                hd_buf_add_str(html, "<mark>");
            }

            ngx_http_helpdesk_kb_escape(html, &parts[i].text);

            if (parts[i].mark) {
                hd_buf_add_str(html, "</mark>");
            }
        }
    }

    return list;
}


/* the article's plain text, for a snippet */
static hd_str_t
ngx_http_helpdesk_kb_text(ngx_http_helpdesk_ctx_t *ctx,
    const hd_kb_article_t *a)
{
    hd_str_t  text;

    if (hd_markdown_text(&ctx->pool, &a->body, &text) != 0) {
        text.len = 0;
        text.data = (hd_uchar *) "";
    }

    return text;
}


/* --- searching ------------------------------------------------------------ */


typedef struct {
    ngx_http_helpdesk_job_t   job;
    hd_str_t                  query;
} ngx_http_helpdesk_kb_missed_job_t;


static hd_rc
ngx_http_helpdesk_kb_missed_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    ngx_http_helpdesk_kb_missed_job_t  *j = arg;

    return hd_kb_searched(txn, &j->query, 0, j->job.now, err);
}


static void
ngx_http_helpdesk_kb_missed_work(void *data, ngx_log_t *log)
{
    hd_err_t                            err;
    ngx_http_helpdesk_kb_missed_job_t  *j = data;

    /* the query's bytes follow the job */
    j->query.data = (hd_uchar *) (j + 1);

    if (hd_txn_run(j->job.portal.store, ngx_http_helpdesk_kb_missed_txn, j,
                   &err)
        != HD_OK)
    {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "helpdesk: a search without a result not kept: %s",
                      err.text);
    }
}


/* a customer's or visitor's search that found nothing, for the report */
static void
ngx_http_helpdesk_kb_missed(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const hd_str_t *q)
{
    u_char                             *buf;
    size_t                              len;
    ngx_http_helpdesk_kb_missed_job_t  *j;

    if (hd_kb_reader(ctx->caller.account) == HD_KB_STAFF) {
        return;
    }

    len = q->len < 200 ? q->len : 200;
    buf = ngx_pnalloc(r->pool, sizeof(*j) + len);
    if (buf == NULL) {
        return;
    }

    j = (ngx_http_helpdesk_kb_missed_job_t *) buf;
    ngx_memzero(j, sizeof(*j));
    j->job.portal = ctx->portal;
    j->job.now = ngx_time();
    j->query.len = len;
    ngx_memcpy(buf + sizeof(*j), q->data, len);

    (void) ngx_http_helpdesk_background(ctx->mcf, r->connection->log,
                                        ngx_http_helpdesk_kb_missed_work, j,
                                        sizeof(*j) + len);
}


ngx_int_t
ngx_http_helpdesk_kb_search(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                   i, n, total;
    hd_str_t                 q, text;
    hd_buf_t                 plain, html;
    hd_txn_t                 txn;
    hd_val_t                *view, *list, *item;
    ngx_int_t                page, per_page, rc;
    hd_pool_t               *pool = &ctx->pool;
    hd_kb_filter_t           f;
    hd_kb_article_t          a;
    hd_search_hit_t         *hits;
    ngx_http_helpdesk_jw_t  *j;

    if (ngx_http_helpdesk_kb_filter(r, ctx, &f) != NGX_OK) {
        return ctx->rc;
    }

    rc = ngx_http_helpdesk_kb_query(r, ctx, &q);
    if (rc == NGX_DECLINED && ctx->rc) {
        return ctx->rc;
    }

    page = ngx_http_helpdesk_arg_number(r, "page", 1, 1000);
    per_page = ngx_http_helpdesk_arg_number(r, "per_page",
                                            NGX_HTTP_HELPDESK_KB_PAGE, 100);
    n = 0;
    total = 0;
    hits = NULL;

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                     NULL)
        != HD_OK)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    if (rc == NGX_OK
        && hd_kb_search(&txn, &f, &q, 0, 0, (size_t) (page - 1) * per_page,
                        per_page, pool, &hits, &n, &total)
           != HD_OK)
    {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_OK && total == 0) {
        ngx_http_helpdesk_kb_missed(r, ctx, &q);
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
        hd_jw_key(&j->w, "page");
        hd_jw_int(&j->w, page);
        hd_jw_key(&j->w, "per_page");
        hd_jw_int(&j->w, per_page);
        hd_jw_key(&j->w, "articles");
        hd_jw_array(&j->w);

        for (i = 0; i < n; i++) {
            if (hd_kb_get(&txn, hits[i].doc, &a) != HD_OK) {
                continue;
            }

            ngx_str_t  url;

            ngx_http_helpdesk_kb_url(ctx, &a, &url);
            text = ngx_http_helpdesk_kb_text(ctx, &a);
            hd_buf_init(&plain);
            hd_buf_init(&html);
            (void) ngx_http_helpdesk_kb_snippet(ctx, &text, &q, &plain, &html);

            hd_jw_object(&j->w);
            hd_jw_key(&j->w, "id");
            hd_jw_int(&j->w, (int64_t) a.id);
            ngx_http_helpdesk_jw_kstr(&j->w, "title", &a.title);
            hd_jw_key(&j->w, "url");
            hd_jw_str(&j->w, url.data, url.len);
            hd_jw_key(&j->w, "snippet");
            hd_jw_str(&j->w, plain.data ? plain.data : (hd_uchar *) "",
                      plain.len);
            hd_jw_key(&j->w, "snippet_html");
            hd_jw_str(&j->w, html.data ? html.data : (hd_uchar *) "",
                      html.len);
            hd_jw_key(&j->w, "language");
            hd_jw_cstr(&j->w, hd_langs[a.language % HD_LANG_COUNT].code);
            hd_jw_key(&j->w, "updated");
            ngx_http_helpdesk_jw_time(&j->w, a.updated);
            hd_jw_end(&j->w, '}');

            hd_buf_free(&plain);
            hd_buf_free(&html);
        }

        hd_jw_end(&j->w, ']');
        hd_jw_end(&j->w, '}');
        hd_txn_abort(&txn);

        return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
    }

    view = ngx_http_helpdesk_view(r, ctx, "kb.search_title");
    if (view == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        if (hd_kb_get(&txn, hits[i].doc, &a) != HD_OK) {
            continue;
        }

        item = ngx_http_helpdesk_kb_item(ctx, &a);
        text = ngx_http_helpdesk_kb_text(ctx, &a);
        hd_val_set(pool, item, "snippet",
                   ngx_http_helpdesk_kb_snippet(ctx, &text, &q, NULL, NULL));
        hd_val_push(pool, list, item);
    }

    hd_txn_abort(&txn);

    if (rc == NGX_OK) {
        hd_val_set_str(pool, view, "q", q.data, q.len);
        hd_val_set_bool(pool, view, "searched", 1);
    }

    hd_val_set(pool, view, "results", list);
    hd_val_set_bool(pool, view, "has_results", n > 0);
    hd_val_set_int(pool, view, "total", (int64_t) total);

    if (page > 1) {
        hd_val_set_int(pool, view, "prev_page", page - 1);
    }

    if ((size_t) page * (size_t) per_page < total) {
        hd_val_set_int(pool, view, "next_page", page + 1);
    }

    return ngx_http_helpdesk_render(r, ctx, "pages/kb_search", view,
                                    NGX_HTTP_OK);
}


/*
 * Suggestions as a ticket is written: the subject and the description
 * typed so far, the last word as a prefix; the few best, titles only
 */
ngx_int_t
ngx_http_helpdesk_kb_suggest(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                        i, n, total, klen = 0;
    u_char                        key[NGX_HTTP_HELPDESK_KB_CACHE_KEY];
    hd_str_t                      q;
    hd_txn_t                      txn;
    uint64_t                      hash, generation = 0;
    ngx_str_t                     url;
    ngx_int_t                     rc;
    hd_kb_filter_t                f;
    hd_kb_article_t               a;
    hd_search_hit_t              *hits;
    ngx_http_helpdesk_jw_t       *j;
    ngx_http_helpdesk_kb_kept_t  *kept = NULL;

    if (ngx_http_helpdesk_kb_filter(r, ctx, &f) != NGX_OK) {
        return ctx->rc;
    }

    rc = ngx_http_helpdesk_kb_query(r, ctx, &q);
    if (rc == NGX_DECLINED && ctx->rc) {
        return ctx->rc;
    }

    n = 0;

    if (rc == NGX_OK) {
        if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                         NULL)
            != HD_OK)
        {
            return ngx_http_helpdesk_error(r, ctx,
                                           NGX_HTTP_SERVICE_UNAVAILABLE,
                                           "storage_unavailable", NULL);
        }

        generation = hd_kb_generation(&txn);
        klen = ngx_http_helpdesk_kb_cache_key(ctx, &f, &q, key, &hash);
        kept = klen ? ngx_http_helpdesk_kb_cache_slot(hash) : NULL;

        if (kept != NULL && kept->klen == klen && kept->generation == generation
            && ngx_memcmp(kept->key, key, klen) == 0)
        {
            hd_txn_abort(&txn);
            ngx_http_helpdesk_add_header(r, "Cache-Control",
                                         (u_char *) "no-store", 8);

            return ngx_http_helpdesk_send_bytes(r, NGX_HTTP_OK,
                                                "application/json",
                                                kept->body, kept->len, 1);
        }

        if (hd_kb_search(&txn, &f, &q, 1, 0, 0, NGX_HTTP_HELPDESK_KB_SUGGEST,
                         &ctx->pool, &hits, &n, &total)
            != HD_OK)
        {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    j = ngx_http_helpdesk_jw_new(r);
    if (j == NULL) {
        if (rc == NGX_OK) {
            hd_txn_abort(&txn);
        }

        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_jw_object(&j->w);
    hd_jw_key(&j->w, "articles");
    hd_jw_array(&j->w);

    for (i = 0; i < n; i++) {
        if (hd_kb_get(&txn, hits[i].doc, &a) != HD_OK) {
            continue;
        }

        ngx_http_helpdesk_kb_url(ctx, &a, &url);

        hd_jw_object(&j->w);
        hd_jw_key(&j->w, "id");
        hd_jw_int(&j->w, (int64_t) a.id);
        ngx_http_helpdesk_jw_kstr(&j->w, "title", &a.title);
        hd_jw_key(&j->w, "url");
        hd_jw_str(&j->w, url.data, url.len);
        hd_jw_end(&j->w, '}');
    }

    if (rc == NGX_OK) {
        hd_txn_abort(&txn);
    }

    hd_jw_end(&j->w, ']');
    hd_jw_end(&j->w, '}');

    if (kept != NULL) {
        ngx_http_helpdesk_kb_cache_put(kept, key, klen, generation, j);
    }

    return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
}


/*
 * What the new-ticket form shows: articles for what was written, as view
 * items and their ids ("3,7") to record on the ticket
 */
size_t
ngx_http_helpdesk_kb_suggestions(ngx_http_helpdesk_ctx_t *ctx,
    hd_txn_t *txn, const hd_str_t *subject, const hd_str_t *description,
    hd_val_t *list, u_char *ids, size_t size)
{
    size_t            i, n, total, len = 0;
    u_char           *p;
    hd_str_t          q;
    hd_kb_filter_t    f;
    hd_kb_article_t   a;
    hd_search_hit_t  *hits;

    f.reader = hd_kb_reader(ctx->caller.account);
    f.product = 0;
    f.language = -1;
    f.state = -1;
    f.audience = -1;

    /* the subject says most: first, and the description's start after */
    q.len = subject->len + 1 + (description->len < 400 ? description->len
                                                        : 400);
    q.data = hd_palloc(&ctx->pool, q.len);
    if (q.data == NULL) {
        return 0;
    }

    p = ngx_cpymem(q.data, subject->data, subject->len);
    *p++ = ' ';
    ngx_memcpy(p, description->data, q.len - subject->len - 1);

    if (hd_kb_search(txn, &f, &q, 0, 0, 0, NGX_HTTP_HELPDESK_KB_SUGGEST,
                     &ctx->pool, &hits, &n, &total)
        != HD_OK)
    {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (hd_kb_get(txn, hits[i].doc, &a) != HD_OK) {
            continue;
        }

        if (list != NULL) {
            hd_val_push(&ctx->pool, list, ngx_http_helpdesk_kb_item(ctx, &a));
        }

        if (ids != NULL && len + 22 < size) {
            len = ngx_sprintf(ids + len, "%s%uL", len ? "," : "", a.id)
                  - ids;
        }
    }

    if (ids != NULL && size) {
        ids[len < size ? len : size - 1] = '\0';
    }

    return n;
}


/* --- the index page -------------------------------------------------------- */


ngx_int_t
ngx_http_helpdesk_kb_home(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                   i, n, np, total, count, k;
    hd_txn_t                 txn;
    hd_val_t                *view, *list, *cats, *item;
    ngx_int_t                page, per_page;
    hd_pool_t               *pool = &ctx->pool;
    hd_product_t            *products;
    hd_kb_filter_t           f, pf;
    hd_kb_article_t         *articles, *none;
    hd_kb_stats_t            s;
    ngx_http_helpdesk_jw_t  *j;

    if (ngx_http_helpdesk_kb_filter(r, ctx, &f) != NGX_OK) {
        return ctx->rc;
    }

    page = ngx_http_helpdesk_arg_number(r, "page", 1, 10000);
    per_page = ngx_http_helpdesk_arg_number(r, "per_page",
                                            NGX_HTTP_HELPDESK_KB_PAGE, 100);

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                     NULL)
        != HD_OK)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    if (hd_kb_list(&txn, &f, (size_t) (page - 1) * per_page, per_page, pool,
                   &articles, &n, &total)
        != HD_OK)
    {
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
        hd_jw_key(&j->w, "page");
        hd_jw_int(&j->w, page);
        hd_jw_key(&j->w, "per_page");
        hd_jw_int(&j->w, per_page);
        hd_jw_key(&j->w, "articles");
        hd_jw_array(&j->w);

        for (i = 0; i < n; i++) {
            hd_kb_stats_get(&txn, articles[i].id, &s);
            ngx_http_helpdesk_kb_jw(ctx, &j->w, &articles[i], &s, NULL);
        }

        hd_jw_end(&j->w, ']');
        hd_jw_end(&j->w, '}');
        hd_txn_abort(&txn);

        return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
    }

    view = ngx_http_helpdesk_view(r, ctx, "kb.title");
    if (view == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* categories: the products that have articles the reader may see */
    cats = hd_val_list(pool);

    if (hd_product_list(&txn, pool, &products, &np) == HD_OK) {
        for (k = 0; k < np; k++) {
            pf = f;
            pf.product = products[k].id;

            if (hd_kb_list(&txn, &pf, 0, 0, pool, &none, &count, &count)
                != HD_OK
                || count == 0)
            {
                continue;
            }

            item = hd_val_map(pool);
            hd_val_set_int(pool, item, "id", (int64_t) products[k].id);
            hd_val_set_str(pool, item, "name", products[k].name.data,
                           products[k].name.len);
            hd_val_set_int(pool, item, "count", (int64_t) count);
            hd_val_set_bool(pool, item, "current",
                            products[k].id == f.product);
            hd_val_push(pool, cats, item);

            if (products[k].id == f.product) {
                hd_val_set_str(pool, view, "product_name",
                               products[k].name.data, products[k].name.len);
            }
        }
    }

    hd_txn_abort(&txn);

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        hd_val_push(pool, list, ngx_http_helpdesk_kb_item(ctx, &articles[i]));
    }

    hd_val_set(pool, view, "categories", cats);
    hd_val_set_bool(pool, view, "has_categories", cats->u.items.n > 0);
    hd_val_set(pool, view, "articles", list);
    hd_val_set_bool(pool, view, "has_articles", n > 0);
    hd_val_set_int(pool, view, "total", (int64_t) total);
    hd_val_set_bool(pool, view, "filtered", f.product != 0);

    if (f.product) {
        hd_val_set_int(pool, view, "product", (int64_t) f.product);
    }

    if (page > 1) {
        hd_val_set_int(pool, view, "prev_page", page - 1);
    }

    if ((size_t) page * (size_t) per_page < total) {
        hd_val_set_int(pool, view, "next_page", page + 1);
    }

    return ngx_http_helpdesk_render(r, ctx, "pages/kb", view, NGX_HTTP_OK);
}


/* --- an article ------------------------------------------------------------ */


ngx_int_t
ngx_http_helpdesk_kb_article(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                   i, n, np;
    uint64_t                 id, ids[HD_KB_LIST_MAX];
    hd_str_t                 html;
    hd_txn_t                 txn;
    hd_val_t                *view, *list, *item;
    ngx_str_t                url;
    hd_pool_t               *pool = &ctx->pool;
    hd_product_t             p;
    hd_kb_stats_t            s;
    hd_kb_reader_e           reader;
    hd_kb_article_t          a, other;
    ngx_http_helpdesk_jw_t  *j;

    id = ngx_http_helpdesk_kb_id(ctx);
    reader = hd_kb_reader(ctx->caller.account);

    if (id == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                     NULL)
        != HD_OK)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    /* what the reader may not see does not exist for them */
    if (hd_kb_get(&txn, id, &a) != HD_OK || !hd_kb_visible(&a, reader)
        || hd_record_strings_copy(&hd_kb_article_desc, &a, pool) != 0)
    {
        hd_txn_abort(&txn);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    ngx_http_helpdesk_kb_url(ctx, &a, &url);

    /* a page under an old or a made-up slug: to the article's address */
    if (!ctx->api && (ctx->args[0].len != url.len - ctx->lcf->mount.len - 3
                      || ngx_strncmp(ctx->args[0].data,
                                     url.data + ctx->lcf->mount.len + 3,
                                     ctx->args[0].len) != 0))
    {
        hd_txn_abort(&txn);
        r->headers_out.status = NGX_HTTP_MOVED_PERMANENTLY;
        return ngx_http_helpdesk_redirect(r, url.data, url.len);
    }

    hd_kb_stats_get(&txn, id, &s);

    if (hd_markdown_html(pool, &a.body, &html) != 0) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (reader != HD_KB_STAFF || a.state == HD_KB_PUBLISHED) {
        ngx_http_helpdesk_kb_view(r, ctx, id);
    }

    if (ctx->api) {
        hd_txn_abort(&txn);

        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_helpdesk_kb_jw(ctx, &j->w, &a, &s, &html);

        return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
    }

    view = ngx_http_helpdesk_view(r, ctx, NULL);
    if (view == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_val_set_str(pool, view, "title", a.title.data, a.title.len);
    item = ngx_http_helpdesk_kb_item(ctx, &a);
    hd_val_set_str(pool, item, "body_html", html.data, html.len);
    hd_val_set_int(pool, item, "helpful", s.helpful);
    hd_val_set_bool(pool, item, "has_votes", s.helpful + s.unhelpful > 0);
    hd_val_set_int(pool, item, "votes", s.helpful + s.unhelpful);
    hd_val_set_str(pool, item, "tags", a.tags.data, a.tags.len);
    hd_val_set_str(pool, item, "versions", a.versions.data, a.versions.len);

    if (reader == HD_KB_STAFF) {
        hd_val_set_int(pool, item, "views", (int64_t) s.views);
        hd_val_set_bool(pool, item, "editable",
                        hd_account_may(ctx->caller.account,
                                       HD_RIGHT_KB_EDIT));
    }

    list = hd_val_list(pool);
    np = hd_kb_ids(&a.products, ids, HD_KB_LIST_MAX);

    for (i = 0; i < np; i++) {
        if (hd_product_get(&txn, ids[i], &p) == HD_OK) {
            hd_val_t  *pr = hd_val_map(pool);

            hd_val_set_int(pool, pr, "id", (int64_t) p.id);
            hd_val_set_str(pool, pr, "name", p.name.data, p.name.len);
            hd_val_push(pool, list, pr);
        }
    }

    hd_val_set(pool, item, "products", list);

    /* related articles: the ones this reader may see */
    list = hd_val_list(pool);
    n = hd_kb_ids(&a.related, ids, HD_KB_LIST_MAX);

    for (i = 0; i < n; i++) {
        if (hd_kb_get(&txn, ids[i], &other) == HD_OK
            && hd_kb_visible(&other, reader))
        {
            hd_val_push(pool, list, ngx_http_helpdesk_kb_item(ctx, &other));
        }
    }

    hd_txn_abort(&txn);

    hd_val_set(pool, item, "related", list);
    hd_val_set_bool(pool, item, "has_related", list->u.items.n > 0);
    hd_val_set(pool, view, "article", item);

    /* the vote's form: visitors too (a cookie's token) */
    if (!ctx->caller.has_session) {
        ngx_str_t  *csrf = ngx_http_helpdesk_csrf_token(r, ctx);

        if (csrf != NULL) {
            hd_val_set_str(pool, view, "csrf", csrf->data, csrf->len);
        }
    }

    return ngx_http_helpdesk_render(r, ctx, "pages/kb_article", view,
                                    NGX_HTTP_OK);
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


/* the articles a ticket records as suggested: view items, or JSON */
void
ngx_http_helpdesk_kb_shown(ngx_http_helpdesk_ctx_t *ctx, hd_txn_t *txn,
    const hd_str_t *shown, hd_val_t *list, hd_jw_t *w)
{
    size_t            i, n;
    uint64_t          ids[HD_KB_LIST_MAX];
    ngx_str_t         url;
    hd_kb_article_t   a;

    n = hd_kb_ids(shown, ids, HD_KB_LIST_MAX);

    if (w != NULL) {
        hd_jw_array(w);
    }

    for (i = 0; i < n; i++) {
        if (hd_kb_get(txn, ids[i], &a) != HD_OK) {
            continue;
        }

        if (list != NULL) {
            hd_val_push(&ctx->pool, list, ngx_http_helpdesk_kb_item(ctx, &a));
        }

        if (w != NULL) {
            ngx_http_helpdesk_kb_url(ctx, &a, &url);
            hd_jw_object(w);
            hd_jw_key(w, "id");
            hd_jw_int(w, (int64_t) a.id);
            ngx_http_helpdesk_jw_kstr(w, "title", &a.title);
            hd_jw_key(w, "url");
            hd_jw_str(w, url.data, url.len);
            hd_jw_end(w, '}');
        }
    }

    if (w != NULL) {
        hd_jw_end(w, ']');
    }
}

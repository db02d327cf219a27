/*
 * The knowledge base for readers (SPEC §8, §9): the index by product, the
 * search and an article's page. Who reads decides what exists: an article
 * a reader may not see answers 404, in lists, searches and suggestions
 * alike. Suggestions are in ngx_http_helpdesk_kb_suggest.c, views, votes
 * and deflections in ngx_http_helpdesk_kb_votes.c.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_i18n.h"
#include "hd_kb.h"
#include "hd_markdown.h"
#include "hd_product.h"
#include "hd_store.h"
#include "hd_text.h"


#define NGX_HTTP_HELPDESK_KB_PAGE       20
#define NGX_HTTP_HELPDESK_KB_QUERY_MAX  500     /* characters searched */
#define NGX_HTTP_HELPDESK_KB_QUERY_TAKE 4000    /* characters taken */
#define NGX_HTTP_HELPDESK_KB_SNIPPET    220


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
ngx_int_t
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


/*
 * What a list and a suggestion show a customer or a visitor: the articles of
 * their language (an English one is no answer to a Russian reader). Staff
 * see every one; ?language= and a search's own words say otherwise.
 */
void
ngx_http_helpdesk_kb_own_language(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_kb_filter_t *f)
{
    ngx_str_t  arg;

    if (f->language < 0 && !hd_account_is_staff(ctx->caller.account)
        && ngx_http_arg(r, (u_char *) "language", 8, &arg) != NGX_OK)
    {
        f->language = (int) ctx->lang;
    }
}


/* ?q=: NGX_DECLINED when there is none */
ngx_int_t
ngx_http_helpdesk_kb_query(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_str_t *q)
{
    ngx_int_t  rc;

    size_t  i, chars;

    /* what a form sends as one types (a subject and the start of a long
       description) is taken, its first words searched: not refused */
    rc = ngx_http_helpdesk_arg_text(r, "q", NGX_HTTP_HELPDESK_KB_QUERY_TAKE,
                                    q);

    if (rc == NGX_ERROR || (rc == NGX_OK && !hd_utf8_valid(q->data, q->len))) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "query_invalid", "q"));
    }

    if (rc == NGX_OK) {
        for (i = 0, chars = 0; i < q->len; i++) {
            if ((q->data[i] & 0xc0) != 0x80
                && chars++ == NGX_HTTP_HELPDESK_KB_QUERY_MAX)
            {
                q->len = i;
                break;
            }
        }

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
    ngx_http_helpdesk_kb_jw_open(ctx, w, a, s, html);
    hd_jw_end(w, '}');
}


/* the article's object without its end, for more keys */
void
ngx_http_helpdesk_kb_jw_open(ngx_http_helpdesk_ctx_t *ctx, hd_jw_t *w,
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
    buf = ngx_palloc(r->pool, sizeof(*j) + len);      /* aligned: a struct */
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
    if (rc == NGX_ERROR || ctx->answered) {
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

    ngx_http_helpdesk_kb_own_language(r, ctx, &f);

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
    size_t                   i, n, np, nfiles;
    uint64_t                 id, ids[HD_KB_LIST_MAX];
    hd_str_t                 html;
    hd_attachment_t         *files;
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

    if (hd_kb_file_list(&txn, id, pool, &files, &nfiles) != HD_OK) {
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

        ngx_http_helpdesk_kb_jw_open(ctx, &j->w, &a, &s, &html);
        ngx_http_helpdesk_kb_files_jw(ctx, &j->w, &a, files, nfiles);
        hd_jw_end(&j->w, '}');

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
    ngx_http_helpdesk_kb_files_view(ctx, item, &a, files, nfiles);

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

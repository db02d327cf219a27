/*
 * Suggestions as a ticket is written (SPEC §5.3, §8): what the form asks
 * as one types, what the form's page and the ticket record, and the
 * answers this worker gave, kept until an article changes.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_kb.h"
#include "hd_store.h"


#define NGX_HTTP_HELPDESK_KB_SUGGEST    5


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

    ngx_http_helpdesk_kb_own_language(r, ctx, &f);

    rc = ngx_http_helpdesk_kb_query(r, ctx, &q);

    /* refused (the answer is sent), or nothing asked after a refusal */
    if (rc == NGX_ERROR || ctx->answered) {
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



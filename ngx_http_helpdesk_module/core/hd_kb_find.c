/*
 * Finding articles: lists by last update, searches and suggestions through
 * the index (who may see what is read from the postings, not from the
 * articles), the index made again, and what readers looked for in vain.
 */

#include <stdio.h>
#include <stdlib.h>

#include "hd_i18n.h"
#include "hd_kb.h"
#include "hd_store.h"
#include "hd_text.h"


#define HD_KB_MISSED_QUERY_MAX  200
#define HD_KB_SEARCH_SCAN       10000   /* postings read for a search */
#define HD_KB_SUGGEST_SCAN      400     /* and as one types */


static int
hd_kb_state_seen(const hd_kb_filter_t *f, unsigned state)
{
    if (f->state >= 0) {
        return state == (unsigned) f->state
               && (f->reader == HD_KB_STAFF || state == HD_KB_PUBLISHED);
    }

    return f->reader == HD_KB_STAFF ? state != HD_KB_ARCHIVED
                                    : state == HD_KB_PUBLISHED;
}


static int
hd_kb_audience_seen(const hd_kb_filter_t *f, unsigned audience)
{
    if (f->audience >= 0 && audience != (unsigned) f->audience) {
        return 0;
    }

    switch (f->reader) {
    case HD_KB_STAFF:
        return 1;
    case HD_KB_CUSTOMER:
        return audience != HD_KB_INTERNAL;
    default:
        return audience == HD_KB_PUBLIC;
    }
}


static int
hd_kb_has_product(const hd_str_t *products, uint64_t product)
{
    size_t    i, n;
    uint64_t  ids[HD_KB_LIST_MAX];

    n = hd_kb_ids(products, ids, HD_KB_LIST_MAX);

    for (i = 0; i < n; i++) {
        if (ids[i] == product) {
            return 1;
        }
    }

    return 0;
}


hd_rc
hd_kb_list(hd_txn_t *txn, const hd_kb_filter_t *f, size_t offset,
    size_t limit, hd_pool_t *pool, hd_kb_article_t **list, size_t *n,
    size_t *total)
{
    hd_rc             rc;
    hd_str_t          k, v, products;
    hd_cursor_t       cur;
    hd_kb_article_t  *items;

    *n = 0;
    *total = 0;

    items = hd_palloc(pool, (limit ? limit : 1) * sizeof(hd_kb_article_t));
    if (items == NULL) {
        return HD_NOMEM;
    }

    *list = items;

    rc = hd_cursor_open(txn, HD_DB_KB_BY_UPDATED, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_last(&cur, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_prev(&cur, &k, &v))
    {
        if (k.len != 16 || v.len < 3
            || !hd_kb_state_seen(f, v.data[0])
            || !hd_kb_audience_seen(f, v.data[1])
            || (f->language >= 0 && v.data[2] != f->language))
        {
            continue;
        }

        if (f->product) {
            products.data = v.data + 3;
            products.len = v.len - 3;

            if (!hd_kb_has_product(&products, f->product)) {
                continue;
            }
        }

        if ((*total)++ < offset || *n >= limit) {
            continue;
        }

        if (hd_kb_get(txn, hd_be64_get(k.data + 8), &items[*n]) == HD_OK
            && hd_record_strings_copy(&hd_kb_article_desc, &items[*n], pool)
               == 0)
        {
            (*n)++;
        }
    }

    hd_cursor_close(&cur);

    return rc == HD_NOT_FOUND ? HD_OK : rc;
}


typedef struct {
    const hd_kb_filter_t  *filter;
} hd_kb_accept_t;


static int
hd_kb_accept(hd_txn_t *txn, uint64_t doc, uint32_t sub, void *arg)
{
    hd_kb_article_t        a;
    const hd_kb_filter_t  *f = ((hd_kb_accept_t *) arg)->filter;

    if (!hd_kb_state_seen(f, sub >> 8)
        || !hd_kb_audience_seen(f, (sub >> 4) & 0x0f)
        || (f->language >= 0 && (sub & 0x0f) != (unsigned) f->language))
    {
        return 0;
    }

    if (f->product == 0) {
        return 1;
    }

    return hd_kb_get(txn, doc, &a) == HD_OK
           && hd_kb_has_product(&a.products, f->product);
}


hd_rc
hd_kb_search(hd_txn_t *txn, const hd_kb_filter_t *f, const hd_str_t *text,
    int as_typed, int titles, size_t offset, size_t limit, hd_pool_t *pool,
    hd_search_hit_t **hits, size_t *n, size_t *total)
{
    hd_rc              rc;
    hd_kb_accept_t     acc;
    hd_search_query_t  q;

    memset(&q, 0, sizeof(q));
    acc.filter = f;

    q.text = *text;
    q.prefix = as_typed != 0;
    q.typo = 1;
    q.group = 0;                /* an article is one document of one sub */
    q.titles = titles != 0;
    q.offset = offset;
    q.limit = limit;
    q.accept = hd_kb_accept;
    q.arg = &acc;

    /*
     * A common word is in tens of thousands of articles: the best are
     * among the first read (postings are newest first), and a total past
     * this many is "at least"; suggestions need only a few
     */
    q.scan_max = as_typed ? HD_KB_SUGGEST_SCAN : HD_KB_SEARCH_SCAN;

    if (!as_typed || titles) {
        return hd_search_run(txn, HD_SEARCH_KB, &q, pool, hits, n, total);
    }

    /* as one types: the titles first, what the texts say when none fits */
    q.titles = 1;

    rc = hd_search_run(txn, HD_SEARCH_KB, &q, pool, hits, n, total);
    if (rc != HD_OK || *n > 0) {
        return rc;
    }

    q.titles = 0;

    return hd_search_run(txn, HD_SEARCH_KB, &q, pool, hits, n, total);
}


size_t
hd_kb_suggest_ids(hd_txn_t *txn, hd_kb_reader_e reader,
    const hd_str_t *subject, const hd_str_t *description, size_t max,
    char *out, size_t size)
{
    size_t            i, n = 0, total, len = 0, dlen;
    hd_str_t          q;
    hd_arena_t       *arena;
    hd_kb_filter_t    f;
    hd_search_hit_t  *hits;

    if (size) {
        out[0] = '\0';
    }

    dlen = description->len < 400 ? description->len : 400;
    arena = hd_arena_create(16384);
    q.data = arena ? hd_palloc(&arena->pool, subject->len + 1 + dlen) : NULL;

    if (q.data == NULL) {
        hd_arena_destroy(arena);
        return 0;
    }

    if (subject->len) {
        memcpy(q.data, subject->data, subject->len);
    }

    q.data[subject->len] = ' ';

    if (dlen) {
        memcpy(q.data + subject->len + 1, description->data, dlen);
    }

    q.len = subject->len + 1 + dlen;

    f.reader = reader;
    f.product = 0;
    f.language = -1;
    f.state = -1;
    f.audience = -1;

    if (hd_kb_search(txn, &f, &q, 0, 0, 0, max, &arena->pool, &hits, &n,
                     &total)
        == HD_OK)
    {
        for (i = 0; i < n && len + 22 < size; i++) {
            len += (size_t) snprintf(out + len, size - len, "%s%llu",
                                     len ? "," : "",
                                     (unsigned long long) hits[i].doc);
        }
    }

    hd_arena_destroy(arena);

    return n;
}


hd_rc
hd_kb_reindex(hd_txn_t *txn, size_t *n, hd_err_t *err)
{
    hd_rc             rc;
    hd_str_t          k, v;
    uint64_t         *ids;
    size_t            count, i, got = 0;
    hd_cursor_t       cur;
    hd_kb_article_t   a;

    *n = 0;

    rc = hd_db_count(txn, HD_DB_KB_ARTICLES, &count);
    if (rc != HD_OK) {
        return rc;
    }

    ids = malloc((count ? count : 1) * sizeof(uint64_t));
    if (ids == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_cursor_open(txn, HD_DB_KB_ARTICLES, &cur);
    if (rc != HD_OK) {
        free(ids);
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK && got < count;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (k.len == 8) {
            ids[got++] = hd_be64_get(k.data);
        }
    }

    hd_cursor_close(&cur);
    rc = HD_OK;

    for (i = 0; i < got && rc == HD_OK; i++) {
        hd_arena_t  *arena;
        hd_str_t     text;

        if (hd_kb_get(txn, ids[i], &a) != HD_OK) {
            continue;
        }

        arena = hd_arena_create(16384);
        if (arena == NULL) {
            rc = hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
            break;
        }

        /* the index's own record of its words goes first, then anew */
        if (hd_record_strings_copy(&hd_kb_article_desc, &a, &arena->pool) != 0
            || hd_kb_plain(&arena->pool, &a, &text) != 0)
        {
            hd_arena_destroy(arena);
            rc = hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
            break;
        }

        rc = hd_search_remove(txn, HD_SEARCH_KB, a.id,
                              hd_kb_sub(&a), err);
        if (rc == HD_OK) {
            rc = hd_search_add(txn, HD_SEARCH_KB, a.id,
                               hd_kb_sub(&a), &a.title, &text, 1, err);
        }

        hd_arena_destroy(arena);
        (*n)++;
    }

    free(ids);

    return rc;
}


/* --- what was looked for ------------------------------------------------ */


/* the query as a key: folded, spaces single, cut at a character */
static size_t
hd_kb_query_key(const hd_str_t *query, hd_uchar *key, size_t max)
{
    size_t           n = 0, len;
    const hd_uchar  *p, *end;

    p = query->data;
    end = p + query->len;

    while (p < end) {
        len = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;

        if (p + len > end) {
            break;
        }

        if (*p <= ' ') {
            if (n && key[n - 1] != ' ' && n < max) {
                key[n++] = ' ';
            }

            p++;
            continue;
        }

        if (n + len > max) {
            break;
        }

        memcpy(key + n, p, len);
        n += len;
        p += len;
    }

    while (n && key[n - 1] == ' ') {
        n--;
    }

    hd_text_lower_into(key, key, n);

    return n;
}


hd_rc
hd_kb_searched(hd_txn_t *txn, const hd_str_t *query, size_t found,
    uint64_t now, hd_err_t *err)
{
    size_t    klen;
    hd_str_t  v;
    hd_uchar  key[HD_KB_MISSED_QUERY_MAX], val[12];
    uint32_t  count = 0;

    if (found) {
        return HD_OK;
    }

    klen = hd_kb_query_key(query, key, sizeof(key));
    if (klen == 0) {
        return HD_OK;
    }

    if (hd_db_get(txn, HD_DB_KB_MISSED, key, klen, &v) == HD_OK
        && v.len == 12)
    {
        count = hd_be32_get(v.data);
    }

    hd_be32_put(val, count + 1);
    hd_be64_put(val + 4, now);

    return hd_db_put(txn, HD_DB_KB_MISSED, key, klen, val, sizeof(val), 0,
                     err);
}


static int
hd_kb_missed_cmp(const void *a, const void *b)
{
    const hd_kb_missed_t  *x = a, *y = b;

    if (x->count != y->count) {
        return x->count < y->count ? 1 : -1;
    }

    return x->last < y->last ? 1 : x->last > y->last ? -1 : 0;
}


hd_rc
hd_kb_missed(hd_txn_t *txn, hd_pool_t *pool, size_t max,
    hd_kb_missed_t **list, size_t *n)
{
    hd_rc            rc;
    size_t           count, i = 0;
    hd_str_t         k, v;
    hd_cursor_t      cur;
    hd_kb_missed_t  *all;

    *n = 0;
    *list = NULL;

    rc = hd_db_count(txn, HD_DB_KB_MISSED, &count);
    if (rc != HD_OK) {
        return rc;
    }

    all = hd_palloc(pool, (count ? count : 1) * sizeof(hd_kb_missed_t));
    if (all == NULL) {
        return HD_NOMEM;
    }

    rc = hd_cursor_open(txn, HD_DB_KB_MISSED, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK && i < count;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (v.len != 12) {
            continue;
        }

        all[i].query.data = hd_pstrdup(pool, k.data, k.len);
        all[i].query.len = k.len;
        all[i].count = hd_be32_get(v.data);
        all[i].last = hd_be64_get(v.data + 4);
        i++;
    }

    hd_cursor_close(&cur);

    qsort(all, i, sizeof(hd_kb_missed_t), hd_kb_missed_cmp);

    *list = all;
    *n = i < max ? i : max;

    return HD_OK;
}

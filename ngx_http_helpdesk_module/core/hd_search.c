/*
 * The inverted index. A posting is a key (scope, kind, word) with sorted
 * fixed-size values (doc, sub, tf, flags, length): LMDB keeps them in
 * order and counts them in constant time (a word's df). Kinds: 's' a
 * word's stem, 'r' its Russian root where it differs (hd_search_text),
 * 'T' and 'U' the same of titles alone (suggestions). A query term looks
 * up its stem (weight 1) and its root among stems and roots (0.6): a word
 * is found by its other forms, its exact form ranks first.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hd_schema.h"
#include "hd_search_int.h"
#include "hd_text.h"


#define HD_DOC_TERMS       20000       /* words of one document at most */
#define HD_QUERY_TERMS     8
#define HD_SCAN_MAX        50000

#define HD_BM25_K1         1.2
#define HD_BM25_B          0.75


/* --- writing --------------------------------------------------------------- */


static void
hd_search_counter_key(char *buf, size_t size, hd_search_scope_e scope,
    const char *what)
{
    snprintf(buf, size, "search:%c:%s", (char) scope, what);
}


static uint64_t
hd_search_counter(hd_txn_t *txn, hd_search_scope_e scope, const char *what)
{
    char      key[32];
    hd_str_t  v;

    hd_search_counter_key(key, sizeof(key), scope, what);

    if (hd_db_get(txn, HD_DB_META, key, strlen(key), &v) == HD_OK
        && v.len == 8)
    {
        return hd_be64_get(v.data);
    }

    return 0;
}


static hd_rc
hd_search_counter_put(hd_txn_t *txn, hd_search_scope_e scope,
    const char *what, uint64_t n, hd_err_t *err)
{
    char      key[32];
    hd_uchar  v[8];

    hd_search_counter_key(key, sizeof(key), scope, what);
    hd_be64_put(v, n);

    return hd_db_put(txn, HD_DB_META, key, strlen(key), v, 8, 0, err);
}


static hd_rc
hd_search_counter_add(hd_txn_t *txn, hd_search_scope_e scope,
    const char *what, int64_t delta, hd_err_t *err)
{
    uint64_t  n;

    n = hd_search_counter(txn, scope, what);
    n = delta < 0 && n < (uint64_t) -delta ? 0 : n + delta;

    return hd_search_counter_put(txn, scope, what, n, err);
}


static size_t
hd_search_key(hd_uchar *key, hd_search_scope_e scope, char kind,
    const hd_str_t *term)
{
    key[0] = (hd_uchar) scope;
    key[1] = (hd_uchar) kind;
    memcpy(key + 2, term->data, term->len);

    return 2 + term->len;
}


static int
hd_entry_cmp(const void *a, const void *b)
{
    const hd_entry_t  *x = a, *y = b;
    int                c;

    c = memcmp(x->key, y->key, x->klen < y->klen ? x->klen : y->klen);

    return c ? c : (int) x->klen - (int) y->klen;
}


static void
hd_entry_push(hd_entry_t *e, size_t *n, hd_search_scope_e scope, char kind,
    const hd_str_t *term, unsigned tf, int title)
{
    hd_entry_t  *x = &e[(*n)++];

    x->klen = (uint8_t) hd_search_key(x->key, scope, kind, term);
    x->tf = (uint16_t) tf;
    x->flags = title ? HD_FLAG_TITLE : 0;
}


hd_rc
hd_search_add(hd_txn_t *txn, hd_search_scope_e scope, uint64_t doc,
    uint32_t sub, const hd_str_t *title, const hd_str_t *body, int keep,
    hd_err_t *err)
{
    int          lean, seg;
    size_t       i, k, n, nt, nb, ne, dl, flen;
    hd_rc        rc;
    hd_uchar     v[HD_POSTING_LEN], fkey[13], *fwd;
    hd_term_t   *t;
    hd_entry_t  *e;
    hd_arena_t  *arena;

    arena = hd_arena_create(65536);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    t = hd_palloc(&arena->pool, HD_DOC_TERMS * sizeof(hd_term_t));
    e = hd_palloc(&arena->pool, 4 * HD_DOC_TERMS * sizeof(hd_entry_t));

    if (t == NULL || e == NULL) {
        hd_arena_destroy(arena);
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    nt = title ? hd_search_terms(&arena->pool, title->data, title->len, t,
                                 HD_DOC_TERMS / 8)
               : 0;
    nb = body ? hd_search_terms(&arena->pool, body->data, body->len, t + nt,
                                HD_DOC_TERMS - nt)
              : 0;

    /*
     * every word a posting: a title's counts thrice, and again alone. A
     * ticket's message, written with the ticket and far more often than an
     * article, is its stems only (each key another page a commit writes):
     * its roots are looked up among the stems they begin (hd_search_plan),
     * and staff search no titles alone.
     */
    ne = 0;
    dl = 0;
    lean = scope == HD_SEARCH_TICKETS;

    for (i = 0; i < nt + nb; i++) {
        if (t[i].stop) {
            continue;
        }

        dl++;
        hd_entry_push(e, &ne, scope, 's', &t[i].stem, i < nt ? 3 : 1, i < nt);

        if (lean) {
            continue;
        }

        if (t[i].root.len) {
            hd_entry_push(e, &ne, scope, 'r', &t[i].root, i < nt ? 3 : 1,
                          i < nt);
        }

        if (i < nt) {
            hd_entry_push(e, &ne, scope, 'T', &t[i].stem, 1, 1);

            if (t[i].root.len) {
                hd_entry_push(e, &ne, scope, 'U', &t[i].root, 1, 1);
            }
        }
    }

    qsort(e, ne, sizeof(hd_entry_t), hd_entry_cmp);

    /* one posting a key: the counts of its words together */
    for (i = 0, n = 0; i < ne; i++) {
        if (n && e[n - 1].klen == e[i].klen
            && memcmp(e[n - 1].key, e[i].key, e[i].klen) == 0)
        {
            e[n - 1].tf += e[i].tf;
            e[n - 1].flags |= e[i].flags;
            continue;
        }

        e[n++] = e[i];
    }

    /* the tickets': one fresh record, merged into segments later */
    seg = hd_search_segmented(scope) && !keep;

    /* what a document keeps to be taken out: each key and its posting */
    fwd = keep ? hd_palloc(&arena->pool, n * (1 + HD_KEY_MAX + HD_POSTING_LEN)
                                         + 8)
               : NULL;
    flen = 0;

    if (keep && fwd == NULL) {
        hd_arena_destroy(arena);
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    if (keep) {
        hd_be64_put(fwd, dl);
        flen = 8;
    }

    rc = seg ? hd_seg_add(txn, scope, doc, sub, dl, e, n, err) : HD_OK;

    for (k = 0; !seg && k < n; k++) {
        hd_posting_make(v, doc, sub, e[k].tf, e[k].flags, dl);

        rc = hd_dup_put(txn, HD_DB_SEARCH_POSTINGS, e[k].key, e[k].klen, v,
                        sizeof(v), err);
        if (rc != HD_OK) {
            hd_arena_destroy(arena);
            return rc;
        }

        if (keep) {
            fwd[flen++] = e[k].klen;
            memcpy(fwd + flen, e[k].key, e[k].klen);
            flen += e[k].klen;
            memcpy(fwd + flen, v, sizeof(v));
            flen += sizeof(v);
        }
    }

    if (keep && rc == HD_OK) {
        fkey[0] = (hd_uchar) scope;
        hd_be64_put(fkey + 1, doc);
        hd_be32_put(fkey + 9, sub);

        rc = hd_db_put(txn, HD_DB_SEARCH_DOCS, fkey, sizeof(fkey), fwd, flen,
                       0, err);
    }

    if (rc == HD_OK) {
        rc = hd_search_counter_add(txn, scope, "docs", 1, err);
    }

    if (rc == HD_OK) {
        rc = hd_search_counter_add(txn, scope, "len", (int64_t) dl, err);
    }

    hd_arena_destroy(arena);

    return rc;
}


hd_rc
hd_search_clear(hd_txn_t *txn, hd_search_scope_e scope, size_t limit,
    int *left, hd_err_t *err)
{
    hd_rc        rc;
    hd_uchar     p[1];

    *left = 0;
    p[0] = (hd_uchar) scope;

    if (hd_search_segmented(scope)) {
        rc = hd_seg_clear(txn, scope, limit, left, err);

        if (rc != HD_OK || *left) {
            return rc;
        }
    }

    rc = hd_search_drop(txn, HD_DB_SEARCH_POSTINGS, p, 1, limit, left, err);

    if (rc != HD_OK || *left) {
        return rc;
    }

    rc = hd_search_counter_put(txn, scope, "docs", 0, err);

    return rc == HD_OK ? hd_search_counter_put(txn, scope, "len", 0, err) : rc;
}


hd_rc
hd_search_remove(hd_txn_t *txn, hd_search_scope_e scope, uint64_t doc,
    uint32_t sub, hd_err_t *err)
{
    size_t     pos, klen;
    hd_rc      rc;
    hd_str_t   v;
    hd_uchar   fkey[13], *copy;
    uint64_t   dl;

    fkey[0] = (hd_uchar) scope;
    hd_be64_put(fkey + 1, doc);
    hd_be32_put(fkey + 9, sub);

    if (hd_db_get(txn, HD_DB_SEARCH_DOCS, fkey, sizeof(fkey), &v) != HD_OK
        || v.len < 8)
    {
        return HD_OK;
    }

    /* the writes below may move what the get pointed to */
    copy = malloc(v.len);
    if (copy == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    memcpy(copy, v.data, v.len);
    v.data = copy;
    dl = hd_be64_get(v.data);
    rc = HD_OK;

    for (pos = 8; pos < v.len && rc == HD_OK; pos += klen + HD_POSTING_LEN) {
        klen = v.data[pos++];

        if (pos + klen + HD_POSTING_LEN > v.len) {
            break;
        }

        rc = hd_dup_del(txn, HD_DB_SEARCH_POSTINGS, v.data + pos, klen,
                        v.data + pos + klen, HD_POSTING_LEN, err);

        if (rc == HD_NOT_FOUND) {
            rc = HD_OK;
        }
    }

    free(copy);

    if (rc == HD_OK) {
        rc = hd_db_del(txn, HD_DB_SEARCH_DOCS, fkey, sizeof(fkey), err);
    }

    if (rc == HD_OK) {
        rc = hd_search_counter_add(txn, scope, "docs", -1, err);
    }

    if (rc == HD_OK) {
        rc = hd_search_counter_add(txn, scope, "len", -(int64_t) dl, err);
    }

    return rc;
}


/* --- reading ------------------------------------------------------------- */


typedef struct {
    uint64_t      doc;
    uint32_t      sub;
    uint32_t      used;
    double        score;
    unsigned      terms;                /* how many query terms matched */
} hd_cand_t;

typedef struct {
    hd_cand_t    *slot;
    uint32_t     *order;                /* the used slots, as added: what
                                           is looked at is only these */
    size_t        cap;                  /* a power of two */
    size_t        n;
    double        scale;                /* postings there were to read for
                                           each one read (1: all read) */
} hd_cands_t;


static hd_cand_t *
hd_cand_get(hd_cands_t *c, uint64_t doc, uint32_t sub, int add)
{
    size_t     i;
    uint64_t   h;

    h = (doc * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t) sub * 0xc2b2ae3d27d4eb4fULL);

    for (i = h & (c->cap - 1); c->slot[i].used; i = (i + 1) & (c->cap - 1)) {
        if (c->slot[i].doc == doc && c->slot[i].sub == sub) {
            return &c->slot[i];
        }
    }

    if (!add || c->n * 2 >= c->cap) {
        return NULL;
    }

    c->slot[i].used = 1;
    c->slot[i].doc = doc;
    c->slot[i].sub = sub;
    c->slot[i].score = 0;
    c->slot[i].terms = 0;
    c->order[c->n++] = (uint32_t) i;

    return &c->slot[i];
}


hd_qkey_t *
hd_qkey_put(hd_qterm_t *qt, hd_search_scope_e scope, char kind,
    const hd_str_t *term, double weight)
{
    size_t      i;
    hd_qkey_t   k;

    if (term->len == 0 || term->len > HD_TERM_MAX) {
        return NULL;
    }

    memset(&k, 0, sizeof(k));
    k.klen = (uint8_t) hd_search_key(k.key, scope, kind, term);
    k.weight = weight;

    for (i = 0; i < qt->nkeys; i++) {
        if (qt->keys[i].klen == k.klen
            && memcmp(qt->keys[i].key, k.key, k.klen) == 0)
        {
            if (weight > qt->keys[i].weight) {
                qt->keys[i].weight = weight;
            }

            return &qt->keys[i];
        }
    }

    if (qt->nkeys == HD_TERM_KEYS) {
        return NULL;
    }

    qt->keys[qt->nkeys] = k;

    return &qt->keys[qt->nkeys++];
}


static void
hd_qkey_add(hd_qterm_t *qt, hd_search_scope_e scope, char kind,
    const hd_str_t *term, double weight)
{
    (void) hd_qkey_put(qt, scope, kind, term, weight);
}


/* keys beginning with the word: what one is still typing */
static void
hd_qkey_prefix(hd_txn_t *txn, hd_qterm_t *qt, hd_search_scope_e scope,
    char kind, const hd_str_t *word, double weight)
{
    size_t       plen, found = 0;
    hd_str_t     k, v, t;
    hd_uchar     p[HD_KEY_MAX];
    hd_cursor_t  cur;

    plen = hd_search_key(p, scope, kind, word);

    if (hd_cursor_open(txn, HD_DB_SEARCH_POSTINGS, &cur) != HD_OK) {
        return;
    }

    for (hd_rc rc = hd_cursor_seek(&cur, p, plen, &k, &v);
         rc == HD_OK && found < HD_PREFIX_KEYS && k.len >= plen
         && memcmp(k.data, p, plen) == 0;
         rc = hd_cursor_next_key(&cur, &k, &v))
    {
        t.data = k.data + 2;
        t.len = k.len - 2;
        hd_qkey_add(qt, scope, kind, &t, weight);
        found++;
    }

    hd_cursor_close(&cur);
}


/* stems one edit away (same first two letters): a typo forgiven */
static void
hd_qkey_typo(hd_txn_t *txn, hd_qterm_t *qt, hd_search_scope_e scope,
    char kind, const hd_term_t *term)
{
    size_t       plen, cl, found = 0, seen = 0;
    hd_str_t     k, v, t, prefix;
    hd_uchar     p[HD_KEY_MAX];
    hd_cursor_t  cur;

    /* the first two characters of the stem */
    prefix = term->stem;
    cl = 0;

    for (size_t i = 0, chars = 0; i < prefix.len && chars < 2; chars++) {
        i += (prefix.data[i] & 0x80) == 0 ? 1
             : (prefix.data[i] & 0xe0) == 0xc0 ? 2
             : (prefix.data[i] & 0xf0) == 0xe0 ? 3 : 4;
        cl = i;
    }

    prefix.len = cl < prefix.len ? cl : prefix.len;
    plen = hd_search_key(p, scope, kind, &prefix);

    if (hd_cursor_open(txn, HD_DB_SEARCH_POSTINGS, &cur) != HD_OK) {
        return;
    }

    for (hd_rc rc = hd_cursor_seek(&cur, p, plen, &k, &v);
         rc == HD_OK && found < HD_TYPO_KEYS && seen++ < HD_TYPO_SCAN
         && k.len >= plen && memcmp(k.data, p, plen) == 0;
         rc = hd_cursor_next_key(&cur, &k, &v))
    {
        t.data = k.data + 2;
        t.len = k.len - 2;

        if (hd_search_distance(&t, &term->stem, 1) <= 1
            || hd_search_distance(&t, &term->word, 1) <= 1)
        {
            hd_qkey_add(qt, scope, kind, &t, 0.5);
            found++;
        }
    }

    hd_cursor_close(&cur);
}


/* a posting's worth for a key of the query: BM25, the title counted more */
static double
hd_bm25(const hd_qkey_t *k, const hd_uchar *v, double avgdl)
{
    double  tf = v[12], dl = (double) ((v[14] << 8) | v[15]), s;

    s = k->idf * tf * (HD_BM25_K1 + 1)
        / (tf + HD_BM25_K1 * (1 - HD_BM25_B + HD_BM25_B * dl / avgdl));

    return s * k->weight * ((v[13] & HD_FLAG_TITLE) ? 1.5 : 1.0);
}


static int
hd_hit_cmp(const void *a, const void *b)
{
    const hd_search_hit_t  *x = a, *y = b;

    if (x->score != y->score) {
        return x->score < y->score ? 1 : -1;
    }

    /* the newer document first among equals */
    return x->doc < y->doc ? 1 : x->doc > y->doc ? -1
           : (x->sub < y->sub ? 1 : x->sub > y->sub ? -1 : 0);
}


/*
 * The best n of the hits first, in order (a heap of n, not a sort of
 * all: a common word has tens of thousands of hits and a page wants 20)
 */
static void
hd_hits_top(hd_search_hit_t *h, size_t k, size_t n)
{
    size_t           i, c, p;
    hd_search_hit_t  x;

    if (n >= k) {
        qsort(h, k, sizeof(hd_search_hit_t), hd_hit_cmp);
        return;
    }

    if (n == 0) {
        return;
    }

    /* h[0..n) a heap with the worst of the best at the top */
    for (i = 1; i < n; i++) {
        for (c = i; c > 0; c = p) {
            p = (c - 1) / 2;

            if (hd_hit_cmp(&h[c], &h[p]) <= 0) {
                break;
            }

            x = h[c]; h[c] = h[p]; h[p] = x;
        }
    }

    for (i = n; i < k; i++) {
        if (hd_hit_cmp(&h[i], &h[0]) >= 0) {
            continue;
        }

        x = h[0]; h[0] = h[i]; h[i] = x;

        for (p = 0; ; p = c) {
            c = 2 * p + 1;

            if (c >= n) {
                break;
            }

            if (c + 1 < n && hd_hit_cmp(&h[c + 1], &h[c]) > 0) {
                c++;
            }

            if (hd_hit_cmp(&h[c], &h[p]) <= 0) {
                break;
            }

            x = h[c]; h[c] = h[p]; h[p] = x;
        }
    }

    qsort(h, n, sizeof(hd_search_hit_t), hd_hit_cmp);
}


/* the query's terms and their keys: 0 terms when nothing can match */
static size_t
hd_search_plan(hd_txn_t *txn, hd_search_scope_e scope,
    const hd_search_query_t *q, hd_pool_t *pool, hd_qterm_t *qt, double docs)
{
    size_t      i, j, n, nq, all;
    char        ks, kr;
    hd_str_t    r;
    hd_term_t   t[HD_QUERY_TERMS * 2];

    ks = q->titles ? 'T' : 's';
    kr = q->titles ? 'U' : 'r';

    n = hd_search_terms(pool, q->text.data, q->text.len, t,
                        HD_QUERY_TERMS * 2);

    /* stop words count only when there is nothing else */
    for (i = 0, all = 0; i < n; i++) {
        all += !t[i].stop;
    }

    for (i = 0, nq = 0; i < n && nq < HD_QUERY_TERMS; i++) {
        if (t[i].stop && all) {
            continue;
        }

        memset(&qt[nq], 0, sizeof(hd_qterm_t));
        r = t[i].root.len ? t[i].root : t[i].stem;

        if (hd_search_segmented(scope)) {
            hd_seg_plan(txn, scope, pool, &qt[nq], &t[i],
                        q->prefix && i == n - 1 && q->text.len > 0
                        && t[i].end == (uint32_t) q->text.len,
                        q->typo);
            goto weigh;
        }

        hd_qkey_add(&qt[nq], scope, ks, &t[i].stem, 1.0);
        hd_qkey_add(&qt[nq], scope, ks, &r, 0.6);

        if (scope != HD_SEARCH_TICKETS) {
            hd_qkey_add(&qt[nq], scope, kr, &r, 0.6);

        } else if (t[i].root.len) {
            /* tickets keep no roots: the stems a root begins */
            hd_qkey_prefix(txn, &qt[nq], scope, ks, &r, 0.6);
        }

        /* the word still being typed: what it may become */
        if (q->prefix && i == n - 1
            && q->text.len > 0
            && t[i].end == (uint32_t) q->text.len)
        {
            hd_qkey_prefix(txn, &qt[nq], scope, ks, &t[i].word, 0.8);
        }

        for (j = 0; j < qt[nq].nkeys; j++) {
            (void) hd_dup_count(txn, HD_DB_SEARCH_POSTINGS,
                                qt[nq].keys[j].key, qt[nq].keys[j].klen,
                                &qt[nq].keys[j].df);
            qt[nq].df += qt[nq].keys[j].df;
        }

        /* an unknown word of 5 letters or more: one edit away */
        if (qt[nq].df == 0 && q->typo && hd_utf8_chars(t[i].word.data, t[i].word.len) >= 5) {
            size_t  before = qt[nq].nkeys;

            hd_qkey_typo(txn, &qt[nq], scope, ks, &t[i]);

            for (j = before; j < qt[nq].nkeys; j++) {
                (void) hd_dup_count(txn, HD_DB_SEARCH_POSTINGS,
                                    qt[nq].keys[j].key, qt[nq].keys[j].klen,
                                    &qt[nq].keys[j].df);
                qt[nq].df += qt[nq].keys[j].df;
            }
        }

    weigh:

        for (j = 0; j < qt[nq].nkeys; j++) {
            double  df = (double) qt[nq].keys[j].df;

            qt[nq].keys[j].idf = log(1 + (docs - df + 0.5) / (df + 0.5));
        }

        /* a word nobody wrote is left out, unless it is all there is */
        if (qt[nq].df > 0) {
            nq++;
        }
    }

    return nq;
}


/* every posting of a term into the candidates (the term's best key a doc) */
/* one posting read: its document a candidate (added, or only if one) */
static inline void
hd_search_posting(const hd_qkey_t *key, const hd_uchar *p, hd_cands_t *c,
    double avgdl, unsigned term, int add)
{
    hd_cand_t  *x;

    x = hd_cand_get(c, hd_be64_get(p), hd_be32_get(p + 8), add);

    /* a term counts once a doc: its best key; summed over terms */
    if (x == NULL || (x->terms & (1u << term))) {
        return;
    }

    x->terms |= 1u << term;
    x->score += hd_bm25(key, p, avgdl);
}


static void
hd_search_scan(hd_txn_t *txn, const hd_qterm_t *qt, hd_cands_t *c,
    double avgdl, size_t *budget, unsigned term, int add)
{
    size_t       j, i, n;
    hd_rc        rc;
    hd_str_t     v;
    hd_cursor_t  cur;

    if (hd_cursor_open(txn, HD_DB_SEARCH_POSTINGS, &cur) != HD_OK) {
        return;
    }

    for (j = 0; j < qt->nkeys && *budget; j++) {
        if (qt->keys[j].df == 0) {
            continue;
        }

        /* a segmented scope's: its runs, newest first, each from its end */
        if (qt->keys[j].runs != NULL) {
            const hd_qkey_t  *key = &qt->keys[j];

            for (size_t r = 0; r < key->nruns && *budget; r++) {
                const hd_uchar  *p = key->runs[r].p;

                for (i = key->runs[r].n; i-- > 0 && *budget; ) {
                    (*budget)--;
                    hd_search_posting(key, p + i * HD_POSTING_LEN, c, avgdl,
                                      term, add);
                }
            }

            continue;
        }

        /* all of them: a page at a time, in order */
        if (*budget >= qt->keys[j].df) {
            for (rc = hd_cursor_dup_pages(&cur, qt->keys[j].key,
                                          qt->keys[j].klen, 1, &v);
                 rc == HD_OK;
                 rc = hd_cursor_dup_pages(&cur, NULL, 0, 0, &v))
            {
                n = v.len / HD_POSTING_LEN;
                *budget -= n < *budget ? n : *budget;

                for (i = 0; i < n; i++) {
                    hd_search_posting(&qt->keys[j],
                                      v.data + i * HD_POSTING_LEN, c, avgdl,
                                      term, add);
                }
            }

            continue;
        }

        /* some of them: newest first, so that what is left unread when
           the budget ends is the oldest */
        for (rc = hd_cursor_dup_last(&cur, qt->keys[j].key, qt->keys[j].klen,
                                     &v);
             rc == HD_OK && *budget;
             rc = hd_cursor_dup_prev(&cur, &v))
        {
            (*budget)--;

            if (v.len == HD_POSTING_LEN) {
                hd_search_posting(&qt->keys[j], v.data, c, avgdl, term, add);
            }
        }
    }

    hd_cursor_close(&cur);
}


/*
 * A term's postings of documents from lo up, for the candidates only (an
 * unsegmented scope's, AND): postings sort by document, and the candidates
 * are the newest of the rarest word's, so what is older than the oldest of
 * them is never read. How many were read.
 */
static size_t
hd_search_scan_above(hd_txn_t *txn, const hd_qterm_t *qt, hd_cands_t *c,
    double avgdl, unsigned term, uint64_t lo)
{
    size_t       j, i, read = 0;
    hd_rc        rc;
    hd_str_t     v;
    hd_uchar     from[8];
    hd_cursor_t  cur;

    if (hd_cursor_open(txn, HD_DB_SEARCH_POSTINGS, &cur) != HD_OK) {
        return 0;
    }

    hd_be64_put(from, lo);

    for (j = 0; j < qt->nkeys; j++) {
        if (qt->keys[j].df == 0 || qt->keys[j].runs != NULL) {
            continue;
        }

        for (rc = hd_cursor_dup_pages_from(&cur, qt->keys[j].key,
                                           qt->keys[j].klen, from, 8, 1, &v);
             rc == HD_OK;
             rc = hd_cursor_dup_pages_from(&cur, NULL, 0, NULL, 0, 0, &v))
        {
            for (i = 0; i < v.len / HD_POSTING_LEN; i++) {
                const hd_uchar  *p = v.data + i * HD_POSTING_LEN;

                if (hd_be64_get(p) >= lo) {
                    read++;
                    hd_search_posting(&qt->keys[j], p, c, avgdl, term, 0);
                }
            }
        }
    }

    hd_cursor_close(&cur);

    return read;
}


/* the others' postings of each candidate, looked up (AND) */
/* the first posting of a run with a sub of at least sub */
static size_t
hd_run_lower(const hd_run_t *r, uint32_t sub)
{
    size_t  lo = 0, hi = r->n, mid;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;

        if (hd_be32_get(r->p + mid * HD_POSTING_LEN + 8) < sub) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }

    return lo;
}


/* a segmented term's postings with subs in [lo, hi]: how many, or read
   into the candidates there are (a run is sorted by sub, and the
   candidates of the newest postings of a word lie in a narrow range) */
static size_t
hd_search_range(const hd_qterm_t *qt, hd_cands_t *c, double avgdl,
    unsigned term, uint32_t lo, uint32_t hi, int read)
{
    size_t            j, r, a, b, n = 0;
    const hd_qkey_t  *key;

    for (j = 0; j < qt->nkeys; j++) {
        key = &qt->keys[j];

        for (r = 0; r < key->nruns; r++) {
            a = hd_run_lower(&key->runs[r], lo);
            b = hi == UINT32_MAX ? key->runs[r].n
                                 : hd_run_lower(&key->runs[r], hi + 1);

            n += b > a ? b - a : 0;

            for (; read && a < b; a++) {
                hd_search_posting(key, key->runs[r].p + a * HD_POSTING_LEN,
                                  c, avgdl, term, 0);
            }
        }
    }

    return n;
}


static void
hd_search_lookup(hd_txn_t *txn, const hd_qterm_t *qt, hd_cands_t *c,
    double avgdl, unsigned term, unsigned need)
{
    size_t       i, j;
    double       best, s;
    hd_str_t     v;
    hd_uchar     want[HD_POSTING_LEN];
    hd_cursor_t  cur;

    if (hd_cursor_open(txn, HD_DB_SEARCH_POSTINGS, &cur) != HD_OK) {
        return;
    }

    for (size_t u = 0; u < c->n; u++) {
        i = c->order[u];

        /* one that lacks an earlier word is out already */
        if ((c->slot[i].terms & need) != need) {
            continue;
        }

        memset(want, 0, sizeof(want));
        hd_be64_put(want, c->slot[i].doc);
        hd_be32_put(want + 8, c->slot[i].sub);
        best = -1;

        for (j = 0; j < qt->nkeys; j++) {
            if (qt->keys[j].df == 0) {
                continue;
            }

            if (qt->keys[j].runs != NULL) {
                const hd_uchar  *p = hd_seg_find(&qt->keys[j],
                                                 c->slot[i].doc,
                                                 c->slot[i].sub);
                if (p != NULL) {
                    s = hd_bm25(&qt->keys[j], p, avgdl);
                    best = s > best ? s : best;
                }

                continue;
            }

            if (hd_cursor_dup_range(&cur, qt->keys[j].key, qt->keys[j].klen,
                                    want, sizeof(want), &v) == HD_OK
                && v.len == HD_POSTING_LEN && memcmp(v.data, want, 12) == 0)
            {
                s = hd_bm25(&qt->keys[j], v.data, avgdl);
                best = s > best ? s : best;
            }
        }

        if (best >= 0) {
            c->slot[i].terms |= 1u << term;
            c->slot[i].score += best;
        }
    }

    hd_cursor_close(&cur);
}


/* how much more there was than the budget let be read */
static void
hd_search_scaled(hd_cands_t *c, size_t df, size_t budget, size_t left)
{
    size_t  read = budget - left;

    if (left == 0 && read > 0 && df > read) {
        c->scale = (double) df / (double) read;
    }
}


static hd_rc
hd_search_eval(hd_txn_t *txn, const hd_search_query_t *q, hd_qterm_t *qt,
    size_t nq, double avgdl, hd_cands_t *c, size_t scan, int and)
{
    size_t    i, d, budget;
    unsigned  all = (1u << nq) - 1;

    (void) q;
    budget = scan;

    /* what an earlier evaluation used, cleared (the rest is zero) */
    for (i = 0; i < c->n; i++) {
        memset(&c->slot[c->order[i]], 0, sizeof(hd_cand_t));
    }

    c->n = 0;
    c->scale = 1;

    if (and) {
        /* the rarest term's documents, then the others looked up */
        for (i = 1, d = 0; i < nq; i++) {
            d = qt[i].df < qt[d].df ? i : d;
        }

        hd_search_scan(txn, &qt[d], c, avgdl, &budget, (unsigned) d, 1);
        hd_search_scaled(c, qt[d].df, scan, budget);

        /*
         * The others, rarest first, for the candidates that have every
         * word so far: each looked up in the word's postings, or, when
         * that would cost more than reading them, the postings read
         * through once and the candidates found by hash
         */
        unsigned  need = 1u << d;

        for (;;) {
            size_t  e = nq, alive = 0, keys = 0, read = 0, k;

            for (i = 0; i < nq; i++) {
                if (!(need & (1u << i)) && (e == nq || qt[i].df < qt[e].df)) {
                    e = i;
                }
            }

            if (e == nq) {
                break;
            }

            uint32_t  lo = UINT32_MAX, hi = 0;
            uint64_t  dlo = UINT64_MAX, dhi = 0;
            int       ranged = 1;

            for (size_t u = 0; u < c->n; u++) {
                i = c->order[u];

                if ((c->slot[i].terms & need) == need) {
                    alive++;
                    lo = c->slot[i].sub < lo ? c->slot[i].sub : lo;
                    hi = c->slot[i].sub > hi ? c->slot[i].sub : hi;
                    dlo = c->slot[i].doc < dlo ? c->slot[i].doc : dlo;
                    dhi = c->slot[i].doc > dhi ? c->slot[i].doc : dhi;
                }
            }

            for (k = 0; k < qt[e].nkeys; k++) {
                ranged &= qt[e].keys[k].df == 0 || qt[e].keys[k].runs != NULL;
            }

            for (k = 0; k < qt[e].nkeys; k++) {
                const hd_qkey_t  *key = &qt[e].keys[k];

                read += key->df;

                if (key->df == 0) {
                    continue;
                }

                if (key->runs == NULL) {
                    keys += 16;         /* a descent of some 16 steps */
                    continue;
                }

                /* a halving in each of its runs */
                for (size_t r = 0; r < key->nruns; r++) {
                    keys += 1 + (size_t) (64 - __builtin_clzll(
                                              (unsigned long long)
                                              key->runs[r].n | 1));
                }
            }

            if (alive == 0) {
                break;
            }

            /* segmented: only what lies among the candidates' subs */
            if (ranged) {
                read = hd_search_range(&qt[e], c, avgdl, (unsigned) e, lo,
                                       hi, 0);

            } else if (dhi > 0) {
                /* postings by document: about the share from the oldest
                   candidate up (documents are numbered as they come) */
                read = (size_t) ((double) read * (double) (dhi - dlo + 1)
                                 / (double) dhi) + 1;
            }

            /* a lookup costs its steps; a read, one a posting */
            if (read < alive * keys && ranged) {
                (void) hd_search_range(&qt[e], c, avgdl, (unsigned) e, lo, hi,
                                       1);

            } else if (read < alive * keys) {
                (void) hd_search_scan_above(txn, &qt[e], c, avgdl,
                                            (unsigned) e, dlo);

            } else {
                hd_search_lookup(txn, &qt[e], c, avgdl, (unsigned) e, need);
            }

            need |= 1u << e;
        }

        for (d = 0; d < c->n; d++) {
            if (c->slot[c->order[d]].terms != all) {
                c->slot[c->order[d]].score = -1;    /* not every word */
            }
        }

        return HD_OK;
    }

    /* any of them: the more words a document has, the higher */
    for (i = 0, d = 0; i < nq; i++) {
        hd_search_scan(txn, &qt[i], c, avgdl, &budget, (unsigned) i, 1);
        d += qt[i].df;
    }

    hd_search_scaled(c, d, scan, budget);

    return HD_OK;
}


hd_rc
hd_search_run(hd_txn_t *txn, hd_search_scope_e scope,
    const hd_search_query_t *q, hd_pool_t *pool, hd_search_hit_t **hits,
    size_t *n, size_t *total)
{
    size_t            i, k, nq, kept, cap, scan;
    double            docs, avgdl;
    hd_cands_t        c;
    hd_qterm_t       *qt;
    hd_search_hit_t  *h, *g;

    *hits = NULL;
    *n = 0;
    *total = 0;

    docs = (double) hd_search_counter(txn, scope, "docs");
    avgdl = docs > 0 ? (double) hd_search_counter(txn, scope, "len") / docs
                     : 1;
    avgdl = avgdl > 0 ? avgdl : 1;

    qt = hd_palloc(pool, HD_QUERY_TERMS * sizeof(hd_qterm_t));
    if (qt == NULL) {
        return HD_NOMEM;
    }

    nq = hd_search_plan(txn, scope, q, pool, qt, docs);
    if (nq == 0) {
        return HD_OK;
    }

    scan = q->scan_max ? q->scan_max : HD_SCAN_MAX;

    /* no more candidates than postings there are to read */
    for (i = 0, k = 0; i < nq; i++) {
        k += qt[i].df;
    }

    scan = k < scan ? k : scan;

    /*
     * All the words among the newest postings of the rarest one; when none
     * has them all and more were left unread, once again reading four times
     * as many (a search must not turn an exact match it did not reach into
     * "any of the words"). Not as one types: a suggestion is asked at every
     * key, and the search proper is a key away.
     */
    for (int again = 0; ; again++) {
        for (cap = 64; cap < 2 * scan + 2; cap *= 2) {
            /* void */
        }

        c.cap = cap;
        c.n = 0;
        c.scale = 1;
        c.slot = calloc(cap, sizeof(hd_cand_t));
        c.order = malloc((cap / 2 + 1) * sizeof(uint32_t));

        if (c.slot == NULL || c.order == NULL) {
            free(c.slot);
            free(c.order);
            return HD_NOMEM;
        }

        kept = 0;

        if (q->any) {
            break;
        }

        hd_search_eval(txn, q, qt, nq, avgdl, &c, scan, 1);

        for (i = 0; i < c.n; i++) {
            kept += c.slot[c.order[i]].score >= 0;
        }

        if (kept || again || q->prefix || c.scale <= 1 || nq < 2
            || scan >= k)
        {
            break;
        }

        free(c.slot);
        free(c.order);
        scan = 4 * scan < k ? 4 * scan : k;
    }

    /* nothing has all the words: what has any, more words ranking higher */
    if (kept == 0 && (nq > 1 || q->any)) {
        hd_search_eval(txn, q, qt, nq, avgdl, &c, scan, 0);
    }

    h = malloc((c.n ? c.n : 1) * sizeof(hd_search_hit_t));
    if (h == NULL) {
        free(c.slot);
        free(c.order);
        return HD_NOMEM;
    }

    for (i = 0, k = 0; i < c.n; i++) {
        const hd_cand_t  *x = &c.slot[c.order[i]];

        if (x->score < 0) {
            continue;
        }

        h[k].doc = x->doc;
        h[k].sub = x->sub;
        h[k].score = x->score * (1 + 0.5 * (__builtin_popcount(x->terms) - 1));
        k++;
    }

    free(c.slot);
    free(c.order);

    /* grouped: a doc's best sub only (by a table of docs: a sort of tens
       of thousands of hits was most of a common word's time) */
    if (q->group && k > 1) {
        size_t     gcap, slot;
        uint32_t  *g2;

        for (gcap = 64; gcap < 2 * k; gcap *= 2) {
            /* void */
        }

        g2 = malloc(gcap * sizeof(uint32_t));
        if (g2 == NULL) {
            free(h);
            return HD_NOMEM;
        }

        memset(g2, 0xff, gcap * sizeof(uint32_t));

        for (i = 0; i < k; i++) {
            for (slot = (h[i].doc * 0x9e3779b97f4a7c15ULL) & (gcap - 1);
                 g2[slot] != UINT32_MAX && h[g2[slot]].doc != h[i].doc;
                 slot = (slot + 1) & (gcap - 1))
            {
                /* void */
            }

            if (g2[slot] == UINT32_MAX
                || hd_hit_cmp(&h[i], &h[g2[slot]]) < 0)
            {
                g2[slot] = (uint32_t) i;
            }
        }

        /* the chosen ones, in the order they came: marked, then kept */
        for (i = 0; i < gcap; i++) {
            if (g2[i] != UINT32_MAX) {
                h[g2[i]].score = -h[g2[i]].score - 1;
            }
        }

        for (i = 0, kept = 0; i < k; i++) {
            if (h[i].score < 0) {
                h[i].score = -(h[i].score + 1);
                h[kept++] = h[i];
            }
        }

        free(g2);
        k = kept;
    }

    /* what may be shown */
    for (i = 0, kept = 0; i < k; i++) {
        if (q->accept != NULL && !q->accept(txn, h[i].doc, h[i].sub, q->arg)) {
            continue;
        }

        h[kept++] = h[i];
    }

    *total = kept;

    if (q->count != NULL) {
        q->count->found = kept;
        q->count->estimated = 0;

        /* what the unread postings would have found at the same rate,
           in two figures: more would claim a precision there is not */
        if (c.scale > 1 && kept > 0) {
            double  e = (double) kept * c.scale, unit = 1;

            while (e >= 100 * unit) {
                unit *= 10;
            }

            *total = (size_t) (e / unit + 0.5) * (size_t) unit;
            *total = *total > kept ? *total : kept;
            q->count->estimated = 1;
        }
    }

    /* the best offset + limit in order; the rest only counted */
    hd_hits_top(h, kept, q->offset + q->limit);

    g = hd_palloc(pool, (q->limit ? q->limit : 1) * sizeof(hd_search_hit_t));
    if (g == NULL) {
        free(h);
        return HD_NOMEM;
    }

    for (i = q->offset; i < kept && *n < q->limit; i++) {
        g[(*n)++] = h[i];
    }

    free(h);
    *hits = g;

    return HD_OK;
}


/* --- snippets ------------------------------------------------------------ */


/* whether a word of the text is one of the query's (by stem or root) */
static int
hd_snippet_match(const hd_term_t *w, const hd_term_t *q, size_t nq)
{
    size_t           i;
    const hd_str_t  *a, *b;

    if (w->stop) {
        return 0;
    }

    for (i = 0; i < nq; i++) {
        a = w->root.len ? &w->root : &w->stem;
        b = q[i].root.len ? &q[i].root : &q[i].stem;

        if ((w->stem.len == q[i].stem.len
             && memcmp(w->stem.data, q[i].stem.data, w->stem.len) == 0)
            || (a->len == b->len && memcmp(a->data, b->data, a->len) == 0)
            || (q[i].word.len >= 3 && w->word.len >= q[i].word.len
                && memcmp(w->word.data, q[i].word.data, q[i].word.len) == 0))
        {
            return 1;
        }
    }

    return 0;
}


size_t
hd_search_snippet(hd_pool_t *pool, const hd_str_t *text,
    const hd_str_t *query, size_t chars, hd_snippet_part_t *parts,
    size_t max)
{
    size_t       i, n, nq, first, from, to, pos, count, np = 0, len;
    hd_term_t   *w, q[HD_QUERY_TERMS];

    len = text->len > 65536 ? 65536 : text->len;

    w = hd_palloc(pool, 4096 * sizeof(hd_term_t));
    if (w == NULL || max < 3) {
        return 0;
    }

    n = hd_search_terms(pool, text->data, len, w, 4096);
    nq = hd_search_terms(pool, query->data, query->len, q, HD_QUERY_TERMS);

    for (first = 0; first < n && !hd_snippet_match(&w[first], q, nq);
         first++)
    {
        /* void */
    }

    if (first == n) {
        first = 0;
    }

    /* a few words before the first match, then up to chars characters */
    from = first > 3 ? w[first - 3].start : 0;
    to = from;
    count = 0;

    while (to < len && count < chars) {
        to += (text->data[to] & 0x80) == 0 ? 1
              : (text->data[to] & 0xe0) == 0xc0 ? 2
              : (text->data[to] & 0xf0) == 0xe0 ? 3 : 4;
        count++;
    }

    to = to > len ? len : to;

    /* the first match whole, whatever it costs */
    if (n && to < w[first].end) {
        to = w[first].end;
    }

    /* never a word cut at the end */
    for (i = 0; i < n; i++) {
        if (w[i].start < to && w[i].end > to && i != first) {
            to = w[i].start;
            break;
        }
    }

    pos = from;

    if (from > 0) {
        parts[np].text.data = (hd_uchar *) "…";
        parts[np].text.len = 3;
        parts[np++].mark = 0;
    }

    for (i = 0; i < n && np + 2 < max; i++) {
        if (w[i].start < from || w[i].end > to
            || !hd_snippet_match(&w[i], q, nq))
        {
            continue;
        }

        if (w[i].start > pos) {
            parts[np].text.data = text->data + pos;
            parts[np].text.len = w[i].start - pos;
            parts[np++].mark = 0;
        }

        parts[np].text.data = text->data + w[i].start;
        parts[np].text.len = w[i].end - w[i].start;
        parts[np++].mark = 1;
        pos = w[i].end;
    }

    if (pos < to && np < max) {
        parts[np].text.data = text->data + pos;
        parts[np].text.len = to - pos;
        parts[np++].mark = 0;
    }

    if (to < text->len && np < max) {
        parts[np].text.data = (hd_uchar *) "…";
        parts[np].text.len = 3;
        parts[np++].mark = 0;
    }

    return np;
}

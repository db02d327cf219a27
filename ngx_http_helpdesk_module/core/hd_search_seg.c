/*
 * The tickets' index in segments. A message is written far more often
 * than it is searched, and each key of a posting list in one big tree is
 * another page its commit copies: so a message writes one fresh record
 * (its words and counts, at the end of a small tree), and when the fresh
 * records hold HD_FRESH_MAX postings they are merged into a segment: the
 * postings of each word in one value, by sub, the keys of a segment after
 * every other (written in order, without a search). Segments of the same
 * size, four at a time, are merged into one four times as big: the small
 * ones in the transaction that made the fourth, the big ones by the timer
 * (hd_search_compact). A query reads the fresh records and each segment.
 *
 * META "search:<scope>:segs": the segments in the order they were made,
 * each (id BE32, postings BE64); "search:<scope>:fresh": the fresh
 * postings. SEARCH_FRESH: scope, sub BE32 -> doc BE64, length BE16,
 * count BE16, then each word (length of kind and word, kind, word, tf,
 * flags) in key order. SEARCH_SEGS: scope, id BE32, kind, word ->
 * postings.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* qsort_r */
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "hd_schema.h"
#include "hd_search_int.h"
#include "hd_text.h"


#define HD_FRESH_MAX       16384        /* fresh postings before a segment */
#define HD_SEG_FANIN       4
#define HD_SEG_INLINE      1            /* tiers merged in the writer's
                                           transaction (up to 256K postings) */
#define HD_SEG_CAP         (4 * 1024 * 1024)   /* a merge's postings at
                                                  most, but when forced */
#define HD_SEG_ENTRY       12


typedef struct {
    uint32_t      id;
    uint64_t      n;
} hd_seg_t;

typedef struct {
    hd_seg_t      seg[HD_SEG_MAX];
    size_t        n;
} hd_seg_list_t;


int
hd_search_segmented(hd_search_scope_e scope)
{
    return scope == HD_SEARCH_TICKETS;
}


static void
hd_seg_meta_key(char *buf, size_t size, hd_search_scope_e scope,
    const char *what)
{
    snprintf(buf, size, "search:%c:%s", (char) scope, what);
}


static void
hd_seg_list_get(hd_txn_t *txn, hd_search_scope_e scope, hd_seg_list_t *l)
{
    char      key[32];
    size_t    i;
    hd_str_t  v;

    l->n = 0;
    hd_seg_meta_key(key, sizeof(key), scope, "segs");

    if (hd_db_get(txn, HD_DB_META, key, strlen(key), &v) != HD_OK) {
        return;
    }

    for (i = 0; i + HD_SEG_ENTRY <= v.len && l->n < HD_SEG_MAX;
         i += HD_SEG_ENTRY)
    {
        l->seg[l->n].id = hd_be32_get(v.data + i);
        l->seg[l->n].n = hd_be64_get(v.data + i + 4);
        l->n++;
    }
}


static hd_rc
hd_seg_list_put(hd_txn_t *txn, hd_search_scope_e scope,
    const hd_seg_list_t *l, hd_err_t *err)
{
    char      key[32];
    size_t    i;
    hd_uchar  v[HD_SEG_MAX * HD_SEG_ENTRY];

    hd_seg_meta_key(key, sizeof(key), scope, "segs");

    if (l->n == 0) {
        hd_rc  rc = hd_db_del(txn, HD_DB_META, key, strlen(key), err);

        return rc == HD_NOT_FOUND ? HD_OK : rc;
    }

    for (i = 0; i < l->n; i++) {
        hd_be32_put(v + i * HD_SEG_ENTRY, l->seg[i].id);
        hd_be64_put(v + i * HD_SEG_ENTRY + 4, l->seg[i].n);
    }

    return hd_db_put(txn, HD_DB_META, key, strlen(key), v,
                     l->n * HD_SEG_ENTRY, 0, err);
}


static uint64_t
hd_seg_fresh_get(hd_txn_t *txn, hd_search_scope_e scope)
{
    char      key[32];
    hd_str_t  v;

    hd_seg_meta_key(key, sizeof(key), scope, "fresh");

    return hd_db_get(txn, HD_DB_META, key, strlen(key), &v) == HD_OK
           && v.len == 8 ? hd_be64_get(v.data) : 0;
}


static hd_rc
hd_seg_fresh_put(hd_txn_t *txn, hd_search_scope_e scope, uint64_t n,
    hd_err_t *err)
{
    char      key[32];
    hd_uchar  v[8];

    hd_seg_meta_key(key, sizeof(key), scope, "fresh");
    hd_be64_put(v, n);

    return hd_db_put(txn, HD_DB_META, key, strlen(key), v, 8, 0, err);
}


static unsigned
hd_seg_tier(uint64_t n)
{
    unsigned  t = 0;
    uint64_t  x = (uint64_t) HD_FRESH_MAX * HD_SEG_FANIN;

    while (n >= x && t < 30) {
        t++;
        x *= HD_SEG_FANIN;
    }

    return t;
}


static size_t
hd_seg_key(hd_uchar *k, hd_search_scope_e scope, uint32_t id,
    const hd_uchar *kt, size_t len)
{
    k[0] = (hd_uchar) scope;
    hd_be32_put(k + 1, id);

    if (len) {
        memcpy(k + 5, kt, len);
    }

    return 5 + len;
}


hd_rc
hd_search_drop(hd_txn_t *txn, hd_db_e db, const hd_uchar *prefix,
    size_t plen, size_t limit, int *left, hd_err_t *err)
{
    size_t       done = 0;
    hd_rc        rc;
    hd_str_t     k, v;
    hd_cursor_t  cur;

    *left = 0;

    rc = hd_cursor_open(txn, db, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, prefix, plen, &k, &v);
         rc == HD_OK && k.len >= plen && memcmp(k.data, prefix, plen) == 0;
         rc = hd_cursor_seek(&cur, prefix, plen, &k, &v))
    {
        if (done == limit) {
            *left = 1;
            break;
        }

        /* a key of a sorted-duplicates database goes with all of them */
        rc = hd_dbs[db].mdb_flags & MDB_DUPSORT ? hd_cursor_del_key(&cur, err)
                                                : hd_cursor_del(&cur, err);
        if (rc != HD_OK) {
            hd_cursor_close(&cur);
            return rc;
        }

        done++;
    }

    hd_cursor_close(&cur);

    return HD_OK;
}


static int
hd_posting_sub_cmp(const void *a, const void *b)
{
    uint32_t  x = hd_be32_get((const hd_uchar *) a + 8);
    uint32_t  y = hd_be32_get((const hd_uchar *) b + 8);

    return x < y ? -1 : x > y;
}


/* --- merging --------------------------------------------------------------- */


/* one word of an input: kind and word, postings (copied) */
typedef struct {
    uint32_t      term;                 /* offsets into the input's bytes */
    uint16_t      tlen;
    uint32_t      post;
    uint32_t      npost;
} hd_seg_word_t;

typedef struct {
    hd_uchar       *bytes;
    size_t          len, cap;
    hd_seg_word_t  *w;
    size_t          nw, capw, at;
} hd_seg_input_t;


static int
hd_seg_input_push(hd_seg_input_t *in, const hd_uchar *term, size_t tlen,
    const hd_uchar *post, size_t npost)
{
    size_t  need = tlen + npost * HD_POSTING_LEN;
    void   *p;

    if (in->len + need > in->cap) {
        size_t  cap = in->cap ? in->cap : 65536;

        while (cap < in->len + need) {
            cap *= 2;
        }

        p = realloc(in->bytes, cap);
        if (p == NULL) {
            return -1;
        }

        in->bytes = p;
        in->cap = cap;
    }

    if (in->nw == in->capw) {
        size_t  capw = in->capw ? in->capw * 2 : 1024;

        p = realloc(in->w, capw * sizeof(hd_seg_word_t));
        if (p == NULL) {
            return -1;
        }

        in->w = p;
        in->capw = capw;
    }

    in->w[in->nw].term = (uint32_t) in->len;
    in->w[in->nw].tlen = (uint16_t) tlen;
    memcpy(in->bytes + in->len, term, tlen);
    in->len += tlen;

    in->w[in->nw].post = (uint32_t) in->len;
    in->w[in->nw].npost = (uint32_t) npost;
    memcpy(in->bytes + in->len, post, npost * HD_POSTING_LEN);
    in->len += npost * HD_POSTING_LEN;
    in->nw++;

    return 0;
}


static void
hd_seg_input_free(hd_seg_input_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(in[i].bytes);
        free(in[i].w);
    }
}


/* a segment read whole into memory (what is written next may move it) */
static hd_rc
hd_seg_read(hd_txn_t *txn, hd_search_scope_e scope, uint32_t id,
    hd_seg_input_t *in, hd_err_t *err)
{
    size_t       plen;
    hd_rc        rc;
    hd_str_t     k, v;
    hd_uchar     p[5];
    hd_cursor_t  cur;

    plen = hd_seg_key(p, scope, id, NULL, 0);

    rc = hd_cursor_open(txn, HD_DB_SEARCH_SEGS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, p, plen, &k, &v);
         rc == HD_OK && k.len > plen && memcmp(k.data, p, plen) == 0;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_seg_input_push(in, k.data + plen, k.len - plen, v.data,
                              v.len / HD_POSTING_LEN)
            != 0)
        {
            hd_cursor_close(&cur);
            return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
        }
    }

    hd_cursor_close(&cur);

    return HD_OK;
}


static uint32_t
hd_seg_next_id(const hd_seg_list_t *l)
{
    uint32_t  id = 0;

    for (size_t i = 0; i < l->n; i++) {
        id = l->seg[i].id > id ? l->seg[i].id : id;
    }

    return id + 1;
}


/* inputs, each sorted by word, merged into segment id: a word's postings
   in the inputs' order, sorted by sub where they overlap */
static hd_rc
hd_seg_write(hd_txn_t *txn, hd_search_scope_e scope, uint32_t id,
    hd_seg_input_t *in, size_t nin, uint64_t *total, hd_err_t *err)
{
    int              sorted;
    size_t           i, len, cap = 0, n, last;
    hd_rc            rc = HD_OK;
    hd_uchar         key[5 + HD_KEY_MAX], *buf = NULL, *nb;
    hd_seg_word_t   *w, *min;

    *total = 0;

    for (;;) {
        /* the least word the inputs still have */
        min = NULL;
        last = 0;

        for (i = 0; i < nin; i++) {
            if (in[i].at == in[i].nw) {
                continue;
            }

            w = &in[i].w[in[i].at];

            if (min == NULL) {
                min = w;
                last = i;
                continue;
            }

            len = w->tlen < min->tlen ? w->tlen : min->tlen;
            int c = memcmp(in[i].bytes + w->term, in[last].bytes + min->term,
                           len);

            if (c < 0 || (c == 0 && w->tlen < min->tlen)) {
                min = w;
                last = i;
            }
        }

        if (min == NULL) {
            break;
        }

        hd_uchar  term[HD_KEY_MAX];
        size_t    tlen = min->tlen;

        memcpy(term, in[last].bytes + min->term, tlen);

        /* its postings from every input that has it, older first */
        n = 0;
        sorted = 1;

        for (i = 0; i < nin; i++) {
            if (in[i].at == in[i].nw) {
                continue;
            }

            w = &in[i].w[in[i].at];

            if (w->tlen != tlen
                || memcmp(in[i].bytes + w->term, term, tlen) != 0)
            {
                continue;
            }

            if ((n + w->npost) * HD_POSTING_LEN > cap) {
                size_t  c2 = cap ? cap : 65536;

                while (c2 < (n + w->npost) * HD_POSTING_LEN) {
                    c2 *= 2;
                }

                nb = realloc(buf, c2);
                if (nb == NULL) {
                    free(buf);
                    return hd_err_set(err, HD_NOMEM, NULL, "nomem",
                                      "out of memory");
                }

                buf = nb;
                cap = c2;
            }

            if (n && w->npost
                && hd_be32_get(buf + (n - 1) * HD_POSTING_LEN + 8)
                   > hd_be32_get(in[i].bytes + w->post + 8))
            {
                sorted = 0;
            }

            memcpy(buf + n * HD_POSTING_LEN, in[i].bytes + w->post,
                   w->npost * HD_POSTING_LEN);
            n += w->npost;
            in[i].at++;
        }

        if (!sorted) {
            qsort(buf, n, HD_POSTING_LEN, hd_posting_sub_cmp);
        }

        len = hd_seg_key(key, scope, id, term, tlen);

        rc = hd_db_put(txn, HD_DB_SEARCH_SEGS, key, len, buf,
                       n * HD_POSTING_LEN, HD_PUT_APPEND, err);
        if (rc != HD_OK) {
            break;
        }

        *total += n;
    }

    free(buf);

    return rc;
}


/* segments [from, from + count) of the list merged into one in their place */
static hd_rc
hd_seg_merge(hd_txn_t *txn, hd_search_scope_e scope, hd_seg_list_t *l,
    size_t from, size_t count, hd_err_t *err)
{
    int              left;
    size_t           i;
    hd_rc            rc = HD_OK;
    hd_uchar         p[5];
    uint32_t         id;
    uint64_t         total = 0;
    hd_seg_input_t   in[HD_SEG_MAX];

    memset(in, 0, sizeof(in));
    id = hd_seg_next_id(l);

    for (i = 0; i < count && rc == HD_OK; i++) {
        rc = hd_seg_read(txn, scope, l->seg[from + i].id, &in[i], err);
    }

    if (rc == HD_OK) {
        rc = hd_seg_write(txn, scope, id, in, count, &total, err);
    }

    hd_seg_input_free(in, count);

    for (i = 0; i < count && rc == HD_OK; i++) {
        (void) hd_seg_key(p, scope, l->seg[from + i].id, NULL, 0);
        rc = hd_search_drop(txn, HD_DB_SEARCH_SEGS, p, 5, (size_t) -1, &left,
                         err);
    }

    if (rc != HD_OK) {
        return rc;
    }

    l->seg[from].id = id;
    l->seg[from].n = total;
    memmove(&l->seg[from + 1], &l->seg[from + count],
            (l->n - from - count) * sizeof(hd_seg_t));
    l->n -= count - 1;

    return hd_seg_list_put(txn, scope, l, err);
}


/*
 * The first run of HD_SEG_FANIN segments of one tier (below max_tier)
 * whose merge stays under the cap; when the list is full, the four next
 * to each other with the fewest postings whatever they make: -1 none
 */
static ssize_t
hd_seg_pick(const hd_seg_list_t *l, unsigned max_tier)
{
    size_t    i, j, best = 0;
    uint64_t  sum, least = (uint64_t) -1;
    unsigned  t;

    for (i = 0; i + HD_SEG_FANIN <= l->n; i++) {
        t = hd_seg_tier(l->seg[i].n);
        sum = 0;

        for (j = i; j < i + HD_SEG_FANIN; j++) {
            if (hd_seg_tier(l->seg[j].n) != t) {
                break;
            }

            sum += l->seg[j].n;
        }

        if (j == i + HD_SEG_FANIN && t < max_tier && sum <= HD_SEG_CAP) {
            return (ssize_t) i;
        }
    }

    if (l->n + 1 < HD_SEG_MAX) {
        return -1;
    }

    for (i = 0; i + HD_SEG_FANIN <= l->n; i++) {
        for (j = i, sum = 0; j < i + HD_SEG_FANIN; j++) {
            sum += l->seg[j].n;
        }

        if (sum < least) {
            least = sum;
            best = i;
        }
    }

    return (ssize_t) best;
}


hd_rc
hd_search_compact(hd_txn_t *txn, hd_search_scope_e scope, int *merged,
    hd_err_t *err)
{
    ssize_t        at;
    hd_seg_list_t  l;

    *merged = 0;

    if (!hd_search_segmented(scope)) {
        return HD_OK;
    }

    hd_seg_list_get(txn, scope, &l);

    at = hd_seg_pick(&l, (unsigned) -1);
    if (at < 0) {
        return HD_OK;
    }

    *merged = 1;

    return hd_seg_merge(txn, scope, &l, (size_t) at, HD_SEG_FANIN, err);
}


/* --- the fresh records ----------------------------------------------------- */


typedef struct {
    uint32_t      term;                 /* offset into the bytes */
    uint8_t       tlen;
    hd_uchar      post[HD_POSTING_LEN];
} hd_fresh_item_t;

static int
hd_fresh_item_cmp(const void *a, const void *b, void *arg)
{
    const hd_fresh_item_t  *x = a, *y = b;
    const hd_uchar         *bytes = arg;
    size_t                  len;
    int                     c;

    len = x->tlen < y->tlen ? x->tlen : y->tlen;
    c = memcmp(bytes + x->term, bytes + y->term, len);

    if (c || x->tlen != y->tlen) {
        return c ? c : (int) x->tlen - (int) y->tlen;
    }

    return hd_posting_sub_cmp(x->post, y->post);
}


/* a fresh record's words: each (kind and word, tf, flags) */
typedef struct {
    const hd_uchar  *data;
    size_t           len, pos;
    uint64_t         doc;
    uint32_t         sub;
    size_t           dl;
} hd_fresh_rec_t;

static int
hd_fresh_open(hd_fresh_rec_t *r, const hd_str_t *k, const hd_str_t *v)
{
    if (k->len != 5 || v->len < 12) {
        return 0;
    }

    r->data = v->data;
    r->len = v->len;
    r->pos = 12;
    r->doc = hd_be64_get(v->data);
    r->dl = (size_t) ((v->data[8] << 8) | v->data[9]);
    r->sub = hd_be32_get(k->data + 1);

    return 1;
}

static int
hd_fresh_word(hd_fresh_rec_t *r, hd_str_t *kt, unsigned *tf, unsigned *flags)
{
    size_t  len;

    if (r->pos >= r->len) {
        return 0;
    }

    len = r->data[r->pos];

    if (len == 0 || r->pos + 1 + len + 2 > r->len) {
        return 0;
    }

    kt->data = (hd_uchar *) r->data + r->pos + 1;
    kt->len = len;
    *tf = r->data[r->pos + 1 + len];
    *flags = r->data[r->pos + 2 + len];
    r->pos += 3 + len;

    return 1;
}


/* the fresh records into a new segment, and the small segments merged */
static hd_rc
hd_seg_flush(hd_txn_t *txn, hd_search_scope_e scope, hd_err_t *err)
{
    int               left;
    size_t            n = 0, cap = 0, blen = 0, bcap = 0, i, j, klen;
    hd_rc             rc;
    ssize_t           at;
    hd_str_t          k, v, kt;
    hd_uchar          p[1], key[5 + HD_KEY_MAX], *bytes = NULL, *post = NULL;
    uint32_t          id;
    unsigned          tf, flags;
    hd_cursor_t       cur;
    hd_seg_list_t     l;
    hd_fresh_rec_t    r;
    hd_fresh_item_t  *it = NULL, *ni;
    void             *nbytes;

    p[0] = (hd_uchar) scope;

    rc = hd_cursor_open(txn, HD_DB_SEARCH_FRESH, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    /* copied: what is written next may move the pages they are on */
    for (rc = hd_cursor_seek(&cur, p, 1, &k, &v);
         rc == HD_OK && k.len >= 1 && k.data[0] == p[0];
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (!hd_fresh_open(&r, &k, &v)) {
            continue;
        }

        while (hd_fresh_word(&r, &kt, &tf, &flags)) {
            if (n == cap) {
                cap = cap ? cap * 2 : 4096;
                ni = realloc(it, cap * sizeof(hd_fresh_item_t));
                if (ni == NULL) {
                    goto nomem;
                }
                it = ni;
            }

            if (blen + kt.len > bcap) {
                bcap = bcap ? bcap * 2 : 65536;
                nbytes = realloc(bytes, bcap);
                if (nbytes == NULL) {
                    goto nomem;
                }
                bytes = nbytes;
            }

            it[n].term = (uint32_t) blen;
            it[n].tlen = (uint8_t) kt.len;
            memcpy(bytes + blen, kt.data, kt.len);
            blen += kt.len;
            hd_posting_make(it[n].post, r.doc, r.sub, tf, flags, r.dl);
            n++;
        }
    }

    hd_cursor_close(&cur);

    rc = HD_OK;
    hd_seg_list_get(txn, scope, &l);

    if (n) {
        qsort_r(it, n, sizeof(hd_fresh_item_t), hd_fresh_item_cmp, bytes);

        post = malloc(n * HD_POSTING_LEN);
        if (post == NULL) {
            goto nomem_closed;
        }

        id = hd_seg_next_id(&l);

        for (i = 0; i < n && rc == HD_OK; i = j) {
            for (j = i; j < n && it[j].tlen == it[i].tlen
                        && memcmp(bytes + it[j].term, bytes + it[i].term,
                                  it[i].tlen) == 0;
                 j++)
            {
                memcpy(post + (j - i) * HD_POSTING_LEN, it[j].post,
                       HD_POSTING_LEN);
            }

            klen = hd_seg_key(key, scope, id, bytes + it[i].term,
                              it[i].tlen);
            rc = hd_db_put(txn, HD_DB_SEARCH_SEGS, key, klen, post,
                           (j - i) * HD_POSTING_LEN, HD_PUT_APPEND, err);
        }

        if (rc == HD_OK) {
            l.seg[l.n].id = id;
            l.seg[l.n].n = n;
            l.n++;
        }
    }

    free(post);
    free(it);
    free(bytes);

    if (rc == HD_OK) {
        rc = hd_search_drop(txn, HD_DB_SEARCH_FRESH, p, 1, (size_t) -1, &left,
                         err);
    }

    if (rc == HD_OK) {
        rc = hd_seg_fresh_put(txn, scope, 0, err);
    }

    if (rc == HD_OK && n) {
        rc = hd_seg_list_put(txn, scope, &l, err);
    }

    /* the small ones now; the big ones are the timer's */
    while (rc == HD_OK && (at = hd_seg_pick(&l, HD_SEG_INLINE)) >= 0) {
        rc = hd_seg_merge(txn, scope, &l, (size_t) at, HD_SEG_FANIN, err);
    }

    return rc;

nomem:

    hd_cursor_close(&cur);

nomem_closed:

    free(it);
    free(bytes);
    free(post);

    return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
}


hd_rc
hd_search_flush(hd_txn_t *txn, hd_search_scope_e scope, hd_err_t *err)
{
    return hd_search_segmented(scope) ? hd_seg_flush(txn, scope, err) : HD_OK;
}


hd_rc
hd_seg_add(hd_txn_t *txn, hd_search_scope_e scope, uint64_t doc,
    uint32_t sub, size_t dl, const hd_entry_t *e, size_t n, hd_err_t *err)
{
    size_t     i, len, klen;
    hd_rc      rc;
    hd_uchar  *v, key[5];
    uint64_t   fresh;

    for (i = 0, len = 12; i < n; i++) {
        len += 3 + e[i].klen - 1;
    }

    v = malloc(len);
    if (v == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    hd_be64_put(v, doc);
    v[8] = (hd_uchar) ((dl > 65535 ? 65535 : dl) >> 8);
    v[9] = (hd_uchar) (dl > 65535 ? 65535 : dl);
    v[10] = (hd_uchar) (n >> 8);
    v[11] = (hd_uchar) n;

    for (i = 0, len = 12; i < n; i++) {
        klen = e[i].klen - 1;               /* without the scope */
        v[len++] = (hd_uchar) klen;
        memcpy(v + len, e[i].key + 1, klen);
        len += klen;
        v[len++] = (hd_uchar) (e[i].tf > 255 ? 255 : e[i].tf);
        v[len++] = e[i].flags;
    }

    key[0] = (hd_uchar) scope;
    hd_be32_put(key + 1, sub);

    rc = hd_db_put(txn, HD_DB_SEARCH_FRESH, key, 5, v, len, 0, err);
    free(v);

    if (rc != HD_OK) {
        return rc;
    }

    fresh = hd_seg_fresh_get(txn, scope) + n;

    if (fresh >= HD_FRESH_MAX) {
        return hd_seg_flush(txn, scope, err);
    }

    return hd_seg_fresh_put(txn, scope, fresh, err);
}


hd_rc
hd_seg_clear(hd_txn_t *txn, hd_search_scope_e scope, size_t limit,
    int *left, hd_err_t *err)
{
    hd_rc          rc;
    hd_uchar       p[1];
    hd_seg_list_t  l;

    p[0] = (hd_uchar) scope;

    rc = hd_search_drop(txn, HD_DB_SEARCH_SEGS, p, 1, limit, left, err);

    if (rc == HD_OK && !*left) {
        rc = hd_search_drop(txn, HD_DB_SEARCH_FRESH, p, 1, limit, left, err);
    }

    if (rc != HD_OK || *left) {
        return rc;
    }

    l.n = 0;
    rc = hd_seg_list_put(txn, scope, &l, err);

    return rc == HD_OK ? hd_seg_fresh_put(txn, scope, 0, err) : rc;
}


/* --- reading --------------------------------------------------------------- */


/* a way a word of the index may answer a query word */
typedef struct {
    hd_str_t      text;                 /* kind and word, or its start */
    double        weight;
    unsigned      prefix:1;
} hd_seg_ask_t;


static int
hd_seg_ask_match(const hd_seg_ask_t *a, const hd_str_t *kt)
{
    if (a->prefix) {
        return kt->len >= a->text.len
               && memcmp(kt->data, a->text.data, a->text.len) == 0;
    }

    return kt->len == a->text.len
           && memcmp(kt->data, a->text.data, a->text.len) == 0;
}


static void
hd_seg_run_add(hd_pool_t *pool, hd_qkey_t *k, const hd_uchar *p, size_t n,
    uint32_t where)
{
    size_t  i;

    if (k->runs == NULL) {
        k->runs = hd_palloc(pool, (HD_SEG_MAX + 1) * sizeof(hd_run_t));
        if (k->runs == NULL) {
            return;
        }
    }

    for (i = 0; i < k->nruns; i++) {
        if (k->runs[i].where == where) {
            return;                     /* asked twice: once is enough */
        }
    }

    if (k->nruns == HD_SEG_MAX + 1 || n == 0) {
        return;
    }

    k->runs[k->nruns].p = p;
    k->runs[k->nruns].n = (uint32_t) n;
    k->runs[k->nruns].where = where;
    k->nruns++;
    k->df += n;
}


/* a segment's words that answer an ask (at most max of them) */
static void
hd_seg_ask_segment(hd_txn_t *txn, hd_search_scope_e scope, hd_pool_t *pool,
    hd_qterm_t *qt, const hd_seg_ask_t *a, uint32_t id, uint32_t where,
    size_t max)
{
    size_t       plen, found = 0;
    hd_str_t     k, v, kt, term;
    hd_uchar     p[5 + HD_KEY_MAX];
    hd_qkey_t   *qk;
    hd_cursor_t  cur;

    plen = hd_seg_key(p, scope, id, a->text.data, a->text.len);

    if (hd_cursor_open(txn, HD_DB_SEARCH_SEGS, &cur) != HD_OK) {
        return;
    }

    for (hd_rc rc = hd_cursor_seek(&cur, p, plen, &k, &v);
         rc == HD_OK && found < max && k.len >= plen
         && memcmp(k.data, p, plen) == 0;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        kt.data = k.data + 5;
        kt.len = k.len - 5;

        if (!hd_seg_ask_match(a, &kt)) {
            break;                      /* an exact word: the next is
                                           longer */
        }

        term.data = kt.data + 1;
        term.len = kt.len - 1;

        qk = hd_qkey_put(qt, scope, (char) kt.data[0], &term, a->weight);
        if (qk != NULL) {
            hd_seg_run_add(pool, qk, v.data, v.len / HD_POSTING_LEN, where);
        }

        found++;
    }

    hd_cursor_close(&cur);
}


/* the fresh records' words that answer the asks, first ask first: each
   key's postings copied into a run of its own, by sub */
static void
hd_seg_ask_fresh(hd_txn_t *txn, hd_search_scope_e scope, hd_pool_t *pool,
    hd_qterm_t *qt, const hd_seg_ask_t *a, size_t na,
    const hd_term_t *typo)
{
    size_t           i, n = 0, cap = 0, j, c;
    hd_str_t         k, v, kt, term;
    hd_uchar         p[1];
    unsigned         tf, flags;
    hd_cursor_t      cur;
    hd_fresh_rec_t   r;
    hd_qkey_t       *qk;
    hd_uchar        *run;
    struct {
        uint16_t      key;
        hd_uchar      post[HD_POSTING_LEN];
    }               *hit = NULL, *nh;
    size_t           count[HD_TERM_KEYS];

    p[0] = (hd_uchar) scope;

    if (hd_cursor_open(txn, HD_DB_SEARCH_FRESH, &cur) != HD_OK) {
        return;
    }

    for (hd_rc rc = hd_cursor_seek(&cur, p, 1, &k, &v);
         rc == HD_OK && k.len >= 1 && k.data[0] == p[0];
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (!hd_fresh_open(&r, &k, &v)) {
            continue;
        }

        while (hd_fresh_word(&r, &kt, &tf, &flags)) {
            double  weight = -1;

            if (typo != NULL) {
                term.data = kt.data + 1;
                term.len = kt.len - 1;

                if (kt.data[0] == 's'
                    && (hd_search_distance(&term, &typo->stem, 1) <= 1
                        || hd_search_distance(&term, &typo->word, 1) <= 1))
                {
                    weight = 0.5;
                }

            } else {
                for (i = 0; i < na; i++) {
                    if (hd_seg_ask_match(&a[i], &kt)) {
                        weight = a[i].weight;
                        break;
                    }
                }
            }

            if (weight < 0) {
                continue;
            }

            term.data = kt.data + 1;
            term.len = kt.len - 1;

            qk = hd_qkey_put(qt, scope, (char) kt.data[0], &term, weight);
            if (qk == NULL) {
                continue;
            }

            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                nh = realloc(hit, cap * sizeof(*hit));
                if (nh == NULL) {
                    break;
                }
                hit = nh;
            }

            hit[n].key = (uint16_t) (qk - qt->keys);
            hd_posting_make(hit[n].post, r.doc, r.sub, tf, flags, r.dl);
            n++;
        }
    }

    hd_cursor_close(&cur);

    /* a run a key, in the records' order (by sub) */
    memset(count, 0, sizeof(count));

    for (i = 0; i < n; i++) {
        count[hit[i].key]++;
    }

    for (j = 0; j < qt->nkeys; j++) {
        if (count[j] == 0) {
            continue;
        }

        run = hd_palloc(pool, count[j] * HD_POSTING_LEN);
        if (run == NULL) {
            continue;
        }

        for (i = 0, c = 0; i < n; i++) {
            if (hit[i].key == j) {
                memcpy(run + c++ * HD_POSTING_LEN, hit[i].post,
                       HD_POSTING_LEN);
            }
        }

        qsort(run, c, HD_POSTING_LEN, hd_posting_sub_cmp);
        hd_seg_run_add(pool, &qt->keys[j], run, c, HD_SEG_MAX + 1);
    }

    free(hit);
}


static void
hd_seg_ask_set(hd_seg_ask_t *a, hd_uchar *buf, const hd_str_t *word,
    double weight, int prefix)
{
    size_t  len = word->len < HD_KEY_MAX - 1 ? word->len : HD_KEY_MAX - 1;

    buf[0] = 's';
    memcpy(buf + 1, word->data, len);
    a->text.data = buf;
    a->text.len = 1 + len;
    a->weight = weight;
    a->prefix = prefix;
}


static int
hd_run_cmp(const void *a, const void *b)
{
    const hd_run_t  *x = a, *y = b;

    return x->where > y->where ? -1 : x->where < y->where;
}


void
hd_seg_plan(hd_txn_t *txn, hd_search_scope_e scope, hd_pool_t *pool,
    hd_qterm_t *qt, const hd_term_t *t, int typed, int typo)
{
    size_t          i, na = 0, s, cl;
    hd_uchar        buf[3][HD_KEY_MAX];
    hd_seg_ask_t    a[3];
    hd_seg_list_t   l;

    /* the stem itself; the word as it is being typed; the stems its root
       begins (ranked by how near they are) */
    hd_seg_ask_set(&a[na++], buf[0], &t->stem, 1.0, 0);

    if (typed && t->word.len) {
        hd_seg_ask_set(&a[na++], buf[1], &t->word, 0.8, 1);
    }

    if (t->root.len) {
        hd_seg_ask_set(&a[na++], buf[2], &t->root, 0.6, 1);
    }

    hd_seg_list_get(txn, scope, &l);

    hd_seg_ask_fresh(txn, scope, pool, qt, a, na, NULL);

    for (s = l.n; s-- > 0; ) {
        for (i = 0; i < na; i++) {
            hd_seg_ask_segment(txn, scope, pool, qt, &a[i], l.seg[s].id,
                               (uint32_t) s + 1,
                               a[i].prefix ? HD_PREFIX_KEYS : 1);
        }
    }

    /* an unknown word of 5 letters or more: stems one edit away with the
       same first two letters */
    qt->df = 0;

    for (i = 0; i < qt->nkeys; i++) {
        qt->df += qt->keys[i].df;
    }

    if (qt->df == 0 && typo
        && hd_utf8_chars(t->word.data, t->word.len) >= 5)
    {
        hd_seg_ask_t  two;

        for (i = 0, cl = 0; i < t->stem.len && cl < 2; cl++) {
            i += (t->stem.data[i] & 0x80) == 0 ? 1
                 : (t->stem.data[i] & 0xe0) == 0xc0 ? 2
                 : (t->stem.data[i] & 0xf0) == 0xe0 ? 3 : 4;
        }

        buf[0][0] = 's';
        memcpy(buf[0] + 1, t->stem.data, i < t->stem.len ? i : t->stem.len);
        two.text.data = buf[0];
        two.text.len = 1 + (i < t->stem.len ? i : t->stem.len);
        two.weight = 0.5;
        two.prefix = 1;

        hd_seg_ask_fresh(txn, scope, pool, qt, NULL, 0, t);

        for (s = l.n; s-- > 0; ) {
            hd_str_t     k, v, term;
            hd_uchar     p[5 + HD_KEY_MAX];
            size_t       plen, seen = 0, found = 0;
            hd_cursor_t  cur;
            hd_qkey_t   *qk;

            plen = hd_seg_key(p, scope, l.seg[s].id, two.text.data,
                              two.text.len);

            if (hd_cursor_open(txn, HD_DB_SEARCH_SEGS, &cur) != HD_OK) {
                break;
            }

            for (hd_rc rc = hd_cursor_seek(&cur, p, plen, &k, &v);
                 rc == HD_OK && found < HD_TYPO_KEYS
                 && seen++ < HD_TYPO_SCAN
                 && k.len >= plen && memcmp(k.data, p, plen) == 0;
                 rc = hd_cursor_next(&cur, &k, &v))
            {
                term.data = k.data + 6;
                term.len = k.len - 6;

                if (hd_search_distance(&term, &t->stem, 1) <= 1
                    || hd_search_distance(&term, &t->word, 1) <= 1)
                {
                    qk = hd_qkey_put(qt, scope, 's', &term, 0.5);
                    if (qk != NULL) {
                        hd_seg_run_add(pool, qk, v.data,
                                       v.len / HD_POSTING_LEN,
                                       (uint32_t) s + 1);
                    }

                    found++;
                }
            }

            hd_cursor_close(&cur);
        }
    }

    qt->df = 0;

    for (i = 0; i < qt->nkeys; i++) {
        if (qt->keys[i].nruns > 1) {
            qsort(qt->keys[i].runs, qt->keys[i].nruns, sizeof(hd_run_t),
                  hd_run_cmp);
        }

        qt->df += qt->keys[i].df;
    }
}


const hd_uchar *
hd_seg_find(const hd_qkey_t *k, uint64_t doc, uint32_t sub)
{
    size_t           r, lo, hi, mid;
    const hd_uchar  *p;

    for (r = 0; r < k->nruns; r++) {
        lo = 0;
        hi = k->runs[r].n;

        while (lo < hi) {
            mid = lo + (hi - lo) / 2;

            if (hd_be32_get(k->runs[r].p + mid * HD_POSTING_LEN + 8) < sub) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }

        if (lo < k->runs[r].n) {
            p = k->runs[r].p + lo * HD_POSTING_LEN;

            if (hd_be32_get(p + 8) == sub && hd_be64_get(p) == doc) {
                return p;
            }
        }
    }

    return NULL;
}


/* --- schema 4 ------------------------------------------------------------- */


/*
 * The tickets' postings an older version kept a key a word in
 * SEARCH_POSTINGS, moved into one segment (sorted by sub), in the
 * transaction that opens the environment
 */
hd_rc
hd_search_migrate(hd_txn_t *txn, hd_err_t *err)
{
    size_t         n, cap = 0, klen;
    hd_rc          rc;
    hd_str_t       k, v, pg;
    hd_uchar       p[1], key[5 + HD_KEY_MAX], *buf = NULL, *nb;
    uint64_t       total = 0;
    hd_cursor_t    cur;
    hd_seg_list_t  l;

    p[0] = (hd_uchar) HD_SEARCH_TICKETS;

    rc = hd_cursor_open(txn, HD_DB_SEARCH_POSTINGS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    hd_seg_list_get(txn, HD_SEARCH_TICKETS, &l);

    for (rc = hd_cursor_seek(&cur, p, 1, &k, &v);
         rc == HD_OK && k.len > 1 && k.data[0] == p[0];
         rc = hd_cursor_next_key(&cur, &k, &v))
    {
        hd_uchar  kt[HD_KEY_MAX];
        size_t    tlen = k.len - 1 < HD_KEY_MAX ? k.len - 1 : HD_KEY_MAX;

        memcpy(kt, k.data + 1, tlen);
        n = 0;

        for (hd_rc r2 = hd_cursor_dup_pages(&cur, k.data, k.len, 1, &pg);
             r2 == HD_OK;
             r2 = hd_cursor_dup_pages(&cur, NULL, 0, 0, &pg))
        {
            if ((n * HD_POSTING_LEN) + pg.len > cap) {
                size_t  c2 = cap ? cap : 65536;

                while (c2 < n * HD_POSTING_LEN + pg.len) {
                    c2 *= 2;
                }

                nb = realloc(buf, c2);
                if (nb == NULL) {
                    free(buf);
                    hd_cursor_close(&cur);
                    return hd_err_set(err, HD_NOMEM, NULL, "nomem",
                                      "out of memory");
                }

                buf = nb;
                cap = c2;
            }

            memcpy(buf + n * HD_POSTING_LEN, pg.data, pg.len);
            n += pg.len / HD_POSTING_LEN;
        }

        if (n == 0) {
            continue;
        }

        qsort(buf, n, HD_POSTING_LEN, hd_posting_sub_cmp);

        klen = hd_seg_key(key, HD_SEARCH_TICKETS, 1, kt, tlen);
        rc = hd_db_put(txn, HD_DB_SEARCH_SEGS, key, klen, buf,
                       n * HD_POSTING_LEN, HD_PUT_APPEND, err);
        if (rc != HD_OK) {
            free(buf);
            hd_cursor_close(&cur);
            return rc;
        }

        total += n;

        /* back where it was: the next key after this one */
        if (hd_cursor_seek(&cur, k.data, k.len, &k, &v) != HD_OK) {
            break;
        }
    }

    free(buf);

    hd_cursor_close(&cur);

    /* the old keys out, each with its postings */
    {
        int  left;

        rc = hd_search_drop(txn, HD_DB_SEARCH_POSTINGS, p, 1, (size_t) -1,
                            &left, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    if (total == 0 || l.n) {
        return HD_OK;
    }

    l.seg[0].id = 1;
    l.seg[0].n = total;
    l.n = 1;

    return hd_seg_list_put(txn, HD_SEARCH_TICKETS, &l, err);
}


hd_rc
hd_search_settle(hd_store_t *store, hd_search_scope_e scope, int flush,
    size_t max, size_t *merges, hd_err_t *err)
{
    int       merged = 1;
    hd_rc     rc;
    hd_txn_t  txn;

    *merges = 0;

    if (!hd_search_segmented(scope)) {
        return HD_OK;
    }

    if (flush) {
        rc = hd_txn_begin(store, &txn, HD_TXN_WRITE, err);
        if (rc != HD_OK) {
            return rc;
        }

        rc = hd_seg_flush(&txn, scope, err);
        rc = rc == HD_OK ? hd_txn_commit(&txn, err) : (hd_txn_abort(&txn), rc);

        if (rc != HD_OK) {
            return rc;
        }
    }

    while (merged && *merges < max) {
        rc = hd_txn_begin(store, &txn, HD_TXN_WRITE, err);
        if (rc != HD_OK) {
            return rc;
        }

        rc = hd_search_compact(&txn, scope, &merged, err);

        if (rc == HD_OK && merged) {
            rc = hd_txn_commit(&txn, err);
            (*merges)++;

        } else {
            hd_txn_abort(&txn);
        }

        if (rc != HD_OK) {
            return rc;
        }
    }

    return HD_OK;
}

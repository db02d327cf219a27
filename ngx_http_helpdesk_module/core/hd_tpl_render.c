/*
 * The template renderer: a context stack walked over a template's
 * operations, with the lookups it remembers and the rows it keeps.
 */

#include <stdio.h>
#include <stdlib.h>

#include "hd_tpl_int.h"


/* the characters HTML escaping replaces, and by what */
static const hd_uchar  hd_tpl_escaped[256] = {
    ['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1,
};


static const char *
hd_tpl_entity(hd_uchar c)
{
    switch (c) {
    case '&':  return "&amp;";
    case '<':  return "&lt;";
    case '>':  return "&gt;";
    case '"':  return "&quot;";
    default:   return "&#39;";
    }
}


/*
 * Where a key was found, remembered for the render. Each frame pushed on
 * the context stack gets a new stamp: a lookup with the same top and the
 * same frame below it (so the same frames under that) finds what it found
 * before, in the top, below it or nowhere, without a search. The same top
 * each time is a generated list's row, refilled with the same keys. The
 * end of a dotted key whose first part is an indexed (unchanging) map, such
 * as a message catalogue, is remembered too. Per thread, valid for one
 * render (its epoch).
 */
#define HD_TPL_CACHE  256

typedef struct {
    uint64_t              epoch;
    const hd_tpl_key_t   *key;
    const hd_val_t       *top;
    uint64_t              below;        /* the stamp of the frame under top */
    size_t                depth;
    const hd_val_item_t  *item;         /* NULL: found nowhere */
    const hd_val_t       *root;
    const hd_val_t       *result;
} hd_tpl_cached_t;

static __thread hd_tpl_cached_t  hd_tpl_cache[HD_TPL_CACHE];
static __thread uint64_t         hd_tpl_epoch;

/*
 * Rows of keyed generated lists as rendered, per thread, by what made them:
 * the section (its template's generation and place), the escaping, the
 * values the section reads from outside the row, and the row's own key.
 * The same bytes render the same output, so a kept row never goes stale.
 */
#define HD_TPL_ROWS       2048
#define HD_TPL_ROW_KEY    1024
#define HD_TPL_ROW_ROOM   4096      /* a row rendered is kept if it fits */

typedef struct {
    uint64_t     hash;
    size_t       klen;
    size_t       hlen;
    hd_uchar    *bytes;             /* the key, then the output */
} hd_tpl_row_t;

static __thread hd_tpl_row_t    *hd_tpl_rows;


typedef struct {
    hd_tpl_out_t      *out;
    hd_tpl_cached_t   *cache;
    uint64_t           epoch;
    uint64_t           stamps;
    size_t             len;         /* of buf: written to out in pieces */
    size_t             flushes;
    int                failed;
    hd_uchar           buf[8192];
    const hd_val_t    *stack[HD_TPL_MAX_DEPTH];
    uint64_t           stamp[HD_TPL_MAX_DEPTH];
    uint64_t           under[HD_TPL_MAX_DEPTH];     /* stamp below, then */
    size_t             depth;
    size_t             partials;
    hd_str_t           indent;
    int                line_start;
    int                escape;      /* HTML; off for plain-text mail */
    char               indent_buf[512];
} hd_tpl_renderer_t;


static int hd_tpl_render_frames(const hd_tpl_t *tpl, const hd_val_t *under,
    const hd_val_t *data, hd_tpl_out_t *out, int escape);
static int hd_tpl_render_ops(hd_tpl_renderer_t *rd, const hd_tpl_t *tpl,
    uint32_t from, uint32_t to);
static int hd_tpl_render_in(hd_tpl_renderer_t *rd, const hd_tpl_t *tpl,
    const hd_val_t *v, uint32_t from, uint32_t to);
static const hd_val_t *hd_tpl_lookup(hd_tpl_renderer_t *rd,
    const hd_tpl_key_t *key);
static int hd_tpl_emit(hd_tpl_renderer_t *rd, const hd_uchar *p, size_t n,
    hd_tpl_emit_e kind);
static int hd_tpl_emit_value(hd_tpl_renderer_t *rd, const hd_val_t *v,
    int escape);


int
hd_tpl_render(const hd_tpl_t *tpl, const hd_val_t *data, hd_tpl_out_t *out)
{
    return hd_tpl_render_frames(tpl, NULL, data, out, 1);
}


int
hd_tpl_render_as(const hd_tpl_t *tpl, const hd_val_t *data,
    hd_tpl_out_t *out, int escape)
{
    return hd_tpl_render_frames(tpl, NULL, data, out, escape);
}


int
hd_tpl_render_over(const hd_tpl_t *tpl, const hd_val_t *under,
    const hd_val_t *data, hd_tpl_out_t *out)
{
    return hd_tpl_render_frames(tpl, under, data, out, 1);
}


/* the context stack starts with under (if any), then data */
static int
hd_tpl_render_frames(const hd_tpl_t *tpl, const hd_val_t *under,
    const hd_val_t *data, hd_tpl_out_t *out, int escape)
{
    int                 rc;
    hd_tpl_renderer_t  *rd, local;

    rd = &local;
    rd->out = out;
    rd->cache = hd_tpl_cache;
    rd->epoch = ++hd_tpl_epoch;
    rd->len = 0;
    rd->flushes = 0;
    rd->failed = 0;
    memset(rd->under, 0, sizeof(rd->under));
    memset(rd->stack, 0, sizeof(rd->stack));
    rd->depth = 0;
    rd->stamps = 0;

    if (under != NULL) {
        rd->stack[rd->depth] = under;
        rd->stamp[rd->depth] = ++rd->stamps;
        rd->depth++;
    }

    rd->stack[rd->depth] = data;
    rd->stamp[rd->depth] = ++rd->stamps;
    rd->under[rd->depth] = rd->depth ? rd->stamp[rd->depth - 1] : 0;
    rd->depth++;
    rd->partials = 0;
    rd->indent.len = 0;
    rd->indent.data = (hd_uchar *) rd->indent_buf;
    rd->line_start = 0;
    rd->escape = escape;

    rc = hd_tpl_render_ops(rd, tpl, 0, tpl->nops);

    if (rc == 0 && rd->len && out->write(out, rd->buf, rd->len) != 0) {
        rc = -1;
    }

    return rc || rd->failed ? -1 : 0;
}


/* output goes through the renderer's buffer, to out in large pieces */
static int
hd_tpl_flush(hd_tpl_renderer_t *rd, const hd_uchar *p, size_t n)
{
    rd->flushes++;

    if (rd->len && rd->out->write(rd->out, rd->buf, rd->len) != 0) {
        rd->failed = 1;
        return -1;
    }

    rd->len = 0;

    if (n > sizeof(rd->buf)) {
        return rd->out->write(rd->out, p, n);
    }

    memcpy(rd->buf, p, n);
    rd->len = n;

    return 0;
}


static inline int
hd_tpl_put(hd_tpl_renderer_t *rd, const hd_uchar *p, size_t n)
{
    if (rd->len + n > sizeof(rd->buf)) {
        return hd_tpl_flush(rd, p, n);
    }

    memcpy(rd->buf + rd->len, p, n);
    rd->len += n;

    return 0;
}


/* a byte of 8 that is zero: the top bit of each such byte set */
#define hd_tpl_zero_byte(x)                                                \
    (((x) - 0x0101010101010101ULL) & ~(x) & 0x8080808080808080ULL)
#define hd_tpl_bytes(c)  (0x0101010101010101ULL * (hd_uchar) (c))


/* where the first character to escape is, 8 bytes at a time */
static inline const hd_uchar *
hd_tpl_plain_end(const hd_uchar *p, const hd_uchar *end)
{
    uint64_t  x;

    while (end - p >= 8) {
        memcpy(&x, p, 8);

        if ((hd_tpl_zero_byte(x ^ hd_tpl_bytes('&'))
             | hd_tpl_zero_byte(x ^ hd_tpl_bytes('<'))
             | hd_tpl_zero_byte(x ^ hd_tpl_bytes('>'))
             | hd_tpl_zero_byte(x ^ hd_tpl_bytes('"'))
             | hd_tpl_zero_byte(x ^ hd_tpl_bytes('\'')))
            != 0)
        {
            break;
        }

        p += 8;
    }

    while (p < end && !hd_tpl_escaped[*p]) {
        p++;
    }

    return p;
}


static int
hd_tpl_put_escaped(hd_tpl_renderer_t *rd, const hd_uchar *p, size_t n)
{
    const char      *rep;
    const hd_uchar  *start = p, *end = p + n;

    for ( ;; ) {
        p = hd_tpl_plain_end(p, end);

        if (p > start && hd_tpl_put(rd, start, p - start) != 0) {
            return -1;
        }

        if (p == end) {
            return 0;
        }

        rep = hd_tpl_entity(*p);

        if (hd_tpl_put(rd, (const hd_uchar *) rep, strlen(rep)) != 0) {
            return -1;
        }

        start = ++p;
    }
}


/* a 64-bit hash of a row's key, 16 bytes a round in two lanes */
static uint64_t
hd_tpl_hash(const hd_uchar *p, size_t n)
{
    uint64_t  a = 0x9e3779b97f4a7c15ULL, b = 0xc2b2ae3d27d4eb4fULL ^ n;
    uint64_t  x, y;

    for ( ; n >= 16; p += 16, n -= 16) {
        memcpy(&x, p, 8);
        memcpy(&y, p + 8, 8);
        a = (a ^ x) * 0xff51afd7ed558ccdULL;
        b = (b ^ y) * 0xc4ceb9fe1a85ec53ULL;
        a ^= a >> 31;
        b ^= b >> 29;
    }

    for ( ; n; p++, n--) {
        a = (a ^ *p) * 0x100000001b3ULL;
    }

    a ^= b * 0x9e3779b97f4a7c15ULL;

    return a ^ (a >> 32);
}


/*
 * The ops of a section over rows that read a name the row does not have,
 * per thread for the section and the row's keys: found once, not per
 * render. -1 when the section cannot keep rows (a partial in it).
 */
#define HD_TPL_OUTERS      16
#define HD_TPL_OUTER_OPS   32
#define HD_TPL_ROW_KEYS    32

typedef struct {
    uint64_t     generation;
    uint32_t     k;
    uint32_t     nkeys;
    uint32_t     keys[HD_TPL_ROW_KEYS];     /* the row's keys' hashes */
    int          n;                         /* -1: rows are not kept */
    uint32_t     ops[HD_TPL_OUTER_OPS];
} hd_tpl_outer_t;

static __thread hd_tpl_outer_t   hd_tpl_outers[HD_TPL_OUTERS];
static __thread unsigned         hd_tpl_outers_next;


static const hd_tpl_outer_t *
hd_tpl_outer_ops(const hd_tpl_t *tpl, const hd_tpl_op_t *section, uint32_t k,
    const hd_val_t *row)
{
    size_t                i;
    uint32_t              j, nkeys, keys[HD_TPL_ROW_KEYS];
    hd_tpl_outer_t       *o;
    const hd_tpl_op_t    *op;
    const hd_val_item_t  *item;

    if (row->type != HD_VAL_MAP || row->u.items.n > HD_TPL_ROW_KEYS) {
        return NULL;
    }

    nkeys = 0;

    for (item = row->u.items.head; item; item = item->next) {
        keys[nkeys++] = item->hash;
    }

    for (i = 0; i < HD_TPL_OUTERS; i++) {
        o = &hd_tpl_outers[i];

        if (o->generation == tpl->generation && o->k == k
            && o->nkeys == nkeys
            && memcmp(o->keys, keys, nkeys * sizeof(uint32_t)) == 0)
        {
            return o;
        }
    }

    o = &hd_tpl_outers[hd_tpl_outers_next++ % HD_TPL_OUTERS];
    o->generation = tpl->generation;
    o->k = k;
    o->nkeys = nkeys;
    memcpy(o->keys, keys, nkeys * sizeof(uint32_t));
    o->n = 0;

    for (j = k + 1; j < section->end; j++) {
        op = &tpl->ops[j];

        if (op->type == HD_TPL_PARTIAL || o->n == HD_TPL_OUTER_OPS) {
            o->n = -1;
            break;
        }

        if (op->type == HD_TPL_TEXT || op->key.n == 0
            || hd_val_find_hashed(row, op->key.part[0].data,
                                  op->key.part[0].len, op->key.hash[0])
               != NULL)
        {
            continue;
        }

        o->ops[o->n++] = j;
    }

    return o;
}


/*
 * What a section over rows reads from outside its row, as bytes for the
 * rows' key: each such name's value, which must be a scalar. -1 when the
 * section cannot keep rows (a partial, a map or list from outside, no room)
 */
static ssize_t
hd_tpl_outer(hd_tpl_renderer_t *rd, const hd_tpl_t *tpl,
    const hd_tpl_op_t *section, uint32_t k, const hd_val_t *row,
    hd_uchar *buf, size_t size)
{
    int                    o;
    size_t                 d, i, len;
    uint32_t               j;
    hd_uchar              *p = buf, *end = buf + size;
    const hd_str_t        *s;
    const hd_val_t        *v;
    const hd_tpl_op_t     *op;
    const hd_tpl_outer_t  *outer;

    outer = hd_tpl_outer_ops(tpl, section, k, row);

    if (outer == NULL || outer->n < 0) {
        return -1;
    }

    for (o = 0; o < outer->n; o++) {
        j = outer->ops[o];
        op = &tpl->ops[j];

        /* from the frames under the row, as the row would find it */
        v = NULL;

        for (d = rd->depth; d > 0 && v == NULL; d--) {
            v = hd_val_get_hashed(rd->stack[d - 1], op->key.part[0].data,
                                  op->key.part[0].len, op->key.hash[0]);
        }

        for (i = 1; v != NULL && i < op->key.n; i++) {
            v = hd_val_get_hashed(v, op->key.part[i].data,
                                  op->key.part[i].len, op->key.hash[i]);
        }

        if (end - p < 16) {
            return -1;
        }

        memcpy(p, &j, 4);
        p += 4;

        if (v == NULL) {
            *p++ = 0;
            continue;
        }

        *p++ = (hd_uchar) v->type;

        switch (v->type) {

        case HD_VAL_NULL:
            break;

        case HD_VAL_BOOL:
            *p++ = (hd_uchar) (v->u.boolean != 0);
            break;

        case HD_VAL_INT:
        case HD_VAL_REAL:
            memcpy(p, &v->u, 8);
            p += 8;
            break;

        case HD_VAL_STR:
        case HD_VAL_TIME:
        case HD_VAL_DAY:
        case HD_VAL_WORD:
        case HD_VAL_SIZE:
            s = v->type == HD_VAL_STR ? &v->u.str : hd_val_typed_text(v);
            len = s ? s->len : 0;
            if ((size_t) (end - p) < len + sizeof(size_t)) {
                return -1;
            }

            memcpy(p, &len, sizeof(size_t));
            p += sizeof(size_t);
            if (len) {
                memcpy(p, s->data, len);
            }
            p += len;
            break;

        default:
            return -1;
        }
    }

    return p - buf;
}


/* a keyed generated list: each row written as kept, else made and kept */
static int
hd_tpl_render_rows(hd_tpl_renderer_t *rd, const hd_tpl_t *tpl,
    const hd_tpl_op_t *op, uint32_t k, const hd_val_t *v)
{
    size_t           i, n, prefix, klen, start, flushes;
    ssize_t          outer;
    uint64_t         hash;
    hd_uchar         key[HD_TPL_ROW_KEY], *bytes;
    hd_tpl_row_t    *kept;
    const hd_val_t  *row;

    if (hd_tpl_rows == NULL) {
        hd_tpl_rows = calloc(HD_TPL_ROWS, sizeof(hd_tpl_row_t));
    }

    prefix = sizeof(uint64_t) + sizeof(uint32_t) + 1;

    outer = hd_tpl_rows == NULL ? -1
            : hd_tpl_outer(rd, tpl, op, k, v->u.gen.row, key + prefix,
                           sizeof(key) - prefix);

    memcpy(key, &tpl->generation, sizeof(uint64_t));
    memcpy(key + sizeof(uint64_t), &k, sizeof(uint32_t));
    key[prefix - 1] = (hd_uchar) rd->escape;

    for (i = 0; i < v->u.gen.n; i++) {
        n = outer < 0 ? 0
            : v->u.gen.key(v->u.gen.data, i, key + prefix + outer,
                           sizeof(key) - prefix - outer);
        kept = NULL;

        if (n != 0) {
            klen = prefix + outer + n;
            hash = hd_tpl_hash(key, klen);
            kept = &hd_tpl_rows[hash % HD_TPL_ROWS];

            if (kept->bytes != NULL && kept->hash == hash
                && kept->klen == klen && memcmp(kept->bytes, key, klen) == 0)
            {
                if (hd_tpl_put(rd, kept->bytes + klen, kept->hlen) != 0) {
                    return -1;
                }

                continue;
            }

            /* room for the row in the buffer, to keep it from there */
            if (sizeof(rd->buf) - rd->len < HD_TPL_ROW_ROOM && rd->len) {
                if (rd->out->write(rd->out, rd->buf, rd->len) != 0) {
                    rd->failed = 1;
                    return -1;
                }

                rd->len = 0;
            }
        }

        start = rd->len;
        flushes = rd->flushes;

        row = v->u.gen.next(v->u.gen.data, i);

        if (row == NULL
            || hd_tpl_render_in(rd, tpl, row, k + 1, op->end) != 0)
        {
            return -1;
        }

        if (kept == NULL || rd->flushes != flushes) {
            continue;
        }

        bytes = malloc(klen + rd->len - start);
        if (bytes == NULL) {
            continue;
        }

        free(kept->bytes);
        memcpy(bytes, key, klen);
        memcpy(bytes + klen, rd->buf + start, rd->len - start);
        kept->bytes = bytes;
        kept->hash = hash;
        kept->klen = klen;
        kept->hlen = rd->len - start;
    }

    return 0;
}


static int
hd_tpl_render_section(hd_tpl_renderer_t *rd, const hd_tpl_t *tpl,
    const hd_tpl_op_t *op, uint32_t k)
{
    size_t                i;
    const hd_val_t       *v, *row;
    const hd_val_item_t  *item;

    v = hd_tpl_lookup(rd, &op->key);

    if (op->type == HD_TPL_INVERTED) {
        if (hd_val_truthy(v)) {
            return 0;
        }

        return hd_tpl_render_ops(rd, tpl, k + 1, op->end);
    }

    if (!hd_val_truthy(v)) {
        return 0;
    }

    if (v->type == HD_VAL_GEN && v->u.gen.key != NULL
        && v->u.gen.row != NULL && rd->indent.len == 0)
    {
        return hd_tpl_render_rows(rd, tpl, op, k, v);
    }

    if (v->type == HD_VAL_GEN) {
        for (i = 0; i < v->u.gen.n; i++) {
            row = v->u.gen.next(v->u.gen.data, i);

            if (row == NULL
                || hd_tpl_render_in(rd, tpl, row, k + 1, op->end) != 0)
            {
                return -1;
            }
        }

        return 0;
    }

    if (v->type != HD_VAL_LIST) {
        return hd_tpl_render_in(rd, tpl, v, k + 1, op->end);
    }

    for (item = v->u.items.head; item; item = item->next) {
        if (hd_tpl_render_in(rd, tpl, item->val, k + 1, op->end) != 0) {
            return -1;
        }
    }

    return 0;
}


/* renders ops [from, to) with v on top of the context stack */
static int
hd_tpl_render_in(hd_tpl_renderer_t *rd, const hd_tpl_t *tpl,
    const hd_val_t *v, uint32_t from, uint32_t to)
{
    if (rd->depth == HD_TPL_MAX_DEPTH) {
        return -1;
    }

    /*
     * The same value again on the same frames (a generated list's next
     * row): the same frame, as far as lookups go
     */
    if (rd->stack[rd->depth] != v
        || rd->under[rd->depth] != rd->stamp[rd->depth - 1])
    {
        rd->stamp[rd->depth] = ++rd->stamps;
        rd->under[rd->depth] = rd->stamp[rd->depth - 1];
    }

    rd->stack[rd->depth++] = v;

    if (hd_tpl_render_ops(rd, tpl, from, to) != 0) {
        return -1;
    }

    rd->depth--;

    return 0;
}


static int
hd_tpl_render_partial(hd_tpl_renderer_t *rd, const hd_tpl_op_t *op)
{
    int       rc;
    size_t    saved;

    if (op->partial == NULL) {
        return 0;
    }

    if (rd->partials == HD_TPL_MAX_DEPTH
        || rd->indent.len + op->text.len > sizeof(rd->indent_buf))
    {
        return -1;
    }

    saved = rd->indent.len;

    if (op->text.len) {
        memcpy(rd->indent_buf + rd->indent.len, op->text.data, op->text.len);
        rd->indent.len += op->text.len;
        rd->line_start = 1;
    }

    rd->partials++;
    rc = hd_tpl_render_ops(rd, op->partial, 0, op->partial->nops);
    rd->partials--;

    rd->indent.len = saved;

    return rc;
}


static int
hd_tpl_render_ops(hd_tpl_renderer_t *rd, const hd_tpl_t *tpl, uint32_t from,
    uint32_t to)
{
    uint32_t            k;
    const hd_tpl_op_t  *op;

    for (k = from; k < to; k++) {
        op = &tpl->ops[k];

        switch (op->type) {

        case HD_TPL_TEXT:
            if ((rd->indent.len == 0
                 ? hd_tpl_put(rd, op->text.data, op->text.len)
                 : hd_tpl_emit(rd, op->text.data, op->text.len,
                               HD_TPL_EMIT_TEXT))
                != 0)
            {
                return -1;
            }
            break;

        case HD_TPL_VAR:
        case HD_TPL_RAW:
            if (hd_tpl_emit_value(rd, hd_tpl_lookup(rd, &op->key),
                                  op->type == HD_TPL_VAR && rd->escape)
                != 0)
            {
                return -1;
            }
            break;

        case HD_TPL_SECTION:
        case HD_TPL_INVERTED:
            if (hd_tpl_render_section(rd, tpl, op, k) != 0) {
                return -1;
            }

            k = op->end - 1;
            break;

        case HD_TPL_PARTIAL:
            if (hd_tpl_render_partial(rd, op) != 0) {
                return -1;
            }
            break;
        }
    }

    return 0;
}


static const hd_val_t *
hd_tpl_lookup(hd_tpl_renderer_t *rd, const hd_tpl_key_t *key)
{
    size_t                i, d;
    uint64_t              below;
    const hd_val_t       *v, *top, *root;
    hd_tpl_cached_t      *c;
    const hd_val_item_t  *item;

    if (key->n == 0) {
        return rd->stack[rd->depth - 1];
    }

    top = rd->stack[rd->depth - 1];
    below = rd->depth > 1 ? rd->stamp[rd->depth - 2] : 0;

    /* keys live in their ops: consecutive ops take consecutive entries */
    c = &rd->cache[((uintptr_t) key / sizeof(hd_tpl_op_t)) % HD_TPL_CACHE];

    if (c->epoch != rd->epoch || c->key != key) {
        c->epoch = rd->epoch;
        c->key = key;
        c->top = NULL;
        c->root = NULL;
    }

    /* the first part is looked up through the context stack, the rest only
     * inside what the first part found */

    if (c->top == top && c->below == below && c->depth == rd->depth) {
        item = c->item;

    } else {
        item = NULL;

        for (d = rd->depth; d > 0; d--) {
            item = hd_val_find_hashed(rd->stack[d - 1], key->part[0].data,
                                      key->part[0].len, key->hash[0]);
            if (item != NULL) {
                break;
            }
        }

        c->top = top;
        c->below = below;
        c->depth = rd->depth;
        c->item = item;
    }

    v = item ? item->val : NULL;

    if (v == NULL || key->n == 1) {
        return v;
    }

    if (c->root == v) {
        return c->result;
    }

    root = v;

    for (i = 1; v != NULL && i < key->n; i++) {
        v = hd_val_get_hashed(v, key->part[i].data, key->part[i].len,
                              key->hash[i]);
    }

    if (root->type == HD_VAL_MAP && root->u.items.index != NULL) {
        c->root = root;
        c->result = v;
    }

    return v;
}


static int
hd_tpl_write_indented(hd_tpl_renderer_t *rd, const hd_uchar *p, size_t n,
    hd_tpl_emit_e kind)
{
    size_t           len;
    const hd_uchar  *nl;

    while (n) {
        if (rd->line_start) {
            if (hd_tpl_put(rd, rd->indent.data, rd->indent.len)
                != 0)
            {
                return -1;
            }

            rd->line_start = 0;
        }

        nl = kind == HD_TPL_EMIT_TEXT ? memchr(p, '\n', n) : NULL;
        len = nl ? (size_t) (nl - p) + 1 : n;

        if ((kind == HD_TPL_EMIT_ESCAPED ? hd_tpl_put_escaped(rd, p, len)
                                         : hd_tpl_put(rd, p, len))
            != 0)
        {
            return -1;
        }

        if (nl) {
            rd->line_start = 1;
        }

        p += len;
        n -= len;
    }

    return 0;
}


static int
hd_tpl_emit(hd_tpl_renderer_t *rd, const hd_uchar *p, size_t n,
    hd_tpl_emit_e kind)
{
    if (n == 0) {
        return 0;
    }

    if (rd->indent.len) {
        return hd_tpl_write_indented(rd, p, n, kind);
    }

    if (kind == HD_TPL_EMIT_ESCAPED) {
        return hd_tpl_put_escaped(rd, p, n);
    }

    return hd_tpl_put(rd, p, n);
}


static int
hd_tpl_emit_value(hd_tpl_renderer_t *rd, const hd_val_t *v, int escape)
{
    int              n;
    const hd_str_t  *text;
    char    num[40];
    double  back;

    if (v == NULL) {
        return 0;
    }

    switch (v->type) {

    case HD_VAL_STR:
        if (rd->indent.len == 0) {
            return escape ? hd_tpl_put_escaped(rd, v->u.str.data,
                                               v->u.str.len)
                          : hd_tpl_put(rd, v->u.str.data, v->u.str.len);
        }

        return hd_tpl_emit(rd, v->u.str.data, v->u.str.len,
                           escape ? HD_TPL_EMIT_ESCAPED : HD_TPL_EMIT_RAW);

    case HD_VAL_INT:
        n = (int) hd_int_text(num, v->u.integer);
        return hd_tpl_emit(rd, (hd_uchar *) num, n, HD_TPL_EMIT_RAW);

    case HD_VAL_REAL:
        /* the shortest text that reads back as the same number */
        n = snprintf(num, sizeof(num), "%.15g", v->u.real);
        back = strtod(num, NULL);
        if (back != v->u.real) {
            n = snprintf(num, sizeof(num), "%.17g", v->u.real);
        }
        return hd_tpl_emit(rd, (hd_uchar *) num, n, HD_TPL_EMIT_RAW);

    case HD_VAL_BOOL:
        return v->u.boolean ? hd_tpl_emit(rd, (hd_uchar *) "true", 4,
                                                HD_TPL_EMIT_RAW) : 0;

    case HD_VAL_TIME:
    case HD_VAL_DAY:
    case HD_VAL_WORD:
    case HD_VAL_SIZE:
        /* as the reader reads it: hd_view_localize made the text */
        text = hd_val_typed_text(v);
        return text == NULL ? 0
               : hd_tpl_emit(rd, text->data, text->len,
                             escape ? HD_TPL_EMIT_ESCAPED : HD_TPL_EMIT_RAW);

    default:
        return 0;
    }
}


int
hd_tpl_escape(hd_tpl_out_t *out, const hd_uchar *p, size_t n)
{
    size_t           run;
    const char      *rep;
    const hd_uchar  *start = p, *end = p + n;

    for ( ;; ) {
        /* the long runs of plain text go by 8 bytes, then out in one */
        p = hd_tpl_plain_end(p, end);

        if (p == end) {
            break;
        }

        rep = hd_tpl_entity(*p);

        run = p - start;

        if (run && out->write(out, start, run) != 0) {
            return -1;
        }

        if (out->write(out, (const hd_uchar *) rep, strlen(rep)) != 0) {
            return -1;
        }

        start = ++p;
    }

    if (p > start) {
        return out->write(out, start, p - start);
    }

    return 0;
}

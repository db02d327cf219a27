/*
 * Template values: construction, lookup and truth.
 */

#include <stdlib.h>

#include "hd_value.h"


hd_val_t  hd_val_null_value = { HD_VAL_NULL, { 0 } };
hd_val_t  hd_val_true_value = { HD_VAL_BOOL, { 1 } };
hd_val_t  hd_val_false_value = { HD_VAL_BOOL, { 0 } };


static hd_val_t *
hd_val_new(hd_pool_t *pool, hd_val_type_e type)
{
    hd_val_t  *v;

    v = hd_pcalloc(pool, sizeof(hd_val_t));
    if (v != NULL) {
        v->type = type;
    }

    return v;
}


hd_val_t *
hd_val_map(hd_pool_t *pool)
{
    return hd_val_new(pool, HD_VAL_MAP);
}


hd_val_t *
hd_val_list(hd_pool_t *pool)
{
    return hd_val_new(pool, HD_VAL_LIST);
}


hd_val_t *
hd_val_str(hd_pool_t *pool, const void *data, size_t len)
{
    hd_val_t  *v;

    v = hd_val_new(pool, HD_VAL_STR);
    if (v != NULL) {
        v->u.str.data = (hd_uchar *) data;
        v->u.str.len = len;
    }

    return v;
}


hd_val_t *
hd_val_gen(hd_pool_t *pool, hd_val_gen_pt next, void *data, size_t n)
{
    hd_val_t  *v;

    v = hd_val_new(pool, HD_VAL_GEN);
    if (v != NULL) {
        v->u.gen.next = next;
        v->u.gen.data = data;
        v->u.gen.n = n;
    }

    return v;
}


hd_val_t *
hd_val_gen_keyed(hd_pool_t *pool, hd_val_gen_pt next, hd_val_gen_key_pt key,
    hd_val_t *row, void *data, size_t n)
{
    hd_val_t  *v;

    v = hd_val_gen(pool, next, data, n);
    if (v != NULL) {
        v->u.gen.key = key;
        v->u.gen.row = row;
    }

    return v;
}


/* a typed value: its text is made later, for a page */
static hd_val_t *
hd_val_typed(hd_pool_t *pool, hd_val_type_e type, int64_t n,
    const char *group, const char *code)
{
    hd_val_t  *v;

    v = hd_val_new(pool, type);
    if (v != NULL) {
        v->u.typed.n = n;
        v->u.typed.group = group;
        v->u.typed.code = code;
    }

    return v;
}


hd_val_t *
hd_val_time(hd_pool_t *pool, uint64_t t)
{
    return hd_val_typed(pool, HD_VAL_TIME, (int64_t) t, NULL, NULL);
}


hd_val_t *
hd_val_day(hd_pool_t *pool, int32_t day)
{
    return hd_val_typed(pool, HD_VAL_DAY, day, NULL, NULL);
}


hd_val_t *
hd_val_size(hd_pool_t *pool, uint64_t bytes)
{
    return hd_val_typed(pool, HD_VAL_SIZE, (int64_t) bytes, NULL, NULL);
}


hd_val_t *
hd_val_word(hd_pool_t *pool, const char *group, const char *code)
{
    return hd_val_typed(pool, HD_VAL_WORD, 0, group, code);
}


const hd_str_t *
hd_val_typed_text(const hd_val_t *v)
{
    if (v->type < HD_VAL_TIME || v->u.typed.text.data == NULL) {
        return NULL;
    }

    return &v->u.typed.text;
}


hd_val_t *
hd_val_cstr(hd_pool_t *pool, const char *s)
{
    return hd_val_str(pool, s, strlen(s));
}


hd_val_t *
hd_val_int(hd_pool_t *pool, int64_t i)
{
    hd_val_t  *v;

    v = hd_val_new(pool, HD_VAL_INT);
    if (v != NULL) {
        v->u.integer = i;
    }

    return v;
}


hd_val_t *
hd_val_real(hd_pool_t *pool, double r)
{
    hd_val_t  *v;

    v = hd_val_new(pool, HD_VAL_REAL);
    if (v != NULL) {
        v->u.real = r;
    }

    return v;
}


static void
hd_val_link(hd_val_t *c, hd_val_item_t *item, const void *key,
    size_t key_len, hd_val_t *val)
{
    item->next = NULL;
    item->key.data = (hd_uchar *) key;
    item->key.len = key_len;
    item->hash = key ? hd_val_hash(key, key_len) : 0;
    item->val = val;
    item->page = 0;

    if (c->u.items.tail) {
        c->u.items.tail->next = item;

    } else {
        c->u.items.head = item;
    }

    c->u.items.tail = item;
    c->u.items.n++;
    c->u.items.index = NULL;
    c->u.items.keys |= (uint64_t) 1 << (item->hash & 63);
}


static int
hd_val_append(hd_pool_t *pool, hd_val_t *c, const void *key, size_t key_len,
    hd_val_t *val)
{
    hd_val_item_t  *item;

    if (c == NULL || val == NULL) {
        return -1;
    }

    item = hd_palloc(pool, sizeof(hd_val_item_t));
    if (item == NULL) {
        return -1;
    }

    hd_val_link(c, item, key, key_len, val);

    return 0;
}


/* a scalar under a key: the item and its value in one allocation */
typedef struct {
    hd_val_item_t  item;
    hd_val_t       val;
} hd_val_pair_t;


static hd_val_t *
hd_val_set_new(hd_pool_t *pool, hd_val_t *map, const char *key,
    hd_val_type_e type)
{
    hd_val_pair_t  *pair;

    if (map == NULL) {
        return NULL;
    }

    pair = hd_palloc(pool, sizeof(hd_val_pair_t));
    if (pair == NULL) {
        return NULL;
    }

    pair->val.type = type;
    hd_val_link(map, &pair->item, key, strlen(key), &pair->val);

    return &pair->val;
}


int
hd_val_set(hd_pool_t *pool, hd_val_t *map, const char *key, hd_val_t *val)
{
    return hd_val_append(pool, map, key, strlen(key), val);
}


int
hd_val_set_n(hd_pool_t *pool, hd_val_t *map, const void *key, size_t key_len,
    hd_val_t *val)
{
    return hd_val_append(pool, map, key, key_len, val);
}


int
hd_val_replace(hd_val_t *map, const char *key, hd_val_t *val)
{
    size_t          len = strlen(key);
    hd_val_item_t  *item;

    if (map == NULL || map->type != HD_VAL_MAP || val == NULL) {
        return -1;
    }

    for (item = map->u.items.head; item != NULL; item = item->next) {
        if (item->key.len == len && memcmp(item->key.data, key, len) == 0) {
            item->val = val;
            return 0;
        }
    }

    return -1;
}


hd_val_t *
hd_val_slot(hd_pool_t *pool, hd_val_t *map, const char *key)
{
    return hd_val_set_new(pool, map, key, HD_VAL_NULL);
}


/* a typed value under a key, in one allocation: its text made later */
static int
hd_val_set_typed(hd_pool_t *pool, hd_val_t *map, const char *key,
    hd_val_type_e type, int64_t n, const char *group, const char *code)
{
    hd_val_t  *v;

    v = hd_val_set_new(pool, map, key, type);
    if (v == NULL) {
        return -1;
    }

    v->u.typed.n = n;
    v->u.typed.group = group;
    v->u.typed.code = code;
    v->u.typed.text.data = NULL;
    v->u.typed.text.len = 0;

    return 0;
}


int
hd_val_set_time(hd_pool_t *pool, hd_val_t *map, const char *key, uint64_t t)
{
    return hd_val_set_typed(pool, map, key, HD_VAL_TIME, (int64_t) t, NULL,
                            NULL);
}


int
hd_val_set_day(hd_pool_t *pool, hd_val_t *map, const char *key, int32_t day)
{
    return hd_val_set_typed(pool, map, key, HD_VAL_DAY, day, NULL, NULL);
}


int
hd_val_set_word(hd_pool_t *pool, hd_val_t *map, const char *key,
    const char *group, const char *code)
{
    return hd_val_set_typed(pool, map, key, HD_VAL_WORD, 0, group, code);
}


int
hd_val_set_page(hd_pool_t *pool, hd_val_t *map, const char *key,
    hd_val_t *val)
{
    if (hd_val_append(pool, map, key, strlen(key), val) != 0) {
        return -1;
    }

    map->u.items.tail->page = 1;

    return 0;
}


int
hd_val_set_str(hd_pool_t *pool, hd_val_t *map, const char *key,
    const void *data, size_t len)
{
    hd_val_t  *v;

    v = hd_val_set_new(pool, map, key, HD_VAL_STR);
    if (v == NULL) {
        return -1;
    }

    v->u.str.data = (hd_uchar *) data;
    v->u.str.len = len;

    return 0;
}


int
hd_val_set_cstr(hd_pool_t *pool, hd_val_t *map, const char *key,
    const char *s)
{
    return hd_val_set_str(pool, map, key, s, strlen(s));
}


int
hd_val_set_int(hd_pool_t *pool, hd_val_t *map, const char *key, int64_t i)
{
    hd_val_t  *v;

    v = hd_val_set_new(pool, map, key, HD_VAL_INT);
    if (v == NULL) {
        return -1;
    }

    v->u.integer = i;

    return 0;
}


int
hd_val_set_bool(hd_pool_t *pool, hd_val_t *map, const char *key, int b)
{
    return hd_val_set(pool, map, key, hd_val_bool(b));
}


int
hd_val_push(hd_pool_t *pool, hd_val_t *list, hd_val_t *val)
{
    return hd_val_append(pool, list, NULL, 0, val);
}


/* keys are short: compared here rather than through a call */
static inline int
hd_val_key_equal(const hd_uchar *a, const hd_uchar *b, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (a[i] != b[i]) {
            return 0;
        }
    }

    return 1;
}


static int
hd_val_key_cmp(const hd_uchar *a, size_t alen, const hd_uchar *b, size_t blen)
{
    int  rc;

    rc = memcmp(a, b, alen < blen ? alen : blen);
    if (rc != 0) {
        return rc;
    }

    return (alen > blen) - (alen < blen);
}


uint32_t
hd_val_hash(const void *key, size_t len)
{
    size_t           i;
    uint32_t         h = 2166136261u;
    const hd_uchar  *p = key;

    for (i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
    }

    return h;
}


/* the index's order: by hash, then by key (equal hashes are rare) */
static int
hd_val_item_cmp(const void *one, const void *two)
{
    const hd_val_item_t  *a = *(hd_val_item_t * const *) one;
    const hd_val_item_t  *b = *(hd_val_item_t * const *) two;

    if (a->hash != b->hash) {
        return a->hash < b->hash ? -1 : 1;
    }

    return hd_val_key_cmp(a->key.data, a->key.len, b->key.data, b->key.len);
}


int
hd_val_index(hd_pool_t *pool, hd_val_t *map)
{
    size_t           i;
    hd_val_item_t   *item, **index;

    if (map->type != HD_VAL_MAP || map->u.items.n == 0) {
        return 0;
    }

    index = hd_palloc(pool, map->u.items.n * sizeof(hd_val_item_t *));
    if (index == NULL) {
        return -1;
    }

    for (i = 0, item = map->u.items.head; item; item = item->next) {
        index[i++] = item;
    }

    /* mergesort would keep the first of equal keys; qsort is fine here as
     * indexed maps come from JSON objects, whose keys are unique */
    qsort(index, map->u.items.n, sizeof(hd_val_item_t *), hd_val_item_cmp);

    map->u.items.index = index;

    return 0;
}


hd_val_t *
hd_val_get(const hd_val_t *map, const void *key, size_t key_len)
{
    return hd_val_get_hashed(map, key, key_len, hd_val_hash(key, key_len));
}


hd_val_t *
hd_val_get_hashed(const hd_val_t *map, const void *key, size_t key_len,
    uint32_t hash)
{
    const hd_val_item_t  *item;

    item = hd_val_find_hashed(map, key, key_len, hash);

    return item ? item->val : NULL;
}


const hd_val_item_t *
hd_val_find_hashed(const hd_val_t *map, const void *key, size_t key_len,
    uint32_t hash)
{
    int              rc;
    size_t           lo, hi, mid;
    hd_val_item_t   *item;

    if (map == NULL || map->type != HD_VAL_MAP
        || !(map->u.items.keys & ((uint64_t) 1 << (hash & 63))))
    {
        return NULL;
    }

    if (map->u.items.index) {
        lo = 0;
        hi = map->u.items.n;

        while (lo < hi) {
            mid = lo + (hi - lo) / 2;
            item = map->u.items.index[mid];

            if (item->hash != hash) {
                rc = item->hash < hash ? -1 : 1;

            } else {
                rc = hd_val_key_cmp(item->key.data, item->key.len, key,
                                    key_len);
            }

            if (rc == 0) {
                return item;
            }

            if (rc < 0) {
                lo = mid + 1;

            } else {
                hi = mid;
            }
        }

        return NULL;
    }

    for (item = map->u.items.head; item; item = item->next) {
        if (item->hash == hash && item->key.len == key_len
            && hd_val_key_equal(item->key.data, key, key_len))
        {
            return item;
        }
    }

    return NULL;
}


hd_val_t *
hd_val_get_path(const hd_val_t *map, const char *path)
{
    const char  *dot;
    hd_val_t    *v = (hd_val_t *) map;

    while (v != NULL) {
        dot = strchr(path, '.');

        if (dot == NULL) {
            return hd_val_get(v, path, strlen(path));
        }

        v = hd_val_get(v, path, dot - path);
        path = dot + 1;
    }

    return NULL;
}


int
hd_val_truthy(const hd_val_t *v)
{
    if (v == NULL) {
        return 0;
    }

    switch (v->type) {

    case HD_VAL_NULL:
        return 0;

    case HD_VAL_BOOL:
        return v->u.boolean;

    case HD_VAL_LIST:
        return v->u.items.n != 0;

    case HD_VAL_GEN:
        return v->u.gen.n != 0;

    case HD_VAL_TIME:
        return v->u.typed.n != 0;

    case HD_VAL_WORD:
        return v->u.typed.code != NULL;

    default:
        return 1;
    }
}

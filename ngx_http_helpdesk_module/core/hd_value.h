/*
 * Values for templates and views: a small tree of maps, lists, strings,
 * numbers and booleans built by views (or read from JSON) and rendered by
 * hd_tpl or written as JSON. Some values are typed (a time, a day, a word
 * of a catalogue): the type is known where the value is made, the form is
 * decided where it is written (ISO and codes in JSON, the reader's words in
 * a page). Nodes come from a pool; strings are referenced, not copied,
 * unless a function says otherwise.
 */

#ifndef HD_VALUE_H
#define HD_VALUE_H


#include "hd_core.h"
#include "hd_pool.h"


typedef enum {
    HD_VAL_NULL = 0,
    HD_VAL_BOOL,
    HD_VAL_INT,
    HD_VAL_REAL,
    HD_VAL_STR,
    HD_VAL_LIST,
    HD_VAL_MAP,
    HD_VAL_GEN,         /* a list made item by item as it is rendered */
    HD_VAL_TIME,        /* an instant: seconds since the epoch, 0 none */
    HD_VAL_DAY,         /* a calendar day: days since 1970-01-01 */
    HD_VAL_WORD,        /* a code of a catalogue: "status" "solved" */
    HD_VAL_SIZE         /* a size in bytes */
} hd_val_type_e;


typedef struct hd_val_s       hd_val_t;
typedef struct hd_val_item_s  hd_val_item_t;

/*
 * The i-th item of a generated list. It may return the same map each time,
 * its values changed: then it must keep the same keys (a renderer remembers
 * where it found a key in a map)
 */
typedef hd_val_t *(*hd_val_gen_pt)(void *data, size_t i);

/*
 * The bytes that identify the i-th row of a generated list: everything its
 * values are made from (so two rows with the same bytes render the same),
 * their length, or 0 when there is no room or the row is not to be kept.
 * A renderer may then keep a row's output and write it again for the same
 * bytes without making the row.
 */
typedef size_t (*hd_val_gen_key_pt)(void *data, size_t i, hd_uchar *buf,
    size_t size);

struct hd_val_item_s {
    hd_val_item_t  *next;
    hd_str_t        key;        /* maps only */
    uint32_t        hash;       /* of the key: compared before the bytes */
    hd_val_t       *val;
    unsigned        page:1;     /* for pages only: JSON leaves it out */
};

struct hd_val_s {
    hd_val_type_e   type;

    union {
        int         boolean;
        int64_t     integer;
        double      real;
        hd_str_t    str;

        struct {
            hd_val_item_t   *head;
            hd_val_item_t   *tail;
            size_t           n;
            hd_val_item_t  **index;     /* sorted by key, see hd_val_index */
            uint64_t         keys;      /* a bit per key's hash: a lookup
                                           that misses it skips the map */
        } items;

        struct {
            hd_val_gen_pt    next;
            void            *data;
            size_t           n;
            hd_val_gen_key_pt  key;     /* NULL: rows are never kept */
            hd_val_t        *row;       /* the map next fills: its keys */
        } gen;

        struct {
            int64_t          n;         /* a time's seconds, a day's days */
            const char      *code;      /* a word's code, NULL: none */
            const char      *group;     /* a word's catalogue prefix */
            hd_str_t         text;      /* as the reader reads it: made
                                           by hd_view_localize */
        } typed;
    } u;
};


extern hd_val_t  hd_val_null_value;
extern hd_val_t  hd_val_true_value;
extern hd_val_t  hd_val_false_value;

#define hd_val_null()    (&hd_val_null_value)
#define hd_val_bool(b)   ((b) ? &hd_val_true_value : &hd_val_false_value)


hd_val_t *hd_val_map(hd_pool_t *pool);
hd_val_t *hd_val_list(hd_pool_t *pool);
hd_val_t *hd_val_str(hd_pool_t *pool, const void *data, size_t len);
hd_val_t *hd_val_cstr(hd_pool_t *pool, const char *s);
hd_val_t *hd_val_int(hd_pool_t *pool, int64_t i);
hd_val_t *hd_val_real(hd_pool_t *pool, double r);
hd_val_t *hd_val_gen(hd_pool_t *pool, hd_val_gen_pt next, void *data,
    size_t n);
hd_val_t *hd_val_time(hd_pool_t *pool, uint64_t t);
hd_val_t *hd_val_day(hd_pool_t *pool, int32_t day);
hd_val_t *hd_val_size(hd_pool_t *pool, uint64_t bytes);
/* group: the catalogue's prefix of its words ("tickets.status_"); code
   NULL is no word (JSON null, nothing on a page) */
hd_val_t *hd_val_word(hd_pool_t *pool, const char *group, const char *code);
/* a typed value's text for a page (made by hd_view_localize), else NULL */
const hd_str_t *hd_val_typed_text(const hd_val_t *v);
/* rows whose output may be kept by their key; row: the map next returns */
hd_val_t *hd_val_gen_keyed(hd_pool_t *pool, hd_val_gen_pt next,
    hd_val_gen_key_pt key, hd_val_t *row, void *data, size_t n);

int hd_val_set(hd_pool_t *pool, hd_val_t *map, const char *key,
    hd_val_t *val);
int hd_val_set_n(hd_pool_t *pool, hd_val_t *map, const void *key,
    size_t key_len, hd_val_t *val);
int hd_val_set_str(hd_pool_t *pool, hd_val_t *map, const char *key,
    const void *data, size_t len);
int hd_val_set_cstr(hd_pool_t *pool, hd_val_t *map, const char *key,
    const char *s);
int hd_val_set_int(hd_pool_t *pool, hd_val_t *map, const char *key,
    int64_t i);
int hd_val_set_bool(hd_pool_t *pool, hd_val_t *map, const char *key,
    int b);
int hd_val_set_time(hd_pool_t *pool, hd_val_t *map, const char *key,
    uint64_t t);
int hd_val_set_day(hd_pool_t *pool, hd_val_t *map, const char *key,
    int32_t day);
int hd_val_set_word(hd_pool_t *pool, hd_val_t *map, const char *key,
    const char *group, const char *code);
/* a value for pages only: the view's JSON leaves it out */
int hd_val_set_page(hd_pool_t *pool, hd_val_t *map, const char *key,
    hd_val_t *val);
int hd_val_push(hd_pool_t *pool, hd_val_t *list, hd_val_t *val);
/* the value of a key there is (the first), made another: -1 if none */
int hd_val_replace(hd_val_t *map, const char *key, hd_val_t *val);
/* a key whose value the caller fills (and refills: a generated list's
 * reused map) */
hd_val_t *hd_val_slot(hd_pool_t *pool, hd_val_t *map, const char *key);

/* sorts a map's keys once so that lookups are binary searches */
int hd_val_index(hd_pool_t *pool, hd_val_t *map);

/* FNV-1a of a key: templates hash their names once, when compiled */
uint32_t hd_val_hash(const void *key, size_t len);

hd_val_t *hd_val_get(const hd_val_t *map, const void *key, size_t key_len);
hd_val_t *hd_val_get_hashed(const hd_val_t *map, const void *key,
    size_t key_len, uint32_t hash);
const hd_val_item_t *hd_val_find_hashed(const hd_val_t *map,
    const void *key, size_t key_len, uint32_t hash);
hd_val_t *hd_val_get_path(const hd_val_t *map, const char *path);
int hd_val_truthy(const hd_val_t *v);


#endif /* HD_VALUE_H */

/*
 * Storage: the LMDB environment, transactions, and the key-value operations
 * every record kind is built on. Opened by each nginx worker after fork and
 * by the CLI; never shared across a fork.
 */

#ifndef HD_STORE_H
#define HD_STORE_H


#include <lmdb.h>

#include "hd_core.h"
#include "hd_buf.h"
#include "hd_record.h"
#include "hd_schema.h"


struct hd_txn_s {
    MDB_txn       *txn;
    hd_store_t    *store;
    unsigned       flags;
};

typedef struct {
    MDB_cursor    *cursor;
    hd_store_t    *idle;        /* of the cached txn: kept for the next */
    hd_db_e        db;
} hd_cursor_t;


#define HD_TXN_READ       0x01
#define HD_TXN_WRITE      0x02
#define HD_TXN_CACHED     0x04    /* the store's one renewed read txn:
                                     for the thread that opened the store */

#define HD_PUT_NEW        0x01    /* conflict if the key exists */
#define HD_PUT_APPEND     0x02    /* after every key there is (MDB_APPEND):
                                     a sorted run written without a search */

#define HD_STORE_MIN_MAP      (64 * 1024)
#define HD_STORE_DEFAULT_MAP  ((size_t) 1 << 30)


typedef struct {
    size_t         map_size;
    size_t         used;            /* bytes of the map in use */
    size_t         page_size;
    unsigned       readers;         /* reader slots in use */
    unsigned       max_readers;
} hd_store_info_t;


/* map_size 0: the size recorded in an existing environment, or the default */
hd_rc hd_store_open(hd_store_t **store, const char *path, size_t map_size,
    hd_err_t *err);
void hd_store_close(hd_store_t *store);
const char *hd_store_path(const hd_store_t *store);
/* how many stale reader slots the opening cleared */
int hd_store_stale_cleared(const hd_store_t *store);

/* clears reader slots left by dead processes; returns how many */
int hd_store_reader_check(hd_store_t *store);
hd_rc hd_store_info(hd_store_t *store, hd_store_info_t *info);

/* a consistent copy of the database into dir (which must hold none) */
hd_rc hd_store_backup(hd_store_t *store, const char *dir, hd_err_t *err);

hd_rc hd_txn_begin(hd_store_t *store, hd_txn_t *txn, unsigned flags,
    hd_err_t *err);
hd_rc hd_txn_commit(hd_txn_t *txn, hd_err_t *err);
void hd_txn_abort(hd_txn_t *txn);

hd_rc hd_db_get(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    hd_str_t *val);
hd_rc hd_db_put(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    const void *val, size_t vlen, unsigned flags, hd_err_t *err);
hd_rc hd_db_del(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    hd_err_t *err);
hd_rc hd_db_count(hd_txn_t *txn, hd_db_e db, size_t *count);

hd_rc hd_cursor_open(hd_txn_t *txn, hd_db_e db, hd_cursor_t *cur);
void hd_cursor_close(hd_cursor_t *cur);
/* the first key >= key (all keys when key is NULL) */
hd_rc hd_cursor_seek(hd_cursor_t *cur, const void *key, size_t klen,
    hd_str_t *k, hd_str_t *v);
hd_rc hd_cursor_next(hd_cursor_t *cur, hd_str_t *k, hd_str_t *v);
hd_rc hd_cursor_prev(hd_cursor_t *cur, hd_str_t *k, hd_str_t *v);
hd_rc hd_cursor_last(hd_cursor_t *cur, hd_str_t *k, hd_str_t *v);
hd_rc hd_cursor_del(hd_cursor_t *cur, hd_err_t *err);
/* the cursor's key with every value it has (a dupsort database's) */
hd_rc hd_cursor_del_key(hd_cursor_t *cur, hd_err_t *err);

/*
 * Sorted duplicates (databases opened MDB_DUPSORT): an index key with many
 * values, kept in order and counted in constant time
 */
hd_rc hd_dup_put(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    const void *val, size_t vlen, hd_err_t *err);
/* HD_NOT_FOUND when that value is not under the key */
hd_rc hd_dup_del(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    const void *val, size_t vlen, hd_err_t *err);
/* HD_OK when the key has that value */
hd_rc hd_dup_has(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    const void *val, size_t vlen);
/* how many values the key has (0 when it has none) */
hd_rc hd_dup_count(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    size_t *n);
/* the key's first or last value, then the next or previous of the same key */
hd_rc hd_cursor_dup_first(hd_cursor_t *cur, const void *key, size_t klen,
    hd_str_t *v);
hd_rc hd_cursor_dup_last(hd_cursor_t *cur, const void *key, size_t klen,
    hd_str_t *v);
/* the key's first value >= val */
hd_rc hd_cursor_dup_range(hd_cursor_t *cur, const void *key, size_t klen,
    const void *val, size_t vlen, hd_str_t *v);
hd_rc hd_cursor_dup_next(hd_cursor_t *cur, hd_str_t *v);
hd_rc hd_cursor_dup_prev(hd_cursor_t *cur, hd_str_t *v);
/* a key's fixed-size values (MDB_DUPFIXED) a page at a time, in order:
   first, the page it starts with; then each next one, until HD_NOT_FOUND */
hd_rc hd_cursor_dup_pages(hd_cursor_t *cur, const void *key, size_t klen,
    int first, hd_str_t *v);
/* the same from the page of the first value >= val (all of that page:
   the caller skips what is less) */
hd_rc hd_cursor_dup_pages_from(hd_cursor_t *cur, const void *key,
    size_t klen, const void *val, size_t vlen, int first, hd_str_t *v);
/* the next key (its first value), skipping the rest of this one's */
hd_rc hd_cursor_next_key(hd_cursor_t *cur, hd_str_t *k, hd_str_t *v);

/* records: encoded with their descriptor */
hd_rc hd_record_get(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    const hd_record_desc_t *desc, void *rec);
hd_rc hd_record_put(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    const hd_record_desc_t *desc, const void *rec, unsigned flags,
    hd_err_t *err);

/*
 * fn(txn, arg, err) in a write transaction of its own: committed when it
 * returns HD_OK, aborted otherwise (nothing it wrote stays). Flows of
 * several threads at once are committed together (each in a nested
 * transaction, one fsync for all): it returns once fn's writes are on disk
 */
typedef hd_rc (*hd_txn_fn)(hd_txn_t *txn, void *arg, hd_err_t *err);

hd_rc hd_txn_run(hd_store_t *store, hd_txn_fn fn, void *arg, hd_err_t *err);

/* n flows of fn at once, each with its own nested transaction, result and
   error, committed together (one fsync when nobody else writes); HD_NOMEM
   when it cannot even queue them */
hd_rc hd_txn_run_many(hd_store_t *store, hd_txn_fn fn, void **args,
    hd_err_t *errs, hd_rc *rcs, size_t n);

/* the next number of a named sequence (1, 2, ...), in meta */
hd_rc hd_seq_next(hd_txn_t *txn, const char *name, uint64_t *value,
    hd_err_t *err);
hd_rc hd_seq_peek(hd_txn_t *txn, const char *name, uint64_t *value);
hd_rc hd_seq_set(hd_txn_t *txn, const char *name, uint64_t value,
    hd_err_t *err);

/* an LMDB result as a core result, with the reason in err */
hd_rc hd_store_rc(int mdb_rc, hd_store_t *store, hd_err_t *err);


#endif /* HD_STORE_H */

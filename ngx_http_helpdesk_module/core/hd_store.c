/*
 * The LMDB environment: opening (with the schema prepared in the same
 * transaction), transactions and their group commit, key-value operations,
 * cursors, sequences, hot backup, and LMDB errors as core results.
 */

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hd_store.h"


#define HD_STORE_MAX_DBS      128
#define HD_STORE_MAX_READERS  1024


/* a flow waiting for hd_txn_run's group commit */
typedef struct hd_commit_s  hd_commit_t;

struct hd_commit_s {
    hd_txn_fn        fn;
    void            *arg;
    hd_err_t        *err;
    hd_rc            rc;
    int              done;
    hd_commit_t     *next;
};


#define HD_STORE_IDLE  64


struct hd_store_s {
    MDB_env           *env;
    MDB_dbi            dbi[HD_DB_COUNT];
    MDB_txn           *cached;
    size_t             map_size;

    /* cursors of the cached txn closed: renewed rather than allocated */
    MDB_cursor        *idle[HD_DB_COUNT][HD_STORE_IDLE];
    unsigned           nidle[HD_DB_COUNT];

    int                stale_cleared;   /* reader slots of dead processes */

    /* hd_txn_run: flows queue here; one thread commits them together */
    pthread_mutex_t    lock;
    pthread_cond_t     committed;
    hd_commit_t       *queue;
    hd_commit_t      **queue_tail;
    int                committing;

    char               path[PATH_MAX];
};


hd_rc
hd_store_open(hd_store_t **storep, const char *path, size_t map_size,
    hd_err_t *err)
{
    int           rc;
    char          file[PATH_MAX + 16];
    size_t        i;
    MDB_txn      *txn;
    hd_txn_t      t;
    hd_store_t   *store;
    struct stat   st;
    MDB_envinfo   info;

    *storep = NULL;

    if (strlen(path) >= PATH_MAX) {
        return hd_err_set(err, HD_INVALID, "path", "path_too_long",
                          "the data directory path is too long");
    }

    if (mkdir(path, 0700) == -1 && errno != EEXIST) {
        return hd_err_set(err, HD_IO, "path", "io",
                          "cannot create the data directory \"%s\": %s",
                          path, strerror(errno));
    }

    store = calloc(1, sizeof(hd_store_t));
    if (store == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    strcpy(store->path, path);
    store->map_size = map_size;
    store->queue_tail = &store->queue;

    if (pthread_mutex_init(&store->lock, NULL) != 0
        || pthread_cond_init(&store->committed, NULL) != 0)
    {
        free(store);
        return hd_err_set(err, HD_NOMEM, NULL, "nomem",
                          "cannot make the commit lock");
    }

    rc = mdb_env_create(&store->env);
    if (rc != 0) {
        free(store);
        return hd_store_rc(rc, NULL, err);
    }

    /*
     * No size given: an existing environment keeps the size its writers
     * recorded (the CLI beside nginx), a new one gets the default
     */
    snprintf(file, sizeof(file), "%s/data.mdb", path);

    if (map_size == 0 && stat(file, &st) != 0) {
        map_size = HD_STORE_DEFAULT_MAP;
    }

    if ((rc = mdb_env_set_maxdbs(store->env, HD_STORE_MAX_DBS)) != 0
        || (rc = mdb_env_set_maxreaders(store->env, HD_STORE_MAX_READERS))
           != 0
        || (map_size && (rc = mdb_env_set_mapsize(store->env, map_size)) != 0))
    {
        goto failed;
    }

    /*
     * MDB_NOTLS: read transactions belong to the transaction, not the
     * thread, so the event loop and the thread pool each keep their own
     */
    rc = mdb_env_open(store->env, path, MDB_NOTLS, 0600);
    if (rc != 0) {
        goto failed;
    }

    store->stale_cleared = hd_store_reader_check(store);

    rc = mdb_txn_begin(store->env, NULL, 0, &txn);
    if (rc != 0) {
        goto failed;
    }

    for (i = 0; i < HD_DB_COUNT; i++) {
        rc = mdb_dbi_open(txn, hd_dbs[i].name,
                          hd_dbs[i].mdb_flags | MDB_CREATE, &store->dbi[i]);
        if (rc != 0) {
            mdb_txn_abort(txn);
            goto failed;
        }
    }

    t.txn = txn;
    t.store = store;
    t.flags = HD_TXN_WRITE;

    if (hd_schema_prepare(&t, hd_migrations, hd_nmigrations,
                          HD_SCHEMA_VERSION, err)
        != HD_OK)
    {
        mdb_txn_abort(txn);
        mdb_env_close(store->env);
        free(store);
        return err ? err->rc : HD_CORRUPT;
    }

    rc = mdb_txn_commit(txn);
    if (rc != 0) {
        goto failed;
    }

    if (mdb_env_info(store->env, &info) == 0) {
        store->map_size = info.me_mapsize;
    }

    *storep = store;

    return HD_OK;

failed:

    hd_store_rc(rc, store, err);
    if (err) {
        /* say where: the reason alone does not name the directory */
        size_t  n = strlen(err->text);
        snprintf(err->text + n, sizeof(err->text) - n, " (opening \"%s\")",
                 path);
    }

    mdb_env_close(store->env);
    free(store);

    return err ? err->rc : HD_IO;
}


void
hd_store_close(hd_store_t *store)
{
    size_t  db;

    if (store == NULL) {
        return;
    }

    if (store->cached) {
        mdb_txn_abort(store->cached);
    }

    for (db = 0; db < HD_DB_COUNT; db++) {
        while (store->nidle[db]) {
            mdb_cursor_close(store->idle[db][--store->nidle[db]]);
        }
    }

    mdb_env_close(store->env);
    pthread_cond_destroy(&store->committed);
    pthread_mutex_destroy(&store->lock);
    free(store);
}


const char *
hd_store_path(const hd_store_t *store)
{
    return store->path;
}


int
hd_store_stale_cleared(const hd_store_t *store)
{
    return store->stale_cleared;
}


int
hd_store_reader_check(hd_store_t *store)
{
    int  dead = 0;

    if (mdb_reader_check(store->env, &dead) != 0) {
        return 0;
    }

    return dead;
}


hd_rc
hd_store_info(hd_store_t *store, hd_store_info_t *info)
{
    MDB_stat     st;
    MDB_envinfo  ei;

    if (mdb_env_info(store->env, &ei) != 0
        || mdb_env_stat(store->env, &st) != 0)
    {
        return HD_IO;
    }

    info->map_size = ei.me_mapsize;
    info->page_size = st.ms_psize;
    info->used = (ei.me_last_pgno + 1) * st.ms_psize;
    info->readers = ei.me_numreaders;
    info->max_readers = ei.me_maxreaders;

    return HD_OK;
}


hd_rc
hd_store_backup(hd_store_t *store, const char *dir, hd_err_t *err)
{
    int          rc;
    char         file[PATH_MAX + 16];
    struct stat  st;

    if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
        return hd_err_set(err, HD_IO, "dir", "io", "cannot create \"%s\": %s",
                          dir, strerror(errno));
    }

    snprintf(file, sizeof(file), "%s/data.mdb", dir);

    if (stat(file, &st) == 0) {
        return hd_err_set(err, HD_CONFLICT, "dir", "backup_exists",
                          "\"%s\" already holds a database: choose an empty "
                          "directory", dir);
    }

    /* a read transaction inside: consistent while writers go on */
    rc = mdb_env_copy2(store->env, dir, MDB_CP_COMPACT);
    if (rc != 0) {
        return hd_store_rc(rc, store, err);
    }

    return HD_OK;
}


hd_rc
hd_txn_begin(hd_store_t *store, hd_txn_t *txn, unsigned flags, hd_err_t *err)
{
    int  rc;

    txn->store = store;
    txn->flags = flags;
    txn->txn = NULL;

    if (flags & HD_TXN_CACHED) {
        if (store->cached != NULL) {
            rc = mdb_txn_renew(store->cached);

        } else {
            rc = mdb_txn_begin(store->env, NULL, MDB_RDONLY, &store->cached);
        }

        if (rc != 0) {
            return hd_store_rc(rc, store, err);
        }

        txn->txn = store->cached;

        return HD_OK;
    }

    rc = mdb_txn_begin(store->env, NULL,
                       (flags & HD_TXN_WRITE) ? 0 : MDB_RDONLY, &txn->txn);
    if (rc != 0) {
        txn->txn = NULL;
        return hd_store_rc(rc, store, err);
    }

    return HD_OK;
}


hd_rc
hd_txn_commit(hd_txn_t *txn, hd_err_t *err)
{
    int  rc;

    if (txn->flags & HD_TXN_CACHED) {
        mdb_txn_reset(txn->txn);
        txn->txn = NULL;
        return HD_OK;
    }

    rc = mdb_txn_commit(txn->txn);
    txn->txn = NULL;

    return rc == 0 ? HD_OK : hd_store_rc(rc, txn->store, err);
}


void
hd_txn_abort(hd_txn_t *txn)
{
    if (txn->txn == NULL) {
        return;
    }

    if (txn->flags & HD_TXN_CACHED) {
        mdb_txn_reset(txn->txn);

    } else {
        mdb_txn_abort(txn->txn);
    }

    txn->txn = NULL;
}


hd_rc
hd_db_get(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    hd_str_t *val)
{
    int      rc;
    MDB_val  k, v;

    k.mv_data = (void *) key;
    k.mv_size = klen;

    rc = mdb_get(txn->txn, txn->store->dbi[db], &k, &v);

    if (rc == MDB_NOTFOUND) {
        return HD_NOT_FOUND;
    }

    if (rc != 0) {
        return hd_store_rc(rc, txn->store, NULL);
    }

    if (val) {
        val->data = v.mv_data;
        val->len = v.mv_size;
    }

    return HD_OK;
}


hd_rc
hd_db_put(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    const void *val, size_t vlen, unsigned flags, hd_err_t *err)
{
    int      rc;
    MDB_val  k, v;

    k.mv_data = (void *) key;
    k.mv_size = klen;
    v.mv_data = (void *) val;
    v.mv_size = vlen;

    rc = mdb_put(txn->txn, txn->store->dbi[db], &k, &v,
                 ((flags & HD_PUT_NEW) ? MDB_NOOVERWRITE : 0)
                 | ((flags & HD_PUT_APPEND) ? MDB_APPEND : 0));

    return rc == 0 ? HD_OK : hd_store_rc(rc, txn->store, err);
}


hd_rc
hd_db_del(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    hd_err_t *err)
{
    int      rc;
    MDB_val  k;

    k.mv_data = (void *) key;
    k.mv_size = klen;

    rc = mdb_del(txn->txn, txn->store->dbi[db], &k, NULL);

    if (rc == MDB_NOTFOUND) {
        return HD_NOT_FOUND;
    }

    return rc == 0 ? HD_OK : hd_store_rc(rc, txn->store, err);
}


hd_rc
hd_db_count(hd_txn_t *txn, hd_db_e db, size_t *count)
{
    MDB_stat  st;

    if (mdb_stat(txn->txn, txn->store->dbi[db], &st) != 0) {
        return HD_IO;
    }

    *count = st.ms_entries;

    return HD_OK;
}


hd_rc
hd_cursor_open(hd_txn_t *txn, hd_db_e db, hd_cursor_t *cur)
{
    int          rc;
    hd_store_t  *store = txn->store;

    cur->db = db;
    cur->idle = (txn->flags & HD_TXN_CACHED) ? store : NULL;

    if (cur->idle != NULL && store->nidle[db]) {
        cur->cursor = store->idle[db][--store->nidle[db]];

        if (mdb_cursor_renew(txn->txn, cur->cursor) == 0) {
            return HD_OK;
        }

        mdb_cursor_close(cur->cursor);
    }

    rc = mdb_cursor_open(txn->txn, store->dbi[db], &cur->cursor);
    if (rc != 0) {
        cur->cursor = NULL;
        return hd_store_rc(rc, store, NULL);
    }

    return HD_OK;
}


void
hd_cursor_close(hd_cursor_t *cur)
{
    if (cur->cursor == NULL) {
        return;
    }

    if (cur->idle != NULL && cur->idle->nidle[cur->db] < HD_STORE_IDLE) {
        cur->idle->idle[cur->db][cur->idle->nidle[cur->db]++] = cur->cursor;

    } else {
        mdb_cursor_close(cur->cursor);
    }

    cur->cursor = NULL;
}


static hd_rc
hd_cursor_op(hd_cursor_t *cur, MDB_cursor_op op, MDB_val *k, hd_str_t *key,
    hd_str_t *val)
{
    int      rc;
    MDB_val  v;

    /* a MULTIPLE op may succeed with nothing (a cursor at its end) */
    v.mv_size = 0;
    v.mv_data = NULL;

    rc = mdb_cursor_get(cur->cursor, k, &v, op);

    if (rc == MDB_NOTFOUND) {
        return HD_NOT_FOUND;
    }

    if (rc != 0) {
        return HD_IO;
    }

    if (key) {
        key->data = k->mv_data;
        key->len = k->mv_size;
    }

    if (val) {
        val->data = v.mv_data;
        val->len = v.mv_size;
    }

    return HD_OK;
}


hd_rc
hd_cursor_seek(hd_cursor_t *cur, const void *key, size_t klen, hd_str_t *k,
    hd_str_t *v)
{
    MDB_val  mk;

    mk.mv_data = (void *) key;
    mk.mv_size = klen;

    return hd_cursor_op(cur, key ? MDB_SET_RANGE : MDB_FIRST, &mk, k, v);
}


hd_rc
hd_cursor_next(hd_cursor_t *cur, hd_str_t *k, hd_str_t *v)
{
    MDB_val  mk;

    return hd_cursor_op(cur, MDB_NEXT, &mk, k, v);
}


hd_rc
hd_cursor_prev(hd_cursor_t *cur, hd_str_t *k, hd_str_t *v)
{
    MDB_val  mk;

    return hd_cursor_op(cur, MDB_PREV, &mk, k, v);
}


hd_rc
hd_cursor_last(hd_cursor_t *cur, hd_str_t *k, hd_str_t *v)
{
    MDB_val  mk;

    return hd_cursor_op(cur, MDB_LAST, &mk, k, v);
}


hd_rc
hd_cursor_del(hd_cursor_t *cur, hd_err_t *err)
{
    int  rc;

    rc = mdb_cursor_del(cur->cursor, 0);

    return rc == 0 ? HD_OK : hd_store_rc(rc, NULL, err);
}


hd_rc
hd_cursor_del_key(hd_cursor_t *cur, hd_err_t *err)
{
    int  rc;

    rc = mdb_cursor_del(cur->cursor, MDB_NODUPDATA);

    return rc == 0 ? HD_OK : hd_store_rc(rc, NULL, err);
}


hd_rc
hd_dup_put(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    const void *val, size_t vlen, hd_err_t *err)
{
    int      rc;
    MDB_val  k, v;

    k.mv_data = (void *) key;
    k.mv_size = klen;
    v.mv_data = (void *) val;
    v.mv_size = vlen;

    /* the same pair again is no change */
    rc = mdb_put(txn->txn, txn->store->dbi[db], &k, &v, MDB_NODUPDATA);

    if (rc == MDB_KEYEXIST) {
        return HD_OK;
    }

    return rc == 0 ? HD_OK : hd_store_rc(rc, txn->store, err);
}


hd_rc
hd_dup_del(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    const void *val, size_t vlen, hd_err_t *err)
{
    int      rc;
    MDB_val  k, v;

    k.mv_data = (void *) key;
    k.mv_size = klen;
    v.mv_data = (void *) val;
    v.mv_size = vlen;

    rc = mdb_del(txn->txn, txn->store->dbi[db], &k, &v);

    if (rc == MDB_NOTFOUND) {
        return HD_NOT_FOUND;
    }

    return rc == 0 ? HD_OK : hd_store_rc(rc, txn->store, err);
}


hd_rc
hd_dup_has(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    const void *val, size_t vlen)
{
    int          rc;
    MDB_val      k, v;
    MDB_cursor  *cur;

    rc = mdb_cursor_open(txn->txn, txn->store->dbi[db], &cur);
    if (rc != 0) {
        return hd_store_rc(rc, txn->store, NULL);
    }

    k.mv_data = (void *) key;
    k.mv_size = klen;
    v.mv_data = (void *) val;
    v.mv_size = vlen;

    rc = mdb_cursor_get(cur, &k, &v, MDB_GET_BOTH);
    mdb_cursor_close(cur);

    if (rc == MDB_NOTFOUND) {
        return HD_NOT_FOUND;
    }

    return rc == 0 ? HD_OK : hd_store_rc(rc, txn->store, NULL);
}


hd_rc
hd_dup_count(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    size_t *n)
{
    int          rc;
    size_t       count;
    MDB_val      k, v;
    MDB_cursor  *cur;

    *n = 0;

    rc = mdb_cursor_open(txn->txn, txn->store->dbi[db], &cur);
    if (rc != 0) {
        return hd_store_rc(rc, txn->store, NULL);
    }

    k.mv_data = (void *) key;
    k.mv_size = klen;

    rc = mdb_cursor_get(cur, &k, &v, MDB_SET);

    if (rc == 0) {
        rc = mdb_cursor_count(cur, &count);
        if (rc == 0) {
            *n = (size_t) count;
        }

    } else if (rc == MDB_NOTFOUND) {
        rc = 0;
    }

    mdb_cursor_close(cur);

    return rc == 0 ? HD_OK : hd_store_rc(rc, txn->store, NULL);
}


static hd_rc
hd_cursor_dup_seek(hd_cursor_t *cur, const void *key, size_t klen,
    MDB_cursor_op op, hd_str_t *val)
{
    int      rc;
    MDB_val  k, v;

    k.mv_data = (void *) key;
    k.mv_size = klen;

    rc = mdb_cursor_get(cur->cursor, &k, &v, MDB_SET);

    /* MDB_SET stands on the key's first value already */
    if (rc == 0 && op != MDB_FIRST_DUP) {
        rc = mdb_cursor_get(cur->cursor, &k, &v, op);
    }

    if (rc == MDB_NOTFOUND) {
        return HD_NOT_FOUND;
    }

    if (rc != 0) {
        return HD_IO;
    }

    val->data = v.mv_data;
    val->len = v.mv_size;

    return HD_OK;
}


hd_rc
hd_cursor_dup_first(hd_cursor_t *cur, const void *key, size_t klen,
    hd_str_t *v)
{
    return hd_cursor_dup_seek(cur, key, klen, MDB_FIRST_DUP, v);
}


hd_rc
hd_cursor_dup_pages(hd_cursor_t *cur, const void *key, size_t klen,
    int first, hd_str_t *v)
{
    MDB_val  mk;

    if (first) {
        return hd_cursor_dup_seek(cur, key, klen, MDB_GET_MULTIPLE, v);
    }

    return hd_cursor_op(cur, MDB_NEXT_MULTIPLE, &mk, NULL, v);
}


hd_rc
hd_cursor_dup_pages_from(hd_cursor_t *cur, const void *key, size_t klen,
    const void *val, size_t vlen, int first, hd_str_t *v)
{
    hd_rc    rc;
    MDB_val  mk;

    if (first) {
        /* on the first value >= val; then its page, all of it */
        hd_str_t  at;

        rc = hd_cursor_dup_range(cur, key, klen, val, vlen, &at);
        if (rc != HD_OK) {
            return rc;
        }

        rc = hd_cursor_op(cur, MDB_GET_MULTIPLE, &mk, NULL, v);

        /* on the key's last value LMDB gives no page: that value, then */
        if (rc == HD_OK && v->data == NULL) {
            *v = at;
        }

        return rc;
    }

    return hd_cursor_op(cur, MDB_NEXT_MULTIPLE, &mk, NULL, v);
}


hd_rc
hd_cursor_dup_last(hd_cursor_t *cur, const void *key, size_t klen,
    hd_str_t *v)
{
    return hd_cursor_dup_seek(cur, key, klen, MDB_LAST_DUP, v);
}


hd_rc
hd_cursor_dup_range(hd_cursor_t *cur, const void *key, size_t klen,
    const void *val, size_t vlen, hd_str_t *v)
{
    int      rc;
    MDB_val  k, d;

    k.mv_data = (void *) key;
    k.mv_size = klen;
    d.mv_data = (void *) val;
    d.mv_size = vlen;

    rc = mdb_cursor_get(cur->cursor, &k, &d, MDB_GET_BOTH_RANGE);

    if (rc == MDB_NOTFOUND) {
        return HD_NOT_FOUND;
    }

    if (rc != 0) {
        return HD_IO;
    }

    v->data = d.mv_data;
    v->len = d.mv_size;

    return HD_OK;
}


hd_rc
hd_cursor_dup_next(hd_cursor_t *cur, hd_str_t *v)
{
    MDB_val  mk;

    return hd_cursor_op(cur, MDB_NEXT_DUP, &mk, NULL, v);
}


hd_rc
hd_cursor_dup_prev(hd_cursor_t *cur, hd_str_t *v)
{
    MDB_val  mk;

    return hd_cursor_op(cur, MDB_PREV_DUP, &mk, NULL, v);
}


hd_rc
hd_cursor_next_key(hd_cursor_t *cur, hd_str_t *k, hd_str_t *v)
{
    MDB_val  mk;

    return hd_cursor_op(cur, MDB_NEXT_NODUP, &mk, k, v);
}


hd_rc
hd_record_get(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    const hd_record_desc_t *desc, void *rec)
{
    hd_rc     rc;
    hd_str_t  v;

    rc = hd_db_get(txn, db, key, klen, &v);
    if (rc != HD_OK) {
        return rc;
    }

    return hd_record_decode(desc, v.data, v.len, rec);
}


hd_rc
hd_record_put(hd_txn_t *txn, hd_db_e db, const void *key, size_t klen,
    const hd_record_desc_t *desc, const void *rec, unsigned flags,
    hd_err_t *err)
{
    hd_rc     rc;
    hd_buf_t  buf;

    hd_buf_init(&buf);

    if (hd_record_encode(desc, rec, &buf) != 0) {
        hd_buf_free(&buf);
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_db_put(txn, db, key, klen, buf.data, buf.len, flags, err);

    hd_buf_free(&buf);

    return rc;
}


/*
 * Runs a batch of queued flows in one write transaction, each in a nested
 * transaction of its own (a flow that fails takes back only what it wrote),
 * and commits them with one fsync: what makes many small durable writes a
 * second possible
 */
static void
hd_txn_batch(hd_store_t *store, hd_commit_t *batch)
{
    int           rc;
    hd_rc         hrc;
    hd_err_t      err;
    hd_txn_t      t;
    MDB_txn      *parent, *child;
    hd_commit_t  *c;

    rc = mdb_txn_begin(store->env, NULL, 0, &parent);

    if (rc != 0) {
        for (c = batch; c; c = c->next) {
            c->rc = hd_store_rc(rc, store, c->err);
        }

        return;
    }

    t.store = store;
    t.flags = HD_TXN_WRITE;

    for (c = batch; c; c = c->next) {

        /* alone, a flow needs no transaction of its own */
        if (batch->next == NULL) {
            t.txn = parent;
            c->rc = c->fn(&t, c->arg, c->err);
            break;
        }

        rc = mdb_txn_begin(store->env, parent, 0, &child);
        if (rc != 0) {
            c->rc = hd_store_rc(rc, store, c->err);
            continue;
        }

        t.txn = child;
        c->rc = c->fn(&t, c->arg, c->err);

        if (c->rc != HD_OK) {
            mdb_txn_abort(child);
            continue;
        }

        rc = mdb_txn_commit(child);
        if (rc != 0) {
            c->rc = hd_store_rc(rc, store, c->err);
        }
    }

    if (batch->next == NULL && batch->rc != HD_OK) {
        mdb_txn_abort(parent);
        return;
    }

    rc = mdb_txn_commit(parent);

    if (rc == 0) {
        return;
    }

    /* nothing of the batch stays: each flow that went well is told why */
    hd_err_clear(&err);
    hrc = hd_store_rc(rc, store, &err);

    for (c = batch; c; c = c->next) {
        if (c->rc == HD_OK) {
            c->rc = hrc;

            if (c->err != NULL) {
                *c->err = err;
            }
        }
    }
}


/* queues the flows, and commits (or waits for) the batches they go in */
static void
hd_txn_commits(hd_store_t *store, hd_commit_t *list, size_t n)
{
    size_t        i;
    hd_commit_t  *batch, *last = &list[n - 1];

    pthread_mutex_lock(&store->lock);

    for (i = 0; i < n; i++) {
        *store->queue_tail = &list[i];
        store->queue_tail = &list[i].next;
    }

    /* the batches take the queue in order: the last done, all are */
    while (!last->done) {
        if (store->committing) {
            pthread_cond_wait(&store->committed, &store->lock);
            continue;
        }

        /*
         * nobody commits: this thread does, for what is queued; once its
         * own flows are done it hands over (a waiting thread takes the
         * next batch), so that no request waits behind an endless stream
         */
        store->committing = 1;

        while (store->queue != NULL && !last->done) {
            batch = store->queue;
            store->queue = NULL;
            store->queue_tail = &store->queue;

            pthread_mutex_unlock(&store->lock);

            hd_txn_batch(store, batch);

            pthread_mutex_lock(&store->lock);

            for ( /* void */ ; batch; batch = batch->next) {
                batch->done = 1;
            }

            pthread_cond_broadcast(&store->committed);
        }

        store->committing = 0;
    }

    pthread_mutex_unlock(&store->lock);
}


hd_rc
hd_txn_run(hd_store_t *store, hd_txn_fn fn, void *arg, hd_err_t *err)
{
    hd_commit_t  me;

    me.fn = fn;
    me.arg = arg;
    me.err = err;
    me.rc = HD_OK;
    me.done = 0;
    me.next = NULL;

    hd_txn_commits(store, &me, 1);

    return me.rc;
}


hd_rc
hd_txn_run_many(hd_store_t *store, hd_txn_fn fn, void **args,
    hd_err_t *errs, hd_rc *rcs, size_t n)
{
    size_t        i;
    hd_commit_t  *list;

    if (n == 0) {
        return HD_OK;
    }

    list = calloc(n, sizeof(hd_commit_t));
    if (list == NULL) {
        return HD_NOMEM;
    }

    for (i = 0; i < n; i++) {
        list[i].fn = fn;
        list[i].arg = args[i];
        list[i].err = &errs[i];
        list[i].rc = HD_OK;
    }

    /* queued together: one batch for all (with what others queued) */
    hd_txn_commits(store, list, n);

    for (i = 0; i < n; i++) {
        rcs[i] = list[i].rc;
    }

    free(list);

    return HD_OK;
}


static size_t
hd_seq_key(hd_uchar *key, size_t size, const char *name)
{
    return snprintf((char *) key, size, "seq:%s", name);
}


hd_rc
hd_seq_peek(hd_txn_t *txn, const char *name, uint64_t *value)
{
    hd_rc     rc;
    size_t    klen;
    hd_str_t  v;
    hd_uchar  key[64];

    klen = hd_seq_key(key, sizeof(key), name);

    rc = hd_db_get(txn, HD_DB_META, key, klen, &v);

    if (rc == HD_NOT_FOUND) {
        *value = 0;
        return HD_OK;
    }

    if (rc != HD_OK || v.len != 8) {
        return rc != HD_OK ? rc : HD_CORRUPT;
    }

    *value = hd_be64_get(v.data);

    return HD_OK;
}


hd_rc
hd_seq_set(hd_txn_t *txn, const char *name, uint64_t value, hd_err_t *err)
{
    size_t    klen;
    hd_uchar  key[64], val[8];

    klen = hd_seq_key(key, sizeof(key), name);
    hd_be64_put(val, value);

    return hd_db_put(txn, HD_DB_META, key, klen, val, 8, 0, err);
}


hd_rc
hd_seq_next(hd_txn_t *txn, const char *name, uint64_t *value, hd_err_t *err)
{
    hd_rc     rc;
    uint64_t  v;

    rc = hd_seq_peek(txn, name, &v);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_seq_set(txn, name, v + 1, err);
    if (rc != HD_OK) {
        return rc;
    }

    *value = v + 1;

    return HD_OK;
}


hd_rc
hd_store_rc(int mdb_rc, hd_store_t *store, hd_err_t *err)
{
    switch (mdb_rc) {

    case 0:
        return HD_OK;

    case MDB_NOTFOUND:
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found", "not found");

    case MDB_KEYEXIST:
        return hd_err_set(err, HD_CONFLICT, NULL, "conflict",
                          "the record exists");

    case MDB_MAP_FULL:
        if (store != NULL && store->map_size >= 1024 * 1024) {
            return hd_err_set(err, HD_FULL, NULL, "storage_full",
                              "the database is full (map size %zu MB): raise "
                              "the map size of helpdesk_db",
                              store->map_size / (1024 * 1024));
        }

        return hd_err_set(err, HD_FULL, NULL, "storage_full",
                          "the database is full (map size %zu KB): raise the "
                          "map size of helpdesk_db",
                          store ? store->map_size / 1024 : (size_t) 0);

    case MDB_MAP_RESIZED:
        return hd_err_set(err, HD_BUSY, NULL, "storage_busy",
                          "another process grew the database beyond this "
                          "process's map size: give helpdesk_db the same "
                          "map size everywhere and reload");

    case MDB_READERS_FULL:
    case MDB_TXN_FULL:
    case MDB_CURSOR_FULL:
        return hd_err_set(err, HD_BUSY, NULL, "storage_busy",
                          "storage is busy: %s", mdb_strerror(mdb_rc));

    case MDB_CORRUPTED:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
    case MDB_PAGE_NOTFOUND:
        return hd_err_set(err, HD_CORRUPT, NULL, "storage_corrupt",
                          "the database is damaged: %s",
                          mdb_strerror(mdb_rc));

    case ENOMEM:
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");

    default:
        return hd_err_set(err, HD_IO, NULL, "io", "storage error: %s",
                          mdb_strerror(mdb_rc));
    }
}

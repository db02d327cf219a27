/*
 * Storage: the environment, key-value operations, sequences, cursors, a full
 * map, hot backup.
 */

#include "unit.h"
#include "hd_store.h"


static void
test_put_get_seq(void **state)
{
    char        *dir;
    uint64_t     id;
    hd_str_t     v;
    hd_txn_t     txn;
    hd_err_t     err;
    hd_store_t  *store;

    (void) state;

    dir = unit_tmpdir();
    assert_int_equal(hd_store_open(&store, dir, 1 << 20, &err), HD_OK);

    assert_int_equal(hd_txn_begin(store, &txn, HD_TXN_WRITE, &err), HD_OK);
    assert_int_equal(hd_db_put(&txn, HD_DB_META, "k", 1, "v1", 2, HD_PUT_NEW,
                               &err), HD_OK);
    assert_int_equal(hd_db_put(&txn, HD_DB_META, "k", 1, "v2", 2, HD_PUT_NEW,
                               &err), HD_CONFLICT);
    assert_int_equal(hd_seq_next(&txn, "things", &id, &err), HD_OK);
    assert_true(id == 1);
    assert_int_equal(hd_seq_next(&txn, "things", &id, &err), HD_OK);
    assert_true(id == 2);
    assert_int_equal(hd_txn_commit(&txn, &err), HD_OK);

    /* an aborted write leaves nothing */
    assert_int_equal(hd_txn_begin(store, &txn, HD_TXN_WRITE, &err), HD_OK);
    hd_db_put(&txn, HD_DB_META, "gone", 4, "x", 1, 0, &err);
    hd_seq_next(&txn, "things", &id, &err);
    hd_txn_abort(&txn);

    /* the cached read transaction, renewed each time */
    assert_int_equal(hd_txn_begin(store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                                  &err), HD_OK);
    assert_int_equal(hd_db_get(&txn, HD_DB_META, "k", 1, &v), HD_OK);
    assert_int_equal(v.len, 2);
    assert_memory_equal(v.data, "v1", 2);
    assert_int_equal(hd_db_get(&txn, HD_DB_META, "gone", 4, &v),
                     HD_NOT_FOUND);
    assert_int_equal(hd_seq_peek(&txn, "things", &id), HD_OK);
    assert_true(id == 2);
    hd_txn_abort(&txn);

    assert_int_equal(hd_txn_begin(store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                                  &err), HD_OK);
    assert_int_equal(hd_db_get(&txn, HD_DB_META, "k", 1, &v), HD_OK);
    hd_txn_abort(&txn);

    hd_store_close(store);

    /* it is all there after reopening */
    assert_int_equal(hd_store_open(&store, dir, 0, &err), HD_OK);
    assert_int_equal(hd_txn_begin(store, &txn, HD_TXN_READ, &err), HD_OK);
    assert_int_equal(hd_seq_peek(&txn, "things", &id), HD_OK);
    assert_true(id == 2);
    hd_txn_abort(&txn);
    hd_store_close(store);

    unit_rmdir(dir);
    free(dir);
}


static void
test_cursor_ranges(void **state)
{
    int          i, n;
    char        *dir, key[16];
    hd_str_t     k, v;
    hd_txn_t     txn;
    hd_err_t     err;
    hd_cursor_t  cur;
    hd_store_t  *store;

    (void) state;

    dir = unit_tmpdir();
    assert_int_equal(hd_store_open(&store, dir, 1 << 20, &err), HD_OK);
    assert_int_equal(hd_txn_begin(store, &txn, HD_TXN_WRITE, &err), HD_OK);

    for (i = 0; i < 10; i++) {
        snprintf(key, sizeof(key), "r:%02d", i);
        hd_db_put(&txn, HD_DB_META, key, 4, "x", 1, 0, &err);
    }

    assert_int_equal(hd_cursor_open(&txn, HD_DB_META, &cur), HD_OK);
    assert_int_equal(hd_cursor_seek(&cur, "r:05", 4, &k, &v), HD_OK);
    assert_memory_equal(k.data, "r:05", 4);

    for (n = 1; hd_cursor_next(&cur, &k, &v) == HD_OK
                && k.len == 4 && memcmp(k.data, "r:", 2) == 0; n++)
    { /* void */ }

    assert_int_equal(n, 5);
    hd_cursor_close(&cur);
    hd_txn_abort(&txn);
    hd_store_close(store);

    unit_rmdir(dir);
    free(dir);
}


static void
test_map_full_is_an_answer(void **state)
{
    int          i;
    char        *dir, key[32];
    hd_rc        rc;
    size_t       count_before, count_after;
    hd_txn_t     txn;
    hd_err_t     err;
    hd_store_t  *store;
    static char  big[2000];

    (void) state;

    memset(big, 'x', sizeof(big));
    dir = unit_tmpdir();
    assert_int_equal(hd_store_open(&store, dir, HD_STORE_MIN_MAP, &err),
                     HD_OK);

    hd_txn_begin(store, &txn, HD_TXN_READ, &err);
    hd_db_count(&txn, HD_DB_META, &count_before);
    hd_txn_abort(&txn);

    rc = HD_OK;

    for (i = 0; i < 1000 && rc == HD_OK; i++) {
        assert_int_equal(hd_txn_begin(store, &txn, HD_TXN_WRITE, &err),
                         HD_OK);

        snprintf(key, sizeof(key), "big:%d", i);
        rc = hd_db_put(&txn, HD_DB_META, key, strlen(key), big, sizeof(big),
                       0, &err);

        if (rc == HD_OK) {
            rc = hd_txn_commit(&txn, &err);

        } else {
            hd_txn_abort(&txn);
        }
    }

    assert_int_equal(rc, HD_FULL);
    assert_string_equal(err.code, "storage_full");
    assert_non_null(strstr(err.text, "raise the map size"));

    /* what was committed before is intact, the failed write left nothing */
    assert_int_equal(hd_txn_begin(store, &txn, HD_TXN_READ, &err), HD_OK);
    hd_db_count(&txn, HD_DB_META, &count_after);
    assert_true(count_after == count_before + (size_t) i - 1);
    hd_txn_abort(&txn);

    hd_store_close(store);
    unit_rmdir(dir);
    free(dir);
}


static void
test_backup(void **state)
{
    char        *dir, copy[600];
    uint64_t     id;
    hd_txn_t     txn;
    hd_err_t     err;
    hd_store_t  *store, *restored;

    (void) state;

    dir = unit_tmpdir();
    assert_int_equal(hd_store_open(&store, dir, 1 << 20, &err), HD_OK);

    hd_txn_begin(store, &txn, HD_TXN_WRITE, &err);
    hd_seq_set(&txn, "tickets", 33858, &err);
    hd_txn_commit(&txn, &err);

    snprintf(copy, sizeof(copy), "%s/backup", dir);
    assert_int_equal(hd_store_backup(store, copy, &err), HD_OK);
    assert_int_equal(hd_store_backup(store, copy, &err), HD_CONFLICT);

    /* the copy is a data directory of its own */
    assert_int_equal(hd_store_open(&restored, copy, 0, &err), HD_OK);
    hd_txn_begin(restored, &txn, HD_TXN_READ, &err);
    hd_seq_peek(&txn, "tickets", &id);
    assert_true(id == 33858);
    hd_txn_abort(&txn);
    hd_store_close(restored);

    hd_store_close(store);
    unit_rmdir(dir);
    free(dir);
}


static void
test_open_errors(void **state)
{
    hd_err_t     err;
    hd_store_t  *store;

    (void) state;

    hd_err_clear(&err);
    assert_int_not_equal(hd_store_open(&store, "/proc/nope/data", 1 << 20,
                                       &err), HD_OK);
    assert_null(store);
    assert_non_null(strstr(err.text, "/proc/nope/data"));
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_put_get_seq),
        cmocka_unit_test(test_cursor_ranges),
        cmocka_unit_test(test_map_full_is_an_answer),
        cmocka_unit_test(test_backup),
        cmocka_unit_test(test_open_errors),
    };

    return unit_run("storage", tests, sizeof(tests) / sizeof(tests[0]));
}

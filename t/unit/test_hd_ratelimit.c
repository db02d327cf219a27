/*
 * Rate limits: a sliding window, the time until the next event, undo.
 */

#include "unit.h"
#include "hd_ratelimit.h"
#include "hd_store.h"


static void
test_window(void **state)
{
    char         *dir;
    uint64_t      retry = 0;
    hd_txn_t      txn;
    hd_err_t      err;
    hd_store_t   *store;
    hd_limit_t    lim = { 3, 60 };

    (void) state;

    dir = unit_tmpdir();
    assert_int_equal(hd_store_open(&store, dir, 1 << 20, &err), HD_OK);
    hd_txn_begin(store, &txn, HD_TXN_WRITE, &err);

    assert_int_equal(hd_ratelimit_check(&txn, "k", &lim, 1000, &retry), HD_OK);
    hd_ratelimit_hit(&txn, "k", &lim, 1000, &err);
    hd_ratelimit_hit(&txn, "k", &lim, 1010, &err);
    assert_int_equal(hd_ratelimit_check(&txn, "k", &lim, 1015, &retry), HD_OK);
    hd_ratelimit_hit(&txn, "k", &lim, 1020, &err);

    /* three in the window: the next is allowed when the first leaves */
    assert_int_equal(hd_ratelimit_check(&txn, "k", &lim, 1030, &retry),
                     HD_RATE_LIMITED);
    assert_true(retry == 30);
    assert_int_equal(hd_ratelimit_check(&txn, "k", &lim, 1060, &retry),
                     HD_OK);

    /* undo takes one event back */
    hd_ratelimit_hit(&txn, "k", &lim, 1061, &err);
    assert_int_equal(hd_ratelimit_check(&txn, "k", &lim, 1062, &retry),
                     HD_RATE_LIMITED);
    hd_ratelimit_undo(&txn, "k", 1061, &err);
    assert_int_equal(hd_ratelimit_check(&txn, "k", &lim, 1062, &retry),
                     HD_OK);

    /* other keys are other limits; clear forgets */
    assert_int_equal(hd_ratelimit_check(&txn, "other", &lim, 1062, &retry),
                     HD_OK);
    hd_ratelimit_clear(&txn, "k", &err);
    assert_int_equal(hd_db_get(&txn, HD_DB_RATELIMITS, "k", 1, NULL),
                     HD_NOT_FOUND);

    hd_txn_abort(&txn);
    hd_store_close(store);
    unit_rmdir(dir);
    free(dir);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_window),
    };

    return unit_run("rate limits", tests, sizeof(tests) / sizeof(tests[0]));
}

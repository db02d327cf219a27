/*
 * One-time tokens: peeked, taken once, expired, of one kind only, dropped
 * per account.
 */

#include "unit.h"
#include "hd_store.h"
#include "hd_token.h"


static void
test_one_time(void **state)
{
    char         *dir, a[HD_TOKEN_TEXT_LEN + 1], b[HD_TOKEN_TEXT_LEN + 1];
    hd_err_t      err;
    hd_txn_t      txn;
    hd_store_t   *store;
    hd_token_t    t, got;
    hd_arena_t   *arena;

    (void) state;

    dir = unit_tmpdir();
    arena = hd_arena_create(0);
    assert_int_equal(hd_store_open(&store, dir, 1 << 20, &err), HD_OK);
    hd_txn_begin(store, &txn, HD_TXN_WRITE, &err);

    memset(&t, 0, sizeof(t));
    t.kind = HD_TOKEN_EMAIL_CHANGE;
    t.account = 3;
    t.expires = 500;
    t.data.data = (hd_uchar *) "new@example.com";
    t.data.len = 15;

    assert_int_equal(hd_token_create(&txn, &t, a, &err), HD_OK);

    assert_int_equal(hd_token_peek(&txn, HD_TOKEN_EMAIL_CHANGE, (hd_uchar *) a,
                                   HD_TOKEN_TEXT_LEN, 100, &arena->pool,
                                   &got), HD_OK);
    assert_memory_equal(got.data.data, "new@example.com", 15);

    /* of another kind, or late: not found */
    assert_int_equal(hd_token_peek(&txn, HD_TOKEN_PASSWORD_RESET,
                                   (hd_uchar *) a, HD_TOKEN_TEXT_LEN, 100,
                                   &arena->pool, &got), HD_NOT_FOUND);
    assert_int_equal(hd_token_peek(&txn, HD_TOKEN_EMAIL_CHANGE, (hd_uchar *) a,
                                   HD_TOKEN_TEXT_LEN, 500, &arena->pool,
                                   &got), HD_NOT_FOUND);

    assert_int_equal(hd_token_take(&txn, HD_TOKEN_EMAIL_CHANGE, (hd_uchar *) a,
                                   HD_TOKEN_TEXT_LEN, 100, &arena->pool, &got,
                                   &err), HD_OK);
    assert_int_equal(hd_token_take(&txn, HD_TOKEN_EMAIL_CHANGE, (hd_uchar *) a,
                                   HD_TOKEN_TEXT_LEN, 100, &arena->pool, &got,
                                   &err), HD_NOT_FOUND);
    assert_string_equal(err.code, "token_invalid");

    /* dropping an account's tokens of a kind */
    t.kind = HD_TOKEN_PASSWORD_RESET;
    hd_token_create(&txn, &t, a, &err);
    hd_token_create(&txn, &t, b, &err);
    assert_int_equal(hd_token_drop_account(&txn, HD_TOKEN_PASSWORD_RESET, 3,
                                           &err), HD_OK);
    assert_int_equal(hd_token_peek(&txn, HD_TOKEN_PASSWORD_RESET,
                                   (hd_uchar *) b, HD_TOKEN_TEXT_LEN, 100,
                                   &arena->pool, &got), HD_NOT_FOUND);

    hd_txn_abort(&txn);
    hd_store_close(store);
    hd_arena_destroy(arena);
    unit_rmdir(dir);
    free(dir);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_one_time),
    };

    return unit_run("one-time tokens", tests,
                    sizeof(tests) / sizeof(tests[0]));
}

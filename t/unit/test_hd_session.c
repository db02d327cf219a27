/*
 * Sessions and API tokens: found by their text, expired by idle and
 * absolute lifetimes, ended one by one or all at once.
 */

#include "unit.h"
#include "hd_session.h"
#include "hd_store.h"


static void
test_lifetimes(void **state)
{
    char                  token[HD_TOKEN_TEXT_LEN + 1];
    char                  csrf[HD_TOKEN_TEXT_LEN + 1];
    hd_err_t              err;
    hd_txn_t              txn;
    hd_uchar              hash[HD_SHA256_LEN];
    hd_session_t          s;
    hd_session_limits_t   lim = { 100, 1000 };

    (void) state;

    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);
    assert_int_equal(hd_session_create(&txn, 7, 10000, NULL, NULL, token,
                                       csrf, &err), HD_OK);

    assert_int_equal(hd_session_find(&txn, (hd_uchar *) token,
                                     HD_TOKEN_TEXT_LEN, 10050, &lim, hash,
                                     &s), HD_OK);
    assert_true(s.account == 7);
    assert_memory_equal(s.csrf.data, csrf, HD_TOKEN_TEXT_LEN);

    /* idle */
    assert_int_equal(hd_session_find(&txn, (hd_uchar *) token,
                                     HD_TOKEN_TEXT_LEN, 10101, &lim, hash,
                                     &s), HD_NOT_FOUND);

    /* used now and then, it still ends at its absolute lifetime */
    hd_session_touch(&txn, hash, 10090, &err);
    hd_session_touch(&txn, hash, 10180, &err);
    assert_int_equal(hd_session_find(&txn, (hd_uchar *) token,
                                     HD_TOKEN_TEXT_LEN, 10250, &lim, hash,
                                     &s), HD_OK);
    hd_session_touch(&txn, hash, 10950, &err);
    assert_int_equal(hd_session_find(&txn, (hd_uchar *) token,
                                     HD_TOKEN_TEXT_LEN, 11001, &lim, hash,
                                     &s), HD_NOT_FOUND);

    /* a token of another length or alphabet is nobody */
    assert_int_equal(hd_session_find(&txn, (hd_uchar *) "short", 5, 10050,
                                     &lim, hash, &s), HD_NOT_FOUND);

    hd_txn_abort(&txn);
}


static void
test_end_all_but_one(void **state)
{
    int           i;
    char          tokens[5][HD_TOKEN_TEXT_LEN + 1];
    char          csrf[HD_TOKEN_TEXT_LEN + 1];
    size_t        ended, count;
    hd_err_t      err;
    hd_txn_t      txn;
    hd_uchar      keep[HD_SHA256_LEN], hash[HD_SHA256_LEN];
    hd_session_t  s;
    hd_session_limits_t  lim = { 0, 0 };

    (void) state;

    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);

    for (i = 0; i < 5; i++) {
        hd_session_create(&txn, i < 4 ? 42 : 43, 1, NULL, NULL, tokens[i],
                          csrf, &err);
    }

    hd_session_find(&txn, (hd_uchar *) tokens[2], HD_TOKEN_TEXT_LEN, 1, &lim,
                    keep, &s);

    assert_int_equal(hd_session_end_all(&txn, 42, keep, &ended, &err),
                     HD_OK);
    assert_int_equal(ended, 3);

    for (i = 0; i < 5; i++) {
        assert_int_equal(hd_session_find(&txn, (hd_uchar *) tokens[i],
                                         HD_TOKEN_TEXT_LEN, 1, &lim, hash,
                                         &s),
                         i == 2 || i == 4 ? HD_OK : HD_NOT_FOUND);
    }

    hd_db_count(&txn, HD_DB_SESSIONS_BY_ACCOUNT, &count);
    hd_db_count(&txn, HD_DB_SESSIONS, &ended);
    assert_int_equal(count, ended);

    hd_txn_abort(&txn);
}


static void
test_api_tokens(void **state)
{
    char             text[HD_API_TOKEN_TEXT_LEN + 1];
    size_t           n;
    uint64_t         id;
    hd_str_t         name = hd_string("ci");
    hd_err_t         err;
    hd_txn_t         txn;
    hd_arena_t      *arena;
    hd_api_token_t   t, *list;

    (void) state;

    arena = hd_arena_create(0);
    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);

    assert_int_equal(hd_api_token_create(&txn, 5, &name, 1, &id, text, &err),
                     HD_OK);
    assert_int_equal(strncmp(text, "hdt_", 4), 0);
    assert_int_equal(hd_api_token_find(&txn, (hd_uchar *) text,
                                       strlen(text), &t), HD_OK);
    assert_true(t.account == 5);

    hd_api_token_list(&txn, 5, &arena->pool, &list, &n);
    assert_int_equal(n, 1);
    hd_api_token_list(&txn, 6, &arena->pool, &list, &n);
    assert_int_equal(n, 0);

    /* another account cannot revoke it */
    assert_int_equal(hd_api_token_revoke(&txn, 6, id, &err), HD_NOT_FOUND);
    assert_int_equal(hd_api_token_revoke(&txn, 5, id, &err), HD_OK);
    assert_int_equal(hd_api_token_find(&txn, (hd_uchar *) text,
                                       strlen(text), &t), HD_NOT_FOUND);

    hd_txn_abort(&txn);
    hd_arena_destroy(arena);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_lifetimes),
        cmocka_unit_test(test_end_all_but_one),
        cmocka_unit_test(test_api_tokens),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);

    return cmocka_run_group_tests_name("sessions", tests, unit_store_setup,
                                       unit_store_teardown);
}

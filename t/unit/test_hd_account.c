/*
 * Accounts: creation with case-insensitive unique e-mail and login, lookups,
 * updates that keep the indexes right, and the check that proves it.
 */

#include "unit.h"
#include "hd_account.h"
#include "hd_store.h"


static hd_rc
create(const char *email, const char *login, uint64_t *id, hd_err_t *err)
{
    hd_rc               rc;
    hd_txn_t            txn;
    hd_account_input_t  in;

    hd_account_input_init(&in);
    in.email.data = (hd_uchar *) email;
    in.email.len = strlen(email);
    in.login.data = (hd_uchar *) login;
    in.login.len = strlen(login);
    in.name.data = (hd_uchar *) "Name";
    in.name.len = 4;

    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, err);
    rc = hd_account_create(&txn, &in, "pbkdf2-sha256$1$x$y", 100, id, err);

    if (rc == HD_OK) {
        hd_txn_commit(&txn, err);

    } else {
        hd_txn_abort(&txn);
    }

    return rc;
}


static void
test_unique_ignoring_case(void **state)
{
    uint64_t      id1, id2;
    hd_err_t      err;
    hd_txn_t      txn;
    hd_account_t  a;

    (void) state;

    assert_int_equal(create("Olga@Example.com", "Olga", &id1, &err), HD_OK);
    assert_int_equal(create("olga@example.COM", "olga2", &id2, &err),
                     HD_CONFLICT);
    assert_string_equal(err.field, "email");
    assert_int_equal(create("other@example.com", "OLGA", &id2, &err),
                     HD_CONFLICT);
    assert_string_equal(err.field, "login");
    assert_int_equal(create("Ирина@Пример.рф", "irina", &id2, &err), HD_OK);
    assert_int_equal(create("ИРИНА@пример.РФ", "irina2", &id2, &err),
                     HD_CONFLICT);

    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    assert_int_equal(hd_account_find(&txn, (hd_uchar *) "OLGA", 4, &a),
                     HD_OK);
    assert_true(a.id == id1);
    assert_int_equal(hd_account_find(&txn, (hd_uchar *) "olga@EXAMPLE.com",
                                     16, &a), HD_OK);
    assert_memory_equal(a.email.data, "Olga@Example.com", 16);
    assert_int_equal(hd_account_find(&txn, (hd_uchar *) "nobody", 6, &a),
                     HD_NOT_FOUND);
    hd_txn_abort(&txn);

    assert_int_equal(unit_problems(), 0);
}


static void
test_email_and_login_changes(void **state)
{
    uint64_t      id, other;
    hd_str_t      s;
    hd_err_t      err;
    hd_txn_t      txn;
    hd_account_t  a;

    (void) state;

    assert_int_equal(create("move@example.com", "mover", &id, &err), HD_OK);
    assert_int_equal(create("stay@example.com", "stayer", &other, &err),
                     HD_OK);

    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);
    s.data = (hd_uchar *) "STAY@example.com";
    s.len = 16;
    assert_int_equal(hd_account_set_email(&txn, id, &s, 200, &err),
                     HD_CONFLICT);
    s.data = (hd_uchar *) "moved@example.com";
    s.len = 17;
    assert_int_equal(hd_account_set_email(&txn, id, &s, 200, &err), HD_OK);
    s.data = (hd_uchar *) "Mover2";
    s.len = 6;
    assert_int_equal(hd_account_set_login(&txn, id, &s, 200, &err), HD_OK);
    hd_txn_commit(&txn, &err);

    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    assert_int_equal(hd_account_find(&txn, (hd_uchar *) "move@example.com",
                                     16, &a), HD_NOT_FOUND);
    assert_int_equal(hd_account_find(&txn, (hd_uchar *) "MOVED@example.com",
                                     17, &a), HD_OK);
    assert_true(a.id == id);
    assert_int_equal(hd_account_find(&txn, (hd_uchar *) "mover", 5, &a),
                     HD_NOT_FOUND);
    assert_int_equal(hd_account_find(&txn, (hd_uchar *) "mover2", 6, &a),
                     HD_OK);
    hd_txn_abort(&txn);

    assert_int_equal(unit_problems(), 0);
}


static void
test_check_finds_a_broken_index(void **state)
{
    hd_err_t  err;
    hd_txn_t  txn;
    hd_uchar  idv[8];

    (void) state;

    hd_be64_put(idv, 999);
    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);
    hd_db_put(&txn, HD_DB_ACCOUNT_BY_EMAIL, "ghost@example.com", 17, idv, 8,
              0, &err);
    hd_txn_commit(&txn, &err);

    assert_true(unit_problems() >= 2);   /* no account, and the counts differ */

    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);
    hd_db_del(&txn, HD_DB_ACCOUNT_BY_EMAIL, "ghost@example.com", 17, &err);
    hd_txn_commit(&txn, &err);

    assert_int_equal(unit_problems(), 0);
}


static void
test_validation(void **state)
{
    hd_errors_t         errors;
    hd_account_input_t  in;

    (void) state;

    hd_account_input_init(&in);
    memset(&errors, 0, sizeof(errors));
    hd_account_validate(&in, 1, &errors);
    assert_int_equal(errors.n, 4);      /* email, login, password, name */

    /* an update checks only what it is given */
    memset(&errors, 0, sizeof(errors));
    in.phone.data = (hd_uchar *) "+7 999 000-00-00";
    in.phone.len = strlen((char *) in.phone.data);
    hd_account_validate(&in, 0, &errors);
    assert_int_equal(errors.n, 0);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_unique_ignoring_case),
        cmocka_unit_test(test_email_and_login_changes),
        cmocka_unit_test(test_check_finds_a_broken_index),
        cmocka_unit_test(test_validation),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);

    return cmocka_run_group_tests_name("accounts", tests, unit_store_setup,
                                       unit_store_teardown);
}

/*
 * Account flows the portal's pages do not reach yet: a contact account
 * (made by e-mail, without a password) cannot log in, and registering with
 * its address claims it, keeping its id (and so its tickets).
 */

#include "unit.h"
#include "hd_auth.h"
#include "hd_store.h"


static void
test_contact_is_claimed(void **state)
{
    char                *dir;
    uint64_t             contact, id;
    hd_err_t             err;
    hd_txn_t             txn;
    hd_store_t          *store;
    hd_portal_t          portal;
    hd_errors_t          errors;
    hd_account_t         a;
    hd_login_input_t     li;
    hd_login_result_t    res;
    hd_account_input_t   in;

    (void) state;

    dir = unit_tmpdir();
    assert_int_equal(hd_store_open(&store, dir, 1 << 22, &err), HD_OK);

    memset(&portal, 0, sizeof(portal));
    portal.store = store;
    portal.login_limit.limit = 5;
    portal.login_limit.window = 900;

    /* as the mail gate will make it: an address and a name */
    hd_account_input_init(&in);
    in.email.data = (hd_uchar *) "writer@example.com";
    in.email.len = 18;
    in.name.data = (hd_uchar *) "Writer";
    in.name.len = 6;

    hd_txn_begin(store, &txn, HD_TXN_WRITE, &err);
    assert_int_equal(hd_account_create(&txn, &in, NULL, 1, &contact, &err),
                     HD_OK);
    hd_txn_commit(&txn, &err);

    memset(&li, 0, sizeof(li));
    li.who = in.email;
    li.password.data = (hd_uchar *) "anything at all";
    li.password.len = 15;
    assert_int_equal(hd_auth_login(&portal, &li, 2, &res, &err),
                     HD_UNAUTHORIZED);

    in.email.data = (hd_uchar *) "WRITER@example.com";
    in.login.data = (hd_uchar *) "writer";
    in.login.len = 6;
    in.password.data = (hd_uchar *) "writer password 1";
    in.password.len = 17;
    memset(&errors, 0, sizeof(errors));

    assert_int_equal(hd_auth_register(&portal, &in, 3, &id, &errors, &err),
                     HD_OK);
    assert_true(id == contact);

    hd_txn_begin(store, &txn, HD_TXN_READ, &err);
    assert_int_equal(hd_account_get(&txn, id, &a), HD_OK);
    assert_int_equal(a.state, HD_ACCOUNT_ACTIVE);
    assert_memory_equal(a.login.data, "writer", 6);
    assert_memory_equal(a.email.data, "writer@example.com", 18);
    hd_txn_abort(&txn);

    li.who = in.login;
    li.password = in.password;
    assert_int_equal(hd_auth_login(&portal, &li, 4, &res, &err), HD_OK);
    assert_true(res.account == contact);

    /* an active account is not claimed twice */
    in.login.data = (hd_uchar *) "writer2";
    in.login.len = 7;
    memset(&errors, 0, sizeof(errors));
    assert_int_equal(hd_auth_register(&portal, &in, 5, &id, &errors, &err),
                     HD_CONFLICT);
    assert_string_equal(errors.item[0].code, "email_taken");

    hd_store_close(store);
    unit_rmdir(dir);
    free(dir);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_contact_is_claimed),
    };

    return unit_run("account flows", tests,
                    sizeof(tests) / sizeof(tests[0]));
}

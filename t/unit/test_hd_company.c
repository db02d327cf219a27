/*
 * Companies: creation, the permission rules of roles, and the check that
 * memberships and accounts agree after every change.
 */

#include "unit.h"
#include "unit_people.h"
#include "hd_company.h"
#include "hd_templates.h"

static hd_portal_t      portal;
static hd_arena_t      *arena;
static uint64_t         ids[3];


static int
setup(void **state)
{
    int                  i;
    char                 path[1024], login[32];
    const char          *root = getenv("HELPDESK_ROOT");
    hd_err_t             err;
    hd_txn_t             txn;
    hd_templates_t      *t;

    if (unit_store_setup(state) != 0) {
        return -1;
    }

    arena = hd_arena_create(0);
    snprintf(path, sizeof(path), "%s/lua-free-templates", root ? root : ".");

    if (hd_templates_load(&arena->pool, path, &t, &err) != HD_OK) {
        return -1;
    }

    portal.store = unit_store;
    portal.templates = t;
    portal.base_url = (hd_str_t) hd_string("http://portal.example/");

    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);

    for (i = 0; i < 3; i++) {
        snprintf(login, sizeof(login), "person%d", i);
        ids[i] = unit_account(&txn, &arena->pool, login, "Person", -1);
    }

    hd_txn_commit(&txn, &err);

    return 0;
}


static int
teardown(void **state)
{
    hd_arena_destroy(arena);
    return unit_store_teardown(state);
}


static void
test_roles(void **state)
{
    uint64_t      company;
    hd_err_t      err;
    hd_txn_t      txn;
    hd_errors_t   errors;
    hd_member_t   m;

    (void) state;

    memset(&errors, 0, sizeof(errors));
    assert_int_equal(hd_company_create(&portal, ids[0],
                                       &(hd_str_t) hd_string("Acme"), 1,
                                       &company, &errors, &err), HD_OK);
    assert_int_equal(unit_problems(), 0);

    /* someone outside the company can do nothing to it */
    assert_int_equal(hd_company_set_member(&portal, ids[1], ids[0], 1, -1, 2,
                                           &err), HD_NOT_FOUND);
    assert_string_equal(err.code, "no_company");

    /* put person1 in directly, as a member */
    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);
    memset(&m, 0, sizeof(m));
    m.company = company;
    m.account = ids[1];
    {
        hd_uchar  key[16];
        hd_account_t  a;
        hd_buf_t      buf;

        hd_be64_put(key, company);
        hd_be64_put(key + 8, ids[1]);
        hd_record_put(&txn, HD_DB_COMPANY_MEMBERS, key, 16, &hd_member_desc,
                      &m, 0, &err);
        hd_account_get(&txn, ids[1], &a);
        a.company = company;
        hd_buf_init(&buf);
        hd_record_encode(&hd_account_desc, &a, &buf);
        hd_be64_put(key, ids[1]);
        hd_db_put(&txn, HD_DB_ACCOUNTS, key, 8, buf.data, buf.len, 0, &err);
        hd_buf_free(&buf);
    }
    hd_txn_commit(&txn, &err);
    assert_int_equal(unit_problems(), 0);

    /* a member cannot manage; the owner can; nobody changes the owner */
    assert_int_equal(hd_company_set_member(&portal, ids[1], ids[1], 1, -1, 2,
                                           &err), HD_FORBIDDEN);
    assert_int_equal(hd_company_set_member(&portal, ids[0], ids[1], 1,
                                           HD_RIGHT_SEES_TICKETS, 2, &err),
                     HD_OK);
    assert_int_equal(hd_company_set_member(&portal, ids[1], ids[0], 0, -1, 2,
                                           &err), HD_FORBIDDEN);
    assert_string_equal(err.code, "owner_fixed");
    assert_int_equal(hd_company_set_member(&portal, ids[0], ids[1],
                                           HD_MEMBER_OWNER, -1, 2, &err),
                     HD_INVALID);

    /* an admin removes a member of another company: not found */
    assert_int_equal(hd_company_remove_member(&portal, ids[1], ids[2], 3,
                                              &err), HD_NOT_FOUND);

    /* the admin leaves; the owner cannot */
    assert_int_equal(hd_company_remove_member(&portal, ids[0], ids[0], 3,
                                              &err), HD_FORBIDDEN);
    assert_int_equal(hd_company_remove_member(&portal, ids[1], ids[1], 3,
                                              &err), HD_OK);
    assert_int_equal(unit_problems(), 0);

    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    assert_int_equal(hd_company_member(&txn, company, ids[1], &m),
                     HD_NOT_FOUND);
    hd_txn_abort(&txn);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_roles),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);

    return cmocka_run_group_tests_name("companies", tests, setup, teardown);
}

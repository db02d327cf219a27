/*
 * The regulations' announcement in batches: every active account mailed
 * once, a batch of accounts a transaction; after a crash between batches
 * (the marker left where it was), the rest, and no one twice.
 */

#include "unit.h"
#include "hd_account.h"
#include "hd_date.h"
#include "hd_portal.h"
#include "hd_regulations.h"
#include "hd_schema.h"
#include "hd_templates.h"


#define UNIT_ACCOUNTS  1234


/* the product's own templates (the tests run in the repository) */
static const char *
unit_templates(void)
{
    const char  *root = getenv("HELPDESK_ROOT");
    static char  dir[1024];

    snprintf(dir, sizeof(dir), "%s/lua-free-templates", root ? root : ".");

    return dir;
}


static size_t
unit_outbox(void)
{
    size_t    n = 0;
    hd_err_t  err;
    hd_txn_t  txn;

    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    hd_db_count(&txn, HD_DB_OUTBOX, &n);
    hd_txn_abort(&txn);

    return n;
}


static void
test_batches(void **state)
{
    char             email[64];
    size_t           i, active, mailed, before;
    hd_err_t         err;
    hd_txn_t         txn;
    hd_uchar         key[8], mark[16];
    hd_arena_t      *arena;
    hd_portal_t      portal;
    hd_errors_t      errors;
    hd_account_t     a;
    hd_edition_t     e;
    hd_templates_t  *t;

    (void) state;

    arena = hd_arena_create(0);
    assert_int_equal(hd_templates_load(&arena->pool, unit_templates(), &t,
                                       &err), HD_OK);

    memset(&portal, 0, sizeof(portal));
    portal.store = unit_store;
    portal.templates = t;
    portal.base_url.data = (hd_uchar *) "https://support.example.com/";
    portal.base_url.len = strlen("https://support.example.com/");

    /* accounts, every tenth disabled */
    active = 0;
    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);

    for (i = 1; i <= UNIT_ACCOUNTS; i++) {
        memset(&a, 0, sizeof(a));
        a.id = i;
        snprintf(email, sizeof(email), "user%zu@example.com", i);
        a.email.data = (hd_uchar *) email;
        a.email.len = strlen(email);
        a.login = a.email;
        a.name = a.email;
        a.state = i % 10 ? HD_ACCOUNT_ACTIVE : HD_ACCOUNT_DISABLED;
        a.email_confirmed = 1;
        active += i % 10 != 0;

        hd_be64_put(key, i);
        assert_int_equal(hd_record_put(&txn, HD_DB_ACCOUNTS, key, 8,
                                       &hd_account_desc, &a, 0, &err), HD_OK);
    }

    hd_txn_commit(&txn, &err);

    before = unit_outbox();

    memset(&e, 0, sizeof(e));
    memset(&errors, 0, sizeof(errors));
    e.body_ru.data = (hd_uchar *) "# Регламент";
    e.body_ru.len = strlen("# Регламент");
    e.effective = (uint32_t) (hd_date_today(1796000000) + 20);
    assert_int_equal(hd_regulations_publish(&portal, &e, 1796000000, &mailed,
                                            &errors, &err), HD_OK);
    assert_int_equal(mailed, active);
    assert_int_equal(unit_outbox() - before, active);

    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    assert_false(hd_regulations_announcing(&txn));
    hd_txn_abort(&txn);

    /* a crash after the first batch: the marker where that batch left it;
       the timer's call goes on from there */
    before = unit_outbox();
    hd_be64_put(mark, e.id);
    hd_be64_put(mark + 8, 500);
    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);
    hd_db_put(&txn, HD_DB_META, "regulations:announce", 20, mark, 16, 0,
              &err);
    hd_txn_commit(&txn, &err);

    assert_int_equal(hd_regulations_announce(&portal, 1796000100, &mailed,
                                             &err), HD_OK);

    /* accounts 501-1234, less the disabled ones */
    assert_int_equal(mailed, (UNIT_ACCOUNTS - 500)
                             - (UNIT_ACCOUNTS / 10 - 500 / 10));
    assert_int_equal(unit_outbox() - before, mailed);

    /* nothing left: no more mail, and no write */
    assert_int_equal(hd_regulations_announce(&portal, 1796000200, &mailed,
                                             &err), HD_OK);
    assert_int_equal(mailed, 0);

    hd_arena_destroy(arena);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_batches),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);

    return cmocka_run_group_tests_name("regulations", tests,
                                       unit_store_setup, unit_store_teardown);
}

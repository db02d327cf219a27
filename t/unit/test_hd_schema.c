/*
 * The schema: a new environment gets the current version, migrations run in
 * order, a newer environment is refused, the check finds damage.
 */

#include "unit.h"
#include "hd_product.h"
#include "hd_store.h"


static int  steps[8];
static int  nsteps;


static hd_rc
step_1_to_2(hd_txn_t *txn, hd_err_t *err)
{
    steps[nsteps++] = 1;
    return hd_db_put(txn, HD_DB_META, "migrated", 8, "2", 1, 0, err);
}


static hd_rc
step_2_to_3(hd_txn_t *txn, hd_err_t *err)
{
    (void) txn;
    (void) err;
    steps[nsteps++] = 2;
    return HD_OK;
}


static const hd_migration_t  test_migrations[] = {
    { 2, "second", step_2_to_3 },
    { 1, "first", step_1_to_2 },
};


static hd_store_t *
open_fresh(char **dir)
{
    hd_err_t     err;
    hd_store_t  *store;

    *dir = unit_tmpdir();
    assert_int_equal(hd_store_open(&store, *dir, 1 << 20, &err), HD_OK);

    return store;
}


static void
test_new_environment(void **state)
{
    char        *dir;
    uint32_t     version;
    hd_txn_t     txn;
    hd_err_t     err;
    hd_store_t  *store;

    (void) state;

    store = open_fresh(&dir);
    hd_txn_begin(store, &txn, HD_TXN_READ, &err);
    assert_int_equal(hd_schema_version(&txn, &version), HD_OK);
    assert_int_equal(version, HD_SCHEMA_VERSION);
    assert_int_equal(hd_db_get(&txn, HD_DB_META, "created", 7, NULL), HD_OK);
    hd_txn_abort(&txn);
    hd_store_close(store);
    unit_rmdir(dir);
    free(dir);
}


static void
test_migrations_run_in_order(void **state)
{
    char        *dir;
    hd_uchar     vv[4];
    uint32_t     version;
    hd_str_t     v;
    hd_txn_t     txn;
    hd_err_t     err;
    hd_store_t  *store;

    (void) state;

    store = open_fresh(&dir);

    /* as if the environment were of version 1 */
    hd_txn_begin(store, &txn, HD_TXN_WRITE, &err);
    hd_be32_put(vv, 1);
    assert_int_equal(hd_db_put(&txn, HD_DB_META, "schema", 6, vv, 4, 0, &err),
                     HD_OK);
    nsteps = 0;
    assert_int_equal(hd_schema_prepare(&txn, test_migrations, 2, 3, &err),
                     HD_OK);
    assert_int_equal(nsteps, 2);
    assert_int_equal(steps[0], 1);
    assert_int_equal(steps[1], 2);
    hd_schema_version(&txn, &version);
    assert_int_equal(version, 3);
    assert_int_equal(hd_db_get(&txn, HD_DB_META, "migrated", 8, &v), HD_OK);

    /* nothing more to do the second time */
    nsteps = 0;
    assert_int_equal(hd_schema_prepare(&txn, test_migrations, 2, 3, &err),
                     HD_OK);
    assert_int_equal(nsteps, 0);

    /* a gap in the migrations is an error, not a silent jump */
    assert_int_equal(hd_schema_prepare(&txn, test_migrations, 2, 5, &err),
                     HD_CORRUPT);
    assert_non_null(strstr(err.text, "no migration from schema version 3"));

    hd_txn_abort(&txn);
    hd_store_close(store);
    unit_rmdir(dir);
    free(dir);
}


/*
 * The real step from version 1: an environment made before tickets gets
 * a general queue (its first department) and the ticket databases
 */
static void
test_version_1_gets_tickets(void **state)
{
    char             *dir;
    size_t            n;
    uint32_t          version;
    hd_uchar          v[4];
    hd_txn_t          txn;
    hd_err_t          err;
    hd_store_t       *store;
    hd_department_t   d;

    (void) state;

    store = open_fresh(&dir);

    hd_txn_begin(store, &txn, HD_TXN_WRITE, &err);
    assert_int_equal(hd_department_with(&txn, HD_DEPARTMENT_GENERAL, &d),
                     HD_OK);
    d.flags &= ~HD_DEPARTMENT_GENERAL;
    assert_int_equal(hd_department_save(&txn, &d, 0, &err), HD_OK);
    hd_be32_put(v, 1);
    hd_db_put(&txn, HD_DB_META, "schema", 6, v, 4, 0, &err);
    assert_int_equal(hd_txn_commit(&txn, &err), HD_OK);
    hd_store_close(store);

    assert_int_equal(hd_store_open(&store, dir, 0, &err), HD_OK);
    hd_txn_begin(store, &txn, HD_TXN_READ, &err);
    hd_schema_version(&txn, &version);
    assert_int_equal(version, HD_SCHEMA_VERSION);     /* 1 -> 2 -> 3 */
    assert_int_equal(hd_department_with(&txn, HD_DEPARTMENT_GENERAL, &d),
                     HD_OK);
    assert_true(d.flags & HD_DEPARTMENT_GENERAL);
    assert_int_equal(d.id, 1);
    assert_int_equal(hd_db_count(&txn, HD_DB_TICKETS, &n), HD_OK);
    assert_int_equal(n, 0);
    hd_txn_abort(&txn);
    hd_store_close(store);
    unit_rmdir(dir);
    free(dir);
}


static void
test_newer_environment_is_refused(void **state)
{
    char        *dir;
    hd_txn_t     txn;
    hd_err_t     err;
    hd_uchar     v[4];
    hd_store_t  *store;

    (void) state;

    store = open_fresh(&dir);
    hd_txn_begin(store, &txn, HD_TXN_WRITE, &err);
    hd_be32_put(v, HD_SCHEMA_VERSION + 1);
    hd_db_put(&txn, HD_DB_META, "schema", 6, v, 4, 0, &err);
    hd_txn_commit(&txn, &err);
    hd_store_close(store);

    hd_err_clear(&err);
    assert_int_not_equal(hd_store_open(&store, dir, 0, &err), HD_OK);
    assert_non_null(strstr(err.text, "newer than this module"));

    unit_rmdir(dir);
    free(dir);
}


static void
test_check_reports(void **state)
{
    char        *dir;
    hd_txn_t     txn;
    hd_err_t     err;
    hd_check_t   check;
    hd_store_t  *store;

    (void) state;

    store = open_fresh(&dir);
    hd_buf_init(&check.report);
    check.problems = 0;

    hd_txn_begin(store, &txn, HD_TXN_READ, &err);
    hd_schema_check(&txn, &check);
    hd_txn_abort(&txn);

    assert_int_equal(check.problems, 0);
    assert_non_null(strstr((char *) check.report.data, "schema version"));
    assert_non_null(strstr((char *) check.report.data, "meta"));

    /* a damaged version is found */
    hd_txn_begin(store, &txn, HD_TXN_WRITE, &err);
    hd_db_put(&txn, HD_DB_META, "schema", 6, "x", 1, 0, &err);
    hd_buf_reset(&check.report);
    hd_schema_check(&txn, &check);
    hd_txn_abort(&txn);
    assert_int_equal(check.problems, 1);

    hd_buf_free(&check.report);
    hd_store_close(store);
    unit_rmdir(dir);
    free(dir);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_new_environment),
        cmocka_unit_test(test_migrations_run_in_order),
        cmocka_unit_test(test_version_1_gets_tickets),
        cmocka_unit_test(test_newer_environment_is_refused),
        cmocka_unit_test(test_check_reports),
    };

    return unit_run("schema", tests, sizeof(tests) / sizeof(tests[0]));
}

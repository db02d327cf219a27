/*
 * Products, certificate types and departments: unique names (any case),
 * renames that move the name index, lookups by id or name, validation.
 */

#include "unit.h"
#include "hd_product.h"

static void
test_names(void **state)
{
    hd_err_t         err;
    hd_txn_t         txn;
    hd_product_t     p, q, got;
    hd_department_t  d;

    (void) state;

    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);

    /* the defaults of a new environment */
    assert_int_equal(hd_department_lookup(&txn,
                     &(hd_str_t) hd_string("сервис-менеджеры"), &d), HD_OK);
    assert_true(d.flags & HD_DEPARTMENT_FEEDBACK);

    memset(&p, 0, sizeof(p));
    hd_str_set(&p.name, "КриптоПро CSP");
    assert_int_equal(hd_product_save(&txn, &p, 1, &err), HD_OK);
    assert_true(p.id == 1);

    memset(&q, 0, sizeof(q));
    hd_str_set(&q.name, "криптопро csp");
    assert_int_equal(hd_product_save(&txn, &q, 1, &err), HD_CONFLICT);
    assert_string_equal(err.code, "name_taken");

    /* a rename frees the old name and takes the new one */
    hd_str_set(&p.name, "КриптоПро CSP 5");
    assert_int_equal(hd_product_save(&txn, &p, 2, &err), HD_OK);
    assert_int_equal(hd_product_save(&txn, &q, 2, &err), HD_OK);
    assert_int_equal(hd_product_lookup(&txn,
                     &(hd_str_t) hd_string("КРИПТОПРО CSP 5"), &got), HD_OK);
    assert_true(got.id == 1);
    assert_int_equal(hd_product_lookup(&txn, &(hd_str_t) hd_string("2"),
                                       &got), HD_OK);
    assert_true(got.id == 2 && got.created == 2);

    hd_txn_commit(&txn, &err);
}


static void
test_type_validation(void **state)
{
    hd_err_t        err;
    hd_txn_t        txn;
    hd_errors_t     errors;
    hd_cert_type_t  t;

    (void) state;

    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);

    memset(&t, 0, sizeof(t));
    memset(&errors, 0, sizeof(errors));
    t.level = HD_LEVEL_COUNT;
    t.kind = HD_CERT_KIND_COUNT;
    t.premium_per_year = 100001;
    hd_cert_type_validate(&txn, &t, &errors);
    assert_int_equal(errors.n, 8);

    memset(&errors, 0, sizeof(errors));
    hd_str_set(&t.name, "Сертификат (3 года)");
    t.product = 1;
    t.term_months = 36;
    t.kind = HD_CERT_CERTIFICATE;
    t.ticket_limit = 2;
    t.level = HD_LEVEL_MSA_BUSINESS;
    t.premium_per_year = HD_PREMIUM_UNLIMITED;
    t.department = 2;
    hd_cert_type_validate(&txn, &t, &errors);
    assert_int_equal(errors.n, 0);
    assert_int_equal(hd_cert_type_save(&txn, &t, 5, &err), HD_OK);

    assert_int_equal(hd_level_from_name((hd_uchar *) "msa_plus", 8),
                     HD_LEVEL_MSA_PLUS);
    assert_int_equal(hd_level_from_name((hd_uchar *) "gold", 4), -1);

    hd_txn_commit(&txn, &err);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_type_validation),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);

    return cmocka_run_group_tests_name("catalogue", tests, unit_store_setup,
                                       unit_store_teardown);
}

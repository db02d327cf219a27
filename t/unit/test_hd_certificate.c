/*
 * Certificates: issuing (numbers, codes), the claim's checks in order, the
 * holder index, transfer, import (all or nothing), and the check.
 */

#include "unit.h"
#include "hd_certificate.h"
#include "hd_date.h"

static uint64_t  type_id;


static void
test_issue(void **state)
{
    char              number[HD_CERT_NUMBER_BUF], code[HD_CERT_CODE_TEXT_LEN + 1];
    hd_err_t          err;
    hd_txn_t          txn;
    hd_product_t      p;
    hd_cert_type_t    t;
    hd_certificate_t  c;

    (void) state;

    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);

    memset(&p, 0, sizeof(p));
    hd_str_set(&p.name, "P");
    hd_product_save(&txn, &p, 1, &err);

    memset(&t, 0, sizeof(t));
    hd_str_set(&t.name, "T");
    t.product = p.id;
    t.term_months = 12;
    t.ticket_limit = 2;
    t.department = 1;
    assert_int_equal(hd_cert_type_save(&txn, &t, 1, &err), HD_OK);
    type_id = t.id;

    memset(&c, 0, sizeof(c));
    c.type = t.id;
    c.valid_from = hd_date_from_ymd(2026, 1, 1);
    c.valid_until = hd_date_from_ymd(2026, 12, 31);
    assert_int_equal(hd_cert_issue(&txn, &c, 1, 1795300000, number, code,
                                   &err), HD_OK);
    assert_int_equal(strncmp(number, "HD-2026-", 8), 0);
    assert_int_equal(strlen(code), HD_CERT_CODE_TEXT_LEN);
    assert_null(strpbrk(code, "01OIL"));

    memset(&c, 0, sizeof(c));
    c.type = t.id;
    hd_str_set(&c.number, "hd-2026-000001");
    c.valid_until = 1;
    assert_int_equal(hd_cert_issue(&txn, &c, 0, 1, number, code, &err),
                     HD_CONFLICT);

    c.type = 99;
    hd_str_set(&c.number, "OTHER");
    assert_int_equal(hd_cert_issue(&txn, &c, 0, 1, number, code, &err),
                     HD_INVALID);

    hd_txn_commit(&txn, &err);
}


static void
test_claims(void **state)
{
    int               already;
    char              number[HD_CERT_NUMBER_BUF], code[HD_CERT_CODE_TEXT_LEN + 1];
    int32_t           today = hd_date_from_ymd(2026, 6, 1);
    hd_err_t          err;
    hd_txn_t          txn;
    hd_cert_claim_t   claim;
    hd_certificate_t  c;

    (void) state;

    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);

    memset(&c, 0, sizeof(c));
    c.type = type_id;
    hd_str_set(&c.number, "CLAIM-1");
    c.valid_from = hd_date_from_ymd(2026, 1, 1);
    c.valid_until = hd_date_from_ymd(2026, 12, 31);
    hd_cert_issue(&txn, &c, 1, 1, number, code, &err);

    memset(&claim, 0, sizeof(claim));
    hd_str_set(&claim.number, "claim-1");
    claim.holder_kind = HD_HOLDER_ACCOUNT;
    claim.holder = 7;
    claim.account = 7;

    assert_int_equal(hd_cert_register(&txn, &claim, today, 2, &c, &already,
                                      &err), HD_INVALID);
    assert_string_equal(err.code, "code_required");

    hd_str_set(&claim.code, "AAAA-AAAA-AAAA-AAAA");
    assert_int_equal(hd_cert_register(&txn, &claim, today, 2, &c, &already,
                                      &err), HD_INVALID);
    assert_string_equal(err.code, "code_wrong");

    claim.code.data = (hd_uchar *) code;
    claim.code.len = strlen(code);
    assert_int_equal(hd_cert_register(&txn, &claim, hd_date_from_ymd(2027, 1, 1),
                                      2, &c, &already, &err), HD_INVALID);
    assert_string_equal(err.code, "cert_expired");
    assert_int_equal(hd_cert_register(&txn, &claim, hd_date_from_ymd(2025, 1, 1),
                                      2, &c, &already, &err), HD_INVALID);
    assert_string_equal(err.code, "cert_not_yet_valid");

    assert_int_equal(hd_cert_register(&txn, &claim, today, 2, &c, &already,
                                      &err), HD_OK);
    assert_false(already);
    assert_int_equal(hd_cert_register(&txn, &claim, today, 3, &c, &already,
                                      &err), HD_OK);
    assert_true(already);

    claim.holder = 8;
    claim.account = 8;
    assert_int_equal(hd_cert_register(&txn, &claim, today, 3, &c, &already,
                                      &err), HD_CONFLICT);
    assert_string_equal(err.code, "cert_registered_elsewhere");

    hd_str_set(&claim.number, "NOPE");
    assert_int_equal(hd_cert_register(&txn, &claim, today, 3, &c, &already,
                                      &err), HD_NOT_FOUND);
    assert_string_equal(err.code, "cert_unknown");

    hd_txn_commit(&txn, &err);

    assert_int_equal(unit_problems(), 0);
}


static void
test_transfer(void **state)
{
    size_t             n, moved;
    hd_err_t           err;
    hd_txn_t           txn;
    hd_arena_t        *arena;
    hd_certificate_t  *list;

    (void) state;

    arena = hd_arena_create(0);
    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);

    assert_int_equal(hd_cert_transfer(&txn, HD_HOLDER_ACCOUNT, 7,
                                      HD_HOLDER_COMPANY, 3, &moved, &err),
                     HD_OK);
    assert_int_equal(moved, 1);

    hd_cert_list_holder(&txn, HD_HOLDER_ACCOUNT, 7, &arena->pool, &list, &n);
    assert_int_equal(n, 0);
    hd_cert_list_holder(&txn, HD_HOLDER_COMPANY, 3, &arena->pool, &list, &n);
    assert_int_equal(n, 1);
    assert_memory_equal(list[0].number.data, "CLAIM-1", 7);

    hd_txn_commit(&txn, &err);
    hd_arena_destroy(arena);

    assert_int_equal(unit_problems(), 0);
}


static void
test_import_all_or_nothing(void **state)
{
    char              csv[512];
    hd_err_t          err;
    hd_cert_import_t  result;

    (void) state;

    hd_buf_init(&result.report);

    snprintf(csv, sizeof(csv),
             "number,code,type,valid_from,valid_until\n"
             "IMP-1,,%llu,2026-01-01,2026-12-31\n"
             "IMP-2,,%llu,2026-01-01,2025-12-31\n",
             (unsigned long long) type_id, (unsigned long long) type_id);

    assert_int_equal(hd_cert_import(unit_store, (hd_uchar *) csv, strlen(csv), 1,
                                    0, &result, &err), HD_INVALID);
    assert_int_equal(result.bad_lines, 1);
    assert_non_null(strstr((char *) result.report.data, "line 3:"));

    snprintf(csv, sizeof(csv),
             "number,code,type,valid_from,valid_until\n"
             "IMP-1,,%llu,2026-01-01,2026-12-31\n"
             "IMP-2,X,T,2026-01-01,2026-12-31\n",
             (unsigned long long) type_id);

    hd_buf_reset(&result.report);
    assert_int_equal(hd_cert_import(unit_store, (hd_uchar *) csv, strlen(csv), 1,
                                    0, &result, &err), HD_OK);
    assert_int_equal(result.imported, 2);

    hd_buf_free(&result.report);
    assert_int_equal(unit_problems(), 0);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_issue),
        cmocka_unit_test(test_claims),
        cmocka_unit_test(test_transfer),
        cmocka_unit_test(test_import_all_or_nothing),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);

    return cmocka_run_group_tests_name("certificates", tests,
                                       unit_store_setup, unit_store_teardown);
}

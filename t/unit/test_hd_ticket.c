/*
 * Tickets: the transition and priority tables, creation within the
 * certificate's limit and the premium quota, the lists (paging, newest
 * first, a company's tickets), reopen windows, signed rating links, and the
 * check finding the indexes in step after every flow.
 */

#include "unit.h"
#include "unit_people.h"
#include "hd_company.h"
#include "hd_date.h"
#include "hd_templates.h"
#include "hd_ticket_customer.h"


static hd_portal_t   portal;
static hd_arena_t   *arena;
static uint64_t      alice, bob, carol;
static char          cert_number[HD_CERT_NUMBER_BUF];
static char          msa_number[HD_CERT_NUMBER_BUF];
static uint64_t      now = 1795300000;      /* 2026-11-21 */


static int
setup(void **state)
{
    char             path[1024];
    const char      *root = getenv("HELPDESK_ROOT");
    hd_err_t         err;
    hd_txn_t         txn;
    hd_product_t     p;
    hd_cert_type_t   t;
    hd_templates_t  *tpl;
    hd_ticket_policy_t  policy = HD_TICKET_POLICY_DEFAULT;

    if (unit_store_setup(state) != 0) {
        return -1;
    }

    arena = hd_arena_create(0);
    snprintf(path, sizeof(path), "%s/lua-free-templates", root ? root : ".");

    if (hd_templates_load(&arena->pool, path, &tpl, &err) != HD_OK) {
        fprintf(stderr, "# %s\n", err.text);
        return -1;
    }

    portal.store = unit_store;
    portal.templates = tpl;
    portal.base_url = (hd_str_t) hd_string("http://portal.example/");
    portal.tickets = policy;
    portal.tickets.number_start = 33858;

    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);

    alice = unit_account(&txn, &arena->pool, "alice", "Person", -1);
    bob = unit_account(&txn, &arena->pool, "bob", "Person", -1);
    carol = unit_account(&txn, &arena->pool, "carol", "Person", -1);

    memset(&p, 0, sizeof(p));
    hd_str_set(&p.name, "CSP");
    hd_product_save(&txn, &p, 1, &err);

    memset(&t, 0, sizeof(t));
    hd_str_set(&t.name, "Standard");
    t.product = p.id;
    t.term_months = 24;
    t.ticket_limit = 2;
    t.department = 1;
    hd_cert_type_save(&txn, &t, 1, &err);
    unit_certificate(&txn, t.id, alice, cert_number);

    memset(&t, 0, sizeof(t));
    hd_str_set(&t.name, "MSA Start");
    t.product = p.id;
    t.term_months = 24;
    t.ticket_limit = 10;
    t.level = HD_LEVEL_MSA_START;
    t.premium_per_year = 2;
    t.department = 2;
    hd_cert_type_save(&txn, &t, 1, &err);
    unit_certificate(&txn, t.id, alice, msa_number);

    assert_int_equal(hd_txn_commit(&txn, &err), HD_OK);

    return 0;
}


static int
teardown(void **state)
{
    hd_arena_destroy(arena);
    return unit_store_teardown(state);
}


static void
check_clean(void)
{
    hd_txn_t    txn;
    hd_err_t    err;
    hd_check_t  check;

    memset(&check, 0, sizeof(check));
    hd_buf_init(&check.report);
    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    hd_schema_check(&txn, &check);
    hd_txn_abort(&txn);

    if (check.problems) {
        fprintf(stderr, "# %.*s\n", (int) check.report.len,
                (char *) check.report.data);
    }

    assert_int_equal(check.problems, 0);
    hd_buf_free(&check.report);
}


static hd_rc
create(uint64_t author, const char *cert, int premium, int severity,
    hd_ticket_t *t, hd_errors_t *errors, hd_err_t *err)
{
    hd_ticket_input_t  in;

    hd_ticket_input_init(&in);
    hd_str_set(&in.subject, "It does not work");
    hd_str_set(&in.description, "Details\nmore details");
    in.category = HD_CATEGORY_TECHNICAL;
    in.type = HD_TYPE_BUG;
    in.severity = severity;
    in.premium = premium;

    if (cert != NULL) {
        in.certificate.data = (hd_uchar *) cert;
        in.certificate.len = strlen(cert);
    }

    memset(errors, 0, sizeof(*errors));

    return hd_ticket_create(&portal, author, &in, now, t, errors, err);
}


static void
test_tables(void **state)
{
    (void) state;

    assert_int_equal(hd_transition(HD_ACTION_CUSTOMER_CLOSE,
                                   HD_STATUS_SOLVED), HD_STATUS_CLOSED);
    assert_int_equal(hd_transition(HD_ACTION_CUSTOMER_CLOSE, HD_STATUS_NEW),
                     HD_STATUS_CANCELLED_BY_CUSTOMER);
    assert_int_equal(hd_transition(HD_ACTION_CUSTOMER_CLOSE,
                                   HD_STATUS_AWAITING_CUSTOMER),
                     HD_STATUS_CANCELLED_BY_CUSTOMER);
    assert_int_equal(hd_transition(HD_ACTION_CUSTOMER_CLOSE,
                                   HD_STATUS_CLOSED), -1);
    assert_int_equal(hd_transition(HD_ACTION_CUSTOMER_REPLY,
                                   HD_STATUS_AWAITING_CUSTOMER),
                     HD_STATUS_OPEN);
    assert_int_equal(hd_transition(HD_ACTION_CUSTOMER_REPLY,
                                   HD_STATUS_CLOSED), -1);
    assert_int_equal(hd_transition(HD_ACTION_REOPEN, HD_STATUS_CLOSED_NO_INFO),
                     HD_STATUS_OPEN);
    assert_int_equal(hd_transition(HD_ACTION_REOPEN,
                                   HD_STATUS_CANCELLED_BY_CUSTOMER), -1);
    assert_int_equal(hd_transition(HD_ACTION_REOPEN,
                                   HD_STATUS_CANCELLED_BY_STAFF), -1);
    assert_int_equal(hd_transition(HD_ACTION_AUTOCLOSE, HD_STATUS_SOLVED),
                     HD_STATUS_CLOSED);
    assert_int_equal(hd_transition(HD_ACTION_AUTOCLOSE,
                                   HD_STATUS_AWAITING_CUSTOMER),
                     HD_STATUS_CLOSED_NO_INFO);
    assert_int_equal(hd_transition(HD_ACTION_AUTOCLOSE, HD_STATUS_OPEN), -1);

    /* SPEC §5.4 */
    assert_int_equal(hd_priority_derive(0, 0, 0, 3), HD_PRIORITY_LOW);
    assert_int_equal(hd_priority_derive(0, 0, 0, 1), HD_PRIORITY_LOW);
    assert_int_equal(hd_priority_derive(1, 0, HD_LEVEL_MSA_PLUS, 2),
                     HD_PRIORITY_NORMAL);
    assert_int_equal(hd_priority_derive(1, 1, HD_LEVEL_MSA_START, 2),
                     HD_PRIORITY_ELEVATED);
    assert_int_equal(hd_priority_derive(1, 1, HD_LEVEL_MSA_BUSINESS, 1),
                     HD_PRIORITY_CRITICAL);
    assert_int_equal(hd_priority_derive(1, 1, HD_LEVEL_MSA_ENTERPRISE, 1),
                     HD_PRIORITY_CRITICAL);

    assert_int_equal(hd_contract_year(hd_date_from_ymd(2026, 3, 15),
                                      hd_date_from_ymd(2027, 3, 14)), 0);
    assert_int_equal(hd_contract_year(hd_date_from_ymd(2026, 3, 15),
                                      hd_date_from_ymd(2027, 3, 15)), 1);
}


static void
test_create_and_limit(void **state)
{
    hd_err_t        err;
    hd_errors_t     errors;
    hd_ticket_t     t1, t2, t3;
    hd_ticket_change_t  ch;
    uint8_t         status;

    (void) state;

    assert_int_equal(create(alice, cert_number, 0, 3, &t1, &errors, &err),
                     HD_OK);
    assert_int_equal(t1.number, 33858);
    assert_int_equal(t1.status, HD_STATUS_NEW);
    assert_int_equal(t1.priority, HD_PRIORITY_NORMAL);
    assert_int_equal(t1.department, 1);

    assert_int_equal(create(alice, cert_number, 0, 1, &t2, &errors, &err),
                     HD_OK);
    assert_int_equal(t2.number, 33859);
    assert_int_equal(t2.priority, HD_PRIORITY_ELEVATED);

    /* the limit of 2 unclosed: the third is refused, nothing stored */
    assert_int_equal(create(alice, cert_number, 0, 3, &t3, &errors, &err),
                     HD_LIMIT);
    assert_string_equal(err.code, "ticket_limit_reached");
    assert_string_equal(err.field, "certificate");

    /* someone else's certificate is unknown to them */
    assert_int_equal(create(bob, cert_number, 0, 3, &t3, &errors, &err),
                     HD_INVALID);
    assert_string_equal(errors.item[0].code, "certificate_unknown");

    /* without one: the lowest priority, the general queue */
    assert_int_equal(create(bob, NULL, 0, 3, &t3, &errors, &err), HD_OK);
    assert_int_equal(t3.number, 33860);
    assert_int_equal(t3.priority, HD_PRIORITY_LOW);
    assert_int_equal(t3.department, 1);

    /* closing one frees a slot */
    memset(&ch, 0, sizeof(ch));
    ch.number = t1.number;
    ch.actor = alice;
    assert_int_equal(hd_ticket_close(&portal, &ch, now + 10, &status, &err),
                     HD_OK);
    assert_int_equal(status, HD_STATUS_CANCELLED_BY_CUSTOMER);
    assert_int_equal(create(alice, cert_number, 0, 3, &t3, &errors, &err),
                     HD_OK);

    /* and a cancelled ticket never comes back */
    ch.body = (hd_str_t) hd_string("again");
    assert_int_equal(hd_ticket_reopen(&portal, &ch, now + 20, &status, &err),
                     HD_CONFLICT);
    assert_string_equal(err.code, "ticket_cannot_reopen");

    /* bob sees none of alice's: 404 as if it did not exist */
    ch.number = t2.number;
    ch.actor = bob;
    ch.body = (hd_str_t) hd_string("hi");
    assert_int_equal(hd_ticket_reply(&portal, &ch, now, &ch.number, &status,
                                     &err), HD_NOT_FOUND);

    check_clean();
}


static void
test_premium_quota(void **state)
{
    hd_err_t      err;
    hd_errors_t   errors;
    hd_ticket_t   t;

    (void) state;

    assert_int_equal(create(bob, NULL, 1, 3, &t, &errors, &err),
                     HD_INVALID);
    assert_string_equal(err.code, "premium_needs_certificate");

    assert_int_equal(create(alice, msa_number, 1, 2, &t, &errors, &err),
                     HD_OK);
    assert_int_equal(t.priority, HD_PRIORITY_ELEVATED);
    assert_int_equal(t.premium, 1);
    assert_int_equal(t.department, 2);

    assert_int_equal(create(alice, msa_number, 1, 1, &t, &errors, &err),
                     HD_OK);
    assert_int_equal(t.priority, HD_PRIORITY_HIGH);

    assert_int_equal(create(alice, msa_number, 1, 2, &t, &errors, &err),
                     HD_LIMIT);
    assert_string_equal(err.code, "premium_quota_spent");

    /* a standard ticket on the same contract still goes */
    assert_int_equal(create(alice, msa_number, 0, 2, &t, &errors, &err),
                     HD_OK);
    assert_int_equal(t.priority, HD_PRIORITY_NORMAL);

    check_clean();
}


static void
test_lists(void **state)
{
    size_t             i;
    uint64_t           company, prev;
    hd_err_t           err;
    hd_txn_t           txn;
    hd_errors_t        errors;
    hd_ticket_t        t;
    hd_ticket_page_t   page;
    hd_ticket_query_t  q;
    hd_account_t       a;

    (void) state;

    /* carol: 25 tickets, then a company; 5 more inside it */
    for (i = 0; i < 25; i++) {
        now++;
        assert_int_equal(create(carol, NULL, 0, 3, &t, &errors, &err), HD_OK);
    }

    assert_int_equal(hd_company_create(&portal, carol,
                                       &(hd_str_t) hd_string("Romashka"),
                                       now, &company, &errors, &err), HD_OK);

    for (i = 0; i < 5; i++) {
        now++;
        assert_int_equal(create(carol, NULL, 0, 3, &t, &errors, &err), HD_OK);
    }

    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);

    memset(&q, 0, sizeof(q));
    q.account = carol;
    q.company = company;
    q.sees_company = 1;
    q.limit = 20;

    assert_int_equal(hd_ticket_list(&txn, &q, &arena->pool, &page), HD_OK);
    assert_int_equal(page.unclosed, 30);
    assert_int_equal(page.total, 30);
    assert_int_equal(page.n, 20);

    /* newest update first, across the runs */
    prev = UINT64_MAX;
    for (i = 0; i < page.n; i++) {
        assert_true(page.tickets[i].updated <= prev);
        prev = page.tickets[i].updated;
    }

    assert_int_equal(page.tickets[0].company, company);

    q.offset = 20;
    assert_int_equal(hd_ticket_list(&txn, &q, &arena->pool, &page), HD_OK);
    assert_int_equal(page.n, 10);
    assert_true(page.tickets[0].updated <= prev);

    /* as one without the company's sight: still all their own */
    q.offset = 0;
    q.sees_company = 0;
    assert_int_equal(hd_ticket_list(&txn, &q, &arena->pool, &page), HD_OK);
    assert_int_equal(page.unclosed, 30);

    hd_account_get(&txn, carol, &a);
    assert_true(hd_ticket_sees_company(&txn, &a));

    hd_txn_abort(&txn);

    check_clean();
}


/*
 * A ticket of bob's that staff solved and bob closed at `at`: closed. (A
 * solution is staff's; here the status is set as the staff issue will,
 * through the transition table.) ch is left for bob's next change.
 */
static void
solved_and_closed(hd_ticket_t *t, hd_ticket_change_t *ch, uint64_t at)
{
    uint8_t      status;
    hd_err_t     err;
    hd_txn_t     txn;
    hd_errors_t  errors;
    hd_ticket_t  got;

    assert_int_equal(create(bob, NULL, 0, 3, t, &errors, &err), HD_OK);

    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);
    hd_ticket_get(&txn, t->number, &got);
    hd_ticket_copy(&arena->pool, &got);
    *t = got;
    assert_int_equal(hd_ticket_act(&txn, &got, HD_ACTION_SOLUTION, 0,
                                   HD_SIDE_STAFF, now, &err), HD_OK);
    assert_int_equal(hd_ticket_put(&txn, t, &got, &err), HD_OK);
    hd_txn_commit(&txn, &err);

    memset(ch, 0, sizeof(*ch));
    ch->number = t->number;
    ch->actor = bob;
    assert_int_equal(hd_ticket_close(&portal, ch, at, &status, &err), HD_OK);
    assert_int_equal(status, HD_STATUS_CLOSED);
}


static void
test_reopen_and_rating(void **state)
{
    char                token[HD_RATING_TOKEN_LEN + 1];
    uint8_t             status;
    hd_err_t            err;
    hd_txn_t            txn;
    hd_str_t            tok;
    hd_errors_t         errors;
    hd_ticket_t         t, got;
    hd_ticket_change_t  ch;

    (void) state;

    portal.tickets.reopen.n = 100;
    portal.tickets.reopen.unit = HD_PERIOD_SECONDS;

    solved_and_closed(&t, &ch, now + 1);

    /* the closing e-mail's link rates it, once, without an account */
    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    hd_ticket_get(&txn, t.number, &got);
    assert_int_equal(hd_ticket_rating_token(&txn, &got, 0, token, &err),
                     HD_OK);
    tok.data = (hd_uchar *) token;
    tok.len = strlen(token);
    assert_int_equal(hd_ticket_rating_check(&txn, &got, &tok), HD_OK);
    token[3] ^= 1;
    assert_int_equal(hd_ticket_rating_check(&txn, &got, &tok), HD_NOT_FOUND);
    token[3] ^= 1;
    hd_txn_abort(&txn);

    /* within the window: back to work; the old link dies with the close */
    ch.body = (hd_str_t) hd_string("It came back");
    assert_int_equal(hd_ticket_reopen(&portal, &ch, now + 50, &status, &err),
                     HD_OK);
    assert_int_equal(status, HD_STATUS_OPEN);

    assert_int_equal(hd_ticket_close(&portal, &ch, now + 60, &status, &err),
                     HD_OK);
    assert_int_equal(status, HD_STATUS_CANCELLED_BY_CUSTOMER);

    memset(&ch, 0, sizeof(ch));
    ch.number = t.number;
    ch.token = tok;
    ch.stars = 4;
    assert_int_equal(hd_ticket_rate(&portal, &ch, now + 70, &err),
                     HD_NOT_FOUND);

    /* cancelled: never rated, also by its author (SPEC §5.6) */
    memset(&ch, 0, sizeof(ch));
    ch.number = t.number;
    ch.actor = bob;
    ch.stars = 5;
    assert_int_equal(hd_ticket_rate(&portal, &ch, now + 70, &err),
                     HD_CONFLICT);
    assert_string_equal(err.code, "cancelled_not_rated");

    /* by the author on the page, once it closed: once */
    solved_and_closed(&t, &ch, now + 61);
    ch.stars = 6;
    assert_int_equal(hd_ticket_rate(&portal, &ch, now + 70, &err),
                     HD_INVALID);
    ch.stars = 5;
    assert_int_equal(hd_ticket_rate(&portal, &ch, now + 70, &err), HD_OK);
    assert_int_equal(hd_ticket_rate(&portal, &ch, now + 71, &err),
                     HD_CONFLICT);
    assert_string_equal(err.code, "already_rated");

    /* a closed (not cancelled) ticket past its window stays closed */
    assert_int_equal(create(bob, NULL, 0, 3, &t, &errors, &err), HD_OK);
    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);
    hd_ticket_get(&txn, t.number, &got);
    hd_ticket_copy(&arena->pool, &got);
    t = got;
    hd_ticket_act(&txn, &got, HD_ACTION_SOLUTION, 0, HD_SIDE_STAFF, now,
                  &err);
    hd_ticket_put(&txn, &t, &got, &err);
    hd_txn_commit(&txn, &err);

    memset(&ch, 0, sizeof(ch));
    ch.number = t.number;
    ch.actor = bob;
    assert_int_equal(hd_ticket_close(&portal, &ch, now, &status, &err),
                     HD_OK);
    ch.body = (hd_str_t) hd_string("too late");
    assert_int_equal(hd_ticket_reopen(&portal, &ch, now + 101, &status,
                                      &err), HD_CONFLICT);
    assert_string_equal(err.code, "reopen_window_passed");

    /* a window of 0: any time */
    portal.tickets.reopen.n = 0;
    assert_int_equal(hd_ticket_reopen(&portal, &ch, now + 100000, &status,
                                      &err), HD_OK);

    check_clean();
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_create_and_limit),
        cmocka_unit_test(test_premium_quota),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_reopen_and_rating),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);

    return _cmocka_run_group_tests("ticket", tests,
                                   sizeof(tests) / sizeof(tests[0]), setup,
                                   teardown);
}

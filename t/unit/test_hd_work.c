/*
 * The SLA clocks and auto-close times a ticket write keeps (SPEC §6.2-6.3),
 * against hand-worked instants of the default policy: every level and
 * severity of the table, the response clock stopping and restarting, the
 * resolution clock pausing with its paused time credited back exactly.
 */

#include "unit.h"
#include "hd_date.h"
#include "hd_work.h"


#define H  3600


static uint64_t
msk(int y, int mo, int d, int h, int mi)
{
    return (uint64_t) hd_date_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60
           - 3 * 3600;
}


static hd_work_t  work;


static int
setup(void **state)
{
    hd_err_t  err;

    (void) state;
    hd_err_clear(&err);

    if (hd_work_defaults(&work, &err) != HD_OK) {
        return -1;
    }

    hd_work_set(&work);

    return 0;
}


static int
teardown(void **state)
{
    (void) state;
    hd_work_free(&work);
    return 0;
}


/* a new ticket written at `now` */
static hd_ticket_t
created(int premium, unsigned level, unsigned severity, uint64_t now)
{
    hd_ticket_t  t;

    memset(&t, 0, sizeof(t));
    t.premium = (uint8_t) premium;
    t.level = (uint8_t) level;
    t.severity = (uint8_t) severity;
    t.status = HD_STATUS_NEW;
    t.created = t.updated = now;

    hd_work_timing(&work, NULL, &t, now);

    return t;
}


/* an action on it at `now`, as a flow writes it */
static void
act(hd_ticket_t *t, hd_action_e action, unsigned to, uint64_t now)
{
    hd_ticket_t  old = *t;

    t->status = (uint8_t) to;
    t->acted = (uint8_t) (action + 1);
    t->updated = now;
    hd_work_timing(&work, &old, t, now);
    t->acted = 0;
}


static void
test_response_table(void **state)
{
    size_t       i;
    hd_ticket_t  t;
    uint64_t     mon = msk(2026, 11, 23, 10, 0);
    uint64_t     fri = msk(2026, 11, 20, 17, 0);

    /* level, severity, due from Monday 2026-11-23 10:00 MSK */
    static const struct {
        int       premium;
        unsigned  level, severity;
        int       d, h, m;
    } cases[] = {
        { 0, HD_LEVEL_STANDARD, 1, 24, 13, 0 },     /* 12 wh */
        { 0, HD_LEVEL_STANDARD, 4, 24, 13, 0 },
        { 0, HD_LEVEL_MSA_ENTERPRISE, 1, 24, 13, 0 },   /* not premium */
        { 1, HD_LEVEL_MSA_START, 1, 23, 16, 0 },    /* 6 wh */
        { 1, HD_LEVEL_MSA_START, 2, 24, 13, 0 },    /* - : standard */
        { 1, HD_LEVEL_MSA_START, 4, 24, 13, 0 },
        { 1, HD_LEVEL_MSA_PLUS, 1, 23, 14, 0 },     /* 4 wh */
        { 1, HD_LEVEL_MSA_PLUS, 3, 24, 13, 0 },
        { 1, HD_LEVEL_MSA_BUSINESS, 1, 23, 12, 0 }, /* 2 h 24x7 */
        { 1, HD_LEVEL_MSA_BUSINESS, 2, 23, 16, 0 }, /* 6 wh */
        { 1, HD_LEVEL_MSA_BUSINESS, 3, 23, 18, 0 }, /* 8 wh */
        { 1, HD_LEVEL_MSA_BUSINESS, 4, 24, 11, 0 }, /* 10 wh */
        { 1, HD_LEVEL_MSA_ENTERPRISE, 1, 23, 10, 30 },  /* 30 min 24x7 */
        { 1, HD_LEVEL_MSA_ENTERPRISE, 2, 23, 14, 0 },   /* 4 h 24x7 */
        { 1, HD_LEVEL_MSA_ENTERPRISE, 3, 23, 16, 0 },   /* 6 wh */
        { 1, HD_LEVEL_MSA_ENTERPRISE, 4, 23, 18, 0 },   /* 8 wh */
    };

    (void) state;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        t = created(cases[i].premium, cases[i].level, cases[i].severity, mon);
        assert_int_equal(t.resp_due,
                         msk(2026, 11, cases[i].d, cases[i].h, cases[i].m));
        assert_int_equal(t.sla_due, t.resp_due);
        assert_int_equal(t.sla_state, HD_SLA_OK);
        /* the timer looks first at 80% */
        assert_int_equal(t.sla_next, t.resp_warn);
        assert_true(t.resp_warn > mon && t.resp_warn < t.resp_due);
        /* no resolution target by default */
        assert_int_equal(t.resol_target, 0);
    }

    /* 80% of 12 working hours from Monday 10:00: 9 h 36 min, Tuesday 10:36 */
    t = created(0, HD_LEVEL_STANDARD, 3, mon);
    assert_int_equal(t.resp_warn, msk(2026, 11, 24, 10, 36));

    /* round the clock counts over the weekend, working hours do not */
    t = created(1, HD_LEVEL_MSA_ENTERPRISE, 2, fri);
    assert_int_equal(t.resp_due, msk(2026, 11, 20, 21, 0));
    t = created(1, HD_LEVEL_MSA_ENTERPRISE, 3, fri);
    assert_int_equal(t.resp_due, msk(2026, 11, 23, 14, 0));
}


static void
test_response_clock(void **state)
{
    hd_ticket_t  t;
    uint64_t     mon = msk(2026, 11, 23, 10, 0);

    (void) state;

    t = created(0, HD_LEVEL_STANDARD, 3, mon);

    /* the staff reply stops it */
    act(&t, HD_ACTION_STAFF_REPLY, HD_STATUS_OPEN, mon + H);
    assert_int_equal(t.resp_due, 0);
    assert_int_equal(t.sla_due, 0);
    assert_int_equal(t.sla_next, 0);

    /* the customer's next message starts it again, from then */
    act(&t, HD_ACTION_CUSTOMER_REPLY, HD_STATUS_OPEN, mon + 2 * H);
    assert_int_equal(t.resp_due, msk(2026, 11, 24, 15, 0));

    /* a second customer message does not move it */
    act(&t, HD_ACTION_CUSTOMER_REPLY, HD_STATUS_OPEN, mon + 3 * H);
    assert_int_equal(t.resp_due, msk(2026, 11, 24, 15, 0));

    /* an information request stops it; the answer restarts it */
    act(&t, HD_ACTION_INFO_REQUEST, HD_STATUS_AWAITING_CUSTOMER, mon + 4 * H);
    assert_int_equal(t.resp_due, 0);
    act(&t, HD_ACTION_CUSTOMER_REPLY, HD_STATUS_OPEN,
        msk(2026, 11, 25, 9, 0));
    assert_int_equal(t.resp_due, msk(2026, 11, 26, 12, 0));

    /* a breach flag goes with the clock that breached */
    t.sla_flags |= HD_SLA_RESP_RISK | HD_SLA_RESP_BREACH;
    act(&t, HD_ACTION_ASSIGN, HD_STATUS_OPEN, msk(2026, 11, 26, 13, 0));
    assert_int_equal(t.sla_state, HD_SLA_BREACHED);
    assert_int_equal(t.sla_next, 0);
    act(&t, HD_ACTION_SOLUTION, HD_STATUS_SOLVED, msk(2026, 11, 26, 14, 0));
    assert_int_equal(t.sla_state, HD_SLA_OK);
    assert_int_equal(t.sla_flags & (HD_SLA_RESP_RISK | HD_SLA_RESP_BREACH),
                     0);
}


static void
test_resolution_pause(void **state)
{
    hd_ticket_t  t;
    uint64_t     mon = msk(2026, 11, 23, 10, 0);

    (void) state;

    /* a contract's processing term: 2 working days (18 h) */
    work.sla[HD_LEVEL_STANDARD][2].resolution.n = 2;
    work.sla[HD_LEVEL_STANDARD][2].resolution.unit = HD_PERIOD_DAYS;

    t = created(0, HD_LEVEL_STANDARD, 3, mon);
    assert_int_equal(t.resol_target, 18 * H);
    /* Monday 8 h, Tuesday 9 h, Wednesday 1 h */
    assert_int_equal(t.resol_due, msk(2026, 11, 25, 10, 0));

    /* asked at Monday 12:00: 2 h used, 16 h left, the clock stands */
    act(&t, HD_ACTION_INFO_REQUEST, HD_STATUS_AWAITING_CUSTOMER,
        msk(2026, 11, 23, 12, 0));
    assert_int_equal(t.resol_due, 0);
    assert_true(t.sla_flags & HD_SLA_RESOL_PAUSED);
    assert_int_equal(t.resol_left, 16 * H);

    /* answered Thursday 15:00: the 30 working hours the customer took
       move the due time by exactly that: Monday 30th 13:00 */
    act(&t, HD_ACTION_CUSTOMER_REPLY, HD_STATUS_OPEN,
        msk(2026, 11, 26, 15, 0));
    assert_false(t.sla_flags & HD_SLA_RESOL_PAUSED);
    assert_int_equal(t.resol_due, msk(2026, 11, 30, 13, 0));
    assert_int_equal(hd_calendar_add(&work.calendars[0],
                                     msk(2026, 11, 25, 10, 0),
                                     hd_calendar_between(&work.calendars[0],
                                         msk(2026, 11, 23, 12, 0),
                                         msk(2026, 11, 26, 15, 0))),
                     t.resol_due);

    /* a solution pauses it too; the response clock was the earlier one */
    assert_int_equal(t.sla_due, t.resp_due < t.resol_due ? t.resp_due
                                                         : t.resol_due);
    act(&t, HD_ACTION_SOLUTION, HD_STATUS_SOLVED, msk(2026, 11, 27, 9, 0));
    assert_int_equal(t.sla_due, 0);
    assert_int_equal(t.resol_left, 13 * H);      /* Friday 9, Monday 4 */

    /* reopened after closing: it resumes with what was left */
    act(&t, HD_ACTION_AUTOCLOSE, HD_STATUS_CLOSED, msk(2026, 12, 2, 9, 0));
    act(&t, HD_ACTION_REOPEN, HD_STATUS_OPEN, msk(2026, 12, 3, 9, 0));
    assert_int_equal(t.resol_due, msk(2026, 12, 4, 13, 0));

    work.sla[HD_LEVEL_STANDARD][2].resolution.n = 0;
}


static void
test_autoclose(void **state)
{
    hd_ticket_t  t;
    hd_period_t  two = { 2, HD_PERIOD_DAYS }, seconds = { 30, HD_PERIOD_SECONDS };

    (void) state;

    t = created(0, HD_LEVEL_STANDARD, 3, msk(2026, 11, 19, 10, 0));
    assert_int_equal(t.autoclose_due, 0);

    /* SPEC §6.1: a solution Friday 17:00, closed Wednesday 17:00 */
    act(&t, HD_ACTION_SOLUTION, HD_STATUS_SOLVED, msk(2026, 11, 20, 17, 0));
    assert_int_equal(t.autoclose_due, msk(2026, 11, 25, 17, 0));

    /* a customer reply cancels it */
    act(&t, HD_ACTION_CUSTOMER_REPLY, HD_STATUS_OPEN, msk(2026, 11, 23, 9, 0));
    assert_int_equal(t.autoclose_due, 0);

    /* a question: the same period, from the question; a later question
       counts again */
    act(&t, HD_ACTION_INFO_REQUEST, HD_STATUS_AWAITING_CUSTOMER,
        msk(2026, 11, 23, 12, 0));
    assert_int_equal(t.autoclose_due, msk(2026, 11, 26, 12, 0));
    act(&t, HD_ACTION_INFO_REQUEST, HD_STATUS_AWAITING_CUSTOMER,
        msk(2026, 11, 24, 12, 0));
    assert_int_equal(t.autoclose_due, msk(2026, 11, 27, 12, 0));
    /* an internal change in between does not */
    act(&t, HD_ACTION_ASSIGN, HD_STATUS_AWAITING_CUSTOMER,
        msk(2026, 11, 25, 12, 0));
    assert_int_equal(t.autoclose_due, msk(2026, 11, 27, 12, 0));

    act(&t, HD_ACTION_AUTOCLOSE, HD_STATUS_CLOSED_NO_INFO,
        msk(2026, 11, 27, 12, 0));
    assert_int_equal(t.autoclose_due, 0);

    /* reopen windows count working days too: 2 after Friday 17:00 */
    assert_int_equal(hd_work_portal_after(msk(2026, 11, 20, 17, 0), &two),
                     msk(2026, 11, 24, 17, 0));
    /* over the November holiday: Tuesday 3rd is short (8 h), the 4th
       off, Thursday 9 h, then 1 h on Friday */
    assert_int_equal(hd_work_portal_after(msk(2026, 11, 2, 18, 0), &two),
                     msk(2026, 11, 6, 10, 0));
    assert_int_equal(hd_work_portal_after(100, &seconds), 130);

    /* 0: never */
    work.autoclose_solved.n = 0;
    act(&t, HD_ACTION_REOPEN, HD_STATUS_OPEN, msk(2026, 11, 30, 9, 0));
    act(&t, HD_ACTION_SOLUTION, HD_STATUS_SOLVED, msk(2026, 11, 30, 10, 0));
    assert_int_equal(t.autoclose_due, 0);
    work.autoclose_solved.n = 3;
}


/* schema 3: tickets of before the clocks get them from their last change */
static void
test_migration(void **state)
{
    hd_err_t     err;
    hd_txn_t     txn;
    hd_ticket_t  t;
    uint64_t     mon = msk(2026, 11, 23, 10, 0);

    (void) state;

    assert_int_equal(unit_store_setup(NULL), 0);
    hd_err_clear(&err);

    /* written raw, as an older module did */
    hd_work_set(NULL);
    assert_int_equal(hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err), HD_OK);

    memset(&t, 0, sizeof(t));
    t.number = 1;
    t.status = HD_STATUS_SOLVED;
    t.severity = 3;
    t.created = mon - 86400;
    t.updated = t.status_changed = msk(2026, 11, 20, 17, 0);
    t.last_side = HD_SIDE_STAFF;
    assert_int_equal(hd_ticket_put(&txn, NULL, &t, &err), HD_OK);

    memset(&t, 0, sizeof(t));
    t.number = 2;
    t.status = HD_STATUS_OPEN;
    t.severity = 3;
    t.created = t.updated = mon;
    t.last_side = HD_SIDE_CUSTOMER;
    assert_int_equal(hd_ticket_put(&txn, NULL, &t, &err), HD_OK);

    assert_int_equal(hd_ticket_get(&txn, 1, &t), HD_OK);
    assert_int_equal(t.autoclose_due, 0);

    hd_work_set(&work);
    assert_int_equal(hd_work_migrate(&txn, &err), HD_OK);

    assert_int_equal(hd_ticket_get(&txn, 1, &t), HD_OK);
    assert_int_equal(t.autoclose_due, msk(2026, 11, 25, 17, 0));
    assert_int_equal(hd_ticket_get(&txn, 2, &t), HD_OK);
    assert_int_equal(t.resp_due, msk(2026, 11, 24, 13, 0));
    assert_int_equal(t.sla_next, t.resp_warn);

    /* the timer finds them through the indexes */
    assert_int_equal(hd_txn_commit(&txn, &err), HD_OK);
    assert_true(hd_work_pending(unit_store, msk(2026, 11, 25, 17, 0)));
    assert_false(hd_work_pending(unit_store, msk(2026, 11, 24, 10, 0)));

    unit_store_teardown(NULL);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_response_table),
        cmocka_unit_test(test_response_clock),
        cmocka_unit_test(test_resolution_pause),
        cmocka_unit_test(test_autoclose),
        cmocka_unit_test(test_migration),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);

    return _cmocka_run_group_tests("work", tests,
                                   sizeof(tests) / sizeof(tests[0]), setup,
                                   teardown);
}

/*
 * Business calendars against hand-worked cases (SPEC §6.1): weekends,
 * holidays, transferred working Saturdays, short days, year ends.
 */

#include "unit.h"
#include "hd_calendar.h"
#include "hd_date.h"


#define H  3600


/* an instant given as Moscow wall-clock time */
static uint64_t
msk(int y, int mo, int d, int h, int mi)
{
    return (uint64_t) hd_date_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60
           - 3 * 3600;
}


static hd_calendar_t  moscow;


static int
setup(void **state)
{
    hd_err_t  err;

    (void) state;
    hd_err_clear(&err);

    return hd_calendar_moscow(&moscow, &err) == HD_OK ? 0 : -1;
}


static int
teardown(void **state)
{
    (void) state;
    hd_calendar_free(&moscow);
    return 0;
}


static void
test_spec_example(void **state)
{
    (void) state;

    /* SPEC §6.1: solution Friday 2026-11-20 17:00, 3 working days later */
    assert_int_equal(hd_calendar_day_length(&moscow), 9 * H);
    assert_int_equal(hd_calendar_add_days(&moscow, msk(2026, 11, 20, 17, 0), 3),
                     msk(2026, 11, 25, 17, 0));
    assert_int_equal(hd_calendar_between(&moscow, msk(2026, 11, 20, 17, 0),
                                         msk(2026, 11, 25, 17, 0)),
                     27 * H);

    /* within a day, and to the end of one */
    assert_int_equal(hd_calendar_add(&moscow, msk(2026, 11, 23, 10, 0), 2 * H),
                     msk(2026, 11, 23, 12, 0));
    assert_int_equal(hd_calendar_add(&moscow, msk(2026, 11, 23, 10, 0), 8 * H),
                     msk(2026, 11, 23, 18, 0));
    assert_int_equal(hd_calendar_add(&moscow, msk(2026, 11, 23, 10, 0),
                                     8 * H + 1),
                     msk(2026, 11, 24, 9, 0) + 1);
    /* 12 working hours of the standard SLA from Monday 15:00 */
    assert_int_equal(hd_calendar_add(&moscow, msk(2026, 11, 23, 15, 0), 12 * H),
                     msk(2026, 11, 24, 18, 0));
}


static void
test_outside_working_time(void **state)
{
    (void) state;

    /* Saturday: the count starts on Monday 09:00 */
    assert_int_equal(hd_calendar_add(&moscow, msk(2026, 11, 21, 13, 0), H),
                     msk(2026, 11, 23, 10, 0));
    /* at night, and before the day starts */
    assert_int_equal(hd_calendar_add(&moscow, msk(2026, 11, 23, 23, 30), 30 * 60),
                     msk(2026, 11, 24, 9, 30));
    assert_int_equal(hd_calendar_add(&moscow, msk(2026, 11, 24, 7, 0), 30 * 60),
                     msk(2026, 11, 24, 9, 30));
    /* Wednesday 2026-11-04 is a holiday, the 3rd a short day (to 17:00) */
    assert_int_equal(hd_calendar_add(&moscow, msk(2026, 11, 3, 16, 0), 2 * H),
                     msk(2026, 11, 5, 10, 0));
    assert_int_equal(hd_calendar_add(&moscow, msk(2026, 11, 4, 12, 0), H),
                     msk(2026, 11, 5, 10, 0));
    assert_false(hd_calendar_working(&moscow, msk(2026, 11, 4, 12, 0)));
    assert_false(hd_calendar_working(&moscow, msk(2026, 11, 3, 17, 30)));
    assert_true(hd_calendar_working(&moscow, msk(2026, 11, 3, 16, 59)));
    assert_true(hd_calendar_working(&moscow, msk(2026, 11, 5, 9, 0)));
    assert_false(hd_calendar_working(&moscow, msk(2026, 11, 5, 18, 0)));
    /* nothing to add: the instant itself */
    assert_int_equal(hd_calendar_add(&moscow, msk(2026, 11, 21, 13, 0), 0),
                     msk(2026, 11, 21, 13, 0));
    assert_int_equal(hd_calendar_between(&moscow, msk(2026, 11, 21, 0, 0),
                                         msk(2026, 11, 23, 0, 0)),
                     0);
}


static void
test_new_year(void **state)
{
    (void) state;

    /* 2025-12-30 (Tuesday) 17:00 + 2 working hours: the 31st and
       January 1-11 are off, work resumes on Monday 2026-01-12 */
    assert_int_equal(hd_calendar_add(&moscow, msk(2025, 12, 30, 17, 0), 2 * H),
                     msk(2026, 1, 12, 10, 0));
    assert_int_equal(hd_calendar_add_days(&moscow, msk(2025, 12, 29, 12, 0), 2),
                     msk(2026, 1, 12, 12, 0));
    assert_int_equal(hd_calendar_between(&moscow, msk(2025, 12, 30, 0, 0),
                                         msk(2026, 1, 13, 0, 0)),
                     18 * H);
    /* and the year before: January 1-8 2025 off, the 9th a Thursday */
    assert_int_equal(hd_calendar_add(&moscow, msk(2024, 12, 31, 12, 0), H),
                     msk(2024, 12, 31, 13, 0));
    assert_int_equal(hd_calendar_add(&moscow, msk(2025, 1, 3, 12, 0), H),
                     msk(2025, 1, 9, 10, 0));
}


static void
test_working_saturday(void **state)
{
    (void) state;

    /* 2025-11-01 is a working Saturday, Nov 2-4 are off */
    assert_true(hd_calendar_working(&moscow, msk(2025, 11, 1, 12, 0)));
    assert_int_equal(hd_calendar_add(&moscow, msk(2025, 10, 31, 17, 0), 2 * H),
                     msk(2025, 11, 1, 10, 0));
    assert_int_equal(hd_calendar_add_days(&moscow, msk(2025, 10, 31, 17, 0), 2),
                     msk(2025, 11, 5, 17, 0));
    /* an ordinary Saturday is not */
    assert_false(hd_calendar_working(&moscow, msk(2025, 11, 8, 12, 0)));
}


static void
test_short_days(void **state)
{
    (void) state;

    /* Thursday 2026-04-30 is short (09:00-17:00): 7 h, then May 1-3 off,
       Monday May 4 from 09:00: 5 more */
    assert_int_equal(hd_calendar_add(&moscow, msk(2026, 4, 30, 10, 0), 12 * H),
                     msk(2026, 5, 4, 14, 0));
    assert_int_equal(hd_calendar_between(&moscow, msk(2026, 4, 30, 0, 0),
                                         msk(2026, 5, 1, 0, 0)),
                     8 * H);
    /* a short day counts its real length in working days: 2 days (18 h)
       from Monday 2026-11-02 09:00: the 2nd 9 h, the 3rd 8 h, 1 h on
       the 5th (the 4th is off) */
    assert_int_equal(hd_calendar_add_days(&moscow, msk(2026, 11, 2, 9, 0), 2),
                     msk(2026, 11, 5, 10, 0));
}


static void
test_always(void **state)
{
    hd_calendar_t  c;

    (void) state;

    hd_calendar_always(&c, "24x7");
    assert_int_equal(hd_calendar_add(&c, msk(2026, 1, 1, 3, 0), 30 * 60),
                     msk(2026, 1, 1, 3, 30));
    assert_int_equal(hd_calendar_add_days(&c, msk(2026, 1, 1, 3, 0), 1),
                     msk(2026, 1, 2, 3, 0));
    assert_int_equal(hd_calendar_between(&c, 100, 200), 100);
    assert_true(hd_calendar_working(&c, msk(2026, 1, 1, 3, 0)));
}


static void
test_files_and_hours(void **state)
{
    hd_err_t       err;
    hd_calendar_t  c;
    int32_t        off;
    size_t         n;
    const char    *good = "# comment\n\n2026-12-28 off  # a day off\n"
                          "2026-12-26 work\r\n 2026-12-25 short\n";

    (void) state;

    memset(&c, 0, sizeof(c));
    hd_err_clear(&err);

    assert_int_equal(hd_calendar_parse_hours(&c,
                         (const hd_uchar *) "mon-fri=10:00-19:00", 19), 0);
    assert_int_equal(hd_calendar_parse_hours(&c,
                         (const hd_uchar *) "wed=off", 7), 0);
    assert_int_equal(hd_calendar_parse_hours(&c,
                         (const hd_uchar *) "fri-mon=10:00-19:00", 19), -1);
    assert_int_equal(hd_calendar_parse_hours(&c,
                         (const hd_uchar *) "mon=19:00-10:00", 15), -1);
    assert_int_equal(hd_calendar_parse_zone((const hd_uchar *) "+05:30", 6,
                                            &off), 0);
    assert_int_equal(off, 5 * 3600 + 1800);
    assert_int_equal(hd_calendar_parse_zone((const hd_uchar *) "-03:00", 6,
                                            &off), 0);
    assert_int_equal(off, -3 * 3600);
    /* a bare hour is ambiguous: refused, the message asks for +HH:MM */
    assert_int_equal(hd_calendar_parse_zone((const hd_uchar *) "-3", 2, &off),
                     -1);
    assert_int_equal(hd_calendar_parse_zone((const hd_uchar *) "+3", 2, &off),
                     -1);
    assert_int_equal(hd_calendar_parse_zone((const hd_uchar *) "+15:00", 6,
                                            &off), -1);
    assert_int_equal(hd_calendar_parse_zone((const hd_uchar *) "3", 1, &off),
                     -1);

    assert_int_equal(hd_calendar_holidays(&c, good, strlen(good), &err),
                     HD_OK);
    assert_true(hd_calendar_from_file(&c, 2026));       /* the file's year */
    assert_false(hd_calendar_from_file(&c, 2027));      /* the rule's */
    assert_int_equal(c.file_until, hd_date_from_ymd(2026, 12, 31));
    c.offset = 0;
    n = c.nholidays;

    /* Saturday the 26th works 10:00-19:00, the 25th ends at 18:00 */
    assert_true(hd_calendar_working(&c, (uint64_t) hd_date_from_ymd(2026, 12, 26)
                                        * 86400 + 12 * H));
    assert_false(hd_calendar_working(&c, (uint64_t) hd_date_from_ymd(2026, 12, 25)
                                         * 86400 + 18 * H + 1));
    assert_false(hd_calendar_working(&c, (uint64_t) hd_date_from_ymd(2026, 12, 28)
                                         * 86400 + 12 * H));
    assert_false(hd_calendar_working(&c, (uint64_t) hd_date_from_ymd(2026, 12, 23)
                                         * 86400 + 12 * H));

    /* errors name the line; the list stays as it was */
    assert_int_equal(hd_calendar_holidays(&c, "2026-01-01 off\n2026-13-01 off\n",
                                          30, &err), HD_INVALID);
    assert_non_null(strstr(err.text, "line 2"));
    assert_int_equal(hd_calendar_holidays(&c, "2026-01-01 of\n", 14, &err),
                     HD_INVALID);
    assert_non_null(strstr(err.text, "line 1"));
    assert_int_equal(hd_calendar_holidays(&c, "2026-01-01off\n", 14, &err),
                     HD_INVALID);
    assert_int_equal(hd_calendar_holidays(&c, "2026-01-01 off\n2026-01-01 work",
                                          30, &err), HD_INVALID);
    assert_non_null(strstr(err.text, "twice"));
    assert_int_equal(c.nholidays, n);

    hd_calendar_free(&c);
}


static unsigned
rule_kind(const hd_holiday_t *list, size_t n, int y, int m, int d)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (list[i].day == hd_date_from_ymd(y, m, d)) {
            return list[i].kind;
        }
    }

    return 0;
}


/* the Labour Code's rule for a year the file does not list */
static void
test_rule(void **state)
{
    int            d;
    size_t         n;
    hd_err_t       err;
    hd_holiday_t   r[HD_CALENDAR_RULE_MAX];
    hd_calendar_t  c;

    (void) state;

    n = hd_calendar_rule(2027, r);

    for (d = 1; d <= 8; d++) {
        assert_int_equal(rule_kind(r, n, 2027, 1, d), HD_DAY_OFF);
    }
    assert_int_equal(rule_kind(r, n, 2027, 1, 9), 0);   /* no transfer */
    assert_int_equal(rule_kind(r, n, 2027, 2, 23), HD_DAY_OFF);  /* Tue */
    assert_int_equal(rule_kind(r, n, 2027, 2, 22), HD_DAY_SHORT);
    assert_int_equal(rule_kind(r, n, 2027, 3, 8), HD_DAY_OFF);   /* Mon */
    assert_int_equal(rule_kind(r, n, 2027, 3, 5), 0);   /* Sunday before */
    assert_int_equal(rule_kind(r, n, 2027, 5, 1), HD_DAY_OFF);   /* Sat */
    assert_int_equal(rule_kind(r, n, 2027, 5, 3), HD_DAY_OFF);   /* moved */
    assert_int_equal(rule_kind(r, n, 2027, 5, 9), HD_DAY_OFF);   /* Sun */
    assert_int_equal(rule_kind(r, n, 2027, 5, 10), HD_DAY_OFF);  /* moved */
    assert_int_equal(rule_kind(r, n, 2027, 6, 11), HD_DAY_SHORT);
    assert_int_equal(rule_kind(r, n, 2027, 6, 12), HD_DAY_OFF);  /* Sat */
    assert_int_equal(rule_kind(r, n, 2027, 6, 14), HD_DAY_OFF);  /* moved */
    assert_int_equal(rule_kind(r, n, 2027, 11, 3), HD_DAY_SHORT);
    assert_int_equal(rule_kind(r, n, 2027, 11, 4), HD_DAY_OFF);
    assert_int_equal(rule_kind(r, n, 2027, 12, 31), HD_DAY_SHORT); /* Fri */

    /* two holidays on one weekend move to two working days */
    n = hd_calendar_rule(2032, r);          /* 8 May Sat, 9 May Sun */
    assert_int_equal(rule_kind(r, n, 2032, 5, 10), HD_DAY_OFF);
    assert_int_equal(rule_kind(r, n, 2032, 5, 11), 0);  /* 8 May is no holiday */

    /* without any file: 1-8 January 2027 are off, the 11th a working day */
    hd_calendar_moscow(&c, &err);
    for (d = 1; d <= 8; d++) {
        assert_false(hd_calendar_working(&c,
                         ((uint64_t) hd_date_from_ymd(2027, 1, d) * 86400)
                         + 12 * 3600 - 3 * 3600));
    }
    assert_true(hd_calendar_working(&c,
                    ((uint64_t) hd_date_from_ymd(2027, 1, 11) * 86400)
                    + 12 * 3600 - 3 * 3600));
    assert_false(hd_calendar_from_file(&c, 2027));
    hd_calendar_free(&c);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_spec_example),
        cmocka_unit_test(test_outside_working_time),
        cmocka_unit_test(test_new_year),
        cmocka_unit_test(test_working_saturday),
        cmocka_unit_test(test_short_days),
        cmocka_unit_test(test_always),
        cmocka_unit_test(test_files_and_hours),
        cmocka_unit_test(test_rule),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);

    return _cmocka_run_group_tests("calendar", tests,
                                   sizeof(tests) / sizeof(tests[0]), setup,
                                   teardown);
}

/*
 * Dates: day numbers, parsing and formatting, months added, today.
 */

#include "unit.h"
#include "hd_date.h"


static void
test_round_trips(void **state)
{
    int      y, m, d;
    int32_t  day;
    char     text[11];

    (void) state;

    assert_int_equal(hd_date_from_ymd(1970, 1, 1), 0);
    assert_int_equal(hd_date_from_ymd(2000, 3, 1) - hd_date_from_ymd(2000, 2, 28),
                     2);                                    /* 2000 leap */
    assert_int_equal(hd_date_from_ymd(1900 + 200, 3, 1)
                     - hd_date_from_ymd(2100, 2, 28), 1);   /* 2100 not */

    for (day = 0; day < 50000; day += 7) {
        hd_date_to_ymd(day, &y, &m, &d);
        assert_int_equal(hd_date_from_ymd(y, m, d), day);
    }

    assert_int_equal(hd_date_parse((hd_uchar *) "2026-11-20", 10, &day), 0);
    hd_date_format(day, text);
    assert_string_equal(text, "2026-11-20");
    hd_date_format_ru(day, text);
    assert_string_equal(text, "20.11.2026");
}


static void
test_bad_dates(void **state)
{
    int32_t      day;
    size_t       i;
    const char  *bad[] = {
        "2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "20261120",
        "2026-1-1", "abcd-ef-gh", "1969-12-31", ""
    };

    (void) state;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(hd_date_parse((hd_uchar *) bad[i], strlen(bad[i]),
                                       &day), -1);
    }

    assert_int_equal(hd_date_parse((hd_uchar *) "2024-02-29", 10, &day), 0);
}


static void
test_months_and_today(void **state)
{
    char  text[11];

    (void) state;

    hd_date_format(hd_date_add_months(hd_date_from_ymd(2026, 1, 31), 1), text);
    assert_string_equal(text, "2026-02-28");
    hd_date_format(hd_date_add_months(hd_date_from_ymd(2026, 11, 20), 14),
                   text);
    assert_string_equal(text, "2028-01-20");
    hd_date_format(hd_date_add_months(hd_date_from_ymd(2026, 3, 15), -3),
                   text);
    assert_string_equal(text, "2025-12-15");

    /* 2026-11-20 22:30 UTC is already the 21st in Moscow */
    hd_date_format(hd_date_today(1795300000 - (1795300000 % 86400)
                                 + 22 * 3600 + 1800), text);
    assert_int_equal(hd_date_today(1795300000 - (1795300000 % 86400)
                                   + 22 * 3600)
                     - hd_date_today(1795300000 - (1795300000 % 86400)
                                     + 20 * 3600),
                     1);
}


#define instant(s, t)                                                         \
    hd_date_instant((const hd_uchar *) (s), strlen(s), 3 * 3600, 42, t)

static void
test_instants(void **state)
{
    uint64_t  t;

    (void) state;

    assert_int_equal(instant("now", &t), 0);
    assert_int_equal(t, 42);
    assert_int_equal(instant("@1795300000", &t), 0);
    assert_int_equal(t, 1795300000);
    assert_int_equal(instant("@18446744073709551615", &t), 0);
    assert_int_equal(instant("@18446744073709551616", &t), -1);  /* past 64 bits */

    /* Moscow time: 17:00 is 14:00 UTC */
    assert_int_equal(instant("2026-11-25 17:00", &t), 0);
    assert_int_equal(t, 1795564800 + 14 * 3600);
    assert_int_equal(instant("2026-11-25T17:00:30", &t), 0);
    assert_int_equal(t % 86400, 14 * 3600 + 30);
    assert_int_equal(instant("2026-11-25 9:05", &t), 0);
    assert_int_equal(t % 86400, 6 * 3600 + 5 * 60);
    assert_int_equal(instant("2026-11-25", &t), 0);

    assert_int_equal(instant("tomorrow", &t), -1);
    assert_int_equal(instant("@", &t), -1);
    assert_int_equal(instant("@-1", &t), -1);
    assert_int_equal(instant("@ 5", &t), -1);
    assert_int_equal(instant("2026-11-25 24:00", &t), -1);
    assert_int_equal(instant("2026-11-25 17:0", &t), -1);
    assert_int_equal(instant("2026-11-25 17:00:", &t), -1);
    assert_int_equal(instant("2026-11-25 17:00x", &t), -1);
    assert_int_equal(instant("2026-11-25 17", &t), -1);
    assert_int_equal(instant("2026-02-30 10:00", &t), -1);
    assert_int_equal(instant("2026-11-25 ", &t), -1);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_bad_dates),
        cmocka_unit_test(test_months_and_today),
        cmocka_unit_test(test_instants),
    };

    return unit_run("dates", tests, sizeof(tests) / sizeof(tests[0]));
}

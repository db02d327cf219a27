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


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_bad_dates),
        cmocka_unit_test(test_months_and_today),
    };

    return unit_run("dates", tests, sizeof(tests) / sizeof(tests[0]));
}

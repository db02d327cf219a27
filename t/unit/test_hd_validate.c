/*
 * Formats: e-mail addresses, logins, phone numbers.
 */

#include "unit.h"
#include "hd_validate.h"


static int
is(hd_format_e f, const char *s)
{
    return hd_format_match(f, (const hd_uchar *) s, strlen(s));
}


static void
test_email(void **state)
{
    (void) state;

    assert_true(is(HD_FORMAT_EMAIL, "a@b.cd"));
    assert_true(is(HD_FORMAT_EMAIL, "Ivan.Petrov+support@mail.example.com"));
    assert_true(is(HD_FORMAT_EMAIL, "иван@почта.рф"));
    assert_true(is(HD_FORMAT_EMAIL, "o'brien@example.ie"));
    assert_false(is(HD_FORMAT_EMAIL, "plain"));
    assert_false(is(HD_FORMAT_EMAIL, "a@b"));
    assert_false(is(HD_FORMAT_EMAIL, "a@@b.cd"));
    assert_false(is(HD_FORMAT_EMAIL, "a b@c.de"));
    assert_false(is(HD_FORMAT_EMAIL, ".a@b.cd"));
    assert_false(is(HD_FORMAT_EMAIL, "a..b@c.de"));
    assert_false(is(HD_FORMAT_EMAIL, "a@-b.cd"));
    assert_false(is(HD_FORMAT_EMAIL, "a@b.cd\n"));
    assert_false(is(HD_FORMAT_EMAIL, "\xff@b.cd"));
    assert_false(hd_format_match(HD_FORMAT_EMAIL,
                                 (const hd_uchar *) "a\0b@c.de", 8));
}


static void
test_login_and_phone(void **state)
{
    (void) state;

    assert_true(is(HD_FORMAT_LOGIN, "ivan"));
    assert_true(is(HD_FORMAT_LOGIN, "agent.smith_2-b"));
    assert_false(is(HD_FORMAT_LOGIN, "ab"));
    assert_false(is(HD_FORMAT_LOGIN, "_ivan"));
    assert_false(is(HD_FORMAT_LOGIN, "иван"));
    assert_false(is(HD_FORMAT_LOGIN, "a23456789012345678901234567890123"));

    assert_true(is(HD_FORMAT_PHONE, "+7 (495) 123-45-67"));
    assert_true(is(HD_FORMAT_PHONE, "84951234567"));
    assert_false(is(HD_FORMAT_PHONE, "call me"));
    assert_false(is(HD_FORMAT_PHONE, "+7"));
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_login_and_phone),
    };

    return unit_run("formats", tests, sizeof(tests) / sizeof(tests[0]));
}

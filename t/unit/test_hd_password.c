/*
 * Passwords: hashed with their parameters, verified, weaker ones flagged
 * for an upgrade, malformed stored texts never match.
 */

#include "unit.h"
#include "hd_password.h"


static void
test_hash_and_verify(void **state)
{
    int       upgrade;
    char      a[HD_PASSWORD_HASH_SIZE], b[HD_PASSWORD_HASH_SIZE];
    hd_str_t  s;

    (void) state;

    assert_int_equal(hd_password_hash((hd_uchar *) "secret pass", 11, 1000,
                                      a), 0);
    assert_int_equal(hd_password_hash((hd_uchar *) "secret pass", 11, 1000,
                                      b), 0);
    assert_string_not_equal(a, b);      /* a salt each */
    assert_int_equal(strncmp(a, "pbkdf2-sha256$1000$", 19), 0);

    s.data = (hd_uchar *) a;
    s.len = strlen(a);

    assert_true(hd_password_verify(&s, (hd_uchar *) "secret pass", 11,
                                   &upgrade));
    assert_true(upgrade);               /* 1000 < 600000 */
    assert_false(hd_password_verify(&s, (hd_uchar *) "secret pasS", 11,
                                    &upgrade));
}


static void
test_current_parameters(void **state)
{
    int       upgrade;
    char      h[HD_PASSWORD_HASH_SIZE];
    hd_str_t  s;

    (void) state;

    assert_int_equal(hd_password_hash((hd_uchar *) "x", 1,
                                      HD_PASSWORD_ITERATIONS, h), 0);
    assert_non_null(strstr(h, "$600000$"));

    s.data = (hd_uchar *) h;
    s.len = strlen(h);
    assert_true(hd_password_verify(&s, (hd_uchar *) "x", 1, &upgrade));
    assert_false(upgrade);
}


static void
test_malformed(void **state)
{
    int          upgrade;
    hd_str_t     s;
    size_t       i;
    const char  *bad[] = {
        "", "plain", "md5$1$x$y", "pbkdf2-sha256$0$AAAAAAAAAAAA$x",
        "pbkdf2-sha256$1000$AAAAAAAAAAAA$tooshort",
        "pbkdf2-sha256$abc$AAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    };

    (void) state;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        s.data = (hd_uchar *) bad[i];
        s.len = strlen(bad[i]);
        assert_false(hd_password_verify(&s, (hd_uchar *) "x", 1, &upgrade));
    }
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_hash_and_verify),
        cmocka_unit_test(test_current_parameters),
        cmocka_unit_test(test_malformed),
    };

    return unit_run("passwords", tests, sizeof(tests) / sizeof(tests[0]));
}

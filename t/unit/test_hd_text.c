/*
 * Text: UTF-8 validity, characters, lower case of ASCII and Cyrillic.
 */

#include "unit.h"
#include "hd_text.h"


#define valid(s)  hd_utf8_valid((const hd_uchar *) (s), sizeof(s) - 1)


static void
test_utf8(void **state)
{
    (void) state;

    assert_true(valid("plain"));
    assert_true(valid("Привет, мир"));
    assert_true(valid("\xf0\x9f\x98\x80"));             /* an emoji */
    assert_false(valid("\xff"));
    assert_false(valid("\xc0\xaf"));                     /* overlong / */
    assert_false(valid("\xe0\x80\xaf"));                 /* overlong */
    assert_false(valid("\xed\xa0\x80"));                 /* a surrogate */
    assert_false(valid("\xf4\x90\x80\x80"));             /* > U+10FFFF */
    assert_false(valid("\xd0"));                         /* cut short */
    assert_int_equal(hd_utf8_chars((hd_uchar *) "Ёжик", 8), 4);
}


static void
test_lower(void **state)
{
    hd_uchar    out[64];
    const char *in = "ИВАН.Петров@Example.COM ЁЖ";

    (void) state;

    hd_text_lower_into(out, (const hd_uchar *) in, strlen(in));
    out[strlen(in)] = '\0';
    assert_string_equal((char *) out, "иван.петров@example.com ёж");

    assert_true(hd_text_equal_nocase((hd_uchar *) "ЁЛКА", 8,
                                     (hd_uchar *) "ёлка", 8));
    assert_false(hd_text_equal_nocase((hd_uchar *) "abc", 3,
                                      (hd_uchar *) "abd", 3));
}


static void
test_printable_and_trim(void **state)
{
    hd_str_t  s;

    (void) state;

    assert_true(hd_text_printable((hd_uchar *) "a b", 3, 0));
    assert_false(hd_text_printable((hd_uchar *) "a\nb", 3, 0));
    assert_true(hd_text_printable((hd_uchar *) "a\r\nb\t", 5, 1));
    assert_false(hd_text_printable((hd_uchar *) "a\x07", 2, 1));

    s.data = (hd_uchar *) "  \t name \r\n";
    s.len = strlen((char *) s.data);
    hd_text_trim(&s);
    assert_int_equal(s.len, 4);
    assert_memory_equal(s.data, "name", 4);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_lower),
        cmocka_unit_test(test_printable_and_trim),
    };

    return unit_run("text", tests, sizeof(tests) / sizeof(tests[0]));
}

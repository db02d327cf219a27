/*
 * Charsets of mail that comes in: every text becomes valid UTF-8, a byte
 * that is no character costs one character, labels are read by their real
 * names, and undeclared 8-bit text reads as a person wrote it.
 */

#include "unit.h"
#include "hd_charset.h"


/* in (of declared charset, fallback) made UTF-8 is want */
static void
reads(const char *declared, const char *in, const char *fallback,
    const char *want)
{
    hd_buf_t  out;

    hd_buf_init(&out);
    assert_int_equal(hd_charset_to_utf8(declared, (const hd_uchar *) in,
                                        strlen(in), fallback, &out), 0);
    assert_true(hd_charset_utf8_valid(out.data, out.len));
    hd_buf_add(&out, "", 1);
    assert_string_equal((char *) out.data, want);
    hd_buf_free(&out);
}


static void
test_declared(void **state)
{
    (void) state;

    reads("windows-1251", "\xcf\xf0\xe8\xe2\xe5\xf2", NULL, "Привет");
    reads("KOI8-R", "\xf0\xd2\xc9\xd7\xc5\xd4", NULL, "Привет");
    reads("iso-8859-5", "\xbf\xe0\xd8\xd2\xd5\xe2", NULL, "Привет");
    reads("\"utf-8\"", "Привет", NULL, "Привет");

    /* labels read as what their text really is */
    reads("gb2312", "\x87\x40", NULL, "嘆");          /* a GBK character */
    reads("iso-8859-1", "\x80 \xe9t\xe9", NULL, "€ été");
    reads("ks_c_5601-1987", "\xb0\xa1", NULL, "가");

    /* one byte that is no character costs one character */
    reads("windows-1251", "\xe2\x98\xe0", NULL, "в\xef\xbf\xbd" "а");
    reads("utf-8", "При\xffвет", NULL, "При\xef\xbf\xbdвет");
    reads("utf-8", "При\xd0", NULL, "При\xef\xbf\xbd");
    reads("gb18030", "\xd6\xd0\xff\xce\xc4", NULL, "中\xef\xbf\xbd文");
}


static void
test_mislabelled(void **state)
{
    (void) state;

    /* said UTF-8, written by an old program */
    reads("utf-8", "\xcf\xf0\xe8\xe2\xe5\xf2, \xea\xe0\xea \xe4\xe5\xeb\xe0?",
          NULL, "Привет, как дела?");

    /* said Windows-1251, valid UTF-8 through and through */
    reads("windows-1251", "Привет, мир", NULL, "Привет, мир");

    /* said nothing anybody knows */
    reads("x-nosuch", "\xcf\xf0\xe8\xe2\xe5\xf2", NULL, "Привет");
    reads("us-ascii", "\xcf\xf0\xe8\xe2\xe5\xf2", NULL, "Привет");
}


static void
test_undeclared(void **state)
{
    (void) state;

    /* UTF-8 first, even with a stray byte */
    reads(NULL, "Добрый день\x98!", NULL, "Добрый день\xef\xbf\xbd!");

    /* the message's own charset */
    reads(NULL, "\xf0\xd2\xc9\xd7\xc5\xd4", "koi8-r", "Привет");

    /* else a guess among the legacy ones */
    reads(NULL, "\xcd\xe5 \xf0\xe0\xe1\xee\xf2\xe0\xe5\xf2 \xef\xee\xe4\xef"
          "\xe8\xf1\xfc", NULL, "Не работает подпись");
    reads(NULL, "\xee\xc5 \xd2\xc1\xc2\xcf\xd4\xc1\xc5\xd4 \xd0\xcf\xc4\xd0"
          "\xc9\xd3\xd8", NULL, "Не работает подпись");
    reads(NULL, "\xbd\xd5 \xe0\xd0\xd1\xde\xe2\xd0\xd5\xe2 \xdf\xde\xd4\xdf"
          "\xd8\xe1\xec", NULL, "Не работает подпись");
    reads(NULL, "Gr\xfc\xdf" "e aus M\xfcnchen", NULL, "Grüße aus München");
    reads(NULL, "Caf\xe9 cr\xe8me", NULL, "Café crème");

    /* ASCII is ASCII whatever the label */
    reads("koi8-r", "plain text", NULL, "plain text");
}


static void
test_repair(void **state)
{
    hd_buf_t  out;

    (void) state;

    /* overlong forms, surrogates, cut characters: each byte one U+FFFD */
    hd_buf_init(&out);
    assert_int_equal(hd_charset_utf8_repair((const hd_uchar *) "a\xc0\xaf"
                                            "b\xed\xa0\x80", 7, &out), 0);
    assert_true(hd_charset_utf8_valid(out.data, out.len));
    assert_int_equal(out.len, 2 + 5 * 3);
    hd_buf_free(&out);

    assert_true(hd_charset_utf8_valid((const hd_uchar *) "Ёж 😀", 9));
    assert_false(hd_charset_utf8_valid((const hd_uchar *) "\xf4\x90\x80\x80",
                                       4));
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_declared),
        cmocka_unit_test(test_mislabelled),
        cmocka_unit_test(test_undeclared),
        cmocka_unit_test(test_repair),
    };

    return unit_run("hd_charset", tests, sizeof(tests) / sizeof(tests[0]));
}

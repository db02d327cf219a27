/*
 * Cryptographic helpers: known PBKDF2 vectors, encodings, tokens.
 */

#include "unit.h"
#include "hd_crypto.h"


static void
test_pbkdf2_vectors(void **state)
{
    char      hex[65];
    hd_uchar  out[32];

    (void) state;

    /* RFC 7914 section 11, PBKDF2-HMAC-SHA256 */
    assert_int_equal(hd_pbkdf2_sha256("passwd", 6, "salt", 4, 1, out, 32), 0);
    hex[hd_hex_encode(hex, out, 32)] = '\0';
    assert_string_equal(hex, "55ac046e56e3089fec1691c22544b605"
                             "f94185216dde0465e68b9d57c20dacbc");

    assert_int_equal(hd_pbkdf2_sha256("Password", 8, "NaCl", 4, 80000, out,
                                      32), 0);
    hex[hd_hex_encode(hex, out, 32)] = '\0';
    assert_string_equal(hex, "4ddcd8f60b98be21830cee5ef22701f9"
                             "641a4418d04c0414aeff08876b34ab56");
}


static void
test_sha256(void **state)
{
    char      hex[65];
    hd_uchar  out[32];

    (void) state;

    hd_sha256("abc", 3, out);
    hex[hd_hex_encode(hex, out, 32)] = '\0';
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
                             "b00361a396177a9cb410ff61f20015ad");
}


static void
test_b64url(void **state)
{
    char      text[64];
    size_t    n, len;
    ssize_t   m;
    hd_uchar  data[32], back[32];

    (void) state;

    for (len = 0; len <= 32; len++) {
        hd_random(data, len);
        n = hd_b64url_encode(text, data, len);
        assert_null(memchr(text, '=', n));
        m = hd_b64url_decode(back, sizeof(back), text, n);
        assert_int_equal(m, (ssize_t) len);
        assert_memory_equal(back, data, len);
    }

    assert_int_equal(hd_b64url_decode(back, sizeof(back), "a+b/", 4), -1);
    assert_int_equal(hd_b64url_decode(back, sizeof(back), "abcde", 5), -1);
}


static void
test_tokens_differ(void **state)
{
    char      a[HD_TOKEN_TEXT_LEN + 1], b[HD_TOKEN_TEXT_LEN + 1];
    hd_uchar  ra[HD_TOKEN_LEN], rb[HD_TOKEN_LEN];

    (void) state;

    assert_int_equal(hd_token_new(ra, a), 0);
    assert_int_equal(hd_token_new(rb, b), 0);
    assert_int_equal(strlen(a), HD_TOKEN_TEXT_LEN);
    assert_string_not_equal(a, b);
    assert_false(hd_ct_equal(ra, rb, HD_TOKEN_LEN));
    assert_true(hd_ct_equal(ra, ra, HD_TOKEN_LEN));
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_pbkdf2_vectors),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_b64url),
        cmocka_unit_test(test_tokens_differ),
    };

    return unit_run("crypto", tests, sizeof(tests) / sizeof(tests[0]));
}

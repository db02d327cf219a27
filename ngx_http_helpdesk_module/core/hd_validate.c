/*
 * The formats, as data: one pattern per format, compiled on first use.
 */

#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <pthread.h>

#include "hd_validate.h"


static const char  *hd_format_patterns[HD_FORMAT_COUNT] = {

    /* local@domain: the local part of RFC 5322's dot-atoms, a domain of
     * labels (letters of any script for internationalised names) with a
     * dot; 254 characters at most, 64 for the local part */
    "^(?=.{3,254}$)(?=[^@]{1,64}@)"
    "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\\.[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+)*"
    "@(?:[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?\\.)+"
    "[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?$",

    /* 3 to 32 Latin letters, digits, dots, dashes, underscores */
    "^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$",

    /* an optional +, then digits with spaces, dashes, parentheses */
    "^\\+?[0-9][0-9 ()-]{4,30}$",
};


static pcre2_code      *hd_format_code[HD_FORMAT_COUNT];
static pthread_once_t   hd_format_once = PTHREAD_ONCE_INIT;


static void
hd_format_compile(void)
{
    int         i, rc;
    size_t      off;

    for (i = 0; i < HD_FORMAT_COUNT; i++) {
        hd_format_code[i] = pcre2_compile(
            (PCRE2_SPTR) hd_format_patterns[i], PCRE2_ZERO_TERMINATED,
            PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY, &rc, &off,
            NULL);

        if (hd_format_code[i] != NULL) {
            (void) pcre2_jit_compile(hd_format_code[i], PCRE2_JIT_COMPLETE);
        }
    }
}


int
hd_format_match(hd_format_e format, const hd_uchar *p, size_t len)
{
    int                rc;
    pcre2_match_data  *md;

    if (pthread_once(&hd_format_once, hd_format_compile) != 0
        || hd_format_code[format] == NULL)
    {
        return 0;
    }

    md = pcre2_match_data_create_from_pattern(hd_format_code[format], NULL);
    if (md == NULL) {
        return 0;
    }

    /* without PCRE2_NO_UTF_CHECK: invalid UTF-8 is an error, not a match */
    rc = pcre2_match(hd_format_code[format], (PCRE2_SPTR) p, len, 0, 0, md,
                     NULL);

    pcre2_match_data_free(md);

    return rc >= 0;
}

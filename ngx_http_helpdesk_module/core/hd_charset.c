/*
 * Charsets of mail that comes in: real names for mail's labels, UTF-8 that
 * is repaired rather than refused, and a guess for undeclared 8-bit text
 * that reads Russian the way a person would.
 */

#include <errno.h>
#include <iconv.h>
#include <strings.h>

#include "hd_charset.h"


#define HD_CHARSET_SAMPLE  65536    /* bytes a guess reads */

static const hd_uchar  hd_replacement[] = { 0xef, 0xbf, 0xbd };


/*
 * What mail calls a charset, and what it is: labels whose text is really a
 * superset (WHATWG's encoding standard reads them the same way); "" for a
 * label that says nothing (then the text is undeclared)
 */
static const struct {
    const char  *label;
    const char  *name;
} hd_charset_aliases[] = {
    { "us-ascii", "" },
    { "ascii", "" },
    { "ansi_x3.4-1968", "" },
    { "unknown-8bit", "" },
    { "x-unknown", "" },
    { "unknown", "" },
    { "default", "" },
    { "8bit", "" },
    { "utf8", "UTF-8" },
    { "utf-8", "UTF-8" },
    { "gb2312", "GB18030" },
    { "gbk", "GB18030" },
    { "x-gbk", "GB18030" },
    { "euc-cn", "GB18030" },
    { "cp936", "GB18030" },
    { "iso-8859-1", "WINDOWS-1252" },
    { "iso8859-1", "WINDOWS-1252" },
    { "latin1", "WINDOWS-1252" },
    { "l1", "WINDOWS-1252" },
    { "iso-8859-9", "WINDOWS-1254" },
    { "ks_c_5601-1987", "CP949" },
    { "euc-kr", "CP949" },
    { "shift_jis", "CP932" },
    { "x-sjis", "CP932" },
    { "big5", "BIG5-HKSCS" },
    { "tis-620", "CP874" },
    { "iso-8859-11", "CP874" },
    { "iso-8859-8-i", "ISO-8859-8" },
    { "x-mac-cyrillic", "MAC-CYRILLIC" },
    { "win-1251", "WINDOWS-1251" },
    { "cp-1251", "WINDOWS-1251" },
    { "unicode-1-1-utf-7", "UTF-7" },
};


/* the name iconv knows a label by; "" when it declares nothing */
static const char *
hd_charset_name(const char *label)
{
    size_t  i;

    if (label == NULL) {
        return "";
    }

    while (*label == ' ' || *label == '"') {
        label++;
    }

    for (i = 0; i < sizeof(hd_charset_aliases) / sizeof(hd_charset_aliases[0]);
         i++)
    {
        if (strcasecmp(label, hd_charset_aliases[i].label) == 0) {
            return hd_charset_aliases[i].name;
        }
    }

    return label;
}


/*
 * One UTF-8 character at p: its length (2-4), 1 for ASCII, 0 when the
 * byte begins no valid character (overlong, surrogate, past U+10FFFF, cut)
 */
static size_t
hd_charset_utf8_char(const hd_uchar *p, const hd_uchar *end)
{
    size_t    n, i;
    uint32_t  c;

    if (*p < 0x80) {
        return 1;
    }

    if (*p >= 0xc2 && *p <= 0xdf) {
        n = 2;
        c = *p & 0x1f;

    } else if (*p >= 0xe0 && *p <= 0xef) {
        n = 3;
        c = *p & 0x0f;

    } else if (*p >= 0xf0 && *p <= 0xf4) {
        n = 4;
        c = *p & 0x07;

    } else {
        return 0;
    }

    if ((size_t) (end - p) < n) {
        return 0;
    }

    for (i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }

        c = c << 6 | (p[i] & 0x3f);
    }

    if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff)))
        || (n == 4 && (c < 0x10000 || c > 0x10ffff)))
    {
        return 0;
    }

    return n;
}


/* characters of two bytes or more, and bytes that begin none */
static void
hd_charset_utf8_count(const hd_uchar *in, size_t len, size_t *chars,
    size_t *bad)
{
    size_t           n;
    const hd_uchar  *p, *end;

    *chars = *bad = 0;

    /* no text at all (a part without a body): in may be NULL */
    if (len == 0) {
        return;
    }

    end = in + len;

    for (p = in; p < end; p += n ? n : 1) {
        n = hd_charset_utf8_char(p, end);

        if (n == 0) {
            (*bad)++;

        } else if (n > 1) {
            (*chars)++;
        }
    }
}


int
hd_charset_utf8_valid(const hd_uchar *in, size_t len)
{
    size_t  chars, bad;

    hd_charset_utf8_count(in, len, &chars, &bad);

    return bad == 0;
}


int
hd_charset_utf8_repair(const hd_uchar *in, size_t len, hd_buf_t *out)
{
    size_t           n;
    const hd_uchar  *p, *end, *run;

    if (len == 0) {
        return 0;
    }

    end = in + len;
    run = in;

    for (p = in; p < end; /* void */ ) {
        n = hd_charset_utf8_char(p, end);

        if (n) {
            p += n;
            continue;
        }

        if (hd_buf_add(out, run, p - run) != 0
            || hd_buf_add(out, hd_replacement, 3) != 0)
        {
            return -1;
        }

        run = ++p;
    }

    return hd_buf_add(out, run, end - run);
}


static int
hd_charset_ascii(const hd_uchar *in, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (in[i] >= 0x80) {
            return 0;
        }
    }

    return 1;
}


/* UTF-8 with at most a few stray bytes: more characters than strays */
static int
hd_charset_mostly_utf8(const hd_uchar *in, size_t len)
{
    size_t  chars, bad;

    hd_charset_utf8_count(in, len, &chars, &bad);

    return chars > bad;
}


/*
 * in from charset name appended as UTF-8, a byte iconv cannot read as
 * U+FFFD; 1 when iconv does not know the charset (nothing appended)
 */
static int
hd_charset_iconv(const char *name, const hd_uchar *in, size_t len,
    hd_buf_t *out)
{
    char     *ip, *op;
    size_t    il, ol, r, room;
    iconv_t   cd;

    cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t) -1) {
        return 1;
    }

    ip = (char *) in;
    il = len;

    while (il > 0) {
        room = il * 4 + 16;

        if (hd_buf_reserve(out, room) != 0) {
            iconv_close(cd);
            return -1;
        }

        op = (char *) out->data + out->len;
        ol = room;

        r = iconv(cd, &ip, &il, &op, &ol);
        out->len = (hd_uchar *) op - out->data;

        if (r != (size_t) -1 || errno == E2BIG) {
            continue;
        }

        /* EILSEQ: a byte that is no character; EINVAL: one cut at the end */
        if (hd_buf_add(out, hd_replacement, 3) != 0) {
            iconv_close(cd);
            return -1;
        }

        if (errno == EINVAL) {
            break;
        }

        ip++;
        il--;
        (void) iconv(cd, NULL, NULL, NULL, NULL);
    }

    /* a stateful charset's (UTF-7) last bytes */
    if (hd_buf_reserve(out, 16) != 0) {
        iconv_close(cd);
        return -1;
    }

    op = (char *) out->data + out->len;
    ol = out->cap - out->len;
    (void) iconv(cd, NULL, NULL, &op, &ol);
    out->len = (hd_uchar *) op - out->data;

    iconv_close(cd);

    return 0;
}


/* how often each letter а..я is in Russian text, per mille */
static const uint8_t  hd_russian[32] = {
    80, 16, 45, 17, 30, 85, 9, 16, 74, 12, 35, 44, 32, 67, 110, 28,
    47, 55, 63, 26, 2, 10, 5, 14, 7, 4, 1, 19, 17, 3, 6, 20
};


/*
 * How much decoded text reads as Russian: frequent lower-case letters
 * score, a capital inside a word and a symbol where a letter would be cost
 */
static long
hd_charset_russian_score(const hd_uchar *p, size_t len)
{
    long             score;
    size_t           n;
    uint32_t         c;
    const hd_uchar  *end;
    int              lower, was_lower;

    score = 0;
    was_lower = 0;
    end = p + len;

    for ( /* void */ ; p < end; p += n) {
        n = hd_charset_utf8_char(p, end);

        if (n < 2) {
            n = n ? n : 1;
            was_lower = (*p >= 'a' && *p <= 'z');
            continue;
        }

        c = n == 2 ? (uint32_t) (p[0] & 0x1f) << 6 | (p[1] & 0x3f)
                   : 0xfffd;
        lower = 0;

        if (c >= 0x430 && c <= 0x44f) {
            score += hd_russian[c - 0x430];
            lower = 1;

        } else if (c == 0x451) {
            score += 2;
            lower = 1;

        } else if ((c >= 0x410 && c <= 0x42f) || c == 0x401) {
            score += was_lower ? -60 : 10;

        } else {
            score -= 80;
        }

        was_lower = lower;
    }

    return score;
}


static int
hd_charset_ascii_letter(hd_uchar c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}


const char *
hd_charset_detect(const hd_uchar *in, size_t len)
{
    long         score, best_score;
    size_t       i, latin, cyrillic;
    hd_buf_t     b;
    const char  *best;

    static const char  *cyrillic_names[] = { "WINDOWS-1251", "KOI8-R",
                                             "ISO-8859-5" };

    if (len > HD_CHARSET_SAMPLE) {
        len = HD_CHARSET_SAMPLE;
    }

    /* an accent sits among Latin letters; Cyrillic letters come in words */
    latin = cyrillic = 0;

    for (i = 0; i < len; i++) {
        if (in[i] < 0x80) {
            continue;
        }

        if ((i > 0 && hd_charset_ascii_letter(in[i - 1]))
            || (i + 1 < len && hd_charset_ascii_letter(in[i + 1])))
        {
            latin++;

        } else {
            cyrillic++;
        }
    }

    if (latin > cyrillic) {
        return "WINDOWS-1252";
    }

    best = cyrillic_names[0];
    best_score = 0;

    for (i = 0; i < sizeof(cyrillic_names) / sizeof(cyrillic_names[0]); i++) {
        hd_buf_init(&b);

        if (hd_charset_iconv(cyrillic_names[i], in, len, &b) != 0) {
            hd_buf_free(&b);
            continue;
        }

        score = hd_charset_russian_score(b.data, b.len);
        hd_buf_free(&b);

        if (i == 0 || score > best_score) {
            best = cyrillic_names[i];
            best_score = score;
        }
    }

    return best;
}


/* undeclared 8-bit text: UTF-8, the message's charset, or a guess */
static int
hd_charset_undeclared(const hd_uchar *in, size_t len, const char *fallback,
    hd_buf_t *out)
{
    int          rc;
    const char  *name;

    if (hd_charset_mostly_utf8(in, len)) {
        return hd_charset_utf8_repair(in, len, out);
    }

    name = hd_charset_name(fallback);

    if (name[0] != '\0' && strcasecmp(name, "UTF-8") != 0) {
        rc = hd_charset_iconv(name, in, len, out);
        if (rc <= 0) {
            return rc;
        }
    }

    rc = hd_charset_iconv(hd_charset_detect(in, len), in, len, out);

    /* (every guess is a charset iconv knows; a stripped glibc may not) */
    return rc > 0 ? hd_charset_utf8_repair(in, len, out) : rc;
}


int
hd_charset_to_utf8(const char *declared, const hd_uchar *in, size_t len,
    const char *fallback, hd_buf_t *out)
{
    int          rc;
    size_t       chars, bad;
    const char  *name;

    if (len == 0) {
        return 0;
    }

    if (hd_charset_ascii(in, len)) {
        return hd_buf_add(out, in, len);
    }

    name = hd_charset_name(declared);

    if (name[0] == '\0') {
        return hd_charset_undeclared(in, len, fallback, out);
    }

    if (strcasecmp(name, "UTF-8") == 0) {
        /* labelled UTF-8 but written by a legacy program: read as one */
        return hd_charset_mostly_utf8(in, len)
               ? hd_charset_utf8_repair(in, len, out)
               : hd_charset_undeclared(in, len, NULL, out);
    }

    /* labelled legacy but valid UTF-8 through and through: UTF-8 */
    hd_charset_utf8_count(in, len, &chars, &bad);

    if (bad == 0 && chars >= 2 && strcasecmp(name, "UTF-7") != 0) {
        return hd_buf_add(out, in, len);
    }

    rc = hd_charset_iconv(name, in, len, out);

    /* a label iconv does not know says nothing */
    return rc > 0 ? hd_charset_undeclared(in, len, fallback, out) : rc;
}

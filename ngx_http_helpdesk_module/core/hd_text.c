/*
 * UTF-8 checks and case folding.
 */

#include <stdlib.h>

#include "hd_text.h"


int
hd_utf8_valid(const hd_uchar *p, size_t len)
{
    size_t           n, i;
    uint32_t         cp, min;
    const hd_uchar  *end = p + len;

    while (p < end) {
        if (*p < 0x80) {
            p++;
            continue;
        }

        if ((*p & 0xe0) == 0xc0) {
            n = 1; cp = *p & 0x1f; min = 0x80;

        } else if ((*p & 0xf0) == 0xe0) {
            n = 2; cp = *p & 0x0f; min = 0x800;

        } else if ((*p & 0xf8) == 0xf0) {
            n = 3; cp = *p & 0x07; min = 0x10000;

        } else {
            return 0;
        }

        if ((size_t) (end - p) <= n) {
            return 0;
        }

        for (i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80) {
                return 0;
            }

            cp = (cp << 6) | (p[i] & 0x3f);
        }

        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }

        p += n + 1;
    }

    return 1;
}


size_t
hd_utf8_chars(const hd_uchar *p, size_t len)
{
    size_t  i, n = 0;

    for (i = 0; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            n++;
        }
    }

    return n;
}


int
hd_text_printable(const hd_uchar *p, size_t len, int multiline)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (p[i] >= 0x20 && p[i] != 0x7f) {
            continue;
        }

        if (multiline && (p[i] == '\n' || p[i] == '\r' || p[i] == '\t')) {
            continue;
        }

        return 0;
    }

    return 1;
}


int
hd_text_identifier(const hd_str_t *s, size_t max)
{
    size_t  i;

    if (s->len == 0 || s->len > max || s->data[0] < 'a' || s->data[0] > 'z')
    {
        return 0;
    }

    for (i = 1; i < s->len; i++) {
        if (!((s->data[i] >= 'a' && s->data[i] <= 'z')
              || (s->data[i] >= '0' && s->data[i] <= '9')
              || s->data[i] == '_'))
        {
            return 0;
        }
    }

    return 1;
}


void
hd_text_trim(hd_str_t *s)
{
    while (s->len && (s->data[0] == ' ' || s->data[0] == '\t'
                      || s->data[0] == '\r' || s->data[0] == '\n'))
    {
        s->data++;
        s->len--;
    }

    while (s->len && (s->data[s->len - 1] == ' '
                      || s->data[s->len - 1] == '\t'
                      || s->data[s->len - 1] == '\r'
                      || s->data[s->len - 1] == '\n'))
    {
        s->len--;
    }
}


void
hd_text_lower_into(hd_uchar *dst, const hd_uchar *p, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (p[i] >= 'A' && p[i] <= 'Z') {
            dst[i] = p[i] + ('a' - 'A');
            continue;
        }

        /* Cyrillic capitals keep their UTF-8 length when lowered:
         * U+0410-041F -> U+0430-043F (d0 90-9f -> d0 b0-bf),
         * U+0420-042F -> U+0440-044F (d0 a0-af -> d1 80-8f),
         * U+0400-040F -> U+0450-045F (d0 80-8f -> d1 90-9f) */
        if (p[i] == 0xd0 && i + 1 < len) {
            if (p[i + 1] >= 0x90 && p[i + 1] <= 0x9f) {
                dst[i] = 0xd0;
                dst[i + 1] = p[i + 1] + 0x20;
                i++;
                continue;
            }

            if (p[i + 1] >= 0xa0 && p[i + 1] <= 0xaf) {
                dst[i] = 0xd1;
                dst[i + 1] = p[i + 1] - 0x20;
                i++;
                continue;
            }

            if (p[i + 1] >= 0x80 && p[i + 1] <= 0x8f) {
                dst[i] = 0xd1;
                dst[i + 1] = p[i + 1] + 0x10;
                i++;
                continue;
            }
        }

        dst[i] = p[i];
    }
}


hd_uchar *
hd_text_lower(hd_pool_t *pool, const hd_uchar *p, size_t len)
{
    hd_uchar  *dst;

    dst = hd_palloc(pool, len + 1);
    if (dst == NULL) {
        return NULL;
    }

    hd_text_lower_into(dst, p, len);
    dst[len] = '\0';

    return dst;
}


int
hd_text_equal_nocase(const hd_uchar *a, size_t alen, const hd_uchar *b,
    size_t blen)
{
    int        eq;
    hd_uchar  *la, *lb;

    if (alen != blen) {
        return 0;
    }

    la = malloc(alen + 1);
    lb = malloc(blen + 1);

    if (la == NULL || lb == NULL) {
        free(la);
        free(lb);
        return 0;
    }

    hd_text_lower_into(la, a, alen);
    hd_text_lower_into(lb, b, blen);
    eq = memcmp(la, lb, alen) == 0;

    free(la);
    free(lb);

    return eq;
}

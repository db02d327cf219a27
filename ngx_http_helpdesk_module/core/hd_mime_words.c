/*
 * Headers' encoded-words (RFC 2047) decoded to UTF-8 by hand: adjacent
 * words of one charset joined before decoding (a character may be split
 * between two), unknown and mislabelled charsets repaired, never lost.
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hd_charset.h"
#include "hd_mime.h"


/* an encoded-word at p: its charset, encoding and text; its length or 0 */
static size_t
hd_mime_word(const hd_uchar *p, const hd_uchar *end, hd_str_t *charset,
    int *encoding, hd_str_t *text)
{
    const hd_uchar  *q, *c;

    if (end - p < 8 || p[0] != '=' || p[1] != '?') {
        return 0;
    }

    c = p + 2;

    for (q = c; q < end && *q != '?'; q++) {
        if (*q <= ' ' || *q >= 0x7f) {
            return 0;
        }
    }

    if (q == c || end - q < 5 || q[2] != '?') {
        return 0;
    }

    charset->data = (hd_uchar *) c;
    charset->len = q - c;

    /* RFC 2231's language: "utf-8*ru" */
    c = memchr(charset->data, '*', charset->len);
    if (c != NULL) {
        charset->len = c - charset->data;
    }

    *encoding = q[1] | 0x20;
    if (*encoding != 'b' && *encoding != 'q') {
        return 0;
    }

    text->data = (hd_uchar *) q + 3;

    for (q = text->data; q + 1 < end; q++) {
        if (*q <= ' ' || *q >= 0x7f) {
            return 0;
        }

        if (q[0] == '?' && q[1] == '=') {
            text->len = q - text->data;
            return q + 2 - p;
        }
    }

    return 0;
}


static int
hd_mime_hex(hd_uchar c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}


static int
hd_mime_b64_value(hd_uchar c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }

    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }

    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }

    return c == '+' ? 62 : c == '/' ? 63 : -1;
}


/* a word's text as bytes: base64 (padding ends it) or Q */
static int
hd_mime_word_bytes(int encoding, const hd_str_t *text, hd_buf_t *raw)
{
    int         v, hi, lo, bits = 0;
    size_t      i;
    uint32_t    acc = 0;
    hd_uchar    c;

    for (i = 0; i < text->len; i++) {
        c = text->data[i];

        if (encoding == 'b') {
            if (c == '=') {
                break;
            }

            v = hd_mime_b64_value(c);
            if (v < 0) {
                continue;           /* lenient: readers are */
            }

            acc = acc << 6 | (uint32_t) v;
            bits += 6;

            if (bits >= 8) {
                bits -= 8;
                if (hd_buf_add_byte(raw, (hd_uchar) (acc >> bits)) != 0) {
                    return -1;
                }
            }

            continue;
        }

        if (c == '_') {
            c = ' ';

        } else if (c == '=' && i + 2 < text->len) {
            hi = hd_mime_hex(text->data[i + 1]);
            lo = hd_mime_hex(text->data[i + 2]);

            if (hi >= 0 && lo >= 0) {
                c = (hd_uchar) (hi << 4 | lo);
                i += 2;
            }
        }

        if (hd_buf_add_byte(raw, c) != 0) {
            return -1;
        }
    }

    return 0;
}


/* raw bytes of a charset appended as UTF-8 (a byte that is no character
   costs one; an unknown charset's bytes are read as undeclared text) */
static int
hd_mime_convert(const hd_str_t *charset, const hd_buf_t *raw,
    const hd_uchar *word, size_t wlen, hd_buf_t *out)
{
    char  name[64];

    if (raw->len == 0) {
        return 0;
    }

    if (charset->len == 0 || charset->len >= sizeof(name)) {
        return hd_buf_add(out, word, wlen);
    }

    memcpy(name, charset->data, charset->len);
    name[charset->len] = '\0';

    return hd_charset_to_utf8(name, raw->data, raw->len, NULL, out);
}


int
hd_mime_decode_header(const hd_uchar *in, size_t len, hd_buf_t *out)
{
    int              encoding, words;
    size_t           n;
    hd_buf_t         raw;
    hd_str_t         charset, cs, text;
    const hd_uchar  *p, *end, *ws, *first, *last;

    /* an empty header (in may be NULL): nothing to decode */
    if (len == 0) {
        return 0;
    }

    hd_buf_init(&raw);
    p = in;
    end = in + len;
    charset.len = 0;
    charset.data = NULL;
    words = 0;
    first = last = NULL;

    while (p < end) {
        /* folding: CRLF (or LF) before white space is not text */
        if (*p == '\r' || *p == '\n') {
            p++;
            continue;
        }

        n = hd_mime_word(p, end, &cs, &encoding, &text);

        if (n) {
            if (words && (cs.len != charset.len
                          || strncasecmp((const char *) cs.data,
                                         (const char *) charset.data,
                                         cs.len) != 0))
            {
                if (hd_mime_convert(&charset, &raw, first, last - first,
                                    out) != 0)
                {
                    goto failed;
                }

                hd_buf_reset(&raw);
                words = 0;
            }

            if (!words) {
                first = p;
            }

            charset = cs;
            words++;
            last = p + n;

            if (hd_mime_word_bytes(encoding, &text, &raw) != 0) {
                goto failed;
            }

            p += n;

            /* white space between two encoded-words is not text */
            for (ws = p; ws < end && (*ws == ' ' || *ws == '\t'
                                      || *ws == '\r' || *ws == '\n'); ws++)
            {
                /* void */
            }

            if (ws > p && hd_mime_word(ws, end, &cs, &encoding, &text)) {
                p = ws;
            }

            continue;
        }

        if (words) {
            if (hd_mime_convert(&charset, &raw, first, last - first, out)
                != 0)
            {
                goto failed;
            }

            hd_buf_reset(&raw);
            words = 0;
        }

        if (hd_buf_add_byte(out, *p == '\t' ? ' ' : *p) != 0) {
            goto failed;
        }

        p++;
    }

    if (words
        && hd_mime_convert(&charset, &raw, first, last - first, out) != 0)
    {
        goto failed;
    }

    hd_buf_free(&raw);
    return 0;

failed:

    hd_buf_free(&raw);
    return -1;
}

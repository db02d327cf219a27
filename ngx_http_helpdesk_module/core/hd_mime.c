/*
 * Building the portal's messages with GMime. Headers are given to GMime as
 * single lines of text and it encodes them (RFC 2047, UTF-8, folded); the
 * parts are UTF-8 with the transfer encoding GMime finds best for 7-bit
 * transport.
 */

#include <pthread.h>
#include <stdlib.h>

#include <gmime/gmime.h>

#include "hd_mime.h"


static pthread_once_t  hd_mime_once = PTHREAD_ONCE_INIT;


static void
hd_mime_init_once(void)
{
    g_mime_init();
}


void
hd_mime_init(void)
{
    (void) pthread_once(&hd_mime_once, hd_mime_init_once);
}


int
hd_mime_address_ok(const hd_uchar *p, size_t len)
{
    size_t  i, at = 0;

    if (len < 3 || len > 254) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (p[i] <= ' ' || p[i] == 0x7f || p[i] == '<' || p[i] == '>'
            || p[i] == '"' || p[i] == '(' || p[i] == ')' || p[i] == ','
            || p[i] == ';' || p[i] == '\\' || p[i] == '[' || p[i] == ']')
        {
            return 0;
        }

        if (p[i] == '@') {
            if (at) {
                return 0;
            }

            at = i;
        }
    }

    return at > 0 && at < len - 1;
}


/*
 * A header's text as one line, NUL-terminated: every control character a
 * space, runs of spaces kept as they are, the ends trimmed
 */
static char *
hd_mime_line(const hd_str_t *s)
{
    char    *out;
    size_t   i, start, end;

    start = 0;
    end = s->len;

    while (start < end && (s->data[start] <= ' ' || s->data[start] == 0x7f)) {
        start++;
    }

    while (end > start
           && (s->data[end - 1] <= ' ' || s->data[end - 1] == 0x7f))
    {
        end--;
    }

    out = malloc(end - start + 1);
    if (out == NULL) {
        return NULL;
    }

    for (i = start; i < end; i++) {
        out[i - start] = (s->data[i] < ' ' || s->data[i] == 0x7f)
                         ? ' ' : (char) s->data[i];
    }

    out[end - start] = '\0';

    return out;
}


/* a URL in angle brackets, bytes past ASCII percent-encoded */
static char *
hd_mime_url(const hd_str_t *s)
{
    char        *out, *p;
    size_t       i;
    static const char  hex[] = "0123456789ABCDEF";

    out = malloc(s->len * 3 + 3);
    if (out == NULL) {
        return NULL;
    }

    p = out;
    *p++ = '<';

    for (i = 0; i < s->len; i++) {
        if (s->data[i] > ' ' && s->data[i] < 0x7f && s->data[i] != '<'
            && s->data[i] != '>')
        {
            *p++ = (char) s->data[i];

        } else {
            *p++ = '%';
            *p++ = hex[s->data[i] >> 4];
            *p++ = hex[s->data[i] & 0x0f];
        }
    }

    *p++ = '>';
    *p = '\0';

    return out;
}


static int
hd_mime_mailbox(InternetAddressList *list, const hd_str_t *name,
    const hd_str_t *address)
{
    char             *n, *a;
    InternetAddress  *ia;

    n = hd_mime_line(name);
    a = hd_mime_line(address);

    if (n == NULL || a == NULL) {
        free(n);
        free(a);
        return -1;
    }

    ia = internet_address_mailbox_new(n, a);
    free(n);
    free(a);

    if (ia == NULL) {
        return -1;
    }

    /* GMime would pick a legacy charset (KOI8-R...) that fits: UTF-8 */
    internet_address_set_charset(ia, "utf-8");
    internet_address_list_add(list, ia);
    g_object_unref(ia);

    return 0;
}


/*
 * A text part, UTF-8. The transfer encoding from one pass over the text
 * (GMime's own choice scans it twice more, a charset guess we do not
 * need): 7bit for short ASCII lines, quoted-printable for long ones,
 * base64 for anything else (Cyrillic: a third shorter than QP)
 */
static GMimeObject *
hd_mime_text(const char *subtype, const hd_str_t *text)
{
    size_t                  i, line, longest;
    unsigned                high;
    GMimePart              *part;
    GMimeStream            *stream;
    GMimeDataWrapper       *wrapper;
    GMimeContentEncoding    encoding;

    high = 0;
    line = longest = 0;

    for (i = 0; i < text->len; i++) {
        if (text->data[i] == '\n') {
            longest = line > longest ? line : longest;
            line = 0;
            continue;
        }

        high |= text->data[i] & 0x80;
        line++;
    }

    longest = line > longest ? line : longest;

    encoding = high ? GMIME_CONTENT_ENCODING_BASE64
               : longest > 76 ? GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE
               : GMIME_CONTENT_ENCODING_7BIT;

    part = GMIME_PART(g_mime_text_part_new_with_subtype(subtype));
    stream = g_mime_stream_mem_new_with_buffer((const char *) text->data,
                                               text->len);
    wrapper = g_mime_data_wrapper_new_with_stream(stream,
                                                  GMIME_CONTENT_ENCODING_DEFAULT);

    g_mime_part_set_content(part, wrapper);
    g_object_unref(wrapper);
    g_object_unref(stream);

    g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset",
                                             "utf-8");
    g_mime_part_set_content_encoding(part, encoding);

    return GMIME_OBJECT(part);
}


static void
hd_mime_header(GMimeObject *obj, const char *name, const char *value)
{
    g_mime_object_set_header(obj, name, value, NULL);
}


hd_rc
hd_mime_build(const hd_mime_mail_t *mail, hd_buf_t *out, hd_err_t *err)
{
    char                *subject, *id, *thread, *url;
    hd_rc                rc;
    GDateTime           *date;
    GByteArray          *bytes;
    GMimeObject         *body, *html;
    GMimeStream         *stream;
    GMimeMessage        *m;
    GMimeMultipart      *alt;
    GMimeFormatOptions  *format;

    if (!hd_mime_address_ok(mail->to_address.data, mail->to_address.len)) {
        return hd_err_set(err, HD_INVALID, "to", "address_invalid",
                          "\"%.*s\" is not an address mail can go to",
                          (int) mail->to_address.len, mail->to_address.data);
    }

    if (!hd_mime_address_ok(mail->from_address.data,
                            mail->from_address.len))
    {
        return hd_err_set(err, HD_INVALID, "from", "address_invalid",
                          "\"%.*s\" is not a sender address",
                          (int) mail->from_address.len,
                          mail->from_address.data);
    }

    hd_mime_init();

    m = g_mime_message_new(TRUE);
    subject = hd_mime_line(&mail->subject);
    id = hd_mime_line(&mail->message_id);
    thread = NULL;
    url = NULL;
    body = NULL;
    rc = HD_NOMEM;

    if (m == NULL || subject == NULL || id == NULL
        || hd_mime_mailbox(g_mime_message_get_from(m), &mail->from_name,
                           &mail->from_address) != 0
        || hd_mime_mailbox(g_mime_message_get_addresses(m,
                                                        GMIME_ADDRESS_TYPE_TO),
                           &mail->to_name, &mail->to_address) != 0)
    {
        goto done;
    }

    date = g_date_time_new_from_unix_utc((gint64) mail->date);
    g_mime_message_set_date(m, date);
    g_date_time_unref(date);

    g_mime_message_set_subject(m, subject, "utf-8");
    g_mime_message_set_message_id(m, id);

    if (mail->thread.len) {
        thread = malloc(mail->thread.len + 3);
        if (thread == NULL) {
            goto done;
        }

        free(id);
        id = hd_mime_line(&mail->thread);
        if (id == NULL) {
            goto done;
        }

        snprintf(thread, mail->thread.len + 3, "<%s>", id);
        hd_mime_header(GMIME_OBJECT(m), "In-Reply-To", thread);
        hd_mime_header(GMIME_OBJECT(m), "References", thread);
    }

    if (mail->auto_generated) {
        /* RFC 3834, and what Exchange reads to hold its auto-replies back */
        hd_mime_header(GMIME_OBJECT(m), "Auto-Submitted", "auto-generated");
        hd_mime_header(GMIME_OBJECT(m), "X-Auto-Response-Suppress",
                       "All");
    }

    if (mail->unsubscribe.len) {
        url = hd_mime_url(&mail->unsubscribe);
        if (url == NULL) {
            goto done;
        }

        hd_mime_header(GMIME_OBJECT(m), "List-Unsubscribe", url);
        hd_mime_header(GMIME_OBJECT(m), "List-Unsubscribe-Post",
                       "List-Unsubscribe=One-Click");
    }

    body = hd_mime_text("plain", &mail->text);
    if (body == NULL) {
        goto done;
    }

    if (mail->html.len) {
        html = hd_mime_text("html", &mail->html);
        if (html == NULL) {
            goto done;
        }

        alt = g_mime_multipart_new_with_subtype("alternative");
        g_mime_multipart_add(alt, body);
        g_mime_multipart_add(alt, html);
        g_object_unref(body);
        g_object_unref(html);
        body = GMIME_OBJECT(alt);
    }

    g_mime_message_set_mime_part(m, body);

    format = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(format,
                                             GMIME_NEWLINE_FORMAT_DOS);

    stream = g_mime_stream_mem_new();
    g_mime_object_write_to_stream(GMIME_OBJECT(m), format, stream);
    bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));

    rc = hd_buf_add(out, bytes->data, bytes->len) == 0 ? HD_OK : HD_NOMEM;

    g_object_unref(stream);
    g_mime_format_options_free(format);

done:

    if (body != NULL) {
        g_object_unref(body);
    }

    if (m != NULL) {
        g_object_unref(m);
    }

    free(subject);
    free(id);
    free(thread);
    free(url);

    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, "nomem",
                          "out of memory building a message");
    }

    return HD_OK;
}


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


/* raw bytes of a charset appended as UTF-8; unknown ones as they were */
static int
hd_mime_convert(const hd_str_t *charset, const hd_buf_t *raw,
    const hd_uchar *word, size_t wlen, hd_buf_t *out)
{
    int      rc;
    char     name[64];
    gsize    n;
    gchar   *utf8;

    if (raw->len == 0) {
        return 0;
    }

    if (charset->len == 0 || charset->len >= sizeof(name)) {
        return hd_buf_add(out, word, wlen);
    }

    memcpy(name, charset->data, charset->len);
    name[charset->len] = '\0';

    utf8 = g_convert_with_fallback((const gchar *) raw->data,
                                   (gssize) raw->len, "UTF-8", name,
                                   "\xef\xbf\xbd", NULL, &n, NULL);
    if (utf8 == NULL) {
        return hd_buf_add(out, word, wlen);
    }

    rc = hd_buf_add(out, utf8, n);
    g_free(utf8);

    return rc;
}


int
hd_mime_decode_header(const hd_uchar *in, size_t len, hd_buf_t *out)
{
    int              encoding, words;
    size_t           n;
    hd_buf_t         raw;
    hd_str_t         charset, cs, text;
    const hd_uchar  *p, *end, *ws, *first, *last;

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

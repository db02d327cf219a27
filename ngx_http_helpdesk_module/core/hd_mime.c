/*
 * Building the portal's messages with GMime (reading them is
 * hd_mime_parse.c, headers' encoded-words hd_mime_words.c). Headers are given to GMime as
 * single lines of text and it encodes them (RFC 2047, UTF-8, folded); the
 * parts are UTF-8 with the transfer encoding GMime finds best for 7-bit
 * transport.
 */

#include <pthread.h>
#include <stdlib.h>

#include <gmime/gmime.h>

#include "hd_charset.h"
#include "hd_html.h"
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


/*
 * A quoted local part ("Big Bug bb"@example.com, RFC 5321's quoted-string):
 * the length up to its @, or 0 when it is not one
 */
static size_t
hd_mime_quoted_local(const hd_uchar *p, size_t len)
{
    size_t  i;

    if (len < 4 || p[0] != '"') {
        return 0;
    }

    for (i = 1; i < len && i < 65; i++) {
        if (p[i] < ' ' || p[i] == 0x7f) {
            return 0;
        }

        if (p[i] == '\\') {
            i++;

            if (i == len || p[i] < ' ' || p[i] == 0x7f) {
                return 0;
            }

            continue;
        }

        if (p[i] == '"') {
            return i > 1 && i + 1 < len && p[i + 1] == '@' ? i + 1 : 0;
        }
    }

    return 0;
}


int
hd_mime_address_ok(const hd_uchar *p, size_t len)
{
    size_t  i, at = 0, quoted;

    if (len < 3 || len > 254) {
        return 0;
    }

    /* the quoted local part as one; the domain as any */
    quoted = hd_mime_quoted_local(p, len);

    if (quoted) {
        /* "x@domain" stands for it: the same rules for the domain */
        char  probe[256];

        probe[0] = 'x';
        memcpy(probe + 1, p + quoted, len - quoted);

        return hd_mime_address_ok((hd_uchar *) probe, len - quoted + 1);
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
hd_mime_set_header(GMimeObject *obj, const char *name, const char *value)
{
    g_mime_object_set_header(obj, name, value, NULL);
}


/*
 * A header written as given, never encoded: List-Unsubscribe's <URL> must
 * reach a mail client as it is (RFC 2369, 8058), and GMime would make a
 * long one RFC 2047 encoded-words. value: printable ASCII, one line.
 */
static int
hd_mime_set_raw_header(GMimeObject *obj, const char *name, const char *value)
{
    char             *raw;
    size_t            n;
    GMimeHeader      *h;
    GMimeHeaderList  *list;

    g_mime_object_set_header(obj, name, "", NULL);

    list = g_mime_object_get_header_list(obj);
    h = list ? g_mime_header_list_get_header(list, name) : NULL;

    n = strlen(value) + 3;
    raw = malloc(n);

    if (h == NULL || raw == NULL) {
        free(raw);
        return -1;
    }

    snprintf(raw, n, " %s\n", value);
    g_mime_header_set_raw_value(h, raw);
    free(raw);

    return 0;
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
        hd_mime_set_header(GMIME_OBJECT(m), "In-Reply-To", thread);

        if (mail->token.len == 0) {
            hd_mime_set_header(GMIME_OBJECT(m), "References", thread);
        }
    }

    /* a reply's client copies References: the token comes back with it */
    if (mail->token.len) {
        free(id);
        id = hd_mime_line(&mail->token);
        free(url);
        url = malloc(mail->token.len + mail->thread.len + 8);

        if (id == NULL || url == NULL) {
            goto done;
        }

        snprintf(url, mail->token.len + mail->thread.len + 8, "%s%s<%s>",
                 thread ? thread : "", thread ? " " : "", id);
        hd_mime_set_header(GMIME_OBJECT(m), "References", url);
        free(url);
        url = NULL;
    }

    if (mail->auto_generated || mail->auto_replied) {
        /* RFC 3834, and what Exchange reads to hold its auto-replies back */
        hd_mime_set_header(GMIME_OBJECT(m), "Auto-Submitted",
                           mail->auto_replied ? "auto-replied"
                                              : "auto-generated");
        hd_mime_set_header(GMIME_OBJECT(m), "X-Auto-Response-Suppress",
                       "All");
    }

    if (mail->unsubscribe.len) {
        url = hd_mime_url(&mail->unsubscribe);
        if (url == NULL) {
            goto done;
        }

        if (hd_mime_set_raw_header(GMIME_OBJECT(m), "List-Unsubscribe", url)
            != 0
            || hd_mime_set_raw_header(GMIME_OBJECT(m), "List-Unsubscribe-Post",
                                      "List-Unsubscribe=One-Click") != 0)
        {
            goto done;
        }
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

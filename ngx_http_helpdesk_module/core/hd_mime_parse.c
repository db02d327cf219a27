/*
 * Reading mail that comes in with GMime: the headers the portal routes by,
 * the text (plain, or HTML made text), the files, bounces' reports, within
 * the limits given; what cannot be read is said, never dropped silently.
 */

#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "hd_charset.h"
#include "hd_html.h"
#include "hd_mime.h"


typedef struct {
    const hd_mime_limits_t  *limits;
    hd_pool_t               *pool;
    hd_mime_message_t       *m;
    GMimeParserOptions      *options;
    hd_buf_t                 text;
    hd_buf_t                 html;
    const char              *charset;   /* the message's: for headers
                                           with raw 8-bit bytes */
    size_t                   files_bytes;
    size_t                   nfiles_cap;
    size_t                   nskipped_cap;
    int                      failed;
} hd_mime_in_t;


static hd_str_t
hd_mime_str(hd_pool_t *pool, const void *p, size_t len)
{
    hd_str_t  s;

    s.data = len ? hd_pstrdup(pool, p, len) : (hd_uchar *) "";
    s.len = s.data ? len : 0;

    return s;
}


/* a header as it came (folded, encoded), or NULL */
static const char *
hd_mime_raw(GMimeObject *obj, const char *name)
{
    GMimeHeader      *h;
    GMimeHeaderList  *list;

    list = g_mime_object_get_header_list(obj);
    if (list == NULL) {
        return NULL;
    }

    h = g_mime_header_list_get_header(list, name);

    return h ? g_mime_header_get_raw_value(h) : NULL;
}


/* header text decoded, one line, trimmed, at most max_header bytes */
static hd_str_t
hd_mime_header_text(hd_mime_in_t *in, const char *raw, size_t len)
{
    size_t    i, start, end;
    hd_buf_t  b, b8;
    hd_str_t  s;

    s.data = (hd_uchar *) "";
    s.len = 0;

    if (raw == NULL) {
        return s;
    }

    hd_buf_init(&b);
    hd_buf_init(&b8);

    /* raw 8-bit bytes (an old mailer's, undeclared): UTF-8 first, then
       encoded-words decoded (those are ASCII, untouched by the first) */
    if (hd_charset_to_utf8(NULL, (const hd_uchar *) raw, len, in->charset,
                           &b8) != 0
        || hd_mime_decode_header(b8.data, b8.len, &b) != 0)
    {
        hd_buf_free(&b8);
        hd_buf_free(&b);
        return s;
    }

    hd_buf_free(&b8);

    /* what a decoded word left that is not UTF-8 */
    if (!hd_charset_utf8_valid(b.data, b.len)) {
        hd_buf_init(&b8);

        if (hd_charset_utf8_repair(b.data, b.len, &b8) != 0) {
            hd_buf_free(&b8);
            hd_buf_free(&b);
            return s;
        }

        hd_buf_free(&b);
        b = b8;
    }

    for (i = 0; i < b.len; i++) {
        if (b.data[i] < ' ' || b.data[i] == 0x7f) {
            b.data[i] = ' ';
        }
    }

    start = 0;
    end = b.len;

    while (start < end && b.data[start] == ' ') {
        start++;
    }

    while (end > start && b.data[end - 1] == ' ') {
        end--;
    }

    if (end - start > in->limits->max_header) {
        end = start + in->limits->max_header;

        /* not in the middle of a UTF-8 character */
        while (end > start && (b.data[end] & 0xc0) == 0x80) {
            end--;
        }
    }

    s = hd_mime_str(in->pool, end > start ? b.data + start : NULL,
                    end - start);
    hd_buf_free(&b);

    return s;
}


static hd_str_t
hd_mime_header(hd_mime_in_t *in, GMimeObject *obj, const char *name)
{
    const char  *raw = hd_mime_raw(obj, name);

    return hd_mime_header_text(in, raw, raw ? strlen(raw) : 0);
}


/* the first <id> of a header, without the brackets */
static hd_str_t
hd_mime_first_id(hd_mime_in_t *in, const char *raw)
{
    const char  *lt, *gt;
    hd_str_t     s = hd_null_string;

    s.data = (hd_uchar *) "";

    if (raw == NULL || (lt = strchr(raw, '<')) == NULL
        || (gt = strchr(lt, '>')) == NULL || gt - lt - 1 > 250)
    {
        return s;
    }

    return hd_mime_str(in->pool, lt + 1, gt - lt - 1);
}


/* the sender: its address by GMime, its name by our decoder */
static void
hd_mime_from(hd_mime_in_t *in, const char *raw)
{
    size_t                n;
    hd_str_t              name;
    const char           *lt, *addr;
    InternetAddress      *ia;
    InternetAddressList  *list;

    if (raw == NULL) {
        return;
    }

    list = internet_address_list_parse(in->options, raw);
    if (list == NULL) {
        return;
    }

    if (internet_address_list_length(list) > 0) {
        ia = internet_address_list_get_address(list, 0);

        if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
            addr = internet_address_mailbox_get_addr(
                                            INTERNET_ADDRESS_MAILBOX(ia));
            n = addr ? strlen(addr) : 0;

            if (n && n < 255) {
                in->m->from_address = hd_mime_str(in->pool, addr, n);
            }
        }
    }

    g_object_unref(list);

    /* "Name" <addr> or =?...?= <addr>: what comes before the address */
    lt = strchr(raw, '<');
    if (lt == NULL || lt == raw) {
        return;
    }

    name = hd_mime_header_text(in, raw, lt - raw);

    /* the quotes of a quoted-string are not part of it */
    if (name.len >= 2 && name.data[0] == '"'
        && name.data[name.len - 1] == '"')
    {
        name.data++;
        name.len -= 2;
    }

    in->m->from_name = name;
}


/* a part's bytes, its transfer encoding undone */
static void
hd_mime_content(GMimePart *part, hd_buf_t *out)
{
    GByteArray        *bytes;
    GMimeStream       *stream;
    GMimeDataWrapper  *wrapper;

    wrapper = g_mime_part_get_content(part);
    if (wrapper == NULL) {
        return;
    }

    stream = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(wrapper, stream);
    bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(stream));

    (void) hd_buf_add(out, bytes->data, bytes->len);
    g_object_unref(stream);
}


/* text to UTF-8 from its declared charset (hd_charset: nothing lost) */
static void
hd_mime_utf8(hd_mime_in_t *in, const char *charset, const hd_buf_t *raw,
    hd_buf_t *out)
{
    if (hd_charset_to_utf8(charset, raw->data, raw->len, NULL, out) != 0) {
        in->failed = 1;
    }
}


/*
 * Lines as a person reads them: CRLF as LF, format=flowed unwrapped (RFC
 * 3676: a line ending with a space goes on; space-stuffing undone), NUL and
 * other control characters gone (a tab stays)
 */
static void
hd_mime_clean(const hd_buf_t *in, int flowed, int delsp, hd_buf_t *out)
{
    size_t           start;
    const hd_uchar  *p, *end, *eol, *e;

    if (in->len == 0) {
        return;                             /* an empty part has no data */
    }

    p = in->data;
    end = p + in->len;

    while (p < end) {
        eol = memchr(p, '\n', end - p);
        e = eol ? eol : end;

        if (e > p && e[-1] == '\r') {
            e--;
        }

        if (flowed && p < e && *p == ' ') {
            p++;                            /* space-stuffed */
        }

        start = out->len;

        for ( /* void */ ; p < e; p++) {
            if (*p >= ' ' || *p == '\t') {
                (void) hd_buf_add_byte(out, *p == 0x7f ? ' ' : *p);
            }
        }

        /* a soft line break: the line goes on (delsp: its space goes) */
        if (flowed && out->len > start && out->data[out->len - 1] == ' '
            && !(out->len - start == 3
                 && memcmp(out->data + start, "-- ", 3) == 0))
        {
            if (delsp) {
                out->len--;
            }

        } else if (eol != NULL) {
            (void) hd_buf_add_byte(out, '\n');
        }

        p = eol ? eol + 1 : end;
    }
}


static void
hd_mime_text_part(hd_mime_in_t *in, GMimePart *part, hd_buf_t *to)
{
    hd_buf_t           raw, utf8;
    const char        *format, *delsp;
    GMimeContentType  *ct;

    ct = g_mime_object_get_content_type(GMIME_OBJECT(part));

    hd_buf_init(&raw);
    hd_buf_init(&utf8);

    hd_mime_content(part, &raw);
    hd_mime_utf8(in, g_mime_content_type_get_parameter(ct, "charset"), &raw,
                 &utf8);

    format = g_mime_content_type_get_parameter(ct, "format");
    delsp = g_mime_content_type_get_parameter(ct, "delsp");

    /* parts of one body (Apple Mail splits it around an image) */
    if (to->len && to->data[to->len - 1] != '\n') {
        (void) hd_buf_add_byte(to, '\n');
    }

    hd_mime_clean(&utf8, format && g_ascii_strcasecmp(format, "flowed") == 0,
                  delsp && g_ascii_strcasecmp(delsp, "yes") == 0, to);

    hd_buf_free(&raw);
    hd_buf_free(&utf8);
}


static hd_mime_file_t *
hd_mime_file_slot(hd_mime_in_t *in, int skipped)
{
    size_t           *n, *cap;
    hd_mime_file_t  **list, *grown;

    list = skipped ? &in->m->skipped : &in->m->files;
    n = skipped ? &in->m->nskipped : &in->m->nfiles;
    cap = skipped ? &in->nskipped_cap : &in->nfiles_cap;

    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        grown = hd_palloc(in->pool, *cap * sizeof(hd_mime_file_t));
        if (grown == NULL) {
            in->failed = 1;
            return NULL;
        }

        if (*n) {
            memcpy(grown, *list, *n * sizeof(hd_mime_file_t));
        }

        *list = grown;
    }

    return &(*list)[(*n)++];
}


/* an attachment: kept within the limits, else named among the skipped */
static void
hd_mime_file(hd_mime_in_t *in, const char *name, const char *type,
    const char *cid, const hd_buf_t *data)
{
    int              skip;
    hd_str_t         n;
    hd_mime_file_t  *f;

    skip = data->len > in->limits->max_file
           || in->files_bytes + data->len > in->limits->max_total
           || in->m->nfiles >= in->limits->max_files;

    f = hd_mime_file_slot(in, skip);
    if (f == NULL) {
        return;
    }

    n = hd_mime_header_text(in, name, strlen(name));
    if (n.len > 255) {
        n.len = 255;
        while (n.len && (n.data[n.len] & 0xc0) == 0x80) {
            n.len--;
        }
    }

    f->name = n;
    f->type = hd_mime_str(in->pool, type, strlen(type));
    f->content_id = hd_mime_str(in->pool, cid ? cid : "",
                                cid ? strlen(cid) : 0);

    if (skip) {
        f->data.data = NULL;
        f->data.len = data->len;
        return;
    }

    f->data = hd_mime_str(in->pool, data->data, data->len);
    in->files_bytes += data->len;

    if (f->data.data == NULL && data->len) {
        in->failed = 1;
    }
}


/* "Final-Recipient: rfc822; a@b": the value after the type */
static hd_str_t
hd_mime_dsn_value(hd_mime_in_t *in, const hd_uchar *p, const hd_uchar *end,
    int typed)
{
    const hd_uchar  *semi;

    if (typed && (semi = memchr(p, ';', end - p)) != NULL) {
        p = semi + 1;
    }

    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
    {
        end--;
    }

    /* a folded field (a long Diagnostic-Code) is one line again */
    {
        size_t     n = 0;
        hd_uchar  *out;

        out = hd_palloc(in->pool, end - p + 1);
        if (out == NULL) {
            return hd_mime_str(in->pool, p, 0);
        }

        for ( /* void */ ; p < end && n < 255; p++) {
            if (*p == '\r' || *p == '\n' || *p == '\t') {
                if (n && out[n - 1] != ' ') {
                    out[n++] = ' ';
                }

                continue;
            }

            if (*p == ' ' && n && out[n - 1] == ' ') {
                continue;
            }

            out[n++] = *p;
        }

        return (hd_str_t) { n, out };
    }
}


/* a delivery report's per-recipient fields (RFC 3464 §2.3) */
static void
hd_mime_dsn(hd_mime_in_t *in, const hd_buf_t *b)
{
    size_t           i;
    hd_mime_dsn_t   *d;
    const hd_uchar  *p, *end, *eol, *colon;

    static const struct {
        const char  *name;
        size_t       off;
        int          typed;
    } fields[] = {
        { "final-recipient", offsetof(hd_mime_dsn_t, recipient), 1 },
        { "action", offsetof(hd_mime_dsn_t, action), 0 },
        { "status", offsetof(hd_mime_dsn_t, status), 0 },
        { "diagnostic-code", offsetof(hd_mime_dsn_t, diagnostic), 1 },
    };

    if (b->len == 0) {
        return;
    }

    p = b->data;
    end = p + b->len;
    d = NULL;

    while (p < end && in->m->ndsn <= HD_MIME_DSN_MAX) {
        eol = memchr(p, '\n', end - p);
        if (eol == NULL) {
            eol = end;
        }

        /* continuation lines belong to the field */
        while (eol + 1 < end && (eol[1] == ' ' || eol[1] == '\t')) {
            eol = memchr(eol + 1, '\n', end - eol - 1);
            if (eol == NULL) {
                eol = end;
                break;
            }
        }

        colon = memchr(p, ':', eol - p);

        for (i = 0; colon && i < sizeof(fields) / sizeof(fields[0]); i++) {
            if ((size_t) (colon - p) != strlen(fields[i].name)
                || g_ascii_strncasecmp((const char *) p, fields[i].name,
                                       colon - p) != 0)
            {
                continue;
            }

            /* a recipient's block begins with its Final-Recipient */
            if (i == 0) {
                if (in->m->ndsn == HD_MIME_DSN_MAX) {
                    return;
                }

                d = &in->m->dsn[in->m->ndsn++];
            }

            if (d != NULL) {
                *(hd_str_t *) ((char *) d + fields[i].off) =
                    hd_mime_dsn_value(in, colon + 1, eol, fields[i].typed);
            }
        }

        p = eol + 1;
    }
}


/* the Message-ID line of returned headers (text/rfc822-headers) */
static void
hd_mime_returned_id(hd_mime_in_t *in, const hd_buf_t *b)
{
    const hd_uchar  *p, *end, *lt, *gt;

    if (b->len == 0) {
        return;
    }

    p = b->data;
    end = p + b->len;

    while (p + 11 < end) {
        if ((p == b->data || p[-1] == '\n')
            && g_ascii_strncasecmp((const char *) p, "message-id:", 11) == 0)
        {
            lt = memchr(p, '<', end - p);
            gt = lt ? memchr(lt, '>', end - lt) : NULL;

            if (gt != NULL && gt - lt < 250) {
                in->m->report_message_id = hd_mime_str(in->pool, lt + 1,
                                                       gt - lt - 1);
            }

            return;
        }

        p++;
    }
}


static void
hd_mime_walk(hd_mime_in_t *in, GMimeObject *obj, size_t depth)
{
    int                        i, n, attachment;
    char                      *s, type[128], name[64];
    hd_buf_t                   b;
    const char                *filename, *subtype, *media;
    GMimeMessage              *inner;
    GMimeContentType          *ct;
    GMimeContentDisposition   *disp;

    if (in->failed) {
        return;
    }

    if (++in->m->parts > in->limits->max_parts
        || depth > in->limits->max_depth)
    {
        in->m->truncated = 1;
        return;
    }

    ct = g_mime_object_get_content_type(obj);
    media = ct ? g_mime_content_type_get_media_type(ct) : "application";
    subtype = ct ? g_mime_content_type_get_media_subtype(ct) : "octet-stream";

    if (GMIME_IS_MESSAGE_PART(obj)) {
        inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        if (inner == NULL) {
            return;
        }

        /* a report returns the message: which one it was */
        if (in->m->report) {
            s = (char *) g_mime_message_get_message_id(inner);

            if (s != NULL && strlen(s) < 250) {
                in->m->report_message_id = hd_mime_str(in->pool, s,
                                                       strlen(s));
            }

            return;
        }

        /* a forwarded message, kept whole as a file of its own */
        s = g_mime_object_to_string(GMIME_OBJECT(inner), NULL);
        if (s != NULL) {
            hd_buf_init(&b);
            (void) hd_buf_add(&b, s, strlen(s));
            hd_mime_file(in, "forwarded.eml", "message/rfc822", NULL, &b);
            hd_buf_free(&b);
            g_free(s);
        }

        return;
    }

    if (GMIME_IS_MULTIPART(obj)) {
        if (g_ascii_strcasecmp(subtype, "report") == 0) {
            s = (char *) g_mime_content_type_get_parameter(ct, "report-type");
            if (s != NULL && g_ascii_strcasecmp(s, "delivery-status") == 0) {
                in->m->report = 1;
            }
        }

        n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));

        for (i = 0; i < n && !in->m->truncated; i++) {
            hd_mime_walk(in, g_mime_multipart_get_part(GMIME_MULTIPART(obj),
                                                       i), depth + 1);
        }

        return;
    }

    if (!GMIME_IS_PART(obj)) {
        return;
    }

    disp = g_mime_object_get_content_disposition(obj);
    attachment = disp != NULL && g_mime_content_disposition_is_attachment(disp);
    filename = g_mime_part_get_filename(GMIME_PART(obj));

    /* a text part shown inline is the body; one with a file name too,
       while there is no body yet (what some mailers make of the text) */
    if (g_ascii_strcasecmp(media, "text") == 0 && !attachment
        && (filename == NULL
            || (g_ascii_strcasecmp(subtype, "plain") == 0
                && in->text.len == 0)))
    {
        if (g_ascii_strcasecmp(subtype, "plain") == 0) {
            hd_mime_text_part(in, GMIME_PART(obj), &in->text);
            return;
        }

        if (g_ascii_strcasecmp(subtype, "html") == 0 && in->html.len == 0) {
            hd_buf_t  raw;

            hd_buf_init(&raw);
            hd_mime_content(GMIME_PART(obj), &raw);
            hd_mime_utf8(in, g_mime_content_type_get_parameter(ct, "charset"),
                         &raw, &in->html);
            hd_buf_free(&raw);
            return;
        }

        if (g_ascii_strcasecmp(subtype, "rfc822-headers") == 0) {
            hd_buf_init(&b);
            hd_mime_content(GMIME_PART(obj), &b);
            hd_mime_returned_id(in, &b);
            hd_buf_free(&b);
            return;
        }
    }

    if (g_ascii_strcasecmp(media, "message") == 0
        && (g_ascii_strcasecmp(subtype, "delivery-status") == 0
            || g_ascii_strcasecmp(subtype, "global-delivery-status") == 0))
    {
        hd_buf_init(&b);
        hd_mime_content(GMIME_PART(obj), &b);
        hd_mime_dsn(in, &b);
        hd_buf_free(&b);
        return;
    }

    /* anything else is a file: a name, or one made from its type */
    snprintf(type, sizeof(type), "%s/%s", media, subtype);

    if (filename == NULL) {
        snprintf(name, sizeof(name), "attachment-%zu.%.16s",
                 in->m->nfiles + in->m->nskipped + 1,
                 g_ascii_strcasecmp(subtype, "octet-stream") == 0 ? "bin"
                 : subtype);
        filename = name;
    }

    hd_buf_init(&b);
    hd_mime_content(GMIME_PART(obj), &b);
    hd_mime_file(in, filename, type,
                 g_mime_part_get_content_id(GMIME_PART(obj)), &b);
    hd_buf_free(&b);
}


/*
 * Where a header block that no blank line ends gives way to the body: the
 * offset of the first line that is neither a field nor a field's
 * continuation; 0 when the block is well formed
 */
static size_t
hd_mime_body_without_blank(const hd_uchar *raw, size_t len)
{
    const hd_uchar  *p, *end, *eol, *q;

    end = raw + len;

    for (p = raw; p < end; p = eol ? eol + 1 : end) {
        eol = memchr(p, '\n', end - p);

        if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
            return 0;
        }

        if (*p == ' ' || *p == '\t'
            || (p == raw && end - p > 5 && memcmp(p, "From ", 5) == 0))
        {
            continue;
        }

        /* a field name (printable, no colon), white space, a colon */
        for (q = p; q < end && *q > ' ' && *q < 0x7f && *q != ':'; q++) {
            /* void */
        }

        while (q > p && q < end && (*q == ' ' || *q == '\t')) {
            q++;
        }

        if (q == p || q == end || *q != ':') {
            return p == raw ? 0 : (size_t) (p - raw);
        }
    }

    return 0;
}


/* the charset of the message's first text part: its headers' too */
static const char *
hd_mime_charset_of(GMimeObject *obj, size_t depth)
{
    int                n, i;
    const char        *cs;
    GMimeContentType  *ct;

    if (obj == NULL || depth > 8) {
        return NULL;
    }

    if (GMIME_IS_MULTIPART(obj)) {
        n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));

        for (i = 0; i < n && i < 16; i++) {
            cs = hd_mime_charset_of(
                     g_mime_multipart_get_part(GMIME_MULTIPART(obj), i),
                     depth + 1);
            if (cs != NULL) {
                return cs;
            }
        }

        return NULL;
    }

    ct = g_mime_object_get_content_type(obj);

    if (ct == NULL
        || g_ascii_strcasecmp(g_mime_content_type_get_media_type(ct), "text")
           != 0)
    {
        return NULL;
    }

    return g_mime_content_type_get_parameter(ct, "charset");
}


/* the extra headers asked for, and every Authentication-Results field */
static void
hd_mime_extra(hd_mime_in_t *in, GMimeObject *obj)
{
    int               i, n;
    size_t            k;
    const char       *name, *raw;
    GMimeHeader      *h;
    GMimeHeaderList  *list;

    for (k = 0; k < in->limits->nheaders && k < HD_MIME_EXTRA_MAX; k++) {
        in->m->extra[k] = hd_mime_header(in, obj, in->limits->headers[k]);
    }

    list = g_mime_object_get_header_list(obj);
    n = list ? g_mime_header_list_get_count(list) : 0;

    for (i = 0; i < n && in->m->nauth < HD_MIME_AUTH_MAX; i++) {
        h = g_mime_header_list_get_header_at(list, i);
        name = h ? g_mime_header_get_name(h) : NULL;

        if (name == NULL
            || g_ascii_strcasecmp(name, "Authentication-Results") != 0)
        {
            continue;
        }

        raw = g_mime_header_get_raw_value(h);
        in->m->auth_results[in->m->nauth++] =
            hd_mime_header_text(in, raw, raw ? strlen(raw) : 0);
    }
}


hd_rc
hd_mime_parse(const hd_uchar *raw, size_t len, const hd_mime_limits_t *limits,
    hd_pool_t *pool, hd_mime_message_t *m, hd_err_t *err)
{
    size_t          n;
    hd_buf_t        text, fixed;
    hd_mime_in_t    in;
    GMimeObject    *body;
    GMimeStream    *stream;
    GMimeParser    *parser;
    GMimeMessage   *msg;
    const char     *id;

    static const char  *fallback[] = { "utf-8", "windows-1251", NULL };

    hd_mime_init();

    memset(m, 0, sizeof(*m));
    memset(&in, 0, sizeof(in));
    in.limits = limits;
    in.pool = pool;
    in.m = m;
    hd_buf_init(&in.text);
    hd_buf_init(&in.html);

    m->from_name.data = m->from_address.data = (hd_uchar *) "";

    in.options = g_mime_parser_options_new();
    g_mime_parser_options_set_fallback_charsets(in.options, fallback);

    /* the blank line a sloppy writer left out, put back */
    hd_buf_init(&fixed);
    n = hd_mime_body_without_blank(raw, len);

    if (n > 0) {
        if (hd_buf_add(&fixed, raw, n) != 0
            || hd_buf_add_str(&fixed, n > 1 && raw[n - 2] == '\r' ? "\r\n"
                                                                 : "\n") != 0
            || hd_buf_add(&fixed, raw + n, len - n) != 0)
        {
            hd_buf_free(&fixed);
            g_mime_parser_options_free(in.options);
            return hd_err_set(err, HD_NOMEM, NULL, "nomem",
                              "out of memory reading a message");
        }

        raw = fixed.data;
        len = fixed.len;
    }

    stream = g_mime_stream_mem_new_with_buffer((const char *) raw, len);
    parser = g_mime_parser_new_with_stream(stream);
    msg = g_mime_parser_construct_message(parser, in.options);
    g_object_unref(parser);
    g_object_unref(stream);
    hd_buf_free(&fixed);

    if (msg == NULL) {
        g_mime_parser_options_free(in.options);
        return hd_err_set(err, HD_INVALID, "message", "message_invalid",
                          "not an e-mail message");
    }

    in.charset = hd_mime_charset_of(g_mime_message_get_mime_part(msg), 0);

    hd_mime_from(&in, hd_mime_raw(GMIME_OBJECT(msg), "From"));
    m->subject = hd_mime_header(&in, GMIME_OBJECT(msg), "Subject");
    m->auto_submitted = hd_mime_header(&in, GMIME_OBJECT(msg),
                                       "Auto-Submitted");
    m->precedence = hd_mime_header(&in, GMIME_OBJECT(msg), "Precedence");
    m->list_id = hd_mime_header(&in, GMIME_OBJECT(msg), "List-Id");
    m->return_path = hd_mime_first_id(&in, hd_mime_raw(GMIME_OBJECT(msg),
                                                       "Return-Path"));
    m->in_reply_to = hd_mime_first_id(&in, hd_mime_raw(GMIME_OBJECT(msg),
                                                       "In-Reply-To"));
    m->references = hd_mime_header(&in, GMIME_OBJECT(msg), "References");
    hd_mime_extra(&in, GMIME_OBJECT(msg));

    id = g_mime_message_get_message_id(msg);
    if (id != NULL && strlen(id) < 250) {
        m->message_id = hd_mime_str(pool, id, strlen(id));
    }

    body = g_mime_message_get_mime_part(msg);
    if (body != NULL) {
        hd_mime_walk(&in, body, 0);
    }

    /* the text, or the HTML made text */
    hd_buf_init(&text);

    if (in.text.len == 0 && in.html.len) {
        (void) hd_html_text(in.html.data, in.html.len, &text);
        m->from_html = 1;

    } else {
        (void) hd_buf_add(&text, in.text.data, in.text.len);
    }

    n = text.len < limits->max_text ? text.len : limits->max_text;
    while (n < text.len && n && (text.data[n] & 0xc0) == 0x80) {
        n--;
    }

    m->text = hd_mime_str(pool, text.data, n);

    hd_buf_free(&text);
    hd_buf_free(&in.text);
    hd_buf_free(&in.html);
    g_object_unref(msg);
    g_mime_parser_options_free(in.options);

    if (in.failed) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem",
                          "out of memory reading a message");
    }

    return HD_OK;
}

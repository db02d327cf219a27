/*
 * A streaming multipart/form-data parser: a window of the body in a fixed
 * buffer, the delimiter searched in it, and what lies safely before a
 * possible delimiter handed on at once.
 */

#define _GNU_SOURCE         /* memmem */

#include <stdlib.h>
#include <string.h>

#include "hd_multipart.h"


#define HD_MP_BOUNDARY_MAX   70         /* RFC 2046 */
#define HD_MP_HEADERS_MAX    8192
#define HD_MP_WINDOW         65536
#define HD_MP_NAME_MAX       256
#define HD_MP_FILENAME_MAX   1024
#define HD_MP_TYPE_MAX       128


typedef enum {
    HD_MP_PREAMBLE = 0,
    HD_MP_AFTER_DELIMITER,
    HD_MP_HEADERS,
    HD_MP_BODY,
    HD_MP_EPILOGUE
} hd_mp_state_e;

typedef enum {
    HD_PART_FIELD = 0,
    HD_PART_FILE,
    HD_PART_SKIP                    /* an empty file input: no file */
} hd_part_kind_e;


struct hd_multipart_s {
    hd_multipart_handler_t   h;
    hd_uchar                 delim[4 + HD_MP_BOUNDARY_MAX];
    size_t                   dlen;
    hd_mp_state_e            state;

    hd_uchar                *buf;
    size_t                   cap;
    size_t                   pos;
    size_t                   len;

    hd_part_kind_e           kind;
    size_t                   parts;
    hd_uchar                 name[HD_MP_NAME_MAX];
    size_t                   name_len;
    hd_uchar                *value;
    size_t                   value_len;
    size_t                   value_cap;
};


static hd_rc
hd_mp_invalid(hd_err_t *err, const char *what)
{
    return hd_err_set(err, HD_INVALID, NULL, "multipart_invalid",
                      "the multipart body is broken: %s", what);
}


int
hd_multipart_boundary(const hd_uchar *ct, size_t len, hd_str_t *boundary)
{
    size_t           i;
    const hd_uchar  *p, *end, *start;

    end = ct + len;

    for (p = ct; p + 9 <= end; p++) {
        if (strncasecmp((const char *) p, "boundary=", 9) != 0
            || (p > ct && p[-1] != ';' && p[-1] != ' ' && p[-1] != '\t'))
        {
            continue;
        }

        p += 9;

        if (p < end && *p == '"') {
            start = ++p;

            while (p < end && *p != '"') {
                p++;
            }

            if (p == end) {
                return -1;
            }

        } else {
            start = p;

            while (p < end && *p != ';' && *p != ' ' && *p != '\t') {
                p++;
            }
        }

        if (p == start || (size_t) (p - start) > HD_MP_BOUNDARY_MAX) {
            return -1;
        }

        for (i = 0; i < (size_t) (p - start); i++) {
            if (start[i] < 0x20 || start[i] >= 0x7f) {
                return -1;
            }
        }

        boundary->data = (hd_uchar *) start;
        boundary->len = p - start;

        return 0;
    }

    return -1;
}


hd_multipart_t *
hd_multipart_create(const hd_str_t *boundary,
    const hd_multipart_handler_t *handler)
{
    hd_multipart_t  *mp;

    if (boundary->len == 0 || boundary->len > HD_MP_BOUNDARY_MAX) {
        return NULL;
    }

    mp = calloc(1, sizeof(hd_multipart_t));
    if (mp == NULL) {
        return NULL;
    }

    mp->h = *handler;
    memcpy(mp->delim, "\r\n--", 4);
    memcpy(mp->delim + 4, boundary->data, boundary->len);
    mp->dlen = 4 + boundary->len;

    mp->cap = HD_MP_WINDOW + HD_MP_HEADERS_MAX + mp->dlen;
    mp->buf = malloc(mp->cap);
    if (mp->buf == NULL) {
        free(mp);
        return NULL;
    }

    /* the first delimiter may open the body: as if a line ended before */
    mp->buf[0] = '\r';
    mp->buf[1] = '\n';
    mp->len = 2;

    return mp;
}


void
hd_multipart_destroy(hd_multipart_t *mp)
{
    if (mp == NULL) {
        return;
    }

    free(mp->value);
    free(mp->buf);
    free(mp);
}


/*
 * a parameter's value: quoted (with \ escapes) or a token. A quote that
 * neither ends the line nor comes before the next ';' is part of the value:
 * some clients send a name's quotes raw (filename=""x".txt"), which would
 * otherwise end it early, or empty (a file dropped as though none was
 * chosen).
 */
static int
hd_mp_closing(const hd_uchar *p, const hd_uchar *end)
{
    for (p++; p < end && (*p == ' ' || *p == '\t'); p++) {
        /* void */
    }

    return p == end || *p == ';';
}


static size_t
hd_mp_param(const hd_uchar *p, const hd_uchar *end, hd_uchar *out,
    size_t size, size_t *olen)
{
    const hd_uchar  *start = p;

    *olen = 0;

    if (p < end && *p == '"') {
        p++;

        while (p < end && (*p != '"' || !hd_mp_closing(p, end))) {
            if (*p == '\\' && p + 1 < end) {
                p++;
            }

            if (*olen < size) {
                out[(*olen)++] = *p;
            }

            p++;
        }

        if (p < end) {
            p++;
        }

    } else {
        while (p < end && *p != ';' && *p != ' ' && *p != '\t') {
            if (*olen < size) {
                out[(*olen)++] = *p;
            }

            p++;
        }
    }

    return p - start;
}


static int
hd_mp_hex(hd_uchar c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}


/* filename*=UTF-8''percent%20encoded (RFC 5987), UTF-8 only */
static int
hd_mp_ext_value(hd_uchar *v, size_t *len)
{
    int       hi, lo;
    size_t    i, n;
    hd_uchar  *q;

    if (*len < 7 || strncasecmp((char *) v, "utf-8'", 6) != 0) {
        return -1;
    }

    q = memchr(v + 6, '\'', *len - 6);
    if (q == NULL) {
        return -1;
    }

    q++;
    n = 0;

    for (i = q - v; i < *len; i++) {
        if (v[i] == '%' && i + 2 < *len) {
            hi = hd_mp_hex(v[i + 1]);
            lo = hd_mp_hex(v[i + 2]);

            if (hi < 0 || lo < 0) {
                return -1;
            }

            v[n++] = (hd_uchar) (hi << 4 | lo);
            i += 2;
            continue;
        }

        v[n++] = v[i];
    }

    *len = n;

    return 0;
}


/* a part's headers: its name, and whether it is a file */
static hd_rc
hd_mp_headers(hd_multipart_t *mp, hd_uchar *p, hd_uchar *end, hd_err_t *err)
{
    int        have_name = 0, have_file = 0, have_ext = 0;
    size_t     n, flen = 0, tlen = 0, plen;
    hd_rc      rc;
    hd_str_t   name, filename, type;
    hd_uchar  *line, *eol, *colon, *v, *pname;
    hd_uchar   fbuf[HD_MP_FILENAME_MAX], tbuf[HD_MP_TYPE_MAX];
    hd_uchar   ext[HD_MP_FILENAME_MAX * 3];
    size_t     elen = 0;

    for (line = p; line < end; line = eol + 2) {
        eol = memmem(line, end - line, "\r\n", 2);
        if (eol == NULL) {
            eol = end;
        }

        colon = memchr(line, ':', eol - line);
        if (colon == NULL) {
            if (eol == line) {
                continue;
            }

            return hd_mp_invalid(err, "a part header without a colon");
        }

        v = colon + 1;

        while (v < eol && (*v == ' ' || *v == '\t')) {
            v++;
        }

        n = colon - line;

        if (n == 12 && strncasecmp((char *) line, "content-type", 12) == 0) {
            tlen = eol - v < HD_MP_TYPE_MAX ? (size_t) (eol - v) : 0;
            memcpy(tbuf, v, tlen);
            continue;
        }

        if (n != 19
            || strncasecmp((char *) line, "content-disposition", 19) != 0)
        {
            continue;
        }

        if (eol - v < 9 || strncasecmp((char *) v, "form-data", 9) != 0) {
            return hd_mp_invalid(err, "a part is not form-data");
        }

        for (v += 9; v < eol; /* void */) {
            while (v < eol && (*v == ';' || *v == ' ' || *v == '\t')) {
                v++;
            }

            pname = v;

            while (v < eol && *v != '=' && *v != ';') {
                v++;
            }

            plen = v - pname;

            if (v == eol || *v != '=') {
                continue;
            }

            v++;

            if (plen == 4 && strncasecmp((char *) pname, "name", 4) == 0) {
                v += hd_mp_param(v, eol, mp->name, sizeof(mp->name),
                                 &mp->name_len);
                have_name = 1;

            } else if (plen == 8
                       && strncasecmp((char *) pname, "filename", 8) == 0)
            {
                v += hd_mp_param(v, eol, fbuf, sizeof(fbuf), &flen);
                have_file = 1;

            } else if (plen == 9
                       && strncasecmp((char *) pname, "filename*", 9) == 0)
            {
                v += hd_mp_param(v, eol, ext, sizeof(ext), &elen);
                have_ext = hd_mp_ext_value(ext, &elen) == 0;
                have_file = 1;

            } else {
                v += hd_mp_param(v, eol, NULL, 0, &n);
            }
        }
    }

    if (!have_name || mp->name_len == 0) {
        return hd_mp_invalid(err, "a part without a name");
    }

    if (++mp->parts > mp->h.fields_max) {
        return hd_err_set(err, HD_INVALID, NULL, "form_invalid",
                          "more than %zu parts", mp->h.fields_max);
    }

    name.data = mp->name;
    name.len = mp->name_len;
    mp->value_len = 0;

    if (!have_file) {
        mp->kind = HD_PART_FIELD;
        return HD_OK;
    }

    if (have_ext && elen <= sizeof(fbuf)) {
        memcpy(fbuf, ext, elen);
        flen = elen;
    }

    if (flen == 0) {
        mp->kind = HD_PART_SKIP;    /* <input type=file> left empty */
        return HD_OK;
    }

    filename.data = fbuf;
    filename.len = flen;
    type.data = tbuf;
    type.len = tlen;

    mp->kind = HD_PART_FILE;

    rc = mp->h.file_begin(mp->h.data, &name, &filename, &type, err);

    return rc;
}


static hd_rc
hd_mp_data(hd_multipart_t *mp, const hd_uchar *p, size_t len, hd_err_t *err)
{
    size_t     cap;
    hd_uchar  *grown;

    if (len == 0) {
        return HD_OK;
    }

    switch (mp->kind) {

    case HD_PART_FILE:
        return mp->h.file_data(mp->h.data, p, len, err);

    case HD_PART_SKIP:
        return HD_OK;

    default:
        break;
    }

    if (mp->value_len + len > mp->h.field_max) {
        mp->name[mp->name_len < sizeof(mp->name) ? mp->name_len
                                                  : sizeof(mp->name) - 1]
            = '\0';
        return hd_err_set(err, HD_INVALID, NULL, "field_too_long",
                          "the field \"%s\" is longer than %zu bytes",
                          (char *) mp->name, mp->h.field_max);
    }

    if (mp->value_len + len > mp->value_cap) {
        cap = mp->value_cap ? mp->value_cap : 256;

        while (cap < mp->value_len + len) {
            cap *= 2;
        }

        grown = realloc(mp->value, cap);
        if (grown == NULL) {
            return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
        }

        mp->value = grown;
        mp->value_cap = cap;
    }

    memcpy(mp->value + mp->value_len, p, len);
    mp->value_len += len;

    return HD_OK;
}


static hd_rc
hd_mp_part_end(hd_multipart_t *mp, hd_err_t *err)
{
    hd_str_t  name, value;

    switch (mp->kind) {

    case HD_PART_FILE:
        return mp->h.file_end(mp->h.data, err);

    case HD_PART_SKIP:
        return HD_OK;

    default:
        name.data = mp->name;
        name.len = mp->name_len;
        value.data = mp->value ? mp->value : (hd_uchar *) "";
        value.len = mp->value_len;

        return mp->h.field(mp->h.data, &name, &value, err);
    }
}


/* consumes what it can of buf[pos, len) */
static hd_rc
hd_mp_process(hd_multipart_t *mp, hd_err_t *err)
{
    size_t     safe;
    hd_rc      rc;
    hd_uchar  *p, *q, *found, *end;

    for ( ;; ) {
        p = mp->buf + mp->pos;
        end = mp->buf + mp->len;

        switch (mp->state) {

        case HD_MP_PREAMBLE:
        case HD_MP_BODY:
            found = memmem(p, end - p, mp->delim, mp->dlen);

            if (found != NULL) {
                /*
                 * a delimiter is followed by "--" or a line end (after
                 * transport padding); anything else is content that
                 * happens to start like one
                 */
                q = found + mp->dlen;

                while (q < end && (*q == ' ' || *q == '\t')) {
                    q++;
                }

                if (end - q < 2) {
                    if (mp->state == HD_MP_BODY) {
                        rc = hd_mp_data(mp, p, found - p, err);
                        if (rc != HD_OK) {
                            return rc;
                        }
                    }

                    mp->pos = found - mp->buf;

                    return HD_OK;           /* to be decided with more */
                }

                if (!(q[0] == '-' && q[1] == '-')
                    && !(q[0] == '\r' && q[1] == '\n'))
                {
                    if (mp->state == HD_MP_BODY) {
                        rc = hd_mp_data(mp, p, found + 1 - p, err);
                        if (rc != HD_OK) {
                            return rc;
                        }
                    }

                    mp->pos = found + 1 - mp->buf;
                    continue;
                }

                if (mp->state == HD_MP_BODY) {
                    rc = hd_mp_data(mp, p, found - p, err);
                    if (rc == HD_OK) {
                        rc = hd_mp_part_end(mp, err);
                    }

                    if (rc != HD_OK) {
                        return rc;
                    }
                }

                mp->pos = (found - mp->buf) + mp->dlen;
                mp->state = HD_MP_AFTER_DELIMITER;
                continue;
            }

            /* what cannot be the start of a delimiter goes on */
            safe = (size_t) (end - p) >= mp->dlen ? (end - p) - (mp->dlen - 1)
                                                  : 0;

            if (safe && mp->state == HD_MP_BODY) {
                rc = hd_mp_data(mp, p, safe, err);
                if (rc != HD_OK) {
                    return rc;
                }
            }

            mp->pos += safe;

            return HD_OK;

        case HD_MP_AFTER_DELIMITER:
            while (p < end && (*p == ' ' || *p == '\t')) {
                p++;
                mp->pos++;
            }

            if (end - p < 2) {
                return HD_OK;
            }

            if (p[0] == '-' && p[1] == '-') {
                mp->state = HD_MP_EPILOGUE;
                continue;
            }

            if (p[0] != '\r' || p[1] != '\n') {
                return hd_mp_invalid(err, "a delimiter not followed by a "
                                          "line end");
            }

            mp->pos += 2;
            mp->state = HD_MP_HEADERS;
            continue;

        case HD_MP_HEADERS:
            if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
                found = p;              /* no headers at all */

            } else {
                found = memmem(p, end - p, "\r\n\r\n", 4);

                if (found == NULL) {
                    if (end - p > HD_MP_HEADERS_MAX) {
                        return hd_mp_invalid(err, "part headers too long");
                    }

                    return HD_OK;
                }

                found += 2;
            }

            rc = hd_mp_headers(mp, p, found, err);
            if (rc != HD_OK) {
                return rc;
            }

            mp->pos = (found - mp->buf) + 2;
            mp->state = HD_MP_BODY;
            continue;

        case HD_MP_EPILOGUE:
            mp->pos = mp->len;
            return HD_OK;
        }
    }
}


hd_rc
hd_multipart_feed(hd_multipart_t *mp, const hd_uchar *p, size_t len,
    hd_err_t *err)
{
    size_t  n;
    hd_rc   rc;

    while (len) {
        if (mp->state == HD_MP_EPILOGUE) {
            return HD_OK;
        }

        /* the unconsumed rest to the front, then as much as fits */
        if (mp->pos) {
            memmove(mp->buf, mp->buf + mp->pos, mp->len - mp->pos);
            mp->len -= mp->pos;
            mp->pos = 0;
        }

        n = mp->cap - mp->len;
        if (n > len) {
            n = len;
        }

        if (n == 0) {
            return hd_mp_invalid(err, "part headers too long");
        }

        memcpy(mp->buf + mp->len, p, n);
        mp->len += n;
        p += n;
        len -= n;

        rc = hd_mp_process(mp, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    return HD_OK;
}


hd_rc
hd_multipart_finish(hd_multipart_t *mp, hd_err_t *err)
{
    if (mp->state != HD_MP_EPILOGUE) {
        return hd_mp_invalid(err, mp->parts ? "the closing delimiter is "
                                              "missing"
                                            : "no parts");
    }

    return HD_OK;
}

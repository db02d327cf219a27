/*
 * Record encoding and decoding, varints and big-endian integers.
 */

#include "hd_record.h"


size_t
hd_varint_put(hd_uchar *p, uint64_t v)
{
    size_t  n = 0;

    while (v >= 0x80) {
        p[n++] = (hd_uchar) (v | 0x80);
        v >>= 7;
    }

    p[n++] = (hd_uchar) v;

    return n;
}


static inline size_t
hd_varint_get_inline(const hd_uchar *p, const hd_uchar *end, uint64_t *v)
{
    size_t    n;
    unsigned  shift;
    uint64_t  r;

    /* most are one byte: tags, lengths, small numbers */
    if (p < end && p[0] < 0x80) {
        *v = p[0];
        return 1;
    }

    r = 0;

    for (n = 0, shift = 0; p + n < end && shift < 64; n++, shift += 7) {
        r |= (uint64_t) (p[n] & 0x7f) << shift;

        if ((p[n] & 0x80) == 0) {
            *v = r;
            return n + 1;
        }
    }

    return 0;
}


size_t
hd_varint_get(const hd_uchar *p, const hd_uchar *end, uint64_t *v)
{
    return hd_varint_get_inline(p, end, v);
}


void
hd_be64_put(hd_uchar *p, uint64_t v)
{
    int  i;

    for (i = 7; i >= 0; i--) {
        p[i] = (hd_uchar) v;
        v >>= 8;
    }
}


void
hd_be32_put(hd_uchar *p, uint32_t v)
{
    p[0] = (hd_uchar) (v >> 24);
    p[1] = (hd_uchar) (v >> 16);
    p[2] = (hd_uchar) (v >> 8);
    p[3] = (hd_uchar) v;
}


static uint64_t
hd_record_number(const hd_field_t *f, const hd_uchar *rec)
{
    int64_t  i;

    switch (f->type) {

    case HD_FIELD_U64:
        return *(const uint64_t *) (rec + f->offset);

    case HD_FIELD_I64:
        /* zigzag: small negative numbers stay short */
        i = *(const int64_t *) (rec + f->offset);
        return ((uint64_t) i << 1) ^ (uint64_t) (i >> 63);

    case HD_FIELD_U32:
        return *(const uint32_t *) (rec + f->offset);

    default:
        return *(const uint8_t *) (rec + f->offset);
    }
}


int
hd_record_encode(const hd_record_desc_t *desc, const void *rec,
    hd_buf_t *out)
{
    size_t           i, n;
    uint64_t         v;
    hd_uchar         tmp[32];
    const hd_str_t  *s;
    const hd_field_t *f;

    hd_buf_reset(out);

    tmp[0] = HD_RECORD_FORMAT;
    tmp[1] = desc->kind;
    tmp[2] = desc->version;

    if (hd_buf_add(out, tmp, 3) != 0) {
        return -1;
    }

    for (i = 0; i < desc->nfields; i++) {
        f = &desc->fields[i];

        if (f->type == HD_FIELD_STR) {
            s = (const hd_str_t *) ((const hd_uchar *) rec + f->offset);

            if (s->len == 0) {
                continue;
            }

            n = hd_varint_put(tmp, f->tag);
            n += hd_varint_put(tmp + n, s->len);

            if (hd_buf_add(out, tmp, n) != 0
                || hd_buf_add(out, s->data, s->len) != 0)
            {
                return -1;
            }

            continue;
        }

        v = hd_record_number(f, rec);

        if (v == 0) {
            continue;
        }

        n = hd_varint_put(tmp, f->tag);
        n += 1;
        tmp[n - 1] = (hd_uchar) hd_varint_put(tmp + n, v);
        n += tmp[n - 1];

        if (hd_buf_add(out, tmp, n) != 0) {
            return -1;
        }
    }

    return 0;
}


int
hd_record_kind(const void *data, size_t len, uint8_t *version)
{
    const hd_uchar  *p = data;

    if (len < 3 || p[0] != HD_RECORD_FORMAT) {
        return -1;
    }

    if (version) {
        *version = p[2];
    }

    return p[1];
}


static const hd_field_t *
hd_record_field(const hd_record_desc_t *desc, uint64_t tag, size_t *hint)
{
    size_t  i;

    /*
     * fields are stored in table order, empty ones left out: search on
     * from the last one found, and only then from the start
     */
    for (i = *hint; i < desc->nfields; i++) {
        if (desc->fields[i].tag == tag) {
            *hint = i + 1;
            return &desc->fields[i];
        }
    }

    for (i = 0; i < *hint && i < desc->nfields; i++) {
        if (desc->fields[i].tag == tag) {
            *hint = i + 1;
            return &desc->fields[i];
        }
    }

    return NULL;
}


hd_rc
hd_record_decode(const hd_record_desc_t *desc, const void *data, size_t len,
    void *rec)
{
    size_t            n, hint;
    int64_t           i;
    uint64_t          tag, flen, v = 0;
    hd_uchar         *r = rec;
    hd_str_t         *s;
    const hd_uchar   *p = data, *end = p + len;
    const hd_field_t *f;

    memset(rec, 0, desc->size);

    /* an absent string is empty, never a NULL pointer */
    for (hint = 0; hint < desc->nfields; hint++) {
        if (desc->fields[hint].type == HD_FIELD_STR) {
            s = (hd_str_t *) (r + desc->fields[hint].offset);
            s->data = (hd_uchar *) "";
        }
    }

    if (hd_record_kind(data, len, NULL) != desc->kind) {
        return HD_CORRUPT;
    }

    p += 3;
    hint = 0;

    while (p < end) {
        n = hd_varint_get_inline(p, end, &tag);
        if (n == 0) {
            return HD_CORRUPT;
        }

        p += n;

        n = hd_varint_get_inline(p, end, &flen);
        if (n == 0 || flen > (uint64_t) (end - p - n)) {
            return HD_CORRUPT;
        }

        p += n;

        f = hd_record_field(desc, tag, &hint);

        if (f == NULL) {
            p += flen;          /* a field of a newer module */
            continue;
        }

        if (f->type == HD_FIELD_STR) {
            s = (hd_str_t *) (r + f->offset);
            s->data = (hd_uchar *) p;
            s->len = flen;
            p += flen;
            continue;
        }

        if (hd_varint_get_inline(p, p + flen, &v) != flen) {
            return HD_CORRUPT;
        }

        p += flen;

        switch (f->type) {

        case HD_FIELD_U64:
            *(uint64_t *) (r + f->offset) = v;
            break;

        case HD_FIELD_I64:
            i = (int64_t) (v >> 1) ^ -(int64_t) (v & 1);
            *(int64_t *) (r + f->offset) = i;
            break;

        case HD_FIELD_U32:
            if (v > UINT32_MAX) {
                return HD_CORRUPT;
            }
            *(uint32_t *) (r + f->offset) = (uint32_t) v;
            break;

        default:
            if (v > UINT8_MAX) {
                return HD_CORRUPT;
            }
            *(uint8_t *) (r + f->offset) = (uint8_t) v;
        }
    }

    return HD_OK;
}


int
hd_record_strings_copy(const hd_record_desc_t *desc, void *rec,
    hd_pool_t *pool)
{
    size_t     i;
    hd_str_t  *s;
    hd_uchar  *copy;

    for (i = 0; i < desc->nfields; i++) {
        if (desc->fields[i].type != HD_FIELD_STR) {
            continue;
        }

        s = (hd_str_t *) ((hd_uchar *) rec + desc->fields[i].offset);

        if (s->len == 0) {
            s->data = (hd_uchar *) "";
            continue;
        }

        copy = hd_pstrdup(pool, s->data, s->len);
        if (copy == NULL) {
            return -1;
        }

        s->data = copy;
    }

    return 0;
}

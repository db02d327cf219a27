/*
 * A multipart/form-data upload: the first line is the Content-Type header's
 * value, the rest the body, fed in pieces whose sizes the first byte picks.
 */

#include "fuzz.h"
#include "hd_multipart.h"


/* every byte handed over is read: a bad pointer is a finding */
static volatile hd_uchar  fuzz_sum;


typedef struct {
    int     in_file;
    size_t  bytes;
} fuzz_mp_t;


static hd_rc
fuzz_field(void *data, const hd_str_t *name, const hd_str_t *value,
    hd_err_t *err)
{
    (void) data; (void) err;

    if (name->len > 0 && name->data[0] == '\0' && value->len > 1 << 20) {
        abort();
    }

    return HD_OK;
}


static hd_rc
fuzz_file_begin(void *data, const hd_str_t *name, const hd_str_t *filename,
    const hd_str_t *type, hd_err_t *err)
{
    fuzz_mp_t  *f = data;

    (void) name; (void) filename; (void) type; (void) err;

    if (f->in_file) {
        abort();                    /* a file began inside a file */
    }

    f->in_file = 1;

    return HD_OK;
}


static hd_rc
fuzz_file_data(void *data, const hd_uchar *p, size_t len, hd_err_t *err)
{
    size_t      i;
    fuzz_mp_t  *f = data;

    (void) err;

    if (!f->in_file) {
        abort();
    }

    for (i = 0; i < len; i++) {
        fuzz_sum += p[i];
    }

    f->bytes += len;

    return HD_OK;
}


static hd_rc
fuzz_file_end(void *data, hd_err_t *err)
{
    fuzz_mp_t  *f = data;

    (void) err;

    if (!f->in_file) {
        abort();
    }

    f->in_file = 0;

    return HD_OK;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                   piece, off, n, ct_len;
    hd_err_t                 err;
    hd_str_t                 boundary;
    hd_uchar                *copy;
    fuzz_mp_t                f;
    hd_multipart_t          *mp;
    const uint8_t           *nl;
    hd_multipart_handler_t   h;

    if (size < 1) {
        return 0;
    }

    piece = 1 + data[0] % 64;
    data++;
    size--;

    nl = memchr(data, '\n', size);
    ct_len = nl ? (size_t) (nl - data) : size;

    copy = fuzz_copy(data, ct_len);
    if (hd_multipart_boundary(copy, ct_len, &boundary) != 0) {
        free(copy);
        return 0;
    }

    memset(&f, 0, sizeof(f));
    memset(&h, 0, sizeof(h));
    h.field = fuzz_field;
    h.file_begin = fuzz_file_begin;
    h.file_data = fuzz_file_data;
    h.file_end = fuzz_file_end;
    h.data = &f;
    h.field_max = 4096;
    h.fields_max = 20;

    mp = hd_multipart_create(&boundary, &h);
    if (mp == NULL) {
        free(copy);
        return 0;
    }

    off = nl ? ct_len + 1 : size;

    while (off < size) {
        n = size - off < piece ? size - off : piece;
        hd_uchar *bit = fuzz_copy(data + off, n);
        hd_rc rc = hd_multipart_feed(mp, bit, n, &err);
        free(bit);
        if (rc != HD_OK) {
            break;
        }
        off += n;
    }

    if (off >= size) {
        hd_multipart_finish(mp, &err);
    }

    hd_multipart_destroy(mp);
    free(copy);

    return 0;
}

/*
 * A stored record, as a corrupted LMDB value would be: read as the kind its
 * header names (or, when it names none, a kind the size picks); what
 * decodes must encode again and decode to the same record.
 */

#include "fuzz.h"
#include "hd_record.h"
#include "hd_schema.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                      kind;
    size_t                   i, n = 0;
    uint8_t                  version;
    hd_buf_t                 out;
    hd_uchar                *value;
    unsigned char            rec[4096], again[4096];
    const hd_record_desc_t  *descs[HD_DB_COUNT], *d;

    for (i = 0; i < HD_DB_COUNT; i++) {
        if (hd_dbs[i].record != NULL) {
            descs[n++] = hd_dbs[i].record;
        }
    }

    if (n == 0) {
        abort();
    }

    d = descs[size % n];
    kind = hd_record_kind(data, size, &version);

    for (i = 0; i < n; i++) {
        if ((int) descs[i]->kind == kind) {
            d = descs[i];
        }
    }

    if (d->size > sizeof(rec)) {
        abort();
    }

    value = fuzz_copy(data, size);

    if (hd_record_decode(d, value, size, rec) == HD_OK) {
        hd_buf_init(&out);

        if (hd_record_encode(d, rec, &out) != 0) {
            abort();
        }

        if (hd_record_decode(d, out.data, out.len, again) != HD_OK) {
            abort();                /* what we wrote, we read */
        }

        for (i = 0; i < d->nfields; i++) {
            const hd_field_t  *f = &d->fields[i];

            if (f->type == HD_FIELD_STR) {
                const hd_str_t *a = (hd_str_t *) (rec + f->offset);
                const hd_str_t *b = (hd_str_t *) (again + f->offset);

                if (a->len != b->len
                    || (a->len && memcmp(a->data, b->data, a->len) != 0))
                {
                    abort();
                }

            } else if (f->type == HD_FIELD_U64 || f->type == HD_FIELD_I64) {
                if (memcmp(rec + f->offset, again + f->offset, 8) != 0) {
                    abort();
                }

            } else if (f->type == HD_FIELD_U32) {
                if (memcmp(rec + f->offset, again + f->offset, 4) != 0) {
                    abort();
                }

            } else if (rec[f->offset] != again[f->offset]) {
                abort();
            }
        }

        hd_buf_free(&out);
    }

    free(value);

    return 0;
}

/*
 * Importing certificates from CSV (number,code,type,valid_from,valid_until):
 * the whole file is checked first, every bad line reported with its
 * number; then all of it goes in one transaction, or nothing does.
 */

#include <csv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "hd_certificate.h"
#include "hd_date.h"
#include "hd_store.h"
#include "hd_text.h"


#define HD_IMPORT_FIELDS      5
#define HD_IMPORT_REPORT_MAX  1000        /* bad lines described */


typedef struct {
    hd_str_t          number;
    hd_str_t          key;            /* the number in lower case */
    hd_uchar          code_hash[HD_SHA256_LEN];
    int               has_code;
    uint64_t          type;
    int32_t           valid_from;
    int32_t           valid_until;
    size_t            line;
} hd_import_row_t;


typedef struct {
    hd_txn_t         *txn;
    hd_arena_t       *arena;
    hd_cert_import_t *result;

    hd_import_row_t  *rows;
    size_t            nrows;
    size_t            cap;

    hd_str_t          field[HD_IMPORT_FIELDS];
    size_t            nfields;
    size_t            record;         /* the record being read, from 1 */
    int               failed;         /* out of memory */

    /* certificate types by what the file calls them */
    hd_str_t          type_names[64];
    uint64_t          type_ids[64];
    size_t            ntypes;
} hd_import_t;


static void
hd_import_bad(hd_import_t *im, size_t line, const char *fmt, ...)
{
    char     text[256];
    va_list  args;

    im->result->bad_lines++;

    if (im->result->bad_lines > HD_IMPORT_REPORT_MAX) {
        return;
    }

    va_start(args, fmt);
    vsnprintf(text, sizeof(text), fmt, args);
    va_end(args);

    hd_buf_printf(&im->result->report, "line %zu: %s\n", line, text);
}


static uint64_t
hd_import_type(hd_import_t *im, const hd_str_t *name)
{
    size_t          i;
    hd_cert_type_t  t;

    for (i = 0; i < im->ntypes; i++) {
        if (im->type_names[i].len == name->len
            && memcmp(im->type_names[i].data, name->data, name->len) == 0)
        {
            return im->type_ids[i];
        }
    }

    if (hd_cert_type_lookup(im->txn, name, &t) != HD_OK) {
        return 0;
    }

    if (im->ntypes < 64) {
        im->type_names[im->ntypes].data = hd_pstrdup(&im->arena->pool,
                                                     name->data, name->len);
        im->type_names[im->ntypes].len = name->len;
        im->type_ids[im->ntypes] = t.id;
        im->ntypes++;
    }

    return t.id;
}


static void
hd_import_field(void *s, size_t len, void *data)
{
    hd_import_t  *im = data;

    if (im->nfields < HD_IMPORT_FIELDS) {
        im->field[im->nfields].data = hd_pstrdup(&im->arena->pool, s, len);
        im->field[im->nfields].len = len;

        if (im->field[im->nfields].data == NULL) {
            im->failed = 1;
        }
    }

    im->nfields++;
}


static int
hd_import_is_header(hd_import_t *im)
{
    static const char  *names[HD_IMPORT_FIELDS] = {
        "number", "code", "type", "valid_from", "valid_until"
    };
    size_t  i;
    hd_str_t  f;

    if (im->nfields != HD_IMPORT_FIELDS) {
        return 0;
    }

    for (i = 0; i < HD_IMPORT_FIELDS; i++) {
        f = im->field[i];

        /* a byte order mark from spreadsheets */
        if (i == 0 && f.len >= 3 && memcmp(f.data, "\xef\xbb\xbf", 3) == 0) {
            f.data += 3;
            f.len -= 3;
        }

        hd_text_trim(&f);

        if (f.len != strlen(names[i]) || memcmp(f.data, names[i], f.len)) {
            return 0;
        }
    }

    return 1;
}


static void
hd_import_record(int c, void *data)
{
    size_t            i, line;
    hd_str_t          f[HD_IMPORT_FIELDS];
    hd_errors_t       errors;
    hd_import_t      *im = data;
    hd_import_row_t  *row, *grown;

    (void) c;

    line = ++im->record;

    if (line == 1) {
        if (!hd_import_is_header(im)) {
            hd_import_bad(im, 1, "the header must be "
                          "number,code,type,valid_from,valid_until");
        }

        im->nfields = 0;
        return;
    }

    if (im->nfields != HD_IMPORT_FIELDS) {
        hd_import_bad(im, line, "%zu fields, not 5", im->nfields);
        im->nfields = 0;
        return;
    }

    im->nfields = 0;

    for (i = 0; i < HD_IMPORT_FIELDS; i++) {
        f[i] = im->field[i];
        hd_text_trim(&f[i]);
    }

    if (im->nrows == im->cap) {
        im->cap = im->cap ? 2 * im->cap : 1024;
        grown = realloc(im->rows, im->cap * sizeof(hd_import_row_t));
        if (grown == NULL) {
            im->failed = 1;
            return;
        }
        im->rows = grown;
    }

    row = &im->rows[im->nrows];
    memset(row, 0, sizeof(hd_import_row_t));
    row->line = line;
    row->number = f[0];

    memset(&errors, 0, sizeof(errors));
    hd_cert_validate_number(&f[0], &errors);

    if (errors.n) {
        hd_import_bad(im, line, "bad number \"%.*s\"", (int) f[0].len,
                      f[0].data);
        return;
    }

    if (f[1].len) {
        if (f[1].len > 64 || !hd_text_printable(f[1].data, f[1].len, 0)) {
            hd_import_bad(im, line, "bad activation code");
            return;
        }

        hd_cert_code_hash(&f[1], row->code_hash);
        row->has_code = 1;
    }

    row->type = hd_import_type(im, &f[2]);

    if (row->type == 0) {
        hd_import_bad(im, line, "unknown certificate type \"%.*s\"",
                      (int) f[2].len, f[2].data);
        return;
    }

    if (hd_date_parse(f[3].data, f[3].len, &row->valid_from) != 0) {
        hd_import_bad(im, line, "bad valid_from \"%.*s\" (YYYY-MM-DD)",
                      (int) f[3].len, f[3].data);
        return;
    }

    if (hd_date_parse(f[4].data, f[4].len, &row->valid_until) != 0) {
        hd_import_bad(im, line, "bad valid_until \"%.*s\" (YYYY-MM-DD)",
                      (int) f[4].len, f[4].data);
        return;
    }

    if (row->valid_until < row->valid_from) {
        hd_import_bad(im, line, "valid_until is before valid_from");
        return;
    }

    im->nrows++;
}


/* rows by lower-case number, to find numbers given twice in the file */
static int
hd_import_cmp(const void *a, const void *b)
{
    int                     rc;
    size_t                  n;
    const hd_import_row_t  *x = a, *y = b;

    n = x->key.len < y->key.len ? x->key.len : y->key.len;
    rc = memcmp(x->key.data, y->key.data, n);

    if (rc == 0) {
        rc = (x->key.len > y->key.len) - (x->key.len < y->key.len);
    }

    return rc ? rc : (x->line > y->line) - (x->line < y->line);
}


static hd_rc
hd_import_write(hd_import_t *im, uint64_t now, uint64_t issued_by,
    hd_err_t *err)
{
    hd_rc              rc;
    size_t             i;
    uint64_t           id;
    hd_uchar           key[8];
    hd_certificate_t   c;

    for (i = 0; i < im->nrows; i++) {
        rc = hd_seq_next(im->txn, "certificates", &id, err);
        if (rc != HD_OK) {
            return rc;
        }

        memset(&c, 0, sizeof(c));
        c.id = id;
        c.number = im->rows[i].number;
        c.type = im->rows[i].type;
        c.valid_from = (uint32_t) im->rows[i].valid_from;
        c.valid_until = (uint32_t) im->rows[i].valid_until;
        c.created = now;
        c.issued_by = issued_by;

        if (im->rows[i].has_code) {
            c.code_hash.data = im->rows[i].code_hash;
            c.code_hash.len = HD_SHA256_LEN;
        }

        hd_be64_put(key, id);

        rc = hd_record_put(im->txn, HD_DB_CERTIFICATES, key, 8,
                           &hd_certificate_desc, &c, HD_PUT_NEW, err);
        if (rc != HD_OK) {
            return rc;
        }

        rc = hd_db_put(im->txn, HD_DB_CERT_BY_NUMBER, im->rows[i].key.data,
                       im->rows[i].key.len, key, 8, HD_PUT_NEW, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    return HD_OK;
}


hd_rc
hd_cert_import(hd_store_t *store, const hd_uchar *csv, size_t len,
    uint64_t now, uint64_t issued_by, hd_cert_import_t *result,
    hd_err_t *err)
{
    hd_rc               rc;
    size_t              i;
    hd_str_t            number;
    hd_uchar           *key;
    hd_txn_t            txn;
    hd_import_t         im;
    struct csv_parser   parser;

    memset(&im, 0, sizeof(im));
    im.result = result;
    result->imported = 0;
    result->bad_lines = 0;

    im.arena = hd_arena_create(1 << 20);
    if (im.arena == NULL || csv_init(&parser, CSV_APPEND_NULL) != 0) {
        hd_arena_destroy(im.arena);
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_txn_begin(store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        csv_free(&parser);
        hd_arena_destroy(im.arena);
        return rc;
    }

    im.txn = &txn;

    /* 1. read and check every line */

    if (csv_parse(&parser, csv, len, hd_import_field, hd_import_record, &im)
        != len
        || csv_fini(&parser, hd_import_field, hd_import_record, &im) != 0)
    {
        hd_import_bad(&im, im.record + 1, "%s",
                      csv_strerror(csv_error(&parser)));
    }

    csv_free(&parser);

    if (im.record < 2 && result->bad_lines == 0) {
        hd_import_bad(&im, 1, "no certificates in the file");
    }

    /* 2. numbers: each once in the file, none already issued */

    for (i = 0; i < im.nrows && !im.failed; i++) {
        number = im.rows[i].number;

        key = hd_palloc(&im.arena->pool, number.len);
        if (key == NULL) {
            im.failed = 1;
            break;
        }

        hd_text_lower_into(key, number.data, number.len);
        im.rows[i].key.data = key;
        im.rows[i].key.len = number.len;

        if (hd_db_get(&txn, HD_DB_CERT_BY_NUMBER, key, number.len, NULL)
            == HD_OK)
        {
            hd_import_bad(&im, im.rows[i].line, "the number \"%.*s\" is "
                          "already issued", (int) number.len, number.data);
        }
    }

    if (!im.failed && im.nrows > 1) {
        qsort(im.rows, im.nrows, sizeof(hd_import_row_t), hd_import_cmp);

        for (i = 1; i < im.nrows; i++) {
            if (im.rows[i].key.len == im.rows[i - 1].key.len
                && memcmp(im.rows[i].key.data, im.rows[i - 1].key.data,
                          im.rows[i].key.len) == 0)
            {
                hd_import_bad(&im, im.rows[i].line, "the number \"%.*s\" is "
                              "given twice (also line %zu)",
                              (int) im.rows[i].number.len,
                              im.rows[i].number.data, im.rows[i - 1].line);
            }
        }
    }

    if (im.failed) {
        rc = hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");

    } else if (result->bad_lines) {
        rc = hd_err_set(err, HD_INVALID, "file", "import_invalid",
                        "%zu bad lines: nothing imported", result->bad_lines);

    } else {
        /* 3. all of it, in the one transaction */
        rc = hd_import_write(&im, now, issued_by, err);
    }

    if (rc == HD_OK) {
        rc = hd_txn_commit(&txn, err);
        result->imported = rc == HD_OK ? im.nrows : 0;

    } else {
        hd_txn_abort(&txn);
    }

    free(im.rows);
    hd_arena_destroy(im.arena);

    return rc;
}

/*
 * A CSV file of certificates (helpdesk import-certificates), into a store
 * with a product and a certificate type "T" (id 1): all of it or nothing.
 */

#include "fuzz.h"
#include "hd_certificate.h"
#include "hd_product.h"


static void
fuzz_csv_catalog(hd_store_t *store)
{
    hd_err_t        err;
    hd_txn_t        txn;
    hd_product_t    p;
    hd_cert_type_t  t;

    if (hd_txn_begin(store, &txn, HD_TXN_WRITE, &err) != HD_OK) {
        abort();
    }

    memset(&p, 0, sizeof(p));
    hd_str_set(&p.name, "P");
    memset(&t, 0, sizeof(t));
    hd_str_set(&t.name, "T");
    t.term_months = 12;
    t.ticket_limit = 2;
    t.department = 1;

    if (hd_product_save(&txn, &p, 1, &err) != HD_OK
        || (t.product = p.id, hd_cert_type_save(&txn, &t, 1, &err)) != HD_OK
        || hd_txn_commit(&txn, &err) != HD_OK)
    {
        abort();
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hd_store_t  *store;
    hd_err_t            err;
    hd_uchar           *csv;
    hd_cert_import_t    result;

    if (store == NULL) {
        store = fuzz_store();
        fuzz_csv_catalog(store);
    }

    csv = fuzz_copy(data, size);
    hd_buf_init(&result.report);

    if (hd_cert_import(store, csv, size, 1795300000, 1, &result, &err)
        == HD_OK && result.bad_lines != 0)
    {
        abort();                    /* a file with bad lines went in */
    }

    hd_buf_free(&result.report);
    free(csv);

    return 0;
}

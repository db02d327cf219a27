/*
 * What the mail gate keeps besides tickets: the log of every message that
 * came in, and the quarantine of those it held (SPEC §7.3): listing them,
 * deleting one, releasing one to be routed again.
 */

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "hd_account.h"
#include "hd_bounce.h"
#include "hd_files.h"
#include "hd_mail_read.h"
#include "hd_mail_route.h"
#include "hd_mime.h"
#include "hd_notify.h"
#include "hd_outbox.h"
#include "hd_ratelimit.h"
#include "hd_staff.h"
#include "hd_store.h"
#include "hd_text.h"
#include "hd_ticket_customer.h"
#include "hd_ticket_staff.h"


static const hd_field_t  hd_mail_log_fields[] = {
    hd_field(hd_mail_log_t, 1, HD_FIELD_U64, id),
    hd_field(hd_mail_log_t, 2, HD_FIELD_U64, time),
    hd_field(hd_mail_log_t, 3, HD_FIELD_U8, source),
    hd_field(hd_mail_log_t, 4, HD_FIELD_STR, from),
    hd_field(hd_mail_log_t, 5, HD_FIELD_STR, subject),
    hd_field(hd_mail_log_t, 6, HD_FIELD_STR, message_id),
    hd_field(hd_mail_log_t, 7, HD_FIELD_U8, action),
    hd_field(hd_mail_log_t, 8, HD_FIELD_STR, reason),
    hd_field(hd_mail_log_t, 9, HD_FIELD_U64, ticket),
    hd_field(hd_mail_log_t, 10, HD_FIELD_U64, quarantine),
};

const hd_record_desc_t  hd_mail_log_desc = hd_record(HD_KIND_MAIL_LOG, 1,
                                                     hd_mail_log_t,
                                                     hd_mail_log_fields);

static const hd_field_t  hd_quarantine_fields[] = {
    hd_field(hd_quarantine_t, 1, HD_FIELD_U64, id),
    hd_field(hd_quarantine_t, 2, HD_FIELD_U64, time),
    hd_field(hd_quarantine_t, 3, HD_FIELD_U8, source),
    hd_field(hd_quarantine_t, 4, HD_FIELD_STR, from),
    hd_field(hd_quarantine_t, 5, HD_FIELD_STR, subject),
    hd_field(hd_quarantine_t, 6, HD_FIELD_STR, reason),
    hd_field(hd_quarantine_t, 7, HD_FIELD_U64, ticket),
    hd_field(hd_quarantine_t, 8, HD_FIELD_STR, sha256),
    hd_field(hd_quarantine_t, 9, HD_FIELD_U64, size),
};

const hd_record_desc_t  hd_quarantine_desc = hd_record(HD_KIND_QUARANTINE, 1,
                                                       hd_quarantine_t,
                                                       hd_quarantine_fields);


hd_rc
hd_mail_log_list(hd_txn_t *txn, size_t skip, size_t limit, hd_pool_t *pool,
    hd_mail_log_t **list, size_t *n, size_t *total)
{
    hd_rc        rc;
    size_t       seen = 0;
    hd_str_t     k, v;
    hd_cursor_t  cur;

    *n = 0;
    (void) hd_db_count(txn, HD_DB_MAIL_LOG, total);

    *list = hd_palloc(pool, (limit ? limit : 1) * sizeof(hd_mail_log_t));
    if (*list == NULL) {
        return HD_NOMEM;
    }

    rc = hd_cursor_open(txn, HD_DB_MAIL_LOG, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_last(&cur, &k, &v);
         rc == HD_OK && *n < limit;
         rc = hd_cursor_prev(&cur, &k, &v))
    {
        if (seen++ < skip
            || hd_record_decode(&hd_mail_log_desc, v.data, v.len,
                                &(*list)[*n]) != HD_OK
            || hd_record_strings_copy(&hd_mail_log_desc, &(*list)[*n], pool)
               != 0)
        {
            continue;
        }

        (*n)++;
    }

    hd_cursor_close(&cur);

    return HD_OK;
}


hd_rc
hd_quarantine_list(hd_txn_t *txn, hd_pool_t *pool, hd_quarantine_t **list,
    size_t *n)
{
    hd_rc        rc;
    size_t       cap;
    hd_str_t     k, v;
    hd_cursor_t  cur;

    *n = 0;

    if (hd_db_count(txn, HD_DB_QUARANTINE, &cap) != HD_OK) {
        cap = 0;
    }

    cap = cap > 1000 ? 1000 : cap;

    *list = hd_palloc(pool, (cap ? cap : 1) * sizeof(hd_quarantine_t));
    if (*list == NULL) {
        return HD_NOMEM;
    }

    rc = hd_cursor_open(txn, HD_DB_QUARANTINE, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_last(&cur, &k, &v);
         rc == HD_OK && *n < cap;
         rc = hd_cursor_prev(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_quarantine_desc, v.data, v.len,
                             &(*list)[*n]) == HD_OK
            && hd_record_strings_copy(&hd_quarantine_desc, &(*list)[*n],
                                      pool) == 0)
        {
            (*n)++;
        }
    }

    hd_cursor_close(&cur);

    return HD_OK;
}


size_t
hd_quarantine_count(hd_txn_t *txn)
{
    size_t  n;

    return hd_db_count(txn, HD_DB_QUARANTINE, &n) == HD_OK ? n : 0;
}


hd_rc
hd_quarantine_get(hd_txn_t *txn, uint64_t id, hd_quarantine_t *q)
{
    hd_uchar  key[8];

    hd_be64_put(key, id);

    return hd_record_get(txn, HD_DB_QUARANTINE, key, 8, &hd_quarantine_desc,
                         q);
}


hd_rc
hd_quarantine_remove(hd_txn_t *txn, uint64_t id, uint64_t now, hd_err_t *err)
{
    hd_rc            rc;
    hd_uchar         key[8], sha[HD_SHA256_LEN];
    hd_quarantine_t  q;

    rc = hd_quarantine_get(txn, id, &q);
    if (rc != HD_OK) {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                          "no message %llu in the quarantine",
                          (unsigned long long) id);
    }

    if (q.sha256.len == HD_SHA256_LEN) {
        memcpy(sha, q.sha256.data, HD_SHA256_LEN);

        rc = hd_blob_ref(txn, sha, q.size, now, -1, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    hd_be64_put(key, id);

    return hd_db_del(txn, HD_DB_QUARANTINE, key, 8, err);
}


typedef struct {
    uint64_t  id;
    uint64_t  now;
} hd_quarantine_op_t;


static hd_rc
hd_quarantine_delete_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    hd_quarantine_op_t  *op = arg;

    return hd_quarantine_remove(txn, op->id, op->now, err);
}


hd_rc
hd_quarantine_delete(hd_store_t *store, uint64_t id, uint64_t now,
    hd_err_t *err)
{
    hd_quarantine_op_t  op;

    op.id = id;
    op.now = now;

    return hd_txn_run(store, hd_quarantine_delete_txn, &op, err);
}


hd_rc
hd_quarantine_release(const hd_portal_t *portal, uint64_t id, uint64_t now,
    hd_mailin_t *out, hd_err_t *err)
{
    char             path[PATH_MAX], rel[HD_FILE_REL_LEN + 1];
    hd_rc            rc;
    hd_buf_t         raw;
    hd_txn_t         txn;
    hd_uchar         sha[HD_SHA256_LEN];
    hd_quarantine_t  q;

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_READ, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_quarantine_get(&txn, id, &q);

    if (rc == HD_OK && q.sha256.len == HD_SHA256_LEN) {
        memcpy(sha, q.sha256.data, HD_SHA256_LEN);
    }

    hd_txn_abort(&txn);

    if (rc != HD_OK || q.sha256.len != HD_SHA256_LEN) {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                          "no message %llu in the quarantine",
                          (unsigned long long) id);
    }

    hd_file_rel_path(sha, rel);
    snprintf(path, sizeof(path), "%s/%s", portal->files, rel);

    hd_buf_init(&raw);

    if (hd_buf_read_file(&raw, path) != 0) {
        hd_buf_free(&raw);
        return hd_err_set(err, HD_IO, NULL, "io",
                          "the quarantined message's file is gone");
    }

    memset(out, 0, sizeof(*out));
    out->portal = portal;
    out->raw = raw.data;
    out->len = raw.len;
    out->now = now;
    out->source = q.source;
    out->release = id;

    rc = hd_mail_receive(out, err);
    hd_buf_free(&raw);

    return rc;
}

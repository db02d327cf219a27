/*
 * The schema: the table of named databases, the version with its migrations,
 * and the integrity check.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hd_account.h"
#include "hd_bounce.h"
#include "hd_certificate.h"
#include "hd_company.h"
#include "hd_kb.h"
#include "hd_macro.h"
#include "hd_category.h"
#include "hd_form.h"
#include "hd_regulations.h"
#include "hd_mail_route.h"
#include "hd_outbox.h"
#include "hd_product.h"
#include "hd_ratelimit.h"
#include "hd_session.h"
#include "hd_staff.h"
#include "hd_store.h"
#include "hd_ticket.h"
#include "hd_token.h"
#include "hd_work.h"


/* every named database of the environment, in hd_db_e order */
const hd_db_def_t  hd_dbs[HD_DB_COUNT] = {
    { "meta", 0, NULL, NULL },
    { "accounts", 0, &hd_account_desc, hd_account_check },
    { "account_by_email", 0, NULL, NULL },
    { "account_by_login", 0, NULL, NULL },
    { "sessions", 0, &hd_session_desc, hd_session_check },
    { "sessions_by_account", 0, NULL, NULL },
    { "api_tokens", 0, &hd_api_token_desc, NULL },
    { "api_tokens_by_account", 0, NULL, NULL },
    { "tokens", 0, &hd_token_desc, NULL },
    { "tokens_by_account", 0, NULL, NULL },
    { "ratelimits", 0, &hd_ratelimit_desc, NULL },
    { "outbox", 0, &hd_mail_desc, NULL },
    { "outbox_queue", 0, NULL, NULL },
    { "departments", 0, &hd_department_desc, NULL },
    { "department_by_name", 0, NULL, NULL },
    { "products", 0, &hd_product_desc, hd_product_check },
    { "product_by_name", 0, NULL, NULL },
    { "cert_types", 0, &hd_cert_type_desc, NULL },
    { "cert_type_by_name", 0, NULL, NULL },
    { "certificates", 0, &hd_certificate_desc, hd_cert_check },
    { "cert_by_number", 0, NULL, NULL },
    { "certs_by_holder", 0, NULL, NULL },
    { "cert_unclosed", 0, NULL, NULL },
    { "companies", 0, &hd_company_desc, hd_company_check },
    { "company_members", 0, &hd_member_desc, NULL },
    { "tickets", 0, &hd_ticket_desc, hd_ticket_check },
    { "messages", 0, &hd_message_desc, NULL },
    { "attachments", 0, &hd_attachment_desc, NULL },
    { "blobs", 0, &hd_blob_desc, NULL },
    { "audit", 0, &hd_audit_desc, NULL },
    { "tickets_by_scope", MDB_DUPSORT | MDB_DUPFIXED, NULL, NULL },
    { "queues", MDB_DUPSORT | MDB_DUPFIXED, NULL, NULL },
    { "queue_counts", 0, NULL, NULL },
    { "tickets_by_sla", 0, NULL, NULL },
    { "tickets_by_autoclose", 0, NULL, NULL },
    { "premium_used", 0, NULL, NULL },
    { "tickets_rated", 0, NULL, NULL },
    { "staff_departments", 0, NULL, hd_staff_check },
    { "department_staff", 0, NULL, NULL },
    { "queue_sla", MDB_DUPSORT | MDB_DUPFIXED, NULL, NULL },
    { "ticket_words", MDB_DUPSORT | MDB_DUPFIXED, NULL, NULL },
    { "sla_breaches", 0, &hd_breach_desc, NULL },
    { "timer", 0, NULL, NULL },
    { "bounces", 0, &hd_bounce_desc, NULL },
    { "outbox_failed", 0, NULL, NULL },
    { "mail_ids", 0, NULL, NULL },
    { "mail_log", 0, &hd_mail_log_desc, NULL },
    { "quarantine", 0, &hd_quarantine_desc, NULL },
    { "search_postings", MDB_DUPSORT | MDB_DUPFIXED, NULL, NULL },
    { "search_docs", 0, NULL, NULL },
    { "kb_articles", 0, &hd_kb_article_desc, NULL },
    { "kb_revisions", 0, &hd_kb_revision_desc, NULL },
    { "kb_by_updated", 0, NULL, NULL },
    { "kb_stats", 0, NULL, NULL },
    { "kb_votes", 0, NULL, NULL },
    { "kb_missed", 0, NULL, NULL },
    { "macros", 0, &hd_macro_desc, NULL },
    { "search_fresh", 0, NULL, NULL },
    { "search_segs", 0, NULL, NULL },
    { "kb_files", 0, &hd_attachment_desc, NULL },
    { "regulations", 0, &hd_edition_desc, NULL },
    { "forms", 0, &hd_form_desc, NULL },
    { "categories", 0, &hd_category_desc, NULL },
};


/*
 * Version 2: tickets and staff. Their databases are created empty by the
 * opening; what an older environment lacks is a department marked as the
 * general queue (for tickets without a certificate) and the marks that
 * list its staff accounts.
 */
static hd_rc
hd_schema_v2(hd_txn_t *txn, hd_err_t *err)
{
    hd_rc         rc;
    size_t        i, n = 0, cap = 0;
    uint64_t     *staff = NULL, *grown;
    hd_str_t      k, v;
    hd_cursor_t   cur;
    hd_account_t  a;

    rc = hd_department_general_default(txn, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_cursor_open(txn, HD_DB_ACCOUNTS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    /* marked after the walk: no writes under a cursor of the same table */
    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_account_desc, v.data, v.len, &a) != HD_OK
            || !hd_account_is_staff(&a))
        {
            continue;
        }

        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            grown = realloc(staff, cap * sizeof(uint64_t));
            if (grown == NULL) {
                hd_cursor_close(&cur);
                free(staff);
                return hd_err_set(err, HD_NOMEM, NULL, "nomem",
                                  "out of memory");
            }

            staff = grown;
        }

        staff[n++] = a.id;
    }

    hd_cursor_close(&cur);

    for (rc = HD_OK, i = 0; rc == HD_OK && i < n; i++) {
        rc = hd_account_staff_mark(txn, staff[i], 1, err);
    }

    free(staff);

    return rc;
}


/*
 * Migrations, oldest first: each moves an environment from version `from`
 * to from + 1 inside the opening transaction
 */
const hd_migration_t  hd_migrations[] = {
    { 1, "tickets and the general queue", hd_schema_v2 },
    { 2, "SLA clocks and auto-close times", hd_work_migrate },
    { 3, "the tickets' search index in segments", hd_search_migrate },
};

const size_t  hd_nmigrations = sizeof(hd_migrations)
                               / sizeof(hd_migrations[0]);


#define HD_SCHEMA_KEY  "schema"


hd_rc
hd_schema_version(hd_txn_t *txn, uint32_t *version)
{
    hd_rc     rc;
    hd_str_t  v;

    rc = hd_db_get(txn, HD_DB_META, HD_SCHEMA_KEY, sizeof(HD_SCHEMA_KEY) - 1,
                   &v);
    if (rc != HD_OK) {
        return rc;
    }

    if (v.len != 4) {
        return HD_CORRUPT;
    }

    *version = hd_be32_get(v.data);

    return HD_OK;
}


static hd_rc
hd_schema_set_version(hd_txn_t *txn, uint32_t version, hd_err_t *err)
{
    hd_uchar  v[4];

    hd_be32_put(v, version);

    return hd_db_put(txn, HD_DB_META, HD_SCHEMA_KEY,
                     sizeof(HD_SCHEMA_KEY) - 1, v, 4, 0, err);
}


hd_rc
hd_schema_prepare(hd_txn_t *txn, const hd_migration_t *migrations, size_t n,
    uint32_t target, hd_err_t *err)
{
    hd_rc     rc;
    size_t    i;
    uint32_t  version;
    hd_uchar  now[8];

    rc = hd_schema_version(txn, &version);

    if (rc == HD_NOT_FOUND) {
        /* a new environment: the databases were just created empty */
        hd_be64_put(now, (uint64_t) time(NULL));

        rc = hd_db_put(txn, HD_DB_META, "created", 7, now, 8, 0, err);
        if (rc != HD_OK) {
            return rc;
        }

        rc = hd_department_defaults(txn, (uint64_t) time(NULL), err);
        if (rc != HD_OK) {
            return rc;
        }

        return hd_schema_set_version(txn, target, err);
    }

    if (rc != HD_OK) {
        return hd_err_set(err, HD_CORRUPT, NULL, "storage_corrupt",
                          "the schema version cannot be read");
    }

    if (version == target) {
        return HD_OK;       /* nothing written: a full database still opens */
    }

    if (version > target) {
        return hd_err_set(err, HD_CORRUPT, NULL, "schema_newer",
                          "the data directory has schema version %u, newer "
                          "than this module's %u: run a newer module",
                          version, target);
    }

    while (version < target) {
        for (i = 0; i < n; i++) {
            if (migrations[i].from == version) {
                break;
            }
        }

        if (i == n) {
            return hd_err_set(err, HD_CORRUPT, NULL, "schema_gap",
                              "no migration from schema version %u", version);
        }

        rc = migrations[i].run(txn, err);
        if (rc != HD_OK) {
            return rc;
        }

        version++;
    }

    return hd_schema_set_version(txn, version, err);
}


void
hd_check_problem(hd_check_t *check, const char *fmt, ...)
{
    char     line[512];
    va_list  args;

    va_start(args, fmt);
    vsnprintf(line, sizeof(line), fmt, args);
    va_end(args);

    check->problems++;
    hd_buf_printf(&check->report, "problem: %s\n", line);
}


static void
hd_schema_check_records(hd_txn_t *txn, hd_db_e db, hd_check_t *check)
{
    size_t       bad = 0;
    hd_rc        rc;
    void        *rec;
    hd_str_t     k, v;
    hd_cursor_t  cur;

    rec = malloc(hd_dbs[db].record->size);
    if (rec == NULL || hd_cursor_open(txn, db, &cur) != HD_OK) {
        free(rec);
        hd_check_problem(check, "%s: cannot be read", hd_dbs[db].name);
        return;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(hd_dbs[db].record, v.data, v.len, rec)
            != HD_OK)
        {
            bad++;
        }
    }

    hd_cursor_close(&cur);
    free(rec);

    if (bad) {
        hd_check_problem(check, "%s: %zu records do not decode",
                         hd_dbs[db].name, bad);
    }
}


hd_rc
hd_schema_check(hd_txn_t *txn, hd_check_t *check)
{
    hd_rc     rc;
    size_t    i, count;
    uint32_t  version;

    rc = hd_schema_version(txn, &version);

    if (rc != HD_OK) {
        hd_check_problem(check, "the schema version is missing");

    } else if (version != HD_SCHEMA_VERSION) {
        hd_check_problem(check, "schema version %u, expected %u", version,
                         HD_SCHEMA_VERSION);

    } else {
        hd_buf_printf(&check->report, "schema version %u\n", version);
    }

    for (i = 0; i < HD_DB_COUNT; i++) {
        if (hd_db_count(txn, (hd_db_e) i, &count) != HD_OK) {
            hd_check_problem(check, "%s: cannot be read", hd_dbs[i].name);
            continue;
        }

        hd_buf_printf(&check->report, "%-28s %10zu\n", hd_dbs[i].name, count);

        if (hd_dbs[i].record != NULL) {
            hd_schema_check_records(txn, (hd_db_e) i, check);
        }

        if (hd_dbs[i].check != NULL) {
            rc = hd_dbs[i].check(txn, check);
            if (rc != HD_OK) {
                hd_check_problem(check, "%s: the check failed: %s",
                                 hd_dbs[i].name, hd_rc_name(rc));
            }
        }
    }

    return HD_OK;
}

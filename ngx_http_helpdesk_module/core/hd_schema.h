/*
 * What is stored: the named databases of the environment (records and their
 * indexes), the schema version and the migrations from older versions, and
 * the integrity check that walks all of it.
 */

#ifndef HD_SCHEMA_H
#define HD_SCHEMA_H


#include "hd_core.h"
#include "hd_buf.h"
#include "hd_record.h"


#define HD_SCHEMA_VERSION  4


typedef enum {
    HD_DB_META = 0,
    HD_DB_ACCOUNTS,                 /* id -> account */
    HD_DB_ACCOUNT_BY_EMAIL,         /* lower-case e-mail -> id */
    HD_DB_ACCOUNT_BY_LOGIN,         /* lower-case login -> id */
    HD_DB_SESSIONS,                 /* sha256(token) -> session */
    HD_DB_SESSIONS_BY_ACCOUNT,      /* account, sha256(token) -> "" */
    HD_DB_API_TOKENS,               /* sha256(token) -> API token */
    HD_DB_API_TOKENS_BY_ACCOUNT,    /* account, id -> sha256(token) */
    HD_DB_TOKENS,                   /* sha256(token) -> one-time token */
    HD_DB_TOKENS_BY_ACCOUNT,        /* account, kind, sha256 -> "" */
    HD_DB_RATELIMITS,               /* what -> recent events */
    HD_DB_OUTBOX,                   /* id -> mail */
    HD_DB_OUTBOX_QUEUE,             /* due time, id -> "" (to deliver) */
    HD_DB_DEPARTMENTS,              /* id -> department */
    HD_DB_DEPARTMENT_BY_NAME,       /* sha256(lower name) -> id */
    HD_DB_PRODUCTS,                 /* id -> product */
    HD_DB_PRODUCT_BY_NAME,          /* sha256(lower name) -> id */
    HD_DB_CERT_TYPES,               /* id -> certificate type */
    HD_DB_CERT_TYPE_BY_NAME,        /* sha256(lower name) -> id */
    HD_DB_CERTIFICATES,             /* id -> certificate */
    HD_DB_CERT_BY_NUMBER,           /* lower-case number -> id */
    HD_DB_CERTS_BY_HOLDER,          /* kind, holder, id -> "" */
    HD_DB_CERT_UNCLOSED,            /* certificate, ticket -> "" */
    HD_DB_COMPANIES,                /* id -> company */
    HD_DB_COMPANY_MEMBERS,          /* company, account -> membership */
    HD_DB_TICKETS,                  /* number -> ticket */
    HD_DB_MESSAGES,                 /* ticket, id -> message */
    HD_DB_ATTACHMENTS,              /* ticket, id -> attachment */
    HD_DB_BLOBS,                    /* sha256 -> stored file */
    HD_DB_AUDIT,                    /* ticket, id -> audit record */
    HD_DB_TICKETS_BY_SCOPE,         /* kind, who, sub, unclosed =>
                                       updated, number (sorted dups) */
    HD_DB_QUEUES,                   /* order, department (, owner),
                                       status => key, number (hd_queue) */
    HD_DB_QUEUE_COUNTS,             /* department (, owner), status,
                                       priority -> n */
    HD_DB_TICKETS_BY_SLA,           /* due time, number -> "" */
    HD_DB_TICKETS_BY_AUTOCLOSE,     /* due time, number -> "" */
    HD_DB_PREMIUM_USED,             /* certificate, contract year -> n */
    HD_DB_TICKETS_RATED,            /* rated time, number -> "" */
    HD_DB_STAFF_DEPARTMENTS,        /* account, department -> "" */
    HD_DB_DEPARTMENT_STAFF,         /* department, account -> "" */
    HD_DB_QUEUE_SLA,                /* department, SLA state => key,
                                       number (unclosed, at risk or
                                       breached) */
    HD_DB_TICKET_WORDS,             /* a word of a subject => number */
    HD_DB_SLA_BREACHES,             /* time, number, clock -> breach */
    HD_DB_TIMER,                    /* "lease" -> the timer's holder */
    HD_DB_BOUNCES,                  /* lower-case address -> bounce */
    HD_DB_OUTBOX_FAILED,            /* id -> "" (mail that failed) */
    HD_DB_MAIL_IDS,                 /* sha256(a Message-ID that came in) ->
                                       ticket, time, action */
    HD_DB_MAIL_LOG,                 /* id -> what came in, what became */
    HD_DB_QUARANTINE,               /* id -> a message held */
    HD_DB_SEARCH_POSTINGS,          /* scope, kind, word -> postings */
    HD_DB_SEARCH_DOCS,              /* scope, doc, sub -> its postings */
    HD_DB_KB_ARTICLES,              /* id -> article */
    HD_DB_KB_REVISIONS,             /* id, revision -> an earlier text */
    HD_DB_KB_BY_UPDATED,            /* updated, id -> state, audience,
                                       language, products */
    HD_DB_KB_STATS,                 /* id -> views, votes, deflections */
    HD_DB_KB_VOTES,                 /* id, sha256(voter) -> helpful */
    HD_DB_KB_MISSED,                /* a query that found nothing ->
                                       count, last time */
    HD_DB_MACROS,                   /* id -> a canned reply (hd_macro_t) */
    HD_DB_SEARCH_FRESH,             /* scope, sub -> a document's postings
                                       not yet in a segment */
    HD_DB_SEARCH_SEGS,              /* scope, segment, kind, word ->
                                       its postings there, by sub */
    HD_DB_KB_FILES,                 /* article, id -> a file of it
                                       (hd_attachment_t, no message) */
    HD_DB_REGULATIONS,              /* id -> an edition (hd_edition_t) */
    HD_DB_FORMS,                    /* category, type -> a ticket form's
                                       definition (hd_form_rec_t) */
    HD_DB_CATEGORIES,               /* id -> a request category
                                       (hd_category_t) */
    HD_DB_COUNT
} hd_db_e;


/* the kinds of records, in their headers (never renumber) */
typedef enum {
    HD_KIND_ACCOUNT = 1,
    HD_KIND_SESSION,
    HD_KIND_API_TOKEN,
    HD_KIND_TOKEN,
    HD_KIND_RATELIMIT,
    HD_KIND_MAIL,
    HD_KIND_DEPARTMENT,
    HD_KIND_PRODUCT,
    HD_KIND_CERT_TYPE,
    HD_KIND_CERTIFICATE,
    HD_KIND_COMPANY,
    HD_KIND_MEMBER,
    HD_KIND_TICKET,
    HD_KIND_MESSAGE,
    HD_KIND_ATTACHMENT,
    HD_KIND_BLOB,
    HD_KIND_AUDIT,
    HD_KIND_BREACH,
    HD_KIND_BOUNCE,
    HD_KIND_MAIL_LOG,
    HD_KIND_QUARANTINE,
    HD_KIND_KB_ARTICLE,
    HD_KIND_KB_REVISION,
    HD_KIND_MACRO,
    HD_KIND_EDITION,
    HD_KIND_FORM,
    HD_KIND_CATEGORY
} hd_kind_e;


/* what a check found: counts for the report, problems for the verdict */
typedef struct {
    hd_buf_t      report;
    size_t        problems;
} hd_check_t;


typedef struct {
    const char              *name;
    unsigned                 mdb_flags;
    const hd_record_desc_t  *record;      /* values are records of a kind */
    hd_rc                   (*check)(hd_txn_t *txn, hd_check_t *check);
} hd_db_def_t;


typedef struct {
    uint32_t      from;               /* migrates from this version to from+1 */
    const char   *what;
    hd_rc        (*run)(hd_txn_t *txn, hd_err_t *err);
} hd_migration_t;


extern const hd_db_def_t  hd_dbs[HD_DB_COUNT];


/*
 * Run once per opening in a write transaction: a new environment gets every
 * database and the current version; an older one is migrated step by step;
 * a newer one is refused.
 */
hd_rc hd_schema_prepare(hd_txn_t *txn, const hd_migration_t *migrations,
    size_t n, uint32_t target, hd_err_t *err);
hd_rc hd_schema_version(hd_txn_t *txn, uint32_t *version);

extern const hd_migration_t  hd_migrations[];
extern const size_t          hd_nmigrations;

/* walks every database; problems counted and described in check->report */
hd_rc hd_schema_check(hd_txn_t *txn, hd_check_t *check);
void hd_check_problem(hd_check_t *check, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;


#endif /* HD_SCHEMA_H */

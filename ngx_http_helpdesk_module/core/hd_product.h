/*
 * What support is given for: products (with their versions), certificate
 * types (plans: term, kind, ticket limit, support level, premium incidents,
 * department) and departments. Each has a unique name, case-insensitively.
 */

#ifndef HD_PRODUCT_H
#define HD_PRODUCT_H


#include "hd_account.h"
#include "hd_core.h"
#include "hd_pool.h"
#include "hd_record.h"
#include "hd_schema.h"


typedef enum {
    HD_LEVEL_STANDARD = 0,
    HD_LEVEL_MSA_START,
    HD_LEVEL_MSA_PLUS,
    HD_LEVEL_MSA_BUSINESS,
    HD_LEVEL_MSA_ENTERPRISE,
    HD_LEVEL_COUNT
} hd_level_e;

typedef enum {
    HD_CERT_CERTIFICATE = 0,
    HD_CERT_CONTRACT,
    HD_CERT_KIND_COUNT
} hd_cert_kind_e;


#define HD_PREMIUM_UNLIMITED   UINT32_MAX
#define HD_PRODUCT_NAME_MAX    200
#define HD_TYPE_NAME_MAX       300
#define HD_VERSIONS_MAX        100


typedef struct {
    uint64_t      id;
    hd_str_t      name;
    hd_str_t      versions;         /* one a line (hd_version_t) */
    uint64_t      created;
    uint64_t      updated;
    hd_str_t      area;             /* the protection area it is of
                                       (Kaspersky block 8); may be empty */
} hd_product_t;


/*
 * A line of a product's versions: "NAME | build B | certified |
 * update URL TEXT", all but the name optional: its build, the "certified
 * version" mark, and an update with important fixes to install first (a
 * link and what it fixes), recommended to whoever writes about this one
 */
typedef struct {
    hd_str_t      name;
    hd_str_t      build;
    hd_str_t      update_link;
    hd_str_t      update_text;
    unsigned      certified:1;
} hd_version_t;


typedef struct {
    uint64_t      id;
    hd_str_t      name;
    uint64_t      product;
    uint32_t      term_months;
    uint8_t       kind;
    uint32_t      ticket_limit;     /* unclosed tickets at once */
    uint8_t       level;
    uint32_t      premium_per_year; /* HD_PREMIUM_UNLIMITED */
    uint64_t      department;
    uint64_t      created;
    uint64_t      updated;
    uint32_t      contacts_max;     /* an MSA contract's premium contacts
                                       (Kaspersky block 3); 0: anyone
                                       holding it may ask for premium */
    hd_str_t      covers;           /* what its level covers and what not
                                       (Kaspersky block 2), for the form */
} hd_cert_type_t;


typedef struct {
    uint64_t      id;
    hd_str_t      name;
    uint32_t      flags;            /* HD_DEPARTMENT_* */
    uint64_t      created;
} hd_department_t;

#define HD_DEPARTMENT_FEEDBACK  0x01    /* takes the "feedback" category */
#define HD_DEPARTMENT_GENERAL   0x02    /* the general queue: tickets
                                           without a certificate */


/* a line parsed: 0, or -1 when it is not one */
int hd_version_parse(const hd_uchar *line, size_t len, hd_version_t *v);
/* the product's versions in order, at most max */
size_t hd_product_versions(const hd_product_t *p, hd_version_t *out,
    size_t max);
/* the version of that name (any case), or NULL */
const hd_version_t *hd_version_find(const hd_version_t *v, size_t n,
    const hd_str_t *name);

extern const hd_record_desc_t  hd_product_desc;
extern const hd_record_desc_t  hd_cert_type_desc;
extern const hd_record_desc_t  hd_department_desc;
extern const char             *hd_level_names[HD_LEVEL_COUNT];
extern const char             *hd_cert_kind_names[HD_CERT_KIND_COUNT];


int hd_level_from_name(const hd_uchar *name, size_t len);
int hd_cert_kind_from_name(const hd_uchar *name, size_t len);

void hd_product_validate(const hd_product_t *p, hd_errors_t *errors);
/* id 0: a new one (its id set); otherwise an update of that id */
hd_rc hd_product_save(hd_txn_t *txn, hd_product_t *p, uint64_t now,
    hd_err_t *err);
hd_rc hd_product_get(hd_txn_t *txn, uint64_t id, hd_product_t *p);
hd_rc hd_product_find(hd_txn_t *txn, const hd_str_t *name, hd_product_t *p);

void hd_cert_type_validate(hd_txn_t *txn, const hd_cert_type_t *t,
    hd_errors_t *errors);
hd_rc hd_cert_type_save(hd_txn_t *txn, hd_cert_type_t *t, uint64_t now,
    hd_err_t *err);
hd_rc hd_cert_type_get(hd_txn_t *txn, uint64_t id, hd_cert_type_t *t);
hd_rc hd_cert_type_find(hd_txn_t *txn, const hd_str_t *name,
    hd_cert_type_t *t);
/* by id (digits) or by name */
hd_rc hd_cert_type_lookup(hd_txn_t *txn, const hd_str_t *id_or_name,
    hd_cert_type_t *t);
hd_rc hd_product_lookup(hd_txn_t *txn, const hd_str_t *id_or_name,
    hd_product_t *p);
hd_rc hd_department_lookup(hd_txn_t *txn, const hd_str_t *id_or_name,
    hd_department_t *d);

hd_rc hd_department_save(hd_txn_t *txn, hd_department_t *d, uint64_t now,
    hd_err_t *err);
hd_rc hd_department_get(hd_txn_t *txn, uint64_t id, hd_department_t *d);
hd_rc hd_department_find(hd_txn_t *txn, const hd_str_t *name,
    hd_department_t *d);

/* every record of one of the three kinds, by id, copied into the pool */
hd_rc hd_product_list(hd_txn_t *txn, hd_pool_t *pool, hd_product_t **list,
    size_t *n);
hd_rc hd_cert_type_list(hd_txn_t *txn, hd_pool_t *pool,
    hd_cert_type_t **list, size_t *n);
hd_rc hd_department_list(hd_txn_t *txn, hd_pool_t *pool,
    hd_department_t **list, size_t *n);

/* the departments a new environment starts with (SPEC §5.4) */
hd_rc hd_department_defaults(hd_txn_t *txn, uint64_t now, hd_err_t *err);
/* marks the first department as the general queue when none is */
hd_rc hd_department_general_default(hd_txn_t *txn, hd_err_t *err);
/*
 * The department with a flag (the lowest id of those that have it); for
 * HD_DEPARTMENT_GENERAL, the first department when none is marked
 */
hd_rc hd_department_with(hd_txn_t *txn, uint32_t flag, hd_department_t *d);

hd_rc hd_product_check(hd_txn_t *txn, hd_check_t *check);


#endif /* HD_PRODUCT_H */

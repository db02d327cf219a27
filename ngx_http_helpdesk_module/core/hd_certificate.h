/*
 * Support certificates and contracts: issued by administrators (one at a
 * time or imported in bulk), registered by a customer to themselves or to
 * their company, which gives the right to open tickets on them.
 */

#ifndef HD_CERTIFICATE_H
#define HD_CERTIFICATE_H


#include "hd_account.h"
#include "hd_core.h"
#include "hd_crypto.h"
#include "hd_pool.h"
#include "hd_portal.h"
#include "hd_product.h"
#include "hd_record.h"
#include "hd_schema.h"


typedef enum {
    HD_HOLDER_NONE = 0,
    HD_HOLDER_ACCOUNT,
    HD_HOLDER_COMPANY
} hd_holder_e;

typedef enum {
    HD_CERT_ACTIVE = 0,
    HD_CERT_EXPIRED,
    HD_CERT_NOT_YET_VALID,
    HD_CERT_REVOKED,
    HD_CERT_STATE_COUNT
} hd_cert_state_e;


#define HD_CERT_NUMBER_MAX     64          /* characters */
#define HD_CERT_CODE_TEXT_LEN  19          /* XXXX-XXXX-XXXX-XXXX */
#define HD_CERT_NUMBER_BUF     32          /* a generated number */


typedef struct {
    uint64_t      id;
    hd_str_t      number;
    hd_str_t      code_hash;        /* SHA-256 of the code; empty: none */
    uint64_t      type;
    uint32_t      valid_from;       /* day numbers (hd_date) */
    uint32_t      valid_until;
    uint8_t       holder_kind;
    uint64_t      holder;
    uint64_t      registered;
    uint64_t      registered_by;
    uint64_t      created;
    uint64_t      issued_by;
    uint8_t       revoked;
    hd_str_t      contacts;         /* an activated contract's premium
                                       contacts: "name\temail\tphone\n" */
    uint64_t      activated;        /* when staff approved them; 0: not */
    hd_str_t      pending;          /* contacts asked for, not approved */
    uint64_t      activation;       /* the ticket that asks for them */
} hd_certificate_t;


/* who registers and for whom */
typedef struct {
    hd_str_t      number;
    hd_str_t      code;
    uint8_t       holder_kind;
    uint64_t      holder;
    uint64_t      account;          /* the person doing it */
} hd_cert_claim_t;


extern const hd_record_desc_t  hd_certificate_desc;
extern const char             *hd_cert_state_names[HD_CERT_STATE_COUNT];


hd_cert_state_e hd_cert_state(const hd_certificate_t *c, int32_t today);

/* a new activation code, XXXX-XXXX-XXXX-XXXX (80 random bits) */
int hd_cert_code_new(char out[HD_CERT_CODE_TEXT_LEN + 1]);
/* SHA-256 of the code as typed, without case, spaces or dashes */
void hd_cert_code_hash(const hd_str_t *code, hd_uchar hash[HD_SHA256_LEN]);

void hd_cert_validate_number(const hd_str_t *number, hd_errors_t *errors);

/*
 * Issues one: an empty number is generated (HD-YYYY-NNNNNN) into
 * number_buf; with a code, code_text gets it (it is stored only as a hash:
 * shown once)
 */
hd_rc hd_cert_issue(hd_txn_t *txn, hd_certificate_t *c, int with_code,
    uint64_t now, char number_buf[HD_CERT_NUMBER_BUF],
    char code_text[HD_CERT_CODE_TEXT_LEN + 1], hd_err_t *err);

hd_rc hd_cert_get(hd_txn_t *txn, uint64_t id, hd_certificate_t *c);
hd_rc hd_cert_find(hd_txn_t *txn, const hd_str_t *number,
    hd_certificate_t *c);

/*
 * The wizard's checks, in order: unknown, revoked, expired, not yet valid,
 * registered to another holder (HD_CONFLICT), code missing or wrong.
 * *already is set when it is the same holder's already.
 */
hd_rc hd_cert_check_claim(hd_txn_t *txn, const hd_cert_claim_t *claim,
    int32_t today, int check_code, hd_certificate_t *c, int *already,
    hd_err_t *err);
/* the code given is the certificate's (none needed when it has none) */
hd_rc hd_cert_code_check(const hd_certificate_t *c, const hd_str_t *code,
    hd_err_t *err);
hd_rc hd_cert_register(hd_txn_t *txn, const hd_cert_claim_t *claim,
    int32_t today, uint64_t now, hd_certificate_t *c, int *already,
    hd_err_t *err);
/* by an operator (the CLI): no code, no state check */
hd_rc hd_cert_register_unchecked(hd_txn_t *txn, const hd_cert_claim_t *claim,
    uint64_t now, int *already, hd_err_t *err);

/*
 * The registration as a flow: wrong codes are limited per account and per
 * number (HD_RATE_LIMITED with retry_after); a wrong code is counted even
 * though the registration is not made
 */
hd_rc hd_cert_claim(const hd_portal_t *portal, const hd_cert_claim_t *claim,
    uint64_t now, hd_certificate_t *c, int *already, uint64_t *retry_after,
    hd_err_t *err);

/* a holder's certificates, newest registration last; copied to the pool */
hd_rc hd_cert_list_holder(hd_txn_t *txn, uint8_t holder_kind,
    uint64_t holder, hd_pool_t *pool, hd_certificate_t **list, size_t *n);

/* every certificate of one holder passes to another (company deletion) */
hd_rc hd_cert_transfer(hd_txn_t *txn, uint8_t from_kind, uint64_t from,
    uint8_t to_kind, uint64_t to, size_t *moved, hd_err_t *err);

hd_rc hd_cert_revoke(hd_txn_t *txn, uint64_t id, hd_err_t *err);

/* a certificate written back as it is now */
hd_rc hd_cert_update(hd_txn_t *txn, const hd_certificate_t *c, hd_err_t *err);

/* unclosed tickets on the certificate, exactly (an index, kept by tickets) */
hd_rc hd_cert_unclosed(hd_txn_t *txn, uint64_t id, size_t *n);

hd_rc hd_cert_check(hd_txn_t *txn, hd_check_t *check);


/* hd_cert_import.c: a CSV file of certificates, all of it or nothing */
typedef struct {
    size_t        imported;
    size_t        bad_lines;
    hd_buf_t      report;           /* "line N: what" for each bad line */
} hd_cert_import_t;

hd_rc hd_cert_import(hd_store_t *store, const hd_uchar *csv, size_t len,
    uint64_t now, uint64_t issued_by, hd_cert_import_t *result,
    hd_err_t *err);


#endif /* HD_CERTIFICATE_H */

/*
 * People and certificates for unit tests that need them in their store:
 * an account (a customer, or staff of a role) and a certificate issued and
 * registered to its holder. Include after unit.h.
 */

#ifndef HD_UNIT_PEOPLE_H
#define HD_UNIT_PEOPLE_H


#include "hd_account.h"
#include "hd_certificate.h"
#include "hd_date.h"


/* login@example.com, named name; role -1: a customer */
static inline uint64_t
unit_account(hd_txn_t *txn, hd_pool_t *pool, const char *login,
    const char *name, int role)
{
    char                email[64];
    uint64_t            id = 0;
    hd_err_t            err;
    hd_account_input_t  in;

    snprintf(email, sizeof(email), "%s@example.com", login);
    hd_account_input_init(&in);
    in.login.data = hd_pstrdup(pool, login, strlen(login));
    in.login.len = strlen(login);
    in.email.data = hd_pstrdup(pool, email, strlen(email));
    in.email.len = strlen(email);
    in.name.data = (hd_uchar *) name;
    in.name.len = strlen(name);
    in.role = role;
    assert_int_equal(hd_account_create(txn, &in, "x", 1, &id, &err), HD_OK);

    return id;
}


/* a certificate of the type, 2026-01-01 to 2027-12-31, the holder's */
static inline void
unit_certificate(hd_txn_t *txn, uint64_t type, uint64_t holder, char *number)
{
    int               already;
    char              code[HD_CERT_CODE_TEXT_LEN + 1];
    hd_err_t          err;
    hd_cert_claim_t   claim;
    hd_certificate_t  c;

    memset(&c, 0, sizeof(c));
    c.type = type;
    c.valid_from = hd_date_from_ymd(2026, 1, 1);
    c.valid_until = hd_date_from_ymd(2027, 12, 31);
    assert_int_equal(hd_cert_issue(txn, &c, 0, 1, number, code, &err), HD_OK);

    memset(&claim, 0, sizeof(claim));
    claim.number.data = (hd_uchar *) number;
    claim.number.len = strlen(number);
    claim.holder_kind = HD_HOLDER_ACCOUNT;
    claim.holder = holder;
    claim.account = holder;
    assert_int_equal(hd_cert_register_unchecked(txn, &claim, 1, &already,
                                                &err), HD_OK);
}


#endif /* HD_UNIT_PEOPLE_H */

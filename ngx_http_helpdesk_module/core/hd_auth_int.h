/*
 * What hd_auth.c and hd_auth_register.c share: the first error as the
 * flow's, the caller's address limited on "taken" answers, the address
 * confirmation link, a contact's claim finished by its link.
 */

#ifndef HD_AUTH_INT_H
#define HD_AUTH_INT_H

#include "hd_auth.h"
#include "hd_token.h"


hd_rc hd_auth_first_error(const hd_errors_t *errors, hd_err_t *err);
hd_rc hd_auth_probe_check(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_str_t *client, uint64_t now, uint64_t *retry_after,
    hd_err_t *err);
hd_rc hd_auth_address_hit(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_str_t *client, uint64_t now, uint64_t *retry_after,
    hd_err_t *err);
hd_rc hd_auth_probe_count(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_str_t *client, uint64_t now, hd_err_t *err);
hd_rc hd_auth_confirm_link(hd_txn_t *txn, const hd_portal_t *portal,
    uint64_t id, uint64_t now, hd_err_t *err);
hd_rc hd_auth_claim_finish(hd_txn_t *txn, const hd_token_t *t, uint64_t now,
    hd_err_t *err);

#endif /* HD_AUTH_INT_H */

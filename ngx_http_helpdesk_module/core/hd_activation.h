/*
 * An MSA contract's activation (Kaspersky block 3): its holder (the
 * account, or the owner or an administrator of the company) names the
 * employees who may open premium incidents, as many as the contract's type
 * allows (name, e-mail, phone); the request is a ticket of the account or
 * contract category that staff approve; then the contract is activated with
 * those contacts, and premium is chosen by them only. A new list later goes
 * the same way.
 */

#ifndef HD_ACTIVATION_H
#define HD_ACTIVATION_H

#include "hd_core.h"
#include "hd_account.h"
#include "hd_portal.h"
#include "hd_certificate.h"


#define HD_CONTACTS_MAX  100


typedef struct {
    hd_str_t      name;
    hd_str_t      email;
    hd_str_t      phone;
} hd_contact_t;


/* the contacts of a stored list ("name\temail\tphone\n" lines) */
size_t hd_contacts_parse(const hd_str_t *list, hd_contact_t *out,
    size_t max);
/* whether the address (any case) is one of the list's */
int hd_contacts_has(const hd_str_t *list, const hd_str_t *email);

/* who may ask: the account holding it, or its company's owner or admins */
int hd_activation_may(hd_txn_t *txn, const hd_account_t *a,
    const hd_certificate_t *c);

/*
 * The request: the contacts checked (each field named in errors as
 * "contacts"), a ticket made that lists them (*ticket its number), the
 * list pending on the contract; all in one transaction
 */
hd_rc hd_activation_request(const hd_portal_t *portal, uint64_t account,
    const hd_str_t *number, const hd_contact_t *contacts, size_t n,
    uint64_t now, uint64_t *ticket, hd_errors_t *errors, hd_err_t *err);

/* staff approve the request of a ticket: the contract activated with its
   list (HD_CONFLICT activation_none when nothing is pending) */
hd_rc hd_activation_approve(const hd_portal_t *portal,
    const hd_account_t *staff, uint64_t ticket, uint64_t now,
    size_t *contacts, hd_err_t *err);

#endif /* HD_ACTIVATION_H */

/*
 * Notifications: e-mail to an account (in its language) or to an address,
 * rendered from mail/<lang>/<name> and queued in the outbox inside the
 * caller's transaction; links to the portal for them.
 */

#ifndef HD_NOTIFY_H
#define HD_NOTIFY_H


#include "hd_account.h"
#include "hd_outbox.h"
#include "hd_portal.h"


/*
 * To the account (its address, or `address` when given: a new address to
 * confirm); view gets name, login, portal and product
 */
hd_rc hd_notify_account(hd_txn_t *txn, const hd_portal_t *portal,
    const char *name, const hd_account_t *to, const hd_str_t *address,
    hd_val_t *view, hd_pool_t *pool, uint64_t now, hd_err_t *err);

/* to an address that may have no account yet, in the language given */
hd_rc hd_notify_address(hd_txn_t *txn, const hd_portal_t *portal,
    const char *name, const hd_str_t *address, hd_lang_e lang,
    hd_val_t *view, hd_pool_t *pool, uint64_t now, hd_err_t *err);

/* base_url + path + what (a token...), as a template value */
hd_val_t *hd_notify_link(hd_pool_t *pool, const hd_portal_t *portal,
    const char *path, const char *what);


#endif /* HD_NOTIFY_H */

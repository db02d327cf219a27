/*
 * Notifications: e-mail to an account (in its language) or to an address,
 * rendered from mail/<lang>/<name> and queued in the outbox inside the
 * caller's transaction; the kinds of mail as a table (automatic or written
 * by a person, asked for, which an account may mute), links to the portal,
 * and the one-click links that mute a kind.
 */

#ifndef HD_NOTIFY_H
#define HD_NOTIFY_H


#include "hd_account.h"
#include "hd_outbox.h"
#include "hd_portal.h"


#define HD_UNSUBSCRIBE_TOKEN_LEN  38    /* base64url of 28 bytes */


/* who gets a mail, and what it belongs to */
typedef struct {
    const char          *kind;      /* mail/<lang>/<kind>.mustache */
    const hd_account_t  *to;        /* NULL: an address without account */
    const hd_str_t      *address;   /* instead of to's (a new address) */
    const hd_str_t      *name;      /* without to: whose the address is */
    hd_lang_e            lang;      /* without to */
    uint64_t             ticket;    /* in that ticket's thread; 0: none */
    const hd_str_t      *thread;    /* the id the ticket came by, if any */
    unsigned             auto_reply:1;  /* an answer to mail that came in
                                           (Auto-Submitted: auto-replied) */
} hd_notice_t;


/* a kind an account may mute, for its settings */
typedef struct {
    uint32_t             bit;       /* HD_MUTE_* */
    const char          *name;      /* "own_reply"...: API and catalogue */
} hd_mute_kind_t;

extern const hd_mute_kind_t  hd_mute_kinds[];


/*
 * Queues the mail unless the account muted its kind; view gets name,
 * login, portal, product and, for a kind that can be muted, unsubscribe
 * (the one-click link)
 */
hd_rc hd_notify(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_notice_t *notice, hd_val_t *view, hd_pool_t *pool,
    uint64_t now, hd_err_t *err);

/* to the account (its address, or `address`: a new one to confirm) */
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

/*
 * The portal's public address as nginx last said it (helpdesk_url), kept in
 * the database: the CLI's mail (sweep, the demo) links there too. Saved only
 * when it changed; loaded into buf (NUL-terminated), HD_NOT_FOUND if none.
 */
hd_rc hd_notify_url_save(hd_store_t *store, const hd_str_t *url,
    hd_err_t *err);
hd_rc hd_notify_url_load(hd_store_t *store, char *buf, size_t size);

/* HD_MUTE_* of a name ("own_reply"), 0 when none */
uint32_t hd_mute_bit(const hd_uchar *name, size_t len);

/* the kinds the account may mute: HD_MUTE_CUSTOMER or HD_MUTE_STAFF */
uint32_t hd_mute_allowed(const hd_account_t *account);

/*
 * A one-click link's token: what it mutes for whom, checked against the
 * portal's link key. HD_NOT_FOUND for anything else.
 */
hd_rc hd_notify_unsubscribe_check(hd_txn_t *txn, const hd_str_t *token,
    uint64_t *account, uint32_t *bit);

/* the account's muted kinds set (only those it may mute) */
hd_rc hd_notify_set_mute(hd_store_t *store, uint64_t account, uint32_t mute,
    uint32_t *now_muted, uint64_t now, hd_err_t *err);

/* the link followed: that kind muted; which account and kind it was */
hd_rc hd_notify_unsubscribe(hd_store_t *store, const hd_str_t *token,
    uint64_t now, uint64_t *account, uint32_t *bit, hd_err_t *err);


#endif /* HD_NOTIFY_H */

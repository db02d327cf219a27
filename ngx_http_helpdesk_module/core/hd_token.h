/*
 * One-time tokens sent by e-mail: password reset, e-mail change, company
 * invitation, rating links. Stored as SHA-256 with an expiry; taking one
 * deletes it in the same transaction as what it allows.
 */

#ifndef HD_TOKEN_H
#define HD_TOKEN_H


#include "hd_core.h"
#include "hd_crypto.h"
#include "hd_pool.h"
#include "hd_record.h"
#include "hd_schema.h"


typedef enum {
    HD_TOKEN_PASSWORD_RESET = 1,
    HD_TOKEN_EMAIL_CHANGE,
    HD_TOKEN_INVITATION,
    HD_TOKEN_RATING,
    HD_TOKEN_EMAIL_CONFIRM,         /* a new account's address */
    HD_TOKEN_CLAIM,                 /* a registration with a contact's
                                       address, waiting for its proof */
    HD_TOKEN_REGISTER               /* a new account waiting for its
                                       address's proof (no account yet) */
} hd_token_kind_e;


typedef struct {
    uint8_t       kind;
    uint64_t      account;
    uint64_t      created;
    uint64_t      expires;
    uint64_t      ref;              /* what it is about (ticket, company) */
    hd_str_t      data;             /* the new e-mail address... */
} hd_token_t;


extern const hd_record_desc_t  hd_token_desc;


hd_rc hd_token_create(hd_txn_t *txn, const hd_token_t *token,
    char text[HD_TOKEN_TEXT_LEN + 1], hd_err_t *err);

/* a live token of the kind; its data copied into the pool */
hd_rc hd_token_peek(hd_txn_t *txn, hd_token_kind_e kind, const hd_uchar *text,
    size_t len, uint64_t now, hd_pool_t *pool, hd_token_t *token);

/* as peek, and deleted: it cannot be used again */
hd_rc hd_token_take(hd_txn_t *txn, hd_token_kind_e kind, const hd_uchar *text,
    size_t len, uint64_t now, hd_pool_t *pool, hd_token_t *token,
    hd_err_t *err);

/* the key of signed links (rating, unsubscribe): made once when create,
 * kept in the database; HD_NOT_FOUND before */
hd_rc hd_link_secret(hd_txn_t *txn, int create, hd_uchar key[HD_SHA256_LEN],
    hd_err_t *err);

/* every live token of the kind for the account, e.g. older reset links */
hd_rc hd_token_drop_account(hd_txn_t *txn, hd_token_kind_e kind,
    uint64_t account, hd_err_t *err);


#endif /* HD_TOKEN_H */

/*
 * Sessions and personal API tokens. Both are random 256-bit secrets given to
 * the client once and stored only as their SHA-256.
 */

#ifndef HD_SESSION_H
#define HD_SESSION_H


#include "hd_core.h"
#include "hd_crypto.h"
#include "hd_record.h"
#include "hd_schema.h"


#define HD_API_TOKEN_PREFIX     "hdt_"
#define HD_API_TOKEN_TEXT_LEN   (sizeof(HD_API_TOKEN_PREFIX) - 1            \
                                 + HD_TOKEN_TEXT_LEN)
#define HD_API_TOKEN_NAME_MAX   100
#define HD_API_TOKENS_MAX       50          /* per account */


typedef struct {
    uint64_t      account;
    uint64_t      created;
    uint64_t      seen;             /* last use, kept to the minute */
    hd_str_t      csrf;
    hd_str_t      address;
    hd_str_t      agent;
} hd_session_t;


typedef struct {
    uint64_t      idle;             /* seconds without use */
    uint64_t      absolute;         /* seconds since the login */
} hd_session_limits_t;


typedef struct {
    uint64_t      id;
    uint64_t      account;
    hd_str_t      name;
    uint64_t      created;
    uint64_t      used;
} hd_api_token_t;


extern const hd_record_desc_t  hd_session_desc;
extern const hd_record_desc_t  hd_api_token_desc;


hd_rc hd_session_create(hd_txn_t *txn, uint64_t account, uint64_t now,
    const hd_str_t *address, const hd_str_t *agent,
    char token[HD_TOKEN_TEXT_LEN + 1], char csrf[HD_TOKEN_TEXT_LEN + 1],
    hd_err_t *err);

/* a live session by the cookie's text; HD_NOT_FOUND when none or expired */
hd_rc hd_session_find(hd_txn_t *txn, const hd_uchar *token, size_t len,
    uint64_t now, const hd_session_limits_t *limits,
    hd_uchar hash[HD_SHA256_LEN], hd_session_t *session);

hd_rc hd_session_touch(hd_txn_t *txn, const hd_uchar hash[HD_SHA256_LEN],
    uint64_t now, hd_err_t *err);
hd_rc hd_session_end(hd_txn_t *txn, const hd_uchar hash[HD_SHA256_LEN],
    hd_err_t *err);
/* every session of the account, but keep (NULL: all) */
hd_rc hd_session_end_all(hd_txn_t *txn, uint64_t account,
    const hd_uchar *keep, size_t *ended, hd_err_t *err);

hd_rc hd_api_token_create(hd_txn_t *txn, uint64_t account,
    const hd_str_t *name, uint64_t now, uint64_t *id,
    char text[HD_API_TOKEN_TEXT_LEN + 1], hd_err_t *err);
hd_rc hd_api_token_find(hd_txn_t *txn, const hd_uchar *text, size_t len,
    hd_api_token_t *token);
hd_rc hd_api_token_revoke(hd_txn_t *txn, uint64_t account, uint64_t id,
    hd_err_t *err);
/* the account's tokens, newest first, strings copied into the pool */
hd_rc hd_api_token_list(hd_txn_t *txn, uint64_t account, hd_pool_t *pool,
    hd_api_token_t **tokens, size_t *n);

hd_rc hd_session_check(hd_txn_t *txn, hd_check_t *check);


#endif /* HD_SESSION_H */

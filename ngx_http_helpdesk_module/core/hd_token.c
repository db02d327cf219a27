/*
 * One-time tokens.
 */

#include <stdlib.h>

#include "hd_store.h"
#include "hd_token.h"


#define HD_LINK_SECRET_KEY  "secret:links"


static const hd_field_t  hd_token_fields[] = {
    hd_field(hd_token_t, 1, HD_FIELD_U8, kind),
    hd_field(hd_token_t, 2, HD_FIELD_U64, account),
    hd_field(hd_token_t, 3, HD_FIELD_U64, created),
    hd_field(hd_token_t, 4, HD_FIELD_U64, expires),
    hd_field(hd_token_t, 5, HD_FIELD_U64, ref),
    hd_field(hd_token_t, 6, HD_FIELD_STR, data),
};

const hd_record_desc_t  hd_token_desc = hd_record(HD_KIND_TOKEN, 1,
                                                  hd_token_t,
                                                  hd_token_fields);


/* account, kind, hash: the key of the index by account */
static void
hd_token_index_key(hd_uchar key[8 + 1 + HD_SHA256_LEN], uint64_t account,
    uint8_t kind, const hd_uchar hash[HD_SHA256_LEN])
{
    hd_be64_put(key, account);
    key[8] = kind;
    memcpy(key + 9, hash, HD_SHA256_LEN);
}


hd_rc
hd_token_create(hd_txn_t *txn, const hd_token_t *token,
    char text[HD_TOKEN_TEXT_LEN + 1], hd_err_t *err)
{
    hd_rc     rc;
    hd_uchar  raw[HD_TOKEN_LEN], hash[HD_SHA256_LEN];
    hd_uchar  idx[8 + 1 + HD_SHA256_LEN];

    if (hd_token_new(raw, text) != 0) {
        return hd_err_set(err, HD_IO, NULL, "io", "no random bytes");
    }

    hd_sha256(raw, HD_TOKEN_LEN, hash);

    rc = hd_record_put(txn, HD_DB_TOKENS, hash, HD_SHA256_LEN,
                       &hd_token_desc, token, HD_PUT_NEW, err);
    if (rc != HD_OK) {
        return rc;
    }

    hd_token_index_key(idx, token->account, token->kind, hash);

    return hd_db_put(txn, HD_DB_TOKENS_BY_ACCOUNT, idx, sizeof(idx), "", 0,
                     0, err);
}


static hd_rc
hd_token_delete(hd_txn_t *txn, uint64_t account, uint8_t kind,
    const hd_uchar hash[HD_SHA256_LEN], hd_err_t *err)
{
    hd_rc     rc;
    hd_uchar  idx[8 + 1 + HD_SHA256_LEN];

    hd_token_index_key(idx, account, kind, hash);

    rc = hd_db_del(txn, HD_DB_TOKENS_BY_ACCOUNT, idx, sizeof(idx), err);
    if (rc != HD_OK && rc != HD_NOT_FOUND) {
        return rc;
    }

    return hd_db_del(txn, HD_DB_TOKENS, hash, HD_SHA256_LEN, err);
}


static hd_rc
hd_token_read(hd_txn_t *txn, hd_token_kind_e kind, const hd_uchar *text,
    size_t len, uint64_t now, hd_pool_t *pool, hd_token_t *token,
    hd_uchar hash[HD_SHA256_LEN])
{
    hd_rc  rc;

    if (hd_token_hash(text, len, hash) != 0) {
        return HD_NOT_FOUND;
    }

    rc = hd_record_get(txn, HD_DB_TOKENS, hash, HD_SHA256_LEN,
                       &hd_token_desc, token);
    if (rc != HD_OK) {
        return rc;
    }

    if (token->kind != kind || now >= token->expires) {
        return HD_NOT_FOUND;
    }

    if (token->data.len) {
        token->data.data = hd_pstrdup(pool, token->data.data,
                                      token->data.len);
        if (token->data.data == NULL) {
            return HD_NOMEM;
        }
    }

    return HD_OK;
}


hd_rc
hd_token_peek(hd_txn_t *txn, hd_token_kind_e kind, const hd_uchar *text,
    size_t len, uint64_t now, hd_pool_t *pool, hd_token_t *token)
{
    hd_uchar  hash[HD_SHA256_LEN];

    return hd_token_read(txn, kind, text, len, now, pool, token, hash);
}


hd_rc
hd_token_take(hd_txn_t *txn, hd_token_kind_e kind, const hd_uchar *text,
    size_t len, uint64_t now, hd_pool_t *pool, hd_token_t *token,
    hd_err_t *err)
{
    hd_rc     rc;
    hd_uchar  hash[HD_SHA256_LEN];

    rc = hd_token_read(txn, kind, text, len, now, pool, token, hash);
    if (rc != HD_OK) {
        return hd_err_set(err, rc, "token", rc == HD_NOT_FOUND
                                            ? "token_invalid" : "io",
                          "the link is invalid or expired");
    }

    return hd_token_delete(txn, token->account, token->kind, hash, err);
}


hd_rc
hd_token_drop_account(hd_txn_t *txn, hd_token_kind_e kind, uint64_t account,
    hd_err_t *err)
{
    hd_rc        rc;
    size_t       i, n = 0;
    hd_str_t     k;
    hd_uchar     prefix[9], hashes[32][HD_SHA256_LEN];
    hd_cursor_t  cur;

    hd_be64_put(prefix, account);
    prefix[8] = (hd_uchar) kind;

    /* collected first, deleted after; an account has a few at most */
    rc = hd_cursor_open(txn, HD_DB_TOKENS_BY_ACCOUNT, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, prefix, 9, &k, NULL);
         rc == HD_OK && n < 32 && k.len == 9 + HD_SHA256_LEN
         && memcmp(k.data, prefix, 9) == 0;
         rc = hd_cursor_next(&cur, &k, NULL))
    {
        memcpy(hashes[n++], k.data + 9, HD_SHA256_LEN);
    }

    hd_cursor_close(&cur);

    rc = HD_OK;

    for (i = 0; i < n && rc == HD_OK; i++) {
        rc = hd_token_delete(txn, account, (uint8_t) kind, hashes[i], err);
        if (rc == HD_NOT_FOUND) {
            rc = HD_OK;
        }
    }

    return rc;
}


/* the key of signed links: made once, kept in the database */
hd_rc
hd_link_secret(hd_txn_t *txn, int create, hd_uchar key[HD_SHA256_LEN],
    hd_err_t *err)
{
    hd_rc     rc;
    hd_str_t  v;

    rc = hd_db_get(txn, HD_DB_META, HD_LINK_SECRET_KEY,
                   sizeof(HD_LINK_SECRET_KEY) - 1, &v);

    if (rc == HD_OK && v.len == HD_SHA256_LEN) {
        memcpy(key, v.data, HD_SHA256_LEN);
        return HD_OK;
    }

    if (!create) {
        return HD_NOT_FOUND;
    }

    if (hd_random(key, HD_SHA256_LEN) != 0) {
        return hd_err_set(err, HD_IO, NULL, "io", "no random bytes");
    }

    return hd_db_put(txn, HD_DB_META, HD_LINK_SECRET_KEY,
                     sizeof(HD_LINK_SECRET_KEY) - 1, key, HD_SHA256_LEN, 0,
                     err);
}

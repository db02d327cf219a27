/*
 * Sessions, their index by account (to end them all), and API tokens.
 */

#include <stdlib.h>

#include "hd_pool.h"
#include "hd_session.h"
#include "hd_store.h"


#define HD_SESSION_AGENT_MAX  200


static const hd_field_t  hd_session_fields[] = {
    hd_field(hd_session_t, 1, HD_FIELD_U64, account),
    hd_field(hd_session_t, 2, HD_FIELD_U64, created),
    hd_field(hd_session_t, 3, HD_FIELD_U64, seen),
    hd_field(hd_session_t, 4, HD_FIELD_STR, csrf),
    hd_field(hd_session_t, 5, HD_FIELD_STR, address),
    hd_field(hd_session_t, 6, HD_FIELD_STR, agent),
};

const hd_record_desc_t  hd_session_desc = hd_record(HD_KIND_SESSION, 1,
                                                    hd_session_t,
                                                    hd_session_fields);

static const hd_field_t  hd_api_token_fields[] = {
    hd_field(hd_api_token_t, 1, HD_FIELD_U64, id),
    hd_field(hd_api_token_t, 2, HD_FIELD_U64, account),
    hd_field(hd_api_token_t, 3, HD_FIELD_STR, name),
    hd_field(hd_api_token_t, 4, HD_FIELD_U64, created),
    hd_field(hd_api_token_t, 5, HD_FIELD_U64, used),
};

const hd_record_desc_t  hd_api_token_desc = hd_record(HD_KIND_API_TOKEN, 1,
                                                      hd_api_token_t,
                                                      hd_api_token_fields);


hd_rc
hd_session_create(hd_txn_t *txn, uint64_t account, uint64_t now,
    const hd_str_t *address, const hd_str_t *agent,
    char token[HD_TOKEN_TEXT_LEN + 1], char csrf[HD_TOKEN_TEXT_LEN + 1],
    hd_err_t *err)
{
    hd_rc         rc;
    hd_uchar      raw[HD_TOKEN_LEN], hash[HD_SHA256_LEN], idx[8 + 32];
    hd_session_t  s;

    if (hd_token_new(raw, token) != 0 || hd_token_new(raw + 0, csrf) != 0) {
        return hd_err_set(err, HD_IO, NULL, "io", "no random bytes");
    }

    /* the session's key is made from the token given to the client */
    if (hd_token_hash((hd_uchar *) token, HD_TOKEN_TEXT_LEN, hash) != 0) {
        return hd_err_set(err, HD_IO, NULL, "io", "bad token");
    }

    memset(&s, 0, sizeof(s));
    s.account = account;
    s.created = now;
    s.seen = now;
    s.csrf.data = (hd_uchar *) csrf;
    s.csrf.len = HD_TOKEN_TEXT_LEN;

    if (address) {
        s.address = *address;
    }

    if (agent) {
        s.agent = *agent;
        if (s.agent.len > HD_SESSION_AGENT_MAX) {
            s.agent.len = HD_SESSION_AGENT_MAX;
        }
    }

    rc = hd_record_put(txn, HD_DB_SESSIONS, hash, HD_SHA256_LEN,
                       &hd_session_desc, &s, HD_PUT_NEW, err);
    if (rc != HD_OK) {
        return rc;
    }

    hd_be64_put(idx, account);
    memcpy(idx + 8, hash, HD_SHA256_LEN);

    return hd_db_put(txn, HD_DB_SESSIONS_BY_ACCOUNT, idx, sizeof(idx), "", 0,
                     0, err);
}


hd_rc
hd_session_find(hd_txn_t *txn, const hd_uchar *token, size_t len,
    uint64_t now, const hd_session_limits_t *limits,
    hd_uchar hash[HD_SHA256_LEN], hd_session_t *session)
{
    hd_rc  rc;

    if (hd_token_hash(token, len, hash) != 0) {
        return HD_NOT_FOUND;
    }

    rc = hd_record_get(txn, HD_DB_SESSIONS, hash, HD_SHA256_LEN,
                       &hd_session_desc, session);
    if (rc != HD_OK) {
        return rc;
    }

    if ((limits->idle && now >= session->seen + limits->idle)
        || (limits->absolute && now >= session->created + limits->absolute))
    {
        return HD_NOT_FOUND;
    }

    return HD_OK;
}


hd_rc
hd_session_touch(hd_txn_t *txn, const hd_uchar hash[HD_SHA256_LEN],
    uint64_t now, hd_err_t *err)
{
    hd_rc         rc;
    hd_buf_t      buf;
    hd_session_t  s;

    rc = hd_record_get(txn, HD_DB_SESSIONS, hash, HD_SHA256_LEN,
                       &hd_session_desc, &s);
    if (rc != HD_OK) {
        return rc;     /* ended meanwhile: nothing to touch */
    }

    s.seen = now;

    /* encode before writing: the strings point into the read page */
    hd_buf_init(&buf);

    if (hd_record_encode(&hd_session_desc, &s, &buf) != 0) {
        hd_buf_free(&buf);
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_db_put(txn, HD_DB_SESSIONS, hash, HD_SHA256_LEN, buf.data,
                   buf.len, 0, err);
    hd_buf_free(&buf);

    return rc;
}


hd_rc
hd_session_end(hd_txn_t *txn, const hd_uchar hash[HD_SHA256_LEN],
    hd_err_t *err)
{
    hd_rc         rc;
    hd_uchar      idx[8 + HD_SHA256_LEN];
    hd_session_t  s;

    rc = hd_record_get(txn, HD_DB_SESSIONS, hash, HD_SHA256_LEN,
                       &hd_session_desc, &s);
    if (rc != HD_OK) {
        return rc;
    }

    hd_be64_put(idx, s.account);
    memcpy(idx + 8, hash, HD_SHA256_LEN);

    rc = hd_db_del(txn, HD_DB_SESSIONS_BY_ACCOUNT, idx, sizeof(idx), err);
    if (rc != HD_OK && rc != HD_NOT_FOUND) {
        return rc;
    }

    return hd_db_del(txn, HD_DB_SESSIONS, hash, HD_SHA256_LEN, err);
}


hd_rc
hd_session_end_all(hd_txn_t *txn, uint64_t account, const hd_uchar *keep,
    size_t *ended, hd_err_t *err)
{
    hd_rc        rc;
    size_t       i, n = 0, cap = 0;
    hd_str_t     k;
    hd_uchar     prefix[8], *hashes = NULL, *grown;
    hd_cursor_t  cur;

    /* first the list, then the deletes: a cursor over what it deletes
     * is easy to get wrong */

    hd_be64_put(prefix, account);

    rc = hd_cursor_open(txn, HD_DB_SESSIONS_BY_ACCOUNT, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, prefix, 8, &k, NULL);
         rc == HD_OK && k.len == 8 + HD_SHA256_LEN
         && memcmp(k.data, prefix, 8) == 0;
         rc = hd_cursor_next(&cur, &k, NULL))
    {
        if (keep != NULL && memcmp(k.data + 8, keep, HD_SHA256_LEN) == 0) {
            continue;
        }

        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            grown = realloc(hashes, cap * HD_SHA256_LEN);
            if (grown == NULL) {
                hd_cursor_close(&cur);
                free(hashes);
                return hd_err_set(err, HD_NOMEM, NULL, "nomem",
                                  "out of memory");
            }
            hashes = grown;
        }

        memcpy(hashes + n * HD_SHA256_LEN, k.data + 8, HD_SHA256_LEN);
        n++;
    }

    hd_cursor_close(&cur);

    rc = HD_OK;

    for (i = 0; i < n && rc == HD_OK; i++) {
        rc = hd_session_end(txn, hashes + i * HD_SHA256_LEN, err);
        if (rc == HD_NOT_FOUND) {
            rc = HD_OK;
        }
    }

    free(hashes);

    if (ended) {
        *ended = n;
    }

    return rc;
}


static int
hd_api_token_key(const hd_uchar *text, size_t len, hd_uchar hash[32])
{
    size_t  plen = sizeof(HD_API_TOKEN_PREFIX) - 1;

    if (len != HD_API_TOKEN_TEXT_LEN
        || memcmp(text, HD_API_TOKEN_PREFIX, plen) != 0)
    {
        return -1;
    }

    return hd_token_hash(text + plen, len - plen, hash);
}


hd_rc
hd_api_token_create(hd_txn_t *txn, uint64_t account, const hd_str_t *name,
    uint64_t now, uint64_t *id, char text[HD_API_TOKEN_TEXT_LEN + 1],
    hd_err_t *err)
{
    hd_rc           rc;
    size_t          count = 0;
    hd_str_t        k;
    hd_uchar        raw[HD_TOKEN_LEN], hash[HD_SHA256_LEN], idx[16];
    hd_cursor_t     cur;
    hd_api_token_t  t;

    /* a bounded number per account */
    hd_be64_put(idx, account);

    if (hd_cursor_open(txn, HD_DB_API_TOKENS_BY_ACCOUNT, &cur) == HD_OK) {
        for (rc = hd_cursor_seek(&cur, idx, 8, &k, NULL);
             rc == HD_OK && k.len == 16 && memcmp(k.data, idx, 8) == 0;
             rc = hd_cursor_next(&cur, &k, NULL))
        {
            count++;
        }

        hd_cursor_close(&cur);
    }

    if (count >= HD_API_TOKENS_MAX) {
        return hd_err_set(err, HD_LIMIT, "name", "too_many_tokens",
                          "at most %d tokens", HD_API_TOKENS_MAX);
    }

    memcpy(text, HD_API_TOKEN_PREFIX, sizeof(HD_API_TOKEN_PREFIX) - 1);

    if (hd_token_new(raw, text + sizeof(HD_API_TOKEN_PREFIX) - 1) != 0
        || hd_api_token_key((hd_uchar *) text, HD_API_TOKEN_TEXT_LEN, hash)
           != 0)
    {
        return hd_err_set(err, HD_IO, NULL, "io", "no random bytes");
    }

    memset(&t, 0, sizeof(t));

    rc = hd_seq_next(txn, "api_tokens", &t.id, err);
    if (rc != HD_OK) {
        return rc;
    }

    t.account = account;
    t.name = *name;
    t.created = now;

    rc = hd_record_put(txn, HD_DB_API_TOKENS, hash, HD_SHA256_LEN,
                       &hd_api_token_desc, &t, HD_PUT_NEW, err);
    if (rc != HD_OK) {
        return rc;
    }

    hd_be64_put(idx + 8, t.id);

    rc = hd_db_put(txn, HD_DB_API_TOKENS_BY_ACCOUNT, idx, 16, hash,
                   HD_SHA256_LEN, 0, err);

    *id = t.id;

    return rc;
}


hd_rc
hd_api_token_find(hd_txn_t *txn, const hd_uchar *text, size_t len,
    hd_api_token_t *token)
{
    hd_uchar  hash[HD_SHA256_LEN];

    if (hd_api_token_key(text, len, hash) != 0) {
        return HD_NOT_FOUND;
    }

    return hd_record_get(txn, HD_DB_API_TOKENS, hash, HD_SHA256_LEN,
                         &hd_api_token_desc, token);
}


hd_rc
hd_api_token_revoke(hd_txn_t *txn, uint64_t account, uint64_t id,
    hd_err_t *err)
{
    hd_rc     rc;
    hd_str_t  v;
    hd_uchar  idx[16], hash[HD_SHA256_LEN];

    hd_be64_put(idx, account);
    hd_be64_put(idx + 8, id);

    /* someone else's token is simply not found */
    rc = hd_db_get(txn, HD_DB_API_TOKENS_BY_ACCOUNT, idx, 16, &v);
    if (rc != HD_OK || v.len != HD_SHA256_LEN) {
        return hd_err_set(err, HD_NOT_FOUND, "token", "not_found",
                          "no such token");
    }

    memcpy(hash, v.data, HD_SHA256_LEN);

    rc = hd_db_del(txn, HD_DB_API_TOKENS_BY_ACCOUNT, idx, 16, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_db_del(txn, HD_DB_API_TOKENS, hash, HD_SHA256_LEN, err);

    return rc == HD_NOT_FOUND ? HD_OK : rc;
}


hd_rc
hd_api_token_list(hd_txn_t *txn, uint64_t account, hd_pool_t *pool,
    hd_api_token_t **tokens, size_t *n)
{
    hd_rc            rc;
    size_t           count;
    hd_str_t         k, v;
    hd_uchar         prefix[16];
    hd_cursor_t      cur;
    hd_api_token_t  *list, t;

    *n = 0;

    list = hd_palloc(pool, HD_API_TOKENS_MAX * sizeof(hd_api_token_t));
    if (list == NULL) {
        return HD_NOMEM;
    }

    *tokens = list;

    /* newest first: from the end of the account's range backwards */
    hd_be64_put(prefix, account + 1);
    memset(prefix + 8, 0, 8);

    rc = hd_cursor_open(txn, HD_DB_API_TOKENS_BY_ACCOUNT, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_cursor_seek(&cur, prefix, 16, &k, &v);
    rc = rc == HD_OK ? hd_cursor_prev(&cur, &k, &v)
                     : hd_cursor_last(&cur, &k, &v);

    hd_be64_put(prefix, account);

    for (count = 0;
         rc == HD_OK && count < HD_API_TOKENS_MAX && k.len == 16
         && memcmp(k.data, prefix, 8) == 0;
         rc = hd_cursor_prev(&cur, &k, &v))
    {
        if (v.len != HD_SHA256_LEN
            || hd_record_get(txn, HD_DB_API_TOKENS, v.data, HD_SHA256_LEN,
                             &hd_api_token_desc, &t)
               != HD_OK)
        {
            continue;
        }

        t.name.data = hd_pstrdup(pool, t.name.data, t.name.len);
        list[count++] = t;
    }

    hd_cursor_close(&cur);
    *n = count;

    return HD_OK;
}


/* every session has its index entry and the other way round */
hd_rc
hd_session_check(hd_txn_t *txn, hd_check_t *check)
{
    hd_rc         rc;
    size_t        sessions = 0, entries = 0;
    hd_str_t      k, v;
    hd_cursor_t   cur;
    hd_session_t  s;

    if (hd_cursor_open(txn, HD_DB_SESSIONS_BY_ACCOUNT, &cur) != HD_OK) {
        return HD_IO;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, NULL);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, NULL))
    {
        entries++;

        if (k.len != 8 + HD_SHA256_LEN
            || hd_record_get(txn, HD_DB_SESSIONS, k.data + 8, HD_SHA256_LEN,
                             &hd_session_desc, &s)
               != HD_OK
            || s.account != hd_be64_get(k.data))
        {
            hd_check_problem(check, "sessions_by_account: an entry without "
                             "its session");
        }
    }

    hd_cursor_close(&cur);

    if (hd_db_count(txn, HD_DB_SESSIONS, &sessions) == HD_OK
        && sessions != entries)
    {
        hd_check_problem(check, "%zu sessions but %zu index entries",
                         sessions, entries);
    }

    (void) v;

    return HD_OK;
}

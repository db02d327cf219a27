/*
 * The account flows. Password hashing happens outside write transactions:
 * a write transaction holds LMDB's one writer lock and must stay short.
 */

#include <stdio.h>
#include <stdlib.h>

#include "hd_auth.h"
#include "hd_auth_int.h"
#include "hd_bounce.h"
#include "hd_company.h"
#include "hd_date.h"
#include "hd_notify.h"
#include "hd_outbox.h"
#include "hd_password.h"
#include "hd_store.h"
#include "hd_text.h"
#include "hd_token.h"
#include "hd_validate.h"


#define HD_AUTH_KEY_MAX  (HD_EMAIL_MAX_BYTES + 32)


hd_rc
hd_auth_first_error(const hd_errors_t *errors, hd_err_t *err)
{
    return hd_err_set(err, HD_INVALID, errors->item[0].field,
                      errors->item[0].code, "invalid %s",
                      errors->item[0].field);
}


/* "login:who:<lower-case login or e-mail>" and the like */
static void
hd_auth_key(char key[HD_AUTH_KEY_MAX], const char *prefix, const hd_str_t *s)
{
    size_t  n, len;

    n = snprintf(key, HD_AUTH_KEY_MAX, "%s", prefix);
    len = s->len < HD_AUTH_KEY_MAX - n - 1 ? s->len : HD_AUTH_KEY_MAX - n - 1;

    hd_text_lower_into((hd_uchar *) key + n, s->data, len);
    key[n + len] = '\0';
}


static void
hd_auth_id_key(char key[HD_AUTH_KEY_MAX], const char *prefix, uint64_t id)
{
    snprintf(key, HD_AUTH_KEY_MAX, "%s%llu", prefix, (unsigned long long) id);
}


/*
 * An answer that an address or login is taken tells a prober who has an
 * account: a person needs it now and then, a prober many times. Such
 * answers are counted per client address in the transaction that gives
 * them (LMDB has one writer: probes sent at once are counted one after
 * another); an address over the limit is answered 429 for every
 * registration or change of address, which tells nothing. client NULL (the
 * CLI, staff): no limit.
 */
static const char *
hd_auth_probe_key(char key[HD_AUTH_KEY_MAX], const hd_portal_t *portal,
    const hd_str_t *client)
{
    if (client == NULL || portal->probe_limit.limit == 0) {
        return NULL;
    }

    hd_auth_key(key, "taken:addr:", client);

    return key;
}


/*
 * A request that mails somebody (a reset link, a registration's) counted
 * per client address, whatever it answers: HD_RATE_LIMITED over the
 * address limit, else counted in the transaction (client NULL: none)
 */
hd_rc
hd_auth_address_hit(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_str_t *client, uint64_t now, uint64_t *retry_after,
    hd_err_t *err)
{
    char  key[HD_AUTH_KEY_MAX];

    if (client == NULL || portal->address_limit.limit == 0) {
        return HD_OK;
    }

    hd_auth_key(key, "mail:addr:", client);

    if (hd_ratelimit_check(txn, key, &portal->address_limit, now,
                           retry_after)
        == HD_RATE_LIMITED)
    {
        return hd_err_set(err, HD_RATE_LIMITED, NULL, "too_many_requests",
                          "too many requests");
    }

    return hd_ratelimit_hit(txn, key, &portal->address_limit, now, err);
}


hd_rc
hd_auth_probe_check(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_str_t *client, uint64_t now, uint64_t *retry_after,
    hd_err_t *err)
{
    char        buf[HD_AUTH_KEY_MAX];
    uint64_t    retry = 0;
    const char *key;

    key = hd_auth_probe_key(buf, portal, client);

    if (key != NULL
        && hd_ratelimit_check(txn, key, &portal->probe_limit, now, &retry)
           == HD_RATE_LIMITED)
    {
        if (retry_after != NULL) {
            *retry_after = retry;
        }

        return hd_err_set(err, HD_RATE_LIMITED, NULL, "too_many_requests",
                          "too many requests");
    }

    return HD_OK;
}


/* a "taken" answer counted, committed with the transaction (nothing else
   of it was written): the answer itself, HD_CONFLICT, when that went */
hd_rc
hd_auth_probe_count(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_str_t *client, uint64_t now, hd_err_t *err)
{
    char         buf[HD_AUTH_KEY_MAX];
    hd_rc        rc;
    hd_err_t     e;
    const char  *key;

    key = hd_auth_probe_key(buf, portal, client);

    if (key == NULL) {
        hd_txn_abort(txn);
        return HD_CONFLICT;
    }

    hd_err_clear(&e);
    rc = hd_ratelimit_hit(txn, key, &portal->probe_limit, now, &e);

    if (rc == HD_OK) {
        rc = hd_txn_commit(txn, &e);

    } else {
        hd_txn_abort(txn);
    }

    if (rc != HD_OK) {
        *err = e;
        return rc;
    }

    return HD_CONFLICT;
}


hd_rc
hd_auth_login(const hd_portal_t *portal, const hd_login_input_t *in,
    uint64_t now, hd_login_result_t *res, hd_err_t *err)
{
    int            found, ok, upgrade, disabled;
    char           who_key[HD_AUTH_KEY_MAX], addr_key[HD_AUTH_KEY_MAX];
    char           stored[HD_PASSWORD_HASH_SIZE], fresh[HD_PASSWORD_HASH_SIZE];
    hd_rc          rc;
    uint64_t       retry, retry2;
    hd_str_t       stored_str;
    hd_txn_t       txn;
    hd_account_t   a;

    memset(res, 0, sizeof(hd_login_result_t));

    hd_auth_key(who_key, "login:who:", &in->who);
    hd_auth_key(addr_key, "login:addr:", &in->address);

    /*
     * 1. The attempt is counted before the password is hashed, on the
     * account and on the address: guesses sent at once cannot slip past
     * either limit while the first ones are still being hashed. A success
     * takes them back (the account's all, the address's its own): many
     * people behind one address who log in are not guessing.
     */
    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    retry = retry2 = 0;

    if (hd_ratelimit_check(&txn, who_key, &portal->login_limit, now, &retry)
        == HD_RATE_LIMITED
        || hd_ratelimit_check(&txn, addr_key, &portal->login_limit, now,
                              &retry2)
           == HD_RATE_LIMITED)
    {
        hd_txn_abort(&txn);
        res->retry_after = retry > retry2 ? retry : retry2;
        return hd_err_set(err, HD_RATE_LIMITED, NULL, "too_many_attempts",
                          "too many failed logins");
    }

    rc = hd_ratelimit_hit(&txn, who_key, &portal->login_limit, now, err);
    if (rc == HD_OK) {
        rc = hd_ratelimit_hit(&txn, addr_key, &portal->login_limit, now, err);
    }

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return rc;
    }

    found = in->who.len
            && hd_account_find(&txn, in->who.data, in->who.len, &a) == HD_OK
            && a.password.len > 0 && a.password.len < sizeof(stored);

    disabled = 0;
    stored_str.len = 0;

    if (found) {
        memcpy(stored, a.password.data, a.password.len);
        stored_str.data = (hd_uchar *) stored;
        stored_str.len = a.password.len;
        res->account = a.id;
        res->language = a.language;
        disabled = a.state == HD_ACCOUNT_DISABLED;
    }

    rc = hd_txn_commit(&txn, err);
    if (rc != HD_OK) {
        return rc;
    }

    /* 2. The slow part, the same for accounts that do not exist */

    if (found) {
        ok = hd_password_verify(&stored_str, in->password.data,
                                in->password.len, &upgrade);

    } else {
        hd_password_dummy(in->password.data, in->password.len);
        ok = 0;
        upgrade = 0;
    }

    if (!ok) {
        /* both attempts stay counted */
        return hd_err_set(err, HD_UNAUTHORIZED, NULL, "bad_credentials",
                          "wrong login or password");
    }

    if (disabled) {
        return hd_err_set(err, HD_FORBIDDEN, NULL, "account_disabled",
                          "the account is disabled");
    }

    if (upgrade
        && hd_password_hash(in->password.data, in->password.len,
                            HD_PASSWORD_ITERATIONS, fresh)
           != 0)
    {
        upgrade = 0;
    }

    /* 3. The session */

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_ratelimit_clear(&txn, who_key, err);

    if (rc == HD_OK) {
        rc = hd_ratelimit_undo(&txn, addr_key, now, err);
    }

    if (rc == HD_OK && upgrade) {
        rc = hd_account_set_password(&txn, res->account, fresh, now, err);
    }

    if (rc == HD_OK) {
        rc = hd_session_create(&txn, res->account, now, &in->address,
                               &in->agent, res->token, res->csrf, err);
    }

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return rc;
    }

    return hd_txn_commit(&txn, err);
}


hd_rc
hd_auth_start_session(const hd_portal_t *portal, uint64_t account,
    const hd_str_t *address, const hd_str_t *agent, uint64_t now,
    hd_login_result_t *res, hd_err_t *err)
{
    hd_rc         rc;
    hd_txn_t      txn;
    hd_account_t  a;

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_account_get(&txn, account, &a);

    if (rc == HD_OK) {
        res->account = account;
        res->language = a.language;
        rc = hd_session_create(&txn, account, now, address, agent,
                               res->token, res->csrf, err);
    }

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return rc;
    }

    return hd_txn_commit(&txn, err);
}


hd_rc
hd_auth_logout(const hd_portal_t *portal,
    const hd_uchar session[HD_SHA256_LEN], hd_err_t *err)
{
    hd_rc     rc;
    hd_txn_t  txn;

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_session_end(&txn, session, err);

    if (rc != HD_OK && rc != HD_NOT_FOUND) {
        hd_txn_abort(&txn);
        return rc;
    }

    return hd_txn_commit(&txn, err);
}


hd_rc
hd_auth_session(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_uchar *token, size_t len, uint64_t now, hd_pool_t *pool,
    hd_caller_t *caller)
{
    hd_rc         rc;
    hd_session_t  s;
    hd_account_t  a;

    memset(caller, 0, sizeof(hd_caller_t));

    rc = hd_session_find(txn, token, len, now, &portal->session,
                         caller->session, &s);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_account_get(txn, s.account, &a);
    if (rc != HD_OK) {
        return rc;
    }

    if (a.state == HD_ACCOUNT_DISABLED) {
        return HD_NOT_FOUND;
    }

    caller->account = hd_account_copy(pool, &a);
    caller->csrf.data = hd_pstrdup(pool, s.csrf.data, s.csrf.len);
    caller->csrf.len = s.csrf.len;
    caller->has_session = 1;
    caller->seen = s.seen;

    return caller->account && caller->csrf.data ? HD_OK : HD_NOMEM;
}


hd_rc
hd_auth_api_token(hd_txn_t *txn, const hd_uchar *token, size_t len,
    hd_pool_t *pool, hd_caller_t *caller)
{
    hd_rc           rc;
    hd_account_t    a;
    hd_api_token_t  t;

    memset(caller, 0, sizeof(hd_caller_t));

    rc = hd_api_token_find(txn, token, len, &t);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_account_get(txn, t.account, &a);
    if (rc != HD_OK) {
        return rc;
    }

    if (a.state == HD_ACCOUNT_DISABLED) {
        return HD_NOT_FOUND;
    }

    caller->account = hd_account_copy(pool, &a);

    return caller->account ? HD_OK : HD_NOMEM;
}


hd_rc
hd_auth_touch(const hd_portal_t *portal,
    const hd_uchar session[HD_SHA256_LEN], uint64_t now, hd_err_t *err)
{
    hd_rc     rc;
    hd_txn_t  txn;

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_session_touch(&txn, session, now, err);

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return rc == HD_NOT_FOUND ? HD_OK : rc;
    }

    return hd_txn_commit(&txn, err);
}


hd_rc
hd_auth_reset_request(const hd_portal_t *portal, const hd_str_t *email,
    const hd_str_t *address, uint64_t now, uint64_t *retry_after,
    hd_err_t *err)
{
    char          addr_key[HD_AUTH_KEY_MAX], mail_key[HD_AUTH_KEY_MAX];
    char          token[HD_TOKEN_TEXT_LEN + 1];
    hd_rc         rc;
    uint64_t      retry;
    hd_txn_t      txn;
    hd_val_t     *view;
    hd_token_t    t;
    hd_arena_t   *arena;
    hd_account_t  a, *to;

    hd_auth_key(addr_key, "mail:addr:", address);

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    /* many requests from one address: a 429, whatever the accounts */
    if (hd_ratelimit_check(&txn, addr_key, &portal->address_limit, now,
                           retry_after)
        == HD_RATE_LIMITED)
    {
        hd_txn_abort(&txn);
        return hd_err_set(err, HD_RATE_LIMITED, NULL, "too_many_requests",
                          "too many requests");
    }

    rc = hd_ratelimit_hit(&txn, addr_key, &portal->address_limit, now, err);
    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return rc;
    }

    if (email->len == 0
        || hd_account_find_email(&txn, email->data, email->len, &a) != HD_OK
        || a.state == HD_ACCOUNT_DISABLED)
    {
        return hd_txn_commit(&txn, err);
    }

    /* mail bombing of one account stops here, silently */
    hd_auth_id_key(mail_key, "mail:account:", a.id);

    if (hd_ratelimit_check(&txn, mail_key, &portal->mail_limit, now, &retry)
        == HD_RATE_LIMITED)
    {
        return hd_txn_commit(&txn, err);
    }

    arena = hd_arena_create(4096);
    if (arena == NULL) {
        hd_txn_abort(&txn);
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    to = hd_account_copy(&arena->pool, &a);

    memset(&t, 0, sizeof(t));
    t.kind = HD_TOKEN_PASSWORD_RESET;
    t.account = a.id;
    t.created = now;
    t.expires = now + HD_RESET_TTL;

    /* the newest link is the only one that works */
    rc = to ? hd_token_drop_account(&txn, HD_TOKEN_PASSWORD_RESET, a.id, err)
            : HD_NOMEM;

    if (rc == HD_OK) {
        rc = hd_token_create(&txn, &t, token, err);
    }

    if (rc == HD_OK) {
        view = hd_val_map(&arena->pool);
        hd_val_set(&arena->pool, view, "link",
                   hd_notify_link(&arena->pool, portal, "password/reset?token=",
                                token));
        rc = hd_notify_account(&txn, portal, "password_reset", to, NULL, view,
                          &arena->pool, now, err);
    }

    if (rc == HD_OK) {
        rc = hd_ratelimit_hit(&txn, mail_key, &portal->mail_limit, now, err);
    }

    hd_arena_destroy(arena);

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return rc;
    }

    return hd_txn_commit(&txn, err);
}


hd_rc
hd_auth_link_check(const hd_portal_t *portal, int kind, const hd_str_t *token,
    uint64_t now, hd_pool_t *pool, hd_str_t *data)
{
    hd_rc       rc;
    hd_txn_t    txn;
    hd_token_t  t;

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_READ, NULL);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_token_peek(&txn, (hd_token_kind_e) kind, token->data, token->len,
                       now, pool, &t);
    hd_txn_abort(&txn);

    if (rc == HD_OK && data != NULL) {
        *data = t.data;
    }

    return rc;
}


/* a password set anew: all sessions but keep ended, the owner told */
static hd_rc
hd_auth_new_password(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_account_t *a, const char *hash, const hd_uchar *keep,
    uint64_t now, hd_pool_t *pool, hd_err_t *err)
{
    hd_rc  rc;

    rc = hd_account_set_password(txn, a->id, hash, now, err);

    if (rc == HD_OK) {
        rc = hd_session_end_all(txn, a->id, keep, NULL, err);
    }

    if (rc == HD_OK) {
        rc = hd_token_drop_account(txn, HD_TOKEN_PASSWORD_RESET, a->id, err);
    }

    if (rc == HD_OK) {
        rc = hd_notify_account(txn, portal, "password_changed", a, NULL,
                          hd_val_map(pool), pool, now, err);
    }

    return rc;
}


hd_rc
hd_auth_reset_complete(const hd_portal_t *portal, const hd_str_t *token,
    const hd_str_t *password, uint64_t now, hd_errors_t *errors,
    hd_err_t *err)
{
    char           hash[HD_PASSWORD_HASH_SIZE];
    hd_rc          rc;
    hd_txn_t       txn;
    hd_token_t     t;
    hd_arena_t    *arena;
    hd_account_t   a, *account;

    arena = hd_arena_create(4096);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    /* who: for the rule that a password is not the login or e-mail */
    account = NULL;
    rc = hd_txn_begin(portal->store, &txn, HD_TXN_READ, err);

    if (rc == HD_OK) {
        if (hd_token_peek(&txn, HD_TOKEN_PASSWORD_RESET, token->data,
                          token->len, now, &arena->pool, &t)
            == HD_OK
            && hd_account_get(&txn, t.account, &a) == HD_OK)
        {
            account = hd_account_copy(&arena->pool, &a);
        }

        hd_txn_abort(&txn);
    }

    if (account == NULL) {
        hd_arena_destroy(arena);
        return hd_err_set(err, HD_NOT_FOUND, "token", "token_invalid",
                          "the link is invalid or expired");
    }

    hd_account_validate_password(password, &account->login, &account->email,
                                 "password", errors);

    if (errors->n) {
        hd_arena_destroy(arena);
        return hd_auth_first_error(errors, err);
    }

    if (hd_password_hash(password->data, password->len,
                         HD_PASSWORD_ITERATIONS, hash)
        != 0)
    {
        hd_arena_destroy(arena);
        return hd_err_set(err, HD_IO, NULL, "io", "cannot hash a password");
    }

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);

    if (rc == HD_OK) {
        /* taken again here: of two racing uses, one wins */
        rc = hd_token_take(&txn, HD_TOKEN_PASSWORD_RESET, token->data,
                           token->len, now, &arena->pool, &t, err);

        if (rc == HD_OK) {
            rc = hd_auth_new_password(&txn, portal, account, hash, NULL, now,
                                      &arena->pool, err);
        }

        rc = rc == HD_OK ? hd_txn_commit(&txn, err)
                         : (hd_txn_abort(&txn), rc);
    }

    hd_arena_destroy(arena);

    return rc;
}


hd_rc
hd_auth_change_password(const hd_portal_t *portal, uint64_t id,
    const hd_str_t *current, const hd_str_t *password,
    const hd_uchar *keep_session, uint64_t now, hd_errors_t *errors,
    hd_err_t *err)
{
    int            upgrade;
    char           hash[HD_PASSWORD_HASH_SIZE];
    hd_rc          rc;
    hd_txn_t       txn;
    hd_arena_t    *arena;
    hd_account_t   a, *account;

    arena = hd_arena_create(4096);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    account = NULL;
    rc = hd_txn_begin(portal->store, &txn, HD_TXN_READ, err);

    if (rc == HD_OK) {
        if (hd_account_get(&txn, id, &a) == HD_OK) {
            account = hd_account_copy(&arena->pool, &a);
        }

        hd_txn_abort(&txn);
    }

    if (account == NULL) {
        hd_arena_destroy(arena);
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found", "no account");
    }

    if (current == NULL) {
        /* the operator's word */

    } else if (current->len == 0) {
        hd_errors_add(errors, "current_password", "password_required");

    } else if (!hd_password_verify(&account->password, current->data,
                                   current->len, &upgrade))
    {
        hd_errors_add(errors, "current_password", "password_wrong");
    }

    hd_account_validate_password(password, &account->login, &account->email,
                                 "password", errors);

    if (errors->n) {
        hd_arena_destroy(arena);
        return hd_auth_first_error(errors, err);
    }

    if (hd_password_hash(password->data, password->len,
                         HD_PASSWORD_ITERATIONS, hash)
        != 0)
    {
        hd_arena_destroy(arena);
        return hd_err_set(err, HD_IO, NULL, "io", "cannot hash a password");
    }

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);

    if (rc == HD_OK) {
        rc = hd_auth_new_password(&txn, portal, account, hash, keep_session,
                                  now, &arena->pool, err);

        rc = rc == HD_OK ? hd_txn_commit(&txn, err)
                         : (hd_txn_abort(&txn), rc);
    }

    hd_arena_destroy(arena);

    return rc;
}


hd_rc
hd_auth_email_change(const hd_portal_t *portal, uint64_t id,
    const hd_str_t *email, const hd_str_t *client, uint64_t now,
    uint64_t *retry_after, hd_errors_t *errors, hd_err_t *err)
{
    char           token[HD_TOKEN_TEXT_LEN + 1], mail_key[HD_AUTH_KEY_MAX];
    hd_rc          rc;
    uint64_t       retry;
    hd_txn_t       txn;
    hd_val_t      *view;
    hd_token_t     t;
    hd_arena_t    *arena;
    hd_account_t   a, *account, other;
    hd_account_input_t  in;

    hd_account_input_init(&in);
    in.email = *email;
    hd_account_validate(&in, 0, errors);

    if (errors->n) {
        return hd_auth_first_error(errors, err);
    }

    arena = hd_arena_create(4096);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        hd_arena_destroy(arena);
        return rc;
    }

    account = NULL;

    if (hd_account_get(&txn, id, &a) == HD_OK) {
        account = hd_account_copy(&arena->pool, &a);
    }

    hd_auth_id_key(mail_key, "mail:account:", id);

    if (account == NULL) {
        rc = hd_err_set(err, HD_NOT_FOUND, NULL, "not_found", "no account");

    } else if (hd_text_equal_nocase(email->data, email->len,
                                    account->email.data, account->email.len))
    {
        hd_errors_add(errors, "email", "email_same");
        rc = hd_auth_first_error(errors, err);

    } else if (hd_auth_probe_check(&txn, portal, client, now, retry_after,
                                   err)
               != HD_OK)
    {
        rc = HD_RATE_LIMITED;

    } else if (hd_account_find_email(&txn, email->data, email->len, &other)
               == HD_OK)
    {
        /* nothing written yet: the answer counted, and given */
        hd_errors_add(errors, "email", "email_taken");
        (void) hd_err_set(err, HD_CONFLICT, "email", "email_taken", "taken");
        rc = hd_auth_probe_count(&txn, portal, client, now, err);
        hd_arena_destroy(arena);

        return rc;

    } else if (hd_ratelimit_check(&txn, mail_key, &portal->mail_limit, now,
                                  &retry)
               == HD_RATE_LIMITED)
    {
        rc = hd_err_set(err, HD_RATE_LIMITED, "email", "too_many_requests",
                        "too many requests");

    } else {
        memset(&t, 0, sizeof(t));
        t.kind = HD_TOKEN_EMAIL_CHANGE;
        t.account = id;
        t.created = now;
        t.expires = now + HD_EMAIL_CHANGE_TTL;
        t.data = *email;

        rc = hd_token_drop_account(&txn, HD_TOKEN_EMAIL_CHANGE, id, err);

        if (rc == HD_OK) {
            rc = hd_token_create(&txn, &t, token, err);
        }

        /* the link goes to the new address; the old one is told */
        if (rc == HD_OK) {
            view = hd_val_map(&arena->pool);
            hd_val_set(&arena->pool, view, "link",
                       hd_notify_link(&arena->pool, portal,
                                    "email/confirm?token=", token));
            hd_val_set_str(&arena->pool, view, "new_email", email->data,
                           email->len);
            rc = hd_notify_account(&txn, portal, "email_change", account, email,
                              view, &arena->pool, now, err);
        }

        if (rc == HD_OK) {
            view = hd_val_map(&arena->pool);
            hd_val_set_str(&arena->pool, view, "new_email", email->data,
                           email->len);
            rc = hd_notify_account(&txn, portal, "email_change_notice", account,
                              NULL, view, &arena->pool, now, err);
        }

        if (rc == HD_OK) {
            rc = hd_ratelimit_hit(&txn, mail_key, &portal->mail_limit, now,
                                  err);
        }
    }

    rc = rc == HD_OK ? hd_txn_commit(&txn, err) : (hd_txn_abort(&txn), rc);

    hd_arena_destroy(arena);

    return rc;
}


hd_rc
hd_auth_email_confirm(const hd_portal_t *portal, const hd_str_t *token,
    uint64_t now, hd_str_t *email, hd_pool_t *pool, hd_err_t *err)
{
    hd_rc       rc;
    hd_txn_t    txn;
    hd_token_t  t;

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    /* a new address, or a new account's (or again after a bounce) */
    rc = hd_token_take(&txn, HD_TOKEN_EMAIL_CHANGE, token->data, token->len,
                       now, pool, &t, err);

    if (rc == HD_NOT_FOUND) {
        rc = hd_token_take(&txn, HD_TOKEN_EMAIL_CONFIRM, token->data,
                           token->len, now, pool, &t, err);
    }

    /* a registration with a contact's address: made now, proven */
    if (rc == HD_NOT_FOUND) {
        rc = hd_token_take(&txn, HD_TOKEN_CLAIM, token->data, token->len,
                           now, pool, &t, err);

        if (rc == HD_OK) {
            rc = hd_auth_claim_finish(&txn, &t, now, err);

            if (rc == HD_OK) {
                hd_account_t  a;

                rc = hd_account_get(&txn, t.account, &a);
                t.data.data = hd_pstrdup(pool, a.email.data, a.email.len);
                t.data.len = a.email.len;
            }
        }
    }

    if (rc == HD_OK && t.kind == HD_TOKEN_EMAIL_CHANGE) {
        rc = hd_account_set_email(&txn, t.account, &t.data, now, err);
    }

    if (rc == HD_OK && t.kind == HD_TOKEN_EMAIL_CONFIRM) {
        /* the link is for the address it was sent to, not a later one */
        hd_account_t  a;

        if (hd_account_get(&txn, t.account, &a) != HD_OK
            || !hd_text_equal_nocase(a.email.data, a.email.len, t.data.data,
                                     t.data.len))
        {
            rc = hd_err_set(err, HD_NOT_FOUND, "token", "token_invalid",
                            "the link is invalid or expired");
        }
    }

    if (rc == HD_OK) {
        rc = hd_account_email_confirmed(&txn, t.account, now, err);
    }

    if (rc == HD_OK) {
        rc = hd_bounce_clear(&txn, &t.data, err);
    }

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return rc;
    }

    *email = t.data;

    return hd_txn_commit(&txn, err);
}


/* a confirmation link to the account's own address, in the transaction */
hd_rc
hd_auth_confirm_link(hd_txn_t *txn, const hd_portal_t *portal, uint64_t id,
    uint64_t now, hd_err_t *err)
{
    char           token[HD_TOKEN_TEXT_LEN + 1];
    hd_rc          rc;
    hd_val_t      *view;
    hd_token_t     t;
    hd_arena_t    *arena;
    hd_account_t   a, *account;

    rc = hd_account_get(txn, id, &a);
    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, "not_found", "no account");
    }

    arena = hd_arena_create(4096);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    account = hd_account_copy(&arena->pool, &a);

    memset(&t, 0, sizeof(t));
    t.kind = HD_TOKEN_EMAIL_CONFIRM;
    t.account = id;
    t.created = now;
    t.expires = now + HD_EMAIL_CONFIRM_TTL;

    rc = account ? hd_token_drop_account(txn, HD_TOKEN_EMAIL_CONFIRM, id, err)
                 : hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");

    if (rc == HD_OK) {
        t.data = account->email;
        rc = hd_token_create(txn, &t, token, err);
    }

    if (rc == HD_OK) {
        view = hd_val_map(&arena->pool);
        hd_val_set(&arena->pool, view, "link",
                   hd_notify_link(&arena->pool, portal,
                                  "email/confirm?token=", token));
        hd_val_set_str(&arena->pool, view, "email", account->email.data,
                       account->email.len);
        rc = hd_notify_account(txn, portal, "email_confirm", account, NULL,
                               view, &arena->pool, now, err);
    }

    hd_arena_destroy(arena);

    return rc;
}


hd_rc
hd_auth_confirm_request(const hd_portal_t *portal, uint64_t id, uint64_t now,
    uint64_t *retry_after, hd_err_t *err)
{
    char          mail_key[HD_AUTH_KEY_MAX];
    hd_rc         rc;
    hd_txn_t      txn;
    hd_account_t  a;

    hd_auth_id_key(mail_key, "mail:account:", id);

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (hd_account_get(&txn, id, &a) != HD_OK) {
        rc = hd_err_set(err, HD_NOT_FOUND, NULL, "not_found", "no account");

    } else if (a.email_confirmed && !a.email_bounced) {
        rc = hd_err_set(err, HD_CONFLICT, "email", "email_confirmed_already",
                        "the address is confirmed");

    } else if (hd_ratelimit_check(&txn, mail_key, &portal->mail_limit, now,
                                  retry_after)
               == HD_RATE_LIMITED)
    {
        rc = hd_err_set(err, HD_RATE_LIMITED, "email", "too_many_requests",
                        "too many requests");

    } else {
        rc = hd_auth_confirm_link(&txn, portal, id, now, err);

        if (rc == HD_OK) {
            rc = hd_ratelimit_hit(&txn, mail_key, &portal->mail_limit, now,
                                  err);
        }
    }

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return rc;
    }

    return hd_txn_commit(&txn, err);
}


hd_rc
hd_auth_update_profile(const hd_portal_t *portal, uint64_t id,
    const hd_account_input_t *in, uint64_t now, hd_errors_t *errors,
    hd_err_t *err)
{
    hd_rc     rc;
    hd_txn_t  txn;

    hd_account_validate(in, 0, errors);

    if (errors->n) {
        return hd_auth_first_error(errors, err);
    }

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_account_update(&txn, id, in, now, err);

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return rc;
    }

    return hd_txn_commit(&txn, err);
}


hd_rc
hd_auth_token_create(const hd_portal_t *portal, uint64_t account,
    const hd_str_t *name, uint64_t now, uint64_t *id,
    char text[HD_API_TOKEN_TEXT_LEN + 1], hd_errors_t *errors,
    hd_err_t *err)
{
    hd_rc     rc;
    hd_txn_t  txn;

    hd_errors_text(errors, "name", name, HD_API_TOKEN_NAME_MAX,
                   "token_name_required", "name_invalid", "name_too_long");

    if (errors->n) {
        return hd_auth_first_error(errors, err);
    }

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_api_token_create(&txn, account, name, now, id, text, err);

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return rc;
    }

    return hd_txn_commit(&txn, err);
}


hd_rc
hd_auth_token_revoke(const hd_portal_t *portal, uint64_t account, uint64_t id,
    hd_err_t *err)
{
    hd_rc     rc;
    hd_txn_t  txn;

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_api_token_revoke(&txn, account, id, err);

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return rc;
    }

    return hd_txn_commit(&txn, err);
}

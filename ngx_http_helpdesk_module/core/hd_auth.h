/*
 * The flows of accounts: registration, login and logout, password reset,
 * password and e-mail change, profile, personal API tokens. Each runs its
 * own transactions; the slow ones (password hashing) are meant for a thread.
 */

#ifndef HD_AUTH_H
#define HD_AUTH_H


#include "hd_account.h"
#include "hd_portal.h"
#include "hd_certificate.h"


typedef struct {
    hd_str_t      who;              /* login or e-mail */
    hd_str_t      password;
    hd_str_t      address;          /* the client's, for limits and logs */
    hd_str_t      agent;
} hd_login_input_t;


typedef struct {
    uint64_t      account;
    uint8_t       language;
    uint64_t      retry_after;      /* with HD_RATE_LIMITED */
    char          token[HD_TOKEN_TEXT_LEN + 1];
    char          csrf[HD_TOKEN_TEXT_LEN + 1];
} hd_login_result_t;


/* who is calling: the account of a live session or API token */
typedef struct {
    hd_account_t *account;          /* copied into the pool */
    hd_uchar      session[HD_SHA256_LEN];
    int           has_session;
    hd_str_t      csrf;
    uint64_t      seen;             /* the session's last use */
} hd_caller_t;


/*
 * Customers from the form, staff from the CLI (with in->role). A person's
 * own registration answers the same whatever the address and the login
 * (SPEC §7.1, §12: no account enumeration): nothing is made yet (*id 0) and
 * the address gets the mail that fits, a link that makes the account (its
 * proof), or, for an address that has an account, how to log in or reset
 * the password, or, for a login somebody has, the word to choose another.
 * An operator's (role >= 0) is made at once. client: the caller's address,
 * whose registrations are limited (HD_RATE_LIMITED, *retry_after); NULL
 * (the CLI, staff): none
 */
hd_rc hd_auth_register(const hd_portal_t *portal,
    const hd_account_input_t *in, const hd_str_t *client, uint64_t now,
    uint64_t *id, uint64_t *retry_after, hd_errors_t *errors, hd_err_t *err);

/*
 * A registration with a licence (Kaspersky block 5): the number and the
 * activation code of a certificate, and the company to make. Checked
 * before anything is written (an unknown number, a wrong code: the field
 * named, nothing made, counted against the caller's address like a taken
 * login); unheld: the company is made with the new account as its owner and
 * the certificate registered to it, in the registration's transaction; held
 * by another: the account is made without it (outcome CONFLICT), for the
 * page to say how to get it (an invitation from that company's
 * administrator, or an account question).
 */
typedef enum {
    HD_LICENCE_NONE = 0,            /* none given */
    HD_LICENCE_REGISTERED,
    HD_LICENCE_CONFLICT,            /* held by another company */
    HD_LICENCE_LATER                /* a contact's address: after its link */
} hd_licence_outcome_e;

typedef struct {
    hd_str_t              number;
    hd_str_t              code;
    hd_str_t              company;  /* its name */
    hd_licence_outcome_e  outcome;
    uint64_t              company_id;
    uint64_t              certificate;
} hd_licence_t;

/* hd_auth_register with a licence (NULL or an empty number: none) */
hd_rc hd_auth_register_licence(const hd_portal_t *portal,
    const hd_account_input_t *in, hd_licence_t *licence,
    const hd_str_t *client, uint64_t now, uint64_t *id,
    uint64_t *retry_after, hd_errors_t *errors, hd_err_t *err);

/* HD_UNAUTHORIZED ("bad_credentials") whether the account exists or not */
hd_rc hd_auth_login(const hd_portal_t *portal, const hd_login_input_t *in,
    uint64_t now, hd_login_result_t *res, hd_err_t *err);

/* a session for an account whose password was just checked or set */
hd_rc hd_auth_start_session(const hd_portal_t *portal, uint64_t account,
    const hd_str_t *address, const hd_str_t *agent, uint64_t now,
    hd_login_result_t *res, hd_err_t *err);

hd_rc hd_auth_logout(const hd_portal_t *portal,
    const hd_uchar session[HD_SHA256_LEN], hd_err_t *err);

/* in a read transaction the caller holds (the event loop's) */
hd_rc hd_auth_session(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_uchar *token, size_t len, uint64_t now, hd_pool_t *pool,
    hd_caller_t *caller);
hd_rc hd_auth_api_token(hd_txn_t *txn, const hd_uchar *token, size_t len,
    hd_pool_t *pool, hd_caller_t *caller);
hd_rc hd_auth_touch(const hd_portal_t *portal,
    const hd_uchar session[HD_SHA256_LEN], uint64_t now, hd_err_t *err);

/* the same answer whether or not the address has an account */
hd_rc hd_auth_reset_request(const hd_portal_t *portal, const hd_str_t *email,
    const hd_str_t *address, uint64_t now, uint64_t *retry_after,
    hd_err_t *err);
/* a live one-time link of the kind; its data (a new e-mail) copied */
hd_rc hd_auth_link_check(const hd_portal_t *portal, int kind,
    const hd_str_t *token, uint64_t now, hd_pool_t *pool, hd_str_t *data);
hd_rc hd_auth_reset_complete(const hd_portal_t *portal,
    const hd_str_t *token, const hd_str_t *password, uint64_t now,
    hd_errors_t *errors, hd_err_t *err);

/*
 * A new password, the current one proven; current NULL: an operator sets
 * it (the CLI), nothing to prove. Every session but keep_session ends.
 */
hd_rc hd_auth_change_password(const hd_portal_t *portal, uint64_t account,
    const hd_str_t *current, const hd_str_t *password,
    const hd_uchar *keep_session, uint64_t now, hd_errors_t *errors,
    hd_err_t *err);

/* client: as hd_auth_register's */
hd_rc hd_auth_email_change(const hd_portal_t *portal, uint64_t account,
    const hd_str_t *email, const hd_str_t *client, uint64_t now,
    uint64_t *retry_after, hd_errors_t *errors, hd_err_t *err);
/* a confirmation link followed: a new address, or the account's own
   proven (again: a bounce forgotten) */
/*
 * A registration's link followed: the account made (its address proven),
 * with its licence's company when one was given and is still free;
 * HD_NOT_FOUND when the token is no registration's (then it may be
 * hd_auth_email_confirm's); HD_CONFLICT when the address or the login was
 * taken meanwhile (err names which)
 */
hd_rc hd_auth_register_confirm(const hd_portal_t *portal,
    const hd_str_t *token, uint64_t now, uint64_t *id, uint64_t *company,
    hd_err_t *err);

hd_rc hd_auth_email_confirm(const hd_portal_t *portal, const hd_str_t *token,
    uint64_t now, hd_str_t *email, hd_pool_t *pool, hd_err_t *err);
/* a new link to prove the account's address (after a bounce, or lost) */
hd_rc hd_auth_confirm_request(const hd_portal_t *portal, uint64_t account,
    uint64_t now, uint64_t *retry_after, hd_err_t *err);

hd_rc hd_auth_update_profile(const hd_portal_t *portal, uint64_t account,
    const hd_account_input_t *in, uint64_t now, hd_errors_t *errors,
    hd_err_t *err);

hd_rc hd_auth_token_create(const hd_portal_t *portal, uint64_t account,
    const hd_str_t *name, uint64_t now, uint64_t *id,
    char text[HD_API_TOKEN_TEXT_LEN + 1], hd_errors_t *errors,
    hd_err_t *err);
hd_rc hd_auth_token_revoke(const hd_portal_t *portal, uint64_t account,
    uint64_t id, hd_err_t *err);


#endif /* HD_AUTH_H */

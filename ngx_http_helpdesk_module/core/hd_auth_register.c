/*
 * Registration (SPEC §4.1): a new account, a contact account claimed by its
 * address (made when the link mailed to it is opened), and a registration
 * with a licence (hd_auth.h); what is refused counted against the caller's
 * address like a taken login.
 */

#include <stdio.h>
#include <stdlib.h>

#include "hd_auth.h"
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
#include "hd_auth_int.h"


static hd_rc hd_auth_register_self(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_account_input_t *in, hd_licence_t *licence, int held,
    const char *hash, uint64_t now, hd_err_t *err);
static hd_rc hd_auth_claim_contact(hd_txn_t *txn, uint64_t id,
    const hd_account_input_t *in, const char *hash, uint64_t now,
    hd_err_t *err);
static hd_rc hd_auth_claim_link(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_account_t *contact, const hd_account_input_t *in,
    const char *hash, uint64_t now, hd_err_t *err);


hd_rc
hd_auth_register(const hd_portal_t *portal, const hd_account_input_t *in,
    const hd_str_t *client, uint64_t now, uint64_t *id,
    uint64_t *retry_after, hd_errors_t *errors, hd_err_t *err)
{
    return hd_auth_register_licence(portal, in, NULL, client, now, id,
                                    retry_after, errors, err);
}


/*
 * The licence of a registration, before anything is written: HD_OK (with
 * *held when another company holds it), or its error with the form's field
 */
static hd_rc
hd_auth_licence_check(hd_txn_t *txn, const hd_licence_t *l, uint64_t now,
    hd_certificate_t *c, int *held, hd_errors_t *errors, hd_err_t *err)
{
    int              already;
    hd_rc            rc;
    hd_cert_claim_t  claim;

    *held = 0;

    memset(&claim, 0, sizeof(claim));
    claim.number = l->number;
    claim.code = l->code;
    claim.holder_kind = HD_HOLDER_COMPANY;
    claim.holder = 0;                   /* a company not made yet */

    rc = hd_cert_check_claim(txn, &claim, hd_date_today(now), 1, c, &already,
                             err);

    /* held: said only to who has its code (when it has one), for the
       answer must not tell who holds what to anyone typing numbers */
    if (rc == HD_CONFLICT) {
        rc = hd_cert_code_check(c, &l->code, err);
        *held = rc == HD_OK;
    }

    if (rc != HD_OK) {
        hd_errors_add(errors,
                      err->field && strcmp(err->field, "code") == 0
                      ? "activation_code" : "certificate", err->code);

        /* an unknown number is the form's mistake, not a missing page */
        rc = rc == HD_NOT_FOUND ? HD_INVALID : rc;
    }

    return rc;
}


hd_rc
hd_auth_register_licence(const hd_portal_t *portal,
    const hd_account_input_t *in, hd_licence_t *licence,
    const hd_str_t *client, uint64_t now, uint64_t *id,
    uint64_t *retry_after, hd_errors_t *errors, hd_err_t *err)
{
    int               created, held;
    hd_rc             rc;
    char              hash[HD_PASSWORD_HASH_SIZE];
    hd_txn_t          txn;
    hd_account_t      existing;
    hd_certificate_t  cert;

    if (licence != NULL && licence->number.len == 0) {
        licence = NULL;
    }

    hd_account_validate(in, 1, errors);

    if (licence != NULL) {
        licence->outcome = HD_LICENCE_NONE;

        /* a name given is a good one (needed only when the licence is
           free: that is known in the transaction) */
        if (licence->company.len) {
            hd_errors_text(errors, "company", &licence->company,
                           HD_COMPANY_NAME_MAX, "company_required",
                           "name_invalid", "name_too_long");
        }
    }

    if (errors->n) {
        return hd_auth_first_error(errors, err);
    }

    if (hd_password_hash(in->password.data, in->password.len,
                         HD_PASSWORD_ITERATIONS, hash)
        != 0)
    {
        return hd_err_set(err, HD_IO, NULL, "io", "cannot hash a password");
    }

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    /* an operator's: unlimited; a person's: each one mails somebody, so
       the client address has its share of them (whatever the answer: a
       429 that came only after taken answers would tell them apart) */
    rc = in->role >= 0 ? HD_OK
                       : hd_auth_address_hit(&txn, portal, client, now,
                                             retry_after, err);

    /* wrong licences are counted against the client address (none for
       the CLI's) */
    if (rc == HD_OK) {
        rc = hd_auth_probe_check(&txn, portal, client, now, retry_after, err);
    }

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return rc;
    }

    held = 0;

    if (licence != NULL) {
        rc = hd_auth_licence_check(&txn, licence, now, &cert, &held, errors,
                                   err);

        if (rc != HD_OK) {
            hd_rc  counted = hd_auth_probe_count(&txn, portal, client, now,
                                                 err);

            return counted == HD_CONFLICT ? rc : counted;
        }

        if (!held && licence->company.len == 0) {
            hd_txn_abort(&txn);
            hd_errors_add(errors, "company", "company_required");

            return hd_err_set(err, HD_INVALID, "company", "company_required",
                              "a licence needs the company it is for");
        }
    }

    /* a person's own registration: the same answer whatever exists */
    if (in->role < 0) {
        rc = hd_auth_register_self(&txn, portal, in, licence, held, hash,
                                   now, err);
        *id = 0;

        if (rc != HD_OK) {
            hd_txn_abort(&txn);
            return rc;
        }

        return hd_txn_commit(&txn, err);
    }

    created = 0;

    /*
     * A contact account (made when the person wrote by e-mail) is claimed
     * by registering with its address: the tickets stay with it. Its
     * tickets are somebody's mail, so the address is proven first: the
     * account is made when the link sent to it is opened (*id 0 till
     * then). An operator (the CLI) vouches for the address itself.
     */
    if (hd_account_find_email(&txn, in->email.data, in->email.len, &existing)
        == HD_OK
        && existing.state == HD_ACCOUNT_CONTACT)
    {
        *id = in->role < 0 ? 0 : existing.id;

        rc = in->role < 0
             ? hd_auth_claim_link(&txn, portal, &existing, in, hash, now, err)
             : hd_auth_claim_contact(&txn, existing.id, in, hash, now, err);

    } else {
        rc = hd_account_create(&txn, in, hash, now, id, err);
        created = 1;
    }

    /* an operator (the CLI gives the role) vouches for the address; a
       person's own is proven by the link sent now (the account works
       meanwhile), a contact's by the link its claim sent */
    if (rc == HD_OK && in->role >= 0) {
        rc = hd_account_email_confirmed(&txn, *id, now, err);

    } else if (rc == HD_OK && *id != 0) {
        rc = hd_auth_confirm_link(&txn, portal, *id, now, err);
    }

    /* the licence: a company of the new account's, the certificate its */
    if (rc == HD_OK && licence != NULL) {
        if (held) {
            licence->outcome = HD_LICENCE_CONFLICT;

        } else if (!created || *id == 0) {
            licence->outcome = HD_LICENCE_LATER;

        } else {
            int              already;
            hd_cert_claim_t  claim;

            rc = hd_company_make(&txn, *id, &licence->company, now,
                                 &licence->company_id, err);

            if (rc == HD_OK) {
                memset(&claim, 0, sizeof(claim));
                claim.number = licence->number;
                claim.code = licence->code;
                claim.holder_kind = HD_HOLDER_COMPANY;
                claim.holder = licence->company_id;
                claim.account = *id;

                rc = hd_cert_register(&txn, &claim, hd_date_today(now), now,
                                      &cert, &already, err);
            }

            if (rc == HD_OK) {
                licence->outcome = HD_LICENCE_REGISTERED;
                licence->certificate = cert.id;
            }
        }
    }

    if (rc == HD_CONFLICT && created) {
        /* hd_account_create wrote nothing before it said so */
        hd_errors_add(errors, err->field, err->code);
        *id = 0;

        return hd_auth_probe_count(&txn, portal, client, now, err);
    }

    if (rc != HD_OK) {
        hd_txn_abort(&txn);

        if (rc == HD_CONFLICT) {
            hd_errors_add(errors, err->field, err->code);
        }

        return rc;
    }

    return hd_txn_commit(&txn, err);
}


/* what a pending claim keeps: its fields, \x1f between (none has one) */
#define HD_CLAIM_SEP  '\x1f'


static hd_rc
hd_auth_claim_link(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_account_t *contact, const hd_account_input_t *in,
    const char *hash, uint64_t now, hd_err_t *err)
{
    char           token[HD_TOKEN_TEXT_LEN + 1], lang[4];
    size_t         len;
    hd_rc          rc;
    hd_val_t      *view;
    hd_uchar      *p;
    hd_token_t     t;
    hd_arena_t    *arena;
    hd_account_t   other, *to;

    /* the login is asked for now, and again when the link is opened */
    if (hd_account_find(txn, in->login.data, in->login.len, &other) == HD_OK)
    {
        return hd_err_set(err, HD_CONFLICT, "login", "login_taken",
                          "the login is taken");
    }

    arena = hd_arena_create(4096);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    snprintf(lang, sizeof(lang), "%d", in->language);
    len = in->login.len + in->name.len + in->phone.len + in->organisation.len
          + strlen(lang) + strlen(hash) + 6;     /* 5 separators, a NUL */

    p = hd_palloc(&arena->pool, len);
    to = hd_account_copy(&arena->pool, contact);

    if (p == NULL || to == NULL) {
        hd_arena_destroy(arena);
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    memset(&t, 0, sizeof(t));
    t.kind = HD_TOKEN_CLAIM;
    t.account = contact->id;
    t.created = now;
    t.expires = now + HD_EMAIL_CONFIRM_TTL;
    t.data.data = p;
    t.data.len = snprintf((char *) p, len, "%.*s%c%.*s%c%.*s%c%.*s%c%s%c%s",
                          (int) in->login.len, in->login.data, HD_CLAIM_SEP,
                          (int) in->name.len, in->name.data, HD_CLAIM_SEP,
                          (int) in->phone.len, in->phone.data, HD_CLAIM_SEP,
                          (int) in->organisation.len, in->organisation.data,
                          HD_CLAIM_SEP, lang, HD_CLAIM_SEP, hash);

    /* the latest registration is the one the link finishes */
    rc = hd_token_drop_account(txn, HD_TOKEN_CLAIM, contact->id, err);

    if (rc == HD_OK) {
        rc = hd_token_create(txn, &t, token, err);
    }

    if (rc == HD_OK) {
        view = hd_val_map(&arena->pool);
        hd_val_set(&arena->pool, view, "link",
                   hd_notify_link(&arena->pool, portal,
                                  "email/confirm?token=", token));
        hd_val_set_str(&arena->pool, view, "email", contact->email.data,
                       contact->email.len);
        hd_val_set_str(&arena->pool, view, "login", in->login.data,
                       in->login.len);

        /* to the person registering, in their words: they chose a name */
        to->name = in->name;
        to->language = in->language >= 0 ? in->language : to->language;

        rc = hd_notify_account(txn, portal, "account_claim", to, NULL, view,
                               &arena->pool, now, err);
    }

    hd_arena_destroy(arena);

    return rc;
}


/* a pending claim's link opened: the contact becomes the account */
hd_rc
hd_auth_claim_finish(hd_txn_t *txn, const hd_token_t *t, uint64_t now,
    hd_err_t *err)
{
    int                  i;
    char                 hash[HD_PASSWORD_HASH_SIZE], lang[8];
    hd_uchar            *p, *end, *f[6];
    size_t               n[6];
    hd_account_t         a;
    hd_account_input_t   in;

    if (hd_account_get(txn, t->account, &a) != HD_OK
        || a.state != HD_ACCOUNT_CONTACT)
    {
        return hd_err_set(err, HD_NOT_FOUND, "token", "token_invalid",
                          "the link is invalid or expired");
    }

    p = t->data.data;
    end = p + t->data.len;

    for (i = 0; i < 6; i++) {
        f[i] = p;

        while (p < end && *p != (hd_uchar) HD_CLAIM_SEP) {
            p++;
        }

        n[i] = p - f[i];

        if (i < 5 && p == end) {
            return hd_err_set(err, HD_CORRUPT, NULL, "internal",
                              "a claim's data is cut");
        }

        p++;
    }

    if (n[5] >= sizeof(hash) || n[4] >= sizeof(lang)) {
        return hd_err_set(err, HD_CORRUPT, NULL, "internal",
                          "a claim's data is too long");
    }

    memcpy(hash, f[5], n[5]);
    hash[n[5]] = '\0';
    memcpy(lang, f[4], n[4]);
    lang[n[4]] = '\0';

    hd_account_input_init(&in);
    in.login.data = f[0];
    in.login.len = n[0];
    in.name.data = f[1];
    in.name.len = n[1];
    in.phone.data = f[2];
    in.phone.len = n[2];
    in.organisation.data = f[3];
    in.organisation.len = n[3];
    in.language = atoi(lang);

    return hd_auth_claim_contact(txn, t->account, &in, hash, now, err);
}


static hd_rc
hd_auth_claim_contact(hd_txn_t *txn, uint64_t id,
    const hd_account_input_t *in, const char *hash, uint64_t now,
    hd_err_t *err)
{
    hd_rc               rc;
    hd_account_input_t  update;

    rc = hd_account_set_login(txn, id, &in->login, now, err);
    if (rc != HD_OK) {
        return rc;
    }

    update = *in;
    update.email.data = NULL;
    update.login.data = NULL;

    rc = hd_account_update(txn, id, &update, now, err);
    if (rc != HD_OK) {
        return rc;
    }

    return hd_account_set_password(txn, id, hash, now, err);
}


/* --- a person's own registration: proven before it is made ---------------- */

/* what a registration's link keeps: these fields, \x1f between */
enum {
    HD_REG_EMAIL = 0, HD_REG_LOGIN, HD_REG_NAME, HD_REG_PHONE, HD_REG_ORG,
    HD_REG_LANG, HD_REG_HASH, HD_REG_LICENCE, HD_REG_CODE, HD_REG_COMPANY,
    HD_REG_FIELDS
};


/* whether the address may get one more registration's mail now; key */
static int
hd_auth_register_may_mail(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_account_input_t *in, uint64_t now,
    char key[HD_EMAIL_MAX_BYTES + 32])
{
    size_t    n, len;
    uint64_t  retry;

    n = snprintf(key, HD_EMAIL_MAX_BYTES + 32, "mail:register:");
    len = in->email.len < HD_EMAIL_MAX_BYTES + 32 - n - 1
          ? in->email.len : HD_EMAIL_MAX_BYTES + 32 - n - 1;
    hd_text_lower_into((hd_uchar *) key + n, in->email.data, len);
    key[n + len] = '\0';

    return hd_ratelimit_check(txn, key, &portal->mail_limit, now, &retry)
           != HD_RATE_LIMITED;
}


/*
 * Mail to the address a registration gave, at most mail_limit of them an
 * address (a prober cannot flood somebody's mailbox): kind, with the view;
 * to: the account the address is, else the address in the registration's
 * language
 */
static hd_rc
hd_auth_register_mail(hd_txn_t *txn, const hd_portal_t *portal,
    const char *kind, const hd_account_t *to, const hd_account_input_t *in,
    hd_val_t *view, hd_pool_t *pool, uint64_t now, hd_err_t *err)
{
    char         key[HD_EMAIL_MAX_BYTES + 32];
    hd_rc        rc;
    hd_notice_t  n;

    if (!hd_auth_register_may_mail(txn, portal, in, now, key)) {
        return HD_OK;
    }

    /* an address without account: to the name the registration gave */
    memset(&n, 0, sizeof(n));
    n.kind = kind;
    n.to = to;
    n.address = to != NULL ? NULL : &in->email;
    n.name = to != NULL ? NULL : &in->name;
    n.lang = in->language >= 0 ? (hd_lang_e) in->language : HD_LANG_RU;

    rc = hd_notify(txn, portal, &n, view, pool, now, err);

    return rc == HD_OK ? hd_ratelimit_hit(txn, key, &portal->mail_limit, now,
                                          err)
                       : rc;
}


static hd_rc
hd_auth_register_self(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_account_input_t *in, hd_licence_t *licence, int held,
    const char *hash, uint64_t now, hd_err_t *err)
{
    char           token[HD_TOKEN_TEXT_LEN + 1], lang[8];
    char           key[HD_EMAIL_MAX_BYTES + 32];
    hd_rc          rc;
    size_t         len;
    hd_uchar      *p;
    hd_val_t      *view;
    hd_token_t     t;
    hd_arena_t    *arena;
    hd_account_t   existing, other, *to;
    hd_pool_t     *pool;
    int            by_email, by_login;

    arena = hd_arena_create(4096);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    pool = &arena->pool;
    view = hd_val_map(pool);

    by_email = hd_account_find_email(txn, in->email.data, in->email.len,
                                     &existing) == HD_OK;
    by_login = hd_account_find(txn, in->login.data, in->login.len, &other)
               == HD_OK
               && !(by_email && other.id == existing.id);
    to = by_email ? hd_account_copy(pool, &existing) : NULL;

    if (view == NULL || (by_email && to == NULL)) {
        hd_arena_destroy(arena);
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    hd_val_set_str(pool, view, "email", in->email.data, in->email.len);
    hd_val_set_str(pool, view, "login", in->login.data, in->login.len);
    hd_val_set_str(pool, view, "name", in->name.data, in->name.len);

    if (licence != NULL) {
        licence->outcome = held ? HD_LICENCE_CONFLICT : HD_LICENCE_LATER;
    }

    if (by_email && existing.state != HD_ACCOUNT_CONTACT) {
        /* the address has an account: its owner is told how to get in */
        hd_val_set(pool, view, "login_link",
                   hd_notify_link(pool, portal, "login", ""));
        hd_val_set(pool, view, "reset_link",
                   hd_notify_link(pool, portal, "password/forgot", ""));
        rc = hd_auth_register_mail(txn, portal, "account_exists", to, in,
                                   view, pool, now, err);

    } else if (by_login) {
        /* somebody has the login: the address is asked to choose another */
        hd_val_set(pool, view, "register_link",
                   hd_notify_link(pool, portal, "register", ""));
        rc = hd_auth_register_mail(txn, portal, "register_login_taken", to,
                                   in, view, pool, now, err);

    } else if (by_email) {
        /* a contact's address: its link takes the contact over */
        rc = hd_auth_claim_link(txn, portal, &existing, in, hash, now, err);

    } else if (!hd_auth_register_may_mail(txn, portal, in, now, key)) {
        /* enough links went to the address this hour: none is made */
        rc = HD_OK;

    } else {
        snprintf(lang, sizeof(lang), "%d", in->language);
        len = in->email.len + in->login.len + in->name.len + in->phone.len
              + in->organisation.len + strlen(lang) + strlen(hash)
              + (licence ? licence->number.len + licence->code.len
                           + licence->company.len : 0)
              + HD_REG_FIELDS + 1;

        p = hd_palloc(pool, len);
        if (p == NULL) {
            hd_arena_destroy(arena);
            return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
        }

        memset(&t, 0, sizeof(t));
        t.kind = HD_TOKEN_REGISTER;
        t.created = now;
        t.expires = now + HD_EMAIL_CONFIRM_TTL;
        t.data.data = p;
        t.data.len = snprintf((char *) p, len,
                              "%.*s\x1f%.*s\x1f%.*s\x1f%.*s\x1f%.*s\x1f%s\x1f%s"
                              "\x1f%.*s\x1f%.*s\x1f%.*s",
                              (int) in->email.len, in->email.data,
                              (int) in->login.len, in->login.data,
                              (int) in->name.len, in->name.data,
                              (int) in->phone.len, in->phone.data,
                              (int) in->organisation.len,
                              in->organisation.data, lang, hash,
                              (int) (licence && !held ? licence->number.len
                                                      : 0),
                              licence ? licence->number.data : p,
                              (int) (licence && !held ? licence->code.len : 0),
                              licence ? licence->code.data : p,
                              (int) (licence && !held ? licence->company.len
                                                      : 0),
                              licence ? licence->company.data : p);

        rc = hd_token_create(txn, &t, token, err);

        if (rc == HD_OK) {
            hd_val_set(pool, view, "link",
                       hd_notify_link(pool, portal, "email/confirm?token=",
                                      token));
            rc = hd_auth_register_mail(txn, portal, "account_confirm", NULL,
                                       in, view, pool, now, err);
        }
    }

    hd_arena_destroy(arena);

    return rc;
}


/* the fields of a registration's link; 0 when they are not all there */
static int
hd_auth_register_fields(const hd_str_t *data, hd_str_t *f)
{
    size_t           i;
    const hd_uchar  *p, *end, *start;

    p = data->data;
    end = p + data->len;

    for (i = 0; i < HD_REG_FIELDS; i++) {
        start = p;

        while (p < end && *p != 0x1f) {
            p++;
        }

        f[i].data = (hd_uchar *) start;
        f[i].len = p - start;

        if (p == end && i < HD_REG_FIELDS - 1) {
            return 0;
        }

        p++;
    }

    return 1;
}


hd_rc
hd_auth_register_confirm(const hd_portal_t *portal, const hd_str_t *token,
    uint64_t now, uint64_t *id, uint64_t *company, hd_err_t *err)
{
    int                  already;
    char                 hash[HD_PASSWORD_HASH_SIZE], lang[8];
    hd_rc                rc;
    hd_str_t             f[HD_REG_FIELDS];
    hd_txn_t             txn;
    hd_token_t           t;
    hd_arena_t          *arena;
    hd_errors_t          errors;
    hd_account_t         a;
    hd_licence_t         l;
    hd_cert_claim_t      claim;
    hd_certificate_t     cert;
    hd_account_input_t   in;

    *id = 0;
    *company = 0;

    arena = hd_arena_create(1024);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        hd_arena_destroy(arena);
        return rc;
    }

    rc = hd_token_take(&txn, HD_TOKEN_REGISTER, token->data, token->len, now,
                       &arena->pool, &t, err);

    if (rc == HD_OK && (!hd_auth_register_fields(&t.data, f)
                        || f[HD_REG_HASH].len >= sizeof(hash)
                        || f[HD_REG_LANG].len >= sizeof(lang)))
    {
        rc = hd_err_set(err, HD_CORRUPT, NULL, "internal",
                        "a registration's link keeps too little");
    }

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        hd_arena_destroy(arena);
        return rc;
    }

    memcpy(hash, f[HD_REG_HASH].data, f[HD_REG_HASH].len);
    hash[f[HD_REG_HASH].len] = '\0';
    memcpy(lang, f[HD_REG_LANG].data, f[HD_REG_LANG].len);
    lang[f[HD_REG_LANG].len] = '\0';

    hd_account_input_init(&in);
    in.email = f[HD_REG_EMAIL];
    in.login = f[HD_REG_LOGIN];
    in.name = f[HD_REG_NAME];
    in.phone = f[HD_REG_PHONE];
    in.organisation = f[HD_REG_ORG];
    in.language = atoi(lang);

    /* taken meanwhile (two links, or the operator): said, nothing made */
    if (hd_account_find_email(&txn, in.email.data, in.email.len, &a)
        == HD_OK)
    {
        rc = hd_err_set(err, HD_CONFLICT, "email", "email_taken",
                        "the address has an account now");

    } else {
        rc = hd_account_create(&txn, &in, hash, now, id, err);
    }

    if (rc == HD_OK) {
        rc = hd_account_email_confirmed(&txn, *id, now, err);
    }

    /* the licence, if it is still free: the company of the new account */
    if (rc == HD_OK && f[HD_REG_LICENCE].len) {
        int  held = 0;

        memset(&l, 0, sizeof(l));
        l.number = f[HD_REG_LICENCE];
        l.code = f[HD_REG_CODE];
        l.company = f[HD_REG_COMPANY];
        memset(&errors, 0, sizeof(errors));

        if (hd_auth_licence_check(&txn, &l, now, &cert, &held, &errors, err)
            == HD_OK
            && !held && l.company.len)
        {
            rc = hd_company_make(&txn, *id, &l.company, now, company, err);

            if (rc == HD_OK) {
                memset(&claim, 0, sizeof(claim));
                claim.number = l.number;
                claim.code = l.code;
                claim.holder_kind = HD_HOLDER_COMPANY;
                claim.holder = *company;
                claim.account = *id;

                rc = hd_cert_register(&txn, &claim, hd_date_today(now), now,
                                      &cert, &already, err);
            }
        }
    }

    hd_arena_destroy(arena);

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        *id = 0;
        *company = 0;
        return rc == HD_NOT_FOUND ? HD_CONFLICT : rc;
    }

    return hd_txn_commit(&txn, err);
}

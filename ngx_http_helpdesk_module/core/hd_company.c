/*
 * Companies: the records, memberships (indexed by company; the account
 * names its company), the flows with their permission checks, and the
 * integrity check.
 */

#include <stdio.h>
#include <stdlib.h>

#include "hd_certificate.h"
#include "hd_company.h"
#include "hd_notify.h"
#include "hd_ratelimit.h"
#include "hd_store.h"
#include "hd_text.h"
#include "hd_token.h"
#include "hd_validate.h"


static const hd_field_t  hd_company_fields[] = {
    hd_field(hd_company_t, 1, HD_FIELD_U64, id),
    hd_field(hd_company_t, 2, HD_FIELD_STR, name),
    hd_field(hd_company_t, 3, HD_FIELD_U64, owner),
    hd_field(hd_company_t, 4, HD_FIELD_U64, created),
};

const hd_record_desc_t  hd_company_desc = hd_record(HD_KIND_COMPANY, 1,
                                                    hd_company_t,
                                                    hd_company_fields);

static const hd_field_t  hd_member_fields[] = {
    hd_field(hd_member_t, 1, HD_FIELD_U64, company),
    hd_field(hd_member_t, 2, HD_FIELD_U64, account),
    hd_field(hd_member_t, 3, HD_FIELD_U8, role),
    hd_field(hd_member_t, 4, HD_FIELD_U8, rights),
    hd_field(hd_member_t, 5, HD_FIELD_U64, joined),
};

const hd_record_desc_t  hd_member_desc = hd_record(HD_KIND_MEMBER, 1,
                                                   hd_member_t,
                                                   hd_member_fields);

const char  *hd_member_role_names[HD_MEMBER_ROLE_COUNT] = {
    "member", "admin", "owner"
};


/* invitations sent by one company in a day */
static const hd_limit_t  hd_invitation_limit = { 50, 24 * 3600 };


static void
hd_member_key(hd_uchar key[16], uint64_t company, uint64_t account)
{
    hd_be64_put(key, company);
    hd_be64_put(key + 8, account);
}


int
hd_member_role_from_name(const hd_uchar *name, size_t len)
{
    int  i;

    for (i = 0; i < HD_MEMBER_OWNER; i++) {
        if (strlen(hd_member_role_names[i]) == len
            && memcmp(hd_member_role_names[i], name, len) == 0)
        {
            return i;
        }
    }

    return -1;
}


hd_rc
hd_company_get(hd_txn_t *txn, uint64_t id, hd_company_t *c)
{
    hd_uchar  key[8];

    hd_be64_put(key, id);

    return hd_record_get(txn, HD_DB_COMPANIES, key, 8, &hd_company_desc, c);
}


hd_rc
hd_company_member(hd_txn_t *txn, uint64_t company, uint64_t account,
    hd_member_t *m)
{
    hd_uchar  key[16];

    hd_member_key(key, company, account);

    return hd_record_get(txn, HD_DB_COMPANY_MEMBERS, key, 16,
                         &hd_member_desc, m);
}


static hd_rc
hd_company_put_member(hd_txn_t *txn, const hd_member_t *m, hd_err_t *err)
{
    hd_uchar  key[16];

    hd_member_key(key, m->company, m->account);

    return hd_record_put(txn, HD_DB_COMPANY_MEMBERS, key, 16, &hd_member_desc,
                         m, 0, err);
}


/* the account's company field, which says where it belongs */
static hd_rc
hd_company_set_account(hd_txn_t *txn, uint64_t account, uint64_t company,
    uint64_t now, hd_err_t *err)
{
    hd_account_input_t  in;

    hd_account_input_init(&in);
    in.company = (int64_t) company;

    return hd_account_update(txn, account, &in, now, err);
}


static int
hd_member_cmp(const void *one, const void *two)
{
    int                      rc;
    size_t                   n;
    const hd_member_info_t  *a = one, *b = two;

    if (a->member.role != b->member.role) {
        return (int) b->member.role - (int) a->member.role;
    }

    n = a->name.len < b->name.len ? a->name.len : b->name.len;
    rc = memcmp(a->name.data, b->name.data, n);

    return rc ? rc : (a->name.len > b->name.len) - (a->name.len < b->name.len);
}


hd_rc
hd_company_members(hd_txn_t *txn, uint64_t company, hd_pool_t *pool,
    hd_member_info_t **list, size_t *n)
{
    hd_rc              rc;
    size_t             count = 0, cap = 0;
    hd_str_t           k, v;
    hd_uchar           prefix[8];
    hd_cursor_t        cur;
    hd_account_t       a;
    hd_member_info_t  *items = NULL, *grown;

    *list = NULL;
    *n = 0;

    hd_be64_put(prefix, company);

    rc = hd_cursor_open(txn, HD_DB_COMPANY_MEMBERS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, prefix, 8, &k, &v);
         rc == HD_OK && k.len == 16 && memcmp(k.data, prefix, 8) == 0;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (count == cap) {
            cap = cap ? 2 * cap : 16;
            grown = hd_palloc(pool, cap * sizeof(hd_member_info_t));
            if (grown == NULL) {
                hd_cursor_close(&cur);
                return HD_NOMEM;
            }

            if (count) {
                memcpy(grown, items, count * sizeof(hd_member_info_t));
            }

            items = grown;
        }

        if (hd_record_decode(&hd_member_desc, v.data, v.len,
                             &items[count].member) != HD_OK
            || hd_account_get(txn, items[count].member.account, &a) != HD_OK)
        {
            continue;
        }

        items[count].name.data = hd_pstrdup(pool, a.name.data, a.name.len);
        items[count].name.len = a.name.len;
        items[count].email.data = hd_pstrdup(pool, a.email.data, a.email.len);
        items[count].email.len = a.email.len;
        items[count].login.data = hd_pstrdup(pool, a.login.data, a.login.len);
        items[count].login.len = a.login.len;
        count++;
    }

    hd_cursor_close(&cur);

    if (count > 1) {
        qsort(items, count, sizeof(hd_member_info_t), hd_member_cmp);
    }

    *list = items;
    *n = count;

    return HD_OK;
}


/* the acting account, its company and its membership, with a role */
static hd_rc
hd_company_actor(hd_txn_t *txn, uint64_t actor, hd_member_role_e least,
    hd_company_t *company, hd_member_t *m, hd_err_t *err)
{
    hd_account_t  a;

    if (hd_account_get(txn, actor, &a) != HD_OK || a.company == 0
        || hd_company_get(txn, a.company, company) != HD_OK
        || hd_company_member(txn, a.company, actor, m) != HD_OK)
    {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "no_company",
                          "the account is in no company");
    }

    if (m->role < least) {
        return hd_err_set(err, HD_FORBIDDEN, NULL,
                          least == HD_MEMBER_OWNER ? "only_owner"
                                                   : "not_company_admin",
                          "the company's %s may do this",
                          least == HD_MEMBER_OWNER ? "owner" : "admins");
    }

    return HD_OK;
}


/*
 * A mail to the company's admins (and owner) but one, e.g. about a member
 * who came or went; view gets company and member
 */
static hd_rc
hd_company_tell_admins(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_company_t *company, uint64_t except, const char *name,
    const hd_account_t *subject, hd_pool_t *pool, uint64_t now,
    hd_err_t *err)
{
    hd_rc              rc;
    size_t             i, n;
    hd_val_t          *view;
    hd_account_t       a, *to;
    hd_member_info_t  *members;

    rc = hd_company_members(txn, company->id, pool, &members, &n);
    if (rc != HD_OK) {
        return rc;
    }

    for (i = 0; i < n; i++) {
        if (members[i].member.role < HD_MEMBER_ADMIN
            || members[i].member.account == except
            || hd_account_get(txn, members[i].member.account, &a) != HD_OK)
        {
            continue;
        }

        to = hd_account_copy(pool, &a);
        view = hd_val_map(pool);

        if (to == NULL || view == NULL) {
            return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
        }

        hd_val_set_str(pool, view, "company", company->name.data,
                       company->name.len);
        hd_val_set_str(pool, view, "member_name", subject->name.data,
                       subject->name.len);
        hd_val_set_str(pool, view, "member_email", subject->email.data,
                       subject->email.len);

        rc = hd_notify_account(txn, portal, name, to, NULL, view, pool, now,
                               err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    return HD_OK;
}


static hd_rc
hd_company_finish(hd_txn_t *txn, hd_rc rc, hd_err_t *err)
{
    if (rc != HD_OK) {
        hd_txn_abort(txn);
        return rc;
    }

    return hd_txn_commit(txn, err);
}


hd_rc
hd_company_create(const hd_portal_t *portal, uint64_t account,
    const hd_str_t *name, uint64_t now, uint64_t *id, hd_errors_t *errors,
    hd_err_t *err)
{
    hd_rc     rc;
    hd_txn_t  txn;

    hd_errors_text(errors, "name", name, HD_COMPANY_NAME_MAX, "name_required",
                   "name_invalid", "name_too_long");

    if (errors->n) {
        return hd_err_set(err, HD_INVALID, errors->item[0].field,
                          errors->item[0].code, "bad company name");
    }

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_company_make(&txn, account, name, now, id, err);

    return hd_company_finish(&txn, rc, err);
}


hd_rc
hd_company_make(hd_txn_t *txn, uint64_t account, const hd_str_t *name,
    uint64_t now, uint64_t *id, hd_err_t *err)
{
    hd_rc          rc;
    hd_uchar       key[8];
    hd_member_t    m;
    hd_account_t   a;
    hd_company_t   c;

    if (hd_account_get(txn, account, &a) != HD_OK) {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found", "no account");
    }

    if (a.company != 0) {
        return hd_err_set(err, HD_CONFLICT, NULL, "already_in_company",
                          "the account is in a company already");
    }

    memset(&c, 0, sizeof(c));
    c.name = *name;
    c.owner = account;
    c.created = now;

    rc = hd_seq_next(txn, "companies", &c.id, err);

    if (rc == HD_OK) {
        hd_be64_put(key, c.id);
        rc = hd_record_put(txn, HD_DB_COMPANIES, key, 8, &hd_company_desc, &c,
                           HD_PUT_NEW, err);
    }

    if (rc == HD_OK) {
        memset(&m, 0, sizeof(m));
        m.company = c.id;
        m.account = account;
        m.role = HD_MEMBER_OWNER;
        m.rights = HD_RIGHT_SEES_TICKETS;
        m.joined = now;

        rc = hd_company_put_member(txn, &m, err);
    }

    if (rc == HD_OK) {
        rc = hd_company_set_account(txn, account, c.id, now, err);
    }

    *id = c.id;

    return rc;
}


hd_rc
hd_company_invite(const hd_portal_t *portal, uint64_t actor,
    const hd_str_t *email, uint64_t now, hd_errors_t *errors, hd_err_t *err)
{
    char                key[64], token[HD_TOKEN_TEXT_LEN + 1];
    hd_rc               rc;
    uint64_t            retry;
    hd_txn_t            txn;
    hd_val_t           *view;
    hd_token_t          t;
    hd_lang_e           lang;
    hd_arena_t         *arena;
    hd_member_t         m;
    hd_account_t        a, invitee;
    hd_company_t        c;
    hd_account_input_t  in;

    hd_account_input_init(&in);
    in.email = *email;
    hd_account_validate(&in, 0, errors);

    if (errors->n) {
        return hd_err_set(err, HD_INVALID, "email", errors->item[0].code,
                          "bad address");
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

    rc = hd_company_actor(&txn, actor, HD_MEMBER_ADMIN, &c, &m, err);

    if (rc == HD_OK) {
        snprintf(key, sizeof(key), "invite:company:%llu",
                 (unsigned long long) c.id);

        if (hd_ratelimit_check(&txn, key, &hd_invitation_limit, now, &retry)
            == HD_RATE_LIMITED)
        {
            rc = hd_err_set(err, HD_RATE_LIMITED, NULL, "too_many_requests",
                            "too many invitations");
        }
    }

    /* in the invitee's language if they have an account, else ours */
    lang = HD_LANG_RU;
    view = hd_val_map(&arena->pool);

    if (rc == HD_OK && hd_account_get(&txn, actor, &a) == HD_OK) {
        lang = a.language < HD_LANG_COUNT ? a.language : HD_LANG_RU;
        hd_val_set_str(&arena->pool, view, "inviter",
                       hd_pstrdup(&arena->pool, a.name.data, a.name.len),
                       a.name.len);
    }

    if (rc == HD_OK
        && hd_account_find_email(&txn, email->data, email->len, &invitee)
           == HD_OK)
    {
        if (invitee.company == c.id) {
            hd_errors_add(errors, "email", "already_member");
            rc = hd_err_set(err, HD_CONFLICT, "email", "already_member",
                            "already a member");

        } else {
            lang = invitee.language < HD_LANG_COUNT ? invitee.language
                                                     : lang;
        }
    }

    if (rc == HD_OK) {
        memset(&t, 0, sizeof(t));
        t.kind = HD_TOKEN_INVITATION;
        t.account = actor;
        t.ref = c.id;
        t.created = now;
        t.expires = now + HD_INVITATION_TTL;
        t.data = *email;

        rc = hd_token_create(&txn, &t, token, err);
    }

    if (rc == HD_OK) {
        hd_val_set_str(&arena->pool, view, "company",
                       hd_pstrdup(&arena->pool, c.name.data, c.name.len),
                       c.name.len);
        hd_val_set(&arena->pool, view, "link",
                   hd_notify_link(&arena->pool, portal, "company/join?token=",
                                  token));
        hd_val_set_str(&arena->pool, view, "email", email->data, email->len);

        rc = hd_notify_address(&txn, portal, "company_invitation", email,
                               lang, view, &arena->pool, now, err);
    }

    if (rc == HD_OK) {
        rc = hd_ratelimit_hit(&txn, key, &hd_invitation_limit, now, err);
    }

    hd_arena_destroy(arena);

    return hd_company_finish(&txn, rc, err);
}


hd_rc
hd_company_invitation(const hd_portal_t *portal, const hd_str_t *token,
    uint64_t now, hd_pool_t *pool, hd_company_t *company, hd_str_t *email)
{
    hd_rc       rc;
    hd_txn_t    txn;
    hd_token_t  t;

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_READ, NULL);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_token_peek(&txn, HD_TOKEN_INVITATION, token->data, token->len,
                       now, pool, &t);

    if (rc == HD_OK) {
        rc = hd_company_get(&txn, t.ref, company);
    }

    if (rc == HD_OK) {
        company->name.data = hd_pstrdup(pool, company->name.data,
                                        company->name.len);
        *email = t.data;
    }

    hd_txn_abort(&txn);

    return rc;
}


hd_rc
hd_company_join(const hd_portal_t *portal, const hd_str_t *token,
    uint64_t account, uint64_t now, uint64_t *company, hd_err_t *err)
{
    hd_rc          rc;
    hd_txn_t       txn;
    hd_token_t     t;
    hd_arena_t    *arena;
    hd_member_t    m;
    hd_account_t   a, *joiner;
    hd_company_t   c;

    arena = hd_arena_create(4096);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        hd_arena_destroy(arena);
        return rc;
    }

    joiner = NULL;

    if (hd_token_peek(&txn, HD_TOKEN_INVITATION, token->data, token->len, now,
                      &arena->pool, &t)
        != HD_OK
        || hd_company_get(&txn, t.ref, &c) != HD_OK)
    {
        rc = hd_err_set(err, HD_NOT_FOUND, "token", "token_invalid",
                        "the invitation is invalid or expired");

    } else if (hd_account_get(&txn, account, &a) != HD_OK
               || (joiner = hd_account_copy(&arena->pool, &a)) == NULL)
    {
        rc = hd_err_set(err, HD_NOT_FOUND, NULL, "not_found", "no account");

    } else if (!hd_text_equal_nocase(joiner->email.data, joiner->email.len,
                                     t.data.data, t.data.len))
    {
        /* the invitation is for a mailbox: a forwarded link is not enough */
        rc = hd_err_set(err, HD_FORBIDDEN, "token",
                        "invitation_other_address",
                        "the invitation is for another address");

    } else if (joiner->company != 0 && joiner->company != c.id) {
        rc = hd_err_set(err, HD_CONFLICT, NULL, "already_in_company",
                        "the account is in another company");

    } else {
        c.name.data = hd_pstrdup(&arena->pool, c.name.data, c.name.len);

        rc = hd_token_take(&txn, HD_TOKEN_INVITATION, token->data,
                           token->len, now, &arena->pool, &t, err);

        if (rc == HD_OK && joiner->company != c.id) {
            memset(&m, 0, sizeof(m));
            m.company = c.id;
            m.account = account;
            m.role = HD_MEMBER;
            m.joined = now;

            rc = hd_company_put_member(&txn, &m, err);

            if (rc == HD_OK) {
                rc = hd_company_set_account(&txn, account, c.id, now, err);
            }

            if (rc == HD_OK) {
                rc = hd_company_tell_admins(&txn, portal, &c, account,
                                            "company_member_added", joiner,
                                            &arena->pool, now, err);
            }
        }

        *company = c.id;
    }

    hd_arena_destroy(arena);

    return hd_company_finish(&txn, rc, err);
}


/* the target: a member of the actor's company, or not found (404) */
static hd_rc
hd_company_target(hd_txn_t *txn, const hd_company_t *c, uint64_t target,
    hd_member_t *m, hd_err_t *err)
{
    if (hd_company_member(txn, c->id, target, m) != HD_OK) {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                          "no such member");
    }

    return HD_OK;
}


hd_rc
hd_company_set_member(const hd_portal_t *portal, uint64_t actor,
    uint64_t target, int role, int rights, uint64_t now, hd_err_t *err)
{
    hd_rc          rc;
    hd_txn_t       txn;
    hd_member_t    am, tm;
    hd_company_t   c;

    (void) now;

    if (role >= HD_MEMBER_OWNER) {
        return hd_err_set(err, HD_INVALID, "role", "role_invalid",
                          "a role is member or admin");
    }

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_company_actor(&txn, actor, HD_MEMBER_ADMIN, &c, &am, err);

    if (rc == HD_OK) {
        rc = hd_company_target(&txn, &c, target, &tm, err);
    }

    if (rc == HD_OK && tm.role == HD_MEMBER_OWNER) {
        rc = hd_err_set(err, HD_FORBIDDEN, NULL, "owner_fixed",
                        "the owner's role and rights stay");
    }

    if (rc == HD_OK) {
        if (role >= 0) {
            tm.role = (uint8_t) role;
        }

        if (rights >= 0) {
            tm.rights = (uint8_t) rights;
        }

        rc = hd_company_put_member(&txn, &tm, err);
    }

    return hd_company_finish(&txn, rc, err);
}


hd_rc
hd_company_remove_member(const hd_portal_t *portal, uint64_t actor,
    uint64_t target, uint64_t now, hd_err_t *err)
{
    hd_rc          rc;
    hd_uchar       key[16];
    hd_txn_t       txn;
    hd_val_t      *view;
    hd_arena_t    *arena;
    hd_member_t    am, tm;
    hd_account_t   a, *gone;
    hd_company_t   c;

    arena = hd_arena_create(4096);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        hd_arena_destroy(arena);
        return rc;
    }

    /* leaving needs no rights; removing another needs an admin */
    rc = hd_company_actor(&txn, actor, actor == target ? HD_MEMBER
                                                       : HD_MEMBER_ADMIN,
                          &c, &am, err);

    if (rc == HD_OK) {
        rc = hd_company_target(&txn, &c, target, &tm, err);
    }

    if (rc == HD_OK && tm.role == HD_MEMBER_OWNER) {
        rc = hd_err_set(err, HD_FORBIDDEN, NULL, "owner_stays",
                        "the owner cannot leave: delete the company");
    }

    gone = NULL;

    if (rc == HD_OK) {
        c.name.data = hd_pstrdup(&arena->pool, c.name.data, c.name.len);

        if (hd_account_get(&txn, target, &a) == HD_OK) {
            gone = hd_account_copy(&arena->pool, &a);
        }

        hd_member_key(key, c.id, target);
        rc = hd_db_del(&txn, HD_DB_COMPANY_MEMBERS, key, 16, err);
    }

    /* the account's company goes: its access to the company ends at once */
    if (rc == HD_OK) {
        rc = hd_company_set_account(&txn, target, 0, now, err);
    }

    if (rc == HD_OK && gone != NULL) {
        rc = hd_company_tell_admins(&txn, portal, &c, target,
                                    "company_member_removed", gone,
                                    &arena->pool, now, err);

        if (rc == HD_OK) {
            view = hd_val_map(&arena->pool);
            hd_val_set_str(&arena->pool, view, "company", c.name.data,
                           c.name.len);
            rc = hd_notify_account(&txn, portal, "company_left", gone, NULL,
                                   view, &arena->pool, now, err);
        }
    }

    hd_arena_destroy(arena);

    return hd_company_finish(&txn, rc, err);
}


hd_rc
hd_company_delete(const hd_portal_t *portal, uint64_t actor, uint64_t now,
    size_t *members, size_t *certificates, hd_err_t *err)
{
    hd_rc              rc;
    size_t             i, n;
    hd_uchar           key[16];
    hd_txn_t           txn;
    hd_val_t          *view;
    hd_arena_t        *arena;
    hd_member_t        am;
    hd_account_t       a, *to;
    hd_company_t       c;
    hd_member_info_t  *list;

    *members = 0;
    *certificates = 0;

    arena = hd_arena_create(4096);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        hd_arena_destroy(arena);
        return rc;
    }

    rc = hd_company_actor(&txn, actor, HD_MEMBER_OWNER, &c, &am, err);

    if (rc == HD_OK) {
        c.name.data = hd_pstrdup(&arena->pool, c.name.data, c.name.len);
        rc = hd_company_members(&txn, c.id, &arena->pool, &list, &n);
    }

    /* every member becomes an individual account, and is told */
    for (i = 0; rc == HD_OK && i < n; i++) {
        hd_member_key(key, c.id, list[i].member.account);

        rc = hd_db_del(&txn, HD_DB_COMPANY_MEMBERS, key, 16, err);

        if (rc == HD_OK) {
            rc = hd_company_set_account(&txn, list[i].member.account, 0, now,
                                        err);
        }

        if (rc == HD_OK
            && hd_account_get(&txn, list[i].member.account, &a) == HD_OK)
        {
            to = hd_account_copy(&arena->pool, &a);
            view = hd_val_map(&arena->pool);
            hd_val_set_str(&arena->pool, view, "company", c.name.data,
                           c.name.len);
            rc = to ? hd_notify_account(&txn, portal, "company_deleted", to,
                                        NULL, view, &arena->pool, now, err)
                    : HD_NOMEM;
        }
    }

    *members = rc == HD_OK ? n : 0;

    /* the company's certificates pass to the owner: nothing is lost */
    if (rc == HD_OK) {
        rc = hd_cert_transfer(&txn, HD_HOLDER_COMPANY, c.id, HD_HOLDER_ACCOUNT,
                              c.owner, certificates, err);
    }

    if (rc == HD_OK) {
        hd_be64_put(key, c.id);
        rc = hd_db_del(&txn, HD_DB_COMPANIES, key, 8, err);
    }

    hd_arena_destroy(arena);

    return hd_company_finish(&txn, rc, err);
}


/* memberships and the accounts' company fields agree; each company has
 * its owner as a member */
hd_rc
hd_company_check(hd_txn_t *txn, hd_check_t *check)
{
    hd_rc          rc;
    size_t         in_company = 0, memberships = 0;
    hd_str_t       k, v;
    hd_cursor_t    cur;
    hd_member_t    m;
    hd_account_t   a;
    hd_company_t   c;

    rc = hd_cursor_open(txn, HD_DB_COMPANY_MEMBERS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        memberships++;

        if (hd_record_decode(&hd_member_desc, v.data, v.len, &m) != HD_OK
            || hd_account_get(txn, m.account, &a) != HD_OK
            || a.company != m.company
            || hd_company_get(txn, m.company, &c) != HD_OK)
        {
            hd_check_problem(check, "company_members: a membership without "
                             "its account or company");
        }
    }

    hd_cursor_close(&cur);

    rc = hd_cursor_open(txn, HD_DB_ACCOUNTS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_account_desc, v.data, v.len, &a) == HD_OK
            && a.company != 0)
        {
            in_company++;
        }
    }

    hd_cursor_close(&cur);

    if (in_company != memberships) {
        hd_check_problem(check, "%zu accounts in companies but %zu "
                         "memberships", in_company, memberships);
    }

    rc = hd_cursor_open(txn, HD_DB_COMPANIES, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_company_desc, v.data, v.len, &c) == HD_OK
            && (hd_company_member(txn, c.id, c.owner, &m) != HD_OK
                || m.role != HD_MEMBER_OWNER))
        {
            hd_check_problem(check, "company %llu: its owner is not its "
                             "owner member", (unsigned long long) c.id);
        }
    }

    hd_cursor_close(&cur);

    return HD_OK;
}

/*
 * Accounts: the record, validation, creation with unique indexes, lookups,
 * updates, and the integrity check of the indexes.
 */

#include <stdlib.h>

#include "hd_account.h"
#include "hd_password.h"
#include "hd_store.h"
#include "hd_text.h"
#include "hd_validate.h"


static const hd_field_t  hd_account_fields[] = {
    hd_field(hd_account_t, 1, HD_FIELD_U64, id),
    hd_field(hd_account_t, 2, HD_FIELD_STR, email),
    hd_field(hd_account_t, 3, HD_FIELD_STR, login),
    hd_field(hd_account_t, 4, HD_FIELD_STR, name),
    hd_field(hd_account_t, 5, HD_FIELD_STR, phone),
    hd_field(hd_account_t, 6, HD_FIELD_STR, organisation),
    hd_field(hd_account_t, 7, HD_FIELD_STR, password),
    hd_field(hd_account_t, 8, HD_FIELD_U8, role),
    hd_field(hd_account_t, 9, HD_FIELD_U8, language),
    hd_field(hd_account_t, 10, HD_FIELD_U8, state),
    hd_field(hd_account_t, 11, HD_FIELD_U64, created),
    hd_field(hd_account_t, 12, HD_FIELD_U64, updated),
    hd_field(hd_account_t, 13, HD_FIELD_U64, company),
    hd_field(hd_account_t, 14, HD_FIELD_U32, prefs),
    hd_field(hd_account_t, 15, HD_FIELD_U64, email_confirmed),
    hd_field(hd_account_t, 16, HD_FIELD_U64, email_bounced),
    hd_field(hd_account_t, 17, HD_FIELD_STR, email_bounce),
    hd_field(hd_account_t, 18, HD_FIELD_U32, mail_mute),
    hd_field(hd_account_t, 19, HD_FIELD_U32, rights),
};

const hd_record_desc_t  hd_account_desc = hd_record(HD_KIND_ACCOUNT, 1,
                                                    hd_account_t,
                                                    hd_account_fields);

const char  *hd_role_names[HD_ROLE_COUNT] = {
    "customer", "agent", "manager", "administrator"
};


void
hd_account_input_init(hd_account_input_t *in)
{
    memset(in, 0, sizeof(hd_account_input_t));
    in->language = -1;
    in->role = -1;
    in->prefs = -1;
    in->company = -1;
    in->mail_mute = -1;
}


void
hd_errors_add(hd_errors_t *errors, const char *field, const char *code)
{
    if (errors->n < HD_ERRORS_MAX) {
        errors->item[errors->n].field = field;
        errors->item[errors->n].code = code;
        errors->n++;
    }
}


void
hd_errors_text(hd_errors_t *errors, const char *field, const hd_str_t *s,
    size_t max, const char *required, const char *invalid,
    const char *too_long)
{
    if (s->len == 0) {
        if (required) {
            hd_errors_add(errors, field, required);
        }

        return;
    }

    if (!hd_utf8_valid(s->data, s->len)
        || !hd_text_printable(s->data, s->len, 0))
    {
        hd_errors_add(errors, field, invalid);

    } else if (hd_utf8_chars(s->data, s->len) > max) {
        hd_errors_add(errors, field, too_long);
    }
}


void
hd_account_validate_password(const hd_str_t *password, const hd_str_t *login,
    const hd_str_t *email, const char *field, hd_errors_t *errors)
{
    if (password->len == 0) {
        hd_errors_add(errors, field, "password_required");

    } else if (password->len > HD_PASSWORD_MAX_BYTES) {
        hd_errors_add(errors, field, "password_too_long");

    } else if (!hd_utf8_valid(password->data, password->len)) {
        hd_errors_add(errors, field, "invalid_utf8");

    } else if (hd_utf8_chars(password->data, password->len)
               < HD_PASSWORD_MIN_CHARS)
    {
        hd_errors_add(errors, field, "password_too_short");

    } else if (login && login->len
               && hd_text_equal_nocase(password->data, password->len,
                                       login->data, login->len))
    {
        hd_errors_add(errors, field, "password_is_login");

    } else if (email && email->len
               && hd_text_equal_nocase(password->data, password->len,
                                       email->data, email->len))
    {
        hd_errors_add(errors, field, "password_is_email");
    }
}


void
hd_account_validate(const hd_account_input_t *in, int registration,
    hd_errors_t *errors)
{
    if (registration || in->email.data != NULL) {
        if (in->email.len == 0) {
            hd_errors_add(errors, "email", "email_required");

        } else if (in->email.len > HD_EMAIL_MAX_BYTES) {
            hd_errors_add(errors, "email", "email_too_long");

        } else if (!hd_format_match(HD_FORMAT_EMAIL, in->email.data,
                                    in->email.len))
        {
            hd_errors_add(errors, "email", "email_invalid");
        }
    }

    if (registration || in->login.data != NULL) {
        if (in->login.len == 0) {
            hd_errors_add(errors, "login", "login_required");

        } else if (!hd_format_match(HD_FORMAT_LOGIN, in->login.data,
                                    in->login.len))
        {
            hd_errors_add(errors, "login", "login_invalid");
        }
    }

    if (registration) {
        hd_account_validate_password(&in->password, &in->login, &in->email,
                                     "password", errors);
    }

    if (registration || in->name.data != NULL) {
        hd_errors_text(errors, "name", &in->name, HD_NAME_MAX_CHARS,
                       "name_required", "name_invalid", "name_too_long");
    }

    if (in->phone.len
        && !hd_format_match(HD_FORMAT_PHONE, in->phone.data, in->phone.len))
    {
        hd_errors_add(errors, "phone", "phone_invalid");
    }

    hd_errors_text(errors, "organisation", &in->organisation,
                   HD_ORG_MAX_CHARS, NULL, "organisation_invalid",
                   "organisation_too_long");
}


/* the key of a case-insensitive index; NULL when too long */
static hd_uchar *
hd_account_key(hd_uchar *buf, size_t size, const hd_str_t *s)
{
    if (s->len == 0 || s->len > size) {
        return NULL;
    }

    hd_text_lower_into(buf, s->data, s->len);

    return buf;
}


static hd_rc
hd_account_index_taken(hd_txn_t *txn, hd_db_e db, const hd_uchar *key,
    size_t len, uint64_t except, const char *field, const char *code,
    hd_err_t *err)
{
    hd_rc     rc;
    hd_str_t  v;

    rc = hd_db_get(txn, db, key, len, &v);

    if (rc == HD_NOT_FOUND) {
        return HD_OK;
    }

    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, "io", "index lookup failed");
    }

    if (v.len == 8 && hd_be64_get(v.data) == except) {
        return HD_OK;
    }

    return hd_err_set(err, HD_CONFLICT, field, code, "%s is taken", field);
}


hd_rc
hd_account_create(hd_txn_t *txn, const hd_account_input_t *in,
    const char *password_hash, uint64_t now, uint64_t *id, hd_err_t *err)
{
    hd_rc         rc;
    hd_uchar      email_key[HD_EMAIL_MAX_BYTES], login_key[64], idv[8];
    hd_account_t  a;

    if (hd_account_key(email_key, sizeof(email_key), &in->email) == NULL
        || (in->login.len
            && hd_account_key(login_key, sizeof(login_key), &in->login)
               == NULL))
    {
        return hd_err_set(err, HD_INVALID, "email", "email_invalid",
                          "bad e-mail or login");
    }

    /* uniqueness inside the writing transaction: two racing requests
     * are serialised by LMDB, the second sees the first's account */

    rc = hd_account_index_taken(txn, HD_DB_ACCOUNT_BY_EMAIL, email_key,
                                in->email.len, 0, "email", "email_taken",
                                err);
    if (rc != HD_OK) {
        return rc;
    }

    if (in->login.len) {
        rc = hd_account_index_taken(txn, HD_DB_ACCOUNT_BY_LOGIN, login_key,
                                    in->login.len, 0, "login", "login_taken",
                                    err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    memset(&a, 0, sizeof(a));

    rc = hd_seq_next(txn, "accounts", &a.id, err);
    if (rc != HD_OK) {
        return rc;
    }

    a.email = in->email;
    a.login = in->login;
    a.name = in->name;
    a.phone = in->phone;
    a.organisation = in->organisation;
    a.password.data = (hd_uchar *) password_hash;
    a.password.len = password_hash ? strlen(password_hash) : 0;
    a.role = in->role >= 0 ? (uint8_t) in->role : HD_ROLE_CUSTOMER;
    a.language = in->language >= 0 ? (uint8_t) in->language : HD_LANG_RU;
    a.state = a.password.len ? HD_ACCOUNT_ACTIVE : HD_ACCOUNT_CONTACT;
    a.created = now;
    a.updated = now;

    hd_be64_put(idv, a.id);

    rc = hd_record_put(txn, HD_DB_ACCOUNTS, idv, 8, &hd_account_desc, &a,
                       HD_PUT_NEW, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_db_put(txn, HD_DB_ACCOUNT_BY_EMAIL, email_key, in->email.len,
                   idv, 8, HD_PUT_NEW, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (in->login.len) {
        rc = hd_db_put(txn, HD_DB_ACCOUNT_BY_LOGIN, login_key, in->login.len,
                       idv, 8, HD_PUT_NEW, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    *id = a.id;

    return hd_account_staff_mark(txn, a.id, a.role != HD_ROLE_CUSTOMER, err);
}


/*
 * Staff accounts are listed by a mark (department 0) in the index of
 * staff and departments: the administration lists them without reading
 * every customer
 */
hd_rc
hd_account_staff_mark(hd_txn_t *txn, uint64_t id, int staff, hd_err_t *err)
{
    hd_rc     rc;
    hd_uchar  key[16];

    hd_be64_put(key, id);
    hd_be64_put(key + 8, 0);

    if (staff) {
        return hd_db_put(txn, HD_DB_STAFF_DEPARTMENTS, key, 16, "", 0, 0,
                         err);
    }

    rc = hd_db_del(txn, HD_DB_STAFF_DEPARTMENTS, key, 16, err);

    return rc == HD_NOT_FOUND ? HD_OK : rc;
}


hd_rc
hd_account_get(hd_txn_t *txn, uint64_t id, hd_account_t *account)
{
    hd_uchar  key[8];

    hd_be64_put(key, id);

    return hd_record_get(txn, HD_DB_ACCOUNTS, key, 8, &hd_account_desc,
                         account);
}


static hd_rc
hd_account_by_index(hd_txn_t *txn, hd_db_e db, const hd_uchar *who,
    size_t len, hd_account_t *account)
{
    hd_rc     rc;
    hd_str_t  v, s;
    hd_uchar  key[HD_EMAIL_MAX_BYTES];

    s.data = (hd_uchar *) who;
    s.len = len;

    if (hd_account_key(key, sizeof(key), &s) == NULL) {
        return HD_NOT_FOUND;
    }

    rc = hd_db_get(txn, db, key, len, &v);
    if (rc != HD_OK) {
        return rc;
    }

    if (v.len != 8) {
        return HD_CORRUPT;
    }

    return hd_account_get(txn, hd_be64_get(v.data), account);
}


hd_rc
hd_account_find(hd_txn_t *txn, const hd_uchar *who, size_t len,
    hd_account_t *account)
{
    return hd_account_by_index(txn, memchr(who, '@', len)
                                    ? HD_DB_ACCOUNT_BY_EMAIL
                                    : HD_DB_ACCOUNT_BY_LOGIN,
                               who, len, account);
}


hd_rc
hd_account_find_email(hd_txn_t *txn, const hd_uchar *email, size_t len,
    hd_account_t *account)
{
    return hd_account_by_index(txn, HD_DB_ACCOUNT_BY_EMAIL, email, len,
                               account);
}


hd_rc
hd_account_put(hd_txn_t *txn, const hd_account_t *account, hd_err_t *err)
{
    hd_uchar  key[8];

    hd_be64_put(key, account->id);

    return hd_record_put(txn, HD_DB_ACCOUNTS, key, 8, &hd_account_desc,
                         account, 0, err);
}


/*
 * The record read in this transaction points into pages that the write
 * below may reuse: every update works on a copy
 */
static hd_rc
hd_account_load_copy(hd_txn_t *txn, uint64_t id, hd_account_t *a,
    hd_arena_t **arena)
{
    hd_rc          rc;
    hd_account_t   tmp, *copy;

    rc = hd_account_get(txn, id, &tmp);
    if (rc != HD_OK) {
        return rc;
    }

    *arena = hd_arena_create(1024);
    if (*arena == NULL) {
        return HD_NOMEM;
    }

    copy = hd_account_copy(&(*arena)->pool, &tmp);
    if (copy == NULL) {
        hd_arena_destroy(*arena);
        return HD_NOMEM;
    }

    *a = *copy;

    return HD_OK;
}


hd_rc
hd_account_update(hd_txn_t *txn, uint64_t id, const hd_account_input_t *in,
    uint64_t now, hd_err_t *err)
{
    hd_rc          rc;
    hd_arena_t    *arena;
    hd_account_t   a;

    rc = hd_account_load_copy(txn, id, &a, &arena);
    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, rc == HD_NOT_FOUND ? "not_found"
                                                           : "io",
                          "no account %llu", (unsigned long long) id);
    }

    if (in->name.data != NULL) {
        a.name = in->name;
    }

    if (in->phone.data != NULL) {
        a.phone = in->phone;
    }

    if (in->organisation.data != NULL) {
        a.organisation = in->organisation;
    }

    if (in->language >= 0) {
        a.language = (uint8_t) in->language;
    }

    if (in->role >= 0) {
        a.role = (uint8_t) in->role;

        rc = hd_account_staff_mark(txn, a.id, a.role != HD_ROLE_CUSTOMER,
                                   err);
        if (rc != HD_OK) {
            hd_arena_destroy(arena);
            return rc;
        }
    }

    if (in->prefs >= 0) {
        a.prefs = (uint32_t) in->prefs;
    }

    if (in->company >= 0) {
        a.company = (uint64_t) in->company;
    }

    if (in->mail_mute >= 0) {
        a.mail_mute = (uint32_t) in->mail_mute;
    }

    a.updated = now;

    rc = hd_account_put(txn, &a, err);
    hd_arena_destroy(arena);

    return rc;
}


hd_rc
hd_account_email_confirmed(hd_txn_t *txn, uint64_t id, uint64_t now,
    hd_err_t *err)
{
    hd_rc          rc;
    hd_arena_t    *arena;
    hd_account_t   a;

    rc = hd_account_load_copy(txn, id, &a, &arena);
    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, "not_found", "no account");
    }

    /* a followed link proves the mailbox takes mail again */
    a.email_confirmed = now;
    a.email_bounced = 0;
    a.email_bounce.len = 0;
    a.updated = now;

    rc = hd_account_put(txn, &a, err);
    hd_arena_destroy(arena);

    return rc;
}


hd_rc
hd_account_email_bounced(hd_txn_t *txn, uint64_t id, uint64_t bounced,
    const hd_str_t *reason, hd_err_t *err)
{
    hd_rc          rc;
    hd_arena_t    *arena;
    hd_account_t   a;

    rc = hd_account_load_copy(txn, id, &a, &arena);
    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, "not_found", "no account");
    }

    a.email_bounced = bounced;

    if (bounced) {
        a.email_bounce = *reason;

    } else {
        a.email_bounce.len = 0;
    }

    rc = hd_account_put(txn, &a, err);
    hd_arena_destroy(arena);

    return rc;
}


hd_rc
hd_account_set_state(hd_txn_t *txn, uint64_t id, unsigned state,
    uint64_t now, hd_err_t *err)
{
    hd_rc          rc;
    hd_arena_t    *arena;
    hd_account_t   a;

    rc = hd_account_load_copy(txn, id, &a, &arena);
    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, "not_found", "no account");
    }

    a.state = (uint8_t) state;
    a.updated = now;

    rc = hd_account_put(txn, &a, err);
    hd_arena_destroy(arena);

    return rc;
}


hd_rc
hd_account_set_password(hd_txn_t *txn, uint64_t id, const char *hash,
    uint64_t now, hd_err_t *err)
{
    hd_rc          rc;
    hd_arena_t    *arena;
    hd_account_t   a;

    rc = hd_account_load_copy(txn, id, &a, &arena);
    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, "not_found", "no account");
    }

    a.password.data = (hd_uchar *) hash;
    a.password.len = strlen(hash);
    a.updated = now;

    if (a.state == HD_ACCOUNT_CONTACT) {
        a.state = HD_ACCOUNT_ACTIVE;
    }

    rc = hd_account_put(txn, &a, err);
    hd_arena_destroy(arena);

    return rc;
}


/*
 * A new value of a unique field (login or e-mail): the index entry moves
 * from the old value to the new one, in the same transaction as the record
 */
static hd_rc
hd_account_reindex(hd_txn_t *txn, uint64_t id, hd_db_e db, int login,
    const hd_str_t *value, uint64_t now, hd_err_t *err)
{
    hd_rc          rc;
    hd_str_t      *field;
    hd_uchar       old_key[HD_EMAIL_MAX_BYTES], new_key[HD_EMAIL_MAX_BYTES];
    hd_uchar       idv[8];
    hd_arena_t    *arena;
    hd_account_t   a;
    const char    *name = login ? "login" : "email";

    if (hd_account_key(new_key, sizeof(new_key), value) == NULL) {
        return hd_err_set(err, HD_INVALID, name,
                          login ? "login_invalid" : "email_invalid",
                          "bad %s", name);
    }

    rc = hd_account_index_taken(txn, db, new_key, value->len, id, name,
                                login ? "login_taken" : "email_taken", err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_account_load_copy(txn, id, &a, &arena);
    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, "not_found", "no account");
    }

    field = login ? &a.login : &a.email;

    if (hd_account_key(old_key, sizeof(old_key), field) != NULL) {
        rc = hd_db_del(txn, db, old_key, field->len, err);
        if (rc != HD_OK && rc != HD_NOT_FOUND) {
            hd_arena_destroy(arena);
            return rc;
        }
    }

    hd_be64_put(idv, id);

    rc = hd_db_put(txn, db, new_key, value->len, idv, 8, 0, err);

    if (rc == HD_OK) {
        /* another address is neither proven nor bounced yet */
        if (!login && !hd_text_equal_nocase(field->data, field->len,
                                            value->data, value->len))
        {
            a.email_confirmed = 0;
            a.email_bounced = 0;
            a.email_bounce.len = 0;
        }

        *field = *value;
        a.updated = now;
        rc = hd_account_put(txn, &a, err);
    }

    hd_arena_destroy(arena);

    return rc;
}


hd_rc
hd_account_set_email(hd_txn_t *txn, uint64_t id, const hd_str_t *email,
    uint64_t now, hd_err_t *err)
{
    return hd_account_reindex(txn, id, HD_DB_ACCOUNT_BY_EMAIL, 0, email, now,
                              err);
}


hd_rc
hd_account_set_login(hd_txn_t *txn, uint64_t id, const hd_str_t *login,
    uint64_t now, hd_err_t *err)
{
    return hd_account_reindex(txn, id, HD_DB_ACCOUNT_BY_LOGIN, 1, login, now,
                              err);
}


static int
hd_account_copy_str(hd_pool_t *pool, hd_str_t *s)
{
    if (s->len == 0) {
        s->data = (hd_uchar *) "";
        return 0;
    }

    s->data = hd_pstrdup(pool, s->data, s->len);

    return s->data ? 0 : -1;
}


hd_account_t *
hd_account_copy(hd_pool_t *pool, const hd_account_t *account)
{
    hd_account_t  *a;

    a = hd_palloc(pool, sizeof(hd_account_t));
    if (a == NULL) {
        return NULL;
    }

    *a = *account;

    if (hd_account_copy_str(pool, &a->email) != 0
        || hd_account_copy_str(pool, &a->login) != 0
        || hd_account_copy_str(pool, &a->name) != 0
        || hd_account_copy_str(pool, &a->phone) != 0
        || hd_account_copy_str(pool, &a->organisation) != 0
        || hd_account_copy_str(pool, &a->password) != 0
        || hd_account_copy_str(pool, &a->email_bounce) != 0)
    {
        return NULL;
    }

    return a;
}


int
hd_role_from_name(const hd_uchar *name, size_t len)
{
    int  i;

    for (i = 0; i < HD_ROLE_COUNT; i++) {
        if (strlen(hd_role_names[i]) == len
            && memcmp(hd_role_names[i], name, len) == 0)
        {
            return i;
        }
    }

    return -1;
}


int
hd_account_is_staff(const hd_account_t *account)
{
    /* (nobody, a visitor, is no staff) */
    return account != NULL && account->role != HD_ROLE_CUSTOMER;
}


int
hd_account_may(const hd_account_t *account, uint32_t right)
{
    return account->role == HD_ROLE_ADMINISTRATOR
           || (account->role != HD_ROLE_CUSTOMER
               && (account->rights & right) == right);
}


/* every entry of a lower-case index points at an account with that value */
static void
hd_account_check_index(hd_txn_t *txn, hd_db_e db, int login,
    hd_check_t *check, size_t *entries)
{
    hd_rc          rc;
    hd_str_t       k, v, *field;
    hd_uchar       lower[HD_EMAIL_MAX_BYTES];
    hd_cursor_t    cur;
    hd_account_t   a;

    *entries = 0;

    if (hd_cursor_open(txn, db, &cur) != HD_OK) {
        hd_check_problem(check, "%s: cannot be read", hd_dbs[db].name);
        return;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        (*entries)++;

        if (v.len != 8
            || hd_account_get(txn, hd_be64_get(v.data), &a) != HD_OK)
        {
            hd_check_problem(check, "%s: \"%.*s\" points at no account",
                             hd_dbs[db].name, (int) k.len, k.data);
            continue;
        }

        field = login ? &a.login : &a.email;

        if (field->len != k.len || field->len > sizeof(lower)) {
            hd_check_problem(check, "%s: \"%.*s\" does not match account %llu",
                             hd_dbs[db].name, (int) k.len, k.data,
                             (unsigned long long) a.id);
            continue;
        }

        hd_text_lower_into(lower, field->data, field->len);

        if (memcmp(lower, k.data, k.len) != 0) {
            hd_check_problem(check, "%s: \"%.*s\" does not match account %llu",
                             hd_dbs[db].name, (int) k.len, k.data,
                             (unsigned long long) a.id);
        }
    }

    hd_cursor_close(&cur);
}


hd_rc
hd_account_check(hd_txn_t *txn, hd_check_t *check)
{
    hd_rc         rc;
    size_t        accounts = 0, with_login = 0, emails, logins;
    hd_str_t      k, v;
    hd_cursor_t   cur;
    hd_account_t  a;

    rc = hd_cursor_open(txn, HD_DB_ACCOUNTS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_account_desc, v.data, v.len, &a) != HD_OK) {
            continue;   /* counted by the generic record check */
        }

        accounts++;
        with_login += a.login.len != 0;
    }

    hd_cursor_close(&cur);

    hd_account_check_index(txn, HD_DB_ACCOUNT_BY_EMAIL, 0, check, &emails);
    hd_account_check_index(txn, HD_DB_ACCOUNT_BY_LOGIN, 1, check, &logins);

    if (emails != accounts) {
        hd_check_problem(check, "%zu accounts but %zu e-mail index entries",
                         accounts, emails);
    }

    if (logins != with_login) {
        hd_check_problem(check, "%zu accounts with a login but %zu login "
                         "index entries", with_login, logins);
    }

    return HD_OK;
}

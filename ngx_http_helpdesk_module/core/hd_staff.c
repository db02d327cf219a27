/*
 * Staff and their departments: an index both ways (account, department)
 * and (department, account); department 0 marks a staff account.
 */

#define _GNU_SOURCE         /* memmem */

#include "hd_certificate.h"
#include "hd_company.h"
#include "hd_session.h"
#include "hd_staff.h"
#include "hd_store.h"
#include "hd_text.h"


static void
hd_staff_key(hd_uchar *key, uint64_t a, uint64_t b)
{
    hd_be64_put(key, a);
    hd_be64_put(key + 8, b);
}


hd_rc
hd_staff_departments(hd_txn_t *txn, uint64_t account, uint64_t *list,
    size_t max, size_t *n)
{
    hd_rc        rc;
    uint64_t     d;
    hd_str_t     k;
    hd_uchar     prefix[8];
    hd_cursor_t  cur;

    *n = 0;
    hd_be64_put(prefix, account);

    rc = hd_cursor_open(txn, HD_DB_STAFF_DEPARTMENTS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, prefix, 8, &k, NULL);
         rc == HD_OK && k.len == 16 && memcmp(k.data, prefix, 8) == 0;
         rc = hd_cursor_next(&cur, &k, NULL))
    {
        d = hd_be64_get(k.data + 8);

        if (d != 0 && *n < max) {
            list[(*n)++] = d;
        }
    }

    hd_cursor_close(&cur);

    return HD_OK;
}


hd_rc
hd_staff_set_departments(hd_txn_t *txn, uint64_t account,
    const uint64_t *list, size_t n, hd_err_t *err)
{
    hd_rc            rc;
    size_t           i, old;
    uint64_t         have[HD_STAFF_DEPARTMENTS_MAX];
    hd_uchar         key[16];
    hd_department_t  d;

    for (i = 0; i < n; i++) {
        if (list[i] == 0 || hd_department_get(txn, list[i], &d) != HD_OK) {
            return hd_err_set(err, HD_INVALID, "departments",
                              "department_unknown", "no department %llu",
                              (unsigned long long) list[i]);
        }
    }

    rc = hd_staff_departments(txn, account, have, HD_STAFF_DEPARTMENTS_MAX,
                              &old);
    if (rc != HD_OK) {
        return rc;
    }

    for (i = 0; i < old; i++) {
        hd_staff_key(key, account, have[i]);
        (void) hd_db_del(txn, HD_DB_STAFF_DEPARTMENTS, key, 16, err);
        hd_staff_key(key, have[i], account);
        (void) hd_db_del(txn, HD_DB_DEPARTMENT_STAFF, key, 16, err);
    }

    for (i = 0; i < n; i++) {
        hd_staff_key(key, account, list[i]);
        rc = hd_db_put(txn, HD_DB_STAFF_DEPARTMENTS, key, 16, "", 0, 0, err);
        if (rc != HD_OK) {
            return rc;
        }

        hd_staff_key(key, list[i], account);
        rc = hd_db_put(txn, HD_DB_DEPARTMENT_STAFF, key, 16, "", 0, 0, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    return HD_OK;
}


hd_rc
hd_staff_scope(hd_txn_t *txn, const hd_account_t *a, hd_staff_scope_t *scope)
{
    hd_rc        rc;
    hd_str_t     k;
    hd_cursor_t  cur;

    memset(scope, 0, sizeof(*scope));

    if (!hd_account_is_staff(a)) {
        return HD_OK;
    }

    if (a->role == HD_ROLE_AGENT) {
        return hd_staff_departments(txn, a->id, scope->departments,
                                    HD_STAFF_DEPARTMENTS_MAX, &scope->n);
    }

    /* managers and administrators: every department there is */
    scope->all = 1;

    rc = hd_cursor_open(txn, HD_DB_DEPARTMENTS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, NULL);
         rc == HD_OK && scope->n < HD_STAFF_DEPARTMENTS_MAX;
         rc = hd_cursor_next(&cur, &k, NULL))
    {
        if (k.len == 8) {
            scope->departments[scope->n++] = hd_be64_get(k.data);
        }
    }

    hd_cursor_close(&cur);

    return HD_OK;
}


int
hd_staff_sees(const hd_staff_scope_t *scope, uint64_t department)
{
    size_t  i;

    if (scope->all) {
        return 1;
    }

    for (i = 0; i < scope->n; i++) {
        if (scope->departments[i] == department) {
            return 1;
        }
    }

    return 0;
}


int
hd_staff_works_in(hd_txn_t *txn, uint64_t account, uint64_t department)
{
    hd_account_t      a;
    hd_staff_scope_t  scope;

    if (hd_account_get(txn, account, &a) != HD_OK
        || !hd_account_is_staff(&a) || a.state == HD_ACCOUNT_DISABLED
        || hd_staff_scope(txn, &a, &scope) != HD_OK)
    {
        return 0;
    }

    return hd_staff_sees(&scope, department);
}


hd_rc
hd_staff_list(hd_txn_t *txn, hd_pool_t *pool, hd_staff_info_t **list,
    size_t *n)
{
    size_t            count = 0, cap = 0;
    hd_rc             rc;
    uint64_t          id, d;
    hd_str_t          k;
    hd_cursor_t       cur;
    hd_account_t      a;
    hd_staff_info_t  *items = NULL, *grown, *it = NULL;

    *list = NULL;
    *n = 0;

    rc = hd_cursor_open(txn, HD_DB_STAFF_DEPARTMENTS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    /* per account: the mark (department 0) first, then its departments */
    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, NULL);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, NULL))
    {
        if (k.len != 16) {
            continue;
        }

        id = hd_be64_get(k.data);
        d = hd_be64_get(k.data + 8);

        if (d != 0) {
            if (it != NULL && it->account.id == id
                && it->n < HD_STAFF_DEPARTMENTS_MAX)
            {
                it->departments[it->n++] = d;
            }

            continue;
        }

        if (hd_account_get(txn, id, &a) != HD_OK) {
            continue;
        }

        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            grown = hd_palloc(pool, cap * sizeof(hd_staff_info_t));
            if (grown == NULL) {
                hd_cursor_close(&cur);
                return HD_NOMEM;
            }

            if (count) {
                memcpy(grown, items, count * sizeof(hd_staff_info_t));
            }

            items = grown;
        }

        it = &items[count++];
        memset(it, 0, sizeof(*it));
        it->account = *hd_account_copy(pool, &a);
    }

    hd_cursor_close(&cur);

    *list = items;
    *n = count;

    return HD_OK;
}


typedef struct {
    uint64_t                 actor;
    uint64_t                 account;
    const hd_staff_input_t  *in;
    uint64_t                 now;
} hd_staff_change_t;


static hd_rc
hd_staff_update_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    hd_rc                rc;
    size_t               ended;
    hd_account_t         a;
    hd_account_input_t   in;
    hd_staff_change_t   *c = arg;

    if (hd_account_get(txn, c->account, &a) != HD_OK
        || !hd_account_is_staff(&a))
    {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                          "no staff account %llu",
                          (unsigned long long) c->account);
    }

    /* nobody locks the administration out by their own hand */
    if (c->actor == c->account
        && ((c->in->role >= 0 && c->in->role != HD_ROLE_ADMINISTRATOR)
            || c->in->disabled == 1))
    {
        return hd_err_set(err, HD_CONFLICT, NULL, "own_account",
                          "administrators do not demote or disable "
                          "themselves");
    }

    if (c->in->role == HD_ROLE_CUSTOMER) {
        return hd_err_set(err, HD_INVALID, "role", "role_invalid",
                          "staff roles: agent, manager, administrator");
    }

    hd_account_input_init(&in);
    in.role = c->in->role;

    rc = hd_account_update(txn, a.id, &in, c->now, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (c->in->disabled >= 0) {
        rc = hd_account_set_state(txn, c->account,
                                  c->in->disabled ? HD_ACCOUNT_DISABLED
                                                  : HD_ACCOUNT_ACTIVE,
                                  c->now, err);
        if (rc != HD_OK) {
            return rc;
        }

        /* disabled: out at once, every session of it */
        if (c->in->disabled) {
            rc = hd_session_end_all(txn, c->account, NULL, &ended, err);
            if (rc != HD_OK) {
                return rc;
            }
        }
    }

    if (c->in->kb_editor >= 0) {
        if (hd_account_get(txn, c->account, &a) != HD_OK) {
            return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                              "no staff account");
        }

        a.rights = c->in->kb_editor ? a.rights | HD_RIGHT_KB_EDIT
                                    : a.rights & ~HD_RIGHT_KB_EDIT;

        rc = hd_account_put(txn, &a, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    if (c->in->set_departments) {
        return hd_staff_set_departments(txn, c->account, c->in->departments,
                                        c->in->n, err);
    }

    return HD_OK;
}


hd_rc
hd_staff_update(const hd_portal_t *portal, uint64_t actor, uint64_t account,
    const hd_staff_input_t *in, uint64_t now, hd_err_t *err)
{
    hd_staff_change_t  c;

    c.actor = actor;
    c.account = account;
    c.in = in;
    c.now = now;

    return hd_txn_run(portal->store, hd_staff_update_txn, &c, err);
}


static int
hd_staff_found(hd_account_t *list, size_t n, uint64_t id)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (list[i].id == id) {
            return 1;
        }
    }

    return 0;
}


hd_rc
hd_staff_find_customers(hd_txn_t *txn, const hd_str_t *q, hd_pool_t *pool,
    hd_account_t **list, size_t *n, size_t max)
{
    size_t            i, k;
    hd_rc             rc;
    hd_str_t          key, v;
    hd_uchar         *lower, name[1024];
    hd_cursor_t       cur;
    hd_account_t      a, *out;
    hd_company_t      company;
    hd_certificate_t  c;
    hd_member_info_t *members;

    *list = NULL;
    *n = 0;

    if (q->len == 0 || max == 0) {
        return HD_OK;
    }

    out = hd_palloc(pool, max * sizeof(hd_account_t));
    lower = hd_text_lower(pool, q->data, q->len);

    if (out == NULL || lower == NULL) {
        return HD_NOMEM;
    }

    /* exactly: an e-mail or a login, then a certificate's holder */
    if (hd_account_find(txn, q->data, q->len, &a) == HD_OK
        && !hd_account_is_staff(&a))
    {
        out[(*n)++] = *hd_account_copy(pool, &a);
    }

    if (*n < max && hd_cert_find(txn, q, &c) == HD_OK) {
        if (c.holder_kind == HD_HOLDER_ACCOUNT
            && hd_account_get(txn, c.holder, &a) == HD_OK
            && !hd_staff_found(out, *n, a.id))
        {
            out[(*n)++] = *hd_account_copy(pool, &a);

        } else if (c.holder_kind == HD_HOLDER_COMPANY
                   && hd_company_get(txn, c.holder, &company) == HD_OK
                   && hd_company_members(txn, company.id, pool, &members, &k)
                      == HD_OK)
        {
            for (i = 0; i < k && *n < max; i++) {
                if (hd_account_get(txn, members[i].member.account, &a)
                    == HD_OK && !hd_staff_found(out, *n, a.id))
                {
                    out[(*n)++] = *hd_account_copy(pool, &a);
                }
            }
        }
    }

    if (*n) {
        *list = out;
        return HD_OK;
    }

    /* else a part of the name, without case: a walk of the accounts */
    rc = hd_cursor_open(txn, HD_DB_ACCOUNTS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &key, &v);
         rc == HD_OK && *n < max;
         rc = hd_cursor_next(&cur, &key, &v))
    {
        if (hd_record_decode(&hd_account_desc, v.data, v.len, &a) != HD_OK
            || hd_account_is_staff(&a) || a.name.len < q->len
            || a.name.len > sizeof(name))
        {
            continue;
        }

        hd_text_lower_into(name, a.name.data, a.name.len);

        if (memmem(name, a.name.len, lower, q->len) != NULL) {
            out[(*n)++] = *hd_account_copy(pool, &a);
        }
    }

    hd_cursor_close(&cur);

    *list = out;

    return HD_OK;
}


hd_rc
hd_staff_holder(hd_txn_t *txn, const hd_str_t *q, uint64_t *account,
    uint64_t *company)
{
    hd_account_t      a;
    hd_certificate_t  c;

    *account = 0;
    *company = 0;

    if (q->len == 0) {
        return HD_NOT_FOUND;
    }

    if (hd_cert_find(txn, q, &c) == HD_OK) {
        if (c.holder_kind == HD_HOLDER_ACCOUNT) {
            *account = c.holder;
            return HD_OK;
        }

        if (c.holder_kind == HD_HOLDER_COMPANY) {
            *company = c.holder;
            return HD_OK;
        }

        return HD_NOT_FOUND;
    }

    if (hd_account_find(txn, q->data, q->len, &a) == HD_OK) {
        *account = a.id;
        return HD_OK;
    }

    return HD_NOT_FOUND;
}


hd_rc
hd_staff_check(hd_txn_t *txn, hd_check_t *check)
{
    hd_rc         rc;
    size_t        marks = 0, members = 0, n;
    hd_str_t      k;
    hd_uchar      key[16];
    hd_cursor_t   cur;
    hd_account_t  a;

    rc = hd_cursor_open(txn, HD_DB_STAFF_DEPARTMENTS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, NULL);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, NULL))
    {
        if (k.len != 16
            || hd_account_get(txn, hd_be64_get(k.data), &a) != HD_OK
            || !hd_account_is_staff(&a))
        {
            hd_check_problem(check, "staff: an entry of no staff account");
            continue;
        }

        if (hd_be64_get(k.data + 8) == 0) {
            marks++;
            continue;
        }

        members++;
        hd_staff_key(key, hd_be64_get(k.data + 8), hd_be64_get(k.data));

        if (hd_db_get(txn, HD_DB_DEPARTMENT_STAFF, key, 16, NULL) != HD_OK) {
            hd_check_problem(check, "staff: a membership without its "
                             "reverse entry");
        }
    }

    hd_cursor_close(&cur);

    if (hd_db_count(txn, HD_DB_DEPARTMENT_STAFF, &n) == HD_OK
        && n != members)
    {
        hd_check_problem(check, "staff: %zu department entries for %zu "
                         "memberships", n, members);
    }

    hd_buf_printf(&check->report, "staff accounts: %zu\n", marks);

    return HD_OK;
}

/*
 * Canned replies: records of HD_DB_MACROS by id; the list a staff member
 * sees is short (HD_MACRO_MAX), so it is a walk of the database.
 */

#include <stdlib.h>
#include <string.h>

#include "hd_macro.h"
#include "hd_ticket.h"
#include "hd_text.h"


static const hd_field_t  hd_macro_fields[] = {
    hd_field(hd_macro_t, 1, HD_FIELD_U64, id),
    hd_field(hd_macro_t, 2, HD_FIELD_U64, owner),
    hd_field(hd_macro_t, 3, HD_FIELD_STR, title),
    hd_field(hd_macro_t, 4, HD_FIELD_STR, body),
    hd_field(hd_macro_t, 5, HD_FIELD_U8, kind),
    hd_field(hd_macro_t, 6, HD_FIELD_U64, author),
    hd_field(hd_macro_t, 7, HD_FIELD_U64, created),
};

const hd_record_desc_t  hd_macro_desc = hd_record(HD_KIND_MACRO, 1, hd_macro_t,
                                                  hd_macro_fields);


void
hd_macro_validate(const hd_macro_t *m, hd_errors_t *errors)
{
    hd_errors_text(errors, "title", &m->title, HD_MACRO_TITLE_MAX,
                   "title_required", "text_invalid", "title_too_long");

    if (m->body.len == 0) {
        hd_errors_add(errors, "body", "body_required");

    } else if (hd_utf8_chars(m->body.data, m->body.len) > HD_BODY_MAX_CHARS) {
        hd_errors_add(errors, "body", "body_too_long");
    }

    if (m->kind != HD_MESSAGE_REPLY && m->kind != HD_MESSAGE_NOTE
        && m->kind != HD_MESSAGE_INFO_REQUEST
        && m->kind != HD_MESSAGE_SOLUTION)
    {
        hd_errors_add(errors, "kind", "kind_invalid");
    }
}


hd_rc
hd_macro_save(hd_txn_t *txn, hd_macro_t *m, hd_err_t *err)
{
    hd_rc     rc;
    hd_uchar  key[8];

    if (m->id == 0) {
        rc = hd_seq_next(txn, "macros", &m->id, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    hd_be64_put(key, m->id);

    return hd_record_put(txn, HD_DB_MACROS, key, 8, &hd_macro_desc, m, 0, err);
}


hd_rc
hd_macro_get(hd_txn_t *txn, uint64_t id, hd_macro_t *m)
{
    hd_uchar  key[8];

    hd_be64_put(key, id);

    return hd_record_get(txn, HD_DB_MACROS, key, 8, &hd_macro_desc, m);
}


hd_rc
hd_macro_delete(hd_txn_t *txn, uint64_t id, hd_err_t *err)
{
    hd_uchar  key[8];

    hd_be64_put(key, id);

    return hd_db_del(txn, HD_DB_MACROS, key, 8, err);
}


int
hd_macro_may_edit(const hd_macro_t *m, const hd_account_t *a)
{
    if (m->owner != 0) {
        return m->owner == a->id;
    }

    return a->role == HD_ROLE_MANAGER || a->role == HD_ROLE_ADMINISTRATOR;
}


static int
hd_macro_by_title(const void *a, const void *b)
{
    const hd_macro_t  *x = a, *y = b;
    size_t             n;
    int                c;

    n = x->title.len < y->title.len ? x->title.len : y->title.len;
    c = n ? memcmp(x->title.data, y->title.data, n) : 0;

    return c ? c : (x->title.len > y->title.len) - (x->title.len < y->title.len);
}


hd_rc
hd_macro_list(hd_txn_t *txn, uint64_t account, hd_pool_t *pool,
    hd_macro_t **list, size_t *n)
{
    hd_rc         rc;
    hd_str_t      k, v;
    hd_macro_t    m, *out;
    hd_cursor_t   cur;

    *n = 0;
    out = hd_palloc(pool, HD_MACRO_MAX * sizeof(hd_macro_t));
    *list = out;

    if (out == NULL) {
        return HD_NOMEM;
    }

    rc = hd_cursor_open(txn, HD_DB_MACROS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK && *n < HD_MACRO_MAX;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_macro_desc, v.data, v.len, &m) != HD_OK
            || (m.owner != 0 && m.owner != account))
        {
            continue;
        }

        m.title.data = hd_pstrdup(pool, m.title.data, m.title.len);
        m.body.data = hd_pstrdup(pool, m.body.data, m.body.len);

        if (m.title.data == NULL || m.body.data == NULL) {
            hd_cursor_close(&cur);
            return HD_NOMEM;
        }

        out[(*n)++] = m;
    }

    hd_cursor_close(&cur);

    if (*n > 1) {
        qsort(out, *n, sizeof(hd_macro_t), hd_macro_by_title);
    }

    return rc == HD_NOT_FOUND || rc == HD_OK ? HD_OK : rc;
}


int
hd_macro_expand(const hd_str_t *body, const hd_macro_vars_t *vars,
    hd_buf_t *out)
{
    size_t           i, j, k;
    const hd_uchar  *p = body->data;

    static const char  *names[] = { "customer", "subject", "agent",
                                    "ticket" };

    for (i = 0; i < body->len; i++) {
        if (p[i] != '{' || i + 1 >= body->len || p[i + 1] != '{') {
            hd_buf_add_byte(out, p[i]);
            continue;
        }

        for (k = 0; k < 4; k++) {
            j = strlen(names[k]);

            if (i + 4 + j <= body->len
                && memcmp(p + i + 2, names[k], j) == 0
                && p[i + 2 + j] == '}' && p[i + 3 + j] == '}')
            {
                break;
            }
        }

        if (k == 4) {
            hd_buf_add_byte(out, p[i]);
            continue;
        }

        switch (k) {
        case 0:
            hd_buf_add(out, vars->customer.data, vars->customer.len);
            break;
        case 1:
            hd_buf_add(out, vars->subject.data, vars->subject.len);
            break;
        case 2:
            hd_buf_add(out, vars->agent.data, vars->agent.len);
            break;
        default:
            hd_buf_printf(out, "%llu", (unsigned long long) vars->ticket);
        }

        i += 3 + strlen(names[k]);
    }

    return out->failed ? -1 : 0;
}

/*
 * Products, certificate types and departments: records with a unique name
 * each, through one set of functions for "a record and its name index".
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hd_crypto.h"
#include "hd_product.h"
#include "hd_store.h"
#include "hd_text.h"


static const hd_field_t  hd_product_fields[] = {
    hd_field(hd_product_t, 1, HD_FIELD_U64, id),
    hd_field(hd_product_t, 2, HD_FIELD_STR, name),
    hd_field(hd_product_t, 3, HD_FIELD_STR, versions),
    hd_field(hd_product_t, 4, HD_FIELD_U64, created),
    hd_field(hd_product_t, 5, HD_FIELD_U64, updated),
    hd_field(hd_product_t, 6, HD_FIELD_STR, area),
};

const hd_record_desc_t  hd_product_desc = hd_record(HD_KIND_PRODUCT, 1,
                                                    hd_product_t,
                                                    hd_product_fields);

static const hd_field_t  hd_cert_type_fields[] = {
    hd_field(hd_cert_type_t, 1, HD_FIELD_U64, id),
    hd_field(hd_cert_type_t, 2, HD_FIELD_STR, name),
    hd_field(hd_cert_type_t, 3, HD_FIELD_U64, product),
    hd_field(hd_cert_type_t, 4, HD_FIELD_U32, term_months),
    hd_field(hd_cert_type_t, 5, HD_FIELD_U8, kind),
    hd_field(hd_cert_type_t, 6, HD_FIELD_U32, ticket_limit),
    hd_field(hd_cert_type_t, 7, HD_FIELD_U8, level),
    hd_field(hd_cert_type_t, 8, HD_FIELD_U32, premium_per_year),
    hd_field(hd_cert_type_t, 9, HD_FIELD_U64, department),
    hd_field(hd_cert_type_t, 10, HD_FIELD_U64, created),
    hd_field(hd_cert_type_t, 11, HD_FIELD_U64, updated),
    hd_field(hd_cert_type_t, 12, HD_FIELD_U32, contacts_max),
    hd_field(hd_cert_type_t, 13, HD_FIELD_STR, covers),
};

const hd_record_desc_t  hd_cert_type_desc = hd_record(HD_KIND_CERT_TYPE, 1,
                                                      hd_cert_type_t,
                                                      hd_cert_type_fields);

static const hd_field_t  hd_department_fields[] = {
    hd_field(hd_department_t, 1, HD_FIELD_U64, id),
    hd_field(hd_department_t, 2, HD_FIELD_STR, name),
    hd_field(hd_department_t, 3, HD_FIELD_U32, flags),
    hd_field(hd_department_t, 4, HD_FIELD_U64, created),
};

const hd_record_desc_t  hd_department_desc = hd_record(HD_KIND_DEPARTMENT, 1,
                                                       hd_department_t,
                                                       hd_department_fields);

const char  *hd_level_names[HD_LEVEL_COUNT] = {
    "standard", "msa_start", "msa_plus", "msa_business", "msa_enterprise"
};

const char  *hd_cert_kind_names[HD_CERT_KIND_COUNT] = {
    "certificate", "contract"
};


/* a record kind with a unique name: where it lives and how it is read */
typedef struct {
    hd_db_e                  db;
    hd_db_e                  by_name;
    const hd_record_desc_t  *desc;
    const char              *seq;
    size_t                   id;            /* offsetof the uint64_t id */
    size_t                   name;          /* offsetof the hd_str_t name */
    const char              *taken;         /* the error code */
} hd_named_t;


static const hd_named_t  hd_named_product = {
    HD_DB_PRODUCTS, HD_DB_PRODUCT_BY_NAME, &hd_product_desc, "products",
    offsetof(hd_product_t, id), offsetof(hd_product_t, name), "name_taken"
};

static const hd_named_t  hd_named_cert_type = {
    HD_DB_CERT_TYPES, HD_DB_CERT_TYPE_BY_NAME, &hd_cert_type_desc,
    "cert_types", offsetof(hd_cert_type_t, id),
    offsetof(hd_cert_type_t, name), "name_taken"
};

static const hd_named_t  hd_named_department = {
    HD_DB_DEPARTMENTS, HD_DB_DEPARTMENT_BY_NAME, &hd_department_desc,
    "departments", offsetof(hd_department_t, id),
    offsetof(hd_department_t, name), "name_taken"
};


#define hd_named_id(e, rec)    (*(uint64_t *) ((hd_uchar *) (rec) + (e)->id))
#define hd_named_name(e, rec)  ((hd_str_t *) ((hd_uchar *) (rec) + (e)->name))


/* names may be long (and Cyrillic): the index key is the lower case's hash */
static void
hd_named_key(const hd_str_t *name, hd_uchar key[HD_SHA256_LEN])
{
    hd_uchar  *lower;

    lower = malloc(name->len + 1);
    if (lower == NULL) {
        memset(key, 0, HD_SHA256_LEN);
        return;
    }

    hd_text_lower_into(lower, name->data, name->len);
    hd_sha256(lower, name->len, key);
    free(lower);
}


static hd_rc
hd_named_get(hd_txn_t *txn, const hd_named_t *e, uint64_t id, void *rec)
{
    hd_uchar  key[8];

    hd_be64_put(key, id);

    return hd_record_get(txn, e->db, key, 8, e->desc, rec);
}


static hd_rc
hd_named_find(hd_txn_t *txn, const hd_named_t *e, const hd_str_t *name,
    void *rec)
{
    hd_rc     rc;
    hd_str_t  v;
    hd_uchar  key[HD_SHA256_LEN];

    hd_named_key(name, key);

    rc = hd_db_get(txn, e->by_name, key, HD_SHA256_LEN, &v);
    if (rc != HD_OK) {
        return rc;
    }

    return v.len == 8 ? hd_named_get(txn, e, hd_be64_get(v.data), rec)
                      : HD_CORRUPT;
}


static hd_rc
hd_named_save(hd_txn_t *txn, const hd_named_t *e, void *rec, hd_err_t *err)
{
    hd_rc       rc;
    hd_str_t    v, *name;
    hd_uchar    key[HD_SHA256_LEN], old_key[HD_SHA256_LEN], idv[8];
    uint64_t    id;
    void       *old;

    name = hd_named_name(e, rec);
    id = hd_named_id(e, rec);

    hd_named_key(name, key);

    rc = hd_db_get(txn, e->by_name, key, HD_SHA256_LEN, &v);

    if (rc == HD_OK && (v.len != 8 || hd_be64_get(v.data) != id)) {
        return hd_err_set(err, HD_CONFLICT, "name", e->taken,
                          "the name \"%.*s\" is taken", (int) name->len,
                          name->data);
    }

    if (id == 0) {
        rc = hd_seq_next(txn, e->seq, &id, err);
        if (rc != HD_OK) {
            return rc;
        }

        hd_named_id(e, rec) = id;

    } else {
        old = malloc(e->desc->size);
        if (old == NULL) {
            return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
        }

        rc = hd_named_get(txn, e, id, old);

        if (rc == HD_OK) {
            hd_named_key(hd_named_name(e, old), old_key);

            if (memcmp(old_key, key, HD_SHA256_LEN) != 0) {
                rc = hd_db_del(txn, e->by_name, old_key, HD_SHA256_LEN, err);
            }
        }

        free(old);

        if (rc != HD_OK) {
            return rc == HD_NOT_FOUND
                   ? hd_err_set(err, rc, NULL, "not_found", "no such record")
                   : rc;
        }
    }

    hd_be64_put(idv, id);

    rc = hd_record_put(txn, e->db, idv, 8, e->desc, rec, 0, err);
    if (rc != HD_OK) {
        return rc;
    }

    return hd_db_put(txn, e->by_name, key, HD_SHA256_LEN, idv, 8, 0, err);
}


/* every record, copied into the pool (strings included) */
static hd_rc
hd_named_list(hd_txn_t *txn, const hd_named_t *e, hd_pool_t *pool,
    void **list, size_t *n)
{
    hd_rc         rc;
    size_t        count, i, k;
    hd_str_t      key, v, *s;
    hd_uchar     *items, *rec;
    hd_cursor_t   cur;

    *n = 0;

    rc = hd_db_count(txn, e->db, &count);
    if (rc != HD_OK) {
        return rc;
    }

    items = hd_palloc(pool, (count ? count : 1) * e->desc->size);
    if (items == NULL) {
        return HD_NOMEM;
    }

    *list = items;

    rc = hd_cursor_open(txn, e->db, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    i = 0;

    for (rc = hd_cursor_seek(&cur, NULL, 0, &key, &v);
         rc == HD_OK && i < count;
         rc = hd_cursor_next(&cur, &key, &v))
    {
        rec = items + i * e->desc->size;

        if (hd_record_decode(e->desc, v.data, v.len, rec) != HD_OK) {
            continue;
        }

        for (k = 0; k < e->desc->nfields; k++) {
            if (e->desc->fields[k].type == HD_FIELD_STR) {
                s = (hd_str_t *) (rec + e->desc->fields[k].offset);
                s->data = hd_pstrdup(pool, s->data, s->len);
            }
        }

        i++;
    }

    hd_cursor_close(&cur);
    *n = i;

    return HD_OK;
}


static int
hd_name_of(const char **names, size_t n, const hd_uchar *name, size_t len)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0) {
            return (int) i;
        }
    }

    return -1;
}


int
hd_level_from_name(const hd_uchar *name, size_t len)
{
    return hd_name_of(hd_level_names, HD_LEVEL_COUNT, name, len);
}


int
hd_cert_kind_from_name(const hd_uchar *name, size_t len)
{
    return hd_name_of(hd_cert_kind_names, HD_CERT_KIND_COUNT, name, len);
}


int
hd_version_parse(const hd_uchar *line, size_t len, hd_version_t *v)
{
    hd_str_t         part, rest;
    const hd_uchar  *p, *end, *bar;
    int              first = 1;

    memset(v, 0, sizeof(*v));

    for (p = line, end = line + len; p <= end; p = bar + 1) {
        bar = memchr(p, '|', (size_t) (end - p));
        bar = bar ? bar : end;

        part.data = (hd_uchar *) p;
        part.len = (size_t) (bar - p);
        hd_text_trim(&part);

        if (first) {
            if (part.len == 0 || part.len > 64) {
                return -1;
            }

            v->name = part;
            first = 0;

        } else if (part.len == 9 && memcmp(part.data, "certified", 9) == 0) {
            v->certified = 1;

        } else if (part.len > 6 && memcmp(part.data, "build ", 6) == 0) {
            v->build.data = part.data + 6;
            v->build.len = part.len - 6;
            hd_text_trim(&v->build);

            if (v->build.len == 0 || v->build.len > 64) {
                return -1;
            }

        } else if (part.len > 7 && memcmp(part.data, "update ", 7) == 0) {
            /* "update https://... what it fixes" */
            rest.data = part.data + 7;
            rest.len = part.len - 7;
            hd_text_trim(&rest);

            v->update_link = rest;

            for (size_t i = 0; i < rest.len; i++) {
                if (rest.data[i] == ' ') {
                    v->update_link.len = i;
                    break;
                }
            }

            v->update_text.data = rest.data + v->update_link.len;
            v->update_text.len = rest.len - v->update_link.len;
            hd_text_trim(&v->update_text);

            if (!((v->update_link.len > 8
                   && memcmp(v->update_link.data, "https://", 8) == 0)
                  || (v->update_link.len > 7
                      && memcmp(v->update_link.data, "http://", 7) == 0))
                || memchr(v->update_link.data, '"', v->update_link.len)
                || v->update_text.len == 0 || v->update_text.len > 300)
            {
                return -1;
            }

        } else {
            return -1;
        }

        if (bar == end) {
            break;
        }
    }

    return 0;
}


size_t
hd_product_versions(const hd_product_t *p, hd_version_t *out, size_t max)
{
    size_t           n = 0;
    const hd_uchar  *s, *end, *nl;

    for (s = p->versions.data, end = s + p->versions.len;
         s != NULL && s < end && n < max;
         s = nl + 1)
    {
        nl = memchr(s, '\n', (size_t) (end - s));
        nl = nl ? nl : end;

        if (nl > s && hd_version_parse(s, (size_t) (nl - s), &out[n]) == 0) {
            n++;
        }
    }

    return n;
}


const hd_version_t *
hd_version_find(const hd_version_t *v, size_t n, const hd_str_t *name)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (v[i].name.len == name->len
            && strncasecmp((const char *) v[i].name.data,
                           (const char *) name->data, name->len) == 0)
        {
            return &v[i];
        }
    }

    return NULL;
}


void
hd_product_validate(const hd_product_t *p, hd_errors_t *errors)
{
    size_t           lines = 0, len;
    hd_version_t     v;
    const hd_uchar  *s, *end, *nl;

    hd_errors_text(errors, "name", &p->name, HD_PRODUCT_NAME_MAX,
                   "name_required", "name_invalid", "name_too_long");

    if (p->area.len) {
        hd_errors_text(errors, "area", &p->area, HD_PRODUCT_NAME_MAX, NULL,
                       "name_invalid", "name_too_long");
    }

    if (!hd_utf8_valid(p->versions.data, p->versions.len)
        || !hd_text_printable(p->versions.data, p->versions.len, 1))
    {
        hd_errors_add(errors, "versions", "versions_invalid");
        return;
    }

    /* a version a line: "NAME | build B | certified | update URL TEXT" */
    for (s = p->versions.data, end = s + p->versions.len;
         s != NULL && s < end;
         s = nl + 1)
    {
        nl = memchr(s, '\n', end - s);
        if (nl == NULL) {
            nl = end;
        }

        len = nl - s;

        if (len == 0) {
            continue;
        }

        if (len > 500 || ++lines > HD_VERSIONS_MAX
            || hd_version_parse(s, len, &v) != 0)
        {
            hd_errors_add(errors, "versions", "versions_invalid");
            return;
        }
    }
}


hd_rc
hd_product_save(hd_txn_t *txn, hd_product_t *p, uint64_t now, hd_err_t *err)
{
    hd_product_t  old;

    if (p->id != 0) {
        if (hd_product_get(txn, p->id, &old) != HD_OK) {
            return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                              "no product %llu", (unsigned long long) p->id);
        }

        p->created = old.created;

    } else {
        p->created = now;
    }

    p->updated = now;

    return hd_named_save(txn, &hd_named_product, p, err);
}


hd_rc
hd_product_get(hd_txn_t *txn, uint64_t id, hd_product_t *p)
{
    return hd_named_get(txn, &hd_named_product, id, p);
}


hd_rc
hd_product_find(hd_txn_t *txn, const hd_str_t *name, hd_product_t *p)
{
    return hd_named_find(txn, &hd_named_product, name, p);
}


void
hd_cert_type_validate(hd_txn_t *txn, const hd_cert_type_t *t,
    hd_errors_t *errors)
{
    hd_product_t     p;
    hd_department_t  d;

    hd_errors_text(errors, "name", &t->name, HD_TYPE_NAME_MAX,
                   "name_required", "name_invalid", "name_too_long");

    if (t->covers.len) {
        hd_errors_text(errors, "covers", &t->covers, 1000, NULL,
                       "text_invalid", "name_too_long");
    }

    if (t->product == 0 || hd_product_get(txn, t->product, &p) != HD_OK) {
        hd_errors_add(errors, "product", "product_unknown");
    }

    if (t->term_months < 1 || t->term_months > 120) {
        hd_errors_add(errors, "term_months", "term_invalid");
    }

    if (t->kind >= HD_CERT_KIND_COUNT) {
        hd_errors_add(errors, "kind", "kind_invalid");
    }

    if (t->ticket_limit < 1 || t->ticket_limit > 1000) {
        hd_errors_add(errors, "ticket_limit", "ticket_limit_invalid");
    }

    if (t->level >= HD_LEVEL_COUNT) {
        hd_errors_add(errors, "level", "level_invalid");
    }

    if (t->premium_per_year > 100000
        && t->premium_per_year != HD_PREMIUM_UNLIMITED)
    {
        hd_errors_add(errors, "premium_per_year", "premium_invalid");
    }

    if (t->department == 0
        || hd_department_get(txn, t->department, &d) != HD_OK)
    {
        hd_errors_add(errors, "department", "department_unknown");
    }
}


hd_rc
hd_cert_type_save(hd_txn_t *txn, hd_cert_type_t *t, uint64_t now,
    hd_err_t *err)
{
    hd_cert_type_t  old;

    if (t->id != 0) {
        if (hd_cert_type_get(txn, t->id, &old) != HD_OK) {
            return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                              "no certificate type %llu",
                              (unsigned long long) t->id);
        }

        t->created = old.created;

    } else {
        t->created = now;
    }

    t->updated = now;

    return hd_named_save(txn, &hd_named_cert_type, t, err);
}


hd_rc
hd_cert_type_get(hd_txn_t *txn, uint64_t id, hd_cert_type_t *t)
{
    return hd_named_get(txn, &hd_named_cert_type, id, t);
}


hd_rc
hd_cert_type_find(hd_txn_t *txn, const hd_str_t *name, hd_cert_type_t *t)
{
    return hd_named_find(txn, &hd_named_cert_type, name, t);
}


/* by id when the text is digits, by name otherwise */
static hd_rc
hd_named_lookup(hd_txn_t *txn, const hd_named_t *e, const hd_str_t *text,
    void *rec)
{
    size_t    i;
    uint64_t  id = 0;

    for (i = 0; i < text->len; i++) {
        if (text->data[i] < '0' || text->data[i] > '9' || i > 18) {
            return hd_named_find(txn, e, text, rec);
        }

        id = id * 10 + (text->data[i] - '0');
    }

    return text->len ? hd_named_get(txn, e, id, rec) : HD_NOT_FOUND;
}


hd_rc
hd_cert_type_lookup(hd_txn_t *txn, const hd_str_t *id_or_name,
    hd_cert_type_t *t)
{
    return hd_named_lookup(txn, &hd_named_cert_type, id_or_name, t);
}


hd_rc
hd_product_lookup(hd_txn_t *txn, const hd_str_t *id_or_name, hd_product_t *p)
{
    return hd_named_lookup(txn, &hd_named_product, id_or_name, p);
}


hd_rc
hd_department_lookup(hd_txn_t *txn, const hd_str_t *id_or_name,
    hd_department_t *d)
{
    return hd_named_lookup(txn, &hd_named_department, id_or_name, d);
}


hd_rc
hd_department_save(hd_txn_t *txn, hd_department_t *d, uint64_t now,
    hd_err_t *err)
{
    if (d->id == 0) {
        d->created = now;
    }

    return hd_named_save(txn, &hd_named_department, d, err);
}


hd_rc
hd_department_get(hd_txn_t *txn, uint64_t id, hd_department_t *d)
{
    return hd_named_get(txn, &hd_named_department, id, d);
}


hd_rc
hd_department_find(hd_txn_t *txn, const hd_str_t *name, hd_department_t *d)
{
    return hd_named_find(txn, &hd_named_department, name, d);
}


hd_rc
hd_product_list(hd_txn_t *txn, hd_pool_t *pool, hd_product_t **list,
    size_t *n)
{
    return hd_named_list(txn, &hd_named_product, pool, (void **) list, n);
}


hd_rc
hd_cert_type_list(hd_txn_t *txn, hd_pool_t *pool, hd_cert_type_t **list,
    size_t *n)
{
    return hd_named_list(txn, &hd_named_cert_type, pool, (void **) list, n);
}


hd_rc
hd_department_list(hd_txn_t *txn, hd_pool_t *pool, hd_department_t **list,
    size_t *n)
{
    return hd_named_list(txn, &hd_named_department, pool, (void **) list, n);
}


hd_rc
hd_department_defaults(hd_txn_t *txn, uint64_t now, hd_err_t *err)
{
    hd_rc            rc;
    size_t           i;
    hd_department_t  d;

    static const struct {
        const char  *name;
        uint32_t     flags;
    } defaults[] = {
        { "Базовая поддержка", HD_DEPARTMENT_GENERAL },
        { "Расширенная поддержка", 0 },
        { "Сервис-менеджеры", HD_DEPARTMENT_FEEDBACK },
    };

    for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
        memset(&d, 0, sizeof(d));
        d.name.data = (hd_uchar *) defaults[i].name;
        d.name.len = strlen(defaults[i].name);
        d.flags = defaults[i].flags;

        rc = hd_department_save(txn, &d, now, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    return HD_OK;
}


hd_rc
hd_department_with(hd_txn_t *txn, uint32_t flag, hd_department_t *d)
{
    hd_rc            rc;
    hd_str_t         k, v;
    hd_cursor_t      cur;
    hd_department_t  first;
    int              have_first = 0;

    rc = hd_cursor_open(txn, HD_DB_DEPARTMENTS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_department_desc, v.data, v.len, d)
            != HD_OK)
        {
            continue;
        }

        if (d->flags & flag) {
            hd_cursor_close(&cur);
            return HD_OK;
        }

        if (!have_first) {
            first = *d;
            have_first = 1;
        }
    }

    hd_cursor_close(&cur);

    if (flag == HD_DEPARTMENT_GENERAL && have_first) {
        *d = first;
        return HD_OK;
    }

    return HD_NOT_FOUND;
}


hd_rc
hd_department_general_default(hd_txn_t *txn, hd_err_t *err)
{
    hd_rc            rc;
    hd_department_t  d;

    rc = hd_department_with(txn, HD_DEPARTMENT_GENERAL, &d);

    if (rc == HD_NOT_FOUND || (rc == HD_OK && (d.flags
                                               & HD_DEPARTMENT_GENERAL)))
    {
        return HD_OK;       /* no departments, or one is marked */
    }

    if (rc != HD_OK) {
        return rc;
    }

    d.flags |= HD_DEPARTMENT_GENERAL;

    return hd_department_save(txn, &d, 0, err);
}


/* every name index entry has its record, every record its entry */
static void
hd_named_check(hd_txn_t *txn, const hd_named_t *e, hd_check_t *check)
{
    hd_rc         rc;
    size_t        records = 0, entries = 0;
    hd_str_t      k, v;
    hd_uchar      key[HD_SHA256_LEN], *rec;
    hd_cursor_t   cur;

    rec = malloc(e->desc->size);
    if (rec == NULL || hd_cursor_open(txn, e->db, &cur) != HD_OK) {
        free(rec);
        return;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(e->desc, v.data, v.len, rec) != HD_OK) {
            continue;
        }

        records++;
        hd_named_key(hd_named_name(e, rec), key);

        if (hd_db_get(txn, e->by_name, key, HD_SHA256_LEN, &v) != HD_OK
            || v.len != 8 || hd_be64_get(v.data) != hd_named_id(e, rec))
        {
            hd_check_problem(check, "%s %llu: its name is not indexed",
                             hd_dbs[e->db].name,
                             (unsigned long long) hd_named_id(e, rec));
        }
    }

    hd_cursor_close(&cur);
    free(rec);

    if (hd_db_count(txn, e->by_name, &entries) == HD_OK
        && entries != records)
    {
        hd_check_problem(check, "%s: %zu records but %zu name entries",
                         hd_dbs[e->db].name, records, entries);
    }
}


hd_rc
hd_product_check(hd_txn_t *txn, hd_check_t *check)
{
    hd_named_check(txn, &hd_named_product, check);
    hd_named_check(txn, &hd_named_cert_type, check);
    hd_named_check(txn, &hd_named_department, check);

    return HD_OK;
}

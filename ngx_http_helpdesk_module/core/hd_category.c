/*
 * Request categories (hd_category.h): records by their one-byte id, the
 * built-in ones overlaid with what was stored for them.
 */

#include <stdio.h>
#include <string.h>

#include "hd_category.h"
#include "hd_product.h"
#include "hd_schema.h"
#include "hd_text.h"
#include "hd_ticket.h"


static const hd_field_t  hd_category_fields[] = {
    hd_field(hd_category_t, 1, HD_FIELD_U8, id),
    hd_field(hd_category_t, 2, HD_FIELD_STR, name),
    hd_field(hd_category_t, 3, HD_FIELD_STR, label_ru),
    hd_field(hd_category_t, 4, HD_FIELD_STR, label_en),
    hd_field(hd_category_t, 5, HD_FIELD_STR, hint_ru),
    hd_field(hd_category_t, 6, HD_FIELD_STR, hint_en),
    hd_field(hd_category_t, 7, HD_FIELD_U64, department),
    hd_field(hd_category_t, 8, HD_FIELD_U8, disabled),
    hd_field(hd_category_t, 9, HD_FIELD_U64, created),
    hd_field(hd_category_t, 10, HD_FIELD_U64, updated),
};

const hd_record_desc_t  hd_category_desc = hd_record(HD_KIND_CATEGORY, 1,
                                                     hd_category_t,
                                                     hd_category_fields);


hd_rc
hd_category_get(hd_txn_t *txn, uint8_t id, hd_category_t *c)
{
    hd_rc     rc;
    hd_uchar  key[1];

    key[0] = id;
    rc = hd_record_get(txn, HD_DB_CATEGORIES, key, 1, &hd_category_desc, c);

    if (id < HD_CATEGORY_COUNT) {
        if (rc != HD_OK) {
            memset(c, 0, sizeof(*c));
        }

        /* the product's name and labels, whatever was stored */
        c->id = id;
        c->name.data = (hd_uchar *) hd_category_names[id];
        c->name.len = strlen(hd_category_names[id]);
        c->label_ru.len = 0;
        c->label_en.len = 0;
        c->builtin = 1;

        return HD_OK;
    }

    if (rc == HD_OK) {
        c->builtin = 0;
    }

    return rc;
}


int
hd_category_find(hd_txn_t *txn, const hd_uchar *name, size_t len)
{
    int            i;
    hd_str_t       k, v;
    hd_cursor_t    cur;
    hd_category_t  c;

    i = hd_name_index(hd_category_names, HD_CATEGORY_COUNT, name, len);
    if (i >= 0) {
        return i;
    }

    if (len == 0 || len > HD_CATEGORY_NAME_MAX
        || hd_cursor_open(txn, HD_DB_CATEGORIES, &cur) != HD_OK)
    {
        return -1;
    }

    i = -1;

    for (hd_rc rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_category_desc, v.data, v.len, &c) == HD_OK
            && c.id >= HD_CATEGORY_CUSTOM && c.name.len == len
            && memcmp(c.name.data, name, len) == 0)
        {
            i = c.id;
            break;
        }
    }

    hd_cursor_close(&cur);

    return i;
}


const char *
hd_category_name(hd_txn_t *txn, uint8_t id, char *buf, size_t size)
{
    hd_category_t  c;

    if (id < HD_CATEGORY_COUNT) {
        return hd_category_names[id];
    }

    if (txn == NULL || hd_category_get(txn, id, &c) != HD_OK) {
        snprintf(buf, size, "category_%u", (unsigned) id);
        return buf;
    }

    snprintf(buf, size, "%.*s", (int) c.name.len, c.name.data);

    return buf;
}


hd_rc
hd_category_list(hd_txn_t *txn, hd_pool_t *pool, hd_category_t **list,
    size_t *n)
{
    size_t          count = 0, stored = 0;
    hd_rc           rc;
    hd_str_t        k, v;
    hd_cursor_t     cur;
    hd_category_t  *items, c;

    *list = NULL;
    *n = 0;

    /* room for the built-in ones and every record (pages ask this for
       each form they show: not the 255 ids there could be) */
    (void) hd_db_count(txn, HD_DB_CATEGORIES, &stored);

    items = hd_palloc(pool, (HD_CATEGORY_COUNT + stored)
                            * sizeof(hd_category_t));
    if (items == NULL) {
        return HD_NOMEM;
    }

    for (count = 0; count < HD_CATEGORY_COUNT; count++) {
        rc = hd_category_get(txn, (uint8_t) count, &items[count]);
        if (rc != HD_OK) {
            return rc;
        }

        hd_record_strings_copy(&hd_category_desc, &items[count], pool);
    }

    rc = hd_cursor_open(txn, HD_DB_CATEGORIES, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK && count < HD_CATEGORY_COUNT + stored;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_category_desc, v.data, v.len, &c) != HD_OK
            || c.id < HD_CATEGORY_CUSTOM)
        {
            continue;
        }

        items[count] = c;
        hd_record_strings_copy(&hd_category_desc, &items[count], pool);
        count++;
    }

    hd_cursor_close(&cur);

    if (rc != HD_OK && rc != HD_NOT_FOUND) {
        return rc;
    }

    *list = items;
    *n = count;

    return HD_OK;
}


static void
hd_category_text(hd_errors_t *errors, const char *field, const hd_str_t *s,
    size_t max)
{
    if (s->len == 0) {
        return;
    }

    if (!hd_utf8_valid(s->data, s->len)
        || !hd_text_printable(s->data, s->len, 0))
    {
        hd_errors_add(errors, field, "text_invalid");

    } else if (hd_utf8_chars(s->data, s->len) > max) {
        hd_errors_add(errors, field, "field_too_long");
    }
}


typedef struct {
    hd_category_t  *c;
    uint64_t        now;
    hd_errors_t    *errors;
} hd_category_save_t;


static hd_rc
hd_category_save_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    int                  other;
    hd_rc                rc;
    hd_uchar             key[1];
    hd_category_t        old, *c;
    hd_department_t      d;
    hd_category_save_t  *s = arg;

    c = s->c;

    if (c->department != 0 && hd_department_get(txn, c->department, &d)
                              != HD_OK)
    {
        hd_errors_add(s->errors, "department", "department_unknown");
        return hd_err_set(err, HD_INVALID, "department", "department_unknown",
                          "no such department");
    }

    if (c->id != 0 || c->builtin) {
        /* a change: of one that exists */
        if (hd_category_get(txn, c->id, &old) != HD_OK) {
            return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                              "no category %u", (unsigned) c->id);
        }

        c->created = old.created ? old.created : s->now;

    } else {
        /* the next free id */
        for (c->id = HD_CATEGORY_CUSTOM;
             c->id < HD_CATEGORY_ID_MAX
             && hd_category_get(txn, c->id, &old) == HD_OK;
             c->id++)
        {
            /* void */
        }

        if (hd_category_get(txn, c->id, &old) == HD_OK) {
            hd_errors_add(s->errors, "name", "categories_full");
            return hd_err_set(err, HD_LIMIT, "name", "categories_full",
                              "no room for another category");
        }

        c->created = s->now;
    }

    if (c->id < HD_CATEGORY_COUNT) {
        /* a built-in one keeps the product's name and labels */
        c->name.len = 0;
        c->label_ru.len = 0;
        c->label_en.len = 0;

    } else {
        other = hd_category_find(txn, c->name.data, c->name.len);

        if (other >= 0 && other != c->id) {
            hd_errors_add(s->errors, "name", "category_name_taken");
            return hd_err_set(err, HD_CONFLICT, "name",
                              "category_name_taken",
                              "a category has that name");
        }
    }

    c->updated = s->now;
    key[0] = c->id;

    rc = hd_record_put(txn, HD_DB_CATEGORIES, key, 1, &hd_category_desc, c,
                       0, err);

    if (c->id < HD_CATEGORY_COUNT) {
        c->name.data = (hd_uchar *) hd_category_names[c->id];
        c->name.len = strlen(hd_category_names[c->id]);
    }

    return rc;
}


hd_rc
hd_category_save(hd_store_t *store, hd_category_t *c, uint64_t now,
    hd_errors_t *errors, hd_err_t *err)
{
    hd_category_save_t  s;

    hd_text_trim(&c->name);
    hd_text_trim(&c->label_ru);
    hd_text_trim(&c->label_en);
    hd_text_trim(&c->hint_ru);
    hd_text_trim(&c->hint_en);

    if (!c->builtin) {
        if (c->name.len == 0) {
            hd_errors_add(errors, "name", "category_name_required");

        } else if (!hd_text_identifier(&c->name, HD_CATEGORY_NAME_MAX)) {
            hd_errors_add(errors, "name", "category_name_invalid");
        }

        if (c->label_ru.len == 0 && c->label_en.len == 0) {
            hd_errors_add(errors, "label_ru", "category_label_required");
        }

        hd_category_text(errors, "label_ru", &c->label_ru,
                         HD_CATEGORY_LABEL_MAX);
        hd_category_text(errors, "label_en", &c->label_en,
                         HD_CATEGORY_LABEL_MAX);
    }

    hd_category_text(errors, "hint_ru", &c->hint_ru, HD_CATEGORY_HINT_MAX);
    hd_category_text(errors, "hint_en", &c->hint_en, HD_CATEGORY_HINT_MAX);

    if (errors->n) {
        return hd_err_set(err, HD_INVALID, errors->item[0].field,
                          errors->item[0].code, "the category is not valid");
    }

    s.c = c;
    s.now = now;
    s.errors = errors;

    return hd_txn_run(store, hd_category_save_txn, &s, err);
}

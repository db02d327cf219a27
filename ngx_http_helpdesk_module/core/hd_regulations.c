/*
 * The support regulations' editions (hd_regulations.h): records by id in
 * the order of their days (each must come after the last), the one in
 * force and the next day due in meta.
 */

#include <stdio.h>
#include <string.h>

#include "hd_regulations.h"
#include "hd_date.h"
#include "hd_notify.h"
#include "hd_schema.h"
#include "hd_store.h"
#include "hd_text.h"


#define HD_REG_CURRENT  "regulations:current"   /* the edition in force */
#define HD_REG_DUE      "regulations:due"       /* when the next one is */
#define HD_REG_ANNOUNCE "regulations:announce"  /* an edition being
                                                   announced, and the last
                                                   account mailed */
#define HD_REG_BATCH    500                     /* accounts a transaction */


static const hd_field_t  hd_edition_fields[] = {
    hd_field(hd_edition_t, 1, HD_FIELD_U64, id),
    hd_field(hd_edition_t, 2, HD_FIELD_U32, effective),
    hd_field(hd_edition_t, 3, HD_FIELD_U64, published),
    hd_field(hd_edition_t, 4, HD_FIELD_U64, author),
    hd_field(hd_edition_t, 5, HD_FIELD_STR, body_ru),
    hd_field(hd_edition_t, 6, HD_FIELD_STR, body_en),
};

const hd_record_desc_t  hd_edition_desc = hd_record(HD_KIND_EDITION, 1,
                                                    hd_edition_t,
                                                    hd_edition_fields);


static uint64_t
hd_reg_meta(hd_txn_t *txn, const char *key)
{
    hd_str_t  v;

    if (hd_db_get(txn, HD_DB_META, key, strlen(key), &v) != HD_OK
        || v.len != 8)
    {
        return 0;
    }

    return hd_be64_get(v.data);
}


static hd_rc
hd_reg_meta_put(hd_txn_t *txn, const char *key, uint64_t value, hd_err_t *err)
{
    hd_uchar  v[8];

    hd_be64_put(v, value);

    return hd_db_put(txn, HD_DB_META, key, strlen(key), v, 8, 0, err);
}


/* the instant a day begins, in the calendar's zone */
static uint64_t
hd_reg_day_start(uint32_t day)
{
    return (uint64_t) day * 86400 - HD_DATE_ZONE_OFFSET;
}


hd_rc
hd_regulations_get(hd_txn_t *txn, uint64_t id, hd_edition_t *e)
{
    hd_uchar  key[8];

    hd_be64_put(key, id);

    return hd_record_get(txn, HD_DB_REGULATIONS, key, 8, &hd_edition_desc, e);
}


uint64_t
hd_regulations_current_id(hd_txn_t *txn)
{
    return hd_reg_meta(txn, HD_REG_CURRENT);
}


hd_rc
hd_regulations_current(hd_txn_t *txn, hd_edition_t *e)
{
    uint64_t  id = hd_reg_meta(txn, HD_REG_CURRENT);

    return id ? hd_regulations_get(txn, id, e) : HD_NOT_FOUND;
}


/* the first edition after id (0: the first of all) */
static hd_rc
hd_reg_after(hd_txn_t *txn, uint64_t id, hd_edition_t *e)
{
    hd_rc        rc;
    hd_str_t     k, v;
    hd_uchar     key[8];
    hd_cursor_t  cur;

    rc = hd_cursor_open(txn, HD_DB_REGULATIONS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    hd_be64_put(key, id + 1);
    rc = hd_cursor_seek(&cur, key, 8, &k, &v);

    if (rc == HD_OK) {
        rc = hd_record_decode(&hd_edition_desc, v.data, v.len, e);
    }

    hd_cursor_close(&cur);

    return rc;
}


hd_rc
hd_regulations_coming(hd_txn_t *txn, hd_edition_t *e)
{
    return hd_reg_after(txn, hd_reg_meta(txn, HD_REG_CURRENT), e);
}


hd_rc
hd_regulations_list(hd_txn_t *txn, hd_pool_t *pool, hd_edition_t **list,
    size_t *n)
{
    size_t        count = 0, cap = 0;
    hd_rc         rc;
    hd_str_t      k, v;
    hd_cursor_t   cur;
    hd_edition_t  e, *items = NULL, *grown;

    *list = NULL;
    *n = 0;

    rc = hd_cursor_open(txn, HD_DB_REGULATIONS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_last(&cur, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_prev(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_edition_desc, v.data, v.len, &e) != HD_OK) {
            continue;
        }

        if (count == cap) {
            cap = cap ? 2 * cap : 8;
            grown = hd_palloc(pool, cap * sizeof(hd_edition_t));
            if (grown == NULL) {
                rc = HD_NOMEM;
                break;
            }

            if (count) {
                memcpy(grown, items, count * sizeof(hd_edition_t));
            }

            items = grown;
        }

        items[count] = e;
        hd_record_strings_copy(&hd_edition_desc, &items[count], pool);
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


const hd_str_t *
hd_regulations_text(const hd_edition_t *e, hd_lang_e lang)
{
    if (lang == HD_LANG_EN) {
        return e->body_en.len ? &e->body_en : &e->body_ru;
    }

    return e->body_ru.len ? &e->body_ru : &e->body_en;
}


/*
 * The announcement's next accounts, in one transaction: those after the
 * last one mailed (the marker's), at most HD_REG_BATCH; the marker moves
 * in the same transaction, so that each is mailed once whatever crashes,
 * and goes when every account was seen. *mailed adds how many
 */
static hd_rc
hd_reg_announce_batch(hd_txn_t *txn, const hd_portal_t *portal, uint64_t now,
    size_t *mailed, int *done, hd_err_t *err)
{
    char           ru[11], en[12];
    size_t         seen;
    hd_rc          rc;
    hd_str_t       k, v, marker;
    hd_val_t      *view;
    hd_uchar       key[8], mark[16];
    uint64_t       last;
    hd_cursor_t    cur;
    hd_arena_t    *arena;
    hd_edition_t   e;
    hd_account_t   a, *to;

    *done = 1;

    if (hd_db_get(txn, HD_DB_META, HD_REG_ANNOUNCE, strlen(HD_REG_ANNOUNCE),
                  &marker)
        != HD_OK || marker.len != 16)
    {
        return HD_OK;
    }

    last = hd_be64_get(marker.data + 8);

    if (hd_regulations_get(txn, hd_be64_get(marker.data), &e) != HD_OK) {
        return hd_db_del(txn, HD_DB_META, HD_REG_ANNOUNCE,
                         strlen(HD_REG_ANNOUNCE), err);
    }

    hd_date_format_ru((int32_t) e.effective, ru);
    hd_date_format_en((int32_t) e.effective, en);

    arena = hd_arena_create(65536);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_cursor_open(txn, HD_DB_ACCOUNTS, &cur);
    if (rc != HD_OK) {
        hd_arena_destroy(arena);
        return rc;
    }

    seen = 0;
    hd_be64_put(key, last + 1);

    for (rc = hd_cursor_seek(&cur, key, 8, &k, &v);
         rc == HD_OK && seen < HD_REG_BATCH;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        seen++;

        if (k.len == 8) {
            last = hd_be64_get(k.data);
        }

        if (hd_record_decode(&hd_account_desc, v.data, v.len, &a) != HD_OK
            || a.state != HD_ACCOUNT_ACTIVE || a.email.len == 0)
        {
            continue;
        }

        to = hd_account_copy(&arena->pool, &a);
        view = hd_val_map(&arena->pool);

        if (to == NULL || view == NULL) {
            rc = hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
            break;
        }

        hd_val_set_cstr(&arena->pool, view, "effective",
                        a.language == HD_LANG_EN ? en : ru);
        hd_val_set(&arena->pool, view, "link",
                   hd_notify_link(&arena->pool, portal, "regulations", ""));

        rc = hd_notify_account(txn, portal, "regulations_announced", to, NULL,
                               view, &arena->pool, now, err);
        if (rc != HD_OK) {
            break;
        }

        (*mailed)++;
    }

    hd_cursor_close(&cur);
    hd_arena_destroy(arena);

    if (rc == HD_NOT_FOUND) {
        /* every account seen: the announcement is over */
        return hd_db_del(txn, HD_DB_META, HD_REG_ANNOUNCE,
                         strlen(HD_REG_ANNOUNCE), err);
    }

    if (rc != HD_OK) {
        return rc;
    }

    *done = 0;
    hd_be64_put(mark, e.id);
    hd_be64_put(mark + 8, last);

    return hd_db_put(txn, HD_DB_META, HD_REG_ANNOUNCE,
                     strlen(HD_REG_ANNOUNCE), mark, 16, 0, err);
}


typedef struct {
    const hd_portal_t  *portal;
    uint64_t            now;
    size_t              mailed;
    int                 done;
} hd_reg_batch_t;


static hd_rc
hd_reg_batch_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    hd_reg_batch_t  *b = arg;

    return hd_reg_announce_batch(txn, b->portal, b->now, &b->mailed,
                                 &b->done, err);
}


hd_rc
hd_regulations_publish(const hd_portal_t *portal, hd_edition_t *e,
    uint64_t now, size_t *mailed, hd_errors_t *errors, hd_err_t *err)
{
    int32_t       today = hd_date_today(now);
    hd_rc         rc;
    hd_uchar      key[8];
    hd_txn_t      txn;
    uint64_t      due;
    hd_edition_t  last, *list;
    size_t        n;
    hd_arena_t   *arena;

    *mailed = 0;

    if (e->body_ru.len == 0 && e->body_en.len == 0) {
        hd_errors_add(errors, "body_ru", "edition_text_required");
    }

    if (e->body_ru.len > HD_REGULATIONS_BODY_MAX
        || e->body_en.len > HD_REGULATIONS_BODY_MAX)
    {
        hd_errors_add(errors, e->body_ru.len > HD_REGULATIONS_BODY_MAX
                              ? "body_ru" : "body_en", "edition_text_too_long");
    }

    if ((e->body_ru.len && !hd_utf8_valid(e->body_ru.data, e->body_ru.len))
        || (e->body_en.len && !hd_utf8_valid(e->body_en.data, e->body_en.len)))
    {
        hd_errors_add(errors, "body_ru", "text_invalid");
    }

    /* users are told 15 calendar days before it takes effect */
    if (e->effective == 0) {
        hd_errors_add(errors, "effective", "effective_required");

    } else if ((int32_t) e->effective < today + HD_REGULATIONS_NOTICE_DAYS) {
        hd_errors_add(errors, "effective", "effective_too_soon");
    }

    if (errors->n) {
        return hd_err_set(err, HD_INVALID, errors->item[0].field,
                          errors->item[0].code, "invalid edition");
    }

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    /* one edition after another: its day after the last one's */
    arena = hd_arena_create(4096);
    if (arena == NULL) {
        hd_txn_abort(&txn);
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_regulations_list(&txn, &arena->pool, &list, &n);

    if (rc == HD_OK && n > 0) {
        last = list[0];

        if (e->effective <= last.effective) {
            hd_errors_add(errors, "effective", "effective_not_after_last");
            rc = hd_err_set(err, HD_INVALID, "effective",
                            "effective_not_after_last",
                            "an edition takes effect after the last one");
        }
    }

    hd_arena_destroy(arena);

    e->published = now;

    if (rc == HD_OK) {
        rc = hd_seq_next(&txn, "editions", &e->id, err);
    }

    if (rc == HD_OK) {
        hd_be64_put(key, e->id);
        rc = hd_record_put(&txn, HD_DB_REGULATIONS, key, 8, &hd_edition_desc,
                           e, HD_PUT_NEW, err);
    }

    /* the timer's next day: the earliest one not in force */
    if (rc == HD_OK) {
        due = hd_reg_meta(&txn, HD_REG_DUE);

        if (due == 0 || hd_reg_day_start(e->effective) < due) {
            rc = hd_reg_meta_put(&txn, HD_REG_DUE,
                                 hd_reg_day_start(e->effective), err);
        }
    }

    /* announced to every active account, a batch a transaction after
       this one (a crash between them: the timer goes on from the marker) */
    if (rc == HD_OK) {
        hd_uchar  mark[16];

        hd_be64_put(mark, e->id);
        hd_be64_put(mark + 8, 0);
        rc = hd_db_put(&txn, HD_DB_META, HD_REG_ANNOUNCE,
                       strlen(HD_REG_ANNOUNCE), mark, 16, 0, err);
    }

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return rc;
    }

    rc = hd_txn_commit(&txn, err);
    if (rc != HD_OK) {
        return rc;
    }

    return hd_regulations_announce(portal, now, mailed, err);
}


hd_rc
hd_regulations_announce(const hd_portal_t *portal, uint64_t now,
    size_t *mailed, hd_err_t *err)
{
    int             pending;
    hd_rc           rc;
    hd_txn_t        txn;
    hd_reg_batch_t  b;

    *mailed = 0;

    /* nothing under way (the timer asks every tick): no write at all */
    rc = hd_txn_begin(portal->store, &txn, HD_TXN_READ, err);
    if (rc != HD_OK) {
        return rc;
    }

    pending = hd_regulations_announcing(&txn);
    hd_txn_abort(&txn);

    if (!pending) {
        return HD_OK;
    }

    memset(&b, 0, sizeof(b));
    b.portal = portal;
    b.now = now;

    do {
        b.done = 1;
        rc = hd_txn_run(portal->store, hd_reg_batch_txn, &b, err);
    } while (rc == HD_OK && !b.done);

    *mailed = b.mailed;

    return rc;
}


int
hd_regulations_announcing(hd_txn_t *txn)
{
    hd_str_t  v;

    return hd_db_get(txn, HD_DB_META, HD_REG_ANNOUNCE,
                     strlen(HD_REG_ANNOUNCE), &v)
           == HD_OK;
}


int
hd_regulations_due(hd_txn_t *txn, uint64_t now)
{
    uint64_t  due = hd_reg_meta(txn, HD_REG_DUE);

    return due != 0 && due <= now;
}


hd_rc
hd_regulations_sweep(hd_txn_t *txn, uint64_t now, uint64_t *changed,
    hd_err_t *err)
{
    hd_rc         rc;
    uint64_t      current;
    hd_edition_t  e;

    *changed = 0;

    if (!hd_regulations_due(txn, now)) {
        return HD_OK;
    }

    current = hd_reg_meta(txn, HD_REG_CURRENT);

    /* the last one whose day has come is in force; the next one is due */
    for (;;) {
        rc = hd_reg_after(txn, current, &e);

        if (rc == HD_NOT_FOUND) {
            rc = hd_reg_meta_put(txn, HD_REG_DUE, 0, err);
            break;
        }

        if (rc != HD_OK) {
            return rc;
        }

        if (hd_reg_day_start(e.effective) > now) {
            rc = hd_reg_meta_put(txn, HD_REG_DUE,
                                 hd_reg_day_start(e.effective), err);
            break;
        }

        current = e.id;
        *changed = current;
    }

    if (rc == HD_OK && *changed) {
        rc = hd_reg_meta_put(txn, HD_REG_CURRENT, *changed, err);
    }

    return rc;
}

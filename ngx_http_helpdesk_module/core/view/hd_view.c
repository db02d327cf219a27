/*
 * What every view shares: the JSON writer and the page's words for typed
 * values, names read once, and the parts several views show (a message of
 * a thread, the articles a customer was shown).
 */

#include <stdio.h>
#include <string.h>

#include "hd_view.h"
#include "hd_category.h"
#include "hd_date.h"
#include "hd_form.h"
#include "hd_kb.h"
#include "hd_product.h"


/* --- names ---------------------------------------------------------------- */


static hd_str_t  hd_view_nobody = hd_null_string;


hd_str_t *
hd_view_account_name(hd_view_names_t *names, uint64_t id)
{
    size_t        i;
    hd_account_t  a;

    if (id == 0) {
        return &hd_view_nobody;
    }

    for (i = 0; i < names->naccounts; i++) {
        if (names->account[i] == id) {
            return &names->account_name[i];
        }
    }

    i = names->naccounts < HD_VIEW_NAMES ? names->naccounts++
                                         : HD_VIEW_NAMES - 1;
    names->account[i] = id;
    names->account_name[i].len = 0;
    names->account_name[i].data = (hd_uchar *) "";

    if (hd_account_get(names->txn, id, &a) == HD_OK) {
        names->account_name[i].data = hd_pstrdup(names->pool, a.name.data,
                                                 a.name.len);
        names->account_name[i].len = a.name.len;
    }

    return &names->account_name[i];
}


hd_str_t *
hd_view_department_name(hd_view_names_t *names, uint64_t id)
{
    size_t           i;
    hd_department_t  d;

    for (i = 0; i < names->ndepartments; i++) {
        if (names->department[i] == id) {
            return &names->department_name[i];
        }
    }

    i = names->ndepartments < HD_VIEW_NAMES ? names->ndepartments++
                                            : HD_VIEW_NAMES - 1;
    names->department[i] = id;
    names->department_name[i].len = 0;
    names->department_name[i].data = (hd_uchar *) "";

    if (hd_department_get(names->txn, id, &d) == HD_OK) {
        names->department_name[i].data = hd_pstrdup(names->pool, d.name.data,
                                                    d.name.len);
        names->department_name[i].len = d.name.len;
    }

    return &names->department_name[i];
}


/* --- values ----------------------------------------------------------------*/


hd_val_t *
hd_view_str(hd_pool_t *pool, const hd_str_t *s, int opt)
{
    if (s->len == 0) {
        return opt ? hd_val_null() : hd_val_str(pool, "", 0);
    }

    return hd_val_str(pool, hd_pstrdup(pool, s->data, s->len), s->len);
}


hd_val_t *
hd_view_ref(hd_pool_t *pool, const hd_str_t *s, int opt)
{
    if (s->len == 0) {
        return opt ? hd_val_null() : hd_val_str(pool, "", 0);
    }

    return hd_val_str(pool, s->data, s->len);
}


int
hd_view_set_ref(hd_pool_t *pool, hd_val_t *map, const char *key,
    const hd_str_t *s, int opt)
{
    if (s->len == 0 && opt) {
        return hd_val_set(pool, map, key, hd_val_null());
    }

    return hd_val_set_str(pool, map, key, s->data, s->len);
}


int
hd_view_set_str(hd_pool_t *pool, hd_val_t *map, const char *key,
    const hd_str_t *s)
{
    return hd_val_set(pool, map, key, hd_view_str(pool, s, 0));
}


int
hd_view_set_opt(hd_pool_t *pool, hd_val_t *map, const char *key,
    const hd_str_t *s)
{
    return hd_val_set(pool, map, key, hd_view_str(pool, s, 1));
}


int
hd_view_set_id(hd_pool_t *pool, hd_val_t *map, const char *key, uint64_t id)
{
    return hd_val_set(pool, map, key, id ? hd_val_int(pool, (int64_t) id)
                                         : hd_val_null());
}


const char *
hd_view_code(const char *const *names, size_t n, unsigned i)
{
    return i < n ? names[i] : NULL;
}


hd_val_t *
hd_view_form_values(hd_pool_t *pool, const hd_str_t *stored)
{
    size_t           i, n;
    hd_val_t        *map;
    hd_form_value_t  v[HD_FORM_FIELDS_MAX];

    map = hd_val_map(pool);
    n = hd_form_values(stored, v, HD_FORM_FIELDS_MAX);

    for (i = 0; i < n; i++) {
        if (v[i].name.len > HD_FORM_NAME_MAX) {
            continue;
        }

        hd_val_set_n(pool, map, hd_pstrdup(pool, v[i].name.data,
                                           v[i].name.len),
                     v[i].name.len, hd_view_str(pool, &v[i].value, 0));
    }

    return map;
}


const char *const  hd_view_severities[4] = { "1", "2", "3", "4" };


const char *
hd_view_severity_code(unsigned severity)
{
    return hd_view_severities[severity >= 1 && severity <= 4
                              ? severity - 1 : 3];
}


hd_val_t *
hd_view_choices(hd_pool_t *pool, const char *group,
    const char *const *codes, size_t n, const char *selected)
{
    size_t     i;
    hd_val_t  *list, *item;

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        item = hd_val_map(pool);
        hd_val_set_cstr(pool, item, "value", codes[i]);
        hd_val_set_word(pool, item, "label", group, codes[i]);
        hd_val_set_bool(pool, item, "selected",
                        selected != NULL && strcmp(codes[i], selected) == 0);
        hd_val_push(pool, list, item);
    }

    return list;
}


const char *
hd_view_category_name(hd_txn_t *txn, hd_pool_t *pool, unsigned id)
{
    char         buf[HD_CATEGORY_NAME_MAX + 16];
    const char  *name;

    if (id < HD_CATEGORY_COUNT) {
        return hd_category_names[id];
    }

    name = hd_category_name(txn, (uint8_t) id, buf, sizeof(buf));

    return (char *) hd_pstrdup(pool, name, strlen(name) + 1);
}


void
hd_view_ticket_words(const hd_viewer_t *viewer, hd_txn_t *txn,
    hd_pool_t *pool, hd_val_t *view, const hd_ticket_t *t,
    const char *category)
{
    hd_category_t    c;
    const hd_str_t  *l;

    hd_val_set_page(pool, view, "title", hd_view_str(pool, &t->subject, 0));
    hd_val_set_page(pool, view, "status_code",
                    hd_val_cstr(pool,
                                hd_status_names[t->status % HD_STATUS_COUNT]));
    hd_val_set_page(pool, view, "priority_code",
                    hd_val_cstr(pool, hd_priority_names[t->priority
                                                        % HD_PRIORITY_COUNT]));
    hd_val_set_page(pool, view, "severity_label",
                    hd_val_word(pool, HD_WORD_SEVERITY,
                                hd_view_severity_code(t->severity)));

    /* an empty string is still a value to a template's section */
    hd_val_set_page(pool, view, "has_product_version",
                    hd_val_bool(t->product_version.len != 0));
    hd_val_set_page(pool, view, "has_os_version",
                    hd_val_bool(t->os_version.len != 0));

    /* the category in the reader's language */
    if (hd_category_get(txn, t->category, &c) != HD_OK) {
        hd_val_set_page(pool, view, "category_label",
                        hd_val_cstr(pool, category));

    } else if (c.builtin) {
        hd_val_set_page(pool, view, "category_label",
                        hd_val_word(pool, HD_WORD_CATEGORY,
                                    hd_category_names[c.id
                                                      % HD_CATEGORY_COUNT]));

    } else {
        l = viewer->lang == HD_LANG_EN && c.label_en.len ? &c.label_en
            : c.label_ru.len ? &c.label_ru : &c.label_en;
        hd_val_set_page(pool, view, "category_label",
                        hd_view_str(pool, l, 0));
    }
}


hd_rc
hd_view_no_ticket(hd_err_t *err, hd_rc rc, uint64_t number)
{
    if (rc == HD_NOT_FOUND) {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                          "no ticket %llu for this reader",
                          (unsigned long long) number);
    }

    return hd_err_set(err, rc, NULL, "io", "ticket %llu cannot be read: %s",
                      (unsigned long long) number, hd_rc_name(rc));
}


hd_val_t *
hd_view_rating(hd_pool_t *pool, const hd_ticket_t *t)
{
    hd_val_t  *rating;

    if (t->rating == 0) {
        return hd_val_null();
    }

    rating = hd_val_map(pool);
    hd_val_set_int(pool, rating, "stars", t->rating);
    hd_view_set_str(pool, rating, "comment", &t->rating_comment);

    return rating;
}


void
hd_view_set_change(hd_pool_t *pool, hd_val_t *map, const char *words,
    unsigned action, unsigned from, unsigned to)
{
    hd_val_set_word(pool, map, "action", HD_WORD_EVENT,
                    hd_action_names[action % HD_ACTION_COUNT]);
    hd_val_set_word(pool, map, "from", words,
                    hd_view_code(hd_status_names, HD_STATUS_COUNT, from));
    hd_val_set_word(pool, map, "to", words,
                    hd_view_code(hd_status_names, HD_STATUS_COUNT, to));
}


hd_val_t *
hd_view_reversed(hd_pool_t *pool, const hd_val_t *list)
{
    size_t          i;
    hd_val_t       *out;
    hd_val_item_t  *it, **items;

    out = hd_val_list(pool);
    items = hd_palloc(pool, (list->u.items.n + 1) * sizeof(hd_val_item_t *));

    if (out == NULL || items == NULL) {
        return out;
    }

    for (i = 0, it = list->u.items.head; it != NULL; it = it->next) {
        items[i++] = it;
    }

    while (i-- > 0) {
        hd_val_push(pool, out, items[i]->val);
    }

    return out;
}


/* --- JSON ----------------------------------------------------------------- */


static void
hd_view_2d(hd_uchar *p, unsigned n)
{
    p[0] = (hd_uchar) ('0' + n / 10 % 10);
    p[1] = (hd_uchar) ('0' + n % 10);
}


/* 2026-11-21T10:00:00Z, by hand: an API answer has a time per message */
static size_t
hd_view_iso_time(uint64_t t, char *out)
{
    int        y, m, d;
    uint64_t   s = t % 86400;
    hd_uchar  *p = (hd_uchar *) out;

    hd_date_to_ymd((int32_t) (t / 86400), &y, &m, &d);

    hd_view_2d(p, (unsigned) y / 100);
    hd_view_2d(p + 2, (unsigned) y % 100);
    p[4] = '-';
    hd_view_2d(p + 5, (unsigned) m);
    p[7] = '-';
    hd_view_2d(p + 8, (unsigned) d);
    p[10] = 'T';
    hd_view_2d(p + 11, (unsigned) (s / 3600));
    p[13] = ':';
    hd_view_2d(p + 14, (unsigned) (s / 60 % 60));
    p[16] = ':';
    hd_view_2d(p + 17, (unsigned) (s % 60));
    p[19] = 'Z';

    return 20;
}


void
hd_view_json(hd_jw_t *w, const hd_val_t *v)
{
    char                  text[32];
    size_t                i;
    const hd_val_item_t  *item;

    switch (v->type) {

    case HD_VAL_NULL:
        hd_jw_null(w);
        return;

    case HD_VAL_BOOL:
        hd_jw_bool(w, v->u.boolean);
        return;

    case HD_VAL_INT:
        hd_jw_int(w, v->u.integer);
        return;

    case HD_VAL_REAL:
        /* views count, they do not measure: a real is written whole */
        hd_jw_int(w, (int64_t) v->u.real);
        return;

    case HD_VAL_STR:
        hd_jw_str(w, v->u.str.data, v->u.str.len);
        return;

    case HD_VAL_LIST:
        hd_jw_array(w);

        for (item = v->u.items.head; item != NULL; item = item->next) {
            hd_view_json(w, item->val);
        }

        hd_jw_end(w, ']');
        return;

    case HD_VAL_MAP:
        hd_jw_object(w);

        for (item = v->u.items.head; item != NULL; item = item->next) {
            if (item->page) {
                continue;
            }

            hd_jw_key_n(w, item->key.data, item->key.len);
            hd_view_json(w, item->val);
        }

        hd_jw_end(w, '}');
        return;

    case HD_VAL_GEN:
        hd_jw_array(w);

        for (i = 0; i < v->u.gen.n; i++) {
            hd_view_json(w, v->u.gen.next(v->u.gen.data, i));
        }

        hd_jw_end(w, ']');
        return;

    case HD_VAL_TIME:
        if (v->u.typed.n == 0) {
            hd_jw_null(w);
            return;
        }

        hd_jw_str(w, text, hd_view_iso_time((uint64_t) v->u.typed.n, text));
        return;

    case HD_VAL_DAY:
        hd_date_format((int32_t) v->u.typed.n, text);
        hd_jw_str(w, text, 10);
        return;

    case HD_VAL_WORD:
        hd_jw_cstr(w, v->u.typed.code);
        return;

    case HD_VAL_SIZE:
        hd_jw_int(w, v->u.typed.n);
        return;
    }

    hd_jw_null(w);
}


/* --- a page's words --------------------------------------------------------*/


size_t
hd_view_time_text(uint64_t t, hd_lang_e lang, hd_uchar *p)
{
    int                y, m, d;
    size_t             k;
    uint64_t           s;
    static const char  months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

    if (t == 0) {
        return 0;
    }

    t += HD_DATE_ZONE_OFFSET;
    s = t % 86400;
    hd_date_to_ymd((int32_t) (t / 86400), &y, &m, &d);

    /* by hand: pages show a time per row, printf is the slow part;
       "03.12.2026 09:44", "03 Dec 2026 09:44" (never ISO on a page) */
    if (lang == HD_LANG_RU) {
        hd_view_2d(p, (unsigned) d);
        p[2] = '.';
        hd_view_2d(p + 3, (unsigned) m);
        p[5] = '.';
        hd_view_2d(p + 6, (unsigned) y / 100);
        hd_view_2d(p + 8, (unsigned) y % 100);
        k = 10;

    } else {
        hd_view_2d(p, (unsigned) d);
        p[2] = ' ';
        memcpy(p + 3, &months[((unsigned) m - 1) % 12 * 3], 3);
        p[6] = ' ';
        hd_view_2d(p + 7, (unsigned) y / 100);
        hd_view_2d(p + 9, (unsigned) y % 100);
        k = 11;
    }

    p[k] = ' ';
    hd_view_2d(p + k + 1, (unsigned) (s / 3600));
    p[k + 3] = ':';
    hd_view_2d(p + k + 4, (unsigned) (s / 60 % 60));

    return k + 6;
}


/* "340 bytes", "12 KB", "3.4 MB" */
static size_t
hd_view_size_text(uint64_t size, const hd_val_t *catalog, hd_uchar *out,
    size_t room)
{
    int              n;
    const char      *key;
    const hd_str_t  *unit;

    key = size < 1024 ? "tickets.bytes"
          : size < 1024 * 1024 ? "tickets.kb" : "tickets.mb";
    unit = hd_i18n_text(catalog, key);

    if (size < 1024) {
        n = snprintf((char *) out, room, "%llu %.*s",
                     (unsigned long long) size,
                     unit ? (int) unit->len : 0,
                     unit ? (char *) unit->data : "");

    } else if (size < 1024 * 1024) {
        n = snprintf((char *) out, room, "%llu %.*s",
                     (unsigned long long) (size + 1023) / 1024,
                     unit ? (int) unit->len : 0,
                     unit ? (char *) unit->data : "");

    } else {
        n = snprintf((char *) out, room, "%llu.%llu %.*s",
                     (unsigned long long) size / (1024 * 1024),
                     (unsigned long long) (size % (1024 * 1024)) * 10
                     / (1024 * 1024),
                     unit ? (int) unit->len : 0,
                     unit ? (char *) unit->data : "");
    }

    return n < 0 ? 0 : (size_t) n < room ? (size_t) n : room - 1;
}


static void
hd_view_localize_one(hd_pool_t *pool, hd_val_t *v, const hd_val_t *catalog,
    hd_lang_e lang)
{
    char             key[96];
    size_t           len, glen, clen;
    hd_uchar        *p;
    const hd_str_t  *text;

    /* a word is the catalogue's text: nothing is made */
    if (v->type == HD_VAL_WORD) {
        if (v->u.typed.code == NULL) {
            return;
        }

        /* by hand: a page has a word per row and per choice */
        glen = strlen(v->u.typed.group);
        clen = strlen(v->u.typed.code);

        if (glen + clen >= sizeof(key)) {
            return;
        }

        memcpy(key, v->u.typed.group, glen);
        memcpy(key + glen, v->u.typed.code, clen + 1);
        text = hd_i18n_text(catalog, key);

        /* a catalogue without the word shows the code itself */
        if (text != NULL) {
            v->u.typed.text = *text;

        } else {
            v->u.typed.text.data = (hd_uchar *) v->u.typed.code;
            v->u.typed.text.len = strlen(v->u.typed.code);
        }

        return;
    }

    p = hd_palloc(pool, 64);
    if (p == NULL) {
        return;
    }

    switch (v->type) {

    case HD_VAL_TIME:
        len = hd_view_time_text((uint64_t) v->u.typed.n, lang, p);
        break;

    case HD_VAL_DAY:
        if (lang == HD_LANG_RU) {
            hd_date_format_ru((int32_t) v->u.typed.n, (char *) p);

        } else {
            hd_date_format_en((int32_t) v->u.typed.n, (char *) p);
        }

        len = strlen((char *) p);
        break;

    case HD_VAL_SIZE:
        len = hd_view_size_text((uint64_t) v->u.typed.n, catalog, p, 64);
        break;

    default:
        return;
    }

    v->u.typed.text.data = p;
    v->u.typed.text.len = len;
}


void
hd_view_localize(hd_pool_t *pool, hd_val_t *v, const hd_val_t *catalog,
    hd_lang_e lang)
{
    hd_val_item_t  *item;

    if (v == NULL) {
        return;
    }

    if (v->type == HD_VAL_MAP || v->type == HD_VAL_LIST) {
        for (item = v->u.items.head; item != NULL; item = item->next) {
            hd_view_localize(pool, item->val, catalog, lang);
        }

        return;
    }

    /* a value met twice (one map in two lists) is made once */
    if (v->type >= HD_VAL_TIME && v->u.typed.text.data == NULL) {
        hd_view_localize_one(pool, v, catalog, lang);
    }
}


void
hd_view_words_init(hd_view_words_t *words, const hd_viewer_t *viewer)
{
    hd_view_memo_t  *memo = viewer->memo;

    words->catalog = viewer->page ? viewer->catalog : NULL;
    words->lang = viewer->lang;
    words->memo = NULL;

    if (words->catalog == NULL || memo == NULL) {
        return;
    }

    /* a memo is one catalogue's in one language: the first to use it */
    if (memo->catalog == NULL) {
        memo->catalog = words->catalog;
        memo->lang = words->lang;
        memo->n = 0;
    }

    if (memo->catalog == words->catalog && memo->lang == words->lang) {
        words->memo = memo;
    }
}


void
hd_view_word_fill(hd_view_words_t *words, hd_val_t *v, const char *group,
    const char *code)
{
    size_t               i, h;
    hd_view_memo_t      *memo = words->memo;
    hd_view_memo_word_t *w;

    v->type = HD_VAL_WORD;
    v->u.typed.n = 0;
    v->u.typed.group = group;
    v->u.typed.code = code;
    v->u.typed.text.data = NULL;
    v->u.typed.text.len = 0;

    if (words->catalog == NULL || code == NULL) {
        return;
    }

    if (memo == NULL) {
        hd_view_localize_one(NULL, v, words->catalog, words->lang);
        return;
    }

    /* open addressing by the two pointers; a full memo looks up */
    h = (((uintptr_t) code >> 3) * 31 + ((uintptr_t) group >> 3))
        & (HD_VIEW_MEMO - 1);

    for (i = 0; i < HD_VIEW_MEMO; i++) {
        w = &memo->word[(h + i) & (HD_VIEW_MEMO - 1)];

        if (w->code == NULL) {
            break;
        }

        if (w->code == code && w->group == group) {
            v->u.typed.text = w->text;
            return;
        }
    }

    hd_view_localize_one(NULL, v, words->catalog, words->lang);

    if (i < HD_VIEW_MEMO && memo->n < HD_VIEW_MEMO * 3 / 4) {
        w->group = group;
        w->code = code;
        w->text = v->u.typed.text;
        memo->n++;
    }
}


int
hd_view_set_word(hd_view_words_t *words, hd_pool_t *pool, hd_val_t *map,
    const char *key, const char *group, const char *code)
{
    hd_val_t  *v;

    v = hd_pcalloc(pool, sizeof(hd_val_t));
    if (v == NULL) {
        return -1;
    }

    hd_view_word_fill(words, v, group, code);

    return hd_val_set(pool, map, key, v);
}


void
hd_view_time_fill(hd_view_words_t *words, hd_pool_t *pool, hd_val_t *v,
    uint64_t t)
{
    hd_uchar  *p;

    v->type = HD_VAL_TIME;
    v->u.typed.n = (int64_t) t;
    v->u.typed.code = NULL;
    v->u.typed.group = NULL;
    v->u.typed.text.data = NULL;
    v->u.typed.text.len = 0;

    if (words->catalog == NULL) {
        return;
    }

    p = hd_palloc(pool, 20);
    if (p != NULL) {
        v->u.typed.text.len = hd_view_time_text(t, words->lang, p);
        v->u.typed.text.data = p;
    }
}


/* --- what several views show -----------------------------------------------*/


hd_view_row_t *
hd_view_rows(hd_txn_t *txn, hd_pool_t *pool, const hd_ticket_t *tickets,
    size_t n, int replier)
{
    size_t              i;
    hd_view_row_t      *rows, *r;
    hd_view_names_t     names;
    const hd_ticket_t  *t;

    rows = hd_pcalloc(pool, (n ? n : 1) * sizeof(hd_view_row_t));
    if (rows == NULL) {
        return NULL;
    }

    memset(&names, 0, sizeof(names));
    names.txn = txn;
    names.pool = pool;

    for (i = 0; i < n; i++) {
        t = &tickets[i];
        r = &rows[i];

        r->number = t->number;
        r->created = t->created;
        r->updated = t->updated;
        r->sla_due = t->sla_due;
        r->department_id = t->department;
        r->owner_id = t->owner;
        r->subject.len = t->subject.len;
        r->subject.data = hd_pstrdup(pool, t->subject.data, t->subject.len);
        r->department = *hd_view_department_name(&names, t->department);
        r->owner = *hd_view_account_name(&names, t->owner);
        r->author = *hd_view_account_name(&names, t->author);
        r->last_replier = replier
                          ? *hd_view_account_name(&names, t->last_replier)
                          : hd_view_nobody;
        r->status = t->status;
        r->priority = t->priority;
        r->type = t->type;
        r->severity = t->severity;
        r->channel = t->channel;
        r->side = t->last_side;
        r->sla_state = t->sla_state;
        r->premium = t->premium != 0;

        if (r->subject.data == NULL && t->subject.len) {
            return NULL;
        }
    }

    return rows;
}


void
hd_view_fill_str(hd_val_t *v, const hd_str_t *s, int opt)
{
    if (opt && s->len == 0) {
        v->type = HD_VAL_NULL;
        return;
    }

    v->type = HD_VAL_STR;
    v->u.str = *s;
}


void
hd_view_fill_int(hd_val_t *v, uint64_t n, int opt)
{
    if (opt && n == 0) {
        v->type = HD_VAL_NULL;
        return;
    }

    v->type = HD_VAL_INT;
    v->u.integer = (int64_t) n;
}


void
hd_view_fill_code(hd_val_t *v, const char *code)
{
    if (code == NULL) {
        v->type = HD_VAL_NULL;
        return;
    }

    v->type = HD_VAL_STR;
    v->u.str.data = (hd_uchar *) code;
    v->u.str.len = strlen(code);
}


static hd_val_t *
hd_view_file(const hd_viewer_t *viewer, hd_pool_t *pool,
    const hd_attachment_t *f)
{
    int        n;
    char       path[96];
    size_t     room;
    hd_val_t  *item;
    hd_uchar  *url;

    item = hd_val_map(pool);
    hd_val_set_int(pool, item, "id", (int64_t) f->id);
    hd_view_set_ref(pool, item, "name", &f->name, 0);
    hd_view_set_ref(pool, item, "type", &f->type, 0);
    hd_val_set(pool, item, "size", hd_val_size(pool, f->size));

    room = viewer->mount.len + sizeof(path);
    url = hd_palloc(pool, room);
    if (url == NULL) {
        return item;
    }

    n = snprintf(path, sizeof(path), "tickets/%llu/files/%llu",
                 (unsigned long long) f->ticket,
                 (unsigned long long) f->id);

    memcpy(url, viewer->mount.data, viewer->mount.len);
    memcpy(url + viewer->mount.len, "api/v1/", 7);
    memcpy(url + viewer->mount.len + 7, path, (size_t) n);
    hd_val_set_str(pool, item, "url", url, viewer->mount.len + 7 + n);

    /* a page links the file as the portal serves it to browsers */
    if (viewer->page) {
        hd_uchar  *href;

        href = hd_palloc(pool, viewer->mount.len + (size_t) n);
        if (href != NULL) {
            memcpy(href, viewer->mount.data, viewer->mount.len);
            memcpy(href + viewer->mount.len, path, (size_t) n);
            hd_val_set_page(pool, item, "href",
                            hd_val_str(pool, href,
                                       viewer->mount.len + (size_t) n));
        }
    }

    return item;
}


hd_val_t *
hd_view_message(const hd_viewer_t *viewer, hd_view_names_t *names,
    const hd_message_t *m, const hd_attachment_t *files, size_t nfiles)
{
    size_t       i;
    hd_val_t    *item, *list, *event;
    hd_pool_t   *pool = names->pool;
    const char  *status_words;

    status_words = viewer->staff_route ? HD_WORD_STAFF_STATUS
                                       : HD_WORD_STATUS;

    item = hd_val_map(pool);
    hd_val_set_int(pool, item, "id", (int64_t) m->id);
    hd_val_set_cstr(pool, item, "kind",
                    hd_message_kind_names[m->kind % HD_MESSAGE_KIND_COUNT]);
    hd_val_set_word(pool, item, "side", HD_WORD_SIDE,
                    hd_side_names[m->side % HD_SIDE_COUNT]);
    hd_val_set_cstr(pool, item, "channel",
                    hd_channel_names[m->channel % HD_CHANNEL_COUNT]);
    hd_view_set_ref(pool, item, "author",
                    hd_view_account_name(names, m->author), 0);
    hd_view_set_ref(pool, item, "body", &m->body, 0);
    hd_val_set_time(pool, item, "created", m->created);

    /* staff are told a mail's sender may be forged */
    if ((m->flags & HD_MESSAGE_UNVERIFIED)
        && hd_account_is_staff(viewer->account))
    {
        hd_val_set_bool(pool, item, "unverified_sender", 1);
    }

    list = hd_val_list(pool);

    for (i = 0; i < nfiles; i++) {
        if (files[i].message == m->id) {
            hd_val_push(pool, list, hd_view_file(viewer, pool, &files[i]));
        }
    }

    hd_val_set(pool, item, "attachments", list);

    if (m->kind == HD_MESSAGE_EVENT) {
        event = hd_val_map(pool);
        hd_view_set_change(pool, event, status_words, m->action, m->from,
                           m->to);
        hd_val_set(pool, item, "event", event);
    }

    if (!viewer->page) {
        return item;
    }

    hd_val_set_page(pool, item, "kind_label",
                    hd_val_word(pool, HD_WORD_KIND,
                                hd_message_kind_names[m->kind
                                                  % HD_MESSAGE_KIND_COUNT]));
    hd_val_set_page(pool, item, "staff",
                    hd_val_bool(m->side == HD_SIDE_STAFF));
    hd_val_set_page(pool, item, "by_email",
                    hd_val_bool(m->channel == HD_CHANNEL_EMAIL
                                && m->kind != HD_MESSAGE_EVENT));
    hd_val_set_page(pool, item, "has_attachments",
                    hd_val_bool(list->u.items.n != 0));

    if (m->kind == HD_MESSAGE_EVENT) {
        /* an auto-close says why; an SLA event names its clock */
        if (m->action == HD_ACTION_AUTOCLOSE) {
            hd_val_set_page(pool, item, "why",
                            hd_val_word(pool, "tickets.autoclosed_",
                                        m->from == HD_STATUS_SOLVED
                                        ? "solved" : "no_info"));
        }

        if ((m->action == HD_ACTION_SLA_AT_RISK
             || m->action == HD_ACTION_SLA_BREACH)
            && m->body.len)
        {
            hd_val_set_page(pool, item, "clock",
                            hd_view_ref(pool, &m->body, 0));
        }
    }

    return item;
}


hd_str_t
hd_view_kb_url(const hd_viewer_t *viewer, hd_pool_t *pool, uint64_t id,
    const hd_str_t *slug)
{
    int       n;
    hd_str_t  url = hd_null_string;

    url.data = hd_palloc(pool, viewer->mount.len + slug->len + 32);
    if (url.data == NULL) {
        return url;
    }

    memcpy(url.data, viewer->mount.data, viewer->mount.len);
    n = snprintf((char *) url.data + viewer->mount.len, 32, "kb/%llu%s",
                 (unsigned long long) id, slug->len ? "-" : "");
    memcpy(url.data + viewer->mount.len + n, slug->data, slug->len);
    url.len = viewer->mount.len + (size_t) n + slug->len;

    return url;
}


hd_val_t *
hd_view_kb_shown(const hd_viewer_t *viewer, hd_txn_t *txn, hd_pool_t *pool,
    const hd_str_t *shown)
{
    size_t            i, n;
    uint64_t          ids[HD_KB_LIST_MAX];
    hd_str_t          url;
    hd_val_t         *list, *item;
    hd_kb_article_t   a;

    list = hd_val_list(pool);
    n = hd_kb_ids(shown, ids, HD_KB_LIST_MAX);

    for (i = 0; i < n; i++) {
        /* ids a form sent: only what this reader may read is named */
        if (hd_kb_get(txn, ids[i], &a) != HD_OK
            || !hd_kb_visible(&a, hd_kb_reader(viewer->account)))
        {
            continue;
        }

        url = hd_view_kb_url(viewer, pool, a.id, &a.slug);

        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "id", (int64_t) a.id);
        hd_view_set_str(pool, item, "title", &a.title);
        hd_val_set_str(pool, item, "url", url.data, url.len);

        if (viewer->page && a.audience != HD_KB_PUBLIC) {
            hd_val_set_page(pool, item, "audience",
                            hd_val_word(pool, HD_WORD_KB_AUDIENCE,
                                        hd_kb_audience_names[a.audience
                                                % HD_KB_AUDIENCE_COUNT]));
        }

        hd_val_push(pool, list, item);
    }

    return list;
}

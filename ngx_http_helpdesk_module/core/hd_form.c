/*
 * Ticket forms (hd_form.h): definitions read and checked, stored per
 * (category, type) under a two-byte key, the built-in defaults, and the
 * values of a ticket checked, encoded and read back.
 */

#define _GNU_SOURCE         /* memmem */

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hd_form.h"
#include "hd_category.h"
#include "hd_date.h"
#include "hd_schema.h"
#include "hd_text.h"
#include "hd_ticket.h"


#define HD_FORM_SEP_NAME   '\x1f'       /* between a name and its value */
#define HD_FORM_SEP_PAIR   '\x1e'       /* after each value */


static const hd_field_t  hd_form_fields[] = {
    hd_field(hd_form_rec_t, 1, HD_FIELD_U8, category),
    hd_field(hd_form_rec_t, 2, HD_FIELD_U8, type),
    hd_field(hd_form_rec_t, 3, HD_FIELD_STR, text),
    hd_field(hd_form_rec_t, 4, HD_FIELD_U64, updated),
    hd_field(hd_form_rec_t, 5, HD_FIELD_U64, author),
};

const hd_record_desc_t  hd_form_desc = hd_record(HD_KIND_FORM, 1,
                                                 hd_form_rec_t,
                                                 hd_form_fields);

const char  *hd_form_kind_names[HD_FORM_KIND_COUNT] = {
    "text", "long", "select", "date", "checkbox"
};


/*
 * The defaults: Kaspersky's subtype and "certified version" on every
 * technical request (block 8), Keysystems' details of an error and of an
 * enhancement (§5.3). Optional: a client of the API that sent none before
 * is not refused now; an administrator makes them required.
 */
static const struct {
    uint8_t      category;
    uint8_t      type;
    const char  *text;
} hd_form_defaults[] = {

    { HD_CATEGORY_TECHNICAL, HD_FORM_ANY,
      "subtype | select | optional | Подтип запроса | Subtype of the request"
      " | installation: Установка и обновление / Installation and update;"
      " licensing: Лицензирование и активация / Licensing and activation;"
      " detection: Обнаружение угроз / Threat detection;"
      " performance: Производительность / Performance;"
      " compatibility: Совместимость / Compatibility;"
      " other: Другое / Other\n"
      "certified | checkbox | optional | Я использую сертифицированную"
      " версию продукта | I use a certified version of the product\n" },

    { HD_CATEGORY_TECHNICAL, HD_TYPE_BUG,
      "entity | text | optional | Сущность системы, в которой возникла"
      " ошибка (Навигатор: Администратор \\ Справочники \\ ...)"
      " | The system entity where the error happened"
      " (Navigator: Administrator \\ Reference books \\ ...)\n"
      "identifying | long | optional | Сведения, однозначно идентифицирующие"
      " документ, справочник или параметры отчёта | What identifies the"
      " document, the reference book or the report's parameters\n"
      "steps | long | optional | Последовательность действий, которая"
      " привела к ошибке | The steps that led to the error\n" },

    { HD_CATEGORY_TECHNICAL, HD_TYPE_ENHANCEMENT,
      "entity | text | optional | Сущность системы, для которой требуется"
      " доработка | The system entity to be enhanced\n"
      "desired_date | date | optional | Желаемый срок реализации"
      " | The desired date\n" }
};


static const char *
hd_form_default(uint8_t category, uint8_t type)
{
    size_t  i;

    for (i = 0; i < sizeof(hd_form_defaults) / sizeof(hd_form_defaults[0]);
         i++)
    {
        if (hd_form_defaults[i].category == category
            && hd_form_defaults[i].type == type)
        {
            return hd_form_defaults[i].text;
        }
    }

    return "";
}


/* the next "|"-separated (or sep) piece of [*p, end), trimmed */
static int
hd_form_piece(const hd_uchar **p, const hd_uchar *end, int sep, hd_str_t *out)
{
    const hd_uchar  *s = *p, *e;

    if (s == NULL || s > end) {
        out->data = NULL;
        out->len = 0;
        return 0;
    }

    e = memchr(s, sep, (size_t) (end - s));
    if (e == NULL) {
        e = end;
    }

    out->data = (hd_uchar *) s;
    out->len = (size_t) (e - s);
    hd_text_trim(out);

    *p = e < end ? e + 1 : end + 1;

    return 1;
}


static int
hd_form_label_ok(const hd_str_t *s)
{
    return s->len == 0
           || (hd_utf8_valid(s->data, s->len)
               && hd_text_printable(s->data, s->len, 0)
               && hd_utf8_chars(s->data, s->len) <= HD_FORM_LABEL_MAX);
}


/* "value: ru / en; ..." */
static int
hd_form_options(const hd_str_t *text, hd_form_field_t *f, const char **why)
{
    size_t            i;
    hd_str_t          item, labels;
    const hd_uchar   *p, *end, *colon, *q, *lend;
    hd_form_option_t *o;

    if (text->len == 0) {
        *why = "form_options_required";
        return -1;
    }

    p = text->data;
    end = text->data + text->len;

    while (p != NULL && p < end) {
        hd_form_piece(&p, end, ';', &item);

        if (item.len == 0) {
            continue;
        }

        if (f->noptions == HD_FORM_OPTIONS_MAX) {
            *why = "form_too_many_options";
            return -1;
        }

        o = &f->options[f->noptions];
        memset(o, 0, sizeof(*o));

        colon = memchr(item.data, ':', item.len);
        o->value.data = item.data;
        o->value.len = colon ? (size_t) (colon - item.data) : item.len;
        hd_text_trim(&o->value);

        if (!hd_text_identifier(&o->value, HD_FORM_NAME_MAX)) {
            *why = "form_option_invalid";
            return -1;
        }

        for (i = 0; i < f->noptions; i++) {
            if (hd_str_same(&f->options[i].value, &o->value)) {
                *why = "form_option_twice";
                return -1;
            }
        }

        if (colon != NULL) {
            labels.data = (hd_uchar *) colon + 1;
            labels.len = (size_t) (item.data + item.len - colon - 1);
            q = labels.data;
            lend = labels.data + labels.len;
            hd_form_piece(&q, lend, '/', &o->label[HD_LANG_RU]);
            hd_form_piece(&q, lend, '/', &o->label[HD_LANG_EN]);

            if (!hd_form_label_ok(&o->label[HD_LANG_RU])
                || !hd_form_label_ok(&o->label[HD_LANG_EN]))
            {
                *why = "form_label_invalid";
                return -1;
            }
        }

        f->noptions++;
    }

    if (f->noptions == 0) {
        *why = "form_options_required";
        return -1;
    }

    return 0;
}


int
hd_form_parse(const hd_str_t *text, hd_form_t *form, size_t *line,
    const char **why)
{
    int               k;
    size_t            i, ln = 0;
    hd_str_t          ln_text, name, kind, req, options;
    const hd_uchar   *s, *end, *nl, *p, *lend;
    hd_form_field_t  *f;

    form->nfields = 0;
    *line = 0;
    *why = NULL;

    if (text->len > HD_FORM_DEF_MAX) {
        *why = "form_too_long";
        return -1;
    }

    if (text->len && !hd_utf8_valid(text->data, text->len)) {
        *why = "form_line_invalid";
        return -1;
    }

    for (s = text->data, end = s + text->len; s != NULL && s < end;
         s = nl + 1)
    {
        nl = memchr(s, '\n', (size_t) (end - s));
        nl = nl ? nl : end;
        ln++;
        *line = ln;

        ln_text.data = (hd_uchar *) s;
        ln_text.len = (size_t) (nl - s);
        hd_text_trim(&ln_text);

        if (ln_text.len == 0 || ln_text.data[0] == '#') {
            continue;
        }

        if (form->nfields == HD_FORM_FIELDS_MAX) {
            *why = "form_too_many_fields";
            return -1;
        }

        f = &form->fields[form->nfields];
        memset(f, 0, sizeof(*f));

        p = ln_text.data;
        lend = ln_text.data + ln_text.len;
        hd_form_piece(&p, lend, '|', &name);
        hd_form_piece(&p, lend, '|', &kind);
        hd_form_piece(&p, lend, '|', &req);
        hd_form_piece(&p, lend, '|', &f->label[HD_LANG_RU]);
        hd_form_piece(&p, lend, '|', &f->label[HD_LANG_EN]);
        hd_form_piece(&p, lend, '|', &options);

        if (!hd_text_identifier(&name, HD_FORM_NAME_MAX)) {
            *why = "form_name_invalid";
            return -1;
        }

        for (i = 0; i < form->nfields; i++) {
            if (hd_str_same(&form->fields[i].name, &name)) {
                *why = "form_name_twice";
                return -1;
            }
        }

        f->name = name;
        memcpy(f->key, "fields.", 7);
        memcpy(f->key + 7, name.data, name.len);
        f->key[7 + name.len] = '\0';

        k = hd_name_index(hd_form_kind_names, HD_FORM_KIND_COUNT, kind.data,
                          kind.len);
        if (k < 0) {
            *why = "form_kind_invalid";
            return -1;
        }

        f->kind = (uint8_t) k;

        if (req.len == 8 && memcmp(req.data, "required", 8) == 0) {
            f->required = 1;

        } else if (!(req.len == 8 && memcmp(req.data, "optional", 8) == 0)) {
            *why = "form_required_invalid";
            return -1;
        }

        if (f->label[HD_LANG_RU].len == 0 && f->label[HD_LANG_EN].len == 0) {
            *why = "form_label_required";
            return -1;
        }

        if (!hd_form_label_ok(&f->label[HD_LANG_RU])
            || !hd_form_label_ok(&f->label[HD_LANG_EN]))
        {
            *why = "form_label_invalid";
            return -1;
        }

        if (f->kind == HD_FORM_SELECT) {
            if (hd_form_options(&options, f, why) != 0) {
                return -1;
            }

        } else if (options.len) {
            *why = "form_options_not_select";
            return -1;
        }

        if (f->kind == HD_FORM_CHECKBOX && f->required) {
            /* a box that must be ticked is a consent, not a field */
            *why = "form_checkbox_required";
            return -1;
        }

        form->nfields++;
    }

    *line = 0;

    return 0;
}


static void
hd_form_key(uint8_t category, uint8_t type, hd_uchar key[2])
{
    key[0] = category;
    key[1] = type;
}


/* the form's strings made the pool's */
static void
hd_form_own(hd_form_t *form, hd_pool_t *pool)
{
    size_t            i, o;
    hd_uchar         *base, *copy;
    hd_form_field_t  *f;

#define hd_form_rebase(s)                                                     \
    if ((s).len) { (s).data = copy + ((s).data - base); }

    base = form->text.data;
    copy = form->text.len ? hd_pstrdup(pool, base, form->text.len) : NULL;

    if (copy == NULL) {
        form->text.len = 0;
        form->nfields = 0;
        return;
    }

    form->text.data = copy;

    for (i = 0; i < form->nfields; i++) {
        f = &form->fields[i];
        hd_form_rebase(f->name);
        hd_form_rebase(f->label[HD_LANG_RU]);
        hd_form_rebase(f->label[HD_LANG_EN]);

        for (o = 0; o < f->noptions; o++) {
            hd_form_rebase(f->options[o].value);
            hd_form_rebase(f->options[o].label[HD_LANG_RU]);
            hd_form_rebase(f->options[o].label[HD_LANG_EN]);
        }
    }

#undef hd_form_rebase
}


hd_rc
hd_form_get(hd_txn_t *txn, uint8_t category, uint8_t type, hd_pool_t *pool,
    hd_form_t **out)
{
    size_t          line;
    hd_uchar        key[2];
    hd_form_t      *form;
    const char     *why, *def;
    hd_form_rec_t   rec;

    form = hd_palloc(pool, sizeof(hd_form_t));
    if (form == NULL) {
        return HD_NOMEM;
    }

    memset(form, 0, offsetof(hd_form_t, fields));
    form->category = category;
    form->type = type;

    hd_form_key(category, type, key);

    if (hd_record_get(txn, HD_DB_FORMS, key, 2, &hd_form_desc, &rec)
        == HD_OK)
    {
        form->stored = 1;
        form->text = rec.text;
        form->updated = rec.updated;
        form->author = rec.author;

    } else {
        def = hd_form_default(category, type);
        form->text.data = (hd_uchar *) def;
        form->text.len = strlen(def);
    }

    /* stored ones were checked when stored: one that no longer reads
       (a newer product's) has no fields rather than some */
    if (hd_form_parse(&form->text, form, &line, &why) != 0) {
        form->nfields = 0;
    }

    hd_form_own(form, pool);
    *out = form;

    return HD_OK;
}


hd_rc
hd_form_for(hd_txn_t *txn, uint8_t category, uint8_t type, hd_pool_t *pool,
    hd_form_t **out)
{
    size_t      i, k;
    hd_rc       rc;
    hd_form_t  *any, *typed;

    rc = hd_form_get(txn, category, HD_FORM_ANY, pool, &any);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_form_get(txn, category, type, pool, &typed);
    if (rc != HD_OK) {
        return rc;
    }

    /* the type's fields after the category's, a same name replacing */
    for (i = 0; i < typed->nfields; i++) {
        for (k = 0; k < any->nfields; k++) {
            if (hd_str_same(&any->fields[k].name, &typed->fields[i].name)) {
                break;
            }
        }

        if (k == any->nfields) {
            if (any->nfields == HD_FORM_FIELDS_MAX) {
                break;
            }

            any->nfields++;
        }

        any->fields[k] = typed->fields[i];
    }

    any->type = type;
    *out = any;

    return HD_OK;
}


typedef struct {
    uint8_t          category;
    uint8_t          type;
    int              reset;
    hd_form_rec_t    rec;
} hd_form_write_t;


static hd_rc
hd_form_write_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    hd_rc             rc;
    hd_uchar          key[2];
    hd_form_write_t  *w = arg;

    hd_form_key(w->category, w->type, key);

    if (w->reset) {
        rc = hd_db_del(txn, HD_DB_FORMS, key, 2, err);
        return rc == HD_NOT_FOUND ? HD_OK : rc;
    }

    return hd_record_put(txn, HD_DB_FORMS, key, 2, &hd_form_desc, &w->rec, 0,
                         err);
}


static int
hd_form_target_ok(uint8_t category, uint8_t type)
{
    return category <= HD_CATEGORY_ID_MAX
           && (type < HD_TYPE_COUNT || type == HD_FORM_ANY);
}


hd_rc
hd_form_set(hd_store_t *store, uint8_t category, uint8_t type,
    const hd_str_t *text, uint64_t author, uint64_t now, hd_errors_t *errors,
    hd_err_t *err)
{
    size_t            line;
    hd_form_t        *form;
    const char       *why;
    hd_form_write_t   w;

    if (!hd_form_target_ok(category, type)) {
        return hd_err_set(err, HD_INVALID, "category", "form_unknown",
                          "no such form");
    }

    form = malloc(sizeof(hd_form_t));
    if (form == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    if (hd_form_parse(text, form, &line, &why) != 0) {
        free(form);
        hd_errors_add(errors, "text", why);
        return hd_err_set(err, HD_INVALID, "text", why,
                          "line %zu of the form is not valid (%s)", line,
                          why);
    }

    free(form);

    memset(&w, 0, sizeof(w));
    w.category = category;
    w.type = type;
    w.rec.category = category;
    w.rec.type = type;
    w.rec.text = *text;
    w.rec.updated = now;
    w.rec.author = author;

    return hd_txn_run(store, hd_form_write_txn, &w, err);
}


hd_rc
hd_form_reset(hd_store_t *store, uint8_t category, uint8_t type,
    hd_err_t *err)
{
    hd_form_write_t  w;

    if (!hd_form_target_ok(category, type)) {
        return hd_err_set(err, HD_INVALID, "category", "form_unknown",
                          "no such form");
    }

    memset(&w, 0, sizeof(w));
    w.category = category;
    w.type = type;
    w.reset = 1;

    return hd_txn_run(store, hd_form_write_txn, &w, err);
}


const hd_form_field_t *
hd_form_field(const hd_form_t *form, const hd_str_t *name)
{
    size_t  i;

    for (i = 0; i < form->nfields; i++) {
        if (hd_str_same(&form->fields[i].name, name)) {
            return &form->fields[i];
        }
    }

    return NULL;
}


/* the code of what is wrong with a value, or NULL */
static const char *
hd_form_value_bad(const hd_form_field_t *f, hd_str_t *v)
{
    size_t   i, max;
    int32_t  day;

    switch (f->kind) {

    case HD_FORM_TEXT:
    case HD_FORM_LONG:
        max = f->kind == HD_FORM_TEXT ? HD_FORM_TEXT_MAX : HD_FORM_LONG_MAX;

        if (!hd_utf8_valid(v->data, v->len)
            || !hd_text_printable(v->data, v->len, f->kind == HD_FORM_LONG))
        {
            return "field_invalid";
        }

        if (hd_utf8_chars(v->data, v->len) > max) {
            return "field_too_long";
        }

        return NULL;

    case HD_FORM_SELECT:
        for (i = 0; i < f->noptions; i++) {
            if (hd_str_same(&f->options[i].value, v)) {
                return NULL;
            }
        }

        return "field_not_option";

    case HD_FORM_DATE:
        return hd_date_parse(v->data, v->len, &day) == 0 ? NULL
                                                         : "field_date";

    default:    /* a checkbox: ticked or not */
        if ((v->len == 1 && (v->data[0] == '1' || v->data[0] == '0'))
            || (v->len == 2 && memcmp(v->data, "on", 2) == 0)
            || (v->len == 4 && memcmp(v->data, "true", 4) == 0)
            || (v->len == 5 && memcmp(v->data, "false", 5) == 0))
        {
            return NULL;
        }

        return "field_not_yes_no";
    }
}


void
hd_form_check(const hd_form_t *form, const hd_form_value_t *given, size_t n,
    int strict, hd_pool_t *pool, hd_str_t *out, hd_errors_t *errors)
{
    size_t                  i, k, len;
    hd_str_t                v;
    hd_uchar               *p;
    const char             *bad;
    const hd_str_t         *found[HD_FORM_FIELDS_MAX];
    const hd_form_field_t  *f;

    out->data = NULL;
    out->len = 0;

    memset(found, 0, sizeof(found));

    for (i = 0; i < n; i++) {
        f = hd_form_field(form, &given[i].name);

        if (f == NULL) {
            if (strict) {
                /* the name is the caller's: its error says "fields" */
                hd_errors_add(errors, "fields", "field_unknown");
            }

            continue;
        }

        found[f - form->fields] = &given[i].value;
    }

    len = 0;

    for (k = 0; k < form->nfields; k++) {
        f = &form->fields[k];

        if (found[k] != NULL) {
            v = *found[k];
            hd_text_trim(&v);

            if (v.len) {
                bad = hd_form_value_bad(f, &v);

                if (bad != NULL) {
                    hd_errors_add(errors, f->key, bad);
                    found[k] = NULL;
                    continue;
                }
            }

            /* an unticked box is no value */
            if (f->kind == HD_FORM_CHECKBOX
                && (v.len == 0 || v.data[0] == '0' || v.data[0] == 'f'))
            {
                v.len = 0;
            }

            if (v.len) {
                len += f->name.len + v.len + 2;
                continue;
            }

            found[k] = NULL;
        }

        if (f->required) {
            hd_errors_add(errors, f->key, "field_required");
        }
    }

    if (len == 0 || errors->n) {
        return;
    }

    p = hd_palloc(pool, len);
    if (p == NULL) {
        hd_errors_add(errors, "fields", "field_invalid");
        return;
    }

    out->data = p;

    for (k = 0; k < form->nfields; k++) {
        if (found[k] == NULL) {
            continue;
        }

        f = &form->fields[k];
        v = *found[k];
        hd_text_trim(&v);

        if (f->kind == HD_FORM_CHECKBOX) {
            v.data = (hd_uchar *) "1";
            v.len = 1;
        }

        memcpy(p, f->name.data, f->name.len);
        p += f->name.len;
        *p++ = HD_FORM_SEP_NAME;
        memcpy(p, v.data, v.len);
        p += v.len;
        *p++ = HD_FORM_SEP_PAIR;
    }

    out->len = (size_t) (p - out->data);
}


size_t
hd_form_values(const hd_str_t *stored, hd_form_value_t *out, size_t max)
{
    size_t           n = 0;
    const hd_uchar  *p, *end, *sep, *stop;

    if (stored->len == 0) {
        return 0;
    }

    p = stored->data;
    end = p + stored->len;

    while (p != NULL && p < end && n < max) {
        stop = memchr(p, HD_FORM_SEP_PAIR, (size_t) (end - p));
        stop = stop ? stop : end;
        sep = memchr(p, HD_FORM_SEP_NAME, (size_t) (stop - p));

        if (sep != NULL) {
            out[n].name.data = (hd_uchar *) p;
            out[n].name.len = (size_t) (sep - p);
            out[n].value.data = (hd_uchar *) sep + 1;
            out[n].value.len = (size_t) (stop - sep - 1);
            n++;
        }

        p = stop + 1;
    }

    return n;
}


const hd_form_value_t *
hd_form_value_of(const hd_form_value_t *v, size_t n, const hd_str_t *name)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (hd_str_same(&v[i].name, name)) {
            return &v[i];
        }
    }

    return NULL;
}


const hd_str_t *
hd_form_label(const hd_str_t *label, hd_lang_e lang)
{
    if (label[lang].len) {
        return &label[lang];
    }

    return label[HD_LANG_RU].len ? &label[HD_LANG_RU] : &label[HD_LANG_EN];
}


hd_str_t
hd_form_value_text(const hd_form_field_t *f, const hd_str_t *value,
    hd_lang_e lang, const hd_str_t *yes, hd_pool_t *pool)
{
    char      buf[12];
    size_t    i;
    int32_t   day;
    hd_str_t  s = *value;

    if (f == NULL) {
        return s;
    }

    switch (f->kind) {

    case HD_FORM_SELECT:
        for (i = 0; i < f->noptions; i++) {
            if (hd_str_same(&f->options[i].value, value)
                && hd_form_label(f->options[i].label, lang)->len)
            {
                return *hd_form_label(f->options[i].label, lang);
            }
        }

        return s;

    case HD_FORM_DATE:
        if (hd_date_parse(value->data, value->len, &day) == 0) {
            if (lang == HD_LANG_EN) {
                hd_date_format_en(day, buf);

            } else {
                hd_date_format_ru(day, buf);
            }

            s.len = strlen(buf);
            s.data = hd_pstrdup(pool, buf, s.len);
            if (s.data == NULL) {
                s = *value;
            }
        }

        return s;

    case HD_FORM_CHECKBOX:
        return yes != NULL ? *yes : s;

    default:
        return s;
    }
}


hd_rc
hd_form_shown(hd_txn_t *txn, uint8_t category, uint8_t type,
    const hd_str_t *stored, hd_lang_e lang, const hd_str_t *yes,
    hd_pool_t *pool, hd_val_t *view)
{
    size_t                  i, n;
    hd_rc                   rc;
    hd_str_t                text;
    hd_val_t               *list, *item;
    hd_form_t              *form;
    hd_form_value_t         v[HD_FORM_FIELDS_MAX];
    const hd_str_t         *label;
    const hd_form_field_t  *f;

    n = hd_form_values(stored, v, HD_FORM_FIELDS_MAX);
    if (n == 0) {
        return HD_OK;
    }

    rc = hd_form_for(txn, category, type, pool, &form);
    if (rc != HD_OK) {
        return rc;
    }

    list = hd_val_list(pool);
    if (list == NULL) {
        return HD_NOMEM;
    }

    for (i = 0; i < n; i++) {
        f = hd_form_field(form, &v[i].name);
        label = &v[i].name;

        if (f != NULL) {
            label = hd_form_label(f->label, lang);
        }

        text = hd_form_value_text(f, &v[i].value, lang, yes, pool);

        item = hd_val_map(pool);
        if (item == NULL) {
            return HD_NOMEM;
        }

        hd_val_set_str(pool, item, "label",
                       hd_pstrdup(pool, label->data, label->len),
                       label->len);
        hd_val_set_str(pool, item, "value",
                       hd_pstrdup(pool, text.data, text.len), text.len);
        hd_val_set_bool(pool, item, "long",
                        f != NULL && f->kind == HD_FORM_LONG);
        hd_val_push(pool, list, item);
    }

    hd_val_set(pool, view, "extra_fields", list);
    hd_val_set_bool(pool, view, "has_extra_fields", 1);

    return HD_OK;
}


int
hd_form_match(const hd_str_t *stored, const hd_form_filter_t *filter)
{
    int                     hit;
    hd_uchar               *low;
    hd_form_value_t         v[HD_FORM_FIELDS_MAX];
    const hd_form_value_t  *x;

    x = hd_form_value_of(v, hd_form_values(stored, v, HD_FORM_FIELDS_MAX),
                         &filter->name);

    if (x == NULL) {
        return 0;
    }

    if (!filter->contains) {
        return hd_str_same(&x->value, &filter->value);
    }

    if (filter->value.len > x->value.len) {
        return 0;
    }

    low = malloc(x->value.len + 1);
    if (low == NULL) {
        return 0;
    }

    hd_text_lower_into(low, x->value.data, x->value.len);
    hit = memmem(low, x->value.len, filter->value.data, filter->value.len)
          != NULL;
    free(low);

    return hit;
}

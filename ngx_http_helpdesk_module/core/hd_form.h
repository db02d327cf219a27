/*
 * Ticket forms (Keysystems §5.3, Kaspersky block 8): the extra fields a
 * ticket of a category and type asks for, defined by administrators as
 * text, one field a line:
 *
 *     NAME | KIND | required|optional | LABEL RU | LABEL EN | OPTIONS
 *
 * KIND is text, long, select, date or checkbox; OPTIONS (a select's) are
 * "value: ru / en; value: ru / en". A form is per category and type, or
 * per category for every type ("any"); a ticket's fields are those of its
 * category's "any" form, then its type's (the same name there replaces
 * the first). Without an administrator's form, the built-in defaults
 * reproduce the seeds. The values a ticket was given are stored on it, as
 * "name\x1fvalue\x1e" pairs (no control character is a value's).
 */

#ifndef HD_FORM_H
#define HD_FORM_H


#include "hd_account.h"
#include "hd_core.h"
#include "hd_i18n.h"
#include "hd_pool.h"
#include "hd_record.h"
#include "hd_store.h"
#include "hd_value.h"


typedef enum {
    HD_FORM_TEXT = 0,
    HD_FORM_LONG,
    HD_FORM_SELECT,
    HD_FORM_DATE,
    HD_FORM_CHECKBOX,
    HD_FORM_KIND_COUNT
} hd_form_kind_e;


#define HD_FORM_ANY            0xff     /* a form for every type */

/* the forms a category may have, as slots: 0 for any type, then each type
   (HD_TYPE_COUNT of hd_ticket.h) */
#define HD_FORM_SLOTS          (HD_TYPE_COUNT + 1)
#define hd_form_slot_type(slot)                                               \
    ((slot) == 0 ? HD_FORM_ANY : (uint8_t) ((slot) - 1))
#define HD_FORM_FIELDS_MAX     12
#define HD_FORM_OPTIONS_MAX    24
#define HD_FORM_NAME_MAX       32       /* [a-z][a-z0-9_]* */
#define HD_FORM_LABEL_MAX      200      /* characters */
#define HD_FORM_TEXT_MAX       500      /* characters of a text value */
#define HD_FORM_LONG_MAX       10000    /* of a long text */
#define HD_FORM_DEF_MAX        16384    /* bytes of a definition */


typedef struct {
    hd_str_t          value;
    hd_str_t          label[HD_LANG_COUNT];
} hd_form_option_t;


typedef struct {
    hd_str_t          name;
    char              key[HD_FORM_NAME_MAX + 8];    /* "fields.NAME": the
                                                       field of its errors */
    uint8_t           kind;
    uint8_t           required;
    hd_str_t          label[HD_LANG_COUNT];
    size_t            noptions;
    hd_form_option_t  options[HD_FORM_OPTIONS_MAX];
} hd_form_field_t;


typedef struct {
    uint8_t           category;
    uint8_t           type;             /* HD_FORM_ANY: every type */
    uint8_t           stored;           /* an administrator's, not the
                                           built-in default */
    hd_str_t          text;             /* the definition */
    uint64_t          updated;
    uint64_t          author;
    size_t            nfields;
    hd_form_field_t   fields[HD_FORM_FIELDS_MAX];
} hd_form_t;


/* a value given for a field, by name */
typedef struct {
    hd_str_t          name;
    hd_str_t          value;
} hd_form_value_t;


/* the record stored per (category, type) */
typedef struct {
    uint8_t           category;
    uint8_t           type;
    hd_str_t          text;
    uint64_t          updated;
    uint64_t          author;
} hd_form_rec_t;


extern const hd_record_desc_t  hd_form_desc;
extern const char             *hd_form_kind_names[HD_FORM_KIND_COUNT];


/*
 * A definition read into form (its strings point into text): 0, or -1 with
 * *line the 1-based line that is wrong and *why a code for errors
 */
int hd_form_parse(const hd_str_t *text, hd_form_t *form, size_t *line,
    const char **why);

/* a category's form of a type (or HD_FORM_ANY), the stored one or the
   default, in the pool */
hd_rc hd_form_get(hd_txn_t *txn, uint8_t category, uint8_t type,
    hd_pool_t *pool, hd_form_t **form);

/* the fields a ticket of the category and type has: "any", then the
   type's */
hd_rc hd_form_for(hd_txn_t *txn, uint8_t category, uint8_t type,
    hd_pool_t *pool, hd_form_t **form);

/* an administrator's definition (empty: no fields) stored, or the stored
   one removed (the default again) */
hd_rc hd_form_set(hd_store_t *store, uint8_t category, uint8_t type,
    const hd_str_t *text, uint64_t author, uint64_t now, hd_errors_t *errors,
    hd_err_t *err);
hd_rc hd_form_reset(hd_store_t *store, uint8_t category, uint8_t type,
    hd_err_t *err);

/*
 * The values given checked against the form: every bad one in errors
 * (field "fields.NAME"; unknown names too when strict), the good ones
 * encoded in the form's order into *out (in the pool)
 */
void hd_form_check(const hd_form_t *form, const hd_form_value_t *given,
    size_t n, int strict, hd_pool_t *pool, hd_str_t *out,
    hd_errors_t *errors);

/* a ticket's stored values, in order: how many (at most max) */
size_t hd_form_values(const hd_str_t *stored, hd_form_value_t *out,
    size_t max);

/* the value of a name among values read, or NULL */
const hd_form_value_t *hd_form_value_of(const hd_form_value_t *v, size_t n,
    const hd_str_t *name);

/* the field of a form by name, or NULL */
const hd_form_field_t *hd_form_field(const hd_form_t *form,
    const hd_str_t *name);

/* a label (of a field, an option) in the language, else the other one */
const hd_str_t *hd_form_label(const hd_str_t *label, hd_lang_e lang);

/* a stored value as a person reads it: an option's label, a date in the
   language's way, "yes"; text as it is (in the pool) */
hd_str_t hd_form_value_text(const hd_form_field_t *f, const hd_str_t *value,
    hd_lang_e lang, const hd_str_t *yes, hd_pool_t *pool);


/*
 * A ticket's stored values as pages and mail show them, set in view as
 * "extra_fields" [{label, value, long}] and "has_extra_fields": labels in
 * the language (the form's as it is now; a field it no longer has, by
 * name), values as hd_form_value_text says them
 */
hd_rc hd_form_shown(hd_txn_t *txn, uint8_t category, uint8_t type,
    const hd_str_t *stored, hd_lang_e lang, const hd_str_t *yes,
    hd_pool_t *pool, hd_val_t *view);


/* a queue filter: the tickets whose field has the value (text: contains
   it, case folded) */
typedef struct {
    hd_str_t          name;
    hd_str_t          value;            /* folded when contains */
    int               contains;
} hd_form_filter_t;

int hd_form_match(const hd_str_t *stored, const hd_form_filter_t *filter);


#endif /* HD_FORM_H */

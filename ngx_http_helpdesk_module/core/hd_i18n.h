/*
 * Languages: the ones the product speaks, the choice from an Accept-Language
 * header, and texts from the message catalogues (i18n/<code>.json).
 */

#ifndef HD_I18N_H
#define HD_I18N_H


#include "hd_core.h"
#include "hd_value.h"


typedef enum {
    HD_LANG_RU = 0,         /* the default */
    HD_LANG_EN,
    HD_LANG_COUNT
} hd_lang_e;


typedef struct {
    const char   *code;
    const char   *name;     /* in the language itself */
} hd_lang_t;


extern const hd_lang_t  hd_langs[HD_LANG_COUNT];


/* -1 when the code is not one of ours */
int hd_lang_from_code(const hd_uchar *code, size_t len);

/* the best of ours by the header's q-values; the default when none fits */
hd_lang_e hd_lang_accept(const hd_uchar *header, size_t len);

/* a text by dotted key ("errors.email_taken"); NULL when missing */
const hd_str_t *hd_i18n_text(const hd_val_t *catalog, const char *key);

/*
 * Which word form a number takes, as flags a logic-less template picks
 * from (CLDR's plural rules): PREFIX_one, _few or _many for Russian (1, 21:
 * "рабочий день"; 2-4, 22: "рабочих дня"; 5-20, 0: "рабочих дней"), and
 * PREFIX_single for English (1: "working day", else "working days")
 */
void hd_i18n_plural(hd_pool_t *pool, hd_val_t *view, const char *prefix,
    uint64_t n);


#endif /* HD_I18N_H */

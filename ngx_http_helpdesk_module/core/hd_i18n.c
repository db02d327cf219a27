/*
 * Language choice and catalogue lookups.
 */

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "hd_i18n.h"


const hd_lang_t  hd_langs[HD_LANG_COUNT] = {
    { "ru", "Русский" },
    { "en", "English" },
};


int
hd_lang_from_code(const hd_uchar *code, size_t len)
{
    size_t  i;

    for (i = 0; i < HD_LANG_COUNT; i++) {
        if (len == 2 && strncasecmp((const char *) code, hd_langs[i].code, 2)
                        == 0)
        {
            return (int) i;
        }
    }

    return -1;
}


/* q-value as thousandths: "q=0.8" is 800; a bad value is 0 */
static int
hd_lang_q(const hd_uchar *p, const hd_uchar *end)
{
    int  q, scale;

    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    if (end - p < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') {
        return 1000;
    }

    p += 2;

    if (p == end || (*p != '0' && *p != '1')) {
        return 0;
    }

    q = (*p++ - '0') * 1000;

    if (p < end && *p == '.') {
        for (p++, scale = 100; p < end && scale && *p >= '0' && *p <= '9';
             p++, scale /= 10)
        {
            q += (*p - '0') * scale;
        }
    }

    return q > 1000 ? 1000 : q;
}


hd_lang_e
hd_lang_accept(const hd_uchar *header, size_t len)
{
    int              lang, q, best_q;
    hd_lang_e        best;
    const hd_uchar  *p, *end, *item, *item_end, *tag_end;

    best = HD_LANG_RU;
    best_q = 0;

    p = header;
    end = header + len;

    while (p < end) {
        item = p;

        while (p < end && *p != ',') {
            p++;
        }

        item_end = p;

        if (p < end) {
            p++;
        }

        while (item < item_end && (*item == ' ' || *item == '\t')) {
            item++;
        }

        for (tag_end = item;
             tag_end < item_end && *tag_end != ';' && *tag_end != '-'
             && *tag_end != ' ';
             tag_end++)
        { /* void */ }

        lang = hd_lang_from_code(item, tag_end - item);
        if (lang < 0) {
            continue;
        }

        while (tag_end < item_end && *tag_end != ';') {
            tag_end++;
        }

        q = tag_end < item_end ? hd_lang_q(tag_end + 1, item_end) : 1000;

        if (q > best_q) {
            best_q = q;
            best = (hd_lang_e) lang;
        }
    }

    return best;
}


const hd_str_t *
hd_i18n_text(const hd_val_t *catalog, const char *key)
{
    hd_val_t  *v;

    v = hd_val_get_path(catalog, key);

    if (v == NULL || v->type != HD_VAL_STR) {
        return NULL;
    }

    return &v->u.str;
}


void
hd_i18n_plural(hd_pool_t *pool, hd_val_t *view, const char *prefix,
    uint64_t n)
{
    char         name[64];
    uint64_t     d, h;
    const char  *form;

    d = n % 10;
    h = n % 100;

    form = d == 1 && h != 11 ? "one"
           : d >= 2 && d <= 4 && (h < 12 || h > 14) ? "few" : "many";

    snprintf(name, sizeof(name), "%s_%s", prefix, form);
    hd_val_set_bool(pool, view, hd_pstrcat(pool, name, ""), 1);

    snprintf(name, sizeof(name), "%s_single", prefix);
    hd_val_set_bool(pool, view, hd_pstrcat(pool, name, ""), n == 1);
}

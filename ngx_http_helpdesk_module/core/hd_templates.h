/*
 * The templates directory an operator can restyle and translate
 * (lua-free-templates/): every template under pages/, partials/ and mail/
 * compiled and linked, the message catalogues of i18n/, and the static
 * assets of static/ held in memory. Loaded once per configuration.
 */

#ifndef HD_TEMPLATES_H
#define HD_TEMPLATES_H


#include "hd_core.h"
#include "hd_i18n.h"
#include "hd_tpl.h"


typedef struct {
    hd_str_t        name;           /* "app.css" */
    const char     *type;           /* the Content-Type */
    hd_str_t        body;
    char            etag[20];       /* quoted */
} hd_asset_t;


typedef struct {
    const char     *dir;
    hd_tpl_set_t   *set;
    hd_val_t       *catalog[HD_LANG_COUNT];
    hd_tpl_set_t   *pages[HD_LANG_COUNT];   /* set with "t" folded: HTML */
    hd_asset_t     *assets;
    size_t          nassets;
} hd_templates_t;


hd_rc hd_templates_load(hd_pool_t *pool, const char *dir,
    hd_templates_t **templates, hd_err_t *err);

const hd_asset_t *hd_templates_asset(const hd_templates_t *templates,
    const hd_uchar *name, size_t len);


#endif /* HD_TEMPLATES_H */

/*
 * The logic-less template engine (Mustache: variables, raw variables,
 * sections, inverted sections, partials, comments, delimiter changes).
 * Templates are compiled once into an array of operations and rendered
 * many times into any output through a write callback.
 */

#ifndef HD_TPL_H
#define HD_TPL_H


#include "hd_core.h"
#include "hd_pool.h"
#include "hd_value.h"


typedef struct hd_tpl_s      hd_tpl_t;
typedef struct hd_tpl_set_s  hd_tpl_set_t;
typedef struct hd_tpl_out_s  hd_tpl_out_t;


/* output: write() returns 0, or -1 to stop rendering */
struct hd_tpl_out_s {
    int  (*write)(hd_tpl_out_t *out, const hd_uchar *data, size_t len);
};


hd_tpl_t *hd_tpl_compile(hd_pool_t *pool, const char *name, const char *file,
    const hd_uchar *src, size_t len, hd_err_t *err);
const char *hd_tpl_name(const hd_tpl_t *tpl);

hd_tpl_set_t *hd_tpl_set_create(hd_pool_t *pool);
int hd_tpl_set_add(hd_tpl_set_t *set, hd_tpl_t *tpl);
hd_tpl_t *hd_tpl_set_find(const hd_tpl_set_t *set, const char *name);

/*
 * Resolves every partial tag of every template in the set. With strict, a
 * partial that names no template of the set is an error (file and line);
 * otherwise it renders as nothing, as the Mustache specification says.
 */
hd_rc hd_tpl_set_link(hd_tpl_set_t *set, int strict, hd_err_t *err);

/*
 * The set's templates with every {{name.x.y}} whose value is a string
 * already made text (escaped as {{}} escapes): for data that is the same in
 * every render, such as one language's catalogue under "t". Only for
 * rendering HTML with that value under name, and no section's value may
 * have a key name (it would hide it). Partials are the folded ones. A tag
 * under name that value does not have is an error naming file and line.
 */
hd_tpl_set_t *hd_tpl_set_fold(hd_pool_t *pool, const hd_tpl_set_t *set,
    const char *name, const hd_val_t *value, hd_err_t *err);

/* -1 when the output refused data or the nesting went too deep */
int hd_tpl_render(const hd_tpl_t *tpl, const hd_val_t *data,
    hd_tpl_out_t *out);
/* escape 0: plain text (e-mail), {{name}} is not HTML-escaped */
int hd_tpl_render_as(const hd_tpl_t *tpl, const hd_val_t *data,
    hd_tpl_out_t *out, int escape);
/* data on top of under (a page's view over its chrome): a name is looked
   up in data, then in under; nothing is copied */
int hd_tpl_render_over(const hd_tpl_t *tpl, const hd_val_t *under,
    const hd_val_t *data, hd_tpl_out_t *out);

/* HTML-escapes into out, as {{name}} does */
int hd_tpl_escape(hd_tpl_out_t *out, const hd_uchar *data, size_t len);


#endif /* HD_TPL_H */

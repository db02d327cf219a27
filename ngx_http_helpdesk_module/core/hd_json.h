/*
 * JSON in the core: reading JSON documents (jansson) into template values,
 * for message catalogues and data given as JSON; and writing jansson's
 * values out in one pass, compact, for the API's answers.
 */

#ifndef HD_JSON_H
#define HD_JSON_H


#include <jansson.h>

#include "hd_core.h"
#include "hd_tpl.h"
#include "hd_value.h"


/* strings are copied into the pool; maps are indexed for fast lookups */
hd_val_t *hd_json_to_val(hd_pool_t *pool, json_t *json);

/*
 * A JSON writer for answers built on the fly (the API's big ones: no tree
 * of values, no allocation): compact JSON into a buffer, flushed to out in
 * large pieces. Mistakes of nesting are the caller's; a failed write makes
 * hd_jw_finish() fail.
 */
#define HD_JW_DEPTH   32

typedef struct {
    hd_tpl_out_t  *out;
    unsigned       depth;
    uint32_t       first;           /* bit per depth: nothing written yet */
    int            after_key;
    int            failed;
    size_t         len;
    hd_uchar       buf[4096];
} hd_jw_t;

void hd_jw_init(hd_jw_t *w, hd_tpl_out_t *out);
void hd_jw_object(hd_jw_t *w);
void hd_jw_array(hd_jw_t *w);
void hd_jw_end(hd_jw_t *w, char close);        /* '}' or ']' */
void hd_jw_key(hd_jw_t *w, const char *key);
void hd_jw_key_n(hd_jw_t *w, const void *key, size_t len);
void hd_jw_str(hd_jw_t *w, const void *p, size_t len);
void hd_jw_cstr(hd_jw_t *w, const char *s);     /* NULL: null */
void hd_jw_int(hd_jw_t *w, int64_t i);
void hd_jw_bool(hd_jw_t *w, int b);
void hd_jw_null(hd_jw_t *w);
void hd_jw_raw(hd_jw_t *w, const void *p, size_t len);  /* a value as is */
/* a jansson value, as one value of the writer */
void hd_jw_json(hd_jw_t *w, const json_t *json);
int hd_jw_finish(hd_jw_t *w);

/* the value as compact JSON (keys in their order), to out: 0 or -1 */
int hd_json_write(const json_t *json, hd_tpl_out_t *out);


#endif /* HD_JSON_H */

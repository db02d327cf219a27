/*
 * What a request sent, as named fields: the bodies of the portal's forms
 * (application/x-www-form-urlencoded) and of the API (a JSON object)
 * decoded into one jansson object, and the typed readers on it. Every byte
 * here is untrusted: the fuzzers start at this file.
 */

#ifndef HD_INPUT_H
#define HD_INPUT_H


#include <jansson.h>

#include "hd_core.h"
#include "hd_pool.h"


/* the fields a form may have */
#define HD_INPUT_FIELDS_MAX  100


/*
 * name=value&... into "into" ('+' a space, %XX a byte, decoded in place; a
 * '%' without two hex digits is kept as it is): a field given twice keeps
 * its first value. HD_INVALID "form_invalid" for too many fields or a name
 * that is not UTF-8, "invalid_utf8" naming the field (copied into the pool)
 * for a value that is not
 */
hd_rc hd_input_form(json_t *into, hd_uchar *p, size_t len, hd_pool_t *pool,
    hd_err_t *err);

/*
 * A JSON object, duplicate keys refused, \u0000 kept for the field's
 * reader to refuse by name: NULL and HD_INVALID "json_invalid", or
 * "number_too_large" naming the field of an integer past 64 bits
 */
json_t *hd_input_json(const hd_uchar *p, size_t len, hd_pool_t *pool,
    hd_err_t *err);

/*
 * A text field: 0 with the value (data NULL when absent or null), -1 when
 * it is there but not text (not a string, or holding a NUL)
 */
int hd_input_str(const json_t *input, const char *name, hd_str_t *value);

/*
 * A whole number as a JSON number or as text: its value, -1 when absent
 * (or a form's empty field), -2 when not a number of 0 or more (from JSON
 * also "", a real, a boolean, an array or an object)
 */
int64_t hd_input_number(const json_t *input, const char *name, int json);

/* yes or no: JSON true/false/1/0, or a form's "1", "on", "0"...: 1 or 0,
   -2 neither; absent is no */
int hd_input_bool(const json_t *input, const char *name, int json);


#endif /* HD_INPUT_H */

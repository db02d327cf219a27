/*
 * The request's fields: urlencoded forms and JSON objects decoded, and the
 * typed readers (text, whole number, yes or no) the handlers use on them.
 */

#include <string.h>

#include "hd_crypto.h"
#include "hd_input.h"
#include "hd_text.h"


/* '+' and %XX decoded in place: the decoded length */
static size_t
hd_input_unescape(hd_uchar *p, size_t len)
{
    int        hi, lo;
    hd_uchar  *src, *dst, *end;

    end = p + len;

    for (src = dst = p; src < end; src++) {
        if (*src == '+') {
            *dst++ = ' ';
            continue;
        }

        if (*src == '%' && end - src >= 3
            && (hi = hd_hex_digit(src[1])) >= 0
            && (lo = hd_hex_digit(src[2])) >= 0)
        {
            *dst++ = (hd_uchar) (hi << 4 | lo);
            src += 2;
            continue;
        }

        *dst++ = *src;
    }

    return dst - p;
}


hd_rc
hd_input_form(json_t *into, hd_uchar *p, size_t len, hd_pool_t *pool,
    hd_err_t *err)
{
    size_t     nlen, vlen, fields = 0;
    json_t    *s;
    hd_uchar  *end, *amp, *eq, *name, *value;

    end = p + len;

    while (p < end) {
        amp = memchr(p, '&', end - p);
        if (amp == NULL) {
            amp = end;
        }

        eq = memchr(p, '=', amp - p);
        if (eq == NULL) {
            eq = amp;
        }

        if (++fields > HD_INPUT_FIELDS_MAX) {
            return hd_err_set(err, HD_INVALID, NULL, "form_invalid",
                              "more than %d fields", HD_INPUT_FIELDS_MAX);
        }

        name = p;
        nlen = hd_input_unescape(name, eq - p);

        value = (eq < amp) ? eq + 1 : amp;
        vlen = hd_input_unescape(value, amp - value);

        p = amp + 1;

        if (nlen == 0) {
            continue;
        }

        if (!hd_utf8_valid(name, nlen)) {
            return hd_err_set(err, HD_INVALID, NULL, "form_invalid",
                              "a field name is not UTF-8");
        }

        if (!hd_utf8_valid(value, vlen)) {
            return hd_err_set(err, HD_INVALID,
                              (char *) hd_pstrdup(pool, name, nlen),
                              "invalid_utf8", "a field is not UTF-8");
        }

        /* a field given twice keeps its first value */
        if (json_object_getn(into, (char *) name, nlen) != NULL) {
            continue;
        }

        s = json_stringn((char *) value, vlen);

        if (s == NULL
            || json_object_setn_new(into, (char *) name, nlen, s) != 0)
        {
            return hd_err_set(err, HD_NOMEM, NULL, "internal", "no memory");
        }
    }

    return HD_OK;
}


/*
 * A body jansson refused for an integer past 64 bits ("too big integer"):
 * the field that holds it, found by reading it again with every integer a
 * real (the name copied into the pool); NULL when that is not why
 */
static const char *
hd_input_json_big(const hd_uchar *p, size_t len, hd_pool_t *pool)
{
    void        *iter;
    json_t      *all, *v;
    const char  *key, *found = NULL;

    all = json_loadb((const char *) p, len,
                     JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL
                     | JSON_DECODE_INT_AS_REAL, NULL);

    if (all == NULL || !json_is_object(all)) {
        json_decref(all);
        return NULL;
    }

    for (iter = json_object_iter(all); iter != NULL && found == NULL;
         iter = json_object_iter_next(all, iter))
    {
        key = json_object_iter_key(iter);
        v = json_object_iter_value(iter);

        if (json_is_real(v)
            && (json_real_value(v) >= 9223372036854775807.0
                || json_real_value(v) <= -9223372036854775808.0))
        {
            found = (const char *) hd_pstrdup(pool, key, strlen(key));
        }
    }

    json_decref(all);

    return found;
}


json_t *
hd_input_json(const hd_uchar *p, size_t len, hd_pool_t *pool, hd_err_t *err)
{
    json_t      *input;
    const char  *field;

    input = json_loadb((const char *) p, len,
                       JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);

    if (input == NULL) {
        field = hd_input_json_big(p, len, pool);

        if (field != NULL) {
            hd_err_set(err, HD_INVALID, field, "number_too_large",
                       "an integer past 64 bits");
            return NULL;
        }
    }

    if (input == NULL || !json_is_object(input)) {
        json_decref(input);
        hd_err_set(err, HD_INVALID, NULL, "json_invalid",
                   "not a JSON object");
        return NULL;
    }

    return input;
}


int
hd_input_str(const json_t *input, const char *name, hd_str_t *value)
{
    json_t  *v;

    value->data = NULL;
    value->len = 0;

    v = input != NULL ? json_object_get(input, name) : NULL;

    if (v == NULL || json_is_null(v)) {
        return 0;
    }

    if (!json_is_string(v)) {
        return -1;
    }

    value->data = (hd_uchar *) json_string_value(v);
    value->len = json_string_length(v);

    if (memchr(value->data, '\0', value->len) != NULL) {
        value->data = NULL;
        value->len = 0;
        return -1;
    }

    return 0;
}


/* decimal digits, nothing else, up to INT64_MAX: the value, or -1 */
static int64_t
hd_input_digits(const hd_uchar *p, size_t len)
{
    int64_t  n = 0;
    size_t   i;

    if (len == 0) {
        return -1;
    }

    for (i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9'
            || n > (INT64_MAX - (p[i] - '0')) / 10)
        {
            return -1;
        }

        n = n * 10 + (p[i] - '0');
    }

    return n;
}


int64_t
hd_input_number(const json_t *input, const char *name, int json)
{
    json_t   *v;
    int64_t   n;

    v = input != NULL ? json_object_get(input, name) : NULL;

    if (v == NULL || json_is_null(v)) {
        return -1;
    }

    if (json_is_integer(v)) {
        return json_integer_value(v) >= 0 ? json_integer_value(v) : -2;
    }

    if (!json_is_string(v)) {
        return -2;
    }

    /* a form's empty field is no value; JSON's "" is not a number */
    if (json_string_length(v) == 0) {
        return json ? -2 : -1;
    }

    n = hd_input_digits((const hd_uchar *) json_string_value(v),
                        json_string_length(v));

    return n < 0 ? -2 : n;
}


int
hd_input_bool(const json_t *input, const char *name, int json)
{
    json_t    *v;
    hd_str_t   s;

    v = input != NULL ? json_object_get(input, name) : NULL;

    if (v == NULL || json_is_null(v)) {
        return 0;
    }

    if (json_is_boolean(v)) {
        return json_is_true(v);
    }

    if (json_is_integer(v)) {
        return json_integer_value(v) == 0 ? 0
               : json_integer_value(v) == 1 ? 1 : -2;
    }

    /* JSON says what it means: "", "yes" or "true" is text */
    if (json || hd_input_str(input, name, &s) != 0) {
        return -2;
    }

    if (s.len == 0 || hd_str_eq(&s, "0") || hd_str_eq(&s, "false")
        || hd_str_eq(&s, "off") || hd_str_eq(&s, "no"))
    {
        return 0;
    }

    if (hd_str_eq(&s, "1") || hd_str_eq(&s, "true") || hd_str_eq(&s, "on")
        || hd_str_eq(&s, "yes"))
    {
        return 1;
    }

    return -2;
}

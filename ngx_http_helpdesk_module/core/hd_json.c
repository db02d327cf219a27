/*
 * JSON to template values, and JSON out.
 */

#include <stdio.h>

#include "hd_json.h"


hd_val_t *
hd_json_to_val(hd_pool_t *pool, json_t *json)
{
    size_t       i;
    json_t      *item;
    hd_val_t    *v, *sub;
    hd_uchar    *key;
    const char  *name;

    switch (json_typeof(json)) {

    case JSON_OBJECT:
        v = hd_val_map(pool);
        if (v == NULL) {
            return NULL;
        }

        json_object_foreach(json, name, item) {
            key = hd_pstrdup(pool, name, strlen(name));
            sub = hd_json_to_val(pool, item);

            if (key == NULL || sub == NULL
                || hd_val_set_n(pool, v, key, strlen(name), sub) != 0)
            {
                return NULL;
            }
        }

        return hd_val_index(pool, v) == 0 ? v : NULL;

    case JSON_ARRAY:
        v = hd_val_list(pool);
        if (v == NULL) {
            return NULL;
        }

        json_array_foreach(json, i, item) {
            sub = hd_json_to_val(pool, item);

            if (sub == NULL || hd_val_push(pool, v, sub) != 0) {
                return NULL;
            }
        }

        return v;

    case JSON_STRING:
        key = hd_pstrdup(pool, json_string_value(json),
                         json_string_length(json));
        return key ? hd_val_str(pool, key, json_string_length(json)) : NULL;

    case JSON_INTEGER:
        return hd_val_int(pool, json_integer_value(json));

    case JSON_REAL:
        return hd_val_real(pool, json_real_value(json));

    case JSON_TRUE:
        return hd_val_bool(1);

    case JSON_FALSE:
        return hd_val_bool(0);

    default:
        return hd_val_null();
    }
}


static void
hd_jw_put(hd_jw_t *w, const void *p, size_t len)
{
    if (w->failed) {
        return;
    }

    if (w->len + len > sizeof(w->buf)) {
        if (w->len && w->out->write(w->out, w->buf, w->len) != 0) {
            w->failed = 1;
            return;
        }

        w->len = 0;

        if (len > sizeof(w->buf)) {
            if (w->out->write(w->out, p, len) != 0) {
                w->failed = 1;
            }

            return;
        }
    }

    memcpy(w->buf + w->len, p, len);
    w->len += len;
}


/* before a value: the comma after the previous one at this depth */
static void
hd_jw_value(hd_jw_t *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }

    if (w->depth && !(w->first & (1u << w->depth))) {
        hd_jw_put(w, ",", 1);
    }

    w->first &= ~(1u << w->depth);
}


void
hd_jw_init(hd_jw_t *w, hd_tpl_out_t *out)
{
    w->out = out;
    w->depth = 0;
    w->first = 1;
    w->after_key = 0;
    w->failed = 0;
    w->len = 0;
}


static void
hd_jw_open(hd_jw_t *w, const char *open)
{
    hd_jw_value(w);
    hd_jw_put(w, open, 1);

    if (++w->depth >= HD_JW_DEPTH) {
        w->failed = 1;
        return;
    }

    w->first |= 1u << w->depth;
}


void
hd_jw_object(hd_jw_t *w)
{
    hd_jw_open(w, "{");
}


void
hd_jw_array(hd_jw_t *w)
{
    hd_jw_open(w, "[");
}


void
hd_jw_end(hd_jw_t *w, char close)
{
    hd_jw_put(w, &close, 1);

    if (w->depth) {
        w->depth--;
    }

    w->first &= ~(1u << w->depth);
}


/* what a JSON string escapes: '"', '\\' and the control characters */
static const hd_uchar  hd_jw_escaped[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['\\'] = 1,
};


static void
hd_jw_string(hd_jw_t *w, const hd_uchar *p, size_t len)
{
    char             esc[8];
    size_t           i, run;
    hd_uchar        *out;
    const char      *rep;
    static const char  hex[] = "0123456789abcdef";

    /* the common case, in one pass: nothing to escape and room for it;
       on the first byte to escape, the way below from the start */
    if (!w->failed && w->len + len + 2 <= sizeof(w->buf)) {
        out = w->buf + w->len;
        out[0] = '"';

        for (i = 0; i < len && !hd_jw_escaped[p[i]]; i++) {
            out[i + 1] = p[i];
        }

        if (i == len) {
            out[len + 1] = '"';
            w->len += len + 2;
            return;
        }
    }

    hd_jw_put(w, "\"", 1);

    for (run = 0, i = 0; i < len; i++) {
        if (!hd_jw_escaped[p[i]]) {
            continue;
        }

        switch (p[i]) {
        case '"':   rep = "\\\""; break;
        case '\\':  rep = "\\\\"; break;
        case '\n':  rep = "\\n"; break;
        case '\r':  rep = "\\r"; break;
        case '\t':  rep = "\\t"; break;
        default:
            esc[0] = '\\';
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[p[i] >> 4];
            esc[5] = hex[p[i] & 0x0f];
            esc[6] = '\0';
            rep = esc;
            break;
        }

        if (i > run) {
            hd_jw_put(w, p + run, i - run);
        }

        hd_jw_put(w, rep, strlen(rep));
        run = i + 1;
    }

    if (len > run) {
        hd_jw_put(w, p + run, len - run);
    }

    hd_jw_put(w, "\"", 1);
}


void
hd_jw_key(hd_jw_t *w, const char *key)
{
    hd_jw_key_n(w, key, strlen(key));
}


void
hd_jw_key_n(hd_jw_t *w, const void *key, size_t len)
{
    hd_jw_value(w);
    hd_jw_string(w, key, len);
    hd_jw_put(w, ":", 1);
    w->after_key = 1;
}


void
hd_jw_str(hd_jw_t *w, const void *p, size_t len)
{
    hd_jw_value(w);
    hd_jw_string(w, p, len);
}


void
hd_jw_cstr(hd_jw_t *w, const char *s)
{
    if (s == NULL) {
        hd_jw_null(w);
        return;
    }

    hd_jw_str(w, s, strlen(s));
}


void
hd_jw_int(hd_jw_t *w, int64_t i)
{
    char  num[24];

    hd_jw_raw(w, num, hd_int_text(num, i));
}


void
hd_jw_bool(hd_jw_t *w, int b)
{
    hd_jw_raw(w, b ? "true" : "false", b ? 4 : 5);
}


void
hd_jw_null(hd_jw_t *w)
{
    hd_jw_raw(w, "null", 4);
}


void
hd_jw_raw(hd_jw_t *w, const void *p, size_t len)
{
    hd_jw_value(w);
    hd_jw_put(w, p, len);
}


void
hd_jw_json(hd_jw_t *w, const json_t *json)
{
    int          n;
    char         num[40];
    size_t       i;
    json_t      *item;
    const char  *key;

    switch (json_typeof(json)) {

    case JSON_OBJECT:
        hd_jw_object(w);

        json_object_foreach((json_t *) json, key, item) {
            hd_jw_key(w, key);
            hd_jw_json(w, item);
        }

        hd_jw_end(w, '}');
        return;

    case JSON_ARRAY:
        hd_jw_array(w);

        json_array_foreach((json_t *) json, i, item) {
            hd_jw_json(w, item);
        }

        hd_jw_end(w, ']');
        return;

    case JSON_STRING:
        hd_jw_str(w, json_string_value(json), json_string_length(json));
        return;

    case JSON_INTEGER:
        hd_jw_int(w, json_integer_value(json));
        return;

    case JSON_REAL:
        n = snprintf(num, sizeof(num), "%.17g", json_real_value(json));
        hd_jw_raw(w, num, (size_t) n);
        return;

    case JSON_TRUE:
    case JSON_FALSE:
        hd_jw_bool(w, json_is_true(json));
        return;

    default:
        hd_jw_null(w);
        return;
    }
}


int
hd_jw_finish(hd_jw_t *w)
{
    if (!w->failed && w->len) {
        if (w->out->write(w->out, w->buf, w->len) != 0) {
            w->failed = 1;
        }

        w->len = 0;
    }

    return w->failed ? -1 : 0;
}


int
hd_json_write(const json_t *json, hd_tpl_out_t *out)
{
    hd_jw_t  w;

    hd_jw_init(&w, out);
    hd_jw_json(&w, json);

    return hd_jw_finish(&w);
}

/*
 * JSON to template values.
 */

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

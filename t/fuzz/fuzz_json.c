/* An API request's JSON body, and the typed readers on its fields. */

#include "fuzz.h"
#include "hd_input.h"
#include "hd_json.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t      *in, *value;
    hd_err_t     err;
    hd_str_t     v;
    hd_uchar    *body;
    hd_arena_t  *arena;
    const char  *key;

    arena = hd_arena_create(4096);
    body = fuzz_copy(data, size);

    in = hd_input_json(body, size, &arena->pool, &err);

    if (in != NULL) {
        json_object_foreach(in, key, value) {
            hd_input_str(in, key, &v);
            hd_input_number(in, key, 1);
            hd_input_bool(in, key, 1);
            (void) value;
        }

        /* as templates see it */
        hd_json_to_val(&arena->pool, in);
        json_decref(in);

    } else if (err.code == NULL) {
        abort();
    }

    free(body);
    hd_arena_destroy(arena);

    return 0;
}

/* An HTML form's body (application/x-www-form-urlencoded). */

#include "fuzz.h"
#include "hd_input.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t      *in;
    hd_err_t     err;
    hd_str_t     v;
    hd_uchar    *body;
    hd_arena_t  *arena;
    const char  *key;
    json_t      *value;

    arena = hd_arena_create(4096);
    in = json_object();
    body = fuzz_copy(data, size);

    if (hd_input_form(in, body, size, &arena->pool, &err) == HD_OK) {
        json_object_foreach(in, key, value) {
            (void) value;
            hd_input_str(in, key, &v);
            hd_input_number(in, key, 0);
            hd_input_bool(in, key, 0);
        }

    } else if (err.code == NULL) {
        abort();                    /* every refusal says why */
    }

    free(body);
    json_decref(in);
    hd_arena_destroy(arena);

    return 0;
}

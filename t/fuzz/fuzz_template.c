/*
 * A template (an operator's file, or what a theme ships): compiled, then
 * rendered as HTML and as text with data of every kind, sections and
 * partials included ("p" names a partial of the set, "self" itself).
 */

#include "fuzz.h"
#include "hd_tpl.h"
#include "hd_value.h"


/* the partial "p" every input may name */
static const char  fuzz_partial[] = "<{{name}}>{{#list}}{{.}}{{/list}}";


typedef struct {
    hd_tpl_out_t  out;
    size_t        bytes;
} fuzz_out_t;


static int
fuzz_write(hd_tpl_out_t *out, const hd_uchar *data, size_t len)
{
    fuzz_out_t  *o = (fuzz_out_t *) out;

    (void) data;
    o->bytes += len;

    /* a template that grows without end stops, as the portal's output would */
    return o->bytes > (1 << 20) ? -1 : 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hd_err_t       err;
    hd_tpl_t      *tpl, *partial;
    hd_val_t      *d, *list, *item;
    hd_arena_t    *arena;
    fuzz_out_t     o;
    hd_tpl_set_t  *set;
    hd_uchar      *src;
    int            i;

    arena = hd_arena_create(16384);
    src = fuzz_copy(data, size);

    tpl = hd_tpl_compile(&arena->pool, "self", "fuzz", src, size, &err);
    partial = hd_tpl_compile(&arena->pool, "p", "p",
                             (const hd_uchar *) fuzz_partial,
                             sizeof(fuzz_partial) - 1, &err);

    if (tpl != NULL && partial != NULL) {
        set = hd_tpl_set_create(&arena->pool);
        hd_tpl_set_add(set, tpl);
        hd_tpl_set_add(set, partial);

        if (hd_tpl_set_link(set, 0, &err) == HD_OK) {
            d = hd_val_map(&arena->pool);
            hd_val_set_cstr(&arena->pool, d, "name", "<Иван & \"Пётр\">");
            hd_val_set_int(&arena->pool, d, "n", 42);
            hd_val_set_bool(&arena->pool, d, "yes", 1);
            hd_val_set_bool(&arena->pool, d, "no", 0);

            list = hd_val_list(&arena->pool);
            for (i = 0; i < 3; i++) {
                item = hd_val_map(&arena->pool);
                hd_val_set_int(&arena->pool, item, "i", i);
                hd_val_set_cstr(&arena->pool, item, "name", "x");
                hd_val_push(&arena->pool, list, item);
            }
            hd_val_set(&arena->pool, d, "list", list);

            item = hd_val_map(&arena->pool);
            hd_val_set_cstr(&arena->pool, item, "title", "t");
            hd_val_set(&arena->pool, d, "t", item);

            o.out.write = fuzz_write;
            o.bytes = 0;
            hd_tpl_render(tpl, d, &o.out);
            o.bytes = 0;
            hd_tpl_render_as(tpl, d, &o.out, 0);
        }
    }

    free(src);
    hd_arena_destroy(arena);

    return 0;
}

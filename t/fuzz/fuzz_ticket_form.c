/*
 * Ticket forms: an administrator's definition, then values a request gives
 * for it (the API's and a page's), checked, encoded, read back and matched.
 * The input: the definition, a NUL, then "name=value" lines.
 */

#include "fuzz.h"
#include "hd_form.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t            line, n, k, nv;
    hd_str_t          def, out, rest;
    hd_uchar         *text, *p, *end, *nl, *eq;
    hd_arena_t       *arena;
    hd_form_t        *form;
    hd_errors_t       errors;
    const char       *why;
    hd_form_value_t   given[32], back[HD_FORM_FIELDS_MAX];
    hd_form_filter_t  filter;

    text = fuzz_copy(data, size);
    p = memchr(text, '\0', size);

    def.data = text;
    def.len = p ? (size_t) (p - text) : size;
    rest.data = p ? p + 1 : text + size;
    rest.len = (size_t) (text + size - rest.data);

    form = malloc(sizeof(hd_form_t));
    arena = hd_arena_create(0);

    if (hd_form_parse(&def, form, &line, &why) != 0) {
        if (why == NULL) {
            abort();                /* a refusal always says why */
        }

        goto done;
    }

    /* "name=value" lines */
    nv = 0;
    end = rest.data + rest.len;

    for (p = rest.data; p < end && nv < 32; p = nl + 1) {
        nl = memchr(p, '\n', (size_t) (end - p));
        nl = nl ? nl : end;
        eq = memchr(p, '=', (size_t) (nl - p));

        if (eq != NULL) {
            given[nv].name.data = p;
            given[nv].name.len = (size_t) (eq - p);
            given[nv].value.data = eq + 1;
            given[nv].value.len = (size_t) (nl - eq - 1);
            nv++;
        }
    }

    for (k = 0; k < 2; k++) {
        memset(&errors, 0, sizeof(errors));
        hd_form_check(form, given, nv, (int) k, &arena->pool, &out, &errors);

        if (errors.n && out.len) {
            abort();                /* nothing is kept of a bad request */
        }

        /* what was encoded reads back as the form's fields, at most */
        n = hd_form_values(&out, back, HD_FORM_FIELDS_MAX);
        if (n > form->nfields) {
            abort();
        }

        if (n) {
            filter.name = back[0].name;
            filter.value = back[0].value;
            filter.contains = 0;

            if (!hd_form_match(&out, &filter)) {
                abort();
            }

            filter.contains = 1;
            (void) hd_form_match(&out, &filter);
        }
    }

done:

    hd_arena_destroy(arena);
    free(form);
    free(text);

    return 0;
}

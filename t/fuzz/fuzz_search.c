/*
 * Text that the search index reads (a message, an article) and a query
 * people type: words, folding, stems, and the typo distance between words.
 */

#include "fuzz.h"
#include "hd_search_text.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t       n, i;
    hd_term_t    terms[256], one;
    hd_uchar    *text;
    hd_arena_t  *arena;

    arena = hd_arena_create(65536);
    text = fuzz_copy(data, size);

    n = hd_search_terms(&arena->pool, text, size, terms, 256);

    for (i = 0; i < n; i++) {
        if (terms[i].start > terms[i].end || terms[i].end > size) {
            abort();
        }

        if (i > 0) {
            hd_search_distance(&terms[i - 1].word, &terms[i].word, 1);
        }
    }

    hd_search_term(&arena->pool, text, size, &one);

    free(text);
    hd_arena_destroy(arena);

    return 0;
}

/*
 * A knowledge-base article's Markdown, made HTML (cmark, raw HTML and
 * unsafe links refused) and made text (search, snippets, mail).
 */

#include "fuzz.h"
#include "hd_markdown.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hd_str_t     md, html, text;
    hd_arena_t  *arena;

    arena = hd_arena_create(65536);
    md.data = fuzz_copy(data, size);
    md.len = size;

    if (hd_markdown_html(&arena->pool, &md, &html) == 0) {
        /* nothing a browser would run */
        if (memmem(html.data, html.len, "<script", 7) != NULL
            || memmem(html.data, html.len, "href=\"javascript:", 17) != NULL
            || memmem(html.data, html.len, "<img src=\"javascript:", 21)
               != NULL)
        {
            abort();
        }
    }

    hd_markdown_text(&arena->pool, &md, &text);

    free(md.data);
    hd_arena_destroy(arena);

    return 0;
}

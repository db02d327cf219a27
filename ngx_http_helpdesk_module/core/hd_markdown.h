/*
 * Markdown for knowledge-base articles (SPEC §8), the only file with cmark:
 * HTML without raw HTML and without dangerous links (cmark's safe mode
 * drops raw HTML, javascript:, vbscript:, file: and data: links but
 * images'), and the article's words as plain text for the index and for
 * snippets.
 */

#ifndef HD_MARKDOWN_H
#define HD_MARKDOWN_H

#include "hd_core.h"
#include "hd_pool.h"


/* the HTML of the Markdown text, in the pool; 0, or -1 without memory */
int hd_markdown_html(hd_pool_t *pool, const hd_str_t *md, hd_str_t *html);

/* the text a reader sees, paragraphs apart by a new line; in the pool */
int hd_markdown_text(hd_pool_t *pool, const hd_str_t *md, hd_str_t *text);

#endif /* HD_MARKDOWN_H */

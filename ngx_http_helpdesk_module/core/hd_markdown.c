/*
 * Articles' Markdown through cmark (CommonMark), safe mode always: raw HTML
 * becomes a comment and a dangerous link an empty one.
 */

#include <stdlib.h>

#include <cmark.h>

#include "hd_buf.h"
#include "hd_markdown.h"


#define HD_MARKDOWN_OPTIONS  (CMARK_OPT_SAFE | CMARK_OPT_NORMALIZE          \
                              | CMARK_OPT_VALIDATE_UTF8)


int
hd_markdown_html(hd_pool_t *pool, const hd_str_t *md, hd_str_t *html)
{
    char    *out;
    size_t   len;

    out = cmark_markdown_to_html(md->len ? (const char *) md->data : "",
                                 md->len, HD_MARKDOWN_OPTIONS);
    if (out == NULL) {
        return -1;
    }

    len = strlen(out);
    html->data = hd_pstrdup(pool, out, len);
    html->len = len;
    free(out);

    return html->data != NULL ? 0 : -1;
}


/* a block ends: its text apart from the next one's */
static int
hd_markdown_block(cmark_node_type type)
{
    switch (type) {
    case CMARK_NODE_PARAGRAPH:
    case CMARK_NODE_HEADING:
    case CMARK_NODE_CODE_BLOCK:
    case CMARK_NODE_ITEM:
    case CMARK_NODE_BLOCK_QUOTE:
    case CMARK_NODE_THEMATIC_BREAK:
        return 1;
    default:
        return 0;
    }
}


int
hd_markdown_text(hd_pool_t *pool, const hd_str_t *md, hd_str_t *text)
{
    int                 rc = 0;
    hd_buf_t            buf;
    const char         *lit;
    cmark_node         *doc, *node;
    cmark_iter         *it;
    cmark_node_type     type;
    cmark_event_type    ev;

    doc = cmark_parse_document(md->len ? (const char *) md->data : "",
                               md->len, HD_MARKDOWN_OPTIONS);
    if (doc == NULL) {
        return -1;
    }

    hd_buf_init(&buf);
    it = cmark_iter_new(doc);

    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        node = cmark_iter_get_node(it);
        type = cmark_node_get_type(node);

        if (ev == CMARK_EVENT_EXIT) {
            if (hd_markdown_block(type) && buf.len
                && buf.data[buf.len - 1] != '\n')
            {
                hd_buf_add(&buf, "\n", 1);
            }

            continue;
        }

        switch (type) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
        case CMARK_NODE_CODE_BLOCK:
            lit = cmark_node_get_literal(node);
            if (lit != NULL) {
                hd_buf_add(&buf, lit, strlen(lit));
            }
            break;

        case CMARK_NODE_SOFTBREAK:
            hd_buf_add(&buf, " ", 1);
            break;

        case CMARK_NODE_LINEBREAK:
            hd_buf_add(&buf, "\n", 1);
            break;

        default:
            break;
        }

        /* leaves have no exit */
        if ((type == CMARK_NODE_CODE_BLOCK
             || type == CMARK_NODE_THEMATIC_BREAK)
            && buf.len && buf.data[buf.len - 1] != '\n')
        {
            hd_buf_add(&buf, "\n", 1);
        }
    }

    cmark_iter_free(it);
    cmark_node_free(doc);

    if (buf.len && buf.data[buf.len - 1] == '\n') {
        buf.len--;
    }

    text->len = buf.len;
    text->data = hd_pstrdup(pool, buf.data ? buf.data : (hd_uchar *) "",
                            buf.len);

    if (buf.failed || text->data == NULL) {
        rc = -1;
    }

    hd_buf_free(&buf);

    return rc;
}

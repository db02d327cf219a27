/*
 * HTML as plain text, with libxml2's HTML parser, the only file that
 * includes it: the body of a mail that came as HTML only (Outlook). What a
 * person reads stays (paragraphs, line breaks, lists, a link's address
 * after its text); scripts, styles, frames, forms and images go (an image's
 * alt text stays); nothing is ever fetched (no network, no entities
 * loaded).
 */

#ifndef HD_HTML_H
#define HD_HTML_H


#include "hd_core.h"
#include "hd_buf.h"


/* UTF-8 HTML (the caller converted the charset) into text appended to out */
int hd_html_text(const hd_uchar *html, size_t len, hd_buf_t *out);


#endif /* HD_HTML_H */

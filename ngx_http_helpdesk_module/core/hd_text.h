/*
 * Text people type: UTF-8 validity, length in characters, control
 * characters, trimming, and the lower case used for case-insensitive
 * uniqueness (ASCII and Cyrillic).
 */

#ifndef HD_TEXT_H
#define HD_TEXT_H


#include "hd_core.h"
#include "hd_pool.h"


/* well-formed UTF-8: no overlong forms, surrogates or code points > U+10FFFF */
int hd_utf8_valid(const hd_uchar *p, size_t len);

/* characters (code points) in valid UTF-8 */
size_t hd_utf8_chars(const hd_uchar *p, size_t len);

/* no control characters; with multiline, tabs and line ends are allowed */
int hd_text_printable(const hd_uchar *p, size_t len, int multiline);

/* without leading and trailing white space */
void hd_text_trim(hd_str_t *s);

/* a name of ours: [a-z][a-z0-9_]*, 1 to max bytes */
int hd_text_identifier(const hd_str_t *s, size_t max);

/* lower case, for keys of case-insensitive indexes: NULL on no memory */
hd_uchar *hd_text_lower(hd_pool_t *pool, const hd_uchar *p, size_t len);
void hd_text_lower_into(hd_uchar *dst, const hd_uchar *p, size_t len);

/* equal ignoring case (ASCII and Cyrillic) */
int hd_text_equal_nocase(const hd_uchar *a, size_t alen, const hd_uchar *b,
    size_t blen);


#endif /* HD_TEXT_H */

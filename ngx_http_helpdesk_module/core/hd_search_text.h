/*
 * The words of a text as the search index knows them (SPEC §8): UTF-8
 * Russian and English, case folded and ё as е, numbers and codes such as
 * 0x80090008 or 5.0.12000 kept whole, each word with its stem (Snowball,
 * by its script) and where it stands in the text, for snippets.
 */

#ifndef HD_SEARCH_TEXT_H
#define HD_SEARCH_TEXT_H


#include "hd_core.h"
#include "hd_pool.h"


#define HD_TERM_MAX  64             /* bytes of a word kept */


typedef struct {
    hd_str_t      word;             /* folded */
    hd_str_t      stem;             /* what the index keys */
    hd_str_t      root;             /* Russian: a shorter root that joins
                                       what Snowball keeps apart
                                       (подписать, подписывается); empty
                                       when it is the stem */
    uint32_t      start;            /* its bytes in the text */
    uint32_t      end;
    uint8_t       stop;             /* a stop word: not indexed alone */
} hd_term_t;


/* whether p starts a character of a word, its length in *len (1 for what
   is none: a stray byte too); ASCII letters and digits, and any other but
   Latin-1's signs and the general punctuation (« », dashes, quotes) */
int hd_search_word_char(const hd_uchar *p, size_t left, size_t *len);

/* the words of text in order, at most max (strings in the pool) */
size_t hd_search_terms(hd_pool_t *pool, const hd_uchar *text, size_t len,
    hd_term_t *out, size_t max);

/* one word, folded and stemmed (a query's); 0 when it is no word */
size_t hd_search_term(hd_pool_t *pool, const hd_uchar *word, size_t len,
    hd_term_t *out);

/* edits between two UTF-8 words, counted in characters, up to max + 1 */
unsigned hd_search_distance(const hd_str_t *a, const hd_str_t *b,
    unsigned max);


#endif /* HD_SEARCH_TEXT_H */

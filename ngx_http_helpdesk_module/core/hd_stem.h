/*
 * Stemming on libstemmer (Snowball), the only file that includes it:
 * Russian words by the russian algorithm, Latin ones by the english one.
 */

#ifndef HD_STEM_H
#define HD_STEM_H


#include "hd_core.h"


typedef enum {
    HD_STEM_NONE = 0,           /* numbers, codes, mixed scripts: as is */
    HD_STEM_RUSSIAN,
    HD_STEM_ENGLISH
} hd_stem_lang_e;


/*
 * The stem of a lower-case UTF-8 word into out (at most size bytes): its
 * length. A word the algorithm cannot take, or without memory, is its own
 * stem. Each thread has its own stemmers (they keep state).
 */
size_t hd_stem(hd_stem_lang_e lang, const hd_uchar *word, size_t len,
    hd_uchar *out, size_t size);


#endif /* HD_STEM_H */

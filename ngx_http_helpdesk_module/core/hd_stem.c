/*
 * libstemmer's Snowball stemmers, one of each language per thread (a
 * stemmer keeps the word it works on), made when first needed and freed
 * with the thread.
 */

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

#include "hd_stem.h"


static pthread_key_t   hd_stem_key;
static pthread_once_t  hd_stem_once = PTHREAD_ONCE_INIT;


typedef struct {
    struct sb_stemmer  *russian;
    struct sb_stemmer  *english;
} hd_stemmers_t;


static void
hd_stem_free(void *data)
{
    hd_stemmers_t  *s = data;

    if (s->russian != NULL) {
        sb_stemmer_delete(s->russian);
    }

    if (s->english != NULL) {
        sb_stemmer_delete(s->english);
    }

    free(s);
}


static void
hd_stem_init(void)
{
    (void) pthread_key_create(&hd_stem_key, hd_stem_free);
}


static struct sb_stemmer *
hd_stemmer(hd_stem_lang_e lang)
{
    hd_stemmers_t  *s;

    (void) pthread_once(&hd_stem_once, hd_stem_init);

    s = pthread_getspecific(hd_stem_key);

    if (s == NULL) {
        s = calloc(1, sizeof(hd_stemmers_t));
        if (s == NULL || pthread_setspecific(hd_stem_key, s) != 0) {
            free(s);
            return NULL;
        }
    }

    if (lang == HD_STEM_RUSSIAN) {
        if (s->russian == NULL) {
            s->russian = sb_stemmer_new("russian", "UTF_8");
        }

        return s->russian;
    }

    if (s->english == NULL) {
        s->english = sb_stemmer_new("english", "UTF_8");
    }

    return s->english;
}


size_t
hd_stem(hd_stem_lang_e lang, const hd_uchar *word, size_t len,
    hd_uchar *out, size_t size)
{
    int                 n;
    const sb_symbol    *stem;
    struct sb_stemmer  *st;

    n = (int) (len < size ? len : size);

    if (lang == HD_STEM_NONE || (st = hd_stemmer(lang)) == NULL) {
        memcpy(out, word, n);
        return n;
    }

    stem = sb_stemmer_stem(st, word, (int) len);

    if (stem == NULL) {
        memcpy(out, word, n);
        return n;
    }

    n = sb_stemmer_length(st);
    n = n < (int) size ? n : (int) size;
    memcpy(out, stem, n);

    return n;
}

/*
 * Splitting text into words: letters and digits of any script make a word
 * (Latin-1's and the general punctuation's signs do not: « », dashes, the
 * no-break space); digits joined by dots stay one word (a version); the
 * word is folded (ASCII and Cyrillic lower case, ё as е) and stemmed by its
 * script, a word with digits or of two scripts as it is.
 */

#include <string.h>

#include "hd_search_text.h"
#include "hd_stem.h"
#include "hd_text.h"


/* common words that say nothing about a text (folded) */
static const char  *hd_stop_words[] = {
    "и", "в", "во", "не", "что", "на", "я", "с", "со", "как", "а", "то",
    "все", "так", "но", "да", "к", "у", "же", "вы", "за", "бы", "по", "от",
    "еще", "о", "из", "или", "ни", "до", "для", "мы", "без", "при", "об",
    "это", "этот", "эта", "эти", "ли", "если", "уже", "их", "его", "ее",
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for",
    "is", "are", "was", "be", "by", "with", "as", "it", "this", "that",
    "from", NULL
};


int
hd_search_word_char(const hd_uchar *p, size_t left, size_t *len)
{
    hd_uchar  c = p[0];

    *len = 1;

    if (c < 0x80) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
               || (c >= '0' && c <= '9');
    }

    if (c >= 0xc0 && c < 0xe0) {
        *len = 2;

    } else if (c >= 0xe0 && c < 0xf0) {
        *len = 3;

    } else if (c >= 0xf0 && c < 0xf8) {
        *len = 4;

    } else {
        return 0;                   /* a stray byte */
    }

    if (*len > left) {
        *len = left;
        return 0;
    }

    /* Latin-1's signs (U+0080-00BF), the general punctuation (U+2000-206F)
       and the ideographic space and punctuation (U+3000-303F) */
    if (c == 0xc2 || (c == 0xe2 && p[1] >= 0x80 && p[1] <= 0x81)
        || (c == 0xe3 && p[1] == 0x80))
    {
        return 0;
    }

    return 1;
}


static int
hd_is_digit(hd_uchar c)
{
    return c >= '0' && c <= '9';
}


static int
hd_stop_word(const hd_uchar *w, size_t len)
{
    size_t  i;

    for (i = 0; hd_stop_words[i]; i++) {
        if (strlen(hd_stop_words[i]) == len
            && memcmp(hd_stop_words[i], w, len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/* which stemmer: all Cyrillic, all Latin letters, or none */
static hd_stem_lang_e
hd_word_lang(const hd_uchar *w, size_t len)
{
    int     cyr = 0, lat = 0;
    size_t  i;

    for (i = 0; i < len; i++) {
        if (hd_is_digit(w[i]) || w[i] == '.') {
            return HD_STEM_NONE;
        }

        if (w[i] < 0x80) {
            lat = 1;

        } else if ((w[i] == 0xd0 || w[i] == 0xd1) && i + 1 < len) {
            cyr = 1;
            i++;

        } else if (w[i] >= 0xc0) {
            return HD_STEM_NONE;    /* another script: as it is */
        }
    }

    return cyr && !lat ? HD_STEM_RUSSIAN : lat && !cyr ? HD_STEM_ENGLISH
                                                       : HD_STEM_NONE;
}


/* folded: lower case, ё as е, at most HD_TERM_MAX bytes (whole chars) */
static size_t
hd_fold(const hd_uchar *p, size_t len, hd_uchar *out)
{
    size_t  i, cl, n = 0;

    for (i = 0; i < len; i += cl) {
        cl = (p[i] & 0x80) == 0 ? 1 : (p[i] & 0xe0) == 0xc0 ? 2
             : (p[i] & 0xf0) == 0xe0 ? 3 : 4;

        if (i + cl > len || n + cl > HD_TERM_MAX) {
            break;
        }

        hd_text_lower_into(out + n, p + i, cl);

        if (cl == 2 && out[n] == 0xd1 && out[n + 1] == 0x91) {
            out[n] = 0xd0;
            out[n + 1] = 0xb5;
        }

        n += cl;
    }

    return n;
}


/*
 * Snowball's Russian stems keep a verb's aspects and a noun's derivations
 * apart (подписа, подписыва, подп): a root without the ending, the
 * derivational suffix and a last vowel joins them (подпис), never shorter
 * than 4 letters
 */
static const char  *hd_root_endings[] = {
    "ироваться", "ываться", "иваться", "оваться", "ывается", "ивается",
    "ировать", "ируется", "ировал", "ирован", "ывать", "ивать", "уется",
    "ается", "яется", "ется", "ится", "ать", "ять", "еть", "ить", "ыть",
    "уть", "ала", "али", "ало", "ила", "или", "ена", "ено", "ены", "ана",
    "ано", "аны", "ами", "ями", "ого", "его", "ому", "ему", "ыми", "ими",
    "ал", "ил", "ен", "ан", "ет", "ит", "ют", "ут", "ой", "ей",
    "ий", "ый", "ая", "яя", "ое", "ее", "ые", "ие", "ом", "ем", "ах", "ях",
    "ов", "ев", "ам", "ям", "ия", "ию", "ью", "ь", "а", "я", "и", "ы", "е",
    "у", "ю", "о", "й", NULL
};

static const char  *hd_root_suffixes[] = {
    "ыв", "ив", "ир", "ац", "л", "к", NULL
};

static const char  *hd_root_vowels[] = {
    "а", "е", "и", "о", "у", "ы", "э", "ю", "я", NULL
};


/* one of the list off the end, when 4 letters stay; 1 if one went */
static int
hd_root_strip(const hd_uchar *w, size_t *len, const char **list)
{
    size_t  i, el;

    for (i = 0; list[i]; i++) {
        el = strlen(list[i]);

        /* Cyrillic letters are 2 bytes: 4 letters are 8 */
        if (*len >= el + 8 && memcmp(w + *len - el, list[i], el) == 0) {
            *len -= el;
            return 1;
        }
    }

    return 0;
}


static size_t
hd_root(const hd_uchar *w, size_t len)
{
    (void) hd_root_strip(w, &len, hd_root_endings);
    (void) hd_root_strip(w, &len, hd_root_suffixes);
    (void) hd_root_strip(w, &len, hd_root_vowels);

    return len;
}


static int
hd_term_make(hd_pool_t *pool, const hd_uchar *w, size_t len, hd_term_t *t)
{
    size_t          n, sn;
    hd_uchar        folded[HD_TERM_MAX], stem[HD_TERM_MAX];
    hd_stem_lang_e  lang;

    n = hd_fold(w, len, folded);
    if (n == 0) {
        return -1;
    }

    lang = hd_word_lang(folded, n);
    sn = hd_stem(lang, folded, n, stem, sizeof(stem));

    /* a stem that came out empty is no use: the word itself */
    if (sn == 0) {
        memcpy(stem, folded, n);
        sn = n;
    }

    t->word.data = hd_pstrdup(pool, folded, n);
    t->word.len = n;
    t->stem.data = hd_pstrdup(pool, stem, sn);
    t->stem.len = sn;
    t->stop = (uint8_t) hd_stop_word(folded, n);
    t->root.len = 0;
    t->root.data = t->word.data;

    if (lang == HD_STEM_RUSSIAN) {
        t->root.len = hd_root(folded, n);

        if (t->root.len == sn && memcmp(t->word.data, stem, sn) == 0) {
            t->root.len = 0;        /* the stem already */
        }
    }

    return t->word.data && t->stem.data ? 0 : -1;
}


size_t
hd_search_terms(hd_pool_t *pool, const hd_uchar *text, size_t len,
    hd_term_t *out, size_t max)
{
    size_t  i = 0, start, cl, n = 0;

    while (i < len && n < max) {
        if (!hd_search_word_char(text + i, len - i, &cl)) {
            i += cl;
            continue;
        }

        start = i;

        for ( ;; ) {
            while (i < len && hd_search_word_char(text + i, len - i, &cl)) {
                i += cl;
            }

            /* 5.0.12000: a dot between digits keeps the word going */
            if (i + 1 < len && text[i] == '.' && hd_is_digit(text[i - 1])
                && hd_is_digit(text[i + 1]))
            {
                i++;
                continue;
            }

            break;
        }

        if (hd_term_make(pool, text + start, i - start, &out[n]) == 0) {
            out[n].start = (uint32_t) start;
            out[n].end = (uint32_t) i;
            n++;
        }
    }

    return n;
}


size_t
hd_search_term(hd_pool_t *pool, const hd_uchar *word, size_t len,
    hd_term_t *out)
{
    hd_term_t  t[2];

    /* the first word of it, as the text would have it */
    if (hd_search_terms(pool, word, len, t, 1) == 0) {
        return 0;
    }

    *out = t[0];

    return out->stem.len;
}


/* the code points of a UTF-8 word (at most max) */
static size_t
hd_code_points(const hd_str_t *s, uint32_t *cp, size_t max)
{
    size_t    i = 0, n = 0, cl;
    hd_uchar  c;

    while (i < s->len && n < max) {
        c = s->data[i];
        cl = (c & 0x80) == 0 ? 1 : (c & 0xe0) == 0xc0 ? 2
             : (c & 0xf0) == 0xe0 ? 3 : 4;
        cp[n] = c;

        if (cl > 1 && i + cl <= s->len) {
            cp[n] = (uint32_t) c << 24 | (uint32_t) s->data[i + 1] << 16
                    | (cl > 2 ? (uint32_t) s->data[i + 2] << 8 : 0)
                    | (cl > 3 ? (uint32_t) s->data[i + 3] : 0);
        }

        i += cl;
        n++;
    }

    return n;
}


unsigned
hd_search_distance(const hd_str_t *a, const hd_str_t *b, unsigned max)
{
    size_t    i, j, n, m;
    uint32_t  x[HD_TERM_MAX], y[HD_TERM_MAX];
    unsigned  prev[HD_TERM_MAX + 1], cur[HD_TERM_MAX + 1], best, d;

    n = hd_code_points(a, x, HD_TERM_MAX);
    m = hd_code_points(b, y, HD_TERM_MAX);

    if ((n > m ? n - m : m - n) > max) {
        return max + 1;
    }

    /* Levenshtein, with a transposition as one edit (people swap keys) */
    for (j = 0; j <= m; j++) {
        prev[j] = (unsigned) j;
    }

    {
        unsigned  before[HD_TERM_MAX + 1];

        for (j = 0; j <= m; j++) {
            before[j] = 0;
        }

        for (i = 1; i <= n; i++) {
            cur[0] = (unsigned) i;
            best = cur[0];

            for (j = 1; j <= m; j++) {
                d = prev[j - 1] + (x[i - 1] != y[j - 1]);
                d = prev[j] + 1 < d ? prev[j] + 1 : d;
                d = cur[j - 1] + 1 < d ? cur[j - 1] + 1 : d;

                if (i > 1 && j > 1 && x[i - 1] == y[j - 2]
                    && x[i - 2] == y[j - 1] && before[j - 2] + 1 < d)
                {
                    d = before[j - 2] + 1;
                }

                cur[j] = d;
                best = d < best ? d : best;
            }

            if (best > max) {
                return max + 1;
            }

            memcpy(before, prev, sizeof(unsigned) * (m + 1));
            memcpy(prev, cur, sizeof(unsigned) * (m + 1));
        }
    }

    return prev[m] > max ? max + 1 : prev[m];
}

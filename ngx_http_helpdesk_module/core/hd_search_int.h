/*
 * What the index's two halves share (hd_search.c, the postings of one
 * document a key each, for the knowledge base; hd_search_seg.c, the
 * tickets' postings written once a message as a fresh record and merged
 * into segments): a posting's bytes and a query's keys.
 */

#ifndef HD_SEARCH_INT_H
#define HD_SEARCH_INT_H


#include "hd_schema.h"
#include "hd_search.h"
#include "hd_search_text.h"


/*
 * A posting: doc BE64, sub BE32, tf, flags, the document's length BE16.
 * In a segment the postings of a word are sorted by sub (a ticket's
 * message id, unique and growing), so that the newest are last and a
 * message is found by halving.
 */
#define HD_POSTING_LEN     16
#define HD_KEY_MAX         (2 + HD_TERM_MAX)
#define HD_TERM_KEYS       48          /* keys one query word looks up */
#define HD_PREFIX_KEYS     30
#define HD_TYPO_KEYS       20
#define HD_TYPO_SCAN       5000
#define HD_SEG_MAX         48          /* segments a scope has at most */

#define HD_FLAG_TITLE      0x01


/* a word of a document as the index writes it: scope, kind, word */
typedef struct {
    hd_uchar      key[HD_KEY_MAX];
    uint8_t       klen;
    uint16_t      tf;
    uint8_t       flags;
} hd_entry_t;


/* postings of one key in one place: a segment, or the fresh ones */
typedef struct {
    const hd_uchar  *p;
    uint32_t         n;
    uint32_t         where;             /* its segment's place (newer
                                           higher); the fresh, above all */
} hd_run_t;


typedef struct {
    hd_uchar      key[HD_KEY_MAX];      /* scope, kind, word */
    uint8_t       klen;
    double        weight;
    size_t        df;
    double        idf;
    hd_run_t     *runs;                 /* segmented scopes: newest first */
    size_t        nruns;
} hd_qkey_t;

typedef struct {
    hd_qkey_t     keys[HD_TERM_KEYS];
    size_t        nkeys;
    size_t        df;                   /* of all its keys */
} hd_qterm_t;


static inline void
hd_posting_make(hd_uchar *v, uint64_t doc, uint32_t sub, unsigned tf,
    unsigned flags, size_t dl)
{
    hd_be64_put(v, doc);
    hd_be32_put(v + 8, sub);
    v[12] = (hd_uchar) (tf > 255 ? 255 : tf);
    v[13] = (hd_uchar) flags;
    v[14] = (hd_uchar) ((dl > 65535 ? 65535 : dl) >> 8);
    v[15] = (hd_uchar) (dl > 65535 ? 65535 : dl);
}


/* the query key for a word, its weight the higher of two asks */
hd_qkey_t *hd_qkey_put(hd_qterm_t *qt, hd_search_scope_e scope, char kind,
    const hd_str_t *term, double weight);


/* the keys beginning with prefix out of db, at most limit (*left 1 when
   some remain); in a sorted-duplicates database, each with all its values */
hd_rc hd_search_drop(hd_txn_t *txn, hd_db_e db, const hd_uchar *prefix,
    size_t plen, size_t limit, int *left, hd_err_t *err);


/* the tickets' scope: segments and fresh postings (hd_search_seg.c) */
int hd_search_segmented(hd_search_scope_e scope);

hd_rc hd_seg_add(hd_txn_t *txn, hd_search_scope_e scope, uint64_t doc,
    uint32_t sub, size_t dl, const hd_entry_t *e, size_t n, hd_err_t *err);

hd_rc hd_seg_clear(hd_txn_t *txn, hd_search_scope_e scope, size_t limit,
    int *left, hd_err_t *err);

/* a query word's keys and their runs: its stem, what it may become as one
   types it, the stems its root begins, and one edit away when nothing */
void hd_seg_plan(hd_txn_t *txn, hd_search_scope_e scope, hd_pool_t *pool,
    hd_qterm_t *qt, const hd_term_t *t, int typed, int typo);

/* the posting of (doc, sub) in a key's runs, or NULL */
const hd_uchar *hd_seg_find(const hd_qkey_t *k, uint64_t doc, uint32_t sub);


#endif /* HD_SEARCH_INT_H */

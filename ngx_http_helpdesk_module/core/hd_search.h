/*
 * The search index (SPEC §8): an inverted index on LMDB, written in the
 * transaction of what it indexes. A scope (the knowledge base, the
 * tickets) holds documents named by (doc, sub): an article (sub 0), a
 * ticket's message (the ticket, the message). Queries rank by BM25 with the
 * title counted more, match the last word as a prefix as one types, and
 * forgive one typo in a word of 5 letters or more.
 */

#ifndef HD_SEARCH_H
#define HD_SEARCH_H


#include "hd_core.h"
#include "hd_pool.h"
#include "hd_store.h"


typedef enum {
    HD_SEARCH_KB = 'a',
    HD_SEARCH_TICKETS = 't'
} hd_search_scope_e;


typedef struct {
    uint64_t      doc;
    uint32_t      sub;
    double        score;
} hd_search_hit_t;


/* whether a hit may be shown (rights, filters): 1 yes */
typedef int (*hd_search_accept_pt)(hd_txn_t *txn, uint64_t doc, uint32_t sub,
    void *arg);

/* what a query found, beyond its total */
typedef struct {
    size_t               found;         /* hits there are to page through */
    unsigned             estimated:1;   /* the postings of the rarest word
                                           were more than scan_max: total
                                           is an estimate (two figures) */
} hd_search_count_t;

typedef struct {
    hd_str_t             text;
    unsigned             prefix:1;      /* the last word as one types it */
    unsigned             typo:1;        /* one edit forgiven (5+ letters) */
    unsigned             group:1;       /* one hit a doc (its best sub) */
    unsigned             titles:1;      /* words of the titles only */
    unsigned             any:1;         /* any of the words will do (more
                                           of them ranking higher): for
                                           what is alike, not what is
                                           asked for */
    size_t               offset;
    size_t               limit;
    size_t               scan_max;      /* postings read at most (0: 50,000) */
    hd_search_accept_pt  accept;
    void                *arg;
    hd_search_count_t   *count;         /* when not NULL: filled */
} hd_search_query_t;


/*
 * A document indexed: its title's words counted more. keep: the index
 * remembers its words, so that it can be taken out or indexed again (an
 * article); without it (a message, which never changes) it cannot.
 */
hd_rc hd_search_add(hd_txn_t *txn, hd_search_scope_e scope, uint64_t doc,
    uint32_t sub, const hd_str_t *title, const hd_str_t *body, int keep,
    hd_err_t *err);

/*
 * A scope's postings taken out, at most limit keys a call (a transaction
 * writes only so many pages): *left 1 while some remain; the call that
 * finds none sets the scope's counters to nothing. For indexing it again.
 */
hd_rc hd_search_clear(hd_txn_t *txn, hd_search_scope_e scope, size_t limit,
    int *left, hd_err_t *err);

/*
 * The tickets' scope writes a message's words once as a fresh record and
 * merges them into segments (hd_search_seg.c). flush: the fresh ones into
 * a segment now (a generator's, a reindex's end); compact: one merge of
 * four big segments, if there are four of a size (*merged 1), for the
 * timer to call in a transaction of its own.
 */
hd_rc hd_search_flush(hd_txn_t *txn, hd_search_scope_e scope, hd_err_t *err);
hd_rc hd_search_compact(hd_txn_t *txn, hd_search_scope_e scope, int *merged,
    hd_err_t *err);

/* in transactions of its own: the fresh ones into a segment (flush), then
   at most max merges while there are four segments of a size */
hd_rc hd_search_settle(hd_store_t *store, hd_search_scope_e scope, int flush,
    size_t max, size_t *merges, hd_err_t *err);

/* schema 4: the tickets' postings of an older version into a segment */
hd_rc hd_search_migrate(hd_txn_t *txn, hd_err_t *err);

/* a kept document out of the index (nothing when it is not there) */
hd_rc hd_search_remove(hd_txn_t *txn, hd_search_scope_e scope, uint64_t doc,
    uint32_t sub, hd_err_t *err);

/* the hits, best first, in the pool; total: how many there were */
hd_rc hd_search_run(hd_txn_t *txn, hd_search_scope_e scope,
    const hd_search_query_t *q, hd_pool_t *pool, hd_search_hit_t **hits,
    size_t *n, size_t *total);


/* a snippet: the text around the first words of the query, cut at words */
typedef struct {
    hd_str_t      text;
    unsigned      mark:1;               /* a word of the query */
} hd_snippet_part_t;

/* at most chars characters of text around the query's words, in parts
   (a leading "…" when it does not start the text) */
size_t hd_search_snippet(hd_pool_t *pool, const hd_str_t *text,
    const hd_str_t *query, size_t chars, hd_snippet_part_t *parts,
    size_t max);


#endif /* HD_SEARCH_H */

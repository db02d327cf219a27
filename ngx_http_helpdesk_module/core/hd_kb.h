/*
 * The knowledge base (SPEC §8): articles in Markdown, for an audience
 * (everyone, customers, staff), in a state (draft, published, archived),
 * every edit kept as a revision; votes, views and deflections counted
 * apart from the article; found by the search index, which knows each
 * article's audience, state and language in its postings, so that what
 * a reader may not see is never even read.
 */

#ifndef HD_KB_H
#define HD_KB_H

#include "hd_account.h"
#include "hd_core.h"
#include "hd_pool.h"
#include "hd_record.h"
#include "hd_search.h"
#include "hd_ticket.h"


typedef enum {
    HD_KB_PUBLIC = 0,
    HD_KB_CUSTOMERS,
    HD_KB_INTERNAL,
    HD_KB_AUDIENCE_COUNT
} hd_kb_audience_e;

typedef enum {
    HD_KB_DRAFT = 0,
    HD_KB_PUBLISHED,
    HD_KB_ARCHIVED,
    HD_KB_STATE_COUNT
} hd_kb_state_e;

/* who reads: what each may see */
typedef enum {
    HD_KB_VISITOR = 0,          /* published, public */
    HD_KB_CUSTOMER,             /* published, public or for customers */
    HD_KB_STAFF                 /* anything but archived, unless asked */
} hd_kb_reader_e;


#define HD_KB_TITLE_MAX     300         /* characters */
#define HD_KB_BODY_MAX      (200 * 1024) /* bytes */
#define HD_KB_TAGS_MAX      500
#define HD_KB_LIST_MAX      50          /* products, related: ids */
#define HD_KB_SLUG_MAX      60


typedef struct {
    uint64_t      id;
    hd_str_t      title;
    hd_str_t      slug;
    hd_str_t      body;             /* Markdown */
    uint8_t       language;         /* hd_lang_e */
    uint8_t       audience;
    uint8_t       state;
    hd_str_t      products;         /* ids, "1,4" */
    hd_str_t      versions;         /* product versions it concerns */
    hd_str_t      tags;             /* "a, b" */
    hd_str_t      related;          /* article ids, "3,7" */
    uint64_t      created;
    uint64_t      updated;
    uint64_t      author;           /* the first */
    uint64_t      editor;           /* the last */
    uint32_t      revision;
    uint64_t      ticket;           /* the solution it was made from */
    hd_uchar      slug_made[HD_KB_SLUG_MAX + 8]; /* where a save puts it */
} hd_kb_article_t;

typedef struct {
    uint64_t      article;
    uint32_t      revision;
    hd_str_t      title;
    hd_str_t      body;
    uint8_t       audience;
    uint8_t       state;
    uint64_t      editor;
    uint64_t      time;
} hd_kb_revision_t;

typedef struct {
    uint64_t      views;
    uint32_t      helpful;
    uint32_t      unhelpful;
    uint32_t      deflections;      /* "this solved my problem" */
    uint32_t      shown;            /* suggested on a ticket form */
} hd_kb_stats_t;


extern const hd_record_desc_t  hd_kb_article_desc;
extern const hd_record_desc_t  hd_kb_revision_desc;
extern const char             *hd_kb_audience_names[HD_KB_AUDIENCE_COUNT];
extern const char             *hd_kb_state_names[HD_KB_STATE_COUNT];

int hd_kb_audience_from_name(const hd_uchar *name, size_t len);
int hd_kb_state_from_name(const hd_uchar *name, size_t len);

/* every bad field at once; products must exist, related articles too */
void hd_kb_validate(hd_txn_t *txn, const hd_kb_article_t *a,
    hd_errors_t *errors);

/*
 * id 0: a new article (its id, slug and revision set); otherwise the
 * article of that id, whose old text becomes a revision. Indexed in the
 * same transaction.
 */
hd_rc hd_kb_save(hd_txn_t *txn, hd_kb_article_t *a, uint64_t editor,
    uint64_t now, hd_err_t *err);
hd_rc hd_kb_get(hd_txn_t *txn, uint64_t id, hd_kb_article_t *a);
/* a number every save changes: answers kept under an older one are stale */
uint64_t hd_kb_generation(hd_txn_t *txn);
/* what the index keeps of an article in each posting: who may find it */
uint32_t hd_kb_sub(const hd_kb_article_t *a);
int hd_kb_visible(const hd_kb_article_t *a, hd_kb_reader_e reader);
hd_kb_reader_e hd_kb_reader(const hd_account_t *account);

void hd_kb_stats_get(hd_txn_t *txn, uint64_t id, hd_kb_stats_t *s);
hd_rc hd_kb_stats_put(hd_txn_t *txn, uint64_t id, const hd_kb_stats_t *s,
    hd_err_t *err);
/* views counted elsewhere, added in one go */
hd_rc hd_kb_views_add(hd_txn_t *txn, const uint64_t *ids,
    const uint32_t *counts, size_t n, hd_err_t *err);

/*
 * A vote of a voter (an account, or a visitor's address: a hash of it):
 * one each, the last one counts
 */
hd_rc hd_kb_vote(hd_txn_t *txn, uint64_t id, const hd_uchar voter[32],
    int helpful, hd_err_t *err);

/* the revisions of an article, newest first */
hd_rc hd_kb_revisions(hd_txn_t *txn, uint64_t id, hd_pool_t *pool,
    hd_kb_revision_t **list, size_t *n);
hd_rc hd_kb_revision_get(hd_txn_t *txn, uint64_t id, uint32_t revision,
    hd_kb_revision_t *r);

/* a line diff: '=' kept, '-' taken out, '+' put in */
typedef struct {
    char          op;
    hd_str_t      line;
} hd_kb_diff_line_t;

size_t hd_kb_diff(hd_pool_t *pool, const hd_str_t *before,
    const hd_str_t *after, hd_kb_diff_line_t **lines);

/* the ids of a "1,4" list, at most max */
size_t hd_kb_ids(const hd_str_t *list, uint64_t *ids, size_t max);


/* --- files of articles (hd_kb_files.c) ---------------------------------- */

#define HD_KB_FILES_MAX     50          /* files of one article */

/* a stored upload becomes a file of the article (a: its record, whose
   strings are f's) */
hd_rc hd_kb_file_add(hd_txn_t *txn, uint64_t article, const hd_upload_t *f,
    uint64_t author, uint64_t now, hd_attachment_t *a, hd_err_t *err);
hd_rc hd_kb_file_get(hd_txn_t *txn, uint64_t article, uint64_t id,
    hd_attachment_t *a);
/* the article's files, oldest first, in the pool */
hd_rc hd_kb_file_list(hd_txn_t *txn, uint64_t article, hd_pool_t *pool,
    hd_attachment_t **list, size_t *n);
hd_rc hd_kb_file_remove(hd_txn_t *txn, uint64_t article, uint64_t id,
    hd_err_t *err);


/* --- finding articles (hd_kb_find.c) ------------------------------------ */

typedef struct {
    hd_kb_reader_e  reader;
    uint64_t        product;        /* 0: any */
    int             language;       /* -1: any */
    int             state;          /* -1: what the reader sees */
    int             audience;       /* -1: any it may see */
} hd_kb_filter_t;

/* the newest first, as the reader may see them */
hd_rc hd_kb_list(hd_txn_t *txn, const hd_kb_filter_t *f, size_t offset,
    size_t limit, hd_pool_t *pool, hd_kb_article_t **list, size_t *n,
    size_t *total);

/* a query: typed (prefix), or titles only for suggestions */
hd_rc hd_kb_search(hd_txn_t *txn, const hd_kb_filter_t *f,
    const hd_str_t *text, int as_typed, int titles, size_t offset,
    size_t limit, hd_pool_t *pool, hd_search_hit_t **hits, size_t *n,
    size_t *total);

/*
 * The articles that may answer a ticket being written (its subject, then
 * the start of its description), as the ids a ticket records ("3,7"), in
 * out (NUL-terminated); how many
 */
size_t hd_kb_suggest_ids(hd_txn_t *txn, hd_kb_reader_e reader,
    const hd_str_t *subject, const hd_str_t *description, size_t max,
    char *out, size_t size);

/* the index made again from the articles (after an import, a repair) */
hd_rc hd_kb_reindex(hd_txn_t *txn, size_t *n, hd_err_t *err);

/* the text of an article to index and to cut snippets from */
int hd_kb_plain(hd_pool_t *pool, const hd_kb_article_t *a, hd_str_t *text);

/* what was looked for: a search without a result is remembered */
hd_rc hd_kb_searched(hd_txn_t *txn, const hd_str_t *query, size_t found,
    uint64_t now, hd_err_t *err);

typedef struct {
    hd_str_t      query;
    uint32_t      count;
    uint64_t      last;
} hd_kb_missed_t;

/* searches that found nothing, the most frequent first */
hd_rc hd_kb_missed(hd_txn_t *txn, hd_pool_t *pool, size_t max,
    hd_kb_missed_t **list, size_t *n);

#endif /* HD_KB_H */

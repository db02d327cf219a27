/*
 * Views: what a page or an API read shows, made once in the core. A view
 * opens and ends its own read transaction, decides what its viewer may see
 * and do, and returns one tree of values (hd_value.h) with the API's field
 * names: typed values (times, days, words of the catalogue, sizes) that the
 * JSON writer prints as ISO times and codes and a page prints in its
 * reader's words; values marked for pages only are left out of JSON.
 * Strings in a view are copies in the caller's pool: the transaction they
 * came from has ended.
 */

#ifndef HD_VIEW_H
#define HD_VIEW_H


#include "hd_core.h"
#include "hd_account.h"
#include "hd_i18n.h"
#include "hd_json.h"
#include "hd_portal.h"
#include "hd_store.h"
#include "hd_ticket.h"
#include "hd_value.h"


/* who reads, and where the portal lives (for links) */
typedef struct {
    const hd_account_t  *account;
    hd_str_t             mount;         /* "/" or "/support/" */
    hd_lang_e            lang;
    uint64_t             now;
    unsigned             page:1;        /* a page is made: its values too */
    unsigned             staff_route:1; /* read in the staff's words */
    unsigned             after_change:1;    /* the answer to one's own
                                               change: seen even when the
                                               change moved it away */
    unsigned             newest_first:1;    /* a thread read backwards */
    const hd_ticket_policy_t  *tickets;     /* reopen windows, files */
} hd_viewer_t;


/* the catalogue prefixes of the words views make */
#define HD_WORD_STATUS        "tickets.status_"
#define HD_WORD_STAFF_STATUS  "tickets.staff_status_"
#define HD_WORD_PRIORITY      "tickets.priority_"
#define HD_WORD_TYPE          "tickets.type_"
#define HD_WORD_CATEGORY      "tickets.category_"
#define HD_WORD_SEVERITY      "tickets.severity_"
#define HD_WORD_SIDE          "tickets.side_"
#define HD_WORD_KIND          "tickets.kind_"
#define HD_WORD_EVENT         "tickets.event_"
#define HD_WORD_CAME          "staff.came_"
#define HD_WORD_CERT_STATE    "certs.state_"
#define HD_WORD_LEVEL         "staff.level_"
#define HD_WORD_KB_AUDIENCE   "kb.audiences."


/* names read once per view: accounts and departments */
#define HD_VIEW_NAMES  32

typedef struct {
    hd_txn_t            *txn;
    hd_pool_t           *pool;
    uint64_t             account[HD_VIEW_NAMES];
    hd_str_t             account_name[HD_VIEW_NAMES];
    size_t               naccounts;
    uint64_t             department[HD_VIEW_NAMES];
    hd_str_t             department_name[HD_VIEW_NAMES];
    size_t               ndepartments;
} hd_view_names_t;

/* "" for 0 or an unknown id; copies in the names' pool */
hd_str_t *hd_view_account_name(hd_view_names_t *names, uint64_t id);
hd_str_t *hd_view_department_name(hd_view_names_t *names, uint64_t id);


/* the view as the API's JSON: pages-only values left out */
void hd_view_json(hd_jw_t *w, const hd_val_t *view);

/*
 * Makes the page text of every typed value of the view: times in the
 * portal's zone, days and sizes as the language writes them, words from
 * the catalogue (the code itself when it has none)
 */
void hd_view_localize(hd_pool_t *pool, hd_val_t *view,
    const hd_val_t *catalog, hd_lang_e lang);

/* a time as a page shows it: "21.11.2026 22:10", "21 Nov 2026 22:10";
   out holds 17 bytes; its length (0 for no time) */
size_t hd_view_time_text(uint64_t t, hd_lang_e lang, hd_uchar *out);


/* a string copied into the pool; empty: null when opt */
hd_val_t *hd_view_str(hd_pool_t *pool, const hd_str_t *s, int opt);
/* a string that is the pool's already (lists of records, names): kept */
hd_val_t *hd_view_ref(hd_pool_t *pool, const hd_str_t *s, int opt);
int hd_view_set_ref(hd_pool_t *pool, hd_val_t *map, const char *key,
    const hd_str_t *s, int opt);
int hd_view_set_str(hd_pool_t *pool, hd_val_t *map, const char *key,
    const hd_str_t *s);
int hd_view_set_opt(hd_pool_t *pool, hd_val_t *map, const char *key,
    const hd_str_t *s);
/* an id that may be none: null then */
int hd_view_set_id(hd_pool_t *pool, hd_val_t *map, const char *key,
    uint64_t id);
/* a code of a table, or null when i is past it */
const char *hd_view_code(const char *const *names, size_t n, unsigned i);

/* severities as codes of the catalogue: "1".."4" */
extern const char *const  hd_view_severities[4];
const char *hd_view_severity_code(unsigned severity);

/* a select's choices of a table of codes, their words, one selected */
hd_val_t *hd_view_choices(hd_pool_t *pool, const char *group,
    const char *const *codes, size_t n, const char *selected);

/* a ticket's category as the API names it, in the pool */
const char *hd_view_category_name(hd_txn_t *txn, hd_pool_t *pool,
    unsigned id);

/* what a ticket's page shows in words beside its API fields: the title,
   the codes its marks are styled by, the category and severity */
void hd_view_ticket_words(const hd_viewer_t *viewer, hd_txn_t *txn,
    hd_pool_t *pool, hd_val_t *view, const hd_ticket_t *t,
    const char *category);

/* why a ticket is not shown (rc of reading it, HD_NOT_FOUND too when the
   reader may not see it), in err: returned */
hd_rc hd_view_no_ticket(hd_err_t *err, hd_rc rc, uint64_t number);

/* a ticket's rating: {"stars", "comment"}, or null */
hd_val_t *hd_view_rating(hd_pool_t *pool, const hd_ticket_t *t);

/* what happened to a ticket: "action", and "from" and "to" as words of
   the statuses (null for none) */
void hd_view_set_change(hd_pool_t *pool, hd_val_t *map, const char *words,
    unsigned action, unsigned from, unsigned to);

/* the same values in the other order (a new list) */
hd_val_t *hd_view_reversed(hd_pool_t *pool, const hd_val_t *list);

/* a ticket's extra fields: {"name": "value"} */
hd_val_t *hd_view_form_values(hd_pool_t *pool, const hd_str_t *stored);

/* a message of a ticket's thread with its files, as the API has it, and
   for pages its words */
hd_val_t *hd_view_message(const hd_viewer_t *viewer, hd_view_names_t *names,
    const hd_message_t *m, const hd_attachment_t *files, size_t nfiles);

/* the articles a ticket's customer was shown (SPEC §8) */
hd_val_t *hd_view_kb_shown(const hd_viewer_t *viewer, hd_txn_t *txn,
    hd_pool_t *pool, const hd_str_t *shown);

/* an article's address: mount + "kb/ID-slug" */
hd_str_t hd_view_kb_url(const hd_viewer_t *viewer, hd_pool_t *pool,
    uint64_t id, const hd_str_t *slug);


/* --- the views ------------------------------------------------------------ */

/* a view of one ticket, by its number */
typedef hd_rc (*hd_view_ticket_pt)(hd_store_t *store,
    const hd_viewer_t *viewer, uint64_t number, hd_pool_t *pool,
    hd_val_t **view, hd_err_t *err);

/*
 * A ticket as its customer (or a colleague of the company) reads it
 * (SPEC §5.5): the thread without notes, what the reader may do now.
 * HD_NOT_FOUND for a ticket the reader may not see.
 */
hd_rc hd_view_ticket(hd_store_t *store, const hd_viewer_t *viewer,
    uint64_t number, hd_pool_t *pool, hd_val_t **view, hd_err_t *err);

/* the page after a ticket is made: the ticket, the articles shown */
hd_rc hd_view_ticket_created(hd_store_t *store, const hd_viewer_t *viewer,
    uint64_t number, hd_pool_t *pool, hd_val_t **view, hd_err_t *err);

/*
 * The staff's ticket (SPEC §9): the ticket, its customer with company and
 * certificate, their other tickets, the thread with notes, the audit, who
 * may own it; for pages also what the staff may do. HD_NOT_FOUND for a
 * ticket the viewer may not see.
 */
hd_rc hd_view_staff_ticket(hd_store_t *store, const hd_viewer_t *viewer,
    uint64_t number, hd_pool_t *pool, hd_val_t **view, hd_err_t *err);


#endif /* HD_VIEW_H */

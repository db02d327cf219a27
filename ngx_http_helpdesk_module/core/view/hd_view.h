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
#include "hd_staff.h"
#include "hd_store.h"
#include "hd_ticket.h"
#include "hd_value.h"


typedef struct hd_view_memo_s  hd_view_memo_t;


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
    const hd_val_t      *catalog;       /* a page's words: generated rows
                                           are made in them */
    hd_view_memo_t      *memo;          /* the caller's, for catalog; or
                                           NULL */
    /* a number that changes when a ticket of the departments changes (the
       queue's page asks it again to know); NULL: none */
    uint64_t           (*queue_version)(const hd_staff_scope_t *scope,
                                        uint64_t department);
} hd_viewer_t;


/* which page of a list, and of what (the arguments of a list's view) */
typedef struct {
    size_t               page;          /* from 1 */
    size_t               per_page;
    unsigned             closed_too:1;  /* "show=all" */
} hd_view_list_t;


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
#define HD_WORD_SLA           "staff.sla_"


/* names read once per view: accounts and departments */
#define HD_VIEW_NAMES  64

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


/*
 * The words of tables' codes as a page shows them, kept by the caller
 * between views (one per catalogue and language): a word is looked up in
 * the catalogue once per process. Found by the pointers of group and code,
 * so only for strings that live as long as the process (the tables' own).
 */
#define HD_VIEW_MEMO  128               /* a power of two */

typedef struct {
    const char          *group;
    const char          *code;
    hd_str_t             text;
} hd_view_memo_word_t;

struct hd_view_memo_s {
    const hd_val_t      *catalog;
    hd_lang_e            lang;
    size_t               n;
    hd_view_memo_word_t  word[HD_VIEW_MEMO];
};

/*
 * The words and times of generated rows (made as they are written, after
 * hd_view_localize has run) and of a page's own lists. Without a
 * catalogue (JSON) values are typed and get no text.
 */
typedef struct {
    const hd_val_t      *catalog;
    hd_lang_e            lang;
    hd_view_memo_t      *memo;          /* NULL: each word looked up */
} hd_view_words_t;

void hd_view_words_init(hd_view_words_t *words, const hd_viewer_t *viewer);
void hd_view_word_fill(hd_view_words_t *words, hd_val_t *v,
    const char *group, const char *code);
void hd_view_time_fill(hd_view_words_t *words, hd_pool_t *pool, hd_val_t *v,
    uint64_t t);
/* map's key: a word (group and code static, as hd_view_word_fill) */
int hd_view_set_word(hd_view_words_t *words, hd_pool_t *pool, hd_val_t *map,
    const char *key, const char *group, const char *code);


/* a row of a list of tickets: what it shows, read before the transaction
   ends (names and subject in the pool) */
typedef struct {
    uint64_t             number;
    uint64_t             created;
    uint64_t             updated;
    uint64_t             sla_due;
    uint64_t             department_id;
    uint64_t             owner_id;
    hd_str_t             subject;
    hd_str_t             department;
    hd_str_t             owner;
    hd_str_t             author;
    hd_str_t             last_replier;
    uint8_t              status;
    uint8_t              priority;
    uint8_t              type;
    uint8_t              severity;
    uint8_t              channel;
    uint8_t              side;
    uint8_t              sla_state;
    unsigned             premium:1;
} hd_view_row_t;

/* the rows of tickets, their names read once (the last replier's only
   when replier: a name is a read); NULL: no memory */
hd_view_row_t *hd_view_rows(hd_txn_t *txn, hd_pool_t *pool,
    const hd_ticket_t *tickets, size_t n, int replier);

/* a generated row's value refilled: a string or an id (null when opt and
   empty), a code of a table (null for none) */
void hd_view_fill_str(hd_val_t *v, const hd_str_t *s, int opt);
void hd_view_fill_int(hd_val_t *v, uint64_t n, int opt);
void hd_view_fill_code(hd_val_t *v, const char *code);


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

/* a view of one thing: a ticket by its number, an account by its id */
typedef hd_rc (*hd_view_one_pt)(hd_store_t *store,
    const hd_viewer_t *viewer, uint64_t number, hd_pool_t *pool,
    hd_val_t **view, hd_err_t *err);

/*
 * A ticket as its customer (or a colleague of the company) reads it
 * (SPEC §5.5): the thread without notes, what the reader may do now.
 * HD_NOT_FOUND for a ticket the reader may not see.
 */
hd_rc hd_view_ticket(hd_store_t *store, const hd_viewer_t *viewer,
    uint64_t number, hd_pool_t *pool, hd_val_t **view, hd_err_t *err);

/*
 * "My tickets" (SPEC §5.5): a page of the reader's tickets, newest update
 * first (unclosed only unless closed_too), the limits of their
 * certificates, the counts of every unclosed and resolved ticket
 */
hd_rc hd_view_tickets(hd_store_t *store, const hd_viewer_t *viewer,
    const hd_view_list_t *args, hd_pool_t *pool, hd_val_t **view,
    hd_err_t *err);

/* the staff's queues: every ticket seen, their owner's, no owner's */
typedef enum {
    HD_VIEW_QUEUE_ALL = 0,
    HD_VIEW_QUEUE_MINE,
    HD_VIEW_QUEUE_UNASSIGNED,
    HD_VIEW_QUEUE_COUNT
} hd_view_queue_e;

extern const char  *hd_view_queue_names[HD_VIEW_QUEUE_COUNT];

/* what a queue's request asks for */
typedef struct {
    unsigned             queue;             /* hd_view_queue_e */
    uint64_t             department;        /* 0: every one seen */
    uint32_t             statuses;          /* HD_STATUS_BIT()s */
    int                  priority;          /* -1: any */
    int                  sla;               /* 0: any */
    int                  order;             /* hd_order_e */
    hd_str_t             holder;
    hd_str_t             text;
    hd_str_t             field;             /* an extra field's name */
    hd_str_t             field_value;       /* and its value */
    size_t               page;              /* from 1 */
    size_t               per_page;
    hd_str_t             query;             /* the arguments as they came:
                                               the page's links keep them */
    unsigned             filtered:1;        /* some filter is set */
} hd_view_queue_args_t;

/*
 * The staff's queue (SPEC §2, §5): the tickets of the departments the
 * viewer sees (HD_FORBIDDEN for one they do not), filtered, ordered and
 * paged, with the counts of each queue, status and priority; for a page
 * also its tabs, filters' choices and links
 */
hd_rc hd_view_staff_queue(hd_store_t *store, const hd_viewer_t *viewer,
    const hd_view_queue_args_t *args, hd_pool_t *pool, hd_val_t **view,
    hd_err_t *err);

/*
 * "My certificates" (SPEC §4): the reader's and their company's, each
 * with its type, term, state and the unclosed tickets of its limit; the
 * expired ones counted (and left out when hide_expired)
 */
hd_rc hd_view_certificates(hd_store_t *store, const hd_viewer_t *viewer,
    int hide_expired, hd_pool_t *pool, hd_val_t **view, hd_err_t *err);

/* a certificate just registered (already: it was the reader's before): the
   API's certificate, or the wizard's last step */
hd_rc hd_view_certificate_registered(hd_store_t *store,
    const hd_viewer_t *viewer, uint64_t id, int already, hd_pool_t *pool,
    hd_val_t **view, hd_err_t *err);

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


/* hd_view_account.c: an account as the API shows it, from the account
   or read by its id */
hd_val_t *hd_view_account_of(hd_pool_t *pool, const hd_account_t *a);
hd_rc hd_view_account(hd_store_t *store, const hd_viewer_t *viewer,
    uint64_t id, hd_pool_t *pool, hd_val_t **view, hd_err_t *err);


/* hd_view_staff_admin.c: the administrator's staff list, one member; the
   departments (a page's "editing" one by its id, or 0), one department */
hd_rc hd_view_admin_staff(hd_store_t *store, const hd_viewer_t *viewer,
    hd_pool_t *pool, hd_val_t **view, hd_err_t *err);
hd_rc hd_view_admin_staff_member(hd_store_t *store,
    const hd_viewer_t *viewer, uint64_t id, hd_pool_t *pool, hd_val_t **view,
    hd_err_t *err);
hd_rc hd_view_admin_departments(hd_store_t *store, const hd_viewer_t *viewer,
    uint64_t editing, hd_pool_t *pool, hd_val_t **view, hd_err_t *err);
hd_rc hd_view_admin_department(hd_store_t *store, const hd_viewer_t *viewer,
    uint64_t id, hd_pool_t *pool, hd_val_t **view, hd_err_t *err);


#endif /* HD_VIEW_H */

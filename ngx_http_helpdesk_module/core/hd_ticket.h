/*
 * Tickets (SPEC §5): the record and its thread of messages, attachments and
 * audit records; the statuses and the transitions between them as tables;
 * the derived priority; and the indexes every query goes through, kept by
 * one function that writes a ticket.
 */

#ifndef HD_TICKET_H
#define HD_TICKET_H


#include "hd_core.h"
#include "hd_crypto.h"
#include "hd_pool.h"
#include "hd_record.h"
#include "hd_schema.h"


typedef enum {
    HD_STATUS_NEW = 0,
    HD_STATUS_OPEN,
    HD_STATUS_AWAITING_CUSTOMER,
    HD_STATUS_SOLVED,
    HD_STATUS_CLOSED,
    HD_STATUS_CLOSED_NO_INFO,
    HD_STATUS_CANCELLED_BY_STAFF,
    HD_STATUS_CANCELLED_BY_CUSTOMER,
    HD_STATUS_COUNT
} hd_status_e;

typedef enum {
    HD_WAITS_NOBODY = 0,
    HD_WAITS_STAFF,
    HD_WAITS_CUSTOMER
} hd_waits_e;

/* where a ticket stands against its SLA (the timer says, SPEC §6.2) */
typedef enum {
    HD_SLA_OK = 0,
    HD_SLA_AT_RISK,
    HD_SLA_BREACHED,
    HD_SLA_STATE_COUNT
} hd_sla_state_e;

typedef enum {
    HD_TYPE_CONSULTATION = 0,
    HD_TYPE_BUG,
    HD_TYPE_ENHANCEMENT,
    HD_TYPE_COUNT
} hd_ticket_type_e;

typedef enum {
    HD_CATEGORY_TECHNICAL = 0,
    HD_CATEGORY_ACCOUNT_OR_CONTRACT,
    HD_CATEGORY_FEEDBACK,
    HD_CATEGORY_APNS,               /* an APNs certificate request: one
                                       PKCS#10 CSR (Kaspersky block 7) */
    HD_CATEGORY_COUNT
} hd_category_e;

typedef enum {
    HD_PRIORITY_LOW = 0,
    HD_PRIORITY_NORMAL,
    HD_PRIORITY_ELEVATED,
    HD_PRIORITY_HIGH,
    HD_PRIORITY_URGENT,
    HD_PRIORITY_CRITICAL,
    HD_PRIORITY_COUNT
} hd_priority_e;

typedef enum {
    HD_CHANNEL_WEB = 0,
    HD_CHANNEL_EMAIL,
    HD_CHANNEL_PHONE,
    HD_CHANNEL_API,
    HD_CHANNEL_COUNT
} hd_channel_e;

typedef enum {
    HD_SIDE_CUSTOMER = 0,
    HD_SIDE_STAFF,
    HD_SIDE_SYSTEM,
    HD_SIDE_COUNT
} hd_side_e;

/* what a message of the thread is */
typedef enum {
    HD_MESSAGE_CUSTOMER = 0,        /* a customer's description or reply */
    HD_MESSAGE_REPLY,               /* a staff reply */
    HD_MESSAGE_NOTE,                /* internal: staff only */
    HD_MESSAGE_INFO_REQUEST,
    HD_MESSAGE_SOLUTION,
    HD_MESSAGE_EVENT,               /* the system's: a status change... */
    HD_MESSAGE_KIND_COUNT
} hd_message_kind_e;

/* what happened to a ticket: the actions of the transition table */
typedef enum {
    HD_ACTION_CREATE = 0,
    HD_ACTION_CUSTOMER_REPLY,
    HD_ACTION_CUSTOMER_CLOSE,
    HD_ACTION_REOPEN,
    HD_ACTION_STAFF_REPLY,
    HD_ACTION_INFO_REQUEST,
    HD_ACTION_SOLUTION,
    HD_ACTION_STAFF_CANCEL,
    HD_ACTION_AUTOCLOSE,
    HD_ACTION_RATE,
    HD_ACTION_ASSIGN,
    HD_ACTION_EDIT,
    HD_ACTION_SLA_AT_RISK,
    HD_ACTION_SLA_BREACH,
    HD_ACTION_COUNT
} hd_action_e;


#define HD_SUBJECT_MAX_CHARS       200
#define HD_BODY_MAX_CHARS          100000
#define HD_VERSION_MAX_CHARS       100
#define HD_COMMENT_MAX_CHARS       2000
#define HD_FILE_NAME_MAX_BYTES     255
#define HD_STATUS_NONE             0xff     /* before creation */

#define HD_STATUS_BIT(s)           (1u << (s))
#define HD_STATUSES_UNCLOSED                                                  \
    (HD_STATUS_BIT(HD_STATUS_NEW) | HD_STATUS_BIT(HD_STATUS_OPEN)             \
     | HD_STATUS_BIT(HD_STATUS_AWAITING_CUSTOMER)                             \
     | HD_STATUS_BIT(HD_STATUS_SOLVED))


typedef struct {
    uint8_t       waits;            /* hd_waits_e */
    uint8_t       closed;           /* out of work: not "unclosed" */
} hd_status_def_t;


/* a row of the transition table: the action from these statuses */
typedef struct {
    uint8_t       action;
    uint32_t      from;             /* HD_STATUS_BIT()s */
    uint8_t       to;
} hd_transition_t;


typedef struct {
    uint64_t      number;
    hd_str_t      subject;
    uint8_t       type;
    uint8_t       category;
    uint8_t       severity;         /* 1 (critical) - 4 */
    uint64_t      certificate;      /* id; 0: none */
    uint64_t      product;          /* id; 0: none */
    hd_str_t      product_version;
    hd_str_t      os_version;
    uint64_t      department;
    uint64_t      owner;            /* an agent; 0: nobody yet */
    uint8_t       status;
    uint8_t       priority;
    uint8_t       priority_set;     /* staff's override + 1; 0: derived */
    uint8_t       channel;
    uint8_t       premium;
    uint8_t       level;            /* the certificate's support level */
    uint64_t      author;
    uint64_t      company;          /* the author's company at creation */
    uint64_t      created;
    uint64_t      updated;
    uint64_t      status_changed;
    uint64_t      closed;           /* when it last left work */
    uint64_t      last_replier;
    uint8_t       last_side;
    uint64_t      sla_due;          /* the earliest SLA due time; 0: none */
    uint64_t      autoclose_due;    /* 0: none */
    uint64_t      reference;        /* an earlier ticket this one continues */
    uint8_t       rating;           /* 1-5; 0: not rated */
    hd_str_t      rating_comment;
    uint64_t      rated;
    uint32_t      messages;
    uint32_t      attachments;
    uint32_t      version;          /* each write: 1, 2, ... */
    uint64_t      sla_warn;         /* at risk from (the SLA issue) */
    uint8_t       sla_state;        /* hd_sla_state_e */
    /* the SLA clocks (hd_work.h): due and at-risk times of the running
       ones, the resolution clock's target and what is left of it while it
       pauses, their flags, and the next time the timer looks (indexed) */
    uint64_t      resp_due;         /* 0: the response clock stands */
    uint64_t      resp_warn;
    uint64_t      resol_due;        /* 0: not running */
    uint64_t      resol_warn;
    uint64_t      resol_left;       /* working seconds, while paused */
    uint64_t      resol_target;     /* working seconds; 0: no clock */
    uint8_t       sla_flags;
    uint64_t      sla_next;
    hd_str_t      mail_thread;      /* the Message-ID it came by (e-mail):
                                       our mail answers it */
    hd_str_t      kb_shown;         /* articles suggested as it was
                                       written, "3,7" */
    uint64_t      regulations;      /* the edition in force when it was
                                       made (its author accepted it);
                                       0: none was published */
    hd_str_t      csr;              /* an APNs request's CSR: its subject,
                                       key type and size, for staff */
    uint64_t      activation;       /* the contract whose activation it
                                       asks for (hd_activation) */
    hd_str_t      fields;           /* the values of its form's extra
                                       fields (hd_form.h) */
    uint8_t       acted;            /* not stored: the action of this write
                                       + 1 (hd_ticket_act), 0: none */
} hd_ticket_t;


typedef struct {
    uint64_t      id;
    uint64_t      ticket;
    uint8_t       kind;             /* hd_message_kind_e */
    uint64_t      author;           /* 0: the system */
    uint8_t       side;
    hd_str_t      body;
    uint64_t      created;
    uint8_t       channel;
    uint8_t       action;           /* events: what happened */
    uint8_t       from;             /* events: statuses */
    uint8_t       to;
    uint32_t      files;
    uint8_t       flags;            /* HD_MESSAGE_* below */
} hd_message_t;

/* came by e-mail with neither the token of a mail we sent its author nor
   the MTA's word for the sender: staff are told the sender may be forged */
#define HD_MESSAGE_UNVERIFIED  0x01


typedef struct {
    uint64_t      id;
    uint64_t      ticket;
    uint64_t      message;
    hd_str_t      name;             /* for display only, never a path */
    hd_str_t      type;             /* as the browser said */
    uint64_t      size;
    hd_str_t      sha256;           /* 32 bytes: the stored content */
    uint64_t      author;
    uint64_t      created;
} hd_attachment_t;


typedef struct {
    hd_str_t      sha256;
    uint64_t      size;
    uint64_t      refs;
    uint64_t      created;
} hd_blob_t;


typedef struct {
    uint64_t      id;
    uint64_t      ticket;
    uint64_t      actor;            /* 0: the system */
    uint8_t       side;
    uint64_t      time;
    uint8_t       action;
    uint8_t       from;
    uint8_t       to;
    hd_str_t      detail;
} hd_audit_t;


/* a file of an upload, already in the file store (hd_files) */
typedef struct {
    hd_str_t      name;
    hd_str_t      type;
    uint64_t      size;
    hd_uchar      sha256[HD_SHA256_LEN];
} hd_upload_t;


/* whose tickets a list shows */
typedef struct {
    uint64_t      account;
    uint64_t      company;          /* 0: none */
    int           sees_company;     /* the company's tickets too */
    int           closed_too;       /* "Show resolved" */
    size_t        offset;
    size_t        limit;
    int           in_place;         /* strings left in the transaction's
                                       pages: valid until it ends */
} hd_ticket_query_t;

typedef struct {
    size_t        unclosed;
    size_t        closed;
    size_t        total;            /* of what the query shows */
    size_t        n;
    hd_ticket_t  *tickets;          /* copied into the pool */
} hd_ticket_page_t;


extern const hd_record_desc_t  hd_ticket_desc;
extern const hd_record_desc_t  hd_message_desc;
extern const hd_record_desc_t  hd_attachment_desc;
extern const hd_record_desc_t  hd_blob_desc;
extern const hd_record_desc_t  hd_audit_desc;

extern const hd_status_def_t   hd_statuses[HD_STATUS_COUNT];
extern const char             *hd_status_names[HD_STATUS_COUNT];
extern const char             *hd_ticket_type_names[HD_TYPE_COUNT];
extern const char             *hd_category_names[HD_CATEGORY_COUNT];
extern const char             *hd_priority_names[HD_PRIORITY_COUNT];
extern const char             *hd_channel_names[HD_CHANNEL_COUNT];
extern const char             *hd_side_names[HD_SIDE_COUNT];
extern const char             *hd_message_kind_names[HD_MESSAGE_KIND_COUNT];
extern const char             *hd_action_names[HD_ACTION_COUNT];
extern const char             *hd_sla_state_names[HD_SLA_STATE_COUNT];


/* a name of one of the tables above, or -1 */
int hd_name_index(const char **names, size_t n, const hd_uchar *name,
    size_t len);

static inline int
hd_status_closed(unsigned status)
{
    return status >= HD_STATUS_COUNT || hd_statuses[status].closed;
}

/* a ticket that closed (closed, closed_no_info) is rated; a cancelled
   one never is (SPEC §5.6) */
static inline int
hd_status_rateable(unsigned status)
{
    return status == HD_STATUS_CLOSED || status == HD_STATUS_CLOSED_NO_INFO;
}

/* where the action takes a ticket in this status, or -1: not allowed */
int hd_transition(hd_action_e action, unsigned from);

/*
 * The derived priority (SPEC §5.4): low without certificate, normal with
 * one, by support level for premium incidents; severity 1 one step up
 */
hd_priority_e hd_priority_derive(int has_certificate, int premium,
    unsigned level, unsigned severity);

hd_rc hd_ticket_get(hd_txn_t *txn, uint64_t number, hd_ticket_t *t);

/*
 * An action of the transition table on the ticket (not yet written): the
 * status moves (HD_CONFLICT when the action is not allowed from it), the
 * thread gets a system event when the status changed, the audit a record
 * of the action in any case
 */
hd_rc hd_ticket_act(hd_txn_t *txn, hd_ticket_t *t, hd_action_e action,
    uint64_t actor, hd_side_e side, uint64_t now, hd_err_t *err);
/* the same with a detail for the audit record */
hd_rc hd_ticket_act_detail(hd_txn_t *txn, hd_ticket_t *t, hd_action_e action,
    uint64_t actor, hd_side_e side, uint64_t now, const hd_str_t *detail,
    hd_err_t *err);
/* an audit record of an action outside the table (creation, rating) */
hd_rc hd_ticket_audit(hd_txn_t *txn, const hd_ticket_t *t,
    hd_action_e action, uint64_t actor, hd_side_e side, uint64_t now,
    unsigned from, unsigned to, const hd_str_t *detail, hd_err_t *err);

/* an edit's audit record of one field: "field: from -> to" */
hd_rc hd_ticket_audit_field(hd_txn_t *txn, const hd_ticket_t *t,
    uint64_t actor, hd_side_e side, uint64_t now, const char *field,
    const char *from, const char *to, hd_err_t *err);

/*
 * Writes the ticket and brings every index along: scope (author and
 * company, unclosed or not), department and owner by status, the SLA and
 * auto-close due times, the certificate's unclosed tickets. old is the
 * ticket as it was (NULL for a new one).
 */
hd_rc hd_ticket_put(hd_txn_t *txn, const hd_ticket_t *old,
    hd_ticket_t *t, hd_err_t *err);

/* called with the department of each ticket hd_ticket_put writes (set by
   the nginx module: its live queue pages); any thread */
extern void  (*hd_ticket_changed)(uint64_t department);

/* the next ticket number: the sequence, never below start */
hd_rc hd_ticket_number(hd_txn_t *txn, uint64_t start, uint64_t *number,
    hd_err_t *err);

/* a message of the thread: its id given here */
hd_rc hd_message_add(hd_txn_t *txn, hd_message_t *m, hd_err_t *err);
/* flags added to a message of the thread */
hd_rc hd_message_flag(hd_txn_t *txn, uint64_t ticket, uint64_t id,
    uint8_t flags, hd_err_t *err);
hd_rc hd_message_get(hd_txn_t *txn, uint64_t ticket, uint64_t id,
    hd_message_t *m);
/* the thread, oldest first; internal notes only when asked */
hd_rc hd_message_list(hd_txn_t *txn, uint64_t ticket, int notes,
    hd_pool_t *pool, hd_message_t **list, size_t *n);

/* an attachment of a message: the stored file's reference counted */
hd_rc hd_attachment_add(hd_txn_t *txn, hd_attachment_t *a, hd_err_t *err);
/* a stored content referred to once more (delta 1) or once less (-1) */
hd_rc hd_blob_ref(hd_txn_t *txn, const hd_uchar sha256[HD_SHA256_LEN],
    uint64_t size, uint64_t now, int delta, hd_err_t *err);
hd_rc hd_attachment_get(hd_txn_t *txn, uint64_t ticket, uint64_t id,
    hd_attachment_t *a);
hd_rc hd_attachment_list(hd_txn_t *txn, uint64_t ticket, hd_pool_t *pool,
    hd_attachment_t **list, size_t *n);

/*
 * The records of a database keyed (id, id) under the first one (a ticket's,
 * an article's), in key order, decoded and copied into the pool; keep() may
 * leave some out
 */
hd_rc hd_ticket_records(hd_txn_t *txn, hd_db_e db, uint64_t ticket,
    const hd_record_desc_t *desc, int (*keep)(const void *rec, int arg),
    int arg, hd_pool_t *pool, void **list, size_t *n);

/* the record of such a database keyed (ticket, id) */
hd_rc hd_ticket_record_get(hd_txn_t *txn, hd_db_e db, uint64_t ticket,
    uint64_t id, const hd_record_desc_t *desc, void *rec);

hd_rc hd_audit_add(hd_txn_t *txn, hd_audit_t *a, hd_err_t *err);
hd_rc hd_audit_list(hd_txn_t *txn, uint64_t ticket, hd_pool_t *pool,
    hd_audit_t **list, size_t *n);

/* a page of someone's tickets, newest update first, with the counts */
hd_rc hd_ticket_list(hd_txn_t *txn, const hd_ticket_query_t *q,
    hd_pool_t *pool, hd_ticket_page_t *page);

/*
 * The numbers of an account's tickets (as author) and of a company's
 * (either may be 0), every status; the list malloc()ed
 */
hd_rc hd_ticket_scope_numbers(hd_txn_t *txn, uint64_t account,
    uint64_t company, uint64_t **list, size_t *n);

/* premium incidents used in the certificate's contract year */
hd_rc hd_premium_used(hd_txn_t *txn, uint64_t certificate, uint32_t year,
    uint32_t *used);
hd_rc hd_premium_count(hd_txn_t *txn, uint64_t certificate, uint32_t year,
    hd_err_t *err);

/* strings copied into the pool */
void hd_ticket_copy(hd_pool_t *pool, hd_ticket_t *t);

hd_rc hd_ticket_check(hd_txn_t *txn, hd_check_t *check);
/* every stored file the database refers to is on disk, whole */
/*
 * Every stored file against its record: there, of its size and (unless
 * quick) of its SHA-256; then what the store holds that nothing refers to
 * (orphans) and partial uploads left in tmp/, reported, not problems (a
 * crash leaves them; the timer removes them)
 */
hd_rc hd_blob_check(hd_txn_t *txn, const char *files, int quick,
    hd_check_t *check);


#endif /* HD_TICKET_H */

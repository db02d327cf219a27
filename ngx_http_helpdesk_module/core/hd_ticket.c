/*
 * Tickets: records, the status and transition tables, priority, and the
 * indexes, which only hd_ticket_put writes so that they never disagree with
 * the tickets.
 */

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "hd_files.h"
#include "hd_queue.h"
#include "hd_store.h"
#include "hd_ticket.h"
#include "hd_work.h"


static const hd_field_t  hd_ticket_fields[] = {
    hd_field(hd_ticket_t, 1, HD_FIELD_U64, number),
    hd_field(hd_ticket_t, 2, HD_FIELD_STR, subject),
    hd_field(hd_ticket_t, 3, HD_FIELD_U8, type),
    hd_field(hd_ticket_t, 4, HD_FIELD_U8, category),
    hd_field(hd_ticket_t, 5, HD_FIELD_U8, severity),
    hd_field(hd_ticket_t, 6, HD_FIELD_U64, certificate),
    hd_field(hd_ticket_t, 7, HD_FIELD_U64, product),
    hd_field(hd_ticket_t, 8, HD_FIELD_STR, product_version),
    hd_field(hd_ticket_t, 9, HD_FIELD_STR, os_version),
    hd_field(hd_ticket_t, 10, HD_FIELD_U64, department),
    hd_field(hd_ticket_t, 11, HD_FIELD_U64, owner),
    hd_field(hd_ticket_t, 12, HD_FIELD_U8, status),
    hd_field(hd_ticket_t, 13, HD_FIELD_U8, priority),
    hd_field(hd_ticket_t, 14, HD_FIELD_U8, priority_set),
    hd_field(hd_ticket_t, 15, HD_FIELD_U8, channel),
    hd_field(hd_ticket_t, 16, HD_FIELD_U8, premium),
    hd_field(hd_ticket_t, 17, HD_FIELD_U8, level),
    hd_field(hd_ticket_t, 18, HD_FIELD_U64, author),
    hd_field(hd_ticket_t, 19, HD_FIELD_U64, company),
    hd_field(hd_ticket_t, 20, HD_FIELD_U64, created),
    hd_field(hd_ticket_t, 21, HD_FIELD_U64, updated),
    hd_field(hd_ticket_t, 22, HD_FIELD_U64, status_changed),
    hd_field(hd_ticket_t, 23, HD_FIELD_U64, closed),
    hd_field(hd_ticket_t, 24, HD_FIELD_U64, last_replier),
    hd_field(hd_ticket_t, 25, HD_FIELD_U8, last_side),
    hd_field(hd_ticket_t, 26, HD_FIELD_U64, sla_due),
    hd_field(hd_ticket_t, 27, HD_FIELD_U64, autoclose_due),
    hd_field(hd_ticket_t, 28, HD_FIELD_U64, reference),
    hd_field(hd_ticket_t, 29, HD_FIELD_U8, rating),
    hd_field(hd_ticket_t, 30, HD_FIELD_STR, rating_comment),
    hd_field(hd_ticket_t, 31, HD_FIELD_U64, rated),
    hd_field(hd_ticket_t, 32, HD_FIELD_U32, messages),
    hd_field(hd_ticket_t, 33, HD_FIELD_U32, attachments),
    hd_field(hd_ticket_t, 34, HD_FIELD_U32, version),
    hd_field(hd_ticket_t, 35, HD_FIELD_U64, sla_warn),
    hd_field(hd_ticket_t, 36, HD_FIELD_U8, sla_state),
    hd_field(hd_ticket_t, 37, HD_FIELD_U64, resp_due),
    hd_field(hd_ticket_t, 38, HD_FIELD_U64, resp_warn),
    hd_field(hd_ticket_t, 39, HD_FIELD_U64, resol_due),
    hd_field(hd_ticket_t, 40, HD_FIELD_U64, resol_warn),
    hd_field(hd_ticket_t, 41, HD_FIELD_U64, resol_left),
    hd_field(hd_ticket_t, 42, HD_FIELD_U64, resol_target),
    hd_field(hd_ticket_t, 43, HD_FIELD_U8, sla_flags),
    hd_field(hd_ticket_t, 44, HD_FIELD_U64, sla_next),
    hd_field(hd_ticket_t, 45, HD_FIELD_STR, mail_thread),
    hd_field(hd_ticket_t, 46, HD_FIELD_STR, kb_shown),
    hd_field(hd_ticket_t, 47, HD_FIELD_U64, regulations),
    hd_field(hd_ticket_t, 48, HD_FIELD_STR, csr),
    hd_field(hd_ticket_t, 49, HD_FIELD_U64, activation),
    hd_field(hd_ticket_t, 50, HD_FIELD_STR, fields),
};

const hd_record_desc_t  hd_ticket_desc = hd_record(HD_KIND_TICKET, 1,
                                                   hd_ticket_t,
                                                   hd_ticket_fields);


static const hd_field_t  hd_message_fields[] = {
    hd_field(hd_message_t, 1, HD_FIELD_U64, id),
    hd_field(hd_message_t, 2, HD_FIELD_U64, ticket),
    hd_field(hd_message_t, 3, HD_FIELD_U8, kind),
    hd_field(hd_message_t, 4, HD_FIELD_U64, author),
    hd_field(hd_message_t, 5, HD_FIELD_U8, side),
    hd_field(hd_message_t, 6, HD_FIELD_STR, body),
    hd_field(hd_message_t, 7, HD_FIELD_U64, created),
    hd_field(hd_message_t, 8, HD_FIELD_U8, channel),
    hd_field(hd_message_t, 9, HD_FIELD_U8, action),
    hd_field(hd_message_t, 10, HD_FIELD_U8, from),
    hd_field(hd_message_t, 11, HD_FIELD_U8, to),
    hd_field(hd_message_t, 12, HD_FIELD_U32, files),
    hd_field(hd_message_t, 13, HD_FIELD_U8, flags),
};

const hd_record_desc_t  hd_message_desc = hd_record(HD_KIND_MESSAGE, 1,
                                                    hd_message_t,
                                                    hd_message_fields);


static const hd_field_t  hd_attachment_fields[] = {
    hd_field(hd_attachment_t, 1, HD_FIELD_U64, id),
    hd_field(hd_attachment_t, 2, HD_FIELD_U64, ticket),
    hd_field(hd_attachment_t, 3, HD_FIELD_U64, message),
    hd_field(hd_attachment_t, 4, HD_FIELD_STR, name),
    hd_field(hd_attachment_t, 5, HD_FIELD_STR, type),
    hd_field(hd_attachment_t, 6, HD_FIELD_U64, size),
    hd_field(hd_attachment_t, 7, HD_FIELD_STR, sha256),
    hd_field(hd_attachment_t, 8, HD_FIELD_U64, author),
    hd_field(hd_attachment_t, 9, HD_FIELD_U64, created),
};

const hd_record_desc_t  hd_attachment_desc = hd_record(HD_KIND_ATTACHMENT, 1,
                                                       hd_attachment_t,
                                                       hd_attachment_fields);


static const hd_field_t  hd_blob_fields[] = {
    hd_field(hd_blob_t, 1, HD_FIELD_STR, sha256),
    hd_field(hd_blob_t, 2, HD_FIELD_U64, size),
    hd_field(hd_blob_t, 3, HD_FIELD_U64, refs),
    hd_field(hd_blob_t, 4, HD_FIELD_U64, created),
};

const hd_record_desc_t  hd_blob_desc = hd_record(HD_KIND_BLOB, 1, hd_blob_t,
                                                 hd_blob_fields);


static const hd_field_t  hd_audit_fields[] = {
    hd_field(hd_audit_t, 1, HD_FIELD_U64, id),
    hd_field(hd_audit_t, 2, HD_FIELD_U64, ticket),
    hd_field(hd_audit_t, 3, HD_FIELD_U64, actor),
    hd_field(hd_audit_t, 4, HD_FIELD_U8, side),
    hd_field(hd_audit_t, 5, HD_FIELD_U64, time),
    hd_field(hd_audit_t, 6, HD_FIELD_U8, action),
    hd_field(hd_audit_t, 7, HD_FIELD_U8, from),
    hd_field(hd_audit_t, 8, HD_FIELD_U8, to),
    hd_field(hd_audit_t, 9, HD_FIELD_STR, detail),
};

const hd_record_desc_t  hd_audit_desc = hd_record(HD_KIND_AUDIT, 1,
                                                  hd_audit_t,
                                                  hd_audit_fields);


/* SPEC §5.2: who each status waits for, and which are out of work */
const hd_status_def_t  hd_statuses[HD_STATUS_COUNT] = {
    { HD_WAITS_STAFF, 0 },        /* new */
    { HD_WAITS_STAFF, 0 },        /* open */
    { HD_WAITS_CUSTOMER, 0 },     /* awaiting_customer */
    { HD_WAITS_CUSTOMER, 0 },     /* solved */
    { HD_WAITS_NOBODY, 1 },       /* closed */
    { HD_WAITS_NOBODY, 1 },       /* closed_no_info */
    { HD_WAITS_NOBODY, 1 },       /* cancelled_by_staff */
    { HD_WAITS_NOBODY, 1 },       /* cancelled_by_customer */
};

const char  *hd_status_names[HD_STATUS_COUNT] = {
    "new", "open", "awaiting_customer", "solved", "closed", "closed_no_info",
    "cancelled_by_staff", "cancelled_by_customer"
};


#define B(s)  HD_STATUS_BIT(HD_STATUS_##s)

/*
 * SPEC §5.2 transitions. An action not listed from a status is not allowed
 * there; the first matching row wins.
 */
static const hd_transition_t  hd_transitions[] = {
    { HD_ACTION_CUSTOMER_REPLY, HD_STATUSES_UNCLOSED, HD_STATUS_OPEN },
    { HD_ACTION_CUSTOMER_CLOSE, B(SOLVED), HD_STATUS_CLOSED },
    { HD_ACTION_CUSTOMER_CLOSE, B(NEW) | B(OPEN) | B(AWAITING_CUSTOMER),
      HD_STATUS_CANCELLED_BY_CUSTOMER },
    { HD_ACTION_REOPEN, B(CLOSED) | B(CLOSED_NO_INFO), HD_STATUS_OPEN },
    { HD_ACTION_STAFF_REPLY, HD_STATUSES_UNCLOSED, HD_STATUS_OPEN },
    { HD_ACTION_INFO_REQUEST, HD_STATUSES_UNCLOSED,
      HD_STATUS_AWAITING_CUSTOMER },
    { HD_ACTION_SOLUTION, HD_STATUSES_UNCLOSED, HD_STATUS_SOLVED },
    { HD_ACTION_STAFF_CANCEL, HD_STATUSES_UNCLOSED,
      HD_STATUS_CANCELLED_BY_STAFF },
    { HD_ACTION_AUTOCLOSE, B(SOLVED), HD_STATUS_CLOSED },
    { HD_ACTION_AUTOCLOSE, B(AWAITING_CUSTOMER), HD_STATUS_CLOSED_NO_INFO },
};

#undef B


const char  *hd_ticket_type_names[HD_TYPE_COUNT] = {
    "consultation", "bug", "enhancement"
};

const char  *hd_category_names[HD_CATEGORY_COUNT] = {
    "technical", "account_or_contract", "feedback", "apns_certificate"
};

const char  *hd_priority_names[HD_PRIORITY_COUNT] = {
    "low", "normal", "elevated", "high", "urgent", "critical"
};

const char  *hd_channel_names[HD_CHANNEL_COUNT] = {
    "web", "email", "phone", "api"
};

const char  *hd_side_names[HD_SIDE_COUNT] = {
    "customer", "staff", "system"
};

const char  *hd_message_kind_names[HD_MESSAGE_KIND_COUNT] = {
    "customer", "reply", "note", "info_request", "solution", "event"
};

const char  *hd_action_names[HD_ACTION_COUNT] = {
    "created", "customer_reply", "customer_close", "reopened", "staff_reply",
    "info_request", "solution", "staff_cancel", "autoclosed", "rated",
    "assigned", "edited", "sla_at_risk", "sla_breached"
};

const char  *hd_sla_state_names[HD_SLA_STATE_COUNT] = {
    "ok", "at_risk", "breached"
};


/* the index keys */
#define HD_SCOPE_AUTHOR    1
#define HD_SCOPE_COMPANY   2
#define HD_SCOPE_KEY_LEN   18
#define HD_ENTRY_LEN       16


int
hd_name_index(const char **names, size_t n, const hd_uchar *name,
    size_t len)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0) {
            return (int) i;
        }
    }

    return -1;
}


int
hd_transition(hd_action_e action, unsigned from)
{
    size_t  i;

    if (from >= HD_STATUS_COUNT) {
        return -1;
    }

    for (i = 0; i < sizeof(hd_transitions) / sizeof(hd_transitions[0]); i++) {
        if (hd_transitions[i].action == action
            && (hd_transitions[i].from & HD_STATUS_BIT(from)))
        {
            return hd_transitions[i].to;
        }
    }

    return -1;
}


hd_priority_e
hd_priority_derive(int has_certificate, int premium, unsigned level,
    unsigned severity)
{
    int  p;

    /* the premium level's own priority: Start elevated ... Enterprise */
    static const hd_priority_e  by_level[] = {
        HD_PRIORITY_NORMAL, HD_PRIORITY_ELEVATED, HD_PRIORITY_HIGH,
        HD_PRIORITY_URGENT, HD_PRIORITY_CRITICAL
    };

    /* without a certificate: low, whatever the severity (CryptoPro §5) */
    if (!has_certificate) {
        return HD_PRIORITY_LOW;
    }

    if (premium && level < sizeof(by_level) / sizeof(by_level[0])) {
        p = by_level[level];

    } else {
        p = HD_PRIORITY_NORMAL;
    }

    if (severity == 1 && p < HD_PRIORITY_CRITICAL) {
        p++;
    }

    return (hd_priority_e) p;
}


hd_rc
hd_ticket_get(hd_txn_t *txn, uint64_t number, hd_ticket_t *t)
{
    hd_uchar  key[8];

    hd_be64_put(key, number);

    return hd_record_get(txn, HD_DB_TICKETS, key, 8, &hd_ticket_desc, t);
}


hd_rc
hd_ticket_audit_field(hd_txn_t *txn, const hd_ticket_t *t, uint64_t actor,
    hd_side_e side, uint64_t now, const char *field, const char *from,
    const char *to, hd_err_t *err)
{
    char      text[160];
    hd_str_t  detail;

    snprintf(text, sizeof(text), "%s: %s -> %s", field, from, to);
    detail.data = (hd_uchar *) text;
    detail.len = strlen(text);

    return hd_ticket_audit(txn, t, HD_ACTION_EDIT, actor, side, now,
                           t->status, t->status, &detail, err);
}


hd_rc
hd_ticket_audit(hd_txn_t *txn, const hd_ticket_t *t, hd_action_e action,
    uint64_t actor, hd_side_e side, uint64_t now, unsigned from, unsigned to,
    const hd_str_t *detail, hd_err_t *err)
{
    hd_audit_t  a;

    memset(&a, 0, sizeof(a));
    a.ticket = t->number;
    a.actor = actor;
    a.side = (uint8_t) side;
    a.time = now;
    a.action = (uint8_t) action;
    a.from = (uint8_t) from;
    a.to = (uint8_t) to;

    if (detail != NULL) {
        a.detail = *detail;
    }

    return hd_audit_add(txn, &a, err);
}


hd_rc
hd_ticket_act(hd_txn_t *txn, hd_ticket_t *t, hd_action_e action,
    uint64_t actor, hd_side_e side, uint64_t now, hd_err_t *err)
{
    return hd_ticket_act_detail(txn, t, action, actor, side, now, NULL, err);
}


hd_rc
hd_ticket_act_detail(hd_txn_t *txn, hd_ticket_t *t, hd_action_e action,
    uint64_t actor, hd_side_e side, uint64_t now, const hd_str_t *detail,
    hd_err_t *err)
{
    int           to;
    hd_rc         rc;
    unsigned      from;
    hd_message_t  event;

    from = t->status;
    to = hd_transition(action, from);

    if (to < 0) {
        return hd_err_set(err, HD_CONFLICT, "status", "transition_invalid",
                          "%s is not allowed in status %s",
                          hd_action_names[action],
                          from < HD_STATUS_COUNT ? hd_status_names[from]
                                                 : "?");
    }

    t->updated = now;
    t->acted = (uint8_t) (action + 1);

    if ((unsigned) to != from) {
        t->status = (uint8_t) to;
        t->status_changed = now;

        if (hd_status_closed((unsigned) to)) {
            t->closed = now;
        }

        memset(&event, 0, sizeof(event));
        event.ticket = t->number;
        event.kind = HD_MESSAGE_EVENT;
        event.author = actor;
        event.side = (uint8_t) side;
        event.created = now;
        event.action = (uint8_t) action;
        event.from = (uint8_t) from;
        event.to = (uint8_t) to;

        rc = hd_message_add(txn, &event, err);
        if (rc != HD_OK) {
            return rc;
        }

        t->messages++;
    }

    return hd_ticket_audit(txn, t, action, actor, side, now, from,
                           (unsigned) to, detail, err);
}


hd_rc
hd_ticket_number(hd_txn_t *txn, uint64_t start, uint64_t *number,
    hd_err_t *err)
{
    hd_rc     rc;
    uint64_t  last;

    rc = hd_seq_peek(txn, "ticket", &last);
    if (rc != HD_OK) {
        return rc;
    }

    *number = last + 1 > start ? last + 1 : start;

    return hd_seq_set(txn, "ticket", *number, err);
}


static void
hd_scope_key(hd_uchar *key, unsigned kind, uint64_t who, uint64_t sub,
    int unclosed)
{
    key[0] = (hd_uchar) kind;
    hd_be64_put(key + 1, who);
    hd_be64_put(key + 9, sub);
    key[17] = unclosed ? 1 : 0;
}


static void
hd_entry(hd_uchar *entry, const hd_ticket_t *t)
{
    hd_be64_put(entry, t->updated);
    hd_be64_put(entry + 8, t->number);
}


/*
 * One index entry of the ticket: add or remove. Dup indexes take
 * (key, entry); plain ones a key alone.
 */
static hd_rc
hd_index(hd_txn_t *txn, hd_db_e db, const hd_uchar *key, size_t klen,
    const hd_uchar *entry, int add, hd_err_t *err)
{
    hd_rc  rc;

    if (entry != NULL) {
        if (add) {
            return hd_dup_put(txn, db, key, klen, entry, HD_ENTRY_LEN, err);
        }

        rc = hd_dup_del(txn, db, key, klen, entry, HD_ENTRY_LEN, err);

    } else {
        if (add) {
            return hd_db_put(txn, db, key, klen, "", 0, 0, err);
        }

        rc = hd_db_del(txn, db, key, klen, err);
    }

    return rc == HD_NOT_FOUND ? HD_OK : rc;
}


/* an index ordered by a time: (time, number) -> ""; a time of 0: none */
static hd_rc
hd_time_index(hd_txn_t *txn, hd_db_e db, uint64_t time, uint64_t number,
    int add, hd_err_t *err)
{
    hd_uchar  key[16];

    if (time == 0) {
        return HD_OK;
    }

    hd_be64_put(key, time);
    hd_be64_put(key + 8, number);

    return hd_index(txn, db, key, 16, NULL, add, err);
}


/* every index entry of a ticket, added (add) or removed */
static hd_rc
hd_ticket_index(hd_txn_t *txn, const hd_ticket_t *t, int add, hd_err_t *err)
{
    int       unclosed;
    hd_rc     rc;
    hd_uchar  key[HD_SCOPE_KEY_LEN], entry[HD_ENTRY_LEN];

    unclosed = !hd_status_closed(t->status);
    hd_entry(entry, t);

    hd_scope_key(key, HD_SCOPE_AUTHOR, t->author, t->company, unclosed);
    rc = hd_index(txn, HD_DB_TICKETS_BY_SCOPE, key, HD_SCOPE_KEY_LEN, entry,
                  add, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (t->company != 0) {
        hd_scope_key(key, HD_SCOPE_COMPANY, t->company, 0, unclosed);
        rc = hd_index(txn, HD_DB_TICKETS_BY_SCOPE, key, HD_SCOPE_KEY_LEN,
                      entry, add, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    rc = hd_queue_index(txn, t, add, err);
    if (rc != HD_OK) {
        return rc;
    }

    /* the indexes ordered by a time: ratings, the timer's due times */
    rc = hd_time_index(txn, HD_DB_TICKETS_RATED, t->rating ? t->rated : 0,
                       t->number, add, err);
    if (rc == HD_OK) {
        rc = hd_time_index(txn, HD_DB_TICKETS_BY_SLA, t->sla_next, t->number,
                           add, err);
    }
    if (rc == HD_OK) {
        rc = hd_time_index(txn, HD_DB_TICKETS_BY_AUTOCLOSE, t->autoclose_due,
                           t->number, add, err);
    }
    if (rc != HD_OK) {
        return rc;
    }

    if (t->certificate != 0 && unclosed) {
        hd_be64_put(key, t->certificate);
        hd_be64_put(key + 8, t->number);
        rc = hd_index(txn, HD_DB_CERT_UNCLOSED, key, 16, NULL, add, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    return HD_OK;
}


/* a record under its ticket (ticket, id), its id the sequence's next */
static hd_rc
hd_ticket_record_add(hd_txn_t *txn, hd_db_e db, const char *seq,
    uint64_t ticket, uint64_t *id, const hd_record_desc_t *desc,
    const void *rec, hd_err_t *err)
{
    hd_rc     rc;
    hd_uchar  key[16];

    rc = hd_seq_next(txn, seq, id, err);
    if (rc != HD_OK) {
        return rc;
    }

    hd_be64_put(key, ticket);
    hd_be64_put(key + 8, *id);

    return hd_record_put(txn, db, key, 16, desc, rec, HD_PUT_NEW, err);
}


/* told of each ticket written (the live queue pages); NULL: nobody */
void  (*hd_ticket_changed)(uint64_t department);


hd_rc
hd_ticket_put(hd_txn_t *txn, const hd_ticket_t *old, hd_ticket_t *t,
    hd_err_t *err)
{
    hd_rc             rc;
    hd_uchar          key[8];
    const hd_work_t  *work;

    /* the SLA clocks and the auto-close time follow every change */
    work = hd_work_current();

    if (work != NULL) {
        hd_work_timing(work, old, t, t->updated ? t->updated : t->created);
    }

    t->acted = 0;

    /* what a form was made against can tell it changed meanwhile */
    t->version = old ? old->version + 1 : 1;

    /* the old entries go first: the new ones may share keys with them */
    if (old != NULL) {
        rc = hd_ticket_index(txn, old, 0, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    /* the subject's words, when it is new or changed */
    if (old == NULL || old->subject.len != t->subject.len
        || memcmp(old->subject.data, t->subject.data, t->subject.len) != 0)
    {
        if (old != NULL) {
            rc = hd_queue_words_index(txn, old->number, &old->subject, 0,
                                      err);
            if (rc != HD_OK) {
                return rc;
            }
        }

        rc = hd_queue_words_index(txn, t->number, &t->subject, 1, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    hd_be64_put(key, t->number);

    rc = hd_record_put(txn, HD_DB_TICKETS, key, 8, &hd_ticket_desc, t,
                       old ? 0 : HD_PUT_NEW, err);
    if (rc != HD_OK) {
        return rc == HD_CONFLICT
               ? hd_err_set(err, HD_CONFLICT, NULL, "ticket_exists",
                            "ticket %llu exists",
                            (unsigned long long) t->number)
               : rc;
    }

    rc = hd_ticket_index(txn, t, 1, err);

    /* before the commit: a change that then aborts is a false alarm, not
       a missed one */
    if (rc == HD_OK && hd_ticket_changed != NULL) {
        hd_ticket_changed(t->department);

        if (old != NULL && old->department != t->department) {
            hd_ticket_changed(old->department);
        }
    }

    return rc;
}


hd_rc
hd_message_add(hd_txn_t *txn, hd_message_t *m, hd_err_t *err)
{
    return hd_ticket_record_add(txn, HD_DB_MESSAGES, "message", m->ticket,
                                &m->id, &hd_message_desc, m, err);
}


hd_rc
hd_message_flag(hd_txn_t *txn, uint64_t ticket, uint64_t id, uint8_t flags,
    hd_err_t *err)
{
    hd_rc         rc;
    hd_uchar      key[16];
    hd_message_t  m;

    rc = hd_message_get(txn, ticket, id, &m);
    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, rc == HD_NOT_FOUND ? "not_found"
                                                           : "io",
                          "message %llu of ticket %llu",
                          (unsigned long long) id,
                          (unsigned long long) ticket);
    }

    m.flags |= flags;

    hd_be64_put(key, ticket);
    hd_be64_put(key + 8, id);

    return hd_record_put(txn, HD_DB_MESSAGES, key, 16, &hd_message_desc, &m,
                         0, err);
}


hd_rc
hd_message_get(hd_txn_t *txn, uint64_t ticket, uint64_t id, hd_message_t *m)
{
    hd_uchar  key[16];

    hd_be64_put(key, ticket);
    hd_be64_put(key + 8, id);

    return hd_record_get(txn, HD_DB_MESSAGES, key, 16, &hd_message_desc, m);
}


hd_rc
hd_ticket_records(hd_txn_t *txn, hd_db_e db, uint64_t ticket,
    const hd_record_desc_t *desc, int (*keep)(const void *rec, int arg),
    int arg, hd_pool_t *pool, void **list, size_t *n)
{
    size_t       count = 0, cap = 0;
    hd_rc        rc;
    hd_str_t     k, v;
    hd_uchar     prefix[8];
    hd_uchar    *items = NULL, *grown, *rec;
    hd_cursor_t  cur;

    *list = NULL;
    *n = 0;

    hd_be64_put(prefix, ticket);

    rc = hd_cursor_open(txn, db, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    rec = malloc(desc->size);
    if (rec == NULL) {
        hd_cursor_close(&cur);
        return HD_NOMEM;
    }

    for (rc = hd_cursor_seek(&cur, prefix, 8, &k, &v);
         rc == HD_OK && k.len == 16 && memcmp(k.data, prefix, 8) == 0;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(desc, v.data, v.len, rec) != HD_OK) {
            continue;
        }

        if (keep != NULL && !keep(rec, arg)) {
            continue;
        }

        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            grown = hd_palloc(pool, cap * desc->size);
            if (grown == NULL) {
                rc = HD_NOMEM;
                break;
            }

            if (count) {
                memcpy(grown, items, count * desc->size);
            }

            items = grown;
        }

        memcpy(items + count * desc->size, rec, desc->size);
        hd_record_strings_copy(desc, items + count * desc->size, pool);
        count++;
    }

    free(rec);
    hd_cursor_close(&cur);

    if (rc != HD_OK && rc != HD_NOT_FOUND) {
        return rc;
    }

    *list = items;
    *n = count;

    return HD_OK;
}


static int
hd_message_keep(const void *rec, int notes)
{
    const hd_message_t  *m = rec;

    /* notes and the SLA's events are for staff */
    return notes
           || (m->kind != HD_MESSAGE_NOTE
               && !(m->kind == HD_MESSAGE_EVENT
                    && (m->action == HD_ACTION_SLA_AT_RISK
                        || m->action == HD_ACTION_SLA_BREACH)));
}


hd_rc
hd_message_list(hd_txn_t *txn, uint64_t ticket, int notes, hd_pool_t *pool,
    hd_message_t **list, size_t *n)
{
    return hd_ticket_records(txn, HD_DB_MESSAGES, ticket, &hd_message_desc,
                             hd_message_keep, notes, pool, (void **) list, n);
}


hd_rc
hd_blob_ref(hd_txn_t *txn, const hd_uchar sha256[HD_SHA256_LEN],
    uint64_t size, uint64_t now, int delta, hd_err_t *err)
{
    hd_rc      rc;
    hd_blob_t  blob;

    rc = hd_record_get(txn, HD_DB_BLOBS, sha256, HD_SHA256_LEN,
                       &hd_blob_desc, &blob);

    if (rc == HD_NOT_FOUND) {
        memset(&blob, 0, sizeof(blob));
        blob.sha256.data = (hd_uchar *) sha256;
        blob.sha256.len = HD_SHA256_LEN;
        blob.size = size;
        blob.created = now;

    } else if (rc != HD_OK) {
        return rc;
    }

    blob.refs = delta < 0 && blob.refs < (uint64_t) -delta ? 0
                : blob.refs + delta;

    return hd_record_put(txn, HD_DB_BLOBS, sha256, HD_SHA256_LEN,
                         &hd_blob_desc, &blob, 0, err);
}


hd_rc
hd_attachment_add(hd_txn_t *txn, hd_attachment_t *a, hd_err_t *err)
{
    hd_rc  rc;

    if (a->sha256.len != HD_SHA256_LEN) {
        return hd_err_set(err, HD_INVALID, "attachments", "file_invalid",
                          "an attachment without its content hash");
    }

    rc = hd_blob_ref(txn, a->sha256.data, a->size, a->created, 1, err);
    if (rc != HD_OK) {
        return rc;
    }

    return hd_ticket_record_add(txn, HD_DB_ATTACHMENTS, "attachment",
                                a->ticket, &a->id, &hd_attachment_desc, a,
                                err);
}


hd_rc
hd_attachment_get(hd_txn_t *txn, uint64_t ticket, uint64_t id,
    hd_attachment_t *a)
{
    return hd_ticket_record_get(txn, HD_DB_ATTACHMENTS, ticket, id,
                                &hd_attachment_desc, a);
}


hd_rc
hd_ticket_record_get(hd_txn_t *txn, hd_db_e db, uint64_t ticket, uint64_t id,
    const hd_record_desc_t *desc, void *rec)
{
    hd_uchar  key[16];

    hd_be64_put(key, ticket);
    hd_be64_put(key + 8, id);

    return hd_record_get(txn, db, key, 16, desc, rec);
}


hd_rc
hd_attachment_list(hd_txn_t *txn, uint64_t ticket, hd_pool_t *pool,
    hd_attachment_t **list, size_t *n)
{
    return hd_ticket_records(txn, HD_DB_ATTACHMENTS, ticket,
                             &hd_attachment_desc, NULL, 0, pool,
                             (void **) list, n);
}


hd_rc
hd_audit_add(hd_txn_t *txn, hd_audit_t *a, hd_err_t *err)
{
    return hd_ticket_record_add(txn, HD_DB_AUDIT, "audit", a->ticket, &a->id,
                                &hd_audit_desc, a, err);
}


hd_rc
hd_audit_list(hd_txn_t *txn, uint64_t ticket, hd_pool_t *pool,
    hd_audit_t **list, size_t *n)
{
    return hd_ticket_records(txn, HD_DB_AUDIT, ticket, &hd_audit_desc, NULL,
                             0, pool, (void **) list, n);
}


/* the premium counter's key: certificate, contract year */
static void
hd_premium_key(hd_uchar *key, uint64_t certificate, uint32_t year)
{
    hd_be64_put(key, certificate);
    hd_be32_put(key + 8, year);
}


hd_rc
hd_premium_used(hd_txn_t *txn, uint64_t certificate, uint32_t year,
    uint32_t *used)
{
    hd_rc     rc;
    hd_str_t  v;
    hd_uchar  key[12];

    hd_premium_key(key, certificate, year);

    rc = hd_db_get(txn, HD_DB_PREMIUM_USED, key, 12, &v);

    if (rc == HD_NOT_FOUND) {
        *used = 0;
        return HD_OK;
    }

    if (rc != HD_OK) {
        return rc;
    }

    *used = v.len == 4 ? hd_be32_get(v.data) : 0;

    return HD_OK;
}


hd_rc
hd_premium_count(hd_txn_t *txn, uint64_t certificate, uint32_t year,
    hd_err_t *err)
{
    hd_rc     rc;
    uint32_t  used;
    hd_uchar  key[12], v[4];

    rc = hd_premium_used(txn, certificate, year, &used);
    if (rc != HD_OK) {
        return rc;
    }

    hd_premium_key(key, certificate, year);
    hd_be32_put(v, used + 1);

    return hd_db_put(txn, HD_DB_PREMIUM_USED, key, 12, v, 4, 0, err);
}


void
hd_ticket_copy(hd_pool_t *pool, hd_ticket_t *t)
{
    hd_record_strings_copy(&hd_ticket_desc, t, pool);
}


/*
 * Listing merges the scope keys the query covers (a few: the author's
 * tickets per company they were made in, the company's), each a sorted
 * run of (updated, number), newest first
 */

#define HD_LIST_RUNS  16

typedef struct {
    hd_cursor_t   cur;
    hd_str_t      v;            /* the run's current entry; len 0: done */
} hd_run_t;


static hd_rc
hd_list_runs(hd_txn_t *txn, const hd_ticket_query_t *q, hd_run_t *runs,
    size_t *nruns, size_t *unclosed, size_t *closed)
{
    int          u;
    size_t       n, count;
    hd_rc        rc;
    hd_str_t     k, v;
    uint64_t     sub;
    hd_uchar     key[HD_SCOPE_KEY_LEN], prefix[9];
    hd_cursor_t  cur;

    *nruns = 0;
    *unclosed = 0;
    *closed = 0;

    /* the author's keys: one per company their tickets were made in */
    prefix[0] = HD_SCOPE_AUTHOR;
    hd_be64_put(prefix + 1, q->account);

    rc = hd_cursor_open(txn, HD_DB_TICKETS_BY_SCOPE, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, prefix, 9, &k, &v);
         rc == HD_OK && k.len == HD_SCOPE_KEY_LEN
         && memcmp(k.data, prefix, 9) == 0;
         rc = hd_cursor_next_key(&cur, &k, &v))
    {
        sub = hd_be64_get(k.data + 9);
        u = k.data[17];

        if (q->sees_company && q->company != 0 && sub == q->company) {
            continue;           /* the company's run covers them */
        }

        if (hd_dup_count(txn, HD_DB_TICKETS_BY_SCOPE, k.data, k.len, &count)
            != HD_OK)
        {
            continue;
        }

        *(u ? unclosed : closed) += count;

        if ((u || q->closed_too) && *nruns < HD_LIST_RUNS) {
            memcpy(key, k.data, HD_SCOPE_KEY_LEN);

            if (hd_cursor_open(txn, HD_DB_TICKETS_BY_SCOPE,
                               &runs[*nruns].cur)
                != HD_OK)
            {
                continue;
            }

            if (hd_cursor_dup_last(&runs[*nruns].cur, key, HD_SCOPE_KEY_LEN,
                                   &runs[*nruns].v)
                != HD_OK)
            {
                hd_cursor_close(&runs[*nruns].cur);
                continue;
            }

            (*nruns)++;
        }
    }

    hd_cursor_close(&cur);

    if (!q->sees_company || q->company == 0) {
        return HD_OK;
    }

    for (u = 1; u >= 0; u--) {
        hd_scope_key(key, HD_SCOPE_COMPANY, q->company, 0, u);

        if (hd_dup_count(txn, HD_DB_TICKETS_BY_SCOPE, key, HD_SCOPE_KEY_LEN,
                         &n)
            != HD_OK)
        {
            continue;
        }

        *(u ? unclosed : closed) += n;

        if (n == 0 || (!u && !q->closed_too) || *nruns == HD_LIST_RUNS) {
            continue;
        }

        if (hd_cursor_open(txn, HD_DB_TICKETS_BY_SCOPE, &runs[*nruns].cur)
            != HD_OK)
        {
            continue;
        }

        if (hd_cursor_dup_last(&runs[*nruns].cur, key, HD_SCOPE_KEY_LEN,
                               &runs[*nruns].v)
            != HD_OK)
        {
            hd_cursor_close(&runs[*nruns].cur);
            continue;
        }

        (*nruns)++;
    }

    return HD_OK;
}


hd_rc
hd_ticket_scope_numbers(hd_txn_t *txn, uint64_t account, uint64_t company,
    uint64_t **list, size_t *n)
{
    int          pass;
    size_t       cap = 0, plen;
    hd_rc        rc;
    hd_str_t     k, v;
    uint64_t    *grown;
    hd_uchar     prefix[HD_SCOPE_KEY_LEN];
    hd_cursor_t  cur;

    *list = NULL;
    *n = 0;

    rc = hd_cursor_open(txn, HD_DB_TICKETS_BY_SCOPE, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (pass = 0; pass < 2; pass++) {
        if (pass == 0 && account == 0) {
            continue;
        }

        if (pass == 1 && company == 0) {
            continue;
        }

        /* an author's keys go on with the company of each ticket */
        hd_scope_key(prefix, pass ? HD_SCOPE_COMPANY : HD_SCOPE_AUTHOR,
                     pass ? company : account, 0, 0);
        plen = pass ? HD_SCOPE_KEY_LEN - 1 : 9;

        for (rc = hd_cursor_seek(&cur, prefix, plen, &k, &v);
             rc == HD_OK && k.len == HD_SCOPE_KEY_LEN
             && memcmp(k.data, prefix, plen) == 0;
             rc = hd_cursor_next(&cur, &k, &v))
        {
            if (v.len != HD_ENTRY_LEN) {
                continue;
            }

            if (*n == cap) {
                cap = cap ? cap * 2 : 64;
                grown = realloc(*list, cap * sizeof(uint64_t));
                if (grown == NULL) {
                    hd_cursor_close(&cur);
                    return HD_NOMEM;
                }

                *list = grown;
            }

            (*list)[(*n)++] = hd_be64_get(v.data + 8);
        }
    }

    hd_cursor_close(&cur);

    return HD_OK;
}


hd_rc
hd_ticket_list(hd_txn_t *txn, const hd_ticket_query_t *q, hd_pool_t *pool,
    hd_ticket_page_t *page)
{
    size_t     i, best, nruns, seen;
    hd_rc      rc;
    hd_run_t   runs[HD_LIST_RUNS];
    hd_uchar   key[8];

    memset(page, 0, sizeof(*page));

    rc = hd_list_runs(txn, q, runs, &nruns, &page->unclosed, &page->closed);
    if (rc != HD_OK) {
        return rc;
    }

    page->total = page->unclosed + (q->closed_too ? page->closed : 0);

    page->tickets = hd_palloc(pool, (q->limit ? q->limit : 1)
                                    * sizeof(hd_ticket_t));
    if (page->tickets == NULL) {
        rc = HD_NOMEM;
        goto done;
    }

    /* newest first across the runs: the greatest (updated, number) */
    for (seen = 0; page->n < q->limit; seen++) {
        best = nruns;

        for (i = 0; i < nruns; i++) {
            if (runs[i].v.len != HD_ENTRY_LEN) {
                continue;
            }

            if (best == nruns
                || memcmp(runs[i].v.data, runs[best].v.data, HD_ENTRY_LEN)
                   > 0)
            {
                best = i;
            }
        }

        if (best == nruns) {
            break;
        }

        if (seen >= q->offset) {
            memcpy(key, runs[best].v.data + 8, 8);

            if (hd_record_get(txn, HD_DB_TICKETS, key, 8, &hd_ticket_desc,
                              &page->tickets[page->n])
                == HD_OK)
            {
                if (!q->in_place) {
                    hd_ticket_copy(pool, &page->tickets[page->n]);
                }

                page->n++;
            }
        }

        if (hd_cursor_dup_prev(&runs[best].cur, &runs[best].v) != HD_OK) {
            runs[best].v.len = 0;
        }
    }

done:

    for (i = 0; i < nruns; i++) {
        hd_cursor_close(&runs[i].cur);
    }

    return rc;
}


/* one ticket's index entries: each there (missing counted) */
static size_t
hd_ticket_entries(hd_txn_t *txn, const hd_ticket_t *t, size_t *missing)
{
    int       unclosed;
    size_t    n = 0;
    hd_uchar  key[HD_SCOPE_KEY_LEN], entry[HD_ENTRY_LEN];

    unclosed = !hd_status_closed(t->status);
    hd_entry(entry, t);

#define hd_expect(found)  n++; *missing += !(found)

    hd_scope_key(key, HD_SCOPE_AUTHOR, t->author, t->company, unclosed);
    hd_expect(hd_dup_has(txn, HD_DB_TICKETS_BY_SCOPE, key, HD_SCOPE_KEY_LEN,
                         entry, HD_ENTRY_LEN) == HD_OK);

    if (t->company != 0) {
        hd_scope_key(key, HD_SCOPE_COMPANY, t->company, 0, unclosed);
        hd_expect(hd_dup_has(txn, HD_DB_TICKETS_BY_SCOPE, key,
                             HD_SCOPE_KEY_LEN, entry, HD_ENTRY_LEN) == HD_OK);
    }


#undef hd_expect

    return n;
}


static hd_rc
hd_due_has(hd_txn_t *txn, hd_db_e db, uint64_t due, uint64_t number)
{
    hd_uchar  key[16];

    hd_be64_put(key, due);
    hd_be64_put(key + 8, number);

    return hd_db_get(txn, db, key, 16, NULL);
}


/*
 * The indexes agree with the tickets: every ticket has each entry it
 * should, and no index holds more entries than the tickets make
 */
hd_rc
hd_ticket_check(hd_txn_t *txn, hd_check_t *check)
{
    hd_rc         rc;
    size_t        tickets = 0, expected = 0, missing = 0, n;
    size_t        sla = 0, autoclose = 0, unclosed = 0, queued = 0;
    size_t        rated = 0;
    hd_str_t      k, v;
    hd_uchar      key[16];
    hd_ticket_t   t;
    hd_cursor_t   cur;

    rc = hd_cursor_open(txn, HD_DB_TICKETS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_ticket_desc, v.data, v.len, &t) != HD_OK) {
            continue;
        }

        tickets++;
        expected += hd_ticket_entries(txn, &t, &missing);
        queued += hd_queue_expect(txn, &t, &missing);
        rated += t.rating != 0;

        if (t.sla_next != 0) {
            sla++;
            missing += hd_due_has(txn, HD_DB_TICKETS_BY_SLA, t.sla_next,
                                  t.number) != HD_OK;
        }

        if (t.autoclose_due != 0) {
            autoclose++;
            missing += hd_due_has(txn, HD_DB_TICKETS_BY_AUTOCLOSE,
                                  t.autoclose_due, t.number) != HD_OK;
        }

        if (t.certificate != 0 && !hd_status_closed(t.status)) {
            unclosed++;
            hd_be64_put(key, t.certificate);
            hd_be64_put(key + 8, t.number);
            missing += hd_db_get(txn, HD_DB_CERT_UNCLOSED, key, 16, NULL)
                       != HD_OK;
        }
    }

    hd_cursor_close(&cur);

    if (missing) {
        hd_check_problem(check, "tickets: %zu index entries are missing",
                         missing);
    }

    if (hd_db_count(txn, HD_DB_TICKETS_BY_SCOPE, &n) == HD_OK
        && n != expected)
    {
        hd_check_problem(check, "tickets: the scope index holds %zu entries "
                         "for %zu expected", n, expected);
    }

    hd_queue_check(txn, queued, check);

    if (hd_db_count(txn, HD_DB_TICKETS_RATED, &n) == HD_OK && n != rated) {
        hd_check_problem(check, "tickets: %zu rating entries for %zu rated "
                         "tickets", n, rated);
    }

    if (hd_db_count(txn, HD_DB_TICKETS_BY_SLA, &n) == HD_OK && n != sla) {
        hd_check_problem(check, "tickets: %zu SLA due entries for %zu "
                         "tickets with a due time", n, sla);
    }

    if (hd_db_count(txn, HD_DB_TICKETS_BY_AUTOCLOSE, &n) == HD_OK
        && n != autoclose)
    {
        hd_check_problem(check, "tickets: %zu auto-close entries for %zu "
                         "tickets with a due time", n, autoclose);
    }

    if (hd_db_count(txn, HD_DB_CERT_UNCLOSED, &n) == HD_OK && n != unclosed) {
        hd_check_problem(check, "tickets: %zu unclosed entries of "
                         "certificates for %zu unclosed tickets", n,
                         unclosed);
    }

    hd_buf_printf(&check->report, "tickets checked: %zu\n", tickets);

    return HD_OK;
}


/* the store's files that no record refers to, and tmp/'s leftovers */
static void
hd_blob_strays(hd_txn_t *txn, const char *files, hd_check_t *check)
{
    char            path[PATH_MAX];
    size_t          orphans = 0, left = 0;
    DIR            *top, *sub;
    hd_uchar        sha[HD_SHA256_LEN];
    hd_blob_t       b;
    struct dirent  *d, *f;

    top = opendir(files);
    if (top == NULL) {
        return;
    }

    while ((d = readdir(top)) != NULL) {
        if (d->d_name[0] == '.') {
            continue;
        }

        snprintf(path, sizeof(path), "%s/%s", files, d->d_name);

        sub = opendir(path);
        if (sub == NULL) {
            continue;
        }

        while ((f = readdir(sub)) != NULL) {
            if (f->d_name[0] == '.') {
                continue;
            }

            if (strcmp(d->d_name, "tmp") == 0) {
                left++;
                continue;
            }

            if (hd_file_name_sha(f->d_name, sha) != 0
                || hd_record_get(txn, HD_DB_BLOBS, sha, HD_SHA256_LEN,
                                 &hd_blob_desc, &b) != HD_OK
                || b.refs == 0)
            {
                if (orphans++ < 10) {
                    hd_buf_printf(&check->report, "orphan: %s/%s (no "
                                  "attachment refers to it)\n", d->d_name,
                                  f->d_name);
                }
            }
        }

        closedir(sub);
    }

    closedir(top);

    hd_buf_printf(&check->report, "orphans: %zu stored files nothing "
                  "refers to\ntemp leftovers: %zu partial uploads in "
                  "tmp/\n", orphans, left);
}


hd_rc
hd_blob_check(hd_txn_t *txn, const char *files, int quick,
    hd_check_t *check)
{
    char         hex[2 * HD_SHA256_LEN + 1];
    hd_rc        rc;
    size_t       n = 0, bad = 0;
    int64_t      size;
    hd_str_t     k, v;
    hd_uchar     digest[HD_SHA256_LEN];
    hd_blob_t    b;
    const char  *what;
    hd_cursor_t  cur;

    rc = hd_cursor_open(txn, HD_DB_BLOBS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (k.len != HD_SHA256_LEN
            || hd_record_decode(&hd_blob_desc, v.data, v.len, &b) != HD_OK)
        {
            continue;
        }

        n++;
        size = hd_file_size(files, k.data);
        what = NULL;

        if (size < 0) {
            what = "missing";

        } else if ((uint64_t) size != b.size) {
            what = "of the wrong size";

        } else if (!quick
                   && (hd_file_digest(files, k.data, digest) != 0
                       || memcmp(digest, k.data, HD_SHA256_LEN) != 0))
        {
            what = "changed: its content is not the one stored (SHA-256)";
        }

        if (what != NULL && bad++ < 10) {
            hex[hd_hex_encode(hex, k.data, HD_SHA256_LEN)] = '\0';
            hd_check_problem(check, "the file %s is %s", hex, what);
        }
    }

    hd_cursor_close(&cur);

    if (bad > 10) {
        hd_check_problem(check, "... and %zu more files", bad - 10);
    }

    hd_buf_printf(&check->report, "files checked: %zu in %s (%s)\n", n,
                  files, quick ? "sizes only" : "sizes and SHA-256");

    hd_blob_strays(txn, files, check);

    return HD_OK;
}

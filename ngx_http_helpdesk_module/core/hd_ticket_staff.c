/*
 * The staff's ticket flows: one write transaction each, the status moved
 * by the transition table, every change in the audit, the customer told
 * (but of internal notes and of the staff's own bookkeeping).
 */

#include <stdio.h>

#include "hd_account.h"
#include "hd_notify.h"
#include "hd_product.h"
#include "hd_staff.h"
#include "hd_store.h"
#include "hd_ticket_customer.h"
#include "hd_ticket_staff.h"
#include "hd_category.h"
#include "hd_form.h"


typedef struct {
    const hd_portal_t          *portal;
    const hd_staff_message_t   *sm;
    const hd_staff_edit_t      *edit;
    uint64_t                    now;
    hd_arena_t                 *arena;
    hd_pool_t                  *pool;
    hd_ticket_t                *out;
    hd_errors_t                *errors;
    uint64_t                    message;
    uint8_t                     status;
    int                         changed;
} hd_staff_flow_t;


/* what each kind of message does: SPEC §5.2 and §7.1 */
static const struct {
    const char   *name;
    uint8_t       kind;
    uint8_t       action;       /* HD_ACTION_COUNT: none */
    const char   *mail;         /* NULL: the customer is not told */
} hd_staff_kinds[] = {
    { "reply", HD_MESSAGE_REPLY, HD_ACTION_STAFF_REPLY, "ticket_staff_reply" },
    { "note", HD_MESSAGE_NOTE, HD_ACTION_COUNT, NULL },
    { "info_request", HD_MESSAGE_INFO_REQUEST, HD_ACTION_INFO_REQUEST,
      "ticket_info_request" },
    { "solution", HD_MESSAGE_SOLUTION, HD_ACTION_SOLUTION,
      "ticket_solution" },
};

#define HD_STAFF_KINDS  (sizeof(hd_staff_kinds) / sizeof(hd_staff_kinds[0]))


int
hd_staff_kind_from_name(const hd_uchar *name, size_t len)
{
    size_t  i;

    for (i = 0; i < HD_STAFF_KINDS; i++) {
        if (strlen(hd_staff_kinds[i].name) == len
            && memcmp(hd_staff_kinds[i].name, name, len) == 0)
        {
            return hd_staff_kinds[i].kind;
        }
    }

    return -1;
}


void
hd_staff_edit_init(hd_staff_edit_t *edit)
{
    memset(edit, 0, sizeof(*edit));
    edit->owner = -1;
    edit->priority = -1;
    edit->type = -1;
    edit->severity = -1;
    edit->category = -1;
}


hd_rc
hd_ticket_staff_get(hd_txn_t *txn, const hd_account_t *staff,
    uint64_t number, hd_ticket_t *t)
{
    hd_staff_scope_t  scope;

    if (!hd_account_is_staff(staff)
        || hd_ticket_get(txn, number, t) != HD_OK
        || hd_staff_scope(txn, staff, &scope) != HD_OK
        || !hd_staff_sees(&scope, t->department))
    {
        /* a ticket of another department is no ticket at all */
        return HD_NOT_FOUND;
    }

    return HD_OK;
}


/* the ticket of a staff flow, copied, with the actor checked */
static hd_rc
hd_staff_load(hd_txn_t *txn, hd_staff_flow_t *f, uint64_t actor,
    uint64_t number, hd_account_t *a, hd_ticket_t *t, hd_err_t *err)
{
    if (hd_account_get(txn, actor, a) != HD_OK || !hd_account_is_staff(a)
        || a->state == HD_ACCOUNT_DISABLED)
    {
        return hd_err_set(err, HD_FORBIDDEN, NULL, "forbidden",
                          "only staff act here");
    }

    if (hd_ticket_staff_get(txn, a, number, t) != HD_OK) {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                          "no ticket %llu", (unsigned long long) number);
    }

    hd_ticket_copy(f->pool, t);

    return HD_OK;
}


static hd_rc
hd_staff_message_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    size_t                     i;
    hd_rc                      rc;
    hd_account_t               a;
    hd_ticket_t                t, old;
    hd_staff_flow_t           *f = arg;
    const hd_staff_message_t  *sm = f->sm;

    for (i = 0; i < HD_STAFF_KINDS; i++) {
        if (hd_staff_kinds[i].kind == sm->kind) {
            break;
        }
    }

    if (i == HD_STAFF_KINDS) {
        return hd_err_set(err, HD_INVALID, "kind", "message_kind_invalid",
                          "kind: reply, note, info_request or solution");
    }

    rc = hd_staff_load(txn, f, sm->actor, sm->number, &a, &t, err);
    if (rc != HD_OK) {
        return rc;
    }

    old = t;
    f->changed = sm->version != 0 && sm->version != t.version;

    if (hd_status_closed(t.status) && sm->kind != HD_MESSAGE_NOTE) {
        return hd_err_set(err, HD_CONFLICT, NULL, "ticket_closed",
                          "ticket %llu is closed",
                          (unsigned long long) t.number);
    }

    rc = hd_ticket_post(txn, &t, sm->kind, HD_SIDE_STAFF, sm->actor,
                        sm->channel, &sm->body, sm->files, sm->nfiles, f->now,
                        &f->message, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (hd_staff_kinds[i].action != HD_ACTION_COUNT) {
        rc = hd_ticket_act(txn, &t, (hd_action_e) hd_staff_kinds[i].action,
                           sm->actor, HD_SIDE_STAFF, f->now, err);
        if (rc != HD_OK) {
            return rc;
        }

        /* the first staff answer makes the answering agent its owner */
        if (t.owner == 0) {
            t.owner = sm->actor;
        }
    }

    rc = hd_ticket_put(txn, &old, &t, err);
    if (rc != HD_OK) {
        return rc;
    }

    f->status = t.status;

    if (hd_staff_kinds[i].mail == NULL) {
        return HD_OK;
    }

    return hd_ticket_notify(txn, f->portal, f->pool, &t,
                            hd_staff_kinds[i].mail, &sm->body, NULL,
                            sm->actor, f->now, err);
}


hd_rc
hd_ticket_staff_message_in(hd_txn_t *txn, const hd_portal_t *portal,
    const hd_staff_message_t *sm, uint64_t now, uint64_t *message,
    uint8_t *status, hd_err_t *err)
{
    hd_rc             rc;
    hd_arena_t       *arena;
    hd_staff_flow_t   f;

    arena = hd_arena_create(8192);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    memset(&f, 0, sizeof(f));
    f.portal = portal;
    f.sm = sm;
    f.now = now;
    f.pool = &arena->pool;

    rc = hd_staff_message_txn(txn, &f, err);
    hd_arena_destroy(arena);

    *message = f.message;
    *status = f.status;

    return rc;
}


static hd_rc
hd_staff_run(const hd_portal_t *portal, hd_txn_fn fn, hd_staff_flow_t *f,
    hd_err_t *err)
{
    hd_rc  rc;

    f->portal = portal;

    f->arena = hd_arena_create(8192);
    if (f->arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    if (f->pool == NULL) {
        f->pool = &f->arena->pool;
    }

    rc = hd_txn_run(portal->store, fn, f, err);

    hd_arena_destroy(f->arena);

    return rc;
}


hd_rc
hd_ticket_staff_message(const hd_portal_t *portal,
    const hd_staff_message_t *sm, uint64_t now, uint64_t *message,
    uint8_t *status, int *changed, hd_err_t *err)
{
    hd_rc            rc;
    hd_errors_t      errors;
    hd_staff_flow_t  f;

    memset(&errors, 0, sizeof(errors));
    hd_ticket_validate_body(&sm->body, "body", &errors);

    if (errors.n) {
        return hd_err_set(err, HD_INVALID, "body", errors.item[0].code,
                          "the message is not valid");
    }

    memset(&f, 0, sizeof(f));
    f.sm = sm;
    f.now = now;

    rc = hd_staff_run(portal, hd_staff_message_txn, &f, err);

    *message = f.message;
    *status = f.status;

    if (changed != NULL) {
        *changed = f.changed;
    }

    return rc;
}


/* an audit record of a staff member's change of a field */
static hd_rc
hd_staff_audit_field(hd_txn_t *txn, const hd_ticket_t *t, uint64_t actor,
    uint64_t now, const char *field, const char *from, const char *to,
    hd_err_t *err)
{
    return hd_ticket_audit_field(txn, t, actor, HD_SIDE_STAFF, now, field,
                                 from, to, err);
}


/* tells a staff member a ticket is theirs now, in their language */
static hd_rc
hd_staff_notify_owner(hd_txn_t *txn, hd_staff_flow_t *f,
    const hd_ticket_t *t, uint64_t by, hd_err_t *err)
{
    char           num[24];
    hd_val_t      *view;
    hd_pool_t     *pool = f->pool;
    hd_notice_t    n;
    hd_account_t   owner, who;

    if (t->owner == 0 || t->owner == by
        || hd_account_get(txn, t->owner, &owner) != HD_OK)
    {
        return HD_OK;
    }

    snprintf(num, sizeof(num), "%llu", (unsigned long long) t->number);

    view = hd_val_map(pool);
    hd_val_set_str(pool, view, "number", hd_pstrdup(pool, num, strlen(num)),
                   strlen(num));
    hd_val_set_str(pool, view, "subject", t->subject.data, t->subject.len);
    hd_val_set(pool, view, "link",
               hd_notify_link(pool, f->portal, "staff/tickets/", num));

    if (hd_account_get(txn, by, &who) == HD_OK) {
        hd_val_set_str(pool, view, "by",
                       hd_pstrdup(pool, who.name.data, who.name.len),
                       who.name.len);
    }

    memset(&n, 0, sizeof(n));
    n.kind = "ticket_assigned";
    n.to = hd_account_copy(pool, &owner);
    n.ticket = t->number;
    n.thread = &t->mail_thread;

    return n.to ? hd_notify(txn, f->portal, &n, view, pool, f->now, err)
                : hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
}


static hd_rc
hd_staff_edit_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    int                     derive;
    char                    from[24], to[24];
    hd_rc                   rc;
    hd_account_t            a;
    hd_ticket_t             t, old;
    hd_department_t         d;
    hd_staff_flow_t        *f = arg;
    const hd_staff_edit_t  *e = f->edit;

    rc = hd_staff_load(txn, f, e->actor, e->number, &a, &t, err);
    if (rc != HD_OK) {
        return rc;
    }

    old = t;
    f->changed = e->version != 0 && e->version != t.version;
    derive = 0;

    if (e->owner >= 0 && (uint64_t) e->owner != t.owner) {
        /* agents take tickets and give their own back; managers and
         * administrators assign anyone who works in the department */
        if (a.role == HD_ROLE_AGENT
            && !((uint64_t) e->owner == a.id
                 || (e->owner == 0 && t.owner == a.id)))
        {
            return hd_err_set(err, HD_FORBIDDEN, "owner", "assign_forbidden",
                              "agents take tickets, managers assign them");
        }

        if (e->owner != 0
            && !hd_staff_works_in(txn, (uint64_t) e->owner, t.department))
        {
            hd_errors_add(f->errors, "owner", "owner_invalid");
            return hd_err_set(err, HD_INVALID, "owner", "owner_invalid",
                              "%lld works in no department of the ticket",
                              (long long) e->owner);
        }

        snprintf(from, sizeof(from), "%llu", (unsigned long long) t.owner);
        snprintf(to, sizeof(to), "%lld", (long long) e->owner);
        t.owner = (uint64_t) e->owner;

        rc = hd_ticket_audit(txn, &t, HD_ACTION_ASSIGN, a.id, HD_SIDE_STAFF,
                             f->now, t.status, t.status, NULL, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    if (e->department != 0 && e->department != t.department) {
        if (hd_department_get(txn, e->department, &d) != HD_OK) {
            hd_errors_add(f->errors, "department", "department_unknown");
            return hd_err_set(err, HD_INVALID, "department",
                              "department_unknown", "no such department");
        }

        snprintf(from, sizeof(from), "%llu",
                 (unsigned long long) t.department);
        snprintf(to, sizeof(to), "%llu", (unsigned long long) d.id);
        t.department = d.id;

        /* an owner who does not work there lets it go */
        if (t.owner != 0 && !hd_staff_works_in(txn, t.owner, d.id)) {
            t.owner = 0;
        }

        rc = hd_staff_audit_field(txn, &t, a.id, f->now, "department", from,
                                  to, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    if (e->type >= 0 && (unsigned) e->type != t.type) {
        rc = hd_staff_audit_field(txn, &t, a.id, f->now, "type",
                                  hd_ticket_type_names[t.type % HD_TYPE_COUNT],
                                  hd_ticket_type_names[e->type], err);
        t.type = (uint8_t) e->type;
        if (rc != HD_OK) {
            return rc;
        }
    }

    if (e->category >= 0 && (unsigned) e->category != t.category) {
        char  was[HD_CATEGORY_NAME_MAX + 16], now[HD_CATEGORY_NAME_MAX + 16];

        rc = hd_staff_audit_field(txn, &t, a.id, f->now, "category",
                                  hd_category_name(txn, t.category, was,
                                                   sizeof(was)),
                                  hd_category_name(txn,
                                                   (uint8_t) e->category,
                                                   now, sizeof(now)),
                                  err);
        t.category = (uint8_t) e->category;
        if (rc != HD_OK) {
            return rc;
        }
    }

    /* the extra fields corrected: the audit names those that changed */
    if (e->fields_set && !hd_str_same(&e->fields, &t.fields)) {
        char             names[120];
        size_t           i, nold, nnew, len;
        hd_form_value_t  was[HD_FORM_FIELDS_MAX], now[HD_FORM_FIELDS_MAX];

        nold = hd_form_values(&t.fields, was, HD_FORM_FIELDS_MAX);
        nnew = hd_form_values(&e->fields, now, HD_FORM_FIELDS_MAX);
        len = 0;
        names[0] = '\0';

        /* a value new or changed, then one gone */
        for (i = 0; i < nnew + nold; i++) {
            const hd_form_value_t  *x = i < nnew ? &now[i] : &was[i - nnew];
            const hd_form_value_t  *y = i < nnew
                                        ? hd_form_value_of(was, nold, &x->name)
                                        : hd_form_value_of(now, nnew,
                                                           &x->name);

            if (i < nnew ? y != NULL && hd_str_same(&y->value, &x->value)
                         : y != NULL)
            {
                continue;
            }

            if (len + x->name.len + 3 < sizeof(names)) {
                len += (size_t) snprintf(names + len, sizeof(names) - len,
                                         "%s%.*s", len ? ", " : "",
                                         (int) x->name.len, x->name.data);
            }
        }

        t.fields = e->fields;

        rc = hd_staff_audit_field(txn, &t, a.id, f->now, "fields", "",
                                  names, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    if (e->severity >= 1 && (unsigned) e->severity != t.severity) {
        snprintf(from, sizeof(from), "%u", t.severity);
        snprintf(to, sizeof(to), "%d", e->severity);
        t.severity = (uint8_t) e->severity;
        derive = 1;

        rc = hd_staff_audit_field(txn, &t, a.id, f->now, "severity", from, to,
                                  err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    if (e->priority >= 0 || e->priority == -2 || derive) {
        if (e->priority >= 0) {
            t.priority_set = (uint8_t) (e->priority + 1);

        } else if (e->priority == -2) {
            t.priority_set = 0;
        }

        snprintf(from, sizeof(from), "%s",
                 hd_priority_names[t.priority % HD_PRIORITY_COUNT]);

        t.priority = t.priority_set
                     ? (uint8_t) (t.priority_set - 1)
                     : (uint8_t) hd_priority_derive(t.certificate != 0,
                                                    t.premium, t.level,
                                                    t.severity);

        if (t.priority != old.priority) {
            rc = hd_staff_audit_field(txn, &t, a.id, f->now, "priority",
                                      from, hd_priority_names[t.priority],
                                      err);
            if (rc != HD_OK) {
                return rc;
            }
        }
    }

    if (e->cancel) {
        rc = hd_ticket_post(txn, &t, HD_MESSAGE_REPLY, HD_SIDE_STAFF, a.id,
                            HD_CHANNEL_WEB, &e->reason, NULL, 0, f->now,
                            &f->message, err);
        if (rc == HD_OK) {
            rc = hd_ticket_act(txn, &t, HD_ACTION_STAFF_CANCEL, a.id,
                               HD_SIDE_STAFF, f->now, err);
        }

        if (rc != HD_OK) {
            return rc;
        }
    }

    t.updated = f->now;

    rc = hd_ticket_put(txn, &old, &t, err);
    if (rc != HD_OK) {
        return rc;
    }

    *f->out = t;

    if (e->cancel) {
        rc = hd_ticket_notify(txn, f->portal, f->pool, &t,
                              "ticket_cancelled_staff", &e->reason, NULL,
                              a.id, f->now, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    if (t.owner != old.owner) {
        return hd_staff_notify_owner(txn, f, &t, a.id, err);
    }

    return HD_OK;
}


hd_rc
hd_ticket_staff_edit(const hd_portal_t *portal, const hd_staff_edit_t *edit,
    uint64_t now, hd_ticket_t *out, hd_pool_t *pool, int *changed,
    hd_errors_t *errors, hd_err_t *err)
{
    hd_rc            rc;
    hd_staff_flow_t  f;

    if (edit->cancel) {
        hd_ticket_validate_body(&edit->reason, "reason", errors);

        if (errors->n) {
            return hd_err_set(err, HD_INVALID, "reason",
                              "cancel_reason_required",
                              "a cancellation says why");
        }
    }

    if (edit->type >= HD_TYPE_COUNT || edit->category > HD_CATEGORY_ID_MAX
        || edit->priority >= HD_PRIORITY_COUNT || edit->severity > 4
        || edit->severity == 0)
    {
        return hd_err_set(err, HD_INVALID, NULL, "invalid", "a bad value");
    }

    memset(&f, 0, sizeof(f));
    f.edit = edit;
    f.now = now;
    f.out = out;
    f.errors = errors;
    f.pool = pool;     /* the answer's strings outlive the flow */

    rc = hd_staff_run(portal, hd_staff_edit_txn, &f, err);

    if (changed != NULL) {
        *changed = f.changed;
    }

    return rc;
}

/*
 * The staff's ticket (SPEC §9): everything staff need beside the thread,
 * read once for the page and the API alike.
 */

#include <string.h>

#include "hd_view.h"
#include "hd_category.h"
#include "hd_certificate.h"
#include "hd_company.h"
#include "hd_date.h"
#include "hd_product.h"
#include "hd_staff.h"
#include "hd_ticket_search.h"
#include "hd_ticket_staff.h"
#include "hd_work.h"


#define HD_VIEW_HOLDER_TICKETS  10
#define HD_VIEW_SIMILAR          5


typedef struct {
    const hd_viewer_t  *viewer;
    hd_txn_t           *txn;
    hd_pool_t          *pool;
    hd_view_names_t     names;
    hd_ticket_t         t;
    const char         *category;       /* its name, as the API says it */
    hd_val_t           *view;
} hd_view_st_t;


/* the staff who may own a ticket of the department, active ones */
static hd_val_t *
hd_view_assignable(hd_view_st_t *st)
{
    size_t            i, k, m;
    hd_val_t         *list, *item;
    hd_pool_t        *pool = st->pool;
    hd_staff_info_t  *all;

    list = hd_val_list(pool);

    if (hd_staff_list(st->txn, pool, &all, &m) != HD_OK) {
        return list;
    }

    for (i = 0; i < m; i++) {
        if (all[i].account.state == HD_ACCOUNT_DISABLED) {
            continue;
        }

        if (all[i].account.role == HD_ROLE_AGENT) {
            for (k = 0; k < all[i].n; k++) {
                if (all[i].departments[k] == st->t.department) {
                    break;
                }
            }

            if (k == all[i].n) {
                continue;
            }
        }

        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "id", (int64_t) all[i].account.id);
        hd_view_set_str(pool, item, "name", &all[i].account.name);

        if (st->viewer->page) {
            hd_val_set_page(pool, item, "selected",
                            hd_val_bool(all[i].account.id == st->t.owner));
        }

        hd_val_push(pool, list, item);
    }

    return list;
}


static void
hd_view_st_customer(hd_view_st_t *st)
{
    hd_val_t      *item, *bounce;
    hd_pool_t     *pool = st->pool;
    hd_account_t   a;

    if (hd_account_get(st->txn, st->t.author, &a) != HD_OK) {
        hd_val_set(pool, st->view, "customer", hd_val_null());
        return;
    }

    item = hd_val_map(pool);
    hd_val_set_int(pool, item, "id", (int64_t) a.id);
    hd_view_set_str(pool, item, "name", &a.name);
    hd_view_set_str(pool, item, "login", &a.login);
    hd_view_set_str(pool, item, "email", &a.email);
    hd_view_set_opt(pool, item, "phone", &a.phone);
    hd_view_set_opt(pool, item, "organisation", &a.organisation);
    hd_val_set_bool(pool, item, "email_confirmed", a.email_confirmed != 0);

    /* can the customer be reached: staff answer knowing it */
    if (a.email_bounced) {
        bounce = hd_val_map(pool);
        hd_val_set_time(pool, bounce, "time", a.email_bounced);
        hd_view_set_str(pool, bounce, "reason", &a.email_bounce);
        hd_val_set(pool, item, "email_bounced", bounce);

    } else {
        hd_val_set(pool, item, "email_bounced", hd_val_null());

        if (st->viewer->page && a.email_confirmed == 0) {
            hd_val_set_page(pool, item, "email_unconfirmed",
                            hd_val_bool(1));
        }
    }

    hd_val_set(pool, st->view, "customer", item);
}


static void
hd_view_st_certificate(hd_view_st_t *st)
{
    size_t             unclosed = 0;
    hd_val_t          *item;
    hd_pool_t         *pool = st->pool;
    hd_cert_type_t     type;
    hd_certificate_t   c;

    if (st->t.certificate == 0
        || hd_cert_get(st->txn, st->t.certificate, &c) != HD_OK)
    {
        hd_val_set(pool, st->view, "certificate", hd_val_null());
        return;
    }

    memset(&type, 0, sizeof(type));
    (void) hd_cert_type_get(st->txn, c.type, &type);
    (void) hd_cert_unclosed(st->txn, c.id, &unclosed);

    item = hd_val_map(pool);
    hd_view_set_str(pool, item, "number", &c.number);
    hd_view_set_str(pool, item, "type", &type.name);
    hd_val_set_day(pool, item, "valid_from", (int32_t) c.valid_from);
    hd_val_set_day(pool, item, "valid_until", (int32_t) c.valid_until);
    hd_val_set_word(pool, item, "state", HD_WORD_CERT_STATE,
                    hd_cert_state_names[hd_cert_state(
                        &c, hd_date_today(st->viewer->now))]);
    hd_val_set_int(pool, item, "unclosed", (int64_t) unclosed);
    hd_val_set_int(pool, item, "limit", type.ticket_limit);
    hd_val_set_word(pool, item, "level", HD_WORD_LEVEL,
                    hd_level_names[type.level % HD_LEVEL_COUNT]);
    hd_val_set(pool, st->view, "certificate", item);
}


/* other recent tickets of the same customer (and company) */
static void
hd_view_st_holder_tickets(hd_view_st_t *st)
{
    size_t              i;
    hd_val_t           *list, *item;
    hd_pool_t          *pool = st->pool;
    hd_ticket_page_t    others;
    hd_ticket_query_t   q;

    list = hd_val_list(pool);

    memset(&q, 0, sizeof(q));
    q.account = st->t.author;
    q.company = st->t.company;
    q.sees_company = st->t.company != 0;
    q.closed_too = 1;
    q.limit = HD_VIEW_HOLDER_TICKETS + 1;
    q.in_place = 1;

    if (hd_ticket_list(st->txn, &q, pool, &others) == HD_OK) {
        for (i = 0; i < others.n
                    && list->u.items.n < HD_VIEW_HOLDER_TICKETS; i++)
        {
            hd_ticket_t  *o = &others.tickets[i];

            if (o->number == st->t.number) {
                continue;
            }

            item = hd_val_map(pool);
            hd_val_set_int(pool, item, "number", (int64_t) o->number);
            hd_view_set_str(pool, item, "subject", &o->subject);
            hd_val_set_word(pool, item, "status", HD_WORD_STAFF_STATUS,
                            hd_status_names[o->status % HD_STATUS_COUNT]);
            hd_val_set_time(pool, item, "updated", o->updated);
            hd_val_push(pool, list, item);
        }
    }

    hd_val_set(pool, st->view, "holder_tickets", list);

    if (st->viewer->page) {
        hd_val_set_page(pool, st->view, "has_others",
                        hd_val_bool(list->u.items.n != 0));
    }
}


static int
hd_view_st_thread(hd_view_st_t *st, hd_err_t *err)
{
    size_t            i, nm, nf;
    hd_val_t         *list, *item;
    hd_pool_t        *pool = st->pool;
    hd_message_t     *m;
    hd_attachment_t  *files;
    int               solution = 0;

    if (hd_message_list(st->txn, st->t.number, 1, pool, &m, &nm) != HD_OK
        || hd_attachment_list(st->txn, st->t.number, pool, &files, &nf)
           != HD_OK)
    {
        hd_err_set(err, HD_IO, NULL, "io",
                   "ticket %llu: its messages cannot be read",
                   (unsigned long long) st->t.number);
        return -1;
    }

    list = hd_val_list(pool);

    for (i = 0; i < nm; i++) {
        item = hd_view_message(st->viewer, &st->names, &m[i], files, nf);
        hd_val_push(pool, list, item);
        solution |= m[i].kind == HD_MESSAGE_SOLUTION;
    }

    hd_val_set(pool, st->view, "messages", list);

    if (!st->viewer->page) {
        return 0;
    }

    /* the page's thread: oldest or newest first, the same messages */
    hd_val_set_page(pool, st->view, "thread",
                    st->viewer->newest_first ? hd_view_reversed(pool, list)
                                             : list);

    hd_val_set_page(pool, st->view, "newest_first",
                    hd_val_bool(st->viewer->newest_first));
    hd_val_set_page(pool, st->view, "has_solution", hd_val_bool(solution));

    /* what may help the agent: resolved tickets about the same */
    {
        size_t             n, k;
        hd_val_t          *similar;
        hd_ticket_t        other;
        hd_search_hit_t   *hits;
        hd_staff_scope_t   scope;

        similar = hd_val_list(pool);

        if (hd_staff_scope(st->txn, st->viewer->account, &scope) == HD_OK
            && hd_ticket_similar(st->txn, &scope, &st->t.subject, 30, pool,
                                 &hits, &n)
               == HD_OK)
        {
            for (k = 0; k < n && similar->u.items.n < HD_VIEW_SIMILAR; k++) {
                if (hits[k].doc == st->t.number
                    || hd_ticket_get(st->txn, hits[k].doc, &other) != HD_OK
                    || (other.status != HD_STATUS_SOLVED
                        && other.status != HD_STATUS_CLOSED))
                {
                    continue;
                }

                item = hd_val_map(pool);
                hd_val_set_int(pool, item, "number", (int64_t) other.number);
                hd_view_set_str(pool, item, "subject", &other.subject);
                hd_val_set_word(pool, item, "status", HD_WORD_STAFF_STATUS,
                                hd_status_names[other.status
                                                % HD_STATUS_COUNT]);
                hd_val_push(pool, similar, item);
            }
        }

        hd_val_set_page(pool, st->view, "similar", similar);
        hd_val_set_page(pool, st->view, "has_similar",
                        hd_val_bool(similar->u.items.n != 0));
    }

    return 0;
}


static int
hd_view_st_audit(hd_view_st_t *st, hd_err_t *err)
{
    size_t       i, n;
    hd_val_t    *list, *item;
    hd_pool_t   *pool = st->pool;
    hd_audit_t  *audit;

    if (hd_audit_list(st->txn, st->t.number, pool, &audit, &n) != HD_OK) {
        hd_err_set(err, HD_IO, NULL, "io",
                   "ticket %llu: its audit cannot be read",
                   (unsigned long long) st->t.number);
        return -1;
    }

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        hd_audit_t  *au = &audit[i];

        item = hd_val_map(pool);
        hd_val_set_time(pool, item, "time", au->time);
        hd_view_set_ref(pool, item, "actor",
                        hd_view_account_name(&st->names, au->actor), 1);
        hd_val_set_word(pool, item, "side", HD_WORD_SIDE,
                        hd_side_names[au->side % HD_SIDE_COUNT]);
        hd_view_set_change(pool, item, HD_WORD_STAFF_STATUS, au->action,
                           au->from, au->to);
        hd_view_set_ref(pool, item, "detail", &au->detail, 1);

        if (st->viewer->page) {
            hd_val_set_page(pool, item, "changed",
                            hd_val_bool(au->from < HD_STATUS_COUNT
                                        && au->to < HD_STATUS_COUNT
                                        && au->from != au->to));
        }

        hd_val_push(pool, list, item);
    }

    hd_val_set(pool, st->view, "audit", list);

    if (st->viewer->page) {
        /* the page reads the newest first */
        hd_val_set_page(pool, st->view, "audit_newest",
                        hd_view_reversed(pool, list));
    }

    return 0;
}


/* what only the page shows: what the viewer may do, the forms' choices */
static void
hd_view_st_page(hd_view_st_t *st)
{
    size_t            i, n;
    hd_val_t         *list, *item;
    hd_pool_t        *pool = st->pool;
    hd_ticket_t      *t = &st->t;
    hd_department_t  *d;

    hd_view_ticket_words(st->viewer, st->txn, pool, st->view, t,
                         st->category);

    if (t->sla_state != HD_SLA_OK) {
        hd_val_set_page(pool, st->view, "sla_alert",
                        hd_val_cstr(pool, hd_sla_state_names[t->sla_state
                                                  % HD_SLA_STATE_COUNT]));
    }

    hd_val_set_page(pool, st->view, "mine",
                    hd_val_bool(t->owner == st->viewer->account->id));
    hd_val_set_page(pool, st->view, "unowned", hd_val_bool(t->owner == 0));
    hd_val_set_page(pool, st->view, "can_assign",
                    hd_val_bool(st->viewer->account->role != HD_ROLE_AGENT));
    hd_val_set_page(pool, st->view, "open",
                    hd_val_bool(!hd_status_closed(t->status)));
    hd_val_set_page(pool, st->view, "kb_editor",
                    hd_val_bool(hd_account_may(st->viewer->account,
                                               HD_RIGHT_KB_EDIT)));

    list = hd_val_list(pool);

    if (hd_department_list(st->txn, pool, &d, &n) == HD_OK) {
        for (i = 0; i < n; i++) {
            item = hd_val_map(pool);
            hd_val_set_int(pool, item, "id", (int64_t) d[i].id);
            hd_view_set_str(pool, item, "name", &d[i].name);
            hd_val_set_bool(pool, item, "selected", d[i].id == t->department);
            hd_val_push(pool, list, item);
        }
    }

    hd_val_set_page(pool, st->view, "department_options", list);
    hd_val_set_page(pool, st->view, "priority_options",
                    hd_view_choices(pool, HD_WORD_PRIORITY, hd_priority_names,
                                    HD_PRIORITY_COUNT,
                                    hd_priority_names[t->priority
                                                      % HD_PRIORITY_COUNT]));
    hd_val_set_page(pool, st->view, "type_options",
                    hd_view_choices(pool, HD_WORD_TYPE, hd_ticket_type_names,
                                    HD_TYPE_COUNT,
                                    hd_ticket_type_names[t->type
                                                         % HD_TYPE_COUNT]));
    hd_val_set_page(pool, st->view, "severity_options",
                    hd_view_choices(pool, HD_WORD_SEVERITY, hd_view_severities,
                                    4, hd_view_severity_code(t->severity)));
}


static void
hd_view_st_ticket(hd_view_st_t *st)
{
    hd_val_t     *v = st->view, *company;
    hd_pool_t    *pool = st->pool;
    hd_ticket_t  *t = &st->t;
    hd_company_t  co;
    hd_product_t  p;

    hd_val_set_int(pool, v, "number", (int64_t) t->number);
    hd_view_set_str(pool, v, "subject", &t->subject);
    hd_val_set_word(pool, v, "status", HD_WORD_STAFF_STATUS,
                    hd_status_names[t->status % HD_STATUS_COUNT]);
    hd_val_set_word(pool, v, "priority", HD_WORD_PRIORITY,
                    hd_priority_names[t->priority % HD_PRIORITY_COUNT]);
    hd_val_set_bool(pool, v, "priority_overridden", t->priority_set != 0);
    hd_val_set_int(pool, v, "department_id", (int64_t) t->department);
    hd_view_set_ref(pool, v, "department",
                    hd_view_department_name(&st->names, t->department), 0);
    hd_view_set_id(pool, v, "owner_id", t->owner);
    hd_view_set_ref(pool, v, "owner",
                    hd_view_account_name(&st->names, t->owner), 1);
    hd_val_set_word(pool, v, "type", HD_WORD_TYPE,
                    hd_ticket_type_names[t->type % HD_TYPE_COUNT]);

    st->category = hd_view_category_name(st->txn, pool, t->category);
    hd_val_set(pool, v, "category", hd_val_cstr(pool, st->category));
    hd_val_set_int(pool, v, "severity", t->severity);
    hd_val_set_word(pool, v, "channel", HD_WORD_CAME,
                    hd_channel_names[t->channel % HD_CHANNEL_COUNT]);
    hd_val_set_int(pool, v, "regulations", (int64_t) t->regulations);
    hd_view_set_opt(pool, v, "csr", &t->csr);
    hd_val_set(pool, v, "fields", hd_view_form_values(pool, &t->fields));
    hd_val_set_bool(pool, v, "premium", t->premium != 0);

    if (t->product && hd_product_get(st->txn, t->product, &p) == HD_OK) {
        hd_view_set_opt(pool, v, "product", &p.name);

    } else {
        hd_val_set(pool, v, "product", hd_val_null());
    }

    hd_view_set_str(pool, v, "product_version", &t->product_version);
    hd_view_set_str(pool, v, "os_version", &t->os_version);
    hd_val_set_time(pool, v, "created", t->created);
    hd_val_set_time(pool, v, "updated", t->updated);
    hd_val_set_int(pool, v, "version", t->version);
    hd_val_set_time(pool, v, "sla_due", t->sla_due);
    hd_val_set_cstr(pool, v, "sla_state",
                    hd_sla_state_names[t->sla_state % HD_SLA_STATE_COUNT]);
    hd_val_set_time(pool, v, "sla_warn", t->sla_warn);
    hd_val_set_time(pool, v, "response_due", t->resp_due);
    hd_val_set_time(pool, v, "resolution_due", t->resol_due);
    hd_val_set_bool(pool, v, "resolution_paused",
                    (t->sla_flags & HD_SLA_RESOL_PAUSED) != 0);
    hd_val_set_time(pool, v, "autoclose_due", t->autoclose_due);

    if (t->reference) {
        hd_val_set_int(pool, v, "reference", (int64_t) t->reference);
    }

    hd_val_set(pool, v, "rating", hd_view_rating(pool, t));

    hd_view_st_customer(st);

    if (t->company && hd_company_get(st->txn, t->company, &co) == HD_OK) {
        company = hd_val_map(pool);
        hd_val_set_int(pool, company, "id", (int64_t) co.id);
        hd_view_set_str(pool, company, "name", &co.name);
        hd_val_set(pool, v, "company", company);

    } else {
        hd_val_set(pool, v, "company", hd_val_null());
    }

    hd_view_st_certificate(st);
    hd_view_st_holder_tickets(st);
}


hd_rc
hd_view_staff_ticket(hd_store_t *store, const hd_viewer_t *viewer,
    uint64_t number, hd_pool_t *pool, hd_val_t **view, hd_err_t *err)
{
    hd_rc         rc;
    hd_txn_t      txn;
    hd_view_st_t  st;

    memset(&st, 0, sizeof(st));
    st.viewer = viewer;
    st.txn = &txn;
    st.pool = pool;
    st.names.txn = &txn;
    st.names.pool = pool;

    rc = hd_txn_begin(store, &txn, HD_TXN_READ | HD_TXN_CACHED, err);
    if (rc != HD_OK) {
        return rc;
    }

    /* the answer to one's own change shows the ticket even when the
     * change took it out of one's departments; another department's
     * ticket is no ticket at all */
    rc = viewer->after_change
         ? hd_ticket_get(&txn, number, &st.t)
         : hd_ticket_staff_get(&txn, viewer->account, number, &st.t);

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return hd_view_no_ticket(err, rc, number);
    }

    st.view = hd_val_map(pool);

    hd_view_st_ticket(&st);

    hd_val_set(pool, st.view, "kb_suggestions",
               hd_view_kb_shown(viewer, &txn, pool, &st.t.kb_shown));

    if (hd_view_st_thread(&st, err) != 0 || hd_view_st_audit(&st, err) != 0) {
        hd_txn_abort(&txn);
        return err ? err->rc : HD_IO;
    }

    hd_val_set(pool, st.view, "assignable", hd_view_assignable(&st));

    if (viewer->page) {
        hd_view_st_page(&st);
        hd_val_set_page(pool, st.view, "has_kb_shown",
                        hd_val_bool(hd_val_get(st.view, "kb_suggestions", 14)
                                    ->u.items.n != 0));
    }

    hd_txn_abort(&txn);

    *view = st.view;

    return HD_OK;
}

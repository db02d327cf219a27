/*
 * The staff console (SPEC §2, §5, §9): a ticket with everything staff need
 * beside the thread, and what staff do to it (messages of every kind,
 * taking, assigning, changing its fields, cancelling). HTML and the JSON
 * API from the same reads. The queue is ngx_http_helpdesk_staff_queue.c.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_certificate.h"
#include "hd_company.h"
#include "hd_date.h"
#include "hd_product.h"
#include "hd_queue.h"
#include "hd_staff.h"
#include "hd_text.h"
#include "hd_ticket_customer.h"
#include "hd_ticket_staff.h"
#include "hd_ticket_search.h"


#define NGX_HTTP_HELPDESK_HOLDER_TICKETS  10


/* --- a ticket ------------------------------------------------------------- */


/* the staff who may own a ticket of the department, active ones */
static hd_rc
ngx_http_helpdesk_assignable(hd_txn_t *txn, hd_pool_t *pool,
    uint64_t department, hd_staff_info_t **list, size_t *n)
{
    size_t            i, k, m;
    hd_rc             rc;
    hd_staff_info_t  *all;

    rc = hd_staff_list(txn, pool, &all, &m);
    if (rc != HD_OK) {
        return rc;
    }

    *list = all;
    *n = 0;

    for (i = 0; i < m; i++) {
        if (all[i].account.state == HD_ACCOUNT_DISABLED) {
            continue;
        }

        if (all[i].account.role == HD_ROLE_AGENT) {
            for (k = 0; k < all[i].n; k++) {
                if (all[i].departments[k] == department) {
                    break;
                }
            }

            if (k == all[i].n) {
                continue;
            }
        }

        all[(*n)++] = all[i];
    }

    return HD_OK;
}


/* what the staff ticket page shows beside the thread */
typedef struct {
    hd_ticket_t         t;
    hd_account_t        author;
    int                 has_author;
    hd_company_t        company;
    int                 has_company;
    hd_certificate_t    cert;
    hd_cert_type_t      cert_type;
    int                 has_cert;
    size_t              cert_unclosed;
    hd_str_t            product;
    hd_message_t       *messages;
    size_t              nmessages;
    hd_attachment_t    *files;
    size_t              nfiles;
    hd_audit_t         *audit;
    size_t              naudit;
    hd_ticket_t        *others;
    size_t              nothers;
    hd_staff_info_t    *staff;
    size_t              nstaff;
    hd_department_t    *departments;
    size_t              ndepartments;
} ngx_http_helpdesk_staff_ticket_t;


static hd_rc
ngx_http_helpdesk_staff_ticket_read(ngx_http_helpdesk_ctx_t *ctx,
    hd_txn_t *txn, uint64_t number, ngx_http_helpdesk_staff_ticket_t *st)
{
    size_t              i;
    hd_pool_t          *pool = &ctx->pool;
    hd_product_t        p;
    hd_ticket_page_t    others;
    hd_ticket_query_t   oq;

    ngx_memzero(st, sizeof(*st));

    /* the answer to one's own change shows the ticket even when the
     * change took it out of one's departments */
    if ((ctx->after_change ? hd_ticket_get(txn, number, &st->t)
                           : hd_ticket_staff_get(txn, ctx->caller.account,
                                                 number, &st->t))
        != HD_OK)
    {
        return HD_NOT_FOUND;
    }

    if (hd_message_list(txn, number, 1, pool, &st->messages, &st->nmessages)
        != HD_OK
        || hd_attachment_list(txn, number, pool, &st->files, &st->nfiles)
           != HD_OK
        || hd_audit_list(txn, number, pool, &st->audit, &st->naudit) != HD_OK)
    {
        return HD_IO;
    }

    if (hd_account_get(txn, st->t.author, &st->author) == HD_OK) {
        st->has_author = 1;
    }

    if (st->t.company && hd_company_get(txn, st->t.company, &st->company)
                         == HD_OK)
    {
        st->has_company = 1;
    }

    if (st->t.certificate
        && hd_cert_get(txn, st->t.certificate, &st->cert) == HD_OK)
    {
        st->has_cert = 1;
        (void) hd_cert_type_get(txn, st->cert.type, &st->cert_type);
        (void) hd_cert_unclosed(txn, st->cert.id, &st->cert_unclosed);
    }

    st->product.data = (hd_uchar *) "";

    if (st->t.product && hd_product_get(txn, st->t.product, &p) == HD_OK) {
        st->product = p.name;
    }

    /* other recent tickets of the same customer (and company) */
    ngx_memzero(&oq, sizeof(oq));
    oq.account = st->t.author;
    oq.company = st->t.company;
    oq.sees_company = st->t.company != 0;
    oq.closed_too = 1;
    oq.limit = NGX_HTTP_HELPDESK_HOLDER_TICKETS + 1;
    oq.in_place = 1;

    if (hd_ticket_list(txn, &oq, pool, &others) == HD_OK) {
        st->others = others.tickets;

        for (i = 0; i < others.n; i++) {
            if (others.tickets[i].number != number
                && st->nothers < NGX_HTTP_HELPDESK_HOLDER_TICKETS)
            {
                st->others[st->nothers++] = others.tickets[i];
            }
        }
    }

    (void) ngx_http_helpdesk_assignable(txn, pool, st->t.department,
                                        &st->staff, &st->nstaff);
    (void) hd_department_list(txn, pool, &st->departments,
                              &st->ndepartments);

    return HD_OK;
}


static void
ngx_http_helpdesk_date_jw(hd_jw_t *w, const char *key, int32_t day)
{
    char  text[11];

    hd_date_format(day, text);
    hd_jw_key(w, key);
    hd_jw_str(w, text, 10);
}


static ngx_int_t
ngx_http_helpdesk_staff_ticket_json(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_http_helpdesk_staff_ticket_t *st,
    ngx_http_helpdesk_ticket_names_t *names, ngx_uint_t status,
    ngx_uint_t changed)
{
    size_t                   i;
    hd_jw_t                 *w;
    hd_ticket_t             *t = &st->t;
    ngx_http_helpdesk_jw_t  *j;

    j = ngx_http_helpdesk_jw_new(r);
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    w = &j->w;

    hd_jw_object(w);
    hd_jw_key(w, "number");
    hd_jw_int(w, (int64_t) t->number);
    ngx_http_helpdesk_jw_kstr(w, "subject", &t->subject);
    hd_jw_key(w, "status");
    hd_jw_cstr(w, hd_status_names[t->status % HD_STATUS_COUNT]);
    hd_jw_key(w, "priority");
    hd_jw_cstr(w, hd_priority_names[t->priority % HD_PRIORITY_COUNT]);
    hd_jw_key(w, "priority_overridden");
    hd_jw_bool(w, t->priority_set != 0);
    hd_jw_key(w, "department_id");
    hd_jw_int(w, (int64_t) t->department);
    ngx_http_helpdesk_jw_kstr(w, "department",
        ngx_http_helpdesk_department_name(names, t->department));
    hd_jw_key(w, "owner_id");
    if (t->owner) {
        hd_jw_int(w, (int64_t) t->owner);

    } else {
        hd_jw_null(w);
    }

    ngx_http_helpdesk_jw_kopt(w, "owner",
        ngx_http_helpdesk_account_name(names, t->owner));
    hd_jw_key(w, "type");
    hd_jw_cstr(w, hd_ticket_type_names[t->type % HD_TYPE_COUNT]);
    hd_jw_key(w, "category");
    hd_jw_cstr(w, ngx_http_helpdesk_category_name(ctx, names->txn,
                                                  t->category));
    hd_jw_key(w, "severity");
    hd_jw_int(w, t->severity);
    hd_jw_key(w, "channel");
    hd_jw_cstr(w, hd_channel_names[t->channel % HD_CHANNEL_COUNT]);
    hd_jw_key(w, "regulations");
    hd_jw_int(w, (int64_t) t->regulations);
    ngx_http_helpdesk_jw_kopt(w, "csr", &t->csr);
    ngx_http_helpdesk_form_jw(t, w);
    hd_jw_key(w, "premium");
    hd_jw_bool(w, t->premium != 0);
    ngx_http_helpdesk_jw_kopt(w, "product", &st->product);
    ngx_http_helpdesk_jw_kstr(w, "product_version", &t->product_version);
    ngx_http_helpdesk_jw_kstr(w, "os_version", &t->os_version);
    hd_jw_key(w, "created");
    ngx_http_helpdesk_jw_time(w, t->created);
    hd_jw_key(w, "updated");
    ngx_http_helpdesk_jw_time(w, t->updated);
    hd_jw_key(w, "version");
    hd_jw_int(w, t->version);
    hd_jw_key(w, "sla_due");
    ngx_http_helpdesk_jw_time(w, t->sla_due);
    hd_jw_key(w, "sla_state");
    hd_jw_cstr(w, hd_sla_state_names[t->sla_state % HD_SLA_STATE_COUNT]);
    hd_jw_key(w, "sla_warn");
    ngx_http_helpdesk_jw_time(w, t->sla_warn);
    hd_jw_key(w, "response_due");
    ngx_http_helpdesk_jw_time(w, t->resp_due);
    hd_jw_key(w, "resolution_due");
    ngx_http_helpdesk_jw_time(w, t->resol_due);
    hd_jw_key(w, "resolution_paused");
    hd_jw_bool(w, (t->sla_flags & HD_SLA_RESOL_PAUSED) != 0);
    hd_jw_key(w, "autoclose_due");
    ngx_http_helpdesk_jw_time(w, t->autoclose_due);

    if (t->reference) {
        hd_jw_key(w, "reference");
        hd_jw_int(w, (int64_t) t->reference);
    }

    if (changed) {
        hd_jw_key(w, "changed_meanwhile");
        hd_jw_bool(w, 1);
    }

    hd_jw_key(w, "rating");
    if (t->rating) {
        hd_jw_object(w);
        hd_jw_key(w, "stars");
        hd_jw_int(w, t->rating);
        ngx_http_helpdesk_jw_kstr(w, "comment", &t->rating_comment);
        hd_jw_end(w, '}');

    } else {
        hd_jw_null(w);
    }

    /* who asks */
    hd_jw_key(w, "customer");
    if (st->has_author) {
        hd_jw_object(w);
        hd_jw_key(w, "id");
        hd_jw_int(w, (int64_t) st->author.id);
        ngx_http_helpdesk_jw_kstr(w, "name", &st->author.name);
        ngx_http_helpdesk_jw_kstr(w, "login", &st->author.login);
        ngx_http_helpdesk_jw_kstr(w, "email", &st->author.email);
        ngx_http_helpdesk_jw_kopt(w, "phone", &st->author.phone);
        ngx_http_helpdesk_jw_kopt(w, "organisation",
                                  &st->author.organisation);
        hd_jw_key(w, "email_confirmed");
        hd_jw_bool(w, st->author.email_confirmed != 0);
        hd_jw_key(w, "email_bounced");

        if (st->author.email_bounced) {
            hd_jw_object(w);
            hd_jw_key(w, "time");
            ngx_http_helpdesk_jw_time(w, st->author.email_bounced);
            ngx_http_helpdesk_jw_kstr(w, "reason", &st->author.email_bounce);
            hd_jw_end(w, '}');

        } else {
            hd_jw_null(w);
        }

        hd_jw_end(w, '}');

    } else {
        hd_jw_null(w);
    }

    hd_jw_key(w, "company");
    if (st->has_company) {
        hd_jw_object(w);
        hd_jw_key(w, "id");
        hd_jw_int(w, (int64_t) st->company.id);
        ngx_http_helpdesk_jw_kstr(w, "name", &st->company.name);
        hd_jw_end(w, '}');

    } else {
        hd_jw_null(w);
    }

    hd_jw_key(w, "certificate");
    if (st->has_cert) {
        hd_jw_object(w);
        ngx_http_helpdesk_jw_kstr(w, "number", &st->cert.number);
        ngx_http_helpdesk_jw_kstr(w, "type", &st->cert_type.name);
        ngx_http_helpdesk_date_jw(w, "valid_from",
                                  (int32_t) st->cert.valid_from);
        ngx_http_helpdesk_date_jw(w, "valid_until",
                                  (int32_t) st->cert.valid_until);
        hd_jw_key(w, "state");
        hd_jw_cstr(w, hd_cert_state_names[hd_cert_state(
                          &st->cert, hd_date_today(ngx_time()))]);
        hd_jw_key(w, "unclosed");
        hd_jw_int(w, (int64_t) st->cert_unclosed);
        hd_jw_key(w, "limit");
        hd_jw_int(w, st->cert_type.ticket_limit);
        hd_jw_key(w, "level");
        hd_jw_cstr(w, hd_level_names[st->cert_type.level % HD_LEVEL_COUNT]);
        hd_jw_end(w, '}');

    } else {
        hd_jw_null(w);
    }

    hd_jw_key(w, "holder_tickets");
    hd_jw_array(w);

    for (i = 0; i < st->nothers; i++) {
        hd_jw_object(w);
        hd_jw_key(w, "number");
        hd_jw_int(w, (int64_t) st->others[i].number);
        ngx_http_helpdesk_jw_kstr(w, "subject", &st->others[i].subject);
        hd_jw_key(w, "status");
        hd_jw_cstr(w, hd_status_names[st->others[i].status
                                      % HD_STATUS_COUNT]);
        hd_jw_key(w, "updated");
        ngx_http_helpdesk_jw_time(w, st->others[i].updated);
        hd_jw_end(w, '}');
    }

    hd_jw_end(w, ']');

    /* the knowledge base's suggestions the customer saw (SPEC §8) */
    hd_jw_key(w, "kb_suggestions");
    ngx_http_helpdesk_kb_shown(ctx, names->txn, &t->kb_shown, NULL, w);

    hd_jw_key(w, "messages");
    hd_jw_array(w);

    for (i = 0; i < st->nmessages; i++) {
        ngx_http_helpdesk_message_jw(ctx, names, &st->messages[i], st->files,
                                     st->nfiles, w);
    }

    hd_jw_end(w, ']');

    hd_jw_key(w, "audit");
    hd_jw_array(w);

    for (i = 0; i < st->naudit; i++) {
        hd_audit_t  *au = &st->audit[i];

        hd_jw_object(w);
        hd_jw_key(w, "time");
        ngx_http_helpdesk_jw_time(w, au->time);
        ngx_http_helpdesk_jw_kopt(w, "actor",
            ngx_http_helpdesk_account_name(names, au->actor));
        hd_jw_key(w, "side");
        hd_jw_cstr(w, hd_side_names[au->side % HD_SIDE_COUNT]);
        hd_jw_key(w, "action");
        hd_jw_cstr(w, hd_action_names[au->action % HD_ACTION_COUNT]);
        hd_jw_key(w, "from");
        hd_jw_cstr(w, au->from < HD_STATUS_COUNT ? hd_status_names[au->from]
                                                 : NULL);
        hd_jw_key(w, "to");
        hd_jw_cstr(w, au->to < HD_STATUS_COUNT ? hd_status_names[au->to]
                                               : NULL);
        ngx_http_helpdesk_jw_kopt(w, "detail", &au->detail);
        hd_jw_end(w, '}');
    }

    hd_jw_end(w, ']');

    hd_jw_key(w, "assignable");
    hd_jw_array(w);

    for (i = 0; i < st->nstaff; i++) {
        hd_jw_object(w);
        hd_jw_key(w, "id");
        hd_jw_int(w, (int64_t) st->staff[i].account.id);
        ngx_http_helpdesk_jw_kstr(w, "name", &st->staff[i].account.name);
        hd_jw_end(w, '}');
    }

    hd_jw_end(w, ']');
    hd_jw_end(w, '}');

    return ngx_http_helpdesk_jw_send(r, j, status);
}


/* the audit's detail in words: "priority: normal -> high" as it is */
static hd_val_t *
ngx_http_helpdesk_audit_view(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_ticket_names_t *names, const hd_audit_t *au)
{
    hd_str_t   *who;
    hd_val_t   *item;
    hd_pool_t  *pool = &ctx->pool;

    item = hd_val_map(pool);

    hd_val_set(pool, item, "time", ngx_http_helpdesk_time_text(ctx, au->time));
    who = ngx_http_helpdesk_account_name(names, au->actor);
    ngx_http_helpdesk_set_given(pool, item, "actor", who);
    ngx_http_helpdesk_set_label(ctx, item, "side", NGX_HTTP_HELPDESK_L_SIDE,
                                au->side);
    ngx_http_helpdesk_set_label(ctx, item, "action",
                                NGX_HTTP_HELPDESK_L_EVENT, au->action);

    if (au->from < HD_STATUS_COUNT && au->to < HD_STATUS_COUNT
        && au->from != au->to)
    {
        ngx_http_helpdesk_set_label(ctx, item, "from",
                                    NGX_HTTP_HELPDESK_L_STAFF_STATUS,
                                    au->from);
        ngx_http_helpdesk_set_label(ctx, item, "to",
                                    NGX_HTTP_HELPDESK_L_STAFF_STATUS, au->to);
    }

    ngx_http_helpdesk_set_given(pool, item, "detail", &au->detail);

    return item;
}


static hd_val_t *
ngx_http_helpdesk_id_options(ngx_http_helpdesk_ctx_t *ctx, size_t n,
    const uint64_t *ids, const hd_str_t *const *names, uint64_t selected)
{
    size_t      i;
    hd_val_t   *list, *item;
    hd_pool_t  *pool = &ctx->pool;

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "id", (int64_t) ids[i]);
        hd_val_set_str(pool, item, "name", names[i]->data, names[i]->len);
        hd_val_set_bool(pool, item, "selected", ids[i] == selected);
        hd_val_push(pool, list, item);
    }

    return list;
}


/* the departments as a select's options, one selected */
hd_val_t *
ngx_http_helpdesk_department_options(ngx_http_helpdesk_ctx_t *ctx,
    const hd_department_t *d, size_t n, uint64_t selected)
{
    size_t           i;
    uint64_t        *ids;
    const hd_str_t **names;

    ids = hd_palloc(&ctx->pool, (n + 1) * sizeof(uint64_t));
    names = hd_palloc(&ctx->pool, (n + 1) * sizeof(hd_str_t *));

    if (ids == NULL || names == NULL) {
        return hd_val_list(&ctx->pool);
    }

    for (i = 0; i < n; i++) {
        ids[i] = d[i].id;
        names[i] = &d[i].name;
    }

    return ngx_http_helpdesk_id_options(ctx, n, ids, names, selected);
}


/*
 * The staff's ticket page (and the API's staff ticket): the thread with
 * the internal notes, the audit, the customer with company and
 * certificate, their other tickets, and the forms of every action
 */
ngx_int_t
ngx_http_helpdesk_staff_ticket_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    char                               key[64];
    size_t                             i, n;
    uint64_t                           number, *ids;
    hd_err_t                           err;
    hd_txn_t                           txn;
    hd_str_t                           cert, chosen;
    hd_val_t                          *view, *list, *item;
    ngx_int_t                          rc;
    hd_pool_t                         *pool = &ctx->pool;
    ngx_uint_t                         newest, changed;
    ngx_str_t                          order;
    hd_account_t                      *me = ctx->caller.account;
    const hd_str_t                   **nlist;
    ngx_http_helpdesk_staff_ticket_t   st;
    ngx_http_helpdesk_ticket_names_t   names;

    static const char  *echo[] = { "body", "reason", NULL };

    number = ngx_http_helpdesk_ticket_arg(ctx);

    if (number == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    rc = ngx_http_helpdesk_staff_ticket_read(ctx, &txn, number, &st);

    if (rc != HD_OK) {
        hd_txn_abort(&txn);

        /* a ticket of another department is no ticket at all */
        return rc == HD_NOT_FOUND
               ? ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                         "not_found", NULL)
               : NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&names, sizeof(names));
    names.txn = &txn;
    names.pool = pool;

    changed = ctx->changed_meanwhile;

    if (ctx->api) {
        rc = ngx_http_helpdesk_staff_ticket_json(r, ctx, &st, &names, status,
                                                 changed);
        hd_txn_abort(&txn);
        return rc;
    }

    view = ngx_http_helpdesk_view(r, ctx, NULL);
    if (view == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_val_set_str(pool, view, "title", st.t.subject.data, st.t.subject.len);
    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);

    cert.data = st.has_cert ? st.cert.number.data : (hd_uchar *) "";
    cert.len = st.has_cert ? st.cert.number.len : 0;
    ngx_http_helpdesk_ticket_header(ctx, &names, &st.t, &cert, &st.product,
                                    view);

    hd_val_set_int(pool, view, "version", st.t.version);
    hd_val_set_cstr(pool, view, "live_path", "staff/");
    hd_val_set_int(pool, view, "department_id", (int64_t) st.t.department);
    /* how it came, in words ("через портал"), not the API's code */
    {
        char             key[48];
        const hd_str_t  *text;

        ngx_sprintf((u_char *) key, "staff.came_%s%Z",
                    hd_channel_names[st.t.channel % HD_CHANNEL_COUNT]);
        text = ngx_http_helpdesk_text(ctx, key);

        if (text != NULL) {
            hd_val_set_str(pool, view, "channel", text->data, text->len);
        }
    }

    /* an activation request: who it names, and the approval */
    ngx_http_helpdesk_activation_view(ctx, &txn, &st.t, view);

    /* an APNs request: what its CSR asks for */
    if (st.t.csr.len) {
        hd_val_set_str(pool, view, "csr", st.t.csr.data, st.t.csr.len);
    }

    hd_val_set_bool(pool, view, "mine", st.t.owner == me->id);
    hd_val_set_bool(pool, view, "unowned", st.t.owner == 0);
    hd_val_set_bool(pool, view, "can_assign", me->role != HD_ROLE_AGENT);
    hd_val_set_bool(pool, view, "open", !hd_status_closed(st.t.status));
    hd_val_set_bool(pool, view, "priority_overridden", st.t.priority_set != 0);

    if (st.t.sla_due) {
        hd_val_set(pool, view, "sla_due",
                   ngx_http_helpdesk_time_text(ctx, st.t.sla_due));
    }

    if (st.t.sla_state != HD_SLA_OK) {
        hd_val_set_cstr(pool, view, "sla_state",
                        hd_sla_state_names[st.t.sla_state
                                           % HD_SLA_STATE_COUNT]);
    }

    /* the customer, the company, the certificate */
    if (st.has_author) {
        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "id", (int64_t) st.author.id);
        hd_val_set_str(pool, item, "name", st.author.name.data,
                       st.author.name.len);
        hd_val_set_str(pool, item, "login", st.author.login.data,
                       st.author.login.len);
        hd_val_set_str(pool, item, "email", st.author.email.data,
                       st.author.email.len);
        ngx_http_helpdesk_set_given(pool, item, "phone", &st.author.phone);
        ngx_http_helpdesk_set_given(pool, item, "organisation",
                                    &st.author.organisation);

        /* can the customer be reached: staff answer knowing it */
        if (st.author.email_bounced) {
            hd_val_set(pool, item, "email_bounced",
                       ngx_http_helpdesk_time_text(ctx,
                                                   st.author.email_bounced));
            hd_val_set_str(pool, item, "email_bounce",
                           st.author.email_bounce.data,
                           st.author.email_bounce.len);

        } else if (st.author.email_confirmed == 0) {
            hd_val_set_bool(pool, item, "email_unconfirmed", 1);
        }

        hd_val_set(pool, view, "customer", item);
    }

    if (st.has_company) {
        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "id", (int64_t) st.company.id);
        hd_val_set_str(pool, item, "name", st.company.name.data,
                       st.company.name.len);
        hd_val_set(pool, view, "company", item);
    }

    if (st.has_cert) {
        item = hd_val_map(pool);
        hd_val_set_str(pool, item, "number", st.cert.number.data,
                       st.cert.number.len);
        hd_val_set_str(pool, item, "type", st.cert_type.name.data,
                       st.cert_type.name.len);
        ngx_http_helpdesk_set_day(ctx, item, "valid_from",
                                  (int32_t) st.cert.valid_from);
        ngx_http_helpdesk_set_day(ctx, item, "valid_until",
                                  (int32_t) st.cert.valid_until);

        /* words, not codes: the state and the level as the catalogue says */
        ngx_snprintf((u_char *) key, sizeof(key), "certs.state_%s%Z",
                     hd_cert_state_names[hd_cert_state(
                         &st.cert, hd_date_today(ngx_time()))]);
        ngx_http_helpdesk_set_text(ctx, item, "state", key);
        ngx_snprintf((u_char *) key, sizeof(key), "staff.level_%s%Z",
                     hd_level_names[st.cert_type.level % HD_LEVEL_COUNT]);
        ngx_http_helpdesk_set_text(ctx, item, "level", key);

        hd_val_set_int(pool, item, "unclosed", (int64_t) st.cert_unclosed);
        hd_val_set_int(pool, item, "limit", st.cert_type.ticket_limit);
        hd_val_set(pool, view, "cert", item);
    }

    list = hd_val_list(pool);

    for (i = 0; i < st.nothers; i++) {
        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "number", (int64_t) st.others[i].number);
        hd_val_set_str(pool, item, "subject", st.others[i].subject.data,
                       st.others[i].subject.len);
        ngx_http_helpdesk_set_label(ctx, item, "status",
                                    NGX_HTTP_HELPDESK_L_STAFF_STATUS,
                                    st.others[i].status);
        hd_val_set(pool, item, "updated",
                   ngx_http_helpdesk_time_text(ctx, st.others[i].updated));
        hd_val_push(pool, list, item);
    }

    hd_val_set(pool, view, "others", list);
    hd_val_set_bool(pool, view, "has_others", st.nothers != 0);

    for (i = 0; i < st.nmessages; i++) {
        if (st.messages[i].kind == HD_MESSAGE_SOLUTION) {
            hd_val_set_bool(pool, view, "has_solution", 1);
        }
    }

    hd_val_set_bool(pool, view, "kb_editor",
                    hd_account_may(ctx->caller.account, HD_RIGHT_KB_EDIT));

    /* what may help the agent: articles (internal ones too) and resolved
       tickets about the same */
    {
        size_t             nh, k;
        hd_str_t           none = hd_null_string;
        hd_val_t          *similar;
        hd_ticket_t        other;
        hd_search_hit_t   *hits;
        hd_staff_scope_t   scope;

        list = hd_val_list(pool);
        (void) ngx_http_helpdesk_kb_suggestions(ctx, &txn, &st.t.subject,
                                                st.nmessages
                                                ? &st.messages[0].body : &none,
                                                list, NULL, 0);
        hd_val_set(pool, view, "kb_for_staff", list);
        hd_val_set_bool(pool, view, "has_kb_for_staff", list->u.items.n > 0);

        similar = hd_val_list(pool);

        if (hd_staff_scope(&txn, ctx->caller.account, &scope) == HD_OK
            && hd_ticket_similar(&txn, &scope, &st.t.subject, 30, pool,
                                 &hits, &nh)
               == HD_OK)
        {
            for (k = 0; k < nh && similar->u.items.n < 5; k++) {
                if (hits[k].doc == st.t.number
                    || hd_ticket_get(&txn, hits[k].doc, &other) != HD_OK
                    || (other.status != HD_STATUS_SOLVED
                        && other.status != HD_STATUS_CLOSED))
                {
                    continue;
                }

                item = hd_val_map(pool);
                hd_val_set_int(pool, item, "number", (int64_t) other.number);
                hd_val_set_str(pool, item, "subject",
                               hd_pstrdup(pool, other.subject.data,
                                          other.subject.len),
                               other.subject.len);
                ngx_http_helpdesk_set_label(ctx, item, "status",
                                            NGX_HTTP_HELPDESK_L_STAFF_STATUS,
                                            other.status);
                hd_val_push(pool, similar, item);
            }
        }

        hd_val_set(pool, view, "similar", similar);
        hd_val_set_bool(pool, view, "has_similar", similar->u.items.n > 0);
    }

    list = hd_val_list(pool);
    ngx_http_helpdesk_kb_shown(ctx, &txn, &st.t.kb_shown, list, NULL);
    hd_val_set(pool, view, "kb_shown", list);
    hd_val_set_bool(pool, view, "has_kb_shown", list->u.items.n > 0);

    ngx_http_helpdesk_form_shown(ctx, &txn, &st.t, view);

    if (ngx_http_helpdesk_form_edit_groups(ctx, &txn, &st.t, view, errors)
        != NGX_OK)
    {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the thread, notes included, and the audit */
    newest = ngx_http_arg(r, (u_char *) "order", 5, &order) == NGX_OK
             && order.len == 6 && ngx_strncmp(order.data, "newest", 6) == 0;

    list = hd_val_list(pool);

    for (i = 0; i < st.nmessages; i++) {
        item = ngx_http_helpdesk_message_view(ctx, &names,
                                              &st.messages[newest
                                                  ? st.nmessages - 1 - i
                                                  : i],
                                              st.files, st.nfiles);
        hd_val_push(pool, list, item);
    }

    hd_val_set(pool, view, "thread", list);
    hd_val_set_bool(pool, view, "newest_first", newest);

    list = hd_val_list(pool);

    for (i = st.naudit; i-- > 0; ) {
        hd_val_push(pool, list,
                    ngx_http_helpdesk_audit_view(ctx, &names, &st.audit[i]));
    }

    hd_val_set(pool, view, "audit", list);

    /* the forms' choices */
    n = st.nstaff > st.ndepartments ? st.nstaff : st.ndepartments;
    ids = hd_palloc(pool, (n + 1) * sizeof(uint64_t));
    nlist = hd_palloc(pool, (n + 1) * sizeof(hd_str_t *));

    if (ids == NULL || nlist == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (i = 0; i < st.nstaff; i++) {
        ids[i] = st.staff[i].account.id;
        nlist[i] = &st.staff[i].account.name;
    }

    hd_val_set(pool, view, "assignable",
               ngx_http_helpdesk_id_options(ctx, st.nstaff, ids, nlist,
                                            st.t.owner));

    hd_val_set(pool, view, "department_options",
               ngx_http_helpdesk_department_options(ctx, st.departments,
                                                    st.ndepartments,
                                                    st.t.department));

    chosen.data = (hd_uchar *) hd_priority_names[st.t.priority
                                                 % HD_PRIORITY_COUNT];
    chosen.len = ngx_strlen(chosen.data);
    hd_val_set(pool, view, "priority_options",
               ngx_http_helpdesk_choices(ctx, NGX_HTTP_HELPDESK_L_PRIORITY,
                                         &chosen, NULL));

    chosen.data = (hd_uchar *) hd_ticket_type_names[st.t.type
                                                    % HD_TYPE_COUNT];
    chosen.len = ngx_strlen(chosen.data);
    hd_val_set(pool, view, "type_options",
               ngx_http_helpdesk_choices(ctx, NGX_HTTP_HELPDESK_L_TYPE,
                                         &chosen, NULL));

    hd_val_set(pool, view, "category_options",
               ngx_http_helpdesk_category_choices(ctx, &txn, NULL, NULL,
                                                  st.t.category));

    chosen.data = (hd_uchar *) (st.t.severity >= 1 && st.t.severity <= 4
                                ? "1234" + st.t.severity - 1 : "4");
    chosen.len = 1;
    hd_val_set(pool, view, "severity_options",
               ngx_http_helpdesk_choices(ctx, NGX_HTTP_HELPDESK_L_SEVERITY,
                                         &chosen, NULL));

    hd_val_set_int(pool, view, "files_max", ctx->mcf->tickets.files_max);
    hd_val_set_int(pool, view, "file_max_mb",
                   (int64_t) (ctx->mcf->tickets.file_max / (1024 * 1024)));

    /* the canned replies, and one chosen (?macro=ID) in the reply form */
    ngx_http_helpdesk_macro_offer(r, ctx, &txn, view, &st.t,
                                  st.has_author ? &st.author.name
                                                : &ctx->caller.account->name);

    rc = ngx_http_helpdesk_render(r, ctx, "pages/staff_ticket", view, status);
    hd_txn_abort(&txn);

    return rc;
}


ngx_int_t
ngx_http_helpdesk_staff_ticket(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_staff_ticket_page(r, ctx, NULL, NGX_HTTP_OK);
}


/* --- actions -------------------------------------------------------------- */


/* NGX_OK when the caller sees the department */
static ngx_int_t
ngx_http_helpdesk_staff_sees(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, uint64_t department)
{
    hd_txn_t          txn;
    ngx_int_t         rc;
    hd_staff_scope_t  scope;

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, NULL)
        != HD_OK)
    {
        return NGX_ERROR;
    }

    rc = hd_staff_scope(&txn, ctx->caller.account, &scope) == HD_OK
         && hd_staff_sees(&scope, department) ? NGX_OK : NGX_DECLINED;

    hd_txn_abort(&txn);

    return rc;
}


typedef struct {
    ngx_http_helpdesk_job_t          job;
    hd_staff_message_t               sm;
    hd_staff_edit_t                  edit;
    hd_ticket_t                      t;
    ngx_http_helpdesk_upload_t      *uploads;
    ngx_uint_t                       nuploads;
    uint64_t                         message;
    uint8_t                          status;
    int                              changed;
} ngx_http_helpdesk_staff_job_t;


/* the version a form or a request was made against: 0 when not said */
static uint32_t
ngx_http_helpdesk_input_version(ngx_http_helpdesk_ctx_t *ctx)
{
    int64_t  v;

    v = ngx_http_helpdesk_input_number(ctx, "version");

    return v > 0 && v < 0xffffffff ? (uint32_t) v : 0;
}


/* back to the ticket with a notice, or the API's answer */
static ngx_int_t
ngx_http_helpdesk_staff_back(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, uint64_t number, const char *notice)
{
    u_char  path[64];

    ngx_sprintf(path, "staff/tickets/%uL%Z", number);

    return ngx_http_helpdesk_go(r, ctx, (char *) path, notice);
}


static void
ngx_http_helpdesk_staff_message_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_staff_job_t  *j = data;

    hd_upload_t  *files = (hd_upload_t *) j->sm.files;

    if (j->nuploads) {
        j->job.rc = ngx_http_helpdesk_store_uploads(&j->job.portal,
                                                    j->uploads, j->nuploads,
                                                    files, &j->job.err);
        if (j->job.rc != HD_OK) {
            return;
        }
    }

    j->job.rc = hd_ticket_staff_message(&j->job.portal, &j->sm, j->job.now,
                                        &j->message, &j->status, &j->changed,
                                        &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_staff_message_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_staff_job_t  *j = data;

    json_t  *json;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_staff_ticket_page);
    }

    if (ctx->api) {
        json = json_pack("{s:I, s:s}", "id", (json_int_t) j->message,
                         "status",
                         hd_status_names[j->status % HD_STATUS_COUNT]);

        /* kept all the same; the agent should look again */
        if (json != NULL && j->changed) {
            json_object_set_new(json, "changed_meanwhile", json_true());
        }

        return ngx_http_helpdesk_send_json(r, NGX_HTTP_CREATED, json);
    }

    return ngx_http_helpdesk_staff_back(r, ctx, j->sm.number,
                                        j->changed ? "changed_meanwhile"
                                        : j->sm.kind == HD_MESSAGE_NOTE
                                          ? "note_added" : "reply_added");
}


static ngx_http_helpdesk_staff_job_t *
ngx_http_helpdesk_staff_job(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_http_helpdesk_staff_job_t  *j;

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NULL;
    }

    j->sm.number = ngx_http_helpdesk_ticket_arg(ctx);
    j->sm.actor = ctx->caller.account->id;
    hd_staff_edit_init(&j->edit);
    j->edit.number = j->sm.number;
    j->edit.actor = j->sm.actor;

    return j;
}


/*
 * A message of any kind (SPEC §9 "POST /staff/tickets/{n}/messages"): body,
 * kind (reply, note, info_request, solution), files; the version it was
 * written against warns when the ticket changed meanwhile
 */
ngx_int_t
ngx_http_helpdesk_staff_message(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int                             kind;
    hd_str_t                        v[2];
    ngx_http_helpdesk_staff_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "body", 4 * HD_BODY_MAX_CHARS, 0 },
        { "kind", 32, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_staff_job(r, ctx);
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (j->sm.number == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    kind = v[1].len ? hd_staff_kind_from_name(v[1].data, v[1].len)
                    : HD_MESSAGE_REPLY;

    if (kind < 0) {
        hd_errors_add(&j->job.errors, "kind", "message_kind_invalid");
    }

    j->sm.body = v[0];
    hd_ticket_validate_body(&j->sm.body, "body", &j->job.errors);

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_staff_ticket_page);
    }

    j->sm.kind = (uint8_t) kind;
    j->sm.channel = ctx->api ? HD_CHANNEL_API : HD_CHANNEL_WEB;
    if (ngx_http_helpdesk_input_number(ctx, "version") == -2) {
        return ngx_http_helpdesk_error(r, ctx, 422, "version_invalid",
                                       "version");
    }

    j->sm.version = ngx_http_helpdesk_input_version(ctx);
    j->uploads = ctx->uploads;
    j->nuploads = ctx->nuploads;

    if (j->nuploads) {
        j->sm.files = ngx_pcalloc(r->pool,
                                  j->nuploads * sizeof(hd_upload_t));
        if (j->sm.files == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        j->sm.nfiles = j->nuploads;
    }

    return ngx_http_helpdesk_offload(r, ctx,
                                     ngx_http_helpdesk_staff_message_work,
                                     ngx_http_helpdesk_staff_message_done, j);
}


static void
ngx_http_helpdesk_staff_edit_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_staff_job_t  *j = data;

    /* only numbers of the result are read: the flow's own pool */
    j->job.rc = hd_ticket_staff_edit(&j->job.portal, &j->edit, j->job.now,
                                     &j->t, NULL, &j->changed,
                                     &j->job.errors, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_staff_edit_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_staff_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_staff_ticket_page);
    }

    if (ctx->api) {
        /* 200 with the ticket as it is now, said to have changed */
        ctx->changed_meanwhile = j->changed != 0;
        ctx->after_change = 1;

        return ngx_http_helpdesk_staff_ticket_page(r, ctx, NULL,
                                                   NGX_HTTP_OK);
    }

    /* moved out of the agent's departments: back to the queue */
    if (j->edit.department != 0
        && ngx_http_helpdesk_staff_sees(r, ctx, j->edit.department) != NGX_OK)
    {
        return ngx_http_helpdesk_go(r, ctx, "staff/tickets", "ticket_moved");
    }

    return ngx_http_helpdesk_staff_back(r, ctx, j->edit.number,
                                        j->changed ? "changed_meanwhile"
                                        : j->edit.cancel
                                          ? "ticket_cancelled"
                                          : "ticket_saved");
}


/* an id field: a JSON number, a form's digits; "me"; empty or null: 0 */
static int64_t
ngx_http_helpdesk_input_id(ngx_http_helpdesk_ctx_t *ctx, const char *name,
    uint64_t me, ngx_uint_t *given)
{
    json_t    *v;
    hd_str_t   s;
    int64_t    n;

    *given = 0;
    v = ctx->input ? json_object_get(ctx->input, name) : NULL;

    if (v == NULL) {
        return 0;
    }

    *given = 1;

    if (json_is_null(v)) {
        return 0;
    }

    if (ngx_http_helpdesk_input_str(ctx, name, &s) == NGX_OK
        && s.data != NULL && hd_str_eq(&s, "me"))
    {
        return (int64_t) me;
    }

    if (ngx_http_helpdesk_input_str(ctx, name, &s) == NGX_OK
        && s.data != NULL && s.len == 0)
    {
        return 0;
    }

    n = ngx_http_helpdesk_input_number(ctx, name);

    return n >= 0 ? n : -1;
}


/* the owner a form or request names (an id, "me", empty for nobody; the
   queue's "keep" for no change) into the edit: 1 when it names one */
ngx_uint_t
ngx_http_helpdesk_input_owner(ngx_http_helpdesk_ctx_t *ctx,
    hd_staff_edit_t *edit, hd_errors_t *errors)
{
    int64_t     id;
    hd_str_t    keep;
    ngx_uint_t  given;

    if (ngx_http_helpdesk_input_str(ctx, "owner", &keep) == NGX_OK
        && keep.data != NULL && hd_str_eq(&keep, "keep"))
    {
        return 0;
    }

    id = ngx_http_helpdesk_input_id(ctx, "owner", ctx->caller.account->id,
                                    &given);
    if (!given) {
        return 0;
    }

    if (id < 0) {
        hd_errors_add(errors, "owner", "owner_invalid");
    }

    edit->owner = id;

    return 1;
}


/*
 * A change of the ticket (SPEC §9 "PATCH /staff/tickets/{n}"): owner,
 * department, priority ("auto": derived again), type, severity, category,
 * status (only cancelled_by_staff, with reason); the forms of the page
 * post here too, and "take" is owner = me
 */
static ngx_int_t
ngx_http_helpdesk_staff_change(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_uint_t take)
{
    int                             i;
    int64_t                         id, sev;
    hd_str_t                        v[3];
    ngx_uint_t                      given, any;
    ngx_http_helpdesk_staff_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "reason", 4 * HD_BODY_MAX_CHARS, 0 },
        { "status", 32, 0 },
        { "priority", 32, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_staff_job(r, ctx);
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (j->edit.number == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    any = 0;

    /* the "take" button is a form of no field */
    if (take) {
        j->edit.owner = (int64_t) ctx->caller.account->id;
        any = 1;

    } else {
        any = ngx_http_helpdesk_input_owner(ctx, &j->edit, &j->job.errors);
    }

    id = ngx_http_helpdesk_input_id(ctx, "department", 0, &given);
    if (given) {
        if (id <= 0) {
            hd_errors_add(&j->job.errors, "department", "department_unknown");
        }

        j->edit.department = id > 0 ? (uint64_t) id : 0;
        any = 1;
    }

    if (v[2].len) {
        if (hd_str_eq(&v[2], "auto")) {
            j->edit.priority = -2;

        } else {
            i = hd_name_index(hd_priority_names, HD_PRIORITY_COUNT,
                              v[2].data, v[2].len);
            if (i < 0) {
                hd_errors_add(&j->job.errors, "priority",
                              "priority_invalid");
            }

            j->edit.priority = i;
        }

        any = 1;
    }

    i = ngx_http_helpdesk_input_choice(ctx, "type", hd_ticket_type_names,
                                       HD_TYPE_COUNT);
    if (i == -2) {
        hd_errors_add(&j->job.errors, "type", "type_invalid");
    }

    if (i >= 0) {
        j->edit.type = i;
        any = 1;
    }

    i = ngx_http_helpdesk_input_category(ctx, 0);
    if (i == -2) {
        hd_errors_add(&j->job.errors, "category", "category_invalid");
    }

    if (i >= 0) {
        j->edit.category = i;
        any = 1;
    }

    /* the extra fields corrected: the API's "fields", or the page's
       details form; checked against the form of the category and type
       the ticket will have */
    if ((ctx->api && ctx->input != NULL
         && json_object_get(ctx->input, "fields") != NULL)
        || (!ctx->api && ngx_http_helpdesk_input_bool(ctx, "fields_edit") == 1))
    {
        hd_txn_t     txn;
        hd_ticket_t  t;
        int          cat = -1, type = -1;

        if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                         NULL)
            == HD_OK)
        {
            if (hd_ticket_get(&txn, j->edit.number, &t) == HD_OK) {
                cat = j->edit.category >= 0 ? j->edit.category : t.category;
                type = j->edit.type >= 0 ? j->edit.type : t.type;
            }

            hd_txn_abort(&txn);
        }

        if (cat >= 0) {
            if (ngx_http_helpdesk_form_input(ctx, cat, type, &j->edit.fields,
                                             &j->job.errors)
                != NGX_OK)
            {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            j->edit.fields_set = 1;
            any = 1;
        }
    }

    sev = ngx_http_helpdesk_input_number(ctx, "severity");
    if (sev != -1) {
        if (sev < 1 || sev > 4) {
            hd_errors_add(&j->job.errors, "severity", "severity_invalid");

        } else {
            j->edit.severity = (int) sev;
            any = 1;
        }
    }

    /* statuses move by messages; a cancellation is the one set here */
    if (v[1].len) {
        if (!hd_str_eq(&v[1], "cancelled_by_staff")) {
            hd_errors_add(&j->job.errors, "status", "status_change_invalid");

        } else {
            j->edit.cancel = 1;
            j->edit.reason = v[0];

            if (v[0].len == 0) {
                hd_errors_add(&j->job.errors, "reason",
                              "cancel_reason_required");

            } else {
                hd_ticket_validate_body(&j->edit.reason, "reason",
                                        &j->job.errors);
            }
            any = 1;
        }
    }

    if (!any && j->job.errors.n == 0) {
        hd_errors_add(&j->job.errors, NULL, "nothing_to_change");
    }

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_staff_ticket_page);
    }

    if (ngx_http_helpdesk_input_number(ctx, "version") == -2) {
        return ngx_http_helpdesk_error(r, ctx, 422, "version_invalid",
                                       "version");
    }

    j->edit.version = ngx_http_helpdesk_input_version(ctx);

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_staff_edit_work,
                                     ngx_http_helpdesk_staff_edit_done, j);
}


ngx_int_t
ngx_http_helpdesk_staff_edit(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_staff_change(r, ctx, 0);
}


/* "Take": the caller becomes the owner */
ngx_int_t
ngx_http_helpdesk_staff_take(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_staff_change(r, ctx, 1);
}

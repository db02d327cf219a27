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


/* the page's own parts: what the forms offer, what the reader's request
   sent back, the help beside the thread */
static ngx_int_t
ngx_http_helpdesk_staff_ticket_parts(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_val_t *page, void *data)
{
    hd_txn_t                         txn;
    hd_val_t                        *list, *first, *customer;
    hd_str_t                         none = hd_null_string;
    hd_err_t                         err;
    ngx_int_t                        rc;
    hd_pool_t                       *pool = &ctx->pool;
    hd_ticket_t                      t;
    const hd_val_t                  *number, *body, *name;
    ngx_http_helpdesk_ticket_view_t  *sp = data;
    hd_val_t                        *view = sp->view;

    static const char  *echo[] = { "body", "reason", NULL };

    ngx_http_helpdesk_view_form(r, ctx, page, echo, sp->errors);

    hd_val_set_cstr(pool, page, "live_path", "staff/");
    hd_val_set_int(pool, page, "files_max", ctx->mcf->tickets.files_max);
    hd_val_set_int(pool, page, "file_max_mb",
                   (int64_t) (ctx->mcf->tickets.file_max / (1024 * 1024)));

    number = hd_val_get(view, "number", 6);

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (number == NULL
        || hd_ticket_get(&txn, (uint64_t) number->u.integer, &t) != HD_OK)
    {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* an activation request: who it names, and the approval */
    ngx_http_helpdesk_activation_view(ctx, &txn, &t, page);

    /* what may help the agent: articles, internal ones too */
    first = hd_val_get(view, "messages", 8);
    body = first != NULL && first->u.items.head != NULL
           ? hd_val_get(first->u.items.head->val, "body", 4) : NULL;

    list = hd_val_list(pool);
    (void) ngx_http_helpdesk_kb_suggestions(ctx, &txn, &t.subject,
                                            body ? &body->u.str : &none,
                                            list, NULL, 0);
    hd_val_set(pool, page, "kb_for_staff", list);
    hd_val_set_bool(pool, page, "has_kb_for_staff", list->u.items.n > 0);

    ngx_http_helpdesk_form_shown(ctx, &txn, &t, page);

    rc = ngx_http_helpdesk_form_edit_groups(ctx, &txn, &t, page,
                                            sp->errors);
    if (rc != NGX_OK) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_val_set(pool, page, "category_options",
               ngx_http_helpdesk_category_choices(ctx, &txn, NULL, NULL,
                                                  t.category));

    /* the canned replies, and one chosen (?macro=ID) in the reply form */
    customer = hd_val_get(view, "customer", 8);
    name = customer != NULL && customer->type == HD_VAL_MAP
           ? hd_val_get(customer, "name", 4) : NULL;
    ngx_http_helpdesk_macro_offer(r, ctx, &txn, page, &t,
                                  name != NULL ? &name->u.str
                                               : &ctx->caller.account->name);

    hd_txn_abort(&txn);

    return NGX_OK;
}


/*
 * The staff's ticket page and the API's staff ticket: one view
 * (hd_view_staff_ticket), the page's forms beside it
 */
ngx_int_t
ngx_http_helpdesk_staff_ticket_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    return ngx_http_helpdesk_ticket_view_send(r, ctx, hd_view_staff_ticket,
               "pages/staff_ticket", ngx_http_helpdesk_staff_ticket_parts,
               errors, status);
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

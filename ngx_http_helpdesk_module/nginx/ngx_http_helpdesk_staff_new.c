/*
 * What staff register for customers (a phone call, an e-mail): the search
 * of the customer (e-mail, login, certificate number, name), the ticket
 * form on their behalf with their certificates; and the satisfaction
 * report (SPEC §5.6).
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_company.h"
#include "hd_date.h"
#include "hd_product.h"
#include "hd_report.h"
#include "hd_staff.h"
#include "hd_ticket_customer.h"
#include "hd_ticket_staff.h"


#define NGX_HTTP_HELPDESK_CUSTOMERS_MAX  20


/* --- the customer --------------------------------------------------------- */


static void
ngx_http_helpdesk_customer_jw(hd_txn_t *txn, ngx_http_helpdesk_ctx_t *ctx,
    const hd_account_t *a, hd_jw_t *w)
{
    size_t             i, n;
    hd_company_t       company;
    hd_ticket_cert_t  *tc;

    hd_jw_object(w);
    hd_jw_key(w, "id");
    hd_jw_int(w, (int64_t) a->id);
    ngx_http_helpdesk_jw_kstr(w, "name", &a->name);
    ngx_http_helpdesk_jw_kstr(w, "login", &a->login);
    ngx_http_helpdesk_jw_kstr(w, "email", &a->email);
    ngx_http_helpdesk_jw_kopt(w, "phone", &a->phone);
    ngx_http_helpdesk_jw_kopt(w, "organisation", &a->organisation);

    hd_jw_key(w, "company");
    if (a->company && hd_company_get(txn, a->company, &company) == HD_OK) {
        hd_jw_str(w, company.name.data, company.name.len);

    } else {
        hd_jw_null(w);
    }

    hd_jw_key(w, "certificates");
    hd_jw_array(w);

    if (hd_ticket_certificates(txn, a, hd_date_today(ngx_time()), &ctx->pool,
                               &tc, &n)
        == HD_OK)
    {
        for (i = 0; i < n; i++) {
            hd_jw_object(w);
            ngx_http_helpdesk_jw_kstr(w, "number", &tc[i].cert.number);
            ngx_http_helpdesk_jw_kstr(w, "product", &tc[i].product);
            hd_jw_key(w, "unclosed");
            hd_jw_int(w, (int64_t) tc[i].unclosed);
            hd_jw_key(w, "limit");
            hd_jw_int(w, tc[i].type.ticket_limit);
            hd_jw_end(w, '}');
        }
    }

    hd_jw_end(w, ']');
    hd_jw_end(w, '}');
}


/* GET /api/v1/staff/customers?q=: who is calling */
ngx_int_t
ngx_http_helpdesk_staff_customers(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                   i, n;
    hd_err_t                 err;
    hd_txn_t                 txn;
    hd_str_t                 q;
    ngx_int_t                rc;
    hd_account_t            *list;
    ngx_http_helpdesk_jw_t  *j;

    rc = ngx_http_helpdesk_arg_text(r, "q", 200, &q);

    if (rc != NGX_OK) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                       rc == NGX_DECLINED ? "query_required"
                                                          : "text_invalid",
                                       "q");
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (hd_staff_find_customers(&txn, &q, &ctx->pool, &list, &n,
                                NGX_HTTP_HELPDESK_CUSTOMERS_MAX)
        != HD_OK)
    {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j = ngx_http_helpdesk_jw_new(r);
    if (j == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_jw_object(&j->w);
    hd_jw_key(&j->w, "customers");
    hd_jw_array(&j->w);

    for (i = 0; i < n; i++) {
        ngx_http_helpdesk_customer_jw(&txn, ctx, &list[i], &j->w);
    }

    hd_jw_end(&j->w, ']');
    hd_jw_end(&j->w, '}');

    hd_txn_abort(&txn);

    return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
}


/* the customer the form is for: ?customer= or the posted field */
static uint64_t
ngx_http_helpdesk_customer_arg(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int64_t    n;
    ngx_str_t  arg;

    n = ngx_http_helpdesk_input_number(ctx, "customer");

    if (n > 0) {
        return (uint64_t) n;
    }

    if (ngx_http_arg(r, (u_char *) "customer", 8, &arg) == NGX_OK
        && arg.len && arg.len < 16 && ngx_atoof(arg.data, arg.len) > 0)
    {
        return (uint64_t) ngx_atoof(arg.data, arg.len);
    }

    return 0;
}


/*
 * The form: the search, its results, and for the customer chosen the
 * ticket's fields with their certificates
 */
static ngx_int_t
ngx_http_helpdesk_staff_new_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    size_t              i, n, np;
    uint64_t            id;
    hd_err_t            err;
    hd_txn_t            txn;
    hd_str_t            q, chosen;
    hd_val_t           *view, *list, *item;
    hd_pool_t          *pool = &ctx->pool;
    ngx_int_t           rc;
    hd_account_t       *found, a;
    hd_company_t        company;
    hd_product_t       *products;
    hd_ticket_cert_t   *tc;

    static const char  *echo[] = {
        "subject", "description", "product_version", "os_version", NULL
    };

    view = ngx_http_helpdesk_view(r, ctx, "staff.new_title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);

    rc = ngx_http_helpdesk_arg_text(r, "q", 200, &q);
    if (rc == NGX_ERROR) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                       "text_invalid", "q");
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (q.len) {
        hd_val_set_str(pool, view, "q", q.data, q.len);

        if (hd_staff_find_customers(&txn, &q, pool, &found, &n,
                                    NGX_HTTP_HELPDESK_CUSTOMERS_MAX)
            != HD_OK)
        {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        list = hd_val_list(pool);

        for (i = 0; i < n; i++) {
            item = hd_val_map(pool);
            hd_val_set_int(pool, item, "id", (int64_t) found[i].id);
            hd_val_set_str(pool, item, "name", found[i].name.data,
                           found[i].name.len);
            hd_val_set_str(pool, item, "email", found[i].email.data,
                           found[i].email.len);
            hd_val_set_str(pool, item, "login", found[i].login.data,
                           found[i].login.len);
            hd_val_push(pool, list, item);
        }

        hd_val_set(pool, view, "found", list);
        hd_val_set_bool(pool, view, "searched", 1);
        hd_val_set_bool(pool, view, "none_found", n == 0);
    }

    id = ngx_http_helpdesk_customer_arg(r, ctx);

    if (id != 0 && hd_account_get(&txn, id, &a) == HD_OK
        && a.state != HD_ACCOUNT_DISABLED)
    {
        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "id", (int64_t) a.id);
        hd_val_set_str(pool, item, "name", hd_pstrdup(pool, a.name.data,
                                                      a.name.len),
                       a.name.len);
        hd_val_set_str(pool, item, "email", hd_pstrdup(pool, a.email.data,
                                                       a.email.len),
                       a.email.len);

        if (a.company && hd_company_get(&txn, a.company, &company) == HD_OK) {
            hd_val_set_str(pool, item, "company",
                           hd_pstrdup(pool, company.name.data,
                                      company.name.len),
                           company.name.len);
        }

        hd_val_set(pool, view, "customer", item);

        if (hd_ticket_certificates(&txn, &a, hd_date_today(ngx_time()), pool,
                                   &tc, &n)
            != HD_OK)
        {
            n = 0;
        }

        (void) ngx_http_helpdesk_input_str(ctx, "certificate", &chosen);
        list = hd_val_list(pool);

        for (i = 0; i < n; i++) {
            item = ngx_http_helpdesk_cert_choice(pool, &tc[i]);
            hd_val_set_bool(pool, item, "selected",
                            chosen.data != NULL
                            && chosen.len == tc[i].cert.number.len
                            && ngx_strncmp(chosen.data,
                                           tc[i].cert.number.data,
                                           chosen.len) == 0);
            hd_val_push(pool, list, item);
        }

        hd_val_set(pool, view, "certificates", list);

        products = NULL;
        np = 0;
        (void) hd_product_list(&txn, pool, &products, &np);
        (void) ngx_http_helpdesk_input_str(ctx, "product", &chosen);
        list = hd_val_list(pool);

        for (i = 0; i < np; i++) {
            item = hd_val_map(pool);
            hd_val_set_int(pool, item, "id", (int64_t) products[i].id);
            hd_val_set_str(pool, item, "name", products[i].name.data,
                           products[i].name.len);
            hd_val_set_bool(pool, item, "selected",
                            chosen.data != NULL && chosen.len
                            && ngx_atoof(chosen.data, chosen.len)
                               == (off_t) products[i].id);
            hd_val_push(pool, list, item);
        }

        hd_val_set(pool, view, "products", list);

        (void) ngx_http_helpdesk_input_str(ctx, "category", &chosen);
        hd_val_set(pool, view, "categories",
                   ngx_http_helpdesk_category_choices(ctx, &txn, &chosen,
                                                      "technical", -1));
        (void) ngx_http_helpdesk_input_str(ctx, "type", &chosen);
        hd_val_set(pool, view, "types",
                   ngx_http_helpdesk_choices(ctx, NGX_HTTP_HELPDESK_L_TYPE,
                                             &chosen, "consultation"));
        (void) ngx_http_helpdesk_input_str(ctx, "severity", &chosen);
        hd_val_set(pool, view, "severities",
                   ngx_http_helpdesk_choices(ctx,
                                             NGX_HTTP_HELPDESK_L_SEVERITY,
                                             &chosen, "3"));
        (void) ngx_http_helpdesk_input_str(ctx, "channel", &chosen);
        hd_val_set_bool(pool, view, "channel_email",
                        chosen.data != NULL && hd_str_eq(&chosen, "email"));
    }

    /* the extra fields of each category's and type's form */
    if (ngx_http_helpdesk_form_groups(ctx, &txn, view, errors) != NGX_OK) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_txn_abort(&txn);

    hd_val_set_int(pool, view, "files_max", ctx->mcf->tickets.files_max);
    hd_val_set_int(pool, view, "file_max_mb",
                   (int64_t) (ctx->mcf->tickets.file_max / (1024 * 1024)));

    return ngx_http_helpdesk_render(r, ctx, "pages/staff_ticket_new", view,
                                    status);
}


ngx_int_t
ngx_http_helpdesk_staff_new_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_staff_new_page(r, ctx, NULL, NGX_HTTP_OK);
}


typedef struct {
    ngx_http_helpdesk_job_t          job;
    hd_ticket_input_t                in;
    hd_ticket_t                      t;
    uint64_t                         customer;
    ngx_http_helpdesk_upload_t      *uploads;
    ngx_uint_t                       nuploads;
    hd_upload_t                     *files;
} ngx_http_helpdesk_staff_new_job_t;


static void
ngx_http_helpdesk_staff_create_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_staff_new_job_t  *j = data;

    j->in.files = j->files;
    j->in.nfiles = j->nuploads;

    if (j->nuploads) {
        j->job.rc = ngx_http_helpdesk_store_uploads(&j->job.portal,
                                                    j->uploads, j->nuploads,
                                                    j->files, &j->job.err);
        if (j->job.rc != HD_OK) {
            return;
        }
    }

    j->job.rc = hd_ticket_create(&j->job.portal, j->customer, &j->in,
                                 j->job.now, &j->t, &j->job.errors,
                                 &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_staff_create_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_staff_new_job_t  *j = data;

    u_char  path[64];

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_staff_new_page);
    }

    if (ctx->api) {
        return ngx_http_helpdesk_send_json(r, NGX_HTTP_CREATED,
                   json_pack("{s:I, s:s, s:s, s:I, s:s, s:I}",
                             "number", (json_int_t) j->t.number,
                             "status",
                             hd_status_names[j->t.status % HD_STATUS_COUNT],
                             "priority",
                             hd_priority_names[j->t.priority
                                               % HD_PRIORITY_COUNT],
                             "department_id", (json_int_t) j->t.department,
                             "channel",
                             hd_channel_names[j->t.channel
                                              % HD_CHANNEL_COUNT],
                             "customer", (json_int_t) j->customer));
    }

    ngx_sprintf(path, "staff/tickets/%uL%Z", j->t.number);

    return ngx_http_helpdesk_go(r, ctx, (char *) path, "ticket_registered");
}


/*
 * A ticket for a customer (SPEC §5.1 channel phone or email): the
 * customer's certificates and limits hold as if they wrote it; the audit
 * says which staff member registered it
 */
ngx_int_t
ngx_http_helpdesk_staff_create(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int64_t                             n;
    hd_str_t                            v[7];
    ngx_http_helpdesk_staff_new_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "subject", 4 * HD_SUBJECT_MAX_CHARS, 0 },
        { "description", 4 * HD_BODY_MAX_CHARS, 0 },
        { "certificate", 256, 0 },
        { "product", 4 * HD_PRODUCT_NAME_MAX, 0 },
        { "product_version", 4 * HD_VERSION_MAX_CHARS, 0 },
        { "os_version", 4 * HD_VERSION_MAX_CHARS, 0 },
        { "channel", 16, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->uploads = ctx->uploads;
    j->nuploads = ctx->nuploads;

    if (j->nuploads) {
        j->files = ngx_pcalloc(r->pool, j->nuploads * sizeof(hd_upload_t));
        if (j->files == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    hd_ticket_input_init(&j->in);

    j->customer = ngx_http_helpdesk_customer_arg(r, ctx);
    j->in.subject = v[0];
    j->in.description = v[1];
    j->in.certificate = v[2];
    j->in.product = v[3];
    j->in.product_version = v[4];
    j->in.os_version = v[5];
    j->in.by = ctx->caller.account->id;
    j->in.channel = HD_CHANNEL_PHONE;

    if (v[6].len) {
        if (hd_str_eq(&v[6], "email")) {
            j->in.channel = HD_CHANNEL_EMAIL;

        } else if (!hd_str_eq(&v[6], "phone")) {
            hd_errors_add(&j->job.errors, "channel", "channel_invalid");
        }
    }

    if (j->customer == 0) {
        hd_errors_add(&j->job.errors, "customer", "customer_required");
    }

    j->in.category = ngx_http_helpdesk_input_category(ctx, 1);
    j->in.type = ngx_http_helpdesk_input_choice(ctx, "type",
                                                hd_ticket_type_names,
                                                HD_TYPE_COUNT);
    n = ngx_http_helpdesk_input_number(ctx, "severity");
    j->in.severity = n == -1 ? -1 : (n < 0 || n > 100) ? -2 : (int) n;
    j->in.premium = ngx_http_helpdesk_input_bool(ctx, "premium");

    hd_ticket_validate(&j->in, &j->job.errors);

    /* the extra fields of its category's and type's form, as the
       customer's form asks them */
    if (ngx_http_helpdesk_form_input(ctx, j->in.category, j->in.type,
                                     &j->in.fields, &j->job.errors)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_staff_new_page);
    }

    return ngx_http_helpdesk_offload(r, ctx,
                                     ngx_http_helpdesk_staff_create_work,
                                     ngx_http_helpdesk_staff_create_done, j);
}


/* --- satisfaction --------------------------------------------------------- */


/* ?from=YYYY-MM-DD&to=YYYY-MM-DD (to included): instants, 0 when absent */
static ngx_int_t
ngx_http_helpdesk_day_arg(ngx_http_request_t *r, const char *name,
    int end, uint64_t *t)
{
    int32_t    day;
    ngx_str_t  arg;

    *t = 0;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &arg) != NGX_OK
        || arg.len == 0)
    {
        return NGX_OK;
    }

    if (hd_date_parse(arg.data, arg.len, &day) != 0) {
        return NGX_ERROR;
    }

    *t = (uint64_t) (day + (end ? 1 : 0)) * 86400;

    return NGX_OK;
}


static void
ngx_http_helpdesk_report_row_jw(hd_jw_t *w, const hd_report_row_t *row)
{
    char  avg[16];

    hd_jw_key(w, "ratings");
    hd_jw_int(w, (int64_t) row->ratings);
    hd_jw_key(w, "average");

    if (row->ratings) {
        snprintf(avg, sizeof(avg), "%.2f",
                 (double) row->stars / (double) row->ratings);
        hd_jw_raw(w, avg, ngx_strlen(avg));

    } else {
        hd_jw_null(w);
    }

    hd_jw_key(w, "low");
    hd_jw_int(w, (int64_t) row->low);
}


static hd_val_t *
ngx_http_helpdesk_report_row_view(ngx_http_helpdesk_ctx_t *ctx,
    const hd_report_row_t *row, const hd_str_t *name)
{
    char        avg[16];
    hd_val_t   *item;
    hd_pool_t  *pool = &ctx->pool;

    item = hd_val_map(pool);

    if (name != NULL) {
        hd_val_set_str(pool, item, "name", name->data, name->len);
    }

    hd_val_set_int(pool, item, "ratings", (int64_t) row->ratings);
    hd_val_set_int(pool, item, "low", (int64_t) row->low);

    if (row->ratings) {
        snprintf(avg, sizeof(avg), "%.2f",
                 (double) row->stars / (double) row->ratings);
        hd_val_set_str(pool, item, "average",
                       hd_pstrdup(pool, avg, ngx_strlen(avg)),
                       ngx_strlen(avg));
    }

    return item;
}


/* GET /staff/reports, /api/v1/staff/reports/satisfaction */
ngx_int_t
ngx_http_helpdesk_staff_reports(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    char                               month[8];
    size_t                             i;
    uint64_t                           from, to;
    hd_err_t                           err;
    hd_txn_t                           txn;
    hd_str_t                           s, *name;
    hd_val_t                          *view, *list, *item;
    hd_jw_t                           *w;
    ngx_int_t                          rc;
    hd_pool_t                         *pool = &ctx->pool;
    hd_report_t                        rep;
    hd_staff_scope_t                   scope;
    ngx_http_helpdesk_jw_t            *j;
    ngx_http_helpdesk_ticket_names_t   names;

    if (ngx_http_helpdesk_day_arg(r, "from", 0, &from) != NGX_OK
        || ngx_http_helpdesk_day_arg(r, "to", 1, &to) != NGX_OK)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                       "date_invalid",
                                       from == 0 ? "from" : "to");
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (hd_staff_scope(&txn, ctx->caller.account, &scope) != HD_OK
        || hd_report_satisfaction(&txn, &scope, from, to, pool, &rep)
           != HD_OK)
    {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&names, sizeof(names));
    names.txn = &txn;
    names.pool = pool;

    if (ctx->api) {
        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        w = &j->w;
        hd_jw_object(w);
        hd_jw_key(w, "all");
        hd_jw_object(w);
        ngx_http_helpdesk_report_row_jw(w, &rep.all);
        hd_jw_end(w, '}');

        hd_jw_key(w, "agents");
        hd_jw_array(w);

        for (i = 0; i < rep.nagents; i++) {
            hd_jw_object(w);
            hd_jw_key(w, "id");
            if (rep.agents[i].id) {
                hd_jw_int(w, (int64_t) rep.agents[i].id);

            } else {
                hd_jw_null(w);
            }

            ngx_http_helpdesk_jw_kopt(w, "name",
                ngx_http_helpdesk_account_name(&names, rep.agents[i].id));
            ngx_http_helpdesk_report_row_jw(w, &rep.agents[i]);
            hd_jw_end(w, '}');
        }

        hd_jw_end(w, ']');
        hd_jw_key(w, "departments");
        hd_jw_array(w);

        for (i = 0; i < rep.ndepartments; i++) {
            hd_jw_object(w);
            hd_jw_key(w, "id");
            hd_jw_int(w, (int64_t) rep.departments[i].id);
            ngx_http_helpdesk_jw_kstr(w, "name",
                ngx_http_helpdesk_department_name(&names,
                                                  rep.departments[i].id));
            ngx_http_helpdesk_report_row_jw(w, &rep.departments[i]);
            hd_jw_end(w, '}');
        }

        hd_jw_end(w, ']');
        hd_jw_key(w, "months");
        hd_jw_array(w);

        for (i = 0; i < rep.nmonths; i++) {
            hd_jw_object(w);
            snprintf(month, sizeof(month), "%04d-%02d",
                     (int) (rep.months[i].id / 100),
                     (int) (rep.months[i].id % 100));
            hd_jw_key(w, "month");
            hd_jw_cstr(w, month);
            ngx_http_helpdesk_report_row_jw(w, &rep.months[i]);
            hd_jw_end(w, '}');
        }

        hd_jw_end(w, ']');
        hd_jw_key(w, "tickets");
        hd_jw_array(w);

        for (i = 0; i < rep.nrecent; i++) {
            hd_jw_object(w);
            hd_jw_key(w, "number");
            hd_jw_int(w, (int64_t) rep.recent[i].number);
            ngx_http_helpdesk_jw_kstr(w, "subject", &rep.recent[i].subject);
            hd_jw_key(w, "stars");
            hd_jw_int(w, rep.recent[i].rating);
            ngx_http_helpdesk_jw_kstr(w, "comment",
                                      &rep.recent[i].rating_comment);
            ngx_http_helpdesk_jw_kopt(w, "owner",
                ngx_http_helpdesk_account_name(&names, rep.recent[i].owner));
            ngx_http_helpdesk_jw_kstr(w, "department",
                ngx_http_helpdesk_department_name(&names,
                                                  rep.recent[i].department));
            hd_jw_key(w, "rated");
            ngx_http_helpdesk_jw_time(w, rep.recent[i].rated);
            hd_jw_end(w, '}');
        }

        hd_jw_end(w, ']');
        hd_jw_end(w, '}');

        hd_txn_abort(&txn);

        return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
    }

    view = ngx_http_helpdesk_view(r, ctx, "staff.reports_title");
    if (view == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_val_set(pool, view, "all",
               ngx_http_helpdesk_report_row_view(ctx, &rep.all, NULL));

    list = hd_val_list(pool);

    for (i = 0; i < rep.nagents; i++) {
        name = ngx_http_helpdesk_account_name(&names, rep.agents[i].id);
        hd_val_push(pool, list,
                    ngx_http_helpdesk_report_row_view(ctx, &rep.agents[i],
                                                      name));
    }

    hd_val_set(pool, view, "agents", list);

    list = hd_val_list(pool);

    for (i = 0; i < rep.ndepartments; i++) {
        name = ngx_http_helpdesk_department_name(&names,
                                                 rep.departments[i].id);
        hd_val_push(pool, list,
                    ngx_http_helpdesk_report_row_view(ctx,
                                                      &rep.departments[i],
                                                      name));
    }

    hd_val_set(pool, view, "departments", list);

    list = hd_val_list(pool);

    for (i = 0; i < rep.nmonths; i++) {
        snprintf(month, sizeof(month), "%04d-%02d",
                 (int) (rep.months[i].id / 100),
                 (int) (rep.months[i].id % 100));
        s.data = hd_pstrdup(pool, month, 7);
        s.len = 7;
        hd_val_push(pool, list,
                    ngx_http_helpdesk_report_row_view(ctx, &rep.months[i],
                                                      &s));
    }

    hd_val_set(pool, view, "months", list);

    list = hd_val_list(pool);

    for (i = 0; i < rep.nrecent; i++) {
        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "number", (int64_t) rep.recent[i].number);
        hd_val_set_str(pool, item, "subject", rep.recent[i].subject.data,
                       rep.recent[i].subject.len);
        hd_val_set_int(pool, item, "stars", rep.recent[i].rating);
        ngx_http_helpdesk_set_given(pool, item, "comment",
                                    &rep.recent[i].rating_comment);
        name = ngx_http_helpdesk_account_name(&names, rep.recent[i].owner);
        ngx_http_helpdesk_set_given(pool, item, "owner", name);
        hd_val_set(pool, item, "rated",
                   ngx_http_helpdesk_time_text(ctx, rep.recent[i].rated));
        hd_val_push(pool, list, item);
    }

    hd_val_set(pool, view, "recent", list);
    hd_val_set_bool(pool, view, "has_ratings", rep.all.ratings != 0);

    if (from) {
        char  text[11];

        hd_date_format((int32_t) (from / 86400), text);
        hd_val_set_str(pool, view, "from", hd_pstrdup(pool, text, 10), 10);
    }

    if (to) {
        char  text[11];

        hd_date_format((int32_t) (to / 86400 - 1), text);
        hd_val_set_str(pool, view, "to", hd_pstrdup(pool, text, 10), 10);
    }

    rc = ngx_http_helpdesk_render(r, ctx, "pages/staff_reports", view,
                                  NGX_HTTP_OK);
    hd_txn_abort(&txn);

    return rc;
}

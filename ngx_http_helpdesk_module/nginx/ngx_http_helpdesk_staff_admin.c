/*
 * Administration of the service (administrators): staff accounts (add,
 * roles, departments, disable, which ends their sessions), departments,
 * companies (view), and certificates (search by number or holder, view
 * the holder, revoke). HTML and API.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_auth.h"
#include "hd_certificate.h"
#include "hd_company.h"
#include "hd_date.h"
#include "hd_product.h"
#include "hd_staff.h"
#include "hd_store.h"
#include "hd_text.h"


#define NGX_HTTP_HELPDESK_COMPANIES_MAX  200


typedef struct {
    ngx_http_helpdesk_job_t   job;
    hd_account_input_t        in;
    hd_staff_input_t          staff;
    uint64_t                  id;
    uint64_t                  actor;
    hd_department_t           department;
} ngx_http_helpdesk_staff_admin_job_t;


static uint64_t
ngx_http_helpdesk_path_id(ngx_http_helpdesk_ctx_t *ctx)
{
    off_t  n;

    if (ctx->nargs == 0 || ctx->args[0].len > 15) {
        return 0;
    }

    n = ngx_atoof(ctx->args[0].data, ctx->args[0].len);

    return n > 0 ? (uint64_t) n : 0;
}


/*
 * The departments of a staff form: the API's "departments": [ids]; a
 * form's checkboxes department_<id> (with departments_set so that none
 * checked means none). *given: the field was there at all
 */
static ngx_int_t
ngx_http_helpdesk_input_departments(ngx_http_helpdesk_ctx_t *ctx,
    hd_staff_input_t *in, ngx_uint_t *given)
{
    size_t       i;
    json_t      *list, *item;
    const char  *key;
    off_t        id;

    *given = 0;
    in->n = 0;

    if (ctx->input == NULL) {
        return NGX_OK;
    }

    list = json_object_get(ctx->input, "departments");

    if (list != NULL) {
        if (!json_is_array(list)) {
            return NGX_ERROR;
        }

        *given = 1;

        json_array_foreach(list, i, item) {
            if (!json_is_integer(item) || json_integer_value(item) <= 0
                || in->n == HD_STAFF_DEPARTMENTS_MAX)
            {
                return NGX_ERROR;
            }

            in->departments[in->n++] = (uint64_t) json_integer_value(item);
        }

        return NGX_OK;
    }

    if (json_object_get(ctx->input, "departments_set") == NULL) {
        return NGX_OK;
    }

    *given = 1;

    json_object_foreach(ctx->input, key, item) {
        if (ngx_strncmp(key, "department_", 11) != 0) {
            continue;
        }

        id = ngx_atoof((u_char *) key + 11, ngx_strlen(key + 11));

        if (id <= 0 || in->n == HD_STAFF_DEPARTMENTS_MAX) {
            return NGX_ERROR;
        }

        in->departments[in->n++] = (uint64_t) id;
    }

    return NGX_OK;
}


/* --- staff accounts ------------------------------------------------------- */


static ngx_int_t ngx_http_helpdesk_admin_staff_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);


/* the form's echo and errors (a page's) */
static ngx_int_t
ngx_http_helpdesk_admin_staff_parts(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_val_t *page, void *data)
{
    static const char  *echo[] = { "login", "email", "name", NULL };

    ngx_http_helpdesk_view_form(r, ctx, page, echo, data);

    return NGX_OK;
}


/* GET admin/staff, api/v1/admin/staff: the staff with a form each, and the
   form to add one */
ngx_int_t
ngx_http_helpdesk_admin_staff(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_admin_staff_page(r, ctx, NULL, NGX_HTTP_OK);
}


static ngx_int_t
ngx_http_helpdesk_admin_staff_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    hd_err_t      err;
    hd_val_t     *view;
    hd_viewer_t   viewer;

    ngx_http_helpdesk_viewer(r, ctx, &viewer);
    hd_err_clear(&err);

    if (hd_view_admin_staff(ctx->mcf->store, &viewer, &ctx->pool, &view,
                            &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    return ngx_http_helpdesk_view_send(r, ctx, view, "pages/admin_staff",
                                       ngx_http_helpdesk_admin_staff_parts,
                                       errors, status);
}


static void
ngx_http_helpdesk_staff_add_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_staff_admin_job_t  *j = data;

    j->job.rc = hd_auth_register(&j->job.portal, &j->in, NULL, j->job.now,
                                 &j->id, NULL, &j->job.errors, &j->job.err);

    if (j->job.rc != HD_OK || !j->staff.set_departments) {
        return;
    }

    j->job.rc = hd_staff_update(&j->job.portal, 0, j->id, &j->staff,
                                j->job.now, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_staff_saved(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_staff_admin_job_t  *job = data;

    if (job->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &job->job,
                                            ngx_http_helpdesk_admin_staff_page);
    }

    /* the account as it is now */
    return ngx_http_helpdesk_saved(r, ctx, hd_view_admin_staff_member,
                                   job->id,
                                   ctx->nargs ? NGX_HTTP_OK : NGX_HTTP_CREATED,
                                   "admin/staff", "saved");
}


/* a staff account: login, e-mail, name, password, role, departments */
ngx_int_t
ngx_http_helpdesk_admin_staff_add(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int                                   role;
    hd_str_t                              v[5];
    ngx_uint_t                            given;
    ngx_http_helpdesk_staff_admin_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "login", 256, 0 },
        { "email", 1024, 0 },
        { "name", 1024, 0 },
        { "password", 1024, 1 },
        { "role", 32, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_account_input_init(&j->in);
    j->in.login = v[0];
    j->in.email = v[1];
    j->in.name = v[2];
    j->in.password = v[3];
    j->in.language = ctx->lang;

    role = v[4].len ? hd_role_from_name(v[4].data, v[4].len) : HD_ROLE_AGENT;

    if (role <= HD_ROLE_CUSTOMER) {
        hd_errors_add(&j->job.errors, "role", "role_invalid");
    }

    j->in.role = role;
    j->staff.role = -1;
    j->staff.disabled = -1;
    j->staff.kb_editor = -1;

    if (ngx_http_helpdesk_input_departments(ctx, &j->staff, &given)
        != NGX_OK)
    {
        hd_errors_add(&j->job.errors, "departments", "department_unknown");
    }

    j->staff.set_departments = given && j->staff.n;

    hd_account_validate(&j->in, 1, &j->job.errors);

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_admin_staff_page);
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_staff_add_work,
                                     ngx_http_helpdesk_staff_saved, j);
}


static void
ngx_http_helpdesk_staff_update_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_staff_admin_job_t  *j = data;

    j->job.rc = hd_staff_update(&j->job.portal, j->actor, j->id,
                                &j->staff, j->job.now, &j->job.err);
}


/* role, departments, disabled (which ends the account's sessions) */
ngx_int_t
ngx_http_helpdesk_admin_staff_update(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int                                   b;
    hd_str_t                              v[1];
    ngx_uint_t                            given;
    ngx_http_helpdesk_staff_admin_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "role", 32, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->id = ngx_http_helpdesk_path_id(ctx);

    if (j->id == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    j->staff.role = -1;
    j->staff.disabled = -1;
    j->staff.kb_editor = -1;

    if (v[0].len) {
        j->staff.role = hd_role_from_name(v[0].data, v[0].len);

        if (j->staff.role <= HD_ROLE_CUSTOMER) {
            hd_errors_add(&j->job.errors, "role", "role_invalid");
        }
    }

    /* a form's checkbox is there or not; the API's a boolean */
    if (ctx->api) {
        if (json_object_get(ctx->input, "disabled") != NULL) {
            b = ngx_http_helpdesk_input_bool(ctx, "disabled");
            if (b < 0) {
                hd_errors_add(&j->job.errors, "disabled", "boolean_invalid");
            }

            j->staff.disabled = b;
        }

    } else {
        j->staff.disabled = ngx_http_helpdesk_input_bool(ctx, "disabled") == 1;
        j->staff.kb_editor = ngx_http_helpdesk_input_bool(ctx, "kb_editor")
                             == 1;
    }

    if (ctx->api && json_object_get(ctx->input, "kb_editor") != NULL) {
        b = ngx_http_helpdesk_input_bool(ctx, "kb_editor");
        if (b < 0) {
            hd_errors_add(&j->job.errors, "kb_editor", "boolean_invalid");
        }

        j->staff.kb_editor = b;
    }

    if (ngx_http_helpdesk_input_departments(ctx, &j->staff, &given)
        != NGX_OK)
    {
        hd_errors_add(&j->job.errors, "departments", "department_unknown");
    }

    j->staff.set_departments = given;

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_admin_staff_page);
    }

    j->actor = ctx->caller.account->id;

    return ngx_http_helpdesk_offload(r, ctx,
                                     ngx_http_helpdesk_staff_update_work,
                                     ngx_http_helpdesk_staff_saved, j);
}


/* --- departments ---------------------------------------------------------- */


static ngx_int_t ngx_http_helpdesk_departments_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);


typedef struct {
    hd_val_t     *view;
    hd_errors_t  *errors;
} ngx_http_helpdesk_departments_page_t;


/* the form's echo and errors; an edit's form starts with the name as it is */
static ngx_int_t
ngx_http_helpdesk_departments_parts(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_val_t *page, void *data)
{
    ngx_http_helpdesk_departments_page_t  *dp = data;

    hd_val_t  *values, *name;

    static const char  *echo[] = { "name", NULL };

    ngx_http_helpdesk_view_form(r, ctx, page, echo, dp->errors);

    values = hd_val_get(page, "values", 6);
    name = hd_val_get_path(dp->view, "editing.name");

    if (values != NULL && name != NULL
        && hd_val_get(values, "name", 4) == NULL)
    {
        hd_val_set(&ctx->pool, values, "name", name);
    }

    return NGX_OK;
}


/* GET admin/departments[/{id}], api/v1/admin/departments */
ngx_int_t
ngx_http_helpdesk_admin_departments(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_departments_page(r, ctx, NULL, NGX_HTTP_OK);
}


static ngx_int_t
ngx_http_helpdesk_departments_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    uint64_t                              id;
    hd_err_t                              err;
    hd_viewer_t                           viewer;
    ngx_http_helpdesk_departments_page_t  dp;

    id = ngx_http_helpdesk_path_id(ctx);

    if (ctx->nargs && id == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    ngx_http_helpdesk_viewer(r, ctx, &viewer);
    hd_err_clear(&err);

    if (hd_view_admin_departments(ctx->mcf->store, &viewer, id, &ctx->pool,
                                  &dp.view, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    dp.errors = errors;

    return ngx_http_helpdesk_view_send(r, ctx, dp.view,
                                       "pages/admin_departments",
                                       ngx_http_helpdesk_departments_parts,
                                       &dp, status);
}


static hd_rc
ngx_http_helpdesk_department_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    ngx_http_helpdesk_staff_admin_job_t  *j = arg;

    hd_department_t  old;

    if (j->department.id != 0) {
        if (hd_department_get(txn, j->department.id, &old) != HD_OK) {
            return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                              "no such department");
        }

        j->department.created = old.created;
    }

    return hd_department_save(txn, &j->department, j->job.now, err);
}


static void
ngx_http_helpdesk_department_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_staff_admin_job_t  *j = data;

    j->job.rc = hd_txn_run(j->job.portal.store,
                           ngx_http_helpdesk_department_txn, j, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_department_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_staff_admin_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_departments_page);
    }

    return ngx_http_helpdesk_saved(r, ctx, hd_view_admin_department,
                                   j->department.id,
                                   ctx->nargs ? NGX_HTTP_OK : NGX_HTTP_CREATED,
                                   "admin/departments", "saved");
}


/* a department: its name, and whether it takes feedback */
ngx_int_t
ngx_http_helpdesk_admin_department_save(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int                                   feedback;
    hd_str_t                              v[1];
    hd_txn_t                              txn;
    hd_department_t                       old;
    ngx_http_helpdesk_staff_admin_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "name", 4 * 200, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->department.id = ngx_http_helpdesk_path_id(ctx);

    if (ctx->nargs && j->department.id == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    /* an edit starts from the department as it is */
    if (j->department.id) {
        if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                         NULL)
            != HD_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (hd_department_get(&txn, j->department.id, &old) != HD_OK) {
            hd_txn_abort(&txn);
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                           "not_found", NULL);
        }

        j->department.flags = old.flags;
        j->department.name.data = hd_pstrdup(&ctx->pool, old.name.data,
                                             old.name.len);
        j->department.name.len = old.name.len;
        hd_txn_abort(&txn);
    }

    if (v[0].data != NULL) {
        j->department.name = v[0];
    }

    if (j->department.name.data == NULL) {
        j->department.name.data = (hd_uchar *) "";
    }

    hd_errors_text(&j->job.errors, "name", &j->department.name, 200,
                   "name_required", "name_invalid", "name_too_long");

    /* the API says feedback only when it changes; a form always */
    feedback = (ctx->api && json_object_get(ctx->input, "feedback") == NULL)
               ? -1 : ngx_http_helpdesk_input_bool(ctx, "feedback");

    if (feedback == -2) {
        hd_errors_add(&j->job.errors, "feedback", "boolean_invalid");

    } else if (feedback == 1) {
        j->department.flags |= HD_DEPARTMENT_FEEDBACK;

    } else if (feedback == 0) {
        j->department.flags &= ~HD_DEPARTMENT_FEEDBACK;
    }

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_departments_page);
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_department_work,
                                     ngx_http_helpdesk_department_done, j);
}


/* --- companies ------------------------------------------------------------ */


/* the companies, by a part of the name (case folded), at most max */
static hd_rc
ngx_http_helpdesk_companies_find(hd_txn_t *txn, hd_pool_t *pool,
    const hd_str_t *q, hd_company_t **list, size_t *n, size_t max)
{
    hd_rc          rc;
    hd_str_t       k, v;
    hd_uchar      *lower, name[4 * HD_COMPANY_NAME_MAX];
    hd_cursor_t    cur;
    hd_company_t   c;

    *n = 0;
    *list = hd_palloc(pool, max * sizeof(hd_company_t));
    lower = q->len ? hd_text_lower(pool, q->data, q->len) : NULL;

    if (*list == NULL || (q->len && lower == NULL)) {
        return HD_NOMEM;
    }

    rc = hd_cursor_open(txn, HD_DB_COMPANIES, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK && *n < max;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_company_desc, v.data, v.len, &c) != HD_OK
            || c.name.len > sizeof(name))
        {
            continue;
        }

        if (q->len) {
            hd_text_lower_into(name, c.name.data, c.name.len);

            if (c.name.len < q->len
                || ngx_strnstr(name, (char *) lower, c.name.len) == NULL)
            {
                continue;
            }
        }

        c.name.data = hd_pstrdup(pool, c.name.data, c.name.len);
        (*list)[(*n)++] = c;
    }

    hd_cursor_close(&cur);

    return HD_OK;
}


/* GET /admin/companies[?q=], /admin/companies/{id}: members, certificates */
ngx_int_t
ngx_http_helpdesk_admin_companies(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    char                     from[11], until[11];
    size_t                   i, n, nm, nc;
    uint64_t                 id;
    hd_err_t                 err;
    hd_txn_t                 txn;
    hd_str_t                 q;
    hd_val_t                *view, *list, *item;
    hd_jw_t                 *w;
    ngx_int_t                rc;
    hd_pool_t               *pool = &ctx->pool;
    hd_company_t            *companies, company;
    hd_member_info_t        *members = NULL;
    hd_certificate_t        *certs = NULL;
    ngx_http_helpdesk_jw_t  *j;

    id = ngx_http_helpdesk_path_id(ctx);

    /* /companies/abc (0, -1, 2^64) names no company: not the list */
    if (ctx->nargs && id == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    if (ngx_http_helpdesk_arg_text(r, "q", 200, &q) == NGX_ERROR) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                       "text_invalid", "q");
    }

    if (q.data == NULL) {
        q.data = (hd_uchar *) "";
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    nm = nc = 0;

    if (id) {
        if (hd_company_get(&txn, id, &company) != HD_OK) {
            hd_txn_abort(&txn);
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                           "not_found", NULL);
        }

        (void) hd_company_members(&txn, id, pool, &members, &nm);
        (void) hd_cert_list_holder(&txn, HD_HOLDER_COMPANY, id, pool, &certs,
                                   &nc);
        companies = &company;
        n = 1;

    } else if (ngx_http_helpdesk_companies_find(&txn, pool, &q, &companies,
                                                &n,
                                                NGX_HTTP_HELPDESK_COMPANIES_MAX)
               != HD_OK)
    {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->api) {
        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        w = &j->w;
        hd_jw_object(w);

        if (!id) {
            hd_jw_key(w, "companies");
            hd_jw_array(w);
        }

        for (i = 0; i < n; i++) {
            if (!id) {
                hd_jw_object(w);
            }

            hd_jw_key(w, "id");
            hd_jw_int(w, (int64_t) companies[i].id);
            ngx_http_helpdesk_jw_kstr(w, "name", &companies[i].name);
            hd_jw_key(w, "owner");
            hd_jw_int(w, (int64_t) companies[i].owner);
            hd_jw_key(w, "created");
            ngx_http_helpdesk_jw_time(w, companies[i].created);

            if (!id) {
                hd_jw_end(w, '}');
            }
        }

        if (!id) {
            hd_jw_end(w, ']');

        } else {
            hd_jw_key(w, "members");
            hd_jw_array(w);

            for (i = 0; i < nm; i++) {
                hd_jw_object(w);
                hd_jw_key(w, "id");
                hd_jw_int(w, (int64_t) members[i].member.account);
                ngx_http_helpdesk_jw_kstr(w, "name", &members[i].name);
                ngx_http_helpdesk_jw_kstr(w, "email", &members[i].email);
                hd_jw_key(w, "role");
                hd_jw_cstr(w, hd_member_role_names[members[i].member.role
                                                   % HD_MEMBER_ROLE_COUNT]);
                hd_jw_end(w, '}');
            }

            hd_jw_end(w, ']');
            hd_jw_key(w, "certificates");
            hd_jw_array(w);

            for (i = 0; i < nc; i++) {
                hd_jw_object(w);
                ngx_http_helpdesk_jw_kstr(w, "number", &certs[i].number);
                hd_jw_key(w, "state");
                hd_jw_cstr(w, hd_cert_state_names[hd_cert_state(
                                  &certs[i], hd_date_today(ngx_time()))]);
                hd_jw_end(w, '}');
            }

            hd_jw_end(w, ']');
        }

        hd_jw_end(w, '}');
        hd_txn_abort(&txn);

        return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
    }

    view = ngx_http_helpdesk_view(r, ctx, "admin.companies");
    if (view == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    list = hd_val_list(pool);
    item = NULL;

    for (i = 0; i < n; i++) {
        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "id", (int64_t) companies[i].id);
        hd_val_set_str(pool, item, "name", companies[i].name.data,
                       companies[i].name.len);
        hd_val_set(pool, item, "created",
                   ngx_http_helpdesk_time_text(ctx, companies[i].created));
        hd_val_push(pool, list, item);
    }

    hd_val_set(pool, view, id ? "company" : "companies",
               id ? item : list);
    hd_val_set_str(pool, view, "q", q.data, q.len);

    if (id) {
        list = hd_val_list(pool);

        for (i = 0; i < nm; i++) {
            item = hd_val_map(pool);
            hd_val_set_str(pool, item, "name", members[i].name.data,
                           members[i].name.len);
            hd_val_set_str(pool, item, "email", members[i].email.data,
                           members[i].email.len);
            hd_val_set_cstr(pool, item, "role",
                            hd_member_role_names[members[i].member.role
                                                 % HD_MEMBER_ROLE_COUNT]);
            hd_val_push(pool, list, item);
        }

        hd_val_set(pool, view, "members", list);

        list = hd_val_list(pool);

        for (i = 0; i < nc; i++) {
            item = hd_val_map(pool);
            hd_date_format((int32_t) certs[i].valid_from, from);
            hd_date_format((int32_t) certs[i].valid_until, until);
            hd_val_set_str(pool, item, "number", certs[i].number.data,
                           certs[i].number.len);
            hd_val_set_str(pool, item, "valid_from",
                           hd_pstrdup(pool, from, 10), 10);
            hd_val_set_str(pool, item, "valid_until",
                           hd_pstrdup(pool, until, 10), 10);
            hd_val_set_cstr(pool, item, "state",
                            hd_cert_state_names[hd_cert_state(
                                &certs[i], hd_date_today(ngx_time()))]);
            hd_val_push(pool, list, item);
        }

        hd_val_set(pool, view, "certificates", list);
    }

    rc = ngx_http_helpdesk_render(r, ctx, "pages/admin_companies", view,
                                  NGX_HTTP_OK);
    hd_txn_abort(&txn);

    return rc;
}


/* --- certificates --------------------------------------------------------- */


static void
ngx_http_helpdesk_cert_jw(hd_txn_t *txn, const hd_certificate_t *c,
    hd_jw_t *w)
{
    hd_account_t    a;
    hd_company_t    company;
    hd_cert_type_t  type;

    hd_jw_object(w);
    hd_jw_key(w, "id");
    hd_jw_int(w, (int64_t) c->id);
    ngx_http_helpdesk_jw_kstr(w, "number", &c->number);

    if (hd_cert_type_get(txn, c->type, &type) == HD_OK) {
        ngx_http_helpdesk_jw_kstr(w, "type", &type.name);
    }

    {
        char  from[11], until[11];

        hd_date_format((int32_t) c->valid_from, from);
        hd_date_format((int32_t) c->valid_until, until);
        hd_jw_key(w, "valid_from");
        hd_jw_str(w, from, 10);
        hd_jw_key(w, "valid_until");
        hd_jw_str(w, until, 10);
    }

    hd_jw_key(w, "state");
    hd_jw_cstr(w, hd_cert_state_names[hd_cert_state(c,
                                          hd_date_today(ngx_time()))]);
    hd_jw_key(w, "revoked");
    hd_jw_bool(w, c->revoked != 0);

    hd_jw_key(w, "holder");

    if (c->holder_kind == HD_HOLDER_ACCOUNT
        && hd_account_get(txn, c->holder, &a) == HD_OK)
    {
        hd_jw_object(w);
        hd_jw_key(w, "kind");
        hd_jw_cstr(w, "account");
        hd_jw_key(w, "id");
        hd_jw_int(w, (int64_t) a.id);
        ngx_http_helpdesk_jw_kstr(w, "name", &a.name);
        ngx_http_helpdesk_jw_kstr(w, "email", &a.email);
        hd_jw_end(w, '}');

    } else if (c->holder_kind == HD_HOLDER_COMPANY
               && hd_company_get(txn, c->holder, &company) == HD_OK)
    {
        hd_jw_object(w);
        hd_jw_key(w, "kind");
        hd_jw_cstr(w, "company");
        hd_jw_key(w, "id");
        hd_jw_int(w, (int64_t) company.id);
        ngx_http_helpdesk_jw_kstr(w, "name", &company.name);
        hd_jw_end(w, '}');

    } else {
        hd_jw_null(w);
    }

    hd_jw_end(w, '}');
}


/*
 * GET /api/v1/admin/certificates?q=: a number exactly, or the holder's
 * login or e-mail (their certificates)
 */
ngx_int_t
ngx_http_helpdesk_admin_cert_search(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                   i, n;
    hd_err_t                 err;
    hd_txn_t                 txn;
    hd_str_t                 q;
    hd_account_t             a;
    hd_certificate_t         c, *list;
    ngx_http_helpdesk_jw_t  *j;

    if (ngx_http_helpdesk_arg_text(r, "q", 200, &q) != NGX_OK) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                       q.data == NULL ? "query_required"
                                                      : "text_invalid",
                                       "q");
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    j = ngx_http_helpdesk_jw_new(r);
    if (j == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_jw_object(&j->w);
    hd_jw_key(&j->w, "certificates");
    hd_jw_array(&j->w);

    if (hd_cert_find(&txn, &q, &c) == HD_OK) {
        ngx_http_helpdesk_cert_jw(&txn, &c, &j->w);

    } else if (hd_account_find(&txn, q.data, q.len, &a) == HD_OK
               && hd_cert_list_holder(&txn, HD_HOLDER_ACCOUNT, a.id,
                                      &ctx->pool, &list, &n)
                  == HD_OK)
    {
        for (i = 0; i < n; i++) {
            ngx_http_helpdesk_cert_jw(&txn, &list[i], &j->w);
        }
    }

    hd_jw_end(&j->w, ']');
    hd_jw_end(&j->w, '}');
    hd_txn_abort(&txn);

    return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
}


static hd_rc
ngx_http_helpdesk_revoke_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    ngx_http_helpdesk_staff_admin_job_t  *j = arg;

    return hd_cert_revoke(txn, j->id, err);
}


static void
ngx_http_helpdesk_revoke_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_staff_admin_job_t  *j = data;

    j->job.rc = hd_txn_run(j->job.portal.store, ngx_http_helpdesk_revoke_txn,
                           j, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_revoke_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    hd_txn_t                              txn;
    hd_certificate_t                      c;
    ngx_http_helpdesk_jw_t               *w;
    ngx_http_helpdesk_staff_admin_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job, NULL);
    }

    if (!ctx->api) {
        return ngx_http_helpdesk_go(r, ctx, "admin/certificates", "revoked");
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, NULL)
        != HD_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    w = ngx_http_helpdesk_jw_new(r);

    if (w == NULL || hd_cert_get(&txn, j->id, &c) != HD_OK) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_cert_jw(&txn, &c, &w->w);
    hd_txn_abort(&txn);

    return ngx_http_helpdesk_jw_send(r, w, NGX_HTTP_OK);
}


/* a certificate no longer gives support; its tickets stay */
ngx_int_t
ngx_http_helpdesk_admin_cert_revoke(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_http_helpdesk_staff_admin_job_t  *j;

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->id = ngx_http_helpdesk_path_id(ctx);

    if (j->id == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_revoke_work,
                                     ngx_http_helpdesk_revoke_done, j);
}

/*
 * Administration (administrators only): products, certificate types, and
 * issuing certificates (the activation code shown once). HTML and API.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_certificate.h"
#include "hd_company.h"
#include "hd_date.h"
#include "hd_product.h"
#include "hd_text.h"


typedef struct {
    ngx_http_helpdesk_job_t   job;
    hd_product_t              product;
    hd_cert_type_t            type;
    hd_certificate_t          cert;
    int                       with_code;
    char                      number[HD_CERT_NUMBER_BUF];
    char                      code[HD_CERT_CODE_TEXT_LEN + 1];
} ngx_http_helpdesk_admin_job_t;


static ngx_int_t ngx_http_helpdesk_products_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);
static ngx_int_t ngx_http_helpdesk_types_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);
static ngx_int_t ngx_http_helpdesk_issue_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);


/* the id in the path: 0 for the list's routes */
static uint64_t
ngx_http_helpdesk_admin_id(ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_int_t  n;

    if (ctx->nargs == 0) {
        return 0;
    }

    n = ngx_atoi(ctx->args[0].data, ctx->args[0].len);

    return n > 0 ? (uint64_t) n : (uint64_t) -1;
}


ngx_int_t
ngx_http_helpdesk_admin(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_render(r, ctx, "pages/admin",
                                    ngx_http_helpdesk_view(r, ctx,
                                                           "admin.title"),
                                    NGX_HTTP_OK);
}


/* --- products ------------------------------------------------------------- */


static json_t *
ngx_http_helpdesk_product_json(const hd_product_t *p)
{
    json_t          *versions;
    const hd_uchar  *s, *end, *nl;

    versions = json_array();

    for (s = p->versions.data, end = s + p->versions.len; s < end; s = nl + 1) {
        nl = memchr(s, '\n', end - s);
        if (nl == NULL) {
            nl = end;
        }

        if (nl > s) {
            json_array_append_new(versions, json_stringn((char *) s, nl - s));
        }
    }

    return json_pack("{s:I, s:s#, s:s#, s:o}", "id", (json_int_t) p->id,
                     "name", p->name.data, p->name.len,
                     "area", p->area.data ? (char *) p->area.data : "",
                     p->area.len, "versions", versions);
}


ngx_int_t
ngx_http_helpdesk_products(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t         i, n;
    json_t        *list;
    hd_txn_t       txn;
    hd_product_t  *products;

    if (!ctx->api) {
        return ngx_http_helpdesk_products_page(r, ctx, NULL, NGX_HTTP_OK);
    }

    list = json_array();

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, NULL)
        == HD_OK)
    {
        if (hd_product_list(&txn, &ctx->pool, &products, &n) == HD_OK) {
            for (i = 0; i < n; i++) {
                json_array_append_new(list,
                    ngx_http_helpdesk_product_json(&products[i]));
            }
        }

        hd_txn_abort(&txn);
    }

    return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
                                       json_pack("{s:o}", "products", list));
}


/* the list and the form to add one; with an id, the form to edit it */
static ngx_int_t
ngx_http_helpdesk_products_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    size_t         i, n;
    uint64_t       id;
    hd_txn_t       txn;
    hd_val_t      *view, *list, *item, *values;
    hd_pool_t     *pool = &ctx->pool;
    hd_product_t  *products;

    static const char  *echo[] = { "name", "versions", NULL };

    view = ngx_http_helpdesk_view(r, ctx, "admin.products");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);
    values = hd_val_get(view, "values", 6);
    id = ngx_http_helpdesk_admin_id(ctx);
    list = hd_val_list(pool);

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, NULL)
        == HD_OK)
    {
        if (hd_product_list(&txn, pool, &products, &n) == HD_OK) {
            for (i = 0; i < n; i++) {
                item = hd_val_map(pool);
                hd_val_set_int(pool, item, "id", products[i].id);
                hd_val_set_str(pool, item, "name", products[i].name.data,
                               products[i].name.len);
                hd_val_set_str(pool, item, "versions",
                               products[i].versions.data,
                               products[i].versions.len);
                hd_val_push(pool, list, item);

                /* the one being edited: its values unless a form came */
                if (products[i].id == id) {
                    hd_val_set(pool, view, "editing", item);

                    if (hd_val_get(values, "name", 4) == NULL) {
                        hd_val_set_str(pool, values, "name",
                                       products[i].name.data,
                                       products[i].name.len);
                        hd_val_set_str(pool, values, "versions",
                                       products[i].versions.data,
                                       products[i].versions.len);
                    }
                }
            }
        }

        hd_txn_abort(&txn);
    }

    if (id != 0 && hd_val_get(view, "editing", 7) == NULL) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    hd_val_set(pool, view, "products", list);

    return ngx_http_helpdesk_render(r, ctx, "pages/admin_products", view,
                                    status);
}


static hd_rc
ngx_http_helpdesk_product_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    ngx_http_helpdesk_admin_job_t  *j = arg;

    return hd_product_save(txn, &j->product, j->job.now, err);
}


static void
ngx_http_helpdesk_product_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_admin_job_t  *j = data;

    j->job.rc = hd_txn_run(j->job.portal.store,
                           ngx_http_helpdesk_product_txn, j, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_product_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    hd_product_t                    p;
    ngx_http_helpdesk_admin_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_products_page);
    }

    if (!ctx->api) {
        return ngx_http_helpdesk_go(r, ctx, "admin/products", "saved");
    }

    p = j->product;

    return ngx_http_helpdesk_send_json(r, ctx->nargs ? NGX_HTTP_OK
                                                     : NGX_HTTP_CREATED,
                                       ngx_http_helpdesk_product_json(&p));
}


ngx_int_t
ngx_http_helpdesk_product_save(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                          i;
    hd_str_t                        v[3];
    json_t                         *versions, *item;
    hd_buf_t                        buf;
    ngx_http_helpdesk_admin_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "name", 1000, 0 },
        { "versions", 8000, 0 },
        { "area", 1000, 0 },
        { NULL, 0, 0 }
    };

    /* the API gives versions as an array */
    versions = ctx->api && ctx->input ? json_object_get(ctx->input,
                                                        "versions")
                                      : NULL;

    /* JSON says what it means: a list is an array, not a text of lines */
    if (ctx->json && versions != NULL && !json_is_null(versions)
        && !json_is_array(versions))
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                       "list_invalid", "versions");
    }

    if (versions != NULL && json_is_array(versions)) {
        hd_buf_init(&buf);

        json_array_foreach(versions, i, item) {
            if (!json_is_string(item)) {
                hd_buf_free(&buf);
                return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                               "field_not_text", "versions");
            }

            hd_buf_printf(&buf, "%s%s", i ? "\n" : "",
                          json_string_value(item));
        }

        json_object_set_new(ctx->input, "versions",
                            json_stringn(buf.data ? (char *) buf.data : "",
                                         buf.len));
        hd_buf_free(&buf);
    }

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->product.id = ngx_http_helpdesk_admin_id(ctx);
    j->product.name = v[0];
    j->product.versions = v[1];
    j->product.area = v[2];

    /* an edit through the API may leave a field out: as it was */
    if (j->product.id != 0
        && (v[0].data == NULL || v[1].data == NULL || v[2].data == NULL))
    {
        hd_txn_t      txn;
        hd_product_t  old;

        if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                         NULL)
            != HD_OK
            || hd_product_get(&txn, j->product.id, &old) != HD_OK)
        {
            hd_txn_abort(&txn);
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                           "not_found", NULL);
        }

        if (v[0].data == NULL) {
            j->product.name.data = hd_pstrdup(&ctx->pool, old.name.data,
                                              old.name.len);
            j->product.name.len = old.name.len;
        }

        if (v[1].data == NULL) {
            j->product.versions.data = hd_pstrdup(&ctx->pool,
                                                  old.versions.data,
                                                  old.versions.len);
            j->product.versions.len = old.versions.len;
        }

        if (v[2].data == NULL) {
            j->product.area.data = hd_pstrdup(&ctx->pool, old.area.data,
                                              old.area.len);
            j->product.area.len = old.area.len;
        }

        hd_txn_abort(&txn);
    }

    if (j->product.versions.data == NULL) {
        j->product.versions.data = (hd_uchar *) "";
    }

    hd_product_validate(&j->product, &j->job.errors);

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_products_page);
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_product_work,
                                     ngx_http_helpdesk_product_done, j);
}


/* --- certificate types ---------------------------------------------------- */


static json_t *
ngx_http_helpdesk_type_json(const hd_cert_type_t *t)
{
    json_t  *premium;

    premium = t->premium_per_year == HD_PREMIUM_UNLIMITED
              ? json_string("unlimited")
              : json_integer(t->premium_per_year);

    return json_pack("{s:I, s:s#, s:I, s:i, s:s, s:i, s:s, s:o, s:I}",
                     "id", (json_int_t) t->id,
                     "name", t->name.data, t->name.len,
                     "product", (json_int_t) t->product,
                     "term_months", (int) t->term_months,
                     "kind", hd_cert_kind_names[t->kind % HD_CERT_KIND_COUNT],
                     "ticket_limit", (int) t->ticket_limit,
                     "level", hd_level_names[t->level % HD_LEVEL_COUNT],
                     "premium_per_year", premium,
                     "department", (json_int_t) t->department);
}


ngx_int_t
ngx_http_helpdesk_cert_types(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t           i, n;
    json_t          *list;
    hd_txn_t         txn;
    hd_cert_type_t  *types;

    if (!ctx->api) {
        return ngx_http_helpdesk_types_page(r, ctx, NULL, NGX_HTTP_OK);
    }

    list = json_array();

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, NULL)
        == HD_OK)
    {
        if (hd_cert_type_list(&txn, &ctx->pool, &types, &n) == HD_OK) {
            for (i = 0; i < n; i++) {
                json_array_append_new(list,
                                      ngx_http_helpdesk_type_json(&types[i]));
            }
        }

        hd_txn_abort(&txn);
    }

    return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
                                       json_pack("{s:o}", "cert_types",
                                                 list));
}


/* <option>s: ids and names, the selected one marked */
static hd_val_t *
ngx_http_helpdesk_options(hd_pool_t *pool, uint64_t selected, size_t n,
    size_t size, const void *records, size_t id_off, size_t name_off)
{
    size_t           i;
    uint64_t         id;
    hd_val_t        *list, *item;
    const hd_str_t  *name;
    const hd_uchar  *rec;

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        rec = (const hd_uchar *) records + i * size;
        id = *(const uint64_t *) (rec + id_off);
        name = (const hd_str_t *) (rec + name_off);

        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "id", id);
        hd_val_set_str(pool, item, "name", name->data, name->len);
        hd_val_set_bool(pool, item, "selected", id == selected);
        hd_val_push(pool, list, item);
    }

    return list;
}


static hd_val_t *
ngx_http_helpdesk_name_options(hd_pool_t *pool, const char **names, size_t n,
    size_t selected)
{
    size_t     i;
    hd_val_t  *list, *item;

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        item = hd_val_map(pool);
        hd_val_set_cstr(pool, item, "value", names[i]);
        hd_val_set_bool(pool, item, "selected", i == selected);
        hd_val_push(pool, list, item);
    }

    return list;
}


static ngx_int_t
ngx_http_helpdesk_types_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    size_t            i, n, np, nd;
    uint64_t          id;
    hd_txn_t          txn;
    hd_val_t         *view, *list, *item, *values;
    hd_pool_t        *pool = &ctx->pool;
    hd_product_t     *products = NULL;
    hd_cert_type_t   *types = NULL, current;
    hd_department_t  *departments = NULL;

    static const char  *echo[] = {
        "name", "term_months", "ticket_limit", "premium_per_year", NULL
    };

    view = ngx_http_helpdesk_view(r, ctx, "admin.cert_types");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);
    values = hd_val_get(view, "values", 6);
    id = ngx_http_helpdesk_admin_id(ctx);

    n = np = nd = 0;
    ngx_memzero(&current, sizeof(current));
    current.term_months = 12;
    current.ticket_limit = 2;

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, NULL)
        == HD_OK)
    {
        (void) hd_cert_type_list(&txn, pool, &types, &n);
        (void) hd_product_list(&txn, pool, &products, &np);
        (void) hd_department_list(&txn, pool, &departments, &nd);
        hd_txn_abort(&txn);
    }

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "id", types[i].id);
        hd_val_set_str(pool, item, "name", types[i].name.data,
                       types[i].name.len);
        hd_val_set_int(pool, item, "term_months", types[i].term_months);
        hd_val_set_int(pool, item, "ticket_limit", types[i].ticket_limit);
        hd_val_set_cstr(pool, item, "kind",
                        hd_cert_kind_names[types[i].kind
                                           % HD_CERT_KIND_COUNT]);
        hd_val_set_cstr(pool, item, "level",
                        hd_level_names[types[i].level % HD_LEVEL_COUNT]);
        hd_val_push(pool, list, item);

        if (types[i].id == id) {
            current = types[i];
            hd_val_set(pool, view, "editing", item);
        }
    }

    if (id != 0 && hd_val_get(view, "editing", 7) == NULL) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    /* the form shows what was sent, or the type edited, or defaults */
    if (hd_val_get(values, "name", 4) == NULL) {
        hd_val_set_str(pool, values, "name", current.name.data,
                       current.name.len);
        hd_val_set_int(pool, values, "term_months", current.term_months);
        hd_val_set_int(pool, values, "ticket_limit", current.ticket_limit);

        if (current.premium_per_year == HD_PREMIUM_UNLIMITED) {
            hd_val_set_cstr(pool, values, "premium_per_year", "unlimited");

        } else {
            hd_val_set_int(pool, values, "premium_per_year",
                           current.premium_per_year);
        }
    }

    hd_val_set(pool, view, "types", list);
    hd_val_set(pool, view, "product_options",
               ngx_http_helpdesk_options(pool, current.product, np,
                                         sizeof(hd_product_t), products,
                                         offsetof(hd_product_t, id),
                                         offsetof(hd_product_t, name)));
    hd_val_set(pool, view, "department_options",
               ngx_http_helpdesk_options(pool, current.department, nd,
                                         sizeof(hd_department_t),
                                         departments,
                                         offsetof(hd_department_t, id),
                                         offsetof(hd_department_t, name)));
    hd_val_set(pool, view, "kind_options",
               ngx_http_helpdesk_name_options(pool, hd_cert_kind_names,
                                              HD_CERT_KIND_COUNT,
                                              current.kind));
    hd_val_set(pool, view, "level_options",
               ngx_http_helpdesk_name_options(pool, hd_level_names,
                                              HD_LEVEL_COUNT,
                                              current.level));

    return ngx_http_helpdesk_render(r, ctx, "pages/admin_cert_types", view,
                                    status);
}


static hd_rc
ngx_http_helpdesk_type_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    ngx_http_helpdesk_admin_job_t  *j = arg;

    hd_cert_type_validate(txn, &j->type, &j->job.errors);

    if (j->job.errors.n) {
        return hd_err_set(err, HD_INVALID, j->job.errors.item[0].field,
                          j->job.errors.item[0].code, "invalid");
    }

    return hd_cert_type_save(txn, &j->type, j->job.now, err);
}


static void
ngx_http_helpdesk_type_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_admin_job_t  *j = data;

    j->job.rc = hd_txn_run(j->job.portal.store, ngx_http_helpdesk_type_txn,
                           j, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_type_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_admin_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_types_page);
    }

    if (!ctx->api) {
        return ngx_http_helpdesk_go(r, ctx, "admin/cert-types", "saved");
    }

    return ngx_http_helpdesk_send_json(r, ctx->nargs ? NGX_HTTP_OK
                                                     : NGX_HTTP_CREATED,
                                       ngx_http_helpdesk_type_json(&j->type));
}


ngx_int_t
ngx_http_helpdesk_cert_type_save(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int                             k;
    int64_t                         product, term, limit, department;
    int64_t                         premium;
    hd_str_t                        v[4];
    hd_txn_t                        txn;
    ngx_http_helpdesk_admin_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "name", 1200, 0 },
        { "kind", 32, 0 },
        { "level", 32, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    /* numbers come as JSON numbers or as a form's text */
    product = ngx_http_helpdesk_input_number(ctx, "product");
    term = ngx_http_helpdesk_input_number(ctx, "term_months");
    limit = ngx_http_helpdesk_input_number(ctx, "ticket_limit");
    department = ngx_http_helpdesk_input_number(ctx, "department");
    premium = ngx_http_helpdesk_input_number(ctx, "premium_per_year");

    /* ... and premium may be "unlimited" */
    if (premium == -2 && ngx_http_helpdesk_input_str(ctx, "premium_per_year",
                                                     &v[3]) == NGX_OK
        && v[3].len == 9 && ngx_strncmp(v[3].data, "unlimited", 9) == 0)
    {
        premium = HD_PREMIUM_UNLIMITED;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->type.id = ngx_http_helpdesk_admin_id(ctx);

    /* an edit starts from the type as it is: absent fields stay */
    if (j->type.id != 0) {
        if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                         NULL)
            != HD_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (hd_cert_type_get(&txn, j->type.id, &j->type) != HD_OK) {
            hd_txn_abort(&txn);
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                           "not_found", NULL);
        }

        j->type.name.data = hd_pstrdup(&ctx->pool, j->type.name.data,
                                       j->type.name.len);
        hd_txn_abort(&txn);

    } else {
        j->type.kind = HD_CERT_CERTIFICATE;
        j->type.level = HD_LEVEL_STANDARD;
    }

    if (v[0].data != NULL) {
        j->type.name = v[0];
    }

    if (v[1].data != NULL) {
        k = hd_cert_kind_from_name(v[1].data, v[1].len);
        j->type.kind = k < 0 ? HD_CERT_KIND_COUNT : (uint8_t) k;
    }

    if (v[2].data != NULL) {
        k = hd_level_from_name(v[2].data, v[2].len);
        j->type.level = k < 0 ? HD_LEVEL_COUNT : (uint8_t) k;
    }

    /* a bad number becomes a value the validation refuses, naming it */
    if (product != -1) {
        j->type.product = product > 0 ? (uint64_t) product : 0;
    }

    if (term != -1) {
        j->type.term_months = term > 0 && term < 1000 ? (uint32_t) term : 0;
    }

    if (limit != -1) {
        j->type.ticket_limit = limit > 0 && limit < 100000 ? (uint32_t) limit
                                                           : 0;
    }

    if (department != -1) {
        j->type.department = department > 0 ? (uint64_t) department : 0;
    }

    if (premium != -1) {
        j->type.premium_per_year = premium >= 0
                                   && premium <= HD_PREMIUM_UNLIMITED
                                   ? (uint32_t) premium : 100001;
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_type_work,
                                     ngx_http_helpdesk_type_done, j);
}


/* --- certificates --------------------------------------------------------- */


ngx_int_t
ngx_http_helpdesk_admin_certificates(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_issue_page(r, ctx, NULL, NGX_HTTP_OK);
}


/* the search by number, the form to issue one, and an issued one */
static ngx_int_t
ngx_http_helpdesk_issue_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    char                   from[11], until[11];
    size_t                 n = 0;
    hd_txn_t               txn;
    hd_val_t              *view, *found;
    hd_pool_t             *pool = &ctx->pool;
    hd_str_t               number;
    ngx_str_t              arg;
    hd_account_t           a;
    hd_company_t           company;
    hd_cert_type_t        *types = NULL;
    hd_certificate_t       c;

    static const char  *echo[] = { "number", "valid_from", "valid_until",
                                   NULL };

    view = ngx_http_helpdesk_view(r, ctx, "admin.certificates");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, NULL)
        == HD_OK)
    {
        (void) hd_cert_type_list(&txn, pool, &types, &n);

        if (ngx_http_arg(r, (u_char *) "q", 1, &arg) == NGX_OK && arg.len) {
            u_char  *dst, *src;

            number.data = dst = ngx_pnalloc(r->pool, arg.len);
            src = arg.data;
            ngx_unescape_uri(&dst, &src, arg.len, NGX_UNESCAPE_URI);
            number.len = dst - number.data;

            for (dst = number.data; dst < number.data + number.len; dst++) {
                if (*dst == '+') {
                    *dst = ' ';
                }
            }

            hd_text_trim(&number);
            hd_val_set_str(pool, view, "query", number.data, number.len);

            if (hd_cert_find(&txn, &number, &c) == HD_OK) {
                found = hd_val_map(pool);
                hd_date_format(c.valid_from, from);
                hd_date_format(c.valid_until, until);
                hd_val_set_str(pool, found, "number",
                               hd_pstrdup(pool, c.number.data, c.number.len),
                               c.number.len);
                hd_val_set_str(pool, found, "valid_from",
                               hd_pstrdup(pool, from, 10), 10);
                hd_val_set_str(pool, found, "valid_until",
                               hd_pstrdup(pool, until, 10), 10);
                hd_val_set_cstr(pool, found, "state",
                                hd_cert_state_names[hd_cert_state(
                                    &c, hd_date_today(ngx_time()))]);
                hd_val_set_bool(pool, found, "registered",
                                c.holder_kind != HD_HOLDER_NONE);
                hd_val_set_bool(pool, found, "company",
                                c.holder_kind == HD_HOLDER_COMPANY);
                hd_val_set_int(pool, found, "holder", c.holder);
                hd_val_set_int(pool, found, "id", c.id);
                hd_val_set_bool(pool, found, "revoked", c.revoked != 0);

                if (c.holder_kind == HD_HOLDER_ACCOUNT
                    && hd_account_get(&txn, c.holder, &a) == HD_OK)
                {
                    hd_val_set_str(pool, found, "holder_name",
                                   hd_pstrdup(pool, a.name.data, a.name.len),
                                   a.name.len);
                    hd_val_set_str(pool, found, "holder_email",
                                   hd_pstrdup(pool, a.email.data,
                                              a.email.len),
                                   a.email.len);

                } else if (c.holder_kind == HD_HOLDER_COMPANY
                           && hd_company_get(&txn, c.holder, &company)
                              == HD_OK)
                {
                    hd_val_set_str(pool, found, "holder_name",
                                   hd_pstrdup(pool, company.name.data,
                                              company.name.len),
                                   company.name.len);
                }

                hd_val_set(pool, view, "found", found);

            } else {
                hd_val_set_bool(pool, view, "not_found", 1);
            }
        }

        hd_txn_abort(&txn);
    }

    hd_val_set(pool, view, "type_options",
               ngx_http_helpdesk_options(pool, 0, n, sizeof(hd_cert_type_t),
                                         types,
                                         offsetof(hd_cert_type_t, id),
                                         offsetof(hd_cert_type_t, name)));

    return ngx_http_helpdesk_render(r, ctx, "pages/admin_certificates", view,
                                    status);
}


static hd_rc
ngx_http_helpdesk_issue_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    hd_cert_type_t                  t;
    ngx_http_helpdesk_admin_job_t  *j = arg;

    if (hd_cert_type_get(txn, j->cert.type, &t) != HD_OK) {
        return hd_err_set(err, HD_INVALID, "type", "type_unknown",
                          "no such certificate type");
    }

    /* without an end date, the type's term from the start */
    if (j->cert.valid_until == 0) {
        j->cert.valid_until = (uint32_t)
            (hd_date_add_months((int32_t) j->cert.valid_from,
                                (int) t.term_months) - 1);
    }

    return hd_cert_issue(txn, &j->cert, j->with_code, j->job.now, j->number,
                         j->code, err);
}


static void
ngx_http_helpdesk_issue_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_admin_job_t  *j = data;

    j->job.rc = hd_txn_run(j->job.portal.store, ngx_http_helpdesk_issue_txn,
                           j, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_issue_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    char                            from[11], until[11];
    json_t                         *json;
    hd_val_t                       *view, *issued;
    hd_pool_t                      *pool = &ctx->pool;
    ngx_http_helpdesk_admin_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_issue_page);
    }

    hd_date_format(j->cert.valid_from, from);
    hd_date_format(j->cert.valid_until, until);

    if (ctx->api) {
        json = json_pack("{s:I, s:s#, s:s, s:s}",
                         "id", (json_int_t) j->cert.id,
                         "number", j->cert.number.data, j->cert.number.len,
                         "valid_from", from, "valid_until", until);

        if (json != NULL && j->with_code) {
            json_object_set_new(json, "code", json_string(j->code));
        }

        return ngx_http_helpdesk_send_json(r, NGX_HTTP_CREATED, json);
    }

    /* the code is shown here once: only its hash is kept */
    view = ngx_http_helpdesk_view(r, ctx, "admin.certificates");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    issued = hd_val_map(pool);
    hd_val_set_str(pool, issued, "number", j->cert.number.data,
                   j->cert.number.len);

    if (j->with_code) {
        hd_val_set_cstr(pool, issued, "code", j->code);
    }

    hd_val_set_str(pool, issued, "valid_from", hd_pstrdup(pool, from, 10),
                   10);
    hd_val_set_str(pool, issued, "valid_until", hd_pstrdup(pool, until, 10),
                   10);
    hd_val_set(pool, view, "issued", issued);

    return ngx_http_helpdesk_render(r, ctx, "pages/admin_certificates", view,
                                    NGX_HTTP_CREATED);
}


ngx_int_t
ngx_http_helpdesk_certificate_issue(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int32_t                         day;
    int64_t                         type;
    hd_str_t                        v[5];
    json_t                         *code;
    ngx_http_helpdesk_admin_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "type", 32, 0 },
        { "number", 256, 0 },
        { "valid_from", 16, 0 },
        { "valid_until", 16, 0 },
        { "with_code", 8, 0 },
        { NULL, 0, 0 }
    };

    /* the API's "code": true|false; "type": a number */
    code = ctx->api && ctx->input ? json_object_get(ctx->input, "code")
                                  : NULL;

    if (code != NULL && !json_is_boolean(code) && !json_is_null(code)) {
        return ngx_http_helpdesk_error(r, ctx, 422, "boolean_invalid",
                                       "code");
    }

    if (ctx->api && ctx->input
        && json_is_integer(json_object_get(ctx->input, "type")))
    {
        type = json_integer_value(json_object_get(ctx->input, "type"));
        json_object_del(ctx->input, "type");

    } else {
        type = -1;
    }

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (type < 0 && v[0].len) {
        type = ngx_atoi(v[0].data, v[0].len);
    }

    j->cert.type = type > 0 ? (uint64_t) type : 0;
    j->cert.number = v[1];

    if (j->cert.number.data == NULL) {
        j->cert.number.data = (hd_uchar *) "";
    }

    j->with_code = ctx->api ? (code == NULL || json_is_true(code))
                            : v[4].len != 0;

    if (j->cert.number.len) {
        hd_cert_validate_number(&j->cert.number, &j->job.errors);
    }

    if (j->cert.type == 0) {
        hd_errors_add(&j->job.errors, "type", "type_unknown");
    }

    day = hd_date_today(ngx_time());

    if (v[2].len && hd_date_parse(v[2].data, v[2].len, &day) != 0) {
        hd_errors_add(&j->job.errors, "valid_from", "date_invalid");
    }

    j->cert.valid_from = (uint32_t) day;

    if (v[3].len) {
        if (hd_date_parse(v[3].data, v[3].len, &day) != 0) {
            hd_errors_add(&j->job.errors, "valid_until", "date_invalid");

        } else {
            j->cert.valid_until = (uint32_t) day;
        }
    }

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_issue_page);
    }

    j->cert.issued_by = ctx->caller.account->id;

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_issue_work,
                                     ngx_http_helpdesk_issue_done, j);
}

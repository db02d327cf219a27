/*
 * Request categories (hd_category.h) in the portal: read from a request,
 * offered on the forms with their lines, named on pages and in the API;
 * the administrators' page that adds and changes them, and
 * GET /api/v1/categories.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_category.h"
#include "hd_product.h"


/* the category a request names: its id, -1 when absent, -2 when not one
   (or, for a new ticket, one no longer offered) */
int
ngx_http_helpdesk_input_category(ngx_http_helpdesk_ctx_t *ctx,
    ngx_uint_t for_new)
{
    int            id;
    hd_str_t       v;
    hd_txn_t       txn;
    hd_category_t  c;

    if (ngx_http_helpdesk_input_str(ctx, "category", &v) != NGX_OK) {
        return -2;
    }

    if (v.data == NULL || v.len == 0) {
        return -1;
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, NULL)
        != HD_OK)
    {
        return -2;
    }

    id = hd_category_find(&txn, v.data, v.len);

    if (id >= 0 && for_new
        && (hd_category_get(&txn, (uint8_t) id, &c) != HD_OK || c.disabled))
    {
        id = -2;
    }

    hd_txn_abort(&txn);

    return id < 0 ? -2 : id;
}


/* a category's label in the page's language */
static void
ngx_http_helpdesk_category_label_set(ngx_http_helpdesk_ctx_t *ctx,
    hd_val_t *map, const char *key, const hd_category_t *c)
{
    const hd_str_t  *l;

    if (c->builtin) {
        ngx_http_helpdesk_set_label(ctx, map, key,
                                    NGX_HTTP_HELPDESK_L_CATEGORY, c->id);
        return;
    }

    l = ctx->lang == HD_LANG_EN && c->label_en.len ? &c->label_en
        : c->label_ru.len ? &c->label_ru : &c->label_en;

    hd_val_set_str(&ctx->pool, map, key,
                   hd_pstrdup(&ctx->pool, l->data, l->len), l->len);
}


/* the label of a ticket's category, for its page */
void
ngx_http_helpdesk_set_category(ngx_http_helpdesk_ctx_t *ctx, hd_txn_t *txn,
    hd_val_t *map, const char *key, uint8_t id)
{
    hd_category_t  c;

    if (hd_category_get(txn, id, &c) != HD_OK) {
        hd_val_set_cstr(&ctx->pool, map, key,
                        ngx_http_helpdesk_category_name(ctx, txn, id));
        return;
    }

    ngx_http_helpdesk_category_label_set(ctx, map, key, &c);
}


/* its name, as the API says it (in the pool) */
const char *
ngx_http_helpdesk_category_name(ngx_http_helpdesk_ctx_t *ctx, hd_txn_t *txn,
    uint8_t id)
{
    char         buf[HD_CATEGORY_NAME_MAX + 16];
    const char  *name;

    if (id < HD_CATEGORY_COUNT) {
        return hd_category_names[id];
    }

    name = hd_category_name(txn, id, buf, sizeof(buf));

    return (char *) hd_pstrdup(&ctx->pool, name, ngx_strlen(name) + 1);
}


/*
 * The choices of a form's category select: those offered (and, for a
 * ticket's edit, the one it has), the one sent or def selected; each
 * with its line for the form
 */
hd_val_t *
ngx_http_helpdesk_category_choices(ngx_http_helpdesk_ctx_t *ctx,
    hd_txn_t *txn, const hd_str_t *chosen, const char *def, int keep)
{
    size_t          i, n;
    hd_val_t       *list, *item;
    hd_pool_t      *pool = &ctx->pool;
    ngx_uint_t      sel;
    hd_category_t  *all;
    const hd_str_t *hint;

    list = hd_val_list(pool);

    if (hd_category_list(txn, pool, &all, &n) != HD_OK) {
        return list;
    }

    for (i = 0; i < n; i++) {
        if (all[i].disabled && (int) all[i].id != keep) {
            continue;
        }

        item = hd_val_map(pool);
        hd_val_set_str(pool, item, "value", all[i].name.data,
                       all[i].name.len);
        ngx_http_helpdesk_category_label_set(ctx, item, "label", &all[i]);

        if (chosen != NULL && chosen->data != NULL && chosen->len) {
            sel = hd_str_same(chosen, &all[i].name);

        } else if (keep >= 0) {
            sel = (int) all[i].id == keep;

        } else {
            sel = def != NULL && all[i].name.len == ngx_strlen(def)
                  && ngx_strncmp(all[i].name.data, def, all[i].name.len)
                     == 0;
        }

        hd_val_set_bool(pool, item, "selected", sel);

        hint = ctx->lang == HD_LANG_EN && all[i].hint_en.len
               ? &all[i].hint_en : all[i].hint_ru.len ? &all[i].hint_ru
                                                      : &all[i].hint_en;
        if (hint->len) {
            hd_val_set_str(pool, item, "hint", hint->data, hint->len);
        }

        hd_val_push(pool, list, item);
    }

    return list;
}


/* --- GET /api/v1/categories and the administrators' page ------------------- */


static void
ngx_http_helpdesk_category_jw(hd_jw_t *w, const hd_category_t *c)
{
    hd_jw_object(w);
    hd_jw_key(w, "id");
    hd_jw_int(w, c->id);
    hd_jw_key(w, "name");
    hd_jw_str(w, c->name.data, c->name.len);
    hd_jw_key(w, "builtin");
    hd_jw_bool(w, c->builtin);
    ngx_http_helpdesk_jw_kopt(w, "label_ru", &c->label_ru);
    ngx_http_helpdesk_jw_kopt(w, "label_en", &c->label_en);
    ngx_http_helpdesk_jw_kopt(w, "hint_ru", &c->hint_ru);
    ngx_http_helpdesk_jw_kopt(w, "hint_en", &c->hint_en);
    ngx_http_helpdesk_jw_kid(w, "department", c->department);

    hd_jw_key(w, "offered");
    hd_jw_bool(w, !c->disabled);
    hd_jw_end(w, '}');
}


static ngx_int_t
ngx_http_helpdesk_categories_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    size_t                   i, n, k, nd;
    hd_err_t                 err;
    hd_txn_t                 txn;
    hd_val_t                *view, *list, *item;
    hd_pool_t               *pool = &ctx->pool;
    hd_category_t           *all;
    hd_department_t         *dl;
    ngx_http_helpdesk_jw_t  *j;

    static const char  *echo[] = {
        "name", "label_ru", "label_en", "hint_ru", "hint_en", NULL
    };

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (hd_category_list(&txn, pool, &all, &n) != HD_OK
        || hd_department_list(&txn, pool, &dl, &nd) != HD_OK)
    {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_txn_abort(&txn);

    if (ctx->api) {
        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        hd_jw_object(&j->w);
        hd_jw_key(&j->w, "categories");
        hd_jw_array(&j->w);

        for (i = 0; i < n; i++) {
            /* customers: those offered */
            if (!all[i].disabled || ctx->caller.account->role
                                    == HD_ROLE_ADMINISTRATOR)
            {
                ngx_http_helpdesk_category_jw(&j->w, &all[i]);
            }
        }

        hd_jw_end(&j->w, ']');
        hd_jw_end(&j->w, '}');

        return ngx_http_helpdesk_jw_send(r, j, status);
    }

    view = ngx_http_helpdesk_view(r, ctx, "categories.admin_title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "id", all[i].id);
        hd_val_set_str(pool, item, "name", all[i].name.data, all[i].name.len);
        ngx_http_helpdesk_category_label_set(ctx, item, "label", &all[i]);
        hd_val_set_bool(pool, item, "builtin", all[i].builtin);
        hd_val_set_bool(pool, item, "offered", !all[i].disabled);
        hd_val_set_str(pool, item, "hint_ru", all[i].hint_ru.data,
                       all[i].hint_ru.len);
        hd_val_set_str(pool, item, "hint_en", all[i].hint_en.data,
                       all[i].hint_en.len);
        hd_val_set_str(pool, item, "label_ru", all[i].label_ru.data,
                       all[i].label_ru.len);
        hd_val_set_str(pool, item, "label_en", all[i].label_en.data,
                       all[i].label_en.len);

        hd_val_set(pool, item, "departments",
                   ngx_http_helpdesk_department_options(ctx, dl, nd,
                                                        all[i].department));

        for (k = 0; k < nd && dl[k].id != all[i].department; k++) {
            /* void */
        }

        if (k < nd) {
            hd_val_set_str(pool, item, "department", dl[k].name.data,
                           dl[k].name.len);
        }

        hd_val_push(pool, list, item);
    }

    hd_val_set(pool, view, "categories", list);

    hd_val_set(pool, view, "departments",
               ngx_http_helpdesk_department_options(ctx, dl, nd, 0));

    return ngx_http_helpdesk_render(r, ctx, "pages/admin_categories", view,
                                    status);
}


ngx_int_t
ngx_http_helpdesk_categories(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_categories_page(r, ctx, NULL, NGX_HTTP_OK);
}


/*
 * A category added (POST admin/categories) or changed (POST
 * admin/categories/{id}, PATCH in the API): the fields given, the others
 * kept
 */
ngx_int_t
ngx_http_helpdesk_category_save(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int              offered;
    hd_rc            rc;
    int64_t          dep;
    hd_str_t         v[5];
    hd_err_t         err;
    hd_txn_t         txn;
    hd_errors_t      errors;
    hd_category_t    c;
    ngx_uint_t       i, change;

    static const char  *names[] = {
        "name", "label_ru", "label_en", "hint_ru", "hint_en"
    };

    ngx_memzero(&errors, sizeof(errors));
    ngx_memzero(&err, sizeof(err));
    ngx_memzero(&c, sizeof(c));

    change = ctx->nargs > 0;

    if (change) {
        off_t  id = ngx_atoof(ctx->args[0].data, ctx->args[0].len);

        if (id < 0 || id > HD_CATEGORY_ID_MAX
            || hd_txn_begin(ctx->mcf->store, &txn,
                            HD_TXN_READ | HD_TXN_CACHED, NULL)
               != HD_OK)
        {
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                           "not_found", NULL);
        }

        rc = hd_category_get(&txn, (uint8_t) id, &c);
        if (rc == HD_OK) {
            hd_record_strings_copy(&hd_category_desc, &c, &ctx->pool);
        }

        hd_txn_abort(&txn);

        if (rc != HD_OK) {
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                           "not_found", NULL);
        }
    }

    for (i = 0; i < 5; i++) {
        if (ngx_http_helpdesk_input_str(ctx, names[i], &v[i]) != NGX_OK) {
            hd_errors_add(&errors, names[i], "text_invalid");
            v[i].data = NULL;
        }
    }

    /* what the request says replaces; what it leaves out stays (a form
       sends every field) */
    if (v[0].data) { c.name = v[0]; }
    if (v[1].data) { c.label_ru = v[1]; }
    if (v[2].data) { c.label_en = v[2]; }
    if (v[3].data) { c.hint_ru = v[3]; }
    if (v[4].data) { c.hint_en = v[4]; }

    dep = ngx_http_helpdesk_input_number(ctx, "department");

    if (dep == -2) {
        hd_errors_add(&errors, "department", "department_unknown");

    } else if (dep >= 0 || (!ctx->api && dep == -1)) {
        c.department = dep > 0 ? (uint64_t) dep : 0;
    }

    /* absent from the API: kept; a form's unticked box: not offered */
    offered = ctx->input != NULL && json_object_get(ctx->input, "offered")
              ? ngx_http_helpdesk_input_bool(ctx, "offered") : -1;

    if (offered == -2) {
        hd_errors_add(&errors, "offered", "invalid");

    } else if (offered >= 0) {
        c.disabled = offered == 0;

    } else if (!ctx->api) {
        c.disabled = 1;          /* a form's unticked box */
    }

    if (errors.n == 0) {
        rc = hd_category_save(ctx->mcf->store, &c, ngx_time(), &errors,
                              &err);

    } else {
        rc = HD_INVALID;
    }

    if (rc != HD_OK) {
        if (ctx->api || errors.n == 0) {
            if (errors.n && err.code == NULL) {
                return ngx_http_helpdesk_error(r, ctx, 422,
                                               errors.item[0].code,
                                               errors.item[0].field);
            }

            return ngx_http_helpdesk_fail(r, ctx, &err);
        }

        return ngx_http_helpdesk_categories_page(r, ctx, &errors, 422);
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "helpdesk: category %ud \"%V\" %s by %V", (ngx_uint_t) c.id,
                  (ngx_str_t *) &c.name, change ? "changed" : "added",
                  (ngx_str_t *) &ctx->caller.account->login);

    if (ctx->api) {
        ngx_http_helpdesk_jw_t  *j = ngx_http_helpdesk_jw_new(r);

        if (j == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_helpdesk_category_jw(&j->w, &c);

        return ngx_http_helpdesk_jw_send(r, j, change ? NGX_HTTP_OK
                                                      : NGX_HTTP_CREATED);
    }

    return ngx_http_helpdesk_go(r, ctx, "admin/categories",
                                change ? "category_saved" : "category_added");
}

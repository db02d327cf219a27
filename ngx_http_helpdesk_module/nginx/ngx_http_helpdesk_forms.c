/*
 * Ticket forms (hd_form.h) in the portal: the extra fields a new ticket's
 * form shows and reads (the customer's, the staff's, the API's), the
 * values a ticket page shows, the administrators' pages that define them,
 * and GET /api/v1/forms.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_category.h"
#include "hd_form.h"
#include "hd_text.h"
#include "hd_ticket.h"


/* a form's type as the forms' pages and API name it */
static const char *
ngx_http_helpdesk_type_name(uint8_t type)
{
    return type == HD_FORM_ANY ? "any"
                               : hd_ticket_type_names[type % HD_TYPE_COUNT];
}


/* every category (id, name, NUL-terminated), the forms' first dimension */
static hd_category_t *
ngx_http_helpdesk_form_categories(ngx_http_helpdesk_ctx_t *ctx,
    hd_txn_t *txn, size_t *n)
{
    hd_category_t  *list;

    if (hd_category_list(txn, &ctx->pool, &list, n) != HD_OK) {
        *n = 0;
        return NULL;
    }

    return list;
}


/*
 * The values a new ticket's request gives: the API's "fields" object
 * (every name must be the form's), or a form's inputs
 * "field.CATEGORY.any.NAME" and "field.CATEGORY.TYPE.NAME" (each form of
 * the page has its own); checked against the form of the category and
 * type into *out. Bad ones go to errors; NGX_ERROR only when out of memory
 * or the store cannot be read
 */
static ngx_int_t
ngx_http_helpdesk_form_given(ngx_http_helpdesk_ctx_t *ctx, hd_txn_t *txn,
    int category, int type, hd_str_t *out, hd_errors_t *errors)
{
    json_t                 *given, *v;
    size_t                  n, klen, plen[2];
    u_char                  prefix[2][96];
    hd_form_t              *form;
    const char             *key;
    hd_form_value_t        *values;
    const hd_form_field_t  *f;
    ngx_uint_t              p;

    out->data = NULL;
    out->len = 0;

    if (category < 0 || type < 0) {
        return NGX_OK;      /* told already */
    }

    if (hd_form_for(txn, (uint8_t) category, (uint8_t) type, &ctx->pool,
                    &form)
        != HD_OK)
    {
        return NGX_ERROR;
    }

    given = ctx->input != NULL && ctx->api
            ? json_object_get(ctx->input, "fields") : NULL;

    /* the API with files (multipart): "fields" is a part of JSON text */
    if (given != NULL && !ctx->json && json_is_string(given)) {
        given = json_loadb(json_string_value(given),
                           json_string_length(given), 0, NULL);

        if (given == NULL) {
            hd_errors_add(errors, "fields", "fields_not_object");
            return NGX_OK;
        }

        /* the request's input keeps it (and frees it with itself) */
        if (json_object_set_new(ctx->input, "fields", given) != 0) {
            return NGX_ERROR;
        }
    }

    if (given != NULL && !json_is_null(given) && !json_is_object(given)) {
        hd_errors_add(errors, "fields", "fields_not_object");
        return NGX_OK;
    }

    values = hd_palloc(&ctx->pool, (HD_FORM_FIELDS_MAX * 2 + 1)
                                   * sizeof(hd_form_value_t));
    if (values == NULL) {
        return NGX_ERROR;
    }

    n = 0;

    if (given != NULL && json_is_object(given)) {
        json_object_foreach(given, key, v) {
            if (n == HD_FORM_FIELDS_MAX * 2) {
                hd_errors_add(errors, "fields", "field_unknown");
                break;
            }

            values[n].name.data = (hd_uchar *) key;
            values[n].name.len = ngx_strlen(key);
            f = hd_form_field(form, &values[n].name);

            if (json_is_string(v)) {
                values[n].value.data = (hd_uchar *) json_string_value(v);
                values[n].value.len = json_string_length(v);

                if (ngx_strlchr(values[n].value.data,
                                values[n].value.data + values[n].value.len,
                                '\0')
                    != NULL)
                {
                    hd_errors_add(errors, f ? f->key : "fields",
                                  "field_invalid");
                    continue;
                }

            } else if (json_is_boolean(v)) {
                values[n].value.data = (hd_uchar *) (json_is_true(v) ? "1"
                                                                     : "0");
                values[n].value.len = 1;

            } else if (json_is_null(v)) {
                continue;

            } else {
                hd_errors_add(errors, f ? f->key : "fields", "field_invalid");
                continue;
            }

            n++;
        }

        hd_form_check(form, values, n, 1, &ctx->pool, out, errors);

        return NGX_OK;
    }

    /* a page's form: its inputs of this category's forms that apply */
    if (ctx->input != NULL && !ctx->api) {
        const char  *cname = ngx_http_helpdesk_category_name(ctx, txn,
                                                    (uint8_t) category);

        plen[0] = ngx_snprintf(prefix[0], sizeof(prefix[0]), "field.%s.any.",
                               cname)
                  - prefix[0];
        plen[1] = ngx_snprintf(prefix[1], sizeof(prefix[1]), "field.%s.%s.",
                               cname, hd_ticket_type_names[type])
                  - prefix[1];

        /* the category's first, the type's after: a same name wins */
        for (p = 0; p < 2; p++) {
            json_object_foreach(ctx->input, key, v) {
                klen = ngx_strlen(key);

                if (klen <= plen[p] || !json_is_string(v)
                    || ngx_strncmp(key, prefix[p], plen[p]) != 0
                    || n == HD_FORM_FIELDS_MAX * 2)
                {
                    continue;
                }

                values[n].name.data = (hd_uchar *) key + plen[p];
                values[n].name.len = klen - plen[p];
                values[n].value.data = (hd_uchar *) json_string_value(v);
                values[n].value.len = json_string_length(v);
                n++;
            }
        }
    }

    hd_form_check(form, values, n, 0, &ctx->pool, out, errors);

    return NGX_OK;
}


ngx_int_t
ngx_http_helpdesk_form_input(ngx_http_helpdesk_ctx_t *ctx, int category,
    int type, hd_str_t *out, hd_errors_t *errors)
{
    hd_txn_t   txn;
    ngx_int_t  rc;

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, NULL)
        != HD_OK)
    {
        return NGX_ERROR;
    }

    rc = ngx_http_helpdesk_form_given(ctx, &txn, category, type, out,
                                      errors);
    hd_txn_abort(&txn);

    return rc;
}


/* the error of a field, as the page says it, or NULL */
static const hd_str_t *
ngx_http_helpdesk_form_error(ngx_http_helpdesk_ctx_t *ctx,
    const hd_errors_t *errors, const hd_form_field_t *f)
{
    char             key[96];
    size_t           i;
    const hd_str_t  *text;

    for (i = 0; errors != NULL && i < errors->n; i++) {
        if (errors->item[i].field == NULL
            || ngx_strcmp(errors->item[i].field, f->key) != 0)
        {
            continue;
        }

        ngx_snprintf((u_char *) key, sizeof(key), "errors.%s%Z",
                     errors->item[i].code);
        text = ngx_http_helpdesk_text(ctx, key);

        return text != NULL ? text : ngx_http_helpdesk_text(ctx,
                                                            "errors.invalid");
    }

    return NULL;
}


/* a field as a page's form shows it, in the group named by prefix */
static hd_val_t *
ngx_http_helpdesk_form_field_view(ngx_http_helpdesk_ctx_t *ctx,
    const hd_form_field_t *f, const char *group, ngx_uint_t applies,
    const hd_errors_t *errors, const hd_str_t *stored)
{
    u_char           *p, input[128], id[128];
    size_t            o;
    hd_str_t          v;
    hd_val_t         *item, *options, *opt;
    hd_pool_t        *pool = &ctx->pool;
    const hd_str_t   *text;

    item = hd_val_map(pool);

    p = ngx_snprintf(input, sizeof(input) - 1, "field.%s.%V%Z", group,
                     (ngx_str_t *) &f->name);
    hd_val_set_cstr(pool, item, "input",
                    (char *) hd_pstrdup(pool, input, p - input));

    p = ngx_snprintf(id, sizeof(id) - 1, "f-%s-%V%Z", group,
                     (ngx_str_t *) &f->name);
    for (o = 0; id[o]; o++) {
        if (id[o] == '.') {
            id[o] = '-';
        }
    }
    hd_val_set_cstr(pool, item, "id", (char *) hd_pstrdup(pool, id, p - id));

    text = hd_form_label(f->label, ctx->lang);
    hd_val_set_str(pool, item, "label", text->data, text->len);
    hd_val_set_bool(pool, item, "required", f->required);
    hd_val_set_bool(pool, item, "is_text", f->kind == HD_FORM_TEXT);
    hd_val_set_bool(pool, item, "is_long", f->kind == HD_FORM_LONG);
    hd_val_set_bool(pool, item, "is_select", f->kind == HD_FORM_SELECT);
    hd_val_set_bool(pool, item, "is_date", f->kind == HD_FORM_DATE);
    hd_val_set_bool(pool, item, "is_checkbox", f->kind == HD_FORM_CHECKBOX);
    hd_val_set_int(pool, item, "max", f->kind == HD_FORM_TEXT
                                      ? HD_FORM_TEXT_MAX : HD_FORM_LONG_MAX);

    /* as sent; or, a ticket's details to correct, as they are */
    if (stored != NULL) {
        hd_form_value_t         sv[HD_FORM_FIELDS_MAX];
        const hd_form_value_t  *has;

        has = hd_form_value_of(sv, hd_form_values(stored, sv,
                                                  HD_FORM_FIELDS_MAX),
                               &f->name);
        v.data = has ? has->value.data : NULL;
        v.len = has ? has->value.len : 0;

    } else if (ngx_http_helpdesk_input_str(ctx, (char *) input, &v)
               != NGX_OK)
    {
        v.data = NULL;
        v.len = 0;
    }

    if (v.len) {
        hd_val_set_str(pool, item, "value", v.data, v.len);
    }

    hd_val_set_bool(pool, item, "checked",
                    v.len && !(v.len == 1 && v.data[0] == '0'));

    if (f->kind == HD_FORM_SELECT) {
        options = hd_val_list(pool);

        for (o = 0; o < f->noptions; o++) {
            opt = hd_val_map(pool);
            hd_val_set_str(pool, opt, "value", f->options[o].value.data,
                           f->options[o].value.len);
            text = hd_form_label(f->options[o].label, ctx->lang);
            if (text->len == 0) {
                text = &f->options[o].value;
            }
            hd_val_set_str(pool, opt, "label", text->data, text->len);
            hd_val_set_bool(pool, opt, "selected",
                            hd_str_same(&v, &f->options[o].value));
            hd_val_push(pool, options, opt);
        }

        hd_val_set(pool, item, "options", options);
    }

    text = applies ? ngx_http_helpdesk_form_error(ctx, errors, f) : NULL;

    if (text != NULL) {
        hd_val_set_str(pool, item, "error", text->data, text->len);
    }

    return item;
}


/* one form's group of fields, as the partial form_group shows it */
static hd_val_t *
ngx_http_helpdesk_form_group(ngx_http_helpdesk_ctx_t *ctx, hd_txn_t *txn,
    const hd_form_t *form, const char *cname, ngx_uint_t applies,
    const hd_errors_t *errors, const hd_str_t *stored)
{
    char        *group;
    u_char       buf[96], *p;
    hd_val_t    *g, *fields;
    hd_pool_t   *pool = &ctx->pool;
    ngx_uint_t   i;

    p = ngx_snprintf(buf, sizeof(buf), "%s.%s", cname,
                     ngx_http_helpdesk_type_name(form->type));
    group = (char *) hd_pstrdup(pool, buf, p - buf);

    g = hd_val_map(pool);
    hd_val_set_cstr(pool, g, "category", cname);
    hd_val_set_cstr(pool, g, "type", ngx_http_helpdesk_type_name(form->type));
    ngx_http_helpdesk_set_category(ctx, txn, g, "category_label",
                                   form->category);
    hd_val_set_bool(pool, g, "any", form->type == HD_FORM_ANY);

    if (form->type != HD_FORM_ANY) {
        ngx_http_helpdesk_set_label(ctx, g, "type_label",
                                    NGX_HTTP_HELPDESK_L_TYPE, form->type);
    }

    fields = hd_val_list(pool);

    for (i = 0; i < form->nfields; i++) {
        hd_val_push(pool, fields,
                    ngx_http_helpdesk_form_field_view(ctx, &form->fields[i],
                                                      group, applies, errors,
                                                      stored));
    }

    hd_val_set(pool, g, "fields", fields);

    return g;
}


/*
 * The extra fields of a new ticket's page, a group per form with fields
 * (every category's and type's: the page's script shows those of the
 * category and type chosen; without it, each says whom it is for)
 */
ngx_int_t
ngx_http_helpdesk_form_groups(ngx_http_helpdesk_ctx_t *ctx, hd_txn_t *txn,
    hd_val_t *view, const hd_errors_t *errors)
{
    int             chosen_cat, chosen_type;
    size_t          k, ncats;
    uint8_t         type;
    hd_str_t        v;
    hd_val_t       *groups;
    hd_form_t      *form;
    hd_pool_t      *pool = &ctx->pool;
    ngx_uint_t      c, s, applies;
    hd_category_t  *cats;

    chosen_cat = -1;
    chosen_type = -1;

    if (ngx_http_helpdesk_input_str(ctx, "category", &v) == NGX_OK && v.len) {
        chosen_cat = hd_category_find(txn, v.data, v.len);
    }

    if (ngx_http_helpdesk_input_str(ctx, "type", &v) == NGX_OK && v.len) {
        chosen_type = hd_name_index(hd_ticket_type_names, HD_TYPE_COUNT,
                                    v.data, v.len);
    }

    groups = hd_val_list(pool);
    cats = ngx_http_helpdesk_form_categories(ctx, txn, &ncats);

    for (k = 0; k < ncats; k++) {
        c = cats[k].id;

        for (s = 0; s < HD_FORM_SLOTS; s++) {
            type = hd_form_slot_type(s);

            if (hd_form_get(txn, (uint8_t) c, type, pool, &form) != HD_OK) {
                return NGX_ERROR;
            }

            if (form->nfields == 0) {
                continue;
            }

            applies = (int) c == chosen_cat
                      && (type == HD_FORM_ANY || (int) type == chosen_type);

            hd_val_push(pool, groups,
                        ngx_http_helpdesk_form_group(ctx, txn, form,
                            (char *) cats[k].name.data, applies, errors,
                            NULL));
        }
    }

    hd_val_set(pool, view, "form_groups", groups);
    hd_val_set_bool(pool, view, "has_form_groups", groups->u.items.n > 0);

    return NGX_OK;
}


/*
 * The staff's form that corrects a ticket's extra fields: its category's
 * and type's forms, filled with what the ticket has (or, shown again after
 * a mistake, with what was sent), as "edit_groups"
 */
ngx_int_t
ngx_http_helpdesk_form_edit_groups(ngx_http_helpdesk_ctx_t *ctx,
    hd_txn_t *txn, const hd_ticket_t *t, hd_val_t *view,
    const hd_errors_t *errors)
{
    uint8_t      type;
    hd_val_t    *groups;
    hd_form_t   *form;
    hd_pool_t   *pool = &ctx->pool;
    ngx_uint_t   s, again;
    const char  *cname;

    again = ngx_http_helpdesk_input_bool(ctx, "fields_edit") == 1;
    cname = ngx_http_helpdesk_category_name(ctx, txn, t->category);
    groups = hd_val_list(pool);

    for (s = 0; s < 2; s++) {
        type = s == 0 ? HD_FORM_ANY : t->type;

        if (hd_form_get(txn, t->category, type, pool, &form) != HD_OK) {
            return NGX_ERROR;
        }

        if (form->nfields == 0) {
            continue;
        }

        hd_val_push(pool, groups,
                    ngx_http_helpdesk_form_group(ctx, txn, form, cname, 1,
                                                 errors,
                                                 again ? NULL : &t->fields));
    }

    hd_val_set(pool, view, "edit_groups", groups);
    hd_val_set_bool(pool, view, "has_edit_groups", groups->u.items.n > 0);
    hd_val_set_bool(pool, view, "edit_open", again);

    return NGX_OK;
}


/* a ticket's extra fields as its page shows them: label and value */
void
ngx_http_helpdesk_form_shown(ngx_http_helpdesk_ctx_t *ctx, hd_txn_t *txn,
    const hd_ticket_t *t, hd_val_t *view)
{
    (void) hd_form_shown(txn, t->category, t->type, &t->fields, ctx->lang,
                         ngx_http_helpdesk_text(ctx, "forms.yes"),
                         &ctx->pool, view);
}




static void
ngx_http_helpdesk_form_def_jw(const hd_form_t *form, const hd_str_t *category,
    hd_jw_t *w)
{
    size_t                  i, o;
    const hd_form_field_t  *f;

    hd_jw_object(w);
    hd_jw_key(w, "category");
    hd_jw_str(w, category->data, category->len);
    hd_jw_key(w, "type");
    hd_jw_cstr(w, ngx_http_helpdesk_type_name(form->type));
    hd_jw_key(w, "default");
    hd_jw_bool(w, !form->stored);
    hd_jw_key(w, "fields");
    hd_jw_array(w);

    for (i = 0; i < form->nfields; i++) {
        f = &form->fields[i];
        hd_jw_object(w);
        hd_jw_key(w, "name");
        hd_jw_str(w, f->name.data, f->name.len);
        hd_jw_key(w, "kind");
        hd_jw_cstr(w, hd_form_kind_names[f->kind % HD_FORM_KIND_COUNT]);
        hd_jw_key(w, "required");
        hd_jw_bool(w, f->required);
        hd_jw_key(w, "label");
        hd_jw_object(w);
        hd_jw_key(w, "ru");
        hd_jw_str(w, f->label[HD_LANG_RU].data, f->label[HD_LANG_RU].len);
        hd_jw_key(w, "en");
        hd_jw_str(w, f->label[HD_LANG_EN].data, f->label[HD_LANG_EN].len);
        hd_jw_end(w, '}');

        if (f->kind == HD_FORM_SELECT) {
            hd_jw_key(w, "options");
            hd_jw_array(w);

            for (o = 0; o < f->noptions; o++) {
                hd_jw_object(w);
                hd_jw_key(w, "value");
                hd_jw_str(w, f->options[o].value.data,
                          f->options[o].value.len);
                hd_jw_key(w, "label");
                hd_jw_object(w);
                hd_jw_key(w, "ru");
                hd_jw_str(w, f->options[o].label[HD_LANG_RU].data,
                          f->options[o].label[HD_LANG_RU].len);
                hd_jw_key(w, "en");
                hd_jw_str(w, f->options[o].label[HD_LANG_EN].data,
                          f->options[o].label[HD_LANG_EN].len);
                hd_jw_end(w, '}');
                hd_jw_end(w, '}');
            }

            hd_jw_end(w, ']');
        }

        hd_jw_end(w, '}');
    }

    hd_jw_end(w, ']');
    hd_jw_end(w, '}');
}


/* GET /api/v1/forms: every form with fields, for clients that ask them */
ngx_int_t
ngx_http_helpdesk_forms_api(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                   ncats;
    hd_err_t                 err;
    hd_txn_t                 txn;
    hd_form_t               *form;
    ngx_uint_t               c, s;
    hd_category_t           *cats;
    ngx_http_helpdesk_jw_t  *j;

    j = ngx_http_helpdesk_jw_new(r);
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    hd_jw_object(&j->w);
    hd_jw_key(&j->w, "forms");
    hd_jw_array(&j->w);

    cats = ngx_http_helpdesk_form_categories(ctx, &txn, &ncats);

    for (c = 0; c < ncats; c++) {
        for (s = 0; s < HD_FORM_SLOTS; s++) {
            if (hd_form_get(&txn, cats[c].id, hd_form_slot_type(s),
                            &ctx->pool, &form)
                != HD_OK)
            {
                hd_txn_abort(&txn);
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            if (form->nfields) {
                ngx_http_helpdesk_form_def_jw(form, &cats[c].name, &j->w);
            }
        }
    }

    hd_txn_abort(&txn);

    hd_jw_end(&j->w, ']');
    hd_jw_end(&j->w, '}');

    return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
}


/* the form an address names: "technical/bug", "technical/any" */
static ngx_int_t
ngx_http_helpdesk_form_target(ngx_http_helpdesk_ctx_t *ctx, uint8_t *category,
    uint8_t *type)
{
    int       c, t;
    hd_txn_t  txn;

    if (ctx->nargs < 2
        || hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                        NULL)
           != HD_OK)
    {
        return NGX_DECLINED;
    }

    c = hd_category_find(&txn, ctx->args[0].data, ctx->args[0].len);
    hd_txn_abort(&txn);

    if (ctx->args[1].len == 3 && ngx_strncmp(ctx->args[1].data, "any", 3) == 0)
    {
        t = HD_FORM_ANY;

    } else {
        t = hd_name_index(hd_ticket_type_names, HD_TYPE_COUNT,
                          ctx->args[1].data, ctx->args[1].len);
    }

    if (c < 0 || t < 0) {
        return NGX_DECLINED;
    }

    *category = (uint8_t) c;
    *type = (uint8_t) t;

    return NGX_OK;
}


/* /admin/forms: every category's forms, what each asks */
ngx_int_t
ngx_http_helpdesk_admin_forms(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t       i;
    u_char       names[1024], *p;
    uint8_t      type;
    hd_err_t     err;
    hd_txn_t     txn;
    hd_val_t    *view, *cats, *cat, *slots, *slot;
    size_t          k, ncats;
    hd_form_t      *form;
    hd_pool_t      *pool = &ctx->pool;
    ngx_uint_t      c, s;
    hd_category_t  *all;

    view = ngx_http_helpdesk_view(r, ctx, "forms.admin_title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    cats = hd_val_list(pool);
    all = ngx_http_helpdesk_form_categories(ctx, &txn, &ncats);

    for (k = 0; k < ncats; k++) {
        c = all[k].id;
        cat = hd_val_map(pool);
        ngx_http_helpdesk_set_category(ctx, &txn, cat, "label", (uint8_t) c);
        slots = hd_val_list(pool);

        for (s = 0; s < HD_FORM_SLOTS; s++) {
            type = hd_form_slot_type(s);

            if (hd_form_get(&txn, (uint8_t) c, type, pool, &form) != HD_OK) {
                hd_txn_abort(&txn);
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            slot = hd_val_map(pool);
            p = ngx_snprintf(names, sizeof(names) - 1, "admin/forms/%V/%s",
                             (ngx_str_t *) &all[k].name,
                             ngx_http_helpdesk_type_name(type));
            hd_val_set_str(pool, slot, "path",
                           hd_pstrdup(pool, names, p - names), p - names);

            if (type == HD_FORM_ANY) {
                ngx_http_helpdesk_set_text(ctx, slot, "type_label",
                                           "forms.any_type");

            } else {
                ngx_http_helpdesk_set_label(ctx, slot, "type_label",
                                            NGX_HTTP_HELPDESK_L_TYPE, type);
            }

            /* its fields' labels, for the eye */
            p = names;

            for (i = 0; i < form->nfields; i++) {
                const hd_str_t  *l = hd_form_label(form->fields[i].label,
                                                   ctx->lang);

                p = ngx_slprintf(p, names + sizeof(names) - 1, "%s%V%s",
                                 i ? "; " : "", (ngx_str_t *) l,
                                 form->fields[i].required ? " *" : "");
            }

            hd_val_set_str(pool, slot, "fields",
                           hd_pstrdup(pool, names, p - names), p - names);
            hd_val_set_int(pool, slot, "count", (int64_t) form->nfields);
            hd_val_set_bool(pool, slot, "stored", form->stored);
            hd_val_push(pool, slots, slot);
        }

        hd_val_set(pool, cat, "slots", slots);
        hd_val_push(pool, cats, cat);
    }

    hd_txn_abort(&txn);

    hd_val_set(pool, view, "categories", cats);

    return ngx_http_helpdesk_render(r, ctx, "pages/admin_forms", view,
                                    NGX_HTTP_OK);
}


static ngx_int_t
ngx_http_helpdesk_admin_form_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    u_char       path[96], *p;
    uint8_t      category, type;
    hd_str_t     v;
    hd_err_t     err;
    hd_txn_t     txn;
    hd_val_t    *view, *label;
    hd_form_t   *form;
    hd_pool_t   *pool = &ctx->pool;

    static const char  *echo[] = { "text", NULL };

    if (ngx_http_helpdesk_form_target(ctx, &category, &type) != NGX_OK) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "form_unknown", NULL);
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (hd_form_get(&txn, category, type, pool, &form) != HD_OK) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    view = hd_val_map(pool);
    ngx_http_helpdesk_set_category(ctx, &txn, view, "category_label",
                                   category);
    hd_txn_abort(&txn);

    if (ctx->api) {
        ngx_http_helpdesk_jw_t  *j = ngx_http_helpdesk_jw_new(r);

        if (j == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_helpdesk_form_def_jw(form, (hd_str_t *) &ctx->args[0],
                                      &j->w);

        return ngx_http_helpdesk_jw_send(r, j, status);
    }

    label = hd_val_get(view, "category_label", 14);

    view = ngx_http_helpdesk_view(r, ctx, "forms.edit_title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (label != NULL) {
        hd_val_set(pool, view, "category_label", label);
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);

    /* the definition as stored (or the default), or as it was sent */
    if (ngx_http_helpdesk_input_str(ctx, "text", &v) != NGX_OK
        || v.data == NULL)
    {
        hd_val_t  *values = hd_val_get(view, "values", 6);

        if (values != NULL) {
            hd_val_set_str(pool, values, "text", form->text.data,
                           form->text.len);
        }
    }

    if (type == HD_FORM_ANY) {
        ngx_http_helpdesk_set_text(ctx, view, "type_label", "forms.any_type");

    } else {
        ngx_http_helpdesk_set_label(ctx, view, "type_label",
                                    NGX_HTTP_HELPDESK_L_TYPE, type);
    }

    p = ngx_snprintf(path, sizeof(path) - 1, "admin/forms/%V/%s",
                     &ctx->args[0], ngx_http_helpdesk_type_name(type));
    hd_val_set_str(pool, view, "path", hd_pstrdup(pool, path, p - path),
                   p - path);
    hd_val_set_bool(pool, view, "stored", form->stored);

    return ngx_http_helpdesk_render(r, ctx, "pages/admin_form", view, status);
}


ngx_int_t
ngx_http_helpdesk_admin_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_admin_form_page(r, ctx, NULL, NGX_HTTP_OK);
}


/*
 * A form's definition saved (POST, "text"), or the default restored
 * (POST .../reset, which the page asks to confirm): small writes, done on
 * the event loop's thread like the other administrators' settings
 */
static ngx_int_t
ngx_http_helpdesk_admin_form_write(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_uint_t reset)
{
    u_char       path[96], *p;
    hd_rc        rc;
    uint8_t      category, type;
    hd_str_t     text;
    hd_err_t     err;
    hd_errors_t  errors;

    ngx_memzero(&errors, sizeof(errors));
    ngx_memzero(&err, sizeof(err));

    if (ngx_http_helpdesk_form_target(ctx, &category, &type) != NGX_OK) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "form_unknown", NULL);
    }

    if (reset) {
        if (!ctx->api && ngx_http_helpdesk_input_bool(ctx, "confirm") != 1) {
            hd_errors_add(&errors, "confirm", "confirm_required");
            return ngx_http_helpdesk_admin_form_page(r, ctx, &errors, 422);
        }

        rc = hd_form_reset(ctx->mcf->store, category, type, &err);

    } else {
        if (ngx_http_helpdesk_input_str(ctx, "text", &text) != NGX_OK) {
            hd_errors_add(&errors, "text", "text_invalid");
            return ngx_http_helpdesk_admin_form_page(r, ctx, &errors, 422);
        }

        if (text.data == NULL) {
            text.data = (hd_uchar *) "";
            text.len = 0;
        }

        rc = hd_form_set(ctx->mcf->store, category, type, &text,
                         ctx->caller.account->id, ngx_time(), &errors, &err);
    }

    if (rc == HD_INVALID && errors.n) {
        if (ctx->api) {
            return ngx_http_helpdesk_fail(r, ctx, &err);
        }

        return ngx_http_helpdesk_admin_form_page(r, ctx, &errors, 422);
    }

    if (rc != HD_OK) {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "helpdesk: the ticket form %V/%s %s by %V",
                  &ctx->args[0], ngx_http_helpdesk_type_name(type),
                  reset ? "restored to its default" : "saved",
                  (ngx_str_t *) &ctx->caller.account->login);

    if (ctx->api) {
        return ngx_http_helpdesk_admin_form_page(r, ctx, NULL, NGX_HTTP_OK);
    }

    p = ngx_snprintf(path, sizeof(path) - 1, "admin/forms/%V/%s%Z",
                     &ctx->args[0], ngx_http_helpdesk_type_name(type));
    (void) p;

    return ngx_http_helpdesk_go(r, ctx, (char *) path,
                                reset ? "form_reset" : "form_saved");
}


ngx_int_t
ngx_http_helpdesk_admin_form_save(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_admin_form_write(r, ctx, 0);
}


ngx_int_t
ngx_http_helpdesk_admin_form_reset(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_admin_form_write(r, ctx, 1);
}



/*
 * The knowledge base for staff: the articles in every state, the editor
 * with its preview (a button without JavaScript, live with it), saving
 * (staff with the right; administrators grant it), the revisions with their
 * differences, and the report of what readers looked for and found.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_i18n.h"
#include "hd_kb.h"
#include "hd_markdown.h"
#include "hd_product.h"
#include "hd_staff.h"
#include "hd_store.h"
#include "hd_text.h"


#define NGX_HTTP_HELPDESK_STAFF_KB_PAGE  50


typedef struct {
    ngx_http_helpdesk_job_t   job;
    hd_kb_article_t           article;
    uint64_t                  editor;
} ngx_http_helpdesk_kb_save_job_t;


ngx_int_t
ngx_http_helpdesk_kb_may_edit(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    if (hd_account_may(ctx->caller.account, HD_RIGHT_KB_EDIT)) {
        return NGX_OK;
    }

    return ngx_http_helpdesk_answered(ctx,
               ngx_http_helpdesk_error(r, ctx, NGX_HTTP_FORBIDDEN,
                                       "kb_edit_forbidden", NULL));
}


/* --- the list -------------------------------------------------------------- */


ngx_int_t
ngx_http_helpdesk_staff_kb(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    int               state;
    size_t            i, n, total;
    hd_str_t          q, arg;
    hd_txn_t          txn;
    hd_val_t         *view, *list, *item, *states, *st;
    ngx_int_t         page, rc;
    hd_pool_t        *pool = &ctx->pool;
    hd_kb_stats_t     s;
    hd_kb_filter_t    f;
    hd_kb_article_t  *articles, a;
    hd_search_hit_t  *hits;
    u_char            key[64];

    f.reader = HD_KB_STAFF;
    f.product = 0;
    f.language = -1;
    f.state = -1;
    f.audience = -1;

    state = -1;

    if (ngx_http_helpdesk_arg_text(r, "state", 16, &arg) == NGX_OK) {
        state = hd_kb_state_from_name(arg.data, arg.len);
        if (state < 0) {
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "state_invalid", "state");
        }

        f.state = state;
    }

    rc = ngx_http_helpdesk_arg_text(r, "q", 500, &q);
    if (rc == NGX_ERROR || (rc == NGX_OK && !hd_utf8_valid(q.data, q.len))) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                       "query_invalid", "q");
    }

    page = ngx_http_helpdesk_arg_number(r, "page", 1, 10000);

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                     NULL)
        != HD_OK)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    view = ngx_http_helpdesk_view(r, ctx, "kb.staff_title");
    if (view == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    list = hd_val_list(pool);
    n = 0;
    total = 0;

    if (rc == NGX_OK && q.len) {
        if (hd_kb_search(&txn, &f, &q, 0, 0,
                         (size_t) (page - 1) * NGX_HTTP_HELPDESK_STAFF_KB_PAGE,
                         NGX_HTTP_HELPDESK_STAFF_KB_PAGE, pool, &hits, &n,
                         &total)
            != HD_OK)
        {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        for (i = 0; i < n; i++) {
            if (hd_kb_get(&txn, hits[i].doc, &a) == HD_OK) {
                item = ngx_http_helpdesk_kb_item(ctx, &a);
                hd_kb_stats_get(&txn, a.id, &s);
                hd_val_set_int(pool, item, "views", (int64_t) s.views);
                hd_val_set_int(pool, item, "helpful", s.helpful);
                hd_val_set_int(pool, item, "not_helpful", s.unhelpful);
                hd_val_push(pool, list, item);
            }
        }

        hd_val_set_str(pool, view, "q", q.data, q.len);

    } else {
        if (hd_kb_list(&txn, &f,
                       (size_t) (page - 1) * NGX_HTTP_HELPDESK_STAFF_KB_PAGE,
                       NGX_HTTP_HELPDESK_STAFF_KB_PAGE, pool, &articles, &n,
                       &total)
            != HD_OK)
        {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        for (i = 0; i < n; i++) {
            item = ngx_http_helpdesk_kb_item(ctx, &articles[i]);
            hd_kb_stats_get(&txn, articles[i].id, &s);
            hd_val_set_int(pool, item, "views", (int64_t) s.views);
            hd_val_set_int(pool, item, "helpful", s.helpful);
            hd_val_set_int(pool, item, "not_helpful", s.unhelpful);
            hd_val_push(pool, list, item);
        }
    }

    if (ctx->api) {
        ngx_http_helpdesk_jw_t  *j;

        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        hd_jw_object(&j->w);
        hd_jw_key(&j->w, "total");
        hd_jw_int(&j->w, (int64_t) total);
        hd_jw_key(&j->w, "page");
        hd_jw_int(&j->w, page);
        hd_jw_key(&j->w, "articles");
        hd_jw_array(&j->w);

        for (i = 0; i < n; i++) {
            if (rc == NGX_OK && q.len) {
                if (hd_kb_get(&txn, hits[i].doc, &a) != HD_OK) {
                    continue;
                }

            } else {
                a = articles[i];
            }

            hd_kb_stats_get(&txn, a.id, &s);
            ngx_http_helpdesk_kb_jw(ctx, &j->w, &a, &s, NULL);
        }

        hd_jw_end(&j->w, ']');
        hd_jw_end(&j->w, '}');
        hd_txn_abort(&txn);

        return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
    }

    hd_txn_abort(&txn);

    states = hd_val_list(pool);

    for (i = 0; i < HD_KB_STATE_COUNT; i++) {
        st = hd_val_map(pool);
        hd_val_set_cstr(pool, st, "value", hd_kb_state_names[i]);
        ngx_snprintf(key, sizeof(key), "kb.states.%s%Z", hd_kb_state_names[i]);
        ngx_http_helpdesk_fill_str(hd_val_slot(pool, st, "label"),
                                   ngx_http_helpdesk_text(ctx, (char *) key));
        hd_val_set_bool(pool, st, "selected", (int) i == state);
        hd_val_push(pool, states, st);
    }

    hd_val_set(pool, view, "states", states);
    hd_val_set(pool, view, "articles", list);
    hd_val_set_bool(pool, view, "has_articles", n > 0);
    hd_val_set_int(pool, view, "total", (int64_t) total);
    hd_val_set_bool(pool, view, "may_edit",
                    hd_account_may(ctx->caller.account, HD_RIGHT_KB_EDIT));

    if (page > 1) {
        hd_val_set_int(pool, view, "prev_page", page - 1);
    }

    if ((size_t) page * NGX_HTTP_HELPDESK_STAFF_KB_PAGE < total) {
        hd_val_set_int(pool, view, "next_page", page + 1);
    }

    return ngx_http_helpdesk_render(r, ctx, "pages/staff_kb", view,
                                    NGX_HTTP_OK);
}


/* --- the editor -------------------------------------------------------------- */


static hd_val_t *
ngx_http_helpdesk_kb_choices(ngx_http_helpdesk_ctx_t *ctx, const char *group,
    const char **names, size_t n, const hd_str_t *chosen, const char *def)
{
    size_t       i;
    hd_val_t    *list, *item;
    hd_pool_t   *pool = &ctx->pool;
    u_char       key[64];

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        item = hd_val_map(pool);
        hd_val_set_cstr(pool, item, "value", names[i]);

        if (group != NULL) {
            ngx_snprintf(key, sizeof(key), "kb.%s.%s%Z", group, names[i]);
            ngx_http_helpdesk_fill_str(hd_val_slot(pool, item, "label"),
                                       ngx_http_helpdesk_text(ctx,
                                                              (char *) key));
        }

        hd_val_set_bool(pool, item, "selected",
                        chosen != NULL && chosen->data != NULL
                        ? hd_str_eq(chosen, names[i])
                        : ngx_strcmp(names[i], def) == 0);
        hd_val_push(pool, list, item);
    }

    return list;
}


static void
ngx_http_helpdesk_kb_set(hd_pool_t *pool, hd_val_t *values, const char *key,
    const hd_str_t *s)
{
    if (hd_val_get(values, key, ngx_strlen(key)) == NULL) {
        hd_val_set_str(pool, values, key, s->data, s->len);
    }
}


ngx_int_t
ngx_http_helpdesk_staff_kb_form_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    size_t            i, np, nsel;
    uint64_t          id, sel[HD_KB_LIST_MAX];
    hd_str_t          given, lang, audience, state, products, html;
    hd_txn_t          txn;
    hd_val_t         *view, *values, *list, *item;
    hd_pool_t        *pool = &ctx->pool;
    hd_product_t     *all;
    hd_kb_article_t   a;
    char              key[40];
    const char       *langs[HD_LANG_COUNT];

    static const char  *echo[] = { "title", "body", "tags", "versions",
                                   "related", NULL };

    id = ngx_http_helpdesk_kb_id(ctx);
    ngx_memzero(&a, sizeof(a));

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                     NULL)
        != HD_OK)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    if (id && (hd_kb_get(&txn, id, &a) != HD_OK
               || hd_record_strings_copy(&hd_kb_article_desc, &a, pool) != 0))
    {
        hd_txn_abort(&txn);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    view = ngx_http_helpdesk_view(r, ctx, id ? "kb.edit_title"
                                             : "kb.new_title");
    if (view == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);
    values = hd_val_get(view, "values", 6);

    /* what was sent, else what the article holds */
    if (id) {
        hd_val_set_int(pool, view, "id", (int64_t) id);
        hd_attachment_t  *files;
        size_t            nfiles;

        item = ngx_http_helpdesk_kb_item(ctx, &a);

        if (hd_kb_file_list(&txn, id, pool, &files, &nfiles) == HD_OK) {
            ngx_http_helpdesk_kb_files_view(ctx, item, &a, files, nfiles);
        }

        hd_val_set(pool, view, "article", item);
        ngx_http_helpdesk_kb_set(pool, values, "title", &a.title);
        ngx_http_helpdesk_kb_set(pool, values, "body", &a.body);
        ngx_http_helpdesk_kb_set(pool, values, "tags", &a.tags);
        ngx_http_helpdesk_kb_set(pool, values, "versions", &a.versions);
        ngx_http_helpdesk_kb_set(pool, values, "related", &a.related);
    }

    if (ctx->input != NULL) {
        (void) ngx_http_helpdesk_input_str(ctx, "language", &lang);
        (void) ngx_http_helpdesk_input_str(ctx, "audience", &audience);
        (void) ngx_http_helpdesk_input_str(ctx, "state", &state);

    } else {
        lang.data = (hd_uchar *) hd_langs[(id ? a.language : ctx->lang)
                                          % HD_LANG_COUNT].code;
        lang.len = 2;
        audience.data = (hd_uchar *)
                        hd_kb_audience_names[a.audience
                                             % HD_KB_AUDIENCE_COUNT];
        audience.len = ngx_strlen(audience.data);
        state.data = (hd_uchar *) hd_kb_state_names[a.state
                                                    % HD_KB_STATE_COUNT];
        state.len = ngx_strlen(state.data);
    }

    for (i = 0; i < HD_LANG_COUNT; i++) {
        langs[i] = hd_langs[i].code;
    }

    list = ngx_http_helpdesk_kb_choices(ctx, NULL, langs, HD_LANG_COUNT,
                                        &lang, "ru");
    hd_val_set(pool, view, "languages", list);
    hd_val_set(pool, view, "audiences",
               ngx_http_helpdesk_kb_choices(ctx, "audiences",
                                            hd_kb_audience_names,
                                            HD_KB_AUDIENCE_COUNT, &audience,
                                            "public"));
    hd_val_set(pool, view, "states",
               ngx_http_helpdesk_kb_choices(ctx, "states", hd_kb_state_names,
                                            HD_KB_STATE_COUNT, &state,
                                            "draft"));

    /* products as checkboxes: the form's product_N, else the article's */
    products = a.products;
    nsel = hd_kb_ids(&products, sel, HD_KB_LIST_MAX);

    list = hd_val_list(pool);

    if (hd_product_list(&txn, pool, &all, &np) == HD_OK) {
        for (i = 0; i < np; i++) {
            int  checked = 0;

            if (ctx->input != NULL) {
                ngx_snprintf((u_char *) key, sizeof(key), "product_%uL%Z",
                             all[i].id);
                checked = ngx_http_helpdesk_input_bool(ctx, key) == 1;

            } else {
                for (size_t k = 0; k < nsel; k++) {
                    checked |= sel[k] == all[i].id;
                }
            }

            item = hd_val_map(pool);
            hd_val_set_int(pool, item, "id", (int64_t) all[i].id);
            hd_val_set_str(pool, item, "name", all[i].name.data,
                           all[i].name.len);
            hd_val_set_bool(pool, item, "checked", checked);
            hd_val_push(pool, list, item);
        }
    }

    hd_txn_abort(&txn);

    hd_val_set(pool, view, "products", list);
    hd_val_set_bool(pool, view, "has_products", list->u.items.n > 0);

    /* "Preview": the text as readers will see it, nothing saved */
    item = hd_val_get(values, "body", 4);
    if (item != NULL && item->type == HD_VAL_STR) {
        given = item->u.str;

        if (hd_markdown_html(pool, &given, &html) == 0) {
            hd_val_set_str(pool, view, "preview", html.data, html.len);
        }
    }

    return ngx_http_helpdesk_render(r, ctx, "pages/staff_kb_edit", view,
                                    status);
}


ngx_int_t
ngx_http_helpdesk_staff_kb_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    if (ngx_http_helpdesk_kb_may_edit(r, ctx) != NGX_OK) {
        return ctx->rc;
    }

    return ngx_http_helpdesk_staff_kb_form_page(r, ctx, NULL, NGX_HTTP_OK);
}


/* --- saving -------------------------------------------------------------- */


static hd_rc
ngx_http_helpdesk_kb_save_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    ngx_http_helpdesk_kb_save_job_t  *j = arg;

    /* what other records it names is checked where it is written */
    hd_kb_validate(txn, &j->article, &j->job.errors);

    if (j->job.errors.n) {
        return hd_err_set(err, HD_INVALID, j->job.errors.item[0].field,
                          j->job.errors.item[0].code, "invalid article");
    }

    return hd_kb_save(txn, &j->article, j->editor, j->job.now, err);
}


static void
ngx_http_helpdesk_kb_save_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_kb_save_job_t  *j = data;

    (void) log;

    j->job.rc = hd_txn_run(j->job.portal.store, ngx_http_helpdesk_kb_save_txn,
                           j, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_kb_save_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    u_char                           *path;
    ngx_http_helpdesk_jw_t           *jw;
    ngx_http_helpdesk_kb_save_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_staff_kb_form_page);
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "helpdesk: article %uL revision %uD saved by %V",
                  j->article.id, j->article.revision,
                  (ngx_str_t *) &ctx->caller.account->login);

    if (!ctx->api) {
        path = ngx_pnalloc(r->pool, 48);
        if (path == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_sprintf(path, "staff/kb/%uL/edit%Z", j->article.id);

        return ngx_http_helpdesk_go(r, ctx, (char *) path, "kb_saved");
    }

    jw = ngx_http_helpdesk_jw_new(r);
    if (jw == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_jw_object(&jw->w);
    hd_jw_key(&jw->w, "id");
    hd_jw_int(&jw->w, (int64_t) j->article.id);
    hd_jw_key(&jw->w, "revision");
    hd_jw_int(&jw->w, j->article.revision);
    ngx_http_helpdesk_jw_kstr(&jw->w, "slug", &j->article.slug);
    hd_jw_end(&jw->w, '}');

    return ngx_http_helpdesk_jw_send(r, jw,
                                     j->article.revision == 1
                                     ? NGX_HTTP_CREATED : NGX_HTTP_OK);
}


/* an API's list of ids ([1, 4]) or a form's text ("1, 4") as "1,4" */
static ngx_int_t
ngx_http_helpdesk_kb_input_ids(ngx_http_helpdesk_ctx_t *ctx, const char *name,
    hd_str_t *out, ngx_uint_t *given)
{
    size_t     i, n;
    json_t    *v, *item;
    u_char    *p;
    hd_str_t   text;
    uint64_t   ids[HD_KB_LIST_MAX];

    *given = 0;
    v = ctx->input ? json_object_get(ctx->input, name) : NULL;

    if (v == NULL || json_is_null(v)) {
        return NGX_OK;
    }

    *given = 1;
    n = 0;

    if (json_is_array(v)) {
        json_array_foreach(v, i, item) {
            if (!json_is_integer(item) || json_integer_value(item) <= 0
                || n == HD_KB_LIST_MAX)
            {
                return NGX_ERROR;
            }

            ids[n++] = (uint64_t) json_integer_value(item);
        }

    } else if (json_is_string(v)) {
        text.data = (hd_uchar *) json_string_value(v);
        text.len = json_string_length(v);

        for (i = 0; i < text.len; i++) {
            if (!(text.data[i] >= '0' && text.data[i] <= '9')
                && text.data[i] != ',' && text.data[i] != ' ')
            {
                return NGX_ERROR;
            }
        }

        n = hd_kb_ids(&text, ids, HD_KB_LIST_MAX);

    } else {
        return NGX_ERROR;
    }

    out->data = hd_palloc(&ctx->pool, n * 21 + 1);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    p = out->data;

    for (i = 0; i < n; i++) {
        p = ngx_sprintf(p, "%s%uL", i ? "," : "", ids[i]);
    }

    out->len = p - out->data;

    return NGX_OK;
}


/* tags: an API's list of strings, or a form's text */
static ngx_int_t
ngx_http_helpdesk_kb_input_tags(ngx_http_helpdesk_ctx_t *ctx, hd_str_t *out,
    ngx_uint_t *given)
{
    size_t     i;
    json_t    *v, *item;
    hd_buf_t   b;

    *given = 0;
    v = ctx->input ? json_object_get(ctx->input, "tags") : NULL;

    if (v == NULL || json_is_null(v)) {
        return NGX_OK;
    }

    *given = 1;

    if (json_is_string(v)) {
        return ngx_http_helpdesk_input_str(ctx, "tags", out);
    }

    if (!json_is_array(v)) {
        return NGX_ERROR;
    }

    hd_buf_init(&b);

    json_array_foreach(v, i, item) {
        if (!json_is_string(item)
            || memchr(json_string_value(item), ',',
                      json_string_length(item)) != NULL)
        {
            hd_buf_free(&b);
            return NGX_ERROR;
        }

        if (b.len) {
            hd_buf_add_str(&b, ", ");
        }

        hd_buf_add(&b, json_string_value(item), json_string_length(item));
    }

    out->len = b.len;
    out->data = hd_pstrdup(&ctx->pool, b.data ? b.data : (hd_uchar *) "",
                           b.len);
    hd_buf_free(&b);

    return out->data ? NGX_OK : NGX_ERROR;
}


/* a choice by name: -1 not given, -2 not one of them */
static int
ngx_http_helpdesk_kb_input_name(ngx_http_helpdesk_ctx_t *ctx,
    const char *field, int (*of)(const hd_uchar *, size_t))
{
    hd_str_t  v;

    if (ctx->input == NULL || json_object_get(ctx->input, field) == NULL) {
        return -1;
    }

    if (ngx_http_helpdesk_input_str(ctx, field, &v) != NGX_OK
        || v.data == NULL)
    {
        return -2;
    }

    return of(v.data, v.len) >= 0 ? of(v.data, v.len) : -2;
}


static int
ngx_http_helpdesk_kb_lang_of(const hd_uchar *name, size_t len)
{
    size_t  i;

    for (i = 0; i < HD_LANG_COUNT; i++) {
        if (ngx_strlen(hd_langs[i].code) == len
            && ngx_strncmp(hd_langs[i].code, name, len) == 0)
        {
            return (int) i;
        }
    }

    return -1;
}


ngx_int_t
ngx_http_helpdesk_staff_kb_save(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int                               v;
    hd_str_t                          f[3], ids;
    hd_txn_t                          txn;
    ngx_uint_t                        given;
    hd_kb_article_t                  *a;
    ngx_http_helpdesk_kb_save_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "title", 2000, 0 },
        { "body", HD_KB_BODY_MAX + 1, 1 },
        { "versions", 2000, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_kb_may_edit(r, ctx) != NGX_OK) {
        return ctx->rc;
    }

    /* "Preview" on the form: the page again, nothing saved */
    if (!ctx->api && ctx->input != NULL
        && json_object_get(ctx->input, "preview") != NULL)
    {
        return ngx_http_helpdesk_staff_kb_form_page(r, ctx, NULL,
                                                    NGX_HTTP_OK);
    }

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, f) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    a = &j->article;
    a->id = ngx_http_helpdesk_kb_id(ctx);
    j->editor = ctx->caller.account->id;

    if (ctx->nargs && a->id == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    /* an edit starts from the article: what is not sent stays */
    if (a->id) {
        if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                         NULL)
            != HD_OK)
        {
            return ngx_http_helpdesk_error(r, ctx,
                                           NGX_HTTP_SERVICE_UNAVAILABLE,
                                           "storage_unavailable", NULL);
        }

        if (hd_kb_get(&txn, a->id, a) != HD_OK
            || hd_record_strings_copy(&hd_kb_article_desc, a, &ctx->pool)
               != 0)
        {
            hd_txn_abort(&txn);
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                           "not_found", NULL);
        }

        hd_txn_abort(&txn);

    } else {
        a->language = ctx->lang;
        a->audience = HD_KB_PUBLIC;
        a->state = HD_KB_DRAFT;
        hd_str_set(&a->title, "");
        hd_str_set(&a->body, "");
        hd_str_set(&a->products, "");
        hd_str_set(&a->tags, "");
        hd_str_set(&a->versions, "");
        hd_str_set(&a->related, "");
    }

    if (f[0].data != NULL) {
        a->title = f[0];
    }

    if (f[1].data != NULL) {
        a->body = f[1];
    }

    if (f[2].data != NULL) {
        a->versions = f[2];
    }

    v = ngx_http_helpdesk_kb_input_name(ctx, "language",
                                        ngx_http_helpdesk_kb_lang_of);
    if (v == -2) {
        hd_errors_add(&j->job.errors, "language", "language_invalid");
    } else if (v >= 0) {
        a->language = (uint8_t) v;
    }

    v = ngx_http_helpdesk_kb_input_name(ctx, "audience",
                                        hd_kb_audience_from_name);
    if (v == -2) {
        hd_errors_add(&j->job.errors, "audience", "audience_invalid");
    } else if (v >= 0) {
        a->audience = (uint8_t) v;
    }

    v = ngx_http_helpdesk_kb_input_name(ctx, "state", hd_kb_state_from_name);
    if (v == -2) {
        hd_errors_add(&j->job.errors, "state", "state_invalid");
    } else if (v >= 0) {
        a->state = (uint8_t) v;
    }

    if (ngx_http_helpdesk_kb_input_tags(ctx, &ids, &given) != NGX_OK) {
        hd_errors_add(&j->job.errors, "tags", "tags_invalid");
    } else if (given) {
        a->tags = ids;
    }

    if (ngx_http_helpdesk_kb_input_ids(ctx, "related", &ids, &given)
        != NGX_OK)
    {
        hd_errors_add(&j->job.errors, "related", "article_unknown");
    } else if (given) {
        a->related = ids;
    }

    /* products: the API's list, or the form's checkboxes */
    if (ctx->api) {
        if (ngx_http_helpdesk_kb_input_ids(ctx, "products", &ids, &given)
            != NGX_OK)
        {
            hd_errors_add(&j->job.errors, "products", "product_unknown");
        } else if (given) {
            a->products = ids;
        }

    } else {
        const char  *key;
        json_t      *item;
        u_char      *p;

        p = hd_palloc(&ctx->pool, HD_KB_LIST_MAX * 21 + 1);
        if (p == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        a->products.data = p;

        json_object_foreach(ctx->input, key, item) {
            if (ngx_strncmp(key, "product_", 8) != 0
                || ngx_http_helpdesk_input_bool(ctx, key) != 1
                || p - a->products.data > (HD_KB_LIST_MAX - 1) * 21)
            {
                continue;
            }

            size_t  k, len = ngx_strlen(key + 8);

            for (k = 0; k < len && key[8 + k] >= '0' && key[8 + k] <= '9';
                 k++)
            {
                /* void */
            }

            if (k == 0 || k != len || k > 15) {
                continue;
            }

            p = ngx_sprintf(p, "%s%s", p > a->products.data ? "," : "",
                            key + 8);
        }

        a->products.len = p - a->products.data;
    }

    hd_text_trim(&a->title);
    hd_text_trim(&a->tags);
    hd_text_trim(&a->versions);

    /* what can be said without the store, at once */
    hd_kb_validate(NULL, a, &j->job.errors);

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_staff_kb_form_page);
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_kb_save_work,
                                     ngx_http_helpdesk_kb_save_done, j);
}


/* the live preview: Markdown in, the HTML readers will get out */
ngx_int_t
ngx_http_helpdesk_staff_kb_preview(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t                 body[1], html;
    ngx_http_helpdesk_jw_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "body", HD_KB_BODY_MAX, 1 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, body) != NGX_OK) {
        return ctx->rc;
    }

    if (body[0].data == NULL) {
        hd_str_set(&body[0], "");
    }

    if (hd_markdown_html(&ctx->pool, &body[0], &html) != 0) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j = ngx_http_helpdesk_jw_new(r);
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_jw_object(&j->w);
    ngx_http_helpdesk_jw_kstr(&j->w, "html", &html);
    hd_jw_end(&j->w, '}');

    return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
}


/* --- revisions -------------------------------------------------------------- */


ngx_int_t
ngx_http_helpdesk_staff_kb_history(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                   i, k, n, nd;
    uint64_t                 id;
    hd_str_t                 empty = hd_null_string;
    hd_txn_t                 txn;
    hd_val_t                *view, *list, *item, *lines, *line;
    hd_pool_t               *pool = &ctx->pool;
    hd_kb_article_t          a;
    hd_kb_revision_t        *revs;
    hd_kb_diff_line_t       *diff;
    hd_account_t             who;
    ngx_http_helpdesk_jw_t  *j;

    id = ngx_http_helpdesk_kb_id(ctx);

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                     NULL)
        != HD_OK)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    if (id == 0 || hd_kb_get(&txn, id, &a) != HD_OK
        || hd_record_strings_copy(&hd_kb_article_desc, &a, pool) != 0
        || hd_kb_revisions(&txn, id, pool, &revs, &n) != HD_OK)
    {
        hd_txn_abort(&txn);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    if (ctx->api) {
        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        hd_jw_object(&j->w);
        hd_jw_key(&j->w, "revisions");
        hd_jw_array(&j->w);

        for (i = 0; i < n; i++) {
            hd_jw_object(&j->w);
            hd_jw_key(&j->w, "revision");
            hd_jw_int(&j->w, revs[i].revision);
            hd_jw_key(&j->w, "editor");
            hd_jw_int(&j->w, (int64_t) revs[i].editor);
            hd_jw_key(&j->w, "time");
            ngx_http_helpdesk_jw_time(&j->w, revs[i].time);
            ngx_http_helpdesk_jw_kstr(&j->w, "title", &revs[i].title);
            ngx_http_helpdesk_jw_kstr(&j->w, "body", &revs[i].body);
            hd_jw_key(&j->w, "state");
            hd_jw_cstr(&j->w,
                       hd_kb_state_names[revs[i].state % HD_KB_STATE_COUNT]);
            hd_jw_key(&j->w, "audience");
            hd_jw_cstr(&j->w, hd_kb_audience_names[revs[i].audience
                                                   % HD_KB_AUDIENCE_COUNT]);
            hd_jw_end(&j->w, '}');
        }

        hd_jw_end(&j->w, ']');
        hd_jw_end(&j->w, '}');
        hd_txn_abort(&txn);

        return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
    }

    view = ngx_http_helpdesk_view(r, ctx, "kb.history_title");
    if (view == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_val_set(pool, view, "article", ngx_http_helpdesk_kb_item(ctx, &a));
    list = hd_val_list(pool);

    /* each revision against the one before it */
    for (i = 0; i < n; i++) {
        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "revision", revs[i].revision);
        hd_val_set(pool, item, "time",
                   ngx_http_helpdesk_time_text(ctx, revs[i].time));

        if (hd_account_get(&txn, revs[i].editor, &who) == HD_OK) {
            hd_val_set_str(pool, item, "editor", who.name.data,
                           who.name.len);
        }

        if (i + 1 < n && (revs[i].title.len != revs[i + 1].title.len
                      || ngx_memcmp(revs[i].title.data, revs[i + 1].title.data,
                                    revs[i].title.len) != 0)) {
            hd_val_set_str(pool, item, "old_title", revs[i + 1].title.data,
                           revs[i + 1].title.len);
            hd_val_set_str(pool, item, "new_title", revs[i].title.data,
                           revs[i].title.len);
        }

        if (i + 1 < n && revs[i].state != revs[i + 1].state) {
            u_char  key[64];

            ngx_snprintf(key, sizeof(key), "kb.states.%s%Z",
                         hd_kb_state_names[revs[i].state % HD_KB_STATE_COUNT]);
            ngx_http_helpdesk_fill_str(hd_val_slot(pool, item, "new_state"),
                                       ngx_http_helpdesk_text(ctx,
                                                              (char *) key));
        }

        nd = hd_kb_diff(pool, i + 1 < n ? &revs[i + 1].body : &empty,
                        &revs[i].body, &diff);
        lines = hd_val_list(pool);

        for (k = 0; k < nd; k++) {
            /* the unchanged lines far from a change are left out */
            if (diff[k].op == '=') {
                size_t  d, near = 0;

                for (d = 1; d <= 2 && !near; d++) {
                    near = (k >= d && diff[k - d].op != '=')
                           || (k + d < nd && diff[k + d].op != '=');
                }

                if (!near) {
                    continue;
                }
            }

            line = hd_val_map(pool);
            hd_val_set_str(pool, line, "text", diff[k].line.data,
                           diff[k].line.len);
            hd_val_set_bool(pool, line, "added", diff[k].op == '+');
            hd_val_set_bool(pool, line, "removed", diff[k].op == '-');
            hd_val_push(pool, lines, line);
        }

        hd_val_set(pool, item, "lines", lines);
        hd_val_set_bool(pool, item, "has_lines", lines->u.items.n > 0);
        hd_val_set_bool(pool, item, "first", i + 1 == n);
        hd_val_push(pool, list, item);
    }

    hd_txn_abort(&txn);

    hd_val_set(pool, view, "revisions", list);

    return ngx_http_helpdesk_render(r, ctx, "pages/staff_kb_history", view,
                                    NGX_HTTP_OK);
}


/* --- the report -------------------------------------------------------------- */


typedef struct {
    hd_kb_article_t   article;
    hd_kb_stats_t     stats;
} ngx_http_helpdesk_kb_ranked_t;


static int
ngx_http_helpdesk_kb_by_views(const void *a, const void *b)
{
    const ngx_http_helpdesk_kb_ranked_t  *x = a, *y = b;

    return x->stats.views < y->stats.views ? 1
           : x->stats.views > y->stats.views ? -1 : 0;
}


/* the least helpful: most "no" votes against "yes" ones */
static int
ngx_http_helpdesk_kb_by_unhelpful(const void *a, const void *b)
{
    const ngx_http_helpdesk_kb_ranked_t  *x = a, *y = b;
    int64_t  dx, dy;

    dx = (int64_t) x->stats.unhelpful - x->stats.helpful;
    dy = (int64_t) y->stats.unhelpful - y->stats.helpful;

    return dx < dy ? 1 : dx > dy ? -1 : 0;
}


static hd_val_t *
ngx_http_helpdesk_kb_ranked_view(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_kb_ranked_t *r, size_t n, size_t max, int unhelpful)
{
    size_t      i;
    hd_val_t   *list, *item;
    hd_pool_t  *pool = &ctx->pool;

    list = hd_val_list(pool);

    for (i = 0; i < n && i < max; i++) {
        if (unhelpful && r[i].stats.unhelpful == 0) {
            break;
        }

        item = ngx_http_helpdesk_kb_item(ctx, &r[i].article);
        hd_val_set_int(pool, item, "views", (int64_t) r[i].stats.views);
        hd_val_set_int(pool, item, "helpful", r[i].stats.helpful);
        hd_val_set_int(pool, item, "not_helpful", r[i].stats.unhelpful);
        hd_val_set_int(pool, item, "deflections", r[i].stats.deflections);
        hd_val_push(pool, list, item);
    }

    return list;
}


ngx_int_t
ngx_http_helpdesk_staff_kb_report(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                          i, n, nm, total;
    uint64_t                        deflections = 0;
    hd_txn_t                        txn;
    hd_val_t                       *view, *list, *item;
    hd_pool_t                      *pool = &ctx->pool;
    hd_kb_filter_t                  f;
    hd_kb_missed_t                 *missed;
    hd_kb_article_t                *articles;
    ngx_http_helpdesk_jw_t         *j;
    ngx_http_helpdesk_kb_ranked_t  *ranked;

    f.reader = HD_KB_STAFF;
    f.product = 0;
    f.language = -1;
    f.state = HD_KB_PUBLISHED;
    f.audience = -1;

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                     NULL)
        != HD_OK)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    /* a report over what is published: a few thousand articles at most */
    if (hd_kb_list(&txn, &f, 0, 5000, pool, &articles, &n, &total) != HD_OK
        || hd_kb_missed(&txn, pool, 50, &missed, &nm) != HD_OK)
    {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    (void) hd_seq_peek(&txn, "kb_deflections", &deflections);

    ranked = hd_palloc(pool, (n ? n : 1) * sizeof(*ranked));
    if (ranked == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    for (i = 0; i < n; i++) {
        ranked[i].article = articles[i];
        hd_kb_stats_get(&txn, articles[i].id, &ranked[i].stats);
    }

    hd_txn_abort(&txn);

    if (ctx->api) {
        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        hd_jw_object(&j->w);
        hd_jw_key(&j->w, "deflections");
        hd_jw_int(&j->w, (int64_t) deflections);
        hd_jw_key(&j->w, "missed");
        hd_jw_array(&j->w);

        for (i = 0; i < nm; i++) {
            hd_jw_object(&j->w);
            ngx_http_helpdesk_jw_kstr(&j->w, "query", &missed[i].query);
            hd_jw_key(&j->w, "count");
            hd_jw_int(&j->w, missed[i].count);
            hd_jw_key(&j->w, "last");
            ngx_http_helpdesk_jw_time(&j->w, missed[i].last);
            hd_jw_end(&j->w, '}');
        }

        hd_jw_end(&j->w, ']');

        qsort(ranked, n, sizeof(*ranked), ngx_http_helpdesk_kb_by_views);
        hd_jw_key(&j->w, "most_viewed");
        hd_jw_array(&j->w);

        for (i = 0; i < n && i < 10; i++) {
            hd_jw_object(&j->w);
            hd_jw_key(&j->w, "id");
            hd_jw_int(&j->w, (int64_t) ranked[i].article.id);
            ngx_http_helpdesk_jw_kstr(&j->w, "title", &ranked[i].article.title);
            hd_jw_key(&j->w, "views");
            hd_jw_int(&j->w, (int64_t) ranked[i].stats.views);
            hd_jw_key(&j->w, "deflections");
            hd_jw_int(&j->w, ranked[i].stats.deflections);
            hd_jw_end(&j->w, '}');
        }

        hd_jw_end(&j->w, ']');

        qsort(ranked, n, sizeof(*ranked), ngx_http_helpdesk_kb_by_unhelpful);
        hd_jw_key(&j->w, "least_helpful");
        hd_jw_array(&j->w);

        for (i = 0; i < n && i < 10 && ranked[i].stats.unhelpful; i++) {
            hd_jw_object(&j->w);
            hd_jw_key(&j->w, "id");
            hd_jw_int(&j->w, (int64_t) ranked[i].article.id);
            ngx_http_helpdesk_jw_kstr(&j->w, "title", &ranked[i].article.title);
            hd_jw_key(&j->w, "helpful");
            hd_jw_int(&j->w, ranked[i].stats.helpful);
            hd_jw_key(&j->w, "not_helpful");
            hd_jw_int(&j->w, ranked[i].stats.unhelpful);
            hd_jw_end(&j->w, '}');
        }

        hd_jw_end(&j->w, ']');
        hd_jw_end(&j->w, '}');

        return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
    }

    view = ngx_http_helpdesk_view(r, ctx, "kb.report_title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_val_set_int(pool, view, "deflections", (int64_t) deflections);

    list = hd_val_list(pool);

    for (i = 0; i < nm; i++) {
        item = hd_val_map(pool);
        hd_val_set_str(pool, item, "query", missed[i].query.data,
                       missed[i].query.len);
        hd_val_set_int(pool, item, "count", missed[i].count);
        hd_val_set(pool, item, "last",
                   ngx_http_helpdesk_time_text(ctx, missed[i].last));
        hd_val_push(pool, list, item);
    }

    hd_val_set(pool, view, "missed", list);
    hd_val_set_bool(pool, view, "has_missed", nm > 0);

    qsort(ranked, n, sizeof(*ranked), ngx_http_helpdesk_kb_by_views);
    list = ngx_http_helpdesk_kb_ranked_view(ctx, ranked, n, 10, 0);
    hd_val_set(pool, view, "most_viewed", list);
    hd_val_set_bool(pool, view, "has_most_viewed", list->u.items.n > 0);

    qsort(ranked, n, sizeof(*ranked), ngx_http_helpdesk_kb_by_unhelpful);
    list = ngx_http_helpdesk_kb_ranked_view(ctx, ranked, n, 10, 1);
    hd_val_set(pool, view, "least_helpful", list);
    hd_val_set_bool(pool, view, "has_least_helpful", list->u.items.n > 0);

    return ngx_http_helpdesk_render(r, ctx, "pages/staff_kb_report", view,
                                    NGX_HTTP_OK);
}


/* --- a solution made an article ------------------------------------------------ */


/*
 * "Publish this solution as an article": a draft from the ticket's subject
 * and its last solution, in the editor at once, for the agent to take the
 * customer's details out before publishing
 */
ngx_int_t
ngx_http_helpdesk_staff_kb_from_ticket(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                            i, n;
    uint64_t                          number;
    hd_txn_t                          txn;
    hd_ticket_t                       t;
    hd_message_t                     *list, *solution = NULL;
    hd_kb_article_t                  *a;
    hd_staff_scope_t                  scope;
    ngx_http_helpdesk_kb_save_job_t  *j;

    if (ngx_http_helpdesk_kb_may_edit(r, ctx) != NGX_OK) {
        return ctx->rc;
    }

    number = ngx_http_helpdesk_ticket_arg(ctx);

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                     NULL)
        != HD_OK)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    /* a ticket of another department is no ticket at all */
    if (number == 0 || hd_ticket_get(&txn, number, &t) != HD_OK
        || hd_staff_scope(&txn, ctx->caller.account, &scope) != HD_OK
        || !hd_staff_sees(&scope, t.department)
        || hd_message_list(&txn, number, 0, &ctx->pool, &list, &n) != HD_OK)
    {
        hd_txn_abort(&txn);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    hd_ticket_copy(&ctx->pool, &t);

    for (i = 0; i < n; i++) {
        if (list[i].kind == HD_MESSAGE_SOLUTION) {
            solution = &list[i];
        }
    }

    hd_txn_abort(&txn);

    if (solution == NULL) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_CONFLICT,
                                       "no_solution", NULL);
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    a = &j->article;
    a->title = t.subject;
    a->body.data = hd_pstrdup(&ctx->pool, solution->body.data,
                              solution->body.len);
    a->body.len = solution->body.len;
    a->language = ctx->lang;
    a->audience = HD_KB_PUBLIC;
    a->state = HD_KB_DRAFT;
    a->ticket = number;
    hd_str_set(&a->tags, "");
    hd_str_set(&a->versions, "");
    hd_str_set(&a->related, "");
    hd_str_set(&a->products, "");

    if (t.product) {
        a->products.data = hd_palloc(&ctx->pool, NGX_INT64_LEN);
        if (a->products.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        a->products.len = ngx_sprintf(a->products.data, "%uL", t.product)
                          - a->products.data;
    }

    j->editor = ctx->caller.account->id;

    /* a draft: the agent edits it before anyone reads it */
    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_kb_save_work,
                                     ngx_http_helpdesk_kb_save_done, j);
}

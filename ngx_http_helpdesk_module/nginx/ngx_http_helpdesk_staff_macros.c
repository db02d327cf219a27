/*
 * Canned replies of the staff desk (issue 17): staff/macros lists and adds
 * them (shared ones by managers and administrators), a staff ticket page
 * offers them, and staff/tickets/{n}?macro=ID fills its reply form with the
 * text (placeholders filled) and the kind; the agent reads it and sends.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_macro.h"


typedef struct {
    ngx_http_helpdesk_job_t         job;
    hd_macro_t                      m;
    ngx_uint_t                      remove;
    hd_account_t                    caller;     /* who deletes: may they */
} ngx_http_helpdesk_macro_job_t;


static const char  *ngx_http_helpdesk_macro_kinds[] = {
    "reply", "note", "info_request", "solution", NULL
};


static json_t *
ngx_http_helpdesk_macro_json(const hd_macro_t *m)
{
    return json_pack("{s:I, s:s%, s:s%, s:s, s:b}", "id", (json_int_t) m->id,
                     "title", m->title.data, m->title.len, "body",
                     m->body.data, m->body.len, "kind",
                     hd_message_kind_names[m->kind % HD_MESSAGE_KIND_COUNT],
                     "shared", m->owner == 0);
}


/* the macros a staff member may use, into a view (list) or JSON (array) */
static ngx_int_t
ngx_http_helpdesk_macros_of(ngx_http_helpdesk_ctx_t *ctx, hd_txn_t *in,
    hd_val_t *view, json_t *array)
{
    hd_rc        rc;
    size_t       i, n;
    hd_txn_t     txn;
    hd_val_t    *list, *item;
    hd_pool_t   *pool = &ctx->pool;
    hd_macro_t  *macros;

    /* the caller's transaction, or one of its own */
    if (in == NULL
        && hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                        NULL)
           != HD_OK)
    {
        return NGX_ERROR;
    }

    rc = hd_macro_list(in ? in : &txn, ctx->caller.account->id, pool,
                       &macros, &n);

    if (in == NULL) {
        hd_txn_abort(&txn);
    }

    if (rc != HD_OK) {
        return NGX_ERROR;
    }

    list = view ? hd_val_list(pool) : NULL;

    for (i = 0; i < n; i++) {
        if (array != NULL) {
            json_array_append_new(array,
                                  ngx_http_helpdesk_macro_json(&macros[i]));
            continue;
        }

        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "id", (int64_t) macros[i].id);
        hd_val_set_str(pool, item, "title", macros[i].title.data,
                       macros[i].title.len);
        hd_val_set_bool(pool, item, "shared", macros[i].owner == 0);
        hd_val_set_bool(pool, item, "may_edit",
                        hd_macro_may_edit(&macros[i], ctx->caller.account));
        ngx_http_helpdesk_set_label(ctx, item, "kind",
                                    NGX_HTTP_HELPDESK_L_KIND, macros[i].kind);
        hd_val_push(pool, list, item);
    }

    if (view != NULL) {
        hd_val_set(pool, view, "macros", list);
        hd_val_set_bool(pool, view, "has_macros", n != 0);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_helpdesk_macros_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    hd_val_t  *view;
    json_t    *array;

    static const char  *echo[] = { "title", "body", "kind", NULL };

    if (ctx->api) {
        array = json_array();

        if (array == NULL
            || ngx_http_helpdesk_macros_of(ctx, NULL, NULL, array) != NGX_OK)
        {
            json_decref(array);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
                   json_pack("{s:o}", "macros", array));
    }

    view = ngx_http_helpdesk_view(r, ctx, "macros.title");
    if (view == NULL
        || ngx_http_helpdesk_macros_of(ctx, NULL, view, NULL) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);
    hd_val_set_bool(&ctx->pool, view, "may_share",
                    ctx->caller.account->role >= HD_ROLE_MANAGER);

    return ngx_http_helpdesk_render(r, ctx, "pages/staff_macros", view,
                                    status);
}


ngx_int_t
ngx_http_helpdesk_staff_macros(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_macros_page(r, ctx, NULL, NGX_HTTP_OK);
}


static hd_rc
ngx_http_helpdesk_macro_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    hd_macro_t                      old;
    ngx_http_helpdesk_macro_job_t  *j = arg;

    if (!j->remove) {
        return hd_macro_save(txn, &j->m, err);
    }

    if (hd_macro_get(txn, j->m.id, &old) != HD_OK
        || !hd_macro_may_edit(&old, &j->caller))
    {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                          "no such macro of yours");
    }

    return hd_macro_delete(txn, j->m.id, err);
}


static void
ngx_http_helpdesk_macro_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_macro_job_t  *j = data;

    j->job.rc = hd_txn_run(j->job.portal.store, ngx_http_helpdesk_macro_txn,
                           j, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_macro_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_macro_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_macros_page);
    }

    if (!ctx->api) {
        return ngx_http_helpdesk_go(r, ctx, "staff/macros",
                                    j->remove ? "macro_deleted"
                                              : "macro_saved");
    }

    if (j->remove) {
        return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
                                           json_pack("{s:b}", "deleted", 1));
    }

    return ngx_http_helpdesk_send_json(r, NGX_HTTP_CREATED,
                                       ngx_http_helpdesk_macro_json(&j->m));
}


/* POST staff/macros, api/v1/staff/macros: title, body, kind, shared */
ngx_int_t
ngx_http_helpdesk_staff_macro_add(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int                             kind;
    hd_str_t                        v[2];
    ngx_http_helpdesk_macro_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "title", 4 * HD_MACRO_TITLE_MAX, 0 },
        { "body", 4 * HD_BODY_MAX_CHARS, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    kind = ngx_http_helpdesk_input_choice(ctx, "kind",
                                          ngx_http_helpdesk_macro_kinds, 4);

    j->m.title = v[0];
    j->m.body = v[1];
    j->m.kind = kind >= 0 ? (uint8_t) (HD_MESSAGE_REPLY + kind)
                          : (kind == -1 ? HD_MESSAGE_REPLY : 0xff);
    j->m.author = ctx->caller.account->id;
    j->m.created = (uint64_t) ngx_time();
    j->m.owner = ctx->caller.account->id;

    /* shared: for everyone, made by those who lead them */
    if (ngx_http_helpdesk_input_bool(ctx, "shared") == 1) {
        if (ctx->caller.account->role < HD_ROLE_MANAGER) {
            hd_errors_add(&j->job.errors, "shared", "shared_not_allowed");
        }

        j->m.owner = 0;
    }

    hd_macro_validate(&j->m, &j->job.errors);

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_macros_page);
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_macro_work,
                                     ngx_http_helpdesk_macro_done, j);
}


/* POST staff/macros/{id}/delete, DELETE api/v1/staff/macros/{id} */
ngx_int_t
ngx_http_helpdesk_staff_macro_delete(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_http_helpdesk_macro_job_t  *j;

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->m.id = ngx_http_helpdesk_ticket_arg(ctx);
    j->remove = 1;
    j->caller.id = ctx->caller.account->id;
    j->caller.role = ctx->caller.account->role;

    if (j->m.id == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_macro_work,
                                     ngx_http_helpdesk_macro_done, j);
}


/*
 * The staff ticket page: the macros to choose from, and with ?macro=ID the
 * reply's text and kind as the macro makes them (into values, unless a form
 * came back with its own)
 */
void
ngx_http_helpdesk_macro_offer(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_txn_t *txn, hd_val_t *view,
    const hd_ticket_t *t, const hd_str_t *customer)
{
    hd_buf_t          out;
    hd_val_t         *values;
    uint64_t          id;
    ngx_str_t         arg;
    hd_macro_t        m;
    hd_macro_vars_t   vars;

    (void) ngx_http_helpdesk_macros_of(ctx, txn, view, NULL);

    if (ngx_http_arg(r, (u_char *) "macro", 5, &arg) != NGX_OK
        || arg.len == 0 || arg.len > 15)
    {
        return;
    }

    id = (uint64_t) ngx_atoof(arg.data, arg.len);

    if (id == (uint64_t) NGX_ERROR || id == 0
        || hd_macro_get(txn, id, &m) != HD_OK
        || (m.owner != 0 && m.owner != ctx->caller.account->id))
    {
        return;
    }

    ngx_memzero(&vars, sizeof(vars));
    vars.customer = *customer;
    vars.subject = t->subject;
    vars.agent = ctx->caller.account->name;
    vars.ticket = t->number;

    hd_buf_init(&out);

    if (hd_macro_expand(&m.body, &vars, &out) == 0) {
        values = hd_val_get(view, "values", 6);

        if (values == NULL) {
            values = hd_val_map(&ctx->pool);
            hd_val_set(&ctx->pool, view, "values", values);
        }

        hd_val_set_str(&ctx->pool, values, "body",
                       hd_pstrdup(&ctx->pool, out.data, out.len), out.len);
        hd_val_set_cstr(&ctx->pool, view, "macro_kind",
                        hd_message_kind_names[m.kind
                                              % HD_MESSAGE_KIND_COUNT]);

        /* the kind's radio button checked: "kind_reply", "kind_note"... */
        {
            u_char  key[40];

            ngx_sprintf(key, "kind_%s%Z",
                        hd_message_kind_names[m.kind % HD_MESSAGE_KIND_COUNT]);
            hd_val_set_bool(&ctx->pool, view,
                            (char *) hd_pstrdup(&ctx->pool, key,
                                                ngx_strlen(key) + 1), 1);
        }
        hd_val_set_str(&ctx->pool, view, "macro_title",
                       hd_pstrdup(&ctx->pool, m.title.data, m.title.len),
                       m.title.len);
    }

    hd_buf_free(&out);
}

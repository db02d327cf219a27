/*
 * The customer's company: its page (members, roles, rights, certificates),
 * creating it, invitations and joining, members' roles and rights,
 * removal, leaving, deletion. HTML and API alike; the caller's company is
 * always the one acted on, and another company's member answers 404.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_certificate.h"
#include "hd_company.h"
#include "hd_token.h"


typedef struct {
    ngx_http_helpdesk_job_t   job;
    uint64_t                  actor;
    uint64_t                  target;
    uint64_t                  company;
    hd_str_t                  text;         /* a name, an address, a token */
    int                       role;
    int                       rights;
    size_t                    members;
    size_t                    certificates;
} ngx_http_helpdesk_company_job_t;


static ngx_int_t ngx_http_helpdesk_company_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);


/* the caller's company and membership, read in the event loop's txn */
static ngx_int_t
ngx_http_helpdesk_caller_company(ngx_http_helpdesk_ctx_t *ctx, hd_txn_t *txn,
    hd_company_t *company, hd_member_t *member)
{
    uint64_t  id = ctx->caller.account->company;

    if (id == 0 || hd_company_get(txn, id, company) != HD_OK
        || hd_company_member(txn, id, ctx->caller.account->id, member)
           != HD_OK)
    {
        return NGX_DECLINED;
    }

    company->name.data = hd_pstrdup(&ctx->pool, company->name.data,
                                    company->name.len);

    return NGX_OK;
}


static json_t *
ngx_http_helpdesk_company_json(ngx_http_helpdesk_ctx_t *ctx, hd_txn_t *txn,
    hd_company_t *c, hd_member_t *me)
{
    size_t             i, n;
    json_t            *members, *m;
    hd_member_info_t  *list;

    members = json_array();

    if (hd_company_members(txn, c->id, &ctx->pool, &list, &n) == HD_OK) {
        for (i = 0; i < n; i++) {
            m = json_pack("{s:I, s:s#, s:s, s:b}",
                          "id", (json_int_t) list[i].member.account,
                          "name", list[i].name.data, list[i].name.len,
                          "role", hd_member_role_names[list[i].member.role
                                                     % HD_MEMBER_ROLE_COUNT],
                          "sees_company_tickets",
                          (list[i].member.rights & HD_RIGHT_SEES_TICKETS)
                          != 0);

            /* addresses are for those who manage the members */
            if (m != NULL && me->role >= HD_MEMBER_ADMIN) {
                json_object_set_new(m, "email",
                                    json_stringn((char *) list[i].email.data,
                                                 list[i].email.len));
            }

            json_array_append_new(members, m);
        }
    }

    return json_pack("{s:I, s:s#, s:s, s:b, s:o}",
                     "id", (json_int_t) c->id,
                     "name", c->name.data, c->name.len,
                     "role", hd_member_role_names[me->role
                                                  % HD_MEMBER_ROLE_COUNT],
                     "sees_company_tickets",
                     (me->rights & HD_RIGHT_SEES_TICKETS) != 0,
                     "members", members);
}


ngx_int_t
ngx_http_helpdesk_company(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    json_t        *json;
    hd_err_t       err;
    hd_txn_t       txn;
    hd_member_t    me;
    hd_company_t   c;

    if (!ctx->api) {
        return ngx_http_helpdesk_company_page(r, ctx, NULL, NGX_HTTP_OK);
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    json = NULL;

    if (ngx_http_helpdesk_caller_company(ctx, &txn, &c, &me) == NGX_OK) {
        json = ngx_http_helpdesk_company_json(ctx, &txn, &c, &me);
    }

    hd_txn_abort(&txn);

    if (json == NULL) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "no_company", NULL);
    }

    return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK, json);
}


static ngx_int_t
ngx_http_helpdesk_company_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    size_t              i, n, k, nc;
    hd_err_t            err;
    hd_txn_t            txn;
    hd_val_t           *view, *members, *item, *certs;
    hd_pool_t          *pool = &ctx->pool;
    hd_member_t         me;
    hd_company_t        c;
    hd_member_info_t   *list;
    hd_certificate_t   *cl;
    hd_cert_type_t      t;

    static const char  *echo[] = { "name", "email", NULL };

    view = ngx_http_helpdesk_view(r, ctx, "company.title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (ngx_http_helpdesk_caller_company(ctx, &txn, &c, &me) != NGX_OK) {
        hd_txn_abort(&txn);
        return ngx_http_helpdesk_render(r, ctx, "pages/company", view,
                                        status);
    }

    item = hd_val_map(pool);
    hd_val_set_str(pool, item, "name", c.name.data, c.name.len);
    hd_val_set_bool(pool, item, "admin", me.role >= HD_MEMBER_ADMIN);
    hd_val_set_bool(pool, item, "owner", me.role == HD_MEMBER_OWNER);
    hd_val_set_bool(pool, item, "sees_tickets",
                    (me.rights & HD_RIGHT_SEES_TICKETS) != 0);
    hd_val_set(pool, view, "company", item);

    members = hd_val_list(pool);

    if (hd_company_members(&txn, c.id, pool, &list, &n) == HD_OK) {
        for (i = 0; i < n; i++) {
            item = hd_val_map(pool);
            hd_val_set_int(pool, item, "id", list[i].member.account);
            hd_val_set_str(pool, item, "name", list[i].name.data,
                           list[i].name.len);

            if (me.role >= HD_MEMBER_ADMIN) {
                hd_val_set_str(pool, item, "email", list[i].email.data,
                               list[i].email.len);
            }

            hd_val_set_bool(pool, item, "owner",
                            list[i].member.role == HD_MEMBER_OWNER);
            hd_val_set_bool(pool, item, "is_admin",
                            list[i].member.role == HD_MEMBER_ADMIN);
            hd_val_set_bool(pool, item, "sees_tickets",
                            (list[i].member.rights & HD_RIGHT_SEES_TICKETS)
                            != 0);
            hd_val_set_bool(pool, item, "me",
                            list[i].member.account
                            == ctx->caller.account->id);
            /* who may be managed here: not the owner, by admins */
            hd_val_set_bool(pool, item, "manageable",
                            me.role >= HD_MEMBER_ADMIN
                            && list[i].member.role != HD_MEMBER_OWNER);
            hd_val_push(pool, members, item);
        }
    }

    hd_val_set(pool, view, "members", members);

    certs = hd_val_list(pool);

    if (hd_cert_list_holder(&txn, HD_HOLDER_COMPANY, c.id, pool, &cl, &nc)
        == HD_OK)
    {
        for (k = 0; k < nc; k++) {
            item = hd_val_map(pool);
            hd_val_set_str(pool, item, "number", cl[k].number.data,
                           cl[k].number.len);

            if (hd_cert_type_get(&txn, cl[k].type, &t) == HD_OK) {
                hd_val_set_str(pool, item, "type",
                               hd_pstrdup(pool, t.name.data, t.name.len),
                               t.name.len);
            }

            hd_val_push(pool, certs, item);
        }
    }

    hd_val_set(pool, view, "company_certificates", certs);

    hd_txn_abort(&txn);

    return ngx_http_helpdesk_render(r, ctx, "pages/company", view, status);
}


/* the answer of a company action: JSON, or back to the page with a notice */
static ngx_int_t
ngx_http_helpdesk_company_answer(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_http_helpdesk_company_job_t *j,
    ngx_uint_t status, const char *notice)
{
    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_company_page);
    }

    if (!ctx->api) {
        return ngx_http_helpdesk_go(r, ctx, "company", notice);
    }

    if (status == NGX_HTTP_NO_CONTENT) {
        return ngx_http_helpdesk_no_content(r);
    }

    /* a company made or joined: the company, as GET /company shows it */
    if (status == NGX_HTTP_CREATED || j->company != ctx->caller.account->company)
    {
        hd_txn_t       txn;
        hd_member_t    me;
        hd_company_t   c;
        json_t        *json = NULL;

        if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                         NULL)
            == HD_OK)
        {
            if (hd_company_get(&txn, j->company, &c) == HD_OK
                && hd_company_member(&txn, j->company, j->actor, &me)
                   == HD_OK)
            {
                c.name.data = hd_pstrdup(&ctx->pool, c.name.data,
                                         c.name.len);
                json = ngx_http_helpdesk_company_json(ctx, &txn, &c, &me);
            }

            hd_txn_abort(&txn);
        }

        if (json != NULL) {
            return ngx_http_helpdesk_send_json(r, status, json);
        }
    }

    return ngx_http_helpdesk_send_json(r, status,
               json_pack("{s:s, s:I}", "status", notice,
                         "company", (json_int_t) j->company));
}


static ngx_http_helpdesk_company_job_t *
ngx_http_helpdesk_company_job(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_http_helpdesk_company_job_t  *j;

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j != NULL) {
        j->actor = ctx->caller.account->id;
        j->company = ctx->caller.account->company;
        j->role = -1;
        j->rights = -1;
    }

    return j;
}


static void
ngx_http_helpdesk_create_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_company_job_t  *j = data;

    j->job.rc = hd_company_create(&j->job.portal, j->actor, &j->text,
                                  j->job.now, &j->company, &j->job.errors,
                                  &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_create_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    return ngx_http_helpdesk_company_answer(r, ctx, data, NGX_HTTP_CREATED,
                                            "company_created");
}


ngx_int_t
ngx_http_helpdesk_company_create(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t                          v[1];
    ngx_http_helpdesk_company_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "name", 1000, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_company_job(r, ctx);
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->text = v[0];

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_create_work,
                                     ngx_http_helpdesk_create_done, j);
}


static void
ngx_http_helpdesk_invite_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_company_job_t  *j = data;

    j->job.rc = hd_company_invite(&j->job.portal, j->actor, &j->text,
                                  j->job.now, &j->job.errors, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_invite_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    return ngx_http_helpdesk_company_answer(r, ctx, data, NGX_HTTP_ACCEPTED,
                                            "invitation_sent");
}


ngx_int_t
ngx_http_helpdesk_company_invite(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t                          v[1];
    ngx_http_helpdesk_company_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "email", HD_EMAIL_MAX_BYTES, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_company_job(r, ctx);
    if (j == NULL || ngx_http_helpdesk_base_url(r, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->job.portal.base_url = ctx->portal.base_url;
    j->text = v[0];

    if (j->text.data == NULL) {
        j->text.data = (hd_uchar *) "";
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_invite_work,
                                     ngx_http_helpdesk_invite_done, j);
}


/*
 * The invitation's link. Its token goes into a cookie for an hour (never
 * into a URL that would be logged: ?next= of the login page), so that the
 * person can log in or register first and come back to /company/join
 */
ngx_int_t
ngx_http_helpdesk_company_join_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t      token, email;
    hd_val_t     *view, *inv;
    hd_pool_t    *pool = &ctx->pool;
    ngx_str_t     cookie;
    hd_company_t  c;

    static const char  *echo[] = { "token", NULL };

    if (ngx_http_helpdesk_secret_arg(r, "token", &token) == NGX_OK) {
        ngx_http_helpdesk_set_cookie(r, ctx, "hd_invite",
                                     (char *) token.data, 3600);

    } else if (ngx_http_helpdesk_cookie(r, "hd_invite", &cookie) == NGX_OK) {
        token.data = cookie.data;
        token.len = cookie.len;

    } else {
        token.len = 0;
    }

    if (token.len == 0
        || hd_company_invitation(&ctx->portal, &token, ngx_time(), pool, &c,
                                 &email)
           != HD_OK)
    {
        return ngx_http_helpdesk_message(r, ctx, "join.title",
                                         "join.invalid", "", "error.home",
                                         NGX_HTTP_NOT_FOUND);
    }

    if (ngx_http_helpdesk_input_set(r, ctx,
                                    json_pack("{s:s#}", "token", token.data,
                                              token.len))
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    view = ngx_http_helpdesk_view(r, ctx, "join.title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, NULL);

    inv = hd_val_map(pool);
    hd_val_set_str(pool, inv, "company", c.name.data, c.name.len);
    hd_val_set_str(pool, inv, "email", email.data, email.len);
    hd_val_set(pool, view, "invitation", inv);

    return ngx_http_helpdesk_render(r, ctx, "pages/company_join", view,
                                    NGX_HTTP_OK);
}


static void
ngx_http_helpdesk_join_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_company_job_t  *j = data;

    j->job.rc = hd_company_join(&j->job.portal, &j->text, j->actor,
                                j->job.now, &j->company, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_join_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_company_job_t  *j = data;

    if (j->job.rc == HD_OK && !ctx->api) {
        ngx_http_helpdesk_set_cookie(r, ctx, "hd_invite", NULL, 0);
    }

    if (j->job.rc != HD_OK && !ctx->api) {
        return ngx_http_helpdesk_message(r, ctx, "join.title",
                                         j->job.rc == HD_FORBIDDEN
                                         ? "join.other_address"
                                         : j->job.rc == HD_CONFLICT
                                           ? "join.other_company"
                                           : "join.invalid",
                                         "company", "join.to_company",
                                         ngx_http_helpdesk_status(j->job.rc));
    }

    return ngx_http_helpdesk_company_answer(r, ctx, j, NGX_HTTP_OK, "joined");
}


ngx_int_t
ngx_http_helpdesk_company_join(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t                          v[1];
    ngx_http_helpdesk_company_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "token", 64, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_company_job(r, ctx);
    if (j == NULL || ngx_http_helpdesk_base_url(r, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->job.portal.base_url = ctx->portal.base_url;
    j->text = v[0];

    if (j->text.data == NULL) {
        j->text.data = (hd_uchar *) "";
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_join_work,
                                     ngx_http_helpdesk_join_done, j);
}


static void
ngx_http_helpdesk_member_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_company_job_t  *j = data;

    j->job.rc = hd_company_set_member(&j->job.portal, j->actor, j->target,
                                      j->role, j->rights, j->job.now,
                                      &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_member_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    return ngx_http_helpdesk_company_answer(r, ctx, data, NGX_HTTP_OK,
                                            "member_saved");
}


static ngx_int_t
ngx_http_helpdesk_member_id(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, uint64_t *id)
{
    ngx_int_t  n;

    n = ngx_atoi(ctx->args[0].data, ctx->args[0].len);

    if (n <= 0) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                           "not_found", NULL));
    }

    *id = (uint64_t) n;

    return NGX_OK;
}


/* role (member/admin) and the right "sees company tickets" of a member */
ngx_int_t
ngx_http_helpdesk_company_member(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int                               role;
    hd_str_t                          v[1], box;
    json_t                           *sees;
    ngx_http_helpdesk_company_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "role", 16, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_company_job(r, ctx);
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_helpdesk_member_id(r, ctx, &j->target) != NGX_OK) {
        return ctx->rc;
    }

    if (v[0].data != NULL) {
        role = hd_member_role_from_name(v[0].data, v[0].len);

        if (role < 0) {
            hd_errors_add(&j->job.errors, "role", "role_invalid");
            j->job.rc = HD_INVALID;
            return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                                ngx_http_helpdesk_company_page);
        }

        j->role = role;
    }

    /* the API: a boolean; the form: a checkbox, absent when unchecked */
    sees = ctx->input ? json_object_get(ctx->input, "sees_company_tickets")
                      : NULL;

    if (ctx->api) {
        if (sees != NULL && !json_is_boolean(sees)) {
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "field_not_boolean",
                                           "sees_company_tickets");
        }

        if (sees != NULL) {
            j->rights = json_is_true(sees) ? HD_RIGHT_SEES_TICKETS : 0;
        }

    } else {
        (void) ngx_http_helpdesk_input_str(ctx, "sees_company_tickets", &box);
        j->rights = box.len ? HD_RIGHT_SEES_TICKETS : 0;
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_member_work,
                                     ngx_http_helpdesk_member_done, j);
}


static void
ngx_http_helpdesk_remove_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_company_job_t  *j = data;

    j->job.rc = hd_company_remove_member(&j->job.portal, j->actor, j->target,
                                         j->job.now, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_remove_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_company_job_t  *j = data;

    return ngx_http_helpdesk_company_answer(r, ctx, j, NGX_HTTP_NO_CONTENT,
                                            j->target == j->actor
                                            ? "left_company"
                                            : "member_removed");
}


ngx_int_t
ngx_http_helpdesk_company_remove(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_http_helpdesk_company_job_t  *j;

    j = ngx_http_helpdesk_company_job(r, ctx);
    if (j == NULL || ngx_http_helpdesk_base_url(r, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->job.portal.base_url = ctx->portal.base_url;

    /* /company/leave has no id: the caller */
    if (ctx->nargs == 0) {
        j->target = j->actor;

    } else if (ngx_http_helpdesk_member_id(r, ctx, &j->target) != NGX_OK) {
        return ctx->rc;
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_remove_work,
                                     ngx_http_helpdesk_remove_done, j);
}


static void
ngx_http_helpdesk_delete_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_company_job_t  *j = data;

    j->job.rc = hd_company_delete(&j->job.portal, j->actor, j->job.now,
                                  &j->members, &j->certificates,
                                  &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_delete_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_company_job_t  *j = data;

    if (j->job.rc != HD_OK || !ctx->api) {
        return ngx_http_helpdesk_company_answer(r, ctx, j, NGX_HTTP_OK,
                                                "company_deleted");
    }

    return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
               json_pack("{s:s, s:I, s:I}", "status", "deleted",
                         "members", (json_int_t) j->members,
                         "certificates", (json_int_t) j->certificates));
}


ngx_int_t
ngx_http_helpdesk_company_delete(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_http_helpdesk_company_job_t  *j;

    j = ngx_http_helpdesk_company_job(r, ctx);
    if (j == NULL || ngx_http_helpdesk_base_url(r, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->job.portal.base_url = ctx->portal.base_url;

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_delete_work,
                                     ngx_http_helpdesk_delete_done, j);
}

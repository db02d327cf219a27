/*
 * What a customer does to tickets (SPEC §5.3, §5.5, §5.6): create, reply,
 * close, reopen, rate, as forms and in the API. Each reads its fields here,
 * then runs its core flow in a thread: uploads are stored for good first,
 * then one write transaction does the rest.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_input.h"
#include "hd_text.h"

#include "hd_ticket_customer.h"


typedef struct {
    ngx_http_helpdesk_job_t          job;
    hd_ticket_input_t                in;
    hd_ticket_change_t               change;
    hd_ticket_edit_t                 edit;
    size_t                           edited;
    hd_ticket_t                      t;
    ngx_http_helpdesk_upload_t      *uploads;
    ngx_uint_t                       nuploads;
    hd_upload_t                     *files;
    uint64_t                         author;
    uint64_t                         message;
    uint8_t                          status;
    ngx_uint_t                       suggest;   /* look for articles */
    ngx_uint_t                       has_advice;
    hd_version_t                     advice;    /* an update to install */
    char                             kb_shown[200];
} ngx_http_helpdesk_ticket_job_t;


/* one of a table's names: its index, -1 when absent, -2 when not one */
int
ngx_http_helpdesk_input_choice(ngx_http_helpdesk_ctx_t *ctx,
    const char *name, const char **names, size_t n)
{
    hd_str_t  v;

    if (ngx_http_helpdesk_input_str(ctx, name, &v) != NGX_OK) {
        return -2;
    }

    if (v.data == NULL || v.len == 0) {
        return -1;
    }

    return hd_name_index(names, n, v.data, v.len) >= 0
           ? hd_name_index(names, n, v.data, v.len) : -2;
}


/* yes or no: JSON true/false/1/0, or a form's "1", "on", "0"...; -2 neither */
int
ngx_http_helpdesk_input_bool(ngx_http_helpdesk_ctx_t *ctx, const char *name)
{
    return hd_input_bool(ctx->input, name, ctx->json);
}


static ngx_http_helpdesk_ticket_job_t *
ngx_http_helpdesk_ticket_job(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_http_helpdesk_ticket_job_t  *j;

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NULL;
    }

    j->uploads = ctx->uploads;
    j->nuploads = ctx->nuploads;

    if (j->nuploads) {
        j->files = ngx_pcalloc(r->pool, j->nuploads * sizeof(hd_upload_t));
        if (j->files == NULL) {
            return NULL;
        }
    }

    j->change.number = ngx_http_helpdesk_ticket_arg(ctx);
    j->change.actor = ctx->caller.account ? ctx->caller.account->id : 0;
    j->change.channel = ctx->api ? HD_CHANNEL_API : HD_CHANNEL_WEB;
    j->change.stars = -1;

    return j;
}


/* in the thread, before the flow: the uploads become stored files */
static hd_rc
ngx_http_helpdesk_ticket_files(ngx_http_helpdesk_ticket_job_t *j)
{
    j->in.files = j->files;
    j->in.nfiles = j->nuploads;
    j->change.files = j->files;
    j->change.nfiles = j->nuploads;

    if (j->nuploads == 0) {
        return HD_OK;
    }

    return ngx_http_helpdesk_store_uploads(&j->job.portal, j->uploads,
                                           j->nuploads, j->files,
                                           &j->job.err);
}


static void
ngx_http_helpdesk_create_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_ticket_job_t  *j = data;

    j->job.rc = ngx_http_helpdesk_ticket_files(j);

    if (j->job.rc != HD_OK) {
        return;
    }

    /* the articles that may answer it, recorded on the ticket: looked
       for here, not on the event loop (a search of a big knowledge base
       takes milliseconds) */
    if (j->suggest) {
        hd_txn_t  txn;

        if (hd_txn_begin(j->job.portal.store, &txn, HD_TXN_READ, NULL)
            == HD_OK)
        {
            (void) hd_kb_suggest_ids(&txn, HD_KB_CUSTOMER, &j->in.subject,
                                     &j->in.description, 5, j->kb_shown,
                                     sizeof(j->kb_shown));
            hd_txn_abort(&txn);
        }

        j->in.kb_shown.data = (hd_uchar *) j->kb_shown;
        j->in.kb_shown.len = ngx_strlen(j->kb_shown);
    }

    j->job.rc = hd_ticket_create(&j->job.portal, j->author, &j->in,
                                 j->job.now, &j->t, &j->job.errors,
                                 &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_create_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_ticket_job_t  *j = data;

    u_char           path[48], *p;
    hd_err_t         err;
    hd_txn_t         txn;
    json_t          *department, *body;
    hd_department_t  d;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_ticket_form_page);
    }

    if (ctx->api) {
        department = json_null();

        if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                         &err)
            == HD_OK)
        {
            if (hd_department_get(&txn, j->t.department, &d) == HD_OK) {
                department = json_stringn((char *) d.name.data, d.name.len);
            }

            hd_txn_abort(&txn);
        }

        body = json_pack("{s:I, s:s, s:s, s:o, s:b}",
                         "number", (json_int_t) j->t.number,
                         "status",
                         hd_status_names[j->t.status % HD_STATUS_COUNT],
                         "priority",
                         hd_priority_names[j->t.priority % HD_PRIORITY_COUNT],
                         "department", department,
                         "premium", j->t.premium != 0);

        if (body != NULL && j->has_advice) {
            json_object_set_new(body, "recommended_update",
                json_pack("{s:s#, s:s#, s:s#}",
                          "version", j->advice.name.data, j->advice.name.len,
                          "text", j->advice.update_text.data,
                          j->advice.update_text.len,
                          "link", j->advice.update_link.data,
                          j->advice.update_link.len));
        }

        return ngx_http_helpdesk_send_json(r, NGX_HTTP_CREATED, body);
    }

    p = ngx_sprintf(path, "tickets/%uL/created%Z", j->t.number);
    (void) p;

    return ngx_http_helpdesk_go(r, ctx, (char *) path, NULL);
}


/*
 * The new-ticket form and POST /api/v1/tickets (JSON, or multipart with
 * files): SPEC §5.3
 */
ngx_int_t
ngx_http_helpdesk_ticket_create(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int64_t                          n;
    hd_str_t                         v[6];
    ngx_http_helpdesk_ticket_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "subject", 4 * HD_SUBJECT_MAX_CHARS, 0 },
        { "description", 4 * HD_BODY_MAX_CHARS, 0 },
        { "certificate", 256, 0 },
        { "product", 4 * HD_PRODUCT_NAME_MAX, 0 },
        { "product_version", 4 * HD_VERSION_MAX_CHARS, 0 },
        { "os_version", 4 * HD_VERSION_MAX_CHARS, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_ticket_job(r, ctx);
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_ticket_input_init(&j->in);

    j->author = ctx->caller.account->id;
    j->in.subject = v[0];
    j->in.description = v[1];
    j->in.certificate = v[2];
    j->in.product = v[3];
    j->in.product_version = v[4];
    j->in.os_version = v[5];
    j->in.channel = ctx->api ? HD_CHANNEL_API : HD_CHANNEL_WEB;

    j->in.category = ngx_http_helpdesk_input_category(ctx, 1);
    j->in.type = ngx_http_helpdesk_input_choice(ctx, "type",
                                                hd_ticket_type_names,
                                                HD_TYPE_COUNT);
    n = ngx_http_helpdesk_input_number(ctx, "severity");
    j->in.severity = n == -1 ? -1 : (n < 0 || n > 100) ? -2 : (int) n;
    j->in.premium = ngx_http_helpdesk_input_bool(ctx, "premium");

    n = ngx_http_helpdesk_input_number(ctx, "reference");
    if (n == -2 || n == 0) {
        hd_errors_add(&j->job.errors, "reference", "ticket_unknown");

    } else if (n > 0) {
        j->in.reference = (uint64_t) n;
    }

    /* "Look for answers first" on the form: the page again, with them */
    if (!ctx->api && ctx->input != NULL
        && json_object_get(ctx->input, "suggest") != NULL)
    {
        return ngx_http_helpdesk_ticket_form_page(r, ctx, NULL, NGX_HTTP_OK);
    }

    /* bad fields are told before any file is kept */
    hd_ticket_validate(&j->in, &j->job.errors);

    /* the articles shown: what the form says it showed as one typed, or
       (the API, a form without JavaScript) what the search finds */
    {
        hd_str_t  shown;
        uint64_t  ids[5];
        size_t    i, n, len = 0;

        if (!ctx->api && ngx_http_helpdesk_input_str(ctx, "articles", &shown)
                         == NGX_OK
            && shown.len)
        {
            n = hd_kb_ids(&shown, ids, 5);

            for (i = 0; i < n; i++) {
                len = ngx_sprintf((u_char *) j->kb_shown + len, "%s%uL",
                                  len ? "," : "", ids[i])
                      - (u_char *) j->kb_shown;
            }

            j->kb_shown[len] = '\0';
            j->in.kb_shown.data = (hd_uchar *) j->kb_shown;
            j->in.kb_shown.len = len;

        } else {
            j->suggest = 1;
        }
    }

    /* the extra fields of its category's and type's form */
    if (ngx_http_helpdesk_form_input(ctx, j->in.category, j->in.type,
                                     &j->in.fields, &j->job.errors)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_ticket_form_page);
    }

    /* a version with an update to install first: the form says so once,
       and the customer may go on; the API answers it with the ticket */
    if (j->in.product_version.len) {
        hd_txn_t  txn;

        if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                         NULL)
            == HD_OK)
        {
            j->has_advice = hd_ticket_update_advice(&txn, &j->in, &ctx->pool,
                                                    &j->advice);
            hd_txn_abort(&txn);
        }

        if (j->has_advice && !ctx->api
            && ngx_http_helpdesk_input_bool(ctx, "update_seen") != 1)
        {
            ctx->advice = &j->advice;
            return ngx_http_helpdesk_ticket_form_page(r, ctx, NULL,
                                                      NGX_HTTP_OK);
        }
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_create_work,
                                     ngx_http_helpdesk_create_done, j);
}


static void
ngx_http_helpdesk_reply_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_ticket_job_t  *j = data;

    j->job.rc = ngx_http_helpdesk_ticket_files(j);

    if (j->job.rc == HD_OK) {
        j->job.rc = hd_ticket_reply(&j->job.portal, &j->change, j->job.now,
                                    &j->message, &j->status, &j->job.err);
    }
}


static void
ngx_http_helpdesk_reopen_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_ticket_job_t  *j = data;

    j->job.rc = ngx_http_helpdesk_ticket_files(j);

    if (j->job.rc == HD_OK) {
        j->job.rc = hd_ticket_reopen(&j->job.portal, &j->change, j->job.now,
                                     &j->status, &j->job.err);
    }
}


static void
ngx_http_helpdesk_close_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_ticket_job_t  *j = data;

    j->job.rc = hd_ticket_close(&j->job.portal, &j->change, j->job.now,
                                &j->status, &j->job.err);
}


static void
ngx_http_helpdesk_rate_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_ticket_job_t  *j = data;

    j->job.rc = hd_ticket_rate(&j->job.portal, &j->change, j->job.now,
                               &j->job.err);
}


/* a change is done: the API's answer, or back to the ticket with a notice */
static ngx_int_t
ngx_http_helpdesk_change_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_ticket_job_t  *j = data;

    u_char      path[48];
    json_t     *json;
    const char  *notice;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            j->change.token.len
                                            ? ngx_http_helpdesk_ticket_rate_page
                                            : ngx_http_helpdesk_ticket_page);
    }

    if (ctx->api) {
        if (j->message) {
            json = json_pack("{s:I, s:s}", "id", (json_int_t) j->message,
                             "status",
                             hd_status_names[j->status % HD_STATUS_COUNT]);
            return ngx_http_helpdesk_send_json(r, NGX_HTTP_CREATED, json);
        }

        if (j->change.stars > 0) {
            return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
                       json_pack("{s:i}", "stars", j->change.stars));
        }

        return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
                   json_pack("{s:s}", "status",
                             hd_status_names[j->status % HD_STATUS_COUNT]));
    }

    if (j->change.token.len) {
        /* from the e-mail, maybe without a session: a page of thanks */
        return ngx_http_helpdesk_message(r, ctx, "tickets.rate_title",
                                         "notices.rated", NULL, NULL,
                                         NGX_HTTP_OK);
    }

    if (j->change.stars > 0) {
        notice = "rated";

    } else if (j->message && j->change.body.len
               && ctx->route->handler == ngx_http_helpdesk_ticket_reopen)
    {
        notice = "ticket_reopened";

    } else if (j->message) {
        notice = "reply_added";

    } else {
        notice = "ticket_closed";
    }

    /* (a solution that fits: the page shows the stars first, under its
       header, which stays in sight with the closed state) */

    ngx_sprintf(path, "tickets/%uL%Z", j->change.number);

    return ngx_http_helpdesk_go(r, ctx, (char *) path, notice);
}


/* a change that carries a message and files: a reply, a reopening */
static ngx_int_t
ngx_http_helpdesk_ticket_message(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_http_helpdesk_work_pt work)
{
    hd_str_t                         v[1];
    ngx_http_helpdesk_ticket_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "body", 4 * HD_BODY_MAX_CHARS, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_ticket_job(r, ctx);
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (j->change.number == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    j->change.body = v[0];

    hd_ticket_validate_body(&j->change.body, "body", &j->job.errors);

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_ticket_page);
    }

    return ngx_http_helpdesk_offload(r, ctx, work,
                                     ngx_http_helpdesk_change_done, j);
}


/* a reply (with files): the form on the ticket and POST .../messages */
ngx_int_t
ngx_http_helpdesk_ticket_reply(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_ticket_message(r, ctx,
                                            ngx_http_helpdesk_reply_work);
}


/* back to work with a message, within the window (SPEC §5.5) */
ngx_int_t
ngx_http_helpdesk_ticket_reopen(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_ticket_message(r, ctx,
                                            ngx_http_helpdesk_reopen_work);
}


/*
 * Closing from the page: a solved ticket's form says confirm=yes ("the
 * solution fits"); any other asks first, on a page of its own, since
 * cancelling an unsolved ticket is final (SPEC §5.5). The API closes as
 * told.
 */
ngx_int_t
ngx_http_helpdesk_ticket_close(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t                         v[1];
    hd_val_t                        *view;
    ngx_http_helpdesk_ticket_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "confirm", 8, 0 },
        { NULL, 0, 0 }
    };

    if (!ctx->api) {
        if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
            return ctx->rc;
        }

        if (!(v[0].len == 3 && ngx_strncmp(v[0].data, "yes", 3) == 0)) {
            view = ngx_http_helpdesk_view(r, ctx, "tickets.cancel_title");
            if (view == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            hd_val_set_str(&ctx->pool, view, "number", ctx->args[0].data,
                           ctx->args[0].len);

            return ngx_http_helpdesk_render(r, ctx, "pages/ticket_cancel",
                                            view, NGX_HTTP_OK);
        }
    }

    j = ngx_http_helpdesk_ticket_job(r, ctx);
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (j->change.number == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_close_work,
                                     ngx_http_helpdesk_change_done, j);
}


/*
 * Stars and a comment: by the author on the ticket (or the API), or by
 * anyone holding the closing e-mail's signed link (field "t")
 */
ngx_int_t
ngx_http_helpdesk_ticket_rating(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int64_t                          stars;
    hd_str_t                         v[2];
    ngx_http_helpdesk_ticket_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "comment", 4 * HD_COMMENT_MAX_CHARS, 0 },
        { "t", 64, 1 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_ticket_job(r, ctx);
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (j->change.number == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    /* the link's route takes the token, and only the token */
    if (!(ctx->route->flags & NGX_HTTP_HELPDESK_AUTH)) {
        if (v[1].len == 0) {
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                           "link_invalid", NULL);
        }

        j->change.token = v[1];
        j->change.actor = 0;
    }

    stars = ngx_http_helpdesk_input_number(ctx, "stars");
    j->change.stars = (stars >= 1 && stars <= 5) ? (int) stars : 0;
    j->change.comment = v[0];

    if (j->change.stars == 0) {
        hd_errors_add(&j->job.errors, "stars", "stars_invalid");
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            j->change.token.len
                                            ? ngx_http_helpdesk_ticket_rate_page
                                            : ngx_http_helpdesk_ticket_page);
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_rate_work,
                                     ngx_http_helpdesk_change_done, j);
}


static void
ngx_http_helpdesk_edit_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_ticket_job_t  *j = data;

    (void) log;

    j->job.rc = hd_ticket_edit(&j->job.portal, &j->edit, j->job.now,
                               &j->edited, &j->job.errors, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_edit_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_ticket_job_t  *j = data;

    u_char  path[48];

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_ticket_page);
    }

    /* the API answers the ticket as it is now, the page goes back to it */
    if (ctx->api) {
        return ngx_http_helpdesk_ticket_page(r, ctx, NULL, NGX_HTTP_OK);
    }

    ngx_sprintf(path, "tickets/%uL%Z", j->edit.number);

    return ngx_http_helpdesk_go(r, ctx, (char *) path,
                                j->edited ? "ticket_saved" : NULL);
}


/* a text field given (even empty): its value; absent: data NULL */
static ngx_int_t
ngx_http_helpdesk_edit_text(ngx_http_helpdesk_ctx_t *ctx, const char *name,
    size_t max, hd_str_t *out, hd_errors_t *errors)
{
    out->data = NULL;
    out->len = 0;

    if (ctx->input == NULL || json_object_get(ctx->input, name) == NULL) {
        return NGX_OK;
    }

    if (ngx_http_helpdesk_input_str(ctx, name, out) != NGX_OK
        || out->data == NULL)
    {
        hd_errors_add(errors, name, "text_invalid");
        return NGX_OK;
    }

    if (out->len > max) {
        hd_errors_add(errors, name, ngx_strcmp(name, "subject") == 0
                                    ? "subject_too_long"
                                    : "version_too_long");
    }

    hd_text_trim(out);

    if (out->data == NULL) {
        out->data = (hd_uchar *) "";
    }

    return NGX_OK;
}


/*
 * A correction by the customer side (Kaspersky block 6): the author, or
 * their company's owner or an administrator for a colleague's request, sets
 * subject, type, severity, product, versions and extra fields while it is
 * unclosed. PATCH api/v1/tickets/{n}; the ticket page's "Correct the
 * request" form posts to tickets/{n}/edit. Each change is audited.
 */
ngx_int_t
ngx_http_helpdesk_ticket_edit(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int                              i;
    int64_t                          sev;
    hd_txn_t                         txn;
    hd_ticket_t                      t;
    hd_errors_t                     *errors;
    ngx_uint_t                       any;
    ngx_http_helpdesk_ticket_job_t  *j;

    j = ngx_http_helpdesk_ticket_job(r, ctx);
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (j->change.number == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    hd_ticket_edit_init(&j->edit);
    j->edit.number = j->change.number;
    j->edit.actor = j->change.actor;
    errors = &j->job.errors;

    (void) ngx_http_helpdesk_edit_text(ctx, "subject",
                                       4 * HD_SUBJECT_MAX_CHARS,
                                       &j->edit.subject, errors);
    (void) ngx_http_helpdesk_edit_text(ctx, "product", HD_PRODUCT_NAME_MAX,
                                       &j->edit.product, errors);
    (void) ngx_http_helpdesk_edit_text(ctx, "product_version",
                                       4 * HD_VERSION_MAX_CHARS,
                                       &j->edit.product_version, errors);
    (void) ngx_http_helpdesk_edit_text(ctx, "os_version",
                                       4 * HD_VERSION_MAX_CHARS,
                                       &j->edit.os_version, errors);

    any = j->edit.subject.data || j->edit.product.data
          || j->edit.product_version.data || j->edit.os_version.data;

    i = ngx_http_helpdesk_input_choice(ctx, "type", hd_ticket_type_names,
                                       HD_TYPE_COUNT);
    if (i == -2) {
        hd_errors_add(errors, "type", "type_invalid");
    }

    if (i >= 0) {
        j->edit.type = i;
        any = 1;
    }

    sev = ngx_http_helpdesk_input_number(ctx, "severity");
    if (sev != -1) {
        if (sev < 1 || sev > 4) {
            hd_errors_add(errors, "severity", "severity_invalid");

        } else {
            j->edit.severity = (int) sev;
            any = 1;
        }
    }

    /* the extra fields: the API's "fields", or the page's form; checked
       against the forms of the ticket's category and the type it will
       have (a ticket one may not see gets no form: the flow says 404) */
    if ((ctx->api && ctx->input != NULL
         && json_object_get(ctx->input, "fields") != NULL)
        || (!ctx->api && ngx_http_helpdesk_input_bool(ctx, "fields_edit") == 1))
    {
        if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                         NULL)
            != HD_OK)
        {
            return NGX_HTTP_SERVICE_UNAVAILABLE;
        }

        i = hd_ticket_get(&txn, j->edit.number, &t) == HD_OK
            && (hd_ticket_rights(&txn, ctx->caller.account, &t)
                & HD_TICKET_EDIT);
        hd_txn_abort(&txn);

        if (i) {
            if (ngx_http_helpdesk_form_input(ctx, t.category,
                                             j->edit.type >= 0 ? j->edit.type
                                                               : t.type,
                                             &j->edit.fields, errors)
                != NGX_OK)
            {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            j->edit.fields_set = 1;
            any = 1;
        }
    }

    if (!any && errors->n == 0) {
        hd_errors_add(errors, NULL, "nothing_to_change");
    }

    if (errors->n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_ticket_page);
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_edit_work,
                                     ngx_http_helpdesk_edit_done, j);
}

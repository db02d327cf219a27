/*
 * The staff's side of tickets: messages of every kind (reply, internal
 * note, information request, solution). The staff console's queues and
 * ticket management build on this file.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_ticket_staff.h"


typedef struct {
    ngx_http_helpdesk_job_t          job;
    hd_staff_message_t               sm;
    ngx_http_helpdesk_upload_t      *uploads;
    ngx_uint_t                       nuploads;
    uint64_t                         message;
    uint8_t                          status;
} ngx_http_helpdesk_staff_job_t;


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
                                        &j->message, &j->status,
                                        &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_staff_message_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_staff_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job, NULL);
    }

    return ngx_http_helpdesk_send_json(r, NGX_HTTP_CREATED,
               json_pack("{s:I, s:s}", "id", (json_int_t) j->message,
                         "status",
                         hd_status_names[j->status % HD_STATUS_COUNT]));
}


/* POST /api/v1/staff/tickets/{n}/messages: body, kind (+ files) */
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

    kind = v[1].len ? hd_staff_kind_from_name(v[1].data, v[1].len)
                    : HD_MESSAGE_REPLY;

    if (kind < 0) {
        return ngx_http_helpdesk_error(r, ctx, 422, "message_kind_invalid",
                                       "kind");
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->sm.number = ngx_http_helpdesk_ticket_arg(ctx);
    j->sm.actor = ctx->caller.account->id;
    j->sm.kind = (uint8_t) kind;
    j->sm.channel = HD_CHANNEL_API;
    j->sm.body = v[0];
    j->uploads = ctx->uploads;
    j->nuploads = ctx->nuploads;

    if (j->sm.number == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

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

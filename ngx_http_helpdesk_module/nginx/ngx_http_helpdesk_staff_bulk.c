/*
 * Bulk changes of the staff queue (issue 17): one owner and/or priority for
 * the tickets ticked on the queue, each ticket its own audited change as if
 * made on its page.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_ticket_staff.h"


/* --- bulk: one change to the tickets chosen on the queue ------------------ */


#define NGX_HTTP_HELPDESK_BULK_MAX  100


typedef struct {
    ngx_http_helpdesk_job_t          job;
    hd_staff_edit_t                  edit;      /* number set per ticket */
    uint64_t                         numbers[NGX_HTTP_HELPDESK_BULK_MAX];
    ngx_uint_t                       n;
    ngx_uint_t                       done;
    uint64_t                         failed[NGX_HTTP_HELPDESK_BULK_MAX];
    ngx_uint_t                       nfailed;
} ngx_http_helpdesk_bulk_job_t;


/* each ticket its own change, audited as if made on its page */
static void
ngx_http_helpdesk_bulk_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_bulk_job_t  *j = data;

    int          changed;
    hd_err_t     err;
    ngx_uint_t   i;
    hd_ticket_t  t;
    hd_errors_t  errors;

    j->job.rc = HD_OK;

    for (i = 0; i < j->n; i++) {
        j->edit.number = j->numbers[i];
        ngx_memzero(&errors, sizeof(errors));
        hd_err_clear(&err);

        if (hd_ticket_staff_edit(&j->job.portal, &j->edit, j->job.now, &t,
                                 NULL, &changed, &errors, &err)
            == HD_OK)
        {
            j->done++;

        } else {
            j->failed[j->nfailed++] = j->numbers[i];
        }
    }
}


static ngx_int_t
ngx_http_helpdesk_bulk_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_bulk_job_t  *j = data;

    json_t      *failed;
    ngx_uint_t   i;

    if (ctx->api) {
        failed = json_array();

        for (i = 0; failed != NULL && i < j->nfailed; i++) {
            json_array_append_new(failed,
                                  json_integer((json_int_t) j->failed[i]));
        }

        return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
                   json_pack("{s:i, s:o}", "changed", (json_int_t) j->done,
                             "failed", failed ? failed : json_array()));
    }

    return ngx_http_helpdesk_go(r, ctx, "staff/tickets",
                                j->nfailed ? "bulk_partial" : "bulk_done");
}


/*
 * POST staff/tickets/bulk (the queue's form: a checkbox t_N per ticket)
 * and POST api/v1/staff/tickets/bulk ({tickets: [N, ...]}): owner (an id,
 * "me" or empty for nobody) and/or priority, for at most 100 tickets
 */
ngx_int_t
ngx_http_helpdesk_staff_bulk(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int                            i;
    size_t                         k;
    hd_str_t                       v[1];
    json_t                        *val, *list;
    uint64_t                       number;
    ngx_uint_t                     any;
    const char                    *name;
    ngx_http_helpdesk_bulk_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "priority", 32, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_staff_edit_init(&j->edit);
    j->edit.actor = ctx->caller.account->id;

    /* which tickets: the API's list, the form's checked boxes */
    list = ctx->input ? json_object_get(ctx->input, "tickets") : NULL;

    if (json_is_array(list)) {
        json_array_foreach(list, k, val) {
            if (!json_is_integer(val) || json_integer_value(val) <= 0
                || j->n == NGX_HTTP_HELPDESK_BULK_MAX)
            {
                hd_errors_add(&j->job.errors, "tickets", "tickets_invalid");
                break;
            }

            j->numbers[j->n++] = (uint64_t) json_integer_value(val);
        }

    } else if (ctx->input != NULL) {
        json_object_foreach(ctx->input, name, val) {
            if (name[0] != 't' || name[1] != '_') {
                continue;
            }

            number = (uint64_t) ngx_atoof((u_char *) name + 2,
                                          ngx_strlen(name + 2));

            if (number == 0 || number == (uint64_t) NGX_ERROR
                || j->n == NGX_HTTP_HELPDESK_BULK_MAX)
            {
                hd_errors_add(&j->job.errors, "tickets", "tickets_invalid");
                break;
            }

            j->numbers[j->n++] = number;
        }
    }

    if (j->n == 0 && j->job.errors.n == 0) {
        hd_errors_add(&j->job.errors, "tickets", "tickets_required");
    }

    any = 0;

    /* the form's "keep" is no change of owner */
    any = ngx_http_helpdesk_input_owner(ctx, &j->edit, &j->job.errors);

    if (v[0].len) {
        i = hd_name_index(hd_priority_names, HD_PRIORITY_COUNT, v[0].data,
                          v[0].len);
        if (i < 0) {
            hd_errors_add(&j->job.errors, "priority", "priority_invalid");
        }

        j->edit.priority = i;
        any = 1;
    }

    if (!any && j->job.errors.n == 0) {
        hd_errors_add(&j->job.errors, "owner", "bulk_nothing");
    }

    if (j->job.errors.n) {
        if (!ctx->api) {
            return ngx_http_helpdesk_go(r, ctx, "staff/tickets",
                                        j->n ? "bulk_nothing"
                                             : "bulk_none_chosen");
        }

        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job, NULL);
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_bulk_work,
                                     ngx_http_helpdesk_bulk_done, j);
}

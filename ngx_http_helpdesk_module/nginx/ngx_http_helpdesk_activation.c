/*
 * An MSA contract's activation on the portal (hd_activation.h): the
 * holder's page and request (the API takes the contacts as a JSON array, the
 * form as lines "name | e-mail | phone"), and staff's approval on the
 * ticket the request made.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_activation.h"
#include "hd_input.h"
#include "hd_text.h"
#include "hd_certificate.h"
#include "hd_product.h"


typedef struct {
    ngx_http_helpdesk_job_t   job;
    hd_str_t                  number;
    hd_contact_t              contacts[HD_CONTACTS_MAX];
    size_t                    n;
    uint64_t                  ticket;
    hd_account_t             *staff;
} ngx_http_helpdesk_activation_job_t;


static ngx_int_t ngx_http_helpdesk_activation_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);


static hd_str_t
ngx_http_helpdesk_activation_number(ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t  s;

    s.data = ctx->nargs ? ctx->args[0].data : NULL;
    s.len = ctx->nargs ? ctx->args[0].len : 0;

    return s;
}


/* the contacts of a stored list, for a page */
static hd_val_t *
ngx_http_helpdesk_contacts_view(hd_pool_t *pool, const hd_str_t *list)
{
    size_t        i, n;
    hd_val_t     *out, *item;
    hd_contact_t  c[HD_CONTACTS_MAX];

    out = hd_val_list(pool);
    n = hd_contacts_parse(list, c, HD_CONTACTS_MAX);

    for (i = 0; i < n; i++) {
        item = hd_val_map(pool);
        hd_val_set_str(pool, item, "name", c[i].name.data, c[i].name.len);
        hd_val_set_str(pool, item, "email", c[i].email.data, c[i].email.len);
        hd_val_set_str(pool, item, "phone", c[i].phone.data, c[i].phone.len);
        hd_val_push(pool, out, item);
    }

    return out;
}


static void
ngx_http_helpdesk_contacts_jw(hd_jw_t *w, const char *key,
    const hd_str_t *list)
{
    size_t        i, n;
    hd_contact_t  c[HD_CONTACTS_MAX];

    n = hd_contacts_parse(list, c, HD_CONTACTS_MAX);

    hd_jw_key(w, key);
    hd_jw_array(w);

    for (i = 0; i < n; i++) {
        hd_jw_object(w);
        ngx_http_helpdesk_jw_kstr(w, "name", &c[i].name);
        ngx_http_helpdesk_jw_kstr(w, "email", &c[i].email);
        ngx_http_helpdesk_jw_kstr(w, "phone", &c[i].phone);
        hd_jw_end(w, '}');
    }

    hd_jw_end(w, ']');
}


/* to the ticket's page (the customer's, or staff's), with the notice */
static ngx_int_t
ngx_http_helpdesk_activation_go(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const char *side, uint64_t ticket,
    const char *notice)
{
    u_char  *path;

    path = ngx_pnalloc(r->pool, 48);
    if (path == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_sprintf(path, "%stickets/%uL%Z", side, ticket);

    return ngx_http_helpdesk_go(r, ctx, (char *) path, notice);
}


/* --- the holder's page ------------------------------------------------------ */


static ngx_int_t
ngx_http_helpdesk_activation_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    hd_str_t                 number;
    hd_txn_t                 txn;
    hd_val_t                *view;
    hd_pool_t               *pool = &ctx->pool;
    hd_cert_type_t           type;
    hd_certificate_t         c;
    ngx_http_helpdesk_jw_t  *j;

    static const char  *echo[] = { "contacts", NULL };

    number = ngx_http_helpdesk_activation_number(ctx);

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                     NULL)
        != HD_OK)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    /* the holder's (or the company admins') only: a 404 to anyone else */
    if (hd_cert_find(&txn, &number, &c) != HD_OK
        || hd_cert_type_get(&txn, c.type, &type) != HD_OK
        || !hd_activation_may(&txn, ctx->caller.account, &c)
        || hd_record_strings_copy(&hd_certificate_desc, &c, pool) != 0)
    {
        hd_txn_abort(&txn);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    hd_txn_abort(&txn);

    if (ctx->api) {
        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        hd_jw_object(&j->w);
        ngx_http_helpdesk_jw_kstr(&j->w, "certificate", &c.number);
        hd_jw_key(&j->w, "contacts_max");
        hd_jw_int(&j->w, type.contacts_max);
        hd_jw_key(&j->w, "activated");
        hd_jw_bool(&j->w, c.activated != 0);
        ngx_http_helpdesk_contacts_jw(&j->w, "contacts", &c.contacts);
        ngx_http_helpdesk_contacts_jw(&j->w, "pending", &c.pending);
        hd_jw_key(&j->w, "ticket");
        hd_jw_int(&j->w, c.pending.len ? (int64_t) c.activation : 0);
        hd_jw_end(&j->w, '}');

        return ngx_http_helpdesk_jw_send(r, j, status);
    }

    view = ngx_http_helpdesk_view(r, ctx, "activation.title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);

    hd_val_set_str(pool, view, "certificate", c.number.data, c.number.len);
    hd_val_set_int(pool, view, "contacts_max", type.contacts_max);
    hd_val_set_bool(pool, view, "needs_contacts", type.contacts_max > 0);
    hd_val_set_bool(pool, view, "activated", c.activated != 0);
    hd_val_set(pool, view, "contacts",
               ngx_http_helpdesk_contacts_view(pool, &c.contacts));
    hd_val_set(pool, view, "pending",
               ngx_http_helpdesk_contacts_view(pool, &c.pending));
    hd_val_set_bool(pool, view, "has_pending", c.pending.len > 0);
    hd_val_set_int(pool, view, "ticket", (int64_t) c.activation);

    return ngx_http_helpdesk_render(r, ctx, "pages/activation", view, status);
}


ngx_int_t
ngx_http_helpdesk_activation(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_activation_page(r, ctx, NULL, NGX_HTTP_OK);
}


static void
ngx_http_helpdesk_activation_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_activation_job_t  *j = data;

    (void) log;

    j->job.rc = hd_activation_request(&j->job.portal,
                                      j->staff->id, &j->number, j->contacts,
                                      j->n, j->job.now, &j->ticket,
                                      &j->job.errors, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_activation_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_activation_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_activation_page);
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "helpdesk: activation of %*s with %uz contacts asked in "
                  "ticket %uL", j->number.len, j->number.data, j->n,
                  j->ticket);

    if (ctx->api) {
        return ngx_http_helpdesk_send_json(r, NGX_HTTP_ACCEPTED,
                   json_pack("{s:I, s:I}", "ticket", (json_int_t) j->ticket,
                             "contacts", (json_int_t) j->n));
    }

    return ngx_http_helpdesk_activation_go(r, ctx, "", j->ticket,
                                           "activation_requested");
}


/* a form's line "name | e-mail | phone" into a contact */
static void
ngx_http_helpdesk_contact_line(hd_uchar *p, hd_uchar *end, hd_contact_t *c)
{
    hd_str_t   *f[3] = { &c->name, &c->email, &c->phone };
    hd_uchar   *bar;

    for (int i = 0; i < 3; i++) {
        bar = i < 2 ? memchr(p, '|', end - p) : NULL;
        bar = bar ? bar : end;

        f[i]->data = p;
        f[i]->len = bar - p;
        hd_text_trim(f[i]);

        p = bar < end ? bar + 1 : end;
    }
}


ngx_int_t
ngx_http_helpdesk_activation_request(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                               i;
    json_t                              *list, *item;
    hd_str_t                             text;
    hd_uchar                            *p, *end, *eol;
    ngx_http_helpdesk_activation_job_t  *j;

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->number = ngx_http_helpdesk_activation_number(ctx);
    j->staff = ctx->caller.account;

    list = ctx->input != NULL ? json_object_get(ctx->input, "contacts")
                              : NULL;

    if (json_is_array(list)) {
        /* the API's [{name, email, phone}] */
        json_array_foreach(list, i, item) {
            if (j->n == HD_CONTACTS_MAX) {
                j->n++;
                break;
            }

            if (!json_is_object(item)
                || hd_input_str(item, "name", &j->contacts[j->n].name) != 0
                || hd_input_str(item, "email", &j->contacts[j->n].email) != 0
                || hd_input_str(item, "phone", &j->contacts[j->n].phone) != 0)
            {
                hd_errors_add(&j->job.errors, "contacts", "contacts_invalid");
                break;
            }

            j->n++;
        }

    } else if (ngx_http_helpdesk_input_str(ctx, "contacts", &text) == NGX_OK
               && text.data != NULL)
    {
        /* the form's lines */
        for (p = text.data, end = p + text.len; p < end; p = eol + 1) {
            eol = memchr(p, '\n', end - p);
            eol = eol ? eol : end;

            while (eol > p && (eol[-1] == '\r' || eol[-1] == ' ')) {
                eol--;
            }

            if (eol > p && j->n < HD_CONTACTS_MAX + 1) {
                if (j->n < HD_CONTACTS_MAX) {
                    ngx_http_helpdesk_contact_line(p, eol,
                                                   &j->contacts[j->n]);
                }

                j->n++;
            }

            eol = memchr(eol, '\n', end - eol);
            eol = eol ? eol : end;
        }

    } else if (list != NULL) {
        hd_errors_add(&j->job.errors, "contacts", "contacts_invalid");
    }

    if (j->n > HD_CONTACTS_MAX) {
        hd_errors_add(&j->job.errors, "contacts", "contacts_too_many");
    }

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_activation_page);
    }

    return ngx_http_helpdesk_offload(r, ctx,
                                     ngx_http_helpdesk_activation_work,
                                     ngx_http_helpdesk_activation_done, j);
}


/* --- staff's approval ---------------------------------------------------------- */


static void
ngx_http_helpdesk_approval_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_activation_job_t  *j = data;

    (void) log;

    j->job.rc = hd_activation_approve(&j->job.portal, j->staff, j->ticket,
                                      j->job.now, &j->n, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_approval_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_activation_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job, NULL);
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "helpdesk: activation of ticket %uL approved by %V",
                  j->ticket, (ngx_str_t *) &ctx->caller.account->login);

    if (ctx->api) {
        return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
                   json_pack("{s:b, s:I}", "activated", 1, "contacts",
                             (json_int_t) j->n));
    }

    return ngx_http_helpdesk_activation_go(r, ctx, "staff/", j->ticket,
                                           "activation_approved");
}


ngx_int_t
ngx_http_helpdesk_activation_approve(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_http_helpdesk_activation_job_t  *j;

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->ticket = ngx_http_helpdesk_ticket_arg(ctx);
    j->staff = ctx->caller.account;

    if (j->ticket == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_approval_work,
                                     ngx_http_helpdesk_approval_done, j);
}


/* the staff ticket page's part: who the request names */
void
ngx_http_helpdesk_activation_view(ngx_http_helpdesk_ctx_t *ctx, hd_txn_t *txn,
    const hd_ticket_t *t, hd_val_t *view)
{
    hd_pool_t         *pool = &ctx->pool;
    hd_certificate_t   c;

    if (t->activation == 0 || hd_cert_get(txn, t->activation, &c) != HD_OK
        || hd_record_strings_copy(&hd_certificate_desc, &c, pool) != 0)
    {
        return;
    }

    hd_val_set_str(pool, view, "activation_certificate", c.number.data,
                   c.number.len);

    if (c.pending.len && c.activation == t->number) {
        hd_val_set(pool, view, "activation_pending",
                   ngx_http_helpdesk_contacts_view(pool, &c.pending));
        hd_val_set_bool(pool, view, "activation_open", 1);

    } else if (c.activated) {
        hd_val_set(pool, view, "activation_contacts",
                   ngx_http_helpdesk_contacts_view(pool, &c.contacts));
        hd_val_set_bool(pool, view, "activation_done", 1);
    }
}

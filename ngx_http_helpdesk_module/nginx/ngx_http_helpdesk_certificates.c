/*
 * A customer's certificates: "My certificates" (with the "hide expired"
 * toggle kept per account) and the registration wizard, HTML and API.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_activation.h"

#include "hd_certificate.h"
#include "hd_company.h"
#include "hd_date.h"


typedef struct {
    ngx_http_helpdesk_job_t   job;
    hd_cert_claim_t           claim;
    hd_certificate_t          cert;
    int                       already;
    hd_account_input_t        prefs;
    uint64_t                  account;
} ngx_http_helpdesk_cert_job_t;


static ngx_int_t ngx_http_helpdesk_wizard_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);


/* a page's form of the list (the expired ones shown or not) */
static ngx_int_t
ngx_http_helpdesk_cert_parts(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_val_t *page, void *data)
{
    ngx_str_t  *csrf;

    csrf = ngx_http_helpdesk_csrf_token(r, ctx);
    if (csrf != NULL) {
        hd_val_set_str(&ctx->pool, page, "csrf", csrf->data, csrf->len);
    }

    return NGX_OK;
}


/* GET /certificates, /api/v1/certificates[?hide_expired=1] */
ngx_int_t
ngx_http_helpdesk_certificates(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int           hide;
    hd_err_t      err;
    hd_val_t     *view;
    ngx_str_t     arg;
    hd_viewer_t   viewer;

    ngx_http_helpdesk_viewer(r, ctx, &viewer);

    /* the API asks each time; a page keeps the reader's choice */
    hide = viewer.page
           ? (ctx->caller.account->prefs & HD_PREF_HIDE_EXPIRED) != 0
           : ngx_http_arg(r, (u_char *) "hide_expired", 12, &arg) == NGX_OK
             && arg.len == 1 && arg.data[0] == '1';

    hd_err_clear(&err);

    if (hd_view_certificates(ctx->mcf->store, &viewer, hide, &ctx->pool,
                             &view, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    return ngx_http_helpdesk_view_send(r, ctx, view, "pages/certificates",
                                       ngx_http_helpdesk_cert_parts, NULL,
                                       NGX_HTTP_OK);
}


static void
ngx_http_helpdesk_prefs_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_cert_job_t  *j = data;

    j->job.rc = hd_auth_update_profile(&j->job.portal, j->account, &j->prefs,
                                       j->job.now, &j->job.errors,
                                       &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_prefs_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_cert_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_fail(r, ctx, &j->job.err);
    }

    return ngx_http_helpdesk_go(r, ctx, "certificates", NULL);
}


/* the "hide expired" toggle: a form, remembered for the account */
ngx_int_t
ngx_http_helpdesk_certificates_prefs(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t                       v[1];
    ngx_http_helpdesk_cert_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "hide_expired", 4, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->account = ctx->caller.account->id;
    hd_account_input_init(&j->prefs);

    j->prefs.prefs = ctx->caller.account->prefs & ~HD_PREF_HIDE_EXPIRED;

    if (v[0].len == 1 && v[0].data[0] == '1') {
        j->prefs.prefs |= HD_PREF_HIDE_EXPIRED;
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_prefs_work,
                                     ngx_http_helpdesk_prefs_done, j);
}


/* --- the wizard ------------------------------------------------------------ */


/* is the caller an admin of a company (who may register for it)? */
static ngx_uint_t
ngx_http_helpdesk_company_admin(ngx_http_helpdesk_ctx_t *ctx, hd_txn_t *txn,
    hd_company_t *company)
{
    hd_member_t  m;

    return ctx->caller.account->company != 0
           && hd_company_member(txn, ctx->caller.account->company,
                                ctx->caller.account->id, &m)
              == HD_OK
           && m.role >= HD_MEMBER_ADMIN
           && hd_company_get(txn, ctx->caller.account->company, company)
              == HD_OK;
}


ngx_int_t
ngx_http_helpdesk_wizard(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_wizard_page(r, ctx, NULL, NGX_HTTP_OK);
}


/*
 * Step 1 asks for the number; step 2 (the number is known and can be
 * registered) shows product, type and term and asks for the activation
 * code when there is one
 */
static ngx_int_t
ngx_http_helpdesk_wizard_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    int                already;
    hd_str_t           number, step;
    hd_err_t           err;
    hd_txn_t           txn;
    hd_val_t          *view, *cert;
    hd_pool_t         *pool = &ctx->pool;
    hd_product_t       p;
    hd_company_t       company;
    hd_cert_type_t     t;
    hd_cert_claim_t    claim;
    hd_certificate_t   c;

    static const char  *echo[] = { "number", NULL };

    view = ngx_http_helpdesk_view(r, ctx, "wizard.title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);

    (void) ngx_http_helpdesk_input_str(ctx, "number", &number);
    (void) ngx_http_helpdesk_input_str(ctx, "step", &step);

    /* step 2 when a number was sent and it (still) can be registered:
     * errors of step 2 (a wrong code) stay on step 2 */
    if (number.len && r->method == NGX_HTTP_POST
        && (errors == NULL || errors->n == 0
            || ngx_strcmp(errors->item[0].field, "code") == 0))
    {
        if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                         &err)
            != HD_OK)
        {
            return ngx_http_helpdesk_fail(r, ctx, &err);
        }

        ngx_memzero(&claim, sizeof(claim));
        claim.number = number;
        claim.holder_kind = HD_HOLDER_ACCOUNT;
        claim.holder = ctx->caller.account->id;

        if (hd_cert_check_claim(&txn, &claim, hd_date_today(ngx_time()), 0,
                                &c, &already, &err)
            == HD_OK)
        {
            cert = hd_val_map(pool);
            hd_val_set_str(pool, cert, "number", hd_pstrdup(pool,
                           c.number.data, c.number.len), c.number.len);
            hd_val_set_bool(pool, cert, "has_code", c.code_hash.len != 0);

            /* one certificate: its type and product read once each */
            if (hd_cert_type_get(&txn, c.type, &t) == HD_OK) {
                if (hd_product_get(&txn, t.product, &p) == HD_OK) {
                    hd_val_set_str(pool, cert, "product",
                                   hd_pstrdup(pool, p.name.data, p.name.len),
                                   p.name.len);
                }

                hd_val_set_str(pool, cert, "type",
                               hd_pstrdup(pool, t.name.data, t.name.len),
                               t.name.len);
                hd_val_set_int(pool, cert, "term_months", t.term_months);
            }

            ngx_http_helpdesk_set_day(ctx, cert, "valid_from",
                                        c.valid_from);
            ngx_http_helpdesk_set_day(ctx, cert, "valid_until",
                                        c.valid_until);

            if (ngx_http_helpdesk_company_admin(ctx, &txn, &company)) {
                hd_val_set_str(pool, cert, "company",
                               hd_pstrdup(pool, company.name.data,
                                          company.name.len),
                               company.name.len);
            }

            hd_val_set(pool, view, "confirm", cert);
        }

        hd_txn_abort(&txn);
    }

    return ngx_http_helpdesk_render(r, ctx, "pages/cert_register", view,
                                    status);
}


static void
ngx_http_helpdesk_claim_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_cert_job_t  *j = data;

    j->job.rc = hd_cert_claim(&j->job.portal, &j->claim, j->job.now,
                              &j->cert, &j->already, &j->job.retry_after,
                              &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_claim_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    hd_err_t                       err;
    hd_val_t                      *view;
    hd_viewer_t                    viewer;
    ngx_http_helpdesk_cert_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_wizard_page);
    }

    ngx_http_helpdesk_viewer(r, ctx, &viewer);
    hd_err_clear(&err);

    if (hd_view_certificate_registered(ctx->mcf->store, &viewer, j->cert.id,
                                       j->already, &ctx->pool, &view, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    return ngx_http_helpdesk_view_send(r, ctx, view, "pages/cert_register",
                                       NULL, NULL,
                                       j->already || viewer.page
                                       ? NGX_HTTP_OK : NGX_HTTP_CREATED);
}


/*
 * The wizard's form and POST /api/v1/certificates: number (+ code; holder
 * "company" for a company admin)
 */
ngx_int_t
ngx_http_helpdesk_certificate_register(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int                            already;
    hd_str_t                       v[4];
    hd_err_t                       err;
    hd_txn_t                       txn;
    hd_certificate_t               c;
    ngx_http_helpdesk_cert_job_t  *j;

    static const ngx_http_helpdesk_field_t  fields[] = {
        { "number", 256, 0 },
        { "code", 64, 0 },
        { "holder", 16, 0 },
        { "step", 16, 0 },
        { NULL, 0, 0 }
    };

    if (ngx_http_helpdesk_input_fields(r, ctx, fields, v) != NGX_OK) {
        return ctx->rc;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->claim.number = v[0];
    j->claim.code = v[1];
    j->claim.account = ctx->caller.account->id;
    j->claim.holder_kind = HD_HOLDER_ACCOUNT;
    j->claim.holder = ctx->caller.account->id;

    if (v[2].len == 7 && ngx_strncmp(v[2].data, "company", 7) == 0) {
        if (ctx->caller.account->company == 0) {
            hd_errors_add(&j->job.errors, "holder", "no_company");
            j->job.rc = HD_INVALID;
            return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                                ngx_http_helpdesk_wizard_page);
        }

        j->claim.holder_kind = HD_HOLDER_COMPANY;
        j->claim.holder = ctx->caller.account->company;

    } else if (v[2].len && !(v[2].len == 4
                             && ngx_strncmp(v[2].data, "self", 4) == 0))
    {
        hd_errors_add(&j->job.errors, "holder", "holder_invalid");
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_wizard_page);
    }

    hd_cert_validate_number(&j->claim.number, &j->job.errors);

    if (j->job.errors.n) {
        j->job.rc = HD_INVALID;
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_wizard_page);
    }

    /* the form's first step only checks the number: no write, no limit */
    if (!ctx->api && !(v[3].len == 7
                       && ngx_strncmp(v[3].data, "confirm", 7) == 0))
    {
        if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                         &err)
            != HD_OK)
        {
            return ngx_http_helpdesk_fail(r, ctx, &err);
        }

        j->job.rc = hd_cert_check_claim(&txn, &j->claim,
                                        hd_date_today(ngx_time()), 0, &c,
                                        &already, &j->job.err);
        hd_txn_abort(&txn);

        if (j->job.rc != HD_OK) {
            return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                                ngx_http_helpdesk_wizard_page);
        }

        return ngx_http_helpdesk_wizard_page(r, ctx, NULL, NGX_HTTP_OK);
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_claim_work,
                                     ngx_http_helpdesk_claim_done, j);
}

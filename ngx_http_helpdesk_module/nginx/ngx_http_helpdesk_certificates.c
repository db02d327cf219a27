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


/* names of types and products, read once per page */
typedef struct {
    hd_txn_t         *txn;
    hd_pool_t        *pool;
    uint64_t          type_id[32];
    hd_cert_type_t    type[32];
    hd_str_t          product[32];
    ngx_uint_t        n;
} ngx_http_helpdesk_names_t;


static ngx_int_t ngx_http_helpdesk_wizard_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);


static hd_cert_type_t *
ngx_http_helpdesk_cert_type(ngx_http_helpdesk_names_t *names, uint64_t id,
    hd_str_t *product)
{
    ngx_uint_t      i;
    hd_product_t    p;
    hd_cert_type_t  t;

    for (i = 0; i < names->n; i++) {
        if (names->type_id[i] == id) {
            *product = names->product[i];
            return &names->type[i];
        }
    }

    if (hd_cert_type_get(names->txn, id, &t) != HD_OK) {
        return NULL;
    }

    i = names->n < 32 ? names->n++ : 31;

    names->type_id[i] = id;
    names->type[i] = t;
    names->type[i].name.data = hd_pstrdup(names->pool, t.name.data,
                                          t.name.len);

    if (hd_product_get(names->txn, t.product, &p) == HD_OK) {
        names->product[i].data = hd_pstrdup(names->pool, p.name.data,
                                            p.name.len);
        names->product[i].len = p.name.len;

    } else {
        names->product[i].data = (hd_uchar *) "";
        names->product[i].len = 0;
    }

    *product = names->product[i];

    return &names->type[i];
}


/* a certificate for a page (view) and for the API (json) */
static void
ngx_http_helpdesk_cert_item(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_names_t *names, const hd_certificate_t *c,
    int32_t today, hd_val_t *list, json_t *array)
{
    char             key[64], until[11];
    size_t           unclosed = 0;
    hd_str_t         product;
    hd_val_t        *item;
    hd_pool_t       *pool = &ctx->pool;
    hd_cert_type_t  *t;
    hd_cert_state_e  state;
    const hd_str_t  *label;

    t = ngx_http_helpdesk_cert_type(names, c->type, &product);
    if (t == NULL) {
        return;
    }

    state = hd_cert_state(c, today);
    (void) hd_cert_unclosed(names->txn, c->id, &unclosed);

    if (array != NULL) {
        hd_date_format(c->valid_until, until);

        json_array_append_new(array,
            json_pack("{s:s#, s:s#, s:s#, s:s, s:s, s:i, s:i, s:s, s:s, s:s}",
                      "number", c->number.data, c->number.len,
                      "product", product.data, product.len,
                      "type", t->name.data, t->name.len,
                      "valid_until", until,
                      "state", hd_cert_state_names[state],
                      "unclosed", (int) unclosed,
                      "limit", (int) t->ticket_limit,
                      "holder", c->holder_kind == HD_HOLDER_COMPANY
                                ? "company" : "account",
                      "kind", hd_cert_kind_names[t->kind % HD_CERT_KIND_COUNT],
                      "level", hd_level_names[t->level % HD_LEVEL_COUNT]));

        /* an MSA contract: its premium contacts' state */
        if (t->contacts_max > 0) {
            json_t  *last = json_array_get(array, json_array_size(array) - 1);

            json_object_set_new(last, "contacts_max",
                                json_integer(t->contacts_max));
            json_object_set_new(last, "activated",
                                json_boolean(c->activated != 0));
        }
    }

    if (list == NULL) {
        return;
    }

    item = hd_val_map(pool);
    hd_val_set_str(pool, item, "number", c->number.data, c->number.len);
    hd_val_set_str(pool, item, "product", product.data, product.len);
    hd_val_set_str(pool, item, "type", t->name.data, t->name.len);
    ngx_http_helpdesk_set_day(ctx, item, "valid_until", c->valid_until);
    ngx_http_helpdesk_set_day(ctx, item, "valid_from", c->valid_from);
    hd_val_set_cstr(pool, item, "state", hd_cert_state_names[state]);
    hd_val_set_bool(pool, item, "needs_activation",
                    t->contacts_max > 0
                    && hd_activation_may(names->txn, ctx->caller.account, c));
    hd_val_set_bool(pool, item, "activated", c->activated != 0);

    ngx_snprintf((u_char *) key, sizeof(key), "certs.state_%s%Z",
                 hd_cert_state_names[state]);
    label = ngx_http_helpdesk_text(ctx, key);
    if (label != NULL) {
        hd_val_set_str(pool, item, "state_label", label->data, label->len);
    }

    hd_val_set_bool(pool, item, "active", state == HD_CERT_ACTIVE);
    hd_val_set_int(pool, item, "unclosed", (int64_t) unclosed);
    hd_val_set_int(pool, item, "limit", t->ticket_limit);
    hd_val_set_bool(pool, item, "company", c->holder_kind
                                           == HD_HOLDER_COMPANY);
    hd_val_push(pool, list, item);
}


/*
 * The caller's certificates and their company's: into the page's view
 * and/or a JSON array
 */
static ngx_int_t
ngx_http_helpdesk_cert_list(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, int hide_expired, hd_val_t *view,
    json_t *array)
{
    size_t                      i, n, expired;
    int32_t                     today;
    hd_err_t                    err;
    hd_txn_t                    txn;
    hd_val_t                   *list;
    hd_account_t               *a = ctx->caller.account;
    hd_certificate_t           *certs;
    ngx_uint_t                  pass;
    ngx_http_helpdesk_names_t   names;

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return NGX_ERROR;
    }

    ngx_memzero(&names, sizeof(names));
    names.txn = &txn;
    names.pool = &ctx->pool;

    today = hd_date_today(ngx_time());
    list = hd_val_list(&ctx->pool);
    expired = 0;

    for (pass = 0; pass < 2; pass++) {
        if (pass == 1 && a->company == 0) {
            break;
        }

        if (hd_cert_list_holder(&txn, pass ? HD_HOLDER_COMPANY
                                           : HD_HOLDER_ACCOUNT,
                                pass ? a->company : a->id, &ctx->pool,
                                &certs, &n)
            != HD_OK)
        {
            continue;
        }

        for (i = 0; i < n; i++) {
            if (hd_cert_state(&certs[i], today) == HD_CERT_EXPIRED) {
                expired++;

                if (hide_expired) {
                    continue;
                }
            }

            ngx_http_helpdesk_cert_item(ctx, &names, &certs[i], today,
                                        view ? list : NULL, array);
        }
    }

    hd_txn_abort(&txn);

    if (view != NULL) {
        hd_val_set(&ctx->pool, view, "certificates", list);
        hd_val_set_bool(&ctx->pool, view, "has_certificates",
                        list->u.items.n != 0);
        hd_val_set_int(&ctx->pool, view, "expired_count", (int64_t) expired);
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_helpdesk_certificates(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int         hide;
    json_t     *array;
    hd_val_t   *view;
    ngx_str_t   arg;
    ngx_str_t  *csrf;

    if (ctx->api) {
        hide = ngx_http_arg(r, (u_char *) "hide_expired", 12, &arg) == NGX_OK
               && arg.len == 1 && arg.data[0] == '1';

        array = json_array();

        if (ngx_http_helpdesk_cert_list(r, ctx, hide, NULL, array) != NGX_OK) {
            json_decref(array);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
                   json_pack("{s:o}", "certificates", array));
    }

    hide = (ctx->caller.account->prefs & HD_PREF_HIDE_EXPIRED) != 0;

    view = ngx_http_helpdesk_view(r, ctx, "certs.title");
    if (view == NULL
        || ngx_http_helpdesk_cert_list(r, ctx, hide, view, NULL) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_val_set_bool(&ctx->pool, view, "hide_expired", hide);

    csrf = ngx_http_helpdesk_csrf_token(r, ctx);
    if (csrf != NULL) {
        hd_val_set_str(&ctx->pool, view, "csrf", csrf->data, csrf->len);
    }

    return ngx_http_helpdesk_render(r, ctx, "pages/certificates", view,
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
    int                         already;
    hd_str_t                    number, step, product;
    hd_err_t                    err;
    hd_txn_t                    txn;
    hd_val_t                   *view, *cert;
    hd_pool_t                  *pool = &ctx->pool;
    hd_company_t                company;
    hd_cert_type_t             *t;
    hd_cert_claim_t             claim;
    hd_certificate_t            c;
    ngx_http_helpdesk_names_t   names;

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
            ngx_memzero(&names, sizeof(names));
            names.txn = &txn;
            names.pool = pool;

            t = ngx_http_helpdesk_cert_type(&names, c.type, &product);

            cert = hd_val_map(pool);
            hd_val_set_str(pool, cert, "number", hd_pstrdup(pool,
                           c.number.data, c.number.len), c.number.len);
            hd_val_set_bool(pool, cert, "has_code", c.code_hash.len != 0);

            if (t != NULL) {
                hd_val_set_str(pool, cert, "product", product.data,
                               product.len);
                hd_val_set_str(pool, cert, "type", t->name.data, t->name.len);
                hd_val_set_int(pool, cert, "term_months", t->term_months);
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
    json_t                        *array, *json;
    hd_txn_t                       txn;
    hd_val_t                      *view, *list;
    hd_certificate_t               c;
    ngx_http_helpdesk_names_t      names;
    ngx_http_helpdesk_cert_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_wizard_page);
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, NULL)
        != HD_OK
        || hd_cert_get(&txn, j->cert.id, &c) != HD_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&names, sizeof(names));
    names.txn = &txn;
    names.pool = &ctx->pool;

    array = json_array();
    list = hd_val_list(&ctx->pool);

    ngx_http_helpdesk_cert_item(ctx, &names, &c, hd_date_today(ngx_time()),
                                list, array);
    hd_txn_abort(&txn);

    json = json_incref(json_array_get(array, 0));
    json_decref(array);

    if (ctx->api) {
        return ngx_http_helpdesk_send_json(r, j->already ? NGX_HTTP_OK
                                                         : NGX_HTTP_CREATED,
                                           json ? json : json_object());
    }

    json_decref(json);

    view = ngx_http_helpdesk_view(r, ctx, "wizard.title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_val_set(&ctx->pool, view, "done", list->u.items.head
                                         ? list->u.items.head->val
                                         : hd_val_map(&ctx->pool));
    hd_val_set_bool(&ctx->pool, view, "already", j->already);

    return ngx_http_helpdesk_render(r, ctx, "pages/cert_register", view,
                                    NGX_HTTP_OK);
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

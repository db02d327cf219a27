/*
 * Tickets as the customer sees them (SPEC §5.5): "My tickets" with the
 * limits of their certificates, a ticket with its thread, the new-ticket
 * form, the confirmation, the rating link's page, and attachments handed
 * to nginx to send. HTML and the JSON API from the same reads.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_date.h"
#include "hd_files.h"
#include "hd_product.h"
#include "hd_ticket_customer.h"


#define NGX_HTTP_HELPDESK_PER_PAGE      20
#define NGX_HTTP_HELPDESK_PER_PAGE_MAX  100
#define NGX_HTTP_HELPDESK_NAMES         32


/* names read once per page: accounts and departments */
typedef struct {
    hd_txn_t         *txn;
    hd_pool_t        *pool;
    uint64_t          account[NGX_HTTP_HELPDESK_NAMES];
    hd_str_t          account_name[NGX_HTTP_HELPDESK_NAMES];
    ngx_uint_t        naccounts;
    uint64_t          department[NGX_HTTP_HELPDESK_NAMES];
    hd_str_t          department_name[NGX_HTTP_HELPDESK_NAMES];
    ngx_uint_t        ndepartments;
} ngx_http_helpdesk_ticket_names_t;


static hd_str_t  ngx_http_helpdesk_nobody = hd_null_string;


static hd_str_t *
ngx_http_helpdesk_account_name(ngx_http_helpdesk_ticket_names_t *names,
    uint64_t id)
{
    ngx_uint_t    i;
    hd_account_t  a;

    if (id == 0) {
        return &ngx_http_helpdesk_nobody;
    }

    for (i = 0; i < names->naccounts; i++) {
        if (names->account[i] == id) {
            return &names->account_name[i];
        }
    }

    i = names->naccounts < NGX_HTTP_HELPDESK_NAMES ? names->naccounts++
                                                   : NGX_HTTP_HELPDESK_NAMES
                                                     - 1;
    names->account[i] = id;
    names->account_name[i].len = 0;
    names->account_name[i].data = (hd_uchar *) "";

    if (hd_account_get(names->txn, id, &a) == HD_OK) {
        names->account_name[i].data = hd_pstrdup(names->pool, a.name.data,
                                                 a.name.len);
        names->account_name[i].len = a.name.len;
    }

    return &names->account_name[i];
}


static hd_str_t *
ngx_http_helpdesk_department_name(ngx_http_helpdesk_ticket_names_t *names,
    uint64_t id)
{
    ngx_uint_t       i;
    hd_department_t  d;

    for (i = 0; i < names->ndepartments; i++) {
        if (names->department[i] == id) {
            return &names->department_name[i];
        }
    }

    i = names->ndepartments < NGX_HTTP_HELPDESK_NAMES
        ? names->ndepartments++ : NGX_HTTP_HELPDESK_NAMES - 1;
    names->department[i] = id;
    names->department_name[i].len = 0;
    names->department_name[i].data = (hd_uchar *) "";

    if (hd_department_get(names->txn, id, &d) == HD_OK) {
        names->department_name[i].data = hd_pstrdup(names->pool, d.name.data,
                                                    d.name.len);
        names->department_name[i].len = d.name.len;
    }

    return &names->department_name[i];
}


/* the ticket number of the path ({n}); 0 when it is not one */
uint64_t
ngx_http_helpdesk_ticket_arg(ngx_http_helpdesk_ctx_t *ctx)
{
    off_t  n;

    if (ctx->nargs == 0 || ctx->args[0].len > 15) {
        return 0;
    }

    n = ngx_atoof(ctx->args[0].data, ctx->args[0].len);

    return n > 0 ? (uint64_t) n : 0;
}


/* a label of the catalogue, "tickets.<prefix>_<name>" */
const hd_str_t *
ngx_http_helpdesk_label(ngx_http_helpdesk_ctx_t *ctx, const char *prefix,
    const char *name)
{
    char  key[96];

    ngx_snprintf((u_char *) key, sizeof(key), "tickets.%s_%s%Z", prefix,
                 name);

    return ngx_http_helpdesk_text(ctx, key);
}


static void
ngx_http_helpdesk_set_label(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *map,
    const char *key, const char *prefix, const char *name)
{
    const hd_str_t  *text;

    text = ngx_http_helpdesk_label(ctx, prefix, name);

    if (text != NULL) {
        hd_val_set_str(&ctx->pool, map, key, text->data, text->len);

    } else {
        hd_val_set_cstr(&ctx->pool, map, key, name);
    }
}


/* 2026-11-21T10:00:00Z: the API's times */
json_t *
ngx_http_helpdesk_json_time(uint64_t t)
{
    u_char    buf[32], *p;
    ngx_tm_t  tm;

    if (t == 0) {
        return json_null();
    }

    ngx_gmtime((time_t) t, &tm);

    p = ngx_sprintf(buf, "%4d-%02d-%02dT%02d:%02d:%02dZ", tm.ngx_tm_year,
                    tm.ngx_tm_mon, tm.ngx_tm_mday, tm.ngx_tm_hour,
                    tm.ngx_tm_min, tm.ngx_tm_sec);

    return json_stringn((char *) buf, p - buf);
}


static json_t *
ngx_http_helpdesk_json_str(const hd_str_t *s)
{
    return json_stringn((char *) s->data, s->len);
}


/* the certificate's number of a ticket, for pages and the API */
static hd_str_t
ngx_http_helpdesk_ticket_cert(hd_txn_t *txn, hd_pool_t *pool,
    const hd_ticket_t *t)
{
    hd_str_t          s = hd_null_string;
    hd_certificate_t  c;

    if (t->certificate != 0 && hd_cert_get(txn, t->certificate, &c) == HD_OK) {
        s.data = hd_pstrdup(pool, c.number.data, c.number.len);
        s.len = c.number.len;
    }

    return s;
}


/* a row of a list: the seed's columns */
static void
ngx_http_helpdesk_ticket_row(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_ticket_names_t *names, const hd_ticket_t *t,
    int with_author, hd_val_t *list, json_t *array)
{
    hd_str_t        *replier, *department, *author;
    hd_val_t        *row;
    hd_pool_t       *pool = &ctx->pool;
    const char      *status, *type, *priority;

    replier = ngx_http_helpdesk_account_name(names, t->last_replier);
    department = ngx_http_helpdesk_department_name(names, t->department);
    author = ngx_http_helpdesk_account_name(names, t->author);
    status = hd_status_names[t->status % HD_STATUS_COUNT];
    type = hd_ticket_type_names[t->type % HD_TYPE_COUNT];
    priority = hd_priority_names[t->priority % HD_PRIORITY_COUNT];

    if (array != NULL) {
        json_array_append_new(array,
            json_pack("{s:I, s:o, s:o, s:{s:o, s:s}, s:o, s:s, s:s, s:s,"
                      " s:o, s:b}",
                      "number", (json_int_t) t->number,
                      "subject", ngx_http_helpdesk_json_str(&t->subject),
                      "updated", ngx_http_helpdesk_json_time(t->updated),
                      "last_replier",
                          "name", ngx_http_helpdesk_json_str(replier),
                          "side", hd_side_names[t->last_side % HD_SIDE_COUNT],
                      "department", ngx_http_helpdesk_json_str(department),
                      "type", type,
                      "status", status,
                      "priority", priority,
                      "author", ngx_http_helpdesk_json_str(author),
                      "premium", t->premium != 0));
    }

    if (list == NULL) {
        return;
    }

    row = hd_val_map(pool);
    hd_val_set_int(pool, row, "number", (int64_t) t->number);
    hd_val_set_str(pool, row, "subject", t->subject.data, t->subject.len);
    hd_val_set(pool, row, "updated",
               ngx_http_helpdesk_time_text(ctx, t->updated));
    hd_val_set_str(pool, row, "last_replier", replier->data, replier->len);
    hd_val_set_bool(pool, row, "staff_replied", t->last_side == HD_SIDE_STAFF);
    hd_val_set_str(pool, row, "department", department->data,
                   department->len);
    ngx_http_helpdesk_set_label(ctx, row, "type", "type", type);
    ngx_http_helpdesk_set_label(ctx, row, "status", "status", status);
    ngx_http_helpdesk_set_label(ctx, row, "priority", "priority", priority);
    hd_val_set_cstr(pool, row, "status_code", status);
    hd_val_set_cstr(pool, row, "priority_code", priority);
    hd_val_set_bool(pool, row, "closed", hd_status_closed(t->status));
    hd_val_set_bool(pool, row, "premium", t->premium != 0);

    if (with_author) {
        hd_val_set_str(pool, row, "author", author->data, author->len);
    }

    hd_val_push(pool, list, row);
}


static ngx_int_t
ngx_http_helpdesk_arg_number(ngx_http_request_t *r, const char *name,
    ngx_int_t def, ngx_int_t max)
{
    ngx_int_t  n;
    ngx_str_t  arg;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &arg) != NGX_OK
        || arg.len == 0)
    {
        return def;
    }

    n = ngx_atoi(arg.data, arg.len);

    if (n == NGX_ERROR || n < 1) {
        return NGX_ERROR;
    }

    return n > max ? max : n;
}


/*
 * "My tickets" (SPEC §5.5): unclosed by default, the resolved ones on
 * request; the limits of the certificates above; pages of 20
 */
ngx_int_t
ngx_http_helpdesk_tickets(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                             i, n, pages, allowed, unclosed;
    hd_err_t                           err;
    hd_txn_t                           txn;
    hd_val_t                          *view, *list, *certs, *item;
    json_t                            *array, *jcerts;
    ngx_str_t                          show;
    ngx_int_t                          page, per_page;
    hd_pool_t                         *pool = &ctx->pool;
    hd_account_t                      *a = ctx->caller.account;
    hd_ticket_cert_t                  *tc;
    hd_ticket_page_t                   result;
    hd_ticket_query_t                  q;
    ngx_http_helpdesk_ticket_names_t   names;

    page = ngx_http_helpdesk_arg_number(r, "page", 1, 1000000);
    per_page = ngx_http_helpdesk_arg_number(r, "per_page",
                                            NGX_HTTP_HELPDESK_PER_PAGE,
                                            NGX_HTTP_HELPDESK_PER_PAGE_MAX);

    if (page == NGX_ERROR || per_page == NGX_ERROR) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                       "page_invalid",
                                       page == NGX_ERROR ? "page"
                                                         : "per_page");
    }

    if (!ctx->api) {
        per_page = NGX_HTTP_HELPDESK_PER_PAGE;
    }

    ngx_memzero(&q, sizeof(q));

    if (ngx_http_arg(r, (u_char *) "show", 4, &show) == NGX_OK) {
        if (show.len == 3 && ngx_strncmp(show.data, "all", 3) == 0) {
            q.closed_too = 1;

        } else if (!(show.len == 8
                     && ngx_strncmp(show.data, "unclosed", 8) == 0))
        {
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "show_invalid", "show");
        }
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    q.account = a->id;
    q.company = a->company;
    q.sees_company = hd_ticket_sees_company(&txn, a);
    q.offset = (size_t) (page - 1) * per_page;
    q.limit = (size_t) per_page;

    if (hd_ticket_list(&txn, &q, pool, &result) != HD_OK
        || hd_ticket_certificates(&txn, a, hd_date_today(ngx_time()), pool,
                                  &tc, &n)
           != HD_OK)
    {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&names, sizeof(names));
    names.txn = &txn;
    names.pool = pool;

    array = ctx->api ? json_array() : NULL;
    jcerts = ctx->api ? json_array() : NULL;
    list = ctx->api ? NULL : hd_val_list(pool);
    certs = hd_val_list(pool);

    for (i = 0; i < result.n; i++) {
        ngx_http_helpdesk_ticket_row(ctx, &names, &result.tickets[i],
                                     q.sees_company, list, array);
    }

    hd_txn_abort(&txn);

    /* "Unclosed: N, allowed: M" per certificate, and in all */
    allowed = 0;
    unclosed = 0;

    for (i = 0; i < n; i++) {
        allowed += tc[i].type.ticket_limit;
        unclosed += tc[i].unclosed;

        if (jcerts != NULL) {
            json_array_append_new(jcerts,
                json_pack("{s:o, s:o, s:i, s:i}",
                          "number", ngx_http_helpdesk_json_str(
                                        &tc[i].cert.number),
                          "product", ngx_http_helpdesk_json_str(
                                         &tc[i].product),
                          "unclosed", (int) tc[i].unclosed,
                          "limit", (int) tc[i].type.ticket_limit));
            continue;
        }

        item = hd_val_map(pool);
        hd_val_set_str(pool, item, "number", tc[i].cert.number.data,
                       tc[i].cert.number.len);
        hd_val_set_str(pool, item, "product", tc[i].product.data,
                       tc[i].product.len);
        hd_val_set_int(pool, item, "unclosed", (int64_t) tc[i].unclosed);
        hd_val_set_int(pool, item, "limit", tc[i].type.ticket_limit);
        hd_val_set_bool(pool, item, "full", tc[i].type.ticket_limit
                                            && tc[i].unclosed
                                               >= tc[i].type.ticket_limit);
        hd_val_push(pool, certs, item);
    }

    if (ctx->api) {
        return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
                   json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:o}",
                             "unclosed", (int) result.unclosed,
                             "allowed", (int) allowed,
                             "resolved", (int) result.closed,
                             "total", (int) result.total,
                             "page", (int) page,
                             "per_page", (int) per_page,
                             "certificates", jcerts,
                             "tickets", array));
    }

    view = ngx_http_helpdesk_view(r, ctx, "tickets.title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    pages = result.total ? (result.total + per_page - 1) / per_page : 1;

    hd_val_set(pool, view, "tickets", list);
    hd_val_set_bool(pool, view, "has_tickets", result.n != 0);
    hd_val_set_bool(pool, view, "with_author", q.sees_company);
    hd_val_set(pool, view, "certificates", certs);
    hd_val_set_bool(pool, view, "has_certificates", n != 0);
    hd_val_set_int(pool, view, "unclosed", (int64_t) result.unclosed);
    hd_val_set_int(pool, view, "cert_unclosed", (int64_t) unclosed);
    hd_val_set_int(pool, view, "allowed", (int64_t) allowed);
    hd_val_set_int(pool, view, "resolved", (int64_t) result.closed);
    hd_val_set_bool(pool, view, "show_all", q.closed_too);
    hd_val_set_int(pool, view, "page", page);
    hd_val_set_int(pool, view, "pages", (int64_t) pages);
    hd_val_set_cstr(pool, view, "show", q.closed_too ? "all" : "unclosed");

    if (page > 1) {
        hd_val_set_int(pool, view, "prev_page", page - 1);
    }

    if ((size_t) page < pages) {
        hd_val_set_int(pool, view, "next_page", page + 1);
    }

    return ngx_http_helpdesk_render(r, ctx, "pages/tickets", view,
                                    NGX_HTTP_OK);
}


/* the choices of a select: value, label, selected */
static hd_val_t *
ngx_http_helpdesk_choices(ngx_http_helpdesk_ctx_t *ctx, const char *prefix,
    const char **names, ngx_uint_t n, const hd_str_t *chosen,
    const char *def)
{
    hd_val_t    *list, *item;
    hd_pool_t   *pool = &ctx->pool;
    ngx_uint_t   i, sel;

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        item = hd_val_map(pool);
        hd_val_set_cstr(pool, item, "value", names[i]);
        ngx_http_helpdesk_set_label(ctx, item, "label", prefix, names[i]);

        if (chosen != NULL && chosen->data != NULL && chosen->len) {
            sel = hd_str_eq(chosen, names[i]);

        } else {
            sel = def != NULL && ngx_strcmp(def, names[i]) == 0;
        }

        hd_val_set_bool(pool, item, "selected", sel);
        hd_val_push(pool, list, item);
    }

    return list;
}


/*
 * The new-ticket form (SPEC §5.3): the caller's active certificates with
 * "unclosed N of M" and premium where the contract has some left; shown
 * again with errors
 */
ngx_int_t
ngx_http_helpdesk_ticket_form_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    size_t              i, n, nproducts;
    hd_str_t            chosen, v;
    hd_err_t            err;
    hd_txn_t            txn;
    hd_val_t           *view, *certs, *item, *products;
    ngx_str_t           ref;
    hd_pool_t          *pool = &ctx->pool;
    ngx_uint_t          any_premium, any_selected, sel;
    hd_product_t       *plist;
    hd_ticket_cert_t   *tc;

    static const char  *echo[] = {
        "subject", "description", "product_version", "os_version",
        "reference", NULL
    };

    static const char  *severity_names[] = { "1", "2", "3", "4" };

    view = ngx_http_helpdesk_view(r, ctx, "tickets.new_title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (hd_ticket_certificates(&txn, ctx->caller.account,
                               hd_date_today(ngx_time()), pool, &tc, &n)
        != HD_OK
        || hd_product_list(&txn, pool, &plist, &nproducts) != HD_OK)
    {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_txn_abort(&txn);

    /* the products, for tickets without a certificate */
    products = hd_val_list(pool);
    (void) ngx_http_helpdesk_input_str(ctx, "product", &chosen);

    for (i = 0; i < nproducts; i++) {
        item = hd_val_map(pool);
        hd_val_set_int(pool, item, "id", (int64_t) plist[i].id);
        hd_val_set_str(pool, item, "name", plist[i].name.data,
                       plist[i].name.len);
        hd_val_set_bool(pool, item, "selected",
                        chosen.data != NULL && chosen.len
                        && ngx_atoof(chosen.data, chosen.len)
                           == (off_t) plist[i].id);
        hd_val_push(pool, products, item);
    }

    hd_val_set(pool, view, "products", products);

    certs = hd_val_list(pool);
    any_premium = 0;
    any_selected = 0;
    (void) ngx_http_helpdesk_input_str(ctx, "certificate", &chosen);

    for (i = 0; i < n; i++) {
        item = hd_val_map(pool);
        hd_val_set_str(pool, item, "number", tc[i].cert.number.data,
                       tc[i].cert.number.len);
        hd_val_set_str(pool, item, "type", tc[i].type.name.data,
                       tc[i].type.name.len);
        hd_val_set_str(pool, item, "product", tc[i].product.data,
                       tc[i].product.len);
        hd_val_set_int(pool, item, "unclosed", (int64_t) tc[i].unclosed);
        hd_val_set_int(pool, item, "limit", tc[i].type.ticket_limit);
        hd_val_set_bool(pool, item, "full",
                        tc[i].type.ticket_limit
                        && tc[i].unclosed >= tc[i].type.ticket_limit);
        hd_val_set_bool(pool, item, "company", tc[i].company);
        /* as sent; on a fresh form the first with room */
        if (chosen.data != NULL) {
            sel = chosen.len == tc[i].cert.number.len
                  && ngx_strncmp(chosen.data, tc[i].cert.number.data,
                                 chosen.len) == 0;

        } else {
            sel = !any_selected
                  && !(tc[i].type.ticket_limit
                       && tc[i].unclosed >= tc[i].type.ticket_limit);
        }

        any_selected |= sel;
        hd_val_set_bool(pool, item, "selected", sel);

        if (tc[i].type.level != HD_LEVEL_STANDARD
            && tc[i].type.premium_per_year != 0)
        {
            hd_val_set_bool(pool, item, "premium_contract", 1);
            hd_val_set_bool(pool, item, "premium_unlimited",
                            tc[i].premium_left < 0);
            hd_val_set_int(pool, item, "premium_left",
                           tc[i].premium_left < 0 ? 0 : tc[i].premium_left);
            hd_val_set_bool(pool, item, "premium_spent",
                            tc[i].premium_left == 0);
            any_premium = 1;
        }

        hd_val_push(pool, certs, item);
    }

    hd_val_set(pool, view, "certificates", certs);
    hd_val_set_bool(pool, view, "has_certificates", n != 0);
    hd_val_set_bool(pool, view, "any_premium", any_premium);
    hd_val_set_bool(pool, view, "no_certificate_chosen", !any_selected);

    (void) ngx_http_helpdesk_input_str(ctx, "category", &chosen);
    hd_val_set(pool, view, "categories",
               ngx_http_helpdesk_choices(ctx, "category", hd_category_names,
                                         HD_CATEGORY_COUNT, &chosen,
                                         "technical"));

    (void) ngx_http_helpdesk_input_str(ctx, "type", &chosen);
    hd_val_set(pool, view, "types",
               ngx_http_helpdesk_choices(ctx, "type", hd_ticket_type_names,
                                         HD_TYPE_COUNT, &chosen,
                                         "consultation"));

    (void) ngx_http_helpdesk_input_str(ctx, "severity", &chosen);
    hd_val_set(pool, view, "severities",
               ngx_http_helpdesk_choices(ctx, "severity", severity_names, 4,
                                         &chosen, "3"));

    (void) ngx_http_helpdesk_input_str(ctx, "premium", &v);
    hd_val_set_bool(pool, view, "premium_chosen",
                    v.data != NULL && v.len
                    && !(v.len == 1 && v.data[0] == '0'));

    /* "continues ticket N": from the link after a reopen window passed */
    if (ngx_http_arg(r, (u_char *) "reference", 9, &ref) == NGX_OK
        && ref.len && ref.len < 16 && ngx_atoof(ref.data, ref.len) > 0)
    {
        hd_val_set_str(pool, view, "reference", ref.data, ref.len);
    }

    hd_val_set_int(pool, view, "files_max", ctx->mcf->tickets.files_max);
    hd_val_set_int(pool, view, "file_max_mb",
                   (int64_t) (ctx->mcf->tickets.file_max / (1024 * 1024)));
    hd_val_set_int(pool, view, "message_max_mb",
                   (int64_t) (ctx->mcf->tickets.message_max
                              / (1024 * 1024)));

    return ngx_http_helpdesk_render(r, ctx, "pages/ticket_new", view, status);
}


ngx_int_t
ngx_http_helpdesk_ticket_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_ticket_form_page(r, ctx, NULL, NGX_HTTP_OK);
}


/* "340 bytes", "12 KB", "3.4 MB" */
static hd_val_t *
ngx_http_helpdesk_size_text(ngx_http_helpdesk_ctx_t *ctx, uint64_t size)
{
    u_char           *p, *end;
    const hd_str_t   *unit;

    p = hd_palloc(&ctx->pool, 48);
    if (p == NULL) {
        return hd_val_null();
    }

    if (size < 1024) {
        unit = ngx_http_helpdesk_text(ctx, "tickets.bytes");
        end = ngx_sprintf(p, "%uL %V", size, unit);

    } else if (size < 1024 * 1024) {
        unit = ngx_http_helpdesk_text(ctx, "tickets.kb");
        end = ngx_sprintf(p, "%uL %V", (size + 1023) / 1024, unit);

    } else {
        unit = ngx_http_helpdesk_text(ctx, "tickets.mb");
        end = ngx_sprintf(p, "%uL.%uL %V", size / (1024 * 1024),
                          (size % (1024 * 1024)) * 10 / (1024 * 1024), unit);
    }

    return hd_val_str(&ctx->pool, p, end - p);
}


/* what the caller may do with the ticket now, for its page and the API */
typedef struct {
    unsigned          rights;
    ngx_uint_t        reply;
    ngx_uint_t        close;
    ngx_uint_t        reopen;
    ngx_uint_t        reopen_passed;
    ngx_uint_t        final;
    ngx_uint_t        rate;
    uint64_t          reopen_until;
} ngx_http_helpdesk_can_t;


static void
ngx_http_helpdesk_ticket_can(ngx_http_helpdesk_ctx_t *ctx,
    const hd_ticket_t *t, unsigned rights, ngx_http_helpdesk_can_t *can)
{
    ngx_memzero(can, sizeof(*can));

    can->rights = rights;

    if (!hd_status_closed(t->status)) {
        can->reply = (rights & HD_TICKET_ACT) != 0;
        can->close = can->reply;
        return;
    }

    can->rate = (rights & HD_TICKET_RATE) && t->rating == 0;

    if (hd_transition(HD_ACTION_REOPEN, t->status) < 0) {
        can->final = 1;
        return;
    }

    can->reopen_until = hd_ticket_reopen_until(&ctx->mcf->tickets, t);

    if (can->reopen_until != 0 && (uint64_t) ngx_time() > can->reopen_until) {
        can->reopen_passed = 1;

    } else {
        can->reopen = (rights & HD_TICKET_ACT) != 0;
    }
}


static json_t *
ngx_http_helpdesk_message_json(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_ticket_names_t *names, const hd_message_t *m,
    const hd_attachment_t *files, size_t nfiles)
{
    u_char   url[128], *p;
    size_t   i;
    json_t  *msg, *list;

    list = json_array();

    for (i = 0; i < nfiles; i++) {
        if (files[i].message != m->id) {
            continue;
        }

        p = ngx_sprintf(url, "%Vapi/v1/tickets/%uL/files/%uL",
                        &ctx->lcf->mount, m->ticket, files[i].id);

        json_array_append_new(list,
            json_pack("{s:I, s:o, s:o, s:I, s:s#}",
                      "id", (json_int_t) files[i].id,
                      "name", ngx_http_helpdesk_json_str(&files[i].name),
                      "type", ngx_http_helpdesk_json_str(&files[i].type),
                      "size", (json_int_t) files[i].size,
                      "url", url, (int) (p - url)));
    }

    msg = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o}",
                    "id", (json_int_t) m->id,
                    "kind", hd_message_kind_names[m->kind
                                                  % HD_MESSAGE_KIND_COUNT],
                    "side", hd_side_names[m->side % HD_SIDE_COUNT],
                    "author", ngx_http_helpdesk_json_str(
                                  ngx_http_helpdesk_account_name(names,
                                                                 m->author)),
                    "body", ngx_http_helpdesk_json_str(&m->body),
                    "created", ngx_http_helpdesk_json_time(m->created),
                    "attachments", list);

    if (msg != NULL && m->kind == HD_MESSAGE_EVENT) {
        json_object_set_new(msg, "event",
            json_pack("{s:s, s:s?, s:s?}",
                      "action", hd_action_names[m->action % HD_ACTION_COUNT],
                      "from", m->from < HD_STATUS_COUNT
                              ? hd_status_names[m->from] : NULL,
                      "to", m->to < HD_STATUS_COUNT
                            ? hd_status_names[m->to] : NULL));
    }

    return msg;
}


static hd_val_t *
ngx_http_helpdesk_message_view(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_ticket_names_t *names, const hd_message_t *m,
    const hd_attachment_t *files, size_t nfiles)
{
    u_char          *href, *p;
    size_t           i;
    hd_str_t        *author;
    hd_val_t        *item, *list, *f;
    hd_pool_t       *pool = &ctx->pool;

    item = hd_val_map(pool);
    author = ngx_http_helpdesk_account_name(names, m->author);

    hd_val_set_int(pool, item, "id", (int64_t) m->id);
    hd_val_set_cstr(pool, item, "kind",
                    hd_message_kind_names[m->kind % HD_MESSAGE_KIND_COUNT]);
    ngx_http_helpdesk_set_label(ctx, item, "kind_label", "kind",
                                hd_message_kind_names[m->kind
                                                  % HD_MESSAGE_KIND_COUNT]);
    ngx_http_helpdesk_set_label(ctx, item, "side", "side",
                                hd_side_names[m->side % HD_SIDE_COUNT]);
    hd_val_set_str(pool, item, "author", author->data, author->len);
    hd_val_set(pool, item, "created",
               ngx_http_helpdesk_time_text(ctx, m->created));
    hd_val_set_bool(pool, item, "staff", m->side == HD_SIDE_STAFF);

    if (m->kind == HD_MESSAGE_EVENT) {
        hd_val_set_bool(pool, item, "event", 1);
        ngx_http_helpdesk_set_label(ctx, item, "what", "event",
                                    hd_action_names[m->action
                                                    % HD_ACTION_COUNT]);

        if (m->to < HD_STATUS_COUNT) {
            ngx_http_helpdesk_set_label(ctx, item, "to", "status",
                                        hd_status_names[m->to]);
        }

        if (m->from < HD_STATUS_COUNT) {
            ngx_http_helpdesk_set_label(ctx, item, "from", "status",
                                        hd_status_names[m->from]);
        }

        return item;
    }

    hd_val_set_str(pool, item, "body", m->body.data, m->body.len);

    list = hd_val_list(pool);

    for (i = 0; i < nfiles; i++) {
        if (files[i].message != m->id) {
            continue;
        }

        href = hd_palloc(pool, ctx->lcf->mount.len + 64);
        if (href == NULL) {
            continue;
        }

        p = ngx_sprintf(href, "%Vtickets/%uL/files/%uL", &ctx->lcf->mount,
                        m->ticket, files[i].id);

        f = hd_val_map(pool);
        hd_val_set_str(pool, f, "name", files[i].name.data,
                       files[i].name.len);
        hd_val_set_str(pool, f, "href", href, p - href);
        hd_val_set(pool, f, "size", ngx_http_helpdesk_size_text(ctx,
                                                              files[i].size));
        hd_val_push(pool, list, f);
    }

    hd_val_set(pool, item, "attachments", list);
    hd_val_set_bool(pool, item, "has_attachments", list->u.items.n != 0);

    return item;
}


static void
ngx_http_helpdesk_set_given(hd_pool_t *pool, hd_val_t *map, const char *key,
    const hd_str_t *s)
{
    if (s->len) {
        hd_val_set_str(pool, map, key, s->data, s->len);
    }
}


/* the ticket's fields shown in its header */
static void
ngx_http_helpdesk_ticket_header(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_ticket_names_t *names, const hd_ticket_t *t,
    const hd_str_t *cert, const hd_str_t *product, hd_val_t *view)
{
    hd_str_t   *s;
    hd_pool_t  *pool = &ctx->pool;

    static const char  *severities[] = { "1", "2", "3", "4" };

    hd_val_set_int(pool, view, "number", (int64_t) t->number);
    hd_val_set_str(pool, view, "subject", t->subject.data, t->subject.len);
    hd_val_set(pool, view, "created", ngx_http_helpdesk_time_text(ctx,
                                                                t->created));
    hd_val_set(pool, view, "updated", ngx_http_helpdesk_time_text(ctx,
                                                                t->updated));

    s = ngx_http_helpdesk_department_name(names, t->department);
    hd_val_set_str(pool, view, "department", s->data, s->len);

    s = ngx_http_helpdesk_account_name(names, t->owner);
    hd_val_set_str(pool, view, "owner", s->data, s->len);

    s = ngx_http_helpdesk_account_name(names, t->author);
    hd_val_set_str(pool, view, "author", s->data, s->len);

    ngx_http_helpdesk_set_label(ctx, view, "type", "type",
                                hd_ticket_type_names[t->type % HD_TYPE_COUNT]);
    ngx_http_helpdesk_set_label(ctx, view, "category", "category",
                                hd_category_names[t->category
                                                  % HD_CATEGORY_COUNT]);
    ngx_http_helpdesk_set_label(ctx, view, "status", "status",
                                hd_status_names[t->status % HD_STATUS_COUNT]);
    ngx_http_helpdesk_set_label(ctx, view, "priority", "priority",
                                hd_priority_names[t->priority
                                                  % HD_PRIORITY_COUNT]);
    hd_val_set_cstr(pool, view, "status_code",
                    hd_status_names[t->status % HD_STATUS_COUNT]);
    hd_val_set_cstr(pool, view, "priority_code",
                    hd_priority_names[t->priority % HD_PRIORITY_COUNT]);

    ngx_http_helpdesk_set_label(ctx, view, "severity", "severity",
                                severities[(t->severity >= 1
                                            && t->severity <= 4)
                                           ? t->severity - 1 : 3]);

    /* optional fields only when there: a template's section shows them */
    ngx_http_helpdesk_set_given(pool, view, "certificate", cert);
    ngx_http_helpdesk_set_given(pool, view, "product", product);
    ngx_http_helpdesk_set_given(pool, view, "product_version",
                                &t->product_version);
    ngx_http_helpdesk_set_given(pool, view, "os_version", &t->os_version);
    hd_val_set_bool(pool, view, "premium", t->premium != 0);
    hd_val_set_bool(pool, view, "closed", hd_status_closed(t->status));

    if (t->reference) {
        hd_val_set_int(pool, view, "reference", (int64_t) t->reference);
    }

    if (t->rating) {
        hd_val_set_int(pool, view, "rating", t->rating);
        hd_val_set_str(pool, view, "rating_comment", t->rating_comment.data,
                       t->rating_comment.len);
    }
}


/*
 * A ticket (SPEC §5.5): header, thread oldest or newest first, attachments,
 * and the forms the caller may use; the form's errors when shown again
 */
ngx_int_t
ngx_http_helpdesk_ticket_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    size_t                             i, nmsg, nfiles;
    uint64_t                           number;
    hd_err_t                           err;
    hd_txn_t                           txn;
    hd_str_t                           cert, product;
    hd_val_t                          *view, *thread, *rating, *star;
    json_t                            *json, *msgs;
    ngx_str_t                          order;
    hd_pool_t                         *pool = &ctx->pool;
    ngx_uint_t                         newest;
    hd_ticket_t                        t;
    hd_product_t                       p;
    hd_message_t                      *m;
    hd_attachment_t                   *files;
    ngx_http_helpdesk_can_t            can;
    ngx_http_helpdesk_ticket_names_t   names;

    static const char  *echo[] = { "body", NULL };

    number = ngx_http_helpdesk_ticket_arg(ctx);

    if (number == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (hd_ticket_get(&txn, number, &t) != HD_OK
        || !(hd_ticket_rights(&txn, ctx->caller.account, &t) & HD_TICKET_SEE))
    {
        /* someone else's ticket is no ticket at all */
        hd_txn_abort(&txn);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    hd_ticket_copy(pool, &t);
    ngx_http_helpdesk_ticket_can(ctx, &t,
                                 hd_ticket_rights(&txn, ctx->caller.account,
                                                  &t),
                                 &can);

    if (hd_message_list(&txn, t.number, 0, pool, &m, &nmsg) != HD_OK
        || hd_attachment_list(&txn, t.number, pool, &files, &nfiles) != HD_OK)
    {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&names, sizeof(names));
    names.txn = &txn;
    names.pool = pool;

    cert = ngx_http_helpdesk_ticket_cert(&txn, pool, &t);
    product.len = 0;
    product.data = (hd_uchar *) "";

    if (t.product && hd_product_get(&txn, t.product, &p) == HD_OK) {
        product.data = hd_pstrdup(pool, p.name.data, p.name.len);
        product.len = p.name.len;
    }

    if (ctx->api) {
        msgs = json_array();

        for (i = 0; i < nmsg; i++) {
            json_array_append_new(msgs,
                ngx_http_helpdesk_message_json(ctx, &names, &m[i], files,
                                               nfiles));
        }

        json = json_pack("{s:I, s:o, s:s, s:s, s:o, s:o, s:s, s:s, s:i,"
                         " s:o, s:o, s:o, s:o, s:s, s:b, s:o, s:o, s:o,"
                         " s:o, s:{s:b, s:b, s:b, s:b}, s:o}",
            "number", (json_int_t) t.number,
            "subject", ngx_http_helpdesk_json_str(&t.subject),
            "status", hd_status_names[t.status % HD_STATUS_COUNT],
            "priority", hd_priority_names[t.priority % HD_PRIORITY_COUNT],
            "department", ngx_http_helpdesk_json_str(
                ngx_http_helpdesk_department_name(&names, t.department)),
            "owner", t.owner ? ngx_http_helpdesk_json_str(
                                   ngx_http_helpdesk_account_name(&names,
                                                                  t.owner))
                             : json_null(),
            "type", hd_ticket_type_names[t.type % HD_TYPE_COUNT],
            "category", hd_category_names[t.category % HD_CATEGORY_COUNT],
            "severity", (int) t.severity,
            "certificate", cert.len ? ngx_http_helpdesk_json_str(&cert)
                                    : json_null(),
            "product", product.len ? ngx_http_helpdesk_json_str(&product)
                                   : json_null(),
            "product_version", ngx_http_helpdesk_json_str(&t.product_version),
            "os_version", ngx_http_helpdesk_json_str(&t.os_version),
            "channel", hd_channel_names[t.channel % HD_CHANNEL_COUNT],
            "premium", t.premium != 0,
            "created", ngx_http_helpdesk_json_time(t.created),
            "updated", ngx_http_helpdesk_json_time(t.updated),
            "author", ngx_http_helpdesk_json_str(
                          ngx_http_helpdesk_account_name(&names, t.author)),
            "rating", t.rating
                      ? json_pack("{s:i, s:o}", "stars", (int) t.rating,
                                  "comment", ngx_http_helpdesk_json_str(
                                                 &t.rating_comment))
                      : json_null(),
            "can", "reply", (int) can.reply, "close", (int) can.close,
                   "reopen", (int) can.reopen, "rate", (int) can.rate,
            "messages", msgs);

        hd_txn_abort(&txn);

        if (json != NULL && t.reference) {
            json_object_set_new(json, "reference",
                                json_integer((json_int_t) t.reference));
        }

        if (json != NULL && can.reopen_until) {
            json_object_set_new(json, "reopen_until",
                                ngx_http_helpdesk_json_time(can.reopen_until));
        }

        return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK, json);
    }

    view = ngx_http_helpdesk_view(r, ctx, NULL);
    if (view == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_val_set_str(pool, view, "title", t.subject.data, t.subject.len);
    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);
    ngx_http_helpdesk_ticket_header(ctx, &names, &t, &cert, &product, view);

    newest = ngx_http_arg(r, (u_char *) "order", 5, &order) == NGX_OK
             && order.len == 6 && ngx_strncmp(order.data, "newest", 6) == 0;

    thread = hd_val_list(pool);

    for (i = 0; i < nmsg; i++) {
        hd_val_push(pool, thread,
                    ngx_http_helpdesk_message_view(ctx, &names,
                                                   &m[newest ? nmsg - 1 - i
                                                             : i],
                                                   files, nfiles));
    }

    hd_txn_abort(&txn);

    hd_val_set(pool, view, "thread", thread);
    hd_val_set_bool(pool, view, "newest_first", newest);
    hd_val_set_bool(pool, view, "can_reply", can.reply);
    hd_val_set_bool(pool, view, "can_close", can.close);
    hd_val_set_bool(pool, view, "can_reopen", can.reopen);
    hd_val_set_bool(pool, view, "reopen_passed", can.reopen_passed);
    hd_val_set_bool(pool, view, "final", can.final);
    hd_val_set_bool(pool, view, "can_rate", can.rate);
    hd_val_set_bool(pool, view, "solved", t.status == HD_STATUS_SOLVED);

    if (can.reopen && can.reopen_until) {
        hd_val_set(pool, view, "reopen_until",
                   ngx_http_helpdesk_time_text(ctx, can.reopen_until));
    }

    if (t.rating) {
        rating = hd_val_list(pool);

        for (i = 0; i < 5; i++) {
            star = hd_val_map(pool);
            hd_val_set_bool(pool, star, "on", i < t.rating);
            hd_val_push(pool, rating, star);
        }

        hd_val_set(pool, view, "stars", rating);
    }

    hd_val_set_int(pool, view, "files_max", ctx->mcf->tickets.files_max);
    hd_val_set_int(pool, view, "file_max_mb",
                   (int64_t) (ctx->mcf->tickets.file_max / (1024 * 1024)));

    return ngx_http_helpdesk_render(r, ctx, "pages/ticket", view, status);
}


ngx_int_t
ngx_http_helpdesk_ticket(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_ticket_page(r, ctx, NULL, NGX_HTTP_OK);
}


/* after creation: the number, and where to go */
ngx_int_t
ngx_http_helpdesk_ticket_created(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    uint64_t                           number;
    hd_err_t                           err;
    hd_txn_t                           txn;
    hd_str_t                           cert, product;
    hd_val_t                          *view;
    hd_ticket_t                        t;
    ngx_http_helpdesk_ticket_names_t   names;

    number = ngx_http_helpdesk_ticket_arg(ctx);

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (number == 0 || hd_ticket_get(&txn, number, &t) != HD_OK
        || !(hd_ticket_rights(&txn, ctx->caller.account, &t) & HD_TICKET_SEE))
    {
        hd_txn_abort(&txn);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    hd_ticket_copy(&ctx->pool, &t);

    view = ngx_http_helpdesk_view(r, ctx, "tickets.created_title");
    if (view == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&names, sizeof(names));
    names.txn = &txn;
    names.pool = &ctx->pool;

    cert = ngx_http_helpdesk_ticket_cert(&txn, &ctx->pool, &t);
    product.len = 0;
    product.data = (hd_uchar *) "";

    ngx_http_helpdesk_ticket_header(ctx, &names, &t, &cert, &product, view);
    hd_txn_abort(&txn);

    hd_val_set_bool(&ctx->pool, view, "no_certificate", t.certificate == 0);

    return ngx_http_helpdesk_render(r, ctx, "pages/ticket_created", view,
                                    NGX_HTTP_OK);
}


/*
 * The rating link of the closing e-mail: works without logging in, for the
 * ticket it was made for, until the ticket is rated
 */
ngx_int_t
ngx_http_helpdesk_ticket_rate_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    uint64_t     number;
    hd_str_t     token;
    hd_err_t     err;
    hd_txn_t     txn;
    hd_val_t    *view;
    hd_ticket_t  t;

    static const char  *echo[] = { "comment", NULL };

    number = ngx_http_helpdesk_ticket_arg(ctx);

    if (ngx_http_helpdesk_input_str(ctx, "t", &token) != NGX_OK
        || token.data == NULL)
    {
        if (ngx_http_helpdesk_secret_arg(r, "t", &token) != NGX_OK) {
            token.len = 0;
        }
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (number == 0 || hd_ticket_get(&txn, number, &t) != HD_OK
        || hd_ticket_rating_check(&txn, &t, &token) != HD_OK)
    {
        hd_txn_abort(&txn);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "link_invalid", NULL);
    }

    hd_ticket_copy(&ctx->pool, &t);
    hd_txn_abort(&txn);

    view = ngx_http_helpdesk_view(r, ctx, "tickets.rate_title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);
    hd_val_set_int(&ctx->pool, view, "number", (int64_t) t.number);
    hd_val_set_str(&ctx->pool, view, "subject", t.subject.data,
                   t.subject.len);
    hd_val_set_str(&ctx->pool, view, "token", token.data, token.len);
    hd_val_set_bool(&ctx->pool, view, "rated", t.rating != 0);

    if (t.rating) {
        hd_val_set_int(&ctx->pool, view, "rating", t.rating);
    }

    return ngx_http_helpdesk_render(r, ctx, "pages/ticket_rate", view,
                                    status);
}


ngx_int_t
ngx_http_helpdesk_ticket_rate_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_ticket_rate_page(r, ctx, NULL, NGX_HTTP_OK);
}


/* types a browser might run or render: sent as plain bytes instead */
static ngx_uint_t
ngx_http_helpdesk_active_type(const hd_str_t *type)
{
    ngx_uint_t  i;

    static const char  *active[] = {
        "html", "xml", "svg", "javascript", "ecmascript", "xhtml", "css",
        "x-shockwave", NULL
    };

    for (i = 0; active[i]; i++) {
        if (ngx_strlcasestrn(type->data, type->data + type->len,
                             (u_char *) active[i], ngx_strlen(active[i]) - 1)
            != NULL)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * Content-Disposition: attachment, with the name as ASCII for old clients
 * and as UTF-8 in filename* (RFC 6266, RFC 5987)
 */
static ngx_int_t
ngx_http_helpdesk_disposition(ngx_http_request_t *r, const hd_str_t *name)
{
    u_char      *v, *p;
    size_t       i;
    u_char       c;

    static const char  hex[] = "0123456789ABCDEF";

    v = ngx_pnalloc(r->pool, sizeof("attachment; filename=\"\"; "
                                    "filename*=UTF-8''") + 4 * name->len);
    if (v == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(v, "attachment; filename=\"", 22);

    for (i = 0; i < name->len; i++) {
        c = name->data[i];
        *p++ = (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '%')
               ? '_' : c;
    }

    p = ngx_cpymem(p, "\"; filename*=UTF-8''", 20);

    for (i = 0; i < name->len; i++) {
        c = name->data[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || ngx_strchr("!#$&+-.^_`|~", c))
        {
            *p++ = c;

        } else {
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 0x0f];
        }
    }

    return ngx_http_helpdesk_add_header(r, "Content-Disposition", v, p - v);
}


/*
 * An attachment: the same access as its ticket (an internal note's are
 * staff's), then nginx sends the stored file itself: an internal redirect
 * to the internal location over the file store
 */
ngx_int_t
ngx_http_helpdesk_ticket_file(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    char              rel[HD_FILE_REL_LEN + 1];
    off_t             id;
    uint64_t          number;
    hd_err_t          err;
    hd_txn_t          txn;
    hd_str_t          type, name;
    ngx_str_t         uri;
    hd_ticket_t       t;
    hd_message_t      m;
    hd_attachment_t   a;

    number = ngx_http_helpdesk_ticket_arg(ctx);
    id = ctx->nargs > 1 && ctx->args[1].len < 16
         ? ngx_atoof(ctx->args[1].data, ctx->args[1].len) : NGX_ERROR;

    if (number == 0 || id <= 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (hd_ticket_get(&txn, number, &t) != HD_OK
        || !(hd_ticket_rights(&txn, ctx->caller.account, &t) & HD_TICKET_SEE)
        || hd_attachment_get(&txn, number, (uint64_t) id, &a) != HD_OK
        || hd_message_get(&txn, number, a.message, &m) != HD_OK
        || m.kind == HD_MESSAGE_NOTE
        || a.sha256.len != HD_SHA256_LEN)
    {
        hd_txn_abort(&txn);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    hd_file_rel_path(a.sha256.data, rel);

    name.data = hd_pstrdup(&ctx->pool, a.name.data, a.name.len);
    name.len = a.name.len;
    type.data = hd_pstrdup(&ctx->pool, a.type.data, a.type.len);
    type.len = a.type.len;

    hd_txn_abort(&txn);

    if (name.data == NULL || type.data == NULL
        || ngx_http_helpdesk_disposition(r, &name) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (type.len == 0 || ngx_http_helpdesk_active_type(&type)) {
        ngx_str_set(&r->headers_out.content_type,
                    "application/octet-stream");

    } else {
        r->headers_out.content_type.data = type.data;
        r->headers_out.content_type.len = type.len;
    }

    r->headers_out.content_type_len = r->headers_out.content_type.len;

    ngx_http_helpdesk_security_headers(r);
    ngx_http_helpdesk_add_header(r, "Cache-Control",
                                 (u_char *) "private, no-store", 17);

    uri.len = ctx->mcf->files_uri.len + HD_FILE_REL_LEN;
    uri.data = ngx_pnalloc(r->pool, uri.len);
    if (uri.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(ngx_cpymem(uri.data, ctx->mcf->files_uri.data,
                          ctx->mcf->files_uri.len),
               rel, HD_FILE_REL_LEN);

    return ngx_http_internal_redirect(r, &uri, NULL);
}

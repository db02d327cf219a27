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
#include "hd_ticket_staff.h"


#define NGX_HTTP_HELPDESK_PER_PAGE      20
#define NGX_HTTP_HELPDESK_PER_PAGE_MAX  100




static hd_str_t  ngx_http_helpdesk_nobody = hd_null_string;


hd_str_t *
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


hd_str_t *
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


static const char  *ngx_http_helpdesk_severity_names[] = { "1", "2", "3",
                                                          "4" };

/* each table: its prefix in the catalogue ("tickets.<prefix>_<name>") */
static const struct {
    const char      *prefix;
    const char     **names;
    ngx_uint_t       n;
} ngx_http_helpdesk_label_tables[NGX_HTTP_HELPDESK_L_COUNT] = {
    { "status", hd_status_names, HD_STATUS_COUNT },
    { "priority", hd_priority_names, HD_PRIORITY_COUNT },
    { "type", hd_ticket_type_names, HD_TYPE_COUNT },
    { "category", hd_category_names, HD_CATEGORY_COUNT },
    { "severity", ngx_http_helpdesk_severity_names, 4 },
    { "side", hd_side_names, HD_SIDE_COUNT },
    { "kind", hd_message_kind_names, HD_MESSAGE_KIND_COUNT },
    { "event", hd_action_names, HD_ACTION_COUNT },
};


/*
 * The labels of every table in every language, as template values made
 * once with the configuration: pages of many rows look them up by index
 */
ngx_int_t
ngx_http_helpdesk_labels_init(ngx_conf_t *cf,
    ngx_http_helpdesk_loc_conf_t *lcf)
{
    char                         key[96];
    hd_pool_t                    pool;
    hd_val_t                   **list;
    ngx_uint_t                   lang, t, i;
    const hd_str_t              *text;
    ngx_http_helpdesk_labels_t  *labels;

    labels = ngx_pcalloc(cf->pool, sizeof(ngx_http_helpdesk_labels_t));
    if (labels == NULL) {
        return NGX_ERROR;
    }

    ngx_http_helpdesk_hd_pool(&pool, cf->pool);

    for (lang = 0; lang < HD_LANG_COUNT; lang++) {
        for (t = 0; t < NGX_HTTP_HELPDESK_L_COUNT; t++) {
            list = ngx_pcalloc(cf->pool, ngx_http_helpdesk_label_tables[t].n
                                         * sizeof(hd_val_t *));
            if (list == NULL) {
                return NGX_ERROR;
            }

            for (i = 0; i < ngx_http_helpdesk_label_tables[t].n; i++) {
                ngx_snprintf((u_char *) key, sizeof(key), "tickets.%s_%s%Z",
                             ngx_http_helpdesk_label_tables[t].prefix,
                             ngx_http_helpdesk_label_tables[t].names[i]);

                text = hd_i18n_text(lcf->templates->catalog[lang], key);

                /* a catalogue without the label shows the name itself */
                list[i] = text != NULL
                          ? hd_val_str(&pool, text->data, text->len)
                          : hd_val_cstr(&pool,
                                ngx_http_helpdesk_label_tables[t].names[i]);
                if (list[i] == NULL) {
                    return NGX_ERROR;
                }
            }

            labels->label[lang][t] = list;
        }
    }

    lcf->labels = labels;

    return NGX_OK;
}


void
ngx_http_helpdesk_set_label(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *map,
    const char *key, ngx_http_helpdesk_label_e table, ngx_uint_t i)
{
    if (i >= ngx_http_helpdesk_label_tables[table].n) {
        i = 0;
    }

    hd_val_set(&ctx->pool, map, key,
               ctx->lcf->labels->label[ctx->lang][table][i]);
}


/* 2026-11-21T10:00:00Z: the API's times (null for none) */
void
ngx_http_helpdesk_jw_time(hd_jw_t *w, uint64_t t)
{
    u_char    buf[32], *p;
    ngx_tm_t  tm;

    if (t == 0) {
        hd_jw_null(w);
        return;
    }

    ngx_gmtime((time_t) t, &tm);

    p = buf;
    p += hd_int_text((char *) p, tm.ngx_tm_year);
    *p++ = '-';
    *p++ = (u_char) ('0' + tm.ngx_tm_mon / 10);
    *p++ = (u_char) ('0' + tm.ngx_tm_mon % 10);
    *p++ = '-';
    *p++ = (u_char) ('0' + tm.ngx_tm_mday / 10);
    *p++ = (u_char) ('0' + tm.ngx_tm_mday % 10);
    *p++ = 'T';
    *p++ = (u_char) ('0' + tm.ngx_tm_hour / 10);
    *p++ = (u_char) ('0' + tm.ngx_tm_hour % 10);
    *p++ = ':';
    *p++ = (u_char) ('0' + tm.ngx_tm_min / 10);
    *p++ = (u_char) ('0' + tm.ngx_tm_min % 10);
    *p++ = ':';
    *p++ = (u_char) ('0' + tm.ngx_tm_sec / 10);
    *p++ = (u_char) ('0' + tm.ngx_tm_sec % 10);
    *p++ = 'Z';

    hd_jw_str(w, buf, p - buf);
}


void
ngx_http_helpdesk_jw_kstr(hd_jw_t *w, const char *key, const hd_str_t *s)
{
    hd_jw_key(w, key);
    hd_jw_str(w, s->data, s->len);
}


/* a string that may be empty: null then */
void
ngx_http_helpdesk_jw_kopt(hd_jw_t *w, const char *key, const hd_str_t *s)
{
    hd_jw_key(w, key);

    if (s->len) {
        hd_jw_str(w, s->data, s->len);

    } else {
        hd_jw_null(w);
    }
}


/* the certificate's number of a ticket, for pages and the API */
hd_str_t
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


/* a row of a list in the API: the seed's columns, and more */
static void
ngx_http_helpdesk_ticket_jw(ngx_http_helpdesk_ticket_names_t *names,
    const hd_ticket_t *t, hd_jw_t *w)
{
    hd_jw_object(w);
    hd_jw_key(w, "number");
    hd_jw_int(w, (int64_t) t->number);
    ngx_http_helpdesk_jw_kstr(w, "subject", &t->subject);
    hd_jw_key(w, "updated");
    ngx_http_helpdesk_jw_time(w, t->updated);
    hd_jw_key(w, "last_replier");
    hd_jw_object(w);
    ngx_http_helpdesk_jw_kstr(w, "name",
        ngx_http_helpdesk_account_name(names, t->last_replier));
    hd_jw_key(w, "side");
    hd_jw_cstr(w, hd_side_names[t->last_side % HD_SIDE_COUNT]);
    hd_jw_end(w, '}');
    ngx_http_helpdesk_jw_kstr(w, "department",
        ngx_http_helpdesk_department_name(names, t->department));
    hd_jw_key(w, "type");
    hd_jw_cstr(w, hd_ticket_type_names[t->type % HD_TYPE_COUNT]);
    hd_jw_key(w, "status");
    hd_jw_cstr(w, hd_status_names[t->status % HD_STATUS_COUNT]);
    hd_jw_key(w, "priority");
    hd_jw_cstr(w, hd_priority_names[t->priority % HD_PRIORITY_COUNT]);
    ngx_http_helpdesk_jw_kstr(w, "author",
        ngx_http_helpdesk_account_name(names, t->author));
    hd_jw_key(w, "premium");
    hd_jw_bool(w, t->premium != 0);
    hd_jw_end(w, '}');
}


/*
 * The rows of a page, made as the template renders them: one map whose
 * values each row refills (no tree of rows, and the renderer finds the
 * keys where it found them before)
 */
typedef struct {
    ngx_http_helpdesk_ctx_t           *ctx;
    ngx_http_helpdesk_ticket_names_t  *names;
    const hd_ticket_t                 *tickets;
    hd_val_t                          *row;
    hd_val_t                          *number;
    hd_val_t                          *subject;
    hd_val_t                          *updated;
    hd_val_t                          *last_replier;
    hd_val_t                          *department;
    hd_val_t                          *type;
    hd_val_t                          *status;
    hd_val_t                          *priority;
    hd_val_t                          *status_code;
    hd_val_t                          *priority_code;
    hd_val_t                          *premium;
    hd_val_t                          *author;
} ngx_http_helpdesk_rows_t;


void
ngx_http_helpdesk_fill_str(hd_val_t *v, const hd_str_t *s)
{
    v->type = HD_VAL_STR;
    v->u.str = *s;
}


void
ngx_http_helpdesk_fill_label(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *v,
    ngx_http_helpdesk_label_e table, ngx_uint_t i)
{
    if (i >= ngx_http_helpdesk_label_tables[table].n) {
        i = 0;
    }

    *v = *ctx->lcf->labels->label[ctx->lang][table][i];
}


static hd_val_t *
ngx_http_helpdesk_row_next(void *data, size_t i)
{
    ngx_http_helpdesk_rows_t  *rows = data;

    hd_val_t           *time;
    hd_str_t            code;
    const hd_ticket_t  *t = &rows->tickets[i];

    rows->number->type = HD_VAL_INT;
    rows->number->u.integer = (int64_t) t->number;
    ngx_http_helpdesk_fill_str(rows->subject, &t->subject);

    time = ngx_http_helpdesk_time_text(rows->ctx, t->updated);
    if (time == NULL) {
        return NULL;
    }

    *rows->updated = *time;

    ngx_http_helpdesk_fill_str(rows->last_replier,
        ngx_http_helpdesk_account_name(rows->names, t->last_replier));
    ngx_http_helpdesk_fill_str(rows->department,
        ngx_http_helpdesk_department_name(rows->names, t->department));
    ngx_http_helpdesk_fill_str(rows->author,
        ngx_http_helpdesk_account_name(rows->names, t->author));

    ngx_http_helpdesk_fill_label(rows->ctx, rows->type,
                                 NGX_HTTP_HELPDESK_L_TYPE, t->type);
    ngx_http_helpdesk_fill_label(rows->ctx, rows->status,
                                 NGX_HTTP_HELPDESK_L_STATUS, t->status);
    ngx_http_helpdesk_fill_label(rows->ctx, rows->priority,
                                 NGX_HTTP_HELPDESK_L_PRIORITY, t->priority);

    code.data = (hd_uchar *) hd_status_names[t->status % HD_STATUS_COUNT];
    code.len = ngx_strlen(code.data);
    ngx_http_helpdesk_fill_str(rows->status_code, &code);

    code.data = (hd_uchar *) hd_priority_names[t->priority
                                               % HD_PRIORITY_COUNT];
    code.len = ngx_strlen(code.data);
    ngx_http_helpdesk_fill_str(rows->priority_code, &code);

    rows->premium->type = HD_VAL_BOOL;
    rows->premium->u.boolean = t->premium != 0;

    return rows->row;
}


static hd_val_t *
ngx_http_helpdesk_rows(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_ticket_names_t *names, const hd_ticket_t *tickets,
    size_t n)
{
    hd_pool_t                 *pool = &ctx->pool;
    ngx_http_helpdesk_rows_t  *rows;

    rows = hd_pcalloc(pool, sizeof(ngx_http_helpdesk_rows_t));
    if (rows == NULL) {
        return NULL;
    }

    rows->ctx = ctx;
    rows->names = names;
    rows->tickets = tickets;
    rows->row = hd_val_map(pool);

    rows->number = hd_val_slot(pool, rows->row, "number");
    rows->subject = hd_val_slot(pool, rows->row, "subject");
    rows->updated = hd_val_slot(pool, rows->row, "updated");
    rows->last_replier = hd_val_slot(pool, rows->row, "last_replier");
    rows->department = hd_val_slot(pool, rows->row, "department");
    rows->type = hd_val_slot(pool, rows->row, "type");
    rows->status = hd_val_slot(pool, rows->row, "status");
    rows->priority = hd_val_slot(pool, rows->row, "priority");
    rows->status_code = hd_val_slot(pool, rows->row, "status_code");
    rows->priority_code = hd_val_slot(pool, rows->row, "priority_code");
    rows->premium = hd_val_slot(pool, rows->row, "premium");
    rows->author = hd_val_slot(pool, rows->row, "author");

    if (rows->author == NULL || rows->premium == NULL
        || rows->priority_code == NULL || rows->status_code == NULL
        || rows->priority == NULL || rows->status == NULL
        || rows->type == NULL || rows->department == NULL
        || rows->last_replier == NULL || rows->updated == NULL
        || rows->subject == NULL || rows->number == NULL)
    {
        return NULL;
    }

    return hd_val_gen(pool, ngx_http_helpdesk_row_next, rows, n);
}


ngx_int_t
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
    ngx_int_t                          rc;
    ngx_http_helpdesk_jw_t            *j;
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

    /* the answer is made before the transaction ends: no copies */
    q.in_place = 1;

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

    certs = hd_val_list(pool);
    j = NULL;
    list = NULL;

    if (ctx->api) {
        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        hd_jw_object(&j->w);
        hd_jw_key(&j->w, "tickets");
        hd_jw_array(&j->w);
    }

    if (j != NULL) {
        for (i = 0; i < result.n; i++) {
            ngx_http_helpdesk_ticket_jw(&names, &result.tickets[i], &j->w);
        }

    } else {
        list = ngx_http_helpdesk_rows(ctx, &names, result.tickets, result.n);
        if (list == NULL) {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (j != NULL) {
        hd_jw_end(&j->w, ']');
        hd_jw_key(&j->w, "certificates");
        hd_jw_array(&j->w);
    }

    /* "Unclosed: N, allowed: M" per certificate, and in all */
    allowed = 0;
    unclosed = 0;

    for (i = 0; i < n; i++) {
        allowed += tc[i].type.ticket_limit;
        unclosed += tc[i].unclosed;

        if (j != NULL) {
            hd_jw_object(&j->w);
            ngx_http_helpdesk_jw_kstr(&j->w, "number", &tc[i].cert.number);
            ngx_http_helpdesk_jw_kstr(&j->w, "product", &tc[i].product);
            hd_jw_key(&j->w, "unclosed");
            hd_jw_int(&j->w, (int64_t) tc[i].unclosed);
            hd_jw_key(&j->w, "limit");
            hd_jw_int(&j->w, tc[i].type.ticket_limit);
            hd_jw_end(&j->w, '}');
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

    if (j != NULL) {
        hd_jw_end(&j->w, ']');
        hd_jw_key(&j->w, "unclosed");
        hd_jw_int(&j->w, (int64_t) result.unclosed);
        hd_jw_key(&j->w, "allowed");
        hd_jw_int(&j->w, (int64_t) allowed);
        hd_jw_key(&j->w, "resolved");
        hd_jw_int(&j->w, (int64_t) result.closed);
        hd_jw_key(&j->w, "total");
        hd_jw_int(&j->w, (int64_t) result.total);
        hd_jw_key(&j->w, "page");
        hd_jw_int(&j->w, page);
        hd_jw_key(&j->w, "per_page");
        hd_jw_int(&j->w, per_page);
        hd_jw_end(&j->w, '}');

        rc = hd_jw_finish(&j->w);
        hd_txn_abort(&txn);

        return rc == 0 ? ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK)
                       : NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    view = ngx_http_helpdesk_view(r, ctx, "tickets.title");
    if (view == NULL) {
        hd_txn_abort(&txn);
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

    rc = ngx_http_helpdesk_render(r, ctx, "pages/tickets", view,
                                  NGX_HTTP_OK);
    hd_txn_abort(&txn);

    return rc;
}


/* the choices of a select: value, label, selected */
hd_val_t *
ngx_http_helpdesk_choices(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_label_e table, const hd_str_t *chosen, const char *def)
{
    hd_val_t     *list, *item;
    hd_pool_t    *pool = &ctx->pool;
    ngx_uint_t    i, sel;
    const char  **names = ngx_http_helpdesk_label_tables[table].names;

    list = hd_val_list(pool);

    for (i = 0; i < ngx_http_helpdesk_label_tables[table].n; i++) {
        item = hd_val_map(pool);
        hd_val_set_cstr(pool, item, "value", names[i]);
        ngx_http_helpdesk_set_label(ctx, item, "label", table, i);

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
               ngx_http_helpdesk_choices(ctx, NGX_HTTP_HELPDESK_L_CATEGORY,
                                         &chosen, "technical"));

    (void) ngx_http_helpdesk_input_str(ctx, "type", &chosen);
    hd_val_set(pool, view, "types",
               ngx_http_helpdesk_choices(ctx, NGX_HTTP_HELPDESK_L_TYPE,
                                         &chosen, "consultation"));

    (void) ngx_http_helpdesk_input_str(ctx, "severity", &chosen);
    hd_val_set(pool, view, "severities",
               ngx_http_helpdesk_choices(ctx, NGX_HTTP_HELPDESK_L_SEVERITY,
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
hd_val_t *
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


void
ngx_http_helpdesk_message_jw(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_ticket_names_t *names, const hd_message_t *m,
    const hd_attachment_t *files, size_t nfiles, hd_jw_t *w)
{
    u_char  url[128], *p;
    size_t  i;

    hd_jw_object(w);
    hd_jw_key(w, "id");
    hd_jw_int(w, (int64_t) m->id);
    hd_jw_key(w, "kind");
    hd_jw_cstr(w, hd_message_kind_names[m->kind % HD_MESSAGE_KIND_COUNT]);
    hd_jw_key(w, "side");
    hd_jw_cstr(w, hd_side_names[m->side % HD_SIDE_COUNT]);
    ngx_http_helpdesk_jw_kstr(w, "author",
                              ngx_http_helpdesk_account_name(names,
                                                             m->author));
    ngx_http_helpdesk_jw_kstr(w, "body", &m->body);
    hd_jw_key(w, "created");
    ngx_http_helpdesk_jw_time(w, m->created);

    hd_jw_key(w, "attachments");
    hd_jw_array(w);

    for (i = 0; i < nfiles; i++) {
        if (files[i].message != m->id) {
            continue;
        }

        p = ngx_sprintf(url, "%Vapi/v1/tickets/%uL/files/%uL",
                        &ctx->lcf->mount, m->ticket, files[i].id);

        hd_jw_object(w);
        hd_jw_key(w, "id");
        hd_jw_int(w, (int64_t) files[i].id);
        ngx_http_helpdesk_jw_kstr(w, "name", &files[i].name);
        ngx_http_helpdesk_jw_kstr(w, "type", &files[i].type);
        hd_jw_key(w, "size");
        hd_jw_int(w, (int64_t) files[i].size);
        hd_jw_key(w, "url");
        hd_jw_str(w, url, p - url);
        hd_jw_end(w, '}');
    }

    hd_jw_end(w, ']');

    if (m->kind == HD_MESSAGE_EVENT) {
        hd_jw_key(w, "event");
        hd_jw_object(w);
        hd_jw_key(w, "action");
        hd_jw_cstr(w, hd_action_names[m->action % HD_ACTION_COUNT]);
        hd_jw_key(w, "from");
        hd_jw_cstr(w, m->from < HD_STATUS_COUNT ? hd_status_names[m->from]
                                                : NULL);
        hd_jw_key(w, "to");
        hd_jw_cstr(w, m->to < HD_STATUS_COUNT ? hd_status_names[m->to]
                                              : NULL);
        hd_jw_end(w, '}');
    }

    hd_jw_end(w, '}');
}


hd_val_t *
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
    ngx_http_helpdesk_set_label(ctx, item, "kind_label",
                                NGX_HTTP_HELPDESK_L_KIND, m->kind);
    ngx_http_helpdesk_set_label(ctx, item, "side", NGX_HTTP_HELPDESK_L_SIDE,
                                m->side);
    hd_val_set_str(pool, item, "author", author->data, author->len);
    hd_val_set(pool, item, "created",
               ngx_http_helpdesk_time_text(ctx, m->created));
    hd_val_set_bool(pool, item, "staff", m->side == HD_SIDE_STAFF);

    if (m->kind == HD_MESSAGE_EVENT) {
        hd_val_set_bool(pool, item, "event", 1);
        ngx_http_helpdesk_set_label(ctx, item, "what",
                                    NGX_HTTP_HELPDESK_L_EVENT, m->action);

        if (m->to < HD_STATUS_COUNT) {
            ngx_http_helpdesk_set_label(ctx, item, "to",
                                        NGX_HTTP_HELPDESK_L_STATUS, m->to);
        }

        if (m->from < HD_STATUS_COUNT) {
            ngx_http_helpdesk_set_label(ctx, item, "from",
                                        NGX_HTTP_HELPDESK_L_STATUS, m->from);
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


void
ngx_http_helpdesk_set_given(hd_pool_t *pool, hd_val_t *map, const char *key,
    const hd_str_t *s)
{
    if (s->len) {
        hd_val_set_str(pool, map, key, s->data, s->len);
    }
}


/* the ticket's fields shown in its header */
void
ngx_http_helpdesk_ticket_header(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_ticket_names_t *names, const hd_ticket_t *t,
    const hd_str_t *cert, const hd_str_t *product, hd_val_t *view)
{
    hd_str_t   *s;
    hd_pool_t  *pool = &ctx->pool;

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

    ngx_http_helpdesk_set_label(ctx, view, "type", NGX_HTTP_HELPDESK_L_TYPE,
                                t->type);
    ngx_http_helpdesk_set_label(ctx, view, "category",
                                NGX_HTTP_HELPDESK_L_CATEGORY, t->category);
    ngx_http_helpdesk_set_label(ctx, view, "status",
                                NGX_HTTP_HELPDESK_L_STATUS, t->status);
    ngx_http_helpdesk_set_label(ctx, view, "priority",
                                NGX_HTTP_HELPDESK_L_PRIORITY, t->priority);
    hd_val_set_cstr(pool, view, "status_code",
                    hd_status_names[t->status % HD_STATUS_COUNT]);
    hd_val_set_cstr(pool, view, "priority_code",
                    hd_priority_names[t->priority % HD_PRIORITY_COUNT]);

    ngx_http_helpdesk_set_label(ctx, view, "severity",
                                NGX_HTTP_HELPDESK_L_SEVERITY,
                                (t->severity >= 1 && t->severity <= 4)
                                ? t->severity - 1U : 3U);

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
    hd_jw_t                           *w;
    ngx_http_helpdesk_jw_t            *j;
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
        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        w = &j->w;

        hd_jw_object(w);
        hd_jw_key(w, "number");
        hd_jw_int(w, (int64_t) t.number);
        ngx_http_helpdesk_jw_kstr(w, "subject", &t.subject);
        hd_jw_key(w, "status");
        hd_jw_cstr(w, hd_status_names[t.status % HD_STATUS_COUNT]);
        hd_jw_key(w, "priority");
        hd_jw_cstr(w, hd_priority_names[t.priority % HD_PRIORITY_COUNT]);
        ngx_http_helpdesk_jw_kstr(w, "department",
            ngx_http_helpdesk_department_name(&names, t.department));
        ngx_http_helpdesk_jw_kopt(w, "owner",
            ngx_http_helpdesk_account_name(&names, t.owner));
        hd_jw_key(w, "type");
        hd_jw_cstr(w, hd_ticket_type_names[t.type % HD_TYPE_COUNT]);
        hd_jw_key(w, "category");
        hd_jw_cstr(w, hd_category_names[t.category % HD_CATEGORY_COUNT]);
        hd_jw_key(w, "severity");
        hd_jw_int(w, t.severity);
        ngx_http_helpdesk_jw_kopt(w, "certificate", &cert);
        ngx_http_helpdesk_jw_kopt(w, "product", &product);
        ngx_http_helpdesk_jw_kstr(w, "product_version", &t.product_version);
        ngx_http_helpdesk_jw_kstr(w, "os_version", &t.os_version);
        hd_jw_key(w, "channel");
        hd_jw_cstr(w, hd_channel_names[t.channel % HD_CHANNEL_COUNT]);
        hd_jw_key(w, "premium");
        hd_jw_bool(w, t.premium != 0);
        hd_jw_key(w, "created");
        ngx_http_helpdesk_jw_time(w, t.created);
        hd_jw_key(w, "updated");
        ngx_http_helpdesk_jw_time(w, t.updated);
        ngx_http_helpdesk_jw_kstr(w, "author",
            ngx_http_helpdesk_account_name(&names, t.author));

        hd_jw_key(w, "rating");
        if (t.rating) {
            hd_jw_object(w);
            hd_jw_key(w, "stars");
            hd_jw_int(w, t.rating);
            ngx_http_helpdesk_jw_kstr(w, "comment", &t.rating_comment);
            hd_jw_end(w, '}');

        } else {
            hd_jw_null(w);
        }

        if (t.reference) {
            hd_jw_key(w, "reference");
            hd_jw_int(w, (int64_t) t.reference);
        }

        if (can.reopen_until) {
            hd_jw_key(w, "reopen_until");
            ngx_http_helpdesk_jw_time(w, can.reopen_until);
        }

        hd_jw_key(w, "can");
        hd_jw_object(w);
        hd_jw_key(w, "reply");
        hd_jw_bool(w, can.reply);
        hd_jw_key(w, "close");
        hd_jw_bool(w, can.close);
        hd_jw_key(w, "reopen");
        hd_jw_bool(w, can.reopen);
        hd_jw_key(w, "rate");
        hd_jw_bool(w, can.rate);
        hd_jw_end(w, '}');

        hd_jw_key(w, "messages");
        hd_jw_array(w);

        for (i = 0; i < nmsg; i++) {
            ngx_http_helpdesk_message_jw(ctx, &names, &m[i], files, nfiles,
                                         w);
        }

        hd_jw_end(w, ']');
        hd_jw_end(w, '}');

        hd_txn_abort(&txn);

        return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
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
    int               staff;
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

    /* staff of the ticket's departments see it all, notes' files too */
    staff = hd_account_is_staff(ctx->caller.account)
            && hd_ticket_staff_get(&txn, ctx->caller.account, number, &t)
               == HD_OK;

    if ((!staff
         && (hd_ticket_get(&txn, number, &t) != HD_OK
             || !(hd_ticket_rights(&txn, ctx->caller.account, &t)
                  & HD_TICKET_SEE)))
        || hd_attachment_get(&txn, number, (uint64_t) id, &a) != HD_OK
        || hd_message_get(&txn, number, a.message, &m) != HD_OK
        || (m.kind == HD_MESSAGE_NOTE && !staff)
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

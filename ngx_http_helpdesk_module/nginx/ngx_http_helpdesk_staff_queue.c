/*
 * The staff's queue (SPEC §2, §5): tabs mine / unassigned / all with their
 * counts, filters by department, status, priority, SLA state, holder and
 * words of the subject, three orders and pages; HTML and the JSON API
 * from the same read.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_product.h"
#include "hd_queue.h"
#include "hd_staff.h"
#include "hd_text.h"


#define NGX_HTTP_HELPDESK_QUEUE_PAGE      25
#define NGX_HTTP_HELPDESK_QUEUE_PAGE_MAX  100
#define NGX_HTTP_HELPDESK_TEXT_ARG_MAX    200


typedef enum {
    NGX_HTTP_HELPDESK_QUEUE_ALL = 0,
    NGX_HTTP_HELPDESK_QUEUE_MINE,
    NGX_HTTP_HELPDESK_QUEUE_UNASSIGNED,
    NGX_HTTP_HELPDESK_QUEUE_COUNT
} ngx_http_helpdesk_queue_e;

static const char  *ngx_http_helpdesk_queue_names[] = {
    "all", "mine", "unassigned"
};


/* a query argument as text: unescaped, '+' a space, trimmed, UTF-8 */
ngx_int_t
ngx_http_helpdesk_arg_text(ngx_http_request_t *r, const char *name,
    size_t max, hd_str_t *value)
{
    u_char     *dst, *src, *p;
    ngx_str_t   arg;

    value->data = NULL;
    value->len = 0;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &arg) != NGX_OK
        || arg.len == 0)
    {
        return NGX_DECLINED;
    }

    if (arg.len > 3 * max) {
        return NGX_ERROR;
    }

    for (p = arg.data; p < arg.data + arg.len; p++) {
        if (*p == '+') {
            *p = ' ';
        }
    }

    dst = ngx_pnalloc(r->pool, arg.len);
    if (dst == NULL) {
        return NGX_ERROR;
    }

    value->data = dst;
    src = arg.data;
    ngx_unescape_uri(&dst, &src, arg.len, NGX_UNESCAPE_URI);
    value->len = dst - value->data;

    hd_text_trim(value);

    if (!hd_utf8_valid(value->data, value->len)
        || hd_utf8_chars(value->data, value->len) > max
        || !hd_text_printable(value->data, value->len, 0))
    {
        return NGX_ERROR;
    }

    return value->len ? NGX_OK : NGX_DECLINED;
}


/* a name of a table from the query, or -1 when absent; -2 when not one */
static int
ngx_http_helpdesk_arg_choice(ngx_http_request_t *r, const char *name,
    const char **names, size_t n)
{
    ngx_str_t  arg;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &arg) != NGX_OK
        || arg.len == 0)
    {
        return -1;
    }

    return hd_name_index(names, n, arg.data, arg.len) >= 0
           ? hd_name_index(names, n, arg.data, arg.len) : -2;
}


/* --- the queue ------------------------------------------------------------ */


/* what a queue request asks for, read from its arguments */
typedef struct {
    ngx_uint_t           queue;
    uint64_t             department;        /* 0: every one seen */
    uint32_t             statuses;
    int                  priority;
    int                  sla;
    hd_str_t             holder;
    hd_str_t             text;
    hd_str_t             field;             /* an extra field's name */
    hd_str_t             field_value;       /* and its value */
    int                  order;
    ngx_int_t            page;
    ngx_int_t            per_page;
} ngx_http_helpdesk_queue_args_t;


/* a ticket whose extra field has the value asked */
static int
ngx_http_helpdesk_queue_field(const hd_ticket_t *t, void *data)
{
    return hd_form_match(&t->fields, data);
}


static ngx_int_t
ngx_http_helpdesk_queue_args(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_http_helpdesk_queue_args_t *a)
{
    int         i;
    u_char     *p, *end, *comma;
    hd_str_t    text;
    ngx_int_t   rc;
    ngx_str_t   arg;

    ngx_memzero(a, sizeof(*a));

    i = ngx_http_helpdesk_arg_choice(r, "queue",
                                     ngx_http_helpdesk_queue_names,
                                     NGX_HTTP_HELPDESK_QUEUE_COUNT);
    if (i == -2) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "queue_invalid", "queue"));
    }

    a->queue = i < 0 ? NGX_HTTP_HELPDESK_QUEUE_ALL : (ngx_uint_t) i;

    if (ngx_http_arg(r, (u_char *) "department", 10, &arg) == NGX_OK
        && arg.len)
    {
        if (arg.len > 15 || ngx_atoof(arg.data, arg.len) <= 0) {
            return ngx_http_helpdesk_answered(ctx,
                       ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                               "department_unknown",
                                               "department"));
        }

        a->department = (uint64_t) ngx_atoof(arg.data, arg.len);
    }

    /*
     * status: unclosed (the default), resolved (every closed status), any,
     * or status names with commas ("closed" is the one status)
     */
    a->statuses = HD_STATUSES_UNCLOSED;

    rc = ngx_http_helpdesk_arg_text(r, "status",
                                    NGX_HTTP_HELPDESK_TEXT_ARG_MAX, &text);
    if (rc == NGX_ERROR) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "status_invalid", "status"));
    }

    if (rc == NGX_OK) {
        /* a list arrives with its commas escaped from a form or a client */
        arg.data = text.data;
        arg.len = text.len;

        if (arg.len == 8 && ngx_strncmp(arg.data, "unclosed", 8) == 0) {
            a->statuses = HD_STATUSES_UNCLOSED;

        } else if (arg.len == 8 && ngx_strncmp(arg.data, "resolved", 8) == 0) {
            a->statuses = ((1u << HD_STATUS_COUNT) - 1)
                          & ~HD_STATUSES_UNCLOSED;

        } else if (arg.len == 3 && ngx_strncmp(arg.data, "any", 3) == 0) {
            a->statuses = (1u << HD_STATUS_COUNT) - 1;

        } else {
            a->statuses = 0;

            for (p = arg.data, end = arg.data + arg.len; p < end;
                 p = comma + 1)
            {
                comma = ngx_strlchr(p, end, ',');
                if (comma == NULL) {
                    comma = end;
                }

                if (comma == p) {
                    continue;
                }

                i = hd_name_index(hd_status_names, HD_STATUS_COUNT, p,
                                  comma - p);
                if (i < 0) {
                    return ngx_http_helpdesk_answered(ctx,
                               ngx_http_helpdesk_error(r, ctx,
                                                       NGX_HTTP_BAD_REQUEST,
                                                       "status_invalid",
                                                       "status"));
                }

                a->statuses |= HD_STATUS_BIT(i);
            }

            if (a->statuses == 0) {
                a->statuses = HD_STATUSES_UNCLOSED;
            }
        }
    }

    a->priority = ngx_http_helpdesk_arg_choice(r, "priority",
                                               hd_priority_names,
                                               HD_PRIORITY_COUNT);
    if (a->priority == -2) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "priority_invalid", "priority"));
    }

    a->sla = ngx_http_helpdesk_arg_choice(r, "sla", hd_sla_state_names,
                                          HD_SLA_STATE_COUNT);
    if (a->sla == -2 || a->sla == HD_SLA_OK) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "sla_invalid", "sla"));
    }

    if (a->sla < 0) {
        a->sla = 0;
    }

    a->order = ngx_http_helpdesk_arg_choice(r, "sort", hd_order_names,
                                            HD_ORDER_COUNT);
    if (a->order == -2) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "sort_invalid", "sort"));
    }

    if (a->order < 0) {
        a->order = HD_ORDER_PRIORITY;
    }

    if (ngx_http_helpdesk_arg_text(r, "holder",
                                   NGX_HTTP_HELPDESK_TEXT_ARG_MAX, &a->holder)
        == NGX_ERROR)
    {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "text_invalid", "holder"));
    }

    if (ngx_http_helpdesk_arg_text(r, "field", HD_FORM_NAME_MAX, &a->field)
        == NGX_ERROR
        || ngx_http_helpdesk_arg_text(r, "field_value",
                                      NGX_HTTP_HELPDESK_TEXT_ARG_MAX,
                                      &a->field_value)
           == NGX_ERROR)
    {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "text_invalid", "field"));
    }

    if (ngx_http_helpdesk_arg_text(r, "q", NGX_HTTP_HELPDESK_TEXT_ARG_MAX,
                                   &a->text)
        == NGX_ERROR)
    {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "text_invalid", "q"));
    }

    a->page = ngx_http_helpdesk_arg_number(r, "page", 1, 1000000);
    a->per_page = ngx_http_helpdesk_arg_number(r, "per_page",
                                               NGX_HTTP_HELPDESK_QUEUE_PAGE,
                                               NGX_HTTP_HELPDESK_QUEUE_PAGE_MAX);

    if (a->page == NGX_ERROR || a->per_page == NGX_ERROR) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "page_invalid",
                                           a->page == NGX_ERROR ? "page"
                                                                : "per_page"));
    }

    if (!ctx->api) {
        a->per_page = NGX_HTTP_HELPDESK_QUEUE_PAGE;
    }

    return NGX_OK;
}


/* {"key": {"name": count, ...}} */
static void
ngx_http_helpdesk_jw_counts(hd_jw_t *w, const char *key, const char **names,
    const size_t *counts, ngx_uint_t n)
{
    ngx_uint_t  i;

    hd_jw_key(w, key);
    hd_jw_object(w);

    for (i = 0; i < n; i++) {
        hd_jw_key(w, names[i]);
        hd_jw_int(w, (int64_t) counts[i]);
    }

    hd_jw_end(w, '}');
}


/* the row of the queue as the API gives it */
static void
ngx_http_helpdesk_queue_row_jw(ngx_http_helpdesk_ticket_names_t *names,
    const hd_ticket_t *t, hd_jw_t *w)
{
    hd_jw_object(w);
    hd_jw_key(w, "number");
    hd_jw_int(w, (int64_t) t->number);
    ngx_http_helpdesk_jw_kstr(w, "subject", &t->subject);
    hd_jw_key(w, "status");
    hd_jw_cstr(w, hd_status_names[t->status % HD_STATUS_COUNT]);
    hd_jw_key(w, "priority");
    hd_jw_cstr(w, hd_priority_names[t->priority % HD_PRIORITY_COUNT]);
    hd_jw_key(w, "department_id");
    hd_jw_int(w, (int64_t) t->department);
    ngx_http_helpdesk_jw_kstr(w, "department",
        ngx_http_helpdesk_department_name(names, t->department));
    hd_jw_key(w, "owner_id");
    if (t->owner) {
        hd_jw_int(w, (int64_t) t->owner);

    } else {
        hd_jw_null(w);
    }

    ngx_http_helpdesk_jw_kopt(w, "owner",
        ngx_http_helpdesk_account_name(names, t->owner));
    ngx_http_helpdesk_jw_kstr(w, "author",
        ngx_http_helpdesk_account_name(names, t->author));
    hd_jw_key(w, "type");
    hd_jw_cstr(w, hd_ticket_type_names[t->type % HD_TYPE_COUNT]);
    hd_jw_key(w, "severity");
    hd_jw_int(w, t->severity);
    hd_jw_key(w, "channel");
    hd_jw_cstr(w, hd_channel_names[t->channel % HD_CHANNEL_COUNT]);
    hd_jw_key(w, "premium");
    hd_jw_bool(w, t->premium != 0);
    hd_jw_key(w, "created");
    ngx_http_helpdesk_jw_time(w, t->created);
    hd_jw_key(w, "updated");
    ngx_http_helpdesk_jw_time(w, t->updated);
    hd_jw_key(w, "last_replier");
    hd_jw_object(w);
    ngx_http_helpdesk_jw_kstr(w, "name",
        ngx_http_helpdesk_account_name(names, t->last_replier));
    hd_jw_key(w, "side");
    hd_jw_cstr(w, hd_side_names[t->last_side % HD_SIDE_COUNT]);
    hd_jw_end(w, '}');
    hd_jw_key(w, "sla_due");
    ngx_http_helpdesk_jw_time(w, t->sla_due);
    hd_jw_key(w, "sla_state");
    hd_jw_cstr(w, hd_sla_state_names[t->sla_state % HD_SLA_STATE_COUNT]);
    hd_jw_end(w, '}');
}


/* the rows of the queue's page, made as the template renders them */
typedef struct {
    ngx_http_helpdesk_ctx_t           *ctx;
    ngx_http_helpdesk_ticket_names_t  *names;
    const hd_ticket_t                 *tickets;
    hd_val_t                          *row;
    hd_val_t                          *number;
    hd_val_t                          *subject;
    hd_val_t                          *updated;
    hd_val_t                          *author;
    hd_val_t                          *department;
    hd_val_t                          *owner;
    hd_val_t                          *status;
    hd_val_t                          *status_code;
    hd_val_t                          *priority;
    hd_val_t                          *priority_code;
    hd_val_t                          *due;
    hd_val_t                          *sla;
    hd_val_t                          *sla_label;
    hd_val_t                          *premium;
    hd_val_t                          *waits_staff;
    hd_str_t                           sla_labels[HD_SLA_STATE_COUNT];
} ngx_http_helpdesk_queue_rows_t;


static hd_val_t *
ngx_http_helpdesk_queue_row(void *data, size_t i)
{
    ngx_http_helpdesk_queue_rows_t  *rows = data;

    hd_val_t           *time;
    const hd_ticket_t  *t = &rows->tickets[i];

    rows->number->type = HD_VAL_INT;
    rows->number->u.integer = (int64_t) t->number;
    ngx_http_helpdesk_fill_str(rows->subject, &t->subject);

    time = ngx_http_helpdesk_time_text(rows->ctx, t->updated);
    if (time == NULL) {
        return NULL;
    }

    *rows->updated = *time;

    if (t->sla_due) {
        time = ngx_http_helpdesk_time_text(rows->ctx, t->sla_due);
        if (time == NULL) {
            return NULL;
        }

        *rows->due = *time;

    } else {
        rows->due->type = HD_VAL_NULL;
    }

    ngx_http_helpdesk_fill_str(rows->author,
        ngx_http_helpdesk_account_name(rows->names, t->author));
    ngx_http_helpdesk_fill_str(rows->department,
        ngx_http_helpdesk_department_name(rows->names, t->department));
    ngx_http_helpdesk_fill_str(rows->owner,
        ngx_http_helpdesk_account_name(rows->names, t->owner));

    ngx_http_helpdesk_fill_label(rows->ctx, rows->status,
                                 NGX_HTTP_HELPDESK_L_STAFF_STATUS, t->status);
    ngx_http_helpdesk_fill_label(rows->ctx, rows->priority,
                                 NGX_HTTP_HELPDESK_L_PRIORITY, t->priority);

    ngx_http_helpdesk_fill_code(rows->status_code, hd_status_names,
                                HD_STATUS_COUNT, t->status);
    ngx_http_helpdesk_fill_code(rows->priority_code, hd_priority_names,
                                HD_PRIORITY_COUNT, t->priority);

    if (t->sla_state != HD_SLA_OK) {
        ngx_http_helpdesk_fill_code(rows->sla, hd_sla_state_names,
                                    HD_SLA_STATE_COUNT, t->sla_state);
        ngx_http_helpdesk_fill_str(rows->sla_label,
            &rows->sla_labels[t->sla_state % HD_SLA_STATE_COUNT]);

    } else {
        rows->sla->type = HD_VAL_NULL;
        rows->sla_label->type = HD_VAL_NULL;
    }

    rows->premium->type = HD_VAL_BOOL;
    rows->premium->u.boolean = t->premium != 0;
    rows->waits_staff->type = HD_VAL_BOOL;
    rows->waits_staff->u.boolean =
        hd_statuses[t->status % HD_STATUS_COUNT].waits == HD_WAITS_STAFF;

    return rows->row;
}


/*
 * What a row is made from, for the renderer to keep its output: the
 * language and labels, the ticket's fields the row shows and the names
 */
static u_char *
ngx_http_helpdesk_key_str(u_char *p, u_char *end, const hd_str_t *s)
{
    if (p == NULL || (size_t) (end - p) < s->len + sizeof(size_t)) {
        return NULL;
    }

    p = ngx_cpymem(p, &s->len, sizeof(size_t));

    return s->len ? ngx_cpymem(p, s->data, s->len) : p;
}


static size_t
ngx_http_helpdesk_queue_row_key(void *data, size_t i, hd_uchar *buf,
    size_t size)
{
    ngx_http_helpdesk_queue_rows_t  *rows = data;

    u_char             *p, *end;
    uint64_t            fields[8];
    const hd_ticket_t  *t = &rows->tickets[i];

    fields[0] = t->number;
    fields[1] = t->updated;
    fields[2] = t->sla_due;
    fields[3] = ((uint64_t) t->status << 24) | ((uint64_t) t->priority << 16)
                | ((uint64_t) t->sla_state << 8) | (t->premium != 0);
    fields[4] = rows->ctx->lang;
    fields[5] = t->author;
    fields[6] = t->owner;
    fields[7] = t->department;

    if (size < sizeof(fields) + sizeof(void *)) {
        return 0;
    }

    p = ngx_cpymem(buf, fields, sizeof(fields));
    p = ngx_cpymem(p, &rows->ctx->lcf->labels, sizeof(void *));
    end = buf + size;

    p = ngx_http_helpdesk_key_str(p, end, &t->subject);
    p = ngx_http_helpdesk_key_str(p, end,
            ngx_http_helpdesk_account_name(rows->names, t->author));
    p = ngx_http_helpdesk_key_str(p, end,
            ngx_http_helpdesk_account_name(rows->names, t->owner));
    p = ngx_http_helpdesk_key_str(p, end,
            ngx_http_helpdesk_department_name(rows->names, t->department));

    return p ? (size_t) (p - buf) : 0;
}


static hd_val_t *
ngx_http_helpdesk_queue_rows(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_ticket_names_t *names, const hd_ticket_t *tickets,
    size_t n)
{
    size_t                           i;
    hd_pool_t                       *pool = &ctx->pool;
    ngx_http_helpdesk_queue_rows_t  *rows;

    rows = hd_pcalloc(pool, sizeof(ngx_http_helpdesk_queue_rows_t));
    if (rows == NULL) {
        return NULL;
    }

    rows->ctx = ctx;
    rows->names = names;
    rows->tickets = tickets;
    rows->row = hd_val_map(pool);

    for (i = 1; i < HD_SLA_STATE_COUNT; i++) {
        char             key[48];
        const hd_str_t  *label;

        ngx_snprintf((u_char *) key, sizeof(key), "staff.sla_%s%Z",
                     hd_sla_state_names[i]);
        label = ngx_http_helpdesk_text(ctx, key);

        if (label != NULL) {
            rows->sla_labels[i] = *label;

        } else {
            rows->sla_labels[i].data = (hd_uchar *) hd_sla_state_names[i];
            rows->sla_labels[i].len = ngx_strlen(hd_sla_state_names[i]);
        }
    }

    if (rows->row == NULL
        || (rows->number = hd_val_slot(pool, rows->row, "number")) == NULL
        || (rows->subject = hd_val_slot(pool, rows->row, "subject")) == NULL
        || (rows->updated = hd_val_slot(pool, rows->row, "updated")) == NULL
        || (rows->author = hd_val_slot(pool, rows->row, "author")) == NULL
        || (rows->department = hd_val_slot(pool, rows->row, "department"))
           == NULL
        || (rows->owner = hd_val_slot(pool, rows->row, "owner")) == NULL
        || (rows->status = hd_val_slot(pool, rows->row, "status")) == NULL
        || (rows->status_code = hd_val_slot(pool, rows->row, "status_code"))
           == NULL
        || (rows->priority = hd_val_slot(pool, rows->row, "priority")) == NULL
        || (rows->priority_code = hd_val_slot(pool, rows->row,
                                              "priority_code"))
           == NULL
        || (rows->due = hd_val_slot(pool, rows->row, "due")) == NULL
        || (rows->sla = hd_val_slot(pool, rows->row, "sla")) == NULL
        || (rows->sla_label = hd_val_slot(pool, rows->row, "sla_label"))
           == NULL
        || (rows->premium = hd_val_slot(pool, rows->row, "premium")) == NULL
        || (rows->waits_staff = hd_val_slot(pool, rows->row, "waits_staff"))
           == NULL)
    {
        return NULL;
    }

    return hd_val_gen_keyed(pool, ngx_http_helpdesk_queue_row,
                            ngx_http_helpdesk_queue_row_key, rows->row, rows,
                            n);
}


/* a link of the queue page with one argument changed (and page 1) */
static hd_val_t *
ngx_http_helpdesk_queue_href(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const char *name, const char *value,
    ngx_int_t page)
{
    u_char     *href, *p, *q, *end, *amp;
    size_t      nlen;
    ngx_str_t   args;

    args = r->args;
    nlen = ngx_strlen(name);

    href = hd_palloc(&ctx->pool, ctx->lcf->mount.len + args.len
                                 + nlen + (value ? ngx_strlen(value) : 0)
                                 + 64);
    if (href == NULL) {
        return hd_val_null();
    }

    p = ngx_sprintf(href, "%Vstaff/tickets?", &ctx->lcf->mount);

    /* the other arguments as they are, but page */
    for (q = args.data, end = args.data + args.len; q < end; q = amp + 1) {
        amp = ngx_strlchr(q, end, '&');
        if (amp == NULL) {
            amp = end;
        }

        if (amp == q
            || ((size_t) (amp - q) > nlen && q[nlen] == '='
                && ngx_strncmp(q, name, nlen) == 0)
            || (amp - q >= 5 && ngx_strncmp(q, "page=", 5) == 0))
        {
            continue;
        }

        p = ngx_cpymem(p, q, amp - q);
        *p++ = '&';
    }

    if (value != NULL) {
        p = ngx_sprintf(p, "%s=%s&", name, value);
    }

    if (page > 1) {
        p = ngx_sprintf(p, "page=%i&", page);
    }

    return hd_val_str(&ctx->pool, href, p - href - 1);
}


/* GET /staff/tickets, /api/v1/staff/tickets: the queue */
ngx_int_t
ngx_http_helpdesk_staff_queue(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    size_t                             i, pages, n;
    size_t                             qcount[NGX_HTTP_HELPDESK_QUEUE_COUNT];
    size_t                             scount[HD_STATUS_COUNT];
    size_t                             pcount[HD_PRIORITY_COUNT];
    uint64_t                           one;
    hd_err_t                           err;
    hd_txn_t                           txn;
    hd_val_t                          *view, *list, *item, *tabs;
    hd_jw_t                           *w;
    ngx_int_t                          rc;
    hd_pool_t                         *pool = &ctx->pool;
    ngx_uint_t                         s, p, k, unknown_holder;
    hd_form_filter_t                   field_filter;
    hd_department_t                   *deps;
    hd_queue_query_t                   q;
    hd_queue_page_t                    result;
    hd_queue_counts_t                  counts;
    hd_staff_scope_t                   scope;
    ngx_http_helpdesk_jw_t            *j;
    ngx_http_helpdesk_queue_args_t     a;
    ngx_http_helpdesk_ticket_names_t   names;

    if (ngx_http_helpdesk_queue_args(r, ctx, &a) != NGX_OK) {
        return ctx->rc;
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (hd_staff_scope(&txn, ctx->caller.account, &scope) != HD_OK) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&q, sizeof(q));
    q.departments = scope.departments;
    q.ndepartments = scope.n;

    if (a.department) {
        if (!hd_staff_sees(&scope, a.department)) {
            hd_txn_abort(&txn);
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_FORBIDDEN,
                                           "department_forbidden",
                                           "department");
        }

        one = a.department;
        q.departments = &one;
        q.ndepartments = 1;
    }

    /* the counts: of each queue (unclosed), each status, each priority */
    ngx_memzero(qcount, sizeof(qcount));
    ngx_memzero(scount, sizeof(scount));
    ngx_memzero(pcount, sizeof(pcount));

    for (k = 0; k < NGX_HTTP_HELPDESK_QUEUE_COUNT; k++) {
        if (hd_queue_counts(&txn, q.departments, q.ndepartments,
                            k != NGX_HTTP_HELPDESK_QUEUE_ALL,
                            k == NGX_HTTP_HELPDESK_QUEUE_MINE
                            ? ctx->caller.account->id : 0,
                            counts)
            != HD_OK)
        {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        for (s = 0; s < HD_STATUS_COUNT; s++) {
            for (p = 0; p < HD_PRIORITY_COUNT; p++) {
                if (HD_STATUSES_UNCLOSED & HD_STATUS_BIT(s)) {
                    qcount[k] += counts[s][p];
                }

                if (k != a.queue) {
                    continue;
                }

                scount[s] += counts[s][p];

                if (a.statuses & HD_STATUS_BIT(s)) {
                    pcount[p] += counts[s][p];
                }
            }
        }
    }

    q.by_owner = a.queue != NGX_HTTP_HELPDESK_QUEUE_ALL;
    q.owner = a.queue == NGX_HTTP_HELPDESK_QUEUE_MINE
              ? ctx->caller.account->id : 0;
    q.statuses = a.statuses;
    q.priority = a.priority;
    q.order = (uint8_t) a.order;
    q.offset = (size_t) (a.page - 1) * a.per_page;
    q.limit = (size_t) a.per_page;
    q.in_place = 1;
    q.sla = a.sla;
    q.text = a.text;

    /* by an extra field of the tickets' forms: each candidate read */
    if (ngx_http_helpdesk_form_filter(ctx, &txn, &a.field, &a.field_value,
                                      &field_filter)
        == NGX_OK)
    {
        q.match = ngx_http_helpdesk_queue_field;
        q.match_data = &field_filter;
    }

    unknown_holder = 0;

    if (a.holder.len) {
        q.by_holder = 1;

        if (hd_staff_holder(&txn, &a.holder, &q.holder_account,
                            &q.holder_company)
            != HD_OK)
        {
            unknown_holder = 1;
        }
    }

    if (unknown_holder) {
        ngx_memzero(&result, sizeof(result));

    } else if (hd_queue_list(&txn, &q, pool, &result) != HD_OK) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&names, sizeof(names));
    names.txn = &txn;
    names.pool = pool;

    if (ctx->api) {
        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        w = &j->w;
        hd_jw_object(w);
        hd_jw_key(w, "total");
        hd_jw_int(w, (int64_t) result.total);
        hd_jw_key(w, "page");
        hd_jw_int(w, a.page);
        hd_jw_key(w, "per_page");
        hd_jw_int(w, a.per_page);

        if (result.capped) {
            hd_jw_key(w, "capped");
            hd_jw_bool(w, 1);
        }

        hd_jw_key(w, "counts");
        hd_jw_object(w);
        ngx_http_helpdesk_jw_counts(w, "queues", ngx_http_helpdesk_queue_names,
                                    qcount, NGX_HTTP_HELPDESK_QUEUE_COUNT);
        ngx_http_helpdesk_jw_counts(w, "statuses", hd_status_names, scount,
                                    HD_STATUS_COUNT);
        ngx_http_helpdesk_jw_counts(w, "priorities", hd_priority_names,
                                    pcount, HD_PRIORITY_COUNT);
        hd_jw_end(w, '}');

        hd_jw_key(w, "tickets");
        hd_jw_array(w);

        for (i = 0; i < result.n; i++) {
            ngx_http_helpdesk_queue_row_jw(&names, &result.tickets[i], w);
        }

        hd_jw_end(w, ']');
        hd_jw_end(w, '}');

        rc = hd_jw_finish(w);
        hd_txn_abort(&txn);

        return rc == 0 ? ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK)
                       : NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    view = ngx_http_helpdesk_view(r, ctx, "staff.queue_title");
    list = ngx_http_helpdesk_queue_rows(ctx, &names, result.tickets,
                                        result.n);
    if (view == NULL || list == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the filters' choices: the departments seen */
    deps = NULL;
    n = 0;
    (void) hd_department_list(&txn, pool, &deps, &n);

    item = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        if (!hd_staff_sees(&scope, deps[i].id)) {
            continue;
        }

        hd_val_t  *d = hd_val_map(pool);

        hd_val_set_int(pool, d, "id", (int64_t) deps[i].id);
        hd_val_set_str(pool, d, "name", deps[i].name.data, deps[i].name.len);
        hd_val_set_bool(pool, d, "selected", deps[i].id == a.department);
        hd_val_push(pool, item, d);
    }

    hd_val_set(pool, view, "departments", item);

    /* the page renders before the transaction ends: names stay valid */
    hd_val_set(pool, view, "tickets", list);
    hd_val_set_bool(pool, view, "has_tickets", result.n != 0);
    hd_val_set_int(pool, view, "total", (int64_t) result.total);

    /* what the page asks every few seconds (live.js): changed or not */
    hd_val_set_int(pool, view, "queue_version",
                   (int64_t) ngx_http_helpdesk_queue_version(&scope,
                                                             a.department));
    if (a.department) {
        hd_val_set_int(pool, view, "queue_department",
                       (int64_t) a.department);
    }
    hd_val_set_bool(pool, view, "capped", result.capped);
    hd_val_set_bool(pool, view, "unknown_holder", unknown_holder);

    tabs = hd_val_list(pool);

    for (k = 0; k < NGX_HTTP_HELPDESK_QUEUE_COUNT; k++) {
        char             key[48];
        const hd_str_t  *label;

        item = hd_val_map(pool);
        ngx_snprintf((u_char *) key, sizeof(key), "staff.queue_%s%Z",
                     ngx_http_helpdesk_queue_names[k]);
        label = ngx_http_helpdesk_text(ctx, key);
        hd_val_set_cstr(pool, item, "code", ngx_http_helpdesk_queue_names[k]);

        if (label != NULL) {
            hd_val_set_str(pool, item, "label", label->data, label->len);
        }

        hd_val_set_int(pool, item, "count", (int64_t) qcount[k]);
        hd_val_set_bool(pool, item, "current", k == a.queue);
        hd_val_set(pool, item, "href",
                   ngx_http_helpdesk_queue_href(r, ctx, "queue",
                       ngx_http_helpdesk_queue_names[k], 1));
        hd_val_push(pool, tabs, item);
    }

    hd_val_set(pool, view, "queues", tabs);

    /* statuses and priorities: a select each, with counts */
    list = hd_val_list(pool);

    for (s = 0; s < HD_STATUS_COUNT; s++) {
        item = hd_val_map(pool);
        hd_val_set_cstr(pool, item, "value", hd_status_names[s]);
        ngx_http_helpdesk_set_label(ctx, item, "label",
                                    NGX_HTTP_HELPDESK_L_STAFF_STATUS, s);
        hd_val_set_int(pool, item, "count", (int64_t) scount[s]);
        hd_val_set_bool(pool, item, "selected",
                        a.statuses == HD_STATUS_BIT(s));
        hd_val_push(pool, list, item);
    }

    hd_val_set(pool, view, "statuses", list);
    hd_val_set_bool(pool, view, "status_resolved",
                    a.statuses == (((1u << HD_STATUS_COUNT) - 1)
                                   & ~HD_STATUSES_UNCLOSED));
    hd_val_set_bool(pool, view, "status_any",
                    a.statuses == (1u << HD_STATUS_COUNT) - 1);

    list = hd_val_list(pool);

    for (p = HD_PRIORITY_COUNT; p-- > 0; ) {
        item = hd_val_map(pool);
        hd_val_set_cstr(pool, item, "value", hd_priority_names[p]);
        ngx_http_helpdesk_set_label(ctx, item, "label",
                                    NGX_HTTP_HELPDESK_L_PRIORITY, p);
        hd_val_set_int(pool, item, "count", (int64_t) pcount[p]);
        hd_val_set_bool(pool, item, "selected", a.priority == (int) p);
        hd_val_push(pool, list, item);
    }

    hd_val_set(pool, view, "priorities", list);

    hd_val_set_cstr(pool, view, "queue",
                    ngx_http_helpdesk_queue_names[a.queue]);
    hd_val_set_bool(pool, view, "sla_at_risk", a.sla == HD_SLA_AT_RISK);
    hd_val_set_bool(pool, view, "sla_breached", a.sla == HD_SLA_BREACHED);
    /* the filters stay folded (a phone sees the tickets first) unless some
       are set */
    {
        ngx_str_t    v;
        ngx_uint_t   k, filtered = 0;
        static const char  *names[] = { "department", "status", "priority",
                                        "sla", "holder", "field", "sort",
                                        "q" };

        for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
            if (ngx_http_arg(r, (u_char *) names[k], ngx_strlen(names[k]), &v)
                == NGX_OK && v.len)
            {
                filtered = 1;
            }
        }

        hd_val_set_bool(pool, view, "filtered", filtered);
    }

    hd_val_set_bool(pool, view, "sort_updated", a.order == HD_ORDER_UPDATED);
    hd_val_set_bool(pool, view, "sort_created", a.order == HD_ORDER_CREATED);

    if (a.holder.len) {
        hd_val_set_str(pool, view, "holder", a.holder.data, a.holder.len);
    }

    if (a.text.len) {
        hd_val_set_str(pool, view, "q", a.text.data, a.text.len);
    }

    hd_val_set(pool, view, "form_fields",
               ngx_http_helpdesk_form_filter_choices(ctx, &txn, &a.field));

    if (a.field_value.len) {
        hd_val_set_str(pool, view, "field_value", a.field_value.data,
                       a.field_value.len);
    }

    pages = result.total ? (result.total + a.per_page - 1) / a.per_page : 1;
    hd_val_set_int(pool, view, "page", a.page);
    hd_val_set_int(pool, view, "pages", (int64_t) pages);

    if (a.page > 1) {
        hd_val_set(pool, view, "prev_href",
                   ngx_http_helpdesk_queue_href(r, ctx, "page", NULL,
                                                a.page - 1));
    }

    if ((size_t) a.page < pages) {
        hd_val_set(pool, view, "next_href",
                   ngx_http_helpdesk_queue_href(r, ctx, "page", NULL,
                                                a.page + 1));
    }

    rc = ngx_http_helpdesk_render(r, ctx, "pages/staff_queue", view,
                                  NGX_HTTP_OK);
    hd_txn_abort(&txn);

    return rc;
}

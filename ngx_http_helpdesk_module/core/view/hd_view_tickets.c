/*
 * "My tickets" (SPEC §5.5): a page of the reader's tickets (and their
 * company's, for whom sees them), unclosed first or all, the limits of
 * their certificates, the counts. The rows are read whole before the
 * transaction ends and made one by one as they are written, in one map
 * each row refills.
 */

#include <string.h>

#include "hd_view.h"
#include "hd_date.h"
#include "hd_ticket_customer.h"


typedef struct {
    const hd_viewer_t      *viewer;
    hd_pool_t              *pool;
    hd_view_words_t         words;
    hd_view_row_t  *rows;
    hd_val_t               *row;
    hd_val_t               *number;
    hd_val_t               *subject;
    hd_val_t               *updated;
    hd_val_t               *replier_name;
    hd_val_t               *replier_side;
    hd_val_t               *department;
    hd_val_t               *type;
    hd_val_t               *status;
    hd_val_t               *priority;
    hd_val_t               *author;
    hd_val_t               *premium;
    hd_val_t               *status_code;
    hd_val_t               *priority_code;
} hd_view_tickets_gen_t;


static hd_val_t *
hd_view_tickets_next(void *data, size_t i)
{
    hd_view_tickets_gen_t        *g = data;
    const hd_view_row_t  *r = &g->rows[i];

    hd_view_fill_int(g->number, r->number, 0);
    hd_view_fill_str(g->subject, &r->subject, 0);
    hd_view_fill_str(g->replier_name, &r->last_replier, 0);
    hd_view_fill_str(g->department, &r->department, 0);
    hd_view_fill_str(g->author, &r->author, 0);
    g->premium->type = HD_VAL_BOOL;
    g->premium->u.boolean = r->premium;

    hd_view_time_fill(&g->words, g->pool, g->updated, r->updated);
    hd_view_word_fill(&g->words, g->replier_side, HD_WORD_SIDE,
                      hd_view_code(hd_side_names, HD_SIDE_COUNT, r->side));
    hd_view_word_fill(&g->words, g->type, HD_WORD_TYPE,
                      hd_view_code(hd_ticket_type_names, HD_TYPE_COUNT,
                                   r->type));
    hd_view_word_fill(&g->words, g->status, HD_WORD_STATUS,
                      hd_view_code(hd_status_names, HD_STATUS_COUNT,
                                   r->status));
    hd_view_word_fill(&g->words, g->priority, HD_WORD_PRIORITY,
                      hd_view_code(hd_priority_names, HD_PRIORITY_COUNT,
                                   r->priority));

    /* the marks' styles: the codes (a page's) */
    if (g->status_code != NULL) {
        hd_view_fill_code(g->status_code, g->status->u.typed.code);
        hd_view_fill_code(g->priority_code, g->priority->u.typed.code);
    }

    return g->row;
}


/* the list of rows: the API's fields in its order, a page's after them */
static hd_val_t *
hd_view_tickets_list(const hd_viewer_t *viewer, hd_pool_t *pool,
    hd_view_row_t *rows, size_t n)
{
    hd_val_t               *replier;
    hd_view_tickets_gen_t  *g;

    g = hd_pcalloc(pool, sizeof(hd_view_tickets_gen_t));
    if (g == NULL) {
        return NULL;
    }

    g->viewer = viewer;
    g->pool = pool;
    g->rows = rows;
    hd_view_words_init(&g->words, viewer);

    g->row = hd_val_map(pool);
    replier = hd_val_map(pool);
    if (g->row == NULL || replier == NULL) {
        return NULL;
    }

    g->number = hd_val_slot(pool, g->row, "number");
    g->subject = hd_val_slot(pool, g->row, "subject");
    g->updated = hd_val_slot(pool, g->row, "updated");

    if (hd_val_set(pool, g->row, "last_replier", replier) != 0) {
        return NULL;
    }

    g->replier_name = hd_val_slot(pool, replier, "name");
    g->replier_side = hd_val_slot(pool, replier, "side");
    g->department = hd_val_slot(pool, g->row, "department");
    g->type = hd_val_slot(pool, g->row, "type");
    g->status = hd_val_slot(pool, g->row, "status");
    g->priority = hd_val_slot(pool, g->row, "priority");
    g->author = hd_val_slot(pool, g->row, "author");
    g->premium = hd_val_slot(pool, g->row, "premium");

    if (g->number == NULL || g->subject == NULL || g->updated == NULL
        || g->replier_name == NULL || g->replier_side == NULL
        || g->department == NULL || g->type == NULL || g->status == NULL
        || g->priority == NULL || g->author == NULL || g->premium == NULL)
    {
        return NULL;
    }

    if (viewer->page) {
        g->status_code = hd_val_cstr(pool, "");
        g->priority_code = hd_val_cstr(pool, "");

        if (g->status_code == NULL || g->priority_code == NULL
            || hd_val_set_page(pool, g->row, "status_code", g->status_code)
               != 0
            || hd_val_set_page(pool, g->row, "priority_code",
                               g->priority_code)
               != 0)
        {
            return NULL;
        }
    }

    return hd_val_gen(pool, hd_view_tickets_next, g, n);
}


/* the certificates' limits: every unclosed ticket of each, its limit */
static hd_val_t *
hd_view_tickets_limits(const hd_viewer_t *viewer, hd_pool_t *pool,
    const hd_ticket_cert_t *tc, size_t n, size_t *allowed)
{
    size_t     i;
    hd_val_t  *list, *item;

    list = hd_val_list(pool);
    *allowed = 0;

    for (i = 0; i < n; i++) {
        *allowed += tc[i].type.ticket_limit;

        item = hd_val_map(pool);
        hd_view_set_str(pool, item, "number", &tc[i].cert.number);
        hd_view_set_str(pool, item, "product", &tc[i].product);
        hd_val_set_int(pool, item, "unclosed", (int64_t) tc[i].unclosed);
        hd_val_set_int(pool, item, "limit", tc[i].type.ticket_limit);

        if (viewer->page) {
            hd_val_set_page(pool, item, "full",
                            hd_val_bool(tc[i].type.ticket_limit
                                        && tc[i].unclosed
                                           >= tc[i].type.ticket_limit));
        }

        hd_val_push(pool, list, item);
    }

    return list;
}


/* what only the page shows: the title, the pager, the switch */
static void
hd_view_tickets_page(hd_pool_t *pool, hd_val_t *v,
    const hd_view_list_t *args, const hd_ticket_page_t *result,
    size_t ncerts, int with_author)
{
    size_t  pages;

    pages = result->total
            ? (result->total + args->per_page - 1) / args->per_page : 1;

    hd_val_set_page(pool, v, "title", hd_val_word(pool, "tickets.", "title"));
    hd_val_set_page(pool, v, "has_tickets", hd_val_bool(result->n != 0));
    hd_val_set_page(pool, v, "with_author", hd_val_bool(with_author));
    hd_val_set_page(pool, v, "has_certificates", hd_val_bool(ncerts != 0));
    hd_val_set_page(pool, v, "show_all", hd_val_bool(args->closed_too));
    hd_val_set_page(pool, v, "pages", hd_val_int(pool, (int64_t) pages));
    hd_val_set_page(pool, v, "show",
                    hd_val_cstr(pool, args->closed_too ? "all" : "unclosed"));

    if (args->page > 1) {
        hd_val_set_page(pool, v, "prev_page",
                        hd_val_int(pool, (int64_t) args->page - 1));
    }

    if (args->page < pages) {
        hd_val_set_page(pool, v, "next_page",
                        hd_val_int(pool, (int64_t) args->page + 1));
    }
}


hd_rc
hd_view_tickets(hd_store_t *store, const hd_viewer_t *viewer,
    const hd_view_list_t *args, hd_pool_t *pool, hd_val_t **view,
    hd_err_t *err)
{
    size_t                  n, allowed;
    hd_rc                   rc;
    hd_txn_t                txn;
    hd_val_t               *v, *list, *limits;
    hd_ticket_cert_t       *tc;
    hd_ticket_page_t        result;
    hd_ticket_query_t       q;
    const hd_account_t     *a = viewer->account;
    hd_view_row_t  *rows;

    rc = hd_txn_begin(store, &txn, HD_TXN_READ | HD_TXN_CACHED, err);
    if (rc != HD_OK) {
        return rc;
    }

    memset(&q, 0, sizeof(q));
    q.account = a->id;
    q.company = a->company;
    q.sees_company = hd_ticket_sees_company(&txn, a);
    q.closed_too = args->closed_too;
    q.offset = (args->page - 1) * args->per_page;
    q.limit = args->per_page;

    /* the rows copy what they show: the rest stays in the pages */
    q.in_place = 1;

    rc = hd_ticket_list(&txn, &q, pool, &result);
    if (rc == HD_OK) {
        rc = hd_ticket_certificates(&txn, a, hd_date_today(viewer->now),
                                    pool, &tc, &n);
    }

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return hd_err_set(err, rc, NULL, "io",
                          "account %llu: the tickets cannot be read (%s)",
                          (unsigned long long) a->id, hd_rc_name(rc));
    }

    rows = hd_view_rows(&txn, pool, result.tickets, result.n, 1);
    limits = hd_view_tickets_limits(viewer, pool, tc, n, &allowed);

    hd_txn_abort(&txn);

    list = rows ? hd_view_tickets_list(viewer, pool, rows, result.n) : NULL;
    v = hd_val_map(pool);

    if (list == NULL || v == NULL || limits == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "io",
                          "account %llu: no memory for the tickets",
                          (unsigned long long) a->id);
    }

    hd_val_set(pool, v, "tickets", list);
    hd_val_set(pool, v, "certificates", limits);
    hd_val_set_int(pool, v, "unclosed", (int64_t) result.unclosed);
    hd_val_set_int(pool, v, "allowed", (int64_t) allowed);
    hd_val_set_int(pool, v, "resolved", (int64_t) result.closed);
    hd_val_set_int(pool, v, "total", (int64_t) result.total);
    hd_val_set_int(pool, v, "page", (int64_t) args->page);
    hd_val_set_int(pool, v, "per_page", (int64_t) args->per_page);

    if (viewer->page) {
        hd_view_tickets_page(pool, v, args, &result, n, q.sees_company);
    }

    *view = v;

    return HD_OK;
}

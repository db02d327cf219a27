/*
 * Staff's full-text search of tickets: the index's ticket scope (every
 * message added in the transaction that writes it, hd_ticket_post), with
 * the departments the searcher sees as the only filter.
 */

#include "hd_ticket.h"
#include "hd_ticket_search.h"


static int
hd_ticket_search_accept(hd_txn_t *txn, uint64_t doc, uint32_t sub, void *arg)
{
    hd_ticket_t              t;
    const hd_staff_scope_t  *scope = arg;

    (void) sub;

    /* managers and administrators see every department: nothing to read */
    if (scope->all) {
        return 1;
    }

    return hd_ticket_get(txn, doc, &t) == HD_OK
           && hd_staff_sees(scope, t.department);
}


hd_rc
hd_ticket_search(hd_txn_t *txn, const hd_staff_scope_t *scope,
    const hd_str_t *text, size_t offset, size_t limit, hd_pool_t *pool,
    hd_search_hit_t **hits, size_t *n, size_t *total)
{
    hd_search_query_t  q;

    memset(&q, 0, sizeof(q));

    q.text = *text;
    q.typo = 1;
    q.group = 1;
    q.offset = offset;
    q.limit = limit;
    q.accept = hd_ticket_search_accept;
    q.arg = (void *) scope;

    return hd_search_run(txn, HD_SEARCH_TICKETS, &q, pool, hits, n, total);
}


hd_rc
hd_ticket_similar(hd_txn_t *txn, const hd_staff_scope_t *scope,
    const hd_str_t *text, size_t limit, hd_pool_t *pool,
    hd_search_hit_t **hits, size_t *n)
{
    size_t             total;
    hd_search_query_t  q;

    memset(&q, 0, sizeof(q));

    q.text = *text;
    q.any = 1;
    q.group = 1;
    q.limit = limit;
    q.scan_max = 10000;
    q.accept = hd_ticket_search_accept;
    q.arg = (void *) scope;

    return hd_search_run(txn, HD_SEARCH_TICKETS, &q, pool, hits, n, &total);
}

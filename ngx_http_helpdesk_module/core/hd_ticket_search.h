/*
 * Tickets found by any word of their subject or messages (SPEC §8), for
 * staff: internal notes included, only in the departments the staff member
 * sees. Each ticket once, by its best message.
 */

#ifndef HD_TICKET_SEARCH_H
#define HD_TICKET_SEARCH_H

#include "hd_core.h"
#include "hd_pool.h"
#include "hd_search.h"
#include "hd_staff.h"


/* count (may be NULL): the hits to page through, whether total is an
   estimate (the newest 10,000 postings of the rarest word are read) */
hd_rc hd_ticket_search(hd_txn_t *txn, const hd_staff_scope_t *scope,
    const hd_str_t *text, size_t offset, size_t limit, hd_pool_t *pool,
    hd_search_hit_t **hits, size_t *n, size_t *total,
    hd_search_count_t *count);

/*
 * Every ticket's messages indexed again (those written before the index
 * was, or after its words changed): the scope cleared, then the messages
 * in transactions of about batch each. Searches find less meanwhile, and a
 * message posted meanwhile may count twice in the ranking's totals until
 * the next run. *n: the messages indexed.
 */
hd_rc hd_ticket_reindex(hd_store_t *store, size_t batch, uint64_t *n,
    hd_err_t *err);

/* tickets like the text (any of its words), for "similar resolved" */
hd_rc hd_ticket_similar(hd_txn_t *txn, const hd_staff_scope_t *scope,
    const hd_str_t *text, size_t limit, hd_pool_t *pool,
    hd_search_hit_t **hits, size_t *n);

#endif /* HD_TICKET_SEARCH_H */

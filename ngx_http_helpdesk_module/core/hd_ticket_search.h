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


hd_rc hd_ticket_search(hd_txn_t *txn, const hd_staff_scope_t *scope,
    const hd_str_t *text, size_t offset, size_t limit, hd_pool_t *pool,
    hd_search_hit_t **hits, size_t *n, size_t *total);

/* tickets like the text (any of its words), for "similar resolved" */
hd_rc hd_ticket_similar(hd_txn_t *txn, const hd_staff_scope_t *scope,
    const hd_str_t *text, size_t limit, hd_pool_t *pool,
    hd_search_hit_t **hits, size_t *n);

#endif /* HD_TICKET_SEARCH_H */

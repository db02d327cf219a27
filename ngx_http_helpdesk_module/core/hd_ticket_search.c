/*
 * Staff's full-text search of tickets: the index's ticket scope (every
 * message added in the transaction that writes it, hd_ticket_post), with
 * the departments the searcher sees as the only filter.
 */

#include "hd_schema.h"
#include "hd_store.h"
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
    hd_search_hit_t **hits, size_t *n, size_t *total,
    hd_search_count_t *count)
{
    hd_search_query_t  q;

    memset(&q, 0, sizeof(q));

    q.text = *text;
    q.typo = 1;
    q.group = 1;
    q.scan_max = 10000;     /* the newest postings of its rarest word:
                               pages enough for anyone, in a few ms */
    q.offset = offset;
    q.limit = limit;
    q.accept = hd_ticket_search_accept;
    q.arg = (void *) scope;
    q.count = count;

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


/* one ticket's messages into the index, as hd_ticket_post puts them */
static hd_rc
hd_ticket_reindex_one(hd_txn_t *txn, uint64_t number, size_t *n,
    hd_err_t *err)
{
    int            first = 1;
    size_t         i, count;
    hd_rc          rc;
    hd_arena_t    *arena;
    hd_ticket_t    t;
    hd_message_t  *list;

    if (hd_ticket_get(txn, number, &t) != HD_OK) {
        return HD_OK;
    }

    arena = hd_arena_create(65536);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    t.subject.data = hd_pstrdup(&arena->pool, t.subject.data, t.subject.len);
    rc = hd_message_list(txn, number, 1, &arena->pool, &list, &count);

    for (i = 0; rc == HD_OK && i < count; i++) {
        if (list[i].kind == HD_MESSAGE_EVENT) {
            continue;           /* the system's, never indexed */
        }

        rc = hd_search_add(txn, HD_SEARCH_TICKETS, number,
                           (uint32_t) list[i].id,
                           first ? &t.subject : NULL, &list[i].body, 0, err);
        first = 0;
        (*n)++;
    }

    hd_arena_destroy(arena);

    return rc;
}


hd_rc
hd_ticket_reindex(hd_store_t *store, size_t batch, uint64_t *n,
    hd_err_t *err)
{
    int          left;
    size_t       done;
    hd_rc        rc;
    hd_str_t     k, v;
    hd_txn_t     txn;
    hd_uchar     key[8];
    uint64_t     next = 0;
    hd_cursor_t  cur;

    *n = 0;

    /* the old postings out, a batch of keys a transaction */
    do {
        rc = hd_txn_begin(store, &txn, HD_TXN_WRITE, err);
        if (rc != HD_OK) {
            return rc;
        }

        rc = hd_search_clear(&txn, HD_SEARCH_TICKETS, batch, &left, err);
        rc = rc == HD_OK ? hd_txn_commit(&txn, err) : (hd_txn_abort(&txn), rc);

        if (rc != HD_OK) {
            return rc;
        }

    } while (left);

    /* the tickets in order, about batch messages a transaction; each next
       one sought afresh (the index's writes move the cursor's pages) */
    for ( ;; ) {
        rc = hd_txn_begin(store, &txn, HD_TXN_WRITE, err);
        if (rc != HD_OK) {
            return rc;
        }

        done = 0;
        left = 1;

        while (rc == HD_OK && done < batch) {
            rc = hd_cursor_open(&txn, HD_DB_TICKETS, &cur);
            if (rc != HD_OK) {
                break;
            }

            hd_be64_put(key, next);

            for (rc = hd_cursor_seek(&cur, key, 8, &k, &v);
                 rc == HD_OK && k.len != 8;
                 rc = hd_cursor_next(&cur, &k, &v))
            {
                /* void */
            }

            hd_cursor_close(&cur);

            if (rc != HD_OK) {
                rc = HD_OK;
                left = 0;       /* no more tickets */
                break;
            }

            next = hd_be64_get(k.data);
            rc = hd_ticket_reindex_one(&txn, next, &done, err);
            next++;
        }

        if (rc != HD_OK) {
            hd_txn_abort(&txn);
            return rc;
        }

        *n += done;

        rc = hd_txn_commit(&txn, err);
        if (rc != HD_OK) {
            return rc;
        }

        /* the last ones into a segment, and the segments merged */
        if (!left) {
            size_t  merges;

            return hd_search_settle(store, HD_SEARCH_TICKETS, 1, (size_t) -1,
                                    &merges, err);
        }
    }
}

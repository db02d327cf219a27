/*
 * Queues: the index entries and counters of tickets, and pages of them
 * merged from a few sorted runs.
 */

#include <stdlib.h>

#include "hd_queue.h"
#include "hd_search_text.h"
#include "hd_store.h"
#include "hd_text.h"


/*
 * Entries (sorted duplicates) under
 *   order, 'D', department, status               (11 bytes)
 *   order, 'O', department, owner, status        (19 bytes)
 * each a value of 17 bytes: a leading byte (the priority, inverted, so
 * that the highest sorts first; 0 in the other orders), a time (the due
 * time, or the last update, or creation) and the number.
 */
#define HD_QUEUE_D_KEY     11
#define HD_QUEUE_O_KEY     19
#define HD_QUEUE_VALUE     17
#define HD_QUEUE_RUNS      64

/* SLA entries: department, state => the priority order's value */
#define HD_QUEUE_SLA_KEY   9

/* counters under 'D', department, status, priority (or 'O' with owner) */
#define HD_COUNT_D_KEY     11
#define HD_COUNT_O_KEY     19


const char  *hd_order_names[HD_ORDER_COUNT] = {
    "priority", "updated", "created"
};


static size_t
hd_queue_key(hd_uchar *key, unsigned order, int by_owner, uint64_t dept,
    uint64_t owner, unsigned status)
{
    key[0] = (hd_uchar) order;
    key[1] = by_owner ? 'O' : 'D';
    hd_be64_put(key + 2, dept);

    if (!by_owner) {
        key[10] = (hd_uchar) status;
        return HD_QUEUE_D_KEY;
    }

    hd_be64_put(key + 10, owner);
    key[18] = (hd_uchar) status;

    return HD_QUEUE_O_KEY;
}


static void
hd_queue_value(hd_uchar *v, unsigned order, const hd_ticket_t *t)
{
    switch (order) {

    case HD_ORDER_PRIORITY:
        /* breached first, then at risk (SPEC §6.2), then by priority */
        v[0] = (hd_uchar) ((HD_SLA_STATE_COUNT - 1
                            - (t->sla_state % HD_SLA_STATE_COUNT))
                           * HD_PRIORITY_COUNT
                           + HD_PRIORITY_COUNT - 1
                           - (t->priority % HD_PRIORITY_COUNT));
        hd_be64_put(v + 1, t->sla_due ? t->sla_due : UINT64_MAX);
        break;

    case HD_ORDER_UPDATED:
        v[0] = 0;
        hd_be64_put(v + 1, t->updated);
        break;

    default:
        v[0] = 0;
        hd_be64_put(v + 1, t->created);
        break;
    }

    hd_be64_put(v + 9, t->number);
}


static void
hd_queue_sla_key(hd_uchar *key, uint64_t dept, unsigned state)
{
    hd_be64_put(key, dept);
    key[8] = (hd_uchar) state;
}


static size_t
hd_count_key(hd_uchar *key, int by_owner, uint64_t dept, uint64_t owner,
    unsigned status, unsigned priority)
{
    key[0] = by_owner ? 'O' : 'D';
    hd_be64_put(key + 1, dept);

    if (!by_owner) {
        key[9] = (hd_uchar) status;
        key[10] = (hd_uchar) priority;
        return HD_COUNT_D_KEY;
    }

    hd_be64_put(key + 9, owner);
    key[17] = (hd_uchar) status;
    key[18] = (hd_uchar) priority;

    return HD_COUNT_O_KEY;
}


static hd_rc
hd_count_add(hd_txn_t *txn, const hd_uchar *key, size_t klen, int delta,
    hd_err_t *err)
{
    hd_rc     rc;
    hd_str_t  v;
    uint32_t  n = 0;
    hd_uchar  buf[4];

    rc = hd_db_get(txn, HD_DB_QUEUE_COUNTS, key, klen, &v);

    if (rc == HD_OK && v.len == 4) {
        n = hd_be32_get(v.data);

    } else if (rc != HD_OK && rc != HD_NOT_FOUND) {
        return rc;
    }

    if (delta < 0 && n == 0) {
        return HD_OK;               /* the check reports the drift */
    }

    n += delta;

    if (n == 0) {
        rc = hd_db_del(txn, HD_DB_QUEUE_COUNTS, key, klen, err);
        return rc == HD_NOT_FOUND ? HD_OK : rc;
    }

    hd_be32_put(buf, n);

    return hd_db_put(txn, HD_DB_QUEUE_COUNTS, key, klen, buf, 4, 0, err);
}


hd_rc
hd_queue_index(hd_txn_t *txn, const hd_ticket_t *t, int add, hd_err_t *err)
{
    int       by_owner;
    hd_rc     rc;
    size_t    klen;
    unsigned  order;
    hd_uchar  key[HD_QUEUE_O_KEY], v[HD_QUEUE_VALUE];

    for (by_owner = 0; by_owner < 2; by_owner++) {
        for (order = 0; order < HD_ORDER_COUNT; order++) {
            klen = hd_queue_key(key, order, by_owner, t->department,
                                t->owner, t->status);
            hd_queue_value(v, order, t);

            if (add) {
                rc = hd_dup_put(txn, HD_DB_QUEUES, key, klen, v,
                                HD_QUEUE_VALUE, err);

            } else {
                rc = hd_dup_del(txn, HD_DB_QUEUES, key, klen, v,
                                HD_QUEUE_VALUE, err);
                if (rc == HD_NOT_FOUND) {
                    rc = HD_OK;
                }
            }

            if (rc != HD_OK) {
                return rc;
            }
        }

        klen = hd_count_key(key, by_owner, t->department, t->owner,
                            t->status, t->priority);

        rc = hd_count_add(txn, key, klen, add ? 1 : -1, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    /* unclosed tickets at risk or breached: by department and state */
    if (t->sla_state == HD_SLA_OK || hd_status_closed(t->status)) {
        return HD_OK;
    }

    hd_queue_sla_key(key, t->department, t->sla_state);
    hd_queue_value(v, HD_ORDER_PRIORITY, t);

    if (add) {
        return hd_dup_put(txn, HD_DB_QUEUE_SLA, key, HD_QUEUE_SLA_KEY, v,
                          HD_QUEUE_VALUE, err);
    }

    rc = hd_dup_del(txn, HD_DB_QUEUE_SLA, key, HD_QUEUE_SLA_KEY, v,
                    HD_QUEUE_VALUE, err);

    return rc == HD_NOT_FOUND ? HD_OK : rc;
}


/* the counts of recent queries, per thread, each of one snapshot */
#define HD_QUEUE_CACHE       8
#define HD_QUEUE_CACHE_DEPS  16

typedef struct {
    const hd_store_t   *store;
    size_t              txn_id;
    int                 by_owner;
    int                 counted;
    uint64_t            owner;
    size_t              n;
    uint64_t            departments[HD_QUEUE_CACHE_DEPS];
    hd_queue_counts_t   counts;
} hd_queue_counts_cache_t;

static __thread hd_queue_counts_cache_t  hd_queue_cache[HD_QUEUE_CACHE];
static __thread unsigned                 hd_queue_cache_next;


/* the query's entry: found, or a new one (not counted yet) */
static hd_queue_counts_cache_t *
hd_queue_counts_cached(hd_txn_t *txn, const uint64_t *departments, size_t n,
    int by_owner, uint64_t owner)
{
    size_t                    i, id;
    hd_queue_counts_cache_t  *c;

    id = mdb_txn_id(txn->txn);

    for (i = 0; i < HD_QUEUE_CACHE; i++) {
        c = &hd_queue_cache[i];

        if (c->counted && c->store == txn->store && c->txn_id == id
            && c->by_owner == by_owner && c->owner == owner && c->n == n
            && memcmp(c->departments, departments, n * sizeof(uint64_t))
               == 0)
        {
            return c;
        }
    }

    c = &hd_queue_cache[hd_queue_cache_next++ % HD_QUEUE_CACHE];
    c->store = txn->store;
    c->txn_id = id;
    c->by_owner = by_owner;
    c->owner = owner;
    c->n = n;
    c->counted = 0;
    memcpy(c->departments, departments, n * sizeof(uint64_t));

    return c;
}


hd_rc
hd_queue_counts(hd_txn_t *txn, const uint64_t *departments, size_t n,
    int by_owner, uint64_t owner, hd_queue_counts_t counts)
{
    size_t                    i, plen;
    hd_rc                     rc;
    hd_str_t                  k, v;
    hd_uchar                  prefix[HD_COUNT_O_KEY];
    hd_cursor_t               cur;
    hd_queue_counts_cache_t  *c;

    /*
     * The same counts of the same snapshot are not counted again: a queue
     * page asks for three sets, and staff reload queues far more often
     * than tickets change (any commit makes a new snapshot)
     */
    c = NULL;

    if ((txn->flags & HD_TXN_READ) && n <= HD_QUEUE_CACHE_DEPS) {
        c = hd_queue_counts_cached(txn, departments, n, by_owner, owner);

        if (c->counted) {
            memcpy(counts, c->counts, sizeof(hd_queue_counts_t));
            return HD_OK;
        }
    }

    memset(counts, 0, sizeof(hd_queue_counts_t));

    rc = hd_cursor_open(txn, HD_DB_QUEUE_COUNTS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    /* a department's counters are one short run of keys */
    for (i = 0; i < n; i++) {
        plen = hd_count_key(prefix, by_owner, departments[i], owner, 0, 0)
               - 2;

        for (rc = hd_cursor_seek(&cur, prefix, plen, &k, &v);
             rc == HD_OK && k.len == plen + 2
             && memcmp(k.data, prefix, plen) == 0;
             rc = hd_cursor_next(&cur, &k, &v))
        {
            if (v.len == 4 && k.data[plen] < HD_STATUS_COUNT
                && k.data[plen + 1] < HD_PRIORITY_COUNT)
            {
                counts[k.data[plen]][k.data[plen + 1]] += hd_be32_get(v.data);
            }
        }
    }

    hd_cursor_close(&cur);

    if (c != NULL) {
        memcpy(c->counts, counts, sizeof(hd_queue_counts_t));
        c->counted = 1;
    }

    return HD_OK;
}


typedef struct {
    hd_cursor_t   cur;
    hd_str_t      v;                /* the current entry; len 0: done */
    uint64_t      hi;               /* v as numbers, compared as bytes */
    uint64_t      lo;
    hd_uchar      last;
    int           prio;             /* stop at another priority (-1: no) */
    size_t        klen;
    hd_uchar      key[HD_QUEUE_O_KEY];
} hd_queue_run_t;


static void
hd_queue_load(hd_queue_run_t *run)
{
    if (run->v.len != HD_QUEUE_VALUE) {
        run->v.len = 0;
        return;
    }

    run->hi = hd_be64_get(run->v.data);
    run->lo = hd_be64_get(run->v.data + 8);
    run->last = run->v.data[16];
}


/* the run's next entry in the query's direction */
static void
hd_queue_step(hd_queue_run_t *run, int descending)
{
    if ((descending ? hd_cursor_dup_prev(&run->cur, &run->v)
                    : hd_cursor_dup_next(&run->cur, &run->v))
        != HD_OK
        || (run->prio >= 0 && run->v.data[0] != run->prio))
    {
        run->v.len = 0;
        return;
    }

    hd_queue_load(run);
}


/* a < b in the order of the entries' bytes */
static inline int
hd_queue_before(const hd_queue_run_t *a, const hd_queue_run_t *b)
{
    if (a->hi != b->hi) {
        return a->hi < b->hi;
    }

    if (a->lo != b->lo) {
        return a->lo < b->lo;
    }

    return a->last < b->last;
}


/*
 * Where a merge stood after so many entries of a query, per thread, for
 * the snapshot it was read in: the page after, or the same deep page again,
 * starts there instead of stepping through every entry before it
 */
#define HD_QUEUE_MARKS  8

typedef struct {
    const hd_store_t   *store;
    size_t              txn_id;
    size_t              seen;           /* entries of the query before */
    int                 by_owner;
    int                 priority;
    unsigned            order;
    unsigned            statuses;
    uint64_t            owner;
    size_t              ndepartments;
    uint64_t            departments[HD_QUEUE_CACHE_DEPS];
    size_t              nruns;          /* those not done */
    struct {
        size_t          klen;
        hd_uchar        key[HD_QUEUE_O_KEY];
        hd_uchar        v[HD_QUEUE_VALUE];
    } runs[HD_QUEUE_RUNS];
} hd_queue_mark_t;

static __thread hd_queue_mark_t  hd_queue_marks[HD_QUEUE_MARKS];
static __thread unsigned         hd_queue_marks_next;


static int
hd_queue_mark_is(const hd_queue_mark_t *m, hd_txn_t *txn,
    const hd_queue_query_t *q, size_t seen)
{
    return m->store == txn->store && m->txn_id == mdb_txn_id(txn->txn)
           && m->seen == seen && m->by_owner == q->by_owner
           && m->priority == q->priority && m->order == q->order
           && m->statuses == q->statuses && m->owner == q->owner
           && m->ndepartments == q->ndepartments
           && memcmp(m->departments, q->departments,
                     q->ndepartments * sizeof(uint64_t)) == 0;
}


static int
hd_queue_markable(hd_txn_t *txn, const hd_queue_query_t *q)
{
    return (txn->flags & HD_TXN_READ) && q->match == NULL
           && q->ndepartments <= HD_QUEUE_CACHE_DEPS;
}


static void
hd_queue_mark(hd_txn_t *txn, const hd_queue_query_t *q, size_t seen,
    const hd_queue_run_t *runs, size_t nruns)
{
    size_t            i;
    hd_queue_mark_t  *m;

    for (i = 0; i < HD_QUEUE_MARKS; i++) {
        if (hd_queue_mark_is(&hd_queue_marks[i], txn, q, seen)) {
            return;
        }
    }

    m = &hd_queue_marks[hd_queue_marks_next++ % HD_QUEUE_MARKS];
    m->store = txn->store;
    m->txn_id = mdb_txn_id(txn->txn);
    m->seen = seen;
    m->by_owner = q->by_owner;
    m->priority = q->priority;
    m->order = q->order;
    m->statuses = q->statuses;
    m->owner = q->owner;
    m->ndepartments = q->ndepartments;
    memcpy(m->departments, q->departments,
           q->ndepartments * sizeof(uint64_t));
    m->nruns = 0;

    for (i = 0; i < nruns; i++) {
        if (runs[i].v.len != HD_QUEUE_VALUE) {
            continue;
        }

        m->runs[m->nruns].klen = runs[i].klen;
        memcpy(m->runs[m->nruns].key, runs[i].key, runs[i].klen);
        memcpy(m->runs[m->nruns].v, runs[i].v.data, HD_QUEUE_VALUE);
        m->nruns++;
    }
}


/* the runs where a mark left them: HD_NOT_FOUND without one */
static hd_rc
hd_queue_resume(hd_txn_t *txn, const hd_queue_query_t *q, size_t seen,
    hd_queue_run_t *runs, size_t *nruns)
{
    size_t            i;
    hd_rc             rc;
    hd_queue_mark_t  *m;

    *nruns = 0;

    if (seen == 0 || !hd_queue_markable(txn, q)) {
        return HD_NOT_FOUND;
    }

    for (m = NULL, i = 0; i < HD_QUEUE_MARKS; i++) {
        if (hd_queue_mark_is(&hd_queue_marks[i], txn, q, seen)) {
            m = &hd_queue_marks[i];
            break;
        }
    }

    if (m == NULL) {
        return HD_NOT_FOUND;
    }

    for (i = 0; i < m->nruns; i++) {
        rc = hd_cursor_open(txn, HD_DB_QUEUES, &runs[i].cur);
        if (rc != HD_OK) {
            return rc;
        }

        *nruns = i + 1;
        runs[i].prio = -1;
        runs[i].klen = m->runs[i].klen;
        memcpy(runs[i].key, m->runs[i].key, m->runs[i].klen);

        /* the same snapshot: the entry is there */
        rc = hd_cursor_dup_range(&runs[i].cur, runs[i].key, runs[i].klen,
                                 m->runs[i].v, HD_QUEUE_VALUE, &runs[i].v);
        if (rc != HD_OK || runs[i].v.len != HD_QUEUE_VALUE
            || memcmp(runs[i].v.data, m->runs[i].v, HD_QUEUE_VALUE) != 0)
        {
            return rc != HD_OK ? rc : HD_IO;
        }

        hd_queue_load(&runs[i]);
    }

    return HD_OK;
}


static hd_rc
hd_queue_runs(hd_txn_t *txn, const hd_queue_query_t *q, hd_queue_run_t *runs,
    size_t *nruns)
{
    int        descending;
    size_t     i;
    hd_rc      rc;
    unsigned   status;
    hd_queue_run_t  *run;

    *nruns = 0;
    descending = q->order != HD_ORDER_PRIORITY;

    for (i = 0; i < q->ndepartments; i++) {
        for (status = 0; status < HD_STATUS_COUNT; status++) {
            if (!(q->statuses & HD_STATUS_BIT(status))) {
                continue;
            }

            if (*nruns == HD_QUEUE_RUNS) {
                return HD_LIMIT;
            }

            run = &runs[*nruns];
            run->klen = hd_queue_key(run->key, q->order, q->by_owner,
                                     q->departments[i], q->owner, status);

            rc = hd_cursor_open(txn, HD_DB_QUEUES, &run->cur);
            if (rc != HD_OK) {
                return rc;
            }

            run->prio = -1;

            /* a priority is a filter on what is read: in the priority
               order its tickets lie in one part per SLA state */
            rc = descending
                 ? hd_cursor_dup_last(&run->cur, run->key, run->klen, &run->v)
                 : hd_cursor_dup_first(&run->cur, run->key, run->klen,
                                       &run->v);

            if (rc != HD_OK) {
                hd_cursor_close(&run->cur);
                continue;
            }

            hd_queue_load(run);
            (*nruns)++;
        }
    }

    return HD_OK;
}


static hd_rc hd_queue_narrow(hd_txn_t *txn, const hd_queue_query_t *q,
    hd_pool_t *pool, hd_queue_page_t *page);


hd_rc
hd_queue_list(hd_txn_t *txn, const hd_queue_query_t *q, hd_pool_t *pool,
    hd_queue_page_t *page)
{
    int              descending, filter, markable, marked;
    size_t           i, best, nruns, seen;
    hd_rc            rc;
    hd_uchar         key[8];
    unsigned         status, prio;
    hd_ticket_t     *t, scratch;
    hd_queue_run_t   runs[HD_QUEUE_RUNS];
    hd_queue_counts_t  counts;

    memset(page, 0, sizeof(*page));

    if (q->sla || q->by_holder || q->text.len) {
        return hd_queue_narrow(txn, q, pool, page);
    }

    /* the total, from the counters (a match filter counts as it reads) */
    rc = hd_queue_counts(txn, q->departments, q->ndepartments, q->by_owner,
                         q->owner, counts);
    if (rc != HD_OK) {
        return rc;
    }

    for (status = 0; q->match == NULL && status < HD_STATUS_COUNT; status++) {
        if (!(q->statuses & HD_STATUS_BIT(status))) {
            continue;
        }

        for (prio = 0; prio < HD_PRIORITY_COUNT; prio++) {
            if (q->priority < 0 || (unsigned) q->priority == prio) {
                page->total += counts[status][prio];
            }
        }
    }

    page->tickets = hd_palloc(pool, (q->limit ? q->limit : 1)
                                    * sizeof(hd_ticket_t));
    if (page->tickets == NULL) {
        return HD_NOMEM;
    }

    /* from where this query's page starts if a mark says it, else from
       the first entries */
    seen = 0;
    rc = hd_queue_resume(txn, q, q->offset, runs, &nruns);

    if (rc == HD_OK) {
        seen = q->offset;

    } else if (rc == HD_NOT_FOUND) {
        for (i = 0; i < nruns; i++) {
            hd_cursor_close(&runs[i].cur);
        }

        rc = hd_queue_runs(txn, q, runs, &nruns);
    }

    if (rc != HD_OK) {
        for (i = 0; i < nruns; i++) {
            hd_cursor_close(&runs[i].cur);
        }

        return rc;
    }

    descending = q->order != HD_ORDER_PRIORITY;

    /*
     * A priority is a filter on the tickets read, and
     * so is a match: then every candidate is read, and counted
     */
    filter = q->priority >= 0 || q->match != NULL;
    markable = hd_queue_markable(txn, q);
    marked = seen != 0;
    t = NULL;

    for ( ; q->match != NULL || page->n < q->limit; ) {
        if (!marked && seen == q->offset && q->offset && markable) {
            hd_queue_mark(txn, q, seen, runs, nruns);
            marked = 1;
        }

        best = nruns;

        for (i = 0; i < nruns; i++) {
            if (runs[i].v.len == 0) {
                continue;
            }

            if (best == nruns
                || (descending ? hd_queue_before(&runs[best], &runs[i])
                               : hd_queue_before(&runs[i], &runs[best])))
            {
                best = i;
            }
        }

        if (best == nruns) {
            break;
        }

        if (filter || seen >= q->offset) {
            memcpy(key, runs[best].v.data + 9, 8);
            if (page->n < q->limit) {
                t = &page->tickets[page->n];

            } else {
                t = &scratch;           /* only counted */
            }

            if (hd_record_get(txn, HD_DB_TICKETS, key, 8, &hd_ticket_desc, t)
                == HD_OK
                && (q->priority < 0 || t->priority == q->priority)
                && (q->match == NULL || q->match(t, q->match_data)))
            {
                if (q->match != NULL) {
                    page->total++;
                }

                if ((!filter || seen++ >= q->offset) && t != &scratch) {
                    if (!q->in_place) {
                        hd_ticket_copy(pool, t);
                    }

                    page->n++;
                }
            }

        } else {
            seen++;
        }

        hd_queue_step(&runs[best], descending);
    }

    /* the next page starts here */
    if (markable && page->n == q->limit && q->limit) {
        hd_queue_mark(txn, q, filter ? seen : q->offset + q->limit, runs,
                      nruns);
    }

    for (i = 0; i < nruns; i++) {
        hd_cursor_close(&runs[i].cur);
    }

    return HD_OK;
}


static size_t hd_queue_words_missing(hd_txn_t *txn, const hd_ticket_t *t);


size_t
hd_queue_expect(hd_txn_t *txn, const hd_ticket_t *t, size_t *missing)
{
    int       by_owner;
    size_t    n = 0, klen;
    unsigned  order;
    hd_uchar  key[HD_QUEUE_O_KEY], v[HD_QUEUE_VALUE];

    for (by_owner = 0; by_owner < 2; by_owner++) {
        for (order = 0; order < HD_ORDER_COUNT; order++) {
            klen = hd_queue_key(key, order, by_owner, t->department,
                                t->owner, t->status);
            hd_queue_value(v, order, t);
            n++;

            if (hd_dup_has(txn, HD_DB_QUEUES, key, klen, v, HD_QUEUE_VALUE)
                != HD_OK)
            {
                (*missing)++;
            }
        }
    }

    if (t->sla_state != HD_SLA_OK && !hd_status_closed(t->status)) {
        hd_queue_sla_key(key, t->department, t->sla_state);
        hd_queue_value(v, HD_ORDER_PRIORITY, t);

        if (hd_dup_has(txn, HD_DB_QUEUE_SLA, key, HD_QUEUE_SLA_KEY, v,
                       HD_QUEUE_VALUE)
            != HD_OK)
        {
            (*missing)++;
        }
    }

    *missing += hd_queue_words_missing(txn, t);

    return n;
}


void
hd_queue_check(hd_txn_t *txn, size_t expected, hd_check_t *check)
{
    int          by_owner;
    size_t       n, counted = 0, entries, klen, plen;
    hd_rc        rc;
    hd_str_t     k, v, e;
    hd_uchar     key[HD_QUEUE_O_KEY];
    hd_cursor_t  cur, run;

    if (hd_db_count(txn, HD_DB_QUEUES, &n) == HD_OK && n != expected) {
        hd_check_problem(check, "queues: %zu entries for %zu expected", n,
                         expected);
    }

    /* every counter: exactly the entries of its priority in its run */
    if (hd_cursor_open(txn, HD_DB_QUEUE_COUNTS, &cur) != HD_OK
        || hd_cursor_open(txn, HD_DB_QUEUES, &run) != HD_OK)
    {
        hd_check_problem(check, "queues: cannot be read");
        return;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        by_owner = k.len == HD_COUNT_O_KEY;

        if (v.len != 4 || (k.len != HD_COUNT_D_KEY && !by_owner)) {
            hd_check_problem(check, "queues: a counter of a bad shape");
            continue;
        }

        plen = k.len - 2;
        klen = hd_queue_key(key, HD_ORDER_PRIORITY, by_owner,
                            hd_be64_get(k.data + 1),
                            by_owner ? hd_be64_get(k.data + 9) : 0,
                            k.data[plen]);
        entries = 0;

        for (rc = hd_cursor_dup_first(&run, key, klen, &e);
             rc == HD_OK;
             rc = hd_cursor_dup_next(&run, &e))
        {
            entries += e.data[0] % HD_PRIORITY_COUNT
                       == HD_PRIORITY_COUNT - 1 - k.data[plen + 1];
        }

        if (entries != hd_be32_get(v.data)) {
            hd_check_problem(check, "queues: a counter says %u, its run "
                             "holds %zu", hd_be32_get(v.data), entries);
        }

        counted += hd_be32_get(v.data);
    }

    hd_cursor_close(&run);
    hd_cursor_close(&cur);

    /* each ticket counts once per scope (department, owner) */
    if (counted * HD_ORDER_COUNT != expected) {
        hd_check_problem(check, "queues: the counters count %zu tickets "
                         "for %zu", counted / 2, expected / 2 / HD_ORDER_COUNT);
    }
}


/* --- words of subjects ---------------------------------------------------- */


size_t
hd_queue_words(const hd_uchar *text, size_t len, hd_str_t *words,
    hd_uchar *buf, size_t size, size_t max)
{
    size_t     n = 0, i = 0, wl, used = 0, cl, j;
    hd_uchar  *w;

    while (i < len && n < max) {
        if (!hd_search_word_char(text + i, len - i, &cl)) {
            i += cl;
            continue;
        }

        w = buf + used;
        wl = 0;

        while (i < len && hd_search_word_char(text + i, len - i, &cl)) {
            if (wl + cl <= HD_QUEUE_WORD_MAX && used + wl + cl <= size) {
                hd_text_lower_into(w + wl, text + i, cl);

                /* ё is е: people type either */
                if (cl == 2 && w[wl] == 0xd1 && w[wl + 1] == 0x91) {
                    w[wl] = 0xd0;
                    w[wl + 1] = 0xb5;
                }

                wl += cl;
            }

            i += cl;
        }

        if (wl == 0) {
            continue;
        }

        /* once each */
        for (j = 0; j < n; j++) {
            if (words[j].len == wl && memcmp(words[j].data, w, wl) == 0) {
                break;
            }
        }

        if (j == n) {
            words[n].data = w;
            words[n].len = wl;
            used += wl;
            n++;
        }
    }

    return n;
}


#define HD_SUBJECT_WORDS  64


hd_rc
hd_queue_words_index(hd_txn_t *txn, uint64_t number, const hd_str_t *subject,
    int add, hd_err_t *err)
{
    size_t    i, n;
    hd_rc     rc;
    hd_str_t  words[HD_SUBJECT_WORDS];
    hd_uchar  buf[HD_SUBJECT_WORDS * HD_QUEUE_WORD_MAX], v[8];

    n = hd_queue_words(subject->data, subject->len, words, buf, sizeof(buf),
                       HD_SUBJECT_WORDS);
    hd_be64_put(v, number);

    for (i = 0; i < n; i++) {
        if (add) {
            rc = hd_dup_put(txn, HD_DB_TICKET_WORDS, words[i].data,
                            words[i].len, v, 8, err);

        } else {
            rc = hd_dup_del(txn, HD_DB_TICKET_WORDS, words[i].data,
                            words[i].len, v, 8, err);
            if (rc == HD_NOT_FOUND) {
                rc = HD_OK;
            }
        }

        if (rc != HD_OK) {
            return rc;
        }
    }

    return HD_OK;
}


static size_t
hd_queue_words_missing(hd_txn_t *txn, const hd_ticket_t *t)
{
    size_t    i, n, missing = 0;
    hd_str_t  words[HD_SUBJECT_WORDS];
    hd_uchar  buf[HD_SUBJECT_WORDS * HD_QUEUE_WORD_MAX], v[8];

    n = hd_queue_words(t->subject.data, t->subject.len, words, buf,
                       sizeof(buf), HD_SUBJECT_WORDS);
    hd_be64_put(v, t->number);

    for (i = 0; i < n; i++) {
        if (hd_dup_has(txn, HD_DB_TICKET_WORDS, words[i].data, words[i].len,
                       v, 8)
            != HD_OK)
        {
            missing++;
        }
    }

    return missing;
}


/* --- narrowed queries ----------------------------------------------------- */


#define HD_CANDIDATES_MAX  (64 * HD_QUEUE_SELECT_MAX)


typedef struct {
    uint64_t     *numbers;
    size_t        n;
    size_t        cap;
    int           capped;
} hd_candidates_t;


static hd_rc
hd_candidate_add(hd_candidates_t *c, uint64_t number)
{
    uint64_t  *grown;

    if (c->n == c->cap) {
        if (c->cap >= HD_CANDIDATES_MAX) {
            c->capped = 1;
            return HD_LIMIT;
        }

        c->cap = c->cap ? c->cap * 2 : 256;
        grown = realloc(c->numbers, c->cap * sizeof(uint64_t));
        if (grown == NULL) {
            return HD_NOMEM;
        }

        c->numbers = grown;
    }

    c->numbers[c->n++] = number;

    return HD_OK;
}


/* the tickets whose subject has a word starting with the given one */
static hd_rc
hd_candidates_word(hd_txn_t *txn, const hd_str_t *word, hd_candidates_t *c)
{
    hd_rc        rc;
    hd_str_t     k, v;
    hd_cursor_t  cur;

    rc = hd_cursor_open(txn, HD_DB_TICKET_WORDS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, word->data, word->len, &k, &v);
         rc == HD_OK && k.len >= word->len
         && memcmp(k.data, word->data, word->len) == 0;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (v.len == 8 && hd_candidate_add(c, hd_be64_get(v.data)) != HD_OK)
        {
            break;
        }
    }

    hd_cursor_close(&cur);

    return HD_OK;
}


/* the unclosed tickets of the departments in an SLA state */
static hd_rc
hd_candidates_sla(hd_txn_t *txn, const hd_queue_query_t *q,
    hd_candidates_t *c)
{
    size_t       i;
    hd_rc        rc;
    hd_str_t     v;
    hd_uchar     key[HD_QUEUE_SLA_KEY];
    hd_cursor_t  cur;

    rc = hd_cursor_open(txn, HD_DB_QUEUE_SLA, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (i = 0; i < q->ndepartments; i++) {
        hd_queue_sla_key(key, q->departments[i], (unsigned) q->sla);

        for (rc = hd_cursor_dup_first(&cur, key, HD_QUEUE_SLA_KEY, &v);
             rc == HD_OK;
             rc = hd_cursor_dup_next(&cur, &v))
        {
            if (v.len == HD_QUEUE_VALUE
                && hd_candidate_add(c, hd_be64_get(v.data + 9)) != HD_OK)
            {
                break;
            }
        }
    }

    hd_cursor_close(&cur);

    return HD_OK;
}


/* whether one of the subject's words starts with each of the query's */
static int
hd_queue_words_match(const hd_ticket_t *t, const hd_str_t *qw, size_t nq)
{
    size_t    i, j, n;
    hd_str_t  words[HD_SUBJECT_WORDS];
    hd_uchar  buf[HD_SUBJECT_WORDS * HD_QUEUE_WORD_MAX];

    n = hd_queue_words(t->subject.data, t->subject.len, words, buf,
                       sizeof(buf), HD_SUBJECT_WORDS);

    for (i = 0; i < nq; i++) {
        for (j = 0; j < n; j++) {
            if (words[j].len >= qw[i].len
                && memcmp(words[j].data, qw[i].data, qw[i].len) == 0)
            {
                break;
            }
        }

        if (j == n) {
            return 0;
        }
    }

    return 1;
}


typedef struct {
    const hd_queue_query_t  *q;
    const hd_str_t          *words;
    size_t                   nwords;
} hd_keep_t;


static int
hd_queue_keeps(const hd_keep_t *keep, const hd_ticket_t *t)
{
    size_t                   i;
    const hd_queue_query_t  *q = keep->q;

    for (i = 0; i < q->ndepartments; i++) {
        if (q->departments[i] == t->department) {
            break;
        }
    }

    if (i == q->ndepartments
        || (q->by_owner && t->owner != q->owner)
        || !(q->statuses & HD_STATUS_BIT(t->status % HD_STATUS_COUNT))
        || (q->priority >= 0 && t->priority != q->priority)
        || (q->sla && (t->sla_state != q->sla || hd_status_closed(t->status)))
        || (q->by_holder
            && !((q->holder_account && t->author == q->holder_account)
                 || (q->holder_company && t->company == q->holder_company))))
    {
        return 0;
    }

    if (keep->nwords && !hd_queue_words_match(t, keep->words, keep->nwords)) {
        return 0;
    }

    return q->match == NULL || q->match(t, q->match_data);
}


static int
hd_number_desc(const void *a, const void *b)
{
    uint64_t  x = *(const uint64_t *) a, y = *(const uint64_t *) b;

    return x < y ? 1 : x > y ? -1 : 0;
}


static int
hd_value_asc(const void *a, const void *b)
{
    return memcmp(a, b, HD_QUEUE_VALUE);
}


static int
hd_value_desc(const void *a, const void *b)
{
    return memcmp(b, a, HD_QUEUE_VALUE);
}


/*
 * The sorted matches of recent narrowed queries, per thread, each of one
 * snapshot: the next page, or the same page again, is only the page's
 * records while nothing was committed
 */
#define HD_NARROW_CACHE  4
#define HD_NARROW_TEXT   (HD_QUEUE_WORDS_MAX * (HD_QUEUE_WORD_MAX + 1))

typedef struct {
    const hd_store_t   *store;
    size_t              txn_id;
    uint8_t             order;
    int                 priority;
    int                 sla;
    int                 by_owner;
    int                 by_holder;
    uint32_t            statuses;
    uint64_t            owner;
    uint64_t            holder_account;
    uint64_t            holder_company;
    size_t              ndepartments;
    uint64_t            departments[HD_QUEUE_CACHE_DEPS];
    size_t              text_len;
    hd_uchar            text[HD_NARROW_TEXT];
} hd_narrow_key_t;

typedef struct {
    hd_narrow_key_t     key;
    hd_uchar           *values;         /* NULL: an empty slot */
    size_t              n;
    int                 capped;
} hd_narrow_cached_t;

static __thread hd_narrow_cached_t  hd_narrow_cache[HD_NARROW_CACHE];
static __thread unsigned            hd_narrow_next;


/* the query's key: 0 when it is not cached (a match function, too many) */
static int
hd_narrow_key(hd_txn_t *txn, const hd_queue_query_t *q, const hd_str_t *qw,
    size_t nq, hd_narrow_key_t *k)
{
    size_t  i;

    if (!(txn->flags & HD_TXN_READ) || q->match != NULL
        || q->ndepartments > HD_QUEUE_CACHE_DEPS)
    {
        return 0;
    }

    memset(k, 0, sizeof(*k));
    k->store = txn->store;
    k->txn_id = mdb_txn_id(txn->txn);
    k->order = q->order;
    k->priority = q->priority;
    k->sla = q->sla;
    k->by_owner = q->by_owner;
    k->by_holder = q->by_holder;
    k->statuses = q->statuses;
    k->owner = q->owner;
    k->holder_account = q->holder_account;
    k->holder_company = q->holder_company;
    k->ndepartments = q->ndepartments;
    memcpy(k->departments, q->departments,
           q->ndepartments * sizeof(uint64_t));

    for (i = 0; i < nq; i++) {
        memcpy(k->text + k->text_len, qw[i].data, qw[i].len);
        k->text_len += qw[i].len;
        k->text[k->text_len++] = ' ';
    }

    return 1;
}


/*
 * The candidates from the narrowest index the query names, read (the
 * newest first), kept when every filter holds, sorted in the query's
 * order and paged
 */
static hd_rc
hd_queue_narrow(hd_txn_t *txn, const hd_queue_query_t *q, hd_pool_t *pool,
    hd_queue_page_t *page)
{
    size_t            i, j, nq, n, longest;
    hd_rc             rc;
    hd_str_t          qw[HD_QUEUE_WORDS_MAX];
    hd_uchar          qbuf[HD_QUEUE_WORDS_MAX * HD_QUEUE_WORD_MAX], key[8];
    hd_uchar         *values = NULL;
    hd_keep_t              keep;
    hd_ticket_t            t;
    hd_candidates_t        c;
    hd_narrow_key_t        nk;
    hd_narrow_cached_t    *cached;

    memset(&c, 0, sizeof(c));

    nq = hd_queue_words(q->text.data, q->text.len, qw, qbuf, sizeof(qbuf),
                        HD_QUEUE_WORDS_MAX);

    keep.q = q;
    keep.words = qw;
    keep.nwords = nq;

    cached = hd_narrow_key(txn, q, qw, nq, &nk) ? hd_narrow_cache : NULL;

    for (i = 0; cached != NULL && i < HD_NARROW_CACHE; i++) {
        if (hd_narrow_cache[i].values != NULL
            && memcmp(&hd_narrow_cache[i].key, &nk, sizeof(nk)) == 0)
        {
            values = hd_narrow_cache[i].values;
            n = hd_narrow_cache[i].n;
            page->capped = hd_narrow_cache[i].capped;
            goto paged;
        }
    }

    if (q->by_holder) {
        rc = hd_ticket_scope_numbers(txn, q->holder_account,
                                     q->holder_company, &c.numbers, &c.n);
        c.cap = c.n;

    } else if (q->sla) {
        rc = hd_candidates_sla(txn, q, &c);

    } else if (nq) {
        /* the longest word narrows the most */
        for (longest = 0, i = 1; i < nq; i++) {
            if (qw[i].len > qw[longest].len) {
                longest = i;
            }
        }

        rc = hd_candidates_word(txn, &qw[longest], &c);

    } else {
        rc = HD_OK;             /* text of no word: nothing matches */
    }

    if (rc != HD_OK) {
        free(c.numbers);
        return rc;
    }

    page->capped = c.capped;

    /* once each, the newest first */
    if (c.n > 0) {
        qsort(c.numbers, c.n, sizeof(uint64_t), hd_number_desc);
    }

    for (i = 0, j = 0; i < c.n; i++) {
        if (j == 0 || c.numbers[j - 1] != c.numbers[i]) {
            c.numbers[j++] = c.numbers[i];
        }
    }

    c.n = j;

    values = malloc((c.n < HD_QUEUE_SELECT_MAX ? c.n : HD_QUEUE_SELECT_MAX)
                    * HD_QUEUE_VALUE + 1);
    if (values == NULL) {
        free(c.numbers);
        return HD_NOMEM;
    }

    for (i = 0, n = 0; i < c.n; i++) {
        hd_be64_put(key, c.numbers[i]);

        if (hd_record_get(txn, HD_DB_TICKETS, key, 8, &hd_ticket_desc, &t)
            != HD_OK
            || !hd_queue_keeps(&keep, &t))
        {
            continue;
        }

        if (n == HD_QUEUE_SELECT_MAX) {
            page->capped = 1;
            break;
        }

        hd_queue_value(values + n * HD_QUEUE_VALUE, q->order, &t);
        n++;
    }

    free(c.numbers);

    qsort(values, n, HD_QUEUE_VALUE,
          q->order == HD_ORDER_PRIORITY ? hd_value_asc : hd_value_desc);

    if (cached != NULL) {
        cached = &hd_narrow_cache[hd_narrow_next++ % HD_NARROW_CACHE];
        free(cached->values);
        memcpy(&cached->key, &nk, sizeof(nk));
        cached->values = values;
        cached->n = n;
        cached->capped = page->capped;
    }

paged:

    page->total = n;
    page->tickets = hd_palloc(pool, (q->limit ? q->limit : 1)
                                    * sizeof(hd_ticket_t));
    if (page->tickets == NULL) {
        if (cached == NULL) {
            free(values);
        }

        return HD_NOMEM;
    }

    for (i = q->offset; i < n && page->n < q->limit; i++) {
        if (hd_record_get(txn, HD_DB_TICKETS,
                          values + i * HD_QUEUE_VALUE + 9, 8,
                          &hd_ticket_desc, &page->tickets[page->n])
            != HD_OK)
        {
            continue;
        }

        if (!q->in_place) {
            hd_ticket_copy(pool, &page->tickets[page->n]);
        }

        page->n++;
    }

    if (cached == NULL) {
        free(values);           /* the cache keeps its own */
    }

    return HD_OK;
}

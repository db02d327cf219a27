/*
 * Satisfaction reports: a walk of the rated tickets (an index by the time
 * of the rating), newest first, summed per agent, department and month.
 */

#include "hd_date.h"
#include "hd_report.h"
#include "hd_store.h"


static void
hd_report_add(hd_report_row_t *rows, size_t *n, uint64_t id, unsigned stars)
{
    size_t  i;

    for (i = 0; i < *n; i++) {
        if (rows[i].id == id) {
            break;
        }
    }

    if (i == *n) {
        if (*n == HD_REPORT_ROWS) {
            return;
        }

        memset(&rows[i], 0, sizeof(hd_report_row_t));
        rows[i].id = id;
        (*n)++;
    }

    rows[i].ratings++;
    rows[i].stars += stars;
    rows[i].low += stars <= 2;
}


hd_rc
hd_report_satisfaction(hd_txn_t *txn, const hd_staff_scope_t *scope,
    uint64_t from, uint64_t to, hd_pool_t *pool, hd_report_t *report)
{
    int          y, m, d;
    hd_rc        rc;
    uint64_t     rated;
    hd_str_t     k;
    hd_cursor_t  cur;
    hd_ticket_t  t;

    memset(report, 0, sizeof(*report));

    report->recent = hd_palloc(pool, HD_REPORT_RECENT * sizeof(hd_ticket_t));
    if (report->recent == NULL) {
        return HD_NOMEM;
    }

    rc = hd_cursor_open(txn, HD_DB_TICKETS_RATED, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_last(&cur, &k, NULL);
         rc == HD_OK;
         rc = hd_cursor_prev(&cur, &k, NULL))
    {
        if (k.len != 16) {
            continue;
        }

        rated = hd_be64_get(k.data);

        if (to != 0 && rated >= to) {
            continue;
        }

        if (from != 0 && rated < from) {
            break;
        }

        if (hd_ticket_get(txn, hd_be64_get(k.data + 8), &t) != HD_OK
            || t.rating == 0 || !hd_staff_sees(scope, t.department))
        {
            continue;
        }

        report->all.ratings++;
        report->all.stars += t.rating;
        report->all.low += t.rating <= 2;

        hd_report_add(report->agents, &report->nagents, t.owner, t.rating);
        hd_report_add(report->departments, &report->ndepartments,
                      t.department, t.rating);

        hd_date_to_ymd(hd_date_today(rated), &y, &m, &d);
        hd_report_add(report->months, &report->nmonths,
                      (uint64_t) (y * 100 + m), t.rating);

        if (report->nrecent < HD_REPORT_RECENT) {
            hd_ticket_copy(pool, &t);
            report->recent[report->nrecent++] = t;
        }
    }

    hd_cursor_close(&cur);

    return HD_OK;
}

/*
 * Sliding-window rate limits: a record holds the times of the most recent
 * events (at most the limit), oldest first.
 */

#include <stdlib.h>

#include "hd_ratelimit.h"
#include "hd_store.h"


#define HD_RATELIMIT_MAX  256


typedef struct {
    hd_str_t      times;        /* big-endian 64-bit seconds */
} hd_ratelimit_t;


static const hd_field_t  hd_ratelimit_fields[] = {
    hd_field(hd_ratelimit_t, 1, HD_FIELD_STR, times),
};

const hd_record_desc_t  hd_ratelimit_desc = hd_record(HD_KIND_RATELIMIT, 1,
                                                      hd_ratelimit_t,
                                                      hd_ratelimit_fields);


/* the event times still inside the window, into times[] */
static size_t
hd_ratelimit_load(hd_txn_t *txn, const char *key, uint64_t window,
    uint64_t now, uint64_t *times)
{
    size_t          i, n = 0;
    uint64_t        t;
    hd_ratelimit_t  r;

    if (hd_record_get(txn, HD_DB_RATELIMITS, key, strlen(key),
                      &hd_ratelimit_desc, &r)
        != HD_OK)
    {
        return 0;
    }

    for (i = 0; i + 8 <= r.times.len && n < HD_RATELIMIT_MAX; i += 8) {
        t = hd_be64_get(r.times.data + i);

        if (window == 0 || t + window > now) {
            times[n++] = t;
        }
    }

    return n;
}


static hd_rc
hd_ratelimit_store(hd_txn_t *txn, const char *key, const uint64_t *times,
    size_t n, hd_err_t *err)
{
    size_t          i;
    hd_uchar        packed[HD_RATELIMIT_MAX * 8];
    hd_ratelimit_t  r;

    if (n == 0) {
        return hd_ratelimit_clear(txn, key, err);
    }

    for (i = 0; i < n; i++) {
        hd_be64_put(packed + 8 * i, times[i]);
    }

    r.times.data = packed;
    r.times.len = 8 * n;

    return hd_record_put(txn, HD_DB_RATELIMITS, key, strlen(key),
                         &hd_ratelimit_desc, &r, 0, err);
}


hd_rc
hd_ratelimit_check(hd_txn_t *txn, const char *key, const hd_limit_t *limit,
    uint64_t now, uint64_t *retry_after)
{
    size_t    n;
    uint64_t  times[HD_RATELIMIT_MAX];

    if (limit->limit == 0) {
        return HD_OK;
    }

    n = hd_ratelimit_load(txn, key, limit->window, now, times);

    if (n < limit->limit) {
        return HD_OK;
    }

    /* free again when the oldest of the last `limit` events leaves */
    *retry_after = times[n - limit->limit] + limit->window - now;

    if (*retry_after == 0) {
        *retry_after = 1;
    }

    return HD_RATE_LIMITED;
}


hd_rc
hd_ratelimit_hit(hd_txn_t *txn, const char *key, const hd_limit_t *limit,
    uint64_t now, hd_err_t *err)
{
    size_t    n, keep;
    uint64_t  times[HD_RATELIMIT_MAX + 1];

    if (limit->limit == 0) {
        return HD_OK;
    }

    n = hd_ratelimit_load(txn, key, limit->window, now, times);
    times[n++] = now;

    keep = limit->limit < HD_RATELIMIT_MAX ? limit->limit : HD_RATELIMIT_MAX;

    if (n > keep) {
        memmove(times, times + n - keep, keep * sizeof(uint64_t));
        n = keep;
    }

    return hd_ratelimit_store(txn, key, times, n, err);
}


hd_rc
hd_ratelimit_undo(hd_txn_t *txn, const char *key, uint64_t at, hd_err_t *err)
{
    size_t    i, n;
    uint64_t  times[HD_RATELIMIT_MAX];

    n = hd_ratelimit_load(txn, key, 0, at, times);

    for (i = n; i > 0; i--) {
        if (times[i - 1] == at) {
            memmove(times + i - 1, times + i, (n - i) * sizeof(uint64_t));
            return hd_ratelimit_store(txn, key, times, n - 1, err);
        }
    }

    return HD_OK;
}


hd_rc
hd_ratelimit_clear(hd_txn_t *txn, const char *key, hd_err_t *err)
{
    hd_rc  rc;

    rc = hd_db_del(txn, HD_DB_RATELIMITS, key, strlen(key), err);

    return rc == HD_NOT_FOUND ? HD_OK : rc;
}

/*
 * Rate limits: the times of recent events of one kind (failed logins of an
 * account, of an address; reset requests...) within a sliding window.
 */

#ifndef HD_RATELIMIT_H
#define HD_RATELIMIT_H


#include "hd_core.h"
#include "hd_record.h"
#include "hd_schema.h"


typedef struct {
    unsigned      limit;          /* events allowed... */
    uint64_t      window;         /* ...in this many seconds */
} hd_limit_t;


extern const hd_record_desc_t  hd_ratelimit_desc;


/* HD_RATE_LIMITED, with the seconds until the next event is allowed */
hd_rc hd_ratelimit_check(hd_txn_t *txn, const char *key,
    const hd_limit_t *limit, uint64_t now, uint64_t *retry_after);
hd_rc hd_ratelimit_hit(hd_txn_t *txn, const char *key,
    const hd_limit_t *limit, uint64_t now, hd_err_t *err);
/* takes back one event at the time given */
hd_rc hd_ratelimit_undo(hd_txn_t *txn, const char *key, uint64_t at,
    hd_err_t *err);
hd_rc hd_ratelimit_clear(hd_txn_t *txn, const char *key, hd_err_t *err);


#endif /* HD_RATELIMIT_H */

/*
 * Addresses mail cannot reach (SPEC §7.1): a 5xx to the recipient from the
 * relay, or a delivery-status notification that comes back, marks the
 * address; the account with it is told on its pages and staff see it;
 * nothing more is sent there until the address changes or is proven
 * again by a followed link.
 */

#ifndef HD_BOUNCE_H
#define HD_BOUNCE_H


#include "hd_core.h"
#include "hd_record.h"
#include "hd_schema.h"


#define HD_BOUNCE_REASON_MAX  255


typedef struct {
    hd_str_t      address;
    uint64_t      time;             /* the last bounce */
    hd_str_t      reason;           /* what the relay or the report said */
    uint64_t      mail;             /* the message that bounced */
    uint32_t      count;
} hd_bounce_t;


extern const hd_record_desc_t  hd_bounce_desc;


/* marks the address (and the account that has it) */
hd_rc hd_bounce_add(hd_txn_t *txn, const hd_str_t *address,
    const hd_str_t *reason, uint64_t mail, uint64_t now, hd_err_t *err);

/* HD_OK when the address bounced; strings point into the database */
hd_rc hd_bounce_get(hd_txn_t *txn, const hd_str_t *address,
    hd_bounce_t *bounce);

/* the address is good again (a link to it was followed) */
hd_rc hd_bounce_clear(hd_txn_t *txn, const hd_str_t *address,
    hd_err_t *err);


#endif /* HD_BOUNCE_H */

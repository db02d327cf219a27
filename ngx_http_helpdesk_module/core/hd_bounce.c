/*
 * Undeliverable addresses, by their lower-case form.
 */

#include "hd_account.h"
#include "hd_bounce.h"
#include "hd_store.h"
#include "hd_text.h"


static const hd_field_t  hd_bounce_fields[] = {
    hd_field(hd_bounce_t, 1, HD_FIELD_STR, address),
    hd_field(hd_bounce_t, 2, HD_FIELD_U64, time),
    hd_field(hd_bounce_t, 3, HD_FIELD_STR, reason),
    hd_field(hd_bounce_t, 4, HD_FIELD_U64, mail),
    hd_field(hd_bounce_t, 5, HD_FIELD_U32, count),
};

const hd_record_desc_t  hd_bounce_desc = hd_record(HD_KIND_BOUNCE, 1,
                                                   hd_bounce_t,
                                                   hd_bounce_fields);


static int
hd_bounce_key(hd_uchar key[HD_EMAIL_MAX_BYTES], const hd_str_t *address)
{
    if (address->len == 0 || address->len > HD_EMAIL_MAX_BYTES) {
        return -1;
    }

    hd_text_lower_into(key, address->data, address->len);

    return 0;
}


hd_rc
hd_bounce_get(hd_txn_t *txn, const hd_str_t *address, hd_bounce_t *bounce)
{
    hd_uchar  key[HD_EMAIL_MAX_BYTES];

    if (hd_bounce_key(key, address) != 0) {
        return HD_NOT_FOUND;
    }

    return hd_record_get(txn, HD_DB_BOUNCES, key, address->len,
                         &hd_bounce_desc, bounce);
}


hd_rc
hd_bounce_add(hd_txn_t *txn, const hd_str_t *address, const hd_str_t *reason,
    uint64_t mail, uint64_t now, hd_err_t *err)
{
    hd_rc         rc;
    hd_str_t      why;
    hd_uchar      key[HD_EMAIL_MAX_BYTES];
    hd_bounce_t   b, old;
    hd_account_t  a;

    if (hd_bounce_key(key, address) != 0) {
        return hd_err_set(err, HD_INVALID, "address", "email_invalid",
                          "not an address");
    }

    why = *reason;
    if (why.len > HD_BOUNCE_REASON_MAX) {
        why.len = HD_BOUNCE_REASON_MAX;
    }

    memset(&b, 0, sizeof(b));
    b.address = *address;
    b.time = now;
    b.reason = why;
    b.mail = mail;
    b.count = 1;

    if (hd_record_get(txn, HD_DB_BOUNCES, key, address->len, &hd_bounce_desc,
                      &old)
        == HD_OK)
    {
        b.count = old.count + 1;
    }

    rc = hd_record_put(txn, HD_DB_BOUNCES, key, address->len,
                       &hd_bounce_desc, &b, 0, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (hd_account_find_email(txn, address->data, address->len, &a)
        != HD_OK)
    {
        return HD_OK;           /* an invitation, a contact's address... */
    }

    return hd_account_email_bounced(txn, a.id, now, &why, err);
}


hd_rc
hd_bounce_clear(hd_txn_t *txn, const hd_str_t *address, hd_err_t *err)
{
    hd_rc     rc;
    hd_uchar  key[HD_EMAIL_MAX_BYTES];

    if (hd_bounce_key(key, address) != 0) {
        return HD_OK;
    }

    rc = hd_db_del(txn, HD_DB_BOUNCES, key, address->len, err);

    return rc == HD_NOT_FOUND ? HD_OK : rc;
}

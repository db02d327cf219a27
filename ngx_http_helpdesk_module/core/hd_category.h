/*
 * Request categories as data (Kaspersky block 7): the four built in
 * (technical, account_or_contract, feedback, apns_certificate: the rules
 * of the last two are the product's) and those operators add, each with
 * its labels, a line the form shows under the choice, the department its
 * tickets go to and its ticket form (hd_form). A built-in one may be given
 * a department or taken off the form; an added one (ids from
 * HD_CATEGORY_CUSTOM) is all data. A ticket keeps its category's id.
 */

#ifndef HD_CATEGORY_H
#define HD_CATEGORY_H


#include "hd_account.h"
#include "hd_core.h"
#include "hd_pool.h"
#include "hd_record.h"
#include "hd_store.h"


#define HD_CATEGORY_CUSTOM      16      /* the first id of an added one */
#define HD_CATEGORY_ID_MAX      254
#define HD_CATEGORY_NAME_MAX    32      /* [a-z][a-z0-9_]* */
#define HD_CATEGORY_LABEL_MAX   100     /* characters */
#define HD_CATEGORY_HINT_MAX    500


typedef struct {
    uint8_t       id;
    hd_str_t      name;             /* the API's */
    hd_str_t      label_ru;         /* empty (a built-in one): the
                                       catalogue's */
    hd_str_t      label_en;
    hd_str_t      hint_ru;          /* said under the choice on the form */
    hd_str_t      hint_en;
    uint64_t      department;       /* 0: the certificate's, else the
                                       general one (feedback: the service
                                       managers') */
    uint8_t       disabled;         /* not offered for new tickets */
    uint64_t      created;
    uint64_t      updated;
    uint8_t       builtin;          /* not stored: one of the four */
} hd_category_t;


extern const hd_record_desc_t  hd_category_desc;


/* a category by id: a built-in one with what was stored for it */
hd_rc hd_category_get(hd_txn_t *txn, uint8_t id, hd_category_t *c);

/* by name (as the API says it): its id, or -1 */
int hd_category_find(hd_txn_t *txn, const hd_uchar *name, size_t len);

/* the name of an id, for the API (into buf when it is an added one) */
const char *hd_category_name(hd_txn_t *txn, uint8_t id, char *buf,
    size_t size);

/* every category, built-in ones first, then by id, in the pool */
hd_rc hd_category_list(hd_txn_t *txn, hd_pool_t *pool, hd_category_t **list,
    size_t *n);

/*
 * Saved: a new one (id 0: the next free id from HD_CATEGORY_CUSTOM) or a
 * change (of a built-in one: its hints, department and whether it is
 * offered; its name and labels are the product's). Checked: the name
 * unique and not a built-in's, a label, the department one that exists
 */
hd_rc hd_category_save(hd_store_t *store, hd_category_t *c, uint64_t now,
    hd_errors_t *errors, hd_err_t *err);


#endif /* HD_CATEGORY_H */

/*
 * The support regulations (CryptoPro portal §3, regulations §2.3, §6.3-6.4):
 * editions an administrator publishes, in Markdown, Russian and English,
 * each in force from a day at least 15 calendar days after its publication
 * (the product refuses less), every active account e-mailed when it is
 * published. The edition in force changes when the timer passes its day
 * (meta "regulations:current", "regulations:due"), so that the day is kept
 * once, whatever crashes; a ticket records the edition in force when it
 * was created: its author accepted it with the request.
 */

#ifndef HD_REGULATIONS_H
#define HD_REGULATIONS_H

#include "hd_core.h"
#include "hd_account.h"
#include "hd_pool.h"
#include "hd_portal.h"
#include "hd_record.h"


#define HD_REGULATIONS_NOTICE_DAYS  15          /* calendar days at least */
#define HD_REGULATIONS_BODY_MAX     (200 * 1024)


typedef struct {
    uint64_t      id;
    uint32_t      effective;        /* the day it is in force from (hd_date) */
    uint64_t      published;
    uint64_t      author;
    hd_str_t      body_ru;          /* Markdown */
    hd_str_t      body_en;
} hd_edition_t;


extern const hd_record_desc_t  hd_edition_desc;


/*
 * Published: checked (a text in one language at least, the day 15 days
 * ahead or more and after the last edition's) and stored; then announced
 * to every active account by e-mail, HD_REG_BATCH accounts a transaction
 * (a marker in meta says where it is: each is mailed once, and after a
 * crash the timer goes on); *mailed: how many
 */
hd_rc hd_regulations_publish(const hd_portal_t *portal, hd_edition_t *e,
    uint64_t now, size_t *mailed, hd_errors_t *errors, hd_err_t *err);

hd_rc hd_regulations_get(hd_txn_t *txn, uint64_t id, hd_edition_t *e);
/* the edition in force (HD_NOT_FOUND: none yet), and the one coming */
hd_rc hd_regulations_current(hd_txn_t *txn, hd_edition_t *e);
hd_rc hd_regulations_coming(hd_txn_t *txn, hd_edition_t *e);
uint64_t hd_regulations_current_id(hd_txn_t *txn);
/* every edition, the newest first, in the pool */
hd_rc hd_regulations_list(hd_txn_t *txn, hd_pool_t *pool, hd_edition_t **list,
    size_t *n);

/* the announcement's batches left, until none is (the timer's after a
   crash); whether one is under way */
hd_rc hd_regulations_announce(const hd_portal_t *portal, uint64_t now,
    size_t *mailed, hd_err_t *err);
int hd_regulations_announcing(hd_txn_t *txn);

/* the timer's: an edition whose day has come is the one in force now */
int hd_regulations_due(hd_txn_t *txn, uint64_t now);
hd_rc hd_regulations_sweep(hd_txn_t *txn, uint64_t now, uint64_t *changed,
    hd_err_t *err);

/* the text in the language, else the other one */
const hd_str_t *hd_regulations_text(const hd_edition_t *e, hd_lang_e lang);

#endif /* HD_REGULATIONS_H */

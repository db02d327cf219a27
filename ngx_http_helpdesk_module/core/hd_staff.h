/*
 * Staff (SPEC §2): who works in which departments; what a staff member
 * sees (agents their departments, managers and administrators all); the
 * staff accounts administrators manage (role, departments, disabling,
 * which ends the account's sessions at once).
 */

#ifndef HD_STAFF_H
#define HD_STAFF_H


#include "hd_account.h"
#include "hd_portal.h"
#include "hd_product.h"


#define HD_STAFF_DEPARTMENTS_MAX  32


/* the departments a staff member works in, or sees */
typedef struct {
    int           all;              /* every department (managers, admins) */
    size_t        n;
    uint64_t      departments[HD_STAFF_DEPARTMENTS_MAX];
} hd_staff_scope_t;


typedef struct {
    hd_account_t  account;          /* strings copied */
    size_t        n;
    uint64_t      departments[HD_STAFF_DEPARTMENTS_MAX];
} hd_staff_info_t;


/* a change of a staff account by an administrator; -1: keep */
typedef struct {
    int           role;
    int           disabled;
    int           kb_editor;        /* HD_RIGHT_KB_EDIT */
    int           set_departments;  /* departments[] replaces the list */
    size_t        n;
    uint64_t      departments[HD_STAFF_DEPARTMENTS_MAX];
} hd_staff_input_t;


hd_rc hd_staff_departments(hd_txn_t *txn, uint64_t account,
    uint64_t *list, size_t max, size_t *n);
hd_rc hd_staff_set_departments(hd_txn_t *txn, uint64_t account,
    const uint64_t *list, size_t n, hd_err_t *err);

/* what the account sees: every department is listed when it sees all */
hd_rc hd_staff_scope(hd_txn_t *txn, const hd_account_t *a,
    hd_staff_scope_t *scope);
int hd_staff_sees(const hd_staff_scope_t *scope, uint64_t department);
/* a staff account that sees the department (an owner to assign) */
int hd_staff_works_in(hd_txn_t *txn, uint64_t account, uint64_t department);

/* every staff account, by id, with its departments */
hd_rc hd_staff_list(hd_txn_t *txn, hd_pool_t *pool, hd_staff_info_t **list,
    size_t *n);

hd_rc hd_staff_update(const hd_portal_t *portal, uint64_t actor,
    uint64_t account, const hd_staff_input_t *in, uint64_t now,
    hd_err_t *err);

/*
 * Customers a staff member looks for (to register a phone call): by
 * e-mail, login or a certificate's number exactly, else by a part of the
 * name; at most max, copied into the pool
 */
hd_rc hd_staff_find_customers(hd_txn_t *txn, const hd_str_t *q,
    hd_pool_t *pool, hd_account_t **list, size_t *n, size_t max);

/*
 * Whose tickets a "holder" of the staff's queue means: a certificate's
 * number (its holder, an account or a company), else an account's login
 * or e-mail; HD_NOT_FOUND when none
 */
hd_rc hd_staff_holder(hd_txn_t *txn, const hd_str_t *q, uint64_t *account,
    uint64_t *company);

/* for the check: marks and memberships agree with the accounts */
hd_rc hd_staff_check(hd_txn_t *txn, hd_check_t *check);


#endif /* HD_STAFF_H */

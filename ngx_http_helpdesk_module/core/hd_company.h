/*
 * Customer companies (SPEC §2; Kaspersky blocks 4-6): an owner, admins and
 * members; invitations by e-mail; the right to see the company's tickets;
 * the company's certificates; deletion that loses nothing.
 */

#ifndef HD_COMPANY_H
#define HD_COMPANY_H


#include "hd_account.h"
#include "hd_core.h"
#include "hd_portal.h"
#include "hd_record.h"
#include "hd_schema.h"


typedef enum {
    HD_MEMBER = 0,
    HD_MEMBER_ADMIN,
    HD_MEMBER_OWNER,
    HD_MEMBER_ROLE_COUNT
} hd_member_role_e;

#define HD_RIGHT_SEES_TICKETS   0x01    /* sees every ticket of the company */

#define HD_COMPANY_NAME_MAX     200
#define HD_INVITATION_TTL       (7 * 24 * 3600)


typedef struct {
    uint64_t      id;
    hd_str_t      name;
    uint64_t      owner;
    uint64_t      created;
} hd_company_t;


typedef struct {
    uint64_t      company;
    uint64_t      account;
    uint8_t       role;
    uint8_t       rights;
    uint64_t      joined;
} hd_member_t;


/* a member with what the company page shows of the account */
typedef struct {
    hd_member_t   member;
    hd_str_t      name;
    hd_str_t      email;
    hd_str_t      login;
} hd_member_info_t;


extern const hd_record_desc_t  hd_company_desc;
extern const hd_record_desc_t  hd_member_desc;
extern const char             *hd_member_role_names[HD_MEMBER_ROLE_COUNT];


int hd_member_role_from_name(const hd_uchar *name, size_t len);

hd_rc hd_company_get(hd_txn_t *txn, uint64_t id, hd_company_t *c);
hd_rc hd_company_member(hd_txn_t *txn, uint64_t company, uint64_t account,
    hd_member_t *m);
/* the members, owner first then by name; strings copied into the pool */
hd_rc hd_company_members(hd_txn_t *txn, uint64_t company, hd_pool_t *pool,
    hd_member_info_t **list, size_t *n);

/* the flows: each its own transaction */
hd_rc hd_company_create(const hd_portal_t *portal, uint64_t account,
    const hd_str_t *name, uint64_t now, uint64_t *id, hd_errors_t *errors,
    hd_err_t *err);
/* the same in a transaction of the caller's (the name checked there) */
hd_rc hd_company_make(hd_txn_t *txn, uint64_t account, const hd_str_t *name,
    uint64_t now, uint64_t *id, hd_err_t *err);
hd_rc hd_company_invite(const hd_portal_t *portal, uint64_t actor,
    const hd_str_t *email, uint64_t now, hd_errors_t *errors, hd_err_t *err);
/* the invitation behind a link: company and address, for its page */
hd_rc hd_company_invitation(const hd_portal_t *portal, const hd_str_t *token,
    uint64_t now, hd_pool_t *pool, hd_company_t *company, hd_str_t *email);
hd_rc hd_company_join(const hd_portal_t *portal, const hd_str_t *token,
    uint64_t account, uint64_t now, uint64_t *company, hd_err_t *err);
/* role (-1: keep) and rights (-1: keep) of a member */
hd_rc hd_company_set_member(const hd_portal_t *portal, uint64_t actor,
    uint64_t target, int role, int rights, uint64_t now, hd_err_t *err);
/* by an admin, or by the member themselves (leaving) */
hd_rc hd_company_remove_member(const hd_portal_t *portal, uint64_t actor,
    uint64_t target, uint64_t now, hd_err_t *err);
/* by the owner: members become individual accounts, certificates pass to
 * the owner */
hd_rc hd_company_delete(const hd_portal_t *portal, uint64_t actor,
    uint64_t now, size_t *members, size_t *certificates, hd_err_t *err);

hd_rc hd_company_check(hd_txn_t *txn, hd_check_t *check);


#endif /* HD_COMPANY_H */

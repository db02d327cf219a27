/*
 * Accounts: customers and staff alike, with a role. Unique e-mail and login,
 * case-insensitively, through indexes checked and written in the same
 * transaction as the account.
 */

#ifndef HD_ACCOUNT_H
#define HD_ACCOUNT_H


#include "hd_core.h"
#include "hd_i18n.h"
#include "hd_pool.h"
#include "hd_record.h"
#include "hd_schema.h"


typedef enum {
    HD_ROLE_CUSTOMER = 0,
    HD_ROLE_AGENT,
    HD_ROLE_MANAGER,
    HD_ROLE_ADMINISTRATOR,
    HD_ROLE_COUNT
} hd_role_e;

typedef enum {
    HD_ACCOUNT_ACTIVE = 0,
    HD_ACCOUNT_DISABLED,
    HD_ACCOUNT_CONTACT          /* made by e-mail, no password yet */
} hd_account_state_e;


#define HD_NAME_MAX_CHARS     200
#define HD_ORG_MAX_CHARS      200
#define HD_EMAIL_MAX_BYTES    254


typedef struct {
    uint64_t      id;
    hd_str_t      email;
    hd_str_t      login;
    hd_str_t      name;
    hd_str_t      phone;
    hd_str_t      organisation;
    hd_str_t      password;         /* hd_password's text */
    uint8_t       role;
    uint8_t       language;
    uint8_t       state;
    uint64_t      created;
    uint64_t      updated;
    uint64_t      company;
    uint32_t      prefs;            /* HD_PREF_* */
    uint64_t      email_confirmed;  /* when the address was proven; 0: not */
    uint64_t      email_bounced;    /* when mail to it bounced; 0: never */
    hd_str_t      email_bounce;     /* what the relay said then */
    uint32_t      mail_mute;        /* HD_MUTE_* kinds not wanted */
    uint32_t      rights;           /* HD_RIGHT_*, granted to staff */
} hd_account_t;


/* what people fill in; empty fields are absent */
typedef struct {
    hd_str_t      email;
    hd_str_t      login;
    hd_str_t      password;
    hd_str_t      name;
    hd_str_t      phone;
    hd_str_t      organisation;
    int           language;         /* -1: not given */
    int           role;             /* -1: not given */
    int64_t       prefs;            /* -1: not given */
    int64_t       company;          /* -1: not given */
    int64_t       mail_mute;        /* -1: not given */
} hd_account_input_t;


#define HD_RIGHT_KB_EDIT       0x01    /* writes knowledge-base articles
                                           (administrators always do) */

#define HD_PREF_HIDE_EXPIRED   0x01    /* "My certificates" without them */


/*
 * Kinds of mail an account may mute (hd_notify's table says which mail is
 * of which kind). Customers only those that do not concern a ticket's
 * status: the seeds promise every status change by e-mail.
 */
#define HD_MUTE_OWN_REPLY      0x01    /* a copy of my own reply */
#define HD_MUTE_COMPANY        0x02    /* members joining, leaving */
#define HD_MUTE_ASSIGNED       0x04    /* staff: a ticket given to me */
#define HD_MUTE_CUSTOMER_REPLY 0x08    /* staff: the customer wrote */
#define HD_MUTE_REOPENED       0x10    /* staff: the customer reopened */
#define HD_MUTE_SLA_AT_RISK    0x20    /* staff */
#define HD_MUTE_SLA_BREACH     0x40    /* staff (managers) */
#define HD_MUTE_CUSTOMER       (HD_MUTE_OWN_REPLY | HD_MUTE_COMPANY)
#define HD_MUTE_STAFF          (HD_MUTE_ASSIGNED | HD_MUTE_CUSTOMER_REPLY   \
                                | HD_MUTE_REOPENED | HD_MUTE_SLA_AT_RISK    \
                                | HD_MUTE_SLA_BREACH)


/* validation finds every bad field at once, for forms */
#define HD_ERRORS_MAX  8

typedef struct {
    size_t        n;
    struct {
        const char  *field;
        const char  *code;
    } item[HD_ERRORS_MAX];
} hd_errors_t;


extern const hd_record_desc_t  hd_account_desc;
extern const char             *hd_role_names[HD_ROLE_COUNT];


void hd_account_input_init(hd_account_input_t *in);
void hd_errors_add(hd_errors_t *errors, const char *field, const char *code);

/*
 * A line of text people type (a name...): valid UTF-8, no control
 * characters, at most max characters; required when `required` (its code)
 * is given. The codes say what is wrong.
 */
void hd_errors_text(hd_errors_t *errors, const char *field,
    const hd_str_t *s, size_t max, const char *required, const char *invalid,
    const char *too_long);

/* registration: every field; updates (profile) check only what is given */
void hd_account_validate(const hd_account_input_t *in, int registration,
    hd_errors_t *errors);
void hd_account_validate_password(const hd_str_t *password,
    const hd_str_t *login, const hd_str_t *email, const char *field,
    hd_errors_t *errors);

/* password_hash is hd_password's text (or empty for contacts) */
hd_rc hd_account_create(hd_txn_t *txn, const hd_account_input_t *in,
    const char *password_hash, uint64_t now, uint64_t *id, hd_err_t *err);

hd_rc hd_account_get(hd_txn_t *txn, uint64_t id, hd_account_t *account);
/* by login, or by e-mail when the text has an @ */
hd_rc hd_account_find(hd_txn_t *txn, const hd_uchar *who, size_t len,
    hd_account_t *account);
hd_rc hd_account_find_email(hd_txn_t *txn, const hd_uchar *email,
    size_t len, hd_account_t *account);
hd_rc hd_account_put(hd_txn_t *txn, const hd_account_t *account,
    hd_err_t *err);

/* profile fields, password, e-mail: indexes follow */
hd_rc hd_account_update(hd_txn_t *txn, uint64_t id,
    const hd_account_input_t *in, uint64_t now, hd_err_t *err);
hd_rc hd_account_set_password(hd_txn_t *txn, uint64_t id,
    const char *password_hash, uint64_t now, hd_err_t *err);
hd_rc hd_account_set_state(hd_txn_t *txn, uint64_t id, unsigned state,
    uint64_t now, hd_err_t *err);
hd_rc hd_account_set_login(hd_txn_t *txn, uint64_t id, const hd_str_t *login,
    uint64_t now, hd_err_t *err);
hd_rc hd_account_set_email(hd_txn_t *txn, uint64_t id, const hd_str_t *email,
    uint64_t now, hd_err_t *err);
/* the address proven now (a link followed), or its bounce noted (when
   bounced is not 0) or forgotten (0) */
hd_rc hd_account_email_confirmed(hd_txn_t *txn, uint64_t id, uint64_t now,
    hd_err_t *err);
hd_rc hd_account_email_bounced(hd_txn_t *txn, uint64_t id, uint64_t bounced,
    const hd_str_t *reason, hd_err_t *err);

/* the mark that lists an account among the staff, set or taken away */
hd_rc hd_account_staff_mark(hd_txn_t *txn, uint64_t id, int staff,
    hd_err_t *err);

/* strings copied out of the database into the pool */
hd_account_t *hd_account_copy(hd_pool_t *pool, const hd_account_t *account);

int hd_role_from_name(const hd_uchar *name, size_t len);
int hd_account_is_staff(const hd_account_t *account);
/* staff granted a right, or an administrator */
int hd_account_may(const hd_account_t *account, uint32_t right);

/* for hd_schema: every index entry has its account and every account both
 * index entries */
hd_rc hd_account_check(hd_txn_t *txn, hd_check_t *check);


#endif /* HD_ACCOUNT_H */

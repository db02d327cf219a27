/*
 * Notifications by e-mail.
 */

#include <stdio.h>

#include "hd_crypto.h"
#include "hd_notify.h"
#include "hd_store.h"
#include "hd_token.h"


/*
 * Every kind of mail the portal writes. Automatic ones say so
 * (Auto-Submitted, RFC 3834) so that auto-responders leave them alone;
 * those with text a person wrote (a staff reply) do not. What a person
 * asked for goes even to an address that bounced before (the person says
 * it works again). A kind with a mute bit can be muted by its recipient.
 */
typedef struct {
    const char          *name;
    uint8_t              flags;         /* HD_MAIL_* */
    uint32_t             mute;          /* HD_MUTE_*; 0: always sent */
} hd_mail_kind_t;

static const hd_mail_kind_t  hd_mail_kinds[] = {
    { "ticket_created",           HD_MAIL_AUTO, 0 },
    { "ticket_reply",             HD_MAIL_AUTO, HD_MUTE_OWN_REPLY },
    { "ticket_staff_reply",       0, 0 },
    { "ticket_info_request",      0, 0 },
    { "ticket_solution",          0, 0 },
    { "ticket_closed",            HD_MAIL_AUTO, 0 },
    { "ticket_cancelled",         HD_MAIL_AUTO, 0 },
    { "ticket_cancelled_staff",   0, 0 },
    { "ticket_reopened",          HD_MAIL_AUTO, 0 },
    { "ticket_autoclosed",        HD_MAIL_AUTO, 0 },
    { "ticket_assigned",          HD_MAIL_AUTO, HD_MUTE_ASSIGNED },
    { "ticket_customer_reply",    HD_MAIL_AUTO, HD_MUTE_CUSTOMER_REPLY },
    { "ticket_customer_reopened", HD_MAIL_AUTO, HD_MUTE_REOPENED },
    { "ticket_sla_at_risk",       HD_MAIL_AUTO, HD_MUTE_SLA_AT_RISK },
    { "ticket_sla_breached",      HD_MAIL_AUTO, HD_MUTE_SLA_BREACH },
    { "password_reset",           HD_MAIL_AUTO | HD_MAIL_REQUESTED, 0 },
    { "password_changed",         HD_MAIL_AUTO, 0 },
    { "email_change",             HD_MAIL_AUTO | HD_MAIL_REQUESTED, 0 },
    { "email_change_notice",      HD_MAIL_AUTO, 0 },
    { "email_confirm",            HD_MAIL_AUTO | HD_MAIL_REQUESTED, 0 },
    { "company_invitation",       HD_MAIL_AUTO, 0 },
    { "company_member_added",     HD_MAIL_AUTO, HD_MUTE_COMPANY },
    { "company_member_removed",   HD_MAIL_AUTO, HD_MUTE_COMPANY },
    { "company_left",             HD_MAIL_AUTO, 0 },
    { "company_deleted",          HD_MAIL_AUTO, 0 },
    { "account_claim",            HD_MAIL_AUTO | HD_MAIL_REQUESTED, 0 },
    { "mail_no_subject",          HD_MAIL_AUTO, 0 },
    { "mail_ticket_closed",       HD_MAIL_AUTO, 0 },
    { "regulations_announced",    HD_MAIL_AUTO, 0 },
    { "account_confirm",          HD_MAIL_AUTO | HD_MAIL_REQUESTED, 0 },
    { "account_exists",           HD_MAIL_AUTO | HD_MAIL_REQUESTED, 0 },
    { "register_login_taken",     HD_MAIL_AUTO | HD_MAIL_REQUESTED, 0 },
    { NULL,                       HD_MAIL_AUTO, 0 }
};


const hd_mute_kind_t  hd_mute_kinds[] = {
    { HD_MUTE_OWN_REPLY,      "own_reply" },
    { HD_MUTE_COMPANY,        "company" },
    { HD_MUTE_ASSIGNED,       "assigned" },
    { HD_MUTE_CUSTOMER_REPLY, "customer_reply" },
    { HD_MUTE_REOPENED,       "reopened" },
    { HD_MUTE_SLA_AT_RISK,    "sla_at_risk" },
    { HD_MUTE_SLA_BREACH,     "sla_breach" },
    { 0, NULL }
};


static const hd_mail_kind_t *
hd_mail_kind(const char *name)
{
    const hd_mail_kind_t  *k;

    for (k = hd_mail_kinds; k->name; k++) {
        if (strcmp(k->name, name) == 0) {
            return k;
        }
    }

    return k;                   /* an operator's own: automatic */
}


uint32_t
hd_mute_bit(const hd_uchar *name, size_t len)
{
    const hd_mute_kind_t  *m;

    for (m = hd_mute_kinds; m->name; m++) {
        if (strlen(m->name) == len && memcmp(m->name, name, len) == 0) {
            return m->bit;
        }
    }

    return 0;
}


uint32_t
hd_mute_allowed(const hd_account_t *account)
{
    return hd_account_is_staff(account) ? HD_MUTE_STAFF : HD_MUTE_CUSTOMER;
}


/* account (8), the kind (4), then 16 bytes of the HMAC of both */
static void
hd_notify_unsubscribe_mac(const hd_uchar key[HD_SHA256_LEN],
    const hd_uchar what[12], hd_uchar mac[HD_SHA256_LEN])
{
    hd_uchar  data[12 + 12];

    memcpy(data, "unsubscribe:", 12);
    memcpy(data + 12, what, 12);

    hd_hmac_sha256(key, HD_SHA256_LEN, data, sizeof(data), mac);
}


static hd_rc
hd_notify_unsubscribe_link(hd_txn_t *txn, const hd_portal_t *portal,
    uint64_t account, uint32_t bit, hd_pool_t *pool, hd_val_t **link,
    hd_err_t *err)
{
    char      text[HD_UNSUBSCRIBE_TOKEN_LEN + 1];
    hd_rc     rc;
    hd_uchar  key[HD_SHA256_LEN], mac[HD_SHA256_LEN], raw[28];

    rc = hd_link_secret(txn, 1, key, err);
    if (rc != HD_OK) {
        return rc;
    }

    hd_be64_put(raw, account);
    hd_be32_put(raw + 8, bit);
    hd_notify_unsubscribe_mac(key, raw, mac);
    memcpy(raw + 12, mac, 16);

    text[hd_b64url_encode(text, raw, sizeof(raw))] = '\0';

    *link = hd_notify_link(pool, portal, "unsubscribe?token=", text);

    return *link ? HD_OK : hd_err_set(err, HD_NOMEM, NULL, "nomem",
                                      "out of memory");
}


hd_rc
hd_notify_unsubscribe_check(hd_txn_t *txn, const hd_str_t *token,
    uint64_t *account, uint32_t *bit)
{
    hd_uchar  key[HD_SHA256_LEN], mac[HD_SHA256_LEN], raw[28];

    if (token->len != HD_UNSUBSCRIBE_TOKEN_LEN
        || hd_b64url_decode(raw, sizeof(raw), (const char *) token->data,
                            token->len) != (ssize_t) sizeof(raw)
        || hd_link_secret(txn, 0, key, NULL) != HD_OK)
    {
        return HD_NOT_FOUND;
    }

    hd_notify_unsubscribe_mac(key, raw, mac);

    if (!hd_ct_equal(mac, raw + 12, 16)) {
        return HD_NOT_FOUND;
    }

    *account = hd_be64_get(raw);
    *bit = hd_be32_get(raw + 8);

    /* one kind, one we know */
    return *bit != 0 && (*bit & (*bit - 1)) == 0
           && (*bit & (HD_MUTE_CUSTOMER | HD_MUTE_STAFF)) == *bit
           ? HD_OK : HD_NOT_FOUND;
}


hd_rc
hd_notify(hd_txn_t *txn, const hd_portal_t *portal, const hd_notice_t *n,
    hd_val_t *view, hd_pool_t *pool, uint64_t now, hd_err_t *err)
{
    hd_rc                  rc;
    hd_val_t              *unsubscribe;
    hd_lang_e              lang;
    hd_mail_t              mail;
    const hd_str_t        *product;
    const hd_mail_kind_t  *kind;

    if (portal->templates == NULL) {
        return hd_err_set(err, HD_INVALID, NULL, "internal",
                          "no mail templates to write \"%s\" with",
                          n->kind);
    }

    kind = hd_mail_kind(n->kind);
    lang = n->lang;
    unsubscribe = NULL;

    if (n->to != NULL) {
        /* muted kinds are not even written */
        if (kind->mute & n->to->mail_mute & hd_mute_allowed(n->to)) {
            return HD_OK;
        }

        lang = n->to->language < HD_LANG_COUNT ? (hd_lang_e) n->to->language
                                               : HD_LANG_RU;

        hd_val_set_str(pool, view, "name", n->to->name.data,
                       n->to->name.len);
        hd_val_set_str(pool, view, "login", n->to->login.data,
                       n->to->login.len);

        if (kind->mute & hd_mute_allowed(n->to)) {
            rc = hd_notify_unsubscribe_link(txn, portal, n->to->id,
                                            kind->mute, pool, &unsubscribe,
                                            err);
            if (rc != HD_OK) {
                return rc;
            }

            hd_val_set(pool, view, "unsubscribe", unsubscribe);
        }
    }

    product = hd_i18n_text(portal->templates->catalog[lang], "product");

    hd_val_set_str(pool, view, "portal", portal->base_url.data,
                   portal->base_url.len);

    if (product != NULL) {
        hd_val_set_str(pool, view, "product", product->data, product->len);
    }

    memset(&mail, 0, sizeof(mail));

    rc = hd_mail_render(portal->templates, lang, n->kind, view, pool, &mail,
                        err);
    if (rc != HD_OK) {
        return rc;
    }

    mail.kind.data = (hd_uchar *) n->kind;
    mail.kind.len = strlen(n->kind);
    mail.flags = kind->flags | (n->auto_reply ? HD_MAIL_AUTO_REPLY : 0);
    mail.ticket = n->ticket;

    if (n->thread != NULL) {
        mail.thread = *n->thread;
    }

    if (n->to != NULL) {
        mail.to = n->address ? *n->address : n->to->email;
        mail.to_name = n->to->name;
        mail.account = n->to->id;

    } else {
        mail.to = *n->address;

        if (n->name != NULL) {
            mail.to_name = *n->name;
        }
    }

    if (unsubscribe != NULL) {
        mail.unsubscribe = unsubscribe->u.str;
    }

    return hd_outbox_add(txn, &mail, now, err);
}


hd_rc
hd_notify_account(hd_txn_t *txn, const hd_portal_t *portal, const char *name,
    const hd_account_t *to, const hd_str_t *address, hd_val_t *view,
    hd_pool_t *pool, uint64_t now, hd_err_t *err)
{
    hd_notice_t  n;

    memset(&n, 0, sizeof(n));
    n.kind = name;
    n.to = to;
    n.address = address;

    return hd_notify(txn, portal, &n, view, pool, now, err);
}


hd_rc
hd_notify_address(hd_txn_t *txn, const hd_portal_t *portal, const char *name,
    const hd_str_t *address, hd_lang_e lang, hd_val_t *view, hd_pool_t *pool,
    uint64_t now, hd_err_t *err)
{
    hd_notice_t  n;

    memset(&n, 0, sizeof(n));
    n.kind = name;
    n.address = address;
    n.lang = lang;

    return hd_notify(txn, portal, &n, view, pool, now, err);
}


hd_val_t *
hd_notify_link(hd_pool_t *pool, const hd_portal_t *portal, const char *path,
    const char *what)
{
    size_t     n;
    hd_uchar  *p;

    n = portal->base_url.len + strlen(path) + strlen(what);

    p = hd_palloc(pool, n + 1);
    if (p == NULL) {
        return NULL;
    }

    snprintf((char *) p, n + 1, "%.*s%s%s", (int) portal->base_url.len,
             portal->base_url.data, path, what);

    return hd_val_str(pool, p, n);
}


typedef struct {
    uint64_t        account;
    uint32_t        mute;           /* the kinds muted from now */
    uint32_t        add;            /* or this one muted too */
    const hd_str_t *token;
    uint64_t        now;
} hd_mute_change_t;


static hd_rc
hd_notify_mute_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    hd_rc               rc;
    hd_account_t        a;
    hd_mute_change_t   *c = arg;
    hd_account_input_t  in;

    if (c->token != NULL
        && hd_notify_unsubscribe_check(txn, c->token, &c->account, &c->add)
           != HD_OK)
    {
        return hd_err_set(err, HD_NOT_FOUND, "token", "link_invalid",
                          "the link is not valid");
    }

    rc = hd_account_get(txn, c->account, &a);
    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, "not_found", "no account");
    }

    if (c->token != NULL) {
        c->mute = a.mail_mute | c->add;
    }

    c->mute &= hd_mute_allowed(&a);

    hd_account_input_init(&in);
    in.mail_mute = c->mute;

    return hd_account_update(txn, c->account, &in, c->now, err);
}


hd_rc
hd_notify_set_mute(hd_store_t *store, uint64_t account, uint32_t mute,
    uint32_t *now_muted, uint64_t now, hd_err_t *err)
{
    hd_rc             rc;
    hd_mute_change_t  c;

    memset(&c, 0, sizeof(c));
    c.account = account;
    c.mute = mute;
    c.now = now;

    rc = hd_txn_run(store, hd_notify_mute_txn, &c, err);
    *now_muted = c.mute;

    return rc;
}


hd_rc
hd_notify_unsubscribe(hd_store_t *store, const hd_str_t *token, uint64_t now,
    uint64_t *account, uint32_t *bit, hd_err_t *err)
{
    hd_rc             rc;
    hd_mute_change_t  c;

    memset(&c, 0, sizeof(c));
    c.token = token;
    c.now = now;

    rc = hd_txn_run(store, hd_notify_mute_txn, &c, err);
    *account = c.account;
    *bit = c.add;

    return rc;
}


#define HD_PORTAL_URL_KEY  "portal:url"


static hd_rc
hd_notify_url_save_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    hd_str_t        v;
    const hd_str_t *url = arg;

    if (hd_db_get(txn, HD_DB_META, HD_PORTAL_URL_KEY,
                  sizeof(HD_PORTAL_URL_KEY) - 1, &v) == HD_OK
        && v.len == url->len && memcmp(v.data, url->data, v.len) == 0)
    {
        return HD_OK;
    }

    return hd_db_put(txn, HD_DB_META, HD_PORTAL_URL_KEY,
                     sizeof(HD_PORTAL_URL_KEY) - 1, url->data, url->len, 0,
                     err);
}


hd_rc
hd_notify_url_save(hd_store_t *store, const hd_str_t *url, hd_err_t *err)
{
    hd_rc     rc;
    hd_str_t  v;
    hd_txn_t  txn;

    if (url->len == 0 || url->len > 1024) {
        return HD_OK;
    }

    /* most starts find it as it was: no write */
    rc = hd_txn_begin(store, &txn, HD_TXN_READ, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_db_get(&txn, HD_DB_META, HD_PORTAL_URL_KEY,
                   sizeof(HD_PORTAL_URL_KEY) - 1, &v);
    rc = rc == HD_OK && v.len == url->len
         && memcmp(v.data, url->data, v.len) == 0;
    hd_txn_abort(&txn);

    if (rc) {
        return HD_OK;
    }

    return hd_txn_run(store, hd_notify_url_save_txn, (void *) url, err);
}


hd_rc
hd_notify_url_load(hd_store_t *store, char *buf, size_t size)
{
    hd_rc     rc;
    hd_str_t  v;
    hd_txn_t  txn;

    if (hd_txn_begin(store, &txn, HD_TXN_READ, NULL) != HD_OK) {
        return HD_IO;
    }

    rc = hd_db_get(&txn, HD_DB_META, HD_PORTAL_URL_KEY,
                   sizeof(HD_PORTAL_URL_KEY) - 1, &v);

    if (rc == HD_OK && v.len < size) {
        memcpy(buf, v.data, v.len);
        buf[v.len] = '\0';

    } else if (rc == HD_OK) {
        rc = HD_NOT_FOUND;
    }

    hd_txn_abort(&txn);

    return rc;
}

/*
 * Notifications by e-mail.
 */

#include <stdio.h>

#include "hd_notify.h"


static hd_rc
hd_notify_queue(hd_txn_t *txn, const hd_portal_t *portal, const char *name,
    hd_lang_e lang, const hd_str_t *address, const hd_str_t *to_name,
    uint64_t account, hd_val_t *view, hd_pool_t *pool, uint64_t now,
    hd_err_t *err)
{
    hd_rc            rc;
    hd_mail_t        mail;
    const hd_str_t  *product;

    product = hd_i18n_text(portal->templates->catalog[lang], "product");

    hd_val_set_str(pool, view, "portal", portal->base_url.data,
                   portal->base_url.len);

    if (product != NULL) {
        hd_val_set_str(pool, view, "product", product->data, product->len);
    }

    memset(&mail, 0, sizeof(mail));

    rc = hd_mail_render(portal->templates, lang, name, view, pool, &mail,
                        err);
    if (rc != HD_OK) {
        return rc;
    }

    mail.kind.data = (hd_uchar *) name;
    mail.kind.len = strlen(name);
    mail.to = *address;
    if (to_name != NULL) {
        mail.to_name = *to_name;
    }
    mail.account = account;

    return hd_outbox_add(txn, &mail, now, err);
}


hd_rc
hd_notify_account(hd_txn_t *txn, const hd_portal_t *portal, const char *name,
    const hd_account_t *to, const hd_str_t *address, hd_val_t *view,
    hd_pool_t *pool, uint64_t now, hd_err_t *err)
{
    hd_val_set_str(pool, view, "name", to->name.data, to->name.len);
    hd_val_set_str(pool, view, "login", to->login.data, to->login.len);

    return hd_notify_queue(txn, portal, name,
                           to->language < HD_LANG_COUNT
                           ? (hd_lang_e) to->language : HD_LANG_RU,
                           address ? address : &to->email, &to->name, to->id,
                           view, pool, now, err);
}


hd_rc
hd_notify_address(hd_txn_t *txn, const hd_portal_t *portal, const char *name,
    const hd_str_t *address, hd_lang_e lang, hd_val_t *view, hd_pool_t *pool,
    uint64_t now, hd_err_t *err)
{
    return hd_notify_queue(txn, portal, name, lang, address, NULL, 0, view,
                           pool, now, err);
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

/*
 * An account as the API shows it (GET /api/v1/me, the answer to a change
 * of one's profile, one's sign-in): who, the role and language, the
 * address's state and the kinds of mail muted (SPEC §3, §10).
 */

#include "hd_view.h"
#include "hd_notify.h"


hd_val_t *
hd_view_account_of(hd_pool_t *pool, const hd_account_t *a)
{
    hd_val_t              *v, *bounced, *mute;
    const hd_mute_kind_t  *k;

    v = hd_val_map(pool);
    mute = hd_val_list(pool);

    if (v == NULL || mute == NULL) {
        return NULL;
    }

    hd_val_set_int(pool, v, "id", (int64_t) a->id);
    hd_val_set_str(pool, v, "email", a->email.data, a->email.len);
    hd_val_set_str(pool, v, "login", a->login.data, a->login.len);
    hd_val_set_str(pool, v, "name", a->name.data, a->name.len);
    hd_val_set_cstr(pool, v, "role", a->role < HD_ROLE_COUNT
                                     ? hd_role_names[a->role] : "customer");
    hd_val_set_cstr(pool, v, "language",
                    hd_langs[a->language < HD_LANG_COUNT
                             ? a->language : 0].code);
    hd_val_set(pool, v, "company", hd_val_null());
    hd_val_set_str(pool, v, "phone", a->phone.data, a->phone.len);
    hd_val_set_str(pool, v, "organisation", a->organisation.data,
                   a->organisation.len);
    hd_val_set_int(pool, v, "created", (int64_t) a->created);
    hd_val_set_bool(pool, v, "email_confirmed", a->email_confirmed != 0);

    if (a->email_bounced) {
        bounced = hd_val_map(pool);
        hd_val_set_int(pool, bounced, "time", (int64_t) a->email_bounced);
        hd_val_set_str(pool, bounced, "reason", a->email_bounce.data,
                       a->email_bounce.len);
        hd_val_set(pool, v, "email_bounced", bounced);

    } else {
        hd_val_set(pool, v, "email_bounced", hd_val_null());
    }

    for (k = hd_mute_kinds; k->name; k++) {
        if (a->mail_mute & k->bit & hd_mute_allowed(a)) {
            hd_val_push(pool, mute, hd_val_cstr(pool, k->name));
        }
    }

    if (hd_val_set(pool, v, "mail_mute", mute) != 0) {
        return NULL;
    }

    return v;
}


hd_rc
hd_view_account(hd_store_t *store, const hd_viewer_t *viewer, uint64_t id,
    hd_pool_t *pool, hd_val_t **view, hd_err_t *err)
{
    hd_rc         rc;
    hd_txn_t      txn;
    hd_account_t  a;

    (void) viewer;

    rc = hd_txn_begin(store, &txn, HD_TXN_READ | HD_TXN_CACHED, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_account_get(&txn, id, &a);

    if (rc == HD_OK) {
        *view = hd_view_account_of(pool, &a);
        rc = *view != NULL ? HD_OK : HD_NOMEM;
    }

    hd_txn_abort(&txn);

    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL,
                          rc == HD_NOT_FOUND ? "not_found" : "io",
                          "account %llu cannot be read (%s)",
                          (unsigned long long) id, hd_rc_name(rc));
    }

    return HD_OK;
}

/*
 * "My certificates" (SPEC §4): the reader's certificates and their
 * company's, each with its product, type, term, state, the unclosed
 * tickets it covers of its limit, and for an MSA contract its premium
 * contacts' activation; the expired ones counted, and left out on request.
 */

#include <string.h>

#include "hd_view.h"
#include "hd_activation.h"
#include "hd_certificate.h"
#include "hd_date.h"
#include "hd_product.h"


/* types and their products, read once per view */
#define HD_VIEW_CERT_TYPES  32

typedef struct {
    hd_txn_t            *txn;
    hd_pool_t           *pool;
    size_t               n;
    uint64_t             id[HD_VIEW_CERT_TYPES];
    hd_cert_type_t       type[HD_VIEW_CERT_TYPES];
    hd_str_t             product[HD_VIEW_CERT_TYPES];
} hd_view_cert_types_t;


static const hd_cert_type_t *
hd_view_cert_type(hd_view_cert_types_t *types, uint64_t id,
    hd_str_t *product)
{
    size_t           i;
    hd_product_t     p;
    hd_cert_type_t   t;

    for (i = 0; i < types->n; i++) {
        if (types->id[i] == id) {
            *product = types->product[i];
            return &types->type[i];
        }
    }

    if (hd_cert_type_get(types->txn, id, &t) != HD_OK) {
        return NULL;
    }

    i = types->n < HD_VIEW_CERT_TYPES ? types->n++ : HD_VIEW_CERT_TYPES - 1;

    types->id[i] = id;
    types->type[i] = t;
    types->type[i].name.data = hd_pstrdup(types->pool, t.name.data,
                                          t.name.len);
    types->product[i].data = (hd_uchar *) "";
    types->product[i].len = 0;

    if (hd_product_get(types->txn, t.product, &p) == HD_OK) {
        types->product[i].data = hd_pstrdup(types->pool, p.name.data,
                                            p.name.len);
        types->product[i].len = p.name.len;
    }

    *product = types->product[i];

    return &types->type[i];
}


/* one certificate: the API's fields in its order, a page's after them */
static hd_val_t *
hd_view_certificate_item(const hd_viewer_t *viewer,
    hd_view_cert_types_t *types, const hd_certificate_t *c, int32_t today)
{
    size_t                 unclosed = 0;
    hd_str_t               product;
    hd_val_t              *item;
    hd_pool_t             *pool = types->pool;
    hd_cert_state_e        state;
    const char            *code;
    const hd_cert_type_t  *t;

    t = hd_view_cert_type(types, c->type, &product);
    if (t == NULL) {
        return NULL;
    }

    state = hd_cert_state(c, today);
    code = hd_view_code(hd_cert_state_names, HD_CERT_STATE_COUNT, state);
    (void) hd_cert_unclosed(types->txn, c->id, &unclosed);

    item = hd_val_map(pool);
    hd_view_set_str(pool, item, "number", &c->number);
    hd_view_set_ref(pool, item, "product", &product, 0);
    hd_view_set_ref(pool, item, "type", &t->name, 0);
    hd_val_set_day(pool, item, "valid_until", c->valid_until);
    hd_val_set_word(pool, item, "state", HD_WORD_CERT_STATE, code);
    hd_val_set_int(pool, item, "unclosed", (int64_t) unclosed);
    hd_val_set_int(pool, item, "limit", t->ticket_limit);
    hd_val_set_cstr(pool, item, "holder",
                    c->holder_kind == HD_HOLDER_COMPANY ? "company"
                                                        : "account");
    hd_val_set_cstr(pool, item, "kind",
                    hd_view_code(hd_cert_kind_names, HD_CERT_KIND_COUNT,
                                 t->kind));
    hd_val_set_cstr(pool, item, "level",
                    hd_view_code(hd_level_names, HD_LEVEL_COUNT, t->level));

    /* an MSA contract: its premium contacts' state */
    if (t->contacts_max > 0) {
        hd_val_set_int(pool, item, "contacts_max", t->contacts_max);
        hd_val_set_bool(pool, item, "activated", c->activated != 0);

    } else if (viewer->page) {
        hd_val_set_page(pool, item, "activated", hd_val_bool(c->activated));
    }

    if (!viewer->page) {
        return item;
    }

    hd_val_set_page(pool, item, "valid_from", hd_val_day(pool,
                                                         c->valid_from));
    hd_val_set_page(pool, item, "state_code", hd_val_cstr(pool, code));
    hd_val_set_page(pool, item, "state_label",
                    hd_val_word(pool, HD_WORD_CERT_STATE, code));
    hd_val_set_page(pool, item, "needs_activation",
                    hd_val_bool(t->contacts_max > 0
                                && hd_activation_may(types->txn,
                                                     viewer->account, c)));
    hd_val_set_page(pool, item, "active",
                    hd_val_bool(state == HD_CERT_ACTIVE));
    hd_val_set_page(pool, item, "company",
                    hd_val_bool(c->holder_kind == HD_HOLDER_COMPANY));

    return item;
}


hd_rc
hd_view_certificates(hd_store_t *store, const hd_viewer_t *viewer,
    int hide_expired, hd_pool_t *pool, hd_val_t **view, hd_err_t *err)
{
    size_t                 i, n, expired, pass;
    hd_rc                  rc;
    int32_t                today;
    hd_txn_t               txn;
    hd_val_t              *v, *list, *item;
    hd_certificate_t      *certs;
    const hd_account_t    *a = viewer->account;
    hd_view_cert_types_t   types;

    rc = hd_txn_begin(store, &txn, HD_TXN_READ | HD_TXN_CACHED, err);
    if (rc != HD_OK) {
        return rc;
    }

    memset(&types, 0, sizeof(types));
    types.txn = &txn;
    types.pool = pool;

    today = hd_date_today(viewer->now);
    list = hd_val_list(pool);
    expired = 0;

    /* the reader's own, then their company's */
    for (pass = 0; pass < 2; pass++) {
        if (pass == 1 && a->company == 0) {
            break;
        }

        rc = hd_cert_list_holder(&txn, pass ? HD_HOLDER_COMPANY
                                            : HD_HOLDER_ACCOUNT,
                                 pass ? a->company : a->id, pool, &certs, &n);
        if (rc != HD_OK) {
            hd_txn_abort(&txn);
            return hd_err_set(err, rc, NULL, "io",
                              "account %llu: the certificates cannot be "
                              "read (%s)", (unsigned long long) a->id,
                              hd_rc_name(rc));
        }

        for (i = 0; i < n; i++) {
            if (hd_cert_state(&certs[i], today) == HD_CERT_EXPIRED) {
                expired++;

                if (hide_expired) {
                    continue;
                }
            }

            item = hd_view_certificate_item(viewer, &types, &certs[i],
                                            today);
            if (item != NULL) {
                hd_val_push(pool, list, item);
            }
        }
    }

    hd_txn_abort(&txn);

    v = hd_val_map(pool);
    hd_val_set(pool, v, "certificates", list);

    if (viewer->page) {
        hd_val_set_page(pool, v, "title",
                        hd_val_word(pool, "certs.", "title"));
        hd_val_set_page(pool, v, "has_certificates",
                        hd_val_bool(list->u.items.n != 0));
        hd_val_set_page(pool, v, "expired_count",
                        hd_val_int(pool, (int64_t) expired));
        hd_val_set_page(pool, v, "hide_expired", hd_val_bool(hide_expired));
    }

    *view = v;

    return HD_OK;
}


hd_rc
hd_view_certificate_registered(hd_store_t *store, const hd_viewer_t *viewer,
    uint64_t id, int already, hd_pool_t *pool, hd_val_t **view,
    hd_err_t *err)
{
    hd_rc                  rc;
    hd_txn_t               txn;
    hd_val_t              *item, *v;
    hd_certificate_t       c;
    hd_view_cert_types_t   types;

    rc = hd_txn_begin(store, &txn, HD_TXN_READ | HD_TXN_CACHED, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_cert_get(&txn, id, &c);
    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return hd_err_set(err, rc, NULL, rc == HD_NOT_FOUND ? "not_found"
                                                            : "io",
                          "certificate %llu cannot be read (%s)",
                          (unsigned long long) id, hd_rc_name(rc));
    }

    memset(&types, 0, sizeof(types));
    types.txn = &txn;
    types.pool = pool;

    item = hd_view_certificate_item(viewer, &types, &c,
                                    hd_date_today(viewer->now));
    hd_txn_abort(&txn);

    if (item == NULL) {
        item = hd_val_map(pool);
    }

    /* the API gets the certificate; the wizard's last step shows it */
    if (!viewer->page) {
        *view = item;
        return HD_OK;
    }

    v = hd_val_map(pool);
    hd_val_set_page(pool, v, "title", hd_val_word(pool, "wizard.", "title"));
    hd_val_set_page(pool, v, "done", item);
    hd_val_set_page(pool, v, "already", hd_val_bool(already));

    *view = v;

    return HD_OK;
}

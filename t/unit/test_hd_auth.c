/*
 * Account flows the portal's pages do not reach yet: a contact account
 * (made by e-mail, without a password) cannot log in, and registering with
 * its address claims it, keeping its id (and so its tickets) and sending
 * the link that proves the address; following it proves it.
 */

#define _GNU_SOURCE            /* memmem */

#include "unit.h"
#include "hd_auth.h"
#include "hd_outbox.h"
#include "hd_store.h"
#include "hd_templates.h"


static void
test_contact_is_claimed(void **state)
{
    char                *dir, path[1024], *token;
    int                  found;
    uint64_t             contact, id, n;
    hd_str_t             email, link;
    hd_mail_t            mail;
    hd_arena_t          *arena;
    hd_templates_t      *templates;
    const char          *root = getenv("HELPDESK_ROOT");
    hd_err_t             err;
    hd_txn_t             txn;
    hd_store_t          *store;
    hd_portal_t          portal;
    hd_errors_t          errors;
    hd_account_t         a;
    hd_login_input_t     li;
    hd_login_result_t    res;
    hd_account_input_t   in;

    (void) state;

    dir = unit_tmpdir();
    assert_int_equal(hd_store_open(&store, dir, 1 << 22, &err), HD_OK);

    arena = hd_arena_create(65536);
    snprintf(path, sizeof(path), "%s/lua-free-templates", root ? root : ".");
    assert_int_equal(hd_templates_load(&arena->pool, path, &templates, &err),
                     HD_OK);

    memset(&portal, 0, sizeof(portal));
    portal.store = store;
    portal.templates = templates;
    portal.base_url.data = (hd_uchar *) "https://support.example.com/";
    portal.base_url.len = strlen("https://support.example.com/");
    portal.login_limit.limit = 5;
    portal.login_limit.window = 900;
    portal.mail_limit.limit = 5;
    portal.mail_limit.window = 3600;

    /* as the mail gate will make it: an address and a name */
    hd_account_input_init(&in);
    in.email.data = (hd_uchar *) "writer@example.com";
    in.email.len = 18;
    in.name.data = (hd_uchar *) "Writer";
    in.name.len = 6;

    hd_txn_begin(store, &txn, HD_TXN_WRITE, &err);
    assert_int_equal(hd_account_create(&txn, &in, NULL, 1, &contact, &err),
                     HD_OK);
    hd_txn_commit(&txn, &err);

    memset(&li, 0, sizeof(li));
    li.who = in.email;
    li.password.data = (hd_uchar *) "anything at all";
    li.password.len = 15;
    assert_int_equal(hd_auth_login(&portal, &li, 2, &res, &err),
                     HD_UNAUTHORIZED);

    in.email.data = (hd_uchar *) "WRITER@example.com";
    in.login.data = (hd_uchar *) "writer";
    in.login.len = 6;
    in.password.data = (hd_uchar *) "writer password 1";
    in.password.len = 17;
    memset(&errors, 0, sizeof(errors));

    /* the contact's tickets are somebody's mail: nothing is claimed before
       the address is proven */
    assert_int_equal(hd_auth_register(&portal, &in, NULL, 3, &id, NULL, &errors,
                                      &err),
                     HD_OK);
    assert_true(id == 0);

    hd_txn_begin(store, &txn, HD_TXN_READ, &err);
    assert_int_equal(hd_account_get(&txn, contact, &a), HD_OK);
    assert_int_equal(a.state, HD_ACCOUNT_CONTACT);
    assert_int_equal(a.login.len, 0);
    assert_int_equal(a.email_confirmed, 0);

    /* the link that finishes it went to the address */
    assert_int_equal(hd_outbox_get(&txn, 1, &mail), HD_OK);
    assert_true(hd_str_eq(&mail.kind, "account_claim"));
    assert_true(hd_str_eq(&mail.to, "writer@example.com"));
    assert_true(mail.flags & HD_MAIL_REQUESTED);
    token = memmem(mail.body.data, mail.body.len, "email/confirm?token=", 20);
    assert_non_null(token);
    link.data = (hd_uchar *) token + 20;
    link.len = 43;
    link.data = (hd_uchar *) hd_pstrdup(&arena->pool, link.data, link.len);
    hd_txn_abort(&txn);

    li.who = in.login;
    li.password = in.password;
    assert_int_equal(hd_auth_login(&portal, &li, 3, &res, &err),
                     HD_UNAUTHORIZED);

    assert_int_equal(hd_auth_email_confirm(&portal, &link, 4, &email,
                                           &arena->pool, &err), HD_OK);
    assert_true(hd_str_eq(&email, "writer@example.com"));
    hd_txn_begin(store, &txn, HD_TXN_READ, &err);
    assert_int_equal(hd_account_get(&txn, contact, &a), HD_OK);
    assert_int_equal(a.state, HD_ACCOUNT_ACTIVE);
    assert_memory_equal(a.login.data, "writer", 6);
    assert_memory_equal(a.email.data, "writer@example.com", 18);
    assert_int_equal(a.email_confirmed, 4);
    hd_txn_abort(&txn);
    id = contact;

    /* once */
    assert_int_equal(hd_auth_email_confirm(&portal, &link, 5, &email,
                                           &arena->pool, &err),
                     HD_NOT_FOUND);

    assert_int_equal(hd_auth_login(&portal, &li, 4, &res, &err), HD_OK);
    assert_true(res.account == contact);

    /* an active account is not claimed twice: the answer is the same as
       for a new address, its owner is told by mail how to get in */
    in.login.data = (hd_uchar *) "writer2";
    in.login.len = 7;
    memset(&errors, 0, sizeof(errors));
    assert_int_equal(hd_auth_register(&portal, &in, NULL, 5, &id, NULL, &errors,
                                      &err),
                     HD_OK);
    assert_true(id == 0);
    assert_int_equal(errors.n, 0);

    hd_txn_begin(store, &txn, HD_TXN_READ, &err);
    found = 0;
    for (n = 2; n < 10; n++) {
        if (hd_outbox_get(&txn, n, &mail) == HD_OK
            && hd_str_eq(&mail.kind, "account_exists"))
        {
            assert_true(hd_str_eq(&mail.to, "writer@example.com"));
            found = 1;
        }
    }
    assert_true(found);
    assert_int_equal(hd_account_find(&txn, (hd_uchar *) "writer2", 7, &a),
                     HD_NOT_FOUND);
    hd_txn_abort(&txn);

    hd_store_close(store);
    hd_arena_destroy(arena);
    unit_rmdir(dir);
    free(dir);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_contact_is_claimed),
    };

    return unit_run("account flows", tests,
                    sizeof(tests) / sizeof(tests[0]));
}

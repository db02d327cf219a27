/*
 * Mail: rendered as plain text from mail/<lang>/<name> ("Subject:" line,
 * empty line, body), queued in the outbox with an id and a Message-ID.
 */

#include "unit.h"
#include "hd_outbox.h"
#include "hd_store.h"

#include <sys/stat.h>


static void
put(const char *dir, const char *name, const char *text)
{
    FILE  *f;
    char   path[1024];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}


static char *
templates_dir(void)
{
    char  *dir, path[1024];

    dir = unit_tmpdir();

    snprintf(path, sizeof(path), "%s/mail", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/mail/ru", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/mail/en", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/i18n", dir);
    mkdir(path, 0755);

    put(dir, "i18n/ru.json", "{}");
    put(dir, "i18n/en.json", "{}");
    put(dir, "mail/ru/hello.mustache",
        "Subject: Привет, {{name}} & co\n\nСсылка: {{link}}\n<b>{{name}}</b>\n");
    put(dir, "mail/en/hello.mustache", "Subject: Hello\n\nHi {{name}}\n");
    put(dir, "mail/en/broken.mustache", "no subject line\n");

    return dir;
}


static void
test_render_and_queue(void **state)
{
    char            *tdir, *ddir;
    hd_err_t         err;
    hd_txn_t         txn;
    hd_val_t        *view;
    hd_mail_t        mail, got;
    hd_store_t      *store;
    hd_arena_t      *arena;
    hd_templates_t  *t;

    (void) state;

    tdir = templates_dir();
    arena = hd_arena_create(0);

    assert_int_equal(hd_templates_load(&arena->pool, tdir, &t, &err), HD_OK);

    view = hd_val_map(&arena->pool);
    hd_val_set_cstr(&arena->pool, view, "name", "Анна <A&B>");
    hd_val_set_cstr(&arena->pool, view, "link", "http://x/?a=1&b=2");

    memset(&mail, 0, sizeof(mail));
    assert_int_equal(hd_mail_render(t, HD_LANG_RU, "hello", view,
                                    &arena->pool, &mail, &err), HD_OK);

    /* plain text: nothing is HTML-escaped */
    assert_int_equal(mail.subject.len, strlen("Привет, Анна <A&B> & co"));
    assert_memory_equal(mail.subject.data, "Привет, Анна <A&B> & co",
                        mail.subject.len);
    assert_non_null(strstr((char *) mail.body.data,
                           "Ссылка: http://x/?a=1&b=2\n<b>Анна <A&B></b>"));

    assert_int_equal(hd_mail_render(t, HD_LANG_EN, "broken", view,
                                    &arena->pool, &mail, &err), HD_INVALID);
    assert_non_null(strstr(err.text, "Subject:"));
    assert_int_equal(hd_mail_render(t, HD_LANG_EN, "missing", view,
                                    &arena->pool, &mail, &err),
                     HD_NOT_FOUND);

    ddir = unit_tmpdir();
    assert_int_equal(hd_store_open(&store, ddir, 1 << 20, &err), HD_OK);

    hd_mail_render(t, HD_LANG_EN, "hello", view, &arena->pool, &mail, &err);
    mail.to.data = (hd_uchar *) "anna@example.com";
    mail.to.len = 16;

    hd_txn_begin(store, &txn, HD_TXN_WRITE, &err);
    assert_int_equal(hd_outbox_add(&txn, &mail, 1234, &err), HD_OK);
    assert_true(mail.id == 1);
    assert_int_equal(hd_outbox_get(&txn, 1, &got), HD_OK);
    assert_int_equal(got.state, HD_MAIL_QUEUED);
    assert_true(got.created == 1234 && got.next_attempt == 1234);
    assert_int_equal(strncmp((char *) got.message_id.data, "<hd.1.", 6), 0);
    assert_int_equal(got.subject.len, 5);
    hd_txn_commit(&txn, &err);

    hd_store_close(store);
    hd_arena_destroy(arena);
    unit_rmdir(tdir);
    unit_rmdir(ddir);
    free(tdir);
    free(ddir);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_render_and_queue),
    };

    return unit_run("outbox", tests, sizeof(tests) / sizeof(tests[0]));
}

/*
 * The templates directory: the shipped one loads; broken ones are refused
 * with the file and line, a missing text names its key.
 */

#include "unit.h"
#include "hd_templates.h"

#include <sys/stat.h>


static const char *
shipped(void)
{
    const char  *root = getenv("HELPDESK_ROOT");
    static char  path[1024];

    snprintf(path, sizeof(path), "%s/lua-free-templates", root ? root : ".");

    return path;
}


static void
write_file(const char *dir, const char *name, const char *text)
{
    FILE  *f;
    char   path[1024];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}


static char *
small_dir(void)
{
    char  *dir, path[1024];

    dir = unit_tmpdir();
    snprintf(path, sizeof(path), "%s/pages", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/i18n", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/static", dir);
    mkdir(path, 0755);

    write_file(dir, "pages/hello.mustache", "{{t.hi}}, {{name}}!");
    write_file(dir, "i18n/ru.json", "{\"hi\": \"Привет\"}");
    write_file(dir, "i18n/en.json", "{\"hi\": \"Hello\"}");
    write_file(dir, "static/a.css", "body{}");
    write_file(dir, "static/b.exe", "MZ");

    return dir;
}


static void
test_shipped_templates_load(void **state)
{
    hd_err_t         err;
    hd_arena_t      *arena;
    hd_templates_t  *t;

    (void) state;

    arena = hd_arena_create(0);
    hd_err_clear(&err);

    assert_int_equal(hd_templates_load(&arena->pool, shipped(), &t, &err),
                     HD_OK);
    assert_non_null(hd_tpl_set_find(t->set, "pages/landing"));
    assert_non_null(hd_tpl_set_find(t->set, "partials/head"));
    assert_non_null(hd_i18n_text(t->catalog[HD_LANG_RU], "landing.login"));
    assert_non_null(hd_i18n_text(t->catalog[HD_LANG_EN], "landing.login"));
    assert_non_null(hd_templates_asset(t, (hd_uchar *) "app.css", 7));

    hd_arena_destroy(arena);
}


static void
test_small_directory(void **state)
{
    char             *dir;
    hd_err_t          err;
    hd_arena_t       *arena;
    hd_templates_t   *t;
    const hd_asset_t *a;

    (void) state;

    dir = small_dir();
    arena = hd_arena_create(0);

    assert_int_equal(hd_templates_load(&arena->pool, dir, &t, &err), HD_OK);
    assert_non_null(hd_tpl_set_find(t->set, "pages/hello"));

    a = hd_templates_asset(t, (hd_uchar *) "a.css", 5);
    assert_non_null(a);
    assert_string_equal(a->type, "text/css; charset=utf-8");
    assert_int_equal(strlen(a->etag), 18);
    assert_null(hd_templates_asset(t, (hd_uchar *) "b.exe", 5));

    hd_arena_destroy(arena);
    unit_rmdir(dir);
    free(dir);
}


static void
test_broken_directories(void **state)
{
    char         *dir;
    hd_err_t      err;
    hd_arena_t   *arena;
    hd_templates_t *t;

    (void) state;

    arena = hd_arena_create(0);

    assert_int_equal(hd_templates_load(&arena->pool, "/nonexistent", &t,
                                       &err), HD_NOT_FOUND);

    dir = small_dir();
    write_file(dir, "pages/bad.mustache", "line 1\n{{#x}}\n");
    assert_int_equal(hd_templates_load(&arena->pool, dir, &t, &err),
                     HD_INVALID);
    assert_non_null(strstr(err.text, "pages/bad.mustache:2: unclosed "
                                     "section \"x\""));
    unit_rmdir(dir);
    free(dir);

    dir = small_dir();
    write_file(dir, "i18n/en.json", "{\"hi\": \"Hello\", \"extra\": \"x\"}");
    assert_int_equal(hd_templates_load(&arena->pool, dir, &t, &err),
                     HD_INVALID);
    assert_non_null(strstr(err.text, "the text \"extra\" of en.json is "
                                     "missing"));
    unit_rmdir(dir);
    free(dir);

    dir = small_dir();
    write_file(dir, "i18n/ru.json", "[1, 2]");
    assert_int_equal(hd_templates_load(&arena->pool, dir, &t, &err),
                     HD_INVALID);
    assert_non_null(strstr(err.text, "not a JSON object"));
    unit_rmdir(dir);
    free(dir);

    hd_arena_destroy(arena);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_shipped_templates_load),
        cmocka_unit_test(test_small_directory),
        cmocka_unit_test(test_broken_directories),
    };

    return unit_run("templates directory", tests,
                    sizeof(tests) / sizeof(tests[0]));
}

/*
 * Languages: Accept-Language choices and catalogue texts.
 */

#include "unit.h"
#include "hd_i18n.h"
#include "hd_json.h"


static hd_lang_e
accept(const char *header)
{
    return hd_lang_accept((const hd_uchar *) header, strlen(header));
}


static void
test_accept_language(void **state)
{
    (void) state;

    assert_int_equal(accept(""), HD_LANG_RU);
    assert_int_equal(accept("en"), HD_LANG_EN);
    assert_int_equal(accept("en-US,en;q=0.9"), HD_LANG_EN);
    assert_int_equal(accept("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7"),
                     HD_LANG_RU);
    assert_int_equal(accept("de-DE,de;q=0.9,en;q=0.5,ru;q=0.4"), HD_LANG_EN);
    assert_int_equal(accept("de-DE, ru;q=0.3, en;q=0.2"), HD_LANG_RU);
    assert_int_equal(accept("fr, de"), HD_LANG_RU);
    assert_int_equal(accept("en;q=0, ru;q=0"), HD_LANG_RU);
    assert_int_equal(accept("EN-gb"), HD_LANG_EN);
    assert_int_equal(accept("en;q=garbage"), HD_LANG_RU);
    assert_int_equal(accept(",,;q=,en"), HD_LANG_EN);
}


static void
test_codes(void **state)
{
    (void) state;

    assert_int_equal(hd_lang_from_code((hd_uchar *) "ru", 2), HD_LANG_RU);
    assert_int_equal(hd_lang_from_code((hd_uchar *) "EN", 2), HD_LANG_EN);
    assert_int_equal(hd_lang_from_code((hd_uchar *) "de", 2), -1);
    assert_int_equal(hd_lang_from_code((hd_uchar *) "eng", 3), -1);
}


static void
test_texts(void **state)
{
    json_t          *json;
    hd_val_t        *cat;
    hd_arena_t      *arena;
    const hd_str_t  *s;

    (void) state;

    arena = hd_arena_create(0);
    json = json_loads("{\"errors\": {\"x\": \"Ошибка\"}, \"n\": 1}", 0, NULL);
    cat = hd_json_to_val(&arena->pool, json);
    json_decref(json);

    s = hd_i18n_text(cat, "errors.x");
    assert_non_null(s);
    assert_int_equal(s->len, strlen("Ошибка"));
    assert_null(hd_i18n_text(cat, "errors.y"));
    assert_null(hd_i18n_text(cat, "errors"));     /* not a text */
    assert_null(hd_i18n_text(cat, "n"));

    hd_arena_destroy(arena);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_accept_language),
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_texts),
    };

    return unit_run("languages", tests, sizeof(tests) / sizeof(tests[0]));
}

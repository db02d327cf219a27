/*
 * The request's fields: urlencoded forms, JSON objects and the typed
 * readers, as the handlers see them.
 */

#include "unit.h"
#include "hd_input.h"


static hd_rc
form(json_t *into, const char *text, hd_err_t *err)
{
    static hd_uchar     buf[8192];
    static hd_arena_t  *arena;

    if (arena == NULL) {
        arena = hd_arena_create(4096);
    }

    memcpy(buf, text, strlen(text));
    hd_err_clear(err);

    return hd_input_form(into, buf, strlen(text), &arena->pool, err);
}


static const char *
field(json_t *in, const char *name)
{
    hd_str_t  v;

    if (hd_input_str(in, name, &v) != 0 || v.data == NULL) {
        return NULL;
    }

    return (const char *) v.data;
}


static void
test_form(void **state)
{
    json_t    *in;
    hd_err_t   err;
    char       many[4096];
    int        i, n;

    (void) state;

    in = json_object();
    assert_int_equal(form(in, "name=Ivan+Petrov&city=%D0%A2%D0%B2%D0%B5%D1%80%D1%8C"
                              "&name=second&pct=100%25&bad=%zz%4&empty=&flag",
                          &err), HD_OK);
    assert_string_equal(field(in, "name"), "Ivan Petrov");  /* the first kept */
    assert_string_equal(field(in, "city"), "Тверь");
    assert_string_equal(field(in, "pct"), "100%");
    assert_string_equal(field(in, "bad"), "%zz%4");         /* kept as sent */
    assert_string_equal(field(in, "empty"), "");
    assert_string_equal(field(in, "flag"), "");
    json_decref(in);

    /* a value that is not UTF-8 names its field */
    in = json_object();
    assert_int_equal(form(in, "ok=1&subject=%FF%FE", &err), HD_INVALID);
    assert_string_equal(err.code, "invalid_utf8");
    assert_string_equal(err.field, "subject");
    json_decref(in);

    in = json_object();
    assert_int_equal(form(in, "%FF=1", &err), HD_INVALID);
    assert_string_equal(err.code, "form_invalid");
    json_decref(in);

    /* a hundred fields, not one more */
    for (n = 0, i = 0; i < HD_INPUT_FIELDS_MAX; i++) {
        n += sprintf(many + n, "f%d=%d&", i, i);
    }
    in = json_object();
    assert_int_equal(form(in, many, &err), HD_OK);
    json_decref(in);
    sprintf(many + n, "last=1");
    in = json_object();
    assert_int_equal(form(in, many, &err), HD_INVALID);
    assert_string_equal(err.code, "form_invalid");
    json_decref(in);
}


static void
test_json(void **state)
{
    json_t      *in;
    hd_err_t     err;
    hd_str_t     v;
    hd_arena_t  *arena;
    hd_pool_t   *pool;
    const char  *text;

    (void) state;

    arena = hd_arena_create(4096);
    pool = &arena->pool;

    text = "{\"n\": 7, \"s\": \"12\", \"neg\": -1, \"e\": \"\", \"r\": 1.5,"
           " \"b\": true, \"one\": 1, \"yes\": \"yes\", \"nul\": \"a\\u0000b\"}";
    in = hd_input_json((const hd_uchar *) text, strlen(text), pool, &err);
    assert_non_null(in);

    assert_int_equal(hd_input_number(in, "n", 1), 7);
    assert_int_equal(hd_input_number(in, "s", 1), 12);
    assert_int_equal(hd_input_number(in, "neg", 1), -2);
    assert_int_equal(hd_input_number(in, "e", 1), -2);     /* JSON's "" */
    assert_int_equal(hd_input_number(in, "e", 0), -1);     /* a form's */
    assert_int_equal(hd_input_number(in, "r", 1), -2);
    assert_int_equal(hd_input_number(in, "b", 1), -2);
    assert_int_equal(hd_input_number(in, "absent", 1), -1);

    assert_int_equal(hd_input_bool(in, "b", 1), 1);
    assert_int_equal(hd_input_bool(in, "one", 1), 1);
    assert_int_equal(hd_input_bool(in, "yes", 1), -2);     /* text in JSON */
    assert_int_equal(hd_input_bool(in, "yes", 0), 1);      /* a form's */
    assert_int_equal(hd_input_bool(in, "absent", 1), 0);

    assert_int_equal(hd_input_str(in, "nul", &v), -1);
    assert_int_equal(hd_input_str(in, "n", &v), -1);
    assert_int_equal(hd_input_str(in, "s", &v), 0);
    assert_int_equal(v.len, 2);
    json_decref(in);

    text = "{\"subject\": \"x\", \"certificate\": 184467440737095516160}";
    assert_null(hd_input_json((const hd_uchar *) text, strlen(text), pool,
                              &err));
    assert_string_equal(err.code, "number_too_large");
    assert_string_equal(err.field, "certificate");

    text = "{\"a\": 1, \"a\": 2}";
    assert_null(hd_input_json((const hd_uchar *) text, strlen(text), pool,
                              &err));
    assert_string_equal(err.code, "json_invalid");

    text = "[1, 2]";
    assert_null(hd_input_json((const hd_uchar *) text, strlen(text), pool,
                              &err));
    assert_string_equal(err.code, "json_invalid");

    /* 20 digits that fit in no integer: not a number, not a crash */
    in = json_object();
    json_object_set_new(in, "big", json_string("99999999999999999999"));
    assert_int_equal(hd_input_number(in, "big", 0), -2);
    json_decref(in);

    hd_arena_destroy(arena);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_form),
        cmocka_unit_test(test_json),
    };

    return unit_run("input", tests, sizeof(tests) / sizeof(tests[0]));
}

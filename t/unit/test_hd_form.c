/*
 * Ticket forms and categories: definitions read (and every mistake with
 * its line), values checked, encoded and read back, the queue's match; a
 * form stored, the built-in one overlaid and restored; categories added,
 * refused and found by name.
 */

#include "unit.h"
#include "hd_category.h"
#include "hd_form.h"
#include "hd_text.h"
#include "hd_ticket.h"


static hd_str_t
unit_str(const char *s)
{
    hd_str_t  v;

    v.data = (hd_uchar *) s;
    v.len = strlen(s);

    return v;
}


static void
test_parse(void **state)
{
    size_t       line;
    hd_str_t     text;
    hd_form_t   *form;
    const char  *why;

    (void) state;

    form = malloc(sizeof(hd_form_t));

    text = unit_str("# a comment\n"
                    "module | select | required | Модуль | Module | "
                    "budget: Бюджет / Budget; salary: Зарплата\n"
                    "\n"
                    "note | long | optional | Примечание | |\n");
    assert_int_equal(hd_form_parse(&text, form, &line, &why), 0);
    assert_int_equal(form->nfields, 2);
    assert_int_equal(form->fields[0].kind, HD_FORM_SELECT);
    assert_true(form->fields[0].required);
    assert_string_equal(form->fields[0].key, "fields.module");
    assert_int_equal(form->fields[0].noptions, 2);
    assert_int_equal(form->fields[0].options[1].label[HD_LANG_EN].len, 0);
    assert_int_equal(form->fields[1].kind, HD_FORM_LONG);
    assert_false(form->fields[1].required);

    /* mistakes: each named, with its line */
    static const struct {
        const char  *text;
        size_t       line;
        const char  *why;
    } bad[] = {
        { "a | text | optional | A\nb | list | optional | B\n", 2,
          "form_kind_invalid" },
        { "Name | text | optional | A\n", 1, "form_name_invalid" },
        { "a | text | maybe | A\n", 1, "form_required_invalid" },
        { "a | text | optional | |\n", 1, "form_label_required" },
        { "a | text | optional | A\na | date | optional | B\n", 2,
          "form_name_twice" },
        { "a | select | optional | A\n", 1, "form_options_required" },
        { "a | select | optional | A | | x: X; x: Y\n", 1,
          "form_option_twice" },
        { "a | text | optional | A | | x\n", 1, "form_options_not_select" },
        { "a | checkbox | required | A\n", 1, "form_checkbox_required" },
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        text = unit_str(bad[i].text);
        assert_int_equal(hd_form_parse(&text, form, &line, &why), -1);
        assert_int_equal(line, bad[i].line);
        assert_string_equal(why, bad[i].why);
    }

    free(form);
}


static void
test_check(void **state)
{
    size_t            line, n;
    hd_str_t          text, out;
    hd_arena_t       *arena;
    hd_form_t        *form;
    hd_errors_t       errors;
    const char       *why;
    hd_form_value_t   v[8], got[8];
    hd_form_filter_t  filter;

    (void) state;

    form = malloc(sizeof(hd_form_t));
    arena = hd_arena_create(0);

    text = unit_str("module | select | required | Модуль | Module | "
                    "budget: Бюджет; salary: Зарплата\n"
                    "entity | text | optional | Сущность | Entity\n"
                    "due | date | optional | Срок | Due\n"
                    "sure | checkbox | optional | Уверен | Sure\n");
    assert_int_equal(hd_form_parse(&text, form, &line, &why), 0);

    /* the required one missing, a date that is not one, an unknown name */
    memset(&errors, 0, sizeof(errors));
    v[0].name = unit_str("due");
    v[0].value = unit_str("31.12.2026");
    v[1].name = unit_str("weather");
    v[1].value = unit_str("fine");
    hd_form_check(form, v, 2, 1, &arena->pool, &out, &errors);
    assert_int_equal(errors.n, 3);
    assert_string_equal(errors.item[0].field, "fields");
    assert_string_equal(errors.item[0].code, "field_unknown");
    assert_string_equal(errors.item[1].field, "fields.module");
    assert_string_equal(errors.item[1].code, "field_required");
    assert_string_equal(errors.item[2].field, "fields.due");
    assert_string_equal(errors.item[2].code, "field_date");
    assert_int_equal(out.len, 0);

    /* not strict (a page's form): an unknown one is not read */
    memset(&errors, 0, sizeof(errors));
    v[0].name = unit_str("module");
    v[0].value = unit_str("salary");
    v[2].name = unit_str("entity");
    v[2].value = unit_str("  Навигатор: Бюджет  ");
    v[3].name = unit_str("sure");
    v[3].value = unit_str("on");
    v[4].name = unit_str("due");
    v[4].value = unit_str("");
    hd_form_check(form, v, 5, 0, &arena->pool, &out, &errors);
    assert_int_equal(errors.n, 0);

    /* encoded in the form's order, trimmed, the mark as "1", nothing
       for what was empty */
    n = hd_form_values(&out, got, 8);
    assert_int_equal(n, 3);
    assert_memory_equal(got[0].name.data, "module", 6);
    assert_memory_equal(got[1].value.data, "Навигатор: Бюджет",
                        strlen("Навигатор: Бюджет"));
    assert_int_equal(got[1].value.len, strlen("Навигатор: Бюджет"));
    assert_int_equal(got[2].value.len, 1);
    assert_int_equal(got[2].value.data[0], '1');

    /* an option not in the list, a control character */
    memset(&errors, 0, sizeof(errors));
    v[0].value = unit_str("weather");
    v[2].value = unit_str("a\x01" "b");
    hd_form_check(form, v, 3, 0, &arena->pool, &text, &errors);
    assert_int_equal(errors.n, 2);
    assert_string_equal(errors.item[0].code, "field_not_option");
    assert_string_equal(errors.item[1].code, "field_invalid");

    /* the queue's match: a text contains, folded; an option is it */
    filter.name = unit_str("entity");
    filter.value.data = hd_text_lower(&arena->pool,
                                      (hd_uchar *) "БЮДЖЕТ",
                                      strlen("БЮДЖЕТ"));
    filter.value.len = strlen("БЮДЖЕТ");
    filter.contains = 1;
    assert_true(hd_form_match(&out, &filter));
    filter.name = unit_str("module");
    filter.value = unit_str("salary");
    filter.contains = 0;
    assert_true(hd_form_match(&out, &filter));
    filter.value = unit_str("sal");
    assert_false(hd_form_match(&out, &filter));

    hd_arena_destroy(arena);
    free(form);
}


static void
test_store(void **state)
{
    int            id;
    hd_err_t       err;
    hd_txn_t       txn;
    hd_str_t       text;
    hd_arena_t    *arena;
    hd_form_t     *form;
    hd_errors_t    errors;
    hd_category_t  c;

    (void) state;

    arena = hd_arena_create(0);

    /* the built-in form of an error, then an administrator's */
    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    assert_int_equal(hd_form_for(&txn, HD_CATEGORY_TECHNICAL, HD_TYPE_BUG,
                                 &arena->pool, &form), HD_OK);
    assert_int_equal(form->nfields, 5);     /* subtype, certified, entity,
                                               identifying, steps */
    assert_false(form->stored);
    hd_txn_abort(&txn);

    memset(&errors, 0, sizeof(errors));
    text = unit_str("steps | long | required | Шаги | Steps\n");
    assert_int_equal(hd_form_set(unit_store, HD_CATEGORY_TECHNICAL,
                                 HD_TYPE_BUG, &text, 1, 100, &errors, &err),
                     HD_OK);

    text = unit_str("steps | wrong | required | Шаги\n");
    assert_int_equal(hd_form_set(unit_store, HD_CATEGORY_TECHNICAL,
                                 HD_TYPE_BUG, &text, 1, 100, &errors, &err),
                     HD_INVALID);

    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    assert_int_equal(hd_form_for(&txn, HD_CATEGORY_TECHNICAL, HD_TYPE_BUG,
                                 &arena->pool, &form), HD_OK);
    assert_int_equal(form->nfields, 3);     /* subtype, certified, steps */
    assert_true(form->fields[2].required);
    hd_txn_abort(&txn);

    assert_int_equal(hd_form_reset(unit_store, HD_CATEGORY_TECHNICAL,
                                   HD_TYPE_BUG, &err), HD_OK);
    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    hd_form_get(&txn, HD_CATEGORY_TECHNICAL, HD_TYPE_BUG, &arena->pool,
                &form);
    assert_false(form->stored);
    assert_int_equal(form->nfields, 3);     /* entity, identifying, steps */
    hd_txn_abort(&txn);

    /* categories: added with the next id, found by name; refused */
    memset(&c, 0, sizeof(c));
    c.name = unit_str("licensing");
    c.label_ru = unit_str("Лицензии");
    memset(&errors, 0, sizeof(errors));
    assert_int_equal(hd_category_save(unit_store, &c, 100, &errors, &err),
                     HD_OK);
    assert_int_equal(c.id, HD_CATEGORY_CUSTOM);

    memset(&c, 0, sizeof(c));
    c.name = unit_str("technical");
    c.label_ru = unit_str("Ещё одна");
    memset(&errors, 0, sizeof(errors));
    assert_int_not_equal(hd_category_save(unit_store, &c, 100, &errors,
                                          &err), HD_OK);
    assert_string_equal(errors.item[0].code, "category_name_taken");

    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    id = hd_category_find(&txn, (hd_uchar *) "licensing", 9);
    assert_int_equal(id, HD_CATEGORY_CUSTOM);
    assert_int_equal(hd_category_find(&txn, (hd_uchar *) "feedback", 8),
                     HD_CATEGORY_FEEDBACK);
    assert_int_equal(hd_category_find(&txn, (hd_uchar *) "nothing", 7), -1);
    hd_txn_abort(&txn);

    hd_arena_destroy(arena);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_store),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);

    return cmocka_run_group_tests_name("forms", tests, unit_store_setup,
                                       unit_store_teardown);
}

/*
 * Template values: building, lookups (linear and indexed), truth, JSON.
 */

#include "unit.h"
#include "hd_json.h"
#include "hd_value.h"


static void
test_build_and_lookup(void **state)
{
    int          i;
    char         key[16];
    hd_val_t    *map, *list, *v;
    hd_arena_t  *arena;

    (void) state;

    arena = hd_arena_create(0);
    map = hd_val_map(&arena->pool);
    list = hd_val_list(&arena->pool);

    hd_val_set_cstr(&arena->pool, map, "name", "Анна");
    hd_val_set_int(&arena->pool, map, "count", 3);
    hd_val_set_bool(&arena->pool, map, "yes", 1);
    hd_val_push(&arena->pool, list, hd_val_int(&arena->pool, 1));
    hd_val_set(&arena->pool, map, "list", list);

    v = hd_val_get(map, "name", 4);
    assert_non_null(v);
    assert_int_equal(v->type, HD_VAL_STR);
    assert_null(hd_val_get(map, "nam", 3));
    assert_true(hd_val_get(map, "count", 5)->u.integer == 3);
    assert_int_equal(list->u.items.n, 1);

    /* many keys, indexed: every one is found by binary search */
    for (i = 0; i < 200; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        hd_val_set_n(&arena->pool, map, hd_pstrdup(&arena->pool, key,
                                                   strlen(key)),
                     strlen(key), hd_val_int(&arena->pool, i));
    }

    assert_int_equal(hd_val_index(&arena->pool, map), 0);

    for (i = 0; i < 200; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        v = hd_val_get(map, key, strlen(key));
        assert_non_null(v);
        assert_true(v->u.integer == i);
    }

    assert_null(hd_val_get(map, "k200", 4));

    hd_arena_destroy(arena);
}


static void
test_truth(void **state)
{
    hd_arena_t  *arena;

    (void) state;

    arena = hd_arena_create(0);

    assert_false(hd_val_truthy(NULL));
    assert_false(hd_val_truthy(hd_val_null()));
    assert_false(hd_val_truthy(hd_val_bool(0)));
    assert_true(hd_val_truthy(hd_val_bool(1)));
    assert_false(hd_val_truthy(hd_val_list(&arena->pool)));
    assert_true(hd_val_truthy(hd_val_map(&arena->pool)));
    assert_true(hd_val_truthy(hd_val_cstr(&arena->pool, "")));
    assert_true(hd_val_truthy(hd_val_int(&arena->pool, 0)));

    hd_arena_destroy(arena);
}


static void
test_from_json_and_paths(void **state)
{
    json_t      *json;
    hd_val_t    *v;
    hd_arena_t  *arena;

    (void) state;

    arena = hd_arena_create(0);
    json = json_loads("{\"a\": {\"b\": {\"c\": \"deep\"}}, \"l\": [1, 2.5, "
                      "true, null]}", 0, NULL);
    v = hd_json_to_val(&arena->pool, json);
    json_decref(json);      /* strings were copied */

    assert_non_null(v);
    assert_int_equal(hd_val_get_path(v, "a.b.c")->type, HD_VAL_STR);
    assert_memory_equal(hd_val_get_path(v, "a.b.c")->u.str.data, "deep", 4);
    assert_null(hd_val_get_path(v, "a.x.c"));
    assert_int_equal(hd_val_get(v, "l", 1)->u.items.n, 4);

    hd_arena_destroy(arena);
}


static void
test_arena_big_and_small(void **state)
{
    int          i;
    char        *p;
    hd_arena_t  *arena;

    (void) state;

    arena = hd_arena_create(1024);

    for (i = 0; i < 100; i++) {
        p = hd_palloc(&arena->pool, i % 10 == 0 ? 5000 : 24);
        assert_non_null(p);
        assert_int_equal((uintptr_t) p % 16, 0);
        memset(p, 'x', i % 10 == 0 ? 5000 : 24);
    }

    assert_string_equal(hd_pstrcat(&arena->pool, "ab", "cd"), "abcd");

    hd_arena_destroy(arena);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_build_and_lookup),
        cmocka_unit_test(test_truth),
        cmocka_unit_test(test_from_json_and_paths),
        cmocka_unit_test(test_arena_big_and_small),
    };

    return unit_run("values", tests, sizeof(tests) / sizeof(tests[0]));
}

/*
 * The record encoding: round trips, fields of newer and older modules,
 * damaged records.
 */

#include "unit.h"
#include "hd_record.h"


typedef struct {
    uint64_t   id;
    int64_t    delta;
    uint32_t   count;
    uint8_t    flag;
    hd_str_t   name;
    hd_str_t   empty;
} thing_t;

static const hd_field_t  thing_fields[] = {
    hd_field(thing_t, 1, HD_FIELD_U64, id),
    hd_field(thing_t, 2, HD_FIELD_I64, delta),
    hd_field(thing_t, 3, HD_FIELD_U32, count),
    hd_field(thing_t, 4, HD_FIELD_U8, flag),
    hd_field(thing_t, 5, HD_FIELD_STR, name),
    hd_field(thing_t, 6, HD_FIELD_STR, empty),
};

static const hd_record_desc_t  thing_v1 = hd_record(7, 1, thing_t,
                                                    thing_fields);


/* an older module knew fewer fields */
typedef struct {
    uint64_t   id;
    hd_str_t   name;
} old_thing_t;

static const hd_field_t  old_fields[] = {
    hd_field(old_thing_t, 1, HD_FIELD_U64, id),
    hd_field(old_thing_t, 5, HD_FIELD_STR, name),
};

static const hd_record_desc_t  thing_v0 = hd_record(7, 0, old_thing_t,
                                                    old_fields);


static void
test_round_trip(void **state)
{
    thing_t   a, b;
    hd_buf_t  buf;
    uint8_t   version;

    (void) state;

    memset(&a, 0, sizeof(a));
    a.id = 0x123456789abcULL;
    a.delta = -42;
    a.count = 4000000000U;
    a.flag = 3;
    a.name.data = (hd_uchar *) "Иван Петров";
    a.name.len = strlen("Иван Петров");

    hd_buf_init(&buf);
    assert_int_equal(hd_record_encode(&thing_v1, &a, &buf), 0);

    assert_int_equal(hd_record_kind(buf.data, buf.len, &version), 7);
    assert_int_equal(version, 1);

    assert_int_equal(hd_record_decode(&thing_v1, buf.data, buf.len, &b),
                     HD_OK);
    assert_true(b.id == a.id);
    assert_true(b.delta == -42);
    assert_true(b.count == 4000000000U);
    assert_int_equal(b.flag, 3);
    assert_int_equal(b.name.len, a.name.len);
    assert_memory_equal(b.name.data, a.name.data, a.name.len);
    assert_int_equal(b.empty.len, 0);

    hd_buf_free(&buf);
}


static void
test_versions_read_each_other(void **state)
{
    thing_t      a, b;
    old_thing_t  o;
    hd_buf_t     buf;

    (void) state;

    memset(&a, 0, sizeof(a));
    a.id = 9;
    a.count = 5;
    a.name.data = (hd_uchar *) "x";
    a.name.len = 1;

    hd_buf_init(&buf);

    /* the old module reads a new record: unknown fields skipped */
    hd_record_encode(&thing_v1, &a, &buf);
    assert_int_equal(hd_record_decode(&thing_v0, buf.data, buf.len, &o),
                     HD_OK);
    assert_true(o.id == 9);
    assert_int_equal(o.name.len, 1);

    /* the new module reads an old record: missing fields are zero */
    hd_record_encode(&thing_v0, &o, &buf);
    assert_int_equal(hd_record_decode(&thing_v1, buf.data, buf.len, &b),
                     HD_OK);
    assert_true(b.id == 9);
    assert_true(b.count == 0);

    hd_buf_free(&buf);
}


static void
test_damage_is_detected(void **state)
{
    size_t    i;
    thing_t   a, b;
    hd_buf_t  buf;
    hd_uchar  bad[64];

    (void) state;

    memset(&a, 0, sizeof(a));
    a.id = 1;
    a.name.data = (hd_uchar *) "hello";
    a.name.len = 5;

    hd_buf_init(&buf);
    hd_record_encode(&thing_v1, &a, &buf);

    /* every truncation is refused, never read past the end */
    for (i = 0; i < buf.len; i++) {
        if (i == 0) {
            continue;
        }

        if (hd_record_decode(&thing_v1, buf.data, i, &b) == HD_OK) {
            /* a cut exactly between fields decodes the fields before it */
            assert_true(b.name.len == 0 || b.name.len == 5);
        }
    }

    /* another kind */
    memcpy(bad, buf.data, buf.len);
    bad[1] = 8;
    assert_int_equal(hd_record_decode(&thing_v1, bad, buf.len, &b),
                     HD_CORRUPT);

    /* a length beyond the end */
    memcpy(bad, buf.data, buf.len);
    bad[buf.len - 6] = 100;
    assert_int_equal(hd_record_decode(&thing_v1, bad, buf.len, &b),
                     HD_CORRUPT);

    /* not a record */
    assert_int_equal(hd_record_decode(&thing_v1, "zz", 2, &b), HD_CORRUPT);

    hd_buf_free(&buf);
}


static void
test_keys_sort_as_numbers(void **state)
{
    hd_uchar  a[8], b[8];

    (void) state;

    hd_be64_put(a, 255);
    hd_be64_put(b, 256);
    assert_true(memcmp(a, b, 8) < 0);
    assert_true(hd_be64_get(b) == 256);

    hd_be32_put(a, 70000);
    assert_int_equal(hd_be32_get(a), 70000);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_versions_read_each_other),
        cmocka_unit_test(test_damage_is_detected),
        cmocka_unit_test(test_keys_sort_as_numbers),
    };

    return unit_run("records", tests, sizeof(tests) / sizeof(tests[0]));
}

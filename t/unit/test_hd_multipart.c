/*
 * The multipart parser: the same body fed whole and in pieces of every
 * size gives the same fields and files; broken bodies are refused; the
 * browser's quirks (empty file inputs, paths in names, RFC 5987 names).
 */

#include "unit.h"
#include "hd_multipart.h"


typedef struct {
    char      fields[16][2][256];
    size_t    nfields;
    char      files[8][3][256];     /* field, filename, type */
    hd_buf_t  content[8];
    size_t    nfiles;
    int       open;
} collected_t;


static void
copy(char *dst, const hd_str_t *s)
{
    size_t  n = s->len < 255 ? s->len : 255;

    memcpy(dst, s->data, n);
    dst[n] = '\0';
}


static hd_rc
on_field(void *data, const hd_str_t *name, const hd_str_t *value,
    hd_err_t *err)
{
    collected_t  *c = data;

    (void) err;
    copy(c->fields[c->nfields][0], name);
    copy(c->fields[c->nfields][1], value);
    c->nfields++;

    return HD_OK;
}


static hd_rc
on_file_begin(void *data, const hd_str_t *name, const hd_str_t *filename,
    const hd_str_t *type, hd_err_t *err)
{
    collected_t  *c = data;

    (void) err;
    copy(c->files[c->nfiles][0], name);
    copy(c->files[c->nfiles][1], filename);
    copy(c->files[c->nfiles][2], type);
    hd_buf_init(&c->content[c->nfiles]);
    c->open = 1;

    return HD_OK;
}


static hd_rc
on_file_data(void *data, const hd_uchar *p, size_t len, hd_err_t *err)
{
    collected_t  *c = data;

    (void) err;
    assert_true(c->open);
    hd_buf_add(&c->content[c->nfiles], p, len);

    return HD_OK;
}


static hd_rc
on_file_end(void *data, hd_err_t *err)
{
    collected_t  *c = data;

    (void) err;
    c->open = 0;
    c->nfiles++;

    return HD_OK;
}


static void
collected_free(collected_t *c)
{
    size_t  i;

    for (i = 0; i < c->nfiles; i++) {
        hd_buf_free(&c->content[i]);
    }
}


/* parses body in pieces of `piece` bytes (0: whole) */
static hd_rc
parse(const char *boundary, const char *body, size_t len, size_t piece,
    collected_t *c, hd_err_t *err)
{
    size_t                   off, n;
    hd_rc                    rc;
    hd_str_t                 b;
    hd_multipart_t          *mp;
    hd_multipart_handler_t   h;

    memset(c, 0, sizeof(*c));
    memset(&h, 0, sizeof(h));
    h.field = on_field;
    h.file_begin = on_file_begin;
    h.file_data = on_file_data;
    h.file_end = on_file_end;
    h.data = c;
    h.field_max = 1000;
    h.fields_max = 10;

    b.data = (hd_uchar *) boundary;
    b.len = strlen(boundary);

    mp = hd_multipart_create(&b, &h);
    assert_non_null(mp);

    rc = HD_OK;

    for (off = 0; off < len && rc == HD_OK; off += n) {
        n = piece ? piece : len;
        if (n > len - off) {
            n = len - off;
        }

        rc = hd_multipart_feed(mp, (const hd_uchar *) body + off, n, err);
    }

    if (rc == HD_OK) {
        rc = hd_multipart_finish(mp, err);
    }

    hd_multipart_destroy(mp);

    return rc;
}


static const char  body1[] =
    "preamble to ignore\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"subject\"\r\n"
    "\r\n"
    "Не работает\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"description\"\r\n"
    "\r\n"
    "line one\r\n--not the boundary\r\nline three\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"attachments\"; "
    "filename=\"C:\\\\logs\\\\trace.log\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "\r\n--XyZz is not it either\r\n\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"attachments\"; filename=\"\"\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n"
    "\r\n"
    "--XyZ\r\n"
    "content-disposition: form-data; name=\"attachments\"; "
    "filename=\"x.png\"; filename*=UTF-8''%D1%81%D0%BA%D1%80%D0%B8%D0%BD.png\r\n"
    "\r\n"
    "\x89PNG\r\n\x1a\n\0\0\r\n"
    "--XyZ--\r\n"
    "epilogue\r\n";


static void
check_body1(collected_t *c)
{
    assert_int_equal(c->nfields, 2);
    assert_string_equal(c->fields[0][0], "subject");
    assert_string_equal(c->fields[0][1], "Не работает");
    assert_string_equal(c->fields[1][1],
                        "line one\r\n--not the boundary\r\nline three");

    /* the empty file input is no file */
    assert_int_equal(c->nfiles, 2);
    assert_string_equal(c->files[0][1], "C:\\logs\\trace.log");
    assert_string_equal(c->files[0][2], "text/plain");
    assert_int_equal(c->content[0].len, 27);
    assert_memory_equal(c->content[0].data, "\r\n--XyZz is not it either\r\n",
                        27);
    assert_string_equal(c->files[1][1], "скрин.png");
    assert_int_equal(c->content[1].len, 10);
    assert_memory_equal(c->content[1].data, "\x89PNG\r\n\x1a\n\0\0", 10);
}


static void
test_whole_and_in_pieces(void **state)
{
    size_t       piece;
    hd_err_t     err;
    collected_t  c;

    (void) state;

    /* every piece size from 1 byte: boundaries split anywhere */
    for (piece = 0; piece < sizeof(body1) + 1; piece++) {
        if (parse("XyZ", body1, sizeof(body1) - 1, piece, &c, &err)
            != HD_OK)
        {
            fail_msg("piece %zu: %s", piece, err.text);
        }

        check_body1(&c);
        collected_free(&c);
    }
}


static void
test_broken_bodies(void **state)
{
    hd_err_t     err;
    collected_t  c;

    static const char  truncated[] =
        "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue";
    static const char  no_name[] =
        "--b\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--b--\r\n";
    static const char  not_form[] =
        "--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n"
        "--b--\r\n";
    static const char  garbage[] = "just some text, no boundary at all";
    static const char  too_long[] =
        "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n";

    (void) state;

    assert_int_equal(parse("b", truncated, sizeof(truncated) - 1, 7, &c,
                           &err), HD_INVALID);
    assert_string_equal(err.code, "multipart_invalid");
    assert_non_null(strstr(err.text, "closing delimiter"));
    collected_free(&c);

    assert_int_equal(parse("b", no_name, sizeof(no_name) - 1, 0, &c, &err),
                     HD_INVALID);
    assert_non_null(strstr(err.text, "without a name"));

    assert_int_equal(parse("b", not_form, sizeof(not_form) - 1, 0, &c, &err),
                     HD_INVALID);

    assert_int_equal(parse("b", garbage, sizeof(garbage) - 1, 0, &c, &err),
                     HD_INVALID);
    assert_non_null(strstr(err.text, "no parts"));

    /* a text field over its limit names the field */
    {
        char    *big;
        size_t   n = sizeof(too_long) - 1;

        big = malloc(n + 2000 + 16);
        memcpy(big, too_long, n);
        memset(big + n, 'x', 2000);
        memcpy(big + n + 2000, "\r\n--b--\r\n", 9);

        assert_int_equal(parse("b", big, n + 2009, 100, &c, &err),
                         HD_INVALID);
        assert_string_equal(err.code, "field_too_long");
        assert_non_null(strstr(err.text, "\"a\""));
        free(big);
    }
}


static void
test_boundary_parameter(void **state)
{
    hd_str_t  b;

    static const char  ct1[] = "multipart/form-data; boundary=----Web123";
    static const char  ct2[] = "multipart/form-data; charset=utf-8; "
                               "boundary=\"a b c\"";
    static const char  ct3[] = "multipart/form-data";
    static const char  ct4[] = "multipart/form-data; xboundary=zzz";

    (void) state;

    assert_int_equal(hd_multipart_boundary((hd_uchar *) ct1, sizeof(ct1) - 1,
                                           &b), 0);
    assert_int_equal(b.len, 10);
    assert_memory_equal(b.data, "----Web123", 10);

    assert_int_equal(hd_multipart_boundary((hd_uchar *) ct2, sizeof(ct2) - 1,
                                           &b), 0);
    assert_int_equal(b.len, 5);

    assert_int_equal(hd_multipart_boundary((hd_uchar *) ct3, sizeof(ct3) - 1,
                                           &b), -1);
    assert_int_equal(hd_multipart_boundary((hd_uchar *) ct4, sizeof(ct4) - 1,
                                           &b), -1);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_whole_and_in_pieces),
        cmocka_unit_test(test_broken_bodies),
        cmocka_unit_test(test_boundary_parameter),
    };

    return unit_run("multipart", tests, sizeof(tests) / sizeof(tests[0]));
}

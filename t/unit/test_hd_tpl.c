/*
 * The template engine: every test of the Mustache specification's comments,
 * interpolation, sections, inverted, partials and delimiters files, plus the
 * engine's own errors (file and line) and escaping.
 */

#include "unit.h"
#include "hd_json.h"
#include "hd_tpl.h"

#include <dirent.h>


typedef struct {
    hd_tpl_out_t   out;
    hd_buf_t       buf;
} capture_t;


typedef struct {
    char     name[256];
    json_t  *test;
} spec_case_t;


static int
capture_write(hd_tpl_out_t *out, const hd_uchar *data, size_t len)
{
    capture_t  *c = (capture_t *) out;

    return hd_buf_add(&c->buf, data, len);
}


/*
 * renders src with data and partials (JSON), returns a malloc'ed string;
 * with fold, through the set folded on data's "t" (an empty map if none)
 */
static char *
render_as(const char *src, json_t *data, json_t *partials, int fold,
    hd_err_t *err)
{
    char          *result;
    hd_val_t      *view;
    hd_tpl_t      *tpl, *p;
    capture_t      cap;
    hd_arena_t    *arena;
    const char    *name;
    json_t        *text;
    hd_tpl_set_t  *set;

    arena = hd_arena_create(0);
    set = hd_tpl_set_create(&arena->pool);

    tpl = hd_tpl_compile(&arena->pool, "main", "main.mustache",
                         (const hd_uchar *) src, strlen(src), err);
    if (tpl == NULL) {
        hd_arena_destroy(arena);
        return NULL;
    }

    hd_tpl_set_add(set, tpl);

    if (partials != NULL) {
        json_object_foreach(partials, name, text) {
            p = hd_tpl_compile(&arena->pool, name, name,
                               (const hd_uchar *) json_string_value(text),
                               json_string_length(text), err);
            assert_non_null(p);
            hd_tpl_set_add(set, p);
        }
    }

    assert_int_equal(hd_tpl_set_link(set, 0, err), HD_OK);

    view = data ? hd_json_to_val(&arena->pool, data) : hd_val_null();
    assert_non_null(view);

    if (fold) {
        hd_val_t  *t = hd_val_get(view, "t", 1);

        if (t == NULL) {
            t = hd_val_map(&arena->pool);
        }

        set = hd_tpl_set_fold(&arena->pool, set, "t", t, err);
        assert_non_null(set);
        tpl = hd_tpl_set_find(set, "main");
        assert_non_null(tpl);
    }

    cap.out.write = capture_write;
    hd_buf_init(&cap.buf);
    hd_buf_add(&cap.buf, "", 0);

    assert_int_equal(hd_tpl_render(tpl, view, &cap.out), 0);

    result = strdup((char *) cap.buf.data);
    hd_buf_free(&cap.buf);
    hd_arena_destroy(arena);

    return result;
}


static char *
render(const char *src, json_t *data, json_t *partials, hd_err_t *err)
{
    return render_as(src, data, partials, 0, err);
}


static void
test_spec_case(void **state)
{
    char         *got;
    hd_err_t      err;
    spec_case_t  *sc = *state;
    json_t       *t = sc->test;

    hd_err_clear(&err);

    got = render(json_string_value(json_object_get(t, "template")),
                 json_object_get(t, "data"), json_object_get(t, "partials"),
                 &err);

    if (got == NULL) {
        fail_msg("%s: %s", sc->name, err.text);
    }

    if (strcmp(got, json_string_value(json_object_get(t, "expected"))) != 0) {
        fail_msg("%s\n# template: %s\n# expected: [%s]\n# got:      [%s]",
                 sc->name,
                 json_string_value(json_object_get(t, "template")),
                 json_string_value(json_object_get(t, "expected")), got);
    }

    free(got);

    /* folding joins texts and renumbers sections: the same output */
    got = render_as(json_string_value(json_object_get(t, "template")),
                    json_object_get(t, "data"), json_object_get(t, "partials"),
                    1, &err);

    if (got == NULL
        || strcmp(got, json_string_value(json_object_get(t, "expected"))) != 0)
    {
        fail_msg("%s, folded\n# expected: [%s]\n# got:      [%s]", sc->name,
                 json_string_value(json_object_get(t, "expected")),
                 got ? got : err.text);
    }

    free(got);
}


static void
expect_error(const char *src, const char *text)
{
    char      *got;
    hd_err_t   err;

    hd_err_clear(&err);
    got = render(src, NULL, NULL, &err);

    assert_null(got);
    assert_int_equal(err.rc, HD_INVALID);

    if (strstr(err.text, text) == NULL) {
        fail_msg("error [%s] does not contain [%s]", err.text, text);
    }
}


static void
test_errors_name_file_and_line(void **state)
{
    (void) state;

    expect_error("a\nb\n{{#open}}\nnever closed\n",
                 "main.mustache:3: unclosed section \"open\"");
    expect_error("{{#a}}\n{{#b}}\n{{/a}}\n",
                 "main.mustache:3: closing tag \"a\" does not match section "
                 "\"b\" opened at line 2");
    expect_error("x\n\n{{/stray}}", "main.mustache:3: closing tag \"stray\" "
                 "without a section");
    expect_error("ok\n{{name", "main.mustache:2: unclosed tag");
    expect_error("{{  }}", "main.mustache:1: empty tag");
    expect_error("{{=<% =}}", "main.mustache:1: bad delimiter change");
    expect_error("{{a..b}}", "main.mustache:1: bad name \"a..b\"");
}


static void
test_strict_partials(void **state)
{
    hd_err_t       err;
    hd_tpl_t      *tpl;
    hd_arena_t    *arena;
    hd_tpl_set_t  *set;

    (void) state;

    arena = hd_arena_create(0);
    set = hd_tpl_set_create(&arena->pool);

    tpl = hd_tpl_compile(&arena->pool, "pages/x", "pages/x.mustache",
                         (const hd_uchar *) "a\n{{> partials/none}}\n", 22,
                         &err);
    assert_non_null(tpl);
    hd_tpl_set_add(set, tpl);

    assert_int_equal(hd_tpl_set_link(set, 1, &err), HD_INVALID);
    assert_string_equal(err.text, "pages/x.mustache:2: unknown partial "
                        "\"partials/none\"");

    hd_arena_destroy(arena);
}


static void
test_escaping(void **state)
{
    char    *got;
    json_t  *data;

    (void) state;

    data = json_pack("{s:s}", "x", "<script>alert('1' & \"2\")</script>");
    got = render("{{x}}|{{{x}}}|{{&x}}", data, NULL, NULL);

    assert_string_equal(got,
        "&lt;script&gt;alert(&#39;1&#39; &amp; &quot;2&quot;)&lt;/script&gt;"
        "|<script>alert('1' & \"2\")</script>"
        "|<script>alert('1' & \"2\")</script>");

    free(got);
    json_decref(data);
}


/*
 * A catalogue folded into the templates: its strings become escaped text,
 * as {{}} would have written them, in partials too; a string with a
 * newline, a name it lacks and a section keep rendering from the data
 */
static void
test_fold(void **state)
{
    char        *plain, *folded;
    json_t      *data, *partials;
    const char  *src;

    (void) state;

    src = "<p title=\"{{t.a.b}}\">{{#list}}{{t.a.b}}-{{x}};{{/list}}</p>"
          "|{{{t.raw}}}|{{&t.raw}}|{{t.raw}}|{{#t.a}}s{{/t.a}}"
          "{{#off}}in{{t.a.b}}{{/off}}{{t.a.b}}after{{^off}}{{t.raw}}{{/off}}"
          "\n  {{> part}}\nend";
    data = json_pack("{s:{s:{s:s}, s:s, s:s}, s:[{s:i}, {s:i}], s:b}",
                     "t", "a", "b", "<&>", "nl", "x\ny", "raw", "<i>",
                     "list", "x", 1, "x", 2, "off", 0);
    partials = json_pack("{s:s}", "part", "[{{t.a.b}}]\n{{t.nl}}\n");

    plain = render_as(src, data, partials, 0, NULL);
    folded = render_as(src, data, partials, 1, NULL);

    assert_string_equal(plain,
        "<p title=\"&lt;&amp;&gt;\">&lt;&amp;&gt;-1;&lt;&amp;&gt;-2;</p>"
        "|<i>|<i>|&lt;i&gt;|s&lt;&amp;&gt;after&lt;i&gt;"
        "\n  [&lt;&amp;&gt;]\n  x\ny\nend");
    assert_string_equal(folded, plain);

    free(plain);
    free(folded);
    json_decref(data);
    json_decref(partials);
}


/* folding a tag the catalogue lacks fails, naming the file, line and tag */
static void
test_fold_missing_key(void **state)
{
    const char    *src = "<p>{{t.a}}</p>\n<p>{{t.landing.nosuchkey}}</p>";
    hd_err_t       err;
    hd_tpl_t      *tpl;
    hd_arena_t    *arena;
    hd_tpl_set_t  *set;
    json_t        *cat;

    (void) state;

    arena = hd_arena_create(0);
    set = hd_tpl_set_create(&arena->pool);
    hd_err_clear(&err);
    tpl = hd_tpl_compile(&arena->pool, "main", "pages/main.mustache",
                         (const hd_uchar *) src, strlen(src), &err);
    assert_non_null(tpl);
    hd_tpl_set_add(set, tpl);
    assert_int_equal(hd_tpl_set_link(set, 0, &err), HD_OK);

    cat = json_pack("{s:s, s:{s:s}}", "a", "x", "landing", "title", "y");
    assert_null(hd_tpl_set_fold(&arena->pool, set, "t",
                                hd_json_to_val(&arena->pool, cat), &err));
    assert_int_equal(err.rc, HD_INVALID);
    assert_non_null(strstr(err.text, "pages/main.mustache:2: "
                                     "{{t.landing.nosuchkey}}: the "
                                     "catalogue has no such text"));

    json_decref(cat);
    hd_arena_destroy(arena);
}


/* a generated list of keyed rows: "n" and "name", keyed by both */
typedef struct {
    hd_val_t     *row;
    hd_val_t     *n;
    hd_val_t     *name;
    const char  **names;
    size_t        made;         /* rows made by next */
    int           keyed;
} rows_t;


static hd_val_t *
rows_next(void *data, size_t i)
{
    rows_t  *r = data;

    r->made++;
    r->n->type = HD_VAL_INT;
    r->n->u.integer = (int64_t) i;
    r->name->type = HD_VAL_STR;
    r->name->u.str.data = (hd_uchar *) r->names[i];
    r->name->u.str.len = strlen(r->names[i]);

    return r->row;
}


static size_t
rows_key(void *data, size_t i, hd_uchar *buf, size_t size)
{
    rows_t  *r = data;
    size_t   len = strlen(r->names[i]);

    if (!r->keyed || size < len + 8) {
        return 0;
    }

    memcpy(buf, &i, 8);
    memcpy(buf + 8, r->names[i], len);

    return len + 8;
}


static char *
render_rows(hd_tpl_t *tpl, hd_pool_t *pool, rows_t *r, const char *base,
    size_t n)
{
    char      *result;
    hd_val_t  *view;
    capture_t  cap;

    view = hd_val_map(pool);
    hd_val_set_cstr(pool, view, "base", base);
    hd_val_set(pool, view, "rows",
               hd_val_gen_keyed(pool, rows_next, rows_key, r->row, r, n));

    cap.out.write = capture_write;
    hd_buf_init(&cap.buf);
    assert_int_equal(hd_tpl_render(tpl, view, &cap.out), 0);
    hd_buf_add(&cap.buf, "", 1);
    result = strdup((char *) cap.buf.data);
    hd_buf_free(&cap.buf);

    return result;
}


/*
 * Rows kept by their key: written again without being made, made again
 * when their key or a value the section reads from outside changes, never
 * kept without a key or with a partial in the section
 */
static void
test_kept_rows(void **state)
{
    char           *got;
    hd_err_t        err;
    hd_tpl_t       *tpl, *twin, *part, *with_partial;
    rows_t          r;
    hd_arena_t     *arena;
    hd_tpl_set_t   *set;
    const char     *names[] = { "Ann", "<Bob>", "Eve" };
    const char     *src = "[{{#rows}}<a href=\"{{base}}{{n}}\">{{name}}</a>"
                          "{{#name}}!{{/name}}{{/rows}}]";

    (void) state;

    arena = hd_arena_create(0);
    set = hd_tpl_set_create(&arena->pool);
    tpl = hd_tpl_compile(&arena->pool, "rows", "rows", (hd_uchar *) src,
                         strlen(src), &err);
    twin = hd_tpl_compile(&arena->pool, "twin", "twin",
                          (hd_uchar *) "{{#rows}}{{name}}/{{/rows}}",
                          strlen("{{#rows}}{{name}}/{{/rows}}"), &err);
    part = hd_tpl_compile(&arena->pool, "p", "p", (hd_uchar *) "{{base}}", 8,
                          &err);
    with_partial = hd_tpl_compile(&arena->pool, "wp", "wp",
                                  (hd_uchar *) "{{#rows}}{{>p}}{{n}};{{/rows}}",
                                  strlen("{{#rows}}{{>p}}{{n}};{{/rows}}"),
                                  &err);
    assert_non_null(tpl);
    assert_non_null(twin);
    assert_non_null(part);
    assert_non_null(with_partial);
    hd_tpl_set_add(set, tpl);
    hd_tpl_set_add(set, twin);
    hd_tpl_set_add(set, part);
    hd_tpl_set_add(set, with_partial);
    assert_int_equal(hd_tpl_set_link(set, 1, &err), HD_OK);

    memset(&r, 0, sizeof(r));
    r.row = hd_val_map(&arena->pool);
    r.n = hd_val_slot(&arena->pool, r.row, "n");
    r.name = hd_val_slot(&arena->pool, r.row, "name");
    r.names = names;
    r.keyed = 1;

    got = render_rows(tpl, &arena->pool, &r, "/x/", 3);
    assert_string_equal(got, "[<a href=\"/x/0\">Ann</a>!<a href=\"/x/1\">"
                        "&lt;Bob&gt;</a>!<a href=\"/x/2\">Eve</a>!]");
    assert_int_equal(r.made, 3);
    free(got);

    /* again: the same output, no row made */
    r.made = 0;
    got = render_rows(tpl, &arena->pool, &r, "/x/", 3);
    assert_string_equal(got, "[<a href=\"/x/0\">Ann</a>!<a href=\"/x/1\">"
                        "&lt;Bob&gt;</a>!<a href=\"/x/2\">Eve</a>!]");
    assert_int_equal(r.made, 0);
    free(got);

    /* a row's content changes: that row is made again */
    names[1] = "Bo";
    got = render_rows(tpl, &arena->pool, &r, "/x/", 3);
    assert_string_equal(got, "[<a href=\"/x/0\">Ann</a>!<a href=\"/x/1\">"
                        "Bo</a>!<a href=\"/x/2\">Eve</a>!]");
    assert_int_equal(r.made, 1);
    free(got);

    /* a value from outside the row changes: every row is made again */
    r.made = 0;
    got = render_rows(tpl, &arena->pool, &r, "/y/", 2);
    assert_string_equal(got, "[<a href=\"/y/0\">Ann</a>!<a href=\"/y/1\">"
                        "Bo</a>!]");
    assert_int_equal(r.made, 2);
    free(got);

    /* another template with the same rows: its own output */
    r.made = 0;
    got = render_rows(twin, &arena->pool, &r, "/y/", 3);
    assert_string_equal(got, "Ann/Bo/Eve/");
    assert_int_equal(r.made, 3);
    free(got);

    /* a partial in the section: rows are made every time */
    r.made = 0;
    got = render_rows(with_partial, &arena->pool, &r, "/z/", 2);
    free(got);
    got = render_rows(with_partial, &arena->pool, &r, "/z/", 2);
    assert_string_equal(got, "/z/0;/z/1;");
    assert_int_equal(r.made, 4);
    free(got);

    /* rows without a key: made every time */
    r.keyed = 0;
    r.made = 0;
    got = render_rows(twin, &arena->pool, &r, "/y/", 3);
    assert_string_equal(got, "Ann/Bo/Eve/");
    assert_int_equal(r.made, 3);
    free(got);

    hd_arena_destroy(arena);
}


static void
test_deep_recursion_stops(void **state)
{
    hd_err_t       err;
    hd_tpl_t      *tpl;
    capture_t      cap;
    hd_arena_t    *arena;
    hd_tpl_set_t  *set;

    (void) state;

    arena = hd_arena_create(0);
    set = hd_tpl_set_create(&arena->pool);
    tpl = hd_tpl_compile(&arena->pool, "loop", "loop", (hd_uchar *) "x{{>loop}}",
                         10, &err);
    hd_tpl_set_add(set, tpl);
    hd_tpl_set_link(set, 1, &err);

    cap.out.write = capture_write;
    hd_buf_init(&cap.buf);

    /* a partial that includes itself without end fails instead of crashing */
    assert_int_equal(hd_tpl_render(tpl, hd_val_null(), &cap.out), -1);

    hd_buf_free(&cap.buf);
    hd_arena_destroy(arena);
}


/* a page's view over its chrome: the view's names first, the chrome's
   found below it, also inside the view's sections */
static void
test_render_over(void **state)
{
    hd_err_t       err;
    hd_tpl_t      *tpl;
    hd_val_t      *chrome, *view, *row;
    capture_t      cap;
    hd_arena_t    *arena;
    const char    *src = "{{title}}|{{brand}}|{{#rows}}{{name}}@{{brand}};"
                         "{{/rows}}";

    (void) state;

    arena = hd_arena_create(0);
    tpl = hd_tpl_compile(&arena->pool, "page", "page", (hd_uchar *) src,
                         strlen(src), &err);
    assert_non_null(tpl);

    chrome = hd_val_map(&arena->pool);
    hd_val_set_cstr(&arena->pool, chrome, "title", "Portal");
    hd_val_set_cstr(&arena->pool, chrome, "brand", "Acme");

    view = hd_val_map(&arena->pool);
    hd_val_set_cstr(&arena->pool, view, "title", "Queue");
    hd_val_set(&arena->pool, view, "rows", hd_val_list(&arena->pool));
    row = hd_val_map(&arena->pool);
    hd_val_set_cstr(&arena->pool, row, "name", "Ann");
    hd_val_push(&arena->pool, hd_val_get(view, "rows", 4), row);

    cap.out.write = capture_write;
    hd_buf_init(&cap.buf);
    assert_int_equal(hd_tpl_render_over(tpl, chrome, view, &cap.out), 0);
    hd_buf_add(&cap.buf, "", 1);
    assert_string_equal((char *) cap.buf.data, "Queue|Acme|Ann@Acme;");
    hd_buf_free(&cap.buf);

    /* and nothing of the view was copied into the chrome */
    assert_null(hd_val_get(chrome, "rows", 4));
    assert_string_equal((char *) hd_val_get(chrome, "title", 5)->u.str.data,
                        "Portal");

    hd_arena_destroy(arena);
}


int
main(void)
{
    int                 rc;
    size_t              n, i, k;
    char                path[1024];
    const char         *dir, *name;
    json_t             *doc, *tests, *t;
    spec_case_t        *cases;
    json_error_t        jerr;
    struct CMUnitTest  *all;

    static const char  *files[] = {
        "comments", "interpolation", "sections", "inverted", "partials",
        "delimiters"
    };

    static const struct CMUnitTest  own[] = {
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_strict_partials),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_fold_missing_key),
        cmocka_unit_test(test_kept_rows),
        cmocka_unit_test(test_deep_recursion_stops),
        cmocka_unit_test(test_render_over),
    };

    dir = getenv("HELPDESK_MUSTACHE_SPEC");
    if (dir == NULL) {
        dir = "../shared/mustache-spec";
    }

    all = calloc(1000, sizeof(struct CMUnitTest));
    cases = calloc(1000, sizeof(spec_case_t));
    n = 0;

    for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
        all[n++] = own[i];
    }

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s.json", dir, files[i]);

        doc = json_load_file(path, 0, &jerr);
        if (doc == NULL) {
            printf("# the Mustache specification is not at %s (%s): "
                   "its tests are skipped\n", path, jerr.text);
            continue;
        }

        tests = json_object_get(doc, "tests");

        json_array_foreach(tests, k, t) {
            name = json_string_value(json_object_get(t, "name"));
            snprintf(cases[n].name, sizeof(cases[n].name), "spec %s: %s",
                     files[i], name);
            cases[n].test = t;

            all[n].name = cases[n].name;
            all[n].test_func = test_spec_case;
            all[n].initial_state = &cases[n];
            n++;
        }
    }

    rc = unit_run("template engine", all, n);

    return rc;
}

/*
 * Search: words as the index knows them (folding, stems of both
 * languages, codes and versions whole), typo distances.
 */

#include "unit.h"
#include "hd_search.h"
#include "hd_search_text.h"


static hd_arena_t  *arena;


/* one word as the index knows it */
static hd_term_t
term(const char *w)
{
    hd_term_t  t;

    memset(&t, 0, sizeof(t));
    hd_search_term(&arena->pool, (const hd_uchar *) w, strlen(w), &t);

    return t;
}


/* two words the index finds by either (the stem, or the root) */
static int
same_stem(const char *a, const char *b)
{
    hd_term_t  ta = term(a), tb = term(b);
    hd_str_t   x = ta.stem, y = tb.stem;
    hd_str_t   rx = ta.root.len ? ta.root : ta.stem;
    hd_str_t   ry = tb.root.len ? tb.root : tb.stem;

    return (x.len == y.len && x.len && memcmp(x.data, y.data, x.len) == 0)
           || (rx.len == ry.len && rx.len
               && memcmp(rx.data, ry.data, rx.len) == 0);
}


/* pairs of forms, and whether the index takes them for one word */
static const struct {
    const char  *a;
    const char  *b;
    int          same;
} forms[] = {
    { "проблема", "проблемы", 1 },
    { "проблема", "проблемой", 1 },
    { "сертификат", "сертификата", 1 },
    { "сертификат", "Сертификатом", 1 },
    { "подпись", "подписи", 1 },
    { "подписывается", "подписываться", 1 },
    { "подписать", "подписывается", 1 },
    { "подписать", "подпись", 1 },
    { "активировать", "активируется", 1 },
    { "установить", "установка", 1 },
    { "работает", "работать", 1 },
    { "ёлка", "елки", 1 },
    { "сертификат", "лицензия", 0 },
    { "sign", "signing", 1 },
    { "sign", "signed", 1 },
    { "Certificate", "certificates", 1 },
    { "sign", "license", 0 },
};


static void
test_forms(void **state)
{
    size_t  i;

    (void) state;

    for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        if (same_stem(forms[i].a, forms[i].b) != forms[i].same) {
            fail_msg("\"%s\" and \"%s\" should %sbe one word", forms[i].a,
                     forms[i].b, forms[i].same ? "" : "not ");
        }
    }
}


static void
test_words(void **state)
{
    size_t     n;
    hd_term_t  t[16];
    const char *text = "Ошибка 0x80090008 в КриптоПро CSP 5.0.12000, «подпись» — не работает!";

    (void) state;

    n = hd_search_terms(&arena->pool, (const hd_uchar *) text, strlen(text),
                        t, 16);
    assert_int_equal(n, 9);
    assert_memory_equal(t[0].word.data, "ошибка", t[0].word.len);
    assert_int_equal(t[1].stem.len, 10);
    assert_memory_equal(t[1].stem.data, "0x80090008", 10);
    assert_true(t[2].stop);                     /* в */
    assert_memory_equal(t[3].word.data, "криптопро", t[3].word.len);
    assert_memory_equal(t[4].word.data, "csp", 3);
    assert_memory_equal(t[5].word.data, "5.0.12000", 9);
    assert_memory_equal(t[6].word.data, "подпись", t[6].word.len);
    assert_true(t[7].stop);                     /* не */

    /* where each stands in the text, for snippets */
    assert_memory_equal(text + t[1].start, "0x80090008", t[1].end - t[1].start);
    assert_memory_equal(text + t[6].start, "подпись", t[6].end - t[6].start);

    /* a sentence's dot is no version */
    n = hd_search_terms(&arena->pool, (const hd_uchar *) "версия 5. Дальше", 19,
                        t, 16);
    assert_int_equal(n, 3);
    assert_memory_equal(t[1].word.data, "5", 1);
}


static void
test_distance(void **state)
{
    hd_str_t  a = hd_string("сертификат"), b = hd_string("сертефикат"),
              c = hd_string("сертифкат"), d = hd_string("сретификат"),
              e = hd_string("лицензия"), f = hd_string("certificate"),
              g = hd_string("certifciate");

    (void) state;

    assert_int_equal(hd_search_distance(&a, &a, 1), 0);
    assert_int_equal(hd_search_distance(&a, &b, 1), 1);   /* a letter */
    assert_int_equal(hd_search_distance(&a, &c, 1), 1);   /* one missing */
    assert_int_equal(hd_search_distance(&a, &d, 1), 1);   /* swapped */
    assert_int_equal(hd_search_distance(&a, &e, 1), 2);   /* far: max + 1 */
    assert_int_equal(hd_search_distance(&f, &g, 1), 1);
}


/* --- the index ----------------------------------------------------------- */


static void
index_doc(uint64_t doc, uint32_t sub, const char *title, const char *body,
    int keep)
{
    hd_err_t  err;
    hd_txn_t  txn;
    hd_str_t  t, b;

    t.data = (hd_uchar *) title;
    t.len = strlen(title);
    b.data = (hd_uchar *) body;
    b.len = strlen(body);

    assert_int_equal(hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err),
                     HD_OK);
    assert_int_equal(hd_search_add(&txn, HD_SEARCH_KB, doc, sub, &t, &b, keep,
                                   &err), HD_OK);
    assert_int_equal(hd_txn_commit(&txn, &err), HD_OK);
}


/* the docs a query finds, best first, as "3 1 2" */
static char *
found(const char *query, int prefix, int typo, int titles)
{
    size_t              i, n, total;
    hd_err_t            err;
    hd_txn_t            txn;
    hd_search_hit_t    *hits;
    hd_search_query_t   q;
    static char         out[256];

    memset(&q, 0, sizeof(q));
    q.text.data = (hd_uchar *) query;
    q.text.len = strlen(query);
    q.prefix = prefix;
    q.typo = typo;
    q.titles = titles;
    q.limit = 10;

    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    assert_int_equal(hd_search_run(&txn, HD_SEARCH_KB, &q, &arena->pool,
                                   &hits, &n, &total), HD_OK);
    hd_txn_abort(&txn);

    out[0] = '\0';

    for (i = 0; i < n; i++) {
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%llu",
                 i ? " " : "", (unsigned long long) hits[i].doc);
    }

    return out;
}


static void
test_index(void **state)
{
    size_t              n;
    hd_snippet_part_t   parts[16];
    hd_str_t            text = hd_string("Лицензию КриптоПро CSP вводят в "
                                         "панели управления. Документ "
                                         "подписывается после установки.");
    hd_str_t            query = hd_string("подписать");

    (void) state;

    index_doc(1, 0, "Как подписать документ",
              "Чтобы подписать документ, выберите сертификат в списке.", 1);
    index_doc(2, 0, "Ошибка 0x80090008 при подписи",
              "Ошибка появляется, когда сертификат не установлен.", 1);
    index_doc(3, 0, "Установка лицензии",
              "Лицензию КриптоПро CSP вводят в панели управления. "
              "Документ подписывается после установки.", 1);
    index_doc(4, 0, "Signing documents", "How to sign a PDF: the signed "
              "file keeps the certificate.", 1);

    /* every form finds the others */
    /* a form in a title above the very word in a text */
    assert_string_equal(found("подписывается", 0, 0, 0), "2 1 3");
    assert_string_equal(found("сертификата", 0, 0, 0), "2 1");
    assert_string_equal(found("лицензия", 0, 0, 0), "3");
    assert_string_equal(found("signed", 0, 0, 0), "4");
    assert_string_equal(found("0x80090008", 0, 0, 0), "2");

    /* all the words, else the most of them */
    assert_string_equal(found("подписать документ", 0, 0, 0), "1 3");
    assert_string_equal(found("подписать xyzzy", 0, 0, 0), "1 2 3");

    /* the title counts more */
    assert_string_equal(found("ошибка", 0, 0, 0), "2");

    /* typing: the last word as a prefix; titles alone for suggestions */
    assert_string_equal(found("устан", 1, 0, 0), "3 2");
    assert_string_equal(found("лиценз", 1, 0, 1), "3");
    assert_string_equal(found("устан", 0, 0, 0), "");

    /* one typo forgiven in a long word */
    assert_string_equal(found("сертефикат", 0, 1, 0), "2 1");
    assert_string_equal(found("сертефикат", 0, 0, 0), "");

    /* indexed again, and taken out */
    index_doc(5, 0, "Временная", "Сертификат", 1);
    assert_string_equal(found("временная", 0, 0, 0), "5");
    {
        hd_err_t  err;
        hd_txn_t  txn;

        hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);
        assert_int_equal(hd_search_remove(&txn, HD_SEARCH_KB, 5, 0, &err),
                         HD_OK);
        hd_txn_commit(&txn, &err);
    }
    assert_string_equal(found("временная", 0, 0, 0), "");
    assert_string_equal(found("сертификата", 0, 0, 0), "2 1");

    /* a snippet: the words of the query marked */
    n = hd_search_snippet(&arena->pool, &text, &query, 40, parts, 16);
    assert_true(n >= 2);
    {
        size_t  i, marked = 0;

        for (i = 0; i < n; i++) {
            if (parts[i].mark) {
                marked++;
                assert_memory_equal(parts[i].text.data, "подписывается",
                                    parts[i].text.len);
            }
        }

        assert_int_equal(marked, 1);
    }
}


/* the tickets' scope, one message a transaction as hd_ticket_post writes */
static void
post(uint64_t ticket, uint32_t message, const char *title, const char *body)
{
    hd_rc     rc;
    hd_err_t  err;
    hd_txn_t  txn;
    hd_str_t  t, b;

    t.data = (hd_uchar *) title;
    t.len = title ? strlen(title) : 0;
    b.data = (hd_uchar *) body;
    b.len = strlen(body);

    assert_int_equal(hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err),
                     HD_OK);
    rc = hd_search_add(&txn, HD_SEARCH_TICKETS, ticket, message,
                       title ? &t : NULL, &b, 0, &err);
    if (rc != HD_OK) {
        print_error("%s\n", err.text);
    }
    assert_int_equal(rc, HD_OK);
    assert_int_equal(hd_txn_commit(&txn, &err), HD_OK);
}


/* the tickets (message) a staff query finds, best first: "7/3 2/1" */
static char *
found_tickets(const char *query, int typo, size_t *total)
{
    size_t              i, n;
    hd_err_t            err;
    hd_txn_t            txn;
    hd_search_hit_t    *hits;
    hd_search_query_t   q;
    static char         out[512];

    memset(&q, 0, sizeof(q));
    q.text.data = (hd_uchar *) query;
    q.text.len = strlen(query);
    q.typo = typo;
    q.limit = 10;

    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    assert_int_equal(hd_search_run(&txn, HD_SEARCH_TICKETS, &q, &arena->pool,
                                   &hits, &n, total), HD_OK);
    hd_txn_abort(&txn);

    out[0] = '\0';

    for (i = 0; i < n; i++) {
        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%llu/%u",
                 i ? " " : "", (unsigned long long) hits[i].doc, hits[i].sub);
    }

    return out;
}


/* a staff query reading at most scan postings: its total and count */
static size_t
found_scanned(const char *query, size_t scan, hd_search_count_t *count)
{
    size_t              n, total;
    hd_err_t            err;
    hd_txn_t            txn;
    hd_search_hit_t    *hits;
    hd_search_query_t   q;

    memset(&q, 0, sizeof(q));
    q.text.data = (hd_uchar *) query;
    q.text.len = strlen(query);
    q.group = 1;
    q.limit = 10;
    q.scan_max = scan;
    q.count = count;

    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    assert_int_equal(hd_search_run(&txn, HD_SEARCH_TICKETS, &q, &arena->pool,
                                   &hits, &n, &total), HD_OK);
    hd_txn_abort(&txn);
    assert_int_equal(n, 10);

    return total;
}


static size_t
segments(void)
{
    char      key[] = "search:t:segs";
    hd_err_t  err;
    hd_txn_t  txn;
    hd_str_t  v;
    size_t    n = 0;

    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    if (hd_db_get(&txn, HD_DB_META, key, strlen(key), &v) == HD_OK) {
        n = v.len / 12;
    }
    hd_txn_abort(&txn);

    return n;
}


/*
 * Messages are written as fresh records and merged into segments as they
 * grow: what a query finds is the same before and after, wherever the
 * postings are (fresh, a small segment, a merged one)
 */
static void
test_segments(void **state)
{
    char      body[256];
    size_t    total, i, before;
    hd_err_t  err;
    hd_txn_t  txn;
    int       merged;

    (void) state;

    post(1, 1, "Не устанавливается драйвер", "Ошибка 0x8009004e при "
         "установке драйвера токена.");
    post(2, 2, "Подпись документа", "Документ не подписывается.");
    post(1, 3, NULL, "Драйвер переустановили, сертификат виден.");

    /* fresh only */
    assert_int_equal(segments(), 0);
    assert_string_equal(found_tickets("драйвера", 0, &total), "1/1 1/3");
    assert_string_equal(found_tickets("0x8009004e", 0, &total), "1/1");
    assert_string_equal(found_tickets("подписать", 0, &total), "2/2");
    assert_string_equal(found_tickets("ошибка установки драйвера", 0,
                                      &total), "1/1");
    assert_string_equal(found_tickets("сертефикат", 1, &total), "1/3");

    /* enough others for segments made and merged in the writers' own
       transactions: about 40 postings a message */
    for (i = 0; i < 8000; i++) {
        snprintf(body, sizeof(body), "слово%zu другое%zu третье%zu "
                 "общий текст письма номер %zu о работе службы поддержки "
                 "клиентов и сертификат %zu ключ%zu лицензия%zu", i % 997,
                 i % 389, i % 61, i, i % 7, i % 1013, i % 17);
        post(100 + i, 10 + (uint32_t) i, NULL, body);
    }

    assert_true(segments() >= 1);
    assert_true(segments() < 16);

    /* the early ones, in a segment now, found as before */
    assert_string_equal(found_tickets("0x8009004e", 0, &total), "1/1");
    assert_string_equal(found_tickets("ошибка установки драйвера", 0,
                                      &total), "1/1");
    assert_string_equal(found_tickets("подписать", 0, &total), "2/2");
    (void) found_tickets("сертефикат", 1, &total);
    assert_int_equal(total, 8001);      /* the typo forgiven in each */

    /* a word of every message: each of them counted, the newest first */
    (void) found_tickets("поддержки", 0, &total);
    assert_int_equal(total, 8000);

    /* a word in some, across fresh and segments */
    (void) found_tickets("слово5", 0, &total);
    assert_int_equal(total, 9);     /* 5, 1002, ... of 8000 */
    assert_string_equal(found_tickets("слово5 другое5", 0, &total),
                        "105/15");

    /* the fresh ones merged, and everything merged that can be: the same */
    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);
    assert_int_equal(hd_search_flush(&txn, HD_SEARCH_TICKETS, &err), HD_OK);
    hd_txn_commit(&txn, &err);

    before = segments();

    do {
        hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);
        assert_int_equal(hd_search_compact(&txn, HD_SEARCH_TICKETS, &merged,
                                           &err), HD_OK);
        hd_txn_commit(&txn, &err);
    } while (merged);

    assert_true(segments() <= before);
    assert_string_equal(found_tickets("слово5 другое5", 0, &total),
                        "105/15");
    assert_string_equal(found_tickets("ошибка установки драйвера", 0,
                                      &total), "1/1");
    (void) found_tickets("поддержки", 0, &total);
    assert_int_equal(total, 8000);

    /* more postings than a query may read: an estimate, said to be one,
       in two figures; the pages only what was found */
    {
        hd_search_count_t  count;

        assert_int_equal(found_scanned("поддержки", 1000, &count), 8000);
        assert_int_equal(count.estimated, 1);
        assert_int_equal(count.found, 1000);

        /* лицензия3: 471 of them, 200 read, each with the other word */
        assert_int_equal(found_scanned("поддержки лицензия3", 200, &count),
                         470);
        assert_int_equal(count.estimated, 1);
        assert_int_equal(count.found, 200);

        /* all read: exact */
        assert_int_equal(found_scanned("поддержки лицензия3", 1000, &count),
                         471);
        assert_int_equal(count.estimated, 0);
        assert_int_equal(count.found, 471);
    }

    /* cleared for a reindex: nothing left anywhere */
    {
        int  left;

        do {
            hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);
            assert_int_equal(hd_search_clear(&txn, HD_SEARCH_TICKETS, 1000,
                                             &left, &err), HD_OK);
            hd_txn_commit(&txn, &err);
        } while (left);
    }

    assert_int_equal(segments(), 0);
    assert_string_equal(found_tickets("драйвера", 0, &total), "");
    post(3, 9000, "Новый", "Драйвер снова");
    assert_string_equal(found_tickets("драйвера", 0, &total), "3/9000");
}


int
main(void)
{
    int                      rc;
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_distance),
        cmocka_unit_test_setup_teardown(test_index, unit_store_setup,
                                        unit_store_teardown),
        cmocka_unit_test_setup_teardown(test_segments, unit_store_setup,
                                        unit_store_teardown),
    };

    arena = hd_arena_create(65536);
    rc = unit_run("search", tests, sizeof(tests) / sizeof(tests[0]));
    hd_arena_destroy(arena);

    return rc;
}

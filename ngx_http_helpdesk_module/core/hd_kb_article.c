/*
 * Knowledge-base articles: the record, saving with its revision and its
 * index entries in one transaction, who may read what, votes and counters.
 */

#include <stdlib.h>

#include "hd_i18n.h"
#include "hd_kb.h"
#include "hd_markdown.h"
#include "hd_product.h"
#include "hd_store.h"
#include "hd_text.h"
#include "hd_ticket.h"


static const hd_field_t  hd_kb_article_fields[] = {
    hd_field(hd_kb_article_t, 1, HD_FIELD_U64, id),
    hd_field(hd_kb_article_t, 2, HD_FIELD_STR, title),
    hd_field(hd_kb_article_t, 3, HD_FIELD_STR, slug),
    hd_field(hd_kb_article_t, 4, HD_FIELD_STR, body),
    hd_field(hd_kb_article_t, 5, HD_FIELD_U8, language),
    hd_field(hd_kb_article_t, 6, HD_FIELD_U8, audience),
    hd_field(hd_kb_article_t, 7, HD_FIELD_U8, state),
    hd_field(hd_kb_article_t, 8, HD_FIELD_STR, products),
    hd_field(hd_kb_article_t, 9, HD_FIELD_STR, versions),
    hd_field(hd_kb_article_t, 10, HD_FIELD_STR, tags),
    hd_field(hd_kb_article_t, 11, HD_FIELD_STR, related),
    hd_field(hd_kb_article_t, 12, HD_FIELD_U64, created),
    hd_field(hd_kb_article_t, 13, HD_FIELD_U64, updated),
    hd_field(hd_kb_article_t, 14, HD_FIELD_U64, author),
    hd_field(hd_kb_article_t, 15, HD_FIELD_U64, editor),
    hd_field(hd_kb_article_t, 16, HD_FIELD_U32, revision),
    hd_field(hd_kb_article_t, 17, HD_FIELD_U64, ticket),
};

const hd_record_desc_t  hd_kb_article_desc = hd_record(HD_KIND_KB_ARTICLE, 1,
                                                       hd_kb_article_t,
                                                       hd_kb_article_fields);

static const hd_field_t  hd_kb_revision_fields[] = {
    hd_field(hd_kb_revision_t, 1, HD_FIELD_U64, article),
    hd_field(hd_kb_revision_t, 2, HD_FIELD_U32, revision),
    hd_field(hd_kb_revision_t, 3, HD_FIELD_STR, title),
    hd_field(hd_kb_revision_t, 4, HD_FIELD_STR, body),
    hd_field(hd_kb_revision_t, 5, HD_FIELD_U8, audience),
    hd_field(hd_kb_revision_t, 6, HD_FIELD_U8, state),
    hd_field(hd_kb_revision_t, 7, HD_FIELD_U64, editor),
    hd_field(hd_kb_revision_t, 8, HD_FIELD_U64, time),
};

const hd_record_desc_t  hd_kb_revision_desc = hd_record(HD_KIND_KB_REVISION, 1,
                                                        hd_kb_revision_t,
                                                        hd_kb_revision_fields);

const char  *hd_kb_audience_names[HD_KB_AUDIENCE_COUNT] = {
    "public", "customers", "internal"
};

const char  *hd_kb_state_names[HD_KB_STATE_COUNT] = {
    "draft", "published", "archived"
};


#define HD_KB_STATS_LEN  24


int
hd_kb_audience_from_name(const hd_uchar *name, size_t len)
{
    return hd_name_index(hd_kb_audience_names, HD_KB_AUDIENCE_COUNT, name,
                         len);
}


int
hd_kb_state_from_name(const hd_uchar *name, size_t len)
{
    return hd_name_index(hd_kb_state_names, HD_KB_STATE_COUNT, name, len);
}


size_t
hd_kb_ids(const hd_str_t *list, uint64_t *ids, size_t max)
{
    size_t           n = 0;
    uint64_t         v;
    const hd_uchar  *p, *end;

    p = list->data;
    end = p + list->len;

    while (p < end && n < max) {
        while (p < end && (*p < '0' || *p > '9')) {
            p++;
        }

        if (p == end) {
            break;
        }

        for (v = 0; p < end && *p >= '0' && *p <= '9'; p++) {
            v = v < UINT64_MAX / 10 ? v * 10 + (uint64_t) (*p - '0') : v;
        }

        if (v) {
            ids[n++] = v;
        }
    }

    return n;
}


/* a list of ids: digits and commas only */
static int
hd_kb_ids_valid(const hd_str_t *list)
{
    size_t  i, run = 0, n = 0;

    for (i = 0; i < list->len; i++) {
        if (list->data[i] >= '0' && list->data[i] <= '9') {
            if (++run > 15) {
                return 0;
            }

        } else if (list->data[i] == ',' && run) {
            run = 0;
            n++;

        } else {
            return 0;
        }
    }

    return (run || list->len == 0) && n < HD_KB_LIST_MAX;
}


void
hd_kb_validate(hd_txn_t *txn, const hd_kb_article_t *a, hd_errors_t *errors)
{
    size_t           i, n;
    uint64_t         ids[HD_KB_LIST_MAX];
    hd_product_t     p;
    hd_kb_article_t  other;

    hd_errors_text(errors, "title", &a->title, HD_KB_TITLE_MAX,
                   "title_required", "title_invalid", "title_too_long");

    if (a->body.len == 0) {
        hd_errors_add(errors, "body", "body_required");

    } else if (a->body.len > HD_KB_BODY_MAX
               || !hd_utf8_valid(a->body.data, a->body.len)
               || !hd_text_printable(a->body.data, a->body.len, 1))
    {
        hd_errors_add(errors, "body", a->body.len > HD_KB_BODY_MAX
                                      ? "body_too_long" : "body_invalid");
    }

    if (a->language >= HD_LANG_COUNT) {
        hd_errors_add(errors, "language", "language_invalid");
    }

    if (a->audience >= HD_KB_AUDIENCE_COUNT) {
        hd_errors_add(errors, "audience", "audience_invalid");
    }

    if (a->state >= HD_KB_STATE_COUNT) {
        hd_errors_add(errors, "state", "state_invalid");
    }

    hd_errors_text(errors, "tags", &a->tags, HD_KB_TAGS_MAX, NULL,
                   "tags_invalid", "tags_too_long");
    hd_errors_text(errors, "versions", &a->versions, HD_KB_TAGS_MAX, NULL,
                   "versions_invalid", "versions_too_long");

    if (!hd_kb_ids_valid(&a->products)) {
        hd_errors_add(errors, "products", "product_unknown");

    } else if (txn != NULL) {
        n = hd_kb_ids(&a->products, ids, HD_KB_LIST_MAX);

        for (i = 0; i < n; i++) {
            if (hd_product_get(txn, ids[i], &p) != HD_OK) {
                hd_errors_add(errors, "products", "product_unknown");
                break;
            }
        }
    }

    if (!hd_kb_ids_valid(&a->related)) {
        hd_errors_add(errors, "related", "article_unknown");

    } else if (txn != NULL) {
        n = hd_kb_ids(&a->related, ids, HD_KB_LIST_MAX);

        for (i = 0; i < n; i++) {
            if (ids[i] == a->id || hd_kb_get(txn, ids[i], &other) != HD_OK) {
                hd_errors_add(errors, "related", "article_unknown");
                break;
            }
        }
    }
}


hd_rc
hd_kb_get(hd_txn_t *txn, uint64_t id, hd_kb_article_t *a)
{
    hd_uchar  key[8];

    hd_be64_put(key, id);

    return hd_record_get(txn, HD_DB_KB_ARTICLES, key, 8, &hd_kb_article_desc,
                         a);
}


uint64_t
hd_kb_generation(hd_txn_t *txn)
{
    uint64_t  g = 0;

    (void) hd_seq_peek(txn, "kb_generation", &g);

    return g;
}


int
hd_kb_visible(const hd_kb_article_t *a, hd_kb_reader_e reader)
{
    switch (reader) {
    case HD_KB_STAFF:
        return 1;
    case HD_KB_CUSTOMER:
        return a->state == HD_KB_PUBLISHED && a->audience != HD_KB_INTERNAL;
    default:
        return a->state == HD_KB_PUBLISHED && a->audience == HD_KB_PUBLIC;
    }
}


hd_kb_reader_e
hd_kb_reader(const hd_account_t *account)
{
    if (account == NULL) {
        return HD_KB_VISITOR;
    }

    return account->role == HD_ROLE_CUSTOMER ? HD_KB_CUSTOMER : HD_KB_STAFF;
}


/* Cyrillic letters in Latin ones, for addresses people can read */
static const char  *hd_kb_translit[] = {
    "a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n",
    "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "",
    "y", "", "e", "yu", "ya"
};


static void
hd_kb_slug(hd_pool_t *pool, const hd_str_t *title, hd_uchar *out,
    hd_str_t *slug)
{
    size_t           n = 0, len;
    hd_uchar        *lower;
    const char      *t;
    unsigned         c;
    const hd_uchar  *p, *end;

    slug->len = 0;
    slug->data = (hd_uchar *) "";

    lower = hd_text_lower(pool, title->data, title->len);

    if (lower == NULL) {
        return;
    }

    p = lower;
    end = p + title->len;

    while (p < end && n < HD_KB_SLUG_MAX) {
        t = NULL;
        len = 1;

        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
            out[n++] = *p++;
            continue;
        }

        if (*p == 0xd0 || *p == 0xd1) {
            len = 2;

            if (p + 1 < end) {
                c = ((unsigned) (p[0] & 0x1f) << 6) | (p[1] & 0x3f);

                if (c >= 0x430 && c <= 0x44f) {
                    t = hd_kb_translit[c - 0x430];

                } else if (c == 0x451) {
                    t = "e";
                }
            }

        } else if (*p >= 0xc0) {
            len = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
        }

        p += len;

        if (t != NULL) {
            while (*t && n < HD_KB_SLUG_MAX) {
                out[n++] = (hd_uchar) *t++;
            }

            continue;
        }

        if (n && out[n - 1] != '-') {
            out[n++] = '-';
        }
    }

    while (n && out[n - 1] == '-') {
        n--;
    }

    slug->data = out;
    slug->len = n;
}


/* what the index keeps of an article in each posting: who may find it */
uint32_t
hd_kb_sub(const hd_kb_article_t *a)
{
    return ((uint32_t) a->state << 8) | ((uint32_t) a->audience << 4)
           | a->language;
}


int
hd_kb_plain(hd_pool_t *pool, const hd_kb_article_t *a, hd_str_t *text)
{
    hd_str_t   body;
    hd_uchar  *p;

    if (hd_markdown_text(pool, &a->body, &body) != 0) {
        return -1;
    }

    if (a->tags.len == 0) {
        *text = body;
        return 0;
    }

    /* tags are words of the article too */
    p = hd_palloc(pool, body.len + a->tags.len + 1);
    if (p == NULL) {
        return -1;
    }

    memcpy(p, body.data, body.len);
    p[body.len] = '\n';
    memcpy(p + body.len + 1, a->tags.data, a->tags.len);

    text->data = p;
    text->len = body.len + 1 + a->tags.len;

    return 0;
}


static hd_rc
hd_kb_index(hd_txn_t *txn, const hd_kb_article_t *a, hd_err_t *err)
{
    hd_rc       rc;
    hd_str_t    text;
    hd_arena_t  *arena;
    hd_pool_t   *pool;

    arena = hd_arena_create(16384);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    pool = &arena->pool;

    if (hd_kb_plain(pool, a, &text) != 0) {
        hd_arena_destroy(arena);
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_search_add(txn, HD_SEARCH_KB, a->id, hd_kb_sub(a), &a->title,
                       &text, 1, err);

    hd_arena_destroy(arena);

    return rc;
}


/* the list's entry: updated, id -> state, audience, language, products */
static hd_rc
hd_kb_listed(hd_txn_t *txn, const hd_kb_article_t *a, int put, hd_err_t *err)
{
    size_t    len;
    hd_uchar  key[16], val[3 + 256];

    hd_be64_put(key, a->updated);
    hd_be64_put(key + 8, a->id);

    if (!put) {
        return hd_db_del(txn, HD_DB_KB_BY_UPDATED, key, 16, err);
    }

    val[0] = a->state;
    val[1] = a->audience;
    val[2] = a->language;
    len = a->products.len < 256 ? a->products.len : 256;
    memcpy(val + 3, a->products.data, len);

    return hd_db_put(txn, HD_DB_KB_BY_UPDATED, key, 16, val, 3 + len, 0, err);
}


hd_rc
hd_kb_save(hd_txn_t *txn, hd_kb_article_t *a, uint64_t editor, uint64_t now,
    hd_err_t *err)
{
    hd_rc             rc;
    hd_uchar          key[12];
    hd_arena_t       *arena;
    hd_pool_t        *pool;
    hd_kb_article_t   old;
    hd_kb_revision_t  r;

    arena = hd_arena_create(1024);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    pool = &arena->pool;

    if (a->id == 0) {
        rc = hd_seq_next(txn, "kb_articles", &a->id, err);
        if (rc != HD_OK) {
            goto done;
        }

        a->created = now;
        a->author = editor;
        a->revision = 1;

    } else {
        rc = hd_kb_get(txn, a->id, &old);
        if (rc != HD_OK) {
            rc = rc == HD_NOT_FOUND
                 ? hd_err_set(err, rc, NULL, "not_found", "no such article")
                 : rc;
            goto done;
        }

        /* the old record's strings point into the map: out before writes */
        rc = hd_search_remove(txn, HD_SEARCH_KB, old.id, hd_kb_sub(&old),
                              err);
        if (rc == HD_OK) {
            rc = hd_kb_listed(txn, &old, 0, err);
        }

        if (rc != HD_OK) {
            goto done;
        }

        a->created = old.created;
        a->author = old.author;
        a->revision = old.revision + 1;

        if (a->ticket == 0) {
            a->ticket = old.ticket;
        }
    }

    a->editor = editor;
    a->updated = now;

    /* the slug follows the title; the id alone finds the article */
    hd_kb_slug(pool, &a->title, a->slug_made, &a->slug);

    hd_be64_put(key, a->id);

    rc = hd_record_put(txn, HD_DB_KB_ARTICLES, key, 8, &hd_kb_article_desc, a,
                       0, err);
    if (rc != HD_OK) {
        goto done;
    }

    memset(&r, 0, sizeof(r));
    r.article = a->id;
    r.revision = a->revision;
    r.title = a->title;
    r.body = a->body;
    r.audience = a->audience;
    r.state = a->state;
    r.editor = editor;
    r.time = now;

    hd_be32_put(key + 8, a->revision);

    rc = hd_record_put(txn, HD_DB_KB_REVISIONS, key, 12, &hd_kb_revision_desc,
                       &r, 0, err);
    if (rc != HD_OK) {
        goto done;
    }

    rc = hd_kb_listed(txn, a, 1, err);
    if (rc == HD_OK) {
        rc = hd_kb_index(txn, a, err);
    }

    /* what readers were told from the index before this is out of date */
    if (rc == HD_OK) {
        uint64_t  generation;

        rc = hd_seq_next(txn, "kb_generation", &generation, err);
    }

done:

    hd_arena_destroy(arena);

    return rc;
}


void
hd_kb_stats_get(hd_txn_t *txn, uint64_t id, hd_kb_stats_t *s)
{
    hd_str_t  v;
    hd_uchar  key[8];

    memset(s, 0, sizeof(*s));
    hd_be64_put(key, id);

    if (hd_db_get(txn, HD_DB_KB_STATS, key, 8, &v) != HD_OK
        || v.len < HD_KB_STATS_LEN)
    {
        return;
    }

    s->views = hd_be64_get(v.data);
    s->helpful = hd_be32_get(v.data + 8);
    s->unhelpful = hd_be32_get(v.data + 12);
    s->deflections = hd_be32_get(v.data + 16);
    s->shown = hd_be32_get(v.data + 20);
}


hd_rc
hd_kb_stats_put(hd_txn_t *txn, uint64_t id, const hd_kb_stats_t *s,
    hd_err_t *err)
{
    hd_uchar  key[8], v[HD_KB_STATS_LEN];

    hd_be64_put(key, id);
    hd_be64_put(v, s->views);
    hd_be32_put(v + 8, s->helpful);
    hd_be32_put(v + 12, s->unhelpful);
    hd_be32_put(v + 16, s->deflections);
    hd_be32_put(v + 20, s->shown);

    return hd_db_put(txn, HD_DB_KB_STATS, key, 8, v, sizeof(v), 0, err);
}


hd_rc
hd_kb_views_add(hd_txn_t *txn, const uint64_t *ids, const uint32_t *counts,
    size_t n, hd_err_t *err)
{
    hd_rc            rc;
    size_t           i;
    hd_kb_stats_t    s;
    hd_kb_article_t  a;

    for (i = 0; i < n; i++) {
        /* an article deleted meanwhile counts nothing */
        if (hd_kb_get(txn, ids[i], &a) != HD_OK) {
            continue;
        }

        hd_kb_stats_get(txn, ids[i], &s);
        s.views += counts[i];

        rc = hd_kb_stats_put(txn, ids[i], &s, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    return HD_OK;
}


hd_rc
hd_kb_vote(hd_txn_t *txn, uint64_t id, const hd_uchar voter[32], int helpful,
    hd_err_t *err)
{
    hd_rc            rc;
    hd_str_t         v;
    hd_uchar         key[40], mark;
    hd_kb_stats_t    s;
    hd_kb_article_t  a;

    if (hd_kb_get(txn, id, &a) != HD_OK) {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                          "no such article");
    }

    hd_be64_put(key, id);
    memcpy(key + 8, voter, 32);

    hd_kb_stats_get(txn, id, &s);

    /* a voter who changes their mind: the earlier vote taken back */
    if (hd_db_get(txn, HD_DB_KB_VOTES, key, sizeof(key), &v) == HD_OK
        && v.len == 1)
    {
        if (v.data[0] == (helpful != 0)) {
            return HD_OK;
        }

        if (v.data[0] && s.helpful) {
            s.helpful--;

        } else if (!v.data[0] && s.unhelpful) {
            s.unhelpful--;
        }
    }

    if (helpful) {
        s.helpful++;

    } else {
        s.unhelpful++;
    }

    mark = helpful != 0;

    rc = hd_db_put(txn, HD_DB_KB_VOTES, key, sizeof(key), &mark, 1, 0, err);
    if (rc != HD_OK) {
        return rc;
    }

    return hd_kb_stats_put(txn, id, &s, err);
}


hd_rc
hd_kb_revisions(hd_txn_t *txn, uint64_t id, hd_pool_t *pool,
    hd_kb_revision_t **list, size_t *n)
{
    hd_rc              rc;
    size_t             cap = 16;
    hd_str_t           k, v;
    hd_uchar           key[12];
    hd_cursor_t        cur;
    hd_kb_revision_t  *items, *more, r;

    *n = 0;
    items = hd_palloc(pool, cap * sizeof(hd_kb_revision_t));
    if (items == NULL) {
        return HD_NOMEM;
    }

    rc = hd_cursor_open(txn, HD_DB_KB_REVISIONS, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    hd_be64_put(key, id);
    hd_be32_put(key + 8, 0);

    for (rc = hd_cursor_seek(&cur, key, 12, &k, &v);
         rc == HD_OK && k.len == 12 && memcmp(k.data, key, 8) == 0;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_kb_revision_desc, v.data, v.len, &r)
            != HD_OK
            || hd_record_strings_copy(&hd_kb_revision_desc, &r, pool) != 0)
        {
            continue;
        }

        if (*n == cap) {
            more = hd_palloc(pool, 2 * cap * sizeof(hd_kb_revision_t));
            if (more == NULL) {
                break;
            }

            memcpy(more, items, cap * sizeof(hd_kb_revision_t));
            items = more;
            cap *= 2;
        }

        items[(*n)++] = r;
    }

    hd_cursor_close(&cur);

    /* newest first */
    for (size_t i = 0; i < *n / 2; i++) {
        r = items[i];
        items[i] = items[*n - 1 - i];
        items[*n - 1 - i] = r;
    }

    *list = items;

    return HD_OK;
}


hd_rc
hd_kb_revision_get(hd_txn_t *txn, uint64_t id, uint32_t revision,
    hd_kb_revision_t *r)
{
    hd_uchar  key[12];

    hd_be64_put(key, id);
    hd_be32_put(key + 8, revision);

    return hd_record_get(txn, HD_DB_KB_REVISIONS, key, 12,
                         &hd_kb_revision_desc, r);
}


/* --- a line diff --------------------------------------------------------- */


#define HD_KB_DIFF_CELLS  (4 * 1024 * 1024)


static size_t
hd_kb_lines(hd_pool_t *pool, const hd_str_t *text, hd_str_t **lines)
{
    size_t           n = 0, cap;
    hd_str_t        *l;
    const hd_uchar  *p, *end, *nl;

    p = text->data;
    end = p + text->len;

    for (cap = 1, nl = p; nl < end; nl++) {
        cap += *nl == '\n';
    }

    l = hd_palloc(pool, cap * sizeof(hd_str_t));
    if (l == NULL) {
        *lines = NULL;
        return 0;
    }

    while (p < end && n < cap) {
        nl = memchr(p, '\n', end - p);
        if (nl == NULL) {
            nl = end;
        }

        l[n].data = (hd_uchar *) p;
        l[n].len = nl - p;

        if (l[n].len && l[n].data[l[n].len - 1] == '\r') {
            l[n].len--;
        }

        n++;
        p = nl + 1;
    }

    *lines = l;

    return n;
}


static int
hd_kb_line_eq(const hd_str_t *a, const hd_str_t *b)
{
    return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}


size_t
hd_kb_diff(hd_pool_t *pool, const hd_str_t *before, const hd_str_t *after,
    hd_kb_diff_line_t **lines)
{
    size_t              na, nb, i, j, k = 0, pre = 0, post = 0;
    uint32_t           *t;
    hd_str_t           *a, *b;
    hd_kb_diff_line_t  *out;

    na = hd_kb_lines(pool, before, &a);
    nb = hd_kb_lines(pool, after, &b);

    out = hd_palloc(pool, (na + nb + 1) * sizeof(hd_kb_diff_line_t));
    *lines = out;

    if (out == NULL) {
        return 0;
    }

    /* what is the same at both ends needs no table */
    while (pre < na && pre < nb && hd_kb_line_eq(&a[pre], &b[pre])) {
        out[k].op = '=';
        out[k++].line = a[pre++];
    }

    while (post < na - pre && post < nb - pre
           && hd_kb_line_eq(&a[na - 1 - post], &b[nb - 1 - post]))
    {
        post++;
    }

    size_t  ma = na - pre - post, mb = nb - pre - post;

    t = (ma + 1) * (mb + 1) <= HD_KB_DIFF_CELLS
        ? calloc((ma + 1) * (mb + 1), sizeof(uint32_t)) : NULL;

    if (t == NULL) {
        /* too big to compare line by line: all out, all in */
        for (i = 0; i < ma; i++) {
            out[k].op = '-';
            out[k++].line = a[pre + i];
        }

        for (j = 0; j < mb; j++) {
            out[k].op = '+';
            out[k++].line = b[pre + j];
        }

    } else {
        /* t[i][j]: the longest common run of a[i..] and b[j..] */
#define T(i, j)  t[(i) * (mb + 1) + (j)]
        for (i = ma; i-- > 0; /* void */) {
            for (j = mb; j-- > 0; /* void */) {
                T(i, j) = hd_kb_line_eq(&a[pre + i], &b[pre + j])
                          ? T(i + 1, j + 1) + 1
                          : (T(i + 1, j) > T(i, j + 1) ? T(i + 1, j)
                                                        : T(i, j + 1));
            }
        }

        for (i = 0, j = 0; i < ma || j < mb; /* void */) {
            if (i < ma && j < mb && hd_kb_line_eq(&a[pre + i], &b[pre + j])) {
                out[k].op = '=';
                out[k++].line = a[pre + i];
                i++;
                j++;

            } else if (j < mb && (i == ma || T(i, j + 1) >= T(i + 1, j))) {
                out[k].op = '+';
                out[k++].line = b[pre + j++];

            } else {
                out[k].op = '-';
                out[k++].line = a[pre + i++];
            }
        }
#undef T
        free(t);
    }

    for (i = na - post; i < na; i++) {
        out[k].op = '=';
        out[k++].line = a[i];
    }

    return k;
}

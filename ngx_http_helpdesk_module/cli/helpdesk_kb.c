/*
 * helpdesk kb: the knowledge base as files (export, import) and its index
 * made again. A file is Markdown with a small front matter:
 *
 *   ---
 *   title: Не подписывается документ
 *   language: ru
 *   audience: public
 *   state: published
 *   products: 1
 *   tags: подпись, ЭП
 *   ---
 *   the body...
 *
 * "id: N" updates that article (export writes it); without it, a new one.
 * An import is one transaction: a bad file changes nothing, and is named.
 */

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "helpdesk.h"
#include "hd_buf.h"
#include "hd_i18n.h"
#include "hd_kb.h"
#include "hd_ticket_search.h"
#include "hd_text.h"


#define HD_CLI_KB_USAGE                                                       \
    "usage: helpdesk kb export DIR | import DIR | reindex"


typedef struct {
    hd_arena_t   *arena;
    char        **names;            /* the files, sorted */
    size_t        n;
    const char   *dir;
    size_t        created;
    size_t        updated;
    const char   *failed;           /* the file that was refused */
    hd_errors_t   errors;
} hd_cli_kb_import_t;


static int
hd_cli_kb_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}


/* "key: value" lines between "---" lines; the rest is the body */
static int
hd_cli_kb_parse(hd_pool_t *pool, hd_buf_t *file, hd_kb_article_t *a,
    uint64_t *id, const char **bad)
{
    int        v;
    size_t     klen;
    hd_str_t   key, val;
    hd_uchar  *p, *end, *nl, *colon;

    p = file->data;
    end = p + file->len;
    *id = 0;
    *bad = NULL;

    if (file->len < 4 || memcmp(p, "---\n", 4) != 0) {
        *bad = "front matter (a first line \"---\")";
        return -1;
    }

    for (p += 4; p < end; p = nl + 1) {
        nl = memchr(p, '\n', end - p);
        if (nl == NULL) {
            *bad = "front matter (no closing \"---\")";
            return -1;
        }

        if (nl - p == 3 && memcmp(p, "---", 3) == 0) {
            a->body.data = nl + 1;
            a->body.len = end - nl - 1;
            return 0;
        }

        colon = memchr(p, ':', nl - p);
        if (colon == NULL) {
            *bad = "front matter (a line without \"key:\")";
            return -1;
        }

        key.data = p;
        key.len = colon - p;
        val.data = colon + 1;
        val.len = nl - colon - 1;
        hd_text_trim(&key);
        hd_text_trim(&val);
        val.data = hd_pstrdup(pool, val.data, val.len);
        klen = key.len;

#define HD_KEY(name)  (klen == sizeof(name) - 1                               \
                       && memcmp(key.data, name, klen) == 0)

        if (HD_KEY("id")) {
            *id = strtoull((char *) hd_pstrdup(pool, val.data, val.len), NULL,
                           10);

        } else if (HD_KEY("title")) {
            a->title = val;

        } else if (HD_KEY("language")) {
            for (v = 0; v < HD_LANG_COUNT; v++) {
                if (hd_str_eq(&val, hd_langs[v].code)) {
                    a->language = (uint8_t) v;
                    break;
                }
            }

            if (v == HD_LANG_COUNT) {
                *bad = "language (ru or en)";
                return -1;
            }

        } else if (HD_KEY("audience")) {
            v = hd_kb_audience_from_name(val.data, val.len);
            if (v < 0) {
                *bad = "audience (public, customers or internal)";
                return -1;
            }

            a->audience = (uint8_t) v;

        } else if (HD_KEY("state")) {
            v = hd_kb_state_from_name(val.data, val.len);
            if (v < 0) {
                *bad = "state (draft, published or archived)";
                return -1;
            }

            a->state = (uint8_t) v;

        } else if (HD_KEY("products")) {
            a->products = val;

        } else if (HD_KEY("tags")) {
            a->tags = val;

        } else if (HD_KEY("versions")) {
            a->versions = val;

        } else if (HD_KEY("related")) {
            a->related = val;

        } else if (!HD_KEY("slug") && !HD_KEY("updated")) {
            *bad = "front matter (an unknown key)";
            return -1;
        }
#undef HD_KEY
    }

    *bad = "front matter (no closing \"---\")";
    return -1;
}


/* "1, 4" as the core keeps it: "1,4" */
static void
hd_cli_kb_ids(hd_pool_t *pool, hd_str_t *list)
{
    size_t    i, n;
    uint64_t  ids[HD_KB_LIST_MAX];
    hd_buf_t  b;

    for (i = 0; i < list->len; i++) {
        if (!(list->data[i] >= '0' && list->data[i] <= '9')
            && list->data[i] != ',' && list->data[i] != ' ')
        {
            return;     /* left as it is: validation names it */
        }
    }

    n = hd_kb_ids(list, ids, HD_KB_LIST_MAX);
    hd_buf_init(&b);

    for (i = 0; i < n; i++) {
        hd_buf_printf(&b, "%s%llu", i ? "," : "", (unsigned long long) ids[i]);
    }

    list->len = b.len;
    list->data = hd_pstrdup(pool, b.data ? b.data : (hd_uchar *) "", b.len);
    hd_buf_free(&b);
}


static hd_rc
hd_cli_kb_import_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    size_t               i;
    char                 path[PATH_MAX];
    hd_rc                rc;
    uint64_t             id;
    hd_buf_t             file;
    hd_str_t             copy;
    const char          *bad;
    hd_kb_article_t      a, old;
    hd_cli_kb_import_t  *im = arg;
    hd_pool_t           *pool = &im->arena->pool;

    im->created = 0;
    im->updated = 0;

    for (i = 0; i < im->n; i++) {
        snprintf(path, sizeof(path), "%s/%s", im->dir, im->names[i]);
        im->failed = im->names[i];

        hd_buf_init(&file);

        if (hd_buf_read_file(&file, path) != 0) {
            hd_buf_free(&file);
            return hd_err_set(err, HD_IO, NULL, "io", "cannot read %s: %s",
                              path, strerror(errno));
        }

        memset(&a, 0, sizeof(a));
        hd_str_set(&a.title, "");
        hd_str_set(&a.products, "");
        hd_str_set(&a.tags, "");
        hd_str_set(&a.versions, "");
        hd_str_set(&a.related, "");
        a.state = HD_KB_DRAFT;

        /* the file's bytes are the article's: kept in the arena */
        copy.len = file.len;
        copy.data = hd_pstrdup(pool, file.data ? file.data : (hd_uchar *) "",
                               file.len);
        hd_buf_free(&file);

        if (copy.data == NULL) {
            return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
        }

        file.data = copy.data;
        file.len = copy.len;

        if (hd_cli_kb_parse(pool, &file, &a, &id, &bad) != 0) {
            return hd_err_set(err, HD_INVALID, NULL, "kb_file",
                              "%s: %s", im->names[i], bad);
        }

        hd_cli_kb_ids(pool, &a.products);
        hd_cli_kb_ids(pool, &a.related);

        if (id) {
            if (hd_kb_get(txn, id, &old) != HD_OK) {
                return hd_err_set(err, HD_NOT_FOUND, "id", "article_unknown",
                                  "%s: no article %llu to update",
                                  im->names[i], (unsigned long long) id);
            }

            a.id = id;
        }

        memset(&im->errors, 0, sizeof(im->errors));
        hd_kb_validate(txn, &a, &im->errors);

        if (im->errors.n) {
            return hd_err_set(err, HD_INVALID, im->errors.item[0].field,
                              im->errors.item[0].code, "%s: %s: %s",
                              im->names[i], im->errors.item[0].field,
                              im->errors.item[0].code);
        }

        rc = hd_kb_save(txn, &a, 0, (uint64_t) time(NULL), err);
        if (rc != HD_OK) {
            return rc;
        }

        if (id) {
            im->updated++;

        } else {
            im->created++;
        }
    }

    im->failed = NULL;

    return HD_OK;
}


static int
hd_cli_kb_import(hd_cli_t *cli, const char *dir)
{
    int                  rc;
    DIR                 *d;
    size_t               cap = 64, len;
    hd_err_t             err;
    struct dirent       *e;
    hd_cli_kb_import_t   im;

    memset(&im, 0, sizeof(im));
    im.dir = dir;

    d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "helpdesk: kb import: cannot open %s: %s\n", dir,
                strerror(errno));
        return 1;
    }

    im.arena = hd_arena_create(64 * 1024);
    im.names = malloc(cap * sizeof(char *));

    if (im.arena == NULL || im.names == NULL) {
        closedir(d);
        fprintf(stderr, "helpdesk: kb import: out of memory\n");
        return 1;
    }

    while ((e = readdir(d)) != NULL) {
        len = strlen(e->d_name);

        if (len < 4 || strcmp(e->d_name + len - 3, ".md") != 0
            || e->d_name[0] == '.')
        {
            continue;
        }

        if (im.n == cap) {
            cap *= 2;
            im.names = realloc(im.names, cap * sizeof(char *));
            if (im.names == NULL) {
                closedir(d);
                fprintf(stderr, "helpdesk: kb import: out of memory\n");
                return 1;
            }
        }

        im.names[im.n++] = (char *) hd_pstrdup(&im.arena->pool, e->d_name,
                                               len + 1);
    }

    closedir(d);

    if (im.n == 0) {
        fprintf(stderr, "helpdesk: kb import: no .md files in %s\n", dir);
        free(im.names);
        hd_arena_destroy(im.arena);
        return 1;
    }

    qsort(im.names, im.n, sizeof(char *), hd_cli_kb_name_cmp);

    rc = hd_txn_run(cli->store, hd_cli_kb_import_txn, &im, &err) == HD_OK
         ? 0 : 1;

    if (rc == 0) {
        printf("%zu articles imported: %zu new, %zu updated\n",
               im.created + im.updated, im.created, im.updated);

    } else {
        fprintf(stderr, "helpdesk: kb import: %s; nothing was imported\n",
                err.text);
    }

    free(im.names);
    hd_arena_destroy(im.arena);

    return rc;
}


static int
hd_cli_kb_export(hd_cli_t *cli, const char *dir)
{
    FILE             *f;
    char              path[PATH_MAX];
    size_t            i, n, total;
    hd_txn_t          txn;
    hd_err_t          err;
    hd_arena_t       *arena;
    hd_kb_filter_t    filter;
    hd_kb_article_t  *list;

    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "helpdesk: kb export: cannot make %s: %s\n", dir,
                strerror(errno));
        return 1;
    }

    arena = hd_arena_create(64 * 1024);
    if (arena == NULL || hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err)
                         != HD_OK)
    {
        fprintf(stderr, "helpdesk: kb export: cannot read the store\n");
        return 1;
    }

    /* everything: drafts and archived ones too */
    memset(&filter, 0, sizeof(filter));
    filter.reader = HD_KB_STAFF;
    filter.language = -1;
    filter.audience = -1;
    filter.state = -1;

    n = 0;

    for (int s = 0; s < HD_KB_STATE_COUNT; s++) {
        filter.state = s;

        if (hd_kb_list(&txn, &filter, 0, 10000000, &arena->pool, &list, &n,
                       &total)
            != HD_OK)
        {
            hd_txn_abort(&txn);
            fprintf(stderr, "helpdesk: kb export: cannot list the articles\n");
            return 1;
        }

        for (i = 0; i < n; i++) {
            snprintf(path, sizeof(path), "%s/%llu-%.*s.md", dir,
                     (unsigned long long) list[i].id,
                     (int) list[i].slug.len, list[i].slug.data);

            f = fopen(path, "w");
            if (f == NULL) {
                hd_txn_abort(&txn);
                fprintf(stderr, "helpdesk: kb export: cannot write %s: %s\n",
                        path, strerror(errno));
                return 1;
            }

            fprintf(f, "---\nid: %llu\ntitle: %.*s\nlanguage: %s\n"
                    "audience: %s\nstate: %s\nproducts: %.*s\ntags: %.*s\n"
                    "versions: %.*s\nrelated: %.*s\n---\n%.*s",
                    (unsigned long long) list[i].id,
                    (int) list[i].title.len, list[i].title.data,
                    hd_langs[list[i].language % HD_LANG_COUNT].code,
                    hd_kb_audience_names[list[i].audience
                                         % HD_KB_AUDIENCE_COUNT],
                    hd_kb_state_names[list[i].state % HD_KB_STATE_COUNT],
                    (int) list[i].products.len, list[i].products.data,
                    (int) list[i].tags.len, list[i].tags.data,
                    (int) list[i].versions.len, list[i].versions.data,
                    (int) list[i].related.len, list[i].related.data,
                    (int) list[i].body.len, list[i].body.data);

            if (fclose(f) != 0) {
                hd_txn_abort(&txn);
                fprintf(stderr, "helpdesk: kb export: cannot write %s\n", path);
                return 1;
            }
        }

        total = n;
        printf("%zu %s\n", total, hd_kb_state_names[s]);
    }

    hd_txn_abort(&txn);
    hd_arena_destroy(arena);

    return 0;
}


static hd_rc
hd_cli_kb_reindex_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    return hd_kb_reindex(txn, arg, err);
}


int
hd_cli_kb(hd_cli_t *cli)
{
    size_t    n;
    hd_err_t  err;

    if (cli->argc == 2 && strcmp(cli->argv[0], "import") == 0) {
        return hd_cli_kb_import(cli, cli->argv[1]);
    }

    if (cli->argc == 2 && strcmp(cli->argv[0], "export") == 0) {
        return hd_cli_kb_export(cli, cli->argv[1]);
    }

    if (cli->argc == 1 && strcmp(cli->argv[0], "reindex") == 0) {
        if (hd_txn_run(cli->store, hd_cli_kb_reindex_txn, &n, &err) != HD_OK) {
            fprintf(stderr, "helpdesk: kb reindex: %s\n", err.text);
            return 1;
        }

        printf("%zu articles indexed\n", n);
        return 0;
    }

    fprintf(stderr, "helpdesk: kb: %s\n", HD_CLI_KB_USAGE);

    return 2;
}


/* helpdesk search reindex [--batch N]: the tickets' messages indexed again,
   N messages (and N keys cleared) a transaction */
int
hd_cli_search(hd_cli_t *cli)
{
    char      *end;
    uint64_t   n;
    hd_err_t   err;
    unsigned long long  batch = 2000;

    if (cli->argc == 3 && strcmp(cli->argv[1], "--batch") == 0) {
        batch = strtoull(cli->argv[2], &end, 10);

        if (*end != '\0' || batch == 0 || batch > 1000000) {
            fprintf(stderr, "helpdesk: search reindex: --batch wants a "
                    "number of messages from 1 to 1000000, not \"%s\"\n",
                    cli->argv[2]);
            return 2;
        }

    } else if (cli->argc != 1) {
        batch = 0;
    }

    if (batch == 0 || strcmp(cli->argv[0], "reindex") != 0) {
        fprintf(stderr, "helpdesk: search: usage: helpdesk search reindex "
                "[--batch N]\n");
        return 2;
    }

    hd_err_clear(&err);

    if (hd_ticket_reindex(cli->store, (size_t) batch, &n, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: search reindex: %s\n", err.text);
        return 1;
    }

    printf("%llu ticket messages indexed\n", (unsigned long long) n);

    return 0;
}

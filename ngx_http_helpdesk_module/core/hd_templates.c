/*
 * Loading the templates directory: walking it, compiling templates, reading
 * catalogues (and checking that every language has every text), and assets.
 */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "hd_buf.h"
#include "hd_crypto.h"
#include "hd_json.h"
#include "hd_templates.h"


#define HD_TEMPLATE_EXT  ".mustache"


static const struct {
    const char  *ext;
    const char  *type;
} hd_asset_types[] = {
    { ".css",   "text/css; charset=utf-8" },
    { ".js",    "text/javascript; charset=utf-8" },
    { ".svg",   "image/svg+xml" },
    { ".png",   "image/png" },
    { ".ico",   "image/x-icon" },
    { ".woff2", "font/woff2" },
    { ".txt",   "text/plain; charset=utf-8" },
};


static int
hd_templates_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char * const *) a, *(char * const *) b);
}


/* the entries of a directory, sorted, without dot files; NULL on error */
static char **
hd_templates_list(const char *dir, size_t *n)
{
    DIR            *d;
    char          **names, **grown;
    size_t          cap = 16;
    struct dirent  *e;

    d = opendir(dir);
    if (d == NULL) {
        return NULL;
    }

    names = malloc(cap * sizeof(char *));
    *n = 0;

    while (names != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }

        if (*n == cap) {
            cap *= 2;
            grown = realloc(names, cap * sizeof(char *));
            if (grown == NULL) {
                break;
            }
            names = grown;
        }

        names[(*n)++] = strdup(e->d_name);
    }

    closedir(d);

    if (names != NULL) {
        qsort(names, *n, sizeof(char *), hd_templates_name_cmp);
    }

    return names;
}


static void
hd_templates_list_free(char **names, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        free(names[i]);
    }

    free(names);
}


static int
hd_templates_is_dir(const char *path)
{
    struct stat  st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}


static int
hd_templates_ends_with(const char *s, const char *suffix)
{
    size_t  ls = strlen(s), lx = strlen(suffix);

    return ls > lx && strcmp(s + ls - lx, suffix) == 0;
}


/* compiles every template under dir/sub, recursively, named sub/file */
static hd_rc
hd_templates_compile_dir(hd_pool_t *pool, hd_templates_t *t,
    const char *sub, hd_err_t *err)
{
    hd_rc      rc = HD_OK;
    char       path[PATH_MAX], name[PATH_MAX];
    char     **names;
    size_t     i, n;
    hd_buf_t   src;
    hd_tpl_t  *tpl;

    snprintf(path, sizeof(path), "%s/%s", t->dir, sub);

    names = hd_templates_list(path, &n);
    if (names == NULL) {
        /* an absent folder is allowed: an operator may ship fewer */
        return errno == ENOENT ? HD_OK
               : hd_err_set(err, HD_IO, "templates", "io",
                            "cannot read \"%s\": %s", path, strerror(errno));
    }

    for (i = 0; i < n && rc == HD_OK; i++) {
        snprintf(path, sizeof(path), "%s/%s/%s", t->dir, sub, names[i]);
        snprintf(name, sizeof(name), "%s/%s", sub, names[i]);

        if (hd_templates_is_dir(path)) {
            rc = hd_templates_compile_dir(pool, t, name, err);
            continue;
        }

        if (!hd_templates_ends_with(names[i], HD_TEMPLATE_EXT)) {
            continue;
        }

        hd_buf_init(&src);

        if (hd_buf_read_file(&src, path) != 0) {
            rc = hd_err_set(err, HD_IO, "templates", "io",
                            "cannot read \"%s\": %s", path, strerror(errno));
            hd_buf_free(&src);
            break;
        }

        name[strlen(name) - sizeof(HD_TEMPLATE_EXT) + 1] = '\0';

        tpl = hd_tpl_compile(pool, name, path, src.data, src.len, err);
        hd_buf_free(&src);

        if (tpl == NULL) {
            rc = err ? err->rc : HD_INVALID;
            break;
        }

        if (hd_tpl_set_add(t->set, tpl) != 0) {
            rc = hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
        }
    }

    hd_templates_list_free(names, n);

    return rc;
}


/* every key of a is in b, with the same shape; the first missing named */
static int
hd_templates_same_keys(const hd_val_t *a, const hd_val_t *b, char *path,
    size_t size)
{
    size_t          len;
    hd_val_t       *other;
    hd_val_item_t  *item;

    for (item = a->u.items.head; item; item = item->next) {
        len = strlen(path);
        snprintf(path + len, size - len, "%s%.*s", len ? "." : "",
                 (int) item->key.len, item->key.data);

        other = hd_val_get(b, item->key.data, item->key.len);

        if (other == NULL || other->type != item->val->type) {
            return -1;
        }

        if (item->val->type == HD_VAL_MAP
            && hd_templates_same_keys(item->val, other, path, size) != 0)
        {
            return -1;
        }

        path[len] = '\0';
    }

    return 0;
}


static hd_rc
hd_templates_catalogues(hd_pool_t *pool, hd_templates_t *t, hd_err_t *err)
{
    char          path[PATH_MAX], key[256];
    size_t        i, k;
    json_t       *json;
    json_error_t  jerr;

    for (i = 0; i < HD_LANG_COUNT; i++) {
        snprintf(path, sizeof(path), "%s/i18n/%s.json", t->dir,
                 hd_langs[i].code);

        json = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        if (json == NULL) {
            return hd_err_set(err, HD_INVALID, "templates", "catalogue",
                              "%s:%d: %s", path, jerr.line, jerr.text);
        }

        if (!json_is_object(json)) {
            json_decref(json);
            return hd_err_set(err, HD_INVALID, "templates", "catalogue",
                              "%s: not a JSON object", path);
        }

        t->catalog[i] = hd_json_to_val(pool, json);
        json_decref(json);

        if (t->catalog[i] == NULL) {
            return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
        }
    }

    /* a text missing in one language would show up as a blank on a page */
    for (i = 0; i < HD_LANG_COUNT; i++) {
        for (k = 0; k < HD_LANG_COUNT; k++) {
            key[0] = '\0';

            if (k != i
                && hd_templates_same_keys(t->catalog[i], t->catalog[k], key,
                                          sizeof(key))
                   != 0)
            {
                return hd_err_set(err, HD_INVALID, "templates", "catalogue",
                                  "%s/i18n/%s.json: the text \"%s\" of %s.json "
                                  "is missing or of another kind", t->dir,
                                  hd_langs[k].code, key, hd_langs[i].code);
            }
        }
    }

    return HD_OK;
}


static hd_rc
hd_templates_assets(hd_pool_t *pool, hd_templates_t *t, hd_err_t *err)
{
    char         path[PATH_MAX];
    char       **names;
    size_t       i, k, n;
    hd_buf_t     body;
    hd_uchar     hash[HD_SHA256_LEN];
    hd_asset_t  *a;

    snprintf(path, sizeof(path), "%s/static", t->dir);

    names = hd_templates_list(path, &n);
    if (names == NULL) {
        return errno == ENOENT ? HD_OK
               : hd_err_set(err, HD_IO, "templates", "io",
                            "cannot read \"%s\": %s", path, strerror(errno));
    }

    t->assets = hd_pcalloc(pool, (n ? n : 1) * sizeof(hd_asset_t));
    if (t->assets == NULL) {
        hd_templates_list_free(names, n);
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    for (i = 0; i < n; i++) {
        for (k = 0; k < sizeof(hd_asset_types) / sizeof(hd_asset_types[0]);
             k++)
        {
            if (hd_templates_ends_with(names[i], hd_asset_types[k].ext)) {
                break;
            }
        }

        if (k == sizeof(hd_asset_types) / sizeof(hd_asset_types[0])) {
            continue;       /* an unknown kind is not served */
        }

        snprintf(path, sizeof(path), "%s/static/%s", t->dir, names[i]);

        hd_buf_init(&body);

        if (hd_buf_read_file(&body, path) != 0) {
            hd_buf_free(&body);
            hd_templates_list_free(names, n);
            return hd_err_set(err, HD_IO, "templates", "io",
                              "cannot read \"%s\": %s", path,
                              strerror(errno));
        }

        a = &t->assets[t->nassets++];
        a->name.len = strlen(names[i]);
        a->name.data = hd_pstrdup(pool, names[i], a->name.len);
        a->type = hd_asset_types[k].type;
        a->body.len = body.len;
        a->body.data = hd_pstrdup(pool, body.data, body.len);

        hd_sha256(body.data, body.len, hash);
        a->etag[0] = '"';
        hd_hex_encode(a->etag + 1, hash, 8);
        a->etag[17] = '"';
        a->etag[18] = '\0';

        hd_buf_free(&body);

        if (a->name.data == NULL || a->body.data == NULL) {
            hd_templates_list_free(names, n);
            return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
        }
    }

    hd_templates_list_free(names, n);

    return HD_OK;
}


hd_rc
hd_templates_load(hd_pool_t *pool, const char *dir,
    hd_templates_t **templates, hd_err_t *err)
{
    hd_rc            rc;
    hd_templates_t  *t;

    static const char  *folders[] = { "partials", "pages", "mail" };
    size_t             i;

    if (!hd_templates_is_dir(dir)) {
        return hd_err_set(err, HD_NOT_FOUND, "templates", "no_templates",
                          "the templates directory \"%s\" does not exist",
                          dir);
    }

    t = hd_pcalloc(pool, sizeof(hd_templates_t));
    if (t == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    t->dir = (char *) hd_pstrdup(pool, dir, strlen(dir));
    t->set = hd_tpl_set_create(pool);

    if (t->dir == NULL || t->set == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    for (i = 0; i < sizeof(folders) / sizeof(folders[0]); i++) {
        rc = hd_templates_compile_dir(pool, t, folders[i], err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    rc = hd_tpl_set_link(t->set, 1, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_templates_catalogues(pool, t, err);
    if (rc != HD_OK) {
        return rc;
    }

    /* each language's pages with its texts already in them */
    for (i = 0; i < HD_LANG_COUNT; i++) {
        t->pages[i] = hd_tpl_set_fold(pool, t->set, "t", t->catalog[i], err);
        if (t->pages[i] == NULL) {
            return err->rc != HD_OK ? err->rc : HD_NOMEM;
        }
    }

    rc = hd_templates_assets(pool, t, err);
    if (rc != HD_OK) {
        return rc;
    }

    *templates = t;

    return HD_OK;
}


const hd_asset_t *
hd_templates_asset(const hd_templates_t *templates, const hd_uchar *name,
    size_t len)
{
    size_t  i;

    for (i = 0; i < templates->nassets; i++) {
        if (templates->assets[i].name.len == len
            && memcmp(templates->assets[i].name.data, name, len) == 0)
        {
            return &templates->assets[i];
        }
    }

    return NULL;
}

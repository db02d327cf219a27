/*
 * Files of knowledge-base articles (images shown in the text, attachments
 * listed under it): the same file store and the same reference counts as
 * tickets' attachments (hd_blob_ref), so that a content shared by both
 * stays while either names it and the sweep takes it when neither does.
 * Who may read one is who may read its article.
 */

#include "hd_kb.h"
#include "hd_schema.h"
#include "hd_store.h"
#include "hd_ticket.h"


/* what readers were told of the article (its page, its files) is old */
static hd_rc
hd_kb_files_changed(hd_txn_t *txn, hd_err_t *err)
{
    uint64_t  generation;

    return hd_seq_next(txn, "kb_generation", &generation, err);
}


hd_rc
hd_kb_file_add(hd_txn_t *txn, uint64_t article, const hd_upload_t *f,
    uint64_t author, uint64_t now, hd_attachment_t *a, hd_err_t *err)
{
    hd_rc             rc;
    size_t            n;
    hd_uchar          key[16];
    hd_attachment_t  *list;
    hd_kb_article_t   art;
    hd_arena_t       *arena;

    if (hd_kb_get(txn, article, &art) != HD_OK) {
        return hd_err_set(err, HD_NOT_FOUND, "article", "not_found",
                          "no such article");
    }

    arena = hd_arena_create(4096);
    if (arena == NULL) {
        return HD_NOMEM;
    }

    rc = hd_kb_file_list(txn, article, &arena->pool, &list, &n);
    hd_arena_destroy(arena);

    if (rc != HD_OK) {
        return rc;
    }

    if (n >= HD_KB_FILES_MAX) {
        return hd_err_set(err, HD_INVALID, "attachments", "too_many_files",
                          "an article has as many files as it may");
    }

    memset(a, 0, sizeof(*a));
    a->ticket = article;
    a->name = f->name;
    a->type = f->type;
    a->size = f->size;
    a->sha256.data = (hd_uchar *) f->sha256;
    a->sha256.len = HD_SHA256_LEN;
    a->author = author;
    a->created = now;

    rc = hd_blob_ref(txn, f->sha256, f->size, now, 1, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_seq_next(txn, "kb_file", &a->id, err);
    if (rc != HD_OK) {
        return rc;
    }

    hd_be64_put(key, article);
    hd_be64_put(key + 8, a->id);

    rc = hd_record_put(txn, HD_DB_KB_FILES, key, 16, &hd_attachment_desc, a,
                       HD_PUT_NEW, err);

    return rc == HD_OK ? hd_kb_files_changed(txn, err) : rc;
}


hd_rc
hd_kb_file_get(hd_txn_t *txn, uint64_t article, uint64_t id,
    hd_attachment_t *a)
{
    return hd_ticket_record_get(txn, HD_DB_KB_FILES, article, id,
                                &hd_attachment_desc, a);
}


hd_rc
hd_kb_file_list(hd_txn_t *txn, uint64_t article, hd_pool_t *pool,
    hd_attachment_t **list, size_t *n)
{
    return hd_ticket_records(txn, HD_DB_KB_FILES, article,
                             &hd_attachment_desc, NULL, 0, pool,
                             (void **) list, n);
}


hd_rc
hd_kb_file_remove(hd_txn_t *txn, uint64_t article, uint64_t id,
    hd_err_t *err)
{
    hd_rc            rc;
    hd_uchar         key[16], sha[HD_SHA256_LEN];
    hd_attachment_t  a;

    if (hd_kb_file_get(txn, article, id, &a) != HD_OK
        || a.sha256.len != HD_SHA256_LEN)
    {
        return hd_err_set(err, HD_NOT_FOUND, "file", "not_found",
                          "no such file of the article");
    }

    /* the record's bytes go with its deletion */
    memcpy(sha, a.sha256.data, HD_SHA256_LEN);

    hd_be64_put(key, article);
    hd_be64_put(key + 8, id);

    rc = hd_db_del(txn, HD_DB_KB_FILES, key, 16, err);
    if (rc == HD_OK) {
        rc = hd_blob_ref(txn, sha, a.size, a.created, -1, err);
    }

    return rc == HD_OK ? hd_kb_files_changed(txn, err) : rc;
}

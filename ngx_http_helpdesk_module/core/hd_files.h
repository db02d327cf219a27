/*
 * The file store (SPEC §5.7): attachment contents on local disk, once per
 * SHA-256, as <dir>/<2 hex>/<64 hex>. An upload is written to <dir>/tmp/,
 * fsynced, and renamed into place before any transaction refers to it, so
 * that the database never names a file that is not on disk.
 */

#ifndef HD_FILES_H
#define HD_FILES_H


#include <limits.h>

#include "hd_core.h"
#include "hd_crypto.h"


/* "ab/abcdef...": the path of a content below the store's directory */
#define HD_FILE_REL_LEN  (3 + 2 * HD_SHA256_LEN)


typedef struct {
    int            fd;
    uint64_t       size;
    hd_sha256_t   *hash;
    char           path[PATH_MAX];  /* the temporary file */
} hd_file_writer_t;


/* the store's directory and its tmp/, created when missing */
hd_rc hd_files_prepare(const char *dir, hd_err_t *err);

hd_rc hd_file_begin(hd_file_writer_t *w, const char *dir, hd_err_t *err);
hd_rc hd_file_write(hd_file_writer_t *w, const void *data, size_t len,
    hd_err_t *err);
/* the content is on disk (fsynced) and hashed; the file stays temporary */
hd_rc hd_file_finish(hd_file_writer_t *w, hd_uchar sha256[HD_SHA256_LEN],
    hd_err_t *err);
/* an unfinished or unwanted temporary file goes */
void hd_file_discard(hd_file_writer_t *w);

/* the same without their fsyncs, for many files made durable together by
   hd_files_sync_all (one syncfs of the store's file system) */
hd_rc hd_file_finish_unsynced(hd_file_writer_t *w,
    hd_uchar sha256[HD_SHA256_LEN], hd_err_t *err);
hd_rc hd_file_store_unsynced(const char *dir, const char *tmp,
    const hd_uchar sha256[HD_SHA256_LEN], hd_err_t *err);
hd_rc hd_files_sync_all(const char *dir, hd_err_t *err);

/*
 * The temporary file becomes the content's file (or goes, when the store
 * has that content already), and the rename is made durable
 */
hd_rc hd_file_store(const char *dir, const char *tmp,
    const hd_uchar sha256[HD_SHA256_LEN], hd_err_t *err);

void hd_file_rel_path(const hd_uchar sha256[HD_SHA256_LEN],
    char out[HD_FILE_REL_LEN + 1]);

/* the stored content's size, or -1 when it is not there */
/* the SHA-256 of what the stored file holds: 0, or -1 when unreadable */
int hd_file_digest(const char *dir, const hd_uchar sha256[HD_SHA256_LEN],
    hd_uchar out[HD_SHA256_LEN]);

int64_t hd_file_size(const char *dir, const hd_uchar sha256[HD_SHA256_LEN]);

/*
 * Every stored content of src into dst (a backup): hard links where the
 * file system allows, copies elsewhere; contents dst has are kept
 */
/* a stored file's name (64 hex digits) as its SHA-256; -1 when it is not */
int hd_file_name_sha(const char *name, hd_uchar sha256[HD_SHA256_LEN]);

/*
 * The timer's sweep of the store: files in tmp/ older than a day, and stored
 * files older than a week that no attachment refers to (at most
 * HD_FILES_SWEEP_MAX a run), removed; the counts are added to meta
 * (HD_FILES_SWEPT_*, for the metrics)
 */
#define HD_FILES_TMP_AGE       86400
#define HD_FILES_ORPHAN_AGE    (7 * 86400)
#define HD_FILES_SWEEP_MAX     1000
#define HD_FILES_SWEPT_TMP     "files_swept_tmp"
#define HD_FILES_SWEPT_ORPHANS "files_swept_orphans"

typedef struct {
    size_t        tmp_removed;
    size_t        orphans_removed;
} hd_files_sweep_t;

hd_rc hd_files_sweep(hd_store_t *store, const char *files, uint64_t now,
    hd_files_sweep_t *out, hd_err_t *err);
uint64_t hd_files_swept(hd_txn_t *txn, const char *key);

hd_rc hd_files_copy(const char *src, const char *dst, size_t *copied,
    hd_err_t *err);


#endif /* HD_FILES_H */

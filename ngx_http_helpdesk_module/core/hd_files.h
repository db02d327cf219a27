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
hd_rc hd_files_copy(const char *src, const char *dst, size_t *copied,
    hd_err_t *err);


#endif /* HD_FILES_H */

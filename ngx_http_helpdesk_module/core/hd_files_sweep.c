/*
 * The attachment store swept by the timer: partial uploads a crash left in
 * tmp/ (older than a day) and stored files nothing refers to (older than a
 * week) removed, each counted in meta for the metrics.
 *
 * An orphan is removed only in a write transaction that sees no reference
 * to it, after it is moved aside into tmp/: an upload of the same content
 * touches the stored file (hd_file_store) before its transaction refers to
 * it, so a file moved aside that turns out fresh was wanted and goes back;
 * an upload that finds it already gone stores its own copy.
 */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hd_files.h"
#include "hd_store.h"
#include "hd_ticket.h"


/* a counter in meta, kept across restarts and upgrades */
static hd_rc
hd_sweep_count(hd_txn_t *txn, const char *key, uint64_t delta, hd_err_t *err)
{
    hd_uchar  buf[8];
    uint64_t  v;
    hd_str_t  old;

    v = hd_db_get(txn, HD_DB_META, key, strlen(key), &old) == HD_OK
        && old.len == 8
        ? hd_be64_get(old.data) : 0;

    hd_be64_put(buf, v + delta);

    return hd_db_put(txn, HD_DB_META, key, strlen(key), buf, 8, 0, err);
}


static hd_rc
hd_sweep_count_tmp(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    return hd_sweep_count(txn, HD_FILES_SWEPT_TMP, *(size_t *) arg, err);
}


uint64_t
hd_files_swept(hd_txn_t *txn, const char *key)
{
    hd_str_t  v;

    return hd_db_get(txn, HD_DB_META, key, strlen(key), &v) == HD_OK
           && v.len == 8
           ? hd_be64_get(v.data) : 0;
}


/* tmp/: what is older than a day is a crash's leftover */
static size_t
hd_sweep_tmp(const char *files, uint64_t now)
{
    char            path[PATH_MAX];
    DIR            *dir;
    size_t          n = 0;
    struct stat     st;
    struct dirent  *d;

    snprintf(path, sizeof(path), "%s/tmp", files);

    dir = opendir(path);
    if (dir == NULL) {
        return 0;
    }

    while ((d = readdir(dir)) != NULL) {
        if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) {
            continue;
        }

        snprintf(path, sizeof(path), "%s/tmp/%s", files, d->d_name);

        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)
            && (uint64_t) st.st_mtime + HD_FILES_TMP_AGE < now
            && unlink(path) == 0)
        {
            n++;
        }
    }

    closedir(dir);

    return n;
}


/* stored files older than a week, whatever refers to them (checked later) */
static size_t
hd_sweep_old(const char *files, uint64_t now, hd_uchar *found, size_t max)
{
    char            path[PATH_MAX];
    DIR            *top, *sub;
    size_t          n = 0;
    struct stat     st;
    struct dirent  *d, *f;

    top = opendir(files);
    if (top == NULL) {
        return 0;
    }

    while (n < max && (d = readdir(top)) != NULL) {
        if (strlen(d->d_name) != 2 || d->d_name[0] == '.') {
            continue;
        }

        snprintf(path, sizeof(path), "%s/%s", files, d->d_name);

        sub = opendir(path);
        if (sub == NULL) {
            continue;
        }

        while (n < max && (f = readdir(sub)) != NULL) {
            if (hd_file_name_sha(f->d_name, found + n * HD_SHA256_LEN) != 0) {
                continue;
            }

            snprintf(path, sizeof(path), "%s/%s/%s", files, d->d_name,
                     f->d_name);

            if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)
                && (uint64_t) st.st_mtime + HD_FILES_ORPHAN_AGE < now)
            {
                n++;
            }
        }

        closedir(sub);
    }

    closedir(top);

    return n;
}


typedef struct {
    const char    *files;
    uint64_t       now;
    hd_uchar      *sha;         /* n candidates */
    size_t         n;
    unsigned char *aside;       /* 1: moved to tmp/.orphan-HEX */
    size_t         removed;
} hd_sweep_job_t;


static void
hd_sweep_paths(const hd_sweep_job_t *job, size_t i, char *path, char *aside)
{
    char  rel[HD_FILE_REL_LEN + 1];

    hd_file_rel_path(job->sha + i * HD_SHA256_LEN, rel);
    snprintf(path, PATH_MAX, "%s/%s", job->files, rel);
    snprintf(aside, PATH_MAX, "%s/tmp/.orphan-%s", job->files, rel + 3);
}


/* back where it was (an upload wanted it, or the transaction failed) */
static void
hd_sweep_restore(const char *path, const char *aside)
{
    if (link(aside, path) != 0 && errno != EEXIST) {
        (void) rename(aside, path);
        return;
    }

    /* linked back, or an upload stored the same content meanwhile */
    (void) unlink(aside);
}


static hd_rc
hd_sweep_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    char             path[PATH_MAX], aside[PATH_MAX];
    hd_rc            rc;
    size_t           i;
    hd_blob_t        b;
    struct stat      st;
    const hd_uchar  *sha;
    hd_sweep_job_t  *job = arg;

    job->removed = 0;

    for (i = 0; i < job->n; i++) {
        sha = job->sha + i * HD_SHA256_LEN;
        job->aside[i] = 0;

        rc = hd_record_get(txn, HD_DB_BLOBS, sha, HD_SHA256_LEN,
                           &hd_blob_desc, &b);
        if (rc == HD_OK && b.refs > 0) {
            continue;
        }

        hd_sweep_paths(job, i, path, aside);

        if (rename(path, aside) != 0) {
            continue;
        }

        /* touched by an upload since it was found: wanted after all */
        if (lstat(aside, &st) != 0
            || (uint64_t) st.st_mtime + HD_FILES_ORPHAN_AGE >= job->now)
        {
            hd_sweep_restore(path, aside);
            continue;
        }

        if (rc == HD_OK) {
            rc = hd_db_del(txn, HD_DB_BLOBS, sha, HD_SHA256_LEN, err);
            if (rc != HD_OK) {
                hd_sweep_restore(path, aside);
                return rc;
            }
        }

        job->aside[i] = 1;
        job->removed++;
    }

    if (job->removed == 0) {
        return HD_OK;
    }

    return hd_sweep_count(txn, HD_FILES_SWEPT_ORPHANS, job->removed, err);
}


hd_rc
hd_files_sweep(hd_store_t *store, const char *files, uint64_t now,
    hd_files_sweep_t *out, hd_err_t *err)
{
    char            path[PATH_MAX], aside[PATH_MAX];
    hd_rc           rc;
    size_t          i;
    hd_sweep_job_t  job;

    memset(out, 0, sizeof(hd_files_sweep_t));

    out->tmp_removed = hd_sweep_tmp(files, now);

    if (out->tmp_removed) {
        rc = hd_txn_run(store, hd_sweep_count_tmp, &out->tmp_removed, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    memset(&job, 0, sizeof(job));
    job.files = files;
    job.now = now;
    job.sha = malloc(HD_FILES_SWEEP_MAX * HD_SHA256_LEN);
    job.aside = malloc(HD_FILES_SWEEP_MAX);

    if (job.sha == NULL || job.aside == NULL) {
        free(job.sha);
        free(job.aside);
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    job.n = hd_sweep_old(files, now, job.sha, HD_FILES_SWEEP_MAX);
    rc = HD_OK;

    if (job.n) {
        rc = hd_txn_run(store, hd_sweep_txn, &job, err);

        for (i = 0; i < job.n; i++) {
            if (!job.aside[i]) {
                continue;
            }

            hd_sweep_paths(&job, i, path, aside);

            if (rc == HD_OK) {
                (void) unlink(aside);

            } else {
                hd_sweep_restore(path, aside);
            }
        }

        out->orphans_removed = rc == HD_OK ? job.removed : 0;
    }

    free(job.sha);
    free(job.aside);

    return rc;
}

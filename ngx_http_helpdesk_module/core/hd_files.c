/*
 * The content-addressed file store of attachments.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* syncfs() */
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hd_files.h"


static hd_rc
hd_files_mkdir(const char *path, hd_err_t *err)
{
    if (mkdir(path, 0700) == -1 && errno != EEXIST) {
        return hd_err_set(err, HD_IO, NULL, "io", "cannot create \"%s\": %s",
                          path, strerror(errno));
    }

    return HD_OK;
}


static hd_rc
hd_files_sync_dir(const char *path, hd_err_t *err)
{
    int  fd, rc;

    fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd == -1) {
        return hd_err_set(err, HD_IO, NULL, "io", "cannot open \"%s\": %s",
                          path, strerror(errno));
    }

    rc = fsync(fd);
    close(fd);

    if (rc == -1) {
        return hd_err_set(err, HD_IO, NULL, "io", "fsync(\"%s\"): %s", path,
                          strerror(errno));
    }

    return HD_OK;
}


hd_rc
hd_files_prepare(const char *dir, hd_err_t *err)
{
    hd_rc  rc;
    char   tmp[PATH_MAX];

    if ((size_t) snprintf(tmp, sizeof(tmp), "%s/tmp", dir) >= sizeof(tmp)) {
        return hd_err_set(err, HD_INVALID, NULL, "path_too_long",
                          "the file store's path is too long");
    }

    rc = hd_files_mkdir(dir, err);
    if (rc != HD_OK) {
        return rc;
    }

    return hd_files_mkdir(tmp, err);
}


hd_rc
hd_file_begin(hd_file_writer_t *w, const char *dir, hd_err_t *err)
{
    char      name[2 * 16 + 1];
    hd_uchar  rnd[16];

    memset(w, 0, sizeof(*w));
    w->fd = -1;

    if (hd_random(rnd, sizeof(rnd)) != 0) {
        return hd_err_set(err, HD_IO, NULL, "io", "no random bytes");
    }

    name[hd_hex_encode(name, rnd, sizeof(rnd))] = '\0';

    if ((size_t) snprintf(w->path, sizeof(w->path), "%s/tmp/%s", dir, name)
        >= sizeof(w->path))
    {
        return hd_err_set(err, HD_INVALID, NULL, "path_too_long",
                          "the file store's path is too long");
    }

    w->hash = hd_sha256_begin();
    if (w->hash == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    w->fd = open(w->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    if (w->fd == -1 && errno == ENOENT) {
        /* the directory went away (a restore?): made again */
        if (hd_files_prepare(dir, err) == HD_OK) {
            w->fd = open(w->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                         0600);
        }
    }

    if (w->fd == -1) {
        hd_sha256_end(w->hash, NULL);
        w->hash = NULL;
        return hd_err_set(err, HD_IO, NULL, "io", "cannot create \"%s\": %s",
                          w->path, strerror(errno));
    }

    return HD_OK;
}


hd_rc
hd_file_write(hd_file_writer_t *w, const void *data, size_t len,
    hd_err_t *err)
{
    ssize_t          n;
    const hd_uchar  *p = data;

    hd_sha256_update(w->hash, data, len);
    w->size += len;

    while (len) {
        n = write(w->fd, p, len);

        if (n == -1) {
            if (errno == EINTR) {
                continue;
            }

            return hd_err_set(err, errno == ENOSPC ? HD_FULL : HD_IO, NULL,
                              errno == ENOSPC ? "storage_full" : "io",
                              "writing \"%s\": %s", w->path, strerror(errno));
        }

        p += n;
        len -= n;
    }

    return HD_OK;
}


static hd_rc
hd_file_finish_sync(hd_file_writer_t *w, hd_uchar sha256[HD_SHA256_LEN],
    int sync, hd_err_t *err)
{
    int  rc;

    hd_sha256_end(w->hash, sha256);
    w->hash = NULL;

    rc = sync ? fsync(w->fd) : 0;
    close(w->fd);
    w->fd = -1;

    if (rc == -1) {
        return hd_err_set(err, HD_IO, NULL, "io", "fsync(\"%s\"): %s",
                          w->path, strerror(errno));
    }

    return HD_OK;
}


hd_rc
hd_file_finish(hd_file_writer_t *w, hd_uchar sha256[HD_SHA256_LEN],
    hd_err_t *err)
{
    return hd_file_finish_sync(w, sha256, 1, err);
}


hd_rc
hd_file_finish_unsynced(hd_file_writer_t *w, hd_uchar sha256[HD_SHA256_LEN],
    hd_err_t *err)
{
    return hd_file_finish_sync(w, sha256, 0, err);
}


void
hd_file_discard(hd_file_writer_t *w)
{
    if (w->hash != NULL) {
        hd_sha256_end(w->hash, NULL);
        w->hash = NULL;
    }

    if (w->fd != -1) {
        close(w->fd);
        w->fd = -1;
    }

    if (w->path[0]) {
        (void) unlink(w->path);
        w->path[0] = '\0';
    }
}


void
hd_file_rel_path(const hd_uchar sha256[HD_SHA256_LEN],
    char out[HD_FILE_REL_LEN + 1])
{
    char  hex[2 * HD_SHA256_LEN];

    hd_hex_encode(hex, sha256, HD_SHA256_LEN);

    out[0] = hex[0];
    out[1] = hex[1];
    out[2] = '/';
    memcpy(out + 3, hex, sizeof(hex));
    out[HD_FILE_REL_LEN] = '\0';
}


/* a stored file's name (64 hex digits) as its SHA-256; -1 when it is not */
int
hd_file_name_sha(const char *name, hd_uchar sha256[HD_SHA256_LEN])
{
    int     hi, lo;
    size_t  i;

    if (strlen(name) != 2 * HD_SHA256_LEN) {
        return -1;
    }

    for (i = 0; i < HD_SHA256_LEN; i++) {
        hi = hd_hex_digit(name[2 * i]);
        lo = hd_hex_digit(name[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            return -1;
        }

        sha256[i] = (hd_uchar) (hi << 4 | lo);
    }

    return 0;
}


static hd_rc
hd_file_store_sync(const char *dir, const char *tmp,
    const hd_uchar sha256[HD_SHA256_LEN], int sync, hd_err_t *err)
{
    hd_rc        rc;
    char         rel[HD_FILE_REL_LEN + 1], path[PATH_MAX], sub[PATH_MAX];
    struct stat  st;

    hd_file_rel_path(sha256, rel);

    if ((size_t) snprintf(path, sizeof(path), "%s/%s", dir, rel)
        >= sizeof(path))
    {
        return hd_err_set(err, HD_INVALID, NULL, "path_too_long",
                          "the file store's path is too long");
    }

    /*
     * stored before: this copy is not needed, and the stored one is
     * touched, so that the timer's sweep of orphans (hd_files_sweep) sees
     * it wanted before this transaction refers to it
     */
    if (utimensat(AT_FDCWD, path, NULL, 0) == 0
        || (errno != ENOENT && stat(path, &st) == 0))
    {
        (void) unlink(tmp);
        return HD_OK;
    }

    snprintf(sub, sizeof(sub), "%s/%.2s", dir, rel);

    rc = hd_files_mkdir(sub, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (rename(tmp, path) == -1) {
        return hd_err_set(err, HD_IO, NULL, "io", "rename(\"%s\", \"%s\"): %s",
                          tmp, path, strerror(errno));
    }

    if (!sync) {
        return HD_OK;
    }

    rc = hd_files_sync_dir(sub, err);
    if (rc != HD_OK) {
        return rc;
    }

    return hd_files_sync_dir(dir, err);
}


hd_rc
hd_file_store(const char *dir, const char *tmp,
    const hd_uchar sha256[HD_SHA256_LEN], hd_err_t *err)
{
    return hd_file_store_sync(dir, tmp, sha256, 1, err);
}


hd_rc
hd_file_store_unsynced(const char *dir, const char *tmp,
    const hd_uchar sha256[HD_SHA256_LEN], hd_err_t *err)
{
    return hd_file_store_sync(dir, tmp, sha256, 0, err);
}


hd_rc
hd_files_sync_all(const char *dir, hd_err_t *err)
{
    int  fd, rc;

    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd == -1) {
        return hd_err_set(err, HD_IO, NULL, "io", "open(\"%s\"): %s", dir,
                          strerror(errno));
    }

    rc = syncfs(fd);
    close(fd);

    if (rc == -1) {
        return hd_err_set(err, HD_IO, NULL, "io", "syncfs(\"%s\"): %s", dir,
                          strerror(errno));
    }

    return HD_OK;
}


int
hd_file_digest(const char *dir, const hd_uchar sha256[HD_SHA256_LEN],
    hd_uchar out[HD_SHA256_LEN])
{
    int           fd;
    char          rel[HD_FILE_REL_LEN + 1], path[PATH_MAX];
    ssize_t       n;
    hd_uchar      buf[65536];
    hd_sha256_t  *h;

    hd_file_rel_path(sha256, rel);
    snprintf(path, sizeof(path), "%s/%s", dir, rel);

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        return -1;
    }

    h = hd_sha256_begin();
    if (h == NULL) {
        close(fd);
        return -1;
    }

    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        hd_sha256_update(h, buf, (size_t) n);
    }

    hd_sha256_end(h, out);
    close(fd);

    return n == 0 ? 0 : -1;
}


int64_t
hd_file_size(const char *dir, const hd_uchar sha256[HD_SHA256_LEN])
{
    char         rel[HD_FILE_REL_LEN + 1], path[PATH_MAX];
    struct stat  st;

    hd_file_rel_path(sha256, rel);
    snprintf(path, sizeof(path), "%s/%s", dir, rel);

    if (stat(path, &st) == -1) {
        return -1;
    }

    return (int64_t) st.st_size;
}


static hd_rc
hd_files_copy_one(const char *from, const char *to, hd_err_t *err)
{
    int      in, out;
    char     buf[65536];
    ssize_t  n;

    if (link(from, to) == 0) {
        return HD_OK;
    }

    in = open(from, O_RDONLY | O_CLOEXEC);
    if (in == -1) {
        return hd_err_set(err, HD_IO, NULL, "io", "open(\"%s\"): %s", from,
                          strerror(errno));
    }

    out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out == -1) {
        close(in);
        return hd_err_set(err, HD_IO, NULL, "io", "create(\"%s\"): %s", to,
                          strerror(errno));
    }

    while ((n = read(in, buf, sizeof(buf))) > 0) {
        if (write(out, buf, n) != n) {
            n = -1;
            break;
        }
    }

    if (n == 0 && fsync(out) == -1) {
        n = -1;
    }

    close(in);
    close(out);

    if (n != 0) {
        (void) unlink(to);
        return hd_err_set(err, HD_IO, NULL, "io", "copying \"%s\": %s", from,
                          strerror(errno));
    }

    return HD_OK;
}


hd_rc
hd_files_copy(const char *src, const char *dst, size_t *copied, hd_err_t *err)
{
    DIR            *top, *sub;
    char            from[PATH_MAX], to[PATH_MAX];
    hd_rc           rc = HD_OK;
    struct stat     st;
    struct dirent  *d, *f;

    *copied = 0;

    top = opendir(src);
    if (top == NULL) {
        return errno == ENOENT ? HD_OK
               : hd_err_set(err, HD_IO, NULL, "io", "opendir(\"%s\"): %s",
                            src, strerror(errno));
    }

    rc = hd_files_mkdir(dst, err);

    /* the two-level layout: <2 hex>/<64 hex>; tmp/ is not content */
    while (rc == HD_OK && (d = readdir(top)) != NULL) {
        if (strlen(d->d_name) != 2 || strcmp(d->d_name, "..") == 0) {
            continue;
        }

        snprintf(from, sizeof(from), "%s/%s", src, d->d_name);
        snprintf(to, sizeof(to), "%s/%s", dst, d->d_name);

        sub = opendir(from);
        if (sub == NULL) {
            continue;
        }

        rc = hd_files_mkdir(to, err);

        while (rc == HD_OK && (f = readdir(sub)) != NULL) {
            if (strlen(f->d_name) != 2 * HD_SHA256_LEN) {
                continue;
            }

            snprintf(from, sizeof(from), "%s/%s/%s", src, d->d_name,
                     f->d_name);
            snprintf(to, sizeof(to), "%s/%s/%s", dst, d->d_name, f->d_name);

            if (stat(to, &st) == 0) {
                continue;
            }

            rc = hd_files_copy_one(from, to, err);
            (*copied)++;
        }

        closedir(sub);
    }

    closedir(top);

    return rc;
}

/*
 * Faults on demand, for t/105-attack-faults.t: an LD_PRELOAD library that makes a
 * call fail while a file named after the fault exists in the directory
 * $HELPDESK_FAULTS (read when the library loads, in nginx's master, so that
 * the workers have it too). A test creates and removes the files.
 *
 *   fsync      fsync, fdatasync, msync: EIO (a disk that loses writes)
 *   readers    a read-only mdb_txn_begin, mdb_txn_renew: MDB_READERS_FULL
 *   rand       RAND_bytes, RAND_priv_bytes: 0 (no randomness to be had)
 *   read-NAME  a cursor opened or renewed on the table NAME ("messages"):
 *              MDB_CORRUPTED (a table that cannot be read, the rest can)
 *
 * Each fault that fires is counted in "<fault>.fired" of the directory.
 */

#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>


static char  fault_dir[512];


__attribute__((constructor))
static void
fault_init(void)
{
    const char  *dir = getenv("HELPDESK_FAULTS");

    if (dir != NULL) {
        snprintf(fault_dir, sizeof(fault_dir), "%s", dir);
    }
}


/* whether the fault is on now; when it is, the firing is counted */
static int
fault_on(const char *name)
{
    int          fd, saved = errno;
    char         path[600];
    struct stat  st;

    if (fault_dir[0] == '\0') {
        return 0;
    }

    snprintf(path, sizeof(path), "%s/%s", fault_dir, name);

    if (stat(path, &st) != 0) {
        errno = saved;
        return 0;
    }

    snprintf(path, sizeof(path), "%s/%s.fired", fault_dir, name);
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0666);
    if (fd != -1) {
        (void) write(fd, "x", 1);
        close(fd);
    }

    errno = saved;

    return 1;
}


#define fault_real(name)                                                      \
    static __typeof__(name) *real;                                            \
    if (real == NULL) {                                                       \
        real = (__typeof__(name) *) dlsym(RTLD_NEXT, #name);                  \
    }


int
fsync(int fd)
{
    fault_real(fsync);

    if (fault_on("fsync")) {
        errno = EIO;
        return -1;
    }

    return real(fd);
}


int
fdatasync(int fd)
{
    fault_real(fdatasync);

    if (fault_on("fsync")) {
        errno = EIO;
        return -1;
    }

    return real(fd);
}


int
msync(void *addr, size_t len, int flags)
{
    fault_real(msync);

    if (fault_on("fsync")) {
        errno = EIO;
        return -1;
    }

    return real(addr, len, flags);
}


int
mdb_txn_begin(MDB_env *env, MDB_txn *parent, unsigned int flags,
    MDB_txn **txn)
{
    fault_real(mdb_txn_begin);

    if ((flags & MDB_RDONLY) && fault_on("readers")) {
        return MDB_READERS_FULL;
    }

    return real(env, parent, flags, txn);
}


int
mdb_txn_renew(MDB_txn *txn)
{
    fault_real(mdb_txn_renew);

    if (fault_on("readers")) {
        return MDB_READERS_FULL;
    }

    return real(txn);
}


/* the tables' names by handle, as this process opened them */
#define FAULT_DBIS  128

static char  fault_dbi[FAULT_DBIS][32];


int
mdb_dbi_open(MDB_txn *txn, const char *name, unsigned int flags,
    MDB_dbi *dbi)
{
    int  rc;

    fault_real(mdb_dbi_open);

    rc = real(txn, name, flags, dbi);

    if (rc == 0 && name != NULL && *dbi < FAULT_DBIS) {
        snprintf(fault_dbi[*dbi], sizeof(fault_dbi[0]), "%s", name);
    }

    return rc;
}


static int
fault_table(MDB_dbi dbi)
{
    char  name[48];

    if (dbi >= FAULT_DBIS || fault_dbi[dbi][0] == '\0') {
        return 0;
    }

    snprintf(name, sizeof(name), "read-%s", fault_dbi[dbi]);

    return fault_on(name);
}


int
mdb_cursor_open(MDB_txn *txn, MDB_dbi dbi, MDB_cursor **cursor)
{
    fault_real(mdb_cursor_open);

    if (fault_table(dbi)) {
        return MDB_CORRUPTED;
    }

    return real(txn, dbi, cursor);
}


/* the store keeps its cursors and renews them for the next read */
int
mdb_cursor_renew(MDB_txn *txn, MDB_cursor *cursor)
{
    fault_real(mdb_cursor_renew);

    if (fault_table(mdb_cursor_dbi(cursor))) {
        return MDB_CORRUPTED;
    }

    return real(txn, cursor);
}


int
RAND_bytes(unsigned char *buf, int num)
{
    static int (*real)(unsigned char *, int);

    if (real == NULL) {
        real = (int (*)(unsigned char *, int)) dlsym(RTLD_NEXT, "RAND_bytes");
    }

    if (fault_on("rand")) {
        return 0;
    }

    return real(buf, num);
}


int
RAND_priv_bytes(unsigned char *buf, int num)
{
    static int (*real)(unsigned char *, int);

    if (real == NULL) {
        real = (int (*)(unsigned char *, int)) dlsym(RTLD_NEXT,
                                                     "RAND_priv_bytes");
    }

    if (fault_on("rand")) {
        return 0;
    }

    return real(buf, num);
}

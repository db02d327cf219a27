/*
 * What every fuzzer of the core includes: libFuzzer's entry point, a pool
 * for one input, a store (in /dev/shm, where fsync costs nothing) for the
 * parsers that read one. Each fuzz_*.c is built twice: with libFuzzer
 * (./build.sh fuzz) and with replay.c, which runs the seed corpora and the
 * inputs that once failed in the ordinary test suite.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE         /* memmem */
#endif

#ifndef HD_FUZZ_H
#define HD_FUZZ_H


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hd_core.h"
#include "hd_pool.h"
#include "hd_store.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/* the input as a C string of its own (the parsers may not read past it) */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
    char  *s = malloc(size + 1);

    if (s == NULL) {
        abort();
    }

    memcpy(s, data, size);
    s[size] = '\0';

    return s;
}


/* a copy of exactly size bytes: a read past it is a finding */
static inline hd_uchar *
fuzz_copy(const uint8_t *data, size_t size)
{
    hd_uchar  *p = malloc(size ? size : 1);

    if (p == NULL) {
        abort();
    }

    memcpy(p, data, size);

    return p;
}


/* one store for the whole run, removed when the process leaves */
static char  fuzz_store_dir[64];

static void
fuzz_store_remove(void)
{
    char  cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_store_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", fuzz_store_dir);
    }
}


static inline hd_store_t *
fuzz_store(void)
{
    static hd_store_t  *store;
    hd_err_t            err;

    if (store != NULL) {
        return store;
    }

    snprintf(fuzz_store_dir, sizeof(fuzz_store_dir), "%s/hd-fuzz-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");

    if (mkdtemp(fuzz_store_dir) == NULL
        || hd_store_open(&store, fuzz_store_dir, 64 << 20, &err) != HD_OK)
    {
        fprintf(stderr, "fuzz: no store in %s\n", fuzz_store_dir);
        abort();
    }

    atexit(fuzz_store_remove);

    return store;
}


#endif /* HD_FUZZ_H */

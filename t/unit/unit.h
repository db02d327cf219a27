/*
 * What every unit test of the core includes: cmocka and small helpers.
 * Tests print TAP (cmocka's TAP output), so that prove runs them.
 */

#ifndef HD_UNIT_H
#define HD_UNIT_H


#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hd_core.h"
#include "hd_pool.h"
#include "hd_buf.h"


static inline int
unit_run(const char *group, const struct CMUnitTest *tests, size_t n)
{
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return _cmocka_run_group_tests(group, tests, n, NULL, NULL);
}


/* a scratch directory under TMPDIR, removed by the caller with rm -rf */
static inline char *
unit_tmpdir(void)
{
    const char  *base = getenv("TMPDIR");
    char        *dir;

    dir = malloc(512);
    snprintf(dir, 512, "%s/hd-unit-XXXXXX", base ? base : "/tmp");

    return mkdtemp(dir);
}


static inline void
unit_rmdir(const char *dir)
{
    char  cmd[600];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "# could not remove %s\n", dir);
    }
}


/* a fresh store in a scratch directory, for a group's setup and teardown */
#include "hd_store.h"

static hd_store_t  *unit_store;
static char        *unit_store_dir;


static inline int
unit_store_setup(void **state)
{
    hd_err_t  err;

    (void) state;

    unit_store_dir = unit_tmpdir();

    return hd_store_open(&unit_store, unit_store_dir, 1 << 26, &err) == HD_OK
           ? 0 : -1;
}


static inline int
unit_store_teardown(void **state)
{
    (void) state;

    hd_store_close(unit_store);
    unit_rmdir(unit_store_dir);
    free(unit_store_dir);

    return 0;
}


/* the problems hd_schema_check finds in the unit store */
static inline size_t
unit_problems(void)
{
    size_t      n;
    hd_txn_t    txn;
    hd_err_t    err;
    hd_check_t  check;

    hd_buf_init(&check.report);
    check.problems = 0;
    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    hd_schema_check(&txn, &check);
    hd_txn_abort(&txn);
    n = check.problems;
    hd_buf_free(&check.report);

    return n;
}


#endif /* HD_UNIT_H */

/*
 * Staff's search timed in the core, without nginx: for finding where a
 * query's time goes (perf record build/search-probe ...).
 *
 *   build/search-probe -d DIR [-n TIMES] [-k] QUERY...
 *
 * -k: the knowledge base's suggestions as one types (GET /kb/suggest's
 * query: titles first, the last word a prefix) for a customer, instead.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hd_search.h"
#include "hd_store.h"
#include "hd_kb.h"
#include "hd_ticket_search.h"


static double
probe_now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return ts.tv_sec + ts.tv_nsec / 1e9;
}


static int
probe_cmp(const void *a, const void *b)
{
    double  x = *(const double *) a, y = *(const double *) b;

    return x < y ? -1 : x > y;
}


int
main(int argc, char **argv)
{
    int                 c, q, kb = 0;
    size_t              i, times = 200, n, total = 0;
    hd_search_count_t   count = { 0, 0 };
    double             *took, t0;
    hd_err_t            err;
    hd_txn_t            txn;
    hd_str_t            text;
    hd_arena_t         *arena;
    hd_store_t         *store;
    const char         *dir = NULL;
    hd_search_hit_t    *hits;
    hd_staff_scope_t    scope;

    while ((c = getopt(argc, argv, "d:n:k")) != -1) {
        switch (c) {
        case 'k':
            kb = 1;
            break;
        case 'd':
            dir = optarg;
            break;
        case 'n':
            times = strtoull(optarg, NULL, 10);
            break;
        default:
            fprintf(stderr, "usage: search-probe -d DIR [-n TIMES] [-k] "
                            "QUERY...\n");
            return 2;
        }
    }

    if (dir == NULL || optind == argc || times == 0) {
        fprintf(stderr, "usage: search-probe -d DIR [-n TIMES] QUERY...\n");
        return 2;
    }

    hd_err_clear(&err);

    if (hd_store_open(&store, dir, 0, &err) != HD_OK) {
        fprintf(stderr, "search-probe: %s\n", err.text);
        return 1;
    }

    memset(&scope, 0, sizeof(scope));
    scope.all = 1;
    took = malloc(times * sizeof(double));

    for (q = optind; q < argc && took != NULL; q++) {
        text.data = (hd_uchar *) argv[q];
        text.len = strlen(argv[q]);

        for (i = 0; i < times; i++) {
            arena = hd_arena_create(65536);
            t0 = probe_now();

            if (hd_txn_begin(store, &txn, HD_TXN_READ, &err) != HD_OK) {
                fprintf(stderr, "search-probe: %s\n", err.text);
                return 1;
            }

            if (kb) {
                hd_kb_filter_t  f = { HD_KB_CUSTOMER, 0, -1, -1, -1 };

                (void) hd_kb_search(&txn, &f, &text, 1, 0, 0, 5,
                                    &arena->pool, &hits, &n, &total);

            } else {
                (void) hd_ticket_search(&txn, &scope, &text, 0, 20,
                                        &arena->pool, &hits, &n, &total,
                                        &count);
            }
            hd_txn_abort(&txn);
            took[i] = probe_now() - t0;
            hd_arena_destroy(arena);
        }

        qsort(took, times, sizeof(double), probe_cmp);
        printf("%-40s %s%8zu found  median %7.2f ms  p99 %7.2f ms\n", argv[q],
               count.estimated ? "about " : "", total, took[times / 2] * 1e3, took[times * 99 / 100] * 1e3);
    }

    free(took);
    hd_store_close(store);

    return 0;
}

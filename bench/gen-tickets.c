/*
 * A generator of tickets for benchmarks: COUNT tickets in the data
 * directory, written by the core's own hd_ticket_put (every index kept)
 * with a description each, spread over AUTHORS made-up customers, in big
 * transactions. Built by `make bench` as build/gen-tickets.
 *
 *   build/gen-tickets -d DIR -n 1000000 [-a 10000]
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hd_store.h"
#include "hd_ticket.h"


#define GEN_BATCH  20000


int
main(int argc, char **argv)
{
    int            c;
    char           subject[64];
    const char    *dir = NULL;
    hd_rc          rc;
    uint64_t       count = 1000, authors = 10000, i, done, now;
    hd_err_t       err;
    hd_txn_t       txn;
    hd_store_t    *store;
    hd_ticket_t    t;
    hd_message_t   m;

    while ((c = getopt(argc, argv, "d:n:a:")) != -1) {
        switch (c) {
        case 'd':
            dir = optarg;
            break;
        case 'n':
            count = strtoull(optarg, NULL, 10);
            break;
        case 'a':
            authors = strtoull(optarg, NULL, 10);
            break;
        default:
            fprintf(stderr, "usage: gen-tickets -d DIR [-n COUNT] "
                    "[-a AUTHORS]\n");
            return 2;
        }
    }

    if (dir == NULL || authors == 0) {
        fprintf(stderr, "usage: gen-tickets -d DIR [-n COUNT] [-a AUTHORS]\n");
        return 2;
    }

    hd_err_clear(&err);

    if (hd_store_open(&store, dir, 0, &err) != HD_OK) {
        fprintf(stderr, "gen-tickets: %s\n", err.text);
        return 1;
    }

    now = (uint64_t) time(NULL) - count;

    for (done = 0; done < count; done += GEN_BATCH) {
        rc = hd_txn_begin(store, &txn, HD_TXN_WRITE, &err);

        for (i = done; rc == HD_OK && i < done + GEN_BATCH && i < count;
             i++)
        {
            memset(&t, 0, sizeof(t));
            snprintf(subject, sizeof(subject), "Generated ticket %llu",
                     (unsigned long long) i);
            t.subject.data = (hd_uchar *) subject;
            t.subject.len = strlen(subject);
            t.type = (uint8_t) (i % HD_TYPE_COUNT);
            t.severity = 3;
            t.department = 1 + i % 3;
            t.status = (uint8_t) (i % 5 == 0 ? HD_STATUS_CLOSED
                                  : i % 3 == 0 ? HD_STATUS_OPEN
                                  : HD_STATUS_NEW);
            t.priority = HD_PRIORITY_LOW;
            t.author = 1000000 + i % authors;      /* no real account */
            t.created = now + i;
            t.updated = now + i;
            t.last_replier = t.author;
            t.messages = 1;

            rc = hd_ticket_number(&txn, 1, &t.number, &err);
            if (rc != HD_OK) {
                break;
            }

            memset(&m, 0, sizeof(m));
            m.ticket = t.number;
            m.kind = HD_MESSAGE_CUSTOMER;
            m.author = t.author;
            hd_str_set(&m.body, "A description of a generated problem, about "
                       "as long as a short real one: what was done, what "
                       "happened, the error text.");
            m.created = t.created;

            rc = hd_message_add(&txn, &m, &err);
            if (rc == HD_OK) {
                rc = hd_ticket_put(&txn, NULL, &t, &err);
            }
        }

        if (rc == HD_OK) {
            rc = hd_txn_commit(&txn, &err);

        } else {
            hd_txn_abort(&txn);
        }

        if (rc != HD_OK) {
            fprintf(stderr, "gen-tickets: %s\n", err.text);
            hd_store_close(store);
            return 1;
        }
    }

    hd_store_close(store);

    printf("%llu tickets generated in %s\n", (unsigned long long) count, dir);

    return 0;
}

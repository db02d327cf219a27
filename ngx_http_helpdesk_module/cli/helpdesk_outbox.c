/*
 * helpdesk outbox: the e-mail the portal writes, what became of it, and an
 * administrator's hand on what failed (retry, drop).
 */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "helpdesk.h"
#include "hd_outbox.h"
#include "hd_store.h"


#define HD_CLI_OUTBOX_USAGE                                                  \
    "usage: helpdesk outbox list [--all | --state queued|sent|failed|"       \
    "dropped] [--limit N]\n"                                                 \
    "       helpdesk outbox show ID | retry ID | drop ID\n"


static void
hd_cli_time(char *out, size_t size, uint64_t t)
{
    time_t  tt = (time_t) t;

    if (t == 0) {
        snprintf(out, size, "-");
        return;
    }

    strftime(out, size, "%Y-%m-%d %H:%M:%S", gmtime(&tt));
}


static int
hd_cli_outbox_list(hd_cli_t *cli)
{
    int                 i, n;
    char                date[32];
    size_t              j, count, total;
    uint64_t            limit;
    hd_err_t            err;
    hd_txn_t            txn;
    hd_mail_t          *mail;
    hd_arena_t         *arena;
    hd_outbox_query_t   q;

    memset(&q, 0, sizeof(q));
    q.state = HD_OUTBOX_UNSENT;
    q.limit = (size_t) -1 / sizeof(hd_mail_t) / 2;

    for (i = 1; i < cli->argc; i++) {
        if (strcmp(cli->argv[i], "--all") == 0) {
            q.state = HD_OUTBOX_ANY;

        } else if (strcmp(cli->argv[i], "--state") == 0 && i + 1 < cli->argc) {
            for (n = 0; n < HD_MAIL_STATE_COUNT; n++) {
                if (strcmp(cli->argv[i + 1], hd_mail_state_names[n]) == 0) {
                    break;
                }
            }

            if (n == HD_MAIL_STATE_COUNT) {
                fprintf(stderr, "helpdesk: outbox list: no state \"%s\" "
                        "(queued, sent, failed or dropped)\n",
                        cli->argv[i + 1]);
                return 2;
            }

            q.state = n;
            i++;

        } else if (strcmp(cli->argv[i], "--limit") == 0 && i + 1 < cli->argc)
        {
            if (hd_cli_number("--limit", cli->argv[++i], 1, 1000000, &limit)
                != 0)
            {
                return 2;
            }

            q.limit = (size_t) limit;

        } else {
            fprintf(stderr, "helpdesk: outbox list: unknown option \"%s\"\n"
                    HD_CLI_OUTBOX_USAGE, cli->argv[i]);
            return 2;
        }
    }

    if (q.limit > 1000000) {
        q.limit = 1000000;
    }

    arena = hd_arena_create(65536);
    if (arena == NULL || hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err)
                         != HD_OK)
    {
        fprintf(stderr, "helpdesk: cannot read the outbox\n");
        hd_arena_destroy(arena);
        return 1;
    }

    /* newest first: the last ones are what a person looks for */
    if (hd_outbox_list(&txn, &q, &arena->pool, &mail, &count, &total)
        != HD_OK)
    {
        hd_txn_abort(&txn);
        hd_arena_destroy(arena);
        fprintf(stderr, "helpdesk: cannot read the outbox\n");
        return 1;
    }

    for (j = 0; j < count; j++) {
        hd_cli_time(date, sizeof(date), mail[j].created);

        printf("%llu\t%s\t%s\t%.*s\t%.*s\t%.*s\t%.*s\n",
               (unsigned long long) mail[j].id,
               hd_mail_state_names[mail[j].state % HD_MAIL_STATE_COUNT], date,
               (int) mail[j].kind.len, mail[j].kind.data,
               (int) mail[j].to.len, mail[j].to.data,
               (int) mail[j].subject.len, mail[j].subject.data,
               (int) mail[j].answer.len, mail[j].answer.data);
    }

    hd_txn_abort(&txn);
    hd_arena_destroy(arena);

    return 0;
}


static int
hd_cli_outbox_show(hd_cli_t *cli, uint64_t id)
{
    char       created[32], next[32], tried[32];
    hd_err_t   err;
    hd_txn_t   txn;
    hd_mail_t  m;

    if (hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: %s\n", err.text);
        return 1;
    }

    if (hd_outbox_get(&txn, id, &m) != HD_OK) {
        hd_txn_abort(&txn);
        fprintf(stderr, "helpdesk: there is no mail %llu in the outbox\n",
                (unsigned long long) id);
        return 1;
    }

    hd_cli_time(created, sizeof(created), m.created);
    hd_cli_time(next, sizeof(next),
                m.state == HD_MAIL_QUEUED ? m.next_attempt : 0);
    hd_cli_time(tried, sizeof(tried), m.tried);

    printf("Id: %llu\nState: %s\nKind: %.*s\nTo: %.*s <%.*s>\n"
           "Message-ID: %.*s\nCreated: %s\nAttempts: %u\nLast attempt: %s\n"
           "Next attempt: %s\nAnswer: %.*s\nSubject: %.*s\n\n%.*s",
           (unsigned long long) m.id,
           hd_mail_state_names[m.state % HD_MAIL_STATE_COUNT],
           (int) m.kind.len, m.kind.data,
           (int) m.to_name.len, m.to_name.data, (int) m.to.len, m.to.data,
           (int) m.message_id.len, m.message_id.data, created, m.attempts,
           tried, next, (int) m.answer.len, m.answer.data,
           (int) m.subject.len, m.subject.data,
           (int) m.body.len, m.body.data);

    hd_txn_abort(&txn);

    return 0;
}


int
hd_cli_outbox(hd_cli_t *cli)
{
    char       *end;
    hd_rc       rc;
    hd_err_t    err;
    uint64_t    id;

    if (cli->argc >= 1 && strcmp(cli->argv[0], "list") == 0) {
        return hd_cli_outbox_list(cli);
    }

    if (cli->argc != 2
        || (strcmp(cli->argv[0], "show") != 0
            && strcmp(cli->argv[0], "retry") != 0
            && strcmp(cli->argv[0], "drop") != 0))
    {
        fprintf(stderr, HD_CLI_OUTBOX_USAGE);
        return 2;
    }

    id = strtoull(cli->argv[1], &end, 10);

    if (*end != '\0' || id == 0) {
        fprintf(stderr, "helpdesk: outbox %s: \"%s\" is not the number of a "
                "mail (see outbox list)\n", cli->argv[0], cli->argv[1]);
        return 2;
    }

    if (strcmp(cli->argv[0], "show") == 0) {
        return hd_cli_outbox_show(cli, id);
    }

    hd_err_clear(&err);

    rc = strcmp(cli->argv[0], "retry") == 0
         ? hd_outbox_retry(cli->store, id, (uint64_t) time(NULL), &err)
         : hd_outbox_drop(cli->store, id, (uint64_t) time(NULL), &err);

    if (rc != HD_OK) {
        fprintf(stderr, "helpdesk: outbox %s: %s\n", cli->argv[0], err.text);
        return 1;
    }

    printf(strcmp(cli->argv[0], "retry") == 0
           ? "mail %llu is queued again: it goes with the next try\n"
           : "mail %llu is dropped: it will not be sent\n",
           (unsigned long long) id);

    return 0;
}

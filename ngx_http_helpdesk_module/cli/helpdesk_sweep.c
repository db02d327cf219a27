/*
 * helpdesk sweep --now TIME: the timer's work once, at a given instant, so
 * that operators and tests can see what happens on any date (SPEC §10.3).
 * The same core function the nginx timer calls, in batches until nothing
 * due is left.
 */

#include "helpdesk.h"

#include "hd_files.h"

#include "hd_date.h"


static int
hd_cli_period(const char *name, const char *s, hd_period_t *p)
{
    if (hd_period_parse((const hd_uchar *) s, strlen(s), p) != 0) {
        fprintf(stderr, "helpdesk: sweep: %s: invalid period \"%s\" (3d, "
                "24h, 30s or 0)\n", name, s);
        return -1;
    }

    return 0;
}


int
hd_cli_sweep(hd_cli_t *cli)
{
    int               c, have_now = 0;
    long              batch = HD_TIMER_BATCH;
    char             *end;
    size_t            batches = 0;
    hd_rc             rc;
    hd_err_t          err;
    uint64_t          now = 0;
    hd_arena_t       *arena;
    hd_sweep_t        sw, total;
    hd_portal_t       portal;
    hd_files_sweep_t  files;

    static struct option  opts[] = {
        { "now", required_argument, NULL, 'n' },
        { "batch", required_argument, NULL, 'b' },
        { "solved", required_argument, NULL, 's' },
        { "awaiting", required_argument, NULL, 'a' },
        { "reopen", required_argument, NULL, 'r' },
        { NULL, 0, NULL, 0 }
    };

    arena = hd_arena_create(64 * 1024);
    if (arena == NULL || hd_cli_mail_portal(cli, &arena->pool, &portal) != 0) {
        return 1;
    }

    /* the options follow the command's own name, which getopt skips */
    optind = 1;

    while ((c = getopt_long(cli->argc + 1, cli->argv - 1, "", opts, NULL))
           != -1)
    {
        switch (c) {
        case 'n':
            if (hd_date_instant((const hd_uchar *) optarg, strlen(optarg),
                                cli->work->calendars[cli->work->calendar]
                                .offset, (uint64_t) time(NULL), &now)
                != 0)
            {
                fprintf(stderr, "helpdesk: sweep: --now: invalid time \"%s\" "
                        "(\"2026-11-25 17:00\" in the portal's zone, or "
                        "@UNIX seconds)\n", optarg);
                return 2;
            }
            have_now = 1;
            break;
        case 'b':
            batch = strtol(optarg, &end, 10);
            if (*end != '\0' || batch < 1 || batch > 100000) {
                fprintf(stderr, "helpdesk: sweep: --batch: invalid number "
                        "\"%s\" (1-100000)\n", optarg);
                return 2;
            }
            break;
        case 's':
            if (hd_cli_period("--solved", optarg,
                              &cli->work->autoclose_solved) != 0)
            {
                return 2;
            }
            break;
        case 'a':
            if (hd_cli_period("--awaiting", optarg,
                              &cli->work->autoclose_awaiting) != 0)
            {
                return 2;
            }
            break;
        case 'r':
            if (hd_cli_period("--reopen", optarg, &portal.tickets.reopen)
                != 0)
            {
                return 2;
            }
            portal.tickets.reopen_enhancement = portal.tickets.reopen;
            break;
        default:
            return hd_cli_bad_option("sweep", cli->argv - 1);
        }
    }

    if (!have_now) {
        fprintf(stderr, "usage: helpdesk sweep --now TIME [--batch N] "
                "[--solved P] [--awaiting P] [--reopen P]\n");
        return 2;
    }

    memset(&total, 0, sizeof(total));
    hd_err_clear(&err);

    do {
        rc = hd_work_sweep(&portal, now, (size_t) batch, &sw, &err);
        if (rc != HD_OK) {
            fprintf(stderr, "helpdesk: sweep: %s\n", err.text);
            hd_arena_destroy(arena);
            return 1;
        }

        batches++;
        total.autoclosed += sw.autoclosed;
        total.at_risk += sw.at_risk;
        total.breached += sw.breached;
        total.mails += sw.mails;
    } while (sw.more);

    /* the attachment store too, as the timer sweeps it (hourly) */
    if (hd_files_sweep(cli->store, cli->files, now, &files, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: sweep: the attachment store: %s\n",
                err.text);
        hd_arena_destroy(arena);
        return 1;
    }

    printf("autoclosed %zu\nat_risk %zu\nbreached %zu\nmails %zu\n"
           "batches %zu\nfiles_tmp_removed %zu\nfiles_orphans_removed %zu\n",
           total.autoclosed, total.at_risk, total.breached, total.mails,
           batches, files.tmp_removed, files.orphans_removed);

    hd_arena_destroy(arena);

    return 0;
}

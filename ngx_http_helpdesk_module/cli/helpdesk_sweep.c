/*
 * helpdesk sweep --now TIME: the timer's work once, at a given instant, so
 * that operators and tests can see what happens on any date (SPEC §10.3).
 * The same core function the nginx timer calls, in batches until nothing
 * due is left.
 */

#include "helpdesk.h"

#include "hd_date.h"


/* "@1795300000", "now", or "YYYY-MM-DD HH:MM[:SS]" in the calendar's zone */
static int
hd_cli_instant(const char *s, const hd_work_t *w, uint64_t *t)
{
    int       n, h = 0, m = 0, sec = 0;
    char     *end;
    int32_t   day;
    size_t    len = strlen(s);

    if (strcmp(s, "now") == 0) {
        *t = (uint64_t) time(NULL);
        return 0;
    }

    if (s[0] == '@') {
        *t = strtoull(s + 1, &end, 10);
        return (end == s + 1 || *end != '\0') ? -1 : 0;
    }

    if (len < 10 || hd_date_parse((const hd_uchar *) s, 10, &day) != 0) {
        return -1;
    }

    if (len > 10) {
        if ((s[10] != ' ' && s[10] != 'T')
            || (sscanf(s + 11, "%2d:%2d%n", &h, &m, &n) != 2))
        {
            return -1;
        }

        if (s[11 + n] == ':') {
            if (sscanf(s + 12 + n, "%2d", &sec) != 1) {
                return -1;
            }
            n += 3;
        }

        if (s[11 + n] != '\0' || h > 23 || m > 59 || sec > 59) {
            return -1;
        }
    }

    *t = (uint64_t) ((int64_t) day * 86400 + h * 3600 + m * 60 + sec
                     - w->calendars[w->calendar].offset);

    return 0;
}


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
    int           c, have_now = 0;
    long          batch = HD_TIMER_BATCH;
    char         *end;
    size_t        batches = 0;
    hd_rc         rc;
    hd_err_t      err;
    uint64_t      now = 0;
    hd_arena_t   *arena;
    hd_sweep_t    sw, total;
    hd_portal_t   portal;

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
            if (hd_cli_instant(optarg, cli->work, &now) != 0) {
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
            return 2;
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

    printf("autoclosed %zu\nat_risk %zu\nbreached %zu\nmails %zu\n"
           "batches %zu\n", total.autoclosed, total.at_risk, total.breached,
           total.mails, batches);

    hd_arena_destroy(arena);

    return 0;
}

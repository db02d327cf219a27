/*
 * helpdesk calendar show YEAR: a year's exceptional days in the holiday
 * file's own format, from the file or, for a year it does not list, from
 * the Labour Code's rule, for an operator to compare with the official
 * production calendar before the year begins.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "helpdesk.h"

#include "hd_buf.h"
#include "hd_calendar.h"
#include "hd_date.h"


static const char  *hd_cli_day_kinds[] = { "", "off", "work", "short" };


static int
hd_cli_calendar_usage(void)
{
    fprintf(stderr, "usage: helpdesk calendar show YEAR [--calendar NAME] "
            "[--holidays FILE] [--rule]\n"
            "  NAME: moscow (the default) or 24x7; FILE: a holiday file, "
            "as helpdesk_holidays gives it;\n"
            "  --rule: the Labour Code's rule even for a year the file "
            "lists\n");
    return 2;
}


int
hd_cli_calendar(hd_cli_t *cli)
{
    int             c, year, rule = 0, y, m, d;
    long            n;
    char           *end, date[11];
    size_t          i, count;
    hd_err_t        err;
    hd_buf_t        text;
    hd_work_t       work;
    const char     *name = "moscow", *file = NULL;
    hd_holiday_t    days[HD_CALENDAR_RULE_MAX], *list;
    hd_calendar_t  *cal = NULL;

    static struct option  opts[] = {
        { "calendar", required_argument, NULL, 'c' },
        { "holidays", required_argument, NULL, 'f' },
        { "rule", no_argument, NULL, 'r' },
        { NULL, 0, NULL, 0 }
    };

    if (cli->argc < 2 || strcmp(cli->argv[0], "show") != 0) {
        if (cli->argc >= 1 && strcmp(cli->argv[0], "show") != 0) {
            fprintf(stderr, "helpdesk: calendar: unknown subcommand \"%s\" "
                    "(show)\n", cli->argv[0]);
        }
        return hd_cli_calendar_usage();
    }

    n = strtol(cli->argv[1], &end, 10);
    if (*end != '\0' || n < HD_CALENDAR_RULE_FIRST
        || n >= HD_CALENDAR_RULE_FIRST + HD_CALENDAR_RULE_YEARS)
    {
        fprintf(stderr, "helpdesk: calendar show: \"%s\" is not a year from "
                "%d to %d\n", cli->argv[1], HD_CALENDAR_RULE_FIRST,
                HD_CALENDAR_RULE_FIRST + HD_CALENDAR_RULE_YEARS - 1);
        return 2;
    }

    year = (int) n;

    /* the options follow "show YEAR", which getopt skips */
    optind = 1;

    while ((c = getopt_long(cli->argc - 1, cli->argv + 1, "", opts, NULL))
           != -1)
    {
        switch (c) {
        case 'c':
            name = optarg;
            break;
        case 'f':
            file = optarg;
            break;
        case 'r':
            rule = 1;
            break;
        default:
            (void) hd_cli_bad_option("calendar show", cli->argv + 1);
            return hd_cli_calendar_usage();
        }
    }

    if (optind < cli->argc - 1) {
        fprintf(stderr, "helpdesk: calendar show: unexpected \"%s\"\n",
                cli->argv[optind + 1]);
        return 2;
    }

    hd_err_clear(&err);

    if (hd_work_defaults(&work, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: %s\n", err.text);
        return 1;
    }

    for (i = 0; i < work.ncalendars; i++) {
        if (strcmp(work.calendars[i].name, name) == 0) {
            cal = &work.calendars[i];
        }
    }

    if (cal == NULL) {
        fprintf(stderr, "helpdesk: calendar show: no calendar \"%s\" (moscow "
                "or 24x7; others are nginx's helpdesk_calendar)\n", name);
        return 2;
    }

    if (file != NULL) {
        hd_buf_init(&text);

        if (hd_buf_read_file(&text, file) != 0) {
            fprintf(stderr, "helpdesk: calendar show: cannot read \"%s\"\n",
                    file);
            return 1;
        }

        if (cal->always) {
            cal->always = 0;        /* a file gives 24x7 days off too */
        }

        if (hd_calendar_holidays(cal, (const char *) text.data, text.len,
                                 &err)
            != HD_OK)
        {
            fprintf(stderr, "helpdesk: calendar show: \"%s\": %s\n", file,
                    err.text);
            hd_buf_free(&text);
            return 1;
        }

        hd_buf_free(&text);
    }

    if (cal->always) {
        printf("# %d of calendar %s: every day is a working day (24x7)\n",
               year, cal->name);
        hd_work_free(&work);
        return 0;
    }

    if (!rule && hd_calendar_from_file(cal, year)) {
        printf("# %d of calendar %s: from the holiday file\n", year,
               cal->name);

        list = cal->holidays;
        count = cal->nholidays;

    } else {
        printf("# %d of calendar %s: from the Labour Code's rule (art. 112 "
               "and 95: fixed holidays,\n# a weekend holiday moved to the "
               "next working day but in January, the day before\n# a holiday "
               "an hour shorter), %s\n", year, cal->name,
               rule ? "as asked" : "the holiday file has no such year");

        count = hd_calendar_rule(year, days);
        list = days;
    }

    for (i = 0; i < count; i++) {
        hd_date_to_ymd(list[i].day, &y, &m, &d);

        if (y != year) {
            continue;
        }

        hd_date_format(list[i].day, date);
        printf("%s %s\n", date, hd_cli_day_kinds[list[i].kind]);
    }

    hd_work_free(&work);

    return 0;
}

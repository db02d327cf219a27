/*
 * helpdesk: the operators' command-line tool, on the same core as the nginx
 * module and on the same data directory, safe while nginx runs.
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hd_core.h"
#include "hd_store.h"


typedef struct {
    const char    *data;        /* the data directory */
    size_t         map_size;
    int            argc;
    char         **argv;
    hd_store_t    *store;
} hd_cli_t;


typedef struct {
    const char    *name;
    const char    *args;
    const char    *help;
    int          (*run)(hd_cli_t *cli);
} hd_cli_command_t;


static int hd_cli_init(hd_cli_t *cli);
static int hd_cli_check(hd_cli_t *cli);
static int hd_cli_backup(hd_cli_t *cli);
static int hd_cli_stats(hd_cli_t *cli);


static const hd_cli_command_t  hd_cli_commands[] = {
    { "init", "", "create or migrate the data directory", hd_cli_init },
    { "check", "", "verify the database: integrity and counts",
      hd_cli_check },
    { "backup", "DIR", "write a consistent copy of the data to DIR (while "
      "nginx runs); restore by copying it back", hd_cli_backup },
    { "stats", "", "sizes and counts", hd_cli_stats },
};


static void
hd_cli_usage(FILE *out)
{
    size_t  i;

    fprintf(out,
            "usage: helpdesk [-d DIR] COMMAND [ARGS]\n"
            "\n"
            "  -d DIR    the data directory (default: $HELPDESK_DATA)\n"
            "  -m SIZE   the LMDB map size for a new data directory, e.g. "
            "1g\n"
            "\ncommands:\n");

    for (i = 0; i < sizeof(hd_cli_commands) / sizeof(hd_cli_commands[0]);
         i++)
    {
        fprintf(out, "  %-8s %-8s %s\n", hd_cli_commands[i].name,
                hd_cli_commands[i].args, hd_cli_commands[i].help);
    }
}


static size_t
hd_cli_parse_size(const char *s)
{
    char      *end;
    uint64_t   n;

    n = strtoull(s, &end, 10);

    switch (*end) {
    case 'k': case 'K': n <<= 10; end++; break;
    case 'm': case 'M': n <<= 20; end++; break;
    case 'g': case 'G': n <<= 30; end++; break;
    }

    return *end == '\0' ? (size_t) n : 0;
}


/*
 * Run as root on a directory the nginx workers own, the files LMDB creates
 * must stay theirs: give them the directory's owner.
 */
static void
hd_cli_keep_owner(const char *dir)
{
    char         path[PATH_MAX];
    struct stat  d, f;
    const char  *files[] = { "data.mdb", "lock.mdb" };
    size_t       i;

    if (geteuid() != 0 || stat(dir, &d) != 0 || d.st_uid == 0) {
        return;
    }

    for (i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);

        if (stat(path, &f) == 0 && (f.st_uid != d.st_uid
                                    || f.st_gid != d.st_gid))
        {
            if (chown(path, d.st_uid, d.st_gid) != 0) {
                fprintf(stderr, "helpdesk: cannot give %s to uid %u: %s\n",
                        path, (unsigned) d.st_uid, strerror(errno));
            }
        }
    }
}


static int
hd_cli_open(hd_cli_t *cli)
{
    hd_err_t  err;

    hd_err_clear(&err);

    if (hd_store_open(&cli->store, cli->data, cli->map_size, &err)
        != HD_OK)
    {
        fprintf(stderr, "helpdesk: %s\n", err.text);
        return -1;
    }

    hd_cli_keep_owner(cli->data);

    return 0;
}


static int
hd_cli_init(hd_cli_t *cli)
{
    uint32_t  version = 0;
    hd_txn_t  txn;

    if (hd_txn_begin(cli->store, &txn, HD_TXN_READ, NULL) == HD_OK) {
        hd_schema_version(&txn, &version);
        hd_txn_abort(&txn);
    }

    printf("data directory %s ready (schema version %u)\n", cli->data,
           version);

    return 0;
}


static int
hd_cli_check(hd_cli_t *cli)
{
    int              dead;
    hd_txn_t         txn;
    hd_err_t         err;
    hd_check_t       check;
    hd_store_info_t  info;

    dead = hd_store_stale_cleared(cli->store)
           + hd_store_reader_check(cli->store);

    if (hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: %s\n", err.text);
        return 1;
    }

    hd_buf_init(&check.report);
    check.problems = 0;

    hd_schema_check(&txn, &check);
    hd_txn_abort(&txn);

    if (hd_store_info(cli->store, &info) == HD_OK) {
        printf("map %zu MB, %zu KB used; %u of %u reader slots in use",
               info.map_size >> 20, info.used >> 10, info.readers,
               info.max_readers);
        printf(dead ? ", %d stale cleared\n" : "\n", dead);
    }

    if (check.report.len) {
        fwrite(check.report.data, 1, check.report.len, stdout);
    }

    if (check.problems) {
        printf("NOT consistent: %zu problems\n", check.problems);

    } else {
        printf("consistent\n");
    }

    hd_buf_free(&check.report);

    return check.problems ? 1 : 0;
}


static int
hd_cli_backup(hd_cli_t *cli)
{
    hd_err_t  err;

    if (cli->argc != 1) {
        fprintf(stderr, "usage: helpdesk backup DIR\n");
        return 2;
    }

    if (hd_store_backup(cli->store, cli->argv[0], &err) != HD_OK) {
        fprintf(stderr, "helpdesk: %s\n", err.text);
        return 1;
    }

    printf("backup of %s written to %s\n", cli->data, cli->argv[0]);

    return 0;
}


static int
hd_cli_stats(hd_cli_t *cli)
{
    char             date[64];
    size_t           i, count;
    time_t           created;
    hd_str_t         v;
    hd_txn_t         txn;
    hd_err_t         err;
    hd_store_info_t  info;

    if (hd_store_info(cli->store, &info) == HD_OK) {
        printf("%-28s %10zu\n%-28s %10zu\n", "map size (KB)",
               info.map_size >> 10, "used (KB)", info.used >> 10);
    }

    if (hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: %s\n", err.text);
        return 1;
    }

    if (hd_db_get(&txn, HD_DB_META, "created", 7, &v) == HD_OK
        && v.len == 8)
    {
        created = (time_t) hd_be64_get(v.data);
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC",
                 gmtime(&created));
        printf("%-28s %s\n", "created", date);
    }

    for (i = 0; i < HD_DB_COUNT; i++) {
        if (hd_db_count(&txn, (hd_db_e) i, &count) == HD_OK) {
            printf("%-28s %10zu\n", hd_dbs[i].name, count);
        }
    }

    hd_txn_abort(&txn);

    return 0;
}


int
main(int argc, char **argv)
{
    int                      c, rc;
    size_t                   i;
    hd_cli_t                 cli;
    const hd_cli_command_t  *cmd;

    memset(&cli, 0, sizeof(cli));
    cli.data = getenv("HELPDESK_DATA");

    while ((c = getopt(argc, argv, "+d:m:h")) != -1) {
        switch (c) {
        case 'd':
            cli.data = optarg;
            break;

        case 'm':
            cli.map_size = hd_cli_parse_size(optarg);
            if (cli.map_size < HD_STORE_MIN_MAP) {
                fprintf(stderr, "helpdesk: invalid map size \"%s\"\n", optarg);
                return 2;
            }
            break;

        case 'h':
            hd_cli_usage(stdout);
            return 0;

        default:
            hd_cli_usage(stderr);
            return 2;
        }
    }

    if (optind == argc) {
        hd_cli_usage(stderr);
        return 2;
    }

    cmd = NULL;

    for (i = 0; i < sizeof(hd_cli_commands) / sizeof(hd_cli_commands[0]);
         i++)
    {
        if (strcmp(argv[optind], hd_cli_commands[i].name) == 0) {
            cmd = &hd_cli_commands[i];
        }
    }

    if (cmd == NULL) {
        fprintf(stderr, "helpdesk: unknown command \"%s\"\n\n", argv[optind]);
        hd_cli_usage(stderr);
        return 2;
    }

    if (cli.data == NULL || cli.data[0] == '\0') {
        fprintf(stderr, "helpdesk: no data directory: give -d DIR or set "
                "HELPDESK_DATA\n");
        return 2;
    }

    cli.argc = argc - optind - 1;
    cli.argv = argv + optind + 1;

    if (hd_cli_open(&cli) != 0) {
        return 1;
    }

    rc = cmd->run(&cli);

    hd_store_close(cli.store);

    return rc;
}

/*
 * The data directory from the CLI: init, check, backup, stats.
 */

#include "helpdesk.h"

#include "hd_files.h"
#include "hd_ticket.h"


int
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


int
hd_cli_check(hd_cli_t *cli)
{
    int              dead, quick;
    hd_txn_t         txn;
    hd_err_t         err;
    hd_check_t       check;
    hd_store_info_t  info;

    if (cli->argc > 1 || (cli->argc == 1 && strcmp(cli->argv[0], "--quick")
                                             != 0))
    {
        fprintf(stderr, "helpdesk: check: unknown option \"%s\" (--quick: "
                "sizes only, no SHA-256)\n", cli->argv[cli->argc - 1]);
        return 2;
    }

    quick = cli->argc == 1;

    dead = hd_store_stale_cleared(cli->store)
           + hd_store_reader_check(cli->store);

    if (hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: %s\n", err.text);
        return 1;
    }

    hd_buf_init(&check.report);
    check.problems = 0;

    hd_schema_check(&txn, &check);
    hd_blob_check(&txn, cli->files, quick, &check);
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


int
hd_cli_backup(hd_cli_t *cli)
{
    char      files[PATH_MAX];
    size_t    copied;
    hd_err_t  err;

    if (cli->argc != 1) {
        fprintf(stderr, "usage: helpdesk backup DIR\n");
        return 2;
    }

    if (hd_store_backup(cli->store, cli->argv[0], &err) != HD_OK) {
        fprintf(stderr, "helpdesk: %s\n", err.text);
        return 1;
    }

    /*
     * the files after the database: each is written before any
     * transaction names it, so every file the copy names is there
     */
    snprintf(files, sizeof(files), "%s/files", cli->argv[0]);

    if (hd_files_copy(cli->files, files, &copied, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: the attachments: %s\n", err.text);
        return 1;
    }

    printf("backup of %s written to %s (%zu attachment files)\n", cli->data,
           cli->argv[0], copied);

    return 0;
}


int
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

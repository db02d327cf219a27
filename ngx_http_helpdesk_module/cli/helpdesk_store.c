/*
 * The data directory from the CLI: init, check, backup, stats.
 */

#define _XOPEN_SOURCE 700

#include "helpdesk.h"

#include <fcntl.h>
#include <ftw.h>

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


/* the owner nftw gives the entries of a tree (root only), all of them or
   only root's own */
static uid_t  hd_cli_tree_uid;
static gid_t  hd_cli_tree_gid;
static int    hd_cli_tree_roots;


static int
hd_cli_give_one(const char *path, const struct stat *st, int kind,
    struct FTW *ftw)
{
    (void) kind;
    (void) ftw;

    if (hd_cli_tree_roots && st->st_uid != 0) {
        return 0;
    }

    if ((st->st_uid != hd_cli_tree_uid || st->st_gid != hd_cli_tree_gid)
        && lchown(path, hd_cli_tree_uid, hd_cli_tree_gid) != 0)
    {
        fprintf(stderr, "helpdesk: cannot give %s to uid %u: %s\n", path,
                (unsigned) hd_cli_tree_uid, strerror(errno));
    }

    return 0;
}


/*
 * A copy of a data directory keeps its modes: the directory's and the
 * database's permissions, and (run as root) the owner of every file, so
 * that the copy is as private as the original and the workers can use it
 */
static void
hd_cli_keep_modes(const char *from, const char *to)
{
    char         a[PATH_MAX + 64], b[PATH_MAX + 64];
    struct stat  st;

    if (stat(from, &st) != 0) {
        return;
    }

    (void) chmod(to, st.st_mode & 07777);

    snprintf(a, sizeof(a), "%s/data.mdb", from);
    snprintf(b, sizeof(b), "%s/data.mdb", to);

    if (stat(a, &st) == 0) {
        (void) chmod(b, st.st_mode & 07777);
    }

    if (geteuid() == 0 && stat(from, &st) == 0) {
        hd_cli_tree_uid = st.st_uid;
        hd_cli_tree_gid = st.st_gid;
        hd_cli_tree_roots = 0;
        (void) nftw(to, hd_cli_give_one, 16, FTW_PHYS);
    }
}


/*
 * Run as root on a data directory somebody else owns (the nginx workers'
 * user), whatever the command made in it (the database, files/ and its
 * tmp/, attachments, a restored copy) is given to that owner: else the
 * workers could not write there (an upload would fail). Only root's own
 * entries change hands.
 */
void
hd_cli_keep_owner(hd_cli_t *cli)
{
    size_t       n;
    struct stat  st;

    if (geteuid() != 0 || cli->data == NULL || stat(cli->data, &st) != 0
        || st.st_uid == 0)
    {
        return;
    }

    hd_cli_tree_uid = st.st_uid;
    hd_cli_tree_gid = st.st_gid;
    hd_cli_tree_roots = 1;
    (void) nftw(cli->data, hd_cli_give_one, 16, FTW_PHYS);

    /* attachments elsewhere (helpdesk_files, -f) */
    n = strlen(cli->data);

    if (cli->files != NULL
        && !(strncmp(cli->files, cli->data, n) == 0
             && (cli->files[n] == '/' || cli->files[n] == '\0')))
    {
        (void) nftw(cli->files, hd_cli_give_one, 16, FTW_PHYS);
    }
}


static int
hd_cli_remove_one(const char *path, const struct stat *st, int kind,
    struct FTW *ftw)
{
    (void) st;
    (void) ftw;

    return kind == FTW_DP ? rmdir(path) : unlink(path);
}


/* a file copied whole and synced, under its final name only when done */
static int
hd_cli_copy_file(const char *from, const char *to)
{
    int      in, out;
    char     tmp[PATH_MAX + 128], buf[1 << 16];
    ssize_t  n;

    snprintf(tmp, sizeof(tmp), "%s.tmp", to);

    in = open(from, O_RDONLY | O_CLOEXEC);
    if (in == -1) {
        fprintf(stderr, "helpdesk: %s: %s\n", from, strerror(errno));
        return -1;
    }

    out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out == -1) {
        fprintf(stderr, "helpdesk: %s: %s\n", tmp, strerror(errno));
        close(in);
        return -1;
    }

    while ((n = read(in, buf, sizeof(buf))) > 0) {
        if (write(out, buf, (size_t) n) != n) {
            n = -1;
            break;
        }
    }

    if (n == 0 && fsync(out) != 0) {
        n = -1;
    }

    close(in);

    if (close(out) != 0 || n != 0 || rename(tmp, to) != 0) {
        fprintf(stderr, "helpdesk: copying %s: %s\n", from, strerror(errno));
        (void) unlink(tmp);
        return -1;
    }

    return 0;
}


/*
 * restore BACKUP DIR: the backup is copied into a directory beside DIR,
 * verified there as `check` does (every file's SHA-256), and only then
 * put in place; DIR must hold no database (the running one is never
 * overwritten: stop nginx and move it aside first). Modes and owner are
 * the backup's.
 */
int
hd_cli_restore(hd_cli_t *cli)
{
    int              ok;
    char             stage[PATH_MAX], a[PATH_MAX + 64], b[PATH_MAX + 64];
    size_t           copied;
    hd_err_t         err;
    hd_txn_t         txn;
    hd_check_t       check;
    hd_store_t      *store;
    struct stat      st;
    const char      *backup, *dir;

    if (cli->argc != 2 || cli->argv[0][0] == '-' || cli->argv[1][0] == '-') {
        fprintf(stderr, "usage: helpdesk restore BACKUP DIR\n");
        return 2;
    }

    backup = cli->argv[0];
    dir = cli->argv[1];

    snprintf(a, sizeof(a), "%s/data.mdb", backup);
    if (stat(a, &st) != 0) {
        fprintf(stderr, "helpdesk: %s \"%s\"\n",
                hd_cli_say("there is no backup (no data.mdb) in",
                           "нет резервной копии (нет data.mdb) в"), backup);
        return 2;
    }

    snprintf(b, sizeof(b), "%s/data.mdb", dir);
    if (stat(b, &st) == 0) {
        fprintf(stderr, "helpdesk: \"%s\" %s\n", dir,
                hd_cli_say("already holds a database: stop nginx and move "
                           "it aside first; restore never overwrites one",
                           "уже содержит базу: остановите nginx и уберите "
                           "её сначала; restore не перезаписывает базу"));
        return 2;
    }

    snprintf(stage, sizeof(stage), "%s.restoring", dir);
    (void) nftw(stage, hd_cli_remove_one, 16, FTW_DEPTH | FTW_PHYS);

    if (mkdir(stage, 0700) != 0) {
        fprintf(stderr, "helpdesk: %s: %s\n", stage, strerror(errno));
        return 1;
    }

    snprintf(b, sizeof(b), "%s/data.mdb", stage);
    ok = hd_cli_copy_file(a, b) == 0;

    snprintf(a, sizeof(a), "%s/files", backup);
    snprintf(b, sizeof(b), "%s/files", stage);
    hd_err_clear(&err);

    if (ok && hd_files_copy(a, b, &copied, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: the attachments: %s\n", err.text);
        ok = 0;
    }

    /* verified where it lies, before anything is in place */
    check.problems = 0;
    hd_buf_init(&check.report);

    if (ok && hd_store_open(&store, stage, 0, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: %s\n", err.text);
        ok = 0;

    } else if (ok) {
        if (hd_txn_begin(store, &txn, HD_TXN_READ, &err) == HD_OK) {
            hd_schema_check(&txn, &check);
            hd_blob_check(&txn, b, 0, &check);
            hd_txn_abort(&txn);

        } else {
            check.problems++;
        }

        hd_store_close(store);
    }

    if (ok && check.problems) {
        fwrite(check.report.data, 1, check.report.len, stderr);
        fprintf(stderr, "helpdesk: %s: %zu %s\n", backup, check.problems,
                hd_cli_say("problems: nothing restored",
                           "ошибок: ничего не восстановлено"));
        ok = 0;
    }

    hd_buf_free(&check.report);
    snprintf(a, sizeof(a), "%s/lock.mdb", stage);
    (void) unlink(a);

    if (ok) {
        hd_cli_keep_modes(backup, stage);

        if (rename(stage, dir) != 0) {
            /* DIR exists (empty, or files/ only): the parts move in */
            snprintf(a, sizeof(a), "%s/files", dir);
            (void) rmdir(a);
            snprintf(a, sizeof(a), "%s/files", stage);
            snprintf(b, sizeof(b), "%s/files", dir);

            if (stat(a, &st) == 0 && rename(a, b) != 0) {
                fprintf(stderr, "helpdesk: %s: %s\n", b, strerror(errno));
                ok = 0;
            }

            snprintf(a, sizeof(a), "%s/data.mdb", stage);
            snprintf(b, sizeof(b), "%s/data.mdb", dir);

            if (ok && rename(a, b) != 0) {
                fprintf(stderr, "helpdesk: %s: %s\n", b, strerror(errno));
                ok = 0;
            }
        }
    }

    (void) nftw(stage, hd_cli_remove_one, 16, FTW_DEPTH | FTW_PHYS);

    if (!ok) {
        return 1;
    }

    printf("%s %s %s (%zu %s)\n", backup,
           hd_cli_say("restored to", "восстановлена в"), dir, copied,
           hd_cli_say("attachment files", "файлов вложений"));

    return 0;
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

    hd_cli_keep_modes(cli->data, cli->argv[0]);

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

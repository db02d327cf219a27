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
#include "hd_auth.h"
#include "hd_crypto.h"
#include "hd_outbox.h"
#include "hd_store.h"
#include "hd_text.h"


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
static int hd_cli_staff(hd_cli_t *cli);
static int hd_cli_outbox(hd_cli_t *cli);
static int hd_cli_demo(hd_cli_t *cli);


static const hd_cli_command_t  hd_cli_commands[] = {
    { "init", "", "create or migrate the data directory", hd_cli_init },
    { "check", "", "verify the database: integrity and counts",
      hd_cli_check },
    { "backup", "DIR", "write a consistent copy of the data to DIR (while "
      "nginx runs); restore by copying it back", hd_cli_backup },
    { "stats", "", "sizes and counts", hd_cli_stats },
    { "staff", "add ...", "add a staff account: --login L --email E --name N "
      "--role agent|manager|administrator; the password on standard input",
      hd_cli_staff },
    { "outbox", "list|show", "the e-mail outbox: list [--all], show ID",
      hd_cli_outbox },
    { "demo", "", "seed the demo data once (./build.sh run does) and print "
      "its logins", hd_cli_demo },
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


/* the portal for flows that need no e-mail templates */
static void
hd_cli_portal(hd_cli_t *cli, hd_portal_t *portal)
{
    memset(portal, 0, sizeof(hd_portal_t));
    portal->store = cli->store;
}


static int
hd_cli_errors(const char *what, hd_errors_t *errors, hd_err_t *err)
{
    size_t  i;

    if (errors->n == 0) {
        fprintf(stderr, "helpdesk: %s: %s\n", what, err->text);
        return 1;
    }

    for (i = 0; i < errors->n; i++) {
        fprintf(stderr, "helpdesk: %s: %s: %s\n", what,
                errors->item[i].field ? errors->item[i].field : "-",
                errors->item[i].code);
    }

    return 1;
}


/* the first line of standard input, without its line end */
static int
hd_cli_read_password(char *buf, size_t size)
{
    size_t  n;

    if (fgets(buf, (int) size, stdin) == NULL) {
        return -1;
    }

    n = strlen(buf);

    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        buf[--n] = '\0';
    }

    return 0;
}


static int
hd_cli_staff(hd_cli_t *cli)
{
    int                  c, role;
    char                 password[1100];
    uint64_t             id;
    hd_err_t             err;
    hd_portal_t          portal;
    hd_errors_t          errors;
    hd_account_input_t   in;

    static struct option  opts[] = {
        { "login", required_argument, NULL, 'l' },
        { "email", required_argument, NULL, 'e' },
        { "name", required_argument, NULL, 'n' },
        { "role", required_argument, NULL, 'r' },
        { "phone", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 }
    };

    if (cli->argc < 1 || strcmp(cli->argv[0], "add") != 0) {
        fprintf(stderr, "usage: helpdesk staff add --login L --email E "
                "--name N --role agent|manager|administrator < password\n");
        return 2;
    }

    hd_account_input_init(&in);
    in.role = HD_ROLE_AGENT;

    optind = 1;

    while ((c = getopt_long(cli->argc, cli->argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            in.login.data = (hd_uchar *) optarg;
            in.login.len = strlen(optarg);
            break;
        case 'e':
            in.email.data = (hd_uchar *) optarg;
            in.email.len = strlen(optarg);
            break;
        case 'n':
            in.name.data = (hd_uchar *) optarg;
            in.name.len = strlen(optarg);
            break;
        case 'p':
            in.phone.data = (hd_uchar *) optarg;
            in.phone.len = strlen(optarg);
            break;
        case 'r':
            role = hd_role_from_name((hd_uchar *) optarg, strlen(optarg));
            if (role <= HD_ROLE_CUSTOMER) {
                fprintf(stderr, "helpdesk: invalid role \"%s\": agent, "
                        "manager or administrator\n", optarg);
                return 2;
            }
            in.role = role;
            break;
        default:
            return 2;
        }
    }

    if (hd_cli_read_password(password, sizeof(password)) != 0) {
        fprintf(stderr, "helpdesk: the password is read from standard "
                "input\n");
        return 2;
    }

    in.password.data = (hd_uchar *) password;
    in.password.len = strlen(password);

    hd_cli_portal(cli, &portal);
    memset(&errors, 0, sizeof(errors));
    hd_err_clear(&err);

    if (hd_auth_register(&portal, &in, (uint64_t) time(NULL), &id, &errors,
                         &err)
        != HD_OK)
    {
        return hd_cli_errors("staff add", &errors, &err);
    }

    printf("staff account %llu: %.*s (%s)\n", (unsigned long long) id,
           (int) in.login.len, in.login.data, hd_role_names[in.role]);

    return 0;
}


static int
hd_cli_outbox(hd_cli_t *cli)
{
    int           all;
    char          date[32];
    hd_rc         rc;
    time_t        t;
    hd_str_t      k, v;
    hd_txn_t      txn;
    hd_err_t      err;
    uint64_t      id;
    hd_mail_t     m;
    hd_cursor_t   cur;

    if (cli->argc < 1) {
        fprintf(stderr, "usage: helpdesk outbox list [--all] | show ID\n");
        return 2;
    }

    if (hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: %s\n", err.text);
        return 1;
    }

    if (strcmp(cli->argv[0], "show") == 0 && cli->argc == 2) {
        id = strtoull(cli->argv[1], NULL, 10);

        if (hd_outbox_get(&txn, id, &m) != HD_OK) {
            hd_txn_abort(&txn);
            fprintf(stderr, "helpdesk: no mail %s in the outbox\n",
                    cli->argv[1]);
            return 1;
        }

        printf("Id: %llu\nState: %s\nKind: %.*s\nTo: %.*s <%.*s>\n"
               "Message-ID: %.*s\nSubject: %.*s\n\n%.*s",
               (unsigned long long) m.id, hd_mail_state_names[m.state % 3],
               (int) m.kind.len, m.kind.data,
               (int) m.to_name.len, m.to_name.data,
               (int) m.to.len, m.to.data,
               (int) m.message_id.len, m.message_id.data,
               (int) m.subject.len, m.subject.data,
               (int) m.body.len, m.body.data);

        hd_txn_abort(&txn);
        return 0;
    }

    if (strcmp(cli->argv[0], "list") != 0) {
        hd_txn_abort(&txn);
        fprintf(stderr, "usage: helpdesk outbox list [--all] | show ID\n");
        return 2;
    }

    all = cli->argc > 1 && strcmp(cli->argv[1], "--all") == 0;

    /* newest first: the last ones are what a person looks for */
    if (hd_cursor_open(&txn, HD_DB_OUTBOX, &cur) != HD_OK) {
        hd_txn_abort(&txn);
        return 1;
    }

    for (rc = hd_cursor_last(&cur, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_prev(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_mail_desc, v.data, v.len, &m) != HD_OK
            || (!all && m.state == HD_MAIL_SENT))
        {
            continue;
        }

        t = (time_t) m.created;
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", gmtime(&t));

        printf("%llu\t%s\t%s\t%.*s\t%.*s\t%.*s\n",
               (unsigned long long) m.id, hd_mail_state_names[m.state % 3],
               date, (int) m.kind.len, m.kind.data, (int) m.to.len, m.to.data,
               (int) m.subject.len, m.subject.data);
    }

    hd_cursor_close(&cur);
    hd_txn_abort(&txn);

    return 0;
}


/*
 * The demo of ./build.sh run: seeded once; the passwords are random and
 * kept in demo.txt beside the database (a demo, not a real installation),
 * so that each start can print them again
 */
static int
hd_cli_demo(hd_cli_t *cli)
{
    FILE                *f;
    char                 path[PATH_MAX], pw[2][24], line[512];
    size_t               i;
    uint64_t             id;
    hd_err_t             err;
    hd_uchar             raw[12];
    hd_txn_t             txn;
    hd_portal_t          portal;
    hd_errors_t          errors;
    hd_account_input_t   in;

    static const struct {
        const char  *login;
        const char  *email;
        const char  *name;
        int          role;
    } people[2] = {
        { "admin", "admin@helpdesk.example", "Администратор портала",
          HD_ROLE_ADMINISTRATOR },
        { "customer", "customer@example.com", "Иван Петров",
          HD_ROLE_CUSTOMER },
    };

    snprintf(path, sizeof(path), "%s/demo.txt", cli->data);

    if (hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err) == HD_OK) {
        if (hd_db_get(&txn, HD_DB_META, "demo", 4, NULL) == HD_OK) {
            hd_txn_abort(&txn);

            f = fopen(path, "r");
            while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
                fputs(line, stdout);
            }

            if (f != NULL) {
                fclose(f);
            }

            return 0;
        }

        hd_txn_abort(&txn);
    }

    hd_cli_portal(cli, &portal);

    for (i = 0; i < 2; i++) {
        hd_random(raw, sizeof(raw));
        pw[i][hd_b64url_encode(pw[i], raw, sizeof(raw))] = '\0';

        hd_account_input_init(&in);
        in.login.data = (hd_uchar *) people[i].login;
        in.login.len = strlen(people[i].login);
        in.email.data = (hd_uchar *) people[i].email;
        in.email.len = strlen(people[i].email);
        in.name.data = (hd_uchar *) people[i].name;
        in.name.len = strlen(people[i].name);
        in.password.data = (hd_uchar *) pw[i];
        in.password.len = strlen(pw[i]);
        in.role = people[i].role;

        memset(&errors, 0, sizeof(errors));

        if (hd_auth_register(&portal, &in, (uint64_t) time(NULL), &id,
                             &errors, &err)
            != HD_OK)
        {
            return hd_cli_errors("demo", &errors, &err);
        }
    }

    if (hd_txn_begin(cli->store, &txn, HD_TXN_WRITE, &err) != HD_OK
        || hd_db_put(&txn, HD_DB_META, "demo", 4, "1", 1, 0, &err) != HD_OK
        || hd_txn_commit(&txn, &err) != HD_OK)
    {
        fprintf(stderr, "helpdesk: demo: %s\n", err.text);
        return 1;
    }

    f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "helpdesk: cannot write %s: %s\n", path,
                strerror(errno));
        return 1;
    }

    fchmod(fileno(f), 0600);

    for (i = 0; i < 2; i++) {
        fprintf(f, "  %-15s login %-10s password %s\n",
                people[i].role == HD_ROLE_ADMINISTRATOR ? "administrator:"
                                                        : "customer:",
                people[i].login, pw[i]);
    }

    fclose(f);

    return hd_cli_demo(cli);
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

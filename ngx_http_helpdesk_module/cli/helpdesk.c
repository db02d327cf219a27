/*
 * helpdesk: the operators' command-line tool, on the same core as the nginx
 * module and on the same data directory, safe while nginx runs.
 */

#include "helpdesk.h"


typedef struct {
    const char    *name;
    const char    *args;
    const char    *help;
    int          (*run)(hd_cli_t *cli);
    int            nodata;      /* works without the data directory */
} hd_cli_command_t;


static const hd_cli_command_t  hd_cli_commands[] = {
    { "init", "", "create or migrate the data directory", hd_cli_init, 0 },
    { "check", "[--quick]", "verify the database: integrity, counts, every "
      "stored file's size and SHA-256 (--quick: sizes only), orphans and "
      "partial uploads",
      hd_cli_check, 0 },
    { "backup", "DIR", "write a consistent copy of the data to DIR (while "
      "nginx runs); restore by copying it back", hd_cli_backup, 0 },
    { "stats", "", "sizes and counts", hd_cli_stats, 0 },
    { "staff", "add ...", "add a staff account: --login L --email E --name N "
      "--role agent|manager|administrator; the password on standard input",
      hd_cli_staff, 0 },
    { "outbox", "list|show|retry|drop", "the e-mail outbox: list [--all | "
      "--state S] [--limit N], show ID, retry ID (a failed one again), drop "
      "ID", hd_cli_outbox, 0 },
    { "demo", "", "seed the demo data once (./build.sh run does) and print "
      "its logins", hd_cli_demo, 0 },
    { "departments", "list|add", "departments: list, add NAME [--feedback]",
      hd_cli_departments, 0 },
    { "products", "list|add|edit", "products: list, add NAME [--versions "
      "\"1.0,2.0\"], edit ID [--name N] [--versions V]", hd_cli_products, 0 },
    { "cert-types", "list|add|edit", "certificate types: list, add --name N "
      "--product P --term MONTHS --kind certificate|contract --limit N "
      "--level L --premium N|unlimited --department D, edit ID ...",
      hd_cli_cert_types, 0 },
    { "certs", "import|list|issue|revoke", "certificates: import FILE.csv, "
      "list, issue --type T [--number N] [--from DATE] [--until DATE] "
      "[--no-code] [--count N], revoke NUMBER, assign NUMBER --account "
      "LOGIN|--company ID", hd_cli_certs, 0 },
    { "companies", "list", "customer companies", hd_cli_companies, 0 },
    { "kb", "export|import|reindex", "knowledge-base articles as Markdown "
      "files with a front matter: export DIR, import DIR (all or nothing), "
      "reindex (the search index made again)", hd_cli_kb, 0 },
    { "search", "reindex [--batch N]", "staff's search of tickets: every message "
      "indexed again (those from before the index existed)", hd_cli_search,
      0 },
    { "sweep", "--now TIME", "run the timer's work once at TIME (\"2026-11-25 "
      "17:00\" Moscow time, or @UNIX): auto-close and SLA escalation; "
      "[--batch N] [--solved P] [--awaiting P] [--reopen P]", hd_cli_sweep, 0 },
    { "calendar", "show YEAR", "a year's exceptional days as a holiday file "
      "writes them, from the file or (a year it lacks) the Labour Code's "
      "rule: [--calendar NAME] [--holidays FILE] [--rule]", hd_cli_calendar,
      1 },
    { "mailgate", "URL", "post the message on standard input to the portal's "
      "mail gate (the MTA's pipe command): [--key-file FILE] (else "
      "$HELPDESK_MAILGATE_KEY) [--timeout S] [--cacert FILE]; exits 0, 75 "
      "(later) or 67 (never)", hd_cli_mailgate, 1 },
};


static void
hd_cli_usage(FILE *out)
{
    size_t  i;

    fprintf(out,
            "usage: helpdesk [-d DIR] [-f FILES] COMMAND [ARGS]\n"
            "       helpdesk COMMAND --help | --help | --version\n"
            "\n"
            "  -d DIR    the data directory (default: $HELPDESK_DATA)\n"
            "  -f FILES  the attachment store, when helpdesk_files moved it "
            "(default:\n"
            "            $HELPDESK_FILES, else DIR/files)\n"
            "  -m SIZE   the LMDB map size for a new data directory, e.g. "
            "1g\n"
            "\ncommands:\n");

    for (i = 0; i < sizeof(hd_cli_commands) / sizeof(hd_cli_commands[0]);
         i++)
    {
        fprintf(out, "  %-12s %-14s %s\n", hd_cli_commands[i].name,
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

    /* ticket writes keep the SLA clocks by the default policy */
    {
        static hd_work_t  work;

        if (hd_work_defaults(&work, &err) != HD_OK) {
            fprintf(stderr, "helpdesk: %s\n", err.text);
            return -1;
        }

        hd_work_set(&work);
        cli->work = &work;
    }

    return 0;
}


/* the portal for flows that need no e-mail templates */
void
hd_cli_portal(hd_cli_t *cli, hd_portal_t *portal)
{
    memset(portal, 0, sizeof(hd_portal_t));
    portal->store = cli->store;
}


/*
 * The portal for flows that send e-mail: the templates of
 * $HELPDESK_TEMPLATES, else those beside the build (../lua-free-templates
 * from the binary); links to $HELPDESK_URL, else http://localhost/
 */
int
hd_cli_mail_portal(hd_cli_t *cli, hd_pool_t *pool, hd_portal_t *portal)
{
    char              self[PATH_MAX], dir[PATH_MAX + 32], *slash;
    ssize_t           n;
    hd_err_t          err;
    const char       *templates, *url;
    hd_templates_t   *t;

    hd_cli_portal(cli, portal);

    templates = getenv("HELPDESK_TEMPLATES");

    if (templates == NULL || templates[0] == '\0') {
        n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n <= 0) {
            fprintf(stderr, "helpdesk: set HELPDESK_TEMPLATES to the "
                    "template directory\n");
            return -1;
        }

        self[n] = '\0';
        slash = strrchr(self, '/');
        if (slash != NULL) {
            *slash = '\0';
        }

        snprintf(dir, sizeof(dir), "%s/../lua-free-templates", self);
        templates = dir;
    }

    hd_err_clear(&err);

    if (hd_templates_load(pool, templates, &t, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: the templates (%s): %s\n", templates,
                err.text);
        return -1;
    }

    url = getenv("HELPDESK_URL");
    if (url == NULL || url[0] == '\0') {
        url = "http://localhost/";
    }

    portal->templates = t;
    portal->base_url.data = hd_pstrdup(pool, url, strlen(url));
    portal->base_url.len = strlen(url);
    portal->tickets = (hd_ticket_policy_t) HD_TICKET_POLICY_DEFAULT;
    portal->files = cli->files;

    return 0;
}


int
hd_cli_errors(const char *what, hd_errors_t *errors, hd_err_t *err)
{
    size_t  i;

    if (errors->n == 0) {
        if (err->field != NULL && err->code != NULL) {
            fprintf(stderr, "helpdesk: %s: %s: %s (%s)\n", what, err->field,
                    err->code, err->text);

        } else {
            fprintf(stderr, "helpdesk: %s: %s\n", what, err->text);
        }

        return 1;
    }

    for (i = 0; i < errors->n; i++) {
        fprintf(stderr, "helpdesk: %s: %s: %s\n", what,
                errors->item[i].field ? errors->item[i].field : "-",
                errors->item[i].code);
    }

    return 1;
}


int
hd_cli_str(const char *text, hd_str_t *s)
{
    s->data = (hd_uchar *) text;
    s->len = text ? strlen(text) : 0;

    return 0;
}


int
main(int argc, char **argv)
{
    int                      c, rc;
    char                     files[PATH_MAX];
    size_t                   i;
    hd_cli_t                 cli;
    const hd_cli_command_t  *cmd;

    memset(&cli, 0, sizeof(cli));
    cli.data = getenv("HELPDESK_DATA");

    cli.files = getenv("HELPDESK_FILES");

    /* the long options of the tool itself, before getopt sees them */
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        hd_cli_usage(stdout);
        return 0;
    }

    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("helpdesk %s (database schema %d)\n", HD_VERSION_TEXT,
               HD_SCHEMA_VERSION);
        return 0;
    }

    while ((c = getopt(argc, argv, "+d:f:m:h")) != -1) {
        switch (c) {
        case 'd':
            cli.data = optarg;
            break;

        case 'f':
            cli.files = optarg;
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

    cli.argc = argc - optind - 1;
    cli.argv = argv + optind + 1;

    /* COMMAND --help (or -h): what it takes, and nothing done */
    /* (the mail gate says its own, with its exit codes for MTAs) */
    for (i = 0; cmd->run != hd_cli_mailgate && i < (size_t) cli.argc; i++) {
        if (strcmp(cli.argv[i], "--help") == 0
            || strcmp(cli.argv[i], "-h") == 0)
        {
            printf("usage: helpdesk [-d DIR] %s %s\n  %s\n", cmd->name,
                   cmd->args, cmd->help);
            return 0;
        }

        if (strcmp(cli.argv[i], "--") == 0) {
            break;
        }
    }

    if (cmd->nodata) {
        return cmd->run(&cli);
    }

    if (cli.data == NULL || cli.data[0] == '\0') {
        fprintf(stderr, "helpdesk: no data directory: give -d DIR or set "
                "HELPDESK_DATA\n");
        return 2;
    }

    cli.argc = argc - optind - 1;
    cli.argv = argv + optind + 1;

    /* only init makes a database: a mistyped -d is an error, not a new
     * empty database that every check would find consistent */
    if (cmd->run != hd_cli_init) {
        struct stat  st;
        char         mdb[PATH_MAX + 16];

        snprintf(mdb, sizeof(mdb), "%s/data.mdb", cli.data);

        if (stat(mdb, &st) != 0) {
            fprintf(stderr, "helpdesk: there is no database in \"%s\" (a "
                    "mistyped -d?); `helpdesk -d %s init` creates one\n",
                    cli.data, cli.data);
            return 2;
        }
    }

    /* attachments live next to the database unless helpdesk_files moved
     * them (then -f or HELPDESK_FILES says where) */
    if (cli.files == NULL || cli.files[0] == '\0') {
        snprintf(files, sizeof(files), "%s/files", cli.data);
        cli.files = files;
    }

    if (hd_cli_open(&cli) != 0) {
        return 1;
    }

    rc = cmd->run(&cli);

    hd_store_close(cli.store);

    return rc;
}

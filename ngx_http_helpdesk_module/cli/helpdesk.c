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
    int            bare;        /* takes no arguments at all */
} hd_cli_command_t;


static const hd_cli_command_t  hd_cli_commands[] = {
    { "init", "", "create or migrate the data directory", hd_cli_init, 0, 1 },
    { "check", "[--quick]", "verify the database: integrity, counts, every "
      "stored file's size and SHA-256 (--quick: sizes only), orphans and "
      "partial uploads",
      hd_cli_check, 0, 0 },
    { "backup", "DIR", "write a consistent copy of the data to DIR (while "
      "nginx runs), with the data directory's modes", hd_cli_backup, 0, 0 },
    { "restore", "BACKUP DIR", "verify a backup (as check does), then put "
      "it in DIR, which must hold no database (stop nginx first); modes "
      "and owner kept", hd_cli_restore, 1, 0 },
    { "stats", "", "sizes and counts", hd_cli_stats, 0, 1 },
    { "staff", "add|list|disable|enable|password", "staff accounts: add "
      "--login L --email E --name N --role agent|manager|administrator "
      "[--departments D] (the password on standard input), list, disable "
      "LOGIN (its sessions end), enable LOGIN, password LOGIN (on standard "
      "input; sessions end, the owner told)",
      hd_cli_staff, 0, 0 },
    { "outbox", "list|show|retry|drop", "the e-mail outbox: list [--all | "
      "--state S] [--limit N], show ID, retry ID (a failed one again), drop "
      "ID", hd_cli_outbox, 0, 0 },
    { "demo", "", "seed the demo data once (./build.sh run does) and print "
      "its logins", hd_cli_demo, 0, 1 },
    { "departments", "list|add", "departments: list, add NAME [--feedback]",
      hd_cli_departments, 0, 0 },
    { "products", "list|add|edit", "products: list, add NAME [--versions "
      "\"1.0,2.0\" or lines \"NAME | build B | certified | update URL "
      "TEXT\"] [--area PROTECTION-AREA], edit ID [--name N] [--versions V] "
      "[--area A]", hd_cli_products, 0, 0 },
    { "cert-types", "list|add|edit", "certificate types: list, add --name N "
      "--product P --term MONTHS --kind certificate|contract --limit N "
      "--level L --premium N|unlimited --department D [--contacts N] (an MSA "
      "contract's premium contacts) [--covers TEXT] (what the level covers "
      "and what not), edit ID ...",
      hd_cli_cert_types, 0, 0 },
    { "certs", "import|list|issue|revoke", "certificates: import FILE.csv, "
      "list, issue --type T [--number N] [--from DATE] [--until DATE] "
      "[--no-code] [--count N], revoke NUMBER, assign NUMBER --account "
      "LOGIN|--company ID", hd_cli_certs, 0, 0 },
    { "companies", "list", "customer companies", hd_cli_companies, 0, 0 },
    { "categories", "list|add|edit", "request categories: list, add NAME "
      "--label-ru L [--label-en L] [--hint-ru H] [--hint-en H] "
      "[--department ID], edit NAME [the same] [--offered yes|no] (a "
      "built-in one: its hints, department and --offered)",
      hd_cli_categories, 0, 0 },
    { "forms", "list|show|set|reset", "ticket forms' extra fields per "
      "category and type (or any): list, show C T, set C T (the definition "
      "on standard input: NAME | KIND | required|optional | RU | EN | "
      "OPTIONS a line), reset C T (the built-in one)", hd_cli_forms, 0, 0 },
    { "kb", "export|import|reindex", "knowledge-base articles as Markdown "
      "files with a front matter: export DIR, import DIR (all or nothing), "
      "reindex (the search index made again)", hd_cli_kb, 0, 0 },
    { "search", "reindex [--batch N]", "staff's search of tickets: every message "
      "indexed again (those from before the index existed)", hd_cli_search,
      0, 0 },
    { "sweep", "--now TIME", "run the timer's work once at TIME (\"2026-11-25 "
      "17:00\" Moscow time, or @UNIX): auto-close and SLA escalation; "
      "[--batch N] [--solved P] [--awaiting P] [--reopen P]", hd_cli_sweep,
      0, 0 },
    { "calendar", "show YEAR", "a year's exceptional days as a holiday file "
      "writes them, from the file or (a year it lacks) the Labour Code's "
      "rule: [--calendar NAME] [--holidays FILE] [--rule]", hd_cli_calendar,
      1, 0 },
    { "mailgate", "URL", "post the message on standard input to the portal's "
      "mail gate (the MTA's pipe command): [--key-file FILE] (else "
      "$HELPDESK_MAILGATE_KEY) [--timeout S] [--cacert FILE]; exits 0, 75 "
      "(later) or 67 (never)", hd_cli_mailgate, 1, 0 },
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
 * The template directory: $HELPDESK_TEMPLATES, else the one beside the
 * build (../lua-free-templates from the binary), else the installed one
 * (../share/helpdesk/templates from the binary: /usr/bin -> /usr/share)
 */
const char *
hd_cli_templates_dir(char *buf, size_t size)
{
    char         self[PATH_MAX], *slash;
    ssize_t      n;
    size_t       i;
    struct stat  st;
    const char  *templates;
    const char  *beside[] = { "../lua-free-templates",
                              "../share/helpdesk/templates" };

    templates = getenv("HELPDESK_TEMPLATES");

    if (templates != NULL && templates[0] != '\0') {
        return templates;
    }

    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        return NULL;
    }

    self[n] = '\0';
    slash = strrchr(self, '/');
    if (slash != NULL) {
        *slash = '\0';
    }

    for (i = 0; i < sizeof(beside) / sizeof(beside[0]); i++) {
        snprintf(buf, size, "%s/%s/i18n", self, beside[i]);

        if (stat(buf, &st) == 0) {
            snprintf(buf, size, "%s/%s", self, beside[i]);
            return buf;
        }
    }

    return NULL;
}


/* the operator's language: ru when LC_ALL, LC_MESSAGES or LANG says so */
hd_lang_e
hd_cli_lang(void)
{
    size_t       i;
    const char  *v;
    const char  *vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };

    for (i = 0; i < 3; i++) {
        v = getenv(vars[i]);

        if (v != NULL && v[0] != '\0') {
            return strncmp(v, "ru", 2) == 0 ? HD_LANG_RU : HD_LANG_EN;
        }
    }

    return HD_LANG_EN;
}


/* a sentence of the tool in the operator's language */
const char *
hd_cli_say(const char *en, const char *ru)
{
    return hd_cli_lang() == HD_LANG_RU ? ru : en;
}


/*
 * The portal for flows that send e-mail: the templates of
 * hd_cli_templates_dir(); links to $HELPDESK_URL, else http://localhost/
 */
int
hd_cli_mail_portal(hd_cli_t *cli, hd_pool_t *pool, hd_portal_t *portal)
{
    char             dir[PATH_MAX + 32], saved[1100];
    hd_err_t         err;
    const char      *templates, *url;
    hd_templates_t  *t;

    hd_cli_portal(cli, portal);

    templates = hd_cli_templates_dir(dir, sizeof(dir));

    if (templates == NULL) {
        fprintf(stderr, "helpdesk: %s\n",
                hd_cli_say("set HELPDESK_TEMPLATES to the template "
                           "directory (none found beside the program)",
                           "укажите каталог шаблонов в HELPDESK_TEMPLATES "
                           "(рядом с программой его нет)"));
        return -1;
    }

    hd_err_clear(&err);

    if (hd_templates_load(pool, templates, &t, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: the templates (%s): %s\n", templates,
                err.text);
        return -1;
    }

    /* $HELPDESK_URL, else the helpdesk_url nginx last said, else a
       placeholder */
    url = getenv("HELPDESK_URL");

    if ((url == NULL || url[0] == '\0')
        && hd_notify_url_load(cli->store, saved, sizeof(saved)) == HD_OK)
    {
        url = saved;
    }

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


/*
 * What a code means, in the operator's language, from the portal's own
 * catalogue (errors.CODE); the code itself when there is no catalogue
 */
static const char *
hd_cli_code_text(const char *code, char *buf, size_t size)
{
    char                   dir[PATH_MAX + 32], key[128];
    hd_err_t               err;
    const hd_str_t        *text;
    const char            *templates;
    static int             tried;
    static hd_arena_t     *arena;
    static hd_templates_t *t;

    if (!tried) {
        tried = 1;
        templates = hd_cli_templates_dir(dir, sizeof(dir));
        arena = templates ? hd_arena_create(65536) : NULL;
        hd_err_clear(&err);

        if (arena != NULL
            && hd_templates_load(&arena->pool, templates, &t, &err) != HD_OK)
        {
            t = NULL;
        }
    }

    snprintf(key, sizeof(key), "errors.%s", code);
    text = t ? hd_i18n_text(t->catalog[hd_cli_lang()], key) : NULL;

    if (text == NULL) {
        return code;
    }

    snprintf(buf, size, "%.*s", (int) text->len, (const char *) text->data);

    return buf;
}


int
hd_cli_errors(const char *what, hd_errors_t *errors, hd_err_t *err)
{
    char    buf[512];
    size_t  i;

    if (errors->n == 0) {
        if (err->field != NULL && err->code != NULL) {
            fprintf(stderr, "helpdesk: %s: %s: %s\n", what, err->field,
                    hd_cli_code_text(err->code, buf, sizeof(buf)));

        } else {
            /* (not the portal's text: "not_found" is no page here) */
            fprintf(stderr, "helpdesk: %s: %s\n", what, err->text);
        }

        return 1;
    }

    for (i = 0; i < errors->n; i++) {
        fprintf(stderr, "helpdesk: %s: %s: %s\n", what,
                errors->item[i].field ? errors->item[i].field : "-",
                hd_cli_code_text(errors->item[i].code, buf, sizeof(buf)));
    }

    return 1;
}


/*
 * A whole decimal number from min to max, nothing else in the text; else
 * a sentence naming the option and the value, and -1
 */
int
hd_cli_number(const char *what, const char *text, uint64_t min, uint64_t max,
    uint64_t *out)
{
    uint64_t     v;
    const char  *p;

    v = 0;

    for (p = text; *p >= '0' && *p <= '9' && v <= max; p++) {
        v = v * 10 + (uint64_t) (*p - '0');
    }

    if (p == text || *p != '\0' || v < min || v > max) {
        fprintf(stderr, "helpdesk: %s: %s \"%s\" (%llu-%llu)\n", what,
                hd_cli_say("not a valid number", "неверное число"), text,
                (unsigned long long) min, (unsigned long long) max);
        return -1;
    }

    *out = v;

    return 0;
}


/*
 * getopt_long's '?' or ':' (opterr is off): the option it did not know, or
 * the one missing its value, named; 2, the exit code of a usage error
 */
int
hd_cli_bad_option(const char *what, char **argv)
{
    const char  *arg;

    /* argv: the array getopt_long was given; optind is past the option */
    arg = optind > 0 && argv[optind - 1] != NULL ? argv[optind - 1] : "?";

    /* optopt: the option known but without its value; 0: unknown */
    fprintf(stderr, "helpdesk: %s: %s \"%s\"\n", what,
            optopt ? hd_cli_say("the option needs a value",
                                "ключу нужно значение")
                   : hd_cli_say("unknown option", "неизвестный ключ"),
            arg);

    return 2;
}


/* arguments left after the options: an error naming the first; 0 if none */
int
hd_cli_extra(const char *what, hd_cli_t *cli, int from)
{
    if (from >= cli->argc) {
        return 0;
    }

    fprintf(stderr, "helpdesk: %s: %s \"%s\"\n", what,
            hd_cli_say("unexpected argument", "лишний аргумент"),
            cli->argv[from]);

    return 2;
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
                fprintf(stderr, "helpdesk: %s \"%s\" (64k to 1024g)\n",
                        hd_cli_say("invalid map size", "неверный размер карты"),
                        optarg);
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
        fprintf(stderr, "helpdesk: %s \"%s\"\n\n",
                hd_cli_say("unknown command", "неизвестная команда"),
                argv[optind]);
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

    if (cmd->bare && cli.argc > 0) {
        return hd_cli_extra(cmd->name, &cli, 0);
    }

    /* the commands name what they did not understand themselves */
    opterr = 0;

    if (cmd->nodata) {
        return cmd->run(&cli);
    }

    if (cli.data == NULL || cli.data[0] == '\0') {
        fprintf(stderr, "helpdesk: %s\n",
                hd_cli_say("no data directory: give -d DIR or set "
                           "HELPDESK_DATA",
                           "не указан каталог данных: задайте -d КАТАЛОГ "
                           "или HELPDESK_DATA"));
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
            if (hd_cli_lang() == HD_LANG_RU) {
                fprintf(stderr, "helpdesk: в \"%s\" нет базы данных "
                        "(опечатка в -d?); её создаёт `helpdesk -d %s "
                        "init`\n", cli.data, cli.data);

            } else {
                fprintf(stderr, "helpdesk: there is no database in \"%s\" "
                        "(a mistyped -d?); `helpdesk -d %s init` creates "
                        "one\n", cli.data, cli.data);
            }
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
    hd_cli_keep_owner(&cli);

    return rc;
}

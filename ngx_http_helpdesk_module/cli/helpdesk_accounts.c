/*
 * Accounts from the CLI: staff accounts, the outbox.
 */

#include "helpdesk.h"

#include "hd_crypto.h"
#include "hd_outbox.h"
#include "hd_product.h"
#include "hd_staff.h"


static int hd_cli_read_password(char *buf, size_t size);
static int hd_cli_staff_add(hd_cli_t *cli);


/*
 * "1,2", "Базовая поддержка,3" or "all": the departments' ids (names
 * looked up); -1 when one is unknown
 */
static int
hd_cli_departments_list(hd_cli_t *cli, const char *text,
    hd_staff_input_t *in)
{
    char              *copy, *p, *comma;
    size_t             i, n;
    hd_rc              rc;
    hd_err_t           err;
    hd_str_t           s;
    hd_txn_t           txn;
    hd_arena_t        *arena;
    hd_department_t    d, *list;

    in->n = 0;
    in->set_departments = 1;

    if (hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: %s\n", err.text);
        return -1;
    }

    if (strcmp(text, "all") == 0) {
        arena = hd_arena_create(4096);
        if (arena == NULL) {
            hd_txn_abort(&txn);
            return -1;
        }

        rc = hd_department_list(&txn, &arena->pool, &list, &n);

        for (i = 0; rc == HD_OK && i < n && in->n < HD_STAFF_DEPARTMENTS_MAX;
             i++)
        {
            in->departments[in->n++] = list[i].id;
        }

        hd_arena_destroy(arena);
        hd_txn_abort(&txn);

        return rc == HD_OK ? 0 : -1;
    }

    copy = strdup(text);
    if (copy == NULL) {
        hd_txn_abort(&txn);
        return -1;
    }

    for (p = copy; p != NULL && *p; p = comma ? comma + 1 : NULL) {
        comma = strchr(p, ',');
        if (comma != NULL) {
            *comma = '\0';
        }

        hd_cli_str(p, &s);

        if (in->n == HD_STAFF_DEPARTMENTS_MAX
            || hd_department_lookup(&txn, &s, &d) != HD_OK)
        {
            fprintf(stderr, "helpdesk: no department \"%s\"\n", p);
            free(copy);
            hd_txn_abort(&txn);
            return -1;
        }

        in->departments[in->n++] = d.id;
    }

    free(copy);
    hd_txn_abort(&txn);

    return 0;
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


#define HD_CLI_STAFF_USAGE                                                   \
    "usage: helpdesk staff add --login L --email E --name N "                 \
    "--role agent|manager|administrator\n"                                    \
    "                          [--phone P] [--departments all|ID,NAME,...] "  \
    "< password\n"                                                            \
    "       helpdesk staff list\n"                                            \
    "       helpdesk staff disable|enable LOGIN\n"                            \
    "       helpdesk staff password LOGIN < password\n"


/* a staff account by login or e-mail; 0 when found */
static int
hd_cli_staff_find(hd_cli_t *cli, const char *who, uint64_t *id)
{
    int           found;
    hd_err_t      err;
    hd_txn_t      txn;
    hd_account_t  a;

    if (hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: %s\n", err.text);
        return -1;
    }

    found = hd_account_find(&txn, (const hd_uchar *) who, strlen(who), &a)
                == HD_OK
            && hd_account_is_staff(&a);
    *id = found ? a.id : 0;
    hd_txn_abort(&txn);

    if (!found) {
        fprintf(stderr, "helpdesk: %s \"%s\"\n",
                hd_cli_say("there is no staff account with the login or "
                           "e-mail",
                           "нет учётной записи сотрудника с логином или "
                           "адресом"), who);
        return -1;
    }

    return 0;
}


/* the one argument of staff disable|enable|password: 0, else the exit code */
static int
hd_cli_staff_who(hd_cli_t *cli, uint64_t *id)
{
    if (cli->argc != 2 || cli->argv[1][0] == '-') {
        fprintf(stderr, HD_CLI_STAFF_USAGE);
        return 2;
    }

    return hd_cli_staff_find(cli, cli->argv[1], id) == 0 ? 0 : 1;
}


static int
hd_cli_staff_list(hd_cli_t *cli)
{
    size_t            i, n;
    hd_err_t          err;
    hd_txn_t          txn;
    hd_arena_t       *arena;
    hd_staff_info_t  *list;
    const hd_account_t  *a;

    arena = hd_arena_create(65536);
    if (arena == NULL
        || hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err) != HD_OK)
    {
        fprintf(stderr, "helpdesk: %s\n", arena ? err.text : "no memory");
        hd_arena_destroy(arena);
        return 1;
    }

    if (hd_staff_list(&txn, &arena->pool, &list, &n) != HD_OK) {
        hd_txn_abort(&txn);
        hd_arena_destroy(arena);
        fprintf(stderr, "helpdesk: cannot read the staff accounts\n");
        return 1;
    }

    hd_txn_abort(&txn);

    printf("%-6s %-20s %-14s %-9s %s\n", "id", "login", "role", "state",
           "e-mail, name");

    for (i = 0; i < n; i++) {
        a = &list[i].account;
        printf("%-6llu %-20.*s %-14s %-9s %.*s, %.*s\n",
               (unsigned long long) a->id, (int) a->login.len, a->login.data,
               hd_role_names[a->role],
               a->state == HD_ACCOUNT_DISABLED ? "disabled" : "active",
               (int) a->email.len, a->email.data, (int) a->name.len,
               a->name.data);
    }

    hd_arena_destroy(arena);

    return 0;
}


/* disable (1) or enable (0): a disabled account's sessions end at once */
static int
hd_cli_staff_state(hd_cli_t *cli, int disable)
{
    int               rc;
    uint64_t          id;
    hd_err_t          err;
    hd_portal_t       portal;
    hd_errors_t       errors;
    hd_staff_input_t  in;

    rc = hd_cli_staff_who(cli, &id);
    if (rc != 0) {
        return rc;
    }

    memset(&in, 0, sizeof(in));
    in.role = -1;
    in.disabled = disable;
    in.kb_editor = -1;

    hd_cli_portal(cli, &portal);
    memset(&errors, 0, sizeof(errors));
    hd_err_clear(&err);

    /* actor 0: the operator, who may lock anyone out and let them in */
    if (hd_staff_update(&portal, 0, id, &in, (uint64_t) time(NULL), &err)
        != HD_OK)
    {
        return hd_cli_errors(cli->argv[0], &errors, &err);
    }

    printf("%s: %s\n", cli->argv[1],
           disable ? hd_cli_say("disabled, its sessions ended",
                                "отключена, её сеансы завершены")
                   : hd_cli_say("enabled", "включена"));

    return 0;
}


static int
hd_cli_staff_password(hd_cli_t *cli)
{
    int           rc;
    char          password[1100];
    uint64_t      id;
    hd_err_t      err;
    hd_str_t      pw;
    hd_arena_t   *arena;
    hd_portal_t   portal;
    hd_errors_t   errors;

    rc = hd_cli_staff_who(cli, &id);
    if (rc != 0) {
        return rc;
    }

    if (hd_cli_read_password(password, sizeof(password)) != 0) {
        fprintf(stderr, "helpdesk: %s\n",
                hd_cli_say("the password is read from standard input",
                           "пароль читается со стандартного ввода"));
        return 2;
    }

    arena = hd_arena_create(65536);
    if (arena == NULL || hd_cli_mail_portal(cli, &arena->pool, &portal) != 0)
    {
        hd_arena_destroy(arena);
        return 1;
    }

    hd_cli_str(password, &pw);
    memset(&errors, 0, sizeof(errors));
    hd_err_clear(&err);

    /* the owner is told by e-mail, every session of it ends */
    rc = hd_auth_change_password(&portal, id, NULL, &pw, NULL,
                                 (uint64_t) time(NULL), &errors, &err)
         == HD_OK
         ? 0 : hd_cli_errors("staff password", &errors, &err);

    hd_arena_destroy(arena);

    if (rc == 0) {
        printf("%s: %s\n", cli->argv[1],
               hd_cli_say("the password is set, its sessions ended",
                          "пароль задан, её сеансы завершены"));
    }

    return rc;
}


int
hd_cli_staff(hd_cli_t *cli)
{
    if (cli->argc == 1 && strcmp(cli->argv[0], "list") == 0) {
        return hd_cli_staff_list(cli);
    }

    if (cli->argc >= 1 && strcmp(cli->argv[0], "disable") == 0) {
        return hd_cli_staff_state(cli, 1);
    }

    if (cli->argc >= 1 && strcmp(cli->argv[0], "enable") == 0) {
        return hd_cli_staff_state(cli, 0);
    }

    if (cli->argc >= 1 && strcmp(cli->argv[0], "password") == 0) {
        return hd_cli_staff_password(cli);
    }

    return hd_cli_staff_add(cli);
}


static int
hd_cli_staff_add(hd_cli_t *cli)
{
    int                  c, role;
    char                 password[1100];
    uint64_t             id;
    hd_err_t             err;
    hd_portal_t          portal;
    hd_errors_t          errors;
    hd_account_input_t   in;
    hd_staff_input_t     staff;

    static struct option  opts[] = {
        { "login", required_argument, NULL, 'l' },
        { "email", required_argument, NULL, 'e' },
        { "name", required_argument, NULL, 'n' },
        { "role", required_argument, NULL, 'r' },
        { "phone", required_argument, NULL, 'p' },
        { "departments", required_argument, NULL, 'd' },
        { NULL, 0, NULL, 0 }
    };

    if (cli->argc < 1 || strcmp(cli->argv[0], "add") != 0) {
        if (cli->argc >= 1) {
            fprintf(stderr, "helpdesk: %s \"%s\"\n",
                    hd_cli_say("unknown staff command",
                               "неизвестная команда staff"), cli->argv[0]);
        }

        fprintf(stderr, HD_CLI_STAFF_USAGE);
        return 2;
    }

    hd_account_input_init(&in);
    in.role = HD_ROLE_AGENT;
    memset(&staff, 0, sizeof(staff));
    staff.role = -1;
    staff.disabled = -1;
    staff.kb_editor = -1;

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
        case 'd':
            if (hd_cli_departments_list(cli, optarg, &staff) != 0) {
                return 2;
            }
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
            return hd_cli_bad_option("staff add", cli->argv);
        }
    }

    if (hd_cli_extra("staff add", cli, optind) != 0) {
        return 2;
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

    if (hd_auth_register(&portal, &in, NULL, (uint64_t) time(NULL), &id,
                         NULL, &errors, &err)
        != HD_OK)
    {
        return hd_cli_errors("staff add", &errors, &err);
    }

    if (staff.set_departments
        && hd_staff_update(&portal, 0, id, &staff, (uint64_t) time(NULL),
                           &err)
           != HD_OK)
    {
        return hd_cli_errors("staff add", &errors, &err);
    }

    printf("staff account %llu: %.*s (%s)\n", (unsigned long long) id,
           (int) in.login.len, in.login.data, hd_role_names[in.role]);

    return 0;
}

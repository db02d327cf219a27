/*
 * What support is given for, from the CLI: departments, products,
 * certificate types, certificates (import, list, issue, revoke), companies.
 */

#include "helpdesk.h"
#include "hd_activation.h"

#include "hd_certificate.h"
#include "hd_company.h"
#include "hd_date.h"
#include "hd_product.h"


typedef int (*hd_cli_txn_pt)(hd_cli_t *cli, hd_txn_t *txn, void *data,
    hd_errors_t *errors, hd_err_t *err);


/* a write transaction around fn: committed when it returns 0 */
static int
hd_cli_write(hd_cli_t *cli, const char *what, hd_cli_txn_pt fn, void *data)
{
    int          rc;
    hd_txn_t     txn;
    hd_err_t     err;
    hd_errors_t  errors;

    memset(&errors, 0, sizeof(errors));
    hd_err_clear(&err);

    if (hd_txn_begin(cli->store, &txn, HD_TXN_WRITE, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: %s\n", err.text);
        return 1;
    }

    rc = fn(cli, &txn, data, &errors, &err);

    if (rc != 0) {
        hd_txn_abort(&txn);
        return errors.n || err.text[0] ? hd_cli_errors(what, &errors, &err)
                                       : rc;
    }

    if (hd_txn_commit(&txn, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: %s: %s\n", what, err.text);
        return 1;
    }

    return 0;
}


static int
hd_cli_read(hd_cli_t *cli, hd_txn_t *txn)
{
    hd_err_t  err;

    if (hd_txn_begin(cli->store, txn, HD_TXN_READ, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: %s\n", err.text);
        return -1;
    }

    return 0;
}


static int
hd_cli_is(hd_cli_t *cli, const char *sub)
{
    return cli->argc >= 1 && strcmp(cli->argv[0], sub) == 0;
}


/* --- departments ---------------------------------------------------------- */


static int
hd_cli_department_add(hd_cli_t *cli, hd_txn_t *txn, void *data,
    hd_errors_t *errors, hd_err_t *err)
{
    hd_department_t  *d = data;

    (void) cli;
    (void) errors;

    return hd_department_save(txn, d, (uint64_t) time(NULL), err) == HD_OK
           ? 0 : 1;
}


int
hd_cli_departments(hd_cli_t *cli)
{
    int               rc;
    size_t            i, n;
    hd_txn_t          txn;
    hd_arena_t       *arena;
    hd_department_t  *list, d;

    if (hd_cli_is(cli, "add") && cli->argc >= 2) {
        memset(&d, 0, sizeof(d));
        hd_cli_str(cli->argv[1], &d.name);

        if (cli->argc >= 3 && strcmp(cli->argv[2], "--feedback") == 0) {
            d.flags = HD_DEPARTMENT_FEEDBACK;
        }

        if (hd_cli_extra("departments add", cli, d.flags ? 3 : 2) != 0) {
            return 2;
        }

        rc = hd_cli_write(cli, "departments add", hd_cli_department_add, &d);
        if (rc == 0) {
            printf("department %llu: %s\n", (unsigned long long) d.id,
                   cli->argv[1]);
        }

        return rc;
    }

    if (!hd_cli_is(cli, "list") || hd_cli_extra("departments list", cli, 1)
        || hd_cli_read(cli, &txn) != 0)
    {
        fprintf(stderr, "usage: helpdesk departments list | add NAME "
                "[--feedback]\n");
        return 2;
    }

    arena = hd_arena_create(0);
    hd_department_list(&txn, &arena->pool, &list, &n);

    for (i = 0; i < n; i++) {
        printf("%llu\t%.*s%s\n", (unsigned long long) list[i].id,
               (int) list[i].name.len, list[i].name.data,
               list[i].flags & HD_DEPARTMENT_FEEDBACK ? "\t(feedback)" : "");
    }

    hd_txn_abort(&txn);
    hd_arena_destroy(arena);

    return 0;
}


/* --- products ------------------------------------------------------------- */


/* "1.0,2.0" as one version a line */
static void
hd_cli_versions(hd_arena_t *arena, const char *list, hd_str_t *versions)
{
    size_t     i, n = strlen(list);
    hd_uchar  *p;

    p = hd_pstrdup(&arena->pool, list, n);

    /* "4.0,5.0"; or lines, when a version says more (a line may hold
       commas: "5.0 | update https://... fixes a, b and c") */
    for (i = 0; i < n && strchr(list, '\n') == NULL; i++) {
        if (p[i] == ',') {
            p[i] = '\n';
        }
    }

    versions->data = p;
    versions->len = n;
}


static int
hd_cli_product_save(hd_cli_t *cli, hd_txn_t *txn, void *data,
    hd_errors_t *errors, hd_err_t *err)
{
    hd_product_t  *p = data;

    (void) cli;

    hd_product_validate(p, errors);

    if (errors->n) {
        return 1;
    }

    return hd_product_save(txn, p, (uint64_t) time(NULL), err) == HD_OK
           ? 0 : 1;
}


int
hd_cli_products(hd_cli_t *cli)
{
    int            c, rc;
    size_t         i, n;
    hd_txn_t       txn;
    hd_arena_t    *arena;
    hd_product_t  *list, p, old;

    static struct option  opts[] = {
        { "name", required_argument, NULL, 'n' },
        { "versions", required_argument, NULL, 'v' },
        { "area", required_argument, NULL, 'a' },
        { NULL, 0, NULL, 0 }
    };

    arena = hd_arena_create(0);
    memset(&p, 0, sizeof(p));
    rc = 2;

    if ((hd_cli_is(cli, "add") || hd_cli_is(cli, "edit")) && cli->argc >= 2) {
        if (hd_cli_is(cli, "edit")) {
            if (hd_cli_number("products edit", cli->argv[1], 1, UINT32_MAX,
                              &p.id)
                != 0)
            {
                goto done;
            }

            if (hd_cli_read(cli, &txn) != 0) {
                goto done;
            }

            if (hd_product_get(&txn, p.id, &old) != HD_OK) {
                hd_txn_abort(&txn);
                fprintf(stderr, "helpdesk: no product %s\n", cli->argv[1]);
                rc = 1;
                goto done;
            }

            p.name.data = hd_pstrdup(&arena->pool, old.name.data,
                                     old.name.len);
            p.name.len = old.name.len;
            p.versions.data = hd_pstrdup(&arena->pool, old.versions.data,
                                         old.versions.len);
            p.versions.len = old.versions.len;
            p.area.data = hd_pstrdup(&arena->pool, old.area.data,
                                     old.area.len);
            p.area.len = old.area.len;
            hd_txn_abort(&txn);

        } else {
            hd_cli_str(cli->argv[1], &p.name);
        }

        optind = 2;

        while ((c = getopt_long(cli->argc, cli->argv, "", opts, NULL)) != -1) {
            if (c == 'n') {
                hd_cli_str(optarg, &p.name);

            } else if (c == 'v') {
                hd_cli_versions(arena, optarg, &p.versions);

            } else if (c == 'a') {
                hd_cli_str(optarg, &p.area);

            } else {
                hd_cli_bad_option("products", cli->argv);
                goto done;
            }
        }

        if (hd_cli_extra("products", cli, optind) != 0) {
            goto done;
        }

        rc = hd_cli_write(cli, "products", hd_cli_product_save, &p);
        if (rc == 0) {
            printf("product %llu: %.*s\n", (unsigned long long) p.id,
                   (int) p.name.len, p.name.data);
        }

        goto done;
    }

    if (!hd_cli_is(cli, "list") || hd_cli_extra(cli->argv[0], cli, 1)
        || hd_cli_read(cli, &txn) != 0)
    {
        fprintf(stderr, "usage: helpdesk products list | add NAME "
                "[--versions V1,V2] | edit ID [--name N] [--versions V]\n");
        goto done;
    }

    hd_product_list(&txn, &arena->pool, &list, &n);

    for (i = 0; i < n; i++) {
        printf("%llu\t%.*s\t", (unsigned long long) list[i].id,
               (int) list[i].name.len, list[i].name.data);

        for (c = 0; c < (int) list[i].versions.len; c++) {
            putchar(list[i].versions.data[c] == '\n'
                    ? ',' : list[i].versions.data[c]);
        }

        putchar('\n');
    }

    hd_txn_abort(&txn);
    rc = 0;

done:

    hd_arena_destroy(arena);

    return rc;
}


/* --- certificate types ---------------------------------------------------- */


typedef struct {
    hd_cert_type_t   type;
    const char      *product;
    const char      *department;
} hd_cli_type_t;


static int
hd_cli_type_save(hd_cli_t *cli, hd_txn_t *txn, void *data,
    hd_errors_t *errors, hd_err_t *err)
{
    hd_str_t          s;
    hd_product_t      p;
    hd_cli_type_t    *t = data;
    hd_department_t   d;

    (void) cli;

    if (t->product != NULL) {
        hd_cli_str(t->product, &s);
        t->type.product = hd_product_lookup(txn, &s, &p) == HD_OK ? p.id : 0;
    }

    if (t->department != NULL) {
        hd_cli_str(t->department, &s);
        t->type.department = hd_department_lookup(txn, &s, &d) == HD_OK
                             ? d.id : 0;
    }

    hd_cert_type_validate(txn, &t->type, errors);

    if (errors->n) {
        return 1;
    }

    return hd_cert_type_save(txn, &t->type, (uint64_t) time(NULL), err)
           == HD_OK ? 0 : 1;
}


/* a number option of a certificate type, its range checked here */
static int
hd_cli_type_number(const char *option, const char *text, uint64_t max,
    uint32_t *out)
{
    uint64_t  v;

    if (hd_cli_number(option, text, 0, max, &v) != 0) {
        return -1;
    }

    *out = (uint32_t) v;

    return 0;
}


static int
hd_cli_type_options(hd_cli_t *cli, hd_cli_type_t *t, int first)
{
    int  c, v;

    static struct option  opts[] = {
        { "name", required_argument, NULL, 'n' },
        { "product", required_argument, NULL, 'p' },
        { "term", required_argument, NULL, 't' },
        { "kind", required_argument, NULL, 'k' },
        { "limit", required_argument, NULL, 'l' },
        { "level", required_argument, NULL, 'L' },
        { "premium", required_argument, NULL, 'P' },
        { "department", required_argument, NULL, 'd' },
        { "contacts", required_argument, NULL, 'c' },
        { "covers", required_argument, NULL, 'C' },
        { NULL, 0, NULL, 0 }
    };

    optind = first;

    while ((c = getopt_long(cli->argc, cli->argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            hd_cli_str(optarg, &t->type.name);
            break;
        case 'p':
            t->product = optarg;
            break;
        case 't':
            if (hd_cli_type_number("--term", optarg, 100000,
                                   &t->type.term_months)
                != 0)
            {
                return -1;
            }
            break;
        case 'k':
            v = hd_cert_kind_from_name((hd_uchar *) optarg, strlen(optarg));
            t->type.kind = v < 0 ? HD_CERT_KIND_COUNT : (uint8_t) v;
            break;
        case 'l':
            if (hd_cli_type_number("--limit", optarg, 100000,
                                   &t->type.ticket_limit)
                != 0)
            {
                return -1;
            }
            break;
        case 'L':
            v = hd_level_from_name((hd_uchar *) optarg, strlen(optarg));
            t->type.level = v < 0 ? HD_LEVEL_COUNT : (uint8_t) v;
            break;
        case 'P':
            if (strcmp(optarg, "unlimited") == 0) {
                t->type.premium_per_year = HD_PREMIUM_UNLIMITED;

            } else if (hd_cli_type_number("--premium", optarg, 100000,
                                          &t->type.premium_per_year)
                       != 0)
            {
                return -1;
            }
            break;
        case 'd':
            t->department = optarg;
            break;
        case 'C':
            /* what the level covers and what not, for the form */
            hd_cli_str(optarg, &t->type.covers);
            break;
        case 'c':
            /* an MSA contract's premium contacts (0: none to name) */
            if (hd_cli_type_number("--contacts", optarg, HD_CONTACTS_MAX,
                                   &t->type.contacts_max)
                != 0)
            {
                return -1;
            }
            break;
        default:
            hd_cli_bad_option("cert-types", cli->argv);
            return -1;
        }
    }

    if (hd_cli_extra("cert-types", cli, optind) != 0) {
        return -1;
    }

    return 0;
}


int
hd_cli_cert_types(hd_cli_t *cli)
{
    int               rc;
    char              premium[16];
    size_t            i, n;
    hd_txn_t          txn;
    hd_arena_t       *arena;
    hd_cli_type_t     t;
    hd_cert_type_t   *list;

    memset(&t, 0, sizeof(t));

    if (hd_cli_is(cli, "add")) {
        t.type.kind = HD_CERT_CERTIFICATE;
        t.type.level = HD_LEVEL_STANDARD;

        if (hd_cli_type_options(cli, &t, 1) != 0) {
            return 2;
        }

        rc = hd_cli_write(cli, "cert-types add", hd_cli_type_save, &t);
        if (rc == 0) {
            printf("certificate type %llu: %.*s\n",
                   (unsigned long long) t.type.id, (int) t.type.name.len,
                   t.type.name.data);
        }

        return rc;
    }

    if (hd_cli_is(cli, "edit") && cli->argc >= 2) {
        arena = hd_arena_create(0);

        if (hd_cli_read(cli, &txn) != 0) {
            hd_arena_destroy(arena);
            return 1;
        }

        if (hd_cert_type_get(&txn, strtoull(cli->argv[1], NULL, 10), &t.type)
            != HD_OK
            || strspn(cli->argv[1], "0123456789") != strlen(cli->argv[1]))
        {
            hd_txn_abort(&txn);
            hd_arena_destroy(arena);
            fprintf(stderr, "helpdesk: no certificate type %s\n",
                    cli->argv[1]);
            return 1;
        }

        t.type.name.data = hd_pstrdup(&arena->pool, t.type.name.data,
                                      t.type.name.len);
        t.type.covers.data = hd_pstrdup(&arena->pool, t.type.covers.data,
                                        t.type.covers.len);
        hd_txn_abort(&txn);

        rc = hd_cli_type_options(cli, &t, 2) == 0
             ? hd_cli_write(cli, "cert-types edit", hd_cli_type_save, &t) : 2;

        hd_arena_destroy(arena);

        return rc;
    }

    if (!hd_cli_is(cli, "list") || hd_cli_extra(cli->argv[0], cli, 1)
        || hd_cli_read(cli, &txn) != 0)
    {
        fprintf(stderr, "usage: helpdesk cert-types list | add --name N "
                "--product P --term MONTHS --kind certificate|contract "
                "--limit N --level L --premium N|unlimited --department D | "
                "edit ID ...\n");
        return 2;
    }

    arena = hd_arena_create(0);
    hd_cert_type_list(&txn, &arena->pool, &list, &n);

    for (i = 0; i < n; i++) {
        if (list[i].premium_per_year == HD_PREMIUM_UNLIMITED) {
            snprintf(premium, sizeof(premium), "unlimited");

        } else {
            snprintf(premium, sizeof(premium), "%u", list[i].premium_per_year);
        }

        printf("%llu\t%.*s\tproduct %llu\t%u months\t%s\tlimit %u\t%s\t"
               "premium %s\tdepartment %llu\n",
               (unsigned long long) list[i].id, (int) list[i].name.len,
               list[i].name.data, (unsigned long long) list[i].product,
               list[i].term_months,
               hd_cert_kind_names[list[i].kind % HD_CERT_KIND_COUNT],
               list[i].ticket_limit,
               hd_level_names[list[i].level % HD_LEVEL_COUNT], premium,
               (unsigned long long) list[i].department);
    }

    hd_txn_abort(&txn);
    hd_arena_destroy(arena);

    return 0;
}


/* --- certificates --------------------------------------------------------- */


static int
hd_cli_certs_import(hd_cli_t *cli)
{
    hd_rc              rc;
    hd_buf_t           csv;
    hd_err_t           err;
    hd_cert_import_t   result;

    if (cli->argc != 2) {
        fprintf(stderr, "usage: helpdesk certs import FILE.csv\n");
        return 2;
    }

    hd_buf_init(&csv);

    if (hd_buf_read_file(&csv, cli->argv[1]) != 0) {
        fprintf(stderr, "helpdesk: cannot read %s: %s\n", cli->argv[1],
                strerror(errno));
        hd_buf_free(&csv);
        return 1;
    }

    hd_buf_init(&result.report);
    hd_err_clear(&err);

    rc = hd_cert_import(cli->store, csv.data, csv.len, (uint64_t) time(NULL),
                        0, &result, &err);

    hd_buf_free(&csv);

    if (rc == HD_OK) {
        printf("imported %zu certificates\n", result.imported);
        hd_buf_free(&result.report);
        return 0;
    }

    if (result.report.len) {
        fwrite(result.report.data, 1, result.report.len, stderr);
    }

    fprintf(stderr, "helpdesk: %s\n", err.text);
    hd_buf_free(&result.report);

    return 1;
}


static void
hd_cli_cert_line(hd_txn_t *txn, const hd_certificate_t *c, int32_t today)
{
    char  from[11], until[11];

    (void) txn;

    hd_date_format(c->valid_from, from);
    hd_date_format(c->valid_until, until);

    printf("%.*s\ttype %llu\t%s\t%s\t%s\t%s", (int) c->number.len,
           c->number.data, (unsigned long long) c->type, from, until,
           hd_cert_state_names[hd_cert_state(c, today)],
           c->code_hash.len ? "code" : "no code");

    switch (c->holder_kind) {
    case HD_HOLDER_ACCOUNT:
        printf("\taccount %llu\n", (unsigned long long) c->holder);
        break;
    case HD_HOLDER_COMPANY:
        printf("\tcompany %llu\n", (unsigned long long) c->holder);
        break;
    default:
        printf("\tnot registered\n");
    }
}


static int
hd_cli_certs_list(hd_cli_t *cli)
{
    hd_rc             rc;
    int32_t           today;
    hd_str_t          k, v, number;
    hd_txn_t          txn;
    hd_cursor_t       cur;
    hd_certificate_t  c;

    if (hd_cli_extra("certs list", cli, 2) != 0) {
        return 2;
    }

    if (hd_cli_read(cli, &txn) != 0) {
        return 1;
    }

    today = hd_date_today((uint64_t) time(NULL));

    /* one number, or all of them */
    if (cli->argc >= 2) {
        hd_cli_str(cli->argv[1], &number);

        if (hd_cert_find(&txn, &number, &c) != HD_OK) {
            hd_txn_abort(&txn);
            fprintf(stderr, "helpdesk: no certificate %s\n", cli->argv[1]);
            return 1;
        }

        hd_cli_cert_line(&txn, &c, today);
        hd_txn_abort(&txn);
        return 0;
    }

    if (hd_cursor_open(&txn, HD_DB_CERTIFICATES, &cur) != HD_OK) {
        hd_txn_abort(&txn);
        return 1;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_certificate_desc, v.data, v.len, &c)
            == HD_OK)
        {
            hd_cli_cert_line(&txn, &c, today);
        }
    }

    hd_cursor_close(&cur);
    hd_txn_abort(&txn);

    return 0;
}


typedef struct {
    hd_str_t          type;
    hd_str_t          number;
    int32_t           from;
    int32_t           until;
    int               with_code;
    int               count;
} hd_cli_issue_t;


static int
hd_cli_issue(hd_cli_t *cli, hd_txn_t *txn, void *data, hd_errors_t *errors,
    hd_err_t *err)
{
    int               i;
    char              number[HD_CERT_NUMBER_BUF];
    char              code[HD_CERT_CODE_TEXT_LEN + 1], until[11];
    uint64_t          now;
    hd_cli_issue_t   *is = data;
    hd_cert_type_t    t;
    hd_certificate_t  c;

    (void) cli;
    (void) errors;

    if (hd_cert_type_lookup(txn, &is->type, &t) != HD_OK) {
        hd_err_set(err, HD_INVALID, "type", "type_unknown",
                   "no certificate type \"%.*s\"", (int) is->type.len,
                   is->type.data);
        return 1;
    }

    now = (uint64_t) time(NULL);

    for (i = 0; i < is->count; i++) {
        memset(&c, 0, sizeof(c));
        c.number = i == 0 ? is->number : (hd_str_t) hd_null_string;
        c.type = t.id;
        c.valid_from = (uint32_t) (is->from ? is->from : hd_date_today(now));
        c.valid_until = (uint32_t) (is->until
                                    ? is->until
                                    : hd_date_add_months((int32_t)
                                                         c.valid_from,
                                                         (int) t.term_months)
                                      - 1);

        if (hd_cert_issue(txn, &c, is->with_code, now, number, code, err)
            != HD_OK)
        {
            return 1;
        }

        hd_date_format(c.valid_until, until);
        printf("%.*s\t%s\tvalid until %s\n", (int) c.number.len,
               c.number.data, is->with_code ? code : "(no code)", until);
    }

    return 0;
}


static int
hd_cli_revoke(hd_cli_t *cli, hd_txn_t *txn, void *data, hd_errors_t *errors,
    hd_err_t *err)
{
    hd_str_t          *number = data;
    hd_certificate_t   c;

    (void) cli;
    (void) errors;

    if (hd_cert_find(txn, number, &c) != HD_OK) {
        hd_err_set(err, HD_NOT_FOUND, "number", "cert_unknown",
                   "no certificate %.*s", (int) number->len, number->data);
        return 1;
    }

    return hd_cert_revoke(txn, c.id, err) == HD_OK ? 0 : 1;
}


typedef struct {
    hd_str_t          number;
    const char       *account;
    uint64_t          company;
} hd_cli_assign_t;


/* an operator registers a certificate to a holder: no code, any state */
static int
hd_cli_assign(hd_cli_t *cli, hd_txn_t *txn, void *data, hd_errors_t *errors,
    hd_err_t *err)
{
    int               already;
    hd_account_t      a;
    hd_cli_assign_t  *as = data;
    hd_cert_claim_t   claim;

    (void) cli;
    (void) errors;

    memset(&claim, 0, sizeof(claim));
    claim.number = as->number;

    if (as->account != NULL) {
        if (hd_account_find(txn, (hd_uchar *) as->account,
                            strlen(as->account), &a)
            != HD_OK)
        {
            hd_err_set(err, HD_NOT_FOUND, "account", "not_found",
                       "no account %s", as->account);
            return 1;
        }

        claim.holder_kind = HD_HOLDER_ACCOUNT;
        claim.holder = a.id;

    } else {
        claim.holder_kind = HD_HOLDER_COMPANY;
        claim.holder = as->company;
    }

    return hd_cert_register_unchecked(txn, &claim, (uint64_t) time(NULL),
                                      &already, err) == HD_OK ? 0 : 1;
}


int
hd_cli_certs(hd_cli_t *cli)
{
    int              c;
    uint64_t         count;
    hd_str_t         number;
    hd_cli_issue_t   is;

    static struct option  opts[] = {
        { "type", required_argument, NULL, 't' },
        { "number", required_argument, NULL, 'n' },
        { "from", required_argument, NULL, 'f' },
        { "until", required_argument, NULL, 'u' },
        { "no-code", no_argument, NULL, 'N' },
        { "count", required_argument, NULL, 'c' },
        { NULL, 0, NULL, 0 }
    };

    if (hd_cli_is(cli, "import")) {
        return hd_cli_certs_import(cli);
    }

    if (hd_cli_is(cli, "list")) {
        return hd_cli_certs_list(cli);
    }

    if (hd_cli_is(cli, "assign") && cli->argc == 4) {
        hd_cli_assign_t  as;

        memset(&as, 0, sizeof(as));
        hd_cli_str(cli->argv[1], &as.number);

        if (strcmp(cli->argv[2], "--account") == 0) {
            as.account = cli->argv[3];

        } else if (strcmp(cli->argv[2], "--company") == 0) {
            if (hd_cli_number("--company", cli->argv[3], 1, UINT32_MAX,
                              &as.company)
                != 0)
            {
                return 2;
            }

        } else {
            fprintf(stderr, "usage: helpdesk certs assign NUMBER --account "
                    "LOGIN|--company ID\n");
            return 2;
        }

        return hd_cli_write(cli, "certs assign", hd_cli_assign, &as);
    }

    if (hd_cli_is(cli, "revoke") && cli->argc == 2) {
        hd_cli_str(cli->argv[1], &number);
        return hd_cli_write(cli, "certs revoke", hd_cli_revoke, &number);
    }

    if (!hd_cli_is(cli, "issue")) {
        fprintf(stderr, "usage: helpdesk certs import FILE.csv | list "
                "[NUMBER] | issue --type T [--number N] [--from YYYY-MM-DD] "
                "[--until YYYY-MM-DD] [--no-code] [--count N] | revoke "
                "NUMBER | assign NUMBER --account LOGIN|--company ID\n");
        return 2;
    }

    memset(&is, 0, sizeof(is));
    is.with_code = 1;
    is.count = 1;
    optind = 1;

    while ((c = getopt_long(cli->argc, cli->argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            hd_cli_str(optarg, &is.type);
            break;
        case 'n':
            hd_cli_str(optarg, &is.number);
            break;
        case 'f':
        case 'u':
            if (hd_date_parse((hd_uchar *) optarg, strlen(optarg),
                              c == 'f' ? &is.from : &is.until)
                != 0)
            {
                fprintf(stderr, "helpdesk: invalid date \"%s\" "
                        "(YYYY-MM-DD)\n", optarg);
                return 2;
            }
            break;
        case 'N':
            is.with_code = 0;
            break;
        case 'c':
            if (hd_cli_number("--count", optarg, 1, 100000, &count) != 0) {
                return 2;
            }
            is.count = (int) count;
            break;
        default:
            return hd_cli_bad_option("certs issue", cli->argv);
        }
    }

    if (hd_cli_extra("certs issue", cli, optind) != 0) {
        return 2;
    }

    if (is.type.len == 0) {
        fprintf(stderr, "helpdesk: certs issue needs --type\n");
        return 2;
    }

    return hd_cli_write(cli, "certs issue", hd_cli_issue, &is);
}


/* --- companies ------------------------------------------------------------ */


int
hd_cli_companies(hd_cli_t *cli)
{
    hd_rc              rc;
    size_t             n;
    hd_str_t           k, v;
    hd_txn_t           txn;
    hd_arena_t        *arena;
    hd_cursor_t        cur;
    hd_company_t       c;
    hd_member_info_t  *members;

    if (!hd_cli_is(cli, "list") || hd_cli_extra("companies list", cli, 1)
        || hd_cli_read(cli, &txn) != 0)
    {
        fprintf(stderr, "usage: helpdesk companies list\n");
        return 2;
    }

    arena = hd_arena_create(0);

    if (hd_cursor_open(&txn, HD_DB_COMPANIES, &cur) == HD_OK) {
        for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
             rc == HD_OK;
             rc = hd_cursor_next(&cur, &k, &v))
        {
            if (hd_record_decode(&hd_company_desc, v.data, v.len, &c)
                != HD_OK)
            {
                continue;
            }

            n = 0;
            hd_company_members(&txn, c.id, &arena->pool, &members, &n);

            printf("%llu\t%.*s\towner %llu\t%zu members\n",
                   (unsigned long long) c.id, (int) c.name.len, c.name.data,
                   (unsigned long long) c.owner, n);
        }

        hd_cursor_close(&cur);
    }

    hd_txn_abort(&txn);
    hd_arena_destroy(arena);

    return 0;
}

/*
 * helpdesk forms: the ticket forms' extra fields (hd_form.h) listed, shown,
 * set from standard input and restored to the built-in ones.
 */

#include <string.h>

#include "helpdesk.h"
#include "hd_category.h"
#include "hd_form.h"
#include "hd_ticket.h"


#define HD_CLI_FORMS_USAGE                                                   \
    "usage: helpdesk forms list\n"                                            \
    "       helpdesk forms show CATEGORY TYPE|any\n"                          \
    "       helpdesk forms set CATEGORY TYPE|any < DEFINITION\n"              \
    "       helpdesk forms reset CATEGORY TYPE|any\n"                         \
    "a definition is one field a line: NAME | text|long|select|date|"         \
    "checkbox |\n"                                                            \
    "required|optional | LABEL RU | LABEL EN | value: ru / en; ...\n"


static const char *
hd_cli_form_type(uint8_t type)
{
    return type == HD_FORM_ANY ? "any" : hd_ticket_type_names[type];
}


/* CATEGORY TYPE|any: 0, or a sentence and -1 */
static int
hd_cli_form_target(hd_cli_t *cli, uint8_t *category, uint8_t *type)
{
    int       c, t;
    hd_err_t  err;
    hd_txn_t  txn;

    if (cli->argc < 3) {
        fprintf(stderr, HD_CLI_FORMS_USAGE);
        return -1;
    }

    if (hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: %s\n", err.text);
        return -1;
    }

    c = hd_category_find(&txn, (hd_uchar *) cli->argv[1],
                         strlen(cli->argv[1]));
    hd_txn_abort(&txn);

    if (c < 0) {
        fprintf(stderr, "helpdesk: forms: \"%s\" is not a category (technical,"
                " account_or_contract, feedback, apns_certificate, or one "
                "added: categories list)\n", cli->argv[1]);
        return -1;
    }

    if (strcmp(cli->argv[2], "any") == 0) {
        t = HD_FORM_ANY;

    } else {
        t = hd_name_index(hd_ticket_type_names, HD_TYPE_COUNT,
                          (hd_uchar *) cli->argv[2], strlen(cli->argv[2]));
        if (t < 0) {
            fprintf(stderr, "helpdesk: forms: \"%s\" is not a type "
                    "(consultation, bug, enhancement, or any)\n",
                    cli->argv[2]);
            return -1;
        }
    }

    *category = (uint8_t) c;
    *type = (uint8_t) t;

    return hd_cli_extra("forms", cli, 3);
}


static int
hd_cli_forms_list(hd_cli_t *cli, int show, uint8_t category, uint8_t type)
{
    int             s;
    size_t          i, c, n;
    uint8_t         ty;
    hd_category_t  *cats;
    hd_err_t     err;
    hd_txn_t     txn;
    hd_form_t   *form;
    hd_arena_t  *arena;

    if (hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err) != HD_OK) {
        fprintf(stderr, "helpdesk: %s\n", err.text);
        return 1;
    }

    arena = hd_arena_create(0);
    if (arena == NULL) {
        hd_txn_abort(&txn);
        return 1;
    }

    if (show) {
        hd_form_get(&txn, category, type, &arena->pool, &form);
        printf("%.*s", (int) form->text.len, form->text.data);

        if (form->text.len && form->text.data[form->text.len - 1] != '\n') {
            printf("\n");
        }

        hd_txn_abort(&txn);
        hd_arena_destroy(arena);
        return 0;
    }

    if (hd_category_list(&txn, &arena->pool, &cats, &n) != HD_OK) {
        n = 0;
    }

    for (c = 0; c < n; c++) {
        for (s = 0; s <= HD_TYPE_COUNT; s++) {
            ty = s == 0 ? HD_FORM_ANY : (uint8_t) (s - 1);
            hd_form_get(&txn, cats[c].id, ty, &arena->pool, &form);

            printf("%.*s/%s\t%s\t", (int) cats[c].name.len,
                   cats[c].name.data, hd_cli_form_type(ty),
                   form->stored ? "set" : "default");

            for (i = 0; i < form->nfields; i++) {
                printf("%s%.*s%s", i ? "," : "",
                       (int) form->fields[i].name.len,
                       form->fields[i].name.data,
                       form->fields[i].required ? "*" : "");
            }

            printf("%s\n", form->nfields ? "" : "-");
        }
    }

    hd_txn_abort(&txn);
    hd_arena_destroy(arena);

    return 0;
}


int
hd_cli_forms(hd_cli_t *cli)
{
    int          rc;
    char        *buf;
    size_t       n, cap;
    uint8_t      category, type;
    hd_str_t     text;
    hd_err_t     err;
    hd_errors_t  errors;

    if (cli->argc >= 1 && strcmp(cli->argv[0], "list") == 0) {
        if (hd_cli_extra("forms list", cli, 1) != 0) {
            return 2;
        }

        return hd_cli_forms_list(cli, 0, 0, 0);
    }

    if (cli->argc < 1 || (strcmp(cli->argv[0], "show") != 0
                          && strcmp(cli->argv[0], "set") != 0
                          && strcmp(cli->argv[0], "reset") != 0))
    {
        fprintf(stderr, HD_CLI_FORMS_USAGE);
        return 2;
    }

    if (hd_cli_form_target(cli, &category, &type) != 0) {
        return 2;
    }

    if (strcmp(cli->argv[0], "show") == 0) {
        return hd_cli_forms_list(cli, 1, category, type);
    }

    memset(&errors, 0, sizeof(errors));
    hd_err_clear(&err);

    if (strcmp(cli->argv[0], "reset") == 0) {
        if (hd_form_reset(cli->store, category, type, &err) != HD_OK) {
            return hd_cli_errors("forms reset", &errors, &err);
        }

        printf("form %s/%s: the built-in one\n", cli->argv[1],
               hd_cli_form_type(type));
        return 0;
    }

    /* the definition on standard input */
    cap = HD_FORM_DEF_MAX + 2;
    buf = malloc(cap);
    if (buf == NULL) {
        return 1;
    }

    n = fread(buf, 1, cap, stdin);

    if (n > HD_FORM_DEF_MAX) {
        free(buf);
        fprintf(stderr, "helpdesk: forms set: the definition is longer than "
                "%d bytes\n", HD_FORM_DEF_MAX);
        return 1;
    }

    text.data = (hd_uchar *) buf;
    text.len = n;

    rc = hd_form_set(cli->store, category, type, &text, 0,
                     (uint64_t) time(NULL), &errors, &err);
    free(buf);

    if (rc != HD_OK) {
        if (err.text[0]) {
            fprintf(stderr, "helpdesk: forms set: %s\n", err.text);
        }

        return hd_cli_errors("forms set", &errors, &err);
    }

    printf("form %s/%s: set\n", cli->argv[1], hd_cli_form_type(type));

    return 0;
}


/* --- categories ----------------------------------------------------------- */


#define HD_CLI_CATEGORIES_USAGE                                              \
    "usage: helpdesk categories list\n"                                       \
    "       helpdesk categories add NAME --label-ru L [--label-en L] "        \
    "[--hint-ru H] [--hint-en H] [--department ID]\n"                         \
    "       helpdesk categories edit NAME [--hint-ru H] [--hint-en H] "        \
    "[--department ID|0] [--offered yes|no] [--label-ru L] [--label-en L]\n"


int
hd_cli_categories(hd_cli_t *cli)
{
    int             k, rc;
    size_t          i, n;
    uint64_t        dep;
    hd_err_t        err;
    hd_txn_t        txn;
    hd_arena_t     *arena;
    hd_errors_t     errors;
    hd_category_t  *list, c;

    if (cli->argc >= 1 && strcmp(cli->argv[0], "list") == 0) {
        if (hd_cli_extra("categories list", cli, 1) != 0) {
            return 2;
        }

        if (hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err) != HD_OK) {
            fprintf(stderr, "helpdesk: %s\n", err.text);
            return 1;
        }

        arena = hd_arena_create(0);
        if (arena == NULL || hd_category_list(&txn, &arena->pool, &list, &n)
                             != HD_OK)
        {
            hd_txn_abort(&txn);
            return 1;
        }

        for (i = 0; i < n; i++) {
            printf("%u\t%.*s\t%s\t%s\t%.*s\n", (unsigned) list[i].id,
                   (int) list[i].name.len, list[i].name.data,
                   list[i].builtin ? "built-in" : "added",
                   list[i].disabled ? "not offered" : "offered",
                   (int) list[i].label_ru.len, list[i].label_ru.data);
        }

        hd_txn_abort(&txn);
        hd_arena_destroy(arena);

        return 0;
    }

    if (cli->argc < 2 || (strcmp(cli->argv[0], "add") != 0
                          && strcmp(cli->argv[0], "edit") != 0))
    {
        fprintf(stderr, HD_CLI_CATEGORIES_USAGE);
        return 2;
    }

    memset(&c, 0, sizeof(c));

    if (strcmp(cli->argv[0], "edit") == 0) {
        if (hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err) != HD_OK) {
            fprintf(stderr, "helpdesk: %s\n", err.text);
            return 1;
        }

        k = hd_category_find(&txn, (hd_uchar *) cli->argv[1],
                             strlen(cli->argv[1]));
        rc = k >= 0 ? hd_category_get(&txn, (uint8_t) k, &c) : HD_NOT_FOUND;
        arena = hd_arena_create(0);

        if (rc == HD_OK && arena != NULL) {
            hd_record_strings_copy(&hd_category_desc, &c, &arena->pool);
        }

        hd_txn_abort(&txn);

        if (rc != HD_OK) {
            fprintf(stderr, "helpdesk: categories edit: there is no category "
                    "\"%s\" (categories list)\n", cli->argv[1]);
            return 2;
        }

    } else {
        hd_cli_str(cli->argv[1], &c.name);
    }

    for (k = 2; k < cli->argc; k += 2) {
        const char  *opt = cli->argv[k];

        if (k + 1 >= cli->argc) {
            fprintf(stderr, "helpdesk: categories: %s \"%s\"\n",
                    hd_cli_say("the option needs a value",
                               "ключу нужно значение"), opt);
            return 2;
        }

        if (c.builtin && (strcmp(opt, "--label-ru") == 0
                          || strcmp(opt, "--label-en") == 0))
        {
            fprintf(stderr, "helpdesk: categories: %s is built in: its name "
                    "and labels are the product's (its hints, department "
                    "and --offered change)\n", cli->argv[1]);
            return 2;
        }

        if (strcmp(opt, "--label-ru") == 0) {
            hd_cli_str(cli->argv[k + 1], &c.label_ru);

        } else if (strcmp(opt, "--label-en") == 0) {
            hd_cli_str(cli->argv[k + 1], &c.label_en);

        } else if (strcmp(opt, "--hint-ru") == 0) {
            hd_cli_str(cli->argv[k + 1], &c.hint_ru);

        } else if (strcmp(opt, "--hint-en") == 0) {
            hd_cli_str(cli->argv[k + 1], &c.hint_en);

        } else if (strcmp(opt, "--department") == 0) {
            if (hd_cli_number("--department", cli->argv[k + 1], 0,
                              UINT32_MAX, &dep)
                != 0)
            {
                return 2;
            }

            c.department = dep;

        } else if (strcmp(opt, "--offered") == 0) {
            if (strcmp(cli->argv[k + 1], "yes") != 0
                && strcmp(cli->argv[k + 1], "no") != 0)
            {
                fprintf(stderr, "helpdesk: categories: --offered: \"%s\" is "
                        "not yes or no\n", cli->argv[k + 1]);
                return 2;
            }

            c.disabled = strcmp(cli->argv[k + 1], "no") == 0;

        } else {
            fprintf(stderr, "helpdesk: categories: %s \"%s\"\n",
                    hd_cli_say("unknown option", "неизвестный ключ"), opt);
            return 2;
        }
    }

    memset(&errors, 0, sizeof(errors));
    hd_err_clear(&err);

    if (hd_category_save(cli->store, &c, (uint64_t) time(NULL), &errors,
                         &err)
        != HD_OK)
    {
        return hd_cli_errors(strcmp(cli->argv[0], "add") == 0
                             ? "categories add" : "categories edit",
                             &errors, &err);
    }

    printf("category %u: %.*s\n", (unsigned) c.id, (int) c.name.len,
           c.name.data);

    return 0;
}

/*
 * The helpdesk command-line tool: what its files share (the run's state,
 * the commands, small helpers).
 */

#ifndef HELPDESK_H
#define HELPDESK_H


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
#include "hd_notify.h"
#include "hd_portal.h"
#include "hd_store.h"
#include "hd_templates.h"
#include "hd_work.h"


typedef struct {
    const char    *data;        /* the data directory */
    const char    *files;       /* the attachment store */
    size_t         map_size;
    int            argc;
    char         **argv;
    hd_store_t    *store;
    hd_work_t     *work;        /* the working-time policy in force */
} hd_cli_t;


/* helpdesk.c */
void hd_cli_portal(hd_cli_t *cli, hd_portal_t *portal);
const char *hd_cli_templates_dir(char *buf, size_t size);
hd_lang_e hd_cli_lang(void);
const char *hd_cli_say(const char *en, const char *ru);
int hd_cli_mail_portal(hd_cli_t *cli, hd_pool_t *pool, hd_portal_t *portal);
int hd_cli_errors(const char *what, hd_errors_t *errors, hd_err_t *err);
int hd_cli_str(const char *text, hd_str_t *s);
int hd_cli_number(const char *what, const char *text, uint64_t min,
    uint64_t max, uint64_t *out);
int hd_cli_bad_option(const char *what, char **argv);
int hd_cli_extra(const char *what, hd_cli_t *cli, int from);

/* helpdesk_store.c */
void hd_cli_keep_owner(hd_cli_t *cli);    /* helpdesk_store.c */
int hd_cli_init(hd_cli_t *cli);
int hd_cli_check(hd_cli_t *cli);
int hd_cli_backup(hd_cli_t *cli);
int hd_cli_restore(hd_cli_t *cli);
int hd_cli_stats(hd_cli_t *cli);

/* helpdesk_accounts.c */
int hd_cli_staff(hd_cli_t *cli);
int hd_cli_demo(hd_cli_t *cli);          /* helpdesk_demo.c */
int hd_cli_outbox(hd_cli_t *cli);        /* helpdesk_outbox.c */
int hd_cli_mailgate(hd_cli_t *cli);      /* helpdesk_mailgate.c */
int hd_cli_kb(hd_cli_t *cli);            /* helpdesk_kb.c */
int hd_cli_search(hd_cli_t *cli);        /* helpdesk_kb.c */
int hd_cli_forms(hd_cli_t *cli);         /* helpdesk_forms.c */
int hd_cli_categories(hd_cli_t *cli);

/* helpdesk_catalog.c */
int hd_cli_departments(hd_cli_t *cli);
int hd_cli_products(hd_cli_t *cli);
int hd_cli_cert_types(hd_cli_t *cli);
int hd_cli_certs(hd_cli_t *cli);
int hd_cli_companies(hd_cli_t *cli);

/* helpdesk_sweep.c */
int hd_cli_sweep(hd_cli_t *cli);
int hd_cli_calendar(hd_cli_t *cli);      /* helpdesk_calendar.c */


#endif /* HELPDESK_H */

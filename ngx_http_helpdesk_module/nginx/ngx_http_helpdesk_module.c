/*
 * The helpdesk module: its directives and configuration, and the worker's
 * life (the LMDB environment opened after fork, stale readers cleared).
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_files.h"


#define NGX_HTTP_HELPDESK_DEFAULT_MAP  (1024 * 1024 * 1024)
#define NGX_HTTP_HELPDESK_READER_CHECK 60000


static void *ngx_http_helpdesk_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_helpdesk_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_helpdesk_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_helpdesk_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);

static char *ngx_http_helpdesk(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_helpdesk_db(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_helpdesk_templates(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_helpdesk_thread_pool(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);

static ngx_int_t ngx_http_helpdesk_postconfiguration(ngx_conf_t *cf);

static ngx_int_t ngx_http_helpdesk_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);

static ngx_int_t ngx_http_helpdesk_init_process(ngx_cycle_t *cycle);
static void ngx_http_helpdesk_exit_process(ngx_cycle_t *cycle);
static void ngx_http_helpdesk_reader_check(ngx_event_t *ev);


/* the templates every handler may render: checked when nginx loads them */
static const char  *ngx_http_helpdesk_needed_templates[] = {
    "pages/landing",
    "pages/error",
    "pages/message",
    "pages/register",
    "pages/login",
    "pages/password_forgot",
    "pages/password_reset",
    "pages/email_confirm",
    "pages/profile",
    "pages/certificates",
    "pages/cert_register",
    "pages/company",
    "pages/company_join",
    "pages/admin",
    "pages/admin_products",
    "pages/admin_cert_types",
    "pages/admin_certificates",
    "pages/admin_outbox",
    "pages/admin_outbox_mail",
    "pages/admin_mail",
    "pages/admin_mail_held",
    "pages/unsubscribe",
    "pages/tickets",
    "pages/ticket_new",
    "pages/ticket_created",
    "pages/ticket",
    "pages/ticket_rate",
    "pages/ticket_cancel",
    "pages/staff_macros",
    "mail/ru/ticket_created",
    "mail/en/ticket_created",
    "mail/ru/ticket_reply",
    "mail/en/ticket_reply",
    "mail/ru/ticket_closed",
    "mail/en/ticket_closed",
    "mail/ru/ticket_cancelled",
    "mail/en/ticket_cancelled",
    "mail/ru/ticket_reopened",
    "mail/en/ticket_reopened",
    "mail/ru/ticket_staff_reply",
    "mail/en/ticket_staff_reply",
    "mail/ru/ticket_info_request",
    "mail/en/ticket_info_request",
    "mail/ru/ticket_solution",
    "mail/en/ticket_solution",
    "mail/ru/ticket_cancelled_staff",
    "mail/en/ticket_cancelled_staff",
    "mail/ru/ticket_assigned",
    "mail/en/ticket_assigned",
    "mail/ru/ticket_autoclosed",
    "mail/en/ticket_autoclosed",
    "mail/ru/ticket_sla_at_risk",
    "mail/en/ticket_sla_at_risk",
    "mail/ru/ticket_sla_breached",
    "mail/en/ticket_sla_breached",
    "mail/ru/password_reset",
    "mail/en/password_reset",
    "mail/ru/password_changed",
    "mail/en/password_changed",
    "mail/ru/email_change",
    "mail/en/email_change",
    "mail/ru/email_change_notice",
    "mail/en/email_change_notice",
    "mail/ru/company_invitation",
    "mail/en/company_invitation",
    "mail/ru/company_member_added",
    "mail/en/company_member_added",
    "mail/ru/company_member_removed",
    "mail/en/company_member_removed",
    "mail/ru/company_left",
    "mail/en/company_left",
    "mail/ru/company_deleted",
    "mail/en/company_deleted",
    "mail/ru/email_confirm",
    "mail/en/email_confirm",
    "mail/ru/ticket_customer_reply",
    "mail/en/ticket_customer_reply",
    "mail/ru/ticket_customer_reopened",
    "mail/en/ticket_customer_reopened",
    "mail/ru/account_claim",
    "mail/en/account_claim",
    "mail/ru/mail_no_subject",
    "mail/en/mail_no_subject",
    "mail/ru/mail_ticket_closed",
    "mail/en/mail_ticket_closed",
    NULL
};


static ngx_command_t  ngx_http_helpdesk_commands[] = {

    { ngx_string("helpdesk"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_helpdesk,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_metrics"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_helpdesk_metrics,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_db"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_helpdesk_db,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_templates"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_helpdesk_templates,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_brand"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_helpdesk_brand,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_url"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_helpdesk_url,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_threat_portal"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_helpdesk_threat_portal,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_session"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_helpdesk_session,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_login_limit"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE2,
      ngx_http_helpdesk_login_limit,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_helpdesk_main_conf_t, login_limit),
      "failed logins allowed" },

    { ngx_string("helpdesk_probe_limit"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE2,
      ngx_http_helpdesk_login_limit,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_helpdesk_main_conf_t, probe_limit),
      "answers that an address is taken allowed" },

    { ngx_string("helpdesk_files"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_helpdesk_files,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_upload_limits"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_helpdesk_upload_limits,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_reopen_window"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_helpdesk_reopen_window,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_calendar"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_helpdesk_calendar,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_holidays"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE2,
      ngx_http_helpdesk_holidays,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_autoclose"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_helpdesk_autoclose,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_sla"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_http_helpdesk_sla,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_timer"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_helpdesk_timer,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_ticket_start"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_helpdesk_ticket_start,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_smtp"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_http_helpdesk_smtp,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_mailgate_key"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_helpdesk_mailgate_key,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_mail_authserv_id"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_helpdesk_mail_authserv_id,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_imap"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_http_helpdesk_imap,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("helpdesk_thread_pool"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_helpdesk_thread_pool,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_helpdesk_main_conf_t, thread_pool_name),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_helpdesk_module_ctx = {
    NULL,                                   /* preconfiguration */
    ngx_http_helpdesk_postconfiguration,    /* postconfiguration */

    ngx_http_helpdesk_create_main_conf,     /* create main configuration */
    ngx_http_helpdesk_init_main_conf,       /* init main configuration */

    NULL,                                   /* create server configuration */
    NULL,                                   /* merge server configuration */

    ngx_http_helpdesk_create_loc_conf,      /* create location configuration */
    ngx_http_helpdesk_merge_loc_conf        /* merge location configuration */
};


ngx_module_t  ngx_http_helpdesk_module = {
    NGX_MODULE_V1,
    &ngx_http_helpdesk_module_ctx,          /* module context */
    ngx_http_helpdesk_commands,             /* module directives */
    NGX_HTTP_MODULE,                        /* module type */
    NULL,                                   /* init master */
    NULL,                                   /* init module */
    ngx_http_helpdesk_init_process,         /* init process */
    NULL,                                   /* init thread */
    NULL,                                   /* exit thread */
    ngx_http_helpdesk_exit_process,         /* exit process */
    NULL,                                   /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_http_helpdesk_pool_alloc(void *pool, size_t size)
{
    return ngx_palloc(pool, size);
}


void
ngx_http_helpdesk_hd_pool(hd_pool_t *hp, ngx_pool_t *pool)
{
    hp->alloc = ngx_http_helpdesk_pool_alloc;
    hp->data = pool;
    hp->pos = NULL;
    hp->end = NULL;
}


static void *
ngx_http_helpdesk_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_helpdesk_main_conf_t  *mcf;

    mcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_helpdesk_main_conf_t));
    if (mcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     mcf->db = NULL;
     *     mcf->thread_pool_name = { 0, NULL };
     *     mcf->store = NULL;
     */

    mcf->map_size = NGX_CONF_UNSET_SIZE;
    mcf->tickets.number_start = NGX_CONF_UNSET_UINT;
    mcf->tickets.file_max = NGX_CONF_UNSET_UINT;
    mcf->tickets.reopen.unit = 0xff;
    mcf->session_idle = NGX_CONF_UNSET;
    mcf->session_absolute = NGX_CONF_UNSET;
    /* mcf->login_limit.window == 0: not set */

    if (ngx_http_helpdesk_work_create(cf, mcf) != NGX_OK) {
        return NULL;
    }

    return mcf;
}


static char *
ngx_http_helpdesk_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    ngx_conf_init_value(mcf->session_idle, 8 * 3600);
    ngx_conf_init_value(mcf->session_absolute, 30 * 24 * 3600);

    if (mcf->login_limit.window == 0) {
        mcf->login_limit.limit = 5;
        mcf->login_limit.window = 15 * 60;
    }

    /* "this address has an account": a person needs it now and then */
    if (mcf->probe_limit.window == 0) {
        mcf->probe_limit.limit = 5;
        mcf->probe_limit.window = 3600;
    }

    /* mails that people ask for (reset links, confirmations): per account,
     * and requests for them per client address */
    mcf->mail_limit.limit = 5;
    mcf->mail_limit.window = 3600;
    mcf->address_limit.limit = 30;
    mcf->address_limit.window = 3600;

    {
        hd_ticket_policy_t  defaults = HD_TICKET_POLICY_DEFAULT;

        if (mcf->tickets.number_start == NGX_CONF_UNSET_UINT) {
            mcf->tickets.number_start = defaults.number_start;
        }

        if (mcf->tickets.file_max == NGX_CONF_UNSET_UINT) {
            mcf->tickets.file_max = defaults.file_max;
            mcf->tickets.message_max = defaults.message_max;
            mcf->tickets.files_max = defaults.files_max;
        }

        if (mcf->tickets.reopen.unit == 0xff) {
            mcf->tickets.reopen = defaults.reopen;
            mcf->tickets.reopen_enhancement = defaults.reopen_enhancement;
        }
    }

    if (mcf->db == NULL) {
        return NGX_CONF_OK;
    }

    /* attachments: next to the database unless told otherwise */
    if (mcf->files == NULL) {
        mcf->files_dir = ngx_pnalloc(cf->pool, mcf->db->name.len
                                               + sizeof("/files"));
        if (mcf->files_dir == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_sprintf((u_char *) mcf->files_dir, "%V/files%Z", &mcf->db->name);
    }

    if (mcf->files_uri.data == NULL) {
        ngx_str_set(&mcf->files_uri, NGX_HTTP_HELPDESK_FILES_URI);
    }

#if (NGX_THREADS)

    if (mcf->thread_pool_name.data == NULL) {
        ngx_str_set(&mcf->thread_pool_name, "default");
    }

    mcf->thread_pool = ngx_thread_pool_add(cf, &mcf->thread_pool_name);
    if (mcf->thread_pool == NULL) {
        return NGX_CONF_ERROR;
    }

#else

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "helpdesk needs nginx built --with-threads");
    return NGX_CONF_ERROR;

#endif

    return NGX_CONF_OK;
}


/*
 * helpdesk_thread_pool NAME: the pool must be defined (thread_pool, main
 * context) before the http block, so that a mistyped name fails here,
 * naming this directive, instead of as nginx's "unknown thread pool" at
 * the end of the configuration
 */
static char *
ngx_http_helpdesk_thread_pool(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_helpdesk_main_conf_t *mcf = conf;

    ngx_str_t  *value;

    if (mcf->thread_pool_name.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

#if (NGX_THREADS)

    if (ngx_thread_pool_get(cf->cycle, &value[1]) == NULL
        && !(value[1].len == 7
             && ngx_strncmp(value[1].data, "default", 7) == 0))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_thread_pool: there is no thread pool "
                           "\"%V\" (define it before the http block: "
                           "thread_pool %V threads=8;)", &value[1],
                           &value[1]);
        return NGX_CONF_ERROR;
    }

#endif

    (void) cmd;
    mcf->thread_pool_name = value[1];

    return NGX_CONF_OK;
}


static void *
ngx_http_helpdesk_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_helpdesk_loc_conf_t  *lcf;

    lcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_helpdesk_loc_conf_t));
    if (lcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     lcf->mount = { 0, NULL };
     *     lcf->templates_dir = { 0, NULL };
     *     lcf->templates = NULL;
     */

    lcf->enabled = NGX_CONF_UNSET;

    return lcf;
}


/*
 * A body found over its limit as it arrives (chunked) is refused by the
 * filter while nginx reads it, and nginx then sends its own HTML 413 (no
 * CSP, not JSON on the API): an error_page of the location sends it to the
 * portal instead (NGX_HTTP_HELPDESK_TOO_LARGE, which the handler answers).
 * The location's own error pages (or those it inherits) come first and
 * stay; the array is the location's own copy, the parent's is not touched.
 */
static ngx_int_t
ngx_http_helpdesk_too_large_page(ngx_conf_t *cf,
    ngx_http_core_loc_conf_t *clcf, ngx_http_helpdesk_loc_conf_t *conf)
{
    u_char               *p;
    ngx_uint_t            n;
    ngx_array_t          *pages;
    ngx_http_err_page_t  *err;

    n = clcf->error_pages ? clcf->error_pages->nelts : 0;

    pages = ngx_array_create(cf->pool, n + 1, sizeof(ngx_http_err_page_t));
    if (pages == NULL) {
        return NGX_ERROR;
    }

    if (n) {
        ngx_memcpy(ngx_array_push_n(pages, n), clcf->error_pages->elts,
                   n * sizeof(ngx_http_err_page_t));
    }

    err = ngx_array_push(pages);
    if (err == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(err, sizeof(ngx_http_err_page_t));
    err->status = NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
    err->overwrite = -1;

    err->value.value.len = conf->mount.len
                           + sizeof(NGX_HTTP_HELPDESK_TOO_LARGE) - 1;
    p = ngx_pnalloc(cf->pool, err->value.value.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    err->value.value.data = p;
    p = ngx_cpymem(p, conf->mount.data, conf->mount.len);
    ngx_memcpy(p, NGX_HTTP_HELPDESK_TOO_LARGE,
               sizeof(NGX_HTTP_HELPDESK_TOO_LARGE) - 1);

    clcf->error_pages = pages;

    return NGX_OK;
}


static char *
ngx_http_helpdesk_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_helpdesk_loc_conf_t  *prev = parent;
    ngx_http_helpdesk_loc_conf_t  *conf = child;

    ngx_uint_t                      i;
    ngx_http_core_loc_conf_t       *clcf;
    ngx_http_helpdesk_main_conf_t  *mcf;

    ngx_conf_merge_value(conf->enabled, prev->enabled, 0);

    if (conf->templates == NULL) {
        conf->templates = prev->templates;
        conf->templates_dir = prev->templates_dir;
    }

    ngx_conf_merge_str_value(conf->url, prev->url, "");
    ngx_conf_merge_str_value(conf->threat_portal, prev->threat_portal, "");

    if (ngx_http_helpdesk_brand_merge(cf, prev, conf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_helpdesk_module);

    if (mcf->db != NULL
        && ngx_http_helpdesk_files_location(cf, mcf, conf) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (!conf->enabled || conf->mount.data == NULL) {
        return NGX_CONF_OK;
    }

    /* the timer's e-mail: the first portal's templates and address */
    if (mcf->timer_lcf == NULL) {
        mcf->timer_lcf = conf;
    }

    /*
     * nginx's own limit on bodies (1m unless set) would answer bigger ones
     * with its HTML page before the module sees them: the module bounds
     * bodies itself, per route (forms, JSON, uploads), and answers in JSON
     * or HTML naming the limit; bodies without a length are cut at the
     * same limits by its request body filter
     */
    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->client_max_body_size == 1024 * 1024) {
        clcf->client_max_body_size = 0;
    }

    if (ngx_http_helpdesk_too_large_page(cf, clcf, conf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (mcf->db == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk in location \"%V\" needs helpdesk_db "
                           "in the http block", &conf->mount);
        return NGX_CONF_ERROR;
    }

    if (conf->templates == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk in location \"%V\" needs "
                           "helpdesk_templates", &conf->mount);
        return NGX_CONF_ERROR;
    }

    if (conf->labels == NULL) {
        if (prev->labels != NULL && prev->templates == conf->templates) {
            conf->labels = prev->labels;

        } else if (ngx_http_helpdesk_labels_init(cf, conf) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    for (i = 0; ngx_http_helpdesk_needed_templates[i]; i++) {
        if (hd_tpl_set_find(conf->templates->set,
                            ngx_http_helpdesk_needed_templates[i])
            == NULL)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "helpdesk_templates \"%V\": the template "
                               "\"%s.mustache\" is missing",
                               &conf->templates_dir,
                               ngx_http_helpdesk_needed_templates[i]);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_helpdesk(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_helpdesk_loc_conf_t  *lcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (lcf->enabled != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->named
#if (NGX_PCRE)
        || clcf->regex
#endif
        )
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk needs a prefix location, not \"%V\"",
                           &clcf->name);
        return NGX_CONF_ERROR;
    }

    /* links are built from the mount: it always ends with a slash */

    lcf->mount.len = clcf->name.len;

    if (clcf->name.len == 0 || clcf->name.data[clcf->name.len - 1] != '/') {
        lcf->mount.len++;
    }

    lcf->mount.data = ngx_pnalloc(cf->pool, lcf->mount.len);
    if (lcf->mount.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(lcf->mount.data, clcf->name.data, clcf->name.len);
    lcf->mount.data[lcf->mount.len - 1] = '/';

    lcf->enabled = 1;
    clcf->handler = ngx_http_helpdesk_handler;

    /* "/support" redirects to "/support/", as for proxy_pass */
    if (clcf->name.len && clcf->name.data[clcf->name.len - 1] == '/') {
        clcf->auto_redirect = 1;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_helpdesk_db(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    off_t       size;
    ngx_str_t  *value, s;

    if (mcf->db != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    mcf->db = ngx_pcalloc(cf->pool, sizeof(ngx_path_t));
    if (mcf->db == NULL) {
        return NGX_CONF_ERROR;
    }

    mcf->db->name = value[1];

    if (mcf->db->name.len > 1
        && mcf->db->name.data[mcf->db->name.len - 1] == '/')
    {
        mcf->db->name.len--;
    }

    if (ngx_conf_full_name(cf->cycle, &mcf->db->name, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    mcf->db->conf_file = cf->conf_file->file.name.data;
    mcf->db->line = cf->conf_file->line;

    mcf->map_size = NGX_HTTP_HELPDESK_DEFAULT_MAP;

    if (cf->args->nelts == 3) {
        if (ngx_strncmp(value[2].data, "map=", 4) != 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "helpdesk_db: invalid parameter \"%V\" "
                               "(expected map=SIZE)", &value[2]);
            return NGX_CONF_ERROR;
        }

        s.data = value[2].data + 4;
        s.len = value[2].len - 4;

        size = ngx_parse_offset(&s);

        if (size == NGX_ERROR || size < HD_STORE_MIN_MAP
            || (uint64_t) size > ((uint64_t) 1 << 40))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "helpdesk_db: invalid map size \"%V\" "
                               "(a size from 64k to 1024g, such as 512m)",
                               &s);
            return NGX_CONF_ERROR;
        }

        mcf->map_size = (size_t) size;
    }

    /* nginx creates the directory for the workers' user, as for temp paths */

    if (ngx_add_path(cf, &mcf->db) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_helpdesk_templates(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_helpdesk_loc_conf_t  *lcf = conf;

    hd_rc        rc;
    hd_err_t     err;
    hd_pool_t    pool;
    ngx_str_t   *value, dir;

    if (lcf->templates != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;
    dir = value[1];

    if (ngx_conf_full_name(cf->cycle, &dir, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /* compiled once here, for the life of this configuration */

    ngx_http_helpdesk_hd_pool(&pool, cf->pool);
    hd_err_clear(&err);

    rc = hd_templates_load(&pool, (char *) dir.data, &lcf->templates, &err);

    if (rc != HD_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "helpdesk_templates \"%V\": %s",
                           &value[1], err.text);
        return NGX_CONF_ERROR;
    }

    lcf->templates_dir = value[1];

    return NGX_CONF_OK;
}


static ngx_http_request_body_filter_pt  ngx_http_helpdesk_next_body_filter;


static ngx_int_t
ngx_http_helpdesk_postconfiguration(ngx_conf_t *cf)
{
    ngx_http_helpdesk_main_conf_t  *mcf;

    ngx_http_helpdesk_next_body_filter = ngx_http_top_request_body_filter;
    ngx_http_top_request_body_filter = ngx_http_helpdesk_body_filter;

    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_helpdesk_module);

    /* requests are counted for the metrics where the portal is in use */
    if (mcf->db != NULL && ngx_http_helpdesk_metrics_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    /* who has which ticket open, for the live pages */
    if (mcf->db != NULL && ngx_http_helpdesk_live_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (mcf->db != NULL) {
        ngx_http_helpdesk_calendar_check(cf->log, mcf->work,
                                         (uint64_t) ngx_time());
    }

    return mcf->db != NULL ? ngx_http_helpdesk_files_check(cf, mcf) : NGX_OK;
}


/*
 * The portal's requests: a body longer than its route takes is refused as
 * it arrives, also one sent without a length (chunked)
 */
static ngx_int_t
ngx_http_helpdesk_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_chain_t              *cl;
    ngx_http_helpdesk_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_helpdesk_module);

    if (ctx != NULL && ctx->body_max) {
        for (cl = in; cl; cl = cl->next) {
            ctx->body_received += ngx_buf_size(cl->buf);
        }

        if (ctx->body_received > ctx->body_max) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "helpdesk: a request body over %O bytes refused",
                          ctx->body_max);
            return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
        }
    }

    return ngx_http_helpdesk_next_body_filter(r, in);
}


static ngx_int_t
ngx_http_helpdesk_init_process(ngx_cycle_t *cycle)
{
    ngx_http_helpdesk_main_conf_t  *mcf;

    mcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_helpdesk_module);

    if (mcf == NULL || mcf->db == NULL) {
        return NGX_OK;
    }

    /* ticket writes (a migration's too) keep the clocks by this policy */
    hd_work_set(mcf->work);

    ngx_queue_init(&mcf->gate_waiting);
    mcf->gate_busy = NULL;

    /*
     * A worker that cannot open the environment stays up and answers 503,
     * trying again on later requests: the problem is in the log
     */
    (void) ngx_http_helpdesk_open_store(mcf, cycle->log);

    {
        hd_err_t  err;

        hd_err_clear(&err);

        if (hd_files_prepare(mcf->files_dir, &err) != HD_OK) {
            ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                          "helpdesk: the attachment directory: %s", err.text);
        }
    }

    mcf->reader_check.handler = ngx_http_helpdesk_reader_check;
    mcf->reader_check.data = mcf;
    mcf->reader_check.log = cycle->log;
    mcf->reader_check.cancelable = 1;

    ngx_add_timer(&mcf->reader_check, NGX_HTTP_HELPDESK_READER_CHECK);

    ngx_http_helpdesk_timer_start(cycle, mcf);
    ngx_http_helpdesk_mail_start(cycle, mcf);
    ngx_http_helpdesk_mailbox_start(cycle, mcf);

    return NGX_OK;
}


ngx_int_t
ngx_http_helpdesk_open_store(ngx_http_helpdesk_main_conf_t *mcf,
    ngx_log_t *log)
{
    hd_err_t  err;

    if (mcf->store != NULL) {
        return NGX_OK;
    }

    hd_err_clear(&err);

    if (hd_store_open(&mcf->store, (char *) mcf->db->name.data,
                      mcf->map_size, &err)
        != HD_OK)
    {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "helpdesk: cannot open the data directory: %s",
                      err.text);
        mcf->store_retry = ngx_time() + 1;
        return NGX_ERROR;
    }

    if (hd_store_stale_cleared(mcf->store)) {
        ngx_log_error(NGX_LOG_NOTICE, log, 0,
                      "helpdesk: cleared %d stale reader slots left by dead "
                      "processes", hd_store_stale_cleared(mcf->store));
    }

    /* what runs on what, once a start (the first worker says it) */
    if (ngx_worker == 0) {
        uint32_t         version = 0;
        hd_txn_t         txn;
        hd_store_info_t  info;

        if (hd_txn_begin(mcf->store, &txn, HD_TXN_READ, NULL) == HD_OK) {
            (void) hd_schema_version(&txn, &version);
            hd_txn_abort(&txn);
        }

        if (hd_store_info(mcf->store, &info) == HD_OK) {
            ngx_log_error(NGX_LOG_NOTICE, log, 0,
                          "helpdesk %s (database schema %uD): data "
                          "directory %V, map %uz MB, %uz KB used (%uz%% "
                          "full), attachments in %s",
                          HD_VERSION_TEXT, version, &mcf->db->name,
                          info.map_size >> 20, info.used >> 10,
                          info.map_size ? info.used * 100 / info.map_size
                                        : (size_t) 0,
                          mcf->files_dir);
        }
    }

    return NGX_OK;
}


hd_store_t *
ngx_http_helpdesk_store(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_http_helpdesk_main_conf_t  *mcf = ctx->mcf;

    if (mcf->store == NULL && ngx_time() >= mcf->store_retry) {
        (void) ngx_http_helpdesk_open_store(mcf, r->connection->log);
    }

    return mcf->store;
}


static void
ngx_http_helpdesk_reader_check(ngx_event_t *ev)
{
    int                             dead;
    ngx_http_helpdesk_main_conf_t  *mcf = ev->data;

    if (mcf->store != NULL) {
        dead = hd_store_reader_check(mcf->store);

        if (dead) {
            ngx_log_error(NGX_LOG_NOTICE, ev->log, 0,
                          "helpdesk: cleared %d stale reader slots", dead);
        }
    }

    if (!ngx_exiting) {
        ngx_add_timer(ev, NGX_HTTP_HELPDESK_READER_CHECK);
    }
}


static void
ngx_http_helpdesk_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_helpdesk_main_conf_t  *mcf;

    mcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_helpdesk_module);

    if (mcf == NULL || mcf->store == NULL) {
        return;
    }

    ngx_http_helpdesk_timer_stop(mcf);
    ngx_http_helpdesk_mail_stop(mcf);
    ngx_http_helpdesk_mailbox_stop(mcf);

    hd_store_close(mcf->store);
    mcf->store = NULL;
}

/*
 * The helpdesk module: its directives and configuration, and the worker's
 * life (the LMDB environment opened after fork, stale readers cleared).
 */

#include "ngx_http_helpdesk_module.h"


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

static ngx_int_t ngx_http_helpdesk_init_process(ngx_cycle_t *cycle);
static void ngx_http_helpdesk_exit_process(ngx_cycle_t *cycle);
static void ngx_http_helpdesk_reader_check(ngx_event_t *ev);


/* the templates every handler may render: checked when nginx loads them */
static const char  *ngx_http_helpdesk_needed_templates[] = {
    "pages/landing",
    "pages/error",
    NULL
};


static ngx_command_t  ngx_http_helpdesk_commands[] = {

    { ngx_string("helpdesk"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_helpdesk,
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

    { ngx_string("helpdesk_thread_pool"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_helpdesk_main_conf_t, thread_pool_name),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_helpdesk_module_ctx = {
    NULL,                                   /* preconfiguration */
    NULL,                                   /* postconfiguration */

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

    return mcf;
}


static char *
ngx_http_helpdesk_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    if (mcf->db == NULL) {
        return NGX_CONF_OK;
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


static char *
ngx_http_helpdesk_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_helpdesk_loc_conf_t  *prev = parent;
    ngx_http_helpdesk_loc_conf_t  *conf = child;

    ngx_uint_t                      i;
    ngx_http_helpdesk_main_conf_t  *mcf;

    ngx_conf_merge_value(conf->enabled, prev->enabled, 0);

    if (conf->templates == NULL) {
        conf->templates = prev->templates;
        conf->templates_dir = prev->templates_dir;
    }

    if (!conf->enabled || conf->mount.data == NULL) {
        return NGX_CONF_OK;
    }

    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_helpdesk_module);

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


static ngx_int_t
ngx_http_helpdesk_init_process(ngx_cycle_t *cycle)
{
    ngx_http_helpdesk_main_conf_t  *mcf;

    mcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_helpdesk_module);

    if (mcf == NULL || mcf->db == NULL) {
        return NGX_OK;
    }

    /*
     * A worker that cannot open the environment stays up and answers 503,
     * trying again on later requests: the problem is in the log
     */
    (void) ngx_http_helpdesk_open_store(mcf, cycle->log);

    mcf->reader_check.handler = ngx_http_helpdesk_reader_check;
    mcf->reader_check.data = mcf;
    mcf->reader_check.log = cycle->log;
    mcf->reader_check.cancelable = 1;

    ngx_add_timer(&mcf->reader_check, NGX_HTTP_HELPDESK_READER_CHECK);

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

    hd_store_close(mcf->store);
    mcf->store = NULL;
}

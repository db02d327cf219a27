/*
 * The portal's directives that set a value (helpdesk_url,
 * helpdesk_threat_portal, helpdesk_session, helpdesk_login_limit,
 * helpdesk_files, helpdesk_upload_limits, helpdesk_reopen_window,
 * helpdesk_ticket_start): each checks its value and fails nginx -t naming
 * the directive and the value. The module's own set-up, its storage and
 * its process hooks stay in ngx_http_helpdesk_module.c.
 */

#include "ngx_http_helpdesk_module.h"


char *
ngx_http_helpdesk_url(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_helpdesk_loc_conf_t  *lcf = conf;

    ngx_str_t  *value;

    if (lcf->url.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (!((value[1].len > 8
           && ngx_strncasecmp(value[1].data, (u_char *) "https://", 8) == 0)
          || (value[1].len > 7
              && ngx_strncasecmp(value[1].data, (u_char *) "http://", 7)
                 == 0))
        || value[1].data[value[1].len - 1] != '/'
        || ngx_strlchr(value[1].data, value[1].data + value[1].len, '?')
        || ngx_strlchr(value[1].data, value[1].data + value[1].len, '#'))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_url: invalid URL \"%V\" (the portal's "
                           "public address, http:// or https://, ending "
                           "with a slash)", &value[1]);
        return NGX_CONF_ERROR;
    }

    lcf->url = value[1];

    return NGX_CONF_OK;
}


/*
 * helpdesk_threat_portal URL: where suspicious files go for analysis
 * (Kaspersky block 7): a link among the new-ticket form's categories, not a
 * ticket
 */
char *
ngx_http_helpdesk_threat_portal(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_helpdesk_loc_conf_t  *lcf = conf;

    ngx_str_t  *value;

    if (lcf->threat_portal.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (!(value[1].len > 8
          && ngx_strncasecmp(value[1].data, (u_char *) "https://", 8) == 0)
        || ngx_strlchr(value[1].data, value[1].data + value[1].len, '"')
        || ngx_strlchr(value[1].data, value[1].data + value[1].len, '<')
        || ngx_strlchr(value[1].data, value[1].data + value[1].len, ' '))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_threat_portal: invalid URL \"%V\" (an "
                           "https:// address)", &value[1]);
        return NGX_CONF_ERROR;
    }

    lcf->threat_portal = value[1];

    return NGX_CONF_OK;
}


/* a time in seconds from a parameter such as "idle=8h" */
static ngx_int_t
ngx_http_helpdesk_conf_time(ngx_str_t *value, const char *name, time_t *t)
{
    size_t     len;
    ngx_str_t  s;

    len = ngx_strlen(name);

    if (value->len <= len + 1 || ngx_strncmp(value->data, name, len) != 0
        || value->data[len] != '=')
    {
        return NGX_DECLINED;
    }

    s.data = value->data + len + 1;
    s.len = value->len - len - 1;

    *t = ngx_parse_time(&s, 1);

    return *t == (time_t) NGX_ERROR || *t <= 0 ? NGX_ERROR : NGX_OK;
}


char *
ngx_http_helpdesk_session(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    time_t       t;
    ngx_int_t    rc;
    ngx_str_t   *value;
    ngx_uint_t   i;

    if (mcf->session_idle != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;
    mcf->session_idle = 8 * 3600;
    mcf->session_absolute = 30 * 24 * 3600;

    for (i = 1; i < cf->args->nelts; i++) {
        rc = ngx_http_helpdesk_conf_time(&value[i], "idle", &t);
        if (rc == NGX_OK) {
            mcf->session_idle = t;
            continue;
        }

        if (rc == NGX_DECLINED) {
            rc = ngx_http_helpdesk_conf_time(&value[i], "absolute", &t);
            if (rc == NGX_OK) {
                mcf->session_absolute = t;
                continue;
            }
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_session: invalid parameter \"%V\" "
                           "(expected idle=TIME or absolute=TIME, such as "
                           "idle=8h absolute=30d)", &value[i]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* helpdesk_login_limit, helpdesk_probe_limit: N per=TIME */
char *
ngx_http_helpdesk_login_limit(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    time_t       t;
    ngx_int_t    n;
    ngx_str_t   *value;
    hd_limit_t  *limit;

    limit = (hd_limit_t *) ((char *) conf + cmd->offset);

    if (limit->window != 0) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = ngx_atoi(value[1].data, value[1].len);

    if (n <= 0 || n > 100) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "%V: invalid number \"%V\" (%s, 1 to 100)",
                           &cmd->name, &value[1], (char *) cmd->post);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_helpdesk_conf_time(&value[2], "per", &t) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "%V: invalid parameter \"%V\" "
                           "(expected per=TIME, such as per=15m)",
                           &cmd->name, &value[2]);
        return NGX_CONF_ERROR;
    }

    limit->limit = (unsigned) n;
    limit->window = (uint64_t) t;

    return NGX_CONF_OK;
}


/* "file=20m" and the like: a size from 1 byte to 1 GB */
static ngx_int_t
ngx_http_helpdesk_conf_size(ngx_str_t *value, const char *name, off_t *size)
{
    size_t     len;
    ngx_str_t  s;

    len = ngx_strlen(name);

    if (value->len <= len + 1 || ngx_strncmp(value->data, name, len) != 0
        || value->data[len] != '=')
    {
        return NGX_DECLINED;
    }

    s.data = value->data + len + 1;
    s.len = value->len - len - 1;

    *size = ngx_parse_offset(&s);

    return *size == NGX_ERROR || *size <= 0 || *size > 1024 * 1024 * 1024
           ? NGX_ERROR : NGX_OK;
}


char *
ngx_http_helpdesk_files(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    ngx_str_t  *value;

    if (mcf->files != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 3) {
        if (value[2].len < sizeof("internal=//") - 1
            || ngx_strncmp(value[2].data, "internal=/", 10) != 0
            || value[2].data[value[2].len - 1] != '/')
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "helpdesk_files: invalid parameter \"%V\" "
                               "(expected internal=/URI/, the internal "
                               "location that serves the files)", &value[2]);
            return NGX_CONF_ERROR;
        }

        mcf->files_uri.data = value[2].data + 9;
        mcf->files_uri.len = value[2].len - 9;
    }

    mcf->files = ngx_pcalloc(cf->pool, sizeof(ngx_path_t));
    if (mcf->files == NULL) {
        return NGX_CONF_ERROR;
    }

    mcf->files->name = value[1];

    if (mcf->files->name.len > 1
        && mcf->files->name.data[mcf->files->name.len - 1] == '/')
    {
        mcf->files->name.len--;
    }

    if (ngx_conf_full_name(cf->cycle, &mcf->files->name, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    mcf->files->conf_file = cf->conf_file->file.name.data;
    mcf->files->line = cf->conf_file->line;

    mcf->files_dir = ngx_pnalloc(cf->pool, mcf->files->name.len + 1);
    if (mcf->files_dir == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_sprintf((u_char *) mcf->files_dir, "%V%Z", &mcf->files->name);

    /* made by nginx for the workers' user */
    if (ngx_add_path(cf, &mcf->files) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


char *
ngx_http_helpdesk_upload_limits(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    off_t               size;
    ngx_int_t           rc, n;
    ngx_str_t          *value;
    ngx_uint_t          i;
    hd_ticket_policy_t  defaults = HD_TICKET_POLICY_DEFAULT;

    if (mcf->tickets.file_max != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    mcf->tickets.file_max = defaults.file_max;
    mcf->tickets.message_max = defaults.message_max;
    mcf->tickets.files_max = defaults.files_max;

    for (i = 1; i < cf->args->nelts; i++) {
        rc = ngx_http_helpdesk_conf_size(&value[i], "file", &size);
        if (rc == NGX_OK) {
            mcf->tickets.file_max = (uint64_t) size;
            continue;
        }

        if (rc == NGX_DECLINED) {
            rc = ngx_http_helpdesk_conf_size(&value[i], "message", &size);
            if (rc == NGX_OK) {
                mcf->tickets.message_max = (uint64_t) size;
                continue;
            }
        }

        if (rc == NGX_DECLINED && value[i].len > 6
            && ngx_strncmp(value[i].data, "count=", 6) == 0)
        {
            n = ngx_atoi(value[i].data + 6, value[i].len - 6);

            if (n > 0 && n <= 100) {
                mcf->tickets.files_max = (uint32_t) n;
                continue;
            }
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_upload_limits: invalid parameter "
                           "\"%V\" (expected file=SIZE, message=SIZE or "
                           "count=N: sizes up to 1g, count 1 to 100, such as "
                           "file=20m message=50m count=10)", &value[i]);
        return NGX_CONF_ERROR;
    }

    if (mcf->tickets.file_max > mcf->tickets.message_max) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_upload_limits: file=%uL is larger than "
                           "message=%uL", mcf->tickets.file_max,
                           mcf->tickets.message_max);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


char *
ngx_http_helpdesk_reopen_window(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    ngx_str_t   *value, s;
    hd_period_t  p;

    if (mcf->tickets.reopen.unit != 0xff) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (hd_period_parse(value[1].data, value[1].len, &p) != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_reopen_window: invalid period \"%V\" "
                           "(working days such as 2d, working hours such as "
                           "16h, plain seconds such as 30s, or 0 for no "
                           "limit)", &value[1]);
        return NGX_CONF_ERROR;
    }

    mcf->tickets.reopen = p;
    mcf->tickets.reopen_enhancement = p;

    if (cf->args->nelts == 2) {
        /* enhancements keep their longer window unless the first is 0 */
        if (p.n != 0) {
            mcf->tickets.reopen_enhancement.n = 5;
            mcf->tickets.reopen_enhancement.unit = HD_PERIOD_DAYS;
        }

        return NGX_CONF_OK;
    }

    s = value[2];

    if (s.len <= 12 || ngx_strncmp(s.data, "enhancement=", 12) != 0
        || hd_period_parse(s.data + 12, s.len - 12, &p) != 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_reopen_window: invalid parameter \"%V\" "
                           "(expected enhancement=PERIOD, such as "
                           "enhancement=5d)", &value[2]);
        return NGX_CONF_ERROR;
    }

    mcf->tickets.reopen_enhancement = p;

    return NGX_CONF_OK;
}


char *
ngx_http_helpdesk_ticket_start(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    off_t       n;
    ngx_str_t  *value;

    if (mcf->tickets.number_start != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = ngx_atoof(value[1].data, value[1].len);

    if (n <= 0 || n > 1000000000000LL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_ticket_start: invalid number \"%V\" "
                           "(the first ticket number, 1 or more)", &value[1]);
        return NGX_CONF_ERROR;
    }

    mcf->tickets.number_start = (uint64_t) n;

    return NGX_CONF_OK;
}

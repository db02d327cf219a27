/*
 * E-mail delivery (SPEC §7.1): the helpdesk_smtp directive, and the sender
 * that the timer's lease holder runs. A step in the thread pool records
 * what the relay said of finished messages and claims due ones (their MIME
 * built there too); their transactions with the relay run on this worker's
 * event loop through libcurl and never block it. A worker on its way out
 * gives back what it has not started, finishes what it has, records it,
 * and only then leaves.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_curl.h"
#include "hd_mime.h"
#include "hd_outbox.h"


/* messages claimed at once: several per connection, so that each has the
   next ready when one ends, and a step (a durable commit) per batch of
   them rather than per message */
#define NGX_HTTP_HELPDESK_MAIL_WINDOW    16
#define NGX_HTTP_HELPDESK_MAIL_CLAIM_MIN 64
#define NGX_HTTP_HELPDESK_MAIL_CLAIM_MAX 256
#define NGX_HTTP_HELPDESK_MAIL_BATCH_MS  10     /* results wait at most */
#define NGX_HTTP_HELPDESK_MAIL_QUIET     60     /* s between two warnings */


typedef struct ngx_http_helpdesk_delivery_s  ngx_http_helpdesk_delivery_t;

struct ngx_http_helpdesk_delivery_s {
    hd_smtp_job_t                   job;
    ngx_http_helpdesk_mailer_t     *mailer;
    ngx_http_helpdesk_delivery_t   *next;
    uint64_t                        id;
    char                            rcpt[HD_EMAIL_MAX_BYTES + 1];
    hd_buf_t                        message;
};


/* a step's work: what goes into the pool and what comes back */
typedef struct {
    ngx_http_helpdesk_mailer_t     *mailer;
    hd_outbox_result_t             *results;
    size_t                          nresults;
    size_t                          want;
    ngx_http_helpdesk_delivery_t   *claimed;
    hd_outbox_result_t             *unbuildable;    /* claimed, no MIME */
    size_t                          nunbuildable;
    ngx_uint_t                      more;
    hd_rc                           rc;
    char                            error[256];
    hd_outbox_step_t                counts;
} ngx_http_helpdesk_mail_step_t;


struct ngx_http_helpdesk_mailer_s {
    ngx_http_helpdesk_main_conf_t  *mcf;
    hd_smtp_conf_t                 *conf;
    ngx_http_helpdesk_curl_loop_t   loop;
    ngx_thread_task_t              *task;
    ngx_uint_t                      busy;           /* a step in the pool */
    ngx_http_helpdesk_delivery_t   *waiting;        /* claimed, not begun */
    ngx_http_helpdesk_delivery_t  **waiting_tail;
    ngx_uint_t                      nwaiting;
    ngx_uint_t                      sending;
    hd_outbox_result_t             *results;        /* ended, unrecorded */
    size_t                          nresults;
    size_t                          cap;
    ngx_uint_t                      more;           /* more was due */
    ngx_event_t                     wake;
    time_t                          config_warned;
    time_t                          step_warned;
};


static void ngx_http_helpdesk_mail_step(ngx_http_helpdesk_mailer_t *m);


/* --- the directive --------------------------------------------------------- */

/* "name=value" among a directive's parameters: value, or NGX_DECLINED */
ngx_int_t
ngx_http_helpdesk_conf_param(ngx_str_t *v, const char *name, ngx_str_t *value)
{
    size_t  len = ngx_strlen(name);

    if (v->len <= len || ngx_strncmp(v->data, name, len) != 0
        || v->data[len] != '=')
    {
        return NGX_DECLINED;
    }

    value->data = v->data + len + 1;
    value->len = v->len - len - 1;

    return NGX_OK;
}


/*
 * A secret's file (a password, a key): its first line into buf (NUL-ended,
 * at most size - 1 bytes), the file's full name into *file. Every error
 * names the directive and the file, never what is in it.
 */
ngx_int_t
ngx_http_helpdesk_conf_secret(ngx_conf_t *cf, const char *directive,
    ngx_str_t *file, u_char *buf, size_t size)
{
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_file_info_t   fi;

    if (ngx_conf_full_name(cf->cycle, file, 1) != NGX_OK) {
        return NGX_ERROR;
    }

    fd = ngx_open_file(file->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "%s: cannot read the file \"%V\"", directive,
                           file);
        return NGX_ERROR;
    }

    n = -1;

    if (ngx_fd_info(fd, &fi) != NGX_FILE_ERROR) {
        n = ngx_read_fd(fd, buf, size - 1);

        if (fi.st_mode & S_IROTH) {
            ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                               "%s: the file \"%V\" can be read by anyone "
                               "(chmod o-r)", directive, file);
        }
    }

    (void) ngx_close_file(fd);

    if (n < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "%s: cannot read the file \"%V\"", directive,
                           file);
        return NGX_ERROR;
    }

    buf[n] = '\0';
    buf[strcspn((char *) buf, "\r\n")] = '\0';

    if (buf[0] == '\0') {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "%s: the file \"%V\" is empty or starts with an "
                           "empty line", directive, file);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_helpdesk_smtp_relay(hd_smtp_conf_t *c, ngx_str_t *v)
{
    u_char     *p, *end, *colon;
    ngx_int_t   port;

    p = v->data;
    end = p + v->len;

    if (v->len > 7 && ngx_strncmp(p, "smtp://", 7) == 0) {
        p += 7;

    } else if (v->len > 8 && ngx_strncmp(p, "smtps://", 8) == 0) {
        p += 8;
        c->implicit_tls = 1;
        c->port = 465;
    }

    if (p < end && *p == '[') {
        colon = ngx_strlchr(p, end, ']');
        if (colon == NULL || colon == p + 1) {
            return NGX_ERROR;
        }

        if ((size_t) (colon - p - 1) >= sizeof(c->host)) {
            return NGX_ERROR;
        }

        ngx_memcpy(c->host, p + 1, colon - p - 1);
        c->host[colon - p - 1] = '\0';
        p = colon + 1;

        if (p < end && *p != ':') {
            return NGX_ERROR;
        }

        colon = p < end ? p : NULL;

    } else {
        colon = ngx_strlchr(p, end, ':');

        if ((size_t) ((colon ? colon : end) - p) >= sizeof(c->host)
            || (colon ? colon : end) == p)
        {
            return NGX_ERROR;
        }

        ngx_memcpy(c->host, p, (colon ? colon : end) - p);
        c->host[(colon ? colon : end) - p] = '\0';
    }

    for (p = (u_char *) c->host; *p; p++) {
        if (*p <= ' ' || *p == '/' || *p == '@' || *p >= 0x7f) {
            return NGX_ERROR;
        }
    }

    if (colon != NULL) {
        port = ngx_atoi(colon + 1, end - colon - 1);

        if (port < 1 || port > 65535) {
            return NGX_ERROR;
        }

        c->port = (unsigned) port;
    }

    return NGX_OK;
}


/* the password of auth=USER:FILE: the file's first line, read now (as
   root, before the workers drop privileges) */
static char *
ngx_http_helpdesk_smtp_auth(ngx_conf_t *cf, hd_smtp_conf_t *c, ngx_str_t *v)
{
    u_char     *colon;
    ngx_str_t   file;

    colon = ngx_strlchr(v->data, v->data + v->len, ':');

    if (colon == NULL || colon == v->data || colon == v->data + v->len - 1
        || (size_t) (colon - v->data) >= sizeof(c->user))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_smtp: invalid auth \"%V\" (expected "
                           "auth=USER:FILE, the password in FILE)", v);
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(c->user, v->data, colon - v->data);
    c->user[colon - v->data] = '\0';

    file.data = colon + 1;
    file.len = v->data + v->len - colon - 1;

    if (ngx_http_helpdesk_conf_secret(cf, "helpdesk_smtp auth=", &file,
                                      (u_char *) c->password,
                                      sizeof(c->password))
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_helpdesk_smtp_seconds(ngx_str_t *value, uint64_t min, uint64_t max,
    uint64_t *out)
{
    time_t  t;

    t = ngx_parse_time(value, 1);

    if (t == (time_t) NGX_ERROR || (uint64_t) t < min || (uint64_t) t > max) {
        return NGX_ERROR;
    }

    *out = (uint64_t) t;

    return NGX_OK;
}


/* helpdesk_smtp HOST[:PORT] from=ADDRESS [starttls=on|off|required]
   [auth=USER:FILE] [timeout=T] [concurrency=N] ... */
char *
ngx_http_helpdesk_smtp(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    char             *rv;
    ngx_int_t         n;
    ngx_str_t        *value, v;
    ngx_uint_t        i, from;
    ngx_msec_t        ms;
    hd_smtp_conf_t   *c;
    ngx_file_info_t   fi;

    if (mcf->smtp != NULL) {
        return "is duplicate";
    }

    c = ngx_pcalloc(cf->pool, sizeof(hd_smtp_conf_t));
    if (c == NULL) {
        return NGX_CONF_ERROR;
    }

    HD_SMTP_CONF_DEFAULTS(c);

    value = cf->args->elts;

    if (ngx_http_helpdesk_smtp_relay(c, &value[1]) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_smtp: invalid relay \"%V\" (expected "
                           "HOST, HOST:PORT, [IPv6]:PORT or "
                           "smtps://HOST:PORT)", &value[1]);
        return NGX_CONF_ERROR;
    }

    from = 0;

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_http_helpdesk_conf_param(&value[i], "from", &v) == NGX_OK) {
            if (hd_smtp_parse_from(c, v.data, v.len) != 0) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "helpdesk_smtp: invalid from \"%V\" "
                                   "(expected an address, or \"Name "
                                   "<address>\" in quotes with the "
                                   "from=)", &v);
                return NGX_CONF_ERROR;
            }

            from = 1;
            continue;
        }

        if (ngx_http_helpdesk_conf_param(&value[i], "starttls", &v)
            == NGX_OK)
        {
            if (v.len == 2 && ngx_strncmp(v.data, "on", 2) == 0) {
                c->starttls = HD_STARTTLS_ON;

            } else if (v.len == 3 && ngx_strncmp(v.data, "off", 3) == 0) {
                c->starttls = HD_STARTTLS_OFF;

            } else if (v.len == 8 && ngx_strncmp(v.data, "required", 8) == 0)
            {
                c->starttls = HD_STARTTLS_REQUIRED;

            } else {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "helpdesk_smtp: invalid starttls \"%V\" "
                                   "(on, off or required)", &v);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_http_helpdesk_conf_param(&value[i], "auth", &v) == NGX_OK) {
            rv = ngx_http_helpdesk_smtp_auth(cf, c, &v);
            if (rv != NGX_CONF_OK) {
                return rv;
            }

            continue;
        }

        if (ngx_http_helpdesk_conf_param(&value[i], "timeout", &v)
            == NGX_OK)
        {
            ms = ngx_parse_time(&v, 0);

            if (ms == (ngx_msec_t) NGX_ERROR || ms < 1000 || ms > 600000) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "helpdesk_smtp: invalid timeout \"%V\" "
                                   "(from 1s to 10m)", &v);
                return NGX_CONF_ERROR;
            }

            c->timeout_ms = ms;
            continue;
        }

        if (ngx_http_helpdesk_conf_param(&value[i], "concurrency", &v)
            == NGX_OK)
        {
            n = ngx_atoi(v.data, v.len);

            if (n < 1 || n > 32) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "helpdesk_smtp: invalid concurrency "
                                   "\"%V\" (messages in flight at once, 1 "
                                   "to 32)", &v);
                return NGX_CONF_ERROR;
            }

            c->concurrency = (unsigned) n;
            continue;
        }

        if (ngx_http_helpdesk_conf_param(&value[i], "retry", &v) == NGX_OK) {
            if (ngx_http_helpdesk_smtp_seconds(&v, 1, 86400, &c->retry)
                != NGX_OK)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "helpdesk_smtp: invalid retry \"%V\" "
                                   "(the first wait before trying again, "
                                   "1s to 1d)", &v);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_http_helpdesk_conf_param(&value[i], "retry_max", &v)
            == NGX_OK)
        {
            if (ngx_http_helpdesk_smtp_seconds(&v, 1, 86400, &c->retry_max)
                != NGX_OK)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "helpdesk_smtp: invalid retry_max "
                                   "\"%V\" (the longest wait, 1s to 1d)",
                                   &v);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_http_helpdesk_conf_param(&value[i], "expire", &v)
            == NGX_OK)
        {
            if (ngx_http_helpdesk_smtp_seconds(&v, 10, 30 * 86400,
                                               &c->expire)
                != NGX_OK)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "helpdesk_smtp: invalid expire \"%V\" "
                                   "(how long a message is tried, 10s to "
                                   "30d)", &v);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_http_helpdesk_conf_param(&value[i], "verify", &v)
            == NGX_OK)
        {
            if (v.len == 2 && ngx_strncmp(v.data, "on", 2) == 0) {
                c->verify = 1;

            } else if (v.len == 3 && ngx_strncmp(v.data, "off", 3) == 0) {
                c->verify = 0;

            } else {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "helpdesk_smtp: invalid verify \"%V\" "
                                   "(on or off)", &v);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_http_helpdesk_conf_param(&value[i], "ca", &v) == NGX_OK) {
            if (ngx_conf_full_name(cf->cycle, &v, 1) != NGX_OK) {
                return NGX_CONF_ERROR;
            }

            if (v.len >= sizeof(c->ca)
                || ngx_file_info(v.data, &fi) == NGX_FILE_ERROR)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                                   "helpdesk_smtp: cannot use ca \"%V\" "
                                   "(a file of CA certificates)", &v);
                return NGX_CONF_ERROR;
            }

            ngx_memcpy(c->ca, v.data, v.len);
            c->ca[v.len] = '\0';
            continue;
        }

        if (ngx_http_helpdesk_conf_param(&value[i], "helo", &v) == NGX_OK) {
            if (v.len >= sizeof(c->helo)
                || ngx_strlchr(v.data, v.data + v.len, '/')
                || ngx_strlchr(v.data, v.data + v.len, ' '))
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "helpdesk_smtp: invalid helo \"%V\" (the "
                                   "host name the portal gives the relay)",
                                   &v);
                return NGX_CONF_ERROR;
            }

            ngx_memcpy(c->helo, v.data, v.len);
            c->helo[v.len] = '\0';
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_smtp: invalid parameter \"%V\" "
                           "(expected from=, starttls=, auth=, timeout=, "
                           "concurrency=, retry=, retry_max=, expire=, "
                           "verify=, ca= or helo=)", &value[i]);
        return NGX_CONF_ERROR;
    }

    if (!from) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_smtp: from= is missing (the address "
                           "the portal's mail comes from, such as "
                           "from=support@example.com)");
        return NGX_CONF_ERROR;
    }

    if (c->retry_max < c->retry) {
        c->retry_max = c->retry;
    }

    if (c->implicit_tls && c->starttls == HD_STARTTLS_REQUIRED) {
        c->starttls = HD_STARTTLS_ON;       /* TLS from the first byte */
    }

    mcf->smtp = c;

    return NGX_CONF_OK;
}


/* --- the sender ---------------------------------------------------------- */

static ngx_uint_t
ngx_http_helpdesk_mail_window(ngx_http_helpdesk_mailer_t *m)
{
    ngx_uint_t  n;

    n = m->conf->concurrency * NGX_HTTP_HELPDESK_MAIL_WINDOW;
    n = ngx_max(n, NGX_HTTP_HELPDESK_MAIL_CLAIM_MIN);

    return ngx_min(n, NGX_HTTP_HELPDESK_MAIL_CLAIM_MAX);
}


/* long enough for everything claimed to end even if each message waits
   for the whole timeout: a claim never runs out under its sender */
static uint64_t
ngx_http_helpdesk_mail_claim(ngx_http_helpdesk_mailer_t *m)
{
    return (ngx_http_helpdesk_mail_window(m) / m->conf->concurrency + 2)
           * ((m->conf->timeout_ms + 999) / 1000);
}


static ngx_uint_t
ngx_http_helpdesk_mail_pending(ngx_http_helpdesk_mailer_t *m)
{
    return m->busy || m->sending || m->nwaiting || m->nresults;
}


static void
ngx_http_helpdesk_delivery_free(ngx_http_helpdesk_delivery_t *d)
{
    hd_buf_free(&d->message);
    ngx_free(d);
}


static ngx_int_t
ngx_http_helpdesk_mail_result(ngx_http_helpdesk_mailer_t *m, uint64_t id,
    hd_delivery_e outcome, const char *answer)
{
    size_t               cap;
    hd_outbox_result_t  *grown, *r;

    if (m->nresults == m->cap) {
        cap = m->cap ? m->cap * 2 : 64;
        grown = ngx_alloc(cap * sizeof(hd_outbox_result_t), m->loop.log);
        if (grown == NULL) {
            return NGX_ERROR;
        }

        if (m->nresults) {
            ngx_memcpy(grown, m->results,
                       m->nresults * sizeof(hd_outbox_result_t));
        }

        if (m->results != NULL) {
            ngx_free(m->results);
        }

        m->results = grown;
        m->cap = cap;
    }

    r = &m->results[m->nresults++];
    r->id = id;
    r->outcome = (uint8_t) outcome;
    ngx_cpystrn((u_char *) r->answer, (u_char *) answer, sizeof(r->answer));

    return NGX_OK;
}


/* keeps an exiting worker while mail is in its hands; wakes the sender */
static void
ngx_http_helpdesk_mail_arm(ngx_http_helpdesk_mailer_t *m, ngx_msec_t ms)
{
    m->wake.cancelable = !ngx_http_helpdesk_mail_pending(m);

    if (m->wake.timer_set && m->wake.timer.key <= ngx_current_msec + ms) {
        return;
    }

    ngx_add_timer(&m->wake, ms);
}


static void ngx_http_helpdesk_mail_begin(ngx_http_helpdesk_mailer_t *m);


/*
 * When the next step comes: at once to claim more before the connections
 * run dry, or when half a window of results waits (or a worker leaves);
 * else in a few milliseconds, so that results are recorded in batches
 */
static void
ngx_http_helpdesk_mail_schedule(ngx_http_helpdesk_mailer_t *m)
{
    if (m->busy) {
        return;
    }

    if ((m->more && m->nwaiting < 2 * m->conf->concurrency)
        || m->nresults >= ngx_http_helpdesk_mail_window(m) / 2
        || ngx_exiting || ngx_quit || ngx_terminate)
    {
        ngx_http_helpdesk_mail_step(m);
        return;
    }

    if (m->nresults || m->more) {
        ngx_http_helpdesk_mail_arm(m, NGX_HTTP_HELPDESK_MAIL_BATCH_MS);
    }
}


static void
ngx_http_helpdesk_mail_done(hd_smtp_job_t *job)
{
    ngx_uint_t                     level;
    hd_delivery_e                  outcome;
    ngx_http_helpdesk_mailer_t    *m;
    ngx_http_helpdesk_delivery_t  *d = job->ctx;

    m = d->mailer;
    m->sending--;

    outcome = hd_smtp_outcome(&job->answer);

    if (hd_smtp_config_problem(&job->answer)) {
        if (ngx_time() - m->config_warned >= NGX_HTTP_HELPDESK_MAIL_QUIET) {
            ngx_log_error(NGX_LOG_ERR, m->loop.log, 0,
                          "helpdesk mail: the relay %s:%ud refused our %s "
                          "(\"%s\"): check helpdesk_smtp; mail waits",
                          m->conf->host, m->conf->port,
                          job->answer.stage == HD_SMTP_AT_AUTH ? "login"
                                                                : "TLS",
                          job->answer.text);
            m->config_warned = ngx_time();
        }

    } else {
        level = outcome == HD_DELIVERY_SENT || outcome == HD_DELIVERY_DEFERRED
                ? NGX_LOG_INFO : NGX_LOG_NOTICE;

        ngx_log_error(level, m->loop.log, 0,
                      "helpdesk mail %uL to %s: %s (%s)", d->id, d->rcpt,
                      hd_delivery_names[outcome], job->answer.text);
    }

    if (ngx_http_helpdesk_mail_result(m, d->id, outcome, job->answer.text)
        != NGX_OK)
    {
        /* unrecorded: it comes back when its claim ends (maybe twice) */
        ngx_log_error(NGX_LOG_ALERT, m->loop.log, 0,
                      "helpdesk mail %uL: no memory to record it", d->id);
    }

    ngx_http_helpdesk_delivery_free(d);

    ngx_http_helpdesk_mail_begin(m);
    ngx_http_helpdesk_mail_schedule(m);
}


/* claimed messages begin while connections are free */
static void
ngx_http_helpdesk_mail_begin(ngx_http_helpdesk_mailer_t *m)
{
    ngx_http_helpdesk_delivery_t  *d;

    while (m->waiting != NULL && m->sending < m->conf->concurrency
           && !ngx_terminate)
    {
        d = m->waiting;
        m->waiting = d->next;
        m->nwaiting--;

        if (m->waiting == NULL) {
            m->waiting_tail = &m->waiting;
        }

        d->next = NULL;
        d->job.conf = m->conf;
        d->job.rcpt = d->rcpt;
        d->job.data = d->message.data;
        d->job.len = d->message.len;
        d->job.done = ngx_http_helpdesk_mail_done;
        d->job.ctx = d;

        if (hd_curl_smtp(m->loop.curl, &d->job) != 0) {
            (void) ngx_http_helpdesk_mail_result(m, d->id,
                                                 HD_DELIVERY_DEFERRED,
                                                 "could not begin a "
                                                 "transaction");
            ngx_http_helpdesk_delivery_free(d);
            continue;
        }

        m->sending++;
    }

    ngx_http_helpdesk_mail_arm(m, 1000);
}


/* in a thread of the pool: the step, then each claimed message as MIME */
static void
ngx_http_helpdesk_mail_step_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_mail_step_t  *s = data;
    ngx_http_helpdesk_mailer_t     *m = s->mailer;

    size_t                          i;
    hd_err_t                        err, merr;
    hd_arena_t                     *arena;
    hd_mail_t                      *mail;
    ngx_http_helpdesk_delivery_t   *d, **tail;

    s->claimed = NULL;
    s->nunbuildable = 0;
    s->more = 0;
    s->error[0] = '\0';
    hd_err_clear(&err);

    arena = hd_arena_create(16384);
    if (arena == NULL) {
        s->rc = HD_NOMEM;
        ngx_cpystrn((u_char *) s->error, (u_char *) "out of memory",
                    sizeof(s->error));
        return;
    }

    ngx_memzero(&s->counts, sizeof(hd_outbox_step_t));
    s->counts.conf = m->conf;
    s->counts.results = s->results;
    s->counts.nresults = s->nresults;
    s->counts.want = s->want;
    s->counts.claim = ngx_http_helpdesk_mail_claim(m);
    s->counts.now = (uint64_t) time(NULL);
    s->counts.pool = &arena->pool;

    s->rc = hd_outbox_step(m->mcf->store, &s->counts, &err);

    if (s->rc != HD_OK) {
        ngx_cpystrn((u_char *) s->error, (u_char *) err.text,
                    sizeof(s->error));
        hd_arena_destroy(arena);
        return;
    }

    s->more = s->counts.more;
    tail = &s->claimed;

    for (i = 0; i < s->counts.nclaimed; i++) {
        mail = &s->counts.claimed[i];

        d = ngx_calloc(sizeof(ngx_http_helpdesk_delivery_t), log);
        if (d == NULL) {
            break;              /* the rest comes back when claims end */
        }

        d->mailer = m;
        d->id = mail->id;
        ngx_cpystrn((u_char *) d->rcpt, mail->to.data,
                    ngx_min(mail->to.len + 1, sizeof(d->rcpt)));
        hd_buf_init(&d->message);
        hd_err_clear(&merr);

        if (hd_outbox_message(mail, m->conf, &d->message, &merr) != HD_OK) {
            /* it can never be built: the next step fails it */
            if (s->unbuildable == NULL) {
                s->unbuildable = ngx_alloc(s->counts.nclaimed
                                           * sizeof(hd_outbox_result_t),
                                           log);
            }

            if (s->unbuildable != NULL) {
                hd_outbox_result_t  *r = &s->unbuildable[s->nunbuildable++];

                r->id = mail->id;
                r->outcome = HD_DELIVERY_FAILED;
                ngx_cpystrn((u_char *) r->answer, (u_char *) merr.text,
                            sizeof(r->answer));
            }

            ngx_http_helpdesk_delivery_free(d);
            continue;
        }

        *tail = d;
        tail = &d->next;
    }

    hd_arena_destroy(arena);
}


/* the task: the step, and the thread left holding no OpenSSL state */
static void
ngx_http_helpdesk_mail_step_run(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_mail_step_work(data, log);
    hd_crypto_thread_end();
}


/* back in the event loop */
static void
ngx_http_helpdesk_mail_step_done(ngx_event_t *ev)
{
    ngx_http_helpdesk_mail_step_t  *s = ev->data;
    ngx_http_helpdesk_mailer_t     *m = s->mailer;

    size_t                          i;
    ngx_http_helpdesk_delivery_t   *d;

    m->busy = 0;

    if (s->rc != HD_OK) {
        /* nothing of it was written: its results wait for the next one */
        if (ngx_time() - m->step_warned >= NGX_HTTP_HELPDESK_MAIL_QUIET) {
            ngx_log_error(NGX_LOG_ERR, ev->log, 0,
                          "helpdesk mail: cannot record deliveries: %s",
                          s->error);
            m->step_warned = ngx_time();
        }

        for (i = 0; i < s->nresults; i++) {
            (void) ngx_http_helpdesk_mail_result(m, s->results[i].id,
                                                 s->results[i].outcome,
                                                 s->results[i].answer);
        }

    } else if (s->counts.failed || s->counts.expired) {
        ngx_log_error(NGX_LOG_INFO, ev->log, 0,
                      "helpdesk mail: %uz sent, %uz deferred, %uz failed "
                      "(%uz bounced, %uz expired), %uz claimed",
                      s->counts.sent, s->counts.deferred, s->counts.failed,
                      s->counts.bounced, s->counts.expired,
                      s->counts.nclaimed);
    }

    if (s->results != NULL) {
        ngx_free(s->results);
        s->results = NULL;
    }

    for (i = 0; i < s->nunbuildable; i++) {
        (void) ngx_http_helpdesk_mail_result(m, s->unbuildable[i].id,
                                             s->unbuildable[i].outcome,
                                             s->unbuildable[i].answer);
    }

    if (s->unbuildable != NULL) {
        ngx_free(s->unbuildable);
        s->unbuildable = NULL;
    }

    while (s->claimed != NULL) {
        d = s->claimed;
        s->claimed = d->next;
        d->next = NULL;
        *m->waiting_tail = d;
        m->waiting_tail = &d->next;
        m->nwaiting++;
    }

    m->more = s->more;

    ngx_http_helpdesk_mail_begin(m);
    ngx_http_helpdesk_mail_schedule(m);
}


/*
 * A step when there is something to record, or room to claim more (this
 * worker holding the lease and not leaving)
 */
static void
ngx_http_helpdesk_mail_step(ngx_http_helpdesk_mailer_t *m)
{
    ngx_uint_t                      window, held, leaving;
    ngx_http_helpdesk_delivery_t   *d;
    ngx_http_helpdesk_mail_step_t  *s;

    if (m->busy || m->mcf->store == NULL) {
        return;
    }

    leaving = ngx_exiting || ngx_quit || ngx_terminate;
    held = m->mcf->timer_held && !leaving;

    /* what will not begin here goes back to the queue at once */
    if (leaving) {
        while (m->waiting != NULL) {
            d = m->waiting;
            m->waiting = d->next;
            (void) ngx_http_helpdesk_mail_result(m, d->id,
                                                 HD_DELIVERY_RELEASED, "");
            ngx_http_helpdesk_delivery_free(d);
        }

        m->waiting_tail = &m->waiting;
        m->nwaiting = 0;
    }

    s = m->task->ctx;
    window = ngx_http_helpdesk_mail_window(m);
    s->want = held && m->nwaiting + m->sending < window
              ? window - m->nwaiting - m->sending : 0;

    if (m->nresults == 0 && s->want == 0) {
        return;
    }

    /* the results go with the step; new ones gather meanwhile */
    s->results = m->results;
    s->nresults = m->nresults;
    m->results = NULL;
    m->nresults = 0;
    m->cap = 0;

    if (ngx_thread_task_post(m->mcf->thread_pool, m->task) != NGX_OK) {
        m->results = s->results;
        m->nresults = m->cap = s->nresults;
        s->results = NULL;
        return;
    }

    m->busy = 1;
}


static void
ngx_http_helpdesk_mail_wake(ngx_event_t *ev)
{
    ngx_http_helpdesk_mailer_t  *m = ev->data;

    /* the batch's time is up: whatever waits is recorded now */
    ngx_http_helpdesk_mail_step(m);
    ngx_http_helpdesk_mail_begin(m);

    if (!ngx_http_helpdesk_mail_pending(m)) {
        if (m->wake.timer_set) {
            ngx_del_timer(&m->wake);
        }

        return;
    }

    ngx_http_helpdesk_mail_arm(m, 1000);
}


void
ngx_http_helpdesk_mail_start(ngx_cycle_t *cycle,
    ngx_http_helpdesk_main_conf_t *mcf)
{
    ngx_thread_task_t              *task;
    ngx_http_helpdesk_mailer_t     *m;
    ngx_http_helpdesk_mail_step_t  *s;

    hd_mime_init();

    if (mcf->smtp == NULL) {
        if (ngx_worker == 0) {
            ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                          "helpdesk: no helpdesk_smtp: e-mail is kept in "
                          "the outbox and not sent");
        }

        return;
    }

    hd_curl_init();

    m = ngx_pcalloc(cycle->pool, sizeof(ngx_http_helpdesk_mailer_t));
    if (m == NULL) {
        return;
    }

    task = ngx_thread_task_alloc(cycle->pool,
                                 sizeof(ngx_http_helpdesk_mail_step_t));
    if (task == NULL) {
        return;
    }

    if (ngx_http_helpdesk_curl_loop_init(&m->loop, cycle->log,
                                         mcf->smtp->concurrency)
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "helpdesk mail: cannot start libcurl");
        return;
    }

    s = task->ctx;
    s->mailer = m;
    task->handler = ngx_http_helpdesk_mail_step_run;
    task->event.handler = ngx_http_helpdesk_mail_step_done;
    task->event.data = s;
    task->event.log = cycle->log;

    m->mcf = mcf;
    m->conf = mcf->smtp;
    m->task = task;
    m->waiting_tail = &m->waiting;
    m->wake.handler = ngx_http_helpdesk_mail_wake;
    m->wake.data = m;
    m->wake.log = cycle->log;
    m->wake.cancelable = 1;

    mcf->mailer = m;

    if (ngx_worker == 0) {
        ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                      "helpdesk: mail goes to %s:%ud from %s, %ud at once",
                      m->conf->host, m->conf->port, m->conf->from_address,
                      m->conf->concurrency);
    }
}


/* the timer's tick: the lease holder claims due mail, anyone records */
void
ngx_http_helpdesk_mail_poke(ngx_http_helpdesk_main_conf_t *mcf)
{
    if (mcf->mailer != NULL) {
        ngx_http_helpdesk_mail_step(mcf->mailer);
    }
}


void
ngx_http_helpdesk_mail_stop(ngx_http_helpdesk_main_conf_t *mcf)
{
    ngx_http_helpdesk_mailer_t    *m = mcf->mailer;
    ngx_http_helpdesk_delivery_t  *d;

    if (m == NULL) {
        return;
    }

    if (m->wake.timer_set) {
        ngx_del_timer(&m->wake);
    }

    /* what was claimed and not recorded comes back when its claim ends */
    while (m->waiting != NULL) {
        d = m->waiting;
        m->waiting = d->next;
        ngx_http_helpdesk_delivery_free(d);
    }

    ngx_http_helpdesk_curl_loop_free(&m->loop);

    mcf->mailer = NULL;
}

/*
 * The mailbox the portal reads itself (SPEC §7.2): helpdesk_imap. The
 * worker that holds the timer's lease reads it every interval, in the
 * thread pool: the messages not done yet (UID SEARCH), each fetched and
 * handed to the pipeline of mail that comes in (hd_mail_route), then
 * marked done ($HelpdeskDone, or deleted) only after its transaction
 * committed. A crash between the two reads the message again, and the
 * pipeline knows it (a duplicate): nothing is lost, nothing made twice.
 */

#include "ngx_http_helpdesk_module.h"

#include <stdio.h>
#include <time.h>

#include "hd_curl.h"
#include "hd_mail_route.h"
#include "hd_mime.h"


#define NGX_HTTP_HELPDESK_IMAP_KEYWORD   "$HelpdeskDone"
#define NGX_HTTP_HELPDESK_IMAP_BUDGET    5000       /* ms of one task */
#define NGX_HTTP_HELPDESK_IMAP_NOT_HELD  1000       /* ms: ask again */
#define NGX_HTTP_HELPDESK_IMAP_CHUNK     32         /* a commit's messages */


typedef struct {
    hd_imap_conf_t                  conf;
    char                            url[512];
    char                            user[256];
    char                            password[256];
    char                            ca[PATH_MAX];
    ngx_msec_t                      interval;
    ngx_uint_t                      delete;

    /* per worker */
    ngx_http_helpdesk_main_conf_t  *mcf;
    hd_imap_t                      *session;
    ngx_event_t                     tick;
    ngx_thread_task_t              *task;
    ngx_uint_t                      busy;
    ngx_log_t                      *log;

    /* what the last task did */
    size_t                          read;
    size_t                          left;
    uint64_t                        us_fetch;   /* where the time went */
    uint64_t                        us_receive;
    uint64_t                        us_mark;
    ngx_uint_t                      failed;
    char                            error[600];
    const char                     *stage;      /* what failed */
    char                            what[128];  /* ... in words */
    const char                     *last_stage; /* ... and was said */
} ngx_http_helpdesk_mailbox_t;


static void ngx_http_helpdesk_mailbox_tick(ngx_event_t *ev);
static void ngx_http_helpdesk_mailbox_run(void *data, ngx_log_t *log);
static void ngx_http_helpdesk_mailbox_done(ngx_event_t *ev);


/*
 * helpdesk_imap imaps://host[:port]/MAILBOX user=NAME password_file=FILE
 *     [interval=30s] [done=keyword|delete] [ca=FILE] [timeout=60s]
 */
char *
ngx_http_helpdesk_imap(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    u_char                       *p, *end;
    ngx_str_t                    *value, v, file;
    ngx_msec_t                    ms;
    ngx_uint_t                    i;
    ngx_file_info_t               fi;
    ngx_http_helpdesk_mailbox_t  *mb;

    if (mcf->imap != NULL) {
        return "is duplicate";
    }

    mb = ngx_pcalloc(cf->pool, sizeof(ngx_http_helpdesk_mailbox_t));
    if (mb == NULL) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;
    v = value[1];

    /* imaps:// (TLS from the start) or imap:// (STARTTLS, required) with a
       host and a mailbox */
    p = NULL;

    if (v.len > 8 && ngx_strncmp(v.data, "imaps://", 8) == 0) {
        p = v.data + 8;

    } else if (v.len > 7 && ngx_strncmp(v.data, "imap://", 7) == 0) {
        p = v.data + 7;
    }

    end = v.data + v.len;

    if (p == NULL || p == end || *p == '/'
        || ngx_strlchr(p, end, '/') == NULL
        || ngx_strlchr(p, end, '/') + 1 == end
        || ngx_strlchr(p, end, '@') != NULL
        || ngx_strlchr(p, end, '?') != NULL
        || ngx_strlchr(p, end, ';') != NULL
        || v.len >= sizeof(mb->url))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_imap: invalid mailbox \"%V\" (expected "
                           "imaps://HOST[:PORT]/MAILBOX, e.g. "
                           "imaps://mail.example.com/INBOX; the user goes in "
                           "user=)", &v);
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(mb->url, v.data, v.len);
    mb->url[v.len] = '\0';

    mb->interval = 30000;
    mb->conf.timeout = 60;
    file.len = 0;

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_http_helpdesk_conf_param(&value[i], "user", &v) == NGX_OK) {
            if (v.len == 0 || v.len >= sizeof(mb->user)) {
                goto invalid;
            }

            ngx_memcpy(mb->user, v.data, v.len);
            mb->user[v.len] = '\0';
            continue;
        }

        if (ngx_http_helpdesk_conf_param(&value[i], "password_file", &v)
            == NGX_OK)
        {
            if (v.len == 0) {
                goto invalid;
            }

            file = v;
            continue;
        }

        if (ngx_http_helpdesk_conf_param(&value[i], "interval", &v)
            == NGX_OK)
        {
            ms = ngx_parse_time(&v, 0);

            if (ms == (ngx_msec_t) NGX_ERROR || ms < 1000 || ms > 86400000) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "helpdesk_imap: invalid interval \"%V\" "
                                   "(1s to 24h)", &v);
                return NGX_CONF_ERROR;
            }

            mb->interval = ms;
            continue;
        }

        if (ngx_http_helpdesk_conf_param(&value[i], "timeout", &v)
            == NGX_OK)
        {
            ms = ngx_parse_time(&v, 0);

            if (ms == (ngx_msec_t) NGX_ERROR || ms < 1000 || ms > 600000) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "helpdesk_imap: invalid timeout \"%V\" "
                                   "(1s to 10m)", &v);
                return NGX_CONF_ERROR;
            }

            mb->conf.timeout = (long) (ms / 1000);
            continue;
        }

        if (ngx_http_helpdesk_conf_param(&value[i], "done", &v) == NGX_OK) {
            if (v.len == 7 && ngx_strncmp(v.data, "keyword", 7) == 0) {
                mb->delete = 0;

            } else if (v.len == 6 && ngx_strncmp(v.data, "delete", 6) == 0) {
                mb->delete = 1;

            } else {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "helpdesk_imap: invalid done \"%V\" "
                                   "(keyword or delete)", &v);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_http_helpdesk_conf_param(&value[i], "ca", &v) == NGX_OK) {
            if (v.len == 0 || ngx_conf_full_name(cf->cycle, &v, 1) != NGX_OK
                || v.len >= sizeof(mb->ca))
            {
                goto invalid;
            }

            if (ngx_file_info(v.data, &fi) == NGX_FILE_ERROR) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                                   "helpdesk_imap: cannot read ca \"%V\"",
                                   &v);
                return NGX_CONF_ERROR;
            }

            ngx_memcpy(mb->ca, v.data, v.len);
            mb->ca[v.len] = '\0';
            continue;
        }

        goto invalid;
    }

    if (mb->user[0] == '\0' || file.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_imap: \"%s\" needs user= and "
                           "password_file=", mb->url);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_helpdesk_conf_secret(cf, "helpdesk_imap password_file=",
                                      &file, (u_char *) mb->password,
                                      sizeof(mb->password))
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    mb->conf.url = mb->url;
    mb->conf.user = mb->user;
    mb->conf.password = mb->password;
    mb->conf.cacert = mb->ca[0] ? mb->ca : NULL;

    mcf->imap = mb;

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "helpdesk_imap: invalid parameter \"%V\" (expected "
                       "user=, password_file=, interval=, timeout=, done=, "
                       "ca=)", &value[i]);
    return NGX_CONF_ERROR;
}


void
ngx_http_helpdesk_mailbox_start(ngx_cycle_t *cycle,
    ngx_http_helpdesk_main_conf_t *mcf)
{
    ngx_http_helpdesk_mailbox_t  *mb = mcf->imap;

    if (mb == NULL) {
        return;
    }

    if (mcf->timer_lcf == NULL) {
        ngx_log_error(NGX_LOG_WARN, cycle->log, 0,
                      "helpdesk_imap: no location serves the portal, so the "
                      "mailbox is not read");
        return;
    }

    hd_mime_init();
    hd_curl_init();

    mb->task = ngx_thread_task_alloc(cycle->pool, 0);
    if (mb->task == NULL) {
        return;
    }

    mb->mcf = mcf;
    mb->log = cycle->log;
    mb->task->ctx = mb;
    mb->task->handler = ngx_http_helpdesk_mailbox_run;
    mb->task->event.handler = ngx_http_helpdesk_mailbox_done;
    mb->task->event.data = mb;
    mb->task->event.log = cycle->log;

    mb->tick.handler = ngx_http_helpdesk_mailbox_tick;
    mb->tick.data = mb;
    mb->tick.log = cycle->log;
    mb->tick.cancelable = 1;

    ngx_add_timer(&mb->tick, NGX_HTTP_HELPDESK_IMAP_NOT_HELD);

    if (ngx_worker == 0) {
        ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                      "helpdesk: the mailbox %s is read every %M ms",
                      mb->url, mb->interval);
    }
}


void
ngx_http_helpdesk_mailbox_stop(ngx_http_helpdesk_main_conf_t *mcf)
{
    ngx_http_helpdesk_mailbox_t  *mb = mcf->imap;

    if (mb == NULL || mb->task == NULL) {
        return;
    }

    if (mb->tick.timer_set) {
        ngx_del_timer(&mb->tick);
    }

    /* a task still running keeps its session: the process ends anyway */
    if (!mb->busy && mb->session != NULL) {
        hd_imap_close(mb->session);
        mb->session = NULL;
    }
}


static void
ngx_http_helpdesk_mailbox_tick(ngx_event_t *ev)
{
    ngx_http_helpdesk_mailbox_t  *mb = ev->data;

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    /* one reader for all workers and instances: the timer's lease holder */
    if (mb->busy || !mb->mcf->timer_held || mb->mcf->store == NULL) {
        ngx_add_timer(ev, NGX_HTTP_HELPDESK_IMAP_NOT_HELD);
        return;
    }

    if (ngx_thread_task_post(mb->mcf->thread_pool, mb->task) != NGX_OK) {
        ngx_add_timer(ev, mb->interval);
        return;
    }

    mb->busy = 1;
}


static void
ngx_http_helpdesk_mailbox_fail(ngx_http_helpdesk_mailbox_t *mb,
    const char *what)
{
    mb->failed = 1;
    mb->stage = what;
    ngx_snprintf((u_char *) mb->error, sizeof(mb->error) - 1, "%s: %s%Z",
                 mb->what[0] ? mb->what : what,
                 mb->session ? hd_imap_error(mb->session)
                             : "cannot start libcurl");
    mb->what[0] = '\0';

    /* the connection may be what failed: the next task makes a new one */
    if (mb->session != NULL) {
        hd_imap_close(mb->session);
        mb->session = NULL;
    }
}


/* "5,7,9" */
static void
ngx_http_helpdesk_mailbox_set(char *set, const uint64_t *uids, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        set += sprintf(set, "%s%llu", i ? "," : "",
                       (unsigned long long) uids[i]);
    }
}


/*
 * Messages about to be fetched are marked \Seen first, all in one command:
 * a fetch (libcurl's is BODY[], not BODY.PEEK[]) then changes no flag, so
 * the server writes its index once for them, not once for each (and the
 * fetches can go at once). \Seen says nothing of them being done: the
 * keyword does.
 */
static ngx_int_t
ngx_http_helpdesk_mailbox_seen(ngx_http_helpdesk_mailbox_t *mb,
    const uint64_t *uids, size_t n)
{
    char  set[NGX_HTTP_HELPDESK_IMAP_CHUNK * 21], cmd[sizeof(set) + 64];

    ngx_http_helpdesk_mailbox_set(set, uids, n);
    snprintf(cmd, sizeof(cmd), "UID STORE %s +FLAGS.SILENT (\\Seen)", set);

    if (hd_imap_command(mb->session, cmd) != 0) {
        ngx_http_helpdesk_mailbox_fail(mb, "marking messages seen");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* messages done: marked (and with done=delete, expunged: only those, by
   UIDPLUS, never one a person flagged), a command each for all of them */
static ngx_int_t
ngx_http_helpdesk_mailbox_mark(ngx_http_helpdesk_mailbox_t *mb,
    uint64_t *uids, size_t n)
{
    char  set[NGX_HTTP_HELPDESK_IMAP_CHUNK * 21], cmd[sizeof(set) + 64];

    /* the connection failed with a fetch after them: they are read again
       next time, duplicates of what they made now */
    if (mb->session == NULL) {
        return NGX_ERROR;
    }

    ngx_http_helpdesk_mailbox_set(set, uids, n);

    snprintf(cmd, sizeof(cmd), "UID STORE %s +FLAGS.SILENT (%s)", set,
             mb->delete ? "\\Deleted " NGX_HTTP_HELPDESK_IMAP_KEYWORD
                        : NGX_HTTP_HELPDESK_IMAP_KEYWORD);

    if (hd_imap_command(mb->session, cmd) != 0) {
        ngx_http_helpdesk_mailbox_fail(mb, "marking messages done");
        return NGX_ERROR;
    }

    if (mb->delete) {
        snprintf(cmd, sizeof(cmd), "UID EXPUNGE %s", set);

        if (hd_imap_command(mb->session, cmd) != 0) {
            ngx_http_helpdesk_mailbox_fail(mb, "expunging");
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* a clock a thread may read */
static uint64_t
ngx_http_helpdesk_mailbox_us(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (uint64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}


/* in a thread */
static void
ngx_http_helpdesk_mailbox_work(void *data, ngx_log_t *log)
{
    int                           rcs[NGX_HTTP_HELPDESK_IMAP_CHUNK];
    size_t                        i, j, j2, k, m, n, q, max;
    uint64_t                      quid[NGX_HTTP_HELPDESK_IMAP_CHUNK];
    size_t                        len[NGX_HTTP_HELPDESK_IMAP_CHUNK];
    hd_rc                         hrc[NGX_HTTP_HELPDESK_IMAP_CHUNK];
    hd_err_t                      err[NGX_HTTP_HELPDESK_IMAP_CHUNK];
    uint64_t                     *uids, start, t0, t1, t2;
    hd_uchar                     *raw[NGX_HTTP_HELPDESK_IMAP_CHUNK];
    hd_mailin_t                   in[NGX_HTTP_HELPDESK_IMAP_CHUNK];
    hd_mailin_t                  *pin[NGX_HTTP_HELPDESK_IMAP_CHUNK];
    ngx_http_helpdesk_mailbox_t  *mb = data;

    (void) log;

    mb->read = 0;
    mb->left = 0;
    mb->us_fetch = mb->us_receive = mb->us_mark = 0;
    mb->failed = 0;
    mb->stage = NULL;
    mb->error[0] = '\0';

    if (mb->session == NULL) {
        mb->session = hd_imap_open(&mb->conf);

        if (mb->session == NULL) {
            ngx_http_helpdesk_mailbox_fail(mb, "connecting");
            return;
        }
    }

    if (hd_imap_search(mb->session,
                       mb->delete ? "UNDELETED"
                                  : "UNDELETED UNKEYWORD "
                                    NGX_HTTP_HELPDESK_IMAP_KEYWORD,
                       &uids, &n)
        != 0)
    {
        ngx_http_helpdesk_mailbox_fail(mb, "searching the mailbox");
        return;
    }

    /* what the mail gate would take, and a message more is refused */
    max = (size_t) (mb->mcf->tickets.message_max / 3 * 4
                    + mb->mcf->tickets.message_max / 38 + 2 * 1024 * 1024);

    start = (ngx_http_helpdesk_mailbox_us() / 1000);

    for (i = 0; i < n; i += k) {

        if (ngx_exiting || ngx_quit || ngx_terminate) {
            break;
        }

        /* a long mailbox goes in turns: the worker's other work goes on */
        if ((ngx_http_helpdesk_mailbox_us() / 1000) - start
            > NGX_HTTP_HELPDESK_IMAP_BUDGET)
        {
            break;
        }

        /* a chunk fetched, then committed together (one fsync), then
           marked done together (one command) */
        t0 = ngx_http_helpdesk_mailbox_us();

        m = n - i < NGX_HTTP_HELPDESK_IMAP_CHUNK
            ? n - i : NGX_HTTP_HELPDESK_IMAP_CHUNK;

        if (ngx_http_helpdesk_mailbox_seen(mb, &uids[i], m) != NGX_OK) {
            break;
        }

        (void) hd_imap_fetch_many(mb->session, &uids[i], m, raw, len, rcs,
                                  max);

        /* what came, up to the first that did not (one gone since the
           search is passed over) */
        for (k = 0, q = 0; k < m && rcs[k] != -1; k++) {
            if (rcs[k] == -3) {
                continue;
            }

            ngx_memzero(&in[q], sizeof(hd_mailin_t));
            in[q].portal = &mb->mcf->timer_portal;
            in[q].raw = raw[k];
            in[q].len = len[k];
            in[q].now = (uint64_t) time(NULL);
            in[q].source = HD_MAILIN_IMAP;
            in[q].too_large = rcs[k] == -2;
            pin[q] = &in[q];
            quid[q] = uids[i + k];
            q++;
        }

        if (k < m) {
            /* the connection is made again; what came is taken still */
            mb->failed = 1;
            mb->stage = "fetching a message";
            ngx_snprintf((u_char *) mb->error, sizeof(mb->error) - 1,
                         "fetching the message of UID %uL: %s%Z",
                         uids[i + k], hd_imap_error(mb->session));
        }

        if (q == 0) {
            for (j = 0; j < m; j++) {
                free(raw[j]);
            }

            if (k < m) {
                break;
            }

            continue;
        }

        t1 = ngx_http_helpdesk_mailbox_us();
        hd_mail_receive_many(pin, q, hrc, err);
        t2 = ngx_http_helpdesk_mailbox_us();
        mb->us_fetch += t1 - t0;
        mb->us_receive += t2 - t1;

        /* the done ones: up to the first that stays for the next time */
        for (j = 0; j < q && hrc[j] == HD_OK; j++) {
            /* void */
        }

        for (j2 = 0; j2 < m; j2++) {
            free(raw[j2]);
        }

        if (j < q) {
            mb->failed = 1;
            mb->stage = "storing";
            ngx_snprintf((u_char *) mb->error, sizeof(mb->error) - 1,
                         "a message stays in the mailbox: %s%Z",
                         err[j].text[0] ? err[j].text : hd_rc_name(hrc[j]));
        }

        if (j && ngx_http_helpdesk_mailbox_mark(mb, quid, j) != NGX_OK) {
            break;
        }

        mb->us_mark += ngx_http_helpdesk_mailbox_us() - t2;

        mb->read += j;

        if (j < q || mb->failed) {
            break;
        }
    }

    mb->left = n - mb->read;
    free(uids);
}


/* the task: the read, and the thread left holding no OpenSSL state */
static void
ngx_http_helpdesk_mailbox_run(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_mailbox_work(data, log);
    hd_crypto_thread_end();
}


static void
ngx_http_helpdesk_mailbox_done(ngx_event_t *ev)
{
    ngx_http_helpdesk_mailbox_t  *mb = ev->data;

    mb->busy = 0;

    if (mb->failed) {
        /* said once while it fails the same way, not every interval */
        if (mb->stage != mb->last_stage) {
            ngx_log_error(NGX_LOG_ERR, ev->log, 0,
                          "helpdesk mailbox %s: %s", mb->url, mb->error);
            mb->last_stage = mb->stage;
        }

    } else {
        if (mb->last_stage != NULL) {
            ngx_log_error(NGX_LOG_NOTICE, ev->log, 0,
                          "helpdesk mailbox %s: read again", mb->url);
        }

        mb->last_stage = NULL;
    }

    if (mb->read) {
        ngx_log_error(NGX_LOG_INFO, ev->log, 0,
                      "helpdesk mailbox %s: %uz messages read, %uz left "
                      "(%uL ms fetching, %uL ms taking them in, %uL ms "
                      "marking them)", mb->url, mb->read, mb->left,
                      mb->us_fetch / 1000, mb->us_receive / 1000,
                      mb->us_mark / 1000);

        /* what the messages wrote goes out now, not at the next tick */
        ngx_http_helpdesk_mail_poke(mb->mcf);
    }

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    ngx_add_timer(&mb->tick, mb->left && !mb->failed ? 1 : mb->interval);
}

/*
 * Working time in nginx (SPEC §6): the directives that set calendars, SLA
 * targets, auto-close periods and the timer; and the timer itself. Every
 * worker arms it; a tick takes (or renews) the lease in LMDB and, holding
 * it, sweeps what is due in the thread pool, a batch a transaction, within
 * a time budget: the event loop only posts the task and reads its result.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_date.h"
#include "hd_files.h"
#include "hd_notify.h"
#include "hd_search.h"

#include <sys/time.h>


/* the lease outlives ten intervals and ten ticks' budgets, at least 2 s:
   only a holder that hangs keeps it that long, a dead one on this host is
   passed over at once (hd_lease_alive), one that exits gives it up */
#define NGX_HTTP_HELPDESK_LEASE_INTERVALS  10
#define NGX_HTTP_HELPDESK_LEASE_MIN        2000


static uint64_t
ngx_http_helpdesk_lease_ttl(const hd_work_t *w)
{
    uint64_t  ttl;

    ttl = (uint64_t) w->interval * NGX_HTTP_HELPDESK_LEASE_INTERVALS;

    if (ttl < (uint64_t) w->budget * NGX_HTTP_HELPDESK_LEASE_INTERVALS) {
        ttl = (uint64_t) w->budget * NGX_HTTP_HELPDESK_LEASE_INTERVALS;
    }

    return ttl < NGX_HTTP_HELPDESK_LEASE_MIN ? NGX_HTTP_HELPDESK_LEASE_MIN
                                             : ttl;
}


typedef struct {
    ngx_http_helpdesk_main_conf_t  *mcf;
    hd_rc                           rc;
    hd_lease_t                      holder;
    hd_sweep_t                      total;
    ngx_uint_t                      held;
    ngx_uint_t                      batches;
    uint64_t                        started;    /* monotonic, us */
    uint64_t                        took;       /* us */
    char                            error[256];

    /* a sweep (ticks in a row with work) and the ticks with nothing due,
       for the log: what the timer costs */
    uint64_t                        sweep_start;
    uint64_t                        sweep_us;
    uint64_t                        sweep_end;
    hd_sweep_t                      sweep;
    ngx_uint_t                      sweep_batches;
    ngx_uint_t                      idle;
    uint64_t                        idle_us;
    uint64_t                        idle_max;

    /* the attachment store's sweep, hourly by the lease holder */
    uint64_t                        files_next;     /* unix seconds */
    hd_files_sweep_t                files;
    char                            files_error[256];

    /* the search index's big segments merged, one a tick */
    size_t                          merges;
    uint64_t                        merge_us;
    char                            merge_error[256];
} ngx_http_helpdesk_tick_t;


#define NGX_HTTP_HELPDESK_FILES_EVERY  3600     /* seconds between sweeps */


#define NGX_HTTP_HELPDESK_IDLE_REPORT  1000     /* idle ticks a log line */


static void ngx_http_helpdesk_timer_tick(ngx_event_t *ev);


static void
ngx_http_helpdesk_work_cleanup(void *data)
{
    hd_work_free(data);
}


ngx_int_t
ngx_http_helpdesk_work_create(ngx_conf_t *cf,
    ngx_http_helpdesk_main_conf_t *mcf)
{
    hd_err_t             err;
    ngx_pool_cleanup_t  *cln;

    mcf->work = ngx_pcalloc(cf->pool, sizeof(hd_work_t));
    if (mcf->work == NULL) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    hd_err_clear(&err);

    if (hd_work_defaults(mcf->work, &err) != HD_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "helpdesk: %s", err.text);
        return NGX_ERROR;
    }

    cln->handler = ngx_http_helpdesk_work_cleanup;
    cln->data = mcf->work;

    return NGX_OK;
}


/* helpdesk_calendar NAME [zone=+03:00] [mon-fri=09:00-18:00 ...] [24x7]
   [default] */
char *
ngx_http_helpdesk_calendar(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    int             offset;
    ngx_str_t      *value;
    ngx_uint_t      i, hours = 0;
    hd_calendar_t  *c, copy;

    value = cf->args->elts;

    c = hd_work_calendar_add(mcf->work, (char *) value[1].data,
                             value[1].len);
    if (c == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_calendar: invalid name \"%V\" (at most "
                           "%d calendars, names of 1-%d characters)",
                           &value[1], HD_CALENDARS_MAX,
                           HD_CALENDAR_NAME_LEN - 1);
        return NGX_CONF_ERROR;
    }

    copy = *c;

    for (i = 2; i < cf->args->nelts; i++) {

        if (value[i].len > 5 && ngx_strncmp(value[i].data, "zone=", 5) == 0) {
            if (hd_calendar_parse_zone(value[i].data + 5, value[i].len - 5,
                                       &offset)
                != 0)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "helpdesk_calendar: invalid zone \"%V\" "
                                   "(expected zone=+03:00 or zone=UTC)",
                                   &value[i]);
                return NGX_CONF_ERROR;
            }

            copy.offset = offset;
            continue;
        }

        if (value[i].len == 4 && ngx_strncmp(value[i].data, "24x7", 4) == 0) {
            copy.always = 1;
            continue;
        }

        if (value[i].len == 7
            && ngx_strncmp(value[i].data, "default", 7) == 0)
        {
            mcf->work->calendar = (unsigned) (c - mcf->work->calendars);
            continue;
        }

        if (!hours) {
            /* hours given replace the calendar's week */
            ngx_memzero(copy.week, sizeof(copy.week));
            hours = 1;
        }

        if (hd_calendar_parse_hours(&copy, value[i].data, value[i].len)
            != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "helpdesk_calendar: invalid parameter \"%V\" "
                               "(expected working hours such as "
                               "mon-fri=09:00-18:00 or sat=off, zone=+03:00, "
                               "24x7 or default)", &value[i]);
            return NGX_CONF_ERROR;
        }
    }

    *c = copy;

    return NGX_CONF_OK;
}


/* helpdesk_holidays NAME FILE: the file replaces the calendar's list */
char *
ngx_http_helpdesk_holidays(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    int               i;
    ssize_t           n;
    hd_err_t          err;
    ngx_fd_t          fd;
    ngx_str_t        *value, name;
    ngx_file_info_t   fi;
    u_char           *text;

    value = cf->args->elts;

    i = hd_work_calendar(mcf->work, (char *) value[1].data, value[1].len);
    if (i < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_holidays: unknown calendar \"%V\" "
                           "(moscow, 24x7, or one helpdesk_calendar named "
                           "before)", &value[1]);
        return NGX_CONF_ERROR;
    }

    name = value[2];

    if (ngx_conf_full_name(cf->cycle, &name, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    fd = ngx_open_file(name.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "helpdesk_holidays: cannot open \"%V\"", &name);
        return NGX_CONF_ERROR;
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) > 1024 * 1024)
    {
        ngx_close_file(fd);
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_holidays: \"%V\" is not a holiday file "
                           "(at most 1 MB)", &name);
        return NGX_CONF_ERROR;
    }

    text = ngx_pnalloc(cf->temp_pool, (size_t) ngx_file_size(&fi) + 1);
    if (text == NULL) {
        ngx_close_file(fd);
        return NGX_CONF_ERROR;
    }

    n = ngx_read_fd(fd, text, (size_t) ngx_file_size(&fi));
    ngx_close_file(fd);

    if (n < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "helpdesk_holidays: cannot read \"%V\"", &name);
        return NGX_CONF_ERROR;
    }

    hd_err_clear(&err);

    if (hd_calendar_holidays(&mcf->work->calendars[i], (char *) text,
                             (size_t) n, &err)
        != HD_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_holidays: \"%V\": %s", &name, err.text);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_helpdesk_period_arg(ngx_str_t *arg, size_t skip, hd_period_t *p)
{
    return hd_period_parse(arg->data + skip, arg->len - skip, p) == 0
           ? NGX_OK : NGX_ERROR;
}


/* helpdesk_autoclose [solved=3d] [awaiting=3d] */
char *
ngx_http_helpdesk_autoclose(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    ngx_str_t   *value;
    ngx_uint_t   i;

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        if (value[i].len > 7 && ngx_strncmp(value[i].data, "solved=", 7) == 0
            && ngx_http_helpdesk_period_arg(&value[i], 7,
                                            &mcf->work->autoclose_solved)
               == NGX_OK)
        {
            continue;
        }

        if (value[i].len > 9
            && ngx_strncmp(value[i].data, "awaiting=", 9) == 0
            && ngx_http_helpdesk_period_arg(&value[i], 9,
                                            &mcf->work->autoclose_awaiting)
               == NGX_OK)
        {
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_autoclose: invalid parameter \"%V\" "
                           "(expected solved=PERIOD or awaiting=PERIOD: "
                           "working days such as 3d, working hours such as "
                           "24h, plain seconds such as 30s, or 0 for never)",
                           &value[i]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* helpdesk_sla LEVEL SEVERITY|* response=PERIOD [resolution=PERIOD]
   [calendar=NAME] */
char *
ngx_http_helpdesk_sla(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    int               level, cal = -1, sev_from, sev_to, s;
    ngx_str_t        *value;
    ngx_uint_t        i;
    hd_period_t       p;
    hd_sla_target_t   t;

    value = cf->args->elts;

    level = hd_level_from_name(value[1].data, value[1].len);
    if (level < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_sla: unknown support level \"%V\" "
                           "(standard, msa_start, msa_plus, msa_business, "
                           "msa_enterprise)", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (value[2].len == 1 && value[2].data[0] == '*') {
        sev_from = 1;
        sev_to = HD_SEVERITIES;

    } else if (value[2].len == 1 && value[2].data[0] >= '1'
               && value[2].data[0] <= '0' + HD_SEVERITIES)
    {
        sev_from = sev_to = value[2].data[0] - '0';

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_sla: invalid severity \"%V\" (1-4, "
                           "or * for all)", &value[2]);
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&t, sizeof(t));

    for (i = 3; i < cf->args->nelts; i++) {

        if (value[i].len > 9 && ngx_strncmp(value[i].data, "response=", 9) == 0
            && ngx_http_helpdesk_period_arg(&value[i], 9, &p) == NGX_OK
            && p.n != 0)
        {
            t.response = p;
            continue;
        }

        if (value[i].len > 11
            && ngx_strncmp(value[i].data, "resolution=", 11) == 0
            && ngx_http_helpdesk_period_arg(&value[i], 11, &p) == NGX_OK)
        {
            t.resolution = p;
            continue;
        }

        if (value[i].len > 9
            && ngx_strncmp(value[i].data, "calendar=", 9) == 0)
        {
            cal = hd_work_calendar(mcf->work, (char *) value[i].data + 9,
                                   value[i].len - 9);
            if (cal >= 0) {
                continue;
            }
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_sla: invalid parameter \"%V\" (expected "
                           "response=PERIOD such as 12h or 30m, "
                           "resolution=PERIOD such as 5d, calendar=NAME of "
                           "moscow, 24x7 or a helpdesk_calendar named "
                           "before)", &value[i]);
        return NGX_CONF_ERROR;
    }

    if (t.response.n == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_sla: \"%V %V\" needs response=PERIOD",
                           &value[1], &value[2]);
        return NGX_CONF_ERROR;
    }

    t.calendar = (uint8_t) (cal >= 0 ? cal : (int) mcf->work->calendar);
    t.set = 1;

    for (s = sev_from; s <= sev_to; s++) {
        mcf->work->sla[level][s - 1] = t;
    }

    return NGX_CONF_OK;
}


/* helpdesk_timer [interval=1s] [batch=500] [budget=200ms] */
char *
ngx_http_helpdesk_timer(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    ngx_int_t    n;
    ngx_str_t   *value, s;
    ngx_uint_t   i;

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        if (value[i].len > 9
            && ngx_strncmp(value[i].data, "interval=", 9) == 0)
        {
            s.data = value[i].data + 9;
            s.len = value[i].len - 9;
            n = ngx_parse_time(&s, 0);

            if (n >= 10 && n <= 3600 * 1000) {
                mcf->work->interval = (unsigned) n;
                continue;
            }

        } else if (value[i].len > 6
                   && ngx_strncmp(value[i].data, "batch=", 6) == 0)
        {
            n = ngx_atoi(value[i].data + 6, value[i].len - 6);

            if (n >= 1 && n <= 100000) {
                mcf->work->batch = (unsigned) n;
                continue;
            }

        } else if (value[i].len > 7
                   && ngx_strncmp(value[i].data, "budget=", 7) == 0)
        {
            s.data = value[i].data + 7;
            s.len = value[i].len - 7;
            n = ngx_parse_time(&s, 0);

            if (n >= 1 && n <= 60 * 1000) {
                mcf->work->budget = (unsigned) n;
                continue;
            }
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk_timer: invalid parameter \"%V\" "
                           "(expected interval=TIME of 10ms-1h, batch=N of "
                           "1-100000, budget=TIME of 1ms-60s)", &value[i]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* --- the timer ----------------------------------------------------------- */


static uint64_t
ngx_http_helpdesk_now_ms(void)
{
    struct timeval  tv;

    gettimeofday(&tv, NULL);

    return (uint64_t) tv.tv_sec * 1000 + (uint64_t) tv.tv_usec / 1000;
}


uint64_t
ngx_http_helpdesk_mono_us(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}


/* in a thread of the pool: the lease, then batches while due and in time */
static void
ngx_http_helpdesk_tick_run(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_tick_t       *tk = data;
    ngx_http_helpdesk_main_conf_t  *mcf = tk->mcf;

    hd_err_t    err;
    uint64_t    start, now_ms;
    hd_sweep_t  sw;
    hd_work_t  *w = mcf->work;

    start = ngx_http_helpdesk_mono_us();
    now_ms = ngx_http_helpdesk_now_ms();
    tk->started = start;

    ngx_memzero(&tk->total, sizeof(hd_sweep_t));
    tk->held = 0;
    tk->batches = 0;
    tk->error[0] = '\0';
    hd_err_clear(&err);

    tk->rc = hd_lease_take(mcf->store, (uint32_t) ngx_pid,
                           mcf->timer_instance, now_ms,
                           ngx_http_helpdesk_lease_ttl(w), &tk->holder, &err);

    if (tk->rc == HD_OK) {
        tk->held = 1;

        while (hd_work_pending(mcf->store, now_ms / 1000)) {

            /* still ours before each batch (a read, unless it is time to
               renew it) */
            if (tk->batches) {
                tk->rc = hd_lease_take(mcf->store, (uint32_t) ngx_pid,
                                       mcf->timer_instance,
                                       ngx_http_helpdesk_now_ms(),
                                       ngx_http_helpdesk_lease_ttl(w),
                                       &tk->holder, &err);
                if (tk->rc != HD_OK) {
                    tk->held = 0;
                    break;
                }
            }

            tk->rc = hd_work_sweep(&mcf->timer_portal, now_ms / 1000,
                                   w->batch, &sw, &err);
            if (tk->rc != HD_OK) {
                break;
            }

            tk->batches++;
            tk->total.autoclosed += sw.autoclosed;
            tk->total.at_risk += sw.at_risk;
            tk->total.breached += sw.breached;
            tk->total.mails += sw.mails;

            if (!sw.more
                || ngx_http_helpdesk_mono_us() - start
                   >= (uint64_t) w->budget * 1000)
            {
                tk->total.more = sw.more;
                break;
            }
        }
    }

    if (tk->rc != HD_OK && tk->rc != HD_BUSY) {
        ngx_cpystrn((u_char *) tk->error, (u_char *) err.text,
                    sizeof(tk->error));
    }

    /* partial uploads and orphans a crash left: an hourly look */
    ngx_memzero(&tk->files, sizeof(hd_files_sweep_t));
    tk->files_error[0] = '\0';

    if (tk->held && now_ms / 1000 >= tk->files_next) {
        tk->files_next = now_ms / 1000 + NGX_HTTP_HELPDESK_FILES_EVERY;
        hd_err_clear(&err);

        if (hd_files_sweep(mcf->store, mcf->files_dir, now_ms / 1000,
                           &tk->files, &err)
            != HD_OK)
        {
            ngx_cpystrn((u_char *) tk->files_error, (u_char *) err.text,
                        sizeof(tk->files_error));
        }
    }

    /* the tickets' search index: four big segments of a size into one (a
       transaction of its own, while nothing else is due) */
    tk->merges = 0;
    tk->merge_error[0] = '\0';

    if (tk->held && !tk->total.more) {
        uint64_t  m0 = ngx_http_helpdesk_mono_us();

        hd_err_clear(&err);

        if (hd_search_settle(mcf->store, HD_SEARCH_TICKETS, 0, 1,
                             &tk->merges, &err)
            != HD_OK)
        {
            ngx_cpystrn((u_char *) tk->merge_error, (u_char *) err.text,
                        sizeof(tk->merge_error));
        }

        tk->merge_us = ngx_http_helpdesk_mono_us() - m0;
    }

    tk->took = ngx_http_helpdesk_mono_us() - start;

    hd_crypto_thread_end();
}


/* back in the event loop */
static void
ngx_http_helpdesk_tick_finish(ngx_http_helpdesk_tick_t *tk, ngx_log_t *log)
{
    ngx_http_helpdesk_main_conf_t  *mcf = tk->mcf;

    mcf->timer_busy = 0;
    mcf->timer_held = tk->held;

    /* the lease holder sends the mail too */
    ngx_http_helpdesk_mail_poke(mcf);

    if (tk->error[0]) {
        ngx_log_error(NGX_LOG_ERR, log, 0, "helpdesk timer: %s", tk->error);
    }

    if (tk->files_error[0]) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "helpdesk timer: the attachment store's sweep: %s",
                      tk->files_error);
    }

    if (tk->merge_error[0]) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "helpdesk timer: the search index's merge: %s",
                      tk->merge_error);
    }

    if (tk->merges) {
        ngx_log_error(NGX_LOG_INFO, log, 0,
                      "helpdesk timer: four search segments merged in %uL us",
                      tk->merge_us);
    }

    if (tk->files.tmp_removed || tk->files.orphans_removed) {
        ngx_log_error(NGX_LOG_NOTICE, log, 0,
                      "helpdesk timer: the attachment store: %uz partial "
                      "uploads older than a day and %uz files nothing "
                      "refers to older than a week removed",
                      tk->files.tmp_removed, tk->files.orphans_removed);
    }

    if (tk->batches) {
        ngx_log_error(NGX_LOG_INFO, log, 0,
                      "helpdesk timer: %uz auto-closed, %uz at risk, "
                      "%uz breached in %ui batches, %uL us",
                      tk->total.autoclosed, tk->total.at_risk,
                      tk->total.breached, tk->batches, tk->took);

        if (tk->sweep_batches == 0) {
            tk->sweep_start = tk->started;
        }

        tk->sweep_batches += tk->batches;
        tk->sweep_us += tk->took;
        tk->sweep_end = tk->started + tk->took;
        tk->sweep.autoclosed += tk->total.autoclosed;
        tk->sweep.at_risk += tk->total.at_risk;
        tk->sweep.breached += tk->total.breached;
    }

    /* a sweep ends with a tick that leaves nothing due, or finds nothing */
    if (tk->sweep_batches && (!tk->batches || !tk->total.more)) {
        ngx_log_error(NGX_LOG_NOTICE, log, 0,
                      "helpdesk timer: swept %uz auto-closed, %uz at "
                      "risk, %uz breached: %ui batches, %uL ms of work "
                      "in %uL ms",
                      tk->sweep.autoclosed, tk->sweep.at_risk,
                      tk->sweep.breached, tk->sweep_batches,
                      tk->sweep_us / 1000,
                      (tk->sweep_end - tk->sweep_start) / 1000);
        tk->sweep_batches = 0;
        tk->sweep_us = 0;
        ngx_memzero(&tk->sweep, sizeof(hd_sweep_t));
    }

    if (!tk->batches && tk->held) {
        tk->idle++;
        tk->idle_us += tk->took;

        if (tk->took > tk->idle_max) {
            tk->idle_max = tk->took;
        }

        if (tk->idle == NGX_HTTP_HELPDESK_IDLE_REPORT) {
            ngx_log_error(NGX_LOG_NOTICE, log, 0,
                          "helpdesk timer: %ui ticks with nothing due, "
                          "%uL us each on average, %uL us at most",
                          tk->idle, tk->idle_us / tk->idle, tk->idle_max);
            tk->idle = 0;
            tk->idle_us = 0;
            tk->idle_max = 0;
        }
    }

    if (ngx_exiting || ngx_terminate || ngx_quit) {
        ngx_http_helpdesk_timer_stop(mcf);
        return;
    }

    /* work left over goes on at once, the rest waits an interval */
    ngx_add_timer(&mcf->timer, tk->total.more ? 1 : mcf->work->interval);
}


#if (NGX_THREADS)

static void
ngx_http_helpdesk_tick_done(ngx_event_t *ev)
{
    ngx_http_helpdesk_tick_finish(ev->data, ev->log);
}

#endif


/*
 * A holiday file that ends within HD_CALENDAR_AHEAD_DAYS: from then on the
 * Labour Code's fixed holidays are assumed, without the government's
 * transfers. Said at start (nginx -t too) and each day by the first worker.
 */
void
ngx_http_helpdesk_calendar_check(ngx_log_t *log, const hd_work_t *w,
    uint64_t now)
{
    char                  until[11];
    int32_t               left;
    ngx_uint_t            i;
    const hd_calendar_t  *c;

    for (i = 0; i < w->ncalendars; i++) {
        c = &w->calendars[i];
        left = hd_calendar_file_days_left(c, now);

        if (left == INT32_MIN || left >= HD_CALENDAR_AHEAD_DAYS) {
            continue;
        }

        if (c->file_until < 0) {
            ngx_log_error(NGX_LOG_WARN, log, 0,
                          "helpdesk: calendar \"%s\" has no holiday file: "
                          "the Labour Code's fixed holidays are assumed "
                          "(art. 112, without the government's transfers); "
                          "give it the production calendar with "
                          "helpdesk_holidays", c->name);
            continue;
        }

        hd_date_format(c->file_until, until);

        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "helpdesk: the holidays of calendar \"%s\" end on %s "
                      "(%s%d days): after that the Labour Code's fixed "
                      "holidays are assumed (art. 112, without the "
                      "government's transfers); add the next production "
                      "calendar with helpdesk_holidays (see `helpdesk "
                      "calendar show YEAR`)", c->name, until,
                      left < 0 ? "past by " : "in ", left < 0 ? -left : left);
    }
}


static void
ngx_http_helpdesk_timer_tick(ngx_event_t *ev)
{
    ngx_http_helpdesk_main_conf_t  *mcf = ev->data;

#if (NGX_THREADS)
    ngx_thread_task_t              *task = mcf->timer_task;
#endif

    if (ngx_exiting || ngx_terminate || ngx_quit) {
        /* a worker on its way out hands the lease on now */
        ngx_http_helpdesk_timer_stop(mcf);
        return;
    }

    if (mcf->store == NULL
        && (ngx_time() < mcf->store_retry
            || ngx_http_helpdesk_open_store(mcf, ev->log) != NGX_OK))
    {
        ngx_add_timer(ev, mcf->work->interval);
        return;
    }

    if (mcf->timer_busy) {
        ngx_add_timer(ev, mcf->work->interval);
        return;
    }

    /* once a day, from the first worker: a holiday file running out */
    if (ngx_worker == 0 && ngx_time() / 86400 != mcf->calendar_checked) {
        mcf->calendar_checked = ngx_time() / 86400;
        ngx_http_helpdesk_calendar_check(ev->log, mcf->work,
                                         (uint64_t) ngx_time());
    }

    mcf->timer_busy = 1;
    mcf->timer_portal.store = mcf->store;

#if (NGX_THREADS)

    if (ngx_thread_task_post(mcf->thread_pool, task) != NGX_OK) {
        mcf->timer_busy = 0;
        ngx_add_timer(ev, mcf->work->interval);
    }

#else

    ngx_http_helpdesk_tick_run(mcf->timer_task, ev->log);
    ngx_http_helpdesk_tick_finish(mcf->timer_task, ev->log);

#endif
}


void
ngx_http_helpdesk_timer_start(ngx_cycle_t *cycle,
    ngx_http_helpdesk_main_conf_t *mcf)
{
    hd_err_t                       err;
    ngx_http_helpdesk_tick_t      *tk;
    ngx_http_helpdesk_loc_conf_t  *lcf = mcf->timer_lcf;

#if (NGX_THREADS)
    ngx_thread_task_t             *task;
#endif

    hd_work_set(mcf->work);

    if (lcf == NULL) {
        return;                 /* no portal, nothing to do */
    }

    /* the portal of the timer's flows: no request, so no Host header */
    ngx_memzero(&mcf->timer_portal, sizeof(hd_portal_t));
    mcf->timer_portal.store = mcf->store;
    mcf->timer_portal.templates = lcf->templates;
    mcf->timer_portal.tickets = mcf->tickets;
    mcf->timer_portal.files = mcf->files_dir;
    mcf->timer_portal.mail_from = mcf->smtp ? mcf->smtp->from_address : NULL;
    mcf->timer_portal.authserv_ids = mcf->authserv_ids;
    mcf->timer_portal.nauthserv = mcf->nauthserv;

    if (lcf->url.len) {
        mcf->timer_portal.base_url.data = lcf->url.data;
        mcf->timer_portal.base_url.len = lcf->url.len;

        /* the CLI's mail (sweep --now, the demo) links there as well */
        if (mcf->store != NULL && ngx_worker == 0
            && hd_notify_url_save(mcf->store, &mcf->timer_portal.base_url,
                                  &err)
               != HD_OK)
        {
            ngx_log_error(NGX_LOG_WARN, cycle->log, 0,
                          "helpdesk: cannot keep helpdesk_url for the "
                          "command-line tool: %s", err.text);
        }

    } else {
        u_char  *p;

        p = ngx_pnalloc(cycle->pool, sizeof("http://localhost") - 1
                                     + lcf->mount.len);
        if (p == NULL) {
            return;
        }

        mcf->timer_portal.base_url.data = p;
        p = ngx_sprintf(p, "http://localhost%V", &lcf->mount);
        mcf->timer_portal.base_url.len = p - mcf->timer_portal.base_url.data;
    }

    if (hd_random(&mcf->timer_instance, sizeof(mcf->timer_instance)) != 0) {
        mcf->timer_instance = (uint64_t) ngx_pid << 32 ^ ngx_time();
    }

#if (NGX_THREADS)

    task = ngx_thread_task_alloc(cycle->pool,
                                 sizeof(ngx_http_helpdesk_tick_t));
    if (task == NULL) {
        return;
    }

    tk = task->ctx;
    task->handler = ngx_http_helpdesk_tick_run;
    task->event.handler = ngx_http_helpdesk_tick_done;
    task->event.data = tk;
    task->event.log = cycle->log;
    mcf->timer_task = task;

#else

    tk = ngx_pcalloc(cycle->pool, sizeof(ngx_http_helpdesk_tick_t));
    if (tk == NULL) {
        return;
    }

    mcf->timer_task = tk;

#endif

    tk->mcf = mcf;

    mcf->timer.handler = ngx_http_helpdesk_timer_tick;
    mcf->timer.data = mcf;
    mcf->timer.log = cycle->log;
    mcf->timer.cancelable = 1;

    /* the first tick soon, spread a little over the workers */
    ngx_add_timer(&mcf->timer, 50 + (ngx_pid % 10) * 10);
}


void
ngx_http_helpdesk_timer_stop(ngx_http_helpdesk_main_conf_t *mcf)
{
    hd_err_t  err;

    if (mcf->timer.timer_set) {
        ngx_del_timer(&mcf->timer);
    }

    if (mcf->timer_held && mcf->store != NULL && !mcf->timer_busy) {
        hd_err_clear(&err);
        (void) hd_lease_release(mcf->store, (uint32_t) ngx_pid,
                                mcf->timer_instance, &err);
        mcf->timer_held = 0;
    }
}

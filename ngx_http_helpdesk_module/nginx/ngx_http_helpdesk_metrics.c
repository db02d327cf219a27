/*
 * Metrics (SPEC §10.4): requests and their latency per route, counted by
 * every worker in shared memory at the log phase; and, read from the
 * database when asked, tickets by status and department, the SLA's at
 * risk and breached, the outbox's depth. The location with
 * "helpdesk_metrics" answers them in Prometheus' text format; the operator
 * restricts it (allow/deny).
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_files.h"
#include "hd_mail_route.h"
#include "hd_outbox.h"
#include "hd_product.h"
#include "hd_queue.h"
#include "hd_store.h"


/* status classes 1xx-5xx, latency buckets (us, then +Inf), the sum (us) */
#define NGX_HTTP_HELPDESK_M_CLASSES   5
#define NGX_HTTP_HELPDESK_M_BUCKETS   16
#define NGX_HTTP_HELPDESK_M_SLOT      (NGX_HTTP_HELPDESK_M_CLASSES           \
                                       + NGX_HTTP_HELPDESK_M_BUCKETS + 1)
#define NGX_HTTP_HELPDESK_M_ZONE      (256 * 1024)


/* the 1-2.5-5 series from 0.25 ms to 10 s: most routes answer under 1 ms */
static const uint64_t  ngx_http_helpdesk_m_bounds[] = {
    250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
    500000, 1000000, 2500000, 5000000, 10000000
};

static const char  *ngx_http_helpdesk_m_le[] = {
    "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
    "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"
};

/* the layout of a table, in its first word with the number of slots: a
   table of another layout is never read as this one */
#define NGX_HTTP_HELPDESK_M_LAYOUT    ((ngx_atomic_uint_t) 2 << 24)


static ngx_str_t  ngx_http_helpdesk_m_zone_name =
    ngx_string("helpdesk_metrics");

/* the counters: one slot per route, the last for requests of no route */
static ngx_atomic_t  *ngx_http_helpdesk_m_counters;
static ngx_uint_t     ngx_http_helpdesk_m_slots;


static ngx_int_t
ngx_http_helpdesk_m_init_zone(ngx_shm_zone_t *zone, void *data)
{
    size_t            size;
    ngx_atomic_t     *old;
    ngx_slab_pool_t  *shpool;

    /* the first word holds the number of slots the table was made for */
    /* ... then the counters, then when they started */
    size = (1 + ngx_http_helpdesk_m_slots * NGX_HTTP_HELPDESK_M_SLOT + 1)
           * sizeof(ngx_atomic_t);

    shpool = (ngx_slab_pool_t *) zone->shm.addr;

    /*
     * A reload keeps the counts when the table of routes is the same; a
     * module with other routes starts a new table (the old one is freed)
     */
    old = data != NULL ? data : zone->shm.exists ? shpool->data : NULL;

    if (old != NULL
        && old[0] == (NGX_HTTP_HELPDESK_M_LAYOUT | ngx_http_helpdesk_m_slots))
    {
        zone->data = (void *) old;
        ngx_http_helpdesk_m_counters = old + 1;
        return NGX_OK;
    }

    if (old != NULL) {
        ngx_slab_free(shpool, (void *) old);
    }

    old = ngx_slab_calloc(shpool, size);
    if (old == NULL) {
        return NGX_ERROR;
    }

    old[0] = NGX_HTTP_HELPDESK_M_LAYOUT | ngx_http_helpdesk_m_slots;
    old[1 + ngx_http_helpdesk_m_slots * NGX_HTTP_HELPDESK_M_SLOT] =
        (ngx_atomic_uint_t) ngx_time();
    shpool->data = (void *) old;
    zone->data = (void *) old;
    ngx_http_helpdesk_m_counters = old + 1;

    return NGX_OK;
}


/* the log phase: one request more for its route, and how long it took */
static ngx_int_t
ngx_http_helpdesk_m_log(ngx_http_request_t *r)
{
    uint64_t                  us;
    ngx_uint_t                i, slot, status;
    ngx_atomic_t             *c;
    ngx_http_helpdesk_ctx_t  *ctx;

    if (ngx_http_helpdesk_m_counters == NULL) {
        return NGX_OK;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_helpdesk_module);
    if (ctx == NULL) {
        return NGX_OK;
    }

    slot = ctx->route ? ngx_http_helpdesk_route_index(ctx->route)
                      : ngx_http_helpdesk_m_slots - 1;

    if (slot >= ngx_http_helpdesk_m_slots) {
        return NGX_OK;
    }

    status = r->err_status ? r->err_status : r->headers_out.status;

    /* from the handler's start, on a monotonic clock: nginx's cached
       millisecond time would make every fast request 0 */
    us = ngx_http_helpdesk_mono_us() - ctx->start_us;

    c = ngx_http_helpdesk_m_counters + slot * NGX_HTTP_HELPDESK_M_SLOT;

    if (status >= 100 && status < 600) {
        (void) ngx_atomic_fetch_add(&c[status / 100 - 1], 1);
    }

    for (i = 0; i < NGX_HTTP_HELPDESK_M_BUCKETS - 1; i++) {
        if (us <= ngx_http_helpdesk_m_bounds[i]) {
            break;
        }
    }

    (void) ngx_atomic_fetch_add(&c[NGX_HTTP_HELPDESK_M_CLASSES + i], 1);
    (void) ngx_atomic_fetch_add(&c[NGX_HTTP_HELPDESK_M_SLOT - 1],
                                (ngx_atomic_int_t) us);

    return NGX_OK;
}


/* in postconfiguration: the zone, and the log phase's handler */
ngx_int_t
ngx_http_helpdesk_metrics_init(ngx_conf_t *cf)
{
    ngx_shm_zone_t             *zone;
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    ngx_http_helpdesk_m_slots = ngx_http_helpdesk_route_count() + 1;

    if (ngx_http_helpdesk_m_slots * NGX_HTTP_HELPDESK_M_SLOT
        * sizeof(ngx_atomic_t) > NGX_HTTP_HELPDESK_M_ZONE / 2)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "helpdesk: too many routes for the metrics zone");
        return NGX_ERROR;
    }

    zone = ngx_shared_memory_add(cf, &ngx_http_helpdesk_m_zone_name,
                                 NGX_HTTP_HELPDESK_M_ZONE,
                                 &ngx_http_helpdesk_module);
    if (zone == NULL) {
        return NGX_ERROR;
    }

    zone->init = ngx_http_helpdesk_m_init_zone;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_LOG_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_helpdesk_m_log;

    return NGX_OK;
}


/* a label's value: \ " and new lines escaped */
static u_char *
ngx_http_helpdesk_m_label(u_char *p, const hd_uchar *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (s[i] == '\\' || s[i] == '"') {
            *p++ = '\\';
            *p++ = s[i];

        } else if (s[i] == '\n') {
            *p++ = '\\';
            *p++ = 'n';

        } else {
            *p++ = s[i];
        }
    }

    return p;
}


typedef struct {
    ngx_chain_t   *first;
    ngx_chain_t  **last;
    ngx_pool_t    *pool;
    ngx_buf_t     *b;
    ngx_int_t      failed;
} ngx_http_helpdesk_m_out_t;


/* room for a line of at most n bytes */
static u_char *
ngx_http_helpdesk_m_room(ngx_http_helpdesk_m_out_t *out, size_t n)
{
    ngx_chain_t  *cl;

    if (out->b != NULL && (size_t) (out->b->end - out->b->last) >= n) {
        return out->b->last;
    }

    out->b = ngx_create_temp_buf(out->pool, ngx_max(n, 16384));
    cl = ngx_alloc_chain_link(out->pool);

    if (out->b == NULL || cl == NULL) {
        out->failed = 1;
        return NULL;
    }

    cl->buf = out->b;
    cl->next = NULL;
    *out->last = cl;
    out->last = &cl->next;

    return out->b->last;
}


#define ngx_http_helpdesk_m_line(out, max, ...)                               \
    do {                                                                     \
        u_char  *p_ = ngx_http_helpdesk_m_room(out, max);                    \
        if (p_ != NULL) {                                                    \
            (out)->b->last = ngx_snprintf(p_, max, __VA_ARGS__);             \
        }                                                                    \
    } while (0)


static void
ngx_http_helpdesk_m_tickets(ngx_http_helpdesk_m_out_t *out, hd_txn_t *txn,
    hd_pool_t *pool)
{
    size_t             i, n;
    uint64_t           id;
    u_char             name[4 * 256], *e;
    hd_uchar           key[9];
    ngx_uint_t         s, p, sla;
    hd_department_t   *deps;
    hd_queue_counts_t  counts;

    if (hd_department_list(txn, pool, &deps, &n) != HD_OK) {
        return;
    }

    ngx_http_helpdesk_m_line(out, 200,
        "# HELP helpdesk_tickets Tickets by department and status.\n"
        "# TYPE helpdesk_tickets gauge\n");

    for (i = 0; i < n; i++) {
        id = deps[i].id;

        if (deps[i].name.len > 256
            || hd_queue_counts(txn, &id, 1, 0, 0, counts) != HD_OK)
        {
            continue;
        }

        e = ngx_http_helpdesk_m_label(name, deps[i].name.data,
                                      deps[i].name.len);

        for (s = 0; s < HD_STATUS_COUNT; s++) {
            size_t  total = 0;

            for (p = 0; p < HD_PRIORITY_COUNT; p++) {
                total += counts[s][p];
            }

            ngx_http_helpdesk_m_line(out, 1300,
                "helpdesk_tickets{department=\"%*s\",status=\"%s\"} %uz\n",
                (size_t) (e - name), name, hd_status_names[s], total);
        }
    }

    ngx_http_helpdesk_m_line(out, 200,
        "# HELP helpdesk_tickets_sla Unclosed tickets at risk or past "
        "their SLA.\n"
        "# TYPE helpdesk_tickets_sla gauge\n");

    for (i = 0; i < n; i++) {
        if (deps[i].name.len > 256) {
            continue;
        }

        e = ngx_http_helpdesk_m_label(name, deps[i].name.data,
                                      deps[i].name.len);

        for (sla = HD_SLA_AT_RISK; sla < HD_SLA_STATE_COUNT; sla++) {
            size_t  count = 0;

            hd_be64_put(key, deps[i].id);
            key[8] = (hd_uchar) sla;

            if (hd_dup_count(txn, HD_DB_QUEUE_SLA, key, 9, &count) != HD_OK) {
                count = 0;
            }

            ngx_http_helpdesk_m_line(out, 1300,
                "helpdesk_tickets_sla{department=\"%*s\",state=\"%s\"} "
                "%uz\n",
                (size_t) (e - name), name, hd_sla_state_names[sla], count);
        }
    }
}


static void
ngx_http_helpdesk_m_requests(ngx_http_helpdesk_m_out_t *out)
{
    ngx_uint_t                        i, k;
    uint64_t                          n, cum;
    ngx_atomic_t                     *c;
    const char                       *name, *method;
    const ngx_http_helpdesk_route_t  *route;

    if (ngx_http_helpdesk_m_counters == NULL) {
        return;
    }

    ngx_http_helpdesk_m_line(out, 300,
        "# HELP helpdesk_requests_total Requests by route and status "
        "class.\n"
        "# TYPE helpdesk_requests_total counter\n");

    for (i = 0; i < ngx_http_helpdesk_m_slots; i++) {
        c = ngx_http_helpdesk_m_counters + i * NGX_HTTP_HELPDESK_M_SLOT;
        route = ngx_http_helpdesk_route_at(i);
        name = route ? route->name : "none";
        method = route ? ngx_http_helpdesk_route_method(route) : "any";

        for (k = 0; k < NGX_HTTP_HELPDESK_M_CLASSES; k++) {
            if (c[k] == 0) {
                continue;
            }

            ngx_http_helpdesk_m_line(out, 200,
                "helpdesk_requests_total{route=\"%s\",method=\"%s\","
                "code=\"%uixx\"} %uA\n", name, method, k + 1, c[k]);
        }
    }

    ngx_http_helpdesk_m_line(out, 300,
        "# HELP helpdesk_request_duration_seconds Time to answer, by "
        "route, from the module's first look at the request (a monotonic "
        "clock, in microseconds).\n"
        "# TYPE helpdesk_request_duration_seconds histogram\n");

    for (i = 0; i < ngx_http_helpdesk_m_slots; i++) {
        c = ngx_http_helpdesk_m_counters + i * NGX_HTTP_HELPDESK_M_SLOT;
        route = ngx_http_helpdesk_route_at(i);
        name = route ? route->name : "none";
        method = route ? ngx_http_helpdesk_route_method(route) : "any";

        for (n = 0, k = 0; k < NGX_HTTP_HELPDESK_M_BUCKETS; k++) {
            n += c[NGX_HTTP_HELPDESK_M_CLASSES + k];
        }

        if (n == 0) {
            continue;
        }

        for (cum = 0, k = 0; k < NGX_HTTP_HELPDESK_M_BUCKETS; k++) {
            cum += c[NGX_HTTP_HELPDESK_M_CLASSES + k];

            ngx_http_helpdesk_m_line(out, 200,
                "helpdesk_request_duration_seconds_bucket{route=\"%s\","
                "method=\"%s\",le=\"%s\"} %uL\n", name, method,
                ngx_http_helpdesk_m_le[k], cum);
        }

        ngx_http_helpdesk_m_line(out, 200,
            "helpdesk_request_duration_seconds_sum{route=\"%s\","
            "method=\"%s\"} %uA.%06uA\n"
            "helpdesk_request_duration_seconds_count{route=\"%s\","
            "method=\"%s\"} %uL\n",
            name, method, c[NGX_HTTP_HELPDESK_M_SLOT - 1] / 1000000,
            c[NGX_HTTP_HELPDESK_M_SLOT - 1] % 1000000, name, method, n);
    }

    /*
     * The counters live in shared memory: a reload keeps them, a restart
     * or a binary upgrade (a new master) starts them again. Said here, so
     * that rate() and increase() see the reset for what it is
     */
    ngx_http_helpdesk_m_line(out, 300,
        "# HELP helpdesk_requests_created_seconds When the request counters "
        "started (nginx's start or binary upgrade; a reload keeps them).\n"
        "# TYPE helpdesk_requests_created_seconds gauge\n"
        "helpdesk_requests_created_seconds %uA\n",
        ngx_http_helpdesk_m_counters[ngx_http_helpdesk_m_slots
                                     * NGX_HTTP_HELPDESK_M_SLOT]);
}


/* the outbox: what waits, how long, and what became of mail (totals kept
   with the mail itself, so a restart or an upgrade keeps them) */
static void
ngx_http_helpdesk_m_mail(ngx_http_helpdesk_m_out_t *out,
    const hd_outbox_stats_t *st)
{
    uint64_t  now = (uint64_t) ngx_time();

    ngx_http_helpdesk_m_line(out, 1200,
        "# HELP helpdesk_outbox_depth Mails waiting to be sent.\n"
        "# TYPE helpdesk_outbox_depth gauge\n"
        "helpdesk_outbox_depth %uz\n"
        "# HELP helpdesk_outbox_oldest_seconds Age of the oldest mail "
        "waiting (0: none).\n"
        "# TYPE helpdesk_outbox_oldest_seconds gauge\n"
        "helpdesk_outbox_oldest_seconds %uL\n"
        "# HELP helpdesk_outbox_failed Mails that failed, not retried or "
        "dropped yet.\n"
        "# TYPE helpdesk_outbox_failed gauge\n"
        "helpdesk_outbox_failed %uz\n"
        "# HELP helpdesk_mail_sent_total Mails the relay accepted.\n"
        "# TYPE helpdesk_mail_sent_total counter\n"
        "helpdesk_mail_sent_total %uL\n"
        "# HELP helpdesk_mail_deferred_total Attempts that will be tried "
        "again (4xx, relay down, timeouts).\n"
        "# TYPE helpdesk_mail_deferred_total counter\n"
        "helpdesk_mail_deferred_total %uL\n"
        "# HELP helpdesk_mail_failed_total Mails given up (5xx, expired, "
        "bounced included).\n"
        "# TYPE helpdesk_mail_failed_total counter\n"
        "helpdesk_mail_failed_total %uL\n"
        "# HELP helpdesk_mail_bounced_total Mails whose address does not "
        "exist.\n"
        "# TYPE helpdesk_mail_bounced_total counter\n"
        "helpdesk_mail_bounced_total %uL\n",
        st->queued, st->oldest && now > st->oldest ? now - st->oldest : 0,
        st->failed_now, st->sent, st->deferred, st->failed, st->bounced);
}


/* mail that came in: by what became of it and by why (SPEC §7.2) */
static void
ngx_http_helpdesk_m_mailin(ngx_http_helpdesk_m_out_t *out, hd_txn_t *txn)
{
    size_t              i, j, n, held = 0;
    uint64_t            received = 0, by_action[HD_MAILIN_ACTION_COUNT];
    hd_mailin_count_t   c[64];

    n = hd_mailin_counts(txn, c, 64);
    ngx_memzero(by_action, sizeof(by_action));

    for (i = 0; i < n; i++) {
        if (ngx_strcmp(c[i].code, "received") == 0) {
            received = c[i].count;
        }

        for (j = 0; j < HD_MAILIN_ACTION_COUNT; j++) {
            if (ngx_strcmp(c[i].code, hd_mailin_action_names[j]) == 0) {
                by_action[j] = c[i].count;
            }
        }
    }

    held = hd_quarantine_count(txn);

    ngx_http_helpdesk_m_line(out, 800,
        "# HELP helpdesk_mail_received_total Messages that came in (mail "
        "gate and mailbox).\n"
        "# TYPE helpdesk_mail_received_total counter\n"
        "helpdesk_mail_received_total %uL\n"
        "# HELP helpdesk_mail_quarantine Messages held for an "
        "administrator.\n"
        "# TYPE helpdesk_mail_quarantine gauge\n"
        "helpdesk_mail_quarantine %uz\n"
        "# HELP helpdesk_mail_in_total Messages that came in, by what "
        "became of them.\n"
        "# TYPE helpdesk_mail_in_total counter\n", received, held);

    for (j = 0; j < HD_MAILIN_ACTION_COUNT; j++) {
        ngx_http_helpdesk_m_line(out, 100,
            "helpdesk_mail_in_total{action=\"%s\"} %uL\n",
            hd_mailin_action_names[j], by_action[j]);
    }

    ngx_http_helpdesk_m_line(out, 200,
        "# HELP helpdesk_mail_in_reason_total Messages not taken as they "
        "came, by why.\n"
        "# TYPE helpdesk_mail_in_reason_total counter\n");

    for (i = 0; i < n; i++) {
        if (ngx_strcmp(c[i].code, "received") == 0) {
            continue;
        }

        for (j = 0; j < HD_MAILIN_ACTION_COUNT; j++) {
            if (ngx_strcmp(c[i].code, hd_mailin_action_names[j]) == 0) {
                break;
            }
        }

        if (j == HD_MAILIN_ACTION_COUNT) {
            ngx_http_helpdesk_m_line(out, 100,
                "helpdesk_mail_in_reason_total{reason=\"%s\"} %uL\n",
                c[i].code, c[i].count);
        }
    }
}


/* how far ahead each calendar's holiday file reaches (SPEC §6.1) */
static void
ngx_http_helpdesk_m_calendars(ngx_http_helpdesk_m_out_t *out,
    const hd_work_t *w)
{
    int32_t     left;
    ngx_uint_t  i;

    ngx_http_helpdesk_m_line(out, 300,
        "# HELP helpdesk_calendar_holidays_days_left Days until the holiday "
        "file of a calendar ends (then the Labour Code's rule; warned below "
        "%d).\n"
        "# TYPE helpdesk_calendar_holidays_days_left gauge\n",
        HD_CALENDAR_AHEAD_DAYS);

    for (i = 0; i < w->ncalendars; i++) {
        left = hd_calendar_file_days_left(&w->calendars[i],
                                          (uint64_t) ngx_time());

        if (left != INT32_MIN) {
            ngx_http_helpdesk_m_line(out, 200,
                "helpdesk_calendar_holidays_days_left{calendar=\"%s\"} %D\n",
                w->calendars[i].name, left);
        }
    }
}


static ngx_int_t
ngx_http_helpdesk_metrics_handler(ngx_http_request_t *r)
{
    hd_txn_t                        txn;
    hd_pool_t                       pool;
    ngx_int_t                       rc;
    hd_outbox_stats_t               mail;
    ngx_http_helpdesk_m_out_t       out;
    ngx_http_helpdesk_main_conf_t  *mcf;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    mcf = ngx_http_get_module_main_conf(r, ngx_http_helpdesk_module);

    ngx_memzero(&out, sizeof(out));
    out.last = &out.first;
    out.pool = r->pool;

    ngx_http_helpdesk_hd_pool(&pool, r->pool);

    if (mcf->store == NULL && mcf->db != NULL) {
        (void) ngx_http_helpdesk_open_store(mcf, r->connection->log);
    }

    if (mcf->store != NULL
        && hd_txn_begin(mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, NULL)
           == HD_OK)
    {
        ngx_http_helpdesk_m_tickets(&out, &txn, &pool);

        if (hd_outbox_stats(&txn, &mail) == HD_OK) {
            ngx_http_helpdesk_m_mail(&out, &mail);
        }

        ngx_http_helpdesk_m_mailin(&out, &txn);

        ngx_http_helpdesk_m_line(&out, 400,
            "# HELP helpdesk_files_swept_total Files the timer removed from "
            "the attachment store: partial uploads older than a day (tmp), "
            "stored files nothing refers to older than a week (orphan).\n"
            "# TYPE helpdesk_files_swept_total counter\n"
            "helpdesk_files_swept_total{kind=\"tmp\"} %uL\n"
            "helpdesk_files_swept_total{kind=\"orphan\"} %uL\n",
            hd_files_swept(&txn, HD_FILES_SWEPT_TMP),
            hd_files_swept(&txn, HD_FILES_SWEPT_ORPHANS));

        hd_txn_abort(&txn);

        ngx_http_helpdesk_m_line(&out, 200,
            "# HELP helpdesk_up Whether the database could be read.\n"
            "# TYPE helpdesk_up gauge\nhelpdesk_up 1\n");

    } else {
        ngx_http_helpdesk_m_line(&out, 200,
            "# HELP helpdesk_up Whether the database could be read.\n"
            "# TYPE helpdesk_up gauge\nhelpdesk_up 0\n");
    }

    ngx_http_helpdesk_m_calendars(&out, mcf->work);
    ngx_http_helpdesk_m_requests(&out);

    if (out.failed || out.b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    out.b->last_buf = 1;
    out.b->last_in_chain = 1;

    r->headers_out.status = NGX_HTTP_OK;
    ngx_str_set(&r->headers_out.content_type,
                "text/plain; version=0.0.4; charset=utf-8");
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_length_n = 0;

    {
        ngx_chain_t  *cl;

        for (cl = out.first; cl; cl = cl->next) {
            r->headers_out.content_length_n += cl->buf->last - cl->buf->pos;
        }
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    return ngx_http_output_filter(r, out.first);
}


/* "helpdesk_metrics" in a location: it answers the metrics */
char *
ngx_http_helpdesk_metrics(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_helpdesk_metrics_handler;

    return NGX_CONF_OK;
}

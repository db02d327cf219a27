/*
 * Working time applied to tickets: the SLA clocks kept on every write, the
 * timer's sweep, the lease. The clocks live on the ticket record (due and
 * at-risk times of the running ones, what is left of a paused one), the
 * next time the timer must look in the tickets_by_sla index: a tick reads
 * the heads of two indexes ordered by time and never scans tickets.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hd_account.h"
#include "hd_notify.h"
#include "hd_store.h"
#include "hd_ticket_customer.h"
#include "hd_work.h"
#include "hd_regulations.h"


static const hd_field_t  hd_breach_fields[] = {
    hd_field(hd_breach_t, 1, HD_FIELD_U64, ticket),
    hd_field(hd_breach_t, 2, HD_FIELD_U8, clock),
    hd_field(hd_breach_t, 3, HD_FIELD_U64, due),
    hd_field(hd_breach_t, 4, HD_FIELD_U64, time),
    hd_field(hd_breach_t, 5, HD_FIELD_U64, department),
    hd_field(hd_breach_t, 6, HD_FIELD_U64, owner),
    hd_field(hd_breach_t, 7, HD_FIELD_U8, level),
    hd_field(hd_breach_t, 8, HD_FIELD_U8, severity),
    hd_field(hd_breach_t, 9, HD_FIELD_U8, priority),
};

const hd_record_desc_t  hd_breach_desc = hd_record(HD_KIND_BREACH, 1,
                                                   hd_breach_t,
                                                   hd_breach_fields);

const char  *hd_clock_names[HD_CLOCK_COUNT] = { "response", "resolution" };


static const hd_work_t  *hd_work_in_force;


void
hd_work_set(const hd_work_t *w)
{
    hd_work_in_force = w;
}


const hd_work_t *
hd_work_current(void)
{
    return hd_work_in_force;
}


static void
hd_sla_set(hd_work_t *w, unsigned level, unsigned severity, uint32_t n,
    unsigned unit, unsigned calendar)
{
    hd_sla_target_t  *s = &w->sla[level][severity - 1];

    s->response.n = n;
    s->response.unit = (uint8_t) unit;
    s->calendar = (uint8_t) calendar;
    s->set = 1;
}


hd_rc
hd_work_defaults(hd_work_t *w, hd_err_t *err)
{
    unsigned  sev;
    hd_rc     rc;

    memset(w, 0, sizeof(hd_work_t));

    rc = hd_calendar_moscow(&w->calendars[0], err);
    if (rc != HD_OK) {
        return rc;
    }

    hd_calendar_always(&w->calendars[1], "24x7");
    w->ncalendars = 2;
    w->calendar = 0;

    /* SPEC §6.2: standard 12 working hours; "-" cells take the standard */
    for (sev = 1; sev <= HD_SEVERITIES; sev++) {
        hd_sla_set(w, HD_LEVEL_STANDARD, sev, 12, HD_PERIOD_HOURS, 0);
    }

    hd_sla_set(w, HD_LEVEL_MSA_START, 1, 6, HD_PERIOD_HOURS, 0);
    hd_sla_set(w, HD_LEVEL_MSA_PLUS, 1, 4, HD_PERIOD_HOURS, 0);
    hd_sla_set(w, HD_LEVEL_MSA_BUSINESS, 1, 2, HD_PERIOD_HOURS, 1);
    hd_sla_set(w, HD_LEVEL_MSA_BUSINESS, 2, 6, HD_PERIOD_HOURS, 0);
    hd_sla_set(w, HD_LEVEL_MSA_BUSINESS, 3, 8, HD_PERIOD_HOURS, 0);
    hd_sla_set(w, HD_LEVEL_MSA_BUSINESS, 4, 10, HD_PERIOD_HOURS, 0);
    hd_sla_set(w, HD_LEVEL_MSA_ENTERPRISE, 1, 30, HD_PERIOD_MINUTES, 1);
    hd_sla_set(w, HD_LEVEL_MSA_ENTERPRISE, 2, 4, HD_PERIOD_HOURS, 1);
    hd_sla_set(w, HD_LEVEL_MSA_ENTERPRISE, 3, 6, HD_PERIOD_HOURS, 0);
    hd_sla_set(w, HD_LEVEL_MSA_ENTERPRISE, 4, 8, HD_PERIOD_HOURS, 0);

    w->autoclose_solved.n = 3;
    w->autoclose_solved.unit = HD_PERIOD_DAYS;
    w->autoclose_awaiting.n = 3;
    w->autoclose_awaiting.unit = HD_PERIOD_DAYS;

    w->interval = HD_TIMER_INTERVAL;
    w->batch = HD_TIMER_BATCH;
    w->budget = HD_TIMER_BUDGET;

    return HD_OK;
}


void
hd_work_free(hd_work_t *w)
{
    unsigned  i;

    for (i = 0; i < w->ncalendars; i++) {
        hd_calendar_free(&w->calendars[i]);
    }

    w->ncalendars = 0;
}


int
hd_work_calendar(const hd_work_t *w, const char *name, size_t len)
{
    unsigned  i;

    for (i = 0; i < w->ncalendars; i++) {
        if (strlen(w->calendars[i].name) == len
            && memcmp(w->calendars[i].name, name, len) == 0)
        {
            return (int) i;
        }
    }

    return -1;
}


hd_calendar_t *
hd_work_calendar_add(hd_work_t *w, const char *name, size_t len)
{
    int   i;
    char  text[HD_CALENDAR_NAME_LEN];

    i = hd_work_calendar(w, name, len);
    if (i >= 0) {
        return &w->calendars[i];
    }

    if (w->ncalendars == HD_CALENDARS_MAX || len == 0
        || len >= HD_CALENDAR_NAME_LEN)
    {
        return NULL;
    }

    memcpy(text, name, len);
    text[len] = '\0';
    hd_calendar_always(&w->calendars[w->ncalendars], text);

    return &w->calendars[w->ncalendars++];
}


/* the working seconds of a period in the calendar (plain for seconds) */
static uint64_t
hd_period_span(const hd_calendar_t *c, const hd_period_t *p)
{
    switch (p->unit) {
    case HD_PERIOD_MINUTES:
        return (uint64_t) p->n * 60;
    case HD_PERIOD_HOURS:
        return (uint64_t) p->n * 3600;
    case HD_PERIOD_DAYS:
        return (uint64_t) p->n * hd_calendar_day_length(c);
    default:
        return p->n;
    }
}


/* span seconds after t: working time, unless the period is plain seconds */
static uint64_t
hd_span_after(const hd_calendar_t *c, unsigned unit, uint64_t t,
    uint64_t span)
{
    return unit == HD_PERIOD_SECONDS ? t + span : hd_calendar_add(c, t, span);
}


static uint64_t
hd_span_between(const hd_calendar_t *c, unsigned unit, uint64_t a,
    uint64_t b)
{
    if (b <= a) {
        return 0;
    }

    return unit == HD_PERIOD_SECONDS ? b - a : hd_calendar_between(c, a, b);
}


uint64_t
hd_work_after(const hd_calendar_t *c, uint64_t t, const hd_period_t *p)
{
    return hd_span_after(c, p->unit, t, hd_period_span(c, p));
}


uint64_t
hd_work_portal_after(uint64_t t, const hd_period_t *p)
{
    const hd_work_t  *w = hd_work_in_force;

    if (w == NULL) {
        return hd_period_after(t, p);
    }

    return hd_work_after(&w->calendars[w->calendar], t, p);
}


const hd_sla_target_t *
hd_work_target(const hd_work_t *w, const hd_ticket_t *t,
    const hd_calendar_t **cal)
{
    unsigned                level, sev;
    const hd_sla_target_t  *s;

    level = t->premium && t->level < HD_LEVEL_COUNT ? t->level
                                                    : HD_LEVEL_STANDARD;
    sev = t->severity >= 1 && t->severity <= HD_SEVERITIES ? t->severity
                                                           : HD_SEVERITIES;

    s = &w->sla[level][sev - 1];

    if (!s->set || s->response.n == 0) {
        s = &w->sla[HD_LEVEL_STANDARD][sev - 1];
    }

    *cal = &w->calendars[s->calendar < w->ncalendars ? s->calendar : 0];

    return s;
}


static uint64_t
hd_min_due(uint64_t a, uint64_t b)
{
    if (a == 0) {
        return b;
    }

    return (b != 0 && b < a) ? b : a;
}


static void
hd_response_start(const hd_sla_target_t *s, const hd_calendar_t *c,
    hd_ticket_t *t, uint64_t now)
{
    uint64_t  span;

    span = hd_period_span(c, &s->response);
    t->sla_flags &= ~(HD_SLA_RESP_RISK | HD_SLA_RESP_BREACH);

    if (span == 0) {
        t->resp_due = t->resp_warn = 0;
        return;
    }

    t->resp_due = hd_span_after(c, s->response.unit, now, span);
    t->resp_warn = hd_span_after(c, s->response.unit, now,
                                 span * HD_SLA_RISK_PERCENT / 100);
}


static void
hd_response_stop(hd_ticket_t *t)
{
    t->resp_due = t->resp_warn = 0;
    t->sla_flags &= ~(HD_SLA_RESP_RISK | HD_SLA_RESP_BREACH);
}


/* the resolution clock runs on for `left` working seconds from now */
static void
hd_resolution_run(const hd_sla_target_t *s, const hd_calendar_t *c,
    hd_ticket_t *t, uint64_t now, uint64_t left)
{
    uint64_t  rest;

    rest = t->resol_target * (100 - HD_SLA_RISK_PERCENT) / 100;

    t->resol_due = hd_span_after(c, s->resolution.unit, now, left);
    t->resol_warn = left > rest
                    ? hd_span_after(c, s->resolution.unit, now, left - rest)
                    : now;
    t->resol_left = 0;
    t->sla_flags &= ~HD_SLA_RESOL_PAUSED;
}


void
hd_work_timing(const hd_work_t *w, const hd_ticket_t *old, hd_ticket_t *t,
    uint64_t now)
{
    int                     action, staff_turn;
    unsigned                st = t->status;
    uint64_t                next = 0;
    const hd_period_t      *ac;
    const hd_calendar_t    *c;
    const hd_sla_target_t  *s;

    s = hd_work_target(w, t, &c);
    action = t->acted ? t->acted - 1 : -1;
    staff_turn = st == HD_STATUS_NEW || st == HD_STATUS_OPEN;

    /*
     * The response clock: from creation, and again from a customer's
     * message that puts the ticket back to work, to the next staff reply,
     * information request or solution
     */
    if (!staff_turn) {
        hd_response_stop(t);

    } else if (old == NULL) {
        hd_response_start(s, c, t, now);

    } else if (action == HD_ACTION_STAFF_REPLY
               || action == HD_ACTION_INFO_REQUEST
               || action == HD_ACTION_SOLUTION)
    {
        hd_response_stop(t);

    } else if ((action == HD_ACTION_CUSTOMER_REPLY
                || action == HD_ACTION_REOPEN)
               && t->resp_due == 0)
    {
        hd_response_start(s, c, t, now);
    }

    /*
     * The resolution clock counts only while staff have the turn: paused,
     * the working time it had left is kept and given back on resuming
     */
    if (old == NULL) {
        t->resol_target = hd_period_span(c, &s->resolution);
        t->resol_due = t->resol_warn = t->resol_left = 0;

        if (t->resol_target != 0) {
            hd_resolution_run(s, c, t, now, t->resol_target);
        }

    } else if (t->resol_target != 0) {
        if (staff_turn && (t->sla_flags & HD_SLA_RESOL_PAUSED)) {
            hd_resolution_run(s, c, t, now, t->resol_left);

        } else if (!staff_turn && !(t->sla_flags & HD_SLA_RESOL_PAUSED)) {
            t->resol_left = hd_span_between(c, s->resolution.unit, now,
                                            t->resol_due);
            t->resol_due = t->resol_warn = 0;
            t->sla_flags |= HD_SLA_RESOL_PAUSED;
        }
    }

    /* auto-close: counted from the solution or the question */
    if (st == HD_STATUS_SOLVED || st == HD_STATUS_AWAITING_CUSTOMER) {
        if (old == NULL || old->status != st || t->autoclose_due == 0
            || action == HD_ACTION_INFO_REQUEST
            || action == HD_ACTION_SOLUTION)
        {
            ac = st == HD_STATUS_SOLVED ? &w->autoclose_solved
                                        : &w->autoclose_awaiting;
            t->autoclose_due = ac->n == 0
                ? 0 : hd_work_after(&w->calendars[w->calendar], now, ac);
        }

    } else {
        t->autoclose_due = 0;
    }

    /* what the queue shows and the timer looks for */
    t->sla_due = hd_min_due(t->resp_due, t->resol_due);
    t->sla_warn = hd_min_due(t->resp_warn, t->resol_warn);

    if ((t->resp_due && (t->sla_flags & HD_SLA_RESP_BREACH))
        || (t->resol_due && (t->sla_flags & HD_SLA_RESOL_BREACH)))
    {
        t->sla_state = HD_SLA_BREACHED;

    } else if ((t->resp_due && (t->sla_flags & HD_SLA_RESP_RISK))
               || (t->resol_due && (t->sla_flags & HD_SLA_RESOL_RISK)))
    {
        t->sla_state = HD_SLA_AT_RISK;

    } else {
        t->sla_state = HD_SLA_OK;
    }

    if (t->resp_due && !(t->sla_flags & HD_SLA_RESP_BREACH)) {
        next = hd_min_due(next, (t->sla_flags & HD_SLA_RESP_RISK)
                                ? t->resp_due : t->resp_warn);
    }

    if (t->resol_due && !(t->sla_flags & HD_SLA_RESOL_BREACH)) {
        next = hd_min_due(next, (t->sla_flags & HD_SLA_RESOL_RISK)
                                ? t->resol_due : t->resol_warn);
    }

    /* 0 is "none" in the index: an instant of 0 is never a real one */
    t->sla_next = next;
}


/*
 * Schema 3: tickets written before the clocks existed get them, as if the
 * policy had been in force since their last change: a response clock for
 * those whose customer spoke last, an auto-close time for solved and
 * awaiting ones; and the SLA index moves from the due time to the next time
 * the timer looks
 */
hd_rc
hd_work_migrate(hd_txn_t *txn, hd_err_t *err)
{
    hd_rc                   rc;
    size_t                  i, n = 0, cap = 0;
    uint64_t               *list = NULL, *grown, now;
    hd_str_t                k, v;
    hd_uchar                key[16];
    hd_cursor_t             cur;
    hd_ticket_t             t, old;
    hd_work_t               defaults;
    const hd_work_t        *w = hd_work_in_force;
    const hd_calendar_t    *c;
    const hd_sla_target_t  *s;

    if (w == NULL) {
        rc = hd_work_defaults(&defaults, err);
        if (rc != HD_OK) {
            return rc;
        }
        w = &defaults;
    }

    rc = hd_cursor_open(txn, HD_DB_TICKETS, &cur);
    if (rc != HD_OK) {
        goto done;
    }

    /* written after the walk: no writes under a cursor of the same table */
    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_ticket_desc, v.data, v.len, &t) != HD_OK
            || hd_status_closed(t.status))
        {
            continue;
        }

        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            grown = realloc(list, cap * sizeof(uint64_t));
            if (grown == NULL) {
                rc = HD_NOMEM;
                break;
            }
            list = grown;
        }

        list[n++] = t.number;
    }

    hd_cursor_close(&cur);

    if (rc == HD_NOMEM) {
        rc = hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
        goto done;
    }

    rc = HD_OK;

    for (i = 0; rc == HD_OK && i < n; i++) {
        rc = hd_ticket_get(txn, list[i], &t);
        if (rc != HD_OK) {
            break;
        }

        old = t;

        if (old.sla_due != 0 && old.sla_next == 0) {
            hd_be64_put(key, old.sla_due);
            hd_be64_put(key + 8, old.number);
            (void) hd_db_del(txn, HD_DB_TICKETS_BY_SLA, key, 16, err);
        }

        now = t.updated ? t.updated : t.created;
        s = hd_work_target(w, &t, &c);

        if ((t.status == HD_STATUS_NEW || t.status == HD_STATUS_OPEN)
            && t.resp_due == 0 && t.last_side == HD_SIDE_CUSTOMER)
        {
            hd_response_start(s, c, &t, now);
        }

        hd_work_timing(w, &old, &t, now);

        rc = hd_ticket_put(txn, &old, &t, err);
    }

done:

    free(list);

    if (w == &defaults) {
        hd_work_free(&defaults);
    }

    return rc;
}


/* --- the sweep ----------------------------------------------------------- */


typedef struct {
    const hd_portal_t  *portal;
    const hd_work_t    *work;
    uint64_t            now;
    size_t              batch;
    hd_sweep_t         *sweep;
    hd_arena_t         *arena;
    const char         *who;
} hd_sweep_ctx_t;


/* "21.11.2026 18:00" in the portal calendar's zone */
hd_val_t *
hd_work_time_text(hd_pool_t *pool, const hd_work_t *w, uint64_t t)
{
    int       y, m, d;
    char      text[32];
    int32_t   day;
    uint32_t  sod;

    hd_calendar_local(&w->calendars[w->calendar], t, &day, &sod);
    hd_date_to_ymd(day, &y, &m, &d);

    snprintf(text, sizeof(text), "%02d.%02d.%04d %02u:%02u", d, m, y,
             sod / 3600, sod % 3600 / 60);

    return hd_val_str(pool, hd_pstrdup(pool, text, strlen(text)),
                      strlen(text));
}


void
hd_work_period_view(hd_pool_t *pool, hd_val_t *view, const char *key,
    const hd_period_t *p)
{
    hd_val_t           *period;
    static const char  *units[] = { "seconds", "hours", "days", "minutes" };

    period = hd_val_map(pool);
    if (period == NULL) {
        return;
    }

    hd_val_set_int(pool, period, "n", p->n);
    hd_val_set_bool(pool, period, units[p->unit % 4], 1);
    hd_i18n_plural(pool, period, "form", p->n);
    hd_val_set(pool, view, key, period);
}


/* a system event in the thread (SLA events are for staff: hd_message) */
static hd_rc
hd_work_event(hd_txn_t *txn, hd_ticket_t *t, hd_action_e action,
    unsigned clock, uint64_t now, const char *who, hd_err_t *err)
{
    hd_rc         rc;
    hd_str_t      detail;
    hd_message_t  m;

    memset(&m, 0, sizeof(m));
    m.ticket = t->number;
    m.kind = HD_MESSAGE_EVENT;
    m.side = HD_SIDE_SYSTEM;
    m.created = now;
    m.action = (uint8_t) action;
    m.from = m.to = HD_STATUS_NONE;
    m.body.data = (hd_uchar *) hd_clock_names[clock];
    m.body.len = strlen(hd_clock_names[clock]);

    rc = hd_message_add(txn, &m, err);
    if (rc != HD_OK) {
        return rc;
    }

    t->messages++;

    detail.data = (hd_uchar *) who;
    detail.len = strlen(who);

    return hd_ticket_audit(txn, t, action, 0, HD_SIDE_SYSTEM, now, t->status,
                           t->status, &detail, err);
}


/* mail to staff of the ticket's department: managers only, or everyone */
static hd_rc
hd_work_mail_staff(hd_txn_t *txn, hd_sweep_ctx_t *sc, const hd_ticket_t *t,
    const char *name, hd_val_t *view, int managers, uint64_t only,
    hd_err_t *err)
{
    return hd_ticket_notify_staff(txn, sc->portal, &sc->arena->pool, t, name,
                                  view, managers, only, sc->now,
                                  &sc->sweep->mails, err);
}


static hd_val_t *
hd_work_staff_view(hd_txn_t *txn, hd_sweep_ctx_t *sc, const hd_ticket_t *t,
    unsigned clock, uint64_t due)
{
    char              num[24];
    hd_val_t         *view;
    hd_pool_t        *pool = &sc->arena->pool;
    hd_department_t   d;

    view = hd_val_map(pool);
    if (view == NULL) {
        return NULL;
    }

    snprintf(num, sizeof(num), "%llu", (unsigned long long) t->number);
    hd_val_set_str(pool, view, "number", hd_pstrdup(pool, num, strlen(num)),
                   strlen(num));
    hd_val_set_str(pool, view, "subject",
                   hd_pstrdup(pool, t->subject.data, t->subject.len),
                   t->subject.len);
    hd_val_set_bool(pool, view, hd_clock_names[clock], 1);
    hd_val_set(pool, view, "due", hd_work_time_text(pool, sc->work, due));
    hd_val_set_cstr(pool, view, "priority",
                    hd_priority_names[t->priority % HD_PRIORITY_COUNT]);
    hd_val_set(pool, view, "link",
               hd_notify_link(pool, sc->portal, "staff/tickets/", num));

    if (hd_department_get(txn, t->department, &d) == HD_OK) {
        hd_val_set_str(pool, view, "department",
                       hd_pstrdup(pool, d.name.data, d.name.len), d.name.len);
    }

    return view;
}


static hd_rc
hd_work_at_risk(hd_txn_t *txn, hd_sweep_ctx_t *sc, hd_ticket_t *t,
    unsigned clock, uint64_t due, hd_err_t *err)
{
    hd_rc      rc;
    hd_val_t  *view;

    rc = hd_work_event(txn, t, HD_ACTION_SLA_AT_RISK, clock, sc->now,
                       sc->who, err);
    if (rc != HD_OK) {
        return rc;
    }

    sc->sweep->at_risk++;

    view = hd_work_staff_view(txn, sc, t, clock, due);
    if (view == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    /* its owner is told, or the department when nobody owns it */
    return hd_work_mail_staff(txn, sc, t, "ticket_sla_at_risk", view, 0,
                              t->owner, err);
}


static hd_rc
hd_work_breach(hd_txn_t *txn, hd_sweep_ctx_t *sc, hd_ticket_t *t,
    unsigned clock, uint64_t due, hd_err_t *err)
{
    hd_rc        rc;
    hd_val_t    *view;
    hd_uchar     key[17];
    hd_breach_t  b;

    memset(&b, 0, sizeof(b));
    b.ticket = t->number;
    b.clock = (uint8_t) clock;
    b.due = due;
    b.time = sc->now;
    b.department = t->department;
    b.owner = t->owner;
    b.level = t->premium ? t->level : HD_LEVEL_STANDARD;
    b.severity = t->severity;
    b.priority = t->priority;

    hd_be64_put(key, sc->now);
    hd_be64_put(key + 8, t->number);
    key[16] = (hd_uchar) clock;

    rc = hd_record_put(txn, HD_DB_SLA_BREACHES, key, sizeof(key),
                       &hd_breach_desc, &b, 0, err);
    if (rc != HD_OK) {
        return rc;
    }

    /* one step up, as far as there are steps */
    if (t->priority + 1 < HD_PRIORITY_COUNT) {
        t->priority++;
    }

    rc = hd_work_event(txn, t, HD_ACTION_SLA_BREACH, clock, sc->now,
                       sc->who, err);
    if (rc != HD_OK) {
        return rc;
    }

    sc->sweep->breached++;

    view = hd_work_staff_view(txn, sc, t, clock, due);
    if (view == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    return hd_work_mail_staff(txn, sc, t, "ticket_sla_breached", view, 1, 0,
                              err);
}


static hd_rc
hd_work_sla_one(hd_txn_t *txn, hd_sweep_ctx_t *sc, uint64_t number,
    hd_err_t *err)
{
    hd_rc        rc;
    hd_ticket_t  t, old;

    rc = hd_ticket_get(txn, number, &t);
    if (rc != HD_OK) {
        return rc;
    }

    hd_ticket_copy(&sc->arena->pool, &t);
    old = t;

    if (t.resp_due != 0) {
        if (!(t.sla_flags & HD_SLA_RESP_RISK) && sc->now >= t.resp_warn) {
            t.sla_flags |= HD_SLA_RESP_RISK;
            rc = hd_work_at_risk(txn, sc, &t, HD_CLOCK_RESPONSE, t.resp_due,
                                 err);
            if (rc != HD_OK) {
                return rc;
            }
        }

        if (!(t.sla_flags & HD_SLA_RESP_BREACH) && sc->now >= t.resp_due) {
            t.sla_flags |= HD_SLA_RESP_BREACH;
            rc = hd_work_breach(txn, sc, &t, HD_CLOCK_RESPONSE, t.resp_due,
                                err);
            if (rc != HD_OK) {
                return rc;
            }
        }
    }

    if (t.resol_due != 0) {
        if (!(t.sla_flags & HD_SLA_RESOL_RISK) && sc->now >= t.resol_warn) {
            t.sla_flags |= HD_SLA_RESOL_RISK;
            rc = hd_work_at_risk(txn, sc, &t, HD_CLOCK_RESOLUTION,
                                 t.resol_due, err);
            if (rc != HD_OK) {
                return rc;
            }
        }

        if (!(t.sla_flags & HD_SLA_RESOL_BREACH) && sc->now >= t.resol_due) {
            t.sla_flags |= HD_SLA_RESOL_BREACH;
            rc = hd_work_breach(txn, sc, &t, HD_CLOCK_RESOLUTION,
                                t.resol_due, err);
            if (rc != HD_OK) {
                return rc;
            }
        }
    }

    /* the write derives the state and the next time to look */
    return hd_ticket_put(txn, &old, &t, err);
}


static hd_rc
hd_work_autoclose_one(hd_txn_t *txn, hd_sweep_ctx_t *sc, uint64_t number,
    hd_err_t *err)
{
    char            token[HD_RATING_TOKEN_LEN + 1], path[64];
    hd_rc           rc;
    unsigned        from;
    hd_str_t        link, detail;
    hd_val_t       *view, *l;
    hd_pool_t      *pool = &sc->arena->pool;
    hd_ticket_t     t, old;
    uint64_t        until;
    hd_ticket_policy_t  policy = HD_TICKET_POLICY_DEFAULT;
    const hd_period_t  *period;

    rc = hd_ticket_get(txn, number, &t);
    if (rc != HD_OK) {
        return rc;
    }

    hd_ticket_copy(pool, &t);
    old = t;
    from = t.status;
    period = from == HD_STATUS_SOLVED ? &sc->work->autoclose_solved
                                      : &sc->work->autoclose_awaiting;

    /* the system event says why (its from status), the audit who */
    detail.data = (hd_uchar *) sc->who;
    detail.len = strlen(sc->who);

    rc = hd_ticket_act_detail(txn, &t, HD_ACTION_AUTOCLOSE, 0,
                              HD_SIDE_SYSTEM, sc->now, &detail, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_ticket_put(txn, &old, &t, err);
    if (rc != HD_OK) {
        return rc;
    }

    sc->sweep->autoclosed++;

    /* the customer: why, the reopen rule, the rating link */
    rc = hd_ticket_rating_token(txn, &t, 1, token, err);
    if (rc != HD_OK) {
        return rc;
    }

    snprintf(path, sizeof(path), "tickets/%llu/rate?t=",
             (unsigned long long) t.number);

    l = hd_notify_link(pool, sc->portal, path, token);
    view = hd_val_map(pool);
    if (l == NULL || view == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    link = l->u.str;

    hd_val_set_bool(pool, view, from == HD_STATUS_SOLVED ? "after_solution"
                                                         : "no_info", 1);
    hd_work_period_view(pool, view, "period", period);

    if (sc->portal->tickets.files_max != 0) {
        policy = sc->portal->tickets;
    }

    hd_work_period_view(pool, view, "reopen",
                        t.type == HD_TYPE_ENHANCEMENT
                        ? &policy.reopen_enhancement : &policy.reopen);
    until = hd_ticket_reopen_until(&policy, &t);

    if (until != 0) {
        hd_val_set(pool, view, "reopen_until",
                   hd_work_time_text(pool, sc->work, until));
    } else {
        hd_val_set_bool(pool, view, "reopen_always", 1);
    }

    rc = hd_ticket_notify_view(txn, sc->portal, pool, &t, "ticket_autoclosed",
                               NULL, &link, 0, sc->now, view, err);
    if (rc == HD_OK) {
        sc->sweep->mails++;
    }

    return rc;
}


/* up to n numbers whose due time in the index is at or before now */
static hd_rc
hd_work_due(hd_txn_t *txn, hd_db_e db, uint64_t now, uint64_t *numbers,
    size_t max, size_t *n)
{
    hd_rc        rc;
    hd_str_t     k, v;
    hd_cursor_t  cur;

    *n = 0;

    rc = hd_cursor_open(txn, db, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK && *n < max;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (k.len != 16 || hd_be64_get(k.data) > now) {
            break;
        }

        numbers[(*n)++] = hd_be64_get(k.data + 8);
    }

    hd_cursor_close(&cur);

    return rc == HD_OK || rc == HD_NOT_FOUND ? HD_OK : rc;
}


static hd_rc
hd_work_sweep_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    size_t           i, n, m;
    hd_rc            rc;
    uint64_t        *numbers;
    hd_sweep_ctx_t  *sc = arg;

    memset(sc->sweep, 0, sizeof(hd_sweep_t));

    numbers = hd_palloc(&sc->arena->pool, sc->batch * sizeof(uint64_t));
    if (numbers == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_work_due(txn, HD_DB_TICKETS_BY_AUTOCLOSE, sc->now, numbers,
                     sc->batch, &n);
    if (rc != HD_OK) {
        return rc;
    }

    for (i = 0; i < n; i++) {
        rc = hd_work_autoclose_one(txn, sc, numbers[i], err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    rc = hd_work_due(txn, HD_DB_TICKETS_BY_SLA, sc->now, numbers,
                     sc->batch - n, &m);
    if (rc != HD_OK) {
        return rc;
    }

    for (i = 0; i < m; i++) {
        rc = hd_work_sla_one(txn, sc, numbers[i], err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    sc->sweep->more = n + m == sc->batch;

    /* an edition of the regulations whose day has come */
    return hd_regulations_sweep(txn, sc->now, &sc->sweep->regulations, err);
}


hd_rc
hd_work_sweep(const hd_portal_t *portal, uint64_t now, size_t batch,
    hd_sweep_t *sweep, hd_err_t *err)
{
    char             who[64];
    hd_rc            rc;
    hd_sweep_ctx_t   sc;

    memset(sweep, 0, sizeof(hd_sweep_t));

    sc.portal = portal;
    sc.work = hd_work_in_force;
    sc.now = now;
    sc.batch = batch ? batch : HD_TIMER_BATCH;
    sc.sweep = sweep;

    if (sc.work == NULL) {
        return hd_err_set(err, HD_INVALID, NULL, "internal",
                          "no working-time policy is set");
    }

    /* the audit says which process did the work */
    snprintf(who, sizeof(who), "timer pid %ld", (long) getpid());
    sc.who = who;

    sc.arena = hd_arena_create(64 * 1024);
    if (sc.arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_txn_run(portal->store, hd_work_sweep_txn, &sc, err);

    hd_arena_destroy(sc.arena);

    /* an announcement a crash interrupted: the rest of it */
    if (rc == HD_OK) {
        size_t  mailed = 0;

        rc = hd_regulations_announce(portal, now, &mailed, err);
    }

    if (rc != HD_OK) {
        memset(sweep, 0, sizeof(hd_sweep_t));
    }

    return rc;
}


int
hd_work_pending(hd_store_t *store, uint64_t now)
{
    int          due = 0;
    size_t       n;
    hd_err_t     err;
    hd_txn_t     txn;
    uint64_t     number;

    if (hd_txn_begin(store, &txn, HD_TXN_READ, &err) != HD_OK) {
        return 1;               /* let the sweep say what is wrong */
    }

    if ((hd_work_due(&txn, HD_DB_TICKETS_BY_AUTOCLOSE, now, &number, 1, &n)
         == HD_OK && n)
        || (hd_work_due(&txn, HD_DB_TICKETS_BY_SLA, now, &number, 1, &n)
            == HD_OK && n)
        || hd_regulations_due(&txn, now) || hd_regulations_announcing(&txn))
    {
        due = 1;
    }

    hd_txn_abort(&txn);

    return due;
}


/* --- the lease ----------------------------------------------------------- */


#define HD_LEASE_KEY      "lease"
#define HD_LEASE_LEN      20


static void
hd_lease_decode(const hd_str_t *v, hd_lease_t *l)
{
    memset(l, 0, sizeof(hd_lease_t));

    if (v->len == HD_LEASE_LEN) {
        l->pid = (uint32_t) (hd_be64_get(v->data) >> 32);
        l->instance = hd_be64_get(v->data + 4);
        l->expires = hd_be64_get(v->data + 12);
    }
}


/* a holder on this host that is gone lets go at once */
static int
hd_lease_alive(const hd_lease_t *l)
{
    return l->pid != 0 && (kill((pid_t) l->pid, 0) == 0 || errno == EPERM);
}


typedef struct {
    uint32_t      pid;
    uint64_t      instance;
    uint64_t      now;
    uint64_t      ttl;
    int           release;
    hd_lease_t   *holder;
} hd_lease_ctx_t;


static hd_rc
hd_lease_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    hd_rc            rc;
    hd_str_t         v;
    hd_uchar         buf[HD_LEASE_LEN + 4];
    hd_lease_t       cur;
    hd_lease_ctx_t  *lc = arg;

    rc = hd_db_get(txn, HD_DB_TIMER, HD_LEASE_KEY, sizeof(HD_LEASE_KEY) - 1,
                   &v);

    if (rc == HD_OK) {
        hd_lease_decode(&v, &cur);
    } else {
        memset(&cur, 0, sizeof(cur));
    }

    *lc->holder = cur;

    if (lc->release) {
        if (cur.pid != lc->pid || cur.instance != lc->instance) {
            return HD_OK;
        }

        return hd_db_del(txn, HD_DB_TIMER, HD_LEASE_KEY,
                         sizeof(HD_LEASE_KEY) - 1, err);
    }

    if ((cur.pid != lc->pid || cur.instance != lc->instance)
        && cur.expires > lc->now && hd_lease_alive(&cur))
    {
        return HD_BUSY;
    }

    hd_be64_put(buf, (uint64_t) lc->pid << 32);
    hd_be64_put(buf + 4, lc->instance);
    hd_be64_put(buf + 12, lc->now + lc->ttl);

    lc->holder->pid = lc->pid;
    lc->holder->instance = lc->instance;
    lc->holder->expires = lc->now + lc->ttl;

    return hd_db_put(txn, HD_DB_TIMER, HD_LEASE_KEY, sizeof(HD_LEASE_KEY) - 1,
                     buf, HD_LEASE_LEN, 0, err);
}


hd_rc
hd_lease_take(hd_store_t *store, uint32_t pid, uint64_t instance,
    uint64_t now_ms, uint64_t ttl, hd_lease_t *holder, hd_err_t *err)
{
    hd_rc           rc;
    hd_str_t        v;
    hd_txn_t        txn;
    hd_lease_t      cur;
    hd_lease_ctx_t  lc;

    /* most ticks only look: somebody else's live lease, or ours still long
       enough, need no write */
    if (hd_txn_begin(store, &txn, HD_TXN_READ, err) == HD_OK) {
        rc = hd_db_get(&txn, HD_DB_TIMER, HD_LEASE_KEY,
                       sizeof(HD_LEASE_KEY) - 1, &v);
        if (rc == HD_OK) {
            hd_lease_decode(&v, &cur);
        } else {
            memset(&cur, 0, sizeof(cur));
        }

        hd_txn_abort(&txn);

        *holder = cur;

        if (cur.pid == pid && cur.instance == instance) {
            if (cur.expires > now_ms + ttl / 2) {
                return HD_OK;
            }

        } else if (cur.expires > now_ms && hd_lease_alive(&cur)) {
            return HD_BUSY;
        }
    }

    lc.pid = pid;
    lc.instance = instance;
    lc.now = now_ms;
    lc.ttl = ttl;
    lc.release = 0;
    lc.holder = holder;

    rc = hd_txn_run(store, hd_lease_txn, &lc, err);

    return rc;
}


hd_rc
hd_lease_release(hd_store_t *store, uint32_t pid, uint64_t instance,
    hd_err_t *err)
{
    hd_lease_t      holder;
    hd_lease_ctx_t  lc;

    lc.pid = pid;
    lc.instance = instance;
    lc.now = 0;
    lc.ttl = 0;
    lc.release = 1;
    lc.holder = &holder;

    return hd_txn_run(store, hd_lease_txn, &lc, err);
}

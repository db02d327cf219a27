/*
 * Working time applied to tickets (SPEC §6): the policy (calendars, SLA
 * targets per support level and severity, auto-close periods), the two SLA
 * clocks and the auto-close deadline kept on every ticket write, and the
 * timer's work: the sweep that auto-closes and escalates what is due, under
 * a lease so that one process at a time does it.
 */

#ifndef HD_WORK_H
#define HD_WORK_H


#include "hd_core.h"
#include "hd_calendar.h"
#include "hd_date.h"
#include "hd_portal.h"
#include "hd_product.h"
#include "hd_ticket.h"


#define HD_CALENDARS_MAX      8
#define HD_SEVERITIES         4

/* the SLA clocks' flags on a ticket */
#define HD_SLA_RESP_RISK      0x01
#define HD_SLA_RESP_BREACH    0x02
#define HD_SLA_RESOL_RISK     0x04
#define HD_SLA_RESOL_BREACH   0x08
#define HD_SLA_RESOL_PAUSED   0x10

/* at risk at 80% of a target */
#define HD_SLA_RISK_PERCENT   80

#define HD_TIMER_INTERVAL     1000      /* ms */
#define HD_TIMER_BATCH        500
#define HD_TIMER_BUDGET       200       /* ms of work a tick at most */


typedef enum {
    HD_CLOCK_RESPONSE = 0,
    HD_CLOCK_RESOLUTION,
    HD_CLOCK_COUNT
} hd_clock_e;


typedef struct {
    hd_period_t   response;         /* n 0: the standard level's */
    hd_period_t   resolution;       /* n 0: none */
    uint8_t       calendar;         /* index into the policy's calendars */
    uint8_t       set;              /* given (by default or a directive) */
} hd_sla_target_t;


typedef struct {
    hd_calendar_t    calendars[HD_CALENDARS_MAX];
    unsigned         ncalendars;
    unsigned         calendar;           /* the portal's: auto-close and
                                            reopen windows count in it */
    hd_sla_target_t  sla[HD_LEVEL_COUNT][HD_SEVERITIES];
    hd_period_t      autoclose_solved;   /* n 0: never */
    hd_period_t      autoclose_awaiting;
    unsigned         interval;           /* ms between ticks */
    unsigned         batch;              /* tickets a transaction */
    unsigned         budget;             /* ms of work a tick */
} hd_work_t;


/* a breach, kept for reports: sla_breaches (time, number, clock) -> this */
typedef struct {
    uint64_t      ticket;
    uint8_t       clock;            /* hd_clock_e */
    uint64_t      due;
    uint64_t      time;
    uint64_t      department;
    uint64_t      owner;
    uint8_t       level;
    uint8_t       severity;
    uint8_t       priority;         /* before it was raised */
} hd_breach_t;

extern const hd_record_desc_t  hd_breach_desc;
extern const char             *hd_clock_names[HD_CLOCK_COUNT];


/* moscow and 24x7, the SPEC's SLA table, 3 working days each auto-close */
hd_rc hd_work_defaults(hd_work_t *w, hd_err_t *err);
void hd_work_free(hd_work_t *w);
/* a calendar by name, or -1 */
int hd_work_calendar(const hd_work_t *w, const char *name, size_t len);
/* a new calendar (24x7 until hours are given), or an existing one */
hd_calendar_t *hd_work_calendar_add(hd_work_t *w, const char *name,
    size_t len);

/*
 * The process's policy: the one set (by the module in each worker, by the
 * CLI), else the defaults. Ticket writes keep the clocks with it; with
 * none set (tools that write raw tickets) they keep what they are given.
 */
/*
 * A period for a template, the map KEY: n, days (or hours, minutes,
 * seconds) and hd_i18n_plural's form_* flags; partials/period_LANG says it
 * in words ("3 рабочих дня")
 */
void hd_work_period_view(hd_pool_t *pool, hd_val_t *view, const char *key,
    const hd_period_t *p);

/* a time as the portal's calendar reads it: "20.11.2026 17:00" */
hd_val_t *hd_work_time_text(hd_pool_t *pool, const hd_work_t *w,
    uint64_t t);

void hd_work_set(const hd_work_t *w);
const hd_work_t *hd_work_current(void);

/* t plus the period in the calendar: s plain, m/h working, d working days */
uint64_t hd_work_after(const hd_calendar_t *c, uint64_t t,
    const hd_period_t *p);
/* in the portal's calendar (reopen windows) */
uint64_t hd_work_portal_after(uint64_t t, const hd_period_t *p);

/* the SLA target of a ticket and the calendar it counts in */
const hd_sla_target_t *hd_work_target(const hd_work_t *w,
    const hd_ticket_t *t, const hd_calendar_t **cal);

/*
 * Brings the ticket's clocks and deadlines along a write (hd_ticket_put
 * calls it): starts, stops, pauses and resumes the SLA clocks by the
 * status and the action just taken, sets or clears the auto-close time,
 * and derives sla_due, sla_warn, sla_state and sla_next (the index key)
 */
void hd_work_timing(const hd_work_t *w, const hd_ticket_t *old,
    hd_ticket_t *t, uint64_t now);

/* schema 3: the clocks and auto-close times of tickets written before */
hd_rc hd_work_migrate(hd_txn_t *txn, hd_err_t *err);


typedef struct {
    size_t        autoclosed;
    size_t        at_risk;
    size_t        breached;
    size_t        mails;
    uint64_t      regulations;      /* the edition now in force, if one
                                       came into force */
    int           more;             /* due work is left for the next call */
} hd_sweep_t;

/*
 * One transaction of the timer's work at `now`: up to `batch` tickets due
 * to auto-close, then those whose SLA clock reached 80% or 100%. Every
 * change is the ticket's normal write, with its event, audit record and
 * e-mail: done once, whatever crashes when.
 */
hd_rc hd_work_sweep(const hd_portal_t *portal, uint64_t now, size_t batch,
    hd_sweep_t *sweep, hd_err_t *err);
/* whether anything is due at now: the heads of the two indexes, read only */
int hd_work_pending(hd_store_t *store, uint64_t now);


/* the timer's lease: meta "timer_lease" = holder pid, instance, expiry */
typedef struct {
    uint32_t      pid;
    uint64_t      instance;
    uint64_t      expires;          /* ms */
} hd_lease_t;

/*
 * Takes or renews the lease for `ttl` ms: HD_OK when this holder has it,
 * HD_BUSY when another live one does
 */
hd_rc hd_lease_take(hd_store_t *store, uint32_t pid, uint64_t instance,
    uint64_t now_ms, uint64_t ttl, hd_lease_t *holder, hd_err_t *err);
/* gives it up (on exit) when this holder has it */
hd_rc hd_lease_release(hd_store_t *store, uint32_t pid, uint64_t instance,
    hd_err_t *err);


#endif /* HD_WORK_H */

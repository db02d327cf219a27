/*
 * Business calendars (SPEC §6.1): a zone offset, working hours per weekday
 * and a list of exceptional days (holidays, transferred working days, short
 * pre-holiday days). Pure computation, no I/O: adding working time to an
 * instant and measuring the working time between two instants.
 */

#ifndef HD_CALENDAR_H
#define HD_CALENDAR_H


#include "hd_core.h"


#define HD_CALENDAR_NAME_LEN  32

/*
 * Years the holiday file does not list follow the Labour Code (art. 112:
 * 1-8 January, 23 February, 8 March, 1 and 9 May, 12 June, 4 November; a
 * holiday on a weekend moves to the next working day, the January ones
 * excepted; art. 95: the working day before a holiday is an hour shorter),
 * from HD_CALENDAR_RULE_FIRST for HD_CALENDAR_RULE_YEARS years
 */
#define HD_CALENDAR_RULE_FIRST  2000
#define HD_CALENDAR_RULE_YEARS  200
#define HD_CALENDAR_RULE_MAX    40      /* exceptional days of a year */


typedef enum {
    HD_DAY_OFF = 1,                 /* a non-working day */
    HD_DAY_WORK,                    /* a transferred working day */
    HD_DAY_SHORT                    /* a working day one hour shorter */
} hd_day_kind_e;


typedef struct {
    int32_t       day;              /* days since 1970-01-01 */
    uint8_t       kind;             /* hd_day_kind_e */
} hd_holiday_t;


/* working time of a weekday, minutes after midnight; start == end: none */
typedef struct {
    uint16_t      start;
    uint16_t      end;
} hd_hours_t;


typedef struct {
    char          name[HD_CALENDAR_NAME_LEN];
    int32_t       offset;           /* seconds east of UTC */
    int           always;           /* 24x7: every second is working time */
    hd_hours_t    week[7];          /* Monday first */
    hd_holiday_t *holidays;         /* sorted by day; malloc()ed: the
                                       file's years and the rule's */
    size_t        nholidays;
    int32_t       file_until;       /* the last day of the file's last
                                       year; -1: no file */
    uint8_t       file_years[HD_CALENDAR_RULE_YEARS];  /* from the file */
} hd_calendar_t;


/* Moscow: UTC+03:00, Monday-Friday 09:00-18:00, the Russian production
   calendar of 2025 and 2026 */
hd_rc hd_calendar_moscow(hd_calendar_t *c, hd_err_t *err);
/* every second of every day */
void hd_calendar_always(hd_calendar_t *c, const char *name);
void hd_calendar_free(hd_calendar_t *c);
/* the built-in holiday list of moscow, as a holiday file */
extern const char  hd_calendar_ru_holidays[];

/*
 * A holiday file: "YYYY-MM-DD off|work|short" a line, "#" comments; it
 * replaces the calendar's list. On an error err says "line N: ..." and the
 * calendar is unchanged.
 */
hd_rc hd_calendar_holidays(hd_calendar_t *c, const char *text, size_t len,
    hd_err_t *err);

/* the rule's exceptional days of a year, in order: how many */
size_t hd_calendar_rule(int year, hd_holiday_t *out);

/*
 * Days from now's day to the last one the holiday file covers (negative
 * once past it), in the calendar's zone; INT32_MIN for a calendar without
 * holidays (24x7)
 */
int32_t hd_calendar_file_days_left(const hd_calendar_t *c, uint64_t now);

/* the file should reach this far ahead: a warning and a metric below */
#define HD_CALENDAR_AHEAD_DAYS  60

/* whether the year's days come from the holiday file (else the rule) */
int hd_calendar_from_file(const hd_calendar_t *c, int year);

/* "+03:00", "-05:30", "+3", "UTC" */
int hd_calendar_parse_zone(const hd_uchar *p, size_t len, int32_t *offset);
/* "mon-fri=09:00-18:00", "sat=10:00-14:00", "sun=off" into the week */
int hd_calendar_parse_hours(hd_calendar_t *c, const hd_uchar *p, size_t len);

/* the working seconds of a standard working day (9 h for moscow) */
uint32_t hd_calendar_day_length(const hd_calendar_t *c);

/*
 * The instant `seconds` of working time after t: the count starts at the
 * next working second when t is outside working time
 */
uint64_t hd_calendar_add(const hd_calendar_t *c, uint64_t t,
    uint64_t seconds);
/* N working days: N standard days' worth of working time */
uint64_t hd_calendar_add_days(const hd_calendar_t *c, uint64_t t,
    uint32_t days);
/* working seconds in [a, b) */
uint64_t hd_calendar_between(const hd_calendar_t *c, uint64_t a, uint64_t b);
/* t in the calendar's zone: the day number and the second of that day */
void hd_calendar_local(const hd_calendar_t *c, uint64_t t, int32_t *day,
    uint32_t *second);
/* whether t is working time */
int hd_calendar_working(const hd_calendar_t *c, uint64_t t);


#endif /* HD_CALENDAR_H */

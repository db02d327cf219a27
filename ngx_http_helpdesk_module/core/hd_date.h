/*
 * Calendar dates as day numbers (days since 1970-01-01): certificate terms,
 * "today" in the portal's time zone, text in and out (YYYY-MM-DD).
 */

#ifndef HD_DATE_H
#define HD_DATE_H


#include "hd_core.h"


/* the portal's zone until calendars make it configurable: Moscow */
#define HD_DATE_ZONE_OFFSET  (3 * 3600)


int32_t hd_date_from_ymd(int y, int m, int d);
void hd_date_to_ymd(int32_t day, int *y, int *m, int *d);

/* -1 on anything but a real date YYYY-MM-DD */
int hd_date_parse(const hd_uchar *p, size_t len, int32_t *day);
/* "YYYY-MM-DD", 10 characters and a NUL */
void hd_date_format(int32_t day, char out[11]);
/* "DD.MM.YYYY" for Russian readers */
void hd_date_format_ru(int32_t day, char out[11]);
/* "2 Nov 2027": a date for English pages (never ISO on a page) */
void hd_date_format_en(int32_t day, char out[12]);

int32_t hd_date_today(uint64_t now);

/*
 * An instant an operator types: "@UNIX seconds", "now", or "YYYY-MM-DD",
 * "YYYY-MM-DD HH:MM[:SS]" (or a "T" between) at the zone's offset from
 * UTC; -1 on anything else
 */
int hd_date_instant(const hd_uchar *p, size_t len, int32_t offset,
    uint64_t now, uint64_t *t);

/* the same day `months` later (clamped to the month's end), e.g. a term */
int32_t hd_date_add_months(int32_t day, int months);


/*
 * A period of policy (a reopen window, later auto-close): plain seconds,
 * or hours and days that count working time once business calendars exist
 * (SPEC §6.1); until then they count calendar time
 */
typedef enum {
    HD_PERIOD_SECONDS = 0,
    HD_PERIOD_HOURS,
    HD_PERIOD_DAYS,
    HD_PERIOD_MINUTES
} hd_period_unit_e;

typedef struct {
    uint32_t      n;                /* 0: no limit */
    uint8_t       unit;
} hd_period_t;


/* "2d", "12h", "30m", "30s" or "0"; -1 on anything else */
int hd_period_parse(const hd_uchar *p, size_t len, hd_period_t *period);

/* t plus the period: the one place that is to count working time */
uint64_t hd_period_after(uint64_t t, const hd_period_t *period);


#endif /* HD_DATE_H */

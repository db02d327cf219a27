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

int32_t hd_date_today(uint64_t now);

/* the same day `months` later (clamped to the month's end), e.g. a term */
int32_t hd_date_add_months(int32_t day, int months);


#endif /* HD_DATE_H */

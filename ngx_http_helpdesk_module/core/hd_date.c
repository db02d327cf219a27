/*
 * Day numbers from and to civil dates (the proleptic Gregorian calendar).
 */

#include <stdio.h>
#include <string.h>

#include "hd_date.h"


int32_t
hd_date_from_ymd(int y, int m, int d)
{
    int       era, yoe, doy, doe;

    /* days from civil, after H. Hinnant's algorithm */
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}


void
hd_date_to_ymd(int32_t day, int *y, int *m, int *d)
{
    int  era, doe, yoe, doy, mp, yy;

    day += 719468;
    era = (day >= 0 ? day : day - 146096) / 146097;
    doe = day - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    yy = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}


static int
hd_date_days_in_month(int y, int m)
{
    static const int  days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                                 31 };

    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        return 29;
    }

    return days[m - 1];
}


int
hd_date_parse(const hd_uchar *p, size_t len, int32_t *day)
{
    int     y, m, d;
    size_t  i;

    if (len != 10 || p[4] != '-' || p[7] != '-') {
        return -1;
    }

    for (i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && (p[i] < '0' || p[i] > '9')) {
            return -1;
        }
    }

    y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10
        + (p[3] - '0');
    m = (p[5] - '0') * 10 + (p[6] - '0');
    d = (p[8] - '0') * 10 + (p[9] - '0');

    if (y < 1970 || y > 2999 || m < 1 || m > 12 || d < 1
        || d > hd_date_days_in_month(y, m))
    {
        return -1;
    }

    *day = hd_date_from_ymd(y, m, d);

    return 0;
}

/* 1 to max digits at *p, advancing it: the value, or -1 */
static int
hd_date_digits(const hd_uchar **p, const hd_uchar *end, int min, int max)
{
    int  n = 0, v = 0;

    while (*p < end && n < max && **p >= '0' && **p <= '9') {
        v = v * 10 + (*(*p)++ - '0');
        n++;
    }

    return n >= min ? v : -1;
}


int
hd_date_instant(const hd_uchar *p, size_t len, int32_t offset, uint64_t now,
    uint64_t *t)
{
    int              h = 0, m = 0, sec = 0;
    size_t           i;
    int32_t          day;
    uint64_t         v;
    const hd_uchar  *end = p + len;

    if (len == 3 && memcmp(p, "now", 3) == 0) {
        *t = now;
        return 0;
    }

    if (len > 0 && p[0] == '@') {
        if (len < 2 || len > 21) {
            return -1;
        }

        for (v = 0, i = 1; i < len; i++) {
            if (p[i] < '0' || p[i] > '9'
                || v > (UINT64_MAX - (p[i] - '0')) / 10)
            {
                return -1;
            }

            v = v * 10 + (p[i] - '0');
        }

        *t = v;
        return 0;
    }

    if (len < 10 || hd_date_parse(p, 10, &day) != 0) {
        return -1;
    }

    p += 10;

    if (p < end) {
        if (*p != ' ' && *p != 'T') {
            return -1;
        }

        p++;
        h = hd_date_digits(&p, end, 1, 2);

        if (h < 0 || p == end || *p++ != ':'
            || (m = hd_date_digits(&p, end, 2, 2)) < 0)
        {
            return -1;
        }

        if (p < end
            && (*p++ != ':' || (sec = hd_date_digits(&p, end, 2, 2)) < 0))
        {
            return -1;
        }

        if (p != end || h > 23 || m > 59 || sec > 59) {
            return -1;
        }
    }

    *t = (uint64_t) ((int64_t) day * 86400 + h * 3600 + m * 60 + sec
                     - offset);

    return 0;
}



void
hd_date_format(int32_t day, char out[11])
{
    int  y, m, d;

    hd_date_to_ymd(day, &y, &m, &d);
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned) y % 10000u,
             (unsigned) m % 100u, (unsigned) d % 100u);
}


void
hd_date_format_ru(int32_t day, char out[11])
{
    int  y, m, d;

    hd_date_to_ymd(day, &y, &m, &d);
    snprintf(out, 11, "%02u.%02u.%04u", (unsigned) d % 100u,
             (unsigned) m % 100u, (unsigned) y % 10000u);
}


void
hd_date_format_en(int32_t day, char out[12])
{
    int                y, m, d;
    static const char  months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

    hd_date_to_ymd(day, &y, &m, &d);
    snprintf(out, 12, "%u %.3s %04u", (unsigned) d % 100u,
             &months[((unsigned) m - 1) % 12 * 3], (unsigned) y % 10000u);
}


int32_t
hd_date_today(uint64_t now)
{
    return (int32_t) ((now + HD_DATE_ZONE_OFFSET) / 86400);
}


int32_t
hd_date_add_months(int32_t day, int months)
{
    int  y, m, d, total, dim;

    hd_date_to_ymd(day, &y, &m, &d);

    total = y * 12 + (m - 1) + months;
    y = total / 12;
    m = total % 12 + 1;
    dim = hd_date_days_in_month(y, m);

    return hd_date_from_ymd(y, m, d > dim ? dim : d);
}


int
hd_period_parse(const hd_uchar *p, size_t len, hd_period_t *period)
{
    size_t    i;
    uint64_t  n = 0;

    if (len == 1 && p[0] == '0') {
        period->n = 0;
        period->unit = HD_PERIOD_DAYS;
        return 0;
    }

    if (len < 2) {
        return -1;
    }

    for (i = 0; i < len - 1; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return -1;
        }

        n = n * 10 + (p[i] - '0');

        if (n > 1000000) {
            return -1;
        }
    }

    switch (p[len - 1]) {
    case 's':
        period->unit = HD_PERIOD_SECONDS;
        break;
    case 'm':
        period->unit = HD_PERIOD_MINUTES;
        break;
    case 'h':
        period->unit = HD_PERIOD_HOURS;
        break;
    case 'd':
        period->unit = HD_PERIOD_DAYS;
        break;
    default:
        return -1;
    }

    period->n = (uint32_t) n;

    return 0;
}


uint64_t
hd_period_after(uint64_t t, const hd_period_t *period)
{
    switch (period->unit) {
    case HD_PERIOD_MINUTES:
        return t + (uint64_t) period->n * 60;
    case HD_PERIOD_HOURS:
        return t + (uint64_t) period->n * 3600;
    case HD_PERIOD_DAYS:
        return t + (uint64_t) period->n * 86400;
    default:
        return t + period->n;
    }
}

/*
 * Business calendars: working time walked a day at a time in the
 * calendar's own zone. A day's working time is one interval: the weekday's
 * hours, none on an "off" day, the standard weekday hours on a transferred
 * "work" day, one hour less at the end of a "short" day.
 */

#include <stdlib.h>

#include "hd_calendar.h"
#include "hd_date.h"


#define HD_DAY  86400

/* no policy period walks further than this (the loops' bound) */
#define HD_CALENDAR_MAX_DAYS  (366 * 50)


/* SPEC §6.1: the Russian production calendar as the product ships it */
const char  hd_calendar_ru_holidays[] =
    "# The Russian production calendar (SPEC 6.1); update it every year.\n"
    "# YYYY-MM-DD off | work | short\n"
    "2025-01-01 off\n2025-01-02 off\n2025-01-03 off\n2025-01-04 off\n"
    "2025-01-05 off\n2025-01-06 off\n2025-01-07 off\n2025-01-08 off\n"
    "2025-05-01 off\n2025-05-02 off\n2025-05-03 off\n2025-05-04 off\n"
    "2025-05-08 off\n2025-05-09 off\n2025-05-10 off\n2025-05-11 off\n"
    "2025-06-12 off\n2025-06-13 off\n2025-06-14 off\n2025-06-15 off\n"
    "2025-11-01 work\n"
    "2025-11-02 off\n2025-11-03 off\n2025-11-04 off\n"
    "2025-12-31 off\n"
    "2026-01-01 off\n2026-01-02 off\n2026-01-03 off\n2026-01-04 off\n"
    "2026-01-05 off\n2026-01-06 off\n2026-01-07 off\n2026-01-08 off\n"
    "2026-01-09 off\n2026-01-10 off\n2026-01-11 off\n"
    "2026-02-21 off\n2026-02-22 off\n2026-02-23 off\n"
    "2026-03-07 off\n2026-03-08 off\n2026-03-09 off\n"
    "2026-04-30 short\n"
    "2026-05-01 off\n2026-05-02 off\n2026-05-03 off\n"
    "2026-05-08 short\n"
    "2026-05-09 off\n2026-05-10 off\n2026-05-11 off\n"
    "2026-06-11 short\n"
    "2026-06-12 off\n2026-06-13 off\n2026-06-14 off\n"
    "2026-11-03 short\n"
    "2026-11-04 off\n"
    "2026-12-31 off\n";


static const char  *hd_weekdays[7] = {
    "mon", "tue", "wed", "thu", "fri", "sat", "sun"
};


static int32_t
hd_floor_div(int64_t a, int64_t b)
{
    return (int32_t) (a >= 0 ? a / b : -((-a + b - 1) / b));
}


static unsigned
hd_weekday(int32_t day)
{
    /* 1970-01-01 was a Thursday: Monday is 0 */
    return (unsigned) (((day % 7) + 7 + 3) % 7);
}


void
hd_calendar_local(const hd_calendar_t *c, uint64_t t, int32_t *day,
    uint32_t *second)
{
    int64_t  local = (int64_t) t + c->offset;

    *day = hd_floor_div(local, HD_DAY);
    *second = (uint32_t) (local - (int64_t) *day * HD_DAY);
}


static void
hd_calendar_name(hd_calendar_t *c, const char *name)
{
    size_t  n = strlen(name);

    if (n >= HD_CALENDAR_NAME_LEN) {
        n = HD_CALENDAR_NAME_LEN - 1;
    }

    memcpy(c->name, name, n);
    c->name[n] = '\0';
}


void
hd_calendar_always(hd_calendar_t *c, const char *name)
{
    memset(c, 0, sizeof(*c));
    hd_calendar_name(c, name);
    c->always = 1;
    c->file_until = -1;
}


hd_rc
hd_calendar_moscow(hd_calendar_t *c, hd_err_t *err)
{
    unsigned  i;

    memset(c, 0, sizeof(*c));
    hd_calendar_name(c, "moscow");
    c->offset = 3 * 3600;

    for (i = 0; i < 5; i++) {
        c->week[i].start = 9 * 60;
        c->week[i].end = 18 * 60;
    }

    return hd_calendar_holidays(c, hd_calendar_ru_holidays,
                                sizeof(hd_calendar_ru_holidays) - 1, err);
}


void
hd_calendar_free(hd_calendar_t *c)
{
    free(c->holidays);
    c->holidays = NULL;
    c->nholidays = 0;
}


size_t
hd_calendar_rule(int year, hd_holiday_t *out)
{
    size_t   n = 0, i, k;
    int32_t  first, day, d;
    uint8_t  kind[367];

    static const struct {
        uint8_t  month;
        uint8_t  day;
    } holidays[] = {
        { 1, 1 }, { 1, 2 }, { 1, 3 }, { 1, 4 }, { 1, 5 }, { 1, 6 }, { 1, 7 },
        { 1, 8 }, { 2, 23 }, { 3, 8 }, { 5, 1 }, { 5, 9 }, { 6, 12 },
        { 11, 4 }
    };

    first = hd_date_from_ymd(year, 1, 1);
    k = (size_t) (hd_date_from_ymd(year + 1, 1, 1) - first);
    memset(kind, 0, sizeof(kind));

    for (i = 0; i < sizeof(holidays) / sizeof(holidays[0]); i++) {
        kind[hd_date_from_ymd(year, holidays[i].month, holidays[i].day)
             - first] = HD_DAY_OFF;
    }

    /* a holiday on a Saturday or Sunday: the next working day is off */
    for (i = 8; i < sizeof(holidays) / sizeof(holidays[0]); i++) {
        day = hd_date_from_ymd(year, holidays[i].month, holidays[i].day);

        if (hd_weekday(day) < 5) {
            continue;
        }

        for (d = day + 1; d - first < (int32_t) k; d++) {
            if (hd_weekday(d) < 5 && kind[d - first] == 0) {
                kind[d - first] = HD_DAY_OFF;
                break;
            }
        }
    }

    /* the working day just before a holiday (31 December: 1 January) */
    for (i = 0; i <= sizeof(holidays) / sizeof(holidays[0]); i++) {
        day = i < sizeof(holidays) / sizeof(holidays[0])
              ? hd_date_from_ymd(year, holidays[i].month, holidays[i].day) - 1
              : first + (int32_t) k - 1;

        if (day >= first && hd_weekday(day) < 5 && kind[day - first] == 0) {
            kind[day - first] = HD_DAY_SHORT;
        }
    }

    for (d = 0; d < (int32_t) k && n < HD_CALENDAR_RULE_MAX; d++) {
        if (kind[d]) {
            out[n].day = first + d;
            out[n].kind = kind[d];
            n++;
        }
    }

    return n;
}


int32_t
hd_calendar_file_days_left(const hd_calendar_t *c, uint64_t now)
{
    int32_t   today;
    uint32_t  second;

    if (c->always) {
        return INT32_MIN;
    }

    hd_calendar_local(c, now, &today, &second);

    /* no file at all: the rule from today on */
    return c->file_until < 0 ? -1 : c->file_until - today;
}


int
hd_calendar_from_file(const hd_calendar_t *c, int year)
{
    return year >= HD_CALENDAR_RULE_FIRST
           && year < HD_CALENDAR_RULE_FIRST + HD_CALENDAR_RULE_YEARS
           && c->file_years[year - HD_CALENDAR_RULE_FIRST];
}


/* room for need days in the list; -1 (the list freed) without memory */
static int
hd_holidays_room(hd_holiday_t **list, size_t *cap, size_t need)
{
    size_t         n;
    hd_holiday_t  *grown;

    if (need <= *cap) {
        return 0;
    }

    n = *cap ? *cap * 2 : 64;

    while (n < need) {
        n *= 2;
    }

    grown = realloc(*list, n * sizeof(hd_holiday_t));
    if (grown == NULL) {
        free(*list);
        *list = NULL;
        return -1;
    }

    *list = grown;
    *cap = n;

    return 0;
}


static int
hd_holiday_cmp(const void *a, const void *b)
{
    const hd_holiday_t  *x = a, *y = b;

    return (x->day > y->day) - (x->day < y->day);
}


hd_rc
hd_calendar_holidays(hd_calendar_t *c, const char *text, size_t len,
    hd_err_t *err)
{
    size_t         n = 0, cap = 0, line = 0, wl;
    int32_t        day;
    const char    *p = text, *end = text + len, *eol, *w, *we;
    hd_holiday_t  *list = NULL;

    while (p < end) {
        line++;
        eol = memchr(p, '\n', (size_t) (end - p));
        if (eol == NULL) {
            eol = end;
        }

        /* the line without its comment and surrounding blanks */
        we = memchr(p, '#', (size_t) (eol - p));
        if (we == NULL) {
            we = eol;
        }

        while (p < we && (*p == ' ' || *p == '\t')) {
            p++;
        }

        while (we > p && (we[-1] == ' ' || we[-1] == '\t' || we[-1] == '\r'))
        {
            we--;
        }

        if (p == we) {
            p = eol + 1;
            continue;
        }

        if (we - p < 10
            || hd_date_parse((const hd_uchar *) p, 10, &day) != 0)
        {
            free(list);
            return hd_err_set(err, HD_INVALID, NULL, "holidays_invalid",
                              "line %zu: \"%.*s\" does not start with a date "
                              "YYYY-MM-DD", line, (int) (we - p), p);
        }

        w = p + 10;

        if (w == we || (*w != ' ' && *w != '\t')) {
            free(list);
            return hd_err_set(err, HD_INVALID, NULL, "holidays_invalid",
                              "line %zu: \"%.*s\": a date, then off, work "
                              "or short", line, (int) (we - p), p);
        }

        while (w < we && (*w == ' ' || *w == '\t')) {
            w++;
        }

        wl = (size_t) (we - w);

        if (hd_holidays_room(&list, &cap, n + 1) != 0) {
            return hd_err_set(err, HD_NOMEM, NULL, "internal",
                              "out of memory");
        }

        list[n].day = day;

        if (wl == 3 && memcmp(w, "off", 3) == 0) {
            list[n].kind = HD_DAY_OFF;
        } else if (wl == 4 && memcmp(w, "work", 4) == 0) {
            list[n].kind = HD_DAY_WORK;
        } else if (wl == 5 && memcmp(w, "short", 5) == 0) {
            list[n].kind = HD_DAY_SHORT;
        } else {
            free(list);
            return hd_err_set(err, HD_INVALID, NULL, "holidays_invalid",
                              "line %zu: \"%.*s\": the kind of a day is off, "
                              "work or short", line, (int) wl, w);
        }

        n++;
        p = eol + 1;
    }

    if (n > 1) {
        size_t  i;

        qsort(list, n, sizeof(hd_holiday_t), hd_holiday_cmp);

        for (i = 1; i < n; i++) {
            if (list[i].day == list[i - 1].day) {
                char  date[11];

                hd_date_format(list[i].day, date);
                free(list);
                return hd_err_set(err, HD_INVALID, NULL, "holidays_invalid",
                                  "%s is listed twice", date);
            }
        }
    }

    /* the years the file lists are its own; the others follow the rule */
    {
        int           y, m, d, year;
        size_t        i, add;
        uint8_t       years[HD_CALENDAR_RULE_YEARS];
        int32_t       until = -1;
        hd_holiday_t  rule[HD_CALENDAR_RULE_MAX];

        memset(years, 0, sizeof(years));

        for (i = 0; i < n; i++) {
            hd_date_to_ymd(list[i].day, &y, &m, &d);

            if (y >= HD_CALENDAR_RULE_FIRST
                && y < HD_CALENDAR_RULE_FIRST + HD_CALENDAR_RULE_YEARS)
            {
                years[y - HD_CALENDAR_RULE_FIRST] = 1;
            }

            if (hd_date_from_ymd(y, 12, 31) > until) {
                until = hd_date_from_ymd(y, 12, 31);
            }
        }

        for (year = HD_CALENDAR_RULE_FIRST;
             year < HD_CALENDAR_RULE_FIRST + HD_CALENDAR_RULE_YEARS;
             year++)
        {
            if (years[year - HD_CALENDAR_RULE_FIRST]) {
                continue;
            }

            add = hd_calendar_rule(year, rule);

            if (hd_holidays_room(&list, &cap, n + add) != 0) {
                return hd_err_set(err, HD_NOMEM, NULL, "internal",
                                  "out of memory");
            }

            memcpy(list + n, rule, add * sizeof(hd_holiday_t));
            n += add;
        }

        qsort(list, n, sizeof(hd_holiday_t), hd_holiday_cmp);

        memcpy(c->file_years, years, sizeof(years));
        c->file_until = until;
    }

    free(c->holidays);
    c->holidays = list;
    c->nholidays = n;

    return HD_OK;
}


static int
hd_parse_hhmm(const hd_uchar *p, size_t len, unsigned *minutes)
{
    unsigned  h, m;

    if (len != 5 || p[2] != ':'
        || p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9'
        || p[3] < '0' || p[3] > '5' || p[4] < '0' || p[4] > '9')
    {
        return -1;
    }

    h = (p[0] - '0') * 10 + (p[1] - '0');
    m = (p[3] - '0') * 10 + (p[4] - '0');

    if (h > 24 || (h == 24 && m != 0)) {
        return -1;
    }

    *minutes = h * 60 + m;

    return 0;
}


int
hd_calendar_parse_zone(const hd_uchar *p, size_t len, int32_t *offset)
{
    int       sign;
    unsigned  m = 0;

    if (len == 3 && memcmp(p, "UTC", 3) == 0) {
        *offset = 0;
        return 0;
    }

    if (len < 2 || (p[0] != '+' && p[0] != '-')) {
        return -1;
    }

    sign = p[0] == '-' ? -1 : 1;
    p++;
    len--;

    /* +HH:MM only: "+3" could mean hours or be a truncated +03:30 */
    if (len != 5 || hd_parse_hhmm(p, len, &m) != 0) {
        return -1;
    }

    if (m > 14 * 60) {
        return -1;
    }

    *offset = sign * (int32_t) m * 60;

    return 0;
}


static int
hd_weekday_index(const hd_uchar *p, size_t len)
{
    unsigned  i;

    if (len != 3) {
        return -1;
    }

    for (i = 0; i < 7; i++) {
        if (memcmp(p, hd_weekdays[i], 3) == 0) {
            return (int) i;
        }
    }

    return -1;
}


int
hd_calendar_parse_hours(hd_calendar_t *c, const hd_uchar *p, size_t len)
{
    int              from, to, i;
    unsigned         start, end;
    const hd_uchar  *eq, *dash;

    eq = memchr(p, '=', len);
    if (eq == NULL) {
        return -1;
    }

    dash = memchr(p, '-', (size_t) (eq - p));

    if (dash != NULL) {
        from = hd_weekday_index(p, (size_t) (dash - p));
        to = hd_weekday_index(dash + 1, (size_t) (eq - dash - 1));
    } else {
        from = to = hd_weekday_index(p, (size_t) (eq - p));
    }

    if (from < 0 || to < 0 || to < from) {
        return -1;
    }

    eq++;
    len -= (size_t) (eq - p);

    if (len == 3 && memcmp(eq, "off", 3) == 0) {
        start = end = 0;

    } else if (len != 11 || eq[5] != '-'
               || hd_parse_hhmm(eq, 5, &start) != 0
               || hd_parse_hhmm(eq + 6, 5, &end) != 0
               || end <= start)
    {
        return -1;
    }

    for (i = from; i <= to; i++) {
        c->week[i].start = (uint16_t) start;
        c->week[i].end = (uint16_t) end;
    }

    c->always = 0;

    return 0;
}


/* the hours a transferred working day gets: the first weekday's that has */
static const hd_hours_t *
hd_calendar_standard(const hd_calendar_t *c)
{
    unsigned  i;

    for (i = 0; i < 7; i++) {
        if (c->week[i].end > c->week[i].start) {
            return &c->week[i];
        }
    }

    return NULL;
}


uint32_t
hd_calendar_day_length(const hd_calendar_t *c)
{
    const hd_hours_t  *h;

    if (c->always) {
        return HD_DAY;
    }

    h = hd_calendar_standard(c);

    return h ? (uint32_t) (h->end - h->start) * 60 : 0;
}


static unsigned
hd_calendar_kind(const hd_calendar_t *c, int32_t day)
{
    size_t  lo = 0, hi = c->nholidays, mid;

    while (lo < hi) {
        mid = (lo + hi) / 2;

        if (c->holidays[mid].day == day) {
            return c->holidays[mid].kind;
        }

        if (c->holidays[mid].day < day) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }

    return 0;
}


/* the day's working time [*s, *e) in seconds after its midnight; 0: none */
static int
hd_calendar_day(const hd_calendar_t *c, int32_t day, uint32_t *s,
    uint32_t *e)
{
    unsigned           kind;
    const hd_hours_t  *h;

    if (c->always) {
        *s = 0;
        *e = HD_DAY;
        return 1;
    }

    kind = hd_calendar_kind(c, day);

    if (kind == HD_DAY_OFF) {
        return 0;
    }

    h = &c->week[hd_weekday(day)];

    if (h->end <= h->start) {
        if (kind != HD_DAY_WORK) {
            return 0;
        }

        h = hd_calendar_standard(c);
        if (h == NULL) {
            return 0;
        }
    }

    *s = (uint32_t) h->start * 60;
    *e = (uint32_t) h->end * 60;

    if (kind == HD_DAY_SHORT) {
        if (*e < *s + 3600 + 60) {
            return 0;
        }
        *e -= 3600;
    }

    return 1;
}


uint64_t
hd_calendar_add(const hd_calendar_t *c, uint64_t t, uint64_t seconds)
{
    int32_t   day;
    uint32_t  sod, s, e, pos, avail;
    unsigned  guard;

    if (seconds == 0) {
        return t;
    }

    if (c->always || hd_calendar_day_length(c) == 0) {
        return t + seconds;
    }

    hd_calendar_local(c, t, &day, &sod);

    for (guard = 0; guard < HD_CALENDAR_MAX_DAYS; guard++, day++, sod = 0) {
        if (!hd_calendar_day(c, day, &s, &e)) {
            continue;
        }

        pos = sod > s ? sod : s;
        if (pos >= e) {
            continue;
        }

        avail = e - pos;

        if (seconds <= avail) {
            return (uint64_t) ((int64_t) day * HD_DAY + pos + seconds
                               - c->offset);
        }

        seconds -= avail;
    }

    /* beyond the bound: as calendar time, never "never" */
    return (uint64_t) ((int64_t) day * HD_DAY - c->offset) + seconds;
}


uint64_t
hd_calendar_add_days(const hd_calendar_t *c, uint64_t t, uint32_t days)
{
    return hd_calendar_add(c, t, (uint64_t) days * hd_calendar_day_length(c));
}


uint64_t
hd_calendar_between(const hd_calendar_t *c, uint64_t a, uint64_t b)
{
    int64_t   la, lb, ds, de;
    int32_t   day, last;
    uint32_t  s, e;
    uint64_t  sum = 0;

    if (b <= a) {
        return 0;
    }

    if (c->always || hd_calendar_day_length(c) == 0) {
        return b - a;
    }

    la = (int64_t) a + c->offset;
    lb = (int64_t) b + c->offset;
    day = hd_floor_div(la, HD_DAY);
    last = hd_floor_div(lb, HD_DAY);

    if (last - day > HD_CALENDAR_MAX_DAYS) {
        last = day + HD_CALENDAR_MAX_DAYS;
    }

    for ( /* void */ ; day <= last; day++) {
        if (!hd_calendar_day(c, day, &s, &e)) {
            continue;
        }

        ds = (int64_t) day * HD_DAY + s;
        de = (int64_t) day * HD_DAY + e;

        if (ds < la) {
            ds = la;
        }

        if (de > lb) {
            de = lb;
        }

        if (de > ds) {
            sum += (uint64_t) (de - ds);
        }
    }

    return sum;
}


int
hd_calendar_working(const hd_calendar_t *c, uint64_t t)
{
    int32_t   day;
    uint32_t  sod, s, e;

    if (c->always) {
        return 1;
    }

    hd_calendar_local(c, t, &day, &sod);

    return hd_calendar_day(c, day, &s, &e) && sod >= s && sod < e;
}

/*
 * An operator's calendar: a holiday file, and the zone and working hours of
 * helpdesk_calendar; the working-time arithmetic then runs on what loaded.
 * The first byte says which: 0 the file, 1 a zone, 2 the hours.
 */

#include "fuzz.h"
#include "hd_calendar.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int32_t        offset;
    hd_err_t       err;
    uint64_t       t, later;
    hd_uchar      *text;
    hd_calendar_t  c;

    if (size < 1) {
        return 0;
    }

    memset(&c, 0, sizeof(c));
    if (hd_calendar_moscow(&c, &err) != HD_OK) {
        abort();
    }

    text = fuzz_copy(data + 1, size - 1);

    switch (data[0] % 3) {
    case 0:
        hd_calendar_holidays(&c, (const char *) text, size - 1, &err);
        break;
    case 1:
        hd_calendar_parse_zone(text, size - 1, &offset);
        break;
    default:
        hd_calendar_parse_hours(&c, text, size - 1);
        break;
    }

    /* what loaded still counts time forward, and never backwards */
    t = 1795300000;
    later = hd_calendar_add(&c, t, 3600 * 30);
    if (later < t || hd_calendar_between(&c, t, later) > 3600 * 30) {
        abort();
    }
    hd_calendar_add_days(&c, t, 3);

    free(text);
    hd_calendar_free(&c);

    return 0;
}

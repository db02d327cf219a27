/*
 * What an operator types for a time: the CLI's instants (sweep --now),
 * periods (3d, 24h) and dates.
 */

#include "fuzz.h"
#include "hd_date.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int32_t       day;
    uint64_t      t;
    hd_uchar     *s;
    char          again[11];
    hd_period_t   period;

    s = fuzz_copy(data, size);

    hd_date_instant(s, size, 3 * 3600, 1795300000, &t);
    hd_period_parse(s, size, &period);

    if (hd_date_parse(s, size, &day) == 0) {
        hd_date_format(day, again);
        if (memcmp(again, s, 10) != 0) {
            abort();                /* a date reads back as written */
        }
    }

    free(s);

    return 0;
}

/*
 * Errors of the core: filling an hd_err_t where the problem is found, and the
 * names of result codes for logs.
 */

#include <stdarg.h>
#include <stdio.h>

#include "hd_core.h"


static const char  *hd_rc_names[] = {
    "ok", "not found", "conflict", "invalid", "forbidden", "limit reached",
    "rate limited", "database full", "i/o error", "corrupt data",
    "out of memory", "busy", "unauthorized"
};


hd_rc
hd_err_set(hd_err_t *err, hd_rc rc, const char *field, const char *code,
    const char *fmt, ...)
{
    va_list  args;

    if (err == NULL) {
        return rc;
    }

    err->rc = rc;
    err->field = field;
    err->code = code;

    va_start(args, fmt);
    vsnprintf(err->text, sizeof(err->text), fmt, args);
    va_end(args);

    return rc;
}


void
hd_err_clear(hd_err_t *err)
{
    err->rc = HD_OK;
    err->field = NULL;
    err->code = NULL;
    err->text[0] = '\0';
}


const char *
hd_rc_name(hd_rc rc)
{
    if ((size_t) rc >= sizeof(hd_rc_names) / sizeof(hd_rc_names[0])) {
        return "unknown";
    }

    return hd_rc_names[rc];
}


size_t
hd_int_text(char *out, int64_t v)
{
    char      tmp[24];
    size_t    n = 0, len = 0;
    uint64_t  u;

    if (v < 0) {
        out[len++] = '-';
        u = (uint64_t) -(v + 1) + 1;

    } else {
        u = (uint64_t) v;
    }

    do {
        tmp[n++] = (char) ('0' + u % 10);
        u /= 10;
    } while (u);

    while (n) {
        out[len++] = tmp[--n];
    }

    return len;
}

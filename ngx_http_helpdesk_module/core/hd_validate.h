/*
 * Formats checked with PCRE2 (compiled once per process, JIT): e-mail
 * addresses, logins, phone numbers.
 */

#ifndef HD_VALIDATE_H
#define HD_VALIDATE_H


#include "hd_core.h"


typedef enum {
    HD_FORMAT_EMAIL = 0,
    HD_FORMAT_LOGIN,
    HD_FORMAT_PHONE,
    HD_FORMAT_COUNT
} hd_format_e;


/* 1 when the text has the format; invalid UTF-8 never does */
int hd_format_match(hd_format_e format, const hd_uchar *p, size_t len);


#endif /* HD_VALIDATE_H */

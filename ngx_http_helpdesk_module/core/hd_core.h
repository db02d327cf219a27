/*
 * The helpdesk core: types every core module shares (result codes, errors,
 * strings). Plain C, no nginx headers: the module and the CLI both link it.
 */

#ifndef HD_CORE_H
#define HD_CORE_H


#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>


typedef unsigned char  hd_uchar;


/* the product's version, as the CLI and the start-up notice say it */
#define HD_VERSION_TEXT  "0.12.0"


/*
 * Result codes of core functions. The nginx adapter maps each to an HTTP
 * status in one table (ngx_http_helpdesk_response.c); the CLI to a message.
 */
typedef enum {
    HD_OK = 0,
    HD_NOT_FOUND,
    HD_CONFLICT,
    HD_INVALID,
    HD_FORBIDDEN,
    HD_LIMIT,
    HD_RATE_LIMITED,
    HD_FULL,
    HD_IO,
    HD_CORRUPT,
    HD_NOMEM,
    HD_BUSY,
    HD_UNAUTHORIZED         /* who is asking is not proven */
} hd_rc;


/* opaque types named across the core (defined in hd_store.h) */
typedef struct hd_store_s  hd_store_t;
typedef struct hd_txn_s    hd_txn_t;


/* the same layout as ngx_str_t: length first */
typedef struct {
    size_t      len;
    hd_uchar   *data;
} hd_str_t;


#define hd_string(s)     { sizeof(s) - 1, (hd_uchar *) s }
#define hd_null_string   { 0, NULL }
#define hd_str_set(str, text)                                                 \
    (str)->len = sizeof(text) - 1; (str)->data = (hd_uchar *) text


/*
 * What went wrong, for people: the field it concerns (NULL when none), a
 * stable code that is also the key of the message in the i18n catalogues
 * ("errors.<code>"), and a text for logs and the CLI.
 */
typedef struct {
    hd_rc         rc;
    const char   *field;
    const char   *code;
    char          text[256];
} hd_err_t;


hd_rc hd_err_set(hd_err_t *err, hd_rc rc, const char *field, const char *code,
    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
void hd_err_clear(hd_err_t *err);
const char *hd_rc_name(hd_rc rc);

/* a whole number as decimal text, without printf: its length (out holds
 * at least 21 bytes) */
size_t hd_int_text(char *out, int64_t v);


static inline int
hd_str_eq(const hd_str_t *s, const char *text)
{
    size_t  n = strlen(text);

    return s->len == n && memcmp(s->data, text, n) == 0;
}


/* the same bytes (an empty one as another, whatever its pointer) */
static inline int
hd_str_same(const hd_str_t *a, const hd_str_t *b)
{
    return a->len == b->len
           && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}


#endif /* HD_CORE_H */

/*
 * A growable byte buffer on malloc: record encoding, file reading, text
 * building where the size is not known in advance.
 */

#ifndef HD_BUF_H
#define HD_BUF_H


#include "hd_core.h"


typedef struct {
    hd_uchar  *data;
    size_t     len;
    size_t     cap;
    int        failed;     /* an allocation failed: the content is cut */
} hd_buf_t;


void hd_buf_init(hd_buf_t *b);
void hd_buf_free(hd_buf_t *b);
void hd_buf_reset(hd_buf_t *b);
int hd_buf_reserve(hd_buf_t *b, size_t more);
int hd_buf_add(hd_buf_t *b, const void *data, size_t len);
int hd_buf_add_str(hd_buf_t *b, const char *s);
int hd_buf_add_byte(hd_buf_t *b, hd_uchar c);
int hd_buf_printf(hd_buf_t *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int hd_buf_read_file(hd_buf_t *b, const char *path);


#endif /* HD_BUF_H */

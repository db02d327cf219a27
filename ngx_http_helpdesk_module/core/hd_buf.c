/*
 * The growable buffer. Functions return 0 on success and -1 when memory ran
 * out; the failure is also remembered in the buffer.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hd_buf.h"


void
hd_buf_init(hd_buf_t *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = 0;
}


void
hd_buf_free(hd_buf_t *b)
{
    free(b->data);
    hd_buf_init(b);
}


void
hd_buf_reset(hd_buf_t *b)
{
    b->len = 0;
    b->failed = 0;
}


int
hd_buf_reserve(hd_buf_t *b, size_t more)
{
    size_t     cap;
    hd_uchar  *p;

    if (b->failed) {
        return -1;
    }

    if (b->cap - b->len > more) {
        return 0;
    }

    cap = b->cap ? b->cap : 256;

    while (cap - b->len <= more) {
        cap *= 2;
    }

    p = realloc(b->data, cap);
    if (p == NULL) {
        b->failed = 1;
        return -1;
    }

    b->data = p;
    b->cap = cap;

    return 0;
}


int
hd_buf_add(hd_buf_t *b, const void *data, size_t len)
{
    if (hd_buf_reserve(b, len) != 0) {
        return -1;
    }

    if (len) {
        memcpy(b->data + b->len, data, len);
    }

    b->len += len;
    b->data[b->len] = '\0';   /* reserve keeps one spare byte */

    return 0;
}


int
hd_buf_add_str(hd_buf_t *b, const char *s)
{
    return hd_buf_add(b, s, strlen(s));
}


int
hd_buf_add_byte(hd_buf_t *b, hd_uchar c)
{
    return hd_buf_add(b, &c, 1);
}


int
hd_buf_printf(hd_buf_t *b, const char *fmt, ...)
{
    int      n;
    va_list  args;

    va_start(args, fmt);
    n = vsnprintf(NULL, 0, fmt, args);
    va_end(args);

    if (n < 0 || hd_buf_reserve(b, (size_t) n + 1) != 0) {
        return -1;
    }

    va_start(args, fmt);
    vsnprintf((char *) b->data + b->len, (size_t) n + 1, fmt, args);
    va_end(args);

    b->len += n;

    return 0;
}


int
hd_buf_read_file(hd_buf_t *b, const char *path)
{
    int      fd;
    ssize_t  n;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        return -1;
    }

    for ( ;; ) {
        if (hd_buf_reserve(b, 65536) != 0) {
            close(fd);
            errno = ENOMEM;
            return -1;
        }

        n = read(fd, b->data + b->len, b->cap - b->len - 1);

        if (n == -1) {
            if (errno == EINTR) {
                continue;
            }

            close(fd);
            return -1;
        }

        if (n == 0) {
            break;
        }

        b->len += n;
    }

    b->data[b->len] = '\0';
    close(fd);

    return 0;
}

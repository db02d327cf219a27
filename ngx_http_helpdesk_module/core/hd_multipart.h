/*
 * multipart/form-data (RFC 7578) parsed as a stream: the body is fed in
 * pieces of any size, text fields are handed over whole (bounded), files in
 * pieces as they come, so that memory does not grow with an upload.
 */

#ifndef HD_MULTIPART_H
#define HD_MULTIPART_H


#include "hd_core.h"


typedef struct hd_multipart_s  hd_multipart_t;

typedef struct {
    /* a text field, whole */
    hd_rc       (*field)(void *data, const hd_str_t *name,
                         const hd_str_t *value, hd_err_t *err);
    /* a file: its start (names as sent), its bytes, its end */
    hd_rc       (*file_begin)(void *data, const hd_str_t *name,
                              const hd_str_t *filename,
                              const hd_str_t *type, hd_err_t *err);
    hd_rc       (*file_data)(void *data, const hd_uchar *p, size_t len,
                             hd_err_t *err);
    hd_rc       (*file_end)(void *data, hd_err_t *err);
    void         *data;
    size_t        field_max;        /* bytes of a text field */
    size_t        fields_max;       /* parts of any kind */
} hd_multipart_handler_t;


/* the boundary parameter of a Content-Type; -1 when it has none */
int hd_multipart_boundary(const hd_uchar *content_type, size_t len,
    hd_str_t *boundary);

hd_multipart_t *hd_multipart_create(const hd_str_t *boundary,
    const hd_multipart_handler_t *handler);
hd_rc hd_multipart_feed(hd_multipart_t *mp, const hd_uchar *p, size_t len,
    hd_err_t *err);
/* the body ended: an error unless the closing boundary was seen */
hd_rc hd_multipart_finish(hd_multipart_t *mp, hd_err_t *err);
void hd_multipart_destroy(hd_multipart_t *mp);


#endif /* HD_MULTIPART_H */

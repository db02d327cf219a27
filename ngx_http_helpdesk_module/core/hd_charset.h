/*
 * Text of mail that comes in, made UTF-8 whatever it claims (SPEC §7.2: no
 * message is lost for its encoding). A declared charset is read through its
 * real name (gb2312 is GB18030, latin1 is Windows-1252, as mail clients and
 * browsers read them); undeclared 8-bit text is UTF-8 when it mostly is,
 * else the charset the caller knows from the message, else the one of
 * Windows-1251, KOI8-R, ISO-8859-5 and Windows-1252 the text reads best in.
 * A byte that cannot be read costs one character (U+FFFD), never the text.
 */

#ifndef HD_CHARSET_H
#define HD_CHARSET_H


#include "hd_core.h"
#include "hd_buf.h"


/*
 * in as UTF-8 appended to out. declared: the charset the text says it is
 * (NULL: none); fallback: the message's own charset for undeclared text
 * (a header's raw 8-bit bytes; NULL: none). -1 only when out of memory.
 */
int hd_charset_to_utf8(const char *declared, const hd_uchar *in, size_t len,
    const char *fallback, hd_buf_t *out);

/* valid UTF-8 appended, each byte that is not a character as U+FFFD */
int hd_charset_utf8_repair(const hd_uchar *in, size_t len, hd_buf_t *out);

/* 1 when len bytes are valid UTF-8 */
int hd_charset_utf8_valid(const hd_uchar *in, size_t len);

/* the legacy charset undeclared 8-bit text reads best in */
const char *hd_charset_detect(const hd_uchar *in, size_t len);


#endif /* HD_CHARSET_H */

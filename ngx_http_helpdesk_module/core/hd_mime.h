/*
 * MIME on GMime 3, the only file that includes it: the messages the portal
 * sends (UTF-8 text with an HTML alternative, RFC 2047 headers, threading
 * headers), built so that no text of ours can start a header of its own.
 */

#ifndef HD_MIME_H
#define HD_MIME_H


#include "hd_core.h"
#include "hd_buf.h"


/* what a message says; strings need not be NUL-terminated */
typedef struct {
    hd_str_t      from_name;
    hd_str_t      from_address;
    hd_str_t      to_name;
    hd_str_t      to_address;
    hd_str_t      subject;
    hd_str_t      text;             /* text/plain, UTF-8 */
    hd_str_t      html;             /* text/html, UTF-8; empty: none */
    hd_str_t      message_id;       /* without <>: "id@domain" */
    hd_str_t      thread;           /* In-Reply-To and References: the
                                       ticket's first message; empty: none */
    uint64_t      date;             /* Unix time */
    unsigned      auto_generated:1; /* Auto-Submitted: auto-generated */
    hd_str_t      unsubscribe;      /* a URL for List-Unsubscribe (one
                                       click, RFC 8058); empty: none */
} hd_mime_mail_t;


/* once per process, before threads use it (safe to call again) */
void hd_mime_init(void);

/*
 * The message as sent on the wire (CRLF lines) appended to out. Every
 * header text is one line: control characters (CR, LF...) become spaces,
 * so a name or subject can never add a header. HD_INVALID when an address
 * is not one.
 */
hd_rc hd_mime_build(const hd_mime_mail_t *mail, hd_buf_t *out,
    hd_err_t *err);

/* an address fit for an SMTP envelope: no space, control, <, > or quote */
int hd_mime_address_ok(const hd_uchar *p, size_t len);

/*
 * A header's text decoded to UTF-8 (RFC 2047 encoded-words, folding
 * undone), appended to out. Ours rather than GMime's: the 3.2.13 that
 * Debian 12 ships drops an encoded-word that follows one ending in base64
 * padding (GMime issue 133, fixed in 3.2.14). Each word is decoded alone,
 * adjacent words of one charset joined before conversion (a character may
 * be split between them); an unknown charset leaves the word as it was.
 */
int hd_mime_decode_header(const hd_uchar *in, size_t len, hd_buf_t *out);


#endif /* HD_MIME_H */

/*
 * MIME on GMime 3 (hd_mime.c builds, hd_mime_parse.c reads: the only files
 * that include it): the messages the portal sends (UTF-8 text with an HTML
 * alternative, RFC 2047 headers, threading headers), built so that no text
 * of ours can start a header of its own; and the mail that comes in.
 */

#ifndef HD_MIME_H
#define HD_MIME_H


#include "hd_core.h"
#include "hd_buf.h"
#include "hd_pool.h"


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
    hd_str_t      token;            /* an id of ours for References only
                                       (the thread's root carries its
                                       reader's token so): empty: none */
    uint64_t      date;             /* Unix time */
    unsigned      auto_generated:1; /* Auto-Submitted: auto-generated */
    unsigned      auto_replied:1;   /* Auto-Submitted: auto-replied */
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


/* --- messages that come in ---------------------------------------------- */

#define HD_MIME_DSN_MAX    8
#define HD_MIME_EXTRA_MAX  16
#define HD_MIME_AUTH_MAX   4


typedef struct {
    hd_str_t      name;             /* UTF-8, as given (never a path) */
    hd_str_t      type;             /* "image/png" */
    hd_str_t      data;             /* decoded */
    hd_str_t      content_id;       /* an inline image's cid */
} hd_mime_file_t;


/* a recipient of a delivery report (RFC 3464) */
typedef struct {
    hd_str_t      recipient;        /* Final-Recipient, without "rfc822;" */
    hd_str_t      action;           /* failed, delayed, delivered... */
    hd_str_t      status;           /* 5.1.1 */
    hd_str_t      diagnostic;       /* Diagnostic-Code */
} hd_mime_dsn_t;


typedef struct {
    size_t        max_parts;        /* MIME parts looked at */
    size_t        max_depth;        /* multipart nesting */
    size_t        max_file;         /* bytes of one attachment */
    size_t        max_total;        /* of all attachments */
    size_t        max_files;
    size_t        max_header;       /* bytes of a decoded header */
    size_t        max_text;         /* bytes of the body's text */
    const char *const  *headers;    /* more headers to read (their first
                                       field each) into extra[] */
    size_t        nheaders;         /* at most HD_MIME_EXTRA_MAX */
} hd_mime_limits_t;


typedef struct {
    /* headers, decoded to UTF-8; addresses as given */
    hd_str_t      from_name;
    hd_str_t      from_address;
    hd_str_t      subject;
    hd_str_t      message_id;       /* without <> */
    hd_str_t      in_reply_to;      /* the first id, without <> */
    hd_str_t      references;       /* as given: <a> <b> ... */
    hd_str_t      auto_submitted;
    hd_str_t      precedence;
    hd_str_t      list_id;
    hd_str_t      return_path;
    hd_str_t      extra[HD_MIME_EXTRA_MAX];  /* limits->headers' values */

    /* Authentication-Results fields, the topmost (the last MTA's) first */
    hd_str_t      auth_results[HD_MIME_AUTH_MAX];
    size_t        nauth;

    /* the text a person wrote: text/plain, or the HTML made text */
    hd_str_t      text;
    unsigned      from_html:1;

    hd_mime_file_t  *files;
    size_t           nfiles;
    hd_mime_file_t  *skipped;       /* over a limit: name and size only */
    size_t           nskipped;

    /* a delivery report: who it is about, the message it returns */
    unsigned         report:1;
    hd_mime_dsn_t    dsn[HD_MIME_DSN_MAX];
    size_t           ndsn;
    hd_str_t         report_message_id;

    size_t           parts;
    unsigned         truncated:1;   /* more parts or depth than allowed */
} hd_mime_message_t;


/*
 * A raw RFC 5322 message read into m (strings in the pool). HD_INVALID
 * when it is no message at all; broken MIME is read as far as it goes.
 * Every charset is made UTF-8 (hd_charset: declared ones by their real
 * names, undeclared 8-bit text as UTF-8, the message's charset or a guess;
 * a byte that is no character costs one); NUL and other control characters
 * leave the text. A header block that a body line follows without the
 * blank line is read as if the blank line were there.
 */
hd_rc hd_mime_parse(const hd_uchar *raw, size_t len,
    const hd_mime_limits_t *limits, hd_pool_t *pool, hd_mime_message_t *m,
    hd_err_t *err);


#endif /* HD_MIME_H */

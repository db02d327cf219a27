/*
 * Transfers on libcurl, the only file that includes it: SMTP transactions
 * driven through curl's multi-socket interface by an event loop that the
 * caller brings (nginx's in the module, poll() in tests) through three
 * hooks. Nothing here blocks: the loop says when a socket is ready or the
 * timer is due, and a job's done() is called when its transaction ends.
 */

#ifndef HD_CURL_H
#define HD_CURL_H


#include "hd_core.h"
#include "hd_smtp.h"


typedef struct hd_curl_s      hd_curl_t;
typedef struct hd_smtp_job_s  hd_smtp_job_t;


typedef struct {
    void   *loop;

    /* watch fd for reading and/or writing; *sock is the loop's data of
       the socket (NULL the first time, kept by the engine); 0 or -1 */
    int   (*watch)(void *loop, int fd, int read, int write, void **sock);
    /* stop watching fd: curl no longer needs it (it may stay open) */
    void  (*unwatch)(void *loop, int fd, void *sock);
    /* call hd_curl_timeout() after ms milliseconds; -1: cancel */
    void  (*timer)(void *loop, long ms);
} hd_curl_hooks_t;


struct hd_smtp_job_s {
    /* the caller's */
    const hd_smtp_conf_t   *conf;
    const char             *rcpt;           /* the envelope recipient */
    const hd_uchar         *data;           /* the message, CRLF lines */
    size_t                  len;
    void                  (*done)(hd_smtp_job_t *job);
    void                   *ctx;

    /* what came of it, when done() is called */
    hd_smtp_answer_t        answer;

    /* the engine's */
    hd_smtp_job_t          *next;           /* the running ones */
    hd_smtp_job_t          *prev;
    size_t                  sent;
    void                   *easy;
    void                   *rcpts;
    hd_curl_t              *curl;
    hd_smtp_answer_t        failed;         /* the relay's 4xx/5xx line */
    char                    error[256];
};


/* once per process, before threads (safe to call again) */
void hd_curl_init(void);

/* connections: how many to the relay at most (also kept for reuse) */
hd_curl_t *hd_curl_create(const hd_curl_hooks_t *hooks, unsigned connections);

/* jobs still running are dropped without done(); connections closed */
void hd_curl_destroy(hd_curl_t *c);

/* starts the transaction; -1 when it cannot (done() is never called from
   inside this call) */
int hd_curl_smtp(hd_curl_t *c, hd_smtp_job_t *job);

/* the loop's events */
void hd_curl_ready(hd_curl_t *c, int fd, int readable, int writable);
void hd_curl_timeout(hd_curl_t *c);

/* transactions started and not yet done */
unsigned hd_curl_running(const hd_curl_t *c);


/*
 * Blocking transfers, for a thread or a command: an HTTP POST (the mail
 * gate's pipe command) and an IMAP session (the mailbox the portal reads).
 */

typedef struct {
    const char         *url;
    const char * const *headers;        /* "Name: value", NULL-terminated */
    const void         *body;
    size_t              len;
    const char         *content_type;
    long                timeout;        /* seconds, the whole transfer */
    const char         *cacert;         /* NULL: the system's */

    long                status;         /* the HTTP status */
    char                response[4096]; /* its start, NUL-terminated */
    char                error[256];
} hd_http_post_t;

/* 0 when the server answered (whatever status), -1 when it did not */
int hd_curl_post(hd_http_post_t *p);


typedef struct hd_imap_s  hd_imap_t;

typedef struct {
    const char   *url;                  /* imaps://host[:port]/MAILBOX */
    const char   *user;
    const char   *password;
    const char   *cacert;               /* NULL: the system's */
    int           insecure;             /* no certificate check (tests) */
    long          timeout;              /* seconds, each command */
} hd_imap_conf_t;

/* a session (no connection until the first command; kept between them) */
hd_imap_t *hd_imap_open(const hd_imap_conf_t *conf);
void hd_imap_close(hd_imap_t *s);

/* the UIDs of messages matching an IMAP SEARCH; *uids malloc()ed, the
   caller frees it; -1 and the error text on failure */
int hd_imap_search(hd_imap_t *s, const char *criteria, uint64_t **uids,
    size_t *n);

/* the whole messages of n UIDs, a few at once on connections of their own:
   data[i] malloc()ed (the caller frees them, NULL when not fetched); rcs[i]
   0, -1 failed (or not tried after a failure), -2 larger than max (data
   then holds its start), -3 no such message (gone since the search); -1
   when any failed */
int hd_imap_fetch_many(hd_imap_t *s, const uint64_t *uids, size_t n,
    hd_uchar **data, size_t *len, int *rcs, size_t max);

/* a command on the selected mailbox, e.g. "UID STORE 5 +FLAGS (\\Seen)" */
int hd_imap_command(hd_imap_t *s, const char *command);

/* the last failure: curl's words and the server's NO/BAD line if any */
const char *hd_imap_error(const hd_imap_t *s);


#endif /* HD_CURL_H */

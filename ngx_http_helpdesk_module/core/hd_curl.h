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


#endif /* HD_CURL_H */

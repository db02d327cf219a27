/*
 * libcurl's multi-socket interface under the caller's event loop, and the
 * SMTP transaction as curl options: the relay's answers are read from the
 * header callback (curl gives SMTP's response lines there), the stage a
 * failure happened at from curl's result and its error text.
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <curl/curl.h>

#include "hd_curl.h"


#define HD_CURL_SOCKETS  64


typedef struct {
    int             fd;
    void           *sock;           /* the loop's */
} hd_curl_socket_t;


struct hd_curl_s {
    CURLM                  *multi;
    hd_curl_hooks_t         hooks;
    unsigned                running;
    hd_smtp_job_t          *jobs;           /* running */
    hd_curl_socket_t        sockets[HD_CURL_SOCKETS];
    unsigned                nsockets;
};


static pthread_once_t  hd_curl_once = PTHREAD_ONCE_INIT;


static void
hd_curl_init_once(void)
{
    (void) curl_global_init(CURL_GLOBAL_DEFAULT);
}


void
hd_curl_init(void)
{
    (void) pthread_once(&hd_curl_once, hd_curl_init_once);
}


static hd_curl_socket_t *
hd_curl_socket(hd_curl_t *c, int fd)
{
    unsigned  i;

    for (i = 0; i < c->nsockets; i++) {
        if (c->sockets[i].fd == fd) {
            return &c->sockets[i];
        }
    }

    return NULL;
}


static void
hd_curl_forget(hd_curl_t *c, hd_curl_socket_t *s)
{
    c->hooks.unwatch(c->hooks.loop, s->fd, s->sock);
    *s = c->sockets[--c->nsockets];
}


/* CURLMOPT_SOCKETFUNCTION: what curl wants of a socket now */
static int
hd_curl_socket_cb(CURL *easy, curl_socket_t fd, int what, void *data,
    void *sockp)
{
    hd_curl_t         *c = data;
    hd_curl_socket_t  *s;

    (void) easy;
    (void) sockp;

    s = hd_curl_socket(c, fd);

    if (what == CURL_POLL_REMOVE) {
        if (s != NULL) {
            hd_curl_forget(c, s);
        }

        return 0;
    }

    if (s == NULL) {
        if (c->nsockets == HD_CURL_SOCKETS) {
            return -1;
        }

        s = &c->sockets[c->nsockets++];
        s->fd = fd;
        s->sock = NULL;
    }

    if (c->hooks.watch(c->hooks.loop, fd,
                       what == CURL_POLL_IN || what == CURL_POLL_INOUT,
                       what == CURL_POLL_OUT || what == CURL_POLL_INOUT,
                       &s->sock)
        != 0)
    {
        *s = c->sockets[--c->nsockets];
        return -1;
    }

    return 0;
}


/* CURLMOPT_TIMERFUNCTION */
static int
hd_curl_timer_cb(CURLM *multi, long ms, void *data)
{
    hd_curl_t  *c = data;

    (void) multi;

    c->hooks.timer(c->hooks.loop, ms);

    return 0;
}


/* CURLOPT_CLOSESOCKETFUNCTION: never a watched descriptor closed under the
   loop (the number could come back for another connection) */
static int
hd_curl_close_cb(void *data, curl_socket_t fd)
{
    hd_curl_t         *c = data;
    hd_curl_socket_t  *s;

    s = hd_curl_socket(c, fd);
    if (s != NULL) {
        hd_curl_forget(c, s);
    }

    return close(fd);
}


hd_curl_t *
hd_curl_create(const hd_curl_hooks_t *hooks, unsigned connections)
{
    hd_curl_t  *c;

    hd_curl_init();

    c = calloc(1, sizeof(hd_curl_t));
    if (c == NULL) {
        return NULL;
    }

    c->hooks = *hooks;
    c->multi = curl_multi_init();

    if (c->multi == NULL) {
        free(c);
        return NULL;
    }

    if (connections == 0) {
        connections = 1;
    }

    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, hd_curl_socket_cb);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, hd_curl_timer_cb);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      (long) connections);
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      (long) connections);
    curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long) connections);

    return c;
}


static void
hd_curl_job_free(hd_smtp_job_t *job)
{
    hd_curl_t  *c = job->curl;

    if (job->prev != NULL) {
        job->prev->next = job->next;

    } else if (c->jobs == job) {
        c->jobs = job->next;
    }

    if (job->next != NULL) {
        job->next->prev = job->prev;
    }

    job->next = job->prev = NULL;

    if (job->easy != NULL) {
        curl_multi_remove_handle(c->multi, job->easy);
        curl_easy_cleanup(job->easy);
        job->easy = NULL;
    }

    if (job->rcpts != NULL) {
        curl_slist_free_all(job->rcpts);
        job->rcpts = NULL;
    }
}


void
hd_curl_destroy(hd_curl_t *c)
{
    if (c == NULL) {
        return;
    }

    while (c->jobs != NULL) {
        hd_curl_job_free(c->jobs);
    }

    curl_multi_cleanup(c->multi);

    while (c->nsockets) {
        hd_curl_forget(c, &c->sockets[c->nsockets - 1]);
    }

    free(c);
}


static size_t
hd_curl_read_cb(char *buf, size_t size, size_t n, void *data)
{
    size_t          len;
    hd_smtp_job_t  *job = data;

    len = job->len - job->sent;
    if (len > size * n) {
        len = size * n;
    }

    memcpy(buf, job->data + job->sent, len);
    job->sent += len;

    return len;
}


/* the last line of a response: "250 2.0.0 Ok: queued as 1234" */
static void
hd_curl_answer_line(hd_smtp_answer_t *a, const char *line, size_t len)
{
    while (len && (line[len - 1] == '\r' || line[len - 1] == '\n')) {
        len--;
    }

    if (len >= sizeof(a->text)) {
        len = sizeof(a->text) - 1;
    }

    memcpy(a->text, line, len);
    a->text[len] = '\0';
    a->code = (unsigned) ((line[0] - '0') * 100 + (line[1] - '0') * 10
                          + (line[2] - '0'));
}


static size_t
hd_curl_header_cb(char *buf, size_t size, size_t n, void *data)
{
    size_t          len = size * n;
    hd_smtp_job_t  *job = data;

    /* a final line of a response: three digits and a space (or the end) */
    if (len >= 3 && buf[0] >= '2' && buf[0] <= '5'
        && buf[1] >= '0' && buf[1] <= '9' && buf[2] >= '0' && buf[2] <= '9'
        && (len == 3 || buf[3] != '-'))
    {
        hd_curl_answer_line(&job->answer, buf, len);

        if (buf[0] >= '4') {
            job->failed = job->answer;
        }
    }

    return len;
}


int
hd_curl_smtp(hd_curl_t *c, hd_smtp_job_t *job)
{
    char                   url[HD_SMTP_HOST_MAX * 2 + 32], from[300];
    CURL                  *easy;
    const char            *scheme;
    const hd_smtp_conf_t  *conf = job->conf;

    memset(&job->answer, 0, sizeof(job->answer));
    memset(&job->failed, 0, sizeof(job->failed));
    job->sent = 0;
    job->error[0] = '\0';
    job->curl = c;

    if (strlen(job->rcpt) + 3 > sizeof(from)) {
        return -1;
    }

    scheme = conf->implicit_tls ? "smtps" : "smtp";

    /* the path is the name curl says in EHLO */
    snprintf(url, sizeof(url),
             strchr(conf->host, ':') ? "%s://[%s]:%u/%s" : "%s://%s:%u/%s",
             scheme, conf->host, conf->port, conf->helo);

    easy = curl_easy_init();
    if (easy == NULL) {
        return -1;
    }

    snprintf(from, sizeof(from), "<%s>", job->rcpt);
    job->rcpts = curl_slist_append(NULL, from);

    if (job->rcpts == NULL) {
        curl_easy_cleanup(easy);
        return -1;
    }

    snprintf(from, sizeof(from), "<%s>", conf->from_address);

    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, job);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, job->error);
    curl_easy_setopt(easy, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, job->rcpts);
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t) job->len);
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, hd_curl_read_cb);
    curl_easy_setopt(easy, CURLOPT_READDATA, job);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, hd_curl_header_cb);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, job);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, hd_curl_close_cb);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, c);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long) conf->timeout_ms);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long) conf->timeout_ms);
    curl_easy_setopt(easy, CURLOPT_SERVER_RESPONSE_TIMEOUT,
                     (long) (conf->timeout_ms + 999) / 1000);

    curl_easy_setopt(easy, CURLOPT_USE_SSL,
                     conf->starttls == HD_STARTTLS_REQUIRED ? CURLUSESSL_ALL
                     : conf->starttls == HD_STARTTLS_ON ? CURLUSESSL_TRY
                     : CURLUSESSL_NONE);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, conf->verify ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, conf->verify ? 2L : 0L);

    if (conf->ca[0]) {
        curl_easy_setopt(easy, CURLOPT_CAINFO, conf->ca);
    }

    if (conf->user[0]) {
        curl_easy_setopt(easy, CURLOPT_USERNAME, conf->user);
        curl_easy_setopt(easy, CURLOPT_PASSWORD, conf->password);
    }

    if (curl_multi_add_handle(c->multi, easy) != CURLM_OK) {
        curl_easy_cleanup(easy);
        curl_slist_free_all(job->rcpts);
        job->rcpts = NULL;
        return -1;
    }

    job->easy = easy;
    job->prev = NULL;
    job->next = c->jobs;

    if (c->jobs != NULL) {
        c->jobs->prev = job;
    }

    c->jobs = job;
    c->running++;

    return 0;
}


/* where a failed transaction stopped, from curl's result and words */
static hd_smtp_stage_e
hd_curl_stage(CURLcode rc, const hd_smtp_job_t *job)
{
    switch (rc) {

    case CURLE_OK:
        return HD_SMTP_AT_DONE;

    case CURLE_LOGIN_DENIED:
    case CURLE_AUTH_ERROR:
        return HD_SMTP_AT_AUTH;

    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        return HD_SMTP_AT_TLS;

    default:
        break;
    }

    if (strncmp(job->error, "MAIL failed", 11) == 0) {
        return HD_SMTP_AT_MAIL;
    }

    if (strncmp(job->error, "RCPT failed", 11) == 0) {
        return HD_SMTP_AT_RCPT;
    }

    /* the message was out: what came back was the answer to it */
    if (strncmp(job->error, "DATA failed", 11) == 0 || job->sent == job->len) {
        return job->failed.code ? HD_SMTP_AT_DATA : HD_SMTP_AT_CONNECT;
    }

    return HD_SMTP_AT_CONNECT;
}


static void
hd_curl_finish(hd_curl_t *c)
{
    int              left;
    CURLMsg         *msg;
    hd_smtp_job_t   *job, *done[64];
    unsigned         i, n;

    do {
        n = 0;

        while (n < sizeof(done) / sizeof(done[0])
               && (msg = curl_multi_info_read(c->multi, &left)) != NULL)
        {
            if (msg->msg != CURLMSG_DONE) {
                continue;
            }

            job = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
                              (char **) &job);

            if (job == NULL) {
                continue;
            }

            job->answer.stage = (uint8_t) hd_curl_stage(msg->data.result,
                                                        job);

            if (msg->data.result != CURLE_OK) {
                if (job->failed.code) {
                    /* the relay's own words: what it refused */
                    memcpy(job->answer.text, job->failed.text,
                           sizeof(job->answer.text));
                    job->answer.code = job->failed.code;

                } else {
                    job->answer.code = 0;
                    snprintf(job->answer.text, sizeof(job->answer.text),
                             "%s", job->error[0]
                                   ? job->error
                                   : curl_easy_strerror(msg->data.result));
                }
            }

            hd_curl_job_free(job);
            c->running--;
            done[n++] = job;
        }

        /* after curl's loop: a done() may start the next transaction */
        for (i = 0; i < n; i++) {
            done[i]->done(done[i]);
        }

    } while (n == sizeof(done) / sizeof(done[0]));
}


void
hd_curl_ready(hd_curl_t *c, int fd, int readable, int writable)
{
    int  running, mask = 0;

    if (readable) {
        mask |= CURL_CSELECT_IN;
    }

    if (writable) {
        mask |= CURL_CSELECT_OUT;
    }

    (void) curl_multi_socket_action(c->multi, fd, mask, &running);
    hd_curl_finish(c);
}


void
hd_curl_timeout(hd_curl_t *c)
{
    int  running;

    (void) curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0,
                                    &running);
    hd_curl_finish(c);
}


unsigned
hd_curl_running(const hd_curl_t *c)
{
    return c->running;
}


/* --- blocking transfers -------------------------------------------------- */


typedef struct {
    char    *data;
    size_t   len;
    size_t   cap;
    size_t   max;                       /* more is an error */
    int      over;
} hd_curl_sink_t;


static size_t
hd_curl_sink_cb(char *buf, size_t size, size_t n, void *data)
{
    char            *p;
    size_t           len = size * n, cap;
    hd_curl_sink_t  *s = data;

    if (s->len + len > s->max) {
        s->over = 1;
        return 0;                       /* curl stops: CURLE_WRITE_ERROR */
    }

    if (s->len + len + 1 > s->cap) {
        cap = s->cap ? s->cap : 16384;

        while (cap < s->len + len + 1) {
            cap *= 2;
        }

        p = realloc(s->data, cap);
        if (p == NULL) {
            return 0;
        }

        s->data = p;
        s->cap = cap;
    }

    memcpy(s->data + s->len, buf, len);
    s->len += len;
    s->data[s->len] = '\0';

    return len;
}


/* the start of the answer only: the mail gate's JSON is short */
static size_t
hd_curl_response_cb(char *buf, size_t size, size_t n, void *data)
{
    size_t           len = size * n, room;
    hd_http_post_t  *p = data;

    room = sizeof(p->response) - 1 - strlen(p->response);
    len = len < room ? len : room;
    memcpy(p->response + strlen(p->response), buf, len);

    return size * n;
}


int
hd_curl_post(hd_http_post_t *p)
{
    int                 rc;
    char                type[128];
    CURL               *easy;
    CURLcode            res;
    struct curl_slist  *headers = NULL, *h;
    const char * const *hp;

    hd_curl_init();

    p->status = 0;
    p->response[0] = '\0';
    p->error[0] = '\0';

    easy = curl_easy_init();
    if (easy == NULL) {
        snprintf(p->error, sizeof(p->error), "libcurl cannot start");
        return -1;
    }

    snprintf(type, sizeof(type), "Content-Type: %s",
             p->content_type ? p->content_type : "application/octet-stream");

    headers = curl_slist_append(NULL, type);

    /* no "100 Continue" round trip: the gate answers a wrong key anyway */
    h = headers ? curl_slist_append(headers, "Expect:") : NULL;
    headers = h ? h : headers;

    for (hp = p->headers; hp != NULL && *hp != NULL && headers; hp++) {
        h = curl_slist_append(headers, *hp);
        headers = h ? h : headers;
    }

    curl_easy_setopt(easy, CURLOPT_URL, p->url);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, p->body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     (curl_off_t) p->len);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, p->timeout > 0 ? p->timeout
                                                           : 300L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, hd_curl_response_cb);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, p);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, p->error);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "helpdesk-mailgate");

    if (p->cacert != NULL) {
        curl_easy_setopt(easy, CURLOPT_CAINFO, p->cacert);
    }

    res = curl_easy_perform(easy);

    if (res == CURLE_OK) {
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &p->status);
        rc = 0;

    } else {
        if (p->error[0] == '\0') {
            snprintf(p->error, sizeof(p->error), "%s",
                     curl_easy_strerror(res));
        }

        rc = -1;
    }

    curl_slist_free_all(headers);
    curl_easy_cleanup(easy);

    return rc;
}


/* a connection of the session: its handle, what it received */
typedef struct {
    CURL            *easy;
    hd_curl_sink_t   sink;
    char             curl_error[CURL_ERROR_SIZE];
    int              recycle;
    int              busy;              /* in the multi */
    int              stale;             /* flags changed by another one */
    size_t           index;             /* the fetch it does */
} hd_imap_conn_t;


#define HD_IMAP_NOOP      ((size_t) -1) /* a connection's index: no fetch */
#define HD_IMAP_TRIES     3             /* a message's fetches at most */


#define HD_IMAP_CONNS     4             /* fetches at once */
#define HD_IMAP_UIDS_MAX  (1024 * 1024) /* a pass's messages at most */
#define HD_IMAP_SAID_MAX  (100 * 1024)


struct hd_imap_s {
    hd_imap_conf_t   conf;
    char             base[1024];        /* the URL without a trailing / */
    char             error[CURL_ERROR_SIZE + 256];
    hd_imap_conn_t   conn[HD_IMAP_CONNS];
    CURLM           *multi;
};


hd_imap_t *
hd_imap_open(const hd_imap_conf_t *conf)
{
    size_t      len;
    hd_imap_t  *s;

    hd_curl_init();

    s = calloc(1, sizeof(hd_imap_t));
    if (s == NULL) {
        return NULL;
    }

    s->conf = *conf;
    snprintf(s->base, sizeof(s->base), "%s", conf->url);
    len = strlen(s->base);

    while (len && s->base[len - 1] == '/') {
        s->base[--len] = '\0';
    }

    return s;
}


void
hd_imap_close(hd_imap_t *s)
{
    size_t  i;

    if (s == NULL) {
        return;
    }

    for (i = 0; i < HD_IMAP_CONNS; i++) {
        if (s->conn[i].easy != NULL) {
            if (s->conn[i].busy) {
                curl_multi_remove_handle(s->multi, s->conn[i].easy);
            }

            curl_easy_cleanup(s->conn[i].easy);
        }

        free(s->conn[i].sink.data);
    }

    if (s->multi != NULL) {
        curl_multi_cleanup(s->multi);
    }

    free(s);
}


const char *
hd_imap_error(const hd_imap_t *s)
{
    return s->error;
}


/* a connection's handle set for one command; -1 when there is none */
static int
hd_imap_setup(hd_imap_t *s, hd_imap_conn_t *c, const char *url,
    const char *custom, size_t max)
{
    CURL  *e;

    c->sink.len = 0;
    c->sink.over = 0;
    c->sink.max = max;
    c->curl_error[0] = '\0';

    if (c->sink.data != NULL) {
        c->sink.data[0] = '\0';
    }

    /*
     * curl adds up what a server said across the transfers of one handle
     * (CURLINFO_HEADER_SIZE, a fetched message's lines included) and
     * refuses more than 300 kB of it ("Too large response headers"): a
     * handle that said much is given up for a new one (a new login) before
     * it gets there
     */
    if (c->recycle && c->easy != NULL) {
        curl_easy_cleanup(c->easy);
        c->easy = NULL;
    }

    c->recycle = 0;

    if (c->easy == NULL) {
        c->easy = curl_easy_init();

        if (c->easy == NULL) {
            snprintf(s->error, sizeof(s->error), "libcurl cannot start");
            return -1;
        }
    }

    e = c->easy;

    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    curl_easy_setopt(e, CURLOPT_USERNAME, s->conf.user);
    curl_easy_setopt(e, CURLOPT_PASSWORD, s->conf.password);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, custom);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, hd_curl_sink_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &c->sink);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->curl_error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, c);
    /* libcurl mangles an untagged line longer than its buffer: SEARCH's
       answer without ESEARCH is one (80,000 UIDs fit) */
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 512L * 1024);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, s->conf.timeout > 0
                                         ? s->conf.timeout : 60L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(e, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);

    if (s->conf.cacert != NULL) {
        curl_easy_setopt(e, CURLOPT_CAINFO, s->conf.cacert);
    }

    if (s->conf.insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }

    return 0;
}


/* what came of a connection's command: 0, -1 failed, -2 too large */
static int
hd_imap_result(hd_imap_t *s, hd_imap_conn_t *c, CURLcode res)
{
    long  said;

    if (curl_easy_getinfo(c->easy, CURLINFO_HEADER_SIZE, &said) == CURLE_OK
        && said > HD_IMAP_SAID_MAX)
    {
        c->recycle = 1;
    }

    if (res == CURLE_OK) {
        return 0;
    }

    if (c->sink.over) {
        snprintf(s->error, sizeof(s->error), "more than %zu bytes",
                 c->sink.max);
        return -2;
    }

    snprintf(s->error, sizeof(s->error), "%s",
             c->curl_error[0] ? c->curl_error : curl_easy_strerror(res));

    /* the server has no such message (gone since the search): nothing
       wrong with the connection */
    if (res == CURLE_REMOTE_FILE_NOT_FOUND) {
        return -3;
    }

    /* a connection that failed is not used again */
    c->recycle = 1;

    return -1;
}


/* one command on the session's first connection (made again when it went) */
static int
hd_imap_perform(hd_imap_t *s, const char *url, const char *custom,
    size_t max)
{
    hd_imap_conn_t  *c = &s->conn[0];

    s->error[0] = '\0';

    if (hd_imap_setup(s, c, url, custom, max) != 0) {
        return -1;
    }

    return hd_imap_result(s, c, curl_easy_perform(c->easy));
}


/* a UID to the list, growing it */
static int
hd_imap_push(hd_imap_t *s, uint64_t **list, size_t *n, size_t *cap,
    uint64_t uid)
{
    uint64_t  *more;

    if (*n == *cap) {
        if (*cap >= HD_IMAP_UIDS_MAX) {
            return -1;              /* the rest on the next pass */
        }

        *cap = *cap ? *cap * 2 : 256;
        more = realloc(*list, *cap * sizeof(uint64_t));

        if (more == NULL) {
            snprintf(s->error, sizeof(s->error), "out of memory");
            return -1;
        }

        *list = more;
    }

    (*list)[(*n)++] = uid;

    return 0;
}


int
hd_imap_search(hd_imap_t *s, const char *criteria, uint64_t **uids,
    size_t *n)
{
    int              esearch;
    char            *p, *end, cmd[512];
    size_t           cap = 0;
    uint64_t         uid, last, *list = NULL;
    hd_imap_conn_t  *c = &s->conn[0];

    *uids = NULL;
    *n = 0;

    /*
     * ESEARCH (RFC 4731) answers "1:935,937:10000" where SEARCH lists
     * every number: a mailbox of many messages is a short line (libcurl
     * mangles untagged lines longer than its buffer). A server without it
     * says BAD, and SEARCH is asked instead.
     */
    snprintf(cmd, sizeof(cmd), "UID SEARCH RETURN (ALL) %s", criteria);
    esearch = hd_imap_perform(s, s->base, cmd, 64 * 1024 * 1024) == 0;

    if (!esearch) {
        snprintf(cmd, sizeof(cmd), "UID SEARCH %s", criteria);

        if (hd_imap_perform(s, s->base, cmd, 64 * 1024 * 1024) != 0) {
            return -1;
        }
    }

    p = c->sink.data;

    if (esearch && p != NULL && (p = strstr(p, "* ESEARCH")) != NULL) {
        /* "* ESEARCH (TAG "A3") UID ALL 1:3,7" (no ALL: nothing) */
        end = strchr(p, '\n');
        p = strstr(p, " ALL ");

        if (p != NULL && (end == NULL || p < end)) {
            p += 5;

            for ( ;; ) {
                uid = strtoull(p, &end, 10);
                if (end == p || uid == 0) {
                    break;
                }

                last = uid;
                p = end;

                if (*p == ':') {
                    last = strtoull(p + 1, &end, 10);
                    if (end == p + 1 || last < uid) {
                        break;
                    }

                    p = end;
                }

                for ( /* void */ ; uid <= last; uid++) {
                    if (hd_imap_push(s, &list, n, &cap, uid) != 0) {
                        goto done;
                    }
                }

                if (*p != ',') {
                    break;
                }

                p++;
            }
        }

        goto done;
    }

    /* "* SEARCH 3 4 9\r\n" (possibly more than one such line) */
    for (p = c->sink.data; p != NULL && (p = strstr(p, "* SEARCH")) != NULL;
         /* void */)
    {
        p += 8;

        while (*p == ' ') {
            uid = strtoull(p + 1, &end, 10);

            if (end == p + 1) {
                break;
            }

            if (hd_imap_push(s, &list, n, &cap, uid) != 0) {
                goto done;
            }

            p = end;
        }
    }

done:

    if (*n == 0 && list != NULL && s->error[0]) {
        free(list);
        return -1;
    }

    *uids = list;

    return 0;
}


/* the sink's buffer given away: the next command makes another */
static void
hd_imap_take(hd_imap_conn_t *c, hd_uchar **data, size_t *len)
{
    *data = (hd_uchar *) c->sink.data;
    *len = c->sink.len;
    c->sink.data = NULL;
    c->sink.cap = 0;
    c->sink.len = 0;

    if (*data == NULL) {
        *data = malloc(1);
    }
}


/*
 * A connection with the mailbox selected is told at its next command of
 * what another one changed meanwhile ("* 7 FETCH (FLAGS (\Seen))", the
 * session's own marks); told so in answer to a fetch, libcurl takes it for
 * the answer and fails ("Failed to parse FETCH response"). Such a
 * connection says NOOP first, which hears them; a fetch that still met one
 * (a person's mail client changed a flag) is tried again on a new
 * connection, whose SELECT hears everything.
 */
int
hd_imap_fetch_many(hd_imap_t *s, const uint64_t *uids, size_t n,
    hd_uchar **data, size_t *len, int *rcs, size_t max)
{
    int              running, msgs, failed = 0;
    char             url[1100];
    size_t           i, k, next = 0, nagain = 0, *again;
    CURLMsg         *m;
    hd_imap_conn_t  *c;
    unsigned char   *tries;

    s->error[0] = '\0';

    for (i = 0; i < n; i++) {
        data[i] = NULL;
        len[i] = 0;
        rcs[i] = -1;
    }

    if (s->multi == NULL) {
        s->multi = curl_multi_init();

        if (s->multi == NULL) {
            snprintf(s->error, sizeof(s->error), "libcurl cannot start");
            return -1;
        }
    }

    /* the fetches to try again, then each one's tries, in one block */
    again = calloc(n ? n : 1, sizeof(size_t) + 1);
    if (again == NULL) {
        snprintf(s->error, sizeof(s->error), "out of memory");
        return -1;
    }

    tries = (unsigned char *) (again + (n ? n : 1));

    /* each connection fetches one message at a time, the next as it is
       done: what one round trip to the server would cost, a few at once */
    for ( ;; ) {

        for (i = 0; i < HD_IMAP_CONNS && (next < n || nagain) && !failed;
             i++)
        {
            c = &s->conn[i];

            if (c->busy) {
                continue;
            }

            if (c->stale && c->easy != NULL && !c->recycle) {
                if (hd_imap_setup(s, c, s->base, "NOOP", 1024 * 1024) != 0
                    || curl_multi_add_handle(s->multi, c->easy) != CURLM_OK)
                {
                    failed = 1;
                    break;
                }

                c->busy = 1;
                c->stale = 0;
                c->index = HD_IMAP_NOOP;
                continue;
            }

            c->stale = 0;
            k = nagain ? again[--nagain] : next++;

            snprintf(url, sizeof(url), "%s/;UID=%llu", s->base,
                     (unsigned long long) uids[k]);

            if (hd_imap_setup(s, c, url, NULL, max) != 0
                || curl_multi_add_handle(s->multi, c->easy) != CURLM_OK)
            {
                failed = 1;
                break;
            }

            c->busy = 1;
            c->index = k;
        }

        if (curl_multi_perform(s->multi, &running) != CURLM_OK) {
            snprintf(s->error, sizeof(s->error), "libcurl failed");
            failed = 1;
        }

        while ((m = curl_multi_info_read(s->multi, &msgs)) != NULL) {
            if (m->msg != CURLMSG_DONE) {
                continue;
            }

            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **) &c);
            curl_multi_remove_handle(s->multi, c->easy);
            c->busy = 0;

            if (c->index == HD_IMAP_NOOP) {
                /* a NOOP that failed: the connection is made again */
                (void) hd_imap_result(s, c, m->data.result);
                s->error[0] = '\0';
                continue;
            }

            rcs[c->index] = hd_imap_result(s, c, m->data.result);

            if (rcs[c->index] == -1
                && m->data.result == CURLE_WEIRD_SERVER_REPLY
                && ++tries[c->index] < HD_IMAP_TRIES)
            {
                again[nagain++] = c->index;
                continue;
            }

            if (rcs[c->index] == -1) {
                failed = 1;
                continue;
            }

            if (rcs[c->index] == -3) {
                continue;
            }

            /* too large: what came (its headers at least) still says from
               whom */
            hd_imap_take(c, &data[c->index], &len[c->index]);
        }

        /* after a failure nothing more starts: what runs finishes */
        for (i = 0, running = 0; i < HD_IMAP_CONNS; i++) {
            running += s->conn[i].busy;
        }

        if (running == 0 && (failed || (next == n && nagain == 0))) {
            break;
        }

        (void) curl_multi_poll(s->multi, NULL, 0, 1000, NULL);
    }

    free(again);

    return failed ? -1 : 0;
}


int
hd_imap_command(hd_imap_t *s, const char *command)
{
    size_t  i;

    /* the others hear of what it changed at their next command */
    for (i = 1; i < HD_IMAP_CONNS; i++) {
        s->conn[i].stale = 1;
    }

    return hd_imap_perform(s, s->base, command, 1024 * 1024);
}

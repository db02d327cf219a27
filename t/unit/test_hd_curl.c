/*
 * The SMTP engine under a plain poll() loop, against a real relay
 * (aiosmtpd, t/lib/smtp-sink.py): messages delivered on one reused
 * connection, a refused recipient, a relay that is down, one that never
 * answers, STARTTLS with AUTH. And what the answers mean (hd_smtp).
 */

#include "unit.h"
#include "hd_curl.h"
#include "hd_smtp.h"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>


/* --- a poll() loop with the engine's hooks ------------------------------- */

typedef struct {
    struct pollfd   fds[16];
    unsigned        n;
    long long       due;            /* ms; -1: no timer */
} loop_t;


static long long
now_ms(void)
{
    struct timeval  tv;

    gettimeofday(&tv, NULL);

    return (long long) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}


static int
loop_watch(void *data, int fd, int r, int w, void **sock)
{
    loop_t    *l = data;
    unsigned   i;

    for (i = 0; i < l->n && l->fds[i].fd != fd; i++) {
        /* void */
    }

    if (i == l->n) {
        if (l->n == 16) {
            return -1;
        }

        l->n++;
        l->fds[i].fd = fd;
    }

    l->fds[i].events = (short) ((r ? POLLIN : 0) | (w ? POLLOUT : 0));
    *sock = l;

    return 0;
}


static void
loop_unwatch(void *data, int fd, void *sock)
{
    loop_t    *l = data;
    unsigned   i;

    assert_ptr_equal(sock, l);

    for (i = 0; i < l->n; i++) {
        if (l->fds[i].fd == fd) {
            l->fds[i] = l->fds[--l->n];
            return;
        }
    }
}


static void
loop_timer(void *data, long ms)
{
    loop_t  *l = data;

    l->due = ms < 0 ? -1 : now_ms() + ms;
}


/* runs until the engine has nothing running, or for at most limit ms */
static void
loop_run(loop_t *l, hd_curl_t *c, long long limit)
{
    int        n, wait;
    unsigned   i;
    long long  end = now_ms() + limit;

    while (hd_curl_running(c) && now_ms() < end) {
        wait = 100;

        if (l->due >= 0) {
            wait = l->due - now_ms() < 0 ? 0 : (int) (l->due - now_ms());
            wait = wait > 100 ? 100 : wait;
        }

        n = poll(l->fds, l->n, wait);

        if (l->due >= 0 && now_ms() >= l->due) {
            l->due = -1;
            hd_curl_timeout(c);
            continue;
        }

        for (i = 0; n > 0 && i < l->n; i++) {
            if (l->fds[i].revents) {
                int  fd = l->fds[i].fd, re = l->fds[i].revents;

                l->fds[i].revents = 0;
                hd_curl_ready(c, fd, re & (POLLIN | POLLHUP | POLLERR),
                              re & POLLOUT);
                break;          /* the table may have changed */
            }
        }
    }
}


/* --- the relay ------------------------------------------------------------ */

typedef struct {
    pid_t     pid;
    unsigned  port;
    char      dir[512];
} sink_t;


static const char *
root(void)
{
    const char  *r = getenv("HELPDESK_ROOT");

    return r ? r : ".";
}


static int
sink_start(sink_t *s, const char *dir, const char *args)
{
    char   cmd[2048], line[64];
    FILE  *f;

    snprintf(s->dir, sizeof(s->dir), "%s", dir);
    snprintf(cmd, sizeof(cmd),
             "exec /usr/bin/python3 %s/t/lib/smtp-sink.py --dir %s %s & "
             "echo $!", root(), dir, args);

    f = popen(cmd, "r");
    if (f == NULL || fgets(line, sizeof(line), f) == NULL) {
        return -1;
    }

    s->pid = (pid_t) atoi(line);

    if (fgets(line, sizeof(line), f) == NULL
        || sscanf(line, "READY %u", &s->port) != 1)
    {
        pclose(f);
        return -1;
    }

    pclose(f);

    return 0;
}


static void
sink_stop(sink_t *s)
{
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
}


/* the SMTP sessions the messages came on (the sink numbers them) */
static unsigned
sink_sessions(const sink_t *s)
{
    DIR            *d;
    FILE           *f;
    char            path[1024], line[256];
    unsigned        n, most = 0;
    struct dirent  *e;

    d = opendir(s->dir);
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strstr(e->d_name, ".json") == NULL) {
            continue;
        }

        snprintf(path, sizeof(path), "%s/%s", s->dir, e->d_name);
        f = fopen(path, "r");

        while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
            if (sscanf(line, " \"session\": %u", &n) == 1 && n > most) {
                most = n;
            }
        }

        if (f != NULL) {
            fclose(f);
        }
    }

    if (d != NULL) {
        closedir(d);
    }

    return most;
}


static unsigned
sink_messages(const sink_t *s)
{
    DIR            *d;
    unsigned        n = 0;
    struct dirent  *e;

    d = opendir(s->dir);
    while (d != NULL && (e = readdir(d)) != NULL) {
        n += strstr(e->d_name, ".eml") != NULL;
    }

    if (d != NULL) {
        closedir(d);
    }

    return n;
}


/* --- jobs ------------------------------------------------------------------ */

static unsigned  done_count;

static void
job_done(hd_smtp_job_t *job)
{
    (void) job;
    done_count++;
}


static const char  message[] =
    "From: support@example.com\r\nTo: ivan@example.com\r\n"
    "Subject: test\r\n\r\nHello\r\n.\r\n..\r\nbye\r\n";


static void
job_init(hd_smtp_job_t *job, const hd_smtp_conf_t *conf, const char *rcpt)
{
    memset(job, 0, sizeof(*job));
    job->conf = conf;
    job->rcpt = rcpt;
    job->data = (const hd_uchar *) message;
    job->len = sizeof(message) - 1;
    job->done = job_done;
}


static hd_curl_t *
engine(loop_t *l, unsigned connections)
{
    hd_curl_hooks_t  hooks;

    memset(l, 0, sizeof(*l));
    l->due = -1;

    hooks.loop = l;
    hooks.watch = loop_watch;
    hooks.unwatch = loop_unwatch;
    hooks.timer = loop_timer;

    return hd_curl_create(&hooks, connections);
}


static void
conf_init(hd_smtp_conf_t *conf, unsigned port)
{
    HD_SMTP_CONF_DEFAULTS(conf);
    strcpy(conf->host, "127.0.0.1");
    conf->port = port;
    conf->starttls = HD_STARTTLS_OFF;
    strcpy(conf->from_address, "support@example.com");
    conf->timeout_ms = 1500;
}


static void
test_deliver_and_refuse(void **state)
{
    char            *dir;
    sink_t           sink;
    loop_t           l;
    hd_curl_t       *c;
    hd_smtp_job_t    jobs[5];
    hd_smtp_conf_t   conf;
    unsigned         i;

    (void) state;

    dir = unit_tmpdir();
    assert_int_equal(sink_start(&sink, dir, "--reject '^nobody@'"), 0);
    conf_init(&conf, sink.port);

    c = engine(&l, 1);
    assert_non_null(c);

    done_count = 0;
    job_init(&jobs[0], &conf, "ivan@example.com");
    job_init(&jobs[1], &conf, "maria@example.com");
    job_init(&jobs[2], &conf, "nobody@example.com");
    job_init(&jobs[3], &conf, "petr@example.com");

    for (i = 0; i < 4; i++) {
        assert_int_equal(hd_curl_smtp(c, &jobs[i]), 0);
    }

    assert_int_equal(done_count, 0);        /* never from inside the call */
    loop_run(&l, c, 10000);
    assert_int_equal(done_count, 4);

    /* accepted: the relay's words kept; the 550 is the address's fault */
    assert_int_equal(jobs[0].answer.stage, HD_SMTP_AT_DONE);
    assert_int_equal(jobs[0].answer.code, 250);
    assert_non_null(strstr(jobs[0].answer.text, "queued as"));
    assert_int_equal(hd_smtp_outcome(&jobs[0].answer), HD_DELIVERY_SENT);

    assert_int_equal(jobs[2].answer.stage, HD_SMTP_AT_RCPT);
    assert_int_equal(jobs[2].answer.code, 550);
    assert_non_null(strstr(jobs[2].answer.text, "5.1.1"));
    assert_int_equal(hd_smtp_outcome(&jobs[2].answer), HD_DELIVERY_BOUNCED);

    assert_int_equal(hd_smtp_outcome(&jobs[3].answer), HD_DELIVERY_SENT);
    assert_int_equal(sink_messages(&sink), 3);

    /* one connection for the first two (reused), one after the 550 */
    assert_int_equal(sink_sessions(&sink), 2);
    assert_int_equal(l.n, 0);           /* nothing left watched */

    /* the next message, later, on the kept connection */
    job_init(&jobs[4], &conf, "olga@example.com");
    assert_int_equal(hd_curl_smtp(c, &jobs[4]), 0);
    loop_run(&l, c, 5000);
    assert_int_equal(hd_smtp_outcome(&jobs[4].answer), HD_DELIVERY_SENT);

    hd_curl_destroy(c);
    sink_stop(&sink);
    assert_int_equal(sink_messages(&sink), 4);
    assert_int_equal(sink_sessions(&sink), 2);
    unit_rmdir(dir);
    free(dir);
}


static void
test_relay_down_or_silent(void **state)
{
    int              fd;
    char            *dir;
    sink_t           sink;
    loop_t           l;
    hd_curl_t       *c;
    long long        start;
    hd_smtp_job_t    job;
    hd_smtp_conf_t   conf;

    (void) state;

    /* a port nobody listens on: the port of a relay just stopped */
    dir = unit_tmpdir();
    assert_int_equal(sink_start(&sink, dir, ""), 0);
    sink_stop(&sink);
    conf_init(&conf, sink.port);

    c = engine(&l, 2);
    done_count = 0;
    job_init(&job, &conf, "ivan@example.com");
    assert_int_equal(hd_curl_smtp(c, &job), 0);
    loop_run(&l, c, 5000);
    assert_int_equal(done_count, 1);
    assert_int_equal(job.answer.stage, HD_SMTP_AT_CONNECT);
    assert_int_equal(job.answer.code, 0);
    assert_int_equal(hd_smtp_outcome(&job.answer), HD_DELIVERY_DEFERRED);
    assert_true(strlen(job.answer.text) > 0);

    /* one that takes the connection and never says a word */
    assert_int_equal(sink_start(&sink, dir, "--hang"), 0);
    conf.port = sink.port;
    job_init(&job, &conf, "ivan@example.com");
    start = now_ms();
    assert_int_equal(hd_curl_smtp(c, &job), 0);
    loop_run(&l, c, 10000);
    assert_int_equal(done_count, 2);
    assert_true(now_ms() - start >= 1000 && now_ms() - start < 5000);
    assert_int_equal(hd_smtp_outcome(&job.answer), HD_DELIVERY_DEFERRED);
    assert_non_null(strstr(job.answer.text, "imed out"));

    hd_curl_destroy(c);
    sink_stop(&sink);

    /* every descriptor the engine opened is closed again */
    fd = dup(0);
    assert_true(fd >= 0 && fd < 10);
    close(fd);

    unit_rmdir(dir);
    free(dir);
}


static void
test_starttls_and_auth(void **state)
{
    char             *dir, cmd[2048], args[1200];
    sink_t            sink;
    loop_t            l;
    hd_curl_t        *c;
    hd_smtp_job_t     job;
    hd_smtp_conf_t    conf;

    (void) state;

    dir = unit_tmpdir();
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "
             "/CN=localhost -addext subjectAltName=DNS:localhost,"
             "IP:127.0.0.1 -keyout %s/key.pem -out %s/cert.pem "
             ">/dev/null 2>&1", dir, dir);
    assert_int_equal(system(cmd), 0);

    snprintf(args, sizeof(args),
             "--tls %s/cert.pem %s/key.pem --require-tls --auth "
             "mailer:s3cret", dir, dir);
    assert_int_equal(sink_start(&sink, dir, args), 0);

    conf_init(&conf, sink.port);
    conf.starttls = HD_STARTTLS_REQUIRED;
    snprintf(conf.ca, sizeof(conf.ca), "%s/cert.pem", dir);
    strcpy(conf.user, "mailer");
    strcpy(conf.password, "s3cret");

    c = engine(&l, 1);
    done_count = 0;
    job_init(&job, &conf, "ivan@example.com");
    assert_int_equal(hd_curl_smtp(c, &job), 0);
    loop_run(&l, c, 10000);
    assert_int_equal(hd_smtp_outcome(&job.answer), HD_DELIVERY_SENT);

    /* a wrong password is our configuration, not the message's fault */
    strcpy(conf.password, "wrong");
    hd_curl_destroy(c);
    c = engine(&l, 1);
    job_init(&job, &conf, "ivan@example.com");
    assert_int_equal(hd_curl_smtp(c, &job), 0);
    loop_run(&l, c, 10000);
    assert_int_equal(job.answer.stage, HD_SMTP_AT_AUTH);
    assert_true(hd_smtp_config_problem(&job.answer));
    assert_int_equal(hd_smtp_outcome(&job.answer), HD_DELIVERY_DEFERRED);

    /* without TLS the relay wants nothing to do with us: later, loudly */
    strcpy(conf.password, "s3cret");
    conf.starttls = HD_STARTTLS_OFF;
    hd_curl_destroy(c);
    c = engine(&l, 1);
    job_init(&job, &conf, "ivan@example.com");
    assert_int_equal(hd_curl_smtp(c, &job), 0);
    loop_run(&l, c, 10000);
    assert_int_not_equal(hd_smtp_outcome(&job.answer), HD_DELIVERY_SENT);

    hd_curl_destroy(c);
    sink_stop(&sink);
    assert_int_equal(sink_messages(&sink), 1);
    unit_rmdir(dir);
    free(dir);
}


static void
test_outcomes_and_backoff(void **state)
{
    hd_smtp_conf_t    conf;
    hd_smtp_answer_t  a;

    (void) state;

    memset(&a, 0, sizeof(a));
    a.stage = HD_SMTP_AT_DATA;
    a.code = 550;
    strcpy(a.text, "550 5.7.1 Message rejected as spam");
    assert_int_equal(hd_smtp_outcome(&a), HD_DELIVERY_FAILED);

    strcpy(a.text, "550 5.1.1 <x@y.z>: user unknown");
    assert_int_equal(hd_smtp_outcome(&a), HD_DELIVERY_BOUNCED);

    a.code = 451;
    strcpy(a.text, "451 4.3.0 try later");
    assert_int_equal(hd_smtp_outcome(&a), HD_DELIVERY_DEFERRED);

    a.stage = HD_SMTP_AT_MAIL;
    a.code = 553;
    strcpy(a.text, "553 sender not allowed");
    assert_int_equal(hd_smtp_outcome(&a), HD_DELIVERY_FAILED);

    a.stage = HD_SMTP_AT_RCPT;
    a.code = 452;
    assert_int_equal(hd_smtp_outcome(&a), HD_DELIVERY_DEFERRED);

    HD_SMTP_CONF_DEFAULTS(&conf);
    assert_int_equal(hd_smtp_backoff(&conf, 1), 60);
    assert_int_equal(hd_smtp_backoff(&conf, 2), 120);
    assert_int_equal(hd_smtp_backoff(&conf, 6), 1920);
    assert_int_equal(hd_smtp_backoff(&conf, 7), 3600);
    assert_int_equal(hd_smtp_backoff(&conf, 1000), 3600);

    assert_int_equal(hd_smtp_parse_from(&conf,
        (const hd_uchar *) "Служба поддержки <support@example.com>",
        strlen("Служба поддержки <support@example.com>")), 0);
    assert_string_equal(conf.from_name, "Служба поддержки");
    assert_string_equal(conf.from_address, "support@example.com");

    assert_int_equal(hd_smtp_parse_from(&conf,
        (const hd_uchar *) "\"Support, Inc\" <s@example.com>", 30), 0);
    assert_string_equal(conf.from_name, "Support, Inc");

    assert_int_equal(hd_smtp_parse_from(&conf, (hd_uchar *) "s@e.com", 7),
                     0);
    assert_string_equal(conf.from_name, "");

    assert_int_equal(hd_smtp_parse_from(&conf, (hd_uchar *) "Support", 7),
                     -1);
    assert_int_equal(hd_smtp_parse_from(&conf,
                         (hd_uchar *) "A <s@e.com> x", 13), -1);
    assert_int_equal(hd_smtp_parse_from(&conf,
                         (hd_uchar *) "A\r\nBcc: <s@e.com>", 17), -1);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_outcomes_and_backoff),
        cmocka_unit_test(test_deliver_and_refuse),
        cmocka_unit_test(test_relay_down_or_silent),
        cmocka_unit_test(test_starttls_and_auth),
    };

    /* a relay that cannot start fails the tests (build.sh installs
       python3-aiosmtpd): never a skip that hides a missing package */
    signal(SIGPIPE, SIG_IGN);

    return unit_run("hd_curl", tests, sizeof(tests) / sizeof(tests[0]));
}

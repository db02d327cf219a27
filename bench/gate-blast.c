/*
 * gate-blast: what an MTA does to the mail gate at full speed. COUNT
 * messages posted to URL over CONNS keep-alive connections (a thread each),
 * half new requests and half replies: message k is new when k is even, and
 * when odd a reply to the new message k - LAG of the same sender (by
 * In-Reply-To, as a mail client answers). Senders are SENDERS addresses in
 * turn. Prints how long it took and what the portal said it did.
 *
 *     gate-blast URL KEY COUNT CONNS [SENDERS] [LAG]
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>


typedef struct {
    const char       *url;
    const char       *key;
    long              count;
    long              conns;
    long              senders;
    long              lag;
    long              next;
    pthread_mutex_t   lock;
    long              actions[8];
    long              failed;
} blast_t;

static const char  *names[] = { "created", "replied", "quarantined",
                                "rejected", "ignored", "duplicate", NULL };


typedef struct {
    char    buf[512];
    size_t  len;
} answer_t;


static size_t
answer_cb(char *p, size_t size, size_t n, void *data)
{
    answer_t  *a = data;
    size_t     len = size * n, room = sizeof(a->buf) - 1 - a->len;

    len = len < room ? len : room;
    memcpy(a->buf + a->len, p, len);
    a->len += len;
    a->buf[a->len] = '\0';

    return size * n;
}


/* the k-th message: a new request, or a reply to the (k - lag)-th */
static int
message(const blast_t *b, long k, char *out, size_t size)
{
    long  sender, original;

    if (k % 2 == 0 || k < b->lag) {
        sender = (k / 2) % b->senders;

        return snprintf(out, size,
            "From: Sender %ld <sender%ld@bench.example>\r\n"
            "To: support@example.com\r\n"
            "Subject: =?UTF-8?B?0J3QtSDRgNCw0LHQvtGC0LDQtdGCINC/0L7QtNC/0LjRgdGM?= %ld\r\n"
            "Message-ID: <new-%ld@bench.example>\r\n"
            "Date: Tue, 01 Dec 2026 12:00:00 +0300\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
            "\xd0\x9f\xd1\x80\xd0\xb8 \xd0\xbf\xd0\xbe\xd0\xb4\xd0\xbf\xd0\xb8"
            "\xd1\x81\xd0\xb0\xd0\xbd\xd0\xb8\xd0\xb8 \xd0\xbe\xd1\x88\xd0\xb8"
            "\xd0\xb1\xd0\xba\xd0\xb0 0x80090008 (%ld).\r\n"
            "CSP 5.0.12000, Windows 10.\r\n\r\n-- \r\nSender %ld\r\n",
            sender, sender, k, k, k, sender);
    }

    /* the same sender as the new message it answers */
    original = k - b->lag;
    original -= original % 2;
    sender = (original / 2) % b->senders;

    return snprintf(out, size,
        "From: Sender %ld <sender%ld@bench.example>\r\n"
        "To: support@example.com\r\n"
        "Subject: Re: %ld\r\n"
        "Message-ID: <reply-%ld@bench.example>\r\n"
        "In-Reply-To: <new-%ld@bench.example>\r\n"
        "References: <new-%ld@bench.example>\r\n"
        "Date: Tue, 01 Dec 2026 12:05:00 +0300\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "More details: the error comes with every document.\r\n\r\n"
        "> the quoted message\r\n> that is trimmed\r\n",
        sender, sender, original, k, original, original);
}


static void *
worker(void *arg)
{
    int                 i, len;
    long                k;
    char                msg[4096], header[512];
    CURL               *easy;
    blast_t            *b = arg;
    answer_t            a;
    struct curl_slist  *h = NULL;

    easy = curl_easy_init();
    snprintf(header, sizeof(header), "X-Helpdesk-Mailgate-Key: %s", b->key);
    h = curl_slist_append(h, header);
    h = curl_slist_append(h, "Content-Type: message/rfc822");
    h = curl_slist_append(h, "Expect:");

    curl_easy_setopt(easy, CURLOPT_URL, b->url);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, answer_cb);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);

    for ( ;; ) {
        pthread_mutex_lock(&b->lock);
        k = b->next < b->count ? b->next++ : -1;
        pthread_mutex_unlock(&b->lock);

        if (k < 0) {
            break;
        }

        len = message(b, k, msg, sizeof(msg));
        a.len = 0;
        a.buf[0] = '\0';

        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, msg);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long) len);

        if (curl_easy_perform(easy) != CURLE_OK) {
            pthread_mutex_lock(&b->lock);
            b->failed++;
            pthread_mutex_unlock(&b->lock);
            continue;
        }

        pthread_mutex_lock(&b->lock);

        for (i = 0; names[i]; i++) {
            char  want[64];

            snprintf(want, sizeof(want), "\"action\":\"%s\"", names[i]);

            if (strstr(a.buf, want) != NULL) {
                b->actions[i]++;
                break;
            }
        }

        if (names[i] == NULL) {
            b->failed++;
        }

        pthread_mutex_unlock(&b->lock);
    }

    curl_slist_free_all(h);
    curl_easy_cleanup(easy);

    return NULL;
}


int
main(int argc, char **argv)
{
    int               i;
    double            took;
    blast_t           b;
    pthread_t         t[64];
    struct timespec   t0, t1;

    if (argc < 5) {
        fprintf(stderr, "usage: gate-blast URL KEY COUNT CONNS [SENDERS] "
                "[LAG]\n");
        return 2;
    }

    memset(&b, 0, sizeof(b));
    b.url = argv[1];
    b.key = argv[2];
    b.count = atol(argv[3]);
    b.conns = atol(argv[4]);
    b.senders = argc > 5 ? atol(argv[5]) : 250;
    b.lag = argc > 6 ? atol(argv[6]) : 200;
    pthread_mutex_init(&b.lock, NULL);

    if (b.conns < 1 || b.conns > 64 || b.count < 1 || b.senders < 1) {
        fprintf(stderr, "gate-blast: 1 to 64 connections, a count and "
                "senders\n");
        return 2;
    }

    curl_global_init(CURL_GLOBAL_DEFAULT);
    clock_gettime(CLOCK_MONOTONIC, &t0);

    for (i = 0; i < b.conns; i++) {
        pthread_create(&t[i], NULL, worker, &b);
    }

    for (i = 0; i < b.conns; i++) {
        pthread_join(t[i], NULL);
    }

    clock_gettime(CLOCK_MONOTONIC, &t1);
    took = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

    printf("%ld messages in %.3f s: %.0f a second;", b.count, took,
           b.count / took);

    for (i = 0; names[i]; i++) {
        printf(" %s %ld", names[i], b.actions[i]);
    }

    printf("; failed %ld\n", b.failed);

    return b.failed ? 1 : 0;
}

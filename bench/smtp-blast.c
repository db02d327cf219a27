/*
 * A plain SMTP client for the mail benchmark: how many messages a second
 * the relay takes, without the portal. N threads, each one connection
 * (libcurl's easy interface, the connection reused), each sending its
 * share of the messages, all of one size.
 *
 *   smtp-blast HOST:PORT MESSAGES CONNECTIONS [BYTES]
 *
 * Prints "sent N in S s: R a second".
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <curl/curl.h>


typedef struct {
    const char  *url;
    const char  *message;
    size_t       len;
    long         count;
    long         sent;
} blast_t;


typedef struct {
    const char  *p;
    size_t       left;
} blast_read_t;


static size_t
blast_read(char *buf, size_t size, size_t n, void *data)
{
    size_t         k;
    blast_read_t  *r = data;

    k = size * n < r->left ? size * n : r->left;
    memcpy(buf, r->p, k);
    r->p += k;
    r->left -= k;

    return k;
}


static void *
blast_run(void *arg)
{
    long                i;
    CURL               *easy;
    blast_t            *b = arg;
    blast_read_t        r;
    struct curl_slist  *rcpt;

    easy = curl_easy_init();
    rcpt = curl_slist_append(NULL, "<bench@example.com>");

    curl_easy_setopt(easy, CURLOPT_URL, b->url);
    curl_easy_setopt(easy, CURLOPT_MAIL_FROM, "<support@example.com>");
    curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, blast_read);
    curl_easy_setopt(easy, CURLOPT_READDATA, &r);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);

    for (i = 0; i < b->count; i++) {
        r.p = b->message;
        r.left = b->len;

        if (curl_easy_perform(easy) == CURLE_OK) {
            b->sent++;
        }
    }

    curl_slist_free_all(rcpt);
    curl_easy_cleanup(easy);

    return NULL;
}


static double
blast_now(void)
{
    struct timeval  tv;

    gettimeofday(&tv, NULL);

    return tv.tv_sec + tv.tv_usec / 1e6;
}


int
main(int argc, char **argv)
{
    int         i, n;
    long        total, sent = 0, bytes;
    char        url[256], *message, *p;
    double      start, took;
    blast_t    *b;
    pthread_t  *threads;

    if (argc < 4) {
        fprintf(stderr, "usage: smtp-blast HOST:PORT MESSAGES CONNECTIONS "
                "[BYTES]\n");
        return 2;
    }

    total = atol(argv[2]);
    n = atoi(argv[3]);
    bytes = argc > 4 ? atol(argv[4]) : 6000;

    if (total <= 0 || n <= 0 || bytes < 200) {
        fprintf(stderr, "smtp-blast: messages and connections are numbers "
                "above 0, bytes at least 200\n");
        return 2;
    }

    /* a message of about that size: headers and 76-byte lines */
    message = malloc(bytes + 200);
    p = message + sprintf(message, "From: support@example.com\r\n"
                          "To: bench@example.com\r\nSubject: bench\r\n"
                          "Message-ID: <bench@example.com>\r\n\r\n");

    while (p - message < bytes) {
        memset(p, 'x', 76);
        p += 76;
        *p++ = '\r';
        *p++ = '\n';
    }

    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(url, sizeof(url), "smtp://%s/bench.example.com", argv[1]);

    b = calloc(n, sizeof(blast_t));
    threads = calloc(n, sizeof(pthread_t));

    start = blast_now();

    for (i = 0; i < n; i++) {
        b[i].url = url;
        b[i].message = message;
        b[i].len = p - message;
        b[i].count = total / n + (i < total % n);
        pthread_create(&threads[i], NULL, blast_run, &b[i]);
    }

    for (i = 0; i < n; i++) {
        pthread_join(threads[i], NULL);
        sent += b[i].sent;
    }

    took = blast_now() - start;
    printf("sent %ld in %.2f s: %.0f a second\n", sent, took, sent / took);

    return sent == total ? 0 : 1;
}

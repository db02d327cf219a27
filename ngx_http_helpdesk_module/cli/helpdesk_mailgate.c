/*
 * helpdesk mailgate URL: the MTA's pipe command (SPEC §7.2), as Request
 * Tracker's rt-mailgate. It reads one message on standard input, posts it
 * to the portal's mail gate with the key, and exits with what Postfix's
 * pipe(8) and sendmail understand (sysexits.h): 0 done, 75 try again later
 * (the portal or the network is down, the key is refused: nothing is lost
 * while an operator fixes it), 65 never (the portal will not take this
 * message, and did not tell its sender: the MTA bounces it to them).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpdesk.h"
#include "hd_curl.h"


#define HD_CLI_EX_OK         0
#define HD_CLI_EX_DATAERR    65
#define HD_CLI_EX_TEMPFAIL   75

#define HD_CLI_MAILGATE_MAX  (256 * 1024 * 1024)

#define HD_CLI_MAILGATE_USAGE                                                \
    "usage: helpdesk mailgate URL [--key-file FILE] [--timeout SECONDS] "    \
    "[--cacert FILE]\n"                                                      \
    "  URL  the portal's gate, e.g. https://support.example.com/api/v1/"     \
    "mailgate\n"                                                             \
    "  the message on standard input; the key in FILE or in "               \
    "$HELPDESK_MAILGATE_KEY\n"                                               \
    "  exits 0 when the portal took it, 75 to try again later, 65 when it "  \
    "never will\n"


static int
hd_cli_mailgate_key(const char *file, char *key, size_t size)
{
    FILE        *f;
    size_t       n;
    const char  *env;

    if (file == NULL) {
        env = getenv("HELPDESK_MAILGATE_KEY");

        if (env == NULL || env[0] == '\0') {
            fprintf(stderr, "helpdesk mailgate: no key: give --key-file FILE "
                    "or set HELPDESK_MAILGATE_KEY\n");
            return -1;
        }

        snprintf(key, size, "%s", env);
        return 0;
    }

    f = fopen(file, "r");
    if (f == NULL) {
        fprintf(stderr, "helpdesk mailgate: cannot read the key file %s: "
                "%s\n", file, strerror(errno));
        return -1;
    }

    if (fgets(key, size, f) == NULL) {
        key[0] = '\0';
    }

    fclose(f);

    n = strcspn(key, "\r\n");
    key[n] = '\0';

    if (n == 0) {
        fprintf(stderr, "helpdesk mailgate: the key file %s is empty\n",
                file);
        return -1;
    }

    return 0;
}


static hd_uchar *
hd_cli_mailgate_read(size_t *len, int *too_large)
{
    size_t     cap = 65536, n;
    hd_uchar  *buf, *more;

    *len = 0;
    *too_large = 0;

    buf = malloc(cap);
    if (buf == NULL) {
        return NULL;
    }

    while ((n = fread(buf + *len, 1, cap - *len, stdin)) > 0) {
        *len += n;

        if (*len < cap) {
            continue;
        }

        if (cap >= HD_CLI_MAILGATE_MAX) {
            *too_large = 1;
            return buf;
        }

        cap *= 2;
        more = realloc(buf, cap);

        if (more == NULL) {
            free(buf);
            return NULL;
        }

        buf = more;
    }

    if (ferror(stdin)) {
        free(buf);
        return NULL;
    }

    return buf;
}


/* "...\"action\":\"created\"..." -> created */
static void
hd_cli_mailgate_field(const char *json, const char *name, char *out,
    size_t size)
{
    char         pat[64];
    size_t       n;
    const char  *p;

    out[0] = '\0';
    snprintf(pat, sizeof(pat), "\"%s\":", name);

    p = strstr(json, pat);
    if (p == NULL) {
        return;
    }

    p += strlen(pat);
    p += *p == '"';
    n = strcspn(p, "\",}");
    n = n < size - 1 ? n : size - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}


int
hd_cli_mailgate(hd_cli_t *cli)
{
    int              i, too_large;
    char             key[512], header[600], action[32], ticket[32],
                     reason[64], taken[8];
    long             timeout = 120;
    size_t           len;
    hd_uchar        *msg;
    const char      *url = NULL, *key_file = NULL, *cacert = NULL;
    const char      *headers[2];
    hd_http_post_t  *p;

    for (i = 0; i < cli->argc; i++) {
        if (strcmp(cli->argv[i], "--help") == 0) {
            printf(HD_CLI_MAILGATE_USAGE);
            return 0;
        }

        if (strcmp(cli->argv[i], "--key-file") == 0 && i + 1 < cli->argc) {
            key_file = cli->argv[++i];

        } else if (strcmp(cli->argv[i], "--cacert") == 0
                   && i + 1 < cli->argc)
        {
            cacert = cli->argv[++i];

        } else if (strcmp(cli->argv[i], "--timeout") == 0
                   && i + 1 < cli->argc)
        {
            timeout = strtol(cli->argv[++i], NULL, 10);

            if (timeout <= 0 || timeout > 3600) {
                fprintf(stderr, "helpdesk mailgate: --timeout takes 1 to "
                        "3600 seconds, not \"%s\"\n", cli->argv[i]);
                return HD_CLI_EX_TEMPFAIL;
            }

        } else if (cli->argv[i][0] != '-' && url == NULL) {
            url = cli->argv[i];

        } else {
            fprintf(stderr, "helpdesk mailgate: unknown argument \"%s\"\n%s",
                    cli->argv[i], HD_CLI_MAILGATE_USAGE);
            return HD_CLI_EX_TEMPFAIL;
        }
    }

    /* a mistake in the MTA's configuration keeps the mail in its queue */

    if (url == NULL
        || (strncmp(url, "http://", 7) != 0
            && strncmp(url, "https://", 8) != 0))
    {
        fprintf(stderr, "helpdesk mailgate: give the gate's URL (http:// or "
                "https://)\n%s", HD_CLI_MAILGATE_USAGE);
        return HD_CLI_EX_TEMPFAIL;
    }

    if (hd_cli_mailgate_key(key_file, key, sizeof(key)) != 0) {
        return HD_CLI_EX_TEMPFAIL;
    }

    msg = hd_cli_mailgate_read(&len, &too_large);
    if (msg == NULL) {
        fprintf(stderr, "helpdesk mailgate: cannot read the message on "
                "standard input\n");
        return HD_CLI_EX_TEMPFAIL;
    }

    if (too_large) {
        free(msg);
        fprintf(stderr, "5.3.4 helpdesk mailgate: the message is larger "
                "than %d MB\n", HD_CLI_MAILGATE_MAX >> 20);
        return HD_CLI_EX_DATAERR;
    }

    if (len == 0) {
        free(msg);
        fprintf(stderr, "helpdesk mailgate: the message on standard input "
                "is empty\n");
        return HD_CLI_EX_DATAERR;
    }

    snprintf(header, sizeof(header), "X-Helpdesk-Mailgate-Key: %s", key);
    headers[0] = header;
    headers[1] = NULL;

    p = calloc(1, sizeof(hd_http_post_t));
    if (p == NULL) {
        free(msg);
        return HD_CLI_EX_TEMPFAIL;
    }

    p->url = url;
    p->headers = headers;
    p->body = msg;
    p->len = len;
    p->content_type = "message/rfc822";
    p->timeout = timeout;
    p->cacert = cacert;

    i = hd_curl_post(p);
    free(msg);
    memset(key, 0, sizeof(key));
    memset(header, 0, sizeof(header));

    if (i != 0) {
        fprintf(stderr, "4.4.1 helpdesk mailgate: %s: %s\n", url, p->error);
        free(p);
        return HD_CLI_EX_TEMPFAIL;
    }

    if (p->status >= 200 && p->status < 300) {
        hd_cli_mailgate_field(p->response, "action", action, sizeof(action));
        hd_cli_mailgate_field(p->response, "ticket", ticket, sizeof(ticket));
        hd_cli_mailgate_field(p->response, "reason", reason, sizeof(reason));
        hd_cli_mailgate_field(p->response, "taken", taken, sizeof(taken));

        /* nothing kept it and nobody told its sender: the MTA must */
        if (strcmp(taken, "false") == 0) {
            fprintf(stderr, "5.6.0 helpdesk mailgate: the portal did not "
                    "take the message (%s%s%s)\n",
                    action[0] ? action : "refused",
                    strcmp(reason, "null") && reason[0] ? ": " : "",
                    strcmp(reason, "null") ? reason : "");
            free(p);
            return HD_CLI_EX_DATAERR;
        }

        printf("%s%s%s%s%s\n", action[0] ? action : "taken",
               strcmp(ticket, "null") && ticket[0] ? ", ticket " : "",
               strcmp(ticket, "null") ? ticket : "",
               strcmp(reason, "null") && reason[0] ? ": " : "",
               strcmp(reason, "null") ? reason : "");
        free(p);
        return HD_CLI_EX_OK;
    }

    /* the portal will never take it: too large, not a message */
    if (p->status == 413 || p->status == 400 || p->status == 415) {
        fprintf(stderr, "5.6.0 helpdesk mailgate: the portal refused the "
                "message (HTTP %ld): %s\n", p->status, p->response);
        free(p);
        return HD_CLI_EX_DATAERR;
    }

    fprintf(stderr, "4.3.0 helpdesk mailgate: the portal answered HTTP %ld, "
            "try again later: %s\n", p->status, p->response);
    free(p);

    return HD_CLI_EX_TEMPFAIL;
}

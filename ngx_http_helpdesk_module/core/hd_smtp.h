/*
 * The SMTP relay and what its answers mean (SPEC §7.1): the relay's
 * settings, the outcome of a delivery (sent, to try again later, failed,
 * the address bounced) from where a transaction stopped and what the relay
 * said, and the backoff between attempts. No library here: hd_curl.c
 * talks to the relay.
 */

#ifndef HD_SMTP_H
#define HD_SMTP_H


#include "hd_core.h"


typedef enum {
    HD_STARTTLS_OFF = 0,            /* plain text, even if offered */
    HD_STARTTLS_ON,                 /* when the relay offers it */
    HD_STARTTLS_REQUIRED            /* no TLS, no mail */
} hd_starttls_e;


#define HD_SMTP_HOST_MAX     256
#define HD_SMTP_SECRET_MAX   512
#define HD_SMTP_ANSWER_MAX   256


typedef struct {
    char          host[HD_SMTP_HOST_MAX];
    unsigned      port;
    unsigned      implicit_tls:1;   /* smtps://: TLS from the first byte */
    unsigned      verify:1;         /* the relay's certificate checked */
    uint8_t       starttls;         /* hd_starttls_e */
    char          ca[HD_SMTP_HOST_MAX];     /* a CA file; "": the system's */
    char          user[HD_SMTP_HOST_MAX];   /* "": no AUTH */
    char          password[HD_SMTP_SECRET_MAX];
    char          helo[HD_SMTP_HOST_MAX];   /* "": the host's name */
    char          from_name[HD_SMTP_HOST_MAX];
    char          from_address[HD_SMTP_HOST_MAX];
    uint64_t      timeout_ms;       /* connecting, and each answer */
    unsigned      concurrency;      /* messages in flight at once */
    uint64_t      retry;            /* seconds before the first retry */
    uint64_t      retry_max;        /* the longest wait between two */
    uint64_t      expire;           /* seconds: then it has failed */
} hd_smtp_conf_t;


/* where an SMTP transaction stopped */
typedef enum {
    HD_SMTP_AT_CONNECT = 0,         /* connecting, greeting, EHLO */
    HD_SMTP_AT_TLS,
    HD_SMTP_AT_AUTH,
    HD_SMTP_AT_MAIL,
    HD_SMTP_AT_RCPT,
    HD_SMTP_AT_DATA,                /* DATA, or the answer to the message */
    HD_SMTP_AT_DONE                 /* the message was accepted */
} hd_smtp_stage_e;


/* what a transaction came to: hd_curl fills it */
typedef struct {
    uint8_t       stage;            /* hd_smtp_stage_e */
    unsigned      code;             /* the relay's last code; 0: none */
    char          text[HD_SMTP_ANSWER_MAX];     /* its words, or ours */
} hd_smtp_answer_t;


typedef enum {
    HD_DELIVERY_SENT = 1,
    HD_DELIVERY_DEFERRED,           /* try again later */
    HD_DELIVERY_FAILED,             /* never: the message was refused */
    HD_DELIVERY_BOUNCED,            /* never: the address does not exist */
    HD_DELIVERY_RELEASED            /* not tried: back to the queue */
} hd_delivery_e;


#define HD_SMTP_CONF_DEFAULTS(c)                                              \
    do {                                                                      \
        memset((c), 0, sizeof(hd_smtp_conf_t));                               \
        (c)->port = 25;                                                       \
        (c)->verify = 1;                                                      \
        (c)->starttls = HD_STARTTLS_ON;                                       \
        (c)->timeout_ms = 30000;                                              \
        (c)->concurrency = 4;                                                 \
        (c)->retry = 60;                                                      \
        (c)->retry_max = 3600;                                                \
        (c)->expire = 2 * 24 * 3600;                                          \
    } while (0)


extern const char  *hd_delivery_names[];


/*
 * "Name <address>", "address" or "<address>": the sender of the portal's
 * mail. -1 when there is no address in it.
 */
int hd_smtp_parse_from(hd_smtp_conf_t *conf, const hd_uchar *p, size_t len);

/*
 * What an answer means. 2xx at the end: sent. 4xx, or no answer at all
 * (the relay down, a timeout): later. 5xx to RCPT, or a 5.1.x status to
 * the message: the address bounced. Another 5xx to the message: failed.
 * A refusal of our login or TLS is the relay's configuration against ours,
 * not the message's fault: later, and loud in the log.
 */
hd_delivery_e hd_smtp_outcome(const hd_smtp_answer_t *answer);

/* the answer names a problem of our settings (AUTH, TLS): for the log */
int hd_smtp_config_problem(const hd_smtp_answer_t *answer);

/* seconds before attempt n + 1 (n >= 1): doubling from retry to retry_max */
uint64_t hd_smtp_backoff(const hd_smtp_conf_t *conf, uint32_t attempts);


#endif /* HD_SMTP_H */

/*
 * The relay's settings and the meaning of its answers.
 */

#include <stdio.h>

#include "hd_mime.h"
#include "hd_smtp.h"


const char  *hd_delivery_names[] = {
    "", "sent", "deferred", "failed", "bounced", "released"
};


static int
hd_smtp_copy(char *to, size_t size, const hd_uchar *p, size_t len)
{
    while (len && (*p == ' ' || *p == '\t')) {
        p++;
        len--;
    }

    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) {
        len--;
    }

    if (len >= size) {
        return -1;
    }

    memcpy(to, p, len);
    to[len] = '\0';

    return 0;
}


int
hd_smtp_parse_from(hd_smtp_conf_t *conf, const hd_uchar *p, size_t len)
{
    size_t           i;
    const hd_uchar  *lt, *gt;

    for (i = 0; i < len; i++) {
        if (p[i] < ' ' || p[i] == 0x7f) {
            return -1;
        }
    }

    lt = memchr(p, '<', len);
    gt = lt ? memchr(lt, '>', p + len - lt) : NULL;

    if (lt == NULL) {
        conf->from_name[0] = '\0';

        return hd_smtp_copy(conf->from_address, sizeof(conf->from_address),
                            p, len) == 0
               && hd_mime_address_ok((hd_uchar *) conf->from_address,
                                     strlen(conf->from_address))
               ? 0 : -1;
    }

    if (gt == NULL || gt != p + len - 1
        || hd_smtp_copy(conf->from_address, sizeof(conf->from_address),
                        lt + 1, gt - lt - 1) != 0
        || !hd_mime_address_ok((hd_uchar *) conf->from_address,
                               strlen(conf->from_address)))
    {
        return -1;
    }

    /* "Name" <address>: the quotes are not part of the name */
    if (lt - p >= 2 && p[0] == '"') {
        const hd_uchar  *q = lt;

        while (q > p + 1 && (q[-1] == ' ' || q[-1] == '\t')) {
            q--;
        }

        if (q[-1] == '"' && q - 1 > p) {
            return hd_smtp_copy(conf->from_name, sizeof(conf->from_name),
                                p + 1, q - p - 2);
        }
    }

    return hd_smtp_copy(conf->from_name, sizeof(conf->from_name), p,
                        lt - p);
}


/* an RFC 3463 status in the answer's words: "5.1.1" -> class and subject */
static int
hd_smtp_enhanced(const char *text, unsigned *klass, unsigned *subject)
{
    const char  *p;

    for (p = text; *p; p++) {
        if ((p[0] == '4' || p[0] == '5') && p[1] == '.'
            && p[2] >= '0' && p[2] <= '9' && p[3] == '.'
            && p[4] >= '0' && p[4] <= '9'
            && (p == text || p[-1] == ' ' || p[-1] == '-'))
        {
            *klass = (unsigned) (p[0] - '0');
            *subject = (unsigned) (p[2] - '0');
            return 1;
        }
    }

    return 0;
}


int
hd_smtp_config_problem(const hd_smtp_answer_t *answer)
{
    return answer->stage == HD_SMTP_AT_AUTH
           || answer->stage == HD_SMTP_AT_TLS;
}


hd_delivery_e
hd_smtp_outcome(const hd_smtp_answer_t *answer)
{
    unsigned  klass, subject;

    if (answer->stage == HD_SMTP_AT_DONE) {
        return answer->code / 100 == 2 ? HD_DELIVERY_SENT
                                       : HD_DELIVERY_DEFERRED;
    }

    if (answer->code / 100 != 5 || hd_smtp_config_problem(answer)) {
        return HD_DELIVERY_DEFERRED;
    }

    if (answer->stage == HD_SMTP_AT_RCPT) {
        return HD_DELIVERY_BOUNCED;
    }

    /* refused after the address was taken: bad destination (5.1.x) is
       still about the address, anything else about the message */
    if (hd_smtp_enhanced(answer->text, &klass, &subject)
        && klass == 5 && subject == 1)
    {
        return HD_DELIVERY_BOUNCED;
    }

    return HD_DELIVERY_FAILED;
}


uint64_t
hd_smtp_backoff(const hd_smtp_conf_t *conf, uint32_t attempts)
{
    uint64_t  wait;

    wait = conf->retry ? conf->retry : 1;

    while (attempts > 1 && wait < conf->retry_max) {
        wait *= 2;
        attempts--;
    }

    return wait < conf->retry_max ? wait : conf->retry_max;
}

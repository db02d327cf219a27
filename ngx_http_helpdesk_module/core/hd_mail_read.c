/*
 * Reading a message that came in: tags, ids, machines, new words.
 */

#include <strings.h>

#include "hd_mail_read.h"


uint64_t
hd_mail_subject_ticket(const hd_str_t *s)
{
    size_t    i, j;
    uint64_t  n;

    for (i = 0; i + 3 < s->len; i++) {
        if (s->data[i] != '[' || s->data[i + 1] != '#') {
            continue;
        }

        n = 0;

        for (j = i + 2; j < s->len && j < i + 2 + 15
                        && s->data[j] >= '0' && s->data[j] <= '9'; j++)
        {
            n = n * 10 + (s->data[j] - '0');
        }

        if (j > i + 2 && j < s->len && s->data[j] == ']' && n > 0) {
            return n;
        }
    }

    return 0;
}


static int
hd_mail_number(const hd_uchar **p, const hd_uchar *end, uint64_t *n)
{
    const hd_uchar  *start = *p;

    *n = 0;

    while (*p < end && **p >= '0' && **p <= '9' && *p - start < 18) {
        *n = *n * 10 + (**p - '0');
        (*p)++;
    }

    return *p > start && *n > 0;
}


int
hd_mail_our_id(const hd_str_t *id, uint64_t *ticket, uint64_t *mail)
{
    const hd_uchar  *p, *end;

    *ticket = *mail = 0;

    if (id->len < 6 || memcmp(id->data, "hd.", 3) != 0) {
        return 0;
    }

    p = id->data;
    end = p + id->len;

    p += 3;

    if (end - p > 7 && memcmp(p, "ticket.", 7) == 0) {
        p += 7;
        return hd_mail_number(&p, end, ticket) && p < end && *p == '@';
    }

    /* hd.M.RND@: the caller compares the whole id with the outbox's */
    return hd_mail_number(&p, end, mail) && p < end && *p == '.';
}


size_t
hd_mail_ids(const hd_str_t *in_reply_to, const hd_str_t *references,
    hd_str_t *ids, size_t max)
{
    size_t           n = 0, k;
    const hd_uchar  *p, *lt, *gt, *end;
    hd_str_t         found[64];
    size_t           nfound = 0;

    if (in_reply_to->len && n < max) {
        ids[n++] = *in_reply_to;
    }

    if (references->len == 0) {
        return n;
    }

    /* References: oldest first as written; the parent is the last */
    p = references->data;
    end = p + references->len;

    while (p < end && nfound < 64) {
        lt = memchr(p, '<', end - p);
        if (lt == NULL) {
            break;
        }

        gt = memchr(lt, '>', end - lt);
        if (gt == NULL) {
            break;
        }

        if (gt - lt > 1 && gt - lt < 250) {
            found[nfound].data = (hd_uchar *) lt + 1;
            found[nfound].len = gt - lt - 1;
            nfound++;
        }

        p = gt + 1;
    }

    for (k = nfound; k > 0 && n < max; k--) {
        ids[n++] = found[k - 1];
    }

    return n;
}


static int
hd_mail_token_is(const hd_str_t *v, const char *word)
{
    size_t  n = 0, len = strlen(word);

    /* the value's first token: "auto-replied; owner-email=..." */
    while (n < v->len && v->data[n] != ';' && v->data[n] != ' '
           && v->data[n] != '\t')
    {
        n++;
    }

    return n == len && strncasecmp((const char *) v->data, word, len) == 0;
}


const char *
hd_mail_automatic(const hd_str_t *auto_submitted, const hd_str_t *precedence,
    const hd_str_t *list_id)
{
    if (auto_submitted->len && !hd_mail_token_is(auto_submitted, "no")) {
        return "auto_submitted";
    }

    if (hd_mail_token_is(precedence, "bulk")
        || hd_mail_token_is(precedence, "junk")
        || hd_mail_token_is(precedence, "list"))
    {
        return "precedence";
    }

    return list_id->len ? "list" : NULL;
}


int
hd_mail_auto_reply(const hd_str_t *auto_submitted)
{
    return hd_mail_token_is(auto_submitted, "auto-replied");
}


int
hd_mail_daemon(const hd_str_t *a)
{
    static const char  *names[] = {
        "mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", NULL
    };

    size_t        local;
    const char  **n;

    for (local = 0; local < a->len && a->data[local] != '@'; local++) {
        /* void */
    }

    for (n = names; *n; n++) {
        if (local == strlen(*n)
            && strncasecmp((const char *) a->data, *n, local) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/* a line, without its end and the spaces at both ends */
typedef struct {
    const hd_uchar  *p;
    size_t           len;
} hd_line_t;


static int
hd_line_ends(const hd_line_t *l, const char *tail)
{
    size_t  n = strlen(tail);

    return l->len >= n
           && strncasecmp((const char *) l->p + l->len - n, tail, n) == 0;
}


static int
hd_line_starts(const hd_line_t *l, const char *head)
{
    size_t  n = strlen(head);

    return l->len >= n && strncasecmp((const char *) l->p, head, n) == 0;
}


/* "On ... wrote:", "... пишет:", "..., Name <a@b>:" (Gmail in Russian) */
static int
hd_mail_attribution(const hd_line_t *l)
{
    static const char  *tails[] = {
        "wrote:", "пишет:", "написал:", "написала:", "написал(а):",
        "писал(а):", NULL
    };

    const char  **t;

    for (t = tails; *t; t++) {
        if (hd_line_ends(l, *t)) {
            return 1;
        }
    }

    return l->len > 3 && hd_line_ends(l, ">:")
           && memchr(l->p, '@', l->len) != NULL;
}


/* Outlook's block: "From: ..." with "Sent:" or "Date:" right after */
static int
hd_mail_header_block(const hd_line_t *lines, size_t n, size_t i)
{
    size_t  k;

    if (!hd_line_starts(&lines[i], "From:")
        && !hd_line_starts(&lines[i], "От:")
        && !hd_line_starts(&lines[i], "От кого:"))
    {
        return 0;
    }

    for (k = i + 1; k < n && k <= i + 3; k++) {
        if (hd_line_starts(&lines[k], "Sent:")
            || hd_line_starts(&lines[k], "Date:")
            || hd_line_starts(&lines[k], "Отправлено:")
            || hd_line_starts(&lines[k], "Дата:"))
        {
            return 1;
        }
    }

    return 0;
}


static int
hd_mail_separator(const hd_line_t *l)
{
    static const char  *marks[] = {
        "original message", "исходное сообщение", "forwarded message",
        "пересылаемое сообщение", "переадресованное сообщение", NULL
    };

    size_t        i;
    const char  **m;

    if (l->len < 6 || l->p[0] != '-' || l->p[1] != '-') {
        return l->len >= 10 && l->p[0] == '_' && l->p[l->len - 1] == '_';
    }

    for (m = marks; *m; m++) {
        for (i = 0; i + strlen(*m) <= l->len; i++) {
            if (strncasecmp((const char *) l->p + i, *m, strlen(*m)) == 0) {
                return 1;
            }
        }
    }

    return 0;
}


static int
hd_mail_mobile(const hd_line_t *l)
{
    return hd_line_starts(l, "Sent from my ")
           || hd_line_starts(l, "Отправлено с ")
           || hd_line_starts(l, "Отправлено из ")
           || hd_line_starts(l, "Get Outlook for ");
}


void
hd_mail_reply_text(const hd_str_t *text, hd_str_t *out)
{
    size_t           n, i, cut, cap;
    hd_line_t        lines[2048];
    const hd_uchar  *p, *end, *eol;

    *out = *text;

    if (text->len == 0) {
        return;
    }

    p = text->data;
    end = p + text->len;
    n = 0;
    cap = sizeof(lines) / sizeof(lines[0]);

    while (p < end && n < cap) {
        eol = memchr(p, '\n', end - p);
        if (eol == NULL) {
            eol = end;
        }

        lines[n].p = p;
        lines[n].len = eol - p;

        /* the signature separator is "-- " with its space: not trimmed */
        if (!(lines[n].len == 3 && memcmp(p, "-- ", 3) == 0)) {
            while (lines[n].len && (lines[n].p[0] == ' '
                                    || lines[n].p[0] == '\t'))
            {
                lines[n].p++;
                lines[n].len--;
            }

            while (lines[n].len && (lines[n].p[lines[n].len - 1] == ' '
                                    || lines[n].p[lines[n].len - 1] == '\t'
                                    || lines[n].p[lines[n].len - 1] == '\r'))
            {
                lines[n].len--;
            }
        }

        n++;
        p = eol + 1;
    }

    if (n == cap) {
        return;                 /* a long text is left as it is */
    }

    cut = n;

    for (i = 0; i < n; i++) {
        if ((lines[i].len == 3 && memcmp(lines[i].p, "-- ", 3) == 0)
            || hd_mail_separator(&lines[i])
            || hd_mail_header_block(lines, n, i)
            || hd_mail_attribution(&lines[i]))
        {
            cut = i;
            break;
        }

        /* an attribution wrapped: "On ..., Name <" / "a@b> wrote:" */
        if (i + 1 < n && lines[i].len && hd_mail_attribution(&lines[i + 1])
            && (hd_line_starts(&lines[i], "On ")
                || lines[i].p[lines[i].len - 1] == '<'))
        {
            cut = i;
            break;
        }
    }

    /* then what is left: a trailing quoted block, mobile signatures */
    for (;;) {
        while (cut > 0 && lines[cut - 1].len == 0) {
            cut--;
        }

        if (cut > 0 && (lines[cut - 1].p[0] == '>'
                        || hd_mail_mobile(&lines[cut - 1])))
        {
            cut--;
            continue;
        }

        break;
    }

    if (cut == 0) {
        return;                 /* nothing new: keep everything */
    }

    out->data = text->data;
    out->len = lines[cut - 1].p + lines[cut - 1].len - text->data;
}

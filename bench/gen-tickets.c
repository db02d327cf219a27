/*
 * A generator of tickets for benchmarks and tests: COUNT tickets in the
 * data directory, written by the core's own hd_ticket_put (every index
 * kept) with a description each, spread over AUTHORS customers (ids from
 * FIRST; made up unless told), in big transactions. Built by `make` as
 * build/gen-tickets.
 *
 *   build/gen-tickets -d DIR -n 1000000 [-a 10000] [-A FIRST]
 *
 * With -q, a staff queue's mix instead (seeded, so the same every run):
 * DEPARTMENTS departments, owners from a list (40% unassigned), every
 * status (80% unclosed), every priority, some at risk or past their SLA,
 * subjects of a few words and an error code; -l FILE lists each ticket
 * (tab-separated) for a test to check queries against.
 *
 *   build/gen-tickets -d DIR -q -n 100000 -D 5 -o 3,4,5 [-s SEED] [-l FILE]
 *
 * With -m, MESSAGES messages a ticket of a support service's words, each
 * indexed for the staff's search as hd_ticket_post indexes it (the first
 * with the subject): common words and a long tail of rare ones (a word's
 * rank log-uniform, as Zipf's law has it, over 200,000 words; error codes,
 * versions), seeded. The departments' tickets are spread as -D says.
 *
 *   build/gen-tickets -d DIR -n 200000 -m 5 -w bench/words.txt [-D 3] [-s SEED]
 *
 * The segments of the index are merged at the end as the timer would merge
 * them; -S leaves that to the timer (t/092).
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <math.h>

#include "hd_search.h"
#include "hd_store.h"
#include "hd_ticket.h"


#define GEN_BATCH  20000
#define GEN_WORDS  200000   /* the messages' vocabulary */
#define GEN_OWNERS 64


static uint64_t  gen_state = 88172645463325252ULL;

static uint64_t
gen_rand(void)
{
    /* xorshift64: the same sequence for the same seed */
    gen_state ^= gen_state << 13;
    gen_state ^= gen_state >> 7;
    gen_state ^= gen_state << 17;

    return gen_state;
}


static const char  *gen_verbs[] = {
    "Ошибка", "Не работает", "Не устанавливается", "Сбой", "Зависает",
    "Не подписывается", "Не видит", "Медленно работает"
};

static const char  *gen_objects[] = {
    "подпись документа", "контейнер ключа", "токен", "сертификат",
    "лицензия", "плагин браузера", "шифрование", "вход в систему",
    "обновление", "журнал событий"
};

static const char  *gen_products[] = {
    "КриптоПро CSP", "КриптоПро ЭЦП Browser plug-in", "Рутокен", "JaCarta",
    "Windows 11", "Astra Linux"
};

#define gen_pick(list)  list[gen_rand() % (sizeof(list) / sizeof(list[0]))]


/* a ticket of the staff queue's mix */
static void
gen_queue_ticket(hd_ticket_t *t, uint64_t i, uint64_t now,
    uint64_t departments, const uint64_t *owners, size_t nowners,
    char *subject, size_t size)
{
    uint64_t  r;

    snprintf(subject, size, "%s: %s, %s 0x%08llx", gen_pick(gen_verbs),
             gen_pick(gen_objects), gen_pick(gen_products),
             (unsigned long long) (0x80090000 + gen_rand() % 500));
    t->subject.data = (hd_uchar *) subject;
    t->subject.len = strlen(subject);
    t->department = 1 + gen_rand() % departments;

    r = gen_rand() % 100;
    t->status = (uint8_t) (r < 30 ? HD_STATUS_NEW
                           : r < 60 ? HD_STATUS_OPEN
                           : r < 70 ? HD_STATUS_AWAITING_CUSTOMER
                           : r < 80 ? HD_STATUS_SOLVED
                           : HD_STATUS_CLOSED + gen_rand() % 4);

    t->owner = (nowners == 0 || gen_rand() % 100 < 40)
               ? 0 : owners[gen_rand() % nowners];
    t->priority = (uint8_t) (gen_rand() % HD_PRIORITY_COUNT);
    t->type = (uint8_t) (gen_rand() % HD_TYPE_COUNT);
    t->severity = (uint8_t) (1 + gen_rand() % 4);
    t->created = now + i;
    t->updated = t->created + gen_rand() % 5000;

    if (!hd_status_closed(t->status)) {
        t->sla_due = t->created + 3600 * (1 + gen_rand() % 72);
        r = gen_rand() % 100;
        t->sla_state = (uint8_t) (r < 5 ? HD_SLA_BREACHED
                                  : r < 15 ? HD_SLA_AT_RISK : HD_SLA_OK);

    } else {
        t->closed = t->updated;
    }
}


/* -m: a support service's words, the most common first (bench/words.txt,
   which bench/ticket-words.lua reads too) */
static char    *gen_common[256];
static size_t   gen_ncommon;

static const char  *gen_syllables[] = {
    "ка", "ро", "ми", "те", "ла", "ну", "за", "пи", "до", "ре", "ст", "ве",
    "ко", "ни", "ма", "ли", "со", "ту", "бе", "ди"
};

#define gen_count(a)  (sizeof(a) / sizeof((a)[0]))


/* a word of the vocabulary by its rank: the common ones, else made of
   syllables (the rank's digits), an error code or a version */
static size_t
gen_word(char *p, size_t size, uint64_t rank)
{
    size_t  len = 0;

    if (rank < gen_ncommon) {
        return (size_t) snprintf(p, size, "%s", gen_common[rank]);
    }

    if (rank % 13 == 0) {
        return (size_t) snprintf(p, size, "0x%08llx",
                                 0x80090000ULL + (unsigned long long) rank);
    }

    if (rank % 17 == 0) {
        return (size_t) snprintf(p, size, "%llu.%llu.%llu",
                                 (unsigned long long) rank % 7,
                                 (unsigned long long) rank / 7 % 10,
                                 (unsigned long long) rank / 70);
    }

    for ( /* void */ ; rank && len + 5 < size; rank /= 20) {
        len += (size_t) snprintf(p + len, size - len, "%s",
                                 gen_syllables[rank % 20]);
    }

    return len;
}


/* the common words, a line each ('#' a comment) */
static int
gen_load_words(const char *path)
{
    char   line[256];
    FILE  *f;

    f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return -1;
    }

    while (fgets(line, sizeof(line), f) != NULL
           && gen_ncommon < gen_count(gen_common))
    {
        line[strcspn(line, "\r\n")] = '\0';

        if (line[0] != '\0' && line[0] != '#') {
            gen_common[gen_ncommon++] = strdup(line);
        }
    }

    fclose(f);

    return gen_ncommon ? 0 : -1;
}


/* n words of the vocabulary, their ranks log-uniform (Zipf's law) */
static size_t
gen_text(char *p, size_t size, size_t n)
{
    size_t    i, len = 0;
    uint64_t  rank;
    double    u;

    for (i = 0; i < n && len + 64 < size; i++) {
        u = (double) (gen_rand() % 1000000) / 1000000.0;
        rank = (uint64_t) exp(u * log((double) GEN_WORDS)) - 1;

        if (i) {
            p[len++] = (i % 9 == 0) ? '.' : ' ';
            if (p[len - 1] == '.') {
                p[len++] = ' ';
            }
        }

        len += gen_word(p + len, size - len, rank);
    }

    p[len] = '\0';

    return len;
}


int
main(int argc, char **argv)
{
    int            c, queue = 0, settle = 1;
    char           subject[256], body[2048], *p, *end;
    size_t         k, messages = 0;
    hd_str_t       title, text;
    size_t         nowners = 0;
    FILE          *list = NULL;
    const char    *dir = NULL, *list_path = NULL, *words = NULL;
    hd_rc          rc;
    uint64_t       count = 1000, authors = 10000, first = 1000000, i, done;
    uint64_t       closing = 0, closing_due = 0, closing_author = 0, closed = 0;
    uint64_t       now, departments = 3, owners[GEN_OWNERS];
    hd_err_t       err;
    hd_txn_t       txn;
    hd_store_t    *store;
    hd_ticket_t    t;
    hd_message_t   m;

    while ((c = getopt(argc, argv, "d:n:a:A:qD:o:s:l:c:t:C:m:w:S")) != -1) {
        switch (c) {
        case 'm':
            messages = strtoull(optarg, NULL, 10);
            break;
        case 'w':
            words = optarg;
            break;
        case 'c':
            closing = strtoull(optarg, NULL, 10);
            break;
        case 't':
            closing_due = strtoull(optarg, NULL, 10);
            break;
        case 'C':
            closing_author = strtoull(optarg, NULL, 10);
            break;
        case 'A':
            first = strtoull(optarg, NULL, 10);
            break;
        case 'q':
            queue = 1;
            break;
        case 'S':
            settle = 0;
            break;
        case 'D':
            departments = strtoull(optarg, NULL, 10);
            break;
        case 'o':
            for (p = optarg; *p && nowners < GEN_OWNERS; p = end) {
                owners[nowners++] = strtoull(p, &end, 10);
                if (*end == ',') {
                    end++;
                }

                if (end == p) {
                    break;
                }
            }
            break;
        case 's':
            gen_state = strtoull(optarg, NULL, 10) | 1;
            break;
        case 'l':
            list_path = optarg;
            break;
        case 'd':
            dir = optarg;
            break;
        case 'n':
            count = strtoull(optarg, NULL, 10);
            break;
        case 'a':
            authors = strtoull(optarg, NULL, 10);
            break;
        default:
            fprintf(stderr, "usage: gen-tickets -d DIR [-n COUNT] "
                    "[-a AUTHORS] [-A FIRST] [-q -D DEPARTMENTS -o IDS "
                    "-s SEED -l FILE] [-c DUE -t TIME -C AUTHOR] "
                    "[-m MESSAGES -w WORDS]\n");
            return 2;
        }
    }

    if (dir == NULL || authors == 0 || departments == 0) {
        fprintf(stderr, "usage: gen-tickets -d DIR [-n COUNT] [-a AUTHORS]\n");
        return 2;
    }

    if (messages && (words == NULL || gen_load_words(words) != 0)) {
        fprintf(stderr, "gen-tickets: -m needs -w WORDS, a file of words\n");
        return 2;
    }

    hd_err_clear(&err);

    if (hd_store_open(&store, dir, 0, &err) != HD_OK) {
        fprintf(stderr, "gen-tickets: %s\n", err.text);
        return 1;
    }

    now = (uint64_t) time(NULL) - count;

    if (list_path != NULL) {
        list = fopen(list_path, "w");
        if (list == NULL) {
            perror(list_path);
            hd_store_close(store);
            return 1;
        }
    }

    for (done = 0; done < count; done += GEN_BATCH) {
        rc = hd_txn_begin(store, &txn, HD_TXN_WRITE, &err);

        for (i = done; rc == HD_OK && i < done + GEN_BATCH && i < count;
             i++)
        {
            memset(&t, 0, sizeof(t));

            if (queue) {
                gen_queue_ticket(&t, i, now, departments, owners, nowners,
                                 subject, sizeof(subject));

            } else {
                if (messages) {
                    (void) gen_text(subject, sizeof(subject),
                                    3 + gen_rand() % 4);
                } else {
                    snprintf(subject, sizeof(subject),
                             "Generated ticket %llu", (unsigned long long) i);
                }

                t.subject.data = (hd_uchar *) subject;
                t.subject.len = strlen(subject);
                t.type = (uint8_t) (i % HD_TYPE_COUNT);
                t.severity = 3;
                t.department = 1 + i % departments;
                t.status = (uint8_t) (i % 5 == 0 ? HD_STATUS_CLOSED
                                      : i % 3 == 0 ? HD_STATUS_OPEN
                                      : HD_STATUS_NEW);
                t.priority = HD_PRIORITY_LOW;
                t.created = now + i;
                t.updated = now + i;
            }

            t.author = first + i % authors;

            /* -c: spread over the rest, solved tickets of one real author
               due to auto-close at -t (the timer's benchmark) */
            if (closed < closing && i % (count / closing) == 0) {
                t.status = HD_STATUS_SOLVED;
                t.autoclose_due = closing_due;
                t.sla_due = 0;
                t.sla_state = HD_SLA_OK;
                t.author = closing_author ? closing_author : t.author;
                closed++;
            }

            t.last_replier = t.author;
            t.messages = 1;

            rc = hd_ticket_number(&txn, 1, &t.number, &err);
            if (rc != HD_OK) {
                break;
            }

            if (list != NULL) {
                fprintf(list, "%llu\t%llu\t%llu\t%s\t%s\t%s\t%llu\t%llu"
                        "\t%llu\t%llu\t%s\n",
                        (unsigned long long) t.number,
                        (unsigned long long) t.department,
                        (unsigned long long) t.owner,
                        hd_status_names[t.status],
                        hd_priority_names[t.priority],
                        hd_sla_state_names[t.sla_state],
                        (unsigned long long) t.sla_due,
                        (unsigned long long) t.created,
                        (unsigned long long) t.updated,
                        (unsigned long long) t.author, subject);
            }

            if (messages) {
                /* indexed as hd_ticket_post indexes them */
                t.messages = (uint32_t) messages;
                title = t.subject;

                for (k = 0; rc == HD_OK && k < messages; k++) {
                    memset(&m, 0, sizeof(m));
                    m.ticket = t.number;
                    m.kind = k % 2 ? HD_MESSAGE_REPLY : HD_MESSAGE_CUSTOMER;
                    m.author = k % 2 ? 1 : t.author;
                    m.side = k % 2 ? HD_SIDE_STAFF : HD_SIDE_CUSTOMER;
                    text.len = gen_text(body, sizeof(body),
                                        15 + gen_rand() % 46);
                    text.data = (hd_uchar *) body;
                    m.body = text;
                    m.created = t.created;

                    rc = hd_message_add(&txn, &m, &err);
                    if (rc == HD_OK) {
                        rc = hd_search_add(&txn, HD_SEARCH_TICKETS, t.number,
                                           (uint32_t) m.id,
                                           k == 0 ? &title : NULL, &text, 0,
                                           &err);
                    }
                }

                if (rc == HD_OK) {
                    rc = hd_ticket_put(&txn, NULL, &t, &err);
                }

                continue;
            }

            memset(&m, 0, sizeof(m));
            m.ticket = t.number;
            m.kind = HD_MESSAGE_CUSTOMER;
            m.author = t.author;
            hd_str_set(&m.body, "A description of a generated problem, about "
                       "as long as a short real one: what was done, what "
                       "happened, the error text.");
            m.created = t.created;

            rc = hd_message_add(&txn, &m, &err);
            if (rc == HD_OK) {
                rc = hd_ticket_put(&txn, NULL, &t, &err);
            }
        }

        if (rc == HD_OK) {
            rc = hd_txn_commit(&txn, &err);

        } else {
            hd_txn_abort(&txn);
        }

        if (rc != HD_OK) {
            fprintf(stderr, "gen-tickets: %s\n", err.text);
            hd_store_close(store);
            return 1;
        }
    }

    /* as the timer leaves them: the segments merged that can be */
    if (messages && settle) {
        size_t  merges;

        if (hd_search_settle(store, HD_SEARCH_TICKETS, 0, (size_t) -1,
                             &merges, &err)
            != HD_OK)
        {
            fprintf(stderr, "gen-tickets: %s\n", err.text);
            hd_store_close(store);
            return 1;
        }
    }

    hd_store_close(store);

    if (list != NULL && fclose(list) != 0) {
        perror(list_path);
        return 1;
    }

    printf("%llu tickets generated in %s\n", (unsigned long long) count, dir);

    return 0;
}

/*
 * A generator of knowledge-base articles for benchmarks: COUNT articles in
 * the data directory, saved by the core's own hd_kb_save (revision, list
 * and search index kept, as an editor's save would), in big transactions.
 * Titles and bodies are made of a support service's words (Russian and
 * English, an error code in some), seeded, so every run is the same.
 * Built by `make` as build/gen-kb.
 *
 *   build/gen-kb -d DIR -n 100000 [-p PRODUCT] [-s SEED]
 *   build/gen-kb -W      the words it writes, one a line (for a benchmark's
 *                        queries: bench/kb-typed.lua)
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hd_kb.h"
#include "hd_store.h"


#define GEN_BATCH  2000


static uint64_t  gen_state = 88172645463325252ULL;

static uint64_t
gen_rand(void)
{
    gen_state ^= gen_state << 13;
    gen_state ^= gen_state >> 7;
    gen_state ^= gen_state << 17;

    return gen_state;
}


static const char  *gen_ru[] = {
    "подпись", "документ", "сертификат", "контейнер", "ключ", "токен",
    "лицензия", "обновление", "установка", "браузер", "плагин", "ошибка",
    "шифрование", "хранилище", "драйвер", "сервер", "журнал", "карантин",
    "проверка", "настройка", "прокси", "пароль", "версия", "цепочка",
    "подписывается", "устанавливается", "определяется", "запускается",
    "работает", "отображается", "копируется", "удаляется", "открывается",
    "после", "перед", "при", "для", "на", "не", "в", "и", "с", "через",
    "личный", "корневой", "закрытый", "новый", "старый", "медленно",
    "антивирус", "база", "политика", "домен", "пользователь", "компьютер",
    "программа", "служба", "модуль", "файл", "папка", "реестр", "порт"
};

static const char  *gen_en[] = {
    "signature", "document", "certificate", "container", "key", "token",
    "license", "update", "install", "browser", "plugin", "error",
    "encryption", "store", "driver", "server", "log", "quarantine",
    "scan", "settings", "proxy", "password", "version", "chain",
    "signing", "installing", "detected", "starting", "works", "shown",
    "after", "before", "when", "for", "on", "not", "in", "and", "with",
    "personal", "root", "private", "new", "old", "slowly", "service"
};

#define gen_count(a)  (sizeof(a) / sizeof((a)[0]))


static size_t
gen_words(char *p, size_t size, int ru, size_t n)
{
    size_t       i, len = 0;
    const char  *w;

    for (i = 0; i < n && len + 40 < size; i++) {
        w = ru ? gen_ru[gen_rand() % gen_count(gen_ru)]
               : gen_en[gen_rand() % gen_count(gen_en)];
        len += (size_t) snprintf(p + len, size - len, "%s%s", i ? " " : "",
                                 w);
    }

    return len;
}


int
main(int argc, char **argv)
{
    int               c, ru;
    char              title[256], body[4096], products[24], *end;
    size_t            count = 0, done, i, len;
    uint64_t          product = 1, now;
    hd_rc             rc;
    hd_err_t          err;
    hd_txn_t          txn;
    const char       *dir = NULL;
    hd_store_t       *store;
    hd_kb_article_t   a;

    while ((c = getopt(argc, argv, "d:n:p:s:W")) != -1) {
        switch (c) {
        case 'W':
            for (size_t i = 0; i < gen_count(gen_ru); i++) {
                printf("%s\n", gen_ru[i]);
            }

            for (size_t i = 0; i < gen_count(gen_en); i++) {
                printf("%s\n", gen_en[i]);
            }

            return 0;
        case 'd':
            dir = optarg;
            break;
        case 'n':
            count = strtoul(optarg, &end, 10);
            break;
        case 'p':
            product = strtoull(optarg, &end, 10);
            break;
        case 's':
            gen_state ^= strtoull(optarg, &end, 10) * 0x9e3779b97f4a7c15ULL;
            break;
        default:
            fprintf(stderr, "usage: gen-kb -d DIR -n COUNT [-p PRODUCT] "
                            "[-s SEED] | -W\n");
            return 2;
        }
    }

    if (dir == NULL || count == 0) {
        fprintf(stderr, "gen-kb: -d DIR and -n COUNT are needed\n");
        return 2;
    }

    if (hd_store_open(&store, dir, 0, &err) != HD_OK) {
        fprintf(stderr, "gen-kb: %s\n", err.text);
        return 1;
    }

    now = (uint64_t) time(NULL);
    snprintf(products, sizeof(products), "%llu", (unsigned long long) product);

    for (done = 0, rc = HD_OK; rc == HD_OK && done < count; done += GEN_BATCH) {
        rc = hd_txn_begin(store, &txn, HD_TXN_WRITE, &err);

        for (i = done; rc == HD_OK && i < done + GEN_BATCH && i < count; i++) {
            ru = gen_rand() % 4 != 0;

            len = gen_words(title, sizeof(title), ru, 3 + gen_rand() % 5);
            if (gen_rand() % 10 == 0) {
                snprintf(title + len, sizeof(title) - len, " 0x%08llx",
                         (unsigned long long) (0x80090000 + gen_rand() % 4096));
            }

            len = gen_words(body, sizeof(body), ru, 60 + gen_rand() % 120);

            memset(&a, 0, sizeof(a));
            a.title.data = (hd_uchar *) title;
            a.title.len = strlen(title);
            a.body.data = (hd_uchar *) body;
            a.body.len = len;
            a.products.data = (hd_uchar *) products;
            a.products.len = strlen(products);
            hd_str_set(&a.tags, "");
            hd_str_set(&a.versions, "");
            hd_str_set(&a.related, "");
            a.language = ru ? 0 : 1;
            a.audience = gen_rand() % 10 == 0 ? HD_KB_INTERNAL : HD_KB_PUBLIC;
            a.state = HD_KB_PUBLISHED;

            rc = hd_kb_save(&txn, &a, 1, now, &err);
        }

        if (rc == HD_OK) {
            rc = hd_txn_commit(&txn, &err);

        } else {
            hd_txn_abort(&txn);
        }
    }

    hd_store_close(store);

    if (rc != HD_OK) {
        fprintf(stderr, "gen-kb: %s\n", err.text);
        return 1;
    }

    printf("%zu articles\n", count);

    return 0;
}

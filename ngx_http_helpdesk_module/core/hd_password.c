/*
 * Password hashing. At most as many hashes run at once as there are CPUs in
 * this process, so that a burst of logins queues instead of making every
 * one of them slow.
 */

#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hd_crypto.h"
#include "hd_password.h"


#define HD_PASSWORD_SALT  16
#define HD_PASSWORD_KEY   32
#define HD_PASSWORD_ALGO  "pbkdf2-sha256"


static sem_t           hd_password_slots;
static pthread_once_t  hd_password_once = PTHREAD_ONCE_INIT;


static void
hd_password_init(void)
{
    long  n = sysconf(_SC_NPROCESSORS_ONLN);

    sem_init(&hd_password_slots, 0, n > 0 ? (unsigned) n : 1);
}


static int
hd_password_kdf(const hd_uchar *password, size_t len, const hd_uchar *salt,
    size_t slen, unsigned iterations, hd_uchar *key)
{
    int  rc;

    pthread_once(&hd_password_once, hd_password_init);

    while (sem_wait(&hd_password_slots) != 0) { /* EINTR */ }

    rc = hd_pbkdf2_sha256(password, len, salt, slen, iterations, key,
                          HD_PASSWORD_KEY);

    sem_post(&hd_password_slots);

    return rc;
}


int
hd_password_hash(const hd_uchar *password, size_t len, unsigned iterations,
    char out[HD_PASSWORD_HASH_SIZE])
{
    int       n;
    char      salt_text[32], key_text[48];
    hd_uchar  salt[HD_PASSWORD_SALT], key[HD_PASSWORD_KEY];

    if (hd_random(salt, sizeof(salt)) != 0
        || hd_password_kdf(password, len, salt, sizeof(salt), iterations, key)
           != 0)
    {
        return -1;
    }

    salt_text[hd_b64url_encode(salt_text, salt, sizeof(salt))] = '\0';
    key_text[hd_b64url_encode(key_text, key, sizeof(key))] = '\0';

    n = snprintf(out, HD_PASSWORD_HASH_SIZE, HD_PASSWORD_ALGO "$%u$%s$%s",
                 iterations, salt_text, key_text);

    return n > 0 && n < HD_PASSWORD_HASH_SIZE ? 0 : -1;
}


int
hd_password_verify(const hd_str_t *stored, const hd_uchar *password,
    size_t len, int *upgrade)
{
    char          text[HD_PASSWORD_HASH_SIZE], *iter, *salt, *key, *end;
    ssize_t       slen, klen;
    hd_uchar      salt_raw[64], key_raw[64], computed[HD_PASSWORD_KEY];
    unsigned long iterations;

    *upgrade = 0;

    if (stored->len == 0 || stored->len >= sizeof(text)) {
        hd_password_dummy(password, len);
        return 0;
    }

    memcpy(text, stored->data, stored->len);
    text[stored->len] = '\0';

    iter = strchr(text, '$');
    salt = iter ? strchr(iter + 1, '$') : NULL;
    key = salt ? strchr(salt + 1, '$') : NULL;

    if (key == NULL || (size_t) (iter - text) != sizeof(HD_PASSWORD_ALGO) - 1
        || memcmp(text, HD_PASSWORD_ALGO, iter - text) != 0)
    {
        hd_password_dummy(password, len);
        return 0;
    }

    *salt++ = '\0';
    *key++ = '\0';

    iterations = strtoul(iter + 1, &end, 10);
    slen = hd_b64url_decode(salt_raw, sizeof(salt_raw), salt, strlen(salt));
    klen = hd_b64url_decode(key_raw, sizeof(key_raw), key, strlen(key));

    if (*end != '\0' || iterations == 0 || iterations > 100000000
        || slen < 8 || klen != HD_PASSWORD_KEY)
    {
        hd_password_dummy(password, len);
        return 0;
    }

    if (hd_password_kdf(password, len, salt_raw, slen, (unsigned) iterations,
                        computed)
        != 0)
    {
        return 0;
    }

    if (!hd_ct_equal(computed, key_raw, HD_PASSWORD_KEY)) {
        return 0;
    }

    *upgrade = iterations < HD_PASSWORD_ITERATIONS;

    return 1;
}


void
hd_password_dummy(const hd_uchar *password, size_t len)
{
    hd_uchar  key[HD_PASSWORD_KEY];

    static const hd_uchar  salt[HD_PASSWORD_SALT] = "helpdesk-dummy!";

    (void) hd_password_kdf(password, len, salt, sizeof(salt),
                           HD_PASSWORD_ITERATIONS, key);
}

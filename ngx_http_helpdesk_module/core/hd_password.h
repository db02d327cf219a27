/*
 * Passwords: PBKDF2-HMAC-SHA256 with a per-account 16-byte salt, stored with
 * its parameters ("pbkdf2-sha256$600000$<salt>$<hash>", base64url) so that
 * they can be raised later and old hashes upgraded at the next login.
 * Hashing is slow on purpose: callers run it off the event loop.
 */

#ifndef HD_PASSWORD_H
#define HD_PASSWORD_H


#include "hd_core.h"


#define HD_PASSWORD_ITERATIONS  600000
#define HD_PASSWORD_MIN_CHARS   10
#define HD_PASSWORD_MAX_BYTES   1024
#define HD_PASSWORD_HASH_SIZE   128


/* 0, or -1 on a failure of the CSPRNG or the KDF */
int hd_password_hash(const hd_uchar *password, size_t len,
    unsigned iterations, char out[HD_PASSWORD_HASH_SIZE]);

/*
 * 1 when the password matches the stored hash (compared in constant time),
 * 0 when not or when the stored text is not a hash. *upgrade is set when
 * the stored parameters are weaker than the current ones.
 */
int hd_password_verify(const hd_str_t *stored, const hd_uchar *password,
    size_t len, int *upgrade);

/* the cost of a verification, for accounts that do not exist */
void hd_password_dummy(const hd_uchar *password, size_t len);


#endif /* HD_PASSWORD_H */

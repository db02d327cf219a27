/*
 * Cryptographic helpers on OpenSSL: random tokens, SHA-256, password hashing
 * (PBKDF2-HMAC-SHA256), constant-time comparison, hex and base64url.
 */

#ifndef HD_CRYPTO_H
#define HD_CRYPTO_H


#include "hd_core.h"


#define HD_SHA256_LEN        32
#define HD_TOKEN_LEN         32          /* 256-bit random tokens */
#define HD_TOKEN_TEXT_LEN    43          /* base64url, no padding */


int hd_random(void *buf, size_t len);

/*
 * What OpenSSL keeps for the calling thread freed (its error queue, its
 * random generators), said at the end of each task a pooled thread runs:
 * nginx ends its pool's threads while the worker exits, and OpenSSL's own
 * cleanup at exit races a thread's destructor of that state (a crash in
 * libcrypto at a worker's exit); a thread that keeps none has nothing to
 * destroy. The next task's first call makes it again.
 */
void hd_crypto_thread_end(void);
void hd_sha256(const void *data, size_t len, hd_uchar out[HD_SHA256_LEN]);
int hd_ct_equal(const void *a, const void *b, size_t len);

/* SHA-256 of a stream (an upload): NULL when out of memory */
typedef struct hd_sha256_s  hd_sha256_t;

hd_sha256_t *hd_sha256_begin(void);
void hd_sha256_update(hd_sha256_t *h, const void *data, size_t len);
/* the digest; h is freed (also with out NULL: abandoned) */
void hd_sha256_end(hd_sha256_t *h, hd_uchar out[HD_SHA256_LEN]);

/* HMAC-SHA256 of data under key: a signed link */
void hd_hmac_sha256(const void *key, size_t klen, const void *data,
    size_t len, hd_uchar out[HD_SHA256_LEN]);

/* PBKDF2-HMAC-SHA256; -1 on failure */
int hd_pbkdf2_sha256(const void *password, size_t plen, const void *salt,
    size_t slen, unsigned iterations, hd_uchar *out, size_t olen);

/* text encodings; out must hold 2 * len (hex) or 4 * ceil(len / 3) (b64) */
/*
 * A certificate signing request (PKCS#10, PEM or DER), its own signature
 * checked: "CN=..., O=...; RSA 2048 bits" into out. 0; -1 when it is not
 * one (or its signature does not hold)
 */
int hd_csr_describe(const void *data, size_t len, char *out, size_t size);

size_t hd_hex_encode(char *out, const void *data, size_t len);
/* a hexadecimal digit's value (either case), or -1 */
int hd_hex_digit(int c);
size_t hd_b64url_encode(char *out, const void *data, size_t len);
/* -1 on a bad character or length */
ssize_t hd_b64url_decode(hd_uchar *out, size_t size, const char *in,
    size_t len);

/* the stored key of a token given out as text: SHA-256 of its bytes;
 * -1 when the text is not a token */
int hd_token_hash(const hd_uchar *text, size_t len,
    hd_uchar hash[HD_SHA256_LEN]);

/* a new random token: raw bytes and their base64url text */
int hd_token_new(hd_uchar raw[HD_TOKEN_LEN],
    char text[HD_TOKEN_TEXT_LEN + 1]);


#endif /* HD_CRYPTO_H */

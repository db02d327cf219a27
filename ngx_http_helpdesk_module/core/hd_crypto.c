/*
 * OpenSSL behind the core's cryptographic helpers.
 */

#include <limits.h>
#include <stdio.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "hd_crypto.h"


void
hd_crypto_thread_end(void)
{
    OPENSSL_thread_stop();
}


int
hd_random(void *buf, size_t len)
{
    return RAND_bytes(buf, (int) len) == 1 ? 0 : -1;
}


/*
 * One digest context per thread, and the algorithm fetched once: SHA256()
 * fetches it on every call, and a session cookie is hashed per request
 */
static __thread EVP_MD_CTX  *hd_sha256_ctx;
static __thread EVP_MD      *hd_sha256_md;


void
hd_sha256(const void *data, size_t len, hd_uchar out[HD_SHA256_LEN])
{
    unsigned  n;

    if (hd_sha256_md == NULL) {
        hd_sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    }

    if (hd_sha256_ctx == NULL) {
        hd_sha256_ctx = EVP_MD_CTX_new();
    }

    if (hd_sha256_md == NULL || hd_sha256_ctx == NULL
        || EVP_DigestInit_ex2(hd_sha256_ctx, hd_sha256_md, NULL) != 1
        || EVP_DigestUpdate(hd_sha256_ctx, data, len) != 1
        || EVP_DigestFinal_ex(hd_sha256_ctx, out, &n) != 1)
    {
        SHA256(data, len, out);
    }
}


hd_sha256_t *
hd_sha256_begin(void)
{
    EVP_MD_CTX  *md;

    md = EVP_MD_CTX_new();
    if (md == NULL) {
        return NULL;
    }

    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        return NULL;
    }

    return (hd_sha256_t *) md;
}


void
hd_sha256_update(hd_sha256_t *h, const void *data, size_t len)
{
    (void) EVP_DigestUpdate((EVP_MD_CTX *) h, data, len);
}


void
hd_sha256_end(hd_sha256_t *h, hd_uchar out[HD_SHA256_LEN])
{
    unsigned  n;

    if (out != NULL) {
        (void) EVP_DigestFinal_ex((EVP_MD_CTX *) h, out, &n);
    }

    EVP_MD_CTX_free((EVP_MD_CTX *) h);
}


void
hd_hmac_sha256(const void *key, size_t klen, const void *data, size_t len,
    hd_uchar out[HD_SHA256_LEN])
{
    unsigned  n = HD_SHA256_LEN;

    (void) HMAC(EVP_sha256(), key, (int) klen, data, len, out, &n);
}


int
hd_ct_equal(const void *a, const void *b, size_t len)
{
    return CRYPTO_memcmp(a, b, len) == 0;
}


int
hd_pbkdf2_sha256(const void *password, size_t plen, const void *salt,
    size_t slen, unsigned iterations, hd_uchar *out, size_t olen)
{
    int  rc;

    rc = PKCS5_PBKDF2_HMAC(password, (int) plen, salt, (int) slen,
                           (int) iterations, EVP_sha256(), (int) olen, out);

    return rc == 1 ? 0 : -1;
}


size_t
hd_hex_encode(char *out, const void *data, size_t len)
{
    size_t           i;
    const hd_uchar  *p = data;
    static const char  hex[] = "0123456789abcdef";

    for (i = 0; i < len; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 0x0f];
    }

    return 2 * len;
}


int
hd_hex_digit(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}


static const char  hd_b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";


size_t
hd_b64url_encode(char *out, const void *data, size_t len)
{
    size_t           i, n = 0;
    uint32_t         v;
    const hd_uchar  *p = data;

    for (i = 0; i + 2 < len; i += 3) {
        v = (uint32_t) p[i] << 16 | (uint32_t) p[i + 1] << 8 | p[i + 2];
        out[n++] = hd_b64url[v >> 18];
        out[n++] = hd_b64url[(v >> 12) & 63];
        out[n++] = hd_b64url[(v >> 6) & 63];
        out[n++] = hd_b64url[v & 63];
    }

    if (len - i == 1) {
        v = (uint32_t) p[i] << 16;
        out[n++] = hd_b64url[v >> 18];
        out[n++] = hd_b64url[(v >> 12) & 63];

    } else if (len - i == 2) {
        v = (uint32_t) p[i] << 16 | (uint32_t) p[i + 1] << 8;
        out[n++] = hd_b64url[v >> 18];
        out[n++] = hd_b64url[(v >> 12) & 63];
        out[n++] = hd_b64url[(v >> 6) & 63];
    }

    return n;
}


static int
hd_b64url_value(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }

    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }

    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }

    return c == '-' ? 62 : c == '_' ? 63 : -1;
}


ssize_t
hd_b64url_decode(hd_uchar *out, size_t size, const char *in, size_t len)
{
    int       d;
    size_t    i, n = 0, bits = 0;
    uint32_t  acc = 0;

    if (len % 4 == 1) {
        return -1;
    }

    for (i = 0; i < len; i++) {
        d = hd_b64url_value(in[i]);
        if (d < 0) {
            return -1;
        }

        acc = (acc << 6) | (uint32_t) d;
        bits += 6;

        if (bits >= 8) {
            bits -= 8;

            if (n == size) {
                return -1;
            }

            out[n++] = (hd_uchar) (acc >> bits);
        }
    }

    return (ssize_t) n;
}


int
hd_token_new(hd_uchar raw[HD_TOKEN_LEN], char text[HD_TOKEN_TEXT_LEN + 1])
{
    if (hd_random(raw, HD_TOKEN_LEN) != 0) {
        return -1;
    }

    text[hd_b64url_encode(text, raw, HD_TOKEN_LEN)] = '\0';

    return 0;
}


int
hd_token_hash(const hd_uchar *text, size_t len, hd_uchar hash[HD_SHA256_LEN])
{
    ssize_t   n;
    hd_uchar  raw[HD_TOKEN_LEN + 2];

    if (len != HD_TOKEN_TEXT_LEN) {
        return -1;
    }

    n = hd_b64url_decode(raw, sizeof(raw), (const char *) text, len);
    if (n != HD_TOKEN_LEN) {
        return -1;
    }

    hd_sha256(raw, HD_TOKEN_LEN, hash);

    return 0;
}


int
hd_csr_describe(const void *data, size_t len, char *out, size_t size)
{
    int        rc = -1, bits;
    BIO       *in, *name;
    long       n;
    char      *text;
    X509_REQ  *req;
    EVP_PKEY  *key;
    const char *kind;

    if (len == 0 || len > INT_MAX || size < 16) {
        return -1;
    }

    in = BIO_new_mem_buf(data, (int) len);
    if (in == NULL) {
        return -1;
    }

    /* PEM first, DER otherwise */
    req = PEM_read_bio_X509_REQ(in, NULL, NULL, NULL);

    if (req == NULL) {
        (void) BIO_reset(in);
        req = d2i_X509_REQ_bio(in, NULL);
    }

    BIO_free(in);

    if (req == NULL) {
        return -1;
    }

    key = X509_REQ_get0_pubkey(req);

    if (key != NULL && X509_REQ_verify(req, key) == 1) {
        name = BIO_new(BIO_s_mem());

        if (name != NULL
            && X509_NAME_print_ex(name, X509_REQ_get_subject_name(req), 0,
                                  XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB)
               >= 0)
        {
            n = BIO_get_mem_data(name, &text);

            switch (EVP_PKEY_get_base_id(key)) {
            case EVP_PKEY_RSA:
                kind = "RSA";
                break;
            case EVP_PKEY_EC:
                kind = "EC";
                break;
            case EVP_PKEY_ED25519:
                kind = "Ed25519";
                break;
            default:
                kind = "another";
                break;
            }

            bits = EVP_PKEY_get_bits(key);

            snprintf(out, size, "%.*s; %s %d bits",
                     (int) (n > 0 && (size_t) n < size - 32 ? n : 0),
                     n > 0 ? text : "", kind, bits);
            rc = 0;
        }

        BIO_free(name);
    }

    X509_REQ_free(req);
    ERR_clear_error();

    return rc;
}

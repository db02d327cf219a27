/*
 * Certificates: the record, its number index, issuing, the registration
 * checks and transaction, holders, and the integrity check.
 */

#include <stdio.h>
#include <stdlib.h>

#include "hd_certificate.h"
#include "hd_company.h"
#include "hd_date.h"
#include "hd_ratelimit.h"
#include "hd_store.h"
#include "hd_text.h"


static const hd_field_t  hd_certificate_fields[] = {
    hd_field(hd_certificate_t, 1, HD_FIELD_U64, id),
    hd_field(hd_certificate_t, 2, HD_FIELD_STR, number),
    hd_field(hd_certificate_t, 3, HD_FIELD_STR, code_hash),
    hd_field(hd_certificate_t, 4, HD_FIELD_U64, type),
    hd_field(hd_certificate_t, 5, HD_FIELD_U32, valid_from),
    hd_field(hd_certificate_t, 6, HD_FIELD_U32, valid_until),
    hd_field(hd_certificate_t, 7, HD_FIELD_U8, holder_kind),
    hd_field(hd_certificate_t, 8, HD_FIELD_U64, holder),
    hd_field(hd_certificate_t, 9, HD_FIELD_U64, registered),
    hd_field(hd_certificate_t, 10, HD_FIELD_U64, registered_by),
    hd_field(hd_certificate_t, 11, HD_FIELD_U64, created),
    hd_field(hd_certificate_t, 12, HD_FIELD_U64, issued_by),
    hd_field(hd_certificate_t, 13, HD_FIELD_U8, revoked),
    hd_field(hd_certificate_t, 14, HD_FIELD_STR, contacts),
    hd_field(hd_certificate_t, 15, HD_FIELD_U64, activated),
    hd_field(hd_certificate_t, 16, HD_FIELD_STR, pending),
    hd_field(hd_certificate_t, 17, HD_FIELD_U64, activation),
};

const hd_record_desc_t  hd_certificate_desc = hd_record(HD_KIND_CERTIFICATE,
                                                        1, hd_certificate_t,
                                                        hd_certificate_fields);

const char  *hd_cert_state_names[HD_CERT_STATE_COUNT] = {
    "active", "expired", "not_yet_valid", "revoked"
};


/* no 0/O, 1/I/L: codes are typed from paper */
static const char  hd_cert_code_alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";


#define HD_CERT_NUMBER_KEY_MAX  (HD_CERT_NUMBER_MAX * 4)


hd_cert_state_e
hd_cert_state(const hd_certificate_t *c, int32_t today)
{
    if (c->revoked) {
        return HD_CERT_REVOKED;
    }

    if (today < (int32_t) c->valid_from) {
        return HD_CERT_NOT_YET_VALID;
    }

    if (today > (int32_t) c->valid_until) {
        return HD_CERT_EXPIRED;
    }

    return HD_CERT_ACTIVE;
}


int
hd_cert_code_new(char out[HD_CERT_CODE_TEXT_LEN + 1])
{
    size_t    i, k;
    hd_uchar  raw[16];

    if (hd_random(raw, sizeof(raw)) != 0) {
        return -1;
    }

    /* 16 symbols of an alphabet of 31: about 79 bits */
    for (i = 0, k = 0; i < 16; i++) {
        if (i && i % 4 == 0) {
            out[k++] = '-';
        }

        out[k++] = hd_cert_code_alphabet[raw[i] % 31];
    }

    out[k] = '\0';

    return 0;
}


void
hd_cert_code_hash(const hd_str_t *code, hd_uchar hash[HD_SHA256_LEN])
{
    size_t    i, n = 0;
    hd_uchar  c, norm[128];

    for (i = 0; i < code->len && n < sizeof(norm); i++) {
        c = code->data[i];

        if (c == '-' || c == ' ' || c == '\t') {
            continue;
        }

        norm[n++] = (c >= 'a' && c <= 'z') ? c - ('a' - 'A') : c;
    }

    hd_sha256(norm, n, hash);
}


void
hd_cert_validate_number(const hd_str_t *number, hd_errors_t *errors)
{
    hd_errors_text(errors, "number", number, HD_CERT_NUMBER_MAX,
                   "number_required", "number_invalid", "number_too_long");
}


/* the number index's key: lower case; 0 when the number cannot be one */
static size_t
hd_cert_number_key(const hd_str_t *number, hd_uchar *key)
{
    if (number->len == 0 || number->len > HD_CERT_NUMBER_KEY_MAX) {
        return 0;
    }

    hd_text_lower_into(key, number->data, number->len);

    return number->len;
}


static void
hd_cert_holder_key(hd_uchar key[17], uint8_t kind, uint64_t holder,
    uint64_t id)
{
    key[0] = kind;
    hd_be64_put(key + 1, holder);
    hd_be64_put(key + 9, id);
}


static hd_rc
hd_cert_put(hd_txn_t *txn, const hd_certificate_t *c, unsigned flags,
    hd_err_t *err)
{
    hd_uchar  key[8];

    hd_be64_put(key, c->id);

    return hd_record_put(txn, HD_DB_CERTIFICATES, key, 8,
                         &hd_certificate_desc, c, flags, err);
}


hd_rc
hd_cert_update(hd_txn_t *txn, const hd_certificate_t *c, hd_err_t *err)
{
    return hd_cert_put(txn, c, 0, err);
}


hd_rc
hd_cert_issue(hd_txn_t *txn, hd_certificate_t *c, int with_code,
    uint64_t now, char number_buf[HD_CERT_NUMBER_BUF],
    char code_text[HD_CERT_CODE_TEXT_LEN + 1], hd_err_t *err)
{
    int             y, m, d;
    hd_rc           rc;
    size_t          klen;
    hd_str_t        code;
    uint64_t        seq;
    hd_uchar        key[HD_CERT_NUMBER_KEY_MAX], idv[8];
    hd_uchar        hash[HD_SHA256_LEN];
    hd_cert_type_t  t;

    if (hd_cert_type_get(txn, c->type, &t) != HD_OK) {
        return hd_err_set(err, HD_INVALID, "type", "type_unknown",
                          "no certificate type %llu",
                          (unsigned long long) c->type);
    }

    if (c->valid_until < c->valid_from) {
        return hd_err_set(err, HD_INVALID, "valid_until", "dates_invalid",
                          "the certificate ends before it begins");
    }

    /* a number of our own when none is given: HD-2026-000123 */
    while (c->number.len == 0) {
        rc = hd_seq_next(txn, "cert_numbers", &seq, err);
        if (rc != HD_OK) {
            return rc;
        }

        hd_date_to_ymd(hd_date_today(now), &y, &m, &d);
        snprintf(number_buf, HD_CERT_NUMBER_BUF, "HD-%04d-%06llu", y,
                 (unsigned long long) seq);

        c->number.data = (hd_uchar *) number_buf;
        c->number.len = strlen(number_buf);
        klen = hd_cert_number_key(&c->number, key);

        if (hd_db_get(txn, HD_DB_CERT_BY_NUMBER, key, klen, NULL) == HD_OK) {
            c->number.len = 0;
        }
    }

    klen = hd_cert_number_key(&c->number, key);
    if (klen == 0) {
        return hd_err_set(err, HD_INVALID, "number", "number_invalid",
                          "bad number");
    }

    if (hd_db_get(txn, HD_DB_CERT_BY_NUMBER, key, klen, NULL) == HD_OK) {
        return hd_err_set(err, HD_CONFLICT, "number", "number_taken",
                          "the number %.*s exists", (int) c->number.len,
                          c->number.data);
    }

    c->code_hash.len = 0;

    if (with_code) {
        if (hd_cert_code_new(code_text) != 0) {
            return hd_err_set(err, HD_IO, NULL, "io", "no random bytes");
        }

        code.data = (hd_uchar *) code_text;
        code.len = strlen(code_text);
        hd_cert_code_hash(&code, hash);

        c->code_hash.data = hash;
        c->code_hash.len = HD_SHA256_LEN;
    }

    rc = hd_seq_next(txn, "certificates", &c->id, err);
    if (rc != HD_OK) {
        return rc;
    }

    c->created = now;
    c->holder_kind = HD_HOLDER_NONE;
    c->holder = 0;

    rc = hd_cert_put(txn, c, HD_PUT_NEW, err);
    if (rc != HD_OK) {
        return rc;
    }

    hd_be64_put(idv, c->id);

    return hd_db_put(txn, HD_DB_CERT_BY_NUMBER, key, klen, idv, 8,
                     HD_PUT_NEW, err);
}


hd_rc
hd_cert_get(hd_txn_t *txn, uint64_t id, hd_certificate_t *c)
{
    hd_uchar  key[8];

    hd_be64_put(key, id);

    return hd_record_get(txn, HD_DB_CERTIFICATES, key, 8,
                         &hd_certificate_desc, c);
}


hd_rc
hd_cert_find(hd_txn_t *txn, const hd_str_t *number, hd_certificate_t *c)
{
    hd_rc     rc;
    size_t    klen;
    hd_str_t  v;
    hd_uchar  key[HD_CERT_NUMBER_KEY_MAX];

    klen = hd_cert_number_key(number, key);
    if (klen == 0) {
        return HD_NOT_FOUND;
    }

    /* a B-tree lookup: O(log n) in the number of certificates */
    rc = hd_db_get(txn, HD_DB_CERT_BY_NUMBER, key, klen, &v);
    if (rc != HD_OK) {
        return rc;
    }

    return v.len == 8 ? hd_cert_get(txn, hd_be64_get(v.data), c)
                      : HD_CORRUPT;
}


hd_rc
hd_cert_check_claim(hd_txn_t *txn, const hd_cert_claim_t *claim,
    int32_t today, int check_code, hd_certificate_t *c, int *already,
    hd_err_t *err)
{
    hd_str_t  number;

    *already = 0;
    number = claim->number;
    hd_text_trim(&number);

    if (hd_cert_find(txn, &number, c) != HD_OK) {
        return hd_err_set(err, HD_NOT_FOUND, "number", "cert_unknown",
                          "no certificate %.*s", (int) number.len,
                          number.data);
    }

    switch (hd_cert_state(c, today)) {

    case HD_CERT_REVOKED:
        return hd_err_set(err, HD_INVALID, "number", "cert_revoked",
                          "the certificate is revoked");

    case HD_CERT_EXPIRED:
        return hd_err_set(err, HD_INVALID, "number", "cert_expired",
                          "the certificate has expired");

    case HD_CERT_NOT_YET_VALID:
        return hd_err_set(err, HD_INVALID, "number", "cert_not_yet_valid",
                          "the certificate is not valid yet");

    default:
        break;
    }

    if (c->holder_kind != HD_HOLDER_NONE) {
        if (c->holder_kind == claim->holder_kind && c->holder == claim->holder)
        {
            *already = 1;
            return HD_OK;
        }

        return hd_err_set(err, HD_CONFLICT, "number",
                          "cert_registered_elsewhere",
                          "the certificate is registered to another holder");
    }

    if (!check_code) {
        return HD_OK;
    }

    return hd_cert_code_check(c, &claim->code, err);
}


hd_rc
hd_cert_code_check(const hd_certificate_t *c, const hd_str_t *code,
    hd_err_t *err)
{
    hd_uchar  hash[HD_SHA256_LEN];

    if (c->code_hash.len == 0) {
        return HD_OK;
    }

    if (code->len == 0) {
        return hd_err_set(err, HD_INVALID, "code", "code_required",
                          "the certificate has an activation code");
    }

    hd_cert_code_hash(code, hash);

    if (c->code_hash.len != HD_SHA256_LEN
        || !hd_ct_equal(hash, c->code_hash.data, HD_SHA256_LEN))
    {
        return hd_err_set(err, HD_INVALID, "code", "code_wrong",
                          "the activation code is wrong");
    }

    return HD_OK;
}


/* the holder set, in the record and the holder index */
static hd_rc
hd_cert_set_holder(hd_txn_t *txn, const hd_cert_claim_t *claim,
    uint64_t now, hd_certificate_t *c, hd_err_t *err)
{
    hd_rc     rc;
    hd_buf_t  buf;
    hd_uchar  key[17], idv[8];

    c->holder_kind = claim->holder_kind;
    c->holder = claim->holder;
    c->registered = now;
    c->registered_by = claim->account;

    /* encoded first: its strings point into the page being replaced */
    hd_buf_init(&buf);

    if (hd_record_encode(&hd_certificate_desc, c, &buf) != 0) {
        hd_buf_free(&buf);
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    hd_be64_put(idv, c->id);
    rc = hd_db_put(txn, HD_DB_CERTIFICATES, idv, 8, buf.data, buf.len, 0,
                   err);
    hd_buf_free(&buf);

    if (rc != HD_OK) {
        return rc;
    }

    hd_cert_holder_key(key, c->holder_kind, c->holder, c->id);

    return hd_db_put(txn, HD_DB_CERTS_BY_HOLDER, key, 17, "", 0, 0, err);
}


hd_rc
hd_cert_register(hd_txn_t *txn, const hd_cert_claim_t *claim, int32_t today,
    uint64_t now, hd_certificate_t *c, int *already, hd_err_t *err)
{
    hd_rc  rc;

    /* checked again inside the writing transaction: of two customers
     * racing for one number, the second sees the first's registration */
    rc = hd_cert_check_claim(txn, claim, today, 1, c, already, err);
    if (rc != HD_OK || *already) {
        return rc;
    }

    return hd_cert_set_holder(txn, claim, now, c, err);
}


hd_rc
hd_cert_register_unchecked(hd_txn_t *txn, const hd_cert_claim_t *claim,
    uint64_t now, int *already, hd_err_t *err)
{
    hd_certificate_t  c;

    *already = 0;

    if (hd_cert_find(txn, &claim->number, &c) != HD_OK) {
        return hd_err_set(err, HD_NOT_FOUND, "number", "cert_unknown",
                          "no certificate");
    }

    if (c.holder_kind != HD_HOLDER_NONE) {
        *already = c.holder_kind == claim->holder_kind
                   && c.holder == claim->holder;
        return *already ? HD_OK
                        : hd_err_set(err, HD_CONFLICT, "number",
                                     "cert_registered_elsewhere",
                                     "registered to another holder");
    }

    return hd_cert_set_holder(txn, claim, now, &c, err);
}


/* wrong activation codes: per account and per certificate number */
static const hd_limit_t  hd_code_limit = { 5, 3600 };


hd_rc
hd_cert_claim(const hd_portal_t *portal, const hd_cert_claim_t *claim,
    uint64_t now, hd_certificate_t *c, int *already, uint64_t *retry_after,
    hd_err_t *err)
{
    char       by_account[64], by_number[HD_CERT_NUMBER_KEY_MAX + 16];
    hd_rc      rc;
    size_t     n;
    hd_str_t   number;
    uint64_t   retry;
    hd_txn_t   txn;

    *retry_after = 0;

    number = claim->number;
    hd_text_trim(&number);

    snprintf(by_account, sizeof(by_account), "code:account:%llu",
             (unsigned long long) claim->account);
    n = snprintf(by_number, sizeof(by_number), "code:number:");
    if (number.len < sizeof(by_number) - n) {
        hd_text_lower_into((hd_uchar *) by_number + n, number.data,
                           number.len);
        by_number[n + number.len] = '\0';
    }

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (hd_ratelimit_check(&txn, by_account, &hd_code_limit, now, &retry)
        == HD_RATE_LIMITED
        || hd_ratelimit_check(&txn, by_number, &hd_code_limit, now, &retry)
           == HD_RATE_LIMITED)
    {
        hd_txn_abort(&txn);
        *retry_after = retry;
        return hd_err_set(err, HD_RATE_LIMITED, "code", "too_many_codes",
                          "too many wrong activation codes");
    }

    rc = HD_OK;

    /* a company's certificate is registered by its admins */
    if (claim->holder_kind == HD_HOLDER_COMPANY) {
        hd_member_t  m;

        if (hd_company_member(&txn, claim->holder, claim->account, &m)
            != HD_OK
            || m.role < HD_MEMBER_ADMIN)
        {
            rc = hd_err_set(err, HD_FORBIDDEN, "holder", "not_company_admin",
                            "only the company's admins register for it");
        }
    }

    if (rc == HD_OK) {
        rc = hd_cert_register(&txn, claim, hd_date_today(now), now, c,
                              already, err);
    }

    if (rc == HD_OK) {
        c->number.data = (hd_uchar *) "";   /* the page is rewritten */
        c->number.len = 0;
        return hd_txn_commit(&txn, err);
    }

    hd_txn_abort(&txn);

    if (err == NULL || err->code == NULL
        || strcmp(err->code, "code_wrong") != 0)
    {
        return rc;
    }

    /* the wrong code counts, in a transaction of its own */
    if (hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, NULL) == HD_OK) {
        if (hd_ratelimit_hit(&txn, by_account, &hd_code_limit, now, NULL)
            == HD_OK
            && hd_ratelimit_hit(&txn, by_number, &hd_code_limit, now, NULL)
               == HD_OK)
        {
            (void) hd_txn_commit(&txn, NULL);

        } else {
            hd_txn_abort(&txn);
        }
    }

    return rc;
}


hd_rc
hd_cert_list_holder(hd_txn_t *txn, uint8_t holder_kind, uint64_t holder,
    hd_pool_t *pool, hd_certificate_t **list, size_t *n)
{
    hd_rc              rc;
    size_t             count, cap;
    hd_str_t           k;
    hd_uchar           prefix[9];
    hd_cursor_t        cur;
    hd_certificate_t  *items, *grown, c;

    *n = 0;
    *list = NULL;
    count = 0;
    cap = 0;
    items = NULL;

    prefix[0] = holder_kind;
    hd_be64_put(prefix + 1, holder);

    rc = hd_cursor_open(txn, HD_DB_CERTS_BY_HOLDER, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, prefix, 9, &k, NULL);
         rc == HD_OK && k.len == 17 && memcmp(k.data, prefix, 9) == 0;
         rc = hd_cursor_next(&cur, &k, NULL))
    {
        if (hd_cert_get(txn, hd_be64_get(k.data + 9), &c) != HD_OK) {
            continue;
        }

        if (count == cap) {
            cap = cap ? 2 * cap : 16;
            grown = hd_palloc(pool, cap * sizeof(hd_certificate_t));
            if (grown == NULL) {
                hd_cursor_close(&cur);
                return HD_NOMEM;
            }

            if (count) {
                memcpy(grown, items, count * sizeof(hd_certificate_t));
            }

            items = grown;
        }

        c.number.data = hd_pstrdup(pool, c.number.data, c.number.len);
        c.code_hash.len = 0;
        items[count++] = c;
    }

    hd_cursor_close(&cur);

    *list = items;
    *n = count;

    return HD_OK;
}


hd_rc
hd_cert_transfer(hd_txn_t *txn, uint8_t from_kind, uint64_t from,
    uint8_t to_kind, uint64_t to, size_t *moved, hd_err_t *err)
{
    hd_rc              rc;
    size_t             i, n;
    hd_uchar           key[17];
    hd_arena_t        *arena;
    hd_certificate_t  *list, c;

    arena = hd_arena_create(4096);
    if (arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_cert_list_holder(txn, from_kind, from, &arena->pool, &list, &n);

    for (i = 0; rc == HD_OK && i < n; i++) {
        rc = hd_cert_get(txn, list[i].id, &c);
        if (rc != HD_OK) {
            break;
        }

        hd_cert_holder_key(key, from_kind, from, c.id);
        rc = hd_db_del(txn, HD_DB_CERTS_BY_HOLDER, key, 17, err);
        if (rc != HD_OK) {
            break;
        }

        list[i].holder_kind = to_kind;
        list[i].holder = to;

        /* the listed copy has the number; the hash is read again */
        list[i].code_hash.data = hd_pstrdup(&arena->pool, c.code_hash.data,
                                            c.code_hash.len);
        list[i].code_hash.len = c.code_hash.len;

        rc = hd_cert_put(txn, &list[i], 0, err);
        if (rc != HD_OK) {
            break;
        }

        hd_cert_holder_key(key, to_kind, to, c.id);
        rc = hd_db_put(txn, HD_DB_CERTS_BY_HOLDER, key, 17, "", 0, 0, err);
    }

    if (moved) {
        *moved = rc == HD_OK ? n : 0;
    }

    hd_arena_destroy(arena);

    return rc;
}


hd_rc
hd_cert_revoke(hd_txn_t *txn, uint64_t id, hd_err_t *err)
{
    hd_rc             rc;
    hd_buf_t          buf;
    hd_uchar          key[8];
    hd_certificate_t  c;

    rc = hd_cert_get(txn, id, &c);
    if (rc != HD_OK) {
        return hd_err_set(err, rc, NULL, "not_found", "no certificate");
    }

    c.revoked = 1;

    hd_buf_init(&buf);

    if (hd_record_encode(&hd_certificate_desc, &c, &buf) != 0) {
        hd_buf_free(&buf);
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    hd_be64_put(key, id);
    rc = hd_db_put(txn, HD_DB_CERTIFICATES, key, 8, buf.data, buf.len, 0,
                   err);
    hd_buf_free(&buf);

    return rc;
}


hd_rc
hd_cert_unclosed(hd_txn_t *txn, uint64_t id, size_t *n)
{
    hd_rc        rc;
    hd_str_t     k;
    hd_uchar     prefix[8];
    hd_cursor_t  cur;

    *n = 0;
    hd_be64_put(prefix, id);

    rc = hd_cursor_open(txn, HD_DB_CERT_UNCLOSED, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    /* at most the type's limit of entries: counting them is cheap */
    for (rc = hd_cursor_seek(&cur, prefix, 8, &k, NULL);
         rc == HD_OK && k.len == 16 && memcmp(k.data, prefix, 8) == 0;
         rc = hd_cursor_next(&cur, &k, NULL))
    {
        (*n)++;
    }

    hd_cursor_close(&cur);

    return HD_OK;
}


hd_rc
hd_cert_check(hd_txn_t *txn, hd_check_t *check)
{
    hd_rc             rc;
    size_t            certs = 0, held = 0, numbers = 0, holders = 0, klen;
    hd_str_t          k, v;
    hd_uchar          key[HD_CERT_NUMBER_KEY_MAX], hkey[17];
    hd_cursor_t       cur;
    hd_certificate_t  c;

    rc = hd_cursor_open(txn, HD_DB_CERTIFICATES, &cur);
    if (rc != HD_OK) {
        return rc;
    }

    for (rc = hd_cursor_seek(&cur, NULL, 0, &k, &v);
         rc == HD_OK;
         rc = hd_cursor_next(&cur, &k, &v))
    {
        if (hd_record_decode(&hd_certificate_desc, v.data, v.len, &c)
            != HD_OK)
        {
            continue;
        }

        certs++;
        klen = hd_cert_number_key(&c.number, key);

        if (klen == 0
            || hd_db_get(txn, HD_DB_CERT_BY_NUMBER, key, klen, &v) != HD_OK
            || v.len != 8 || hd_be64_get(v.data) != c.id)
        {
            hd_check_problem(check, "certificate %llu: its number is not "
                             "indexed", (unsigned long long) c.id);
        }

        if (c.holder_kind != HD_HOLDER_NONE) {
            held++;
            hd_cert_holder_key(hkey, c.holder_kind, c.holder, c.id);

            if (hd_db_get(txn, HD_DB_CERTS_BY_HOLDER, hkey, 17, NULL)
                != HD_OK)
            {
                hd_check_problem(check, "certificate %llu: its holder is "
                                 "not indexed", (unsigned long long) c.id);
            }
        }
    }

    hd_cursor_close(&cur);

    hd_db_count(txn, HD_DB_CERT_BY_NUMBER, &numbers);
    hd_db_count(txn, HD_DB_CERTS_BY_HOLDER, &holders);

    if (numbers != certs) {
        hd_check_problem(check, "%zu certificates but %zu numbers", certs,
                         numbers);
    }

    if (holders != held) {
        hd_check_problem(check, "%zu registered certificates but %zu holder "
                         "entries", held, holders);
    }

    return HD_OK;
}

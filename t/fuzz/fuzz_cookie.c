/*
 * What a browser sends about itself: a session cookie's text and an API
 * token looked up in a store, the language cookie, Accept-Language. The
 * first byte says which.
 */

#include "fuzz.h"
#include "hd_i18n.h"
#include "hd_session.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hd_err_t              err;
    hd_txn_t              txn;
    hd_uchar             *text, hash[HD_SHA256_LEN];
    hd_session_t          session;
    hd_api_token_t        token;
    hd_session_limits_t   limits = { 0 };

    if (size < 1) {
        return 0;
    }

    text = fuzz_copy(data + 1, size - 1);

    switch (data[0] % 3) {
    case 0:
        if (hd_txn_begin(fuzz_store(), &txn, HD_TXN_READ, &err) != HD_OK) {
            abort();
        }
        limits.idle = 3600;
        limits.absolute = 86400;
        if (hd_session_find(&txn, text, size - 1, 1795300000, &limits, hash,
                            &session) == HD_OK
            || hd_api_token_find(&txn, text, size - 1, &token) == HD_OK)
        {
            abort();                /* the store holds none */
        }
        hd_txn_abort(&txn);
        break;
    case 1:
        hd_lang_from_code(text, size - 1);
        break;
    default:
        if ((unsigned) hd_lang_accept(text, size - 1) > HD_LANG_EN) {
            abort();
        }
        break;
    }

    free(text);

    return 0;
}

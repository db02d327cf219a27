/*
 * A mail that came in (the mail gate, the mailbox): parsed with GMime under
 * the portal's limits, then what routing reads of it.
 */

#include "fuzz.h"
#include "hd_mail_read.h"
#include "hd_mime.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t              i;
    uint64_t            ticket, mail;
    hd_err_t            err;
    hd_str_t            ids[8], reply;
    hd_str_t            authserv = { 14, (hd_uchar *) "mx.example.com" };
    hd_buf_t            header;
    hd_uchar           *raw;
    hd_arena_t         *arena;
    hd_mime_message_t   m;
    hd_mime_limits_t    limits = {
        .max_parts = 50, .max_depth = 5, .max_file = 1 << 20,
        .max_total = 4 << 20, .max_files = 10, .max_header = 4096,
        .max_text = 1 << 20, .headers = hd_mail_read_headers,
        .nheaders = hd_mail_read_nheaders
    };

    hd_mime_init();
    arena = hd_arena_create(65536);
    raw = fuzz_copy(data, size);

    memset(&m, 0, sizeof(m));

    if (hd_mime_parse(raw, size, &limits, &arena->pool, &m, &err) == HD_OK) {
        hd_mail_subject_ticket(&m.subject);
        hd_mail_our_id(&m.message_id, &ticket, &mail);
        hd_mail_ids(&m.in_reply_to, &m.references, ids, 8);
        hd_mail_automatic(&m.auto_submitted, &m.precedence, &m.list_id);
        hd_mail_auto_reply(&m);
        hd_mail_authenticated(&m, &authserv, 1);
        hd_mail_daemon(&m.from_address);
        hd_mail_reply_text(&m.text, &reply);
        hd_mime_address_ok(m.from_address.data, m.from_address.len);

        for (i = 0; i < m.nfiles; i++) {
            if (m.files[i].data.len > limits.max_file) {
                abort();
            }
        }
    }

    /* an encoded-word header on its own */
    hd_buf_init(&header);
    hd_mime_decode_header(raw, size, &header);
    hd_buf_free(&header);

    free(raw);
    hd_arena_destroy(arena);

    return 0;
}

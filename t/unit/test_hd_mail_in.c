/*
 * Mail that comes in, as the gate reads it (hd_mime_parse, hd_mail_read):
 * the corpus of t/mail/ (Outlook's HTML in Windows-1251, Thunderbird's
 * flowed KOI8-R, Gmail's alternative with an inline image, Apple Mail's
 * quoted-printable with a Cyrillic file name, a forward, an auto-reply, a
 * delivery report, a list, ISO-8859-5 without a subject, broken MIME) and
 * messages made here to hurt (1,000 nested parts, a 1 MB header line, a
 * 10 MB file): each read in bounded time, never a crash.
 */

#define _GNU_SOURCE             /* memmem */

#include "unit.h"
#include "hd_mail_read.h"
#include "hd_mime.h"

#include <sys/time.h>


static hd_mime_limits_t  limits = {
    200,                        /* parts */
    20,                         /* depth */
    20 * 1024 * 1024,           /* a file */
    50 * 1024 * 1024,           /* all files */
    10,                         /* files */
    4096,                       /* a header */
    1024 * 1024,                /* the text */
    NULL,                       /* set in main: the auto-reply table's */
    0
};


static hd_arena_t  *arena;


static int
has(const hd_str_t *s, const char *text)
{
    return memmem(s->data, s->len, text, strlen(text)) != NULL;
}


static int
is(const hd_str_t *s, const char *text)
{
    return s->len == strlen(text) && memcmp(s->data, text, s->len) == 0;
}


static hd_mime_message_t *
corpus(const char *name)
{
    char                path[1024];
    hd_buf_t            raw;
    hd_err_t            err;
    const char         *root = getenv("HELPDESK_ROOT");
    hd_mime_message_t  *m;

    snprintf(path, sizeof(path), "%s/t/mail/%s", root ? root : ".", name);
    hd_buf_init(&raw);
    assert_int_equal(hd_buf_read_file(&raw, path), 0);

    m = hd_palloc(&arena->pool, sizeof(hd_mime_message_t));
    assert_int_equal(hd_mime_parse(raw.data, raw.len, &limits, &arena->pool,
                                   m, &err), HD_OK);
    hd_buf_free(&raw);

    return m;
}


static void
test_outlook_html_1251(void **state)
{
    hd_str_t            reply;
    hd_mime_message_t  *m = corpus("outlook-html-1251.eml");

    (void) state;

    assert_true(is(&m->from_name, "Пётр Сидоров"));
    assert_true(is(&m->from_address, "petr@romashka.example"));
    assert_true(is(&m->subject, "RE: [#{{TICKET}}] Ответ специалиста: Не "
                                "подписывается документ"));
    assert_true(is(&m->in_reply_to, "{{OURID}}"));
    assert_true(m->from_html);
    assert_true(has(&m->text, "Переустановка не помогла, ошибка 0x80090008 "
                              "осталась."));

    /* what a reader never sees: scripts, styles, frames, the pixel */
    assert_false(has(&m->text, "alert"));
    assert_false(has(&m->text, "MsoNormal"));
    assert_false(has(&m->text, "evil.example"));
    assert_false(has(&m->text, "pixel.gif"));

    hd_mail_reply_text(&m->text, &reply);
    assert_true(has(&reply, "С уважением,\nПётр Сидоров"));
    assert_false(has(&reply, "Отправлено:"));
    assert_false(has(&reply, "Переустановите сертификат"));
}


static void
test_thunderbird_flowed_koi8r(void **state)
{
    hd_str_t            reply;
    hd_mime_message_t  *m = corpus("thunderbird-flowed-koi8r.eml");

    (void) state;

    assert_true(is(&m->from_name, "Мария Иванова"));
    assert_true(is(&m->subject, "Re: [#{{TICKET}}] Ответ специалиста"));
    assert_int_equal(hd_mail_subject_ticket(&m->subject), 0);

    /* the soft line break is gone: one line as she typed it */
    assert_true(has(&m->text, "Ошибка появляется при подписании любого "
                              "документа"));

    hd_mail_reply_text(&m->text, &reply);
    assert_true(has(&reply, "Windows 10 22H2"));
    assert_false(has(&reply, "пишет:"));
    assert_false(has(&reply, "Уточните версию"));
    assert_false(has(&reply, "+7 999"));      /* the signature */
}


static void
test_gmail_inline_image(void **state)
{
    hd_mime_message_t  *m = corpus("gmail-alternative-inline.eml");

    (void) state;

    assert_true(is(&m->from_name, "Анна Кузнецова"));
    assert_true(is(&m->subject, "Не открывается личный кабинет"));
    assert_false(m->from_html);              /* the text part, preferred */
    assert_true(has(&m->text, "белый экран (снимок ниже)."));
    assert_false(has(&m->text, "<div"));

    assert_int_equal(m->nfiles, 1);
    assert_true(is(&m->files[0].name, "image.png"));
    assert_true(is(&m->files[0].type, "image/png"));
    assert_true(is(&m->files[0].content_id, "ii_lq1"));
    assert_true(m->files[0].data.len > 50
                && memcmp(m->files[0].data.data, "\x89PNG", 4) == 0);
}


static void
test_apple_qp_and_2231(void **state)
{
    hd_str_t            reply;
    hd_mime_message_t  *m = corpus("applemail-qp.eml");

    (void) state;

    assert_true(is(&m->subject, "Лицензия: срок истёк"));
    assert_true(has(&m->text, "разбил её мягкими переносами строк посередине "
                              "слова."));
    assert_int_equal(m->nfiles, 1);
    assert_true(is(&m->files[0].name, "Акт сверки №5.pdf"));
    assert_true(is(&m->files[0].type, "application/pdf"));
    assert_true(m->files[0].data.len > 8
                && memcmp(m->files[0].data.data, "%PDF-1.4", 8) == 0);

    hd_mail_reply_text(&m->text, &reply);
    assert_false(has(&reply, "Отправлено с iPhone"));
    assert_true(has(&reply, "С уважением,\nОльга"));
}


static void
test_forward_and_machines(void **state)
{
    hd_mime_message_t  *m;

    (void) state;

    m = corpus("forwarded.eml");
    assert_true(has(&m->text, "Пересылаю письмо бухгалтерии"));
    assert_int_equal(m->nfiles, 1);
    assert_true(is(&m->files[0].name, "forwarded.eml"));
    assert_true(is(&m->files[0].type, "message/rfc822"));
    assert_true(has(&m->files[0].data, "inner-1@romashka.example"));
    assert_null(hd_mail_automatic(&m->auto_submitted, &m->precedence,
                                  &m->list_id));

    m = corpus("autoreply-ooo.eml");
    assert_string_equal(hd_mail_auto_reply(m), "auto_submitted");
    assert_string_equal(hd_mail_automatic(&m->auto_submitted,
                                          &m->precedence, &m->list_id),
                        "auto_submitted");
    assert_true(is(&m->subject, "Автоматический ответ: [#{{TICKET}}] Решение "
                                "предоставлено"));

    m = corpus("mailing-list.eml");
    assert_null(hd_mail_auto_reply(m));
    assert_string_equal(hd_mail_automatic(&m->auto_submitted,
                                          &m->precedence, &m->list_id),
                        "precedence");
}


static void
test_delivery_report(void **state)
{
    hd_mime_message_t  *m = corpus("bounce-dsn.eml");

    (void) state;

    assert_true(m->report);
    assert_true(hd_mail_daemon(&m->from_address));
    assert_int_equal(m->ndsn, 1);
    assert_true(is(&m->dsn[0].recipient, "{{BOUNCED}}"));
    assert_true(is(&m->dsn[0].action, "failed"));
    assert_true(is(&m->dsn[0].status, "5.1.1"));
    assert_true(has(&m->dsn[0].diagnostic, "550 5.1.1 <{{BOUNCED}}>"));
    assert_true(is(&m->report_message_id, "{{OURID}}"));
}


static void
test_charsets_and_broken(void **state)
{
    hd_mime_message_t  *m;

    (void) state;

    m = corpus("no-subject-iso-8859-5.eml");
    assert_int_equal(m->subject.len, 0);
    assert_true(has(&m->text, "Помогите, пожалуйста, с установкой."));

    m = corpus("malformed-no-boundary.eml");
    assert_true(is(&m->from_address, "x@broken.example"));

    m = corpus("malformed-base64.eml");
    assert_true(is(&m->subject, "broken base64"));

    m = corpus("malformed-nul.eml");
    assert_null(memchr(m->text.data, '\0', m->text.len));
    assert_true(has(&m->text, "beforeafter"));
    assert_null(memchr(m->subject.data, '\0', m->subject.len));
}


static double
now(void)
{
    struct timeval  tv;

    gettimeofday(&tv, NULL);

    return tv.tv_sec + tv.tv_usec / 1e6;
}


static void
test_hostile(void **state)
{
    int                 i;
    double              start;
    hd_buf_t            b;
    hd_err_t            err;
    hd_mime_message_t   m;

    (void) state;

    /* 1,000 nested multiparts: read to the depth allowed, quickly */
    hd_buf_init(&b);
    hd_buf_add_str(&b, "From: deep@example.com\r\nSubject: deep\r\n"
                       "MIME-Version: 1.0\r\n");

    for (i = 0; i < 1000; i++) {
        hd_buf_printf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\""
                          "\r\n\r\n--b%d\r\n", i, i);
    }

    hd_buf_add_str(&b, "Content-Type: text/plain\r\n\r\nthe bottom\r\n");

    for (i = 999; i >= 0; i--) {
        hd_buf_printf(&b, "--b%d--\r\n", i);
    }

    start = now();
    assert_int_equal(hd_mime_parse(b.data, b.len, &limits, &arena->pool, &m,
                                   &err), HD_OK);
    assert_true(m.truncated);
    assert_true(now() - start < 5);
    hd_buf_free(&b);

    /* a header line of 1 MB: cut at the limit */
    hd_buf_init(&b);
    hd_buf_add_str(&b, "From: long@example.com\r\nSubject: ");

    for (i = 0; i < 1024 * 1024 / 8; i++) {
        hd_buf_add_str(&b, "Длин");
    }

    hd_buf_add_str(&b, "\r\n\r\nbody\r\n");
    start = now();
    assert_int_equal(hd_mime_parse(b.data, b.len, &limits, &arena->pool, &m,
                                   &err), HD_OK);
    assert_true(m.subject.len <= limits.max_header);
    assert_true(m.subject.len > 4000);
    assert_true(now() - start < 5);
    hd_buf_free(&b);

    /* a 10 MB file: kept under a 20 MB limit, named among the skipped
       over a 5 MB one */
    hd_buf_init(&b);
    hd_buf_add_str(&b, "From: big@example.com\r\nSubject: big\r\n"
                       "MIME-Version: 1.0\r\nContent-Type: multipart/mixed;"
                       " boundary=\"x\"\r\n\r\n--x\r\nContent-Type: "
                       "text/plain\r\n\r\nsee the file\r\n--x\r\n"
                       "Content-Type: application/zip; name=\"big.zip\"\r\n"
                       "Content-Transfer-Encoding: base64\r\n\r\n");

    /* 76 characters of base64 a line: 57 bytes */
    for (i = 0; i < 10 * 1024 * 1024 / 57; i++) {
        hd_buf_add_str(&b, "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"
                           "QUFBQUFBQUFBQUFBQUFBQUFB\r\n");
    }

    hd_buf_add_str(&b, "--x--\r\n");

    start = now();
    assert_int_equal(hd_mime_parse(b.data, b.len, &limits, &arena->pool, &m,
                                   &err), HD_OK);
    assert_int_equal(m.nfiles, 1);
    assert_true(m.files[0].data.len > 9 * 1024 * 1024);
    assert_true(is(&m.files[0].name, "big.zip"));

    limits.max_file = 5 * 1024 * 1024;
    assert_int_equal(hd_mime_parse(b.data, b.len, &limits, &arena->pool, &m,
                                   &err), HD_OK);
    limits.max_file = 20 * 1024 * 1024;
    assert_int_equal(m.nfiles, 0);
    assert_int_equal(m.nskipped, 1);
    assert_true(is(&m.skipped[0].name, "big.zip"));
    assert_true(m.skipped[0].data.len > 9 * 1024 * 1024);
    assert_true(now() - start < 10);
    hd_buf_free(&b);

    /* bytes that are no message at all: said so, clearly */
    assert_int_equal(hd_mime_parse((const hd_uchar *) "\x01\x02\xff", 3,
                                   &limits, &arena->pool, &m, &err),
                     HD_INVALID);
    assert_string_equal(err.code, "message_invalid");
}


static hd_str_t
s(const char *t)
{
    hd_str_t  r;

    r.data = (hd_uchar *) t;
    r.len = strlen(t);

    return r;
}


static void
test_reading(void **state)
{
    size_t    n;
    hd_str_t  ids[8], v, out;
    uint64_t  ticket, mail;

    (void) state;

    v = s("Re: [#33858] Ответ специалиста");
    assert_int_equal(hd_mail_subject_ticket(&v), 33858);
    v = s("[#] [#abc] [#12a] no tag here");
    assert_int_equal(hd_mail_subject_ticket(&v), 0);
    v = s("Fwd: [#1] and [#2]");
    assert_int_equal(hd_mail_subject_ticket(&v), 1);

    v = s("hd.ticket.77@example.com");
    assert_true(hd_mail_our_id(&v, &ticket, &mail));
    assert_int_equal(ticket, 77);
    v = s("hd.12.0011223344556677@example.com");
    assert_true(hd_mail_our_id(&v, &ticket, &mail));
    assert_int_equal(mail, 12);
    v = s("hd.x.1@example.com");
    assert_false(hd_mail_our_id(&v, &ticket, &mail));

    v = s("a@x");
    out = s("<r1@x> <r2@x>\r\n <r3@x>");
    n = hd_mail_ids(&v, &out, ids, 8);
    assert_int_equal(n, 4);
    assert_true(is(&ids[0], "a@x"));
    assert_true(is(&ids[1], "r3@x"));     /* the parent first */
    assert_true(is(&ids[3], "r1@x"));

    v = s("mailer-daemon@mx.example");
    assert_true(hd_mail_daemon(&v));
    v = s("Postmaster@example.org");
    assert_true(hd_mail_daemon(&v));
    v = s("daemon.fan@example.org");
    assert_false(hd_mail_daemon(&v));

    v = s("no");
    out = s("");
    assert_null(hd_mail_automatic(&v, &out, &out));
    v = s("auto-generated");
    assert_string_equal(hd_mail_automatic(&v, &out, &out), "auto_submitted");

    /* replies: the new words only */
    v = s("Спасибо, помогло!\n\nOn Fri, Nov 20, 2026 at 5:00 PM Support <\n"
          "support@example.com> wrote:\n> Переустановите.\n");
    hd_mail_reply_text(&v, &out);
    assert_true(is(&out, "Спасибо, помогло!"));

    v = s("Да.\n\nпт, 20 нояб. 2026 г. в 17:00, Служба поддержки "
          "<support@example.com>:\n> Вопрос?\n");
    hd_mail_reply_text(&v, &out);
    assert_true(is(&out, "Да."));

    v = s("Вот лог.\n-----Original Message-----\nFrom: x\n");
    hd_mail_reply_text(&v, &out);
    assert_true(is(&out, "Вот лог."));

    v = s("Ответ выше.\n> цитата\n> ещё\n\n");
    hd_mail_reply_text(&v, &out);
    assert_true(is(&out, "Ответ выше."));

    /* all of it quoted: nothing is thrown away */
    v = s("> only a quote\n");
    hd_mail_reply_text(&v, &out);
    assert_true(is(&out, "> only a quote\n"));

    /* a ">" inside the text stays */
    v = s("Сравните: a > b\nи дальше\n");
    hd_mail_reply_text(&v, &out);
    assert_true(is(&out, "Сравните: a > b\nи дальше"));
}


int
main(void)
{
    int  rc;

    limits.headers = hd_mail_read_headers;
    limits.nheaders = hd_mail_read_nheaders;

    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_outlook_html_1251),
        cmocka_unit_test(test_thunderbird_flowed_koi8r),
        cmocka_unit_test(test_gmail_inline_image),
        cmocka_unit_test(test_apple_qp_and_2231),
        cmocka_unit_test(test_forward_and_machines),
        cmocka_unit_test(test_delivery_report),
        cmocka_unit_test(test_charsets_and_broken),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_reading),
    };

    arena = hd_arena_create(1 << 20);
    rc = unit_run("mail in", tests, sizeof(tests) / sizeof(tests[0]));
    hd_arena_destroy(arena);

    return rc;
}

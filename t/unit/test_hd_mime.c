/*
 * Messages built for sending: what a mail client reads back from the bytes
 * (GMime's own parser here; Python's in the integration tests), and that
 * no text of ours can add a header.
 */

#include "unit.h"
#include "hd_mime.h"

#include <gmime/gmime.h>


static hd_str_t
s(const char *text)
{
    hd_str_t  r;

    r.data = (hd_uchar *) text;
    r.len = strlen(text);

    return r;
}


static void
mail_init(hd_mime_mail_t *m)
{
    memset(m, 0, sizeof(*m));
    m->from_name = s("Служба поддержки «КриптоПро»");
    m->from_address = s("support@example.com");
    m->to_name = s("Иван Петров");
    m->to_address = s("ivan@example.com");
    m->subject = s("[#33858] Обращение зарегистрировано: ошибка 0x80090008 "
                   "при подписи документа");
    m->text = s("Здравствуйте, Иван!\n\nОбращение № 33858 зарегистрировано."
                "\n.\nFrom the portal\n");
    m->message_id = s("hd.7.0011223344556677@example.com");
    m->date = 1795300000;
}


/* a raw header of the message, decoded by hd_mime_decode_header */
static char *
header(const hd_buf_t *b, const char *name)
{
    size_t          nlen = strlen(name);
    hd_buf_t        out;
    const hd_uchar *p = b->data, *end = b->data + b->len, *start, *eol;

    while (p < end) {
        eol = memchr(p, '\n', end - p);
        if (eol == NULL || eol == p + 1) {
            return NULL;
        }

        if ((size_t) (eol - p) > nlen && p[nlen] == ':'
            && strncasecmp((const char *) p, name, nlen) == 0)
        {
            start = p + nlen + 1;

            /* the folded lines that follow belong to it */
            while (eol + 1 < end && (eol[1] == ' ' || eol[1] == '\t')) {
                eol = memchr(eol + 1, '\n', end - eol - 1);
            }

            hd_buf_init(&out);
            assert_int_equal(hd_mime_decode_header(start, eol - start, &out),
                             0);
            hd_buf_add(&out, "", 1);

            return (char *) out.data;
        }

        p = eol + 1;
    }

    return NULL;
}


static GMimeMessage *
parse(hd_buf_t *b)
{
    GMimeStream   *stream;
    GMimeParser   *parser;
    GMimeMessage  *m;

    stream = g_mime_stream_mem_new_with_buffer((const char *) b->data,
                                               b->len);
    parser = g_mime_parser_new_with_stream(stream);
    m = g_mime_parser_construct_message(parser, NULL);
    g_object_unref(parser);
    g_object_unref(stream);

    return m;
}


/* the lines of the header block, as sent */
static size_t
header_lines(const hd_buf_t *b, const char *prefix)
{
    size_t          n = 0, plen = strlen(prefix);
    const hd_uchar *p = b->data, *end = b->data + b->len, *eol;

    while (p < end) {
        eol = memchr(p, '\n', end - p);
        if (eol == NULL || eol == p + 1) {
            break;              /* the empty line: the body begins */
        }

        if ((size_t) (eol - p) >= plen
            && strncasecmp((const char *) p, prefix, plen) == 0)
        {
            n++;
        }

        p = eol + 1;
    }

    return n;
}


static void
test_cyrillic_and_threading(void **state)
{
    hd_buf_t                b;
    hd_err_t                err;
    hd_mime_mail_t          m;
    GMimeMessage           *msg;
    InternetAddressList    *from;
    InternetAddressMailbox *mb;
    char                   *text;
    const hd_uchar         *p;

    (void) state;

    mail_init(&m);
    m.html = s("<p>Здравствуйте, <b>Иван</b>!</p>");
    m.thread = s("hd.ticket.33858@example.com");
    m.auto_generated = 1;
    m.unsubscribe = s("https://support.example.com/unsubscribe?token=abc");

    hd_buf_init(&b);
    assert_int_equal(hd_mime_build(&m, &b, &err), HD_OK);

    /* lines end with CRLF, none longer than RFC 5322's 998 */
    for (p = b.data; p < b.data + b.len; ) {
        const hd_uchar *eol = memchr(p, '\n', b.data + b.len - p);

        assert_non_null(eol);
        assert_true(eol > p && eol[-1] == '\r');
        assert_true(eol - p <= 998);
        p = eol + 1;
    }

    /* read back by our decoder: GMime 3.2.13's loses words (issue 133) */
    text = header(&b, "Subject");
    assert_string_equal(text, " [#33858] Обращение зарегистрировано: ошибка "
                              "0x80090008 при подписи документа");
    free(text);
    text = header(&b, "From");
    assert_string_equal(text, " Служба поддержки «КриптоПро» "
                              "<support@example.com>");
    free(text);

    msg = parse(&b);
    assert_non_null(msg);

    from = g_mime_message_get_from(msg);
    assert_int_equal(internet_address_list_length(from), 1);
    mb = INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(from, 0));
    assert_string_equal(internet_address_mailbox_get_addr(mb),
                        "support@example.com");

    assert_string_equal(g_mime_message_get_message_id(msg),
                        "hd.7.0011223344556677@example.com");
    assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(msg),
                                                 "In-Reply-To"),
                        "<hd.ticket.33858@example.com>");
    assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(msg),
                                                 "References"),
                        "<hd.ticket.33858@example.com>");
    assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(msg),
                                                 "Auto-Submitted"),
                        "auto-generated");
    assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(msg),
                                                 "List-Unsubscribe"),
        "<https://support.example.com/unsubscribe?token=abc>");
    assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(msg),
                                                 "List-Unsubscribe-Post"),
                        "List-Unsubscribe=One-Click");

    /* both parts, UTF-8; the text part as written (a lone dot too) */
    assert_true(GMIME_IS_MULTIPART(g_mime_message_get_mime_part(msg)));
    text = g_mime_text_part_get_text(GMIME_TEXT_PART(
        g_mime_multipart_get_part(GMIME_MULTIPART(
            g_mime_message_get_mime_part(msg)), 0)));
    assert_string_equal(text, m.text.data);
    g_free(text);

    text = g_mime_text_part_get_text(GMIME_TEXT_PART(
        g_mime_multipart_get_part(GMIME_MULTIPART(
            g_mime_message_get_mime_part(msg)), 1)));
    assert_string_equal(text, "<p>Здравствуйте, <b>Иван</b>!</p>");
    g_free(text);

    g_object_unref(msg);
    hd_buf_free(&b);
}


static void
test_no_header_injection(void **state)
{
    hd_buf_t         b;
    hd_err_t         err;
    hd_mime_mail_t   m;
    GMimeMessage    *msg;

    (void) state;

    mail_init(&m);
    m.to_name = s("Eve\r\nBcc: victim@example.org\r\n");
    m.subject = s("Hello\r\nBcc: victim@example.org\nX-Evil: 1\r\n\r\nbody");
    m.from_name = s("Support\nReply-To: eve@example.org");

    hd_buf_init(&b);
    assert_int_equal(hd_mime_build(&m, &b, &err), HD_OK);

    assert_int_equal(header_lines(&b, "Bcc:"), 0);
    assert_int_equal(header_lines(&b, "X-Evil:"), 0);
    assert_int_equal(header_lines(&b, "Reply-To:"), 0);
    assert_int_equal(header_lines(&b, "Subject:"), 1);

    {
        char  *subject = header(&b, "Subject");

        assert_string_equal(subject, " Hello  Bcc: victim@example.org "
                                     "X-Evil: 1    body");
        free(subject);
    }

    msg = parse(&b);
    assert_non_null(msg);
    g_object_unref(msg);
    hd_buf_free(&b);

    /* an address is an address or nothing is built */
    mail_init(&m);
    m.to_address = s("ivan@example.com>\r\nRCPT TO:<x@example.org");
    hd_buf_init(&b);
    assert_int_equal(hd_mime_build(&m, &b, &err), HD_INVALID);
    assert_int_equal(b.len, 0);
    hd_buf_free(&b);

    assert_true(hd_mime_address_ok((hd_uchar *) "a@b.c", 5));
    assert_true(hd_mime_address_ok((const hd_uchar *) "иван@пример.рф",
                                   strlen("иван@пример.рф")));
    assert_false(hd_mime_address_ok((hd_uchar *) "a b@c.d", 7));
    assert_false(hd_mime_address_ok((hd_uchar *) "a@b@c", 5));
    assert_false(hd_mime_address_ok((hd_uchar *) "@bc.d", 5));
    assert_false(hd_mime_address_ok((hd_uchar *) "ab.d@", 5));
    assert_false(hd_mime_address_ok((hd_uchar *) "a<b@c.d", 7));
}


static void
test_text_only(void **state)
{
    hd_buf_t         b;
    hd_err_t         err;
    hd_mime_mail_t   m;
    GMimeMessage    *msg;
    GMimeObject     *part;

    (void) state;

    mail_init(&m);
    hd_buf_init(&b);
    assert_int_equal(hd_mime_build(&m, &b, &err), HD_OK);

    /* nothing automatic was asked for, nothing is claimed */
    assert_int_equal(header_lines(&b, "Auto-Submitted:"), 0);
    assert_int_equal(header_lines(&b, "List-Unsubscribe"), 0);
    assert_int_equal(header_lines(&b, "In-Reply-To:"), 0);

    msg = parse(&b);
    part = g_mime_message_get_mime_part(msg);
    assert_true(GMIME_IS_TEXT_PART(part));
    assert_string_equal(g_mime_object_get_content_type_parameter(part,
                                                                 "charset"),
                        "utf-8");
    g_object_unref(msg);
    hd_buf_free(&b);
}


static void
decoded(const char *raw, const char *want)
{
    hd_buf_t  out;

    hd_buf_init(&out);
    assert_int_equal(hd_mime_decode_header((const hd_uchar *) raw,
                                           strlen(raw), &out), 0);
    hd_buf_add(&out, "", 1);
    assert_string_equal((char *) out.data, want);
    hd_buf_free(&out);
}


static void
test_decode_header(void **state)
{
    (void) state;

    /* what GMime 3.2.13 gets wrong: a word after one with padding */
    decoded("=?UTF-8?B?SGVsbG8=?= =?UTF-8?B?IHdvcmxk?=", "Hello world");
    decoded("=?UTF-8?B?Og==?=\r\n =?UTF-8?B?INC+0YjQuNCx0LrQsA==?= x",
            ": ошибка x");

    /* a character split between two words */
    decoded("=?UTF-8?B?0J/R?= =?UTF-8?B?gNC40LLQtdGC?=", "Привет");

    /* Q, legacy charsets, a language, text around words */
    decoded("=?koi8-r?Q?=F0=D2=C9=D7=C5=D4_=CD=C9=D2?=", "Привет мир");
    decoded("Re: =?windows-1251?B?z/Do4uXy?= [#12]", "Re: Привет [#12]");
    decoded("=?ISO-8859-5?q?=BF=E0=D8=D2=D5=E2?=", "Привет");
    decoded("=?utf-8*ru?b?0JTQsA==?=", "Да");

    /* white space between words and text stays; folding does not */
    decoded("a =?utf-8?q?b?= c", "a b c");
    decoded("line one\r\n\tline two", "line one line two");

    /* a charset nobody knows: its bytes read as undeclared text */
    decoded("=?nosuchcharset?B?SGk=?=", "Hi");
    decoded("=?x-unknown?B?z/Do4uXy?=", "Привет");

    /* gb2312 is read as GB18030 (GBK characters in it), a character split
       between words joined; a byte that is no character costs one */
    decoded("=?gb2312?B?1tDOxA==?= =?gb2312?B?1A==?= =?gb2312?B?tA==?=",
            "中文源");
    decoded("=?gb2312?B?h0A=?=", "嘆");
    decoded("=?utf-8?B?0J/RgNC4/9Cy0LXRgg==?=", "При\xef\xbf\xbdвет");
    decoded("=?windows-1251?Q?=E2=98?=", "в\xef\xbf\xbd");

    /* not words: left alone */
    decoded("=?utf-8?x?abc?= 100% =?", "=?utf-8?x?abc?= 100% =?");
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_cyrillic_and_threading),
        cmocka_unit_test(test_no_header_injection),
        cmocka_unit_test(test_text_only),
        cmocka_unit_test(test_decode_header),
    };

    hd_mime_init();

    return unit_run("hd_mime", tests, sizeof(tests) / sizeof(tests[0]));
}

/*
 * The demo of ./build.sh run, seeded once: an administrator and a customer
 * (random passwords), a product and certificate types, a company owned by
 * the customer with a contract, and certificates a newcomer can register
 * (a valid and an expired one, with their codes). What a newcomer needs is
 * kept in demo.txt beside the database (a demo, not an installation) and
 * printed at every start. Each later part of the product adds its step
 * (a demo of an older version gets the new steps only).
 */

#include "helpdesk.h"
#include "hd_files.h"
#include "hd_activation.h"

#include "hd_certificate.h"
#include "hd_company.h"
#include "hd_crypto.h"
#include "hd_date.h"
#include "hd_product.h"
#include "hd_staff.h"
#include "hd_templates.h"
#include "hd_kb.h"
#include "hd_ticket_customer.h"
#include "hd_ticket_staff.h"


static int hd_demo_accounts(hd_cli_t *cli, const char *path);


typedef struct {
    FILE          *out;
    uint64_t       admin;
    uint64_t       customer;
    uint64_t       product;
    uint64_t       now;
} hd_demo_t;


static hd_rc
hd_demo_catalog(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    int                i;
    char               number[HD_CERT_NUMBER_BUF];
    char               code[HD_CERT_CODE_TEXT_LEN + 1], until[11];
    hd_rc              rc;
    int32_t            today;
    hd_demo_t         *demo = arg;
    hd_product_t       p;
    hd_cert_type_t     cert, contract;
    hd_certificate_t   c;

    static const struct {
        const char  *number;
        int          months_from;   /* the start, months from today */
        int          contract;
        const char  *what;
    } certs[] = {
        { "CP-2026-000101", -1, 0, "a certificate to register" },
        { "CP-2024-000042", -30, 0, "an expired one (to see the error)" },
        { "MSA-2026-0007", -2, 1, "the company's contract" },
    };

    memset(&p, 0, sizeof(p));
    hd_str_set(&p.name, "СКЗИ «КриптоПро CSP»");
    hd_str_set(&p.versions, "4.0\n5.0\n5.0 R3");

    rc = hd_product_save(txn, &p, demo->now, err);
    if (rc != HD_OK) {
        return rc;
    }

    demo->product = p.id;

    memset(&cert, 0, sizeof(cert));
    hd_str_set(&cert.name, "Сертификат на ТП СКЗИ «КриптоПро CSP» на р/м "
                           "(1 год)");
    cert.product = p.id;
    cert.term_months = 12;
    cert.kind = HD_CERT_CERTIFICATE;
    cert.ticket_limit = 2;
    cert.level = HD_LEVEL_STANDARD;
    cert.department = 1;

    rc = hd_cert_type_save(txn, &cert, demo->now, err);
    if (rc != HD_OK) {
        return rc;
    }

    memset(&contract, 0, sizeof(contract));
    hd_str_set(&contract.name, "Договор расширенной поддержки MSA Business "
                               "(1 год)");
    contract.product = p.id;
    contract.term_months = 12;
    contract.kind = HD_CERT_CONTRACT;
    contract.ticket_limit = 5;
    contract.level = HD_LEVEL_MSA_BUSINESS;
    contract.premium_per_year = 12;
    contract.department = 2;

    rc = hd_cert_type_save(txn, &contract, demo->now, err);
    if (rc != HD_OK) {
        return rc;
    }

    today = hd_date_today(demo->now);

    for (i = 0; i < 3; i++) {
        memset(&c, 0, sizeof(c));
        c.number.data = (hd_uchar *) certs[i].number;
        c.number.len = strlen(certs[i].number);
        c.type = certs[i].contract ? contract.id : cert.id;
        c.valid_from = (uint32_t) hd_date_add_months(today,
                                                     certs[i].months_from);
        c.valid_until = (uint32_t) (hd_date_add_months((int32_t) c.valid_from,
                                                       12) - 1);

        rc = hd_cert_issue(txn, &c, 1, demo->now, number, code, err);
        if (rc != HD_OK) {
            return rc;
        }

        hd_date_format(c.valid_until, until);

        if (certs[i].contract) {
            fprintf(demo->out, "  %-36s number %-16s (MSA Business, valid "
                    "until %s)\n", certs[i].what, certs[i].number, until);
            continue;
        }

        fprintf(demo->out, "  %-36s number %-16s code %s (valid until %s)\n",
                certs[i].what, certs[i].number, code, until);
    }

    return HD_OK;
}


/* a knowledge base to search and to be suggested, in both languages */
static hd_rc
hd_demo_articles(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    char              products[24];
    size_t            i;
    hd_rc             rc;
    hd_demo_t        *demo = arg;
    hd_kb_article_t   a;

    static const struct {
        const char  *title;
        const char  *body;
        uint8_t      language;
        uint8_t      audience;
        const char  *tags;
    } articles[] = {
        { "Не подписывается документ",
          "Если документ **не подписывается**:\n\n"
          "1. Проверьте, что сертификат установлен в хранилище «Личное».\n"
          "2. Убедитесь, что закрытый ключ доступен (вставлен токен).\n"
          "3. Проверьте срок действия сертификата.",
          HD_LANG_RU, HD_KB_PUBLIC, "подпись, ЭП" },
        { "Ошибка 0x80090008 при создании подписи",
          "Код `0x80090008` означает, что указан неверный алгоритм. "
          "Обновите КриптоПро CSP до версии 5.0 R3 и повторите подпись.",
          HD_LANG_RU, HD_KB_PUBLIC, "ошибка, алгоритм" },
        { "Как установить личный сертификат",
          "Откройте КриптоПро CSP, вкладка «Сервис», «Просмотреть "
          "сертификаты в контейнере», выберите контейнер и нажмите "
          "«Установить».", HD_LANG_RU, HD_KB_PUBLIC, "сертификат" },
        { "Цепочка сертификатов не построена",
          "Установите корневой и промежуточные сертификаты удостоверяющего "
          "центра в хранилище «Доверенные корневые центры».",
          HD_LANG_RU, HD_KB_PUBLIC, "сертификат, УЦ" },
        { "Токен не определяется",
          "Переустановите драйвер токена, попробуйте другой USB-порт и "
          "проверьте, виден ли токен в «Устройствах».",
          HD_LANG_RU, HD_KB_PUBLIC, "токен, Рутокен" },
        { "Забыт пароль от контейнера",
          "Пароль (ПИН-код) контейнера восстановить нельзя. Обратитесь в "
          "удостоверяющий центр за новым ключом.",
          HD_LANG_RU, HD_KB_PUBLIC, "пароль, контейнер" },
        { "Продление сертификата на техническую поддержку",
          "Продлить сертификат можно у партнёра, у которого он был "
          "приобретён. Новый сертификат зарегистрируйте на портале.",
          HD_LANG_RU, HD_KB_CUSTOMERS, "сертификат, продление" },
        { "Внутреннее: сбор журналов для разработчиков",
          "Попросите клиента запустить `cpverify -logs` и приложить архив к "
          "обращению. Передайте его во вторую линию.",
          HD_LANG_RU, HD_KB_INTERNAL, "журналы" },
        { "Signing a document fails",
          "When signing fails, check that the certificate is installed in "
          "the Personal store and that the private key is available.",
          HD_LANG_EN, HD_KB_PUBLIC, "signature" },
        { "Error 0x80090008 when signing",
          "The code `0x80090008` means a wrong algorithm. Update CSP to 5.0 "
          "R3 and sign again.", HD_LANG_EN, HD_KB_PUBLIC, "error" },
        { "Installing on Linux",
          "Unpack the archive and run `./install.sh` as root; for a GUI "
          "install `cprocsp-gui` as well.", HD_LANG_EN, HD_KB_PUBLIC,
          "linux" },
        { "The token is not detected",
          "Reinstall the token driver, try another USB port and check the "
          "device manager.", HD_LANG_EN, HD_KB_PUBLIC, "token" },
    };

    snprintf(products, sizeof(products), "%llu",
             (unsigned long long) demo->product);

    for (i = 0; i < sizeof(articles) / sizeof(articles[0]); i++) {
        memset(&a, 0, sizeof(a));
        hd_cli_str(articles[i].title, &a.title);
        hd_cli_str(articles[i].body, &a.body);
        hd_cli_str(articles[i].tags, &a.tags);
        hd_cli_str(products, &a.products);
        hd_str_set(&a.versions, "");
        hd_str_set(&a.related, "");
        a.language = articles[i].language;
        a.audience = articles[i].audience;
        a.state = HD_KB_PUBLISHED;

        rc = hd_kb_save(txn, &a, demo->admin, demo->now, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    fprintf(demo->out, "  %-36s %zu published (ru and en)\n",
            "knowledge-base articles", i);

    return HD_OK;
}


/* the contract, registered to the customer's company */
static hd_rc
hd_demo_company_contract(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    int                already;
    hd_account_t       a;
    hd_demo_t         *demo = arg;
    hd_cert_claim_t    claim;
    hd_certificate_t   c;

    if (hd_account_get(txn, demo->customer, &a) != HD_OK) {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found", "no customer");
    }

    if (hd_cert_find(txn, &(hd_str_t) hd_string("MSA-2026-0007"), &c)
        != HD_OK)
    {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                          "no contract");
    }

    memset(&claim, 0, sizeof(claim));
    hd_str_set(&claim.number, "MSA-2026-0007");
    claim.holder_kind = HD_HOLDER_COMPANY;
    claim.holder = a.company;
    claim.account = demo->customer;

    /* a demo contract: registered without its code */
    return hd_cert_register_unchecked(txn, &claim, demo->now, &already,
                                      err);
}


/* step 2: tickets the customer can see at once, with the e-mail they make */
static int
hd_demo_tickets(hd_cli_t *cli, FILE *f)
{
    hd_rc               rc;
    uint8_t             status;
    uint64_t            now, message;
    hd_err_t            err;
    hd_txn_t            txn;
    hd_portal_t         portal;
    hd_arena_t         *arena;
    hd_errors_t         errors;
    hd_account_t        customer, admin;
    hd_ticket_t         t;
    hd_ticket_input_t   in;
    hd_staff_message_t  sm;

    arena = hd_arena_create(0);
    if (arena == NULL || hd_cli_mail_portal(cli, &arena->pool, &portal) != 0) {
        hd_arena_destroy(arena);
        return 1;
    }

    rc = hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err);
    if (rc == HD_OK) {
        rc = hd_account_find(&txn, (hd_uchar *) "customer", 8, &customer);
        if (rc == HD_OK) {
            rc = hd_account_find(&txn, (hd_uchar *) "admin", 5, &admin);
        }

        hd_txn_abort(&txn);
    }

    if (rc != HD_OK) {
        hd_arena_destroy(arena);
        fprintf(stderr, "helpdesk: demo: the demo accounts are missing\n");
        return 1;
    }

    now = (uint64_t) time(NULL);
    memset(&errors, 0, sizeof(errors));

    /* a premium incident on the company's contract, support asks back */
    hd_ticket_input_init(&in);
    hd_str_set(&in.subject, "Не подписывается документ в СЭД");
    hd_str_set(&in.description, "При подписи документа в СЭД появляется "
               "ошибка 0x80090008 «Указан неправильный алгоритм».\n"
               "ОС: Windows 11 23H2, КриптоПро CSP 5.0 R3.");
    hd_str_set(&in.certificate, "MSA-2026-0007");
    hd_str_set(&in.product_version, "5.0 R3");
    hd_str_set(&in.os_version, "Windows 11 23H2");
    in.category = HD_CATEGORY_TECHNICAL;
    in.type = HD_TYPE_BUG;
    in.severity = 2;
    in.premium = 1;
    in.channel = HD_CHANNEL_WEB;

    rc = hd_ticket_create(&portal, customer.id, &in, now, &t, &errors, &err);

    if (rc == HD_OK) {
        memset(&sm, 0, sizeof(sm));
        sm.number = t.number;
        sm.actor = admin.id;
        sm.kind = HD_MESSAGE_INFO_REQUEST;
        hd_str_set(&sm.body, "Здравствуйте! Пришлите, пожалуйста, журнал "
                   "событий CSP (Панель управления CSP → Журнал) и версию "
                   "драйвера токена.");

        rc = hd_ticket_staff_message(&portal, &sm, now + 60, &message,
                                     &status, NULL, &err);
    }

    if (rc == HD_OK) {
        fprintf(f, "  %-36s no. %llu, support awaits the customer's answer\n",
                "a premium ticket", (unsigned long long) t.number);

        /* a question without a certificate, solved: to close and rate */
        hd_ticket_input_init(&in);
        hd_str_set(&in.subject, "Как перенести лицензию на новый компьютер?");
        hd_str_set(&in.description, "Меняем рабочее место сотрудника. Можно "
                   "ли перенести лицензию CSP и как это сделать?");
        in.category = HD_CATEGORY_ACCOUNT_OR_CONTRACT;
        in.type = HD_TYPE_CONSULTATION;
        in.severity = 4;
        in.channel = HD_CHANNEL_WEB;

        rc = hd_ticket_create(&portal, customer.id, &in, now + 120, &t,
                              &errors, &err);
    }

    if (rc == HD_OK) {
        memset(&sm, 0, sizeof(sm));
        sm.number = t.number;
        sm.actor = admin.id;
        sm.kind = HD_MESSAGE_SOLUTION;
        hd_str_set(&sm.body, "Лицензию можно перенести: удалите ключ на "
                   "старом рабочем месте и введите его на новом.");

        rc = hd_ticket_staff_message(&portal, &sm, now + 180, &message,
                                     &status, NULL, &err);
    }

    hd_arena_destroy(arena);

    if (rc != HD_OK) {
        return hd_cli_errors("demo", &errors, &err);
    }

    fprintf(f, "  %-36s no. %llu, solved: close it and rate it\n",
            "a ticket without a certificate", (unsigned long long) t.number);

    return 0;
}


/* step 3: the staff console's people, and a new ticket in the queue */
static int
hd_demo_staff(hd_cli_t *cli, FILE *f)
{
    char                pw[24];
    size_t              i;
    uint64_t            id, now, agent = 0;
    hd_err_t            err;
    hd_txn_t            txn;
    hd_uchar            raw[12];
    hd_portal_t         portal;
    hd_arena_t         *arena;
    hd_errors_t         errors;
    hd_ticket_t         t;
    hd_account_t        customer;
    hd_staff_input_t    staff;
    hd_ticket_input_t   ti;
    hd_account_input_t  in;

    static const struct {
        const char  *login;
        const char  *email;
        const char  *name;
        int          role;
        const char  *what;
    } people[] = {
        { "agent", "agent@helpdesk.example", "Ольга Смирнова",
          HD_ROLE_AGENT, "agent (basic and extended support)" },
        { "manager", "manager@helpdesk.example", "Сергей Козлов",
          HD_ROLE_MANAGER, "manager (every department)" },
    };

    arena = hd_arena_create(0);
    if (arena == NULL || hd_cli_mail_portal(cli, &arena->pool, &portal) != 0)
    {
        hd_arena_destroy(arena);
        return 1;
    }

    now = (uint64_t) time(NULL);

    for (i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
        hd_random(raw, sizeof(raw));
        pw[hd_b64url_encode(pw, raw, sizeof(raw))] = '\0';

        hd_account_input_init(&in);
        hd_cli_str(people[i].login, &in.login);
        hd_cli_str(people[i].email, &in.email);
        hd_cli_str(people[i].name, &in.name);
        hd_cli_str(pw, &in.password);
        in.role = people[i].role;

        memset(&errors, 0, sizeof(errors));
        memset(&staff, 0, sizeof(staff));
        staff.role = -1;
        staff.disabled = -1;
        staff.kb_editor = -1;
        staff.set_departments = 1;
        staff.n = 2;
        staff.departments[0] = 1;
        staff.departments[1] = 2;

        if (hd_auth_register(&portal, &in, NULL, now, &id, NULL, &errors,
                             &err) != HD_OK
            || hd_staff_update(&portal, 0, id, &staff, now, &err) != HD_OK)
        {
            hd_arena_destroy(arena);
            return hd_cli_errors("demo", &errors, &err);
        }

        fprintf(f, "  %-36s login %-16s password %s\n", people[i].what,
                people[i].login, pw);

        if (i == 0) {
            agent = id;
        }
    }

    if (hd_txn_begin(cli->store, &txn, HD_TXN_READ, &err) != HD_OK
        || hd_account_find(&txn, (hd_uchar *) "customer", 8, &customer)
           != HD_OK)
    {
        hd_txn_abort(&txn);
        hd_arena_destroy(arena);
        fprintf(stderr, "helpdesk: demo: the demo customer is missing\n");
        return 1;
    }

    hd_txn_abort(&txn);

    /* registered by the agent from a phone call: waits in the queue */
    hd_ticket_input_init(&ti);
    hd_str_set(&ti.subject, "Не устанавливается КриптоПро CSP на новый "
               "компьютер");
    hd_str_set(&ti.description, "Клиент позвонил: установщик CSP 5.0 "
               "завершается с ошибкой 1603 на Windows 11.");
    hd_str_set(&ti.certificate, "MSA-2026-0007");
    ti.category = HD_CATEGORY_TECHNICAL;
    ti.type = HD_TYPE_CONSULTATION;
    ti.severity = 3;
    ti.channel = HD_CHANNEL_PHONE;
    ti.by = agent;
    memset(&errors, 0, sizeof(errors));

    if (hd_ticket_create(&portal, customer.id, &ti, now + 240, &t, &errors,
                         &err)
        != HD_OK)
    {
        hd_arena_destroy(arena);
        return hd_cli_errors("demo", &errors, &err);
    }

    fprintf(f, "  %-36s no. %llu, new in the staff queue: take it\n",
            "a phone call registered", (unsigned long long) t.number);

    hd_arena_destroy(arena);

    return 0;
}


/* an APNs request's CSR, made once with openssl req -new (the key thrown
   away: the demo only shows what staff see of one) */
static const char  hd_demo_csr[] =
        "-----BEGIN CERTIFICATE REQUEST-----\n"
        "MIICjDCCAXQCAQAwRzEhMB8GA1UEAwwYcnUuZXhhbXBsZS5yb21hc2hrYS5wdXNo\n"
        "MRUwEwYDVQQKDAxSb21hc2hrYSBMdGQxCzAJBgNVBAYTAlJVMIIBIjANBgkqhkiG\n"
        "9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1y2DsaCszVKV40IxJ8s4f54vJKxvtkfygIhU\n"
        "OoD66QEHhGbYQdbtgtOYxcGKwbdaWKHoeg4G9JvK9GcAsk2OLN/hmraUn3rW9OnK\n"
        "XMvpAdh8x+orWez9VjW7H6fmK2y8do7rf2k0cvgATBg07IbQohafDwaQ6cIBIQY+\n"
        "2RHPEwPf34v4C7k4hSJNTyVI11OUFrUNTI96BOpV0ncMuf4XQEGsOZu6C+bZEgC3\n"
        "0j5X9WMo4tppYlbDZXXWb7A2vk6/wPYWUqUt4BRyLuc1pX1a9ElSaQptH49JejT/\n"
        "lRwBbOCll/1Ypo0xciuv/rGtW0Kv1nlxT5dvfh0uUcESgPceLwIDAQABoAAwDQYJ\n"
        "KoZIhvcNAQELBQADggEBAHUs4U6h1qtxFp3Zwq+su5cJbsWbeazKWoNGBipkStZL\n"
        "Ejp0rHJf4BZZmE2N9dEnCdA7jX3Tx0GEykuZCTwbHP19qpHS9ftzSnVLuhUdDufC\n"
        "4XdGfMu9g8fLCQr4QIE044OHqcixgufs5SVBEBHMTzGc2wo7XXGIXxSqQbDhmrgF\n"
        "RSiTTVycYIYxG7x1aOf9w6Fo90xTz8w19//KZEfVqQ/yukxZr3czeZMSxUYADBRl\n"
        "FTTkN0YIgFFiCXo9ptm5qTFVhTX8flGkFA0PSMHu97/ojJZgUYW9v9WaVCGzUK+C\n"
        "y4PfW0RZr4x0AiSZBUrKPR/IIxj3RdrW/qRmz+Ko/Ig=\n"
        "-----END CERTIFICATE REQUEST-----\n";


/* step 4: the seed services' own rules: the contract activated with two
   premium contacts, an APNs certificate request */
static int
hd_demo_rules(hd_cli_t *cli, FILE *f)
{
    size_t               n;
    uint64_t             now, ticket;
    hd_err_t             err;
    hd_txn_t             txn;
    hd_uchar             sha[HD_SHA256_LEN];
    hd_upload_t          up;
    hd_portal_t          portal;
    hd_arena_t          *arena;
    hd_errors_t          errors;
    hd_ticket_t          t;
    hd_contact_t         contacts[2];
    hd_account_t         customer, manager;
    hd_cert_type_t       type;
    hd_certificate_t     c;
    hd_file_writer_t     w;
    hd_ticket_input_t    ti;

    arena = hd_arena_create(0);
    if (arena == NULL || hd_cli_mail_portal(cli, &arena->pool, &portal) != 0)
    {
        hd_arena_destroy(arena);
        return 1;
    }

    now = (uint64_t) time(NULL);
    memset(&errors, 0, sizeof(errors));

    /* the MSA Business contract names two premium contacts */
    if (hd_txn_begin(cli->store, &txn, HD_TXN_WRITE, &err) != HD_OK
        || hd_account_find(&txn, (hd_uchar *) "customer", 8, &customer)
           != HD_OK
        || hd_account_find(&txn, (hd_uchar *) "manager", 7, &manager)
           != HD_OK
        || hd_cert_find(&txn, &(hd_str_t) hd_string("MSA-2026-0007"), &c)
           != HD_OK
        || hd_cert_type_get(&txn, c.type, &type) != HD_OK)
    {
        hd_txn_abort(&txn);
        hd_arena_destroy(arena);
        fprintf(stderr, "helpdesk: demo: the demo contract is missing\n");
        return 1;
    }

    customer.name.data = hd_pstrdup(&arena->pool, customer.name.data,
                                    customer.name.len);
    customer.email.data = hd_pstrdup(&arena->pool, customer.email.data,
                                     customer.email.len);
    type.contacts_max = 2;

    if (hd_cert_type_save(&txn, &type, now, &err) != HD_OK
        || hd_txn_commit(&txn, &err) != HD_OK)
    {
        hd_arena_destroy(arena);
        return hd_cli_errors("demo", &errors, &err);
    }

    contacts[0].name = customer.name;
    contacts[0].email = customer.email;
    hd_str_set(&contacts[0].phone, "+7 495 123-45-67");
    hd_str_set(&contacts[1].name, "Мария Иванова");
    hd_str_set(&contacts[1].email, "maria@example.com");
    hd_str_set(&contacts[1].phone, "+7 495 123-45-68");

    if (hd_activation_request(&portal, customer.id,
                              &(hd_str_t) hd_string("MSA-2026-0007"),
                              contacts, 2, now + 300, &ticket, &errors, &err)
        != HD_OK
        || hd_activation_approve(&portal, &manager, ticket, now + 360, &n,
                                 &err)
           != HD_OK)
    {
        hd_arena_destroy(arena);
        return hd_cli_errors("demo", &errors, &err);
    }

    fprintf(f, "  %-36s MSA-2026-0007, %zu premium contacts (ticket no. "
            "%llu)\n", "an activated contract", n,
            (unsigned long long) ticket);

    /* an APNs request: its CSR in the file store, then the ticket */
    memset(&up, 0, sizeof(up));

    if (hd_files_prepare(cli->files, &err) != HD_OK
        || hd_file_begin(&w, cli->files, &err) != HD_OK
        || hd_file_write(&w, hd_demo_csr, sizeof(hd_demo_csr) - 1, &err)
           != HD_OK
        || hd_file_finish(&w, sha, &err) != HD_OK
        || hd_file_store(cli->files, w.path, sha, &err) != HD_OK)
    {
        hd_arena_destroy(arena);
        return hd_cli_errors("demo", &errors, &err);
    }

    hd_str_set(&up.name, "romashka-push.csr");
    hd_str_set(&up.type, "application/pkcs10");
    up.size = sizeof(hd_demo_csr) - 1;
    memcpy(up.sha256, sha, HD_SHA256_LEN);

    hd_ticket_input_init(&ti);
    hd_str_set(&ti.subject, "Сертификат APNs для мобильного приложения");
    hd_str_set(&ti.description, "Прошу подписать запрос на сертификат для "
               "push-уведомлений нашего приложения.");
    ti.category = HD_CATEGORY_APNS;
    ti.type = HD_TYPE_CONSULTATION;
    ti.severity = 3;
    ti.channel = HD_CHANNEL_WEB;
    ti.files = &up;
    ti.nfiles = 1;

    if (hd_ticket_create(&portal, customer.id, &ti, now + 420, &t, &errors,
                         &err)
        != HD_OK)
    {
        hd_arena_destroy(arena);
        return hd_cli_errors("demo", &errors, &err);
    }

    fprintf(f, "  %-36s no. %llu, its CSR shown to staff\n",
            "an APNs certificate request", (unsigned long long) t.number);

    hd_arena_destroy(arena);

    return 0;
}


/* the demo's steps done so far ("demo" in meta): 0 when none */
static int
hd_demo_level(hd_cli_t *cli)
{
    int       level = 0;
    hd_str_t  v;
    hd_txn_t  txn;

    if (hd_txn_begin(cli->store, &txn, HD_TXN_READ, NULL) == HD_OK) {
        if (hd_db_get(&txn, HD_DB_META, "demo", 4, &v) == HD_OK
            && v.len == 1)
        {
            level = v.data[0] - '0';
        }

        hd_txn_abort(&txn);
    }

    return level;
}


static int
hd_demo_set_level(hd_cli_t *cli, int level)
{
    char      v = (char) ('0' + level);
    hd_err_t  err;
    hd_txn_t  txn;

    if (hd_txn_begin(cli->store, &txn, HD_TXN_WRITE, &err) != HD_OK
        || hd_db_put(&txn, HD_DB_META, "demo", 4, &v, 1, 0, &err) != HD_OK
        || hd_txn_commit(&txn, &err) != HD_OK)
    {
        fprintf(stderr, "helpdesk: demo: %s\n", err.text);
        return 1;
    }

    return 0;
}


int
hd_cli_demo(hd_cli_t *cli)
{
    FILE  *f;
    char   path[PATH_MAX], line[512];
    int    level;

    snprintf(path, sizeof(path), "%s/demo.txt", cli->data);
    level = hd_demo_level(cli);

    if (level < 1 && hd_demo_accounts(cli, path) != 0) {
        return 1;
    }

    if (level < 2) {
        f = fopen(path, "a");
        if (f == NULL) {
            fprintf(stderr, "helpdesk: cannot write %s: %s\n", path,
                    strerror(errno));
            return 1;
        }

        if (hd_demo_tickets(cli, f) != 0 || hd_demo_set_level(cli, 2) != 0) {
            fclose(f);
            return 1;
        }

        fclose(f);
    }

    if (level < 3) {
        f = fopen(path, "a");
        if (f == NULL) {
            fprintf(stderr, "helpdesk: cannot write %s: %s\n", path,
                    strerror(errno));
            return 1;
        }

        if (hd_demo_staff(cli, f) != 0 || hd_demo_set_level(cli, 3) != 0) {
            fclose(f);
            return 1;
        }

        fclose(f);
    }

    if (level < 4) {
        f = fopen(path, "a");
        if (f == NULL) {
            fprintf(stderr, "helpdesk: cannot write %s: %s\n", path,
                    strerror(errno));
            return 1;
        }

        if (hd_demo_rules(cli, f) != 0 || hd_demo_set_level(cli, 4) != 0) {
            fclose(f);
            return 1;
        }

        fclose(f);
    }

    f = fopen(path, "r");
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        fputs(line, stdout);
    }

    if (f != NULL) {
        fclose(f);
    }

    return 0;
}


/* step 1: the accounts, the catalogue, the company and its contract */
static int
hd_demo_accounts(hd_cli_t *cli, const char *path)
{
    FILE                *f;
    char                 pw[2][24];
    size_t               i;
    uint64_t             id, company;
    hd_err_t             err;
    hd_uchar             raw[12];
    hd_demo_t            demo;
    hd_portal_t          portal;
    hd_errors_t          errors;
    hd_account_input_t   in;

    static const struct {
        const char  *login;
        const char  *email;
        const char  *name;
        int          role;
    } people[2] = {
        { "admin", "admin@helpdesk.example", "Администратор портала",
          HD_ROLE_ADMINISTRATOR },
        { "customer", "customer@example.com", "Иван Петров",
          HD_ROLE_CUSTOMER },
    };

    f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "helpdesk: cannot write %s: %s\n", path,
                strerror(errno));
        return 1;
    }

    fchmod(fileno(f), 0600);

    hd_cli_portal(cli, &portal);
    demo.out = f;
    demo.now = (uint64_t) time(NULL);

    for (i = 0; i < 2; i++) {
        hd_random(raw, sizeof(raw));
        pw[i][hd_b64url_encode(pw[i], raw, sizeof(raw))] = '\0';

        hd_account_input_init(&in);
        hd_cli_str(people[i].login, &in.login);
        hd_cli_str(people[i].email, &in.email);
        hd_cli_str(people[i].name, &in.name);
        hd_cli_str(pw[i], &in.password);
        in.role = people[i].role;

        memset(&errors, 0, sizeof(errors));

        if (hd_auth_register(&portal, &in, NULL, demo.now, &id, NULL,
                             &errors, &err)
            != HD_OK)
        {
            fclose(f);
            return hd_cli_errors("demo", &errors, &err);
        }

        fprintf(f, "  %-36s login %-16s password %s\n",
                people[i].role == HD_ROLE_ADMINISTRATOR ? "administrator"
                                                        : "customer",
                people[i].login, pw[i]);

        if (people[i].role == HD_ROLE_ADMINISTRATOR) {
            demo.admin = id;

        } else {
            demo.customer = id;
        }
    }

    memset(&errors, 0, sizeof(errors));

    if (hd_company_create(&portal, demo.customer,
                          &(hd_str_t) hd_string("ООО «Ромашка»"), demo.now,
                          &company, &errors, &err)
        != HD_OK
        || hd_txn_run(cli->store, hd_demo_catalog, &demo, &err) != HD_OK
        || hd_txn_run(cli->store, hd_demo_articles, &demo, &err) != HD_OK
        || hd_txn_run(cli->store, hd_demo_company_contract, &demo, &err)
           != HD_OK)
    {
        fclose(f);
        return hd_cli_errors("demo", &errors, &err);
    }

    fprintf(f, "  %-36s ООО «Ромашка», owned by the customer\n",
            "a company");
    fclose(f);

    return hd_demo_set_level(cli, 1);
}

/*
 * An MSA contract's activation and its premium contacts (hd_activation.h).
 */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hd_activation.h"
#include "hd_buf.h"
#include "hd_certificate.h"
#include "hd_company.h"
#include "hd_product.h"
#include "hd_store.h"
#include "hd_text.h"
#include "hd_ticket_customer.h"
#include "hd_ticket_staff.h"
#include "hd_validate.h"


size_t
hd_contacts_parse(const hd_str_t *list, hd_contact_t *out, size_t max)
{
    size_t           n = 0;
    hd_str_t        *f[3];
    const hd_uchar  *p, *end, *eol, *tab;

    if (list->data == NULL) {
        return 0;
    }

    p = list->data;
    end = p + list->len;

    while (p < end && n < max) {
        eol = memchr(p, '\n', (size_t) (end - p));
        eol = eol ? eol : end;

        f[0] = &out[n].name;
        f[1] = &out[n].email;
        f[2] = &out[n].phone;

        for (int i = 0; i < 3; i++) {
            tab = i < 2 ? memchr(p, '\t', (size_t) (eol - p)) : NULL;
            tab = tab ? tab : eol;
            f[i]->data = (hd_uchar *) p;
            f[i]->len = (size_t) (tab - p);
            p = tab < eol ? tab + 1 : eol;
        }

        if (out[n].email.len) {
            n++;
        }

        p = eol + 1;
    }

    return n;
}


/* the same address, whatever its case */
static int
hd_contact_same(const hd_str_t *a, const hd_str_t *b)
{
    return a->len == b->len
           && strncasecmp((const char *) a->data, (const char *) b->data,
                          a->len) == 0;
}


int
hd_contacts_has(const hd_str_t *list, const hd_str_t *email)
{
    size_t        i, n;
    hd_contact_t  c[HD_CONTACTS_MAX];

    n = hd_contacts_parse(list, c, HD_CONTACTS_MAX);

    for (i = 0; i < n; i++) {
        if (hd_contact_same(&c[i].email, email)) {
            return 1;
        }
    }

    return 0;
}


/* every contact's fields: "contacts" named with what is wrong */
static void
hd_contacts_validate(const hd_contact_t *c, size_t n, hd_errors_t *errors)
{
    size_t  i, j;

    if (n == 0) {
        hd_errors_add(errors, "contacts", "contacts_required");
        return;
    }

    for (i = 0; i < n; i++) {
        hd_errors_text(errors, "contacts", &c[i].name, 200,
                       "contact_name_required", "text_invalid",
                       "name_too_long");

        if (c[i].email.len == 0
            || !hd_format_match(HD_FORMAT_EMAIL, c[i].email.data,
                                c[i].email.len))
        {
            hd_errors_add(errors, "contacts", "contact_email_invalid");
        }

        if (c[i].phone.len == 0
            || !hd_format_match(HD_FORMAT_PHONE, c[i].phone.data,
                                c[i].phone.len))
        {
            hd_errors_add(errors, "contacts", "contact_phone_invalid");
        }

        for (j = 0; j < i; j++) {
            if (hd_contact_same(&c[j].email, &c[i].email)) {
                hd_errors_add(errors, "contacts", "contact_duplicate");
            }
        }

        if (errors->n) {
            return;
        }
    }
}


int
hd_activation_may(hd_txn_t *txn, const hd_account_t *a,
    const hd_certificate_t *c)
{
    hd_member_t  m;

    if (c->holder_kind == HD_HOLDER_ACCOUNT) {
        return c->holder == a->id;
    }

    return c->holder_kind == HD_HOLDER_COMPANY && c->holder == a->company
           && hd_company_member(txn, c->holder, a->id, &m) == HD_OK
           && (m.role == HD_MEMBER_OWNER || m.role == HD_MEMBER_ADMIN);
}


static hd_rc
hd_activation_fail(hd_txn_t *txn, hd_errors_t *errors, const char *field,
    const char *code, hd_rc rc, hd_err_t *err)
{
    hd_txn_abort(txn);
    hd_errors_add(errors, field, code);

    return hd_err_set(err, rc, field, code, "the activation is refused");
}


hd_rc
hd_activation_request(const hd_portal_t *portal, uint64_t account,
    const hd_str_t *number, const hd_contact_t *contacts, size_t n,
    uint64_t now, uint64_t *ticket, hd_errors_t *errors, hd_err_t *err)
{
    int                 en;
    char                subject[160];
    hd_rc               rc;
    size_t              i;
    hd_buf_t            list, text;
    hd_txn_t            txn;
    hd_ticket_t         t;
    hd_account_t        a;
    hd_cert_type_t      type;
    hd_certificate_t    c;
    hd_ticket_input_t   in;

    *ticket = 0;
    memset(&t, 0, sizeof(t));
    hd_contacts_validate(contacts, n, errors);

    if (errors->n) {
        return hd_err_set(err, HD_INVALID, errors->item[0].field,
                          errors->item[0].code, "bad contacts");
    }

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    /* someone else's contract is as unknown as one that does not exist */
    if (hd_account_get(&txn, account, &a) != HD_OK
        || hd_cert_find(&txn, number, &c) != HD_OK
        || hd_cert_type_get(&txn, c.type, &type) != HD_OK
        || (c.holder_kind == HD_HOLDER_ACCOUNT && c.holder != a.id)
        || (c.holder_kind == HD_HOLDER_COMPANY && c.holder != a.company)
        || c.holder_kind == HD_HOLDER_NONE)
    {
        return hd_activation_fail(&txn, errors, "certificate",
                                  "certificate_unknown", HD_NOT_FOUND, err);
    }

    if (!hd_activation_may(&txn, &a, &c)) {
        return hd_activation_fail(&txn, errors, "certificate",
                                  "not_company_admin", HD_FORBIDDEN, err);
    }

    if (type.contacts_max == 0) {
        return hd_activation_fail(&txn, errors, "certificate",
                                  "contract_without_contacts", HD_INVALID,
                                  err);
    }

    if (n > type.contacts_max) {
        return hd_activation_fail(&txn, errors, "contacts",
                                  "contacts_too_many", HD_INVALID, err);
    }

    /* the list as kept, and as the ticket says it */
    en = a.language == HD_LANG_EN;
    hd_buf_init(&list);
    hd_buf_init(&text);

    hd_buf_printf(&text, "%s\n\n", en
                  ? "Please activate the contract. The employees who may "
                    "open premium incidents (name | e-mail | phone):"
                  : "Прошу активировать контракт. Сотрудники, которым "
                    "разрешено создавать премиальные инциденты (ФИО | "
                    "e-mail | телефон):");

    for (i = 0; i < n; i++) {
        hd_buf_printf(&list, "%.*s\t%.*s\t%.*s\n",
                      (int) contacts[i].name.len, contacts[i].name.data,
                      (int) contacts[i].email.len, contacts[i].email.data,
                      (int) contacts[i].phone.len, contacts[i].phone.data);
        hd_buf_printf(&text, "%zu. %.*s | %.*s | %.*s\n", i + 1,
                      (int) contacts[i].name.len, contacts[i].name.data,
                      (int) contacts[i].email.len, contacts[i].email.data,
                      (int) contacts[i].phone.len, contacts[i].phone.data);
    }

    snprintf(subject, sizeof(subject), "%s %.*s",
             en ? "Activation of contract" : "Активация контракта",
             (int) c.number.len, c.number.data);

    hd_ticket_input_init(&in);
    in.subject.data = (hd_uchar *) subject;
    in.subject.len = strlen(subject);
    in.description.data = text.data;
    in.description.len = text.len;
    in.category = HD_CATEGORY_ACCOUNT_OR_CONTRACT;
    in.type = HD_TYPE_CONSULTATION;
    in.severity = 3;
    in.premium = 0;
    in.channel = HD_CHANNEL_WEB;
    in.activation = c.id;

    /* a question about the contract is under the contract: its priority
       and department, not a ticket without a certificate's lowest */
    in.certificate = c.number;

    rc = hd_ticket_create_in(&txn, portal, a.id, &in, now, &t, errors, err);

    if (rc == HD_OK) {
        c.pending.data = list.data;
        c.pending.len = list.len;
        c.activation = t.number;
        rc = hd_cert_update(&txn, &c, err);
    }

    *ticket = t.number;

    if (rc == HD_OK) {
        rc = hd_txn_commit(&txn, err);

    } else {
        hd_txn_abort(&txn);
    }

    hd_buf_free(&list);
    hd_buf_free(&text);

    return rc;
}


hd_rc
hd_activation_approve(const hd_portal_t *portal, const hd_account_t *staff,
    uint64_t ticket, uint64_t now, size_t *contacts, hd_err_t *err)
{
    int                 en;
    hd_rc               rc;
    size_t              i, n;
    uint8_t             status;
    uint64_t            message;
    hd_buf_t            text;
    hd_txn_t            txn;
    hd_ticket_t         t;
    hd_account_t        author;
    hd_contact_t        c[HD_CONTACTS_MAX];
    hd_certificate_t    cert;
    hd_staff_message_t  sm;

    *contacts = 0;

    rc = hd_txn_begin(portal->store, &txn, HD_TXN_WRITE, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (hd_ticket_staff_get(&txn, staff, ticket, &t) != HD_OK) {
        hd_txn_abort(&txn);
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                          "no such ticket");
    }

    if (t.activation == 0 || hd_cert_get(&txn, t.activation, &cert) != HD_OK
        || cert.activation != ticket || cert.pending.len == 0)
    {
        hd_txn_abort(&txn);
        return hd_err_set(err, HD_CONFLICT, NULL, "activation_none",
                          "the ticket asks for no activation now");
    }

    cert.contacts = cert.pending;
    cert.pending.data = NULL;
    cert.pending.len = 0;
    cert.activated = now;

    n = hd_contacts_parse(&cert.contacts, c, HD_CONTACTS_MAX);
    *contacts = n;

    /* the customer is told, in the ticket (and so by e-mail) */
    en = hd_account_get(&txn, t.author, &author) == HD_OK
         && author.language == HD_LANG_EN;

    hd_buf_init(&text);
    hd_buf_printf(&text, "%s\n\n", en
                  ? "The contract is activated. Premium incidents may be "
                    "opened by:"
                  : "Контракт активирован. Премиальные инциденты могут "
                    "создавать:");

    for (i = 0; i < n; i++) {
        hd_buf_printf(&text, "%zu. %.*s <%.*s>\n", i + 1,
                      (int) c[i].name.len, c[i].name.data,
                      (int) c[i].email.len, c[i].email.data);
    }

    rc = hd_cert_update(&txn, &cert, err);

    if (rc == HD_OK) {
        memset(&sm, 0, sizeof(sm));
        sm.number = ticket;
        sm.actor = staff->id;
        sm.kind = HD_MESSAGE_SOLUTION;
        sm.channel = HD_CHANNEL_WEB;
        sm.body.data = text.data;
        sm.body.len = text.len;

        rc = hd_ticket_staff_message_in(&txn, portal, &sm, now, &message,
                                        &status, err);
    }

    if (rc == HD_OK) {
        rc = hd_txn_commit(&txn, err);

    } else {
        hd_txn_abort(&txn);
    }

    hd_buf_free(&text);

    return rc;
}

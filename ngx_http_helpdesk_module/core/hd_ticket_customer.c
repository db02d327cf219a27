/*
 * A customer's ticket until it is made: the input and its checks, who may
 * do what with a ticket, the certificates and premium quota it may use,
 * and the creation, one write transaction (ticket, thread, attachments,
 * audit, indexes, the e-mail to its holder) committed together or not at
 * all. What is done to it afterwards is hd_ticket_change.c.
 */

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <string.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "hd_activation.h"
#include "hd_company.h"
#include "hd_date.h"
#include "hd_files.h"
#include "hd_kb.h"
#include "hd_notify.h"
#include "hd_search.h"
#include "hd_store.h"
#include "hd_text.h"
#include "hd_ticket_customer.h"
#include "hd_ticket_flow.h"
#include "hd_category.h"
#include "hd_regulations.h"
#include "hd_token.h"
#include "hd_work.h"


void
hd_ticket_input_init(hd_ticket_input_t *in)
{
    memset(in, 0, sizeof(*in));
    in->type = -1;
    in->category = -1;
    in->severity = -1;
}


void
hd_ticket_validate_body(const hd_str_t *body, const char *field,
    hd_errors_t *errors)
{
    if (body->len == 0) {
        hd_errors_add(errors, field, "body_required");

    } else if (!hd_utf8_valid(body->data, body->len)
               || !hd_text_printable(body->data, body->len, 1))
    {
        hd_errors_add(errors, field, "text_invalid");

    } else if (hd_utf8_chars(body->data, body->len) > HD_BODY_MAX_CHARS) {
        hd_errors_add(errors, field, "body_too_long");
    }
}


void
hd_ticket_validate(const hd_ticket_input_t *in, hd_errors_t *errors)
{
    hd_errors_text(errors, "subject", &in->subject, HD_SUBJECT_MAX_CHARS,
                   "subject_required", "text_invalid", "subject_too_long");

    hd_ticket_validate_body(&in->description, "description", errors);

    if (in->category == -1) {
        hd_errors_add(errors, "category", "category_required");

    } else if (in->category < 0) {
        hd_errors_add(errors, "category", "category_invalid");
    }

    if (in->type == -1) {
        hd_errors_add(errors, "type", "type_required");

    } else if (in->type < 0) {
        hd_errors_add(errors, "type", "type_invalid");
    }

    if (in->severity == -1) {
        hd_errors_add(errors, "severity", "severity_required");

    } else if (in->severity < 1 || in->severity > 4) {
        hd_errors_add(errors, "severity", "severity_invalid");
    }

    if (in->premium < 0) {
        hd_errors_add(errors, "premium", "premium_invalid");
    }

    hd_errors_text(errors, "product_version", &in->product_version,
                   HD_VERSION_MAX_CHARS, NULL, "text_invalid",
                   "version_too_long");
    hd_errors_text(errors, "os_version", &in->os_version,
                   HD_VERSION_MAX_CHARS, NULL, "text_invalid",
                   "version_too_long");
    hd_errors_text(errors, "certificate", &in->certificate,
                   HD_CERT_NUMBER_MAX, NULL, "certificate_unknown",
                   "certificate_unknown");
    hd_errors_text(errors, "product", &in->product, HD_PRODUCT_NAME_MAX, NULL,
                   "product_unknown", "product_unknown");
}


unsigned
hd_ticket_rights(hd_txn_t *txn, const hd_account_t *caller,
    const hd_ticket_t *t)
{
    hd_member_t  m;

    if (caller == NULL) {
        return 0;
    }

    if (caller->id == t->author) {
        return HD_TICKET_SEE | HD_TICKET_ACT | HD_TICKET_RATE
               | HD_TICKET_EDIT;
    }

    if (t->company == 0 || caller->company != t->company
        || hd_company_member(txn, t->company, caller->id, &m) != HD_OK)
    {
        return 0;
    }

    if (m.role == HD_MEMBER_ADMIN || m.role == HD_MEMBER_OWNER) {
        return HD_TICKET_SEE | HD_TICKET_ACT | HD_TICKET_EDIT;
    }

    return (m.rights & HD_RIGHT_SEES_TICKETS) ? HD_TICKET_SEE : 0;
}


int
hd_ticket_sees_company(hd_txn_t *txn, const hd_account_t *a)
{
    hd_member_t  m;

    if (a->company == 0
        || hd_company_member(txn, a->company, a->id, &m) != HD_OK)
    {
        return 0;
    }

    return m.role == HD_MEMBER_ADMIN || m.role == HD_MEMBER_OWNER
           || (m.rights & HD_RIGHT_SEES_TICKETS);
}


uint32_t
hd_contract_year(int32_t valid_from, int32_t today)
{
    int  fy, fm, fd, ty, tm, td, years;

    if (today <= valid_from) {
        return 0;
    }

    hd_date_to_ymd(valid_from, &fy, &fm, &fd);
    hd_date_to_ymd(today, &ty, &tm, &td);

    years = ty - fy;

    if (tm < fm || (tm == fm && td < fd)) {
        years--;
    }

    return years > 0 ? (uint32_t) years : 0;
}


uint64_t
hd_ticket_reopen_until(const hd_ticket_policy_t *policy, const hd_ticket_t *t)
{
    const hd_period_t  *window;

    window = t->type == HD_TYPE_ENHANCEMENT ? &policy->reopen_enhancement
                                            : &policy->reopen;

    if (window->n == 0) {
        return 0;
    }

    return hd_work_portal_after(t->closed, window);
}


/* whether the account holds the certificate, itself or through its company */
static int
hd_ticket_holds(const hd_account_t *a, const hd_certificate_t *c)
{
    return (c->holder_kind == HD_HOLDER_ACCOUNT && c->holder == a->id)
           || (c->holder_kind == HD_HOLDER_COMPANY && a->company != 0
               && c->holder == a->company);
}


/* premium incidents left this contract year: -1 unlimited */
static int
hd_premium_left(hd_txn_t *txn, const hd_certificate_t *c,
    const hd_cert_type_t *type, int32_t today)
{
    uint32_t  used;

    if (type->level == HD_LEVEL_STANDARD || type->premium_per_year == 0) {
        return 0;
    }

    if (type->premium_per_year == HD_PREMIUM_UNLIMITED) {
        return -1;
    }

    if (hd_premium_used(txn, c->id, hd_contract_year(c->valid_from, today),
                        &used)
        != HD_OK)
    {
        return 0;
    }

    return used >= type->premium_per_year
           ? 0 : (int) (type->premium_per_year - used);
}


hd_rc
hd_ticket_certificates(hd_txn_t *txn, const hd_account_t *caller,
    int32_t today, hd_pool_t *pool, hd_ticket_cert_t **list, size_t *n)
{
    size_t             i, k, count, total = 0;
    hd_rc              rc;
    unsigned           pass;
    hd_product_t       p;
    hd_ticket_cert_t  *out;
    hd_certificate_t  *certs[2];
    size_t             ncerts[2] = { 0, 0 };

    *list = NULL;
    *n = 0;

    for (pass = 0; pass < 2; pass++) {
        certs[pass] = NULL;

        if (pass == 1 && caller->company == 0) {
            break;
        }

        rc = hd_cert_list_holder(txn, pass ? HD_HOLDER_COMPANY
                                           : HD_HOLDER_ACCOUNT,
                                 pass ? caller->company : caller->id, pool,
                                 &certs[pass], &ncerts[pass]);
        if (rc != HD_OK) {
            return rc;
        }

        total += ncerts[pass];
    }

    out = hd_pcalloc(pool, (total ? total : 1) * sizeof(hd_ticket_cert_t));
    if (out == NULL) {
        return HD_NOMEM;
    }

    count = 0;

    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < ncerts[pass]; i++) {
            if (hd_cert_state(&certs[pass][i], today) != HD_CERT_ACTIVE) {
                continue;
            }

            k = count;
            out[k].cert = certs[pass][i];
            out[k].company = pass == 1;

            if (hd_cert_type_get(txn, out[k].cert.type, &out[k].type)
                != HD_OK)
            {
                continue;
            }

            hd_record_strings_copy(&hd_cert_type_desc, &out[k].type, pool);

            if (hd_product_get(txn, out[k].type.product, &p) == HD_OK) {
                out[k].product.data = hd_pstrdup(pool, p.name.data,
                                                 p.name.len);
                out[k].product.len = p.name.len;
            }

            (void) hd_cert_unclosed(txn, out[k].cert.id, &out[k].unclosed);
            out[k].premium_left = hd_premium_left(txn, &out[k].cert,
                                                  &out[k].type, today);
            count++;
        }
    }

    *list = out;
    *n = count;

    return HD_OK;
}


/*
 * Whether messages are indexed: always, but for bench/run, which measures
 * what the index costs a ticket's creation against the same portal without
 * it (HELPDESK_BENCH_NO_TICKET_INDEX in nginx's environment, by its "env"
 * directive; nothing else sets it)
 */
static pthread_once_t  hd_ticket_index_once = PTHREAD_ONCE_INIT;
static int             hd_ticket_index_on = 1;

static void
hd_ticket_index_init(void)
{
    hd_ticket_index_on = getenv("HELPDESK_BENCH_NO_TICKET_INDEX") == NULL;
}


static int
hd_ticket_indexed(void)
{
    (void) pthread_once(&hd_ticket_index_once, hd_ticket_index_init);

    return hd_ticket_index_on;
}


hd_rc
hd_ticket_post(hd_txn_t *txn, hd_ticket_t *t, uint8_t kind, uint8_t side,
    uint64_t actor, uint8_t channel, const hd_str_t *body,
    const hd_upload_t *files, size_t nfiles, uint64_t now, uint64_t *id,
    hd_err_t *err)
{
    hd_rc            rc;
    size_t           i;
    hd_message_t     m;
    hd_attachment_t  a;

    memset(&m, 0, sizeof(m));
    m.ticket = t->number;
    m.kind = kind;
    m.author = actor;
    m.side = side;
    m.body = *body;
    m.created = now;
    m.channel = channel;
    m.files = (uint32_t) nfiles;

    rc = hd_message_add(txn, &m, err);
    if (rc != HD_OK) {
        return rc;
    }

    /* staff find it by any word of it (SPEC §8); the first message
       carries the subject as its title */
    if (hd_ticket_indexed()) {
        rc = hd_search_add(txn, HD_SEARCH_TICKETS, t->number, (uint32_t) m.id,
                           t->messages == 0 ? &t->subject : NULL, body, 0,
                           err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    for (i = 0; i < nfiles; i++) {
        memset(&a, 0, sizeof(a));
        a.ticket = t->number;
        a.message = m.id;
        a.name = files[i].name;
        a.type = files[i].type;
        a.size = files[i].size;
        a.sha256.data = (hd_uchar *) files[i].sha256;
        a.sha256.len = HD_SHA256_LEN;
        a.author = actor;
        a.created = now;

        rc = hd_attachment_add(txn, &a, err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    t->messages++;
    t->attachments += (uint32_t) nfiles;
    t->updated = now;

    /* an internal note is no reply the customer sees */
    if (kind != HD_MESSAGE_NOTE) {
        t->last_replier = actor;
        t->last_side = side;
    }

    if (id != NULL) {
        *id = m.id;
    }

    return HD_OK;
}


/* the certificate's limit of unclosed tickets: one more fits */
hd_rc
hd_ticket_limit(hd_txn_t *txn, const hd_certificate_t *c,
    const hd_cert_type_t *type, hd_err_t *err)
{
    hd_rc   rc;
    size_t  unclosed;

    if (type->ticket_limit == 0) {
        return HD_OK;
    }

    rc = hd_cert_unclosed(txn, c->id, &unclosed);
    if (rc != HD_OK) {
        return rc;
    }

    if (unclosed >= type->ticket_limit) {
        return hd_err_set(err, HD_LIMIT, "certificate", "ticket_limit_reached",
                          "the certificate %.*s has %zu unclosed tickets of "
                          "%u allowed", (int) c->number.len, c->number.data,
                          unclosed, type->ticket_limit);
    }

    return HD_OK;
}


hd_rc
hd_ticket_field_error(hd_flow_t *f, hd_err_t *err, hd_rc rc,
    const char *field, const char *code)
{
    hd_errors_add(f->errors, field, code);

    return hd_err_set(err, rc, field, code, "%s: %s", field, code);
}


static hd_rc
hd_ticket_create_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    int                      left;
    hd_rc                    rc;
    int32_t                  today;
    hd_str_t                 name;
    hd_flow_t               *f = arg;
    hd_ticket_t             *t = f->t;
    hd_account_t             a;
    hd_product_t             p;
    hd_ticket_t              ref;
    hd_cert_type_t           type;
    hd_department_t          d;
    hd_category_t            cat;
    hd_certificate_t         c;
    const hd_ticket_input_t *in = f->in;

    rc = hd_account_get(txn, f->author, &a);
    if (rc != HD_OK || a.state == HD_ACCOUNT_DISABLED) {
        return hd_err_set(err, HD_UNAUTHORIZED, NULL, "unauthorized",
                          "no such account");
    }

    today = hd_date_today(f->now);

    memset(t, 0, sizeof(*t));
    t->subject = in->subject;
    t->type = (uint8_t) in->type;
    t->category = (uint8_t) in->category;
    t->severity = (uint8_t) in->severity;
    t->product_version = in->product_version;
    t->os_version = in->os_version;
    t->channel = in->channel;
    t->author = a.id;
    t->company = a.company;
    t->created = f->now;
    t->updated = f->now;
    t->status_changed = f->now;
    t->status = HD_STATUS_NEW;
    t->last_replier = a.id;
    t->last_side = HD_SIDE_CUSTOMER;

    if (in->reference != 0) {
        if (hd_ticket_get(txn, in->reference, &ref) != HD_OK
            || (!(hd_ticket_rights(txn, &a, &ref) & HD_TICKET_SEE)
                && in->by == 0))
        {
            return hd_ticket_field_error(f, err, HD_INVALID, "reference",
                                         "ticket_unknown");
        }

        t->reference = in->reference;
    }

    memset(&type, 0, sizeof(type));

    if (in->certificate.len) {
        if (hd_cert_find(txn, &in->certificate, &c) != HD_OK
            || !hd_ticket_holds(&a, &c)
            || hd_cert_type_get(txn, c.type, &type) != HD_OK)
        {
            /* someone else's certificate is as unknown as a made-up one */
            return hd_ticket_field_error(f, err, HD_INVALID, "certificate",
                                         "certificate_unknown");
        }

        switch (hd_cert_state(&c, today)) {
        case HD_CERT_ACTIVE:
            break;
        case HD_CERT_EXPIRED:
            return hd_ticket_field_error(f, err, HD_INVALID, "certificate",
                                         "certificate_expired");
        case HD_CERT_NOT_YET_VALID:
            return hd_ticket_field_error(f, err, HD_INVALID, "certificate",
                                         "certificate_not_yet_valid");
        default:
            return hd_ticket_field_error(f, err, HD_INVALID, "certificate",
                                         "certificate_unknown");
        }

        /* the limit, read and kept in this transaction: no race past it */
        rc = hd_ticket_limit(txn, &c, &type, err);
        if (rc != HD_OK) {
            if (rc == HD_LIMIT) {
                hd_errors_add(f->errors, "certificate",
                              "ticket_limit_reached");
            }

            return rc;
        }

        t->certificate = c.id;
        t->level = type.level;
        t->product = type.product;
    }

    if (in->premium == 1) {
        if (t->certificate == 0) {
            return hd_ticket_field_error(f, err, HD_INVALID, "premium",
                                         "premium_needs_certificate");
        }

        left = hd_premium_left(txn, &c, &type, today);

        if (type.level == HD_LEVEL_STANDARD || type.premium_per_year == 0) {
            return hd_ticket_field_error(f, err, HD_INVALID, "premium",
                                         "premium_not_in_contract");
        }

        /* an MSA contract: only its activated contacts (block 3) */
        if (type.contacts_max > 0 && c.activated == 0) {
            return hd_ticket_field_error(f, err, HD_INVALID, "premium",
                                         "contract_not_activated");
        }

        if (type.contacts_max > 0 && !hd_contacts_has(&c.contacts, &a.email))
        {
            return hd_ticket_field_error(f, err, HD_INVALID, "premium",
                                         "premium_not_contact");
        }

        if (left == 0) {
            return hd_ticket_field_error(f, err, HD_LIMIT, "premium",
                                         "premium_quota_spent");
        }

        rc = hd_premium_count(txn, c.id,
                              hd_contract_year(c.valid_from, today), err);
        if (rc != HD_OK) {
            return rc;
        }

        t->premium = 1;
    }

    if (in->product.len) {
        if (hd_product_lookup(txn, &in->product, &p) != HD_OK) {
            return hd_ticket_field_error(f, err, HD_INVALID, "product",
                                         "product_unknown");
        }

        t->product = p.id;
    }

    /* the queue: the category's department when it has one, feedback to
     * the service managers, else the certificate's department, else the
     * general one */

    rc = HD_NOT_FOUND;

    /* a category an operator sent to a department */
    if (hd_category_get(txn, t->category, &cat) == HD_OK
        && cat.department != 0)
    {
        rc = hd_department_get(txn, cat.department, &d);
    }

    if (rc != HD_OK && t->category == HD_CATEGORY_FEEDBACK) {
        rc = hd_department_with(txn, HD_DEPARTMENT_FEEDBACK, &d);
    }

    if (rc != HD_OK && type.department != 0) {
        rc = hd_department_get(txn, type.department, &d);
    }

    if (rc != HD_OK) {
        rc = hd_department_with(txn, HD_DEPARTMENT_GENERAL, &d);
    }

    if (rc != HD_OK) {
        return hd_err_set(err, HD_CONFLICT, NULL, "no_department",
                          "there is no department to take the ticket");
    }

    t->department = d.id;
    t->priority = (uint8_t) hd_priority_derive(t->certificate != 0,
                                               t->premium, t->level,
                                               t->severity);

    rc = hd_ticket_number(txn, f->portal->tickets.number_start, &t->number,
                          err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_ticket_post(txn, t, HD_MESSAGE_CUSTOMER, HD_SIDE_CUSTOMER, a.id,
                        in->channel, &in->description, in->files,
                        in->nfiles, f->now, &f->message, err);
    if (rc != HD_OK) {
        return rc;
    }

    name.data = (hd_uchar *) hd_channel_names[in->channel % HD_CHANNEL_COUNT];
    name.len = strlen((char *) name.data);

    rc = hd_ticket_audit(txn, t, HD_ACTION_CREATE, in->by ? in->by : a.id,
                         in->by ? HD_SIDE_STAFF : HD_SIDE_CUSTOMER, f->now,
                         HD_STATUS_NONE, HD_STATUS_NEW, &name, err);
    if (rc != HD_OK) {
        return rc;
    }

    t->mail_thread = in->mail_thread;
    t->kb_shown = in->kb_shown;
    t->regulations = hd_regulations_current_id(txn);
    t->csr = f->csr;
    t->activation = in->activation;
    t->fields = in->fields;

    rc = hd_ticket_put(txn, NULL, t, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (in->quiet) {
        return HD_OK;
    }

    return hd_ticket_notify(txn, f->portal, &f->arena->pool, t,
                            "ticket_created", NULL, NULL, 0, f->now, err);
}


hd_rc
hd_ticket_create_in(hd_txn_t *txn, const hd_portal_t *portal,
    uint64_t author, const hd_ticket_input_t *in, uint64_t now,
    hd_ticket_t *out, hd_errors_t *errors, hd_err_t *err)
{
    hd_rc      rc;
    hd_flow_t  f;

    memset(&f, 0, sizeof(f));
    f.portal = portal;
    f.in = in;
    f.author = author;
    f.now = now;
    f.t = out;
    f.errors = errors;

    f.arena = hd_arena_create(8192);
    if (f.arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_ticket_create_txn(txn, &f, err);
    hd_arena_destroy(f.arena);

    return rc;
}


int
hd_ticket_update_advice(hd_txn_t *txn, const hd_ticket_input_t *in,
    hd_pool_t *pool, hd_version_t *advice)
{
    size_t               n;
    hd_product_t         p;
    hd_cert_type_t       type;
    hd_certificate_t     c;
    const hd_version_t  *v;
    hd_version_t         all[HD_VERSIONS_MAX];

    if (in->product_version.len == 0) {
        return 0;
    }

    if (in->product.len) {
        if (hd_product_lookup(txn, &in->product, &p) != HD_OK) {
            return 0;
        }

    } else if (in->certificate.len == 0
               || hd_cert_find(txn, &in->certificate, &c) != HD_OK
               || hd_cert_type_get(txn, c.type, &type) != HD_OK
               || hd_product_get(txn, type.product, &p) != HD_OK)
    {
        return 0;
    }

    n = hd_product_versions(&p, all, HD_VERSIONS_MAX);
    v = hd_version_find(all, n, &in->product_version);

    if (v == NULL || v->update_link.len == 0) {
        return 0;
    }

    *advice = *v;
    advice->name.data = hd_pstrdup(pool, v->name.data, v->name.len);
    advice->update_link.data = hd_pstrdup(pool, v->update_link.data,
                                          v->update_link.len);
    advice->update_text.data = hd_pstrdup(pool, v->update_text.data,
                                          v->update_text.len);
    advice->build.data = hd_pstrdup(pool, v->build.data, v->build.len);

    return advice->name.data != NULL && advice->update_link.data != NULL
           && advice->update_text.data != NULL;
}


/* a stored upload read as a CSR (a CSR is a few kilobytes: more is not) */
static int
hd_ticket_csr(const hd_portal_t *portal, const hd_upload_t *file, char *out,
    size_t size)
{
    int        fd, rc;
    char       path[PATH_MAX], rel[HD_FILE_REL_LEN + 1];
    size_t     max = 65536;
    ssize_t    n;
    hd_uchar  *buf;

    if (file->size == 0 || file->size > max) {
        return -1;
    }

    hd_file_rel_path(file->sha256, rel);
    snprintf(path, sizeof(path), "%s/%s", portal->files, rel);

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }

    buf = malloc(max);
    n = buf != NULL ? read(fd, buf, max) : -1;
    close(fd);

    rc = n > 0 ? hd_csr_describe(buf, (size_t) n, out, size) : -1;
    free(buf);

    return rc;
}


hd_rc
hd_ticket_create(const hd_portal_t *portal, uint64_t author,
    const hd_ticket_input_t *in, uint64_t now, hd_ticket_t *out,
    hd_errors_t *errors, hd_err_t *err)
{
    hd_rc      rc;
    hd_flow_t  f;

    char       csr[600];

    hd_ticket_validate(in, errors);

    /* an APNs request is one certificate signing request, nothing else */
    if (errors->n == 0 && in->category == HD_CATEGORY_APNS) {
        if (in->nfiles != 1) {
            hd_errors_add(errors, "attachments", "apns_one_csr");

        } else if (hd_ticket_csr(portal, &in->files[0], csr, sizeof(csr))
                   != 0)
        {
            hd_errors_add(errors, "attachments", "apns_not_csr");
        }
    }

    if (errors->n) {
        return hd_err_set(err, HD_INVALID, errors->item[0].field,
                          errors->item[0].code, "the ticket is not valid");
    }

    memset(&f, 0, sizeof(f));
    f.portal = portal;
    f.in = in;
    f.author = author;
    f.now = now;
    f.t = out;
    f.errors = errors;

    if (in->category == HD_CATEGORY_APNS) {
        f.csr.data = (hd_uchar *) csr;
        f.csr.len = strlen(csr);
    }

    f.arena = hd_arena_create(8192);
    if (f.arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_txn_run(portal->store, hd_ticket_create_txn, &f, err);

    hd_arena_destroy(f.arena);

    /* the ticket's strings were the input's: still valid for the caller
       (but the CSR's text, which was this call's) */
    out->csr.data = NULL;
    out->csr.len = 0;

    return rc;
}

/*
 * A ticket's e-mail (SPEC §5.8): the holder's notices with the ticket's
 * labels in the reader's language, and staff's (the owner, else the
 * department's), in the flow's own transaction.
 */

#include <stdio.h>
#include <string.h>

#include "hd_kb.h"
#include "hd_notify.h"
#include "hd_staff.h"
#include "hd_store.h"
#include "hd_form.h"
#include "hd_ticket_customer.h"
#include "hd_work.h"


/* labels of the mail's language */
static void
hd_ticket_mail_label(hd_pool_t *pool, hd_val_t *view, const hd_val_t *catalog,
    const char *name, const char *prefix, const char *value)
{
    char             key[96];
    const hd_str_t  *text;

    snprintf(key, sizeof(key), "tickets.%s_%s", prefix, value);

    text = hd_i18n_text(catalog, key);

    if (text != NULL) {
        hd_val_set_str(pool, view, name, text->data, text->len);

    } else {
        hd_val_set_cstr(pool, view, name, value);
    }
}


/*
 * What the holder is promised (Kaspersky blocks 3, 9): the support level the
 * request is handled under (a premium incident's, else standard), and while
 * the ticket waits for them (a solution, a question) how many working days
 * they have and until when, before it closes by itself
 */
static void
hd_ticket_mail_terms(hd_pool_t *pool, hd_val_t *view,
    const hd_val_t *catalog, const hd_ticket_t *t, uint64_t now)
{
    char                key[64];
    uint64_t            due;
    const hd_str_t     *text;
    const hd_work_t    *w;
    const hd_period_t  *ac;

    snprintf(key, sizeof(key), "staff.level_%s",
             t->premium ? hd_level_names[t->level % HD_LEVEL_COUNT]
                        : "standard");
    text = hd_i18n_text(catalog, key);

    if (text != NULL) {
        hd_val_set_str(pool, view, "level", text->data, text->len);
    }

    hd_val_set_bool(pool, view, "standard_level", !t->premium);
    hd_val_set_bool(pool, view, "premium_level", t->premium != 0);

    if (t->status != HD_STATUS_SOLVED
        && t->status != HD_STATUS_AWAITING_CUSTOMER)
    {
        return;
    }

    w = hd_work_current();
    ac = t->status == HD_STATUS_SOLVED ? &w->autoclose_solved
                                       : &w->autoclose_awaiting;

    if (ac->n == 0) {
        return;
    }

    /* from now, as the write that sets the status counts it (the mail of
       a solution or a question goes with that write) */
    due = hd_work_after(&w->calendars[w->calendar], now, ac);

    hd_work_period_view(pool, view, "autoclose", ac);
    hd_val_set(pool, view, "autoclose_until", hd_work_time_text(pool, w, due));
}


/*
 * A notification to the ticket's holder (its author), in their language:
 * the ticket's number, subject, status, link; the message when given
 */
hd_rc
hd_ticket_notify(hd_txn_t *txn, const hd_portal_t *portal, hd_pool_t *pool,
    const hd_ticket_t *t, const char *name, const hd_str_t *message,
    const hd_str_t *rate_link, uint64_t actor, uint64_t now, hd_err_t *err)
{
    return hd_ticket_notify_view(txn, portal, pool, t, name, message,
                                 rate_link, actor, now, NULL, err);
}


hd_rc
hd_ticket_notify_view(hd_txn_t *txn, const hd_portal_t *portal,
    hd_pool_t *pool, const hd_ticket_t *t, const char *name,
    const hd_str_t *message, const hd_str_t *rate_link, uint64_t actor,
    uint64_t now, hd_val_t *view, hd_err_t *err)
{
    char              num[24];
    hd_rc             rc;
    hd_notice_t       n;
    hd_account_t      author, who;
    const hd_val_t   *catalog;
    hd_department_t   d;

    rc = hd_account_get(txn, t->author, &author);
    if (rc != HD_OK) {
        return rc == HD_NOT_FOUND ? HD_OK : rc;
    }

    if (author.email.len == 0) {
        return HD_OK;
    }

    catalog = portal->templates->catalog[author.language < HD_LANG_COUNT
                                         ? author.language : HD_LANG_RU];

    if (view == NULL) {
        view = hd_val_map(pool);
        if (view == NULL) {
            return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
        }
    }

    snprintf(num, sizeof(num), "%llu", (unsigned long long) t->number);

    hd_val_set_str(pool, view, "number", hd_pstrdup(pool, num, strlen(num)),
                   strlen(num));
    hd_val_set_str(pool, view, "subject", t->subject.data, t->subject.len);
    hd_ticket_mail_label(pool, view, catalog, "status", "status",
                         hd_status_names[t->status % HD_STATUS_COUNT]);
    hd_ticket_mail_label(pool, view, catalog, "priority", "priority",
                         hd_priority_names[t->priority % HD_PRIORITY_COUNT]);
    hd_val_set_bool(pool, view, "no_certificate", t->certificate == 0);

    /* what its form's extra fields were given, in the author's language */
    if (t->fields.len) {
        rc = hd_form_shown(txn, t->category, t->type, &t->fields,
                           author.language < HD_LANG_COUNT
                           ? (hd_lang_e) author.language : HD_LANG_RU,
                           hd_i18n_text(catalog, "forms.yes"), pool, view);
        if (rc != HD_OK) {
            return rc;
        }
    }
    hd_val_set(pool, view, "link",
               hd_notify_link(pool, portal, "tickets/", num));

    /* a contact (it wrote by e-mail) has no password: registering with
       the address takes the account over, its tickets with it */
    if (author.state == HD_ACCOUNT_CONTACT) {
        hd_val_set_bool(pool, view, "contact", 1);
        hd_val_set(pool, view, "register_link",
                   hd_notify_link(pool, portal, "register", ""));
    }

    /* the articles suggested as it was written: the mail repeats them */
    if (t->kb_shown.len) {
        size_t            i, k;
        uint64_t          ids[8];
        char              path[96];
        hd_val_t         *list, *item;
        hd_kb_article_t   a;

        list = hd_val_list(pool);
        k = hd_kb_ids(&t->kb_shown, ids, 8);

        for (i = 0; i < k; i++) {
            if (hd_kb_get(txn, ids[i], &a) != HD_OK
                || !hd_kb_visible(&a, hd_kb_reader(&author)))
            {
                continue;
            }

            snprintf(path, sizeof(path), "%llu-%.*s",
                     (unsigned long long) a.id,
                     (int) (a.slug.len < 64 ? a.slug.len : 64), a.slug.data);
            item = hd_val_map(pool);
            hd_val_set_str(pool, item, "title",
                           hd_pstrdup(pool, a.title.data, a.title.len),
                           a.title.len);
            hd_val_set(pool, item, "link",
                       hd_notify_link(pool, portal, "kb/", path));
            hd_val_push(pool, list, item);
        }

        hd_val_set(pool, view, "articles", list);
        hd_val_set_bool(pool, view, "has_articles", list->u.items.n > 0);
    }

    hd_ticket_mail_terms(pool, view, catalog, t, now);

    if (hd_department_get(txn, t->department, &d) == HD_OK) {
        hd_val_set_str(pool, view, "department",
                       hd_pstrdup(pool, d.name.data, d.name.len), d.name.len);
    }

    if (message != NULL) {
        hd_val_set_str(pool, view, "message", message->data, message->len);
    }

    if (rate_link != NULL) {
        hd_val_set_str(pool, view, "rate_link", rate_link->data,
                       rate_link->len);
    }

    if (actor != 0 && actor != t->author
        && hd_account_get(txn, actor, &who) == HD_OK)
    {
        hd_val_set_str(pool, view, "by",
                       hd_pstrdup(pool, who.name.data, who.name.len),
                       who.name.len);
    }

    memset(&n, 0, sizeof(n));
    n.kind = name;
    n.to = hd_account_copy(pool, &author);
    n.ticket = t->number;
    n.thread = &t->mail_thread;

    if (n.to == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    return hd_notify(txn, portal, &n, view, pool, now, err);
}


hd_rc
hd_ticket_notify_staff(hd_txn_t *txn, const hd_portal_t *portal,
    hd_pool_t *pool, const hd_ticket_t *t, const char *name, hd_val_t *view,
    int managers, uint64_t only, uint64_t now, size_t *sent, hd_err_t *err)
{
    hd_rc          rc;
    size_t         i, n = 0;
    uint64_t       ids[64];
    hd_str_t       k, v;
    hd_uchar       key[8];
    hd_cursor_t    cur;
    hd_notice_t    notice;
    hd_account_t   a;

    if (only != 0) {
        ids[n++] = only;

    } else {
        rc = hd_cursor_open(txn, HD_DB_DEPARTMENT_STAFF, &cur);
        if (rc != HD_OK) {
            return rc;
        }

        hd_be64_put(key, t->department);

        for (rc = hd_cursor_seek(&cur, key, 8, &k, &v);
             rc == HD_OK && k.len == 16 && memcmp(k.data, key, 8) == 0
             && n < sizeof(ids) / sizeof(ids[0]);
             rc = hd_cursor_next(&cur, &k, &v))
        {
            ids[n++] = hd_be64_get(k.data + 8);
        }

        hd_cursor_close(&cur);
    }

    memset(&notice, 0, sizeof(notice));
    notice.kind = name;
    notice.ticket = t->number;
    notice.thread = &t->mail_thread;

    for (i = 0; i < n; i++) {
        if (hd_account_get(txn, ids[i], &a) != HD_OK
            || !hd_account_is_staff(&a) || a.state != HD_ACCOUNT_ACTIVE
            || a.email.len == 0
            || (managers && a.role < HD_ROLE_MANAGER))
        {
            continue;
        }

        notice.to = hd_account_copy(pool, &a);
        if (notice.to == NULL) {
            return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
        }

        rc = hd_notify(txn, portal, &notice, view, pool, now, err);
        if (rc != HD_OK) {
            return rc;
        }

        if (sent != NULL) {
            (*sent)++;
        }
    }

    return HD_OK;
}


/* the customer wrote: the owner is told, or the department's staff */
hd_rc
hd_ticket_tell_staff(hd_txn_t *txn, const hd_portal_t *portal,
    hd_pool_t *pool, const hd_ticket_t *t, const char *name,
    const hd_str_t *message, uint64_t actor, uint64_t now, hd_err_t *err)
{
    char           num[24];
    hd_val_t      *view;
    hd_account_t   who;

    view = hd_val_map(pool);
    if (view == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    snprintf(num, sizeof(num), "%llu", (unsigned long long) t->number);

    hd_val_set_str(pool, view, "number", hd_pstrdup(pool, num, strlen(num)),
                   strlen(num));
    hd_val_set_str(pool, view, "subject", t->subject.data, t->subject.len);
    hd_val_set_str(pool, view, "message", message->data, message->len);
    hd_val_set(pool, view, "link",
               hd_notify_link(pool, portal, "staff/tickets/", num));

    if (hd_account_get(txn, actor, &who) == HD_OK) {
        hd_val_set_str(pool, view, "customer",
                       hd_pstrdup(pool, who.name.data, who.name.len),
                       who.name.len);
    }

    return hd_ticket_notify_staff(txn, portal, pool, t, name, view, 0,
                                  t->owner, now, NULL, err);
}

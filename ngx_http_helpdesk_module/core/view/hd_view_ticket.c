/*
 * A customer's ticket (SPEC §5.5): its fields, its thread without the
 * staff's notes, and what the reader may do with it now (reply, close,
 * reopen within the window, rate, correct it), read once for the page and
 * the API alike.
 */

#include <string.h>

#include "hd_view.h"
#include "hd_certificate.h"
#include "hd_product.h"
#include "hd_ticket_customer.h"


/* what the reader may do with the ticket now */
typedef struct {
    unsigned          reply:1;
    unsigned          close:1;
    unsigned          reopen:1;
    unsigned          reopen_passed:1;
    unsigned          final:1;
    unsigned          rate:1;
    unsigned          edit:1;
    uint64_t          reopen_until;
} hd_view_can_t;


static void
hd_view_ticket_can(const hd_viewer_t *viewer, const hd_ticket_t *t,
    unsigned rights, hd_view_can_t *can)
{
    memset(can, 0, sizeof(*can));

    if (!hd_status_closed(t->status)) {
        can->reply = (rights & HD_TICKET_ACT) != 0;
        can->close = can->reply;
        can->edit = (rights & HD_TICKET_EDIT) != 0;
        return;
    }

    can->rate = (rights & HD_TICKET_RATE) && t->rating == 0
                && hd_status_rateable(t->status);

    if (hd_transition(HD_ACTION_REOPEN, t->status) < 0) {
        can->final = 1;
        return;
    }

    can->reopen_until = viewer->tickets != NULL
                        ? hd_ticket_reopen_until(viewer->tickets, t) : 0;

    if (can->reopen_until != 0 && viewer->now > can->reopen_until) {
        can->reopen_passed = 1;

    } else {
        can->reopen = (rights & HD_TICKET_ACT) != 0;
    }
}


static void
hd_view_ticket_fields(const hd_viewer_t *viewer, hd_txn_t *txn,
    hd_pool_t *pool, hd_view_names_t *names, const hd_ticket_t *t,
    hd_val_t *v)
{
    hd_product_t       p;
    hd_certificate_t   c;

    hd_val_set_int(pool, v, "number", (int64_t) t->number);
    hd_view_set_str(pool, v, "subject", &t->subject);
    hd_val_set_word(pool, v, "status",
                    viewer->staff_route ? HD_WORD_STAFF_STATUS
                                        : HD_WORD_STATUS,
                    hd_status_names[t->status % HD_STATUS_COUNT]);
    hd_val_set_word(pool, v, "priority", HD_WORD_PRIORITY,
                    hd_priority_names[t->priority % HD_PRIORITY_COUNT]);
    hd_view_set_ref(pool, v, "department",
                    hd_view_department_name(names, t->department), 0);
    hd_view_set_ref(pool, v, "owner", hd_view_account_name(names, t->owner),
                    1);
    hd_val_set_word(pool, v, "type", HD_WORD_TYPE,
                    hd_ticket_type_names[t->type % HD_TYPE_COUNT]);
    hd_val_set_cstr(pool, v, "category",
                    hd_view_category_name(txn, pool, t->category));
    hd_val_set_int(pool, v, "severity", t->severity);

    if (t->certificate != 0 && hd_cert_get(txn, t->certificate, &c) == HD_OK) {
        hd_view_set_opt(pool, v, "certificate", &c.number);

    } else {
        hd_val_set(pool, v, "certificate", hd_val_null());
    }

    if (t->product && hd_product_get(txn, t->product, &p) == HD_OK) {
        hd_view_set_opt(pool, v, "product", &p.name);

    } else {
        hd_val_set(pool, v, "product", hd_val_null());
    }

    hd_view_set_str(pool, v, "product_version", &t->product_version);
    hd_view_set_str(pool, v, "os_version", &t->os_version);
    hd_val_set_cstr(pool, v, "channel",
                    hd_channel_names[t->channel % HD_CHANNEL_COUNT]);
    hd_val_set_bool(pool, v, "premium", t->premium != 0);
    hd_val_set_int(pool, v, "regulations", (int64_t) t->regulations);
    hd_val_set(pool, v, "fields", hd_view_form_values(pool, &t->fields));
    hd_val_set_time(pool, v, "created", t->created);
    hd_val_set_time(pool, v, "updated", t->updated);
    hd_view_set_ref(pool, v, "author", hd_view_account_name(names, t->author),
                    0);

    hd_val_set(pool, v, "rating", hd_view_rating(pool, t));

    if (t->reference) {
        hd_val_set_int(pool, v, "reference", (int64_t) t->reference);
    }
}


/* what only the page shows: the marks, the correction form's choices */
static void
hd_view_ticket_page(const hd_viewer_t *viewer, hd_txn_t *txn,
    hd_pool_t *pool, const hd_ticket_t *t, const hd_view_can_t *can,
    hd_val_t *v)
{
    size_t     i;
    hd_val_t  *marks, *mark, *category;

    category = hd_val_get(v, "category", 8);
    hd_view_ticket_words(viewer, txn, pool, v, t,
                         (const char *) category->u.str.data);

    /* the live check compares it with the ticket's version now */
    hd_val_set_page(pool, v, "version", hd_val_int(pool, t->version));
    hd_val_set_page(pool, v, "can_reply", hd_val_bool(can->reply));
    hd_val_set_page(pool, v, "can_close", hd_val_bool(can->close));
    hd_val_set_page(pool, v, "can_reopen", hd_val_bool(can->reopen));
    hd_val_set_page(pool, v, "reopen_passed",
                    hd_val_bool(can->reopen_passed));
    hd_val_set_page(pool, v, "final", hd_val_bool(can->final));
    hd_val_set_page(pool, v, "can_rate", hd_val_bool(can->rate));
    hd_val_set_page(pool, v, "can_edit", hd_val_bool(can->edit));
    hd_val_set_page(pool, v, "solved",
                    hd_val_bool(t->status == HD_STATUS_SOLVED));

    if (t->rating) {
        marks = hd_val_list(pool);

        for (i = 0; i < 5; i++) {
            mark = hd_val_map(pool);
            hd_val_set_bool(pool, mark, "on", i < t->rating);
            hd_val_push(pool, marks, mark);
        }

        hd_val_set_page(pool, v, "star_marks", marks);
    }

    if (!can->edit) {
        return;
    }

    /* the correction form: what the ticket has, as choices */
    hd_val_set_page(pool, v, "edit_types",
                    hd_view_choices(pool, HD_WORD_TYPE, hd_ticket_type_names,
                                    HD_TYPE_COUNT,
                                    hd_ticket_type_names[t->type
                                                         % HD_TYPE_COUNT]));
    hd_val_set_page(pool, v, "edit_severities",
                    hd_view_choices(pool, HD_WORD_SEVERITY,
                                    hd_view_severities, 4,
                                    t->severity >= 1 && t->severity <= 4
                                    ? hd_view_severities[t->severity - 1]
                                    : NULL));
    hd_val_set_page(pool, v, "edit_by_colleague",
                    hd_val_bool(t->author != viewer->account->id));
}


hd_rc
hd_view_ticket(hd_store_t *store, const hd_viewer_t *viewer, uint64_t number,
    hd_pool_t *pool, hd_val_t **view, hd_err_t *err)
{
    size_t            i, nm, nf;
    hd_rc             rc;
    hd_val_t         *v, *can_map, *list, *thread;
    hd_txn_t          txn;
    unsigned          rights;
    hd_ticket_t       t;
    hd_message_t     *m;
    hd_view_can_t     can;
    hd_attachment_t  *files;
    hd_view_names_t   names;

    rc = hd_txn_begin(store, &txn, HD_TXN_READ | HD_TXN_CACHED, err);
    if (rc != HD_OK) {
        return rc;
    }

    /* someone else's ticket is no ticket at all */
    rc = hd_ticket_get(&txn, number, &t);
    rights = rc == HD_OK ? hd_ticket_rights(&txn, viewer->account, &t) : 0;

    if (!(rights & HD_TICKET_SEE)) {
        hd_txn_abort(&txn);
        return hd_view_no_ticket(err, rc == HD_OK ? HD_NOT_FOUND : rc,
                                 number);
    }

    if (hd_message_list(&txn, t.number, 0, pool, &m, &nm) != HD_OK
        || hd_attachment_list(&txn, t.number, pool, &files, &nf) != HD_OK)
    {
        hd_txn_abort(&txn);
        return hd_err_set(err, HD_IO, NULL, "io",
                          "ticket %llu: its messages cannot be read",
                          (unsigned long long) number);
    }

    memset(&names, 0, sizeof(names));
    names.txn = &txn;
    names.pool = pool;

    hd_view_ticket_can(viewer, &t, rights, &can);

    v = hd_val_map(pool);
    hd_view_ticket_fields(viewer, &txn, pool, &names, &t, v);

    if (can.reopen_until) {
        hd_val_set_time(pool, v, "reopen_until", can.reopen_until);
    }

    can_map = hd_val_map(pool);
    hd_val_set_bool(pool, can_map, "reply", can.reply);
    hd_val_set_bool(pool, can_map, "close", can.close);
    hd_val_set_bool(pool, can_map, "reopen", can.reopen);
    hd_val_set_bool(pool, can_map, "rate", can.rate);
    hd_val_set_bool(pool, can_map, "edit", can.edit);
    hd_val_set(pool, v, "can", can_map);

    list = hd_val_list(pool);

    for (i = 0; i < nm; i++) {
        hd_val_push(pool, list, hd_view_message(viewer, &names, &m[i], files,
                                                nf));
    }

    hd_val_set(pool, v, "messages", list);

    if (viewer->page) {
        hd_view_ticket_page(viewer, &txn, pool, &t, &can, v);

        /* the page's thread: oldest or newest first, the same messages */
        thread = viewer->newest_first ? hd_view_reversed(pool, list) : list;

        hd_val_set_page(pool, v, "thread", thread);
        hd_val_set_page(pool, v, "newest_first",
                        hd_val_bool(viewer->newest_first));
    }

    hd_txn_abort(&txn);

    *view = v;

    return HD_OK;
}


/*
 * The page after a ticket is made (a page only): the ticket as its view
 * has it, under the page's own title, with the articles suggested as it
 * was written, once more
 */
hd_rc
hd_view_ticket_created(hd_store_t *store, const hd_viewer_t *viewer,
    uint64_t number, hd_pool_t *pool, hd_val_t **view, hd_err_t *err)
{
    hd_rc         rc;
    hd_txn_t      txn;
    hd_val_t     *v, *shown;
    hd_ticket_t   t;

    rc = hd_view_ticket(store, viewer, number, pool, &v, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_txn_begin(store, &txn, HD_TXN_READ | HD_TXN_CACHED, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_ticket_get(&txn, number, &t);
    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return hd_view_no_ticket(err, rc, number);
    }

    shown = hd_view_kb_shown(viewer, &txn, pool, &t.kb_shown);
    hd_txn_abort(&txn);

    hd_val_set_page(pool, v, "kb_shown", shown);
    hd_val_set_page(pool, v, "has_kb_shown",
                    hd_val_bool(shown->u.items.n != 0));
    hd_val_set_page(pool, v, "no_certificate",
                    hd_val_bool(t.certificate == 0));
    hd_val_replace(v, "title", hd_val_word(pool, "tickets.", "created_title"));

    *view = v;

    return HD_OK;
}

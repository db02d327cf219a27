/*
 * The staff's queue (SPEC §2, §5): tabs mine / unassigned / all with their
 * counts, filters by department, status, priority, SLA state, holder,
 * words of the subject and an extra field of the forms, three orders and
 * pages. The rows are read whole before the transaction ends and made one
 * by one as they are written; a page may keep a row's output by what it is
 * made from.
 */

#include <stdio.h>
#include <string.h>

#include "hd_view.h"
#include "hd_category.h"
#include "hd_form.h"
#include "hd_product.h"
#include "hd_queue.h"
#include "hd_staff.h"
#include "hd_text.h"


const char  *hd_view_queue_names[HD_VIEW_QUEUE_COUNT] = {
    "all", "mine", "unassigned"
};


typedef struct {
    hd_pool_t            *pool;
    hd_view_words_t       words;
    const hd_viewer_t    *viewer;
    hd_view_row_t  *rows;
    hd_val_t             *row;
    hd_val_t             *number;
    hd_val_t             *subject;
    hd_val_t             *status;
    hd_val_t             *priority;
    hd_val_t             *department_id;
    hd_val_t             *department;
    hd_val_t             *owner_id;
    hd_val_t             *owner;
    hd_val_t             *author;
    hd_val_t             *type;
    hd_val_t             *severity;
    hd_val_t             *channel;
    hd_val_t             *premium;
    hd_val_t             *created;
    hd_val_t             *updated;
    hd_val_t             *replier_name;
    hd_val_t             *replier_side;
    hd_val_t             *sla_due;
    hd_val_t             *sla_state;
    hd_val_t             *status_code;      /* a page's */
    hd_val_t             *priority_code;
    hd_val_t             *sla;
    hd_val_t             *sla_label;
    hd_val_t             *waits_staff;
} hd_view_queue_gen_t;


static hd_val_t *
hd_view_queue_next(void *data, size_t i)
{
    const char                 *sla;
    hd_view_queue_gen_t        *g = data;
    const hd_view_row_t  *r = &g->rows[i];

    hd_view_fill_int(g->number, r->number, 0);
    hd_view_fill_str(g->subject, &r->subject, 0);
    hd_view_word_fill(&g->words, g->status, HD_WORD_STAFF_STATUS,
                      hd_view_code(hd_status_names, HD_STATUS_COUNT,
                                   r->status));
    hd_view_word_fill(&g->words, g->priority, HD_WORD_PRIORITY,
                      hd_view_code(hd_priority_names, HD_PRIORITY_COUNT,
                                   r->priority));
    hd_view_fill_int(g->department_id, r->department_id, 0);
    hd_view_fill_str(g->department, &r->department, 0);
    hd_view_fill_int(g->owner_id, r->owner_id, 1);
    hd_view_fill_str(g->owner, &r->owner, 1);
    hd_view_fill_str(g->author, &r->author, 0);
    hd_view_word_fill(&g->words, g->type, HD_WORD_TYPE,
                      hd_view_code(hd_ticket_type_names, HD_TYPE_COUNT,
                                   r->type));
    hd_view_fill_int(g->severity, r->severity, 0);
    hd_view_fill_code(g->channel, hd_view_code(hd_channel_names,
                                                HD_CHANNEL_COUNT,
                                                r->channel));
    g->premium->type = HD_VAL_BOOL;
    g->premium->u.boolean = r->premium;
    hd_view_time_fill(&g->words, g->pool, g->created, r->created);
    hd_view_time_fill(&g->words, g->pool, g->updated, r->updated);
    hd_view_fill_str(g->replier_name, &r->last_replier, 0);
    hd_view_word_fill(&g->words, g->replier_side, HD_WORD_SIDE,
                      hd_view_code(hd_side_names, HD_SIDE_COUNT, r->side));
    hd_view_time_fill(&g->words, g->pool, g->sla_due, r->sla_due);

    sla = hd_view_code(hd_sla_state_names, HD_SLA_STATE_COUNT, r->sla_state);
    hd_view_word_fill(&g->words, g->sla_state, HD_WORD_SLA, sla);

    if (g->status_code == NULL) {
        return g->row;
    }

    /* the marks' styles and the SLA's badge (none when it is kept) */
    hd_view_fill_code(g->status_code, g->status->u.typed.code);
    hd_view_fill_code(g->priority_code, g->priority->u.typed.code);

    if (r->sla_state != HD_SLA_OK && sla != NULL) {
        hd_view_fill_code(g->sla, sla);
        *g->sla_label = *g->sla_state;

    } else {
        g->sla->type = HD_VAL_NULL;
        g->sla_label->type = HD_VAL_NULL;
    }

    g->waits_staff->type = HD_VAL_BOOL;
    g->waits_staff->u.boolean =
        hd_statuses[r->status % HD_STATUS_COUNT].waits == HD_WAITS_STAFF;

    return g->row;
}


static hd_uchar *
hd_view_queue_key_str(hd_uchar *p, hd_uchar *end, const hd_str_t *s)
{
    if (p == NULL || (size_t) (end - p) < s->len + sizeof(size_t)) {
        return NULL;
    }

    memcpy(p, &s->len, sizeof(size_t));
    p += sizeof(size_t);

    if (s->len) {
        memcpy(p, s->data, s->len);
    }

    return p + s->len;
}


/*
 * What a page's row is made from, for the renderer to keep its output:
 * the words it is written in, the ticket's fields the row shows, the names
 */
static size_t
hd_view_queue_key(void *data, size_t i, hd_uchar *buf, size_t size)
{
    hd_uchar                   *p, *end;
    uint64_t                    fields[8];
    hd_view_queue_gen_t        *g = data;
    const hd_view_row_t  *r = &g->rows[i];

    fields[0] = r->number;
    fields[1] = r->updated;
    fields[2] = r->sla_due;
    fields[3] = ((uint64_t) r->status << 24) | ((uint64_t) r->priority << 16)
                | ((uint64_t) r->sla_state << 8) | r->premium;
    fields[4] = (uint64_t) g->words.lang;
    fields[5] = r->owner_id;
    fields[6] = r->department_id;
    fields[7] = (uint64_t) (uintptr_t) g->words.catalog;

    if (size < sizeof(fields)) {
        return 0;
    }

    memcpy(buf, fields, sizeof(fields));
    p = buf + sizeof(fields);
    end = buf + size;

    p = hd_view_queue_key_str(p, end, &r->subject);
    p = hd_view_queue_key_str(p, end, &r->author);
    p = hd_view_queue_key_str(p, end, &r->owner);
    p = hd_view_queue_key_str(p, end, &r->department);

    return p ? (size_t) (p - buf) : 0;
}


static int
hd_view_queue_slots(hd_view_queue_gen_t *g)
{
    hd_pool_t  *pool = g->pool;
    hd_val_t   *replier;

    replier = hd_val_map(pool);

    if (g->row == NULL || replier == NULL
        || (g->number = hd_val_slot(pool, g->row, "number")) == NULL
        || (g->subject = hd_val_slot(pool, g->row, "subject")) == NULL
        || (g->status = hd_val_slot(pool, g->row, "status")) == NULL
        || (g->priority = hd_val_slot(pool, g->row, "priority")) == NULL
        || (g->department_id = hd_val_slot(pool, g->row, "department_id"))
           == NULL
        || (g->department = hd_val_slot(pool, g->row, "department")) == NULL
        || (g->owner_id = hd_val_slot(pool, g->row, "owner_id")) == NULL
        || (g->owner = hd_val_slot(pool, g->row, "owner")) == NULL
        || (g->author = hd_val_slot(pool, g->row, "author")) == NULL
        || (g->type = hd_val_slot(pool, g->row, "type")) == NULL
        || (g->severity = hd_val_slot(pool, g->row, "severity")) == NULL
        || (g->channel = hd_val_slot(pool, g->row, "channel")) == NULL
        || (g->premium = hd_val_slot(pool, g->row, "premium")) == NULL
        || (g->created = hd_val_slot(pool, g->row, "created")) == NULL
        || (g->updated = hd_val_slot(pool, g->row, "updated")) == NULL
        || hd_val_set(pool, g->row, "last_replier", replier) != 0
        || (g->replier_name = hd_val_slot(pool, replier, "name")) == NULL
        || (g->replier_side = hd_val_slot(pool, replier, "side")) == NULL
        || (g->sla_due = hd_val_slot(pool, g->row, "sla_due")) == NULL
        || (g->sla_state = hd_val_slot(pool, g->row, "sla_state")) == NULL)
    {
        return -1;
    }

    if (!g->viewer->page) {
        return 0;
    }

    g->status_code = hd_val_cstr(pool, "");
    g->priority_code = hd_val_cstr(pool, "");
    g->sla = hd_val_cstr(pool, "");
    g->sla_label = hd_val_cstr(pool, "");
    g->waits_staff = hd_val_cstr(pool, "");

    if (g->waits_staff == NULL
        || hd_val_set_page(pool, g->row, "status_code", g->status_code) != 0
        || hd_val_set_page(pool, g->row, "priority_code", g->priority_code)
           != 0
        || hd_val_set_page(pool, g->row, "sla", g->sla) != 0
        || hd_val_set_page(pool, g->row, "sla_label", g->sla_label) != 0
        || hd_val_set_page(pool, g->row, "waits_staff", g->waits_staff) != 0)
    {
        return -1;
    }

    return 0;
}


static hd_val_t *
hd_view_queue_list(const hd_viewer_t *viewer, hd_pool_t *pool,
    hd_view_row_t *rows, size_t n)
{
    hd_view_queue_gen_t  *g;

    g = hd_pcalloc(pool, sizeof(hd_view_queue_gen_t));
    if (g == NULL) {
        return NULL;
    }

    g->pool = pool;
    g->viewer = viewer;
    g->rows = rows;
    g->row = hd_val_map(pool);
    hd_view_words_init(&g->words, viewer);

    if (hd_view_queue_slots(g) != 0) {
        return NULL;
    }

    return viewer->page
           ? hd_val_gen_keyed(pool, hd_view_queue_next, hd_view_queue_key,
                              g->row, g, n)
           : hd_val_gen(pool, hd_view_queue_next, g, n);
}


/* --- the filters ---------------------------------------------------------- */


/* by an extra field (name) and value: the field's kind says how (a text
   contains it, case folded; others are it); HD_NOT_FOUND for no filter */
static hd_rc
hd_view_form_filter(hd_txn_t *txn, hd_pool_t *pool, const hd_str_t *name,
    const hd_str_t *value, hd_form_filter_t *filter)
{
    size_t                  c, s, ncats;
    hd_rc                   rc;
    hd_form_t              *form;
    hd_category_t          *cats;
    const hd_form_field_t  *f;

    if (name->len == 0) {
        return HD_NOT_FOUND;
    }

    filter->name = *name;
    filter->value = *value;
    filter->contains = 0;

    rc = hd_category_list(txn, pool, &cats, &ncats);
    if (rc != HD_OK) {
        return rc;
    }

    for (c = 0; c < ncats; c++) {
        for (s = 0; s < HD_FORM_SLOTS; s++) {
            rc = hd_form_get(txn, cats[c].id, hd_form_slot_type(s), pool,
                             &form);
            if (rc != HD_OK) {
                return rc;
            }

            f = hd_form_field(form, &filter->name);

            if (f != NULL && (f->kind == HD_FORM_TEXT
                              || f->kind == HD_FORM_LONG))
            {
                filter->contains = 1;
            }

            if (f != NULL && f->kind == HD_FORM_CHECKBOX) {
                filter->value.data = (hd_uchar *) "1";
                filter->value.len = 1;
            }
        }
    }

    if (filter->value.len == 0) {
        return HD_NOT_FOUND;
    }

    if (filter->contains) {
        filter->value.data = hd_text_lower(pool, filter->value.data,
                                           filter->value.len);
        if (filter->value.data == NULL) {
            return HD_NOMEM;
        }
    }

    return HD_OK;
}


/* the extra fields of every form once each, for the filter's select */
static hd_val_t *
hd_view_form_fields(const hd_viewer_t *viewer, hd_txn_t *txn,
    hd_pool_t *pool, const hd_str_t *chosen)
{
    size_t           i, k, n, c, s, ncats;
    hd_str_t         seen[64];
    hd_val_t        *list, *item;
    hd_form_t       *form;
    hd_category_t   *cats;
    const hd_str_t  *label;

    list = hd_val_list(pool);
    n = 0;

    if (hd_category_list(txn, pool, &cats, &ncats) != HD_OK) {
        return list;
    }

    for (c = 0; c < ncats; c++) {
        for (s = 0; s < HD_FORM_SLOTS; s++) {
            if (hd_form_get(txn, cats[c].id, hd_form_slot_type(s), pool,
                            &form)
                != HD_OK)
            {
                return list;
            }

            for (i = 0; i < form->nfields && n < 64; i++) {
                for (k = 0; k < n; k++) {
                    if (hd_str_same(&seen[k], &form->fields[i].name)) {
                        break;
                    }
                }

                if (k < n) {
                    continue;
                }

                seen[n++] = form->fields[i].name;
                label = hd_form_label(form->fields[i].label, viewer->lang);

                item = hd_val_map(pool);
                hd_val_set_str(pool, item, "name", form->fields[i].name.data,
                               form->fields[i].name.len);
                hd_val_set_str(pool, item, "label", label->data, label->len);
                hd_val_set_bool(pool, item, "selected",
                                hd_str_same(chosen, &form->fields[i].name));
                hd_val_push(pool, list, item);
            }
        }
    }

    return list;
}


/* a ticket whose extra field has the value asked */
static int
hd_view_queue_field(const hd_ticket_t *t, void *data)
{
    return hd_form_match(&t->fields, data);
}


/* --- the counts ----------------------------------------------------------- */


typedef struct {
    size_t      queue[HD_VIEW_QUEUE_COUNT];
    size_t      status[HD_STATUS_COUNT];
    size_t      priority[HD_PRIORITY_COUNT];
} hd_view_queue_counts_t;


/* of each queue (unclosed), each status of this queue, each priority of
   its statuses asked */
static hd_rc
hd_view_queue_count(hd_txn_t *txn, const hd_viewer_t *viewer,
    const hd_queue_query_t *q, const hd_view_queue_args_t *args,
    hd_view_queue_counts_t *c)
{
    hd_rc              rc;
    size_t             k, s, p;
    hd_queue_counts_t  counts;

    memset(c, 0, sizeof(*c));

    for (k = 0; k < HD_VIEW_QUEUE_COUNT; k++) {
        rc = hd_queue_counts(txn, q->departments, q->ndepartments,
                             k != HD_VIEW_QUEUE_ALL,
                             k == HD_VIEW_QUEUE_MINE ? viewer->account->id : 0,
                             counts);
        if (rc != HD_OK) {
            return rc;
        }

        for (s = 0; s < HD_STATUS_COUNT; s++) {
            for (p = 0; p < HD_PRIORITY_COUNT; p++) {
                if (HD_STATUSES_UNCLOSED & HD_STATUS_BIT(s)) {
                    c->queue[k] += counts[s][p];
                }

                if (k != args->queue) {
                    continue;
                }

                c->status[s] += counts[s][p];

                if (args->statuses & HD_STATUS_BIT(s)) {
                    c->priority[p] += counts[s][p];
                }
            }
        }
    }

    return HD_OK;
}


static hd_val_t *
hd_view_counts_map(hd_pool_t *pool, const char *const *names,
    const size_t *counts, size_t n)
{
    size_t     i;
    hd_val_t  *map;

    map = hd_val_map(pool);

    for (i = 0; i < n; i++) {
        hd_val_set_int(pool, map, names[i], (int64_t) counts[i]);
    }

    return map;
}


/* the API's: "counts": {"queues": {...}, "statuses": {...}, ...} */
static void
hd_view_queue_counts_set(hd_pool_t *pool, hd_val_t *v,
    const hd_view_queue_counts_t *c)
{
    hd_val_t  *counts;

    counts = hd_val_map(pool);
    hd_val_set(pool, counts, "queues",
               hd_view_counts_map(pool, hd_view_queue_names, c->queue,
                                  HD_VIEW_QUEUE_COUNT));
    hd_val_set(pool, counts, "statuses",
               hd_view_counts_map(pool, hd_status_names, c->status,
                                  HD_STATUS_COUNT));
    hd_val_set(pool, counts, "priorities",
               hd_view_counts_map(pool, hd_priority_names, c->priority,
                                  HD_PRIORITY_COUNT));
    hd_val_set(pool, v, "counts", counts);
}


/* --- the page ------------------------------------------------------------- */


/* a link of the queue with one argument changed (and page 1, or page) */
static hd_val_t *
hd_view_queue_href(const hd_viewer_t *viewer, hd_pool_t *pool,
    const hd_str_t *args, const char *name, const char *value, size_t page)
{
    size_t           nlen;
    hd_uchar        *href, *p;
    const hd_uchar  *q, *end, *amp;

    nlen = strlen(name);

    href = hd_palloc(pool, viewer->mount.len + args->len + nlen
                           + (value ? strlen(value) : 0) + 64);
    if (href == NULL) {
        return hd_val_null();
    }

    p = href;
    memcpy(p, viewer->mount.data, viewer->mount.len);
    p += viewer->mount.len;
    memcpy(p, "staff/tickets?", 14);
    p += 14;

    /* the other arguments as they are, but page */
    for (q = args->data, end = args->data + args->len; q < end; q = amp + 1) {
        amp = memchr(q, '&', end - q);
        if (amp == NULL) {
            amp = end;
        }

        if (amp == q
            || ((size_t) (amp - q) > nlen && q[nlen] == '='
                && memcmp(q, name, nlen) == 0)
            || (amp - q >= 5 && memcmp(q, "page=", 5) == 0))
        {
            continue;
        }

        memcpy(p, q, amp - q);
        p += amp - q;
        *p++ = '&';
    }

    if (value != NULL) {
        p += sprintf((char *) p, "%s=%s&", name, value);
    }

    if (page > 1) {
        p += sprintf((char *) p, "page=%zu&", page);
    }

    return hd_val_str(pool, href, p - href - 1);
}


/* the tabs: each queue's unclosed count, the one shown */
static hd_val_t *
hd_view_queue_tabs(const hd_viewer_t *viewer, hd_view_words_t *words,
    hd_pool_t *pool, const hd_view_queue_args_t *args,
    const hd_view_queue_counts_t *c)
{
    size_t     k;
    hd_val_t  *tabs, *item;

    tabs = hd_val_list(pool);

    for (k = 0; k < HD_VIEW_QUEUE_COUNT; k++) {
        item = hd_val_map(pool);
        hd_val_set_cstr(pool, item, "code", hd_view_queue_names[k]);
        hd_view_set_word(words, pool, item, "label", "staff.queue_",
                         hd_view_queue_names[k]);
        hd_val_set_int(pool, item, "count", (int64_t) c->queue[k]);
        hd_val_set_bool(pool, item, "current", k == args->queue);
        hd_val_set(pool, item, "href",
                   hd_view_queue_href(viewer, pool, &args->query, "queue",
                                      hd_view_queue_names[k], 1));
        hd_val_push(pool, tabs, item);
    }

    return tabs;
}


/* a select of a table's codes with their words and counts, the one
   chosen selected (-1: none); backwards: the last code first */
static hd_val_t *
hd_view_queue_select(hd_view_words_t *words, hd_pool_t *pool,
    const char *group, const char *const *codes, const size_t *counts,
    size_t n, int chosen, int backwards)
{
    size_t     i, k;
    hd_val_t  *list, *item;

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        k = backwards ? n - 1 - i : i;
        item = hd_val_map(pool);
        hd_val_set_cstr(pool, item, "value", codes[k]);
        hd_view_set_word(words, pool, item, "label", group, codes[k]);
        hd_val_set_int(pool, item, "count", (int64_t) counts[k]);
        hd_val_set_bool(pool, item, "selected", (int) k == chosen);
        hd_val_push(pool, list, item);
    }

    return list;
}


/* statuses and priorities: a select each, with counts */
static void
hd_view_queue_selects(hd_view_words_t *words, hd_pool_t *pool, hd_val_t *v,
    const hd_view_queue_args_t *args, const hd_view_queue_counts_t *c)
{
    int  s, status;

    /* a status is chosen when it alone is asked */
    status = -1;

    for (s = 0; s < HD_STATUS_COUNT; s++) {
        if (args->statuses == HD_STATUS_BIT(s)) {
            status = s;
        }
    }

    hd_val_set_page(pool, v, "statuses",
                    hd_view_queue_select(words, pool, HD_WORD_STAFF_STATUS,
                                         hd_status_names, c->status,
                                         HD_STATUS_COUNT, status, 0));
    hd_val_set_page(pool, v, "status_resolved",
                    hd_val_bool(args->statuses
                                == (((1u << HD_STATUS_COUNT) - 1)
                                    & ~HD_STATUSES_UNCLOSED)));
    hd_val_set_page(pool, v, "status_any",
                    hd_val_bool(args->statuses
                                == (1u << HD_STATUS_COUNT) - 1));
    hd_val_set_page(pool, v, "priorities",
                    hd_view_queue_select(words, pool, HD_WORD_PRIORITY,
                                         hd_priority_names, c->priority,
                                         HD_PRIORITY_COUNT, args->priority,
                                         1));
}


/* the departments seen, for the filter's select */
static hd_val_t *
hd_view_queue_departments(hd_txn_t *txn, hd_pool_t *pool,
    const hd_staff_scope_t *scope, uint64_t chosen)
{
    size_t            i, n;
    hd_val_t         *list, *d;
    hd_department_t  *deps;

    list = hd_val_list(pool);
    deps = NULL;
    n = 0;
    (void) hd_department_list(txn, pool, &deps, &n);

    for (i = 0; i < n; i++) {
        if (!hd_staff_sees(scope, deps[i].id)) {
            continue;
        }

        d = hd_val_map(pool);
        hd_val_set_int(pool, d, "id", (int64_t) deps[i].id);
        hd_val_set_str(pool, d, "name", deps[i].name.data, deps[i].name.len);
        hd_val_set_bool(pool, d, "selected", deps[i].id == chosen);
        hd_val_push(pool, list, d);
    }

    return list;
}


static void
hd_view_queue_page(const hd_viewer_t *viewer, hd_txn_t *txn,
    hd_pool_t *pool, hd_val_t *v, const hd_view_queue_args_t *args,
    const hd_staff_scope_t *scope, const hd_view_queue_counts_t *c,
    const hd_queue_page_t *result, int unknown_holder)
{
    size_t           pages;
    hd_view_words_t  words;

    hd_view_words_init(&words, viewer);
    hd_val_set_page(pool, v, "title",
                    hd_val_word(pool, "staff.", "queue_title"));
    hd_val_set_page(pool, v, "departments",
                    hd_view_queue_departments(txn, pool, scope,
                                              args->department));
    hd_val_set_page(pool, v, "has_tickets", hd_val_bool(result->n != 0));

    /* what the page asks every few seconds (live.js): changed or not */
    if (viewer->queue_version != NULL) {
        hd_val_set_page(pool, v, "queue_version",
                        hd_val_int(pool, (int64_t) viewer->queue_version(
                                             scope, args->department)));
    }

    if (args->department) {
        hd_val_set_page(pool, v, "queue_department",
                        hd_val_int(pool, (int64_t) args->department));
    }

    hd_val_set_page(pool, v, "unknown_holder", hd_val_bool(unknown_holder));
    hd_val_set_page(pool, v, "queues",
                    hd_view_queue_tabs(viewer, &words, pool, args, c));
    hd_view_queue_selects(&words, pool, v, args, c);
    hd_val_set_page(pool, v, "queue",
                    hd_val_cstr(pool, hd_view_queue_names[args->queue]));
    hd_val_set_page(pool, v, "sla_at_risk",
                    hd_val_bool(args->sla == HD_SLA_AT_RISK));
    hd_val_set_page(pool, v, "sla_breached",
                    hd_val_bool(args->sla == HD_SLA_BREACHED));

    /* the filters stay folded (a phone sees the tickets first) unless some
       are set */
    hd_val_set_page(pool, v, "filtered", hd_val_bool(args->filtered));
    hd_val_set_page(pool, v, "sort_updated",
                    hd_val_bool(args->order == HD_ORDER_UPDATED));
    hd_val_set_page(pool, v, "sort_created",
                    hd_val_bool(args->order == HD_ORDER_CREATED));

    if (args->holder.len) {
        hd_val_set_page(pool, v, "holder", hd_view_ref(pool, &args->holder,
                                                       0));
    }

    if (args->text.len) {
        hd_val_set_page(pool, v, "q", hd_view_ref(pool, &args->text, 0));
    }

    hd_val_set_page(pool, v, "form_fields",
                    hd_view_form_fields(viewer, txn, pool, &args->field));

    if (args->field_value.len) {
        hd_val_set_page(pool, v, "field_value",
                        hd_view_ref(pool, &args->field_value, 0));
    }

    pages = result->total
            ? (result->total + args->per_page - 1) / args->per_page : 1;
    hd_val_set_page(pool, v, "pages", hd_val_int(pool, (int64_t) pages));

    if (args->page > 1) {
        hd_val_set_page(pool, v, "prev_href",
                        hd_view_queue_href(viewer, pool, &args->query, "page",
                                           NULL, args->page - 1));
    }

    if (args->page < pages) {
        hd_val_set_page(pool, v, "next_href",
                        hd_view_queue_href(viewer, pool, &args->query, "page",
                                           NULL, args->page + 1));
    }
}


/* --- the view ------------------------------------------------------------- */


/* which tickets: the departments seen (or the one asked), the queue, the
   filters; unknown holder: none at all */
static hd_rc
hd_view_queue_query(hd_txn_t *txn, const hd_viewer_t *viewer,
    const hd_view_queue_args_t *args, const hd_staff_scope_t *scope,
    hd_queue_query_t *q, uint64_t *one, hd_form_filter_t *filter,
    int *unknown_holder, hd_pool_t *pool, hd_err_t *err)
{
    hd_rc  rc;

    memset(q, 0, sizeof(*q));
    q->departments = scope->departments;
    q->ndepartments = scope->n;

    if (args->department) {
        if (!hd_staff_sees(scope, args->department)) {
            return hd_err_set(err, HD_FORBIDDEN, "department",
                              "department_forbidden",
                              "department %llu is not seen by account %llu",
                              (unsigned long long) args->department,
                              (unsigned long long) viewer->account->id);
        }

        *one = args->department;
        q->departments = one;
        q->ndepartments = 1;
    }

    q->by_owner = args->queue != HD_VIEW_QUEUE_ALL;
    q->owner = args->queue == HD_VIEW_QUEUE_MINE ? viewer->account->id : 0;
    q->statuses = args->statuses;
    q->priority = args->priority;
    q->order = (uint8_t) args->order;
    q->offset = (args->page - 1) * args->per_page;
    q->limit = args->per_page;
    q->in_place = 1;
    q->sla = args->sla;
    q->text = args->text;

    /* by an extra field of the tickets' forms: each candidate read */
    rc = hd_view_form_filter(txn, pool, &args->field, &args->field_value,
                             filter);
    if (rc == HD_OK) {
        q->match = hd_view_queue_field;
        q->match_data = filter;

    } else if (rc != HD_NOT_FOUND) {
        return hd_err_set(err, rc, NULL, "io",
                          "the forms cannot be read (%s)", hd_rc_name(rc));
    }

    *unknown_holder = 0;

    if (args->holder.len) {
        q->by_holder = 1;

        if (hd_staff_holder(txn, &args->holder, &q->holder_account,
                            &q->holder_company)
            != HD_OK)
        {
            *unknown_holder = 1;
        }
    }

    return HD_OK;
}


hd_rc
hd_view_staff_queue(hd_store_t *store, const hd_viewer_t *viewer,
    const hd_view_queue_args_t *args, hd_pool_t *pool, hd_val_t **view,
    hd_err_t *err)
{
    int                      unknown_holder;
    hd_rc                    rc;
    hd_txn_t                 txn;
    uint64_t                 one;
    hd_val_t                *v, *list;
    hd_queue_query_t         q;
    hd_queue_page_t          result;
    hd_staff_scope_t         scope;
    hd_form_filter_t         filter;
    hd_view_row_t     *rows;
    hd_view_queue_counts_t   c;

    rc = hd_txn_begin(store, &txn, HD_TXN_READ | HD_TXN_CACHED, err);
    if (rc != HD_OK) {
        return rc;
    }

    rc = hd_staff_scope(&txn, viewer->account, &scope);
    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return hd_err_set(err, rc, NULL, "io",
                          "account %llu: the departments seen cannot be "
                          "read (%s)",
                          (unsigned long long) viewer->account->id,
                          hd_rc_name(rc));
    }

    unknown_holder = 0;

    rc = hd_view_queue_query(&txn, viewer, args, &scope, &q, &one, &filter,
                             &unknown_holder, pool, err);
    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return rc;
    }

    rc = hd_view_queue_count(&txn, viewer, &q, args, &c);

    if (rc == HD_OK && !unknown_holder) {
        rc = hd_queue_list(&txn, &q, pool, &result);

    } else {
        memset(&result, 0, sizeof(result));
    }

    if (rc != HD_OK) {
        hd_txn_abort(&txn);
        return hd_err_set(err, rc, NULL, "io",
                          "the queue cannot be read (%s)", hd_rc_name(rc));
    }

    /* a page does not show who replied last */
    rows = hd_view_rows(&txn, pool, result.tickets, result.n, !viewer->page);
    v = hd_val_map(pool);

    if (rows == NULL || v == NULL) {
        hd_txn_abort(&txn);
        return hd_err_set(err, HD_NOMEM, NULL, "io",
                          "no memory for the queue");
    }

    hd_val_set_int(pool, v, "total", (int64_t) result.total);
    hd_val_set_int(pool, v, "page", (int64_t) args->page);
    hd_val_set_int(pool, v, "per_page", (int64_t) args->per_page);

    if (result.capped) {
        hd_val_set(pool, v, "capped", hd_val_bool(1));
    }

    /* a page shows the counts in its tabs and selects */
    if (viewer->page) {
        hd_view_queue_page(viewer, &txn, pool, v, args, &scope, &c, &result,
                           unknown_holder);

    } else {
        hd_view_queue_counts_set(pool, v, &c);
    }

    hd_txn_abort(&txn);

    list = hd_view_queue_list(viewer, pool, rows, result.n);
    if (list == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "io",
                          "no memory for the queue");
    }

    hd_val_set(pool, v, "tickets", list);

    *view = v;

    return HD_OK;
}

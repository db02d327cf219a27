/*
 * Views on a fixture store: the staff's and the customer's ticket as the
 * API's JSON (ISO times, codes, no page-only values) and as a page reads
 * them (the reader's words and dates), who may see them, and the JSON
 * writer's typed values.
 */

#include <jansson.h>

#include "unit.h"
#include "unit_people.h"
#include "hd_date.h"
#include "hd_staff.h"
#include "hd_templates.h"
#include "hd_ticket_customer.h"
#include "hd_view.h"


static hd_portal_t      portal;
static hd_arena_t      *arena;
static hd_templates_t  *templates;
static uint64_t         alice, bob, admin, agent;
static uint64_t         number;
static char             cert_number[HD_CERT_NUMBER_BUF];
static uint64_t         now = 1795300000;      /* 2026-11-21 22:26 UTC */


typedef struct {
    hd_tpl_out_t   out;
    hd_buf_t       buf;
} capture_t;


static int
capture_write(hd_tpl_out_t *out, const hd_uchar *data, size_t len)
{
    capture_t  *c = (capture_t *) out;

    return hd_buf_add(&c->buf, data, len);
}


static int
setup(void **state)
{
    char                path[1024];
    uint64_t            other = 2;
    const char         *root = getenv("HELPDESK_ROOT");
    hd_err_t            err;
    hd_txn_t            txn;
    hd_errors_t         errors;
    hd_ticket_t         t;
    hd_product_t        p;
    hd_cert_type_t      ct;
    hd_ticket_input_t   in;
    hd_ticket_policy_t  policy = HD_TICKET_POLICY_DEFAULT;

    if (unit_store_setup(state) != 0) {
        return -1;
    }

    arena = hd_arena_create(0);
    snprintf(path, sizeof(path), "%s/lua-free-templates", root ? root : ".");

    if (hd_templates_load(&arena->pool, path, &templates, &err) != HD_OK) {
        fprintf(stderr, "# %s\n", err.text);
        return -1;
    }

    portal.store = unit_store;
    portal.templates = templates;
    portal.base_url = (hd_str_t) hd_string("http://portal.example/");
    portal.tickets = policy;
    portal.tickets.number_start = 100;

    hd_txn_begin(unit_store, &txn, HD_TXN_WRITE, &err);

    alice = unit_account(&txn, &arena->pool, "alice", "Alice Liddell", -1);
    bob = unit_account(&txn, &arena->pool, "bob", "Bob Smith", -1);
    admin = unit_account(&txn, &arena->pool, "boss", "Olga Boss",
                         HD_ROLE_ADMINISTRATOR);
    agent = unit_account(&txn, &arena->pool, "agent", "Ivan Agent",
                         HD_ROLE_AGENT);
    assert_int_equal(hd_staff_set_departments(&txn, agent, &other, 1, &err),
                     HD_OK);

    memset(&p, 0, sizeof(p));
    hd_str_set(&p.name, "CSP");
    hd_product_save(&txn, &p, 1, &err);

    memset(&ct, 0, sizeof(ct));
    hd_str_set(&ct.name, "Standard");
    ct.product = p.id;
    ct.term_months = 24;
    ct.ticket_limit = 3;
    ct.department = 1;
    hd_cert_type_save(&txn, &ct, 1, &err);

    unit_certificate(&txn, ct.id, alice, cert_number);

    assert_int_equal(hd_txn_commit(&txn, &err), HD_OK);

    hd_ticket_input_init(&in);
    hd_str_set(&in.subject, "The signature is refused");
    hd_str_set(&in.description, "Since Monday\nevery signature fails");
    in.category = HD_CATEGORY_TECHNICAL;
    in.type = HD_TYPE_BUG;
    in.severity = 2;
    in.certificate.data = (hd_uchar *) cert_number;
    in.certificate.len = strlen(cert_number);
    memset(&errors, 0, sizeof(errors));

    assert_int_equal(hd_ticket_create(&portal, alice, &in, now, &t, &errors,
                                      &err), HD_OK);
    number = t.number;

    return 0;
}


static int
teardown(void **state)
{
    hd_arena_destroy(arena);
    return unit_store_teardown(state);
}


static void
viewer_of(hd_viewer_t *v, uint64_t id, int page, hd_account_t *a)
{
    hd_err_t  err;
    hd_txn_t  txn;

    hd_txn_begin(unit_store, &txn, HD_TXN_READ, &err);
    assert_int_equal(hd_account_get(&txn, id, a), HD_OK);
    a->name.data = hd_pstrdup(&arena->pool, a->name.data, a->name.len);
    a->login.data = hd_pstrdup(&arena->pool, a->login.data, a->login.len);
    a->email.data = hd_pstrdup(&arena->pool, a->email.data, a->email.len);
    hd_txn_abort(&txn);

    memset(v, 0, sizeof(*v));
    v->account = a;
    v->mount = (hd_str_t) hd_string("/support/");
    v->lang = HD_LANG_RU;
    v->now = now;
    v->page = page;
    v->staff_route = 1;
}


static json_t *
as_json(const hd_val_t *view)
{
    json_t        *json;
    hd_jw_t        w;
    capture_t      cap;
    json_error_t   error;

    memset(&cap, 0, sizeof(cap));
    hd_buf_init(&cap.buf);
    cap.out.write = capture_write;

    hd_jw_init(&w, &cap.out);
    hd_view_json(&w, view);
    assert_int_equal(hd_jw_finish(&w), 0);

    json = json_loadb((char *) cap.buf.data, cap.buf.len, 0, &error);
    if (json == NULL) {
        fprintf(stderr, "# %s: %.*s\n", error.text, (int) cap.buf.len,
                (char *) cap.buf.data);
    }

    assert_non_null(json);
    hd_buf_free(&cap.buf);

    return json;
}


static const char *
jstr(json_t *json, const char *path)
{
    char        key[64];
    const char *dot;
    json_t     *v = json;

    while ((dot = strchr(path, '.')) != NULL) {
        snprintf(key, sizeof(key), "%.*s", (int) (dot - path), path);
        v = json_object_get(v, key);
        path = dot + 1;
    }

    v = json_object_get(v, path);

    return json_is_string(v) ? json_string_value(v) : NULL;
}


static void
test_staff_ticket_json(void **state)
{
    json_t        *json, *m;
    hd_err_t       err;
    hd_val_t      *view;
    hd_viewer_t    viewer;
    hd_account_t   a;

    (void) state;

    viewer_of(&viewer, admin, 0, &a);
    assert_int_equal(hd_view_staff_ticket(unit_store, &viewer, number,
                                          &arena->pool, &view, &err), HD_OK);

    json = as_json(view);

    assert_int_equal(json_integer_value(json_object_get(json, "number")),
                     number);
    assert_string_equal(jstr(json, "subject"), "The signature is refused");
    assert_string_equal(jstr(json, "status"), "new");
    assert_string_equal(jstr(json, "type"), "bug");
    assert_string_equal(jstr(json, "channel"), "web");
    assert_string_equal(jstr(json, "category"), "technical");
    assert_int_equal(json_integer_value(json_object_get(json, "severity")), 2);
    assert_string_equal(jstr(json, "created"), "2026-11-21T22:26:40Z");
    assert_true(json_is_null(json_object_get(json, "owner")));
    assert_true(json_is_null(json_object_get(json, "rating")));
    assert_string_equal(jstr(json, "customer.login"), "alice");
    assert_true(json_is_null(json_object_get(json_object_get(json,
                                                             "customer"),
                                             "email_bounced")));
    assert_string_equal(jstr(json, "certificate.number"), cert_number);
    assert_string_equal(jstr(json, "certificate.valid_from"), "2026-01-01");
    assert_string_equal(jstr(json, "certificate.valid_until"), "2027-12-31");
    assert_string_equal(jstr(json, "certificate.state"), "active");
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json, "certificate"), "unclosed")),
                     1);

    m = json_array_get(json_object_get(json, "messages"), 0);
    assert_non_null(m);
    assert_string_equal(jstr(m, "body"), "Since Monday\nevery signature fails");
    assert_string_equal(jstr(m, "side"), "customer");
    assert_string_equal(jstr(m, "author"), "Alice Liddell");

    /* the administrator and the agent of department 2 may own it */
    assert_true(json_array_size(json_object_get(json, "assignable")) >= 1);

    /* what only pages show stays out of the API */
    assert_null(json_object_get(json, "title"));
    assert_null(json_object_get(json, "status_code"));
    assert_null(json_object_get(json, "can_assign"));
    assert_null(json_object_get(json, "thread"));

    json_decref(json);
}


static void
test_staff_ticket_page(void **state)
{
    hd_err_t         err;
    hd_val_t        *view, *v;
    hd_viewer_t      viewer;
    hd_account_t     a;
    const hd_str_t  *text, *word;

    (void) state;

    viewer_of(&viewer, admin, 1, &a);
    assert_int_equal(hd_view_staff_ticket(unit_store, &viewer, number,
                                          &arena->pool, &view, &err), HD_OK);

    hd_view_localize(&arena->pool, view, templates->catalog[HD_LANG_RU],
                     HD_LANG_RU);

    /* words, not codes; local times and days, not ISO */
    word = hd_i18n_text(templates->catalog[HD_LANG_RU],
                        "tickets.staff_status_new");
    assert_non_null(word);
    text = hd_val_typed_text(hd_val_get(view, "status", 6));
    assert_non_null(text);
    assert_int_equal(text->len, word->len);
    assert_memory_equal(text->data, word->data, word->len);

    text = hd_val_typed_text(hd_val_get(view, "created", 7));
    assert_non_null(text);
    assert_int_equal(text->len, 16);
    assert_memory_equal(text->data, "22.11.2026 01:26", 16);

    v = hd_val_get_path(view, "certificate.valid_until");
    assert_non_null(v);
    text = hd_val_typed_text(v);
    assert_non_null(text);
    assert_memory_equal(text->data, "31.12.2027", 10);

    /* and what the viewer may do */
    assert_true(hd_val_truthy(hd_val_get(view, "can_assign", 10)));
    assert_false(hd_val_truthy(hd_val_get(view, "mine", 4)));
    assert_true(hd_val_truthy(hd_val_get(view, "open", 4)));
    assert_non_null(hd_val_get(view, "thread", 6));
}


static void
test_staff_ticket_unseen(void **state)
{
    hd_err_t       err;
    hd_val_t      *view = NULL;
    hd_viewer_t    viewer;
    hd_account_t   a;

    (void) state;

    /* an agent of another department: no such ticket, and it says why */
    viewer_of(&viewer, agent, 0, &a);
    hd_err_clear(&err);
    assert_int_equal(hd_view_staff_ticket(unit_store, &viewer, number,
                                          &arena->pool, &view, &err),
                     HD_NOT_FOUND);
    assert_string_equal(err.code, "not_found");
    assert_non_null(strstr(err.text, "ticket"));

    viewer_of(&viewer, admin, 0, &a);
    assert_int_equal(hd_view_staff_ticket(unit_store, &viewer, 999999,
                                          &arena->pool, &view, &err),
                     HD_NOT_FOUND);
}


static void
test_customer_ticket(void **state)
{
    json_t        *json, *can;
    hd_err_t       err;
    hd_val_t      *view;
    hd_viewer_t    viewer;
    hd_account_t   a;

    (void) state;

    viewer_of(&viewer, alice, 0, &a);
    viewer.staff_route = 0;
    assert_int_equal(hd_view_ticket(unit_store, &viewer, number, &arena->pool,
                                    &view, &err), HD_OK);

    json = as_json(view);
    assert_string_equal(jstr(json, "status"), "new");
    assert_string_equal(jstr(json, "certificate"), cert_number);
    assert_string_equal(jstr(json, "author"), "Alice Liddell");
    assert_true(json_is_null(json_object_get(json, "owner")));
    can = json_object_get(json, "can");
    assert_true(json_is_true(json_object_get(can, "reply")));
    assert_true(json_is_true(json_object_get(can, "close")));
    assert_true(json_is_false(json_object_get(can, "reopen")));
    assert_int_equal(json_array_size(json_object_get(json, "messages")), 1);
    assert_null(json_object_get(json, "can_reply"));
    assert_null(json_object_get(json, "reopen_until"));
    json_decref(json);

    /* the page: what the reader may do, in the reader's words */
    viewer.page = 1;
    viewer.newest_first = 1;
    assert_int_equal(hd_view_ticket(unit_store, &viewer, number, &arena->pool,
                                    &view, &err), HD_OK);
    hd_view_localize(&arena->pool, view, templates->catalog[HD_LANG_EN],
                     HD_LANG_EN);
    assert_true(hd_val_truthy(hd_val_get(view, "can_reply", 9)));
    assert_true(hd_val_truthy(hd_val_get(view, "newest_first", 12)));
    assert_non_null(hd_val_get(view, "thread", 6));
    assert_memory_equal(hd_val_typed_text(hd_val_get(view, "created", 7))
                            ->data, "22 Nov 2026 01:26", 17);

    /* the page after it was made: its own title, its certificate noted */
    assert_int_equal(hd_view_ticket_created(unit_store, &viewer, number,
                                            &arena->pool, &view, &err),
                     HD_OK);
    hd_view_localize(&arena->pool, view, templates->catalog[HD_LANG_EN],
                     HD_LANG_EN);
    assert_string_equal(hd_val_get(view, "title", 5)->u.typed.code,
                        "created_title");
    assert_non_null(hd_val_typed_text(hd_val_get(view, "title", 5)));
    assert_false(hd_val_truthy(hd_val_get(view, "no_certificate", 14)));
    assert_false(hd_val_truthy(hd_val_get(view, "has_kb_shown", 12)));

    /* another customer's ticket is no ticket at all */
    viewer_of(&viewer, bob, 0, &a);
    viewer.staff_route = 0;
    hd_err_clear(&err);
    assert_int_equal(hd_view_ticket(unit_store, &viewer, number, &arena->pool,
                                    &view, &err), HD_NOT_FOUND);
    assert_string_equal(err.code, "not_found");
}


static void
test_customer_list(void **state)
{
    json_t          *json, *rows, *row, *certs;
    hd_err_t         err;
    hd_val_t        *view, *gen, *item;
    hd_viewer_t      viewer;
    hd_account_t     a;
    hd_view_list_t   args;
    const hd_str_t  *text, *word;

    (void) state;

    memset(&args, 0, sizeof(args));
    args.page = 1;
    args.per_page = 20;

    viewer_of(&viewer, alice, 0, &a);
    viewer.staff_route = 0;
    assert_int_equal(hd_view_tickets(unit_store, &viewer, &args, &arena->pool,
                                     &view, &err), HD_OK);

    /* the API: the rows' codes and ISO times, the limits, the counts */
    json = as_json(view);
    rows = json_object_get(json, "tickets");
    assert_int_equal(json_array_size(rows), 1);
    row = json_array_get(rows, 0);
    assert_int_equal(json_integer_value(json_object_get(row, "number")),
                     (json_int_t) number);
    assert_string_equal(jstr(row, "subject"), "The signature is refused");
    assert_string_equal(jstr(row, "status"), "new");
    assert_string_equal(jstr(row, "type"), "bug");
    assert_string_equal(jstr(row, "author"), "Alice Liddell");
    assert_string_equal(jstr(row, "last_replier.name"), "Alice Liddell");
    assert_string_equal(jstr(row, "last_replier.side"), "customer");
    assert_string_equal(jstr(row, "updated"), "2026-11-21T22:26:40Z");
    assert_null(json_object_get(row, "status_code"));
    certs = json_object_get(json, "certificates");
    assert_int_equal(json_array_size(certs), 1);
    assert_string_equal(jstr(json_array_get(certs, 0), "number"),
                        cert_number);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(certs, 0), "unclosed")), 1);
    assert_int_equal(json_integer_value(json_object_get(json, "unclosed")), 1);
    assert_int_equal(json_integer_value(json_object_get(json, "allowed")), 3);
    assert_null(json_object_get(json, "has_tickets"));
    assert_null(json_object_get(json, "title"));
    json_decref(json);

    /* the page: each row in the reader's words as it is made */
    viewer.page = 1;
    viewer.catalog = templates->catalog[HD_LANG_RU];
    assert_int_equal(hd_view_tickets(unit_store, &viewer, &args, &arena->pool,
                                     &view, &err), HD_OK);
    gen = hd_val_get(view, "tickets", 7);
    assert_int_equal(gen->type, HD_VAL_GEN);
    assert_int_equal(gen->u.gen.n, 1);
    item = gen->u.gen.next(gen->u.gen.data, 0);

    word = hd_i18n_text(templates->catalog[HD_LANG_RU], "tickets.status_new");
    text = hd_val_typed_text(hd_val_get(item, "status", 6));
    assert_non_null(text);
    assert_int_equal(text->len, word->len);
    assert_memory_equal(text->data, word->data, word->len);
    assert_memory_equal(hd_val_get(item, "status_code", 11)->u.str.data,
                        "new", 3);
    text = hd_val_typed_text(hd_val_get(item, "updated", 7));
    assert_non_null(text);
    assert_memory_equal(text->data, "22.11.2026 01:26", 16);
    assert_true(hd_val_truthy(hd_val_get(view, "has_tickets", 11)));
    assert_null(hd_val_get(view, "next_page", 9));

    /* another customer has none of hers */
    viewer_of(&viewer, bob, 0, &a);
    viewer.staff_route = 0;
    assert_int_equal(hd_view_tickets(unit_store, &viewer, &args, &arena->pool,
                                     &view, &err), HD_OK);
    json = as_json(view);
    assert_int_equal(json_array_size(json_object_get(json, "tickets")), 0);
    assert_int_equal(json_integer_value(json_object_get(json, "total")), 0);
    json_decref(json);
}


static void
test_staff_queue(void **state)
{
    json_t                *json, *row, *counts;
    hd_err_t               err;
    hd_val_t              *view, *gen, *item, *tabs;
    hd_viewer_t            viewer;
    hd_account_t           a;
    const hd_str_t        *text, *word;
    hd_view_queue_args_t   args;

    (void) state;

    memset(&args, 0, sizeof(args));
    args.queue = HD_VIEW_QUEUE_ALL;
    args.statuses = HD_STATUSES_UNCLOSED;
    args.priority = -1;
    args.page = 1;
    args.per_page = 25;

    /* the API: the row's codes, no owner as null, the counts */
    viewer_of(&viewer, admin, 0, &a);
    assert_int_equal(hd_view_staff_queue(unit_store, &viewer, &args,
                                         &arena->pool, &view, &err), HD_OK);
    json = as_json(view);
    assert_int_equal(json_integer_value(json_object_get(json, "total")), 1);
    assert_int_equal(json_array_size(json_object_get(json, "tickets")), 1);
    row = json_array_get(json_object_get(json, "tickets"), 0);
    assert_int_equal(json_integer_value(json_object_get(row, "number")),
                     (json_int_t) number);
    assert_string_equal(jstr(row, "status"), "new");
    assert_string_equal(jstr(row, "author"), "Alice Liddell");
    assert_string_equal(jstr(row, "sla_state"), "ok");
    assert_string_equal(jstr(row, "created"), "2026-11-21T22:26:40Z");
    assert_true(json_is_null(json_object_get(row, "owner")));
    assert_true(json_is_null(json_object_get(row, "owner_id")));
    assert_null(json_object_get(row, "status_code"));
    counts = json_object_get(json, "counts");
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(counts, "queues"), "all")), 1);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(counts, "queues"), "unassigned")), 1);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(counts, "queues"), "mine")), 0);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(counts, "statuses"), "new")), 1);
    assert_null(json_object_get(json, "queues"));
    assert_null(json_object_get(json, "capped"));
    json_decref(json);

    /* the page: the rows in the staff's words, the tabs with links */
    viewer.page = 1;
    viewer.catalog = templates->catalog[HD_LANG_RU];
    args.query = (hd_str_t) hd_string("queue=all&sort=updated&page=2");
    assert_int_equal(hd_view_staff_queue(unit_store, &viewer, &args,
                                         &arena->pool, &view, &err), HD_OK);
    gen = hd_val_get(view, "tickets", 7);
    assert_int_equal(gen->type, HD_VAL_GEN);
    assert_non_null(gen->u.gen.key);
    item = gen->u.gen.next(gen->u.gen.data, 0);
    word = hd_i18n_text(templates->catalog[HD_LANG_RU],
                        "tickets.staff_status_new");
    text = hd_val_typed_text(hd_val_get(item, "status", 6));
    assert_non_null(text);
    assert_int_equal(text->len, word->len);
    assert_memory_equal(text->data, word->data, word->len);
    assert_false(hd_val_truthy(hd_val_get(item, "owner", 5)));
    assert_false(hd_val_truthy(hd_val_get(item, "sla", 3)));
    assert_true(hd_val_truthy(hd_val_get(item, "waits_staff", 11)));

    tabs = hd_val_get(view, "queues", 6);
    assert_int_equal(tabs->u.items.n, 3);
    item = tabs->u.items.head->next->val;
    assert_string_equal((char *) hd_val_get(item, "code", 4)->u.str.data,
                        "mine");
    text = &hd_val_get(item, "href", 4)->u.str;
    assert_int_equal(text->len, strlen("/support/staff/tickets?sort=updated"
                                       "&queue=mine"));
    assert_memory_equal(text->data, "/support/staff/tickets?sort=updated"
                        "&queue=mine", text->len);

    /* a department the agent does not see is refused, naming it */
    viewer_of(&viewer, agent, 0, &a);
    args.department = 1;
    hd_err_clear(&err);
    assert_int_equal(hd_view_staff_queue(unit_store, &viewer, &args,
                                         &arena->pool, &view, &err),
                     HD_FORBIDDEN);
    assert_string_equal(err.code, "department_forbidden");
    assert_string_equal(err.field, "department");

    /* and their own sees none of it */
    args.department = 0;
    assert_int_equal(hd_view_staff_queue(unit_store, &viewer, &args,
                                         &arena->pool, &view, &err), HD_OK);
    json = as_json(view);
    assert_int_equal(json_integer_value(json_object_get(json, "total")), 0);
    json_decref(json);
}


static void
test_certificates(void **state)
{
    json_t           *json, *list, *c;
    hd_err_t          err;
    hd_val_t         *view, *item;
    hd_viewer_t       viewer;
    hd_account_t      a;
    const hd_str_t   *text, *word;

    (void) state;

    /* the API: the type's product and limit, the ISO day, codes */
    viewer_of(&viewer, alice, 0, &a);
    viewer.staff_route = 0;
    assert_int_equal(hd_view_certificates(unit_store, &viewer, 0,
                                          &arena->pool, &view, &err), HD_OK);
    json = as_json(view);
    list = json_object_get(json, "certificates");
    assert_int_equal(json_array_size(list), 1);
    c = json_array_get(list, 0);
    assert_string_equal(jstr(c, "number"), cert_number);
    assert_string_equal(jstr(c, "product"), "CSP");
    assert_string_equal(jstr(c, "type"), "Standard");
    assert_string_equal(jstr(c, "state"), "active");
    assert_string_equal(jstr(c, "holder"), "account");
    assert_int_equal(json_integer_value(json_object_get(c, "unclosed")), 1);
    assert_int_equal(json_integer_value(json_object_get(c, "limit")), 3);
    assert_non_null(jstr(c, "valid_until"));
    assert_int_equal(strlen(jstr(c, "valid_until")), 10);
    assert_null(json_object_get(c, "state_label"));
    assert_null(json_object_get(c, "contacts_max"));
    assert_null(json_object_get(json, "expired_count"));
    json_decref(json);

    /* the page: the state in words, its code for the style */
    viewer.page = 1;
    assert_int_equal(hd_view_certificates(unit_store, &viewer, 1,
                                          &arena->pool, &view, &err), HD_OK);
    hd_view_localize(&arena->pool, view, templates->catalog[HD_LANG_RU],
                     HD_LANG_RU);
    item = hd_val_get(view, "certificates", 12)->u.items.head->val;
    word = hd_i18n_text(templates->catalog[HD_LANG_RU], "certs.state_active");
    assert_non_null(word);
    text = hd_val_typed_text(hd_val_get(item, "state_label", 11));
    assert_non_null(text);
    assert_int_equal(text->len, word->len);
    assert_memory_equal(text->data, word->data, word->len);
    assert_memory_equal(hd_val_get(item, "state_code", 10)->u.str.data,
                        "active", 6);
    assert_true(hd_val_truthy(hd_val_get(item, "active", 6)));
    assert_true(hd_val_truthy(hd_val_get(view, "hide_expired", 12)));
    assert_int_equal(hd_val_get(view, "expired_count", 13)->u.integer, 0);

    /* another customer has none */
    viewer_of(&viewer, bob, 0, &a);
    assert_int_equal(hd_view_certificates(unit_store, &viewer, 0,
                                          &arena->pool, &view, &err), HD_OK);
    json = as_json(view);
    assert_int_equal(json_array_size(json_object_get(json, "certificates")),
                     0);
    json_decref(json);
}


static void
test_typed_json(void **state)
{
    json_t     *json;
    hd_val_t   *v;
    hd_pool_t  *pool = &arena->pool;

    (void) state;

    v = hd_val_map(pool);
    hd_val_set_time(pool, v, "none", 0);
    hd_val_set_time(pool, v, "at", 86400 + 3600 + 61);
    hd_val_set_day(pool, v, "day", hd_date_from_ymd(2027, 2, 28));
    hd_val_set_word(pool, v, "word", HD_WORD_STATUS, "solved");
    hd_val_set_word(pool, v, "nothing", HD_WORD_STATUS, NULL);
    hd_val_set(pool, v, "size", hd_val_size(pool, 12345));
    hd_val_set_page(pool, v, "hidden", hd_val_bool(1));

    json = as_json(v);
    assert_true(json_is_null(json_object_get(json, "none")));
    assert_string_equal(jstr(json, "at"), "1970-01-02T01:01:01Z");
    assert_string_equal(jstr(json, "day"), "2027-02-28");
    assert_string_equal(jstr(json, "word"), "solved");
    assert_true(json_is_null(json_object_get(json, "nothing")));
    assert_int_equal(json_integer_value(json_object_get(json, "size")), 12345);
    assert_null(json_object_get(json, "hidden"));
    json_decref(json);

    /* a page: the size in the reader's units, a missing word shows nothing */
    hd_view_localize(pool, v, templates->catalog[HD_LANG_EN], HD_LANG_EN);
    assert_non_null(hd_val_typed_text(hd_val_get(v, "size", 4)));
    assert_memory_equal(hd_val_typed_text(hd_val_get(v, "size", 4))->data,
                        "13 ", 3);
    assert_null(hd_val_typed_text(hd_val_get(v, "nothing", 7)));
    assert_memory_equal(hd_val_typed_text(hd_val_get(v, "day", 3))->data,
                        "28 Feb 2027", 11);
}


/* the words of tables' codes: looked up once per catalogue and kept by the
   caller (a worker); another catalogue or language does not use them */
static void
test_words_memo(void **state)
{
    hd_val_t         a, b, c;
    hd_viewer_t      viewer;
    hd_view_memo_t  *memo;
    hd_view_words_t  words;

    (void) state;

    memo = hd_pcalloc(&arena->pool, sizeof(hd_view_memo_t));
    assert_non_null(memo);

    memset(&viewer, 0, sizeof(viewer));
    viewer.page = 1;
    viewer.lang = HD_LANG_EN;
    viewer.catalog = templates->catalog[HD_LANG_EN];
    viewer.memo = memo;

    hd_view_words_init(&words, &viewer);
    hd_view_word_fill(&words, &a, HD_WORD_STATUS, hd_status_names[0]);
    assert_int_equal(memo->n, 1);
    assert_true(hd_str_same(hd_val_typed_text(&a),
                            hd_i18n_text(templates->catalog[HD_LANG_EN],
                                         "tickets.status_new")));

    /* the next view finds it kept: the same text, no new entry */
    hd_view_words_init(&words, &viewer);
    hd_view_word_fill(&words, &b, HD_WORD_STATUS, hd_status_names[0]);
    assert_int_equal(memo->n, 1);
    assert_ptr_equal(hd_val_typed_text(&b)->data,
                     hd_val_typed_text(&a)->data);

    /* Russian readers with the English memo: looked up, not taken */
    viewer.lang = HD_LANG_RU;
    viewer.catalog = templates->catalog[HD_LANG_RU];
    hd_view_words_init(&words, &viewer);
    assert_null(words.memo);
    hd_view_word_fill(&words, &c, HD_WORD_STATUS, hd_status_names[0]);
    assert_true(hd_str_same(hd_val_typed_text(&c),
                            hd_i18n_text(templates->catalog[HD_LANG_RU],
                                         "tickets.status_new")));
    assert_false(hd_str_same(hd_val_typed_text(&c),
                             hd_val_typed_text(&a)));
}


/* an account as the API shows it: read by id, or a missing one named */
static void
test_account(void **state)
{
    json_t       *json;
    hd_err_t      err;
    hd_val_t     *view;
    hd_viewer_t   viewer;
    hd_account_t  a;

    (void) state;

    viewer_of(&viewer, alice, 0, &a);
    assert_int_equal(hd_view_account(unit_store, &viewer, alice,
                                     &arena->pool, &view, &err), HD_OK);
    json = as_json(view);
    assert_int_equal(json_integer_value(json_object_get(json, "id")),
                     (json_int_t) alice);
    assert_string_equal(jstr(json, "login"), "alice");
    assert_string_equal(jstr(json, "email"), "alice@example.com");
    assert_string_equal(jstr(json, "role"), "customer");
    assert_true(json_is_null(json_object_get(json, "company")));
    assert_true(json_is_null(json_object_get(json, "email_bounced")));
    assert_true(json_is_array(json_object_get(json, "mail_mute")));
    json_decref(json);

    /* no such account: the error says which, and nothing is made */
    view = NULL;
    hd_err_clear(&err);
    assert_int_equal(hd_view_account(unit_store, &viewer, 999999,
                                     &arena->pool, &view, &err),
                     HD_NOT_FOUND);
    assert_null(view);
    assert_non_null(strstr(err.text, "999999"));
    assert_string_equal(err.code, "not_found");
}


/* the administrator's staff list: staff only, the API's fields; a page's
   forms (own account marked, departments to tick) stay out of JSON */
static void
test_admin_staff(void **state)
{
    size_t         i;
    json_t        *json, *list, *item, *mine;
    hd_err_t       err;
    hd_val_t      *view, *row, *choices;
    hd_viewer_t    viewer;
    hd_account_t   a;
    hd_val_item_t *it;

    (void) state;

    viewer_of(&viewer, admin, 0, &a);
    assert_int_equal(hd_view_admin_staff(unit_store, &viewer, &arena->pool,
                                         &view, &err), HD_OK);
    json = as_json(view);
    list = json_object_get(json, "staff");
    assert_int_equal(json_array_size(list), 2);
    mine = NULL;

    json_array_foreach(list, i, item) {
        assert_string_not_equal(json_string_value(json_object_get(item,
                                                                  "login")),
                                "alice");
        assert_null(json_object_get(item, "self"));
        assert_null(json_object_get(item, "roles"));

        if (json_integer_value(json_object_get(item, "id"))
            == (json_int_t) agent)
        {
            mine = item;
        }
    }

    assert_non_null(mine);
    assert_string_equal(json_string_value(json_object_get(mine, "role")),
                        "agent");
    assert_int_equal(json_array_size(json_object_get(mine, "departments")),
                     1);
    assert_null(json_object_get(json, "all_departments"));
    json_decref(json);

    /* the page: the administrator's own row cannot change its role */
    viewer_of(&viewer, admin, 1, &a);
    assert_int_equal(hd_view_admin_staff(unit_store, &viewer, &arena->pool,
                                         &view, &err), HD_OK);
    assert_non_null(hd_val_get(view, "all_departments", 15));

    for (it = hd_val_get(view, "staff", 5)->u.items.head; it; it = it->next) {
        row = it->val;
        assert_true(hd_val_get(row, "self", 4)->u.boolean
                    == (hd_val_get(row, "id", 2)->u.integer
                        == (int64_t) admin));
        choices = hd_val_get(row, "department_choices", 18);
        assert_non_null(choices);
    }

    /* one member, as a saved change answers; a customer is not staff */
    viewer_of(&viewer, admin, 0, &a);
    assert_int_equal(hd_view_admin_staff_member(unit_store, &viewer, agent,
                                                &arena->pool, &view, &err),
                     HD_OK);
    json = as_json(view);
    assert_string_equal(jstr(json, "login"), "agent");
    json_decref(json);

    hd_err_clear(&err);
    assert_int_equal(hd_view_admin_staff_member(unit_store, &viewer, alice,
                                                &arena->pool, &view, &err),
                     HD_NOT_FOUND);
    assert_string_equal(err.code, "not_found");
}


/* the departments with their staff counted; one of them; a page editing
   one that does not exist is told so */
static void
test_admin_departments(void **state)
{
    json_t        *json;
    hd_err_t       err;
    hd_val_t      *view;
    hd_viewer_t    viewer;
    hd_account_t   a;

    (void) state;

    viewer_of(&viewer, admin, 0, &a);
    assert_int_equal(hd_view_admin_departments(unit_store, &viewer, 0,
                                               &arena->pool, &view, &err),
                     HD_OK);
    json = as_json(view);
    assert_true(json_array_size(json_object_get(json, "departments")) >= 2);
    json_decref(json);

    assert_int_equal(hd_view_admin_department(unit_store, &viewer, 2,
                                              &arena->pool, &view, &err),
                     HD_OK);
    json = as_json(view);
    assert_int_equal(json_integer_value(json_object_get(json, "staff")), 1);
    json_decref(json);

    hd_err_clear(&err);
    assert_int_equal(hd_view_admin_department(unit_store, &viewer, 999,
                                              &arena->pool, &view, &err),
                     HD_NOT_FOUND);
    assert_non_null(strstr(err.text, "999"));

    viewer_of(&viewer, admin, 1, &a);
    assert_int_equal(hd_view_admin_departments(unit_store, &viewer, 2,
                                               &arena->pool, &view, &err),
                     HD_OK);
    assert_non_null(hd_val_get(view, "editing", 7));
    assert_int_equal(hd_view_admin_departments(unit_store, &viewer, 999,
                                               &arena->pool, &view, &err),
                     HD_NOT_FOUND);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_staff_ticket_json),
        cmocka_unit_test(test_staff_ticket_page),
        cmocka_unit_test(test_staff_ticket_unseen),
        cmocka_unit_test(test_customer_ticket),
        cmocka_unit_test(test_customer_list),
        cmocka_unit_test(test_staff_queue),
        cmocka_unit_test(test_certificates),
        cmocka_unit_test(test_typed_json),
        cmocka_unit_test(test_words_memo),
        cmocka_unit_test(test_account),
        cmocka_unit_test(test_admin_staff),
        cmocka_unit_test(test_admin_departments),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);

    return _cmocka_run_group_tests("views", tests,
                                   sizeof(tests) / sizeof(tests[0]), setup,
                                   teardown);
}

/*
 * Staff messages on a ticket: one write transaction each, the status moved
 * by the transition table, the customer told (but of internal notes).
 */

#include "hd_account.h"
#include "hd_store.h"
#include "hd_ticket_customer.h"
#include "hd_ticket_staff.h"


typedef struct {
    const hd_portal_t          *portal;
    const hd_staff_message_t   *sm;
    uint64_t                    now;
    hd_arena_t                 *arena;
    uint64_t                    message;
    uint8_t                     status;
} hd_staff_flow_t;


/* what each kind of message does: SPEC §5.2 and §7.1 */
static const struct {
    const char   *name;
    uint8_t       kind;
    uint8_t       action;       /* HD_ACTION_COUNT: none */
    const char   *mail;         /* NULL: the customer is not told */
} hd_staff_kinds[] = {
    { "reply", HD_MESSAGE_REPLY, HD_ACTION_STAFF_REPLY, "ticket_staff_reply" },
    { "note", HD_MESSAGE_NOTE, HD_ACTION_COUNT, NULL },
    { "info_request", HD_MESSAGE_INFO_REQUEST, HD_ACTION_INFO_REQUEST,
      "ticket_info_request" },
    { "solution", HD_MESSAGE_SOLUTION, HD_ACTION_SOLUTION,
      "ticket_solution" },
};

#define HD_STAFF_KINDS  (sizeof(hd_staff_kinds) / sizeof(hd_staff_kinds[0]))


int
hd_staff_kind_from_name(const hd_uchar *name, size_t len)
{
    size_t  i;

    for (i = 0; i < HD_STAFF_KINDS; i++) {
        if (strlen(hd_staff_kinds[i].name) == len
            && memcmp(hd_staff_kinds[i].name, name, len) == 0)
        {
            return hd_staff_kinds[i].kind;
        }
    }

    return -1;
}


static hd_rc
hd_staff_message_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    size_t                     i;
    hd_rc                      rc;
    hd_account_t               a;
    hd_ticket_t                t, old;
    hd_staff_flow_t           *f = arg;
    const hd_staff_message_t  *sm = f->sm;

    for (i = 0; i < HD_STAFF_KINDS; i++) {
        if (hd_staff_kinds[i].kind == sm->kind) {
            break;
        }
    }

    if (i == HD_STAFF_KINDS) {
        return hd_err_set(err, HD_INVALID, "kind", "message_kind_invalid",
                          "kind: reply, note, info_request or solution");
    }

    if (hd_account_get(txn, sm->actor, &a) != HD_OK
        || !hd_account_is_staff(&a))
    {
        return hd_err_set(err, HD_FORBIDDEN, NULL, "forbidden",
                          "only staff write staff messages");
    }

    if (hd_ticket_get(txn, sm->number, &t) != HD_OK) {
        return hd_err_set(err, HD_NOT_FOUND, NULL, "not_found",
                          "no ticket %llu", (unsigned long long) sm->number);
    }

    hd_ticket_copy(&f->arena->pool, &t);
    old = t;

    if (hd_status_closed(t.status) && sm->kind != HD_MESSAGE_NOTE) {
        return hd_err_set(err, HD_CONFLICT, NULL, "ticket_closed",
                          "ticket %llu is closed",
                          (unsigned long long) t.number);
    }

    rc = hd_ticket_post(txn, &t, sm->kind, HD_SIDE_STAFF, sm->actor,
                        sm->channel, &sm->body, sm->files, sm->nfiles, f->now,
                        &f->message, err);
    if (rc != HD_OK) {
        return rc;
    }

    if (hd_staff_kinds[i].action != HD_ACTION_COUNT) {
        rc = hd_ticket_act(txn, &t, (hd_action_e) hd_staff_kinds[i].action,
                           sm->actor, HD_SIDE_STAFF, f->now, err);
        if (rc != HD_OK) {
            return rc;
        }

        /* the first staff answer makes the answering agent its owner */
        if (t.owner == 0) {
            t.owner = sm->actor;
        }
    }

    rc = hd_ticket_put(txn, &old, &t, err);
    if (rc != HD_OK) {
        return rc;
    }

    f->status = t.status;

    if (hd_staff_kinds[i].mail == NULL) {
        return HD_OK;
    }

    return hd_ticket_notify(txn, f->portal, &f->arena->pool, &t,
                            hd_staff_kinds[i].mail, &sm->body, NULL,
                            sm->actor, f->now, err);
}


hd_rc
hd_ticket_staff_message(const hd_portal_t *portal,
    const hd_staff_message_t *sm, uint64_t now, uint64_t *message,
    uint8_t *status, hd_err_t *err)
{
    hd_rc            rc;
    hd_errors_t      errors;
    hd_staff_flow_t  f;

    memset(&errors, 0, sizeof(errors));
    hd_ticket_validate_body(&sm->body, "body", &errors);

    if (errors.n) {
        return hd_err_set(err, HD_INVALID, "body", errors.item[0].code,
                          "the message is not valid");
    }

    memset(&f, 0, sizeof(f));
    f.portal = portal;
    f.sm = sm;
    f.now = now;

    f.arena = hd_arena_create(8192);
    if (f.arena == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    rc = hd_txn_run(portal->store, hd_staff_message_txn, &f, err);

    hd_arena_destroy(f.arena);

    *message = f.message;
    *status = f.status;

    return rc;
}

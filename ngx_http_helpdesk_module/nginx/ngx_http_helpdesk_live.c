/*
 * Live pages: a ticket page asks every few seconds whether the ticket
 * changed (its version, one LMDB read) and, for staff, who else has it
 * open or is writing a reply (presence, in a shared memory zone of every
 * worker: seen within the last NGX_HTTP_HELPDESK_PRESENCE_TTL seconds).
 * Without JavaScript the pages work as before; nothing here writes LMDB.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_staff.h"
#include "hd_ticket.h"
#include "hd_ticket_customer.h"


#define NGX_HTTP_HELPDESK_PRESENCE_SLOTS  512
#define NGX_HTTP_HELPDESK_PRESENCE_TTL    15        /* seconds */
#define NGX_HTTP_HELPDESK_PRESENCE_NAME   96        /* bytes of a name */
#define NGX_HTTP_HELPDESK_PRESENCE_SHOWN  8         /* others in an answer */


/* ticket changes: [0] all, [1 + department % 64] each department's */
#define NGX_HTTP_HELPDESK_QUEUE_SLOTS     65

typedef struct {
    uint64_t          ticket;
    uint64_t          account;
    time_t            seen;
    ngx_uint_t        replying;
    size_t            name_len;
    u_char            name[NGX_HTTP_HELPDESK_PRESENCE_NAME];
} ngx_http_helpdesk_presence_t;


typedef struct {
    ngx_str_t         name;
    ngx_uint_t        replying;
} ngx_http_helpdesk_viewer_t;


static ngx_str_t  ngx_http_helpdesk_presence_zone_name =
    ngx_string("helpdesk_presence");

static ngx_slab_pool_t               *ngx_http_helpdesk_presence_pool;
static ngx_http_helpdesk_presence_t  *ngx_http_helpdesk_presence_slots;
static ngx_atomic_t                  *ngx_http_helpdesk_queue_changes;


/* hd_ticket_changed: counted in the zone, from any thread of any worker */
static void
ngx_http_helpdesk_ticket_changed(uint64_t department)
{
    if (ngx_http_helpdesk_queue_changes != NULL) {
        (void) ngx_atomic_fetch_add(&ngx_http_helpdesk_queue_changes[0], 1);
        (void) ngx_atomic_fetch_add(
                   &ngx_http_helpdesk_queue_changes[1 + department % 64], 1);
    }
}


static ngx_int_t
ngx_http_helpdesk_presence_init_zone(ngx_shm_zone_t *zone, void *data)
{
    ngx_slab_pool_t  *shpool;

    shpool = (ngx_slab_pool_t *) zone->shm.addr;
    ngx_http_helpdesk_presence_pool = shpool;

    hd_ticket_changed = ngx_http_helpdesk_ticket_changed;

    /* a reload keeps who is where: the change counters, then the places */
    if (data == NULL && zone->shm.exists) {
        data = shpool->data;
    }

    if (data == NULL) {
        data = ngx_slab_calloc(shpool,
                               NGX_HTTP_HELPDESK_QUEUE_SLOTS
                               * sizeof(ngx_atomic_t)
                               + NGX_HTTP_HELPDESK_PRESENCE_SLOTS
                               * sizeof(ngx_http_helpdesk_presence_t));
        if (data == NULL) {
            return NGX_ERROR;
        }

        shpool->data = data;
    }

    zone->data = data;
    ngx_http_helpdesk_queue_changes = data;
    ngx_http_helpdesk_presence_slots = (ngx_http_helpdesk_presence_t *)
        ((ngx_atomic_t *) data + NGX_HTTP_HELPDESK_QUEUE_SLOTS);

    return NGX_OK;
}


ngx_int_t
ngx_http_helpdesk_live_init(ngx_conf_t *cf)
{
    ngx_shm_zone_t  *zone;

    zone = ngx_shared_memory_add(cf, &ngx_http_helpdesk_presence_zone_name,
                                 NGX_HTTP_HELPDESK_QUEUE_SLOTS
                                 * sizeof(ngx_atomic_t)
                                 + NGX_HTTP_HELPDESK_PRESENCE_SLOTS
                                 * sizeof(ngx_http_helpdesk_presence_t)
                                 + 64 * 1024,
                                 &ngx_http_helpdesk_module);
    if (zone == NULL) {
        return NGX_ERROR;
    }

    zone->init = ngx_http_helpdesk_presence_init_zone;

    return NGX_OK;
}


/*
 * The caller is on the ticket (replying or not): noted; the others seen on
 * it recently, copied out (at most max)
 */
static ngx_uint_t
ngx_http_helpdesk_presence(ngx_pool_t *pool, uint64_t ticket,
    const hd_account_t *a, ngx_uint_t replying, time_t now,
    ngx_http_helpdesk_viewer_t *others, ngx_uint_t max)
{
    ngx_uint_t                     i, n;
    ngx_http_helpdesk_presence_t  *s, *mine, *free;

    if (ngx_http_helpdesk_presence_slots == NULL) {
        return 0;
    }

    n = 0;
    mine = NULL;
    free = NULL;

    ngx_shmtx_lock(&ngx_http_helpdesk_presence_pool->mutex);

    for (i = 0; i < NGX_HTTP_HELPDESK_PRESENCE_SLOTS; i++) {
        s = &ngx_http_helpdesk_presence_slots[i];

        if (s->ticket == 0 || now - s->seen > NGX_HTTP_HELPDESK_PRESENCE_TTL) {
            if (free == NULL) {
                free = s;
            }

            continue;
        }

        if (s->account == a->id) {
            /* one page at a time: the newest ticket it looks at */
            if (s->ticket == ticket || mine == NULL) {
                mine = s;
            }

            continue;
        }

        if (s->ticket == ticket && n < max) {
            others[n].name.data = ngx_pnalloc(pool, s->name_len);
            if (others[n].name.data != NULL) {
                ngx_memcpy(others[n].name.data, s->name, s->name_len);
                others[n].name.len = s->name_len;
                others[n].replying = s->replying;
                n++;
            }
        }
    }

    if (mine == NULL) {
        mine = free;
    }

    if (mine != NULL) {
        mine->ticket = ticket;
        mine->account = a->id;
        mine->seen = now;
        mine->replying = replying;
        mine->name_len = ngx_min(a->name.len, NGX_HTTP_HELPDESK_PRESENCE_NAME);
        ngx_memcpy(mine->name, a->name.data, mine->name_len);
    }

    ngx_shmtx_unlock(&ngx_http_helpdesk_presence_pool->mutex);

    return n;
}


/*
 * GET api/v1/tickets/{n}/live and api/v1/staff/tickets/{n}/live
 * [?replying=1]: {version, status, others: [{name, replying}]} (others for
 * staff only); never cached
 */
ngx_int_t
ngx_http_helpdesk_ticket_live(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    json_t                      *others, *item;
    hd_txn_t                     txn;
    uint64_t                     number;
    ngx_str_t                    arg;
    ngx_int_t                    rc;
    ngx_uint_t                   i, n, staff, replying;
    hd_ticket_t                  t;
    hd_staff_scope_t             scope;
    const hd_account_t          *a = ctx->caller.account;
    ngx_http_helpdesk_viewer_t   viewers[NGX_HTTP_HELPDESK_PRESENCE_SHOWN];

    number = ngx_http_helpdesk_ticket_arg(ctx);
    staff = (ctx->route->flags & NGX_HTTP_HELPDESK_STAFF) != 0;

    if (number == 0 || a == NULL) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, NULL)
        != HD_OK)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    rc = hd_ticket_get(&txn, number, &t) == HD_OK ? NGX_OK : NGX_DECLINED;

    /* who the ticket's own pages would show it: staff of its department,
       its author and the company members with the right */
    if (rc == NGX_OK) {
        if (staff) {
            rc = hd_staff_scope(&txn, a, &scope) == HD_OK
                 && hd_staff_sees(&scope, t.department) ? NGX_OK
                                                        : NGX_DECLINED;

        } else if (!(hd_ticket_rights(&txn, a, &t) & HD_TICKET_SEE)) {
            rc = NGX_DECLINED;
        }
    }

    hd_txn_abort(&txn);

    if (rc != NGX_OK) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    others = json_array();
    n = 0;

    if (staff) {
        replying = ngx_http_arg(r, (u_char *) "replying", 8, &arg) == NGX_OK
                   && arg.len == 1 && arg.data[0] == '1';

        n = ngx_http_helpdesk_presence(r->pool, number, a, replying,
                                       ngx_time(), viewers,
                                       NGX_HTTP_HELPDESK_PRESENCE_SHOWN);
    }

    for (i = 0; others != NULL && i < n; i++) {
        item = json_pack("{s:s%, s:b}", "name", viewers[i].name.data,
                         viewers[i].name.len, "replying",
                         (int) viewers[i].replying);
        if (item != NULL) {
            json_array_append_new(others, item);
        }
    }

    ngx_http_helpdesk_add_header(r, "Cache-Control", (u_char *) "no-store",
                                 sizeof("no-store") - 1);

    return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
               json_pack("{s:i, s:s, s:o}", "version", (json_int_t) t.version,
                         "status", hd_status_names[t.status % HD_STATUS_COUNT],
                         "others", others ? others : json_array()));
}


/*
 * What the staff queue shows can have changed: the count of ticket writes
 * in the departments it covers (one department, or all the caller sees),
 * by this nginx's workers and timer since its start (the CLI's are not
 * seen). Equal numbers: nothing changed.
 */
uint64_t
ngx_http_helpdesk_queue_version(const hd_staff_scope_t *scope,
    uint64_t department)
{
    size_t    i;
    uint64_t  v;

    if (ngx_http_helpdesk_queue_changes == NULL) {
        return 0;
    }

    if (department) {
        return ngx_http_helpdesk_queue_changes[1 + department % 64];
    }

    if (scope == NULL || scope->all) {
        return ngx_http_helpdesk_queue_changes[0];
    }

    for (v = 0, i = 0; i < scope->n; i++) {
        v += ngx_http_helpdesk_queue_changes[1 + scope->departments[i] % 64];
    }

    return v;
}


/* GET api/v1/staff/queue/live[?department=D]: {version} */
ngx_int_t
ngx_http_helpdesk_queue_live(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    off_t              d;
    hd_txn_t           txn;
    ngx_str_t          arg;
    ngx_uint_t         have;
    hd_staff_scope_t   scope;

    d = 0;

    if (ngx_http_arg(r, (u_char *) "department", 10, &arg) == NGX_OK
        && arg.len)
    {
        d = ngx_atoof(arg.data, arg.len);

        if (d <= 0) {
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "department_unknown",
                                           "department");
        }
    }

    have = 0;

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, NULL)
        == HD_OK)
    {
        have = hd_staff_scope(&txn, ctx->caller.account, &scope) == HD_OK;
        hd_txn_abort(&txn);
    }

    if (!have) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    /* a department's counter is news of its queue: the queue's rule */
    if (d && !hd_staff_sees(&scope, (uint64_t) d)) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_FORBIDDEN,
                                       "department_forbidden", "department");
    }

    ngx_http_helpdesk_add_header(r, "Cache-Control", (u_char *) "no-store",
                                 sizeof("no-store") - 1);

    return ngx_http_helpdesk_send_json(r, NGX_HTTP_OK,
               json_pack("{s:I}", "version",
                         (json_int_t) ngx_http_helpdesk_queue_version(
                             &scope, (uint64_t) d)));
}

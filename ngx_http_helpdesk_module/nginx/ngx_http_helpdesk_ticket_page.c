/*
 * A ticket as the customer sees it (SPEC §5.5): the page with its thread and
 * what its author may do, the confirmation after creating one, the rating
 * link's page, and attachments handed to nginx to send; and the pieces of
 * a message and a ticket's header the staff's page shares.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_date.h"
#include "hd_files.h"
#include "hd_product.h"
#include "hd_ticket_customer.h"
#include "hd_ticket_staff.h"


/* "340 bytes", "12 KB", "3.4 MB" */
hd_val_t *
ngx_http_helpdesk_size_text(ngx_http_helpdesk_ctx_t *ctx, uint64_t size)
{
    u_char           *p, *end;
    const hd_str_t   *unit;

    p = hd_palloc(&ctx->pool, 48);
    if (p == NULL) {
        return hd_val_null();
    }

    if (size < 1024) {
        unit = ngx_http_helpdesk_text(ctx, "tickets.bytes");
        end = ngx_sprintf(p, "%uL %V", size, unit);

    } else if (size < 1024 * 1024) {
        unit = ngx_http_helpdesk_text(ctx, "tickets.kb");
        end = ngx_sprintf(p, "%uL %V", (size + 1023) / 1024, unit);

    } else {
        unit = ngx_http_helpdesk_text(ctx, "tickets.mb");
        end = ngx_sprintf(p, "%uL.%uL %V", size / (1024 * 1024),
                          (size % (1024 * 1024)) * 10 / (1024 * 1024), unit);
    }

    return hd_val_str(&ctx->pool, p, end - p);
}


/* what the caller may do with the ticket now, for its page and the API */
typedef struct {
    unsigned          rights;
    ngx_uint_t        reply;
    ngx_uint_t        close;
    ngx_uint_t        reopen;
    ngx_uint_t        reopen_passed;
    ngx_uint_t        final;
    ngx_uint_t        rate;
    ngx_uint_t        edit;
    uint64_t          reopen_until;
} ngx_http_helpdesk_can_t;


static void
ngx_http_helpdesk_ticket_can(ngx_http_helpdesk_ctx_t *ctx,
    const hd_ticket_t *t, unsigned rights, ngx_http_helpdesk_can_t *can)
{
    ngx_memzero(can, sizeof(*can));

    can->rights = rights;

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

    can->reopen_until = hd_ticket_reopen_until(&ctx->mcf->tickets, t);

    if (can->reopen_until != 0 && (uint64_t) ngx_time() > can->reopen_until) {
        can->reopen_passed = 1;

    } else {
        can->reopen = (rights & HD_TICKET_ACT) != 0;
    }
}


void
ngx_http_helpdesk_message_jw(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_ticket_names_t *names, const hd_message_t *m,
    const hd_attachment_t *files, size_t nfiles, hd_jw_t *w)
{
    u_char  url[128], *p;
    size_t  i;

    hd_jw_object(w);
    hd_jw_key(w, "id");
    hd_jw_int(w, (int64_t) m->id);
    hd_jw_key(w, "kind");
    hd_jw_cstr(w, hd_message_kind_names[m->kind % HD_MESSAGE_KIND_COUNT]);
    hd_jw_key(w, "side");
    hd_jw_cstr(w, hd_side_names[m->side % HD_SIDE_COUNT]);
    hd_jw_key(w, "channel");
    hd_jw_cstr(w, hd_channel_names[m->channel % HD_CHANNEL_COUNT]);
    ngx_http_helpdesk_jw_kstr(w, "author",
                              ngx_http_helpdesk_account_name(names,
                                                             m->author));
    ngx_http_helpdesk_jw_kstr(w, "body", &m->body);
    hd_jw_key(w, "created");
    ngx_http_helpdesk_jw_time(w, m->created);

    /* staff are told a mail's sender may be forged */
    if ((m->flags & HD_MESSAGE_UNVERIFIED)
        && hd_account_is_staff(ctx->caller.account))
    {
        hd_jw_key(w, "unverified_sender");
        hd_jw_bool(w, 1);
    }

    hd_jw_key(w, "attachments");
    hd_jw_array(w);

    for (i = 0; i < nfiles; i++) {
        if (files[i].message != m->id) {
            continue;
        }

        p = ngx_sprintf(url, "%Vapi/v1/tickets/%uL/files/%uL",
                        &ctx->lcf->mount, m->ticket, files[i].id);

        ngx_http_helpdesk_file_jw(w, &files[i], url, p - url);
    }

    hd_jw_end(w, ']');

    if (m->kind == HD_MESSAGE_EVENT) {
        hd_jw_key(w, "event");
        hd_jw_object(w);
        hd_jw_key(w, "action");
        hd_jw_cstr(w, hd_action_names[m->action % HD_ACTION_COUNT]);
        hd_jw_key(w, "from");
        hd_jw_cstr(w, m->from < HD_STATUS_COUNT ? hd_status_names[m->from]
                                                : NULL);
        hd_jw_key(w, "to");
        hd_jw_cstr(w, m->to < HD_STATUS_COUNT ? hd_status_names[m->to]
                                              : NULL);
        hd_jw_end(w, '}');
    }

    hd_jw_end(w, '}');
}


hd_val_t *
ngx_http_helpdesk_message_view(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_ticket_names_t *names, const hd_message_t *m,
    const hd_attachment_t *files, size_t nfiles)
{
    u_char          *href, *p;
    size_t           i;
    hd_str_t        *author;
    hd_val_t        *item, *list, *f;
    hd_pool_t       *pool = &ctx->pool;

    item = hd_val_map(pool);
    author = ngx_http_helpdesk_account_name(names, m->author);

    hd_val_set_int(pool, item, "id", (int64_t) m->id);
    hd_val_set_cstr(pool, item, "kind",
                    hd_message_kind_names[m->kind % HD_MESSAGE_KIND_COUNT]);
    ngx_http_helpdesk_set_label(ctx, item, "kind_label",
                                NGX_HTTP_HELPDESK_L_KIND, m->kind);
    ngx_http_helpdesk_set_label(ctx, item, "side", NGX_HTTP_HELPDESK_L_SIDE,
                                m->side);
    hd_val_set_str(pool, item, "author", author->data, author->len);
    hd_val_set(pool, item, "created",
               ngx_http_helpdesk_time_text(ctx, m->created));
    hd_val_set_bool(pool, item, "staff", m->side == HD_SIDE_STAFF);
    hd_val_set_bool(pool, item, "by_email", m->channel == HD_CHANNEL_EMAIL
                                            && m->kind != HD_MESSAGE_EVENT);
    hd_val_set_bool(pool, item, "unverified",
                    (m->flags & HD_MESSAGE_UNVERIFIED)
                    && hd_account_is_staff(ctx->caller.account));

    if (m->kind == HD_MESSAGE_EVENT) {
        hd_val_set_bool(pool, item, "event", 1);
        ngx_http_helpdesk_set_label(ctx, item, "what",
                                    NGX_HTTP_HELPDESK_L_EVENT, m->action);

        if (m->to < HD_STATUS_COUNT) {
            ngx_http_helpdesk_set_label(ctx, item, "to",
                                        ngx_http_helpdesk_status_labels(ctx),
                                        m->to);
        }

        if (m->from < HD_STATUS_COUNT) {
            ngx_http_helpdesk_set_label(ctx, item, "from",
                                        ngx_http_helpdesk_status_labels(ctx),
                                        m->from);
        }

        /* an auto-close says why */
        if (m->action == HD_ACTION_AUTOCLOSE) {
            const hd_str_t  *why;

            why = ngx_http_helpdesk_text(ctx,
                                         m->from == HD_STATUS_SOLVED
                                         ? "tickets.autoclosed_solved"
                                         : "tickets.autoclosed_no_info");
            if (why != NULL) {
                hd_val_set_str(pool, item, "why", why->data, why->len);
            }
        }

        /* an SLA event names its clock (staff only see these) */
        if ((m->action == HD_ACTION_SLA_AT_RISK
             || m->action == HD_ACTION_SLA_BREACH)
            && m->body.len)
        {
            hd_val_set_str(pool, item, "clock", m->body.data, m->body.len);
        }

        return item;
    }

    hd_val_set_str(pool, item, "body", m->body.data, m->body.len);

    list = hd_val_list(pool);

    for (i = 0; i < nfiles; i++) {
        if (files[i].message != m->id) {
            continue;
        }

        href = hd_palloc(pool, ctx->lcf->mount.len + 64);
        if (href == NULL) {
            continue;
        }

        p = ngx_sprintf(href, "%Vtickets/%uL/files/%uL", &ctx->lcf->mount,
                        m->ticket, files[i].id);

        f = hd_val_map(pool);
        hd_val_set_str(pool, f, "name", files[i].name.data,
                       files[i].name.len);
        hd_val_set_str(pool, f, "href", href, p - href);
        hd_val_set(pool, f, "size", ngx_http_helpdesk_size_text(ctx,
                                                              files[i].size));
        hd_val_push(pool, list, f);
    }

    hd_val_set(pool, item, "attachments", list);
    hd_val_set_bool(pool, item, "has_attachments", list->u.items.n != 0);

    return item;
}


void
ngx_http_helpdesk_set_given(hd_pool_t *pool, hd_val_t *map, const char *key,
    const hd_str_t *s)
{
    if (s->len) {
        hd_val_set_str(pool, map, key, s->data, s->len);
    }
}


/* the ticket's fields shown in its header */
void
ngx_http_helpdesk_ticket_header(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_ticket_names_t *names, const hd_ticket_t *t,
    const hd_str_t *cert, const hd_str_t *product, hd_val_t *view)
{
    hd_str_t   *s;
    hd_pool_t  *pool = &ctx->pool;

    hd_val_set_int(pool, view, "number", (int64_t) t->number);
    hd_val_set_str(pool, view, "subject", t->subject.data, t->subject.len);
    hd_val_set(pool, view, "created", ngx_http_helpdesk_time_text(ctx,
                                                                t->created));
    hd_val_set(pool, view, "updated", ngx_http_helpdesk_time_text(ctx,
                                                                t->updated));

    s = ngx_http_helpdesk_department_name(names, t->department);
    hd_val_set_str(pool, view, "department", s->data, s->len);

    s = ngx_http_helpdesk_account_name(names, t->owner);
    hd_val_set_str(pool, view, "owner", s->data, s->len);

    s = ngx_http_helpdesk_account_name(names, t->author);
    hd_val_set_str(pool, view, "author", s->data, s->len);

    ngx_http_helpdesk_set_label(ctx, view, "type", NGX_HTTP_HELPDESK_L_TYPE,
                                t->type);
    ngx_http_helpdesk_set_category(ctx, names->txn, view, "category",
                                   t->category);
    ngx_http_helpdesk_set_label(ctx, view, "status",
                                ngx_http_helpdesk_status_labels(ctx),
                                t->status);
    ngx_http_helpdesk_set_label(ctx, view, "priority",
                                NGX_HTTP_HELPDESK_L_PRIORITY, t->priority);
    hd_val_set_cstr(pool, view, "status_code",
                    hd_status_names[t->status % HD_STATUS_COUNT]);
    hd_val_set_cstr(pool, view, "priority_code",
                    hd_priority_names[t->priority % HD_PRIORITY_COUNT]);

    ngx_http_helpdesk_set_label(ctx, view, "severity",
                                NGX_HTTP_HELPDESK_L_SEVERITY,
                                (t->severity >= 1 && t->severity <= 4)
                                ? t->severity - 1U : 3U);

    /* optional fields only when there: a template's section shows them */
    ngx_http_helpdesk_set_given(pool, view, "certificate", cert);
    ngx_http_helpdesk_set_given(pool, view, "product", product);
    ngx_http_helpdesk_set_given(pool, view, "product_version",
                                &t->product_version);
    ngx_http_helpdesk_set_given(pool, view, "os_version", &t->os_version);
    hd_val_set_bool(pool, view, "premium", t->premium != 0);
    hd_val_set_bool(pool, view, "closed", hd_status_closed(t->status));
    hd_val_set_int(pool, view, "version", t->version);

    if (t->reference) {
        hd_val_set_int(pool, view, "reference", (int64_t) t->reference);
    }

    if (t->rating) {
        hd_val_set_int(pool, view, "rating", t->rating);
        hd_val_set_str(pool, view, "rating_comment", t->rating_comment.data,
                       t->rating_comment.len);
    }
}


/*
 * A ticket (SPEC §5.5): header, thread oldest or newest first, attachments,
 * and the forms the caller may use; the form's errors when shown again
 */
ngx_int_t
ngx_http_helpdesk_ticket_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    size_t                             i, nmsg, nfiles;
    uint64_t                           number;
    hd_err_t                           err;
    hd_txn_t                           txn;
    hd_str_t                           cert, product;
    hd_val_t                          *view, *thread, *rating, *star;
    hd_jw_t                           *w;
    ngx_http_helpdesk_jw_t            *j;
    ngx_str_t                          order;
    hd_pool_t                         *pool = &ctx->pool;
    ngx_uint_t                         newest;
    hd_ticket_t                        t;
    hd_product_t                       p;
    hd_message_t                      *m;
    hd_attachment_t                   *files;
    ngx_http_helpdesk_can_t            can;
    ngx_http_helpdesk_ticket_names_t   names;

    static const char  *echo[] = { "body", NULL };

    number = ngx_http_helpdesk_ticket_arg(ctx);

    if (number == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (hd_ticket_get(&txn, number, &t) != HD_OK
        || !(hd_ticket_rights(&txn, ctx->caller.account, &t) & HD_TICKET_SEE))
    {
        /* someone else's ticket is no ticket at all */
        hd_txn_abort(&txn);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    hd_ticket_copy(pool, &t);
    ngx_http_helpdesk_ticket_can(ctx, &t,
                                 hd_ticket_rights(&txn, ctx->caller.account,
                                                  &t),
                                 &can);

    if (hd_message_list(&txn, t.number, 0, pool, &m, &nmsg) != HD_OK
        || hd_attachment_list(&txn, t.number, pool, &files, &nfiles) != HD_OK)
    {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&names, sizeof(names));
    names.txn = &txn;
    names.pool = pool;

    cert = ngx_http_helpdesk_ticket_cert(&txn, pool, &t);
    product.len = 0;
    product.data = (hd_uchar *) "";

    if (t.product && hd_product_get(&txn, t.product, &p) == HD_OK) {
        product.data = hd_pstrdup(pool, p.name.data, p.name.len);
        product.len = p.name.len;
    }

    if (ctx->api) {
        j = ngx_http_helpdesk_jw_new(r);
        if (j == NULL) {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        w = &j->w;

        hd_jw_object(w);
        hd_jw_key(w, "number");
        hd_jw_int(w, (int64_t) t.number);
        ngx_http_helpdesk_jw_kstr(w, "subject", &t.subject);
        hd_jw_key(w, "status");
        hd_jw_cstr(w, hd_status_names[t.status % HD_STATUS_COUNT]);
        hd_jw_key(w, "priority");
        hd_jw_cstr(w, hd_priority_names[t.priority % HD_PRIORITY_COUNT]);
        ngx_http_helpdesk_jw_kstr(w, "department",
            ngx_http_helpdesk_department_name(&names, t.department));
        ngx_http_helpdesk_jw_kopt(w, "owner",
            ngx_http_helpdesk_account_name(&names, t.owner));
        hd_jw_key(w, "type");
        hd_jw_cstr(w, hd_ticket_type_names[t.type % HD_TYPE_COUNT]);
        hd_jw_key(w, "category");
        hd_jw_cstr(w, ngx_http_helpdesk_category_name(ctx, &txn,
                                                      t.category));
        hd_jw_key(w, "severity");
        hd_jw_int(w, t.severity);
        ngx_http_helpdesk_jw_kopt(w, "certificate", &cert);
        ngx_http_helpdesk_jw_kopt(w, "product", &product);
        ngx_http_helpdesk_jw_kstr(w, "product_version", &t.product_version);
        ngx_http_helpdesk_jw_kstr(w, "os_version", &t.os_version);
        hd_jw_key(w, "channel");
        hd_jw_cstr(w, hd_channel_names[t.channel % HD_CHANNEL_COUNT]);
        hd_jw_key(w, "premium");
        hd_jw_bool(w, t.premium != 0);
        hd_jw_key(w, "regulations");
        hd_jw_int(w, (int64_t) t.regulations);
        ngx_http_helpdesk_form_jw(&t, w);
        hd_jw_key(w, "created");
        ngx_http_helpdesk_jw_time(w, t.created);
        hd_jw_key(w, "updated");
        ngx_http_helpdesk_jw_time(w, t.updated);
        ngx_http_helpdesk_jw_kstr(w, "author",
            ngx_http_helpdesk_account_name(&names, t.author));

        hd_jw_key(w, "rating");
        if (t.rating) {
            hd_jw_object(w);
            hd_jw_key(w, "stars");
            hd_jw_int(w, t.rating);
            ngx_http_helpdesk_jw_kstr(w, "comment", &t.rating_comment);
            hd_jw_end(w, '}');

        } else {
            hd_jw_null(w);
        }

        if (t.reference) {
            hd_jw_key(w, "reference");
            hd_jw_int(w, (int64_t) t.reference);
        }

        if (can.reopen_until) {
            hd_jw_key(w, "reopen_until");
            ngx_http_helpdesk_jw_time(w, can.reopen_until);
        }

        hd_jw_key(w, "can");
        hd_jw_object(w);
        hd_jw_key(w, "reply");
        hd_jw_bool(w, can.reply);
        hd_jw_key(w, "close");
        hd_jw_bool(w, can.close);
        hd_jw_key(w, "reopen");
        hd_jw_bool(w, can.reopen);
        hd_jw_key(w, "rate");
        hd_jw_bool(w, can.rate);
        hd_jw_key(w, "edit");
        hd_jw_bool(w, can.edit);
        hd_jw_end(w, '}');

        hd_jw_key(w, "messages");
        hd_jw_array(w);

        for (i = 0; i < nmsg; i++) {
            ngx_http_helpdesk_message_jw(ctx, &names, &m[i], files, nfiles,
                                         w);
        }

        hd_jw_end(w, ']');
        hd_jw_end(w, '}');

        hd_txn_abort(&txn);

        return ngx_http_helpdesk_jw_send(r, j, NGX_HTTP_OK);
    }

    view = ngx_http_helpdesk_view(r, ctx, NULL);
    if (view == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_val_set_str(pool, view, "title", t.subject.data, t.subject.len);
    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);
    ngx_http_helpdesk_ticket_header(ctx, &names, &t, &cert, &product, view);
    ngx_http_helpdesk_form_shown(ctx, &txn, &t, view);

    /* the correction form: what the ticket has, as choices */
    if (can.edit) {
        hd_str_t   chosen;
        u_char     sev[4];

        chosen.data = (hd_uchar *) hd_ticket_type_names[t.type
                                                        % HD_TYPE_COUNT];
        chosen.len = ngx_strlen(chosen.data);
        hd_val_set(pool, view, "edit_types",
                   ngx_http_helpdesk_choices(ctx, NGX_HTTP_HELPDESK_L_TYPE,
                                             &chosen, NULL));

        chosen.data = sev;
        chosen.len = ngx_sprintf(sev, "%ud", (unsigned) t.severity) - sev;
        hd_val_set(pool, view, "edit_severities",
                   ngx_http_helpdesk_choices(ctx,
                                             NGX_HTTP_HELPDESK_L_SEVERITY,
                                             &chosen, NULL));
        hd_val_set_str(pool, view, "edit_product_version",
                       t.product_version.data, t.product_version.len);
        hd_val_set_str(pool, view, "edit_os_version", t.os_version.data,
                       t.os_version.len);
        hd_val_set_bool(pool, view, "edit_by_colleague",
                        t.author != ctx->caller.account->id);

        if (ngx_http_helpdesk_form_edit_groups(ctx, &txn, &t, view, errors)
            != NGX_OK)
        {
            hd_txn_abort(&txn);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    newest = ngx_http_arg(r, (u_char *) "order", 5, &order) == NGX_OK
             && order.len == 6 && ngx_strncmp(order.data, "newest", 6) == 0;

    thread = hd_val_list(pool);

    for (i = 0; i < nmsg; i++) {
        hd_val_push(pool, thread,
                    ngx_http_helpdesk_message_view(ctx, &names,
                                                   &m[newest ? nmsg - 1 - i
                                                             : i],
                                                   files, nfiles));
    }

    hd_txn_abort(&txn);

    hd_val_set(pool, view, "thread", thread);
    hd_val_set_bool(pool, view, "newest_first", newest);
    hd_val_set_bool(pool, view, "can_reply", can.reply);
    hd_val_set_bool(pool, view, "can_close", can.close);
    hd_val_set_bool(pool, view, "can_reopen", can.reopen);
    hd_val_set_bool(pool, view, "reopen_passed", can.reopen_passed);
    hd_val_set_bool(pool, view, "final", can.final);
    hd_val_set_bool(pool, view, "can_rate", can.rate);
    hd_val_set_bool(pool, view, "can_edit", can.edit);
    hd_val_set_bool(pool, view, "solved", t.status == HD_STATUS_SOLVED);

    if (can.reopen && can.reopen_until) {
        hd_val_set(pool, view, "reopen_until",
                   ngx_http_helpdesk_time_text(ctx, can.reopen_until));
    }

    if (t.rating) {
        rating = hd_val_list(pool);

        for (i = 0; i < 5; i++) {
            star = hd_val_map(pool);
            hd_val_set_bool(pool, star, "on", i < t.rating);
            hd_val_push(pool, rating, star);
        }

        hd_val_set(pool, view, "stars", rating);
    }

    hd_val_set_int(pool, view, "files_max", ctx->mcf->tickets.files_max);
    hd_val_set_int(pool, view, "file_max_mb",
                   (int64_t) (ctx->mcf->tickets.file_max / (1024 * 1024)));

    return ngx_http_helpdesk_render(r, ctx, "pages/ticket", view, status);
}


ngx_int_t
ngx_http_helpdesk_ticket(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_ticket_page(r, ctx, NULL, NGX_HTTP_OK);
}


/* after creation: the number, and where to go */
ngx_int_t
ngx_http_helpdesk_ticket_created(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    uint64_t                           number;
    hd_err_t                           err;
    hd_txn_t                           txn;
    hd_str_t                           cert, product;
    hd_val_t                          *view;
    hd_ticket_t                        t;
    ngx_http_helpdesk_ticket_names_t   names;

    number = ngx_http_helpdesk_ticket_arg(ctx);

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (number == 0 || hd_ticket_get(&txn, number, &t) != HD_OK
        || !(hd_ticket_rights(&txn, ctx->caller.account, &t) & HD_TICKET_SEE))
    {
        hd_txn_abort(&txn);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    hd_ticket_copy(&ctx->pool, &t);

    view = ngx_http_helpdesk_view(r, ctx, "tickets.created_title");
    if (view == NULL) {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&names, sizeof(names));
    names.txn = &txn;
    names.pool = &ctx->pool;

    cert = ngx_http_helpdesk_ticket_cert(&txn, &ctx->pool, &t);
    product.len = 0;
    product.data = (hd_uchar *) "";

    ngx_http_helpdesk_ticket_header(ctx, &names, &t, &cert, &product, view);

    /* the articles suggested as it was written, once more */
    {
        hd_val_t  *list = hd_val_list(&ctx->pool);

        ngx_http_helpdesk_kb_shown(ctx, &txn, &t.kb_shown, list, NULL);
        hd_val_set(&ctx->pool, view, "kb_shown", list);
        hd_val_set_bool(&ctx->pool, view, "has_kb_shown",
                        list->u.items.n > 0);
    }

    hd_txn_abort(&txn);

    hd_val_set_bool(&ctx->pool, view, "no_certificate", t.certificate == 0);

    return ngx_http_helpdesk_render(r, ctx, "pages/ticket_created", view,
                                    NGX_HTTP_OK);
}


/*
 * The rating link of the closing e-mail: works without logging in, for the
 * ticket it was made for, until the ticket is rated
 */
ngx_int_t
ngx_http_helpdesk_ticket_rate_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    uint64_t     number;
    hd_str_t     token;
    hd_err_t     err;
    hd_txn_t     txn;
    hd_val_t    *view;
    hd_ticket_t  t;

    static const char  *echo[] = { "comment", NULL };

    number = ngx_http_helpdesk_ticket_arg(ctx);

    if (ngx_http_helpdesk_input_str(ctx, "t", &token) != NGX_OK
        || token.data == NULL)
    {
        if (ngx_http_helpdesk_secret_arg(r, "t", &token) != NGX_OK) {
            token.len = 0;
        }
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (number == 0 || hd_ticket_get(&txn, number, &t) != HD_OK
        || hd_ticket_rating_check(&txn, &t, &token) != HD_OK)
    {
        hd_txn_abort(&txn);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "link_invalid", NULL);
    }

    hd_ticket_copy(&ctx->pool, &t);
    hd_txn_abort(&txn);

    view = ngx_http_helpdesk_view(r, ctx, "tickets.rate_title");
    if (view == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_view_form(r, ctx, view, echo, errors);
    hd_val_set_int(&ctx->pool, view, "number", (int64_t) t.number);
    hd_val_set_str(&ctx->pool, view, "subject", t.subject.data,
                   t.subject.len);
    hd_val_set_str(&ctx->pool, view, "token", token.data, token.len);
    hd_val_set_bool(&ctx->pool, view, "rated", t.rating != 0);

    if (t.rating) {
        hd_val_set_int(&ctx->pool, view, "rating", t.rating);
    }

    return ngx_http_helpdesk_render(r, ctx, "pages/ticket_rate", view,
                                    status);
}


ngx_int_t
ngx_http_helpdesk_ticket_rate_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    return ngx_http_helpdesk_ticket_rate_page(r, ctx, NULL, NGX_HTTP_OK);
}


/*
 * The types a file is sent with as it was uploaded: a few images, PDF and
 * plain text, which no browser runs. Anything else (HTML, SVG, the script
 * types browsers run from <script src> whatever nosniff says, such as
 * text/jscript) is sent as application/octet-stream: an allow-list, for a
 * deny-list misses the type nobody thought of.
 */
static ngx_uint_t
ngx_http_helpdesk_safe_type(const hd_str_t *type)
{
    size_t       len;
    ngx_uint_t   i;

    static const ngx_str_t  safe[] = {
        ngx_string("image/png"),
        ngx_string("image/jpeg"),
        ngx_string("image/gif"),
        ngx_string("image/webp"),
        ngx_string("application/pdf"),
        ngx_string("text/plain"),
        ngx_null_string
    };

    /* the media type without its parameters ("; charset=...") */
    for (len = 0; len < type->len && type->data[len] != ';'
                  && type->data[len] != ' '; len++)
    {
        /* void */
    }

    for (i = 0; safe[i].len; i++) {
        if (len == safe[i].len
            && ngx_strncasecmp(type->data, safe[i].data, len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * Content-Disposition: attachment (or inline), with the name as ASCII for
 * old clients and as UTF-8 in filename* (RFC 6266, RFC 5987)
 */
static ngx_int_t
ngx_http_helpdesk_disposition(ngx_http_request_t *r, const hd_str_t *name,
    ngx_uint_t inl)
{
    u_char      *v, *p;
    size_t       i;
    u_char       c;

    static const char  hex[] = "0123456789ABCDEF";

    v = ngx_pnalloc(r->pool, sizeof("attachment; filename=\"\"; "
                                    "filename*=UTF-8''") + 4 * name->len);
    if (v == NULL) {
        return NGX_ERROR;
    }

    p = inl ? ngx_cpymem(v, "inline; filename=\"", 18)
            : ngx_cpymem(v, "attachment; filename=\"", 22);

    for (i = 0; i < name->len; i++) {
        c = name->data[i];
        *p++ = (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '%')
               ? '_' : c;
    }

    p = ngx_cpymem(p, "\"; filename*=UTF-8''", 20);

    for (i = 0; i < name->len; i++) {
        c = name->data[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || ngx_strchr("!#$&+-.^_`|~", c))
        {
            *p++ = c;

        } else {
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 0x0f];
        }
    }

    return ngx_http_helpdesk_add_header(r, "Content-Disposition", v, p - v);
}


/*
 * An attachment: the same access as its ticket (an internal note's are
 * staff's), then nginx sends the stored file itself: an internal redirect
 * to the internal location over the file store
 */
ngx_int_t
ngx_http_helpdesk_ticket_file(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int               staff;
    off_t             id;
    uint64_t          number;
    hd_err_t          err;
    hd_txn_t          txn;
    ngx_int_t         rc;
    hd_ticket_t       t;
    hd_message_t      m;
    hd_attachment_t   a;

    number = ngx_http_helpdesk_ticket_arg(ctx);
    id = ctx->nargs > 1 && ctx->args[1].len < 16
         ? ngx_atoof(ctx->args[1].data, ctx->args[1].len) : NGX_ERROR;

    if (number == 0 || id <= 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    /* staff of the ticket's departments see it all, notes' files too */
    staff = hd_account_is_staff(ctx->caller.account)
            && hd_ticket_staff_get(&txn, ctx->caller.account, number, &t)
               == HD_OK;

    if ((!staff
         && (hd_ticket_get(&txn, number, &t) != HD_OK
             || !(hd_ticket_rights(&txn, ctx->caller.account, &t)
                  & HD_TICKET_SEE)))
        || hd_attachment_get(&txn, number, (uint64_t) id, &a) != HD_OK
        || hd_message_get(&txn, number, a.message, &m) != HD_OK
        || (m.kind == HD_MESSAGE_NOTE && !staff)
        || a.sha256.len != HD_SHA256_LEN)
    {
        hd_txn_abort(&txn);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    rc = hd_record_strings_copy(&hd_attachment_desc, &a, &ctx->pool);
    hd_txn_abort(&txn);

    if (rc != 0) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_helpdesk_file_send(r, ctx, &a, 0);
}


/* a file as the API describes it */
void
ngx_http_helpdesk_file_jw(hd_jw_t *w, const hd_attachment_t *f,
    const u_char *url, size_t len)
{
    hd_jw_object(w);
    hd_jw_key(w, "id");
    hd_jw_int(w, (int64_t) f->id);
    ngx_http_helpdesk_jw_kstr(w, "name", &f->name);
    ngx_http_helpdesk_jw_kstr(w, "type", &f->type);
    hd_jw_key(w, "size");
    hd_jw_int(w, (int64_t) f->size);
    hd_jw_key(w, "url");
    hd_jw_str(w, (hd_uchar *) url, len);
    hd_jw_end(w, '}');
}


/*
 * A stored file sent by nginx itself: an internal redirect to the internal
 * location over the file store. The record's strings are copied first (the
 * caller's transaction may end before the answer is made). Images are shown
 * in the page with FILE_INLINE; FILE_PUBLIC may be cached by anyone.
 */
ngx_int_t
ngx_http_helpdesk_file_send(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const hd_attachment_t *a, ngx_uint_t flags)
{
    char       rel[HD_FILE_REL_LEN + 1];
    hd_str_t   type, name;
    ngx_str_t  uri;
    ngx_uint_t safe;

    if (a->sha256.len != HD_SHA256_LEN) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    hd_file_rel_path(a->sha256.data, rel);

    name.data = hd_pstrdup(&ctx->pool, a->name.data, a->name.len);
    name.len = a->name.len;
    type.data = hd_pstrdup(&ctx->pool, a->type.data, a->type.len);
    type.len = a->type.len;

    if (name.data == NULL || type.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    safe = ngx_http_helpdesk_safe_type(&type);

    if (ngx_http_helpdesk_disposition(r, &name,
                                      safe && (flags
                                               & NGX_HTTP_HELPDESK_FILE_INLINE)
                                      && type.len > 6
                                      && ngx_strncasecmp(type.data,
                                                         (u_char *) "image/",
                                                         6) == 0)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (!safe) {
        ngx_str_set(&r->headers_out.content_type,
                    "application/octet-stream");

    } else {
        r->headers_out.content_type.data = type.data;
        r->headers_out.content_type.len = type.len;
    }

    r->headers_out.content_type_len = r->headers_out.content_type.len;

    ngx_http_helpdesk_security_headers(r);

    if (flags & NGX_HTTP_HELPDESK_FILE_PUBLIC) {
        ngx_http_helpdesk_add_header(r, "Cache-Control",
                                     (u_char *) "public, max-age=3600", 20);

    } else {
        ngx_http_helpdesk_add_header(r, "Cache-Control",
                                     (u_char *) "private, no-store", 17);
    }

    uri.len = ctx->mcf->files_uri.len + HD_FILE_REL_LEN;
    uri.data = ngx_pnalloc(r->pool, uri.len);
    if (uri.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(ngx_cpymem(uri.data, ctx->mcf->files_uri.data,
                          ctx->mcf->files_uri.len),
               rel, HD_FILE_REL_LEN);

    return ngx_http_internal_redirect(r, &uri, NULL);
}

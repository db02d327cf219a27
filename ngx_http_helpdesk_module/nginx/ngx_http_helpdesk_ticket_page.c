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






void
ngx_http_helpdesk_set_given(hd_pool_t *pool, hd_val_t *map, const char *key,
    const hd_str_t *s)
{
    if (s->len) {
        hd_val_set_str(pool, map, key, s->data, s->len);
    }
}


/* the page's own parts: the form's echo and errors, the extra fields and
   their correction form, the files one may attach */
static ngx_int_t
ngx_http_helpdesk_ticket_parts(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_val_t *page, void *data)
{
    hd_txn_t                         txn;
    hd_err_t                         err;
    ngx_int_t                        rc;
    hd_ticket_t                      t;
    const hd_val_t                  *number, *can_edit;
    ngx_http_helpdesk_ticket_view_t *tv = data;

    static const char  *echo[] = { "body", NULL };

    ngx_http_helpdesk_view_form(r, ctx, page, echo, tv->errors);
    hd_val_set_int(&ctx->pool, page, "files_max",
                   ctx->mcf->tickets.files_max);
    hd_val_set_int(&ctx->pool, page, "file_max_mb",
                   (int64_t) (ctx->mcf->tickets.file_max / (1024 * 1024)));

    number = hd_val_get(tv->view, "number", 6);
    can_edit = hd_val_get(tv->view, "can_edit", 8);

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED, &err)
        != HD_OK)
    {
        return ngx_http_helpdesk_fail(r, ctx, &err);
    }

    if (number == NULL
        || hd_ticket_get(&txn, (uint64_t) number->u.integer, &t) != HD_OK)
    {
        hd_txn_abort(&txn);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_helpdesk_form_shown(ctx, &txn, &t, page);
    rc = NGX_OK;

    if (hd_val_truthy(can_edit)
        && ngx_http_helpdesk_form_edit_groups(ctx, &txn, &t, page,
                                              tv->errors)
           != NGX_OK)
    {
        rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    hd_txn_abort(&txn);

    return rc;
}


/*
 * A ticket (SPEC §5.5) for its customer, the page and the API: one view
 * (hd_view_ticket); the page shows the form's errors when shown again
 */
ngx_int_t
ngx_http_helpdesk_ticket_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status)
{
    return ngx_http_helpdesk_ticket_view_send(r, ctx, hd_view_ticket,
                                              "pages/ticket",
                                              ngx_http_helpdesk_ticket_parts,
                                              errors, status);
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
    return ngx_http_helpdesk_ticket_view_send(r, ctx, hd_view_ticket_created,
                                              "pages/ticket_created", NULL,
                                              NULL, NGX_HTTP_OK);
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

/*
 * Request bodies: HTML forms (application/x-www-form-urlencoded) and JSON,
 * bounded in size, read into one JSON object of fields that handlers read
 * by name. Bad bodies are answered here with a 4xx that names the problem.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_text.h"


static void ngx_http_helpdesk_input_cleanup(void *data);
static ngx_int_t ngx_http_helpdesk_parse_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, u_char *p, size_t len);


/* the body as one piece of memory, from buffers or nginx's temp file */
static ngx_int_t
ngx_http_helpdesk_body_text(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_str_t *text)
{
    off_t         len;
    u_char       *p;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    text->len = 0;
    text->data = (u_char *) "";

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        len += ngx_buf_size(cl->buf);
    }

    if (len > ctx->body_max) {
        return NGX_DECLINED;
    }

    p = ngx_pnalloc(r->pool, len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    text->data = p;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            n = ngx_read_file(b->file, p, b->file_last - b->file_pos,
                              b->file_pos);
            if (n != b->file_last - b->file_pos) {
                return NGX_ERROR;
            }

            p += n;
            continue;
        }

        p = ngx_cpymem(p, b->pos, b->last - b->pos);
    }

    *p = '\0';
    text->len = p - text->data;

    return NGX_OK;
}


ngx_uint_t
ngx_http_helpdesk_content_type_is(ngx_http_request_t *r, const char *type)
{
    size_t      len;
    ngx_str_t  *ct;

    if (r->headers_in.content_type == NULL) {
        return 0;
    }

    ct = &r->headers_in.content_type->value;
    len = ngx_strlen(type);

    return ct->len >= len
           && ngx_strncasecmp(ct->data, (u_char *) type, len) == 0
           && (ct->len == len || ct->data[len] == ';' || ct->data[len] == ' ');
}


/*
 * A body jansson refused for an integer past 64 bits ("too big integer"):
 * the field that holds it, found by reading it again with every integer a
 * real (the name copied into the pool); NULL when that is not why
 */
static const char *
ngx_http_helpdesk_json_big(ngx_pool_t *pool, const ngx_str_t *text)
{
    void        *iter;
    size_t       len;
    json_t      *all, *v;
    u_char      *copy;
    const char  *key, *found = NULL;

    all = json_loadb((char *) text->data, text->len,
                     JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL
                     | JSON_DECODE_INT_AS_REAL, NULL);

    if (all == NULL || !json_is_object(all)) {
        json_decref(all);
        return NULL;
    }

    for (iter = json_object_iter(all); iter && !found;
         iter = json_object_iter_next(all, iter))
    {
        key = json_object_iter_key(iter);
        v = json_object_iter_value(iter);

        if (json_is_real(v)
            && (json_real_value(v) >= 9223372036854775807.0
                || json_real_value(v) <= -9223372036854775808.0))
        {
            len = ngx_strlen(key) + 1;
            copy = ngx_pnalloc(pool, len);

            if (copy != NULL) {
                ngx_cpystrn(copy, (u_char *) key, len);
                found = (const char *) copy;
            }
        }
    }

    json_decref(all);

    return found;
}


/* reads the fields of the body into ctx->input: a gate */
ngx_int_t
ngx_http_helpdesk_read_input(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_int_t            rc;
    ngx_str_t            text;
    const char          *field;
    json_error_t         jerr;
    ngx_pool_cleanup_t  *cln;

    ctx->input = json_object();
    if (ctx->input == NULL) {
        return ngx_http_helpdesk_answered(ctx,
                                          NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        json_decref(ctx->input);
        ctx->input = NULL;
        return ngx_http_helpdesk_answered(ctx,
                                          NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    cln->handler = ngx_http_helpdesk_input_cleanup;
    cln->data = ctx;

    rc = ngx_http_helpdesk_body_text(r, ctx, &text);

    if (rc == NGX_DECLINED) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx,
                                           NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                           "body_too_large", NULL));
    }

    if (rc != NGX_OK) {
        return ngx_http_helpdesk_answered(ctx,
                                          NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    if (ctx->api) {
        if (text.len == 0) {
            return NGX_OK;
        }

        if (!ngx_http_helpdesk_content_type_is(r, "application/json")) {
            return ngx_http_helpdesk_answered(ctx,
                       ngx_http_helpdesk_error(r, ctx,
                                       NGX_HTTP_UNSUPPORTED_MEDIA_TYPE,
                                       "json_required", NULL));
        }

        json_decref(ctx->input);

        /* \u0000 is loaded, for the field's reader to refuse by its name */
        ctx->input = json_loadb((char *) text.data, text.len,
                                JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
                                &jerr);

        if (ctx->input == NULL) {
            field = ngx_http_helpdesk_json_big(r->pool, &text);

            if (field != NULL) {
                return ngx_http_helpdesk_answered(ctx,
                           ngx_http_helpdesk_error(r, ctx,
                                                   NGX_HTTP_BAD_REQUEST,
                                                   "number_too_large",
                                                   field));
            }
        }

        if (ctx->input == NULL || !json_is_object(ctx->input)) {
            return ngx_http_helpdesk_answered(ctx,
                       ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                               "json_invalid", NULL));
        }

        ctx->json = 1;

        return NGX_OK;
    }

    if (text.len
        && !ngx_http_helpdesk_content_type_is(
               r, "application/x-www-form-urlencoded"))
    {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx,
                                           NGX_HTTP_UNSUPPORTED_MEDIA_TYPE,
                                           "form_required", NULL));
    }

    return ngx_http_helpdesk_parse_form(r, ctx, text.data, text.len);
}


static void
ngx_http_helpdesk_input_cleanup(void *data)
{
    ngx_http_helpdesk_ctx_t  *ctx = data;

    if (ctx->input != NULL) {
        json_decref(ctx->input);
        ctx->input = NULL;
    }
}


/* name=value&...: '+' is a space, %XX a byte; fields must be UTF-8 */
static ngx_int_t
ngx_http_helpdesk_parse_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, u_char *p, size_t len)
{
    u_char     *end, *amp, *eq, *name, *value, *dst, *src, *q;
    size_t      nlen, vlen;
    json_t     *s;
    ngx_uint_t  fields = 0;

    end = p + len;

    while (p < end) {
        amp = ngx_strlchr(p, end, '&');
        if (amp == NULL) {
            amp = end;
        }

        eq = ngx_strlchr(p, amp, '=');
        if (eq == NULL) {
            eq = amp;
        }

        if (++fields > 100) {
            return ngx_http_helpdesk_answered(ctx,
                       ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                               "form_invalid", NULL));
        }

        /* decoded in place: the body is ours */
        for (q = p; q < amp; q++) {
            if (*q == '+') {
                *q = ' ';
            }
        }

        name = dst = p;
        src = p;
        ngx_unescape_uri(&dst, &src, eq - p, 0);
        nlen = dst - name;

        value = dst = (eq < amp) ? eq + 1 : amp;
        src = value;
        ngx_unescape_uri(&dst, &src, amp - value, 0);
        vlen = dst - value;

        p = amp + 1;

        if (nlen == 0) {
            continue;
        }

        name[nlen] = '\0';

        if (!hd_utf8_valid(value, vlen)
            || (vlen && (s = json_stringn((char *) value, vlen)) == NULL))
        {
            return ngx_http_helpdesk_answered(ctx,
                       ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                               "invalid_utf8",
                                               (char *) name));
        }

        if (vlen == 0) {
            s = json_string("");
        }

        /* a field given twice keeps its first value */
        if (json_object_get(ctx->input, (char *) name) == NULL) {
            json_object_set_new(ctx->input, (char *) name, s);

        } else {
            json_decref(s);
        }
    }

    return NGX_OK;
}


/* fields made by a handler (a token from a link), freed with the request */
ngx_int_t
ngx_http_helpdesk_input_set(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, json_t *input)
{
    ngx_pool_cleanup_t  *cln;

    if (input == NULL) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        json_decref(input);
        return NGX_ERROR;
    }

    cln->handler = ngx_http_helpdesk_input_cleanup;
    cln->data = ctx;
    ctx->input = input;

    return NGX_OK;
}


/*
 * A text field: NGX_OK with the value (data NULL when the field is absent),
 * or NGX_DECLINED when it is there but not text
 */
ngx_int_t
ngx_http_helpdesk_input_str(ngx_http_helpdesk_ctx_t *ctx, const char *name,
    hd_str_t *value)
{
    json_t  *v;

    value->data = NULL;
    value->len = 0;

    v = ctx->input ? json_object_get(ctx->input, name) : NULL;

    if (v == NULL || json_is_null(v)) {
        return NGX_OK;
    }

    if (!json_is_string(v)) {
        return NGX_DECLINED;
    }

    value->data = (hd_uchar *) json_string_value(v);
    value->len = json_string_length(v);

    if (memchr(value->data, '\0', value->len) != NULL) {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * Reads the named text fields into values[], trimmed unless asked not to
 * (passwords): a gate, answering 400 or 422 for a field that is not text
 * or is too long
 */
ngx_int_t
ngx_http_helpdesk_input_fields(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const ngx_http_helpdesk_field_t *fields,
    hd_str_t *values)
{
    ngx_uint_t  i;

    for (i = 0; fields[i].name; i++) {
        if (ngx_http_helpdesk_input_str(ctx, fields[i].name, &values[i])
            != NGX_OK)
        {
            return ngx_http_helpdesk_answered(ctx,
                       ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                               "field_not_text",
                                               fields[i].name));
        }

        if (!fields[i].raw && values[i].data != NULL) {
            hd_text_trim(&values[i]);
        }

        if (values[i].len > fields[i].max) {
            return ngx_http_helpdesk_answered(ctx,
                       ngx_http_helpdesk_error(r, ctx, 422, "field_too_long",
                                               fields[i].name));
        }
    }

    return NGX_OK;
}


/*
 * The forms ask for a new password twice (the API once): a "confirm" value
 * that is there and differs is an error of that field
 */
ngx_int_t
ngx_http_helpdesk_confirmed(const hd_str_t *password, const hd_str_t *confirm,
    const char *field, hd_errors_t *errors)
{
    if (confirm->data == NULL
        || (confirm->len == password->len
            && ngx_memcmp(confirm->data, password->data, password->len) == 0))
    {
        return NGX_OK;
    }

    hd_errors_add(errors, field, "password_mismatch");

    return NGX_DECLINED;
}


/*
 * A whole number field, as a JSON number or as a form's text: its value,
 * -1 when absent (or a form's empty), -2 when it is not a number of 0 or
 * more (in JSON also "", a real, a boolean, an array or an object)
 */
int64_t
ngx_http_helpdesk_input_number(ngx_http_helpdesk_ctx_t *ctx, const char *name)
{
    json_t     *v;
    ngx_int_t   n;

    v = ctx->input ? json_object_get(ctx->input, name) : NULL;

    if (v == NULL || json_is_null(v)) {
        return -1;
    }

    if (json_is_integer(v)) {
        return json_integer_value(v) >= 0 ? json_integer_value(v) : -2;
    }

    if (!json_is_string(v)) {
        return -2;
    }

    /* a form's empty field is no value; JSON's "" is not a number */
    if (json_string_length(v) == 0) {
        return ctx->json ? -2 : -1;
    }

    n = ngx_atoi((u_char *) json_string_value(v), json_string_length(v));

    return n == NGX_ERROR ? -2 : n;
}

/*
 * Request bodies: HTML forms (application/x-www-form-urlencoded) and JSON,
 * bounded in size, read into one JSON object of fields that handlers read
 * by name. Bad bodies are answered here with a 4xx that names the problem.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_input.h"
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

        if (b->last > b->pos) {         /* an empty one may have no memory */
            p = ngx_cpymem(p, b->pos, b->last - b->pos);
        }
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


/* reads the fields of the body into ctx->input: a gate */
ngx_int_t
ngx_http_helpdesk_read_input(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_int_t            rc;
    ngx_str_t            text;
    hd_err_t             err;
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

        ctx->input = hd_input_json(text.data, text.len, &ctx->pool, &err);

        if (ctx->input == NULL) {
            return ngx_http_helpdesk_answered(ctx,
                       ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                               err.code, err.field));
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


/* name=value&...: decoded in place (the body is ours) */
static ngx_int_t
ngx_http_helpdesk_parse_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, u_char *p, size_t len)
{
    hd_err_t  err;

    if (hd_input_form(ctx->input, p, len, &ctx->pool, &err) != HD_OK) {
        return ngx_http_helpdesk_answered(ctx,
                   ngx_http_helpdesk_error(r, ctx,
                                           err.rc == HD_NOMEM
                                           ? NGX_HTTP_INTERNAL_SERVER_ERROR
                                           : NGX_HTTP_BAD_REQUEST,
                                           err.code, err.field));
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
    return hd_input_str(ctx->input, name, value) == 0 ? NGX_OK
                                                      : NGX_DECLINED;
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
    return hd_input_number(ctx->input, name, ctx->json);
}

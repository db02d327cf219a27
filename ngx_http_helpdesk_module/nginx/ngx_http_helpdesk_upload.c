/*
 * Uploads (SPEC §5.7): a multipart/form-data body, which nginx has written
 * to a temporary file, parsed in a thread in pieces: text fields into the
 * request's fields, files into the file store's temporary files within the
 * limits (helpdesk_upload_limits). A file is stored for good only when a
 * flow takes it; the rest are removed with the request.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_files.h"
#include "hd_multipart.h"
#include "hd_text.h"


#define NGX_HTTP_HELPDESK_READ_CHUNK   65536
#define NGX_HTTP_HELPDESK_PARTS_MAX    64


typedef struct {
    ngx_http_helpdesk_job_t          job;
    ngx_chain_t                     *bufs;
    hd_str_t                         boundary;
    json_t                          *input;
    ngx_http_helpdesk_upload_t      *uploads;
    ngx_uint_t                       n;
    ngx_uint_t                       max;
    uint64_t                         total;
    hd_file_writer_t                 writer;
    ngx_uint_t                       writing;
    char                             bad_field[64];
} ngx_http_helpdesk_mp_job_t;


static void ngx_http_helpdesk_uploads_cleanup(void *data);
static void ngx_http_helpdesk_multipart_work(void *data, ngx_log_t *log);
static ngx_int_t ngx_http_helpdesk_multipart_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data);


/* the body's limit for a route that takes uploads, by its content type */
off_t
ngx_http_helpdesk_upload_body_max(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    if (ngx_http_helpdesk_content_type_is(r, "multipart/form-data")) {
        ctx->multipart = 1;

        /* nginx keeps it in a file, never all in memory, and quietly */
        r->request_body_in_file_only = 1;
        r->request_body_in_clean_file = 1;
        r->request_body_file_log_level = 0;

        return (off_t) (ctx->mcf->tickets.message_max
                        + NGX_HTTP_HELPDESK_UPLOAD_EXTRA);
    }

    return NGX_HTTP_HELPDESK_MAX_TEXT;
}


/* parses the multipart body in a thread: NGX_DONE, or an answer */
ngx_int_t
ngx_http_helpdesk_read_multipart(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    hd_str_t                     boundary;
    ngx_pool_cleanup_t          *cln;
    ngx_http_helpdesk_mp_job_t  *j;

    if (ngx_http_helpdesk_multipart_boundary(r, &boundary) != NGX_OK) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                       "multipart_invalid", NULL);
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->bufs = r->request_body ? r->request_body->bufs : NULL;
    j->boundary = boundary;
    j->max = ctx->mcf->tickets.files_max;
    j->writer.fd = -1;

    j->uploads = ngx_pcalloc(r->pool, (j->max + 1)
                                      * sizeof(ngx_http_helpdesk_upload_t));
    if (j->uploads == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* whatever happens, temporary files leave with the request */
    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_helpdesk_uploads_cleanup;
    cln->data = j;

    ctx->uploads = j->uploads;

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_multipart_work,
                                     ngx_http_helpdesk_multipart_done, j);
}


ngx_int_t
ngx_http_helpdesk_multipart_boundary(ngx_http_request_t *r,
    hd_str_t *boundary)
{
    ngx_str_t  *ct;

    if (r->headers_in.content_type == NULL) {
        return NGX_DECLINED;
    }

    ct = &r->headers_in.content_type->value;

    return hd_multipart_boundary(ct->data, ct->len, boundary) == 0
           ? NGX_OK : NGX_DECLINED;
}


static void
ngx_http_helpdesk_uploads_cleanup(void *data)
{
    ngx_http_helpdesk_mp_job_t  *j = data;

    ngx_uint_t  i;

    if (j->writing) {
        hd_file_discard(&j->writer);
    }

    if (j->input != NULL) {
        json_decref(j->input);
        j->input = NULL;
    }

    /* stored ones were renamed: their temporary names are gone already */
    for (i = 0; i < j->n; i++) {
        if (j->uploads[i].tmp[0]) {
            (void) unlink(j->uploads[i].tmp);
        }
    }
}


/* the multipart parser's handler: fields, and files within the limits */

static hd_rc
ngx_http_helpdesk_mp_field(void *data, const hd_str_t *name,
    const hd_str_t *value, hd_err_t *err)
{
    ngx_http_helpdesk_mp_job_t  *j = data;

    char     key[64];
    json_t  *s;

    if (name->len >= sizeof(key)
        || !hd_utf8_valid(name->data, name->len))
    {
        return hd_err_set(err, HD_INVALID, NULL, "form_invalid",
                          "a field name is too long or not text");
    }

    ngx_memcpy(key, name->data, name->len);
    key[name->len] = '\0';

    if (!hd_utf8_valid(value->data, value->len)
        || memchr(value->data, '\0', value->len) != NULL)
    {
        /* named in the answer: the name is kept in the job */
        ngx_memcpy(j->bad_field, key, name->len + 1);

        return hd_err_set(err, HD_INVALID, j->bad_field, "invalid_utf8",
                          "the field \"%s\" is not UTF-8 text", key);
    }

    if (json_object_get(j->input, key) != NULL) {
        return HD_OK;       /* as for forms: the first value counts */
    }

    s = json_stringn((char *) value->data, value->len);
    if (s == NULL) {
        return hd_err_set(err, HD_NOMEM, NULL, "nomem", "out of memory");
    }

    json_object_set_new(j->input, key, s);

    return HD_OK;
}


/*
 * A file name for display: its last path component (some browsers send
 * "C:\\dir\\name"), without control characters, at most 255 bytes of
 * whole characters; invalid UTF-8 is refused
 */
static hd_rc
ngx_http_helpdesk_file_name(const hd_str_t *given, u_char *out, size_t *len,
    hd_err_t *err)
{
    size_t           n, i, keep;
    const hd_uchar  *p, *end;

    p = given->data;
    end = p + given->len;

    for (i = given->len; i > 0; i--) {
        if (given->data[i - 1] == '/' || given->data[i - 1] == '\\') {
            p = given->data + i;
            break;
        }
    }

    if (!hd_utf8_valid(p, end - p)) {
        return hd_err_set(err, HD_INVALID, "attachments", "file_name_invalid",
                          "a file name is not UTF-8");
    }

    n = 0;

    for ( /* void */ ; p < end; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            continue;
        }

        out[n++] = *p;
    }

    /* cut at a character's start */
    keep = n;

    if (keep > HD_FILE_NAME_MAX_BYTES) {
        keep = HD_FILE_NAME_MAX_BYTES;

        while (keep > 0 && (out[keep] & 0xc0) == 0x80) {
            keep--;
        }
    }

    if (keep == 0 || (keep == 1 && out[0] == '.')
        || (keep == 2 && out[0] == '.' && out[1] == '.'))
    {
        ngx_memcpy(out, "file", 4);
        keep = 4;
    }

    *len = keep;

    return HD_OK;
}


/* a content type as the browser said, if it looks like one */
static void
ngx_http_helpdesk_file_type(const hd_str_t *given, hd_str_t *type,
    ngx_pool_t *pool)
{
    size_t    i, slash = 0;
    u_char    c;

    for (i = 0; i < given->len && i < 100; i++) {
        c = given->data[i];

        if (c == '/') {
            slash++;
            continue;
        }

        if (c == ';' || c == ' ') {
            break;
        }

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-'
              || c == '_'))
        {
            slash = 0;
            break;
        }
    }

    if (slash != 1 || i == 0 || given->data[i - 1] == '/') {
        type->data = (hd_uchar *) "application/octet-stream";
        type->len = sizeof("application/octet-stream") - 1;
        return;
    }

    type->data = ngx_pnalloc(pool, i);
    if (type->data == NULL) {
        type->len = 0;
        return;
    }

    type->len = i;

    for (i = 0; i < type->len; i++) {
        type->data[i] = ngx_tolower(given->data[i]);
    }
}


static hd_rc
ngx_http_helpdesk_mp_file_begin(void *data, const hd_str_t *name,
    const hd_str_t *filename, const hd_str_t *type, hd_err_t *err)
{
    ngx_http_helpdesk_mp_job_t  *j = data;

    u_char                       buf[1024];
    size_t                       len;
    hd_rc                        rc;
    ngx_http_helpdesk_upload_t  *u;

    (void) name;

    if (j->n >= j->max) {
        return hd_err_set(err, HD_INVALID, "attachments", "too_many_files",
                          "more than %u files",
                          (unsigned) j->job.portal.tickets.files_max);
    }

    rc = ngx_http_helpdesk_file_name(filename, buf, &len, err);
    if (rc != HD_OK) {
        return rc;
    }

    u = &j->uploads[j->n];

    /* the job's strings live in its own memory: the request's pool is not
     * for threads */
    if (len > sizeof(u->name)) {
        len = sizeof(u->name);
    }

    ngx_memcpy(u->name, buf, len);
    u->info.name.data = u->name;
    u->info.name.len = len;

    len = type->len < sizeof(u->type) ? type->len : 0;
    ngx_memcpy(u->type, type->data, len);
    u->given_type.data = u->type;
    u->given_type.len = len;

    rc = hd_file_begin(&j->writer, j->job.portal.files, err);
    if (rc != HD_OK) {
        return rc;
    }

    j->writing = 1;

    return HD_OK;
}


static hd_rc
ngx_http_helpdesk_mp_file_data(void *data, const hd_uchar *p, size_t len,
    hd_err_t *err)
{
    ngx_http_helpdesk_mp_job_t  *j = data;

    const hd_ticket_policy_t  *policy = &j->job.portal.tickets;

    if (j->writer.size + len > policy->file_max) {
        return hd_err_set(err, HD_INVALID, "attachments", "file_too_large",
                          "a file is larger than %llu bytes",
                          (unsigned long long) policy->file_max);
    }

    if (j->total + len > policy->message_max) {
        return hd_err_set(err, HD_INVALID, "attachments",
                          "message_too_large",
                          "the files are larger than %llu bytes together",
                          (unsigned long long) policy->message_max);
    }

    j->total += len;

    return hd_file_write(&j->writer, p, len, err);
}


static hd_rc
ngx_http_helpdesk_mp_file_end(void *data, hd_err_t *err)
{
    ngx_http_helpdesk_mp_job_t  *j = data;

    hd_rc                        rc;
    ngx_http_helpdesk_upload_t  *u;

    u = &j->uploads[j->n];

    rc = hd_file_finish(&j->writer, u->info.sha256, err);
    j->writing = 0;

    ngx_cpystrn((u_char *) u->tmp, (u_char *) j->writer.path,
                sizeof(u->tmp));
    u->info.size = j->writer.size;
    j->n++;

    return rc;
}


/* in a thread: the body, from memory or nginx's temporary file */
static void
ngx_http_helpdesk_multipart_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_mp_job_t  *j = data;

    off_t                    off;
    u_char                  *chunk;
    size_t                   want;
    ssize_t                  n;
    hd_rc                    rc;
    ngx_buf_t               *b;
    ngx_chain_t             *cl;
    hd_multipart_t          *mp;
    hd_multipart_handler_t   h;

    j->input = json_object();
    chunk = ngx_alloc(NGX_HTTP_HELPDESK_READ_CHUNK, log);

    ngx_memzero(&h, sizeof(h));
    h.field = ngx_http_helpdesk_mp_field;
    h.file_begin = ngx_http_helpdesk_mp_file_begin;
    h.file_data = ngx_http_helpdesk_mp_file_data;
    h.file_end = ngx_http_helpdesk_mp_file_end;
    h.data = j;
    h.field_max = NGX_HTTP_HELPDESK_MAX_TEXT;
    h.fields_max = NGX_HTTP_HELPDESK_PARTS_MAX;

    mp = hd_multipart_create(&j->boundary, &h);

    if (j->input == NULL || chunk == NULL || mp == NULL) {
        j->job.rc = hd_err_set(&j->job.err, HD_NOMEM, NULL, "nomem",
                               "out of memory");
        goto done;
    }

    rc = HD_OK;

    for (cl = j->bufs; cl && rc == HD_OK; cl = cl->next) {
        b = cl->buf;

        if (!b->in_file) {
            rc = hd_multipart_feed(mp, b->pos, b->last - b->pos,
                                   &j->job.err);
            continue;
        }

        for (off = b->file_pos; off < b->file_last && rc == HD_OK; off += n) {
            want = ngx_min((off_t) NGX_HTTP_HELPDESK_READ_CHUNK,
                           b->file_last - off);

            n = pread(b->file->fd, chunk, want, off);

            if (n <= 0) {
                rc = hd_err_set(&j->job.err, HD_IO, NULL, "io",
                                "reading the request body: %s",
                                n == 0 ? "it ended early" : strerror(errno));
                break;
            }

            rc = hd_multipart_feed(mp, chunk, (size_t) n, &j->job.err);
        }
    }

    if (rc == HD_OK) {
        rc = hd_multipart_finish(mp, &j->job.err);
    }

    j->job.rc = rc;

done:

    if (j->job.rc != HD_OK && j->writing) {
        hd_file_discard(&j->writer);
        j->writing = 0;
    }

    hd_multipart_destroy(mp);

    if (chunk != NULL) {
        ngx_free(chunk);
    }
}


/* a broken body is a 400, files over the limits a 413, bad fields 422 */
static ngx_uint_t
ngx_http_helpdesk_upload_status(hd_err_t *err)
{
    ngx_uint_t  i;

    static const struct {
        const char  *code;
        ngx_uint_t   status;
    } statuses[] = {
        { "multipart_invalid", NGX_HTTP_BAD_REQUEST },
        { "form_invalid", NGX_HTTP_BAD_REQUEST },
        { "file_too_large", NGX_HTTP_REQUEST_ENTITY_TOO_LARGE },
        { "message_too_large", NGX_HTTP_REQUEST_ENTITY_TOO_LARGE },
    };

    if (err->rc != HD_INVALID || err->code == NULL) {
        return ngx_http_helpdesk_status(err->rc);
    }

    for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        if (ngx_strcmp(err->code, statuses[i].code) == 0) {
            return statuses[i].status;
        }
    }

    return 422;
}


static ngx_int_t
ngx_http_helpdesk_multipart_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    ngx_http_helpdesk_mp_job_t  *j = data;

    ngx_uint_t  i, status;

    if (j->job.rc != HD_OK) {
        status = ngx_http_helpdesk_upload_status(&j->job.err);

        if (status >= NGX_HTTP_INTERNAL_SERVER_ERROR) {
            return ngx_http_helpdesk_fail(r, ctx, &j->job.err);
        }

        return ngx_http_helpdesk_error(r, ctx, status, j->job.err.code,
                                       j->job.err.field);
    }

    /* the fields are the request's now */
    if (ngx_http_helpdesk_input_set(r, ctx, j->input) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    j->input = NULL;

    for (i = 0; i < j->n; i++) {
        ngx_http_helpdesk_file_type(&j->uploads[i].given_type,
                                    &j->uploads[i].info.type, r->pool);
    }

    ctx->nuploads = j->n;

    if (ngx_http_helpdesk_csrf_check(r, ctx) != NGX_OK) {
        return ctx->rc;
    }

    return ctx->route->handler(r, ctx);
}


/*
 * In a flow's thread: the uploads become stored files, before the
 * transaction that refers to them; their descriptions into files[]
 */
hd_rc
ngx_http_helpdesk_store_uploads(const hd_portal_t *portal,
    ngx_http_helpdesk_upload_t *uploads, ngx_uint_t n, hd_upload_t *files,
    hd_err_t *err)
{
    hd_rc       rc;
    ngx_uint_t  i;

    for (i = 0; i < n; i++) {
        rc = hd_file_store(portal->files, uploads[i].tmp,
                           uploads[i].info.sha256, err);
        if (rc != HD_OK) {
            return rc;
        }

        uploads[i].tmp[0] = '\0';
        files[i] = uploads[i].info;
    }

    return HD_OK;
}

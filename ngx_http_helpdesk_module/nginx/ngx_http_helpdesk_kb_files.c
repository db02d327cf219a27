/*
 * Files of knowledge-base articles (SPEC §8): images the text shows and
 * attachments listed under it. Staff who edit articles upload and remove
 * them from the article's edit page (or the API); readers get one only
 * when they may read its article, through the same internal location as
 * tickets' files. An internal article's file is a 404 to everyone else.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_kb.h"


typedef struct {
    ngx_http_helpdesk_job_t          job;
    uint64_t                         article;
    uint64_t                         file;          /* to remove */
    uint64_t                         author;
    ngx_http_helpdesk_upload_t      *uploads;
    ngx_uint_t                       nuploads;
    hd_upload_t                     *files;
    hd_attachment_t                 *added;
} ngx_http_helpdesk_kb_files_job_t;


/* the n-th argument of the route as a number; 0 when it is not one */
static uint64_t
ngx_http_helpdesk_kb_arg(ngx_http_helpdesk_ctx_t *ctx, ngx_uint_t n)
{
    off_t  v;

    if (ctx->nargs <= n || ctx->args[n].len == 0 || ctx->args[n].len > 15) {
        return 0;
    }

    v = ngx_atoof(ctx->args[n].data, ctx->args[n].len);

    return v > 0 ? (uint64_t) v : 0;
}


/* "<mount>kb/12/files/3": where a file of an article is read */
static ngx_str_t
ngx_http_helpdesk_kb_file_url(ngx_http_helpdesk_ctx_t *ctx, uint64_t article,
    uint64_t id)
{
    ngx_str_t  url;

    url.len = 0;
    url.data = hd_palloc(&ctx->pool, ctx->lcf->mount.len + 48);

    if (url.data != NULL) {
        url.len = ngx_sprintf(url.data, "%Vkb/%uL/files/%uL",
                              &ctx->lcf->mount, article, id)
                  - url.data;
    }

    return url;
}


static ngx_uint_t
ngx_http_helpdesk_kb_is_image(const hd_attachment_t *f)
{
    return f->type.len > 6
           && ngx_strncasecmp(f->type.data, (u_char *) "image/", 6) == 0;
}


/* the files for a page: name, address, size, and for an editor what to
   write in the text to show an image or link a file */
void
ngx_http_helpdesk_kb_files_view(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *item,
    const hd_kb_article_t *a, const hd_attachment_t *files, size_t n)
{
    size_t      i;
    u_char     *p, *md;
    hd_val_t   *list, *f;
    ngx_str_t   url;
    hd_pool_t  *pool = &ctx->pool;

    list = hd_val_list(pool);

    for (i = 0; i < n; i++) {
        url = ngx_http_helpdesk_kb_file_url(ctx, a->id, files[i].id);

        f = hd_val_map(pool);
        hd_val_set_int(pool, f, "id", (int64_t) files[i].id);
        hd_val_set_str(pool, f, "name", files[i].name.data,
                       files[i].name.len);
        hd_val_set_str(pool, f, "href", url.data, url.len);
        hd_val_set(pool, f, "size",
                   ngx_http_helpdesk_size_text(ctx, files[i].size));
        hd_val_set_bool(pool, f, "image",
                        ngx_http_helpdesk_kb_is_image(&files[i]));

        /* ![name](url) or [name](url); brackets of the name left out */
        md = hd_palloc(pool, files[i].name.len + url.len + 8);
        if (md != NULL) {
            p = md;

            if (ngx_http_helpdesk_kb_is_image(&files[i])) {
                *p++ = '!';
            }

            *p++ = '[';

            for (size_t k = 0; k < files[i].name.len; k++) {
                u_char  c = files[i].name.data[k];

                if (c != '[' && c != ']' && c != '\\') {
                    *p++ = c;
                }
            }

            p = ngx_sprintf(p, "](%V)", &url);
            hd_val_set_str(pool, f, "markdown", md, p - md);
        }

        hd_val_push(pool, list, f);
    }

    hd_val_set(pool, item, "files", list);
    hd_val_set_bool(pool, item, "has_files", n > 0);
}


void
ngx_http_helpdesk_kb_files_jw(ngx_http_helpdesk_ctx_t *ctx, hd_jw_t *w,
    const hd_kb_article_t *a, const hd_attachment_t *files, size_t n)
{
    size_t     i;
    ngx_str_t  url;

    hd_jw_key(w, "files");
    hd_jw_array(w);

    for (i = 0; i < n; i++) {
        url = ngx_http_helpdesk_kb_file_url(ctx, a->id, files[i].id);
        ngx_http_helpdesk_file_jw(w, &files[i], url.data, url.len);
    }

    hd_jw_end(w, ']');
}


/* --- reading ------------------------------------------------------------- */


ngx_int_t
ngx_http_helpdesk_kb_file(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    uint64_t          id, article;
    hd_txn_t          txn;
    ngx_uint_t        flags;
    hd_attachment_t   f;
    hd_kb_article_t   a;

    article = ngx_http_helpdesk_kb_id(ctx);
    id = ngx_http_helpdesk_kb_arg(ctx, 1);

    if (article == 0 || id == 0) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    if (hd_txn_begin(ctx->mcf->store, &txn, HD_TXN_READ | HD_TXN_CACHED,
                     NULL)
        != HD_OK)
    {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    /* the article's readers, nobody else: the same 404 as no article */
    if (hd_kb_get(&txn, article, &a) != HD_OK
        || !hd_kb_visible(&a, hd_kb_reader(ctx->caller.account))
        || hd_kb_file_get(&txn, article, id, &f) != HD_OK
        || hd_record_strings_copy(&hd_attachment_desc, &f, &ctx->pool) != 0)
    {
        hd_txn_abort(&txn);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    flags = NGX_HTTP_HELPDESK_FILE_INLINE;

    if (a.state == HD_KB_PUBLISHED && a.audience == HD_KB_PUBLIC) {
        flags |= NGX_HTTP_HELPDESK_FILE_PUBLIC;
    }

    hd_txn_abort(&txn);

    return ngx_http_helpdesk_file_send(r, ctx, &f, flags);
}


/* --- adding and removing --------------------------------------------------- */


static hd_rc
ngx_http_helpdesk_kb_files_txn(hd_txn_t *txn, void *arg, hd_err_t *err)
{
    hd_rc                              rc;
    ngx_uint_t                         i;
    ngx_http_helpdesk_kb_files_job_t  *j = arg;

    if (j->file) {
        return hd_kb_file_remove(txn, j->article, j->file, err);
    }

    for (i = 0; i < j->nuploads; i++) {
        rc = hd_kb_file_add(txn, j->article, &j->files[i], j->author,
                            j->job.now, &j->added[i], err);
        if (rc != HD_OK) {
            return rc;
        }
    }

    return HD_OK;
}


static void
ngx_http_helpdesk_kb_files_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_kb_files_job_t  *j = data;

    (void) log;

    if (j->nuploads) {
        /* on disk for good before a record names them */
        j->job.rc = ngx_http_helpdesk_store_uploads(&j->job.portal,
                                                    j->uploads, j->nuploads,
                                                    j->files, &j->job.err);
        if (j->job.rc != HD_OK) {
            return;
        }
    }

    j->job.rc = hd_txn_run(j->job.portal.store,
                           ngx_http_helpdesk_kb_files_txn, j, &j->job.err);
}


static ngx_int_t
ngx_http_helpdesk_kb_files_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    u_char                            *path;
    ngx_uint_t                         i;
    ngx_http_helpdesk_jw_t            *jw;
    ngx_http_helpdesk_kb_files_job_t  *j = data;
    hd_kb_article_t                    a;

    if (j->job.rc != HD_OK) {
        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_staff_kb_form_page);
    }

    for (i = 0; i < j->nuploads; i++) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "helpdesk: file %uL of article %uL added by %V",
                      j->added[i].id, j->article,
                      (ngx_str_t *) &ctx->caller.account->login);
    }

    if (j->file) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "helpdesk: file %uL of article %uL removed by %V",
                      j->file, j->article,
                      (ngx_str_t *) &ctx->caller.account->login);
    }

    if (!ctx->api) {
        path = ngx_pnalloc(r->pool, 48);
        if (path == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_sprintf(path, "staff/kb/%uL/edit#files%Z", j->article);

        return ngx_http_helpdesk_go(r, ctx, (char *) path,
                                    j->file ? "kb_file_removed"
                                            : "kb_files_added");
    }

    if (j->file) {
        return ngx_http_helpdesk_no_content(r);
    }

    jw = ngx_http_helpdesk_jw_new(r);
    if (jw == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memzero(&a, sizeof(a));
    a.id = j->article;

    hd_jw_object(&jw->w);
    ngx_http_helpdesk_kb_files_jw(ctx, &jw->w, &a, j->added, j->nuploads);
    hd_jw_end(&jw->w, '}');

    return ngx_http_helpdesk_jw_send(r, jw, NGX_HTTP_CREATED);
}


/* either request: the right, then the job; NULL with ctx->rc when refused */
static ngx_http_helpdesk_kb_files_job_t *
ngx_http_helpdesk_kb_files_job(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_uint_t remove)
{
    ngx_http_helpdesk_kb_files_job_t  *j;

    if (ngx_http_helpdesk_kb_may_edit(r, ctx) != NGX_OK) {
        return NULL;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        ctx->rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return NULL;
    }

    j->article = ngx_http_helpdesk_kb_arg(ctx, 0);
    j->file = remove ? ngx_http_helpdesk_kb_arg(ctx, 1) : 0;
    j->author = ctx->caller.account->id;

    if (j->article == 0 || (remove && j->file == 0)) {
        ctx->rc = ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                          "not_found", NULL);
        return NULL;
    }

    return j;
}


ngx_int_t
ngx_http_helpdesk_staff_kb_files_add(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_http_helpdesk_kb_files_job_t  *j;

    j = ngx_http_helpdesk_kb_files_job(r, ctx, 0);
    if (j == NULL) {
        return ctx->rc;
    }

    /* a form sent without a file (or not as multipart) says so */
    if (ctx->nuploads == 0) {
        j->job.rc = HD_INVALID;
        hd_errors_add(&j->job.errors, "attachments", "file_required");

        return ngx_http_helpdesk_job_failed(r, ctx, &j->job,
                                            ngx_http_helpdesk_staff_kb_form_page);
    }

    j->uploads = ctx->uploads;
    j->nuploads = ctx->nuploads;
    j->files = ngx_pcalloc(r->pool, j->nuploads * sizeof(hd_upload_t));
    j->added = ngx_pcalloc(r->pool, j->nuploads * sizeof(hd_attachment_t));

    if (j->files == NULL || j->added == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_kb_files_work,
                                     ngx_http_helpdesk_kb_files_done, j);
}


ngx_int_t
ngx_http_helpdesk_staff_kb_file_delete(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_http_helpdesk_kb_files_job_t  *j;

    j = ngx_http_helpdesk_kb_files_job(r, ctx, 1);
    if (j == NULL) {
        return ctx->rc;
    }

    /* a removal is final (the text may show the file): the form asks */
    if (!ctx->api && ngx_http_helpdesk_input_bool(ctx, "confirm") != 1) {
        return ngx_http_helpdesk_error(r, ctx, 422, "confirm_required",
                                       "confirm");
    }

    return ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_kb_files_work,
                                     ngx_http_helpdesk_kb_files_done, j);
}

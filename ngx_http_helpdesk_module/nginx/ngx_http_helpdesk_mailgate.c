/*
 * The mail gate (SPEC §7.2, §9): the MTA posts each message it takes for
 * the support address, raw, with the gate's key (helpdesk_mailgate_key);
 * the message goes through the pipeline of mail that comes in
 * (hd_mail_route) in the thread pool, and the answer says what became of
 * it: 202 {ticket, action, reason}. A temporary failure answers 503, and
 * `helpdesk mailgate` then tells the MTA to try again later.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_crypto.h"
#include "hd_mail_route.h"


#define NGX_HTTP_HELPDESK_KEY_MIN     16
#define NGX_HTTP_HELPDESK_KEY_MAX     256
#define NGX_HTTP_HELPDESK_GATE_EXTRA  (2 * 1024 * 1024)   /* headers, text */


#define NGX_HTTP_HELPDESK_GATE_BATCH  64     /* messages a commit takes */


typedef struct {
    ngx_http_helpdesk_job_t   job;
    ngx_chain_t              *bufs;
    off_t                     size;
    hd_mailin_t               in;
    u_char                   *raw;
    ngx_http_request_t       *request;
    ngx_http_helpdesk_ctx_t  *ctx;
    ngx_queue_t               queue;      /* in the worker's waiting ones */
} ngx_http_helpdesk_gate_job_t;


/* the messages one thread task takes in with one durable commit */
typedef struct {
    ngx_http_helpdesk_main_conf_t  *mcf;
    ngx_uint_t                      n;
    ngx_http_helpdesk_gate_job_t   *jobs[NGX_HTTP_HELPDESK_GATE_BATCH];
} ngx_http_helpdesk_gate_batch_t;


static ngx_int_t ngx_http_helpdesk_key_value(ngx_conf_t *cf, ngx_str_t *v,
    ngx_str_t *key);
static void ngx_http_helpdesk_gate_body(ngx_http_request_t *r);
static void ngx_http_helpdesk_gate_read(ngx_http_helpdesk_gate_job_t *j);
static ngx_int_t ngx_http_helpdesk_gate_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data);
#if (NGX_THREADS)
static ngx_int_t ngx_http_helpdesk_gate_next(
    ngx_http_helpdesk_main_conf_t *mcf);
static void ngx_http_helpdesk_gate_run(void *data, ngx_log_t *log);
static void ngx_http_helpdesk_gate_finish(ngx_event_t *ev);
#else
static void ngx_http_helpdesk_gate_work(void *data, ngx_log_t *log);
#endif


/*
 * helpdesk_mail_authserv_id ID...: the authserv-ids (RFC 8601) of the
 * operator's own MTAs; their Authentication-Results with dmarc=pass or an
 * aligned dkim=pass vouch for a message's sender (a staff reply by e-mail
 * without the token of the mail it answers needs that)
 */
char *
ngx_http_helpdesk_mail_authserv_id(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    ngx_str_t   *value;
    ngx_uint_t   i, k;

    if (mcf->authserv_ids != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    mcf->authserv_ids = ngx_pcalloc(cf->pool,
                                    (cf->args->nelts - 1) * sizeof(hd_str_t));
    if (mcf->authserv_ids == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 1; i < cf->args->nelts; i++) {
        /* a host name or a token: no ';', space or quote */
        for (k = 0; k < value[i].len; k++) {
            if (value[i].data[k] <= ' ' || value[i].data[k] >= 0x7f
                || value[i].data[k] == ';' || value[i].data[k] == '"'
                || value[i].data[k] == '(' || value[i].data[k] == ')')
            {
                break;
            }
        }

        if (value[i].len == 0 || value[i].len > 253 || k < value[i].len) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "helpdesk_mail_authserv_id: \"%V\" is not an "
                               "authserv-id (the host name an MTA writes "
                               "first in its Authentication-Results, e.g. "
                               "mx.example.com)", &value[i]);
            return NGX_CONF_ERROR;
        }

        mcf->authserv_ids[i - 1].data = value[i].data;
        mcf->authserv_ids[i - 1].len = value[i].len;
    }

    mcf->nauthserv = cf->args->nelts - 1;

    return NGX_CONF_OK;
}


/*
 * helpdesk_mailgate_key KEY | file=PATH: the secret the MTA's pipe sends;
 * only its digest is kept (and compared, in constant time)
 */
char *
ngx_http_helpdesk_mailgate_key(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_helpdesk_main_conf_t  *mcf = conf;

    ngx_str_t  *value, key;

    if (mcf->gate_key_set) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_http_helpdesk_key_value(cf, &value[1], &key) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    hd_sha256(key.data, key.len, mcf->gate_key);
    ngx_memzero(key.data, key.len);
    mcf->gate_key_set = 1;

    return NGX_CONF_OK;
}


/* the key itself, or the first line of file=PATH; checked for strength */
static ngx_int_t
ngx_http_helpdesk_key_value(ngx_conf_t *cf, ngx_str_t *v, ngx_str_t *key)
{
    u_char      *buf;
    ngx_str_t    file;
    ngx_uint_t   i;

    if (v->len > 5 && ngx_strncmp(v->data, "file=", 5) == 0) {
        file.data = v->data + 5;
        file.len = v->len - 5;

        buf = ngx_pnalloc(cf->pool, NGX_HTTP_HELPDESK_KEY_MAX + 2);
        if (buf == NULL) {
            return NGX_ERROR;
        }

        if (ngx_http_helpdesk_conf_secret(cf, "helpdesk_mailgate_key", &file,
                                          buf, NGX_HTTP_HELPDESK_KEY_MAX + 2)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        key->data = buf;
        key->len = ngx_strlen(buf);

    } else {
        *key = *v;
        file.len = 0;
        file.data = NULL;
    }

    /* never the key in a message: its length and where it came from */

    if (key->len < NGX_HTTP_HELPDESK_KEY_MIN
        || key->len > NGX_HTTP_HELPDESK_KEY_MAX)
    {
        if (file.len) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "helpdesk_mailgate_key: the key in \"%V\" has "
                               "%uz characters; %d to %d are needed (e.g. "
                               "openssl rand -hex 32)", &file, key->len,
                               NGX_HTTP_HELPDESK_KEY_MIN,
                               NGX_HTTP_HELPDESK_KEY_MAX);

        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "helpdesk_mailgate_key: the key has %uz "
                               "characters; %d to %d are needed (e.g. "
                               "openssl rand -hex 32), or file=PATH",
                               key->len, NGX_HTTP_HELPDESK_KEY_MIN,
                               NGX_HTTP_HELPDESK_KEY_MAX);
        }

        return NGX_ERROR;
    }

    for (i = 0; i < key->len; i++) {
        if (key->data[i] <= ' ' || key->data[i] >= 0x7f) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "helpdesk_mailgate_key: the key%s%V%s has "
                               "a space or a character that is not "
                               "printable ASCII", file.len ? " in \"" : "",
                               &file, file.len ? "\"" : "");
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* what the gate takes at most: the files of a ticket message, encoded */
static off_t
ngx_http_helpdesk_gate_max(ngx_http_helpdesk_main_conf_t *mcf)
{
    return (off_t) (mcf->tickets.message_max / 3 * 4
                    + mcf->tickets.message_max / 38
                    + NGX_HTTP_HELPDESK_GATE_EXTRA);
}


ngx_int_t
ngx_http_helpdesk_mailgate(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx)
{
    ngx_int_t                       rc;
    hd_uchar                        digest[HD_SHA256_LEN];
    ngx_table_elt_t                *h;
    ngx_http_helpdesk_main_conf_t  *mcf = ctx->mcf;

    if (!mcf->gate_key_set) {
        ngx_http_discard_request_body(r);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_FORBIDDEN,
                                       "mailgate_off", NULL);
    }

    h = ngx_http_helpdesk_header(r, "X-Helpdesk-Mailgate-Key");

    if (h != NULL && h->value.len <= NGX_HTTP_HELPDESK_KEY_MAX) {
        hd_sha256(h->value.data, h->value.len, digest);
    }

    if (h == NULL || h->value.len > NGX_HTTP_HELPDESK_KEY_MAX
        || !hd_ct_equal(digest, mcf->gate_key, HD_SHA256_LEN))
    {
        /* once a minute at most, with how many came meanwhile: a prober
           does not fill the log */
        mcf->gate_warned++;

        if (ngx_time() - mcf->gate_warn_time >= 60) {
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "helpdesk mail gate: %s key from %V (%ui wrong "
                          "or missing keys in the last minute)",
                          h == NULL ? "no" : "a wrong",
                          &r->connection->addr_text, mcf->gate_warned);
            mcf->gate_warn_time = ngx_time();
            mcf->gate_warned = 0;
        }

        ngx_http_discard_request_body(r);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_UNAUTHORIZED,
                                       "mailgate_key", NULL);
    }

    if (r->headers_in.content_type != NULL
        && !ngx_http_helpdesk_content_type_is(r, "message/rfc822")
        && !ngx_http_helpdesk_content_type_is(r, "application/octet-stream")
        && !ngx_http_helpdesk_content_type_is(r, "text/plain"))
    {
        ngx_http_discard_request_body(r);
        return ngx_http_helpdesk_error(r, ctx,
                                       NGX_HTTP_UNSUPPORTED_MEDIA_TYPE,
                                       "mailgate_type", NULL);
    }

    ctx->body_max = ngx_http_helpdesk_gate_max(mcf);

    if (r->headers_in.content_length_n > ctx->body_max) {
        ngx_http_discard_request_body(r);
        return ngx_http_helpdesk_error(r, ctx,
                                       NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                       "message_too_large", NULL);
    }

    /* big messages wait in a temporary file, removed with the request */
    r->request_body_in_clean_file = 1;
    r->request_body_file_log_level = 0;

    rc = ngx_http_read_client_request_body(r, ngx_http_helpdesk_gate_body);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


static void
ngx_http_helpdesk_gate_body(ngx_http_request_t *r)
{
    off_t                          size;
#if !(NGX_THREADS)
    ngx_int_t                      rc;
#endif
    ngx_buf_t                     *b;
    ngx_chain_t                   *cl;
    ngx_http_helpdesk_ctx_t       *ctx;
    ngx_http_helpdesk_gate_job_t  *j;

    ctx = ngx_http_get_module_ctx(r, ngx_http_helpdesk_module);

    size = 0;

    if (r->request_body != NULL) {
        for (cl = r->request_body->bufs; cl; cl = cl->next) {
            b = cl->buf;
            size += b->in_file ? b->file_last - b->file_pos
                               : b->last - b->pos;
        }
    }

    if (size == 0) {
        ngx_http_finalize_request(r,
            ngx_http_helpdesk_error(r, ctx, NGX_HTTP_BAD_REQUEST,
                                    "mailgate_empty", NULL));
        return;
    }

    /* a chunked body has no length to refuse it by before */
    if (size > ctx->body_max) {
        ngx_http_finalize_request(r,
            ngx_http_helpdesk_error(r, ctx,
                                    NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                    "message_too_large", NULL));
        return;
    }

    j = ngx_http_helpdesk_job(r, ctx, sizeof(*j));
    if (j == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    j->bufs = r->request_body->bufs;
    j->size = size;

#if (NGX_THREADS)

    /*
     * Group commit: the messages that arrive while a commit is under way
     * wait, and the next thread task takes them all in one durable
     * transaction (their files made durable by one sync), as the mailbox
     * reader does; each answer says what became of its own message
     */
    j->request = r;
    j->ctx = ctx;
    ngx_queue_insert_tail(&ctx->mcf->gate_waiting, &j->queue);

    r->main->blocked++;
    r->aio = 1;
    r->main->count++;

    if (!ctx->mcf->gate_busy
        && ngx_http_helpdesk_gate_next(ctx->mcf) != NGX_OK)
    {
        ngx_queue_remove(&j->queue);
        r->main->blocked--;
        r->aio = 0;
        r->main->count--;
        ngx_http_finalize_request(r, NGX_HTTP_SERVICE_UNAVAILABLE);
        return;
    }

    ngx_http_finalize_request(r, NGX_DONE);

#else

    rc = ngx_http_helpdesk_offload(r, ctx, ngx_http_helpdesk_gate_work,
                                   ngx_http_helpdesk_gate_done, j);

    ngx_http_finalize_request(r, rc);

#endif
}


#if (NGX_THREADS)

/* the waiting messages (up to a batch) to a thread task */
static ngx_int_t
ngx_http_helpdesk_gate_next(ngx_http_helpdesk_main_conf_t *mcf)
{
    ngx_pool_t                      *pool;
    ngx_queue_t                     *q;
    ngx_thread_task_t               *task;
    ngx_http_helpdesk_gate_batch_t  *b;

    if (ngx_queue_empty(&mcf->gate_waiting)) {
        return NGX_OK;
    }

    pool = ngx_create_pool(1024, ngx_cycle->log);
    if (pool == NULL) {
        return NGX_ERROR;
    }

    task = ngx_thread_task_alloc(pool, sizeof(ngx_http_helpdesk_gate_batch_t));
    if (task == NULL) {
        ngx_destroy_pool(pool);
        return NGX_ERROR;
    }

    b = task->ctx;
    b->mcf = mcf;
    b->n = 0;

    while (!ngx_queue_empty(&mcf->gate_waiting)
           && b->n < NGX_HTTP_HELPDESK_GATE_BATCH)
    {
        q = ngx_queue_head(&mcf->gate_waiting);
        ngx_queue_remove(q);
        b->jobs[b->n++] = ngx_queue_data(q, ngx_http_helpdesk_gate_job_t,
                                         queue);
    }

    task->handler = ngx_http_helpdesk_gate_run;
    task->event.handler = ngx_http_helpdesk_gate_finish;
    task->event.data = pool;

    if (ngx_thread_task_post(mcf->thread_pool, task) != NGX_OK) {
        /* (the batch's messages go back to wait for a later try) */
        while (b->n) {
            b->n--;
            ngx_queue_insert_head(&mcf->gate_waiting, &b->jobs[b->n]->queue);
        }

        ngx_destroy_pool(pool);
        return NGX_ERROR;
    }

    mcf->gate_busy = task;

    return NGX_OK;
}


static void
ngx_http_helpdesk_gate_run(void *data, ngx_log_t *log)
{
    ngx_uint_t                       i, n;
    hd_rc                            rcs[NGX_HTTP_HELPDESK_GATE_BATCH];
    hd_err_t                         errs[NGX_HTTP_HELPDESK_GATE_BATCH];
    hd_mailin_t                     *in[NGX_HTTP_HELPDESK_GATE_BATCH];
    ngx_http_helpdesk_gate_job_t    *j;
    ngx_http_helpdesk_gate_batch_t  *b = data;

    (void) log;

    n = 0;

    for (i = 0; i < b->n; i++) {
        j = b->jobs[i];
        ngx_http_helpdesk_gate_read(j);

        if (j->raw != NULL) {
            in[n++] = &j->in;
        }
    }

    if (n) {
        hd_mail_receive_many(in, n, rcs, errs);
    }

    for (i = 0, n = 0; i < b->n; i++) {
        j = b->jobs[i];

        if (j->raw != NULL) {
            j->job.rc = rcs[n];
            j->job.err = errs[n];
            n++;
            free(j->raw);
            j->raw = NULL;
        }
    }

    hd_crypto_thread_end();
}


/* each request answered with its own result; then the next batch */
static void
ngx_http_helpdesk_gate_finish(ngx_event_t *ev)
{
    ngx_uint_t                       i;
    ngx_pool_t                      *pool = ev->data;
    ngx_connection_t                *c;
    ngx_http_request_t              *r;
    ngx_thread_task_t               *task;
    ngx_http_helpdesk_gate_job_t    *j;
    ngx_http_helpdesk_gate_batch_t  *b;
    ngx_http_helpdesk_main_conf_t   *mcf;

    task = ngx_queue_data(ev, ngx_thread_task_t, event);
    b = task->ctx;
    mcf = b->mcf;
    mcf->gate_busy = NULL;

    for (i = 0; i < b->n; i++) {
        j = b->jobs[i];
        r = j->request;
        c = r->connection;

        ngx_http_set_log_request(c->log, r);

        r->main->blocked--;
        r->aio = 0;

        if (c->error) {
            /* the client went away: the message is kept, the answer not */
            ngx_http_finalize_request(r, NGX_ERROR);

        } else {
            ngx_http_finalize_request(r, ngx_http_helpdesk_gate_done(r, j->ctx,
                                                                     j));
        }

        ngx_http_run_posted_requests(c);
    }

    ngx_destroy_pool(pool);

    if (ngx_http_helpdesk_gate_next(mcf) != NGX_OK) {
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, 0,
                      "helpdesk mail gate: cannot post the next messages "
                      "to the thread pool");
    }
}

#else

static void
ngx_http_helpdesk_gate_work(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_gate_job_t  *j = data;

    (void) log;

    ngx_http_helpdesk_gate_read(j);

    if (j->raw != NULL) {
        j->job.rc = hd_mail_receive(&j->in, &j->job.err);
        free(j->raw);
        j->raw = NULL;
    }
}

#endif


/* the message whole in memory (its body may be in a temporary file) */
static void
ngx_http_helpdesk_gate_read(ngx_http_helpdesk_gate_job_t *j)
{
    ssize_t       n;
    u_char       *raw, *p;
    off_t         pos;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    raw = malloc(j->size);
    if (raw == NULL) {
        j->job.rc = hd_err_set(&j->job.err, HD_NOMEM, NULL, "nomem",
                               "out of memory for a message of %lld bytes",
                               (long long) j->size);
        return;
    }

    p = raw;

    for (cl = j->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (!b->in_file) {
            p = ngx_cpymem(p, b->pos, b->last - b->pos);
            continue;
        }

        for (pos = b->file_pos; pos < b->file_last; pos += n) {
            n = pread(b->file->fd, p, b->file_last - pos, pos);

            if (n <= 0) {
                free(raw);
                j->job.rc = hd_err_set(&j->job.err, HD_IO, NULL, "io",
                                       "cannot read the message's temporary "
                                       "file: %s", strerror(errno));
                return;
            }

            p += n;
        }
    }

    j->raw = raw;
    j->in.portal = &j->job.portal;
    j->in.raw = raw;
    j->in.len = p - raw;
    j->in.now = j->job.now;
    j->in.source = HD_MAILIN_GATE;
}


static ngx_int_t
ngx_http_helpdesk_gate_done(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data)
{
    hd_jw_t                       *w;
    ngx_http_helpdesk_jw_t        *jw;
    ngx_http_helpdesk_gate_job_t  *j = data;

    if (j->job.rc != HD_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "helpdesk mail gate: %s (the MTA will try again)",
                      j->job.err.text[0] ? j->job.err.text
                                         : hd_rc_name(j->job.rc));

        /* whatever it was, later may do: the message stays with the MTA */
        ngx_http_helpdesk_add_header(r, "Retry-After", (u_char *) "60", 2);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "storage_unavailable", NULL);
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "helpdesk mail gate: %s%s%s, ticket %uL",
                  hd_mailin_action_names[j->in.action],
                  j->in.reason ? ": " : "", j->in.reason ? j->in.reason : "",
                  j->in.ticket);

    jw = ngx_http_helpdesk_jw_new(r);
    if (jw == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    w = &jw->w;
    hd_jw_object(w);
    hd_jw_key(w, "ticket");

    if (j->in.ticket) {
        hd_jw_int(w, (int64_t) j->in.ticket);

    } else {
        hd_jw_null(w);
    }

    hd_jw_key(w, "action");
    hd_jw_cstr(w, hd_mailin_action_names[j->in.action]);
    hd_jw_key(w, "reason");

    if (j->in.reason) {
        hd_jw_cstr(w, j->in.reason);

    } else {
        hd_jw_null(w);
    }

    if (j->in.message) {
        hd_jw_key(w, "message");
        hd_jw_int(w, (int64_t) j->in.message);
    }

    if (j->in.quarantine) {
        hd_jw_key(w, "quarantine");
        hd_jw_int(w, (int64_t) j->in.quarantine);
    }

    /* false: nothing kept it and nobody was told; the MTA bounces it */
    hd_jw_key(w, "taken");
    hd_jw_bool(w, j->in.taken);

    hd_jw_key(w, "log");
    hd_jw_int(w, (int64_t) j->in.log);
    hd_jw_end(w, '}');

    return ngx_http_helpdesk_jw_send(r, jw, NGX_HTTP_ACCEPTED);
}

/*
 * Offloading slow work (password hashing, write transactions) to the nginx
 * thread pool: the event loop goes on serving, and the request resumes in it
 * when the work is done.
 */

#include "ngx_http_helpdesk_module.h"


typedef struct {
    ngx_http_request_t          *request;
    ngx_http_helpdesk_ctx_t     *ctx;
    ngx_http_helpdesk_work_pt    work;
    ngx_http_helpdesk_done_pt    done;
    void                        *data;
} ngx_http_helpdesk_task_t;


#if (NGX_THREADS)

static void ngx_http_helpdesk_task_run(void *data, ngx_log_t *log);
static void ngx_http_helpdesk_task_done(ngx_event_t *ev);

#endif


/*
 * Runs work(data) in a thread, then done(r, ctx, data) back in the event
 * loop, whose result finalizes the request. The caller returns NGX_DONE.
 * work must touch nothing of the request: no pool, no log but its own.
 */
ngx_int_t
ngx_http_helpdesk_offload(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_work_pt work, ngx_http_helpdesk_done_pt done,
    void *data)
{
#if (NGX_THREADS)

    ngx_thread_task_t         *task;
    ngx_http_helpdesk_task_t  *t;

    task = ngx_thread_task_alloc(r->pool, sizeof(ngx_http_helpdesk_task_t));
    if (task == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    t = task->ctx;
    t->request = r;
    t->ctx = ctx;
    t->work = work;
    t->done = done;
    t->data = data;

    task->handler = ngx_http_helpdesk_task_run;
    task->event.handler = ngx_http_helpdesk_task_done;
    task->event.data = t;

    if (ngx_thread_task_post(ctx->mcf->thread_pool, task) != NGX_OK) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    /* the request waits: it cannot be freed while the thread works on it */
    r->main->blocked++;
    r->aio = 1;
    r->main->count++;

    return NGX_DONE;

#else

    work(data, r->connection->log);

    return done(r, ctx, data);

#endif
}


#if (NGX_THREADS)

static void
ngx_http_helpdesk_task_run(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_task_t  *t = data;

    t->work(t->data, log);
}


static void
ngx_http_helpdesk_task_done(ngx_event_t *ev)
{
    ngx_http_helpdesk_task_t  *t = ev->data;

    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = t->request;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    r->main->blocked--;
    r->aio = 0;

    if (c->error) {
        /* the client went away meanwhile: the work is kept, the answer not */
        ngx_http_finalize_request(r, NGX_ERROR);

    } else {
        ngx_http_finalize_request(r, t->done(r, t->ctx, t->data));
    }

    ngx_http_run_posted_requests(c);
}

#endif

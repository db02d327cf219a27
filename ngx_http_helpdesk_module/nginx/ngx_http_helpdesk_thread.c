/*
 * Offloading slow work (password hashing, write transactions) to the nginx
 * thread pool: the event loop goes on serving, and the request resumes in it
 * when the work is done.
 */

#include "ngx_http_helpdesk_module.h"

#include <sys/resource.h>


/*
 * The pool's threads hash passwords, hundreds of milliseconds of CPU each:
 * niced, so that the workers' event loops keep serving while a burst of
 * logins is hashed (on Linux the nice value is the calling thread's)
 */
#define NGX_HTTP_HELPDESK_THREAD_NICE  10


typedef struct {
    ngx_http_request_t          *request;
    ngx_http_helpdesk_ctx_t     *ctx;
    ngx_http_helpdesk_work_pt    work;
    ngx_http_helpdesk_done_pt    done;
    void                        *data;
} ngx_http_helpdesk_task_t;


typedef struct {
    ngx_pool_t                  *pool;
    ngx_http_helpdesk_work_pt    work;
    u_char                       data[1];
} ngx_http_helpdesk_background_t;


#if (NGX_THREADS)

static void ngx_http_helpdesk_task_run(void *data, ngx_log_t *log);
static void ngx_http_helpdesk_task_done(ngx_event_t *ev);
static void ngx_http_helpdesk_background_run(void *data, ngx_log_t *log);
static void ngx_http_helpdesk_background_done(ngx_event_t *ev);

#endif


static void
ngx_http_helpdesk_arena_cleanup(void *data)
{
    hd_arena_destroy(data);
}


/*
 * An arena for work in a thread (the request's pool must not be used
 * there), destroyed with the request whatever becomes of it
 */
hd_arena_t *
ngx_http_helpdesk_arena(ngx_http_request_t *r, size_t block)
{
    hd_arena_t          *arena;
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    arena = hd_arena_create(block);
    if (arena == NULL) {
        return NULL;
    }

    cln->handler = ngx_http_helpdesk_arena_cleanup;
    cln->data = arena;

    return arena;
}


/* a job of a request: the portal (with its address) and the time, filled */
void *
ngx_http_helpdesk_job(ngx_http_request_t *r, ngx_http_helpdesk_ctx_t *ctx,
    size_t size)
{
    ngx_http_helpdesk_job_t  *job;

    /* flows may send e-mail: their links need the portal's address */
    if (ctx->portal.base_url.len == 0
        && ngx_http_helpdesk_base_url(r, ctx) != NGX_OK)
    {
        return NULL;
    }

    job = ngx_pcalloc(r->pool, size);
    if (job == NULL) {
        return NULL;
    }

    job->portal = ctx->portal;
    job->now = ngx_time();

    return job;
}


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


/*
 * Work that no request waits for (a session's last use): data is copied,
 * the task has its own pool, freed when the work is done
 */
ngx_int_t
ngx_http_helpdesk_background(ngx_http_helpdesk_main_conf_t *mcf,
    ngx_log_t *log, ngx_http_helpdesk_work_pt work, void *data, size_t size)
{
#if (NGX_THREADS)

    ngx_pool_t                      *pool;
    ngx_thread_task_t               *task;
    ngx_http_helpdesk_background_t  *bg;

    pool = ngx_create_pool(1024 + size, ngx_cycle->log);
    if (pool == NULL) {
        return NGX_ERROR;
    }

    task = ngx_thread_task_alloc(pool,
                                 sizeof(ngx_http_helpdesk_background_t)
                                 + size);
    if (task == NULL) {
        ngx_destroy_pool(pool);
        return NGX_ERROR;
    }

    bg = task->ctx;
    bg->pool = pool;
    bg->work = work;
    ngx_memcpy(bg->data, data, size);

    task->handler = ngx_http_helpdesk_background_run;
    task->event.handler = ngx_http_helpdesk_background_done;
    task->event.data = bg;

    if (ngx_thread_task_post(mcf->thread_pool, task) != NGX_OK) {
        ngx_destroy_pool(pool);
        return NGX_ERROR;
    }

    return NGX_OK;

#else

    work(data, log);

    return NGX_OK;

#endif
}


#if (NGX_THREADS)

static void
ngx_http_helpdesk_thread_nice(void)
{
    static __thread int  niced;

    if (!niced) {
        niced = 1;
        (void) setpriority(PRIO_PROCESS, 0, NGX_HTTP_HELPDESK_THREAD_NICE);
    }
}


static void
ngx_http_helpdesk_background_run(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_background_t  *bg = data;

    ngx_http_helpdesk_thread_nice();

    bg->work(bg->data, log);

    hd_crypto_thread_end();
}


static void
ngx_http_helpdesk_background_done(ngx_event_t *ev)
{
    ngx_http_helpdesk_background_t  *bg = ev->data;

    ngx_destroy_pool(bg->pool);
}


static void
ngx_http_helpdesk_task_run(void *data, ngx_log_t *log)
{
    ngx_http_helpdesk_task_t  *t = data;

    ngx_http_helpdesk_thread_nice();

    t->work(t->data, log);

    hd_crypto_thread_end();
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

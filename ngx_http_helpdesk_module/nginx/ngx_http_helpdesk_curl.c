/*
 * libcurl's sockets and timer on nginx's event loop (the hooks of
 * hd_curl.h): each socket curl asks about gets an nginx connection whose
 * events are level-triggered (curl reads what it wants, not until EAGAIN);
 * one it no longer needs is taken out of epoll at once and its connection
 * freed, the descriptor left to curl, which may keep it for the next
 * message.
 */

#include "ngx_http_helpdesk_module.h"

#include "hd_curl.h"


static void
ngx_http_helpdesk_curl_event(ngx_event_t *ev)
{
    ngx_connection_t             *c = ev->data;
    ngx_http_helpdesk_curl_loop_t *loop = c->data;

    hd_curl_ready(loop->curl, c->fd, !ev->write, ev->write);
}


static void
ngx_http_helpdesk_curl_timeout(ngx_event_t *ev)
{
    ngx_http_helpdesk_curl_loop_t  *loop = ev->data;

    hd_curl_timeout(loop->curl);
}


static ngx_int_t
ngx_http_helpdesk_curl_want(ngx_event_t *ev, ngx_int_t event, int want)
{
    if (want && !ev->active) {
        /* flags 0: level-triggered, also when the other one is there */
        return ngx_add_event(ev, event, 0);
    }

    if (!want && ev->active) {
        return ngx_del_event(ev, event, 0);
    }

    return NGX_OK;
}


static int
ngx_http_helpdesk_curl_watch(void *data, int fd, int read, int write,
    void **sock)
{
    ngx_connection_t               *c = *sock;
    ngx_http_helpdesk_curl_loop_t  *loop = data;

    if (c == NULL) {
        c = ngx_get_connection(fd, loop->log);
        if (c == NULL) {
            return -1;
        }

        c->data = loop;
        c->log = loop->log;
        c->read->log = loop->log;
        c->write->log = loop->log;
        c->read->handler = ngx_http_helpdesk_curl_event;
        c->write->handler = ngx_http_helpdesk_curl_event;
        *sock = c;
    }

    if (ngx_http_helpdesk_curl_want(c->read, NGX_READ_EVENT, read) != NGX_OK
        || ngx_http_helpdesk_curl_want(c->write, NGX_WRITE_EVENT, write)
           != NGX_OK)
    {
        return -1;
    }

    return 0;
}


static void
ngx_http_helpdesk_curl_unwatch(void *data, int fd, void *sock)
{
    ngx_connection_t  *c = sock;

    (void) data;
    (void) fd;

    if (c == NULL) {
        return;
    }

    /* out of epoll now: the descriptor may stay open in curl's cache */
    if (c->read->active || c->write->active) {
        (void) ngx_del_conn(c, 0);
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    /* as ngx_close_connection() does, without the close: freed first (it
       clears the descriptor's slot), then a stale event is seen as one */
    ngx_free_connection(c);
    c->fd = (ngx_socket_t) -1;
}


static void
ngx_http_helpdesk_curl_timer(void *data, long ms)
{
    ngx_http_helpdesk_curl_loop_t  *loop = data;

    if (ms < 0) {
        if (loop->timer.timer_set) {
            ngx_del_timer(&loop->timer);
        }

        return;
    }

    /* curl's timeouts of running transfers keep an exiting worker until
       they end; an idle engine does not */
    loop->timer.cancelable = hd_curl_running(loop->curl) == 0;
    ngx_add_timer(&loop->timer, (ngx_msec_t) ms);
}


ngx_int_t
ngx_http_helpdesk_curl_loop_init(ngx_http_helpdesk_curl_loop_t *loop,
    ngx_log_t *log, unsigned connections)
{
    hd_curl_hooks_t  hooks;

    ngx_memzero(loop, sizeof(ngx_http_helpdesk_curl_loop_t));
    loop->log = log;
    loop->timer.handler = ngx_http_helpdesk_curl_timeout;
    loop->timer.data = loop;
    loop->timer.log = log;
    loop->timer.cancelable = 1;

    hooks.loop = loop;
    hooks.watch = ngx_http_helpdesk_curl_watch;
    hooks.unwatch = ngx_http_helpdesk_curl_unwatch;
    hooks.timer = ngx_http_helpdesk_curl_timer;

    loop->curl = hd_curl_create(&hooks, connections);

    return loop->curl ? NGX_OK : NGX_ERROR;
}


void
ngx_http_helpdesk_curl_loop_free(ngx_http_helpdesk_curl_loop_t *loop)
{
    if (loop->curl != NULL) {
        hd_curl_destroy(loop->curl);
        loop->curl = NULL;
    }

    if (loop->timer.timer_set) {
        ngx_del_timer(&loop->timer);
    }
}

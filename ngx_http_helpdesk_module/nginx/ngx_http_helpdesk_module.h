/*
 * The nginx adapter of the helpdesk: types shared by its files (the module's
 * configuration, the per-request context, routes) and their functions.
 */

#ifndef NGX_HTTP_HELPDESK_MODULE_H
#define NGX_HTTP_HELPDESK_MODULE_H


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <jansson.h>

#include "hd_core.h"
#include "hd_i18n.h"
#include "hd_pool.h"
#include "hd_store.h"
#include "hd_templates.h"
#include "hd_value.h"


#define NGX_HTTP_HELPDESK_MAX_ARGS     4

/* route flags */
#define NGX_HTTP_HELPDESK_API          0x01    /* JSON in and out */
#define NGX_HTTP_HELPDESK_BODY         0x02    /* reads a request body */
#define NGX_HTTP_HELPDESK_NO_STORE     0x04    /* works without storage */


typedef struct ngx_http_helpdesk_ctx_s    ngx_http_helpdesk_ctx_t;
typedef struct ngx_http_helpdesk_route_s  ngx_http_helpdesk_route_t;

typedef ngx_int_t (*ngx_http_helpdesk_handler_pt)(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);


struct ngx_http_helpdesk_route_s {
    ngx_uint_t                     methods;    /* NGX_HTTP_GET|... */
    char                          *pattern;    /* "tickets/{n}/messages" */
    ngx_http_helpdesk_handler_pt   handler;
    ngx_uint_t                     flags;
    char                          *name;       /* for metrics and logs */
};


typedef struct {
    ngx_path_t                    *db;
    size_t                         map_size;
    ngx_str_t                      thread_pool_name;
    ngx_thread_pool_t             *thread_pool;

    /* per worker */
    hd_store_t                    *store;
    time_t                         store_retry;
    ngx_event_t                    reader_check;
} ngx_http_helpdesk_main_conf_t;


typedef struct {
    ngx_flag_t                     enabled;
    ngx_str_t                      mount;          /* ends with '/' */
    ngx_str_t                      templates_dir;
    hd_templates_t                *templates;
} ngx_http_helpdesk_loc_conf_t;


struct ngx_http_helpdesk_ctx_s {
    ngx_http_helpdesk_main_conf_t  *mcf;
    ngx_http_helpdesk_loc_conf_t   *lcf;
    const ngx_http_helpdesk_route_t *route;
    ngx_str_t                       path;       /* after the mount */
    ngx_str_t                       args[NGX_HTTP_HELPDESK_MAX_ARGS];
    ngx_uint_t                      nargs;
    hd_pool_t                       pool;       /* r->pool for the core */
    hd_lang_e                       lang;
    ngx_uint_t                      api;        /* answer errors in JSON */
};


extern ngx_module_t  ngx_http_helpdesk_module;


/* ngx_http_helpdesk_module.c */
void ngx_http_helpdesk_hd_pool(hd_pool_t *hp, ngx_pool_t *pool);
ngx_int_t ngx_http_helpdesk_open_store(ngx_http_helpdesk_main_conf_t *mcf,
    ngx_log_t *log);
hd_store_t *ngx_http_helpdesk_store(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

/* ngx_http_helpdesk_router.c */
ngx_int_t ngx_http_helpdesk_handler(ngx_http_request_t *r);
ngx_table_elt_t *ngx_http_helpdesk_header(ngx_http_request_t *r,
    const char *name);
ngx_int_t ngx_http_helpdesk_cookie(ngx_http_request_t *r, const char *name,
    ngx_str_t *value);

/* ngx_http_helpdesk_response.c */
hd_val_t *ngx_http_helpdesk_view(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const char *title_key);
ngx_int_t ngx_http_helpdesk_render(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const char *template, hd_val_t *view,
    ngx_uint_t status);
ngx_int_t ngx_http_helpdesk_send_json(ngx_http_request_t *r,
    ngx_uint_t status, json_t *json);
ngx_int_t ngx_http_helpdesk_send_bytes(ngx_http_request_t *r,
    ngx_uint_t status, const char *type, u_char *data, size_t len,
    ngx_uint_t copy);
ngx_int_t ngx_http_helpdesk_error(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_uint_t status, const char *code,
    const char *field);
ngx_int_t ngx_http_helpdesk_fail(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_err_t *err);
ngx_int_t ngx_http_helpdesk_redirect(ngx_http_request_t *r, u_char *location,
    size_t len);
ngx_int_t ngx_http_helpdesk_add_header(ngx_http_request_t *r,
    const char *name, u_char *value, size_t len);
void ngx_http_helpdesk_security_headers(ngx_http_request_t *r);
const hd_str_t *ngx_http_helpdesk_text(ngx_http_helpdesk_ctx_t *ctx,
    const char *key);

/* ngx_http_helpdesk_thread.c */
typedef void (*ngx_http_helpdesk_work_pt)(void *data, ngx_log_t *log);
typedef ngx_int_t (*ngx_http_helpdesk_done_pt)(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data);

ngx_int_t ngx_http_helpdesk_offload(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_http_helpdesk_work_pt work,
    ngx_http_helpdesk_done_pt done, void *data);

/* ngx_http_helpdesk_pages.c */
ngx_int_t ngx_http_helpdesk_landing(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_language(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_asset(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_api_status(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);


#endif /* NGX_HTTP_HELPDESK_MODULE_H */

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
#include "hd_account.h"
#include "hd_form.h"
#include "hd_product.h"
#include "hd_auth.h"
#include "hd_i18n.h"
#include "hd_json.h"
#include "hd_kb.h"
#include "hd_staff.h"
#include "hd_pool.h"
#include "hd_store.h"
#include "hd_templates.h"
#include "hd_smtp.h"
#include "hd_ticket.h"
#include "hd_ticket_customer.h"
#include "hd_ticket_staff.h"
#include "hd_value.h"
#include "hd_view.h"
#include "hd_work.h"


#define NGX_HTTP_HELPDESK_MAX_ARGS     4
#define NGX_HTTP_HELPDESK_MAX_BODY     65536   /* forms and JSON */
#define NGX_HTTP_HELPDESK_MAX_TEXT     (1024 * 1024)   /* ticket texts */
#define NGX_HTTP_HELPDESK_UPLOAD_EXTRA (2 * 1024 * 1024)   /* a multipart
                                           body's fields and framing */
#define NGX_HTTP_HELPDESK_FILES_URI    "/_helpdesk_files/"

/* route flags */
#define NGX_HTTP_HELPDESK_BODY         0x02    /* reads fields, checks CSRF */
#define NGX_HTTP_HELPDESK_NO_STORE     0x04    /* works without storage */
#define NGX_HTTP_HELPDESK_AUTH         0x08    /* only for logged-in callers */
#define NGX_HTTP_HELPDESK_ADMIN        0x10    /* only for administrators */
#define NGX_HTTP_HELPDESK_UPLOAD       0x20    /* takes multipart uploads */
#define NGX_HTTP_HELPDESK_STAFF        0x40    /* only for staff */
#define NGX_HTTP_HELPDESK_RAW          0x80    /* the handler reads the body
                                                  itself (the mail gate) */
#define NGX_HTTP_HELPDESK_CSRF         0x100   /* open to visitors, but a
                                                  session's call must carry
                                                  its CSRF token (API) */


typedef struct ngx_http_helpdesk_ctx_s     ngx_http_helpdesk_ctx_t;
typedef struct ngx_http_helpdesk_route_s   ngx_http_helpdesk_route_t;
typedef struct ngx_http_helpdesk_mailer_s  ngx_http_helpdesk_mailer_t;


/* libcurl on this worker's event loop (ngx_http_helpdesk_curl.c) */
typedef struct {
    struct hd_curl_s              *curl;
    ngx_event_t                    timer;
    ngx_log_t                     *log;
} ngx_http_helpdesk_curl_loop_t;


/* a file of a multipart body, in the file store's tmp/ until a flow keeps
 * it */
typedef struct {
    hd_upload_t                     info;
    u_char                          name[HD_FILE_NAME_MAX_BYTES];
    u_char                          type[100];
    hd_str_t                        given_type;
    char                            tmp[PATH_MAX];
} ngx_http_helpdesk_upload_t;

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

    hd_limit_t                     login_limit;
    hd_limit_t                     mail_limit;
    hd_limit_t                     probe_limit;    /* window 0: not set */
    hd_limit_t                     address_limit;
    time_t                         session_idle;
    time_t                         session_absolute;

    ngx_path_t                    *files;          /* helpdesk_files */
    char                          *files_dir;      /* with its NUL */
    ngx_str_t                      files_uri;      /* the internal location */
    ngx_array_t                   *servers;        /* of ..._server_check_t:
                                                      the files location of
                                                      each portal's server */
    hd_ticket_policy_t             tickets;
    hd_work_t                     *work;           /* calendars, SLA,
                                                      auto-close, timer */
    void                          *timer_lcf;      /* the location whose
                                                      templates and address
                                                      the timer's mail uses */
    hd_smtp_conf_t                *smtp;           /* helpdesk_smtp; NULL:
                                                      mail is not sent */
    hd_uchar                       gate_key[32];   /* helpdesk_mailgate_key's
                                                      SHA-256 */
    ngx_uint_t                     gate_key_set;
    hd_str_t                      *authserv_ids;   /* helpdesk_mail_authserv_id:
                                                      MTAs whose
                                                      Authentication-Results
                                                      are believed */
    ngx_uint_t                     nauthserv;
    ngx_uint_t                     gate_warned;    /* wrong keys since the
                                                      last warning */
    time_t                         gate_warn_time;
    ngx_queue_t                    gate_waiting;   /* messages for the next
                                                      group commit */
    void                          *gate_busy;      /* the commit under way */
    void                          *imap;           /* helpdesk_imap */

    /* per worker */
    hd_store_t                    *store;
    time_t                         store_retry;
    ngx_event_t                    reader_check;
    ngx_event_t                    timer;
    void                          *timer_task;
    uint64_t                       timer_instance;
    ngx_uint_t                     timer_busy;
    time_t                         calendar_checked;   /* the day, UTC */
    ngx_uint_t                     timer_held;
    hd_portal_t                    timer_portal;
    ngx_http_helpdesk_mailer_t    *mailer;
} ngx_http_helpdesk_main_conf_t;


/* the tables of ticket labels (statuses, priorities...) in each language */
typedef enum {
    NGX_HTTP_HELPDESK_L_STATUS = 0,
    NGX_HTTP_HELPDESK_L_PRIORITY,
    NGX_HTTP_HELPDESK_L_TYPE,
    NGX_HTTP_HELPDESK_L_CATEGORY,
    NGX_HTTP_HELPDESK_L_SEVERITY,
    NGX_HTTP_HELPDESK_L_SIDE,
    NGX_HTTP_HELPDESK_L_KIND,
    NGX_HTTP_HELPDESK_L_EVENT,
    NGX_HTTP_HELPDESK_L_STAFF_STATUS,   /* statuses as staff read them */
    NGX_HTTP_HELPDESK_L_COUNT
} ngx_http_helpdesk_label_e;

typedef struct {
    hd_val_t                     **label[HD_LANG_COUNT]
                                        [NGX_HTTP_HELPDESK_L_COUNT];
} ngx_http_helpdesk_labels_t;


/* where nginx's error_page sends a body over its limit (see the module) */
#define NGX_HTTP_HELPDESK_TOO_LARGE  "_helpdesk/too-large"


typedef struct {
    ngx_flag_t                     enabled;
    ngx_str_t                      mount;          /* ends with '/' */
    ngx_str_t                      url;            /* helpdesk_url */
    ngx_str_t                      threat_portal;  /* its link, or "" */
    ngx_str_t                      templates_dir;
    hd_templates_t                *templates;
    ngx_http_helpdesk_labels_t    *labels;
    ngx_uint_t                     brand_set;      /* helpdesk_brand */
    ngx_str_t                      brand_name;
    ngx_str_t                      brand_logo;     /* a file of static/ */
    ngx_str_t                      brand_css;      /* static/brand.css */
} ngx_http_helpdesk_loc_conf_t;


struct ngx_http_helpdesk_ctx_s {
    uint64_t                        start_us;   /* monotonic, for metrics */
    ngx_http_helpdesk_main_conf_t  *mcf;
    ngx_http_helpdesk_loc_conf_t   *lcf;
    const ngx_http_helpdesk_route_t *route;
    ngx_str_t                       path;       /* after the mount */
    ngx_str_t                       args[NGX_HTTP_HELPDESK_MAX_ARGS];
    ngx_uint_t                      nargs;
    hd_pool_t                       pool;       /* r->pool for the core */
    hd_lang_e                       lang;
    ngx_uint_t                      lang_chosen; /* by this browser */
    ngx_uint_t                      api;        /* answer errors in JSON */
    ngx_uint_t                      json;       /* the input came as JSON:
                                                   its types are meant */
    ngx_uint_t                      via_token;  /* Authorization: Bearer */
    hd_caller_t                     caller;
    hd_portal_t                     portal;
    json_t                         *input;      /* the body's fields */
    ngx_str_t                       csrf;
    char                           *new_token;  /* shown once */
    ngx_int_t                       rc;         /* of an answer a gate sent */
    ngx_uint_t                      answered;   /* ... which it did */
    off_t                           body_max;
    off_t                           body_received;
    ngx_uint_t                      multipart;
    ngx_http_helpdesk_upload_t     *uploads;
    ngx_uint_t                      nuploads;
    ngx_uint_t                      changed_meanwhile;
    ngx_uint_t                      after_change;
    hd_version_t                   *advice;     /* an update to install
                                                   first, for the form */
};


/* a response built in the request's buffers (templates, JSON) */
typedef struct {
    hd_tpl_out_t                    out;
    ngx_pool_t                     *pool;
    ngx_chain_t                    *first;
    ngx_chain_t                   **last;
    ngx_buf_t                      *buf;
    size_t                          total;
} ngx_http_helpdesk_out_t;

typedef struct {
    ngx_http_helpdesk_out_t         out;
    hd_jw_t                         w;
} ngx_http_helpdesk_jw_t;


/* names read once per page: accounts and departments */
typedef hd_view_names_t  ngx_http_helpdesk_ticket_names_t;


/* a field of a form or JSON body */
typedef struct {
    const char                     *name;
    size_t                          max;        /* bytes */
    ngx_uint_t                      raw;        /* not trimmed: passwords */
} ngx_http_helpdesk_field_t;


/* what every offloaded job has: the result of the core flow */
typedef struct {
    hd_portal_t                     portal;
    uint64_t                        now;
    hd_rc                           rc;
    hd_err_t                        err;
    hd_errors_t                     errors;
    uint64_t                        retry_after;
} ngx_http_helpdesk_job_t;


/* renders a form again with its errors */
typedef ngx_int_t (*ngx_http_helpdesk_form_pt)(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);


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
ngx_int_t ngx_http_helpdesk_local_path(ngx_http_helpdesk_ctx_t *ctx,
    ngx_str_t *path);
ngx_uint_t ngx_http_helpdesk_route_count(void);
ngx_uint_t ngx_http_helpdesk_route_index(
    const ngx_http_helpdesk_route_t *route);
const ngx_http_helpdesk_route_t *ngx_http_helpdesk_route_at(ngx_uint_t i);
const char *ngx_http_helpdesk_route_method(
    const ngx_http_helpdesk_route_t *route);

/* ngx_http_helpdesk_metrics.c */
ngx_int_t ngx_http_helpdesk_metrics_init(ngx_conf_t *cf);
ngx_int_t ngx_http_helpdesk_live_init(ngx_conf_t *cf);             /* live.c */
char *ngx_http_helpdesk_brand(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);                                                  /* brand.c */
char *ngx_http_helpdesk_brand_merge(ngx_conf_t *cf,
    ngx_http_helpdesk_loc_conf_t *prev, ngx_http_helpdesk_loc_conf_t *conf);
void ngx_http_helpdesk_brand_view(ngx_http_helpdesk_ctx_t *ctx,
    hd_val_t *view);
ngx_int_t ngx_http_helpdesk_ticket_live(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_queue_live(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_uint_t ngx_http_helpdesk_input_owner(ngx_http_helpdesk_ctx_t *ctx,
    hd_staff_edit_t *edit, hd_errors_t *errors);                  /* staff.c */
/* files_conf.c: nginx -t of the files location */
ngx_int_t ngx_http_helpdesk_files_location(ngx_conf_t *cf,
    ngx_http_helpdesk_main_conf_t *mcf, ngx_http_helpdesk_loc_conf_t *conf);
ngx_int_t ngx_http_helpdesk_files_check(ngx_conf_t *cf,
    ngx_http_helpdesk_main_conf_t *mcf);
/* staff_macros.c */
ngx_int_t ngx_http_helpdesk_staff_macros(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_macro_add(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_macro_delete(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
void ngx_http_helpdesk_macro_offer(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_txn_t *txn, hd_val_t *view,
    const hd_ticket_t *t, const hd_str_t *customer);
uint64_t ngx_http_helpdesk_queue_version(const hd_staff_scope_t *scope,
    uint64_t department);
ngx_int_t ngx_http_helpdesk_staff_bulk(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);                                /* staff.c */
char *ngx_http_helpdesk_metrics(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/*
 * Gates (reading the body, the fields, the CSRF check, who is calling)
 * return NGX_OK to go on, or NGX_DECLINED when they have answered the
 * request themselves (a 4xx): the handler then returns ctx->rc.
 */
#define ngx_http_helpdesk_answered(ctx, answer)                               \
    ((ctx)->rc = (answer), (ctx)->answered = 1, NGX_DECLINED)

/* ngx_http_helpdesk_body.c */
ngx_int_t ngx_http_helpdesk_read_input(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_input_set(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, json_t *input);
ngx_int_t ngx_http_helpdesk_input_str(ngx_http_helpdesk_ctx_t *ctx,
    const char *name, hd_str_t *value);
ngx_int_t ngx_http_helpdesk_input_fields(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const ngx_http_helpdesk_field_t *fields,
    hd_str_t *values);

int64_t ngx_http_helpdesk_input_number(ngx_http_helpdesk_ctx_t *ctx,
    const char *name);
ngx_uint_t ngx_http_helpdesk_content_type_is(ngx_http_request_t *r,
    const char *type);
ngx_int_t ngx_http_helpdesk_confirmed(const hd_str_t *password,
    const hd_str_t *confirm, const char *field, hd_errors_t *errors);

/* ngx_http_helpdesk_auth.c */
void ngx_http_helpdesk_portal_init(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_base_url(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_identify(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
void ngx_http_helpdesk_caller_language(ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_set_cookie(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const char *name, const char *value,
    time_t max_age);
ngx_str_t *ngx_http_helpdesk_csrf_token(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_csrf_check(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_secret_arg(ngx_http_request_t *r,
    const char *name, hd_str_t *value);

/* ngx_http_helpdesk_view.c */
/* a ticket's view and the errors of the form its page shows again */
typedef struct {
    hd_val_t                       *view;
    hd_errors_t                    *errors;
} ngx_http_helpdesk_ticket_view_t;

/* fills a page's own parts (forms, choices) after its view: NGX_OK */
typedef ngx_int_t (*ngx_http_helpdesk_page_pt)(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_val_t *page, void *data);

void ngx_http_helpdesk_viewer(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_viewer_t *viewer);
ngx_int_t ngx_http_helpdesk_view_send(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_val_t *view, const char *template,
    ngx_http_helpdesk_page_pt page, void *data, ngx_uint_t status);
/* a ticket's view by the path's number (?order=newest for its page) */
ngx_int_t ngx_http_helpdesk_ticket_view_send(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_view_one_pt view,
    const char *template, ngx_http_helpdesk_page_pt page,
    hd_errors_t *errors, ngx_uint_t status);
/* a command's answer: the view of what was saved (API; NULL: 204) or
   the page go with the notice flash (a browser) */
ngx_int_t ngx_http_helpdesk_saved(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_view_one_pt view, uint64_t id,
    ngx_uint_t status, const char *go, const char *flash);
/* a list's ?page, ?per_page and ?show: NULL, or the one that is bad and
   its error's code */
const char *ngx_http_helpdesk_list_args(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_view_list_t *args, const char **code);

/* ngx_http_helpdesk_response.c */
hd_val_t *ngx_http_helpdesk_view(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const char *title_key);
ngx_int_t ngx_http_helpdesk_render(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const char *template, hd_val_t *view,
    ngx_uint_t status);
ngx_int_t ngx_http_helpdesk_render_over(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const char *template, hd_val_t *page,
    hd_val_t *view, ngx_uint_t status);
ngx_int_t ngx_http_helpdesk_send_json(ngx_http_request_t *r,
    ngx_uint_t status, json_t *json);
ngx_http_helpdesk_jw_t *ngx_http_helpdesk_jw_new(ngx_http_request_t *r);
void ngx_http_helpdesk_jw_init(ngx_http_request_t *r,
    ngx_http_helpdesk_jw_t *j);
ngx_int_t ngx_http_helpdesk_jw_send(ngx_http_request_t *r,
    ngx_http_helpdesk_jw_t *j, ngx_uint_t status);
ngx_int_t ngx_http_helpdesk_send_bytes(ngx_http_request_t *r,
    ngx_uint_t status, const char *type, u_char *data, size_t len,
    ngx_uint_t copy);
ngx_int_t ngx_http_helpdesk_error(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_uint_t status, const char *code,
    const char *field);
ngx_int_t ngx_http_helpdesk_fail(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_err_t *err);
ngx_int_t ngx_http_helpdesk_job_failed(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_http_helpdesk_job_t *job,
    ngx_http_helpdesk_form_pt form);
void ngx_http_helpdesk_view_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_val_t *view, const char **echo,
    hd_errors_t *errors);
ngx_int_t ngx_http_helpdesk_no_content(ngx_http_request_t *r);
ngx_int_t ngx_http_helpdesk_message(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const char *title, const char *text,
    const char *link, const char *link_text, ngx_uint_t status);
hd_val_t *ngx_http_helpdesk_time_text(ngx_http_helpdesk_ctx_t *ctx,
    uint64_t t);
void ngx_http_helpdesk_set_text(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *map,
    const char *key, const char *text_key);
void ngx_http_helpdesk_set_day(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *map,
    const char *key, int32_t day);
ngx_int_t ngx_http_helpdesk_go(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const char *path, const char *notice);
ngx_uint_t ngx_http_helpdesk_status(hd_rc rc);
ngx_int_t ngx_http_helpdesk_redirect(ngx_http_request_t *r, u_char *location,
    size_t len);
ngx_int_t ngx_http_helpdesk_add_header(ngx_http_request_t *r,
    const char *name, u_char *value, size_t len);
void ngx_http_helpdesk_security_headers(ngx_http_request_t *r);
const hd_str_t *ngx_http_helpdesk_text(ngx_http_helpdesk_ctx_t *ctx,
    const char *key);

/* ngx_http_helpdesk_directives.c: the value-setting directives */
char *ngx_http_helpdesk_url(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_helpdesk_threat_portal(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_helpdesk_session(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_helpdesk_login_limit(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_helpdesk_files(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_helpdesk_upload_limits(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_helpdesk_reopen_window(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_helpdesk_ticket_start(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* ngx_http_helpdesk_thread.c */
typedef void (*ngx_http_helpdesk_work_pt)(void *data, ngx_log_t *log);
typedef ngx_int_t (*ngx_http_helpdesk_done_pt)(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, void *data);

ngx_int_t ngx_http_helpdesk_offload(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, ngx_http_helpdesk_work_pt work,
    ngx_http_helpdesk_done_pt done, void *data);
ngx_int_t ngx_http_helpdesk_background(ngx_http_helpdesk_main_conf_t *mcf,
    ngx_log_t *log, ngx_http_helpdesk_work_pt work, void *data, size_t size);
hd_arena_t *ngx_http_helpdesk_arena(ngx_http_request_t *r, size_t block);
void *ngx_http_helpdesk_job(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, size_t size);

/* ngx_http_helpdesk_upload.c */
off_t ngx_http_helpdesk_upload_body_max(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_read_multipart(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_multipart_boundary(ngx_http_request_t *r,
    hd_str_t *boundary);
hd_rc ngx_http_helpdesk_store_uploads(const hd_portal_t *portal,
    ngx_http_helpdesk_upload_t *uploads, ngx_uint_t n, hd_upload_t *files,
    hd_err_t *err);

/* ngx_http_helpdesk_pages.c */
ngx_int_t ngx_http_helpdesk_landing(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_language(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_asset(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_api_status(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

/* ngx_http_helpdesk_account.c: register, log in and out, reset, confirm */
ngx_int_t ngx_http_helpdesk_register_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_register(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_login_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_login(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_logout(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_forgot_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_forgot(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_reset_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_reset(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_confirm_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_confirm(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
const char *ngx_http_helpdesk_home(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

/* ngx_http_helpdesk_profile.c: the profile, me, API tokens */
ngx_int_t ngx_http_helpdesk_profile(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_profile_update(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_password_change(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_email_change(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_tokens(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_token_create(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_token_revoke(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_me(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

/* ngx_http_helpdesk_certificates.c: my certificates, the wizard */
ngx_int_t ngx_http_helpdesk_certificates(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_certificates_prefs(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_wizard(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_certificate_register(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

/* ngx_http_helpdesk_company.c */
ngx_int_t ngx_http_helpdesk_company(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_company_create(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_company_invite(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_company_join_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_company_join(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_company_member(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_company_remove(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_company_delete(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

/* ngx_http_helpdesk_admin.c */
ngx_int_t ngx_http_helpdesk_admin(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_products(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_product_save(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_cert_types(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_cert_type_save(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_certificates(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_certificate_issue(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

/* ngx_http_helpdesk_staff.c: the staff console's queue and tickets */
ngx_int_t ngx_http_helpdesk_arg_text(ngx_http_request_t *r, const char *name,
    size_t max, hd_str_t *value);
ngx_int_t ngx_http_helpdesk_staff_queue(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_ticket(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_ticket_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);
ngx_int_t ngx_http_helpdesk_staff_message(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_edit(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_take(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

/* ngx_http_helpdesk_staff_new.c: tickets registered by staff, reports */
ngx_int_t ngx_http_helpdesk_staff_new_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_create(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_customers(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_reports(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

/* ngx_http_helpdesk_staff_admin.c: staff, departments, companies */
ngx_int_t ngx_http_helpdesk_admin_staff(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_staff_add(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_staff_update(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_departments(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_department_save(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_companies(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_cert_search(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_cert_revoke(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

/* ngx_http_helpdesk_mail_prefs.c: an account's mail */
void ngx_http_helpdesk_mail_banner(ngx_http_helpdesk_ctx_t *ctx,
    hd_val_t *view);
void ngx_http_helpdesk_mail_json(json_t *json, const hd_account_t *a);
void ngx_http_helpdesk_mail_settings(ngx_http_helpdesk_ctx_t *ctx,
    hd_val_t *view);
ngx_int_t ngx_http_helpdesk_mail_prefs(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_confirm_again(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_unsubscribe(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

/* ngx_http_helpdesk_admin_mail.c: the outbox for administrators */
ngx_int_t ngx_http_helpdesk_admin_outbox(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_outbox_retry(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_outbox_drop(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

/* ngx_http_helpdesk_admin_mailin.c: mail that came in, the quarantine */
ngx_int_t ngx_http_helpdesk_admin_mailin(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_quarantine_release(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_quarantine_delete(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

/* ngx_http_helpdesk_kb.c, _kb_suggest.c, _kb_votes.c */
ngx_int_t ngx_http_helpdesk_kb_home(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_kb_search(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_kb_suggest(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_kb_article(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_kb_vote(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_kb_deflect(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
uint64_t ngx_http_helpdesk_kb_id(ngx_http_helpdesk_ctx_t *ctx);
void ngx_http_helpdesk_kb_own_language(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_kb_filter_t *f);
ngx_int_t ngx_http_helpdesk_kb_filter(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_kb_filter_t *f);
ngx_int_t ngx_http_helpdesk_kb_query(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_str_t *q);
/* ngx_http_helpdesk_kb_votes.c: an article read, counted */
void ngx_http_helpdesk_kb_view(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, uint64_t id);
hd_val_t *ngx_http_helpdesk_kb_item(ngx_http_helpdesk_ctx_t *ctx,
    const hd_kb_article_t *a);
void ngx_http_helpdesk_kb_jw_open(ngx_http_helpdesk_ctx_t *ctx, hd_jw_t *w,
    const hd_kb_article_t *a, const hd_kb_stats_t *s, const hd_str_t *html);
void ngx_http_helpdesk_kb_jw(ngx_http_helpdesk_ctx_t *ctx, hd_jw_t *w,
    const hd_kb_article_t *a, const hd_kb_stats_t *s, const hd_str_t *html);
void ngx_http_helpdesk_kb_url(ngx_http_helpdesk_ctx_t *ctx,
    const hd_kb_article_t *a, ngx_str_t *url);
size_t ngx_http_helpdesk_kb_suggestions(ngx_http_helpdesk_ctx_t *ctx,
    hd_txn_t *txn, const hd_str_t *subject, const hd_str_t *description,
    hd_val_t *list, u_char *ids, size_t size);

/* ngx_http_helpdesk_staff_kb.c */
ngx_int_t ngx_http_helpdesk_staff_kb(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_kb_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_kb_save(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_kb_preview(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_kb_history(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_kb_report(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_kb_from_ticket(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_search(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);  /* ngx_http_helpdesk_staff_search.c */

/* ngx_http_helpdesk_categories.c: request categories */
int ngx_http_helpdesk_input_category(ngx_http_helpdesk_ctx_t *ctx,
    ngx_uint_t for_new);
void ngx_http_helpdesk_set_category(ngx_http_helpdesk_ctx_t *ctx,
    hd_txn_t *txn, hd_val_t *map, const char *key, uint8_t id);
const char *ngx_http_helpdesk_category_name(ngx_http_helpdesk_ctx_t *ctx,
    hd_txn_t *txn, uint8_t id);
hd_val_t *ngx_http_helpdesk_department_options(ngx_http_helpdesk_ctx_t *ctx,
    const hd_department_t *d, size_t n, uint64_t selected);
hd_val_t *ngx_http_helpdesk_category_choices(ngx_http_helpdesk_ctx_t *ctx,
    hd_txn_t *txn, const hd_str_t *chosen, const char *def, int keep);
ngx_int_t ngx_http_helpdesk_categories(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_category_save(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

/* ngx_http_helpdesk_forms.c: ticket forms' extra fields */
ngx_int_t ngx_http_helpdesk_form_input(ngx_http_helpdesk_ctx_t *ctx,
    int category, int type, hd_str_t *out, hd_errors_t *errors);
ngx_int_t ngx_http_helpdesk_form_groups(ngx_http_helpdesk_ctx_t *ctx,
    hd_txn_t *txn, hd_val_t *view, const hd_errors_t *errors);
ngx_int_t ngx_http_helpdesk_form_edit_groups(ngx_http_helpdesk_ctx_t *ctx,
    hd_txn_t *txn, const hd_ticket_t *t, hd_val_t *view,
    const hd_errors_t *errors);
void ngx_http_helpdesk_form_shown(ngx_http_helpdesk_ctx_t *ctx,
    hd_txn_t *txn, const hd_ticket_t *t, hd_val_t *view);
ngx_int_t ngx_http_helpdesk_forms_api(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_forms(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_form_save(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_form_reset(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

/* ngx_http_helpdesk_tickets.c: my tickets, a ticket, the customer's
 * actions */
ngx_int_t ngx_http_helpdesk_tickets(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_ticket_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_ticket_create(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_ticket_created(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_ticket(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_ticket_reply(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_ticket_edit(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_ticket_close(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_ticket_reopen(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_ticket_rating(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_ticket_rate_form(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_ticket_file(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

#define NGX_HTTP_HELPDESK_FILE_INLINE  1    /* an image shown in a page */
#define NGX_HTTP_HELPDESK_FILE_PUBLIC  2    /* anyone may cache it */

void ngx_http_helpdesk_file_jw(hd_jw_t *w, const hd_attachment_t *f,
    const u_char *url, size_t len);
ngx_int_t ngx_http_helpdesk_file_send(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, const hd_attachment_t *a, ngx_uint_t flags);
ngx_int_t ngx_http_helpdesk_kb_may_edit(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_kb_form_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);
ngx_int_t ngx_http_helpdesk_activation(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_activation_request(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_activation_approve(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
void ngx_http_helpdesk_activation_view(ngx_http_helpdesk_ctx_t *ctx,
    hd_txn_t *txn, const hd_ticket_t *t, hd_val_t *view);
ngx_int_t ngx_http_helpdesk_regulations(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_regulations(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_admin_regulations_publish(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_kb_file(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_kb_files_add(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
ngx_int_t ngx_http_helpdesk_staff_kb_file_delete(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
void ngx_http_helpdesk_kb_files_view(ngx_http_helpdesk_ctx_t *ctx,
    hd_val_t *item, const hd_kb_article_t *a, const hd_attachment_t *files,
    size_t n);
void ngx_http_helpdesk_kb_files_jw(ngx_http_helpdesk_ctx_t *ctx, hd_jw_t *w,
    const hd_kb_article_t *a, const hd_attachment_t *files, size_t n);
ngx_int_t ngx_http_helpdesk_ticket_form_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);
ngx_int_t ngx_http_helpdesk_ticket_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);
ngx_int_t ngx_http_helpdesk_ticket_rate_page(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx, hd_errors_t *errors, ngx_uint_t status);
uint64_t ngx_http_helpdesk_ticket_arg(ngx_http_helpdesk_ctx_t *ctx);
void ngx_http_helpdesk_jw_time(hd_jw_t *w, uint64_t t);
/* the table of statuses for whoever the route serves: staff or customers */
#define ngx_http_helpdesk_status_labels(ctx)                                \
    (((ctx)->route != NULL                                                  \
      && ((ctx)->route->flags & NGX_HTTP_HELPDESK_STAFF))                   \
     ? NGX_HTTP_HELPDESK_L_STAFF_STATUS : NGX_HTTP_HELPDESK_L_STATUS)

ngx_int_t ngx_http_helpdesk_labels_init(ngx_conf_t *cf,
    ngx_http_helpdesk_loc_conf_t *lcf);

/* what the customer's and the staff's ticket pages share */
#define ngx_http_helpdesk_account_name     hd_view_account_name
#define ngx_http_helpdesk_department_name  hd_view_department_name
hd_val_t *ngx_http_helpdesk_cert_choice(hd_pool_t *pool,
    const hd_ticket_cert_t *tc);
void ngx_http_helpdesk_set_label(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *map,
    const char *key, ngx_http_helpdesk_label_e table, ngx_uint_t i);
void ngx_http_helpdesk_fill_label(ngx_http_helpdesk_ctx_t *ctx, hd_val_t *v,
    ngx_http_helpdesk_label_e table, ngx_uint_t i);
void ngx_http_helpdesk_fill_str(hd_val_t *v, const hd_str_t *s);
/* a name of a table (statuses, priorities...): its code, for a class */
void ngx_http_helpdesk_fill_code(hd_val_t *v, const char **names, size_t n,
    unsigned i);
void ngx_http_helpdesk_set_given(hd_pool_t *pool, hd_val_t *map,
    const char *key, const hd_str_t *s);
void ngx_http_helpdesk_jw_kstr(hd_jw_t *w, const char *key,
    const hd_str_t *s);
void ngx_http_helpdesk_jw_kid(hd_jw_t *w, const char *key, uint64_t id);
void ngx_http_helpdesk_jw_kopt(hd_jw_t *w, const char *key,
    const hd_str_t *s);
ngx_int_t ngx_http_helpdesk_arg_number(ngx_http_request_t *r,
    const char *name, ngx_int_t def, ngx_int_t max);
hd_val_t *ngx_http_helpdesk_choices(ngx_http_helpdesk_ctx_t *ctx,
    ngx_http_helpdesk_label_e table, const hd_str_t *chosen,
    const char *def);
hd_val_t *ngx_http_helpdesk_size_text(ngx_http_helpdesk_ctx_t *ctx,
    uint64_t size);

/* ngx_http_helpdesk_ticket_actions.c: fields both sides read */
int ngx_http_helpdesk_input_choice(ngx_http_helpdesk_ctx_t *ctx,
    const char *name, const char **names, size_t n);
int ngx_http_helpdesk_input_bool(ngx_http_helpdesk_ctx_t *ctx,
    const char *name);

/* ngx_http_helpdesk_timer.c: working time directives and the timer */
ngx_int_t ngx_http_helpdesk_work_create(ngx_conf_t *cf,
    ngx_http_helpdesk_main_conf_t *mcf);
char *ngx_http_helpdesk_calendar(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_helpdesk_holidays(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_helpdesk_autoclose(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_helpdesk_sla(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_helpdesk_timer(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
/* a monotonic clock in microseconds (latencies, budgets) */
uint64_t ngx_http_helpdesk_mono_us(void);
void ngx_http_helpdesk_calendar_check(ngx_log_t *log, const hd_work_t *w,
    uint64_t now);
void ngx_http_helpdesk_timer_start(ngx_cycle_t *cycle,
    ngx_http_helpdesk_main_conf_t *mcf);
void ngx_http_helpdesk_timer_stop(ngx_http_helpdesk_main_conf_t *mcf);

/* ngx_http_helpdesk_curl.c */
ngx_int_t ngx_http_helpdesk_curl_loop_init(ngx_http_helpdesk_curl_loop_t *loop,
    ngx_log_t *log, unsigned connections);
void ngx_http_helpdesk_curl_loop_free(ngx_http_helpdesk_curl_loop_t *loop);

/* ngx_http_helpdesk_mail.c: helpdesk_smtp and the sender; what the mail
 * directives share */
ngx_int_t ngx_http_helpdesk_conf_param(ngx_str_t *v, const char *name,
    ngx_str_t *value);
ngx_int_t ngx_http_helpdesk_conf_secret(ngx_conf_t *cf, const char *directive,
    ngx_str_t *file, u_char *buf, size_t size);
char *ngx_http_helpdesk_smtp(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
void ngx_http_helpdesk_mail_start(ngx_cycle_t *cycle,
    ngx_http_helpdesk_main_conf_t *mcf);
void ngx_http_helpdesk_mail_poke(ngx_http_helpdesk_main_conf_t *mcf);
void ngx_http_helpdesk_mail_stop(ngx_http_helpdesk_main_conf_t *mcf);

/* ngx_http_helpdesk_mailgate.c: mail that comes in by the MTA */
char *ngx_http_helpdesk_mail_authserv_id(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_helpdesk_mailgate_key(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_int_t ngx_http_helpdesk_mailgate(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);

/* ngx_http_helpdesk_mailbox.c: the mailbox the portal reads */
char *ngx_http_helpdesk_imap(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
void ngx_http_helpdesk_mailbox_start(ngx_cycle_t *cycle,
    ngx_http_helpdesk_main_conf_t *mcf);
void ngx_http_helpdesk_mailbox_stop(ngx_http_helpdesk_main_conf_t *mcf);


#endif /* NGX_HTTP_HELPDESK_MODULE_H */

/*
 * Routing: the table of every page and API route, the content handler that
 * matches a request against it, and what every request needs first (its
 * context, language, body).
 */

#include "ngx_http_helpdesk_module.h"


#define NGX_HTTP_HELPDESK_GET    (NGX_HTTP_GET|NGX_HTTP_HEAD)
#define NGX_HTTP_HELPDESK_FORM   NGX_HTTP_HELPDESK_BODY
#define NGX_HTTP_HELPDESK_USER   NGX_HTTP_HELPDESK_AUTH
#define NGX_HTTP_HELPDESK_USER_FORM                                           \
    (NGX_HTTP_HELPDESK_AUTH|NGX_HTTP_HELPDESK_BODY)
#define NGX_HTTP_HELPDESK_ADMIN_PAGE                                          \
    (NGX_HTTP_HELPDESK_AUTH|NGX_HTTP_HELPDESK_ADMIN)
#define NGX_HTTP_HELPDESK_ADMIN_FORM                                          \
    (NGX_HTTP_HELPDESK_AUTH|NGX_HTTP_HELPDESK_ADMIN|NGX_HTTP_HELPDESK_BODY)
#define NGX_HTTP_HELPDESK_USER_UPLOAD                                         \
    (NGX_HTTP_HELPDESK_AUTH|NGX_HTTP_HELPDESK_BODY|NGX_HTTP_HELPDESK_UPLOAD)
#define NGX_HTTP_HELPDESK_STAFF_UPLOAD                                        \
    (NGX_HTTP_HELPDESK_USER_UPLOAD|NGX_HTTP_HELPDESK_STAFF)
#define NGX_HTTP_HELPDESK_STAFF_PAGE                                          \
    (NGX_HTTP_HELPDESK_AUTH|NGX_HTTP_HELPDESK_STAFF)
#define NGX_HTTP_HELPDESK_STAFF_FORM                                          \
    (NGX_HTTP_HELPDESK_AUTH|NGX_HTTP_HELPDESK_STAFF|NGX_HTTP_HELPDESK_BODY)


/* every route of the portal, relative to the location's prefix */
static const ngx_http_helpdesk_route_t  ngx_http_helpdesk_routes[] = {

    /* pages */

    { NGX_HTTP_HELPDESK_GET, "", ngx_http_helpdesk_landing, 0, "landing" },
    { NGX_HTTP_HELPDESK_GET, "lang/{code}", ngx_http_helpdesk_language,
      NGX_HTTP_HELPDESK_NO_STORE, "language" },
    { NGX_HTTP_HELPDESK_GET, "static/{file}", ngx_http_helpdesk_asset,
      NGX_HTTP_HELPDESK_NO_STORE, "static" },

    { NGX_HTTP_HELPDESK_GET, "register", ngx_http_helpdesk_register_form, 0,
      "register" },
    { NGX_HTTP_POST, "register", ngx_http_helpdesk_register,
      NGX_HTTP_HELPDESK_FORM, "register" },
    { NGX_HTTP_HELPDESK_GET, "login", ngx_http_helpdesk_login_form, 0,
      "login" },
    { NGX_HTTP_POST, "login", ngx_http_helpdesk_login,
      NGX_HTTP_HELPDESK_FORM, "login" },
    { NGX_HTTP_POST, "logout", ngx_http_helpdesk_logout,
      NGX_HTTP_HELPDESK_USER_FORM, "logout" },
    { NGX_HTTP_HELPDESK_GET, "password/forgot", ngx_http_helpdesk_forgot_form,
      0, "password.forgot" },
    { NGX_HTTP_POST, "password/forgot", ngx_http_helpdesk_forgot,
      NGX_HTTP_HELPDESK_FORM, "password.forgot" },
    { NGX_HTTP_HELPDESK_GET, "password/reset", ngx_http_helpdesk_reset_form,
      0, "password.reset" },
    { NGX_HTTP_POST, "password/reset", ngx_http_helpdesk_reset,
      NGX_HTTP_HELPDESK_FORM, "password.reset" },
    { NGX_HTTP_HELPDESK_GET, "email/confirm", ngx_http_helpdesk_confirm_form,
      0, "email.confirm" },
    { NGX_HTTP_POST, "email/confirm", ngx_http_helpdesk_confirm,
      NGX_HTTP_HELPDESK_FORM, "email.confirm" },

    { NGX_HTTP_HELPDESK_GET, "profile", ngx_http_helpdesk_profile,
      NGX_HTTP_HELPDESK_USER, "profile" },
    { NGX_HTTP_POST, "profile", ngx_http_helpdesk_profile_update,
      NGX_HTTP_HELPDESK_USER_FORM, "profile" },
    { NGX_HTTP_POST, "profile/password", ngx_http_helpdesk_password_change,
      NGX_HTTP_HELPDESK_USER_FORM, "profile.password" },
    { NGX_HTTP_POST, "profile/email/confirm",
      ngx_http_helpdesk_confirm_again, NGX_HTTP_HELPDESK_USER_FORM,
      "profile.email.confirm" },
    { NGX_HTTP_POST, "profile/mail", ngx_http_helpdesk_mail_prefs,
      NGX_HTTP_HELPDESK_USER_FORM, "profile.mail" },
    { NGX_HTTP_HELPDESK_GET|NGX_HTTP_POST, "unsubscribe",
      ngx_http_helpdesk_unsubscribe, 0, "unsubscribe" },
    { NGX_HTTP_POST, "profile/email", ngx_http_helpdesk_email_change,
      NGX_HTTP_HELPDESK_USER_FORM, "profile.email" },
    { NGX_HTTP_POST, "profile/tokens", ngx_http_helpdesk_token_create,
      NGX_HTTP_HELPDESK_USER_FORM, "profile.tokens" },
    { NGX_HTTP_POST, "profile/tokens/{id}/revoke",
      ngx_http_helpdesk_token_revoke, NGX_HTTP_HELPDESK_USER_FORM,
      "profile.tokens.revoke" },

    { NGX_HTTP_HELPDESK_GET, "certificates", ngx_http_helpdesk_certificates,
      NGX_HTTP_HELPDESK_USER, "certificates" },
    { NGX_HTTP_POST, "certificates/prefs",
      ngx_http_helpdesk_certificates_prefs, NGX_HTTP_HELPDESK_USER_FORM,
      "certificates.prefs" },
    { NGX_HTTP_HELPDESK_GET, "certificates/{id}/activation",
      ngx_http_helpdesk_activation, NGX_HTTP_HELPDESK_USER,
      "certificates.activation" },
    { NGX_HTTP_POST, "certificates/{id}/activation",
      ngx_http_helpdesk_activation_request, NGX_HTTP_HELPDESK_USER_FORM,
      "certificates.activation" },
    { NGX_HTTP_HELPDESK_GET, "certificates/register", ngx_http_helpdesk_wizard,
      NGX_HTTP_HELPDESK_USER, "certificates.register" },
    { NGX_HTTP_POST, "certificates/register",
      ngx_http_helpdesk_certificate_register, NGX_HTTP_HELPDESK_USER_FORM,
      "certificates.register" },

    { NGX_HTTP_HELPDESK_GET, "tickets", ngx_http_helpdesk_tickets,
      NGX_HTTP_HELPDESK_USER, "tickets" },
    { NGX_HTTP_HELPDESK_GET, "tickets/new", ngx_http_helpdesk_ticket_form,
      NGX_HTTP_HELPDESK_USER, "tickets.new" },
    { NGX_HTTP_POST, "tickets/new", ngx_http_helpdesk_ticket_create,
      NGX_HTTP_HELPDESK_USER_UPLOAD, "tickets.new" },
    { NGX_HTTP_HELPDESK_GET, "tickets/{n}", ngx_http_helpdesk_ticket,
      NGX_HTTP_HELPDESK_USER, "ticket" },
    { NGX_HTTP_HELPDESK_GET, "tickets/{n}/created",
      ngx_http_helpdesk_ticket_created, NGX_HTTP_HELPDESK_USER,
      "ticket.created" },
    { NGX_HTTP_POST, "tickets/{n}/reply", ngx_http_helpdesk_ticket_reply,
      NGX_HTTP_HELPDESK_USER_UPLOAD, "ticket.reply" },
    { NGX_HTTP_POST, "tickets/{n}/close", ngx_http_helpdesk_ticket_close,
      NGX_HTTP_HELPDESK_USER_FORM, "ticket.close" },
    { NGX_HTTP_POST, "tickets/{n}/edit", ngx_http_helpdesk_ticket_edit,
      NGX_HTTP_HELPDESK_USER_FORM, "ticket.edit" },
    { NGX_HTTP_POST, "tickets/{n}/reopen", ngx_http_helpdesk_ticket_reopen,
      NGX_HTTP_HELPDESK_USER_UPLOAD, "ticket.reopen" },
    { NGX_HTTP_POST, "tickets/{n}/rating", ngx_http_helpdesk_ticket_rating,
      NGX_HTTP_HELPDESK_USER_FORM, "ticket.rating" },
    { NGX_HTTP_HELPDESK_GET, "tickets/{n}/rate",
      ngx_http_helpdesk_ticket_rate_form, 0, "ticket.rate" },
    { NGX_HTTP_POST, "tickets/{n}/rate", ngx_http_helpdesk_ticket_rating,
      NGX_HTTP_HELPDESK_FORM, "ticket.rate" },
    { NGX_HTTP_HELPDESK_GET, "tickets/{n}/files/{id}",
      ngx_http_helpdesk_ticket_file, NGX_HTTP_HELPDESK_USER, "ticket.file" },

    { NGX_HTTP_HELPDESK_GET, "company", ngx_http_helpdesk_company,
      NGX_HTTP_HELPDESK_USER, "company" },
    { NGX_HTTP_POST, "company", ngx_http_helpdesk_company_create,
      NGX_HTTP_HELPDESK_USER_FORM, "company" },
    { NGX_HTTP_POST, "company/invite", ngx_http_helpdesk_company_invite,
      NGX_HTTP_HELPDESK_USER_FORM, "company.invite" },
    { NGX_HTTP_HELPDESK_GET, "company/join",
      ngx_http_helpdesk_company_join_form, 0, "company.join" },
    { NGX_HTTP_POST, "company/join", ngx_http_helpdesk_company_join,
      NGX_HTTP_HELPDESK_USER_FORM, "company.join" },
    { NGX_HTTP_POST, "company/members/{id}", ngx_http_helpdesk_company_member,
      NGX_HTTP_HELPDESK_USER_FORM, "company.member" },
    { NGX_HTTP_POST, "company/members/{id}/remove",
      ngx_http_helpdesk_company_remove, NGX_HTTP_HELPDESK_USER_FORM,
      "company.member.remove" },
    { NGX_HTTP_POST, "company/leave", ngx_http_helpdesk_company_remove,
      NGX_HTTP_HELPDESK_USER_FORM, "company.leave" },
    { NGX_HTTP_POST, "company/delete", ngx_http_helpdesk_company_delete,
      NGX_HTTP_HELPDESK_USER_FORM, "company.delete" },

    { NGX_HTTP_HELPDESK_GET, "staff/tickets", ngx_http_helpdesk_staff_queue,
      NGX_HTTP_HELPDESK_STAFF_PAGE, "staff.tickets" },
    { NGX_HTTP_HELPDESK_GET, "staff/tickets/new",
      ngx_http_helpdesk_staff_new_form, NGX_HTTP_HELPDESK_STAFF_PAGE,
      "staff.tickets.new" },
    { NGX_HTTP_POST, "staff/tickets/new", ngx_http_helpdesk_staff_create,
      NGX_HTTP_HELPDESK_STAFF_UPLOAD, "staff.tickets.new" },
    { NGX_HTTP_POST, "staff/tickets/bulk", ngx_http_helpdesk_staff_bulk,
      NGX_HTTP_HELPDESK_STAFF_FORM, "staff.tickets.bulk" },
    { NGX_HTTP_HELPDESK_GET, "staff/macros", ngx_http_helpdesk_staff_macros,
      NGX_HTTP_HELPDESK_STAFF_PAGE, "staff.macros" },
    { NGX_HTTP_POST, "staff/macros", ngx_http_helpdesk_staff_macro_add,
      NGX_HTTP_HELPDESK_STAFF_FORM, "staff.macros" },
    { NGX_HTTP_POST, "staff/macros/{n}/delete",
      ngx_http_helpdesk_staff_macro_delete, NGX_HTTP_HELPDESK_STAFF_FORM,
      "staff.macros.delete" },
    { NGX_HTTP_HELPDESK_GET, "staff/tickets/{n}",
      ngx_http_helpdesk_staff_ticket, NGX_HTTP_HELPDESK_STAFF_PAGE,
      "staff.ticket" },
    { NGX_HTTP_POST, "staff/tickets/{n}", ngx_http_helpdesk_staff_edit,
      NGX_HTTP_HELPDESK_STAFF_FORM, "staff.ticket" },
    { NGX_HTTP_POST, "staff/tickets/{n}/activation",
      ngx_http_helpdesk_activation_approve, NGX_HTTP_HELPDESK_STAFF_FORM,
      "staff.ticket.activation" },
    { NGX_HTTP_POST, "staff/tickets/{n}/take", ngx_http_helpdesk_staff_take,
      NGX_HTTP_HELPDESK_STAFF_FORM, "staff.ticket.take" },
    { NGX_HTTP_POST, "staff/tickets/{n}/messages",
      ngx_http_helpdesk_staff_message, NGX_HTTP_HELPDESK_STAFF_UPLOAD,
      "staff.ticket.messages" },
    { NGX_HTTP_HELPDESK_GET, "staff/reports", ngx_http_helpdesk_staff_reports,
      NGX_HTTP_HELPDESK_STAFF_PAGE, "staff.reports" },

    { NGX_HTTP_HELPDESK_GET, "kb", ngx_http_helpdesk_kb_home, 0, "kb" },
    { NGX_HTTP_HELPDESK_GET, "regulations", ngx_http_helpdesk_regulations, 0,
      "regulations" },
    { NGX_HTTP_HELPDESK_GET, "kb/search", ngx_http_helpdesk_kb_search, 0,
      "kb.search" },
    { NGX_HTTP_HELPDESK_GET, "kb/{id}", ngx_http_helpdesk_kb_article, 0,
      "kb.article" },
    { NGX_HTTP_POST, "kb/{id}/vote", ngx_http_helpdesk_kb_vote,
      NGX_HTTP_HELPDESK_FORM, "kb.vote" },
    { NGX_HTTP_HELPDESK_GET, "kb/{id}/files/{id}", ngx_http_helpdesk_kb_file,
      0, "kb.file" },
    { NGX_HTTP_POST, "tickets/new/solved", ngx_http_helpdesk_kb_deflect,
      NGX_HTTP_HELPDESK_USER_FORM, "tickets.solved" },
    { NGX_HTTP_POST, "staff/tickets/{n}/article",
      ngx_http_helpdesk_staff_kb_from_ticket, NGX_HTTP_HELPDESK_STAFF_FORM,
      "staff.ticket.article" },
    { NGX_HTTP_HELPDESK_GET, "staff/search", ngx_http_helpdesk_staff_search,
      NGX_HTTP_HELPDESK_STAFF_PAGE, "staff.search" },
    { NGX_HTTP_HELPDESK_GET, "staff/kb", ngx_http_helpdesk_staff_kb,
      NGX_HTTP_HELPDESK_STAFF_PAGE, "staff.kb" },
    { NGX_HTTP_HELPDESK_GET, "staff/kb/new", ngx_http_helpdesk_staff_kb_form,
      NGX_HTTP_HELPDESK_STAFF_PAGE, "staff.kb.new" },
    { NGX_HTTP_POST, "staff/kb/new", ngx_http_helpdesk_staff_kb_save,
      NGX_HTTP_HELPDESK_STAFF_FORM, "staff.kb.new" },
    { NGX_HTTP_HELPDESK_GET, "staff/kb/report",
      ngx_http_helpdesk_staff_kb_report, NGX_HTTP_HELPDESK_STAFF_PAGE,
      "staff.kb.report" },
    { NGX_HTTP_HELPDESK_GET, "staff/kb/{id}/edit",
      ngx_http_helpdesk_staff_kb_form, NGX_HTTP_HELPDESK_STAFF_PAGE,
      "staff.kb.edit" },
    { NGX_HTTP_POST, "staff/kb/{id}/edit", ngx_http_helpdesk_staff_kb_save,
      NGX_HTTP_HELPDESK_STAFF_FORM, "staff.kb.edit" },
    { NGX_HTTP_POST, "staff/kb/{id}/files",
      ngx_http_helpdesk_staff_kb_files_add, NGX_HTTP_HELPDESK_STAFF_UPLOAD,
      "staff.kb.files" },
    { NGX_HTTP_POST, "staff/kb/{id}/files/{id}/delete",
      ngx_http_helpdesk_staff_kb_file_delete, NGX_HTTP_HELPDESK_STAFF_FORM,
      "staff.kb.file.delete" },
    { NGX_HTTP_HELPDESK_GET, "staff/kb/{id}/history",
      ngx_http_helpdesk_staff_kb_history, NGX_HTTP_HELPDESK_STAFF_PAGE,
      "staff.kb.history" },

    { NGX_HTTP_HELPDESK_GET, "admin", ngx_http_helpdesk_admin,
      NGX_HTTP_HELPDESK_ADMIN_PAGE, "admin" },
    { NGX_HTTP_HELPDESK_GET, "admin/staff", ngx_http_helpdesk_admin_staff,
      NGX_HTTP_HELPDESK_ADMIN_PAGE, "admin.staff" },
    { NGX_HTTP_POST, "admin/staff", ngx_http_helpdesk_admin_staff_add,
      NGX_HTTP_HELPDESK_ADMIN_FORM, "admin.staff" },
    { NGX_HTTP_POST, "admin/staff/{id}", ngx_http_helpdesk_admin_staff_update,
      NGX_HTTP_HELPDESK_ADMIN_FORM, "admin.staff.member" },
    { NGX_HTTP_HELPDESK_GET, "admin/departments",
      ngx_http_helpdesk_admin_departments, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "admin.departments" },
    { NGX_HTTP_POST, "admin/departments",
      ngx_http_helpdesk_admin_department_save, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "admin.departments" },
    { NGX_HTTP_HELPDESK_GET, "admin/departments/{id}",
      ngx_http_helpdesk_admin_departments, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "admin.department" },
    { NGX_HTTP_POST, "admin/departments/{id}",
      ngx_http_helpdesk_admin_department_save, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "admin.department" },
    { NGX_HTTP_HELPDESK_GET, "admin/companies",
      ngx_http_helpdesk_admin_companies, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "admin.companies" },
    { NGX_HTTP_HELPDESK_GET, "admin/companies/{id}",
      ngx_http_helpdesk_admin_companies, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "admin.company" },
    { NGX_HTTP_POST, "admin/certificates/{id}/revoke",
      ngx_http_helpdesk_admin_cert_revoke, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "admin.certificate.revoke" },
    { NGX_HTTP_HELPDESK_GET, "admin/products", ngx_http_helpdesk_products,
      NGX_HTTP_HELPDESK_ADMIN_PAGE, "admin.products" },
    { NGX_HTTP_POST, "admin/products", ngx_http_helpdesk_product_save,
      NGX_HTTP_HELPDESK_ADMIN_FORM, "admin.products" },
    { NGX_HTTP_HELPDESK_GET, "admin/products/{id}",
      ngx_http_helpdesk_products, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "admin.product" },
    { NGX_HTTP_POST, "admin/products/{id}", ngx_http_helpdesk_product_save,
      NGX_HTTP_HELPDESK_ADMIN_FORM, "admin.product" },
    { NGX_HTTP_HELPDESK_GET, "admin/cert-types",
      ngx_http_helpdesk_cert_types, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "admin.cert_types" },
    { NGX_HTTP_POST, "admin/cert-types", ngx_http_helpdesk_cert_type_save,
      NGX_HTTP_HELPDESK_ADMIN_FORM, "admin.cert_types" },
    { NGX_HTTP_HELPDESK_GET, "admin/cert-types/{id}",
      ngx_http_helpdesk_cert_types, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "admin.cert_type" },
    { NGX_HTTP_POST, "admin/cert-types/{id}",
      ngx_http_helpdesk_cert_type_save, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "admin.cert_type" },
    { NGX_HTTP_HELPDESK_GET, "admin/certificates",
      ngx_http_helpdesk_admin_certificates, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "admin.certificates" },
    { NGX_HTTP_HELPDESK_GET, "admin/categories", ngx_http_helpdesk_categories,
      NGX_HTTP_HELPDESK_ADMIN_PAGE, "admin.categories" },
    { NGX_HTTP_POST, "admin/categories", ngx_http_helpdesk_category_save,
      NGX_HTTP_HELPDESK_ADMIN_FORM, "admin.categories" },
    { NGX_HTTP_POST, "admin/categories/{id}", ngx_http_helpdesk_category_save,
      NGX_HTTP_HELPDESK_ADMIN_FORM, "admin.category" },
    { NGX_HTTP_HELPDESK_GET, "admin/forms", ngx_http_helpdesk_admin_forms,
      NGX_HTTP_HELPDESK_ADMIN_PAGE, "admin.forms" },
    { NGX_HTTP_HELPDESK_GET, "admin/forms/{category}/{type}",
      ngx_http_helpdesk_admin_form, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "admin.form" },
    { NGX_HTTP_POST, "admin/forms/{category}/{type}",
      ngx_http_helpdesk_admin_form_save, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "admin.form" },
    { NGX_HTTP_POST, "admin/forms/{category}/{type}/reset",
      ngx_http_helpdesk_admin_form_reset, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "admin.form.reset" },
    { NGX_HTTP_HELPDESK_GET, "admin/regulations",
      ngx_http_helpdesk_admin_regulations, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "admin.regulations" },
    { NGX_HTTP_POST, "admin/regulations",
      ngx_http_helpdesk_admin_regulations_publish,
      NGX_HTTP_HELPDESK_ADMIN_FORM, "admin.regulations" },
    { NGX_HTTP_POST, "admin/certificates",
      ngx_http_helpdesk_certificate_issue, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "admin.certificates" },
    { NGX_HTTP_HELPDESK_GET, "admin/outbox", ngx_http_helpdesk_admin_outbox,
      NGX_HTTP_HELPDESK_ADMIN_PAGE, "admin.outbox" },
    { NGX_HTTP_HELPDESK_GET, "admin/outbox/{id}",
      ngx_http_helpdesk_admin_outbox, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "admin.outbox.mail" },
    { NGX_HTTP_POST, "admin/outbox/{id}/retry",
      ngx_http_helpdesk_admin_outbox_retry, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "admin.outbox.retry" },
    { NGX_HTTP_POST, "admin/outbox/{id}/drop",
      ngx_http_helpdesk_admin_outbox_drop, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "admin.outbox.drop" },
    { NGX_HTTP_HELPDESK_GET, "admin/mail", ngx_http_helpdesk_admin_mailin,
      NGX_HTTP_HELPDESK_ADMIN_PAGE, "admin.mail" },
    { NGX_HTTP_HELPDESK_GET, "admin/mail/quarantine/{id}",
      ngx_http_helpdesk_admin_mailin, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "admin.mail.held" },
    { NGX_HTTP_POST, "admin/mail/quarantine/{id}/release",
      ngx_http_helpdesk_admin_quarantine_release,
      NGX_HTTP_HELPDESK_ADMIN_FORM, "admin.mail.release" },
    { NGX_HTTP_POST, "admin/mail/quarantine/{id}/delete",
      ngx_http_helpdesk_admin_quarantine_delete,
      NGX_HTTP_HELPDESK_ADMIN_FORM, "admin.mail.delete" },

    /* the JSON API: the same handlers, answering JSON */

    { NGX_HTTP_HELPDESK_GET, "api/v1/status", ngx_http_helpdesk_api_status,
      0, "api.status" },
    { NGX_HTTP_POST, "api/v1/accounts", ngx_http_helpdesk_register,
      NGX_HTTP_HELPDESK_BODY, "api.accounts" },
    { NGX_HTTP_POST, "api/v1/session", ngx_http_helpdesk_login,
      NGX_HTTP_HELPDESK_BODY, "api.session" },
    { NGX_HTTP_DELETE, "api/v1/session", ngx_http_helpdesk_logout,
      NGX_HTTP_HELPDESK_USER_FORM, "api.session" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/me", ngx_http_helpdesk_me,
      NGX_HTTP_HELPDESK_USER, "api.me" },
    { NGX_HTTP_PATCH, "api/v1/me", ngx_http_helpdesk_profile_update,
      NGX_HTTP_HELPDESK_USER_FORM, "api.me" },
    { NGX_HTTP_POST, "api/v1/me/password", ngx_http_helpdesk_password_change,
      NGX_HTTP_HELPDESK_USER_FORM, "api.me.password" },
    { NGX_HTTP_POST, "api/v1/email/confirm", ngx_http_helpdesk_confirm,
      NGX_HTTP_HELPDESK_FORM, "api.email.confirm" },
    { NGX_HTTP_POST, "api/v1/me/email/confirmation",
      ngx_http_helpdesk_confirm_again, NGX_HTTP_HELPDESK_USER_FORM,
      "api.me.email.confirmation" },
    { NGX_HTTP_PUT, "api/v1/me/mail", ngx_http_helpdesk_mail_prefs,
      NGX_HTTP_HELPDESK_USER_FORM, "api.me.mail" },
    { NGX_HTTP_POST, "api/v1/me/email", ngx_http_helpdesk_email_change,
      NGX_HTTP_HELPDESK_USER_FORM, "api.me.email" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/me/tokens", ngx_http_helpdesk_tokens,
      NGX_HTTP_HELPDESK_USER, "api.me.tokens" },
    { NGX_HTTP_POST, "api/v1/me/tokens", ngx_http_helpdesk_token_create,
      NGX_HTTP_HELPDESK_USER_FORM, "api.me.tokens" },
    { NGX_HTTP_DELETE, "api/v1/me/tokens/{id}",
      ngx_http_helpdesk_token_revoke, NGX_HTTP_HELPDESK_USER_FORM,
      "api.me.tokens" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/certificates/{id}/activation",
      ngx_http_helpdesk_activation, NGX_HTTP_HELPDESK_USER,
      "api.certificates.activation" },
    { NGX_HTTP_POST, "api/v1/certificates/{id}/activation",
      ngx_http_helpdesk_activation_request, NGX_HTTP_HELPDESK_USER_FORM,
      "api.certificates.activation" },
    { NGX_HTTP_POST, "api/v1/staff/tickets/{n}/activation",
      ngx_http_helpdesk_activation_approve, NGX_HTTP_HELPDESK_STAFF_FORM,
      "api.staff.ticket.activation" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/certificates",
      ngx_http_helpdesk_certificates, NGX_HTTP_HELPDESK_USER,
      "api.certificates" },
    { NGX_HTTP_POST, "api/v1/certificates",
      ngx_http_helpdesk_certificate_register, NGX_HTTP_HELPDESK_USER_FORM,
      "api.certificates" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/tickets", ngx_http_helpdesk_tickets,
      NGX_HTTP_HELPDESK_USER, "api.tickets" },
    { NGX_HTTP_POST, "api/v1/tickets", ngx_http_helpdesk_ticket_create,
      NGX_HTTP_HELPDESK_USER_UPLOAD, "api.tickets" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/tickets/{n}", ngx_http_helpdesk_ticket,
      NGX_HTTP_HELPDESK_USER, "api.ticket" },
    { NGX_HTTP_PATCH, "api/v1/tickets/{n}", ngx_http_helpdesk_ticket_edit,
      NGX_HTTP_HELPDESK_USER_FORM, "api.ticket.edit" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/tickets/{n}/live",
      ngx_http_helpdesk_ticket_live, NGX_HTTP_HELPDESK_USER,
      "api.ticket.live" },
    { NGX_HTTP_POST, "api/v1/tickets/{n}/messages",
      ngx_http_helpdesk_ticket_reply, NGX_HTTP_HELPDESK_USER_UPLOAD,
      "api.ticket.messages" },
    { NGX_HTTP_POST, "api/v1/tickets/{n}/close",
      ngx_http_helpdesk_ticket_close, NGX_HTTP_HELPDESK_USER_FORM,
      "api.ticket.close" },
    { NGX_HTTP_POST, "api/v1/tickets/{n}/reopen",
      ngx_http_helpdesk_ticket_reopen, NGX_HTTP_HELPDESK_USER_UPLOAD,
      "api.ticket.reopen" },
    { NGX_HTTP_POST, "api/v1/tickets/{n}/rating",
      ngx_http_helpdesk_ticket_rating, NGX_HTTP_HELPDESK_USER_FORM,
      "api.ticket.rating" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/tickets/{n}/files/{id}",
      ngx_http_helpdesk_ticket_file, NGX_HTTP_HELPDESK_USER,
      "api.ticket.file" },

    { NGX_HTTP_HELPDESK_GET, "api/v1/staff/tickets",
      ngx_http_helpdesk_staff_queue, NGX_HTTP_HELPDESK_STAFF_PAGE,
      "api.staff.tickets" },
    { NGX_HTTP_POST, "api/v1/staff/tickets", ngx_http_helpdesk_staff_create,
      NGX_HTTP_HELPDESK_STAFF_UPLOAD, "api.staff.tickets" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/staff/tickets/{n}",
      ngx_http_helpdesk_staff_ticket, NGX_HTTP_HELPDESK_STAFF_PAGE,
      "api.staff.ticket" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/staff/macros",
      ngx_http_helpdesk_staff_macros, NGX_HTTP_HELPDESK_STAFF_PAGE,
      "api.staff.macros" },
    { NGX_HTTP_POST, "api/v1/staff/macros",
      ngx_http_helpdesk_staff_macro_add, NGX_HTTP_HELPDESK_STAFF_FORM,
      "api.staff.macros" },
    { NGX_HTTP_DELETE, "api/v1/staff/macros/{n}",
      ngx_http_helpdesk_staff_macro_delete, NGX_HTTP_HELPDESK_STAFF_FORM,
      "api.staff.macro" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/staff/queue/live",
      ngx_http_helpdesk_queue_live, NGX_HTTP_HELPDESK_STAFF_PAGE,
      "api.staff.queue.live" },
    { NGX_HTTP_POST, "api/v1/staff/tickets/bulk",
      ngx_http_helpdesk_staff_bulk, NGX_HTTP_HELPDESK_STAFF_FORM,
      "api.staff.tickets.bulk" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/staff/tickets/{n}/live",
      ngx_http_helpdesk_ticket_live, NGX_HTTP_HELPDESK_STAFF_PAGE,
      "api.staff.ticket.live" },
    { NGX_HTTP_PATCH, "api/v1/staff/tickets/{n}",
      ngx_http_helpdesk_staff_edit, NGX_HTTP_HELPDESK_STAFF_FORM,
      "api.staff.ticket" },
    { NGX_HTTP_POST, "api/v1/staff/tickets/{n}/messages",
      ngx_http_helpdesk_staff_message, NGX_HTTP_HELPDESK_STAFF_UPLOAD,
      "api.staff.ticket.messages" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/staff/customers",
      ngx_http_helpdesk_staff_customers, NGX_HTTP_HELPDESK_STAFF_PAGE,
      "api.staff.customers" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/staff/reports/satisfaction",
      ngx_http_helpdesk_staff_reports, NGX_HTTP_HELPDESK_STAFF_PAGE,
      "api.staff.reports" },

    { NGX_HTTP_HELPDESK_GET, "api/v1/company", ngx_http_helpdesk_company,
      NGX_HTTP_HELPDESK_USER, "api.company" },
    { NGX_HTTP_POST, "api/v1/company", ngx_http_helpdesk_company_create,
      NGX_HTTP_HELPDESK_USER_FORM, "api.company" },
    { NGX_HTTP_DELETE, "api/v1/company", ngx_http_helpdesk_company_delete,
      NGX_HTTP_HELPDESK_USER_FORM, "api.company" },
    { NGX_HTTP_POST, "api/v1/company/invitations",
      ngx_http_helpdesk_company_invite, NGX_HTTP_HELPDESK_USER_FORM,
      "api.company.invitations" },
    { NGX_HTTP_POST, "api/v1/company/join", ngx_http_helpdesk_company_join,
      NGX_HTTP_HELPDESK_USER_FORM, "api.company.join" },
    { NGX_HTTP_PATCH, "api/v1/company/members/{id}",
      ngx_http_helpdesk_company_member, NGX_HTTP_HELPDESK_USER_FORM,
      "api.company.member" },
    { NGX_HTTP_DELETE, "api/v1/company/members/{id}",
      ngx_http_helpdesk_company_remove, NGX_HTTP_HELPDESK_USER_FORM,
      "api.company.member" },

    { NGX_HTTP_HELPDESK_GET, "api/v1/admin/products",
      ngx_http_helpdesk_products, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "api.admin.products" },
    { NGX_HTTP_POST, "api/v1/admin/products", ngx_http_helpdesk_product_save,
      NGX_HTTP_HELPDESK_ADMIN_FORM, "api.admin.products" },
    { NGX_HTTP_PATCH, "api/v1/admin/products/{id}",
      ngx_http_helpdesk_product_save, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "api.admin.product" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/admin/cert-types",
      ngx_http_helpdesk_cert_types, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "api.admin.cert_types" },
    { NGX_HTTP_POST, "api/v1/admin/cert-types",
      ngx_http_helpdesk_cert_type_save, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "api.admin.cert_types" },
    { NGX_HTTP_PATCH, "api/v1/admin/cert-types/{id}",
      ngx_http_helpdesk_cert_type_save, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "api.admin.cert_type" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/admin/regulations",
      ngx_http_helpdesk_admin_regulations, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "api.admin.regulations" },
    { NGX_HTTP_POST, "api/v1/admin/regulations",
      ngx_http_helpdesk_admin_regulations_publish,
      NGX_HTTP_HELPDESK_ADMIN_FORM, "api.admin.regulations" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/categories", ngx_http_helpdesk_categories,
      NGX_HTTP_HELPDESK_USER, "api.categories" },
    { NGX_HTTP_POST, "api/v1/admin/categories",
      ngx_http_helpdesk_category_save, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "api.admin.categories" },
    { NGX_HTTP_PATCH, "api/v1/admin/categories/{id}",
      ngx_http_helpdesk_category_save, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "api.admin.category" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/forms", ngx_http_helpdesk_forms_api,
      NGX_HTTP_HELPDESK_USER, "api.forms" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/admin/forms/{category}/{type}",
      ngx_http_helpdesk_admin_form, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "api.admin.form" },
    { NGX_HTTP_PUT, "api/v1/admin/forms/{category}/{type}",
      ngx_http_helpdesk_admin_form_save, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "api.admin.form" },
    { NGX_HTTP_DELETE, "api/v1/admin/forms/{category}/{type}",
      ngx_http_helpdesk_admin_form_reset, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "api.admin.form" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/regulations",
      ngx_http_helpdesk_regulations, 0, "api.regulations" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/admin/certificates",
      ngx_http_helpdesk_admin_cert_search, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "api.admin.certificates" },
    { NGX_HTTP_POST, "api/v1/admin/certificates",
      ngx_http_helpdesk_certificate_issue, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "api.admin.certificates" },
    { NGX_HTTP_POST, "api/v1/admin/certificates/{id}/revoke",
      ngx_http_helpdesk_admin_cert_revoke, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "api.admin.certificate.revoke" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/admin/staff",
      ngx_http_helpdesk_admin_staff, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "api.admin.staff" },
    { NGX_HTTP_POST, "api/v1/admin/staff", ngx_http_helpdesk_admin_staff_add,
      NGX_HTTP_HELPDESK_ADMIN_FORM, "api.admin.staff" },
    { NGX_HTTP_PATCH, "api/v1/admin/staff/{id}",
      ngx_http_helpdesk_admin_staff_update, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "api.admin.staff.member" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/admin/departments",
      ngx_http_helpdesk_admin_departments, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "api.admin.departments" },
    { NGX_HTTP_POST, "api/v1/admin/departments",
      ngx_http_helpdesk_admin_department_save, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "api.admin.departments" },
    { NGX_HTTP_PATCH, "api/v1/admin/departments/{id}",
      ngx_http_helpdesk_admin_department_save, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "api.admin.department" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/admin/companies",
      ngx_http_helpdesk_admin_companies, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "api.admin.companies" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/admin/companies/{id}",
      ngx_http_helpdesk_admin_companies, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "api.admin.company" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/admin/outbox",
      ngx_http_helpdesk_admin_outbox, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "api.admin.outbox" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/admin/outbox/{id}",
      ngx_http_helpdesk_admin_outbox, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "api.admin.outbox.mail" },
    { NGX_HTTP_POST, "api/v1/admin/outbox/{id}/retry",
      ngx_http_helpdesk_admin_outbox_retry, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "api.admin.outbox.retry" },
    { NGX_HTTP_POST, "api/v1/admin/outbox/{id}/drop",
      ngx_http_helpdesk_admin_outbox_drop, NGX_HTTP_HELPDESK_ADMIN_FORM,
      "api.admin.outbox.drop" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/admin/mail",
      ngx_http_helpdesk_admin_mailin, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "api.admin.mail" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/admin/mail/quarantine/{id}",
      ngx_http_helpdesk_admin_mailin, NGX_HTTP_HELPDESK_ADMIN_PAGE,
      "api.admin.mail.held" },
    { NGX_HTTP_POST, "api/v1/admin/mail/quarantine/{id}/release",
      ngx_http_helpdesk_admin_quarantine_release,
      NGX_HTTP_HELPDESK_ADMIN_FORM, "api.admin.mail.release" },
    { NGX_HTTP_DELETE, "api/v1/admin/mail/quarantine/{id}",
      ngx_http_helpdesk_admin_quarantine_delete,
      NGX_HTTP_HELPDESK_ADMIN_FORM, "api.admin.mail.delete" },

    { NGX_HTTP_HELPDESK_GET, "api/v1/kb/articles", ngx_http_helpdesk_kb_home,
      0, "api.kb.articles" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/kb/articles/{id}",
      ngx_http_helpdesk_kb_article, 0, "api.kb.article" },
    { NGX_HTTP_POST, "api/v1/kb/articles/{id}/vote",
      ngx_http_helpdesk_kb_vote,
      NGX_HTTP_HELPDESK_BODY|NGX_HTTP_HELPDESK_CSRF, "api.kb.vote" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/kb/articles/{id}/files/{id}",
      ngx_http_helpdesk_kb_file, 0, "api.kb.file" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/kb/search", ngx_http_helpdesk_kb_search,
      0, "api.kb.search" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/kb/suggest",
      ngx_http_helpdesk_kb_suggest, 0, "api.kb.suggest" },
    { NGX_HTTP_POST, "api/v1/kb/deflections", ngx_http_helpdesk_kb_deflect,
      NGX_HTTP_HELPDESK_USER_FORM, "api.kb.deflections" },
    { NGX_HTTP_POST, "api/v1/staff/tickets/{n}/article",
      ngx_http_helpdesk_staff_kb_from_ticket, NGX_HTTP_HELPDESK_STAFF_FORM,
      "api.staff.ticket.article" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/staff/search",
      ngx_http_helpdesk_staff_search, NGX_HTTP_HELPDESK_STAFF_PAGE,
      "api.staff.search" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/staff/kb/articles",
      ngx_http_helpdesk_staff_kb, NGX_HTTP_HELPDESK_STAFF_PAGE,
      "api.staff.kb.articles" },
    { NGX_HTTP_POST, "api/v1/staff/kb/articles",
      ngx_http_helpdesk_staff_kb_save, NGX_HTTP_HELPDESK_STAFF_FORM,
      "api.staff.kb.articles" },
    { NGX_HTTP_PATCH, "api/v1/staff/kb/articles/{id}",
      ngx_http_helpdesk_staff_kb_save, NGX_HTTP_HELPDESK_STAFF_FORM,
      "api.staff.kb.article" },
    { NGX_HTTP_POST, "api/v1/staff/kb/articles/{id}/files",
      ngx_http_helpdesk_staff_kb_files_add, NGX_HTTP_HELPDESK_STAFF_UPLOAD,
      "api.staff.kb.files" },
    { NGX_HTTP_DELETE, "api/v1/staff/kb/articles/{id}/files/{id}",
      ngx_http_helpdesk_staff_kb_file_delete, NGX_HTTP_HELPDESK_STAFF_FORM,
      "api.staff.kb.file" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/staff/kb/articles/{id}/revisions",
      ngx_http_helpdesk_staff_kb_history, NGX_HTTP_HELPDESK_STAFF_PAGE,
      "api.staff.kb.revisions" },
    { NGX_HTTP_POST, "api/v1/staff/kb/preview",
      ngx_http_helpdesk_staff_kb_preview, NGX_HTTP_HELPDESK_STAFF_FORM,
      "api.staff.kb.preview" },
    { NGX_HTTP_HELPDESK_GET, "api/v1/staff/kb/report",
      ngx_http_helpdesk_staff_kb_report, NGX_HTTP_HELPDESK_STAFF_PAGE,
      "api.staff.kb.report" },

    { NGX_HTTP_POST, "api/v1/mailgate", ngx_http_helpdesk_mailgate,
      NGX_HTTP_HELPDESK_RAW, "mailgate" },

    { NGX_HTTP_POST, "api/v1/password/forgot", ngx_http_helpdesk_forgot,
      NGX_HTTP_HELPDESK_BODY, "api.password.forgot" },
    { NGX_HTTP_POST, "api/v1/password/reset", ngx_http_helpdesk_reset,
      NGX_HTTP_HELPDESK_BODY, "api.password.reset" },
    { NGX_HTTP_POST, "api/v1/email/confirm", ngx_http_helpdesk_confirm,
      NGX_HTTP_HELPDESK_BODY, "api.email.confirm" },

    { 0, NULL, NULL, 0, NULL }
};


static ngx_int_t ngx_http_helpdesk_dispatch(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
static void ngx_http_helpdesk_body_read(ngx_http_request_t *r);
static ngx_int_t ngx_http_helpdesk_match(ngx_http_helpdesk_ctx_t *ctx,
    const char *pattern);
static void ngx_http_helpdesk_language_of(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);
static void ngx_http_helpdesk_allow(ngx_http_request_t *r,
    ngx_uint_t methods);
static ngx_int_t ngx_http_helpdesk_login_required(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx);


/*
 * A body that went over its limit as it arrived (the request body filter),
 * brought here by the location's error_page: the portal's own 413, in
 * JSON for the API, as the request came (its method is GET by now, its
 * URI this one; the line it was sent with says where it went)
 */
static ngx_int_t
ngx_http_helpdesk_too_large(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    u_char      *p, *end;
    ngx_uint_t   multipart;

    p = r->unparsed_uri.data;
    end = p + r->unparsed_uri.len;

    ctx->api = (size_t) (end - p) >= ctx->lcf->mount.len + 4
               && ngx_strncmp(p + ctx->lcf->mount.len, "api/", 4) == 0;

    multipart = r->headers_in.content_type != NULL
                && ngx_strlcasestrn(r->headers_in.content_type->value.data,
                       r->headers_in.content_type->value.data
                       + r->headers_in.content_type->value.len,
                       (u_char *) "multipart/", 10 - 1)
                   != NULL;

    /* what is left of the body is not read: the answer goes first, the
       connection is closed after it */
    r->keepalive = 0;
    r->lingering_close = 1;

    return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                   multipart ? "message_too_large"
                                             : "body_too_large",
                                   multipart ? "attachments" : NULL);
}


ngx_int_t
ngx_http_helpdesk_handler(ngx_http_request_t *r)
{
    ngx_int_t                  rc;
    ngx_uint_t                 allowed;
    ngx_http_helpdesk_ctx_t   *ctx;
    const ngx_http_helpdesk_route_t  *route;

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_helpdesk_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_helpdesk_module);

    ctx->start_us = ngx_http_helpdesk_mono_us();
    ctx->mcf = ngx_http_get_module_main_conf(r, ngx_http_helpdesk_module);
    ctx->lcf = ngx_http_get_module_loc_conf(r, ngx_http_helpdesk_module);
    ngx_http_helpdesk_hd_pool(&ctx->pool, r->pool);

    /* the path below the mount: "/support" under "/support/" is the root */

    if (r->uri.len >= ctx->lcf->mount.len) {
        ctx->path.data = r->uri.data + ctx->lcf->mount.len;
        ctx->path.len = r->uri.len - ctx->lcf->mount.len;
    }

    if (ctx->path.len && ctx->path.data[ctx->path.len - 1] == '/') {
        ctx->path.len--;
    }

    ctx->api = ctx->path.len >= 4
               && ngx_strncmp(ctx->path.data, "api/", 4) == 0;
    ngx_http_helpdesk_language_of(r, ctx);

    if (r->internal && r->err_status == NGX_HTTP_REQUEST_ENTITY_TOO_LARGE
        && ctx->path.len == sizeof(NGX_HTTP_HELPDESK_TOO_LARGE) - 1
        && ngx_strncmp(ctx->path.data, NGX_HTTP_HELPDESK_TOO_LARGE,
                       ctx->path.len) == 0)
    {
        return ngx_http_helpdesk_too_large(r, ctx);
    }

    allowed = 0;

    for (route = ngx_http_helpdesk_routes; route->pattern; route++) {
        if (ngx_http_helpdesk_match(ctx, route->pattern) != NGX_OK) {
            continue;
        }

        if (route->methods & r->method) {
            break;
        }

        allowed |= route->methods;
    }

    if (route->pattern == NULL) {
        ngx_http_discard_request_body(r);

        if (allowed) {
            ngx_http_helpdesk_allow(r, allowed);
            return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_ALLOWED,
                                           "method_not_allowed", NULL);
        }

        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_NOT_FOUND,
                                       "not_found", NULL);
    }

    ctx->route = route;

    if (!(route->flags & NGX_HTTP_HELPDESK_NO_STORE)) {
        if (ngx_http_helpdesk_store(r, ctx) == NULL) {
            ngx_http_discard_request_body(r);
            return ngx_http_helpdesk_error(r, ctx,
                                           NGX_HTTP_SERVICE_UNAVAILABLE,
                                           "storage_unavailable", NULL);
        }

        ngx_http_helpdesk_portal_init(r, ctx);

        if (ngx_http_helpdesk_identify(r, ctx) != NGX_OK) {
            ngx_http_discard_request_body(r);
            return ctx->rc;
        }
    }

    if ((route->flags & NGX_HTTP_HELPDESK_AUTH)
        && ctx->caller.account == NULL)
    {
        ngx_http_discard_request_body(r);
        return ngx_http_helpdesk_login_required(r, ctx);
    }

    if (((route->flags & NGX_HTTP_HELPDESK_STAFF)
         && !hd_account_is_staff(ctx->caller.account))
        || ((route->flags & NGX_HTTP_HELPDESK_ADMIN)
            && ctx->caller.account->role != HD_ROLE_ADMINISTRATOR))
    {
        ngx_http_discard_request_body(r);
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_FORBIDDEN,
                                       "forbidden", NULL);
    }

    if (route->flags & NGX_HTTP_HELPDESK_RAW) {
        return ctx->route->handler(r, ctx);
    }

    if (!(route->flags & NGX_HTTP_HELPDESK_BODY)) {
        rc = ngx_http_discard_request_body(r);

        if (rc != NGX_OK) {
            return rc;
        }

        return ctx->route->handler(r, ctx);
    }

    /* fields and the CSRF check before the handler; bounded first */

    ctx->body_max = (route->flags & NGX_HTTP_HELPDESK_UPLOAD)
                    ? ngx_http_helpdesk_upload_body_max(r, ctx)
                    : NGX_HTTP_HELPDESK_MAX_BODY;

    if (r->headers_in.content_length_n > ctx->body_max) {
        ngx_http_discard_request_body(r);
        return ngx_http_helpdesk_error(r, ctx,
                                       NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                       ctx->multipart ? "message_too_large"
                                                      : "body_too_large",
                                       ctx->multipart ? "attachments"
                                                      : NULL);
    }

    rc = ngx_http_read_client_request_body(r, ngx_http_helpdesk_body_read);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


static void
ngx_http_helpdesk_body_read(ngx_http_request_t *r)
{
    ngx_http_helpdesk_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_helpdesk_module);

    /* a multipart body is parsed in a thread, which goes on from there */
    if (ctx->multipart) {
        ngx_http_finalize_request(r, ngx_http_helpdesk_read_multipart(r, ctx));
        return;
    }

    ngx_http_finalize_request(r, ngx_http_helpdesk_dispatch(r, ctx));
}


static ngx_int_t
ngx_http_helpdesk_dispatch(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    if (ngx_http_helpdesk_read_input(r, ctx) != NGX_OK
        || ngx_http_helpdesk_csrf_check(r, ctx) != NGX_OK)
    {
        return ctx->rc;
    }

    return ctx->route->handler(r, ctx);
}


/* a page that needs a login: the API says 401, a browser goes to log in */
static ngx_int_t
ngx_http_helpdesk_login_required(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    u_char  *location, *p;
    size_t   len, esc;

    if (ctx->api || r->method != NGX_HTTP_GET) {
        return ngx_http_helpdesk_error(r, ctx, NGX_HTTP_UNAUTHORIZED,
                                       "unauthorized", NULL);
    }

    esc = ngx_escape_uri(NULL, r->unparsed_uri.data, r->unparsed_uri.len,
                         NGX_ESCAPE_ARGS);
    len = ctx->lcf->mount.len + sizeof("login?next=") - 1
          + r->unparsed_uri.len + 2 * esc;

    location = ngx_pnalloc(r->pool, len);
    if (location == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_sprintf(location, "%Vlogin?next=", &ctx->lcf->mount);
    p = (u_char *) ngx_escape_uri(p, r->unparsed_uri.data,
                                  r->unparsed_uri.len, NGX_ESCAPE_ARGS);

    return ngx_http_helpdesk_redirect(r, location, p - location);
}


/* the Allow header of a 405: the methods the path takes */
static void
ngx_http_helpdesk_allow(ngx_http_request_t *r, ngx_uint_t methods)
{
    u_char      *p, *start;
    ngx_uint_t   i;

    static const struct {
        ngx_uint_t   method;
        const char  *name;
    } names[] = {
        { NGX_HTTP_GET, "GET" }, { NGX_HTTP_HEAD, "HEAD" },
        { NGX_HTTP_POST, "POST" }, { NGX_HTTP_PUT, "PUT" },
        { NGX_HTTP_PATCH, "PATCH" }, { NGX_HTTP_DELETE, "DELETE" },
    };

    start = ngx_pnalloc(r->pool, 64);
    if (start == NULL) {
        return;
    }

    p = start;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (methods & names[i].method) {
            p = ngx_sprintf(p, "%s%s", p == start ? "" : ", ", names[i].name);
        }
    }

    ngx_http_helpdesk_add_header(r, "Allow", start, p - start);
}


/* "tickets/{n}/messages" against the path; {x} takes one segment */
static ngx_int_t
ngx_http_helpdesk_match(ngx_http_helpdesk_ctx_t *ctx, const char *pattern)
{
    u_char      *p, *end, *seg;
    const char  *q;

    p = ctx->path.data;
    end = p + ctx->path.len;
    q = pattern;
    ctx->nargs = 0;

    while (*q) {
        if (*q == '{') {
            seg = p;

            while (p < end && *p != '/') {
                p++;
            }

            if (p == seg || ctx->nargs == NGX_HTTP_HELPDESK_MAX_ARGS) {
                return NGX_DECLINED;
            }

            ctx->args[ctx->nargs].data = seg;
            ctx->args[ctx->nargs].len = p - seg;
            ctx->nargs++;

            while (*q && *q != '}') {
                q++;
            }

            if (*q) {
                q++;
            }

            continue;
        }

        if (p == end || *p != (u_char) *q) {
            return NGX_DECLINED;
        }

        p++;
        q++;
    }

    return p == end ? NGX_OK : NGX_DECLINED;
}


ngx_table_elt_t *
ngx_http_helpdesk_header(ngx_http_request_t *r, const char *name)
{
    size_t            len;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    len = ngx_strlen(name);
    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                return NULL;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == len
            && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0)
        {
            return &h[i];
        }
    }
}


ngx_int_t
ngx_http_helpdesk_cookie(ngx_http_request_t *r, const char *name,
    ngx_str_t *value)
{
    ngx_str_t  key;

    key.data = (u_char *) name;
    key.len = ngx_strlen(name);

    if (ngx_http_parse_multi_header_lines(&r->headers_in.cookies, &key,
                                          value)
        == NGX_DECLINED)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * The language: this browser's choice (a cookie), else the account's (set
 * once the caller is known), else the browser's Accept-Language, else
 * Russian
 */
static void
ngx_http_helpdesk_language_of(ngx_http_request_t *r,
    ngx_http_helpdesk_ctx_t *ctx)
{
    int               lang;
    ngx_str_t         value;
    ngx_table_elt_t  *h;

    if (ngx_http_helpdesk_cookie(r, "hd_lang", &value) == NGX_OK) {
        lang = hd_lang_from_code(value.data, value.len);

        if (lang >= 0) {
            ctx->lang = (hd_lang_e) lang;
            ctx->lang_chosen = 1;
            return;
        }
    }

    h = ngx_http_helpdesk_header(r, "Accept-Language");

    ctx->lang = h ? hd_lang_accept(h->value.data, h->value.len) : HD_LANG_RU;
}


/*
 * Where to go back to (?next=, ?back=): a path of this portal only, never
 * another site ("//host", "/\\host") and never a header injection
 */
ngx_int_t
ngx_http_helpdesk_local_path(ngx_http_helpdesk_ctx_t *ctx, ngx_str_t *path)
{
    size_t  i;

    if (path->len < ctx->lcf->mount.len
        || ngx_strncmp(path->data, ctx->lcf->mount.data, ctx->lcf->mount.len)
           != 0
        || (path->len > 1 && (path->data[1] == '/' || path->data[1] == '\\')))
    {
        return NGX_DECLINED;
    }

    for (i = 0; i < path->len; i++) {
        if (path->data[i] < 0x20 || path->data[i] == 0x7f
            || path->data[i] == '\\')
        {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


/* the table of routes, for the metrics: its size, an index, a route */
ngx_uint_t
ngx_http_helpdesk_route_count(void)
{
    return sizeof(ngx_http_helpdesk_routes)
           / sizeof(ngx_http_helpdesk_routes[0]) - 1;
}


ngx_uint_t
ngx_http_helpdesk_route_index(const ngx_http_helpdesk_route_t *route)
{
    return route - ngx_http_helpdesk_routes;
}


const ngx_http_helpdesk_route_t *
ngx_http_helpdesk_route_at(ngx_uint_t i)
{
    return i < ngx_http_helpdesk_route_count() ? &ngx_http_helpdesk_routes[i]
                                               : NULL;
}


/* the route's method as a label: GET for GET and HEAD */
const char *
ngx_http_helpdesk_route_method(const ngx_http_helpdesk_route_t *route)
{
    if (route->methods & NGX_HTTP_GET) {
        return "GET";
    }

    if (route->methods & NGX_HTTP_POST) {
        return "POST";
    }

    if (route->methods & NGX_HTTP_PATCH) {
        return "PATCH";
    }

    if (route->methods & NGX_HTTP_DELETE) {
        return "DELETE";
    }

    return "PUT";
}

/*
 * What every flow of the portal needs from its surroundings: the store, the
 * templates (for e-mail), the public address of the portal (for links in
 * e-mail: never taken from a request's Host header), and the policies set by
 * directives. The module fills one per request, the CLI one per run.
 */

#ifndef HD_PORTAL_H
#define HD_PORTAL_H


#include "hd_core.h"
#include "hd_date.h"
#include "hd_ratelimit.h"
#include "hd_session.h"
#include "hd_templates.h"


/* the directives' ticket policy */
typedef struct {
    uint64_t                number_start;   /* the first ticket number */
    hd_period_t             reopen;         /* after closing; n 0: always */
    hd_period_t             reopen_enhancement;
    uint64_t                file_max;       /* bytes of one attachment */
    uint64_t                message_max;    /* bytes of a message's files */
    uint32_t                files_max;      /* files of one message */
} hd_ticket_policy_t;


typedef struct {
    hd_store_t             *store;
    const hd_templates_t   *templates;
    hd_str_t                base_url;       /* ends with '/' */
    hd_limit_t              login_limit;    /* failed logins, per account
                                               and per address */
    hd_limit_t              mail_limit;     /* reset and confirmation
                                               mails, per account */
    hd_limit_t              address_limit;  /* such requests per address */
    hd_limit_t              probe_limit;    /* answers that an address or
                                               login is taken, per client
                                               address */
    hd_session_limits_t     session;
    hd_ticket_policy_t      tickets;
    const char             *files;          /* the attachment store */
    const char             *mail_from;      /* our own address (the relay's
                                               from=); NULL: none */
    const hd_str_t         *authserv_ids;   /* the MTAs whose
                                               Authentication-Results
                                               vouch for a sender */
    size_t                  nauthserv;
} hd_portal_t;


#define HD_RESET_TTL           3600            /* a password reset link */
#define HD_EMAIL_CHANGE_TTL    (24 * 3600)     /* an e-mail confirmation */
#define HD_EMAIL_CONFIRM_TTL   (7 * 24 * 3600) /* a new account's address */

#define HD_TICKET_POLICY_DEFAULT                                              \
    { 1, { 2, HD_PERIOD_DAYS }, { 5, HD_PERIOD_DAYS },                        \
      20 * 1024 * 1024, 50 * 1024 * 1024, 10 }


#endif /* HD_PORTAL_H */

/*
 * What a message that came in says, as the mail gate reads it (SPEC §7.2):
 * the ticket it names ([#N], or an id of ours it answers), whether a
 * machine wrote it (then nothing answers it automatically), and the words a
 * person added to a reply, without the history quoted below and the
 * signature. Text only: the MIME is hd_mime's.
 */

#ifndef HD_MAIL_READ_H
#define HD_MAIL_READ_H


#include "hd_core.h"
#include "hd_buf.h"
#include "hd_mime.h"


/* the N of the first [#N] in a subject; 0: none */
uint64_t hd_mail_subject_ticket(const hd_str_t *subject);

/*
 * A Message-ID of the portal's (without <>): "hd.ticket.N@..." names a
 * ticket (*ticket), "hd.M.RND@..." an outbox mail (*mail); 0 otherwise
 */
int hd_mail_our_id(const hd_str_t *id, uint64_t *ticket, uint64_t *mail);

/* the ids of In-Reply-To and References, last first (the parent first),
   each without <>; at most max */
size_t hd_mail_ids(const hd_str_t *in_reply_to, const hd_str_t *references,
    hd_str_t *ids, size_t max);

/*
 * Why nothing may answer it automatically (RFC 3834): "auto_submitted",
 * "precedence" (bulk, junk, list), "list"; NULL when a person wrote it
 */
const char *hd_mail_automatic(const hd_str_t *auto_submitted,
    const hd_str_t *precedence, const hd_str_t *list_id);

/*
 * The headers hd_mime reads into a message's extra[] for the two below
 * (the auto-reply table's and nothing else), and how many
 */
extern const char *const  hd_mail_read_headers[];
extern const size_t       hd_mail_read_nheaders;

/*
 * An automatic reply (an out-of-office, a vacation notice), as the mature
 * desks tell one: RFC 3834's Auto-Submitted: auto-replied, the headers
 * Exchange, Outlook and autoresponders write, and the subjects they begin
 * with, in one table; what said so ("auto_submitted", "x-autoreply",
 * "subject"...), or NULL when a person wrote it
 */
const char *hd_mail_auto_reply(const hd_mime_message_t *m);

/*
 * The MTA vouches for the sender: the topmost Authentication-Results field
 * of an authserv-id the operator trusts says dmarc=pass, or dkim=pass for
 * a domain aligned with the From address's (RFC 8601, 7489). Fields of
 * other authserv-ids, and lower ones, are anybody's words.
 */
int hd_mail_authenticated(const hd_mime_message_t *m,
    const hd_str_t *authserv_ids, size_t n);

/* mailer-daemon@, postmaster@...: a mail system, not a person */
int hd_mail_daemon(const hd_str_t *address);

/*
 * A reply's new words: the quoted history (an attribution line and what
 * follows, an Outlook header block, a trailing ">" block) and the signature
 * ("-- ", "Sent from my iPhone") cut; the whole text when nothing is left
 */
void hd_mail_reply_text(const hd_str_t *text, hd_str_t *out);


#endif /* HD_MAIL_READ_H */

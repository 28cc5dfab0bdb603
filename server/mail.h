/* mail.h — one message, written as RFC 5322 text and handed to an SMTP server with libcurl.
 *
 * The configuration (SPEC Appendix C): smtp_url (smtp://host:port, STARTTLS when the server
 * offers it; smtps://host:port, TLS from the start), smtp_user and smtp_password (AUTH when set),
 * mail_from. No smtp_url: no mail (mail_enabled() is 0), users see in-app notifications only.
 *
 * The message: Date, From, To, Subject (RFC 2047 encoded-words, UTF-8 base64), Message-ID,
 * MIME-Version, Content-Type text/plain; charset=UTF-8, Content-Transfer-Encoding base64. Knows
 * nothing of the outbox: the job that drains it is api/platform/outbox.c. */
#ifndef SANZHI_MAIL_H
#define SANZHI_MAIL_H

#include "clock.h"

#include <stddef.h>

typedef struct mail_msg {
	const char *rcpt;       /* the recipient's address */
	const char *subject;    /* UTF-8 */
	const char *body;       /* UTF-8 text, lines separated by \n */
	const char *message_id; /* "<…@…>" */
	usec_t date;
} mail_msg;

#define MAIL_MESSAGE_ID_MAX 160
#define MAIL_MAX_BYTES (1 << 20)

enum {
	MAIL_SENT = 0,
	MAIL_TEMPORARY = -1, /* try again later: the server is down, busy, or said 4xx */
	MAIL_PERMANENT = -2, /* never: the server refused the recipient or the message (5xx) */
};

/* At start, before any thread sends (curl_global_init). */
void mail_global_init(void);
/* 1 when smtp_url is configured. */
int mail_enabled(void);
/* 1 when addr can be put into an SMTP command and a header line as it is: one @, printable ASCII,
 * no blanks, no <>, no quotes, at most 254 characters. */
int mail_address_ok(const char *addr);
/* A new Message-ID ("<128 random bits hex.sanzhi@<mail_from's domain>>"). */
void mail_message_id(char out[MAIL_MESSAGE_ID_MAX]);
/* The RFC 5322 text of m (CRLF line ends), malloc'd; NULL when out of memory or too large. */
char *mail_format(const mail_msg *m, size_t *len);
/* Sends m over SMTP: MAIL_SENT, MAIL_TEMPORARY or MAIL_PERMANENT, with why in err (never a
 * secret). Blocks up to the transfer's timeouts. */
int mail_send(const mail_msg *m, char *err, size_t errlen);

#endif

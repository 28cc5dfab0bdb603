/* mail.c — RFC 5322 messages over SMTP with libcurl (see mail.h). */
#include "mail.h"
#include "buf.h"
#include "config.h"
#include "crypto.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	CONNECT_TIMEOUT_S = 10,
	TRANSFER_TIMEOUT_S = 60,
	WORD_BYTES = 45, /* RFC 2047: an encoded-word is at most 75 characters; 45 bytes give 60 */
	BODY_LINE = 76,  /* RFC 2045: base64 lines of at most 76 characters */
};

void mail_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

int mail_enabled(void)
{
	return cfg.smtp_url[0] != 0;
}

int mail_address_ok(const char *addr)
{
	size_t n = strlen(addr);
	const char *at = strchr(addr, '@');
	if (!n || n > 254 || !at || at == addr || !at[1] || strchr(at + 1, '@'))
		return 0;
	for (const char *p = addr; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch <= 0x20 || ch >= 0x7f || strchr("<>\"(),;:\\[]", ch))
			return 0;
	}
	return 1;
}

/* mail_from is "addr" or "Name <addr>": its address, and its name ("" without). */
static void from_parts(char addr[256], char name[256])
{
	const char *lt = strchr(cfg.mail_from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt) {
		snprintf(addr, 256, "%.*s", (int)(gt - lt - 1), lt + 1);
		size_t k = (size_t)(lt - cfg.mail_from);
		while (k && cfg.mail_from[k - 1] == ' ')
			k--;
		snprintf(name, 256, "%.*s", (int)k, cfg.mail_from);
	} else {
		snprintf(addr, 256, "%s", cfg.mail_from);
		name[0] = 0;
	}
}

void mail_message_id(char out[MAIL_MESSAGE_ID_MAX])
{
	unsigned char r[16];
	char hex[33], addr[256], name[256];
	crypto_random(r, sizeof r);
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	from_parts(addr, name);
	const char *domain = strchr(addr, '@');
	snprintf(out, MAIL_MESSAGE_ID_MAX, "<%s.sanzhi@%.100s>", hex,
	         domain && mail_address_ok(addr) ? domain + 1 : "sanzhi.invalid");
}

/* Length of the longest prefix of s, at most max bytes, that ends on a UTF-8 character boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	size_t k = max;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	return k ? k : max;
}

static int ascii_plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* A header value as RFC 2047 encoded-words (UTF-8, base64), folded one word a line; printable
 * ASCII as it is. */
static void add_words(dynbuf *b, const char *s)
{
	if (ascii_plain(s)) {
		buf_adds(b, s);
		return;
	}
	size_t n = strlen(s);
	int first = 1;
	while (n) {
		size_t k = utf8_cut(s, n, WORD_BYTES);
		char *w = crypto_base64(s, k);
		if (!w) {
			buf_add(b, NULL, (size_t)-1); /* fails the buffer */
			return;
		}
		buf_addf(b, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", w);
		free(w);
		first = 0;
		s += k;
		n -= k;
	}
}

char *mail_format(const mail_msg *m, size_t *len)
{
	dynbuf b;
	buf_init(&b, MAIL_MAX_BYTES);
	char date[64], addr[256], name[256];
	time_t secs = (time_t)(m->date / USEC_PER_SEC);
	struct tm tm;
	gmtime_r(&secs, &tm);
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
	         months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	from_parts(addr, name);
	buf_addf(&b, "Date: %s\r\nFrom: ", date);
	if (*name) {
		add_words(&b, name);
		buf_addf(&b, " <%s>\r\n", addr);
	} else {
		buf_addf(&b, "%s\r\n", addr);
	}
	buf_addf(&b, "To: %s\r\nSubject: ", m->rcpt);
	add_words(&b, m->subject);
	buf_addf(&b,
	         "\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	         "Content-Transfer-Encoding: base64\r\nAuto-Submitted: auto-generated\r\n\r\n",
	         m->message_id);
	/* The body with CRLF line ends, then base64 in lines of 76. */
	dynbuf crlf;
	buf_init(&crlf, MAIL_MAX_BYTES / 2);
	for (const char *p = m->body; *p; p++) {
		if (*p == '\n' && (p == m->body || p[-1] != '\r'))
			buf_add(&crlf, "\r", 1);
		buf_add(&crlf, p, 1);
	}
	size_t blen;
	char *raw = buf_take(&crlf, &blen);
	char *enc = raw ? crypto_base64(raw, blen) : NULL;
	free(raw);
	if (!enc) {
		buf_free(&b);
		return NULL;
	}
	size_t elen = strlen(enc);
	for (size_t i = 0; i < elen; i += BODY_LINE) {
		buf_add(&b, enc + i, elen - i < BODY_LINE ? elen - i : BODY_LINE);
		buf_adds(&b, "\r\n");
	}
	free(enc);
	return buf_take(&b, len);
}

typedef struct reader {
	const char *p;
	size_t left;
} reader;

static size_t read_cb(char *out, size_t size, size_t nmemb, void *arg)
{
	reader *r = arg;
	size_t n = size * nmemb;
	if (n > r->left)
		n = r->left;
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return n;
}

int mail_send(const mail_msg *m, char *err, size_t errlen)
{
	err[0] = 0;
	if (!mail_enabled()) {
		snprintf(err, errlen, "smtp_url is not configured");
		return MAIL_TEMPORARY;
	}
	if (!mail_address_ok(m->rcpt)) {
		snprintf(err, errlen, "the recipient's address cannot be used");
		return MAIL_PERMANENT;
	}
	size_t len;
	char *text = mail_format(m, &len);
	if (!text) {
		snprintf(err, errlen, "the message could not be written");
		return MAIL_TEMPORARY;
	}
	CURL *h = curl_easy_init();
	if (!h) {
		free(text);
		snprintf(err, errlen, "libcurl could not start a transfer");
		return MAIL_TEMPORARY;
	}
	char from[260], fromaddr[256], name[256], rcpt[260], ebuf[CURL_ERROR_SIZE] = "";
	from_parts(fromaddr, name);
	snprintf(from, sizeof from, "<%s>", fromaddr);
	snprintf(rcpt, sizeof rcpt, "<%s>", m->rcpt);
	struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
	reader rd = { text, len };
	curl_easy_setopt(h, CURLOPT_URL, cfg.smtp_url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/* smtp://: STARTTLS when the server offers it; smtps://: TLS from the first byte. */
	curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	if (*cfg.smtp_user) {
		curl_easy_setopt(h, CURLOPT_USERNAME, cfg.smtp_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, cfg.smtp_password);
	}
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &rd);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)TRANSFER_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	CURLcode rc = rcpts ? curl_easy_perform(h) : CURLE_OUT_OF_MEMORY;
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpts);
	curl_easy_cleanup(h);
	crypto_wipe(text, len);
	free(text);
	if (rc == CURLE_OK)
		return MAIL_SENT;
	snprintf(err, errlen, "%s%s%.200s (SMTP %ld)", curl_easy_strerror(rc), *ebuf ? ": " : "", ebuf, code);
	/* 5xx is the server's final word (RFC 5321 §4.2.1), except a refused sign-in, which the
	 * operator may fix: the message waits for the next attempt. */
	if (code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED)
		return MAIL_PERMANENT;
	return MAIL_TEMPORARY;
}

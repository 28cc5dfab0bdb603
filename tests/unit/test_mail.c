/* test_mail.c — the RFC 5322 text of a message (server/mail.c): headers, RFC 2047 subjects cut
 * on UTF-8 character boundaries, base64 bodies in lines of 76, CRLF line ends; addresses that
 * could inject SMTP commands or header lines are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "mail.h"

static char *header(const char *text, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = text; p && *p; p = strstr(p, "\r\n") ? strstr(p, "\r\n") + 2 : NULL) {
		if (!strncmp(p, "\r\n", 2))
			return NULL; /* end of the header */
		if (!strncmp(p, name, n) && p[n] == ':') {
			const char *e = p;
			/* the field with its folded continuation lines */
			while ((e = strstr(e, "\r\n")) && (e[2] == ' ' || e[2] == '\t'))
				e += 2;
			return strndup(p + n + 2, (size_t)(e - p - n - 2));
		}
	}
	return NULL;
}

static void test_format(void **state)
{
	(void)state;
	snprintf(cfg.mail_from, sizeof cfg.mail_from, "海盐县民政局 <noreply@example.gov.cn>");
	/* 28 characters of 3 bytes: more than one encoded-word */
	const char *subject = "【补正告知】海盐县养老服务协会成立登记申请需补正材料（编号 12345）";
	mail_msg m = { "ngo@example.cn", subject, "第一行\n第二行：申请编号 12345\n", "<abc.sanzhi@example.gov.cn>",
		       1796342400LL * USEC_PER_SEC };
	size_t len;
	char *text = mail_format(&m, &len);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);

	char *date = header(text, "Date");
	assert_string_equal(date, "Fri, 04 Dec 2026 00:00:00 +0000");
	free(date);
	char *to = header(text, "To");
	assert_string_equal(to, "ngo@example.cn");
	free(to);
	char *mid = header(text, "Message-ID");
	assert_string_equal(mid, "<abc.sanzhi@example.gov.cn>");
	free(mid);
	char *ct = header(text, "Content-Type");
	assert_string_equal(ct, "text/plain; charset=UTF-8");
	free(ct);
	char *from = header(text, "From");
	assert_non_null(strstr(from, "=?UTF-8?B?"));
	assert_non_null(strstr(from, " <noreply@example.gov.cn>"));
	free(from);

	/* The subject: encoded-words of at most 75 characters, each whole UTF-8 once decoded, that
	 * join back into the subject. */
	char *subj = header(text, "Subject");
	char joined[512] = "";
	int words = 0;
	for (char *w = strstr(subj, "=?UTF-8?B?"); w; w = strstr(w, "=?UTF-8?B?")) {
		char *end = strstr(w + 10, "?=");
		assert_non_null(end);
		assert_true(end + 2 - w <= 75);
		size_t n;
		unsigned char *dec = crypto_unbase64(w + 10, (size_t)(end - w - 10), &n);
		assert_non_null(dec);
		assert_true((dec[0] & 0xC0) != 0x80); /* starts on a character */
		strncat(joined, (char *)dec, n);
		free(dec);
		words++;
		w = end + 2;
	}
	assert_true(words >= 2);
	assert_string_equal(joined, subject);
	free(subj);

	/* Every line ends in CRLF; the body is base64 lines of at most 76 that decode to CRLF text. */
	const char *body = strstr(text, "\r\n\r\n");
	assert_non_null(body);
	for (const char *p = text; *p; p++)
		if (*p == '\n')
			assert_true(p > text && p[-1] == '\r');
	body += 4;
	char b64[1024] = "";
	for (const char *p = body; *p;) {
		const char *e = strstr(p, "\r\n");
		assert_non_null(e);
		assert_true(e - p <= 76);
		strncat(b64, p, (size_t)(e - p));
		p = e + 2;
	}
	size_t n;
	unsigned char *plain = crypto_unbase64(b64, strlen(b64), &n);
	assert_non_null(plain);
	assert_int_equal(n, strlen("第一行\r\n第二行：申请编号 12345\r\n"));
	assert_memory_equal(plain, "第一行\r\n第二行：申请编号 12345\r\n", n);
	free(plain);
	free(text);
}

static void test_plain_sender_and_ascii_subject(void **state)
{
	(void)state;
	snprintf(cfg.mail_from, sizeof cfg.mail_from, "noreply@example.gov.cn");
	mail_msg m = { "a@b.cn", "Hello", "x", "<1@b>", 0 };
	char *text = mail_format(&m, NULL);
	char *from = header(text, "From"), *subj = header(text, "Subject");
	assert_string_equal(from, "noreply@example.gov.cn");
	assert_string_equal(subj, "Hello");
	free(from);
	free(subj);
	free(text);
	char id[MAIL_MESSAGE_ID_MAX], id2[MAIL_MESSAGE_ID_MAX];
	mail_message_id(id);
	mail_message_id(id2);
	assert_int_equal(strlen(id), strlen("<0123456789abcdef0123456789abcdef.sanzhi@example.gov.cn>"));
	assert_non_null(strstr(id, ".sanzhi@example.gov.cn>"));
	assert_string_not_equal(id, id2);
}

static void test_addresses(void **state)
{
	(void)state;
	assert_true(mail_address_ok("ngo.zhang+1@example.cn"));
	assert_false(mail_address_ok(""));
	assert_false(mail_address_ok("no-at-sign"));
	assert_false(mail_address_ok("@example.cn"));
	assert_false(mail_address_ok("a@"));
	assert_false(mail_address_ok("a@b@c"));
	assert_false(mail_address_ok("a b@example.cn"));
	assert_false(mail_address_ok("a@example.cn\r\nRCPT TO:<x@evil>"));
	assert_false(mail_address_ok("a@example.cn>"));
	assert_false(mail_address_ok("张@example.cn"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_plain_sender_and_ascii_subject),
		cmocka_unit_test(test_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

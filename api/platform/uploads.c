/* uploads.c — the checks of a raw upload (see uploads.h). */
#include "uploads.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* What each accepted media type must begin with. */
static const struct upload_type {
	const char *media_type;
	const char *what;
	const unsigned char *magic;
	size_t magic_len;
} upload_types[] = {
	{ "application/pdf", "a PDF", (const unsigned char *)"%PDF-", 5 },
	{ "image/jpeg", "a JPEG image", (const unsigned char *)"\xFF\xD8\xFF", 3 },
	{ "image/png", "a PNG image", (const unsigned char *)"\x89PNG\r\n\x1a\n", 8 },
};

/* The media type of a Content-Type header without parameters, matched case-insensitively. */
static const struct upload_type *type_for(const char *content_type)
{
	if (!content_type)
		return NULL;
	size_t n = strcspn(content_type, ";");
	while (n && content_type[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < sizeof upload_types / sizeof upload_types[0]; i++)
		if (strlen(upload_types[i].media_type) == n &&
		    !strncasecmp(content_type, upload_types[i].media_type, n))
			return &upload_types[i];
	return NULL;
}

/* A file name as given, reduced to its last path component (browsers send C:\fakepath\x.pdf);
 * refused when empty, a dot name, not UTF-8, or holding control characters. */
static const char *name_clean(const char *raw, verr *v)
{
	const char *base = raw;
	for (const char *p = raw; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	size_t n = strlen(base);
	if (!n || !strcmp(base, ".") || !strcmp(base, "..")) {
		verr_add(v, "name", "required", "name must be the file's name, such as charter.pdf");
		return NULL;
	}
	if (n > UPLOAD_NAME_MAX_BYTES) {
		verr_add(v, "name", "too_long", "name must have at most %d bytes", UPLOAD_NAME_MAX_BYTES);
		return NULL;
	}
	if (!json_utf8_valid(base, n)) {
		verr_add(v, "name", "invalid_utf8", "name must be UTF-8");
		return NULL;
	}
	for (const unsigned char *p = (const unsigned char *)base; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '"') {
			verr_add(v, "name", "invalid_characters", "name may not hold control characters or quotes");
			return NULL;
		}
	return base;
}

int upload_or_reply(http_req *req, upload *u, verr *v)
{
	memset(u, 0, sizeof *u);
	const struct upload_type *dt = type_for(req->content_type);
	if (!dt) {
		verr_free(v);
		http_problem(req, 415, "unsupported_media_type",
		             "send the file as Content-Type application/pdf, image/jpeg or image/png");
		return -1;
	}
	int nq = http_query(req, "name", u->name_buf, sizeof u->name_buf);
	if (nq == 0)
		verr_add(v, "name", "required", "name is required: the file's name, such as charter.pdf");
	else if (nq == -2)
		verr_add(v, "name", "invalid_characters", "name may not hold control characters or quotes");
	else if (nq < 0)
		verr_add(v, "name", "too_long", "name must have at most %d bytes", UPLOAD_NAME_MAX_BYTES);
	else
		u->name = name_clean(u->name_buf, v);
	if (v->count) {
		http_problem_fields(req, 422, "validation_failed", "the document's metadata is not valid", v);
		return -1;
	}
	if (req->body_len == 0) {
		http_problem(req, 422, "empty_document", "the body must be the file's content");
		return -1;
	}
	if ((long long)req->body_len > rule(RULE_document_max_bytes)) {
		http_problem(req, 413, "document_too_large", "the document is %zu bytes; the limit is %lld bytes",
		             req->body_len, rule(RULE_document_max_bytes));
		return -1;
	}
	/* By content, not by name or header: the first bytes must be those of the type sent. */
	if (req->body_len < dt->magic_len || memcmp(req->body, dt->magic, dt->magic_len)) {
		const char *is = NULL;
		for (size_t i = 0; i < sizeof upload_types / sizeof upload_types[0]; i++)
			if (req->body_len >= upload_types[i].magic_len &&
			    !memcmp(req->body, upload_types[i].magic, upload_types[i].magic_len))
				is = upload_types[i].what;
		http_problem(req, 422, "content_mismatch", "the content is not %s%s%s, as Content-Type %s says",
		             dt->what, is ? "; it looks like " : "", is ? is : "", dt->media_type);
		return -1;
	}
	u->media_type = dt->media_type;
	u->body = req->body;
	u->len = req->body_len;
	crypto_sha256_hex(req->body, req->body_len, u->sha256);
	return 0;
}

void upload_disposition(const char *name, char *out, size_t outlen)
{
	char ascii[UPLOAD_NAME_MAX_BYTES + 1], ext[3 * UPLOAD_NAME_MAX_BYTES + 1];
	size_t a = 0, e = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p && a < UPLOAD_NAME_MAX_BYTES; p++) {
		int safe = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		           *p == '.' || *p == '-' || *p == '_';
		ascii[a++] = safe ? (char)*p : '_';
		if (safe) {
			ext[e++] = (char)*p;
		} else {
			snprintf(ext + e, 4, "%%%02X", *p);
			e += 3;
		}
	}
	ascii[a] = 0;
	ext[e] = 0;
	snprintf(out, outlen, "Content-Disposition: attachment; filename=\"%s\"; filename*=UTF-8''%s\r\n", ascii, ext);
}

/* uploads.h — a file sent as a raw body (SPEC §2, Appendix A): PDF, JPEG or PNG, checked by its
 * content and not by its name, named by ?name=, within document_max_bytes; the checks every
 * upload route makes before its transaction (application documents, bid documents). */
#ifndef SANZHI_UPLOADS_H
#define SANZHI_UPLOADS_H

#include "api.h"

enum { UPLOAD_NAME_MAX_BYTES = 255 }; /* what file systems take; the columns that keep names */

typedef struct upload {
	const char *name;       /* the file's name, its last path component (into name_buf) */
	const char *media_type; /* application/pdf, image/jpeg, image/png */
	const char *body;       /* the request's body */
	size_t len;
	char sha256[CRYPTO_SHA256_HEX_LEN + 1];
	char name_buf[1024];
} upload;

/* The file of req into *u, or an answer and -1: 415 unsupported_media_type; 422 with v's field
 * errors (the caller's own, such as ?kind=) and the name's (required, too_long,
 * invalid_characters, invalid_utf8); 422 empty_document; 413 document_too_large; 422
 * content_mismatch when the first bytes are not those of the type sent. v is emptied. */
int upload_or_reply(http_req *req, upload *u, verr *v);

/* The header line "Content-Disposition: attachment; filename=…; filename*=UTF-8''…\r\n" for a
 * download of name: an ASCII fallback and the UTF-8 original (RFC 6266, 8187). */
void upload_disposition(const char *name, char *out, size_t outlen);

#endif

/* embedded.h — files compiled into the binary by scripts/embed.sh. */
#ifndef SANZHI_EMBEDDED_H
#define SANZHI_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name;
	const char *data; /* NUL-terminated */
	size_t len;
};

extern const struct embedded_file migrations_files[]; /* the sql/ migrations, in order */
extern const int migrations_count;
extern const struct embedded_file openapi_files[]; /* api/openapi.json */
extern const int openapi_count;

#endif

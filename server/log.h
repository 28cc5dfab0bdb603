/* log.h — one JSON object per line on stderr. Never pass secrets. */
#ifndef SANZHI_LOG_H
#define SANZHI_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(const char *name);
/* log_kv(LOG_INFO, "listening", "addr", "127.0.0.1:8080", NULL): message then
 * NULL-terminated key/value string pairs. */
void log_kv(int level, const char *msg, ...) __attribute__((sentinel));
/* The request line: numbers as numbers. */
void log_request(const char *request_id, const char *method, const char *path, const char *route, int status, double ms,
                 const char *user, const char *ip);

#endif

/* bare.c — the yardstick of `make bench`: CivetWeb, built and configured as sanzhid builds and
 * configures it (same object file, same listener options), answering every request with one fixed
 * JSON document the size of an organization profile. Whatever sanzhid's lookup costs beyond this
 * is routing, the database and JSON.
 *
 *   bare HOST:PORT [THREADS]        serves until SIGTERM or SIGINT
 */
#include "civetweb.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char body[] =
	"{\"data\":{\"uscc\":\"51330424MJ0000018G\",\"org_id\":\"CN-USCI-51330424MJ0000018G\",\"name\":\"海盐县城乡地方史学会\","
	"\"legal_form\":\"social_group\",\"category\":\"public_welfare\",\"region_code\":\"330424\",\"region_name\":\"海盐县\","
	"\"domicile\":\"海盐县和平路58号\",\"legal_representative_name\":\"金飞军\",\"registered_at\":\"2000-01-12\","
	"\"status\":\"registered\",\"grade\":null,\"grade_valid_until\":null,\"version\":1,"
	"\"business_scope\":\"开展城乡地方相关的交流、培训、咨询与公益服务\",\"deregistered_at\":null,\"former_names\":[],"
	"\"lists\":[]}}";

/* sanzhid's civetweb.o sends its waits on sockets through this (CIVETWEB_DEFS: -Dpoll=…), where
 * the daemon cuts them at a connection's deadline; the yardstick waits as CivetWeb alone does. */
int http_civet_poll(struct pollfd *fds, nfds_t n, int timeout_ms);
int http_civet_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	return poll(fds, n, timeout_ms);
}

static int answer(struct mg_connection *conn)
{
	char head[256];
	int n = snprintf(head, sizeof head,
	                 "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nContent-Type: application/json; charset=utf-8\r\n"
	                 "Connection: keep-alive\r\nCache-Control: no-store\r\nETag: \"1\"\r\n\r\n",
	                 sizeof body - 1);
	char buf[2048];
	memcpy(buf, head, (size_t)n);
	memcpy(buf + n, body, sizeof body - 1);
	mg_write(conn, buf, (size_t)n + sizeof body - 1);
	return 200;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bare HOST:PORT [THREADS]\n");
		return 2;
	}
	const char *threads = argc > 2 ? argv[2] : "128";
	const char *options[] = {
		"listening_ports", argv[1], "num_threads", threads, "enable_keep_alive", "yes",
		"keep_alive_timeout_ms", "15000", "tcp_nodelay", "1", "request_timeout_ms", "30000",
		"max_request_size", "32768", "decode_url", "yes", NULL,
	};
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	mg_init_library(0);
	struct mg_callbacks cb;
	memset(&cb, 0, sizeof cb);
	cb.begin_request = answer;
	struct mg_context *ctx = mg_start(&cb, NULL, options);
	if (!ctx) {
		fprintf(stderr, "bare: cannot listen on %s\n", argv[1]);
		return 1;
	}
	int sig;
	sigwait(&set, &sig);
	mg_stop(ctx);
	mg_exit_library();
	return 0;
}

/* http.c — CivetWeb underneath, one dispatcher on top: every request gets a request id,
 * a route (or a problem+json 404/405), authentication, body checks, and one answer. */
#include "http.h"
#include "auth.h"
#include "cache.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"

#include <civetweb.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct mg_context *ctx;
static http_options opts;
static int nroutes;

/* --- metrics ------------------------------------------------------------------ */
static const int tracked_status[] = { 200, 201, 204, 301, 302, 304, 400, 401, 403, 404,
	                              405, 409, 411, 412, 413, 415, 422, 429, 500, 503 };
#define NSTATUS (int)(sizeof tracked_status / sizeof tracked_status[0])
#define MAX_ROUTES 256
#define SLOT_OTHER NSTATUS
/* route index nroutes = static/other paths, nroutes+1 = unmatched */
static atomic_ullong m_requests[MAX_ROUTES + 2][NSTATUS + 1];
static const double buckets[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5 };
#define NBUCKETS (int)(sizeof buckets / sizeof buckets[0])
static atomic_ullong m_latency[NBUCKETS + 1];
static atomic_ullong m_latency_sum_us, m_latency_count, m_errors_5xx, m_in_flight;

static int status_slot(int status)
{
	for (int i = 0; i < NSTATUS; i++)
		if (tracked_status[i] == status)
			return i;
	return SLOT_OTHER;
}

static void observe(int route_index, int status, double seconds)
{
	if (route_index < 0 || route_index > MAX_ROUTES + 1)
		route_index = MAX_ROUTES + 1;
	atomic_fetch_add(&m_requests[route_index][status_slot(status)], 1);
	int b = 0;
	while (b < NBUCKETS && seconds > buckets[b])
		b++;
	atomic_fetch_add(&m_latency[b], 1);
	atomic_fetch_add(&m_latency_sum_us, (unsigned long long)(seconds * 1e6));
	atomic_fetch_add(&m_latency_count, 1);
	if (status >= 500)
		atomic_fetch_add(&m_errors_5xx, 1);
}

/* --- slow and idle clients -------------------------------------------------------------------
 * CivetWeb gives each connection a worker thread until it closes, and bounds each read only
 * while nothing arrives: a body trickled a byte every 10 s held its worker for days. So each
 * worker carries a deadline for its socket, and CivetWeb's calls to poll(2) come here
 * (CIVETWEB_DEFS in the Makefile: -Dpoll=http_civet_poll): a wait never outlasts the deadline,
 * and one that reaches it shuts the socket's reading side (both sides while writing), so the
 * read in progress fails at once and the worker is free as soon as the answer is written.
 * The deadlines: the request line and headers within header_timeout_ms of the connection's start
 * (or of the previous answer), the body at body_min_rate bytes per second after a grace, both
 * within request_deadline_ms. Each client address may hold max_connections_per_address
 * connections; the next one is answered 429 and closed. */
enum conn_phase { PHASE_HEADERS, PHASE_BODY, PHASE_ANSWER, NPHASES };
static const char *const phase_names[NPHASES] = { "headers", "body", "answer" };

typedef struct conn_state {
	int64_t io_deadline;   /* CLOCK_MONOTONIC ms by which the socket's wait must end; 0: none */
	int64_t request_start; /* when the worker began to wait for the current request */
	enum conn_phase phase;
	int expired;       /* the deadline cut the socket */
	int open;          /* counted in m_conns_open */
	int counted;       /* counted in the address table under addr */
	int admit_pending; /* its address is still to be counted */
	int fd;            /* its socket, as the waits see it; 0 before the first */
	int refused;       /* over the address's cap: 429, then closed */
	int close;         /* the request's body is left unread: close after the answer */
	char addr[48];
} conn_state;

/* Each worker serves one connection at a time: its state is the thread's. */
static _Thread_local conn_state worker;

/* From the configuration, at http_start. */
static struct {
	int header_timeout_ms, request_deadline_ms, max_connections_per_address;
	long long body_min_rate, body_memory;
} lim;

static atomic_ullong m_conn_refused, m_timeouts[NPHASES], m_body_refused;
static atomic_llong m_conns_open, m_body_bytes;
static atomic_ullong m_keepalive_shed;

/* A body's first bytes may take this long whatever the rate (a slow start, a long path). */
#define BODY_GRACE_MS 5000
/* A refused connection's request has this long to arrive before the socket closes unanswered. */
#define REFUSE_GRACE_MS 1000
/* Bodies are read in chunks of this size, each with its own deadline at the minimum rate. */
#define BODY_CHUNK 16384
/* Database connections the workers keep between requests: with thousands of workers each would
 * otherwise keep its own (100 KiB of buffers and statements here, one of MariaDB's
 * max_connections there); a worker beyond them closes its own when it is done, or before it
 * waits on a body. */
#define HTTP_DB_KEPT 64

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int addr_acquire(const char *addr, int cap);

/* Counts the connection under its client's address; over the cap it gets REFUSE_GRACE_MS for its
 * request line, then a 429 and no more. */
static void admit(const char *addr)
{
	worker.admit_pending = 0;
	snprintf(worker.addr, sizeof worker.addr, "%s", addr);
	if (addr_acquire(worker.addr, lim.max_connections_per_address) == 0) {
		worker.counted = 1;
		return;
	}
	worker.refused = 1;
	worker.io_deadline = mono_ms() + REFUSE_GRACE_MS;
	atomic_fetch_add(&m_conn_refused, 1);
}

/* The first wait of a connection is where its socket is first seen (CivetWeb's init_connection
 * callback comes before the connection's address is readable through its API). */
static void admit_socket(int fd)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof sa;
	char addr[INET6_ADDRSTRLEN] = "?";
	if (getpeername(fd, (struct sockaddr *)&sa, &len) == 0) {
		if (sa.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&sa)->sin_addr, addr, sizeof addr);
		else if (sa.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa)->sin6_addr, addr, sizeof addr);
	}
	admit(addr);
}

int http_civet_poll(struct pollfd *fds, nfds_t n, int timeout_ms);
int http_civet_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	if (n == 1)
		worker.fd = fds[0].fd;
	if (worker.admit_pending && n == 1)
		admit_socket(fds[0].fd);
	/* The master thread's wait on the listeners, and workers between connections: no deadline. */
	if (!worker.io_deadline || n != 1)
		return poll(fds, n, timeout_ms);
	int64_t left = worker.io_deadline - mono_ms();
	if (left > 0) {
		int r = poll(fds, n, timeout_ms >= 0 && timeout_ms < left ? timeout_ms : (int)left);
		if (r != 0 || worker.io_deadline - mono_ms() > 0)
			return r;
	}
	if (!worker.expired) {
		worker.expired = 1;
		atomic_fetch_add(&m_timeouts[worker.phase], 1);
	}
	/* Reading stops here; writing stays open for the 408 unless it is the write that is late. */
	shutdown(fds[0].fd, (fds[0].events & POLLOUT) ? SHUT_RDWR : SHUT_RD);
	return poll(fds, n, 0);
}

/* Open connections by client address: open addressing, linear probing, deletion by backward
 * shift. Only connections that hold a worker are counted, so it never holds more addresses than
 * there are workers, and its capacity is twice that. */
typedef struct addr_slot {
	char addr[48];
	int n; /* 0: empty */
} addr_slot;
static addr_slot *addr_table;
static size_t addr_mask;
static pthread_mutex_t addr_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t addr_hash(const char *a)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211ULL;
	return (size_t)h;
}

/* 0 and counted, or -1 when the address already holds its cap. */
static int addr_acquire(const char *addr, int cap)
{
	pthread_mutex_lock(&addr_lock);
	size_t i = addr_hash(addr) & addr_mask;
	while (addr_table[i].n && strcmp(addr_table[i].addr, addr))
		i = (i + 1) & addr_mask;
	int rc = -1;
	if (addr_table[i].n < cap) {
		if (!addr_table[i].n)
			snprintf(addr_table[i].addr, sizeof addr_table[i].addr, "%s", addr);
		addr_table[i].n++;
		rc = 0;
	}
	pthread_mutex_unlock(&addr_lock);
	return rc;
}

static void addr_release(const char *addr)
{
	pthread_mutex_lock(&addr_lock);
	size_t i = addr_hash(addr) & addr_mask;
	while (addr_table[i].n && strcmp(addr_table[i].addr, addr))
		i = (i + 1) & addr_mask;
	if (addr_table[i].n && --addr_table[i].n == 0) {
		/* Knuth's algorithm R: move later entries of the run back into the hole when their
		 * home slot does not lie cyclically between the hole and them. */
		for (size_t j = i;;) {
			addr_table[i].n = 0;
			size_t home;
			do {
				j = (j + 1) & addr_mask;
				if (!addr_table[j].n)
					goto out;
				home = addr_hash(addr_table[j].addr) & addr_mask;
			} while (i <= j ? (i < home && home <= j) : (i < home || home <= j));
			addr_table[i] = addr_table[j];
			i = j;
		}
	}
out:
	pthread_mutex_unlock(&addr_lock);
}

/* The body memory budget: 0 when n more bytes fit (and are now held by req), -1 when not. */
static int body_take(http_req *req, size_t n)
{
	long long now = atomic_fetch_add(&m_body_bytes, (long long)n) + (long long)n;
	if (now > lim.body_memory) {
		atomic_fetch_sub(&m_body_bytes, (long long)n);
		atomic_fetch_add(&m_body_refused, 1);
		return -1;
	}
	req->body_held += n;
	return 0;
}

static atomic_llong last_trim_ms;

/* Gives the request's share of the budget back; after a large body, hands the freed memory back
 * to the system (glibc keeps freed heap memory for reuse otherwise: 128 hostile bodies left the
 * process at 3.7 GiB for good), at most every 100 ms unless nothing is held any more. */
static void body_give_back(http_req *req)
{
	if (!req->body_held)
		return;
	long long left = atomic_fetch_sub(&m_body_bytes, (long long)req->body_held) - (long long)req->body_held;
	int large = req->body_held >= (256u << 10);
	req->body_held = 0;
	if (!large)
		return;
	int64_t now = mono_ms();
	if (left == 0 || now - atomic_load(&last_trim_ms) >= 100) {
		atomic_store(&last_trim_ms, now);
		malloc_trim(0);
	}
}

/* --- roles ------------------------------------------------------------------------ */
/* --- answering -------------------------------------------------------------- */
static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 406:
		return "Not Acceptable";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 410:
		return "Gone";
	case 411:
		return "Length Required";
	case 412:
		return "Precondition Failed";
	case 413:
		return "Content Too Large";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Content";
	case 428:
		return "Precondition Required";
	case 431:
		return "Request Header Fields Too Large";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Unknown";
	}
}

static atomic_int draining;

static int keep_alive(const http_req *req, int status)
{
	if (status == 413 || status == 411 || status == 415 || status == 400 || status == 431 || status == 408 ||
	    worker.refused || worker.expired || worker.close || atomic_load(&draining))
		return 0; /* the body may be unread: never reuse the connection */
	/* A connection holds its worker for as long as it lives, and CivetWeb hands a newly accepted
	 * one only to an idle worker. When every worker holds a connection, clients that keep theirs
	 * busy would keep a newcomer waiting for ever (a request starved behind ten busy writers):
	 * each answer then closes its connection, and the client's next request queues fairly. */
	if (atomic_load(&m_conns_open) >= opts.threads) {
		atomic_fetch_add(&m_keepalive_shed, 1);
		return 0;
	}
	const char *h = mg_get_header(req->conn, "Connection");
	if (h)
		return strcasestr(h, "keep-alive") != NULL;
	return req->ri->http_version && !strcmp(req->ri->http_version, "1.1");
}

void http_reply_raw(http_req *req, int status, const char *content_type, const void *data, size_t len,
                    const char *extra_headers)
{
	if (req->answered) {
		log_kv(LOG_ERROR, "handler answered twice", "route", req->route ? req->route->pattern : "", NULL);
		return;
	}
	req->answered = 1;
	req->status = status;
	char head[2048];
	int ka = keep_alive(req, status);
	/* RFC 9110 §6.6.1: the origin's clock, which is the daemon's one clock (the test clock too,
	 * so a client can tell which day it is for the server). */
	char date[40];
	time_t secs = (time_t)(clock_now() / USEC_PER_SEC);
	struct tm tm;
	gmtime_r(&secs, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	int n = snprintf(head, sizeof head,
	                 "HTTP/1.1 %d %s\r\n"
	                 "Date: %s\r\n"
	                 "Content-Length: %zu\r\n"
	                 "%s%s%s"
	                 "X-Request-Id: %s\r\n"
	                 "X-Content-Type-Options: nosniff\r\n"
	                 "%s"
	                 "Connection: %s\r\n"
	                 "%s"
	                 "\r\n",
	                 status, reason(status), date, len, content_type ? "Content-Type: " : "",
	                 content_type ? content_type : "", content_type ? "\r\n" : "", req->request_id,
	                 req->ri->is_ssl ? "Strict-Transport-Security: max-age=31536000\r\n" : "",
	                 ka ? "keep-alive" : "close", extra_headers ? extra_headers : "");
	if (n < 0 || (size_t)n >= sizeof head) {
		log_kv(LOG_ERROR, "response head too long", NULL);
		return;
	}
	/* "Connection: close" is a promise: CivetWeb would otherwise read past an unread body and
	 * serve the next pipelined request on this socket, which then answers a request whose start
	 * the client (or a proxy in front) placed elsewhere. */
	if (!ka)
		mg_disable_connection_keep_alive(req->conn);
	if (!strcmp(req->method, "HEAD"))
		len = 0; /* the head says how long the body would be; none follows */
	/* A client that does not read its answer is cut after request_timeout_ms, counted. */
	worker.phase = PHASE_ANSWER;
	worker.io_deadline = mono_ms() + opts.request_timeout_ms;
	/* One write for small answers: header and body in one segment. */
	if (len <= 16384) {
		char buf[sizeof head + 16384];
		memcpy(buf, head, (size_t)n);
		if (len)
			memcpy(buf + n, data, len);
		mg_write(req->conn, buf, (size_t)n + len);
	} else {
		mg_write(req->conn, head, (size_t)n);
		mg_write(req->conn, data, len);
	}
	worker.io_deadline = 0;
}

#define JSON_TYPE HTTP_JSON_TYPE
#define API_HEADERS HTTP_API_HEADERS

void http_reply_json(http_req *req, int status, cJSON *body)
{
	char *s = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (!s) {
		http_reply_raw(req, 500, JSON_TYPE, "{}", 2, API_HEADERS);
		return;
	}
	http_reply_raw(req, status, JSON_TYPE, s, strlen(s), API_HEADERS);
	free(s);
}

void http_reply_data(http_req *req, int status, cJSON *data, long long version)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "data", data ? data : cJSON_CreateNull());
	char *s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!s) {
		http_problem(req, 500, "internal", "the answer could not be encoded");
		return;
	}
	char hdr[128];
	if (version > 0)
		snprintf(hdr, sizeof hdr, API_HEADERS "ETag: \"%lld\"\r\n", version);
	else
		snprintf(hdr, sizeof hdr, API_HEADERS);
	http_reply_raw(req, status, JSON_TYPE, s, strlen(s), hdr);
	free(s);
}

void http_reply_list(http_req *req, cJSON *items, const char *next_cursor)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "data", items);
	json_add_str_or_null(root, "next_cursor", next_cursor);
	http_reply_json(req, 200, root);
}

#define JW_MAX (16u << 20)

void http_list_begin(jw *w)
{
	jw_init(w, JW_MAX);
	jw_obj(w);
	jw_key(w, "data");
	jw_arr(w);
}

void http_reply_list_jw(http_req *req, jw *w, const char *next_cursor)
{
	jw_arr_end(w);
	jw_kstr(w, "next_cursor", next_cursor);
	jw_obj_end(w);
	size_t len;
	char *s = jw_take(w, &len);
	if (!s) {
		http_problem(req, 500, "internal", "the answer could not be encoded");
		return;
	}
	http_reply_raw(req, 200, JSON_TYPE, s, len, API_HEADERS);
	free(s);
}

void http_reply_empty(http_req *req, int status)
{
	http_reply_raw(req, status, NULL, "", 0, API_HEADERS);
}

char *http_problem_text(const http_req *req, int status, const char *code, const char *detail, cJSON *errors,
                        cJSON *ext)
{
	cJSON *p = cJSON_CreateObject();
	char type[200];
	snprintf(type, sizeof type, "/problems/%s", code);
	cJSON_AddStringToObject(p, "type", type);
	cJSON_AddStringToObject(p, "title", reason(status));
	cJSON_AddNumberToObject(p, "status", status);
	cJSON_AddStringToObject(p, "code", code);
	cJSON_AddStringToObject(p, "detail", detail);
	if (errors)
		cJSON_AddItemToObject(p, "errors", errors);
	if (ext) {
		cJSON *m;
		while ((m = ext->child)) {
			cJSON_DetachItemViaPointer(ext, m);
			if (m->string && !cJSON_HasObjectItem(p, m->string))
				cJSON_AddItemToObject(p, m->string, m);
			else
				cJSON_Delete(m);
		}
		cJSON_Delete(ext);
	}
	cJSON_AddStringToObject(p, "request_id", req->request_id);
	char *s = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	return s;
}

static void problem_v(http_req *req, int status, const char *code, const char *extra, cJSON *errors, const char *fmt,
                      va_list ap)
{
	char detail[1024];
	vsnprintf(detail, sizeof detail, fmt, ap);
	char *s = http_problem_text(req, status, code, detail, errors, NULL);
	char hdr[512];
	snprintf(hdr, sizeof hdr, API_HEADERS "%s", extra ? extra : "");
	if (s) {
		http_reply_raw(req, status, HTTP_PROBLEM_TYPE, s, strlen(s), hdr);
		free(s);
	}
}

void http_problem(http_req *req, int status, const char *code, const char *detail, ...)
{
	va_list ap;
	va_start(ap, detail);
	problem_v(req, status, code, NULL, NULL, detail, ap);
	va_end(ap);
}

void http_problem_hdr(http_req *req, int status, const char *code, const char *extra_headers, const char *detail, ...)
{
	va_list ap;
	va_start(ap, detail);
	problem_v(req, status, code, extra_headers, NULL, detail, ap);
	va_end(ap);
}

static void problem_errors(http_req *req, int status, const char *code, cJSON *errors, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
static void problem_errors(http_req *req, int status, const char *code, cJSON *errors, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	problem_v(req, status, code, NULL, errors, fmt, ap);
	va_end(ap);
}

void http_problem_fields(http_req *req, int status, const char *code, const char *detail, verr *v)
{
	problem_errors(req, status, code, verr_take(v), "%s", detail);
}

void http_problem_db(http_req *req, int rc)
{
	switch (rc) {
	case DB_DOWN:
		http_problem_hdr(req, 503, "database_unavailable", "Retry-After: 5\r\n",
		                 "the database is unavailable; retry shortly");
		break;
	case DB_RETRY:
		http_problem(req, 409, "conflict", "a concurrent change got there first; reload and retry");
		break;
	case DB_DUP:
		http_problem(req, 409, "duplicate", "this already exists");
		break;
	case DB_APP:
		if (!req->answered)
			http_problem(req, 500, "internal", "the request could not be completed");
		break;
	default:
		http_problem(req, 500, "internal", "the request could not be completed");
	}
}

int http_if_match_or_reply(http_req *req, long long version)
{
	const char *h = mg_get_header(req->conn, "If-Match");
	if (!h || !strcmp(h, "*"))
		return 0;
	char want[40];
	snprintf(want, sizeof want, "\"%lld\"", version);
	/* Weak validators and bare numbers are accepted too: clients vary. */
	const char *p = h;
	if (!strncmp(p, "W/", 2))
		p += 2;
	char bare[32];
	snprintf(bare, sizeof bare, "%lld", version);
	if (!strcmp(p, want) || !strcmp(p, bare))
		return 0;
	http_problem(req, 412, "version_mismatch",
	             "If-Match %s does not match the current version \"%lld\"; reload and retry", h, version);
	return -1;
}

/* --- request parts ----------------------------------------------------------- */
const char *http_param(const http_req *req, const char *name)
{
	for (int i = 0; i < req->nparams; i++)
		if (!strcmp(req->param_names[i], name))
			return req->param_values[i];
	return NULL;
}

int http_query(const http_req *req, const char *name, char *buf, size_t len)
{
	const char *q = req->ri->query_string;
	if (!q)
		return 0;
	int n = mg_get_var(q, strlen(q), name, buf, len);
	if (n == -1)
		return 0;
	if (n < 0)
		return -1;
	/* An encoded NUL (%00) would silently cut the value short: "5%00" is not 5. */
	if (strlen(buf) != (size_t)n)
		return -2;
	return 1;
}

const char *http_query_string(const http_req *req)
{
	return req->ri->query_string ? req->ri->query_string : "";
}

const char *http_header(const http_req *req, const char *name)
{
	return mg_get_header(req->conn, name);
}

void http_cursor_encode(const char *key, char *out, size_t outlen)
{
	char tmp[512];
	crypto_base64url(key, strlen(key) < 300 ? strlen(key) : 300, tmp);
	snprintf(out, outlen, "%s", tmp);
}

static int cursor_decode(const char *in, char *out, size_t outlen)
{
	/* base64url without padding back to text */
	size_t n = strlen(in);
	if (n > 500)
		return -1;
	char std[520];
	size_t i;
	for (i = 0; i < n; i++) {
		char c = in[i];
		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return -1;
		std[i] = c;
	}
	while (i % 4)
		std[i++] = '=';
	std[i] = 0;
	size_t dl;
	unsigned char *d = crypto_unbase64(std, i, &dl);
	if (!d)
		return -1;
	if (dl >= outlen || memchr(d, 0, dl) || !json_utf8_valid((const char *)d, dl)) {
		free(d);
		return -1;
	}
	memcpy(out, d, dl);
	out[dl] = 0;
	free(d);
	return 0;
}

int http_page_or_reply(http_req *req, int *limit, char *cursor, size_t cursor_len)
{
	char buf[600];
	*limit = 50;
	cursor[0] = 0;
	int r = http_query(req, "limit", buf, sizeof buf);
	if (r < 0 || (r == 1 && (!*buf || strspn(buf, "0123456789") != strlen(buf) || strlen(buf) > 4 ||
	                         atoi(buf) < 1 || atoi(buf) > 200))) {
		http_problem(req, 400, "invalid_limit", "limit must be a whole number from 1 to 200");
		return -1;
	}
	if (r == 1)
		*limit = atoi(buf);
	r = http_query(req, "cursor", buf, sizeof buf);
	if (r < 0 || (r == 1 && *buf && cursor_decode(buf, cursor, cursor_len) < 0)) {
		http_problem(req, 400, "invalid_cursor", "cursor is not one this server handed out");
		return -1;
	}
	return 0;
}

int http_page_num_or_reply(http_req *req, int *limit, long long *key, long long dflt)
{
	char cursor[32];
	if (http_page_or_reply(req, limit, cursor, sizeof cursor) < 0)
		return -1;
	*key = dflt;
	if (!*cursor)
		return 0;
	char *end;
	errno = 0;
	long long v = strtoll(cursor, &end, 10);
	if (errno || *end || end == cursor || v < 0) {
		http_problem(req, 400, "invalid_cursor", "cursor is not one this server handed out");
		return -1;
	}
	*key = v;
	return 0;
}

void http_reply_rows(http_req *req, const db_res *r, int limit, cJSON *(*item)(const db_res *r, int row), int key_col)
{
	cJSON *items = cJSON_CreateArray();
	int n = r->nrows > limit ? limit : r->nrows;
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(items, item(r, i));
	char next[600] = "";
	if (r->nrows > limit)
		http_cursor_encode(db_val(r, limit - 1, key_col), next, sizeof next);
	http_reply_list(req, items, *next ? next : NULL);
}

/* --- static files (the admin UI) -------------------------------------------- */
static const char *media_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (!dot)
		return "application/octet-stream";
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json; charset=utf-8" },
		{ ".png", "image/png" },
		{ ".svg", "image/svg+xml" },
		{ ".ico", "image/x-icon" },
		{ ".woff2", "font/woff2" },
		{ ".txt", "text/plain; charset=utf-8" },
	};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

#define UI_HEADERS                                                                                                     \
	"Cache-Control: no-cache\r\n"                                                                                  \
	"Content-Security-Policy: default-src 'self'; img-src 'self' data: blob:; object-src 'none'; "                 \
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'\r\n"                                              \
	"X-Frame-Options: DENY\r\nReferrer-Policy: no-referrer\r\n"

static void serve_static(http_req *req)
{
	const char *rel = req->path + strlen("/admin");
	if (!*rel) {
		http_reply_raw(req, 301, NULL, "", 0, "Location: /admin/\r\n");
		return;
	}
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
		http_problem_hdr(req, 405, "method_not_allowed", "Allow: GET, HEAD\r\n", "the admin UI is read-only");
		return;
	}
	char path[PATH_MAX];
	if (!strcmp(rel, "/"))
		rel = "/index.html";
	if (strstr(rel, "..") || strchr(rel, '\\') || strlen(rel) > 200) {
		http_problem(req, 404, "not_found", "no such file");
		return;
	}
	snprintf(path, sizeof path, "%s%s", opts.admin_ui_dir, rel);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (8 << 20)) {
		if (fd >= 0)
			close(fd);
		http_problem(req, 404, "not_found", "no such file");
		return;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	ssize_t got = buf ? read(fd, buf, (size_t)st.st_size) : -1;
	close(fd);
	if (got != st.st_size) {
		free(buf);
		http_problem(req, 500, "internal", "the file could not be read");
		return;
	}
	http_reply_raw(req, 200, media_type(path), buf, (size_t)got, UI_HEADERS);
	free(buf);
}

/* --- routing ----------------------------------------------------------------- */
/* Matches path against pattern; fills params (pointing into a copy). A parameter is a whole
 * segment, or a segment less a literal suffix that the pattern gives after it. */
static int match(const char *pattern, const char *path, http_req *req, char *scratch, size_t scratch_len)
{
	const char *p = pattern, *s = path;
	size_t used = 0;
	int np = 0;
	while (*p && *s) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			if (!close)
				return 0;
			size_t seglen = strcspn(s, "/");
			/* A parameter followed by a literal in its segment ("{notice_id}.pdf") ends
			 * before that literal, which must end the segment. */
			size_t suffix = strcspn(close + 1, "/");
			if (suffix) {
				if (seglen <= suffix || memcmp(s + seglen - suffix, close + 1, suffix))
					return 0;
				seglen -= suffix;
			}
			if (seglen == 0 || seglen > 200 || np >= HTTP_MAX_PARAMS ||
			    (req && used + seglen + 1 > scratch_len))
				return 0;
			if (req) {
				char *v = scratch + used;
				memcpy(v, s, seglen);
				v[seglen] = 0;
				used += seglen + 1;
				/* pattern names are literals of the route table */
				static _Thread_local char names[HTTP_MAX_PARAMS][32];
				size_t nl = (size_t)(close - p - 1);
				if (nl >= sizeof names[0])
					return 0;
				memcpy(names[np], p + 1, nl);
				names[np][nl] = 0;
				req->param_names[np] = names[np];
				req->param_values[np] = v;
			}
			np++;
			p = close + 1;
			s += seglen;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	if (*p || *s)
		return 0;
	if (req)
		req->nparams = np;
	return 1;
}

/* A fresh request id: 128 bits as 32 hex digits. Ids correlate log lines; they protect nothing,
 * so they come from a per-thread splitmix64 seeded once from the system's generator, not from
 * RAND_bytes, whose global lock was a tenth of a cached lookup's time under load. */
static void request_id_new(char out[33])
{
	static _Thread_local uint64_t state;
	if (!state) {
		unsigned char seed[8];
		crypto_random(seed, sizeof seed);
		memcpy(&state, seed, sizeof state);
		state |= 1;
	}
	unsigned char r[16];
	for (int half = 0; half < 2; half++) {
		uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
		z ^= z >> 31;
		memcpy(r + 8 * half, &z, 8);
	}
	crypto_hex(r, sizeof r, out);
}

static int valid_request_id(const char *s)
{
	size_t n = strlen(s);
	if (n < 8 || n > 64)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_' || *p == '.'))
			return 0;
	return 1;
}

static int content_type_is(const char *ct, const char *want)
{
	if (!ct)
		return 0;
	size_t n = strlen(want);
	if (strncasecmp(ct, want, n) != 0)
		return 0;
	const char *rest = ct + n;
	while (*rest == ' ')
		rest++;
	if (!*rest)
		return 1;
	if (*rest != ';')
		return 0;
	/* Only UTF-8 is accepted as a charset parameter. */
	const char *cs = strcasestr(rest, "charset=");
	if (cs) {
		cs += 8;
		if (*cs == '"')
			cs++;
		return !strncasecmp(cs, "utf-8", 5) || !strncasecmp(cs, "utf8", 4);
	}
	return 1;
}

/* Receives n bytes of the body into dst (or drops them when dst is NULL) chunk by chunk, each
 * chunk due when the minimum rate says, all within the request's deadline; returns the bytes
 * received (fewer when the client stopped, closed or was late: worker.expired). */
static size_t receive_body(http_req *req, char *dst, size_t n)
{
	/* A socket held open by a slow body needs no database connection: beyond those a few
	 * workers keep, this worker's (opened to authenticate) is closed before the wait. */
	if (n > BODY_CHUNK && db_open_connections() > HTTP_DB_KEPT)
		db_release();
	char scratch[4096];
	size_t got = 0;
	int64_t body_start = mono_ms(), request_due = worker.request_start + lim.request_deadline_ms;
	worker.phase = PHASE_BODY;
	while (got < n) {
		size_t want = n - got < BODY_CHUNK ? n - got : BODY_CHUNK;
		if (!dst && want > sizeof scratch)
			want = sizeof scratch;
		int64_t due = body_start + BODY_GRACE_MS + (int64_t)((got + want) * 1000 / (size_t)lim.body_min_rate);
		worker.io_deadline = due < request_due ? due : request_due;
		int r = mg_read(req->conn, dst ? dst + got : scratch, want);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	worker.io_deadline = 0;
	worker.phase = PHASE_ANSWER;
	return got;
}

static int body_late_or_reply(http_req *req)
{
	http_problem(req, 408, "request_timeout",
	             "the body arrived slower than %lld bytes per second, or the request took longer than %d ms",
	             lim.body_min_rate, lim.request_deadline_ms);
	return -1;
}

/* Reads the body per the route's flags; answers and returns -1 on a refusal. */
static int read_body(http_req *req)
{
	const route *rt = req->route;
	int wants = rt->flags & (R_JSON | R_JSON_OPT | R_RAW);
	long long clen = req->ri->content_length;
	const char *te = mg_get_header(req->conn, "Transfer-Encoding");
	int has_method_body =
	        !strcmp(req->method, "POST") || !strcmp(req->method, "PUT") || !strcmp(req->method, "PATCH");
	if (!has_method_body) {
		/* GET, HEAD and DELETE take no body: one sent anyway is refused, never silently read past. */
		if (clen > 0 || te) {
			http_problem(req, 415, "unsupported_media_type", "this request takes no body");
			return -1;
		}
		return 0;
	}
	if (clen < 0) {
		if (te || (rt->flags & (R_JSON | R_RAW))) {
			http_problem(req, 411, "length_required", "send the body with a Content-Length header");
			return -1;
		}
		return 0;
	}
	long long limit = (rt->flags & R_RAW) ? opts.document_limit : opts.body_limit;
	if (R_BODY_KIB_OF(rt->flags) && (long long)R_BODY_KIB_OF(rt->flags) * 1024 < limit)
		limit = (long long)R_BODY_KIB_OF(rt->flags) * 1024;
	if (clen > limit) {
		http_problem(req, 413, "body_too_large", "the body is %lld bytes; the limit is %lld bytes", clen,
		             limit);
		return -1;
	}
	req->content_type = mg_get_header(req->conn, "Content-Type");
	if (clen > 0 && (rt->flags & (R_JSON | R_JSON_OPT)) &&
	    !content_type_is(req->content_type, "application/json")) {
		http_problem(req, 415, "unsupported_media_type",
		             "send the body as Content-Type: application/json (UTF-8)");
		return -1;
	}
	if (clen > 0 && !wants) {
		http_problem(req, 415, "unsupported_media_type", "this request takes no body");
		return -1;
	}
	if (body_take(req, (size_t)clen + 1) < 0) {
		/* Read past (nothing is kept), so that the client hears the answer instead of a reset. */
		if (receive_body(req, NULL, (size_t)clen) != (size_t)clen) {
			worker.close = 1;
			if (worker.expired)
				return body_late_or_reply(req);
		}
		http_problem_hdr(req, 503, "overloaded", "Retry-After: 1\r\n",
		                 "the server holds as many request bodies as it may now; retry shortly");
		return -1;
	}
	req->body = malloc((size_t)clen + 1);
	if (!req->body) {
		worker.close = 1;
		http_problem_hdr(req, 503, "overloaded", "Retry-After: 1\r\n",
		                 "not enough memory for this body now; retry");
		return -1;
	}
	size_t got = receive_body(req, req->body, (size_t)clen);
	req->body[got] = 0;
	req->body_len = got;
	if (got != (size_t)clen) {
		if (worker.expired)
			return body_late_or_reply(req);
		http_problem(req, 400, "incomplete_body", "the body ended before Content-Length bytes arrived");
		return -1;
	}
	if ((rt->flags & (R_JSON | R_JSON_OPT)) && got > 0) {
		/* What its tree would cost is known before it is built, and taken from the budget. */
		json_shape shape = { 0, 0 };
		const char *why = json_prescan(req->body, got, &shape);
		if (why && !strcmp(why, "too_many_values")) {
			http_problem(req, 413, "too_many_values", "the body holds more than %d JSON values",
			             JSON_MAX_VALUES);
			return -1;
		}
		if (!why && body_take(req, shape.tree_bytes) < 0) {
			http_problem_hdr(req, 503, "overloaded", "Retry-After: 1\r\n",
			                 "the server holds as many request bodies as it may now; retry shortly");
			return -1;
		}
	}
	if (rt->flags & (R_JSON | R_JSON_OPT)) {
		if (got == 0) {
			if (rt->flags & R_JSON) {
				http_problem(req, 400, "body_required", "this request needs a JSON object body");
				return -1;
			}
			return 0;
		}
		const char *why = NULL;
		req->json = json_parse(req->body, got, &why);
		if (!req->json) {
			if (!strcmp(why, "invalid_utf8"))
				http_problem(req, 400, "invalid_utf8", "the body is not valid UTF-8");
			else if (!strcmp(why, "too_deep"))
				http_problem(req, 400, "too_deep", "the JSON nests deeper than %d levels",
				             JSON_MAX_DEPTH);
			else if (!strcmp(why, "too_many_values"))
				http_problem(req, 413, "too_many_values", "the body holds more than %d JSON values",
				             JSON_MAX_VALUES);
			else if (!strcmp(why, "nul_escape"))
				http_problem(req, 400, "nul_character",
				             "a string in the body holds \\u0000, which no field may contain");
			else if (!strcmp(why, "duplicate_member"))
				http_problem(req, 400, "duplicate_member",
				             "an object in the body has two members of the same name");
			else
				http_problem(req, 400, "malformed_json", "the body is not well-formed JSON");
			return -1;
		}
		if (!cJSON_IsObject(req->json)) {
			http_problem(req, 400, "body_not_object", "the body must be a JSON object");
			return -1;
		}
	}
	return 0;
}

static void dispatch(http_req *req)
{
	/* Exact route first; then collect the methods the path allows for a 405. */
	char scratch[1024];
	char allow[128] = "";
	const route *found = NULL;
	int found_index = -1;
	for (int i = 0; i < nroutes; i++) {
		const route *rt = &opts.routes[i];
		if (!match(rt->pattern, req->path, NULL, NULL, 0))
			continue;
		if (!strcmp(rt->method, req->method) || (!strcmp(req->method, "HEAD") && !strcmp(rt->method, "GET"))) {
			found = rt;
			found_index = i;
			break;
		}
		if (!strstr(allow, rt->method)) {
			if (*allow)
				strncat(allow, ", ", sizeof allow - strlen(allow) - 1);
			strncat(allow, rt->method, sizeof allow - strlen(allow) - 1);
		}
	}
	if (!found) {
		if (*allow) {
			char hdr[200];
			snprintf(hdr, sizeof hdr, "Allow: %s\r\n", allow);
			http_problem_hdr(req, 405, "method_not_allowed", hdr, "%s is not allowed here; allowed: %s",
			                 req->method, allow);
		} else {
			http_problem(req, 404, "not_found", "there is no such resource");
		}
		return;
	}
	req->route = found;
	req->route_index = found_index;
	match(found->pattern, req->path, req, scratch, sizeof scratch);

	const char *authz = mg_get_header(req->conn, "Authorization");
	if (authz) {
		int r = auth_lookup(authz, &req->user);
		req->authed = r == 1;
		if (r < 0) {
			http_problem_db(req, r);
			return;
		}
		if (r == 0) {
			http_problem_hdr(req, 401, "invalid_token", "WWW-Authenticate: Bearer\r\n",
			                 "the token is invalid, expired or revoked; sign in again");
			return;
		}
	}
	if (found->roles != ROLES_PUBLIC) {
		if (!req->authed) {
			http_problem_hdr(req, 401, "unauthenticated", "WWW-Authenticate: Bearer\r\n",
			                 "sign in first: send Authorization: Bearer <token>");
			return;
		}
		if (!(found->roles & req->user.role_bit)) {
			http_problem(req, 403, "forbidden_role", "the %s role may not do this", req->user.role);
			return;
		}
	}
	if (read_body(req) < 0)
		return;
	if (found->flags & R_IDEMPOTENT) {
		const char *key = mg_get_header(req->conn, "Idempotency-Key");
		if (key) {
			size_t kl = strlen(key);
			if (kl == 0 || kl >= sizeof req->idem_key || !json_utf8_valid(key, kl)) {
				http_problem(req, 400, "invalid_idempotency_key",
				             "Idempotency-Key must be 1 to 128 characters");
				return;
			}
			/* A retry is answered what the first request was answered, whatever the handler
			 * would now say; otherwise tx_run_or_reply claims and records it (server/tx.h). */
			memcpy(req->idem_key, key, kl + 1);
			if (opts.idem_replay && opts.idem_replay(req))
				return;
		}
	}
	found->fn(req);
	if (req->idem_key[0] && !req->idem_handled && req->status < 300)
		log_kv(LOG_ERROR, "an R_IDEMPOTENT route answered without tx_run_or_reply: its key was not honoured",
		       "route", found->pattern, NULL);
	if (!req->answered) {
		log_kv(LOG_ERROR, "handler did not answer", "route", found->pattern, NULL);
		http_problem(req, 500, "internal", "the request could not be completed");
	}
}

/* Percent-decodes a request path (CivetWeb is told not to, so that nothing is decoded twice and
 * a %00 cannot cut a path short: /api/v1/me%00.json must not be /api/v1/me). -1 for a bad escape
 * or an encoded NUL or control character, -2 for a path longer than out. */
static int path_decode(const char *in, char *out, size_t outlen)
{
	size_t k = 0;
	for (const char *p = in; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '%') {
			int hi = crypto_hex_value(p[1]), lo = hi < 0 ? -1 : crypto_hex_value(p[2]);
			if (lo < 0)
				return -1;
			c = (unsigned char)(hi * 16 + lo);
			p += 2;
		}
		if (c < 0x20 || c == 0x7F)
			return -1;
		if (k + 1 >= outlen)
			return -2;
		out[k++] = (char)c;
	}
	out[k] = 0;
	return 0;
}

/* RFC 9112 §6.3: a request whose length two parties could read differently is refused (and its
 * connection closed: keep_alive says so for a 400), or a proxy in front and this server would
 * disagree on where the next request starts (request smuggling). CivetWeb itself reads only the
 * first Content-Length, takes "+5" and "5abc" as 5, lets Transfer-Encoding silently win over a
 * Content-Length, and keeps the first MG_MAX_HEADERS fields, ignoring any after them. */
typedef struct framing_fault {
	int status;
	const char *code, *detail;
} framing_fault;

/* 1*DIGIT, then optional trailing whitespace (RFC 9110 §5.5 OWS); *digits gets its length. */
static int length_value_ok(const char *v, size_t *digits)
{
	size_t n = strspn(v, "0123456789");
	*digits = n;
	return n > 0 && v[n + strspn(v + n, " \t")] == 0;
}

static int same_length(const char *a, size_t an, const char *b, size_t bn)
{
	while (an > 1 && *a == '0')
		a++, an--;
	while (bn > 1 && *b == '0')
		b++, bn--;
	return an == bn && !memcmp(a, b, an);
}

static const framing_fault *framing_check(const struct mg_request_info *ri)
{
	static const framing_fault too_many = { 431, "too_many_headers",
		                                "the request has more header fields than this server reads" };
	static const framing_fault bad_length = { 400, "invalid_content_length",
		                                  "Content-Length must be one decimal number" };
	static const framing_fault two_lengths = { 400, "conflicting_content_length",
		                                   "the request has Content-Length fields with different values" };
	static const framing_fault both = { 400, "content_length_with_transfer_encoding",
		                            "the request has both Content-Length and Transfer-Encoding; send one" };
	static const framing_fault bad_te = { 400, "invalid_transfer_encoding",
		                              "Transfer-Encoding must be chunked, sent once" };
	if (ri->num_headers >= MG_MAX_HEADERS)
		return &too_many; /* a field CivetWeb dropped could be a Content-Length */
	const char *len = NULL;
	size_t len_digits = 0;
	int te = 0;
	const char *te_value = NULL;
	for (int i = 0; i < ri->num_headers; i++) {
		const char *name = ri->http_headers[i].name, *v = ri->http_headers[i].value;
		if (!strcasecmp(name, "Transfer-Encoding")) {
			te++;
			te_value = v;
			continue;
		}
		if (strcasecmp(name, "Content-Length"))
			continue;
		size_t n;
		if (!length_value_ok(v, &n))
			return &bad_length;
		if (len && !same_length(len, len_digits, v, n))
			return &two_lengths;
		len = v;
		len_digits = n;
	}
	if (te && len)
		return &both;
	if (te > 1 || (te && strcasecmp(te_value, "chunked")))
		return &bad_te;
	return NULL;
}

static int begin_request(struct mg_connection *conn)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	http_req req;
	memset(&req, 0, sizeof req);
	req.conn = conn;
	req.ri = ri;
	req.method = ri->request_method;
	char path[HTTP_PATH_MAX + 1];
	int path_rc = path_decode(ri->local_uri ? ri->local_uri : "/", path, sizeof path);
	int bad_path = path_rc == -1;
	req.path = path_rc ? "/" : path;
	req.route_index = -1;
	req.started = clock_now();
	atomic_fetch_add(&m_in_flight, 1);
	snprintf(req.client_ip, sizeof req.client_ip, "%s", ri->remote_addr);
	const char *rid = mg_get_header(conn, "X-Request-Id");
	if (rid && valid_request_id(rid)) {
		snprintf(req.request_id, sizeof req.request_id, "%s", rid);
	} else {
		request_id_new(req.request_id);
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	/* The headers are in: until the body is read, the socket waits on nothing. */
	worker.io_deadline = 0;
	worker.phase = PHASE_ANSWER;
	worker.close = 0;
	if (worker.admit_pending) /* every read so far was served from buffers (TLS) */
		admit(ri->remote_addr);

	const framing_fault *fault = framing_check(ri);
	if (worker.refused) {
		http_problem_hdr(
		        &req, 429, "too_many_connections", "Retry-After: 1\r\n",
		        "this address holds %d connections already, the most one address may; reuse or close them",
		        lim.max_connections_per_address);
	} else if (fault) {
		http_problem(&req, fault->status, fault->code, "%s", fault->detail);
	} else if (atomic_load(&draining)) {
		http_problem_hdr(&req, 503, "shutting_down", "Retry-After: 1\r\n",
		                 "this instance is shutting down; retry (another instance will answer)");
	} else if (bad_path) {
		http_problem(&req, 400, "invalid_path",
		             "the path has a bad percent-escape or an encoded control character");
	} else if (path_rc) {
		http_problem(&req, 404, "not_found", "there is no such resource");
	} else if (!strcmp(req.path, "/")) {
		http_reply_raw(&req, 302, NULL, "", 0, "Location: /admin/\r\n");
		req.route_index = MAX_ROUTES;
	} else if (!strncmp(req.path, "/admin", 6) && (req.path[6] == 0 || req.path[6] == '/')) {
		serve_static(&req);
		req.route_index = MAX_ROUTES;
	} else {
		dispatch(&req);
	}

	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	observe(req.route_index < 0 ? MAX_ROUTES + 1 : req.route_index, req.status, secs);
	log_request(req.request_id, req.method, req.path, req.route ? req.route->pattern : NULL, req.status,
	            secs * 1000.0, req.authed ? req.user.username : NULL, req.client_ip);
	atomic_fetch_sub(&m_in_flight, 1);
	cJSON_Delete(req.json);
	if (req.body) {
		crypto_wipe(req.body, req.body_len); /* bodies may hold passwords */
		free(req.body);
	}
	body_give_back(&req);
	/* Workers rotate; a connection each of thousands would exceed the database's own limit. */
	if (db_open_connections() > HTTP_DB_KEPT)
		db_release();
	/* The next request on this connection: idle, CivetWeb closes it after keep_alive_timeout_ms
	 * (header_timeout_ms); its headers are cut a second later, counted. */
	worker.phase = PHASE_HEADERS;
	worker.request_start = mono_ms();
	worker.io_deadline = worker.request_start + lim.header_timeout_ms + 1000;
	return req.status ? req.status : 500;
}

/* --- answers CivetWeb would write itself ------------------------------------------ */
/* Its own errors (malformed request line, headers over max_request_size, a bad version, …) and
 * the requests it reads but drops get the daemon's problem+json and security headers, and close
 * the connection. Which of a connection's requests were answered is told by its user data:
 * conn_live from init_connection, conn_answered once http_error has spoken. */
static char conn_live, conn_answered;

static void civet_problem(struct mg_connection *conn, int status, const char *code, const char *detail)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	/* The request's own id when CivetWeb got as far as its headers, as for every other answer. */
	const char *sent = mg_get_header(conn, "X-Request-Id");
	char rid[65];
	if (sent && valid_request_id(sent))
		snprintf(rid, sizeof rid, "%s", sent);
	else
		request_id_new(rid);
	char body[640];
	int n = snprintf(body, sizeof body,
	                 "{\"type\":\"/problems/%s\",\"title\":\"%s\",\"status\":%d,\"code\":\"%s\","
	                 "\"detail\":\"%s\",\"request_id\":\"%s\"}",
	                 code, reason(status), status, code, detail, rid);
	char date[40];
	time_t secs = (time_t)(clock_now() / USEC_PER_SEC);
	struct tm tm;
	gmtime_r(&secs, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	mg_printf(conn,
	          "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: " HTTP_PROBLEM_TYPE "\r\nContent-Length: %d\r\n"
	          "X-Request-Id: %s\r\nX-Content-Type-Options: nosniff\r\n" HTTP_API_HEADERS
	          "%sConnection: close\r\n\r\n%s",
	          status, reason(status), date, n, rid,
	          ri && ri->is_ssl ? "Strict-Transport-Security: max-age=31536000\r\n" : "", body);
	mg_disable_connection_keep_alive(conn);
	mg_set_user_connection_data(conn, &conn_answered);
	observe(MAX_ROUTES + 1, status, 0);
	char st[8];
	snprintf(st, sizeof st, "%d", status);
	log_kv(LOG_INFO, "request refused before routing", "request_id", rid, "status", st, "code", code, "client",
	       ri ? ri->remote_addr : "", NULL);
}

/* CivetWeb refuses a well-formed request line whose method it does not know (TRACE, made-up
 * ones) or whose target it cannot route (CONNECT host:port) as 400. RFC 9110 §15.6.2: a method
 * the server does not implement is 501. Only the six methods routes use count as implemented;
 * CivetWeb's parser had reached the version (now "1.1") when the method check failed. */
static int method_not_implemented(struct mg_connection *conn)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	if (!ri || !ri->request_method || !ri->request_uri || !ri->http_version || !*ri->request_method)
		return 0;
	const char *v = ri->http_version;
	if (!(v[0] >= '0' && v[0] <= '9' && v[1] == '.' && v[2] >= '0' && v[2] <= '9' && !v[3]))
		return 0;
	/* RFC 9110 §5.6.2 token characters */
	if (strspn(ri->request_method, "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                               "abcdefghijklmnopqrstuvwxyz") != strlen(ri->request_method))
		return 0;
	static const char *const served[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE" };
	for (size_t i = 0; i < sizeof served / sizeof served[0]; i++)
		if (!strcmp(ri->request_method, served[i]))
			return 0;
	return 1;
}

/* Errors CivetWeb raises itself (malformed request line, headers over max_request_size, …)
 * are answered as problem+json too, and the connection is closed. */
static int http_error(struct mg_connection *conn, int status, const char *msg)
{
	(void)msg; /* CivetWeb's text may quote the request; never echo it */
	if (status < 400 || status > 599)
		status = 400;
	if (status == 400 && method_not_implemented(conn))
		status = 501;
	/* CivetWeb answers 411 itself only for a Content-Length it cannot read ("abc", "-5"): a bad
	 * request, not a missing length. */
	if (status == 411)
		status = 400;
	if (worker.refused) {
		civet_problem(conn, 429, "too_many_connections",
		              "this address holds as many connections as one address may; reuse or close them");
		return 0;
	}
	/* The header deadline cut a request short (a closed idle connection says nothing). */
	if (worker.expired && worker.phase == PHASE_HEADERS) {
		civet_problem(conn, 408, "request_timeout", "the request's headers did not arrive in time");
		return 0;
	}
	const char *code = status == 413 || status == 431 ? "request_too_large"
	                   : status == 408                ? "request_timeout"
	                   : status == 505                ? "http_version_not_supported"
	                   : status == 501                ? "method_not_implemented"
	                   : status >= 500                ? "internal"
	                                                  : "bad_request";
	civet_problem(conn, status, code,
	              status == 501 ? "this server does not implement the request's method"
	                            : "the request could not be read as HTTP/1.1 within the limits");
	return 0;
}

/* A connection closed while its client still sends (a late body, a refused one) would be reset
 * (RST) by the close, and the client could lose the answer it was sent: what has arrived is read
 * and dropped first. */
static void drain_input(void)
{
	char sink[4096];
	for (int i = 0; i < 64; i++)
		if (recv(worker.fd, sink, sizeof sink, MSG_DONTWAIT) <= 0)
			break;
}

static void conn_forget(void)
{
	if (worker.counted)
		addr_release(worker.addr);
	if (worker.open)
		atomic_fetch_sub(&m_conns_open, 1);
	memset(&worker, 0, sizeof worker);
}

/* A new connection on this worker: the header deadline starts, and its address is to be counted
 * at its first wait (admit). */
static int init_connection(const struct mg_connection *conn, void **conn_data)
{
	(void)conn; /* CivetWeb has not filled its request info yet: the address comes with the first wait */
	conn_forget();
	worker.request_start = mono_ms();
	worker.io_deadline = worker.request_start + lim.header_timeout_ms;
	worker.phase = PHASE_HEADERS;
	worker.open = 1;
	atomic_fetch_add(&m_conns_open, 1);
	*conn_data = &conn_live;
	worker.admit_pending = lim.max_connections_per_address > 0;
	return 0;
}

/* CivetWeb reads some requests and closes without a word: an absolute-form target naming another
 * port than the listener's (http://api.example.cn/x on :8080; one naming this port is routed by
 * its path) and the asterisk form (OPTIONS *). The client is told why instead. */
static void connection_close(const struct mg_connection *conn)
{
	const struct mg_request_info *ri = mg_get_request_info(conn);
	if (mg_get_user_connection_data(conn) == &conn_live && ri && ri->request_method && ri->request_uri &&
	    !ri->local_uri) {
		/* The connection is still open; CivetWeb hands this callback a const pointer only because
		 * it expects no writes. */
		civet_problem((struct mg_connection *)conn, 400, "unroutable_target",
		              "the request target names another server or port, or is *; send the path itself "
		              "(GET /healthz) with a Host header");
	}
	if (worker.fd > 0 && (worker.expired || worker.refused || worker.close))
		drain_input();
	conn_forget();
}

static void exit_thread(const struct mg_context *c, int thread_type, void *user_ptr)
{
	(void)c;
	(void)thread_type;
	(void)user_ptr;
	db_release();
}

static int log_message(const struct mg_connection *conn, const char *message)
{
	(void)conn;
	log_kv(LOG_WARN, "http", "detail", message, NULL);
	return 1;
}

/* The process's memory: bodies of 128 KiB and more get pages of their own, given back when
 * freed (glibc would otherwise raise that threshold after the first such free and serve later
 * bodies from heaps it keeps); at most four heaps, however many workers (glibc's default is
 * eight per core, each keeping its own freed memory). */
static void memory_settings(void)
{
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
	mallopt(M_ARENA_MAX, 4);
}

/* Each connection is a descriptor, each worker an event descriptor besides: the soft limit
 * (often 1024) goes up to the hard one. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int http_start(const http_options *o, char *err, size_t errlen)
{
	opts = *o;
	lim.header_timeout_ms = cfg.header_timeout_ms;
	lim.body_min_rate = cfg.body_min_rate;
	lim.request_deadline_ms = cfg.request_deadline_ms;
	lim.max_connections_per_address = cfg.max_connections_per_address;
	lim.body_memory = cfg.body_memory;
	if (lim.body_min_rate < 1 || lim.header_timeout_ms < 1 || lim.request_deadline_ms < 1 || lim.body_memory < 1) {
		snprintf(err, errlen,
		         "http: header_timeout_ms, body_min_rate, request_deadline_ms and body_memory must be set");
		return -1;
	}
	memory_settings();
	raise_fd_limit();
	size_t cap = 16;
	while (cap < 2 * (size_t)opts.threads)
		cap <<= 1;
	free(addr_table);
	addr_table = calloc(cap, sizeof *addr_table);
	if (!addr_table) {
		snprintf(err, errlen, "http: no memory for the connection table");
		return -1;
	}
	addr_mask = cap - 1;
	nroutes = 0;
	while (opts.routes[nroutes].method)
		nroutes++;
	if (nroutes > MAX_ROUTES) {
		snprintf(err, errlen, "too many routes (%d > %d)", nroutes, MAX_ROUTES);
		return -1;
	}
	/* CivetWeb wants "127.0.0.1:8080,127.0.0.1:8443s" — the same syntax as ours. */
	char threads[16], timeout[16];
	snprintf(threads, sizeof threads, "%d", opts.threads);
	snprintf(timeout, sizeof timeout, "%d", opts.request_timeout_ms);
	int https = strchr(opts.listen, 's') != NULL;
	const char *options[40];
	int k = 0;
	options[k++] = "listening_ports";
	options[k++] = opts.listen;
	options[k++] = "num_threads";
	options[k++] = threads;
	options[k++] = "enable_keep_alive";
	options[k++] = "yes";
	/* An idle kept-alive connection holds a worker (18 KiB of memory: there are thousands, and an
	 * address holds max_connections_per_address at most) as long as a new one may take to send
	 * its headers; CivetWeb closes it without a word, a second before the header deadline would. */
	char keep_alive_ms[16];
	snprintf(keep_alive_ms, sizeof keep_alive_ms, "%d", lim.header_timeout_ms);
	options[k++] = "keep_alive_timeout_ms";
	options[k++] = keep_alive_ms;
	options[k++] = "listen_backlog";
	options[k++] = "1024"; /* bursts wait in the kernel while every worker is busy */
	options[k++] = "tcp_nodelay";
	options[k++] = "1"; /* without it keep-alive costs ~40 ms per request (Nagle + delayed ACK) */
	options[k++] = "request_timeout_ms";
	options[k++] = timeout;
	options[k++] = "max_request_size";
	options[k++] = "32768"; /* headers only; bodies are limited in read_body */
	options[k++] = "decode_url";
	options[k++] = "no"; /* begin_request decodes, refusing what would cut a path short */
	/* RFC 9112 §3.2.2: an absolute-form target (GET http://host:port/path) is served by its path.
	 * With the check on, CivetWeb drops every one whose host is not "authentication_domain". */
	options[k++] = "enable_auth_domain_check";
	options[k++] = "no";
	if (https) {
		options[k++] = "ssl_certificate";
		options[k++] = opts.tls_cert;
		options[k++] = "ssl_protocol_version";
		options[k++] = "4"; /* TLS 1.2 and newer only */
		options[k++] = "ssl_cipher_list";
		options[k++] = "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM";
		options[k++] = "ssl_short_trust";
		options[k++] = "no";
	}
	options[k] = NULL;

	mg_init_library(https ? MG_FEATURES_TLS : 0);
	struct mg_callbacks cb;
	memset(&cb, 0, sizeof cb);
	cb.begin_request = begin_request;
	cb.exit_thread = exit_thread;
	cb.log_message = log_message;
	cb.http_error = http_error;
	cb.init_connection = init_connection;
	cb.connection_close = connection_close;
	struct mg_init_data init = { &cb, NULL, options };
	struct mg_error_data ed;
	char ebuf[512] = "";
	memset(&ed, 0, sizeof ed);
	ed.text = ebuf;
	ed.text_buffer_size = sizeof ebuf;
	ctx = mg_start2(&init, &ed);
	if (!ctx) {
		snprintf(err, errlen, "cannot start HTTP listeners on %s: %s", opts.listen,
		         *ebuf ? ebuf : "unknown error");
		return -1;
	}
	return 0;
}

/* CivetWeb stops writing as soon as mg_stop begins, so in-flight requests are drained first:
 * new requests get 503 + Connection: close while the running ones finish. */
void http_drain(int timeout_ms)
{
	atomic_store(&draining, 1);
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		/* this thread is not a request; every in-flight request is someone else's */
		if (atomic_load(&m_in_flight) == 0)
			return;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	log_kv(LOG_WARN, "requests still running after the drain timeout", NULL);
}

void http_stop(void)
{
	if (ctx) {
		mg_stop(ctx);
		ctx = NULL;
	}
	mg_exit_library();
}

/* --- metrics text ------------------------------------------------------------------------------ */

/* Every route with every status, route names of 300 bytes, stays under 2 MiB. */
#define METRICS_MAX (4u << 20)

char *http_metrics_render(void)
{
	dynbuf b;
	buf_init(&b, METRICS_MAX);
	buf_addf(&b, "# HELP sanzhi_http_requests_total HTTP requests by route and status.\n"
	             "# TYPE sanzhi_http_requests_total counter\n");
	for (int r = 0; r < nroutes + 2; r++) {
		char name[300];
		if (r < nroutes)
			snprintf(name, sizeof name, "%s %s", opts.routes[r].method, opts.routes[r].pattern);
		else
			snprintf(name, sizeof name, "%s", r == nroutes ? "static" : "unmatched");
		int ri = r < nroutes ? r : (r == nroutes ? MAX_ROUTES : MAX_ROUTES + 1);
		for (int s = 0; s <= NSTATUS; s++) {
			unsigned long long v = atomic_load(&m_requests[ri][s]);
			if (!v)
				continue;
			if (s < NSTATUS)
				buf_addf(&b, "sanzhi_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n", name,
				         tracked_status[s], v);
			else
				buf_addf(&b, "sanzhi_http_requests_total{route=\"%s\",status=\"other\"} %llu\n", name,
				         v);
		}
	}
	buf_addf(&b, "# HELP sanzhi_http_request_duration_seconds Request latency.\n"
	             "# TYPE sanzhi_http_request_duration_seconds histogram\n");
	unsigned long long cum = 0;
	for (int i = 0; i < NBUCKETS; i++) {
		cum += atomic_load(&m_latency[i]);
		buf_addf(&b, "sanzhi_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", buckets[i], cum);
	}
	cum += atomic_load(&m_latency[NBUCKETS]);
	buf_addf(&b, "sanzhi_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
	buf_addf(&b, "sanzhi_http_request_duration_seconds_sum %.6f\n", (double)atomic_load(&m_latency_sum_us) / 1e6);
	buf_addf(&b, "sanzhi_http_request_duration_seconds_count %llu\n", atomic_load(&m_latency_count));
	buf_addf(&b,
	         "# HELP sanzhi_http_errors_total Responses with a 5xx status.\n"
	         "# TYPE sanzhi_http_errors_total counter\nsanzhi_http_errors_total %llu\n",
	         atomic_load(&m_errors_5xx));
	buf_addf(&b,
	         "# HELP sanzhi_http_in_flight Requests being served.\n"
	         "# TYPE sanzhi_http_in_flight gauge\nsanzhi_http_in_flight %llu\n",
	         atomic_load(&m_in_flight));
	buf_addf(&b,
	         "# HELP sanzhi_http_connections Open client connections that hold a worker.\n"
	         "# TYPE sanzhi_http_connections gauge\nsanzhi_http_connections %lld\n"
	         "# HELP sanzhi_http_workers Worker threads (threads): connections beyond them wait.\n"
	         "# TYPE sanzhi_http_workers gauge\nsanzhi_http_workers %d\n"
	         "# HELP sanzhi_http_connections_refused_total Connections answered 429 and closed because their "
	         "address held max_connections_per_address already.\n"
	         "# TYPE sanzhi_http_connections_refused_total counter\n"
	         "sanzhi_http_connections_refused_total{reason=\"per_address\"} %llu\n",
	         (long long)atomic_load(&m_conns_open), opts.threads, atomic_load(&m_conn_refused));
	buf_addf(&b,
	         "# HELP sanzhi_http_keepalive_shed_total Answers that closed their connection because every worker "
	         "held one: a client waiting for a worker gets one.\n"
	         "# TYPE sanzhi_http_keepalive_shed_total counter\nsanzhi_http_keepalive_shed_total %llu\n",
	         atomic_load(&m_keepalive_shed));
	buf_addf(&b, "# HELP sanzhi_http_timeouts_total Connections cut by a deadline, by what was late: the headers "
	             "(header_timeout_ms), the body (body_min_rate, request_deadline_ms) or the answer.\n"
	             "# TYPE sanzhi_http_timeouts_total counter\n");
	for (int i = 0; i < NPHASES; i++)
		buf_addf(&b, "sanzhi_http_timeouts_total{phase=\"%s\"} %llu\n", phase_names[i],
		         atomic_load(&m_timeouts[i]));
	buf_addf(&b,
	         "# HELP sanzhi_http_body_bytes Bytes request bodies and their parsed JSON hold (budget body_memory).\n"
	         "# TYPE sanzhi_http_body_bytes gauge\nsanzhi_http_body_bytes %lld\n"
	         "# HELP sanzhi_http_body_refused_total Requests answered 503 because body_memory was spent.\n"
	         "# TYPE sanzhi_http_body_refused_total counter\nsanzhi_http_body_refused_total %llu\n",
	         (long long)atomic_load(&m_body_bytes), atomic_load(&m_body_refused));
	buf_addf(&b,
	         "# HELP sanzhi_db_connections Open database connections.\n"
	         "# TYPE sanzhi_db_connections gauge\nsanzhi_db_connections %d\n",
	         db_open_connections());
	unsigned long long retries, gave_up;
	db_tx_stats(&retries, &gave_up);
	buf_addf(&b,
	         "# HELP sanzhi_db_tx_retries_total Transactions run again after a deadlock, lock wait timeout or "
	         "Galera certification conflict.\n"
	         "# TYPE sanzhi_db_tx_retries_total counter\nsanzhi_db_tx_retries_total %llu\n"
	         "# HELP sanzhi_db_tx_gave_up_total Transactions that still conflicted on their last attempt.\n"
	         "# TYPE sanzhi_db_tx_gave_up_total counter\nsanzhi_db_tx_gave_up_total %llu\n",
	         retries, gave_up);
	uint64_t hits, misses;
	size_t bytes;
	cache_stats(&hits, &misses, &bytes);
	buf_addf(&b,
	         "# HELP sanzhi_cache_lookups_total Profile cache lookups by result.\n"
	         "# TYPE sanzhi_cache_lookups_total counter\n"
	         "sanzhi_cache_lookups_total{result=\"hit\"} %llu\nsanzhi_cache_lookups_total{result=\"miss\"} %llu\n"
	         "# HELP sanzhi_cache_bytes Bytes of rendered answers held by the profile cache.\n"
	         "# TYPE sanzhi_cache_bytes gauge\nsanzhi_cache_bytes %zu\n",
	         (unsigned long long)hits, (unsigned long long)misses, bytes);
	/* Any failure (memory, the maximum) fails the whole text: a scraper must never read a
	 * truncated one as complete. */
	return buf_take(&b, NULL);
}

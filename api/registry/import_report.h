/* import_report.h — what `sanzhid import orgs` tells its operator: the progress of each phase
 * on stderr (a bar on a terminal, a line every 5 s otherwise), and the bad rows, each with its
 * line number and reason, collected from every thread and printed in line order. */
#ifndef SANZHI_IMPORT_REPORT_H
#define SANZHI_IMPORT_REPORT_H

#include <pthread.h>
#include <stddef.h>

typedef struct progress {
	int tty;
	const char *phase;
	long total;
	double t0, last;
} progress;

/* Seconds on the monotonic clock. */
double import_now(void);
void progress_start(progress *p, const char *phase, long total);
/* done rows of the phase, fraction of it; final ends the line. Shown at most every so often. */
void progress_show(progress *p, long done, double fraction, int final);

typedef struct bad_row {
	long line;
	char *why;
} bad_row;

/* Thread-safe once mu is initialised. */
typedef struct bad_list {
	bad_row *rows;
	size_t n, cap;
	pthread_mutex_t mu;
} bad_list;

/* Records line's reason ("code: message"). 0, or -1 out of memory. */
int bad_add(bad_list *b, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prints the first limit rows in line order ("line N: why") on stderr. */
void bad_print(bad_list *bl, size_t limit);
void bad_free(bad_list *bl);

#endif

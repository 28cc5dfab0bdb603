/* import_report.c — progress and bad rows of the importer (see import_report.h). */
#include "import_report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int bad_add(bad_list *b, long line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&b->mu);
	int rc = 0;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		bad_row *nr = realloc(b->rows, cap * sizeof *nr);
		if (!nr) {
			rc = -1;
			goto out;
		}
		b->rows = nr;
		b->cap = cap;
	}
	b->rows[b->n].line = line;
	b->rows[b->n].why = strdup(msg);
	if (!b->rows[b->n].why) {
		rc = -1;
		goto out;
	}
	b->n++;
out:
	pthread_mutex_unlock(&b->mu);
	return rc;
}

static int bad_cmp(const void *a, const void *b)
{
	long x = ((const bad_row *)a)->line, y = ((const bad_row *)b)->line;
	return x < y ? -1 : x > y;
}

double import_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_start(progress *p, const char *phase, long total)
{
	p->phase = phase;
	p->total = total;
	p->t0 = p->last = import_now();
}

void progress_show(progress *p, long done, double fraction, int final)
{
	double t = import_now();
	if (!final && t - p->last < (p->tty ? 0.1 : 5.0))
		return;
	p->last = t;
	double el = t - p->t0;
	double rate = el > 0 ? (double)done / el : 0;
	int pct = (int)(100.0 * fraction);
	if (pct > 100)
		pct = 100;
	char of[32] = "";
	if (p->total > 0)
		snprintf(of, sizeof of, "/%ld", p->total);
	if (p->tty) {
		char bar[31];
		int fill = pct * 30 / 100;
		for (int i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = 0;
		fprintf(stderr, "\r%-10s [%s] %3d%% %ld%s rows %.0f rows/s %.1fs \033[K%s", p->phase, bar, pct, done,
		        of, rate, el, final ? "\n" : "");
	} else {
		fprintf(stderr, "%s: %ld%s rows (%d%%), %.0f rows/s, %.1fs\n", p->phase, done, of, pct, rate, el);
	}
	fflush(stderr);
}

void bad_print(bad_list *bl, size_t limit)
{
	if (bl->n)
		qsort(bl->rows, bl->n, sizeof *bl->rows, bad_cmp);
	for (size_t i = 0; i < bl->n && i < limit; i++)
		fprintf(stderr, "line %ld: %s\n", bl->rows[i].line, bl->rows[i].why);
}

void bad_free(bad_list *bl)
{
	for (size_t i = 0; i < bl->n; i++)
		free(bl->rows[i].why);
	free(bl->rows);
	bl->rows = NULL;
	bl->n = bl->cap = 0;
}

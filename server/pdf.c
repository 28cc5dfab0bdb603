/* pdf.c — A4 documents in memory: Pango lays out, Cairo writes, libqrencode gives QR modules
 * (see pdf.h). The page is measured in millimetres: the Cairo context is scaled from points, and
 * Pango's resolution is 25.4 units per inch, so a 12-point font is 12 points on paper. */
#include "pdf.h"
#include "buf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PT_PER_MM (72.0 / 25.4)
#define PDF_MAX (32u << 20) /* a notice of 100 long items is well under 1 MiB */
#define QR_QUIET 4          /* ISO/IEC 18004: four modules of white around the symbol */

struct pdf {
	cairo_t *cr;
	PangoContext *ctx;
	double y; /* the position, millimetres from the top */
	int page; /* pages begun before this one */
};

#ifdef __SANITIZE_ADDRESS__
/* LeakSanitizer's hook (the ASan build: make test SAN=1). Cairo 1.16 (Debian 12) leaks one
 * internal array of its PDF backend per document that embeds a CFF font, inside
 * cairo_surface_finish (768 bytes; everything of ours is destroyed, and pdf_cleanup frees Cairo's
 * and fontconfig's caches). The library has no frame pointers, so the leak's stack ends in it and
 * can only be named by the library. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libcairo.so.2\n";
}
/* Without a report of the suppressions used: a run with no leak writes no report. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
#endif

/* Pango's font maps are not thread-safe: one map, one document at a time. */
static pthread_mutex_t pdf_lock = PTHREAD_MUTEX_INITIALIZER;
static PangoFontMap *fontmap;

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int length)
{
	return buf_add(closure, data, length) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

static void new_page(pdf *p)
{
	cairo_show_page(p->cr);
	p->y = PDF_MARGIN_TOP;
	p->page++;
}

/* Rendered documents by key, least recently used out first: rendering the same fields again
 * would give the same bytes, and a render costs a few hundred milliseconds in the daemon (Cairo
 * reads the CJK font's CFF table, megabytes, for each document, and the daemon's fixed
 * M_MMAP_THRESHOLD gives every such buffer fresh pages). Under pdf_lock. */
#define CACHE_SLOTS 128
#define CACHE_BYTES (48u << 20)
static struct {
	char key[64];
	char *doc;
	size_t len;
	unsigned long long used;
} cache[CACHE_SLOTS];
static size_t cache_bytes;
static unsigned long long cache_clock;

/* 1 and a copy of the document cached under key; 0 when none is; -1 out of memory. */
static int cache_get(const char *key, char **out, size_t *len)
{
	for (int i = 0; i < CACHE_SLOTS; i++) {
		if (!cache[i].doc || strcmp(cache[i].key, key))
			continue;
		char *copy = malloc(cache[i].len);
		if (!copy)
			return -1;
		memcpy(copy, cache[i].doc, cache[i].len);
		cache[i].used = ++cache_clock;
		*out = copy;
		*len = cache[i].len;
		return 1;
	}
	return 0;
}

static void cache_drop(int i)
{
	cache_bytes -= cache[i].len;
	free(cache[i].doc);
	cache[i].doc = NULL;
	cache[i].len = 0;
}

static void cache_put(const char *key, const char *doc, size_t len)
{
	if (strlen(key) >= sizeof cache[0].key || len > CACHE_BYTES / 8)
		return;
	char *copy = malloc(len);
	if (!copy)
		return;
	memcpy(copy, doc, len);
	for (;;) {
		int free_slot = -1, oldest = -1;
		for (int i = 0; i < CACHE_SLOTS; i++) {
			if (!cache[i].doc)
				free_slot = free_slot < 0 ? i : free_slot;
			else if (oldest < 0 || cache[i].used < cache[oldest].used)
				oldest = i;
		}
		if (free_slot >= 0 && cache_bytes + len <= CACHE_BYTES) {
			snprintf(cache[free_slot].key, sizeof cache[free_slot].key, "%s", key);
			cache[free_slot].doc = copy;
			cache[free_slot].len = len;
			cache[free_slot].used = ++cache_clock;
			cache_bytes += len;
			return;
		}
		cache_drop(oldest);
	}
}

/* The document itself, under pdf_lock: 0 and its bytes, or -1. */
static int render(const char *title, const char *created, int (*draw)(pdf *p, void *arg), void *arg, char **out,
                  size_t *len)
{
	dynbuf b;
	buf_init(&b, PDF_MAX);
	if (!fontmap)
		fontmap = pango_cairo_font_map_new();
	cairo_surface_t *s =
	        cairo_pdf_surface_create_for_stream(write_out, &b, PDF_PAGE_W * PT_PER_MM, PDF_PAGE_H * PT_PER_MM);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "sanzhi");
	/* The document's own date, so that the same fields always give the same bytes. */
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, created);
	pdf p = { .cr = cairo_create(s), .y = PDF_MARGIN_TOP };
	cairo_scale(p.cr, PT_PER_MM, PT_PER_MM);
	cairo_set_source_rgb(p.cr, 0, 0, 0);
	p.ctx = pango_font_map_create_context(fontmap);
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	pango_cairo_context_set_font_options(p.ctx, fo);
	cairo_font_options_destroy(fo);
	pango_cairo_context_set_resolution(p.ctx, 25.4);
	pango_context_set_round_glyph_positions(p.ctx, FALSE);
	pango_cairo_update_context(p.cr, p.ctx);

	int rc = draw(&p, arg);

	g_object_unref(p.ctx);
	if (cairo_status(p.cr) != CAIRO_STATUS_SUCCESS)
		rc = -1;
	cairo_destroy(p.cr);
	cairo_surface_finish(s);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		rc = -1;
	cairo_surface_destroy(s);
	char *doc = buf_take(&b, len);
	if (rc || !doc) {
		free(doc);
		*len = 0;
		return -1;
	}
	*out = doc;
	return 0;
}

int pdf_render(const char *key, const char *title, const char *created, int (*draw)(pdf *p, void *arg), void *arg,
               char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	pthread_mutex_lock(&pdf_lock);
	int rc = key ? cache_get(key, out, len) : 0;
	if (rc == 0) {
		rc = render(title, created, draw, arg, out, len);
		if (rc == 0 && key)
			cache_put(key, *out, *len);
	}
	pthread_mutex_unlock(&pdf_lock);
	return rc < 0 ? -1 : 0;
}

void pdf_cleanup(void)
{
	pthread_mutex_lock(&pdf_lock);
	for (int i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].doc)
			cache_drop(i);
	if (fontmap) {
		g_object_unref(fontmap);
		fontmap = NULL;
		cairo_debug_reset_static_data();
		FcFini();
	}
	pthread_mutex_unlock(&pdf_lock);
}

/* Shows layout line by line from the position down, at x, breaking pages between lines. */
static void flow(pdf *p, PangoLayout *l, double x)
{
	const double bottom = PDF_PAGE_H - PDF_MARGIN_BOTTOM;
	PangoLayoutIter *it = pango_layout_get_iter(l);
	double y0 = p->y; /* where the layout's top is on this page */
	do {
		PangoRectangle log;
		pango_layout_iter_get_line_extents(it, NULL, &log);
		double top = y0 + (double)log.y / PANGO_SCALE, h = (double)log.height / PANGO_SCALE;
		if (top + h > bottom && top > PDF_MARGIN_TOP + 0.01) {
			new_page(p);
			y0 = PDF_MARGIN_TOP - (double)log.y / PANGO_SCALE;
			top = PDF_MARGIN_TOP;
		}
		cairo_move_to(p->cr, x + (double)log.x / PANGO_SCALE,
		              y0 + (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE);
		pango_cairo_show_layout_line(p->cr, pango_layout_iter_get_line_readonly(it));
		p->y = top + h;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
}

static PangoLayout *layout(pdf *p, const char *font, enum pdf_align align, double w, const char *text)
{
	PangoLayout *l = pango_layout_new(p->ctx);
	PangoFontDescription *fd = pango_font_description_from_string(font);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(l, (int)(w * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, align == PDF_CENTER  ? PANGO_ALIGN_CENTER
	                              : align == PDF_RIGHT ? PANGO_ALIGN_RIGHT
	                                                   : PANGO_ALIGN_LEFT);
	/* Plain text, never markup: the fields are the applicant's words. */
	pango_layout_set_text(l, text ? text : "", -1);
	return l;
}

void pdf_text_in(pdf *p, const char *font, enum pdf_align align, double x, double w, const char *text)
{
	PangoLayout *l = layout(p, font, align, w, text);
	flow(p, l, x);
	g_object_unref(l);
}

void pdf_text(pdf *p, const char *font, enum pdf_align align, const char *text)
{
	pdf_text_in(p, font, align, PDF_MARGIN_X, PDF_PAGE_W - 2 * PDF_MARGIN_X, text);
}

void pdf_field(pdf *p, const char *label, double label_w, const char *value)
{
	const double x = PDF_MARGIN_X, w = PDF_PAGE_W - 2 * PDF_MARGIN_X;
	PangoLayout *v = layout(p, PDF_BODY, PDF_LEFT, w - label_w, value);
	PangoRectangle first;
	PangoLayoutIter *it = pango_layout_get_iter(v);
	pango_layout_iter_get_line_extents(it, NULL, &first);
	pango_layout_iter_free(it);
	/* The label and the value's first line on one page. */
	pdf_need(p, (double)first.height / PANGO_SCALE);
	double y = p->y;
	int page = p->page;
	PangoLayout *k = layout(p, PDF_HEADING, PDF_LEFT, label_w, label);
	flow(p, k, x);
	double after_label = p->y;
	p->y = y;
	flow(p, v, x + label_w);
	if (p->page == page && p->y < after_label)
		p->y = after_label;
	g_object_unref(k);
	g_object_unref(v);
}

void pdf_gap(pdf *p, double mm)
{
	p->y += mm;
}

void pdf_need(pdf *p, double mm)
{
	if (p->y + mm > PDF_PAGE_H - PDF_MARGIN_BOTTOM && p->y > PDF_MARGIN_TOP + 0.01)
		new_page(p);
}

double pdf_y(const pdf *p)
{
	return p->y;
}

void pdf_set_y(pdf *p, double y)
{
	p->y = y;
}

void pdf_color(pdf *p, double r, double g, double b)
{
	cairo_set_source_rgb(p->cr, r, g, b);
}

void pdf_rule(pdf *p, double width_mm)
{
	cairo_set_line_width(p->cr, width_mm);
	cairo_move_to(p->cr, PDF_MARGIN_X, p->y);
	cairo_line_to(p->cr, PDF_PAGE_W - PDF_MARGIN_X, p->y);
	cairo_stroke(p->cr);
	p->y += width_mm;
}

int pdf_qr(pdf *p, double x, double size, const char *text)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return -1;
	int n = q->width;
	double m = size / (n + 2 * QR_QUIET);
	pdf_need(p, size);
	double y = p->y;
	cairo_save(p->cr);
	cairo_set_source_rgb(p->cr, 1, 1, 1);
	cairo_rectangle(p->cr, x, y, size, size);
	cairo_fill(p->cr);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	/* Runs of dark modules as one rectangle each: fewer seams when the page is rasterized. */
	for (int r = 0; r < n; r++) {
		const unsigned char *row = q->data + (size_t)r * (size_t)n;
		for (int c = 0; c < n;) {
			if (!(row[c] & 1)) {
				c++;
				continue;
			}
			int start = c;
			while (c < n && (row[c] & 1))
				c++;
			cairo_rectangle(p->cr, x + (QR_QUIET + start) * m, y + (QR_QUIET + r) * m, (c - start) * m, m);
		}
	}
	cairo_fill(p->cr);
	cairo_restore(p->cr);
	QRcode_free(q);
	p->y = y + size;
	return 0;
}

/* pdf.h — A4 documents with Chinese text, made in memory: Pango lays the text out (a CJK font of
 * fonts-noto-cjk, a subset embedded with its ToUnicode map, so the text can be searched and
 * copied), Cairo writes the PDF; QR codes are drawn as vector squares (libqrencode).
 *
 *     static int draw(pdf *p, void *arg)
 *     {
 *         pdf_text(p, PDF_TITLE, PDF_CENTER, "受理通知书");
 *         pdf_gap(p, 6);
 *         pdf_text(p, PDF_BODY, PDF_LEFT, body);
 *         return 0;
 *     }
 *     char *doc; size_t len;
 *     pdf_render("notice:17", "受理通知书", "2026-12-03T02:00:00Z", draw, arg, &doc, &len);   // free(doc)
 *
 * The same input gives the same bytes: the creation date is the caller's, never the time of the
 * rendering, and hinting is off so that glyph positions do not depend on a rasterizer's state.
 * Documents are rendered one at a time (Pango's font map is not thread-safe), a few hundred
 * milliseconds each in the daemon; the latest are kept (48 MiB at most) by the key they are made
 * from. */
#ifndef SANZHI_PDF_H
#define SANZHI_PDF_H

#include <stddef.h>

typedef struct pdf pdf;

/* Fonts (Pango descriptions): Noto Sans CJK SC (fonts-noto-cjk), sizes in points. */
#define PDF_FONT "Noto Sans CJK SC"
#define PDF_TITLE PDF_FONT " Bold 20"
#define PDF_HEADING PDF_FONT " Bold 13"
#define PDF_BODY PDF_FONT " 12"
#define PDF_SMALL PDF_FONT " 9.5"

enum pdf_align { PDF_LEFT, PDF_CENTER, PDF_RIGHT };

/* A4 in millimetres and the text area's margins. */
#define PDF_PAGE_W 210.0
#define PDF_PAGE_H 297.0
#define PDF_MARGIN_X 25.0
#define PDF_MARGIN_TOP 28.0
#define PDF_MARGIN_BOTTOM 25.0

/* Renders a document: draw fills it (0, or -1 to give up). title and created (ISO 8601,
 * YYYY-MM-DDThh:mm:ssZ) go into the document's metadata. key (at most 63 bytes; NULL: none) names
 * what the document is made from — the same key must always give the same document: a cache of
 * the latest documents answers it without rendering again. 0 and *out (malloc'd) of *len bytes;
 * -1 on failure (draw's, out of memory, a font or Cairo error). */
int pdf_render(const char *key, const char *title, const char *created, int (*draw)(pdf *p, void *arg), void *arg,
               char **out, size_t *len);

/* At exit, once no request runs: frees the font map and the caches of Cairo and fontconfig (so
 * that a leak checker sees only real leaks). */
void pdf_cleanup(void);

/* Text across the text area from the current position down, wrapped at words or characters,
 * continued on a new page when it reaches the bottom margin; the position moves below it. */
void pdf_text(pdf *p, const char *font, enum pdf_align align, const char *text);
/* The same within [x, x + w] millimetres from the page's left edge. */
void pdf_text_in(pdf *p, const char *font, enum pdf_align align, double x, double w, const char *text);
/* "label：value" rows: the label in a column of label_w millimetres, the value wrapped beside it. */
void pdf_field(pdf *p, const char *label, double label_w, const char *value);
/* Moves the position down by mm. */
void pdf_gap(pdf *p, double mm);
/* A new page unless mm millimetres are left above the bottom margin. */
void pdf_need(pdf *p, double mm);
/* The position (millimetres from the top of the page), and moving it on the same page. */
double pdf_y(const pdf *p);
void pdf_set_y(pdf *p, double y);
/* Colour of what follows (0–1 each); black at the start. */
void pdf_color(pdf *p, double r, double g, double b);
/* A rule across the text area at the position, of width mm. */
void pdf_rule(pdf *p, double width_mm);
/* A QR code (level M, byte mode) of text, size millimetres square with its quiet zone, its top
 * left corner at (x, the position); the position moves below it. -1 when text does not fit a QR
 * code. */
int pdf_qr(pdf *p, double x, double size, const char *text);

#endif

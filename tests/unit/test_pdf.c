/* test_pdf.c — documents in memory (server/pdf.c): a PDF with the CJK font embedded, the same
 * bytes for the same input, text that flows onto further pages, QR codes that refuse what does not
 * fit, draw's failure, and the cache of rendered documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf.h"

typedef struct page_args {
	const char *text;
	int repeat;
	const char *qr;
	int qr_rc;
	int calls;
} page_args;

static int draw(pdf *p, void *arg)
{
	page_args *a = arg;
	a->calls++;
	pdf_text(p, PDF_TITLE, PDF_CENTER, "受理通知书");
	for (int i = 0; i < a->repeat; i++)
		pdf_text(p, PDF_BODY, PDF_LEFT, a->text);
	pdf_field(p, "名　　称", 40, "海盐县养老服务协会");
	if (a->qr)
		a->qr_rc = pdf_qr(p, PDF_MARGIN_X, 50, a->qr);
	return 0;
}

static int draw_fails(pdf *p, void *arg)
{
	(void)arg;
	pdf_text(p, PDF_BODY, PDF_LEFT, "x");
	return -1;
}

static size_t count(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle), c = 0;
	for (size_t i = 0; i + k <= n; i++)
		c += !memcmp(hay + i, needle, k);
	return c;
}

static void test_a_pdf_with_the_font_embedded(void **state)
{
	(void)state;
	page_args a = { "你（单位）提交的成立登记申请，申请材料齐全、符合法定形式。", 1, NULL, 0, 0 };
	char *doc = NULL;
	size_t len = 0;
	assert_int_equal(pdf_render(NULL, "受理通知书", "2026-03-02T02:00:00Z", draw, &a, &doc, &len), 0);
	assert_non_null(doc);
	assert_true(len > 1000);
	assert_memory_equal(doc, "%PDF-", 5);
	/* One page; the font's subset is in the file, with its map back to Unicode. */
	assert_int_equal(count(doc, len, "/Type /Page\n") + count(doc, len, "/Type /Page "), 1);
	assert_true(count(doc, len, "NotoSansCJK") > 0);
	assert_true(count(doc, len, "/FontFile3") > 0);
	assert_true(count(doc, len, "/ToUnicode") > 0);
	/* The same input is the same bytes. */
	char *again = NULL;
	size_t len2 = 0;
	assert_int_equal(pdf_render(NULL, "受理通知书", "2026-03-02T02:00:00Z", draw, &a, &again, &len2), 0);
	assert_int_equal(len2, len);
	assert_memory_equal(again, doc, len);
	free(again);
	free(doc);
}

static void test_long_text_flows_onto_more_pages(void **state)
{
	(void)state;
	page_args a = { "补正告知书的每一项都要列出，一次告知需要补正的全部内容，并注明告知日期。", 200, NULL, 0, 0 };
	char *doc = NULL;
	size_t len = 0;
	assert_int_equal(pdf_render(NULL, "补正告知书", "2026-03-02T02:00:00Z", draw, &a, &doc, &len), 0);
	assert_true(count(doc, len, "/Count ") > 0);
	size_t pages = count(doc, len, "/Type /Page\n") + count(doc, len, "/Type /Page ");
	assert_true(pages >= 4);
	free(doc);
}

static void test_qr_codes(void **state)
{
	(void)state;
	page_args a = { "证书", 1, "SZC1.abc.def", -2, 0 };
	char *doc = NULL;
	size_t len = 0;
	assert_int_equal(pdf_render(NULL, "证书", "2026-03-02T02:00:00Z", draw, &a, &doc, &len), 0);
	assert_int_equal(a.qr_rc, 0);
	free(doc);
	/* More than a version-40 symbol holds (2,331 bytes at level M): refused, not truncated. */
	char *big = malloc(4001);
	memset(big, 'x', 4000);
	big[4000] = 0;
	a.qr = big;
	assert_int_equal(pdf_render(NULL, "证书", "2026-03-02T02:00:00Z", draw, &a, &doc, &len), 0);
	assert_int_equal(a.qr_rc, -1);
	free(doc);
	free(big);
}

static void test_draw_failure_is_no_document(void **state)
{
	(void)state;
	char *doc = (char *)1;
	size_t len = 7;
	assert_int_equal(pdf_render("fails", "x", "2026-03-02T02:00:00Z", draw_fails, NULL, &doc, &len), -1);
	assert_null(doc);
	assert_int_equal(len, 0);
}

static void test_the_cache_answers_a_key_without_drawing(void **state)
{
	(void)state;
	page_args a = { "准予登记", 1, NULL, 0, 0 };
	char *one = NULL, *two = NULL, *other = NULL;
	size_t n1 = 0, n2 = 0, n3 = 0;
	assert_int_equal(pdf_render("notice:1", "准予登记决定书", "2026-03-02T02:00:00Z", draw, &a, &one, &n1), 0);
	assert_int_equal(a.calls, 1);
	assert_int_equal(pdf_render("notice:1", "准予登记决定书", "2026-03-02T02:00:00Z", draw, &a, &two, &n2), 0);
	assert_int_equal(a.calls, 1);
	assert_int_equal(n2, n1);
	assert_memory_equal(two, one, n1);
	assert_ptr_not_equal(two, one); /* each caller owns its copy */
	assert_int_equal(pdf_render("notice:2", "准予登记决定书", "2026-03-02T02:00:00Z", draw, &a, &other, &n3), 0);
	assert_int_equal(a.calls, 2);
	/* A failed render is not cached: the key renders again. */
	char *doc = NULL;
	size_t len = 0;
	assert_int_equal(pdf_render("notice:3", "x", "2026-03-02T02:00:00Z", draw_fails, NULL, &doc, &len), -1);
	assert_int_equal(pdf_render("notice:3", "x", "2026-03-02T02:00:00Z", draw, &a, &doc, &len), 0);
	assert_int_equal(a.calls, 3);
	free(doc);
	free(one);
	free(two);
	free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_pdf_with_the_font_embedded),
		cmocka_unit_test(test_long_text_flows_onto_more_pages),
		cmocka_unit_test(test_qr_codes),
		cmocka_unit_test(test_draw_failure_is_no_document),
		cmocka_unit_test(test_the_cache_answers_a_key_without_drawing),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	pdf_cleanup();
	return rc;
}

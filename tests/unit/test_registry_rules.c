/* test_registry_rules.c — what an establishment or change application must satisfy
 * (api/registry_rules.c, SPEC §4 and Appendix A). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry_rules.h"
#include "rules.h"

/* --- fixtures --------------------------------------------------------------------------- */

#define REP_ID "330424198001011234" /* valid: the Appendix A example */

static const char *const social_group_json =
        "{\"kind\": \"establish\", \"legal_form\": \"social_group\", \"category\": \"community_service\","
        " \"name\": \"海盐县养老服务协会\", \"region_code\": \"330424\", \"domicile\": \"海盐县武原街道新桥北路1号\","
        " \"business_scope\": \"养老服务交流、培训、咨询\", \"activity_area\": \"海盐县\", \"funds_fen\": 3000000,"
        " \"legal_representative\": {\"name\": \"张三\", \"id_number\": \"" REP_ID "\"},"
        " \"members\": {\"individual\": 60, \"unit\": 0},"
        " \"contact\": {\"name\": \"李四\", \"phone\": \"13812345678\", \"email\": \"lisi@example.cn\"}}";

/* A valid resident ID for director number seq: 33042419800101 + 3-digit sequence + check. */
static void director_id(char out[19], int seq)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	snprintf(out, 19, "33042419800101%03u", (unsigned)seq % 1000u);
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = "10X98765432"[sum % 11];
	out[18] = '\0';
}

static cJSON *directors(int n)
{
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; i < n; i++) {
		char id[19], name[32];
		director_id(id, i + 1);
		snprintf(name, sizeof name, "理事%d", i + 1);
		cJSON *d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "name", name);
		cJSON_AddStringToObject(d, "id_number", id);
		cJSON_AddItemToArray(arr, d);
	}
	return arr;
}

static void set(cJSON *obj, const char *key, cJSON *val)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, val);
	else
		cJSON_AddItemToObject(obj, key, val);
}

static void set_str(cJSON *obj, const char *key, const char *s)
{
	set(obj, key, cJSON_CreateString(s));
}

static void set_num(cJSON *obj, const char *key, double x)
{
	set(obj, key, cJSON_CreateNumber(x));
}

static cJSON *sub(cJSON *obj, const char *key)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, key);
	assert_non_null(o);
	return o;
}

static cJSON *social_group(void)
{
	cJSON *app = cJSON_Parse(social_group_json);
	assert_non_null(app);
	return app;
}

static cJSON *foundation(void)
{
	cJSON *app = social_group();
	set_str(app, "legal_form", "foundation");
	set_str(app, "category", "public_welfare");
	set_str(app, "name", "海盐县慈善基金会");
	set_num(app, "funds_fen", 200000000);
	cJSON_DeleteItemFromObjectCaseSensitive(app, "members");
	set(app, "directors", directors(5));
	return app;
}

static cJSON *institution(void)
{
	cJSON *app = social_group();
	set_str(app, "legal_form", "social_service_institution");
	set_str(app, "name", "海盐县养老服务中心");
	set_num(app, "funds_fen", 100000);
	cJSON_DeleteItemFromObjectCaseSensitive(app, "members");
	return app;
}

static void set_members(cJSON *app, double individual, double unit)
{
	cJSON *m = sub(app, "members");
	set_num(m, "individual", individual);
	set_num(m, "unit", unit);
}

/* --- assertions ------------------------------------------------------------------------- */

static const cJSON *find_error(const verr *v, const char *field, const char *code)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, v->list) {
		const char *f = cJSON_GetObjectItemCaseSensitive(e, "field")->valuestring;
		const char *c = cJSON_GetObjectItemCaseSensitive(e, "code")->valuestring;
		if (strcmp(f, field) == 0 && strcmp(c, code) == 0)
			return e;
	}
	return NULL;
}

static void dump(const verr *v)
{
	char *s = v->list ? cJSON_Print(v->list) : NULL;
	if (s)
		print_message("errors: %s\n", s);
	free(s);
}

/* Runs a check and asserts the error list is exactly {field, code} (or empty when field is NULL). */
static void expect(const cJSON *app, int submit, const char *field, const char *code)
{
	verr v = { 0 };
	registry_check_establish(app, submit, &v);
	int ok = field ? v.count == 1 && find_error(&v, field, code) : v.count == 0;
	if (!ok) {
		print_message("expected %s/%s\n", field ? field : "no error", code ? code : "");
		dump(&v);
	}
	assert_true(ok);
	verr_free(&v);
}

/* The message of the single error {field, code}, checked to contain each needle. */
static void expect_message(const cJSON *app, const char *field, const char *code, const char *n1, const char *n2)
{
	verr v = { 0 };
	registry_check_establish(app, 1, &v);
	const cJSON *e = find_error(&v, field, code);
	if (!e)
		dump(&v);
	assert_non_null(e);
	const char *msg = cJSON_GetObjectItemCaseSensitive(e, "message")->valuestring;
	if (n1 && !strstr(msg, n1))
		fail_msg("message \"%s\" lacks \"%s\"", msg, n1);
	if (n2 && !strstr(msg, n2))
		fail_msg("message \"%s\" lacks \"%s\"", msg, n2);
	verr_free(&v);
}

static void expect_change_of(const char *changes_json, const char *form, const char *region, const char *scope,
                             const char *fundraising, const char *field, const char *code)
{
	cJSON *changes = changes_json ? cJSON_Parse(changes_json) : NULL;
	if (changes_json)
		assert_non_null(changes);
	verr v = { 0 };
	registry_check_change(changes, form, region, scope, fundraising, &v);
	int ok = field ? v.count == 1 && find_error(&v, field, code) : v.count == 0;
	if (!ok) {
		print_message("change %s: expected %s/%s\n", changes_json ? changes_json : "NULL",
		              field ? field : "no error", code ? code : "");
		dump(&v);
	}
	assert_true(ok);
	verr_free(&v);
	cJSON_Delete(changes);
}

static void expect_change(const char *changes_json, const char *form, const char *region, const char *field,
                          const char *code)
{
	expect_change_of(changes_json, form, region, "local", form && !strcmp(form, "foundation") ? "none" : NULL,
	                 field, code);
}

/* --- establishment: whole applications ---------------------------------------------------- */

static void test_valid_applications_pass(void **state)
{
	(void)state;
	cJSON *apps[] = { social_group(), foundation(), institution() };
	for (size_t i = 0; i < 3; i++) {
		expect(apps[i], 1, NULL, NULL);
		expect(apps[i], 0, NULL, NULL);
		cJSON_Delete(apps[i]);
	}
}

static void test_not_an_object(void **state)
{
	(void)state;
	expect(NULL, 1, "body", "type");
	cJSON *arr = cJSON_CreateArray();
	expect(arr, 0, "body", "type");
	cJSON_Delete(arr);
}

static void test_submission_requires_every_field(void **state)
{
	(void)state;
	static const char *const required[] = {
		"kind",     "legal_form",     "category",      "name",      "region_code",
		"domicile", "business_scope", "activity_area", "funds_fen", "legal_representative",
		"contact"
	};
	cJSON *app = cJSON_CreateObject();
	verr v = { 0 };
	registry_check_establish(app, 1, &v);
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
		if (!find_error(&v, required[i], "required"))
			fail_msg("no required error for %s", required[i]);
	}
	assert_int_equal(v.count, (int)(sizeof required / sizeof required[0]));
	verr_free(&v);
	/* The same empty body is a fine draft. */
	expect(app, 0, NULL, NULL);
	cJSON_Delete(app);

	/* Blank text counts as missing on submission, as absent in a draft. */
	app = social_group();
	set_str(app, "domicile", "   ");
	expect(app, 1, "domicile", "required");
	expect(app, 0, NULL, NULL);
	set_str(app, "domicile", "");
	expect(app, 1, "domicile", "required");
	expect(app, 0, NULL, NULL);
	cJSON_Delete(app);

	/* Nested objects: their own fields. */
	app = social_group();
	set(app, "legal_representative", cJSON_CreateObject());
	verr w = { 0 };
	registry_check_establish(app, 1, &w);
	assert_int_equal(w.count, 2);
	assert_non_null(find_error(&w, "legal_representative.name", "required"));
	assert_non_null(find_error(&w, "legal_representative.id_number", "required"));
	verr_free(&w);
	cJSON_Delete(app);

	/* Contact: name and phone required, email welcome. */
	app = social_group();
	cJSON_DeleteItemFromObjectCaseSensitive(sub(app, "contact"), "email");
	expect(app, 1, NULL, NULL);
	cJSON_DeleteItemFromObjectCaseSensitive(sub(app, "contact"), "phone");
	expect(app, 1, "contact.phone", "required");
	cJSON_DeleteItemFromObjectCaseSensitive(sub(app, "contact"), "name");
	verr x = { 0 };
	registry_check_establish(app, 1, &x);
	assert_int_equal(x.count, 2);
	assert_non_null(find_error(&x, "contact.name", "required"));
	verr_free(&x);
	cJSON_Delete(app);
}

static void test_drafts_report_shape_not_rules(void **state)
{
	(void)state;
	/* Below every threshold, breaking every name rule, missing half its fields: a valid draft. */
	cJSON *app = social_group();
	set_members(app, 10, 0);
	set_num(app, "funds_fen", 5);
	set_str(app, "name", "杭州市中国第一养老服务中心");
	cJSON_DeleteItemFromObjectCaseSensitive(app, "contact");
	cJSON_DeleteItemFromObjectCaseSensitive(app, "legal_representative");
	expect(app, 0, NULL, NULL);
	cJSON_Delete(app);

	app = foundation();
	set(app, "directors", directors(2));
	set_num(app, "funds_fen", 0);
	expect(app, 0, NULL, NULL);
	cJSON_Delete(app);

	/* But types, lengths, enums and formats are reported at once. */
	app = social_group();
	set_num(app, "name", 123);
	expect(app, 0, "name", "type");
	set_str(app, "name", "海盐");
	expect(app, 0, "name", "too_short");
	char longname[200] = "海盐县";
	for (int i = 0; i < 45; i++)
		strcat(longname, "养");
	strcat(longname, "协会"); /* 50 characters: the most a name may have */
	set_str(app, "name", longname);
	expect(app, 0, NULL, NULL);
	strcat(longname, "会");
	set_str(app, "name", longname);
	expect(app, 0, "name", "too_long");
	set_str(app, "name", "");
	expect(app, 0, NULL, NULL);
	set_str(app, "name", "海盐县养老服务协会");
	set_str(app, "funds_fen", "3000000");
	expect(app, 0, "funds_fen", "type");
	set_num(app, "funds_fen", -1);
	expect(app, 0, "funds_fen", "out_of_range");
	set_num(app, "funds_fen", 3000000.5);
	expect(app, 0, "funds_fen", "not_integer");
	set_num(app, "funds_fen", 3000000);
	set_str(app, "legal_form", "company");
	expect(app, 0, "legal_form", "invalid_choice");
	set_str(app, "legal_form", "social_group");
	set_str(sub(app, "legal_representative"), "id_number", "330424198001011235");
	expect(app, 0, "legal_representative.id_number", "invalid_id_number");
	set_str(sub(app, "legal_representative"), "id_number", REP_ID);
	set_str(sub(app, "contact"), "phone", "12345");
	expect(app, 0, "contact.phone", "invalid_phone");
	set_str(sub(app, "contact"), "phone", "13812345678");
	set_str(app, "region_code", "33042");
	expect(app, 0, "region_code", "invalid_format");
	set_str(app, "region_code", "990000");
	expect(app, 0, "region_code", "unknown_region");
	set_str(app, "region_code", "330424");
	set_str(app, "members", "sixty");
	expect(app, 0, "members", "type");
	cJSON_Delete(app);
}

static void test_enums(void **state)
{
	(void)state;
	cJSON *app = social_group();
	set_str(app, "kind", "change");
	expect(app, 1, "kind", "invalid_choice");
	set_str(app, "kind", "establish");
	set_str(app, "category", "sports");
	expect(app, 1, "category", "invalid_choice");
	set_str(app, "category", "science_technology");
	expect(app, 1, NULL, NULL);
	set_str(app, "scope", "province");
	expect(app, 1, "scope", "invalid_choice");
	set_str(app, "scope", "local");
	expect(app, 1, NULL, NULL);
	set_str(app, "fundraising", "everywhere");
	expect(app, 1, "fundraising", "invalid_choice");
	cJSON_Delete(app);
}

/* --- members ------------------------------------------------------------------------------ */

static void test_members(void **state)
{
	(void)state;
	cJSON *app = social_group();
	set_members(app, 49, 0);
	expect(app, 1, "members.individual", "too_few_members");
	expect_message(app, "members.individual", "too_few_members", "50", "49");
	set_members(app, 50, 0);
	expect(app, 1, NULL, NULL);
	set_members(app, 0, 30);
	expect(app, 1, NULL, NULL);
	set_members(app, 0, 29);
	expect(app, 1, "members.unit", "too_few_members");
	expect_message(app, "members.unit", "too_few_members", "30", "29");
	/* Mixed: 50 in all, even when 30 of them are units. */
	set_members(app, 19, 30);
	expect(app, 1, "members", "too_few_members");
	expect_message(app, "members", "too_few_members", "50", "49");
	set_members(app, 25, 25);
	expect(app, 1, NULL, NULL);
	set_members(app, 0, 0);
	expect(app, 1, "members", "too_few_members");
	set_members(app, -1, 60);
	expect(app, 1, "members.individual", "out_of_range");
	set_members(app, 60.5, 0);
	expect(app, 1, "members.individual", "not_integer");
	/* Either count may be left out. */
	set(app, "members", cJSON_Parse("{\"unit\": 30}"));
	expect(app, 1, NULL, NULL);
	cJSON_DeleteItemFromObjectCaseSensitive(app, "members");
	expect(app, 1, "members", "required");
	expect(app, 0, NULL, NULL);
	cJSON_Delete(app);

	/* Members are a social group's requirement only. */
	app = institution();
	expect(app, 1, NULL, NULL);
	cJSON_Delete(app);
}

static void test_member_minimums_come_from_the_rules(void **state)
{
	(void)state;
	cJSON *app = social_group();
	set_members(app, 45, 0);
	expect(app, 1, "members.individual", "too_few_members");
	assert_int_equal(rules_set("social_group_min_individual_members", "40"), 0);
	expect(app, 1, NULL, NULL);
	assert_int_equal(rules_set("social_group_min_individual_members", "50"), 0);
	set_members(app, 0, 25);
	assert_int_equal(rules_set("social_group_min_unit_members", "20"), 0);
	expect(app, 1, NULL, NULL);
	assert_int_equal(rules_set("social_group_min_unit_members", "30"), 0);
	expect(app, 1, "members.unit", "too_few_members");
	cJSON_Delete(app);
}

/* --- funds -------------------------------------------------------------------------------- */

static void test_social_group_funds(void **state)
{
	(void)state;
	cJSON *app = social_group();
	set_num(app, "funds_fen", 2999999);
	expect(app, 1, "funds_fen", "funds_below_minimum");
	expect_message(app, "funds_fen", "funds_below_minimum", "3000000", "¥30,000");
	expect_message(app, "funds_fen", "funds_below_minimum", "2999999", "¥29,999.99");
	set_num(app, "funds_fen", 3000000);
	expect(app, 1, NULL, NULL);
	/* National: ¥100,000. */
	set_str(app, "scope", "national");
	set_num(app, "funds_fen", 9999999);
	expect(app, 1, "funds_fen", "funds_below_minimum");
	expect_message(app, "funds_fen", "funds_below_minimum", "10000000", "¥100,000");
	set_num(app, "funds_fen", 10000000);
	expect(app, 1, NULL, NULL);
	cJSON_DeleteItemFromObjectCaseSensitive(app, "funds_fen");
	expect(app, 1, "funds_fen", "required");
	cJSON_Delete(app);
}

static void test_foundation_funds(void **state)
{
	(void)state;
	cJSON *app = foundation();
	set_num(app, "funds_fen", 199999999);
	expect(app, 1, "funds_fen", "funds_below_minimum");
	expect_message(app, "funds_fen", "funds_below_minimum", "200000000", "¥2,000,000");
	set_num(app, "funds_fen", 200000000);
	expect(app, 1, NULL, NULL);
	set_str(app, "fundraising", "none");
	expect(app, 1, NULL, NULL);

	set_str(app, "fundraising", "local_public");
	expect(app, 1, "funds_fen", "funds_below_minimum");
	set_num(app, "funds_fen", 399999999);
	expect_message(app, "funds_fen", "funds_below_minimum", "400000000", "¥4,000,000");
	set_num(app, "funds_fen", 400000000);
	expect(app, 1, NULL, NULL);

	set_str(app, "fundraising", "national_public");
	set_str(app, "scope", "national");
	set_num(app, "funds_fen", 799999999);
	expect(app, 1, "funds_fen", "funds_below_minimum");
	expect_message(app, "funds_fen", "funds_below_minimum", "800000000", "¥8,000,000");
	set_num(app, "funds_fen", 800000000);
	expect(app, 1, NULL, NULL);
	/* Public fundraising nationwide is not for a local foundation. */
	set_str(app, "scope", "local");
	expect(app, 1, "fundraising", "invalid_for_scope");
	cJSON_Delete(app);
}

static void test_institution_funds(void **state)
{
	(void)state;
	cJSON *app = institution();
	set_num(app, "funds_fen", 0);
	expect(app, 1, "funds_fen", "funds_below_minimum");
	set_num(app, "funds_fen", 1);
	expect(app, 1, NULL, NULL);
	cJSON_Delete(app);
}

/* --- directors ---------------------------------------------------------------------------- */

static void test_directors(void **state)
{
	(void)state;
	cJSON *app = foundation();
	set(app, "directors", directors(4));
	expect(app, 1, "directors", "too_few_directors");
	expect_message(app, "directors", "too_few_directors", "5", "4");
	set(app, "directors", directors(5));
	expect(app, 1, NULL, NULL);
	set(app, "directors", directors(25));
	expect(app, 1, NULL, NULL);
	set(app, "directors", directors(26));
	expect(app, 1, "directors", "too_many_directors");
	expect_message(app, "directors", "too_many_directors", "25", "26");
	expect(app, 0, NULL, NULL);
	set(app, "directors", directors(101));
	expect(app, 0, "directors", "too_many");
	cJSON_DeleteItemFromObjectCaseSensitive(app, "directors");
	expect(app, 1, "directors", "required");
	set_str(app, "directors", "five");
	expect(app, 1, "directors", "type");

	/* Each director: name and a valid, distinct ID number. */
	cJSON *ds = directors(6);
	set(app, "directors", ds);
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetArrayItem(ds, 2), "id_number");
	expect(app, 1, "directors[2].id_number", "required");
	expect(app, 0, NULL, NULL);
	set_str(cJSON_GetArrayItem(ds, 2), "id_number", "330424198001010010");
	expect(app, 1, "directors[2].id_number", "invalid_id_number");
	char id[19];
	director_id(id, 1);
	set_str(cJSON_GetArrayItem(ds, 2), "id_number", id);
	expect(app, 1, "directors[2].id_number", "duplicate_id_number");
	director_id(id, 3);
	set_str(cJSON_GetArrayItem(ds, 2), "id_number", id);
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetArrayItem(ds, 4), "name");
	expect(app, 1, "directors[4].name", "required");
	cJSON_ReplaceItemInArray(ds, 4, cJSON_CreateString("赵六"));
	expect(app, 1, "directors[4]", "type");
	cJSON_Delete(app);
}

/* --- names -------------------------------------------------------------------------------- */

static void test_name_region_prefix(void **state)
{
	(void)state;
	cJSON *app = social_group();
	set_str(app, "name", "杭州市养老服务协会");
	expect(app, 1, "name", "name_region_prefix");
	expect_message(app, "name", "name_region_prefix", "海盐县", "浙江省嘉兴市海盐县");
	set_str(app, "name", "海盐养老服务协会");
	expect(app, 1, "name", "name_region_prefix");
	set_str(app, "name", "嘉兴市海盐县养老服务协会");
	expect(app, 1, NULL, NULL);
	set_str(app, "name", "浙江省嘉兴市海盐县养老服务协会");
	expect(app, 1, NULL, NULL);
	/* Registered by the Ministry: no region name needed. */
	set_str(app, "scope", "national");
	set_num(app, "funds_fen", 10000000);
	set_str(app, "name", "养老服务协会");
	expect(app, 1, NULL, NULL);
	cJSON_Delete(app);
}

static void test_name_form_word(void **state)
{
	(void)state;
	static const char *const group_names[] = { "海盐县养老服务协会",     "海盐县历史学会",   "海盐县温州商会",
		                                   "海盐县文学艺术界联合会", "海盐县慈善促进会", "海盐县红学研究会",
		                                   "海盐县老年人联谊会",     "海盐县慈善总会" };
	static const char *const institution_names[] = { "海盐县养老服务中心",    "海盐县武原培训学校",
		                                         "海盐县康复医院",        "海盐县阳光幼儿园",
		                                         "海盐县红枫社工社",      "海盐县心理咨询所",
		                                         "海盐县救助站",          "海盐县民俗博物馆",
		                                         "海盐县青少年足球俱乐部" };
	cJSON *app = social_group();
	for (size_t i = 0; i < sizeof group_names / sizeof group_names[0]; i++) {
		set_str(app, "name", group_names[i]);
		expect(app, 1, NULL, NULL);
	}
	set_str(app, "name", "海盐县养老服务中心");
	expect(app, 1, "name", "name_form_word");
	expect_message(app, "name", "name_form_word", "协会", "a social group");
	set_str(app, "name", "海盐县养老基金会");
	expect(app, 1, "name", "name_form_word");
	expect_message(app, "name", "name_form_word", "基金会", NULL);
	cJSON_Delete(app);

	app = foundation();
	set_str(app, "name", "海盐县养老服务协会");
	expect(app, 1, "name", "name_form_word");
	set_str(app, "name", "海盐县养老服务中心");
	expect(app, 1, "name", "name_form_word");
	set_str(app, "name", "海盐县慈善基金会");
	expect(app, 1, NULL, NULL);
	cJSON_Delete(app);

	app = institution();
	for (size_t i = 0; i < sizeof institution_names / sizeof institution_names[0]; i++) {
		set_str(app, "name", institution_names[i]);
		expect(app, 1, NULL, NULL);
	}
	set_str(app, "name", "海盐县养老服务协会");
	expect(app, 1, "name", "name_form_word");
	set_str(app, "name", "海盐县养老基金会");
	expect(app, 1, "name", "name_form_word");
	cJSON_Delete(app);
}

static void test_name_field_words(void **state)
{
	(void)state;
	cJSON *app = social_group();
	set_str(app, "name", "海盐县协会");
	expect(app, 1, "name", "name_field_words");
	set_str(app, "name", "嘉兴市海盐县联合会");
	expect(app, 1, "name", "name_field_words");
	set_str(app, "name", "海盐县茶协会");
	expect(app, 1, NULL, NULL);
	cJSON_Delete(app);
	app = foundation();
	set_str(app, "name", "海盐县基金会");
	expect(app, 1, "name", "name_field_words");
	cJSON_Delete(app);
}

static void test_name_invisible_characters(void **state)
{
	(void)state;
	/* Names that look like 海盐县茶叶协会 but are not the same text. */
	static const char *const lookalikes[] = { "海盐县 茶叶协会",      "海盐县\u3000茶叶协会",
		                                  "海盐县\u200b茶叶协会", "海盐县茶叶\u00ad协会",
		                                  "\ufeff海盐县茶叶协会", "海盐县茶叶协会\u2060",
		                                  "海盐县\u00a0茶叶协会", "海盐县茶叶\u202e协会" };
	cJSON *app = social_group();
	for (size_t i = 0; i < sizeof lookalikes / sizeof lookalikes[0]; i++) {
		char json[200];
		snprintf(json, sizeof json, "\"%s\"", lookalikes[i]);
		cJSON *s = cJSON_Parse(json);
		assert_non_null(s);
		set_str(app, "name", s->valuestring);
		cJSON_Delete(s);
		expect(app, 1, "name", "name_invalid_character");
	}
	set_str(app, "name", "海盐县茶叶协会");
	expect(app, 1, NULL, NULL);
	cJSON_Delete(app);
}

static void test_name_banned_words(void **state)
{
	(void)state;
	static const char *const local_only[] = { "海盐县中国养老协会", "海盐县中华养老协会", "海盐县全国养老协会",
		                                  "海盐县国家养老协会" };
	static const char *const everyone[] = { "海盐县第一养老协会", "海盐县最高养老协会", "海盐县国际养老协会",
		                                "海盐县世界养老协会", "海盐县唯一养老协会", "海盐县最佳养老协会" };
	cJSON *app = social_group();
	for (size_t i = 0; i < sizeof local_only / sizeof local_only[0]; i++) {
		set_str(app, "name", local_only[i]);
		expect(app, 1, "name", "name_banned_word");
	}
	set_str(app, "name", "海盐县中国养老协会");
	expect_message(app, "name", "name_banned_word", "中国", NULL);
	for (size_t i = 0; i < sizeof everyone / sizeof everyone[0]; i++) {
		set_str(app, "name", everyone[i]);
		expect(app, 1, "name", "name_banned_word");
	}
	/* Two banned words, two errors. */
	set_str(app, "name", "海盐县中华第一养老协会");
	verr v = { 0 };
	registry_check_establish(app, 1, &v);
	assert_int_equal(v.count, 2);
	verr_free(&v);
	/* Set phrases are not claims. */
	set_str(app, "name", "海盐县国际象棋协会");
	expect(app, 1, NULL, NULL);
	set_str(app, "name", "海盐县中国画研究会");
	expect(app, 1, NULL, NULL);
	set_str(app, "name", "海盐县世界语协会");
	expect(app, 1, NULL, NULL);
	set_str(app, "name", "海盐县国际象棋国际交流协会");
	expect(app, 1, "name", "name_banned_word");

	/* National registrations may use 中国/中华/全国/国家, never the superlatives. */
	set_str(app, "scope", "national");
	set_num(app, "funds_fen", 10000000);
	set_str(app, "name", "中国养老服务协会");
	expect(app, 1, NULL, NULL);
	set_str(app, "name", "中国第一养老服务协会");
	expect(app, 1, "name", "name_banned_word");
	cJSON_Delete(app);
}

/* --- region, people, contact, category ---------------------------------------------------- */

static void test_region_code(void **state)
{
	(void)state;
	cJSON *app = social_group();
	set_str(app, "region_code", "33042");
	expect(app, 1, "region_code", "invalid_format");
	set_str(app, "region_code", "33042a");
	expect(app, 1, "region_code", "invalid_format");
	/* Unknown regions are reported once, not again as a name prefix. */
	set_str(app, "region_code", "990000");
	expect(app, 1, "region_code", "unknown_region");
	expect_message(app, "region_code", "unknown_region", "990000", NULL);
	set_str(app, "region_code", "110100"); /* 市辖区: not a region */
	expect(app, 1, "region_code", "unknown_region");
	set_num(app, "region_code", 330424);
	expect(app, 1, "region_code", "type");
	/* The region decides the prefix. */
	set_str(app, "region_code", "330400");
	expect(app, 1, "name", "name_region_prefix");
	set_str(app, "name", "嘉兴市养老服务协会");
	expect(app, 1, NULL, NULL);
	cJSON_Delete(app);
}

static void test_legal_representative(void **state)
{
	(void)state;
	cJSON *app = social_group();
	cJSON *rep = sub(app, "legal_representative");
	set_str(rep, "id_number", "330424198001011235");
	expect(app, 1, "legal_representative.id_number", "invalid_id_number");
	set_str(rep, "id_number", "33042419800101123");
	expect(app, 1, "legal_representative.id_number", "invalid_id_number");
	set_num(rep, "id_number", 3.3e17);
	expect(app, 1, "legal_representative.id_number", "type");
	set_str(rep, "id_number", "11010519491231002X");
	expect(app, 1, NULL, NULL);
	cJSON_DeleteItemFromObjectCaseSensitive(rep, "name");
	expect(app, 1, "legal_representative.name", "required");
	cJSON_DeleteItemFromObjectCaseSensitive(app, "legal_representative");
	expect(app, 1, "legal_representative", "required");
	set_str(app, "legal_representative", "张三");
	expect(app, 1, "legal_representative", "type");
	cJSON_Delete(app);
}

static void test_contact(void **state)
{
	(void)state;
	cJSON *app = social_group();
	cJSON *ct = sub(app, "contact");
	set_str(ct, "phone", "0573-86123456");
	expect(app, 1, NULL, NULL);
	set_str(ct, "phone", "12345678901");
	expect(app, 1, "contact.phone", "invalid_phone");
	set_str(ct, "phone", "13812345678");
	set_str(ct, "email", "lisi@example");
	expect(app, 1, "contact.email", "invalid_email");
	set_str(ct, "email", "lisi@example.com.cn");
	expect(app, 1, NULL, NULL);
	cJSON_DeleteItemFromObjectCaseSensitive(app, "contact");
	expect(app, 1, "contact", "required");
	cJSON_Delete(app);
}

static void test_category_matches_legal_form(void **state)
{
	(void)state;
	cJSON *app = social_group();
	set_str(app, "category", "industry_association");
	set_str(app, "name", "海盐县服装行业协会");
	expect(app, 1, NULL, NULL);
	cJSON_Delete(app);
	app = foundation();
	set_str(app, "category", "industry_association");
	expect(app, 1, "category", "invalid_for_legal_form");
	cJSON_Delete(app);
}

/* --- formats ------------------------------------------------------------------------------ */

static void test_id_number_valid(void **state)
{
	(void)state;
	assert_true(registry_id_number_valid("11010519491231002X")); /* GB 11643's example */
	assert_true(registry_id_number_valid("330424198001011234"));
	assert_true(registry_id_number_valid("330424200002290036")); /* 2000 was a leap year */
	assert_true(registry_id_number_valid("330424200402290019"));

	assert_false(registry_id_number_valid("330424198001011235")); /* wrong check digit */
	assert_false(registry_id_number_valid("110105194912310021"));
	assert_false(registry_id_number_valid("11010519491231002x"));  /* lower-case x */
	assert_false(registry_id_number_valid("33042419800101123"));   /* 17 */
	assert_false(registry_id_number_valid("3304241980010112345")); /* 19 */
	assert_false(registry_id_number_valid("33042419800101123A"));
	assert_false(registry_id_number_valid("33042419800101A234"));
	assert_false(registry_id_number_valid(""));
	assert_false(registry_id_number_valid(NULL));
	/* Checksums right, dates wrong. */
	assert_false(registry_id_number_valid("330424198002300011")); /* 30 February */
	assert_false(registry_id_number_valid("330424190002290013")); /* 1900 was not a leap year */
	assert_false(registry_id_number_valid("330424189912310011")); /* before 1900 */
	assert_false(registry_id_number_valid("33042419801301001X")); /* month 13 */
	assert_false(registry_id_number_valid("330424198001000017")); /* day 0 */
	assert_false(registry_id_number_valid("030424198001010011")); /* no address code starts with 0 */
}

static void test_phone_valid(void **state)
{
	(void)state;
	static const char *const good[] = { "13812345678",   "19912345678",  "15000000000",      "+8613812345678",
		                            "0573-86123456", "057386123456", "010-62345678",     "01062345678",
		                            "0570-3123456",  "021-61234567", "0573-86123456-123" };
	static const char *const bad[] = { "",
		                           "12345678901",
		                           "11012345678",
		                           "1381234567",
		                           "138123456789",
		                           "23812345678",
		                           "86123456",
		                           "0573-06123456",
		                           "0573-86123",
		                           "0573-861234567",
		                           "000-12345678",
		                           "011-12345678",
		                           "0573--86123456",
		                           "0573-86123456-",
		                           "0573-86123456-1234567",
		                           "+860573-86123456",
		                           "138 1234 5678",
		                           "1381234567a",
		                           "(0573)86123456" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!registry_phone_valid(good[i]))
			fail_msg("%s should be a valid phone", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (registry_phone_valid(bad[i]))
			fail_msg("%s should not be a valid phone", bad[i]);
	assert_false(registry_phone_valid(NULL));
}

/* The civil-affairs department of the region: a province's or an autonomous region's is a 厅, a
 * municipality's (北京市) a 局 like every other. */
static void test_authority(void **state)
{
	(void)state;
	static const struct {
		const char *code, *authority;
	} cases[] = {
		{ "330424", "海盐县民政局" }, { "330000", "浙江省民政厅" }, { "450000", "广西壮族自治区民政厅" },
		{ "110000", "北京市民政局" }, { "990000", "民政部门" },     { "", "民政部门" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[160];
		registry_authority(cases[i].code, out, sizeof out);
		assert_string_equal(out, cases[i].authority);
	}
}

static void test_email_valid(void **state)
{
	(void)state;
	static const char *const good[] = { "a@b.cn", "li.si+news@example.com.cn", "a_b@sub-domain.example.org",
		                            "X9@EXAMPLE.COM" };
	static const char *const bad[] = { "",          "a",        "@b.cn",          "a@",       "a@b",
		                           "a@@b.cn",   "a@b@c.cn", "a@b..cn",        ".a@b.cn",  "a.@b.cn",
		                           "a..b@c.cn", "a@-b.cn",  "a@b-.cn",        "a@b.c",    "a@b.c1",
		                           "a@.b.cn",   "a@b.cn.",  "张三@例子.中国", "a b@c.cn", "a@b_c.cn" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!registry_email_valid(good[i]))
			fail_msg("%s should be a valid email", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (registry_email_valid(bad[i]))
			fail_msg("%s should not be a valid email", bad[i]);
	assert_false(registry_email_valid(NULL));
}

/* --- change applications ------------------------------------------------------------------ */

static void test_change(void **state)
{
	(void)state;
	expect_change("{}", "social_group", "330424", "changes", "no_changes");
	expect_change(NULL, "social_group", "330424", "changes", "required");
	expect_change("[]", "social_group", "330424", "changes", "type");

	expect_change("{\"name\": \"海盐县养老服务协会\"}", "social_group", "330424", NULL, NULL);
	expect_change("{\"name\": \"嘉兴市海盐县养老服务协会\", \"domicile\": \"海盐县武原街道新桥北路2号\","
	              " \"business_scope\": \"养老服务\", \"activity_area\": \"海盐县\", \"funds_fen\": 5000000,"
	              " \"legal_representative\": {\"name\": \"王五\", \"id_number\": \"11010519491231002X\"}}",
	              "social_group", "330424", NULL, NULL);

	/* The same name rules as establishment. */
	expect_change("{\"name\": \"杭州市养老服务协会\"}", "social_group", "330424", "changes.name",
	              "name_region_prefix");
	expect_change("{\"name\": \"海盐县中国养老协会\"}", "social_group", "330424", "changes.name",
	              "name_banned_word");
	expect_change("{\"name\": \"海盐县养老服务中心\"}", "social_group", "330424", "changes.name", "name_form_word");
	expect_change("{\"name\": \"海盐县养老服务中心\"}", "social_service_institution", "330424", NULL, NULL);
	expect_change("{\"name\": \"海盐\"}", "social_group", "330424", "changes.name", "too_short");
	/* A national organization: no region. */
	expect_change("{\"name\": \"中国养老服务协会\"}", "social_group", NULL, NULL, NULL);
	expect_change("{\"name\": \"海盐县养老服务协会\"}", "social_group", "990000", "region_code", "unknown_region");

	/* Funds: the minimum of the legal form. */
	expect_change("{\"funds_fen\": 2999999}", "social_group", "330424", "changes.funds_fen", "funds_below_minimum");
	expect_change("{\"funds_fen\": 3000000}", "social_group", "330424", NULL, NULL);
	/* Held to the organization's own kind: a national group, a public-fundraising foundation. */
	expect_change_of("{\"funds_fen\": 9999999}", "social_group", "330424", "national", NULL, "changes.funds_fen",
	                 "funds_below_minimum");
	expect_change_of("{\"funds_fen\": 10000000}", "social_group", "330424", "national", NULL, NULL, NULL);
	expect_change_of("{\"funds_fen\": 250000000}", "foundation", "330424", "local", "local_public",
	                 "changes.funds_fen", "funds_below_minimum");
	expect_change_of("{\"funds_fen\": 400000000}", "foundation", "330424", "local", "local_public", NULL, NULL);
	expect_change_of("{\"funds_fen\": 250000000}", "foundation", "330424", "local", NULL, NULL, NULL);
	expect_change("{\"funds_fen\": 199999999}", "foundation", "330424", "changes.funds_fen", "funds_below_minimum");
	expect_change("{\"funds_fen\": 0}", "social_service_institution", "330424", "changes.funds_fen",
	              "funds_below_minimum");
	expect_change("{\"funds_fen\": \"lots\"}", "social_group", "330424", "changes.funds_fen", "type");

	/* A new legal representative: name and valid ID. */
	expect_change("{\"legal_representative\": {\"name\": \"王五\", \"id_number\": \"330424198001011235\"}}",
	              "social_group", "330424", "changes.legal_representative.id_number", "invalid_id_number");
	expect_change("{\"legal_representative\": {\"id_number\": \"11010519491231002X\"}}", "social_group", "330424",
	              "changes.legal_representative.name", "required");
	expect_change("{\"legal_representative\": \"王五\"}", "social_group", "330424", "changes.legal_representative",
	              "type");

	/* Text may not be cleared. */
	expect_change("{\"domicile\": \"\"}", "social_group", "330424", "changes.domicile", "required");
	expect_change("{\"domicile\": null}", "social_group", "330424", "changes.domicile", "required");
	expect_change("{\"activity_area\": 5}", "social_group", "330424", "changes.activity_area", "type");

	/* Only the changeable fields. */
	expect_change("{\"legal_form\": \"foundation\"}", "social_group", "330424", "changes.legal_form",
	              "not_changeable");
	expect_change("{\"名称\": \"x\"}", "social_group", "330424", "changes", "not_changeable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_applications_pass),
		cmocka_unit_test(test_not_an_object),
		cmocka_unit_test(test_submission_requires_every_field),
		cmocka_unit_test(test_drafts_report_shape_not_rules),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_member_minimums_come_from_the_rules),
		cmocka_unit_test(test_social_group_funds),
		cmocka_unit_test(test_foundation_funds),
		cmocka_unit_test(test_institution_funds),
		cmocka_unit_test(test_directors),
		cmocka_unit_test(test_name_region_prefix),
		cmocka_unit_test(test_name_form_word),
		cmocka_unit_test(test_name_field_words),
		cmocka_unit_test(test_name_invisible_characters),
		cmocka_unit_test(test_name_banned_words),
		cmocka_unit_test(test_region_code),
		cmocka_unit_test(test_legal_representative),
		cmocka_unit_test(test_contact),
		cmocka_unit_test(test_category_matches_legal_form),
		cmocka_unit_test(test_id_number_valid),
		cmocka_unit_test(test_phone_valid),
		cmocka_unit_test(test_email_valid),
		cmocka_unit_test(test_authority),
		cmocka_unit_test(test_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

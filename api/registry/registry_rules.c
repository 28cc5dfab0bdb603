/* registry_rules.c — the checks an establishment or change application must pass (SPEC §4).
 * The numbers come from rules.def; the words a name may and may not use are the tables below. */
#include "registry_rules.h"

#include "region.h"
#include "rules.h"

#include <stdio.h>
#include <string.h>

const char *const registry_legal_forms[] = { "social_group", "social_service_institution", "foundation", NULL };
const char *const registry_categories[] = { "industry_association", "science_technology", "public_welfare",
	                                    "community_service", NULL };
static const char *const kinds[] = { "establish", NULL };
const char *const registry_scopes[] = { "local", "national", NULL };
const char *const registry_fundraisings[] = { "none", "local_public", "national_public", NULL };

int registry_choice(const char *const *list, const char *s)
{
	for (int i = 0; s && list[i]; i++)
		if (!strcmp(list[i], s))
			return i;
	return -1;
}

/* Shape limits: how much text or how many items a field may hold, the same for drafts and
 * submissions. The domain minimums and maximums are rules (rules.def), not these. */
enum {
	NAME_MIN_CHARS = 4, /* region name + field + form word: 海盐县茶会 */
	NAME_MAX_CHARS = 50,
	PERSON_NAME_MAX_CHARS = 50, /* room for transliterated minority names with · */
	DOMICILE_MAX_CHARS = 200,
	BUSINESS_SCOPE_MAX_CHARS = 2000,
	ACTIVITY_AREA_MAX_CHARS = 200,
	CODE_MAX_CHARS = 64, /* longer than any valid ID or region code, so bad ones get a precise code */
	PHONE_MAX_CHARS = 32,
	EMAIL_MAX_CHARS = 254, /* RFC 5321 path limit */
	DIRECTORS_MAX_ITEMS = 100,
	MEMBERS_MAX = 100000000,
	FIELD_MAX = 80, /* longest field path we build */
};
#define FUNDS_MAX_FEN JSON_FEN_MAX

/* --- Name rules: the words, in one place ------------------------------------------------ */

/* 社会组织名称管理办法 (民政部令第69号) Art. 8: a name ends with its organizational form. Social
 * groups are 会 (协会, 学会, 商会, 联合会, 促进会, 研究会, 联谊会, …); foundations 基金会;
 * social service institutions (民办非企业单位) 中心, 院, 学校, … The longest matching ending is
 * the form word; what lies between it and the region's name is the field (name_field_words). */
static const struct form_words {
	const char *what;     /* for messages */
	const char *ends[12]; /* NULL-terminated */
	const char *never[4]; /* endings refused although they match one above */
} form_words[] = {
	[FORM_SOCIAL_GROUP] = { "a social group",
	                        { "联合会", "促进会", "研究会", "协会", "学会", "商会", "会", NULL },
	                        { "基金会", NULL } },
	[FORM_FOUNDATION] = { "a foundation", { "基金会", NULL }, { NULL } },
	[FORM_SOCIAL_SERVICE_INSTITUTION] = { "a social service institution",
	                                      { "服务中心", "中心", "学校", "院", "园", "社", "所", "站", "馆",
	                                        "俱乐部", NULL },
	                                      { NULL } },
};

/* Words a name may not contain. 中国/中华/全国 (and 国家) are for organizations registered by the
 * Ministry with approval (社会组织名称管理办法 Art. 8); local registrations may not use them. The
 * superlatives and claims of international reach are refused for everyone. */
static const struct banned_word {
	const char *word;
	int national_ok;
} banned_words[] = {
	{ "中国", 1 }, { "中华", 1 }, { "全国", 1 }, { "国家", 1 }, { "第一", 0 },
	{ "最高", 0 }, { "国际", 0 }, { "世界", 0 }, { "唯一", 0 }, { "最佳", 0 },
};

/* Set phrases that contain a banned word without making its claim: a 国际象棋 (chess) club is not
 * international, a 中国画 (Chinese painting) society is not national. */
static const char *const banned_word_phrases[] = { "国际象棋", "中国象棋", "中国画", "中华鲟", "世界语", NULL };

/* --- Helpers ---------------------------------------------------------------------------- */

typedef struct check {
	verr *v;
	int submit; /* 1: every submission rule; 0: a draft, shape only */
} check;

#define REQ(c) ((c)->submit ? JSON_REQUIRED : JSON_OPTIONAL)

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);
	return n >= m && memcmp(s + n - m, end, m) == 0;
}

/* "¥29,999.99" */
static const char *yuan(long long fen, char *buf, size_t size)
{
	char digits[24];
	int n = snprintf(digits, sizeof digits, "%lld", fen / 100);
	size_t o = 0;
	buf[o++] = '\xc2'; /* ¥ in UTF-8 */
	buf[o++] = '\xa5';
	for (int i = 0; i < n && o + 2 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	if (fen % 100)
		snprintf(buf + o, size - o, ".%02lld", fen % 100);
	return buf;
}

/* A text field: on submission a required one must be present and not blank; blank drafts count
 * as absent. Returns like json_get_str. */
static int get_text(const cJSON *obj, const char *key, const char **out, check *c, const char *field, int required,
                    size_t min_chars, size_t max_chars)
{
	const char *s = NULL;
	int rc = json_get_str(obj, key, &s, c->v, field, required ? REQ(c) : JSON_OPTIONAL, 0, max_chars);
	if (rc != 1)
		return rc;
	if (json_blank(s)) {
		if (required && c->submit) {
			verr_add(c->v, field, "required", "%s must not be blank", field);
			return -1;
		}
		return 0;
	}
	if (json_utf8_len(s) < min_chars) {
		verr_add(c->v, field, "too_short", "%s must have at least %zu characters", field, min_chars);
		return -1;
	}
	*out = s;
	return 1;
}

static const region *check_region_code(const char *code, const char *field, verr *v)
{
	if (strlen(code) != REGION_CODE_LEN || !all_digits(code, REGION_CODE_LEN)) {
		verr_add(v, field, "invalid_format", "%s must be a 6-digit GB/T 2260 code such as 330424", field);
		return NULL;
	}
	const region *r = region_find(code);
	if (!r)
		verr_add(v, field, "unknown_region", "%s %s is not a current GB/T 2260 region code", field, code);
	return r;
}

/* A person: {name, id_number}. Returns the ID number when present and valid. */
static const char *check_person(const cJSON *p, const char *field, check *c)
{
	static const char *const person_keys[] = { "name", "id_number", NULL };
	json_only_fields(p, person_keys, c->v, field);
	char f[FIELD_MAX];
	const char *name = NULL, *id = NULL;
	snprintf(f, sizeof f, "%s.name", field);
	get_text(p, "name", &name, c, f, 1, 1, PERSON_NAME_MAX_CHARS);
	snprintf(f, sizeof f, "%s.id_number", field);
	if (get_text(p, "id_number", &id, c, f, 1, 0, CODE_MAX_CHARS) != 1)
		return NULL;
	if (!registry_id_number_valid(id)) {
		verr_add(c->v, f, "invalid_id_number",
		         "%s must be an 18-character resident ID number: 17 digits with a valid birth date, "
		         "then the check character (a digit or capital X)",
		         f);
		return NULL;
	}
	return id;
}

static void check_contact(const cJSON *app, check *c)
{
	const cJSON *ct = NULL;
	const char *s = NULL;
	if (json_get_object(app, "contact", &ct, c->v, "contact", REQ(c)) != 1)
		return;
	static const char *const contact_keys[] = { "name", "phone", "email", NULL };
	json_only_fields(ct, contact_keys, c->v, "contact");
	get_text(ct, "name", &s, c, "contact.name", 1, 1, PERSON_NAME_MAX_CHARS);
	if (get_text(ct, "phone", &s, c, "contact.phone", 1, 0, PHONE_MAX_CHARS) == 1 && !registry_phone_valid(s))
		verr_add(c->v, "contact.phone", "invalid_phone",
		         "contact.phone must be a mainland mobile number (11 digits from 13 to 19) or a landline "
		         "with its area code, such as 0573-86123456");
	/* Email is welcome, not required: a county association may have only a phone. */
	if (get_text(ct, "email", &s, c, "contact.email", 0, 0, EMAIL_MAX_CHARS) == 1 && !registry_email_valid(s))
		verr_add(c->v, "contact.email", "invalid_email",
		         "contact.email must be an address like name@example.cn");
}

/* 社会团体登记管理条例 Art. 10(1): 50 individual members, or 30 unit members; when individuals and
 * units are mixed, 50 in all. */
static void check_members(const cJSON *app, check *c, int social_group)
{
	const cJSON *m = NULL;
	long long ind = 0, unit = 0;
	if (json_get_object(app, "members", &m, c->v, "members", social_group ? REQ(c) : JSON_OPTIONAL) != 1)
		return;
	static const char *const member_keys[] = { "individual", "unit", NULL };
	json_only_fields(m, member_keys, c->v, "members");
	int a = json_get_int(m, "individual", &ind, c->v, "members.individual", JSON_OPTIONAL, 0, MEMBERS_MAX);
	int b = json_get_int(m, "unit", &unit, c->v, "members.unit", JSON_OPTIONAL, 0, MEMBERS_MAX);
	if (!c->submit || !social_group || a < 0 || b < 0)
		return;
	long long min_ind = rule(RULE_social_group_min_individual_members);
	long long min_unit = rule(RULE_social_group_min_unit_members);
	long long min_mixed = rule(RULE_social_group_min_mixed_members);
	if (ind > 0 && unit > 0) {
		if (ind + unit < min_mixed)
			verr_add(c->v, "members", "too_few_members",
			         "a social group with both individual and unit members needs at least %lld members in "
			         "all; "
			         "it has %lld (%lld individual, %lld unit)",
			         min_mixed, ind + unit, ind, unit);
	} else if (unit > 0) {
		if (unit < min_unit)
			verr_add(c->v, "members.unit", "too_few_members",
			         "a social group of unit members needs at least %lld; members.unit is %lld", min_unit,
			         unit);
	} else if (ind > 0) {
		if (ind < min_ind)
			verr_add(c->v, "members.individual", "too_few_members",
			         "a social group of individual members needs at least %lld; members.individual is %lld",
			         min_ind, ind);
	} else {
		verr_add(c->v, "members", "too_few_members",
		         "a social group needs at least %lld individual members, %lld unit members, or %lld members "
		         "in all when mixed; it has none",
		         min_ind, min_unit, min_mixed);
	}
}

/* 基金会管理条例 Art. 20: a board of 5 to 25 directors. */
static void check_directors(const cJSON *app, check *c, int foundation)
{
	const cJSON *arr = NULL, *d;
	const char *ids[DIRECTORS_MAX_ITEMS];
	int n = 0, nids = 0;
	if (json_get_array(app, "directors", &arr, c->v, "directors", foundation ? REQ(c) : JSON_OPTIONAL,
	                   DIRECTORS_MAX_ITEMS) != 1)
		return;
	cJSON_ArrayForEach(d, arr) {
		char f[32];
		snprintf(f, sizeof f, "directors[%d]", n++);
		if (!cJSON_IsObject(d)) {
			verr_add(c->v, f, "type", "%s must be an object with name and id_number", f);
			continue;
		}
		const char *id = check_person(d, f, c);
		if (!id)
			continue;
		for (int k = 0; k < nids; k++) {
			if (strcmp(ids[k], id) == 0) {
				char g[FIELD_MAX];
				snprintf(g, sizeof g, "%s.id_number", f);
				verr_add(c->v, g, "duplicate_id_number", "%s names a director already listed", g);
				id = NULL;
				break;
			}
		}
		if (id)
			ids[nids++] = id;
	}
	if (!c->submit || !foundation)
		return;
	long long lo = rule(RULE_foundation_min_directors), hi = rule(RULE_foundation_max_directors);
	if (n < lo)
		verr_add(c->v, "directors", "too_few_directors",
		         "a foundation needs at least %lld directors; directors lists %d", lo, n);
	else if (n > hi)
		verr_add(c->v, "directors", "too_many_directors",
		         "a foundation may have at most %lld directors; directors lists %d", hi, n);
}

/* Minimum funds by legal form, scope and fundraising: 社会团体登记管理条例 Art. 10(5),
 * 基金会管理条例 Art. 8(2), 民办非企业单位登记管理暂行条例 Art. 8(4). */
static void check_funds(long long funds, enum registry_form form, int national, enum registry_fundraising fundraising,
                        const char *field, verr *v)
{
	rule_id id;
	const char *what;
	if (form == FORM_SOCIAL_GROUP) {
		id = national ? RULE_social_group_min_funds_national_fen : RULE_social_group_min_funds_local_fen;
		what = national ? "a national social group" : "a local social group";
	} else if (form == FORM_FOUNDATION) {
		if (fundraising == FUNDRAISING_NATIONAL_PUBLIC) {
			id = RULE_foundation_min_fund_national_public_fen;
			what = "a foundation raising funds from the public nationwide";
		} else if (fundraising == FUNDRAISING_LOCAL_PUBLIC) {
			id = RULE_foundation_min_fund_local_public_fen;
			what = "a foundation raising funds from the public locally";
		} else {
			id = RULE_foundation_min_fund_fen;
			what = "a foundation without public fundraising";
		}
	} else {
		id = RULE_institution_min_funds_fen;
		what = "a social service institution";
	}
	long long min = rule(id);
	if (funds < min) {
		char have[40], need[40];
		verr_add(v, field, "funds_below_minimum", "%s is %lld fen (%s); %s needs at least %lld fen (%s)", field,
		         funds, yuan(funds, have, sizeof have), what, min, yuan(min, need, sizeof need));
	}
}

/* Does the occurrence of word at `at` belong to one of the set phrases? */
static int in_phrase(const char *name, const char *at, const char *word)
{
	for (const char *const *p = banned_word_phrases; *p; p++) {
		const char *w = strstr(*p, word);
		if (!w)
			continue;
		size_t off = (size_t)(w - *p);
		if ((size_t)(at - name) >= off && strncmp(at - off, *p, strlen(*p)) == 0)
			return 1;
	}
	return 0;
}

static int uses_word(const char *name, const char *word)
{
	size_t n = strlen(word);
	for (const char *at = strstr(name, word); at; at = strstr(at + n, word))
		if (!in_phrase(name, at, word))
			return 1;
	return 0;
}

/* The name rules of 社会组织名称管理办法 Art. 8: region name, field, form word; no banned words.
 * r NULL and not national: the region is unknown, already reported; the prefix is not checked. */
static void check_name(const char *name, enum registry_form form, const region *r, int national, const char *field,
                       verr *v)
{
	size_t len = strlen(name), prefix = 0;
	/* A blank, a zero-width or direction character, a soft hyphen or a BOM would let a name look
	 * the same as another and not be. */
	if (!json_text_clean(name, 0)) {
		verr_add(v, field, "name_invalid_character",
		         "%s contains a blank or an invisible character; a name is written without them", field);
		return;
	}
	if (!national && r) {
		prefix = (size_t)region_name_prefix_ok(r, name);
		if (!prefix) {
			char chain[160] = "";
			for (const region *p = r; p; p = region_parent(p)) {
				char tmp[160];
				snprintf(tmp, sizeof tmp, "%s%s", p->name, chain);
				memcpy(chain, tmp, sizeof chain);
			}
			verr_add(v, field, "name_region_prefix",
			         "%s must begin with the name of region %s, %s (or with the regions above it: %s)",
			         field, r->code, r->name, chain);
		}
	}

	const struct form_words *fw = &form_words[form];
	{
		const char *never = NULL;
		size_t word = 0;
		for (const char *const *e = fw->never; *e; e++)
			if (ends_with(name, *e))
				never = *e;
		for (const char *const *e = fw->ends; *e; e++)
			if (ends_with(name, *e) && strlen(*e) > word)
				word = strlen(*e);
		if (never || !word) {
			char list[200] = "";
			for (const char *const *e = fw->ends; *e; e++) {
				if (strlen(list) + strlen(*e) + 2 >= sizeof list)
					break;
				if (*list)
					strcat(list, "/");
				strcat(list, *e);
			}
			if (never)
				verr_add(v, field, "name_form_word",
				         "%s ends with %s, which %s may not use; its name ends with one of %s", field,
				         never, fw->what, list);
			else
				verr_add(v, field, "name_form_word", "%s must end with a form word of %s, one of %s",
				         field, fw->what, list);
		} else if (prefix + word >= len) {
			verr_add(v, field, "name_field_words",
			         "%s must name the field of activity between the region's name and the form word",
			         field);
		}
	}

	for (size_t i = 0; i < sizeof banned_words / sizeof banned_words[0]; i++) {
		const struct banned_word *b = &banned_words[i];
		if (national && b->national_ok)
			continue;
		if (uses_word(name, b->word))
			verr_add(v, field, "name_banned_word", "%s may not contain %s%s", field, b->word,
			         b->national_ok ? " in a local registration" : "");
	}
}

/* --- Establishment ---------------------------------------------------------------------- */

void registry_check_establish(const cJSON *app, int for_submission, verr *v)
{
	check c = { v, for_submission != 0 };
	const char *kind = NULL, *form = NULL, *category = NULL, *scope = "local", *fundraising = "none";
	const char *name = NULL, *code = NULL, *s = NULL;
	const cJSON *rep = NULL;
	const region *r = NULL;
	long long funds = 0;

	if (!app || !cJSON_IsObject(app)) {
		verr_add(v, "body", "type", "the application must be a JSON object");
		return;
	}
	json_get_enum(app, "kind", &kind, kinds, v, "kind", REQ(&c));
	json_get_enum(app, "legal_form", &form, registry_legal_forms, v, "legal_form", REQ(&c));
	json_get_enum(app, "category", &category, registry_categories, v, "category", REQ(&c));
	json_get_enum(app, "scope", &scope, registry_scopes, v, "scope", JSON_OPTIONAL);
	json_get_enum(app, "fundraising", &fundraising, registry_fundraisings, v, "fundraising", JSON_OPTIONAL);
	/* json_get_enum leaves only names of its list (or the defaults) in these. */
	int form_id = registry_choice(registry_legal_forms, form);
	enum registry_fundraising fr = (enum registry_fundraising)registry_choice(registry_fundraisings, fundraising);
	int national = registry_choice(registry_scopes, scope) == SCOPE_NATIONAL;
	int social_group = form_id == FORM_SOCIAL_GROUP;
	int foundation = form_id == FORM_FOUNDATION;

	get_text(app, "name", &name, &c, "name", 1, NAME_MIN_CHARS, NAME_MAX_CHARS);
	if (get_text(app, "region_code", &code, &c, "region_code", 1, 0, CODE_MAX_CHARS) == 1)
		r = check_region_code(code, "region_code", v);
	get_text(app, "domicile", &s, &c, "domicile", 1, 1, DOMICILE_MAX_CHARS);
	get_text(app, "business_scope", &s, &c, "business_scope", 1, 1, BUSINESS_SCOPE_MAX_CHARS);
	get_text(app, "activity_area", &s, &c, "activity_area", 1, 1, ACTIVITY_AREA_MAX_CHARS);
	int have_funds = json_get_int(app, "funds_fen", &funds, v, "funds_fen", REQ(&c), 0, FUNDS_MAX_FEN) == 1;
	if (json_get_object(app, "legal_representative", &rep, v, "legal_representative", REQ(&c)) == 1)
		check_person(rep, "legal_representative", &c);
	check_members(app, &c, social_group);
	check_directors(app, &c, foundation);
	check_contact(app, &c);

	if (!c.submit || form_id < 0)
		return;
	if (have_funds)
		check_funds(funds, (enum registry_form)form_id, national, fr, "funds_fen", v);
	if (name)
		check_name(name, (enum registry_form)form_id, r, national, "name", v);
	/* 行业协会商会 are membership organizations: social groups by definition. */
	if (registry_choice(registry_categories, category) == CATEGORY_INDUSTRY_ASSOCIATION && !social_group)
		verr_add(v, "category", "invalid_for_legal_form",
		         "industry_association (行业协会商会) is a category of social groups, not of %s", form);
	/* 基金会管理条例 Art. 8(2): the national public-fundraising minimum is for foundations
	 * registered nationally; a local one raises funds within its region. */
	if (foundation && fr == FUNDRAISING_NATIONAL_PUBLIC && !national)
		verr_add(v, "fundraising", "invalid_for_scope",
		         "national_public fundraising needs scope national; a local foundation may use local_public");
}

/* --- Change ----------------------------------------------------------------------------- */

static const char *const changeable[] = {
	"name", "domicile", "business_scope", "activity_area", "funds_fen", "legal_representative", NULL
};

void registry_check_change(const cJSON *changes, const char *legal_form, const char *region_code, const char *scope,
                           const char *fundraising, verr *v)
{
	int national = registry_choice(registry_scopes, scope) == SCOPE_NATIONAL;
	int form = registry_choice(registry_legal_forms, legal_form);
	int fr = registry_choice(registry_fundraisings, fundraising);
	check c = { v, 1 };
	const cJSON *item;
	const region *r = NULL;
	int n = 0, refused = 0;

	if (!changes || cJSON_IsNull(changes)) {
		verr_add(v, "changes", "required", "changes is required");
		return;
	}
	if (!cJSON_IsObject(changes)) {
		verr_add(v, "changes", "type", "changes must be an object");
		return;
	}
	if (region_code)
		r = check_region_code(region_code, "region_code", v);

	cJSON_ArrayForEach(item, changes) {
		char f[FIELD_MAX];
		if (!str_in_list(changeable, item->string)) {
			/* Echo the key only when it is a plain identifier. */
			const char *k = item->string ? item->string : "";
			size_t kn = strlen(k);
			int plain = kn > 0 && kn <= 40 && strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_") == kn;
			snprintf(f, sizeof f, "changes%s%s", plain ? "." : "", plain ? k : "");
			verr_add(v, f, "not_changeable",
			         "%s cannot be changed by a change application; it may change name, domicile, "
			         "business_scope, activity_area, funds_fen or legal_representative",
			         f);
			refused++;
			continue;
		}
		snprintf(f, sizeof f, "changes.%s", item->string);
		n++;
		if (cJSON_IsNull(item)) {
			verr_add(v, f, "required", "%s cannot be cleared; give its new value", f);
			continue;
		}
		const char *s = NULL;
		long long funds;
		const cJSON *rep = NULL;
		if (strcmp(item->string, "name") == 0) {
			if (get_text(changes, "name", &s, &c, f, 1, NAME_MIN_CHARS, NAME_MAX_CHARS) == 1 && form >= 0)
				check_name(s, (enum registry_form)form, r, national || !region_code, f, v);
		} else if (strcmp(item->string, "domicile") == 0) {
			get_text(changes, "domicile", &s, &c, f, 1, 1, DOMICILE_MAX_CHARS);
		} else if (strcmp(item->string, "business_scope") == 0) {
			get_text(changes, "business_scope", &s, &c, f, 1, 1, BUSINESS_SCOPE_MAX_CHARS);
		} else if (strcmp(item->string, "activity_area") == 0) {
			get_text(changes, "activity_area", &s, &c, f, 1, 1, ACTIVITY_AREA_MAX_CHARS);
		} else if (strcmp(item->string, "funds_fen") == 0) {
			if (json_get_int(changes, "funds_fen", &funds, v, f, JSON_REQUIRED, 0, FUNDS_MAX_FEN) == 1 &&
			    form >= 0)
				check_funds(funds, (enum registry_form)form, national,
				            fr < 0 ? FUNDRAISING_NONE : (enum registry_fundraising)fr, f, v);
		} else if (json_get_object(changes, "legal_representative", &rep, v, f, JSON_REQUIRED) == 1) {
			check_person(rep, f, &c);
		}
	}
	if (n == 0 && refused == 0)
		verr_add(v, "changes", "no_changes",
		         "a change application must change at least one of name, domicile, business_scope, "
		         "activity_area, funds_fen or legal_representative");
}

/* --- Formats ---------------------------------------------------------------------------- */

static int days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* GB 11643-1999: 6-digit address code, 8-digit birth date, 3-digit sequence, ISO 7064 MOD 11-2
 * check character. */
int registry_id_number_valid(const char *id)
{
	static const int weight[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char check_char[] = "10X98765432";
	if (!id || strlen(id) != 18 || !all_digits(id, 17) || id[0] == '0')
		return 0;
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (id[i] - '0') * weight[i];
	if (id[17] != check_char[sum % 11])
		return 0;
	int y = (id[6] - '0') * 1000 + (id[7] - '0') * 100 + (id[8] - '0') * 10 + (id[9] - '0');
	int m = (id[10] - '0') * 10 + (id[11] - '0');
	int d = (id[12] - '0') * 10 + (id[13] - '0');
	return y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int registry_phone_valid(const char *p)
{
	if (!p)
		return 0;
	int intl = strncmp(p, "+86", 3) == 0;
	if (intl)
		p += 3;
	/* Mobile: 1[3-9] and 9 more digits. */
	if (p[0] == '1')
		return strlen(p) == 11 && p[1] >= '3' && p[1] <= '9' && all_digits(p, 11);
	if (intl || p[0] != '0' || p[1] == '0')
		return 0;
	/* Landline: 0 + area code (10, 2x, or three digits from 3xx to 9xx), an optional hyphen, a
	 * 7- or 8-digit local number not starting with 0 or 1, an optional -extension. */
	size_t area = (p[1] == '1' && p[2] == '0') || p[1] == '2' ? 3 : 4;
	if (p[1] == '1' && p[2] != '0')
		return 0;
	if (strlen(p) < area || !all_digits(p, area))
		return 0;
	p += area;
	if (*p == '-')
		p++;
	size_t local = strspn(p, "0123456789");
	if ((local != 7 && local != 8) || p[0] < '2')
		return 0;
	p += local;
	if (*p == '-') {
		size_t ext = strspn(++p, "0123456789");
		if (ext < 1 || ext > 6)
			return 0;
		p += ext;
	}
	return *p == '\0';
}

static int alnum(char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

int registry_email_valid(const char *e)
{
	if (!e)
		return 0;
	const char *at = strchr(e, '@');
	if (!at || strchr(at + 1, '@'))
		return 0;
	size_t local = (size_t)(at - e);
	if (local < 1 || local > 64 || e[0] == '.' || e[local - 1] == '.')
		return 0;
	for (size_t i = 0; i < local; i++) {
		if (e[i] == '.') {
			if (e[i + 1] == '.')
				return 0;
		} else if (!alnum(e[i]) && !strchr("!#$%&'*+/=?^_`{|}~-", e[i])) {
			return 0;
		}
	}
	const char *d = at + 1;
	if (strlen(d) > 253)
		return 0;
	int labels = 0;
	const char *last = d;
	for (;;) {
		size_t n = 0;
		while (alnum(d[n]) || d[n] == '-')
			n++;
		if (n < 1 || n > 63 || d[0] == '-' || d[n - 1] == '-')
			return 0;
		labels++;
		last = d;
		d += n;
		if (*d == '\0')
			break;
		if (*d != '.')
			return 0;
		d++;
	}
	if (labels < 2 || strlen(last) < 2)
		return 0;
	for (const char *t = last; *t; t++)
		if (is_digit(*t) || *t == '-')
			return 0;
	return 1;
}

/* --- Authority ------------------------------------------------------------------------- */

void registry_authority(const char *region_code, char *out, size_t len)
{
	const region *r = region_find(region_code);
	if (!r) {
		snprintf(out, len, "民政部门");
		return;
	}
	const char *name = region_name(r);
	size_t n = strlen(name);
	int ting = region_level(r) == REGION_PROVINCE &&
	           ((n >= 3 && !strcmp(name + n - 3, "省")) || (n >= 9 && !strcmp(name + n - 9, "自治区")));
	snprintf(out, len, "%s%s", name, ting ? "民政厅" : "民政局");
}

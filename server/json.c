/* json.c — hostile-input-safe JSON parsing and field validation helpers. */
#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int json_utf8_valid(const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n;
		unsigned cp;
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + n >= len)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += n + 1;
	}
	return 1;
}

size_t json_utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* One pass over the text before cJSON sees it: "too_deep" past JSON_MAX_DEPTH, "nul_escape" for
 * a \u0000 in a string (cJSON would end the C string there: "pw\u0000x" would become "pw"),
 * "too_many_values" past JSON_MAX_VALUES (each comma outside strings starts one more value, each
 * bracket opens one), or NULL. */
const char *json_prescan(const char *buf, size_t len, json_shape *shape)
{
	int depth = 0, in_str = 0;
	size_t values = 1;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (in_str) {
			if (c == '\\') {
				if (i + 5 < len && buf[i + 1] == 'u' && !memcmp(buf + i + 2, "0000", 4))
					return "nul_escape";
				i++;
			} else if (c == '"') {
				in_str = 0;
			}
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '[' || c == '{') {
			if (++depth > JSON_MAX_DEPTH)
				return "too_deep";
			values++;
		} else if (c == ']' || c == '}')
			depth--;
		else if (c == ',' && ++values > JSON_MAX_VALUES)
			return "too_many_values";
	}
	if (values > JSON_MAX_VALUES)
		return "too_many_values";
	if (shape) {
		/* a node (64 bytes) and its allocation's overhead each; strings and member names are
		 * copied out of the text, which bounds them */
		shape->values = values;
		shape->tree_bytes = values * (sizeof(cJSON) + 32) + len;
	}
	return NULL;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 1 when some object, at any depth, has two members of one name. RFC 8259 leaves such text's
 * meaning to the reader (cJSON keeps both; a browser the last), so it is refused rather than
 * read one way here and another way by the client that shows it. Sorting keeps it O(n log n). */
static int has_duplicate_names(const cJSON *j)
{
	for (const cJSON *c = j ? j->child : NULL; c; c = c->next)
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && has_duplicate_names(c))
			return 1;
	if (!cJSON_IsObject(j))
		return 0;
	size_t n = 0;
	for (const cJSON *c = j->child; c; c = c->next)
		n++;
	if (n < 2)
		return 0;
	const char **names = malloc(n * sizeof *names);
	if (!names)
		return 1; /* cannot tell: refuse */
	size_t k = 0;
	for (const cJSON *c = j->child; c; c = c->next)
		names[k++] = c->string ? c->string : "";
	qsort(names, n, sizeof *names, name_cmp);
	int dup = 0;
	for (size_t i = 1; i < n && !dup; i++)
		dup = !strcmp(names[i - 1], names[i]);
	free(names);
	return dup;
}

cJSON *json_parse(const char *buf, size_t len, const char **why)
{
	if (!json_utf8_valid(buf, len)) {
		*why = "invalid_utf8";
		return NULL;
	}
	if (memchr(buf, '\0', len)) {
		*why = "malformed_json";
		return NULL;
	}
	const char *bad = json_prescan(buf, len, NULL);
	if (bad) {
		*why = bad;
		return NULL;
	}
	/* cJSON_GetErrorPtr is not thread-safe: we never call it. require_null_terminated
	 * rejects trailing garbage; it wants the terminating NUL inside the length, and the
	 * caller's buffer always has one at buf[len]. */
	cJSON *j = cJSON_ParseWithLengthOpts(buf, len + 1, NULL, 1);
	if (!j) {
		*why = "malformed_json";
		return NULL;
	}
	if (has_duplicate_names(j)) {
		cJSON_Delete(j);
		*why = "duplicate_member";
		return NULL;
	}
	return j;
}

void verr_add(verr *v, const char *field, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!v->list)
		v->list = cJSON_CreateArray();
	cJSON *e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "field", field);
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	cJSON_AddItemToArray(v->list, e);
	v->count++;
}

static size_t blank_at(const char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		return 1;
	return strncmp(s, "\xE3\x80\x80", 3) ? 0 : 3;
}

char *json_trim(char *s)
{
	for (size_t k; (k = blank_at(s));)
		s += k;
	size_t n = strlen(s);
	for (;;) {
		if (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
			n--;
		else if (n >= 3 && !strncmp(s + n - 3, "\xE3\x80\x80", 3))
			n -= 3;
		else
			break;
	}
	s[n] = 0;
	return s;
}

int json_blank(const char *s)
{
	for (size_t k; (k = blank_at(s));)
		s += k;
	return !*s;
}

/* The code point that starts s (valid UTF-8); *len receives its length. */
static unsigned utf8_at(const unsigned char *s, int *len)
{
	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if (s[0] < 0xE0) {
		*len = 2;
		return ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
	}
	if (s[0] < 0xF0) {
		*len = 3;
		return ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
	}
	*len = 4;
	return ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
}

int json_text_clean(const char *s, int allow_blanks)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int n;
		unsigned cp = utf8_at(p, &n);
		int hidden = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || cp == 0x061C ||
		             (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
		             (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF0 && cp <= 0xFFFB) ||
		             (cp >= 0xE0000 && cp <= 0xE007F);
		int blank = cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
		            cp == 0x202F || cp == 0x205F || cp == 0x3000;
		if (hidden || (blank && !allow_blanks))
			return 0;
		p += n;
	}
	return 1;
}

void json_only_fields(const cJSON *obj, const char *const *allowed, verr *v, const char *prefix)
{
	if (!cJSON_IsObject(obj))
		return;
	const cJSON *it;
	cJSON_ArrayForEach(it, obj) {
		int known = 0;
		for (int i = 0; allowed[i] && !known; i++)
			known = it->string && !strcmp(allowed[i], it->string);
		if (known)
			continue;
		const char *k = it->string ? it->string : "";
		size_t n = strlen(k);
		int plain = n > 0 && n <= 40 && strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
		char field[128];
		if (plain)
			snprintf(field, sizeof field, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", k);
		else
			snprintf(field, sizeof field, "%s", prefix ? prefix : "body");
		verr_add(v, field, "unknown_field", "%s is not a field here", plain ? k : "this key");
	}
}

cJSON *verr_take(verr *v)
{
	cJSON *l = v->list ? v->list : cJSON_CreateArray();
	v->list = NULL;
	v->count = 0;
	return l;
}

void verr_free(verr *v)
{
	cJSON_Delete(v->list);
	v->list = NULL;
	v->count = 0;
}

static const cJSON *member(const cJSON *obj, const char *key)
{
	if (!obj || !cJSON_IsObject(obj))
		return NULL;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (m && cJSON_IsNull(m))
		return NULL;
	return m;
}

static int absent(verr *v, const char *field, int required)
{
	if (required) {
		verr_add(v, field, "required", "%s is required", field);
		return -1;
	}
	return 0;
}

int json_get_str(const cJSON *obj, const char *key, const char **out, verr *v, const char *field, int required,
                 size_t min_chars, size_t max_chars)
{
	const cJSON *m = member(obj, key);
	if (!m)
		return absent(v, field, required);
	if (!cJSON_IsString(m) || !m->valuestring) {
		verr_add(v, field, "type", "%s must be a string", field);
		return -1;
	}
	/* JSON strings may carry \u0000; a C string would silently truncate, so refuse it. */
	const char *s = m->valuestring;
	size_t n = json_utf8_len(s);
	if (required && n == 0) {
		verr_add(v, field, "required", "%s must not be empty", field);
		return -1;
	}
	if (n < min_chars) {
		verr_add(v, field, "too_short", "%s must have at least %zu characters", field, min_chars);
		return -1;
	}
	if (n > max_chars) {
		verr_add(v, field, "too_long", "%s must have at most %zu characters", field, max_chars);
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r') {
			verr_add(v, field, "control_character", "%s contains a control character", field);
			return -1;
		}
	}
	*out = s;
	return 1;
}

int json_get_int(const cJSON *obj, const char *key, long long *out, verr *v, const char *field, int required,
                 long long min, long long max)
{
	const cJSON *m = member(obj, key);
	if (!m)
		return absent(v, field, required);
	if (!cJSON_IsNumber(m)) {
		verr_add(v, field, "type", "%s must be a number", field);
		return -1;
	}
	double d = m->valuedouble;
	if (!isfinite(d) || d != floor(d)) {
		verr_add(v, field, "not_integer", "%s must be a whole number", field);
		return -1;
	}
	if (fabs(d) > 9007199254740991.0) {
		verr_add(v, field, "out_of_range", "%s must be between %lld and %lld", field, min, max);
		return -1;
	}
	long long x = (long long)d;
	if (x < min || x > max) {
		verr_add(v, field, "out_of_range", "%s must be between %lld and %lld", field, min, max);
		return -1;
	}
	*out = x;
	return 1;
}

int json_get_bool(const cJSON *obj, const char *key, int *out, verr *v, const char *field, int required)
{
	const cJSON *m = member(obj, key);
	if (!m)
		return absent(v, field, required);
	if (!cJSON_IsBool(m)) {
		verr_add(v, field, "type", "%s must be true or false", field);
		return -1;
	}
	*out = cJSON_IsTrue(m);
	return 1;
}

int json_get_enum(const cJSON *obj, const char *key, const char **out, const char *const *choices, verr *v,
                  const char *field, int required)
{
	const cJSON *m = member(obj, key);
	if (!m)
		return absent(v, field, required);
	if (!cJSON_IsString(m)) {
		verr_add(v, field, "type", "%s must be a string", field);
		return -1;
	}
	for (const char *const *c = choices; *c; c++) {
		if (strcmp(*c, m->valuestring) == 0) {
			*out = *c;
			return 1;
		}
	}
	char list[400] = "";
	for (const char *const *c = choices; *c; c++) {
		if (strlen(list) + strlen(*c) + 3 >= sizeof list)
			break;
		if (*list)
			strcat(list, ", ");
		strcat(list, *c);
	}
	verr_add(v, field, "invalid_choice", "%s must be one of: %s", field, list);
	return -1;
}

int json_get_object(const cJSON *obj, const char *key, const cJSON **out, verr *v, const char *field, int required)
{
	const cJSON *m = member(obj, key);
	if (!m)
		return absent(v, field, required);
	if (!cJSON_IsObject(m)) {
		verr_add(v, field, "type", "%s must be an object", field);
		return -1;
	}
	*out = m;
	return 1;
}

int json_get_array(const cJSON *obj, const char *key, const cJSON **out, verr *v, const char *field, int required,
                   int max_items)
{
	const cJSON *m = member(obj, key);
	if (!m)
		return absent(v, field, required);
	if (!cJSON_IsArray(m)) {
		verr_add(v, field, "type", "%s must be an array", field);
		return -1;
	}
	if (cJSON_GetArraySize(m) > max_items) {
		verr_add(v, field, "too_many", "%s must have at most %d items", field, max_items);
		return -1;
	}
	*out = m;
	return 1;
}

char *json_print(const cJSON *j)
{
	return cJSON_PrintUnformatted(j);
}

cJSON *json_add_str_or_null(cJSON *obj, const char *key, const char *s)
{
	return s ? cJSON_AddStringToObject(obj, key, s) : cJSON_AddNullToObject(obj, key);
}

const char *json_str_member(const cJSON *o, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(m) ? m->valuestring : NULL;
}

int str_in_list(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

cJSON *json_merge_patch(cJSON *target, const cJSON *patch)
{
	if (!cJSON_IsObject(patch)) {
		cJSON_Delete(target);
		return cJSON_Duplicate(patch, 1);
	}
	if (!cJSON_IsObject(target)) {
		cJSON_Delete(target);
		target = cJSON_CreateObject();
		if (!target)
			return NULL;
	}
	const cJSON *p;
	cJSON_ArrayForEach(p, patch) {
		if (!p->string)
			continue;
		if (cJSON_IsNull(p)) {
			cJSON_DeleteItemFromObjectCaseSensitive(target, p->string);
			continue;
		}
		cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(target, p->string);
		cJSON *nv = json_merge_patch(old, p);
		if (nv)
			cJSON_AddItemToObject(target, p->string, nv);
	}
	return target;
}

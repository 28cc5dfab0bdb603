/* json.h — safe JSON in, field-level validation errors out.
 *
 * json_parse refuses invalid UTF-8, nesting deeper than JSON_MAX_DEPTH and trailing
 * garbage before cJSON ever sees the text. The typed getters validate one field each and
 * record a problem in a verr (field path, stable code, message) instead of failing fast, so a
 * 422 lists every bad field at once.
 */
#ifndef SANZHI_JSON_H
#define SANZHI_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define JSON_MAX_DEPTH 32
/* Values (members, elements, containers) a request body may hold. A parsed value costs cJSON
 * about 100 bytes whatever its text: "[0,0,0,…]" of 1 MiB was half a million of them, 50 MiB of
 * tree. The largest body the API describes (an application with its 100-item lists) has a few
 * thousand. */
#define JSON_MAX_VALUES 20000

/* What one pass over a body's text finds before anything is built from it. */
typedef struct json_shape {
	size_t values;     /* an upper bound of the values cJSON would allocate */
	size_t tree_bytes; /* an upper bound of the memory their tree would take */
} json_shape;

/* The pre-scan json_parse runs first, for a caller that must know the cost before parsing (to
 * take it from a memory budget): NULL when the text may be parsed, else the code json_parse would
 * give: "too_deep", "too_many_values", "nul_escape". */
const char *json_prescan(const char *buf, size_t len, json_shape *shape);
/* The largest amount of money taken, in fen (just under ¥10 trillion): every integer below 10^15
 * is printed back digit for digit, where larger ones would come back as 1e+15. */
#define JSON_FEN_MAX 999999999999999LL

/* Parses a request body. On failure returns NULL and sets *why to a static code:
 * "invalid_utf8", "too_deep", "malformed_json", "duplicate_member" (an object names a member twice),
 * "nul_escape" (a string holds \u0000), "too_many_values" (over JSON_MAX_VALUES). */
cJSON *json_parse(const char *buf, size_t len, const char **why);

/* 1 if buf is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF), else 0. */
int json_utf8_valid(const char *buf, size_t len);
/* Number of code points in a valid UTF-8 string. */
size_t json_utf8_len(const char *s);

/* Validation errors: a list of {field, code, message}. */
typedef struct verr {
	cJSON *list; /* array, created on first error */
	int count;
} verr;

void verr_add(verr *v, const char *field, const char *code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Hands over the list (caller owns it) and resets v. */
cJSON *verr_take(verr *v);
void verr_free(verr *v);

enum { JSON_OPTIONAL = 0, JSON_REQUIRED = 1 };

/* Each getter: absent (or null) and optional -> returns 0 leaving *out untouched (getters return 0);
 * absent and required -> "required"; wrong type -> "type"; out of bounds -> "too_long",
 * "too_short", "out_of_range", "not_integer". Returns 1 when a value was stored, 0 when absent,
 * -1 when an error was recorded. field is the path used in the error ("contact.phone"). */
int json_get_str(const cJSON *obj, const char *key, const char **out, verr *v, const char *field, int required,
                 size_t min_chars, size_t max_chars);
/* Integers must be whole numbers within [min, max] (and within +/-2^53). */
int json_get_int(const cJSON *obj, const char *key, long long *out, verr *v, const char *field, int required,
                 long long min, long long max);
int json_get_bool(const cJSON *obj, const char *key, int *out, verr *v, const char *field, int required);
/* String restricted to one of a NULL-terminated list; error code "invalid_choice". */
int json_get_enum(const cJSON *obj, const char *key, const char **out, const char *const *choices, verr *v,
                  const char *field, int required);
/* Object or array, by type. */
int json_get_object(const cJSON *obj, const char *key, const cJSON **out, verr *v, const char *field, int required);
int json_get_array(const cJSON *obj, const char *key, const cJSON **out, verr *v, const char *field, int required,
                   int max_items);

/* Trims blanks (ASCII white space and U+3000) from both ends of s in place: returns the first
 * character kept and ends the string after the last. */
char *json_trim(char *s);
/* 1 when s holds nothing but blanks (ASCII white space and the ideographic space U+3000). */
int json_blank(const char *s);
/* The string member key of o, or NULL when absent or not a string. */
const char *json_str_member(const cJSON *o, const char *key);
/* 1 if s is one of the NULL-terminated list, else 0 (s NULL: 0). */
int str_in_list(const char *const *list, const char *s);

/* 1 when s (valid UTF-8) holds no control character and no invisible or formatting one (zero
 * widths, direction marks and overrides, soft hyphen, byte-order mark, tags) — text that would
 * display as something it is not; with allow_blanks 0, no blank of any width either (a name). */
int json_text_clean(const char *s, int allow_blanks);

/* Records "unknown_field" for every member of obj not in allowed (NULL-terminated). The error's
 * field is prefix.key ("members.foo"; just key without a prefix), or prefix (or "body") alone when
 * the key is not a plain snake_case name, so a hostile key is never echoed. */
void json_only_fields(const cJSON *obj, const char *const *allowed, verr *v, const char *prefix);

/* RFC 7386 JSON merge patch: objects merge member by member, null removes, anything else
 * replaces. Takes target over (NULL: none); returns the result (NULL when out of memory). */
cJSON *json_merge_patch(cJSON *target, const cJSON *patch);

/* Serialises without formatting; malloc'd. */
char *json_print(const cJSON *j);

/* Adds s as a string, or null when s is NULL. */
cJSON *json_add_str_or_null(cJSON *obj, const char *key, const char *s);

#endif

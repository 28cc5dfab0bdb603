/* bureau.c — GET /api/v1/bureau (public): who the registration authority is and how to reach
 * it (configuration: bureau_name, bureau_phone, bureau_address, bureau_hours), with the periods
 * an applicant can count on (the rules' values, so that what the pages promise is what the
 * workflow does). */
#include "api.h"
#include "config.h"

static void add_str(cJSON *o, const char *key, const char *value)
{
	json_add_str_or_null(o, key, *value ? value : NULL);
}

static void bureau_get(http_req *req)
{
	cJSON *o = cJSON_CreateObject();
	if (!o) {
		http_problem(req, 503, "overloaded", "not enough memory now; retry");
		return;
	}
	add_str(o, "name", cfg.bureau_name);
	add_str(o, "phone", cfg.bureau_phone);
	add_str(o, "address", cfg.bureau_address);
	add_str(o, "hours", cfg.bureau_hours);
	cJSON *periods = cJSON_AddObjectToObject(o, "periods");
	/* 行政许可法 Art. 32, 82: supplements are asked for within these working days of submission. */
	cJSON_AddNumberToObject(periods, "supplement_window_working_days", (double)rule(RULE_supplement_window_days));
	cJSON_AddNumberToObject(periods, "decision_days", (double)rule(RULE_decision_days));
	cJSON_AddNumberToObject(periods, "decision_days_charity", (double)rule(RULE_decision_days_charity));
	cJSON_AddBoolToObject(periods, "decision_days_working", rule(RULE_decision_days_working) != 0);
	http_reply_data(req, 200, o, 0);
}

const route bureau_routes[] = {
	{ "GET", "/api/v1/bureau", bureau_get, ROLES_PUBLIC, R_NO_DB },
	{ NULL, NULL, NULL, 0, 0 },
};

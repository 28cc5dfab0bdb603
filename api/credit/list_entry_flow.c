/* list_entry_flow.c — the workflow of credit-list entries (SPEC §5): the transition table, the
 * guard on early removal from the serious list, the effect of a removal, and how an entry is
 * created and shown. The routes are list_entries.c. */
#include "list_entry_flow.h"
#include "credit.h"
#include "feed.h"
#include "notifications.h"
#include "orgs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REG ROLE_REGISTRAR

#define FSM_DEF_FILE "list_entry.def"
#include "fsm_names.h"

const char *const le_lists[] = { "abnormal", "serious", NULL };
const char *const le_abnormal_reasons[] = { "annual_report_late", "unreachable", "rectification_incomplete",
	                                    "small_penalty",      "other",       NULL };
const char *const le_serious_reasons[] = { "abnormal_two_years", "large_fine",      "suspension", "revocation",
	                                   "repeated_penalties", "court_dishonest", "other",      NULL };

const char *const *le_reasons(enum le_list l)
{
	return l == LE_SERIOUS ? le_serious_reasons : le_abnormal_reasons;
}

int le_list_of(const char *s)
{
	for (int i = 0; le_lists[i]; i++)
		if (s && !strcmp(le_lists[i], s))
			return i;
	return -1;
}

/* --- the entry as JSON ------------------------------------------------------------------- */

/* The references an automatic entry may carry (Appendix B: event ids, years), and the entry that
 * led to another (abnormal_two_years). */
static const char *const evidence_refs[] = { "event_ids", "years", "list_entry_ids", NULL };

static void write_evidence(jw *w, const char *text)
{
	cJSON *e = text ? cJSON_Parse(text) : NULL;
	jw_key(w, "evidence");
	if (cJSON_IsString(e)) {
		jw_str(w, e->valuestring);
	} else if (cJSON_IsObject(e)) {
		jw_obj(w);
		for (int k = 0; evidence_refs[k]; k++) {
			const cJSON *ids = cJSON_GetObjectItemCaseSensitive(e, evidence_refs[k]), *it;
			if (!cJSON_IsArray(ids))
				continue;
			jw_key(w, evidence_refs[k]);
			jw_arr(w);
			cJSON_ArrayForEach(it, ids)
				if (cJSON_IsNumber(it))
					jw_int(w, (long long)it->valuedouble);
			jw_arr_end(w);
		}
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	cJSON_Delete(e);
}

void le_fields(jw *w, const db_res *r, int row)
{
	jw_kint(w, "id", db_int(r, row, LC_ID));
	jw_kstr(w, "list", db_val(r, row, LC_LIST));
	jw_kstr(w, "reason", db_val(r, row, LC_REASON));
	jw_kstr(w, "rule", db_val(r, row, LC_RULE));
	write_evidence(w, db_val(r, row, LC_EVIDENCE));
	jw_kstr(w, "listed_on", db_val(r, row, LC_LISTED));
	usec_t fixed_at = 0;
	const char *fixed = db_val(r, row, LC_CAUSE_FIXED);
	if (fixed && clock_parse(fixed, &fixed_at) == 0) {
		char fixed_on[16], due_on[16];
		int64_t day = clock_local_day(fixed_at);
		clock_fmt_date(day, fixed_on);
		clock_fmt_date(clock_add_working_days(day, (int)rule(RULE_abnormal_removal_working_days)), due_on);
		jw_kstr(w, "cause_fixed_on", fixed_on);
		jw_kstr(w, "removal_due_on", due_on);
	} else {
		jw_kstr(w, "cause_fixed_on", NULL);
		jw_kstr(w, "removal_due_on", NULL);
	}
	jw_kstr(w, "removed_on", db_val(r, row, LC_REMOVED));
	jw_kstr(w, "removal_reason", db_val(r, row, LC_REMOVAL_REASON));
	jw_kstr(w, "removal_rule", db_val(r, row, LC_REMOVAL_RULE));
	jw_kstr(w, "status", db_val(r, row, LC_STATUS));
	jw_kint(w, "version", db_int(r, row, LC_VERSION));
}

cJSON *le_json(const db_res *r, int row)
{
	jw w;
	jw_init(&w, 1u << 20);
	jw_obj(&w);
	le_fields(&w, r, row);
	jw_obj_end(&w);
	size_t len;
	char *text = jw_take(&w, &len);
	cJSON *o = text ? cJSON_Parse(text) : NULL;
	free(text);
	return o ? o : cJSON_CreateObject();
}

int le_current_write(db_conn *c, const char *uscc, jw *w)
{
	db_res *r;
	int rc = db_query(
	        c, "SELECT " LE_COLUMNS " FROM list_entries WHERE uscc = ? AND status = ? ORDER BY id LIMIT 1000",
	        DBP(DBS(uscc), DBS(state_names[LE_listed])), &r);
	if (rc)
		return rc;
	jw_arr(w);
	for (int i = 0; i < r->nrows; i++) {
		jw_obj(w);
		le_fields(w, r, i);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	db_res_free(r);
	return 0;
}

/* {field: "lists.<list>", old, new}: what a listing or a removal changed. */
static cJSON *list_change(const char *list, const char *old, const char *nv)
{
	cJSON *a = cJSON_CreateArray(), *e = cJSON_CreateObject();
	char f[32];
	snprintf(f, sizeof f, "lists.%s", list);
	cJSON_AddStringToObject(e, "field", f);
	cJSON_AddItemToObject(e, "old", old ? cJSON_CreateString(old) : cJSON_CreateNull());
	cJSON_AddItemToObject(e, "new", nv ? cJSON_CreateString(nv) : cJSON_CreateNull());
	cJSON_AddItemToArray(a, e);
	return a;
}

/* The reasons in the words of the notice (民政部《社会组织信用信息管理办法》). */
static const char *reason_zh(const char *reason)
{
	static const struct {
		const char *code, *zh;
	} words[] = {
		{ "annual_report_late", "未按规定报送年度工作报告" },
		{ "unreachable", "通过登记的住所无法与其取得联系" },
		{ "rectification_incomplete", "未按登记管理机关要求完成整改" },
		{ "small_penalty", "受到警告或者较小数额罚款的行政处罚" },
		{ "abnormal_two_years", "被列入活动异常名录满 2 年" },
		{ "large_fine", "受到较大数额罚款的行政处罚" },
		{ "suspension", "被限期停止活动" },
		{ "revocation", "被撤销登记或吊销登记证书" },
		{ "repeated_penalties", "多次受到警告或较小数额罚款的行政处罚" },
		{ "court_dishonest", "被人民法院列为失信被执行人" },
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (!strcmp(words[i].code, reason))
			return words[i].zh;
	return "其他情形";
}

/* The applicant acting for the organization is told, in the listing's transaction. */
static int notify_owner(tx *t, const char *uscc, const le_listing *l, long long id)
{
	db_res *r;
	int rc = db_query(t->c, "SELECT owner_user_id, name FROM orgs WHERE uscc = ?", DBP(DBS(uscc)), &r);
	if (rc)
		return rc;
	if (r->nrows != 1 || db_isnull(r, 0, 0)) {
		db_res_free(r);
		return 0;
	}
	int serious = l->list == LE_SERIOUS;
	const char *list = serious ? "严重违法失信名单" : "活动异常名录";
	char day[16], ids[24], subject[256], body[2048];
	clock_fmt_date(l->on, day);
	snprintf(ids, sizeof ids, "%lld", id);
	snprintf(subject, sizeof subject, "【信用信息】%s被列入%s", db_val(r, 0, 1), list);
	snprintf(body, sizeof body,
	         "您好：\n\n您所代表的社会组织“%s”（统一社会信用代码：%s）于 %s 被列入%s（列入记录编号 %lld）。\n\n"
	         "列入事由：%s。\n\n"
	         "下一步：%s如对列入决定有异议，可以向登记管理机关提出书面申请并提交相关证明材料，"
	         "也可以依法申请行政复议或者提起行政诉讼。列入期间，该组织不能参加政府购买服务投标。\n\n"
	         "（本通知由社会组织登记管理平台自动发送，请勿直接回复。）\n",
	         db_val(r, 0, 1), uscc, day, list, id, reason_zh(l->reason),
	         serious ? "请依法纠正违法行为；自列入之日起满 2 年且未再发生列入情形的，可申请移出。"
	                 : "请尽快纠正相关情形（如补报年度工作报告），完成后向登记管理机关申请移出。");
	notice n = { db_int(r, 0, 0),
		     serious ? "credit.listed_serious" : "credit.listed_abnormal",
		     "list_entry",
		     ids,
		     subject,
		     body,
		     NULL };
	rc = notify(t->c, &n);
	db_res_free(r);
	return rc < 0 ? rc : 0;
}

int le_insert(tx *t, const char *uscc, const le_listing *l, long long *id)
{
	char now[32], day[16];
	clock_fmt_db(clock_now(), now);
	clock_fmt_date(l->on, day);
	unsigned long long nid = 0;
	int rc = db_exec(t->c,
	                 "INSERT INTO list_entries (uscc, list, reason, rule, rule_key, evidence, listed_on, status, "
	                 "version, actor_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
	                 DBP(DBS(uscc), DBS(le_lists[l->list]), DBS(l->reason), DBS(l->rule), DBS(l->rule_key),
	                     DBS(l->evidence), DBS(day), DBS(state_names[LE_listed]),
	                     t->user ? DBI(t->user->id) : DBNULL, DBS(now), DBS(now)),
	                 NULL, &nid);
	if (!rc)
		rc = db_exec(t->c, "INSERT IGNORE INTO org_lists (list, uscc) VALUES (?, ?)",
		             DBP(DBS(le_lists[l->list]), DBS(uscc)), NULL, NULL);
	if (rc)
		return rc;
	*id = (long long)nid;
	cJSON *ch = list_change(le_lists[l->list], NULL, l->reason);
	rc = credit_org_event(t, uscc, "listing", l->on, l->reason, ch);
	cJSON_Delete(ch);
	if (rc)
		return rc;
	cJSON *s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "org_uscc", uscc);
	cJSON_AddStringToObject(s, "list", le_lists[l->list]);
	cJSON_AddStringToObject(s, "reason", l->reason);
	if (l->rule) {
		cJSON_AddStringToObject(s, "rule", l->rule);
		cJSON_AddStringToObject(s, "rule_key", l->rule_key ? l->rule_key : "");
	}
	cJSON_AddStringToObject(s, "listed_on", day);
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", *id);
	rc = audit_append(t->c, t->user, "list_entry.create", list_entry_flow.object, ids, s);
	cJSON_Delete(s);
	if (!rc)
		rc = feed_add(t->c, "credit", ids, "list", state_names[LE_listed]);
	return rc ? rc : notify_owner(t, uscc, l, *id);
}

/* --- guards and effects ------------------------------------------------------------------ */

static const le_args *args_of(const fsm_run *r)
{
	static const le_args none = { 0 };
	return r->arg ? r->arg : &none;
}

/* SPEC §5: removal from the serious list only after serious_removal_years without new grounds —
 * counted from this listing or any later one of the organization, whichever is last. */
static int guard_remove(fsm_run *run)
{
	const db_res *row = run->row;
	if (le_list_of(db_val(row, 0, LC_LIST)) != LE_SERIOUS)
		return 0;
	db_res *r;
	int rc = db_query(run->t->c, "SELECT MAX(listed_on) FROM list_entries WHERE uscc = ? AND listed_on >= ?",
	                  DBP(DBS(db_val(row, 0, LC_USCC)), DBS(db_val(row, 0, LC_LISTED))), &r);
	if (rc)
		return rc;
	int64_t since = 0;
	const char *last = r->nrows ? db_val(r, 0, 0) : NULL;
	if (!last || clock_parse_date(last, &since) < 0)
		clock_parse_date(db_val(row, 0, LC_LISTED), &since);
	db_res_free(r);
	int64_t earliest = clock_add_months(since, (int)(12 * rule(RULE_serious_removal_years)));
	if (clock_local_day(clock_now()) >= earliest)
		return 0;
	char e[16], s[16];
	clock_fmt_date(earliest, e);
	clock_fmt_date(since, s);
	rc = tx_refuse(run->t, 422, "too_early",
	               "an organization leaves the serious list only after %lld years without new grounds (since %s): "
	               "not before %s",
	               rule(RULE_serious_removal_years), s, e);
	tx_problem_add(run->t, "earliest_removal", cJSON_CreateString(e));
	return rc;
}

static int effect_remove(fsm_run *run)
{
	const db_res *row = run->row;
	const char *reason = args_of(run)->reason;
	int64_t today = args_of(run)->on ? args_of(run)->on : clock_local_day(clock_now());
	char day[16];
	clock_fmt_date(today, day);
	int rc = db_exec(run->t->c,
	                 "UPDATE list_entries SET removed_on = ?, removal_reason = ?, removal_rule = ? WHERE id = ?",
	                 DBP(DBS(day), DBS(reason), DBS(args_of(run)->rule), DBI(run->id)), NULL, NULL);
	if (rc)
		return rc;
	const char *list = db_val(row, 0, LC_LIST), *uscc = db_val(row, 0, LC_USCC);
	cJSON *ch = list_change(list, db_val(row, 0, LC_REASON), NULL);
	rc = credit_org_event(run->t, uscc, "delisting", today, reason, ch);
	cJSON_Delete(ch);
	/* The organization leaves the register's org_lists when this was its last current entry on
	 * the list. credit_org_event has locked the organization's row, so a concurrent removal of
	 * its other entry waits, and then (READ COMMITTED) sees this one gone. The effect runs before
	 * the entry's own move, hence the id left out. */
	if (!rc)
		rc = db_exec(run->t->c,
		             "DELETE FROM org_lists WHERE list = ? AND uscc = ? AND NOT EXISTS (SELECT 1 FROM "
		             "list_entries e WHERE e.uscc = ? AND e.list = ? AND e.status = ? AND e.id <> ?)",
		             DBP(DBS(list), DBS(uscc), DBS(uscc), DBS(list), DBS(state_names[LE_listed]), DBI(run->id)),
		             NULL, NULL);
	cJSON_AddStringToObject(run->summary, "org_uscc", uscc);
	cJSON_AddStringToObject(run->summary, "list", list);
	cJSON_AddStringToObject(run->summary, "removed_on", day);
	cJSON_AddStringToObject(run->summary, "reason", reason ? reason : "");
	return rc;
}

static int refuse(fsm_run *run, int state)
{
	if ((run->action == LE_DO_remove || run->action == LE_DO_lapse) && state == LE_removed)
		return fsm_conflict(run, state, "already_removed", "this entry was removed on %s",
		                    db_val(run->row, 0, LC_REMOVED) ? db_val(run->row, 0, LC_REMOVED)
		                                                    : "an earlier day");
	return 0;
}

/* Every removal, the registrar's or the sweep's, is a public change of the lists (feed.h). */
static int moved(fsm_run *run)
{
	char ids[24];
	snprintf(ids, sizeof ids, "%lld", run->id);
	return feed_add(run->t->c, "credit", ids, fsm_action_name(run->def, run->tr->action),
	                fsm_state_name(run->def, run->tr->to));
}

/* --- the table ------------------------------------------------------------------------------ */

/* SPEC §5 lists. */
static const fsm_transition transitions[] = {
	{ LE_listed, LE_DO_remove, LE_removed, REG, guard_remove, effect_remove, NULL },
	{ LE_listed, LE_DO_lapse, LE_removed, FSM_SYSTEM, NULL, effect_remove, NULL },
};

const fsm_def list_entry_flow = {
	.object = "list_entry",
	.sql_read = "SELECT " LE_COLUMNS " FROM list_entries WHERE id = ?",
	.sql_lock = "SELECT " LE_COLUMNS " FROM list_entries WHERE id = ? FOR UPDATE",
	.sql_move = "UPDATE list_entries SET status = ?, version = version + 1, updated_at = ? WHERE id = ?",
	.sql_in_state = NULL,
	.col_id = LC_ID,
	.col_status = LC_STATUS,
	.col_version = LC_VERSION,
	.states = state_names,
	.nstates = LE_NSTATES,
	.actions = action_names,
	.nactions = LE_NACTIONS,
	.transitions = transitions,
	.ntransitions = sizeof transitions / sizeof transitions[0],
	.timers = NULL,
	.ntimers = 0,
	.visible = NULL,
	.refuse = refuse,
	.moved = moved,
	.what = "list entry",
	.path = "/api/v1/orgs/{uscc}/list-entries/{id}",
};

/* How many lists the organization is on now (credit.h). */
int credit_listings(db_conn *c, const char *uscc, long long *n)
{
	db_res *r;
	int rc = db_query(c, "SELECT COUNT(*) FROM list_entries WHERE uscc = ? AND status = ?",
	                  DBP(DBS(uscc), DBS(fsm_state_name(&list_entry_flow, LE_listed))), &r);
	if (rc)
		return rc;
	*n = db_int(r, 0, 0);
	db_res_free(r);
	return 0;
}

/* application_notify.c — the applicant's notices of its application's moves (see
 * application_notify.h). The texts are Chinese, as the applicants read them; each says the
 * application number and what to do next. */
#include "application_notify.h"
#include "application_flow.h"
#include "buf.h"
#include "field_labels.h"
#include "notifications.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NOTICE_MAX = 16384 };

static const char *kind_label(enum app_kind k)
{
	switch (k) {
	case APP_CHANGE:
		return "变更登记";
	case APP_DEREGISTER:
		return "注销登记";
	default:
		return "成立登记";
	}
}

static const struct {
	const char *kind, *title;
} notices[] = {
	[APP_NOTICE_SUPPLEMENT] = { "application.supplement_requested", "补正告知" },
	[APP_NOTICE_ACCEPTED] = { "application.accepted", "受理通知" },
	[APP_NOTICE_DEEMED] = { "application.deemed_accepted", "视为受理通知" },
	[APP_NOTICE_APPROVED] = { "application.approved", "准予登记" },
	[APP_NOTICE_REJECTED] = { "application.rejected", "不予登记" },
};

int app_notify(fsm_run *run, enum app_notice what, const char *detail, const cJSON *items)
{
	const db_res *r = run->row;
	long long id = db_int(r, 0, AC_ID);
	const char *name = db_val(r, 0, AC_NAME);
	if (!name || !*name)
		name = "（未命名）";
	const char *kind = kind_label(app_kind_of(r, 0));
	char ids[24], subject[256];
	snprintf(ids, sizeof ids, "%lld", id);
	snprintf(subject, sizeof subject, "【%s】%s申请（编号 %lld）", notices[what].title, kind, id);

	dynbuf b;
	buf_init(&b, NOTICE_MAX);
	buf_addf(&b, "您好：\n\n您提交的“%s”%s申请（申请编号：%lld）", name, kind, id);
	switch (what) {
	case APP_NOTICE_SUPPLEMENT: {
		buf_adds(&b, "经审查，需要补正以下材料或内容（根据《行政许可法》第三十二条，一次告知全部内容）：\n\n");
		int n = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, items) {
			const cJSON *f = cJSON_GetObjectItemCaseSensitive(it, "field");
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(it, "message");
			buf_addf(&b, "%d. %s%s%s\n", ++n, cJSON_IsString(f) ? app_field_label(f->valuestring) : "",
			         cJSON_IsString(f) ? "：" : "", cJSON_IsString(m) ? m->valuestring : "");
		}
		buf_adds(&b, "\n下一步：请登录平台，打开该申请，按上述事项修改内容、补充材料后重新提交。"
		             "重新提交后登记机关将继续审查。\n");
		break;
	}
	case APP_NOTICE_ACCEPTED:
		buf_addf(&b,
		         "已于今日受理。\n\n登记机关将在 %s 前作出决定。\n\n"
		         "下一步：您无需操作，请留意后续通知；可随时登录平台查看申请状态。\n",
		         detail ? detail : "法定期限");
		break;
	case APP_NOTICE_DEEMED:
		buf_addf(&b,
		         "在法定期限内未被要求补正，依照《行政许可法》第三十二条，自提交之日起视为受理。\n\n"
		         "登记机关将在 %s 前作出决定。\n\n"
		         "下一步：您无需操作，请留意后续通知；可随时登录平台查看申请状态。\n",
		         detail ? detail : "法定期限");
		break;
	case APP_NOTICE_APPROVED:
		buf_addf(&b,
		         "已准予登记。\n\n统一社会信用代码：%s\n\n"
		         "下一步：请登录平台查看并下载登记证书（/api/v1/orgs/%s/certificate），"
		         "并按规定于每年 5 月 31 日前报送上一年度工作报告。\n",
		         detail ? detail : "", detail ? detail : "");
		break;
	case APP_NOTICE_REJECTED:
		buf_addf(&b,
		         "经审查，决定不予登记。\n\n理由：%s\n\n"
		         "下一步：如对本决定不服，可以依法申请行政复议或者提起行政诉讼；"
		         "也可以在消除上述情形后重新提出申请。\n",
		         detail ? detail : "");
		break;
	}
	buf_adds(&b, "\n（本通知由社会组织登记管理平台自动发送，请勿直接回复。）\n");
	char *body = buf_take(&b, NULL);
	if (!body)
		return DB_ERROR;
	notice n = { db_int(r, 0, AC_APPLICANT), notices[what].kind, "application", ids, subject, body, NULL };
	int rc = notify(run->t->c, &n);
	free(body);
	return rc < 0 ? rc : 0;
}

/* field_labels.c — see field_labels.h. The same names as the UI's (admin-ui/js/i18n.js field.*,
 * doc.*). */
#include "field_labels.h"

#include <string.h>

static const struct {
	const char *field, *label;
} labels[] = {
	{ "name", "名称" },
	{ "legal_form", "组织形式" },
	{ "category", "直接登记类别" },
	{ "region_code", "行政区划" },
	{ "domicile", "住所" },
	{ "business_scope", "业务范围" },
	{ "activity_area", "活动地域" },
	{ "funds_fen", "注册资金/原始基金" },
	{ "legal_representative", "法定代表人" },
	{ "legal_representative.name", "法定代表人姓名" },
	{ "legal_representative.id_number", "法定代表人身份证号" },
	{ "members", "会员" },
	{ "directors", "理事" },
	{ "contact", "联系人" },
	{ "contact.name", "联系人姓名" },
	{ "contact.phone", "联系人电话" },
	{ "contact.email", "联系人邮箱" },
	{ "reason", "理由" },
	{ "documents.application_letter", "登记申请书" },
	{ "documents.charter", "章程草案" },
	{ "documents.domicile_proof", "住所证明" },
	{ "documents.fund_verification", "验资证明" },
	{ "documents.legal_rep_id", "法定代表人身份证明" },
	{ "documents.other", "其他材料" },
};

const char *app_field_label(const char *field)
{
	if (!field)
		return "";
	/* A change application's fields are the register's own: "changes.domicile" is 住所 too. */
	const char *key = strncmp(field, "changes.", 8) ? field : field + 8;
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (!strcmp(labels[i].field, key))
			return labels[i].label;
	/* A bare document kind names the document too ("charter"). */
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (!strncmp(labels[i].field, "documents.", 10) && !strcmp(labels[i].field + 10, key))
			return labels[i].label;
	return field;
}

/* region.c — lookups in the generated GB/T 2260 table. */
#include "region.h"

#include <stdlib.h>
#include <string.h>

static int code_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const region *)elem)->code);
}

const region *region_find(const char *code)
{
	if (!code)
		return NULL;
	for (int i = 0; i < REGION_CODE_LEN; i++)
		if (code[i] < '0' || code[i] > '9')
			return NULL;
	if (code[REGION_CODE_LEN] != '\0')
		return NULL;
	return bsearch(code, region_table, region_count, sizeof region_table[0], code_cmp);
}

const char *region_name(const region *r)
{
	return r->name;
}

int region_level(const region *r)
{
	return r->level;
}

const region *region_parent(const region *r)
{
	return r->parent[0] ? region_find(r->parent) : NULL;
}

int region_contains(const region *outer, const region *inner)
{
	for (const region *p = inner; p && outer; p = region_parent(p))
		if (p == outer)
			return 1;
	return 0;
}

/* 社会组织名称管理办法 (民政部令第69号, 2024) Art. 8: a locally registered organization's name
 * starts with the 行政区划名称, then its field, then its organizational form. That is the region's
 * official GB/T 2260 name (海盐县, 浙江省, 北京市): the short forms without 省/市/自治区 (浙江…,
 * 北京…) are not accepted, because provincial practice asks for the full name (Guangdong's
 * 粤民函〔2016〕840号 Art. 5 wants 广东省 on provincial groups, the city's full name on city groups,
 * and a 市辖区 preceded by its city). Following that last practice, the name may also carry the
 * names of the regions above it, from any level down to the region itself: 海盐县…, 嘉兴市海盐县…
 * or 浙江省嘉兴市海盐县… for 330424. Where a province insists on the city before a 市辖区, the
 * reviewer applies that stricter form; it is not enforced here. */
int region_name_prefix_ok(const region *r, const char *org_name)
{
	if (!r || !org_name)
		return 0;
	const region *chain[REGION_COUNTY];
	int depth = 0;
	for (const region *p = r; p && depth < REGION_COUNTY; p = region_parent(p))
		chain[depth++] = p;
	size_t best = 0;
	for (int top = 0; top < depth; top++) {
		const char *s = org_name;
		int ok = 1;
		for (int k = top; k >= 0 && ok; k--) {
			size_t n = strlen(chain[k]->name);
			if (strncmp(s, chain[k]->name, n) == 0)
				s += n;
			else
				ok = 0;
		}
		if (ok && (size_t)(s - org_name) > best)
			best = (size_t)(s - org_name);
	}
	return (int)best;
}

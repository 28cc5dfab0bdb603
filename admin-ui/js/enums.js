// enums.js — the enumerations of the API (SPEC §3, §4, Appendix A), in display order.

export const ROLES = ['applicant', 'registrar', 'purchaser', 'evaluator', 'admin'];
export const LEGAL_FORMS = ['social_group', 'social_service_institution', 'foundation'];
export const CATEGORIES = ['industry_association', 'science_technology', 'public_welfare', 'community_service'];
export const APP_STATUSES = ['draft', 'submitted', 'supplement_requested', 'accepted', 'approved', 'rejected', 'withdrawn'];
export const ORG_STATUSES = ['registered', 'deregistered'];
export const GRADES = ['5A', '4A', '3A', '2A', '1A'];
export const DOC_KINDS = ['application_letter', 'charter', 'domicile_proof', 'fund_verification', 'legal_rep_id'];
export const DOC_MEDIA_TYPES = { pdf: 'application/pdf', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' };

// Fields of an establishment application a registrar can ask to supplement.
export const APPLICATION_FIELDS = [
	'name', 'legal_form', 'category', 'region_code', 'domicile', 'business_scope', 'activity_area', 'funds_fen',
	'legal_representative.name', 'legal_representative.id_number', 'members', 'directors',
	'contact.name', 'contact.phone', 'contact.email',
	...DOC_KINDS.map((k) => `documents.${k}`),
];

// What a change application may change (SPEC §4; api/registry_rules.c `changeable`), in display order.
export const CHANGE_FIELDS = ['name', 'domicile', 'business_scope', 'activity_area', 'funds_fen', 'legal_representative'];
// The document that supports each change.
export const CHANGE_DOC_KINDS = {
	name: 'charter', business_scope: 'charter', activity_area: 'charter',
	domicile: 'domicile_proof', funds_fen: 'fund_verification', legal_representative: 'legal_rep_id',
};
// Kinds an application may hold several of; of the others a new upload replaces the old.
export const MULTI_DOC_KINDS = ['other'];
export const PENDING_STATUSES = ['submitted', 'supplement_requested', 'accepted'];
export const LIVE_STATUSES = ['draft', ...PENDING_STATUSES];

// What a registrar can ask to supplement, by kind of application.
export function supplementFields(kind, changes) {
	if (kind === 'change') {
		const chosen = Object.keys(changes || {}).filter((f) => CHANGE_FIELDS.includes(f));
		const docs = [...new Set(chosen.map((f) => CHANGE_DOC_KINDS[f]))];
		return [...chosen.map((f) => `changes.${f}`), ...docs.map((k) => `documents.${k}`), 'documents.other'];
	}
	if (kind === 'deregister') return ['reason', 'documents.other'];
	return APPLICATION_FIELDS;
}

// Credit (SPEC §5, Appendix B; api/credit/list_entry_flow.c, credit_events.c).
export const CREDIT_LISTS = ['abnormal', 'serious'];
export const LIST_REASONS = {
	abnormal: ['annual_report_late', 'unreachable', 'rectification_incomplete', 'small_penalty', 'other'],
	serious: ['abnormal_two_years', 'large_fine', 'suspension', 'revocation', 'repeated_penalties', 'court_dishonest', 'other'],
};
// Kinds a registrar records; performance events come from contracts (§6).
export const CREDIT_EVENT_KINDS = ['inspection', 'penalty', 'commendation'];
export const PENALTY_TYPES = ['warning', 'fine', 'suspension', 'revocation'];
export const INSPECTION_CONCLUSIONS = ['pass', 'basic_pass', 'fail'];

// Tenders (SPEC §6, Appendix B; api/tenders/tender.def, tender_check.c).
export const TENDER_METHODS = ['open', 'invited', 'competitive_consultation', 'competitive_negotiation', 'single_source', 'inquiry'];
// Methods that name the organizations they take bids from (invited_orgs).
export const INVITING_METHODS = ['invited', 'single_source'];
export const EVALUATION_METHODS = ['comprehensive', 'lowest_price'];
export const TENDER_STATUSES = ['draft', 'active.enquiries', 'active.tendering', 'active.opening', 'active.evaluation',
	'active.awarded', 'active.contracting', 'complete', 'cancelled', 'unsuccessful'];
// Published: what the public list can filter on.
export const PUBLIC_TENDER_STATUSES = TENDER_STATUSES.filter((s) => s !== 'draft');
// Bids are taken from publication until the bid deadline.
export const BIDDING_STATUSES = ['active.enquiries', 'active.tendering'];
// States after the opening (the opening record exists).
export const OPENED_STATUSES = ['active.evaluation', 'active.awarded', 'active.contracting', 'complete', 'unsuccessful'];
// The service categories the UI offers (the daemon takes any snake_case code; others show as sent).
export const SERVICE_CATEGORIES = ['elderly_care', 'child_welfare', 'disability_services', 'community_service', 'social_work',
	'social_assistance', 'health_promotion', 'education_training', 'volunteer_service', 'industry_services', 'other_services'];
export const TENDER_GRADES = ['1A', '2A', '3A', '4A', '5A'];

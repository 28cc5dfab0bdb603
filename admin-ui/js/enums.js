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

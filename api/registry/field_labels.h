/* field_labels.h — the Chinese name of an application field or document as a registrar names it
 * in a supplement request (admin-ui/js/enums.js supplementFields: "domicile",
 * "legal_representative.id_number", "changes.name", "documents.charter", …), for the notice and
 * the mail the applicant reads. */
#ifndef SANZHI_FIELD_LABELS_H
#define SANZHI_FIELD_LABELS_H

/* The label of field, or field itself when it names nothing known (a registrar's own words). */
const char *app_field_label(const char *field);

#endif

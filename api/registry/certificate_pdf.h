/* certificate_pdf.h — GET /api/v1/orgs/{uscc}/certificate.pdf (public): the latest registration
 * certificate on A4, its fields in Chinese (the font embedded) and a QR code holding the signed
 * certificate in its compact form (certificates.h); a deregistered organization's is marked
 * revoked. Problem codes: not_found, no_certificate (404). */
#ifndef SANZHI_CERTIFICATE_PDF_H
#define SANZHI_CERTIFICATE_PDF_H

#include "api.h"

extern const route certificate_pdf_routes[];

#endif

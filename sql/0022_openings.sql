-- 0022 the opening of a tender's bids (SPEC §6, Appendix B; api/tenders/opening.c). Written once,
-- in the transaction that moves the tender out of active.opening, never changed: the primary
-- keys make a second opening of the same tender impossible whatever a handler does.

-- The published record: the exact JSON text answered by GET /tenders/{id}/opening, and its
-- SHA-256, which the tender's audit entry (tender.open) repeats, so the record cannot be altered
-- afterwards without the audit chain showing it.
CREATE TABLE tender_openings (
  tender_id      BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  opened_at      DATETIME(6) NOT NULL,
  opened_by      BIGINT UNSIGNED NOT NULL,
  valid_bids     INT NOT NULL,
  record         MEDIUMTEXT NOT NULL,
  record_sha256  CHAR(64) CHARACTER SET ascii NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The same record bid by bid, for the evaluation that follows (valid bids and their prices,
-- public from the opening on). price_fen is NULL for a bid whose seal did not open or match.
CREATE TABLE opening_bids (
  bid_id           BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  tender_id        BIGINT UNSIGNED NOT NULL,
  org_uscc         CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  price_fen        BIGINT NULL,
  sha256           CHAR(64) CHARACTER SET ascii NOT NULL,
  valid            TINYINT NOT NULL,
  invalid_reasons  VARCHAR(400) CHARACTER SET ascii NOT NULL,   -- comma-separated codes
  abnormally_low   TINYINT NOT NULL,
  KEY opening_bids_tender (tender_id, bid_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

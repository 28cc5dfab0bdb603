-- 0023 the evaluation committee and its scoring (SPEC §6, Appendix B; api/tenders/committee.c,
-- scores.c, justifications.c, evaluation.c). Scores are integer tenths of a point: a criterion
-- score is entered with one decimal and stored exactly.

-- The committee of a tender. A member taken off the committee keeps its row (removed_at set), so
-- its declaration stays on record and a recused member can never be seated again; the current
-- committee is the rows with removed_at NULL. The declaration and the sheet's submission are
-- the member's, on the same row.
CREATE TABLE committee_members (
  tender_id        BIGINT UNSIGNED NOT NULL,
  user_id          BIGINT UNSIGNED NOT NULL,
  chair            TINYINT NOT NULL,
  expert           TINYINT NOT NULL,                 -- as the user was when seated
  seated_at        DATETIME(6) NOT NULL,
  removed_at       DATETIME(6) NULL,
  declared_at      DATETIME(6) NULL,                 -- the conflict-of-interest declaration
  conflict         TINYINT NULL,                     -- what the member declared
  statement        TEXT NULL,
  recused          TINYINT NOT NULL DEFAULT 0,
  recusal_reason   VARCHAR(32) CHARACTER SET ascii NULL,  -- declared_conflict | affiliation
  recusal_orgs     VARCHAR(2000) CHARACTER SET ascii NULL, -- the bidders the member was affiliated with
  submitted_at     DATETIME(6) NULL,                 -- the score sheet, locked
  PRIMARY KEY (tender_id, user_id),
  KEY committee_members_user (user_id, tender_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One score per member, bid and criterion, in tenths of a point.
CREATE TABLE evaluation_scores (
  tender_id  BIGINT UNSIGNED NOT NULL,
  user_id    BIGINT UNSIGNED NOT NULL,
  bid_id     BIGINT UNSIGNED NOT NULL,
  criterion  VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  tenths     INT NOT NULL,
  PRIMARY KEY (tender_id, user_id, bid_id, criterion)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A member's entry for a bid: the comment, and the total of its scores in tenths (kept with them
-- in the same transaction, so the result reads one row per member and bid).
CREATE TABLE evaluation_entries (
  tender_id     BIGINT UNSIGNED NOT NULL,
  user_id       BIGINT UNSIGNED NOT NULL,
  bid_id        BIGINT UNSIGNED NOT NULL,
  comment       TEXT NOT NULL,
  total_tenths  INT NOT NULL,
  updated_at    DATETIME(6) NOT NULL,
  PRIMARY KEY (tender_id, user_id, bid_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The justification of an abnormally low price (the bidder) and the chair's decision on it:
-- rejected makes the bid invalid before ranking.
CREATE TABLE bid_justifications (
  bid_id           BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  tender_id        BIGINT UNSIGNED NOT NULL,
  text             MEDIUMTEXT NULL,                  -- NULL: rejected without one being filed
  filed_by         BIGINT UNSIGNED NULL,
  filed_at         DATETIME(6) NULL,
  accepted         TINYINT NULL,                     -- NULL until decided
  decision_reason  TEXT NULL,
  decided_by       BIGINT UNSIGNED NULL,
  decided_at       DATETIME(6) NULL,
  KEY bid_justifications_tender (tender_id, bid_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The committee report, written once by the transaction that completes the evaluation (the last
-- sheet submitted, or the last justification decided); its SHA-256 is in the audit entry
-- evaluation.report, which holds the result too.
CREATE TABLE tender_evaluations (
  tender_id      BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  completed_at   DATETIME(6) NOT NULL,
  report         MEDIUMTEXT NOT NULL,
  report_sha256  CHAR(64) CHARACTER SET ascii NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- 0020 tenders (SPEC §6, Appendix B): the notice a purchaser publishes, the organizations an
-- invited or single-source tender names, and the public questions and answers of its enquiry
-- period. status moves only through the tender workflow (api/tenders/tender.def); the time-driven
-- moves (enquiry end, bid deadline) are rows in deadlines (0010).

CREATE TABLE tenders (
  id                 BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  status             VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  purchaser_id       BIGINT UNSIGNED NOT NULL,          -- the purchaser who owns it
  department         VARCHAR(128) NOT NULL,             -- the purchaser's department
  title              VARCHAR(200) NOT NULL,
  description        MEDIUMTEXT NOT NULL,
  service_category   VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  budget_fen         BIGINT NOT NULL,
  method             ENUM('open','invited','competitive_consultation','competitive_negotiation','single_source',
                          'inquiry') NOT NULL,
  evaluation_method  ENUM('comprehensive','lowest_price') NOT NULL,
  criteria           TEXT NOT NULL,                     -- JSON [{id, name, max_points}]
  price_points       INT NOT NULL,
  eligibility        TEXT NOT NULL,                     -- JSON {min_grade, min_years_registered, legal_forms, categories}
  enquiry_end        DATETIME(6) NOT NULL,
  bid_deadline       DATETIME(6) NOT NULL,
  contract_months    INT NOT NULL,
  published_at       DATETIME(6) NULL,
  cancelled_at       DATETIME(6) NULL,
  cancel_reason      TEXT NULL,
  version            INT UNSIGNED NOT NULL DEFAULT 1,
  created_at         DATETIME(6) NOT NULL,
  updated_at         DATETIME(6) NOT NULL,
  KEY tenders_status (status, id),
  KEY tenders_purchaser (purchaser_id, id),
  KEY tenders_department (department, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The organizations an invited tender invites, or the one a single-source tender names.
CREATE TABLE tender_invitations (
  tender_id  BIGINT UNSIGNED NOT NULL,
  uscc       CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (tender_id, uscc),
  KEY tender_invitations_uscc (uscc)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Enquiries: public, the asker kept for accountability (and the per-asker bound) but never shown.
CREATE TABLE tender_questions (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tender_id    BIGINT UNSIGNED NOT NULL,
  asker_id     BIGINT UNSIGNED NOT NULL,
  question     TEXT NOT NULL,
  asked_at     DATETIME(6) NOT NULL,
  answer       TEXT NULL,
  answered_at  DATETIME(6) NULL,
  answered_by  BIGINT UNSIGNED NULL,
  KEY tender_questions_tender (tender_id, id),
  KEY tender_questions_asker (tender_id, asker_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

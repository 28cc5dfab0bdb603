-- 0002 registry: organizations, names, history, USCC issuance, certificates, applications,
-- documents, annual reports, and the bigram index behind Chinese substring search.

-- Issued codes: the serial is never reused because rows are never deleted.
CREATE TABLE uscc_issued (
  serial     BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uscc       CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  issued_at  DATETIME(6) NOT NULL,
  UNIQUE KEY uscc_issued_code (uscc)
) ENGINE=InnoDB;

CREATE TABLE orgs (
  uscc               CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  name               VARCHAR(200) NOT NULL,
  legal_form         ENUM('social_group','social_service_institution','foundation') NOT NULL,
  category           ENUM('industry_association','science_technology','public_welfare','community_service') NULL,
  region_code        CHAR(6) CHARACTER SET ascii NOT NULL,
  domicile           VARCHAR(500) NOT NULL DEFAULT '',
  business_scope     TEXT NOT NULL,
  activity_area      VARCHAR(200) NULL,
  funds_fen          BIGINT NULL,
  legal_rep_name     VARCHAR(100) NOT NULL DEFAULT '',
  legal_rep_id_number VARCHAR(32) NULL,          -- never public
  registered_at      DATE NOT NULL,
  status             ENUM('registered','deregistered') NOT NULL DEFAULT 'registered',
  deregistered_at    DATE NULL,
  grade              ENUM('1A','2A','3A','4A','5A') NULL,
  grade_valid_until  DATE NULL,
  owner_user_id      BIGINT UNSIGNED NULL,       -- the applicant account acting for it
  source             ENUM('application','import') NOT NULL DEFAULT 'application',
  version            INT UNSIGNED NOT NULL DEFAULT 1,
  created_at         DATETIME(6) NOT NULL,
  updated_at         DATETIME(6) NOT NULL,
  KEY orgs_name (name),
  KEY orgs_region (region_code, uscc),
  KEY orgs_form (legal_form, uscc),
  KEY orgs_category (category, uscc),
  KEY orgs_status (status, uscc),
  KEY orgs_grade (grade, uscc),
  KEY orgs_owner (owner_user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Current and former names; from/to dates make "former names" and history exact.
CREATE TABLE org_names (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uscc       CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name       VARCHAR(200) NOT NULL,
  from_date  DATE NOT NULL,
  to_date    DATE NULL,
  KEY org_names_uscc (uscc, from_date),
  KEY org_names_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Names in use: registered organizations and pending applications claim their name here,
-- so two applicants racing for one name cannot both hold it (primary key).
CREATE TABLE name_claims (
  name            VARCHAR(200) NOT NULL PRIMARY KEY,
  uscc            CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NULL,
  application_id  BIGINT UNSIGNED NULL,
  KEY name_claims_app (application_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every registered event: establish, change, deregister, grade, listing, delisting, ...
CREATE TABLE org_events (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uscc            CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  type            VARCHAR(32) NOT NULL,
  at              DATETIME(6) NOT NULL,
  effective_date  DATE NOT NULL,
  reason          TEXT NULL,
  changes         MEDIUMTEXT NULL,                -- JSON [{field, old, new}]
  application_id  BIGINT UNSIGNED NULL,
  actor_id        BIGINT UNSIGNED NULL,
  KEY org_events_uscc (uscc, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Character bigrams of every current and former name (InnoDB FULLTEXT cannot split Chinese).
-- A one-character name is indexed as a one-character gram.
CREATE TABLE org_name_grams (
  gram  VARCHAR(2) NOT NULL,
  uscc  CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (gram, uscc),
  KEY org_name_grams_uscc (uscc)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE certificates (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uscc        CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  payload     MEDIUMTEXT NOT NULL,               -- the exact signed JSON text
  signature   VARCHAR(200) NOT NULL,              -- base64 Ed25519
  key_id      VARCHAR(64) NOT NULL,
  issued_at   DATETIME(6) NOT NULL,
  superseded_at DATETIME(6) NULL,
  KEY certificates_uscc (uscc, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE applications (
  id                     BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind                   ENUM('establish','change','deregister') NOT NULL,
  status                 ENUM('draft','submitted','supplement_requested','accepted','approved','rejected','withdrawn') NOT NULL,
  applicant_id           BIGINT UNSIGNED NOT NULL,
  org_uscc               CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NULL,
  legal_form             VARCHAR(40) NULL,
  category               VARCHAR(40) NULL,
  name                   VARCHAR(200) NULL,
  region_code            CHAR(6) CHARACTER SET ascii NULL,
  body                   MEDIUMTEXT NOT NULL,        -- the application as JSON
  submitted_at           DATETIME(6) NULL,           -- latest (re)submission
  first_submitted_at     DATETIME(6) NULL,           -- starts the 5-day supplement window
  supplement_requested_at DATETIME(6) NULL,
  supplement_items       MEDIUMTEXT NULL,            -- JSON [{field, message}]
  accepted_at            DATETIME(6) NULL,
  deemed_accepted        TINYINT(1) NOT NULL DEFAULT 0,
  decision_due           DATE NULL,
  decided_at             DATETIME(6) NULL,
  decided_by             BIGINT UNSIGNED NULL,
  reject_reason          TEXT NULL,
  version                INT UNSIGNED NOT NULL DEFAULT 1,
  created_at             DATETIME(6) NOT NULL,
  updated_at             DATETIME(6) NOT NULL,
  KEY applications_queue (status, decision_due, id),
  KEY applications_applicant (applicant_id, id),
  KEY applications_org (org_uscc, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE application_documents (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  application_id  BIGINT UNSIGNED NOT NULL,
  kind            ENUM('application_letter','charter','domicile_proof','fund_verification','legal_rep_id','other') NOT NULL,
  name            VARCHAR(255) NOT NULL,
  media_type      VARCHAR(40) NOT NULL,
  size            BIGINT UNSIGNED NOT NULL,
  sha256          CHAR(64) CHARACTER SET ascii NOT NULL,
  content         LONGBLOB NOT NULL,
  uploaded_at     DATETIME(6) NOT NULL,
  uploaded_by     BIGINT UNSIGNED NOT NULL,
  KEY application_documents_app (application_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE annual_reports (
  id                         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uscc                       CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  year                       SMALLINT UNSIGNED NOT NULL,
  assets_fen                 BIGINT NOT NULL,
  liabilities_fen            BIGINT NOT NULL,
  income_fen                 BIGINT NOT NULL,
  expense_fen                BIGINT NOT NULL,
  public_welfare_expense_fen BIGINT NOT NULL,
  activities                 MEDIUMTEXT NOT NULL,
  staff                      INT UNSIGNED NOT NULL,
  filed_at                   DATETIME(6) NOT NULL,
  filed_by                   BIGINT UNSIGNED NOT NULL,
  due_date                   DATE NOT NULL,
  late                       TINYINT(1) NOT NULL DEFAULT 0,
  conclusion                 ENUM('pass','basic_pass','fail') NULL,
  conclusion_note            TEXT NULL,
  concluded_at               DATETIME(6) NULL,
  concluded_by               BIGINT UNSIGNED NULL,
  version                    INT UNSIGNED NOT NULL DEFAULT 1,
  UNIQUE KEY annual_reports_year (uscc, year)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- 0013 credit (SPEC §5): grades, credit events and the two credit lists. History is never
-- overwritten: a new grade is a new row, a removal closes a list entry but keeps it; orgs.grade
-- and orgs.grade_valid_until hold the current grade for the register, and every grade, listing
-- and removal also adds a row to org_events (the public history).

CREATE TABLE credit_grades (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uscc         CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  score        INT NOT NULL,                      -- 0–1000
  grade        ENUM('1A','2A','3A','4A','5A') NOT NULL,
  decided_on   DATE NOT NULL,
  valid_until  DATE NOT NULL,
  basis        TEXT NOT NULL,
  actor_id     BIGINT UNSIGNED NULL,
  created_at   DATETIME(6) NOT NULL,
  KEY credit_grades_uscc (uscc, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Inspections, penalties, commendations and (from §6) project performance; each kind fills its
-- own columns, the rest stay NULL.
CREATE TABLE credit_events (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uscc             CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind             ENUM('inspection','penalty','commendation','performance') NOT NULL,
  conclusion       ENUM('pass','basic_pass','fail') NULL,                         -- inspection
  penalty_type     ENUM('warning','fine','suspension','revocation') NULL,         -- penalty
  fine_fen         BIGINT NULL,                                                   -- fines
  decision_number  VARCHAR(100) NULL,
  title            VARCHAR(200) NULL,                                             -- commendation
  authority        VARCHAR(200) NULL,
  basis            TEXT NULL,
  decided_on       DATE NOT NULL,
  actor_id         BIGINT UNSIGNED NULL,
  created_at       DATETIME(6) NOT NULL,
  KEY credit_events_uscc (uscc, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The abnormal-activity list (活动异常名录) and the serious illegal-and-dishonest list
-- (严重违法失信名单). status moves only through the list_entry workflow (api/credit/list_entry.def).
CREATE TABLE list_entries (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  uscc            CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  list            ENUM('abnormal','serious') NOT NULL,
  reason          VARCHAR(32) NOT NULL,
  rule            VARCHAR(64) NULL,                 -- the rule that listed it; NULL for a manual listing
  evidence        MEDIUMTEXT NULL,                  -- JSON: a text, or references {"event_ids": [...]}
  listed_on       DATE NOT NULL,
  removed_on      DATE NULL,
  removal_reason  TEXT NULL,
  status          ENUM('listed','removed') NOT NULL DEFAULT 'listed',
  version         INT UNSIGNED NOT NULL DEFAULT 1,
  actor_id        BIGINT UNSIGNED NULL,
  created_at      DATETIME(6) NOT NULL,
  updated_at      DATETIME(6) NOT NULL,
  KEY list_entries_uscc (uscc, id),
  KEY list_entries_current (list, status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

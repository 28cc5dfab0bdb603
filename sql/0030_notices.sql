-- 0030 official notices of the decisions on applications (SPEC Appendix C; api/registry/notices.c):
-- 受理通知书, 补正告知书, 准予登记决定书, 不予登记决定书. Each is issued by the transaction of the
-- decision and never changed; its PDF is rendered from the stored fields on request.

-- The last number given out per kind and year. The decision's transaction takes the row's lock
-- (INSERT … ON DUPLICATE KEY UPDATE), so concurrent decisions queue on it: numbers neither repeat
-- nor skip (a transaction that rolls back gives its number back with everything else).
CREATE TABLE notice_counters (
  kind      ENUM('acceptance','supplement','approval','rejection') NOT NULL,
  year      SMALLINT UNSIGNED NOT NULL,
  last_seq  INT UNSIGNED NOT NULL,
  PRIMARY KEY (kind, year)
) ENGINE=InnoDB;

CREATE TABLE notices (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  application_id  BIGINT UNSIGNED NOT NULL,
  kind            ENUM('acceptance','supplement','approval','rejection') NOT NULL,
  year            SMALLINT UNSIGNED NOT NULL,
  seq             INT UNSIGNED NOT NULL,
  number          VARCHAR(64) NOT NULL,           -- 民社受字〔2026〕第000123号
  issued_at       DATETIME(6) NOT NULL,
  fields          MEDIUMTEXT NOT NULL,            -- the notice as JSON: everything its PDF shows
  UNIQUE KEY notices_number (kind, year, seq),
  KEY notices_application (application_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

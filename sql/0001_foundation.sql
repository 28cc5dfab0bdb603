-- 0001 foundation: accounts, sessions, login throttling, audit chain, idempotency.

CREATE TABLE users (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username      VARCHAR(64)  NOT NULL,
  password_hash VARCHAR(200) NOT NULL,
  role          ENUM('applicant','registrar','purchaser','evaluator','admin') NOT NULL,
  display_name  VARCHAR(128) NOT NULL,
  phone         VARCHAR(32)  NULL,
  email         VARCHAR(254) NULL,
  department    VARCHAR(128) NULL,
  expert        TINYINT(1)   NOT NULL DEFAULT 0,
  disabled      TINYINT(1)   NOT NULL DEFAULT 0,
  version       INT UNSIGNED NOT NULL DEFAULT 1,
  created_at    DATETIME(6)  NOT NULL,
  updated_at    DATETIME(6)  NOT NULL,
  UNIQUE KEY users_username (username),
  KEY users_role (role, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Evaluator affiliations: organizations an evaluator worked for, with dates (conflict rules, §6).
CREATE TABLE user_affiliations (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id     BIGINT UNSIGNED NOT NULL,
  org_uscc    CHAR(18)     NULL,
  org_name    VARCHAR(200) NOT NULL,
  from_date   DATE         NOT NULL,
  to_date     DATE         NULL,
  KEY affiliations_user (user_id),
  CONSTRAINT affiliations_user_fk FOREIGN KEY (user_id) REFERENCES users(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Bearer tokens, only their SHA-256.
CREATE TABLE sessions (
  token_hash  CHAR(64)     NOT NULL PRIMARY KEY,
  user_id     BIGINT UNSIGNED NOT NULL,
  created_at  DATETIME(6)  NOT NULL,
  expires_at  DATETIME(6)  NOT NULL,
  revoked_at  DATETIME(6)  NULL,
  ip          VARCHAR(64)  NULL,
  KEY sessions_user (user_id),
  KEY sessions_expiry (expires_at),
  CONSTRAINT sessions_user_fk FOREIGN KEY (user_id) REFERENCES users(id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- Failed logins, shared by every instance (lockout is not per-process state).
CREATE TABLE login_failures (
  id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username  VARCHAR(64) NOT NULL,
  ip        VARCHAR(64) NOT NULL,
  at        DATETIME(6) NOT NULL,
  KEY login_failures_user (username, at),
  KEY login_failures_ip (ip, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE login_locks (
  username     VARCHAR(64) NOT NULL PRIMARY KEY,
  locked_until DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Append-only, hash-chained audit log. The head row serialises appends (and, on Galera,
-- turns concurrent appends on different nodes into certification conflicts that retry).
CREATE TABLE audit_log (
  seq          BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  at           DATETIME(6)  NOT NULL,
  actor_id     BIGINT UNSIGNED NULL,
  actor        VARCHAR(64)  NOT NULL,
  role         VARCHAR(16)  NOT NULL,
  action       VARCHAR(64)  NOT NULL,
  object_type  VARCHAR(32)  NOT NULL,
  object_id    VARCHAR(64)  NOT NULL,
  summary      MEDIUMTEXT   NOT NULL,
  prev_hash    CHAR(64)     NOT NULL,
  hash         CHAR(64)     NOT NULL,
  KEY audit_object (object_type, object_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE audit_head (
  id    TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  seq   BIGINT UNSIGNED NOT NULL,
  hash  CHAR(64) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=ascii;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, REPEAT('0', 64));

-- Idempotency-Key records: the first answer to a creating POST, per user and key.
CREATE TABLE idempotency (
  user_id       BIGINT UNSIGNED NOT NULL,
  idem_key      VARCHAR(128) NOT NULL,
  request_hash  CHAR(64)     NOT NULL,
  state         ENUM('pending','done') NOT NULL,
  status        SMALLINT UNSIGNED NULL,
  content_type  VARCHAR(64)  NULL,
  headers       VARCHAR(256) NULL,
  body          MEDIUMBLOB   NULL,
  created_at    DATETIME(6)  NOT NULL,
  PRIMARY KEY (user_id, idem_key),
  KEY idempotency_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Daemon state shared by instances: the registry signing key, the test clock.
CREATE TABLE settings (
  name   VARCHAR(64) NOT NULL PRIMARY KEY,
  value  MEDIUMTEXT  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

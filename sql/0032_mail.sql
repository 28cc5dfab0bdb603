-- Mail and in-app notifications (SPEC Appendix C "Mail"), and password resets ("Password reset").

-- What a user is told (in the app), written in the transaction of the change that causes it.
-- dedupe_key: a notice sent at most once (an annual report reminder per organization and year),
-- however many instances run the job that writes it.
CREATE TABLE notifications (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id      BIGINT UNSIGNED NOT NULL,
  kind         VARCHAR(48)  NOT NULL,
  object_type  VARCHAR(32)  NULL,
  object_id    VARCHAR(64)  NULL,
  subject      VARCHAR(255) NOT NULL,
  body         TEXT         NOT NULL,
  dedupe_key   VARCHAR(128) NULL,
  created_at   DATETIME(6)  NOT NULL,
  read_at      DATETIME(6)  NULL,
  UNIQUE KEY notifications_dedupe (dedupe_key),
  KEY notifications_user (user_id, id),
  KEY notifications_unread (user_id, read_at),
  CONSTRAINT notifications_user_fk FOREIGN KEY (user_id) REFERENCES users(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The outbox: one row per message, written with the change, sent by the mail job. A sender claims
-- a row with a lease (lease_owner, lease_until) in a transaction of its own, sends, then records
-- the outcome; another instance skips leased rows. sealed = 1: body is AES-256-GCM under a key
-- derived from the master key (a password reset link), base64.
CREATE TABLE mail_outbox (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id         BIGINT UNSIGNED NULL,
  kind            VARCHAR(48)  NOT NULL,
  rcpt            VARCHAR(254) NOT NULL,
  subject         VARCHAR(255) NOT NULL,
  body            MEDIUMTEXT   NOT NULL,
  sealed          TINYINT(1)   NOT NULL DEFAULT 0,
  message_id      VARCHAR(160) NOT NULL,
  status          ENUM('pending','sent','dead') NOT NULL DEFAULT 'pending',
  attempts        INT UNSIGNED NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(6)  NOT NULL,
  lease_owner     VARCHAR(64)  NULL,
  lease_until     DATETIME(6)  NULL,
  last_error      VARCHAR(500) NULL,
  created_at      DATETIME(6)  NOT NULL,
  sent_at         DATETIME(6)  NULL,
  updated_at      DATETIME(6)  NOT NULL,
  version         INT UNSIGNED NOT NULL DEFAULT 1,
  KEY mail_outbox_due (status, next_attempt_at, id),
  KEY mail_outbox_status (status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Password reset tokens: stored only as SHA-256, single use, short-lived.
CREATE TABLE password_resets (
  token_hash  CHAR(64)        NOT NULL PRIMARY KEY,
  user_id     BIGINT UNSIGNED NOT NULL,
  created_at  DATETIME(6)     NOT NULL,
  expires_at  DATETIME(6)     NOT NULL,
  used_at     DATETIME(6)     NULL,
  KEY password_resets_user (user_id),
  KEY password_resets_expiry (expires_at),
  CONSTRAINT password_resets_user_fk FOREIGN KEY (user_id) REFERENCES users(id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- Reset requests, counted per login (its SHA-256, so an unknown login leaves no readable trace)
-- and per address for the rate limit, whether or not the login names an account.
CREATE TABLE password_reset_requests (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login_hash  CHAR(64)    CHARACTER SET ascii NOT NULL,
  ip          VARCHAR(64) NOT NULL,
  at          DATETIME(6) NOT NULL,
  KEY password_reset_requests_login (login_hash, at),
  KEY password_reset_requests_ip (ip, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- 0012 audit MACs and checkpoints: a log that write access to the database alone cannot rewrite.
-- Hashes alone only show that rows were changed by someone who did not recompute them; anyone who
-- can write the tables can recompute them. From here on every entry and every chain head also
-- carries an HMAC-SHA256 under a key derived from the master key (server/audit.c), which the
-- database does not hold.
--
-- The line where MACs begin: the chains registered now (the legacy chain 0 and the chains of
-- instances that ran before this migration) keep their entries as they were hashed and never grow
-- again; every chain with an id from first_mac_chain on is MACed from its first entry. The daemon
-- seals the line once, at its first start after this migration, with a MAC over first_mac_chain
-- and a digest of the heads of the older chains (legacy_digest), so that neither the line can be
-- moved nor the older chains be rewound, extended or removed. It never writes a missing line again.
--
-- Checkpoints: a signed digest of every chain's head, taken every minute (api/platform/audit_api.c),
-- served at GET /api/v1/audit/checkpoint for anyone to keep.
--
-- Triggers make the audit rows append-only for every account but the database superuser (who
-- could drop the triggers anyway): the daemon's account gets an error on any UPDATE or DELETE of
-- an entry, beyond sealing the entry it has just inserted in the same transaction, and cannot move
-- a chain head backwards. In production the daemon's account must not hold TRIGGER, ALTER or DROP
-- (README, "Audit trail"); the MACs catch whoever gets around this.

ALTER TABLE audit_log ADD COLUMN mac CHAR(64) NULL AFTER hash;
ALTER TABLE audit_chains ADD COLUMN mac CHAR(64) NULL AFTER hash;

CREATE TABLE audit_mac_line (
  id               TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  first_mac_chain  INT UNSIGNED NOT NULL,   -- chains with this id or above are MACed throughout
  legacy_digest    CHAR(64) NULL,           -- heads of the chains below it, when sealed
  sealed_at        DATETIME(6) NULL,
  mac              CHAR(64) NULL            -- NULL until the daemon's first start seals it
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO audit_mac_line (id, first_mac_chain) SELECT 1, COALESCE(MAX(id), 0) + 1 FROM audit_chains;

CREATE TABLE audit_checkpoints (
  seq        BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  at         DATETIME(6)  NOT NULL,
  hash       CHAR(64)     NOT NULL,     -- SHA-256 binding every non-empty chain's head
  heads      MEDIUMTEXT   NOT NULL,     -- [{"chain","seq","hash"}] that hash is taken over
  signature  VARCHAR(100) NOT NULL,     -- Ed25519 (registry key), base64
  key_id     CHAR(16)     NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- USER() is the account of the session, also inside a trigger (CURRENT_USER() would be the
-- trigger's definer).
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log FOR EACH ROW
  IF SUBSTRING_INDEX(USER(), '@', 1) <> 'root' AND NOT (
       OLD.hash = '' AND OLD.mac IS NULL AND NEW.seq <=> OLD.seq AND NEW.chain_id <=> OLD.chain_id
       AND NEW.chain_seq <=> OLD.chain_seq AND NEW.at <=> OLD.at AND NEW.actor_id <=> OLD.actor_id
       AND NEW.actor <=> OLD.actor AND NEW.role <=> OLD.role AND NEW.action <=> OLD.action
       AND NEW.object_type <=> OLD.object_type AND NEW.object_id <=> OLD.object_id
       AND NEW.summary <=> OLD.summary AND NEW.prev_hash <=> OLD.prev_hash) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only';
  END IF;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW
  IF SUBSTRING_INDEX(USER(), '@', 1) <> 'root' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only';
  END IF;

-- A head only moves forward, one entry at a time, and stays the chain it was (the one exception:
-- the MAC of a new, empty head, set right after its insert).
CREATE TRIGGER audit_chains_forward_only BEFORE UPDATE ON audit_chains FOR EACH ROW
  IF SUBSTRING_INDEX(USER(), '@', 1) <> 'root' AND NOT (
       NEW.id <=> OLD.id AND NEW.instance <=> OLD.instance AND NEW.opened_at <=> OLD.opened_at
       AND (NEW.seq = OLD.seq + 1 OR (OLD.seq = 0 AND NEW.seq = 0 AND OLD.mac IS NULL AND NEW.hash <=> OLD.hash))) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit chain heads only move forward';
  END IF;

CREATE TRIGGER audit_chains_no_delete BEFORE DELETE ON audit_chains FOR EACH ROW
  IF SUBSTRING_INDEX(USER(), '@', 1) <> 'root' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit chains are never removed';
  END IF;

CREATE TRIGGER audit_mac_line_seal_once BEFORE UPDATE ON audit_mac_line FOR EACH ROW
  IF SUBSTRING_INDEX(USER(), '@', 1) <> 'root' AND NOT (OLD.mac IS NULL AND NEW.first_mac_chain <=> OLD.first_mac_chain) THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the audit MAC line is sealed once';
  END IF;

CREATE TRIGGER audit_mac_line_no_delete BEFORE DELETE ON audit_mac_line FOR EACH ROW
  IF SUBSTRING_INDEX(USER(), '@', 1) <> 'root' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the audit MAC line is never removed';
  END IF;

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints FOR EACH ROW
  IF SUBSTRING_INDEX(USER(), '@', 1) <> 'root' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit checkpoints are never changed';
  END IF;

CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints FOR EACH ROW
  IF SUBSTRING_INDEX(USER(), '@', 1) <> 'root' THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit checkpoints are never removed';
  END IF;

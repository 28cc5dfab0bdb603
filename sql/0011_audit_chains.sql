-- 0011 audit chains: one hash chain per process instead of one for the whole system.
-- With a single head row every audited write in the cluster updated that one row, and on Galera
-- writes on two nodes then failed certification against each other and were retried whole. Now
-- each daemon (or CLI run) registers a chain here and appends only to its own head row, so two
-- nodes never write the same audit row. audit_log.seq becomes an AUTO_INCREMENT: a global order
-- for reading (Galera gives each node its own offset, so the nodes never collide on it either),
-- and each entry also carries its place in its chain (chain_id, chain_seq) and links to the
-- entry before it in that chain.
--
-- The entries written before this migration become chain 0, the legacy chain, verified as they
-- were hashed (chain_seq = seq); its head is the old audit_head row. Nothing appends to it again.

CREATE TABLE audit_chains (
  id         INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  instance   VARCHAR(160) NOT NULL,     -- host, pid and command of the process that opened it
  opened_at  DATETIME(6)  NOT NULL,
  seq        BIGINT UNSIGNED NOT NULL,  -- chain_seq of its last entry, 0 when empty
  hash       CHAR(64)     NOT NULL      -- hash of its last entry, 64 zeros when empty
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Chain 0 needs an explicit 0 in an AUTO_INCREMENT column.
SET @sanzhi_sql_mode = @@SESSION.sql_mode;
SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_AUTO_VALUE_ON_ZERO');
INSERT INTO audit_chains (id, instance, opened_at, seq, hash)
  SELECT 0, 'legacy (entries before migration 0011)', COALESCE((SELECT MIN(at) FROM audit_log), UTC_TIMESTAMP(6)),
         seq, hash
  FROM audit_head WHERE id = 1;
SET SESSION sql_mode = @sanzhi_sql_mode;

ALTER TABLE audit_log
  MODIFY seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  ADD COLUMN chain_id INT UNSIGNED NOT NULL DEFAULT 0 AFTER seq,
  ADD COLUMN chain_seq BIGINT UNSIGNED NOT NULL DEFAULT 0 AFTER chain_id;
UPDATE audit_log SET chain_seq = seq;
-- No defaults from here on: an insert that does not name its chain (a binary from before this
-- migration) fails instead of slipping an unchained entry into chain 0.
ALTER TABLE audit_log
  MODIFY chain_id INT UNSIGNED NOT NULL,
  MODIFY chain_seq BIGINT UNSIGNED NOT NULL,
  ADD UNIQUE KEY audit_chain_pos (chain_id, chain_seq);

DROP TABLE audit_head;

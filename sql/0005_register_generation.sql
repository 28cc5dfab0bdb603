-- 0005 register generation: bumped by every transaction that changes an organization's public
-- profile, so each daemon's read cache of profiles can tell when it went stale (server/cache.c).
CREATE TABLE register_generation (
  id   TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  gen  BIGINT UNSIGNED NOT NULL
) ENGINE=InnoDB;
INSERT INTO register_generation (id, gen) VALUES (1, 0);

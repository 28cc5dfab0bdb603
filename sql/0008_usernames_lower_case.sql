-- 0008 usernames are case-insensitive: the daemon stores and compares them in lower case, so
-- "MixCase" and "mixcase" are one account. Existing names are lowered here. Two accounts whose
-- names differ only in case stop this migration on users_username (duplicate entry): rename one
-- of them first (UPDATE users SET username = '…' WHERE id = …), then migrate again.
UPDATE users SET username = LOWER(username) WHERE username <> LOWER(username);
-- Throttling rows follow the names they count (the longest lock of a name wins).
UPDATE login_failures SET username = LOWER(username) WHERE username <> LOWER(username);
INSERT INTO login_locks (username, locked_until)
  SELECT LOWER(username), MAX(locked_until) FROM login_locks WHERE username <> LOWER(username) GROUP BY LOWER(username)
  ON DUPLICATE KEY UPDATE locked_until = GREATEST(login_locks.locked_until, VALUES(locked_until));
DELETE FROM login_locks WHERE username <> LOWER(username);

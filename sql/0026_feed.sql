-- 0026 the open-data feed (SPEC §6 "Open data", Appendix B; server/feed.h): one row per public
-- change (an organization, a credit-list entry, a tender), written by the transaction that makes
-- the change with seq NULL, and numbered afterwards by the sequencer, which holds the one row of
-- feed_sequencer and gives the rows committed since its last step the next numbers. Readers see
-- numbered rows only, so the numbers follow the order in which the changes became visible:
-- a reader that saw seq N never later finds a new row at or below N.

CREATE TABLE feed_events (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  seq        BIGINT UNSIGNED NULL,                              -- NULL until sequenced
  at         DATETIME(6) NOT NULL,                              -- the change, by the daemon's clock
  type       ENUM('org','credit','tender') CHARACTER SET ascii NOT NULL,
  object_id  VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,  -- USCC, list entry id, tender id
  action     VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  state      VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NULL,       -- the workflow state after it
  UNIQUE KEY feed_events_seq (seq),                             -- also finds the unsequenced rows (NULL)
  KEY feed_events_object (type, object_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE feed_sequencer (
  id        TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  last_seq  BIGINT UNSIGNED NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- What was public before the feed existed, in the order it happened: the organizations' history,
-- the credit-list entries (and their removals), the tenders' publication.
INSERT INTO feed_events (at, type, object_id, action, state)
SELECT h.at, h.type, h.object_id, h.action, h.state FROM (
  SELECT e.at AS at, 'org' AS type, CONVERT(e.uscc USING ascii) AS object_id,
         CONVERT(LEFT(e.type, 32) USING ascii) AS action, CAST(NULL AS CHAR CHARACTER SET ascii) AS state,
         0 AS k, e.id AS id FROM org_events e
  UNION ALL
  SELECT l.created_at, 'credit', CONVERT(l.id, CHAR) , 'list', 'listed', 1, l.id FROM list_entries l
  UNION ALL
  SELECT l.updated_at, 'credit', CONVERT(l.id, CHAR), 'remove', 'removed', 2, l.id FROM list_entries l
   WHERE l.status = 'removed'
  UNION ALL
  SELECT t.published_at, 'tender', CONVERT(t.id, CHAR), 'publish', 'active.enquiries', 3, t.id FROM tenders t
   WHERE t.published_at IS NOT NULL
) h ORDER BY h.at, h.k, h.id;

-- 1, 2, 3, … (ids may step by more than one on Galera).
UPDATE feed_events f JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM feed_events) r ON r.id = f.id
   SET f.seq = r.n;
INSERT INTO feed_sequencer (id, last_seq) SELECT 1, COALESCE(MAX(seq), 0) FROM feed_events;

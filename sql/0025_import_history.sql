-- 0025 import history: an imported organization's history said 成立登记 at the moment of the
-- import, with the untranslated reason "imported". The register's registration day is when it was
-- established (midnight there, China Standard Time: the register gives no hour), and the import is
-- an event of its own ('import', on the day of the import); an imported deregistration keeps its
-- unknown day (NULL) without an English sentence for a reason.
INSERT INTO org_events (uscc, type, at, effective_date, reason)
  SELECT uscc, 'import', at, DATE(at + INTERVAL 480 MINUTE), NULL FROM org_events
   WHERE type = 'establish' AND reason = 'imported' ORDER BY id;
UPDATE org_events SET at = TIMESTAMP(effective_date) - INTERVAL 480 MINUTE, reason = NULL
 WHERE type = 'establish' AND reason = 'imported';
UPDATE org_events SET reason = NULL
 WHERE type = 'deregister' AND reason = 'imported as deregistered; the date of deregistration was not recorded';

-- 0006 unknown effective dates: an organization imported as deregistered has no recorded date of
-- deregistration, and its history says so (NULL) instead of showing the day of the import.
ALTER TABLE org_events MODIFY effective_date DATE NULL;
UPDATE org_events SET effective_date = NULL
 WHERE type = 'deregister' AND reason = 'imported as deregistered; the date of deregistration was not recorded';

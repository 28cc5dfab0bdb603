-- 0014 credit rules (SPEC §5): what the automatic rules of the sweep need.
--
-- rule_key names the fact an automatic entry stands for (the year of a late report, the abnormal
-- entry that lasted two years, the penalty that completed a count); with the rule it is unique
-- per organization, so a rule lists an organization once for one fact however often, and on
-- however many instances, the sweep runs, and an entry a registrar removed is not made again.
-- Manual entries have no key.
-- removal_rule: the rule that removed an entry (its lapse); NULL when a registrar removed it.
-- followed_by: the serious entry an abnormal one led to after two years (abnormal_two_years), so
-- that the rule reads only the abnormal entries still to follow, not every one ever listed.
ALTER TABLE list_entries
  ADD COLUMN rule_key VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER rule,
  ADD COLUMN followed_by BIGINT UNSIGNED NULL AFTER removal_reason,
  ADD COLUMN removal_rule VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER removal_reason,
  ADD UNIQUE KEY list_entries_rule (uscc, rule, rule_key),
  ADD KEY list_entries_unfollowed (list, status, followed_by, listed_on);

-- The late reports: only they can lapse a late-report listing (one filed on time listed nothing).
ALTER TABLE annual_reports
  ADD KEY annual_reports_late (late, uscc, year);

-- The penalties the repeated_penalties rule counts, by organization and day.
ALTER TABLE credit_events
  ADD KEY credit_events_kind (kind, uscc, decided_on);

-- A rule over the whole register (annual_report_late) that has finished every year up to one
-- records it here, with the number of organizations and the rule values it ran with: while
-- neither changed, those years have nothing left to list (organizations are never deleted, and one that arrives later
-- owes nothing for the years before its arrival), and the sweep skips the scan.
CREATE TABLE credit_rule_marks (
  rule       VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  through    INT NOT NULL,                      -- every year up to this one is done
  orgs       BIGINT NOT NULL,                   -- with this many organizations in the register
  params     VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,  -- and these rule values
  done_at    DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The penalty consequences recorded before this migration stand for their event.
UPDATE list_entries
   SET rule_key = JSON_VALUE(evidence, '$.event_ids[0]')
 WHERE rule IN ('small_penalty', 'large_fine', 'suspension', 'revocation') AND rule_key IS NULL;

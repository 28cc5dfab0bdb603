-- 0016 register lists: which organizations are on which credit list now, one row per list an
-- organization is on, for the register search's listed= filter (api/registry/org_search.c).
-- list_entries cannot answer it in USCC order: an organization may have several current entries
-- on one list, and the removed ones stay. A key on orgs would cost every import and every
-- organization's row for what a few percent of them are; this table holds only those that are
-- listed, and its primary key walks a list in USCC order (listed=serious at 1,000,000
-- organizations), its second key tells "on no list" (listed=none). Kept in step with
-- list_entries in the transaction that lists or removes (le_insert, the remove effect).
CREATE TABLE org_lists (
  list  ENUM('abnormal','serious') NOT NULL,
  uscc  CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  PRIMARY KEY (list, uscc),
  KEY org_lists_uscc (uscc)
) ENGINE=InnoDB;

INSERT IGNORE INTO org_lists (list, uscc)
  SELECT DISTINCT list, uscc FROM list_entries WHERE status = 'listed';

-- 0009 register keys: the secondary keys of orgs that nothing needs. A filter on category or
-- status alone keeps a quarter or nearly all of the register, spread over all codes, so reading
-- the primary key in USCC order finds a page of them as fast as those keys did; names are looked
-- up in org_names (which holds the current name too), never in orgs. At 1,000,000 organizations
-- they were three million index entries to write on import and to cache. The legal form keeps
-- its key: the USCC's second character is the form's, so each form is one stretch of codes, and
-- a scan for foundations would first pass every social group.
ALTER TABLE orgs DROP KEY orgs_category, DROP KEY orgs_status, DROP KEY orgs_name;

-- 0007 organization scope and fundraising: a change of funds is held to the minimum of the
-- organization's own kind (a national social group, a public-fundraising foundation), which the
-- establishment application gave and the register must therefore keep.
ALTER TABLE orgs
  ADD COLUMN scope ENUM('local','national') NOT NULL DEFAULT 'local' AFTER category,
  ADD COLUMN fundraising ENUM('none','local_public','national_public') NULL AFTER scope;
UPDATE orgs o JOIN applications a ON a.org_uscc = o.uscc AND a.kind = 'establish' AND a.status = 'approved'
   SET o.scope = IF(JSON_VALUE(a.body, '$.scope') = 'national', 'national', 'local'),
       o.fundraising = IF(o.legal_form = 'foundation',
                          IF(JSON_VALUE(a.body, '$.fundraising') IN ('local_public', 'national_public'),
                             JSON_VALUE(a.body, '$.fundraising'), 'none'), NULL);
UPDATE orgs SET fundraising = 'none' WHERE legal_form = 'foundation' AND fundraising IS NULL;

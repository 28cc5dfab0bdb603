-- 0034 deleted drafts: an applicant deletes a draft (删除草稿) rather than withdrawing it. The row
-- stays, in the state 'deleted' (the workflow's final state: lists and reads no longer show it, its
-- documents' content is removed), so that its audit entries still name an application.
ALTER TABLE applications
  MODIFY status ENUM('draft','submitted','supplement_requested','accepted','approved','rejected','withdrawn','deleted') NOT NULL;

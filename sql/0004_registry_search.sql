-- 0004 registry search: the bigram index needs only its primary key (gram, uscc), which answers
-- every search; the secondary key on uscc answered nothing, and at 1,000,000 organizations it
-- was ten million more index entries to write on every import and to keep in the buffer pool.
ALTER TABLE org_name_grams DROP KEY org_name_grams_uscc;

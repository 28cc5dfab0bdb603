-- 0024 award, challenge, contract, performance (SPEC §6 "Award and after", Appendix B). The
-- award lives on the tender row (it is part of the public notice, and an upheld challenge clears
-- it); challenges, contracts and performance reviews have tables of their own. status still moves
-- only through the tender workflow (api/tenders/tender.def); the end of the challenge period is a
-- deadlines row (0010).

ALTER TABLE tenders
  ADD COLUMN award_bid_id     BIGINT UNSIGNED NULL,
  ADD COLUMN award_rank       INT NULL,
  ADD COLUMN award_reason     TEXT NULL,
  ADD COLUMN awarded_at       DATETIME(6) NULL,
  ADD COLUMN challenge_until  DATETIME(6) NULL,      -- challenges are taken before this instant
  ADD COLUMN award_org_uscc   CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN award_org_name   VARCHAR(200) NULL,     -- as registered when awarded (the notice)
  ADD COLUMN award_price_fen  BIGINT NULL;

-- A bidder's challenge (质疑) of an award, and the purchaser's answer.
CREATE TABLE tender_challenges (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tender_id    BIGINT UNSIGNED NOT NULL,
  bid_id       BIGINT UNSIGNED NOT NULL,             -- the challenger's own bid
  filer_id     BIGINT UNSIGNED NOT NULL,
  award_bid_id BIGINT UNSIGNED NOT NULL,             -- the award it challenges
  text         MEDIUMTEXT NOT NULL,
  filed_at     DATETIME(6) NOT NULL,
  answer_due   DATETIME(6) NOT NULL,                 -- overdue from this instant while unanswered
  answer       MEDIUMTEXT NULL,
  upheld       TINYINT NULL,
  answered_at  DATETIME(6) NULL,
  answered_by  BIGINT UNSIGNED NULL,
  KEY tender_challenges_tender (tender_id, id),
  KEY tender_challenges_filer (filer_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One contract per tender: the tender is complete with it.
CREATE TABLE contracts (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tender_id   BIGINT UNSIGNED NOT NULL,
  bid_id      BIGINT UNSIGNED NOT NULL,
  org_uscc    CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  amount_fen  BIGINT NOT NULL,
  start_on    DATE NOT NULL,
  end_on      DATE NOT NULL,
  reason      TEXT NULL,                             -- a term over contract_max_years
  signed_by   BIGINT UNSIGNED NOT NULL,
  created_at  DATETIME(6) NOT NULL,
  UNIQUE KEY contracts_tender (tender_id),
  KEY contracts_org (org_uscc, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The purchaser's performance reviews of a contract; each is a performance credit event.
CREATE TABLE contract_reviews (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  contract_id      BIGINT UNSIGNED NOT NULL,
  score            INT NOT NULL,
  dimensions       TEXT NOT NULL,                    -- JSON {name: 0–100}
  summary          TEXT NOT NULL,
  credit_event_id  BIGINT UNSIGNED NOT NULL,
  reviewer_id      BIGINT UNSIGNED NOT NULL,
  created_at       DATETIME(6) NOT NULL,
  KEY contract_reviews_contract (contract_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A performance event names its contract and score.
ALTER TABLE credit_events
  ADD COLUMN contract_id  BIGINT UNSIGNED NULL,
  ADD COLUMN score        INT NULL;

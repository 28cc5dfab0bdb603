-- 0021 sealed bids (SPEC §6, Appendix B). Nothing here holds a price or a proposal in clear:
-- each bid is one AES-256-GCM ciphertext under its tender's data key, and the data key is kept
-- only wrapped by a key derived from the master key (api/tenders/bid_seal.c).

-- A tender's data key, made at publication: iv ‖ AES-256-GCM(kek, key) ‖ tag, with the tender's
-- id as additional data (a wrapped key cannot be moved to another tender).
CREATE TABLE tender_keys (
  tender_id   BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  wrapped     VARBINARY(128) NOT NULL,
  created_at  DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- status moves only through the bid workflow (api/tenders/bid.def). live is 1 while the bid is
-- live and NULL once withdrawn: the unique key (tender, organization, live) lets one organization
-- hold one live bid per tender, whatever the application does (NULLs never collide). (A persistent
-- column may not compute on a CHAR column: its value would depend on PAD_CHAR_TO_FULL_LENGTH.)
CREATE TABLE bids (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tender_id     BIGINT UNSIGNED NOT NULL,
  org_uscc      CHAR(18) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  bidder_id     BIGINT UNSIGNED NOT NULL,                 -- the applicant acting for the organization
  status        VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  sealed        MEDIUMBLOB NOT NULL,                      -- iv ‖ ciphertext ‖ tag of the bid's plaintext
  sha256        CHAR(64) CHARACTER SET ascii NOT NULL,    -- of the plaintext (it holds a random nonce)
  submitted_at  DATETIME(6) NOT NULL,                     -- the latest seal: the receipt's time
  withdrawn_at  DATETIME(6) NULL,
  version       INT UNSIGNED NOT NULL DEFAULT 1,
  created_at    DATETIME(6) NOT NULL,
  updated_at    DATETIME(6) NOT NULL,
  live          TINYINT AS (IF(status = 'submitted', 1, NULL)) PERSISTENT,
  UNIQUE KEY bids_one_live (tender_id, org_uscc, live),
  KEY bids_tender (tender_id, id),
  KEY bids_bidder (bidder_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A bid's documents, each sealed on its own (additional data naming the document too); their
-- names, types, sizes and digests are in the bid's sealed plaintext, not here.
CREATE TABLE bid_documents (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  bid_id      BIGINT UNSIGNED NOT NULL,
  sealed      LONGBLOB NOT NULL,
  created_at  DATETIME(6) NOT NULL,
  KEY bid_documents_bid (bid_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every receipt a bid was given (submission, each replacement, each document, the withdrawal),
-- never changed: the bidder's earlier receipts stay verifiable.
CREATE TABLE bid_receipts (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  bid_id     BIGINT UNSIGNED NOT NULL,
  kind       ENUM('submit','replace','document','withdraw') NOT NULL,
  sha256     CHAR(64) CHARACTER SET ascii NOT NULL,
  at         DATETIME(6) NOT NULL,
  KEY bid_receipts_bid (bid_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

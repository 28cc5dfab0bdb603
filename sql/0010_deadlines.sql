-- 0010 the workflow kernel: deadlines are rows, and an Idempotency-Key is claimed and answered
-- inside the changing transaction.

-- The time-driven moves of every workflow (server/fsm.h): written by the transaction that enters
-- a state with a timer, read by the scheduler, which makes each real under the object's row lock.
CREATE TABLE deadlines (
  object_type  VARCHAR(32)     NOT NULL,
  object_id    BIGINT UNSIGNED NOT NULL,
  action       VARCHAR(32)     NOT NULL,
  due_at       DATETIME(6)     NOT NULL,
  PRIMARY KEY (object_type, object_id, action),
  KEY deadlines_due (due_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A pending record was a claim made outside the change's transaction; none is made so any more,
-- and a pending one left by a crash answers nothing.
DELETE FROM idempotency WHERE state = 'pending';

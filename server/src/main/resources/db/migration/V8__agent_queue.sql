-- The agent's queue as its newest report that carried one said (protocol v1 `queue`, optional:
-- older agents never send it, so all three stay NULL for them). Written by the ingest's existing
-- per-commit UPDATE of computers, never by a statement of its own.
--   queue_depth        observations still in the agent's journal after that report's batch
--   queue_oldest_at    when the oldest of them was journaled (agent clock corrected with the
--                      batch's estimate when the report had sentAt); NULL when none waited
--   queue_reported_at  when the server received that report
-- Nullable without defaults: adding them rewrites nothing.
ALTER TABLE computers
  ADD COLUMN queue_depth       bigint CHECK (queue_depth >= 0),
  ADD COLUMN queue_oldest_at   timestamptz,
  ADD COLUMN queue_reported_at timestamptz;

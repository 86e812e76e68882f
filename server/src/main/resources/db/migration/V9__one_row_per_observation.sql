-- Ingest wrote three rows per stored observation: the observation, an idempotency receipt and a
-- rollup_pending row, and PostgreSQL parsed every checks document into jsonb. On the bench machine
-- (docs/performance.md, run 9) that was ~32 µs of PostgreSQL CPU per observation in batches, and
-- the receipts also grew by one row per observation until the daily retention deleted them.
-- After this migration an observation is one row; the rest is written once per group commit.

-- 1. Idempotency: each agent's stored sequence numbers as one multirange on its own row. Agents
-- number their observations 1, 2, 3, ... so this is one range per agent, plus one per gap (an
-- observation rejected, or dropped from a full journal). Ingest locks the agent rows of a group
-- commit before reading them, so two commits never store the same (agent, seq). Needs
-- PostgreSQL 14 or newer (multiranges).
ALTER TABLE agents ADD COLUMN stored_seqs int8multirange NOT NULL DEFAULT '{}';

UPDATE agents a SET stored_seqs = r.seqs
FROM (SELECT agent_id, range_agg(int8range(seq, seq, '[]')) AS seqs
      FROM observation_receipts GROUP BY agent_id) r
WHERE a.id = r.agent_id;

DROP TABLE observation_receipts;

-- 2. The JSON columns as json, not jsonb: the server has already parsed, validated and
-- re-serialized them, nothing queries them with jsonb operators, and jsonb cost ~5 µs of
-- PostgreSQL CPU per row to parse and 25 % more disk for the bench's checks. json still checks
-- that the text is JSON, and ->, ->> and json_array_elements work on it for ad-hoc queries.
ALTER TABLE observations
  ALTER COLUMN checks TYPE json USING checks::json,
  ALTER COLUMN speed_test TYPE json USING speed_test::json,
  ALTER COLUMN interface_counters TYPE json USING interface_counters::json;

-- 3. Observations waiting to be merged into computer_days: one row per group commit (and, for a
-- commit whose observations span more than one local day, still one row), with the observations
-- as parallel arrays. The latencies of observation i are the next latency_counts[i] values of
-- latency_ms. first_at and last_at bound the observed times so that a rebuild of one day finds
-- the rows that hold some of its observations.
ALTER TABLE rollup_pending RENAME TO rollup_pending_v6;
ALTER SEQUENCE rollup_pending_id_seq RENAME TO rollup_pending_v6_id_seq;
ALTER INDEX rollup_pending_pkey RENAME TO rollup_pending_v6_pkey;

CREATE TABLE rollup_pending (
  id                bigserial PRIMARY KEY,
  observations      int NOT NULL CHECK (observations > 0),
  first_at          timestamptz NOT NULL,
  last_at           timestamptz NOT NULL,
  establishment_ids bigint[] NOT NULL,
  computer_ids      bigint[] NOT NULL,
  observed_ms       bigint[] NOT NULL,
  statuses          text[] NOT NULL,
  latency_counts    int[] NOT NULL,
  latency_ms        real[] NOT NULL
);

-- What was still waiting, one row each, in the order it was stored.
INSERT INTO rollup_pending (observations, first_at, last_at, establishment_ids, computer_ids,
    observed_ms, statuses, latency_counts, latency_ms)
SELECT 1, observed_at, observed_at, ARRAY[establishment_id], ARRAY[computer_id],
    ARRAY[(extract(epoch FROM observed_at) * 1000)::bigint], ARRAY[status],
    ARRAY[coalesce(cardinality(latency_ms), 0)], coalesce(latency_ms, '{}')
FROM rollup_pending_v6 ORDER BY id;

DROP TABLE rollup_pending_v6;

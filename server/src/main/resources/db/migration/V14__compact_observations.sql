-- A stored observation cost 822 bytes with its two indexes (issue 19): at 10^5 computers and the
-- 400-day raw retention that is about 51 TB. This migration splits it by who reads what
-- (docs/performance.md, "Disk per observation (issue 19)"):
--
-- * observations keeps, for the whole raw retention, what the rollup rebuild reads (establishment,
--   computer, time, status, the successful latency probes' times) and the row's identity and clock
--   (agent, seq, received_at, clock_offset_ms, time source). Status and time source are smallint
--   codes, the latencies a real[] (as rollup_pending holds them), agent_time is observed_at minus
--   clock_offset_ms and is no longer stored. No B-tree: nothing in the server looks observations up
--   by computer or establishment (evidence and the API read the rollups); the rebuild reads one day
--   at a time, which the monthly partition and a BRIN index on observed_at serve.
-- * observation_details keeps the agent's reason, checks and interface counters verbatim, in daily
--   partitions dropped after rollups.detailRetention (31 days by default): nothing in the server
--   reads them; they are for the technician and the indicators to come.
-- * A speed test's raw JSON, a few a day per computer, goes to its speed_tests row (raw).
--
-- Observations stays partitioned by range on observed_at under the same name, so
-- enlace_ensure_observation_partition (V1, redefined in V13) still creates its partitions.

-- 1. The old table and its partitions step aside.
ALTER TABLE observations RENAME TO observations_v13;
ALTER INDEX observations_computer_time RENAME TO observations_v13_computer_time;
ALTER INDEX observations_establishment_time RENAME TO observations_v13_establishment_time;
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'observations_v13'
  LOOP
    EXECUTE format('ALTER TABLE %I RENAME TO %I', r.relname, 'v13_' || r.relname);
  END LOOP;
END;
$$;

-- 2. The per-minute status, for the whole raw retention. Columns in this order leave no alignment
-- padding: seven 8-byte values, two 2-byte codes, then the short array (1-byte header, unaligned).
CREATE TABLE observations (
  observed_at      timestamptz NOT NULL,  -- corrected to server time
  received_at      timestamptz NOT NULL,
  establishment_id bigint NOT NULL,
  computer_id      bigint NOT NULL,
  agent_id         bigint NOT NULL,
  seq              bigint NOT NULL,
  clock_offset_ms  bigint NOT NULL,       -- observed_at - the agent's clock (agent_time)
  status           smallint NOT NULL CHECK (status BETWEEN 0 AND 2),      -- see observation_codes
  time_source      smallint NOT NULL CHECK (time_source BETWEEN 0 AND 2), -- see observation_codes
  -- Connect times of the successful latency probes, in the order sent ('{}' when none): what the
  -- rollups' latency histograms are made of (LatencyHistogram.latencies).
  latency_ms       real[] NOT NULL
) PARTITION BY RANGE (observed_at);
-- Rows arrive in time order, so each block range covers a few minutes: a few kB per month.
CREATE INDEX observations_observed_at ON observations USING brin (observed_at);

-- What the codes mean, for people and ad-hoc queries (the server maps them in ObservationCodes).
CREATE TABLE observation_codes (
  kind text NOT NULL CHECK (kind IN ('status', 'time_source')),
  code smallint NOT NULL,
  name text NOT NULL,
  PRIMARY KEY (kind, code),
  UNIQUE (kind, name)
);
INSERT INTO observation_codes VALUES
  ('status', 0, 'online'), ('status', 1, 'limited'), ('status', 2, 'offline'),
  ('time_source', 0, 'agent'), ('time_source', 1, 'server_estimate'),
  ('time_source', 2, 'unverified');

-- 3. What the agent sent besides the status, verbatim, for a shorter retention.
CREATE TABLE observation_details (
  observed_at        timestamptz NOT NULL,
  computer_id        bigint NOT NULL,
  agent_id           bigint NOT NULL,
  seq                bigint NOT NULL,
  reason             text NOT NULL,
  checks             json NOT NULL,
  interface_counters json
) PARTITION BY RANGE (observed_at);
-- A technician reads one computer's recent checks; over 31 of 400 days this costs ~3 bytes per
-- observation kept.
CREATE INDEX observation_details_computer_time ON observation_details (computer_id, observed_at);

-- Daily partitions, created on demand by the ingest path. Several replicas may ask for the same
-- day at once: the advisory lock makes them take turns, and the loser finds the table made.
CREATE FUNCTION enlace_ensure_observation_detail_partition(day date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  name text := 'observation_details_' || to_char(day, 'YYYY_MM_DD');
BEGIN
  IF to_regclass(name) IS NOT NULL THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('enlace_observation_details'), hashtext(name));
  IF to_regclass(name) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF observation_details FOR VALUES FROM (%L) TO (%L)',
                   name, day::timestamp AT TIME ZONE 'UTC',
                   (day + 1)::timestamp AT TIME ZONE 'UTC');
  END IF;
EXCEPTION WHEN duplicate_table OR unique_violation THEN
  NULL; -- made meanwhile by a session that does not take the lock (an older server)
END;
$$;

-- 4. A speed test's raw result beside the figures the evidence uses.
ALTER TABLE speed_tests ADD COLUMN raw json;

-- 5. The existing rows, converted. Latencies as LatencyHistogram.latencies reads them: items of
-- checks.latency whose ok is true (Jackson's asBoolean: true, "true", or a non-zero integer) and
-- whose ms is a number >= 0, in order.
CREATE FUNCTION pg_temp.enlace_v14_latencies(checks json) RETURNS real[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg(least((l ->> 'ms')::numeric, 3.4e38)::real ORDER BY i), '{}')
  FROM json_array_elements(CASE WHEN json_typeof(checks -> 'latency') = 'array'
                                THEN checks -> 'latency' ELSE '[]' END) WITH ORDINALITY e(l, i)
  WHERE json_typeof(l -> 'ms') = 'number' AND (l ->> 'ms')::numeric >= 0
    AND CASE json_typeof(l -> 'ok')
          WHEN 'boolean' THEN (l ->> 'ok')::boolean
          WHEN 'string' THEN trim(l ->> 'ok') = 'true'
          WHEN 'number' THEN (l ->> 'ok') ~ '^-?[0-9]+$' AND (l ->> 'ok')::numeric <> 0
          ELSE false END
$$;

DO $$
DECLARE
  m date;
  d date;
BEGIN
  FOR m IN SELECT DISTINCT date_trunc('month', observed_at AT TIME ZONE 'UTC')::date
           FROM observations_v13
  LOOP
    PERFORM enlace_ensure_observation_partition(m);
  END LOOP;
  FOR d IN SELECT DISTINCT (observed_at AT TIME ZONE 'UTC')::date FROM observations_v13
  LOOP
    PERFORM enlace_ensure_observation_detail_partition(d);
  END LOOP;
END;
$$;

INSERT INTO observations (observed_at, received_at, establishment_id, computer_id, agent_id, seq,
    clock_offset_ms, status, time_source, latency_ms)
SELECT observed_at, received_at, establishment_id, computer_id, agent_id, seq, clock_offset_ms,
    CASE status WHEN 'online' THEN 0 WHEN 'limited' THEN 1 ELSE 2 END,
    CASE time_source WHEN 'agent' THEN 0 WHEN 'server_estimate' THEN 1 ELSE 2 END,
    pg_temp.enlace_v14_latencies(checks)
FROM observations_v13 ORDER BY observed_at;

INSERT INTO observation_details (observed_at, computer_id, agent_id, seq, reason, checks,
    interface_counters)
SELECT observed_at, computer_id, agent_id, seq, reason, checks, interface_counters
FROM observations_v13 ORDER BY observed_at;

-- Every observation with a speed test has its speed_tests row (same transaction since V2).
UPDATE speed_tests s SET raw = o.speed_test
FROM observations_v13 o
WHERE o.speed_test IS NOT NULL AND s.agent_id = o.agent_id AND s.seq = o.seq;

DROP TABLE observations_v13;

-- 6. The old shape, for people and ad-hoc queries: details are there while they are kept.
CREATE VIEW observations_full AS
SELECT o.establishment_id, o.computer_id, o.agent_id, o.seq, o.observed_at,
  o.observed_at - o.clock_offset_ms * interval '1 millisecond' AS agent_time, o.clock_offset_ms,
  ts.name AS time_source, o.received_at, st.name AS status, d.reason, d.checks, s.raw AS speed_test,
  d.interface_counters, o.latency_ms
FROM observations o
JOIN observation_codes st ON st.kind = 'status' AND st.code = o.status
JOIN observation_codes ts ON ts.kind = 'time_source' AND ts.code = o.time_source
LEFT JOIN observation_details d
  ON d.observed_at = o.observed_at AND d.agent_id = o.agent_id AND d.seq = o.seq
LEFT JOIN speed_tests s ON s.agent_id = o.agent_id AND s.seq = o.seq;

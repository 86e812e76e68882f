-- Two replicas starting together both create next month's partitions. CREATE TABLE IF NOT EXISTS
-- is no guard: both see no table, the second waits on the parent's lock and then fails with
-- "relation ... already exists" (or a duplicate key in pg_type). The creations of one parent are
-- serialised by a transaction-scoped advisory lock taken only when the partition is missing, so the
-- hot path stays one catalog lookup; the lock is per parent, not per month, so two transactions
-- creating two months each cannot wait on each other in a cycle. The exception handler is the
-- last guard for a caller whose catalog view was older than the lock (the partition exists then).
CREATE OR REPLACE FUNCTION enlace_ensure_partition(parent text, month date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  first_day date := date_trunc('month', month)::date;
  name text := parent || '_' || to_char(first_day, 'YYYY_MM');
BEGIN
  IF to_regclass(name) IS NOT NULL THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('enlace_partitions'), hashtext(parent));
  IF to_regclass(name) IS NOT NULL THEN
    RETURN;
  END IF;
  BEGIN
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                   name, parent, first_day::timestamp AT TIME ZONE 'UTC',
                   (first_day + interval '1 month')::timestamp AT TIME ZONE 'UTC');
  EXCEPTION WHEN duplicate_table OR unique_violation THEN
    NULL;
  END;
END;
$$;

CREATE OR REPLACE FUNCTION enlace_ensure_observation_partition(month date) RETURNS void
LANGUAGE sql AS $$ SELECT enlace_ensure_partition('observations', month) $$;

CREATE OR REPLACE FUNCTION enlace_ensure_link_samples_partition(month date) RETURNS void
LANGUAGE sql AS $$ SELECT enlace_ensure_partition('link_samples', month) $$;

-- ndt7 subtests running now on any replica: speedTest.maxConcurrentTests counts these rows, so N
-- replicas allow the cap, not N times it. A row goes when its subtest ends; a replica that dies
-- leaves its rows until expires_at (past the subtest's hard timeout). Unlogged: the rows matter for
-- seconds, and a crash or a failover that empties the table frees its slots, which is right.
CREATE UNLOGGED TABLE ndt7_running (
  id          uuid PRIMARY KEY,
  started_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);

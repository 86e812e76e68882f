-- Several replicas of the server on one database (issue 19): who is alive, and who holds each
-- singleton job. Every expiry is judged by the database's clock (now()), never a replica's.

-- One row per running replica, renewed by its heartbeat; a row whose expires_at has passed is a
-- dead replica (its devices go to the others at their next poll cycle). A replica that stops
-- cleanly deletes its row.
CREATE TABLE cluster_replicas (
  id           uuid PRIMARY KEY,
  host         text NOT NULL CHECK (length(host) <= 255),
  started_at   timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);

-- A singleton job's lease: held by one replica until expires_at, renewed by its heartbeat, taken
-- by another replica once it has expired. A table rather than session advisory locks, which die
-- with their connection and do not survive a pooler in transaction mode (PgBouncer) or a
-- failover; every statement here is a single autocommitted upsert.
CREATE TABLE cluster_leases (
  name        text PRIMARY KEY CHECK (length(name) <= 100),
  holder      uuid NOT NULL,
  holder_host text NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now(),
  renewed_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);

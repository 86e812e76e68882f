-- Enlace core schema: inventory, users, enrollment, agents and raw observations.
-- Every fact row carries establishment_id so the schema can later be distributed by establishment.

CREATE TABLE users (
  id            bigserial PRIMARY KEY,
  username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('it', 'administration')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE establishments (
  id            bigserial PRIMARY KEY,
  code          text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind          text NOT NULL CHECK (kind IN ('town_hall', 'school', 'health_post', 'library',
                                             'public_access_point', 'other')),
  sector        text NOT NULL CHECK (sector IN ('administration', 'citizens')),
  address       text NOT NULL DEFAULT '',
  latitude      double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude     double precision CHECK (longitude BETWEEN -180 AND 180),
  official_code text NOT NULL DEFAULT '',
  opening_hours jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((latitude IS NULL) = (longitude IS NULL))
);

CREATE TABLE isp_links (
  id                      bigserial PRIMARY KEY,
  establishment_id        bigint NOT NULL REFERENCES establishments (id),
  isp_name                text NOT NULL CHECK (length(isp_name) BETWEEN 1 AND 200),
  technology              text NOT NULL DEFAULT '',
  contracted_down_mbps    numeric(12, 3) NOT NULL CHECK (contracted_down_mbps > 0),
  contracted_up_mbps      numeric(12, 3) NOT NULL CHECK (contracted_up_mbps > 0),
  monthly_cost            numeric(14, 2) CHECK (monthly_cost >= 0),
  currency                text NOT NULL DEFAULT 'COP' CHECK (currency ~ '^[A-Z]{3}$'),
  contract_start          date,
  contract_end            date,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  CHECK (contract_end IS NULL OR contract_start IS NULL OR contract_end >= contract_start)
);
CREATE INDEX isp_links_establishment ON isp_links (establishment_id);

CREATE TABLE enrollment_tokens (
  id               bigserial PRIMARY KEY,
  establishment_id bigint NOT NULL REFERENCES establishments (id),
  token_hash       bytea NOT NULL UNIQUE,
  token_prefix     text NOT NULL,
  expires_at       timestamptz NOT NULL,
  max_uses         integer NOT NULL CHECK (max_uses > 0),
  uses             integer NOT NULL DEFAULT 0 CHECK (uses >= 0),
  revoked_at       timestamptz,
  created_by       text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX enrollment_tokens_establishment ON enrollment_tokens (establishment_id);

CREATE TABLE computers (
  id                  bigserial PRIMARY KEY,
  establishment_id    bigint NOT NULL REFERENCES establishments (id),
  machine_id          text NOT NULL,
  -- false for placeholder hardware ids (cloned images, boards with no serial): never an identity
  machine_id_trusted  boolean NOT NULL,
  hostname            text NOT NULL,
  os                  text NOT NULL DEFAULT '',
  os_version          text NOT NULL DEFAULT '',
  cpu_count           integer,
  ram_mb              bigint,
  agent_version       text NOT NULL DEFAULT '',
  role                text NOT NULL CHECK (role IN ('office', 'kiosk')),
  state               text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'decommissioned')),
  flag                text NOT NULL DEFAULT '',
  enrolled_at         timestamptz NOT NULL DEFAULT now(),
  decommissioned_at   timestamptz,
  last_seen_at        timestamptz,
  last_observed_at    timestamptz,
  last_status         text CHECK (last_status IN ('online', 'limited', 'offline')),
  last_reason         text,
  clock_offset_ms     bigint,
  queue_dropped_total bigint NOT NULL DEFAULT 0
);
CREATE INDEX computers_establishment ON computers (establishment_id);
-- One live computer per trusted machine id; placeholders and decommissioned ones are exempt.
CREATE UNIQUE INDEX computers_trusted_machine_id ON computers (machine_id)
  WHERE machine_id_trusted AND state = 'active' AND flag = '';

CREATE TABLE agents (
  id               bigserial PRIMARY KEY,
  public_id        uuid NOT NULL UNIQUE,
  computer_id      bigint NOT NULL REFERENCES computers (id),
  establishment_id bigint NOT NULL REFERENCES establishments (id),
  secret_hash      bytea NOT NULL,
  enrollment_token_id bigint REFERENCES enrollment_tokens (id),
  enrolled_at      timestamptz NOT NULL DEFAULT now(),
  -- set when the same machine enrolled again: a superseded agent that still reports is a clone
  superseded_at    timestamptz,
  revoked_at       timestamptz,
  revoked_reason   text
);
CREATE INDEX agents_computer ON agents (computer_id);

-- Idempotency of ingest: one receipt per (agent, sequence), enforced by the primary key rather
-- than by a check-then-insert. It is kept apart from the observations because those are
-- partitioned by time and a retransmitted observation may be corrected to another time.
CREATE TABLE observation_receipts (
  agent_id    bigint NOT NULL,
  seq         bigint NOT NULL,
  observed_at timestamptz NOT NULL,
  PRIMARY KEY (agent_id, seq)
);

CREATE TABLE observations (
  establishment_id bigint NOT NULL,
  computer_id      bigint NOT NULL,
  agent_id         bigint NOT NULL,
  seq              bigint NOT NULL,
  observed_at      timestamptz NOT NULL,  -- corrected to server time
  agent_time       timestamptz NOT NULL,  -- as the agent's clock read it
  clock_offset_ms  bigint NOT NULL,       -- observed_at - agent_time
  time_source      text NOT NULL CHECK (time_source IN ('agent', 'server_estimate', 'unverified')),
  received_at      timestamptz NOT NULL,
  status           text NOT NULL CHECK (status IN ('online', 'limited', 'offline')),
  reason           text NOT NULL,
  checks           jsonb NOT NULL,
  speed_test       jsonb,
  interface_counters jsonb
) PARTITION BY RANGE (observed_at);
CREATE INDEX observations_computer_time ON observations (computer_id, observed_at);
CREATE INDEX observations_establishment_time ON observations (establishment_id, observed_at);

-- Monthly partitions, created ahead of time and on demand by the ingest path.
CREATE FUNCTION enlace_ensure_observation_partition(month date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  first_day date := date_trunc('month', month)::date;
  name text := 'observations_' || to_char(first_day, 'YYYY_MM');
BEGIN
  IF to_regclass(name) IS NULL THEN
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF observations '
                   'FOR VALUES FROM (%L) TO (%L)',
                   name, first_day::timestamp AT TIME ZONE 'UTC',
                   (first_day + interval '1 month')::timestamp AT TIME ZONE 'UTC');
  END IF;
END;
$$;

-- Rollups, outages, indicators: what the administration's figures are computed from.
-- Raw observations expire (rollups.rawRetention); everything here is kept for years.

-- Per computer per local day (municipality time zone): one bit per minute of the day and status.
-- Merged with OR as observations arrive, in any order and any number of times, so late, repeated
-- and out-of-order reports always land in the right minute of the right day. A minute with no
-- bit set has no data: the PC was off or silent, which is never read as offline.
CREATE TABLE computer_days (
  computer_id      bigint NOT NULL,
  day              date NOT NULL,
  establishment_id bigint NOT NULL,
  day_minutes      smallint NOT NULL,          -- 1440, or 1380/1500 on a DST change day
  online_bits      varbit NOT NULL,
  limited_bits     varbit NOT NULL,
  offline_bits     varbit NOT NULL,
  observations     integer NOT NULL,
  -- latency samples of the day (TCP connect, ok probes), log-scale buckets (see LatencyHistogram)
  latency_hist     integer[] NOT NULL,
  seen_online      boolean GENERATED ALWAYS AS (position(B'1' IN online_bits) > 0) STORED,
  -- derived by the rollup maintainer, with hold minutes applied (see RollupMaintainer)
  minutes_observed integer NOT NULL DEFAULT 0,
  minutes_online   integer NOT NULL DEFAULT 0,
  minutes_limited  integer NOT NULL DEFAULT 0,
  minutes_offline  integer NOT NULL DEFAULT 0,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (computer_id, day),
  CHECK (length(online_bits) = day_minutes AND length(limited_bits) = day_minutes
         AND length(offline_bits) = day_minutes)
);
CREATE INDEX computer_days_establishment_day ON computer_days (establishment_id, day);

-- Establishment-days whose figures must be recomputed: appended by ingest in the same
-- transaction as the computer_days change, consumed by the maintainer in the transaction that
-- recomputes them. Append-only, so ingest never waits on the maintainer.
CREATE TABLE rollup_dirty (
  id               bigserial PRIMARY KEY,
  establishment_id bigint NOT NULL,
  day              date NOT NULL
);

-- Per establishment per local day; *_open are the minutes inside its opening hours.
CREATE TABLE establishment_days (
  establishment_id       bigint NOT NULL,
  day                    date NOT NULL,
  day_minutes            smallint NOT NULL,
  open_minutes           smallint NOT NULL,
  observed_minutes       smallint NOT NULL,   -- at least one computer reporting
  up_minutes             smallint NOT NULL,   -- at least one computer online
  outage_minutes         smallint NOT NULL,   -- computers reporting, none online
  observed_open_minutes  smallint NOT NULL,
  up_open_minutes        smallint NOT NULL,
  outage_open_minutes    smallint NOT NULL,
  computers_reporting    integer NOT NULL,
  computers_online       integer NOT NULL,
  outage_bits            varbit NOT NULL,
  observed_bits          varbit NOT NULL,
  latency_hist           integer[] NOT NULL,
  updated_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (establishment_id, day)
);

CREATE TABLE outages (
  id               bigserial PRIMARY KEY,
  establishment_id bigint NOT NULL,
  started_at       timestamptz NOT NULL,
  ended_at         timestamptz NOT NULL,
  duration_minutes integer NOT NULL,
  open_minutes     integer NOT NULL,     -- of which inside opening hours
  computers        integer NOT NULL,     -- computers that saw offline/limited in it
  short_blip       boolean NOT NULL,
  cause            text NOT NULL CHECK (cause IN ('agents', 'link_down')),
  CHECK (ended_at > started_at)
);
CREATE INDEX outages_establishment_time ON outages (establishment_id, started_at);

-- Days seen online per computer and month: what the indicators count.
CREATE TABLE computer_months (
  establishment_id bigint NOT NULL,
  computer_id      bigint NOT NULL,
  month            date NOT NULL,
  online_days      smallint NOT NULL,
  observed_days    smallint NOT NULL,
  PRIMARY KEY (month, establishment_id, computer_id)
);

-- Speed tests reported by agents, kept beyond raw retention for the evidence reports.
-- link_id is the establishment's ISP link when it has exactly one on that day.
CREATE TABLE speed_tests (
  establishment_id bigint NOT NULL,
  computer_id      bigint NOT NULL,
  agent_id         bigint NOT NULL,
  seq              bigint NOT NULL,
  link_id          bigint,
  measured_at      timestamptz NOT NULL,
  method           text NOT NULL,
  down_mbps        double precision,
  up_mbps          double precision,
  latency_ms       double precision,
  PRIMARY KEY (agent_id, seq)
);
CREATE INDEX speed_tests_establishment_time ON speed_tests (establishment_id, measured_at);
CREATE INDEX speed_tests_link_time ON speed_tests (link_id, measured_at);

-- The baseline in force is the newest row; older rows are its history.
CREATE TABLE indicator_baselines (
  id                           bigserial PRIMARY KEY,
  reference                    text NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
  administration_computers     integer NOT NULL CHECK (administration_computers >= 0),
  administration_establishments integer NOT NULL CHECK (administration_establishments >= 0),
  citizens_computers           integer NOT NULL CHECK (citizens_computers >= 0),
  citizens_establishments      integer NOT NULL CHECK (citizens_establishments >= 0),
  target_increase_pct          numeric(8, 2) NOT NULL CHECK (target_increase_pct > 0),
  note                         text NOT NULL DEFAULT '',
  set_by                       text NOT NULL,
  set_at                       timestamptz NOT NULL DEFAULT now()
);

-- Establishments and computers without an agent, declared with a source, month by month.
CREATE TABLE declared_counts (
  id             bigserial PRIMARY KEY,
  sector         text NOT NULL CHECK (sector IN ('administration', 'citizens')),
  description    text NOT NULL CHECK (length(description) BETWEEN 1 AND 200),
  establishments integer NOT NULL CHECK (establishments >= 0),
  computers      integer NOT NULL CHECK (computers >= 0),
  valid_from     date NOT NULL CHECK (extract(day FROM valid_from) = 1),
  valid_to       date CHECK (valid_to IS NULL OR extract(day FROM valid_to) = 1),
  source         text NOT NULL CHECK (length(source) BETWEEN 1 AND 500),
  declared_by    text NOT NULL,
  declared_at    timestamptz NOT NULL DEFAULT now(),
  withdrawn_by   text,
  withdrawn_at   timestamptz,
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);

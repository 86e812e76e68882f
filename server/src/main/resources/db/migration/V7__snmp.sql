-- SNMP: the establishments' routers, which interface carries which ISP link, and what polling
-- them found. Secrets are stored encrypted by the server (see SnmpCredentials); the database
-- never sees them in clear.

CREATE TABLE network_devices (
  id               bigserial PRIMARY KEY,
  establishment_id bigint NOT NULL REFERENCES establishments (id),
  name             text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
  address          text NOT NULL CHECK (length(address) BETWEEN 1 AND 253),
  port             integer NOT NULL DEFAULT 161 CHECK (port BETWEEN 1 AND 65535),
  snmp_version     text NOT NULL CHECK (snmp_version IN ('v2c', 'v3')),
  community        text,                 -- v2c, encrypted
  v3_user          text,
  v3_auth_protocol text CHECK (v3_auth_protocol IN ('SHA', 'SHA-256')),
  v3_auth_password text,                 -- encrypted
  v3_priv_protocol text CHECK (v3_priv_protocol IN ('AES-128', 'AES-256')),
  v3_priv_password text,                 -- encrypted
  enabled          boolean NOT NULL DEFAULT true,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK ((snmp_version = 'v2c' AND community IS NOT NULL)
      OR (snmp_version = 'v3' AND v3_user IS NOT NULL AND v3_auth_protocol IS NOT NULL
          AND v3_auth_password IS NOT NULL
          AND (v3_priv_protocol IS NULL) = (v3_priv_password IS NULL)))
);
CREATE INDEX network_devices_establishment ON network_devices (establishment_id);

-- Which interface of which device carries an ISP link. Matched by name first (ifName, then
-- ifDescr, then ifAlias), because ifIndex can change after a reboot; if_index alone is used
-- only when no name is given. resolved_if_index is where the poller last found it.
CREATE TABLE device_links (
  link_id           bigint PRIMARY KEY REFERENCES isp_links (id) ON DELETE CASCADE,
  device_id         bigint NOT NULL REFERENCES network_devices (id) ON DELETE CASCADE,
  if_name           text,
  if_descr          text,
  if_alias          text,
  if_index          integer CHECK (if_index > 0),
  resolved_if_index integer,
  CHECK (if_name IS NOT NULL OR if_descr IS NOT NULL OR if_alias IS NOT NULL
         OR if_index IS NOT NULL)
);
CREATE INDEX device_links_device ON device_links (device_id);

-- The last counters read per link, so that a restarted server computes its first interval from
-- them (or stores a gap) instead of starting blind.
CREATE TABLE snmp_link_state (
  link_id         bigint PRIMARY KEY,
  polled_at       timestamptz NOT NULL,
  sys_uptime      bigint NOT NULL,       -- TimeTicks (1/100 s), unsigned 32-bit
  if_index        integer NOT NULL,
  counter_bits    smallint NOT NULL CHECK (counter_bits IN (32, 64)),
  in_octets       numeric(20, 0) NOT NULL,
  out_octets      numeric(20, 0) NOT NULL,
  oper_status     smallint NOT NULL,
  in_total        numeric(24, 0) NOT NULL DEFAULT 0,  -- trusted octets counted so far
  out_total       numeric(24, 0) NOT NULL DEFAULT 0
);

-- One row per poll interval and link. in/out are the router's WAN interface: in = download
-- (compared with the contracted down rate), out = upload. An interval the poller cannot trust
-- (reboot, counter reset, missed polls, an impossible rate) is a gap: NULL rates and the reason,
-- never a zero or a spike.
CREATE TABLE link_samples (
  link_id          bigint NOT NULL,
  establishment_id bigint NOT NULL,
  started_at       timestamptz NOT NULL,
  ended_at         timestamptz NOT NULL,
  in_bps           double precision,
  out_bps          double precision,
  in_pct           double precision,
  out_pct          double precision,
  counter_bits     smallint NOT NULL,
  gap              text CHECK (gap IN ('device_restarted', 'counter_reset', 'missed_polls',
                                       'interface_changed', 'impossible_rate')),
  CHECK ((gap IS NULL) = (in_bps IS NOT NULL AND out_bps IS NOT NULL)),
  CHECK (ended_at > started_at),
  PRIMARY KEY (link_id, ended_at)
) PARTITION BY RANGE (ended_at);
CREATE INDEX link_samples_establishment_time ON link_samples (establishment_id, ended_at);

CREATE FUNCTION enlace_ensure_link_samples_partition(month date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  first_day date := date_trunc('month', month)::date;
  name text := 'link_samples_' || to_char(first_day, 'YYYY_MM');
BEGIN
  IF to_regclass(name) IS NULL THEN
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF link_samples '
                   'FOR VALUES FROM (%L) TO (%L)',
                   name, first_day::timestamp AT TIME ZONE 'UTC',
                   (first_day + interval '1 month')::timestamp AT TIME ZONE 'UTC');
  END IF;
END;
$$;

-- Link state as the router reports it (ifOperStatus), from polls and from linkDown/linkUp traps.
CREATE TABLE link_status_changes (
  link_id          bigint NOT NULL,
  establishment_id bigint NOT NULL,
  at               timestamptz NOT NULL,
  status           text NOT NULL CHECK (status IN ('up', 'down')),
  if_oper_status   smallint NOT NULL,
  source           text NOT NULL CHECK (source IN ('poll', 'trap')),
  PRIMARY KEY (link_id, at)
);

-- What the poller last saw of each device (the inventory row is not rewritten every minute).
CREATE TABLE snmp_device_state (
  device_id       bigint PRIMARY KEY REFERENCES network_devices (id) ON DELETE CASCADE,
  last_poll_at    timestamptz NOT NULL,
  last_success_at timestamptz,
  last_failure    text,
  last_failure_at timestamptz,
  sys_uptime      bigint
);

CREATE TABLE snmp_poll_failures (
  id               bigserial PRIMARY KEY,
  device_id        bigint NOT NULL,
  establishment_id bigint NOT NULL,
  at               timestamptz NOT NULL,
  reason           text NOT NULL CHECK (reason IN ('timeout', 'auth_failure', 'no_such_object',
                                                   'no_such_interface', 'error_status',
                                                   'unreachable')),
  detail           text NOT NULL DEFAULT ''
);
CREATE INDEX snmp_poll_failures_device_time ON snmp_poll_failures (device_id, at);

-- Per link per local day: one bit per minute in which the router said the link was up or down
-- (like computer_days). The rollup maintainer reads them beside the computers' bits.
CREATE TABLE link_days (
  link_id          bigint NOT NULL,
  day              date NOT NULL,
  establishment_id bigint NOT NULL,
  day_minutes      smallint NOT NULL,
  up_bits          varbit NOT NULL,
  down_bits        varbit NOT NULL,
  PRIMARY KEY (link_id, day),
  CHECK (length(up_bits) = day_minutes AND length(down_bits) = day_minutes)
);
CREATE INDEX link_days_establishment_day ON link_days (establishment_id, day);

-- What the link said, per establishment-day, beside what the computers said. The gaps are the
-- open minutes with no computer reporting, split by what the router knew about them: link up
-- (the PCs were off), link down; the rest (open - observed_open) had no data at all.
ALTER TABLE establishment_days
  ADD COLUMN link_up_minutes       smallint NOT NULL DEFAULT 0,
  ADD COLUMN link_down_minutes     smallint NOT NULL DEFAULT 0,
  ADD COLUMN gap_pcs_off_open      smallint NOT NULL DEFAULT 0,
  ADD COLUMN gap_link_down_open    smallint NOT NULL DEFAULT 0;
CREATE INDEX establishment_days_link_up ON establishment_days (day, establishment_id)
  WHERE link_up_minutes > 0;

-- Retention of the samples: whole months older than the cutoff's month are dropped.
CREATE FUNCTION enlace_drop_link_samples_before(cutoff date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  r record;
  dropped integer := 0;
BEGIN
  FOR r IN SELECT c.relname FROM pg_inherits i
           JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
           WHERE p.relname = 'link_samples'
             AND c.relname < 'link_samples_' || to_char(date_trunc('month', cutoff), 'YYYY_MM')
  LOOP
    EXECUTE format('DROP TABLE %I', r.relname);
    dropped := dropped + 1;
  END LOOP;
  RETURN dropped;
END;
$$;

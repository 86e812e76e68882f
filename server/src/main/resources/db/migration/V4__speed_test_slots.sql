-- Speed-test slots: who may test which ISP link when, with which single-use tokens, and what
-- the server measured. One computer per link at a time; a monthly data budget per link.
CREATE TABLE speedtest_slots (
  id               uuid PRIMARY KEY,        -- the test id agents report back
  link_id          bigint NOT NULL REFERENCES isp_links (id),
  establishment_id bigint NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('scheduled', 'on_demand')),
  not_before       timestamptz NOT NULL,
  not_after        timestamptz NOT NULL,
  state            text NOT NULL CHECK (state IN ('planned', 'offered', 'done', 'expired')),
  agent_id         bigint,
  offered_at       timestamptz,
  tokens_expire_at timestamptz,
  download_token_hash bytea UNIQUE,
  upload_token_hash   bytea UNIQUE,
  download_used_at timestamptz,
  upload_used_at   timestamptz,
  max_bytes_down   bigint NOT NULL CHECK (max_bytes_down > 0),
  max_bytes_up     bigint NOT NULL CHECK (max_bytes_up > 0),
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (not_after > not_before)
);
CREATE INDEX speedtest_slots_link_time ON speedtest_slots (link_id, not_before);
CREATE INDEX speedtest_slots_open ON speedtest_slots (establishment_id, not_before)
  WHERE state IN ('planned', 'offered');

-- The server's side of each subtest (bytes on the wire count against the link's budget).
CREATE TABLE ndt7_server_results (
  test_id          uuid NOT NULL REFERENCES speedtest_slots (id),
  subtest          text NOT NULL CHECK (subtest IN ('download', 'upload')),
  started_at       timestamptz NOT NULL,
  ended_at         timestamptz NOT NULL,
  bytes            bigint NOT NULL,
  wire_bytes       bigint NOT NULL,
  min_rtt_ms       double precision,
  smoothed_rtt_ms  double precision,
  error            text,
  PRIMARY KEY (test_id, subtest)
);

ALTER TABLE speed_tests ADD COLUMN test_id uuid;
ALTER TABLE speed_tests ADD COLUMN latency_loaded_ms double precision;
ALTER TABLE speed_tests ADD COLUMN error text;

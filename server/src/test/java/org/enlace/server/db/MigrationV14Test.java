package org.enlace.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.db.DataSourceFactory;
import java.util.List;
import org.enlace.server.testing.TestPostgres;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * V14 split each observation into a compact row and its details (issue 19): what a V13 database
 * held is all still there, and the latencies are the ones LatencyHistogram.latencies reads.
 */
class MigrationV14Test {
  @Test
  void observationsKeepEverythingReadAndTheirDetailsVerbatim() {
    String url = TestPostgres.newDatabase();
    Flyway.configure()
        .dataSource(url, TestPostgres.user(), TestPostgres.password())
        .locations("classpath:db/migration")
        .target("13")
        .load()
        .migrate();
    Jdbi jdbi = Jdbis.configure(Jdbi.create(url, TestPostgres.user(), TestPostgres.password()));
    jdbi.useHandle(
        h -> {
          long e =
              h.createQuery(
                      """
                      INSERT INTO establishments (code, name, kind, sector)
                      VALUES ('e1', 'E1', 'school', 'citizens') RETURNING id
                      """)
                  .mapTo(Long.class)
                  .one();
          long c =
              h.createQuery(
                      """
                      INSERT INTO computers (establishment_id, machine_id,
                      machine_id_trusted, hostname, role) VALUES (:e, 'm', true, 'h', 'office')
                      RETURNING id
                      """)
                  .bind("e", e)
                  .mapTo(Long.class)
                  .one();
          long a =
              h.createQuery(
                      """
                      INSERT INTO agents (public_id, computer_id, establishment_id,
                      secret_hash) VALUES (gen_random_uuid(), :c, :e, '\\x00') RETURNING id
                      """)
                  .bind("c", c)
                  .bind("e", e)
                  .mapTo(Long.class)
                  .one();
          h.execute("SELECT enlace_ensure_observation_partition(date '2026-10-01')");
          h.execute("SELECT enlace_ensure_observation_partition(date '2026-11-01')");
          h.createUpdate(
                  """
                  INSERT INTO observations (establishment_id, computer_id, agent_id, seq,
                  observed_at, agent_time, clock_offset_ms, time_source, received_at, status,
                  reason, checks, speed_test, interface_counters) VALUES
                  (:e, :c, :a, 1, '2026-10-05 12:00Z', '2026-10-05 12:00:01.5Z', -1500,
                   'agent', '2026-10-05 12:00:03Z', 'online', 'all probes ok',
                   '{"latency": [{"target": "a:443", "ok": true, "ms": 9.8},
                     {"target": "b:443", "ok": false, "ms": 20}, {"ok": "true", "ms": 7},
                     {"ok": 1, "ms": 3}, {"ok": true, "ms": -1}, {"ok": true},
                     {"ok": true, "ms": 0}], "loss": 0.0}',
                   NULL, '{"interface": "eth0", "rxBytes": 18734512903}'),
                  (:e, :c, :a, 2, '2026-11-30 23:59Z', '2026-11-30 23:59Z', 0,
                   'server_estimate', '2026-12-01 00:00Z', 'limited', 'captive portal',
                   '{"latency": "none"}', '{"method": "ndt7", "downMbps": 8.5}', NULL),
                  (:e, :c, :a, 3, '2026-11-30 23:58Z', '2026-11-30 23:58Z', 0,
                   'unverified', '2026-12-01 00:00Z', 'offline', '', '{}', NULL, NULL)
                  """)
              .bind("e", e)
              .bind("c", c)
              .bind("a", a)
              .execute();
          h.createUpdate(
                  """
                  INSERT INTO speed_tests (establishment_id, computer_id, agent_id, seq,
                  measured_at, method, down_mbps) VALUES (:e, :c, :a, 2, '2026-11-30 23:59Z',
                  'ndt7', 8.5)
                  """)
              .bind("e", e)
              .bind("c", c)
              .bind("a", a)
              .execute();
        });

    DataSourceFactory dsf = new DataSourceFactory();
    dsf.setUrl(url);
    dsf.setUser(TestPostgres.user());
    dsf.setPassword(TestPostgres.password());
    Migrations.migrate(dsf);

    jdbi.useHandle(
        h -> {
          List<String> core =
              h.createQuery(
                      """
                      SELECT seq || ' ' || status || ' ' || time_source || ' ' || clock_offset_ms
                        || ' ' || CAST(latency_ms AS text) || ' ' || CAST(received_at AS text)
                      FROM observations ORDER BY seq
                      """)
                  .mapTo(String.class)
                  .list();
          assertThat(core)
              .containsExactly(
                  "1 0 0 -1500 {9.8,7,3,0} 2026-10-05 12:00:03+00",
                  "2 1 1 0 {} 2026-12-01 00:00:00+00",
                  "3 2 2 0 {} 2026-12-01 00:00:00+00");
          List<String> full =
              h.createQuery(
                      """
                      SELECT seq || ' ' || status || ' ' || time_source || ' '
                        || CAST(agent_time AS text) || ' ' || reason || ' '
                        || coalesce(CAST(speed_test AS text), '-') || ' '
                        || coalesce(CAST(interface_counters AS text), '-')
                      FROM observations_full ORDER BY seq
                      """)
                  .mapTo(String.class)
                  .list();
          assertThat(full)
              .containsExactly(
                  "1 online agent 2026-10-05 12:00:01.5+00 all probes ok - "
                      + "{\"interface\": \"eth0\", \"rxBytes\": 18734512903}",
                  "2 limited server_estimate 2026-11-30 23:59:00+00 captive portal "
                      + "{\"method\": \"ndt7\", \"downMbps\": 8.5} -",
                  "3 offline unverified 2026-11-30 23:58:00+00  - -");
          assertThat(
                  h.createQuery(
                          """
                          SELECT CAST(checks AS text) FROM observation_details WHERE seq = 2
                          """)
                      .mapTo(String.class)
                      .one())
              .isEqualTo("{\"latency\": \"none\"}");
          assertThat(
                  h.createQuery(
                          """
                          SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                          WHERE i.inhparent IN ('observations'::regclass,
                            'observation_details'::regclass) ORDER BY 1
                          """)
                      .mapTo(String.class)
                      .list())
              .containsExactly(
                  "observation_details_2026_10_05",
                  "observation_details_2026_11_30",
                  "observations_2026_10",
                  "observations_2026_11");
          assertThat(
                  h.createQuery(
                          """
                          SELECT count(*) FROM pg_class WHERE relname LIKE '%v13%'
                          """)
                      .mapTo(Long.class)
                      .one())
              .isZero();
        });
  }
}

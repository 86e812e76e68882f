package org.enlace.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.db.DataSourceFactory;
import java.util.Map;
import org.enlace.server.testing.TestPostgres;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** V9 replaced per-observation receipts and pending rows: what a V8 database held survives it. */
class MigrationV9Test {
  @Test
  void receiptsBecomeStoredSequencesAndPendingRowsAreKept() {
    String url = TestPostgres.newDatabase();
    Flyway.configure()
        .dataSource(url, TestPostgres.user(), TestPostgres.password())
        .locations("classpath:db/migration")
        .target("8")
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
          for (int i = 0; i < 2; i++) {
            h.createUpdate(
                    """
                    INSERT INTO agents (public_id, computer_id, establishment_id,
                    secret_hash) VALUES (gen_random_uuid(), :c, :e, '\\x00')
                    """)
                .bind("c", c)
                .bind("e", e)
                .execute();
          }
          long agent = h.createQuery("SELECT min(id) FROM agents").mapTo(Long.class).one();
          h.execute("SELECT enlace_ensure_observation_partition(date '2026-10-01')");
          for (long seq : new long[] {1, 2, 3, 4, 5, 7}) {
            h.createUpdate("INSERT INTO observation_receipts VALUES (:a, :s, '2026-10-05 12:00Z')")
                .bind("a", agent)
                .bind("s", seq)
                .execute();
          }
          h.createUpdate(
                  """
                  INSERT INTO observations (establishment_id, computer_id, agent_id, seq,
                  observed_at, agent_time, clock_offset_ms, time_source, received_at, status, reason,
                  checks) VALUES (:e, :c, :a, 7, '2026-10-05 12:00Z', '2026-10-05 12:00Z', 0,
                  'agent', '2026-10-05 12:00Z', 'online', '', '{\"loss\": 0.5}')
                  """)
              .bind("e", e)
              .bind("c", c)
              .bind("a", agent)
              .execute();
          h.createUpdate(
                  """
                  INSERT INTO rollup_pending (establishment_id, computer_id, observed_at,
                  status, latency_ms) VALUES (:e, :c, '2026-10-05 12:00Z', 'online', '{20.5,30}'),
                  (:e, :c, '2026-10-05 12:01Z', 'offline', NULL)
                  """)
              .bind("e", e)
              .bind("c", c)
              .execute();
        });

    DataSourceFactory dsf = new DataSourceFactory();
    dsf.setUrl(url);
    dsf.setUser(TestPostgres.user());
    dsf.setPassword(TestPostgres.password());
    Migrations.migrate(dsf);

    jdbi.useHandle(
        h -> {
          assertThat(
                  h.createQuery("SELECT CAST(stored_seqs AS text) FROM agents ORDER BY id")
                      .mapTo(String.class)
                      .list())
              .containsExactly("{[1,6),[7,8)}", "{}");
          assertThat(
                  h.createQuery("SELECT to_regclass('observation_receipts') IS NULL")
                      .mapTo(Boolean.class)
                      .one())
              .isTrue();
          assertThat(
                  h.createQuery("SELECT checks ->> 'loss' FROM observation_details")
                      .mapTo(String.class)
                      .one())
              .isEqualTo("0.5");
          Map<String, Object> pending =
              h.createQuery(
                      """
                      SELECT observations,
                      CAST(first_at AS text) AS first_at, CAST(last_at AS text) AS last_at,
                      CAST(observed_ms AS text) AS observed_ms, CAST(statuses AS text) AS statuses,
                      CAST(latency_counts AS text) AS latency_counts,
                      CAST(latency_ms AS text) AS latency_ms FROM rollup_pending ORDER BY id LIMIT 1
                      """)
                  .mapToMap()
                  .one();
          assertThat(pending)
              .containsEntry("observations", 1)
              .containsEntry("observed_ms", "{1791201600000}")
              .containsEntry("statuses", "{online}")
              .containsEntry("latency_counts", "{2}")
              .containsEntry("latency_ms", "{20.5,30}");
          assertThat(
                  h.createQuery(
                          """
                          SELECT CAST(latency_counts AS text) || CAST(latency_ms AS text)
                          FROM rollup_pending ORDER BY id OFFSET 1
                          """)
                      .mapTo(String.class)
                      .one())
              .isEqualTo("{0}{}");
        });
  }
}

package org.enlace.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.enlace.server.enrollment.AgentPrincipal;
import org.enlace.server.testing.TestJdbi;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ObservationDaoTest {
  static Jdbi jdbi;
  static long establishment;
  static long computer;
  static long agent;

  @BeforeAll
  static void schema() {
    jdbi = TestJdbi.migrated();
    jdbi.useHandle(
        h -> {
          establishment =
              h.createQuery(
                      """
                      INSERT INTO establishments (code, name, kind, sector)
                      VALUES ('e1', 'E1', 'school', 'citizens') RETURNING id
                      """)
                  .mapTo(Long.class)
                  .one();
          computer =
              h.createQuery(
                      """
                      INSERT INTO computers (establishment_id, machine_id,
                      machine_id_trusted, hostname, role) VALUES (:e, 'm', true, 'h', 'office') RETURNING id
                      """)
                  .bind("e", establishment)
                  .mapTo(Long.class)
                  .one();
          agent =
              h.createQuery(
                      """
                      INSERT INTO agents (public_id, computer_id, establishment_id,
                      secret_hash) VALUES (gen_random_uuid(), :c, :e, '\\x00') RETURNING id
                      """)
                  .bind("c", computer)
                  .bind("e", establishment)
                  .mapTo(Long.class)
                  .one();
        });
  }

  private record Item(AgentPrincipal agent, Instant receivedAt, Observation observation)
      implements ObservationStore.Item {}

  /** Stores as a group commit does, and returns the keys stored now. */
  private static List<ObservationDao.Key> insert(long[] seqs, Instant... at) {
    return insert(Instant.EPOCH, new double[0], seqs, at);
  }

  private static List<ObservationDao.Key> insert(
      Instant detailsFrom, double[] latencies, long[] seqs, Instant... at) {
    AgentPrincipal principal =
        new AgentPrincipal(
            agent,
            UUID.randomUUID(),
            computer,
            establishment,
            Instant.EPOCH,
            new byte[1],
            Optional.empty(),
            "",
            Optional.empty(),
            "active");
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < seqs.length; i++) {
      items.add(
          new Item(
              principal,
              at[i],
              new Observation(
                  seqs[i],
                  at[i],
                  at[i],
                  0,
                  Observation.TimeSource.AGENT,
                  "online",
                  "",
                  "{\"loss\": " + seqs[i] + "}",
                  Optional.empty(),
                  Optional.empty(),
                  latencies,
                  Optional.empty(),
                  i)));
    }
    items.sort(Comparator.comparingLong(it -> it.observation().seq()));
    return jdbi.inTransaction(
        h -> {
          ObservationDao dao = h.attach(ObservationDao.class);
          for (Instant t : at) {
            dao.ensurePartition(LocalDate.ofInstant(t, ZoneOffset.UTC));
            dao.ensureDetailPartition(LocalDate.ofInstant(t, ZoneOffset.UTC));
          }
          dao.lockAgents(new long[] {agent});
          return ObservationStore.store(h, dao, items, detailsFrom).stream()
              .map(it -> new ObservationDao.Key(agent, it.observation().seq()))
              .toList();
        });
  }

  @Test
  void returnsOnlyNewKeysAcrossPartitions() {
    Instant march = Instant.parse("2026-03-31T23:59:00Z");
    Instant april = Instant.parse("2026-04-01T00:01:00Z");
    assertThat(insert(new long[] {100, 101}, march, march))
        .extracting(ObservationDao.Key::seq)
        .containsExactlyInAnyOrder(100L, 101L);
    // The same sequences corrected to another month: still duplicates.
    assertThat(insert(new long[] {100, 101, 102}, april, april, april))
        .extracting(ObservationDao.Key::seq)
        .containsExactly(102L);
    long rows =
        jdbi.withHandle(
            h ->
                h.createQuery("SELECT count(*) FROM observations WHERE seq BETWEEN 100 AND 102")
                    .mapTo(Long.class)
                    .one());
    assertThat(rows).isEqualTo(3);
    List<String> partitions =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        """
                        SELECT c.relname FROM
                        pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent = 'observations'::regclass ORDER BY 1
                        """)
                    .mapTo(String.class)
                    .list());
    assertThat(partitions).contains("observations_2026_03", "observations_2026_04");
  }

  private static String storedSeqs() {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                          SELECT CAST(stored_seqs AS text) FROM agents
                          WHERE id = :a
                          """)
                .bind("a", agent)
                .mapTo(String.class)
                .one());
  }

  @Test
  void aGapIsFilledLaterAndAnOlderSequenceIsNotTakenForADuplicate() {
    Instant t = Instant.parse("2026-05-10T12:00:00.123456Z");
    assertThat(insert(new long[] {1001, 1002, 1004}, t, t, t))
        .extracting(ObservationDao.Key::seq)
        .containsExactlyInAnyOrder(1001L, 1002L, 1004L);
    assertThat(storedSeqs()).contains("[1001,1003)").contains("[1004,1005)");
    // 1003 was never stored (rejected, or still in the agent's journal): it is new when it comes.
    assertThat(insert(new long[] {1003, 1004, 1005}, t, t, t))
        .extracting(ObservationDao.Key::seq)
        .containsExactlyInAnyOrder(1003L, 1005L);
    assertThat(storedSeqs()).contains("[1001,1006)").doesNotContain("[1004,");
    // An agent that sends its newest first and its backlog after it loses nothing either.
    assertThat(insert(new long[] {1010}, t))
        .extracting(ObservationDao.Key::seq)
        .containsExactly(1010L);
    assertThat(insert(new long[] {1007, 1006}, t, t))
        .extracting(ObservationDao.Key::seq)
        .containsExactlyInAnyOrder(1006L, 1007L);
    assertThat(storedSeqs()).contains("[1001,1008)").contains("[1010,1011)");
    // Every stored row carries its own checks document, in the order it was sent.
    List<String> checks =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        """
                        SELECT CAST(checks AS text) FROM
                        observation_details WHERE seq BETWEEN 1001 AND 1010 ORDER BY seq
                        """)
                    .mapTo(String.class)
                    .list());
    // Times keep their microseconds through COPY's binary format.
    Instant stored =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        """
                              SELECT observed_at FROM observations
                              WHERE seq = 1001
                              """)
                    .mapTo(OffsetDateTime.class)
                    .one()
                    .toInstant());
    assertThat(stored).isEqualTo(t);
    assertThat(checks)
        .containsExactly(
            "{\"loss\": 1001}",
            "{\"loss\": 1002}",
            "{\"loss\": 1003}",
            "{\"loss\": 1004}",
            "{\"loss\": 1005}",
            "{\"loss\": 1006}",
            "{\"loss\": 1007}",
            "{\"loss\": 1010}");
  }

  @Test
  void latenciesAndCodesAreStoredCompactlyAndOldDetailsAreLeftOut() {
    Instant old = Instant.parse("2026-06-01T10:00:00Z");
    Instant recent = Instant.parse("2026-06-20T10:00:00.5Z");
    Instant cutoff = Instant.parse("2026-06-10T00:00:00Z");
    assertThat(insert(cutoff, new double[] {9.8, 101.25, 0}, new long[] {2001, 2002}, old, recent))
        .hasSize(2);
    List<String> rows =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        """
                        SELECT seq || ' ' || status || ' ' || time_source || ' '
                          || CAST(latency_ms AS text) || ' ' || coalesce(reason, '-') || ' '
                          || coalesce(CAST(checks AS text), '-') || ' ' || CAST(agent_time AS text)
                        FROM observations_full WHERE seq IN (2001, 2002) ORDER BY seq
                        """)
                    .mapTo(String.class)
                    .list());
    // The old one keeps its status and latencies; its details were past the cutoff.
    assertThat(rows)
        .containsExactly(
            "2001 online agent {9.8,101.25,0} - - 2026-06-01 10:00:00+00",
            "2002 online agent {9.8,101.25,0}  {\"loss\": 2002} 2026-06-20 10:00:00.5+00");
  }

  @Test
  void detailPartitionsAreUtcDaysAndMayBeAskedForTwice() {
    jdbi.useHandle(
        h -> {
          ObservationDao dao = h.attach(ObservationDao.class);
          dao.ensureDetailPartition(LocalDate.of(2027, 2, 14));
          dao.ensureDetailPartition(LocalDate.of(2027, 2, 14));
        });
    String bound =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        """
                        SELECT pg_get_expr(c.relpartbound, c.oid)
                        FROM pg_class c WHERE c.relname = 'observation_details_2027_02_14'
                        """)
                    .mapTo(String.class)
                    .one());
    assertThat(bound).contains("2027-02-14 00:00:00+00").contains("2027-02-15 00:00:00+00");
  }

  @Test
  void partitionBoundsAreUtcMonths() {
    jdbi.useHandle(h -> h.attach(ObservationDao.class).ensurePartition(LocalDate.of(2027, 2, 14)));
    String bound =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        """
                        SELECT pg_get_expr(c.relpartbound, c.oid)
                        FROM pg_class c WHERE c.relname = 'observations_2027_02'
                        """)
                    .mapTo(String.class)
                    .one());
    assertThat(bound).contains("2027-02-01 00:00:00+00").contains("2027-03-01 00:00:00+00");
  }
}

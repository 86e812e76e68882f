package org.enlace.server.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.ingest.ObservationDao;
import org.enlace.server.testing.TestJdbi;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** Observation details go by whole UTC days, apart from the observations' monthly partitions. */
class DetailRetentionTest {
  @Test
  void daysWhollyBeforeTheCutoffAreDroppedAndTheObservationsStay() {
    Jdbi jdbi = TestJdbi.migrated();
    jdbi.useHandle(
        h -> {
          ObservationDao dao = h.attach(ObservationDao.class);
          dao.ensurePartition(LocalDate.of(2026, 3, 1));
          for (int d = 8; d <= 11; d++) {
            dao.ensureDetailPartition(LocalDate.of(2026, 3, d));
          }
        });
    RollupRebuild rebuild = new RollupRebuild(jdbi, new LocalMinutes(ZoneId.of("America/Bogota")));

    // The 10th ends after the cutoff: it stays, with the days after it.
    assertThat(rebuild.expireDetails(Instant.parse("2026-03-10T12:00:00Z")).partitionsDropped())
        .isEqualTo(2);
    assertThat(rebuild.expireDetails(Instant.parse("2026-03-10T12:00:00Z")).partitionsDropped())
        .isZero();
    List<String> left =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        """
                        SELECT c.relname FROM pg_inherits i
                        JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent IN ('observations'::regclass,
                          'observation_details'::regclass) ORDER BY 1
                        """)
                    .mapTo(String.class)
                    .list());
    assertThat(left)
        .containsExactly(
            "observation_details_2026_03_10",
            "observation_details_2026_03_11",
            "observations_2026_03");
  }
}

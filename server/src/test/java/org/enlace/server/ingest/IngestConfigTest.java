package org.enlace.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.enlace.server.testing.Configs.errors;
import static org.enlace.server.testing.Configs.read;

import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import org.junit.jupiter.api.Test;

/** {@code ingest:} in config.yml: defaults, mapping and limits. */
class IngestConfigTest {
  @Test
  void defaults() {
    IngestConfig c = new IngestConfig();
    assertThat(c.getMaxBodySize()).isEqualTo(DataSize.mebibytes(1));
    assertThat(c.getMaxObservationsPerReport()).isEqualTo(5000);
    assertThat(c.getFutureTolerance()).isEqualTo(Duration.minutes(2));
    assertThat(c.getPastTolerance()).isEqualTo(Duration.minutes(10));
    assertThat(c.getMaxRowsPerCommit()).isEqualTo(5000);
    assertThat(c.getWriterThreads()).isEqualTo(2);
    assertThat(c.getMaxQueuedReports()).isEqualTo(4096);
    assertThat(c.getCommitTimeout()).isEqualTo(Duration.seconds(30));
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void mapsEveryKey() {
    IngestConfig c =
        read(
            """
            maxBodySize: 4MiB
            maxObservationsPerReport: 1000
            futureTolerance: 30 seconds
            pastTolerance: 0 seconds
            maxRowsPerCommit: 20000
            writerThreads: 4
            maxQueuedReports: 100
            commitTimeout: 5 minutes
            """,
            IngestConfig.class);
    assertThat(c.getMaxBodySize()).isEqualTo(DataSize.mebibytes(4));
    assertThat(c.getMaxObservationsPerReport()).isEqualTo(1000);
    assertThat(c.getFutureTolerance()).isEqualTo(Duration.seconds(30));
    assertThat(c.getPastTolerance()).isEqualTo(Duration.seconds(0));
    assertThat(c.getMaxRowsPerCommit()).isEqualTo(20000);
    assertThat(c.getWriterThreads()).isEqualTo(4);
    assertThat(c.getMaxQueuedReports()).isEqualTo(100);
    assertThat(c.getCommitTimeout()).isEqualTo(Duration.minutes(5));
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheFieldAndTheRange() {
    IngestConfig low =
        read(
            """
            maxBodySize: 63KiB
            maxObservationsPerReport: 0
            futureTolerance: 0 seconds
            maxRowsPerCommit: 0
            writerThreads: 0
            maxQueuedReports: 0
            commitTimeout: 0 seconds
            """,
            IngestConfig.class);
    assertThat(errors(low))
        .containsOnly(
            entry("maxBodySize", "must be between 64 KiB and 64 MiB"),
            entry("maxObservationsPerReport", "must be between 1 and 100000"),
            entry("futureTolerance", "must be between 1 second and 1 hour"),
            entry("maxRowsPerCommit", "must be between 1 and 100000"),
            entry("writerThreads", "must be between 1 and 16"),
            entry("maxQueuedReports", "must be between 1 and 1000000"),
            entry("commitTimeout", "must be between 1 second and 5 minutes"));
    IngestConfig high =
        read(
            """
            maxBodySize: 65MiB
            futureTolerance: 61 minutes
            pastTolerance: 25 hours
            writerThreads: 17
            commitTimeout: 301 seconds
            """,
            IngestConfig.class);
    assertThat(errors(high))
        .containsOnlyKeys(
            "maxBodySize", "futureTolerance", "pastTolerance", "writerThreads", "commitTimeout")
        .containsEntry("pastTolerance", "must be between 0 seconds and 1 day");
  }
}

package org.enlace.server.ingest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.DataSizeUnit;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.DataSizeRange;
import io.dropwizard.validation.DurationRange;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;
import org.hibernate.validator.constraints.Range;

/** Limits and rules of report ingest ({@code ingest:} in config.yml). */
public class IngestConfig {
  /** Largest report body, counted after gzip decompression too. */
  // Agents send up to 768 KiB of JSON per report by default (upload.batchMaxBytes) and split a
  // refused batch; under 64 KiB few observations fit in a report, over 64 MiB one request could
  // hold a writer's memory.
  @NotNull
  @DataSizeRange(
      min = 64,
      max = 65_536,
      unit = DataSizeUnit.KIBIBYTES,
      message = "must be between 64 KiB and 64 MiB")
  @JsonProperty
  private DataSize maxBodySize = DataSize.mebibytes(1);

  @Range(min = 1, max = 100_000)
  @JsonProperty
  private int maxObservationsPerReport = 5_000;

  /** How far past the server's clock a corrected time may be (clock jitter, network delay). */
  // Under a second, the corrected clocks' ordinary jitter is refused; over an hour, a clock that
  // is wrong by hours would write minutes that have not happened yet.
  @NotNull
  @DurationRange(
      min = 1,
      max = 3_600,
      unit = TimeUnit.SECONDS,
      message = "must be between 1 second and 1 hour")
  @JsonProperty
  private Duration futureTolerance = Duration.minutes(2);

  /** How far before enrollment a corrected time may be. */
  // A day at most: beyond it a PC's wrong clock could fill days before it was installed.
  @NotNull
  @DurationRange(
      min = 0,
      max = 1_440,
      unit = TimeUnit.MINUTES,
      message = "must be between 0 seconds and 1 day")
  @JsonProperty
  private Duration pastTolerance = Duration.minutes(10);

  /** Rows one group commit may carry; requests queue behind a commit in progress. */
  @Range(min = 1, max = 100_000)
  @JsonProperty
  private int maxRowsPerCommit = 5_000;

  /** Writer threads; each owns one database connection while it commits. */
  @Range(min = 1, max = 16)
  @JsonProperty
  private int writerThreads = 2;

  /** Reports waiting for a commit; past this the server answers 503 with Retry-After. */
  @Range(min = 1, max = 1_000_000)
  @JsonProperty
  private int maxQueuedReports = 4_096;

  // Zero would refuse every report; past 5 minutes agents (upload.timeout 60 s) have long given up
  // and resent, so a longer wait only piles up requests.
  @NotNull
  @DurationRange(
      min = 1,
      max = 300,
      unit = TimeUnit.SECONDS,
      message = "must be between 1 second and 5 minutes")
  @JsonProperty
  private Duration commitTimeout = Duration.seconds(30);

  public DataSize getMaxBodySize() {
    return maxBodySize;
  }

  public int getMaxObservationsPerReport() {
    return maxObservationsPerReport;
  }

  public Duration getFutureTolerance() {
    return futureTolerance;
  }

  public Duration getPastTolerance() {
    return pastTolerance;
  }

  public int getMaxRowsPerCommit() {
    return maxRowsPerCommit;
  }

  public int getWriterThreads() {
    return writerThreads;
  }

  public int getMaxQueuedReports() {
    return maxQueuedReports;
  }

  public Duration getCommitTimeout() {
    return commitTimeout;
  }
}

package org.enlace.server.ingest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** Limits and rules of report ingest ({@code ingest:} in config.yml). */
public class IngestConfig {
  /** Largest report body, counted after gzip decompression too. */
  @NotNull @JsonProperty private DataSize maxBodySize = DataSize.mebibytes(1);

  @Min(1)
  @Max(100_000)
  @JsonProperty
  private int maxObservationsPerReport = 5_000;

  /** How far past the server's clock a corrected time may be (clock jitter, network delay). */
  @NotNull @JsonProperty private Duration futureTolerance = Duration.minutes(2);

  /** How far before enrollment a corrected time may be. */
  @NotNull @JsonProperty private Duration pastTolerance = Duration.minutes(10);

  /** Rows one group commit may carry; requests queue behind a commit in progress. */
  @Min(1)
  @Max(100_000)
  @JsonProperty
  private int maxRowsPerCommit = 5_000;

  /** Writer threads; each owns one database connection while it commits. */
  @Min(1)
  @Max(16)
  @JsonProperty
  private int writerThreads = 2;

  /** Reports waiting for a commit; past this the server answers 503 with Retry-After. */
  @Min(1)
  @Max(1_000_000)
  @JsonProperty
  private int maxQueuedReports = 4_096;

  @NotNull @JsonProperty private Duration commitTimeout = Duration.seconds(30);

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

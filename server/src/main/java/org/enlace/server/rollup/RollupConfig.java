package org.enlace.server.rollup;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.DurationRange;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;
import org.hibernate.validator.constraints.Range;

/** How observations become daily figures and outages ({@code rollups:} in config.yml). */
public class RollupConfig {
  /**
   * Minutes a computer's last status holds when its next check is late. Agents check every 60 s
   * with jitter, so a check now and then lands two minutes after the previous one; without a hold
   * that minute would read as "no data" and split an outage in two.
   */
  @Range(min = 0, max = 30)
  @JsonProperty
  private int holdMinutes = 1;

  /**
   * Outages shorter than this are listed but flagged as blips and not counted as outages; their
   * minutes still count as minutes without internet in the availability.
   */
  @Range(min = 1, max = 1440)
  @JsonProperty
  private int shortOutageMinutes = 5;

  /** Raw observations older than this are deleted (whole monthly partitions); rollups stay. */
  // Whole months are dropped once their end is older than this: at 31 days or more the previous
  // month is always still there, so last month's figures can be rebuilt and checked. Ten years
  // at most: raw data grows with every computer and minute.
  @NotNull
  @DurationRange(
      min = 31,
      max = 3_650,
      unit = TimeUnit.DAYS,
      message = "must be between 31 days and 3650 days")
  @JsonProperty
  private Duration rawRetention = Duration.days(400);

  /**
   * The agent's reason, checks and interface counters of each observation are deleted after this
   * (whole days); the per-minute status, latencies and rollups follow rawRetention.
   */
  // Nothing in the server reads them: they are the technician's, for recent trouble. Kept for a
  // month by default they add about 63 bytes to the 118 of an observation kept 400 days
  // (docs/performance.md, "Disk per observation (issue 19)").
  @NotNull
  @DurationRange(
      min = 2,
      max = 3_650,
      unit = TimeUnit.DAYS,
      message = "must be between 2 days and 3650 days")
  @JsonProperty
  private Duration detailRetention = Duration.days(31);

  /** How often the maintainer recomputes establishment days that changed. */
  // 0 would make the maintainer's schedule fail at start; past 10 minutes dashboards and "now"
  // figures lag what agents reported by too long to follow an outage.
  @NotNull
  @DurationRange(
      min = 1,
      max = 600,
      unit = TimeUnit.SECONDS,
      message = "must be between 1 second and 10 minutes")
  @JsonProperty
  private Duration maintainerInterval = Duration.seconds(5);

  /** Establishment-days recomputed per maintainer transaction. */
  @Range(min = 1, max = 100_000)
  @JsonProperty
  private int maintainerBatch = 500;

  public int getHoldMinutes() {
    return holdMinutes;
  }

  public int getShortOutageMinutes() {
    return shortOutageMinutes;
  }

  public Duration getRawRetention() {
    return rawRetention;
  }

  public Duration getDetailRetention() {
    return detailRetention;
  }

  public void setDetailRetention(Duration detailRetention) {
    this.detailRetention = detailRetention;
  }

  public Duration getMaintainerInterval() {
    return maintainerInterval;
  }

  public int getMaintainerBatch() {
    return maintainerBatch;
  }

  public void setHoldMinutes(int holdMinutes) {
    this.holdMinutes = holdMinutes;
  }

  public void setShortOutageMinutes(int shortOutageMinutes) {
    this.shortOutageMinutes = shortOutageMinutes;
  }

  public void setRawRetention(Duration rawRetention) {
    this.rawRetention = rawRetention;
  }

  public void setMaintainerInterval(Duration maintainerInterval) {
    this.maintainerInterval = maintainerInterval;
  }
}

package org.enlace.server.rollup;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** How observations become daily figures and outages ({@code rollups:} in config.yml). */
public class RollupConfig {
  /**
   * Minutes a computer's last status holds when its next check is late. Agents check every 60 s
   * with jitter, so a check now and then lands two minutes after the previous one; without a hold
   * that minute would read as "no data" and split an outage in two.
   */
  @Min(0)
  @Max(30)
  @JsonProperty
  private int holdMinutes = 1;

  /**
   * Outages shorter than this are listed but flagged as blips and not counted as outages; their
   * minutes still count as minutes without internet in the availability.
   */
  @Min(1)
  @Max(1440)
  @JsonProperty
  private int shortOutageMinutes = 5;

  /** Raw observations older than this are deleted (whole monthly partitions); rollups stay. */
  @NotNull @JsonProperty private Duration rawRetention = Duration.days(400);

  /** How often the maintainer recomputes establishment days that changed. */
  @NotNull @JsonProperty private Duration maintainerInterval = Duration.seconds(5);

  /** Establishment-days recomputed per maintainer transaction. */
  @Min(1)
  @Max(100_000)
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

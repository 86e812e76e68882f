package org.enlace.server.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/**
 * The fleet's Prometheus metrics ({@code fleetMetrics:} in config.yml; {@code metrics:} is
 * Dropwizard's own).
 */
public class FleetMetricsConfig {
  /**
   * How often the per-establishment gauges are read from the database (one set of queries per
   * refresh, whatever the number of computers). Keep it near Prometheus' scrape interval.
   */
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  @MaxDuration(value = 1, unit = TimeUnit.HOURS)
  @JsonProperty
  private Duration refresh = Duration.seconds(30);

  /**
   * A computer "reports now" when its newest observation is at most this old; only those count as
   * online, limited or offline now. Agents observe every 60 s and upload after each round.
   */
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.MINUTES)
  @MaxDuration(value = 1, unit = TimeUnit.DAYS)
  @JsonProperty
  private Duration reportingWindow = Duration.minutes(10);

  /**
   * Agent versions exported one by one; the less common ones are summed under {@code
   * version="other"}, so that a misbehaving agent cannot grow the series without bound.
   */
  @Min(2)
  @Max(200)
  @JsonProperty
  private int maxAgentVersions = 20;

  public Duration getRefresh() {
    return refresh;
  }

  public void setRefresh(Duration refresh) {
    this.refresh = refresh;
  }

  public Duration getReportingWindow() {
    return reportingWindow;
  }

  public void setReportingWindow(Duration reportingWindow) {
    this.reportingWindow = reportingWindow;
  }

  public int getMaxAgentVersions() {
    return maxAgentVersions;
  }

  public void setMaxAgentVersions(int maxAgentVersions) {
    this.maxAgentVersions = maxAgentVersions;
  }
}

package org.enlace.server.metrics;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.DurationRange;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;
import org.hibernate.validator.constraints.Range;

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
  @DurationRange(
      min = 1,
      max = 3_600,
      unit = TimeUnit.SECONDS,
      message = "must be between 1 second and 1 hour")
  @JsonProperty
  private Duration refresh = Duration.seconds(30);

  /**
   * A computer "reports now" when its newest observation is at most this old; only those count as
   * online, limited or offline now. Agents observe every 60 s and upload after each round.
   */
  @NotNull
  @DurationRange(
      min = 1,
      max = 1_440,
      unit = TimeUnit.MINUTES,
      message = "must be between 1 minute and 1 day")
  @JsonProperty
  private Duration reportingWindow = Duration.minutes(10);

  /**
   * Agent versions exported one by one; the less common ones are summed under {@code
   * version="other"}, so that a misbehaving agent cannot grow the series without bound.
   */
  @Range(min = 2, max = 200)
  @JsonProperty
  private int maxAgentVersions = 20;

  /**
   * Figures refreshed less often than the window they judge would show computers as reporting after
   * they stopped.
   */
  @JsonIgnore
  @ValidationMethod(message = "refresh must be shorter than reportingWindow")
  public boolean isRefreshShorterThanReportingWindow() {
    return refresh == null
        || reportingWindow == null
        || refresh.toNanoseconds() < reportingWindow.toNanoseconds();
  }

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

package org.enlace.server.speedtest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;

/** Who tests which link when, and how much data it may use ({@code speedTestPlan:}). */
public class SpeedTestPlanConfig {
  /** Scheduled tests per link per day, at random times inside the opening hours. */
  @Min(0)
  @Max(48)
  @JsonProperty
  private int testsPerDay = 4;

  /** One extra test a day inside each of these local windows (e.g. "19:00-21:00"). */
  @NotNull @JsonProperty
  private List<
          @Pattern(regexp = "\\d\\d:\\d\\d-\\d\\d:\\d\\d", message = "must be HH:MM-HH:MM") String>
      peakWindows = List.of();

  /**
   * Monthly data budget per link, as a share (%) of what the contracted rates could carry in a
   * month, down plus up. Never exceeded: a test is only offered when its whole allowance fits.
   */
  @DecimalMin("0.001")
  @DecimalMax("100")
  @JsonProperty
  private double monthlyBudgetPct = 0.5;

  /** How long an agent has to start a scheduled test once its slot opens. */
  @NotNull @JsonProperty private Duration slotWindow = Duration.minutes(15);

  /** Allowance per subtest: this many times what the contracted rate carries in testSeconds. */
  @DecimalMin("1.0")
  @DecimalMax("10")
  @JsonProperty
  private double allowanceFactor = 1.5;

  /** The ndt7 test length the allowance is computed for. */
  @Min(1)
  @Max(15)
  @JsonProperty
  private int testSeconds = 10;

  /** Tests a person may start with `enlace-agent speedtest` per link and day. */
  @Min(0)
  @Max(100)
  @JsonProperty
  private int onDemandPerDay = 4;

  public int getTestsPerDay() {
    return testsPerDay;
  }

  public void setTestsPerDay(int testsPerDay) {
    this.testsPerDay = testsPerDay;
  }

  public List<String> getPeakWindows() {
    return peakWindows;
  }

  public double getMonthlyBudgetPct() {
    return monthlyBudgetPct;
  }

  public void setMonthlyBudgetPct(double monthlyBudgetPct) {
    this.monthlyBudgetPct = monthlyBudgetPct;
  }

  public Duration getSlotWindow() {
    return slotWindow;
  }

  public double getAllowanceFactor() {
    return allowanceFactor;
  }

  public int getTestSeconds() {
    return testSeconds;
  }

  public int getOnDemandPerDay() {
    return onDemandPerDay;
  }
}

package org.enlace.server.speedtest;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.DurationRange;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hibernate.validator.constraints.Range;

/** Who tests which link when, and how much data it may use ({@code speedTestPlan:}). */
public class SpeedTestPlanConfig {
  /** Scheduled tests per link per day, at random times inside the opening hours. */
  @Range(min = 0, max = 48)
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
  @DecimalMin(value = "0.001", message = "must be between 0.001 and 100")
  @DecimalMax(value = "100", message = "must be between 0.001 and 100")
  @JsonProperty
  private double monthlyBudgetPct = 0.5;

  /** How long an agent has to start a scheduled test once its slot opens. */
  // Agents ask for slots once a round (60 s): a shorter window can open and close between two
  // asks. Past 2 hours a test no longer measures the time it was drawn for.
  @NotNull
  @DurationRange(
      min = 1,
      max = 120,
      unit = TimeUnit.MINUTES,
      message = "must be between 1 minute and 2 hours")
  @JsonProperty
  private Duration slotWindow = Duration.minutes(15);

  /** Allowance per subtest: this many times what the contracted rate carries in testSeconds. */
  @DecimalMin(value = "1.0", message = "must be between 1 and 10")
  @DecimalMax(value = "10", message = "must be between 1 and 10")
  @JsonProperty
  private double allowanceFactor = 1.5;

  /** The ndt7 test length the allowance is computed for. */
  @Range(min = 1, max = 15)
  @JsonProperty
  private int testSeconds = 10;

  /** Tests a person may start with `enlace-agent speedtest` per link and day. */
  @Range(min = 0, max = 100)
  @JsonProperty
  private int onDemandPerDay = 4;

  /**
   * Each peak window is a real time range inside one day, start before end: the planner reads both
   * ends as times of day (24:00 is not one) and never wraps past midnight.
   */
  @JsonIgnore
  @ValidationMethod(
      message = "peakWindows must be HH:MM-HH:MM inside one day (00:00 to 23:59), start before end")
  public boolean isPeakWindowsInsideADay() {
    if (peakWindows == null) {
      return true;
    }
    for (String w : peakWindows) {
      if (w == null || !w.matches("\\d\\d:\\d\\d-\\d\\d:\\d\\d")) {
        continue; // the pattern constraint reports it
      }
      try {
        if (!LocalTime.parse(w.substring(0, 5)).isBefore(LocalTime.parse(w.substring(6)))) {
          return false;
        }
      } catch (DateTimeParseException e) {
        return false;
      }
    }
    return true;
  }

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

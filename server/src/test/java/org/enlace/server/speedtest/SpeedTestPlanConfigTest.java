package org.enlace.server.speedtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.enlace.server.testing.Configs.errors;
import static org.enlace.server.testing.Configs.read;

import io.dropwizard.util.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code speedTestPlan:} in config.yml: defaults, mapping and limits. */
class SpeedTestPlanConfigTest {
  static final String PEAK_ERROR =
      "peakWindows must be HH:MM-HH:MM inside one day (00:00 to 23:59), start before end";

  @Test
  void defaults() {
    SpeedTestPlanConfig c = new SpeedTestPlanConfig();
    assertThat(c.getTestsPerDay()).isEqualTo(4);
    assertThat(c.getPeakWindows()).isEmpty();
    assertThat(c.getMonthlyBudgetPct()).isEqualTo(0.5);
    assertThat(c.getSlotWindow()).isEqualTo(Duration.minutes(15));
    assertThat(c.getAllowanceFactor()).isEqualTo(1.5);
    assertThat(c.getTestSeconds()).isEqualTo(10);
    assertThat(c.getOnDemandPerDay()).isEqualTo(4);
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void mapsEveryKey() {
    SpeedTestPlanConfig c =
        read(
            """
            testsPerDay: 0
            peakWindows: ["00:00-01:00", "19:00-23:59"]
            monthlyBudgetPct: 2
            slotWindow: 2 hours
            allowanceFactor: 1
            testSeconds: 15
            onDemandPerDay: 0
            """,
            SpeedTestPlanConfig.class);
    assertThat(c.getTestsPerDay()).isZero();
    assertThat(c.getPeakWindows()).isEqualTo(List.of("00:00-01:00", "19:00-23:59"));
    assertThat(c.getMonthlyBudgetPct()).isEqualTo(2.0);
    assertThat(c.getSlotWindow()).isEqualTo(Duration.hours(2));
    assertThat(c.getAllowanceFactor()).isEqualTo(1.0);
    assertThat(c.getTestSeconds()).isEqualTo(15);
    assertThat(c.getOnDemandPerDay()).isZero();
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheFieldAndTheRange() {
    SpeedTestPlanConfig low =
        read(
            """
            testsPerDay: -1
            monthlyBudgetPct: 0.0009
            slotWindow: 59 seconds
            allowanceFactor: 0.99
            testSeconds: 0
            onDemandPerDay: -1
            """,
            SpeedTestPlanConfig.class);
    assertThat(errors(low))
        .containsOnly(
            entry("testsPerDay", "must be between 0 and 48"),
            entry("monthlyBudgetPct", "must be between 0.001 and 100"),
            entry("slotWindow", "must be between 1 minute and 2 hours"),
            entry("allowanceFactor", "must be between 1 and 10"),
            entry("testSeconds", "must be between 1 and 15"),
            entry("onDemandPerDay", "must be between 0 and 100"));
    SpeedTestPlanConfig high =
        read(
            """
            testsPerDay: 49
            monthlyBudgetPct: 100.1
            slotWindow: 121 minutes
            allowanceFactor: 10.1
            testSeconds: 16
            onDemandPerDay: 101
            """,
            SpeedTestPlanConfig.class);
    assertThat(errors(high))
        .containsOnlyKeys(
            "testsPerDay",
            "monthlyBudgetPct",
            "slotWindow",
            "allowanceFactor",
            "testSeconds",
            "onDemandPerDay");
  }

  @Test
  void aPeakWindowIsARangeInsideOneDay() {
    for (String bad :
        List.of("21:00-19:00", "19:00-19:00", "22:00-24:00", "25:00-26:00", "19:60-20:00")) {
      assertThat(errors(read("peakWindows: [\"" + bad + "\"]\n", SpeedTestPlanConfig.class)))
          .as(bad)
          .containsOnly(entry("peakWindowsInsideADay", PEAK_ERROR));
    }
    assertThat(errors(read("peakWindows: [\"7pm-9pm\"]\n", SpeedTestPlanConfig.class)))
        .containsOnlyKeys("peakWindows[0].<list element>");
    assertThat(
            errors(
                read(
                    "peakWindows: [\"12:00-14:00\", \"19:00-21:00\"]\n",
                    SpeedTestPlanConfig.class)))
        .isEmpty();
  }
}

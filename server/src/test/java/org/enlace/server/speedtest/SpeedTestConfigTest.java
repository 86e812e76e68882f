package org.enlace.server.speedtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.enlace.server.testing.Configs.errors;
import static org.enlace.server.testing.Configs.read;

import io.dropwizard.util.Duration;
import org.junit.jupiter.api.Test;

/** {@code speedTest:} in config.yml: defaults, mapping and limits. */
class SpeedTestConfigTest {
  @Test
  void defaults() {
    SpeedTestConfig c = new SpeedTestConfig();
    assertThat(c.isEnabled()).isTrue();
    assertThat(c.getMaxConcurrentTests()).isEqualTo(4);
    assertThat(c.getMaxDuration()).isEqualTo(Duration.seconds(10));
    assertThat(c.getHardTimeout()).isEqualTo(Duration.seconds(15));
    assertThat(c.getBusyRetryAfter()).isEqualTo(Duration.seconds(15));
    assertThat(c.getMeasurementInterval()).isEqualTo(Duration.milliseconds(250));
    assertThat(c.isTcpInfo()).isTrue();
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void mapsEveryKey() {
    SpeedTestConfig c =
        read(
            """
            enabled: false
            maxConcurrentTests: 20
            maxDuration: 2 seconds
            hardTimeout: 5 seconds
            busyRetryAfter: 1 minute
            measurementInterval: 1 second
            tcpInfo: false
            """,
            SpeedTestConfig.class);
    assertThat(c.isEnabled()).isFalse();
    assertThat(c.getMaxConcurrentTests()).isEqualTo(20);
    assertThat(c.getMaxDuration()).isEqualTo(Duration.seconds(2));
    assertThat(c.getHardTimeout()).isEqualTo(Duration.seconds(5));
    assertThat(c.getBusyRetryAfter()).isEqualTo(Duration.minutes(1));
    assertThat(c.getMeasurementInterval()).isEqualTo(Duration.seconds(1));
    assertThat(c.isTcpInfo()).isFalse();
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheFieldAndTheRange() {
    SpeedTestConfig low =
        read(
            """
            maxConcurrentTests: 0
            maxDuration: 0 seconds
            hardTimeout: 0 seconds
            busyRetryAfter: 0 seconds
            measurementInterval: 99 milliseconds
            """,
            SpeedTestConfig.class);
    assertThat(errors(low))
        .containsOnly(
            entry("maxConcurrentTests", "must be between 1 and 1000"),
            entry("maxDuration", "must be between 1 second and 60 seconds"),
            entry("hardTimeout", "must be between 1 second and 120 seconds"),
            entry("busyRetryAfter", "must be between 1 second and 1 hour"),
            entry("measurementInterval", "must be between 100 milliseconds and 2 seconds"),
            entry(
                "hardTimeoutLongerThanMaxDuration", "hardTimeout must be longer than maxDuration"));
    SpeedTestConfig high =
        read(
            """
            maxConcurrentTests: 1001
            maxDuration: 61 seconds
            hardTimeout: 121 seconds
            busyRetryAfter: 61 minutes
            measurementInterval: 2001 milliseconds
            """,
            SpeedTestConfig.class);
    assertThat(errors(high))
        .containsOnlyKeys(
            "maxConcurrentTests",
            "maxDuration",
            "hardTimeout",
            "busyRetryAfter",
            "measurementInterval");
  }

  @Test
  void theHardTimeoutMustBeLongerThanTheNormalEnd() {
    assertThat(
            errors(
                read("maxDuration: 15 seconds\nhardTimeout: 15 seconds\n", SpeedTestConfig.class)))
        .containsOnly(
            entry(
                "hardTimeoutLongerThanMaxDuration", "hardTimeout must be longer than maxDuration"));
    assertThat(
            errors(
                read("maxDuration: 15 seconds\nhardTimeout: 16 seconds\n", SpeedTestConfig.class)))
        .isEmpty();
  }
}

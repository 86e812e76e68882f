package org.enlace.server.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.enlace.server.testing.Configs.errors;
import static org.enlace.server.testing.Configs.read;

import io.dropwizard.util.Duration;
import org.junit.jupiter.api.Test;

/** {@code rollups:} in config.yml: defaults, mapping and limits. */
class RollupConfigTest {
  @Test
  void defaults() {
    RollupConfig c = new RollupConfig();
    assertThat(c.getHoldMinutes()).isEqualTo(1);
    assertThat(c.getShortOutageMinutes()).isEqualTo(5);
    assertThat(c.getRawRetention()).isEqualTo(Duration.days(400));
    assertThat(c.getMaintainerInterval()).isEqualTo(Duration.seconds(5));
    assertThat(c.getMaintainerBatch()).isEqualTo(500);
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void mapsEveryKey() {
    RollupConfig c =
        read(
            """
            holdMinutes: 2
            shortOutageMinutes: 10
            rawRetention: 31 days
            maintainerInterval: 10 minutes
            maintainerBatch: 100
            """,
            RollupConfig.class);
    assertThat(c.getHoldMinutes()).isEqualTo(2);
    assertThat(c.getShortOutageMinutes()).isEqualTo(10);
    assertThat(c.getRawRetention()).isEqualTo(Duration.days(31));
    assertThat(c.getMaintainerInterval()).isEqualTo(Duration.minutes(10));
    assertThat(c.getMaintainerBatch()).isEqualTo(100);
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void aZeroMaintainerIntervalIsRefusedAtValidationNotAtStart() {
    RollupConfig c = read("maintainerInterval: 0 seconds\n", RollupConfig.class);
    assertThat(errors(c))
        .containsOnly(entry("maintainerInterval", "must be between 1 second and 10 minutes"));
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheFieldAndTheRange() {
    RollupConfig low =
        read(
            """
            holdMinutes: -1
            shortOutageMinutes: 0
            rawRetention: 30 days
            maintainerInterval: 999 milliseconds
            maintainerBatch: 0
            """,
            RollupConfig.class);
    assertThat(errors(low))
        .containsOnly(
            entry("holdMinutes", "must be between 0 and 30"),
            entry("shortOutageMinutes", "must be between 1 and 1440"),
            entry("rawRetention", "must be between 31 days and 3650 days"),
            entry("maintainerInterval", "must be between 1 second and 10 minutes"),
            entry("maintainerBatch", "must be between 1 and 100000"));
    RollupConfig high =
        read(
            """
            holdMinutes: 31
            shortOutageMinutes: 1441
            rawRetention: 3651 days
            maintainerInterval: 601 seconds
            maintainerBatch: 100001
            """,
            RollupConfig.class);
    assertThat(errors(high))
        .containsOnlyKeys(
            "holdMinutes",
            "shortOutageMinutes",
            "rawRetention",
            "maintainerInterval",
            "maintainerBatch");
  }
}

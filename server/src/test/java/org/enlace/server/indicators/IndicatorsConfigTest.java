package org.enlace.server.indicators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.enlace.server.testing.Configs.errors;
import static org.enlace.server.testing.Configs.read;

import org.junit.jupiter.api.Test;

/** {@code indicators:} in config.yml: defaults, mapping and limits. */
class IndicatorsConfigTest {
  @Test
  void defaults() {
    IndicatorsConfig c = new IndicatorsConfig();
    assertThat(c.getMinOnlineDays()).isEqualTo(1);
    assertThat(c.getDefaultTargetIncreasePct()).isEqualTo(100.0);
    assertThat(c.getTestServer()).isEqualTo("servidor Enlace de la alcaldía (red municipal)");
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void mapsEveryKey() {
    IndicatorsConfig c =
        read(
            """
            minOnlineDays: 5
            defaultTargetIncreasePct: 50.5
            testServer: "Data center, Pasto"
            """,
            IndicatorsConfig.class);
    assertThat(c.getMinOnlineDays()).isEqualTo(5);
    assertThat(c.getDefaultTargetIncreasePct()).isEqualTo(50.5);
    assertThat(c.getTestServer()).isEqualTo("Data center, Pasto");
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheFieldAndTheRange() {
    assertThat(
            errors(
                read(
                    "minOnlineDays: 0\ndefaultTargetIncreasePct: 0\ntestServer: null\n",
                    IndicatorsConfig.class)))
        .containsOnly(
            entry("minOnlineDays", "must be between 1 and 366"),
            entry("defaultTargetIncreasePct", "must be between 0.01 and 10000"),
            entry("testServer", "must not be null"));
    assertThat(
            errors(
                read(
                    "minOnlineDays: 367\ndefaultTargetIncreasePct: 10000.5\n",
                    IndicatorsConfig.class)))
        .containsOnly(
            entry("minOnlineDays", "must be between 1 and 366"),
            entry("defaultTargetIncreasePct", "must be between 0.01 and 10000"));
  }
}

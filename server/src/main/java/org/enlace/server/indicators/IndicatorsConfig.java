package org.enlace.server.indicators;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** What "has an internet connection" means ({@code indicators:} in config.yml). */
public class IndicatorsConfig {
  /** A computer counts as connected in a period when seen online on at least this many days. */
  @Min(1)
  @Max(366)
  @JsonProperty
  private int minOnlineDays = 1;

  /** The plan's goal when no baseline says otherwise: +100 %. */
  @DecimalMin("0.01")
  @JsonProperty
  private double defaultTargetIncreasePct = 100;

  /** Where the speed-test server sits, for the evidence's methodology section. */
  @NotNull @JsonProperty
  private String testServer =
      "servidor Enlace de la alcaldía (red municipal) / Enlace server at the town hall";

  public int getMinOnlineDays() {
    return minOnlineDays;
  }

  public void setMinOnlineDays(int minOnlineDays) {
    this.minOnlineDays = minOnlineDays;
  }

  public double getDefaultTargetIncreasePct() {
    return defaultTargetIncreasePct;
  }

  public String getTestServer() {
    return testServer;
  }
}

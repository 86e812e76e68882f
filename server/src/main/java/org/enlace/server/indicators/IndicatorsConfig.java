package org.enlace.server.indicators;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.Range;

/** What "has an internet connection" means ({@code indicators:} in config.yml). */
public class IndicatorsConfig {
  /** A computer counts as connected in a period when seen online on at least this many days. */
  @Range(min = 1, max = 366)
  @JsonProperty
  private int minOnlineDays = 1;

  /** The plan's goal when no baseline says otherwise: +100 %. */
  // Up to a hundredfold (+10,000 %): a larger goal is a typing mistake, not a plan.
  @DecimalMin(value = "0.01", message = "must be between 0.01 and 10000")
  @DecimalMax(value = "10000", message = "must be between 0.01 and 10000")
  @JsonProperty
  private double defaultTargetIncreasePct = 100;

  /**
   * Where the speed-test server sits, for the evidence's methodology section: words the
   * municipality writes, shown as written in reports of either language.
   */
  @NotNull @JsonProperty
  private String testServer = "servidor Enlace de la alcaldía (red municipal)";

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

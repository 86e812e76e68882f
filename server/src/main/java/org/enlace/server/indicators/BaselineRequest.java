package org.enlace.server.indicators;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/**
 * A new baseline: either counts per sector (from the plan or a survey), or {@code fromPeriod}, a
 * month whose measured and declared counts become the baseline.
 */
public record BaselineRequest(
    @JsonProperty("reference") @NotNull @Size(min = 1, max = 200) String reference,
    @JsonProperty("administration") @Valid @Nullable SectorBaseline administration,
    @JsonProperty("citizens") @Valid @Nullable SectorBaseline citizens,
    @JsonProperty("fromPeriod")
        @Pattern(regexp = "\\d{4}-\\d{2}", message = "must be a month YYYY-MM")
        @Nullable String fromPeriod,
    @JsonProperty("targetIncreasePct") @DecimalMin("0.01") @DecimalMax("100000")
        @Nullable Double targetIncreasePct,
    @JsonProperty("note") @Size(max = 1000) @Nullable String note) {

  public record SectorBaseline(
      @JsonProperty("computers") @Min(0) int computers,
      @JsonProperty("establishments") @Min(0) int establishments) {}
}

package org.enlace.server.indicators;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/** POST body of a declaration; months as YYYY-MM. */
public record DeclarationRequest(
    @JsonProperty("sector")
        @NotNull
        @Pattern(regexp = "administration|citizens", message = "must be administration or citizens")
        String sector,
    @JsonProperty("description") @NotNull @Size(min = 1, max = 200) String description,
    @JsonProperty("establishments") @Min(0) @Max(100_000) int establishments,
    @JsonProperty("computers") @Min(0) @Max(10_000_000) int computers,
    @JsonProperty("validFrom")
        @NotNull
        @Pattern(regexp = "\\d{4}-\\d{2}", message = "must be a month YYYY-MM")
        String validFrom,
    @JsonProperty("validTo") @Pattern(regexp = "\\d{4}-\\d{2}", message = "must be a month YYYY-MM")
        @Nullable String validTo,
    @JsonProperty("source") @NotNull @Size(min = 1, max = 500) String source) {}

package org.enlace.server.inventory;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.time.LocalDate;
import org.jspecify.annotations.Nullable;

public record IspLinkRequest(
    @NotNull @Size(min = 1, max = 200) String ispName,
    @Size(max = 100) @Nullable String technology,
    @NotNull @DecimalMin(value = "0", inclusive = false) @Digits(integer = 9, fraction = 3)
        BigDecimal contractedDownMbps,
    @NotNull @DecimalMin(value = "0", inclusive = false) @Digits(integer = 9, fraction = 3)
        BigDecimal contractedUpMbps,
    @DecimalMin("0") @Digits(integer = 12, fraction = 2) @Nullable BigDecimal monthlyCost,
    @Pattern(regexp = "^[A-Z]{3}$", message = "must be an ISO 4217 code such as COP")
        @Nullable String currency,
    @Nullable LocalDate contractStart,
    @Nullable LocalDate contractEnd) {

  @AssertTrue(message = "contractEnd must not be before contractStart")
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isContractPeriodValid() {
    return contractStart == null || contractEnd == null || !contractEnd.isBefore(contractStart);
  }

  public String technologyOrEmpty() {
    return technology == null ? "" : technology;
  }

  public String currencyOrDefault() {
    return currency == null ? "COP" : currency;
  }
}

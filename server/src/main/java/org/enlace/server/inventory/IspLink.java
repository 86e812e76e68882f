package org.enlace.server.inventory;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/** An internet access contract of an establishment: what the ISP sells, at what price. */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record IspLink(
    long id,
    String establishment,
    String ispName,
    String technology,
    BigDecimal contractedDownMbps,
    BigDecimal contractedUpMbps,
    Optional<BigDecimal> monthlyCost,
    String currency,
    Optional<LocalDate> contractStart,
    Optional<LocalDate> contractEnd,
    Instant createdAt,
    Instant updatedAt) {}

package org.enlace.server.indicators;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;

/**
 * Establishments and computers without an agent (an internet café, a school that answered a
 * survey), counted in every month from validFrom to validTo (open-ended when empty).
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record Declaration(
    long id,
    String sector,
    String description,
    int establishments,
    int computers,
    LocalDate validFrom,
    Optional<LocalDate> validTo,
    String source,
    String declaredBy,
    Instant declaredAt,
    Optional<String> withdrawnBy,
    Optional<Instant> withdrawnAt) {}

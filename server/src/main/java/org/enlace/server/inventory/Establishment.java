package org.enlace.server.inventory;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Optional;
import org.enlace.server.domain.OpeningHours;
import org.enlace.server.domain.Sector;

/** An establishment as the API returns it. */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record Establishment(
    String code,
    String name,
    EstablishmentKind kind,
    Sector sector,
    String address,
    Optional<Coordinates> coordinates,
    String officialCode,
    OpeningHours openingHours,
    Instant createdAt,
    Instant updatedAt) {}

package org.enlace.server.inventory;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Optional;
import org.enlace.server.domain.OpeningHours;
import org.enlace.server.domain.Sector;
import org.jspecify.annotations.Nullable;

/** What a client sends to create or replace an establishment. */
public record EstablishmentRequest(
    @NotNull
        @Pattern(
            regexp = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
            message = "must be 1-64 letters, digits, '.', '_' or '-'")
        String code,
    @NotNull @Size(min = 1, max = 200) String name,
    @NotNull EstablishmentKind kind,
    @NotNull Sector sector,
    @Size(max = 500) String address,
    @Valid @Nullable Coordinates coordinates,
    @Size(max = 64) String officialCode,
    OpeningHours openingHours) {

  public String addressOrEmpty() {
    return address == null ? "" : address;
  }

  public String officialCodeOrEmpty() {
    return officialCode == null ? "" : officialCode;
  }

  public OpeningHours openingHoursOrAlways() {
    return openingHours == null ? OpeningHours.ALWAYS : openingHours;
  }

  public Optional<Coordinates> coordinatesIfAny() {
    return Optional.ofNullable(coordinates);
  }
}

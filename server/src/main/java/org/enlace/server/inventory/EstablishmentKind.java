package org.enlace.server.inventory;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

public enum EstablishmentKind {
  TOWN_HALL,
  SCHOOL,
  HEALTH_POST,
  LIBRARY,
  PUBLIC_ACCESS_POINT,
  OTHER;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static EstablishmentKind parse(String value) {
    for (EstablishmentKind k : values()) {
      if (k.wire().equals(value)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "must be one of "
            + Arrays.stream(values())
                .map(EstablishmentKind::wire)
                .collect(Collectors.joining(", ")));
  }
}

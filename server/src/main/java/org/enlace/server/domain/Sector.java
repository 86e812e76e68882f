package org.enlace.server.domain;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Whom an establishment's connectivity serves, as the plan's indicators split it. */
public enum Sector {
  ADMINISTRATION,
  CITIZENS;

  /** In declaration order, as reports and metrics list the sectors. */
  public static final List<String> WIRE_NAMES = Arrays.stream(values()).map(Sector::wire).toList();

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Sector parse(String value) {
    for (Sector s : values()) {
      if (s.wire().equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException("must be one of administration, citizens");
  }
}

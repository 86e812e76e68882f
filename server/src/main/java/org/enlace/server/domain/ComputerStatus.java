package org.enlace.server.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an agent judged a computer's connectivity to be in one round of checks: the status of an
 * observation, and a computer's last known status. Ingest refuses any other value and the inventory
 * filters by these, so both must accept the same words.
 */
public enum ComputerStatus {
  ONLINE,
  LIMITED,
  OFFLINE;

  /** The words on the wire and in the database, e.g. {@code online}. */
  public static final Set<String> WIRE_NAMES =
      Arrays.stream(values()).map(ComputerStatus::wire).collect(Collectors.toUnmodifiableSet());

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}

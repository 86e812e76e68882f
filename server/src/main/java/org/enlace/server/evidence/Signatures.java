package org.enlace.server.evidence;

import java.util.Optional;

/**
 * The names and roles printed in a report's signature block, when the person asking gives them.
 * They are not part of the data: they change neither the figures nor dataSha256. Absent ones are
 * left as blank lines to fill in by hand.
 */
public record Signatures(
    Optional<String> preparedBy,
    Optional<String> preparedRole,
    Optional<String> reviewedBy,
    Optional<String> reviewedRole) {
  /** Longer than any name and role on a form; a longer one is a mistake or an attack. */
  public static final int MAX_LENGTH = 120;

  public static final Signatures NONE =
      new Signatures(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  /** Trimmed, blank as absent, control characters as spaces; IllegalArgumentException if long. */
  public static Optional<String> clean(String value) {
    if (value == null) {
      return Optional.empty();
    }
    String s = value.replaceAll("\\p{Cntrl}", " ").strip();
    if (s.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("at most " + MAX_LENGTH + " characters");
    }
    return s.isEmpty() ? Optional.empty() : Optional.of(s);
  }
}

package org.enlace.server.domain;

/**
 * The smallint an observation's status is stored as (migration V14; the table {@code
 * observation_codes} says the same for ad-hoc queries). Two bytes instead of the word keep a row
 * small; the codes must never be renumbered, since stored rows keep them.
 */
public final class StatusCodes {
  private StatusCodes() {}

  /** The code of a wire name; ingest has already refused any other word. */
  public static short code(String wire) {
    return switch (wire) {
      case "online" -> 0;
      case "limited" -> 1;
      case "offline" -> 2;
      default -> throw new IllegalArgumentException("not a status: " + wire);
    };
  }

  /** The wire name of a stored code. */
  public static String wire(int code) {
    return switch (code) {
      case 0 -> "online";
      case 1 -> "limited";
      case 2 -> "offline";
      default -> throw new IllegalArgumentException("not a status code: " + code);
    };
  }
}

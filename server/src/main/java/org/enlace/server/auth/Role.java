package org.enlace.server.auth;

/** What a person may do: IT manages inventory and tokens; the administration reads evidence. */
public enum Role {
  IT("it"),
  ADMINISTRATION("administration");

  /** Role names as used in {@code @RolesAllowed}. */
  public static final String IT_NAME = "it";

  public static final String ADMINISTRATION_NAME = "administration";

  private final String wire;

  Role(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Role parse(String value) {
    for (Role r : values()) {
      if (r.wire.equals(value)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown role '" + value + "' (it, administration)");
  }
}

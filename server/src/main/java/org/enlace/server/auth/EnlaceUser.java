package org.enlace.server.auth;

import java.security.Principal;

/** A signed-in person. */
public record EnlaceUser(String username, Role role) implements Principal {
  @Override
  public String getName() {
    return username;
  }
}

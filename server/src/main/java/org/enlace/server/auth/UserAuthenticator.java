package org.enlace.server.auth;

import static java.util.Objects.requireNonNull;

import io.dropwizard.auth.Authenticator;
import io.dropwizard.auth.basic.BasicCredentials;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Checks HTTP Basic credentials against the users table (wrapped in a cache by the caller). */
public final class UserAuthenticator implements Authenticator<BasicCredentials, EnlaceUser> {
  private final Jdbi jdbi;
  private final PasswordHasher hasher;

  public UserAuthenticator(Jdbi jdbi, PasswordHasher hasher) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.hasher = requireNonNull(hasher, "hasher is null");
  }

  @Override
  public Optional<EnlaceUser> authenticate(BasicCredentials credentials) {
    return jdbi.onDemand(UserDao.class)
        .find(credentials.getUsername())
        .filter(u -> hasher.matches(credentials.getPassword(), u.passwordHash()))
        .map(u -> new EnlaceUser(u.username(), Role.parse(u.role())));
  }
}

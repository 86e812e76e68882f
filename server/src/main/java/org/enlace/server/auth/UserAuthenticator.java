package org.enlace.server.auth;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dropwizard.auth.Authenticator;
import io.dropwizard.auth.basic.BasicCredentials;
import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Checks HTTP Basic credentials against the users table.
 *
 * <p>An unknown user name costs the same Argon2id check as a wrong password (against a dummy hash
 * with the same parameters), so that the time of a 401 does not tell whether a user exists.
 *
 * <p>A password verified in the last five minutes is not hashed again (a browser sends it with
 * every request), but the users table is still read every time: the entry holds only while the
 * user's stored hash is the one it was verified against, so a changed password or a deleted user
 * takes effect at once, also when changed by {@code user} on the command line.
 */
public final class UserAuthenticator implements Authenticator<BasicCredentials, EnlaceUser> {
  private final Jdbi jdbi;
  private final PasswordHasher hasher;
  private final String dummyHash;

  /** Credentials that matched, and the stored hash they matched. */
  private final Cache<BasicCredentials, String> verified =
      Caffeine.newBuilder().maximumSize(1_000).expireAfterWrite(Duration.ofMinutes(5)).build();

  public UserAuthenticator(Jdbi jdbi, PasswordHasher hasher) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.hasher = requireNonNull(hasher, "hasher is null");
    this.dummyHash = hasher.hash(PasswordHasher.randomPassword());
  }

  @Override
  public Optional<EnlaceUser> authenticate(BasicCredentials credentials) {
    Optional<UserDao.StoredUser> stored =
        jdbi.onDemand(UserDao.class).find(credentials.getUsername());
    if (stored.isEmpty()) {
      boolean unused = hasher.matches(credentials.getPassword(), dummyHash);
      verified.invalidate(credentials);
      return Optional.empty();
    }
    UserDao.StoredUser u = stored.get();
    if (!u.passwordHash().equals(verified.getIfPresent(credentials))) {
      if (!hasher.matches(credentials.getPassword(), u.passwordHash())) {
        verified.invalidate(credentials);
        return Optional.empty();
      }
      verified.put(credentials, u.passwordHash());
    }
    return Optional.of(new EnlaceUser(u.username(), Role.parse(u.role())));
  }

  /**
   * Whether these credentials matched lately and would likely not need a password check (the
   * failed-login limits do not apply to them).
   */
  public boolean recentlyVerified(BasicCredentials credentials) {
    return verified.getIfPresent(credentials) != null;
  }
}

package org.enlace.server.limits;

import static java.util.Objects.requireNonNull;

import io.dropwizard.auth.AuthFilter;
import io.dropwizard.auth.basic.BasicCredentials;
import jakarta.annotation.Priority;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.enlace.server.auth.EnlaceUser;
import org.enlace.server.auth.PasswordHasher;
import org.enlace.server.auth.UserAuthenticator;
import org.enlace.server.web.ApiException;
import org.jspecify.annotations.Nullable;

/**
 * HTTP Basic for the people's API, with the abuse limits in front of the password check: a user
 * name or a client address that failed too often lately gets 429 with Retry-After before any
 * Argon2id runs, and a check that cannot get its turn gets 503 with Retry-After. Credentials that
 * matched lately are not limited, so an attack on a user name does not sign its owner out.
 */
@Priority(Priorities.AUTHENTICATION)
public final class PasswordAuthFilter extends AuthFilter<BasicCredentials, EnlaceUser> {
  private final UserAuthenticator users;
  private final Limits limits;

  /** Injected per request by Jersey (a proxy to the current request). */
  @Context @Nullable private HttpServletRequest servletRequest;

  public PasswordAuthFilter(
      UserAuthenticator users, Limits limits, io.dropwizard.auth.UnauthorizedHandler unauthorized) {
    this.users = requireNonNull(users, "users is null");
    this.limits = requireNonNull(limits, "limits is null");
    this.authenticator = users;
    this.authorizer = (user, role, ctx) -> user.role().wire().equals(role);
    this.prefix = "Basic";
    this.realm = "enlace";
    this.unauthorizedHandler = unauthorized;
  }

  @Override
  public void filter(ContainerRequestContext ctx) {
    BasicCredentials credentials =
        credentials(ctx.getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
    if (credentials == null) {
      throw new WebApplicationException(unauthorizedHandler.buildResponse(prefix, realm));
    }
    String address = servletRequest == null ? "" : servletRequest.getRemoteAddr();
    boolean limited = !users.recentlyVerified(credentials);
    if (limited) {
      Optional<ApiException> refusal = limits.refuseLogin(credentials.getUsername(), address);
      if (refusal.isPresent()) {
        throw refusal.get();
      }
    }
    boolean ok;
    try {
      ok = authenticate(ctx, credentials, SecurityContext.BASIC_AUTH);
    } catch (PasswordHasher.Busy e) {
      limits.count("password_checks_busy");
      throw ApiException.retryLater(
          503,
          "password_checks_busy",
          "the server is checking too many passwords at once; try again after Retry-After",
          Duration.ofSeconds(2));
    }
    if (!ok) {
      if (limited) {
        limits.loginFailed(credentials.getUsername(), address);
      }
      throw new WebApplicationException(unauthorizedHandler.buildResponse(prefix, realm));
    }
  }

  /** As Dropwizard's BasicCredentialAuthFilter reads them: null when absent or not Basic. */
  private static @Nullable BasicCredentials credentials(@Nullable String header) {
    if (header == null) {
      return null;
    }
    int space = header.indexOf(' ');
    if (space <= 0 || !header.substring(0, space).equalsIgnoreCase("Basic")) {
      return null;
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(header.substring(space + 1).trim()),
              StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      return null;
    }
    return new BasicCredentials(decoded.substring(0, colon), decoded.substring(colon + 1));
  }
}

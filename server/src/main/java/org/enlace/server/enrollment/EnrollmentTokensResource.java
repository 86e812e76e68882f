package org.enlace.server.enrollment;

import static java.util.Objects.requireNonNull;

import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.enlace.server.auth.EnlaceUser;
import org.enlace.server.auth.Role;
import org.enlace.server.auth.Secrets;
import org.enlace.server.inventory.EstablishmentDao;
import org.enlace.server.web.ApiException;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@Path("/api/v1/establishments/{code}/enrollment-tokens")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.IT_NAME)
public final class EnrollmentTokensResource {
  private static final Logger LOG = LoggerFactory.getLogger(EnrollmentTokensResource.class);
  static final String TOKEN_PREFIX = "enl_";

  private final Jdbi jdbi;
  private final Clock clock;

  public EnrollmentTokensResource(Jdbi jdbi, Clock clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  @POST
  public Response create(
      @Auth EnlaceUser user,
      @PathParam("code") String code,
      @Valid EnrollmentTokenRequest request) {
    EnrollmentTokenRequest r = request == null ? new EnrollmentTokenRequest(null, null) : request;
    long establishmentId = jdbi.onDemand(EstablishmentDao.class).idOrNotFound(code);
    String token = Secrets.newSecret(TOKEN_PREFIX);
    String prefix = token.substring(0, TOKEN_PREFIX.length() + 6);
    Instant expiresAt = clock.instant().plus(Duration.ofHours(r.expiresInHoursOrDefault()));
    EnrollmentTokenDao dao = jdbi.onDemand(EnrollmentTokenDao.class);
    long id =
        dao.insert(
            establishmentId,
            Secrets.sha256(token),
            prefix,
            expiresAt,
            r.maxUsesOrDefault(),
            user.username());
    LOG.info(
        "event=enrollment_token_created establishment={} id={} prefix={} maxUses={} "
            + "expiresAt={} by={}",
        code,
        id,
        prefix,
        r.maxUsesOrDefault(),
        expiresAt,
        user.username());
    EnrollmentToken created = dao.find(code, id).orElseThrow().toApi();
    return Response.created(
            URI.create("/api/v1/establishments/" + code + "/enrollment-tokens/" + id))
        .entity(
            new EnrollmentToken(
                created.id(),
                created.establishment(),
                created.prefix(),
                created.expiresAt(),
                created.maxUses(),
                created.uses(),
                created.revokedAt(),
                created.createdBy(),
                created.createdAt(),
                Optional.of(token)))
        .build();
  }

  @GET
  public List<EnrollmentToken> list(@PathParam("code") String code) {
    jdbi.onDemand(EstablishmentDao.class).idOrNotFound(code);
    return jdbi.onDemand(EnrollmentTokenDao.class).listFor(code).stream()
        .map(EnrollmentTokenDao.Row::toApi)
        .toList();
  }

  /** Revokes the token: no new enrollments; computers already enrolled with it are unaffected. */
  @DELETE
  @Path("/{id}")
  public Response revoke(
      @Auth EnlaceUser user, @PathParam("code") String code, @PathParam("id") long id) {
    EnrollmentTokenDao dao = jdbi.onDemand(EnrollmentTokenDao.class);
    if (dao.find(code, id).isEmpty()) {
      throw ApiException.notFound("enrollment token " + id);
    }
    if (dao.revoke(code, id) > 0) {
      LOG.info(
          "event=enrollment_token_revoked establishment={} id={} by={}", code, id, user.username());
    }
    return Response.noContent().build();
  }
}

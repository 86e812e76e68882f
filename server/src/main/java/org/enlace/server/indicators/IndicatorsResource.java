package org.enlace.server.indicators;

import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.enlace.server.auth.EnlaceUser;
import org.enlace.server.auth.Role;
import org.enlace.server.web.ApiException;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plan's indicators, the baseline they are compared with and declared counts. Both roles read
 * and write: the baseline and the declarations are the administration's statements, and each is
 * recorded with who made it and when.
 */
@Path("/api/v1/indicators")
@Produces(MediaType.APPLICATION_JSON)
public final class IndicatorsResource {
  private static final Logger LOG = LoggerFactory.getLogger(IndicatorsResource.class);

  private final Jdbi jdbi;
  private final IndicatorService service;

  public IndicatorsResource(Jdbi jdbi, IndicatorService service) {
    this.jdbi = jdbi;
    this.service = service;
  }

  @GET
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public IndicatorReport indicators(
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("granularity") @DefaultValue("month") String granularity) {
    Granularity g;
    try {
      g = Granularity.parse(granularity);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("granularity", String.valueOf(e.getMessage()));
    }
    return service.report(month("from", from), month("to", to), g);
  }

  public record Baselines(
      Optional<IndicatorReport.Baseline> current, List<IndicatorReport.Baseline> history) {}

  @GET
  @Path("/baseline")
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public Baselines baselines() {
    List<IndicatorReport.Baseline> all =
        jdbi.withHandle(
            h ->
                h.attach(IndicatorDao.class).baselines().stream()
                    .map(IndicatorService::baseline)
                    .toList());
    return new Baselines(all.stream().findFirst(), all);
  }

  @POST
  @Path("/baseline")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public Response setBaseline(@Auth EnlaceUser user, @NotNull @Valid BaselineRequest req) {
    if (req.fromPeriod() != null) {
      month("fromPeriod", req.fromPeriod());
    }
    IndicatorReport.Baseline b = service.setBaseline(req, user.username());
    LOG.info(
        "event=baseline_set id={} by={} reference=\"{}\" targetPct={}",
        b.id(),
        user.username(),
        b.reference(),
        b.targetIncreasePct());
    return Response.status(201).entity(b).build();
  }

  @GET
  @Path("/declared")
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public List<Declaration> declarations(
      @QueryParam("withdrawn") @DefaultValue("false") boolean withdrawn) {
    return jdbi.withHandle(h -> h.attach(IndicatorDao.class).declarations(withdrawn));
  }

  @POST
  @Path("/declared")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public Response declare(@Auth EnlaceUser user, @NotNull @Valid DeclarationRequest req) {
    Declaration d = service.declare(req, user.username());
    LOG.info(
        "event=declared id={} by={} sector={} establishments={} computers={}",
        d.id(),
        user.username(),
        d.sector(),
        d.establishments(),
        d.computers());
    return Response.status(201).entity(d).build();
  }

  /** Withdraws a declaration (kept, marked with who withdrew it and when). */
  @DELETE
  @Path("/declared/{id}")
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public Declaration withdraw(@Auth EnlaceUser user, @PathParam("id") long id) {
    return jdbi.withHandle(
        h -> {
          IndicatorDao dao = h.attach(IndicatorDao.class);
          Declaration d =
              dao.declaration(id).orElseThrow(() -> ApiException.notFound("declaration " + id));
          if (d.withdrawnAt().isPresent()) {
            throw ApiException.conflict(
                "already_withdrawn",
                "declaration " + id + " was withdrawn by " + d.withdrawnBy().orElse("?"));
          }
          dao.withdraw(id, user.username());
          LOG.info("event=declaration_withdrawn id={} by={}", id, user.username());
          return dao.declaration(id).orElseThrow();
        });
  }

  static YearMonth month(String field, String value) {
    if (value == null) {
      throw ApiException.badRequest(field, "is required (YYYY-MM)");
    }
    try {
      return YearMonth.parse(value);
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(field, "'" + value + "' is not a month YYYY-MM");
    }
  }
}

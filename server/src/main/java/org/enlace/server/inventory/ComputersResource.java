package org.enlace.server.inventory;

import static java.util.Objects.requireNonNull;

import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.enlace.server.auth.EnlaceUser;
import org.enlace.server.auth.Role;
import org.enlace.server.web.ApiException;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@Path("/api/v1/computers")
@Produces(MediaType.APPLICATION_JSON)
public final class ComputersResource {
  private static final Logger LOG = LoggerFactory.getLogger(ComputersResource.class);
  private static final Set<String> STATUSES = Computer.STATUSES;
  private static final Set<String> STATES = Set.of("active", "decommissioned");

  private final Jdbi jdbi;
  private final ComputerAgents agents;
  private final Duration reportingWindow;
  private final Clock clock;

  /**
   * A computer whose newest observation is older than {@code reportingWindow} is shown {@code
   * stale}, not with the status it last reported.
   */
  public ComputersResource(
      Jdbi jdbi, ComputerAgents agents, Duration reportingWindow, Clock clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.agents = requireNonNull(agents, "agents is null");
    this.reportingWindow = requireNonNull(reportingWindow, "reportingWindow is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** Observations since then count as current; the pages show the same status as the API. */
  Instant freshSince() {
    return clock.instant().minus(reportingWindow);
  }

  /**
   * Computers, oldest enrollment first, a page at a time: pass the last id seen as {@code afterId}
   * for the next page.
   */
  @GET
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public List<Computer> list(
      @QueryParam("establishment") String establishment,
      @QueryParam("status") String status,
      @QueryParam("state") String state,
      @QueryParam("lifecycle") String lifecycle,
      @QueryParam("afterId") @DefaultValue("0") long afterId,
      @QueryParam("limit") @DefaultValue("1000") int limit) {
    if (status != null && !STATUSES.contains(status)) {
      throw ApiException.badRequest(
          "status", "must be one of online, limited, offline, stale, unknown");
    }
    if (state != null && !STATES.contains(state)) {
      throw ApiException.badRequest("state", "must be one of active, decommissioned");
    }
    if (lifecycle != null && !Computer.LIFECYCLES.contains(lifecycle)) {
      throw ApiException.badRequest("lifecycle", "must be one of live, at_risk, dropped");
    }
    if (limit < 1 || limit > 10_000) {
      throw ApiException.badRequest("limit", "must be between 1 and 10000");
    }
    if (establishment != null) {
      jdbi.onDemand(EstablishmentDao.class).idOrNotFound(establishment);
    }
    return jdbi.onDemand(ComputerDao.class)
        .list(establishment, status, state, lifecycle, afterId, limit, freshSince());
  }

  @GET
  @Path("/{id}")
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public Computer get(@PathParam("id") long id) {
    return jdbi.onDemand(ComputerDao.class)
        .find(id, freshSince())
        .orElseThrow(() -> ApiException.notFound("computer " + id));
  }

  /**
   * IT has looked at a computer flagged {@code duplicate_machine_id} (a cloned image) and judged
   * it: the flag goes. Refused while another live, unflagged computer has the same id.
   */
  @POST
  @Path("/{id}/clear-flag")
  @RolesAllowed(Role.IT_NAME)
  public Computer clearFlag(@Auth EnlaceUser user, @PathParam("id") long id) {
    get(id);
    try {
      jdbi.useHandle(h -> h.attach(ComputerDao.class).flag(id, ""));
    } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
      throw ApiException.conflict(
          "machine_id_in_use",
          "another live computer has the same "
              + "hardware id; decommission one of them, or leave the flag");
    }
    LOG.info("event=computer_flag_cleared computer={} by={}", id, user.username());
    return get(id);
  }

  /** Retires a computer: its agents are revoked at once, its history is kept. */
  @POST
  @Path("/{id}/decommission")
  @RolesAllowed(Role.IT_NAME)
  public Computer decommission(@Auth EnlaceUser user, @PathParam("id") long id) {
    List<UUID> revoked =
        jdbi.inTransaction(
            h -> {
              ComputerDao computers = h.attach(ComputerDao.class);
              if (computers.find(id, freshSince()).isEmpty()) {
                throw ApiException.notFound("computer " + id);
              }
              computers.decommission(id);
              // Its months stop counting the days from its decommission date on.
              h.attach(org.enlace.server.rollup.RollupDao.class)
                  .markComputerDirtySince(id, java.time.Instant.now());
              return agents.revokeAll(h, id, "computer decommissioned by " + user.username());
            });
    // After the commit, so that no request can cache the pre-commit state again.
    revoked.forEach(agents::invalidate);
    LOG.info("event=computer_decommissioned computer={} by={}", id, user.username());
    return get(id);
  }
}

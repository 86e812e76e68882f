package org.enlace.server.speedtest;

import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.enlace.server.enrollment.AgentPrincipal;
import org.enlace.server.enrollment.AgentRegistry;
import org.enlace.server.web.ApiError;

/**
 * {@code POST /api/v1/speedtest/slot}: an agent asks to test now (a person ran {@code enlace-agent
 * speedtest}). 200 with a slot, 429 + Retry-After when the link is busy or its budget is spent, 409
 * when the establishment has no ISP link.
 */
@Path("/api/v1/speedtest/slot")
@Produces(MediaType.APPLICATION_JSON)
public final class SpeedTestSlotResource {
  private final AgentRegistry agents;
  private final SpeedTestPlanner planner;
  private final Clock clock;

  public SpeedTestSlotResource(AgentRegistry agents, SpeedTestPlanner planner, Clock clock) {
    this.agents = agents;
    this.planner = planner;
    this.clock = clock;
  }

  @POST
  public Response slot(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
    AgentPrincipal agent = agents.authenticate(authorization);
    Instant now = clock.instant();
    try {
      return Response.ok(planner.onDemand(agent, now)).build();
    } catch (SpeedTestPlanner.Refused r) {
      int status = r.code.equals("no_link") ? 409 : 429;
      Response.ResponseBuilder b =
          Response.status(status)
              .type(MediaType.APPLICATION_JSON)
              .entity(new ApiError(status, r.code, r.detail));
      r.retryAt.ifPresent(
          t -> b.header("Retry-After", Math.max(1, Duration.between(now, t).toSeconds())));
      return b.build();
    }
  }
}

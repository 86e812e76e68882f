package org.enlace.server.ingest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/** The agents' own reachability target: no auth, no body, never cached. */
@Path("/api/v1/ping")
public final class PingResource {
  @GET
  public Response ping() {
    return Response.noContent().header("Cache-Control", "no-store").build();
  }

  @HEAD
  public Response head() {
    return ping();
  }
}

package org.enlace.server.ingest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import org.enlace.server.web.EnlaceVersion;

/**
 * The agents' own reachability target: no auth, no body, never cached. It names the server's
 * version in a header (a body would break agents that expect 204).
 */
@Path("/api/v1/ping")
public final class PingResource {
  @GET
  public Response ping() {
    return Response.noContent()
        .header("Cache-Control", "no-store")
        .header(EnlaceVersion.HEADER, EnlaceVersion.get())
        .build();
  }

  @HEAD
  public Response head() {
    return ping();
  }
}

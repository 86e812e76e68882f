package org.enlace.server.ingest;

import static java.util.Objects.requireNonNull;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.enlace.server.app.ApiException;
import org.enlace.server.enrollment.AgentPrincipal;
import org.enlace.server.enrollment.AgentRegistry;

/** {@code POST /api/v1/reports}: a batch of observations from one authenticated agent. */
@Path("/api/v1/reports")
@Produces(MediaType.APPLICATION_JSON)
@Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
public final class ReportsResource {
  private final AgentRegistry agents;
  private final IngestService ingest;
  private final IngestMetrics metrics;
  private final long maxBody;

  public ReportsResource(AgentRegistry agents, IngestService ingest, IngestMetrics metrics,
      IngestConfig config) {
    this.agents = requireNonNull(agents, "agents is null");
    this.ingest = requireNonNull(ingest, "ingest is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.maxBody = config.getMaxBodySize().toBytes();
  }

  @POST
  public ReportResponse post(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
      @HeaderParam(HttpHeaders.CONTENT_LENGTH) Long contentLength, InputStream body) {
    try {
      AgentPrincipal agent = agents.authenticate(authorization);
      if (contentLength != null && contentLength > maxBody) {
        throw tooLarge();
      }
      return ingest.ingest(agent, read(body));
    } catch (WebApplicationException e) {
      int status = e.getResponse().getStatus();
      if (status != 503) {
        metrics.reportOutcome(status == 401 ? "unauthorized" : status == 413 ? "too_large"
            : "bad_request");
      }
      throw e;
    }
  }

  /**
   * Reads the body, gunzipping it when it starts with the gzip magic (whether or not a proxy or
   * the connector already decoded Content-Encoding), and enforces the limit on decompressed bytes
   * so that a small gzip bomb is refused like a large body.
   */
  private byte[] read(InputStream raw) {
    try {
      PushbackInputStream in = new PushbackInputStream(raw, 2);
      int b0 = in.read();
      int b1 = b0 < 0 ? -1 : in.read();
      if (b1 >= 0) {
        in.unread(b1);
      }
      if (b0 >= 0) {
        in.unread(b0);
      }
      InputStream source = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in, 8192) : in;
      ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
      byte[] buf = new byte[8192];
      long total = 0;
      int n;
      while ((n = source.read(buf)) > 0) {
        total += n;
        if (total > maxBody) {
          throw tooLarge();
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (ZipException e) {
      throw new ApiException(400, "malformed_gzip", "body is not valid gzip: " + e.getMessage());
    } catch (IOException e) {
      throw new ApiException(400, "body_unreadable", "body could not be read: " + e.getMessage());
    }
  }

  private ApiException tooLarge() {
    return new ApiException(413, "body_too_large", "report body is larger than " + maxBody
        + " bytes (after decompression); send smaller batches");
  }
}

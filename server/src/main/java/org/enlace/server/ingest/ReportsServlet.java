package org.enlace.server.ingest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.enlace.server.enrollment.AgentPrincipal;
import org.enlace.server.enrollment.AgentRegistry;
import org.enlace.server.limits.Limits;
import org.enlace.server.web.ApiError;
import org.enlace.server.web.ApiException;
import org.enlace.server.web.BodyLimitFilter;
import org.enlace.server.web.HttpMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/reports}: a batch of observations from one authenticated agent.
 *
 * <p>A plain asynchronous servlet rather than a Jersey resource: this is the one hot endpoint
 * (every agent, every minute), and on two cores Jersey's per-request work cost five times what the
 * servlet container itself does. The request thread is released while the group commit runs.
 */
public final class ReportsServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ReportsServlet.class);
  public static final String PATH = "/api/v1/reports";

  private final transient AgentRegistry agents;
  private final transient IngestService ingest;
  private final transient IngestMetrics metrics;
  private final transient HttpMetrics http;
  private final transient ObjectMapper json;
  private final long maxBody;
  private final long asyncTimeoutMs;
  private final transient Limits limits;

  public ReportsServlet(
      AgentRegistry agents,
      IngestService ingest,
      IngestMetrics metrics,
      HttpMetrics http,
      ObjectMapper json,
      IngestConfig config,
      Limits limits) {
    this.agents = requireNonNull(agents, "agents is null");
    this.ingest = requireNonNull(ingest, "ingest is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.http = requireNonNull(http, "http is null");
    this.json = requireNonNull(json, "json is null");
    this.maxBody = config.getMaxBodySize().toBytes();
    this.asyncTimeoutMs = config.getCommitTimeout().toMilliseconds() + 10_000;
    this.limits = requireNonNull(limits, "limits is null");
  }

  /** Anything but POST gets the API's JSON 405, not the container's HTML page. */
  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp)
      throws jakarta.servlet.ServletException, IOException {
    if (!"POST".equals(req.getMethod())) {
      writeError(
          resp,
          new ApiError(
              405,
              "method_not_allowed",
              req.getMethod() + " is not " + "allowed here; agents POST their reports"),
          List.<String[]>of(new String[] {"Allow", "POST"}));
      return;
    }
    super.service(req, resp);
  }

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    long start = System.nanoTime();
    CompletableFuture<ReportResponse> future;
    try {
      // A declared length over the limit is refused before authentication (docs/protocol.md).
      long length = req.getContentLengthLong();
      if (length > maxBody) {
        BodyLimitFilter.discardOversized(length, req.getInputStream());
        throw tooLarge();
      }
      AgentPrincipal agent = agents.authenticate(req.getHeader("Authorization"));
      // Before the body is read: a credential over its rate costs no parsing (429, Retry-After).
      limits.admitReport(agent.publicId());
      future =
          ingest.ingest(
              agent, read(req.getInputStream()), agentVersion(req.getHeader("User-Agent")));
    } catch (WebApplicationException e) {
      count(e.getResponse().getStatus());
      write(resp, e.getResponse());
      http.record("POST", PATH, resp.getStatus(), System.nanoTime() - start);
      return;
    } catch (RuntimeException e) {
      if (!CommitFault.databaseTrouble(e)) {
        // A bug, not the database: 503 would have the agent resend the same body forever.
        LOG.error("event=report_failed error=\"{}\"", e.toString(), e);
        metrics.reportOutcome("server_error");
        writeError(resp, new ApiError(500, "server_error", "unexpected error"), List.of());
        http.record("POST", PATH, resp.getStatus(), System.nanoTime() - start);
        return;
      }
      // The database went away while looking up the agent (a cache miss) or splitting a clone:
      // the agent must back off and resend, never take it for a credential problem.
      LOG.warn("event=report_unavailable error=\"{}\"", e.toString());
      metrics.reportOutcome("unavailable");
      write(
          resp,
          ApiException.unavailable(
                  "the database is unavailable; nothing from this "
                      + "report was acknowledged, send it again later",
                  15)
              .getResponse());
      http.record("POST", PATH, resp.getStatus(), System.nanoTime() - start);
      return;
    }
    AsyncContext ctx = req.startAsync();
    ctx.setTimeout(asyncTimeoutMs);
    // The callback answers the request, success or failure; nothing else waits for it.
    CompletableFuture<?> unusedAnswered =
        future.whenComplete(
            (r, error) -> {
              HttpServletResponse out = (HttpServletResponse) ctx.getResponse();
              try {
                if (error == null) {
                  out.setStatus(200);
                  out.setContentType("application/json");
                  out.getOutputStream().write(json.writeValueAsBytes(r));
                } else {
                  Throwable cause =
                      error instanceof CompletionException c && c.getCause() != null
                          ? c.getCause()
                          : error;
                  if (cause instanceof WebApplicationException w) {
                    write(out, w.getResponse());
                  } else {
                    LOG.error("event=report_failed error=\"{}\"", cause.toString());
                    writeError(
                        out, new ApiError(500, "server_error", "unexpected error"), List.of());
                  }
                }
              } catch (IOException | RuntimeException e) {
                LOG.info("event=report_answer_lost error=\"{}\"", e.toString());
              } finally {
                http.record("POST", PATH, out.getStatus(), System.nanoTime() - start);
                ctx.complete();
              }
            });
  }

  private static final Pattern AGENT =
      Pattern.compile("^enlace-agent/([A-Za-z0-9._+-]{1,50})(?:\\s.*)?$");

  /**
   * The agent's version from its User-Agent ({@code enlace-agent/0.2.0}), so that the inventory
   * follows upgrades without a new enrollment.
   */
  static Optional<String> agentVersion(String userAgent) {
    if (userAgent == null) {
      return Optional.empty();
    }
    var m = AGENT.matcher(userAgent);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private void count(int status) {
    if (status != 503) {
      metrics.reportOutcome(
          status == 401
              ? "unauthorized"
              : status == 413 ? "too_large" : status == 429 ? "rate_limited" : "bad_request");
    }
  }

  private void write(HttpServletResponse resp, Response r) throws IOException {
    List<String[]> headers = new ArrayList<>();
    r.getStringHeaders().forEach((k, vs) -> vs.forEach(v -> headers.add(new String[] {k, v})));
    Object entity = r.getEntity();
    ApiError body =
        entity instanceof ApiError e
            ? e
            : new ApiError(r.getStatus(), "error", String.valueOf(entity));
    writeError(resp, body, headers);
  }

  private void writeError(HttpServletResponse resp, ApiError body, List<String[]> headers)
      throws IOException {
    resp.setStatus(body.code());
    for (String[] h : headers) {
      if (!h[0].equalsIgnoreCase("Content-Type")) {
        resp.addHeader(h[0], h[1]);
      }
    }
    resp.setContentType("application/json");
    resp.getOutputStream().write(json.writeValueAsBytes(body));
  }

  /**
   * Reads the body, gunzipping it when it starts with the gzip magic (whether or not the connector
   * already decoded Content-Encoding), and enforces the limit on decompressed bytes so that a small
   * gzip bomb is refused like a large body.
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
    } catch (RuntimeException e) {
      // With Content-Encoding: gzip, Jetty's GzipHandler decodes and wraps its ZipException.
      if (e.getCause() instanceof ZipException z) {
        throw new ApiException(400, "malformed_gzip", "body is not valid gzip: " + z.getMessage());
      }
      throw e;
    } catch (IOException e) {
      throw new ApiException(400, "body_unreadable", "body could not be read: " + e.getMessage());
    }
  }

  private ApiException tooLarge() {
    return new ApiException(
        413,
        "body_too_large",
        "report body is larger than "
            + maxBody
            + " bytes (after decompression); send smaller batches");
  }
}

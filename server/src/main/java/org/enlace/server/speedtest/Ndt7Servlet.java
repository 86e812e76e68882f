package org.enlace.server.speedtest;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServerContainer;
import org.enlace.server.web.ApiError;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks an ndt7 upgrade request before upgrading it (spec: "the server MUST inspect the request
 * ... and either upgrade the connection to WebSocket or return a 4xx failure"): WebSocket handshake
 * present, ndt7 subprotocol offered, query string at most 4096 bytes, a free slot (429 otherwise,
 * token not consumed), then the single-use token (401 when missing or refused).
 */
final class Ndt7Servlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(Ndt7Servlet.class);
  static final String TOKEN_PARAMETER = "access_token";

  private final transient Ndt7Server server;

  Ndt7Servlet(Ndt7Server server) {
    this.server = server;
  }

  /**
   * The checks in the class comment's order, then the upgrade. A step that refuses the request has
   * answered it (false or empty); once the slot is taken, it is freed here unless a session took it
   * over.
   */
  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Ndt7Access.Subtest subtest =
        Ndt7Server.DOWNLOAD_PATH.equals(req.getServletPath())
            ? Ndt7Access.Subtest.DOWNLOAD
            : Ndt7Access.Subtest.UPLOAD;
    if (!checkUpgradeRequest(req, resp)) {
      return;
    }
    Optional<Query> query = readQuery(req, resp);
    if (query.isEmpty() || !acquireSlot(resp)) {
      return;
    }
    boolean handedOver = false;
    try {
      Optional<Ndt7Access.Grant> grant = redeem(query.get().token(), subtest, resp);
      if (grant.isEmpty()) {
        return;
      }
      Ndt7Session session =
          new Ndt7Session(
              server, subtest, grant.get(), query.get().metadata(), req.getHeader("User-Agent"));
      handedOver = true; // from here the session releases the slot and reports, exactly once
      upgrade(session, req, resp);
    } finally {
      if (!handedOver) {
        server.releaseSlot();
      }
    }
  }

  /** What the query string brings: the client's metadata and the access token. */
  private record Query(Map<String, String> metadata, String token) {}

  /**
   * The WebSocket handshake, the ndt7 subprotocol and the query string's length; false when the
   * request was refused (400).
   */
  private boolean checkUpgradeRequest(HttpServletRequest req, HttpServletResponse resp)
      throws IOException {
    if (!"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))
        || req.getHeader("Sec-WebSocket-Key") == null
        || !"13".equals(req.getHeader("Sec-WebSocket-Version"))) {
      refuse(
          resp,
          "bad_request",
          400,
          "websocket_required",
          "this is an ndt7 endpoint: send a WebSocket (version 13) upgrade request",
          null);
      return false;
    }
    if (!offersSubprotocol(req)) {
      refuse(
          resp,
          "bad_request",
          400,
          "subprotocol_required",
          "the upgrade request must offer the WebSocket subprotocol " + Ndt7Server.SUBPROTOCOL,
          null);
      return false;
    }
    String query = req.getQueryString();
    if (query != null
        && query.getBytes(StandardCharsets.UTF_8).length > Ndt7Server.MAX_QUERY_LENGTH) {
      refuse(
          resp,
          "bad_request",
          400,
          "query_too_long",
          "the query string is longer than 4096 bytes",
          null);
      return false;
    }
    return true;
  }

  /**
   * The query string's metadata and token; empty when the request was refused (400 when the query
   * cannot be parsed, 401 without a token).
   */
  private Optional<Query> readQuery(HttpServletRequest req, HttpServletResponse resp)
      throws IOException {
    Map<String, String> metadata;
    String token;
    try {
      metadata = metadata(req);
      token = req.getParameter(TOKEN_PARAMETER);
    } catch (RuntimeException e) { // a query string that is not valid URL-encoded UTF-8
      refuse(resp, "bad_request", 400, "invalid_query", "the query string cannot be parsed", null);
      return Optional.empty();
    }
    if (token == null || token.isBlank()) {
      refuse(
          resp,
          "unauthorized",
          401,
          "access_token_required",
          "ndt7 tests need the access_token the server issued for this test",
          "Bearer");
      return Optional.empty();
    }
    return Optional.of(new Query(metadata, token));
  }

  /**
   * One of the server's test slots, before the token is looked at (a busy server does not use it
   * up); false when the request was refused (429, with Retry-After).
   */
  private boolean acquireSlot(HttpServletResponse resp) throws IOException {
    if (server.tryAcquireSlot()) {
      return true;
    }
    int retryAfter = (int) Math.max(1, server.config.getBusyRetryAfter().toSeconds());
    resp.setIntHeader("Retry-After", retryAfter);
    refuse(
        resp,
        "busy",
        429,
        "busy",
        "the server is running its maximum of "
            + server.config.getMaxConcurrentTests()
            + " speed tests; retry after "
            + retryAfter
            + " s",
        null);
    return false;
  }

  /**
   * The grant for the token, used up; empty when the request was refused (503 when the token cannot
   * be checked now, 401 when it is not valid for this subtest).
   */
  private Optional<Ndt7Access.Grant> redeem(
      String token, Ndt7Access.Subtest subtest, HttpServletResponse resp) throws IOException {
    Optional<Ndt7Access.Grant> grant;
    try {
      grant = server.access.redeem(token, subtest, server.clock.instant());
    } catch (RuntimeException e) {
      LOG.warn(
          "event=ndt7_redeem_failed subtest={} error=\"{}\"",
          Ndt7Session.name(subtest),
          e.toString());
      resp.setIntHeader("Retry-After", 30);
      refuse(
          resp,
          "unavailable",
          503,
          "unavailable",
          "the server cannot check the access token now; retry later",
          null);
      return Optional.empty();
    }
    if (grant.isEmpty() || grant.get().subtest() != subtest) {
      refuse(
          resp,
          "unauthorized",
          401,
          "access_token_invalid",
          "the access_token is unknown, expired, already used, or not for the "
              + Ndt7Session.name(subtest)
              + " test",
          "Bearer");
      if (grant.isPresent()) { // redeemed for the other subtest: report it, do not lose it
        Ndt7Session.refused(server, grant.get(), "token was issued for the other subtest");
      }
      return Optional.empty();
    }
    return grant;
  }

  /**
   * Upgrades the connection to WebSocket with the session as its endpoint; the session, which now
   * owns the slot, reports an upgrade that fails.
   */
  private void upgrade(Ndt7Session session, HttpServletRequest req, HttpServletResponse resp)
      throws IOException {
    session.upgrading();
    boolean upgraded;
    try {
      JettyWebSocketServerContainer container =
          JettyWebSocketServerContainer.getContainer(getServletContext());
      upgraded =
          container.upgrade(
              (upgradeRequest, upgradeResponse) -> {
                upgradeResponse.setAcceptedSubProtocol(Ndt7Server.SUBPROTOCOL);
                // No permessage-deflate: compressing random payload wastes CPU and changes what is
                // measured (M-Lab's server negotiates no extension either).
                upgradeResponse.setExtensions(Collections.emptyList());
                session.created();
                return session;
              },
              req,
              resp);
    } catch (IOException | RuntimeException e) {
      session.upgradeFailed("WebSocket upgrade failed: " + e);
      throw e;
    }
    if (!upgraded) {
      session.upgradeFailed("WebSocket upgrade failed");
      refuse(
          resp,
          "bad_request",
          400,
          "websocket_upgrade_failed",
          "the WebSocket upgrade failed",
          null);
    } else if (!session.wasCreated()) {
      session.upgradeFailed("WebSocket upgrade refused by the WebSocket layer");
    }
  }

  private static boolean offersSubprotocol(HttpServletRequest req) {
    for (String header : Collections.list(req.getHeaders("Sec-WebSocket-Protocol"))) {
      for (String p : header.split(",", -1)) {
        if (Ndt7Server.SUBPROTOCOL.equals(p.trim())) {
          return true;
        }
      }
    }
    return false;
  }

  /** The query string's parameters (first value of each key), without the token. */
  private static Map<String, String> metadata(HttpServletRequest req) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Map.Entry<String, String[]> e : req.getParameterMap().entrySet()) {
      if (TOKEN_PARAMETER.equals(e.getKey()) || e.getKey().startsWith("server_")) {
        continue;
      }
      String[] values = e.getValue();
      m.put(e.getKey(), values.length == 0 ? "" : values[0]);
    }
    return m;
  }

  private void refuse(
      HttpServletResponse resp,
      String reason,
      int status,
      String error,
      String message,
      @Nullable String challenge) // null: no WWW-Authenticate header
      throws IOException {
    server.metrics.refused(reason);
    if (resp.isCommitted()) {
      return;
    }
    resp.setStatus(status);
    if (challenge != null) {
      resp.setHeader("WWW-Authenticate", challenge + " realm=\"enlace-ndt7\"");
    }
    resp.setHeader("Connection", "close");
    resp.setHeader("Cache-Control", "no-store");
    resp.setContentType("application/json");
    byte[] body = server.json.writeValueAsBytes(new ApiError(status, error, message));
    resp.setContentLength(body.length);
    resp.getOutputStream().write(body);
  }

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setHeader("Allow", "GET");
    refuse(resp, "bad_request", 405, "method_not_allowed", "ndt7 endpoints accept GET only", null);
  }
}

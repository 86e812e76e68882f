package org.enlace.agent.speedtest;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A test the server allows: from a report response's {@code speedTest} field or from {@code POST
 * /api/v1/speedtest/slot}. Run once, at a random moment in [notBefore, notAfter); the URLs carry
 * single-use tokens and are relative to the server's URL. {@code connections} is 0 when the server
 * left it to the agent ({@code speedTest.connections}).
 */
public record SpeedTestSlot(
    String testId,
    Instant notBefore,
    Instant notAfter,
    String downloadUrl,
    String uploadUrl,
    long maxBytes,
    int connections) {

  /** As the server sends it (what {@link #fromJson} reads). */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("testId", testId);
    m.put("notBefore", notBefore.toString());
    m.put("notAfter", notAfter.toString());
    m.put("downloadUrl", downloadUrl);
    m.put("uploadUrl", uploadUrl);
    m.put("maxBytes", maxBytes);
    m.put("connections", connections);
    return m;
  }

  /** The slot in a server answer, or empty when it is absent or unusable (never throws). */
  public static Optional<SpeedTestSlot> fromJson(Object json) {
    if (!(json instanceof Map<?, ?> m)) {
      return Optional.empty();
    }
    try {
      String id = String.valueOf(m.get("testId"));
      String down = (String) m.get("downloadUrl");
      String up = (String) m.get("uploadUrl");
      long maxBytes = m.get("maxBytes") instanceof Number n ? n.longValue() : 0;
      // 0: the server did not say; the agent's setting decides.
      int connections = m.get("connections") instanceof Number n ? n.intValue() : 0;
      if (m.get("testId") == null || down == null || up == null || maxBytes <= 0) {
        return Optional.empty();
      }
      return Optional.of(
          new SpeedTestSlot(
              id,
              // Absent: "null" fails to parse, and the slot is refused as before.
              Instant.parse(String.valueOf(m.get("notBefore"))),
              Instant.parse(String.valueOf(m.get("notAfter"))),
              down,
              up,
              maxBytes,
              Math.max(0, Math.min(16, connections))));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * A slot URL against the agent's server URL, as a WebSocket URL: relative URLs resolve against
   * the server, http becomes ws and https wss; absolute ws, wss, http and https URLs are kept.
   */
  public static URI webSocketUri(URI server, String url) {
    URI u = server.resolve(url.trim());
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    String ws =
        switch (scheme) {
          case "http", "ws" -> "ws";
          case "https", "wss" -> "wss";
          default -> throw new IllegalArgumentException("not a WebSocket URL: " + url);
        };
    return URI.create(ws + u.toString().substring(scheme.length()));
  }
}

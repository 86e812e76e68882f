package org.enlace.agent.probe;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Everything one round measured, in the shape of the protocol's {@code checks} object
 * (docs/protocol.md). Times are milliseconds; a failed probe has {@code ok = false} and an {@code
 * error} saying why (timeout, refused, nxdomain, tls, ...).
 */
public record CheckResults(
    List<Dns> dns,
    List<Http> http,
    List<Latency> latency,
    Optional<CaptivePortal> captivePortal,
    double loss) {

  public record Dns(String name, boolean ok, long ms, @Nullable String error) {}

  public record Http(String url, boolean ok, int status, long ms, @Nullable String error) {}

  public record Latency(String target, boolean ok, double ms, @Nullable String error) {}

  /** {@code intercepted}: the known URL was answered by something else (a login page). */
  public record CaptivePortal(
      String url, boolean ok, boolean intercepted, int status, long ms, @Nullable String error) {}
}

package org.enlace.server.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code http_server_requests_seconds} by method, route template and status, for Jersey resources
 * and plain servlets alike. Routes are templates, never raw paths: labels stay bounded.
 */
public final class HttpMetrics {
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

  public HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void record(String method, String route, int status, long nanos) {
    timers
        .computeIfAbsent(
            method + ' ' + route + ' ' + status,
            k ->
                Timer.builder("http.server.requests")
                    .description("HTTP requests served by the application connector")
                    .tag("method", method)
                    .tag("uri", route)
                    .tag("status", Integer.toString(status))
                    .publishPercentileHistogram()
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }
}

package org.enlace.server.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.uri.UriTemplate;

/**
 * {@code http_server_requests_seconds} by method, route template and status. The route is the
 * template ({@code /api/v1/computers/{id}}), never the raw path, so that labels stay bounded.
 */
@Provider
@PreMatching
public final class RequestMetricsFilter implements ContainerRequestFilter, ContainerResponseFilter {
  private static final String START = RequestMetricsFilter.class.getName() + ".start";
  private final MeterRegistry registry;
  /** Bounded: methods x route templates x statuses. */
  private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers =
      new java.util.concurrent.ConcurrentHashMap<>();

  public RequestMetricsFilter(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    request.setProperty(START, System.nanoTime());
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    Object start = request.getProperty(START);
    if (!(start instanceof Long s)) {
      return;
    }
    String key = request.getMethod() + ' ' + route(request) + ' ' + response.getStatus();
    timers.computeIfAbsent(key, k -> Timer.builder("http.server.requests")
        .description("HTTP requests served by the application connector")
        .tag("method", request.getMethod())
        .tag("uri", route(request))
        .tag("status", Integer.toString(response.getStatus()))
        .publishPercentileHistogram()
        .register(registry))
        .record(System.nanoTime() - s, TimeUnit.NANOSECONDS);
  }

  private static String route(ContainerRequestContext request) {
    if (!(request.getUriInfo() instanceof ExtendedUriInfo info)) {
      return "UNKNOWN";
    }
    List<UriTemplate> templates = info.getMatchedTemplates();
    if (templates.isEmpty()) {
      return "UNMATCHED";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = templates.size() - 1; i >= 0; i--) {
      String t = templates.get(i).getTemplate();
      if (!t.startsWith("/") && sb.length() > 0 && sb.charAt(sb.length() - 1) != '/') {
        sb.append('/');
      }
      sb.append(t);
    }
    return sb.toString();
  }
}

package org.enlace.server.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.uri.UriTemplate;

/** Times every Jersey request by its route template ({@code /api/v1/computers/{id}}). */
@Provider
@PreMatching
public final class RequestMetricsFilter implements ContainerRequestFilter, ContainerResponseFilter {
  private static final String START = RequestMetricsFilter.class.getName() + ".start";
  private final HttpMetrics metrics;

  public RequestMetricsFilter(HttpMetrics metrics) {
    this.metrics = metrics;
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
    metrics.record(
        request.getMethod(), route(request), response.getStatus(), System.nanoTime() - s);
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

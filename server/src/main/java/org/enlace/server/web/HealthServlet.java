package org.enlace.server.web;

import com.codahale.metrics.health.HealthCheckRegistry;
import io.dropwizard.metrics.servlets.HealthCheckServlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;

/**
 * {@code /healthcheck} on the admin connector: Dropwizard's (every check by name, with its message,
 * as JSON), but an unhealthy server answers 503 with Retry-After, as every other endpoint does
 * while the database is away, rather than 500 ("the server failed"): load balancers and monitors
 * read 503 as "not ready, try later".
 */
public final class HealthServlet extends HealthCheckServlet {
  private static final long serialVersionUID = 1L;

  /** The postmaster restarts in seconds; a monitor that honours Retry-After looks again soon. */
  static final int RETRY_AFTER_SECONDS = 10;

  public HealthServlet(HealthCheckRegistry registry) {
    super(registry);
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp)
      throws ServletException, IOException {
    super.doGet(
        req,
        new HttpServletResponseWrapper(resp) {
          @Override
          public void setStatus(int status) {
            if (status == HttpServletResponse.SC_INTERNAL_SERVER_ERROR) {
              super.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
              super.setHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            } else {
              super.setStatus(status);
            }
          }
        });
  }
}

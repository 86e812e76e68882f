package org.enlace.server.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * A body whose declared {@code Content-Length} is over the limit is answered 413 before anything
 * else looks at the request: before authentication (as docs/protocol.md promises: a client learns
 * its batch is too large whatever its credentials) and before any password hash is computed. A
 * servlet filter, so that it runs ahead of both Jersey's auth filters and {@code ReportsServlet}.
 * Bodies without a declared length are counted while read ({@link BodyLimitFilter}).
 */
public final class DeclaredLengthFilter implements Filter {
  private final long limit;
  private final ObjectMapper json;
  private final String exceptPath;

  /**
   * @param exceptPath a servlet that checks the declared length itself, first, to count it in its
   *     own metrics (the agents' reports)
   */
  public DeclaredLengthFilter(long limit, ObjectMapper json, String exceptPath) {
    this.limit = limit;
    this.json = json;
    this.exceptPath = exceptPath;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    long length = request.getContentLengthLong();
    if (length <= limit
        || !(request instanceof HttpServletRequest req)
        || !(response instanceof HttpServletResponse http)
        || exceptPath.equals(req.getRequestURI())) {
      chain.doFilter(request, response);
      return;
    }
    BodyLimitFilter.discardOversized(length, request.getInputStream());
    ApiError body = (ApiError) BodyLimitFilter.tooLarge(limit).getResponse().getEntity();
    http.setStatus(413);
    http.setContentType("application/json");
    http.getOutputStream().write(json.writeValueAsBytes(body));
  }
}

package org.enlace.server.web;

import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * The HTTP request log (Dropwizard's {@code server.requestLog}) sees each request with its
 * credentials masked: the {@code Authorization}, {@code Proxy-Authorization} and {@code Cookie}
 * headers, and secrets in the query string (the ndt7 {@code access_token}). The default log format
 * shows neither header, but a format an operator writes ({@code %i{Authorization}}) would.
 */
public final class RedactingRequestLog extends ContainerLifeCycle implements RequestLog {
  private static final List<HttpHeader> SECRET_HEADERS =
      List.of(HttpHeader.AUTHORIZATION, HttpHeader.PROXY_AUTHORIZATION, HttpHeader.COOKIE);

  private final RequestLog delegate;

  public RedactingRequestLog(RequestLog delegate) {
    this.delegate = delegate;
    // The delegate (logback-access) starts and stops with this one.
    addBean(delegate);
  }

  /**
   * Wraps the server's request log as the server starts (Dropwizard sets it while building the
   * server, and starts whatever is a bean of it).
   */
  public static LifeCycle.Listener installer() {
    return new LifeCycle.Listener() {
      @Override
      public void lifeCycleStarting(LifeCycle event) {
        if (event instanceof Server server
            && server.getRequestLog() != null
            && !(server.getRequestLog() instanceof RedactingRequestLog)) {
          server.setRequestLog(new RedactingRequestLog(server.getRequestLog()));
        }
      }
    };
  }

  RequestLog delegate() {
    return delegate;
  }

  @Override
  public void log(Request request, Response response) {
    delegate.log(new Masked(request), response);
  }

  private static final class Masked extends Request.Wrapper {
    Masked(Request request) {
      super(request);
    }

    @Override
    public HttpURI getHttpURI() {
      HttpURI uri = super.getHttpURI();
      String query = uri.getQuery();
      if (query == null || !Redaction.suspicious(query)) {
        return uri;
      }
      return HttpURI.build(uri).query(Redaction.mask(query)).asImmutable();
    }

    @Override
    public HttpFields getHeaders() {
      HttpFields headers = super.getHeaders();
      boolean any = false;
      for (HttpHeader h : SECRET_HEADERS) {
        any |= headers.contains(h);
      }
      if (!any) {
        return headers;
      }
      HttpFields.Mutable out = HttpFields.build(headers.size());
      for (HttpField f : headers) {
        out.add(
            SECRET_HEADERS.contains(f.getHeader())
                ? new HttpField(f.getHeader(), f.getName(), Redaction.MASK)
                : f);
      }
      return out.asImmutable();
    }
  }
}

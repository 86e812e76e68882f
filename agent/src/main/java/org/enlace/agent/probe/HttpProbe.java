package org.enlace.agent.probe;

import java.net.ProxySelector;
import java.net.URI;
import java.time.Duration;

/**
 * GETs one target (the Enlace server's /api/v1/ping, the municipal website, the national portal).
 *
 * <p>{@code ok} when a status in 200–399 came back within the timeout: the ping answers 204,
 * websites 2xx or a 3xx to their canonical address (redirects are not followed, a redirect is an
 * answer). 4xx and 5xx are not ok on purpose: behind a proxy they are usually the proxy speaking
 * (407 authentication required, 403 blocked, 502/504 upstream unreachable), which proves nothing
 * about the internet. The status is still recorded, with error {@code http_NNN}.
 */
public final class HttpProbe implements Probe<CheckResults.Http> {
  private final ProxySelector proxies;
  private final URI url;
  private final Duration timeout;

  /** {@code proxies}: where the request goes (see {@link ProxySupport}). */
  public HttpProbe(ProxySelector proxies, URI url, Duration timeout) {
    this.proxies = proxies;
    this.url = url;
    this.timeout = timeout;
  }

  @Override
  public CheckResults.Http run() {
    HttpSupport.Outcome o = HttpSupport.get(proxies, url, timeout);
    if (o.answer() == null) {
      return new CheckResults.Http(url.toString(), false, 0, o.ms(), o.error());
    }
    int status = o.answer().status();
    boolean ok = status >= 200 && status < 400;
    return new CheckResults.Http(url.toString(), ok, status, o.ms(), ok ? null : "http_" + status);
  }
}

package org.enlace.agent.probe;

import java.net.ProxySelector;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Android's generate_204 check: GET a URL whose honest answer is known, and see whether something
 * else answered instead (a hotel / Punto Vive Digital login page).
 *
 * <ul>
 *   <li>expected body empty: honest = exactly 204 with an empty body;
 *   <li>expected body set: honest = 200 with that body (both sides stripped of surrounding
 *       whitespace, so Firefox's "success\n" matches a configured "success");
 *   <li>any other answer (200 with a login page, 302 to a portal, another body, 4xx) means {@code
 *       intercepted = true}, {@code ok = true};
 *   <li>5xx: {@code ok = false, intercepted = false}, error {@code http_5NN}: that is a proxy or
 *       server failing, not a portal, and calling it a portal would mislead the technician;
 *   <li>no answer: {@code ok = false, intercepted = false} with the error token.
 * </ul>
 */
public final class CaptivePortalProbe implements Probe<CheckResults.CaptivePortal> {
  private final ProxySelector proxies;
  private final URI url;
  private final String expectedBody;
  private final Duration timeout;

  public CaptivePortalProbe(ProxySelector proxies, URI url, String expectedBody, Duration timeout) {
    this.proxies = proxies;
    this.url = url;
    this.expectedBody = expectedBody == null ? "" : expectedBody;
    this.timeout = timeout;
  }

  @Override
  public CheckResults.CaptivePortal run() {
    HttpSupport.Outcome o = HttpSupport.get(proxies, url, timeout);
    String u = url.toString();
    if (o.answer() == null) {
      return new CheckResults.CaptivePortal(u, false, false, 0, o.ms(), o.error());
    }
    int status = o.answer().status();
    if (status >= 500) {
      return new CheckResults.CaptivePortal(u, false, false, status, o.ms(), "http_" + status);
    }
    boolean honest =
        expectedBody.isEmpty()
            ? status == 204 && o.answer().body().length == 0
            : status == 200
                && !o.answer().truncated()
                && new String(o.answer().body(), StandardCharsets.UTF_8)
                    .strip()
                    .equals(expectedBody.strip());
    return new CheckResults.CaptivePortal(u, true, !honest, status, o.ms(), null);
  }
}

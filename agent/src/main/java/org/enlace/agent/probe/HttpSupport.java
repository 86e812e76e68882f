package org.enlace.agent.probe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ProxySelector;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The one GET that {@link HttpProbe} and {@link CaptivePortalProbe} both make.
 *
 * <p>With {@link HttpURLConnection}, which is in java.base and in the JDK's class-data archive: the
 * java.net.http client costs a few hundred classes and initialises TLS before the first request,
 * even for http:// targets, and the agent must stay small (docs/performance.md). HTTP/1.1 (what
 * proxies and captive portals speak); redirects are never followed, because a redirect is itself
 * the answer (often a captive portal's); each request goes through the proxy that {@link
 * ProxySupport} chooses for its URL, on a connection of its own that is closed afterwards (a check
 * measures a fresh connection, as a user's browser would make after a minute).
 */
final class HttpSupport {
  /**
   * At most this much of a body is read; the rest is dropped with the connection. Enough to tell a
   * login page from an expected body, small enough for a 2 Mbit/s link shared with users.
   */
  static final int BODY_LIMIT = 4096;

  private HttpSupport() {}

  /** What came back: a status and at most {@link #BODY_LIMIT} bytes of body. */
  @SuppressWarnings("ArrayRecordComponent") // a carrier of the bytes read, never compared
  record Answer(int status, byte[] body, boolean truncated) {}

  /** Either an answer or an error token; {@code nanos}: from send to (bounded) body read. */
  record Outcome(@Nullable Answer answer, @Nullable String error, long nanos) {
    long ms() {
      return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
  }

  /**
   * GETs {@code uri}; the exchange, headers and bounded body, must end within {@code timeout}:
   * connecting and every read wait at most what is left of it, and a body still arriving when it is
   * over is abandoned as a timeout. Never throws.
   */
  static Outcome get(ProxySelector proxies, URI uri, Duration timeout) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    URL url;
    try {
      if ((!scheme.equals("http") && !scheme.equals("https")) || uri.getHost() == null) {
        return new Outcome(null, "invalid_url", 0);
      }
      url = uri.toURL();
    } catch (IOException | IllegalArgumentException e) {
      return new Outcome(null, "invalid_url", 0);
    }
    HttpURLConnection c = null;
    try {
      c = (HttpURLConnection) url.openConnection(ProxySupport.proxyFor(proxies, uri));
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      c.setConnectTimeout(millisLeft(deadline));
      c.setReadTimeout(millisLeft(deadline));
      c.setRequestProperty("User-Agent", "enlace-agent");
      // A caching proxy must not answer a connectivity check from its cache.
      c.setRequestProperty("Cache-Control", "no-cache");
      // Nothing to reuse a minute later; and a connection that is not kept alive is simply
      // closed with an unread body, instead of being drained by a JDK cleaner thread.
      c.setRequestProperty("Connection", "close");
      int status;
      try {
        status = c.getResponseCode(); // 4xx and 5xx are answers; no answer throws
      } catch (IOException e) {
        int refused = ProxySupport.tunnelRefusal(e);
        if (refused < 0) {
          throw e;
        }
        return new Outcome(
            new Answer(refused, new byte[0], false), null, System.nanoTime() - start);
      }
      if (status < 0) {
        return new Outcome(null, "io", System.nanoTime() - start); // not HTTP
      }
      InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
      Answer answer =
          in == null ? new Answer(status, new byte[0], false) : readBounded(status, in, deadline);
      return new Outcome(answer, null, System.nanoTime() - start);
    } catch (SocketTimeoutException e) {
      return new Outcome(null, "timeout", System.nanoTime() - start);
    } catch (IOException | RuntimeException e) { // RuntimeException: e.g. a bad proxy address
      if (Thread.currentThread().isInterrupted()) {
        return new Outcome(null, "interrupted", System.nanoTime() - start);
      }
      return new Outcome(null, ProbeErrors.of(e), System.nanoTime() - start);
    } finally {
      if (c != null) {
        c.disconnect(); // closes the socket, also when the rest of a big body is unread
      }
    }
  }

  /**
   * Keeps the first {@link #BODY_LIMIT} bytes; stops there (the caller drops the connection)
   * instead of downloading a whole web page, and gives up when the deadline passes.
   */
  private static Answer readBounded(int status, InputStream in, long deadline) throws IOException {
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    byte[] buf = new byte[1024];
    while (true) { // not closed here: HttpURLConnection.disconnect() closes it with the socket
      if (System.nanoTime() - deadline > 0) {
        throw new SocketTimeoutException("body still arriving at the deadline");
      }
      int room = BODY_LIMIT - kept.size();
      if (room == 0) {
        return new Answer(status, kept.toByteArray(), in.read() != -1);
      }
      int n = in.read(buf, 0, Math.min(room, buf.length));
      if (n < 0) {
        return new Answer(status, kept.toByteArray(), false);
      }
      kept.write(buf, 0, n);
    }
  }

  /** What is left until {@code deadline}, at least 1 ms (0 would mean "wait forever"). */
  private static int millisLeft(long deadline) {
    long ms = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
  }
}

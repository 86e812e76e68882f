package org.enlace.agent.upload;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.enlace.agent.probe.ProxySupport;
import org.jspecify.annotations.Nullable;

/**
 * HTTP to the Enlace server: TLS with the system trust store or a configured CA file, proxies.
 *
 * <p>Built on {@link HttpURLConnection} (in java.base and the JDK's class-data archive) rather than
 * java.net.http, whose client loads a few hundred classes and initialises TLS before the first
 * request, even for an http:// server: the agent must stay small (docs/performance.md). TLS classes
 * load only when an https:// URL is used. Redirects are never followed (an answer from somewhere
 * else is not the server's); the request is kept in memory (not streamed) so that a 401 still comes
 * back with the body that names its cause.
 */
public final class ServerClient {
  private static final int CONNECT_TIMEOUT_MS = 15_000;
  private static final int ANSWER_LIMIT = 4 * 1024 * 1024;

  private final ProxySelector proxies;
  private final @Nullable SSLSocketFactory tls; // null: the JDK's default (system trust store)
  private final Duration timeout;

  /** A server answer, with the agent-clock instants just before sending and after receiving. */
  public record Answer(
      int status,
      Map<String, Object> body,
      Optional<Duration> retryAfter,
      Instant sentAt,
      Instant receivedAt) {
    public String error() {
      Object e = body.get("error");
      return e == null ? "" : e.toString();
    }

    public String message() {
      Object m = body.get("message");
      return m == null ? "" : m.toString();
    }
  }

  /**
   * @param caFile a municipality's own CA (tls.caFile); read now, so that a bad file is an error at
   *     start-up, not at the first upload (it is only ever set for an https server)
   * @param timeout how long each read of the answer may wait
   */
  public ServerClient(ProxySelector proxy, Optional<Path> caFile, Duration timeout)
      throws IOException {
    this.proxies = proxy;
    this.tls = caFile.isPresent() ? sslContext(caFile.get()).getSocketFactory() : null;
    this.timeout = timeout;
  }

  public Answer postJson(URI uri, byte[] json, Optional<String> authorization, boolean gzip)
      throws IOException, InterruptedException {
    byte[] body = gzip ? gzip(json) : json;
    Proxy proxy = ProxySupport.proxyFor(proxies, uri);
    HttpURLConnection c;
    try {
      c = (HttpURLConnection) uri.toURL().openConnection(proxy);
    } catch (IllegalArgumentException e) {
      throw new IOException("not a URL the agent can use: " + uri, e);
    }
    if (tls != null && c instanceof HttpsURLConnection https) {
      https.setSSLSocketFactory(tls);
    }
    c.setRequestMethod("POST");
    c.setInstanceFollowRedirects(false);
    c.setUseCaches(false);
    c.setDoOutput(true);
    c.setConnectTimeout(CONNECT_TIMEOUT_MS);
    c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
    c.setRequestProperty("Content-Type", "application/json");
    c.setRequestProperty("User-Agent", "enlace-agent/" + AgentVersion.get());
    if (gzip) {
      c.setRequestProperty("Content-Encoding", "gzip");
    }
    if (authorization.isPresent()) {
      c.setRequestProperty("Authorization", authorization.get());
    }
    Instant sent = Instant.now();
    int status;
    Optional<Duration> retryAfter;
    byte[] bytes = new byte[0];
    boolean reusable = false;
    try {
      try {
        try (OutputStream out = c.getOutputStream()) { // connects (through the proxy's tunnel)
          out.write(body);
        }
        status = c.getResponseCode(); // 4xx and 5xx are answers too; only no answer throws
      } catch (IOException e) {
        // A proxy that refused the tunnel (407 wants a password) answered; there is no body.
        status = ProxySupport.tunnelRefusal(e);
        if (status < 0) {
          throw e;
        }
        return new Answer(status, Map.of(), Optional.empty(), sent, Instant.now());
      }
      if (status < 0) {
        throw new IOException("not an HTTP answer from " + uri);
      }
      retryAfter = retryAfter(c.getHeaderField("Retry-After"));
      InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
      // No body at all (a proxy that refused with nothing): that is still an answer.
      if (in != null) {
        try (in) {
          bytes = in.readNBytes(ANSWER_LIMIT);
          reusable = in.read() == -1; // read to the end: the connection can be kept alive
        }
      }
    } catch (IOException e) {
      if (Thread.currentThread().isInterrupted()) {
        c.disconnect();
        throw new InterruptedException("interrupted during the request to " + uri);
      }
      throw e;
    } finally {
      if (!reusable) {
        c.disconnect();
      }
    }
    Instant received = Instant.now();
    Map<String, Object> parsed = Map.of();
    if (bytes.length > 0) {
      try {
        parsed = JSON.std.mapFrom(bytes);
      } catch (IOException e) {
        parsed = Map.of("message", "unreadable answer (" + status + ")");
      }
    }
    return new Answer(status, parsed, retryAfter, sent, received);
  }

  /** Retry-After as seconds or as an HTTP date; empty when absent or unreadable. */
  static Optional<Duration> retryAfter(String value) {
    if (value == null) {
      return Optional.empty();
    }
    String v = value.trim();
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
    } catch (NumberFormatException e) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration left = Duration.between(Instant.now(), at);
        return Optional.of(left.isNegative() ? Duration.ZERO : left);
      } catch (RuntimeException e2) {
        return Optional.empty();
      }
    }
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  /** Trusts exactly the certificates in a PEM file (a municipality's own CA). */
  public static SSLContext sslContext(Path caFile) throws IOException {
    try (InputStream in = Files.newInputStream(caFile)) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new IOException("no certificate in " + caFile);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot use CA file " + caFile + ": " + e.getMessage(), e);
    }
  }
}

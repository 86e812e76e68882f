package org.enlace.agent.upload;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** HTTP to the Enlace server: TLS with the system trust store or a configured CA file, proxies. */
public final class ServerClient {
  private final HttpClient http;
  private final Duration timeout;

  /** A server answer, with the agent-clock instants just before sending and after receiving. */
  public record Answer(int status, Map<String, Object> body, Optional<Duration> retryAfter,
      Instant sentAt, Instant receivedAt) {
    public String error() {
      Object e = body.get("error");
      return e == null ? "" : e.toString();
    }

    public String message() {
      Object m = body.get("message");
      return m == null ? "" : m.toString();
    }
  }

  public ServerClient(ProxySelector proxy, Optional<Path> caFile, Duration timeout)
      throws IOException {
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(15)).proxy(proxy)
        .followRedirects(HttpClient.Redirect.NEVER);
    if (caFile.isPresent()) {
      b.sslContext(sslContext(caFile.get()));
    }
    this.http = b.build();
    this.timeout = timeout;
  }

  public Answer postJson(URI uri, byte[] json, Optional<String> authorization, boolean gzip)
      throws IOException, InterruptedException {
    HttpRequest.Builder r = HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Content-Type", "application/json")
        .header("User-Agent", "enlace-agent/" + AgentVersion.get());
    byte[] body = json;
    if (gzip) {
      body = gzip(json);
      r.header("Content-Encoding", "gzip");
    }
    authorization.ifPresent(a -> r.header("Authorization", a));
    r.POST(HttpRequest.BodyPublishers.ofByteArray(body));
    Instant sent = Instant.now();
    HttpResponse<InputStream> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofInputStream());
    byte[] bytes = new byte[0];
    // No body at all when a proxy refused the tunnel (407): that is an answer, not a crash.
    if (resp.body() != null) {
      try (InputStream in = resp.body()) {
        bytes = in.readNBytes(4 * 1024 * 1024);
      }
    }
    Instant received = Instant.now();
    Map<String, Object> parsed = Map.of();
    if (bytes.length > 0) {
      try {
        parsed = JSON.std.mapFrom(bytes);
      } catch (IOException e) {
        parsed = Map.of("message", "unreadable answer (" + resp.statusCode() + ")");
      }
    }
    return new Answer(resp.statusCode(), parsed, retryAfter(resp), sent, received);
  }

  static Optional<Duration> retryAfter(HttpResponse<?> resp) {
    return resp.headers().firstValue("Retry-After").flatMap(v -> {
      try {
        return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v.trim()))));
      } catch (NumberFormatException e) {
        try {
          Instant at = java.time.ZonedDateTime.parse(v,
              java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
          return Optional.of(Duration.between(Instant.now(), at).isNegative() ? Duration.ZERO
              : Duration.between(Instant.now(), at));
        } catch (RuntimeException e2) {
          return Optional.empty();
        }
      }
    });
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  /** Trusts exactly the certificates in a PEM file (a municipality's own CA). */
  static SSLContext sslContext(Path caFile) throws IOException {
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
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(
          TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot use CA file " + caFile + ": " + e.getMessage(), e);
    }
  }
}

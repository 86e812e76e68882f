package org.enlace.server.speedtest;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.gzip.GzipHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.enlace.server.testing.TempDirs;

/**
 * A real Jetty 12 on loopback with the ndt7 endpoints in an ee10 servlet context behind a
 * GzipHandler (as Dropwizard's application handler chain has), one plain and one TLS connector with
 * a self-signed certificate made by keytool for this run.
 */
// close() stops Jetty, which may be interrupted; a test harness lets that propagate.
@SuppressWarnings("try")
final class Ndt7TestServer implements AutoCloseable {
  final Ndt7FakeAccess access = new Ndt7FakeAccess();
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final Ndt7Server ndt7;
  private final Server jetty;
  private final ServerConnector plain;
  private final ServerConnector tls;
  private final SSLContext clientTls;

  static {
    // Jetty's DEBUG output (logback's default level without a configuration) would be gigabytes.
    org.slf4j.Logger jettyLog = org.slf4j.LoggerFactory.getLogger("org.eclipse.jetty");
    if (jettyLog instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(ch.qos.logback.classic.Level.INFO);
    }
  }

  Ndt7TestServer(SpeedTestConfig config) throws Exception {
    Path dir = TempDirs.create("ndt7-tls-");
    Path keystore = dir.resolve("server.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "ndt7",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + out);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(keystore)) {
      ks.load(in, "changeit".toCharArray());
    }
    Certificate cert = ks.getCertificate("ndt7");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ndt7", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    clientTls = SSLContext.getInstance("TLS");
    clientTls.init(null, tmf.getTrustManagers(), null);

    jetty = new Server();
    plain = new ServerConnector(jetty);
    plain.setHost("127.0.0.1");
    plain.setPort(0);
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStorePath(keystore.toString());
    ssl.setKeyStorePassword("changeit");
    ssl.setKeyStoreType("PKCS12");
    HttpConfiguration https = new HttpConfiguration();
    SecureRequestCustomizer src = new SecureRequestCustomizer();
    src.setSniHostCheck(false);
    https.addCustomizer(src);
    tls =
        new ServerConnector(
            jetty, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
    tls.setHost("127.0.0.1");
    tls.setPort(0);
    jetty.addConnector(plain);
    jetty.addConnector(tls);

    ServletContextHandler context = new ServletContextHandler("/");
    ndt7 = new Ndt7Server(config, access, meters);
    ndt7.register(context);
    jetty.setHandler(gzip(context));
    jetty.start();
  }

  URI ws(String path, String query) {
    return URI.create(
        "ws://127.0.0.1:" + plain.getLocalPort() + path + (query == null ? "" : "?" + query));
  }

  URI wss(String path, String query) {
    return URI.create(
        "wss://localhost:" + tls.getLocalPort() + path + (query == null ? "" : "?" + query));
  }

  URI http(String path) {
    return URI.create("http://127.0.0.1:" + plain.getLocalPort() + path);
  }

  SSLContext clientTls() {
    return clientTls;
  }

  /** Waits until no subtest holds a slot. */
  void awaitIdle(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (ndt7.running() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    if (ndt7.running() > 0) {
      throw new AssertionError(ndt7.running() + " subtests still hold a slot");
    }
  }

  @Override
  public void close() throws Exception {
    ndt7.stop();
    jetty.stop();
  }

  // Dropwizard 5 still puts Jetty's GzipHandler in front of the application, so the test keeps
  // that chain until Dropwizard moves to Jetty's CompressionHandler.
  @SuppressWarnings("removal")
  private static Handler gzip(Handler h) {
    return new GzipHandler(h);
  }
}

package org.enlace.server.speedtest.accuracy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.gzip.GzipHandler;
import org.enlace.server.speedtest.Ndt7Access;
import org.enlace.server.speedtest.Ndt7Server;
import org.enlace.server.speedtest.SpeedTestConfig;

/**
 * The server's real ndt7 endpoints ({@link Ndt7Server}, default {@link SpeedTestConfig}: 10 s,
 * TCP_INFO through ss) in a Jetty 12 ee10 context behind a GzipHandler, as Dropwizard's application
 * handler chain has them, on one plain connector bound to the link's root-side address. Access is
 * in memory: a token works for as many connections as the test asks for (the planner issues one
 * connection, where single-use is the same thing).
 */
// close() stops Jetty, which may be interrupted; a test harness lets that propagate.
@SuppressWarnings("try")
public final class Ndt7Harness implements AutoCloseable {
  static {
    // Without a logback configuration the default level is DEBUG: Jetty's would be gigabytes.
    org.slf4j.Logger root = org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    if (root instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }

  public final Access access = new Access();
  private final Ndt7Server ndt7;
  private final Server jetty;
  private final ServerConnector connector;
  private final String host;

  /** Tokens good for n connections each; every finished() recorded. */
  public static final class Access implements Ndt7Access {
    private final Map<String, Grant> grants = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> uses = new ConcurrentHashMap<>();
    public final List<ServerResult> finished = new CopyOnWriteArrayList<>();

    String issue(String testId, Subtest subtest, long maxBytes, int connections) {
      String token = "acc-" + UUID.randomUUID();
      grants.put(
          token,
          new Grant(testId, 1, Optional.of(1L), subtest, maxBytes, Instant.now().plusSeconds(600)));
      uses.put(token, new AtomicInteger(connections));
      return token;
    }

    @Override
    public Optional<Grant> redeem(String token, Subtest subtest, Instant now) {
      Grant g = grants.get(token);
      AtomicInteger left = uses.get(token);
      if (g == null
          || g.subtest() != subtest
          || now.isAfter(g.expiresAt())
          || left.getAndDecrement() <= 0) {
        return Optional.empty();
      }
      return Optional.of(g);
    }

    @Override
    public void finished(Grant grant, ServerResult result) {
      finished.add(result);
    }
  }

  /** One test's URLs: each good for {@code connections} WebSockets. */
  public record Slot(URI download, URI upload, long maxBytes) {}

  public Ndt7Harness(String host) throws Exception {
    this.host = host;
    jetty = new Server();
    connector = new ServerConnector(jetty);
    connector.setHost(host);
    connector.setPort(0);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    ndt7 =
        new Ndt7Server(
            new SpeedTestConfig().setMaxConcurrentTests(16), access, new SimpleMeterRegistry());
    ndt7.register(context);
    jetty.setHandler(gzip(context));
    jetty.start();
  }

  /**
   * A slot as the planner makes it for a link contracted at rateMbit both ways: per subtest 1.5 x
   * what the rate carries in 10 s (SpeedTestPlanConfig's defaults), the test's maxBytes the sum of
   * both.
   */
  public Slot slot(double rateMbit, int connections) {
    long perSubtest = (long) (1.5 * 10 * rateMbit * 1_000_000 / 8);
    String id = UUID.randomUUID().toString();
    String down = access.issue(id, Ndt7Access.Subtest.DOWNLOAD, perSubtest, connections);
    String up = access.issue(id, Ndt7Access.Subtest.UPLOAD, perSubtest, connections);
    String base = "ws://" + host + ":" + connector.getLocalPort();
    return new Slot(
        URI.create(base + Ndt7Server.DOWNLOAD_PATH + "?access_token=" + down),
        URI.create(base + Ndt7Server.UPLOAD_PATH + "?access_token=" + up),
        2 * perSubtest);
  }

  /** Waits until no subtest holds a slot (the server has finished with the last test). */
  public void awaitIdle(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (ndt7.running() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
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

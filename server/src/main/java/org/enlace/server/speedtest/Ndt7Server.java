package org.enlace.server.speedtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.lifecycle.Managed;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.server.config.JettyWebSocketServletContainerInitializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ndt7 server (M-Lab's ndt7 protocol, spec v0.11.0): {@code /ndt/v7/download} and {@code
 * /ndt/v7/upload} as WebSocket endpoints in a Jetty servlet context, so they answer on every
 * connector of that context (plain and TLS). Access is by single-use token ({@link Ndt7Access});
 * the number of subtests at once is limited.
 *
 * <p>Wiring: {@code register(env.getApplicationContext())} before the server starts, and {@code
 * env.lifecycle().manage(server)}.
 */
public final class Ndt7Server implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(Ndt7Server.class);

  public static final String DOWNLOAD_PATH = "/ndt/v7/download";
  public static final String UPLOAD_PATH = "/ndt/v7/upload";
  public static final String SUBPROTOCOL = "net.measurementlab.ndt.v7";

  /** Messages up to this size must be accepted (spec: MaxMessageSize). */
  public static final int MAX_MESSAGE_SIZE = 1 << 24;

  /** First binary message size (spec). */
  public static final int INITIAL_MESSAGE_SIZE = 1 << 13;

  /** Binary messages the spec allows are at least this big. */
  public static final int MIN_MESSAGE_SIZE = 1 << 10;

  /**
   * Largest scaled download message: M-Lab's server caps scaling at 1 MiB (spec.go
   * MaxScaledMessageSize, "a good compromise between Go and JavaScript"), below the spec's 16 MiB
   * ceiling.
   */
  public static final int MAX_SCALED_MESSAGE_SIZE = 1 << 20;

  /** Scale when the message is at most 1/16 of the bytes queued so far (spec appendix). */
  public static final int SCALING_FRACTION = 16;

  /** Longest query string the spec allows. */
  public static final int MAX_QUERY_LENGTH = 4096;

  final SpeedTestConfig config;
  final Ndt7Access access;
  final Clock clock;
  final Ndt7Metrics metrics;
  final ObjectMapper json = new ObjectMapper();
  final ScheduledThreadPoolExecutor scheduler;
  final Optional<Ndt7TcpInfo> tcpInfo;

  /** Random, incompressible payload, made once; messages are slices of it. */
  final ByteBuffer payload;

  private final Semaphore slots;
  private final Ndt7Slots shared;
  private final AtomicInteger running = new AtomicInteger();
  private final Set<Ndt7Session> sessions = ConcurrentHashMap.newKeySet();

  public Ndt7Server(SpeedTestConfig config, Ndt7Access access, MeterRegistry meters) {
    this(config, access, meters, Clock.systemUTC());
  }

  public Ndt7Server(SpeedTestConfig config, Ndt7Access access, MeterRegistry meters, Clock clock) {
    this(config, access, meters, clock, Ndt7Slots.LOCAL);
  }

  /** With the cap counted in {@code shared} too (several replicas, one database). */
  public Ndt7Server(
      SpeedTestConfig config, Ndt7Access access, MeterRegistry meters, Ndt7Slots shared) {
    this(config, access, meters, Clock.systemUTC(), shared);
  }

  private Ndt7Server(
      SpeedTestConfig config,
      Ndt7Access access,
      MeterRegistry meters,
      Clock clock,
      Ndt7Slots shared) {
    if (config.getHardTimeout().toJavaDuration().compareTo(config.getMaxDuration().toJavaDuration())
        <= 0) {
      throw new IllegalArgumentException("speedTest.hardTimeout must be longer than maxDuration");
    }
    this.config = config;
    this.access = access;
    this.clock = clock;
    this.slots = new Semaphore(config.getMaxConcurrentTests());
    this.shared = shared;
    this.metrics = new Ndt7Metrics(meters, running::get);
    AtomicInteger threads = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          Thread t = new Thread(r, "ndt7-timer-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    this.scheduler = new ScheduledThreadPoolExecutor(2, factory);
    this.scheduler.setRemoveOnCancelPolicy(true);
    this.tcpInfo = config.isTcpInfo() ? Ndt7TcpInfo.detect() : Optional.empty();
    byte[] bytes = new byte[MAX_SCALED_MESSAGE_SIZE];
    new SplittableRandom().nextBytes(bytes);
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
    direct.put(bytes).flip();
    this.payload = direct.asReadOnlyBuffer();
  }

  /**
   * Adds the WebSocket support and the two endpoints to a servlet context that has not started
   * (Dropwizard: {@code env.getApplicationContext()}). Exact path mappings, so they win over
   * Jersey's {@code /*}; the endpoints are plain servlets, outside Jersey and its filters.
   */
  public void register(ServletContextHandler context) {
    if (!config.isEnabled()) {
      LOG.info("event=ndt7_disabled");
      return;
    }
    JettyWebSocketServletContainerInitializer.configure(
        context,
        (servletContext, container) -> {
          container.setMaxBinaryMessageSize(MAX_MESSAGE_SIZE);
          container.setMaxTextMessageSize(MAX_MESSAGE_SIZE);
          container.setMaxFrameSize(MAX_MESSAGE_SIZE);
          // Timeouts are ours (maxDuration, hardTimeout); Jetty's idle timeout is only a backstop.
          container.setIdleTimeout(config.getHardTimeout().toJavaDuration().plusSeconds(5));
          // Deliver frames as they arrive: the upload count then moves with the bytes, not in steps
          // of whole client messages (up to 1 MiB, a second of a slow link).
          container.setAutoFragment(true);
        });
    ServletHolder holder = new ServletHolder("ndt7", new Ndt7Servlet(this));
    holder.setAsyncSupported(true);
    context.addServlet(holder, DOWNLOAD_PATH);
    context.addServlet(holder, UPLOAD_PATH);
  }

  /** Subtests in progress. */
  public int running() {
    return running.get();
  }

  boolean tryAcquireSlot() {
    if (!slots.tryAcquire()) {
      return false;
    }
    if (!shared.tryAcquire()) {
      slots.release();
      return false;
    }
    running.incrementAndGet();
    return true;
  }

  void releaseSlot() {
    running.decrementAndGet();
    shared.release();
    slots.release();
  }

  void opened(Ndt7Session session) {
    sessions.add(session);
  }

  void closed(Ndt7Session session) {
    sessions.remove(session);
  }

  Duration maxDuration() {
    return config.getMaxDuration().toJavaDuration();
  }

  Duration hardTimeout() {
    return config.getHardTimeout().toJavaDuration();
  }

  @Override
  public void start() {}

  @Override
  public void stop() {
    for (Ndt7Session s : sessions) {
      s.serverStopping();
    }
    scheduler.shutdown();
  }
}

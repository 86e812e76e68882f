package org.enlace.agent.speedtest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.enlace.agent.upload.AgentVersion;
import org.jspecify.annotations.Nullable;

/**
 * An ndt7 client (M-Lab's ndt7 protocol, spec v0.11.0: github.com/m-lab/ndt-server,
 * spec/ndt7-protocol.md) on the JDK's own {@link java.net.http.WebSocket}. This class is the entry
 * point: it measures the idle latency, runs the download then the upload ({@link Ndt7Subtest}, each
 * over one or more {@link Ndt7Connection}s opened by {@link Ndt7Handshake}) and puts their figures
 * into one {@link SpeedTestResult}.
 *
 * <p>This class, {@link Ndt7Subtest}, {@link Ndt7Handshake} and {@link Ndt7Connection} are the only
 * classes of the agent that use java.net.http. The JVM never unloads that module's classes once
 * loaded, so the daemon runs its tests in a child JVM ({@link SpeedTestProcess}) and never loads
 * them itself.
 *
 * <p>What it measures (docs/agent.md, "Speed tests"): a download then an upload, each up to the
 * spec's 10 s (download: until the server closes, at most 13 s; upload: the client closes at 10 s;
 * with several connections the client ends both at 10 s, see {@code hardEnd} in {@link Ndt7Subtest}
 * and {@link Ndt7Connection#queuedToTheEnd}); the application payload received or sent, sampled
 * every 100 ms. The steady rate ({@link Ndt7Rates}) is the payload after the warm-up (first 2 s,
 * TCP slow start and buffer filling) divided by the time after it; the mean rate is the payload
 * over the whole subtest, as M-Lab reports. For the upload, the server's own measurement messages
 * (what it received) are preferred over what the client wrote, which includes bytes still in socket
 * buffers. Latency ({@link Ndt7Latency}): median TCP connect time to the server before the test
 * (idle) and during each subtest after its warm-up (loaded).
 *
 * <p>Anything unexpected fails the test with an error and no speed: a stall, a connection lost
 * before the nominal duration, malformed measurement messages, a server announcing more bytes than
 * it sent, binary data from the server during the upload, a test too short to have a steady part,
 * or the data budget reached (the test is then aborted at once).
 */
public final class Ndt7Client {
  public static final String SUBPROTOCOL = "net.measurementlab.ndt.v7";

  private Ndt7Client() {}

  /** Live progress, about four times a second. */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = (phase, mbps, bytes, seconds) -> {};

    /**
     * Reports where the test is.
     *
     * @param phase "latency", "download" or "upload"
     * @param mbps the rate over the last second
     * @param bytes payload moved so far in this phase
     */
    void update(String phase, double mbps, long bytes, double seconds);
  }

  /**
   * How a test runs: its timing, its network (proxy, trust store) and its progress display.
   *
   * @param nominal the spec's test duration (10 s): the upload's length; the download may run 3 s
   *     longer (the spec's 13 s bound) before the client closes it
   * @param warmup excluded from the steady rate
   * @param minSteady the shortest steady part that gives a figure
   * @param stallTimeout nothing moving for this long fails the test
   * @param proxy null: the JVM's default proxy selector
   * @param tls null: the JDK's default trust store
   */
  public record Options(
      Duration nominal,
      Duration warmup,
      Duration minSteady,
      Duration stallTimeout,
      Duration connectTimeout,
      @Nullable ProxySelector proxy,
      @Nullable SSLContext tls,
      Progress progress,
      boolean measureLatency) {
    public static Options defaults() {
      return new Options(
          Duration.ofSeconds(10),
          Duration.ofSeconds(2),
          Duration.ofSeconds(1),
          Duration.ofSeconds(7),
          Duration.ofSeconds(10),
          null,
          null,
          Progress.NONE,
          true);
    }

    public Options withTiming(Duration nominal, Duration warmup, Duration stallTimeout) {
      return new Options(
          nominal,
          warmup,
          minSteady,
          stallTimeout,
          connectTimeout,
          proxy,
          tls,
          progress,
          measureLatency);
    }

    public Options withNetwork(@Nullable ProxySelector proxy, @Nullable SSLContext tls) {
      return new Options(
          nominal,
          warmup,
          minSteady,
          stallTimeout,
          connectTimeout,
          proxy,
          tls,
          progress,
          measureLatency);
    }

    public Options withProgress(@Nullable Progress p) {
      return new Options(
          nominal,
          warmup,
          minSteady,
          stallTimeout,
          connectTimeout,
          proxy,
          tls,
          p == null ? Progress.NONE : p,
          measureLatency);
    }
  }

  /**
   * Runs one test (download, then upload): the entry point for the agent and for benchmarks.
   *
   * @param download the ndt7 download URL (ws:// or wss://, with its access token)
   * @param connections parallel WebSockets per subtest (1 = plain ndt7)
   * @param maxBytes payload allowance for the whole test: the download may use up to 7/8 of it, the
   *     upload what the download left
   * @return the result; on failure it has an error and no speeds. Never throws for network or
   *     server trouble
   */
  public static SpeedTestResult run(
      String method,
      @Nullable String testId,
      URI download,
      URI upload,
      int connections,
      long maxBytes,
      Options o) {
    Instant startedAt = Instant.now();
    long t0 = System.nanoTime();
    String server = hostPort(download);
    HttpClient client = httpClient(o);
    // Both stay null when the latency is not measured or the server's address is unknown.
    @Nullable InetSocketAddress target = null;
    @Nullable Double idle = null;
    if (o.measureLatency()) {
      o.progress().update("latency", 0, 0, 0);
      try {
        target = new InetSocketAddress(InetAddress.getByName(download.getHost()), port(download));
        idle =
            Ndt7Latency.median(
                Ndt7Latency.connectTimes(target, 5, Duration.ofMillis(100), Duration.ofSeconds(2)));
      } catch (IOException e) {
        target = null; // no latency figures; the test itself may still work (through a proxy)
      }
    }
    Ndt7Subtest down =
        new Ndt7Subtest(
            true, client, withMetadata(download), connections, maxBytes - maxBytes / 8, o, target);
    down.run();
    @Nullable Ndt7Subtest up = null;
    @Nullable String error = down.error.get() == null ? null : "download: " + down.error.get();
    if (error == null) {
      long left = maxBytes - down.total.get();
      if (left < Ndt7Connection.INITIAL_MESSAGE * 8L) {
        error =
            "upload: no data budget left after the download ("
                + down.total.get()
                + " of "
                + maxBytes
                + " bytes used)";
      } else {
        up = new Ndt7Subtest(false, client, withMetadata(upload), connections, left, o, target);
        up.run();
        error = up.error.get() == null ? null : "upload: " + up.error.get();
      }
    }
    long bytesUp = up == null ? 0 : up.total.get();
    long durationMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    List<Double> loaded = new ArrayList<>(down.loadedRtts);
    if (up != null) {
      loaded.addAll(up.loadedRtts);
    }
    // No error: both subtests ran (up is set) and have their rates; else no speeds at all.
    @Nullable Double downMbps = null;
    @Nullable Double upMbps = null;
    @Nullable Double downMbpsMean = null;
    @Nullable Double upMbpsMean = null;
    if (error == null && up != null) {
      downMbps = down.steadyMbps;
      upMbps = up.steadyMbps;
      downMbpsMean = down.meanMbps;
      upMbpsMean = up.meanMbps;
    }
    return new SpeedTestResult(
        method,
        testId,
        startedAt,
        downMbps,
        upMbps,
        downMbpsMean,
        upMbpsMean,
        idle,
        Ndt7Latency.median(loaded),
        Ndt7Latency.median(down.loadedRtts),
        up == null ? null : Ndt7Latency.median(up.loadedRtts),
        down.total.get(),
        bytesUp,
        durationMs,
        connections,
        server,
        error);
  }

  /** One client for both subtests, with the options' proxy and trust store when given. */
  private static HttpClient httpClient(Options o) {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(o.connectTimeout());
    ProxySelector proxy = o.proxy();
    if (proxy != null) {
      b.proxy(proxy);
    }
    SSLContext tls = o.tls();
    if (tls != null) {
      b.sslContext(tls);
    }
    return b.build();
  }

  /** Adds the client metadata the spec asks for, without duplicating keys already present. */
  static URI withMetadata(URI u) {
    String q = u.getRawQuery();
    StringBuilder sb = new StringBuilder(q == null ? "" : q);
    addParam(sb, q, "client_name", "enlace-agent");
    addParam(sb, q, "client_version", AgentVersion.get());
    addParam(sb, q, "client_library_name", "enlace-ndt7-java");
    String s = u.toString();
    int cut = s.indexOf('?');
    String base = cut < 0 ? s : s.substring(0, cut);
    int frag = base.indexOf('#');
    if (frag >= 0) {
      base = base.substring(0, frag);
    }
    return URI.create(base + "?" + sb);
  }

  private static void addParam(StringBuilder sb, @Nullable String q, String k, String v) {
    if (q != null && ("&" + q).contains("&" + k + "=")) {
      return;
    }
    if (sb.length() > 0) {
      sb.append('&');
    }
    sb.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
  }

  static String hostPort(URI u) {
    String h = u.getHost();
    return (h != null && h.contains(":") ? "[" + h + "]" : h) + ":" + port(u);
  }

  static int port(URI u) {
    if (u.getPort() > 0) {
      return u.getPort();
    }
    return "wss".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme())
        ? 443
        : 80;
  }

  static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

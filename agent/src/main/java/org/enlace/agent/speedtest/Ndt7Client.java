package org.enlace.agent.speedtest;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.enlace.agent.upload.AgentVersion;

/**
 * An ndt7 client (M-Lab's ndt7 protocol, spec v0.11.0: github.com/m-lab/ndt-server,
 * spec/ndt7-protocol.md) on the JDK's own {@link java.net.http.WebSocket}.
 *
 * <p>This is the only class of the agent that uses java.net.http. The JVM never unloads that
 * module's classes once loaded, so the daemon runs its tests in a child JVM ({@link
 * SpeedTestProcess}) and never loads them itself.
 *
 * <p>What it measures (docs/agent.md, "Speed tests"): a download then an upload, each up to the
 * spec's 10 s (download: until the server closes, at most 13 s; upload: the client closes at 10 s;
 * with several connections the client ends both at 10 s, see {@code hardEnd} and {@link
 * Conn#queuedToTheEnd}); the application payload received or sent, sampled every 100 ms. The steady
 * rate is the payload after the warm-up (first 2 s, TCP slow start and buffer filling) divided by
 * the time after it; the mean rate is the payload over the whole subtest, as M-Lab reports. For the
 * upload, the server's own measurement messages (what it received) are preferred over what the
 * client wrote, which includes bytes still in socket buffers. Latency: median TCP connect time to
 * the server before the test (idle) and during each subtest after its warm-up (loaded).
 *
 * <p>Anything unexpected fails the test with an error and no speed: a stall, a connection lost
 * before the nominal duration, malformed measurement messages, a server announcing more bytes than
 * it sent, binary data from the server during the upload, a test too short to have a steady part,
 * or the data budget reached (the test is then aborted at once).
 */
public final class Ndt7Client {
  public static final String SUBPROTOCOL = "net.measurementlab.ndt.v7";
  static final int INITIAL_MESSAGE = 1 << 13;

  /** As M-Lab's Go client: the spec allows up to 1 << 24, the agent's memory does not. */
  static final int MAX_MESSAGE = 1 << 20;

  static final int SCALING_FRACTION = 16;
  static final int MAX_TEXT = 64 * 1024;
  private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private Ndt7Client() {}

  /** Live progress, about four times a second. */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = (phase, mbps, bytes, seconds) -> {};

    /**
     * @param phase "latency", "download" or "upload"
     * @param mbps the rate over the last second
     * @param bytes payload moved so far in this phase
     */
    void update(String phase, double mbps, long bytes, double seconds);
  }

  /**
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
      ProxySelector proxy,
      SSLContext tls,
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

    public Options withNetwork(ProxySelector proxy, SSLContext tls) {
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

    public Options withProgress(Progress p) {
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
      String testId,
      URI download,
      URI upload,
      int connections,
      long maxBytes,
      Options o) {
    Instant startedAt = Instant.now();
    long t0 = System.nanoTime();
    String server = hostPort(download);
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(o.connectTimeout());
    if (o.proxy() != null) {
      b.proxy(o.proxy());
    }
    if (o.tls() != null) {
      b.sslContext(o.tls());
    }
    HttpClient client = b.build();
    InetSocketAddress target = null;
    Double idle = null;
    if (o.measureLatency()) {
      o.progress().update("latency", 0, 0, 0);
      try {
        target = new InetSocketAddress(InetAddress.getByName(download.getHost()), port(download));
        idle = median(connectTimes(target, 5, Duration.ofMillis(100), Duration.ofSeconds(2)));
      } catch (IOException e) {
        target = null; // no latency figures; the test itself may still work (through a proxy)
      }
    }
    Subtest down =
        new Subtest(
            true, client, withMetadata(download), connections, maxBytes - maxBytes / 8, o, target);
    down.run();
    Subtest up = null;
    String error = down.error.get() == null ? null : "download: " + down.error.get();
    if (error == null) {
      long left = maxBytes - down.total.get();
      if (left < INITIAL_MESSAGE * 8L) {
        error =
            "upload: no data budget left after the download ("
                + down.total.get()
                + " of "
                + maxBytes
                + " bytes used)";
      } else {
        up = new Subtest(false, client, withMetadata(upload), connections, left, o, target);
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
    Double dl = median(down.loadedRtts);
    Double ul = up == null ? null : median(up.loadedRtts);
    if (error != null) {
      return new SpeedTestResult(
          method,
          testId,
          startedAt,
          null,
          null,
          null,
          null,
          idle,
          median(loaded),
          dl,
          ul,
          down.total.get(),
          bytesUp,
          durationMs,
          connections,
          server,
          error);
    }
    return new SpeedTestResult(
        method,
        testId,
        startedAt,
        down.steadyMbps,
        up.steadyMbps,
        down.meanMbps,
        up.meanMbps,
        idle,
        median(loaded),
        dl,
        ul,
        down.total.get(),
        bytesUp,
        durationMs,
        connections,
        server,
        null);
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

  private static void addParam(StringBuilder sb, String q, String k, String v) {
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

  /** TCP connect times in ms (the SYN/SYN-ACK round trip; DNS excluded); failures left out. */
  static List<Double> connectTimes(
      InetSocketAddress target, int n, Duration gap, Duration timeout) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Double ms = connectTime(target, timeout);
      if (ms != null) {
        out.add(ms);
      }
      sleepQuietly(gap.toMillis());
    }
    return out;
  }

  static Double connectTime(InetSocketAddress target, Duration timeout) {
    long s = System.nanoTime();
    try (Socket sock = new Socket()) {
      sock.setSoLinger(true, 0); // no TIME_WAIT left behind on the agent's side
      sock.connect(target, (int) timeout.toMillis());
      return (System.nanoTime() - s) / 1e6;
    } catch (IOException e) {
      return null;
    }
  }

  static Double median(List<Double> values) {
    if (values.isEmpty()) {
      return null;
    }
    List<Double> v = new ArrayList<>(values);
    Collections.sort(v);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Upgrade refusals with 429 retried, and the time spent waiting on them, at most. */
  static final int MAX_BUSY_RETRIES = 3;

  static final long MAX_BUSY_WAIT_MS = 60_000;

  /**
   * For a 429 on the upgrade, the wait its Retry-After asks for (seconds; 5 s when absent or
   * unreadable, at most 30 s); -1 for any other failure.
   */
  static long busyRetryAfterMs(Throwable t) {
    Throwable c = t;
    while ((c instanceof ExecutionException
            || c instanceof java.util.concurrent.CompletionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    if (!(c instanceof WebSocketHandshakeException h) || h.getResponse().statusCode() != 429) {
      return -1;
    }
    long seconds = 5;
    try {
      seconds =
          Long.parseLong(h.getResponse().headers().firstValue("Retry-After").orElse("5").trim());
    } catch (NumberFormatException e) {
      // an HTTP date or garbage: the default
    }
    return Math.min(30, Math.max(1, seconds)) * 1000;
  }

  static String describe(Throwable t) {
    Throwable c = t;
    while ((c instanceof ExecutionException
            || c instanceof java.util.concurrent.CompletionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof WebSocketHandshakeException h) {
      return "the server refused the WebSocket upgrade (HTTP " + h.getResponse().statusCode() + ")";
    }
    String m = c.getMessage();
    return c.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  /** One direction, over one or more connections. */
  static final class Subtest {
    final boolean download;
    final HttpClient client;
    final URI uri;
    final int connections;
    final long budget;
    final Options o;
    final InetSocketAddress latencyTarget;
    final String phase;
    final AtomicLong total = new AtomicLong();
    final AtomicReference<String> error = new AtomicReference<>();
    final List<Conn> conns = new ArrayList<>();
    final List<long[]> samples = new ArrayList<>(); // {nanos since start, bytes}
    final List<long[]> serverSamples = new ArrayList<>(); // {nanos since start, server bytes}
    final List<Double> loadedRtts = Collections.synchronizedList(new ArrayList<>());
    volatile long startNanos;
    volatile long lastActivity;
    volatile boolean stopping;
    volatile boolean budgetReached;
    double steadyMbps = Double.NaN;
    double meanMbps = Double.NaN;

    Subtest(
        boolean download,
        HttpClient client,
        URI uri,
        int connections,
        long budget,
        Options o,
        InetSocketAddress latencyTarget) {
      this.download = download;
      this.client = client;
      this.uri = uri;
      this.connections = connections;
      this.budget = budget;
      this.o = o;
      this.latencyTarget = latencyTarget;
      this.phase = download ? "download" : "upload";
    }

    void fail(String why) {
      if (error.compareAndSet(null, why)) {
        stopping = true;
        for (Conn c : snapshot()) {
          c.abort();
        }
      }
    }

    List<Conn> snapshot() {
      synchronized (conns) {
        return new ArrayList<>(conns);
      }
    }

    double elapsedSeconds() {
      return (System.nanoTime() - startNanos) / 1e9;
    }

    void run() {
      o.progress().update(phase, 0, 0, 0);
      int busyRetries = 0;
      long busyWaitedMs = 0;
      while (true) {
        List<CompletableFuture<WebSocket>> opening = open();
        try {
          for (int i = 0; i < connections; i++) {
            WebSocket ws =
                opening.get(i).get(o.connectTimeout().toMillis() + 2000, TimeUnit.MILLISECONDS);
            conns.get(i).ws = ws;
            if (!SUBPROTOCOL.equals(ws.getSubprotocol())) {
              fail("the server did not accept the " + SUBPROTOCOL + " subprotocol");
              return;
            }
          }
          break;
        } catch (TimeoutException e) {
          fail(
              "no WebSocket connection to "
                  + hostPort(uri)
                  + " within "
                  + o.connectTimeout().toSeconds()
                  + " s");
          abortAll(opening);
          return;
        } catch (ExecutionException e) {
          abortAll(opening);
          // 429: the server is running as many tests as it allows and has not used the token
          // (it checks capacity before the token): wait as asked and try again, a few times.
          long waitMs = busyRetryAfterMs(e);
          if (waitMs >= 0
              && busyRetries < MAX_BUSY_RETRIES
              && busyWaitedMs + waitMs <= MAX_BUSY_WAIT_MS) {
            busyRetries++;
            busyWaitedMs += waitMs;
            synchronized (conns) {
              conns.clear();
            }
            sleepQuietly(waitMs);
            continue;
          }
          fail(
              describe(e)
                  + (busyRetries > 0
                      ? " after " + busyRetries + " retries over " + busyWaitedMs / 1000 + " s"
                      : ""));
          return;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          fail("interrupted");
          abortAll(opening);
          return;
        }
      }
      // The spec's zero time: all handshakes done.
      startNanos = System.nanoTime();
      lastActivity = startNanos;
      for (Conn c : conns) {
        c.started = true;
        c.ws.request(1);
      }
      Thread prober = latencyTarget == null ? null : startProber();
      List<Thread> senders = new ArrayList<>();
      if (!download) {
        byte[] payload = new byte[MAX_MESSAGE];
        new SplittableRandom().nextBytes(payload);
        for (Conn c : conns) {
          Thread t = new Thread(() -> c.sendLoop(payload), "enlace-ndt7-upload-" + c.index);
          t.setDaemon(true);
          t.start();
          senders.add(t);
        }
      }
      monitor();
      stopping = true;
      for (Thread t : senders) {
        join(t, o.stallTimeout().toMillis() + 1000);
      }
      finish();
      if (prober != null) {
        prober.interrupt();
        join(prober, 3000);
      }
      if (error.get() == null) {
        compute();
      }
    }

    private List<CompletableFuture<WebSocket>> open() {
      List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        Conn c = new Conn(this, i);
        synchronized (conns) {
          conns.add(c);
        }
        opening.add(
            client
                .newWebSocketBuilder()
                .connectTimeout(o.connectTimeout())
                .subprotocols(SUBPROTOCOL)
                .header("User-Agent", "enlace-agent/" + AgentVersion.get() + " enlace-ndt7-java")
                .buildAsync(uri, c)
                .toCompletableFuture());
      }
      return opening;
    }

    private static void abortAll(List<CompletableFuture<WebSocket>> opening) {
      for (CompletableFuture<WebSocket> f : opening) {
        f.thenAccept(WebSocket::abort);
      }
    }

    /** Samples, shows progress and decides when the subtest ends. */
    private void monitor() {
      long nominal = o.nominal().toNanos();
      // One connection: plain ndt7, the server ends the download (at most 13 s). Several: the
      // client ends it at 10 s on its own clock, which is after every server's 10 s (their clocks
      // start at their upgrades, before ours): what still arrives then is only what the servers'
      // socket buffers held, up to some seconds of a thin link with four of them.
      long hardEnd = download && connections == 1 ? nominal + TimeUnit.SECONDS.toNanos(3) : nominal;
      long lastProgress = 0;
      while (true) {
        sleepQuietly(TimeUnit.NANOSECONDS.toMillis(SAMPLE_NANOS));
        long now = System.nanoTime() - startNanos;
        long bytes = total.get();
        samples.add(new long[] {now, bytes});
        long server = serverBytes();
        if (server >= 0) {
          serverSamples.add(new long[] {now, server});
        }
        if (now - lastProgress >= TimeUnit.MILLISECONDS.toNanos(250)) {
          lastProgress = now;
          o.progress().update(phase, recentMbps(), bytes, now / 1e9);
        }
        if (error.get() != null) {
          return;
        }
        if (budgetReached) {
          fail(
              String.format(
                  Locale.ROOT,
                  "data budget reached (%d of %d bytes for the %s) " + "after %.1f s; test aborted",
                  bytes,
                  budget,
                  phase,
                  now / 1e9));
          return;
        }
        if (allEnded()) {
          return;
        }
        if (now >= hardEnd) {
          return; // the client ends it (see hardEnd)
        }
        if (System.nanoTime() - lastActivity > o.stallTimeout().toNanos()) {
          fail(
              String.format(
                  Locale.ROOT,
                  "stalled: nothing %s for %.1f s after %.1f s",
                  download ? "received" : "sent",
                  o.stallTimeout().toMillis() / 1000.0,
                  (lastActivity - startNanos) / 1e9));
          return;
        }
      }
    }

    private boolean allEnded() {
      for (Conn c : snapshot()) {
        if (!c.ended) {
          return false;
        }
      }
      return true;
    }

    /** Sum of each connection's last server-reported NumBytes; -1 when none reported yet. */
    private long serverBytes() {
      long sum = 0;
      boolean any = false;
      for (Conn c : snapshot()) {
        long v = c.serverNumBytes;
        if (v >= 0) {
          sum += v;
          any = true;
        }
      }
      return any ? sum : -1;
    }

    private double recentMbps() {
      int n = samples.size();
      if (n < 2) {
        return 0;
      }
      long[] last = samples.get(n - 1);
      long[] from = samples.get(Math.max(0, n - 11));
      long dt = last[0] - from[0];
      return dt <= 0 ? 0 : (last[1] - from[1]) * 8.0 / (dt / 1e9) / 1e6;
    }

    /** Closes what is still open: a close handshake, then, after a grace time, an abort. */
    private void finish() {
      for (Conn c : snapshot()) {
        if (!c.ended && c.ws != null && error.get() == null && download) {
          c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
        }
      }
      // Several download connections: no waiting for the servers' close frames, queued behind
      // their send buffers; the abort drops those (ndt7: an abrupt end after the test is fine).
      long grace = download && connections > 1 ? 0 : TimeUnit.SECONDS.toNanos(3);
      long until = System.nanoTime() + grace;
      while (!allEnded() && System.nanoTime() < until) {
        sleepQuietly(20);
      }
      for (Conn c : snapshot()) {
        c.abort();
      }
      if (error.get() == null) {
        // A connection lost before the nominal duration while others went on.
        for (Conn c : snapshot()) {
          if (c.lostEarly != null) {
            fail(c.lostEarly);
          }
        }
      }
    }

    private void compute() {
      long end = lastActivity - startNanos;
      long bytes = total.get();
      long warm = o.warmup().toNanos();
      double[] steady = steadyRate(samples, warm, end, bytes);
      if (steady == null) {
        fail(
            String.format(
                Locale.ROOT,
                "the %s lasted %.1f s: too short for a steady rate " + "after the %.1f s warm-up",
                phase,
                end / 1e9,
                warm / 1e9));
        return;
      }
      steadyMbps = steady[0];
      meanMbps = end <= 0 ? Double.NaN : bytes * 8.0 / (end / 1e9) / 1e6;
      if (!download && serverSamples.size() >= 2) {
        long[] last = serverSamples.get(serverSamples.size() - 1);
        double[] s = steadyRate(serverSamples, warm, last[0], last[1]);
        if (s != null) {
          steadyMbps = s[0];
        }
        // Better: the server's own clock (ElapsedTime), exact where the client's sampling sees
        // its measurements up to a measurement interval late; one window for several connections.
        double better = connections > 1 ? commonWindowMbps(warm) : Double.NaN;
        if (Double.isNaN(better)) {
          better = perConnectionMbps(warm);
        }
        if (!Double.isNaN(better)) {
          steadyMbps = better;
        }
        long serverElapsedUs = 0;
        long serverTotal = 0;
        for (Conn c : snapshot()) {
          serverElapsedUs = Math.max(serverElapsedUs, c.serverElapsedUs);
          serverTotal += Math.max(0, c.serverNumBytes);
        }
        if (serverElapsedUs > 0) {
          meanMbps = serverTotal * 8.0 / serverElapsedUs; // bytes per µs × 8 = Mbit/s
        }
      }
    }

    /**
     * Each connection's steady rate on its own server clock, added up; NaN when one of them has too
     * few measurements. Exact for one connection.
     */
    double perConnectionMbps(long warmNanos) {
      double sum = 0;
      for (Conn c : snapshot()) {
        List<long[]> own;
        synchronized (c.serverSeries) {
          own = new ArrayList<>(c.serverSeries);
        }
        double[] r =
            own.size() < 2
                ? null
                : steadyRate(
                    own, warmNanos, own.get(own.size() - 1)[0], own.get(own.size() - 1)[1]);
        if (r == null) {
          return Double.NaN;
        }
        sum += r[0];
      }
      return sum;
    }

    /**
     * Several upload connections together, over one window: each connection's server clock starts
     * at its own upgrade and its last measurement comes at its own moment, so adding rates of
     * per-connection windows (each right on its own) misses or double-counts the edges when the
     * connections' shares shift (about 2 % in Ndt7ClientTest's case). Each connection's
     * measurements are put on the client's clock (offset: the smallest receive time minus
     * ElapsedTime, i.e. the upgrade plus the fastest delivery of a measurement, the same for all),
     * interpolated, and summed between the warm-up and the earliest of the connections' last
     * measurements. NaN when a connection has too few measurements or the window is shorter than
     * the minimum steady time.
     */
    double commonWindowMbps(long warmNanos) {
      List<long[][]> mapped = new ArrayList<>();
      long end = Long.MAX_VALUE;
      for (Conn c : snapshot()) {
        List<long[]> own;
        synchronized (c.serverSeries) {
          own = new ArrayList<>(c.serverSeries);
        }
        if (own.size() < 2) {
          return Double.NaN;
        }
        long offset = Long.MAX_VALUE;
        for (long[] m : own) {
          offset = Math.min(offset, m[2] - m[0]);
        }
        long[][] series = new long[own.size() + 1][];
        series[0] = new long[] {offset, 0}; // the server's zero: nothing received
        for (int i = 0; i < own.size(); i++) {
          series[i + 1] = new long[] {own.get(i)[0] + offset, own.get(i)[1]};
        }
        mapped.add(series);
        end = Math.min(end, series[series.length - 1][0]);
      }
      if (end - warmNanos < o.minSteady().toNanos()) {
        return Double.NaN;
      }
      double bytes = 0;
      for (long[][] series : mapped) {
        bytes += bytesAt(series, end) - bytesAt(series, warmNanos);
      }
      return bytes * 8.0 / ((end - warmNanos) / 1e9) / 1e6;
    }

    /** Linear interpolation of {time, bytes} points at time t (clamped to the ends). */
    static double bytesAt(long[][] series, long t) {
      if (t <= series[0][0]) {
        return series[0][1];
      }
      for (int i = 1; i < series.length; i++) {
        if (t <= series[i][0]) {
          long[] a = series[i - 1];
          long[] b = series[i];
          return b[0] == a[0] ? b[1] : a[1] + (double) (b[1] - a[1]) * (t - a[0]) / (b[0] - a[0]);
        }
      }
      return series[series.length - 1][1];
    }

    /**
     * {mbps}: from the first sample at or after the warm-up to (end, endBytes); null when that
     * leaves less than the minimum steady time.
     */
    double[] steadyRate(List<long[]> series, long warmNanos, long end, long endBytes) {
      for (long[] s : series) {
        if (s[0] >= warmNanos) {
          long dt = end - s[0];
          if (dt < o.minSteady().toNanos()) {
            return null;
          }
          return new double[] {(endBytes - s[1]) * 8.0 / (dt / 1e9) / 1e6};
        }
      }
      return null;
    }

    private Thread startProber() {
      Thread t =
          new Thread(
              () -> {
                long warm = o.warmup().toMillis();
                sleepQuietly(warm);
                while (!stopping && !Thread.currentThread().isInterrupted()) {
                  Double ms = connectTime(latencyTarget, Duration.ofSeconds(3));
                  if (ms != null && !stopping) {
                    loadedRtts.add(ms);
                  }
                  sleepQuietly(500);
                }
              },
              "enlace-ndt7-latency");
      t.setDaemon(true);
      t.start();
      return t;
    }

    private static void join(Thread t, long ms) {
      try {
        t.join(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** One WebSocket of a subtest. */
  static final class Conn implements WebSocket.Listener {
    final Subtest t;
    final int index;
    volatile WebSocket ws;
    volatile boolean started;
    volatile boolean ended;
    volatile String lostEarly;
    final AtomicLong bytes = new AtomicLong();
    volatile long serverNumBytes = -1;
    volatile long serverElapsedUs;

    /**
     * {server's ElapsedTime in ns, NumBytes, received at (ns on the subtest's clock)} of each
     * measurement that has both.
     */
    final List<long[]> serverSeries = Collections.synchronizedList(new ArrayList<>());

    private final StringBuilder text = new StringBuilder();

    Conn(Subtest t, int index) {
      this.t = t;
      this.index = index;
    }

    void abort() {
      WebSocket w = ws;
      if (w != null) {
        w.abort();
      }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      // Nothing is requested until every connection is open (Subtest.run): the clock starts then.
    }

    private void count(long n) {
      bytes.addAndGet(n);
      long all = t.total.addAndGet(n);
      t.lastActivity = System.nanoTime();
      if (all >= t.budget && !t.budgetReached) {
        t.budgetReached = true;
        for (Conn c : t.snapshot()) {
          c.abort(); // stop the data at once; the monitor records why
        }
      }
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      if (!t.download) {
        t.fail("the server sent binary data during the upload (not allowed by ndt7)");
        return null;
      }
      count(data.remaining());
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (text.length() > MAX_TEXT) {
        t.fail("the server sent a measurement message over " + MAX_TEXT + " characters");
        return null;
      }
      if (last) {
        String msg = text.toString();
        text.setLength(0);
        if (t.download) {
          count(msg.getBytes(StandardCharsets.UTF_8).length);
        }
        measurement(msg);
      }
      webSocket.request(1);
      return null;
    }

    /** A server measurement: must be a JSON object; AppInfo, when present, must add up. */
    private void measurement(String msg) {
      Map<String, Object> m;
      try {
        m = JSON.std.mapFrom(msg);
      } catch (IOException | RuntimeException e) {
        t.fail("malformed measurement message from the server: " + abbreviate(msg));
        return;
      }
      Object app = m == null ? null : m.get("AppInfo");
      if (app == null) {
        return;
      }
      if (!(app instanceof Map<?, ?> a)
          || !(a.get("NumBytes") instanceof Number n)
          || (a.get("ElapsedTime") != null && !(a.get("ElapsedTime") instanceof Number))) {
        t.fail("malformed measurement message from the server (AppInfo): " + abbreviate(msg));
        return;
      }
      long announced = n.longValue();
      long mine = bytes.get();
      // TCP keeps order: whatever the server counted before writing this message has arrived
      // (download); the server cannot have received more than was written (upload).
      if (announced < 0 || announced > mine + mine / 20 + (1 << 20)) {
        t.fail(
            String.format(
                Locale.ROOT,
                "the server announced %d bytes %s but %d were %s",
                announced,
                t.download ? "sent" : "received",
                mine,
                t.download ? "received" : "sent"));
        return;
      }
      serverNumBytes = announced;
      if (a.get("ElapsedTime") instanceof Number e) {
        serverElapsedUs = e.longValue();
        serverSeries.add(
            new long[] {e.longValue() * 1000, announced, System.nanoTime() - t.startNanos});
      }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      // The JDK answers the server's Close with a Close of its own (the spec's closing rule).
      ended = true;
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      ended = true;
      if (t.stopping || t.budgetReached || t.error.get() != null) {
        return; // our own abort
      }
      double s = t.elapsedSeconds();
      // The spec asks to tolerate an abrupt end; only before the nominal duration is data missing.
      if (s < t.o.nominal().toNanos() / 1e9 * 0.9) {
        String why =
            String.format(Locale.ROOT, "connection lost after %.1f s (%s)", s, describe(error));
        lostEarly = why;
        t.fail(why);
      }
    }

    /** The upload: binary messages of random bytes, growing as the spec's appendix says. */
    void sendLoop(byte[] payload) {
      int size = INITIAL_MESSAGE;
      long sent = 0;
      try {
        while (!t.stopping && !ended) {
          if (t.total.get() + size > t.budget) {
            t.budgetReached = true;
            break;
          }
          if (t.connections > 1 && queuedToTheEnd(sent)) {
            sleepQuietly(5);
            continue;
          }
          ws.sendBinary(ByteBuffer.wrap(payload, 0, size), true)
              .get(t.o.stallTimeout().toMillis(), TimeUnit.MILLISECONDS);
          sent += size;
          bytes.addAndGet(size);
          t.total.addAndGet(size);
          t.lastActivity = System.nanoTime();
          if (size < MAX_MESSAGE && size <= sent / SCALING_FRACTION) {
            size *= 2;
          }
        }
        if (!ended && t.error.get() == null && !t.budgetReached) {
          ws.sendClose(WebSocket.NORMAL_CLOSURE, "")
              .get(t.o.stallTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (TimeoutException e) {
        if (!t.stopping) {
          t.fail(
              String.format(
                  Locale.ROOT,
                  "stalled: a message could not be sent for %.1f s",
                  t.o.stallTimeout().toMillis() / 1000.0));
        }
      } catch (ExecutionException e) {
        if (!ended && !t.stopping) {
          onError(ws, e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IllegalStateException e) {
        // output closed under us (the server closed first): the upload is over
      }
    }

    /**
     * Several upload connections: true when what this connection has written and the server has not
     * yet received (estimated from its measurements: the last NumBytes, plus its rate over the last
     * second times the time since) would keep it sending until the nominal end. Writing more would
     * only fill socket buffers that drain after the test: with four connections on a thin link,
     * seconds of data beyond the 10 s. The link stays busy while any connection still has data
     * queued, so an early stop of one costs nothing. One connection (plain ndt7) always writes for
     * the full 10 s.
     */
    boolean queuedToTheEnd(long sent) {
      long[] last;
      long[] earlier = null;
      synchronized (serverSeries) {
        int n = serverSeries.size();
        if (n < 2) {
          return false;
        }
        last = serverSeries.get(n - 1);
        for (int i = n - 2; i >= 0; i--) {
          if (last[0] - serverSeries.get(i)[0] >= TimeUnit.SECONDS.toNanos(1)) {
            earlier = serverSeries.get(i);
            break;
          }
        }
      }
      if (earlier == null) {
        return false;
      }
      double rate = (double) (last[1] - earlier[1]) / (last[0] - earlier[0]); // bytes per ns
      long now = System.nanoTime() - t.startNanos;
      double received = last[1] + rate * Math.max(0, now - last[2]);
      double queued = sent - received;
      long remaining = t.o.nominal().toNanos() - now;
      return rate > 0 && queued >= rate * remaining;
    }

    private static String abbreviate(String s) {
      String one = s.replaceAll("\\s+", " ");
      return one.length() > 80 ? one.substring(0, 80) + "…" : one;
    }
  }
}

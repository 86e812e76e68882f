package org.enlace.agent.speedtest;

import static org.enlace.agent.speedtest.Ndt7Client.sleepQuietly;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.enlace.agent.speedtest.Ndt7Client.Options;
import org.jspecify.annotations.Nullable;

/**
 * One direction of the test, download or upload, over one or more WebSockets ({@link
 * Ndt7Connection}): opens them all ({@link Ndt7Handshake}), starts the clock, samples the payload
 * every 100 ms and decides when it ends ({@link #monitor}), closes what is still open, then
 * computes its steady and mean rates ({@link Ndt7Rates}). The first failure ends it ({@link
 * #fail}): its error, and all its connections aborted.
 */
final class Ndt7Subtest {
  private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  final boolean download;
  final HttpClient client;
  final URI uri;
  final int connections;
  final long budget;
  final Options o;

  /** Where the loaded latency is probed; null: not measured (off, or the address is unknown). */
  final @Nullable InetSocketAddress latencyTarget;

  final String phase;
  final AtomicLong total = new AtomicLong();
  final AtomicReference<String> error = new AtomicReference<>();
  final List<Ndt7Connection> conns = new ArrayList<>();
  final List<long[]> samples = new ArrayList<>(); // {nanos since start, bytes}
  final List<long[]> serverSamples = new ArrayList<>(); // {nanos since start, server bytes}
  final List<Double> loadedRtts = Collections.synchronizedList(new ArrayList<>());
  volatile long startNanos;
  volatile long lastActivity;
  volatile boolean stopping;
  volatile boolean budgetReached;
  double steadyMbps = Double.NaN;
  double meanMbps = Double.NaN;
  private final Ndt7Rates rates;

  Ndt7Subtest(
      boolean download,
      HttpClient client,
      URI uri,
      int connections,
      long budget,
      Options o,
      @Nullable InetSocketAddress latencyTarget) {
    this.download = download;
    this.client = client;
    this.uri = uri;
    this.connections = connections;
    this.budget = budget;
    this.o = o;
    this.latencyTarget = latencyTarget;
    this.phase = download ? "download" : "upload";
    this.rates = new Ndt7Rates(o.minSteady());
  }

  void fail(String why) {
    if (error.compareAndSet(null, why)) {
      stopping = true;
      for (Ndt7Connection c : snapshot()) {
        c.abort();
      }
    }
  }

  List<Ndt7Connection> snapshot() {
    synchronized (conns) {
      return new ArrayList<>(conns);
    }
  }

  double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  void run() {
    o.progress().update(phase, 0, 0, 0);
    if (!Ndt7Handshake.openAll(this)) {
      return; // failed, with the reason
    }
    // The spec's zero time: all handshakes done.
    startNanos = System.nanoTime();
    lastActivity = startNanos;
    for (Ndt7Connection c : conns) {
      c.open().request(1);
    }
    @Nullable Thread prober =
        latencyTarget == null
            ? null
            : Ndt7Latency.startProber(latencyTarget, o.warmup(), () -> stopping, loadedRtts);
    List<Thread> senders = download ? List.of() : startSenders();
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

  /** The upload: a thread per connection, all writing the same random payload. */
  private List<Thread> startSenders() {
    byte[] payload = new byte[Ndt7Connection.MAX_MESSAGE];
    new SplittableRandom().nextBytes(payload);
    List<Thread> senders = new ArrayList<>();
    for (Ndt7Connection c : conns) {
      Thread t = new Thread(() -> c.sendLoop(payload), "enlace-ndt7-upload-" + c.index);
      t.setDaemon(true);
      t.start();
      senders.add(t);
    }
    return senders;
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
      if (over(now, bytes, hardEnd)) {
        return;
      }
    }
  }

  /**
   * Whether the subtest is over at {@code now}: failed, out of budget or stalled (these fail it),
   * every connection closed, or the hard end reached.
   */
  private boolean over(long now, long bytes, long hardEnd) {
    if (error.get() != null) {
      return true;
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
      return true;
    }
    if (allEnded()) {
      return true;
    }
    if (now >= hardEnd) {
      return true; // the client ends it (see hardEnd)
    }
    if (System.nanoTime() - lastActivity > o.stallTimeout().toNanos()) {
      fail(
          String.format(
              Locale.ROOT,
              "stalled: nothing %s for %.1f s after %.1f s",
              download ? "received" : "sent",
              o.stallTimeout().toMillis() / 1000.0,
              (lastActivity - startNanos) / 1e9));
      return true;
    }
    return false;
  }

  private boolean allEnded() {
    for (Ndt7Connection c : snapshot()) {
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
    for (Ndt7Connection c : snapshot()) {
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
    for (Ndt7Connection c : snapshot()) {
      WebSocket ws = c.ws;
      if (!c.ended && ws != null && error.get() == null && download) {
        // Not awaited: the wait below watches the connections end, then aborts what has not.
        var unusedClose = ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
      }
    }
    // Several download connections: no waiting for the servers' close frames, queued behind
    // their send buffers; the abort drops those (ndt7: an abrupt end after the test is fine).
    long grace = download && connections > 1 ? 0 : TimeUnit.SECONDS.toNanos(3);
    long until = System.nanoTime() + grace;
    while (!allEnded() && System.nanoTime() < until) {
      sleepQuietly(20);
    }
    for (Ndt7Connection c : snapshot()) {
      c.abort();
    }
    if (error.get() == null) {
      // A connection lost before the nominal duration while others went on.
      for (Ndt7Connection c : snapshot()) {
        String lost = c.lostEarly;
        if (lost != null) {
          fail(lost);
        }
      }
    }
  }

  private void compute() {
    long end = lastActivity - startNanos;
    long bytes = total.get();
    long warm = o.warmup().toNanos();
    OptionalDouble steady = rates.steadyRate(samples, warm, end, bytes);
    if (steady.isEmpty()) {
      fail(
          String.format(
              Locale.ROOT,
              "the %s lasted %.1f s: too short for a steady rate " + "after the %.1f s warm-up",
              phase,
              end / 1e9,
              warm / 1e9));
      return;
    }
    steadyMbps = steady.getAsDouble();
    meanMbps = end <= 0 ? Double.NaN : bytes * 8.0 / (end / 1e9) / 1e6;
    if (!download && serverSamples.size() >= 2) {
      computeFromServer(warm);
    }
  }

  /** The upload: the rates of what the server received, from its measurement messages. */
  private void computeFromServer(long warm) {
    long[] last = serverSamples.get(serverSamples.size() - 1);
    OptionalDouble s = rates.steadyRate(serverSamples, warm, last[0], last[1]);
    if (s.isPresent()) {
      steadyMbps = s.getAsDouble();
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
    for (Ndt7Connection c : snapshot()) {
      serverElapsedUs = Math.max(serverElapsedUs, c.serverElapsedUs);
      serverTotal += Math.max(0, c.serverNumBytes);
    }
    if (serverElapsedUs > 0) {
      meanMbps = serverTotal * 8.0 / serverElapsedUs; // bytes per µs × 8 = Mbit/s
    }
  }

  /** See {@link Ndt7Rates#perConnectionMbps}. */
  double perConnectionMbps(long warmNanos) {
    return rates.perConnectionMbps(serverSeries(), warmNanos);
  }

  /** See {@link Ndt7Rates#commonWindowMbps}. */
  double commonWindowMbps(long warmNanos) {
    return rates.commonWindowMbps(serverSeries(), warmNanos);
  }

  /** A copy of each connection's {@link Ndt7Connection#serverSeries}. */
  private List<List<long[]>> serverSeries() {
    List<List<long[]>> all = new ArrayList<>();
    for (Ndt7Connection c : snapshot()) {
      synchronized (c.serverSeries) {
        all.add(new ArrayList<>(c.serverSeries));
      }
    }
    return all;
  }

  private static void join(Thread t, long ms) {
    try {
      t.join(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

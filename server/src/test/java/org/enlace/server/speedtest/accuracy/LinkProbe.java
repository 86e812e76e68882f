package org.enlace.server.speedtest.accuracy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client side of the accuracy runs, in its own JVM inside the namespace (a JVM cannot move a
 * socket to another namespace). JDK only, plus the agent's shipped jar on the class path: the
 * server module does not depend on the agent, so the agent's {@code Ndt7Client.run} is called
 * through reflection, exactly as a benchmark would call it.
 *
 * <pre>
 * LinkProbe down HOST PORT MILLIS WARMUP_MILLIS CONNECTIONS   reference download, measured here
 * LinkProbe up HOST PORT MILLIS CONNECTIONS RUN_ID             reference upload (measured by the server)
 * LinkProbe ndt7 DOWNLOAD_URI UPLOAD_URI CONNECTIONS MAX_BYTES the agent's ndt7 client
 * </pre>
 *
 * Output: {@code key=value} lines on stdout.
 */
public final class LinkProbe {
  private LinkProbe() {}

  public static void main(String[] a) throws Exception {
    switch (a[0]) {
      case "down" ->
          down(
              a[1],
              Integer.parseInt(a[2]),
              Long.parseLong(a[3]),
              Long.parseLong(a[4]),
              Integer.parseInt(a[5]));
      case "up" ->
          up(a[1], Integer.parseInt(a[2]), Long.parseLong(a[3]), Integer.parseInt(a[4]), a[5]);
      case "ndt7" ->
          ndt7(URI.create(a[1]), URI.create(a[2]), Integer.parseInt(a[3]), Long.parseLong(a[4]));
      default -> throw new IllegalArgumentException(a[0]);
    }
    System.out.flush();
    System.exit(0);
  }

  /**
   * Bytes received over time: sampled every 50 ms from the start; the steady rate is what came
   * after the warm-up divided by the time after it, as Ndt7Client computes its steady rate.
   */
  public static final class Meter {
    public final AtomicLong bytes = new AtomicLong();
    private final List<long[]> samples = new ArrayList<>();
    private final long start = System.nanoTime();

    /** Samples until millis after the start; returns at that moment. */
    public void sampleUntil(long millis) throws InterruptedException {
      long end = start + millis * 1_000_000L;
      while (true) {
        long now = System.nanoTime();
        synchronized (samples) {
          samples.add(new long[] {now - start, bytes.get()});
        }
        if (now >= end) {
          return;
        }
        Thread.sleep(Math.max(1, Math.min(50, (end - now) / 1_000_000L)));
      }
    }

    /** Mbit/s after warmMillis, to the last sample. */
    public double steadyMbps(long warmMillis) {
      synchronized (samples) {
        long[] last = samples.get(samples.size() - 1);
        for (long[] s : samples) {
          if (s[0] >= warmMillis * 1_000_000L) {
            return (last[1] - s[1]) * 8.0 / ((last[0] - s[0]) / 1e9) / 1e6;
          }
        }
      }
      return Double.NaN;
    }
  }

  static void down(String host, int port, long millis, long warm, int n) throws Exception {
    List<Socket> socks = connect(host, port, n);
    Meter m = new Meter();
    for (Socket s : socks) {
      OutputStream out = s.getOutputStream();
      out.write(("DOWN " + (millis + 5000) + "\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread t =
          new Thread(
              () -> {
                byte[] buf = new byte[1 << 16];
                try (InputStream in = s.getInputStream()) {
                  int r;
                  while ((r = in.read(buf)) > 0) {
                    m.bytes.addAndGet(r);
                  }
                } catch (IOException e) {
                  // closed at the end
                }
              });
      t.setDaemon(true);
      t.start();
    }
    m.sampleUntil(millis);
    for (Socket s : socks) {
      s.setSoLinger(true, 0);
      s.close();
    }
    System.out.printf(Locale.ROOT, "mbps=%.6f%nbytes=%d%n", m.steadyMbps(warm), m.bytes.get());
  }

  static void up(String host, int port, long millis, int n, String runId) throws Exception {
    List<Socket> socks = connect(host, port, n);
    byte[] payload = new byte[1 << 16];
    new SplittableRandom().nextBytes(payload);
    List<Thread> threads = new ArrayList<>();
    for (Socket s : socks) {
      Thread t =
          new Thread(
              () -> {
                try {
                  OutputStream out = s.getOutputStream();
                  out.write(
                      ("UP " + millis + " " + runId + " " + n + "\n")
                          .getBytes(StandardCharsets.US_ASCII));
                  while (true) {
                    out.write(payload);
                  }
                } catch (IOException e) {
                  // the receiver closes when it has measured
                }
              });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join(millis + 30_000);
    }
    System.out.println("done=true");
  }

  private static List<Socket> connect(String host, int port, int n) throws IOException {
    List<Socket> socks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Socket s = new Socket();
      s.connect(new InetSocketAddress(host, port), 10_000);
      socks.add(s);
    }
    return socks;
  }

  static void ndt7(URI down, URI up, int connections, long maxBytes) throws Exception {
    Class<?> client = Class.forName("org.enlace.agent.speedtest.Ndt7Client");
    Class<?> options = Class.forName("org.enlace.agent.speedtest.Ndt7Client$Options");
    Object defaults = options.getMethod("defaults").invoke(null);
    Method run =
        client.getMethod(
            "run",
            String.class,
            String.class,
            URI.class,
            URI.class,
            int.class,
            long.class,
            options);
    Object r = run.invoke(null, "ndt7", "accuracy", down, up, connections, maxBytes, defaults);
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      Object v = c.getAccessor().invoke(r);
      System.out.println(
          "result." + c.getName() + "=" + (v == null ? "" : v.toString().replace('\n', ' ')));
    }
  }
}

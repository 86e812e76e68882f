package org.enlace.agent.speedtest;

import static org.enlace.agent.speedtest.Ndt7Client.sleepQuietly;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The test's latency figures: TCP connect times to the ndt7 server, before the test (idle) and
 * during each subtest after its warm-up (loaded: what the test's own traffic adds, bufferbloat).
 */
final class Ndt7Latency {
  private Ndt7Latency() {}

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

  /** One TCP connect time in ms; null when the connection failed. */
  static @Nullable Double connectTime(InetSocketAddress target, Duration timeout) {
    long s = System.nanoTime();
    try (Socket sock = new Socket()) {
      sock.setSoLinger(true, 0); // no TIME_WAIT left behind on the agent's side
      sock.connect(target, (int) timeout.toMillis());
      return (System.nanoTime() - s) / 1e6;
    } catch (IOException e) {
      return null;
    }
  }

  /** The median; null for no values. */
  static @Nullable Double median(List<Double> values) {
    if (values.isEmpty()) {
      return null;
    }
    List<Double> v = new ArrayList<>(values);
    Collections.sort(v);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  /**
   * The loaded latency of a subtest: after the warm-up, a connect time every half second into
   * {@code rtts} until {@code stopping} or an interrupt. A daemon thread, already started.
   */
  static Thread startProber(
      InetSocketAddress target, Duration warmup, BooleanSupplier stopping, List<Double> rtts) {
    Thread t =
        new Thread(
            () -> {
              long warm = warmup.toMillis();
              sleepQuietly(warm);
              while (!stopping.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
                Double ms = connectTime(target, Duration.ofSeconds(3));
                if (ms != null && !stopping.getAsBoolean()) {
                  rtts.add(ms);
                }
                sleepQuietly(500);
              }
            },
            "enlace-ndt7-latency");
    t.setDaemon(true);
    t.start();
    return t;
  }
}

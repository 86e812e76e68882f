package org.enlace.server.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Samples the rollup maintainer's backlog from the server's admin /metrics ({@code
 * enlace_rollup_dirty_markers}, {@code enlace_rollup_establishment_days_total}, {@code
 * enlace_rollup_batch_seconds_*}) every {@code periodMillis}, in its own thread.
 */
final class RollupWatch implements AutoCloseable {
  record Sample(
      long nanos,
      double markers,
      double daysTotal,
      double batches,
      double batchSeconds,
      double batchMax) {}

  private final ServerProcess server;
  private final long periodMillis;
  private final List<Sample> samples = new ArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Thread thread;

  RollupWatch(ServerProcess server, long periodMillis) {
    this.server = server;
    this.periodMillis = periodMillis;
    thread = new Thread(this::loop, "rollup-watch");
    thread.setDaemon(true);
    thread.start();
  }

  static Sample read(ServerProcess server) {
    Map<String, Double> m = metrics(server.metrics());
    return new Sample(
        System.nanoTime(),
        m.getOrDefault("enlace_rollup_dirty_markers", Double.NaN),
        m.getOrDefault("enlace_rollup_establishment_days_total", 0.0),
        m.getOrDefault("enlace_rollup_batch_seconds_count", 0.0),
        m.getOrDefault("enlace_rollup_batch_seconds_sum", 0.0),
        m.getOrDefault("enlace_rollup_batch_seconds_max", 0.0));
  }

  private void loop() {
    while (!stop.get()) {
      Sample s = read(server);
      synchronized (samples) {
        samples.add(s);
      }
      try {
        Thread.sleep(periodMillis);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Samples taken between two instants (System.nanoTime). */
  List<Sample> between(long fromNanos, long toNanos) {
    List<Sample> out = new ArrayList<>();
    synchronized (samples) {
      for (Sample s : samples) {
        if (s.nanos() >= fromNanos && s.nanos() <= toNanos) {
          out.add(s);
        }
      }
    }
    return out;
  }

  Sample latest() {
    synchronized (samples) {
      return samples.isEmpty() ? read(server) : samples.get(samples.size() - 1);
    }
  }

  /**
   * Waits until the backlog is 0 (sampled every period), at most {@code timeoutMillis}; returns the
   * time it took in seconds, or -1 on timeout.
   */
  double awaitDrained(long sinceNanos, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (System.nanoTime() < deadline) {
      Sample s = read(server);
      if (s.markers() == 0) {
        return (s.nanos() - sinceNanos) / 1e9;
      }
      Thread.sleep(Math.min(periodMillis, 250));
    }
    return -1;
  }

  @Override
  public void close() {
    stop.set(true);
    thread.interrupt();
  }

  /** Prometheus text, summed over labels. */
  static Map<String, Double> metrics(String text) {
    Map<String, Double> out = new HashMap<>();
    for (String line : text.split("\n", 0)) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      int brace = line.indexOf('{');
      if (space <= 0) {
        continue;
      }
      String name = line.substring(0, brace > 0 && brace < space ? brace : space);
      try {
        out.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
      } catch (NumberFormatException e) {
        // NaN and the like
      }
    }
    return out;
  }
}

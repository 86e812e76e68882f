package org.enlace.agent.speedtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The steady-rate arithmetic of a subtest, in Mbit/s, on series of points that start with {time in
 * ns, bytes}: the client's own samples, or each connection's server measurements ({@link
 * Ndt7Connection#serverSeries}: {server's ElapsedTime in ns, NumBytes, received at}). Nothing here
 * touches the network or the subtest's state; {@link Ndt7Subtest} decides which figure it uses.
 */
final class Ndt7Rates {
  private final long minSteadyNanos;

  /**
   * @param minSteady the shortest steady part that gives a figure
   */
  Ndt7Rates(Duration minSteady) {
    this.minSteadyNanos = minSteady.toNanos();
  }

  /**
   * The rate in Mbit/s from the first sample at or after the warm-up to (end, endBytes); empty when
   * that leaves less than the minimum steady time, or no sample is after the warm-up.
   */
  OptionalDouble steadyRate(List<long[]> series, long warmNanos, long end, long endBytes) {
    for (long[] s : series) {
      if (s[0] >= warmNanos) {
        long dt = end - s[0];
        if (dt < minSteadyNanos) {
          return OptionalDouble.empty();
        }
        return OptionalDouble.of((endBytes - s[1]) * 8.0 / (dt / 1e9) / 1e6);
      }
    }
    return OptionalDouble.empty();
  }

  /**
   * Each connection's steady rate on its own server clock, added up; NaN when one of them has too
   * few measurements. Exact for one connection.
   */
  double perConnectionMbps(List<List<long[]>> serverSeries, long warmNanos) {
    double sum = 0;
    for (List<long[]> own : serverSeries) {
      OptionalDouble r =
          own.size() < 2
              ? OptionalDouble.empty()
              : steadyRate(own, warmNanos, own.get(own.size() - 1)[0], own.get(own.size() - 1)[1]);
      if (r.isEmpty()) {
        return Double.NaN;
      }
      sum += r.getAsDouble();
    }
    return sum;
  }

  /**
   * Several upload connections together, over one window: each connection's server clock starts at
   * its own upgrade and its last measurement comes at its own moment, so adding rates of
   * per-connection windows (each right on its own) misses or double-counts the edges when the
   * connections' shares shift (about 2 % in Ndt7ClientTest's case). Each connection's measurements
   * are put on the client's clock (offset: the smallest receive time minus ElapsedTime, i.e. the
   * upgrade plus the fastest delivery of a measurement, the same for all), interpolated, and summed
   * between the warm-up and the earliest of the connections' last measurements. NaN when a
   * connection has too few measurements or the window is shorter than the minimum steady time.
   */
  double commonWindowMbps(List<List<long[]>> serverSeries, long warmNanos) {
    List<long[][]> mapped = new ArrayList<>();
    long end = Long.MAX_VALUE;
    for (List<long[]> own : serverSeries) {
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
    if (end - warmNanos < minSteadyNanos) {
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
}

package org.enlace.server.evidence.chart;

import java.util.ArrayList;
import java.util.List;

/**
 * An axis's range and tick step, widened to round numbers: a step of 1, 2, 2.5 or 5 times a power
 * of ten, and a range that starts and ends on a tick.
 */
public record Ticks(double min, double max, double step) {

  /**
   * About {@code target} ticks covering lo..hi. A range with nothing in it (lo == hi, or not
   * finite) becomes one step wide rather than dividing by zero; {@code integers} keeps the step at
   * 1 or more, for counts.
   */
  public static Ticks nice(double lo, double hi, int target, boolean integers) {
    if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
      lo = 0;
      hi = 1;
    }
    if (hi < lo) {
      double t = lo;
      lo = hi;
      hi = t;
    }
    if (hi - lo < 1e-9) {
      hi = lo + (lo == 0 ? 1 : Math.abs(lo) * 0.1);
    }
    double raw = (hi - lo) / Math.max(1, target);
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / magnitude;
    double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    double step = nice * magnitude;
    if (integers && step < 1) {
      step = 1;
    }
    double min = Math.floor(lo / step + 1e-9) * step;
    double max = Math.ceil(hi / step - 1e-9) * step;
    return new Ticks(clean(min), clean(max), step);
  }

  /** The tick values from min to max. */
  public List<Double> values() {
    long n = Math.round((max - min) / step);
    List<Double> out = new ArrayList<>();
    for (long i = 0; i <= n; i++) {
      out.add(clean(min + i * step));
    }
    return out;
  }

  /** Decimals a tick label needs: 0 for 5 or 10, 1 for 0.5, 2 for 0.25. */
  public int decimals() {
    for (int d = 0; d < 6; d++) {
      double scaled = step * Math.pow(10, d);
      if (Math.abs(scaled - Math.rint(scaled)) < 1e-6) {
        return d;
      }
    }
    return 6;
  }

  /** Rounds away float noise (0.30000000000000004) so labels and comparisons behave. */
  private static double clean(double v) {
    return Math.round(v * 1e9) / 1e9;
  }
}

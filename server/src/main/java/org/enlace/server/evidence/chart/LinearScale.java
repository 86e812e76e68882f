package org.enlace.server.evidence.chart;

/** Maps a value in domain d0..d1 to a coordinate in r0..r1 (either may run backwards). */
public record LinearScale(double d0, double d1, double r0, double r1) {
  public double at(double v) {
    if (d1 == d0) {
      return r0;
    }
    return r0 + (v - d0) / (d1 - d0) * (r1 - r0);
  }

  /** As {@link #at}, with the value held inside the domain: a bar never leaves its plot. */
  public double clamped(double v) {
    double lo = Math.min(d0, d1);
    double hi = Math.max(d0, d1);
    return at(Math.max(lo, Math.min(hi, v)));
  }
}

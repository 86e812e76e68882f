package org.enlace.server.domain;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Latency samples as counts in log-scale buckets (ten per decade from 1 ms to 100 s), so that days,
 * establishments and months add up without keeping every sample. A percentile is read as the
 * geometric middle of its bucket: within ±12 % of the exact value.
 */
public final class LatencyHistogram {
  // As String.split(","): trailing empty strings dropped.
  private static final Pattern COMMA = Pattern.compile(",", Pattern.LITERAL);

  public static final int BUCKETS = 52; // [0,1ms), then 10 per decade up to 100 s, then overflow
  private static final double PER_DECADE = 10;
  private static final double[] NO_LATENCIES = new double[0];

  private LatencyHistogram() {}

  public static int bucket(double ms) {
    if (!(ms >= 1)) {
      return 0;
    }
    // Ingest refuses non-finite latencies; a rollup must still not fail on one (int overflow).
    if (ms >= 1e100) {
      return BUCKETS - 1;
    }
    int b = 1 + (int) Math.floor(Math.log10(ms) * PER_DECADE);
    return Math.min(b, BUCKETS - 1);
  }

  /** Middle of a bucket in milliseconds. */
  static double middle(int bucket) {
    if (bucket == 0) {
      return 0.5;
    }
    return Math.pow(10, (bucket - 1 + 0.5) / PER_DECADE);
  }

  public static int[] empty() {
    return new int[BUCKETS];
  }

  public static void add(int[] into, int[] more) {
    for (int i = 0; i < BUCKETS && i < more.length; i++) {
      into[i] += more[i];
    }
  }

  public static long samples(int[] h) {
    long n = 0;
    for (int c : h) {
      n += c;
    }
    return n;
  }

  /** q in (0,1]; empty with no samples. */
  public static Optional<Double> percentile(int[] h, double q) {
    long n = samples(h);
    if (n == 0) {
      return Optional.empty();
    }
    long rank = (long) Math.ceil(q * n);
    long seen = 0;
    for (int i = 0; i < h.length; i++) {
      seen += h[i];
      if (seen >= rank) {
        return Optional.of(Math.round(middle(i) * 10) / 10.0);
      }
    }
    return Optional.of(middle(h.length - 1));
  }

  /** A histogram from PostgreSQL's integer[] text form, e.g. {@code {0,3,1}}; '{}' is empty. */
  public static int[] parse(String text) {
    int[] out = empty();
    String inner = text.length() < 2 ? "" : text.substring(1, text.length() - 1).trim();
    if (inner.isEmpty()) {
      return out;
    }
    String[] parts = COMMA.splitAsStream(inner).toArray(String[]::new);
    for (int i = 0; i < parts.length && i < BUCKETS; i++) {
      out[i] = Integer.parseInt(parts[i].trim());
    }
    return out;
  }

  /**
   * Connect times of the successful latency probes: what the evidence's latency is made of. Ingest
   * and the rollup rebuild both read them here, so a rebuilt day counts the same samples.
   */
  public static double[] latencies(JsonNode checks) {
    JsonNode list = checks.path("latency");
    if (!list.isArray() || list.isEmpty()) {
      return NO_LATENCIES;
    }
    double[] out = new double[list.size()];
    int n = 0;
    for (JsonNode l : list) {
      JsonNode ms = l.path("ms");
      if (l.path("ok").asBoolean(false) && ms.isNumber() && ms.asDouble() >= 0) {
        out[n++] = ms.asDouble();
      }
    }
    return n == out.length ? out : Arrays.copyOf(out, n);
  }
}

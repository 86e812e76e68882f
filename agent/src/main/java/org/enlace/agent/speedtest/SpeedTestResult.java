package org.enlace.agent.speedtest;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One speed test as the observation's {@code speedTest} object (docs/protocol.md). A test that
 * failed or was aborted has an {@code error} and no speed figures at all: never a made-up speed.
 * Speeds in Mbit/s (10^6 bit/s) of application payload; latencies in ms; null when unknown.
 *
 * @param downMbps download over the steady part (warm-up excluded)
 * @param downMbpsMean download over the whole test, as M-Lab reports it
 * @param latencyMs idle round trip before the test (median TCP connect time to the server)
 * @param latencyLoadedMs median round trip during the download and upload (bufferbloat)
 */
public record SpeedTestResult(
    String method,
    @Nullable String testId,
    @Nullable Instant startedAt,
    @Nullable Double downMbps,
    @Nullable Double upMbps,
    @Nullable Double downMbpsMean,
    @Nullable Double upMbpsMean,
    @Nullable Double latencyMs,
    @Nullable Double latencyLoadedMs,
    @Nullable Double latencyDownLoadedMs,
    @Nullable Double latencyUpLoadedMs,
    long bytesDown,
    long bytesUp,
    long durationMs,
    int connections,
    @Nullable String server,
    @Nullable String error) {

  public boolean failed() {
    return error != null;
  }

  public SpeedTestResult withTestId(@Nullable String id) {
    return new SpeedTestResult(
        method,
        id,
        startedAt,
        downMbps,
        upMbps,
        downMbpsMean,
        upMbpsMean,
        latencyMs,
        latencyLoadedMs,
        latencyDownLoadedMs,
        latencyUpLoadedMs,
        bytesDown,
        bytesUp,
        durationMs,
        connections,
        server,
        error);
  }

  /** A test that could not even start (no slot used, nothing measured). */
  public static SpeedTestResult notRun(
      String method,
      @Nullable String testId,
      @Nullable String server,
      int connections,
      String error) {
    return new SpeedTestResult(
        method,
        testId,
        Instant.now(),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        0,
        0,
        0,
        connections,
        server,
        error);
  }

  /** The observation's {@code speedTest} object; null figures are left out. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("method", method);
    put(m, "testId", testId);
    put(m, "startedAt", startedAt == null ? null : startedAt.toString());
    if (error == null) {
      put(m, "downMbps", round2(downMbps));
      put(m, "upMbps", round2(upMbps));
      put(m, "downMbpsMean", round2(downMbpsMean));
      put(m, "upMbpsMean", round2(upMbpsMean));
    }
    put(m, "latencyMs", round2(latencyMs));
    put(m, "latencyLoadedMs", round2(latencyLoadedMs));
    put(m, "latencyDownLoadedMs", round2(latencyDownLoadedMs));
    put(m, "latencyUpLoadedMs", round2(latencyUpLoadedMs));
    m.put("bytesDown", bytesDown);
    m.put("bytesUp", bytesUp);
    m.put("durationMs", durationMs);
    m.put("connections", connections);
    put(m, "server", server);
    put(m, "error", error);
    return m;
  }

  /** A slot the agent itself could not run (its own failure, not the link's): no figures. */
  public static SpeedTestResult agentError(@Nullable String testId, String why) {
    return notRun(SpeedTests.METHOD, testId, null, 1, "agent error: " + why);
  }

  /**
   * Back from {@link #toJson()} (the speed-test child's output), figures as rounded there.
   *
   * @throws IOException when {@code method}, which {@link #toJson()} always writes, is missing
   */
  public static SpeedTestResult fromJson(Map<?, ?> m) throws IOException {
    String method = str(m, "method");
    if (method == null) {
      throw new IOException("a speed-test result without its method");
    }
    String startedAt = str(m, "startedAt");
    return new SpeedTestResult(
        method,
        str(m, "testId"),
        startedAt == null ? null : Instant.parse(startedAt),
        num(m, "downMbps"),
        num(m, "upMbps"),
        num(m, "downMbpsMean"),
        num(m, "upMbpsMean"),
        num(m, "latencyMs"),
        num(m, "latencyLoadedMs"),
        num(m, "latencyDownLoadedMs"),
        num(m, "latencyUpLoadedMs"),
        whole(m, "bytesDown"),
        whole(m, "bytesUp"),
        whole(m, "durationMs"),
        (int) whole(m, "connections"),
        str(m, "server"),
        str(m, "error"));
  }

  private static @Nullable String str(Map<?, ?> m, String k) {
    Object v = m.get(k);
    return v == null ? null : v.toString();
  }

  private static @Nullable Double num(Map<?, ?> m, String k) {
    return m.get(k) instanceof Number n ? n.doubleValue() : null;
  }

  private static long whole(Map<?, ?> m, String k) {
    return m.get(k) instanceof Number n ? n.longValue() : 0;
  }

  /** For a person: a few lines. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(method)
        .append(server == null ? "" : " against " + server)
        .append(connections > 1 ? " (" + connections + " connections)" : "")
        .append('\n');
    if (error != null) {
      sb.append("  FAILED: ").append(error).append('\n');
    } else {
      sb.append(
          String.format(
              Locale.ROOT,
              "  download %8.2f Mbit/s steady  (%.2f over the whole" + " test, as M-Lab reports)%n",
              downMbps,
              downMbpsMean));
      sb.append(
          String.format(
              Locale.ROOT,
              "  upload   %8.2f Mbit/s steady  (%.2f over the whole" + " test)%n",
              upMbps,
              upMbpsMean));
    }
    if (latencyMs != null) {
      sb.append(String.format(Locale.ROOT, "  latency  %8.1f ms idle", latencyMs));
      if (latencyLoadedMs != null) {
        sb.append(
            String.format(
                Locale.ROOT,
                ", %.1f ms under load (+%.1f ms)",
                latencyLoadedMs,
                latencyLoadedMs - latencyMs));
      }
      sb.append('\n');
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "  data     %.1f MB down, %.1f MB up in %.1f s",
            bytesDown / 1e6,
            bytesUp / 1e6,
            durationMs / 1000.0));
    return sb.toString();
  }

  private static void put(Map<String, Object> m, String k, @Nullable Object v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  private static @Nullable Double round2(@Nullable Double d) {
    return d == null || d.isNaN() || d.isInfinite() ? null : Math.round(d * 100) / 100.0;
  }
}

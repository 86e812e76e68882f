package org.enlace.agent.speedtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The agent's ndt7 client against a spec-literal server (Ndt7TestServer), loopback only. */
class Ndt7ClientTest {
  Ndt7TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = new Ndt7TestServer();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  static Ndt7Client.Options quick(Duration nominal, Duration warmup) {
    return Ndt7Client.Options.defaults().withTiming(nominal, warmup, Duration.ofMillis(1500));
  }

  SpeedTestResult run(int connections, long maxBytes, Ndt7Client.Options o) {
    return Ndt7Client.run(
        "ndt7",
        "t-1",
        URI.create(server.base() + "/ndt/v7/download?access_token=d"),
        URI.create(server.base() + "/ndt/v7/upload?access_token=u"),
        connections,
        maxBytes,
        o);
  }

  @Test
  void measuresAServerPacedByCodeWithinTenPercent() {
    server.rate = 2_500_000; // 20 Mbit/s each way
    server.durationMs = 4000;
    server.tokens = ConcurrentHashMap.newKeySet();
    server.tokens.addAll(Set.of("d", "u"));
    List<String> phases = Collections.synchronizedList(new ArrayList<>());
    SpeedTestResult r =
        run(
            1,
            100_000_000,
            quick(Duration.ofSeconds(4), Duration.ofSeconds(1))
                .withProgress((phase, mbps, bytes, s) -> phases.add(phase)));

    assertThat(r.error()).isNull();
    assertThat(r.downMbps()).isBetween(18.0, 22.0);
    assertThat(r.upMbps()).isBetween(18.0, 22.0);
    assertThat(r.downMbpsMean()).isBetween(14.0, 22.0);
    assertThat(r.upMbpsMean()).isBetween(14.0, 22.0);
    assertThat(r.latencyMs()).isNotNull().isLessThan(50.0);
    assertThat(r.latencyLoadedMs()).isNotNull();
    assertThat(r.bytesDown()).isBetween(8_000_000L, 11_000_000L);
    assertThat(r.server()).isEqualTo("127.0.0.1:" + server.port());
    assertThat(r.toJson())
        .containsKeys(
            "downMbps",
            "upMbps",
            "downMbpsMean",
            "upMbpsMean",
            "latencyMs",
            "latencyLoadedMs",
            "bytesDown",
            "bytesUp",
            "durationMs",
            "connections")
        .containsEntry("method", "ndt7")
        .containsEntry("testId", "t-1")
        .doesNotContainKey("error");
    // The spec's handshake: subprotocol, client metadata, no duplicate keys, a real User-Agent.
    assertThat(server.requests).hasSize(2);
    assertThat(server.requests.get(0))
        .startsWith(
            "/ndt/v7/download?access_token=d&client_name=" + "enlace-agent&client_version=");
    assertThat(server.userAgents.get(0)).startsWith("enlace-agent/");
    // Message sizes as the spec's appendix: 8 KiB first, then doubling.
    assertThat(server.uploadSizes.get(0)).isEqualTo(1 << 13);
    assertThat(server.uploadSizes).contains(1 << 14, 1 << 15);
    assertThat(server.uploadSizes).allMatch(s -> s <= (1 << 20));
    // Closing: the client answered the download's Close and closed the upload itself, 1000.
    assertThat(server.clientCloseCodes).containsExactly(1000, 1000);
    assertThat(phases).contains("latency", "download", "upload");
  }

  @Test
  void parallelConnectionsAddUp() {
    server.rate = 1_250_000; // per connection: 2 × 10 Mbit/s
    server.durationMs = 3000;
    SpeedTestResult r = run(2, 100_000_000, quick(Duration.ofSeconds(3), Duration.ofSeconds(1)));
    assertThat(r.error()).isNull();
    assertThat(r.connections()).isEqualTo(2);
    assertThat(r.downMbps()).isBetween(18.0, 22.0);
    assertThat(r.upMbps()).isBetween(18.0, 22.0);
    assertThat(server.requests).hasSize(4);
  }

  /**
   * Two upload connections whose shares of a constant 12 Mbit/s swap at 4 s, whose server clocks
   * started 300 and 100 ms before the client's, and whose last measurements come at different
   * moments: one window on the client's clock gives the link's 12 Mbit/s; adding each connection's
   * rate over its own window would not.
   */
  @Test
  void severalUploadConnectionsAreMeasuredOverOneWindow() {
    Ndt7Subtest t =
        new Ndt7Subtest(false, null, null, 2, Long.MAX_VALUE, Ndt7Client.Options.defaults(), null);
    long ms = 1_000_000L;
    // bytes per ms on the client's clock: a 1000 then 500, b 500 then 1000 (1.5 MB/s together)
    addConn(t, 300 * ms, 9_000 * ms, c -> c < 4_000 * ms ? 1000 : 500);
    addConn(t, 100 * ms, 9_950 * ms, c -> c < 4_000 * ms ? 500 : 1000);

    assertThat(t.commonWindowMbps(2_000 * ms)).isCloseTo(12.0, within(0.01));

    assertThat(t.perConnectionMbps(2_000 * ms))
        .as("the sum of per-connection windows")
        .isNotCloseTo(12.0, within(0.12));
  }

  /**
   * A connection whose server clock started {@code lead} before the client's zero, measured every
   * 250 ms of its clock up to the client time {@code until}, each measurement delivered 1 ms after
   * it was taken, at bytesPerMs(client time).
   */
  private static void addConn(Ndt7Subtest t, long lead, long until, LongUnaryOperator bytesPerMs) {
    Ndt7Connection c = new Ndt7Connection(t, t.conns.size());
    long ms = 1_000_000L;
    long bytes = 0;
    for (long client = -lead; client <= until; client += ms) {
      bytes += client < 0 ? 0 : bytesPerMs.applyAsLong(client);
      long elapsed = client + lead;
      if (elapsed > 0 && elapsed % (250 * ms) == 0) {
        c.serverSeries.add(new long[] {elapsed, bytes, client + ms});
      }
    }
    t.conns.add(c);
  }

  @Test
  void abortsWhenTheDataBudgetIsReached() throws Exception {
    server.rate = 2_500_000;
    server.durationMs = 4000;
    long budget = 3_000_000;
    SpeedTestResult r = run(1, budget, quick(Duration.ofSeconds(4), Duration.ofSeconds(1)));
    assertThat(r.failed()).isTrue();
    assertThat(r.error()).contains("data budget reached");
    assertThat(r.toJson()).doesNotContainKeys("downMbps", "upMbps", "downMbpsMean", "upMbpsMean");
    assertThat(r.bytesDown()).isLessThanOrEqualTo(budget);
    assertThat(r.bytesUp()).isZero();
    long sent = server.downloadSent.get();
    Thread.sleep(500);
    assertThat(server.downloadSent.get()).isLessThan(budget + (1 << 20)).isEqualTo(sent);
  }

  @Test
  void theUploadUsesOnlyWhatTheDownloadLeft() {
    server.rate = 2_500_000;
    server.durationMs = 2000;
    // The download takes ~5 MB of 6.5 MB; the upload must stop at the ~1.5 MB left.
    SpeedTestResult r = run(1, 6_500_000, quick(Duration.ofSeconds(2), Duration.ofMillis(500)));
    assertThat(r.error()).startsWith("upload: data budget reached");
    assertThat(r.bytesDown() + r.bytesUp()).isLessThanOrEqualTo(6_500_000);
  }

  @ParameterizedTest(name = "{0} in the {1}")
  @CsvSource({
    "STALL, download, stalled",
    "CLOSE_EARLY, download, connection lost after",
    "MALFORMED, download, malformed measurement message",
    "OVER_ANNOUNCE, download, the server announced",
    "STALL, upload, stalled",
    "CLOSE_EARLY, upload, connection lost after",
    "MALFORMED, upload, malformed measurement message",
    "OVER_ANNOUNCE, upload, the server announced",
    "BINARY_IN_UPLOAD, upload, binary data during the upload"
  })
  void aMisbehavingServerGivesAFailedRecordAndNoSpeed(
      Ndt7TestServer.Mode mode, String subtest, String error) {
    server.rate = 2_500_000;
    server.durationMs = 2500;
    server.mode = mode;
    server.misbehaveIn = subtest;
    server.misbehaveAfterMs = 800;
    long t0 = System.nanoTime();
    SpeedTestResult r = run(1, 100_000_000, quick(Duration.ofMillis(2500), Duration.ofMillis(500)));
    assertThat(r.failed()).isTrue();
    assertThat(r.error()).startsWith(subtest + ": ").contains(error);
    assertThat(r.downMbps()).isNull();
    assertThat(r.upMbps()).isNull();
    assertThat(r.toJson())
        .containsKey("error")
        .doesNotContainKeys("downMbps", "upMbps", "downMbpsMean", "upMbpsMean");
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(12);
  }

  @Test
  void aTestEndedByTheServerBeforeASteadyPartIsAFailure() {
    server.rate = 2_500_000;
    server.durationMs = 600; // a proper Close, but after only 0.6 s
    SpeedTestResult r = run(1, 100_000_000, quick(Duration.ofSeconds(3), Duration.ofSeconds(1)));
    assertThat(r.error()).startsWith("download: ").contains("too short");
    assertThat(r.downMbps()).isNull();
  }

  @Test
  void aRefusedTokenIsAFailureBeforeAnyData() {
    server.tokens = ConcurrentHashMap.newKeySet();
    SpeedTestResult r = run(1, 100_000_000, quick(Duration.ofSeconds(2), Duration.ofMillis(500)));
    assertThat(r.error())
        .isEqualTo("download: the server refused the WebSocket upgrade (HTTP 401)");
    assertThat(r.bytesDown()).isZero();
  }

  @Test
  void aBusyServerIsAskedAgainAfterItsRetryAfter() {
    server.rate = 2_500_000;
    server.durationMs = 1500;
    server.busyFor.set(2);
    long t0 = System.nanoTime();
    SpeedTestResult r = run(1, 100_000_000, quick(Duration.ofSeconds(2), Duration.ofMillis(500)));
    assertThat(r.error()).isNull();
    assertThat(r.downMbps()).isNotNull();
    // Two refusals, each followed by the 1 s the server asked for.
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThan(2_000);
  }

  @Test
  void aServerBusyForTooLongIsAFailureNamingTheRetries() {
    server.busyFor.set(100);
    SpeedTestResult r = run(1, 100_000_000, quick(Duration.ofSeconds(2), Duration.ofMillis(500)));
    assertThat(r.error())
        .isEqualTo(
            "download: the server refused the WebSocket upgrade"
                + " (HTTP 429) after 3 retries over 3 s");
    assertThat(r.bytesDown()).isZero();
  }

  @Test
  void progressForAPipeIsPlainLines() {
    StringWriter sw = new StringWriter();
    Ndt7Client.Progress p = SpeedTests.printer(new PrintWriter(sw, true), false);
    server.rate = 2_500_000;
    server.durationMs = 2000;
    run(1, 100_000_000, quick(Duration.ofSeconds(2), Duration.ofMillis(500)).withProgress(p));
    String out = sw.toString();
    assertThat(out).doesNotContain("\r");
    assertThat(out)
        .contains("latency")
        .containsPattern("download .*Mbit/s .*MB")
        .containsPattern("upload .*Mbit/s");
    StringWriter tw = new StringWriter();
    Ndt7Client.Progress t = SpeedTests.printer(new PrintWriter(tw, true), true);
    t.update("download", 12.5, 1_000_000, 1.0);
    t.update("download", 13.5, 2_000_000, 2.0);
    assertThat(tw.toString()).startsWith("\rdownload").contains("\rdownload").doesNotContain("\n");
  }

  @Test
  void metadataIsAddedOnceAndUrlsConvert() {
    assertThat(
            Ndt7Client.withMetadata(URI.create("ws://h/ndt/v7/download?client_name=x")).toString())
        .startsWith("ws://h/ndt/v7/download?client_name=x&client_version=")
        .doesNotContain("client_name=enlace");
    URI server = URI.create("https://enlace.example.gov.co/");
    assertThat(SpeedTestSlot.webSocketUri(server, "/ndt/v7/download?access_token=a"))
        .isEqualTo(URI.create("wss://enlace.example.gov.co/ndt/v7/download?access_token=a"));
    assertThat(
            SpeedTestSlot.webSocketUri(
                URI.create("http://10.0.0.5:8080"), "/ndt/v7/upload?access_token=b"))
        .isEqualTo(URI.create("ws://10.0.0.5:8080/ndt/v7/upload?access_token=b"));
    assertThat(SpeedTestSlot.webSocketUri(server, "wss://other:4443/ndt/v7/upload?access_token=c"))
        .isEqualTo(URI.create("wss://other:4443/ndt/v7/upload?access_token=c"));
    assertThat(SpeedTestSlot.webSocketUri(server, "http://other/ndt/v7/upload"))
        .isEqualTo(URI.create("ws://other/ndt/v7/upload"));
  }
}

package org.enlace.server.speedtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.util.Duration;
import java.io.File;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.enlace.server.speedtest.Ndt7Access.ServerResult;
import org.enlace.server.speedtest.Ndt7Access.Subtest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ndt7 endpoints in a real Jetty on loopback, plain and TLS, driven by a JDK WebSocket client
 * that follows the spec or misbehaves on purpose. Tests run 2 s subtests (hard limit 3.5 s) except
 * one at the spec's 10 s.
 */
@Timeout(120)
class Ndt7ServerTest {
  static final String DL = Ndt7Server.DOWNLOAD_PATH;
  static final String UL = Ndt7Server.UPLOAD_PATH;
  static final long BIG = 10L << 30;
  static final boolean HAS_SS =
      new File("/usr/bin/ss").canExecute()
          || new File("/bin/ss").canExecute()
          || new File("/usr/sbin/ss").canExecute()
          || new File("/sbin/ss").canExecute();

  static Ndt7TestServer server;
  static Ndt7TestClient client;

  @BeforeAll
  static void start() throws Exception {
    server =
        new Ndt7TestServer(
            new SpeedTestConfig()
                .setMaxConcurrentTests(2)
                .setMaxDuration(Duration.seconds(2))
                .setHardTimeout(Duration.milliseconds(3500))
                .setBusyRetryAfter(Duration.seconds(7)));
    client = new Ndt7TestClient(server.clientTls());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static String q(String token) {
    return "client_name=enlace-test&client_version=0.1&access_token=" + token;
  }

  static Ndt7TestClient.Options opts() {
    return new Ndt7TestClient.Options();
  }

  // ----- following the spec -----

  @Test
  void downloadFollowsTheSpecOnPlainWebSocket() throws Exception {
    String token = server.access.issue(Subtest.DOWNLOAD, BIG);
    Ndt7TestClient.Outcome out = client.download(server.ws(DL, q(token)), opts());

    assertThat(out.subprotocol).isEqualTo(Ndt7Server.SUBPROTOCOL);
    assertThat(out.closeCode).isEqualTo(1000);
    assertThat(out.seconds()).isBetween(1.8, 3.0);
    assertScaling(out.binarySizes, false);
    assertMeasurements(out.measurements, "download", out.bytes);

    ServerResult r = server.access.awaitResult(token, 5_000);
    assertThat(r.error()).isEmpty();
    assertThat(r.bytes()).isEqualTo(out.bytes);
    assertThat(r.wireBytes()).isGreaterThanOrEqualTo(r.bytes());
    assertThat(java.time.Duration.between(r.start(), r.end()).toMillis()).isBetween(1900L, 3000L);
    if (HAS_SS) {
      assertThat(r.minRttMs()).isPresent();
      assertThat(r.smoothedRttMs()).isPresent();
    }
    server.awaitIdle(2_000);
    assertThat(
            server
                .meters
                .get("enlace.ndt7.tests")
                .tag("subtest", "download")
                .tag("outcome", "completed")
                .counter()
                .count())
        .isGreaterThanOrEqualTo(1);
    assertThat(
            server
                .meters
                .get("enlace.ndt7.payload.bytes")
                .tag("subtest", "download")
                .counter()
                .count())
        .isGreaterThanOrEqualTo((double) r.bytes());
  }

  @Test
  void downloadOverTls() throws Exception {
    String token = server.access.issue(Subtest.DOWNLOAD, BIG);
    Ndt7TestClient.Outcome out = client.download(server.wss(DL, q(token)), opts());

    assertThat(out.subprotocol).isEqualTo(Ndt7Server.SUBPROTOCOL);
    assertThat(out.closeCode).isEqualTo(1000);
    assertScaling(out.binarySizes, false);
    assertMeasurements(out.measurements, "download", out.bytes);
    ServerResult r = server.access.awaitResult(token, 5_000);
    assertThat(r.error()).isEmpty();
    assertThat(r.bytes()).isEqualTo(out.bytes).isGreaterThan(1_000_000);
    if (HAS_SS) { // TCP counts include the TLS records around the payload
      assertThat(r.wireBytes()).isGreaterThan(r.bytes());
    }
    server.awaitIdle(2_000);
  }

  @Test
  void uploadOverTlsEndsWithTheServersClose() throws Exception {
    String token = server.access.issue(Subtest.UPLOAD, BIG);
    Ndt7TestClient.Options o = opts();
    o.uploadMs = 10_000; // the server closes at 2 s
    Ndt7TestClient.Outcome out = client.upload(server.wss(UL, q(token)), o);

    assertThat(out.subprotocol).isEqualTo(Ndt7Server.SUBPROTOCOL);
    assertThat(out.closeCode).isEqualTo(1000);
    assertThat(out.seconds()).isBetween(1.8, 3.0);
    assertMeasurements(out.measurements, "upload", out.bytes);
    ServerResult r = server.access.awaitResult(token, 5_000);
    assertThat(r.error()).isEmpty();
    assertThat(r.bytes()).isPositive().isLessThanOrEqualTo(out.bytes);
    // The JDK's client drops the TLS connection on the server's close (no close reply), losing
    // what was in flight; the server tolerates that (spec) and counts what arrived.
    assertThat(r.bytes())
        .as("all but the messages in flight at the close")
        .isGreaterThanOrEqualTo(out.bytes * 95 / 100);
    server.awaitIdle(2_000);
  }

  @Test
  void uploadEndedByTheClientAtItsDurationIsComplete() throws Exception {
    String token = server.access.issue(Subtest.UPLOAD, BIG);
    Ndt7TestClient.Options o = opts();
    o.uploadMs = 1_900;
    Ndt7TestClient.Outcome out = client.upload(server.ws(UL, q(token)), o);
    ServerResult r = server.access.awaitResult(token, 5_000);
    assertThat(r.error()).isEmpty();
    assertThat(r.bytes()).isEqualTo(out.bytes);
    server.awaitIdle(2_000);
  }

  @Test
  @SuppressWarnings("try") // the test server's close() may be interrupted; that fails the test
  void downloadAtTheSpecsDefaultDurationEndsAtTenSeconds() throws Exception {
    try (Ndt7TestServer dflt = new Ndt7TestServer(new SpeedTestConfig())) {
      Ndt7TestClient c = new Ndt7TestClient(dflt.clientTls());
      String token = dflt.access.issue(Subtest.DOWNLOAD, BIG);
      Ndt7TestClient.Outcome out = c.download(dflt.ws(DL, q(token)), opts());
      assertThat(out.closeCode).isEqualTo(1000);
      assertThat(out.seconds()).isBetween(9.8, 11.0);
      assertScaling(out.binarySizes, false);
      assertThat(out.binarySizes).contains(1 << 20); // fast loopback reaches the cap
      assertThat(out.measurements.size()).isBetween(15, 100); // ~40 at 250 ms mean, <= 10/s
      ServerResult r = dflt.access.awaitResult(token, 5_000);
      assertThat(r.error()).isEmpty();
      assertThat(r.bytes()).isEqualTo(out.bytes);
    }
  }

  // ----- access -----

  @Test
  void noTokenBadTokenAndUsedTokenAre401BeforeTheUpgrade() throws Exception {
    Ndt7TestClient.Outcome none = client.download(server.ws(DL, "client_name=x"), opts());
    assertThat(none.httpStatus).isEqualTo(401);
    assertThat(Ndt7TestClient.JSON.readTree(none.body).get("error").asText())
        .isEqualTo("access_token_required");

    Ndt7TestClient.Outcome bad = client.download(server.ws(DL, q("nope")), opts());
    assertThat(bad.httpStatus).isEqualTo(401);
    assertThat(Ndt7TestClient.JSON.readTree(bad.body).get("error").asText())
        .isEqualTo("access_token_invalid");

    String upToken = server.access.issue(Subtest.UPLOAD, BIG);
    assertThat(client.download(server.ws(DL, q(upToken)), opts()).httpStatus)
        .as("an upload token does not open a download")
        .isEqualTo(401);

    String token = server.access.issue(Subtest.DOWNLOAD, 200_000); // ends by budget at once
    Ndt7TestClient.Outcome first = client.download(server.ws(DL, q(token)), opts());
    assertThat(first.closeCode).isEqualTo(1000);
    assertThat(server.access.awaitResult(token, 5_000).error()).isEmpty();
    Ndt7TestClient.Outcome again = client.download(server.ws(DL, q(token)), opts());
    assertThat(again.httpStatus).as("single use").isEqualTo(401);
    assertThat(server.access.count(token)).isEqualTo(1);
    server.awaitIdle(2_000);
  }

  @Test
  void requestsThatAreNotNdt7UpgradesAre400() throws Exception {
    String token = server.access.issue(Subtest.DOWNLOAD, BIG);
    Ndt7TestClient.Options noProtocol = opts();
    noProtocol.subprotocols = new String[0];
    Ndt7TestClient.Outcome out = client.download(server.ws(DL, q(token)), noProtocol);
    assertThat(out.httpStatus).isEqualTo(400);
    Ndt7TestClient.Options other = opts();
    other.subprotocols = new String[] {"chat"};
    assertThat(client.download(server.ws(DL, q(token)), other).httpStatus).isEqualTo(400);

    String longQuery = q(token) + "&pad=" + "x".repeat(4100);
    assertThat(client.download(server.ws(DL, longQuery), opts()).httpStatus).isEqualTo(400);

    HttpResponse<String> plainGet =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(server.http(DL + "?" + q(token))).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(plainGet.statusCode()).isEqualTo(400);
    assertThat(plainGet.body()).contains("websocket_required");
    assertThat(server.access.redeemed)
        .as("refused requests consume no token")
        .doesNotContain(token);
  }

  @Test
  void busyServerAnswers429WithRetryAfterAndKeepsTheToken() throws Exception {
    String t1 = server.access.issue(Subtest.DOWNLOAD, BIG);
    String t2 = server.access.issue(Subtest.UPLOAD, BIG);
    CompletableFuture<Ndt7TestClient.Outcome> a =
        CompletableFuture.supplyAsync(
            () -> unchecked(() -> client.download(server.ws(DL, q(t1)), opts())));
    Ndt7TestClient.Options up = opts();
    up.uploadMs = 10_000;
    CompletableFuture<Ndt7TestClient.Outcome> b =
        CompletableFuture.supplyAsync(
            () -> unchecked(() -> client.upload(server.ws(UL, q(t2)), up)));
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (server.ndt7.running() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    String t3 = server.access.issue(Subtest.DOWNLOAD, 200_000);
    Ndt7TestClient.Outcome busy = client.download(server.ws(DL, q(t3)), opts());
    assertThat(busy.httpStatus).isEqualTo(429);
    assertThat(busy.headers.get("retry-after")).containsExactly("7");
    assertThat(Ndt7TestClient.JSON.readTree(busy.body).get("error").asText()).isEqualTo("busy");
    assertThat(server.access.redeemed).doesNotContain(t3);
    assertThat(server.meters.get("enlace.ndt7.refused").tag("reason", "busy").counter().count())
        .isGreaterThanOrEqualTo(1);

    assertThat(a.get().closeCode).isEqualTo(1000);
    assertThat(b.get().closeCode).isEqualTo(1000);
    server.awaitIdle(2_000);
    Ndt7TestClient.Outcome later = client.download(server.ws(DL, q(t3)), opts());
    assertThat(later.closeCode).as("the token still works once a slot is free").isEqualTo(1000);
    assertThat(server.access.awaitResult(t3, 5_000).error()).isEmpty();
    server.awaitIdle(2_000);
  }

  // ----- byte budget -----

  @Test
  void downloadStopsAtTheByteBudgetAndClosesNormally() throws Exception {
    long budget = 1_000_000;
    String token = server.access.issue(Subtest.DOWNLOAD, budget);
    Ndt7TestClient.Outcome out = client.download(server.ws(DL, q(token)), opts());
    assertThat(out.closeCode).isEqualTo(1000);
    assertThat(out.bytes).isLessThanOrEqualTo(budget).isGreaterThan(budget - 1024);
    assertThat(out.seconds()).isLessThan(1.5);
    assertScaling(out.binarySizes, true);
    assertThat(out.binarySizes).allSatisfy(s -> assertThat(s).isBetween(1024, 1 << 20));
    ServerResult r = server.access.awaitResult(token, 5_000);
    assertThat(r.error()).isEmpty();
    assertThat(r.bytes()).isEqualTo(out.bytes);
    server.awaitIdle(2_000);
  }

  @Test
  void uploadReachingTheBudgetIsClosedNormallyAndExceedingItIsAnError() throws Exception {
    String exact = server.access.issue(Subtest.UPLOAD, 500_000);
    Ndt7TestClient.Options o = opts();
    o.uploadMaxBytes = 500_000;
    Ndt7TestClient.Outcome ok = client.upload(server.ws(UL, q(exact)), o);
    ServerResult r = server.access.awaitResult(exact, 5_000);
    assertThat(r.error()).isEmpty();
    assertThat(r.bytes()).isEqualTo(500_000).isEqualTo(ok.bytes);

    String over = server.access.issue(Subtest.UPLOAD, 300_000);
    Ndt7TestClient.Outcome out = client.upload(server.ws(UL, q(over)), opts());
    // 1008, or -1 when the kernel reset the still-writing client before it read the close frame.
    assertThat(out.closeCode).isIn(1008, -1);
    ServerResult bad = server.access.awaitResult(over, 5_000);
    assertThat(bad.error()).get().asString().contains("budget");
    assertThat(bad.bytes()).isGreaterThan(300_000).isLessThanOrEqualTo(out.bytes);
    server.awaitIdle(2_000);
  }

  // ----- bad clients -----

  @Test
  void garbageTextFrameFailsTheTest() throws Exception {
    for (String path : List.of(DL, UL)) {
      String token = server.access.issue(path.equals(DL) ? Subtest.DOWNLOAD : Subtest.UPLOAD, BIG);
      Ndt7TestClient.Options o = opts();
      o.textOnOpen = "hello, this is not JSON";
      o.uploadMs = 10_000;
      Ndt7TestClient.Outcome out =
          path.equals(DL)
              ? client.download(server.ws(path, q(token)), o)
              : client.upload(server.ws(path, q(token)), o);
      // An uploading client is still writing when the server closes: the kernel may reset the
      // connection before the close frame is read (-1). The server's record is what counts.
      assertThat(out.closeCode).isIn(path.equals(DL) ? List.of(1007) : List.of(1007, -1));
      ServerResult r = server.access.awaitResult(token, 5_000);
      assertThat(r.error()).get().asString().contains("not an ndt7 measurement");
      server.awaitIdle(2_000);
    }
  }

  @Test
  void validClientMeasurementsAreAccepted() throws Exception {
    String token = server.access.issue(Subtest.UPLOAD, BIG);
    Ndt7TestClient.Options o = opts();
    o.textOnOpen = "{\"AppInfo\":{\"ElapsedTime\":1,\"NumBytes\":0},\"Origin\":\"client\"}";
    o.uploadMs = 10_000;
    Ndt7TestClient.Outcome out = client.upload(server.ws(UL, q(token)), o);
    assertThat(out.closeCode).isEqualTo(1000);
    assertThat(server.access.awaitResult(token, 5_000).error()).isEmpty();
    server.awaitIdle(2_000);
  }

  @Test
  void clientClosingEarlyFailsTheTest() throws Exception {
    String token = server.access.issue(Subtest.DOWNLOAD, BIG);
    Ndt7TestClient.Options o = opts();
    o.closeAfterMs = 500;
    client.download(server.ws(DL, q(token)), o);
    ServerResult r = server.access.awaitResult(token, 5_000);
    assertThat(r.error()).get().asString().contains("closed the connection after 0.");
    assertThat(r.bytes()).isPositive();
    server.awaitIdle(2_000);
  }

  @Test
  void binaryMessageDuringDownloadFailsTheTest() throws Exception {
    String token = server.access.issue(Subtest.DOWNLOAD, BIG);
    Ndt7TestClient.Options o = opts();
    o.binaryOnOpen = true;
    o.timeoutMs = 5_000;
    client.download(server.ws(DL, q(token)), o);
    ServerResult r = server.access.awaitResult(token, 5_000);
    assertThat(r.error()).get().asString().contains("binary message during the download");
    server.awaitIdle(2_000);
  }

  @Test
  void stalledDownloadClientIsDroppedAtTheHardLimit() throws Exception {
    String token = server.access.issue(Subtest.DOWNLOAD, BIG);
    Ndt7TestClient.Options o = opts();
    o.stopReadingAfter = 5;
    o.timeoutMs = 6_000;
    long t0 = System.nanoTime();
    client.download(server.ws(DL, q(token)), o);
    ServerResult r = server.access.awaitResult(token, 8_000);
    double seconds = java.time.Duration.between(r.start(), r.end()).toMillis() / 1e3;
    assertThat(seconds).isBetween(3.3, 4.5);
    assertThat(r.error()).get().asString().contains("3 s");
    assertThat(r.bytes()).isPositive();
    server.awaitIdle(2_000);
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(10);
  }

  @Test
  void clientThatNeverAnswersTheCloseIsDroppedAtTheHardLimit() throws Exception {
    String token = server.access.issue(Subtest.DOWNLOAD, BIG);
    Ndt7TestClient.Options o = opts();
    o.neverReplyClose = true;
    o.timeoutMs = 6_000;
    Ndt7TestClient.Outcome out = client.download(server.ws(DL, q(token)), o);
    assertThat(out.closeCode).isEqualTo(1000);
    ServerResult r = server.access.awaitResult(token, 8_000);
    assertThat(r.error()).get().asString().contains("closing handshake");
    assertThat(r.bytes()).isEqualTo(out.bytes); // real figures, not discarded
    server.awaitIdle(2_000);
  }

  @Test
  void stalledUploadClientFailsTheTest() throws Exception {
    String token = server.access.issue(Subtest.UPLOAD, BIG);
    Ndt7TestClient.Options o = opts();
    o.stall = true;
    o.timeoutMs = 6_000;
    client.upload(server.ws(UL, q(token)), o);
    ServerResult r = server.access.awaitResult(token, 8_000);
    assertThat(r.error()).isPresent();
    assertThat(r.bytes()).isZero();
    server.awaitIdle(2_000);
  }

  @Test
  void oversizedUploadMessageFailsTheTest() throws Exception {
    String token = server.access.issue(Subtest.UPLOAD, BIG);
    Ndt7TestClient.Options o = opts();
    o.oneMessageOf = (1 << 24) + 1;
    o.timeoutMs = 8_000;
    Ndt7TestClient.Outcome out = client.upload(server.ws(UL, q(token)), o);
    // The server sends 1009 and stops reading; the client is still writing its 16 MiB, so the
    // kernel may reset the connection before the close frame is read (closeCode -1). What is
    // contractual is the server's record of why the test failed.
    assertThat(out.closeCode).isIn(1009, -1);
    ServerResult r = server.access.awaitResult(token, 8_000);
    assertThat(r.error()).get().asString().contains("larger than 16 MiB");
    server.awaitIdle(2_000);
  }

  // ----- helpers -----

  /** The spec appendix's rule: start at 8 KiB, double while size <= total/16, cap 1 MiB. */
  static void assertScaling(List<Integer> sizes, boolean budgetLimited) {
    assertThat(sizes).isNotEmpty();
    assertThat(sizes.get(0)).isEqualTo(1 << 13);
    long total = 0;
    int size = 1 << 13;
    for (int i = 0; i < sizes.size(); i++) {
      int actual = sizes.get(i);
      if (budgetLimited && actual < size) {
        assertThat(Integer.bitCount(actual)).as("power of two").isEqualTo(1);
        assertThat(actual).isGreaterThanOrEqualTo(1024);
      } else {
        assertThat(actual).as("message %d", i).isEqualTo(size);
      }
      total += actual;
      if (size < (1 << 20) && size <= total / 16) {
        size *= 2;
      }
    }
  }

  static void assertMeasurements(List<JsonNode> ms, String test, long clientBytes) {
    assertThat(ms.size()).as("about 4 a second").isBetween(3, 25);
    long lastElapsed = -1;
    long lastBytes = -1;
    for (JsonNode m : ms) {
      assertThat(m.get("Origin").asText()).isEqualTo("server");
      assertThat(m.get("Test").asText()).isEqualTo(test);
      JsonNode app = m.get("AppInfo");
      assertThat(app.get("ElapsedTime").isIntegralNumber()).isTrue();
      long elapsed = app.get("ElapsedTime").asLong();
      long bytes = app.get("NumBytes").asLong();
      assertThat(elapsed).isGreaterThan(lastElapsed).isLessThan(3_000_000);
      assertThat(bytes).isGreaterThanOrEqualTo(lastBytes).isLessThanOrEqualTo(clientBytes);
      lastElapsed = elapsed;
      lastBytes = bytes;
      JsonNode conn = m.get("ConnectionInfo");
      assertThat(conn.get("Client").asText()).matches("127\\.0\\.0\\.1:\\d+");
      assertThat(conn.get("Server").asText()).matches("127\\.0\\.0\\.1:\\d+");
      assertThat(conn.get("StartTime").asText()).isNotEmpty();
      if (HAS_SS) {
        JsonNode tcp = m.get("TCPInfo");
        assertThat(tcp).as("TCPInfo from ss").isNotNull();
        for (String f :
            List.of(
                "BusyTime",
                "BytesAcked",
                "BytesReceived",
                "BytesSent",
                "BytesRetrans",
                "ElapsedTime",
                "MinRTT",
                "RTT",
                "RTTVar",
                "RWndLimited",
                "SndBufLimited")) {
          assertThat(tcp.get(f)).as(f).isNotNull();
          assertThat(tcp.get(f).isIntegralNumber()).as(f).isTrue();
        }
        assertThat(tcp.get("MinRTT").asLong()).isPositive();
        assertThat(tcp.get(test.equals("download") ? "BytesAcked" : "BytesReceived").asLong())
            .isPositive();
      }
    }
    assertThat(lastBytes).isPositive();
  }

  interface ThrowingSupplier<T> {
    T get() throws Exception;
  }

  static <T> T unchecked(ThrowingSupplier<T> s) {
    try {
      return s.get();
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
}

package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.speedtest.MlabPages;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proof of compatibility with a client nobody here wrote: M-Lab's own JavaScript ndt7 client
 * ({@code @m-lab/ndt7} 0.1.4, vendored unmodified under src/test/resources/mlab-ndt7/package, see
 * its README.md) runs in Debian's headless Chromium against the real application, with the
 * single-use tokens of a speed-test slot, over plain {@code ws://} on loopback (the library's
 * {@code config.server}: M-Lab's locate service is never contacted). The page and the library come
 * from a small static server on 127.0.0.1 (a Worker must be same-origin with its page).
 *
 * <p>Checked: both subtests complete (return code 0, no error callback, the completion came from
 * the socket closing and not from the library's 12 s watchdog), the server recorded both without
 * error, and the client's figures agree with the server's record within 5 %:
 *
 * <ul>
 *   <li>download: the client's own measurement, {@code LastClientMeasurement.MeanClientMbps} (bytes
 *       it received / seconds since its socket opened, sampled every 250 ms), against the server's
 *       payload bytes written / (ended_at - started_at) of ndt7_server_results;
 *   <li>upload: what M-Lab's web client shows, {@code LastServerMeasurement.TCPInfo.BytesReceived *
 *       8 / TCPInfo.ElapsedTime} (the server's last measurement message as the client received it),
 *       and the same from its {@code AppInfo}, against the server's payload bytes received /
 *       (ended_at - started_at); and the client's own upload figure, {@code
 *       LastClientMeasurement.MeanClientMbps} (bytes handed to the socket minus {@code
 *       bufferedAmount}, over its elapsed time), against the same (on loopback the kernel buffers
 *       it cannot see hold milliseconds of data; on a real link it would overestimate).
 * </ul>
 *
 * The duration stays at ndt7's 10 s: the library's upload always sends for 10 s and its watchdog is
 * built around that. Skipped only when no Chromium is installed (.ci/run installs it).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class MlabClientCompatibilityTest {
  static final TestApp APP = TestApp.create();
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();
  static final ObjectMapper JSON = new ObjectMapper();
  static final double TOLERANCE = 0.05;

  /** The library resolves a subtest as "complete" after 12 s whatever happened. */
  static final double WATCHDOG_MS = 12_000;

  @Test
  @Timeout(300)
  void mlabsJavaScriptClientRunsBothSubtestsAndAgreesWithTheServer() throws Exception {
    Optional<Path> chromium = HeadlessChromium.find();
    Assumptions.assumeTrue(chromium.isPresent(), "chromium is not installed");

    String code = APP.establishment("MLAB-JS", "administration");
    // A contract far above what loopback carries: the slot's byte allowance never ends a subtest.
    Api.Response link =
        APP.it()
            .post(
                "/api/v1/establishments/" + code + "/links",
                Api.object()
                    .put("ispName", "Loopback")
                    .put("contractedDownMbps", 100_000)
                    .put("contractedUpMbps", 100_000));
    assertThat(link.status()).as(link.toString()).isEqualTo(201);
    TestApp.Agent agent = APP.enroll(code);
    Api.Response slot = agent.api().post("/api/v1/speedtest/slot", "{}");
    assertThat(slot.status()).as(slot.toString()).isEqualTo(200);
    String testId = slot.body().path("testId").asText();
    String downloadToken = token(slot.body().path("downloadUrl").asText(), "/ndt/v7/download");
    String uploadToken = token(slot.body().path("uploadUrl").asText(), "/ndt/v7/upload");
    String server = "127.0.0.1:" + URI.create(APP.base()).getPort();

    MlabPages pages = MlabPages.start(InetAddress.getLoopbackAddress());
    Path work = Files.createDirectories(Path.of("target", "browser-test"));
    JsonNode r;
    try (HeadlessChromium browser =
        HeadlessChromium.start(chromium.get(), Files.createTempDirectory(work, "mlab-ndt7-"))) {
      String page = browser.newPage();
      browser.send(page, "Page.enable", null);
      browser.send(page, "Page.navigate", HeadlessChromium.params().put("url", pages.pageUrl()));
      HeadlessChromium.await(
          "the test page and M-Lab's library",
          Duration.ofSeconds(60),
          () ->
              truthy(
                  browser,
                  page,
                  "document.readyState === 'complete'"
                      + " && typeof window.ndt7 === 'object' && typeof window.runCompat === 'function'"));
      // Started, not awaited here: both subtests take some 20 s.
      browser.eval(
          page,
          "(window.runCompat("
              + JSON.writeValueAsString(server)
              + ", "
              + JSON.writeValueAsString(downloadToken)
              + ", "
              + JSON.writeValueAsString(uploadToken)
              + "), true)");
      HeadlessChromium.await(
          "M-Lab's client to finish both subtests",
          Duration.ofSeconds(90),
          () -> truthy(browser, page, "window.compat && window.compat.done"));
      r = JSON.readTree(browser.eval(page, "JSON.stringify(window.compat)").asText());
    } finally {
      pages.close();
    }

    // The client's view: both subtests ran to their end.
    assertThat(r.path("errors")).as(r.toString()).isEmpty();
    assertThat(r.path("download").path("url").asText())
        .startsWith("ws://" + server + "/ndt/v7/download?")
        .contains("client_library_name=ndt7-js")
        .contains("client_library_version=0.1.4");
    for (String subtest : new String[] {"download", "upload"}) {
      JsonNode s = r.path(subtest);
      assertThat(s.path("rc").asInt(-1)).as(subtest + " return code: " + r).isZero();
      assertThat(s.has("start")).as(subtest + " started: " + r).isTrue();
      assertThat(s.has("complete")).as(subtest + " completed: " + r).isTrue();
      assertThat(s.path("completedAt").asDouble() - s.path("calledAt").asDouble())
          .as(subtest + ": completed by the socket closing, not the library's 12 s watchdog")
          .isLessThan(WATCHDOG_MS - 100);
      assertThat(s.path("measurements").path("server").asInt())
          .as(subtest + " server messages")
          .isGreaterThan(5);
    }
    JsonNode downClient = r.path("download").path("complete").path("LastClientMeasurement");
    JsonNode upServer = r.path("upload").path("complete").path("LastServerMeasurement");
    assertThat(downClient.path("NumBytes").asLong()).as(r.toString()).isPositive();
    assertThat(upServer.path("AppInfo").path("NumBytes").asLong()).as(r.toString()).isPositive();
    assertThat(upServer.path("Test").asText()).isEqualTo("upload");

    // The server's view, as recorded.
    Row down = row(testId, "download");
    Row up = row(testId, "upload");
    assertThat(down.error).as("download error").isNull();
    assertThat(up.error).as("upload error").isNull();
    assertThat(down.seconds).as("download seconds").isBetween(9.9, 15.0);
    assertThat(up.seconds).as("upload seconds").isBetween(9.0, 15.0);

    // Download: the client's own figure against the server's record.
    double clientDown = downClient.path("MeanClientMbps").asDouble();
    assertThat(clientDown)
        .as("MeanClientMbps is NumBytes / ElapsedTime")
        .isCloseTo(
            downClient.path("NumBytes").asDouble()
                * 8
                / 1e6
                / downClient.path("ElapsedTime").asDouble(),
            within(clientDown * 1e-9));
    assertThat(downClient.path("ElapsedTime").asDouble())
        .as("client's last sample, s")
        .isGreaterThan(9.0);
    double serverDown = down.mbps();

    // Upload: the server's last measurement message as the client received it.
    double appUp =
        upServer.path("AppInfo").path("NumBytes").asDouble()
            * 8
            / upServer.path("AppInfo").path("ElapsedTime").asDouble();
    JsonNode tcp = upServer.path("TCPInfo");
    double shownUp =
        tcp.has("BytesReceived") && tcp.path("ElapsedTime").asDouble() > 0
            ? tcp.path("BytesReceived").asDouble() * 8 / tcp.path("ElapsedTime").asDouble()
            : appUp;
    assertThat(upServer.path("AppInfo").path("NumBytes").asLong()).isLessThanOrEqualTo(up.bytes);
    double serverUp = up.mbps();
    double clientOwnUp =
        r.path("upload")
            .path("complete")
            .path("LastClientMeasurement")
            .path("MeanClientMbps")
            .asDouble();

    String figures =
        String.format(
            Locale.ROOT,
            "M-Lab ndt7-js 0.1.4 vs Enlace: download client"
                + " %.1f / server %.1f Mbit/s (%+.2f %%, %.2f s, %d bytes); upload shown %.1f (TCPInfo=%s),"
                + " AppInfo %.1f / server %.1f Mbit/s (%+.2f %%, %+.2f %%, %.2f s, %d bytes);"
                + " client's own upload figure %.1f Mbit/s (%+.2f %%)",
            clientDown,
            serverDown,
            pct(clientDown, serverDown),
            down.seconds,
            down.bytes,
            shownUp,
            tcp.has("BytesReceived"),
            appUp,
            serverUp,
            pct(shownUp, serverUp),
            pct(appUp, serverUp),
            up.seconds,
            up.bytes,
            clientOwnUp,
            pct(clientOwnUp, serverUp));
    System.out.println(figures);
    Files.writeString(work.resolve("mlab-ndt7-compat.txt"), figures + "\n" + r + "\n");

    assertThat(clientDown)
        .as("download: " + figures)
        .isCloseTo(serverDown, within(serverDown * TOLERANCE));
    assertThat(shownUp)
        .as("upload (TCPInfo): " + figures)
        .isCloseTo(serverUp, within(serverUp * TOLERANCE));
    assertThat(appUp)
        .as("upload (AppInfo): " + figures)
        .isCloseTo(serverUp, within(serverUp * TOLERANCE));
    assertThat(clientOwnUp)
        .as("upload (client's own): " + figures)
        .isCloseTo(serverUp, within(serverUp * TOLERANCE));
  }

  record Row(long bytes, double seconds, String error) {
    double mbps() {
      return bytes * 8 / seconds / 1e6;
    }
  }

  private static Row row(String testId, String subtest) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      Optional<Row> row =
          APP.jdbi()
              .withHandle(
                  h ->
                      h.createQuery(
                              """
                              SELECT bytes,
                              EXTRACT(EPOCH FROM (ended_at - started_at))::float8 AS seconds, error
                              FROM ndt7_server_results WHERE test_id = CAST(:id AS uuid) AND subtest = :subtest
                              """)
                          .bind("id", testId)
                          .bind("subtest", subtest)
                          .map(
                              (rs, ctx) ->
                                  new Row(
                                      rs.getLong("bytes"),
                                      rs.getDouble("seconds"),
                                      rs.getString("error")))
                          .findOne());
      if (row.isPresent()) {
        return row.get();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the server recorded no " + subtest + " for " + testId);
  }

  private static double pct(double client, double server) {
    return (client / server - 1) * 100;
  }

  /** The access_token of a slot's relative URL. */
  private static String token(String url, String path) {
    assertThat(url).startsWith(path + "?");
    return MlabPages.accessToken(URI.create(url));
  }

  private static boolean truthy(HeadlessChromium browser, String page, String js) {
    try {
      return browser.eval(page, "!!(" + js + ")").asBoolean();
    } catch (Exception e) {
      return false;
    }
  }
}

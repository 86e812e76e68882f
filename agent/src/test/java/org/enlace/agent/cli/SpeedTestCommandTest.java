package org.enlace.agent.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.enlace.agent.config.AgentConfig;
import org.enlace.agent.config.Credentials;
import org.enlace.agent.journal.Journal;
import org.enlace.agent.journal.JournalConfig;
import org.enlace.agent.journal.Record;
import org.enlace.agent.speedtest.Ndt7TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code enlace-agent speedtest}: WireMock as the Enlace server and M-Lab's locate API. */
class SpeedTestCommandTest {
  @TempDir Path dir;
  WireMockServer server;
  Ndt7TestServer ndt7;
  StringWriter out = new StringWriter();
  StringWriter err = new StringWriter();

  @BeforeEach
  void start() throws Exception {
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    server.stubFor(
        get(urlEqualTo("/api/v1/ping"))
            .willReturn(aResponse().withStatus(200).withBody("{\"status\":\"ok\"}")));
    ndt7 = new Ndt7TestServer();
    ndt7.rate = 2_500_000;
    ndt7.durationMs = 2000;
    SpeedTestCommand.timing =
        new Duration[] {Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofMillis(1500)};
    // Checks that need nothing but the local WireMock (the server's ping is always added).
    Files.writeString(
        dir.resolve(AgentConfig.FILE_NAME),
        "dns.names=\nhttp.targets=\n"
            + "captivePortal.url=\ntcp.targets=\ncheck.timeout=2s\n"
            + "speedTest.mlab.locateUrl=http://127.0.0.1:"
            + server.port()
            + "/v2/nearest/ndt/ndt7\n");
  }

  @AfterEach
  void stop() throws Exception {
    SpeedTestCommand.timing = null;
    server.stop();
    ndt7.close();
  }

  void enroll() throws Exception {
    new Credentials(
            URI.create("http://127.0.0.1:" + server.port()),
            "6f1d2c1e-0000-4000-8000-000000000001",
            "s3cret",
            42,
            "alcaldia")
        .save(dir);
  }

  int run(String... args) {
    CommandLine cl = AgentMain.WithPicocli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 3];
    all[0] = "--data-dir";
    all[1] = dir.toString();
    all[2] = "speedtest";
    System.arraycopy(args, 0, all, 3, args.length);
    return cl.execute(all);
  }

  String slot(String id) {
    Instant now = Instant.now();
    return "{\"testId\":\""
        + id
        + "\",\"notBefore\":\""
        + now
        + "\",\"notAfter\":\""
        + now.plusSeconds(300)
        + "\",\"downloadUrl\":\""
        + ndt7.base()
        + "/ndt/v7/download?access_token=a\",\"uploadUrl\":\""
        + ndt7.base()
        + "/ndt/v7/upload?access_token=b\",\"maxBytes\":50000000,\"connections\":1}";
  }

  List<Map<String, Object>> journaled() throws Exception {
    try (Journal j = Journal.open(dir.resolve("journal"), JournalConfig.defaults())) {
      List<Map<String, Object>> l = new ArrayList<>();
      for (Record r : j.batch(100, 1 << 20)) {
        l.add(JSON.std.mapFrom(r.payload()));
      }
      return l;
    }
  }

  @Test
  void asksForASlotRunsTheTestPrintsItAndJournalsIt() throws Exception {
    enroll();
    server.stubFor(
        post(urlEqualTo("/api/v1/speedtest/slot"))
            .willReturn(aResponse().withStatus(200).withBody(slot("t-cli"))));
    int code = run();
    assertThat(code).as(out + "\n" + err).isZero();
    server.verify(
        postRequestedFor(urlEqualTo("/api/v1/speedtest/slot"))
            .withHeader(
                "Authorization",
                equalTo(
                    new Credentials(null, "6f1d2c1e-0000-4000-8000-000000000001", "s3cret", 42, "a")
                        .authorization()))
            .withRequestBody(equalToJson("{}")));
    String o = out.toString();
    assertThat(o)
        .contains("Speed test t-cli")
        .containsPattern("download .*Mbit/s")
        .contains("Mbit/s steady")
        .contains("latency")
        .contains("Queued ndt7 result as " + "observation 1");
    List<Map<String, Object>> obs = journaled();
    assertThat(obs).hasSize(1);
    Map<?, ?> st = (Map<?, ?>) obs.get(0).get("speedTest");
    assertThat(st.get("method")).isEqualTo("ndt7");
    assertThat(st.get("testId")).isEqualTo("t-cli");
    assertThat(((Number) st.get("downMbps")).doubleValue()).isBetween(18.0, 22.0);
    assertThat(obs.get(0)).containsKeys("status", "checks");
  }

  @Test
  void busyLinkAnswers429WithRetryAfter() throws Exception {
    enroll();
    server.stubFor(
        post(urlEqualTo("/api/v1/speedtest/slot"))
            .willReturn(
                aResponse()
                    .withStatus(429)
                    .withHeader("Retry-After", "120")
                    .withBody(
                        "{\"code\":429,\"error\":"
                            + "\"link_busy\",\"message\":\"another computer is testing this link\"}")));
    assertThat(run("--force")).isEqualTo(SpeedTestCommand.NO_SLOT);
    assertThat(err.toString())
        .contains(
            "The server gives no test now (link_busy): another "
                + "computer is testing this link; try again in 2 min.");
    server.verify(
        postRequestedFor(urlEqualTo("/api/v1/speedtest/slot"))
            .withRequestBody(equalToJson("{\"force\":true}")));
    assertThat(ndt7.requests).isEmpty();
  }

  @Test
  void noIspLinkAnswers409() throws Exception {
    enroll();
    server.stubFor(
        post(urlEqualTo("/api/v1/speedtest/slot"))
            .willReturn(
                aResponse()
                    .withStatus(409)
                    .withBody(
                        "{\"code\":409,\"error\":\"no_link\",\"message\":\"no ISP " + "link\"}")));
    assertThat(run()).isEqualTo(SpeedTestCommand.NO_SLOT);
    assertThat(err.toString()).contains("no ISP link");
  }

  @Test
  void aFailedTestIsPrintedAndQueuedWithItsErrorAndNoSpeed() throws Exception {
    enroll();
    ndt7.mode = Ndt7TestServer.Mode.CLOSE_EARLY;
    ndt7.misbehaveAfterMs = 700;
    server.stubFor(
        post(urlEqualTo("/api/v1/speedtest/slot"))
            .willReturn(aResponse().withStatus(200).withBody(slot("t-bad"))));
    assertThat(run()).isEqualTo(SpeedTestCommand.TEST_FAILED);
    assertThat(out.toString()).contains("FAILED: download: connection lost after");
    Map<?, ?> st = (Map<?, ?>) journaled().get(0).get("speedTest");
    assertThat(st.get("error").toString()).startsWith("download: connection lost");
    assertThat(st.containsKey("downMbps") || st.containsKey("upMbps")).isFalse();
  }

  @Test
  void mlabTestFoundWithTheLocateApiWithoutEnrollment() throws Exception {
    server.stubFor(
        get(urlPathEqualTo("/v2/nearest/ndt/ndt7"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withBody(
                        "{\"results\":[{\"machine\":\"mlab1-test\",\"urls\":{"
                            + "\"wss:///ndt/v7/download\":\""
                            + ndt7.base()
                            + "/ndt/v7/download?access_token=m1\","
                            + "\"wss:///ndt/v7/upload\":\""
                            + ndt7.base()
                            + "/ndt/v7/upload?access_token=m2\"}}]}")));
    assertThat(run("--mlab")).as(out + "\n" + err).isZero();
    assertThat(out.toString())
        .contains("ndt7-mlab against 127.0.0.1:" + ndt7.port())
        .contains("Not enrolled: this result is not kept.");
    assertThat(ndt7.requests.get(0)).startsWith("/ndt/v7/download?access_token=m1&client_name=");
  }

  @Test
  void withoutEnrollmentAndWithoutMlabNothingRuns() {
    assertThat(run()).isEqualTo(AgentMain.NOT_ENROLLED);
    assertThat(run("--connections", "0")).isEqualTo(2);
  }
}

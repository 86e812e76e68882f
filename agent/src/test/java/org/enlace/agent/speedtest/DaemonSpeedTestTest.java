package org.enlace.agent.speedtest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.ProxySelector;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.enlace.agent.config.AgentConfig;
import org.enlace.agent.config.Credentials;
import org.enlace.agent.journal.Journal;
import org.enlace.agent.journal.JournalConfig;
import org.enlace.agent.probe.CheckResults;
import org.enlace.agent.probe.RoundResult;
import org.enlace.agent.probe.Status;
import org.enlace.agent.run.Daemon;
import org.enlace.agent.upload.ClockOffset;
import org.enlace.agent.upload.ServerClient;
import org.enlace.agent.upload.Uploader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A slot in a report answer → a test in its window → its result in the next observation. */
class DaemonSpeedTestTest {
  @TempDir Path dir;
  WireMockServer server;
  Ndt7TestServer ndt7;
  Journal journal;

  @BeforeEach
  void start() throws Exception {
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    ndt7 = new Ndt7TestServer();
    journal = Journal.open(dir.resolve("journal"), JournalConfig.defaults());
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
    ndt7.close();
    journal.close();
  }

  Uploader uploader() throws Exception {
    Credentials c =
        new Credentials(
            URI.create("http://127.0.0.1:" + server.port()),
            "6f1d2c1e-0000-4000-8000-000000000001",
            "s3cret",
            7,
            "alcaldia");
    return new Uploader(
        journal,
        new ServerClient(ProxySelector.of(null), Optional.empty(), Duration.ofSeconds(5)),
        c,
        new ClockOffset(),
        500,
        768 * 1024,
        Duration.ofMillis(200),
        Duration.ofSeconds(1));
  }

  static String answerWithSlot(String slot) {
    return "{\"protocolVersion\":1,\"serverTime\":\""
        + Instant.now()
        + "\",\"acknowledged\":[1],"
        + "\"stored\":1,\"duplicates\":0,\"rejected\":[]"
        + (slot == null ? "" : ",\"speedTest\":" + slot)
        + "}";
  }

  static String slot(String id, Instant from, Instant to, String down, String up) {
    return "{\"testId\":\""
        + id
        + "\",\"notBefore\":\""
        + from
        + "\",\"notAfter\":\""
        + to
        + "\",\"downloadUrl\":\""
        + down
        + "\",\"uploadUrl\":\""
        + up
        + "\",\"maxBytes\":50000000,\"connections\":1}";
  }

  @Test
  void theReportAnswersSlotReachesTheSchedulerWithUrlsResolvedAgainstTheServer() throws Exception {
    Instant from = Instant.now().plusSeconds(3600);
    server.stubFor(
        post(urlEqualTo("/api/v1/reports"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withBody(
                        answerWithSlot(
                            slot(
                                "t-9",
                                from,
                                from.plusSeconds(900),
                                "/ndt/v7/download?access_token=abc",
                                "/ndt/v7/upload?access_token=def")))));
    journal.append(
        seq ->
            ("{\"seq\":"
                    + seq
                    + ",\"observedAt\":\"2026-11-20T08:00:00-05:00\","
                    + "\"status\":\"online\",\"reason\":\"ok\",\"checks\":{}}")
                .getBytes(StandardCharsets.UTF_8));
    Uploader u = uploader();
    List<Object> offered = new CopyOnWriteArrayList<>();
    u.onSpeedTestSlot(offered::add);
    assertThat(u.uploadOnce().kind()).isEqualTo(Uploader.Kind.ACCEPTED);
    SpeedTestSlot s = SpeedTestSlot.fromJson(offered.get(0)).orElseThrow();
    assertThat(s.testId()).isEqualTo("t-9");
    assertThat(s.notBefore()).isEqualTo(from);
    assertThat(SpeedTestSlot.webSocketUri(u.serverUrl(), s.downloadUrl()))
        .isEqualTo(
            URI.create("ws://127.0.0.1:" + server.port() + "/ndt/v7/download?access_token=abc"));
  }

  @Test
  void theDaemonRunsTheSlotsTestAndSendsItWithTheNextObservation() throws Exception {
    ndt7.rate = 2_500_000;
    ndt7.durationMs = 3500;
    ndt7.closeUploadAfterDuration = true;
    Instant now = Instant.now();
    String s =
        slot(
            "t-daemon",
            now,
            now.plusSeconds(2),
            ndt7.base() + "/ndt/v7/download?access_token=a",
            ndt7.base() + "/ndt/v7/upload?access_token=b");
    server.stubFor(
        post(urlEqualTo("/api/v1/reports"))
            .willReturn(aResponse().withStatus(200).withBody(answerWithSlot(s))));
    Properties p = new Properties();
    p.setProperty("check.interval", "1s");
    p.setProperty("check.jitter", "100ms");
    AgentConfig config = AgentConfig.from(p);
    try (var out = Files.newOutputStream(dir.resolve(AgentConfig.FILE_NAME))) {
      p.store(out, null);
    }
    Uploader uploader = uploader();
    // As the service wires it: the test runs in a child JVM (SpeedTestProcess).
    Daemon d =
        new Daemon(
            dir,
            config,
            journal,
            uploader,
            new ClockOffset(),
            () ->
                new RoundResult(
                    Instant.now(),
                    Status.ONLINE,
                    "all probes ok",
                    new CheckResults(List.of(), List.of(), List.of(), Optional.empty(), 0)),
            SpeedTestProcess.runner(dir, Optional.empty(), uploader.serverUrl()));
    Thread t =
        new Thread(
            () -> {
              try {
                d.run();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    t.start();
    List<Map<?, ?>> speedTests = new ArrayList<>();
    List<Map<?, ?>> counters = new ArrayList<>();
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (speedTests.isEmpty() && System.nanoTime() < end) {
      Thread.sleep(500);
      speedTests.clear();
      counters.clear();
      for (LoggedRequest r : server.findAll(postRequestedFor(urlEqualTo("/api/v1/reports")))) {
        for (Object o : (List<?>) JSON.std.mapFrom(r.getBody()).get("observations")) {
          Map<?, ?> obs = (Map<?, ?>) o;
          if (obs.get("speedTest") instanceof Map<?, ?> st) {
            speedTests.add(st);
          }
          if (obs.get("interfaceCounters") instanceof Map<?, ?> c) {
            counters.add(c);
          }
        }
      }
    }
    d.stop();
    t.join(20_000);
    assertThat(speedTests).hasSize(1);
    Map<?, ?> st = speedTests.get(0);
    assertThat(st.get("method")).isEqualTo("ndt7");
    assertThat(st.get("testId")).isEqualTo("t-daemon");
    assertThat(st.get("error")).as("%s", st).isNull();
    assertThat(((Number) st.get("downMbps")).doubleValue()).isBetween(18.0, 22.0);
    assertThat(((Number) st.get("upMbps")).doubleValue()).isBetween(18.0, 22.0);
    // The slot was offered in every answer; the test ran once.
    assertThat(ndt7.requests).hasSize(2);
    if (Files.isReadable(Path.of("/proc/net/route"))
        && !InterfaceCounters.system().read().isEmpty()) {
      assertThat(counters).isNotEmpty();
      assertThat(counters.get(0).get("rxBytes")).isInstanceOf(Number.class);
      assertThat(counters.get(0).get("interface")).isNotNull();
    }
  }
}

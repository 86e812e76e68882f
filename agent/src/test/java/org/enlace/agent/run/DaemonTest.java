package org.enlace.agent.run;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.enlace.agent.config.AgentConfig;
import org.enlace.agent.config.Credentials;
import org.enlace.agent.journal.Journal;
import org.enlace.agent.probe.CheckResults;
import org.enlace.agent.probe.RoundResult;
import org.enlace.agent.probe.Status;
import org.enlace.agent.upload.ClockOffset;
import org.enlace.agent.upload.ServerClient;
import org.enlace.agent.upload.Uploader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon loop with WireMock as the server: rounds journaled, queued checks, uploads. */
class DaemonTest {
  @TempDir Path dir;
  WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

  @AfterEach
  void stop() {
    server.stop();
  }

  @Test
  void roundsAndQueuedChecksReachTheServerInOrderAndStatusIsWritten() throws Exception {
    server.start();
    server.stubFor(
        post(urlEqualTo("/api/v1/reports"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withBody(
                        "{\"serverTime\":\""
                            + Instant.now()
                            + "\",\"acknowledged\":[],\"stored\":1,"
                            + "\"duplicates\":0,\"rejected\":[]}")));
    Properties p = new Properties();
    p.setProperty("check.interval", "1s");
    p.setProperty("check.jitter", "100ms");
    AgentConfig config = AgentConfig.from(p);
    // A check run by hand while the daemon owns the journal waits in the inbox.
    Path inbox = Files.createDirectories(dir.resolve(Daemon.INBOX));
    Files.write(
        inbox.resolve("00000000000000000001.json"),
        ObservationJson.encode(-1, round(Status.LIMITED), Optional.empty()));
    AtomicInteger rounds = new AtomicInteger();
    try (Journal journal = Journal.open(dir.resolve("journal"), config.journal())) {
      Credentials c =
          new Credentials(
              URI.create("http://127.0.0.1:" + server.port()),
              "6f1d2c1e-0000-4000-8000-000000000001",
              "s",
              1,
              "alcaldia");
      Uploader u =
          new Uploader(
              journal,
              new ServerClient(ProxySelector.of(null), Optional.empty(), Duration.ofSeconds(5)),
              c,
              new ClockOffset(),
              500,
              768 * 1024,
              Duration.ofMillis(200),
              Duration.ofSeconds(1));
      Daemon d =
          new Daemon(
              dir,
              config,
              journal,
              u,
              new ClockOffset(),
              () -> {
                rounds.incrementAndGet();
                return round(Status.ONLINE);
              });
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
      long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (rounds.get() < 3 && System.nanoTime() < end) {
        Thread.sleep(100);
      }
      Thread.sleep(500);
      d.stop();
      t.join(20_000);
      assertThat(t.isAlive()).isFalse();
      assertThat(journal.pending()).isZero();
    }
    try (Stream<Path> left = Files.list(inbox)) {
      assertThat(left).isEmpty();
    }
    List<Long> seqs = new ArrayList<>();
    List<String> statuses = new ArrayList<>();
    for (LoggedRequest r : server.findAll(postRequestedFor(urlEqualTo("/api/v1/reports")))) {
      for (Object o : (List<?>) JSON.std.mapFrom(r.getBody()).get("observations")) {
        seqs.add(((Number) ((Map<?, ?>) o).get("seq")).longValue());
        statuses.add(((Map<?, ?>) o).get("status").toString());
      }
    }
    seqs.sort(null);
    assertThat(seqs).hasSizeGreaterThanOrEqualTo(4).doesNotHaveDuplicates();
    assertThat(seqs.get(0)).isEqualTo(1L);
    assertThat(seqs.get(seqs.size() - 1)).isEqualTo((long) seqs.size());
    assertThat(statuses).contains("limited", "online");
    Map<String, Object> status = StatusFile.read(dir);
    assertThat(status).containsKeys("lastRound", "lastUpload", "queue", "server");
    assertThat(status.get("server")).isEqualTo("reachable");
  }

  static RoundResult round(Status s) {
    return new RoundResult(
        Instant.now(),
        s,
        s == Status.ONLINE ? "all probes ok" : "captive portal",
        new CheckResults(
            List.of(),
            List.of(new CheckResults.Http("https://www.gov.co/", true, 200, 120, "")),
            List.of(),
            Optional.empty(),
            0.0));
  }
}

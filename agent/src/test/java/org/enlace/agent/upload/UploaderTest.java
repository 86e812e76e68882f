package org.enlace.agent.upload;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ProxySelector;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.enlace.agent.config.Credentials;
import org.enlace.agent.journal.Journal;
import org.enlace.agent.journal.JournalConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The uploader against WireMock standing in for the Enlace server. */
class UploaderTest {
  @TempDir Path dir;
  WireMockServer server;
  Journal journal;
  ClockOffset clock;

  @BeforeEach
  void start() throws IOException {
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    journal = Journal.open(dir.resolve("journal"), JournalConfig.defaults());
    clock = new ClockOffset();
  }

  @AfterEach
  void stop() throws IOException {
    server.stop();
    journal.close();
  }

  Uploader uploader(Duration timeout) throws IOException {
    return uploader(server.port(), timeout);
  }

  Uploader uploader(int port, Duration timeout) throws IOException {
    Credentials c =
        new Credentials(
            URI.create("http://127.0.0.1:" + port),
            "6f1d2c1e-0000-4000-8000-000000000001",
            "s3cret",
            7,
            "alcaldia");
    return new Uploader(
        journal,
        new ServerClient(ProxySelector.of(null), Optional.empty(), timeout),
        c,
        clock,
        500,
        768 * 1024,
        Duration.ofSeconds(1),
        Duration.ofSeconds(60));
  }

  void append(int n) throws IOException {
    for (int i = 0; i < n; i++) {
      journal.append(
          seq ->
              ("{\"seq\":"
                      + seq
                      + ",\"observedAt\":\"2026-11-20T08:00:00-05:00\","
                      + "\"status\":\"online\",\"reason\":\"ok\",\"checks\":{}}")
                  .getBytes(StandardCharsets.UTF_8));
    }
  }

  static String accepted(long... seqs) {
    StringBuilder ack = new StringBuilder();
    for (long s : seqs) {
      ack.append(ack.length() == 0 ? "" : ",").append(s);
    }
    return "{\"protocolVersion\":1,\"serverTime\":\""
        + Instant.now().plusSeconds(3600)
        + "\",\"acknowledged\":["
        + ack
        + "],\"stored\":"
        + seqs.length
        + ",\"duplicates\":0,\"rejected\":[]}";
  }

  @Test
  void sendsGzipWithCredentialsAcknowledgesAndLearnsTheClockOffset() throws Exception {
    append(3);
    server.stubFor(
        post(urlEqualTo("/api/v1/reports"))
            .willReturn(aResponse().withStatus(200).withBody(accepted(1, 2, 3))));
    Uploader.Outcome o = uploader(Duration.ofSeconds(5)).uploadOnce();
    assertThat(o.kind()).isEqualTo(Uploader.Kind.ACCEPTED);
    assertThat(o.sent()).isEqualTo(3);
    assertThat(journal.pending()).isZero();
    assertThat(uploader(Duration.ofSeconds(5)).uploadOnce().kind())
        .isEqualTo(Uploader.Kind.NOTHING_TO_SEND);
    server.verify(
        1,
        postRequestedFor(urlEqualTo("/api/v1/reports"))
            .withHeader("Content-Encoding", equalTo("gzip"))
            .withHeader("Authorization", matching("Basic .+"))
            // Each report names the agent's release: the POM's version, as the server's is.
            .withHeader(
                "User-Agent", equalTo("enlace-agent/" + System.getProperty("enlace.version"))));
    LoggedRequest r = server.findAll(postRequestedFor(urlEqualTo("/api/v1/reports"))).get(0);
    Map<String, Object> body = JSON.std.mapFrom(decode(r.getBody()));
    assertThat(body.get("protocolVersion")).isEqualTo(1);
    assertThat((List<?>) body.get("observations")).hasSize(3);
    // The server's clock is an hour ahead of ours.
    assertThat(clock.offsetMs())
        .hasValueSatisfying(ms -> assertThat(ms).isBetween(3_600_000L - 5_000, 3_600_000L + 5_000));
  }

  @Test
  void eachReportSaysHowManyObservationsStillWaitAndSinceWhen() throws Exception {
    long before = System.currentTimeMillis();
    append(5);
    long after = System.currentTimeMillis();
    server.stubFor(
        post(urlEqualTo("/api/v1/reports"))
            .willReturn(aResponse().withStatus(200).withBody(accepted())));
    Credentials c =
        new Credentials(
            URI.create("http://127.0.0.1:" + server.port()),
            "6f1d2c1e-0000-4000-8000-000000000001",
            "s3cret",
            7,
            "alcaldia");
    Uploader small =
        new Uploader(
            journal,
            new ServerClient(ProxySelector.of(null), Optional.empty(), Duration.ofSeconds(5)),
            c,
            clock,
            2,
            768 * 1024,
            Duration.ofSeconds(1),
            Duration.ofSeconds(60));
    for (int i = 0; i < 3; i++) {
      assertThat(small.uploadOnce().kind()).isEqualTo(Uploader.Kind.ACCEPTED);
    }
    List<LoggedRequest> sent = server.findAll(postRequestedFor(urlEqualTo("/api/v1/reports")));
    assertThat(sent).hasSize(3);
    List<Map<String, Object>> queues = new ArrayList<>();
    for (LoggedRequest r : sent) {
      Map<String, Object> body = JSON.std.mapFrom(decode(r.getBody()));
      assertThat(body).containsKey("queue");
      @SuppressWarnings("unchecked")
      Map<String, Object> queue = (Map<String, Object>) body.get("queue");
      queues.add(queue);
    }
    // Batches of 2, 2 and 1: 3, then 1, then nothing waits after each.
    assertThat(queues)
        .extracting(q -> ((Number) q.get("depth")).longValue())
        .containsExactly(3L, 1L, 0L);
    for (Map<String, Object> q : queues.subList(0, 2)) {
      long oldest = Instant.parse(q.get("oldestAt").toString()).toEpochMilli();
      assertThat(oldest).isBetween(before, after);
    }
    assertThat(queues.get(2)).doesNotContainKey("oldestAt");
    // The same figures the status command shows once a batch is acknowledged.
    assertThat(journal.pending()).isZero();
  }

  @Test
  void partialRejectionDropsTheRejectedAndNeverRetriesThem() throws Exception {
    append(3);
    server.stubFor(
        post(urlEqualTo("/api/v1/reports"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withBody(
                        "{\"serverTime\":\""
                            + Instant.now()
                            + "\",\"acknowledged\":[1,3],\"stored\":2,"
                            + "\"duplicates\":0,\"rejected\":[{\"index\":1,\"seq\":2,\"reason\":\"malformed\","
                            + "\"field\":\"observations[1].status\",\"message\":\"bad\"}]}")));
    Uploader.Outcome o = uploader(Duration.ofSeconds(5)).uploadOnce();
    assertThat(o.rejected()).isEqualTo(1);
    assertThat(journal.pending()).isZero();
  }

  @Test
  void honoursRetryAfterOn429And503AndKeepsEverything() throws Exception {
    append(2);
    server.stubFor(
        post(urlEqualTo("/api/v1/reports"))
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "17")));
    Uploader.Outcome o = uploader(Duration.ofSeconds(5)).uploadOnce();
    assertThat(o.kind()).isEqualTo(Uploader.Kind.SERVER_BUSY);
    assertThat(o.retryIn()).contains(Duration.ofSeconds(17));
    assertThat(journal.pending()).isEqualTo(2);
    server.stubFor(
        post(urlEqualTo("/api/v1/reports"))
            .willReturn(
                aResponse()
                    .withStatus(503)
                    .withHeader("Retry-After", "9")
                    .withBody("{\"code\":503,\"error\":\"unavailable\"}")));
    assertThat(uploader(Duration.ofSeconds(5)).uploadOnce().retryIn())
        .contains(Duration.ofSeconds(9));
    assertThat(journal.pending()).isEqualTo(2);
  }

  @Test
  void serverErrorsBackOffExponentiallyWithJitter() throws Exception {
    append(1);
    server.stubFor(post(urlEqualTo("/api/v1/reports")).willReturn(aResponse().withStatus(500)));
    Uploader u = uploader(Duration.ofSeconds(5));
    long previousCap = 0;
    for (int i = 1; i <= 6; i++) {
      Uploader.Outcome o = u.uploadOnce();
      assertThat(o.kind()).isEqualTo(Uploader.Kind.SERVER_BUSY);
      long cap = Math.min(60_000, 1000L << (i - 1));
      assertThat(o.retryIn().orElseThrow().toMillis()).isBetween(cap / 2, cap);
      assertThat(cap).isGreaterThanOrEqualTo(previousCap);
      previousCap = cap;
    }
    assertThat(journal.pending()).isEqualTo(1);
  }

  @Test
  void slowServerTimesOutAndResetConnectionIsRetried() throws Exception {
    append(1);
    server.stubFor(
        post(urlEqualTo("/api/v1/reports"))
            .willReturn(aResponse().withStatus(200).withFixedDelay(3_000).withBody(accepted(1))));
    Uploader.Outcome slow = uploader(Duration.ofMillis(500)).uploadOnce();
    assertThat(slow.kind()).isEqualTo(Uploader.Kind.RETRY_LATER);
    assertThat(slow.detail()).contains("unreachable");
    server.stubFor(
        post(urlEqualTo("/api/v1/reports"))
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    assertThat(uploader(Duration.ofSeconds(5)).uploadOnce().kind())
        .isEqualTo(Uploader.Kind.RETRY_LATER);
    assertThat(journal.pending()).isEqualTo(1);
  }

  @Test
  void revokedCredentialsAreReportedAndNothingIsDropped() throws Exception {
    append(2);
    server.stubFor(
        post(urlEqualTo("/api/v1/reports"))
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withBody(
                        "{\"code\":401,\"error\":\"agent_revoked\",\"message\":\"revoked\"}")));
    Uploader.Outcome o = uploader(Duration.ofSeconds(5)).uploadOnce();
    assertThat(o.kind()).isEqualTo(Uploader.Kind.CREDENTIALS_REFUSED);
    assertThat(o.detail()).contains("agent_revoked");
    assertThat(journal.pending()).isEqualTo(2);
  }

  @Test
  void serverAwayForALongTimeThenBackGetsEverythingInOrder() throws Exception {
    append(1200);
    int port = server.port();
    server.stop();
    Uploader u = uploader(port, Duration.ofSeconds(2));
    for (int i = 0; i < 5; i++) {
      assertThat(u.uploadOnce().kind()).isEqualTo(Uploader.Kind.RETRY_LATER);
    }
    assertThat(journal.pending()).isEqualTo(1200);
    server = new WireMockServer(options().bindAddress("127.0.0.1").port(port));
    server.start();
    server.stubFor(
        post(urlEqualTo("/api/v1/reports"))
            .willReturn(aResponse().withStatus(200).withBody(accepted())));
    int batches = 0;
    while (u.uploadOnce().kind() == Uploader.Kind.ACCEPTED) {
      batches++;
    }
    assertThat(batches).isEqualTo(3);
    assertThat(journal.pending()).isZero();
    // Requests may be listed in any order; each is a contiguous run and together they are 1..N.
    List<List<Long>> runs = new ArrayList<>();
    for (LoggedRequest r : server.findAll(postRequestedFor(urlEqualTo("/api/v1/reports")))) {
      Map<String, Object> body = JSON.std.mapFrom(decode(r.getBody()));
      runs.add(
          ((List<?>) body.get("observations"))
              .stream().map(o -> ((Number) ((Map<?, ?>) o).get("seq")).longValue()).toList());
    }
    runs.sort(Comparator.comparing(run -> run.get(0)));
    long previous = 0;
    for (List<Long> run : runs) {
      for (long seq : run) {
        assertThat(seq).isEqualTo(previous + 1);
        previous = seq;
      }
    }
    assertThat(previous).isEqualTo(1200);
  }

  /**
   * WireMock hands over gzip bodies already decoded; the header check above proves we sent gzip.
   */
  static byte[] decode(byte[] body) throws IOException {
    if (body.length > 1 && (body[0] & 0xff) == 0x1f && (body[1] & 0xff) == 0x8b) {
      return new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
    }
    return body;
  }

  @Test
  void tooLargeHalvesTheBatch() throws Exception {
    append(10);
    server.stubFor(
        post(urlEqualTo("/api/v1/reports"))
            .willReturn(
                aResponse()
                    .withStatus(413)
                    .withBody("{\"code\":413,\"error\":\"body_too_large\"}")));
    Uploader u = uploader(Duration.ofSeconds(5));
    Uploader.Outcome o = u.uploadOnce();
    assertThat(o.detail()).contains("250");
    assertThat(journal.pending()).isEqualTo(10);
  }
}

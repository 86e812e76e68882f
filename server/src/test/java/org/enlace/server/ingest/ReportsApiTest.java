package org.enlace.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestApp.Agent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DropwizardExtensionsSupport.class)
class ReportsApiTest {
  static final TestApp APP = TestApp.create();
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();

  @BeforeAll
  static void inventory() {
    APP.establishment("alcaldia", "administration");
    APP.establishment("kiosco-plaza", "citizens");
  }

  private static long stored(Agent a) {
    return APP.count(
        """
        SELECT count(*) FROM observations o JOIN agents a ON a.id = o.agent_id
        WHERE a.public_id = CAST(? AS uuid)
        """,
        a.id());
  }

  @Nested
  class Idempotency {
    @Test
    void sameBatchTwiceIsStoredOnceAndAcknowledgedBothTimes() {
      Agent a = APP.enroll("alcaldia");
      ObjectNode body = TestApp.report(1, 2, 3);
      Api.Response first = a.report(body);
      Api.Response second = a.report(body);
      assertThat(first.status()).as(first.toString()).isEqualTo(200);
      assertThat(first.body().get("stored").asInt()).isEqualTo(3);
      assertThat(second.body().get("stored").asInt()).isZero();
      assertThat(second.body().get("duplicates").asInt()).isEqualTo(3);
      assertThat(second.body().get("acknowledged"))
          .extracting(JsonNode::asLong)
          .containsExactlyInAnyOrder(1L, 2L, 3L);
      assertThat(stored(a)).isEqualTo(3);
    }

    @Test
    void sameSequenceTwiceInOneBatchIsStoredOnce() {
      Agent a = APP.enroll("alcaldia");
      Api.Response r = a.report(TestApp.report(7, 7, 8));
      assertThat(r.body().get("stored").asInt()).isEqualTo(2);
      assertThat(r.body().get("duplicates").asInt()).isEqualTo(1);
      assertThat(stored(a)).isEqualTo(2);
    }

    @Test
    void retransmissionWithAnotherClockEstimateIsStillADuplicate() {
      Agent a = APP.enroll("alcaldia");
      ObjectNode body = TestApp.report(1);
      assertThat(a.report(body).body().get("stored").asInt()).isEqualTo(1);
      // The same observation resent with a sentAt that makes the server's offset estimate differ
      // by five minutes: a different corrected time, the same (agent, seq).
      body.put("sentAt", Instant.now().plus(Duration.ofMinutes(5)).toString());
      Api.Response again = a.report(body);
      assertThat(again.body().get("stored").asInt()).isZero();
      assertThat(again.body().get("duplicates").asInt()).isEqualTo(1);
      assertThat(stored(a)).isEqualTo(1);
    }

    @Test
    void fiftyConcurrentAgentsWithInterleavedAndRepeatedBatchesStoreEachObservationOnce()
        throws Exception {
      String token = APP.token("kiosco-plaza", 50);
      List<Agent> agents = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        agents.add(
            APP.enroll(
                token, "kiosk-machine-" + i + "-" + System.nanoTime(), "kiosco-" + i, "kiosk"));
      }
      int batches = 8;
      int perBatch = 25;
      ExecutorService pool = Executors.newFixedThreadPool(32);
      try {
        List<Future<Api.Response>> futures = new ArrayList<>();
        // Each batch goes out twice, from different threads, in an interleaved order.
        for (int round = 0; round < 2; round++) {
          for (int b = 0; b < batches; b++) {
            for (Agent a : agents) {
              long[] seqs = new long[perBatch];
              for (int k = 0; k < perBatch; k++) {
                seqs[k] = (long) b * perBatch + k + 1;
              }
              ObjectNode body = TestApp.report(seqs);
              futures.add(pool.submit(() -> a.report(body)));
            }
          }
        }
        long storedSum = 0;
        for (Future<Api.Response> f : futures) {
          Api.Response r = f.get();
          assertThat(r.status()).as(r.toString()).isEqualTo(200);
          assertThat(r.body().get("acknowledged")).hasSize(perBatch);
          storedSum += r.body().get("stored").asLong();
        }
        long expected = 50L * batches * perBatch;
        assertThat(storedSum).isEqualTo(expected);
        for (Agent a : agents) {
          assertThat(stored(a)).isEqualTo((long) batches * perBatch);
        }
        assertThat(
                APP.count(
                    """
                    SELECT count(*) FROM (SELECT agent_id, seq FROM observations
                    GROUP BY agent_id, seq HAVING count(*) > 1) d
                    """))
            .isZero();
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Nested
  class BadInput {
    @Test
    void malformedObservationIsRejectedAloneAndNamesItsField() {
      Agent a = APP.enroll("alcaldia");
      ObjectNode body = TestApp.report(1, 2, 3);
      ArrayNode obs = (ArrayNode) body.get("observations");
      ((ObjectNode) obs.get(1)).put("status", "up");
      ((ObjectNode) obs.get(2)).remove("checks");
      obs.add(Api.object().put("seq", "x"));
      Api.Response r = a.report(body);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body().get("stored").asInt()).isEqualTo(1);
      JsonNode rejected = r.body().get("rejected");
      assertThat(rejected).hasSize(3);
      assertThat(rejected.get(0).get("field").asText()).isEqualTo("observations[1].status");
      assertThat(rejected.get(0).get("seq").asLong()).isEqualTo(2);
      assertThat(rejected.get(1).get("field").asText()).isEqualTo("observations[2].checks");
      assertThat(rejected.get(2).get("field").asText()).isEqualTo("observations[3].seq");
      assertThat(rejected.get(2).has("seq")).isFalse();
      assertThat(r.body().get("acknowledged")).extracting(JsonNode::asLong).containsExactly(1L);
      assertThat(stored(a)).isEqualTo(1);
    }

    @Test
    void malformedJsonIs400WithAClearMessage() {
      Agent a = APP.enroll("alcaldia");
      Api.Response r =
          a.api()
              .postBytes(
                  "/api/v1/reports", "{\"observations\": [".getBytes(StandardCharsets.UTF_8));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body().get("error").asText()).isEqualTo("malformed_json");
      assertThat(r.body().get("message").asText()).contains("line");
    }

    @Test
    void missingObservationsArrayNamesTheField() {
      Agent a = APP.enroll("alcaldia");
      Api.Response r = a.report(Api.object().put("protocolVersion", 1));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body().get("field").asText()).isEqualTo("observations");
    }

    @Test
    void unknownProtocolVersionIsRefused() {
      Agent a = APP.enroll("alcaldia");
      Api.Response r = a.report(TestApp.report(1).put("protocolVersion", 9));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body().get("message").asText()).contains("protocolVersion");
      assertThat(stored(a)).isZero();
    }

    @Test
    void oversizedBodyIs413AndStoresNothing() {
      Agent a = APP.enroll("alcaldia");
      ObjectNode body = TestApp.report(1);
      ((ObjectNode) body.get("observations").get(0)).put("reason", "x".repeat(400));
      byte[] big =
          ("{\"observations\":[], \"padding\": \"" + "y".repeat(1_100_000) + "\"}")
              .getBytes(StandardCharsets.UTF_8);
      Api.Response r = a.api().postBytes("/api/v1/reports", big);
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.body().get("error").asText()).isEqualTo("body_too_large");
      assertThat(stored(a)).isZero();
    }

    @Test
    void gzipBombIsRefusedOnDecompressedSize() throws IOException {
      Agent a = APP.enroll("alcaldia");
      String json = "{\"observations\":[], \"padding\": \"" + "z".repeat(5_000_000) + "\"}";
      byte[] gz = gzip(json.getBytes(StandardCharsets.UTF_8));
      assertThat(gz.length).isLessThan(100_000);
      Api.Response r = a.api().postBytes("/api/v1/reports", gz, "Content-Encoding", "gzip");
      assertThat(r.status()).isEqualTo(413);
    }

    @Test
    void gzipBodyIsAccepted() throws IOException {
      Agent a = APP.enroll("alcaldia");
      byte[] gz = gzip(Api.JSON.writeValueAsBytes(TestApp.report(1, 2)));
      Api.Response r = a.api().postBytes("/api/v1/reports", gz, "Content-Encoding", "gzip");
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      assertThat(r.body().get("stored").asInt()).isEqualTo(2);
    }

    @Test
    void tooManyObservationsIs413() {
      Agent a = APP.enroll("alcaldia");
      long[] seqs = new long[5001];
      for (int i = 0; i < seqs.length; i++) {
        seqs[i] = i;
      }
      ObjectNode body = TestApp.report(seqs);
      for (JsonNode o : body.get("observations")) {
        ((ObjectNode) o).remove("checks");
        ((ObjectNode) o).putObject("checks");
      }
      Api.Response r = a.report(body);
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.body().get("error").asText()).isEqualTo("too_many_observations");
    }
  }

  @Nested
  class Credentials {
    @Test
    void missingCredentialsAre401() {
      Api.Response r = APP.anonymous().post("/api/v1/reports", TestApp.report(1));
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body().get("error").asText()).isEqualTo("credentials_required");
      assertThat(r.header("WWW-Authenticate")).contains("Basic");
    }

    @Test
    void unknownAgentIs401UnknownAgent() {
      Api.Response r =
          APP.anonymous()
              .as("6f1d2c1e-0000-4000-8000-000000000001", "secret")
              .post("/api/v1/reports", TestApp.report(1));
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body().get("error").asText()).isEqualTo("unknown_agent");
    }

    @Test
    void wrongSecretIs401WrongSecret() {
      Agent a = APP.enroll("alcaldia");
      Api.Response r =
          APP.anonymous().as(a.id(), a.secret() + "x").post("/api/v1/reports", TestApp.report(1));
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body().get("error").asText()).isEqualTo("wrong_secret");
      assertThat(stored(a)).isZero();
    }

    @Test
    void decommissionedComputerIsRevokedAtOnce() {
      Agent a = APP.enroll("alcaldia");
      assertThat(a.report(TestApp.report(1)).status()).isEqualTo(200);
      Api.Response d = APP.it().post("/api/v1/computers/" + a.computerId() + "/decommission", "");
      assertThat(d.status()).as(d.toString()).isEqualTo(200);
      Api.Response r = a.report(TestApp.report(2));
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body().get("error").asText()).isEqualTo("agent_revoked");
      assertThat(stored(a)).isEqualTo(1);
    }

    @Test
    void anAgentCannotReportForAnother() {
      // Reports carry no agent id: what an agent writes always belongs to its own credential.
      Agent a = APP.enroll("alcaldia");
      Agent b = APP.enroll("alcaldia");
      a.report(TestApp.report(1));
      b.report(TestApp.report(1));
      assertThat(stored(a)).isEqualTo(1);
      assertThat(stored(b)).isEqualTo(1);
      assertThat(
              APP.count("SELECT count(*) FROM observations WHERE computer_id = ?", a.computerId()))
          .isEqualTo(1);
    }
  }

  @Nested
  class Clocks {
    @Test
    void serverEstimatesTheOffsetFromSentAtAndCorrectsTheTime() {
      Agent a = APP.enroll("alcaldia");
      Instant now = Instant.now();
      // The PC's clock is three hours behind.
      Instant pcNow = now.minus(Duration.ofHours(3));
      ObjectNode body = Api.object().put("sentAt", pcNow.toString());
      body.putArray("observations").add(TestApp.observation(1, pcNow.minusSeconds(60), "online"));
      Api.Response r = a.report(body);
      assertThat(r.body().get("stored").asInt()).as(r.toString()).isEqualTo(1);
      long offset = r.body().get("clockOffsetMs").asLong();
      assertThat(offset)
          .isBetween(
              Duration.ofHours(3).toMillis() - 5_000, Duration.ofHours(3).toMillis() + 5_000);
      Instant observedAt =
          APP.jdbi()
              .withHandle(
                  h ->
                      h.createQuery("SELECT observed_at FROM observations WHERE computer_id = :c")
                          .bind("c", a.computerId())
                          .mapTo(Instant.class)
                          .one());
      assertThat(Duration.between(now.minusSeconds(60), observedAt).abs())
          .isLessThan(Duration.ofSeconds(5));
      assertThat(
              APP.count(
                  """
                  SELECT count(*) FROM observations_full WHERE computer_id = ?
                  AND time_source = 'server_estimate'
                  """,
                  a.computerId()))
          .isEqualTo(1);
      assertThat(
              APP.count(
                  """
                  SELECT count(*) FROM computers WHERE id = ?
                  AND abs(clock_offset_ms - 10800000) < 5000
                  """,
                  a.computerId()))
          .isEqualTo(1);
    }

    @Test
    void agentOffsetIsPreferredAndFarFutureIsRejectedWithReason() {
      Agent a = APP.enroll("alcaldia");
      Instant now = Instant.now();
      ObjectNode body = Api.object();
      ArrayNode obs = body.putArray("observations");
      obs.add(
          TestApp.observation(1, now.plus(Duration.ofDays(365)), "online")
              .put("clockOffsetMs", -Duration.ofDays(365).toMillis()));
      obs.add(TestApp.observation(2, now.plus(Duration.ofDays(2)), "online"));
      Api.Response r = a.report(body);
      assertThat(r.body().get("stored").asInt()).as(r.toString()).isEqualTo(1);
      assertThat(r.body().get("rejected").get(0).get("reason").asText())
          .isEqualTo("future_timestamp");
      assertThat(r.body().get("rejected").get(0).get("seq").asLong()).isEqualTo(2);
      assertThat(
              APP.count(
                  """
                  SELECT count(*) FROM observations_full WHERE computer_id = ?
                  AND time_source = 'agent'
                  """,
                  a.computerId()))
          .isEqualTo(1);
    }

    @Test
    void timeBeforeEnrollmentIsRejected() {
      Agent a = APP.enroll("alcaldia");
      ObjectNode body = Api.object().put("sentAt", Instant.now().toString());
      body.putArray("observations")
          .add(TestApp.observation(1, Instant.parse("2009-01-01T05:00:00Z"), "offline"));
      Api.Response r = a.report(body);
      assertThat(r.body().get("rejected").get(0).get("reason").asText())
          .isEqualTo("before_enrollment");
      assertThat(stored(a)).isZero();
    }
  }

  @Test
  void lastStatusAndDropsAreKeptOnTheComputer() {
    Agent a = APP.enroll("alcaldia");
    Instant now = Instant.now();
    ObjectNode body = Api.object().put("sentAt", now.toString()).put("droppedObservations", 42);
    ArrayNode obs = body.putArray("observations");
    obs.add(TestApp.observation(1, now.minusSeconds(120), "online"));
    obs.add(TestApp.observation(2, now.minusSeconds(60), "offline"));
    a.report(body);
    Api.Response c = APP.it().get("/api/v1/computers/" + a.computerId());
    assertThat(c.body().get("lastStatus").asText()).isEqualTo("offline");
    assertThat(c.body().get("queueDroppedTotal").asLong()).isEqualTo(42);
    assertThat(c.body().has("lastSeenAt")).isTrue();
    // An older observation arriving late does not overwrite the newest status.
    ObjectNode late = Api.object().put("sentAt", Instant.now().toString());
    late.putArray("observations").add(TestApp.observation(0, now.minusSeconds(600), "online"));
    a.report(late);
    assertThat(
            APP.it().get("/api/v1/computers/" + a.computerId()).body().get("lastStatus").asText())
        .isEqualTo("offline");
  }

  @Test
  void theAgentsQueueIsKeptOnTheComputerAndShownInTheApi() {
    Agent a = APP.enroll("alcaldia");
    Instant now = Instant.now();
    ObjectNode body = TestApp.report(1, 2).put("sentAt", now.toString());
    body.putObject("queue").put("depth", 12).put("oldestAt", now.minusSeconds(3600).toString());
    Api.Response r = a.report(body);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonNode c = APP.it().get("/api/v1/computers/" + a.computerId()).body();
    assertThat(c.get("queueDepth").asLong()).isEqualTo(12);
    // Corrected with the batch's estimate (receivedAt - sentAt): a few ms here.
    assertThat(
            Duration.between(now.minusSeconds(3600), Instant.parse(c.get("queueOldestAt").asText()))
                .abs())
        .isLessThan(Duration.ofSeconds(30));
    assertThat(Instant.parse(c.get("queueReportedAt").asText()))
        .isBetween(now.minusSeconds(30), Instant.now());
    // An older agent's report (no queue) leaves the last one known as it was.
    a.report(TestApp.report(3));
    c = APP.it().get("/api/v1/computers/" + a.computerId()).body();
    assertThat(c.get("queueDepth").asLong()).isEqualTo(12);
    // Caught up: depth 0, and no oldest (ignored if sent).
    ObjectNode done = TestApp.report(4);
    done.putObject("queue").put("depth", 0).put("oldestAt", now.toString());
    assertThat(a.report(done).status()).isEqualTo(200);
    c = APP.it().get("/api/v1/computers/" + a.computerId()).body();
    assertThat(c.get("queueDepth").asLong()).isZero();
    assertThat(c.has("queueOldestAt")).isFalse();
    assertThat(
            APP.count(
                """
                SELECT count(*) FROM computers WHERE id = ? AND queue_depth = 0
                AND queue_oldest_at IS NULL AND queue_reported_at IS NOT NULL
                """,
                a.computerId()))
        .isEqualTo(1);
  }

  @Test
  void agentsThatSendNoQueueShowNone() {
    Agent a = APP.enroll("alcaldia");
    assertThat(a.report(TestApp.report(1).putNull("queue")).status()).isEqualTo(200);
    assertThat(a.report(TestApp.report(2)).status()).isEqualTo(200);
    JsonNode c = APP.it().get("/api/v1/computers/" + a.computerId()).body();
    assertThat(c.has("lastSeenAt")).isTrue();
    assertThat(c.has("queueDepth")).isFalse();
    assertThat(c.has("queueOldestAt")).isFalse();
    assertThat(c.has("queueReportedAt")).isFalse();
  }

  @Test
  void anInvalidQueueRefusesTheReportWholeNamingTheField() {
    Agent a = APP.enroll("alcaldia");
    ObjectNode negative = TestApp.report(1);
    negative.putObject("queue").put("depth", -1);
    ObjectNode fraction = TestApp.report(1);
    fraction.putObject("queue").put("depth", 1.5);
    ObjectNode missing = TestApp.report(1);
    missing.putObject("queue").put("oldestAt", Instant.now().toString());
    ObjectNode badTime = TestApp.report(1);
    badTime.putObject("queue").put("depth", 3).put("oldestAt", "yesterday");
    ObjectNode notObject = TestApp.report(1).put("queue", 3);
    ObjectNode farFuture = TestApp.report(1);
    farFuture.putObject("queue").put("depth", 3).put("oldestAt", "+999999999-12-31T23:59:59Z");
    record Case(ObjectNode body, String field) {}
    for (Case c :
        List.of(
            new Case(negative, "queue.depth"),
            new Case(fraction, "queue.depth"),
            new Case(missing, "queue.depth"),
            new Case(badTime, "queue.oldestAt"),
            new Case(notObject, "queue"),
            new Case(farFuture, "queue.oldestAt"))) {
      Api.Response r = a.report(c.body());
      assertThat(r.status()).as(r.toString()).isEqualTo(400);
      assertThat(r.body().get("error").asText()).isEqualTo("invalid_field");
      assertThat(r.body().get("field").asText()).isEqualTo(c.field());
    }
    assertThat(stored(a)).isZero();
    assertThat(
            APP.count(
                "SELECT count(*) FROM computers WHERE id = ? AND queue_depth IS NULL",
                a.computerId()))
        .isEqualTo(1);
  }

  @Test
  void metricsCountStoredDuplicateAndRejected() {
    Agent a = APP.enroll("alcaldia");
    a.report(TestApp.report(1, 2));
    a.report(TestApp.report(1, 2));
    Api.Response m = new Api(APP.adminBase(), null).get("/metrics");
    String text = m.body().asText();
    assertThat(text).contains("enlace_ingest_observations_total{result=\"stored\"}");
    assertThat(text).contains("enlace_ingest_observations_total{result=\"duplicate\"}");
    assertThat(text)
        .contains(
            "http_server_requests_seconds_count{method=\"POST\",status=\"200\","
                + "uri=\"/api/v1/reports\"}");
    assertThat(text).contains("jvm_memory_used_bytes");
  }

  @Test
  void agentVersionFollowsTheUserAgentOfReports() throws Exception {
    Agent a = APP.enroll("alcaldia");
    Api.Response r =
        a.api()
            .postBytes(
                "/api/v1/reports",
                Api.JSON.writeValueAsBytes(TestApp.report(1)),
                "User-Agent",
                "enlace-agent/0.2.0");
    assertThat(r.status()).isEqualTo(200);
    assertThat(
            APP.it().get("/api/v1/computers/" + a.computerId()).body().get("agentVersion").asText())
        .isEqualTo("0.2.0");
    a.report(TestApp.report(2));
    assertThat(
            APP.it().get("/api/v1/computers/" + a.computerId()).body().get("agentVersion").asText())
        .as("another client's User-Agent changes nothing")
        .isEqualTo("0.2.0");
  }

  @Test
  void otherMethodsOnReportsAreAJson405() {
    Api.Response r = APP.anonymous().get("/api/v1/reports");
    assertThat(r.status()).isEqualTo(405);
    assertThat(r.body().get("error").asText()).isEqualTo("method_not_allowed");
    assertThat(r.header("Allow")).isEqualTo("POST");
  }

  @Test
  void pingIs204WithoutCredentials() {
    Api.Response r = APP.anonymous().get("/api/v1/ping");
    assertThat(r.status()).isEqualTo(204);
    // The build's one version number (surefire passes the POM's), not a constant of the code.
    assertThat(r.header("Enlace-Version")).isEqualTo(System.getProperty("enlace.version"));
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }
}

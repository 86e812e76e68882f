package org.enlace.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestApp.Agent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The inputs of issue 17 that PostgreSQL refused in the middle of a shared commit, or that broke
 * the parser: each gets its documented 4xx (or a rejection of the one observation), never a 5xx,
 * and the valid observations beside it are stored.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class IngestPoisonTest {
  static final TestApp APP = TestApp.create();
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();

  @BeforeAll
  static void inventory() {
    APP.establishment("alcaldia", "administration");
  }

  private static long stored(Agent a) {
    return APP.count(
        """
        SELECT count(*) FROM observations o JOIN agents a ON a.id = o.agent_id
        WHERE a.public_id = CAST(? AS uuid)
        """,
        a.id());
  }

  /** Observations 1 and 3 are fine; in observation 2, "@@" in the JSON text becomes {@code raw}. */
  private static Api.Response withPoison(Agent a, ObjectNode second, String raw) {
    ObjectNode body = TestApp.report(1, 2, 3);
    ((com.fasterxml.jackson.databind.node.ArrayNode) body.get("observations")).set(1, second);
    String text = body.toString().replace("@@", raw);
    return a.api().postBytes("/api/v1/reports", text.getBytes(StandardCharsets.UTF_8));
  }

  private static ObjectNode second() {
    return TestApp.observation(2, Instant.now().minusSeconds(2), "online");
  }

  private static void onlyTheSecondIsRejected(
      Agent a, Api.Response r, String reason, String field) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonNode rejected = r.body().get("rejected");
    assertThat(rejected).as(r.toString()).hasSize(1);
    assertThat(rejected.get(0).get("reason").asText()).isEqualTo(reason);
    assertThat(rejected.get(0).get("field").asText()).isEqualTo(field);
    assertThat(rejected.get(0).get("seq").asLong()).isEqualTo(2);
    assertThat(r.body().get("acknowledged")).extracting(JsonNode::asLong).containsExactly(1L, 3L);
    assertThat(stored(a)).isEqualTo(2);
  }

  @Test
  void nulInTheReasonRejectsOnlyThatObservation() {
    Agent a = APP.enroll("alcaldia");
    Api.Response r = withPoison(a, second().put("reason", "probe @@ failed"), "\\u0000");
    onlyTheSecondIsRejected(a, r, "unsupported_character", "observations[1].reason");
  }

  @Test
  void nulInTheChecksValueOrKeyRejectsOnlyThatObservation() {
    Agent a = APP.enroll("alcaldia");
    ObjectNode o = second();
    ((ObjectNode) o.get("checks").get("dns").get(0)).put("name", "www.gov.co@@");
    onlyTheSecondIsRejected(
        a,
        withPoison(a, o, "\\u0000"),
        "unsupported_character",
        "observations[1].checks.dns[0].name");

    Agent b = APP.enroll("alcaldia");
    ObjectNode k = second();
    ((ObjectNode) k.get("checks")).put("note@@", 1);
    onlyTheSecondIsRejected(
        b, withPoison(b, k, "\\u0000"), "unsupported_character", "observations[1].checks");
  }

  @Test
  void nulInTheSpeedTestRejectsOnlyThatObservation() {
    for (String field : new String[] {"error", "method", "server"}) {
      Agent a = APP.enroll("alcaldia");
      ObjectNode o = second();
      o.putObject("speedTest").put("method", "ndt7").put("downMbps", 40.5).put(field, "x@@y");
      onlyTheSecondIsRejected(
          a,
          withPoison(a, o, "\\u0000"),
          "unsupported_character",
          "observations[1].speedTest." + field);
    }
  }

  @Test
  void aLoneSurrogateIsRejectedAndAPairIsStored() {
    Agent a = APP.enroll("alcaldia");
    ObjectNode o = second();
    ((ObjectNode) o.get("checks")).put("note", "@@");
    onlyTheSecondIsRejected(
        a, withPoison(a, o, "\\ud800"), "unsupported_character", "observations[1].checks.note");

    Agent b = APP.enroll("alcaldia");
    Api.Response pair = withPoison(b, o, "\\ud83d\\ude00");
    assertThat(pair.status()).isEqualTo(200);
    assertThat(pair.body().get("rejected")).isEmpty();
    assertThat(stored(b)).isEqualTo(3);
  }

  @Test
  void invalidUtf8InTheBodyIs400MalformedJson() {
    Agent a = APP.enroll("alcaldia");
    String text = TestApp.report(1).toString().replace("all probes ok", "all @@ ok");
    int at = text.indexOf("@@");
    for (byte[] bad :
        new byte[][] {{(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xc0, (byte) 0x80}, {0}}) {
      byte[] head = text.substring(0, at).getBytes(StandardCharsets.UTF_8);
      byte[] tail = text.substring(at + 2).getBytes(StandardCharsets.UTF_8);
      byte[] body = new byte[head.length + bad.length + tail.length];
      System.arraycopy(head, 0, body, 0, head.length);
      System.arraycopy(bad, 0, body, head.length, bad.length);
      System.arraycopy(tail, 0, body, head.length + bad.length, tail.length);
      Api.Response r = a.api().postBytes("/api/v1/reports", body);
      assertThat(r.status()).as(r.toString()).isEqualTo(400);
      assertThat(r.body().get("error").asText()).isEqualTo("malformed_json");
    }
    // UTF-16, which Jackson would have read
    Api.Response r =
        a.api()
            .postBytes(
                "/api/v1/reports", text.replace("@@", "x").getBytes(StandardCharsets.UTF_16LE));
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(stored(a)).isZero();
  }

  @Test
  void theLargestSeqIsStoredAndThenADuplicate() {
    Agent a = APP.enroll("alcaldia");
    long max = Long.MAX_VALUE;
    ObjectNode body = TestApp.report(max - 2, max - 1, max);
    Api.Response first = a.report(body);
    assertThat(first.status()).as(first.toString()).isEqualTo(200);
    assertThat(first.body().get("stored").asInt()).isEqualTo(3);
    Api.Response again = a.report(TestApp.report(max, 1));
    assertThat(again.status()).as(again.toString()).isEqualTo(200);
    assertThat(again.body().get("stored").asInt()).isEqualTo(1);
    assertThat(again.body().get("duplicates").asInt()).isEqualTo(1);
    assertThat(stored(a)).isEqualTo(4);
    assertThat(
            APP.count(
                "SELECT count(*) FROM agents WHERE public_id = CAST(? AS uuid)"
                    + " AND stored_seqs @> 9223372036854775807",
                a.id()))
        .isEqualTo(1);
  }

  @Test
  void timestampsOutsidePostgresqlsRangeAreRejectedNotStored() {
    Agent a = APP.enroll("alcaldia");
    for (String t :
        new String[] {
          "+999999999-12-31T23:59:59Z",
          "-999999999-01-01T00:00:00Z",
          "+294277-01-01T00:00:00Z",
          "-4714-11-24T00:00:00Z"
        }) {
      Api.Response r = withPoison(a, second().put("observedAt", "@@"), t);
      assertThat(r.status()).as(t + " " + r).isEqualTo(200);
      assertThat(r.body().get("rejected").get(0).get("field").asText())
          .isEqualTo("observations[1].observedAt");
      assertThat(r.body().get("rejected").get(0).get("reason").asText()).isEqualTo("malformed");
    }
    // Years 0000 and 9999 are RFC 3339 and storable; they are rejected by the clock rules.
    Agent b = APP.enroll("alcaldia");
    Api.Response old = withPoison(b, second().put("observedAt", "0000-01-01T00:00:00Z"), "");
    assertThat(old.body().get("rejected").get(0).get("reason").asText())
        .isEqualTo("before_enrollment");
    Api.Response future = withPoison(b, second().put("observedAt", "9999-12-31T23:59:59Z"), "");
    assertThat(future.body().get("rejected").get(0).get("reason").asText())
        .isEqualTo("future_timestamp");
    // An offset of Long.MIN_VALUE is an implausible clock, not an overflow.
    Api.Response min = withPoison(b, second().put("clockOffsetMs", Long.MIN_VALUE), "");
    assertThat(min.status()).isEqualTo(200);
    assertThat(min.body().get("rejected").get(0).get("reason").asText()).isEqualTo("clock");
  }

  @Test
  void aSentAtInYear999999999IsA400NotAnOverflow() {
    Agent a = APP.enroll("alcaldia");
    for (String t : new String[] {"+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z"}) {
      Api.Response r = a.report(TestApp.report(1).put("sentAt", t));
      assertThat(r.status()).as(r.toString()).isEqualTo(400);
      assertThat(r.body().get("error").asText()).isEqualTo("invalid_field");
      assertThat(r.body().get("field").asText()).isEqualTo("sentAt");
    }
    // A sentAt far off but storable, with a queue: the queue's time is kept as sent, not moved
    // out of range by a 8,000-year estimate.
    ObjectNode body = TestApp.report(1).put("sentAt", "9999-12-31T23:59:59Z");
    body.putObject("queue").put("depth", 3).put("oldestAt", Instant.now().toString());
    ((ObjectNode) body.get("observations").get(0)).put("clockOffsetMs", 0);
    Api.Response r = a.report(body);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.body().get("stored").asInt()).isEqualTo(1);
    assertThat(stored(a)).isEqualTo(1);
  }

  @Test
  void nestingDeeperThanTheLimitIs400AndJustUnderItIsStored() {
    Agent a = APP.enroll("alcaldia");
    // The report is 4 levels deep at checks' members: root, observations, an observation, checks.
    assertThat(deep(a, 1001 - 4).status()).isEqualTo(400);
    Api.Response r = deep(a, 1001 - 4);
    assertThat(r.body().get("error").asText()).isEqualTo("malformed_json");
    assertThat(r.body().get("message").asText()).contains("nesting");
    Api.Response ok = deep(a, 1000 - 4);
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    assertThat(ok.body().get("stored").asInt()).isEqualTo(1);
  }

  private static Api.Response deep(Agent a, int levels) {
    String nested = "[".repeat(levels) + "1" + "]".repeat(levels);
    String text =
        TestApp.report(1 + levels).toString().replace("\"loss\":0.0", "\"deep\":" + nested);
    return a.api().postBytes("/api/v1/reports", text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aNumberOfMoreThan1000DigitsIs400AndOf1000IsStored() {
    Agent a = APP.enroll("alcaldia");
    for (String where : new String[] {"\"loss\":0.0", "\"seq\":1"}) {
      String text =
          TestApp.report(1)
              .toString()
              .replace(where, where.substring(0, where.indexOf(':')) + ":" + "9".repeat(1001));
      Api.Response r = a.api().postBytes("/api/v1/reports", text.getBytes(StandardCharsets.UTF_8));
      assertThat(r.status()).as(r.toString()).isEqualTo(400);
      assertThat(r.body().get("error").asText()).isEqualTo("malformed_json");
    }
    String text =
        TestApp.report(7).toString().replace("\"loss\":0.0", "\"big\":" + "9".repeat(1000));
    Api.Response r = a.api().postBytes("/api/v1/reports", text.getBytes(StandardCharsets.UTF_8));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.body().get("stored").asInt()).isEqualTo(1);
  }
}

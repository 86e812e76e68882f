package org.enlace.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The published protocol is a contract: every example under docs/protocol/ must match its schema,
 * and every request example is replayed against the running server, whose answers must match the
 * response schemas. Old agents stay in the field for years; this keeps them working.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ProtocolExamplesTest {
  static final TestApp APP = TestApp.create();
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();
  static final Path PROTOCOL =
      Path.of(System.getProperty("enlace.docs.dir", "../docs")).resolve("protocol");

  @BeforeAll
  static void inventory() {
    APP.establishment("alcaldia", "administration");
  }

  static List<Path> versions() throws IOException {
    try (Stream<Path> s = Files.list(PROTOCOL)) {
      return s.filter(p -> p.getFileName().toString().matches("v\\d+")).sorted().toList();
    }
  }

  static List<Path> examples(Path version, String prefix) throws IOException {
    try (Stream<Path> s = Files.list(version.resolve("examples"))) {
      return s.filter(
              p ->
                  p.getFileName().toString().startsWith(prefix)
                      && p.getFileName().toString().endsWith(".json"))
          .sorted()
          .toList();
    }
  }

  static JsonSchema schema(Path version, String name) throws IOException {
    JsonNode node =
        Api.JSON.readTree(version.resolve("schema").resolve(name + ".schema.json").toFile());
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(node);
  }

  static void assertValid(JsonSchema schema, JsonNode doc, String what) {
    Set<ValidationMessage> errors = schema.validate(doc);
    assertThat(errors).as(what + " against its schema: " + doc).isEmpty();
  }

  static String schemaFor(String fileName) {
    for (String s :
        List.of(
            "enroll-request", "enroll-response", "report-request", "report-response", "error")) {
      if (fileName.startsWith(s)) {
        return s;
      }
    }
    throw new AssertionError("example " + fileName + " has no schema by its name");
  }

  @Test
  void thereIsAtLeastVersionOne() throws IOException {
    assertThat(versions()).extracting(p -> p.getFileName().toString()).contains("v1");
    assertThat(examples(versions().get(0), "report-request")).hasSizeGreaterThanOrEqualTo(3);
  }

  @TestFactory
  List<DynamicTest> everyExampleMatchesItsSchema() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path v : versions()) {
      for (Path example : examples(v, "")) {
        String name = example.getFileName().toString();
        tests.add(
            DynamicTest.dynamicTest(
                v.getFileName() + "/" + name,
                () ->
                    assertValid(
                        schema(v, schemaFor(name)), Api.JSON.readTree(example.toFile()), name)));
      }
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> everyEnrollExampleIsAcceptedAsPublished() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path v : versions()) {
      for (Path example : examples(v, "enroll-request")) {
        tests.add(
            DynamicTest.dynamicTest(
                v.getFileName() + "/" + example.getFileName(),
                () -> {
                  ObjectNode body = (ObjectNode) Api.JSON.readTree(example.toFile());
                  body.put("token", APP.token("alcaldia", 1));
                  Api.Response r = APP.anonymous().post("/api/v1/enroll", body);
                  assertThat(r.status()).as(r.toString()).isEqualTo(201);
                  assertValid(schema(v, "enroll-response"), r.body(), "enroll response");
                }));
      }
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> everyReportExampleIsReplayedTwiceAndStoredOnce() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path v : versions()) {
      for (Path example : examples(v, "report-request")) {
        String name = example.getFileName().toString();
        tests.add(
            DynamicTest.dynamicTest(
                v.getFileName() + "/" + name,
                () -> {
                  ObjectNode body = (ObjectNode) Api.JSON.readTree(example.toFile());
                  shiftToNow(body);
                  TestApp.Agent agent =
                      APP.enroll(
                          APP.token("alcaldia", 1),
                          "replay-" + UUID.randomUUID(),
                          "replay",
                          "office");
                  // Examples span hours; the agent is as old as a field agent would be.
                  APP.jdbi()
                      .useHandle(
                          h ->
                              h.execute(
                                  """
                                  UPDATE agents SET enrolled_at = now() -
                                  interval '30 days' WHERE public_id = CAST(? AS uuid)
                                  """,
                                  agent.id()));
                  int total = body.get("observations").size();
                  Api.Response first = agent.report(body);
                  assertThat(first.status()).as(first.toString()).isEqualTo(200);
                  assertValid(schema(v, "report-response"), first.body(), "report response");
                  int stored = first.body().get("stored").asInt();
                  int rejected = first.body().get("rejected").size();
                  assertThat(stored + first.body().get("duplicates").asInt() + rejected)
                      .isEqualTo(total);
                  if (name.contains("rejection")) {
                    assertThat(rejected).isPositive();
                    assertThat(stored).isPositive();
                  } else {
                    assertThat(rejected).as(first.toString()).isZero();
                  }
                  Api.Response again = agent.report(body);
                  assertThat(again.body().get("stored").asInt()).isZero();
                  assertThat(again.body().get("acknowledged"))
                      .hasSameSizeAs(first.body().get("acknowledged"));
                  assertThat(
                          APP.count(
                              "SELECT count(*) FROM observations WHERE computer_id = ?",
                              agent.computerId()))
                      .isEqualTo(stored);
                  // The optional queue is kept on the computer; examples without one leave none.
                  JsonNode queue = body.path("queue");
                  assertThat(
                          queue.isObject()
                              ? APP.count(
                                  "SELECT count(*) FROM computers WHERE id = ? AND queue_depth = ?",
                                  agent.computerId(),
                                  queue.get("depth").asLong())
                              : APP.count(
                                  "SELECT count(*) FROM computers WHERE id = ? AND queue_depth IS NULL",
                                  agent.computerId()))
                      .isEqualTo(1);
                }));
      }
    }
    return tests;
  }

  @Test
  void realErrorsMatchTheErrorSchema() throws IOException {
    Path v1 = PROTOCOL.resolve("v1");
    JsonSchema error = schema(v1, "error");
    TestApp.Agent agent = APP.enroll("alcaldia");
    assertValid(
        error,
        APP.anonymous()
            .as(UUID.randomUUID().toString(), "x")
            .post("/api/v1/reports", TestApp.report(1))
            .body(),
        "401");
    assertValid(
        error,
        agent.api().postBytes("/api/v1/reports", "{".getBytes(StandardCharsets.UTF_8)).body(),
        "400");
    assertValid(error, agent.api().postBytes("/api/v1/reports", new byte[1_100_000]).body(), "413");
    assertValid(
        error,
        APP.anonymous()
            .post(
                "/api/v1/enroll", TestApp.enrollBody("enl_unknown-token-value", "m", "h", "office"))
            .body(),
        "401 enroll");
  }

  /** Moves every timestamp so that the newest is a minute ago, keeping their differences. */
  static void shiftToNow(ObjectNode body) {
    List<ObjectNode> holders = new ArrayList<>();
    holders.add(body);
    body.get("observations")
        .forEach(
            o -> {
              if (o.isObject()) {
                holders.add((ObjectNode) o);
              }
            });
    if (body.path("queue").isObject()) {
      holders.add((ObjectNode) body.get("queue"));
    }
    Instant newest = Instant.EPOCH;
    for (ObjectNode h : holders) {
      for (String f : List.of("sentAt", "observedAt", "oldestAt")) {
        if (h.path(f).isTextual()) {
          Instant t = OffsetDateTime.parse(h.get(f).asText()).toInstant();
          newest = t.isAfter(newest) ? t : newest;
        }
      }
    }
    Duration shift = Duration.between(newest, Instant.now().minusSeconds(60));
    for (ObjectNode h : holders) {
      for (String f : List.of("sentAt", "observedAt", "oldestAt")) {
        if (h.path(f).isTextual()) {
          OffsetDateTime t = OffsetDateTime.parse(h.get(f).asText());
          h.put(f, t.plus(shift).toString());
        }
      }
    }
  }
}

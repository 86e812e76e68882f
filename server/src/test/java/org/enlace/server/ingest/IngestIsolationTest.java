package org.enlace.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.FuzzRun;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestApp.Agent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A group commit the database refuses never fails an innocent report (issue 17). The database is
 * made to refuse inputs that pass validation with test-only CHECK constraints in this class's own
 * database: an observation whose reason is {@value #REFUSED} and a report whose queue depth is 666.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class IngestIsolationTest {
  static final TestApp APP = TestApp.create(TestApp.unlimitedReports());
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();
  static final String REFUSED = "refuse me";

  @BeforeAll
  static void refuseSomeValidInput() {
    APP.establishment("alcaldia", "administration");
    APP.jdbi()
        .useHandle(
            h -> {
              h.execute(
                  "ALTER TABLE observation_details ADD CONSTRAINT test_refused_reason"
                      + " CHECK (reason <> '"
                      + REFUSED
                      + "')");
              h.execute(
                  "ALTER TABLE computers ADD CONSTRAINT test_refused_queue"
                      + " CHECK (queue_depth IS DISTINCT FROM 666)");
            });
  }

  private static Set<Long> storedSeqs(Agent a) {
    return new HashSet<>(FuzzRun.stored(APP.jdbi(), List.of(a)).get(a.id()));
  }

  private static double metric(String line) {
    Api.Response r = new Api(APP.adminBase(), null).get("/metrics");
    String text = r.body().isTextual() ? r.body().asText() : r.body().toString();
    return text.lines()
        .filter(l -> l.startsWith(line))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void onlyTheObservationTheDatabaseRefusesIsRejected() {
    Agent a = APP.enroll("alcaldia");
    ObjectNode body = TestApp.report(1, 2, 3, 4, 5);
    ((ObjectNode) body.get("observations").get(3)).put("reason", REFUSED);
    Api.Response r = a.report(body);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.body().get("acknowledged"))
        .extracting(JsonNode::asLong)
        .containsExactly(1L, 2L, 3L, 5L);
    JsonNode rejected = r.body().get("rejected");
    assertThat(rejected).hasSize(1);
    assertThat(rejected.get(0).get("reason").asText()).isEqualTo("rejected_by_database");
    assertThat(rejected.get(0).get("index").asInt()).isEqualTo(3);
    assertThat(rejected.get(0).get("seq").asLong()).isEqualTo(4);
    assertThat(rejected.get(0).get("field").asText()).isEqualTo("observations[3]");
    assertThat(rejected.get(0).get("message").asText()).contains("23514");
    assertThat(r.body().get("stored").asInt()).isEqualTo(4);
    assertThat(storedSeqs(a)).containsExactlyInAnyOrder(1L, 2L, 3L, 5L);
    // Resent: the stored ones are duplicates, the refused one is refused again.
    Api.Response again = a.report(body);
    assertThat(again.body().get("duplicates").asInt()).isEqualTo(4);
    assertThat(again.body().get("rejected")).hasSize(1);
    assertThat(storedSeqs(a)).hasSize(4);
  }

  @Test
  void aReportWhoseOwnFieldsAreRefusedIs422AndStoresNothing() {
    Agent a = APP.enroll("alcaldia");
    ObjectNode body = TestApp.report(1, 2);
    body.putObject("queue").put("depth", 666);
    Api.Response r = a.report(body);
    assertThat(r.status()).as(r.toString()).isEqualTo(422);
    assertThat(r.body().get("error").asText()).isEqualTo("rejected_by_database");
    assertThat(r.header("Retry-After")).isEmpty();
    assertThat(storedSeqs(a)).isEmpty();
  }

  /**
   * The hostile neighbour: one agent sends poison without pause (the inputs of issue 17, refused
   * before the commit, and observations the database refuses, which reach the shared commits) while
   * two honest agents upload. The honest agents get only 200s, every observation they were
   * acknowledged is stored once, and their reports did share commits with the poisoned ones.
   */
  @Test
  void aHostileNeighbourNeverCostsAnHonestAgentA503() throws Exception {
    double isolationsBefore = metric("enlace_ingest_commit_isolations_total");
    double rescuedBefore = metric("enlace_ingest_isolated_reports_total{outcome=\"stored\"");
    Agent hostile = APP.enroll("alcaldia");
    List<Agent> honest = List.of(APP.enroll("alcaldia"), APP.enroll("alcaldia"));
    AtomicBoolean done = new AtomicBoolean();
    Map<Integer, Integer> hostileStatuses = new ConcurrentHashMap<>();
    Map<Integer, Integer> honestStatuses = new ConcurrentHashMap<>();
    Map<String, Set<Long>> acknowledged = new java.util.HashMap<>();
    AtomicLong hostileSeq = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(10);
    try {
      List<Future<?>> hostiles = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        hostiles.add(
            pool.submit(
                () -> {
                  int i = 0;
                  while (!done.get()) {
                    byte[] body = poison(hostileSeq, thread * 1000 + i++);
                    Api.Response r = hostile.api().postBytes("/api/v1/reports", body);
                    hostileStatuses.merge(r.status(), 1, Integer::sum);
                  }
                  return null;
                }));
      }
      List<Future<?>> honests = new ArrayList<>();
      for (Agent a : honest) {
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        acknowledged.put(a.id(), acked);
        for (int t = 0; t < 3; t++) {
          int thread = t;
          honests.add(
              pool.submit(
                  () -> {
                    for (int b = 0; b < 150; b++) {
                      long first = (thread * 150L + b) * 4 + 1;
                      Api.Response r =
                          a.report(TestApp.report(first, first + 1, first + 2, first + 3));
                      honestStatuses.merge(r.status(), 1, Integer::sum);
                      if (r.status() == 200) {
                        r.body().get("acknowledged").forEach(s -> acked.add(s.asLong()));
                      }
                    }
                    return null;
                  }));
        }
      }
      for (Future<?> f : honests) {
        f.get();
      }
      done.set(true);
      for (Future<?> f : hostiles) {
        f.get();
      }
    } finally {
      done.set(true);
      pool.shutdownNow();
    }
    System.out.printf(
        "event=hostile_neighbour honest=%s hostile=%s isolations=%.0f rescued=%.0f%n",
        honestStatuses,
        hostileStatuses,
        metric("enlace_ingest_commit_isolations_total") - isolationsBefore,
        metric("enlace_ingest_isolated_reports_total{outcome=\"stored\"") - rescuedBefore);
    assertThat(honestStatuses).containsOnlyKeys(200);
    assertThat(honestStatuses.get(200)).isEqualTo(2 * 3 * 150);
    assertThat(hostileStatuses.keySet()).allMatch(s -> s < 500);
    for (Agent a : honest) {
      Set<Long> expected = new HashSet<>();
      for (long s = 1; s <= 3 * 150 * 4; s++) {
        expected.add(s);
      }
      assertThat(acknowledged.get(a.id())).isEqualTo(expected);
      assertThat(storedSeqs(a)).isEqualTo(expected);
    }
    assertThat(FuzzRun.storedTwice(APP.jdbi())).isZero();
    // The groups did mix: commits the database refused were split, and innocent reports in them
    // (the honest agents', or the clean ones of the hostile agent) were stored.
    assertThat(metric("enlace_ingest_commit_isolations_total") - isolationsBefore).isPositive();
    assertThat(metric("enlace_ingest_isolated_reports_total{outcome=\"stored\"") - rescuedBefore)
        .isPositive();
    assertThat(metric("enlace_ingest_commit_computers_max")).isGreaterThanOrEqualTo(2);
  }

  /** One of the issue's poison bodies, or one with an observation the database refuses. */
  private static byte[] poison(AtomicLong seqs, int i) {
    long seq = seqs.incrementAndGet();
    ObjectNode body = TestApp.report(seq);
    ObjectNode o = (ObjectNode) body.get("observations").get(0);
    String text;
    switch (i % 8) {
      case 0 -> {
        o.put("reason", "@@");
        text = body.toString().replace("@@", "\\u0000");
      }
      case 1 -> {
        o.putObject("speedTest").put("method", "ndt7").put("error", "@@");
        text = body.toString().replace("@@", "\\u0000");
      }
      case 2 -> {
        o.put("seq", Long.MAX_VALUE);
        text = body.toString();
      }
      case 3 -> text = body.put("sentAt", "+999999999-12-31T23:59:59Z").toString();
      case 4 -> {
        o.put("observedAt", "+294277-01-01T00:00:00Z");
        text = body.toString();
      }
      case 5 ->
          text =
              body.toString()
                  .replace("\"loss\":0.0", "\"deep\":" + "[".repeat(1200) + "]".repeat(1200));
      default -> {
        // Passes validation; the database refuses it inside the shared commit.
        ((ArrayNode) body.get("observations"))
            .add(TestApp.observation(seqs.incrementAndGet(), Instant.now(), "online"));
        o.put("reason", REFUSED);
        text = body.toString();
      }
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }
}

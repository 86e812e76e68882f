package org.enlace.server.speedtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The download's and the upload's results recorded at the same instant still complete the slot.
 * Both used to count the results inside their own transaction, each saw only its own row, and the
 * slot stayed 'offered' (the link reserved until its tokens expired); CI caught it once.
 */
class SlotCompletionRaceTest {
  static final TestApp APP = TestApp.create();

  @RegisterExtension
  static final io.dropwizard.testing.junit5.DropwizardAppExtension<?> EXT = APP.extension();

  @Test
  void bothResultsAtOnceMarkTheSlotDoneEveryTime() throws Exception {
    SpeedTestPlanner planner =
        new SpeedTestPlanner(
            APP.jdbi(),
            new SpeedTestPlanConfig(),
            new LocalMinutes(ZoneId.of("America/Bogota")),
            Api.JSON);
    TestApp.Agent agent = null;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      // A link allows 4 on-demand tests a day: 6 links x 4 rounds.
      for (int round = 0; round < 24; round++) {
        if (round % 4 == 0) {
          agent = linkAndAgent("ST-RACE-" + round);
        }
        Api.Response slot = agent.api().post("/api/v1/speedtest/slot", "{}");
        assertThat(slot.status()).as("round " + round + ": " + slot).isEqualTo(200);
        JsonNode body = slot.body();
        Instant now = Instant.now();
        CyclicBarrier together = new CyclicBarrier(2);
        List<Future<?>> both = new ArrayList<>();
        for (Ndt7Access.Subtest st : Ndt7Access.Subtest.values()) {
          String url =
              body.path(st == Ndt7Access.Subtest.DOWNLOAD ? "downloadUrl" : "uploadUrl").asText();
          Ndt7Access.Grant grant =
              planner.redeem(url.substring(url.indexOf('=') + 1), st, now).orElseThrow();
          both.add(
              pool.submit(
                  () -> {
                    together.await();
                    planner.finished(
                        grant,
                        new Ndt7Access.ServerResult(
                            now,
                            now.plusSeconds(10),
                            1_000,
                            1_000,
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty()));
                    return null;
                  }));
        }
        for (Future<?> f : both) {
          f.get();
        }
        assertThat(
                APP.count(
                    "SELECT count(*) FROM speedtest_slots WHERE id = CAST(? AS uuid)"
                        + " AND state = 'done'",
                    body.path("testId").asText()))
            .as("round %d", round)
            .isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static TestApp.Agent linkAndAgent(String name) {
    String code = APP.establishment(name, "citizens");
    Api.Response link =
        APP.it()
            .post(
                "/api/v1/establishments/" + code + "/links",
                Api.object()
                    .put("ispName", "ISP")
                    .put("contractedDownMbps", 4)
                    .put("contractedUpMbps", 1));
    assertThat(link.status()).as(link.toString()).isEqualTo(201);
    return APP.enroll(code);
  }
}

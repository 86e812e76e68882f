package org.enlace.server.speedtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.ConfigOverride;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Slots, single-use tokens, one test per link at a time, and the monthly budget. */
class SpeedTestPlannerTest {
  // 0.002 % of a month of 4+1 Mbit/s is 3.4 allowances of a 10-second test at 1.5x the contract.
  static final TestApp APP =
      TestApp.create(ConfigOverride.config("speedTestPlan.monthlyBudgetPct", "0.002"));

  @RegisterExtension
  static final io.dropwizard.testing.junit5.DropwizardAppExtension<?> EXT = APP.extension();

  static final ZoneId BOGOTA = ZoneId.of("America/Bogota");

  private SpeedTestPlanner planner() {
    return new SpeedTestPlanner(
        APP.jdbi(), new SpeedTestPlanConfig(), new LocalMinutes(BOGOTA), Api.JSON);
  }

  private long link(String code) {
    Api.Response r =
        APP.it()
            .post(
                "/api/v1/establishments/" + code + "/links",
                Api.object()
                    .put("ispName", "ISP")
                    .put("contractedDownMbps", 4)
                    .put("contractedUpMbps", 1));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.body().path("id").asLong();
  }

  private static String token(String url) {
    return url.substring(url.indexOf("access_token=") + "access_token=".length());
  }

  private void runBoth(SpeedTestPlanner p, JsonNode slot, long down, long up) {
    Instant now = Instant.now();
    for (Ndt7Access.Subtest st : Ndt7Access.Subtest.values()) {
      String url =
          slot.path(st == Ndt7Access.Subtest.DOWNLOAD ? "downloadUrl" : "uploadUrl").asText();
      Ndt7Access.Grant g = p.redeem(token(url), st, now).orElseThrow();
      assertThat(p.redeem(token(url), st, now)).as("single use").isEmpty();
      long bytes = st == Ndt7Access.Subtest.DOWNLOAD ? down : up;
      p.finished(
          g,
          new Ndt7Access.ServerResult(
              now,
              now.plusSeconds(10),
              bytes,
              bytes,
              Optional.empty(),
              Optional.empty(),
              Optional.empty()));
    }
  }

  @Test
  void onDemandTestsAreOneAtATimeAndStopAtTheMonthlyBudget() {
    String code = APP.establishment("ST-OD", "citizens");
    Api.Response none = APP.enroll(code).api().post("/api/v1/speedtest/slot", "{}");
    assertThat(none.status()).as(none.toString()).isEqualTo(409);
    assertThat(none.body().path("error").asText()).isEqualTo("no_link");

    link(code);
    TestApp.Agent a = APP.enroll(code);
    TestApp.Agent b = APP.enroll(code);
    SpeedTestPlanner p = planner();
    long allowanceDown = (long) (4 * 1.5 * 10 * 1_000_000 / 8);
    long allowanceUp = (long) (1 * 1.5 * 10 * 1_000_000 / 8);
    for (int i = 0; i < 3; i++) {
      Api.Response r = a.api().post("/api/v1/speedtest/slot", "{}");
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      assertThat(r.body().path("maxBytes").asLong()).isEqualTo(allowanceDown + allowanceUp);
      assertThat(r.body().path("downloadUrl").asText())
          .startsWith("/ndt/v7/download?access_token=");
      Api.Response busy = b.api().post("/api/v1/speedtest/slot", "{}");
      assertThat(busy.status()).as(busy.toString()).isEqualTo(429);
      assertThat(busy.body().path("error").asText()).isEqualTo("link_busy");
      assertThat(Long.parseLong(busy.header("Retry-After"))).isPositive();
      // The download token is no upload token.
      assertThat(
              p.redeem(
                  token(r.body().path("downloadUrl").asText()),
                  Ndt7Access.Subtest.UPLOAD,
                  Instant.now()))
          .isEmpty();
      runBoth(p, r.body(), allowanceDown, allowanceUp);
    }
    Api.Response spent = b.api().post("/api/v1/speedtest/slot", "{}");
    assertThat(spent.status()).as(spent.toString()).isEqualTo(429);
    assertThat(spent.body().path("error").asText()).isEqualTo("monthly_budget");
    assertThat(APP.count("SELECT count(*) FROM speedtest_slots WHERE state = 'done'")).isEqualTo(3);
  }

  @Test
  void aScheduledSlotIsOfferedInTheReportResponseToOneComputer() {
    String code = APP.establishment("ST-SCH", "citizens");
    long linkId = link(code);
    TestApp.Agent a = APP.enroll(code);
    TestApp.Agent b = APP.enroll(code);
    long establishmentId = APP.count("SELECT id FROM establishments WHERE code = ?", code);
    // A slot open right now; as today's only scheduled slot it is the link's plan for today.
    Instant now = Instant.now();
    UUID id = UUID.randomUUID();
    APP.jdbi()
        .useHandle(
            h ->
                h.attach(SlotDao.class)
                    .insert(
                        id,
                        linkId,
                        establishmentId,
                        "scheduled",
                        now.minusSeconds(30),
                        now.plus(Duration.ofMinutes(15)),
                        1000,
                        1000));
    Api.Response ra = a.report(TestApp.report(1));
    assertThat(ra.body().path("speedTest").path("testId").asText()).isEqualTo(id.toString());
    assertThat(ra.body().path("speedTest").path("maxBytes").asLong()).isEqualTo(2000);
    assertThat(b.report(TestApp.report(1)).body().has("speedTest")).isFalse();

    // The agent reports the result with the test id: the speed test is tied to the link.
    com.fasterxml.jackson.databind.node.ObjectNode body = TestApp.report(500);
    ((com.fasterxml.jackson.databind.node.ObjectNode) body.path("observations").get(0))
        .putObject("speedTest")
        .put("method", "ndt7")
        .put("testId", id.toString())
        .put("downMbps", 3.7)
        .put("upMbps", 0.9)
        .put("latencyMs", 40)
        .put("latencyLoadedMs", 310);
    a.report(body);
    com.fasterxml.jackson.databind.node.ObjectNode failed = TestApp.report(501);
    ((com.fasterxml.jackson.databind.node.ObjectNode) failed.path("observations").get(0))
        .putObject("speedTest")
        .put("method", "ndt7")
        .put("testId", id.toString())
        .put("downMbps", 99)
        .put("error", "server closed the connection after 2 s");
    a.report(failed);
    assertThat(
            APP.count(
                "SELECT count(*) FROM speed_tests WHERE link_id = ? AND test_id = ?"
                    + " AND down_mbps = 3.7 AND latency_loaded_ms = 310",
                linkId,
                id))
        .isEqualTo(1);
    assertThat(
            APP.count(
                "SELECT count(*) FROM speed_tests WHERE seq = 501 AND down_mbps IS NULL"
                    + " AND error LIKE 'server closed%'"))
        .isEqualTo(1);
  }

  @Test
  void thePlanSpreadsTestsOverOpeningHoursAndPeakWindows() {
    SpeedTestPlanConfig config =
        Api.JSON.convertValue(
            Api.object()
                .put("testsPerDay", 4)
                .set("peakWindows", Api.JSON.createArrayNode().add("19:00-21:00")),
            SpeedTestPlanConfig.class);
    SpeedTestPlanner p =
        new SpeedTestPlanner(APP.jdbi(), config, new LocalMinutes(BOGOTA), Api.JSON);
    String hours =
        "{\"monday\": [{\"open\": \"08:00\", \"close\": \"12:00\"},"
            + " {\"open\": \"14:00\", \"close\": \"22:00\"}]}";
    SlotDao.Link link = new SlotDao.Link(1, 1, BigDecimal.TEN, BigDecimal.ONE, hours);
    LocalDate monday = LocalDate.of(2026, 11, 23);
    for (int seed = 0; seed < 50; seed++) {
      List<Integer> plan = p.plan(link, monday, new Random(seed));
      assertThat(plan).hasSize(5);
      for (int m : plan) {
        // inside opening hours, with the whole 15-minute window before closing
        assertThat((m >= 480 && m + 15 <= 720) || (m >= 840 && m + 15 <= 1320)).as("" + m).isTrue();
      }
      assertThat(plan).anyMatch(m -> m >= 1140 && m < 1260);
      assertThat(plan.get(0)).isLessThan(720); // spread: the first quarter is in the morning
    }
    assertThat(p.plan(link, monday.plusDays(1), new Random(1))).isEmpty(); // closed on Tuesday
  }
}

package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.rollup.RollupDao;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scripted timelines with known answers, through the real server and PostgreSQL. Two scripts:
 *
 * <ul>
 *   <li>The last 32 minutes (B = 32 minutes before the current minute, hold 1 minute). NOW: one PC
 *       enrolled at B + 40 s that checks at minutes -2 (before its enrollment, as a fast clock
 *       can), 0–24, 29, 30 and in the current minute: 29 of 32 minutes have data (the hold fills
 *       minutes 25 and 31, never the current one nor the next), 3 have none: 90.63 %. CUT: two PCs
 *       on from minute 0 to 25; a network cut at 10–15 (both offline: one outage of 6 minutes, 2
 *       computers), both switched off at 18–21 (no outage), one cable pulled at 22–23 (one PC
 *       offline, the other online: no outage). The second PC's data arrives late: until it does,
 *       the outage starts a minute late and is provisional. OLD: a PC whose newest observation is
 *       26 minutes old, and one that never reported.
 *   <li>October 2026. DEC, a town hall open weekdays 08:00–12:00: PC d1 on 08:00–08:10 every
 *       weekday, and at night on Tuesday 6 October, when it sees offline 02:00–02:10 (an outage
 *       outside opening hours); d2 the same until Thursday 15 October, decommissioned that day at
 *       12:00 (its days before count); d3 on 1 October only, decommissioned that day at 09:00 (no
 *       day before: it does not count). One speed test gave figures, one failed.
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExactFiguresTest {
  static final TestApp APP = TestApp.create(TestApp.unlimitedReports());
  static final ZoneId BOGOTA = ZoneId.of("America/Bogota");

  @RegisterExtension
  static final io.dropwizard.testing.junit5.DropwizardAppExtension<?> EXT = APP.extension();

  Instant base;
  TestApp.Agent now1;
  TestApp.Agent cutP;
  TestApp.Agent cutQ;
  TestApp.Agent old;
  TestApp.Agent never;
  TestApp.Agent d1;
  TestApp.Agent d2;
  TestApp.Agent d3;
  JsonNode provisionalReport;
  final Map<TestApp.Agent, long[]> seqs = new HashMap<>();

  @BeforeAll
  void load() throws Exception {
    // Start early in a minute, so the script fits in it and "now" is the minute planned.
    while (Instant.now().atZone(BOGOTA).getSecond() > 20) {
      Thread.sleep(500);
    }
    base = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(32));
    Assumptions.assumeTrue(
        YearMonth.from(base.atZone(BOGOTA)).equals(YearMonth.from(Instant.now().atZone(BOGOTA))),
        "the script must lie inside one month");
    APP.establishment("X-NOW", "citizens");
    APP.establishment("X-CUT", "citizens");
    APP.establishment("X-OLD", "citizens");
    now1 = enroll("X-NOW", base.plusSeconds(40));
    cutP = enroll("X-CUT", base.plusSeconds(40));
    cutQ = enroll("X-CUT", base.plusSeconds(40));
    old = enroll("X-OLD", base.plusSeconds(40));
    never = enroll("X-OLD", base.plusSeconds(40));

    List<ObjectNode> obs = new ArrayList<>();
    obs.add(at(now1, -2, "online"));
    for (int m = 0; m <= 24; m++) {
      obs.add(at(now1, m, "online"));
    }
    obs.add(at(now1, 29, "online"));
    obs.add(at(now1, 30, "online"));
    obs.add(
        TestApp.observation(
            ++seqs.get(now1)[0], base.plus(Duration.ofMinutes(32)).plusSeconds(1), "online"));
    send(now1, obs);

    List<ObjectNode> p = new ArrayList<>();
    List<ObjectNode> qEarly = new ArrayList<>();
    List<ObjectNode> qLate = new ArrayList<>();
    for (int m = 0; m <= 25; m++) {
      if (m >= 18 && m <= 21) {
        continue; // both switched off
      }
      boolean cut = m >= 10 && m <= 15;
      p.add(at(cutP, m, cut || m == 22 || m == 23 ? "offline" : "online"));
      (m < 10 ? qEarly : qLate).add(at(cutQ, m, cut ? "offline" : "online"));
    }
    send(cutP, p);
    send(cutQ, qEarly);
    send(old, List.of(at(old, 0, "online"), at(old, 5, "online")));
    drain();
    provisionalReport = evidence(YearMonth.from(base.atZone(BOGOTA)).toString());
    send(cutQ, qLate);

    // October 2026.
    APP.establishment("X-DEC", "administration");
    ObjectNode hours = Api.object();
    for (String d : List.of("monday", "tuesday", "wednesday", "thursday", "friday")) {
      hours.putArray(d).addObject().put("open", "08:00").put("close", "12:00");
    }
    ObjectNode e = (ObjectNode) APP.it().get("/api/v1/establishments/X-DEC").body();
    e.set("openingHours", hours);
    for (String f : List.of("createdAt", "updatedAt", "id")) {
      e.remove(f);
    }
    assertThat(APP.it().put("/api/v1/establishments/X-DEC", e).status()).isEqualTo(200);
    Api.Response link =
        APP.it()
            .post(
                "/api/v1/establishments/X-DEC/links",
                Api.object()
                    .put("ispName", "ISP Nariño")
                    .put("technology", "radio")
                    .put("contractedDownMbps", 10)
                    .put("contractedUpMbps", 2));
    assertThat(link.status()).as(link.toString()).isEqualTo(201);
    Instant sept = Instant.parse("2026-09-01T05:00:00Z");
    d1 = enroll("X-DEC", sept);
    d2 = enroll("X-DEC", sept);
    d3 = enroll("X-DEC", sept);
    List<ObjectNode> o1 = new ArrayList<>();
    List<ObjectNode> o2 = new ArrayList<>();
    List<ObjectNode> o3 = new ArrayList<>();
    for (LocalDate d = LocalDate.of(2026, 10, 1); d.getMonthValue() == 10; d = d.plusDays(1)) {
      if (d.getDayOfWeek().getValue() >= 6) {
        continue;
      }
      if (d.getDayOfMonth() == 6) {
        for (int m = 0; m < 20; m++) {
          o1.add(local(d1, d, LocalTime.of(1, 50).plusMinutes(m), m >= 10 ? "offline" : "online"));
        }
      }
      for (int m = 0; m < 10; m++) {
        LocalTime t = LocalTime.of(8, m);
        ObjectNode x = local(d1, d, t, "online");
        if (m == 5 && d.getDayOfMonth() == 5) {
          x.putObject("speedTest").put("method", "ndt7").put("downMbps", 8.0).put("upMbps", 2.0);
        }
        if (m == 5 && d.getDayOfMonth() == 6) {
          x.putObject("speedTest").put("method", "ndt7").put("error", "timeout");
        }
        o1.add(x);
        if (d.getDayOfMonth() <= 15) {
          o2.add(local(d2, d, t, "online"));
        }
        if (d.getDayOfMonth() == 1) {
          o3.add(local(d3, d, t, "online"));
        }
      }
    }
    send(d1, o1);
    send(d2, o2);
    send(d3, o3);
    decommission(d2, LocalDate.of(2026, 10, 15).atTime(12, 0).atZone(BOGOTA).toInstant());
    decommission(d3, LocalDate.of(2026, 10, 1).atTime(9, 0).atZone(BOGOTA).toInstant());
    drain();
  }

  // ---- the last 32 minutes ----

  @Test
  void completenessCountsOnlyMinutesWhereDataIsExpected() {
    JsonNode r = evidence(YearMonth.from(base.atZone(BOGOTA)).toString());
    long l = windowMinutes(r);
    JsonNode a = establishment(r, "X-NOW").path("availability");
    assertThat(a.path("openMinutes").asLong()).isEqualTo(l);
    // Minutes 25 and 31 are held, 26-28 have no data; the current minute is not counted yet.
    // Should the test run minutes later, minute 32 (checked) and 33 (held) join the window.
    long observed = 29 + Math.min(2, Math.max(0, l - 32));
    assertThat(a.path("observedMinutes").asLong()).isEqualTo(observed);
    assertThat(a.path("noDataMinutes").asLong()).isEqualTo(l - observed);
    assertThat(a.path("completenessPct").asDouble())
        .isEqualTo(Math.round(observed * 10_000.0 / l) / 100.0);
    if (l == 32) {
      assertThat(a.path("noDataMinutes").asLong()).isEqualTo(3);
      assertThat(a.path("completenessPct").asDouble()).isEqualTo(90.63);
    }
  }

  @Test
  void aCutIsAnOutagePcsOffAreNotAndOneCablePulledIsNot() {
    JsonNode r = evidence(YearMonth.from(base.atZone(BOGOTA)).toString());
    JsonNode cut = establishment(r, "X-CUT");
    JsonNode a = cut.path("availability");
    long l = windowMinutes(r);
    // Data in minutes 0-18 (18 held) and 22-26 (26 held): 24; none in 19-21 and 27 on.
    assertThat(a.path("observedMinutes").asLong()).isEqualTo(24);
    assertThat(a.path("noDataMinutes").asLong()).isEqualTo(l - 24);
    assertThat(a.path("outageMinutes").asLong()).isEqualTo(6);
    assertThat(a.path("upMinutes").asLong()).isEqualTo(18);
    assertThat(cut.path("outages")).hasSize(1);
    JsonNode o = cut.path("outages").get(0);
    assertThat(Instant.parse(o.path("start").asText())).isEqualTo(minute(10));
    assertThat(Instant.parse(o.path("end").asText())).isEqualTo(minute(16));
    assertThat(o.path("computers").asInt()).isEqualTo(2);
    assertThat(o.path("cause").asText()).isEqualTo("agents");
    assertThat(o.path("provisional").asBoolean()).isFalse();
    assertThat(cut.path("outagesOutsideOpeningHours")).isEmpty();
  }

  @Test
  void whileAPcsDataIsStillOnItsWayTheOutageIsProvisional() {
    // Q had sent minutes 0-9 only: its held minute 10 read online, so the outage began at 11.
    JsonNode o = establishment(provisionalReport, "X-CUT").path("outages").get(0);
    assertThat(Instant.parse(o.path("start").asText())).isEqualTo(minute(11));
    assertThat(o.path("provisional").asBoolean()).isTrue();
  }

  @Test
  void perComputerMinutesByStatus() {
    String month = YearMonth.from(base.atZone(BOGOTA)).toString();
    long l = windowMinutes(evidence(month));
    Api.Response r =
        APP.it().get("/api/v1/computers/" + cutP.computerId() + "/minutes?period=" + month);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.body().path("expectedMinutes").asLong()).isEqualTo(l);
    // P: offline in the cut (10-15) and with its cable pulled (22-23), 18 and 26 held.
    assertThat(r.body().path("offlineMinutes").asLong()).isEqualTo(8);
    assertThat(r.body().path("onlineMinutes").asLong()).isEqualTo(16);
    assertThat(r.body().path("limitedMinutes").asLong()).isZero();
    assertThat(r.body().path("noDataMinutes").asLong()).isEqualTo(l - 24);
    JsonNode listed = null;
    for (JsonNode c : establishment(evidence(month), "X-CUT").path("computers")) {
      if (c.path("computerId").asLong() == cutP.computerId()) {
        listed = c;
      }
    }
    assertThat(listed).isNotNull();
    assertThat(listed.path("offlineMinutes").asLong()).isEqualTo(8);
    assertThat(listed.path("noDataMinutes").asLong()).isEqualTo(l - 24);
    String today = LocalDate.now(BOGOTA).toString();
    assertThat(
            APP.it()
                .get("/api/v1/computers/" + cutP.computerId() + "/minutes?from=" + today)
                .status())
        .isEqualTo(400);
    assertThat(APP.it().get("/api/v1/computers/999999/minutes?period=" + month).status())
        .isEqualTo(404);
  }

  @Test
  void aComputerSilentLongerThanTheReportingWindowIsNotShownOnline() {
    JsonNode stale = APP.it().get("/api/v1/computers/" + old.computerId()).body();
    assertThat(stale.path("status").asText()).isEqualTo("stale");
    assertThat(stale.path("lastStatus").asText()).isEqualTo("online");
    assertThat(Instant.parse(stale.path("lastObservedAt").asText())).isBefore(minute(6));
    assertThat(APP.it().get("/api/v1/computers/" + never.computerId()).body().path("status"))
        .hasToString("\"unknown\"");
    assertThat(APP.it().get("/api/v1/computers/" + now1.computerId()).body().path("status"))
        .hasToString("\"online\"");
    Api.Response list = APP.it().get("/api/v1/computers?establishment=X-OLD&status=stale");
    assertThat(list.body()).hasSize(1);
    assertThat(APP.it().get("/api/v1/computers?status=asleep").status()).isEqualTo(400);
  }

  // ---- October ----

  @Test
  void decommissionedComputersCountOnlyForTheDaysBeforeTheirDecommissionDate() {
    JsonNode r = evidence("2026-10");
    JsonNode dec = establishment(r, "X-DEC");
    assertThat(dec.path("computersEnrolled").asInt()).isEqualTo(2); // d1, d2
    assertThat(dec.path("computersConnected").asInt()).isEqualTo(2);
    JsonNode admin = r.path("indicators").path("periods").get(0).path("sectors").get(0);
    assertThat(admin.path("sector").asText()).isEqualTo("administration");
    assertThat(admin.path("measured").path("computers").asLong()).isEqualTo(2);
    assertThat(admin.path("completeness").path("computersEnrolled").asLong()).isEqualTo(2);
    // November: d2 is gone.
    JsonNode nov = establishment(evidence("2026-11"), "X-DEC");
    assertThat(nov.path("computersEnrolled").asInt()).isEqualTo(1);
  }

  @Test
  void anOutageWhileClosedIsShownApartAndNeverCounted() {
    JsonNode r = evidence("2026-10");
    JsonNode dec = establishment(r, "X-DEC");
    assertThat(dec.path("outages")).isEmpty();
    assertThat(dec.path("outagesOutsideOpeningHours")).hasSize(1);
    JsonNode o = dec.path("outagesOutsideOpeningHours").get(0);
    assertThat(Instant.parse(o.path("start").asText()))
        .isEqualTo(LocalDate.of(2026, 10, 6).atTime(2, 0).atZone(BOGOTA).toInstant());
    assertThat(o.path("durationMinutes").asLong()).isEqualTo(11); // 02:10 held, as any minute
    assertThat(o.path("openMinutes").asLong()).isZero();
    assertThat(dec.path("availability").path("outageMinutes").asLong()).isZero();
    Api.Response html =
        APP.it().get("/api/v1/evidence?period=2026-10&format=html&establishment=X-DEC");
    String page = new String(html.raw().body(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(page).contains("Cortes fuera del horario de atención");
  }

  @Test
  void everyCountInTheSummaryEqualsItsTables() {
    for (String period : List.of("2026-10", YearMonth.from(base.atZone(BOGOTA)).toString())) {
      JsonNode r = evidence(period);
      long downloadTests = 0;
      for (JsonNode e : r.path("establishments")) {
        long outageOpen = 0;
        for (JsonNode o : e.path("outages")) {
          outageOpen += o.path("openMinutes").asLong();
          assertThat(o.path("openMinutes").asLong()).isPositive();
        }
        for (JsonNode o : e.path("outagesOutsideOpeningHours")) {
          assertThat(o.path("openMinutes").asLong()).isZero();
        }
        JsonNode a = e.path("availability");
        // The outage tables' minutes in opening hours are the availability's outage minutes.
        assertThat(outageOpen)
            .as(e.path("code").asText())
            .isEqualTo(a.path("outageMinutes").asLong());
        assertThat(a.path("upMinutes").asLong() + a.path("outageMinutes").asLong())
            .isEqualTo(a.path("observedMinutes").asLong());
        assertThat(a.path("observedMinutes").asLong() + a.path("noDataMinutes").asLong())
            .isEqualTo(a.path("openMinutes").asLong());
        for (JsonNode c : e.path("computers")) {
          assertThat(
                  c.path("onlineMinutes").asLong()
                      + c.path("limitedMinutes").asLong()
                      + c.path("offlineMinutes").asLong()
                      + c.path("noDataMinutes").asLong())
              .isEqualTo(c.path("expectedMinutes").asLong());
        }
        assertThat(e.path("computers").size()).isEqualTo(e.path("computersEnrolled").asInt());
        for (JsonNode link : e.path("links")) {
          downloadTests += link.path("download").path("tests").asLong();
        }
      }
      // The failed test (no figure) is in neither.
      assertThat(r.path("method").path("speedTestsUsed").asLong()).isEqualTo(downloadTests);
    }
    assertThat(evidence("2026-10").path("method").path("speedTestsUsed").asLong()).isEqualTo(1);
  }

  /**
   * The tables' computer-days count inside the report's window: from the enrollment's minute (the
   * PC of X-NOW, whose check before its enrollment is left out), to the start of the decommission
   * date (d2: 1-14 October), to the last whole minute before the report. A computer's days add up
   * to its minutes in the report.
   */
  @Test
  void theComputerDaysAddUpToEachComputersMinutesInTheReport() throws Exception {
    String current = YearMonth.from(base.atZone(BOGOTA)).toString();
    for (String period : List.of("2026-10", current)) {
      JsonNode r = null;
      Map<Long, long[]> sums = new HashMap<>();
      Map<Long, List<String>> daysOf = new HashMap<>();
      Map<String, long[]> places = new HashMap<>();
      // The same minute before and after the tables: the tables had the JSON's "now".
      for (int attempt = 0; attempt < 3; attempt++) {
        JsonNode before = evidence(period);
        Api.Response zip = APP.it().get("/api/v1/evidence?format=zip&period=" + period);
        assertThat(zip.status()).as(zip.toString()).isEqualTo(200);
        r = evidence(period);
        sums.clear();
        daysOf.clear();
        places.clear();
        Map<String, byte[]> files = ReaderReportsTest.unzip(zip.raw().body());
        for (org.apache.commons.csv.CSVRecord d :
            ReaderReportsTest.parse(files.get("establecimientos_dias.csv"), EvidenceText.Lang.ES)) {
          long[] s = places.computeIfAbsent(d.get("codigo_establecimiento"), k -> new long[4]);
          int i = 0;
          for (String c :
              List.of(
                  "minutos_en_horario",
                  "minutos_con_datos",
                  "minutos_con_conexion",
                  "minutos_en_corte")) {
            s[i++] += Long.parseLong(d.get(c));
          }
        }
        for (org.apache.commons.csv.CSVRecord d :
            ReaderReportsTest.parse(files.get("computadores_dias.csv"), EvidenceText.Lang.ES)) {
          long id = Long.parseLong(d.get("computador_id"));
          long[] s = sums.computeIfAbsent(id, k -> new long[5]);
          int i = 0;
          for (String c :
              List.of(
                  "minutos_esperados",
                  "minutos_en_linea",
                  "minutos_limitada",
                  "minutos_sin_conexion",
                  "minutos_sin_datos")) {
            s[i++] += Long.parseLong(d.get(c));
          }
          daysOf.computeIfAbsent(id, k -> new ArrayList<>()).add(d.get("dia"));
        }
        if (minuteOf(before).equals(minuteOf(r))) {
          break;
        }
      }
      List<Long> listed = new ArrayList<>();
      for (JsonNode e : r.path("establishments")) {
        for (JsonNode c : e.path("computers")) {
          long id = c.path("computerId").asLong();
          listed.add(id);
          assertThat(sums.getOrDefault(id, new long[5]))
              .as(period + " computer " + id)
              .containsExactly(
                  c.path("expectedMinutes").asLong(),
                  c.path("onlineMinutes").asLong(),
                  c.path("limitedMinutes").asLong(),
                  c.path("offlineMinutes").asLong(),
                  c.path("noDataMinutes").asLong());
        }
      }
      assertThat(listed).containsAll(sums.keySet());
      // the establishment-days add up to the report's minutes with data, up and in outage
      for (JsonNode e : r.path("establishments")) {
        JsonNode a = e.path("availability");
        long[] s = places.getOrDefault(e.path("code").asText(), new long[4]);
        assertThat(new long[] {s[1], s[2], s[3]})
            .as(period + " " + e.path("code").asText())
            .containsExactly(
                a.path("observedMinutes").asLong(),
                a.path("upMinutes").asLong(),
                a.path("outageMinutes").asLong());
      }
      if (period.equals("2026-10")) {
        assertThat(daysOf.get(d1.computerId())).hasSize(31);
        assertThat(sums.get(d1.computerId())[0]).isEqualTo(31 * 1440);
        assertThat(daysOf.get(d2.computerId()))
            .hasSize(14)
            .contains("2026-10-14")
            .doesNotContain("2026-10-15");
        assertThat(sums.get(d2.computerId())[0]).isEqualTo(14 * 1440);
        assertThat(sums).doesNotContainKey(d3.computerId());
      } else {
        long l = windowMinutes(r);
        long[] now = sums.get(now1.computerId());
        assertThat(now[0]).isEqualTo(l);
        // X-NOW is open all day and has a row on each day of its window: from its enrollment's
        // minute to the report's, the open minutes are the window's
        assertThat(places.get("X-NOW")[0]).isEqualTo(l);
        assertThat(places.get("X-NOW")[1])
            .isEqualTo(
                establishment(r, "X-NOW").path("availability").path("observedMinutes").asLong());
        if (l == 32) {
          // 0-24, 25 held, 29, 30, 31 held; the check at minute -2 is before the window
          assertThat(now[1]).isEqualTo(29);
          assertThat(now[4]).isEqualTo(3);
        }
      }
    }
  }

  private static Instant minuteOf(JsonNode report) {
    return Instant.parse(report.path("meta").path("generatedAt").asText())
        .truncatedTo(ChronoUnit.MINUTES);
  }

  // ---- helpers ----

  private Instant minute(int m) {
    return base.plus(Duration.ofMinutes(m));
  }

  private long windowMinutes(JsonNode report) {
    Instant generated = Instant.parse(report.path("meta").path("generatedAt").asText());
    return Duration.between(base, generated.truncatedTo(ChronoUnit.MINUTES)).toMinutes();
  }

  private ObjectNode at(TestApp.Agent a, int minute, String status) {
    return TestApp.observation(
        ++seqs.computeIfAbsent(a, k -> new long[1])[0], minute(minute).plusSeconds(50), status);
  }

  private ObjectNode local(TestApp.Agent a, LocalDate day, LocalTime t, String status) {
    return TestApp.observation(
        ++seqs.computeIfAbsent(a, k -> new long[1])[0],
        day.atTime(t).atZone(BOGOTA).toInstant().plusSeconds(30),
        status);
  }

  private void send(TestApp.Agent a, List<ObjectNode> obs) {
    for (int i = 0; i < obs.size(); i += 2000) {
      ObjectNode body =
          Api.object().put("protocolVersion", 1).put("sentAt", Instant.now().toString());
      ArrayNode arr = body.putArray("observations");
      obs.subList(i, Math.min(obs.size(), i + 2000)).forEach(arr::add);
      Api.Response r = a.report(body);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      assertThat(r.body().path("rejected").size()).as(r.toString()).isZero();
    }
  }

  private TestApp.Agent enroll(String code, Instant at) {
    TestApp.Agent a = APP.enroll(code);
    APP.jdbi()
        .useHandle(
            h -> {
              h.createUpdate(
                      "UPDATE agents SET enrolled_at = :t WHERE public_id = CAST(:id AS uuid)")
                  .bind("t", at)
                  .bind("id", a.id())
                  .execute();
              h.createUpdate("UPDATE computers SET enrolled_at = :t WHERE id = :id")
                  .bind("t", at)
                  .bind("id", a.computerId())
                  .execute();
            });
    seqs.put(a, new long[1]);
    return a;
  }

  /** Through the API, then dated back as if it had happened then (the rollup marks as it does). */
  private void decommission(TestApp.Agent a, Instant at) {
    Api.Response r = APP.it().post("/api/v1/computers/" + a.computerId() + "/decommission", "");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    APP.jdbi()
        .useHandle(
            h -> {
              h.createUpdate("UPDATE computers SET decommissioned_at = :t WHERE id = :id")
                  .bind("t", at)
                  .bind("id", a.computerId())
                  .execute();
              h.attach(RollupDao.class).markComputerDirtySince(a.computerId(), at);
            });
  }

  private void drain() {
    ((EnlaceApplication) EXT.getApplication()).rollups().drain();
  }

  private JsonNode evidence(String period) {
    drain();
    Api.Response r = APP.it().get("/api/v1/evidence?format=json&period=" + period);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.body();
  }

  private static JsonNode establishment(JsonNode report, String code) {
    for (JsonNode e : report.path("establishments")) {
      if (e.path("code").asText().equals(code)) {
        return e;
      }
    }
    throw new AssertionError("no " + code + " in " + report);
  }
}

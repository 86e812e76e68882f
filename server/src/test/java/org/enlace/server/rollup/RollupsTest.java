package org.enlace.server.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.SyntheticMonth;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Rollups, outages and indicators against the scripted month in {@link SyntheticMonth}, loaded once
 * and shared. No test depends on another's order: a test that changes the shared data puts it back
 * before it ends, and the one that cannot (retention drops raw data for good) loads its own month
 * into its own server and database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RollupsTest {
  static final TestApp APP = TestApp.create();
  SyntheticMonth month;

  @org.junit.jupiter.api.extension.RegisterExtension
  static final io.dropwizard.testing.junit5.DropwizardAppExtension<?> EXT = APP.extension();

  @BeforeAll
  void load() {
    month = new SyntheticMonth(APP, "R").load();
    drain();
  }

  static int drain() {
    return drain(APP);
  }

  static int drain(TestApp app) {
    return ((EnlaceApplication) app.extension().getApplication()).rollups().drain();
  }

  private Map<String, Object> computerDay(TestApp.Agent a, String day) {
    return APP.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        """
                        SELECT minutes_observed, minutes_online,
                        minutes_limited, minutes_offline, observations FROM computer_days
                        JOIN computer_day_minutes USING (computer_id, day)
                        WHERE computer_id = :c AND day = CAST(:d AS date)
                        """)
                    .bind("c", a.computerId())
                    .bind("d", day)
                    .mapToMap()
                    .findOne()
                    .orElse(Map.of()));
  }

  private long establishmentId(String code) {
    return APP.count("SELECT id FROM establishments WHERE code = ?", code);
  }

  record OutageRow(
      Instant startedAt,
      Instant endedAt,
      int durationMinutes,
      int openMinutes,
      int computers,
      boolean shortBlip) {}

  private List<OutageRow> outages(String code) {
    return APP.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        """
                        SELECT started_at, ended_at,
                        duration_minutes, open_minutes, computers, short_blip FROM outages
                        WHERE establishment_id = :e ORDER BY started_at
                        """)
                    .bind("e", establishmentId(code))
                    .map(
                        (rs, ctx) ->
                            new OutageRow(
                                rs.getTimestamp(1).toInstant(),
                                rs.getTimestamp(2).toInstant(),
                                rs.getInt(3),
                                rs.getInt(4),
                                rs.getInt(5),
                                rs.getBoolean(6)))
                    .list());
  }

  @Test
  void aSwitchedOffComputerHasNoDataNotOffline() {
    Map<String, Object> weekday = computerDay(month.a1, "2026-10-13");
    // 07:00-19:00 is 720 observed minutes; the last status holds one more minute (19:00).
    assertThat(weekday)
        .containsEntry("minutes_observed", 721)
        .containsEntry("minutes_online", 721)
        .containsEntry("minutes_offline", 0)
        .containsEntry("observations", 720);
    assertThat(computerDay(month.a1, "2026-10-17")).isEmpty(); // a Saturday: no row at all
  }

  @Test
  void theClockTwoHoursFastIsCorrectedIntoTheRightMinutes() {
    assertThat(computerDay(month.a2, "2026-10-14"))
        .containsEntry("minutes_observed", 721)
        .containsEntry("minutes_offline", 180)
        .containsEntry("minutes_online", 541);
  }

  @Test
  void duplicatesAreCountedOnce() {
    assertThat(computerDay(month.k1, "2026-10-01"))
        .containsEntry("observations", 1440)
        .containsEntry("minutes_observed", 1440);
  }

  @Test
  void lateReportsLandInTheirOwnDays() {
    assertThat(computerDay(month.k2, "2026-10-12"))
        .containsEntry("observations", 1440)
        .containsEntry("minutes_online", 1440);
  }

  @Test
  void monthEdgesFollowBogotaTime() {
    // 30 Sep 23:50-24:00 Bogotá is 1 Oct 04:50-05:00 UTC: it belongs to September.
    assertThat(computerDay(month.k1, "2026-09-30")).containsEntry("observations", 10);
    assertThat(computerDay(month.k1, "2026-11-01")).containsEntry("observations", 10);
  }

  @Test
  void townHallOutageIsExactlyThreeHoursInsideOpeningHours() {
    assertThat(outages(month.alc))
        .containsExactly(
            new OutageRow(
                Instant.parse("2026-10-14T14:00:00Z"),
                Instant.parse("2026-10-14T17:00:00Z"),
                180,
                180,
                2,
                false));
    Map<String, Object> day =
        APP.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            """
                            SELECT open_minutes,
                            observed_open_minutes, up_open_minutes, outage_open_minutes, computers_reporting
                            FROM establishment_days WHERE establishment_id = :e AND day = DATE '2026-10-14'
                            """)
                        .bind("e", establishmentId(month.alc))
                        .mapToMap()
                        .one());
    assertThat(day)
        .containsEntry("open_minutes", 480)
        .containsEntry("observed_open_minutes", 480)
        .containsEntry("up_open_minutes", 300)
        .containsEntry("outage_open_minutes", 180)
        .containsEntry("computers_reporting", 2);
  }

  @Test
  void kioskOutagesAndBlips() {
    assertThat(outages(month.kio))
        .containsExactly(
            new OutageRow(
                Instant.parse("2026-10-05T15:00:00Z"),
                Instant.parse("2026-10-05T15:03:00Z"),
                3,
                3,
                2,
                true),
            new OutageRow(
                Instant.parse("2026-10-25T07:00:00Z"),
                Instant.parse("2026-10-25T09:30:00Z"),
                150,
                150,
                2,
                false));
  }

  @Test
  void indicatorsCountConnectedComputersAndEstablishmentsAgainstTheBaseline() {
    // Only this class's establishments report in this database.
    Api.Response b =
        APP.it()
            .post(
                "/api/v1/indicators/baseline",
                Api.object()
                    .put("reference", "Plan GEL 2008, línea base")
                    .set(
                        "administration",
                        Api.object().put("computers", 1).put("establishments", 1)));
    assertThat(b.status()).as(b.toString()).isEqualTo(400); // citizens missing
    b =
        APP.it()
            .post(
                "/api/v1/indicators/baseline",
                Api.JSON
                    .createObjectNode()
                    .put("reference", "Plan GEL 2008, línea base")
                    .put("note", "encuesta 2008")
                    .<com.fasterxml.jackson.databind.node.ObjectNode>set(
                        "administration", Api.object().put("computers", 1).put("establishments", 1))
                    .set("citizens", Api.object().put("computers", 1).put("establishments", 0)));
    assertThat(b.status()).as(b.toString()).isEqualTo(201);
    assertThat(b.body().path("setBy").asText()).isEqualTo("admin");
    assertThat(b.body().path("targetIncreasePct").asDouble()).isEqualTo(100.0);
    Api.Response d =
        APP.it()
            .post(
                "/api/v1/indicators/declared",
                Api.object()
                    .put("sector", "citizens")
                    .put("description", "Café internet La Plaza")
                    .put("establishments", 1)
                    .put("computers", 3)
                    .put("validFrom", "2026-10")
                    .put("validTo", "2026-10")
                    .put("source", "visita de la oficina TIC, 2026-10-02"));
    assertThat(d.status()).as(d.toString()).isEqualTo(201);

    Api.Response r = APP.it().get("/api/v1/indicators?from=2026-09&to=2026-11");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    var periods = r.body().path("periods");
    assertThat(periods).hasSize(3);
    var oct = periods.get(1);
    assertThat(oct.path("period").asText()).isEqualTo("2026-10");
    var admin = oct.path("sectors").get(0);
    assertThat(admin.path("sector").asText()).isEqualTo("administration");
    assertThat(admin.path("measured").path("computers").asLong()).isEqualTo(2);
    assertThat(admin.path("measured").path("establishments").asLong()).isEqualTo(1);
    assertThat(admin.path("computersChangePct").asDouble()).isEqualTo(100.0);
    assertThat(admin.path("computersProgressPct").asDouble()).isEqualTo(100.0);
    assertThat(admin.path("establishmentsChangePct").asDouble()).isEqualTo(0.0);
    var citizens = oct.path("sectors").get(1);
    assertThat(citizens.path("measured").path("computers").asLong()).isEqualTo(2);
    assertThat(citizens.path("declared").path("computers").asLong()).isEqualTo(3);
    assertThat(citizens.path("combined").path("computers").asLong()).isEqualTo(5);
    assertThat(citizens.path("combined").path("establishments").asLong()).isEqualTo(2);
    assertThat(citizens.path("computersChangePct").asDouble()).isEqualTo(400.0);
    assertThat(citizens.path("establishmentsChangePct").isNull()).isTrue(); // baseline 0
    var total = oct.path("sectors").get(2);
    assertThat(total.path("combined").path("computers").asLong()).isEqualTo(7);
    assertThat(total.path("computersChangePct").asDouble()).isEqualTo(250.0);
    // September: only K1's last ten minutes; the declaration is not in force.
    var sep = periods.get(0).path("sectors");
    assertThat(sep.get(1).path("combined").path("computers").asLong()).isEqualTo(1);
    assertThat(sep.get(0).path("combined").path("computers").asLong()).isZero();

    Api.Response q = APP.it().get("/api/v1/indicators?from=2026-07&to=2026-12&granularity=quarter");
    assertThat(q.body().path("periods")).hasSize(2);
    assertThat(q.body().path("periods").get(1).path("period").asText()).isEqualTo("2026-Q4");
    assertThat(
            q.body()
                .path("periods")
                .get(1)
                .path("sectors")
                .get(2)
                .path("measured")
                .path("computers")
                .asLong())
        .isEqualTo(4);
    assertThat(APP.it().get("/api/v1/indicators?from=2026-13&to=2026-12").status()).isEqualTo(400);
    assertThat(APP.it().get("/api/v1/indicators?from=2026-12&to=2026-01").status()).isEqualTo(400);
  }

  private List<Map<String, Object>> snapshot() {
    return snapshot(APP);
  }

  private static List<Map<String, Object>> snapshot(TestApp app) {
    return app.jdbi()
        .withHandle(
            h -> {
              List<Map<String, Object>> all = new ArrayList<>();
              all.addAll(
                  h.createQuery(
                          """
                          SELECT computer_id, day, observations, minutes_observed,
                          minutes_online, minutes_limited, minutes_offline, CAST(online_bits AS text) AS o,
                          CAST(offline_bits AS text) AS f, CAST(latency_hist AS text) AS l
                          FROM computer_days JOIN computer_day_minutes USING (computer_id, day)
                          ORDER BY 1, 2
                          """)
                      .mapToMap()
                      .list());
              all.addAll(
                  h.createQuery(
                          """
                          SELECT establishment_id, day, open_minutes, observed_minutes,
                          up_open_minutes, outage_open_minutes, computers_reporting, computers_online,
                          CAST(outage_bits AS text) AS b, observations FROM establishment_days
                          ORDER BY 1, 2
                          """)
                      .mapToMap()
                      .list());
              all.addAll(
                  h.createQuery(
                          """
                          SELECT establishment_id, started_at, ended_at, computers,
                          short_blip FROM outages ORDER BY 1, 2
                          """)
                      .mapToMap()
                      .list());
              all.addAll(
                  h.createQuery(
                          """
                          SELECT establishment_id, computer_id, month, online_days, observed_days
                          FROM computer_months ORDER BY 1, 2, 3
                          """)
                      .mapToMap()
                      .list());
              all.addAll(
                  h.createQuery("SELECT * FROM computer_month_minutes ORDER BY 1, 2")
                      .mapToMap()
                      .list());
              return all;
            });
  }

  /**
   * The sums a report reads instead of the days (observations per establishment-day, each
   * computer's minutes per month) equal the days they sum, here and after a rebuild.
   */
  static void assertSumsMatchTheirDays(TestApp app) {
    assertThat(
            app.count(
                """
                SELECT count(*) FROM establishment_days e FULL JOIN (SELECT establishment_id, day,
                 sum(observations) AS n FROM computer_days GROUP BY 1, 2) d
                 USING (establishment_id, day)
                 WHERE coalesce(e.observations, -1) <> coalesce(d.n, 0)
                """))
        .isZero();
    assertThat(
            app.count(
                """
                SELECT count(*) FROM computer_month_minutes m FULL JOIN (SELECT computer_id,
                 CAST(date_trunc('month', day) AS date) AS month, sum(minutes_online) AS o,
                 sum(minutes_limited) AS l, sum(minutes_offline) AS f FROM computer_day_minutes
                 GROUP BY 1, 2) d USING (computer_id, month)
                WHERE m.minutes_online IS DISTINCT FROM d.o
                 OR m.minutes_limited IS DISTINCT FROM d.l OR m.minutes_offline IS DISTINCT FROM d.f
                """))
        .isZero();
    assertThat(app.count("SELECT count(*) FROM computer_month_minutes")).isPositive();
  }

  @Test
  void theReportsSumsEqualTheirDays() {
    assertSumsMatchTheirDays(APP);
  }

  @Test
  void aRebuildFromRawDataGivesTheSameRollups() {
    List<Map<String, Object>> before = snapshot();
    RollupRebuild.Result r =
        new RollupRebuild(APP.jdbi(), new LocalMinutes(SyntheticMonth.BOGOTA))
            .rebuild(LocalDate.of(2026, 9, 1), LocalDate.of(2026, 11, 30));
    // the oldest partition starts 1 Oct 00:00 UTC, inside Bogotá's 30 September
    assertThat(r.from()).isEqualTo(LocalDate.of(2026, 10, 1));
    drain();
    assertThat(snapshot()).isEqualTo(before);
    assertSumsMatchTheirDays(APP);
  }

  @Test
  void retentionDropsRawDataAndKeepsRollups() throws Exception {
    // Dropping raw data cannot be undone, and the other tests (the rebuild first) need it: this
    // one gets a server, a database and a month of its own.
    TestApp own = TestApp.create();
    own.extension().before();
    try {
      new SyntheticMonth(own, "R").load();
      drain(own);
      List<Map<String, Object>> before = snapshot(own);
      RollupRebuild rebuild =
          new RollupRebuild(own.jdbi(), new LocalMinutes(SyntheticMonth.BOGOTA));
      RollupRebuild.Expired e = rebuild.expire(Instant.parse("2026-11-01T00:00:00Z"));
      assertThat(e.partitionsDropped()).isGreaterThanOrEqualTo(1);
      assertThat(
              own.count(
                  """
                  SELECT count(*) FROM observations WHERE observed_at <
                  TIMESTAMPTZ '2026-11-01 00:00Z'
                  """))
          .isZero();
      // A rebuild cannot reach back past the raw data that is left, so the rollups stay.
      rebuild.rebuild(LocalDate.of(2026, 10, 1), LocalDate.of(2026, 10, 31));
      drain(own);
      List<Map<String, Object>> after = snapshot(own);
      for (int i = 0; i < Math.min(before.size(), after.size()); i++) {
        assertThat(after.get(i)).as("row " + i).isEqualTo(before.get(i));
      }
      assertThat(after).hasSameSizeAs(before);
    } finally {
      own.extension().after();
    }
  }

  @Test
  void changedOpeningHoursAreAppliedToPastDays() {
    var e =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            APP.it().get("/api/v1/establishments/" + month.alc).body();
    for (String f : List.of("createdAt", "updatedAt", "id")) {
      e.remove(f);
    }
    com.fasterxml.jackson.databind.JsonNode hours = e.get("openingHours").deepCopy();
    e.putObject("openingHours"); // none: judged all day
    try {
      assertThat(APP.it().put("/api/v1/establishments/" + month.alc, e).status()).isEqualTo(200);
      drain();
      Map<String, Object> day =
          APP.jdbi()
              .withHandle(
                  h ->
                      h.createQuery(
                              """
                              SELECT open_minutes, outage_open_minutes FROM establishment_days
                              WHERE establishment_id = :e AND day = DATE '2026-10-14'
                              """)
                          .bind("e", establishmentId(month.alc))
                          .mapToMap()
                          .one());
      assertThat(day).containsEntry("open_minutes", 1440).containsEntry("outage_open_minutes", 180);
    } finally {
      // The town hall's hours back, and its past days recomputed with them, for the other tests.
      e.set("openingHours", hours);
      assertThat(APP.it().put("/api/v1/establishments/" + month.alc, e).status()).isEqualTo(200);
      drain();
    }
  }
}

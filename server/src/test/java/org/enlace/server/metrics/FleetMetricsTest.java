package org.enlace.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.db.DataSourceFactory;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.enlace.server.db.Jdbis;
import org.enlace.server.db.Migrations;
import org.enlace.server.testing.TestJdbi;
import org.enlace.server.testing.TestPostgres;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** The fleet gauges against a real PostgreSQL with the production schema. */
class FleetMetricsTest {
  static final ZoneId BOGOTA = ZoneId.of("America/Bogota");

  /** Wednesday 18 November 2026, 10:00 in Bogotá. */
  static final Instant NOW = Instant.parse("2026-11-18T15:00:00Z");

  static final String OFFICE_HOURS =
      "{\"wednesday\": [{\"open\": \"08:00\", \"close\": \"12:00\"},"
          + " {\"open\": \"14:00\", \"close\": \"18:00\"}]}";

  private final Jdbi jdbi = TestJdbi.migrated();

  static FleetMetrics fleet(
      Jdbi jdbi, MeterRegistry meters, Instant now, FleetMetricsConfig config) {
    return new FleetMetrics(jdbi, meters, Clock.fixed(now, ZoneOffset.UTC), BOGOTA, 1, config);
  }

  static long establishment(
      Handle h,
      String code,
      String sector,
      String kind,
      String hours,
      Double latitude,
      Double longitude) {
    return h.createQuery(
            """
            INSERT INTO establishments (code, name, kind, sector, opening_hours,
            latitude, longitude) VALUES (:code, :code, :kind, :sector, CAST(:hours AS jsonb),
            :lat, :lon) RETURNING id
            """)
        .bind("code", code)
        .bind("kind", kind)
        .bind("sector", sector)
        .bind("hours", hours)
        .bind("lat", latitude)
        .bind("lon", longitude)
        .mapTo(Long.class)
        .one();
  }

  /** A computer; {@code seen}/{@code observed} null for one that never reported. */
  static long computer(
      Handle h,
      long establishment,
      String version,
      Instant enrolled,
      Instant seen,
      Instant observed,
      String status,
      Long clockOffsetMs,
      String state) {
    return h.createQuery(
            """
            INSERT INTO computers (establishment_id, machine_id,
            machine_id_trusted, hostname, agent_version, role, state, enrolled_at,
            last_seen_at, last_observed_at, last_status, clock_offset_ms,
            queue_dropped_total) VALUES (:e, gen_random_uuid()::text, false, 'pc', :v,
            'office', :state, :enrolled, :seen, :observed, :status, :offset, 7)
            RETURNING id
            """)
        .bind("e", establishment)
        .bind("v", version)
        .bind("state", state)
        .bind("enrolled", enrolled)
        .bind("seen", seen)
        .bind("observed", observed)
        .bind("status", status)
        .bind("offset", clockOffsetMs)
        .mapTo(Long.class)
        .one();
  }

  static long link(Handle h, long establishment, double down, double up) {
    return h.createQuery(
            """
            INSERT INTO isp_links (establishment_id, isp_name, contracted_down_mbps,
            contracted_up_mbps) VALUES (:e, 'ISP', :d, :u) RETURNING id
            """)
        .bind("e", establishment)
        .bind("d", down)
        .bind("u", up)
        .mapTo(Long.class)
        .one();
  }

  static void speedTest(
      Handle h,
      long establishment,
      long link,
      long seq,
      Instant at,
      String method,
      Double down,
      Double up) {
    h.createUpdate(
            """
            INSERT INTO speed_tests (establishment_id, computer_id, agent_id, seq, link_id,
            measured_at, method, down_mbps, up_mbps) VALUES (:e, 1, 1, :seq, :l, :at, :m,
            :d, :u)
            """)
        .bind("e", establishment)
        .bind("seq", seq)
        .bind("l", link)
        .bind("at", at)
        .bind("m", method)
        .bind("d", down)
        .bind("u", up)
        .execute();
  }

  static double value(MeterRegistry meters, String name, String... tags) {
    Gauge g = meters.find(name).tags(tags).gauge();
    assertThat(g).as(name + " " + String.join(",", tags)).isNotNull();
    return g.value();
  }

  static boolean present(MeterRegistry meters, String name, String... tags) {
    return meters.find(name).tags(tags).gauge() != null;
  }

  @Test
  void countsComputersNowLifecycleClockBacklogAndMonthPerEstablishment() {
    jdbi.useHandle(
        h -> {
          long a =
              establishment(
                  h, "alcaldia", "administration", "town_hall", OFFICE_HOURS, 0.93, -77.55);
          long k = establishment(h, "kiosco", "citizens", "public_access_point", "{}", null, null);
          Instant old = NOW.minus(Duration.ofDays(60));
          long on =
              computer(
                  h,
                  a,
                  "0.2.0",
                  old,
                  NOW.minusSeconds(30),
                  NOW.minusSeconds(90),
                  "online",
                  -1500L,
                  "active");
          computer(
              h,
              a,
              "0.2.0",
              old,
              NOW.minusSeconds(20),
              NOW.minusSeconds(400),
              "limited",
              4000L,
              "active");
          computer(
              h,
              a,
              "0.1.0",
              old,
              NOW.minus(Duration.ofHours(1)),
              NOW.minus(Duration.ofHours(1)),
              "offline",
              0L,
              "active");
          computer(
              h,
              a,
              "0.1.0",
              old,
              NOW.minusSeconds(10),
              NOW.minusSeconds(10),
              "offline",
              0L,
              "decommissioned");
          computer(
              h,
              k,
              "0.1.0",
              old,
              NOW.minus(Duration.ofDays(22)),
              NOW.minus(Duration.ofDays(22)),
              "online",
              99_000L,
              "active");
          computer(
              h,
              k,
              "0.1.0",
              old,
              NOW.minus(Duration.ofDays(30)),
              NOW.minus(Duration.ofDays(30)),
              "online",
              0L,
              "active");
          computer(h, k, "", NOW.minus(Duration.ofDays(1)), null, null, null, null, "active");
          h.createUpdate(
                  """
                  INSERT INTO computer_months (establishment_id, computer_id, month,
                  online_days, observed_days) VALUES (:e, :c, DATE '2026-11-01', 3, 3),
                  (:e, :c + 1, DATE '2026-11-01', 0, 2), (:e, :c + 2, DATE '2026-10-01', 9, 9)
                  """)
              .bind("e", a)
              .bind("c", on)
              .execute();
          h.createUpdate(
                  """
                  INSERT INTO establishment_days (establishment_id, day, day_minutes,
                  open_minutes, observed_minutes, up_minutes, outage_minutes, observed_open_minutes,
                  up_open_minutes, outage_open_minutes, computers_reporting, computers_online,
                  outage_bits, observed_bits, latency_hist) VALUES
                  (:e, DATE '2026-11-02', 1440, 480, 600, 500, 100, 480, 400, 80, 2, 2, B'', B'',
                   '{}'),
                  (:e, DATE '2026-10-31', 1440, 480, 600, 0, 600, 480, 0, 480, 2, 0, B'', B'', '{}')
                  """)
              .bind("e", a)
              .execute();
        });
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    FleetMetrics fleet = fleet(jdbi, meters, NOW, new FleetMetricsConfig());
    assertThat(fleet.refresh()).isTrue();

    String[] a = {"establishment", "alcaldia", "sector", "administration", "kind", "town_hall"};
    assertThat(value(meters, "enlace.establishment.computers.enrolled", a)).isEqualTo(3);
    assertThat(value(meters, "enlace.establishment.computers.reporting", a)).isEqualTo(2);
    assertThat(value(meters, "enlace.establishment.computers.online", a)).isEqualTo(1);
    assertThat(value(meters, "enlace.establishment.computers.limited", a)).isEqualTo(1);
    assertThat(value(meters, "enlace.establishment.computers.offline", a)).isZero();
    assertThat(value(meters, "enlace.establishment.connected", a)).isEqualTo(1);
    assertThat(value(meters, "enlace.establishment.open", a)).isEqualTo(1);
    assertThat(value(meters, "enlace.establishment.last.report.timestamp.seconds", a))
        .isEqualTo((double) (NOW.getEpochSecond() - 20));
    assertThat(value(meters, "enlace.establishment.agent.clock.offset.max.seconds", a))
        .isEqualTo(4.0);
    assertThat(value(meters, "enlace.establishment.agent.backlog.max.seconds", a)).isEqualTo(380.0);
    assertThat(value(meters, "enlace.establishment.agent.dropped.observations", a)).isEqualTo(21);
    assertThat(value(meters, "enlace.establishment.month.connected.computers", a)).isEqualTo(1);
    assertThat(value(meters, "enlace.establishment.month.availability.ratio", a))
        .isEqualTo(400.0 / 480);
    assertThat(value(meters, "enlace.establishment.month.outage.seconds", a)).isEqualTo(80 * 60);
    assertThat(value(meters, "enlace.establishment.latitude.degrees", a)).isEqualTo(0.93);
    assertThat(value(meters, "enlace.establishment.longitude.degrees", a)).isEqualTo(-77.55);
    assertThat(value(meters, "enlace.establishment.agents", append(a, "lifecycle", "live")))
        .isEqualTo(3);

    String[] k = {"establishment", "kiosco", "sector", "citizens", "kind", "public_access_point"};
    assertThat(value(meters, "enlace.establishment.computers.enrolled", k)).isEqualTo(3);
    assertThat(value(meters, "enlace.establishment.computers.reporting", k)).isZero();
    assertThat(value(meters, "enlace.establishment.connected", k)).isZero();
    assertThat(value(meters, "enlace.establishment.open", k))
        .as("no hours: always open")
        .isEqualTo(1);
    assertThat(value(meters, "enlace.establishment.agents", append(k, "lifecycle", "live")))
        .isEqualTo(1);
    assertThat(value(meters, "enlace.establishment.agents", append(k, "lifecycle", "at_risk")))
        .isEqualTo(1);
    assertThat(value(meters, "enlace.establishment.agents", append(k, "lifecycle", "dropped")))
        .isEqualTo(1);
    assertThat(value(meters, "enlace.establishment.last.report.timestamp.seconds", k))
        .as("the computer that never reported counts from its enrollment")
        .isEqualTo((double) NOW.minus(Duration.ofDays(1)).getEpochSecond());
    assertThat(present(meters, "enlace.establishment.agent.clock.offset.max.seconds", k))
        .as("only live computers' clocks")
        .isFalse();
    assertThat(present(meters, "enlace.establishment.agent.backlog.max.seconds", k)).isFalse();
    assertThat(present(meters, "enlace.establishment.month.availability.ratio", k))
        .as("no data is no figure, never 0")
        .isFalse();
    assertThat(present(meters, "enlace.establishment.latitude.degrees", k)).isFalse();

    assertThat(value(meters, "enlace.agent.versions", "version", "0.2.0")).isEqualTo(2);
    assertThat(value(meters, "enlace.agent.versions", "version", "0.1.0")).isEqualTo(1);
    assertThat(value(meters, "enlace.agent.versions", "version", "unknown")).isEqualTo(1);
    assertThat(value(meters, "enlace.database.up")).isEqualTo(1);

    // 13:00 on the same Wednesday: the town hall is closed for lunch.
    SimpleMeterRegistry lunch = new SimpleMeterRegistry();
    fleet(jdbi, lunch, NOW.plus(Duration.ofHours(3)), new FleetMetricsConfig()).refresh();
    assertThat(value(lunch, "enlace.establishment.open", a)).isZero();
    assertThat(value(lunch, "enlace.establishment.open", k)).isEqualTo(1);
  }

  /** Sets what the computer's newest report with a {@code queue} said (see V8__agent_queue). */
  static void queue(Handle h, long computer, long depth, Instant oldest, Instant reported) {
    h.createUpdate(
            """
            UPDATE computers SET queue_depth = :d, queue_oldest_at = :o,
            queue_reported_at = :r WHERE id = :id
            """)
        .bind("d", depth)
        .bind("o", oldest)
        .bind("r", reported)
        .bind("id", computer)
        .execute();
  }

  @Test
  void queueMaxIsTheLargestQueueReportedWithinTheReportingWindow() {
    jdbi.useHandle(
        h -> {
          long a = establishment(h, "alcaldia", "administration", "town_hall", "{}", null, null);
          long k = establishment(h, "kiosco", "citizens", "public_access_point", "{}", null, null);
          long e = establishment(h, "escuela", "citizens", "school", "{}", null, null);
          Instant old = NOW.minus(Duration.ofDays(60));
          Instant seen = NOW.minusSeconds(60);
          long back = computer(h, a, "0.3.0", old, seen, seen, "online", 0L, "active");
          queue(h, back, 40, seen.minusSeconds(7200), seen);
          long caughtUp =
              computer(
                  h,
                  a,
                  "0.3.0",
                  old,
                  NOW.minusSeconds(30),
                  NOW.minusSeconds(30),
                  "online",
                  0L,
                  "active");
          queue(h, caughtUp, 0, null, NOW.minusSeconds(30));
          long stale =
              computer(
                  h,
                  a,
                  "0.3.0",
                  old,
                  NOW.minusSeconds(20),
                  NOW.minusSeconds(20),
                  "online",
                  0L,
                  "active");
          queue(h, stale, 900, NOW.minus(Duration.ofDays(3)), NOW.minus(Duration.ofHours(1)));
          long gone = computer(h, a, "0.3.0", old, seen, seen, "online", 0L, "decommissioned");
          queue(h, gone, 5000, NOW.minus(Duration.ofDays(9)), seen);
          long idle = computer(h, k, "0.3.0", old, seen, seen, "online", 0L, "active");
          queue(h, idle, 0, null, seen);
          computer(h, e, "0.1.0", old, seen, seen, "online", 0L, "active"); // sends no queue
        });
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    assertThat(fleet(jdbi, meters, NOW, new FleetMetricsConfig()).refresh()).isTrue();

    String[] a = {"establishment", "alcaldia", "sector", "administration", "kind", "town_hall"};
    assertThat(value(meters, "enlace.establishment.agent.queue.max", a))
        .as("reports older than the window and decommissioned computers do not count")
        .isEqualTo(40);
    assertThat(value(meters, "enlace.establishment.agent.queue.oldest.max.seconds", a))
        .isEqualTo(7200);
    String[] k = {"establishment", "kiosco", "sector", "citizens", "kind", "public_access_point"};
    assertThat(value(meters, "enlace.establishment.agent.queue.max", k)).isZero();
    assertThat(value(meters, "enlace.establishment.agent.queue.oldest.max.seconds", k))
        .as("nothing waits: nothing is old")
        .isZero();
    String[] e = {"establishment", "escuela", "sector", "citizens", "kind", "school"};
    assertThat(present(meters, "enlace.establishment.agent.queue.max", e))
        .as("agents that do not send a queue: no figure, never 0")
        .isFalse();
    assertThat(present(meters, "enlace.establishment.agent.queue.oldest.max.seconds", e)).isFalse();
    assertThat(value(meters, "enlace.establishment.agent.backlog.max.seconds", e))
        .as("the backlog approximation stays")
        .isZero();
    String text = meters.scrape();
    assertThat(text)
        .contains("enlace_establishment_agent_queue_max{establishment=\"alcaldia\"")
        .contains("enlace_establishment_agent_queue_oldest_max_seconds{");
  }

  @Test
  void speedTestsPerLinkAgainstTheContract() {
    long linkId =
        jdbi.withHandle(
            h -> {
              long e = establishment(h, "biblioteca", "citizens", "library", "{}", null, null);
              long l = link(h, e, 10, 5);
              Instant t = NOW.minus(Duration.ofDays(2));
              // Oldest first: under, ok, then three under in a row (down); up always fine.
              double[] downs = {3, 9, 5, 6, 7};
              for (int i = 0; i < downs.length; i++) {
                speedTest(h, e, l, i + 1, t.plus(Duration.ofHours(i)), "ndt7", downs[i], 4.5);
              }
              // Newer, but neither counts: a paired M-Lab test and a failed test.
              speedTest(h, e, l, 10, t.plus(Duration.ofHours(10)), "ndt7-mlab", 1.0, 0.1);
              speedTest(h, e, l, 11, t.plus(Duration.ofHours(11)), "ndt7", null, null);
              return l;
            });
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    fleet(jdbi, meters, NOW, new FleetMetricsConfig()).refresh();
    String link = Long.toString(linkId);
    String[] down = {"establishment", "biblioteca", "link", link, "direction", "down"};
    String[] up = {"establishment", "biblioteca", "link", link, "direction", "up"};
    assertThat(value(meters, "enlace.link.contracted.bits.per.second", down)).isEqualTo(10e6);
    assertThat(value(meters, "enlace.link.contracted.bits.per.second", up)).isEqualTo(5e6);
    assertThat(value(meters, "enlace.link.speedtest.last.bits.per.second", down)).isEqualTo(7e6);
    assertThat(value(meters, "enlace.link.speedtest.last.bits.per.second", up)).isEqualTo(4.5e6);
    assertThat(value(meters, "enlace.link.speedtest.under.contract.streak", down)).isEqualTo(3);
    assertThat(value(meters, "enlace.link.speedtest.under.contract.streak", up)).isZero();
    assertThat(value(meters, "enlace.link.speedtest.last.timestamp.seconds", "link", link))
        .isEqualTo(
            (double) NOW.minus(Duration.ofDays(2)).plus(Duration.ofHours(4)).getEpochSecond());
  }

  @Test
  void seriesOfDeletedLinksAndEstablishmentsAndChangedSectorsGoAway() {
    long[] ids =
        jdbi.withHandle(
            h -> {
              long a = establishment(h, "a", "administration", "school", "{}", null, null);
              long b = establishment(h, "b", "citizens", "library", "{}", null, null);
              return new long[] {a, b, link(h, a, 10, 5)};
            });
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    FleetMetrics fleet = fleet(jdbi, meters, NOW, new FleetMetricsConfig());
    fleet.refresh();
    String before = meters.scrape();
    assertThat(before)
        .contains(
            "enlace_link_contracted_bits_per_second{direction=\"down\","
                + "establishment=\"a\",link=\""
                + ids[2]
                + "\"} 1.0E7")
        .contains(
            "enlace_establishment_computers_enrolled{establishment=\"b\",kind=\"library\","
                + "sector=\"citizens\"} 0.0");

    jdbi.useHandle(
        h -> {
          h.execute("DELETE FROM isp_links WHERE id = ?", ids[2]);
          h.execute("DELETE FROM establishments WHERE id = ?", ids[1]);
          h.execute("UPDATE establishments SET sector = 'citizens' WHERE id = ?", ids[0]);
        });
    fleet.refresh();
    String after = meters.scrape();
    assertThat(after)
        .doesNotContain("enlace_link_contracted_bits_per_second{")
        .doesNotContain("establishment=\"b\"")
        .doesNotContain("sector=\"administration\",")
        .contains(
            "enlace_establishment_computers_enrolled{establishment=\"a\",kind=\"school\","
                + "sector=\"citizens\"} 0.0");
  }

  @Test
  void indicatorBaselineTargetAndDeclarationsInForce() {
    jdbi.useHandle(
        h -> {
          h.execute(
              """
              INSERT INTO indicator_baselines (reference, administration_computers,
              administration_establishments, citizens_computers, citizens_establishments,
              target_increase_pct, set_by) VALUES ('old', 1, 1, 1, 1, 100, 'it'),
              ('plan', 40, 6, 25, 4, 50, 'it')
              """);
          h.execute(
              """
              INSERT INTO declared_counts (sector, description, establishments, computers,
              valid_from, valid_to, source, declared_by) VALUES
              ('citizens', 'café', 1, 6, DATE '2026-10-01', NULL, 'visita', 'it'),
              ('citizens', 'ended', 1, 5, DATE '2026-09-01', DATE '2026-10-01', 'visita', 'it')
              """);
        });
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    fleet(jdbi, meters, NOW, new FleetMetricsConfig()).refresh();
    assertThat(value(meters, "enlace.indicator.baseline.computers", "sector", "administration"))
        .isEqualTo(40);
    assertThat(value(meters, "enlace.indicator.baseline.establishments", "sector", "citizens"))
        .isEqualTo(4);
    assertThat(value(meters, "enlace.indicator.target.increase.ratio")).isEqualTo(0.5);
    assertThat(value(meters, "enlace.indicator.declared.computers", "sector", "citizens"))
        .isEqualTo(6);
    assertThat(value(meters, "enlace.indicator.declared.computers", "sector", "administration"))
        .isZero();
  }

  @Test
  void rareAgentVersionsAreSummedAsOther() {
    jdbi.useHandle(
        h -> {
          long e = establishment(h, "e", "citizens", "school", "{}", null, null);
          for (int i = 0; i < 5; i++) {
            for (int n = 0; n <= i; n++) {
              computer(h, e, "1." + i, NOW, NOW, NOW, "online", 0L, "active");
            }
          }
        });
    FleetMetricsConfig config = new FleetMetricsConfig();
    config.setMaxAgentVersions(3);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    fleet(jdbi, meters, NOW, config).refresh();
    assertThat(meters.find("enlace.agent.versions").gauges()).hasSize(3);
    assertThat(value(meters, "enlace.agent.versions", "version", "1.4")).isEqualTo(5);
    assertThat(value(meters, "enlace.agent.versions", "version", "1.3")).isEqualTo(4);
    assertThat(value(meters, "enlace.agent.versions", "version", "other")).isEqualTo(3 + 2 + 1);
  }

  @Test
  void anUnreachableDatabaseKeepsTheLastValuesAndSaysSo() {
    String url = TestPostgres.newDatabase();
    DataSourceFactory dsf = new DataSourceFactory();
    dsf.setUrl(url);
    dsf.setUser(TestPostgres.user());
    dsf.setPassword(TestPostgres.password());
    Migrations.migrate(dsf);
    AtomicBoolean down = new AtomicBoolean();
    Jdbi switchable =
        Jdbis.configure(
            Jdbi.create(
                () -> {
                  if (down.get()) {
                    throw new SQLException("Connection refused", "08001");
                  }
                  return DriverManager.getConnection(
                      url, TestPostgres.user(), TestPostgres.password());
                }));
    switchable.useHandle(h -> establishment(h, "a", "citizens", "school", "{}", null, null));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    FleetMetrics fleet = fleet(switchable, meters, NOW, new FleetMetricsConfig());
    assertThat(fleet.refresh()).isTrue();
    assertThat(value(meters, "enlace.database.up")).isEqualTo(1);

    down.set(true);
    assertThat(fleet.refresh()).isFalse();
    assertThat(value(meters, "enlace.database.up")).isZero();
    assertThat(meters.find("enlace.fleet.refresh.failures").counter().count()).isEqualTo(1);
    assertThat(value(meters, "enlace.establishment.computers.enrolled", "establishment", "a"))
        .as("the last value stays")
        .isZero();
    assertThat(value(meters, "enlace.fleet.refresh.last.success.timestamp.seconds"))
        .isEqualTo((double) NOW.getEpochSecond());

    down.set(false);
    assertThat(fleet.refresh()).isTrue();
    assertThat(value(meters, "enlace.database.up")).isEqualTo(1);
  }

  /** The refresh borrows the server's pooled connections: it must give them back unchanged. */
  @Test
  void leavesThePooledConnectionAsItFoundIt() throws Exception {
    String url = TestPostgres.newDatabase();
    DataSourceFactory dsf = new DataSourceFactory();
    dsf.setUrl(url);
    dsf.setUser(TestPostgres.user());
    dsf.setPassword(TestPostgres.password());
    Migrations.migrate(dsf);
    try (Connection c =
        DriverManager.getConnection(url, TestPostgres.user(), TestPostgres.password())) {
      int isolation = c.getTransactionIsolation();
      Jdbi one = Jdbis.configure(Jdbi.create(c));
      assertThat(fleet(one, new SimpleMeterRegistry(), NOW, new FleetMetricsConfig()).refresh())
          .isTrue();
      assertThat(c.isReadOnly()).isFalse();
      assertThat(c.getAutoCommit()).isTrue();
      assertThat(c.getTransactionIsolation()).isEqualTo(isolation);
      one.useHandle(h -> establishment(h, "escribe", "citizens", "school", "{}", null, null));
    }
  }

  static String[] append(String[] tags, String... more) {
    String[] all = Arrays.copyOf(tags, tags.length + more.length);
    System.arraycopy(more, 0, all, tags.length, more.length);
    return all;
  }
}

package org.enlace.server.bench;

import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A municipality's year of rollup data, generated with set-based SQL directly in the server's
 * database: establishments (mixed sectors and kinds, two thirds with opening hours, one ISP link
 * each), computers (office PCs and kiosks) with their agents, one computer_days row per computer
 * and day with minute bit strings, and speed tests (4 a day per link). The establishment-level
 * tables (establishment_days, outages, computer_months and computer_days' minute columns) are not
 * generated here: the bench marks every establishment-day dirty and lets the running server's
 * RollupMaintainer derive them, as it does after ingest or a rebuild.
 *
 * <p>Minute bits: office PCs are on from 07:00–08:30 to 17:00–18:30 on weekdays and for 20–60
 * minutes around 09:00–10:00 at weekends; kiosks are on all day, every day. 3 % of
 * establishment-days have an outage (15–240 min between 06:00 and 20:00) and 6 % a short blip (1–4
 * min): every computer switched on then sees offline. 4 % of computer-days have a limited stretch
 * (30–120 min, high latency). Latency histograms depend on the link's technology.
 */
final class BenchData {
  final LocalDate firstDay;
  final int establishments;
  final int computers;

  /** Set: computer_days for this month only (EvidencePdfBench), not the whole year. */
  final java.util.Optional<YearMonth> onlyMonth;

  BenchData(int year, int establishments, int computers) {
    this(year, establishments, computers, java.util.Optional.empty());
  }

  BenchData(int year, int establishments, int computers, java.util.Optional<YearMonth> onlyMonth) {
    this.firstDay = LocalDate.of(year, 1, 1);
    this.establishments = establishments;
    this.computers = computers;
    this.onlyMonth = onlyMonth;
  }

  LocalDate lastDay() {
    return firstDay.plusYears(1).minusDays(1);
  }

  private String sql(String template) {
    return template
        .replace(":y0", "DATE '" + firstDay + "'")
        .replace(":E", Integer.toString(establishments))
        .replace(":N", Integer.toString(computers));
  }

  private static final String HOURS_OFFICE =
      weekdays(
          "[{\"open\":\"08:00\",\"close\":\"12:00\"},"
              + "{\"open\":\"14:00\",\"close\":\"18:00\"}]",
          false);
  private static final String HOURS_SCHOOL =
      weekdays("[{\"open\":\"06:30\",\"close\":\"14:30\"}]", false);
  private static final String HOURS_PUBLIC =
      weekdays("[{\"open\":\"08:00\",\"close\":\"20:00\"}]", true);

  private static String weekdays(String intervals, boolean saturday) {
    List<String> days =
        new ArrayList<>(List.of("monday", "tuesday", "wednesday", "thursday", "friday"));
    if (saturday) {
      days.add("saturday");
    }
    StringBuilder sb = new StringBuilder("{");
    for (String d : days) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append('"').append(d).append("\":").append(intervals);
    }
    return sb.append('}').toString();
  }

  /** Establishments, ISP links, computers and agents. */
  void inventory(Connection c) throws Exception {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT setseed(0.5)");
      s.execute(
          sql("""
          INSERT INTO establishments (code, name, kind, sector, opening_hours, created_at)
          SELECT format('bench-%s', lpad(e::text, 3, '0')), format('Establecimiento %s', e),
            CASE WHEN e % 5 = 0 THEN (ARRAY['town_hall','health_post','other'])[1 + (e / 5) % 3]
                 ELSE (ARRAY['school','school','library','public_access_point'])[1 + e % 4] END,
            CASE WHEN e % 5 = 0 THEN 'administration' ELSE 'citizens' END,
            CASE WHEN e % 3 = 0 THEN '{}'::jsonb
                 WHEN e % 5 = 0 THEN ':H1'::jsonb
                 WHEN e % 4 IN (0, 1) THEN ':H2'::jsonb
                 ELSE ':H3'::jsonb END,
            :y0 - 400
          FROM generate_series(1, :E) e""")
              .replace(":H1", HOURS_OFFICE)
              .replace(":H2", HOURS_SCHOOL)
              .replace(":H3", HOURS_PUBLIC));
      s.execute(
          """
          CREATE TABLE bench_est AS SELECT id, row_number() OVER (ORDER BY id) AS n, kind, sector
          FROM establishments WHERE code LIKE 'bench-%'""");
      s.execute(
          sql(
              """
          INSERT INTO isp_links (establishment_id, isp_name, technology, contracted_down_mbps,
            contracted_up_mbps, monthly_cost, currency, contract_start)
          SELECT id, (ARRAY['Conexión Andina','RedSur','Fibra Nariño','SatCol'])[1 + n % 4],
            (ARRAY['fiber','radio','fiber','satellite'])[1 + n % 4],
            (ARRAY[100, 20, 50, 10])[1 + n % 4], (ARRAY[50, 5, 20, 2])[1 + n % 4],
            (ARRAY[450000, 180000, 300000, 900000])[1 + n % 4], 'COP', :y0 - 365
          FROM bench_est"""));
      // Skewed sizes: about 125 computers in the largest establishment, 25 in the smallest.
      s.execute(
          sql(
              """
          INSERT INTO computers (establishment_id, machine_id, machine_id_trusted, hostname, os,
            agent_version, role, enrolled_at, last_seen_at)
          SELECT be.id, 'bench-machine-' || c, true, 'pc-' || c, 'windows', 'bench',
            CASE WHEN be.kind IN ('library', 'public_access_point') AND c % 5 <> 0 THEN 'kiosk'
                 WHEN c % 25 = 0 THEN 'kiosk' ELSE 'office' END,
            :y0 - 30, now()
          FROM generate_series(1, :N) c
          JOIN bench_est be
            ON be.n = 1 + least(:E - 1, floor(:E * power((c - 1)::float8 / :N, 1.3))::int)"""));
      s.execute(
          """
          INSERT INTO agents (public_id, computer_id, establishment_id, secret_hash, enrolled_at)
          SELECT gen_random_uuid(), c.id, c.establishment_id, '\\x00'::bytea, c.enrolled_at
          FROM computers c JOIN bench_est be ON be.id = c.establishment_id""");
      // Outages and blips per establishment-day, shared by all its computers.
      s.execute(
          sql(
              """
          CREATE TABLE bench_events AS
          SELECT id AS establishment_id, d::date AS day,
            CASE WHEN r1 < 0.03 THEN 360 + floor(r2 * 840)::int END AS os,
            CASE WHEN r1 < 0.03 THEN 15 + floor(r3 * 225)::int END AS olen,
            CASE WHEN r4 < 0.06 THEN 420 + floor(r5 * 600)::int END AS bs,
            CASE WHEN r4 < 0.06 THEN 1 + floor(r6 * 4)::int END AS blen
          FROM (SELECT id, d, random() r1, random() r2, random() r3, random() r4, random() r5,
                  random() r6
                FROM bench_est,
                  generate_series(:y0, :y0 + interval '1 year' - interval '1 day',
                    interval '1 day') d) x"""));
      s.execute("DELETE FROM bench_events WHERE os IS NULL AND bs IS NULL");
      s.execute("CREATE INDEX ON bench_events (establishment_id, day)");
      s.execute("ANALYZE bench_events");
    }
  }

  /** The computer_days rows of [from, to], in day order as daily ingest would write them. */
  private static final String COMPUTER_DAYS =
      """
      WITH k AS (SELECT repeat('0', 1440)::varbit AS z, repeat('1', 1440)::varbit AS o),
      src AS (
        SELECT c.id AS computer_id, c.establishment_id, d::date AS day, c.role,
          extract(isodow FROM d) AS dow, l.technology,
          ev.os, ev.olen, ev.bs, ev.blen, random() AS r1, random() AS r2, random() AS r3,
          random() AS r4
        FROM computers c JOIN isp_links l ON l.establishment_id = c.establishment_id
        JOIN bench_est be ON be.id = c.establishment_id
        CROSS JOIN generate_series(DATE ':from', DATE ':to', interval '1 day') d
        LEFT JOIN bench_events ev ON ev.establishment_id = c.establishment_id AND ev.day = d::date),
      win AS (
        SELECT s.*,
          CASE WHEN role = 'kiosk' THEN 0 WHEN dow <= 5 THEN 420 + floor(r1 * 90)::int
               ELSE 540 + floor(r1 * 60)::int END AS ws,
          CASE WHEN role = 'kiosk' THEN 1440 WHEN dow <= 5 THEN 600 + floor(r2 * 90)::int
               ELSE 20 + floor(r2 * 40)::int END AS wlen
        FROM src s),
      bits AS (
        SELECT w.*, overlay(k.z PLACING substring(k.o FROM 1 FOR w.wlen) FROM w.ws + 1) AS onb,
          CASE WHEN w.os IS NULL AND w.bs IS NULL THEN NULL ELSE
            coalesce(overlay(k.z PLACING substring(k.o FROM 1 FOR w.olen) FROM w.os + 1), k.z)
            | coalesce(overlay(k.z PLACING substring(k.o FROM 1 FOR w.blen) FROM w.bs + 1), k.z)
          END AS downb,
          CASE WHEN w.r3 < 0.04 THEN overlay(k.z PLACING substring(k.o FROM 1
            FOR 30 + floor(w.r4 * 90)::int) FROM 480 + floor(w.r4 * 480)::int + 1) END AS limb,
          k.z
        FROM win w, k),
      fin AS (
        SELECT b.*, CASE WHEN downb IS NULL THEN z ELSE onb & downb END AS offb,
          CASE WHEN limb IS NULL THEN z WHEN downb IS NULL THEN onb & limb
               ELSE onb & limb & ~downb END AS limitb
        FROM bits b)
      INSERT INTO computer_days (computer_id, day, establishment_id, day_minutes, online_bits,
        limited_bits, offline_bits, observations, latency_hist)
      SELECT computer_id, day, establishment_id, 1440, onb & ~(offb | limitb), limitb, offb,
        bit_count(onb),
        ('{' || repeat('0,', b0) || (n / 10) || ',' || (n * 3 / 10) || ',' || (n * 35 / 100)
          || ',' || (n / 5) || ',' || (n / 20) || repeat(',0', 47 - b0) || '}')::integer[]
      FROM (SELECT f.*, bit_count(onb & ~offb)::int AS n,
              CASE technology WHEN 'fiber' THEN 13 WHEN 'radio' THEN 16 ELSE 27 END AS b0
            FROM fin f) x
      ORDER BY day, computer_id""";

  /** computer_days for the whole year, a month per statement, on {@code threads} connections. */
  long computerDays(Postgres pg, int threads) throws Exception {
    ExecutorService ex = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> parts = new ArrayList<>();
      for (YearMonth m = onlyMonth.orElse(YearMonth.from(firstDay));
          !m.isAfter(onlyMonth.orElse(YearMonth.from(lastDay())));
          m = m.plusMonths(1)) {
        String q =
            COMPUTER_DAYS
                .replace(":from", m.atDay(1).toString())
                .replace(":to", m.atEndOfMonth().toString());
        parts.add(
            ex.submit(
                () -> {
                  try (Connection c = pg.connect();
                      Statement s = c.createStatement()) {
                    return (long) s.executeUpdate(q);
                  }
                }));
      }
      long rows = 0;
      for (Future<Long> f : parts) {
        rows += f.get();
      }
      return rows;
    } finally {
      ex.shutdownNow();
    }
  }

  /** Four speed tests a day per link (09, 11, 14 and 16 h local, plus up to 50 min). */
  long speedTests(Connection c) throws Exception {
    try (Statement s = c.createStatement()) {
      return s.executeUpdate(
          sql(
              """
          INSERT INTO speed_tests (establishment_id, computer_id, agent_id, seq, link_id,
            measured_at, method, down_mbps, up_mbps, latency_ms)
          SELECT l.establishment_id, a.computer_id, a.id, (dd.d - :y0) * 4 + k, l.id,
            (dd.d + make_interval(hours => (ARRAY[9, 11, 14, 16])[k + 1],
              mins => floor(random() * 50)::int))::timestamp AT TIME ZONE 'America/Bogota',
            'http',
            round((l.contracted_down_mbps * (CASE l.technology WHEN 'fiber' THEN 0.75
              WHEN 'radio' THEN 0.5 ELSE 0.35 END + random() * 0.45))::numeric, 2),
            round((l.contracted_up_mbps * (0.5 + random() * 0.5))::numeric, 2),
            CASE l.technology WHEN 'fiber' THEN 15 + random() * 20
              WHEN 'radio' THEN 35 + random() * 40 ELSE 600 + random() * 150 END
          FROM isp_links l JOIN bench_est be ON be.id = l.establishment_id
          JOIN LATERAL (SELECT id, computer_id FROM agents
            WHERE establishment_id = l.establishment_id ORDER BY id LIMIT 1) a ON true
          CROSS JOIN LATERAL (SELECT :y0 + i AS d
            FROM generate_series(0, (:y0 + interval '1 year')::date - :y0 - 1) i) dd
          CROSS JOIN generate_series(0, 3) k"""));
    }
  }

  /** Every establishment-day with data, in (establishment, day) order, for the maintainer. */
  long markDirty(Connection c) throws Exception {
    try (Statement s = c.createStatement()) {
      return s.executeUpdate(
          "INSERT INTO rollup_dirty (establishment_id, day)"
              + " SELECT DISTINCT establishment_id, day FROM computer_days ORDER BY 1, 2");
    }
  }

  static String describe(Postgres pg) throws Exception {
    StringBuilder sb = new StringBuilder();
    try (Connection c = pg.connect();
        Statement s = c.createStatement();
        var r =
            s.executeQuery(
                "SELECT relname, n_live_tup,"
                    + " pg_size_pretty(pg_total_relation_size(relid)) FROM pg_stat_user_tables"
                    + " WHERE relname IN ('computer_days', 'computer_months', 'establishment_days',"
                    + " 'outages', 'speed_tests', 'establishments', 'computers', 'isp_links')"
                    + " ORDER BY pg_total_relation_size(relid) DESC")) {
      while (r.next()) {
        sb.append(
            String.format(
                Locale.ROOT, "%s %,d rows (%s); ", r.getString(1), r.getLong(2), r.getString(3)));
      }
    }
    return sb.toString();
  }
}

package org.enlace.server.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Indicators and evidence reports over a municipality's year (issue 5, "measured, not timed"):
 *
 * <ol>
 *   <li>starts the server (own JVM, embedded PostgreSQL) and generates, with set-based SQL in its
 *       database, 300 establishments, 10,000 computers and a year of computer_days and speed tests
 *       ({@link BenchData});
 *   <li>marks every establishment-day dirty and measures how long the running server's
 *       RollupMaintainer takes to derive establishment_days, outages and computer_months;
 *   <li>times the indicators and evidence endpoints through HTTP: warm-up, then N sequential runs
 *       each, p50/p95/max.
 * </ol>
 *
 * {@code mvn -B -Pbench -pl server -am verify -DskipTests -Dbench=IndicatorBench}; results in
 * server/target/bench/indicators.md; see docs/performance.md.
 */
public final class IndicatorBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BenchOptions o;
  private final List<String> log = new ArrayList<>();
  private final List<String> md = new ArrayList<>();
  private final int year = intProp("bench.data.year", LocalDate.now(ZoneOffset.UTC).getYear() - 1);
  private final int establishments = intProp("bench.data.establishments", 300);
  private final int computers = intProp("bench.data.computers", 10_000);
  private final int genThreads = intProp("bench.data.threads", 2);
  private final int runs = intProp("bench.runs", 20);
  private final int warmups = intProp("bench.warmups", 3);
  private final int budgetSeconds = intProp("bench.budgetSeconds", 90);
  private final int drainTimeoutMinutes = intProp("bench.drainTimeoutMinutes", 90);
  private final String month = prop("bench.evidence.month", year + "-10");

  /** Set (YYYY-MM): generate computer_days for that month only (EvidencePdfBench). */
  private final String onlyMonth = prop("bench.data.month", "");

  private ServerProcess server;
  private Postgres pg;
  private CpuMeter cpu;
  private String auth;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  IndicatorBench(BenchOptions o) {
    this.o = o;
  }

  public static void main(String[] args) throws Exception {
    BenchOptions o = new BenchOptions();
    int code;
    try {
      code = new IndicatorBench(o).run();
    } catch (Exception e) {
      e.printStackTrace();
      code = 2;
    }
    System.exit(code);
  }

  int run() throws Exception {
    say(
        "Enlace indicator/evidence bench: %d establishments, %d computers, year %d%s, %d warm-up "
            + "+ %d runs per request",
        establishments,
        computers,
        year,
        onlyMonth.isEmpty() ? "" : " (computer_days of " + onlyMonth + " only)",
        warmups,
        runs);
    say(
        "machine: %d CPUs, load average before start: %s",
        Runtime.getRuntime().availableProcessors(), loadAverage());
    server = ServerProcess.start(o);
    try {
      long[] pm = server.postmaster();
      pg = new Postgres((int) pm[1], "enlace", server.postgresPassword());
      cpu = new CpuMeter(server.pid(), pm[0]);
      auth =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(
                      ("admin:" + server.adminPassword()).getBytes(StandardCharsets.UTF_8));
      say(
          "server up: %s, PostgreSQL %s, %s",
          server.base(),
          pg.version(),
          pg.settings("shared_buffers", "work_mem", "max_wal_size", "random_page_cost"));
      if (pg.count("SELECT count(*) FROM establishments WHERE code LIKE 'bench-%'") > 0) {
        say(
            "reusing the data already in %s (bench.dir): no generation, no derivation",
            server.dataDir);
        md.add("Data reused from an earlier run (bench.dir); tables: " + BenchData.describe(pg));
        try (Connection c = pg.connect();
            Statement st = c.createStatement()) {
          st.execute("ANALYZE");
        }
      } else {
        generate();
        derive();
        baseline();
      }
      measure();
      write();
      return 0;
    } catch (Exception e) {
      System.err.println("--- server log tail ---\n" + server.tail());
      throw e;
    } finally {
      server.close();
    }
  }

  // ------------------------------------------------------------------ data

  private void generate() throws Exception {
    BenchData data = data();
    long t0 = System.nanoTime();
    CpuMeter.Snapshot c0 = cpu.snapshot();
    try (Connection c = pg.connect()) {
      data.inventory(c);
    }
    double inv = secs(t0);
    long t1 = System.nanoTime();
    long days = data.computerDays(pg, genThreads);
    double cd = secs(t1);
    long t2 = System.nanoTime();
    long tests;
    try (Connection c = pg.connect()) {
      tests = data.speedTests(c);
    }
    double st = secs(t2);
    long t3 = System.nanoTime();
    try (Connection c = pg.connect();
        Statement s = c.createStatement()) {
      s.execute("VACUUM ANALYZE computer_days");
      s.execute("VACUUM ANALYZE speed_tests");
      s.execute("ANALYZE");
    }
    double vac = secs(t3);
    CpuMeter.Usage u = CpuMeter.between(c0, cpu.snapshot());
    say(
        "data: inventory %.1f s; computer_days %,d rows in %.1f s (%,.0f rows/s, %d connections);"
            + " speed_tests %,d rows in %.1f s; VACUUM ANALYZE %.1f s; CPU %s",
        inv, days, cd, days / cd, genThreads, tests, st, vac, u.describe());
    say("tables: %s", BenchData.describe(pg));
    md.add(
        String.format(
            Locale.ROOT,
            "Data (SQL, %d connections): %,d establishments, %,d "
                + "computers, %,d computer_days rows in %.0f s (%,.0f rows/s), %,d speed tests in %.0f s; "
                + "VACUUM ANALYZE %.0f s.",
            genThreads,
            establishments,
            computers,
            days,
            cd,
            days / cd,
            tests,
            st,
            vac));
  }

  private BenchData data() {
    return new BenchData(
        year,
        establishments,
        computers,
        onlyMonth.isEmpty()
            ? java.util.Optional.empty()
            : java.util.Optional.of(java.time.YearMonth.parse(onlyMonth)));
  }

  private void derive() throws Exception {
    long marked;
    long t0;
    CpuMeter.Snapshot c0;
    RollupWatch.Sample s0 = RollupWatch.read(server);
    try (Connection c = pg.connect()) {
      BenchData data = data();
      marked = data.markDirty(c);
      t0 = System.nanoTime();
      c0 = cpu.snapshot();
    }
    say(
        "marked %,d establishment-days dirty; waiting for the server's RollupMaintainer "
            + "(every %s, %s markers per batch)...",
        marked, "5 s", "500");
    long deadline = t0 + drainTimeoutMinutes * 60_000_000_000L;
    long nextReport = t0;
    RollupWatch.Sample s = s0;
    while (System.nanoTime() < deadline) {
      Thread.sleep(2000);
      s = RollupWatch.read(server);
      if (System.nanoTime() >= nextReport) {
        say(
            "  %5.0f s: %,.0f markers left, %,.0f establishment-days recomputed, %,.0f batches "
                + "(%.1f s in batches), load %s",
            secs(t0),
            s.markers(),
            s.daysTotal() - s0.daysTotal(),
            s.batches() - s0.batches(),
            s.batchSeconds() - s0.batchSeconds(),
            loadAverage());
        nextReport = System.nanoTime() + 60_000_000_000L;
      }
      if (s.markers() == 0) {
        break;
      }
    }
    double took = secs(t0);
    CpuMeter.Usage u = CpuMeter.between(c0, cpu.snapshot());
    double days = s.daysTotal() - s0.daysTotal();
    double batches = s.batches() - s0.batches();
    boolean done = s.markers() == 0;
    say(
        "maintainer %s: %,.0f establishment-days recomputed in %.0f s (%.1f/s), %,.0f batches, "
            + "%.2f s per batch on average, max %.2f s; CPU %s",
        done ? "drained" : "NOT drained " + "(timeout)",
        days,
        took,
        days / took,
        batches,
        batches == 0 ? 0 : (s.batchSeconds() - s0.batchSeconds()) / batches,
        s.batchMax(),
        u.describe());
    try (Connection c = pg.connect();
        Statement st = c.createStatement()) {
      long t1 = System.nanoTime();
      st.execute("VACUUM ANALYZE");
      say("VACUUM ANALYZE after the maintainer: %.1f s", secs(t1));
    }
    say("tables: %s", BenchData.describe(pg));
    md.add(
        String.format(
            Locale.ROOT,
            "Rollup maintainer (the server's own, from %,d dirty "
                + "markers): %s %,.0f establishment-days in %.0f s = %.1f establishment-days/s "
                + "(%,.0f computer-days/s), %,.0f batches of up to 500 markers, %.2f s per batch; CPU "
                + "server %.2f, PostgreSQL %.2f, other %.2f cores.",
            marked,
            done ? "" : "NOT drained, ",
            days,
            took,
            days / took,
            days / took * computers / establishments,
            batches,
            batches == 0 ? 0 : (s.batchSeconds() - s0.batchSeconds()) / batches,
            u.server(),
            u.postgres(),
            u.other()));
    md.add("");
    md.add("Tables: " + BenchData.describe(pg));
  }

  private void baseline() throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("reference", "Plan de desarrollo (bench)");
    body.put("administration", Map.of("computers", 1000, "establishments", 30));
    body.put("citizens", Map.of("computers", 3000, "establishments", 150));
    body.put("targetIncreasePct", 100);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(server.base() + "/api/v1/indicators/baseline"))
                .header("Authorization", auth)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    say(
        "baseline: %d %s",
        r.statusCode(), r.body().length() > 200 ? r.body().substring(0, 200) : r.body());
  }

  // ------------------------------------------------------------------ timing

  @SuppressWarnings("ArrayRecordComponent") // the samples of one endpoint, never compared or hashed
  record Timing(String name, String path, int status, long bytes, double[] ms, String sample) {
    double pct(double q) {
      double[] s = ms.clone();
      Arrays.sort(s);
      int i = (int) Math.ceil(q * s.length) - 1;
      return s[Math.max(0, Math.min(s.length - 1, i))];
    }
  }

  private final List<Timing> timings = new ArrayList<>();

  private void measure() throws Exception {
    String y = Integer.toString(year);
    String est = "bench-001"; // the largest establishment
    Map<String, String> requests = new LinkedHashMap<>();
    requests.put(
        "indicators, year (granularity=year)",
        "/api/v1/indicators?from=" + y + "-01&to=" + y + "-12&granularity=year");
    requests.put(
        "indicators, 12 months (granularity=month)",
        "/api/v1/indicators?from=" + y + "-01&to=" + y + "-12&granularity=month");
    requests.put(
        "indicators, 4 quarters (granularity=quarter)",
        "/api/v1/indicators?from=" + y + "-01&to=" + y + "-12&granularity=quarter");
    requests.put(
        "evidence, month, municipality, PDF", "/api/v1/evidence?period=" + month + "&format=pdf");
    requests.put(
        "evidence, month, municipality, JSON", "/api/v1/evidence?period=" + month + "&format=json");
    requests.put(
        "evidence, month, municipality, HTML", "/api/v1/evidence?period=" + month + "&format=html");
    requests.put(
        "evidence, month, one establishment, PDF",
        "/api/v1/evidence?period=" + month + "&establishment=" + est + "&format=pdf");
    requests.put(
        "evidence, month, one establishment, JSON",
        "/api/v1/evidence?period=" + month + "&establishment=" + est + "&format=json");
    requests.put(
        "evidence, year, municipality, JSON", "/api/v1/evidence?period=" + y + "&format=json");
    String only = prop("bench.requests", "");
    for (Map.Entry<String, String> e : requests.entrySet()) {
      if (!only.isEmpty() && !e.getValue().matches(".*(" + only + ").*")) {
        continue;
      }
      timings.add(time(e.getKey(), e.getValue()));
    }
  }

  private Timing time(String name, String path) throws Exception {
    int status = 0;
    long bytes = 0;
    String sample = "";
    for (int i = 0; i < warmups; i++) {
      HttpResponse<byte[]> r = get(path);
      status = r.statusCode();
      bytes = r.body().length;
      if (status != 200) {
        sample = new String(r.body(), 0, Math.min(300, r.body().length), StandardCharsets.UTF_8);
        say("%s: %s answered %d: %s", name, path, status, sample);
        return new Timing(name, path, status, bytes, new double[] {0}, sample);
      }
    }
    double[] ms = new double[runs];
    CpuMeter.Snapshot c0 = cpu.snapshot();
    long budget = System.nanoTime() + budgetSeconds * 1_000_000_000L;
    int done = 0;
    for (int i = 0; i < runs; i++) {
      if (i >= 5 && System.nanoTime() > budget) {
        break; // slow requests: at least 5 runs, then stop at the time budget
      }
      done++;
      long t0 = System.nanoTime();
      HttpResponse<byte[]> r = get(path);
      ms[i] = (System.nanoTime() - t0) / 1e6;
      status = r.statusCode();
      bytes = r.body().length;
      if (i == 0 && path.contains("format=pdf") && status == 200) {
        Files.createDirectories(o.outDir);
        Path pdf = o.outDir.resolve("evidence-" + path.replaceAll("[^A-Za-z0-9-]+", "_") + ".pdf");
        Files.write(pdf, r.body());
        say("%s: one of the PDFs kept in %s", name, pdf);
      }
      if (i == 0 && (path.contains("format=json") || path.contains("/indicators"))) {
        sample = new String(r.body(), 0, Math.min(400, r.body().length), StandardCharsets.UTF_8);
      }
    }
    CpuMeter.Usage u = CpuMeter.between(c0, cpu.snapshot());
    Timing t = new Timing(name, path, status, bytes, Arrays.copyOf(ms, done), sample);
    say(
        "%s: %s -> %d, %,d bytes; %d runs, ms p50 %.1f p95 %.1f max %.1f min %.1f; CPU %s",
        name,
        path,
        status,
        bytes,
        done,
        t.pct(0.5),
        t.pct(0.95),
        t.pct(1.0),
        t.pct(0.0),
        u.describe());
    return t;
  }

  private HttpResponse<byte[]> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.base() + path))
            .header("Authorization", auth)
            .timeout(Duration.ofMinutes(2))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  // ------------------------------------------------------------------ output

  private void write() throws Exception {
    List<String> out = new ArrayList<>();
    out.add(
        String.format(
            "Run at %s UTC; %d CPUs; load average at the end: %s",
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm")
                .withZone(ZoneOffset.UTC)
                .format(Instant.now()),
            Runtime.getRuntime().availableProcessors(),
            loadAverage()));
    out.add("");
    out.addAll(md);
    out.add("");
    out.add(
        String.format(
            "Requests: sequential, one at a time, %d warm-up then %d timed runs "
                + "each (at least 5, and no new run after %d s); client: JDK HttpClient on loopback; "
                + "time from request sent to last byte read.",
            warmups, runs, budgetSeconds));
    out.add("");
    out.add("| request | status | bytes | runs | p50 ms | p95 ms | max ms | target |");
    out.add("|---|---:|---:|---:|---:|---:|---:|---|");
    for (Timing t : timings) {
      String target = "";
      if (t.path().contains("granularity=year")) {
        target = "≤ 200 ms: " + (t.status() == 200 && t.pct(0.95) <= 200 ? "met" : "NOT met");
      } else if (t.path().contains("format=pdf") && !t.path().contains("establishment=")) {
        target = "≤ 2 s: " + (t.status() == 200 && t.pct(0.95) <= 2000 ? "met" : "NOT met");
      }
      out.add(
          String.format(
              Locale.ROOT,
              "| %s `%s` | %d | %,d | %d | %.1f | %.1f | %.1f | %s |",
              t.name(),
              t.path(),
              t.status(),
              t.bytes(),
              t.ms().length,
              t.pct(0.5),
              t.pct(0.95),
              t.pct(1.0),
              target));
    }
    System.out.println();
    System.out.println("==================== summary ====================");
    out.forEach(System.out::println);
    List<String> all = new ArrayList<>(out);
    all.add("");
    all.add("## Log");
    all.add("");
    all.add("```");
    all.addAll(log);
    all.add("```");
    Files.createDirectories(o.outDir);
    Path file = o.outDir.resolve(onlyMonth.isEmpty() ? "indicators.md" : "evidence-pdf.md");
    Files.write(file, all, StandardCharsets.UTF_8);
    System.out.println("written to " + file);
  }

  // ------------------------------------------------------------------ helpers

  private void say(String format, Object... args) {
    String line = String.format(Locale.ROOT, format, args);
    log.add(
        DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC).format(Instant.now())
            + " "
            + line);
    System.out.println(line);
  }

  private static double secs(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static String prop(String name, String def) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? def : v.trim();
  }

  private static int intProp(String name, int def) {
    return Integer.parseInt(prop(name, Integer.toString(def)));
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 0);
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "?";
    }
  }
}

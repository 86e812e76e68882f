package org.enlace.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;

/**
 * Load generator for report ingest. Starts the server (own JVM, fresh data directory, embedded
 * PostgreSQL), enrolls simulated agents through the real API, then:
 *
 * <ol>
 *   <li>phase "single": many connections, each posting one-observation reports;
 *   <li>phase "batch": fewer connections, each posting reports of {@code batch.size} observations;
 *   <li>checks with SQL that every acknowledged observation is stored exactly once;
 *   <li>measures PostgreSQL alone on the same rows: a COPY, and single-row commits from 32
 *       connections.
 * </ol>
 *
 * Only 200 answers whose {@code stored} equals the observations sent are counted, so the figures
 * are rows durably committed (the server answers only after its commit). Run it with {@code mvn -B
 * -Pbench -pl server -am verify -DskipTests}; see docs/performance.md.
 */
public final class IngestBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] STORED = "\"stored\":".getBytes(StandardCharsets.US_ASCII);

  private final BenchOptions o;
  private final List<String> report = new ArrayList<>();
  private ServerProcess server;
  private Postgres pg;
  private CpuMeter cpu;
  private Agent[] agents;
  private RollupWatch rollupWatch;
  private final List<String> rollupRows = new ArrayList<>();

  /** One simulated agent; only one connection ever sends for it, so no locking. */
  static final class Agent {
    final String publicId;
    final String authorization;
    long nextSeq = 1;
    final BitSet acked = new BitSet();

    Agent(String publicId, String secret) {
      this.publicId = publicId;
      this.authorization =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((publicId + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }
  }

  record PhaseResult(
      String name,
      int connections,
      int observationsPerRequest,
      HttpLoad.Result load,
      CpuMeter.Usage cpu,
      Map<String, Double> serverMetrics,
      Map<String, Double> waits,
      Map<Integer, Long> statuses,
      long mismatched) {
    double requestsPerSecond() {
      return load.requestsOk / load.windowSeconds;
    }

    double observationsPerSecond() {
      return load.observationsAcked / load.windowSeconds;
    }

    double ms(double percentile) {
      return load.latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  IngestBench(BenchOptions o) {
    this.o = o;
  }

  public static void main(String[] args) throws Exception {
    BenchOptions o = new BenchOptions();
    o.validate();
    int code;
    try {
      code = new IngestBench(o).run();
    } catch (Exception e) {
      e.printStackTrace();
      code = 2;
    }
    System.exit(code);
  }

  int run() throws Exception {
    say(
        "Enlace ingest bench: %d agents, single: %d connections, batch: %d connections x %d "
            + "observations, warm-up %d s, measure %d s, client threads %d",
        o.agents,
        o.singleConnections,
        o.batchConnections,
        o.batchSize,
        o.warmupSeconds,
        o.durationSeconds,
        o.clientThreads);
    say(
        "machine: %d CPUs, %s memory, load average before start: %s",
        Runtime.getRuntime().availableProcessors(), memTotal(), loadAverage());
    say(
        "java: %s %s",
        System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"));
    long started = System.nanoTime();
    server = ServerProcess.start(o);
    try {
      long[] pm = server.postmaster();
      pg = new Postgres((int) pm[1], "enlace", server.postgresPassword());
      cpu = new CpuMeter(server.pid(), pm[0]);
      say(
          "server up in %.1f s: %s (admin :%d), PostgreSQL %s on port %d (postmaster pid %d), "
              + "data %s",
          (System.nanoTime() - started) / 1e9,
          server.base(),
          server.adminPort,
          pg.version(),
          pm[1],
          pm[0],
          server.dataDir);
      say(
          "PostgreSQL settings: %s",
          pg.settings(
              "synchronous_commit",
              "fsync",
              "wal_sync_method",
              "shared_buffers",
              "commit_delay",
              "max_connections"));
      enroll();
      List<PhaseResult> phases = new ArrayList<>();
      try (Postgres.WaitSampler waits = pg.new WaitSampler();
          RollupWatch watch = new RollupWatch(server, 1000)) {
        rollupWatch = watch;
        if (o.runs("ping")) {
          phases.add(phase("ping", o.singleConnections, 0, waits));
        }
        if (o.runs("single")) {
          phases.add(phase("single", o.singleConnections, 1, waits));
        }
        if (o.runs("batch")) {
          phases.add(phase("batch", o.batchConnections, o.batchSize, waits));
        }
      }
      boolean verified = verify();
      Postgres.CopyResult copy = null;
      Postgres.CommitResult single = null;
      CpuMeter.Usage copyCpu = null;
      CpuMeter.Usage singleCpu = null;
      if (o.runs("pg")) {
        say("PostgreSQL ceiling: COPY of up to %,d stored observation rows...", o.pgCopyRows);
        CpuMeter.Snapshot a = cpu.snapshot();
        copy = pg.copyCeiling(o.pgCopyRows);
        copyCpu = CpuMeter.between(a, cpu.snapshot());
        say(
            "  COPY: %,d rows in %.2f s = %,.0f rows/s (%.1f MB); CPU %s",
            copy.rows(),
            copy.seconds(),
            copy.rowsPerSecond(),
            copy.bytes() / 1e6,
            copyCpu.describe());
        say(
            "PostgreSQL ceiling: single-row INSERT+COMMIT from %d connections for %d s...",
            o.pgConnections, o.pgSeconds);
        a = cpu.snapshot();
        single = pg.singleRowCommits(o.pgConnections, o.pgSeconds, "{20.4}");
        singleCpu = CpuMeter.between(a, cpu.snapshot());
        say(
            "  single-row commits: %,d in %.1f s = %,.0f rows/s; CPU %s",
            single.rows(), single.seconds(), single.rowsPerSecond(), singleCpu.describe());
      }
      summary(phases, copy, copyCpu, single, singleCpu, verified);
      return verified ? 0 : 1;
    } catch (Exception e) {
      System.err.println("--- server log tail ---\n" + server.tail());
      throw e;
    } finally {
      server.close();
    }
  }

  // ------------------------------------------------------------------ setup

  private void enroll() throws IOException, InterruptedException {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    String admin =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    ("admin:" + server.adminPassword()).getBytes(StandardCharsets.UTF_8));
    long t0 = System.nanoTime();
    List<String> tokens = new ArrayList<>();
    for (int e = 0; e < o.establishments; e++) {
      String code = "bench-" + e;
      post(
          http,
          "/api/v1/establishments",
          admin,
          Map.of(
              "code",
              code,
              "name",
              "Bench establishment " + e,
              "kind",
              "school",
              "sector",
              "citizens"),
          201);
      JsonNode token =
          post(
              http,
              "/api/v1/establishments/" + code + "/enrollment-tokens",
              admin,
              Map.of("maxUses", o.agents, "expiresInHours", 24),
              201);
      tokens.add(token.path("token").asText());
    }
    agents = new Agent[o.agents];
    String run = UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < o.agents; i++) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("token", tokens.get(i % tokens.size()));
      body.put("machineId", "bench-" + run + "-" + UUID.randomUUID());
      body.put("hostname", "bench-pc-" + i);
      body.put("os", "linux");
      body.put("agentVersion", "bench");
      body.put("role", "office");
      JsonNode r = post(http, "/api/v1/enroll", null, body, 201);
      agents[i] = new Agent(r.path("agentId").asText(), r.path("secret").asText());
    }
    say(
        "enrolled %d agents in %d establishments through the API in %.1f s",
        o.agents, o.establishments, (System.nanoTime() - t0) / 1e9);
  }

  private JsonNode post(HttpClient http, String path, String auth, Object body, int expect)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.base() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != expect) {
      throw new IOException(
          "POST "
              + path
              + " answered "
              + r.statusCode()
              + ": "
              + new String(r.body(), StandardCharsets.UTF_8));
    }
    return JSON.readTree(r.body());
  }

  // ------------------------------------------------------------------ load

  /** Answers by status, and a sample body of each unexpected kind. */
  private abstract static class Counting implements HttpLoad.Workload {
    final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    final LongAdder mismatched = new LongAdder();
    final Map<Integer, String> sampleErrors = new ConcurrentHashMap<>();
  }

  /**
   * GET /api/v1/ping on the same connector: Jetty, Dropwizard's filters and Jersey with no body, no
   * JSON and no database. Its rate is the most the HTTP stack can do here, whatever ingest does.
   */
  private final class Ping extends Counting {
    final byte[] request =
        ("GET /api/v1/ping HTTP/1.1\r\nHost: 127.0.0.1:" + server.port + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    @Override
    public byte[] next(int connection) {
      return request;
    }

    @Override
    public int completed(int connection, int status, byte[] buf, int from, int to) {
      statuses.computeIfAbsent(status, k -> new LongAdder()).increment();
      return status == 204 ? 1 : 0;
    }
  }

  /** Reports for a set of agents; connection c sends for agents c, c+C, c+2C... in turn. */
  private final class Reports extends Counting {
    final int connections;
    final int perRequest;
    final int[] turn;
    final Agent[] current;
    final long[] first;
    final byte[] head;

    Reports(int connections, int perRequest) {
      this.connections = connections;
      this.perRequest = perRequest;
      this.turn = new int[connections];
      this.current = new Agent[connections];
      this.first = new long[connections];
      this.head =
          ("POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1:"
                  + server.port
                  + "\r\nContent-Type: application/json\r\nAuthorization: ")
              .getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public byte[] next(int c) {
      int k = c + connections * turn[c];
      if (k >= agents.length) {
        turn[c] = 0;
        k = c;
      }
      turn[c]++;
      Agent a = agents[k];
      current[c] = a;
      first[c] = a.nextSeq;
      a.nextSeq += perRequest;
      byte[] body = reportBody(first[c], perRequest);
      byte[] auth = a.authorization.getBytes(StandardCharsets.US_ASCII);
      byte[] mid =
          ("\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      byte[] req = new byte[head.length + auth.length + mid.length + body.length];
      System.arraycopy(head, 0, req, 0, head.length);
      System.arraycopy(auth, 0, req, head.length, auth.length);
      System.arraycopy(mid, 0, req, head.length + auth.length, mid.length);
      System.arraycopy(body, 0, req, head.length + auth.length + mid.length, body.length);
      return req;
    }

    @Override
    public int completed(int c, int status, byte[] buf, int from, int to) {
      statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
      if (status != 200) {
        sampleErrors.putIfAbsent(
            status, new String(buf, from, Math.min(to - from, 300), StandardCharsets.UTF_8));
        return 0;
      }
      long stored = HttpLoad.jsonLong(buf, from, to, STORED);
      if (stored != perRequest) {
        mismatched.increment();
        sampleErrors.putIfAbsent(
            -1, new String(buf, from, Math.min(to - from, 300), StandardCharsets.UTF_8));
        return 0;
      }
      current[c].acked.set((int) first[c], (int) (first[c] + perRequest));
      return perRequest;
    }
  }

  private static final DateTimeFormatter RFC3339 =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** A report as the agent sends it: sentAt, and observations with seq, time, status, checks. */
  static byte[] reportBody(long firstSeq, int n) {
    Instant now = Instant.now();
    StringBuilder sb = new StringBuilder(120 + n * 420);
    sb.append("{\"protocolVersion\":1,\"sentAt\":\"")
        .append(RFC3339.format(now))
        .append("\",\"observations\":[");
    for (int i = 0; i < n; i++) {
      long seq = firstSeq + i;
      if (i > 0) {
        sb.append(',');
      }
      boolean limited = seq % 50 == 0;
      sb.append("{\"seq\":")
          .append(seq)
          .append(",\"observedAt\":\"")
          .append(RFC3339.format(now.minusMillis((n - 1 - i) * 60L)))
          .append("\",\"clockOffsetMs\":")
          .append(seq % 7 - 3)
          .append(",\"status\":\"")
          .append(limited ? "limited" : "online")
          .append("\",\"reason\":\"")
          .append(limited ? "high latency to 1.1.1.1" : "all checks passed")
          .append("\",\"checks\":")
          .append(checks(seq))
          .append('}');
    }
    sb.append("]}");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** About 300 bytes of checks, as an agent's DNS, HTTP, latency and portal probes report. */
  static String checks(long seq) {
    long v = seq * 2654435761L;
    return "{\"dns\":[{\"name\":\"www.gov.co\",\"ok\":true,\"ms\":"
        + (5 + (v & 31))
        + "}],\"http\":[{\"url\":\"https://www.gov.co/\",\"status\":200,\"ms\":"
        + (120 + ((v >>> 5) & 127))
        + "}],\"latency\":[{\"target\":\"1.1.1.1\",\"avgMs\":"
        + (20 + ((v >>> 12) & 31))
        + ".4,\"maxMs\":"
        + (40 + ((v >>> 17) & 63))
        + ".0}],\"loss\":0.0,\"captivePortal\":{\"detected\":false}}";
  }

  private PhaseResult phase(
      String name, int connections, int perRequest, Postgres.WaitSampler waits) throws Exception {
    return phase(
        name,
        connections,
        perRequest,
        perRequest == 0 ? new Ping() : new Reports(connections, perRequest),
        perRequest == 0 ? Math.min(5, o.warmupSeconds) : o.warmupSeconds,
        perRequest == 0 ? Math.min(10, o.durationSeconds) : o.durationSeconds,
        waits);
  }

  private PhaseResult phase(
      String name,
      int connections,
      int perRequest,
      Counting w,
      int warmupSeconds,
      int durationSeconds,
      Postgres.WaitSampler waits)
      throws Exception {
    say(
        "phase %s: %d connections, %d observation(s) per request: warm-up %d s, measure %d s",
        name, connections, perRequest, warmupSeconds, durationSeconds);
    HttpLoad load =
        new HttpLoad(
            new InetSocketAddress(ServerProcess.LOOPBACK_V4, server.port),
            w,
            connections,
            o.clientThreads);
    long start = System.nanoTime() + 200_000_000L;
    long mStart = start + warmupSeconds * 1_000_000_000L;
    long mEnd = mStart + durationSeconds * 1_000_000_000L;
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try {
      Future<HttpLoad.Result> f = ex.submit(() -> load.run(mStart, mEnd, 45_000_000_000L));
      sleepUntil(mStart);
      Map<String, Double> m0 = metrics();
      CpuMeter.Snapshot c0 = cpu.snapshot();
      waits.begin();
      sleepUntil(mEnd);
      CpuMeter.Snapshot c1 = cpu.snapshot();
      Map<String, Double> waited = waits.end();
      Map<String, Double> m1 = metrics();
      HttpLoad.Result r = f.get();
      if (perRequest > 0) {
        rollupBacklog(name, mStart, mEnd);
      }
      Map<String, Double> dm = new LinkedHashMap<>();
      for (Map.Entry<String, Double> e : m1.entrySet()) {
        dm.put(e.getKey(), e.getValue() - m0.getOrDefault(e.getKey(), 0.0));
      }
      Map<Integer, Long> statuses = new TreeMap<>();
      w.statuses.forEach((k, v) -> statuses.put(k, v.sum()));
      PhaseResult p =
          new PhaseResult(
              name,
              connections,
              perRequest,
              r,
              CpuMeter.between(c0, c1),
              dm,
              waited,
              statuses,
              w.mismatched.sum());
      describe(p);
      w.sampleErrors.forEach(
          (k, v) ->
              say("  sample answer %s: %s", k < 0 ? "stored mismatch" : Integer.toString(k), v));
      return p;
    } finally {
      ex.shutdownNow();
    }
  }

  /**
   * The rollup maintainer during the window (markers waiting, establishment-days recomputed) and
   * how long it takes to drain once the load has stopped.
   */
  private void rollupBacklog(String name, long mStart, long mEnd) throws InterruptedException {
    long stopped = System.nanoTime();
    double drain = rollupWatch.awaitDrained(stopped, 120_000);
    List<RollupWatch.Sample> w = rollupWatch.between(mStart, mEnd);
    if (w.size() < 2) {
      return;
    }
    RollupWatch.Sample a = w.get(0);
    RollupWatch.Sample b = w.get(w.size() - 1);
    double secs = (b.nanos() - a.nanos()) / 1e9;
    double maxMarkers = w.stream().mapToDouble(RollupWatch.Sample::markers).max().orElse(0);
    double batches = b.batches() - a.batches();
    double batchSecs = b.batchSeconds() - a.batchSeconds();
    StringBuilder trace = new StringBuilder();
    for (int i = 0; i < w.size(); i += Math.max(1, w.size() / 10)) {
      trace.append(String.format(Locale.ROOT, " %.0f", w.get(i).markers()));
    }
    say(
        "  rollups: dirty markers in the window (sampled every 1 s) max %,.0f, at the end %,.0f;"
            + " maintainer %,.0f establishment-days/s in %,.0f batches (%.3f s per batch, busy %.0f %%"
            + " of the window); after the load stopped the backlog drained in %s; markers over the "
            + "window:%s",
        maxMarkers,
        b.markers(),
        (b.daysTotal() - a.daysTotal()) / secs,
        batches,
        batches == 0 ? 0 : batchSecs / batches,
        batchSecs / secs * 100,
        drain < 0 ? "more than 120 s (NOT drained)" : String.format(Locale.ROOT, "%.1f s", drain),
        trace);
    rollupRows.add(
        String.format(
            Locale.ROOT,
            "| %s | %,.0f | %,.0f | %,.1f | %,.0f | %.3f | %.0f %% " + "| %s |",
            name,
            maxMarkers,
            b.markers(),
            (b.daysTotal() - a.daysTotal()) / secs,
            batches,
            batches == 0 ? 0 : batchSecs / batches,
            batchSecs / secs * 100,
            drain < 0 ? "> 120 s" : String.format(Locale.ROOT, "%.1f s", drain)));
  }

  private void describe(PhaseResult p) {
    HttpLoad.Result r = p.load();
    say(
        "  %,.0f requests/s, %,.0f observations/s acknowledged (stored) in %.0f s; latency ms "
            + "p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f",
        p.requestsPerSecond(),
        p.observationsPerSecond(),
        r.windowSeconds,
        p.ms(50),
        p.ms(90),
        p.ms(99),
        p.ms(99.9),
        r.latencyMicros.getMaxValue() / 1000.0);
    say(
        "  failed in window %d, all requests %,d (failed %d), answers by status %s, stored "
            + "mismatches %d, reconnects %d",
        r.requestsFailed,
        r.totalRequests,
        r.totalFailed,
        p.statuses(),
        p.mismatched(),
        r.reconnects);
    say("  CPU (cores): %s", p.cpu().describe());
    Map<String, Double> m = p.serverMetrics();
    double commits = m.getOrDefault("enlace_ingest_commit_seconds_count", 0.0);
    if (commits > 0) {
      say(
          "  group commits: %,.0f/s, %.1f reports and %.0f rows per commit, %.2f ms per commit "
              + "(avg); server GC pauses %.0f ms/s",
          commits / r.windowSeconds,
          m.getOrDefault("enlace_ingest_commit_reports_sum", 0.0) / commits,
          m.getOrDefault("enlace_ingest_commit_rows_sum", 0.0) / commits,
          m.getOrDefault("enlace_ingest_commit_seconds_sum", 0.0) * 1000 / commits,
          m.getOrDefault("jvm_gc_pause_seconds_sum", 0.0) * 1000 / r.windowSeconds);
    }
    StringBuilder sb = new StringBuilder();
    p.waits().entrySet().stream()
        .limit(12)
        .forEach(
            e ->
                sb.append(
                    String.format(Locale.ROOT, "%n      %5.2f  %s", e.getValue(), e.getKey())));
    say("  PostgreSQL processes not idle (average count | kind | state | wait):%s", sb);
  }

  /** Prometheus counters from the admin port, summed over labels. */
  private Map<String, Double> metrics() {
    Map<String, Double> out = new HashMap<>();
    for (String line : server.metrics().split("\n", 0)) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      int brace = line.indexOf('{');
      String name = line.substring(0, brace > 0 && brace < space ? brace : space);
      try {
        out.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
      } catch (NumberFormatException e) {
        // NaN and the like
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ verification

  private long ackedTotal;
  private long storedRows;
  private long missing;
  private long duplicated;
  private long storedUnacked;
  private long settled;

  /** Every acknowledged observation must be in the observations table exactly once. */
  private boolean verify() throws Exception {
    long t0 = System.nanoTime();
    Map<Long, String> ids = pg.agentIds();
    Map<String, Agent> byPublic = new HashMap<>();
    for (Agent a : agents) {
      byPublic.put(a.publicId, a);
    }
    Map<Long, BitSet> seen = new HashMap<>();
    Map<Long, Agent> byId = new HashMap<>();
    ids.forEach(
        (id, pub) -> {
          Agent a = byPublic.get(pub);
          if (a != null) {
            byId.put(id, a);
            seen.put(id, new BitSet());
          }
        });
    long[] counts = new long[3]; // rows, duplicates, foreign
    pg.forEachObservation(
        (agentId, seq) -> {
          counts[0]++;
          BitSet s = seen.get(agentId);
          if (s == null) {
            counts[2]++;
            return;
          }
          if (s.get((int) seq)) {
            counts[1]++;
          }
          s.set((int) seq);
        });
    storedRows = counts[0];
    duplicated = counts[1];
    for (Map.Entry<Long, Agent> e : byId.entrySet()) {
      BitSet acked = e.getValue().acked;
      BitSet stored = seen.get(e.getKey());
      ackedTotal += acked.cardinality();
      BitSet m = (BitSet) acked.clone();
      m.andNot(stored);
      missing += m.cardinality();
      BitSet extra = (BitSet) stored.clone();
      extra.andNot(acked);
      storedUnacked += extra.cardinality();
    }
    // The agents' stored sequence numbers must count the rows exactly: no more (a sequence
    // marked stored whose row is missing) and no fewer.
    settled =
        pg.count(
            "SELECT coalesce(sum(upper(r) - lower(r)), 0) FROM agents,"
                + " unnest(stored_seqs) AS r");
    boolean ok = missing == 0 && duplicated == 0 && counts[2] == 0 && settled == storedRows;
    say(
        "verify (%.1f s): %,d observations acknowledged, %,d rows in observations, %,d sequence "
            + "numbers in agents.stored_seqs; "
            + "acknowledged but missing %d, stored twice %d, stored but never acknowledged %d, "
            + "rows of unknown agents %d -> %s",
        (System.nanoTime() - t0) / 1e9,
        ackedTotal,
        storedRows,
        settled,
        missing,
        duplicated,
        storedUnacked,
        counts[2],
        ok ? "OK" : "FAILED");
    return ok;
  }

  // ------------------------------------------------------------------ summary

  private void summary(
      List<PhaseResult> phases,
      Postgres.CopyResult copy,
      CpuMeter.Usage copyCpu,
      Postgres.CommitResult single,
      CpuMeter.Usage singleCpu,
      boolean verified)
      throws IOException {
    List<String> md = new ArrayList<>();
    md.add(
        String.format(
            "Run at %s UTC; %d CPUs, %s; load average at the end: %s",
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm")
                .withZone(ZoneOffset.UTC)
                .format(Instant.now()),
            Runtime.getRuntime().availableProcessors(),
            memTotal(),
            loadAverage()));
    md.add("");
    md.add(
        "| phase | in flight | obs/request | requests/s | observations/s stored | p50 ms "
            + "| p99 ms | p99.9 ms | max ms | CPU server | CPU PostgreSQL | CPU generator "
            + "| CPU softirq | CPU other | ratio to PostgreSQL alone |");
    md.add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (PhaseResult p : phases) {
      String ratio = "";
      if (p.observationsPerRequest() == 0) {
        ratio = "HTTP stack alone (no body, no database)";
      } else if (p.observationsPerRequest() == 1 && single != null) {
        ratio =
            String.format(
                "%.2f x single-row commits", p.requestsPerSecond() / single.rowsPerSecond());
      } else if (copy != null) {
        ratio = String.format("%.2f x COPY", p.observationsPerSecond() / copy.rowsPerSecond());
      }
      CpuMeter.Usage u = p.cpu();
      md.add(
          String.format(
              "| %s | %d | %d | %,.0f | %s | %.2f | %.2f | %.2f | %.1f | %.2f "
                  + "| %.2f | %.2f | %.2f | %.2f | %s |",
              p.name(),
              p.connections(),
              p.observationsPerRequest(),
              p.requestsPerSecond(),
              p.observationsPerRequest() == 0
                  ? "-"
                  : String.format("%,.0f", p.observationsPerSecond()),
              p.ms(50),
              p.ms(99),
              p.ms(99.9),
              p.load().latencyMicros.getMaxValue() / 1000.0,
              u.server(),
              u.postgres(),
              u.generator(),
              u.irq(),
              u.other(),
              ratio));
    }
    if (copy != null) {
      md.add(
          String.format(
              "| PostgreSQL COPY (observations, 1 connection) | 1 | %,d "
                  + "| | %,.0f | | | | | | %.2f | %.2f | %.2f | %.2f | |",
              copy.rows(),
              copy.rowsPerSecond(),
              copyCpu.postgres(),
              copyCpu.generator(),
              copyCpu.irq(),
              copyCpu.other()));
    }
    if (single != null) {
      md.add(
          String.format(
              "| PostgreSQL single-row INSERT+COMMIT | %d | 1 | %,.0f | %,.0f | | | "
                  + "| | | %.2f | %.2f | %.2f | %.2f | |",
              single.connections(),
              single.rowsPerSecond(),
              single.rowsPerSecond(),
              singleCpu.postgres(),
              singleCpu.generator(),
              singleCpu.irq(),
              singleCpu.other()));
    }
    if (!rollupRows.isEmpty()) {
      md.add("");
      md.add(
          "Rollup maintainer during each window (enlace_rollup_* from the admin /metrics, "
              + "sampled every second):");
      md.add("");
      md.add(
          "| phase | max dirty markers | markers at the end | establishment-days recomputed/s "
              + "| batches | s per batch | maintainer busy | backlog drained after the load stopped in |");
      md.add("|---|---:|---:|---:|---:|---:|---:|---|");
      md.addAll(rollupRows);
    }
    md.add("");
    md.add(
        String.format(
            "Verification: %,d observations acknowledged, %,d stored, missing %d, "
                + "duplicated %d, stored without acknowledgement %d: %s",
            ackedTotal,
            storedRows,
            missing,
            duplicated,
            storedUnacked,
            verified ? "OK" : "FAILED"));
    for (PhaseResult p : phases) {
      if (p.observationsPerRequest() == 0) {
        continue;
      }
      String target =
          p.observationsPerRequest() == 1
              ? String.format(
                  "target >= 10,000 requests/s: %s",
                  p.requestsPerSecond() >= 10_000 ? "met" : "NOT met")
              : String.format(
                  "target >= 100,000 observations/s: %s",
                  p.observationsPerSecond() >= 100_000 ? "met" : "NOT met");
      md.add("");
      md.add("Phase " + p.name() + ": " + target);
    }
    System.out.println();
    System.out.println("==================== summary ====================");
    md.forEach(System.out::println);
    Files.createDirectories(o.outDir);
    List<String> all = new ArrayList<>(md);
    all.add("");
    all.add("## Log");
    all.add("");
    all.add("```");
    all.addAll(report);
    all.add("```");
    Path file = o.outDir.resolve("results.md");
    Files.write(file, all, StandardCharsets.UTF_8);
    System.out.println("written to " + file);
  }

  // ------------------------------------------------------------------ helpers

  private void say(String format, Object... args) {
    String line = String.format(Locale.ROOT, format, args);
    report.add(line);
    System.out.println(line);
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, Math.min(left / 1_000_000, 500)));
    }
  }

  private static String memTotal() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (l.startsWith("MemTotal:")) {
          long kb = Long.parseLong(l.replaceAll("[^0-9]", ""));
          return String.format("%.1f GiB", kb / 1024.0 / 1024.0);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return "?";
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 0);
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }
}

package org.enlace.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Disk per stored observation (issue 19): starts the server jar on its embedded PostgreSQL, enrolls
 * agents through the API, sends {@code bench.disk.observations} (200,000) realistic observations
 * through {@code POST /api/v1/reports} (the agent's usual checks: two DNS names, three HTTP
 * targets, one latency target, the captive-portal probe and loss; interface counters from every
 * other agent, as Linux agents send them; a speed test every 240 observations), minute by minute
 * for all agents as they would arrive, and reports {@code pg_total_relation_size} of every
 * partition (indexes and TOAST included) over the rows: for the current schema, and for the V13
 * layout (one row with json columns and two B-tree indexes) filled with the same rows in the same
 * order.
 *
 * <p>{@code java -cp ... org.enlace.server.bench.ObservationDiskBench} or {@code mvn -Pbench -pl
 * server verify -Dbench=ObservationDiskBench}; writes {@code observation-disk.md} in bench.outDir.
 */
public final class ObservationDiskBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter RFC3339 =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Observations per report: the agents catch up ten minutes at a time. */
  private static final int PER_REPORT = 10;

  private final BenchOptions o;
  private final int observations =
      Integer.parseInt(System.getProperty("bench.disk.observations", "200000").trim());
  private final int detailDays =
      Integer.parseInt(System.getProperty("bench.disk.detailDays", "31").trim());
  private final int rawDays =
      Integer.parseInt(System.getProperty("bench.disk.rawDays", "400").trim());
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private ServerProcess server;

  private record Agent(String auth, int index) {}

  ObservationDiskBench(BenchOptions o) {
    this.o = o;
  }

  public static void main(String[] args) throws Exception {
    int code;
    try {
      code = new ObservationDiskBench(new BenchOptions()).run();
    } catch (Exception e) {
      e.printStackTrace();
      code = 2;
    }
    System.exit(code);
  }

  int run() throws Exception {
    int agents = Math.min(o.agents, observations);
    int perAgent = observations / agents;
    say(
        "Enlace observation disk bench: %,d observations from %d agents (%d each)",
        (long) perAgent * agents, agents, perAgent);
    server = ServerProcess.start(o);
    try {
      long[] pm = server.postmaster();
      Postgres pg = new Postgres((int) pm[1], "enlace", server.postgresPassword());
      say("server up: %s, PostgreSQL %s", server.base(), pg.version());
      List<Agent> list = enroll(agents);
      try (Connection c = pg.connect();
          Statement s = c.createStatement()) {
        // Observations reach back before the enrollment tolerance: these agents "enrolled" a
        // month ago (before any report, so the server's authentication cache has not read them).
        s.execute("UPDATE agents SET enrolled_at = now() - interval '30 days'");
      }
      long t0 = System.nanoTime();
      long stored = load(list, perAgent);
      say(
          "stored %,d observations through the API in %.1f s",
          stored, (System.nanoTime() - t0) / 1e9);
      StringBuilder md = new StringBuilder();
      try (Connection c = pg.connect();
          Statement s = c.createStatement()) {
        s.execute("CHECKPOINT");
        s.execute("VACUUM ANALYZE observations, observation_details, speed_tests");
        long rows = one(s, "SELECT count(*) FROM observations");
        long detailed = one(s, "SELECT count(*) FROM observation_details");
        md.append(
            String.format(Locale.ROOT, "%,d observations stored, %,d details%n%n", rows, detailed));
        md.append(
            "| Table (all partitions) | heap | indexes | TOAST | total | bytes per observation |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
        double core = sizes(s, "observations", rows, md);
        double details = sizes(s, "observation_details", rows, md);
        double raw =
            one(
                    s,
                    """
                    SELECT coalesce(sum(pg_column_size(s.raw)), 0) FROM speed_tests s
                    JOIN observations o ON o.agent_id = s.agent_id AND o.seq = s.seq
                    """)
                / (double) rows;
        md.append(
            String.format(
                Locale.ROOT, "| speed_tests.raw (the raw JSON only) | | | | | %.1f |%n", raw));
        v13Layout(s);
        double v13 = sizes(s, "bench_v13_observations", rows, md);
        s.execute("DROP TABLE bench_v13_observations");
        md.append('\n');
        md.append(columns(s));
        // A daily partition goes once wholly before the cutoff (up to detailDays + 1 days kept);
        // raw months once wholly before theirs (at least rawDays kept): the worst case.
        double amortised = core + raw + details * (detailDays + 1) / rawDays;
        md.append(
            String.format(
                Locale.ROOT,
                "%nV13 layout: %.0f bytes per observation. V14, all kept (first %d days): %.0f."
                    + " V14 at the default retention (%d days of status, %d of details):"
                    + " %.0f + %.0f + %.0f x %d / %d = **%.0f bytes per observation**.%n",
                v13,
                detailDays,
                core + details + raw,
                rawDays,
                detailDays,
                core,
                raw,
                details,
                detailDays + 1,
                rawDays,
                amortised));
      }
      String out = md.toString();
      System.out.println(out);
      Files.createDirectories(o.outDir);
      Files.writeString(o.outDir.resolve("observation-disk.md"), out, StandardCharsets.UTF_8);
      return 0;
    } catch (Exception e) {
      System.err.println("--- server log tail ---\n" + server.tail());
      throw e;
    } finally {
      server.close();
    }
  }

  /** One row of the table: the family's partitions summed; returns the bytes per observation. */
  private static double sizes(Statement s, String parent, long rows, StringBuilder md)
      throws SQLException {
    try (ResultSet r =
        s.executeQuery(
            """
            SELECT coalesce(sum(pg_relation_size(t.relid)), 0),
              coalesce(sum(pg_indexes_size(t.relid)), 0),
              coalesce(sum(pg_total_relation_size(t.relid) - pg_relation_size(t.relid)
                - pg_indexes_size(t.relid)), 0),
              coalesce(sum(pg_total_relation_size(t.relid)), 0)
            FROM pg_partition_tree('%s') t WHERE t.isleaf
            """
                .formatted(parent))) {
      r.next();
      double perRow = r.getLong(4) / (double) rows;
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.1f MB | %.1f MB | %.1f MB | %.1f MB | %.1f |%n",
              parent,
              r.getLong(1) / 1e6,
              r.getLong(2) / 1e6,
              r.getLong(3) / 1e6,
              r.getLong(4) / 1e6,
              perRow));
      return perRow;
    }
  }

  /** Average stored bytes of each column (pg_column_size), for "where the bytes go". */
  private static String columns(Statement s) throws SQLException {
    StringBuilder sb = new StringBuilder("Average stored size per column (bytes):\n\n");
    for (String t : List.of("observations", "observation_details")) {
      List<String> cols = new ArrayList<>();
      try (ResultSet r =
          s.executeQuery(
              "SELECT attname FROM pg_attribute WHERE attrelid = '%s'::regclass AND attnum > 0"
                      .formatted(t)
                  + " AND NOT attisdropped ORDER BY attnum")) {
        while (r.next()) {
          cols.add(r.getString(1));
        }
      }
      StringBuilder q = new StringBuilder("SELECT ");
      for (int i = 0; i < cols.size(); i++) {
        q.append(i == 0 ? "" : ", ")
            .append("round(avg(coalesce(pg_column_size(")
            .append(cols.get(i))
            .append("), 0)), 1)");
      }
      q.append(" FROM ").append(t);
      try (ResultSet r = s.executeQuery(q.toString())) {
        r.next();
        sb.append("- ").append(t).append(": ");
        for (int i = 0; i < cols.size(); i++) {
          sb.append(i == 0 ? "" : ", ").append(cols.get(i)).append(' ').append(r.getString(i + 1));
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  /** The V13 table (migrations V1 and V9), partitioned by month, with the same rows in order. */
  private static void v13Layout(Statement s) throws SQLException {
    s.execute(
        """
        CREATE TABLE bench_v13_observations (
          establishment_id bigint NOT NULL, computer_id bigint NOT NULL, agent_id bigint NOT NULL,
          seq bigint NOT NULL, observed_at timestamptz NOT NULL, agent_time timestamptz NOT NULL,
          clock_offset_ms bigint NOT NULL,
          time_source text NOT NULL CHECK (time_source IN ('agent', 'server_estimate',
            'unverified')),
          received_at timestamptz NOT NULL,
          status text NOT NULL CHECK (status IN ('online', 'limited', 'offline')),
          reason text NOT NULL, checks json NOT NULL, speed_test json, interface_counters json
        ) PARTITION BY RANGE (observed_at)""");
    s.execute(
        "CREATE INDEX bench_v13_computer_time ON bench_v13_observations (computer_id, observed_at)");
    s.execute(
        "CREATE INDEX bench_v13_establishment_time ON bench_v13_observations"
            + " (establishment_id, observed_at)");
    s.execute(
        """
        DO $$
        DECLARE m date;
        BEGIN
          FOR m IN SELECT DISTINCT date_trunc('month', observed_at AT TIME ZONE 'UTC')::date
                   FROM observations LOOP
            EXECUTE format('CREATE TABLE %I PARTITION OF bench_v13_observations'
              || ' FOR VALUES FROM (%L) TO (%L)', 'bench_v13_' || to_char(m, 'YYYY_MM'),
              m::timestamp AT TIME ZONE 'UTC',
              (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
          END LOOP;
        END $$""");
    // In the order ingest stored them (physical order), as the V13 server would have.
    s.execute(
        """
        INSERT INTO bench_v13_observations
        SELECT o.establishment_id, o.computer_id, o.agent_id, o.seq, o.observed_at,
          o.observed_at - o.clock_offset_ms * interval '1 millisecond', o.clock_offset_ms,
          ts.name, o.received_at, st.name, d.reason, d.checks, sp.raw, d.interface_counters
        FROM observations o
        JOIN observation_codes st ON st.kind = 'status' AND st.code = o.status
        JOIN observation_codes ts ON ts.kind = 'time_source' AND ts.code = o.time_source
        JOIN observation_details d
          ON d.observed_at = o.observed_at AND d.agent_id = o.agent_id AND d.seq = o.seq
        LEFT JOIN speed_tests sp ON sp.agent_id = o.agent_id AND sp.seq = o.seq
        ORDER BY o.tableoid, o.ctid""");
    s.execute("VACUUM ANALYZE bench_v13_observations");
  }

  private static long one(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private List<Agent> enroll(int n) throws IOException, InterruptedException {
    String admin =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    ("admin:" + server.adminPassword()).getBytes(StandardCharsets.UTF_8));
    List<String> tokens = new ArrayList<>();
    for (int e = 0; e < o.establishments; e++) {
      String code = "disk-" + e;
      post(
          "/api/v1/establishments",
          admin,
          Map.of("code", code, "name", "Disk bench " + e, "kind", "school", "sector", "citizens"),
          201);
      JsonNode token =
          post(
              "/api/v1/establishments/" + code + "/enrollment-tokens",
              admin,
              Map.of("maxUses", n, "expiresInHours", 24),
              201);
      tokens.add(token.path("token").asText());
    }
    List<Agent> agents = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("token", tokens.get(i % tokens.size()));
      body.put("machineId", "disk-bench-" + i);
      body.put("hostname", "pc-" + i);
      body.put("os", i % 2 == 0 ? "windows" : "linux");
      body.put("agentVersion", "bench");
      body.put("role", "office");
      JsonNode r = post("/api/v1/enroll", null, body, 201);
      String auth =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(
                      (r.path("agentId").asText() + ":" + r.path("secret").asText())
                          .getBytes(StandardCharsets.UTF_8));
      agents.add(new Agent(auth, i));
    }
    return agents;
  }

  /** Round by round, ten minutes of every agent, as agents catching up would send them. */
  private long load(List<Agent> agents, int perAgent) throws Exception {
    Instant first = Instant.now().minus(Duration.ofMinutes(perAgent + 5L));
    AtomicLong stored = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, o.clientThreads * 4));
    try {
      for (int from = 0; from < perAgent; from += PER_REPORT) {
        int start = from;
        int n = Math.min(PER_REPORT, perAgent - from);
        List<Future<?>> round = new ArrayList<>();
        for (Agent a : agents) {
          round.add(
              pool.submit(
                  () -> {
                    JsonNode r =
                        postBytes(
                            "/api/v1/reports", a.auth(), report(a.index(), start, n, first), 200);
                    stored.addAndGet(r.path("stored").asLong());
                    return null;
                  }));
        }
        for (Future<?> f : round) {
          f.get();
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return stored.get();
  }

  /** Observations {@code from..from+n-1} of agent {@code a}, one a minute from {@code first}. */
  static byte[] report(int a, int from, int n, Instant first) {
    StringBuilder sb = new StringBuilder(200 + n * 900);
    sb.append("{\"protocolVersion\":1,\"sentAt\":\"")
        .append(RFC3339.format(Instant.now()))
        .append("\",\"observations\":[");
    String site = "www.municipio" + (a % 40) + "-narino.gov.co";
    for (int i = 0; i < n; i++) {
      int k = from + i;
      long seq = k + 1L;
      long v = (seq * 2654435761L) ^ (a * 40503L);
      int roll = Math.floorMod(v, 100);
      String status = roll < 97 ? "online" : roll < 99 ? "limited" : "offline";
      Instant at = first.plusSeconds(60L * k).plusMillis(a % 997);
      if (i > 0) {
        sb.append(',');
      }
      sb.append("{\"seq\":")
          .append(seq)
          .append(",\"observedAt\":\"")
          .append(RFC3339.format(at))
          .append("\",\"clockOffsetMs\":")
          .append(-40 - (a % 300))
          .append(",\"status\":\"")
          .append(status)
          .append("\",\"reason\":\"")
          .append(
              switch (status) {
                case "online" -> "all probes ok";
                case "limited" ->
                    "captive portal intercepts http://connectivitycheck.gstatic.com/generate_204"
                        + " (http_302)";
                default -> "no network: every probe failed";
              })
          .append("\",\"checks\":")
          .append(checks(status, site, v))
          .append(
              a % 2 == 1
                  ? ",\"interfaceCounters\":{\"interface\":\"enp3s0\",\"rxBytes\":"
                      + (18_734_512_903L + seq * 1_234_567L)
                      + ",\"txBytes\":"
                      + (2_210_937_456L + seq * 234_567L)
                      + ",\"rxPackets\":"
                      + (12_345_678L + seq * 4_000L)
                      + ",\"txPackets\":"
                      + (2_345_678L + seq * 2_000L)
                      + ",\"rxErrors\":0,\"txErrors\":0,\"rxDropped\":"
                      + seq / 500
                      + ",\"txDropped\":0}"
                  : "");
      if (seq % 240 == (a % 240)) {
        sb.append(",\"speedTest\":{\"method\":\"ndt7\",\"testId\":\"")
            .append(new java.util.UUID(a, seq))
            .append("\",\"startedAt\":\"")
            .append(RFC3339.format(at.minusSeconds(20)))
            .append(
                "\",\"downMbps\":18.42,\"upMbps\":4.87,\"downMbpsMean\":17.9,\"upMbpsMean\":4.6,"
                    + "\"latencyMs\":31.2,\"latencyLoadedMs\":88.5,\"latencyDownLoadedMs\":91.0,"
                    + "\"latencyUpLoadedMs\":76.3,\"bytesDown\":23026234,\"bytesUp\":6087123,"
                    + "\"durationMs\":20140,\"connections\":1,"
                    + "\"server\":\"enlace.municipio.gov.co:443\"}");
      }
      sb.append('}');
    }
    sb.append("]}");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The agent's checks as it writes them (docs/protocol.md), compact as it sends them. */
  private static String checks(String status, String site, long v) {
    boolean up = !status.equals("offline");
    String err = up ? "" : ",\"error\":\"timeout\"";
    long dns1 = 5 + (v & 63);
    long dns2 = 5 + ((v >>> 6) & 63);
    return "{\"dns\":[{\"name\":\"www.gov.co\",\"ok\":"
        + up
        + ",\"ms\":"
        + (up ? dns1 : 5000)
        + err
        + "},{\"name\":\""
        + site
        + "\",\"ok\":"
        + up
        + ",\"ms\":"
        + (up ? dns2 : 5000)
        + err
        + "}],\"http\":[{\"url\":\"https://enlace.municipio.gov.co/api/v1/ping\",\"ok\":"
        + up
        + ",\"status\":"
        + (up ? 204 : 0)
        + ",\"ms\":"
        + (up ? 40 + ((v >>> 12) & 127) : 10000)
        + err
        + "},{\"url\":\"https://www.gov.co/\",\"ok\":"
        + up
        + ",\"status\":"
        + (up ? 200 : 0)
        + ",\"ms\":"
        + (up ? 300 + ((v >>> 19) & 1023) : 10000)
        + err
        + "},{\"url\":\"https://"
        + site
        + "/\",\"ok\":"
        + up
        + ",\"status\":"
        + (up ? 200 : 0)
        + ",\"ms\":"
        + (up ? 300 + ((v >>> 29) & 1023) : 10000)
        + err
        + "}],\"latency\":[{\"target\":\"www.gov.co:443\",\"ok\":"
        + up
        + ",\"ms\":"
        + (up ? (20 + ((v >>> 39) & 255)) + "." + ((v >>> 47) & 7) : "3000")
        + err
        + "}],\"captivePortal\":{\"url\":\"http://connectivitycheck.gstatic.com/generate_204\","
        + "\"ok\":"
        + up
        + ",\"intercepted\":"
        + status.equals("limited")
        + ",\"status\":"
        + (status.equals("limited") ? 302 : up ? 204 : 0)
        + ",\"ms\":"
        + (up ? 20 + ((v >>> 50) & 127) : 5000)
        + err
        + "},\"loss\":"
        + (up ? "0.0" : "1.0")
        + "}";
  }

  private JsonNode post(String path, String auth, Object body, int expect)
      throws IOException, InterruptedException {
    return postBytes(path, auth, JSON.writeValueAsBytes(body), expect);
  }

  private JsonNode postBytes(String path, String auth, byte[] body, int expect)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.base() + path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
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

  private static void say(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
  }
}

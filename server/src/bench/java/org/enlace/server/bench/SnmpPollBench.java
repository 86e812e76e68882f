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
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.enlace.server.snmp.testing.MibState;
import org.enlace.server.snmp.testing.Snmpd;

/**
 * Issue 7, poll cycle: the packaged server (its own JVM, embedded PostgreSQL, SNMP poller on with
 * its defaults: 60 s interval, 2 s timeout, 1 retry, 256 polls in flight) polling {@code
 * bench.snmp.devices} v2c devices of {@code bench.snmp.interfacesPerDevice} ISP links each, served
 * by {@code bench.snmp.agents} real Net-SNMP {@code snmpd} instances on loopback ports, each with a
 * {@code pass_persist} IF-MIB (ScriptedIfMib) of its share of the interfaces. The devices, their
 * establishments and links are created through the API. Every second the agents' sysUpTime and
 * counters move on (each interface at its own steady rate), so every poll after the first stores a
 * rate.
 *
 * <p>After the first cycle that polls the devices (the baseline), {@code bench.snmp.cycles} windows
 * of 60 s, offset by half a cycle from the cycle starts (each device is polled once per window at
 * its fixed offset), are measured: samples stored (rates, gaps), distinct links, failures by
 * reason, the device poll durations (from the server's {@code enlace_snmp_device_poll_seconds}
 * timer, scraped every 15 s: a device whose count went up by one between scrapes contributes the
 * exact duration of that poll), CPU of the server, of PostgreSQL, of the snmpd agents with their
 * pass_persist JVMs (the simulated routers) and of the machine, and the server's RSS and heap.
 *
 * <pre>mvn -B -o -Pbench -pl server -am verify -DskipTests -Dbench=SnmpPollBench</pre>
 */
public final class SnmpPollBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern COUNT =
      Pattern.compile(
          "^enlace_snmp_device_poll_seconds_(count|sum)\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
  private static final Pattern FAILS =
      Pattern.compile(
          "^enlace_snmp_device_poll_failures_total\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
  private static final Pattern DEVICE = Pattern.compile("device=\"(\\d+)\"");
  private static final Pattern REASON = Pattern.compile("reason=\"([^\"]+)\"");

  private final BenchOptions o = new BenchOptions();
  private final int devices = Integer.getInteger("bench.snmp.devices", 5000);
  private final int perDevice = Integer.getInteger("bench.snmp.interfacesPerDevice", 2);
  private final int agentCount = Integer.getInteger("bench.snmp.agents", 5);
  private final int cycles = Integer.getInteger("bench.snmp.cycles", 2);
  private final List<String> md = new ArrayList<>();
  private final List<Snmpd> agents = new ArrayList<>();
  private final List<MibState> states = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private ServerProcess server;
  private String auth;

  public static void main(String[] args) throws Exception {
    int code;
    try {
      code = new SnmpPollBench().run();
    } catch (Throwable t) {
      t.printStackTrace();
      code = 1;
    }
    System.exit(code);
  }

  int run() throws Exception {
    if (!Snmpd.installed()) {
      say("snmpd is not installed (apt-get install snmpd): nothing to measure");
      return 1;
    }
    int interfaces = devices * perDevice;
    int perAgent = (devices + agentCount - 1) / agentCount;
    say(
        "Enlace SNMP poll-cycle bench: %,d devices x %d interfaces = %,d interfaces, %d snmpd"
            + " agents (%,d devices, %,d interfaces each), %d measured cycles",
        devices, perDevice, interfaces, agentCount, perAgent, perAgent * perDevice, cycles);
    say(
        "machine: %d CPUs, %s, load average before start: %s",
        Runtime.getRuntime().availableProcessors(), memTotal(), loadAverage());
    long t0 = System.nanoTime();
    for (int a = 0; a < agentCount; a++) {
      // Live mode: the agent computes sysUpTime and counters from the wall clock at each
      // request, so nothing rewrites 10,000 interfaces a second (which cost a core before).
      MibState s = new MibState().uptime(100).live(System.currentTimeMillis());
      for (int i = 1; i <= perAgent * perDevice; i++) {
        int index = i;
        // 1 to 40 Mbit/s down, a quarter of that up, in octets per second.
        long downBps = (index % 40 + 1) * 1_000_000L;
        s.iface(
            index,
            x ->
                x.name("wan" + index)
                    .descr("ge-0/0/" + index)
                    .oper(1)
                    .highSpeedMbps(100)
                    .hcIn(1_000_000L * index)
                    .hcOut(500_000L * index)
                    .rate(downBps / 8, downBps / 32));
      }
      states.add(s);
      agents.add(Snmpd.builder().state(s).start());
    }
    say(
        "%d snmpd agents up in %.1f s: ports %s",
        agentCount, (System.nanoTime() - t0) / 1e9, agents.stream().map(Snmpd::port).toList());
    try {
      server = ServerProcess.start(o);
      long[] pm = server.postmaster();
      Postgres pg = new Postgres((int) pm[1], "enlace", server.postgresPassword());
      CpuMeter cpu = new CpuMeter(server.pid(), pm[0]);
      auth =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(
                      ("admin:" + server.adminPassword()).getBytes(StandardCharsets.UTF_8));
      say("server up: pid %d, %s, PostgreSQL %s", server.pid(), server.base(), pg.version());
      createInventory();

      // The first cycle that loads the devices polls them for a baseline.
      Instant first = awaitFirstPolls(pg);
      say("first poll of a device at %s (the baseline cycle starts about then)", first);
      Instant start = first.plusSeconds(90);
      Instant end = start.plusSeconds(60L * cycles);
      Map<Long, double[]> last = scrape(null, null, null);
      List<Double> durations = new ArrayList<>();
      Map<String, Double> failures = new TreeMap<>();
      sleepUntil(start);
      last = scrape(last, null, null);
      CpuMeter.Snapshot c0 = cpu.snapshot();
      long[] agentTicks0 = agentTicks();
      Map<String, Double> failStart = failureTotals(server.metrics());
      long rssMax = 0;
      while (Instant.now().isBefore(end)) {
        sleepUntil(min(end, Instant.now().plusSeconds(15)));
        last = scrape(last, durations, null);
        rssMax = Math.max(rssMax, rssKb(server.pid()));
      }
      CpuMeter.Snapshot c1 = cpu.snapshot();
      long[] agentTicks1 = agentTicks();
      String metrics = server.metrics();
      Map<String, Double> failEnd = failureTotals(metrics);
      failEnd.forEach(
          (k, v) -> {
            double d = v - failStart.getOrDefault(k, 0.0);
            if (d > 0) {
              failures.put(k, d);
            }
          });
      CpuMeter.Usage u = CpuMeter.between(c0, c1);
      double agentCpu = (agentTicks1[0] - agentTicks0[0]) / CpuMeter.TICKS_PER_SECOND / u.seconds();
      double passCpu = (agentTicks1[1] - agentTicks0[1]) / CpuMeter.TICKS_PER_SECOND / u.seconds();
      report(pg, start, durations, failures, u, agentCpu, passCpu, rssMax, metrics);
      return 0;
    } finally {
      if (server != null) {
        server.close();
      }
      agents.forEach(Snmpd::close);
      Path out = o.outDir.resolve("snmp-poll-bench.md");
      Files.createDirectories(o.outDir);
      Files.writeString(out, String.join("\n", md) + "\n");
      System.out.println("written: " + out);
    }
  }

  /** Establishments, links and devices through the API, 4 requests in flight. */
  private void createInventory() throws Exception {
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> done = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      int device = d;
      done.add(
          pool.submit(
              () -> {
                int agent = device % agentCount;
                int slot = device / agentCount; // the device's place on its agent
                String code = "snmpbench-" + device;
                post(
                    "/api/v1/establishments",
                    Map.of(
                        "code",
                        code,
                        "name",
                        "Bench " + device,
                        "kind",
                        "school",
                        "sector",
                        "citizens"));
                List<Map<String, Object>> ifaces = new ArrayList<>();
                for (int k = 0; k < perDevice; k++) {
                  JsonNode link =
                      post(
                          "/api/v1/establishments/" + code + "/links",
                          Map.of(
                              "ispName",
                              "ISP " + k,
                              "contractedDownMbps",
                              50,
                              "contractedUpMbps",
                              10));
                  int index = slot * perDevice + k + 1;
                  // ifName to match, ifIndex where it was last seen: no table walk on the first
                  // poll.
                  ifaces.add(
                      Map.of(
                          "ifName",
                          "wan" + index,
                          "ifIndex",
                          index,
                          "linkId",
                          link.get("id").asLong()));
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("name", "Router " + device);
                body.put("address", "127.0.0.1");
                body.put("port", agents.get(agent).port());
                body.put(
                    "snmp", Map.of("version", "v2c", "community", agents.get(agent).community()));
                body.put("interfaces", ifaces);
                post("/api/v1/establishments/" + code + "/devices", body);
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    double secs = (System.nanoTime() - t0) / 1e9;
    say(
        "inventory: %,d establishments, %,d links, %,d devices through the API in %.1f s",
        devices, devices * perDevice, devices, secs);
  }

  private JsonNode post(String path, Object body) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(server.base() + path))
                .header("Authorization", auth)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IOException("POST " + path + " -> " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private Instant awaitFirstPolls(Postgres pg) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      try (Connection c = pg.connect();
          var st = c.createStatement();
          ResultSet r = st.executeQuery("SELECT min(last_poll_at) FROM snmp_device_state")) {
        if (r.next() && r.getTimestamp(1) != null) {
          return r.getTimestamp(1).toInstant();
        }
      }
      Thread.sleep(1000);
    }
    throw new IllegalStateException("no device polled within 3 minutes");
  }

  /**
   * Scrapes the device timers; with {@code durations}, adds the duration of every device polled
   * exactly once since the previous scrape. Returns device → {count, sum}.
   */
  private Map<Long, double[]> scrape(
      Map<Long, double[]> previous, List<Double> durations, Object unused) {
    String text = server.metrics();
    Map<Long, double[]> now = new HashMap<>();
    Matcher m = COUNT.matcher(text);
    while (m.find()) {
      Matcher d = DEVICE.matcher(m.group(2));
      if (!d.find()) {
        continue;
      }
      double[] v = now.computeIfAbsent(Long.parseLong(d.group(1)), k -> new double[2]);
      v["count".equals(m.group(1)) ? 0 : 1] = Double.parseDouble(m.group(3));
    }
    if (previous != null && durations != null) {
      now.forEach(
          (id, v) -> {
            double[] p = previous.get(id);
            if (p != null && v[0] - p[0] == 1) {
              durations.add(v[1] - p[1]);
            }
          });
    }
    return now;
  }

  private static Map<String, Double> failureTotals(String text) {
    Map<String, Double> out = new TreeMap<>();
    Matcher m = FAILS.matcher(text);
    while (m.find()) {
      Matcher r = REASON.matcher(m.group(1));
      if (r.find()) {
        out.merge(r.group(1), Double.parseDouble(m.group(2)), Double::sum);
      }
    }
    return out;
  }

  private void report(
      Postgres pg,
      Instant start,
      List<Double> durations,
      Map<String, Double> failures,
      CpuMeter.Usage u,
      double agentCpu,
      double passCpu,
      long rssMaxKb,
      String metrics)
      throws Exception {
    int interfaces = devices * perDevice;
    say("");
    say(
        "| window (UTC) | samples with a rate | gaps (reason) | distinct links | devices"
            + " polled | share of %,d interfaces |",
        interfaces);
    say("|---|---:|---|---:|---:|---:|");
    for (int c = 0; c < cycles; c++) {
      Instant a = start.plusSeconds(60L * c);
      Instant b = a.plusSeconds(60);
      long rates = 0;
      long links = 0;
      long polled = 0;
      Map<String, Long> gaps = new TreeMap<>();
      try (Connection conn = pg.connect()) {
        try (PreparedStatement s =
            conn.prepareStatement(
                "SELECT count(*) FILTER (WHERE gap IS"
                    + " NULL), count(DISTINCT link_id) FROM link_samples WHERE ended_at >= ? AND"
                    + " ended_at < ?")) {
          s.setTimestamp(1, Timestamp.from(a));
          s.setTimestamp(2, Timestamp.from(b));
          try (ResultSet r = s.executeQuery()) {
            r.next();
            rates = r.getLong(1);
            links = r.getLong(2);
          }
        }
        try (PreparedStatement s =
            conn.prepareStatement(
                "SELECT gap, count(*) FROM link_samples"
                    + " WHERE ended_at >= ? AND ended_at < ? AND gap IS NOT NULL GROUP BY gap")) {
          s.setTimestamp(1, Timestamp.from(a));
          s.setTimestamp(2, Timestamp.from(b));
          try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
              gaps.put(r.getString(1), r.getLong(2));
            }
          }
        }
        try (PreparedStatement s =
            conn.prepareStatement(
                "SELECT count(DISTINCT l.device_id)"
                    + " FROM link_samples x JOIN device_links l ON l.link_id = x.link_id"
                    + " WHERE x.ended_at >= ? AND x.ended_at < ?")) {
          s.setTimestamp(1, Timestamp.from(a));
          s.setTimestamp(2, Timestamp.from(b));
          try (ResultSet r = s.executeQuery()) {
            r.next();
            polled = r.getLong(1);
          }
        }
      }
      say(
          "| %s–%s | %,d | %s | %,d | %,d | %.1f %% |",
          hm(a),
          hm(b),
          rates,
          gaps.isEmpty() ? "none" : gaps.toString(),
          links,
          polled,
          100.0 * rates / interfaces);
    }
    List<Double> sorted = new ArrayList<>(durations);
    sorted.sort(null);
    say("");
    say(
        "device poll duration over the windows (%,d polls timed from the server's timer):"
            + " p50 %s, p95 %s, p99 %s, max %s",
        sorted.size(),
        ms(q(sorted, 0.50)),
        ms(q(sorted, 0.95)),
        ms(q(sorted, 0.99)),
        ms(q(sorted, 1.0)));
    say("failures by reason over the windows: %s", failures.isEmpty() ? "none" : failures);
    say(
        "CPU over %.0f s, in cores: %s; snmpd agents %.2f + their pass_persist JVMs %.2f"
            + " (the simulated routers, not Enlace)",
        u.seconds(), u.describe(), agentCpu, passCpu);
    say(
        "server memory: RSS max %,d MB over the windows; heap used now %s MB (-Xmx from"
            + " bench.serverJvmArgs: %s)",
        rssMaxKb / 1024, heapUsedMb(metrics), o.serverJvmArgs);
    say(
        "link_samples rows: %,d; snmp_poll_failures rows: %,d",
        pg.count("SELECT count(*) FROM link_samples"),
        pg.count("SELECT count(*) FROM snmp_poll_failures"));
    say("load average after: %s", loadAverage());
  }

  private static String heapUsedMb(String metrics) {
    Matcher m =
        Pattern.compile(
                "^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} (\\S+)$", Pattern.MULTILINE)
            .matcher(metrics);
    double sum = 0;
    boolean any = false;
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
      any = true;
    }
    return any ? String.format(Locale.ROOT, "%.0f", sum / 1048576) : "n/a";
  }

  /** {snmpd ticks, pass_persist ticks} of all agents (children included while alive). */
  private long[] agentTicks() {
    long snmpd = 0;
    long pass = 0;
    for (Snmpd a : agents) {
      snmpd += ticks(a.pid());
      for (ProcessHandle h :
          ProcessHandle.of(a.pid()).map(p -> p.descendants().toList()).orElse(List.of())) {
        pass += ticks(h.pid());
      }
    }
    return new long[] {snmpd, pass};
  }

  private static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 0);
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return 0;
  }

  private static double q(List<Double> sorted, double q) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  private static String ms(double seconds) {
    return String.format(Locale.ROOT, "%.0f ms", seconds * 1000);
  }

  private static String hm(Instant t) {
    return DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC).format(t);
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static void sleepUntil(Instant t) throws InterruptedException {
    long ms = Duration.between(Instant.now(), t).toMillis();
    if (ms > 0) {
      Thread.sleep(ms);
    }
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "n/a";
    }
  }

  private static String memTotal() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
    } catch (IOException e) {
      return "";
    }
  }

  private void say(String format, Object... args) {
    String line = String.format(Locale.ROOT, format, args);
    md.add(line);
    System.out.println(
        DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC).format(Instant.now())
            + " "
            + line);
  }
}

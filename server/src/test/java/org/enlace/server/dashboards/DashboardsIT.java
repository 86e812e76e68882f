package org.enlace.server.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.enlace.server.testing.Waits.await;
import static org.enlace.server.testing.Waits.freePort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.SoftAssertions;
import org.enlace.server.db.EmbeddedPostgres;
import org.enlace.server.snmp.testing.MibState;
import org.enlace.server.snmp.testing.Snmpd;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TempDirs;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every PromQL expression of every shipped dashboard panel, template variable, recording rule and
 * alert rule, run by a real Prometheus (Debian's) that scrapes the real server jar with the shipped
 * scrape configuration and rules, after a scenario fed through the server's HTTP API: each must
 * parse and return data. A query that names a metric the server does not export returns nothing and
 * fails the build.
 *
 * <p>The scenario, in order: (1) a municipality with agents online, offline and limited, a slow ISP
 * link, agents silent for hours and for 22 days, bad and duplicated reports, and routers polled
 * over SNMP by the server's own poller from a real snmpd ({@link Snmpd}, scripted IF-MIB): the town
 * hall's link saturated, the library's link down, the school's router answering nothing (wrong
 * community); (2) the server's PostgreSQL stopped (the database and ingest alerts); (3) the server
 * stopped (the server-down alert). Each expression must return data in at least one of the three
 * phases.
 *
 * <p>Alert rules are checked by running their expression, not by waiting out their {@code for:}.
 */
class DashboardsIT {
  static final Path SERVER_JAR = ShippedQueries.ROOT.resolve("server/target/enlace-server.jar");

  /** One SNMP credential key for both replicas (32 zero bytes: a test's secret). */
  static final String SNMP_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

  /** The server's SNMP poller in this test: every 2 s, 1 s per request, no retries. */
  static final String SNMP_CONFIG =
      String.join(
          " ",
          "snmp: {interval: 2 seconds, timeout: 1 second, retries: 0,",
          "credentialKeys: {shared: " + SNMP_KEY + "}, activeCredentialKey: shared}");

  /** Two replicas on the first one's PostgreSQL, scraped both: hand-overs within 2.5 s. */
  static final String CLUSTER_CONFIG =
      "cluster: {heartbeat: 500 milliseconds, leaseDuration: 2 seconds}";

  /** sysUpTime of the scripted router when the test starts, in TimeTicks (1/100 s): ~11.6 days. */
  static final long UPTIME0 = 100_000_000L;

  /** The town hall's link (100/50 Mbit/s contracted) carries 95 and 47.5 Mbit/s: 95 % each way. */
  static final long TOWN_HALL_IN_BYTES_PER_S = 95_000_000L / 8;

  static final long TOWN_HALL_OUT_BYTES_PER_S = 47_500_000L / 8;

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Process> processes = new ArrayList<>();
  private final AtomicBoolean feeding = new AtomicBoolean();
  private Thread feeder;
  private final AtomicBoolean ticking = new AtomicBoolean();
  private Thread ticker;
  private Snmpd snmpd;

  @AfterEach
  void stopAll() throws InterruptedException {
    feeding.set(false);
    if (feeder != null) {
      feeder.join(30_000);
    }
    ticking.set(false);
    if (ticker != null) {
      ticker.interrupt();
      ticker.join(30_000);
      ticker = null;
    }
    if (snmpd != null) {
      snmpd.close();
      snmpd = null;
    }
    for (Process p : processes) {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    processes.clear();
  }

  static boolean installed(String command) {
    try {
      Process p = new ProcessBuilder(command, "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  Process start(Path log, String... command) throws IOException {
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(p);
    return p;
  }

  /** The shipped prometheus.yml, pointed at the test's loopback admin ports, every second. */
  static Path prometheusConfig(Path dir, int... adminPorts) throws IOException {
    ObjectNode config =
        (ObjectNode) ShippedQueries.read(ShippedQueries.PROMETHEUS.resolve("prometheus.yml"));
    ObjectNode global = (ObjectNode) config.path("global");
    global
        .put("scrape_interval", "1s")
        .put("scrape_timeout", "1s")
        .put("evaluation_interval", "1s");
    ArrayNode rules = config.putArray("rule_files");
    for (JsonNode f :
        ShippedQueries.read(ShippedQueries.PROMETHEUS.resolve("prometheus.yml"))
            .path("rule_files")) {
      rules.add(ShippedQueries.PROMETHEUS.resolve(f.asText()).toString());
    }
    JsonNode job = null;
    for (JsonNode j : config.path("scrape_configs")) {
      if (j.path("job_name").asText().equals("enlace")) {
        job = j;
      }
    }
    assertThat(job).as("the shipped scrape configuration has job \"enlace\"").isNotNull();
    ArrayNode targets = (ArrayNode) job.path("static_configs").path(0).path("targets");
    assertThat(targets).hasSize(1);
    targets.removeAll();
    for (int adminPort : adminPorts) {
      targets.add("127.0.0.1:" + adminPort);
    }
    Path file = dir.resolve("prometheus.yml");
    ShippedQueries.YAML.writeValue(file.toFile(), config);
    return file;
  }

  /** Prometheus' answer to an instant query: ran (parsed and evaluated), and with data. */
  record Answer(boolean ran, boolean data, String error) {}

  static Answer query(int port, String expr) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + port
                              + "/api/v1/query?query="
                              + URLEncoder.encode(expr, StandardCharsets.UTF_8)))
                  .timeout(Duration.ofSeconds(10))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode body = Api.JSON.readTree(r.body());
      if (!body.path("status").asText().equals("success")) {
        return new Answer(
            false, false, body.path("errorType").asText() + ": " + body.path("error").asText());
      }
      JsonNode result = body.path("data").path("result");
      return new Answer(true, result.isArray() && !result.isEmpty(), "");
    } catch (IOException e) {
      return new Answer(false, false, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(false, false, e.toString());
    }
  }

  /** An instant query's series, as "{labels} value" lines, for the output. */
  static List<String> values(int port, String expr) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + port
                              + "/api/v1/query?query="
                              + URLEncoder.encode(expr, StandardCharsets.UTF_8)))
                  .timeout(Duration.ofSeconds(10))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      List<String> out = new ArrayList<>();
      for (JsonNode series : Api.JSON.readTree(r.body()).path("data").path("result")) {
        ObjectNode labels = ((ObjectNode) series.path("metric").deepCopy());
        labels.remove(List.of("__name__", "instance", "job"));
        out.add(labels + " " + series.path("value").path(1).asText());
      }
      return out;
    } catch (IOException e) {
      return List.of(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of(e.toString());
    }
  }

  record Enrolled(long computerId, Api api, AtomicLong seq) {
    Api.Response report(ObjectNode body) {
      return api.post("/api/v1/reports", body);
    }

    /** A report of observations with the given statuses, just observed, a second apart. */
    Api.Response report(String... statuses) {
      Instant now = Instant.now();
      ObjectNode body = Api.object().put("protocolVersion", 1).put("sentAt", now.toString());
      ArrayNode obs = body.putArray("observations");
      for (int i = 0; i < statuses.length; i++) {
        obs.add(
            TestApp.observation(
                seq.incrementAndGet(), now.minusSeconds(statuses.length - i), statuses[i]));
      }
      body.putObject("queue").put("depth", 0); // a current agent, caught up
      return report(body);
    }
  }

  static Enrolled enroll(String base, Api it, String establishment) {
    Api.Response t =
        it.post(
            "/api/v1/establishments/" + establishment + "/enrollment-tokens",
            Api.object().put("maxUses", 1));
    assertThat(t.status()).as(t.toString()).isEqualTo(201);
    Api.Response r =
        new Api(base, null)
            .post(
                "/api/v1/enroll",
                TestApp.enrollBody(
                    t.body().get("token").asText(),
                    UUID.randomUUID().toString(),
                    "pc-" + establishment,
                    "office"));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return new Enrolled(
        r.body().get("computerId").asLong(),
        new Api(base, Api.basic(r.body().get("agentId").asText(), r.body().get("secret").asText())),
        new AtomicLong());
  }

  static void establishment(
      Api it, String code, String sector, String kind, double lat, double lon) {
    ObjectNode e =
        Api.object()
            .put("code", code)
            .put("name", "Establecimiento " + code)
            .put("kind", kind)
            .put("sector", sector);
    e.putObject("coordinates").put("latitude", lat).put("longitude", lon);
    Api.Response r = it.post("/api/v1/establishments", e);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  static long link(Api it, String code, int down, int up) {
    Api.Response r =
        it.post(
            "/api/v1/establishments/" + code + "/links",
            Api.object()
                .put("ispName", "Proveedor Regional")
                .put("contractedDownMbps", down)
                .put("contractedUpMbps", up));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.body().get("id").asLong();
  }

  /** A v2c router of the establishment, at {@code snmpd}, carrying one link on {@code ifName}. */
  static void device(
      Api it, String code, Snmpd snmpd, String community, long linkId, String ifName) {
    ObjectNode body =
        Api.object()
            .put("name", "Router " + code)
            .put("address", "127.0.0.1")
            .put("port", snmpd.port());
    body.putObject("snmp").put("version", "v2c").put("community", community);
    body.putArray("interfaces").add(Api.object().put("linkId", linkId).put("ifName", ifName));
    Api.Response r = it.post("/api/v1/establishments/" + code + "/devices", body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  /**
   * What the routers answer: wan0 (the town hall's link) up and busy, wan1 (the library's) down.
   * The poller takes a sysUpTime that disagrees with its own clock for a restart, so the uptime and
   * the counters follow the wall clock from {@code t0Millis}.
   */
  static MibState routers(long t0Millis, long nowMillis) {
    long ms = nowMillis - t0Millis;
    MibState mib = new MibState().uptime(UPTIME0 + ms / 10).sysName("router-municipal");
    mib.iface(1, i -> i.name("lo").descr("lo").highSpeedMbps(0));
    mib.iface(
        2,
        i ->
            i.name("wan0")
                .descr("eth1")
                .alias("Proveedor Regional")
                .oper(1)
                .highSpeedMbps(1000)
                .hcIn(5_000_000_000L + TOWN_HALL_IN_BYTES_PER_S * ms / 1000)
                .hcOut(2_000_000_000L + TOWN_HALL_OUT_BYTES_PER_S * ms / 1000));
    mib.iface(
        3,
        i ->
            i.name("wan1")
                .descr("eth2")
                .alias("Proveedor Regional")
                .oper(2)
                .highSpeedMbps(10)
                .hcIn(123_456_789L)
                .hcOut(23_456_789L));
    return mib;
  }

  /**
   * A second replica of the server jar on the first one's embedded PostgreSQL (as an external
   * database), with the same SNMP key and cluster settings and its own ports and data directory.
   */
  Process startReplica(Path dir, Path serverData, int port, int adminPort) throws Exception {
    String pgPort = Files.readString(serverData.resolve("postgres/last-port")).trim();
    String pw = Files.readString(serverData.resolve("postgres/superuser-password")).trim();
    Path config = dir.resolve("replica.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "dataDir: " + dir.resolve("replica-data"),
            "database: {url: \"jdbc:postgresql://127.0.0.1:"
                + pgPort
                + "/enlace\","
                + " user: enlace, password: \""
                + pw
                + "\"}",
            "fleetMetrics: {refresh: 1 second}",
            "rollups: {maintainerInterval: 1 second}",
            SNMP_CONFIG,
            CLUSTER_CONFIG,
            "server:",
            "  applicationConnectors: [{type: http, port: " + port + ", bindHost: 127.0.0.1}]",
            "  adminConnectors: [{type: http, port: " + adminPort + ", bindHost: 127.0.0.1}]",
            "  requestLog: {appenders: []}",
            "logging: {level: WARN}",
            ""));
    return start(
        dir.resolve("replica.log"),
        java(),
        "-Xmx512m",
        "-jar",
        SERVER_JAR.toString(),
        "server",
        config.toString());
  }

  static Connection database(Path serverData) throws Exception {
    String port = Files.readString(serverData.resolve("postgres/last-port")).trim();
    String pw = Files.readString(serverData.resolve("postgres/superuser-password")).trim();
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/enlace", "enlace", pw);
  }

  @Test
  void everyDashboardAndRuleQueryReturnsDataFromARealPrometheusScrapingTheServer()
      throws Exception {
    assumeTrue(
        installed("prometheus"),
        "prometheus is not installed (Debian: apt-get install"
            + " prometheus; .ci/run installs it)");
    assumeTrue(
        Snmpd.installed(),
        Snmpd.SNMPD
            + " is not installed (Debian: apt-get install"
            + " snmpd; .ci/run installs it)");
    assertThat(SERVER_JAR).as("build the server jar first (mvn verify from the root)").exists();
    long t0 = System.nanoTime();
    Path dir = TestPostgres.worldTraversableTempDir("enlace-dashboards-");
    int port = freePort();
    int adminPort = freePort();
    int port2 = freePort();
    int adminPort2 = freePort();
    int promPort = freePort();

    // The server jar, its own embedded PostgreSQL, figures refreshed every second.
    Path serverData = dir.resolve("server-data");
    Path serverConfig = dir.resolve("server.yml");
    Files.writeString(
        serverConfig,
        String.join(
            "\n",
            "dataDir: " + serverData,
            "fleetMetrics: {refresh: 1 second}",
            "rollups: {maintainerInterval: 1 second}",
            SNMP_CONFIG,
            CLUSTER_CONFIG,
            "server:",
            "  applicationConnectors: [{type: http, port: " + port + ", bindHost: 127.0.0.1}]",
            "  adminConnectors: [{type: http, port: " + adminPort + ", bindHost: 127.0.0.1}]",
            "  requestLog: {appenders: []}",
            "logging: {level: WARN}",
            ""));
    Process server =
        start(
            dir.resolve("server.log"),
            java(),
            "-Xmx512m",
            "-jar",
            SERVER_JAR.toString(),
            "server",
            serverConfig.toString());
    // Prometheus, with the shipped configuration and rules, while the server starts.
    Files.createDirectories(dir.resolve("tsdb"));
    start(
        dir.resolve("prometheus.log"),
        "prometheus",
        "--config.file=" + prometheusConfig(dir, adminPort, adminPort2),
        "--storage.tsdb.path=" + dir.resolve("tsdb"),
        "--web.listen-address=127.0.0.1:" + promPort,
        "--log.level=warn");
    // The routers: one real snmpd whose uptime and counters keep time, while the server starts.
    long snmpT0 = System.currentTimeMillis();
    snmpd = Snmpd.builder().state(routers(snmpT0, snmpT0)).start();
    Snmpd routers = snmpd;
    ticking.set(true);
    ticker =
        new Thread(
            () -> {
              while (ticking.get()) {
                try {
                  routers.state(routers(snmpT0, System.currentTimeMillis()));
                  Thread.sleep(500);
                } catch (InterruptedException ie) {
                  return;
                } catch (RuntimeException e) {
                  if (ticking.get()) {
                    System.out.println("DashboardsIT: scripted routers not updated: " + e);
                  }
                }
              }
            },
            "dashboards-it-routers");
    ticker.setDaemon(true);
    ticker.start();

    String base = "http://127.0.0.1:" + port;
    Api anonymous = new Api(base, null);
    await(
        "server start",
        Duration.ofSeconds(90),
        () -> {
          if (!server.isAlive()) {
            throw new AssertionError("the server exited: " + tail(dir.resolve("server.log")));
          }
          try {
            return anonymous.get("/api/v1/ping").status() == 204;
          } catch (RuntimeException e) {
            return false;
          }
        });
    Process replica = startReplica(dir, serverData, port2, adminPort2);
    Api anonymous2 = new Api("http://127.0.0.1:" + port2, null);
    await(
        "second replica start",
        Duration.ofSeconds(90),
        () -> {
          if (!replica.isAlive()) {
            throw new AssertionError("the replica exited: " + tail(dir.resolve("replica.log")));
          }
          try {
            return anonymous2.get("/api/v1/ping").status() == 204;
          } catch (RuntimeException e) {
            return false;
          }
        });
    await("prometheus ready", Duration.ofSeconds(30), () -> query(promPort, "vector(1)").data());
    long started = System.nanoTime();

    // (1) The municipality.
    Api it =
        new Api(
            base,
            Api.basic(
                "admin",
                Files.readString(
                        serverData.resolve("initial-admin-password"), StandardCharsets.UTF_8)
                    .trim()));
    establishment(it, "alcaldia", "administration", "town_hall", 1.2, -77.45);
    establishment(it, "biblioteca", "citizens", "library", 1.21, -77.46);
    establishment(it, "escuela", "citizens", "school", 1.22, -77.47);
    establishment(it, "kiosco", "citizens", "public_access_point", 1.23, -77.48);
    long townHallLink = link(it, "alcaldia", 100, 50);
    long libraryLink = link(it, "biblioteca", 10, 5);
    long schoolLink = link(it, "escuela", 20, 10);
    // Their routers, polled every 2 s from now on: the town hall's link saturated, the library's
    // down, the school's router deaf to the community it is asked with (timeouts).
    device(it, "alcaldia", snmpd, snmpd.community(), townHallLink, "wan0");
    device(it, "biblioteca", snmpd, snmpd.community(), libraryLink, "wan1");
    device(it, "escuela", snmpd, "not-" + snmpd.community(), schoolLink, "wan0");
    assertThat(
            it.post(
                    "/api/v1/indicators/baseline",
                    Api.JSON.readTree(
                        "{\"reference\": \"plan\","
                            + " \"administration\": {\"computers\": 1, \"establishments\": 1},"
                            + " \"citizens\": {\"computers\": 1, \"establishments\": 1}}"))
                .status())
        .isEqualTo(201);
    YearMonth month = YearMonth.now(ZoneId.of("America/Bogota"));
    assertThat(
            it.post(
                    "/api/v1/indicators/declared",
                    Api.object()
                        .put("sector", "citizens")
                        .put("description", "Café internet")
                        .put("computers", 6)
                        .put("establishments", 1)
                        .put("validFrom", month.toString())
                        .put("source", "visita"))
                .status())
        .isEqualTo(201);

    List<Enrolled> townHall = List.of(enroll(base, it, "alcaldia"), enroll(base, it, "alcaldia"));
    Enrolled offline = enroll(base, it, "biblioteca");
    Enrolled limited = enroll(base, it, "biblioteca");
    Enrolled atRisk = enroll(base, it, "escuela");
    Enrolled silent = enroll(base, it, "kiosco");
    assertThat(offline.report("offline", "offline").status()).isEqualTo(200);
    assertThat(limited.report("limited", "limited").status()).isEqualTo(200);
    assertThat(atRisk.report("online").status()).isEqualTo(200);
    assertThat(silent.report("online").status()).isEqualTo(200);
    // Five speed tests on the town hall's link, all under 80 % of 100/50 Mbit/s; an agent that
    // had to drop observations from its full journal.
    Instant now = Instant.now();
    ObjectNode tests =
        Api.object()
            .put("protocolVersion", 1)
            .put("sentAt", now.toString())
            .put("droppedObservations", 3);
    tests.putObject("queue").put("depth", 120).put("oldestAt", now.minusSeconds(7200).toString());
    ArrayNode measured = tests.putArray("observations");
    for (int i = 0; i < 5; i++) {
      ObjectNode o =
          TestApp.observation(
              townHall.get(0).seq().incrementAndGet(), now.minusSeconds(50 - i * 10), "online");
      o.putObject("speedTest")
          .put("method", "ndt7")
          .put("downMbps", 30 + i)
          .put("upMbps", 10)
          .put("latencyMs", 20);
      measured.add(o);
    }
    assertThat(townHall.get(0).report(tests).status()).isEqualTo(200);
    // Duplicates (the same report twice), rejected observations and malformed reports.
    ObjectNode again = Api.object().put("protocolVersion", 1).put("sentAt", now.toString());
    again
        .putArray("observations")
        .add(
            TestApp.observation(
                townHall.get(1).seq().incrementAndGet(), now.minusSeconds(5), "online"));
    assertThat(townHall.get(1).report(again).status()).isEqualTo(200);
    assertThat(townHall.get(1).report(again).status()).isEqualTo(200);
    ObjectNode bad = Api.object().put("protocolVersion", 1).put("sentAt", now.toString());
    ArrayNode bogus = bad.putArray("observations");
    for (int i = 0; i < 30; i++) {
      bogus.add(TestApp.observation(townHall.get(1).seq().incrementAndGet(), now, "bogus"));
    }
    assertThat(townHall.get(1).report(bad).status()).isEqualTo(200);
    for (int i = 0; i < 30; i++) {
      assertThat(
              townHall
                  .get(1)
                  .api()
                  .postBytes(
                      "/api/v1/reports", "{\"observations\": ".getBytes(StandardCharsets.UTF_8))
                  .status())
          .isEqualTo(400);
    }
    // Time travel, the one step not done through the API: the school's agent last reported 22
    // days ago (at risk), the kiosk's 3 hours ago (silent in opening hours).
    try (Connection c = database(serverData);
        var s = c.createStatement()) {
      s.executeUpdate(
          "UPDATE computers SET enrolled_at = now() - interval '60 days',"
              + " last_seen_at = now() - interval '22 days',"
              + " last_observed_at = now() - interval '22 days' WHERE id = "
              + atRisk.computerId());
      s.executeUpdate(
          "UPDATE computers SET last_seen_at = now() - interval '3 hours',"
              + " last_observed_at = now() - interval '3 hours' WHERE id = "
              + silent.computerId());
    }
    // The town hall's PCs keep reporting, so that rates and latencies have something to show.
    feeding.set(true);
    feeder =
        new Thread(
            () -> {
              while (feeding.get()) {
                for (Enrolled e : townHall) {
                  try {
                    e.report("online");
                  } catch (RuntimeException ignored) {
                    // the server is being stopped: the next round tries again
                  }
                }
                try {
                  Thread.sleep(500);
                } catch (InterruptedException ie) {
                  return;
                }
              }
            },
            "dashboards-it-feeder");
    feeder.setDaemon(true);
    feeder.start();

    List<ShippedQueries.Query> queries = ShippedQueries.all();
    Map<ShippedQueries.Query, String> pending = new LinkedHashMap<>();
    for (ShippedQueries.Query q : queries) {
      pending.put(q, "never ran");
    }
    Map<String, Integer> answeredIn = new LinkedHashMap<>();
    await(
        "the scenario in Prometheus",
        Duration.ofSeconds(60),
        () ->
            query(promPort, "enlace_link_speedtest_under_contract_streak >= 5").data()
                && query(promPort, "enlace_establishment_month_availability_ratio").data()
                && query(promPort, "enlace_establishment_agents{lifecycle=\"at_risk\"} > 0").data()
                && query(promPort, "establishment:enlace_state:code == 1").data()
                && query(promPort, "sector:enlace_indicator_computers_progress:ratio").data()
                && query(
                        promPort,
                        "enlace_link_utilization_ratio{link=\"" + townHallLink + "\"} > 0.9")
                    .data()
                && query(promPort, "enlace_link_oper_status{link=\"" + libraryLink + "\"} == 0")
                    .data()
                && query(promPort, "link:enlace_link_bits_per_second:rate5m > 0").data()
                && query(
                        promPort,
                        "increase(enlace_snmp_device_poll_failures_total{establishment="
                            + "\"escuela\", reason=\"timeout\"}[15m]) > 2")
                    .data());
    runUntilSettled("healthy", promPort, pending, answeredIn, Duration.ofSeconds(20));
    // Two replicas scraped: the fleet's figures once (an establishment's gauge from one replica
    // only), each lease held by one, each router polled by one.
    await(
        "both replicas scraped, every lease held once",
        Duration.ofSeconds(20),
        () ->
            query(promPort, "count(up{job=\"enlace\"} == 1) == 2").data()
                && query(promPort, "count(enlace_cluster_lease_held == 1) == 2").data()
                && !query(promPort, "sum by (lease) (enlace_cluster_lease_held) != 1").data()
                && query(promPort, "sum(enlace_snmp_devices_polled) == 3").data());
    for (String doubled :
        List.of(
            "count by (establishment) (enlace_establishment_computers_enrolled) > 1",
            "count by (sector) (enlace_indicator_declared_computers) > 1",
            "count by (link) (enlace_link_oper_status) > 1",
            "count by (establishment) (establishment:enlace_state:code) > 1")) {
      assertThat(query(promPort, doubled).data()).as(doubled).isFalse();
    }
    assertThat(query(promPort, "count(enlace_establishment_computers_enrolled) == 4").data())
        .as("the four establishments, each once")
        .isTrue();
    for (String expr :
        List.of(
            "enlace_link_utilization_ratio",
            "enlace_link_oper_status",
            "link:enlace_link_bits_per_second:rate5m",
            "enlace_snmp_device_poll_failures_total")) {
      System.out.println("DashboardsIT: " + expr + " " + values(promPort, expr));
    }

    // (2) The database goes away under the running server, and stays away: the server's watchdog
    // starts a stopped postmaster again within a second, which a 1 s scrape could miss, so a keeper
    // stops it again whenever its postmaster.pid reappears.
    Path pidFile = serverData.resolve("postgres/data/postmaster.pid");
    AtomicBoolean keepDown = new AtomicBoolean(true);
    Thread keeper =
        new Thread(
            () -> {
              while (keepDown.get()) {
                try {
                  if (Files.exists(pidFile)) {
                    EmbeddedPostgres.start(serverData, 0, "nobody").stop();
                  }
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                } catch (IOException | RuntimeException e) {
                  // The watchdog's start and ours met on the lock file: look again.
                }
              }
            },
            "database-keeper");
    keeper.start();
    await(
        "the server to see its database down",
        Duration.ofSeconds(30),
        () -> query(promPort, "enlace_database_up == 0").data());
    runUntilSettled("database down", promPort, pending, answeredIn, Duration.ofSeconds(20));
    keepDown.set(false);
    keeper.join(30_000);

    // (3) The server goes away (killed: its database is already gone).
    feeding.set(false);
    feeder.join(30_000);
    server.destroyForcibly();
    assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
    await(
        "Prometheus to see the server down",
        Duration.ofSeconds(30),
        () -> query(promPort, "up{job=\"enlace\"} == 0").data());
    runUntilSettled("server down", promPort, pending, answeredIn, Duration.ofSeconds(10));

    System.out.printf(
        "DashboardsIT: %d expressions (%d dashboard, %d rule); first data in"
            + " phase %s; scenario %.1f s, total %.1f s%n",
        queries.size(),
        ShippedQueries.dashboardQueries().size(),
        ShippedQueries.ruleQueries().size(),
        answeredIn,
        (System.nanoTime() - started) / 1e9,
        (System.nanoTime() - t0) / 1e9);
    List<String> unrunnable = new ArrayList<>();
    List<String> empty = new ArrayList<>();
    for (Map.Entry<ShippedQueries.Query, String> e : pending.entrySet()) {
      ShippedQueries.Query q = e.getKey();
      String line = q.source() + ": " + q.expr().replaceAll("\\s+", " ") + " -> " + e.getValue();
      (e.getValue().startsWith("error ") ? unrunnable : empty).add(line);
    }
    SoftAssertions.assertSoftly(
        soft -> {
          soft.assertThat(unrunnable).as("expressions Prometheus cannot parse or run").isEmpty();
          soft.assertThat(empty)
              .as(
                  "expressions that returned no data in any phase (a metric the"
                      + " server does not export?)")
              .isEmpty();
        });
    stopAll();
    // On failure the logs stay until the JVM ends (-Denlace.test.keepTempDirs=true keeps them).
    TempDirs.deleteRecursively(dir);
  }

  /**
   * Runs every expression that has not returned data yet, again and again, until none has answered
   * for three rounds in a row (or {@code max} is over). An expression that answers is done; the
   * last error of the others is kept.
   */
  private static void runUntilSettled(
      String phase,
      int promPort,
      Map<ShippedQueries.Query, String> pending,
      Map<String, Integer> answeredIn,
      Duration max)
      throws InterruptedException {
    Instant end = Instant.now().plus(max);
    int quiet = 0;
    while (quiet < 3 && Instant.now().isBefore(end) && !pending.isEmpty()) {
      int before = pending.size();
      for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        Answer a = query(promPort, e.getKey().runnable());
        if (a.data()) {
          answeredIn.merge(phase, 1, Integer::sum);
          if (!phase.equals("healthy")) {
            System.out.println("DashboardsIT: data once " + phase + ": " + e.getKey().source());
          }
          it.remove();
        } else {
          e.setValue(a.ran() ? "no data" : "error " + a.error());
        }
      }
      quiet = pending.size() == before ? quiet + 1 : 0;
      Thread.sleep(1_000);
    }
  }

  static String tail(Path log) {
    try {
      String s = Files.readString(log, StandardCharsets.UTF_8);
      return s.substring(Math.max(0, s.length() - 4000));
    } catch (IOException e) {
      return e.toString();
    }
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}

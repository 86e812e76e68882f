package org.enlace.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.enlace.server.testing.Waits.await;
import static org.enlace.server.testing.Waits.freePort;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestPostgres;
import org.junit.jupiter.api.Test;

/**
 * The shipped jars, as a municipality runs them: the server with its embedded PostgreSQL and an
 * agent enrolled against it. The server goes away for a while and comes back; every observation the
 * agent made is stored exactly once.
 */
class AgentEndToEndIT extends ShippedJars {
  Process server(Path dir, int port, int adminPort) throws Exception {
    Path config = dir.resolve("server.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "dataDir: " + dir.resolve("server-data"),
            "server:",
            "  applicationConnectors: [{type: http, port: " + port + ", bindHost: 127.0.0.1}]",
            "  adminConnectors: [{type: http, port: " + adminPort + ", bindHost: 127.0.0.1}]",
            "  requestLog: {appenders: []}",
            "logging: {level: INFO}",
            ""));
    Process p =
        start(
            dir.resolve("server-" + System.nanoTime() + ".log"),
            java(),
            "-Xmx512m",
            "-jar",
            SERVER_JAR.toString(),
            "server",
            config.toString());
    Api anonymous = new Api("http://127.0.0.1:" + port, null);
    await(
        "server start",
        Duration.ofSeconds(90),
        () -> {
          try {
            return anonymous.get("/api/v1/ping").status() == 204;
          } catch (RuntimeException e) {
            return false;
          }
        });
    return p;
  }

  static String runForOutput(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void bothJarsReportTheBuildsOneVersion() throws Exception {
    String version = System.getProperty("enlace.version");
    assertThat(version).isNotBlank();
    assertThat(runForOutput(java(), "-jar", SERVER_JAR.toString(), "--version")).isEqualTo(version);
    assertThat(runForOutput(java(), "-jar", AGENT_JAR.toString(), "--version"))
        .isEqualTo("enlace-agent " + version);
  }

  @Test
  void agentJarAgainstServerJarSurvivesAServerOutageWithEveryObservationStoredOnce()
      throws Exception {
    assertThat(SERVER_JAR).as("build the server jar first (mvn verify from the root)").exists();
    assertThat(AGENT_JAR).as("build the agent jar first (mvn verify from the root)").exists();
    Path dir = TestPostgres.worldTraversableTempDir("enlace-e2e-");
    int port = freePort();
    int adminPort = freePort();
    Process server = server(dir, port, adminPort);
    String base = "http://127.0.0.1:" + port;
    String password =
        Files.readString(dir.resolve("server-data/initial-admin-password"), StandardCharsets.UTF_8)
            .trim();
    Api it = new Api(base, Api.basic("admin", password));
    assertThat(
            it.post(
                    "/api/v1/establishments",
                    Api.object()
                        .put("code", "alcaldia")
                        .put("name", "Alcaldía")
                        .put("kind", "town_hall")
                        .put("sector", "administration"))
                .status())
        .isEqualTo(201);
    String token =
        it.post("/api/v1/establishments/alcaldia/enrollment-tokens", Api.object())
            .body()
            .get("token")
            .asText();

    Path agentDir = agentDataDir(dir, base, port);
    enroll(dir, agentDir, base, token);
    long computerId =
        it.get("/api/v1/computers?establishment=alcaldia").body().get(0).get("id").asLong();

    start(
        dir.resolve("agent.log"),
        java(),
        "-Xmx32m",
        "-XX:+UseSerialGC",
        "-jar",
        AGENT_JAR.toString(),
        "run",
        "--data-dir",
        agentDir.toString());
    Path serverData = dir.resolve("server-data");
    await(
        "five observations stored",
        Duration.ofSeconds(60),
        () -> counts(serverData, computerId)[0] >= 5);

    // The server goes away (the town hall's server is restarted, or its link drops).
    server.destroy();
    assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
    long whileDown = lastSeq(agentDir);
    Thread.sleep(5_000);
    assertThat(lastSeq(agentDir))
        .as("the agent keeps observing while the server is away")
        .isGreaterThan(whileDown + 2);

    server(dir, port, adminPort);
    Api itAgain = new Api(base, Api.basic("admin", password));
    await(
        "the agent to catch up",
        Duration.ofSeconds(90),
        () -> pending(agentDir) == 0 && counts(serverData, computerId)[0] >= lastSeq(agentDir));

    Process agent = processes.get(processes.size() - 2);
    agent.destroy();
    assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
    long last = lastSeq(agentDir);
    long pendingAtStop = pending(agentDir);
    assertThat(pendingAtStop).as("only the rounds made after the last upload").isBetween(0L, 3L);
    JsonNode c = itAgain.get("/api/v1/computers/" + computerId).body();
    assertThat(c.get("lastStatus").asText()).isEqualTo("online");
    long[] n = counts(serverData, computerId);
    assertThat(n[0]).as("rows").isEqualTo(last - pendingAtStop);
    assertThat(n[1]).as("distinct sequences").isEqualTo(n[0]);
    assertThat(n[2]).as("highest sequence").isEqualTo(n[0]);
    assertThat(n[3]).as("lowest sequence").isEqualTo(1);
    assertThat(Files.readString(dir.resolve("agent.log")))
        .contains("event=server_unreachable")
        .contains("event=server_reachable");
  }

  /** Observations stored for the computer, read from the server's embedded PostgreSQL. */
  static long[] counts(Path serverData, long computerId) {
    try {
      String port = Files.readString(serverData.resolve("postgres/last-port")).trim();
      String pw = Files.readString(serverData.resolve("postgres/superuser-password")).trim();
      try (var c =
              DriverManager.getConnection(
                  "jdbc:postgresql://127.0.0.1:" + port + "/enlace", "enlace", pw);
          var q =
              c.prepareStatement(
                  """
                  SELECT count(*), count(DISTINCT seq), coalesce(max(seq), 0),
                  coalesce(min(seq), 0) FROM observations WHERE computer_id = ?
                  """)) {
        q.setLong(1, computerId);
        try (var rs = q.executeQuery()) {
          rs.next();
          return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)};
        }
      }
    } catch (IOException | SQLException e) {
      return new long[] {-1, -1, -1, -1};
    }
  }

  static long lastSeq(Path agentDir) {
    try {
      JsonNode s = Api.JSON.readTree(agentDir.resolve("status.json").toFile());
      return s.path("lastRound").path("seq").asLong(0);
    } catch (IOException e) {
      return 0;
    }
  }

  static long pending(Path agentDir) {
    try {
      JsonNode s = Api.JSON.readTree(agentDir.resolve("status.json").toFile());
      return s.path("queue").path("pending").asLong(-1);
    } catch (IOException e) {
      return -1;
    }
  }
}

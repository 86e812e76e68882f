package org.enlace.agent.bench;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real server jar (server/target/enlace-server.jar, built by `mvn -DskipTests package`) with
 * its embedded PostgreSQL, for the agent's benchmarks.
 */
final class BenchServer implements AutoCloseable {
  final Path dir;
  final String base;
  final int port;
  private final Process process;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String admin;

  BenchServer(String bindHost) throws Exception {
    Path jar =
        Path.of(System.getProperty("enlace.server.jar", "../server/target/enlace-server.jar"));
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: run `mvn -DskipTests package` first");
    }
    dir = Files.createTempDirectory("enlace-bench-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    // A private copy: rebuilding the project while a long bench runs must not pull the jar away.
    jar = Files.copy(jar, dir.resolve("enlace-server.jar"));
    port = freePort();
    int adminPort = freePort();
    Path config = dir.resolve("server.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "dataDir: " + dir.resolve("data"),
            "server:",
            "  applicationConnectors: [{type: http, port: "
                + port
                + ", bindHost: "
                + bindHost
                + "}]",
            "  adminConnectors: [{type: http, port: " + adminPort + ", bindHost: 127.0.0.1}]",
            "  requestLog: {appenders: []}",
            "logging: {level: WARN}",
            ""));
    process =
        new ProcessBuilder(javaBin(), "-jar", jar.toString(), "server", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile())
            .start();
    base = "http://" + bindHost + ":" + port;
    Instant end = Instant.now().plusSeconds(120);
    while (true) {
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/v1/ping")).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 204) {
          break;
        }
      } catch (IOException e) {
        if (Instant.now().isAfter(end)) {
          throw new IllegalStateException("server did not start; see " + dir.resolve("server.log"));
        }
      }
      Thread.sleep(500);
    }
    admin =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    ("admin:" + Files.readString(dir.resolve("data/initial-admin-password")).trim())
                        .getBytes(StandardCharsets.UTF_8));
    post(
        "/api/v1/establishments",
        Map.of("code", "bench", "name", "Bench", "kind", "other", "sector", "citizens"),
        admin);
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  Map<String, Object> post(String path, Map<String, Object> body, String auth) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.std.asBytes(body)));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(
          path + " -> " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
    }
    return JSON.std.mapFrom(r.body());
  }

  String token(int maxUses) throws Exception {
    return post("/api/v1/establishments/bench/enrollment-tokens", Map.of("maxUses", maxUses), admin)
        .get("token")
        .toString();
  }

  /** Enrolls an agent directly; returns agentId, secret, computerId. */
  Map<String, Object> enroll(String machineId) throws Exception {
    return post(
        "/api/v1/enroll",
        Map.of(
            "token",
            token(1),
            "machineId",
            machineId,
            "hostname",
            "bench-pc",
            "agentVersion",
            "bench",
            "role",
            "kiosk"),
        null);
  }

  Connection jdbc() throws Exception {
    String pgPort = Files.readString(dir.resolve("data/postgres/last-port")).trim();
    String pw = Files.readString(dir.resolve("data/postgres/superuser-password")).trim();
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + pgPort + "/enlace", "enlace", pw);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      // Interrupted while waiting: the server must not outlive the bench either way.
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static Duration since(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos);
  }
}

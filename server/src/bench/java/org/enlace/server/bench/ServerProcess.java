package org.enlace.server.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The server under test as its own JVM ({@code java -jar enlace-server.jar server bench.yml}), on a
 * fresh data directory with its embedded PostgreSQL, on free loopback ports. A separate process
 * keeps its CPU apart from the generator's and runs it as operators will.
 */
final class ServerProcess implements AutoCloseable {
  final Path dir;
  final Path dataDir;
  final int port;
  final int adminPort;
  final Path log;
  private final Process process;
  private final boolean keepData;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private ServerProcess(
      Path dir,
      Path dataDir,
      int port,
      int adminPort,
      Path log,
      Process process,
      boolean keepData) {
    this.dir = dir;
    this.dataDir = dataDir;
    this.port = port;
    this.adminPort = adminPort;
    this.log = log;
    this.process = process;
    this.keepData = keepData;
  }

  static ServerProcess start(BenchOptions o) throws IOException, InterruptedException {
    Path jar = Path.of(o.serverJar).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IOException(
          "No server jar at "
              + jar
              + ": run the package phase first "
              + "(mvn -Pbench -pl server -am verify does)");
    }
    Files.createDirectories(o.outDir);
    // PostgreSQL runs as 'nobody' when we are root: every directory above its data must be
    // world-traversable, so the temp directory is chmod 755 (its parent /tmp is).
    Path dir =
        o.dir.isEmpty()
            ? Files.createTempDirectory(Path.of(o.tmpDir), "enlace-bench-")
            : Files.createDirectories(Path.of(o.dir));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path dataDir = dir.resolve("data");
    Files.createDirectories(dataDir);
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    int port = freePort();
    int adminPort = freePort();
    Path config = dir.resolve("bench.yml");
    Files.writeString(config, config(o, dataDir, port, adminPort), StandardCharsets.UTF_8);
    Files.copy(config, o.outDir.resolve("bench-config.yml"), StandardCopyOption.REPLACE_EXISTING);

    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    if (!o.serverJvmArgs.isBlank()) {
      cmd.addAll(Arrays.asList(o.serverJvmArgs.trim().split("\\s+", 0)));
    }
    cmd.addAll(List.of("-jar", jar.toString(), "server", config.toString()));
    Path log = o.outDir.resolve("server.log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ServerProcess s =
        new ServerProcess(dir, dataDir, port, adminPort, log, p, o.keepData || !o.dir.isEmpty());
    Runtime.getRuntime().addShutdownHook(new Thread(s::close, "bench-server-stop"));
    System.out.printf("server: pid %d, %s%n", p.pid(), String.join(" ", cmd));
    s.awaitReady(Duration.ofSeconds(o.startTimeoutSeconds));
    return s;
  }

  private static String config(BenchOptions o, Path dataDir, int port, int adminPort) {
    // The sample server/config.yml (including enableThreadNameFilter: false), with its own data
    // directory and ports, and without per-request console logging (at thousands of requests a
    // second it would be the main cost measured).
    return String.join(
        "\n",
        "dataDir: " + dataDir,
        "timeZone: America/Bogota",
        "database:",
        "  url: \"\"",
        "  maxPoolSize: 32",
        "  embedded:",
        "    port: 0",
        "    runAsUser: nobody",
        "ingest:",
        "  maxBodySize: 1MiB",
        "  maxObservationsPerReport: 5000",
        "  futureTolerance: 2 minutes",
        "  pastTolerance: 10 minutes",
        "  maxRowsPerCommit: " + o.maxRowsPerCommit,
        "  writerThreads: " + o.writerThreads,
        "  maxQueuedReports: " + o.maxQueuedReports,
        "  commitTimeout: 30 seconds",
        // The bench's agents send back to back, several reports a second each: far above the
        // per-agent limit of real agents, which would measure 429s instead of ingest.
        "limits:",
        "  reportsPerAgent:",
        "    perMinute: 1000000",
        "    burst: 1000000",
        "server:",
        "  applicationConnectors:",
        "    - type: http",
        "      bindHost: 127.0.0.1",
        "      port: " + port,
        "  adminConnectors:",
        "    - type: http",
        "      bindHost: 127.0.0.1",
        "      port: " + adminPort,
        "  enableThreadNameFilter: false",
        "  requestLog:",
        "    appenders: []",
        "logging:",
        "  level: WARN",
        "  appenders:",
        "    - type: console",
        "      timeZone: America/Bogota",
        "");
  }

  private void awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "the server exited with " + process.exitValue() + "; see " + log + "\n" + tail());
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create(base() + "/api/v1/ping"))
                    .timeout(Duration.ofSeconds(2))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 204) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IOException(
        "the server did not answer within " + timeout + "; see " + log + "\n" + tail());
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  long pid() {
    return process.pid();
  }

  /** The postmaster's pid and port, from postmaster.pid (lines 1 and 4). */
  long[] postmaster() throws IOException {
    List<String> lines =
        Files.readAllLines(dataDir.resolve("postgres/data/postmaster.pid"), StandardCharsets.UTF_8);
    return new long[] {Long.parseLong(lines.get(0).trim()), Long.parseLong(lines.get(3).trim())};
  }

  String postgresPassword() throws IOException {
    return Files.readString(dataDir.resolve("postgres/superuser-password"), StandardCharsets.UTF_8)
        .trim();
  }

  String adminPassword() throws IOException {
    return Files.readString(dataDir.resolve("initial-admin-password"), StandardCharsets.UTF_8)
        .trim();
  }

  /** The Prometheus text from the admin port. */
  String metrics() {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private volatile boolean closed;

  /** SIGTERM: Dropwizard stops Jetty, then the embedded PostgreSQL (pg_ctl stop -m fast). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long pmPid = -1;
    try {
      pmPid = postmaster()[0];
    } catch (IOException | RuntimeException e) {
      // not started
    }
    process.destroy();
    try {
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // If the JVM could not stop its PostgreSQL, stop it: we started it.
    if (pmPid > 0) {
      ProcessHandle.of(pmPid)
          .ifPresent(
              h -> {
                h.destroy();
                try {
                  h.onExit().get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                  h.destroyForcibly();
                }
              });
    }
    if (!keepData) {
      try (var paths = Files.walk(dir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      } catch (IOException e) {
        System.err.println("could not delete " + dir + ": " + e);
      }
    }
  }

  /** 127.0.0.1 by number, where the server under test listens. */
  static final InetAddress LOOPBACK_V4 = loopbackV4();

  private static InetAddress loopbackV4() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new AssertionError("four bytes are a valid address", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(LOOPBACK_V4, 0));
      return s.getLocalPort();
    }
  }
}

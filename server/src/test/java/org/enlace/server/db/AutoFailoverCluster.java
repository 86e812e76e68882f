package org.enlace.server.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.enlace.server.testing.TestPostgres;
import org.enlace.server.testing.Waits;

/**
 * A pg_auto_failover formation from Debian's packages (pg_autoctl, postgresql-MAJOR-auto-failover):
 * a monitor, a primary and a synchronous secondary, each its own PostgreSQL on a free loopback port
 * in one temp dir, trust authentication, no TLS. Run as nobody when the tests run as root.
 */
final class AutoFailoverCluster implements AutoCloseable {
  static final String USER = "enlace";
  static final String DATABASE = "enlace";

  private final Path bin;
  private final Path dir;
  private final boolean root;
  private final int monitorPort;
  private final List<Process> services = new ArrayList<>();
  private final List<Path> dataDirs = new ArrayList<>();
  final int port1;
  final int port2;

  private AutoFailoverCluster(Path bin, Path dir, boolean root) throws IOException {
    this.bin = bin;
    this.dir = dir;
    this.root = root;
    this.monitorPort = Waits.freePort();
    this.port1 = Waits.freePort();
    this.port2 = Waits.freePort();
  }

  /** The PostgreSQL bin directory whose major has the pgautofailover extension, if pg_autoctl. */
  static Optional<Path> installed() throws IOException {
    Path base = Path.of("/usr/lib/postgresql");
    if (!Files.isExecutable(Path.of("/usr/bin/pg_autoctl")) || !Files.isDirectory(base)) {
      return Optional.empty();
    }
    try (Stream<Path> majors = Files.list(base)) {
      return majors
          .filter(m -> Files.exists(m.resolve("lib/pgautofailover.so")))
          .map(m -> m.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("postgres")))
          .findFirst();
    }
  }

  static AutoFailoverCluster start(Path bin) throws Exception {
    Path dir = TestPostgres.worldTraversableTempDir("enlace-paf-");
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      exec(false, Map.of(), "chown", "nobody", dir.toString());
    }
    AutoFailoverCluster c = new AutoFailoverCluster(bin, dir, root);
    try {
      c.run("mkdir", dir.resolve("sock").toString());
      c.startMonitor();
      c.startNode("n1", c.port1);
      c.awaitStates(Duration.ofSeconds(60), Map.of("n1", "single"));
      c.startNode("n2", c.port2);
      c.awaitSecondary();
      return c;
    } catch (Exception | AssertionError e) {
      c.close();
      throw e;
    }
  }

  /** The multi-host URL an Enlace replica is given: whichever node is primary now. */
  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:"
        + port1
        + ",127.0.0.1:"
        + port2
        + "/"
        + DATABASE
        + "?targetServerType=primary";
  }

  String nodeUrl(int port) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  /** {@code pg_autoctl perform failover}: returns once the secondary is the primary. */
  void performFailover() throws Exception {
    run("pg_autoctl", "perform", "failover", "--pgdata", dir.resolve("monitor").toString());
  }

  /** When the monitor first heard {@code node} report that it was promoted (wait_primary). */
  Instant promotedAt(String node) throws SQLException {
    try (Connection c = monitor();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT min(eventtime) FROM pgautofailover.event"
                    + " WHERE nodename = ? AND reportedstate IN ('wait_primary', 'primary')")) {
      s.setString(1, node);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        Timestamp t = r.getTimestamp(1);
        if (t == null) {
          throw new IllegalStateException(node + " was never promoted");
        }
        return t.toInstant();
      }
    }
  }

  /** node name → "reported/assigned" state, as the monitor sees them. */
  Map<String, String> states() throws SQLException {
    try (Connection c = monitor();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery("SELECT nodename, reportedstate, goalstate FROM pgautofailover.node")) {
      Map<String, String> states = new TreeMap<>();
      while (r.next()) {
        states.put(r.getString(1), r.getString(2) + "/" + r.getString(3));
      }
      return states;
    }
  }

  private Connection monitor() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + monitorPort + "/pg_auto_failover", "autoctl_node", "");
  }

  private void startMonitor() throws Exception {
    Path pgdata = initdb("monitor");
    run(
        "pg_autoctl",
        "create",
        "monitor",
        "--pgdata",
        pgdata.toString(),
        "--pgport",
        Integer.toString(monitorPort),
        "--hostname",
        "127.0.0.1",
        "--listen",
        "127.0.0.1",
        "--auth",
        "trust",
        "--no-ssl");
    service("monitor", "pg_autoctl", "run", "--pgdata", pgdata.toString());
    Waits.await(
        "the pg_auto_failover monitor",
        Duration.ofSeconds(30),
        () -> {
          try (Connection c = monitor()) {
            return c.isValid(5);
          } catch (SQLException e) {
            return false;
          }
        });
  }

  private void startNode(String name, int port) throws Exception {
    // The primary is initialised here so that its sockets go to our dir (pg_autoctl's own initdb
    // would use /var/run/postgresql, which nobody cannot write); the secondary copies it.
    Path pgdata = name.equals("n1") ? initdb(name) : dir.resolve(name);
    service(
        name,
        "pg_autoctl",
        "create",
        "postgres",
        "--pgdata",
        pgdata.toString(),
        "--pgport",
        Integer.toString(port),
        "--hostname",
        "127.0.0.1",
        "--listen",
        "127.0.0.1",
        "--name",
        name,
        "--auth",
        "trust",
        "--no-ssl",
        "--username",
        USER,
        "--dbname",
        DATABASE,
        "--monitor",
        "postgres://autoctl_node@127.0.0.1:" + monitorPort + "/pg_auto_failover?sslmode=disable",
        "--run");
    dataDirs.add(pgdata);
  }

  /**
   * pg_basebackup waits for a spread checkpoint on the primary (a minute and a half here); an
   * immediate CHECKPOINT on the primary hurries it, so the secondary is up in seconds.
   */
  private void awaitSecondary() throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (true) {
      Map<String, String> states = states();
      if ("primary/primary".equals(states.get("n1"))
          && "secondary/secondary".equals(states.get("n2"))) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("no primary and secondary: " + states + "\n" + logs());
      }
      try (Connection c = DriverManager.getConnection(nodeUrl(port1), USER, "");
          Statement s = c.createStatement()) {
        s.execute("CHECKPOINT");
      } catch (SQLException e) {
        // The primary restarts while it is configured for replication.
      }
      Thread.sleep(500);
    }
  }

  private void awaitStates(Duration max, Map<String, String> reported) throws Exception {
    long end = System.nanoTime() + max.toNanos();
    while (true) {
      Map<String, String> states = states();
      if (reported.entrySet().stream()
          .allMatch(e -> (e.getValue() + "/" + e.getValue()).equals(states.get(e.getKey())))) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("states " + states + " after " + max + "\n" + logs());
      }
      Thread.sleep(250);
    }
  }

  private Path initdb(String name) throws Exception {
    Path pgdata = dir.resolve(name);
    run(
        bin.resolve("initdb").toString(),
        "-D",
        pgdata.toString(),
        "-U",
        USER,
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--no-locale");
    run(
        "sh",
        "-c",
        "echo \"unix_socket_directories = '" + dir.resolve("sock") + "'\" >> \"$1\"",
        "sh",
        pgdata.resolve("postgresql.conf").toString());
    return pgdata;
  }

  String logs() {
    StringBuilder b = new StringBuilder();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".out")).toList()) {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        b.append("== ").append(f.getFileName()).append('\n');
        lines
            .subList(Math.max(0, lines.size() - 40), lines.size())
            .forEach(l -> b.append(l).append('\n'));
      }
    } catch (IOException e) {
      b.append(e);
    }
    return b.toString();
  }

  @Override
  public void close() {
    // pg_autoctl stops its PostgreSQL when it is terminated; the nodes before the monitor.
    for (int i = services.size() - 1; i >= 0; i--) {
      services.get(i).destroy();
    }
    for (Process p : services) {
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Path pgdata : dataDirs) {
      if (Files.exists(pgdata.resolve("postmaster.pid"))) {
        try {
          run(bin.resolve("pg_ctl").toString(), "-D", pgdata.toString(), "-m", "immediate", "stop");
        } catch (Exception e) {
          // Already stopping; the temp dir goes when the JVM ends.
        }
      }
    }
  }

  private Map<String, String> env() {
    String d = dir.toString();
    return Map.of(
        "PATH", bin + ":/usr/bin:/bin",
        "HOME", d,
        "XDG_CONFIG_HOME", d + "/config",
        "XDG_DATA_HOME", d + "/share",
        "XDG_RUNTIME_DIR", d + "/run",
        "PGHOST", d + "/sock",
        "PGUSER", USER);
  }

  /** A long-running pg_autoctl, its output in NAME.out. */
  private void service(String name, String... command) throws IOException {
    ProcessBuilder b = new ProcessBuilder(command(root, command));
    b.environment().putAll(env());
    b.redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile());
    services.add(b.start());
  }

  private void run(String... command) throws IOException, InterruptedException {
    exec(root, env(), command);
  }

  private static List<String> command(boolean asNobody, String... command) {
    List<String> cmd = new ArrayList<>();
    if (asNobody) {
      cmd.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"));
    }
    cmd.addAll(List.of(command));
    return cmd;
  }

  private static void exec(boolean asNobody, Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    List<String> cmd = command(asNobody, command);
    ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
    b.environment().putAll(env);
    Process p = b.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("failed: " + String.join(" ", cmd) + "\n" + out);
    }
  }
}

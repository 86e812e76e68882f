package org.enlace.server.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.enlace.server.testing.TestPostgres;
import org.enlace.server.testing.Waits;

/**
 * A PostgreSQL server from the distribution's packages (/usr/lib/postgresql/MAJOR/bin), standing in
 * for a municipality's external database: its own cluster in a temp dir, on a free port, password
 * authentication. Run as nobody when the tests run as root.
 */
final class DebianPostgres implements AutoCloseable {
  static final String USER = "enlace";
  static final String PASSWORD = "backup-test-password";

  final Path bin;
  final Path dir;
  final int port;
  private final boolean root;

  private DebianPostgres(Path bin, Path dir, int port, boolean root) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.root = root;
  }

  /** The newest installed server with pg_dump beside it, if any. */
  static Optional<Path> installed() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> majors = Files.list(root)) {
      return majors
          .map(p -> p.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("pg_dump")))
          .filter(b -> Files.isExecutable(b.resolve("postgres")))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(
              (a, b) ->
                  Integer.compare(
                      Integer.parseInt(a.getParent().getFileName().toString()),
                      Integer.parseInt(b.getParent().getFileName().toString())));
    }
  }

  static DebianPostgres start(Path bin) throws Exception {
    Path dir = TestPostgres.worldTraversableTempDir("enlace-debian-pg-");
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      exec(false, "chown", "nobody", dir.toString());
    }
    Path pwfile = dir.resolve("pw");
    Files.writeString(pwfile, PASSWORD + "\n", StandardCharsets.UTF_8);
    if (root) {
      exec(false, "chown", "nobody", pwfile.toString());
    }
    int port = Waits.freePort();
    DebianPostgres pg = new DebianPostgres(bin, dir, port, root);
    pg.run(
        bin.resolve("initdb").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-U",
        USER,
        "--pwfile=" + pwfile,
        "-A",
        "scram-sha-256",
        "-E",
        "UTF8",
        "--no-locale");
    pg.run(
        bin.resolve("pg_ctl").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-l",
        dir.resolve("log").toString(),
        "-o",
        "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''",
        "-w",
        "start");
    return pg;
  }

  String createDatabase(String name) throws Exception {
    try (Connection c = DriverManager.getConnection(url("postgres"), USER, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return url(name);
  }

  String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  int major() {
    return Integer.parseInt(bin.getParent().getFileName().toString());
  }

  @Override
  public void close() throws IOException {
    try {
      run(
          bin.resolve("pg_ctl").toString(),
          "-D",
          dir.resolve("data").toString(),
          "-m",
          "fast",
          "stop");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping " + dir, e);
    }
  }

  private void run(String... command) throws IOException, InterruptedException {
    exec(root, command);
  }

  private static void exec(boolean asNobody, String... command)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (asNobody) {
      cmd.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"));
    }
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("failed: " + String.join(" ", cmd) + "\n" + out);
    }
  }
}

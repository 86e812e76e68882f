package org.enlace.server.db;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL cluster's directory and its postmaster: created with initdb, started and stopped
 * with pg_ctl, and found running (or not) from its postmaster.pid. Beside the data directory it
 * keeps the superuser's password, the last port and the pid of the Enlace process that owns the
 * running postmaster.
 */
final class PostgresCluster {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresCluster.class);

  /** The address PostgreSQL listens on (enlace.conf), by its number: no name to resolve. */
  private static final InetAddress LOOPBACK = loopback();

  private final Path clusterDir;
  private final Path dataDir;
  private final Path pgHome;
  private final Optional<RunAs> runAs;

  PostgresCluster(Path clusterDir, Path pgHome, Optional<RunAs> runAs) {
    this.clusterDir = clusterDir;
    this.dataDir = dataDir(clusterDir);
    this.pgHome = pgHome;
    this.runAs = runAs;
  }

  static Path dataDir(Path clusterDir) {
    return clusterDir.resolve("data");
  }

  /** True until initdb has run. */
  static boolean isNew(Path clusterDir) {
    return !Files.exists(dataDir(clusterDir).resolve("PG_VERSION"));
  }

  Path dataDir() {
    return dataDir;
  }

  Optional<RunAs> runAs() {
    return runAs;
  }

  /** Creates the cluster directory, given to the account PostgreSQL runs as when it is new. */
  void createDirectory(boolean fresh) throws IOException {
    Files.createDirectories(clusterDir);
    if (runAs.isPresent()) {
      runAs.get().checkCanReach(clusterDir);
      if (fresh) {
        runAs.get().chown(clusterDir);
      }
    }
  }

  /** Runs initdb with a new random superuser password, and returns that password. */
  String initdb(String superuser) throws IOException {
    Path passwordFile = passwordFile();
    String password = randomPassword();
    writePrivate(passwordFile, password);
    runAs.ifPresent(r -> r.chownQuietly(passwordFile));
    LOG.info("event=embedded_postgres_initdb dataDir={}", dataDir);
    pgCommand(
        Duration.ofMinutes(5),
        "initdb",
        "-D",
        dataDir.toString(),
        "-U",
        superuser,
        "--pwfile=" + passwordFile,
        "-A",
        "scram-sha-256",
        "-E",
        "UTF8",
        "--no-locale",
        "--no-instructions");
    // Settings go in a file of our own, included last, so an operator's edits to
    // postgresql.conf are kept and ours are easy to find.
    Files.writeString(
        dataDir.resolve("postgresql.conf"),
        "\ninclude_if_exists = 'enlace.conf'\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    Files.writeString(
        dataDir.resolve("enlace.conf"),
        """
        # Written by Enlace at initdb. The port is given on the command line at each start.
        listen_addresses = '127.0.0.1'
        unix_socket_directories = ''
        max_connections = 100
        shared_buffers = 256MB
        work_mem = 16MB
        maintenance_work_mem = 128MB
        wal_compression = on
        max_wal_size = 2GB
        checkpoint_timeout = 15min
        log_line_prefix = '%m [%p] %q%u@%d '
        timezone = 'UTC'
        """,
        StandardCharsets.UTF_8);
    runAs.ifPresent(r -> r.chownQuietly(dataDir.resolve("enlace.conf")));
    return password;
  }

  /** The superuser password written at initdb. */
  String password() throws IOException {
    return Files.readString(passwordFile(), StandardCharsets.UTF_8).trim();
  }

  /** The port of a live postmaster for this cluster. */
  Optional<Integer> runningPort() throws IOException {
    return runningPort(dataDir);
  }

  /** The port of a live postmaster for this data directory, from its postmaster.pid. */
  static Optional<Integer> runningPort(Path dataDir) throws IOException {
    return running(dataDir).map(Postmaster::port);
  }

  /** A live postmaster: its process id and port, as its postmaster.pid gives them. */
  record Postmaster(long pid, int port) {}

  /** The live postmaster of this cluster, if any. */
  Optional<Postmaster> running() throws IOException {
    return running(dataDir);
  }

  /** The live postmaster for this data directory, from its postmaster.pid. */
  static Optional<Postmaster> running(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      return Optional.empty(); // removed between the two calls: the postmaster just stopped
    }
    if (lines.size() < 4) {
      return Optional.empty();
    }
    long pid;
    int port;
    try {
      pid = Long.parseLong(lines.get(0).trim());
      port = Integer.parseInt(lines.get(3).trim());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (!isAlive(pid)) {
      // A stale pid file from a power cut or a kill -9: pg_ctl start handles it.
      return Optional.empty();
    }
    return Optional.of(new Postmaster(pid, port));
  }

  /**
   * True while the process runs. A killed process whose parent has not reaped it yet (a zombie)
   * counts as dead: it holds no port, no shared memory and no files.
   */
  static boolean isAlive(long pid) {
    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      return false;
    }
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (!Files.isDirectory(Path.of("/proc/self"))) {
      return true; // no /proc (macOS): ProcessHandle's answer stands
    }
    try {
      // "pid (comm) S ...": the state follows the last parenthesis (comm may hold some).
      String line = Files.readString(stat, StandardCharsets.UTF_8);
      int close = line.lastIndexOf(')');
      return close < 0 || close + 2 >= line.length() || line.charAt(close + 2) != 'Z';
    } catch (IOException e) {
      return false; // it ended between the two looks
    }
  }

  /**
   * For a postmaster that is already running: true when this process takes it over (its owner's JVM
   * was killed, so nobody else will stop it), false when another live Enlace process owns it (a CLI
   * command beside the server).
   */
  boolean adoptIfOrphaned() throws IOException {
    if (ownerAlive()) {
      return false;
    }
    claim();
    return true;
  }

  /** Records this process as the one that stops the postmaster. */
  void claim() throws IOException {
    Files.writeString(ownerFile(), Long.toString(ProcessHandle.current().pid()));
  }

  private boolean ownerAlive() {
    try {
      long pid = Long.parseLong(Files.readString(ownerFile(), StandardCharsets.UTF_8).trim());
      return pid != ProcessHandle.current().pid()
          && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    } catch (IOException | NumberFormatException e) {
      return false;
    }
  }

  /**
   * The requested port, else the port of the last start when it is still free, so that connection
   * pools (and people) that knew it find the server again after a restart, else any free one.
   */
  int choosePort(int requested) throws IOException {
    Path portFile = clusterDir.resolve("last-port");
    int port = requested > 0 ? requested : lastPortIfFree(portFile).orElse(freePort());
    Files.writeString(portFile, Integer.toString(port));
    return port;
  }

  void start(int port) throws IOException {
    pgCommand(
        Duration.ofMinutes(2),
        "pg_ctl",
        "-D",
        dataDir.toString(),
        "-l",
        clusterDir.resolve("postgres.log").toString(),
        "-o",
        "-p " + port,
        "-w",
        "-t",
        "120",
        "start");
    LOG.info(
        "event=embedded_postgres_started dataDir={} port={} runAs={}",
        dataDir,
        port,
        runAs.map(RunAs::name).orElse("self"));
  }

  /** The size of the server's log now (0 when there is none yet). */
  long logSize() {
    try {
      return Files.size(clusterDir.resolve("postgres.log"));
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * The last line of the server's log that says why it stopped or did not start (FATAL or PANIC),
   * e.g. "pre-existing shared memory block ... is still in use"; pg_ctl itself only says "could not
   * start server". Only lines written after {@code since} (a {@link #logSize()}) count.
   */
  Optional<String> lastFatalLogLine(long since) {
    Path log = clusterDir.resolve("postgres.log");
    try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(log.toFile(), "r")) {
      long from = Math.max(Math.min(since, file.length()), file.length() - 16_384);
      byte[] tail = new byte[(int) (file.length() - from)];
      file.seek(from);
      file.readFully(tail);
      String[] lines = new String(tail, StandardCharsets.UTF_8).split("\\R", -1);
      for (int i = lines.length - 1; i >= 0; i--) {
        if (lines[i].contains("FATAL:") || lines[i].contains("PANIC:")) {
          return Optional.of(lines[i].strip());
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Starts the postmaster as a child of this JVM, and returns once it accepts connections (as
   * {@code pg_ctl start -w} judges it: its postmaster.pid names it and says "ready"). The watchdog
   * restarts it this way rather than through pg_ctl, whose postmaster is handed to init: when
   * killed, it stays a zombie until init reaps it, and PostgreSQL refuses to start while the pid in
   * postmaster.pid exists, zombie or not (seconds under a lazy init; forever when the JVM is a
   * container's init). As our child it is reaped by the JVM at once.
   */
  Process startAsChild(int port, Duration timeout) throws IOException {
    List<String> command = new java.util.ArrayList<>();
    runAs.ifPresent(r -> command.addAll(r.prefix()));
    command.addAll(
        List.of(
            pgHome.resolve("bin").resolve("postgres").toString(),
            "-D",
            dataDir.toString(),
            "-p",
            Integer.toString(port)));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(clusterDir.resolve("postgres.log").toFile()));
    pb.environment().put("LC_ALL", "C");
    pb.environment().remove("PGDATA");
    Process postmaster = pb.start();
    long end = System.nanoTime() + timeout.toNanos();
    try {
      while (System.nanoTime() < end) {
        if (!postmaster.isAlive()) {
          throw new IOException("postgres exited with status " + postmaster.exitValue());
        }
        if (isReady(postmaster.pid())) {
          LOG.info(
              "event=embedded_postgres_started dataDir={} port={} runAs={} pid={}",
              dataDir,
              port,
              runAs.map(RunAs::name).orElse("self"),
              postmaster.pid());
          return postmaster;
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    postmaster.destroy(); // SIGTERM: PostgreSQL's smart shutdown
    throw new IOException("postgres did not become ready within " + timeout);
  }

  /** True when postmaster.pid names {@code pid} and its status line says "ready". */
  private boolean isReady(long pid) {
    try {
      List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
      // Line 1: the pid; line 8: the status, "starting", "stopping", "ready" or "standby".
      return lines.size() >= 8
          && lines.get(0).trim().equals(Long.toString(pid))
          && lines.get(7).trim().equals("ready");
    } catch (IOException e) {
      return false; // not written yet
    }
  }

  /** Stops the postmaster; a failure is logged, as there is nothing more to do about it. */
  void stop() {
    try {
      pgCommand(
          Duration.ofMinutes(2),
          "pg_ctl",
          "-D",
          dataDir.toString(),
          "-m",
          "fast",
          "-w",
          "-t",
          "60",
          "stop");
      LOG.info("event=embedded_postgres_stopped dataDir={}", dataDir);
    } catch (IOException e) {
      LOG.warn("event=embedded_postgres_stop_failed dataDir={} error={}", clusterDir, e.toString());
    }
  }

  private void pgCommand(Duration timeout, String program, String... args) throws IOException {
    String[] command = new String[args.length + 1];
    command[0] = pgHome.resolve("bin").resolve(program).toString();
    System.arraycopy(args, 0, command, 1, args.length);
    RunAs.exec(runAs, timeout, command);
  }

  private Path passwordFile() {
    return clusterDir.resolve("superuser-password");
  }

  private Path ownerFile() {
    return clusterDir.resolve("owner.pid");
  }

  private static Optional<Integer> lastPortIfFree(Path portFile) {
    try {
      int port = Integer.parseInt(Files.readString(portFile, StandardCharsets.UTF_8).trim());
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(LOOPBACK, port));
      }
      return Optional.of(port);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(LOOPBACK, 0));
      return s.getLocalPort();
    }
  }

  private static String randomPassword() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static void writePrivate(Path file, String content) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(
        file,
        PosixFilePermissions.asFileAttribute(
            Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new AssertionError("four bytes are always an address", e);
    }
  }
}

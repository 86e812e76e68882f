package org.enlace.server.db;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run from the binaries that ship inside the server jar, with its data
 * directory kept under Enlace's data directory so that data survives restarts.
 *
 * <p>PostgreSQL refuses to run as root. When Enlace itself runs as root (a fresh machine, CI), the
 * PostgreSQL processes are started through {@code setpriv} as an unprivileged account ({@code
 * nobody} unless configured) that owns the cluster directory.
 *
 * <p>If a postmaster for the same data directory is already running (a second {@code enlace-server}
 * command while the server runs, or a server that was killed with {@code kill -9}), it is reused
 * rather than started twice.
 */
public final class EmbeddedPostgres implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
  static final String SUPERUSER = "enlace";
  private static final String DATABASE = "enlace";

  private final Path clusterDir;
  private final Path pgHome;
  private final Optional<RunAs> runAs;
  private final int port;
  private final String password;
  private final boolean startedHere;

  private EmbeddedPostgres(
      Path clusterDir,
      Path pgHome,
      Optional<RunAs> runAs,
      int port,
      String password,
      boolean startedHere) {
    this.clusterDir = clusterDir;
    this.pgHome = pgHome;
    this.runAs = runAs;
    this.port = port;
    this.password = password;
    this.startedHere = startedHere;
  }

  /** Starts (or attaches to) the cluster under {@code baseDir}. */
  public static EmbeddedPostgres start(Path baseDir, int requestedPort, String runAsUser)
      throws IOException {
    requireNonNull(baseDir, "baseDir is null");
    Path base = baseDir.toAbsolutePath().normalize();
    Files.createDirectories(base);
    Path clusterDir = base.resolve("postgres");
    Path dataDir = clusterDir.resolve("data");
    boolean fresh = !Files.exists(dataDir.resolve("PG_VERSION"));
    // As root, an existing cluster keeps running as whoever owns it (the server's own account,
    // when an operator runs a command with sudo); only a new one is given to runAsUser.
    Optional<RunAs> runAs = Optional.empty();
    if (isRoot()) {
      String owner = fresh ? runAsUser : Files.getOwner(dataDir).getName();
      runAs = Optional.of(RunAs.lookup("root".equals(owner) ? runAsUser : owner));
    }
    Path pgHome = unpackBinaries(base.resolve("pgsql"));
    Files.createDirectories(clusterDir);
    Path passwordFile = clusterDir.resolve("superuser-password");

    if (runAs.isPresent()) {
      runAs.get().checkCanReach(clusterDir);
      if (fresh) {
        runAs.get().chown(clusterDir);
      }
    }
    String password;
    if (fresh) {
      password = randomPassword();
      writePrivate(passwordFile, password);
      runAs.ifPresent(r -> r.chownQuietly(passwordFile));
      initdb(pgHome, dataDir, passwordFile, runAs);
    } else {
      password = Files.readString(passwordFile, StandardCharsets.UTF_8).trim();
    }

    Optional<Integer> running = runningPort(dataDir);
    Path ownerFile = clusterDir.resolve("owner.pid");
    if (running.isPresent()) {
      // Another live Enlace process owns it (a CLI command beside the server): use, never stop.
      // No live owner (its JVM was killed): adopt it, and stop it when we are done.
      boolean adopt = !ownerAlive(ownerFile);
      if (adopt) {
        Files.writeString(ownerFile, Long.toString(ProcessHandle.current().pid()));
      }
      LOG.info(
          "event=embedded_postgres_attached dataDir={} port={} adopted={}",
          dataDir,
          running.get(),
          adopt);
      EmbeddedPostgres attached =
          new EmbeddedPostgres(clusterDir, pgHome, runAs, running.get(), password, adopt);
      attached.createDatabase(DATABASE);
      return attached;
    }
    // Keep the port of the last start when it is still free, so that connection pools (and
    // people) that knew it find the server again after a restart.
    Path portFile = clusterDir.resolve("last-port");
    int port = requestedPort > 0 ? requestedPort : lastPortIfFree(portFile).orElse(freePort());
    Files.writeString(portFile, Integer.toString(port));
    Files.writeString(ownerFile, Long.toString(ProcessHandle.current().pid()));
    exec(
        runAs,
        Duration.ofMinutes(2),
        pgHome.resolve("bin/pg_ctl").toString(),
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
    EmbeddedPostgres pg = new EmbeddedPostgres(clusterDir, pgHome, runAs, port, password, true);
    pg.createDatabase(DATABASE);
    return pg;
  }

  /** Creates a database if it does not exist yet (the cluster starts with only "postgres"). */
  public void createDatabase(String name) throws IOException {
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, SUPERUSER, password);
        java.sql.PreparedStatement exists =
            c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, name);
      try (java.sql.ResultSet rs = exists.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
      try (java.sql.Statement create = c.createStatement()) {
        // Identifiers cannot be bound as parameters; the name is checked to be a plain word.
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
          throw new IOException("not a plain database name: " + name);
        }
        create.execute("CREATE DATABASE " + name);
      }
    } catch (java.sql.SQLException e) {
      throw new IOException("could not create database " + name + ": " + e.getMessage(), e);
    }
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  public String user() {
    return SUPERUSER;
  }

  public String password() {
    return password;
  }

  public int port() {
    return port;
  }

  /** Stops the postmaster if this instance started it; an attached one belongs to its starter. */
  @Override
  public void close() {
    if (!startedHere) {
      return;
    }
    stop();
  }

  /** Stops the postmaster regardless of who started it (used by tests that simulate a crash). */
  public void stop() {
    try {
      exec(
          runAs,
          Duration.ofMinutes(2),
          pgHome.resolve("bin/pg_ctl").toString(),
          "-D",
          clusterDir.resolve("data").toString(),
          "-m",
          "fast",
          "-w",
          "-t",
          "60",
          "stop");
      LOG.info("event=embedded_postgres_stopped dataDir={}", clusterDir.resolve("data"));
    } catch (IOException e) {
      LOG.warn("event=embedded_postgres_stop_failed dataDir={} error={}", clusterDir, e.toString());
    }
  }

  private static void initdb(Path pgHome, Path dataDir, Path passwordFile, Optional<RunAs> runAs)
      throws IOException {
    LOG.info("event=embedded_postgres_initdb dataDir={}", dataDir);
    exec(
        runAs,
        Duration.ofMinutes(5),
        pgHome.resolve("bin/initdb").toString(),
        "-D",
        dataDir.toString(),
        "-U",
        SUPERUSER,
        "--pwfile=" + passwordFile,
        "-A",
        "scram-sha-256",
        "-E",
        "UTF8",
        "--no-locale",
        "--no-instructions");
    // Settings go in a file of our own, included last, so an operator's edits to
    // postgresql.conf are kept and ours are easy to find.
    Path conf = dataDir.resolve("postgresql.conf");
    Files.writeString(
        conf,
        "\ninclude_if_exists = 'enlace.conf'\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    Files.writeString(
        dataDir.resolve("enlace.conf"),
        String.join(
            "\n",
            "# Written by Enlace at initdb. The port is given on the command line at each start.",
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''",
            "max_connections = 100",
            "shared_buffers = 256MB",
            "work_mem = 16MB",
            "maintenance_work_mem = 128MB",
            "wal_compression = on",
            "max_wal_size = 2GB",
            "checkpoint_timeout = 15min",
            "log_line_prefix = '%m [%p] %q%u@%d '",
            "timezone = 'UTC'",
            ""),
        StandardCharsets.UTF_8);
    runAs.ifPresent(r -> r.chownQuietly(dataDir.resolve("enlace.conf")));
  }

  private static boolean ownerAlive(Path ownerFile) {
    try {
      long pid = Long.parseLong(Files.readString(ownerFile, StandardCharsets.UTF_8).trim());
      return pid != ProcessHandle.current().pid()
          && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    } catch (IOException | NumberFormatException e) {
      return false;
    }
  }

  /** The port of a live postmaster for this data directory, from its postmaster.pid. */
  static Optional<Integer> runningPort(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
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
    boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    if (!alive) {
      // A stale pid file from a power cut: pg_ctl start handles it.
      return Optional.empty();
    }
    return Optional.of(port);
  }

  private static Path unpackBinaries(Path root) throws IOException {
    String resource = binaryResource();
    // The directory names the binaries' version, so that an upgraded jar unpacks its own.
    Path target = root.resolve(binariesVersion() + "-" + resource.replace(".txz", ""));
    Path marker = target.resolve(".complete");
    if (Files.exists(marker)) {
      return target;
    }
    LOG.info("event=embedded_postgres_unpack resource={} target={}", resource, target);
    Path tmp = Files.createDirectories(root).resolve(".unpack-" + System.nanoTime());
    try (InputStream raw = EmbeddedPostgres.class.getResourceAsStream("/" + resource)) {
      if (raw == null) {
        throw new IOException(
            "No embedded PostgreSQL for this platform ("
                + resource
                + "). Set database.url to an external PostgreSQL.");
      }
      try (TarArchiveInputStream tar =
          new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(raw)))) {
        TarArchiveEntry entry;
        List<TarArchiveEntry> links = new ArrayList<>();
        while ((entry = tar.getNextEntry()) != null) {
          Path out = tmp.resolve(entry.getName()).normalize();
          if (!out.startsWith(tmp)) {
            throw new IOException("Archive entry escapes target: " + entry.getName());
          }
          if (entry.isDirectory()) {
            Files.createDirectories(out);
          } else if (entry.isSymbolicLink()) {
            links.add(entry);
          } else {
            Files.createDirectories(out.getParent());
            Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
            boolean exec = (entry.getMode() & 0100) != 0;
            Files.setPosixFilePermissions(
                out, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
          }
        }
        for (TarArchiveEntry link : links) {
          Path out = tmp.resolve(link.getName());
          Files.createDirectories(out.getParent());
          Files.deleteIfExists(out);
          Files.createSymbolicLink(out, Path.of(link.getLinkName()));
        }
      }
    }
    makeTraversable(tmp);
    Files.createDirectories(target.getParent());
    if (Files.exists(target)) {
      deleteTree(target);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    Files.writeString(marker, resource, StandardCharsets.UTF_8);
    return target;
  }

  private static void makeTraversable(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  static String binariesVersion() {
    try (InputStream in = EmbeddedPostgres.class.getResourceAsStream("/enlace-build.properties")) {
      java.util.Properties p = new java.util.Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("postgres.binaries.version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  static String binaryResource() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String osName = os.contains("mac") ? "darwin" : os.contains("win") ? "windows" : "linux";
    String archName =
        switch (arch) {
          case "amd64", "x86_64" -> "x86_64";
          case "aarch64", "arm64" -> "arm_64";
          default -> arch;
        };
    return "postgres-" + osName + "-" + archName + ".txz";
  }

  private static boolean isRoot() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return Integer.valueOf(0).equals(uid);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static Optional<Integer> lastPortIfFree(Path portFile) {
    try {
      int port = Integer.parseInt(Files.readString(portFile, StandardCharsets.UTF_8).trim());
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress("127.0.0.1", port));
      }
      return Optional.of(port);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
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

  private static String exec(Optional<RunAs> runAs, Duration timeout, String... command)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    runAs.ifPresent(r -> cmd.addAll(r.prefix()));
    cmd.addAll(List.of(command));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("LC_ALL", "C");
    pb.environment().remove("PGDATA");
    Process p = pb.start();
    // pg_ctl start leaves the postmaster running with our pipe as its stdout unless it is closed;
    // the -l log file takes the server's output, so reading to EOF here is safe.
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = in.readAllBytes();
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException("Timed out: " + String.join(" ", cmd));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted: " + String.join(" ", cmd), e);
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(
          "Command failed (exit " + p.exitValue() + "): " + String.join(" ", cmd) + "\n" + text);
    }
    return text;
  }

  /** The unprivileged account PostgreSQL runs as when Enlace runs as root. */
  record RunAs(String name, int uid, int gid) {
    static RunAs lookup(String name) throws IOException {
      if (name == null || name.isBlank()) {
        throw new IOException(
            "Enlace runs as root and database.embedded.runAsUser is empty: "
                + "PostgreSQL cannot run as root.");
      }
      return new RunAs(
          name,
          Integer.parseInt(exec(Optional.empty(), Duration.ofSeconds(10), "id", "-u", name).trim()),
          Integer.parseInt(
              exec(Optional.empty(), Duration.ofSeconds(10), "id", "-g", name).trim()));
    }

    List<String> prefix() {
      return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--");
    }

    void chown(Path path) throws IOException {
      exec(
          Optional.empty(), Duration.ofMinutes(2), "chown", "-R", uid + ":" + gid, path.toString());
    }

    void chownQuietly(Path path) {
      try {
        chown(path);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    /**
     * Fails early, with the fix, when the account cannot reach the data directory: asked of the
     * system as that account, so owner, group and ACLs all count.
     */
    void checkCanReach(Path dir) throws IOException {
      for (Path p = dir.getParent(); p != null; p = p.getParent()) {
        try {
          exec(Optional.of(this), Duration.ofSeconds(10), "test", "-x", p.toString());
        } catch (IOException e) {
          throw new IOException(
              "Enlace runs as root, so its embedded PostgreSQL runs as '"
                  + name
                  + "', which cannot enter "
                  + p
                  + ". Run Enlace as the account that owns the data "
                  + "directory, make "
                  + p
                  + " reachable by '"
                  + name
                  + "', or set database.url.");
        }
      }
    }
  }
}

package org.enlace.server.db;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.OptionalLong;
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
 *
 * <p>If the postmaster dies under a running server, the server's {@link PostmasterWatchdog} starts
 * it again ({@link #restart}); a deliberate {@link #stop} is left alone.
 *
 * <p>The parts: {@link PostgresBinaries} unpacks the distribution, {@link RunAs} is the account
 * PostgreSQL runs as under root, {@link PostgresCluster} is the cluster's directory and postmaster.
 */
public final class EmbeddedPostgres implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
  static final String SUPERUSER = "enlace";
  private static final String DATABASE = "enlace";

  private final PostgresCluster cluster;
  private final int port;
  private final String password;
  private final boolean startedHere;

  /** Set by {@link #stop()}: a deliberate stop, which the {@link PostmasterWatchdog} respects. */
  private volatile boolean stopped;

  /** Set by {@link #restart}: this process started the running postmaster, so it stops it. */
  private volatile boolean restartedHere;

  private EmbeddedPostgres(
      PostgresCluster cluster, int port, String password, boolean startedHere) {
    this.cluster = cluster;
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
    boolean fresh = PostgresCluster.isNew(clusterDir);
    Optional<RunAs> runAs = RunAs.forCluster(PostgresCluster.dataDir(clusterDir), fresh, runAsUser);
    Path pgHome = PostgresBinaries.unpack(base.resolve("pgsql"));
    PostgresCluster cluster = new PostgresCluster(clusterDir, pgHome, runAs);
    cluster.createDirectory(fresh);
    String password = fresh ? cluster.initdb(SUPERUSER) : cluster.password();

    Optional<Integer> running = cluster.runningPort();
    if (running.isPresent()) {
      // Another live Enlace process owns it (a CLI command beside the server): use, never stop.
      // No live owner (its JVM was killed): adopt it, and stop it when we are done.
      boolean adopt = cluster.adoptIfOrphaned();
      LOG.info(
          "event=embedded_postgres_attached dataDir={} port={} adopted={}",
          cluster.dataDir(),
          running.get(),
          adopt);
      EmbeddedPostgres attached = new EmbeddedPostgres(cluster, running.get(), password, adopt);
      attached.createDatabase(DATABASE);
      return attached;
    }
    int port = cluster.choosePort(requestedPort);
    cluster.claim();
    cluster.start(port);
    EmbeddedPostgres pg = new EmbeddedPostgres(cluster, port, password, true);
    pg.createDatabase(DATABASE);
    return pg;
  }

  /** Creates a database if it does not exist yet (the cluster starts with only "postgres"). */
  public void createDatabase(String name) throws IOException {
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    try (Connection c = DriverManager.getConnection(url, SUPERUSER, password);
        PreparedStatement exists =
            c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, name);
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
      try (Statement create = c.createStatement()) {
        // Identifiers cannot be bound as parameters; the name is checked to be a plain word.
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
          throw new IOException("not a plain database name: " + name);
        }
        create.execute("CREATE DATABASE " + name);
      }
    } catch (SQLException e) {
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

  /**
   * Stops the postmaster if this instance started (or restarted) it; an attached one belongs to its
   * starter.
   */
  @Override
  public void close() {
    if (!startedHere && !restartedHere) {
      return;
    }
    stop();
  }

  /**
   * Stops the postmaster regardless of who started it (used by tests that simulate an outage). A
   * deliberate stop: the {@link PostmasterWatchdog} does not start it again.
   */
  public void stop() {
    stopped = true;
    cluster.stop();
  }

  /** True once {@link #stop()} was called. */
  boolean isStopped() {
    return stopped;
  }

  /** The process id of the live postmaster; empty when none runs (it died, or was stopped). */
  public OptionalLong postmasterPid() throws IOException {
    return cluster.running().map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty());
  }

  /**
   * Starts the postmaster again, on the same port (the connection pool knows only that one), after
   * it died. Nothing happens when one is running: PostgreSQL's own lock (postmaster.pid, and its
   * check that no process still uses the old shared memory) refuses a second postmaster, and this
   * checks first. A stale postmaster.pid left by kill -9 is PostgreSQL's to handle: it sees that
   * the pid is gone and starts crash recovery from the WAL.
   *
   * @return the new postmaster's process id
   * @throws IOException when it did not start (e.g. processes of the dead postmaster still hold its
   *     shared memory, or its port is taken); try again later
   */
  synchronized long restart() throws IOException {
    if (stopped) {
      throw new IllegalStateException("stopped on purpose; not restarted");
    }
    Optional<PostgresCluster.Postmaster> live = cluster.running();
    if (live.isPresent()) {
      return live.get().pid();
    }
    cluster.claim();
    long logSize = cluster.logSize();
    try {
      cluster.startAsChild(port, java.time.Duration.ofMinutes(2));
      restartedHere = true;
    } catch (IOException e) {
      throw new IOException(
          "PostgreSQL did not start"
              + cluster.lastFatalLogLine(logSize).map(line -> " (" + line + ")").orElse("")
              + ": "
              + e.getMessage(),
          e);
    }
    return cluster
        .running()
        .orElseThrow(
            () -> new IOException("postgres started but postmaster.pid names no live process"))
        .pid();
  }

  /** The data directory of the cluster, for log lines. */
  Path dataDir() {
    return cluster.dataDir();
  }

  /** The port of a live postmaster for this data directory, from its postmaster.pid. */
  static Optional<Integer> runningPort(Path dataDir) throws IOException {
    return PostgresCluster.runningPort(dataDir);
  }

  /** {@code <baseDir>/postgres}: the cluster directory (data, superuser password, log). */
  public static Path clusterDir(Path baseDir) {
    return baseDir.toAbsolutePath().normalize().resolve("postgres");
  }

  /** {@code <baseDir>/postgres/data}: PostgreSQL's own data directory. */
  public static Path pgDataDir(Path baseDir) {
    return PostgresCluster.dataDir(clusterDir(baseDir));
  }

  /** True once initdb has run under {@code baseDir} (its PG_VERSION exists). */
  public static boolean exists(Path baseDir) {
    return !PostgresCluster.isNew(clusterDir(baseDir));
  }

  /** True while a live postmaster runs on the cluster under {@code baseDir}. */
  public static boolean isRunning(Path baseDir) throws IOException {
    return PostgresCluster.runningPort(pgDataDir(baseDir)).isPresent();
  }

  /** The version of the bundled binaries, e.g. 17.6.0. */
  public static String binariesVersion() {
    return PostgresBinaries.version();
  }

  /**
   * Gives a cluster directory written by this process (a restore) to the account PostgreSQL runs
   * as. Not root: this process's own account already owns it. Root: the owner of the data directory
   * (the service account of a package install, so that the server finds its files as it left them),
   * or {@code runAsUser} when root owns the data directory too.
   */
  public static void handOver(Path baseDir, String runAsUser) throws IOException {
    Path clusterDir = clusterDir(baseDir);
    Optional<RunAs> asRoot = RunAs.forCluster(PostgresCluster.dataDir(clusterDir), true, runAsUser);
    if (asRoot.isPresent()) {
      String owner = Files.getOwner(baseDir.toAbsolutePath().normalize()).getName();
      RunAs runAs = "root".equals(owner) ? asRoot.get() : RunAs.lookup(owner);
      runAs.checkCanReach(clusterDir);
      runAs.chown(clusterDir);
    }
  }
}

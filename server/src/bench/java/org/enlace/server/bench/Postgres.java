package org.enlace.server.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ObjLongConsumer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/** Direct JDBC access to the server's embedded PostgreSQL: checks, ceilings and wait events. */
final class Postgres {
  private final String url;
  private final Properties props = new Properties();

  Postgres(int port, String user, String password) {
    this.url = "jdbc:postgresql://127.0.0.1:" + port + "/enlace";
    props.setProperty("user", user);
    props.setProperty("password", password);
    props.setProperty("ApplicationName", "enlace-bench");
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(url, props);
  }

  String version() throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SHOW server_version")) {
      r.next();
      return r.getString(1);
    }
  }

  Map<String, String> settings(String... names) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      for (String n : names) {
        try (ResultSet r = s.executeQuery("SHOW " + n)) {
          r.next();
          out.put(n, r.getString(1));
        }
      }
    }
    return out;
  }

  long count(String sql) throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** agents.id -> agents.public_id */
  Map<Long, String> agentIds() throws SQLException {
    Map<Long, String> out = new HashMap<>();
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT id, public_id::text FROM agents")) {
      while (r.next()) {
        out.put(r.getLong(1), r.getString(2));
      }
    }
    return out;
  }

  /** Streams every (agent_id, seq) of the observations table. */
  void forEachObservation(ObjLongConsumer<Long> sink) throws SQLException {
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.setFetchSize(50_000);
        try (ResultSet r = s.executeQuery("SELECT agent_id, seq FROM observations")) {
          while (r.next()) {
            sink.accept(r.getLong(1), r.getLong(2));
          }
        }
      }
      c.commit();
    }
  }

  // ---------------------------------------------------------------- wait events

  /**
   * Samples pg_stat_activity every 100 ms: what each non-idle backend of the server (and the WAL
   * writer, checkpointer...) is waiting on. "CPU" means running, not waiting.
   */
  final class WaitSampler implements AutoCloseable {
    private final Map<String, Long> counts = new TreeMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean sampling;
    private long samples;

    WaitSampler() {
      thread = new Thread(this::loop, "pg-wait-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    void begin() {
      synchronized (counts) {
        counts.clear();
        samples = 0;
      }
      sampling = true;
    }

    /** Average number of processes in each (kind, state, wait) over the samples. */
    Map<String, Double> end() {
      sampling = false;
      Map<String, Double> avg = new LinkedHashMap<>();
      synchronized (counts) {
        counts.entrySet().stream()
            .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
            .forEach(e -> avg.put(e.getKey(), samples == 0 ? 0 : e.getValue() / (double) samples));
      }
      return avg;
    }

    private void loop() {
      try (Connection c = connect();
          PreparedStatement ps =
              c.prepareStatement(
                  "SELECT CASE WHEN application_name = "
                      + "'enlace-server' THEN 'server' ELSE backend_type END, coalesce(state, '-'), "
                      + "coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity "
                      + "WHERE pid <> pg_backend_pid() AND coalesce(application_name, '') <> "
                      + "'enlace-bench' AND coalesce(state, '-') <> 'idle' "
                      + "AND backend_type NOT IN ('autovacuum launcher', 'logical replication launcher')")) {
        while (!stop.get()) {
          if (sampling) {
            List<String> keys = new ArrayList<>();
            try (ResultSet r = ps.executeQuery()) {
              while (r.next()) {
                keys.add(r.getString(1) + " | " + r.getString(2) + " | " + r.getString(3));
              }
            }
            synchronized (counts) {
              samples++;
              for (String k : keys) {
                counts.merge(k, 1L, Long::sum);
              }
            }
          }
          Thread.sleep(100);
        }
      } catch (SQLException | InterruptedException e) {
        if (!stop.get()) {
          System.err.println("wait sampler stopped: " + e);
        }
      }
    }

    @Override
    public void close() {
      stop.set(true);
      thread.interrupt();
    }
  }

  // ---------------------------------------------------------------- ceilings

  record CopyResult(long rows, double seconds, long bytes) {
    double rowsPerSecond() {
      return rows / seconds;
    }
  }

  /**
   * COPY of rows taken from the observations table (as the server stored them) into a scratch copy
   * of it (same columns, checks and indexes, not partitioned), one transaction, timed from the
   * first byte sent to the commit.
   */
  CopyResult copyCeiling(int maxRows) throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS bench_copy_observations");
      s.execute("CREATE TABLE bench_copy_observations (LIKE observations INCLUDING ALL)");
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      ByteArrayOutputStream obs = new ByteArrayOutputStream(maxRows * 400);
      long rows =
          copy.copyOut("COPY (SELECT * FROM observations LIMIT " + maxRows + ") TO STDOUT", obs);
      byte[] obsBytes = obs.toByteArray();
      obs = null;
      s.execute("CHECKPOINT"); // start from a clean WAL position, as a fresh load would
      c.setAutoCommit(false);
      long t0 = System.nanoTime();
      copy.copyIn("COPY bench_copy_observations FROM STDIN", new ByteArrayInputStream(obsBytes));
      c.commit();
      double secs = (System.nanoTime() - t0) / 1e9;
      c.setAutoCommit(true);
      s.execute("DROP TABLE bench_copy_observations");
      return new CopyResult(rows, secs, obsBytes.length);
    }
  }

  record CommitResult(long rows, double seconds, int connections) {
    double rowsPerSecond() {
      return rows / seconds;
    }
  }

  /**
   * Single-row INSERT + COMMIT (autocommit) from {@code connections} connections for {@code
   * seconds}, into a scratch copy of the observations table with its index ({@code latencies}: a
   * real[] literal such as {@code {20.4}}).
   */
  CommitResult singleRowCommits(int connections, int seconds, String latencies) throws Exception {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS bench_single_observations");
      s.execute("CREATE TABLE bench_single_observations (LIKE observations INCLUDING ALL)");
    }
    LongAdder rows = new LongAdder();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    List<Connection> conns = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      conns.add(connect());
    }
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    for (int i = 0; i < connections; i++) {
      final int id = i;
      final Connection c = conns.get(i);
      Thread t =
          new Thread(
              () -> {
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "INSERT INTO bench_single_observations "
                            + "(observed_at, received_at, establishment_id, computer_id, agent_id, "
                            + "seq, clock_offset_ms, status, time_source, latency_ms) "
                            + "VALUES (now(), now(), ?, ?, ?, ?, 0, 0, 0, CAST(? AS real[]))")) {
                  long seq = 0;
                  while (System.nanoTime() < end) {
                    ps.setLong(1, 1 + id % 8);
                    ps.setLong(2, id + 1);
                    ps.setLong(3, id + 1);
                    ps.setLong(4, ++seq);
                    ps.setString(5, latencies);
                    ps.executeUpdate();
                    rows.increment();
                  }
                } catch (Throwable e) {
                  errors.add(e);
                }
              },
              "pg-single-" + i);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    for (Connection c : conns) {
      c.close();
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException("single-row commits failed", errors.get(0));
    }
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE bench_single_observations");
    }
    return new CommitResult(rows.sum(), secs, connections);
  }
}

package org.enlace.server.ingest;

import static java.util.Objects.requireNonNull;

import io.dropwizard.lifecycle.Managed;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.enrollment.AgentPrincipal;
import org.enlace.server.rollup.PendingObservations;
import org.enlace.server.rollup.RollupDao;
import org.enlace.server.speedtest.SpeedTestDao;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for reports. Request threads hand their validated observations to a queue and wait;
 * a writer thread takes everything queued (up to {@code maxRowsPerCommit}), stores it in one
 * transaction and only then completes each request's future. PostgreSQL commits a few thousand
 * transactions a second; sharing one commit among many requests is what lets the server acknowledge
 * more requests than that, and no request is acknowledged before its commit.
 */
public final class ObservationWriter implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(ObservationWriter.class);

  /** One report waiting for its commit. */
  record Pending(
      AgentPrincipal agent,
      Instant receivedAt,
      ParsedReport report,
      Optional<String> agentVersion,
      CompletableFuture<Set<Long>> stored) {}

  private final Jdbi jdbi;
  private final IngestConfig config;
  private final IngestMetrics metrics;
  private final LocalMinutes minutes;
  private final BlockingQueue<Pending> queue;
  private final Set<LocalDate> partitions = ConcurrentHashMap.newKeySet();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  public ObservationWriter(
      Jdbi jdbi, IngestConfig config, IngestMetrics metrics, LocalMinutes minutes) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.minutes = requireNonNull(minutes, "minutes is null");
    this.config = requireNonNull(config, "config is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.queue = new ArrayBlockingQueue<>(config.getMaxQueuedReports());
    metrics.queueDepth(queue::size);
  }

  /** Queues a report; the future completes with the sequences newly stored, after the commit. */
  public CompletableFuture<Set<Long>> submit(
      AgentPrincipal agent,
      Instant receivedAt,
      ParsedReport report,
      Optional<String> agentVersion) {
    CompletableFuture<Set<Long>> f = new CompletableFuture<>();
    if (!running || !queue.offer(new Pending(agent, receivedAt, report, agentVersion, f))) {
      f.completeExceptionally(new Overloaded());
    }
    return f;
  }

  @Override
  public void start() {
    LocalDate thisMonth = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
    for (int i = -1; i <= 2; i++) {
      ensurePartition(thisMonth.plusMonths(i));
    }
    running = true;
    for (int i = 0; i < config.getWriterThreads(); i++) {
      Thread t = new Thread(this::loop, "ingest-writer-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
  }

  /** Drains what is queued, then stops; nothing queued is left unanswered. */
  @Override
  public void stop() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(30));
    }
    Pending p;
    while ((p = queue.poll()) != null) {
      p.stored().completeExceptionally(new Overloaded());
    }
  }

  private void loop() {
    List<Pending> group = new ArrayList<>();
    @Nullable Session session = null;
    try {
      while (running || !queue.isEmpty()) {
        try {
          Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          group.clear();
          group.add(first);
          int rows = first.report().observations().size();
          Pending next;
          while (rows < config.getMaxRowsPerCommit() && (next = queue.poll()) != null) {
            group.add(next);
            rows += next.report().observations().size();
          }
          session = commit(session == null ? new Session(jdbi) : session, group);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (RuntimeException e) {
          // Opening the session failed (the database is down): answer, wait, try again.
          failed(group, e);
          sleepQuietly();
        }
      }
    } finally {
      if (session != null) {
        session.close();
      }
    }
  }

  /**
   * Stores the group and answers its requests. Returns the session to use next, or null when this
   * one failed: its connection may be the one that broke, so the next commit opens another.
   */
  private @Nullable Session commit(Session session, List<Pending> group) {
    long start = System.nanoTime();
    try {
      Map<Pending, Set<Long>> stored = writeWithRetry(session, group);
      metrics.commit(
          System.nanoTime() - start,
          group.size(),
          group.stream().mapToInt(p -> p.report().observations().size()).sum());
      for (Pending p : group) {
        p.stored().complete(stored.getOrDefault(p, Set.of()));
      }
      return session;
    } catch (RuntimeException e) {
      session.close();
      failed(group, e);
      return null;
    }
  }

  private void failed(List<Pending> group, RuntimeException e) {
    metrics.commitFailed();
    LOG.error(
        "event=ingest_commit_failed reports={} error=\"{}\" "
            + "effect=\"nothing from these reports was acknowledged; agents will resend\"",
        group.size(),
        e.toString());
    for (Pending p : group) {
      p.stored().completeExceptionally(e);
    }
  }

  private void sleepQuietly() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A writer thread's own handle, with its DAOs attached once. Attaching them for every commit made
   * Jdbi rebuild their metadata each time: about a tenth of the server's CPU at 7,000 reports/s
   * (docs/performance.md, run 9).
   */
  private static final class Session implements AutoCloseable {
    final org.jdbi.v3.core.Handle handle;
    final ObservationDao observations;
    final RollupDao rollups;
    final SpeedTestDao speedTests;

    Session(Jdbi jdbi) {
      handle = jdbi.open();
      observations = handle.attach(ObservationDao.class);
      rollups = handle.attach(RollupDao.class);
      speedTests = handle.attach(SpeedTestDao.class);
    }

    @Override
    public void close() {
      try {
        handle.close();
      } catch (RuntimeException e) {
        LOG.debug("event=ingest_session_close_failed error=\"{}\"", e.toString());
      }
    }
  }

  private Map<Pending, Set<Long>> writeWithRetry(Session session, List<Pending> group) {
    for (int attempt = 1; ; attempt++) {
      try {
        return write(session, group);
      } catch (UnableToExecuteStatementException e) {
        String state = e.getCause() instanceof SQLException s ? s.getSQLState() : "";
        boolean retryable = "40P01".equals(state) || "40001".equals(state);
        if (!retryable || attempt >= 3) {
          throw e;
        }
        LOG.info("event=ingest_commit_retry attempt={} sqlState={}", attempt, state);
      }
    }
  }

  private Map<Pending, Set<Long>> write(Session session, List<Pending> group) {
    // Within one commit an (agent, seq) goes in once; later copies count as duplicates.
    Map<Long, Set<Long>> claimed = new HashMap<>();
    List<Row> rows = new ArrayList<>();
    for (Pending p : group) {
      Set<Long> seqs = claimed.computeIfAbsent(p.agent().agentId(), k -> new HashSet<>());
      for (Observation o : p.report().observations()) {
        if (seqs.add(o.seq())) {
          rows.add(new Row(p, o));
        }
      }
    }
    rows.sort(
        Comparator.<Row>comparingLong(r -> r.owner().agent().agentId())
            .thenComparingLong(r -> r.observation().seq()));
    for (Row r : rows) {
      LocalDate month =
          r.observation().observedAt().atOffset(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1);
      if (!partitions.contains(month)) {
        ensurePartition(month);
      }
    }
    long[] agents = claimed.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
    ComputerUpdates updates = ComputerUpdates.of(group);
    return session.handle.inTransaction(
        h -> {
          ObservationDao dao = session.observations;
          // Computers before agents, each in id order: no two writers wait on each other in a
          // cycle.
          dao.lockComputers(updates.ids);
          dao.lockAgents(agents);
          List<Row> stored = ObservationStore.store(h, dao, rows);
          dao.updateComputers(
              updates.ids,
              updates.seenMs,
              updates.offsets,
              updates.dropped,
              updates.observedMs,
              updates.statuses,
              updates.reasons,
              updates.versions,
              updates.queueDepths,
              updates.queueOldestMs,
              updates.queueReportedMs);
          // Keyed by identity: a record's hashCode would hash the whole report once per row.
          IdentityHashMap<Pending, Set<Long>> result = new IdentityHashMap<>();
          // Rollups take exactly the rows stored now, in this transaction: a retransmission adds
          // nothing, and nothing stored is missing from them. The maintainer merges them later.
          PendingObservations pending = new PendingObservations(stored.size());
          List<Row> withSpeedTest = new ArrayList<>();
          for (Row r : stored) {
            Observation o = r.observation();
            result.computeIfAbsent(r.owner(), k -> new HashSet<>()).add(o.seq());
            pending.add(
                r.agent().establishmentId(),
                r.agent().computerId(),
                o.observedAt(),
                o.status(),
                o.latencyMs());
            if (o.speedTest().isPresent()) {
              withSpeedTest.add(r);
            }
          }
          pending.store(session.rollups);
          if (!withSpeedTest.isEmpty()) {
            storeSpeedTests(session.speedTests, withSpeedTest);
          }
          return result;
        });
  }

  private record Row(Pending owner, Observation observation) implements ObservationStore.Item {
    @Override
    public AgentPrincipal agent() {
      return owner.agent();
    }

    @Override
    public Instant receivedAt() {
      return owner.receivedAt();
    }
  }

  private void storeSpeedTests(SpeedTestDao dao, List<Row> rows) {
    int n = rows.size();
    long[] e = new long[n];
    long[] c = new long[n];
    long[] a = new long[n];
    long[] s = new long[n];
    long[] t = new long[n];
    String[] days = new String[n];
    String[] methods = new String[n];
    Double[] down = new Double[n];
    Double[] up = new Double[n];
    Double[] latency = new Double[n];
    String[] testIds = new String[n];
    Double[] loaded = new Double[n];
    String[] errors = new String[n];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      Observation.SpeedTest test = r.observation().speedTest().orElseThrow();
      e[i] = r.agent().establishmentId();
      c[i] = r.agent().computerId();
      a[i] = r.agent().agentId();
      s[i] = r.observation().seq();
      t[i] = r.observation().observedAt().toEpochMilli();
      days[i] = minutes.slot(r.observation().observedAt()).day().toString();
      methods[i] = test.method();
      down[i] = test.downMbps().orElse(null);
      up[i] = test.upMbps().orElse(null);
      latency[i] = test.latencyMs().orElse(null);
      testIds[i] = test.testId().map(Object::toString).orElse(null);
      loaded[i] = test.latencyLoadedMs().orElse(null);
      errors[i] = test.error().orElse(null);
    }
    dao.insertSpeedTests(e, c, a, s, t, days, methods, down, up, latency, testIds, loaded, errors);
  }

  private synchronized void ensurePartition(LocalDate month) {
    if (partitions.contains(month)) {
      return;
    }
    jdbi.useHandle(h -> h.attach(ObservationDao.class).ensurePartition(month));
    partitions.add(month);
  }

  /** Per computer in a group: last report time, newest observation, clock, drops and queue. */
  private static final class ComputerUpdates {
    final long[] ids;
    final long[] seenMs;
    final Long[] offsets;
    final long[] dropped;
    final Long[] observedMs;
    final String[] statuses;
    final String[] reasons;
    final String[] versions;

    /** From the newest report of the computer that carried a queue; null when none did. */
    final Long[] queueDepths;

    final Long[] queueOldestMs;
    final Long[] queueReportedMs;

    private ComputerUpdates(int n) {
      ids = new long[n];
      seenMs = new long[n];
      offsets = new Long[n];
      dropped = new long[n];
      observedMs = new Long[n];
      statuses = new String[n];
      reasons = new String[n];
      versions = new String[n];
      queueDepths = new Long[n];
      queueOldestMs = new Long[n];
      queueReportedMs = new Long[n];
    }

    static ComputerUpdates of(List<Pending> group) {
      Map<Long, List<Pending>> byComputer = new HashMap<>();
      for (Pending p : group) {
        byComputer.computeIfAbsent(p.agent().computerId(), k -> new ArrayList<>()).add(p);
      }
      List<Map.Entry<Long, List<Pending>>> computers = new ArrayList<>(byComputer.entrySet());
      computers.sort(Map.Entry.comparingByKey());
      int n = computers.size();
      ComputerUpdates u = new ComputerUpdates(n);
      for (int i = 0; i < n; i++) {
        u.ids[i] = computers.get(i).getKey();
        @Nullable Observation newest = null;
        for (Pending p : computers.get(i).getValue()) {
          if (p.receivedAt().toEpochMilli() >= u.seenMs[i]) {
            u.seenMs[i] = p.receivedAt().toEpochMilli();
            u.offsets[i] = p.report().clockOffsetEstimateMs().orElse(u.offsets[i]);
            u.versions[i] = p.agentVersion().orElse(u.versions[i]);
          }
          u.dropped[i] = Math.max(u.dropped[i], p.report().droppedObservations());
          if (p.report().queue().isPresent()
              && (u.queueReportedMs[i] == null
                  || p.receivedAt().toEpochMilli() >= u.queueReportedMs[i])) {
            ParsedReport.Queue q = p.report().queue().get();
            u.queueDepths[i] = q.depth();
            u.queueOldestMs[i] = q.oldestAt().map(Instant::toEpochMilli).orElse(null);
            u.queueReportedMs[i] = p.receivedAt().toEpochMilli();
          }
          for (Observation o : p.report().observations()) {
            if (newest == null || o.observedAt().isAfter(newest.observedAt())) {
              newest = o;
            }
          }
        }
        if (newest != null) {
          u.observedMs[i] = newest.observedAt().toEpochMilli();
          u.statuses[i] = newest.status();
          u.reasons[i] = newest.reason();
        }
      }
      return u;
    }
  }

  /** The queue is full or the server is stopping: the agent should retry later. */
  public static final class Overloaded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Overloaded() {
      super("ingest queue full", null, false, false);
    }
  }
}

package org.enlace.server.ingest;

import static java.util.Objects.requireNonNull;

import io.dropwizard.lifecycle.Managed;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
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
 *
 * <p>A commit that fails because the database is unavailable fails its reports (503: the agents
 * resend). One that fails for anything else is split ({@link #isolate}) until the reports, and
 * within a report the observations, that the database refuses are found: only those are refused,
 * and every other report of the group is stored and answered as if nothing had happened. A poisoned
 * report used to fail every report that shared its commit (issue 17).
 */
public final class ObservationWriter implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(ObservationWriter.class);

  /** One report waiting for its commit. */
  record Pending(
      AgentPrincipal agent,
      Instant receivedAt,
      ParsedReport report,
      Optional<String> agentVersion,
      CompletableFuture<Stored> stored) {}

  /**
   * What the commit did with a report: the sequences it newly stored, and the observations the
   * database refused (reason {@code rejected_by_database}; usually none).
   */
  public record Stored(Set<Long> seqs, List<Rejection> rejected) {}

  /** A report, or some of its observations, to write in one transaction. */
  private record Part(Pending owner, List<Observation> observations) {
    static List<Part> whole(List<Pending> group) {
      List<Part> parts = new ArrayList<>(group.size());
      for (Pending p : group) {
        parts.add(new Part(p, p.report().observations()));
      }
      return parts;
    }
  }

  private final Jdbi jdbi;
  private final IngestConfig config;
  private final IngestMetrics metrics;
  private final LocalMinutes minutes;
  private final BlockingQueue<Pending> queue;
  private final Set<LocalDate> partitions = ConcurrentHashMap.newKeySet();
  private final Set<LocalDate> detailPartitions = ConcurrentHashMap.newKeySet();
  private final Duration detailRetention;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  public ObservationWriter(
      Jdbi jdbi, IngestConfig config, IngestMetrics metrics, LocalMinutes minutes) {
    this(jdbi, config, metrics, minutes, Duration.ofDays(31));
  }

  /**
   * {@code detailRetention}: the details (reason, checks, interface counters) of observations older
   * than this are not stored; their daily partitions are dropped (rollups.detailRetention).
   */
  public ObservationWriter(
      Jdbi jdbi,
      IngestConfig config,
      IngestMetrics metrics,
      LocalMinutes minutes,
      Duration detailRetention) {
    this.detailRetention = requireNonNull(detailRetention, "detailRetention is null");
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.minutes = requireNonNull(minutes, "minutes is null");
    this.config = requireNonNull(config, "config is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.queue = new ArrayBlockingQueue<>(config.getMaxQueuedReports());
    metrics.queueDepth(queue::size);
  }

  /**
   * Queues a report; the future completes after the commit with what was stored, or exceptionally:
   * {@link Overloaded}, {@link RefusedByDatabase}, or the database's exception (unavailable).
   */
  public CompletableFuture<Stored> submit(
      AgentPrincipal agent,
      Instant receivedAt,
      ParsedReport report,
      Optional<String> agentVersion) {
    CompletableFuture<Stored> f = new CompletableFuture<>();
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
    List<Part> parts = Part.whole(group);
    try {
      Map<Pending, Set<Long>> stored = writeWithRetry(session, parts);
      metrics.commit(
          System.nanoTime() - start,
          group.size(),
          group.stream().mapToInt(p -> p.report().observations().size()).sum(),
          computers(parts));
      for (Pending p : group) {
        p.stored().complete(new Stored(stored.getOrDefault(p, Set.of()), List.of()));
      }
      session.committed = true;
      return session;
    } catch (RuntimeException e) {
      if (CommitFault.unavailable(e)) {
        session.close();
        if (session.committed) {
          // A connection kept across a database restart is dead although the database may be back:
          // one more try on a new connection before the group is answered 503 (stored_seqs makes a
          // commit that did land count as duplicates, never twice).
          Session fresh;
          try {
            fresh = new Session(jdbi);
          } catch (RuntimeException down) {
            failed(group, down);
            return null;
          }
          return commit(fresh, group);
        }
        failed(group, e);
        return null;
      }
      metrics.commitIsolated();
      LOG.warn(
          "event=ingest_commit_isolating reports={} computers={} sqlState={} error=\"{}\" "
              + "effect=\"the group is split and committed again; only what the database refuses "
              + "is refused\"",
          group.size(),
          computers(parts),
          CommitFault.sqlState(e),
          oneLine(e));
      return isolate(session, group, parts, e);
    }
  }

  private static int computers(List<Part> parts) {
    Set<Long> ids = new HashSet<>();
    for (Part p : parts) {
      ids.add(p.owner().agent().computerId());
    }
    return ids.size();
  }

  /** What isolation found out about one report of the group. */
  private static final class Outcome {
    final Set<Long> seqs = new HashSet<>();
    final List<Rejection> rejected = new ArrayList<>();

    /** The report without its observations was committed on its own (or refused). */
    boolean reportChecked;

    /** Not the data's fault: answered 503, nothing acknowledged, the agent resends. */
    @Nullable RuntimeException failed;

    /** The report's own fields were refused: 422, nothing acknowledged. */
    @Nullable RuntimeException refused;

    boolean open() {
      return failed == null && refused == null;
    }
  }

  /**
   * Finds what the database refuses in a group whose commit failed with {@code first}, not for want
   * of a database: the group is halved until each failing piece is one report; that report is first
   * committed without its observations (a failure there is its own fields': the report is refused,
   * 422), then its observations are halved until each failing one is alone, and refused with reason
   * {@code rejected_by_database}. Every piece that commits is stored for good, in its own
   * transaction; exactly-once holds as in any commit, since each one reads {@code stored_seqs}
   * under the agents' locks. With one poisoned observation in a group of n reports this costs about
   * 2·log2(n) more commits. The database going away meanwhile fails the reports not yet settled
   * (503), as in {@link #commit}. Returns the session to use next, or null.
   */
  private @Nullable Session isolate(
      Session session, List<Pending> group, List<Part> parts, RuntimeException first) {
    IdentityHashMap<Pending, Outcome> out = new IdentityHashMap<>();
    for (Pending p : group) {
      out.put(p, new Outcome());
    }
    Deque<List<Part>> work = new ArrayDeque<>();
    divide(parts, first, work, out);
    @Nullable Session next = session;
    while (!work.isEmpty()) {
      List<Part> chunk = new ArrayList<>();
      for (Part p : work.pop()) {
        if (outcome(out, p.owner()).open()) {
          chunk.add(p);
        }
      }
      if (chunk.isEmpty()) {
        continue;
      }
      try {
        for (Entry<Pending, Set<Long>> e : writeWithRetry(session, chunk).entrySet()) {
          outcome(out, e.getKey()).seqs.addAll(e.getValue());
        }
      } catch (RuntimeException e) {
        if (CommitFault.unavailable(e)) {
          LOG.error(
              "event=ingest_commit_failed phase=isolation error=\"{}\" "
                  + "effect=\"reports not yet stored were answered 503; agents will resend\"",
              oneLine(e));
          metrics.commitFailed();
          chunk.forEach(p -> outcome(out, p.owner()).failed = e);
          work.forEach(c -> c.forEach(p -> outcome(out, p.owner()).failed = e));
          work.clear();
          session.close();
          next = null;
          break;
        }
        divide(chunk, e, work, out);
      }
    }
    for (Pending p : group) {
      Outcome o = outcome(out, p);
      if (o.failed != null) {
        p.stored().completeExceptionally(o.failed);
      } else if (o.refused != null) {
        p.stored().completeExceptionally(new RefusedByDatabase(CommitFault.sqlState(o.refused)));
      } else {
        metrics.isolatedReport(o.rejected.isEmpty() ? "stored" : "partly_rejected");
        p.stored().complete(new Stored(o.seqs, o.rejected));
      }
    }
    return next;
  }

  /** The next pieces to try after {@code chunk} failed with {@code e} (see {@link #isolate}). */
  private void divide(
      List<Part> chunk, RuntimeException e, Deque<List<Part>> work, Map<Pending, Outcome> out) {
    if (chunk.size() > 1) {
      int half = chunk.size() / 2;
      work.push(chunk.subList(half, chunk.size()));
      work.push(chunk.subList(0, half));
      return;
    }
    Part part = chunk.get(0);
    Pending owner = part.owner();
    Outcome o = outcome(out, owner);
    String state = CommitFault.sqlState(e);
    if (!CommitFault.dataFault(e)) {
      LOG.error(
          "event=report_commit_failed agent={} sqlState={} error=\"{}\" "
              + "effect=\"answered 503, nothing acknowledged; the agent will resend\"",
          owner.agent().publicId(),
          state,
          oneLine(e));
      metrics.isolatedReport("failed");
      o.failed = e;
      return;
    }
    List<Observation> obs = part.observations();
    if (!o.reportChecked) {
      o.reportChecked = true;
      // LIFO: the report without observations is committed first, then the observations again.
      if (obs.size() > 1) {
        pushHalves(owner, obs, work);
      } else if (obs.size() == 1) {
        work.push(List.of(part));
      }
      work.push(List.of(new Part(owner, List.of())));
      return;
    }
    if (obs.isEmpty()) {
      LOG.warn(
          "event=report_rejected_by_database agent={} sqlState={} error=\"{}\" "
              + "effect=\"answered 422, nothing from this report acknowledged\"",
          owner.agent().publicId(),
          state,
          oneLine(e));
      metrics.isolatedReport("refused");
      o.refused = e;
    } else if (obs.size() == 1) {
      Observation bad = obs.get(0);
      LOG.warn(
          "event=observation_rejected_by_database agent={} seq={} index={} sqlState={} "
              + "error=\"{}\" effect=\"rejected; the rest of the report is stored\"",
          owner.agent().publicId(),
          bad.seq(),
          bad.index(),
          state,
          oneLine(e));
      o.rejected.add(
          new Rejection(
              bad.index(),
              Optional.of(bad.seq()),
              "rejected_by_database",
              "observations[" + bad.index() + "]",
              "the database refused to store it (SQLState "
                  + state
                  + "); the server log has the details"));
    } else {
      pushHalves(owner, obs, work);
    }
  }

  private static Outcome outcome(Map<Pending, Outcome> out, Pending p) {
    return requireNonNull(out.get(p), "not of this group");
  }

  private static void pushHalves(Pending owner, List<Observation> obs, Deque<List<Part>> work) {
    int half = obs.size() / 2;
    work.push(List.of(new Part(owner, obs.subList(half, obs.size()))));
    work.push(List.of(new Part(owner, obs.subList(0, half))));
  }

  /** An exception's text on one line, without the data PostgreSQL may quote in its detail. */
  private static String oneLine(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t != t.getCause()) {
      t = t.getCause();
    }
    String m = t.getClass().getSimpleName() + ": " + t.getMessage();
    int detail = m.indexOf("\n");
    return (detail < 0 ? m : m.substring(0, detail)).replace('"', '\'');
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

    /** Whether a commit went through on this handle: a failure then may be a stale connection. */
    boolean committed;

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

  private Map<Pending, Set<Long>> writeWithRetry(Session session, List<Part> group) {
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

  private Map<Pending, Set<Long>> write(Session session, List<Part> group) {
    // Within one commit an (agent, seq) goes in once; later copies count as duplicates.
    Map<Long, Set<Long>> claimed = new HashMap<>();
    List<Row> rows = new ArrayList<>();
    for (Part part : group) {
      Pending p = part.owner();
      Set<Long> seqs = claimed.computeIfAbsent(p.agent().agentId(), k -> new HashSet<>());
      for (Observation o : part.observations()) {
        if (seqs.add(o.seq())) {
          rows.add(new Row(p, o));
        }
      }
    }
    rows.sort(
        Comparator.<Row>comparingLong(r -> r.owner().agent().agentId())
            .thenComparingLong(r -> r.observation().seq()));
    // A day's margin inside the retention: the retention job never drops the partition of a detail
    // written now, even with its clock a little ahead of this one.
    Instant detailsFrom = Instant.now().minus(detailRetention).plus(Duration.ofDays(1));
    for (Row r : rows) {
      LocalDate day = r.observation().observedAt().atOffset(ZoneOffset.UTC).toLocalDate();
      LocalDate month = day.withDayOfMonth(1);
      if (!partitions.contains(month)) {
        ensurePartition(month);
      }
      if (!detailPartitions.contains(day) && !r.observation().observedAt().isBefore(detailsFrom)) {
        ensureDetailPartition(day, detailsFrom);
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
          List<Row> stored = ObservationStore.store(h, dao, rows, detailsFrom);
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
    String[] raws = new String[n];
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
      raws[i] = r.observation().speedTestJson().orElse(null);
    }
    dao.insertSpeedTests(
        e, c, a, s, t, days, methods, down, up, latency, testIds, loaded, errors, raws);
  }

  /** Creates the day's details partition; forgets the days that have left the retention. */
  private synchronized void ensureDetailPartition(LocalDate day, Instant detailsFrom) {
    if (detailPartitions.contains(day)) {
      return;
    }
    LocalDate oldest = detailsFrom.atOffset(ZoneOffset.UTC).toLocalDate();
    detailPartitions.removeIf(d -> d.isBefore(oldest));
    jdbi.useHandle(h -> h.attach(ObservationDao.class).ensureDetailPartition(day));
    detailPartitions.add(day);
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

    static ComputerUpdates of(List<Part> group) {
      Map<Long, List<Part>> byComputer = new HashMap<>();
      for (Part p : group) {
        byComputer.computeIfAbsent(p.owner().agent().computerId(), k -> new ArrayList<>()).add(p);
      }
      List<Map.Entry<Long, List<Part>>> computers = new ArrayList<>(byComputer.entrySet());
      computers.sort(Map.Entry.comparingByKey());
      int n = computers.size();
      ComputerUpdates u = new ComputerUpdates(n);
      for (int i = 0; i < n; i++) {
        u.ids[i] = computers.get(i).getKey();
        @Nullable Observation newest = null;
        for (Part part : computers.get(i).getValue()) {
          Pending p = part.owner();
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
          for (Observation o : part.observations()) {
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

  /**
   * The database refused the report's own fields (not one of its observations), in a commit of its
   * own: it is answered 422 {@code rejected_by_database}, nothing acknowledged.
   */
  public static final class RefusedByDatabase extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final @Nullable String sqlState;

    RefusedByDatabase(@Nullable String sqlState) {
      super("refused by the database (SQLState " + sqlState + ")", null, false, false);
      this.sqlState = sqlState;
    }

    public @Nullable String sqlState() {
      return sqlState;
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

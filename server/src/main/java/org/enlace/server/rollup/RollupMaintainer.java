package org.enlace.server.rollup;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.lifecycle.Managed;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.ToLongFunction;
import org.enlace.server.domain.LatencyHistogram;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.domain.OpeningHours;
import org.enlace.server.domain.OpeningMask;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recomputes the establishment-days that ingest marked dirty: per-computer minutes with the hold,
 * the establishment's figures inside its opening hours, its outage segments, and the computers'
 * online days per month. Each batch of markers is taken and recomputed in one transaction, so a
 * crash leaves the markers in place and a concurrent ingest leaves a new marker behind.
 */
public final class RollupMaintainer implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(RollupMaintainer.class);

  /** Observations merged per transaction. */
  private static final int PENDING_BATCH = 20_000;

  /** First key of the advisory locks on establishments (ASCII "Rlup"). */
  private static final int ADVISORY_SPACE = 0x526c7570;

  private final Jdbi jdbi;
  private final RollupConfig config;
  private final LocalMinutes minutes;
  private final ObjectMapper json;
  private final Timer batchTimer;
  private final Counter daysRecomputed;
  private final Counter observationsMerged;
  private final BooleanSupplier mayExpire;
  private @Nullable ScheduledExecutorService executor; // from start() on

  public RollupMaintainer(
      Jdbi jdbi,
      RollupConfig config,
      LocalMinutes minutes,
      ObjectMapper json,
      MeterRegistry meters) {
    this(jdbi, config, minutes, json, meters, () -> true);
  }

  /**
   * With several replicas, {@code mayExpire} says whether this one applies the raw retention; the
   * merges and recomputations run on every replica (see {@link #batch}).
   */
  public RollupMaintainer(
      Jdbi jdbi,
      RollupConfig config,
      LocalMinutes minutes,
      ObjectMapper json,
      MeterRegistry meters,
      BooleanSupplier mayExpire) {
    this.mayExpire = mayExpire;
    this.jdbi = jdbi;
    this.config = config;
    this.minutes = minutes;
    this.json = json;
    this.batchTimer =
        Timer.builder("enlace.rollup.batch")
            .description("Time to recompute one batch of establishment-days")
            .register(meters);
    this.daysRecomputed =
        Counter.builder("enlace.rollup.establishment.days")
            .description("Establishment-days recomputed")
            .register(meters);
    this.observationsMerged =
        Counter.builder("enlace.rollup.observations.merged")
            .description("Observations merged into computer-days")
            .register(meters);
    meters.gauge("enlace.rollup.dirty.markers", this, m -> m.count(RollupDao::dirtyCount));
    meters.gauge("enlace.rollup.pending.observations", this, m -> m.count(RollupDao::pendingCount));
  }

  @Override
  public void start() {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "rollup-maintainer");
              t.setDaemon(true);
              return t;
            });
    long every = config.getMaintainerInterval().toMilliseconds();
    // Both run until stop() shuts the executor down; their failures are logged inside.
    ScheduledFuture<?> unusedMerges =
        executor.scheduleWithFixedDelay(this::runSafely, every, every, TimeUnit.MILLISECONDS);
    ScheduledFuture<?> unusedExpiry =
        executor.scheduleWithFixedDelay(
            this::expireSafely, 10, TimeUnit.DAYS.toMinutes(1) * 60, TimeUnit.SECONDS);
  }

  private void expireSafely() {
    if (!mayExpire.getAsBoolean()) {
      return; // another replica holds the retention lease
    }
    Instant cutoff = Instant.now().minus(config.getRawRetention().toJavaDuration());
    try {
      RollupRebuild rebuild = new RollupRebuild(jdbi, minutes);
      RollupRebuild.Expired e = rebuild.expire(cutoff);
      LOG.info(
          "event=raw_retention_applied cutoff={} partitionsDropped={}",
          cutoff,
          e.partitionsDropped());
      Instant details = Instant.now().minus(config.getDetailRetention().toJavaDuration());
      LOG.info(
          "event=detail_retention_applied cutoff={} partitionsDropped={}",
          details,
          rebuild.expireDetails(details).partitionsDropped());
    } catch (RuntimeException e) {
      LOG.warn(
          "event=raw_retention_failed cutoff={} error=\"{}\" effect=\"retried tomorrow\"",
          cutoff,
          e.toString());
    }
  }

  @Override
  public void stop() throws InterruptedException {
    if (executor != null) {
      executor.shutdown();
      executor.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  private void runSafely() {
    try {
      drain();
    } catch (RuntimeException e) {
      LOG.warn(
          "event=rollup_failed error=\"{}\" effect=\"markers kept; retried at next run\"",
          e.toString());
    }
  }

  private double count(ToLongFunction<RollupDao> query) {
    try {
      return jdbi.withHandle(h -> query.applyAsLong(h.attach(RollupDao.class)));
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  /**
   * Recomputes until no marker is left; returns how many establishment-days it recomputed.
   * Synchronized so that a caller's drain also waits for a scheduled one in progress.
   */
  public synchronized int drain() {
    while (jdbi.inTransaction(this::mergePending) > 0) {
      // until every stored observation is in its computer-day
    }
    int total = 0;
    while (true) {
      long start = System.nanoTime();
      int done = jdbi.inTransaction(this::batch);
      batchTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      if (done == 0) {
        return total;
      }
      total += done;
      daysRecomputed.increment(done);
    }
  }

  /**
   * Merges a batch of observations stored since the last run into their computer-days (one row
   * write per computer-day per batch, however many observations) and marks their establishment-days
   * for recomputation, in one transaction.
   */
  private int mergePending(Handle h) {
    RollupDao dao = h.attach(RollupDao.class);
    List<RollupDao.Pending> pending = dao.takePending(PENDING_BATCH);
    if (pending.isEmpty()) {
      return 0;
    }
    ComputerDayDelta delta = new ComputerDayDelta(minutes);
    int observations = 0;
    for (RollupDao.Pending p : pending) {
      p.forEach(delta::add);
      observations += p.computerIds().length;
    }
    merge(dao, delta);
    observationsMerged.increment(observations);
    return observations;
  }

  /** Writes a delta into computer_days and marks the establishment-days it touched. */
  static void merge(RollupDao dao, ComputerDayDelta delta) {
    if (delta.isEmpty()) {
      return;
    }
    ComputerDayDelta.Columns c = delta.columns();
    dao.mergeComputerDays(
        c.computerIds(),
        c.days(),
        c.establishmentIds(),
        c.dayMinutes(),
        c.online(),
        c.limited(),
        c.offline(),
        c.observations(),
        c.latency());
    List<ComputerDayDelta.EstablishmentDay> dirty = delta.dirty();
    dao.markDirty(
        dirty.stream().mapToLong(ComputerDayDelta.EstablishmentDay::establishmentId).toArray(),
        dirty.stream().map(d -> d.day().toString()).toArray(String[]::new));
  }

  private int batch(Handle h) {
    RollupDao dao = h.attach(RollupDao.class);
    List<RollupDao.DirtyDay> taken = dao.takeDirty(config.getMaintainerBatch());
    if (taken.isEmpty()) {
      return 0;
    }
    Map<Long, TreeSet<LocalDate>> byEstablishment = new TreeMap<>();
    for (RollupDao.DirtyDay d : taken) {
      byEstablishment.computeIfAbsent(d.establishmentId(), k -> new TreeSet<>()).add(d.day());
      // The hold carries a day's last minutes into the next day's first ones.
      byEstablishment.get(d.establishmentId()).add(d.day().plusDays(1));
    }
    int count = 0;
    for (Map.Entry<Long, TreeSet<LocalDate>> e : byEstablishment.entrySet()) {
      // Another maintainer (a second server, or `rollups rebuild`) may hold markers for the same
      // establishment: one at a time, in id order, so neither deletes what the other inserts.
      dao.lockEstablishment(ADVISORY_SPACE, (int) (e.getKey() % Integer.MAX_VALUE));
      count += recompute(dao, e.getKey(), e.getValue());
    }
    return count;
  }

  private int recompute(RollupDao dao, long establishmentId, NavigableSet<LocalDate> days) {
    OpeningMask mask = openingMask(dao, establishmentId);
    DayTimeline timeline = new DayTimeline(minutes, config.getHoldMinutes(), mask);
    List<RollupDao.EstablishmentDay> rows = new ArrayList<>();
    List<RollupDao.OutageRow> outages = new ArrayList<>();
    List<DayTimeline.ComputerMinutes> computerMinutes = new ArrayList<>();
    TreeSet<LocalDate> months = new TreeSet<>();
    int count = 0;
    for (List<LocalDate> cluster : clusters(days)) {
      LocalDate first = cluster.get(0);
      LocalDate last = cluster.get(cluster.size() - 1);
      Map<LocalDate, List<DayTimeline.ComputerDay>> loaded = new TreeMap<>();
      Map<LocalDate, Long> observations = new HashMap<>();
      for (RollupDao.ComputerDayRow r :
          dao.computerDays(establishmentId, first.minusDays(1), last)) {
        observations.merge(r.day(), r.observations(), Long::sum);
        loaded
            .computeIfAbsent(r.day(), k -> new ArrayList<>())
            .add(
                new DayTimeline.ComputerDay(
                    r.computerId(),
                    r.day(),
                    r.onlineBits(),
                    r.limitedBits(),
                    r.offlineBits(),
                    LatencyHistogram.parse(r.latencyHist())));
      }
      Map<LocalDate, List<DayTimeline.LinkDay>> links = new TreeMap<>();
      for (DayTimeline.LinkDay l : dao.linkDays(establishmentId, first, last)) {
        links.computeIfAbsent(l.day(), k -> new ArrayList<>()).add(l);
      }
      for (LocalDate day : cluster) {
        List<DayTimeline.ComputerDay> today = loaded.getOrDefault(day, List.of());
        List<DayTimeline.LinkDay> todayLinks = links.getOrDefault(day, List.of());
        if (today.isEmpty() && todayLinks.isEmpty()) {
          continue; // nothing reported that day: no row, and no outage can start there
        }
        DayTimeline.DayResult r =
            timeline.compute(
                day, loaded.getOrDefault(day.minusDays(1), List.of()), today, todayLinks);
        rows.add(
            new RollupDao.EstablishmentDay(
                establishmentId,
                day,
                r.dayMinutes(),
                r.openMinutes(),
                r.observedMinutes(),
                r.upMinutes(),
                r.outageMinutes(),
                r.observedOpenMinutes(),
                r.upOpenMinutes(),
                r.outageOpenMinutes(),
                r.computersReporting(),
                r.computersOnline(),
                r.outageBits(),
                r.observedBits(),
                ComputerDayDelta.array(r.latency()),
                r.linkUpMinutes(),
                r.linkDownMinutes(),
                r.gapPcsOffOpen(),
                r.gapLinkDownOpen(),
                observations.getOrDefault(day, 0L)));
        computerMinutes.addAll(r.computers());
        dao.deleteOutages(establishmentId, minutes.start(day), minutes.start(day.plusDays(1)));
        for (DayTimeline.Segment s : r.outages()) {
          int duration = s.toMinuteExclusive() - s.fromMinute();
          outages.add(
              new RollupDao.OutageRow(
                  establishmentId,
                  minutes.at(day, s.fromMinute()),
                  minutes.at(day, s.toMinuteExclusive()),
                  duration,
                  s.openMinutes(),
                  s.computers(),
                  duration < config.getShortOutageMinutes(),
                  s.cause()));
        }
        months.add(day.withDayOfMonth(1));
        count++;
      }
    }
    if (!rows.isEmpty()) {
      dao.upsertEstablishmentDays(rows);
    }
    if (!outages.isEmpty()) {
      dao.insertOutages(outages);
    }
    if (!computerMinutes.isEmpty()) {
      dao.updateComputerMinutes(
          computerMinutes.stream().mapToLong(DayTimeline.ComputerMinutes::computerId).toArray(),
          computerMinutes.stream().map(c -> c.day().toString()).toArray(String[]::new),
          computerMinutes.stream().mapToLong(c -> establishmentId).toArray(),
          computerMinutes.stream().mapToInt(DayTimeline.ComputerMinutes::observed).toArray(),
          computerMinutes.stream().mapToInt(DayTimeline.ComputerMinutes::online).toArray(),
          computerMinutes.stream().mapToInt(DayTimeline.ComputerMinutes::limited).toArray(),
          computerMinutes.stream().mapToInt(DayTimeline.ComputerMinutes::offline).toArray());
    }
    for (LocalDate month : months) {
      dao.refreshComputerMonths(establishmentId, month, minutes.zone().getId());
      long[] touched =
          computerMinutes.stream()
              .filter(c -> c.day().withDayOfMonth(1).equals(month))
              .mapToLong(DayTimeline.ComputerMinutes::computerId)
              .distinct()
              .toArray();
      if (touched.length > 0) {
        dao.refreshComputerMonthMinutes(touched, month);
      }
    }
    return count;
  }

  private OpeningMask openingMask(RollupDao dao, long establishmentId) {
    List<RollupDao.Hours> h = dao.hours(establishmentId);
    return h.isEmpty()
        ? new OpeningMask(OpeningHours.ALWAYS)
        : OpeningMask.fromStored(json, h.get(0).openingHours(), establishmentId);
  }

  /** Consecutive days together, so each run loads its computers' rows once. */
  static List<List<LocalDate>> clusters(NavigableSet<LocalDate> days) {
    List<List<LocalDate>> out = new ArrayList<>();
    List<LocalDate> current = new ArrayList<>();
    for (LocalDate d : days) {
      if (!current.isEmpty() && !current.get(current.size() - 1).plusDays(1).equals(d)) {
        out.add(current);
        current = new ArrayList<>();
      }
      current.add(d);
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }
}

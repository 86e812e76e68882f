package org.enlace.server.snmp;

import io.dropwizard.lifecycle.Managed;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.rollup.RollupDao;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns poll outcomes and traps into stored facts, one transaction per batch, on one thread: rates
 * from the previous reading of each link, samples and gaps, status changes, failures, and the
 * link-day minutes the rollups read. A failed batch is retried whole, so nothing is counted twice.
 *
 * <p>The previous reading is read from snmp_link_state, and its rows locked, in the batch's own
 * transaction: with several replicas a device changes hands (a replica joins or dies) and for a
 * cycle two replicas may poll it, and each reading then extends the one chain of intervals the
 * database holds (a reading older than the stored one is skipped) instead of each replica drawing
 * its own overlapping series, which would count a minute twice.
 */
final class SnmpStore implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(SnmpStore.class);
  private static final int BATCH = 500;

  /**
   * A reading less than this after the stored one is dropped: two replicas polling a device in the
   * same slot during a hand-over read it milliseconds apart, and such an interval is shorter than
   * sysUpTime's 10 ms resolution can measure (it would be stored as a restart, or a wild rate).
   */
  private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  /** A linkDown/linkUp notification for a link. */
  record Trap(long linkId, long establishmentId, Instant at, int operStatus) {}

  private record LinkState(
      CounterRates.Reading reading,
      BigInteger inTotal,
      BigInteger outTotal,
      Optional<String> status) {}

  private final Jdbi jdbi;
  private final LocalMinutes minutes;
  private final Duration maxInterval;
  private final LinkMetrics metrics;
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>(100_000);
  private final Set<LocalDate> partitions = new HashSet<>();
  private volatile boolean running;
  private @Nullable Thread thread; // from start() on
  private long processed;

  SnmpStore(Jdbi jdbi, LocalMinutes minutes, Duration maxInterval, LinkMetrics metrics) {
    this.jdbi = jdbi;
    this.minutes = minutes;
    this.maxInterval = maxInterval;
    this.metrics = metrics;
  }

  void add(PollOutcome outcome) {
    offer(outcome);
  }

  void add(Trap trap) {
    offer(trap);
  }

  private void offer(Object event) {
    if (!queue.offer(event)) {
      LOG.warn(
          "event=snmp_store_queue_full dropped={} effect=\"one poll result lost; the next"
              + " poll's interval covers it\"",
          event.getClass().getSimpleName());
    }
  }

  @Override
  public void start() {
    running = true;
    thread = new Thread(this::loop, "snmp-store");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void stop() throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.interrupt();
      thread.join(10_000);
    }
    flush();
  }

  /** Writes everything queued now, on the caller's thread (tests, shutdown). */
  synchronized void flush() {
    List<Object> batch = new ArrayList<>();
    queue.drainTo(batch);
    if (!batch.isEmpty()) {
      write(batch);
    }
  }

  /** Events written so far (tests wait on it). */
  synchronized long processed() {
    return processed;
  }

  private void loop() {
    List<Object> batch = new ArrayList<>();
    while (running) {
      try {
        Object first = queue.poll(1, TimeUnit.SECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        synchronized (this) {
          writeWithRetry(batch);
        }
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void writeWithRetry(List<Object> batch) throws InterruptedException {
    long backoff = 500;
    while (running) {
      try {
        write(batch);
        return;
      } catch (RuntimeException e) {
        LOG.warn(
            "event=snmp_store_failed events={} error=\"{}\" effect=\"batch kept; retried in"
                + " {} ms\"",
            batch.size(),
            e.toString(),
            backoff);
        Thread.sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  private void write(List<Object> batch) {
    try {
      jdbi.useTransaction(h -> writeBatch(h, batch));
    } catch (RuntimeException e) {
      // A partition created inside the rolled-back transaction is gone again: noted as made, every
      // retry would fail on a missing partition.
      partitions.clear();
      throw e;
    }
    processed += batch.size();
    for (Object e : batch) {
      if (e instanceof PollOutcome o) {
        metrics.polled(o);
      }
    }
  }

  private void writeBatch(Handle h, List<Object> batch) {
    SnmpDao dao = h.attach(SnmpDao.class);
    Map<Long, LinkState> next = new LinkedHashMap<>();
    loadMissingStates(dao, batch, next);
    Rows rows = new Rows();
    for (Object event : batch) {
      if (event instanceof PollOutcome o) {
        outcome(o, next, rows);
      } else if (event instanceof Trap t) {
        trap(t, next, rows);
      }
    }
    rows.write(h, dao, this);
  }

  private void loadMissingStates(SnmpDao dao, List<Object> batch, Map<Long, LinkState> next) {
    Set<Long> wanted = new HashSet<>();
    for (Object event : batch) {
      if (event instanceof PollOutcome o) {
        o.readings().forEach(r -> wanted.add(r.linkId()));
      } else if (event instanceof Trap t) {
        wanted.add(t.linkId());
      }
    }
    if (wanted.isEmpty()) {
      return;
    }
    long[] links = wanted.stream().mapToLong(l -> l).sorted().toArray();
    for (SnmpDao.LinkStateRow s : dao.linkStatesForUpdate(links)) {
      next.put(
          s.linkId(),
          new LinkState(
              new CounterRates.Reading(
                  s.polledAt(),
                  s.sysUptime(),
                  s.ifIndex(),
                  s.counterBits(),
                  s.inOctets().toBigInteger().longValue(),
                  s.outOctets().toBigInteger().longValue(),
                  s.operStatus(),
                  0),
              s.inTotal().toBigInteger(),
              s.outTotal().toBigInteger(),
              Optional.ofNullable(s.status())));
    }
  }

  private @Nullable LinkState state(long linkId, Map<Long, LinkState> next) {
    return next.get(linkId);
  }

  private void outcome(PollOutcome o, Map<Long, LinkState> next, Rows rows) {
    Instant end = o.startedAt().plusNanos(o.durationNanos());
    String failure = o.failures().isEmpty() ? null : o.failures().get(0).reason().wire();
    rows.device(
        o.deviceId(),
        end,
        o.answered() ? end : null,
        failure,
        failure == null ? null : end,
        o.readings().isEmpty() ? null : o.readings().get(0).reading().sysUpTimeTicks());
    for (PollOutcome.Failed f : o.failures()) {
      rows.failure(o.deviceId(), o.establishmentId(), end, f);
    }
    o.resolvedIfIndex().forEach(rows::resolved);
    for (PollOutcome.LinkReading r : o.readings()) {
      LinkState previous = state(r.linkId(), next);
      BigInteger inTotal = previous == null ? BigInteger.ZERO : previous.inTotal();
      BigInteger outTotal = previous == null ? BigInteger.ZERO : previous.outTotal();
      Optional<String> status = statusOf(r.reading().operStatus());
      if (previous != null
          && Duration.between(previous.reading().at(), r.reading().at()).compareTo(MIN_INTERVAL)
              < 0) {
        continue; // another poll of the same moment (see MIN_INTERVAL): the stored one stands
      }
      Optional<CounterRates.Interval> interval =
          previous == null
              ? Optional.empty()
              : CounterRates.between(previous.reading(), r.reading(), maxInterval);
      if (previous != null && interval.isEmpty()) {
        continue; // the same reading again (a trap's extra poll crossing a scheduled one)
      }
      if (interval.isPresent()) {
        CounterRates.Interval i = interval.get();
        rows.sample(r, i);
        inTotal = inTotal.add(BigInteger.valueOf(i.inOctets()));
        outTotal = outTotal.add(BigInteger.valueOf(i.outOctets()));
        metrics.interval(r, i);
      }
      Optional<String> was = previous == null ? Optional.empty() : previous.status();
      if (status.isPresent() && !status.equals(was)) {
        rows.statusChange(
            r.linkId(),
            r.establishmentId(),
            r.reading().at(),
            status.get(),
            r.reading().operStatus(),
            "poll");
      }
      if (status.isPresent()) {
        // The minutes since the previous reading share this one's status when the readings are
        // close enough to vouch for them (whatever the counters did); after a longer silence,
        // a router off for two hours, say, only this minute is known.
        Instant from =
            previous != null
                    && Duration.between(previous.reading().at(), r.reading().at())
                            .compareTo(maxInterval)
                        <= 0
                ? previous.reading().at()
                : r.reading().at();
        rows.linkMinutes(
            r.linkId(), r.establishmentId(), from, r.reading().at(), "up".equals(status.get()));
      }
      rows.linkState(r, inTotal, outTotal);
      metrics.reading(r, status, inTotal.longValue(), outTotal.longValue());
      next.put(
          r.linkId(),
          new LinkState(r.reading(), inTotal, outTotal, status.isPresent() ? status : was));
    }
  }

  private void trap(Trap t, Map<Long, LinkState> next, Rows rows) {
    Optional<String> status = statusOf(t.operStatus());
    if (status.isEmpty()) {
      return;
    }
    LinkState previous = state(t.linkId(), next);
    if (previous == null || !status.equals(previous.status())) {
      rows.statusChange(
          t.linkId(), t.establishmentId(), t.at(), status.get(), t.operStatus(), "trap");
    }
    rows.linkMinutes(t.linkId(), t.establishmentId(), t.at(), t.at(), "up".equals(status.get()));
    metrics.operStatus(t.linkId(), status.get());
    if (previous != null) {
      next.put(
          t.linkId(),
          new LinkState(previous.reading(), previous.inTotal(), previous.outTotal(), status));
    }
  }

  /**
   * up, down, or empty when the value says nothing about the link (testing, unknown). dormant,
   * notPresent and lowerLayerDown all mean no traffic can pass: down.
   */
  static Optional<String> statusOf(int operStatus) {
    return switch (operStatus) {
      case 1 -> Optional.of("up");
      case 2, 5, 6, 7 -> Optional.of("down");
      default -> Optional.empty();
    };
  }

  void ensurePartition(SnmpDao dao, LocalDate month) {
    if (partitions.add(month)) {
      dao.ensurePartition(month);
    }
  }

  /** Drops sample months older than the retention; called daily by the poller. */
  int expire(Instant cutoff) {
    LocalDate day = cutoff.atZone(minutes.zone()).toLocalDate();
    int dropped = jdbi.withExtension(SnmpDao.class, d -> d.dropSamplesBefore(day));
    // A dead router adds a failure a minute: they follow the samples' retention.
    jdbi.useExtension(SnmpDao.class, d -> d.deleteFailuresBefore(cutoff));
    partitions.removeIf(m -> m.isBefore(day.withDayOfMonth(1)));
    return dropped;
  }

  LocalMinutes minutes() {
    return minutes;
  }

  /** The rows of one batch, as columns for the unnest statements. */
  private static final class Rows {
    final List<Object[]> samples = new ArrayList<>();

    /** The last state per link: one row each, as ON CONFLICT DO UPDATE requires. */
    final Map<Long, Object[]> stateRows = new LinkedHashMap<>();

    final List<Object[]> changes = new ArrayList<>();
    final List<Object[]> failures = new ArrayList<>();
    final Map<Long, Object[]> devices = new LinkedHashMap<>();
    final Map<Long, Integer> resolved = new LinkedHashMap<>();

    /** (link, day) → [establishment, up chars, down chars]. */
    final Map<String, Object[]> linkDays = new LinkedHashMap<>();

    void linkState(PollOutcome.LinkReading r, BigInteger inTotal, BigInteger outTotal) {
      CounterRates.Reading x = r.reading();
      stateRows.put(
          r.linkId(),
          new Object[] {
            r.linkId(),
            x.at(),
            x.sysUpTimeTicks(),
            x.ifIndex(),
            x.counterBits(),
            Long.toUnsignedString(x.inOctets()),
            Long.toUnsignedString(x.outOctets()),
            x.operStatus(),
            inTotal.toString(),
            outTotal.toString()
          });
    }

    void sample(PollOutcome.LinkReading r, CounterRates.Interval i) {
      Double in = i.rates().map(CounterRates.Rates::inBps).orElse(null);
      Double out = i.rates().map(CounterRates.Rates::outBps).orElse(null);
      samples.add(
          new Object[] {
            r.linkId(),
            r.establishmentId(),
            i.start(),
            i.end(),
            in,
            out,
            in == null ? null : in / r.contractedDownBps() * 100,
            out == null ? null : out / r.contractedUpBps() * 100,
            r.reading().counterBits(),
            i.gap().map(CounterRates.Gap::wire).orElse(null)
          });
    }

    void statusChange(
        long link, long establishment, Instant at, String status, int oper, String source) {
      changes.add(new Object[] {link, establishment, at, status, oper, source});
    }

    void failure(long device, long establishment, Instant at, PollOutcome.Failed f) {
      failures.add(new Object[] {device, establishment, at, f.reason().wire(), f.detail()});
    }

    void device(
        long device,
        Instant pollAt,
        @Nullable Instant successAt,
        @Nullable String failure,
        @Nullable Instant failureAt,
        @Nullable Long uptime) {
      devices.put(device, new Object[] {pollAt, successAt, failure, failureAt, uptime});
    }

    void resolved(long link, int ifIndex) {
      resolved.put(link, ifIndex);
    }

    void linkMinutes(long link, long establishment, Instant from, Instant to, boolean up) {
      pending.add(new Object[] {link, establishment, from, to, up});
    }

    final List<Object[]> pending = new ArrayList<>();

    void write(Handle h, SnmpDao dao, SnmpStore store) {
      LocalMinutes minutes = store.minutes();
      for (Object[] s : samples) {
        store.ensurePartition(
            dao, LocalDate.ofInstant((Instant) s[3], ZoneOffset.UTC).withDayOfMonth(1));
      }
      if (!samples.isEmpty()) {
        dao.insertSamples(
            longs(samples, 0),
            longs(samples, 1),
            texts(samples, 2),
            texts(samples, 3),
            doubles(samples, 4),
            doubles(samples, 5),
            doubles(samples, 6),
            doubles(samples, 7),
            ints(samples, 8),
            texts(samples, 9));
      }
      if (!stateRows.isEmpty()) {
        List<Object[]> st = new ArrayList<>(stateRows.values());
        dao.upsertLinkStates(
            longs(st, 0),
            texts(st, 1),
            longs(st, 2),
            ints(st, 3),
            ints(st, 4),
            texts(st, 5),
            texts(st, 6),
            ints(st, 7),
            texts(st, 8),
            texts(st, 9));
      }
      if (!changes.isEmpty()) {
        dao.insertStatusChanges(
            longs(changes, 0),
            longs(changes, 1),
            texts(changes, 2),
            texts(changes, 3),
            ints(changes, 4),
            texts(changes, 5));
      }
      if (!failures.isEmpty()) {
        dao.insertFailures(
            longs(failures, 0),
            longs(failures, 1),
            texts(failures, 2),
            texts(failures, 3),
            texts(failures, 4));
      }
      if (!devices.isEmpty()) {
        List<Object[]> d = new ArrayList<>();
        devices.forEach((id, v) -> d.add(new Object[] {id, v[0], v[1], v[2], v[3], v[4]}));
        Long[] uptime = d.stream().map(r -> (Long) r[5]).toArray(Long[]::new);
        dao.upsertDeviceStates(
            longs(d, 0), texts(d, 1), texts(d, 2), texts(d, 3), texts(d, 4), uptime);
      }
      if (!resolved.isEmpty()) {
        dao.updateResolved(
            resolved.keySet().stream().mapToLong(l -> l).toArray(),
            resolved.values().stream().mapToInt(i -> i).toArray());
      }
      for (Object[] p : pending) {
        mark(minutes, (Long) p[0], (Long) p[1], (Instant) p[2], (Instant) p[3], (Boolean) p[4]);
      }
      if (!linkDays.isEmpty()) {
        List<long[]> keys = new ArrayList<>();
        List<String> days = new ArrayList<>();
        List<String> ups = new ArrayList<>();
        List<String> downs = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        for (Object[] v : linkDays.values()) {
          keys.add(new long[] {(Long) v[0], (Long) v[1]});
          days.add(v[2].toString());
          ups.add(new String((char[]) v[3]));
          downs.add(new String((char[]) v[4]));
          lengths.add(((char[]) v[3]).length);
        }
        long[] links = keys.stream().mapToLong(k -> k[0]).toArray();
        long[] establishments = keys.stream().mapToLong(k -> k[1]).toArray();
        String[] dayArray = days.toArray(String[]::new);
        dao.mergeLinkDays(
            links,
            dayArray,
            establishments,
            lengths.stream().mapToInt(i -> i).toArray(),
            ups.toArray(String[]::new),
            downs.toArray(String[]::new));
        // The establishment-days these minutes belong to are recomputed by the rollups.
        h.attach(RollupDao.class).markDirty(establishments, dayArray);
      }
    }

    /** Sets the minutes (from, to] (or to's minute alone when from == to) in the link-days. */
    private void mark(
        LocalMinutes minutes, long link, long establishment, Instant from, Instant to, boolean up) {
      Instant t = from.equals(to) ? to : from.plusSeconds(60);
      LocalMinutes.Slot last = minutes.slot(to);
      LocalMinutes.Slot s = minutes.slot(t.isAfter(to) ? to : t);
      while (true) {
        String key = link + "/" + s.day();
        Object[] v = linkDays.get(key);
        if (v == null) {
          int n = minutes.minutesIn(s.day());
          char[] upBits = new char[n];
          char[] downBits = new char[n];
          Arrays.fill(upBits, '0');
          Arrays.fill(downBits, '0');
          v = new Object[] {link, establishment, s.day(), upBits, downBits};
          linkDays.put(key, v);
        }
        ((char[]) (up ? v[3] : v[4]))[s.minute()] = '1';
        if (s.equals(last)) {
          return;
        }
        s =
            s.minute() + 1 < minutes.minutesIn(s.day())
                ? new LocalMinutes.Slot(s.day(), s.minute() + 1)
                : new LocalMinutes.Slot(s.day().plusDays(1), 0);
      }
    }

    private static long[] longs(List<Object[]> rows, int i) {
      return rows.stream().mapToLong(r -> (Long) r[i]).toArray();
    }

    private static int[] ints(List<Object[]> rows, int i) {
      return rows.stream().mapToInt(r -> (Integer) r[i]).toArray();
    }

    private static Double[] doubles(List<Object[]> rows, int i) {
      return rows.stream().map(r -> (Double) r[i]).toArray(Double[]::new);
    }

    private static String[] texts(List<Object[]> rows, int i) {
      return rows.stream().map(r -> r[i] == null ? null : r[i].toString()).toArray(String[]::new);
    }
  }
}

package org.enlace.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;
import org.jspecify.annotations.Nullable;

/**
 * Model-based test with jqwik's stateful actions: append, batch, acknowledge, sync, clean restart,
 * process crash (kill -9: the page cache survives), power loss (only what was forced survives, with
 * a torn tail), disk full and space back, and clock jumps, on a {@link SimulatedDisk}, against an
 * in-memory model of what the journal promised (package-info). A failing sequence is shrunk and
 * printed with its seed by jqwik.
 */
class JournalStatefulTest {
  private static final Logger JOURNAL_LOG = Logger.getLogger(Journal.class.getName());
  private static @Nullable Level savedLevel;

  @BeforeContainer
  static void quiet() {
    savedLevel = JOURNAL_LOG.getLevel();
    JOURNAL_LOG.setLevel(Level.OFF); // expected I/O errors and repairs, thousands of them
  }

  @AfterContainer
  static void loud() {
    JOURNAL_LOG.setLevel(savedLevel);
  }

  @Property(tries = 1000)
  void theJournalKeepsItsPromises(@ForAll("chains") ActionChain<JournalSystem> chain) {
    chain.withInvariant("agrees with the model", JournalSystem::invariants).run();
  }

  @Provide
  Arbitrary<ActionChain<JournalSystem>> chains() {
    return Arbitraries.integers()
        .between(0, 3)
        .flatMap(
            variant ->
                ActionChain.startWith(() -> new JournalSystem(variant))
                    .withAction(
                        8,
                        act(
                            Arbitraries.integers().between(0, 700),
                            "append",
                            JournalSystem::append))
                    .withAction(
                        4,
                        act(
                            Arbitraries.integers().between(0, 1 << 20),
                            "batch",
                            JournalSystem::batch))
                    .withAction(
                        1,
                        act(
                            Arbitraries.integers().between(0, 5),
                            "late ack",
                            JournalSystem::lateAck))
                    .withAction(1, act(Arbitraries.just(0), "sync", (s, x) -> s.sync()))
                    .withAction(1, act(Arbitraries.just(0), "restart", (s, x) -> s.restart()))
                    .withAction(1, act(Arbitraries.just(0), "kill -9", (s, x) -> s.kill()))
                    .withAction(
                        1,
                        act(
                            Arbitraries.integers().between(0, 1 << 30),
                            "power loss",
                            JournalSystem::powerLoss))
                    .withAction(
                        1,
                        act(
                            Arbitraries.integers().between(0, 400),
                            "disk full",
                            JournalSystem::diskFull))
                    .withAction(1, act(Arbitraries.just(0), "space back", (s, x) -> s.spaceBack()))
                    .withAction(
                        1,
                        act(
                            Arbitraries.integers().between(-48, 48),
                            "clock jump",
                            JournalSystem::clockJump))
                    .withMaxTransformations(40));
  }

  /** A step of the chain, called {@code name} with its argument. */
  private interface Step {
    void apply(JournalSystem s, int arg) throws IOException;
  }

  private static Action.Independent<JournalSystem> act(
      Arbitrary<Integer> args, String name, Step step) {
    return () ->
        args.map(
            a ->
                Transformer.mutate(
                    name + " " + a,
                    s -> {
                      try {
                        step.apply(s, a);
                      } catch (IOException e) {
                        throw new AssertionError(name + " " + a + ": unexpected " + e, e);
                      }
                    }));
  }

  /** The journal on a simulated disk, and the model of what it must hold. */
  static final class JournalSystem {
    final JournalConfig config;
    final FakeTicker ticker = new FakeTicker();
    SimulatedDisk disk = new SimulatedDisk(512);
    @Nullable Journal journal;

    /** Records the journal holds (seq to payload), as far as the model knows. */
    final TreeMap<Long, byte[]> pending = new TreeMap<>();

    /** Wall-clock time of each append. */
    final Map<Long, Long> appendedAt = new HashMap<>();

    /** Appends that failed: each may or may not be in the journal. */
    final TreeMap<Long, byte[]> maybe = new TreeMap<>();

    /** Records whose ackThrough failed: gone for now, but a restart may bring them back. */
    final TreeMap<Long, byte[]> maybeAcked = new TreeMap<>();

    long lastSeq;
    long acked; // the last ackThrough that returned
    long promised; // every pending record up to this one survives a power loss
    final Deque<long[]> unpromised = new ArrayDeque<>(); // seq, monotonic time of its append
    long highestBatched; // the server may hold every seq up to this one: never reused
    long dropped;
    boolean resync; // drops happened that the model could not learn yet
    boolean powerLostSinceOpen;

    JournalSystem(int variant) {
      Duration interval = variant % 2 == 0 ? Duration.ZERO : Duration.ofMillis(50);
      // Variants 2 and 3: a bound that 40 steps can reach, so that old segments are dropped.
      config = new JournalConfig(variant < 2 ? 1 << 20 : 1024, 256, interval);
      try {
        journal = Journal.open(SimulatedDisk.DIR, config, disk, ticker);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public String toString() {
      return "journal with " + pending.size() + " pending, config " + config;
    }

    /** The journal, opened again if a restart left it closed; null while the disk is too full. */
    @Nullable Journal journal(boolean powerLost) throws IOException {
      // A power loss counts until the journal opens again: the disk may be too full for that.
      powerLostSinceOpen |= powerLost;
      if (journal == null) {
        try {
          journal = Journal.open(SimulatedDisk.DIR, config, disk, ticker);
        } catch (IOException e) {
          assertFull(e);
          return null;
        }
        reopened(powerLostSinceOpen);
        powerLostSinceOpen = false;
      }
      return journal;
    }

    @Nullable Journal journal() throws IOException {
      return journal(false);
    }

    void assertFull(IOException e) {
      assertThat(e).as("the only I/O error this disk makes").hasMessageContaining("No space left");
    }

    static byte[] payload(long seq, int size) {
      byte[] p = new byte[size];
      new Random(seq * 31 + size).nextBytes(p);
      return p;
    }

    // ---- actions ----

    void append(int size) throws IOException {
      Journal j = journal();
      if (j == null) {
        return;
      }
      ticker.advanceMillis(size % 7 == 0 ? 30 : 1);
      long now = ticker.nanos;
      long before = j.lastSeq();
      Map<Long, byte[]> offered = new HashMap<>();
      try {
        long seq =
            j.append(
                s -> {
                  byte[] p = payload(s, size);
                  offered.put(s, p);
                  return p;
                });
        assertThat(seq).as("seq").isEqualTo(before + 1).isGreaterThan(highestBatched);
        pending.put(seq, offered.get(seq));
        maybe.remove(seq); // a failed append that had not taken its seq
        appendedAt.put(seq, ticker.millis);
        lastSeq = seq;
        unpromised.addLast(new long[] {seq, now});
        long interval = config.syncInterval().toNanos();
        while (!unpromised.isEmpty() && now - unpromised.peekFirst()[1] >= interval) {
          promised = Math.max(promised, unpromised.removeFirst()[0]);
        }
      } catch (IOException e) {
        assertFull(e);
        // The seq offered may or may not have been written; it is never handed out again.
        offered.forEach(maybe::put);
        offered.keySet().forEach(s -> appendedAt.put(s, ticker.millis));
        lastSeq = Math.max(lastSeq, j.lastSeq());
      }
      noticeDrops(j);
    }

    void batch(int shape) throws IOException {
      Journal j = journal();
      if (j == null) {
        return;
      }
      int maxRecords = 1 + shape % 20;
      long maxBytes = shape >> 5 & 4095;
      if (resync) {
        noticeDrops(j);
        if (resync) {
          return;
        }
      }
      List<Record> batch;
      try {
        batch = j.batch(maxRecords, maxBytes);
      } catch (IOException e) {
        assertFull(e);
        return;
      }
      promiseAll();
      assertThat(batch.size()).isLessThanOrEqualTo(maxRecords);
      long previous = acked;
      for (Record r : batch) {
        assertThat(r.seq()).as("in order, after the ack").isGreaterThan(previous);
        previous = r.seq();
        if (maybe.containsKey(r.seq())) {
          pending.put(r.seq(), maybe.remove(r.seq())); // a failed append that made it
        }
        assertThat(pending).as("seq " + r.seq() + " was appended").containsKey(r.seq());
        assertThat(r.payload()).isEqualTo(pending.get(r.seq()));
        assertThat(r.appendedAtMillis()).isEqualTo(appendedAt.get(r.seq()));
      }
      if (!batch.isEmpty()) {
        // Nothing pending was skipped: the batch is the head of what waits.
        long last = batch.get(batch.size() - 1).seq();
        assertThat(pending.headMap(last, true).keySet())
            .as("the batch is the oldest pending records")
            .containsExactlyElementsOf(batch.stream().map(Record::seq).toList());
        maybe.headMap(last).clear(); // failed appends skipped are not in the journal
        highestBatched = Math.max(highestBatched, last);
      } else {
        assertThat(pending).as("an empty batch means nothing waits").isEmpty();
      }
      if (!batch.isEmpty() && shape % 3 > 0) {
        ack(batch.get(shape % batch.size()).seq());
      }
    }

    void lateAck(int back) throws IOException {
      ack(Math.max(0, acked - back));
    }

    void ack(long through) throws IOException {
      Journal j = journal();
      if (j == null) {
        return;
      }
      try {
        j.ackThrough(through);
      } catch (IOException e) {
        assertFull(e);
        // Done in memory, not durably: gone from batches, back after a restart, maybe.
        maybeAcked.putAll(pending.headMap(through, true));
        maybeAcked.putAll(maybe.headMap(through, true));
        dropThrough(through);
        return;
      }
      if (through > acked) {
        acked = through;
        maybeAcked.headMap(through, true).clear();
      }
      dropThrough(through);
    }

    private void dropThrough(long through) {
      pending.headMap(through, true).clear();
      maybe.headMap(through, true).clear();
    }

    void sync() throws IOException {
      Journal j = journal();
      if (j == null) {
        return;
      }
      try {
        j.sync();
        promiseAll();
      } catch (IOException e) {
        assertFull(e);
      }
    }

    void restart() throws IOException {
      Journal j = journal();
      if (j == null) {
        return;
      }
      try {
        j.close();
      } catch (IOException e) {
        assertFull(e); // then as a crash: the page cache keeps what was written
      }
      journal = null;
      journal(false);
    }

    /** kill -9: the process dies, the operating system keeps every write. */
    void kill() throws IOException {
      journal = null;
      journal(false);
    }

    void powerLoss(int seed) throws IOException {
      journal = null;
      disk = disk.powerLoss(new Random(seed));
      journal(true);
    }

    void diskFull(int room) {
      disk.quota(disk.usedBytes() + room);
    }

    void spaceBack() {
      disk.quota(Long.MAX_VALUE);
    }

    void clockJump(int hours) {
      ticker.millis += hours * 3_600_000L; // the wall clock, either way
      ticker.nanos += Math.abs(hours) * config.syncInterval().toNanos() / 8; // monotonic: forward
    }

    // ---- checks ----

    void promiseAll() {
      promised = Math.max(promised, lastSeq);
      unpromised.clear();
    }

    /** After the journal reopened: what it holds against what it had promised. */
    void reopened(boolean powerLost) throws IOException {
      Journal j = journal;
      assertThat(j).isNotNull();
      List<Record> survivors;
      try {
        survivors = j.batch(Integer.MAX_VALUE, Long.MAX_VALUE);
      } catch (IOException e) {
        assertFull(e);
        return; // checked at the next reopen
      }
      TreeMap<Long, byte[]> now = new TreeMap<>();
      long previous = 0;
      for (Record r : survivors) {
        assertThat(r.seq()).as("sorted").isGreaterThan(previous);
        previous = r.seq();
        byte[] expected =
            pending.containsKey(r.seq())
                ? pending.get(r.seq())
                : maybe.containsKey(r.seq()) ? maybe.get(r.seq()) : maybeAcked.get(r.seq());
        assertThat(expected)
            .as("seq %d after reopen was appended and not acked", r.seq())
            .isNotNull();
        assertThat(r.payload()).isEqualTo(expected);
        now.put(r.seq(), r.payload());
      }
      long lastKept = survivors.isEmpty() ? 0 : survivors.get(survivors.size() - 1).seq();
      if (resync) { // the bound dropped the oldest records, which the model could not learn then
        pending.headMap(now.isEmpty() ? Long.MAX_VALUE : now.firstKey()).clear();
        resync = false;
      }
      boolean truncated = false;
      for (long seq : pending.keySet()) {
        boolean mustSurvive = !powerLost || seq <= promised;
        if (!now.containsKey(seq)) {
          assertThat(mustSurvive).as("seq %d was promised and is lost", seq).isFalse();
          truncated = true;
        } else {
          assertThat(truncated).as("seq %d survived after a lost one: a gap", seq).isFalse();
        }
      }
      assertThat(j.lastSeq()).as("lastSeq").isGreaterThanOrEqualTo(Math.max(promised, lastKept));
      assertThat(j.lastSeq()).isGreaterThanOrEqualTo(highestBatched);
      noticeDrops(j);
      pending.clear();
      pending.putAll(now);
      maybe.clear();
      maybeAcked.clear();
      lastSeq = j.lastSeq();
      promiseAll(); // open forces what it found, and batch forced
      if (!survivors.isEmpty()) {
        highestBatched = Math.max(highestBatched, lastKept);
      }
    }

    /**
     * Drops happen only with the small bound, and take the oldest records: the model learns which
     * from a batch of everything, which must be the newest of what it expected.
     */
    void noticeDrops(Journal j) throws IOException {
      long d = j.dropped();
      if (!resync && (config.maxDiskBytes() >= 1 << 20 || d == dropped)) {
        assertThat(d).as("dropped").isEqualTo(dropped);
        return;
      }
      assertThat(d).as("dropped never decreases").isGreaterThanOrEqualTo(dropped);
      dropped = d;
      List<Record> all;
      try {
        all = j.batch(Integer.MAX_VALUE, Long.MAX_VALUE);
      } catch (IOException e) {
        assertFull(e);
        resync = true;
        return;
      }
      promiseAll();
      resync = false;
      TreeMap<Long, byte[]> kept = new TreeMap<>();
      for (Record r : all) {
        byte[] expected = pending.containsKey(r.seq()) ? pending.get(r.seq()) : maybe.get(r.seq());
        assertThat(expected).as("seq %d kept by the bound was appended", r.seq()).isNotNull();
        assertThat(r.payload()).isEqualTo(expected);
        kept.put(r.seq(), r.payload());
      }
      long firstKept = kept.isEmpty() ? Long.MAX_VALUE : kept.firstKey();
      assertThat(pending.tailMap(firstKept, true).keySet())
          .as("the bound dropped the oldest records only")
          .isSubsetOf(kept.keySet());
      pending.clear();
      pending.putAll(kept);
      maybe.clear();
    }

    void invariants() {
      Journal j = journal;
      if (j == null || resync) {
        return;
      }
      assertThat(j.dropped()).as("dropped").isEqualTo(dropped);
      assertThat(j.lastSeq()).as("lastSeq").isGreaterThanOrEqualTo(lastSeq);
      if (maybe.isEmpty() && maybeAcked.isEmpty()) {
        assertThat(j.pending()).as("pending").isEqualTo(pending.size());
      }
      if (maybe.isEmpty() && maybeAcked.isEmpty()) {
        Long oldest = pending.isEmpty() ? null : appendedAt.get(pending.firstKey());
        assertThat(j.oldestPendingAppendedAtMillis().orElse(null))
            .as("oldest pending appendedAt")
            .isEqualTo(oldest);
      }
    }
  }
}

package org.enlace.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.enlace.agent.journal.JournalFixtures.drain;
import static org.enlace.agent.journal.JournalFixtures.seqs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Power loss at every crash point: a workload (appends, batches, acks, syncs, restarts, power
 * losses, clock jumps; tiny segments, so rolls, sealing with gzip and deletion of acked segments
 * are constant) runs on a {@link SimulatedDisk}, and before every operation that changes the disk,
 * the disk as a power cut would leave it then (with a torn tail) is handed to a fresh journal,
 * which must:
 *
 * <ul>
 *   <li>open without an error and without counting anything as dropped;
 *   <li>hold a gap-free run of records with the payloads that were appended under those seqs;
 *   <li>start right after the last acknowledgement whose {@code ackThrough} returned (or after the
 *       one in flight when the power went): acked records never come back;
 *   <li>hold every record the journal's contract had promised durable: with {@code syncInterval}
 *       zero, every append that returned; otherwise every append before a {@code batch}, {@code
 *       sync} or {@code close} that returned, and every append that returned at least {@code
 *       syncInterval} (monotonic clock) before another append returned;
 *   <li>hand out a seq above all of those next, and keep its repair after a clean restart.
 * </ul>
 *
 * A failure names the seed and the crash point; {@code -Djournal.powerloss.seed=N} runs one seed.
 */
class JournalPowerLossTest {
  private static final long[] SEEDS = {1, 2, 3, 4, 5, 6};
  private static final int STEPS = 700;

  @Test
  void everyCrashPointReopensToAGapFreePrefixHoldingEverythingPromised() throws IOException {
    Logger journalLog = Logger.getLogger(Journal.class.getName());
    Level level = journalLog.getLevel();
    journalLog.setLevel(Level.OFF); // thousands of expected torn-tail repairs
    long start = System.nanoTime();
    long crashPoints = 0;
    long records = 0;
    SimulatedDisk.Tear[] tears = SimulatedDisk.Tear.values();
    long[] tearCounts = new long[tears.length];
    try {
      String only = System.getProperty("journal.powerloss.seed");
      for (long seed : only == null ? SEEDS : new long[] {Long.parseLong(only)}) {
        Workload w = new Workload(seed);
        w.run();
        crashPoints += w.crashPoints;
        records += w.appends;
        for (int t = 0; t < tears.length; t++) {
          tearCounts[t] += w.tearCount(tears[t]);
        }
      }
    } finally {
      journalLog.setLevel(level);
    }
    StringBuilder tearText = new StringBuilder();
    for (int t = 0; t < tears.length; t++) {
      tearText
          .append(' ')
          .append(tears[t].name().toLowerCase(java.util.Locale.ROOT))
          .append('=')
          .append(tearCounts[t]);
    }
    System.out.printf(
        "power-loss test: %d crash points, %d appends, tails:%s, %.1f s%n",
        crashPoints, records, tearText, (System.nanoTime() - start) / 1e9);
    assertThat(crashPoints).isGreaterThanOrEqualTo(10_000);
  }

  /** The payload appended under a seq: some records span sectors, most are small. */
  static byte[] payload(long seq) {
    Random r = new Random(seq * 0x9E3779B97F4A7C15L);
    byte[] p = new byte[r.nextInt(10) == 0 ? 300 + r.nextInt(900) : r.nextInt(120)];
    r.nextBytes(p);
    return p;
  }

  /** One seeded run and everything the test knows the journal promised so far. */
  private static final class Workload {
    final long seed;
    final Random random;
    final JournalConfig config;
    final FakeTicker ticker = new FakeTicker();
    SimulatedDisk disk;
    Journal journal;

    /** Highest seq an append returned (since the last power loss resolved what survived). */
    long returned;

    /** Highest seq the journal's contract promised durable. */
    long promised;

    /** Appends that returned, not yet promised: seq and monotonic time of the append. */
    final Deque<long[]> unpromised = new ArrayDeque<>();

    /** Highest seq an append may have written: the one in flight, if any. */
    long maxPossible;

    long ackReturned;
    long ackInFlight = -1;
    long crashPoints;
    long appends; // that returned

    Workload(long seed) throws IOException {
      this.seed = seed;
      this.random = new Random(seed);
      Duration interval =
          seed % 3 == 0 ? Duration.ofMillis(20 + random.nextInt(200)) : Duration.ZERO;
      this.config = new JournalConfig(1 << 20, 256 + random.nextInt(900), interval);
      this.disk = new SimulatedDisk(random.nextBoolean() ? 512 : 4096);
      disk.listener(this::crashHere);
      this.journal = Journal.open(SimulatedDisk.DIR, config, disk, ticker);
    }

    int tearCount(SimulatedDisk.Tear t) {
      return disk.tears().getOrDefault(t, 0);
    }

    void run() throws IOException {
      for (int step = 0; step < STEPS; step++) {
        int op = random.nextInt(100);
        if (op < 55) {
          append();
        } else if (op < 75) {
          batch();
        } else if (op < 78) {
          ack(Math.max(0, ackReturned - random.nextInt(5))); // late and repeated acks
        } else if (op < 83) {
          journal.sync();
          promiseAll();
        } else if (op < 87) {
          journal.close();
          promiseAll();
          journal = Journal.open(SimulatedDisk.DIR, config, disk, ticker);
        } else if (op < 92) {
          powerLossAndReopen();
        } else if (op < 96) {
          // The wall clock jumps (NTP, a dead CMOS battery): hours either way.
          ticker.millis += (random.nextBoolean() ? 1 : -1) * (long) random.nextInt(10) * 3_600_000L;
        } else {
          ticker.nanos += random.nextInt(2) * config.syncInterval().toNanos() + 1;
        }
      }
      journal.close();
    }

    void append() throws IOException {
      ticker.advanceMillis(random.nextInt(4) == 0 ? random.nextInt(120) : 0);
      maxPossible = Math.max(maxPossible, journal.lastSeq() + 1);
      long seq = journal.append(JournalPowerLossTest::payload);
      assertThat(seq).as(at("append")).isGreaterThan(Math.max(returned, ackReturned));
      returned = seq;
      appends++;
      long now = ticker.nanos;
      long interval = config.syncInterval().toNanos();
      unpromised.addLast(new long[] {seq, now});
      if (interval == 0) {
        promiseAll();
      }
      // Every append at least syncInterval older than this one is durable now.
      while (!unpromised.isEmpty() && now - unpromised.peekFirst()[1] >= interval) {
        promised = Math.max(promised, unpromised.removeFirst()[0]);
      }
    }

    void promiseAll() {
      promised = Math.max(promised, returned);
      unpromised.clear();
    }

    void batch() throws IOException {
      List<Record> batch = journal.batch(1 + random.nextInt(20), random.nextInt(3000));
      promiseAll(); // batch forces first
      String at = at("batch");
      for (int k = 0; k < batch.size(); k++) {
        Record r = batch.get(k);
        assertThat(r.seq()).as(at).isEqualTo(ackReturned + 1 + k);
        assertThat(r.payload()).as(at).isEqualTo(payload(r.seq()));
      }
      if (!batch.isEmpty() && random.nextInt(3) > 0) {
        ack(batch.get(random.nextInt(batch.size())).seq());
      }
    }

    void ack(long through) throws IOException {
      ackInFlight = through;
      journal.ackThrough(through);
      ackReturned = Math.max(ackReturned, through);
      ackInFlight = -1;
    }

    void powerLossAndReopen() throws IOException {
      disk = disk.powerLoss(random);
      disk.listener(this::crashHere);
      journal = Journal.open(SimulatedDisk.DIR, config, disk, ticker); // crash points in recovery
      List<Record> survivors = verify(journal, at("power loss"));
      long last = survivors.isEmpty() ? 0 : survivors.get(survivors.size() - 1).seq();
      ackReturned =
          survivors.isEmpty()
              ? Math.max(ackReturned, ackInFlight)
              : survivors.get(0).seq() - 1; // the acknowledgement in flight landed or not
      ackInFlight = -1;
      // What survived is durable now (open forces it); what did not was never promised.
      returned = Math.max(promised, last);
      promiseAll();
    }

    String at(String what) {
      return "seed " + seed + " step " + what + " (operation " + disk.operations() + ")";
    }

    /** A crash point: the disk as a power cut now would leave it must reopen correctly. */
    void crashHere(long index, String operation) {
      crashPoints++;
      String at =
          "seed "
              + seed
              + " crash point "
              + index
              + " (before "
              + operation
              + "; -Djournal.powerloss.seed="
              + seed
              + ")";
      SimulatedDisk after = disk.powerLoss(new Random(seed * 1_000_003L + index));
      try {
        Journal j = Journal.open(SimulatedDisk.DIR, config, after, new FakeTicker());
        List<Record> survivors = verify(j, at);
        long next = j.append(JournalPowerLossTest::payload);
        long last = survivors.isEmpty() ? 0 : survivors.get(survivors.size() - 1).seq();
        assertThat(next)
            .as(at + ": the next seq is above every promised, acked and kept one")
            .isGreaterThan(Math.max(Math.max(promised, ackReturned), last));
        if (index % 8 == 0) {
          j.close();
          try (Journal again = Journal.open(SimulatedDisk.DIR, config, after, new FakeTicker())) {
            List<Long> expected = new java.util.ArrayList<>(seqs(survivors));
            expected.add(next);
            assertThat(seqs(drain(again))).as(at + ": the repair holds").isEqualTo(expected);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(at, e);
      }
    }

    /** The journal's content after a power loss, checked against what was promised. */
    List<Record> verify(Journal j, String at) throws IOException {
      List<Record> survivors = drain(j);
      assertThat(j.dropped()).as(at + ": nothing counted as dropped").isZero();
      assertThat(j.pending()).as(at + ": pending").isEqualTo(survivors.size());
      for (int k = 0; k < survivors.size(); k++) {
        Record r = survivors.get(k);
        assertThat(r.seq()).as(at + ": gap-free").isEqualTo(survivors.get(0).seq() + k);
        assertThat(r.payload()).as(at + ": payload of seq " + r.seq()).isEqualTo(payload(r.seq()));
      }
      if (survivors.isEmpty()) {
        assertThat(promised)
            .as(at + ": nothing left, so everything promised was acked")
            .isLessThanOrEqualTo(Math.max(ackReturned, ackInFlight));
      } else {
        long first = survivors.get(0).seq();
        long last = survivors.get(survivors.size() - 1).seq();
        assertThat(first - 1)
            .as(at + ": starts right after an acknowledgement (acked records never come back)")
            .isIn(ackReturned, ackInFlight == -1 ? ackReturned : ackInFlight);
        assertThat(last)
            .as(at + ": every promised record is there")
            .isGreaterThanOrEqualTo(promised);
        assertThat(last).as(at + ": nothing invented").isLessThanOrEqualTo(maxPossible);
      }
      return survivors;
    }
  }
}

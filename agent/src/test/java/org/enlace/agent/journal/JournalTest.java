package org.enlace.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.enlace.agent.journal.JournalFixtures.config;
import static org.enlace.agent.journal.JournalFixtures.drain;
import static org.enlace.agent.journal.JournalFixtures.segmentNames;
import static org.enlace.agent.journal.JournalFixtures.seqs;
import static org.enlace.agent.journal.JournalFixtures.small;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
  @TempDir Path dir;

  @Test
  void batchesInSeqOrderAcrossHundredsOfSegments() throws IOException {
    try (Journal j = Journal.open(dir, config(1 << 20, 256))) {
      for (int i = 1; i <= 1000; i++) {
        assertThat(j.append(JournalFixtures::small)).isEqualTo(i);
      }
      // Far more than 10 segments, with first seqs of 1 to 4 digits: string sorting of
      // unpadded names would read 10 before 9 (Telegraf's WAL bug).
      List<String> names = segmentNames(dir);
      assertThat(names).hasSizeGreaterThan(100).allMatch(n -> n.matches("\\d{20}\\.seg(\\.gz)?"));
      assertThat(names.stream().filter(n -> n.endsWith(".seg"))).hasSize(1); // the active one

      List<Long> seen = new ArrayList<>();
      while (true) {
        List<Record> b = j.batch(7, Long.MAX_VALUE);
        if (b.isEmpty()) {
          break;
        }
        for (Record r : b) {
          assertThat(r.payload()).isEqualTo(small(r.seq()));
        }
        seen.addAll(seqs(b));
        j.ackThrough(b.get(b.size() - 1).seq());
      }
      assertThat(seen).isEqualTo(LongStream.rangeClosed(1, 1000).boxed().toList());
      assertThat(j.pending()).isZero();
      assertThat(segmentNames(dir)).hasSize(1);
    }
  }

  @Test
  void queueAfterABatchCountsWhatStillWaitsAcrossSegments() throws IOException {
    try (Journal j = Journal.open(dir, config(1 << 20, 256))) {
      long before = System.currentTimeMillis();
      for (int i = 1; i <= 50; i++) {
        j.append(JournalFixtures::small);
      }
      long after = System.currentTimeMillis();
      List<Record> b = j.batch(7, Long.MAX_VALUE);
      long last = b.get(b.size() - 1).seq();
      assertThat(j.pendingAfter(last)).isEqualTo(43);
      assertThat(j.oldestPendingAppendedAtMillisAfter(last))
          .hasValueSatisfying(ms -> assertThat(ms).isBetween(before, after));
      // Below the cursor it is the status command's answer: the whole queue.
      assertThat(j.pendingAfter(0)).isEqualTo(j.pending()).isEqualTo(50);
      assertThat(j.oldestPendingAppendedAtMillisAfter(0))
          .isEqualTo(j.oldestPendingAppendedAtMillis());
      j.ackThrough(last);
      assertThat(j.pending()).isEqualTo(43);
      assertThat(j.pendingAfter(50)).isZero();
      assertThat(j.oldestPendingAppendedAtMillisAfter(50)).isEmpty();
      assertThat(j.pendingAfter(49)).isEqualTo(1);
      assertThat(j.oldestPendingAppendedAtMillisAfter(49)).isPresent();
    }
  }

  @Test
  void encoderGetsTheSeqOfItsRecord() throws IOException {
    try (Journal j = Journal.open(dir, JournalConfig.defaults())) {
      List<Long> asked = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        long seq =
            j.append(
                s -> {
                  asked.add(s);
                  return small(s);
                });
        assertThat(seq).isEqualTo(asked.get(asked.size() - 1));
      }
      assertThat(asked).containsExactly(1L, 2L, 3L);
      assertThat(j.lastSeq()).isEqualTo(3);
    }
  }

  @Test
  void encoderFailureSpendsNoSeq() throws IOException {
    try (Journal j = Journal.open(dir, JournalConfig.defaults())) {
      assertThatThrownBy(
              () ->
                  j.append(
                      s -> {
                        throw new IllegalStateException("boom");
                      }))
          .isInstanceOf(IllegalStateException.class);
      assertThat(j.append(JournalFixtures::small)).isEqualTo(1);
    }
  }

  @Test
  void batchHonoursLimitsButReturnsAtLeastOneRecord() throws IOException {
    try (Journal j = Journal.open(dir, JournalConfig.defaults())) {
      assertThat(j.batch(10, 1000)).isEmpty();
      for (int i = 0; i < 10; i++) {
        j.append(s -> new byte[100]);
      }
      assertThat(seqs(j.batch(3, Long.MAX_VALUE))).containsExactly(1L, 2L, 3L);
      assertThat(seqs(j.batch(100, 250))).containsExactly(1L, 2L);
      assertThat(seqs(j.batch(100, 10))).containsExactly(1L);
      assertThat(j.pending()).isEqualTo(10); // batch removes nothing
    }
  }

  @Test
  void restartKeepsPendingRecordsAndSeqsKeepIncreasing() throws IOException {
    JournalConfig config = config(1 << 20, 1024);
    try (Journal j = Journal.open(dir, config)) {
      for (int i = 0; i < 100; i++) {
        j.append(JournalFixtures::small);
      }
      j.ackThrough(30);
    }
    try (Journal j = Journal.open(dir, config)) {
      assertThat(j.pending()).isEqualTo(70);
      assertThat(j.lastSeq()).isEqualTo(100);
      List<Record> all = drain(j);
      assertThat(seqs(all)).isEqualTo(LongStream.rangeClosed(31, 100).boxed().toList());
      assertThat(all).allSatisfy(r -> assertThat(r.payload()).isEqualTo(small(r.seq())));
      assertThat(j.append(JournalFixtures::small)).isEqualTo(101);
    }
  }

  @Test
  void ackDeletesWhollyDoneSegmentsButNeverTheCounters() throws IOException {
    JournalConfig config = config(1 << 20, 512);
    try (Journal j = Journal.open(dir, config)) {
      for (int i = 0; i < 200; i++) {
        j.append(JournalFixtures::small);
      }
      int before = segmentNames(dir).size();
      long bytesBefore = j.diskBytes();
      j.ackThrough(100);
      assertThat(segmentNames(dir).size()).isLessThan(before);
      assertThat(j.diskBytes()).isLessThan(bytesBefore);
      assertThat(drain(j).get(0).seq()).isEqualTo(101);
      j.ackThrough(50); // late or repeated acks are harmless
      j.ackThrough(200);
      assertThat(j.pending()).isZero();
      assertThat(j.oldestPendingAppendedAtMillis()).isEmpty();
      assertThat(segmentNames(dir)).hasSize(1);
    }
    try (Journal j = Journal.open(dir, config)) {
      assertThat(j.pending()).isZero();
      assertThat(drain(j)).isEmpty();
      assertThat(j.append(JournalFixtures::small)).isEqualTo(201);
      j.ackThrough(201);
    }
    // Even without the state file the newest segment's name keeps the counter.
    Files.delete(dir.resolve(JournalState.FILE));
    try (Journal j = Journal.open(dir, config)) {
      assertThat(j.append(JournalFixtures::small)).isGreaterThan(201);
    }
  }

  @Test
  void boundDropsTheOldestRecordsAndCountsThem() throws IOException {
    JournalConfig config = config(8 << 10, 1024);
    try (Journal j = Journal.open(dir, config)) {
      for (int i = 0; i < 2000; i++) {
        j.append(JournalFixtures::small);
        assertThat(j.diskBytes()).isLessThanOrEqualTo(config.maxDiskBytes());
      }
      j.ackThrough(5); // an ack of records already dropped changes nothing
      assertThat(j.dropped()).isPositive();
      assertThat(j.pending() + j.dropped()).isEqualTo(2000);
      List<Record> left = drain(j);
      assertThat(seqs(left))
          .isEqualTo(LongStream.rangeClosed(j.dropped() + 1, 2000).boxed().toList());
    }
    try (Journal j = Journal.open(dir, config)) {
      assertThat(j.pending() + j.dropped()).isEqualTo(2000); // the count survives a restart
    }
  }

  @Test
  void refusesAcksOfUnassignedSeqsAndOversizedRecords() throws IOException {
    try (Journal j = Journal.open(dir, JournalConfig.defaults())) {
      j.append(JournalFixtures::small);
      assertThatThrownBy(() -> j.ackThrough(2)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> j.append(s -> new byte[SegmentFormat.MAX_PAYLOAD + 1]))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(j.append(JournalFixtures::small)).isEqualTo(2);
    }
  }

  @Test
  void oldestPendingIsTheFirstUnackedRecord() throws IOException {
    try (Journal j = Journal.open(dir, JournalConfig.defaults())) {
      assertThat(j.oldestPendingAppendedAtMillis()).isEmpty();
      long before = System.currentTimeMillis();
      j.append(JournalFixtures::small);
      j.append(JournalFixtures::small);
      long first = j.oldestPendingAppendedAtMillis().orElseThrow();
      assertThat(first).isBetween(before, System.currentTimeMillis());
      j.ackThrough(1);
      assertThat(j.oldestPendingAppendedAtMillis()).contains(drain(j).get(0).appendedAtMillis());
    }
  }

  @Test
  void zeroSyncIntervalForcesEveryAppendOtherwiseBatchAndSyncForce() throws IOException {
    AtomicInteger forces = new AtomicInteger();
    Journal.Forcer counting =
        ch -> {
          forces.incrementAndGet();
          ch.force(true);
        };
    try (Journal j = Journal.open(dir, JournalConfig.defaults(), counting)) {
      int start = forces.get();
      j.append(JournalFixtures::small);
      j.append(JournalFixtures::small);
      assertThat(forces.get() - start).isEqualTo(2);
    }
    JournalConfig lazy = new JournalConfig(1 << 20, 1024, Duration.ofHours(1));
    try (Journal j = Journal.open(dir, lazy, counting)) {
      int start = forces.get();
      for (int i = 0; i < 5; i++) {
        j.append(JournalFixtures::small);
      }
      assertThat(forces.get()).isEqualTo(start);
      j.batch(1, 1); // never hands out what a power cut could take back
      assertThat(forces.get()).isEqualTo(start + 1);
      j.append(JournalFixtures::small);
      j.sync();
      j.sync();
      assertThat(forces.get()).isEqualTo(start + 2);
    }
  }

  @Test
  void failedFsyncIsNeverRetriedAndTheNextAppendGoesToANewSegment() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    int[] failOn = {-1};
    Journal.Forcer flaky =
        ch -> {
          if (calls.incrementAndGet() == failOn[0]) {
            throw new IOException("EIO (simulated)");
          }
          ch.force(true);
        };
    try (Journal j = Journal.open(dir, config(1 << 20, 1 << 16), flaky)) {
      j.append(JournalFixtures::small);
      j.append(JournalFixtures::small);
      failOn[0] = calls.get() + 1;
      assertThatThrownBy(() -> j.append(JournalFixtures::small)).hasMessageContaining("EIO");
      long next = j.append(JournalFixtures::small);
      assertThat(next).isEqualTo(4); // seq 3 is spent, whether or not its record survived
      assertThat(segmentNames(dir)).contains(String.format("%020d.seg", next));
      List<Long> seqs = seqs(drain(j));
      assertThat(seqs).startsWith(1L, 2L).endsWith(4L).isSorted().doesNotHaveDuplicates();
    }
    try (Journal j = Journal.open(dir, config(1 << 20, 1 << 16))) {
      assertThat(seqs(drain(j))).startsWith(1L, 2L).endsWith(4L);
      assertThat(j.append(JournalFixtures::small)).isEqualTo(5);
      assertThat(j.dropped()).isZero();
    }
  }

  @Test
  void uploaderThreadSeesEveryRecordOnceWhileTheDaemonAppends() throws Exception {
    int n = 3000;
    try (Journal j = Journal.open(dir, new JournalConfig(1 << 20, 512, Duration.ofMillis(5)))) {
      Thread appender =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < n; i++) {
                    j.append(JournalFixtures::small);
                  }
                } catch (IOException e) {
                  throw new RuntimeException(e);
                }
              });
      appender.start();
      List<Long> seen = new ArrayList<>();
      while (seen.size() < n) {
        List<Record> b = j.batch(50, 4096);
        if (!b.isEmpty()) {
          seen.addAll(seqs(b));
          j.ackThrough(b.get(b.size() - 1).seq());
        }
      }
      appender.join();
      assertThat(seen).isEqualTo(LongStream.rangeClosed(1, n).boxed().toList());
      assertThat(j.pending()).isZero();
    }
  }
}

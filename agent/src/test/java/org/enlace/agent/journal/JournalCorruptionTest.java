package org.enlace.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.enlace.agent.journal.JournalFixtures.config;
import static org.enlace.agent.journal.JournalFixtures.drain;
import static org.enlace.agent.journal.JournalFixtures.restore;
import static org.enlace.agent.journal.JournalFixtures.segmentNames;
import static org.enlace.agent.journal.JournalFixtures.seqs;
import static org.enlace.agent.journal.JournalFixtures.small;
import static org.enlace.agent.journal.JournalFixtures.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged journals always open, keep every record before the damage, count what the damage took,
 * and never reuse a seq.
 */
class JournalCorruptionTest {
  private static final JournalConfig CONFIG = config(1 << 20, 1024);

  /** Records in the journal built by {@link #journalOfN()}. */
  private long n;

  @TempDir Path dir;

  /** Over 120 small records: a few sealed (gzip) segments and an active one with several. */
  private Map<String, byte[]> journalOfN() throws IOException {
    try (Journal j = Journal.open(dir, CONFIG)) {
      do {
        n = j.append(JournalFixtures::small);
      } while (n < 120 || n - firstSeq(activeName()) < 6);
    }
    assertThat(segmentNames(dir)).hasSizeGreaterThan(3);
    return snapshot(dir);
  }

  private String activeName() throws IOException {
    return segmentNames(dir).stream().filter(s -> s.endsWith(".seg")).findFirst().orElseThrow();
  }

  private static long firstSeq(String segmentName) {
    return SegmentFormat.Name.parse(segmentName).orElseThrow().firstSeq();
  }

  @Test
  void tornActiveSegmentAtEveryOffsetKeepsEveryWholeRecord() throws IOException {
    Map<String, byte[]> pristine = journalOfN();
    String activeName = activeName();
    byte[] active = pristine.get(activeName);
    long first = firstSeq(activeName);
    List<Record> inActive = SegmentFormat.scan(active, first).records();
    assertThat(inActive).hasSizeGreaterThan(3);

    for (int cut = 0; cut < active.length; cut++) {
      restore(dir, pristine);
      Files.write(dir.resolve(activeName), Arrays.copyOf(active, cut));
      long whole = 0; // records of the active segment that end at or before the cut
      for (int end = SegmentFormat.HEADER.length, i = 0; i < inActive.size(); i++) {
        end += SegmentFormat.RECORD_HEADER + inActive.get(i).payload().length;
        whole += end <= cut ? 1 : 0;
      }
      List<Long> expected = LongStream.range(1, first + whole).boxed().toList();
      try (Journal j = Journal.open(dir, CONFIG)) {
        List<Record> kept = drain(j);
        assertThat(seqs(kept)).as("cut at %d", cut).isEqualTo(expected);
        assertThat(kept).allSatisfy(r -> assertThat(r.payload()).isEqualTo(small(r.seq())));
        assertThat(j.dropped()).as("a torn tail is not a drop").isZero();
        assertThat(j.append(JournalFixtures::small)).isEqualTo(n + 1); // state kept lastSeq
      }
      try (Journal j = Journal.open(dir, CONFIG)) { // the repair holds
        assertThat(seqs(drain(j)))
            .hasSize(expected.size() + 1)
            .startsWith(expected.toArray(Long[]::new))
            .endsWith(n + 1);
        assertThat(j.dropped()).isZero();
      }
    }
  }

  @Test
  void flippedByteInAnySegmentLosesOnlyThatSegmentsTailAndCountsIt() throws IOException {
    Map<String, byte[]> pristine = journalOfN();
    List<String> names = pristine.keySet().stream().filter(n -> n.contains(".seg")).toList();
    Random random = new Random(42);
    for (int trial = 0; trial < 400; trial++) {
      int which = random.nextInt(names.size());
      String name = names.get(which);
      byte[] damaged = pristine.get(name).clone();
      int offset = random.nextInt(damaged.length);
      damaged[offset] ^= (byte) (1 + random.nextInt(255));
      restore(dir, pristine);
      Files.write(dir.resolve(name), damaged);

      long a = firstSeq(name);
      long b = which + 1 < names.size() ? firstSeq(names.get(which + 1)) - 1 : n;
      boolean isActive = which == names.size() - 1;
      String what = "trial " + trial + ": byte " + offset + " of " + name;
      try (Journal j = Journal.open(dir, CONFIG)) {
        List<Record> kept = drain(j);
        assertThat(kept)
            .as(what)
            .allSatisfy(r -> assertThat(r.payload()).isEqualTo(small(r.seq())));
        List<Long> seqs = seqs(kept);
        // Everything outside the damaged segment, and a prefix a..k of it.
        long k = seqs.stream().filter(s -> s >= a && s <= b).mapToLong(s -> s).max().orElse(a - 1);
        List<Long> expected =
            LongStream.rangeClosed(1, n).filter(s -> s < a || s > b || s <= k).boxed().toList();
        assertThat(seqs).as(what).isEqualTo(expected);
        if (name.endsWith(".seg")) { // every record ending before the flipped byte survives
          long before = a - 1;
          int end = SegmentFormat.HEADER.length;
          for (Record r : SegmentFormat.scan(pristine.get(name), a).records()) {
            end += SegmentFormat.RECORD_HEADER + r.payload().length;
            if (end <= offset && offset >= SegmentFormat.HEADER.length) {
              before = r.seq();
            }
          }
          assertThat(k).as(what).isGreaterThanOrEqualTo(before);
        }
        // Counted exactly, except damage in the newest record, which looks like a torn tail.
        if (!(isActive && k == b - 1 && j.dropped() == 0)) {
          assertThat(j.dropped()).as(what).isEqualTo(b - k);
        }
        assertThat(j.append(JournalFixtures::small)).as(what).isEqualTo(n + 1);
      }
      long droppedOnce;
      try (Journal j = Journal.open(dir, CONFIG)) { // repaired: nothing counted twice
        droppedOnce = j.dropped();
        assertThat(seqs(drain(j))).as(what).endsWith(n + 1).isSorted().doesNotHaveDuplicates();
      }
      try (Journal j = Journal.open(dir, CONFIG)) {
        assertThat(j.dropped()).as(what).isEqualTo(droppedOnce);
      }
    }
  }

  @Test
  void manyFlipsAnywhereStillOpenWithIncreasingSeqs() throws IOException {
    Map<String, byte[]> pristine = journalOfN();
    List<String> names = List.copyOf(pristine.keySet());
    Random random = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      restore(dir, pristine);
      boolean stateDamaged = false;
      for (int flips = 1 + random.nextInt(8); flips > 0; flips--) {
        Path p = dir.resolve(names.get(random.nextInt(names.size())));
        stateDamaged |= p.endsWith(JournalState.FILE);
        byte[] bytes = Files.readAllBytes(p);
        bytes[random.nextInt(bytes.length)] ^= (byte) (1 + random.nextInt(255));
        Files.write(p, bytes);
      }
      try (Journal j = Journal.open(dir, CONFIG)) {
        List<Record> kept = drain(j);
        assertThat(kept).allSatisfy(r -> assertThat(r.payload()).isEqualTo(small(r.seq())));
        assertThat(seqs(kept)).isSorted().doesNotHaveDuplicates().allMatch(s -> s <= n);
        long next = j.append(JournalFixtures::small);
        assertThat(next).isGreaterThan(kept.isEmpty() ? 0 : kept.get(kept.size() - 1).seq());
        if (!stateDamaged) { // without it, damage to the newest record looks like a torn tail
          assertThat(next).isEqualTo(n + 1);
        }
      }
    }
  }

  @Test
  void lostOrDamagedStateFileResendsButNeverLosesOrReusesSeqs() throws IOException {
    try (Journal j = Journal.open(dir, CONFIG)) {
      for (n = 1; n <= 120; n++) {
        j.append(JournalFixtures::small);
      }
      n = j.lastSeq();
      j.ackThrough(70);
    }
    Map<String, byte[]> pristine = snapshot(dir);
    Path state = dir.resolve(JournalState.FILE);
    Random random = new Random(3);
    for (int trial = 0; trial < 50; trial++) {
      restore(dir, pristine);
      byte[] bytes = Files.readAllBytes(state);
      switch (trial % 3) {
        case 0 -> Files.delete(state);
        case 1 -> {
          bytes[random.nextInt(bytes.length)] ^= (byte) (1 + random.nextInt(255));
          Files.write(state, bytes);
        }
        default -> Files.write(state, Arrays.copyOf(bytes, random.nextInt(bytes.length)));
      }
      try (Journal j = Journal.open(dir, CONFIG)) {
        List<Long> seqs = seqs(drain(j));
        // At least once: acked records of the oldest segment come again; none are lost.
        assertThat(seqs).endsWith(LongStream.rangeClosed(71, n).boxed().toArray(Long[]::new));
        assertThat(seqs).isEqualTo(LongStream.rangeClosed(seqs.get(0), n).boxed().toList());
        assertThat(j.append(JournalFixtures::small)).isEqualTo(n + 1);
      }
    }
  }

  @Test
  void everyCrashPointOfSealingLeavesEachRecordExactlyOnce() throws IOException {
    Map<String, byte[]> pristine = journalOfN();
    String sealed =
        pristine.keySet().stream().filter(n -> n.endsWith(".seg.gz")).findFirst().orElseThrow();
    String raw = sealed.substring(0, sealed.length() - ".gz".length());
    byte[] gz = pristine.get(sealed);
    byte[] rawBytes = SegmentFormat.decompress(gz).bytes();
    List<Long> all = LongStream.rangeClosed(1, n).boxed().toList();

    // Raw only (crash before the rename); both (after the rename, before deleting the raw);
    // a partial temp beside the raw (crash while writing it); a partial state temp.
    for (int point = 0; point < 4; point++) {
      restore(dir, pristine);
      switch (point) {
        case 0 -> {
          Files.delete(dir.resolve(sealed));
          Files.write(dir.resolve(raw), rawBytes);
        }
        case 1 -> Files.write(dir.resolve(raw), rawBytes);
        case 2 -> {
          Files.delete(dir.resolve(sealed));
          Files.write(dir.resolve(raw), rawBytes);
          Files.write(dir.resolve(sealed + ".tmp"), Arrays.copyOf(gz, gz.length / 2));
        }
        default -> Files.write(dir.resolve(JournalState.FILE + ".tmp"), new byte[] {1, 2});
      }
      try (Journal j = Journal.open(dir, CONFIG)) {
        assertThat(seqs(drain(j))).as("crash point %d", point).isEqualTo(all);
        assertThat(j.dropped()).isZero();
        assertThat(j.append(JournalFixtures::small)).isEqualTo(n + 1);
      }
      assertThat(segmentNames(dir))
          .contains(sealed)
          .doesNotContain(raw)
          .noneMatch(n -> n.endsWith(".tmp"));
      assertThat(Files.exists(dir.resolve(JournalState.FILE + ".tmp"))).isFalse();
    }
  }
}

package org.enlace.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.NavigableSet;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability under SIGKILL, the way SQLite and Vector test theirs (field-lessons A.1): a child JVM
 * appends with fsync on every append and is killed at random moments, hundreds of times, also while
 * it opens (recovers) and while it seals segments (tiny segments seal every few appends). After
 * each kill the journal must open and hold every seq the child was told was durable, exactly once,
 * in order, and hand out a higher seq next.
 */
class JournalCrashTest {
  /** Tiny segments so that sealing (compress, rename, delete) is always close by. */
  static final JournalConfig CONFIG = JournalFixtures.config(1 << 20, 512);

  private static final int KILLS_PER_WORKER = 160;
  private static final Pattern LINE = Pattern.compile("([atk]) (\\d+) end");

  @TempDir Path tmp;

  /** What one worker saw. */
  private record Stats(int kills, int killsBeforeOpen, int interruptedSeals, long appends) {}

  @Test
  void everyAppendThatReturnedSurvivesSigkill() throws Exception {
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Stats>> workers =
          List.of(
              pool.submit(() -> killRepeatedly(tmp.resolve("a"), 1)),
              pool.submit(() -> killRepeatedly(tmp.resolve("b"), 2)));
      int kills = 0;
      int beforeOpen = 0;
      int seals = 0;
      long appends = 0;
      for (Future<Stats> f : workers) {
        Stats s = f.get();
        kills += s.kills();
        beforeOpen += s.killsBeforeOpen();
        seals += s.interruptedSeals();
        appends += s.appends();
      }
      System.out.printf(
          "crash test: %d SIGKILLs (%d before or during open, %d left an"
              + " interrupted seal or temp file), %d durable appends checked, %.1f s%n",
          kills, beforeOpen, seals, appends, (System.nanoTime() - start) / 1e9);
      assertThat(seals).as("kills that hit sealing").isPositive();
    } finally {
      pool.shutdownNow();
    }
  }

  private Stats killRepeatedly(Path dir, long seed) throws Exception {
    Random random = new Random(seed);
    NavigableSet<Long> durable = new TreeSet<>(); // seqs whose append() returned
    long acked = 0; // highest seq whose ackThrough() returned
    long ackTried = 0; // highest seq passed to ackThrough(), which may or may not have returned
    long highestSeen = 0;
    int beforeOpen = 0;
    int interruptedSeals = 0;
    Path stderr = tmp.resolve("child-" + seed + ".err");
    for (int kill = 0; kill < KILLS_PER_WORKER; kill++) {
      Process child =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-XX:TieredStopAtLevel=1",
                  "-Xshare:auto",
                  "-XX:+UseSerialGC",
                  "-Xmx64m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  JournalCrashChild.class.getName(),
                  dir.toString(),
                  Long.toString(random.nextLong()))
              .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
              .start();
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
        if (random.nextInt(6) == 0) { // during start-up or recovery
          beforeOpen++;
          Thread.sleep(random.nextInt(250));
        } else {
          assertThat(out.readLine()).as("child started; see %s", stderr).isEqualTo("open end");
          Thread.sleep(random.nextInt(40));
        }
        // SIGKILL. Through the handle: Process.destroyForcibly() would also close our end of the
        // pipe, losing the lines the child printed just before it died.
        child.toHandle().destroyForcibly();
        child.waitFor();
        for (String line; (line = out.readLine()) != null; ) {
          Matcher m = LINE.matcher(line);
          if (m.matches()) {
            long seq = Long.parseLong(m.group(2));
            switch (m.group(1)) {
              case "a" -> durable.add(seq);
              case "t" -> ackTried = Math.max(ackTried, seq);
              default -> acked = Math.max(acked, seq);
            }
          }
        }
      }
      interruptedSeals += interruptedSeal(dir) ? 1 : 0;

      try (Journal j = Journal.open(dir, CONFIG)) {
        List<Long> seqs = JournalFixtures.seqs(JournalFixtures.drain(j));
        String at = "after kill " + kill + " in " + dir;
        assertThat(seqs).as(at).isSorted().doesNotHaveDuplicates();
        long ackedSoFar = acked;
        assertThat(seqs).as(at + ": acked seqs never come back").allMatch(s -> s > ackedSoFar);
        assertThat(seqs)
            .as(at + ": durable seqs are all there")
            .containsAll(durable.tailSet(ackTried, false));
        assertThat(j.dropped()).as(at).isZero();
        highestSeen =
            Math.max(
                highestSeen,
                Math.max(
                    durable.isEmpty() ? 0 : durable.last(),
                    seqs.isEmpty() ? 0 : seqs.get(seqs.size() - 1)));
        long next = j.append(JournalFixtures::small);
        assertThat(next).as(at + ": next seq").isGreaterThan(highestSeen);
        durable.add(next);
        highestSeen = next;
      }
    }
    return new Stats(KILLS_PER_WORKER, beforeOpen, interruptedSeals, durable.size());
  }

  /** A raw segment that is not the newest, a raw and gz pair, or a temp file. */
  private static boolean interruptedSeal(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    List<String> names = JournalFixtures.segmentNames(dir);
    long raw = names.stream().filter(n -> n.endsWith(".seg")).count();
    try (var files = Files.list(dir)) {
      return raw > 1
          || files.anyMatch(p -> p.toString().endsWith(".tmp"))
          || names.stream()
              .anyMatch(n -> n.endsWith(".gz") && names.contains(n.substring(0, n.length() - 3)));
    }
  }
}

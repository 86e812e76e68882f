package org.enlace.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Model-based test in the manner of Vector's disk buffer suite: random appends, batches, acks,
 * syncs and restarts against the journal and a sorted map, which must always agree. (jqwik's
 * stateful testing would shrink failures; it is not a dependency, so seeds are fixed instead.)
 */
class JournalModelTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void agreesWithAnInMemoryQueue(long seed) throws IOException {
    Random random = new Random(seed);
    JournalConfig config =
        new JournalConfig(
            1 << 20,
            256 + random.nextInt(2048),
            random.nextBoolean() ? Duration.ZERO : Duration.ofMillis(random.nextInt(50)));
    TreeMap<Long, byte[]> model = new TreeMap<>();
    long lastSeq = 0;
    Journal j = Journal.open(dir, config);
    try {
      for (int step = 0; step < 3000; step++) {
        int op = random.nextInt(100);
        String at = "seed " + seed + " step " + step;
        if (op < 55) {
          byte[] payload = new byte[random.nextInt(random.nextInt(10) == 0 ? 3000 : 200)];
          random.nextBytes(payload);
          lastSeq = j.append(s -> payload);
          model.put(lastSeq, payload);
        } else if (op < 85) {
          int maxRecords = 1 + random.nextInt(20);
          long maxBytes = random.nextInt(3000);
          List<Record> batch = j.batch(maxRecords, maxBytes);
          List<Map.Entry<Long, byte[]>> expected = new ArrayList<>();
          long bytes = 0;
          for (var e : model.entrySet()) {
            if (!expected.isEmpty()
                && (expected.size() >= maxRecords || bytes + e.getValue().length > maxBytes)) {
              break;
            }
            expected.add(e);
            bytes += e.getValue().length;
          }
          assertThat(JournalFixtures.seqs(batch))
              .as(at)
              .isEqualTo(expected.stream().map(Map.Entry::getKey).toList());
          for (int i = 0; i < batch.size(); i++) {
            assertThat(batch.get(i).payload()).as(at).isEqualTo(expected.get(i).getValue());
          }
          if (!batch.isEmpty() && random.nextInt(3) > 0) {
            long through = batch.get(random.nextInt(batch.size())).seq();
            j.ackThrough(through);
            model.headMap(through, true).clear();
          }
        } else if (op < 90) {
          long through = Math.max(0, lastSeq - random.nextInt(30));
          j.ackThrough(through); // also late and repeated acks
          model.headMap(through, true).clear();
        } else if (op < 95) {
          j.sync();
        } else {
          j.close();
          j = Journal.open(dir, config);
        }
        assertThat(j.lastSeq()).as(at).isEqualTo(lastSeq);
        assertThat(j.pending()).as(at).isEqualTo(model.size());
        assertThat(j.oldestPendingAppendedAtMillis().isPresent())
            .as(at)
            .isEqualTo(!model.isEmpty());
        assertThat(j.dropped()).as(at).isZero();
      }
    } finally {
      j.close();
    }
  }
}

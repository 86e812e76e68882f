package org.enlace.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The requirement: 30 days of 1-minute observations in 8 MB, 60 days within the defaults. */
class JournalSizeTest {
  private static final int DAY = 24 * 60;

  @TempDir Path dir;

  @Test
  void thirtyDaysFitInEightMegabytesAndSixtyDaysInTheDefaultBound() throws IOException {
    JournalConfig defaults = JournalConfig.defaults();
    // Default limits; only fsync is relaxed, which changes nothing on disk and saves 86,400 of
    // them.
    JournalConfig config =
        new JournalConfig(defaults.maxDiskBytes(), defaults.segmentBytes(), Duration.ofHours(1));
    long rawBytes = 0;
    try (Journal j = Journal.open(dir, config)) {
      for (int i = 1; i <= 60 * DAY; i++) {
        rawBytes += JournalFixtures.observation(i).length;
        j.append(JournalFixtures::observation);
        if (i == 30 * DAY) {
          report("30 days", j, rawBytes);
          assertThat(j.diskBytes()).isLessThanOrEqualTo(8L << 20);
        }
      }
      report("60 days", j, rawBytes);
      assertThat(j.dropped()).isZero();
      assertThat(j.pending()).isEqualTo(60 * DAY);
      assertThat(j.diskBytes()).isLessThanOrEqualTo(defaults.maxDiskBytes());
    }
    try (Journal j = Journal.open(dir, config)) { // and it all reads back
      int n = 0;
      for (Record r : JournalFixtures.drain(j)) {
        assertThat(r.seq()).isEqualTo(++n);
      }
      assertThat(n).isEqualTo(60 * DAY);
    }
  }

  private void report(String label, Journal j, long rawBytes) throws IOException {
    int segmentFiles = JournalFixtures.segmentNames(dir).size();
    System.out.printf(
        "journal size after %s (%d records): %d bytes on disk (%d segment files),"
            + " payload %d bytes%n",
        label, j.lastSeq(), j.diskBytes(), segmentFiles, rawBytes);
  }
}

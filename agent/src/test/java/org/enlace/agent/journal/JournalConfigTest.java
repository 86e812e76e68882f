package org.enlace.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link JournalConfig}'s limits (journal.* in agent.properties). */
class JournalConfigTest {
  @Test
  void defaults() {
    JournalConfig c = JournalConfig.defaults();
    assertThat(c.maxDiskBytes()).isEqualTo(16L << 20);
    assertThat(c.segmentBytes()).isEqualTo(128L << 10);
    assertThat(c.syncInterval()).isEqualTo(Duration.ZERO);
  }

  @Test
  void theEdgesOfEveryRangeAreAccepted() {
    assertThat(new JournalConfig(512, 256, Duration.ZERO).segmentBytes()).isEqualTo(256);
    assertThat(new JournalConfig(1L << 30, 16L << 20, Duration.ofDays(1)).maxDiskBytes())
        .isEqualTo(1L << 30);
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheFieldAndTheRange() {
    assertThatThrownBy(() -> new JournalConfig(1 << 20, 255, Duration.ZERO))
        .hasMessage("segmentBytes must be between 256 and 16777216: 255");
    assertThatThrownBy(() -> new JournalConfig(64L << 20, (16L << 20) + 1, Duration.ZERO))
        .hasMessage("segmentBytes must be between 256 and 16777216: 16777217");
    assertThatThrownBy(() -> new JournalConfig(511, 256, Duration.ZERO))
        .hasMessage("maxDiskBytes must be at least twice segmentBytes (256): 511");
    assertThatThrownBy(() -> new JournalConfig((1L << 30) + 1, 1024, Duration.ZERO))
        .hasMessage("maxDiskBytes must be between twice segmentBytes and 1073741824: 1073741825");
    assertThatThrownBy(() -> new JournalConfig(1 << 20, 1024, Duration.ofMillis(-1)))
        .hasMessage("syncInterval must be between 0 and 1 day: PT-0.001S");
    assertThatThrownBy(() -> new JournalConfig(1 << 20, 1024, Duration.ofDays(1).plusMillis(1)))
        .hasMessage("syncInterval must be between 0 and 1 day: PT24H0.001S");
    assertThatThrownBy(() -> new JournalConfig(1 << 20, 1024, null))
        .hasMessage("syncInterval is null");
  }
}

package org.enlace.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class AgentConfigTest {
  @Test
  void shippedSampleFileSaysExactlyTheDefaults() throws Exception {
    AgentConfig sample = AgentConfig.load(Path.of("packaging", AgentConfig.FILE_NAME));
    assertThat(sample).isEqualTo(AgentConfig.defaults());
  }

  @Test
  void defaults() {
    AgentConfig c = AgentConfig.defaults();
    assertThat(c.interval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.journal().syncInterval()).isEqualTo(Duration.ZERO);
    assertThat(c.probes().httpTargets()).contains(URI.create("https://www.gov.co/"));
    assertThat(c.serverUrl()).isEmpty();
  }

  @Test
  void durationsAndSizes() {
    Properties p = new Properties();
    p.setProperty("a", "500ms");
    p.setProperty("b", "2h");
    p.setProperty("c", "90");
    p.setProperty("s", "16MiB");
    assertThat(AgentConfig.duration(p, "a", "")).isEqualTo(Duration.ofMillis(500));
    assertThat(AgentConfig.duration(p, "b", "")).isEqualTo(Duration.ofHours(2));
    assertThat(AgentConfig.duration(p, "c", "")).isEqualTo(Duration.ofSeconds(90));
    assertThat(AgentConfig.size(p, "s", "")).isEqualTo(16L << 20);
    p.setProperty("bad", "soon");
    assertThatThrownBy(() -> AgentConfig.duration(p, "bad", "")).hasMessageContaining("bad");
  }

  @Test
  void captivePortalCheckCanBeSwitchedOff() {
    Properties p = new Properties();
    p.setProperty("captivePortal.url", "");
    assertThat(AgentConfig.from(p).probes().captivePortalUrl()).isEmpty();
    assertThat(AgentConfig.defaults().probes().captivePortalUrl()).isPresent();
  }

  @Test
  void serverPingIsAlwaysChecked() {
    Properties p = new Properties();
    p.setProperty("server.url", "https://enlace.example.gov.co");
    AgentConfig c = AgentConfig.from(p);
    assertThat(c.probesWithServer().httpTargets().get(0))
        .isEqualTo(URI.create("https://enlace.example.gov.co/api/v1/ping"));
  }

  private static AgentConfig with(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return AgentConfig.from(p);
  }

  @Test
  void mapsEveryRangedKey() {
    AgentConfig c =
        with(
            "check.interval", "5m",
            "check.jitter", "5m",
            "check.timeout", "100ms",
            "upload.batchMaxObservations", "5000",
            "upload.batchMaxBytes", "1MiB",
            "upload.minBackoff", "1h",
            "upload.maxBackoff", "1d",
            "upload.timeout", "10m",
            "journal.maxDiskBytes", "256KiB",
            "journal.syncInterval", "1d",
            "log.maxBytes", "64KiB",
            "log.files", "1");
    assertThat(c.interval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.jitter()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.probes().timeout()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.batchMaxObservations()).isEqualTo(5000);
    assertThat(c.batchMaxBytes()).isEqualTo(1L << 20);
    assertThat(c.minBackoff()).isEqualTo(Duration.ofHours(1));
    assertThat(c.maxBackoff()).isEqualTo(Duration.ofDays(1));
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.journal().maxDiskBytes()).isEqualTo(256L << 10);
    assertThat(c.journal().syncInterval()).isEqualTo(Duration.ofDays(1));
    assertThat(c.logMaxBytes()).isEqualTo(64L << 10);
    assertThat(c.logFiles()).isEqualTo(1);
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheKeyAndTheRange() {
    String[][] cases = {
      {"check.interval", "0s", "check.interval: '0s' must be between 1s and 1h"},
      {"check.interval", "61m", "check.interval: '61m' must be between 1s and 1h"},
      {"check.timeout", "99ms", "check.timeout: '99ms' must be between 100ms and 1m"},
      {"check.timeout", "61s", "check.timeout: '61s' must be between 100ms and 1m"},
      {
        "upload.batchMaxObservations",
        "0",
        "upload.batchMaxObservations: '0' must be between 1 and 5000"
      },
      {
        "upload.batchMaxObservations",
        "5001",
        "upload.batchMaxObservations: '5001' must be between 1 and 5000"
      },
      {
        "upload.batchMaxBytes", "1023", "upload.batchMaxBytes: '1023' must be between 1KiB and 1MiB"
      },
      {
        "upload.batchMaxBytes",
        "1025KiB",
        "upload.batchMaxBytes: '1049600' must be between 1KiB and 1MiB"
      },
      {"upload.minBackoff", "0s", "upload.minBackoff: '0s' must be between 100ms and 1h"},
      {"upload.maxBackoff", "2d", "upload.maxBackoff: '2d' must be between 1s and 1d"},
      {"upload.timeout", "0s", "upload.timeout: '0s' must be between 1s and 10m"},
      {"upload.timeout", "11m", "upload.timeout: '11m' must be between 1s and 10m"},
      {"log.maxBytes", "63KiB", "log.maxBytes: '64512' must be between 64KiB and 100MiB"},
      {"log.files", "0", "log.files: '0' must be between 1 and 100"},
      {"log.files", "101", "log.files: '101' must be between 1 and 100"},
      {
        "journal.maxDiskBytes", "255KiB", "journal.maxDiskBytes must be at least twice segmentBytes"
      },
      {"journal.syncInterval", "2d", "journal.syncInterval must be between 0 and 1 day"},
      {"speedTest.connections", "17", "speedTest.connections: '17' must be between 1 and 16"},
      {
        "speedTest.mlab.maxBytes",
        "1023KiB",
        "speedTest.mlab.maxBytes: '1047552' must be between 1MiB and 1024MiB"
      },
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> with(c[0], c[1]))
          .as(c[0] + "=" + c[1])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(c[2]);
    }
  }

  @Test
  void crossKeyRules() {
    // Rounds vary by ± half the jitter: a jitter longer than the interval would overlap them.
    assertThatThrownBy(() -> with("check.interval", "30s", "check.jitter", "31s"))
        .hasMessage("check.jitter: '31s' must be between 0s and check.interval (30s)");
    assertThat(with("check.interval", "30s", "check.jitter", "30s").jitter())
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(with("check.jitter", "0s").jitter()).isZero();
    assertThatThrownBy(() -> with("upload.minBackoff", "20m"))
        .hasMessage("upload.minBackoff: '20m' must not be longer than upload.maxBackoff (15m)");
    assertThat(with("upload.minBackoff", "15m").minBackoff()).isEqualTo(Duration.ofMinutes(15));
    // The end-to-end tests' fast agent stays valid.
    AgentConfig fast =
        with(
            "check.interval", "1s",
            "check.jitter", "200ms",
            "check.timeout", "2s",
            "upload.minBackoff", "1s",
            "upload.maxBackoff", "2s");
    assertThat(fast.interval()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void durationsAreWrittenBackAsInTheFile() {
    assertThat(AgentConfig.text(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(AgentConfig.text(Duration.ZERO)).isEqualTo("0s");
    assertThat(AgentConfig.text(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(AgentConfig.text(Duration.ofMinutes(15))).isEqualTo("15m");
    assertThat(AgentConfig.text(Duration.ofHours(2))).isEqualTo("2h");
    assertThat(AgentConfig.text(Duration.ofDays(1))).isEqualTo("1d");
  }
}

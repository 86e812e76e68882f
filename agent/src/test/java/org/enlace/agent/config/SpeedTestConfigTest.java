package org.enlace.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** {@link SpeedTestConfig}: speedTest.* in agent.properties. */
class SpeedTestConfigTest {
  static final URI LOCATE = URI.create(SpeedTestConfig.DEFAULT_LOCATE_URL);

  @Test
  void defaults() {
    SpeedTestConfig c = AgentConfig.defaults().speedTest();
    assertThat(c.enabled()).isTrue();
    assertThat(c.connections()).isEqualTo(1);
    assertThat(c.mlabEnabled()).isFalse();
    assertThat(c.mlabLocateUrl()).isEqualTo(LOCATE);
    assertThat(c.mlabMaxBytes()).isEqualTo(40L << 20);
  }

  @Test
  void mapsEveryKey() {
    Properties p = new Properties();
    p.setProperty("speedTest.enabled", "false");
    p.setProperty("speedTest.connections", "16");
    p.setProperty("speedTest.mlab.enabled", "true");
    p.setProperty("speedTest.mlab.locateUrl", "https://locate.example.org/v2/ndt7");
    p.setProperty("speedTest.mlab.maxBytes", "1MiB");
    SpeedTestConfig c = AgentConfig.from(p).speedTest();
    assertThat(c)
        .isEqualTo(
            new SpeedTestConfig(
                false, 16, true, URI.create("https://locate.example.org/v2/ndt7"), 1L << 20));
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheKeyAndTheRange() {
    assertThatThrownBy(() -> new SpeedTestConfig(true, 0, false, LOCATE, 40L << 20))
        .hasMessage("speedTest.connections: '0' must be between 1 and 16");
    assertThatThrownBy(() -> new SpeedTestConfig(true, 17, false, LOCATE, 40L << 20))
        .hasMessage("speedTest.connections: '17' must be between 1 and 16");
    assertThatThrownBy(() -> new SpeedTestConfig(true, 1, false, LOCATE, (1L << 20) - 1))
        .hasMessage("speedTest.mlab.maxBytes: '1048575' must be between 1MiB and 1024MiB");
    assertThatThrownBy(() -> new SpeedTestConfig(true, 1, false, LOCATE, (1L << 30) + 1))
        .hasMessage("speedTest.mlab.maxBytes: '1073741825' must be between 1MiB and 1024MiB");
    assertThat(new SpeedTestConfig(true, 1, false, LOCATE, 1L << 30).mlabMaxBytes())
        .isEqualTo(1L << 30);
  }
}

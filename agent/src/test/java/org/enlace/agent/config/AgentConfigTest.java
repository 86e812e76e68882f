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
}

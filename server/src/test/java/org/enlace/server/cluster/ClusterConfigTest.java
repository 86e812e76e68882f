package org.enlace.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.enlace.server.testing.Configs.errors;
import static org.enlace.server.testing.Configs.read;

import io.dropwizard.util.Duration;
import org.junit.jupiter.api.Test;

/** {@code cluster:} in config.yml: defaults, mapping and limits. */
class ClusterConfigTest {
  @Test
  void defaults() {
    ClusterConfig c = new ClusterConfig();
    assertThat(c.getHeartbeat()).isEqualTo(Duration.seconds(5));
    assertThat(c.getLeaseDuration()).isEqualTo(Duration.seconds(15));
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void mapsEveryKey() {
    ClusterConfig c =
        read(
            """
            heartbeat: 2 seconds
            leaseDuration: 10 seconds
            """,
            ClusterConfig.class);
    assertThat(c.getHeartbeat()).isEqualTo(Duration.seconds(2));
    assertThat(c.getLeaseDuration()).isEqualTo(Duration.seconds(10));
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void aLeaseOfFewerThanTwoHeartbeatsIsRefused() {
    ClusterConfig c =
        new ClusterConfig()
            .setHeartbeat(Duration.seconds(10))
            .setLeaseDuration(Duration.seconds(15));
    assertThat(errors(c).values()).anyMatch(e -> e.contains("at least twice cluster.heartbeat"));
  }

  @Test
  void limits() {
    assertThat(errors(new ClusterConfig().setHeartbeat(Duration.milliseconds(50)))).isNotEmpty();
    assertThat(errors(new ClusterConfig().setLeaseDuration(Duration.minutes(11)))).isNotEmpty();
  }
}

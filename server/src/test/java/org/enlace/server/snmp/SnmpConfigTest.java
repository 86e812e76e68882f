package org.enlace.server.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.enlace.server.testing.Configs.errors;
import static org.enlace.server.testing.Configs.read;

import io.dropwizard.util.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code snmp:} in config.yml: defaults, mapping and limits. */
class SnmpConfigTest {
  @Test
  void defaults() {
    SnmpConfig c = new SnmpConfig();
    assertThat(c.isEnabled()).isTrue();
    assertThat(c.getInterval()).isEqualTo(Duration.seconds(60));
    assertThat(c.getTimeout()).isEqualTo(Duration.seconds(2));
    assertThat(c.getRetries()).isEqualTo(1);
    assertThat(c.getMaxConcurrentPolls()).isEqualTo(256);
    assertThat(c.getMaxVarbindsPerRequest()).isEqualTo(40);
    assertThat(c.getBulkRepetitions()).isEqualTo(25);
    assertThat(c.getMaxSampleInterval()).isEqualTo(Duration.minutes(5));
    assertThat(c.getSampleRetention()).isEqualTo(Duration.days(400));
    assertThat(c.getCredentialKeys()).isEmpty();
    assertThat(c.getActiveCredentialKey()).isEmpty();
    assertThat(c.getTraps().isEnabled()).isFalse();
    assertThat(c.getTraps().getBindAddress()).isEqualTo("0.0.0.0");
    assertThat(c.getTraps().getPort()).isEqualTo(1162);
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void mapsEveryKey() {
    SnmpConfig c =
        read(
            """
            enabled: false
            interval: 5 minutes
            timeout: 500 milliseconds
            retries: 3
            maxConcurrentPolls: 64
            maxVarbindsPerRequest: 20
            bulkRepetitions: 10
            maxSampleInterval: 15 minutes
            sampleRetention: 800 days
            credentialKeys:
              k2027: "AAAA"
            activeCredentialKey: k2027
            traps:
              enabled: true
              bindAddress: 10.0.0.1
              port: 162
            """,
            SnmpConfig.class);
    assertThat(c.isEnabled()).isFalse();
    assertThat(c.getInterval()).isEqualTo(Duration.minutes(5));
    assertThat(c.getTimeout()).isEqualTo(Duration.milliseconds(500));
    assertThat(c.getRetries()).isEqualTo(3);
    assertThat(c.getMaxConcurrentPolls()).isEqualTo(64);
    assertThat(c.getMaxVarbindsPerRequest()).isEqualTo(20);
    assertThat(c.getBulkRepetitions()).isEqualTo(10);
    assertThat(c.getMaxSampleInterval()).isEqualTo(Duration.minutes(15));
    assertThat(c.getSampleRetention()).isEqualTo(Duration.days(800));
    assertThat(c.getCredentialKeys()).isEqualTo(Map.of("k2027", "AAAA"));
    assertThat(c.getActiveCredentialKey()).isEqualTo("k2027");
    assertThat(c.getTraps().isEnabled()).isTrue();
    assertThat(c.getTraps().getBindAddress()).isEqualTo("10.0.0.1");
    assertThat(c.getTraps().getPort()).isEqualTo(162);
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheFieldAndTheRange() {
    SnmpConfig low =
        read(
            """
            interval: 999 milliseconds
            timeout: 99 milliseconds
            retries: -1
            maxConcurrentPolls: 0
            maxVarbindsPerRequest: 1
            bulkRepetitions: 0
            maxSampleInterval: 59 seconds
            sampleRetention: 30 days
            traps:
              port: 0
            """,
            SnmpConfig.class);
    assertThat(errors(low))
        .containsOnly(
            entry("interval", "must be between 1 second and 30 minutes"),
            entry("timeout", "must be between 100 milliseconds and 30 seconds"),
            entry("retries", "must be between 0 and 5"),
            entry("maxConcurrentPolls", "must be between 1 and 10000"),
            entry("maxVarbindsPerRequest", "must be between 2 and 200"),
            entry("bulkRepetitions", "must be between 1 and 200"),
            entry("maxSampleInterval", "must be between 1 minute and 2 hours"),
            entry("sampleRetention", "must be between 31 days and 3650 days"),
            entry("traps.port", "must be between 1 and 65535"));
    SnmpConfig high =
        read(
            """
            interval: 31 minutes
            timeout: 31 seconds
            retries: 6
            maxConcurrentPolls: 10001
            maxVarbindsPerRequest: 201
            bulkRepetitions: 201
            maxSampleInterval: 121 minutes
            sampleRetention: 3651 days
            traps:
              port: 65536
            """,
            SnmpConfig.class);
    assertThat(errors(high))
        .containsOnlyKeys(
            "interval",
            "timeout",
            "retries",
            "maxConcurrentPolls",
            "maxVarbindsPerRequest",
            "bulkRepetitions",
            "maxSampleInterval",
            "sampleRetention",
            "traps.port");
  }

  @Test
  void aPollMustEndBeforeTheNextAndASampleIntervalExceedTheInterval() {
    // 5 s × (3 + 1) = 20 s: a dead router's tries outlast a 20 s interval.
    assertThat(
            errors(
                read("interval: 20 seconds\ntimeout: 5 seconds\nretries: 3\n", SnmpConfig.class)))
        .containsOnly(
            entry(
                "pollShorterThanInterval",
                "timeout × (retries + 1) must be shorter than interval"));
    assertThat(
            errors(
                read("interval: 21 seconds\ntimeout: 5 seconds\nretries: 3\n", SnmpConfig.class)))
        .isEmpty();
    assertThat(
            errors(read("interval: 5 minutes\nmaxSampleInterval: 5 minutes\n", SnmpConfig.class)))
        .containsOnly(
            entry(
                "maxSampleIntervalLongerThanInterval",
                "maxSampleInterval must be longer than interval"));
    assertThat(
            errors(read("interval: 5 minutes\nmaxSampleInterval: 6 minutes\n", SnmpConfig.class)))
        .isEmpty();
  }
}

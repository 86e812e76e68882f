package org.enlace.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.enlace.server.testing.Configs.errors;
import static org.enlace.server.testing.Configs.load;

import io.dropwizard.configuration.ConfigurationValidationException;
import java.nio.file.Path;
import java.time.ZoneId;
import org.enlace.server.testing.Configs;
import org.junit.jupiter.api.Test;

/** The top level of config.yml and the rules that span its sections. */
class EnlaceConfigurationTest {
  @Test
  void defaults() {
    EnlaceConfiguration c = new EnlaceConfiguration();
    assertThat(c.dataDir()).isEqualTo(Path.of("enlace-data").toAbsolutePath());
    assertThat(c.zone()).isEqualTo(ZoneId.of("America/Bogota"));
    assertThat(c.getMunicipality()).isEqualTo("Municipio de El Contadero, Nariño");
    assertThat(c.getDatabase().getMaxPoolSize()).isEqualTo(32);
    assertThat(c.getIngest().getWriterThreads()).isEqualTo(2);
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void mapsTheTopLevelKeysAndEverySection() throws Exception {
    EnlaceConfiguration c =
        load(
            """
            dataDir: /var/lib/enlace
            timeZone: America/Lima
            municipality: "Municipio de Pasto"
            database:
              maxPoolSize: 8
            ingest:
              writerThreads: 7
            rollups:
              holdMinutes: 2
            indicators:
              minOnlineDays: 3
            speedTest:
              maxConcurrentTests: 2
            speedTestPlan:
              testsPerDay: 1
            fleetMetrics:
              maxAgentVersions: 5
            snmp:
              retries: 0
            """);
    assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/enlace"));
    assertThat(c.zone()).isEqualTo(ZoneId.of("America/Lima"));
    assertThat(c.getMunicipality()).isEqualTo("Municipio de Pasto");
    assertThat(c.getDatabase().getMaxPoolSize()).isEqualTo(8);
    assertThat(c.getIngest().getWriterThreads()).isEqualTo(7);
    assertThat(c.getRollups().getHoldMinutes()).isEqualTo(2);
    assertThat(c.getIndicators().getMinOnlineDays()).isEqualTo(3);
    assertThat(c.getSpeedTest().getMaxConcurrentTests()).isEqualTo(2);
    assertThat(c.getSpeedTestPlan().getTestsPerDay()).isEqualTo(1);
    assertThat(c.getFleetMetrics().getMaxAgentVersions()).isEqualTo(5);
    assertThat(c.getSnmp().getRetries()).isZero();
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheFieldAndTheRange() {
    assertThatThrownBy(() -> load("timeZone: \"\"\nmunicipality: \"\"\n"))
        .isInstanceOf(ConfigurationValidationException.class)
        .hasMessageContaining("timeZone must not be empty")
        .hasMessageContaining("municipality must not be empty");
    // A section's error is named by its path from the top of the file.
    assertThatThrownBy(() -> load("rollups:\n  maintainerInterval: 0 seconds\n"))
        .isInstanceOf(ConfigurationValidationException.class)
        .hasMessageContaining("rollups.maintainerInterval must be between 1 second and 10 minutes");
  }

  @Test
  void thePoolMustHaveConnectionsBeyondTheIngestWriters() throws Exception {
    assertThatThrownBy(() -> load("database:\n  maxPoolSize: 4\ningest:\n  writerThreads: 4\n"))
        .isInstanceOf(ConfigurationValidationException.class)
        .hasMessageContaining("database.maxPoolSize must be greater than ingest.writerThreads");
    EnlaceConfiguration ok = load("database:\n  maxPoolSize: 5\ningest:\n  writerThreads: 4\n");
    assertThat(errors(ok)).isEmpty();
    assertThat(
            errors(
                Configs.read(
                    "database:\n  maxPoolSize: 2\ningest:\n  writerThreads: 2\n",
                    EnlaceConfiguration.class)))
        .containsOnly(
            entry(
                "poolLargerThanWriters",
                "database.maxPoolSize must be greater than ingest.writerThreads"));
  }
}

package org.enlace.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.DefaultConfigurationFactoryFactory;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The shipped config.yml is loaded as the server loads it, so docs and defaults cannot drift. */
class ConfigurationTest {
  private static io.dropwizard.configuration.ConfigurationFactory<EnlaceConfiguration> factory() {
    return new DefaultConfigurationFactoryFactory<EnlaceConfiguration>()
        .create(
            EnlaceConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");
  }

  @Test
  void shippedSampleConfigLoads() throws Exception {
    File sample = new File(System.getProperty("user.dir"), "config.yml");
    EnlaceConfiguration c =
        factory()
            .build(
                new SubstitutingSourceProvider(
                    new FileConfigurationSourceProvider(),
                    new EnvironmentVariableSubstitutor(false)),
                sample.getPath());
    assertThat(c.zone()).isEqualTo(ZoneId.of("America/Bogota"));
    assertThat(c.getDatabase().isExternal()).isFalse();
    assertThat(c.getIngest().getMaxBodySize().toBytes()).isEqualTo(1024 * 1024);
    assertThat(c.dataDir()).isAbsolute();
  }

  @Test
  void noFileMeansDefaults() throws Exception {
    EnlaceConfiguration c = factory().build();
    assertThat(c.dataDir().getFileName().toString()).isEqualTo("enlace-data");
    assertThat(c.zone()).isEqualTo(ZoneId.of("America/Bogota"));
    assertThat(c.getDatabase().isExternal()).isFalse();
    assertThat(c.getDatabase().getEmbedded().getRunAsUser()).isEqualTo("nobody");
  }

  @Test
  void badTimeZoneIsRefused() throws Exception {
    Path f = Files.createTempFile("enlace", ".yml");
    Files.writeString(f, "timeZone: Mars/Olympus\n");
    try {
      factory().build(new FileConfigurationSourceProvider(), f.toString());
      throw new AssertionError("expected a validation error");
    } catch (ConfigurationValidationException e) {
      assertThat(e.getMessage()).contains("timeZone");
    }
  }
}

package org.enlace.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.jackson.Jackson;
import java.io.File;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.enlace.server.testing.Configs;
import org.junit.jupiter.api.Test;

/** The shipped config.yml is loaded as the server loads it, so docs and defaults cannot drift. */
class ConfigurationTest {
  @Test
  void shippedSampleConfigLoads() throws Exception {
    EnlaceConfiguration c = Configs.loadShipped();
    assertThat(c.zone()).isEqualTo(ZoneId.of("America/Bogota"));
    assertThat(c.getDatabase().isExternal()).isFalse();
    assertThat(c.getIngest().getMaxBodySize().toBytes()).isEqualTo(1024 * 1024);
    assertThat(c.dataDir()).isAbsolute();
  }

  /**
   * Every value written in config.yml is the default it documents: the file loaded with every
   * {@code ${VAR:-default}} taking its default (no environment), section by section, equals a
   * configuration built from no file at all. Dropwizard's own {@code server} and {@code logging}
   * sections are left out: the file deliberately differs from Dropwizard's defaults there.
   */
  @Test
  void shippedSampleConfigSaysExactlyTheDefaults() throws Exception {
    File sample = Configs.shippedConfig();
    // The app's substitution (EnvironmentVariableSubstitutor(false): ${VAR:-default}, an unset
    // variable with no default left as written), against an empty environment.
    org.apache.commons.text.StringSubstitutor noEnvironment =
        new org.apache.commons.text.StringSubstitutor(
            org.apache.commons.text.lookup.StringLookupFactory.INSTANCE.functionStringLookup(
                name -> null));
    noEnvironment.setEnableSubstitutionInVariables(false);
    noEnvironment.setEnableUndefinedVariableException(false);
    EnlaceConfiguration file =
        Configs.factory()
            .build(
                new SubstitutingSourceProvider(
                    new FileConfigurationSourceProvider(), noEnvironment),
                sample.getPath());
    EnlaceConfiguration defaults = Configs.factory().build();
    com.fasterxml.jackson.databind.ObjectMapper json = Jackson.newObjectMapper();
    assertThat(file.dataDir()).isEqualTo(defaults.dataDir());
    assertThat(file.zone()).isEqualTo(defaults.zone());
    assertThat(file.getMunicipality()).isEqualTo(defaults.getMunicipality());
    Map<String, Object[]> sections = new LinkedHashMap<>();
    sections.put("database", new Object[] {file.getDatabase(), defaults.getDatabase()});
    sections.put("ingest", new Object[] {file.getIngest(), defaults.getIngest()});
    sections.put("rollups", new Object[] {file.getRollups(), defaults.getRollups()});
    sections.put("indicators", new Object[] {file.getIndicators(), defaults.getIndicators()});
    sections.put("speedTest", new Object[] {file.getSpeedTest(), defaults.getSpeedTest()});
    sections.put(
        "speedTestPlan", new Object[] {file.getSpeedTestPlan(), defaults.getSpeedTestPlan()});
    sections.put("fleetMetrics", new Object[] {file.getFleetMetrics(), defaults.getFleetMetrics()});
    sections.put("snmp", new Object[] {file.getSnmp(), defaults.getSnmp()});
    sections.put("limits", new Object[] {file.getLimits(), defaults.getLimits()});
    for (var s : sections.entrySet()) {
      com.fasterxml.jackson.databind.JsonNode written = json.valueToTree(s.getValue()[0]);
      com.fasterxml.jackson.databind.JsonNode fallback = json.valueToTree(s.getValue()[1]);
      assertThat(written).as(s.getKey()).isNotEmpty();
      written
          .fieldNames()
          .forEachRemaining(
              field ->
                  assertThat(written.get(field))
                      .as(s.getKey() + "." + field)
                      .isEqualTo(fallback.get(field)));
      assertThat(written).as(s.getKey()).isEqualTo(fallback);
    }
    // The file names every section it documents, so none is compared by default alone.
    com.fasterxml.jackson.databind.JsonNode tree =
        new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
            .readTree(sample);
    for (String key : sections.keySet()) {
      assertThat(tree.has(key)).as(key).isTrue();
    }
  }

  @Test
  void noFileMeansDefaults() throws Exception {
    EnlaceConfiguration c = Configs.factory().build();
    assertThat(c.dataDir().getFileName().toString()).isEqualTo("enlace-data");
    assertThat(c.zone()).isEqualTo(ZoneId.of("America/Bogota"));
    assertThat(c.getDatabase().isExternal()).isFalse();
    assertThat(c.getDatabase().getEmbedded().getRunAsUser()).isEqualTo("nobody");
  }

  @Test
  void badTimeZoneIsRefused() throws Exception {
    try {
      Configs.load("timeZone: Mars/Olympus\n");
      throw new AssertionError("expected a validation error");
    } catch (ConfigurationValidationException e) {
      assertThat(e.getMessage()).contains("timeZone");
    }
  }
}

package org.enlace.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.util.Duration;
import jakarta.validation.Validator;
import org.junit.jupiter.api.Test;

/** {@code fleetMetrics:} in config.yml: defaults, mapping and limits. */
class FleetMetricsConfigTest {
  private static final ObjectMapper YAML = Jackson.newObjectMapper(new YAMLFactory());
  private static final Validator VALIDATOR = Validators.newValidator();

  @Test
  void defaults() {
    FleetMetricsConfig c = new FleetMetricsConfig();
    assertThat(c.getRefresh()).isEqualTo(Duration.seconds(30));
    assertThat(c.getReportingWindow()).isEqualTo(Duration.minutes(10));
    assertThat(c.getMaxAgentVersions()).isEqualTo(20);
    assertThat(VALIDATOR.validate(c)).isEmpty();
  }

  @Test
  void mapsEveryKey() throws Exception {
    FleetMetricsConfig c =
        YAML.readValue(
            """
            refresh: 15 seconds
            reportingWindow: 5 minutes
            maxAgentVersions: 8
            """,
            FleetMetricsConfig.class);
    assertThat(c.getRefresh()).isEqualTo(Duration.seconds(15));
    assertThat(c.getReportingWindow()).isEqualTo(Duration.minutes(5));
    assertThat(c.getMaxAgentVersions()).isEqualTo(8);
    assertThat(VALIDATOR.validate(c)).isEmpty();
  }

  @Test
  void refusesARefreshUnderASecondAndAWindowUnderAMinute() throws Exception {
    FleetMetricsConfig c =
        YAML.readValue(
            """
            refresh: 100 milliseconds
            reportingWindow: 30 seconds
            maxAgentVersions: 1
            """,
            FleetMetricsConfig.class);
    assertThat(VALIDATOR.validate(c))
        .extracting(v -> v.getPropertyPath().toString())
        .containsExactlyInAnyOrder("refresh", "reportingWindow", "maxAgentVersions");
  }

  @Test
  void theRangesAreNamedAndTheRefreshIsShorterThanTheWindow() throws Exception {
    FleetMetricsConfig c =
        YAML.readValue(
            "refresh: 2 hours\nreportingWindow: 2 days\nmaxAgentVersions: 201\n",
            FleetMetricsConfig.class);
    assertThat(VALIDATOR.validate(c))
        .extracting(v -> v.getPropertyPath() + " " + v.getMessage())
        .containsExactlyInAnyOrder(
            "refresh must be between 1 second and 1 hour",
            "reportingWindow must be between 1 minute and 1 day",
            "maxAgentVersions must be between 2 and 200");
    FleetMetricsConfig slow =
        YAML.readValue(
            "refresh: 10 minutes\nreportingWindow: 10 minutes\n", FleetMetricsConfig.class);
    assertThat(VALIDATOR.validate(slow))
        .extracting(v -> v.getPropertyPath() + " " + v.getMessage())
        .containsExactly(
            "refreshShorterThanReportingWindow refresh must be shorter than reportingWindow");
    FleetMetricsConfig fine =
        YAML.readValue(
            "refresh: 9 minutes\nreportingWindow: 10 minutes\n", FleetMetricsConfig.class);
    assertThat(VALIDATOR.validate(fine)).isEmpty();
  }
}

package org.enlace.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.ConfigurationFactory;
import io.dropwizard.configuration.DefaultConfigurationFactoryFactory;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The admin connector (health checks, thread dumps, /metrics; no authentication) listens on
 * 127.0.0.1 unless a bindHost says otherwise: with no config file, with the shipped one, and with a
 * {@code server:} section that leaves the admin connectors out.
 */
class AdminConnectorTest {
  private static ConfigurationFactory<EnlaceConfiguration> factory() {
    return new DefaultConfigurationFactoryFactory<EnlaceConfiguration>()
        .create(
            EnlaceConfiguration.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");
  }

  private static List<String> adminHosts(EnlaceConfiguration c) {
    DefaultServerFactory f = (DefaultServerFactory) c.getServerFactory();
    return f.getAdminConnectors().stream()
        .map(ConnectorFactory.class::cast)
        .map(x -> String.valueOf(((HttpConnectorFactory) x).getBindHost()))
        .toList();
  }

  private static EnlaceConfiguration load(String yaml) throws Exception {
    Path f = Files.createTempFile("enlace", ".yml");
    try {
      Files.writeString(f, yaml);
      return factory().build(new FileConfigurationSourceProvider(), f.toString());
    } finally {
      Files.delete(f);
    }
  }

  @Test
  void noConfigFileBindsTheAdminConnectorToLoopback() throws Exception {
    assertThat(adminHosts(factory().build())).containsExactly("127.0.0.1");
    assertThat(adminHosts(new EnlaceConfiguration())).containsExactly("127.0.0.1");
    DefaultServerFactory f = (DefaultServerFactory) factory().build().getServerFactory();
    assertThat(((HttpConnectorFactory) f.getAdminConnectors().get(0)).getPort()).isEqualTo(8081);
  }

  @Test
  void theShippedConfigBindsItToLoopback() throws Exception {
    File sample = new File(System.getProperty("user.dir"), "config.yml");
    EnlaceConfiguration c =
        factory()
            .build(
                new SubstitutingSourceProvider(
                    new FileConfigurationSourceProvider(),
                    new EnvironmentVariableSubstitutor(false)),
                sample.getPath());
    assertThat(adminHosts(c)).containsExactly("127.0.0.1");
    // The application connector stays on every interface: agents reach it.
    DefaultServerFactory f = (DefaultServerFactory) c.getServerFactory();
    assertThat(((HttpConnectorFactory) f.getApplicationConnectors().get(0)).getBindHost()).isNull();
  }

  @Test
  void aServerSectionWithoutAdminConnectorsOrBindHostStillBindsLoopback() throws Exception {
    assertThat(
            adminHosts(
                load(
                    """
                    server:
                      applicationConnectors:
                        - type: http
                          port: 9080
                    """)))
        .containsExactly("127.0.0.1");
    assertThat(
            adminHosts(
                load(
                    """
                    server:
                      adminConnectors:
                        - type: http
                          port: 9081
                    """)))
        .containsExactly("127.0.0.1");
  }

  @Test
  void anExplicitBindHostIsKept() throws Exception {
    assertThat(
            adminHosts(
                load(
                    """
                    server:
                      adminConnectors:
                        - type: http
                          bindHost: 0.0.0.0
                          port: 9081
                    """)))
        .containsExactly("0.0.0.0");
  }
}

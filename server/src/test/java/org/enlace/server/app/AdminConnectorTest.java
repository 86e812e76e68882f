package org.enlace.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import java.util.List;
import org.enlace.server.testing.Configs;
import org.junit.jupiter.api.Test;

/**
 * The admin connector (health checks, thread dumps, /metrics; no authentication) listens on
 * 127.0.0.1 unless a bindHost says otherwise: with no config file, with the shipped one, and with a
 * {@code server:} section that leaves the admin connectors out.
 */
class AdminConnectorTest {
  private static List<String> adminHosts(EnlaceConfiguration c) {
    DefaultServerFactory f = (DefaultServerFactory) c.getServerFactory();
    return f.getAdminConnectors().stream()
        .map(ConnectorFactory.class::cast)
        .map(x -> String.valueOf(((HttpConnectorFactory) x).getBindHost()))
        .toList();
  }

  @Test
  void noConfigFileBindsTheAdminConnectorToLoopback() throws Exception {
    assertThat(adminHosts(Configs.factory().build())).containsExactly("127.0.0.1");
    assertThat(adminHosts(new EnlaceConfiguration())).containsExactly("127.0.0.1");
    DefaultServerFactory f = (DefaultServerFactory) Configs.factory().build().getServerFactory();
    assertThat(((HttpConnectorFactory) f.getAdminConnectors().get(0)).getPort()).isEqualTo(8081);
  }

  @Test
  void theShippedConfigBindsItToLoopback() throws Exception {
    EnlaceConfiguration c = Configs.loadShipped();
    assertThat(adminHosts(c)).containsExactly("127.0.0.1");
    // The application connector stays on every interface: agents reach it.
    DefaultServerFactory f = (DefaultServerFactory) c.getServerFactory();
    assertThat(((HttpConnectorFactory) f.getApplicationConnectors().get(0)).getBindHost()).isNull();
  }

  @Test
  void aServerSectionWithoutAdminConnectorsOrBindHostStillBindsLoopback() throws Exception {
    assertThat(
            adminHosts(
                Configs.load(
                    """
                    server:
                      applicationConnectors:
                        - type: http
                          port: 9080
                    """)))
        .containsExactly("127.0.0.1");
    assertThat(
            adminHosts(
                Configs.load(
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
                Configs.load(
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

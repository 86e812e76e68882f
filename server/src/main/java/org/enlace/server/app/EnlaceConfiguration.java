package org.enlace.server.app;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import org.enlace.server.cluster.ClusterConfig;
import org.enlace.server.db.DatabaseConfig;
import org.enlace.server.indicators.IndicatorsConfig;
import org.enlace.server.ingest.IngestConfig;
import org.enlace.server.limits.LimitsConfig;
import org.enlace.server.metrics.FleetMetricsConfig;
import org.enlace.server.rollup.RollupConfig;
import org.enlace.server.snmp.SnmpConfig;
import org.enlace.server.speedtest.SpeedTestConfig;
import org.enlace.server.speedtest.SpeedTestPlanConfig;

/** config.yml; every field has a default, so the server also starts with no file at all. */
public class EnlaceConfiguration extends Configuration {
  /** Where the embedded database, the initial admin password and other state live. */
  @NotEmpty @JsonProperty private String dataDir = "./enlace-data";

  /** The municipality's time zone: days, months and opening hours are judged in it. */
  @NotEmpty @JsonProperty private String timeZone = "America/Bogota";

  /** Shown on evidence reports, e.g. "Municipio de El Contadero, Nariño". */
  @NotEmpty @JsonProperty private String municipality = "Municipio de El Contadero, Nariño";

  @Valid @NotNull @JsonProperty private DatabaseConfig database = new DatabaseConfig();
  @Valid @NotNull @JsonProperty private IngestConfig ingest = new IngestConfig();
  @Valid @NotNull @JsonProperty private RollupConfig rollups = new RollupConfig();
  @Valid @NotNull @JsonProperty private IndicatorsConfig indicators = new IndicatorsConfig();

  @Valid @NotNull @JsonProperty
  private SpeedTestPlanConfig speedTestPlan = new SpeedTestPlanConfig();

  @Valid @NotNull @JsonProperty private SpeedTestConfig speedTest = new SpeedTestConfig();
  @Valid @NotNull @JsonProperty private SnmpConfig snmp = new SnmpConfig();
  @Valid @NotNull @JsonProperty private FleetMetricsConfig fleetMetrics = new FleetMetricsConfig();
  @Valid @NotNull @JsonProperty private LimitsConfig limits = new LimitsConfig();
  @Valid @NotNull @JsonProperty private ClusterConfig cluster = new ClusterConfig();

  public EnlaceConfiguration() {
    setServerFactory(new DefaultServerFactory());
  }

  /**
   * The admin connector has no authentication (health checks, thread dumps, /metrics), so an admin
   * connector that names no {@code bindHost} listens on 127.0.0.1 rather than on every interface as
   * Dropwizard's default does: with no config file, and with a {@code server:} section that leaves
   * it out. Listening elsewhere takes an explicit {@code bindHost} (docs/operations.md).
   */
  @Override
  @JsonProperty("server")
  public void setServerFactory(ServerFactory factory) {
    if (factory instanceof DefaultServerFactory d) {
      for (ConnectorFactory c : d.getAdminConnectors()) {
        if (c instanceof HttpConnectorFactory http && http.getBindHost() == null) {
          http.setBindHost(ADMIN_DEFAULT_BIND_HOST);
        }
      }
    }
    super.setServerFactory(factory);
  }

  /** Where an admin connector without a bindHost listens. */
  public static final String ADMIN_DEFAULT_BIND_HOST = "127.0.0.1";

  public Path dataDir() {
    return Path.of(dataDir).toAbsolutePath().normalize();
  }

  public void setDataDir(String dataDir) {
    this.dataDir = dataDir;
  }

  public ZoneId zone() {
    return ZoneId.of(timeZone);
  }

  @AssertTrue(message = "timeZone must be an IANA zone such as America/Bogota")
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isTimeZoneValid() {
    try {
      ZoneId.of(timeZone);
      return true;
    } catch (DateTimeException e) {
      return false;
    }
  }

  /**
   * Each ingest writer holds a database connection while it commits; with no connection left over,
   * the API, the rollups and the health checks would wait behind the writers.
   */
  @AssertTrue(message = "database.maxPoolSize must be greater than ingest.writerThreads")
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isPoolLargerThanWriters() {
    return database == null
        || ingest == null
        || database.getMaxPoolSize() > ingest.getWriterThreads();
  }

  public DatabaseConfig getDatabase() {
    return database;
  }

  public IngestConfig getIngest() {
    return ingest;
  }

  public RollupConfig getRollups() {
    return rollups;
  }

  public IndicatorsConfig getIndicators() {
    return indicators;
  }

  public FleetMetricsConfig getFleetMetrics() {
    return fleetMetrics;
  }

  public SnmpConfig getSnmp() {
    return snmp;
  }

  public SpeedTestConfig getSpeedTest() {
    return speedTest;
  }

  public SpeedTestPlanConfig getSpeedTestPlan() {
    return speedTestPlan;
  }

  public LimitsConfig getLimits() {
    return limits;
  }

  public ClusterConfig getCluster() {
    return cluster;
  }

  public String getMunicipality() {
    return municipality;
  }
}

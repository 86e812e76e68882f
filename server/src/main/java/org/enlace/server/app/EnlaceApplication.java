package org.enlace.server.app;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jdbi3.JdbiFactory;
import io.dropwizard.jersey.errors.EarlyEofExceptionMapper;
import io.dropwizard.jersey.errors.IllegalStateExceptionMapper;
import io.dropwizard.jersey.validation.JerseyViolationExceptionMapper;
import io.dropwizard.lifecycle.Managed;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import org.enlace.server.app.cli.BackupCommand;
import org.enlace.server.app.cli.DbCommand;
import org.enlace.server.app.cli.RestoreCommand;
import org.enlace.server.app.cli.RollupsCommand;
import org.enlace.server.app.cli.SnmpCommand;
import org.enlace.server.app.cli.UserCommand;
import org.enlace.server.auth.EnlaceUser;
import org.enlace.server.auth.InitialAdmin;
import org.enlace.server.auth.PasswordHasher;
import org.enlace.server.auth.UserAuthenticator;
import org.enlace.server.cluster.Cluster;
import org.enlace.server.cluster.Lease;
import org.enlace.server.db.Database;
import org.enlace.server.db.DatabaseHealthCheck;
import org.enlace.server.db.DatabaseOutage;
import org.enlace.server.db.Jdbis;
import org.enlace.server.db.Migrations;
import org.enlace.server.db.PostmasterWatchdog;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.enrollment.AgentRegistry;
import org.enlace.server.enrollment.EnrollResource;
import org.enlace.server.enrollment.EnrollmentService;
import org.enlace.server.enrollment.EnrollmentTokenPagesResource;
import org.enlace.server.enrollment.EnrollmentTokensResource;
import org.enlace.server.evidence.ComputerMinutesResource;
import org.enlace.server.evidence.CoverageDao;
import org.enlace.server.evidence.EvidenceResource;
import org.enlace.server.evidence.EvidenceService;
import org.enlace.server.evidence.EvidenceTables;
import org.enlace.server.evidence.MonthlyCoverage;
import org.enlace.server.evidence.OutagesPageResource;
import org.enlace.server.evidence.PdfWarmUp;
import org.enlace.server.evidence.ReportsPageResource;
import org.enlace.server.indicators.IndicatorService;
import org.enlace.server.indicators.IndicatorsPageResource;
import org.enlace.server.indicators.IndicatorsResource;
import org.enlace.server.indicators.PartialMonths;
import org.enlace.server.indicators.WebHomeResource;
import org.enlace.server.ingest.IngestMetrics;
import org.enlace.server.ingest.IngestService;
import org.enlace.server.ingest.ObservationWriter;
import org.enlace.server.ingest.PingResource;
import org.enlace.server.ingest.ReportParser;
import org.enlace.server.ingest.ReportsServlet;
import org.enlace.server.inventory.ComputerPagesResource;
import org.enlace.server.inventory.ComputersResource;
import org.enlace.server.inventory.EstablishmentLinksResource;
import org.enlace.server.inventory.EstablishmentPagesResource;
import org.enlace.server.inventory.EstablishmentsResource;
import org.enlace.server.inventory.IspLinksResource;
import org.enlace.server.limits.HeaderReadDeadline;
import org.enlace.server.limits.Limits;
import org.enlace.server.limits.LimitsConfig;
import org.enlace.server.limits.PasswordAuthFilter;
import org.enlace.server.metrics.DatabasePoolMetrics;
import org.enlace.server.metrics.FleetMetrics;
import org.enlace.server.rollup.RollupMaintainer;
import org.enlace.server.snmp.DeviceInventory;
import org.enlace.server.snmp.DevicesResource;
import org.enlace.server.snmp.EstablishmentDevicesResource;
import org.enlace.server.snmp.SnmpCredentials;
import org.enlace.server.snmp.SnmpKeyCheck;
import org.enlace.server.snmp.SnmpPoller;
import org.enlace.server.speedtest.DatabaseNdt7Slots;
import org.enlace.server.speedtest.Ndt7Server;
import org.enlace.server.speedtest.SpeedTestPlanner;
import org.enlace.server.speedtest.SpeedTestSlotResource;
import org.enlace.server.web.ApiException;
import org.enlace.server.web.BodyLimitFilter;
import org.enlace.server.web.DeclaredLengthFilter;
import org.enlace.server.web.HealthServlet;
import org.enlace.server.web.HttpMetrics;
import org.enlace.server.web.JsonErrorMappers;
import org.enlace.server.web.NulCharacters;
import org.enlace.server.web.PrometheusServlet;
import org.enlace.server.web.RedactingRequestLog;
import org.enlace.server.web.RequestMetricsFilter;
import org.enlace.server.web.SecretLogFilter;
import org.enlace.server.web.SecurityHeadersFilter;
import org.enlace.server.web.pages.Csrf;
import org.enlace.server.web.pages.Pages;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wiring only: every rule lives in a feature package. */
public class EnlaceApplication extends Application<EnlaceConfiguration> {
  private static final Logger LOG = LoggerFactory.getLogger(EnlaceApplication.class);

  // Set by run(), which Dropwizard calls before anything reads them (the tests' accessors read
  // them only after the application has started).
  @SuppressWarnings("NullAway.Init")
  private volatile Jdbi jdbi;

  @SuppressWarnings("NullAway.Init")
  private volatile Database database;

  @SuppressWarnings("NullAway.Init")
  private volatile PrometheusMeterRegistry meters;

  @SuppressWarnings("NullAway.Init")
  private volatile RollupMaintainer rollups;

  @SuppressWarnings("NullAway.Init")
  private volatile SnmpPoller snmp;

  @SuppressWarnings("NullAway.Init")
  private volatile PasswordHasher hasher;

  @SuppressWarnings("NullAway.Init")
  private volatile Cluster cluster;

  public static void main(String[] args) throws Exception {
    new EnlaceApplication().run(args);
  }

  @Override
  public String getName() {
    return "enlace-server";
  }

  @Override
  public void initialize(Bootstrap<EnlaceConfiguration> bootstrap) {
    bootstrap.setConfigurationSourceProvider(
        new SubstitutingSourceProvider(
            bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
    bootstrap.addCommand(new DbCommand());
    bootstrap.addCommand(new UserCommand());
    bootstrap.addCommand(new RollupsCommand());
    bootstrap.addCommand(new SnmpCommand());
    bootstrap.addCommand(new BackupCommand());
    bootstrap.addCommand(new RestoreCommand());
  }

  @Override
  public void run(EnlaceConfiguration config, Environment env) throws Exception {
    // First, so that nothing logged from here on (at any level) can show a secret.
    SecretLogFilter.install();
    env.lifecycle().addEventListener(RedactingRequestLog.installer());
    Clock clock = Clock.systemUTC();
    LocalMinutes localMinutes = new LocalMinutes(config.zone());
    configureJson(env);
    database = startDatabase(config, env);
    jdbi = openJdbi(env, database);
    watchDatabase(env, database, jdbi, clock);
    meters = registerMeters(env);
    cluster = joinCluster(config, env);
    Limits limits = registerLimits(config.getLimits(), env);
    InitialAdmin.ensure(jdbi, hasher, config.dataDir());
    HttpMetrics http = registerErrorsAndFilters(config, env);
    registerAuth(env, hasher, limits);
    AgentRegistry agents = new AgentRegistry(jdbi);
    registerIngest(config, env, agents, http, limits, localMinutes, clock);
    // The administration's pages share one CSRF secret, so every form of this process verifies.
    Pages pages = new Pages(new Csrf(), env.getValidator(), config.zone());
    registerInventory(config, env, agents, clock, pages);
    registerSnmp(config, env, localMinutes, clock);
    rollups = startRollups(config, env, localMinutes);
    registerReports(config, env, localMinutes, clock, pages);
    registerFleetMetrics(config, env, clock);
    LOG.info(
        "event=enlace_configured dataDir={} timeZone={} database={}",
        config.dataDir(),
        config.zone(),
        config.getDatabase().isExternal() ? "external" : "embedded");
  }

  private static void configureJson(Environment env) {
    env.getObjectMapper()
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
        // A misspelt inventory field is an error, not silently dropped; the agent protocol's
        // requests opt out (old and new agents send fields this server may not know).
        .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        // PostgreSQL cannot store NUL: refused at binding with the field's name, not a 500.
        .registerModule(NulCharacters.module());
  }

  /** Starts (or connects to) the database, stopped with the application, and migrates it. */
  private static Database startDatabase(EnlaceConfiguration config, Environment env)
      throws IOException {
    Database db = Database.open(config.getDatabase(), config.dataDir());
    env.lifecycle()
        .manage(
            new Managed() {
              @Override
              public void stop() {
                db.close();
              }
            });
    try {
      Migrations.migrate(db.dataSourceFactory());
    } catch (RuntimeException e) {
      // The lifecycle never starts when run() fails, so nothing else would stop our PostgreSQL.
      db.close();
      throw e;
    }
    return db;
  }

  private static Jdbi openJdbi(Environment env, Database db) {
    // Dropwizard's factory adds the pool's health check and the statements' timers.
    return Jdbis.configure(new JdbiFactory().build(env, db.dataSourceFactory(), "postgresql"));
  }

  /**
   * Health checks that name what is down ({@code database}: can a connection be had; {@code
   * postmaster}: the embedded server's process), 503 from {@code /healthcheck} while one fails,
   * and, with the embedded database, the watchdog that starts it again when it dies.
   */
  private static void watchDatabase(Environment env, Database db, Jdbi jdbi, Clock clock) {
    // Replaces the pool's own check (named after the pool), which says only "unhealthy".
    env.healthChecks().unregister("postgresql");
    env.healthChecks().register("database", new DatabaseHealthCheck(jdbi, db.where()));
    if (db.embedded().isPresent()) {
      PostmasterWatchdog watchdog =
          new PostmasterWatchdog(db.embedded().get(), java.time.Duration.ofMillis(500), clock);
      // Managed after the database: stopped before it, so no restart races the final stop.
      env.lifecycle().manage(watchdog);
      env.healthChecks().register("postmaster", watchdog.healthCheck());
    }
    // An exact mapping: it wins over the admin servlet's /* that serves Dropwizard's own.
    env.admin()
        .addServlet("healthcheck", new HealthServlet(env.healthChecks()))
        .addMapping("/healthcheck");
  }

  /**
   * This replica among the others on the database (docs/operations.md, "Varias réplicas / Several
   * replicas"). Managed before the jobs that ask it, so it starts before them and stops after them.
   */
  private Cluster joinCluster(EnlaceConfiguration config, Environment env) {
    Cluster c = new Cluster(jdbi, config.getCluster(), meters);
    env.lifecycle().manage(c);
    return c;
  }

  /** The JVM's meters and ours, scraped at the admin port's /metrics. */
  private static PrometheusMeterRegistry registerMeters(Environment env) {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(meters);
    new JvmGcMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ClassLoaderMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);
    env.admin().addServlet("prometheus", new PrometheusServlet(meters)).addMapping("/metrics");
    return meters;
  }

  private HttpMetrics registerErrorsAndFilters(EnlaceConfiguration config, Environment env) {
    // Our JSON error mappers replace Dropwizard's so that every error names its field.
    ((AbstractServerFactory) config.getServerFactory()).setRegisterDefaultExceptionMappers(false);
    env.jersey().register(new JsonErrorMappers.JsonProcessingMapper());
    env.jersey().register(new JsonErrorMappers.FallbackMapper(DatabaseOutage::isOutage));
    env.jersey().register(new JerseyViolationExceptionMapper());
    env.jersey().register(new EarlyEofExceptionMapper());
    env.jersey().register(new IllegalStateExceptionMapper());
    env.jersey().register(new BodyLimitFilter(config.getIngest().getMaxBodySize().toBytes()));
    env.jersey().register(new NulCharacters.Filter());
    // Servlet filters run before Jersey (and its authentication) and before ReportsServlet.
    var all = EnumSet.of(DispatcherType.REQUEST, DispatcherType.ERROR, DispatcherType.ASYNC);
    env.servlets()
        .addFilter("security-headers", new SecurityHeadersFilter())
        .addMappingForUrlPatterns(all, true, "/*");
    env.admin()
        .addFilter("security-headers", new SecurityHeadersFilter())
        .addMappingForUrlPatterns(all, true, "/*");
    env.servlets()
        .addFilter(
            "declared-length",
            new DeclaredLengthFilter(
                config.getIngest().getMaxBodySize().toBytes(),
                env.getObjectMapper(),
                ReportsServlet.PATH))
        .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
    HttpMetrics http = new HttpMetrics(meters);
    env.jersey().register(new RequestMetricsFilter(http));
    return http;
  }

  /**
   * The abuse limits (docs/operations.md, "Abuse limits"): the password hasher's bound, the
   * failed-login and per-agent limits, and the header read deadline on every connector.
   */
  private Limits registerLimits(LimitsConfig config, Environment env) {
    hasher =
        new PasswordHasher(
            config.passwordCheckPermits(),
            config.getMaxWaitingPasswordChecks(),
            config.getPasswordCheckWait().toJavaDuration());
    hasher.bindTo(meters);
    Limits limits = new Limits(config, meters);
    long headerTimeoutMs = config.getHeaderReadTimeout().toMilliseconds();
    env.lifecycle()
        .addServerLifecycleListener(
            server -> {
              for (var connector : server.getConnectors()) {
                connector.addEventListener(
                    new HeaderReadDeadline(
                        headerTimeoutMs,
                        connector.getScheduler(),
                        () -> limits.count("slow_header")));
              }
            });
    return limits;
  }

  private void registerAuth(Environment env, PasswordHasher hasher, Limits limits) {
    env.jersey()
        .register(
            new AuthDynamicFeature(
                new PasswordAuthFilter(
                    new UserAuthenticator(jdbi, hasher),
                    limits,
                    new io.dropwizard.auth.UnauthorizedHandler() {
                      @Override
                      public jakarta.ws.rs.core.Response buildResponse(
                          String prefix, String realm) {
                        return ApiException.unauthorized(
                                "credentials_required",
                                "sign in with your Enlace user name and password",
                                prefix + " realm=\"" + realm + "\"")
                            .getResponse();
                      }
                    })));
    env.jersey().register(RolesAllowedDynamicFeature.class);
    env.jersey().register(new AuthValueFactoryProvider.Binder<>(EnlaceUser.class));
  }

  /** Enrollment, the agents' reports, speed-test slots and the ndt7 server. */
  private void registerIngest(
      EnlaceConfiguration config,
      Environment env,
      AgentRegistry agents,
      HttpMetrics http,
      Limits limits,
      LocalMinutes localMinutes,
      Clock clock) {
    EnrollmentService enrollment = new EnrollmentService(jdbi, agents, clock);
    IngestMetrics ingestMetrics = new IngestMetrics(meters);
    ObservationWriter writer =
        new ObservationWriter(
            jdbi,
            config.getIngest(),
            ingestMetrics,
            localMinutes,
            config.getRollups().getDetailRetention().toJavaDuration());
    env.lifecycle().manage(writer);
    SpeedTestPlanner speedTests =
        new SpeedTestPlanner(jdbi, config.getSpeedTestPlan(), localMinutes, env.getObjectMapper());
    IngestService ingest =
        new IngestService(
            new ReportParser(
                env.getObjectMapper(),
                config.getIngest(),
                config.getRollups().getRawRetention().toJavaDuration()),
            writer,
            enrollment,
            ingestMetrics,
            config.getIngest(),
            clock,
            // speedTest.enabled: false switches off the offers too, not only the endpoints.
            config.getSpeedTest().isEnabled() ? speedTests::offer : (a, t) -> Optional.empty());
    if (config.getSpeedTest().isEnabled()) {
      env.jersey().register(new SpeedTestSlotResource(agents, speedTests, clock));
    }
    Ndt7Server ndt7 =
        new Ndt7Server(
            config.getSpeedTest(),
            speedTests,
            meters,
            new DatabaseNdt7Slots(
                jdbi,
                config.getSpeedTest().getMaxConcurrentTests(),
                config.getSpeedTest().getHardTimeout().toJavaDuration().plusSeconds(10)));
    ndt7.register(env.getApplicationContext());
    env.lifecycle().manage(ndt7);

    env.jersey().register(new PingResource());
    env.jersey().register(new EnrollResource(enrollment));
    // The hot endpoint is a plain servlet (see ReportsServlet); the exact mapping wins over
    // Jersey's /*.
    var reports =
        env.servlets()
            .addServlet(
                "reports",
                new ReportsServlet(
                    agents,
                    ingest,
                    ingestMetrics,
                    http,
                    env.getObjectMapper(),
                    config.getIngest(),
                    limits));
    reports.setAsyncSupported(true);
    reports.addMapping(ReportsServlet.PATH);
  }

  private void registerInventory(
      EnlaceConfiguration config, Environment env, AgentRegistry agents, Clock clock, Pages pages) {
    EstablishmentsResource establishments = new EstablishmentsResource(jdbi);
    EstablishmentLinksResource establishmentLinks = new EstablishmentLinksResource(jdbi);
    IspLinksResource links = new IspLinksResource(jdbi);
    EnrollmentTokensResource tokens = new EnrollmentTokensResource(jdbi, clock);
    ComputersResource computers =
        new ComputersResource(
            jdbi, agents, config.getFleetMetrics().getReportingWindow().toJavaDuration(), clock);
    env.jersey().register(establishments);
    env.jersey().register(establishmentLinks);
    env.jersey().register(links);
    env.jersey().register(tokens);
    env.jersey().register(computers);
    env.jersey()
        .register(
            new EstablishmentPagesResource(
                jdbi, establishments, establishmentLinks, links, computers, pages));
    env.jersey().register(new EnrollmentTokenPagesResource(jdbi, tokens, pages, clock));
    env.jersey().register(new ComputerPagesResource(jdbi, computers, pages));
  }

  /** The poller (started only when enabled) and the devices' inventory. */
  private void registerSnmp(
      EnlaceConfiguration config, Environment env, LocalMinutes localMinutes, Clock clock) {
    SnmpCredentials snmpCredentials =
        SnmpKeyCheck.credentials(
            config.getSnmp(), config.dataDir(), jdbi, config.getDatabase().isExternal());
    snmp =
        new SnmpPoller(
            jdbi,
            config.getSnmp(),
            snmpCredentials,
            localMinutes,
            meters,
            clock,
            cluster::owns,
            () -> cluster.holds(Lease.RETENTION));
    if (config.getSnmp().isEnabled()) {
      env.lifecycle().manage(snmp);
    }
    DeviceInventory devices = new DeviceInventory(jdbi, snmpCredentials, snmp::inventoryChanged);
    env.jersey().register(new EstablishmentDevicesResource(devices));
    env.jersey().register(new DevicesResource(devices));
  }

  private RollupMaintainer startRollups(
      EnlaceConfiguration config, Environment env, LocalMinutes localMinutes) {
    RollupMaintainer maintainer =
        new RollupMaintainer(
            jdbi,
            config.getRollups(),
            localMinutes,
            env.getObjectMapper(),
            meters,
            () -> cluster.holds(Lease.RETENTION));
    env.lifecycle().manage(maintainer);
    return maintainer;
  }

  /** Indicators, evidence reports and the reports page. */
  private void registerReports(
      EnlaceConfiguration config,
      Environment env,
      LocalMinutes localMinutes,
      Clock clock,
      Pages pages) {
    IndicatorService indicators = new IndicatorService(jdbi, config.getIndicators(), config.zone());
    IndicatorsResource indicatorsApi = new IndicatorsResource(jdbi, indicators);
    env.jersey().register(indicatorsApi);
    EvidenceService evidence =
        new EvidenceService(
            jdbi,
            indicators,
            config.getRollups(),
            localMinutes,
            env.getObjectMapper(),
            config.getMunicipality(),
            clock);
    env.jersey()
        .register(
            new EvidenceResource(
                evidence,
                new EvidenceTables(jdbi, localMinutes, clock, env.getObjectMapper()),
                env.getObjectMapper()));
    env.jersey().register(new ComputerMinutesResource(evidence, config.zone()));
    env.lifecycle().manage(new PdfWarmUp(Duration.ofSeconds(20)));
    env.jersey()
        .register(
            new ReportsPageResource(
                config.zone(),
                clock,
                () -> jdbi.withExtension(CoverageDao.class, CoverageDao::newestDayWithData)));
    registerPages(
        env,
        indicators,
        indicatorsApi,
        clock,
        pages,
        new MonthlyCoverage(jdbi, localMinutes, env.getObjectMapper(), clock));
  }

  /** The administration's web pages under /web: one feature's pages each. */
  private void registerPages(
      Environment env,
      IndicatorService indicators,
      IndicatorsResource indicatorsApi,
      Clock clock,
      Pages pages,
      PartialMonths partialMonths) {
    env.jersey().register(new WebHomeResource());
    env.jersey()
        .register(
            new IndicatorsPageResource(indicators, indicatorsApi, pages, clock, partialMonths));
    env.jersey().register(new OutagesPageResource(jdbi, pages, clock));
  }

  private void registerFleetMetrics(EnlaceConfiguration config, Environment env, Clock clock) {
    FleetMetrics fleet =
        new FleetMetrics(
            jdbi,
            meters,
            clock,
            config.zone(),
            config.getIndicators().getMinOnlineDays(),
            config.getFleetMetrics(),
            () -> cluster.holds(Lease.FLEET_METRICS));
    env.lifecycle().manage(fleet);
    DatabasePoolMetrics.register(env.metrics(), meters, database.dataSourceFactory().getMaxSize());
  }

  /** For tests and tools that run beside the application. */
  public Jdbi jdbi() {
    return jdbi;
  }

  public Database database() {
    return database;
  }

  public RollupMaintainer rollups() {
    return rollups;
  }

  public SnmpPoller snmp() {
    return snmp;
  }

  public PrometheusMeterRegistry meters() {
    return meters;
  }

  public Cluster cluster() {
    return cluster;
  }

  public PasswordHasher passwordHasher() {
    return hasher;
  }
}

package org.enlace.server.metrics;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.lifecycle.Managed;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.domain.OpeningMask;
import org.enlace.server.domain.Sector;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's state as Prometheus gauges, per establishment (labels {@code establishment}, {@code
 * sector}, {@code kind}) and per ISP link ({@code establishment}, {@code link}, {@code direction}):
 * agents sit behind NAT and are never scraped, so the server exports what they reported. Never one
 * series per computer or agent: the series grow with the inventory.
 *
 * <p>A background thread reads the state from the database every {@code fleetMetrics.refresh} with
 * a handful of aggregate queries, updates the gauges in place, registers the series of new
 * establishments and links and removes those that no longer exist (or changed sector or kind). When
 * the database does not answer, the gauges keep their last values and {@code enlace_database_up}
 * drops to 0.
 */
public final class FleetMetrics implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(FleetMetrics.class);
  private static final Duration LIVE = Duration.ofDays(21);
  private static final Duration DROPPED = Duration.ofDays(28);
  static final List<String> SECTORS = Sector.WIRE_NAMES;

  /** Every gauge this class exports, with its Micrometer name (documented in docs/metrics.md). */
  enum Metric {
    COMPUTERS_ENROLLED(
        "enlace.establishment.computers.enrolled",
        "Active computers enrolled at the establishment (not decommissioned)"),
    COMPUTERS_REPORTING(
        "enlace.establishment.computers.reporting",
        "Active computers whose newest observation is within fleetMetrics.reportingWindow"),
    COMPUTERS_ONLINE(
        "enlace.establishment.computers.online",
        "Reporting computers whose newest observation is online"),
    COMPUTERS_LIMITED(
        "enlace.establishment.computers.limited",
        "Reporting computers whose newest observation is limited"),
    COMPUTERS_OFFLINE(
        "enlace.establishment.computers.offline",
        "Reporting computers whose newest observation is offline"),
    CONNECTED(
        "enlace.establishment.connected",
        "1 when at least one computer of the establishment is online now, else 0"),
    OPEN(
        "enlace.establishment.open",
        "1 when the establishment is inside its opening hours now (municipality time), else 0"),
    LAST_REPORT(
        "enlace.establishment.last.report.timestamp.seconds",
        "Newest report received from any of its computers (enrollment if none reported), Unix s"),
    AGENTS(
        "enlace.establishment.agents",
        "Active computers by agent lifecycle: live (<21 d), at_risk (21-28 d), dropped (>=28 d)"),
    CLOCK_OFFSET_MAX(
        "enlace.establishment.agent.clock.offset.max.seconds",
        "Largest absolute clock offset (server - agent) among its live computers"),
    BACKLOG_MAX(
        "enlace.establishment.agent.backlog.max.seconds",
        "Largest lag between receiving a report and its newest observation among reporting"
            + " computers: how far behind the agents' queues are"),
    QUEUE_MAX(
        "enlace.establishment.agent.queue.max",
        "Largest queue (observations still in the journal after the batch) reported by its"
            + " agents in reports received within fleetMetrics.reportingWindow"),
    QUEUE_OLDEST_MAX(
        "enlace.establishment.agent.queue.oldest.max.seconds",
        "Largest age of the oldest queued observation, when the report saying so was received,"
            + " among the same reports (0 when none waited)"),
    DROPPED_OBSERVATIONS(
        "enlace.establishment.agent.dropped.observations",
        "Observations its computers' agents dropped from full journals (cumulative)"),
    MONTH_CONNECTED(
        "enlace.establishment.month.connected.computers",
        "Computers seen online on at least indicators.minOnlineDays days this month"),
    MONTH_AVAILABILITY(
        "enlace.establishment.month.availability.ratio",
        "Up minutes / minutes with data inside opening hours this month"),
    MONTH_OUTAGE(
        "enlace.establishment.month.outage.seconds",
        "Time in outage inside opening hours this month"),
    LATITUDE("enlace.establishment.latitude.degrees", "Latitude from the inventory"),
    LONGITUDE("enlace.establishment.longitude.degrees", "Longitude from the inventory"),
    LINK_CONTRACTED(
        "enlace.link.contracted.bits.per.second",
        "Contracted rate of the ISP link, by direction (down, up)"),
    LINK_SPEEDTEST_LAST(
        "enlace.link.speedtest.last.bits.per.second",
        "Newest successful speed test of the link, by direction (down, up)"),
    LINK_SPEEDTEST_LAST_TIME(
        "enlace.link.speedtest.last.timestamp.seconds",
        "When the newest successful speed test of the link was measured, Unix s"),
    LINK_UNDER_STREAK(
        "enlace.link.speedtest.under.contract.streak",
        "Newest speed tests in a row (up to 20) under 80 % of the contracted rate, by direction"),
    AGENT_VERSIONS(
        "enlace.agent.versions",
        "Live active computers by agent version (the less common ones as version=other)"),
    BASELINE_COMPUTERS(
        "enlace.indicator.baseline.computers",
        "Baseline in force: computers with internet, by sector"),
    BASELINE_ESTABLISHMENTS(
        "enlace.indicator.baseline.establishments",
        "Baseline in force: establishments with internet, by sector"),
    TARGET_INCREASE(
        "enlace.indicator.target.increase.ratio",
        "Target of the baseline in force, as a ratio over it (1 = +100 %)"),
    DECLARED_COMPUTERS(
        "enlace.indicator.declared.computers", "Declared computers in force this month, by sector"),
    DECLARED_ESTABLISHMENTS(
        "enlace.indicator.declared.establishments",
        "Declared establishments in force this month, by sector");

    final String name;
    final String description;

    Metric(String name, String description) {
      this.name = name;
      this.description = description;
    }
  }

  private final Jdbi jdbi;
  private final MeterRegistry meters;
  private final Clock clock;
  private final LocalMinutes minutes;
  private final int minOnlineDays;
  private final FleetMetricsConfig config;
  private final BooleanSupplier elected;
  private final ObjectMapper json = Jackson.newObjectMapper();
  private final Map<Key, Series> series = new HashMap<>();
  private final Timer refreshTimer;
  private final Counter refreshFailures;
  private volatile double databaseUp = Double.NaN;
  private volatile double lastSuccess = Double.NaN;
  private boolean failing;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "fleet-metrics");
            t.setDaemon(true);
            return t;
          });

  private record Key(Metric metric, Tags tags) {}

  /** One exported series; the gauge reads {@code value}, updated in place at each refresh. */
  private static final class Series {
    volatile double value;
    final Gauge gauge;

    Series(double value, Key key, MeterRegistry meters) {
      this.value = value;
      Metric m = key.metric();
      this.gauge =
          Gauge.builder(m.name, this, x -> x.value)
              .description(m.description)
              .tags(key.tags())
              .strongReference(true)
              .register(meters);
    }
  }

  public FleetMetrics(
      Jdbi jdbi,
      MeterRegistry meters,
      Clock clock,
      ZoneId zone,
      int minOnlineDays,
      FleetMetricsConfig config) {
    this(jdbi, meters, clock, zone, minOnlineDays, config, () -> true);
  }

  /**
   * With several replicas only the {@code elected} one exports the fleet's gauges, so that the
   * dashboards' and rules' sum() over the scraped replicas counts each computer once (and the
   * fleet's queries run once); the others export none until they are elected.
   */
  public FleetMetrics(
      Jdbi jdbi,
      MeterRegistry meters,
      Clock clock,
      ZoneId zone,
      int minOnlineDays,
      FleetMetricsConfig config,
      BooleanSupplier elected) {
    this.elected = requireNonNull(elected, "elected is null");
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.meters = requireNonNull(meters, "meters is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.minutes = new LocalMinutes(requireNonNull(zone, "zone is null"));
    this.minOnlineDays = minOnlineDays;
    this.config = requireNonNull(config, "config is null");
    this.refreshTimer =
        Timer.builder("enlace.fleet.refresh")
            .description("Time to read the fleet's state from the database")
            .register(meters);
    this.refreshFailures =
        Counter.builder("enlace.fleet.refresh.failures")
            .description("Fleet refreshes that failed; the gauges kept their last values")
            .register(meters);
    Gauge.builder("enlace.database.up", this, m -> m.databaseUp)
        .description("1 when the database answered the last fleet refresh, 0 when it did not")
        .register(meters);
    Gauge.builder("enlace.fleet.refresh.last.success.timestamp.seconds", this, m -> m.lastSuccess)
        .description("When the fleet gauges were last read from the database, Unix s")
        .register(meters);
  }

  @Override
  public void start() {
    // refreshSafely catches everything, and stop() ends the task: nothing to read from its future.
    ScheduledFuture<?> unusedRefreshes =
        executor.scheduleWithFixedDelay(
            this::refreshSafely, 0, config.getRefresh().toMilliseconds(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void stop() throws InterruptedException {
    executor.shutdownNow();
    executor.awaitTermination(30, TimeUnit.SECONDS);
  }

  private void refreshSafely() {
    try {
      refresh();
    } catch (RuntimeException e) {
      // refresh() handles database errors itself; this keeps the schedule alive on a bug.
      LOG.warn("event=fleet_metrics_failed error=\"{}\"", e.toString());
    }
  }

  /** Reads the fleet's state now and updates the gauges; true when it could. */
  public synchronized boolean refresh() {
    long start = System.nanoTime();
    try {
      jdbi.withExtension(FleetMetricsDao.class, FleetMetricsDao::ping);
      databaseUp = 1;
    } catch (RuntimeException e) {
      databaseUp = 0;
      failed(e);
      return false;
    }
    if (!elected.getAsBoolean()) {
      apply(Map.of());
      return true;
    }
    Map<Key, Double> next;
    try {
      next = read(clock.instant());
    } catch (RuntimeException e) {
      failed(e);
      return false;
    }
    apply(next);
    lastSuccess = clock.millis() / 1000.0;
    refreshTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    if (failing) {
      LOG.info("event=fleet_metrics_recovered series={}", series.size());
      failing = false;
    }
    return true;
  }

  private void failed(RuntimeException e) {
    refreshFailures.increment();
    if (!failing) {
      LOG.warn(
          "event=fleet_metrics_failed error=\"{}\" effect=\"gauges keep their last values;"
              + " retried every {}\"",
          e.toString(),
          config.getRefresh());
      failing = true;
    }
  }

  /** How many series this class exports now (for the cardinality test and the log). */
  synchronized int seriesCount() {
    return series.size();
  }

  /** The whole fleet's gauges at {@code now}, in the order they are registered. */
  private Map<Key, Double> read(Instant now) {
    LocalMinutes.Slot slot = minutes.slot(now);
    Snapshot s = snapshot(now, slot.day());
    Map<Key, Double> next = new LinkedHashMap<>();
    putEstablishments(next, s.establishments(), slot);
    putLinks(next, s.links());
    putAgentVersions(next, s.versions());
    s.baseline().ifPresent(b -> putBaseline(next, b));
    putDeclared(next, s.declared());
    return next;
  }

  /** What the queries answered, all from one snapshot of the database. */
  private record Snapshot(
      List<FleetMetricsDao.EstablishmentRow> establishments,
      List<FleetMetricsDao.LinkRow> links,
      List<FleetMetricsDao.VersionRow> versions,
      Optional<FleetMetricsDao.BaselineRow> baseline,
      List<FleetMetricsDao.DeclaredRow> declared) {}

  private Snapshot snapshot(Instant now, LocalDate today) {
    LocalDate monthStart = today.withDayOfMonth(1);
    LocalDate nextMonth = monthStart.plusMonths(1);
    Instant reportingSince = now.minus(config.getReportingWindow().toJavaDuration());
    Instant liveSince = now.minus(LIVE);
    Instant droppedSince = now.minus(DROPPED);
    // One snapshot for all the queries. READ ONLY is set on the transaction, never on the
    // connection: a pooled connection left read-only would refuse the server's next writes.
    return jdbi.inTransaction(
        TransactionIsolationLevel.REPEATABLE_READ,
        h -> {
          h.execute("SET TRANSACTION READ ONLY");
          FleetMetricsDao dao = h.attach(FleetMetricsDao.class);
          return new Snapshot(
              dao.establishments(
                  reportingSince, liveSince, droppedSince, monthStart, nextMonth, minOnlineDays),
              dao.links(today),
              dao.versions(liveSince),
              dao.baseline(),
              dao.declared(monthStart, nextMonth));
        });
  }

  private void putEstablishments(
      Map<Key, Double> next,
      List<FleetMetricsDao.EstablishmentRow> establishments,
      LocalMinutes.Slot slot) {
    Map<String, Boolean> openBySchedule = new HashMap<>();
    for (FleetMetricsDao.EstablishmentRow e : establishments) {
      Tags t = Tags.of("establishment", e.code(), "sector", e.sector(), "kind", e.kind());
      put(next, Metric.COMPUTERS_ENROLLED, t, e.enrolled());
      put(next, Metric.COMPUTERS_REPORTING, t, e.reporting());
      put(next, Metric.COMPUTERS_ONLINE, t, e.online());
      put(next, Metric.COMPUTERS_LIMITED, t, e.limited());
      put(next, Metric.COMPUTERS_OFFLINE, t, e.offline());
      put(next, Metric.CONNECTED, t, e.online() > 0 ? 1 : 0);
      boolean open =
          openBySchedule.computeIfAbsent(e.openingHours(), hours -> openAt(hours, e.id(), slot));
      put(next, Metric.OPEN, t, open ? 1 : 0);
      if (e.lastReport() != null) {
        put(next, Metric.LAST_REPORT, t, e.lastReport().toEpochMilli() / 1000.0);
      }
      put(next, Metric.AGENTS, t.and("lifecycle", "live"), e.live());
      put(next, Metric.AGENTS, t.and("lifecycle", "at_risk"), e.atRisk());
      put(next, Metric.AGENTS, t.and("lifecycle", "dropped"), e.dropped());
      if (e.clockOffsetMaxMs() != null) {
        put(next, Metric.CLOCK_OFFSET_MAX, t, e.clockOffsetMaxMs() / 1000.0);
      }
      if (e.backlogMaxSeconds() != null) {
        put(next, Metric.BACKLOG_MAX, t, Math.max(0, e.backlogMaxSeconds()));
      }
      if (e.queueMax() != null) {
        put(next, Metric.QUEUE_MAX, t, e.queueMax());
      }
      if (e.queueOldestMaxSeconds() != null) {
        put(next, Metric.QUEUE_OLDEST_MAX, t, Math.max(0, e.queueOldestMaxSeconds()));
      }
      put(next, Metric.DROPPED_OBSERVATIONS, t, e.droppedObservations());
      put(next, Metric.MONTH_CONNECTED, t, e.monthConnected());
      long withData = e.monthUpMinutes() + e.monthOutageMinutes();
      if (withData > 0) {
        put(next, Metric.MONTH_AVAILABILITY, t, (double) e.monthUpMinutes() / withData);
      }
      put(next, Metric.MONTH_OUTAGE, t, e.monthOutageMinutes() * 60.0);
      if (e.latitude() != null && e.longitude() != null) {
        put(next, Metric.LATITUDE, t, e.latitude());
        put(next, Metric.LONGITUDE, t, e.longitude());
      }
    }
  }

  private static void putLinks(Map<Key, Double> next, List<FleetMetricsDao.LinkRow> links) {
    for (FleetMetricsDao.LinkRow l : links) {
      Tags t = Tags.of("establishment", l.establishment(), "link", Long.toString(l.id()));
      Tags down = t.and("direction", "down");
      Tags up = t.and("direction", "up");
      put(next, Metric.LINK_CONTRACTED, down, l.contractedDownMbps() * 1e6);
      put(next, Metric.LINK_CONTRACTED, up, l.contractedUpMbps() * 1e6);
      if (l.lastDownMbps() != null) {
        put(next, Metric.LINK_SPEEDTEST_LAST, down, l.lastDownMbps() * 1e6);
      }
      if (l.lastUpMbps() != null) {
        put(next, Metric.LINK_SPEEDTEST_LAST, up, l.lastUpMbps() * 1e6);
      }
      if (l.lastTestAt() != null) {
        put(next, Metric.LINK_SPEEDTEST_LAST_TIME, t, l.lastTestAt().toEpochMilli() / 1000.0);
      }
      put(next, Metric.LINK_UNDER_STREAK, down, l.downUnderStreak());
      put(next, Metric.LINK_UNDER_STREAK, up, l.upUnderStreak());
    }
  }

  /** The most common versions by name, the rest together as "other" (rows come busiest first). */
  private void putAgentVersions(Map<Key, Double> next, List<FleetMetricsDao.VersionRow> rows) {
    Map<String, Long> versions = new LinkedHashMap<>();
    int max = config.getMaxAgentVersions();
    for (int i = 0; i < rows.size(); i++) {
      FleetMetricsDao.VersionRow v = rows.get(i);
      boolean own = rows.size() <= max || i < max - 1;
      String name = !own ? "other" : v.version().isEmpty() ? "unknown" : v.version();
      versions.merge(name, v.computers(), Long::sum);
    }
    versions.forEach((v, n) -> put(next, Metric.AGENT_VERSIONS, Tags.of("version", v), n));
  }

  private static void putBaseline(Map<Key, Double> next, FleetMetricsDao.BaselineRow b) {
    Tags administration = Tags.of("sector", "administration");
    Tags citizens = Tags.of("sector", "citizens");
    put(next, Metric.BASELINE_COMPUTERS, administration, b.administrationComputers());
    put(next, Metric.BASELINE_COMPUTERS, citizens, b.citizensComputers());
    put(next, Metric.BASELINE_ESTABLISHMENTS, administration, b.administrationEstablishments());
    put(next, Metric.BASELINE_ESTABLISHMENTS, citizens, b.citizensEstablishments());
    put(next, Metric.TARGET_INCREASE, Tags.empty(), b.targetIncreasePct() / 100.0);
  }

  /** Every sector, at 0 when nothing is declared for it. */
  private static void putDeclared(
      Map<Key, Double> next, List<FleetMetricsDao.DeclaredRow> declared) {
    for (String sector : SECTORS) {
      FleetMetricsDao.DeclaredRow d =
          declared.stream()
              .filter(r -> r.sector().equals(sector))
              .findFirst()
              .orElse(new FleetMetricsDao.DeclaredRow(sector, 0, 0));
      put(next, Metric.DECLARED_COMPUTERS, Tags.of("sector", sector), d.computers());
      put(next, Metric.DECLARED_ESTABLISHMENTS, Tags.of("sector", sector), d.establishments());
    }
  }

  private boolean openAt(String hours, long establishmentId, LocalMinutes.Slot slot) {
    return OpeningMask.fromStored(json, hours, establishmentId).isOpen(slot, minutes);
  }

  private static void put(Map<Key, Double> next, Metric metric, Tags tags, double value) {
    next.put(new Key(metric, tags), value);
  }

  /** Counts: far below 2^53, so the conversion to a gauge's double is exact. */
  private static void put(Map<Key, Double> next, Metric metric, Tags tags, long count) {
    put(next, metric, tags, (double) count);
  }

  /** Updates existing series in place, registers new ones, removes the ones that went away. */
  private void apply(Map<Key, Double> next) {
    for (Iterator<Map.Entry<Key, Series>> it = series.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, Series> e = it.next();
      if (!next.containsKey(e.getKey())) {
        meters.remove(e.getValue().gauge);
        it.remove();
      }
    }
    for (Map.Entry<Key, Double> e : next.entrySet()) {
      Series s = series.get(e.getKey());
      if (s == null) {
        series.put(e.getKey(), new Series(e.getValue(), e.getKey(), meters));
      } else {
        s.value = e.getValue();
      }
    }
  }
}

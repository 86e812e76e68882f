package org.enlace.server.metrics;

import com.codahale.metrics.MetricRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The database connection pool at {@code /metrics}. Dropwizard's pool reports to its own (Codahale)
 * registry as {@code io.dropwizard.db.ManagedPooledDataSource.<pool>.<figure>}; these gauges read
 * those figures at each scrape, so nothing is sampled in between.
 */
public final class DatabasePoolMetrics {
  private static final String PREFIX = "io.dropwizard.db.ManagedPooledDataSource.";

  private DatabasePoolMetrics() {}

  /**
   * Registers {@code enlace_db_pool_{active,idle,size,max}_connections} and {@code
   * enlace_db_pool_waiting_threads}; {@code maxSize} is the configured pool size.
   */
  public static void register(MetricRegistry source, MeterRegistry meters, int maxSize) {
    gauge(
        source,
        meters,
        "active",
        "enlace.db.pool.active.connections",
        "Database connections in use");
    gauge(
        source,
        meters,
        "idle",
        "enlace.db.pool.idle.connections",
        "Database connections open and idle");
    gauge(
        source,
        meters,
        "size",
        "enlace.db.pool.size.connections",
        "Database connections open (in use and idle)");
    gauge(
        source,
        meters,
        "waiting",
        "enlace.db.pool.waiting.threads",
        "Threads waiting for a database connection");
    Gauge.builder("enlace.db.pool.max.connections", () -> maxSize)
        .description("Largest number of database connections (database.maxPoolSize)")
        .register(meters);
  }

  private static void gauge(
      MetricRegistry source, MeterRegistry meters, String figure, String name, String description) {
    Gauge.builder(name, source, s -> read(s, figure)).description(description).register(meters);
  }

  /** The figure summed over Dropwizard's pools (Enlace has one); NaN when there is none. */
  static double read(MetricRegistry source, String figure) {
    double sum = Double.NaN;
    // Qualified: Micrometer's Gauge is imported. Typed, since getGauges answers raw Gauges.
    for (com.codahale.metrics.Gauge<?> g :
        source.getGauges((n, m) -> n.startsWith(PREFIX) && n.endsWith("." + figure)).values()) {
      if (g.getValue() instanceof Number n) {
        sum = (Double.isNaN(sum) ? 0 : sum) + n.doubleValue();
      }
    }
    return sum;
  }
}

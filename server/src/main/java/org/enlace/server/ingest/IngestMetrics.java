package org.enlace.server.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Ingest's own metrics; labels are bounded (results and outcomes, never agent ids). */
public final class IngestMetrics {
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> reports = new ConcurrentHashMap<>();
  private final Counter stored;
  private final Counter duplicate;
  private final Counter rejected;
  private final Timer commit;
  private final DistributionSummary reportsPerCommit;
  private final DistributionSummary rowsPerCommit;
  private final Counter commitFailures;

  public IngestMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.stored = observations("stored");
    this.duplicate = observations("duplicate");
    this.rejected = observations("rejected");
    this.commit =
        Timer.builder("enlace.ingest.commit")
            .description("Time to store one group commit of reports")
            .publishPercentileHistogram()
            .register(registry);
    this.reportsPerCommit =
        DistributionSummary.builder("enlace.ingest.commit.reports")
            .description("Reports sharing one database commit")
            .register(registry);
    this.rowsPerCommit =
        DistributionSummary.builder("enlace.ingest.commit.rows")
            .description("Observations stored by one database commit")
            .register(registry);
    this.commitFailures =
        Counter.builder("enlace.ingest.commit.failures")
            .description("Group commits that failed; their reports were answered 503")
            .register(registry);
    for (String outcome :
        new String[] {"accepted", "bad_request", "unauthorized", "too_large", "unavailable"}) {
      report(outcome);
    }
  }

  private Counter observations(String result) {
    return Counter.builder("enlace.ingest.observations")
        .description("Observations received, by result")
        .tag("result", result)
        .register(registry);
  }

  private Counter report(String outcome) {
    return reports.computeIfAbsent(
        outcome,
        o ->
            Counter.builder("enlace.ingest.reports")
                .description("Report requests, by outcome")
                .tag("outcome", o)
                .register(registry));
  }

  void queueDepth(Supplier<Number> depth) {
    Gauge.builder("enlace.ingest.queue.reports", depth)
        .description("Reports waiting for a group commit")
        .register(registry);
  }

  void commit(long nanos, int reports, int rows) {
    commit.record(nanos, TimeUnit.NANOSECONDS);
    reportsPerCommit.record(reports);
    rowsPerCommit.record(rows);
  }

  void commitFailed() {
    commitFailures.increment();
  }

  void observations(long storedCount, long duplicateCount, long rejectedCount) {
    stored.increment((double) storedCount);
    duplicate.increment((double) duplicateCount);
    rejected.increment((double) rejectedCount);
  }

  void reportOutcome(String outcome) {
    report(outcome).increment();
  }
}

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
  private final DistributionSummary computersPerCommit;
  private final Counter commitIsolations;
  private final ConcurrentHashMap<String, Counter> isolated = new ConcurrentHashMap<>();

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
            .description(
                "Group commits that failed because the database was unavailable; their reports"
                    + " were answered 503")
            .register(registry);
    this.computersPerCommit =
        DistributionSummary.builder("enlace.ingest.commit.computers")
            .description("Computers whose reports shared one database commit")
            .register(registry);
    this.commitIsolations =
        Counter.builder("enlace.ingest.commit.isolations")
            .description(
                "Group commits the database refused for their data, split to find what it refuses")
            .register(registry);
    for (String outcome : new String[] {"stored", "partly_rejected", "refused", "failed"}) {
      isolatedReport(outcome, 0);
    }
    for (String outcome :
        new String[] {
          "accepted", "bad_request", "unauthorized", "too_large", "unavailable", "refused"
        }) {
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

  void commit(long nanos, int reports, int rows, int computers) {
    commit.record(nanos, TimeUnit.NANOSECONDS);
    reportsPerCommit.record(reports);
    rowsPerCommit.record(rows);
    computersPerCommit.record(computers);
  }

  void commitIsolated() {
    commitIsolations.increment();
  }

  /**
   * A report of a group commit the database refused, once isolation settled it: {@code stored} (all
   * of it: an innocent neighbour), {@code partly_rejected} (some observations refused), {@code
   * refused} (422) or {@code failed} (503: not the data's fault).
   */
  void isolatedReport(String outcome) {
    isolatedReport(outcome, 1);
  }

  private void isolatedReport(String outcome, int n) {
    isolated
        .computeIfAbsent(
            outcome,
            o ->
                Counter.builder("enlace.ingest.isolated.reports")
                    .description("Reports of group commits the database refused, by outcome")
                    .tag("outcome", o)
                    .register(registry))
        .increment(n);
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

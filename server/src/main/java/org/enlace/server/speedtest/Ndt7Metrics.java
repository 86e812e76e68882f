package org.enlace.server.speedtest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** ndt7 metrics; labels are bounded (subtest, outcome, reason), never agents or tests. */
final class Ndt7Metrics {
  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  Ndt7Metrics(MeterRegistry registry, Supplier<Number> running) {
    this.registry = registry;
    Gauge.builder("enlace.ndt7.tests.running", running)
        .description("ndt7 subtests in progress")
        .register(registry);
    for (String reason : new String[] {"busy", "unauthorized", "bad_request", "unavailable"}) {
      refusedCounter(reason);
    }
    for (Ndt7Access.Subtest s : Ndt7Access.Subtest.values()) {
      bytesCounter(s);
      for (String outcome : new String[] {"completed", "failed"}) {
        tests(s, outcome);
      }
    }
  }

  void refused(String reason) {
    refusedCounter(reason).increment();
  }

  private Counter refusedCounter(String reason) {
    return counters.computeIfAbsent(
        "refused:" + reason,
        k ->
            Counter.builder("enlace.ndt7.refused")
                .description("ndt7 upgrade requests refused before the upgrade, by reason")
                .tag("reason", reason)
                .register(registry));
  }

  private Counter tests(Ndt7Access.Subtest subtest, String outcome) {
    return counters.computeIfAbsent(
        "tests:" + subtest + ":" + outcome,
        k ->
            Counter.builder("enlace.ndt7.tests")
                .description("ndt7 subtests finished, by subtest and outcome")
                .tag("subtest", Ndt7Session.name(subtest))
                .tag("outcome", outcome)
                .register(registry));
  }

  private Counter bytesCounter(Ndt7Access.Subtest subtest) {
    return counters.computeIfAbsent(
        "bytes:" + subtest,
        k ->
            Counter.builder("enlace.ndt7.payload.bytes")
                .baseUnit("bytes")
                .description("ndt7 payload bytes sent (download) or received (upload)")
                .tag("subtest", Ndt7Session.name(subtest))
                .register(registry));
  }

  void finished(Ndt7Access.Subtest subtest, boolean completed, long bytes) {
    tests(subtest, completed ? "completed" : "failed").increment();
    bytesCounter(subtest).increment((double) bytes);
  }
}

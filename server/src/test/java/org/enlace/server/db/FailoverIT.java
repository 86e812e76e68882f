package org.enlace.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.ConfigOverrides;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestPostgres;
import org.enlace.server.testing.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Enlace on a pg_auto_failover formation (monitor, primary, synchronous secondary) through the
 * multi-host JDBC URL: while agents upload reports without pause, {@code pg_autoctl perform
 * failover}. Reports are answered 200 again within 10 s of the promotion, what is refused meanwhile
 * is refused 503 (so agents keep it and send it again), and every observation acknowledged with a
 * 200, before or after, is on the new primary.
 *
 * <p>Skipped (an assumption) where pg_autoctl and the postgresql-MAJOR-auto-failover extension are
 * not installed, as the other tests on Debian's PostgreSQL binaries are.
 */
@ExtendWith(ConfigOverrides.class)
class FailoverIT {
  private static final int AGENTS = 3;

  @Test
  void reportsAreAcceptedAgainWithinTenSecondsOfThePromotionAndNoAcknowledgedOneIsLost()
      throws Exception {
    Optional<Path> bin = AutoFailoverCluster.installed();
    assumeTrue(
        bin.isPresent(),
        "no /usr/bin/pg_autoctl with a /usr/lib/postgresql/MAJOR carrying pgautofailover here:"
            + " failover test not run (apt-get install postgresql-15-auto-failover)");
    long started = System.nanoTime();
    try (AutoFailoverCluster cluster = AutoFailoverCluster.start(bin.get())) {
      long clusterUp = System.nanoTime();
      TestApp app =
          TestApp.external(
              cluster.jdbcUrl(),
              AutoFailoverCluster.USER,
              "trust-authentication",
              TestPostgres.worldTraversableTempDir("enlace-failover-data-"),
              TestApp.unlimitedReports());
      app.extension().before();
      List<Uploader> uploaders = new ArrayList<>();
      try {
        app.establishment("biblioteca", "citizens");
        for (int i = 0; i < AGENTS; i++) {
          uploaders.add(new Uploader(app.enroll("biblioteca")));
        }
        uploaders.forEach(Uploader::start);
        Waits.await(
            "reports acknowledged before the failover",
            Duration.ofSeconds(30),
            () -> uploaders.stream().allMatch(u -> u.acknowledged.size() >= 5));

        Instant failoverAsked = Instant.now();
        cluster.performFailover();
        Instant promoted = cluster.promotedAt("n2");
        Waits.await(
            "reports acknowledged after the promotion",
            Duration.ofSeconds(30),
            () -> uploaders.stream().allMatch(u -> u.acceptedAfter(promoted).isPresent()));
        Thread.sleep(1000);
        for (Uploader u : uploaders) {
          u.stop();
        }

        Instant recovered =
            uploaders.stream()
                .map(u -> u.acceptedAfter(promoted).orElseThrow())
                .max(Instant::compareTo)
                .orElseThrow();
        Duration promotionTo200 = Duration.between(promoted, recovered);
        List<Refusal> refusals = new ArrayList<>();
        uploaders.forEach(u -> refusals.addAll(u.refusals));
        Optional<Instant> firstRefusal = refusals.stream().map(Refusal::at).min(Instant::compareTo);
        System.out.printf(
            "event=failover_measured cluster_start_ms=%d failover_command_ms=%d"
                + " promotion_to_200_ms=%d refused=%d first_refusal_to_200_ms=%d statuses=%s%n",
            Duration.ofNanos(clusterUp - started).toMillis(),
            Duration.between(failoverAsked, promoted).toMillis(),
            promotionTo200.toMillis(),
            refusals.size(),
            firstRefusal.map(f -> Duration.between(f, recovered).toMillis()).orElse(0L),
            statuses(refusals));

        assertThat(promotionTo200).isLessThan(Duration.ofSeconds(10));
        // Refused as "unavailable, send it again" (the agent keeps it), never as a fault.
        assertThat(refusals).allSatisfy(r -> assertThat(r.status()).as(r.toString()).isIn(503, -1));
        assertThat(cluster.states()).containsEntry("n2", "primary/primary");

        // Every 200 is on the new primary, read there directly.
        try (Connection c =
            DriverManager.getConnection(
                cluster.nodeUrl(cluster.port2), AutoFailoverCluster.USER, "")) {
          for (Uploader u : uploaders) {
            assertThat(storedSeqs(c, u.agent.id())).containsAll(u.acknowledged);
          }
        }
      } finally {
        for (Uploader u : uploaders) {
          u.stop();
        }
        app.extension().after();
      }
    }
    System.out.printf(
        "event=failover_it_wall_ms value=%d%n",
        Duration.ofNanos(System.nanoTime() - started).toMillis());
  }

  private static Set<Long> storedSeqs(Connection c, String agentId) throws Exception {
    Set<Long> seqs = new TreeSet<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT o.seq FROM observations o JOIN agents a ON a.id = o.agent_id"
                + " WHERE a.public_id = ?::uuid")) {
      s.setString(1, agentId);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          seqs.add(r.getLong(1));
        }
      }
    }
    return seqs;
  }

  private static Map<Integer, Integer> statuses(List<Refusal> refusals) {
    Map<Integer, Integer> counts = new TreeMap<>();
    refusals.forEach(r -> counts.merge(r.status(), 1, Integer::sum));
    return counts;
  }

  /** A report not answered 200: its HTTP status, or -1 when the request itself failed. */
  record Refusal(Instant at, int status, String detail) {}

  /** One agent sending one observation per report, the next as soon as the last is answered. */
  private static final class Uploader {
    final TestApp.Agent agent;
    final Set<Long> acknowledged = new ConcurrentSkipListSet<>();
    final List<Instant> acceptedAt = new CopyOnWriteArrayList<>();
    final List<Refusal> refusals = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Uploader(TestApp.Agent agent) {
      this.agent = agent;
      this.thread = new Thread(this::loop, "uploader-" + agent.id());
    }

    void start() {
      thread.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(Duration.ofSeconds(30).toMillis());
    }

    Optional<Instant> acceptedAfter(Instant t) {
      Instant lastRefusal =
          refusals.stream().map(Refusal::at).max(Instant::compareTo).orElse(Instant.MIN);
      Instant from = lastRefusal.isAfter(t) ? lastRefusal : t;
      return acceptedAt.stream().filter(a -> a.isAfter(from)).findFirst();
    }

    private void loop() {
      long seq = 1;
      while (running.get()) {
        try {
          Api.Response r = agent.report(TestApp.report(seq));
          if (r.status() == 200) {
            acknowledged.add(seq);
            acceptedAt.add(Instant.now());
            seq++;
            continue;
          }
          refusals.add(new Refusal(Instant.now(), r.status(), r.toString()));
        } catch (IllegalStateException e) {
          refusals.add(new Refusal(Instant.now(), -1, e.toString()));
        }
        // Resent (the same sequence) after a pause, as the agent does with its queue.
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}

package org.enlace.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.enlace.server.cluster.Replicas.cluster;

import io.dropwizard.testing.ConfigOverride;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.testing.ConfigOverrides;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two (then three) replicas of the real server on one PostgreSQL: each singleton job's lease is
 * held by exactly one, never by two at once, and moves when its holder dies (stops heartbeating) or
 * stops; the fleet's gauges are exported by one replica only.
 */
@ExtendWith(ConfigOverrides.class)
class ReplicasTest {
  @Test
  void exactlyOneReplicaHoldsEachLeaseAndAnotherTakesItWhenTheHolderDies() throws Exception {
    try (Replicas r = new Replicas()) {
      List<TestApp> apps = r.start(2);
      for (Lease l : Lease.values()) {
        List<TestApp> holders = oneHolder(apps, l);
        UUID inDatabase =
            apps.get(0)
                .jdbi()
                .withHandle(
                    h ->
                        h.createQuery("SELECT holder FROM cluster_leases WHERE name = :n")
                            .bind("n", l.wire())
                            .mapTo(UUID.class)
                            .one());
        assertThat(inDatabase).isEqualTo(cluster(holders.get(0)).id());
      }
      assertThat(cluster(apps.get(0)).liveReplicas()).hasSize(2);
      assertThat(cluster(apps.get(0)).liveReplicas())
          .containsExactlyInAnyOrderElementsOf(cluster(apps.get(1)).liveReplicas());

      // Killed: no more heartbeats, its row and leases left to expire.
      TestApp holder =
          apps.stream().filter(a -> cluster(a).holds(Lease.RETENTION)).findFirst().orElseThrow();
      TestApp other = r.runningOther(holder);
      cluster(holder).halt();
      long tookMs = waitForHandOver(holder, other, Lease.RETENTION);
      System.out.printf("lease hand-over after the holder died: %d ms%n", tookMs);
      // The lease lasts 1 s from the last renewal; the other replica asks every 250 ms.
      assertThat(tookMs).isLessThanOrEqualTo(2 * Replicas.LEASE_MS + Replicas.HEARTBEAT_MS);
      Waits.await(
          "the other replica to hold every lease",
          Duration.ofSeconds(5),
          () -> cluster(other).holds(Lease.FLEET_METRICS));
      Waits.await(
          "the dead replica to leave the live list",
          Duration.ofSeconds(5),
          () -> cluster(other).liveReplicas().equals(List.of(cluster(other).id())));
      r.stop(holder);

      // A clean stop hands the leases over at the next heartbeat.
      TestApp third = r.start(1).get(0);
      assertThat(cluster(third).holds(Lease.RETENTION)).isFalse();
      long stopped = System.nanoTime();
      r.stop(other);
      Waits.await(
          "the new replica to take the leases",
          Duration.ofSeconds(5),
          () -> cluster(third).holds(Lease.RETENTION) && cluster(third).holds(Lease.FLEET_METRICS));
      long cleanMs = (System.nanoTime() - stopped) / 1_000_000;
      System.out.printf("lease hand-over after a clean stop: %d ms%n", cleanMs);
    }
  }

  /**
   * The one replica that holds the lease, checked for a second: never two, and exactly one at the
   * end (a heartbeat delayed past the lease on a busy machine may leave it to nobody for a moment).
   */
  private static List<TestApp> oneHolder(List<TestApp> apps, Lease lease) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    List<TestApp> holders = List.of();
    while (System.nanoTime() < end || holders.size() != 1) {
      holders = apps.stream().filter(a -> cluster(a).holds(lease)).toList();
      assertThat(holders.size()).as("holders of " + lease.wire()).isLessThanOrEqualTo(1);
      Thread.sleep(5);
      if (System.nanoTime() - end > Duration.ofSeconds(5).toNanos()) {
        throw new AssertionError("no replica holds " + lease.wire());
      }
    }
    return holders;
  }

  /** Waits for {@code to} to hold the lease, checking that never both hold it; its time in ms. */
  private static long waitForHandOver(TestApp from, TestApp to, Lease lease) throws Exception {
    long start = System.nanoTime();
    long deadline = start + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      boolean a = cluster(from).holds(lease);
      boolean b = cluster(to).holds(lease);
      assertThat(a && b).as("both replicas hold " + lease.wire()).isFalse();
      if (b) {
        return (System.nanoTime() - start) / 1_000_000;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("no hand-over of " + lease.wire());
  }

  @Test
  void theFleetGaugesAreExportedByOneReplicaOnly() throws Exception {
    try (Replicas r = new Replicas()) {
      List<TestApp> apps = r.start(2, ConfigOverride.config("fleetMetrics.refresh", "1 second"));
      r.it().post("/api/v1/establishments", establishment("fleet-1"));
      r.it().post("/api/v1/establishments", establishment("fleet-2"));
      Waits.await(
          "each establishment's gauge exported once",
          Duration.ofSeconds(10),
          () -> exported(apps, "enlace_establishment_computers_enrolled{") == 2);
      TestApp exporter =
          apps.stream()
              .filter(a -> series(a, "enlace_establishment_computers_enrolled{") > 0)
              .findFirst()
              .orElseThrow();
      assertThat(cluster(exporter).holds(Lease.FLEET_METRICS)).isTrue();
      // Each replica says which leases it holds; one 1 per lease over all of them.
      for (Lease l : Lease.values()) {
        long held =
            apps.stream()
                .filter(
                    a ->
                        scrape(a)
                            .lines()
                            .anyMatch(
                                x ->
                                    x.startsWith("enlace_cluster_lease_held{lease=\"" + l.wire())
                                        && x.endsWith(" 1.0")))
                .count();
        assertThat(held).as(l.wire()).isEqualTo(1);
      }
      // The database stays visible from every replica.
      for (TestApp a : apps) {
        assertThat(scrape(a)).contains("enlace_database_up 1.0");
      }

      cluster(exporter).halt();
      TestApp other = r.runningOther(exporter);
      Waits.await(
          "the other replica to export the gauges, and the dead one to stop",
          Duration.ofSeconds(10),
          () ->
              series(other, "enlace_establishment_computers_enrolled{") == 2
                  && series(exporter, "enlace_establishment_computers_enrolled{") == 0);
    }
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode establishment(String code) {
    return org.enlace.server.testing.Api.object()
        .put("code", code)
        .put("name", "Establecimiento " + code)
        .put("kind", "town_hall")
        .put("sector", "administration");
  }

  private static String scrape(TestApp app) {
    return ((EnlaceApplication) app.extension().getApplication()).meters().scrape();
  }

  private static long series(TestApp app, String prefix) {
    return scrape(app).lines().filter(l -> l.startsWith(prefix)).count();
  }

  private static long exported(List<TestApp> apps, String prefix) {
    return apps.stream().mapToLong(a -> series(a, prefix)).sum();
  }
}

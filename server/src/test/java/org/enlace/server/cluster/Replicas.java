package org.enlace.server.cluster;

import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.testing.ConfigOverride;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.db.Migrations;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.ConfigOverrides;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestPostgres;
import org.jdbi.v3.core.Jdbi;

/** Replicas of the real server on one fresh database of the shared PostgreSQL, for tests. */
final class Replicas implements AutoCloseable {
  /**
   * Heartbeat every 250 ms, leases of 1 s: hand-overs in about a second, and room for a heartbeat
   * delayed by a busy test machine.
   */
  static final long HEARTBEAT_MS = 250;

  static final long LEASE_MS = 1_000;

  /** One SNMP credential key for every replica, as an external database requires. */
  static final String SNMP_KEY = Base64.getEncoder().encodeToString(new byte[32]);

  final String url = TestPostgres.newDatabase();
  final List<TestApp> apps = new ArrayList<>();
  private final List<TestApp> running = new ArrayList<>();
  private final Properties overrides = ConfigOverrides.snapshot();

  Replicas() {
    // The schema and this season's partitions first: two replicas' first start on an empty
    // database is another test's subject; these tests are about what the replicas share after.
    DataSourceFactory dsf = new DataSourceFactory();
    dsf.setDriverClass("org.postgresql.Driver");
    dsf.setUrl(url);
    dsf.setUser(TestPostgres.user());
    dsf.setPassword(TestPostgres.password());
    Migrations.migrate(dsf);
    Jdbi jdbi = Jdbi.create(url, TestPostgres.user(), TestPostgres.password());
    LocalDate month = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
    jdbi.useHandle(
        h -> {
          for (int i = -1; i <= 2; i++) {
            h.createQuery("SELECT 1 FROM enlace_ensure_observation_partition(CAST(:m AS date))")
                .bind("m", month.plusMonths(i))
                .mapTo(Integer.class)
                .one();
            h.createQuery("SELECT 1 FROM enlace_ensure_link_samples_partition(CAST(:m AS date))")
                .bind("m", month.plusMonths(i))
                .mapTo(Integer.class)
                .list();
          }
        });
  }

  /** Adds {@code n} replicas with these overrides and starts them all at the same instant. */
  List<TestApp> start(int n, ConfigOverride... extra) throws Exception {
    List<TestApp> added = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Path dataDir = TestPostgres.worldTraversableTempDir("enlace-replica-");
      List<ConfigOverride> o = new ArrayList<>();
      o.add(ConfigOverride.config("cluster.heartbeat", HEARTBEAT_MS + " milliseconds"));
      o.add(ConfigOverride.config("cluster.leaseDuration", LEASE_MS + " milliseconds"));
      o.add(ConfigOverride.config("snmp.credentialKeys.shared", SNMP_KEY));
      o.add(ConfigOverride.config("snmp.activeCredentialKey", "shared"));
      o.addAll(List.of(extra));
      added.add(
          TestApp.external(
              url,
              TestPostgres.user(),
              TestPostgres.password(),
              dataDir,
              o.toArray(ConfigOverride[]::new)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<?>> starts = new ArrayList<>();
      for (TestApp a : added) {
        starts.add(
            pool.submit(
                () -> {
                  a.extension().before();
                  return null;
                }));
      }
      for (Future<?> f : starts) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    apps.addAll(added);
    running.addAll(added);
    return added;
  }

  static Cluster cluster(TestApp app) {
    return ((EnlaceApplication) app.extension().getApplication()).cluster();
  }

  /** A clean stop: the replica leaves and hands its leases over. */
  void stop(TestApp app) {
    if (running.remove(app)) {
      app.extension().after();
    }
  }

  /** The admin, through whichever replica created the account. */
  Api it() {
    for (TestApp a : apps) {
      try {
        return a.it();
      } catch (RuntimeException e) {
        // its data directory has no initial password: another replica made the account
      }
    }
    throw new IllegalStateException("no replica wrote the initial admin password");
  }

  TestApp runningOther(TestApp than) {
    return running.stream().filter(a -> a != than).findFirst().orElseThrow();
  }

  @Override
  public void close() throws IOException {
    try {
      for (TestApp a : List.copyOf(running)) {
        stop(a);
      }
    } finally {
      ConfigOverrides.restore(overrides);
    }
  }
}

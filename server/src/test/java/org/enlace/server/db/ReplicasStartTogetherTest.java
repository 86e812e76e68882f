package org.enlace.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.ConfigOverrides;
import org.enlace.server.testing.TempDirs;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two replicas started in the same instant on one empty database: both migrate it (Flyway holds an
 * advisory lock while it creates its history table and applies the migrations), both create this
 * month's partitions, both create or find the first administrator, and both come up.
 */
@ExtendWith(ConfigOverrides.class)
class ReplicasStartTogetherTest {
  private static final ConfigOverride SHARED_KEY =
      ConfigOverride.config(
          "snmp.credentialKeys.k1", Base64.getEncoder().encodeToString(new byte[32]));

  @Test
  void twoReplicasOnAnEmptyDatabaseBothStartThreeTimes() throws Exception {
    for (int round = 0; round < 3; round++) {
      String url = TestPostgres.newDatabase();
      List<TestApp> apps = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        apps.add(
            TestApp.external(
                url,
                TestPostgres.user(),
                TestPostgres.password(),
                TempDirs.create("enlace-replica-"),
                SHARED_KEY));
      }
      CyclicBarrier together = new CyclicBarrier(apps.size());
      ExecutorService pool = Executors.newFixedThreadPool(apps.size());
      List<Future<?>> started = new ArrayList<>();
      for (TestApp app : apps) {
        started.add(
            pool.submit(
                () -> {
                  together.await();
                  app.extension().before();
                  return null;
                }));
      }
      try {
        for (Future<?> f : started) {
          f.get();
        }
        for (TestApp app : apps) {
          Api.Response r = new Api(app.adminBase(), null).get("/healthcheck");
          assertThat(r.status()).as("round %d: %s", round, r).isEqualTo(200);
        }
      } finally {
        pool.shutdown();
        for (TestApp app : apps) {
          app.extension().after();
        }
      }
    }
  }
}

package org.enlace.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.enlace.server.testing.TestJdbi;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Replicas starting together create the same monthly partitions at the same instant (issue 19:
 * "relation observations_2026_12 already exists"). Every call meets the others at a barrier, each
 * thread on its own connection, half of them inside a longer transaction as the SNMP store does.
 */
class PartitionRaceTest {
  private static final int THREADS = 16;
  private static final int MONTHS = 12;

  @Test
  void parallelCallsForTwelveMonthsOnAFreshDatabaseNeverFail() throws Exception {
    for (int round = 0; round < 3; round++) {
      Jdbi jdbi = TestJdbi.migrated();
      LocalDate first = LocalDate.of(2030 + round, 1, 1);
      CyclicBarrier barrier = new CyclicBarrier(THREADS);
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        boolean inTransaction = t % 2 == 1;
        done.add(
            pool.submit(
                () -> {
                  try (Handle h = jdbi.open()) {
                    for (int m = 0; m < MONTHS; m++) {
                      LocalDate month = first.plusMonths(m);
                      barrier.await();
                      try {
                        if (inTransaction) {
                          h.useTransaction(tx -> ensureBoth(tx, month));
                        } else {
                          ensureBoth(h, month);
                        }
                      } catch (RuntimeException e) {
                        failures.add(month + ": " + e.getMessage());
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      pool.shutdown();
      assertThat(failures).as("round " + round).isEmpty();
      assertThat(partitions(jdbi, "observations")).hasSize(MONTHS);
      assertThat(partitions(jdbi, "link_samples")).hasSize(MONTHS);
    }
  }

  private static void ensureBoth(Handle h, LocalDate month) {
    h.createQuery("SELECT 1 FROM enlace_ensure_observation_partition(:m)")
        .bind("m", month)
        .mapTo(Integer.class)
        .one();
    h.createQuery("SELECT 1 FROM enlace_ensure_link_samples_partition(:m)")
        .bind("m", month)
        .mapTo(Integer.class)
        .one();
  }

  private static List<String> partitions(Jdbi jdbi, String parent) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :parent
                    """)
                .bind("parent", parent)
                .mapTo(String.class)
                .list());
  }
}

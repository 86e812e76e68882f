package org.enlace.server.bench;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.testing.FuzzRun;
import org.enlace.server.testing.TestApp;

/**
 * The CI fuzzer (ReportFuzzTest) at a larger count: {@code mvn -B -Pbench -pl server -am verify
 * -DskipTests -Dbench=IngestFuzzBench -Dbench.requests=100000}. The real application and its own
 * embedded PostgreSQL in this JVM, 8 enrolled agents sending at once; prints the status histogram,
 * the 5xx count, the rate and whether every acknowledged observation is stored exactly once, and
 * exits 1 if not. {@code -Dbench.fuzz.seed=N} replays a run (the seed is printed).
 */
public final class IngestFuzzBench {
  private IngestFuzzBench() {}

  public static void main(String[] args) throws Exception {
    String requests = System.getProperty("bench.requests", "");
    int reports = requests.isBlank() ? 100_000 : Integer.parseInt(requests.trim());
    long seed = Long.getLong("bench.fuzz.seed", new Random().nextLong());
    TestApp app = TestApp.create(TestApp.unlimitedReports());
    DropwizardAppExtension<EnlaceConfiguration> ext = app.extension();
    ext.before();
    boolean ok;
    try {
      app.establishment("fuzz", "administration");
      String token = app.token("fuzz", 8);
      List<TestApp.Agent> agents = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        agents.add(app.enroll(token, "fuzz-bench-" + i + "-" + seed, "fuzz-" + i, "office"));
      }
      System.out.printf("IngestFuzzBench: seed=%d reports=%d agents=8%n", seed, reports);
      FuzzRun.Result r = FuzzRun.run(agents, reports, seed);
      Map<String, Set<Long>> stored = FuzzRun.stored(app.jdbi(), agents);
      long acknowledged = r.acknowledged().values().stream().mapToLong(Set::size).sum();
      long storedRows = stored.values().stream().mapToLong(Set::size).sum();
      boolean same = stored.equals(Map.copyOf(r.acknowledged()));
      long twice = FuzzRun.storedTwice(app.jdbi());
      System.out.printf(
          "IngestFuzzBench: seed=%d reports=%d seconds=%.1f reports/s=%.0f 5xx=%d statuses=%s%n"
              + "  acknowledged observations=%d stored=%d same set=%s stored twice=%d cores=%d%n",
          seed,
          reports,
          r.seconds(),
          reports / r.seconds(),
          r.count5xx(),
          r.statuses(),
          acknowledged,
          storedRows,
          same,
          twice,
          Runtime.getRuntime().availableProcessors());
      r.serverErrors().stream().limit(20).forEach(e -> System.out.println("  5xx: " + e));
      ok = r.count5xx() == 0 && same && twice == 0;
    } finally {
      ext.after();
    }
    System.exit(ok ? 0 : 1);
  }
}

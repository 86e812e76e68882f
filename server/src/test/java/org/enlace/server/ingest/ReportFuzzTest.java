package org.enlace.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.testing.FuzzRun;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestApp.Agent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzzing {@code POST /api/v1/reports} on the real server and PostgreSQL (issue 17): at least
 * 10,000 reports mutated from the protocol's examples (see ReportFuzzer), from 8 enrolled agents at
 * once. Nothing a client sends may be answered 5xx, and every observation acknowledged in a 200 is
 * stored exactly once, and nothing else is stored. A new seed each run, printed with any failure:
 * {@code -Denlace.fuzz.seed=N} replays it, {@code -Denlace.fuzz.reports=N} changes the count.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ReportFuzzTest {
  static final TestApp APP = TestApp.create(TestApp.unlimitedReports());
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();

  @Test
  void fuzzedReportsAreNeverAnswered5xxAndWhatIsAcknowledgedIsStoredOnce() throws Exception {
    long seed = Long.getLong("enlace.fuzz.seed", new Random().nextLong());
    int reports = Integer.getInteger("enlace.fuzz.reports", 10_000);
    APP.establishment("fuzz", "administration");
    String token = APP.token("fuzz", 8);
    List<Agent> agents = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      agents.add(APP.enroll(token, "fuzz-machine-" + i + "-" + seed, "fuzz-" + i, "office"));
    }
    String replay = "fuzz seed " + seed + " (replay with -Denlace.fuzz.seed=" + seed + ")";
    System.out.println("event=fuzz_start seed=" + seed + " reports=" + reports);

    FuzzRun.Result r = FuzzRun.run(agents, reports, seed);

    System.out.printf(
        "event=fuzz_done seed=%d reports=%d seconds=%.1f reportsPerSecond=%.0f statuses=%s%n",
        seed, reports, r.seconds(), reports / r.seconds(), r.statuses());
    assertThat(r.serverErrors()).as(replay).isEmpty();
    assertThat(r.count5xx()).as(replay).isZero();
    // The fuzzer keeps about a third of its reports valid: plenty must have been stored.
    assertThat(r.statuses().getOrDefault(200, 0)).as(replay).isGreaterThan(reports / 4);
    Map<String, Set<Long>> stored = FuzzRun.stored(APP.jdbi(), agents);
    for (Agent a : agents) {
      assertThat(stored.get(a.id()))
          .as("%s: stored vs acknowledged for agent %s", replay, a.id())
          .isEqualTo(r.acknowledged().get(a.id()));
    }
    assertThat(FuzzRun.storedTwice(APP.jdbi())).as(replay).isZero();
  }
}

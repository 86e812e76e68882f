package org.enlace.server.speedtest.accuracy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.enlace.server.speedtest.accuracy.AccuracyRig.AgentRun;
import org.enlace.server.speedtest.accuracy.ShapedLink.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 6, accuracy: the agent's ndt7 client (its shipped jar, with the production JVM options)
 * against the server's ndt7 endpoints, through a link of a network namespace shaped with tc tbf to
 * 2, 10 and 50 Mbit/s both ways. The reference is a plain bulk TCP transfer over the same link in
 * the same run (a tbf rate counts frames: TCP payload tops out near 95.6 % of it). The agent's
 * steady download and upload must be within ±10 % of the reference, and the test must stay within
 * the slot's byte budget.
 *
 * <p>Needs root and iproute2 (ip netns, veth, tc); skipped otherwise. About 40 s per rate. The
 * figures are printed (target/failsafe-reports/*Ndt7AccuracyIT-output.txt); the benchmark with more
 * rates, delay and loss is Ndt7AccuracyBench (docs/performance.md).
 */
class Ndt7AccuracyIT {
  private static AccuracyRig rig;

  @BeforeAll
  static void setUp() throws Exception {
    String why = ShapedLink.unavailable();
    Assumptions.assumeTrue(why == null, () -> "Ndt7AccuracyIT skipped: " + why);
    Path jar = AccuracyRig.findAgentJar();
    assertThat(jar).as("build the agent jar first (mvn verify from the root)").exists();
    rig = AccuracyRig.start(jar);
    System.out.printf(
        Locale.ROOT,
        "netns %s, %s <-> %s, agent %s, agent JVM %s%n",
        rig.link.netns,
        rig.link.hostAddr,
        rig.link.nsAddr,
        jar,
        rig.agentJvm());
    System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).strip());
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (rig != null) {
      rig.close();
    }
  }

  @ParameterizedTest(name = "{0} Mbit/s")
  @ValueSource(doubles = {2, 10, 50})
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void agentMeasuresTheShapedLinkWithinTenPercentOfBulkTcp(double mbit) throws Exception {
    Shape shape = Shape.rate(mbit);
    rig.shape(shape);
    double refDown = rig.referenceDown(1);
    double refUp = rig.referenceUp(1);
    AgentRun run = rig.agent(mbit, 1);
    String load = Files.readString(Path.of("/proc/loadavg")).strip();
    long used = run.bytesDown() + run.bytesUp();
    System.out.printf(
        Locale.ROOT,
        "%s: reference down %.3f (%.3f of rate) up %.3f (%.3f of rate)"
            + " | agent down %.3f Mbit/s = %.3f of reference, %.3f of rate; up %.3f Mbit/s = %.3f of"
            + " reference, %.3f of rate | bytes %d down + %d up = %d of budget %d | error %s | tc %s"
            + " | load %s%n",
        shape.describe(),
        refDown,
        refDown / mbit,
        refUp,
        refUp / mbit,
        run.downMbps(),
        run.downMbps() / refDown,
        run.downMbps() / mbit,
        run.upMbps(),
        run.upMbps() / refUp,
        run.upMbps() / mbit,
        run.bytesDown(),
        run.bytesUp(),
        used,
        run.maxBytes(),
        run.error(),
        rig.link.describeQdiscs(),
        load);

    // The rig itself: the link is shaped (not a gigabit veth) and the reference fills it.
    assertThat(refDown / mbit).as("reference download / shaped rate").isBetween(0.85, 1.0);
    assertThat(refUp / mbit).as("reference upload / shaped rate").isBetween(0.85, 1.0);

    assertThat(run.error()).as("agent's test error; client output:\n%s", run.output()).isNull();
    assertThat(run.downMbps() / refDown)
        .as("agent download / reference at %s", shape.describe())
        .isCloseTo(1.0, within(0.10));
    assertThat(run.upMbps() / refUp)
        .as("agent upload / reference at %s", shape.describe())
        .isCloseTo(1.0, within(0.10));
    assertThat(used)
        .as("bytes used by the test (budget %d)", run.maxBytes())
        .isLessThanOrEqualTo(run.maxBytes());
  }
}

package org.enlace.server.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.enlace.server.speedtest.accuracy.AccuracyRig;
import org.enlace.server.speedtest.accuracy.AccuracyRig.AgentRun;
import org.enlace.server.speedtest.accuracy.AccuracyRig.MlabRun;
import org.enlace.server.speedtest.accuracy.ShapedLink;
import org.enlace.server.speedtest.accuracy.ShapedLink.Shape;

/**
 * Issue 6, accuracy benchmark (docs/performance.md, "Speed tests (issue 6)"): the agent's ndt7
 * client with 1 and 4 connections, and M-Lab's own ndt7-js in headless Chromium, against the
 * server's ndt7 endpoints through a namespace link shaped with tc to 2, 10, 50 and 100 Mbit/s, and
 * with 80 ms RTT + 1 % loss (netem, or where the kernel has none the rig's NFQUEUE delay line:
 * iptables, gcc, libnetfilter-queue-dev), each against a bulk-TCP reference measured on the same
 * link in the same run (with as many streams as the client: on a lossy link one TCP flow is not the
 * ceiling). Root only (the rig of Ndt7AccuracyIT). Table on stdout and in
 * target/bench/ndt7-accuracy.md.
 *
 * <pre>
 * mvn -B -DskipTests package        # the agent jar the clients run
 * mvn -B -Pbench -pl server verify -DskipTests -Dbench=Ndt7AccuracyBench
 * </pre>
 *
 * Environment: NDT7_BENCH_REPS (runs per client and link, default 1); NDT7_BENCH_SHAPES (links,
 * default {@code 2,10,50,100,10/80/1,50/80/1}: Mbit/s, or Mbit/s/RTT ms/loss %).
 */
public final class Ndt7AccuracyBench {
  private Ndt7AccuracyBench() {}

  @SuppressWarnings("try") // the rig's close() may be interrupted; main lets that propagate
  public static void main(String[] args) throws Exception {
    String why = ShapedLink.unavailable();
    if (why != null) {
      System.out.println("Ndt7AccuracyBench skipped: " + why);
      return;
    }
    int reps = Integer.parseInt(System.getenv().getOrDefault("NDT7_BENCH_REPS", "1"));
    List<Shape> shapes = new ArrayList<>();
    for (String spec :
        System.getenv()
            .getOrDefault("NDT7_BENCH_SHAPES", "2,10,50,100,10/80/1,50/80/1")
            .split(",", 0)) {
      String[] f = spec.strip().split("/", 0);
      shapes.add(
          new Shape(
              Double.parseDouble(f[0]),
              f.length > 1 ? Integer.parseInt(f[1]) : 0,
              f.length > 2 ? Double.parseDouble(f[2]) : 0));
    }
    List<String> rows = new ArrayList<>();
    rows.add(
        "| link | client | down Mbit/s | ÷ ref | ÷ rate | up Mbit/s | ÷ ref | ÷ rate "
            + "| data down, up ÷ (1.2 × rate × 10 s) | load | error |");
    rows.add("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |");
    Path agentJar = AccuracyRig.findAgentJar();
    try (AccuracyRig rig = AccuracyRig.start(agentJar)) {
      System.out.printf(
          "%s, %d CPUs, netns %s, agent JVM %s%n",
          Instant.now(),
          Runtime.getRuntime().availableProcessors(),
          rig.link.netns,
          rig.agentJvm());
      for (Shape shape : shapes) {
        boolean lossy = shape.lossPct() > 0 || shape.delayMs() > 0;
        String noNetem = lossy ? rig.link.impairmentUnavailable() : null;
        if (noNetem != null) {
          rows.add("| " + shape.describe() + " | not run | | | | | | | | | " + noNetem + " |");
          System.out.println(rows.get(rows.size() - 1));
          continue;
        }
        rig.shape(shape);
        System.out.println("== " + shape.describe() + ": " + rig.link.describeQdiscs());
        double r1d = rig.referenceDown(1);
        double r1u = rig.referenceUp(1);
        double r4d = lossy ? rig.referenceDown(4) : r1d;
        double r4u = lossy ? rig.referenceUp(4) : r1u;
        rows.add(
            String.format(
                Locale.ROOT,
                "| %s | bulk TCP ×1 (reference) | %.3f | 1 | %.3f | "
                    + "%.3f | 1 | %.3f | | %s | |",
                shape.describe(),
                r1d,
                r1d / shape.rateMbit(),
                r1u,
                r1u / shape.rateMbit(),
                load()));
        System.out.println(rows.get(rows.size() - 1));
        if (lossy) {
          rows.add(
              String.format(
                  Locale.ROOT,
                  "| %s | bulk TCP ×4 (reference) | %.3f | 1 | %.3f "
                      + "| %.3f | 1 | %.3f | | %s | |",
                  shape.describe(),
                  r4d,
                  r4d / shape.rateMbit(),
                  r4u,
                  r4u / shape.rateMbit(),
                  load()));
          System.out.println(rows.get(rows.size() - 1));
        }
        for (int conns : new int[] {1, 4}) {
          for (int i = 0; i < reps; i++) {
            AgentRun run = rig.agent(shape.rateMbit(), conns);
            double refD = conns == 1 ? r1d : r4d;
            double refU = conns == 1 ? r1u : r4u;
            String row =
                clientRow(
                    shape,
                    "agent ×" + conns,
                    run.downMbps(),
                    run.upMbps(),
                    refD,
                    refU,
                    run.bytesDown(),
                    run.bytesUp(),
                    run.error());
            rows.add(row);
            System.out.println(row);
          }
        }
        for (int i = 0; i < reps; i++) {
          Optional<MlabRun> m = rig.mlab(shape.rateMbit());
          if (m.isEmpty()) {
            rows.add(
                "| "
                    + shape.describe()
                    + " | M-Lab ndt7-js | not run | | | | | | | | "
                    + "no chromium installed |");
            System.out.println(rows.get(rows.size() - 1));
            break;
          }
          MlabRun run = m.get();
          String row =
              clientRow(
                  shape,
                  "M-Lab ndt7-js ×1",
                  run.downMbps(),
                  run.upMbps(),
                  r1d,
                  r1u,
                  run.bytesDown(),
                  run.bytesUp(),
                  run.error());
          rows.add(row);
          System.out.println(row);
        }
      }
    }
    String table = String.join("\n", rows) + "\n";
    System.out.println();
    System.out.print(table);
    Path out = Path.of("target/bench/ndt7-accuracy.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, table, StandardCharsets.UTF_8);
  }

  /** A client's row: its figures, as ratios to the reference and the rate, and its data used. */
  private static String clientRow(
      Shape shape,
      String client,
      double down,
      double up,
      double refDown,
      double refUp,
      long bytesDown,
      long bytesUp,
      String error) {
    return String.format(
        Locale.ROOT,
        "| %s | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f " + "| %.2f, %.2f | %s | %s |",
        shape.describe(),
        client,
        down,
        down / refDown,
        down / shape.rateMbit(),
        up,
        up / refUp,
        up / shape.rateMbit(),
        bytesDown / allowance(shape),
        bytesUp / allowance(shape),
        load(),
        error == null ? "" : error);
  }

  /** 1.2 x what the shaped rate carries in the ndt7 subtest's 10 s, in bytes. */
  private static double allowance(Shape shape) {
    return 1.2 * shape.rateMbit() * 1e6 * 10 / 8;
  }

  private static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ", 0);
      return f[0];
    } catch (Exception e) {
      return "?";
    }
  }
}

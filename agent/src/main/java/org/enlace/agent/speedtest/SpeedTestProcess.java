package org.enlace.agent.speedtest;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.enlace.agent.config.AgentConfig;

/**
 * The daemon's scheduled speed tests, each in a short-lived child JVM of the same jar.
 *
 * <p>Why: the test needs {@code java.net.http} (the WebSocket client) and, against a {@code wss://}
 * server, TLS. The JVM never unloads the JDK's own classes, so a daemon that ran one test carried
 * them, their metaspace and their grown heap for the rest of its life: +20 MB of resident memory
 * after a single test (37.7 to 58.0 MB, measured with the shipped flags), on PCs that run the agent
 * all day to run about four tests. A child costs a JVM start-up (well under a second of CPU) per
 * test and is gone after it.
 *
 * <p>The child ({@link #main}) reads the slot as JSON on stdin, loads the same configuration as the
 * daemon, runs {@link SpeedTests#runScheduled} and prints each result as one JSON line on stdout;
 * its stderr goes to the daemon's. A child that dies, hangs past {@link #TIMEOUT_SECONDS} or prints
 * nothing gives a failed result, never a speed.
 */
public final class SpeedTestProcess {
  private static final Logger LOG = Logger.getLogger(SpeedTestProcess.class.getName());

  /** Download (at most 13 s) + upload (10 s) + latency + the paired M-Lab test, with margin. */
  static final long TIMEOUT_SECONDS = 300;

  /**
   * The child's JVM: small like the daemon's, but with C1 compiling from the start, as a 100 Mbit/s
   * test needs.
   */
  static final List<String> CHILD_JVM =
      List.of(
          "-XX:-UsePerfData",
          "-Xms8m",
          "-Xmx48m",
          "-Xss256k",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-XX:MaxDirectMemorySize=16m",
          "-Xshare:auto");

  private SpeedTestProcess() {}

  /** A runner for the daemon's scheduler: each slot in a child JVM. */
  public static SpeedTestScheduler.Runner runner(
      Path dataDir, Optional<Path> configFile, URI server) {
    return slot -> run(dataDir, configFile, server, slot);
  }

  static List<SpeedTestResult> run(
      Path dataDir, Optional<Path> configFile, URI server, SpeedTestSlot slot) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.addAll(CHILD_JVM);
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            SpeedTestProcess.class.getName(),
            "--data-dir",
            dataDir.toString(),
            "--server",
            server.toString()));
    configFile.ifPresent(f -> cmd.addAll(List.of("--config", f.toString())));
    List<SpeedTestResult> out = new ArrayList<>();
    Process p = null;
    try {
      p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(JSON.std.asBytes(slot.toJson()));
      }
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        Process child = p;
        Thread watchdog =
            new Thread(
                () -> {
                  try {
                    if (!child.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                      child.destroyForcibly(); // ends the read below
                    }
                  } catch (InterruptedException e) {
                    child.destroyForcibly();
                  }
                },
                "enlace-speedtest-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        String line;
        while ((line = r.readLine()) != null) {
          if (line.startsWith("{")) {
            out.add(SpeedTestResult.fromJson(JSON.std.mapFrom(line)));
          }
        }
      }
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      int exit = p.isAlive() ? -1 : p.exitValue();
      if (out.isEmpty()) {
        out.add(
            SpeedTestResult.agentError(
                slot.testId(),
                "the speed-test process "
                    + (exit == 0
                        ? "gave no result"
                        : "ended with exit code " + exit + " and no result")));
      }
    } catch (IOException e) {
      LOG.warning(
          "event=speedtest_process_failed testId=" + slot.testId() + " error=\"" + e + "\"");
      out.add(
          SpeedTestResult.agentError(
              slot.testId(), "could not run the speed-test process: " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      out.add(SpeedTestResult.agentError(slot.testId(), "interrupted"));
    } finally {
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
      }
    }
    return out;
  }

  private static String javaBinary() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** The child: {@code --data-dir DIR --server URL [--config FILE]}, the slot's JSON on stdin. */
  public static void main(String[] args) throws IOException {
    Path dataDir = null;
    Path config = null;
    URI server = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--data-dir" -> dataDir = Path.of(args[i + 1]);
        case "--config" -> config = Path.of(args[i + 1]);
        case "--server" -> server = URI.create(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (dataDir == null || server == null) {
      throw new IllegalArgumentException("usage: --data-dir DIR --server URL [--config FILE]");
    }
    // Only the JSON lines go to stdout; anything else the libraries print goes to stderr.
    PrintStream results = System.out;
    System.setOut(System.err);
    Map<String, Object> json = JSON.std.mapFrom(System.in.readNBytes(1 << 16));
    Optional<SpeedTestSlot> slot = SpeedTestSlot.fromJson(json);
    if (slot.isEmpty()) {
      throw new IllegalArgumentException("no usable slot on stdin");
    }
    // As AgentMain.config(): --config, else the data directory's agent.properties.
    AgentConfig cfg =
        AgentConfig.load(config != null ? config : dataDir.resolve(AgentConfig.FILE_NAME));
    for (SpeedTestResult r : SpeedTests.runScheduled(cfg, server, slot.get())) {
      results.println(JSON.std.asString(r.toJson()));
    }
    results.flush();
    System.exit(0);
  }
}

package org.enlace.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * The shipped jars run as processes, each stopped after its test; an agent configured to check the
 * server it reports to, and enrolled with a token.
 */
abstract class ShippedJars {
  static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
  static final Path SERVER_JAR = ROOT.resolve("server/target/enlace-server.jar");
  static final Path AGENT_JAR = ROOT.resolve("agent/target/enlace-agent.jar");

  /** Every process started, in order. */
  final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  Process start(Path log, String... command) throws IOException {
    return started(
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()));
  }

  /** Starts it, to be stopped after the test. */
  Process started(ProcessBuilder pb) throws IOException {
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  /**
   * The agent's agent.properties: a round a second that checks the server at {@code base} (DNS,
   * HTTP, captive portal, TCP to {@code port}) and uploads with short backoffs; then {@code more}.
   */
  static Path agentDataDir(Path dir, String base, int port, String... more) throws IOException {
    Path agentDir = Files.createDirectories(dir.resolve("agent-data"));
    List<String> lines = new ArrayList<>(List.of(more));
    lines.addAll(
        List.of(
            "check.interval=1s",
            "check.jitter=200ms",
            "check.timeout=2s",
            "dns.names=localhost",
            "http.targets=" + base + "/api/v1/ping",
            "captivePortal.url=" + base + "/api/v1/ping",
            "tcp.targets=127.0.0.1:" + port,
            "upload.minBackoff=1s",
            "upload.maxBackoff=2s",
            ""));
    Files.writeString(agentDir.resolve("agent.properties"), String.join("\n", lines));
    return agentDir;
  }

  /** {@code enroll} with the agent jar, as an office computer; it must succeed. */
  void enroll(Path dir, Path agentDir, String base, String token) throws Exception {
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, token);
    Process enroll =
        start(
            dir.resolve("enroll.log"),
            java(),
            "-jar",
            AGENT_JAR.toString(),
            "enroll",
            "--data-dir",
            agentDir.toString(),
            "--server",
            base,
            "--token-file",
            tokenFile.toString(),
            "--role",
            "office");
    assertThat(enroll.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(enroll.exitValue()).as(Files.readString(dir.resolve("enroll.log"))).isZero();
  }
}

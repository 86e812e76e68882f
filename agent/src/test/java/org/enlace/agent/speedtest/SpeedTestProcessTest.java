package org.enlace.agent.speedtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The child JVM that runs the daemon's speed tests, when it cannot give a result. */
class SpeedTestProcessTest {
  @TempDir Path dir;

  static SpeedTestSlot slot(String down, String up) {
    Instant now = Instant.now();
    return new SpeedTestSlot("t-child", now, now.plusSeconds(60), down, up, 10_000_000, 1);
  }

  @Test
  void aChildThatCannotStartIsAFailedResultNamingItsExitCode() throws Exception {
    // A directory where the configuration file should be: the child's load fails, it exits 1.
    Path notAFile = Files.createDirectory(dir.resolve("config-dir"));
    List<SpeedTestResult> r =
        SpeedTestProcess.run(
            dir,
            Optional.of(notAFile),
            URI.create("http://127.0.0.1:9"),
            slot("/ndt/v7/download", "/ndt/v7/upload"));
    assertThat(r).hasSize(1);
    assertThat(r.get(0).failed()).isTrue();
    assertThat(r.get(0).testId()).isEqualTo("t-child");
    assertThat(r.get(0).downMbps()).isNull();
    assertThat(r.get(0).error()).startsWith("agent error: the speed-test process ");
  }

  @Test
  void aTestThatFailsInTheChildComesBackAsItsFailedResult() throws Exception {
    // Nothing listens on port 9 of loopback: the child runs the test, which fails on connect.
    List<SpeedTestResult> r =
        SpeedTestProcess.run(
            dir,
            Optional.empty(),
            URI.create("http://127.0.0.1:9"),
            slot("/ndt/v7/download?access_token=a", "/ndt/v7/upload?access_token=b"));
    assertThat(r).hasSize(1);
    SpeedTestResult t = r.get(0);
    assertThat(t.method()).isEqualTo("ndt7");
    assertThat(t.testId()).isEqualTo("t-child");
    assertThat(t.failed()).isTrue();
    assertThat(t.error()).doesNotContain("speed-test process");
    assertThat(t.downMbps()).isNull();
    assertThat(t.toJson()).containsEntry("bytesDown", 0L);
  }
}

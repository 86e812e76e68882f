package org.enlace.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.enlace.agent.config.AgentConfig;
import org.enlace.agent.config.Credentials;
import org.enlace.agent.journal.Journal;
import org.enlace.agent.journal.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon, as the service runs it (a child JVM, {@code AgentMain run}), stops within 2 s of
 * SIGTERM, even while a check waits for its timeout and an upload waits for a server that never
 * answers, and loses nothing: every observation journaled before the signal is in the journal
 * afterwards. (A stop used to take 15 s: the shutdown hook waited for the main thread, which was
 * waiting for the upload thread, and once inside System.exit, for the hook.)
 */
class DaemonStopTest {
  /** The deadline: systemd's and procrun's stop timeouts are far above it. */
  private static final Duration DEADLINE = Duration.ofSeconds(2);

  @TempDir Path dir;

  private final List<Socket> held = new ArrayList<>();

  /** Accepts connections and never answers: a hung server, a hung check target. */
  private final ServerSocket silent = silentServer();

  @AfterEach
  void closeServer() throws IOException {
    silent.close();
    synchronized (held) {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void sigtermStopsTheDaemonWithinTwoSecondsAndEveryJournaledObservationStays() throws Exception {
    int port = silent.getLocalPort();
    int closed = closedPort();
    // Checks: one HTTP target hangs until the 2 s check timeout, the rest fail at once; so a
    // round takes about 2 s, then 1 s until the next. Uploads hang (60 s upload timeout).
    String settings =
        String.join(
            "\n",
            "check.interval=1s",
            "check.jitter=0s",
            "check.timeout=2s",
            "dns.names=localhost",
            "http.targets=http://127.0.0.1:" + port + "/",
            "captivePortal.url=http://127.0.0.1:" + closed + "/generate_204",
            "tcp.targets=127.0.0.1:" + closed,
            "upload.timeout=60s",
            "speedTest.enabled=false",
            "");
    Path config = Files.writeString(dir.resolve("agent.properties"), settings);
    new Credentials(
            URI.create("http://127.0.0.1:" + port),
            "6f1d2c1e-0000-4000-8000-000000000001",
            "s",
            1,
            "x")
        .save(dir);
    Path out = dir.resolve("child.out");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx24m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto",
                "-cp",
                System.getProperty("java.class.path"),
                "org.enlace.agent.cli.AgentMain",
                "run",
                "--data-dir",
                dir.toString(),
                "--config",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    long journaled;
    try {
      // Two rounds journaled, then the signal lands 1.3 s after a round: inside the next
      // round's hanging check, with the first upload hanging too.
      waitForRound(child, waitForRound(child, 1, out) + 1, out);
      Thread.sleep(1300);
      journaled = lastRoundSeq();
    } catch (Exception | AssertionError e) {
      child.destroyForcibly();
      throw e;
    }

    long signalled = System.nanoTime();
    child.destroy(); // SIGTERM on Linux
    boolean exited = child.waitFor(10, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - signalled) / 1e9;
    if (!exited) {
      child.destroyForcibly();
    }
    String log = Files.readString(out, StandardCharsets.UTF_8);
    System.out.printf(
        "daemon stop: exited %.2f s after SIGTERM, exit %s%n",
        seconds, exited ? child.exitValue() : "none");
    assertThat(exited).as("exited at all; output:%n%s", log).isTrue();
    assertThat(seconds)
        .as("seconds from SIGTERM to exit; output:%n%s", log)
        .isLessThan(DEADLINE.toMillis() / 1000.0);
    // 143 = 128 + SIGTERM: the JVM's exit status for a stop by signal, a clean stop for systemd
    // (SuccessExitStatus=143).
    assertThat(child.exitValue()).as("exit code; output:%n%s", log).isIn(0, 143);
    assertThat(log).as("the last line").contains("event=agent_stopped");

    AgentConfig agentConfig = AgentConfig.from(properties(settings));
    try (Journal journal = Journal.open(dir.resolve("journal"), agentConfig.journal())) {
      List<Long> seqs =
          journal.batch(Integer.MAX_VALUE, Long.MAX_VALUE).stream().map(Record::seq).toList();
      assertThat(journaled).isGreaterThanOrEqualTo(2);
      assertThat(seqs)
          .as("every observation journaled before the signal, none acknowledged")
          .startsWith(LongStream.rangeClosed(1, journaled).boxed().toArray(Long[]::new));
      assertThat(journal.dropped()).isZero();
    }
  }

  /** Waits until status.json shows a round with a seq of at least {@code seq}; returns it. */
  private long waitForRound(Process child, long seq, Path out) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      assertThat(child.isAlive())
          .as("the daemon runs; output:%n%s", Files.readString(out))
          .isTrue();
      long last = lastRoundSeq();
      if (last >= seq) {
        return last;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no round " + seq + " in 30 s; output:\n" + Files.readString(out));
  }

  private long lastRoundSeq() {
    try {
      Object round = StatusFile.read(dir).get("lastRound");
      if (round instanceof Map<?, ?> m && m.get("seq") instanceof Number n) {
        return n.longValue();
      }
    } catch (IOException | RuntimeException e) {
      // being replaced right now: read it again
    }
    return 0;
  }

  private static Properties properties(String text) throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(text));
    return p;
  }

  private ServerSocket silentServer() {
    try {
      ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t =
          new Thread(
              () -> {
                while (!s.isClosed()) {
                  try {
                    Socket c = s.accept();
                    synchronized (held) {
                      held.add(c);
                    }
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "silent-server");
      t.setDaemon(true);
      t.start();
      return s;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}

package org.enlace.agent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.enlace.agent.config.AgentConfig;
import org.enlace.agent.config.Credentials;
import org.enlace.agent.config.SafeFiles;
import org.enlace.agent.journal.Journal;
import org.enlace.agent.probe.RoundResult;
import org.enlace.agent.run.AgentLock;
import org.enlace.agent.run.Daemon;
import org.enlace.agent.run.ObservationJson;
import org.enlace.agent.run.Rounds;
import org.enlace.agent.speedtest.InterfaceCounters;
import org.enlace.agent.speedtest.Ndt7Client;
import org.enlace.agent.speedtest.SpeedTestResult;
import org.enlace.agent.speedtest.SpeedTestSlot;
import org.enlace.agent.speedtest.SpeedTests;
import org.enlace.agent.upload.ServerClient;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code speedtest [--force] [--connections N] [--mlab]}: one ndt7 test now, with a live progress
 * line, printed and queued (with a round of checks) like {@code check}'s round.
 */
@Command(
    name = "speedtest",
    mixinStandardHelpOptions = true,
    description =
        "Measure this link's speed now (ndt7, against the Enlace server), print it "
            + "and queue it for the server.")
final class SpeedTestCommand extends AgentMain.Subcommand {
  static final int NO_SLOT = 13;
  static final int TEST_FAILED = 14;

  @Option(
      names = "--force",
      description =
          "ask for a test outside the server's plan "
              + "(sends {\"force\": true}); the server still decides: one test per link at a time, "
              + "within the link's monthly data budget")
  boolean force;

  @Option(
      names = "--connections",
      paramLabel = "N",
      description =
          "parallel connections (1 to 16; default: the server's, else " + "speedTest.connections)")
  @Nullable Integer connections;

  @Option(
      names = "--mlab",
      description =
          "also test against M-Lab's nearest server (found "
              + "with its locate API); without enrollment, only that")
  boolean mlab;

  /** For tests: the client's timing (nominal duration, warm-up, stall timeout). */
  static volatile Duration @Nullable [] timing;

  @Override
  public Integer call() throws Exception {
    Path dir = parent.dataDir();
    AgentConfig config = parent.config();
    Optional<Credentials> creds = Credentials.load(dir);
    PrintWriter out = out();
    PrintWriter err = err();
    @SuppressWarnings("SystemConsoleNull") // release 17: null still means "no terminal"
    boolean terminal = System.console() != null;
    if (connections != null && (connections < 1 || connections > 16)) {
      err.println("--connections: 1 to 16");
      return 2;
    }
    boolean withMlab = mlab || config.speedTest().mlabEnabled();
    List<SpeedTestResult> results = new ArrayList<>();
    if (creds.isEmpty()) {
      if (!mlab) {
        err.println(
            "Not enrolled: run 'enlace-agent enroll' first (or use --mlab to test "
                + "against M-Lab only).");
        return AgentMain.NOT_ENROLLED;
      }
      results.add(mlab(config, null, config.speedTest().mlabMaxBytes(), out, terminal));
      print(out, results);
      out.println("Not enrolled: this result is not kept.");
      return results.get(0).failed() ? TEST_FAILED : 0;
    }
    ServerClient client =
        new ServerClient(Rounds.proxySelector(config), config.caFile(), config.requestTimeout());
    SpeedTests.SlotAnswer a;
    try {
      a = SpeedTests.requestSlot(client, creds.get(), force);
    } catch (IOException e) {
      err.println("Cannot reach " + creds.get().serverUrl() + ": " + e);
      return AgentMain.UNREACHABLE;
    }
    if (a.status() != 200 || a.slot().isEmpty()) {
      String why =
          switch (a.status()) {
            case 429 -> "The server gives no test now";
            case 409 -> "The server has no ISP link for this computer's establishment";
            case 401, 403 -> "The server refused this agent's credentials";
            case 200 -> "The server's answer has no usable test slot";
            default -> "The server answered " + a.status();
          };
      err.println(
          why
              + (a.error().isEmpty() ? "" : " (" + a.error() + ")")
              + (a.message().isEmpty() ? "" : ": " + a.message())
              + a.retryAfter().map(d -> "; try again in " + humane(d)).orElse("")
              + ".");
      return a.status() >= 500 ? AgentMain.UNREACHABLE : NO_SLOT;
    }
    SpeedTestSlot slot = a.slot().get();
    Instant now = Instant.now();
    if (slot.notBefore().isAfter(now)) {
      Duration wait = Duration.between(now, slot.notBefore());
      out.println("Waiting " + humane(wait) + " for the test's slot…");
      out.flush();
      Thread.sleep(wait.toMillis());
    }
    if (!Instant.now().isBefore(slot.notAfter())) {
      err.println("The slot the server gave is already over (" + slot.notAfter() + ").");
      return NO_SLOT;
    }
    int n = SpeedTests.connections(connections, slot, config.speedTest());
    out.println(
        "Speed test "
            + slot.testId()
            + " (up to "
            + String.format("%.1f", slot.maxBytes() / 1e6)
            + " MB of data):");
    results.add(
        SpeedTests.runSlot(creds.get().serverUrl(), slot, n, options(config, true, out, terminal)));
    SpeedTests.endProgress(out, terminal);
    if (withMlab) {
      results.add(mlab(config, null, slot.maxBytes(), out, terminal));
    }
    print(out, results);
    for (SpeedTestResult r : results) {
      queue(dir, config, creds.get(), r, out);
    }
    return results.stream().anyMatch(SpeedTestResult::failed) ? TEST_FAILED : 0;
  }

  private SpeedTestResult mlab(
      AgentConfig config,
      @Nullable String pairedWith,
      long maxBytes,
      PrintWriter out,
      boolean terminal)
      throws IOException {
    out.println("M-Lab test (found with " + config.speedTest().mlabLocateUrl() + "):");
    Ndt7Client.Options o = options(config, false, out, terminal);
    int n = SpeedTests.connections(connections, null, config.speedTest());
    SpeedTestResult r =
        SpeedTests.runMlab(config.speedTest(), o.proxy(), maxBytes, n, pairedWith, o);
    SpeedTests.endProgress(out, terminal);
    return r;
  }

  private static Ndt7Client.Options options(
      AgentConfig config, boolean enlace, PrintWriter out, boolean terminal) throws IOException {
    Ndt7Client.Options o = SpeedTests.options(config, enlace, SpeedTests.printer(out, terminal));
    Duration[] t = timing;
    return t == null ? o : o.withTiming(t[0], t[1], t[2]);
  }

  private static void print(PrintWriter out, List<SpeedTestResult> results) {
    for (SpeedTestResult r : results) {
      out.println(r.describe());
    }
    out.flush();
  }

  /** As {@code check} does: journal it, or leave it in the inbox for the running daemon. */
  @SuppressWarnings("try") // the lock is held for the block, never read
  private static void queue(
      Path dir, AgentConfig config, Credentials creds, SpeedTestResult r, PrintWriter out)
      throws IOException {
    RoundResult round = Rounds.create(config, Optional.of(creds.serverUrl())).get();
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("speedTest", r.toJson());
    InterfaceCounters.system().read().ifPresent(c -> extra.put("interfaceCounters", c));
    Optional<AgentLock> lock = AgentLock.tryAcquire(dir);
    if (lock.isPresent()) {
      try (AgentLock held = lock.get();
          Journal journal = Journal.open(dir.resolve("journal"), config.journal())) {
        long seq = journal.append(s -> ObservationJson.encode(s, round, Optional.empty(), extra));
        out.println(
            "Queued "
                + r.method()
                + " result as observation "
                + seq
                + " ("
                + journal.pending()
                + " waiting to be sent).");
      }
    } else {
      Path inbox = Files.createDirectories(dir.resolve(Daemon.INBOX));
      Path f = inbox.resolve(String.format("%020d.json", System.nanoTime()));
      SafeFiles.writeAtomically(
          f, ObservationJson.encode(-1, round, Optional.empty(), extra), false);
      out.println("Queued " + r.method() + " result for the running daemon.");
    }
  }

  private static String humane(Duration d) {
    long s = Math.max(0, d.toSeconds());
    return s < 120 ? s + " s" : (s / 60) + " min";
  }
}

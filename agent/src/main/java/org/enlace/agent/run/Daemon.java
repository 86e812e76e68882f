package org.enlace.agent.run;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.enlace.agent.config.AgentConfig;
import org.enlace.agent.journal.Journal;
import org.enlace.agent.probe.RoundResult;
import org.enlace.agent.speedtest.InterfaceCounters;
import org.enlace.agent.speedtest.SpeedTestScheduler;
import org.enlace.agent.speedtest.SpeedTests;
import org.enlace.agent.upload.AgentVersion;
import org.enlace.agent.upload.ClockOffset;
import org.enlace.agent.upload.Uploader;

/**
 * The agent daemon: a round of checks every interval (with jitter, so a room of PCs does not fire
 * together), each round journaled before anything else, and an uploader that drains the journal
 * whenever the server can be reached. Logs one line per change of state, not per check.
 */
public final class Daemon {
  private static final Logger LOG = Logger.getLogger(Daemon.class.getName());
  public static final String INBOX = "inbox";

  /** How long a stop waits for the upload thread to notice it. */
  private static final Duration UPLOAD_GRACE = Duration.ofMillis(300);

  private final Path dataDir;
  private final AgentConfig config;
  private final Journal journal;
  private final Uploader uploader;
  private final ClockOffset clock;
  private final Supplier<RoundResult> rounds;
  private final StatusFile status;
  private final SpeedTestScheduler speedTests;
  private final InterfaceCounters counters = InterfaceCounters.system();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private volatile boolean running = true;
  private volatile boolean uploadRequested = true;

  /** Counted down once {@link #finish()} has run: the journal forced, the last line logged. */
  private final CountDownLatch finished = new CountDownLatch(1);

  private boolean finishing;
  private String lastStatus = "";
  private String lastServerState = "";

  /** Speed tests run in this JVM (tests); the service runs them in a child, see below. */
  public Daemon(
      Path dataDir,
      AgentConfig config,
      Journal journal,
      Uploader uploader,
      ClockOffset clock,
      Supplier<RoundResult> rounds) {
    this(
        dataDir,
        config,
        journal,
        uploader,
        clock,
        rounds,
        slot -> SpeedTests.runScheduled(config, uploader.serverUrl(), slot));
  }

  /**
   * @param speedTestRunner runs a slot's tests; the service passes {@link
   *     org.enlace.agent.speedtest.SpeedTestProcess#runner} so that the daemon never loads
   *     java.net.http
   */
  public Daemon(
      Path dataDir,
      AgentConfig config,
      Journal journal,
      Uploader uploader,
      ClockOffset clock,
      Supplier<RoundResult> rounds,
      SpeedTestScheduler.Runner speedTestRunner) {
    this.dataDir = dataDir;
    this.config = config;
    this.journal = journal;
    this.uploader = uploader;
    this.clock = clock;
    this.rounds = rounds;
    this.status = new StatusFile(dataDir);
    // Slots come with report answers; the test runs on its own thread at a random moment of
    // its window, and its result rides on the next observation.
    this.speedTests = SpeedTestScheduler.random(config.speedTest().enabled(), speedTestRunner);
    uploader.onSpeedTestSlot(speedTests::offer);
  }

  /** Runs until {@link #stop()}; the caller's thread does the checks, another the uploads. */
  public void run() throws IOException {
    LOG.info(
        "event=agent_started version="
            + AgentVersion.get()
            + " dataDir="
            + dataDir
            + " pending="
            + journal.pending()
            + " dropped="
            + journal.dropped());
    status.put("pid", ProcessHandle.current().pid());
    status.put("startedAt", Instant.now().toString());
    Thread up = new Thread(this::uploadLoop, "enlace-upload");
    up.setDaemon(true);
    up.start();
    long jitterMs = Math.max(1, config.jitter().toMillis());
    sleep(Duration.ofMillis(ThreadLocalRandom.current().nextLong(jitterMs)));
    while (running) {
      long started = System.nanoTime();
      try {
        drainInbox();
        round();
      } catch (IOException e) {
        LOG.severe("event=journal_write_failed error=\"" + e + "\" effect=\"this round is lost\"");
      }
      long spent = System.nanoTime() - started;
      long next =
          config.interval().toMillis()
              - TimeUnit.NANOSECONDS.toMillis(spent)
              + ThreadLocalRandom.current().nextLong(-jitterMs / 2, jitterMs / 2 + 1);
      sleep(Duration.ofMillis(Math.max(1000, next)));
    }
    up.interrupt();
    try {
      // Not for an upload in flight (up to the request timeout): its batch is simply sent again
      // after the restart, and the server drops what it already has (by seq).
      up.join(UPLOAD_GRACE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    finish();
  }

  public void stop() {
    running = false;
    speedTests.stop();
    signal();
  }

  /**
   * For the shutdown hook (SIGTERM, service stop): stops the daemon and waits at most {@code max}
   * for its loop to end. A round still running then (a check waiting for its timeout) is abandoned:
   * every observation journaled so far is forced either way, and the last line is logged. Returns
   * whether the loop ended in time.
   */
  public boolean stopAndFinish(Duration max) {
    stop();
    boolean ended;
    try {
      ended = finished.await(max.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ended = false;
    }
    if (!ended) {
      LOG.warning(
          "event=agent_stop_timeout waited_ms="
              + max.toMillis()
              + " effect=\"the round in progress is abandoned\"");
      finish();
    }
    return ended;
  }

  /**
   * Forces the journal, saves the status and logs the last line, once, from whichever thread gets
   * here first (the other waits for it).
   */
  private synchronized void finish() {
    if (finishing) {
      return;
    }
    finishing = true;
    try {
      journal.sync();
    } catch (IOException | RuntimeException e) {
      LOG.severe("event=journal_sync_failed error=\"" + e + "\"");
    }
    saveStatus();
    LOG.info("event=agent_stopped pending=" + journal.pending());
    finished.countDown();
  }

  void round() throws IOException {
    RoundResult r = rounds.get();
    Optional<Long> offset = clock.offsetMs();
    Map<String, Object> extra = new LinkedHashMap<>();
    speedTests.takeResult().ifPresent(t -> extra.put("speedTest", t));
    counters.read().ifPresent(c -> extra.put("interfaceCounters", c));
    long seq = journal.append(s -> ObservationJson.encode(s, r, offset, extra));
    String now = r.status().wire();
    if (!now.equals(lastStatus)) {
      LOG.info(
          "event=status_changed from="
              + (lastStatus.isEmpty() ? "start" : lastStatus)
              + " to="
              + now
              + " reason=\""
              + r.reason()
              + "\"");
      lastStatus = now;
    }
    status.put(
        "lastRound",
        Map.of(
            "seq",
            seq,
            "at",
            r.at().toString(),
            "status",
            now,
            "reason",
            r.reason(),
            "loss",
            r.checks().loss()));
    status.put("lastChecks", ObservationJson.checks(r.checks()));
    saveStatus();
    uploadRequested = true;
    signal();
  }

  /** Rounds that the {@code check} command queued while this daemon owned the journal. */
  void drainInbox() throws IOException {
    Path inbox = dataDir.resolve(INBOX);
    if (!Files.isDirectory(inbox)) {
      return;
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(inbox, "*.json")) {
      ds.forEach(files::add);
    }
    files.sort(null);
    for (Path f : files) {
      Map<String, Object> obs = JSON.std.mapFrom(Files.readAllBytes(f));
      journal.append(
          seq -> {
            Map<String, Object> copy = new LinkedHashMap<>();
            copy.put("seq", seq);
            obs.forEach(
                (k, v) -> {
                  if (!k.equals("seq")) {
                    copy.put(k, v);
                  }
                });
            try {
              return JSON.std.asBytes(copy);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
      Files.delete(f);
    }
  }

  private void uploadLoop() {
    while (running) {
      Uploader.Outcome o;
      try {
        o = uploader.uploadOnce();
      } catch (IOException | RuntimeException e) {
        LOG.severe("event=upload_failed error=\"" + e + "\"");
        o =
            new Uploader.Outcome(
                Uploader.Kind.RETRY_LATER,
                0,
                0,
                0,
                0,
                Optional.of(config.minBackoff()),
                e.toString());
      }
      recordUpload(o);
      switch (o.kind()) {
        case ACCEPTED -> {
          continue;
        }
        case NOTHING_TO_SEND -> waitForWork(Duration.ofMinutes(5));
        default -> sleep(o.retryIn().orElse(config.minBackoff()));
      }
    }
  }

  private void recordUpload(Uploader.Outcome o) {
    String state =
        switch (o.kind()) {
          // Nothing was sent: nothing learnt about the server.
          case NOTHING_TO_SEND -> lastServerState.isEmpty() ? "unknown" : lastServerState;
          case ACCEPTED -> "reachable";
          case SERVER_BUSY -> "busy";
          case CREDENTIALS_REFUSED -> "credentials_refused";
          case RETRY_LATER -> "unreachable";
        };
    if (!state.equals(lastServerState) && !state.equals("unknown")) {
      String line =
          "event=server_" + state + " detail=\"" + o.detail() + "\" pending=" + journal.pending();
      if (state.equals("credentials_refused")) {
        LOG.severe(
            line
                + " hint=\"the server refused this agent's credentials; ask IT, and "
                + "enroll again only if they say so\"");
      } else {
        LOG.info(line);
      }
      lastServerState = state;
    }
    if (o.kind() == Uploader.Kind.ACCEPTED) {
      status.put(
          "lastUpload",
          Map.of(
              "at",
              Instant.now().toString(),
              "sent",
              o.sent(),
              "stored",
              o.stored(),
              "duplicates",
              o.duplicates(),
              "rejected",
              o.rejected()));
    } else if (o.kind() != Uploader.Kind.NOTHING_TO_SEND) {
      status.put("lastUploadError", Map.of("at", Instant.now().toString(), "detail", o.detail()));
    }
    status.put("server", state);
    saveStatus();
  }

  private void saveStatus() {
    try {
      status.put(
          "queue",
          Map.of(
              "pending",
              journal.pending(),
              "dropped",
              journal.dropped(),
              "diskBytes",
              journal.diskBytes()));
      status.put(
          "oldestPendingAt",
          journal
              .oldestPendingAppendedAtMillis()
              .map(ms -> Instant.ofEpochMilli(ms).toString())
              .orElse(null));
      status.put("clockOffsetMs", clock.offsetMs().orElse(null));
      status.put("updatedAt", Instant.now().toString());
      status.save();
    } catch (IOException e) {
      LOG.warning("event=status_write_failed error=\"" + e + "\"");
    }
  }

  private void waitForWork(Duration max) {
    lock.lock();
    try {
      long nanos = max.toNanos();
      while (running && !uploadRequested && nanos > 0) {
        nanos = wake.awaitNanos(nanos);
      }
      uploadRequested = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  private void sleep(Duration d) {
    lock.lock();
    try {
      long nanos = d.toNanos();
      while (running && nanos > 0) {
        nanos = wake.awaitNanos(nanos);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  private void signal() {
    lock.lock();
    try {
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }
}

package org.enlace.agent.speedtest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The daemon's side of scheduled tests: a slot arrives in a report response, the test runs once at
 * a random moment of [notBefore, notAfter) on its own thread, and its result waits here for the
 * next observation. Loads nothing of java.net.http until a test actually runs.
 */
public final class SpeedTestScheduler {
  private static final Logger LOG = Logger.getLogger(SpeedTestScheduler.class.getName());
  private static final int MAX_PENDING_RESULTS = 8;
  private static final int REMEMBERED_IDS = 64;

  /** Runs a slot's tests: the Enlace one, then M-Lab's when paired. */
  @FunctionalInterface
  public interface Runner {
    List<SpeedTestResult> run(SpeedTestSlot slot);
  }

  private final boolean enabled;
  private final Clock clock;
  private final DoubleSupplier random;
  private final Runner runner;
  private final Deque<Map<String, Object>> results = new ArrayDeque<>();
  private final Set<String> seen = new LinkedHashSet<>();
  private @Nullable SpeedTestSlot planned;

  /** When {@link #planned} runs; meaningless while nothing is planned. */
  private Instant plannedAt = Instant.EPOCH;

  private @Nullable Thread worker;
  private volatile boolean stopped;
  private volatile boolean running;

  public SpeedTestScheduler(boolean enabled, Clock clock, DoubleSupplier random, Runner runner) {
    this.enabled = enabled;
    this.clock = clock;
    this.random = random;
    this.runner = runner;
  }

  public static SpeedTestScheduler random(boolean enabled, Runner runner) {
    return new SpeedTestScheduler(
        enabled, Clock.systemUTC(), () -> ThreadLocalRandom.current().nextDouble(), runner);
  }

  /**
   * A report response's {@code speedTest} field. Returns when the test will run, or empty when it
   * will not (disabled, unusable, already seen, or its window is over).
   */
  public synchronized Optional<Instant> offer(Object json) {
    Optional<SpeedTestSlot> parsed = SpeedTestSlot.fromJson(json);
    if (parsed.isEmpty() || stopped) {
      return Optional.empty();
    }
    SpeedTestSlot s = parsed.get();
    if (!seen.add(s.testId())) {
      return Optional.empty(); // the server repeats a slot until it is used: run it once
    }
    if (seen.size() > REMEMBERED_IDS) {
      seen.remove(seen.iterator().next());
    }
    if (!enabled) {
      LOG.info(
          "event=speedtest_skipped testId=" + s.testId() + " reason=\"speedTest.enabled=false\"");
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (!now.isBefore(s.notAfter())) {
      LOG.warning(
          "event=speedtest_skipped testId="
              + s.testId()
              + " reason=\"window over ("
              + s.notAfter()
              + ")\"");
      return Optional.empty();
    }
    Instant from = s.notBefore().isAfter(now) ? s.notBefore() : now;
    long span = Duration.between(from, s.notAfter()).toMillis();
    Instant at =
        from.plusMillis(
            (long)
                Math.floor(Math.max(0, span - 1) * Math.min(1, Math.max(0, random.getAsDouble()))));
    if (planned != null) {
      LOG.info("event=speedtest_replaced testId=" + planned.testId() + " by=" + s.testId());
    }
    planned = s;
    plannedAt = at;
    LOG.info(
        "event=speedtest_planned testId=" + s.testId() + " at=" + at + " maxBytes=" + s.maxBytes());
    if (worker == null) {
      worker = new Thread(this::work, "enlace-speedtest");
      worker.setDaemon(true);
      worker.start();
    }
    notifyAll();
    return Optional.of(at);
  }

  /** The oldest result not yet sent, as the observation's {@code speedTest} object. */
  public synchronized Optional<Map<String, Object>> takeResult() {
    return Optional.ofNullable(results.pollFirst());
  }

  public boolean running() {
    return running;
  }

  public synchronized void stop() {
    stopped = true;
    notifyAll();
  }

  private void work() {
    while (true) {
      SpeedTestSlot s;
      synchronized (this) {
        while (!stopped) {
          if (planned != null) {
            long wait = Duration.between(clock.instant(), plannedAt).toMillis();
            if (wait <= 0) {
              break;
            }
            waitQuietly(wait);
          } else {
            waitQuietly(0);
          }
        }
        if (stopped) {
          return;
        }
        if (planned == null) {
          continue; // cannot happen: only a due plan leaves the wait loop without stopping
        }
        s = planned;
        planned = null;
        if (!clock.instant().isBefore(s.notAfter())) {
          LOG.warning("event=speedtest_skipped testId=" + s.testId() + " reason=\"window over\"");
          continue;
        }
      }
      running = true;
      try {
        LOG.info("event=speedtest_started testId=" + s.testId());
        for (SpeedTestResult r : runner.run(s)) {
          LOG.info(
              "event=speedtest_done method="
                  + r.method()
                  + " testId="
                  + r.testId()
                  + (r.failed()
                      ? " error=\"" + r.error() + "\""
                      : " downMbps=" + r.downMbps() + " upMbps=" + r.upMbps())
                  + " bytesDown="
                  + r.bytesDown()
                  + " bytesUp="
                  + r.bytesUp());
          synchronized (this) {
            if (results.size() >= MAX_PENDING_RESULTS) {
              results.pollFirst();
            }
            results.addLast(r.toJson());
          }
        }
      } catch (RuntimeException e) {
        LOG.severe("event=speedtest_failed testId=" + s.testId() + " error=\"" + e + "\"");
        synchronized (this) {
          results.addLast(SpeedTestResult.agentError(s.testId(), e.toString()).toJson());
        }
      } finally {
        running = false;
      }
    }
  }

  // Every caller waits inside a loop that re-checks its condition after any wake-up.
  @SuppressWarnings("WaitNotInLoop")
  private void waitQuietly(long ms) {
    try {
      wait(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = true;
    }
  }
}

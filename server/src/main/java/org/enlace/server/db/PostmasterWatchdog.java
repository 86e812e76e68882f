package org.enlace.server.db;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.health.HealthCheck;
import io.dropwizard.lifecycle.Managed;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded PostgreSQL running: checks twice a second that its postmaster lives, and
 * starts it again when it died (a {@code kill -9}, the kernel's out-of-memory killer, a crash), so
 * that the server heals without a restart of Enlace. PostgreSQL's crash recovery replays the WAL:
 * what it acknowledged as committed is kept. The connection pool then replaces its dead connections
 * (see {@link DatabaseConfig}).
 *
 * <p>Only the server runs it (commands are short-lived). A deliberate {@link EmbeddedPostgres#stop}
 * is respected. If the postmaster cannot start yet (processes of the dead one still hold its shared
 * memory for a moment, which PostgreSQL itself checks so that two postmasters never share a data
 * directory) it tries again, waiting a little longer each time, up to {@link #MAX_BACKOFF}.
 */
public final class PostmasterWatchdog implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(PostmasterWatchdog.class);
  static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /** What {@code /healthcheck} says about the postmaster. */
  record Status(
      String state, OptionalLong pid, @Nullable Instant diedAt, int attempts, String lastError) {}

  private final EmbeddedPostgres pg;
  private final Duration interval;
  private final Clock clock;
  private final AtomicLong restarts = new AtomicLong();
  private volatile Status status;
  private volatile boolean stopping;
  private @Nullable ScheduledExecutorService executor;

  public PostmasterWatchdog(EmbeddedPostgres pg, Duration interval, Clock clock) {
    this.pg = requireNonNull(pg, "pg is null");
    this.interval = requireNonNull(interval, "interval is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.status = new Status("running", OptionalLong.empty(), null, 0, "");
  }

  @Override
  public synchronized void start() {
    ScheduledExecutorService e =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "postmaster-watchdog");
              t.setDaemon(true);
              return t;
            });
    executor = e;
    checkSafely();
    // The check itself waits while it restarts: one at a time, never two restarts at once.
    ScheduledFuture<?> unusedSchedule =
        e.scheduleWithFixedDelay(
            this::checkSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Lets a restart under way finish, so that the database's own stop finds what it must stop. */
  @Override
  public synchronized void stop() throws InterruptedException {
    stopping = true;
    if (executor != null) {
      executor.shutdown();
      if (!executor.awaitTermination(3, TimeUnit.MINUTES)) {
        LOG.warn("event=postmaster_watchdog_stop_timeout");
        executor.shutdownNow();
      }
    }
  }

  /** How many times the postmaster was started again since this server started. */
  public long restarts() {
    return restarts.get();
  }

  /** {@code postmaster}: healthy while it runs; says since when it is down and why, otherwise. */
  public HealthCheck healthCheck() {
    return new HealthCheck() {
      @Override
      protected Result check() {
        Status s = status;
        return switch (s.state()) {
          case "running" ->
              Result.healthy(
                  "embedded PostgreSQL running (pid %s, port %d, restarted %d times)",
                  s.pid().isPresent() ? Long.toString(s.pid().getAsLong()) : "?",
                  pg.port(),
                  restarts.get());
          case "stopped" -> Result.unhealthy("embedded PostgreSQL stopped");
          default ->
              Result.unhealthy(
                  "embedded PostgreSQL postmaster died at %s; restarting (attempt %d)%s",
                  s.diedAt(),
                  s.attempts(),
                  s.lastError().isEmpty() ? "" : ": last error: " + s.lastError());
        };
      }
    };
  }

  private void checkSafely() {
    try {
      check();
    } catch (RuntimeException e) {
      // A bug here must not end the schedule: the next tick tries again.
      LOG.error("event=postmaster_watchdog_failed error=\"{}\"", e.toString(), e);
    }
  }

  /** One look; when the postmaster is gone, restarts it before returning. */
  void check() {
    if (stopping || pg.isStopped()) {
      status = new Status("stopped", OptionalLong.empty(), null, 0, "");
      return;
    }
    OptionalLong pid;
    try {
      pid = pg.postmasterPid();
    } catch (IOException e) {
      // postmaster.pid unreadable: no proof that it died; look again at the next tick.
      LOG.warn("event=postmaster_pid_unreadable error=\"{}\"", e.toString());
      return;
    }
    if (pid.isPresent()) {
      if (!status.state().equals("running") || !status.pid().equals(pid)) {
        status = new Status("running", pid, null, 0, "");
      }
      return;
    }
    long start = System.nanoTime();
    Instant diedAt = clock.instant();
    OptionalLong lastPid = status.pid();
    LOG.error(
        "event=postmaster_died dataDir={} pid={} port={} action=restarting",
        pg.dataDir(),
        lastPid.isPresent() ? Long.toString(lastPid.getAsLong()) : "unknown",
        pg.port());
    Duration backoff = FIRST_BACKOFF;
    String lastError = "";
    for (int attempt = 1; !stopping && !pg.isStopped(); attempt++) {
      status = new Status("restarting", OptionalLong.empty(), diedAt, attempt, lastError);
      try {
        long newPid = pg.restart();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        restarts.incrementAndGet();
        status = new Status("running", OptionalLong.of(newPid), null, 0, "");
        LOG.warn(
            "event=postmaster_restarted dataDir={} pid={} port={} durationMs={} attempts={}",
            pg.dataDir(),
            newPid,
            pg.port(),
            ms,
            attempt);
        return;
      } catch (IOException | RuntimeException e) {
        lastError = oneLine(e.getMessage());
        LOG.warn(
            "event=postmaster_restart_failed dataDir={} attempt={} retryInMs={} error=\"{}\"",
            pg.dataDir(),
            attempt,
            backoff.toMillis(),
            lastError);
      }
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      Duration doubled = backoff.multipliedBy(2);
      backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
    }
    status = new Status("stopped", OptionalLong.empty(), null, 0, "");
  }

  /** pg_ctl's output spans lines; a log field and a health message need one, and not too long. */
  static String oneLine(@Nullable String message) {
    if (message == null) {
      return "";
    }
    String line = message.strip().replaceAll("\\s*\\R\\s*", " | ");
    return line.length() > 400 ? line.substring(0, 400) + "…" : line;
  }
}

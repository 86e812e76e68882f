package org.enlace.server.auth;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Argon2id with OWASP's minimum (19 MiB, t=2, p=1), via BouncyCastle: no native library.
 *
 * <p>Each check holds 19 MiB and a core for a tenth of a second or more, so the server runs only a
 * few at once ({@code limits.maxConcurrentPasswordChecks}); a check that cannot start within {@code
 * limits.passwordCheckWait}, or finds too many already waiting, fails with {@link Busy}. A flood of
 * wrong passwords then costs at most that many cores and that many times 19 MiB.
 */
public final class PasswordHasher {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Argon2id's memory per check, in KiB. */
  public static final int MEMORY_KIB = 19 * 1024;

  /** Thrown when a password check could not start in time: answer 503 with Retry-After. */
  public static final class Busy extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Busy() {
      super("too many password checks at once", null, false, false);
    }
  }

  private final Argon2PasswordEncoder encoder = new Argon2PasswordEncoder(16, 32, 1, MEMORY_KIB, 2);
  private final Semaphore permits;
  private final int maxPermits;
  private final int maxWaiting;
  private final long waitNanos;
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger peak = new AtomicInteger();
  private final AtomicLong checks = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  /** For the command line: one check at a time is all it ever does. */
  public PasswordHasher() {
    this(1, Integer.MAX_VALUE, Duration.ofDays(1));
  }

  public PasswordHasher(int maxConcurrent, int maxWaiting, Duration maxWait) {
    this.maxPermits = maxConcurrent;
    this.permits = new Semaphore(maxConcurrent, true);
    this.maxWaiting = maxWaiting;
    this.waitNanos = maxWait.toNanos();
  }

  public String hash(String password) {
    acquire();
    try {
      return encoder.encode(password);
    } finally {
      release();
    }
  }

  public boolean matches(String password, String hash) {
    acquire();
    try {
      return encoder.matches(password, hash);
    } finally {
      release();
    }
  }

  private void acquire() {
    if (!permits.tryAcquire()) {
      if (waiting.incrementAndGet() > maxWaiting) {
        waiting.decrementAndGet();
        refused.incrementAndGet();
        throw new Busy();
      }
      try {
        if (!permits.tryAcquire(waitNanos, TimeUnit.NANOSECONDS)) {
          refused.incrementAndGet();
          throw new Busy();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Busy();
      } finally {
        waiting.decrementAndGet();
      }
    }
    checks.incrementAndGet();
    peak.accumulateAndGet(running.incrementAndGet(), Math::max);
  }

  private void release() {
    running.decrementAndGet();
    permits.release();
  }

  /** Argon2 computations started (hash or check): one per password check, known user or not. */
  public long checks() {
    return checks.get();
  }

  /** The most that ever ran at once. */
  public int peakConcurrent() {
    return peak.get();
  }

  public int maxConcurrent() {
    return maxPermits;
  }

  public void bindTo(MeterRegistry meters) {
    FunctionCounter.builder("enlace.password.checks", checks, AtomicLong::get)
        .description("Argon2id computations run (password checks, for known and unknown users)")
        .register(meters);
    FunctionCounter.builder("enlace.password.checks.refused", refused, AtomicLong::get)
        .description("Password checks refused because too many were running or waiting (503)")
        .register(meters);
    Gauge.builder("enlace.password.checks.running", running, AtomicInteger::get)
        .description("Argon2id computations running now")
        .register(meters);
    Gauge.builder("enlace.password.checks.waiting", waiting, AtomicInteger::get)
        .description("Password checks waiting for their turn now")
        .register(meters);
    Gauge.builder("enlace.password.checks.running.peak", peak, AtomicInteger::get)
        .description("The most Argon2id computations that ran at once since the server started")
        .register(meters);
    Gauge.builder("enlace.password.checks.running.max", () -> maxPermits)
        .description("limits.maxConcurrentPasswordChecks as resolved on this machine")
        .register(meters);
  }

  public static String randomPassword() {
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}

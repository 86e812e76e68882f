package org.enlace.server.limits;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One token bucket per key (an agent, a user name, an address), in bounded memory: a bucket that
 * has refilled completely is the same as no bucket, so idle ones are forgotten, at least once a
 * minute and whenever the map is full. When it is full of busy keys, a new key is not tracked (the
 * caller is told, and lets it through): a flood of invented names must not lock out everyone.
 */
public final class TokenBuckets<K> {
  /** A bucket's level; guarded by its own monitor. */
  private static final class Bucket {
    double tokens;
    long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  /** What {@link #take} decided. {@code untracked}: the map was full, the key went unlimited. */
  public record Decision(boolean allowed, Duration retryAfter, boolean untracked) {
    static final Decision ALLOWED = new Decision(true, Duration.ZERO, false);
    static final Decision UNTRACKED = new Decision(true, Duration.ZERO, true);
  }

  private static final long SWEEP_EVERY_NANOS = 60_000_000_000L;
  private static final long FULL_SWEEP_EVERY_NANOS = 1_000_000_000L;

  private final double tokensPerNano;
  private final double burst;
  private final int maxKeys;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<K, Bucket> buckets = new ConcurrentHashMap<>();
  private final AtomicLong lastSweep;

  public TokenBuckets(LimitsConfig.Rate rate, int maxKeys) {
    this(rate.getPerMinute(), rate.getBurst(), maxKeys, System::nanoTime);
  }

  TokenBuckets(int perMinute, int burst, int maxKeys, LongSupplier nanoClock) {
    this.tokensPerNano = perMinute / 60e9;
    this.burst = burst;
    this.maxKeys = maxKeys;
    this.nanoClock = nanoClock;
    this.lastSweep = new AtomicLong(nanoClock.getAsLong());
  }

  /** Takes a token for {@code key}, or says how long until one is there (taking nothing). */
  public Decision take(K key) {
    long now = nanoClock.getAsLong();
    sweepIfDue(now);
    Bucket b = buckets.get(key);
    if (b == null) {
      if (buckets.size() >= maxKeys) {
        sweep(now, true);
        if (buckets.size() >= maxKeys) {
          return Decision.UNTRACKED;
        }
      }
      b = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
    }
    synchronized (b) {
      refill(b, now);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return Decision.ALLOWED;
      }
      return new Decision(false, untilOne(b), false);
    }
  }

  /** How long until {@code key} has a token; zero when it has one now. Takes nothing. */
  public Duration waitFor(K key) {
    Bucket b = buckets.get(key);
    if (b == null) {
      return Duration.ZERO;
    }
    synchronized (b) {
      refill(b, nanoClock.getAsLong());
      return b.tokens >= 1 ? Duration.ZERO : untilOne(b);
    }
  }

  /** Keys remembered now (for tests and the gauge). */
  public int size() {
    return buckets.size();
  }

  private void refill(Bucket b, long now) {
    if (now > b.at) {
      b.tokens = Math.min(burst, b.tokens + (now - b.at) * tokensPerNano);
      b.at = now;
    }
  }

  private Duration untilOne(Bucket b) {
    return Duration.ofNanos((long) Math.ceil((1 - b.tokens) / tokensPerNano));
  }

  private void sweepIfDue(long now) {
    long last = lastSweep.get();
    if (now - last >= SWEEP_EVERY_NANOS && lastSweep.compareAndSet(last, now)) {
      sweep(now, false);
    }
  }

  /** Forgets full buckets; when the map is full, at most once a second (it walks every key). */
  private void sweep(long now, boolean becauseFull) {
    if (becauseFull) {
      long last = lastSweep.get();
      if (now - last < FULL_SWEEP_EVERY_NANOS || !lastSweep.compareAndSet(last, now)) {
        return;
      }
    }
    for (Iterator<Map.Entry<K, Bucket>> it = buckets.entrySet().iterator(); it.hasNext(); ) {
      Bucket b = it.next().getValue();
      synchronized (b) {
        refill(b, now);
        if (b.tokens >= burst) {
          it.remove();
        }
      }
    }
  }
}

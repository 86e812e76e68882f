package org.enlace.server.snmp;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Rates from two readings of an interface's octet counters, or the reason the interval cannot be
 * trusted. All of Enlace's counter arithmetic is here.
 *
 * <p>The time base is the device's own sysUpTime: counters and sysUpTime are read in the same
 * request, so their difference is the device's time between the two reads, free of network jitter.
 * sysUpTime is an unsigned 32-bit count of 1/100 s and wraps after 497 days; a decrease that
 * matches the wall-clock time elapsed is that wrap, any other decrease (or an uptime that advanced
 * far less than the wall clock) is a restart.
 *
 * <p>A counter that went down is a wrap only when the wrapped difference is a rate the interface
 * can carry; otherwise the counters were reset (cleared, or a restart that sysUpTime did not show).
 * Treating every decrease as a wrap is what draws the petabit spikes other tools are known for. A
 * 32-bit counter that could have wrapped more than once in the interval is ambiguous.
 */
public final class CounterRates {
  /** When the interface's speed is unknown (ifSpeed 0), the ceiling for a plausible rate. */
  static final long UNKNOWN_SPEED_CEILING_BPS = 1_000_000_000L;

  /** Rates may exceed the nominal speed a little (framing, shapers, clock drift). */
  static final double SPEED_TOLERANCE = 1.1;

  private static final long UPTIME_MODULUS = 1L << 32;

  private CounterRates() {}

  /** One reading of one interface, as returned by one request. Counters are unsigned. */
  public record Reading(
      Instant at,
      long sysUpTimeTicks,
      int ifIndex,
      int counterBits,
      long inOctets,
      long outOctets,
      int operStatus,
      long speedBps) {}

  public enum Gap {
    DEVICE_RESTARTED("device_restarted"),
    COUNTER_RESET("counter_reset"),
    MISSED_POLLS("missed_polls"),
    INTERFACE_CHANGED("interface_changed"),
    IMPOSSIBLE_RATE("impossible_rate");

    private final String wire;

    Gap(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  /**
   * The interval between two readings: rates in bit/s over the device's elapsed time, or a gap.
   * inOctets/outOctets are the octets it adds to the link's totals (0 for a gap).
   */
  public record Interval(
      Instant start, Instant end, double seconds, Optional<Rates> rates, Optional<Gap> gap) {
    public long inOctets() {
      return rates.map(Rates::inOctets).orElse(0L);
    }

    public long outOctets() {
      return rates.map(Rates::outOctets).orElse(0L);
    }
  }

  public record Rates(long inOctets, long outOctets, double inBps, double outBps) {}

  /**
   * Empty when {@code current} is not after {@code previous} (the same reading twice): nothing to
   * store, nothing to count.
   */
  public static Optional<Interval> between(
      Reading previous, Reading current, Duration maxInterval) {
    Duration wall = Duration.between(previous.at(), current.at());
    if (wall.isNegative() || wall.isZero()) {
      return Optional.empty();
    }
    double wallSeconds = wall.toNanos() / 1e9;
    if (previous.ifIndex() != current.ifIndex()
        || previous.counterBits() != current.counterBits()) {
      return Optional.of(gap(previous, current, wallSeconds, Gap.INTERFACE_CHANGED));
    }
    long uptimeTicks =
        Math.floorMod(current.sysUpTimeTicks() - previous.sysUpTimeTicks(), UPTIME_MODULUS);
    double seconds = uptimeTicks / 100.0;
    // 2 s for the two requests' own delays (timeouts and retries), 5 % for slow device clocks.
    double tolerance = Math.max(2.0, wallSeconds * 0.05);
    if (Math.abs(seconds - wallSeconds) > tolerance || uptimeTicks == 0) {
      // A decrease not matching the 497-day wrap, or an uptime that kept far less time than the
      // wall clock: the device restarted in between (its counters started again from zero).
      return Optional.of(gap(previous, current, wallSeconds, Gap.DEVICE_RESTARTED));
    }
    if (wall.compareTo(maxInterval) > 0) {
      return Optional.of(gap(previous, current, wallSeconds, Gap.MISSED_POLLS));
    }
    long speed = current.speedBps() > 0 ? current.speedBps() : UNKNOWN_SPEED_CEILING_BPS;
    double maxOctets = speed / 8.0 * seconds * SPEED_TOLERANCE;
    if (current.counterBits() == 32 && maxOctets >= UPTIME_MODULUS) {
      // Could have wrapped more than once: the difference says nothing.
      return Optional.of(gap(previous, current, wallSeconds, Gap.MISSED_POLLS));
    }
    long inOctets =
        delta(previous.inOctets(), current.inOctets(), current.counterBits(), maxOctets);
    long outOctets =
        delta(previous.outOctets(), current.outOctets(), current.counterBits(), maxOctets);
    if (inOctets == RESET || outOctets == RESET) {
      return Optional.of(gap(previous, current, wallSeconds, Gap.COUNTER_RESET));
    }
    if (inOctets == IMPOSSIBLE || outOctets == IMPOSSIBLE) {
      return Optional.of(gap(previous, current, wallSeconds, Gap.IMPOSSIBLE_RATE));
    }
    return Optional.of(
        new Interval(
            previous.at(),
            current.at(),
            seconds,
            Optional.of(
                new Rates(
                    inOctets, outOctets, inOctets * 8.0 / seconds, outOctets * 8.0 / seconds)),
            Optional.empty()));
  }

  private static Interval gap(Reading previous, Reading current, double wallSeconds, Gap gap) {
    return new Interval(
        previous.at(), current.at(), wallSeconds, Optional.empty(), Optional.of(gap));
  }

  /** {@link #delta}'s answers when there is no such number. */
  private static final long RESET = -1;

  private static final long IMPOSSIBLE = -2;

  /** The octets between two counter values, or RESET or IMPOSSIBLE. */
  private static long delta(long previous, long current, int bits, double maxOctets) {
    long mask = bits == 64 ? -1L : 0xFFFF_FFFFL;
    long p = previous & mask;
    long c = current & mask;
    // Unsigned difference modulo 2^bits: for 64 bits long arithmetic wraps by itself.
    long d = (c - p) & mask;
    boolean wrapped = Long.compareUnsigned(c, p) < 0;
    // A 64-bit difference above 2^63 is negative as a long; it can only be a reset.
    boolean plausible = d >= 0 && d <= maxOctets;
    if (wrapped) {
      return plausible ? d : RESET;
    }
    return plausible ? d : IMPOSSIBLE;
  }
}

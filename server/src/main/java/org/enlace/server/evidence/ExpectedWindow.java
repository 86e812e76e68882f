package org.enlace.server.evidence;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.domain.OpeningMask;

/**
 * The whole minutes of a report's period in which an establishment's data is expected: from the
 * minute its first agent enrolled or its router was registered (or the period's start) to the last
 * whole minute before now (or the period's end). Expected minutes and observed minutes are both
 * counted inside this one window, so minutes with data can never exceed expected minutes: a status
 * held past the last check into the future, or an observation stamped before the enrollment (clock
 * skew within the ingest tolerance), falls outside it.
 */
record ExpectedWindow(Instant start, Instant end) {

  static ExpectedWindow of(
      LocalMinutes minutes, ReportPeriod period, Optional<Instant> firstEnrollment, Instant now) {
    Instant periodStart = minutes.start(period.firstDay());
    Instant periodEnd = minutes.start(period.lastDay().plusDays(1));
    Instant start =
        firstEnrollment
            .map(e -> floor(minutes, e))
            .filter(e -> e.isAfter(periodStart))
            .orElse(periodStart);
    // The minute now is in has not ended: none of it is expected yet.
    Instant end = floor(minutes, now);
    if (end.isAfter(periodEnd)) {
      end = periodEnd;
    }
    return new ExpectedWindow(start, end.isBefore(start) ? start : end);
  }

  /** The start of the minute {@code t} is in. */
  static Instant floor(LocalMinutes minutes, Instant t) {
    LocalMinutes.Slot s = minutes.slot(t);
    return minutes.at(s.day(), s.minute());
  }

  boolean covers(Instant minuteStart) {
    return !minuteStart.isBefore(start) && minuteStart.isBefore(end);
  }

  /**
   * The minutes of a day whose start the window covers, as indexes [from, to): the same minutes as
   * {@link #covers} one by one, without an Instant per minute (a current month's report checks
   * 1,440 minutes for each of up to 10,000 computers).
   */
  int[] minutesOf(LocalMinutes minutes, LocalDate day) {
    Instant dayStart = minutes.start(day);
    int n = minutes.minutesIn(day);
    return new int[] {firstMinuteFrom(dayStart, start, n), firstMinuteFrom(dayStart, end, n)};
  }

  /** The first minute index of the day starting at or after {@code t}, within [0, n]. */
  private static int firstMinuteFrom(Instant dayStart, Instant t, int n) {
    long ms = Duration.between(dayStart, t).toMillis();
    long m = -Math.floorDiv(-ms, 60_000L); // rounded up: a minute starting before t is not in
    return (int) Math.max(0, Math.min(n, m));
  }

  boolean isEmpty() {
    return !end.isAfter(start);
  }

  /** Whether every minute of {@code day} lies inside the window. */
  boolean coversDay(LocalMinutes minutes, LocalDate day) {
    return !minutes.start(day).isBefore(start) && !minutes.start(day.plusDays(1)).isAfter(end);
  }

  /** The whole minutes of {@code day} that lie inside the window. */
  long minutesIn(LocalMinutes minutes, LocalDate day) {
    Instant from = minutes.start(day);
    Instant to = minutes.start(day.plusDays(1));
    Instant a = from.isBefore(start) ? start : from;
    Instant b = to.isAfter(end) ? end : to;
    return b.isAfter(a) ? Duration.between(a, b).toMinutes() : 0;
  }

  /** One establishment-day's open minutes inside the window, recounted from its stored bits. */
  record DayCount(long observed, long up, long outage) {}

  /**
   * Recounts a stored establishment-day inside the window: a minute with data is up unless it is an
   * outage minute (DayTimeline makes the two exclusive).
   */
  DayCount count(
      LocalMinutes minutes,
      OpeningMask mask,
      LocalDate day,
      String observedBits,
      String outageBits) {
    boolean[] open = mask.openMinutes(day, minutes);
    int[] covered = minutesOf(minutes, day);
    long observed = 0;
    long up = 0;
    long outage = 0;
    for (int m = covered[0]; m < Math.min(covered[1], open.length); m++) {
      if (!open[m]) {
        continue;
      }
      boolean seen = bit(observedBits, m);
      boolean out = bit(outageBits, m);
      observed += seen ? 1 : 0;
      outage += seen && out ? 1 : 0;
      up += seen && !out ? 1 : 0;
    }
    return new DayCount(observed, up, outage);
  }

  /** Open minutes of [from, to) that lie inside the window, minute by minute. */
  long openMinutes(LocalMinutes minutes, OpeningMask mask, Instant from, Instant to) {
    long open = 0;
    LocalDate day = null;
    boolean[] dayMask = new boolean[0];
    for (Instant t = from; t.isBefore(to); t = t.plusSeconds(60)) {
      LocalMinutes.Slot s = minutes.slot(t);
      if (!s.day().equals(day)) {
        day = s.day();
        dayMask = mask.openMinutes(day, minutes);
      }
      if (covers(t) && s.minute() < dayMask.length && dayMask[s.minute()]) {
        open++;
      }
    }
    return open;
  }

  private static boolean bit(String bits, int m) {
    return m < bits.length() && bits.charAt(m) == '1';
  }
}

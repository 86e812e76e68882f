package org.enlace.server.rollup;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.enlace.server.domain.LatencyHistogram;
import org.enlace.server.domain.LocalMinutes;

/**
 * What a group of newly stored observations adds to the daily rollups: per computer and local day
 * the minutes seen online, limited and offline (as bit strings to OR into computer_days), the
 * observation count and latency samples, and the establishment-days to recompute.
 */
public final class ComputerDayDelta {
  private record Key(long computerId, LocalDate day) {}

  private static final class Day {
    final long establishmentId;
    final int minutes;
    final BitSet online = new BitSet();
    final BitSet limited = new BitSet();
    final BitSet offline = new BitSet();
    final int[] latency = LatencyHistogram.empty();
    int observations;

    Day(long establishmentId, int minutes) {
      this.establishmentId = establishmentId;
      this.minutes = minutes;
    }
  }

  /** Dirty establishment-days, ordered, so concurrent writers take them in the same order. */
  public record EstablishmentDay(long establishmentId, LocalDate day) {}

  private final LocalMinutes minutes;
  private final Map<Key, Day> days = new HashMap<>();
  private final TreeSet<EstablishmentDay> dirty =
      new TreeSet<>(
          Comparator.comparingLong(EstablishmentDay::establishmentId)
              .thenComparing(EstablishmentDay::day));

  public ComputerDayDelta(LocalMinutes minutes) {
    this.minutes = minutes;
  }

  public void add(
      long establishmentId,
      long computerId,
      Instant observedAt,
      String status,
      double[] latencyMs) {
    LocalMinutes.Slot slot = minutes.slot(observedAt);
    Day d =
        days.computeIfAbsent(
            new Key(computerId, slot.day()),
            k -> new Day(establishmentId, minutes.minutesIn(slot.day())));
    switch (status) {
      case "online" -> d.online.set(slot.minute());
      case "limited" -> d.limited.set(slot.minute());
      default -> d.offline.set(slot.minute());
    }
    d.observations++;
    for (double ms : latencyMs) {
      d.latency[LatencyHistogram.bucket(ms)]++;
    }
    dirty.add(new EstablishmentDay(establishmentId, slot.day()));
  }

  public boolean isEmpty() {
    return days.isEmpty();
  }

  /** Column arrays for {@link RollupDao#mergeComputerDays}, rows in (computer, day) order. */
  @SuppressWarnings("ArrayRecordComponent") // primitive arrays for speed; never compared or hashed
  public record Columns(
      long[] computerIds,
      String[] days,
      long[] establishmentIds,
      int[] dayMinutes,
      String[] online,
      String[] limited,
      String[] offline,
      int[] observations,
      String[] latency) {}

  public Columns columns() {
    List<Map.Entry<Key, Day>> rows = new ArrayList<>(days.entrySet());
    rows.sort(
        Map.Entry.comparingByKey(
            Comparator.comparingLong(Key::computerId).thenComparing(Key::day)));
    int n = rows.size();
    Columns c =
        new Columns(
            new long[n],
            new String[n],
            new long[n],
            new int[n],
            new String[n],
            new String[n],
            new String[n],
            new int[n],
            new String[n]);
    for (int i = 0; i < n; i++) {
      Key k = rows.get(i).getKey();
      Day d = rows.get(i).getValue();
      c.computerIds()[i] = k.computerId();
      c.days()[i] = k.day().toString();
      c.establishmentIds()[i] = d.establishmentId;
      c.dayMinutes()[i] = d.minutes;
      c.online()[i] = bits(d.online, d.minutes);
      c.limited()[i] = bits(d.limited, d.minutes);
      c.offline()[i] = bits(d.offline, d.minutes);
      c.observations()[i] = d.observations;
      c.latency()[i] = array(d.latency);
    }
    return c;
  }

  public List<EstablishmentDay> dirty() {
    return List.copyOf(dirty);
  }

  /** PostgreSQL bit-string literal: position 0 is the first minute of the day. */
  static String bits(BitSet set, int length) {
    char[] out = new char[length];
    Arrays.fill(out, '0');
    for (int i = set.nextSetBit(0); i >= 0 && i < length; i = set.nextSetBit(i + 1)) {
      out[i] = '1';
    }
    return new String(out);
  }

  static String array(int[] values) {
    StringBuilder sb = new StringBuilder(values.length * 2 + 2).append('{');
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(values[i]);
    }
    return sb.append('}').toString();
  }
}

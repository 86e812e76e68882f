package org.enlace.server.domain;

import java.io.IOException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which minutes of a local day fall inside an establishment's opening hours. The hours are read
 * once, into wall-clock minute ranges per weekday: reports ask for thousands of days.
 */
public final class OpeningMask {
  private final boolean always;
  private final Map<DayOfWeek, int[][]> ranges = new EnumMap<>(DayOfWeek.class);

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OpeningMask.class);

  /**
   * From the establishments table's opening_hours column. A value that no longer reads (it was
   * validated when written) is logged and judged as open all day, never as closed.
   */
  public static OpeningMask fromStored(
      com.fasterxml.jackson.databind.ObjectMapper json, String stored, long establishmentId) {
    try {
      return new OpeningMask(json.readValue(stored, OpeningHours.class));
    } catch (IOException | IllegalArgumentException e) {
      LOG.warn(
          "event=opening_hours_unreadable establishment={} error=\"{}\""
              + " effect=\"judged all day\"",
          establishmentId,
          e.toString());
      return new OpeningMask(OpeningHours.ALWAYS);
    }
  }

  public OpeningMask(OpeningHours hours) {
    this.always = hours.days().isEmpty();
    for (DayOfWeek d : DayOfWeek.values()) {
      List<OpeningHours.Interval> list =
          hours.days().getOrDefault(d.name().toLowerCase(Locale.ROOT), List.of());
      int[][] r = new int[list.size()][];
      for (int i = 0; i < r.length; i++) {
        OpeningHours.Interval iv = list.get(i);
        r[i] =
            new int[] {
              minuteOf(iv.open()), iv.close().equals("24:00") ? 1440 : minuteOf(iv.close())
            };
      }
      ranges.put(d, r);
    }
  }

  public boolean[] openMinutes(LocalDate day, LocalMinutes minutes) {
    int n = minutes.minutesIn(day);
    boolean[] open = new boolean[n];
    if (always) {
      Arrays.fill(open, true);
      return open;
    }
    int[][] today = ranges.getOrDefault(day.getDayOfWeek(), new int[0][]); // all 7 are there
    if (today.length == 0) {
      return open;
    }
    boolean plainDay = n == 1440 && minutes.wallMinute(day, 0) == 0;
    for (int m = 0; m < n; m++) {
      // On a day with no clock change the slot is the wall-clock minute.
      int wall = plainDay ? m : minutes.wallMinute(day, m);
      for (int[] r : today) {
        if (wall >= r[0] && wall < r[1]) {
          open[m] = true;
          break;
        }
      }
    }
    return open;
  }

  /** Whether one minute is inside opening hours; a slot outside its day's minutes is not. */
  public boolean isOpen(LocalMinutes.Slot slot, LocalMinutes minutes) {
    boolean[] open = openMinutes(slot.day(), minutes);
    return slot.minute() >= 0 && slot.minute() < open.length && open[slot.minute()];
  }

  /** Open minutes in a day, for counting without the mask. */
  public int count(LocalDate day, LocalMinutes minutes) {
    int c = 0;
    for (boolean b : openMinutes(day, minutes)) {
      if (b) {
        c++;
      }
    }
    return c;
  }

  private static int minuteOf(String hhmm) {
    LocalTime t = LocalTime.parse(hhmm);
    return t.getHour() * 60 + t.getMinute();
  }
}

package org.enlace.server.domain;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Opening hours per weekday in the municipality's time zone, e.g. {@code {"monday": [{"open":
 * "08:00", "close": "12:00"}, {"open": "14:00", "close": "18:00"}]}}. Empty means open all day,
 * every day (availability is then judged around the clock).
 */
public record OpeningHours(Map<String, List<Interval>> days) {
  static final Set<String> DAYS =
      Set.of("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday");

  public static final OpeningHours ALWAYS = new OpeningHours(Map.of());

  public record Interval(String open, String close) {}

  public OpeningHours {
    Map<String, List<Interval>> copy = new LinkedHashMap<>();
    for (Map.Entry<String, List<Interval>> e : days.entrySet()) {
      if (!DAYS.contains(e.getKey())) {
        throw new IllegalArgumentException("unknown day '" + e.getKey() + "' (monday..sunday)");
      }
      List<Interval> intervals = new ArrayList<>(e.getValue());
      intervals.sort((a, b) -> a.open().compareTo(b.open()));
      LocalTime previousClose = LocalTime.MIN;
      for (Interval i : intervals) {
        LocalTime open = time(e.getKey(), i.open());
        LocalTime close = i.close().equals("24:00") ? LocalTime.MAX : time(e.getKey(), i.close());
        if (!open.isBefore(close)) {
          throw new IllegalArgumentException(
              e.getKey() + ": open " + i.open() + " is not before close " + i.close());
        }
        if (open.isBefore(previousClose)) {
          throw new IllegalArgumentException(e.getKey() + ": intervals overlap");
        }
        previousClose = close;
      }
      copy.put(e.getKey(), List.copyOf(intervals));
    }
    days = Map.copyOf(copy);
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static OpeningHours of(Map<String, List<Interval>> days) {
    return new OpeningHours(days == null ? Map.of() : days);
  }

  @JsonValue
  public Map<String, List<Interval>> json() {
    return days;
  }

  private static LocalTime time(String day, String value) {
    try {
      if (value == null || !value.matches("\\d\\d:\\d\\d")) {
        throw new DateTimeParseException("", String.valueOf(value), 0);
      }
      return LocalTime.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(day + ": '" + value + "' is not a time HH:MM");
    }
  }
}

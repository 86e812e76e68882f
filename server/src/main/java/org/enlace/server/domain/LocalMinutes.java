package org.enlace.server.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * Minutes of the municipality's local days. A day is usually 1,440 minutes; in a zone with daylight
 * saving it can be 1,380 or 1,500, and slots count real minutes since local midnight.
 */
public final class LocalMinutes {
  private final ZoneId zone;

  public LocalMinutes(ZoneId zone) {
    this.zone = zone;
  }

  public ZoneId zone() {
    return zone;
  }

  public record Slot(LocalDate day, int minute) {}

  public Slot slot(Instant t) {
    LocalDate day = t.atZone(zone).toLocalDate();
    long minute = Duration.between(start(day), t).toMinutes();
    return new Slot(day, (int) minute);
  }

  public Instant start(LocalDate day) {
    return day.atStartOfDay(zone).toInstant();
  }

  public Instant at(LocalDate day, int minute) {
    return start(day).plusSeconds(60L * minute);
  }

  public int minutesIn(LocalDate day) {
    return (int) Duration.between(start(day), start(day.plusDays(1))).toMinutes();
  }

  /** Local wall-clock minute-of-day of a slot, for opening hours ("08:00" is 480). */
  public int wallMinute(LocalDate day, int minute) {
    ZonedDateTime z = at(day, minute).atZone(zone);
    return z.getHour() * 60 + z.getMinute();
  }
}

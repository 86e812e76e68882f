package org.enlace.server.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.enlace.server.domain.OpeningHours.Interval;
import org.junit.jupiter.api.Test;

class OpeningHoursTest {
  @Test
  void sortsIntervalsAndAcceptsMidnightClose() {
    OpeningHours h =
        new OpeningHours(
            Map.of(
                "friday", List.of(new Interval("14:00", "24:00"), new Interval("08:00", "12:00"))));
    assertThat(h.days().get("friday")).extracting(Interval::open).containsExactly("08:00", "14:00");
  }

  @Test
  void refusesUnknownDaysBadTimesAndOverlaps() {
    assertThatThrownBy(() -> new OpeningHours(Map.of("lunes", List.of())))
        .hasMessageContaining("monday");
    assertThatThrownBy(
            () -> new OpeningHours(Map.of("monday", List.of(new Interval("8:00", "12:00")))))
        .hasMessageContaining("HH:MM");
    assertThatThrownBy(
            () -> new OpeningHours(Map.of("monday", List.of(new Interval("12:00", "08:00")))))
        .hasMessageContaining("not before");
    assertThatThrownBy(
            () ->
                new OpeningHours(
                    Map.of(
                        "monday",
                        List.of(new Interval("08:00", "12:00"), new Interval("11:00", "13:00")))))
        .hasMessageContaining("overlap");
  }
}

package org.enlace.server.indicators;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Locale;

/** Periods the indicators are grouped by; labels are 2026-03, 2026-Q1 and 2026. */
public enum Granularity {
  MONTH,
  QUARTER,
  YEAR;

  public static Granularity parse(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "month" -> MONTH;
      case "quarter" -> QUARTER;
      case "year" -> YEAR;
      default -> throw new IllegalArgumentException("granularity must be month, quarter or year");
    };
  }

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** First month of the period that contains {@code month}. */
  public YearMonth start(YearMonth month) {
    return switch (this) {
      case MONTH -> month;
      case QUARTER -> YearMonth.of(month.getYear(), (month.getMonthValue() - 1) / 3 * 3 + 1);
      case YEAR -> YearMonth.of(month.getYear(), 1);
    };
  }

  public YearMonth next(YearMonth start) {
    return switch (this) {
      case MONTH -> start.plusMonths(1);
      case QUARTER -> start.plusMonths(3);
      case YEAR -> start.plusYears(1);
    };
  }

  public String label(YearMonth start) {
    return switch (this) {
      case MONTH -> start.toString();
      case QUARTER -> start.getYear() + "-Q" + ((start.getMonthValue() - 1) / 3 + 1);
      case YEAR -> Integer.toString(start.getYear());
    };
  }

  public LocalDate lastDay(YearMonth start) {
    return next(start).atDay(1).minusDays(1);
  }
}

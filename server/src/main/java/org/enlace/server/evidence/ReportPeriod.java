package org.enlace.server.evidence;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A month (2026-03), a quarter (2026-Q1) or a year (2026), as days in the municipality. */
public record ReportPeriod(String label, LocalDate firstDay, LocalDate lastDay) {
  private static final Pattern QUARTER = Pattern.compile("(\\d{4})-Q([1-4])");

  public static ReportPeriod parse(String s) {
    if (s == null || s.isBlank()) {
      throw new IllegalArgumentException("period is required: YYYY-MM, YYYY-Qn or YYYY");
    }
    Matcher q = QUARTER.matcher(s);
    if (q.matches()) {
      YearMonth first =
          YearMonth.of(Integer.parseInt(q.group(1)), (Integer.parseInt(q.group(2)) - 1) * 3 + 1);
      return new ReportPeriod(s, first.atDay(1), first.plusMonths(2).atEndOfMonth());
    }
    if (s.matches("\\d{4}")) {
      int year = Integer.parseInt(s);
      return new ReportPeriod(s, LocalDate.of(year, 1, 1), LocalDate.of(year, 12, 31));
    }
    try {
      YearMonth month = YearMonth.parse(s);
      return new ReportPeriod(s, month.atDay(1), month.atEndOfMonth());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("period '" + s + "' is not YYYY-MM, YYYY-Qn or YYYY");
    }
  }

  public YearMonth firstMonth() {
    return YearMonth.from(firstDay);
  }

  public YearMonth lastMonth() {
    return YearMonth.from(lastDay);
  }
}

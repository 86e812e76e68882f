package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import org.enlace.server.evidence.EvidenceReport.Coverage;
import org.enlace.server.evidence.EvidenceReport.DayRange;
import org.junit.jupiter.api.Test;

/** Which days of a period its data covers, and the month the reports page proposes. */
class PeriodCoverageTest {
  static final ReportPeriod OCTOBER = ReportPeriod.parse("2026-10");
  static final List<LocalDate> EARLY = List.of(LocalDate.of(2025, 12, 1));

  static boolean weekday(LocalDate d) {
    return d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY;
  }

  @Test
  void closedWeekendsWithoutDataAreNoGap() {
    List<LocalDate> weekdays =
        OCTOBER.firstDay().datesUntil(LocalDate.of(2026, 11, 1)).filter(d -> weekday(d)).toList();
    Coverage c =
        PeriodCoverage.of(
            OCTOBER, LocalDate.of(2026, 12, 7), weekdays, PeriodCoverageTest::weekday, EARLY);
    assertThat(c.complete()).isTrue();
    assertThat(c.daysCovered()).isEqualTo(31);
    assertThat(c.daysWithData()).isEqualTo(22);
    assertThat(c.reasons()).isEmpty();
  }

  @Test
  void gapsAreListedAsRanges() {
    List<LocalDate> data =
        OCTOBER
            .firstDay()
            .datesUntil(LocalDate.of(2026, 11, 1))
            .filter(d -> d.getDayOfMonth() < 10 || d.getDayOfMonth() > 12)
            .filter(d -> d.getDayOfMonth() != 20)
            .toList();
    Coverage c = PeriodCoverage.of(OCTOBER, LocalDate.of(2026, 12, 7), data, d -> true, EARLY);
    assertThat(c.complete()).isFalse();
    assertThat(c.reasons()).containsExactly("gaps");
    assertThat(c.daysCovered()).isEqualTo(27);
    assertThat(c.daysWithoutData())
        .containsExactly(
            new DayRange(LocalDate.of(2026, 10, 10), LocalDate.of(2026, 10, 12)),
            new DayRange(LocalDate.of(2026, 10, 20), LocalDate.of(2026, 10, 20)));
    assertThat(c.partialBetween(LocalDate.of(2026, 10, 1), LocalDate.of(2026, 10, 9))).isFalse();
    assertThat(c.partialBetween(LocalDate.of(2026, 10, 1), LocalDate.of(2026, 10, 31))).isTrue();
  }

  @Test
  void theCurrentMonthIsNotOverAndFutureDaysAreNotJudged() {
    Coverage c =
        PeriodCoverage.of(
            ReportPeriod.parse("2026-12"),
            LocalDate.of(2026, 12, 7),
            LocalDate.of(2026, 12, 1).datesUntil(LocalDate.of(2026, 12, 8)).toList(),
            d -> true,
            EARLY);
    assertThat(c.complete()).isFalse();
    assertThat(c.reasons()).containsExactly("not_over");
    assertThat(c.asOf()).isEqualTo(LocalDate.of(2026, 12, 7));
    assertThat(c.daysElapsed()).isEqualTo(7);
    assertThat(c.daysCovered()).isEqualTo(7);
    assertThat(c.daysWithoutData()).isEmpty();
  }

  @Test
  void theReportsPageProposesThisMonthOrTheNewestWithData() {
    YearMonth now = YearMonth.of(2026, 12);
    assertThat(ReportsPageResource.proposedMonth(now, Optional.empty())).isEqualTo(now);
    assertThat(ReportsPageResource.proposedMonth(now, Optional.of(LocalDate.of(2026, 12, 3))))
        .isEqualTo(now);
    assertThat(ReportsPageResource.proposedMonth(now, Optional.of(LocalDate.of(2026, 9, 30))))
        .isEqualTo(YearMonth.of(2026, 9));
  }
}

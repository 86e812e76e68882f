package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.jackson.Jackson;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.domain.OpeningHours;
import org.enlace.server.domain.OpeningMask;
import org.enlace.server.evidence.EvidenceReport.Availability;
import org.enlace.server.evidence.EvidenceReport.LinkEvidence;
import org.enlace.server.evidence.EvidenceReport.Outage;
import org.enlace.server.evidence.EvidenceReport.SpeedStats;
import org.enlace.server.rollup.RollupConfig;
import org.junit.jupiter.api.Test;

/**
 * The evidence figures' arithmetic, without a database: availability and completeness, expected
 * open minutes, speed percentiles against the contract, cost per measured Mbit/s and outages joined
 * across midnight.
 */
class EvidenceArithmeticTest {
  static final LocalMinutes BOGOTA = new LocalMinutes(ZoneId.of("America/Bogota"));
  static final ReportPeriod OCTOBER = ReportPeriod.parse("2026-10");
  static final Instant LATER = Instant.parse("2027-01-01T00:00:00Z");
  static final OpeningMask ALL_DAY = new OpeningMask(OpeningHours.ALWAYS);

  /** Weekdays 08:00-12:00 and 14:00-18:00, the town hall of {@code SyntheticMonth}. */
  static final OpeningMask TOWN_HALL =
      OpeningMask.fromStored(
          Jackson.newObjectMapper(),
          "{"
              + String.join(
                  ",",
                  List.of("monday", "tuesday", "wednesday", "thursday", "friday").stream()
                      .map(
                          d ->
                              "\""
                                  + d
                                  + "\": [{\"open\": \"08:00\", \"close\": \"12:00\"},"
                                  + " {\"open\": \"14:00\", \"close\": \"18:00\"}]")
                      .toList())
              + "}",
          1);

  static long open(OpeningMask mask, Optional<Instant> enrolled, Instant now) {
    return EvidenceService.expectedOpenMinutes(
        mask, new HashMap<>(), BOGOTA, OCTOBER, enrolled, now);
  }

  @Test
  void availabilityIsUpOverObservedAndCompletenessObservedOverOpen() {
    Availability a =
        EvidenceService.availability(480, new EvidenceDao.DayTotals(1, 450, 420, 30, 10, 5));
    assertThat(a.openMinutes()).isEqualTo(480);
    assertThat(a.observedMinutes()).isEqualTo(450);
    assertThat(a.upMinutes()).isEqualTo(420);
    assertThat(a.outageMinutes()).isEqualTo(30);
    assertThat(a.availabilityPct()).contains(93.33); // 420 / 450
    assertThat(a.completenessPct()).contains(93.75); // 450 / 480
    assertThat(a.pcsOffMinutes()).isEqualTo(10);
    assertThat(a.linkDownMinutes()).isEqualTo(5);
    assertThat(a.noDataMinutes()).isEqualTo(30);
  }

  @Test
  void nothingToDivideByGivesNoPercentageNotZero() {
    Availability none =
        EvidenceService.availability(0, new EvidenceDao.DayTotals(1, 0, 0, 0, 0, 0));
    assertThat(none.availabilityPct()).isEmpty();
    assertThat(none.completenessPct()).isEmpty();
    assertThat(none.noDataMinutes()).isZero();
    // Open minutes but nothing observed: completeness 0 %, availability unknown.
    Availability silent =
        EvidenceService.availability(480, new EvidenceDao.DayTotals(1, 0, 0, 0, 0, 0));
    assertThat(silent.availabilityPct()).isEmpty();
    assertThat(silent.completenessPct()).contains(0.0);
    assertThat(silent.noDataMinutes()).isEqualTo(480);
    // Never a negative gap.
    assertThat(
            EvidenceService.availability(100, new EvidenceDao.DayTotals(1, 120, 120, 0, 0, 0))
                .noDataMinutes())
        .isZero();
    assertThat(EvidenceService.ratio(1, 3)).contains(33.33);
    assertThat(EvidenceService.ratio(2, 3)).contains(66.67);
  }

  @Test
  void expectedOpenMinutesOfAWholeMonth() {
    assertThat(open(ALL_DAY, Optional.empty(), LATER)).isEqualTo(31 * 1440);
    // October 2026 has 22 weekdays of 8 open hours.
    assertThat(open(TOWN_HALL, Optional.empty(), LATER)).isEqualTo(22 * 480);
    // An enrollment before the period changes nothing.
    assertThat(open(TOWN_HALL, Optional.of(Instant.parse("2026-01-01T00:00:00Z")), LATER))
        .isEqualTo(22 * 480);
  }

  @Test
  void nothingIsExpectedBeforeTheFirstEnrollmentNorAfterNow() {
    // Enrolled Wednesday 14 October at 10:30 Bogotá: 10:30-12:00 and 14:00-18:00 that day, then
    // 12 more weekdays.
    assertThat(open(TOWN_HALL, Optional.of(Instant.parse("2026-10-14T15:30:00Z")), LATER))
        .isEqualTo(90 + 240 + 12 * 480);
    // Now is 14 October 15:00 Bogotá: 9 whole weekdays before, then 08:00-12:00 and 14:00-15:00.
    assertThat(open(TOWN_HALL, Optional.empty(), Instant.parse("2026-10-14T20:00:00Z")))
        .isEqualTo(9 * 480 + 240 + 60);
    // Midnight edges: enrolled at 00:00 Bogotá of 31 October, now at its end.
    assertThat(open(ALL_DAY, Optional.of(Instant.parse("2026-10-31T05:00:00Z")), LATER))
        .isEqualTo(1440);
    assertThat(open(ALL_DAY, Optional.empty(), Instant.parse("2026-10-01T05:01:00Z"))).isEqualTo(1);
    assertThat(open(ALL_DAY, Optional.empty(), Instant.parse("2026-09-30T12:00:00Z"))).isZero();
  }

  @Test
  void speedPercentilesAreMeasuredValuesAndTheShareUnderContractIsUnder80Percent() {
    SpeedStats s = EvidenceService.speed(new double[] {2, 4, 6, 8, 10}, 10);
    assertThat(s.tests()).isEqualTo(5);
    assertThat(s.medianMbps()).contains(6.0);
    assertThat(s.p10Mbps()).contains(2.0);
    assertThat(s.p90Mbps()).contains(10.0);
    // 2, 4 and 6 are under 8 (80 % of 10); exactly 8 is not.
    assertThat(s.underContractSharePct()).contains(60.0);
    SpeedStats one = EvidenceService.speed(new double[] {7.5}, 10);
    assertThat(one.medianMbps()).contains(7.5);
    assertThat(one.p10Mbps()).contains(7.5);
    assertThat(one.underContractSharePct()).contains(100.0);
    SpeedStats third = EvidenceService.speed(new double[] {1, 9, 9}, 10);
    assertThat(third.underContractSharePct()).contains(33.33);
    SpeedStats none = EvidenceService.speed(new double[0], 10);
    assertThat(none)
        .isEqualTo(
            new SpeedStats(
                0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
    assertThat(EvidenceService.rank(new double[] {1, 2, 3, 4}, 0.5)).isEqualTo(2.0);
    assertThat(EvidenceService.rank(new double[] {1, 2, 3, 4}, 1.0)).isEqualTo(4.0);
    assertThat(EvidenceService.round(2.346)).isEqualTo(2.35);
    assertThat(EvidenceService.round(93.3333)).isEqualTo(93.33);
  }

  static EvidenceDao.Link link(Optional<BigDecimal> cost) {
    return new EvidenceDao.Link(
        7, 1, "ISP Nariño", "radio", BigDecimal.valueOf(10), BigDecimal.valueOf(2), cost, "COP");
  }

  @Test
  void measuredAgainstContractedAndCostPerMeasuredMbps() {
    List<EvidenceDao.Test> tests =
        List.of(
            new EvidenceDao.Test(7, Optional.of(10.0), Optional.of(2.0)),
            new EvidenceDao.Test(7, Optional.of(5.0), Optional.empty()),
            new EvidenceDao.Test(7, Optional.empty(), Optional.of(1.0)));
    LinkEvidence l =
        EvidenceService.linkEvidence(link(Optional.of(BigDecimal.valueOf(500_000))), tests);
    assertThat(l.download().tests()).isEqualTo(2);
    assertThat(l.download().medianMbps()).contains(5.0); // nearest rank of [5, 10]
    assertThat(l.download().underContractSharePct()).contains(50.0); // 5 < 8
    assertThat(l.upload().tests()).isEqualTo(2);
    assertThat(l.upload().medianMbps()).contains(1.0);
    assertThat(l.upload().underContractSharePct()).contains(50.0); // 1 < 1.6
    // 500,000 COP a month for a median of 5 Mbit/s measured.
    assertThat(l.costPerMeasuredMbps()).contains(new BigDecimal("100000.00"));
    assertThat(l.utilization()).isEmpty();
    assertThat(EvidenceService.linkEvidence(link(Optional.empty()), tests).costPerMeasuredMbps())
        .isEmpty();
    // A median of 0 gives no cost per Mbit/s, not a division by zero.
    assertThat(
            EvidenceService.linkEvidence(
                    link(Optional.of(BigDecimal.ONE)),
                    List.of(new EvidenceDao.Test(7, Optional.of(0.0), Optional.empty())))
                .costPerMeasuredMbps())
        .isEmpty();
    assertThat(EvidenceService.linkEvidence(link(Optional.empty()), List.of()).download().tests())
        .isZero();
  }

  static EvidenceDao.OutageSegment segment(
      String from, String to, int minutes, int open, int computers, String cause) {
    return new EvidenceDao.OutageSegment(
        1, Instant.parse(from), Instant.parse(to), minutes, open, computers, cause);
  }

  @Test
  void segmentsContinuingAcrossMidnightAreOneOutageAndShortOnesAreBlips() {
    RollupConfig rollups = new RollupConfig(); // shortOutageMinutes 5
    EvidenceService service =
        new EvidenceService(
            null, null, rollups, BOGOTA, Jackson.newObjectMapper(), "", Clock.systemUTC());
    // 14 Oct 23:00 to 15 Oct 01:00 Bogotá, stored as two days' segments; then a 3-minute blip,
    // then a 5-minute outage the router saw (not joined to the blip: another cause).
    List<Outage> out =
        service.outages(
            List.of(
                segment("2026-10-15T04:00:00Z", "2026-10-15T05:00:00Z", 60, 0, 2, "agents"),
                segment("2026-10-15T05:00:00Z", "2026-10-15T06:00:00Z", 60, 10, 1, "agents"),
                segment("2026-10-15T15:00:00Z", "2026-10-15T15:03:00Z", 3, 3, 2, "agents"),
                segment("2026-10-15T15:03:00Z", "2026-10-15T15:08:00Z", 5, 5, 0, "link_down")));
    assertThat(out)
        .containsExactly(
            new Outage(
                Instant.parse("2026-10-15T04:00:00Z"),
                Instant.parse("2026-10-15T06:00:00Z"),
                120,
                10,
                2,
                false,
                "agents"),
            new Outage(
                Instant.parse("2026-10-15T15:00:00Z"),
                Instant.parse("2026-10-15T15:03:00Z"),
                3,
                3,
                2,
                true,
                "agents"),
            new Outage(
                Instant.parse("2026-10-15T15:03:00Z"),
                Instant.parse("2026-10-15T15:08:00Z"),
                5,
                5,
                0,
                false,
                "link_down"));
    assertThat(service.outages(List.of())).isEmpty();
  }
}

package org.enlace.server.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import org.enlace.server.domain.LatencyHistogram;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.domain.OpeningHours;
import org.enlace.server.domain.OpeningMask;
import org.enlace.server.domain.OpeningMaskTest;
import org.enlace.server.rollup.DayTimeline.ComputerDay;
import org.enlace.server.rollup.DayTimeline.ComputerMinutes;
import org.enlace.server.rollup.DayTimeline.DayResult;
import org.enlace.server.rollup.DayTimeline.LinkDay;
import org.enlace.server.rollup.DayTimeline.Segment;
import org.junit.jupiter.api.Test;

/** {@link DayTimeline} on hand-made minute bits, without a database. */
class DayTimelineTest {
  static final LocalMinutes BOGOTA = new LocalMinutes(ZoneId.of("America/Bogota"));
  static final LocalDate WEDNESDAY = LocalDate.of(2026, 10, 14);
  static final LocalDate TUESDAY = WEDNESDAY.minusDays(1);
  static final OpeningMask ALL_DAY = new OpeningMask(OpeningHours.ALWAYS);

  /** The town hall's hours in {@code SyntheticMonth}: weekdays 08:00-12:00 and 14:00-18:00. */
  static final OpeningMask TOWN_HALL = new OpeningMask(OpeningMaskTest.townHallHours());

  /** 1440 minute bits with '1' on each [from, to) pair. */
  static String bits(int... fromTo) {
    char[] c = new char[1440];
    Arrays.fill(c, '0');
    for (int i = 0; i < fromTo.length; i += 2) {
      Arrays.fill(c, fromTo[i], fromTo[i + 1], '1');
    }
    return new String(c);
  }

  static ComputerDay pc(long id, LocalDate day, String online, String limited, String offline) {
    return new ComputerDay(id, day, online, limited, offline, LatencyHistogram.empty());
  }

  static ComputerDay online(long id, LocalDate day, int... fromTo) {
    return pc(id, day, bits(fromTo), bits(), bits());
  }

  static DayResult compute(int hold, OpeningMask mask, List<ComputerDay> today) {
    return new DayTimeline(BOGOTA, hold, mask).compute(WEDNESDAY, List.of(), today);
  }

  @Test
  void emptyInputIsAWholeDayWithNoDataAndNoOutage() {
    DayResult r = compute(1, ALL_DAY, List.of());
    assertThat(r.day()).isEqualTo(WEDNESDAY);
    assertThat(r.dayMinutes()).isEqualTo(1440);
    assertThat(r.openMinutes()).isEqualTo(1440);
    assertThat(r.observedMinutes()).isZero();
    assertThat(r.upMinutes()).isZero();
    assertThat(r.outageMinutes()).isZero();
    assertThat(r.computersReporting()).isZero();
    assertThat(r.computersOnline()).isZero();
    assertThat(r.outageBits()).isEqualTo(bits());
    assertThat(r.observedBits()).isEqualTo(bits());
    assertThat(r.outages()).isEmpty();
    assertThat(r.computers()).isEmpty();
    assertThat(r.gapPcsOffOpen()).isZero();
    assertThat(r.gapLinkDownOpen()).isZero();
    assertThat(LatencyHistogram.samples(r.latency())).isZero();
  }

  @Test
  void colombiaHasNoDaylightSavingSoEveryDayOf2026Has1440Minutes() {
    // The US and Europe change clocks on these days; Bogotá does not.
    for (LocalDate d : List.of(LocalDate.of(2026, 3, 8), LocalDate.of(2026, 3, 29), TUESDAY)) {
      assertThat(new DayTimeline(BOGOTA, 1, ALL_DAY).compute(d, List.of(), List.of()).dayMinutes())
          .as(d.toString())
          .isEqualTo(1440);
    }
    for (LocalDate d = LocalDate.of(2026, 1, 1); d.getYear() == 2026; d = d.plusDays(1)) {
      assertThat(BOGOTA.minutesIn(d)).as(d.toString()).isEqualTo(1440);
    }
  }

  @Test
  void theLastStatusHoldsHoldMinutesAfterTheLastCheck() {
    // 07:00-19:00: 720 checked minutes, and 19:00 itself held (as in RollupsTest's PC A1).
    DayResult r = compute(1, ALL_DAY, List.of(online(1, WEDNESDAY, 420, 1140)));
    assertThat(r.computers()).containsExactly(new ComputerMinutes(1, WEDNESDAY, 721, 721, 0, 0));
    assertThat(r.observedMinutes()).isEqualTo(721);
    assertThat(r.upMinutes()).isEqualTo(721);
    assertThat(r.observedBits()).isEqualTo(bits(420, 1141));
  }

  @Test
  void aSkippedMinuteIsFilledButALongerGapIsNot() {
    // Checks at 10:00 and 10:02 (10:01 skipped by jitter), then at 10:05 after two missing.
    ComputerDay c = online(1, WEDNESDAY, 600, 601, 602, 603, 605, 606);
    DayResult hold1 = compute(1, ALL_DAY, List.of(c));
    // 600, 601 (held), 602, 603 (held), 605, 606 (held); 604 is two minutes after 602.
    assertThat(hold1.observedBits()).isEqualTo(bits(600, 604, 605, 607));
    assertThat(hold1.computers().get(0).observed()).isEqualTo(6);
    DayResult hold2 = compute(2, ALL_DAY, List.of(c));
    assertThat(hold2.observedBits()).isEqualTo(bits(600, 608));
    assertThat(hold2.computers().get(0).observed()).isEqualTo(8);
    DayResult hold0 = compute(0, ALL_DAY, List.of(c));
    assertThat(hold0.observedBits()).isEqualTo(bits(600, 601, 602, 603, 605, 606));
    assertThat(hold0.computers().get(0).observed()).isEqualTo(3);
  }

  @Test
  void theHoldCarriesAStatusAcrossMidnightOnlyWithinHoldMinutes() {
    ComputerDay lastMinute = online(1, TUESDAY, 1439, 1440);
    ComputerDay today = online(1, WEDNESDAY, 5, 6);
    DayResult r =
        new DayTimeline(BOGOTA, 1, ALL_DAY).compute(WEDNESDAY, List.of(lastMinute), List.of(today));
    // 23:59 holds into 00:00; 00:01-00:04 have no data.
    assertThat(r.observedBits()).isEqualTo(bits(0, 1, 5, 7));
    assertThat(r.computers().get(0).online()).isEqualTo(3);

    ComputerDay twoBack = online(1, TUESDAY, 1438, 1439);
    DayResult tooOld =
        new DayTimeline(BOGOTA, 1, ALL_DAY).compute(WEDNESDAY, List.of(twoBack), List.of(today));
    assertThat(tooOld.observedBits()).isEqualTo(bits(5, 7));
    DayResult hold2 =
        new DayTimeline(BOGOTA, 2, ALL_DAY).compute(WEDNESDAY, List.of(twoBack), List.of(today));
    assertThat(hold2.observedBits()).isEqualTo(bits(0, 1, 5, 8));
    // The previous day of another computer carries nothing over.
    DayResult other =
        new DayTimeline(BOGOTA, 1, ALL_DAY)
            .compute(WEDNESDAY, List.of(online(2, TUESDAY, 1439, 1440)), List.of(today));
    assertThat(other.observedBits()).isEqualTo(bits(5, 7));
  }

  @Test
  void aMinuteTakesTheWorstStatusSeenInIt() {
    // 10:00 online and offline, 10:01 online and limited, 10:02 limited and offline.
    ComputerDay c = pc(1, WEDNESDAY, bits(600, 602), bits(601, 603), bits(600, 601, 602, 603));
    DayResult r = compute(0, ALL_DAY, List.of(c));
    assertThat(r.computers()).containsExactly(new ComputerMinutes(1, WEDNESDAY, 3, 0, 1, 2));
    assertThat(r.outageMinutes()).isEqualTo(3);
    assertThat(r.upMinutes()).isZero();
    // It still counts as seen online that day: it had an online check.
    assertThat(r.computersOnline()).isEqualTo(1);
  }

  @Test
  void anOutageIsWhenEveryReportingComputerIsOfflineOrLimited() {
    // Town hall, Wednesday: both PCs on 07:00-19:00; 09:00-12:00 one offline, one limited.
    ComputerDay a1 = pc(1, WEDNESDAY, bits(420, 540, 720, 1140), bits(), bits(540, 720));
    ComputerDay a2 = pc(2, WEDNESDAY, bits(420, 540, 720, 1140), bits(540, 720), bits());
    DayResult r = compute(1, TOWN_HALL, List.of(a1, a2));
    assertThat(r.outages()).containsExactly(new Segment(WEDNESDAY, 540, 720, 180, 2, "agents"));
    assertThat(r.openMinutes()).isEqualTo(480);
    assertThat(r.observedMinutes()).isEqualTo(721);
    assertThat(r.observedOpenMinutes()).isEqualTo(480);
    assertThat(r.upOpenMinutes()).isEqualTo(300);
    assertThat(r.outageOpenMinutes()).isEqualTo(180);
    assertThat(r.outageMinutes()).isEqualTo(180);
    assertThat(r.upMinutes()).isEqualTo(541);
    assertThat(r.computersReporting()).isEqualTo(2);
    assertThat(r.computersOnline()).isEqualTo(2);
    assertThat(r.outageBits()).isEqualTo(bits(540, 720));
  }

  @Test
  void oneComputerOnlineMeansNoOutage() {
    // Kiosk, 20 October: K1 offline 10:00-11:00 while K2 is online.
    ComputerDay k1 = pc(1, WEDNESDAY, bits(0, 600, 660, 1440), bits(), bits(600, 660));
    ComputerDay k2 = online(2, WEDNESDAY, 0, 1440);
    DayResult r = compute(1, ALL_DAY, List.of(k1, k2));
    assertThat(r.outages()).isEmpty();
    assertThat(r.outageMinutes()).isZero();
    assertThat(r.upMinutes()).isEqualTo(1440);
    assertThat(r.computers())
        .containsExactly(
            new ComputerMinutes(1, WEDNESDAY, 1440, 1380, 0, 60),
            new ComputerMinutes(2, WEDNESDAY, 1440, 1440, 0, 0));
  }

  @Test
  void outagesOutsideOpeningHoursCountButNotAsOpenMinutes() {
    // 11:00-15:00 offline: 11:00-12:00 and 14:00-15:00 are open, 12:00-14:00 is lunch.
    ComputerDay c = pc(1, WEDNESDAY, bits(420, 660, 900, 1140), bits(), bits(660, 900));
    DayResult r = compute(1, TOWN_HALL, List.of(c));
    assertThat(r.outages()).containsExactly(new Segment(WEDNESDAY, 660, 900, 120, 1, "agents"));
    assertThat(r.outageMinutes()).isEqualTo(240);
    assertThat(r.outageOpenMinutes()).isEqualTo(120);
    assertThat(r.upOpenMinutes()).isEqualTo(360);
  }

  @Test
  void outagesAtMinuteZeroAndMinute1439AreSeparateSegmentsOfOneMinute() {
    ComputerDay c = pc(1, WEDNESDAY, bits(1, 1439), bits(), bits(0, 1, 1439, 1440));
    DayResult r = compute(0, ALL_DAY, List.of(c));
    assertThat(r.outages())
        .containsExactly(
            new Segment(WEDNESDAY, 0, 1, 1, 1, "agents"),
            new Segment(WEDNESDAY, 1439, 1440, 1, 1, "agents"));
    assertThat(r.outageBits().charAt(0)).isEqualTo('1');
    assertThat(r.outageBits().charAt(1439)).isEqualTo('1');
    assertThat(r.outageMinutes()).isEqualTo(2);
  }

  @Test
  void pcsSwitchedOffWhileTheLinkIsUpIsNotAnOutage() {
    // Nobody reporting at all; the router saw the link up the whole day.
    LinkDay link = new LinkDay(7, WEDNESDAY, bits(0, 1440), bits());
    DayResult r =
        new DayTimeline(BOGOTA, 1, TOWN_HALL)
            .compute(WEDNESDAY, List.of(), List.of(), List.of(link));
    assertThat(r.outages()).isEmpty();
    assertThat(r.outageMinutes()).isZero();
    assertThat(r.upMinutes()).isEqualTo(1440);
    assertThat(r.observedMinutes()).isEqualTo(1440);
    assertThat(r.upOpenMinutes()).isEqualTo(480);
    assertThat(r.observedOpenMinutes()).isEqualTo(480);
    assertThat(r.gapPcsOffOpen()).isEqualTo(480);
    assertThat(r.gapLinkDownOpen()).isZero();
    assertThat(r.linkUpMinutes()).isEqualTo(1440);
    assertThat(r.linkDownMinutes()).isZero();
    assertThat(r.computersReporting()).isZero();
  }

  @Test
  void theLinkDownWithNoComputerReportingIsALinkDownOutage() {
    // The router saw the link down 09:00-10:00 and up otherwise; no PC on.
    LinkDay link = new LinkDay(7, WEDNESDAY, bits(0, 540, 600, 1440), bits(540, 600));
    DayResult r =
        new DayTimeline(BOGOTA, 1, TOWN_HALL)
            .compute(WEDNESDAY, List.of(), List.of(), List.of(link));
    assertThat(r.outages()).containsExactly(new Segment(WEDNESDAY, 540, 600, 60, 0, "link_down"));
    assertThat(r.gapLinkDownOpen()).isEqualTo(60);
    assertThat(r.gapPcsOffOpen()).isEqualTo(420);
    assertThat(r.linkDownMinutes()).isEqualTo(60);
    assertThat(r.linkUpMinutes()).isEqualTo(1380);
  }

  @Test
  void reportingComputersDecideAndTheLinkNamesTheCause() {
    // PCs offline 09:00-11:00; the router saw the link down only 09:30-09:40.
    ComputerDay c = pc(1, WEDNESDAY, bits(420, 540, 660, 1140), bits(), bits(540, 660));
    LinkDay link = new LinkDay(7, WEDNESDAY, bits(0, 570, 580, 1440), bits(570, 580));
    // Later in the day the router said the link was down but the PC was online: not an outage.
    LinkDay flap = new LinkDay(8, WEDNESDAY, bits(), bits(900, 910));
    DayResult r =
        new DayTimeline(BOGOTA, 1, TOWN_HALL)
            .compute(WEDNESDAY, List.of(), List.of(c), List.of(link, flap));
    assertThat(r.outages()).containsExactly(new Segment(WEDNESDAY, 540, 660, 120, 1, "link_down"));
    assertThat(r.outageMinutes()).isEqualTo(120);
    assertThat(r.gapLinkDownOpen()).isZero();
    assertThat(r.gapPcsOffOpen()).isZero();
  }

  @Test
  void offlineComputersWithTheLinkUpIsAnAgentsOutage() {
    ComputerDay c = pc(1, WEDNESDAY, bits(420, 540, 660, 1140), bits(), bits(540, 660));
    LinkDay link = new LinkDay(7, WEDNESDAY, bits(0, 1440), bits());
    DayResult r =
        new DayTimeline(BOGOTA, 1, TOWN_HALL)
            .compute(WEDNESDAY, List.of(), List.of(c), List.of(link));
    assertThat(r.outages()).containsExactly(new Segment(WEDNESDAY, 540, 660, 120, 1, "agents"));
  }

  @Test
  void withTwoLinksTheEstablishmentIsConnectedWhileEitherIsUp() {
    LinkDay main = new LinkDay(7, WEDNESDAY, bits(0, 600), bits(600, 1440));
    LinkDay backup = new LinkDay(8, WEDNESDAY, bits(0, 1200), bits(1200, 1440));
    DayResult r =
        new DayTimeline(BOGOTA, 1, ALL_DAY)
            .compute(WEDNESDAY, List.of(), List.of(), List.of(main, backup));
    assertThat(r.linkUpMinutes()).isEqualTo(1200);
    assertThat(r.linkDownMinutes()).isEqualTo(240);
    assertThat(r.outages())
        .containsExactly(new Segment(WEDNESDAY, 1200, 1440, 240, 0, "link_down"));
    assertThat(r.upMinutes()).isEqualTo(1200);
  }

  @Test
  void latencyHistogramsAreSummedOverComputers() {
    int[] h1 = LatencyHistogram.empty();
    h1[LatencyHistogram.bucket(12)] = 3;
    int[] h2 = LatencyHistogram.empty();
    h2[LatencyHistogram.bucket(12)] = 2;
    h2[LatencyHistogram.bucket(180)] = 4;
    DayResult r =
        compute(
            1,
            ALL_DAY,
            List.of(
                new ComputerDay(1, WEDNESDAY, bits(600, 601), bits(), bits(), h1),
                new ComputerDay(2, WEDNESDAY, bits(600, 601), bits(), bits(), h2)));
    assertThat(r.latency()[11]).isEqualTo(5);
    assertThat(r.latency()[23]).isEqualTo(4);
    assertThat(LatencyHistogram.samples(r.latency())).isEqualTo(9);
  }
}

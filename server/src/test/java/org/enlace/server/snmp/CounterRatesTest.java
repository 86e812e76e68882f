package org.enlace.server.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import org.enlace.server.snmp.CounterRates.Gap;
import org.enlace.server.snmp.CounterRates.Interval;
import org.enlace.server.snmp.CounterRates.Reading;
import org.junit.jupiter.api.Test;

class CounterRatesTest {
  private static final Instant T0 = Instant.parse("2026-10-05T14:00:00Z");
  private static final Duration MAX = Duration.ofMinutes(5);
  private static final long TEN_MBIT = 10_000_000L;
  private static final long TWO_32 = 1L << 32;

  private static Reading r(int secondsAfter, long uptimeTicks, int bits, long in, long out) {
    return new Reading(T0.plusSeconds(secondsAfter), uptimeTicks, 2, bits, in, out, 1, TEN_MBIT);
  }

  private static Interval between(Reading a, Reading b) {
    return CounterRates.between(a, b, MAX).orElseThrow();
  }

  @Test
  void steadyTrafficOn64BitCounters() {
    Interval i =
        between(
            r(0, 100_000, 64, 1_000_000, 500_000),
            r(60, 106_000, 64, 1_000_000 + 7_500_000, 500_000 + 1_500_000));
    assertThat(i.gap()).isEmpty();
    assertThat(i.rates().orElseThrow().inBps()).isEqualTo(1_000_000.0);
    assertThat(i.rates().orElseThrow().outBps()).isEqualTo(200_000.0);
    assertThat(i.inOctets()).isEqualTo(7_500_000);
  }

  @Test
  void deviceTimeIsTheTimeBaseNotTheWallClock() {
    // The second answer arrived 1.5 s late: the device says 60 s passed between the reads.
    Reading a = r(0, 100_000, 64, 0, 0);
    Reading b = new Reading(T0.plusMillis(61_500), 106_000, 2, 64, 7_500_000, 0, 1, TEN_MBIT);
    assertThat(between(a, b).rates().orElseThrow().inBps()).isEqualTo(1_000_000.0);
  }

  @Test
  void thirtyTwoBitWrapIsCountedOnce() {
    Interval i = between(r(0, 100_000, 32, TWO_32 - 1_000, 0), r(60, 106_000, 32, 5_000, 0));
    assertThat(i.gap()).isEmpty();
    assertThat(i.inOctets()).isEqualTo(6_000);
    assertThat(i.rates().orElseThrow().inBps()).isCloseTo(800.0, within(1e-9));
  }

  @Test
  void sixtyFourBitWrapIsCountedOnce() {
    long nearTop = -1_000_000L; // 2^64 - 1,000,000 as an unsigned long
    Interval i = between(r(0, 100_000, 64, nearTop, 0), r(60, 106_000, 64, 1_000_000, 0));
    assertThat(i.gap()).isEmpty();
    assertThat(i.inOctets()).isEqualTo(2_000_000);
  }

  @Test
  void rebootIsAGapNotASpike() {
    Interval i = between(r(0, 8_640_000, 64, 5_000_000_000L, 0), r(60, 3_000, 64, 20_000, 0));
    assertThat(i.gap()).contains(Gap.DEVICE_RESTARTED);
    assertThat(i.rates()).isEmpty();
    assertThat(i.inOctets()).isZero();
  }

  @Test
  void rebootBetweenPollsWithUptimePastTheOldOneIsStillARestart() {
    // Up 100 s at one poll, up 200 s at the next 300 s later: it restarted in between, and
    // its uptime, though higher, kept only 100 s of the 300.
    Interval i =
        CounterRates.between(
                r(0, 10_000, 64, 0, 0), r(300, 20_000, 64, 10, 0), Duration.ofMinutes(10))
            .orElseThrow();
    assertThat(i.gap()).contains(Gap.DEVICE_RESTARTED);
  }

  @Test
  void sysUpTimeWrapAfter497DaysIsNotARestart() {
    Interval i = between(r(0, TWO_32 - 3_000, 64, 0, 0), r(60, 3_000, 64, 750_000, 0));
    assertThat(i.gap()).isEmpty();
    assertThat(i.rates().orElseThrow().inBps()).isEqualTo(100_000.0);
  }

  @Test
  void clearedCountersWithoutRebootAreAReset() {
    Interval i = between(r(0, 100_000, 64, 900_000_000_000L, 0), r(60, 106_000, 64, 1_000, 0));
    assertThat(i.gap()).contains(Gap.COUNTER_RESET);
  }

  @Test
  void thirtyTwoBitDecreaseBeyondTheLinkSpeedIsAResetNotAWrap() {
    // Wrapped difference would be 1.29 GB in 60 s: 172 Mbit/s on a 10 Mbit/s interface.
    Interval i = between(r(0, 100_000, 32, 3_000_000_000L, 0), r(60, 106_000, 32, 1_000, 0));
    assertThat(i.gap()).contains(Gap.COUNTER_RESET);
  }

  @Test
  void aJumpFasterThanTheInterfaceIsImpossible() {
    Interval i = between(r(0, 100_000, 64, 0, 0), r(60, 106_000, 64, 10_000_000_000L, 0));
    assertThat(i.gap()).contains(Gap.IMPOSSIBLE_RATE);
  }

  @Test
  void oneMissedPollStillGivesTheAverageRate() {
    Interval i = between(r(0, 100_000, 64, 0, 0), r(120, 112_000, 64, 15_000_000, 0));
    assertThat(i.gap()).isEmpty();
    assertThat(i.seconds()).isEqualTo(120.0);
    assertThat(i.rates().orElseThrow().inBps()).isEqualTo(1_000_000.0);
  }

  @Test
  void intervalsLongerThanTheMaximumAreGaps() {
    Interval i = between(r(0, 100_000, 64, 0, 0), r(600, 160_000, 64, 75_000_000, 0));
    assertThat(i.gap()).contains(Gap.MISSED_POLLS);
    assertThat(i.seconds()).isEqualTo(600.0);
  }

  @Test
  void thirtyTwoBitCountersThatCouldWrapTwiceAreAmbiguous() {
    Reading a = new Reading(T0, 100_000, 2, 32, 0, 0, 1, 1_000_000_000L);
    Reading b = new Reading(T0.plusSeconds(60), 106_000, 2, 32, 10, 0, 1, 1_000_000_000L);
    assertThat(between(a, b).gap()).contains(Gap.MISSED_POLLS);
  }

  @Test
  void renumberedInterfaceOrCounterWidthIsAGap() {
    Reading a = r(0, 100_000, 64, 0, 0);
    Reading b = new Reading(T0.plusSeconds(60), 106_000, 7, 64, 10, 0, 1, TEN_MBIT);
    assertThat(between(a, b).gap()).contains(Gap.INTERFACE_CHANGED);
    assertThat(between(a, r(60, 106_000, 32, 10, 0)).gap()).contains(Gap.INTERFACE_CHANGED);
  }

  @Test
  void theSameReadingTwiceIsNothing() {
    Reading a = r(0, 100_000, 64, 0, 0);
    assertThat(CounterRates.between(a, a, MAX)).isEmpty();
    assertThat(CounterRates.between(r(60, 106_000, 64, 0, 0), a, MAX)).isEmpty();
  }

  @Test
  void unknownSpeedAllowsUpToAGigabit() {
    Reading a = new Reading(T0, 100_000, 2, 64, 0, 0, 1, 0);
    Reading b = new Reading(T0.plusSeconds(60), 106_000, 2, 64, 7_000_000_000L, 0, 1, 0);
    assertThat(between(a, b).gap()).isEmpty();
    Reading c = new Reading(T0.plusSeconds(60), 106_000, 2, 64, 9_000_000_000L, 0, 1, 0);
    assertThat(between(a, c).gap()).contains(Gap.IMPOSSIBLE_RATE);
  }
}

package org.enlace.server.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.BitSet;
import org.enlace.server.domain.LatencyHistogram;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.rollup.ComputerDayDelta.Columns;
import org.enlace.server.rollup.ComputerDayDelta.EstablishmentDay;
import org.junit.jupiter.api.Test;

/** {@link ComputerDayDelta}: observations into per computer-day minute bits, in Bogotá time. */
class ComputerDayDeltaTest {
  static final LocalMinutes BOGOTA = new LocalMinutes(ZoneId.of("America/Bogota"));
  static final double[] NO_LATENCY = {};

  static String bits(int... ones) {
    BitSet s = new BitSet();
    for (int i : ones) {
      s.set(i);
    }
    return ComputerDayDelta.bits(s, 1440);
  }

  @Test
  void extremeLatenciesLandInTheEndBuckets() {
    assertThat(LatencyHistogram.bucket(Double.NaN)).isZero();
    assertThat(LatencyHistogram.bucket(-1)).isZero();
    assertThat(LatencyHistogram.bucket(Double.POSITIVE_INFINITY))
        .isEqualTo(LatencyHistogram.BUCKETS - 1);
    assertThat(LatencyHistogram.bucket(Double.MAX_VALUE)).isEqualTo(LatencyHistogram.BUCKETS - 1);
    assertThat(LatencyHistogram.bucket(1e99)).isEqualTo(LatencyHistogram.BUCKETS - 1);
  }

  @Test
  void emptyDeltaHasNoRowsAndNothingDirty() {
    ComputerDayDelta d = new ComputerDayDelta(BOGOTA);
    assertThat(d.isEmpty()).isTrue();
    assertThat(d.dirty()).isEmpty();
    Columns c = d.columns();
    assertThat(c.computerIds()).isEmpty();
    assertThat(c.days()).isEmpty();
    assertThat(c.online()).isEmpty();
  }

  @Test
  void bogotaMidnightIsMinuteZeroAndTheMinuteBeforeIsMinute1439OfTheDayBefore() {
    ComputerDayDelta d = new ComputerDayDelta(BOGOTA);
    // Bogotá is UTC-5 all year: 14 Oct 00:00 local is 05:00 UTC.
    d.add(10, 1, Instant.parse("2026-10-14T05:00:00Z"), "online", NO_LATENCY);
    d.add(10, 1, Instant.parse("2026-10-15T04:59:59Z"), "online", NO_LATENCY);
    d.add(10, 1, Instant.parse("2026-10-14T04:59:59Z"), "online", NO_LATENCY);
    assertThat(d.isEmpty()).isFalse();
    Columns c = d.columns();
    assertThat(c.days()).containsExactly("2026-10-13", "2026-10-14");
    assertThat(c.online()).containsExactly(bits(1439), bits(0, 1439));
    assertThat(c.dayMinutes()).containsExactly(1440, 1440);
    assertThat(c.observations()).containsExactly(1, 2);
    assertThat(c.establishmentIds()).containsExactly(10L, 10L);
    assertThat(c.computerIds()).containsExactly(1L, 1L);
  }

  @Test
  void aMonthEdgeFollowsLocalTime() {
    // 1 Oct 04:55 UTC is 30 Sep 23:55 in Bogotá: September's last day, minute 1435.
    ComputerDayDelta d = new ComputerDayDelta(BOGOTA);
    d.add(10, 1, Instant.parse("2026-10-01T04:55:00Z"), "online", NO_LATENCY);
    assertThat(d.columns().days()).containsExactly("2026-09-30");
    assertThat(d.columns().online()).containsExactly(bits(1435));
    assertThat(d.dirty()).containsExactly(new EstablishmentDay(10, LocalDate.of(2026, 9, 30)));
  }

  @Test
  void eachStatusGoesToItsOwnBitsAndUnknownOnesCountAsOffline() {
    ComputerDayDelta d = new ComputerDayDelta(BOGOTA);
    Instant ten = Instant.parse("2026-10-14T15:00:00Z"); // 10:00 local, minute 600
    d.add(10, 1, ten, "online", NO_LATENCY);
    d.add(10, 1, ten.plusSeconds(60), "limited", NO_LATENCY);
    d.add(10, 1, ten.plusSeconds(120), "offline", NO_LATENCY);
    d.add(10, 1, ten.plusSeconds(180), "something-new", NO_LATENCY);
    Columns c = d.columns();
    assertThat(c.online()).containsExactly(bits(600));
    assertThat(c.limited()).containsExactly(bits(601));
    assertThat(c.offline()).containsExactly(bits(602, 603));
    assertThat(c.observations()).containsExactly(4);
  }

  @Test
  void twoObservationsInOneMinuteSetOneBitAndCountTwice() {
    ComputerDayDelta d = new ComputerDayDelta(BOGOTA);
    d.add(10, 1, Instant.parse("2026-10-14T15:00:05Z"), "online", NO_LATENCY);
    d.add(10, 1, Instant.parse("2026-10-14T15:00:55Z"), "offline", NO_LATENCY);
    Columns c = d.columns();
    assertThat(c.online()).containsExactly(bits(600));
    assertThat(c.offline()).containsExactly(bits(600));
    assertThat(c.observations()).containsExactly(2);
  }

  @Test
  void latencySamplesAreCountedInTheirBuckets() {
    ComputerDayDelta d = new ComputerDayDelta(BOGOTA);
    d.add(10, 1, Instant.parse("2026-10-14T15:00:00Z"), "online", new double[] {12, 12.5, 180});
    d.add(10, 1, Instant.parse("2026-10-14T15:01:00Z"), "online", new double[] {0.4});
    int[] expected = LatencyHistogram.empty();
    expected[0] = 1; // under 1 ms
    expected[11] = 2; // 12 and 12.5 ms: [10^1.0, 10^1.1)
    expected[23] = 1; // 180 ms: [10^2.2, 10^2.3)
    assertThat(d.columns().latency()).containsExactly(ComputerDayDelta.array(expected));
  }

  @Test
  void rowsAreOrderedByComputerThenDayAndDirtyDaysByEstablishmentThenDay() {
    ComputerDayDelta d = new ComputerDayDelta(BOGOTA);
    Instant oct14 = Instant.parse("2026-10-14T15:00:00Z");
    Instant oct13 = oct14.minusSeconds(86_400);
    d.add(20, 3, oct14, "online", NO_LATENCY);
    d.add(10, 2, oct14, "online", NO_LATENCY);
    d.add(10, 1, oct14, "online", NO_LATENCY);
    d.add(20, 3, oct13, "online", NO_LATENCY);
    d.add(10, 2, oct14.plusSeconds(60), "online", NO_LATENCY);
    Columns c = d.columns();
    assertThat(c.computerIds()).containsExactly(1L, 2L, 3L, 3L);
    assertThat(c.days()).containsExactly("2026-10-14", "2026-10-14", "2026-10-13", "2026-10-14");
    assertThat(c.establishmentIds()).containsExactly(10L, 10L, 20L, 20L);
    assertThat(c.observations()).containsExactly(1, 2, 1, 1);
    assertThat(d.dirty())
        .containsExactly(
            new EstablishmentDay(10, LocalDate.of(2026, 10, 14)),
            new EstablishmentDay(20, LocalDate.of(2026, 10, 13)),
            new EstablishmentDay(20, LocalDate.of(2026, 10, 14)));
  }

  @Test
  void postgresLiterals() {
    BitSet s = new BitSet();
    s.set(0);
    s.set(2);
    s.set(5); // past the length: ignored
    assertThat(ComputerDayDelta.bits(s, 4)).isEqualTo("1010");
    assertThat(ComputerDayDelta.bits(new BitSet(), 3)).isEqualTo("000");
    assertThat(ComputerDayDelta.array(new int[] {3, 0, 12})).isEqualTo("{3,0,12}");
    assertThat(ComputerDayDelta.array(new int[0])).isEqualTo("{}");
  }
}

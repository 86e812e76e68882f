package org.enlace.server.evidence.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Scale and tick maths, number formats and escaping: the pieces every chart is drawn with. */
class ChartModelTest {
  @Test
  void ticksAreRoundNumbersCoveringTheRange() {
    Ticks t = Ticks.nice(0, 1234, 4, true);
    assertThat(t.step()).isEqualTo(500);
    assertThat(t.values()).containsExactly(0.0, 500.0, 1000.0, 1500.0);
    assertThat(t.decimals()).isZero();

    Ticks small = Ticks.nice(0, 0.87, 4, false);
    assertThat(small.step()).isEqualTo(0.25);
    assertThat(small.max()).isEqualTo(1.0);
    assertThat(small.decimals()).isEqualTo(2);

    Ticks tenths = Ticks.nice(0, 0.7, 7, false);
    assertThat(tenths.values()).contains(0.3, 0.7); // no 0.30000000000000004

    Ticks offset = Ticks.nice(37, 212, 5, true);
    assertThat(offset.min()).isLessThanOrEqualTo(37);
    assertThat(offset.max()).isGreaterThanOrEqualTo(212);
    assertThat(offset.min() % offset.step()).isZero();
  }

  @Test
  void countsNeverGetFractionalTicks() {
    Ticks t = Ticks.nice(0, 3, 4, true);
    assertThat(t.step()).isEqualTo(1);
    assertThat(t.values()).containsExactly(0.0, 1.0, 2.0, 3.0);
  }

  @Test
  void degenerateRangesStillMakeAnAxis() {
    assertThat(Ticks.nice(0, 0, 4, true).values()).containsExactly(0.0, 1.0);
    assertThat(Ticks.nice(5, 5, 4, false).max()).isGreaterThan(5);
    assertThat(Ticks.nice(Double.NaN, Double.POSITIVE_INFINITY, 4, false).values()).isNotEmpty();
    Ticks reversed = Ticks.nice(10, 0, 5, true);
    assertThat(reversed.min()).isZero();
    assertThat(reversed.max()).isEqualTo(10);
  }

  @Test
  void linearScaleMapsClampsAndRunsBackwards() {
    LinearScale y = new LinearScale(0, 100, 200, 0);
    assertThat(y.at(0)).isEqualTo(200);
    assertThat(y.at(25)).isEqualTo(150);
    assertThat(y.at(100)).isZero();
    assertThat(y.clamped(250)).isZero();
    assertThat(y.clamped(-5)).isEqualTo(200);
    assertThat(new LinearScale(3, 3, 10, 20).at(3)).isEqualTo(10);
    assertThat(new LinearScale(0, 3, 0, 1).at(1)).isCloseTo(1 / 3.0, within(1e-12));
  }

  @Test
  void colombianAndEnglishNumbers() {
    assertThat(NumberStyle.ES.format(1234.5, 1)).isEqualTo("1.234,5");
    assertThat(NumberStyle.EN.format(1234.5, 1)).isEqualTo("1,234.5");
    assertThat(NumberStyle.ES.format(1500, 0)).isEqualTo("1.500");
    assertThat(NumberStyle.ES.format(0.25, 2)).isEqualTo("0,25");
    assertThat(NumberStyle.ES.format(-0.01, 1)).isEqualTo("0,0");
    assertThat(NumberStyle.ES.format(2.25, 1)).isEqualTo("2,3"); // half up, as the tables
    assertThat(NumberStyle.ES.pct(98.66, 1)).isEqualTo("98,7\u00a0%");
    assertThat(NumberStyle.EN.pct(100, 0)).isEqualTo("100\u00a0%");
  }

  @Test
  void svgTextIsEscapedAndCoordinatesUseAPoint() {
    assertThat(Svg.esc("Escuela <Niño> & \"Señora\" 'Peña'"))
        .isEqualTo("Escuela &lt;Niño&gt; &amp; &quot;Señora&quot; &#39;Peña&#39;");
    assertThat(Svg.esc("a\u0001b\uD800c")).isEqualTo("a b c");
    assertThat(Svg.esc("😀")).isEqualTo("😀");
    assertThat(Svg.n(12.345)).isEqualTo("12.3");
    assertThat(Svg.n(3.0)).isEqualTo("3");
    assertThat(Svg.n(1e-7)).isEqualTo("0");
    assertThat(Svg.fit("Institución Educativa Técnica Agropecuaria", 20)).hasSize(20).endsWith("…");
    assertThat(Svg.fit("Corta", 20)).isEqualTo("Corta");
  }

  @Test
  void outageLevels() {
    assertThat(CalendarChart.level(0)).isZero();
    assertThat(CalendarChart.level(1)).isEqualTo(1);
    assertThat(CalendarChart.level(59)).isEqualTo(1);
    assertThat(CalendarChart.level(60)).isEqualTo(2);
    assertThat(CalendarChart.level(239)).isEqualTo(2);
    assertThat(CalendarChart.level(240)).isEqualTo(3);
  }
}

package org.enlace.server.evidence.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

/** Each chart drawn from a model: well-formed SVG, es-CO labels, escaped names, no-data charts. */
class ChartSvgTest {
  static final String TRICKY = "Escuela <Niño> & \"Señora\" 'Peña'";

  static Document parse(String svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder().parse(new InputSource(new StringReader(svg)));
  }

  static LineChart line(List<Optional<Double>> values) {
    return new LineChart(
        "Computadores",
        "Texto alternativo",
        NumberStyle.ES,
        "sin datos",
        values.stream().map(v -> "ene").toList(),
        values.stream().map(v -> "2026").toList(),
        values,
        List.of(
            new LineChart.Reference("Línea base", 600, LineChart.Kind.BASELINE),
            new LineChart.Reference("Meta", 1200, LineChart.Kind.TARGET)));
  }

  @Test
  void lineChartHasTitleAltColombianTicksAndReferenceLines() throws Exception {
    String svg = ChartSvg.line(line(List.of(Optional.of(560.0), Optional.of(1220.0))), 220, 150);
    Document d = parse(svg);
    assertThat(d.getDocumentElement().getLocalName()).isEqualTo("svg");
    assertThat(d.getElementsByTagNameNS("*", "title").item(0).getTextContent())
        .isEqualTo("Computadores");
    assertThat(d.getElementsByTagNameNS("*", "desc").item(0).getTextContent())
        .isEqualTo("Texto alternativo");
    assertThat(svg).contains(">1.500<", ">Meta 1.200<", ">Línea base 600<", ">1.220<");
    assertThat(svg).contains("stroke-dasharray=\"5 3\"").contains(ChartSvg.TARGET);
    assertThat(svg).doesNotContain("1,500").doesNotContain("E-");
  }

  @Test
  void aMonthWithoutDataBreaksTheLineInsteadOfDroppingToZero() throws Exception {
    String svg =
        ChartSvg.line(
            line(List.of(Optional.of(5.0), Optional.of(6.0), Optional.empty(), Optional.of(7.0))),
            220,
            150);
    Document d = parse(svg);
    assertThat(d.getElementsByTagNameNS("*", "polyline").getLength()).isEqualTo(2);
    assertThat(d.getElementsByTagNameNS("*", "circle").getLength()).isEqualTo(3);
  }

  @Test
  void emptyDataDrawsASinDatosChart() throws Exception {
    String lineSvg = ChartSvg.line(line(List.of(Optional.empty(), Optional.empty())), 220, 150);
    String noMonths = ChartSvg.line(line(List.of()), 220, 150);
    String bars =
        ChartSvg.bars(
            new BarChart("T", "A", NumberStyle.ES, "sin datos", "sin datos", List.of()), 680);
    String ranges =
        ChartSvg.ranges(
            new RangeChart(
                "T",
                "A",
                NumberStyle.ES,
                "sin datos",
                "sin datos",
                "m",
                "s",
                "c",
                "Mbit/s",
                List.of()),
            680);
    String calendar =
        ChartSvg.calendar(
            new CalendarChart("T", "A", "Ningún corte", List.of("1", "2"), List.of(), List.of()),
            680);
    for (String svg : List.of(lineSvg, noMonths, bars, ranges)) {
      parse(svg);
      assertThat(svg).contains(">sin datos<");
    }
    parse(calendar);
    assertThat(calendar).contains(">Ningún corte<");
  }

  @Test
  void barsEscapeNamesWriteValuesAndNeverDrawAMissingValueAsZero() throws Exception {
    BarChart c =
        new BarChart(
            "Disponibilidad",
            "A",
            NumberStyle.ES,
            "vacío",
            "sin datos",
            List.of(
                new BarChart.Bar("Alcaldía", Optional.of(72.36)),
                new BarChart.Bar(TRICKY, Optional.empty()),
                new BarChart.Bar("Más de cien", Optional.of(140.0))));
    String svg = ChartSvg.bars(c, 680);
    Document d = parse(svg);
    assertThat(svg).contains("Escuela &lt;Niño&gt; &amp; &quot;Señora&quot;");
    assertThat(svg).contains(">72,4\u00a0%<", ">sin datos<", ">140,0\u00a0%<");
    long bars = d.getElementsByTagNameNS("*", "rect").getLength();
    assertThat(bars).isEqualTo(2); // one per value, none for the missing one
    assertThat(svg).contains(ChartSvg.BAR);
  }

  @Test
  void rangesUseShareOfContractAndWriteMbitPerSecond() throws Exception {
    RangeChart c =
        new RangeChart(
            "Velocidad",
            "A",
            NumberStyle.ES,
            "vacío",
            "sin datos",
            "Mediana",
            "p10–p90",
            "Contratada",
            "Mbit/s",
            List.of(
                new RangeChart.Row(
                    "ISP – Escuela", 10, Optional.of(6.2), Optional.of(8.15), Optional.of(9.6)),
                new RangeChart.Row(
                    TRICKY, 20, Optional.empty(), Optional.empty(), Optional.empty())));
    String svg = ChartSvg.ranges(c, 680);
    parse(svg);
    assertThat(svg).contains(">8,2 / 10 Mbit/s<", ">– / 20 Mbit/s<", ">100\u00a0%<");
    assertThat(svg).contains(ChartSvg.SPREAD, ChartSvg.MEDIAN, ChartSvg.TARGET);
    assertThat(svg).contains("&lt;Niño&gt;");
  }

  @Test
  void calendarShadesEachDayByItsOutageMinutes() throws Exception {
    CalendarChart c =
        new CalendarChart(
            "Cortes",
            "A",
            "ninguno",
            List.of("1", "", "3"),
            List.of(new CalendarChart.Row(TRICKY, List.of(0L, 45L, 300L))),
            List.of("Sin corte", "< 1 h", "1–4 h", "≥ 4 h"));
    String svg = ChartSvg.calendar(c, 680);
    parse(svg);
    assertThat(svg).contains(ChartSvg.OUTAGE.get(1), ChartSvg.OUTAGE.get(3));
    assertThat(svg).contains("&lt;Niño&gt;").contains(">≥ 4 h<");
  }
}

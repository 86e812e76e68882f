package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.enlace.server.evidence.EvidenceReport.Meta;
import org.enlace.server.evidence.EvidenceText.Lang;
import org.enlace.server.evidence.chart.ChartSvg;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * Render checks: each kind of report becomes a PDF, its pages become pixels, and every chart must
 * have drawn — its colours present over an area, not a blank box (a chart the SVG drawer could not
 * read leaves nothing behind). The HTML carries the same charts as inline SVG with a title and a
 * text alternative each.
 */
class EvidenceChartsRenderTest {
  /** The indicator lines; the target lines. */
  static final List<String> INDICATORS = List.of(ChartSvg.SERIES, ChartSvg.TARGET);

  static final List<String> AVAILABILITY = List.of(ChartSvg.BAR);
  static final List<String> SPEED = List.of(ChartSvg.SPREAD, ChartSvg.MEDIAN);
  static final List<String> CALENDAR =
      List.of(ChartSvg.OUTAGE.get(1), ChartSvg.OUTAGE.get(2), ChartSvg.OUTAGE.get(3));

  static EvidenceReport municipality;

  @BeforeAll
  static void setUp() throws Exception {
    municipality =
        EvidenceHash.withHash(ChartFixtures.charted(), EvidenceRenderersTest.appMapper());
    // The samples stay in target/ for a person to look at (pdftoppm -png …).
    Path dir = Path.of("target", "evidence-samples");
    Files.createDirectories(dir);
    for (Lang lang : Lang.values()) {
      Files.writeString(
          dir.resolve("charts-" + lang.code() + ".html"),
          EvidenceHtml.render(municipality, lang, Paper.A4));
      Files.write(
          dir.resolve("charts-" + lang.code() + ".pdf"),
          EvidencePdf.render(municipality, lang, Paper.A4));
    }
  }

  static EvidenceReport scoped(String scope, String id) {
    Meta m = municipality.meta();
    EvidenceReport.EstablishmentEvidence alcaldia = municipality.establishments().get(0);
    return new EvidenceReport(
        new Meta(
            m.municipality(),
            m.period(),
            m.firstDay(),
            m.lastDay(),
            scope,
            id,
            m.timeZone(),
            m.generatedAt(),
            m.dataSha256(),
            m.sources()),
        municipality.method(),
        municipality.indicators(),
        List.of(alcaldia),
        municipality.coverage(),
        List.of());
  }

  static void assertDrawn(Map<String, PdfPixels.Found> found, List<String> colours, int minPixels) {
    for (String c : colours) {
      PdfPixels.Found f = found.get(c);
      assertThat(f.pixels()).as("pixels of %s", c).isGreaterThanOrEqualTo(minPixels);
      assertThat(Math.max(f.width(), f.height())).as("extent of %s", c).isGreaterThanOrEqualTo(8);
    }
  }

  @Test
  void municipalityPdfDrawsEveryChartInBothLanguages() throws Exception {
    List<String> all = new java.util.ArrayList<>();
    all.addAll(INDICATORS);
    all.addAll(AVAILABILITY);
    all.addAll(SPEED);
    all.addAll(CALENDAR);
    for (Lang lang : Lang.values()) {
      Map<String, PdfPixels.Found> found =
          PdfPixels.find(EvidencePdf.render(municipality, lang, Paper.A4), all);
      assertDrawn(found, INDICATORS, 40);
      assertDrawn(found, AVAILABILITY, 400);
      assertDrawn(found, SPEED, 30);
      assertDrawn(found, CALENDAR, 15);
      // Bars as wide as their values: the longest bar spans most of the plot.
      assertThat(found.get(ChartSvg.BAR).width()).isGreaterThan(200);
      // The six indicator panels: lines spread over the width of the page.
      assertThat(found.get(ChartSvg.SERIES).width()).isGreaterThan(300);
    }
  }

  /**
   * A report in Spanish or English needs no embedded font: the base-14 Helvetica covers it. An
   * embedded one (a single character outside Windows-1252) made the PDF of 10,000 computers seven
   * times slower.
   */
  @Test
  void reportsUseTheBaseFontsOnly() throws Exception {
    for (Lang lang : Lang.values()) {
      assertThat(fonts(EvidencePdf.render(municipality, lang, Paper.A4)))
          .contains("Helvetica")
          .noneMatch(f -> f.contains("Liberation"));
      assertThat(
              fonts(
                  IspReportHtml.pdf(
                      IspReports.from(scoped("isp", "Fibra Sur"), Map.of()), lang, Paper.A4)))
          .noneMatch(f -> f.contains("Liberation"));
    }
    // The check sees an embedded font when there is one: a name in another script needs it.
    String xhtml = EvidenceHtml.render(municipality, Lang.ES, Paper.A4);
    String name = municipality.meta().municipality();
    assertThat(fonts(EvidencePdf.fromXhtml(xhtml.replace(name, "Ωmega " + name), Paper.A4)))
        .anyMatch(f -> f.contains("Liberation"));
    assertThat(EvidencePdf.base14("UTC\u22125 \u2212100\u202F%")).isEqualTo("UTC-5 -100\u00A0%");
  }

  /** The base names of the fonts every page uses. */
  static java.util.Set<String> fonts(byte[] pdf) throws java.io.IOException {
    java.util.Set<String> names = new java.util.TreeSet<>();
    try (org.apache.pdfbox.pdmodel.PDDocument d = org.apache.pdfbox.Loader.loadPDF(pdf)) {
      for (org.apache.pdfbox.pdmodel.PDPage page : d.getPages()) {
        for (org.apache.pdfbox.cos.COSName n : page.getResources().getFontNames()) {
          names.add(page.getResources().getFont(n).getName());
        }
      }
    }
    return names;
  }

  @Test
  void letterPaperDrawsThemToo() throws Exception {
    Map<String, PdfPixels.Found> found =
        PdfPixels.find(
            EvidencePdf.render(municipality, Lang.ES, Paper.LETTER),
            List.of(ChartSvg.SERIES, ChartSvg.BAR, ChartSvg.MEDIAN, ChartSvg.OUTAGE.get(3)));
    assertDrawn(found, List.of(ChartSvg.SERIES, ChartSvg.BAR, ChartSvg.MEDIAN), 30);
  }

  @Test
  void establishmentAndLinkReportsDrawTheirChartsButNoPlanFigures() throws Exception {
    for (EvidenceReport r : List.of(scoped("establishment", "alcaldia"), scoped("link", "7"))) {
      Map<String, PdfPixels.Found> found =
          PdfPixels.find(
              EvidencePdf.render(r, Lang.ES, Paper.A4),
              List.of(ChartSvg.SERIES, ChartSvg.BAR, ChartSvg.SPREAD, ChartSvg.OUTAGE.get(2)));
      assertDrawn(found, List.of(ChartSvg.BAR, ChartSvg.SPREAD, ChartSvg.OUTAGE.get(2)), 20);
      // A few anti-aliased edges of other blues may come close; a line would be hundreds.
      assertThat(found.get(ChartSvg.SERIES).pixels()).isLessThan(10);
      assertThat(EvidenceHtml.render(r, Lang.ES, Paper.A4)).doesNotContain("chart.ind");
    }
  }

  @Test
  void theIspReportDrawsItsLinksChartsButNoPlanFigures() throws Exception {
    for (Lang lang : Lang.values()) {
      IspReport isp = IspReports.from(scoped("isp", "Fibra Sur"), Map.of());
      Map<String, PdfPixels.Found> found =
          PdfPixels.find(
              IspReportHtml.pdf(isp, lang, Paper.A4),
              List.of(ChartSvg.SERIES, ChartSvg.BAR, ChartSvg.SPREAD, ChartSvg.OUTAGE.get(2)));
      assertDrawn(found, List.of(ChartSvg.BAR, ChartSvg.SPREAD, ChartSvg.OUTAGE.get(2)), 20);
      assertThat(found.get(ChartSvg.SERIES).pixels()).isLessThan(10);
    }
  }

  @Test
  void aReportWithoutDataDrawsSinDatosChartsNotACrash() throws Exception {
    EvidenceReport empty =
        EvidenceHash.withHash(
            EvidenceFixtures.empty(
                new EvidenceQuery(
                    ReportPeriod.parse("2026-03"),
                    java.util.Optional.empty(),
                    java.util.Optional.empty()),
                Instant.parse("2026-03-05T12:00:00Z")),
            EvidenceRenderersTest.appMapper());
    String html = EvidenceHtml.render(empty, Lang.ES, Paper.A4);
    Document d = xml(html);
    assertThat(d.getElementsByTagNameNS("*", "svg").getLength()).isEqualTo(9);
    assertThat(html).contains(">Sin datos en estos meses<", ">Ningún corte en el periodo<");
    byte[] pdf = EvidencePdf.render(empty, Lang.ES, Paper.A4);
    assertThat(new String(pdf, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("%PDF");
  }

  @Test
  void htmlCarriesEverySvgWithTitleAndTextAlternative() throws Exception {
    String es = EvidenceHtml.render(municipality, Lang.ES, Paper.A4);
    Document d = xml(es);
    NodeList svgs = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg");
    // Two indicators × three sectors, availability, speed, calendar.
    assertThat(svgs.getLength()).isEqualTo(9);
    for (int i = 0; i < svgs.getLength(); i++) {
      Element svg = (Element) svgs.item(i);
      assertThat(svg.getAttribute("role")).isEqualTo("img");
      assertThat(svg.getElementsByTagNameNS("*", "title").item(0).getTextContent()).isNotBlank();
      assertThat(svg.getElementsByTagNameNS("*", "desc").item(0).getTextContent()).isNotBlank();
    }
    NodeList figures = d.getElementsByTagName("figure");
    assertThat(figures.getLength()).isEqualTo(5);
    for (int i = 0; i < figures.getLength(); i++) {
      Element f = (Element) figures.item(i);
      assertThat(f.getElementsByTagName("figcaption").item(0).getTextContent()).isNotBlank();
    }
    // es-CO: decimal comma, thousands with a point, Spanish months; names escaped.
    assertThat(es)
        .contains(">1.220<", ">99,2\u00a0%<", ">ene<", "Línea base 600", "Meta 1.200")
        .contains("Escuela &lt;Niño&gt; &amp; &quot;Señora&quot;")
        .contains("Gráficos", "Calendario de cortes");
    // The charts come right after the executive summary, before the figures and indicator tables.
    assertThat(es.indexOf("class=\"charts\""))
        .isBetween(es.indexOf("class=\"conclusion\""), es.indexOf("class=\"summary\""));
    String en = EvidenceHtml.render(municipality, Lang.EN, Paper.A4);
    assertThat(en)
        .contains(">1,220<", ">99.2\u00a0%<", ">Jan<", "Baseline 600", "Target 1,200", "Charts")
        .doesNotContain("Gráficos", "Línea base");
  }

  static Document xml(String xhtml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    return f.newDocumentBuilder().parse(new InputSource(new StringReader(xhtml)));
  }
}
